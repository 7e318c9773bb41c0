"""The web editor's configuration (Decap CMS config.yml), generated from the typed model and data/.

Nothing here is written by hand twice: the fields of each form are the fields of the pydantic file
shapes (`FrontMatter`, `AmneFil` …), required where the model requires them; ids that point into
data/ (roles, nämnder, organisation, documents, lagrum, processes, SOSFS paragraphs) become select
lists of what the loaded handbook holds; dates become date pickers. The messages for what the form
can refuse itself use the wording of `styrdok check` (see `messages`).
"""
from __future__ import annotations

import datetime as dt
import functools
import os
import re
import types
import typing
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any, Callable

from pydantic import BaseModel

from .. import model as m
from ..ledningssystem import model as lm
from ..problems import choices

DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
ID_PATTERN = r"^[a-z0-9][a-z0-9-]*$"
LOCAL_PORT = 8081


# --- what the form may refuse, in the words of `styrdok check` ------------------------------------

def msg_missing(key: str) -> str:
    """validation._message for kind 'missing' (Decap inserts the field's label for %{fieldLabel})."""
    return f"Fältet '{key}' saknas. Lägg till det (se dokumentationen i Om handboken)."


def msg_date() -> str:
    return ("Värdet är inget giltigt datum. Skriv datumet som år-månad-dag med siffror, t.ex. 2025-03-01.")


def msg_id() -> str:
    return ("Värdet är ingen giltig id. En id består av små bokstäver a–z, siffror och bindestreck, "
            "t.ex. 'lex-sarah'.")


def msg_unknown(what: str, source: str, ids) -> str:
    """load.py's message for an id that is not in data/ (e.g. "Rollen 'x' finns inte i data/roller.yml.")."""
    return f"{what} finns inte i {source}. Välj en av: {choices(ids)}."


# --- option sources: an id field's name -> the ids (and labels) it may take ------------------------

@dataclass(frozen=True)
class Source:
    key: str                  # its name in config.yml's styrdok_listor
    what: str                 # "Rollen", as load.py names it in its message
    where: str                # "data/roller.yml"
    options: tuple[tuple[str, str], ...]     # (id, label)


def sources(hb: m.Handbook) -> dict[str, Source]:
    """Select lists by field name, from the loaded handbook."""
    from ..ledningssystem.load import ledningssystem_of
    ls = ledningssystem_of(hb)
    roller = Source("roller", "Rollen", "data/roller.yml", tuple((r.id, r.namn) for r in hb.roller.values()))
    instanser = Source("instanser", "Instansen", "nämnderna i data/kommun.yml eller rollerna i data/roller.yml",
                       tuple((i.id, i.namn) for i in hb.instanser.values()))
    org = Source("org", "Organisationsenheten", "organisationen i data/kommun.yml",
                 tuple((o.id, f"{o.namn} ({o.niva})") for o in hb.org.values()))
    docs = Source("dokument", "Dokumentet", "handboken", tuple(sorted(((d.id, f"{d.titel} ({d.typ.namn.lower()})")
                                                          for d in hb.dokument.values()), key=lambda x: x[1])))
    lagrum = Source("lagrum", "Lagrummet", "data/lagrum.yml", tuple((lr.id, lr.namn) for lr in hb.lagrum.values()))
    typer = Source("typer", "Dokumenttypen", "data/kommun.yml",
                   tuple((t.id, t.namn) for t in hb.kommun.dokumenttyper.values()))
    sosfs = Source("sosfs", "Paragrafen", "data/sosfs-2011-9.yml",
                   tuple((p.id, f"{p.kapitel} kap. {p.paragraf}: {p.innebord[:60]}") for p in ls.sosfs))
    processer = Source("processer", "Processen", "data/processer.yml", tuple((p.id, p.namn) for p in ls.processer.values()))
    return {"dokumentansvarig": roller, "roll": roller, "roller": roller, "agare": roller, "ansvarig": roller,
            "beslutad_av": instanser, "instans": instanser, "rapporteras_till": instanser,
            "galler_for": org, "enhet": org, "organisation": org,
            "relaterade": docs, "rutiner": docs, "dokument": docs,
            "lagrum": lagrum, "typ": typer, "uppfyller": sosfs, "process": processer}


