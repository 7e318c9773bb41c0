"""What was decided is the rendered text: each decided document now, against its rendering at its
latest decision tag (`beslut/<id>/<datum>`, or `…-redaktionell` for an editorial record).

A decision adopted the page *as rendered*, macros expanded: a change in `data/ansvar.yml` changes
every document that shows `{{ ansvar("…") }}` as surely as an edit of the page. So the page at the
tag is rendered again — the tree of docs/ and data/ at the tag's commit, loaded with the normal
loader, rendered with today's templates (presentation is not content) — and compared with the
rendering now. Each document is:

- ``oforandrat``: the same rendering;
- ``andrat``: changed in the page (its Markdown differs) and/or through data (a macro call gives
  another output: named by data file and entry, e.g. ``data/ansvar.yml: lex-sarah``).

Renderings at tags are cached under ``.cache/beslutat/`` by the tag's commit (tags on one commit
share one load of that tree). The index file keeps digests only, so a warm `styrdok check` reads a
few bytes per document; the texts (for the diff page, the decided version on the site and in
Word) are in a second file, read only for changed documents.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import re
import shutil
import io
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

if sys.version_info >= (3, 11, 4):
    import tarfile
else:       # Debian 12's Python 3.11.2: extraction filters came in 3.11.4; the same module from PyPI
    from backports import tarfile

from . import load
from . import gitcmd
from .gitcmd import GitMissing as _GitMissing, run as _git
from .history import HistoryError, is_git_repo
from .model import Handbook, Styrdokument
from .problems import Problems
from .render.markdown import render_page_markdown

TAG_PREFIX = "beslut"
EDITORIAL = "-redaktionell"
CACHE_VERSION = "1"
CHANGED_PREFIX = "Ändrat sedan "        # starts the message of a changed decided document (see is_changed_problem)
CALL = re.compile(r"\{\{\s*([A-Za-z_]\w*)\s*\((.*?)\)\s*\}\}", re.S)
FIRST_ARG = re.compile(r"""^\s*(?:\w+\s*=\s*)?["']([^"']*)["']""")

# Where a macro's output comes from, for "changed through data" (macro name -> file; {arg} is the
# macro's first argument, named as the entry).
MACRO_SOURCES = {
    "ansvar": "data/ansvar.yml", "ansvarsfordelning": "data/ansvar.yml", "process": "data/processer.yml",
    "processkarta": "data/processer.yml", "enhet": "data/enheter/", "enheter_oversikt": "data/enheter/",
    "kvalitetsplan": "data/kvalitetsplaner/", "kvalitetsberattelse": "data/kvalitetsplaner/",
    "arshjul": "data/arshjul.yml", "sosfs_matris": "data/sosfs-2011-9.yml", "begreppslista": "data/begrepp.yml",
    "lagrumslista": "data/lagrum.yml", "roll": "data/roller.yml", "mitt_ansvar": "data/",
    "dokumentlank": "docs/ (front matter)", "dokumentlista": "docs/ (front matter)",
}


@dataclass(frozen=True)
class DecisionTag:
    name: str             # beslut/<id>/<datum>[-redaktionell]
    commit: str           # full id of the tagged commit
    doc_id: str
    datum: dt.date
    redaktionell: bool


@dataclass(frozen=True)
class Comparison:
    """A decided document now against its latest decision (or editorial record)."""

    doc: Styrdokument
    tag: DecisionTag
    page_changed: bool
    data_changes: tuple[str, ...]       # "data/ansvar.yml: lex-sarah", in page order
    failed: str | None = None           # why the decided version could not be rendered

    @property
    def changed(self) -> bool:
        return self.page_changed or bool(self.data_changes)

    def what(self) -> str:
        """Swedish: how it changed ("i sidan", "genom data: data/ansvar.yml: lex-sarah", both)."""
        parts = ["i sidan"] if self.page_changed else []
        if self.data_changes:
            parts.append("genom data: " + "; ".join(self.data_changes))
        return " och ".join(parts)


def _sha(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8", "surrogateescape")).hexdigest()


def macro_calls(body: str) -> list[tuple[str, str]]:
    """(call source, macro name) of each `{{ name(...) }}` in a page, in order, once each."""
    return list(dict.fromkeys((m.group(0), m.group(1)) for m in CALL.finditer(body)))


def call_source(name: str, call: str) -> str:
    """`data/ansvar.yml: lex-sarah` for `{{ ansvar("lex-sarah") }}`."""
    inner = call[call.index("(") + 1:call.rindex(")")]
    arg = FIRST_ARG.match(inner)
    where = MACRO_SOURCES.get(name, f"data/ (makrot {name})")
    return f"{where}: {arg.group(1)}" if arg else where


def render_site(handbook: Handbook, templates: Path, src_path: str, body: str) -> str:
    """A page's Markdown with its macros rendered (the text itself when it has none)."""
    if "{{" not in body and "{%" not in body:
        return body
    return render_page_markdown(handbook, templates, src_path, body)


