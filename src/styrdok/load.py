"""Load the handbook: files -> validated, resolved `Handbook`, plus every problem found.

A loader opens files and reports problems; it never formats output. Cross-references (roles,
units, instanser, lagrum, documents) are resolved here so renderers receive objects.
"""
from __future__ import annotations

import datetime as dt
import functools
import os
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable, TypeVar

from pydantic import BaseModel

from . import model as m
from .header import validate_definition
from .lagrum import number_index
from .problems import Problem, Problems, choices
from .sources import read_source, walk_docs
from .load_checks import check_document_folders, check_references
from .load_document import Context, add_months, load_document, resolve  # noqa: F401  (add_months: ledningssystem)
from .validation import validate_model
from .yamlio import LineMap, MarkdownSource, load_yaml, split_front_matter

T = TypeVar("T", bound=BaseModel)

DATA_FILES = ("kommun.yml", "roller.yml", "begrepp.yml", "lagrum.yml")


@dataclass(frozen=True)
class Project:
    """Where a handbook lives: its root with docs/ and data/."""

    root: Path

    @property
    def docs(self) -> Path:
        return self.root / "docs"

    @property
    def data(self) -> Path:
        return self.root / "data"

    def rel(self, path: Path) -> str:
        try:
            return path.resolve().relative_to(_resolved(self.root)).as_posix()
        except ValueError:
            return str(path)


@functools.lru_cache(maxsize=16)
def _resolved(root: Path) -> Path:
    """root.resolve(), once per run (rel() is called for every file)."""
    return root.resolve()


def current_date() -> dt.date:
    """Today's date; STYRDOK_IDAG=ÅÅÅÅ-MM-DD sets another day (for tests and for planning ahead)."""
    import os
    value = os.environ.get("STYRDOK_IDAG")
    return dt.date.fromisoformat(value) if value else dt.date.today()


def slug(text: str) -> str:
    """An ascii id from a Swedish name (Älvstads kommun -> alvstads-kommun)."""
    import re
    import unicodedata
    ascii_text = unicodedata.normalize("NFKD", text.lower()).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")


def find_root(start: Path | None = None) -> Path:
    """The nearest folder upwards that holds data/kommun.yml (else the start folder)."""
    start = (start or Path.cwd()).resolve()
    for folder in (start, *start.parents):
        if (folder / "data" / "kommun.yml").is_file():
            return folder
    return start


def read_data_file(project: Project, name: str, problems: Problems, *, required: bool = True
                   ) -> tuple[Any, LineMap, str] | None:
    path = project.data / name
    rel = project.rel(path)
    if not path.is_file():
        if required:
            problems.error(rel, None, f"Filen saknas. Skapa {rel} (se exemplet överst i filen i "
                                      "exempelhandboken).")
        return None
    text = read_source(path, rel, problems)
    if text is None:
        return None
    loaded = load_yaml(text, rel, problems)
    if loaded is None:
        return None
    data, lines = loaded
    return data, lines, rel


def load_list(project: Project, name: str, model: type[T], problems: Problems, *,
              id_attr: str | None = "id", what: str = "post", required: bool = True) -> list[T]:
    """Read data/<name> as a list of records of `model`."""
    loaded = read_data_file(project, name, problems, required=required)
    if loaded is None:
        return []
    data, lines, rel = loaded
    return validate_list(model, data, rel, lines, problems, id_attr=id_attr, what=what)


def validate_list(model: type[T], data: Any, rel: str, lines: LineMap, problems: Problems,
                  *, id_attr: str | None = "id", what: str = "post") -> list[T]:
    """Validate a YAML list record by record; report duplicate ids with both lines."""
    return [obj for _i, obj in validate_records(model, data, rel, lines, problems, id_attr=id_attr, what=what)]