# --- labels ------------------------------------------------------------------------------------------

LABELS = {"titel": "Titel", "id": "Id", "taggar": "Taggar",
          "sammanfattning": "Sammanfattning", "beslut": "Beslut", "uppfyller": "Uppfyller i SOSFS 2011:9",
          "revidering_manader": "Revideringsintervall (månader)", "namn": "Namn", "ansvar": "Ansvar",
          "roll": "Roll", "uppgift": "Uppgift", "dokument": "Styrdokument", "beskrivning": "Beskrivning",
          "roller": "Roller", "rutiner": "Styrdokument", "agare": "Processägare", "syfte": "Syfte",
          "indata": "Indata", "utdata": "Utdata", "aktiviteter": "Aktiviteter",
          "samverkan_intern": "Samverkan inom kommunen", "samverkan_extern": "Samverkan med andra",
          "enhet": "Enhet", "ansvarig": "Ansvarig", "omraden": "Områden", "metoder": "Metoder",
          "ansvarig_niva": "Ansvarig nivå", "ar": "År", "organisation": "Organisation",
          "forbattringsomraden": "Förbättringsområden", "kvalitetsomrade": "Kvalitetsområde",
          "resultat": "Resultat", "processer": "Processer", "process": "Process", "risker": "Risker",
          "risk": "Risk", "egenkontroll": "Egenkontroll", "atgarder": "Åtgärder", "atgard": "Åtgärd",
          "status": "Status", "klart_senast": "Klart senast", "namndmoten": "Nämndmöten",
          "aktivitet": "Aktivitet", "frekvens": "Frekvens", "manader": "Månader (1–12)",
          "rapporteras_till": "Rapporteras till", "term": "Term", "definition": "Definition",
          "forkortning": "Förkortning", "synonymer": "Synonymer", "instans": "Instans", "datum": "Datum",
          "paragraf": "Paragraf", "andring": "Ändring", "typ": "Typ", "indata_": "Indata",
          "senast_reviderad": "Senast reviderad", "galler_fran": "Gäller från"}
LONG_TEXT = {"beskrivning", "syfte", "uppgift", "definition", "sammanfattning", "innebord", "risk",
             "egenkontroll", "resultat", "atgard"}
LITERAL_LABELS: dict[str, dict[str, str]] = {"typ": lm.PROCESS_TYPER, "kvalitetsomrade": lm.KVALITETSOMRADEN,
                                             "frekvens": lm.FREKVENSER, "omraden": lm.OMRADEN}


def _label(name: str, falt) -> str:
    """The kommun's own label for a header field (data/kommun.yml `falt`), else the editor's."""
    own = getattr(falt, name, None) if falt is not None else None
    if isinstance(own, str):
        return own
    if isinstance(falt, typing.Mapping) and isinstance(falt.get(name), str):
        return falt[name]
    return LABELS.get(name) or name.replace("_", " ").capitalize()


# --- pydantic annotation -> Decap widget --------------------------------------------------------

def _unwrap(ann):
    """(inner annotation, metadata list, optional?) without Optional/Annotated."""
    meta: list = []
    optional = False
    while True:
        origin = typing.get_origin(ann)
        if origin is typing.Annotated:
            args = typing.get_args(ann)
            ann, meta = args[0], meta + list(args[1:])
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(ann) if a is not type(None)]
            optional = optional or len(args) < len(typing.get_args(ann))
            ann = args[0]          # Text | dict (diarienummer): the form edits the simple form
        else:
            return ann, meta, optional