# --- git ---------------------------------------------------------------------------------------------

def decision_tags(root: Path) -> dict[str, DecisionTag]:
    """The latest decision (or editorial) tag per document id, from one `git for-each-ref`."""
    if not is_git_repo(root):
        return {}
    proc = _git(root, "for-each-ref", "--format=%(refname:strip=2)%00%(objectname)%00%(*objectname)",
                f"refs/tags/{TAG_PREFIX}/")
    if proc.returncode != 0:
        raise HistoryError(f"git for-each-ref misslyckades: {gitcmd.stderr_of(proc)}")
    latest: dict[str, DecisionTag] = {}
    for line in proc.stdout.decode("utf-8", "replace").splitlines():
        name, obj, peeled = (line.split("\0") + ["", ""])[:3]
        parts = name.split("/")
        if len(parts) != 3:
            continue
        _, doc_id, when = parts
        editorial = when.endswith(EDITORIAL)
        try:
            datum = dt.date.fromisoformat(when.removesuffix(EDITORIAL)[:10])
        except ValueError:
            continue
        tag = DecisionTag(name, peeled or obj, doc_id, datum, editorial)
        old = latest.get(doc_id)
        if old is None or (tag.datum, tag.name) > (old.datum, old.name):
            latest[doc_id] = tag
    return latest