def validate_records(model: type[T], data: Any, rel: str, lines: LineMap, problems: Problems,
                     *, id_attr: str | None = "id", what: str = "post") -> list[tuple[int, T]]:
    """validate_list, each valid record with its index in the file's list (for the lines of its keys)."""
    if data is None:
        return []
    if not isinstance(data, list):
        problems.error(rel, lines.line(()), f"Filen ska innehålla en lista av {what}er, där varje "
                                            "post börjar med '- '.")
        return []
    out: list[tuple[int, T]] = []
    seen: dict[str, int] = {}
    for i, item in enumerate(data):
        obj = validate_model(model, item, rel, lines, problems, path_prefix=(i,))
        if obj is None:
            continue
        if id_attr:
            key = getattr(obj, id_attr)
            if key in seen:
                problems.error(rel, lines.line((i, id_attr)),
                               f"Id '{key}' finns redan (rad {seen[key]}). Varje {what} behöver en egen id.",
                               key=f"[{i}].{id_attr}")
                continue
            seen[key] = lines.line((i, id_attr)) or 0
        out.append((i, obj))
    return out


def _load_kommun(project: Project, problems: Problems, roller: dict[str, m.Roll]
                 ) -> tuple[m.Kommun, dict[str, m.Instans], dict[str, m.OrgEnhet]] | None:
    loaded = read_data_file(project, "kommun.yml", problems)
    if loaded is None:
        return None
    data, lines, rel = loaded
    fil = validate_model(m.KommunFil, data, rel, lines, problems)
    if fil is None:
        return None
    instanser: dict[str, m.Instans] = {r.id: m.Instans(r.id, r.namn, "roll") for r in roller.values()}
    namnder = []
    for i, n in enumerate(fil.namnder):
        if n.id in instanser:
            problems.error(rel, lines.line(("namnder", i, "id")),
                           f"Id '{n.id}' används redan (av en roll eller nämnd). Ge nämnden en egen id.")
        inst = m.Instans(n.id, n.namn, "nämnd")
        instanser[n.id] = inst
        namnder.append(inst)
        for j, u in enumerate(n.utskott):
            if u.id in instanser:
                problems.error(rel, lines.line(("namnder", i, "utskott", j, "id")),
                               f"Id '{u.id}' används redan (av en roll eller nämnd). Ge utskottet en egen id.")
            instanser[u.id] = m.Instans(u.id, u.namn, "nämnd")

    for i, g in enumerate(fil.grupper):
        if g.id in instanser:
            problems.error(rel, lines.line(("grupper", i, "id")),
                           f"Id '{g.id}' används redan (av en roll eller nämnd). Ge gruppen en egen id.")
        instanser[g.id] = m.Instans(g.id, g.namn, "grupp")

    org: dict[str, m.OrgEnhet] = {}

    def add_org(ident: str, namn: str, niva, parent, path: tuple) -> None:
        if ident in org:
            problems.error(rel, lines.line(path + ("id",)),
                           f"Organisationsid '{ident}' finns redan. Varje förvaltning, avdelning och "
                           "enhet behöver en egen id.")
        org[ident] = m.OrgEnhet(ident, namn, niva, parent)

    for fi, f in enumerate(fil.forvaltningar):
        add_org(f.id, f.namn, "förvaltning", None, ("forvaltningar", fi))
        for ai, a in enumerate(f.avdelningar):
            add_org(a.id, a.namn, "avdelning", f.id, ("forvaltningar", fi, "avdelningar", ai))
            for ei, e in enumerate(a.enheter):
                add_org(e.id, e.namn, "enhet", a.id,
                        ("forvaltningar", fi, "avdelningar", ai, "enheter", ei))

    typer: dict[str, m.Dokumenttyp] = {}
    for i, t in enumerate(fil.dokumenttyper):
        if t.id in typer:
            problems.error(rel, lines.line(("dokumenttyper", i, "id")), f"Dokumenttypen '{t.id}' finns redan.")
        key = ("dokumenttyper", i)
        typer[t.id] = m.Dokumenttyp(
            id=t.id, namn=t.namn, plural=t.plural, niva=t.niva,
            beslutas_av=resolve(t.beslutas_av, instanser, rel, lines, key + ("beslutas_av",), problems,
                                 "Instansen", "nämnderna i data/kommun.yml eller data/roller.yml"),
            mindre_andring_beslutas_av=resolve(
                t.mindre_andring_beslutas_av, instanser, rel, lines, key + ("mindre_andring_beslutas_av",),
                problems, "Instansen", "nämnderna i data/kommun.yml eller data/roller.yml"),
            revidering_manader=t.revidering_manader, stor_andring=t.stor_andring)
    if fil.logotyp and not (project.docs / fil.logotyp).is_file():
        problems.error(rel, lines.line(("logotyp",)),
                       f"Logotypen '{fil.logotyp}' finns inte under docs/. Ange sökvägen relativt docs/, "
                       "t.ex. assets/logotyp.svg.", key="logotyp")
    kommun = m.Kommun(namn=fil.namn, logotyp=fil.logotyp, redigera_url=fil.redigera_url,
                      namnder=tuple(namnder), forvaltningar=fil.forvaltningar, dokumenttyper=typer,
                      falt=fil.falt, egna_falt={e.id: e for e in fil.egna_falt}, dokumenthuvud=fil.dokumenthuvud,
                      andringar_efter_beslut=fil.andringar_efter_beslut,
                      historik_for_lasare=fil.historik_for_lasare, webbplats=fil.webbplats, pdf=fil.pdf,
                      arkivexemplar=fil.arkivexemplar)
    if fil.webbplats is not None and not (fil.webbplats.kontakt.epost or fil.webbplats.kontakt.telefon):
        problems.error(rel, lines.line(("webbplats", "kontakt")),
                       "Kontakten behöver en e-postadress (epost) eller ett telefonnummer (telefon), så att "
                       "läsarna kan nå den som ansvarar för handboken.", key="webbplats.kontakt")
    validate_definition(fil, rel, lines, problems, set(m.FrontMatter.model_fields))
    return kommun, instanser, org