def allows_mapping(annotation) -> bool:
    """True for a field that is text or a mapping of ids to text (diarienummer)."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return any(typing.get_origin(_unwrap(a)[0]) is dict for a in typing.get_args(annotation))
    return False


def _pattern(meta) -> str | None:
    for item in meta:
        if getattr(item, "pattern", None):
            return item.pattern
    return None


def _bounds(meta) -> dict:
    out = {}
    for item in meta:
        for key in ("ge", "le", "min_length"):
            if getattr(item, key, None) is not None:
                out[key] = getattr(item, key)
    return out


def _select(name: str, src: Source, multiple: bool) -> dict:
    ids = tuple(i for i, _ in src.options)
    widget = {"widget": "select", "options": _options(src)}
    if multiple:
        widget["multiple"] = True
    # An id that is not among the options (written in git, or removed from data/ since) is refused
    # with the check's message; the select itself offers only known ids.
    if ids:
        widget["pattern"] = [known_ids_pattern(ids, multiple), msg_unknown(src.what, src.where, ids)]
    widget["_lista"] = src.key
    return widget


def compact(config: dict) -> dict:
    """config.yml as written: each select list once under `styrdok_listor`, fields naming it
    (`styrdok_lista: roller`). At 2,000 documents the lists written out per field made a 140 MB file;
    the editor script puts them back before Decap starts (styrdok-redigera.js, expandLists)."""
    lists: dict[str, dict] = {}

    def walk(value):
        if isinstance(value, list):
            return [walk(v) for v in value]
        if not isinstance(value, dict):
            return value
        if "_lista" in value:
            key = value["_lista"]
            multiple = bool(value.get("multiple"))
            entry = lists.setdefault(key, {"options": value["options"], "pattern": {}})
            if "pattern" in value:
                entry["pattern"]["flera" if multiple else "en"] = value["pattern"][0]
                entry["meddelande"] = value["pattern"][1]
            return {k: v for k, v in value.items() if k not in {"_lista", "options", "pattern"}} | \
                {"styrdok_lista": key}
        return {k: walk(v) for k, v in value.items()}

    out = walk(config)
    out["styrdok_listor"] = lists
    return out


def expand(config: dict) -> dict:
    """What the editor script makes of config.yml (for tests and for reading config.yml in Python)."""
    lists = config.get("styrdok_listor", {})

    def walk(value):
        if isinstance(value, list):
            return [walk(v) for v in value]
        if not isinstance(value, dict):
            return value
        if "styrdok_lista" in value:
            entry = lists[value["styrdok_lista"]]
            out = {k: v for k, v in value.items() if k != "styrdok_lista"}
            out["options"] = entry["options"]
            pattern = entry["pattern"].get("flera" if value.get("multiple") else "en")
            if pattern:
                out["pattern"] = [pattern, entry["meddelande"]]
            return out
        return {k: walk(v) for k, v in value.items()}

    return walk({k: v for k, v in config.items() if k != "styrdok_listor"})


@functools.lru_cache(maxsize=64)
def _options(src: Source) -> list[dict]:
    """One list per source, shared by every field that offers it (2,000 documents: 290 collections)."""
    return [{"value": i, "label": lbl} for i, lbl in src.options]


@functools.lru_cache(maxsize=64)
def known_ids_pattern(ids: tuple[str, ...], multiple: bool) -> str:
    """A regex the editor tests a select's value with: one known id, or (multiple) a list of them.

    Decap tests the pattern against the value as text: a list value reads `List [ "a", "b" ]`
    (Immutable.js), a default list reads `a,b`, a file's single value (`beslutad_av: socialchef`)
    reads `socialchef`.
    """
    one = "(?:" + "|".join(re.escape(i) for i in ids) + ")"
    if not multiple:
        return f"^{one}$"
    return f'^(?:{one}(?:,{one})*|List \\[ "{one}"(?:, "{one}")* \\])$'



def field_widget(name: str, info, srcs: dict[str, Source], falt=None) -> dict:
    """One Decap field for one pydantic field."""
    ann, meta, optional = _unwrap(info.annotation)
    meta = meta + list(info.metadata)
    required = info.is_required()
    bounds = _bounds(meta)
    out: dict[str, Any] = {"name": name, "label": _label(name, falt)}
    if info.description:
        out["hint"] = info.description
    origin = typing.get_origin(ann)
    if origin is tuple:                                   # lists
        item, item_meta, _ = _unwrap(typing.get_args(ann)[0])
        if isinstance(item, type) and issubclass(item, BaseModel):
            out.update(widget="list", fields=model_fields(item, srcs, falt))
            out["summary"] = "{{fields." + _summary_field(item) + "}}"
            out["collapsed"] = False          # inside a record: show its parts when the record is open
        elif name in srcs:
            out.update(_select(name, srcs[name], multiple=True))
        elif item is int:
            out.update(widget="list", field={"name": "varde", "label": "Värde", "widget": "number",
                                             "value_type": "int", "min": 1, "max": 12})
        elif item is dt.date:
            out.update(widget="list", field={"name": "datum", "label": "Datum", **_date_widget()})
        else:
            out.update(widget="list")
        if bounds.get("min_length"):
            out["min"] = bounds["min_length"]
        required = required and bool(bounds.get("min_length"))
    elif isinstance(ann, type) and issubclass(ann, BaseModel):
        fields = model_fields(ann, srcs, falt)
        labels = LITERAL_LABELS.get(name, {})
        for f in fields:
            if f["name"] in labels:
                f["label"] = labels[f["name"]]
        out.update(widget="object", fields=fields, collapsed=False)
    elif origin is typing.Literal:
        values = typing.get_args(ann)
        labels = LITERAL_LABELS.get(name, {})
        out.update(widget="select", options=[{"value": v, "label": labels.get(v, v)} for v in values])
        if info.default not in (None, ...) and not required and isinstance(info.default, str):
            out["default"] = info.default
    elif ann is dt.date:
        out.update(_date_widget())
    elif ann is int:
        out.update(widget="number", value_type="int")
        if "ge" in bounds:
            out["min"] = bounds["ge"]
        if "le" in bounds:
            out["max"] = bounds["le"]
        if isinstance(info.default, int):
            out["default"] = info.default
    elif allows_mapping(info.annotation):
        # "SOF 2025/94", or one per nämnd ({socialnamnden: SN 2025/41}): the form shows the per-nämnd
        # form as lines "socialnamnden: SN 2025/41" and its format writes them back as a mapping.
        out["widget"] = "text"
        out["hint"] = (out.get("hint", "") + " Ett per nämnd: en rad per nämnd, t.ex. 'socialnamnden: SN 2025/41'."
                       ).strip()
    elif name in srcs and _pattern(meta) == ID_PATTERN:
        out.update(_select(name, srcs[name], multiple=False))
    else:
        out["widget"] = "text" if name in LONG_TEXT else "string"
        if _pattern(meta) == ID_PATTERN:
            out["pattern"] = [ID_PATTERN, msg_id()]
    out["required"] = bool(required) and not optional
    return out


def _summary_field(model: type[BaseModel]) -> str:
    """The field that names a record in a collapsed list: its name or title, else its first field."""
    for name in ("namn", "term", "titel", "aktivitet", "risk", "atgard", "uppgift"):
        if name in model.model_fields:
            return name
    return next(iter(model.model_fields))


def _date_widget() -> dict:
    return {"widget": "datetime", "format": "YYYY-MM-DD", "date_format": "YYYY-MM-DD", "time_format": False,
            "picker_utc": True, "pattern": [DATE_PATTERN, msg_date()]}


def model_fields(model: type[BaseModel], srcs: dict[str, Source], falt=None) -> list[dict]:
    return [field_widget(n, f, srcs, falt) for n, f in model.model_fields.items()]


# --- collections ---------------------------------------------------------------------------------

def type_folders(hb: m.Handbook) -> dict[str, list[str]]:
    """Document type -> docs/ folders (docs-relative) its documents live in; the first is where a new
    one is made (the folder `styrdok new` uses)."""
    from ..control import slugify
    out: dict[str, list[str]] = {}
    for typ in hb.kommun.dokumenttyper.values():
        paths = sorted(d.src_path for d in hb.dokument.values() if d.typ.id == typ.id)
        folders = list(dict.fromkeys(str(PurePosixPath(p).parent) for p in paths))
        out[typ.id] = folders or [f"styrdokument/{slugify(typ.plural)}"]
    return out


def document_collections(hb: m.Handbook, srcs: dict[str, Source]) -> list[dict]:
    falt = hb.kommun.falt
    out = []
    for typ in sorted(hb.kommun.dokumenttyper.values(), key=lambda t: (t.niva, t.namn)):
        for n, folder in enumerate(type_folders(hb)[typ.id]):
            fields = []
            for f in _with_parts(model_fields(m.FrontMatter, srcs, falt), m.FrontMatter, falt):
                if f["name"] == "id":
                    f["label"] = "Id (lämnas det tomt används filnamnet)"
                elif f["name"] == "typ":
                    f = {"name": "typ", "label": _label("typ", falt), "widget": "hidden", "default": typ.id}
                elif f["name"] == "beslut":
                    # Decisions are recorded by `styrdok decide` (commit and tag), never in the form.
                    f = {"name": "beslut", "label": "Beslut", "widget": "hidden"}
                elif f["name"] == "beslutad_av":
                    f["default"] = [typ.beslutas_av[0].id]      # as `styrdok new` does
                elif f["name"] == "dokumentansvarig" and "sas" in hb.roller:
                    f["default"] = "sas"
                fields.append(f)
            fields += own_fields(hb, srcs)
            fields.append({"name": "body", "label": "Text", "widget": "markdown", "modes": ["raw"],
                           "hint": "Markdown. Makron som {{ ansvar(\"avvikelser\") }} visas som platshållare "
                                   "i förhandsvisningen och fylls i när handboken byggs."})
            out.append({
                "name": typ.id if n == 0 else f"{typ.id}-{n + 1}",
                "label": typ.plural if n == 0 else f"{typ.plural} ({folder})",
                "label_singular": typ.namn,
                "folder": f"docs/{folder}", "extension": "md", "format": "styrdok-md", "create": True,
                "filter": {"field": "typ", "value": typ.id},
                "identifier_field": "titel", "slug": "{{slug}}", "summary": "{{titel}}",
                "description": f"{typ.plural} beslutas av "
                               f"{', '.join(i.namn for i in typ.beslutas_av)}.",
                "fields": fields,
            })
    return out


PART = "__"          # form-only key of a part: dokumentansvarig__namn (joined again by the editor's format)


def object_parts(model: type[BaseModel]) -> dict[str, dict[str, str]]:
    """Fields that are an id or an object with that id and more ({roll: sas, namn: …}): field -> the
    object's id key and its other keys. The form shows the id as a select and the rest beside it."""
    out = {}
    for name, info in model.model_fields.items():
        if typing.get_origin(info.annotation) not in (typing.Union, types.UnionType):
            continue
        for arg in typing.get_args(info.annotation):
            inner = _unwrap(arg)[0]
            if isinstance(inner, type) and issubclass(inner, BaseModel):
                keys = list(inner.model_fields)
                out[name] = {"id": keys[0], "rest": keys[1:], "model": inner}
    return out