@contextlib.contextmanager
def tree_at(root: Path, commit: str) -> Iterator[tuple[Handbook | None, str | None]]:
    """(the handbook as it was at commit, None): its docs/ and data/ unpacked into a temporary folder,
    removed when the block ends. (None, None) when git cannot give that commit; (None, why, in Swedish)
    when its files cannot be unpacked: tarfile's data filter refuses what could write or point outside
    the folder, such as a symbolic link out of docs/ (a decision tag set by hand, or before check
    refused such links)."""
    tmp = Path(tempfile.mkdtemp(prefix="styrdok-beslutat-"))
    try:
        yield _unpack(root, commit, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _unpack(root: Path, commit: str, tmp: Path) -> tuple[Handbook | None, str | None]:
    try:
        proc = _git(root, "archive", "--format=tar", commit, "--", "docs", "data")
    except _GitMissing:
        return None, None
    if proc.returncode != 0:
        return None, None
    try:
        with tarfile.open(fileobj=io.BytesIO(proc.stdout)) as tar:
            tar.extractall(tmp, filter="data")
    except tarfile.TarError as exc:
        member = getattr(exc, "tarinfo", None)
        if member is None:
            return None, f"den versionens filer gick inte att packa upp ur git ({exc})."
        return None, (f"{member.name} i den versionen är en länk eller fil som pekar ut ur handboken, så den "
                      "versionen packas inte upp och kan inte jämföras med den publicerade. Nästa beslut "
                      "(styrdok decide) ger en version att jämföra med.")
    handbook, _problems = load.load_handbook(tmp)
    return handbook, None


# --- cache ---------------------------------------------------------------------------------------------

def _templates_digest(templates: Path) -> str:
    h = hashlib.sha1(CACHE_VERSION.encode())
    for folder in (templates / "markdown",):
        if folder.is_dir():
            for path in sorted(folder.rglob("*")):
                if path.is_file():
                    h.update(path.relative_to(folder).as_posix().encode())
                    h.update(path.read_bytes())
    return h.hexdigest()[:16]


@dataclass
class DecidedIndex:
    """The decided versions of one handbook (root), computed on first use and kept with it."""

    root: Path
    _tags: dict[str, DecisionTag] | None = None
    _comparisons: dict[str, Comparison] | None = None
    _texts: dict[str, dict] = field(default_factory=dict)
    _digest: str | None = None
    _git_problem: str | None = None

    @property
    def cache_dir(self) -> Path:
        return self.root / ".cache" / "beslutat"

    def tags(self) -> dict[str, DecisionTag]:
        """The latest tag per document; none when git cannot answer (git_problem() says why)."""
        if self._tags is None:
            try:
                self._tags = decision_tags(self.root)
            except (HistoryError, _GitMissing) as exc:
                self._git_problem, self._tags = str(exc) or gitcmd.MISSING, {}
            else:
                self._git_problem = None if self._tags else gitcmd.unavailable(self.root)
        return self._tags

    def git_problem(self) -> str | None:
        """Why the decision tags could not be read (Swedish), or None: "no tags" is then the truth."""
        self.tags()
        return self._git_problem

    def digest(self) -> str:
        if self._digest is None:
            self._digest = _templates_digest(self.root / "templates")
        return self._digest

    def _paths(self, commit: str) -> tuple[Path, Path]:
        stem = f"{commit}-{self.digest()}"
        return self.cache_dir / f"{stem}.json", self.cache_dir / f"{stem}.texter.json"

    def _build(self, commit: str, doc_ids: list[str]) -> dict:
        """Load the tree at commit once and render the documents tagged there (the cache's entry)."""
        index: dict[str, dict] = {}
        texts: dict[str, dict] = {}
        templates = self.root / "templates"
        with tree_at(self.root, commit) as (old, unreadable):
            if unreadable:
                return {doc_id: {"fel": unreadable} for doc_id in doc_ids}
            for doc_id in doc_ids:
                doc = old.dokument.get(doc_id) if old else None
                if doc is None:
                    index[doc_id] = {"fel": "Dokumentet fanns inte med den id:n i den beslutade versionen."}
                    continue
                try:
                    site = render_site(old, templates, doc.src_path, doc.body)
                    calls = {c: _sha(render_site(old, templates, doc.src_path, c)) for c, _ in macro_calls(doc.body)}
                except Exception as exc:      # a macro of that time that no longer renders
                    index[doc_id] = {"fel": f"Den beslutade versionen gick inte att rendera: {exc}"}
                    continue
                index[doc_id] = {"body": _sha(doc.body), "site": _sha(site), "calls": calls}
                texts[doc_id] = {"body": doc.body, "site": site, "src_path": doc.src_path,
                                 "titel": doc.titel}
        self._write(commit, index, texts)
        return index

    def _write(self, commit: str, index: dict, texts: dict) -> None:
        """Merge into the commit's cache files, atomically (a concurrent build may write the same).
        A cache that cannot be written (read-only checkout) only costs time: the entries stay in memory."""
        try:
            self._store(commit, index, texts)
        except OSError:
            self._texts.setdefault(commit, {}).update(texts)
            return
        if commit in self._texts:
            self._texts[commit].update(texts)

    def _store(self, commit: str, index: dict, texts: dict) -> None:
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        ignore = self.cache_dir.parent / ".gitignore"
        if not ignore.exists():          # a cache is never content: keep it out of `git status` (and decide)
            ignore.write_text("# Skapad av styrdok: cachen ska inte checkas in.\n*\n", encoding="utf-8")
        for path, data in zip(self._paths(commit), (index, texts)):
            try:
                merged = {**json.loads(path.read_text(encoding="utf-8")), **data}
            except (OSError, ValueError):
                merged = data
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(json.dumps(merged, ensure_ascii=False), encoding="utf-8")
            tmp.replace(path)

    def _index(self, commit: str, doc_ids: list[str]) -> dict:
        path = self._paths(commit)[0]
        try:
            index = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            index = {}
        missing = [d for d in doc_ids if d not in index]
        if missing:
            index.update(self._build(commit, missing))
        return index

    def texts(self, doc_id: str) -> dict | None:
        """The decided version's Markdown (body, site and word renderings, src_path, titel), or None."""
        tag = self.tags().get(doc_id)
        if tag is None:
            return None
        for attempt in range(2):
            if tag.commit not in self._texts:
                try:
                    self._texts[tag.commit] = json.loads(self._paths(tag.commit)[1].read_text(encoding="utf-8"))
                except (OSError, ValueError):
                    self._texts[tag.commit] = {}
            if doc_id in self._texts[tag.commit]:
                return self._texts[tag.commit][doc_id]
            if attempt == 0:
                self._build(tag.commit, [doc_id])
        return None

    def comparisons(self, handbook: Handbook) -> dict[str, Comparison]:
        """Every document with a decision tag, compared with its rendering now."""
        if self._comparisons is not None:
            return self._comparisons
        tags = {i: t for i, t in self.tags().items() if i in handbook.dokument}
        by_commit: dict[str, list[str]] = {}
        for doc_id, tag in tags.items():
            by_commit.setdefault(tag.commit, []).append(doc_id)
        templates = self.root / "templates"
        out: dict[str, Comparison] = {}
        for commit, ids in sorted(by_commit.items()):
            index = self._index(commit, ids)
            for doc_id in ids:
                doc, entry, tag = handbook.dokument[doc_id], index.get(doc_id, {}), tags[doc_id]
                if "fel" in entry or not entry:
                    out[doc_id] = Comparison(doc, tag, False, (), entry.get("fel", "okänt fel"))
                    continue
                try:
                    now = render_site(handbook, templates, doc.src_path, doc.body)
                except Exception:
                    continue            # the check reports the macro's error
                if _sha(now) == entry["site"] and _sha(doc.body) == entry["body"]:
                    out[doc_id] = Comparison(doc, tag, False, ())
                    continue
                page = _sha(doc.body) != entry["body"]
                data = []
                for call, name in macro_calls(doc.body):
                    before = entry["calls"].get(call)
                    if before is not None and before != _sha(render_site(handbook, templates, doc.src_path, call)):
                        data.append(call_source(name, call))
                if not page and not data:
                    data.append("data/ (en källa som inte gick att peka ut)")
                out[doc_id] = Comparison(doc, tag, page, tuple(dict.fromkeys(data)))
        self._comparisons = out
        return out


def decided_index(handbook: Handbook) -> DecidedIndex | None:
    return handbook.extra.get("beslutat")       # type: ignore[return-value]


def comparisons(handbook: Handbook) -> dict[str, Comparison]:
    index = decided_index(handbook)
    return index.comparisons(handbook) if index else {}


def _load_index(project: load.Project, handbook: Handbook, problems: Problems) -> dict[str, object]:
    return {"beslutat": DecidedIndex(project.root)}


load.EXTRA_LOADERS.append(_load_index)


def is_changed_problem(message: str) -> bool:
    """A "changed since the decision" problem: it stops check and build under `stoppa`, but not the
    commands that resolve it (decide, export, tjansteskrivelse)."""
    return message.startswith(CHANGED_PREFIX)


def check_decided(handbook: Handbook, problems: Problems) -> None:
    """Report documents changed since their decision, by the kommun's rule (visa | varna | stoppa)."""
    rule = handbook.kommun.andringar_efter_beslut
    for c in comparisons(handbook).values():
        if c.failed:
            problems.warning(c.doc.file, None, f"Den beslutade versionen ({c.tag.name}) kunde inte jämföras: "
                                               f"{c.failed}")
            continue
        if not c.changed or rule == "visa":
            continue
        since = "den redaktionella ändringen" if c.tag.redaktionell else "beslutet"
        message = (f"{CHANGED_PREFIX}{since} {c.tag.datum.isoformat()} ({c.what()}). Det publicerade skiljer sig "
                   f"från det beslutade: besluta ändringen (styrdok decide {c.doc.id} …) eller, om den är "
                   f"redaktionell, registrera den (styrdok decide {c.doc.id} --redaktionell --skal \"…\").")
        problems.add(c.doc.file, None, message, severity="fel" if rule == "stoppa" else "varning",
                     code="andrat-efter-beslut")