# Parsed front matter per file, kept between loads in one process: `mkdocs serve` loads the
# handbook again after every save, and parsing 2,000 front matters was a third of that rebuild.
# An entry is reused only for the same text, and only if parsing it reported no problem.
_PARSED: dict[str, tuple[str, MarkdownSource]] = {}


@dataclass(frozen=True)
class _FileResult:
    """What the first pass made of one Markdown file, and the problems it reported on the way."""

    text: str
    stamp: tuple                        # the file's (mtime, ctime, size, inode) when it was read
    problems: tuple[Problem, ...]
    unreadable: tuple[str, ...]
    broken: str | None                  # the id of a document whose own file has a fel
    doc: m.Styrdokument | None = None
    lines: LineMap | None = None
    fm: m.FrontMatter | None = None
    page: m.Page | None = None


# The first pass per file and the second pass per document, kept between loads in one process (the
# preview, `styrdok forhandsvisa`, loads the handbook again after a save of front matter or data):
# an entry is reused for the same text while the data the documents are resolved against (kommun,
# roles, organisation, lagrum, today's date) is equal; a file's problems are reported again.
_LOADED: dict[str, object] = {"context": None, "files": {}, "resolved": {}}


def forget_loaded() -> None:
    """Forget what earlier loads in this process parsed and resolved (benchmarks of a cold load)."""
    _PARSED.clear()
    _LOADED.update(context=None, files={}, resolved={})


def _markdown_files(docs_dir: Path, docs_rel: str, problems: Problems) -> list[str]:
    """The .md files below docs_dir as posix paths relative to it, sorted by path segments
    (names, symbolic links checked by sources.walk_docs)."""
    return [rel for rel in walk_docs(docs_dir, docs_rel, problems) if rel.endswith(".md")]


def _load_file(ctx: Context, src_path: str, rel: str, text: str, stamp: tuple) -> _FileResult:
    """The first pass over one Markdown file: its front matter parsed and, for a styrdokument,
    validated and resolved against the data (references between documents wait for the second pass)."""
    p = Problems()
    before = ctx.problems
    ctx.problems = p
    try:
        return _load_file_into(ctx, src_path, rel, text, stamp, p)
    finally:
        ctx.problems = before