def _with_parts(fields: list[dict], model: type[BaseModel], falt) -> list[dict]:
    parts = object_parts(model)
    out = []
    for f in fields:
        out.append(f)
        for key in parts.get(f["name"], {}).get("rest", ()):
            info = parts[f["name"]]["model"].model_fields[key]
            out.append({"name": f"{f['name']}{PART}{key}", "label": f"{f['label']}: {_label(key, None).lower()}",
                        "widget": "string", "required": False,
                        **({"hint": info.description} if info.description else {})})
    return out


def own_fields(hb: m.Handbook, srcs: dict[str, Source]) -> list[dict]:
    """The kommun's own header fields (egna_falt in data/kommun.yml): front-matter keys of their own."""
    out = []
    for f in getattr(hb.kommun, "egna_falt", {}).values():
        field: dict[str, Any] = {"name": f.id, "label": f.etikett, "required": False}
        if f.beskrivning:
            field["hint"] = f.beskrivning
        if f.typ == "datum":
            field.update(_date_widget())
        elif f.typ == "roll":
            field.update(_select(f.id, srcs["roll"], multiple=False))
        elif f.typ == "dokument":
            field.update(_select(f.id, srcs["dokument"], multiple=False))
        else:                      # text; process: an id in data/processer.yml or text
            field["widget"] = "string"
        out.append(field)
    return out


