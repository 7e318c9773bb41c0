"""One form field of the web editor per model field: what the form may refuse (in the words of
`styrdok check`), where an id field's choices come from, labels, and the Decap widget for a
pydantic annotation (`field_widget`, `model_fields`). styrdok.editor.config puts them together
into collections."""
from __future__ import annotations

import datetime as dt
import functools
import re
import types
import typing
from dataclasses import dataclass
from typing import Any

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