def _stamp(path: str) -> tuple | None:
    """What a file is now, without reading it (None if it cannot be stat'ed)."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_ctime_ns, st.st_size, st.st_ino)


def _load_file_into(ctx: Context, src_path: str, rel: str, text: str, stamp: tuple, p: Problems) -> _FileResult:
    def result(broken: str | None = None, **kw) -> _FileResult:
        return _FileResult(text, stamp, tuple(p.items), tuple(p.unreadable_files), broken, **kw)

    cached = _PARSED.get(rel)
    if cached is not None and cached[0] == text:
        source = cached[1]
    else:
        source = split_front_matter(text, rel, p)
        if source is None:
            return result(Path(src_path).stem)
        if not p.items:
            _PARSED[rel] = (text, source)
    title = None
    doc = fm = None
    if "typ" in source.meta:
        own = ctx.kommun.egna_falt
        meta = {k: v for k, v in source.meta.items() if k not in own} if own else source.meta
        fm = validate_model(m.FrontMatter, meta, rel, source.lines, p)
        if fm is None:
            check_references(ctx, meta, rel, source.lines)
        doc = fm and load_document(ctx, fm, rel, src_path, source.lines, source.body, source.body_first_line,
                                    {k: v for k, v in source.meta.items() if k in own})
        if doc is None:
            ident = source.meta.get("id")
            return result(ident if isinstance(ident, str) else Path(src_path).stem)
        title = doc.titel
    else:
        meta = validate_model(m.PageMeta, source.meta, rel, source.lines, p)
        h1 = re.search(r"^# +(.+?)\s*$", source.body, re.M)
        title = (meta.title if meta else None) or (h1.group(1) if h1 else None)
    page = m.Page(src_path, rel, source.body, source.body_first_line, title)
    if not source.body.strip():
        p.warning(rel, source.body_first_line if source.meta else None,
                  "Sidan är tom: den publiceras utan text. Skriv innehållet, eller ta bort filen.")
    return result(doc=doc, lines=source.lines, fm=fm, page=page)


def _context_key(ctx: Context) -> tuple:
    """What a document is resolved against, compared by value between loads."""
    return (ctx.project.root, ctx.today, ctx.kommun, ctx.instanser, ctx.org, ctx.roller, ctx.lagrum)


def _same_data_as_before(ctx: Context) -> Context:
    """ctx with the objects of the previous load in this process when they are equal to this load's
    (then the documents kept from that load refer to the same role and instans objects as the new
    handbook), and with the documents kept from that load forgotten when they are not."""
    key = _context_key(ctx)
    before = _LOADED["context"]
    if before == key:
        ctx.kommun, ctx.instanser, ctx.org, ctx.roller, ctx.lagrum = before[2:]
    else:
        _LOADED.update(context=key, files={}, resolved={})
    ctx.lagrum_numbers = number_index(ctx.lagrum)
    return ctx


def _load_pages(ctx: Context) -> tuple[dict[str, m.Styrdokument], dict[str, m.Page], frozenset[str]]:
    p = ctx.problems
    docs: dict[str, m.Styrdokument] = {}
    broken: set[str] = set()
    doc_lines: dict[str, tuple[LineMap, m.FrontMatter]] = {}
    pages: dict[str, m.Page] = {}
    if not ctx.project.docs.is_dir():
        p.error("docs", None, "Mappen docs/ saknas. Handbokens sidor ska ligga där som Markdown-filer.")
        return docs, pages, frozenset()
    known: dict[str, _FileResult] = _LOADED["files"]
    docs_dir = ctx.project.docs
    docs_rel = ctx.project.rel(docs_dir)
    seen_files = set()
    for src_path in _markdown_files(docs_dir, docs_rel, p):
        rel = f"{docs_rel}/{src_path}"
        path = os.path.join(docs_dir, src_path)
        stamp = _stamp(path)
        done = known.get(rel)
        if done is None or stamp is None or done.stamp != stamp:
            # (a file not read again since the last load in this process: same time, size, inode)
            text = read_source(path, rel, p)
            if text is None:        # unreadable: references to it are follow-ons, not problems of their own
                broken.add(Path(src_path).stem)
                known.pop(rel, None)
                continue
            if done is None or done.text != text:
                done = _load_file(ctx, src_path, rel, text, stamp)
            known[rel] = replace(done, stamp=stamp) if done.stamp != stamp else done
        seen_files.add(rel)
        p.extend(done.problems)
        for name in done.unreadable:
            p.unreadable(name)
        if done.broken is not None:
            broken.add(done.broken)
            continue
        doc = done.doc
        if doc is not None:
            if doc.id in docs:
                p.error(rel, done.lines.line(("id",)),
                        f"Dokument-id '{doc.id}' används redan av {docs[doc.id].file}. Ge dokumentet en "
                        "egen id (nyckeln id) eller byt filnamn.", key="id")
                continue
            docs[doc.id] = doc
            doc_lines[doc.id] = (done.lines, done.fm)
        pages[src_path] = done.page
    for gone in known.keys() - seen_files:
        known.pop(gone, None)      # (another thread may load at the same time: the preview)

    check_document_folders(pages, docs, p)

    # Second pass: references between documents. A document resolved to the same references as in
    # the previous load in this process is the same (frozen) object as then.
    previous: dict[str, tuple] = _LOADED["resolved"]
    kept: dict[str, tuple] = {}
    resolved: dict[str, m.Styrdokument] = {}
    refs = {i: d.ref for i, d in docs.items()}
    for ident, doc in docs.items():
        lines, fm = doc_lines[ident]
        relaterade = resolve(fm.relaterade, refs, doc.file, lines, ("relaterade",), p,
                              "Dokumentet", "handboken (dokument-id är filnamnet utan .md)", skip=broken)
        egna = dict(doc.egna)
        for key, value in doc.egna.items():
            if ctx.kommun.egna_falt[key].typ == "dokument":
                found = resolve([value], refs, doc.file, lines, (key,), p, "Dokumentet",
                                 "handboken (dokument-id är filnamnet utan .md)", skip=broken)
                if found:
                    egna[key] = found[0]
                else:
                    del egna[key]
        ersatter = refs.get(fm.ersatter) if fm.ersatter else None
        before = previous.get(ident)
        if before is not None and before[0] is doc and before[1:4] == (relaterade, egna, ersatter):
            resolved[ident] = before[4]
        else:
            resolved[ident] = _replace(doc, relaterade=relaterade, ersatter_dok=ersatter, egna=egna)
        kept[ident] = (doc, relaterade, egna, ersatter, resolved[ident])
    _LOADED["resolved"] = kept
    return resolved, pages, frozenset(broken)


def _replace(obj, **changes):
    from dataclasses import replace
    return replace(obj, **changes)


# Later stages (ledningssystem data …) register loaders here: each gets the handbook loaded so far
# and the problems, and returns extra entries for Handbook.extra.
ExtraLoader = Callable[[Project, m.Handbook, Problems], dict[str, object]]
EXTRA_LOADERS: list[ExtraLoader] = []


def load_handbook(root: Path, *, today: dt.date | None = None) -> tuple[m.Handbook | None, Problems]:
    """Load and validate everything under root. Returns (None, problems) if the core cannot load."""
    from .parts import load_parts
    load_parts()
    project = Project(Path(root))
    problems = Problems()
    today = today or current_date()

    roller = {r.id: r for r in load_list(project, "roller.yml", m.Roll, problems, what="roll")}
    lagrum: dict[str, m.Lagrum] = {}
    lagrum_file = read_data_file(project, "lagrum.yml", problems)
    if lagrum_file:
        data, lines, rel = lagrum_file
        lagrum = {x.id: x for x in validate_list(m.Lagrum, data, rel, lines, problems, what="lagrum")}
        for i, record in enumerate(data if isinstance(data, list) else []):
            target = record.get("ersatt_av") if isinstance(record, dict) else None
            if target and record.get("id") in lagrum and target not in lagrum:
                problems.error(rel, lines.line((i, "ersatt_av")),
                               f"Lagrummet '{record['id']}' ersätts av '{target}', som inte finns i filen. "
                               f"Välj en av: {choices(lagrum)}.", key=f"[{i}].ersatt_av")
    begrepp = load_list(project, "begrepp.yml", m.Begrepp, problems, id_attr="term", what="begrepp")

    loaded = _load_kommun(project, problems, roller)
    if loaded is None:
        return None, problems
    kommun, instanser, org = loaded
    ctx = _same_data_as_before(Context(project, problems, kommun, instanser, org, roller, lagrum, today))
    docs, pages, trasiga = _load_pages(ctx)
    handbook = m.Handbook(kommun=ctx.kommun, roller=ctx.roller, begrepp=tuple(begrepp), lagrum=ctx.lagrum,
                          instanser=ctx.instanser, org=ctx.org, dokument=docs, pages=pages, trasiga=trasiga)
    extra: dict[str, object] = {}
    for loader in EXTRA_LOADERS:
        extra.update(loader(project, handbook, problems))
        handbook = _replace(handbook, extra=dict(extra))
    return handbook, problems