@dataclass(frozen=True)
class DataFile:
    name: str
    label: str
    path: str                       # root-relative file, or folder for a folder collection
    model: type[BaseModel]
    root_list: bool = False         # the file is a YAML list (Decap edits it under the key `poster`)
    identifier: str | None = None   # folder collections: the field that names a file


DATA_FILES: tuple[DataFile, ...] = (
    DataFile("ansvar", "Ansvarsfördelning", "data/ansvar.yml", lm.AmneFil, root_list=True),
    DataFile("processer", "Processer", "data/processer.yml", lm.ProcessFil, root_list=True),
    DataFile("data-enheter", "Enheternas ledningssystem", "data/enheter", lm.EnhetLsFil, identifier="enhet"),
    DataFile("data-kvalitetsplaner", "Kvalitetsplaner (data)", "data/kvalitetsplaner", lm.KvalitetsplanFil, identifier="id"),
    DataFile("arshjul", "Årshjul", "data/arshjul.yml", lm.ArshjulFil),
    DataFile("begrepp", "Begrepp", "data/begrepp.yml", m.Begrepp, root_list=True),
    DataFile("roller", "Roller", "data/roller.yml", m.Roll, root_list=True),
)
LIST_KEY = "poster"
DATA_COLLECTION = "data"          # the data files above that are single files


def data_collections(srcs: dict[str, Source], falt=None) -> list[dict]:
    files, folders = [], []
    for df in DATA_FILES:
        fields = model_fields(df.model, srcs, falt)
        if df.identifier:
            folders.append({"name": df.name, "label": df.label, "folder": df.path, "extension": "yml",
                            "format": "styrdok-yaml", "create": True, "identifier_field": df.identifier,
                            "slug": "{{" + df.identifier + "}}", "summary": "{{" + df.identifier + "}}",
                            # files named _*.yml are templates (data/enheter/_mall.yml): not entries
                            "filter": {"field": df.identifier, "pattern": "^[a-z0-9]"},
                            "fields": fields})
        else:
            if df.root_list:
                fields = [{"name": LIST_KEY, "label": df.label, "widget": "list", "fields": fields,
                           "summary": "{{fields." + _summary_field(df.model) + "}}", "collapsed": True}]
            files.append({"name": df.name, "label": df.label, "file": df.path, "format": "styrdok-yaml",
                          "fields": fields})
    return [{"name": DATA_COLLECTION, "label": "Ledningssystemet (data)", "files": files, "format": "styrdok-yaml",
             "extension": "yml"}] + folders


def page_collection(hb: m.Handbook) -> dict | None:
    """Ordinary pages (no `typ`): title and text; other front-matter keys are kept as they are."""
    pages = sorted(src for src in hb.pages if hb.dokument_by_path(src) is None)
    if not pages:
        return None
    files = [{"name": page_entry(src), "label": hb.pages[src].title or src, "file": f"docs/{src}",
              "fields": [{"name": "title", "label": "Rubrik", "widget": "string", "required": False},
                         {"name": "body", "label": "Text", "widget": "markdown", "modes": ["raw"]}]}
             for src in pages]
    return {"name": "sidor", "label": "Övriga sidor", "format": "styrdok-md", "extension": "md", "files": files}


def page_entry(src_path: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", src_path[:-3].lower()).strip("-") or "start"


# Environment variables config.yml depends on besides STYRDOK_* (GitLab CI's own): part of the build memo's key.
ENV_KEYS = ("CI_SERVER_URL", "CI_PROJECT_PATH", "CI_DEFAULT_BRANCH")


def backend(env: typing.Mapping[str, str]) -> dict:
    """The kommun's GitLab: in GitLab CI from its own variables, elsewhere from STYRDOK_GITLAB_*."""
    url = (env.get("STYRDOK_GITLAB_URL") or env.get("CI_SERVER_URL") or "").rstrip("/")
    out = {"name": "gitlab", "repo": env.get("STYRDOK_GITLAB_REPO") or env.get("CI_PROJECT_PATH") or "kommunen/handbok",
           "branch": env.get("STYRDOK_GITLAB_BRANCH") or env.get("CI_DEFAULT_BRANCH") or "main",
           "squash_merges": False, "cms_label_prefix": "redigera/",
           "commit_messages": {
               "create": "Ny {{collection}}: {{slug}} (webbredigeraren)",
               "update": "Ändrat {{collection}}: {{slug}} (webbredigeraren)",
               "delete": "Tagit bort {{collection}}: {{slug}} (webbredigeraren)",
               "uploadMedia": "Ny bild {{path}} (webbredigeraren)",
               "deleteMedia": "Tagit bort bild {{path}} (webbredigeraren)"}}
    if url:
        out.update(api_root=f"{url}/api/v4", base_url=url, auth_endpoint="oauth/authorize")
    if env.get("STYRDOK_GITLAB_APP_ID"):
        out.update(auth_type="pkce", app_id=env["STYRDOK_GITLAB_APP_ID"])
    return out


def editor_config(hb: m.Handbook, env: typing.Mapping[str, str] | None = None) -> dict:
    """The whole config.yml, as data."""
    env = os.environ if env is None else env
    srcs = sources(hb)
    port = int(env.get("STYRDOK_REDIGERA_PORT") or LOCAL_PORT)
    collections = document_collections(hb, srcs) + data_collections(srcs, hb.kommun.falt)
    pages = page_collection(hb)
    if pages:
        collections.append(pages)
    return {
        "locale": "sv",
        "backend": backend(env),
        # On 127.0.0.1 the editor talks to decap-server over the working copy (make redigera, tests).
        "local_backend": {"url": f"http://127.0.0.1:{port}/api/v1", "allowed_hosts": ["127.0.0.1", "localhost"]},
        "publish_mode": "editorial_workflow",
        "media_folder": "docs/assets/bilder",
        "public_folder": "/assets/bilder",
        "site_url": "../",
        "display_url": "../",
        "logo_url": "../" + hb.kommun.logotyp if hb.kommun.logotyp else None,
        "search": True,
        "omit_empty_optional_fields": True,
        "slug": {"encoding": "ascii", "clean_accents": True, "sanitize_replacement": "-"},
        "editor": {"preview": True},
        "collections": collections,
    }


def edit_fragment(hb: m.Handbook, src_path: str) -> str | None:
    """The editor's address (after #) of what produces the page at src_path, or None."""
    return hb.derived("editor_links", lambda: edit_fragments(hb)).get(src_path)


def edit_fragments(hb: m.Handbook) -> dict[str, str]:
    """Page (docs-relative path) -> the editor entry that produces it: a document its own file, a
    generated page the data file it is made from (Mitt ansvar: ansvar, a process: processer …)."""
    from ..ledningssystem.load import ledningssystem_of
    from ..ledningssystem.pages import mitt_ansvar_path
    out = {src: f"/collections/sidor/entries/{page_entry(src)}" for src in hb.pages}
    ls = ledningssystem_of(hb)
    for roll in hb.roller:
        out[mitt_ansvar_path(roll)] = f"/collections/{DATA_COLLECTION}/entries/ansvar"
    for p in ls.processer.values():
        out[p.src_path] = f"/collections/{DATA_COLLECTION}/entries/processer"
    for e in ls.enheter.values():
        out[e.src_path] = f"/collections/data-enheter/entries/{PurePosixPath(e.file).stem}"
    folders = type_folders(hb)
    for doc in hb.dokument.values():
        folder = str(PurePosixPath(doc.src_path).parent)
        n = folders[doc.typ.id].index(folder) if folder in folders[doc.typ.id] else 0
        name = doc.typ.id if n == 0 else f"{doc.typ.id}-{n + 1}"
        out[doc.src_path] = f"/collections/{name}/entries/{PurePosixPath(doc.src_path).stem}"
    return out
