"""The document header: one definition (data/kommun.yml `dokumenthuvud`), rendered by the site card
(overrides/partials/styrdok-kort.html) and the Word header (export/documents.py) alike.

A row shows one field (`falt`) or combines fields through a format ("{beslutad.datum}[ § {beslutad.paragraf}]":
text in [ ] is shown only when every field in it has a value). The values follow the decisions: beslutad av,
date, § and dnr come from the latest entry in front matter `beslut:`; the front matter fields beslutad_av and
diarienummer are for documents decided before the handbook. "Senast reviderad" is the latest decision or
recorded review, never a commit date ("Senast ändrad" is the commit date).
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Callable, Mapping

from . import model as m
from .formatting import datum
from .problems import Problems, choices
from .yamlio import LineMap

# Built-in fields and their parts ({falt.del} in a format). Kommun-defined fields (egna_falt) have none.
BUILTIN: dict[str, tuple[str, ...]] = {
    "titel": (), "typ": (), "version": (), "beslutad_av": (), "diarienummer": (),
    "beslutad": ("datum", "paragraf", "av", "diarienummer"), "beslutsdatum": (),
    "antagen": ("datum", "paragraf", "av", "diarienummer"),
    "galler_fran": (), "giltighet": (), "dokumentansvarig": ("roll", "namn"),
    "upprattad": ("datum", "av"), "reviderad": ("datum", "av"), "senast_reviderad": (), "senast_andrad": (),
    "nasta_revidering": (), "revideras": (), "foljs_upp": (), "process": (), "galler_for": (),
    "ersatter": (), "relaterade": (), "lagrum": (),
}

# The header of a kommun that defines none: today's rows, plus the decision's date and § when there is one.
DEFAULT_ROWS: tuple[m.HuvudRadFil, ...] = tuple(
    m.HuvudRadFil(falt=f, visa_tom=(f == "senast_reviderad")) for f in (
        "typ", "version", "beslutad_av", "diarienummer", "beslutsdatum", "galler_fran", "giltighet",
        "dokumentansvarig", "upprattad", "senast_reviderad", "nasta_revidering", "foljs_upp", "process",
        "galler_for", "ersatter", "relaterade", "lagrum"))
# The rows the site's card shows at once (the rest behind "Visa alla uppgifter") when the kommun's
# dokumenthuvud names none under `kompakt`: enough to know what the document is and who answers for it.
DEFAULT_COMPACT: tuple[str, ...] = ("typ", "beslutad_av", "beslutad", "galler_fran", "dokumentansvarig")
# How a field with parts reads when a row shows it without a format.
DEFAULT_FORMATS = {
    "beslutad": "{beslutad.datum}[ § {beslutad.paragraf}][, {beslutad.av}]",
    "antagen": "{antagen.datum}[ § {antagen.paragraf}][, {antagen.av}]",
    "upprattad": "{upprattad.datum}[, {upprattad.av}]",
    "reviderad": "{reviderad.datum}[, {reviderad.av}]",
    "dokumentansvarig": "{dokumentansvarig.roll}[ ({dokumentansvarig.namn})]",
}
EMPTY = "–"
_PLACEHOLDER = re.compile(r"\{([a-z0-9_]+)(?:\.([a-z0-9_]+))?\}")


@dataclass(frozen=True)
class Item:
    """One value in a row: text, a page of the handbook it links to, a mark shown after it ("upphävd")."""

    text: str
    src_path: str | None = None
    markering: str | None = None

    @property
    def plain(self) -> str:
        return f"{self.text} ({self.markering})" if self.markering else self.text


@dataclass(frozen=True)
class Value:
    items: tuple[Item, ...] = ()
    parts: Mapping[str, str] = None    # for {falt.del}
    sep: str = ", "

    @property
    def text(self) -> str:
        return self.sep.join(i.plain for i in self.items)


@dataclass(frozen=True)
class HeaderRow:
    etikett: str
    items: tuple[Item, ...]
    sep: str = ", "
    falt: str | None = None
    forsenad: bool = False        # the review date has passed
    kompakt: bool = False         # the site's card shows it at once (dokumenthuvud.kompakt); Word shows all

    @property
    def text(self) -> str:
        """The row's value as plain text: what Word shows and what the card reads as."""
        return self.sep.join(i.plain for i in self.items)


# --- the definition ---------------------------------------------------------------------------------

def field_ids(kommun_egna: Mapping[str, m.EgetFaltFil]) -> dict[str, tuple[str, ...]]:
    return {**BUILTIN, **{k: () for k in kommun_egna}}


def validate_definition(fil: m.KommunFil, rel: str, lines: LineMap, problems: Problems,
                        front_matter_keys: set[str]) -> None:
    """Every row names a known field and part; own fields don't shadow front matter keys."""
    for i, eget in enumerate(fil.egna_falt):
        if eget.id in front_matter_keys or eget.id in BUILTIN:
            problems.error(rel, lines.line(("egna_falt", i, "id")),
                           f"Det egna fältet '{eget.id}' har samma namn som ett inbyggt fält. Ge det en annan id.",
                           key=f"egna_falt[{i}].id")
    known = field_ids({e.id: e for e in fil.egna_falt})
    typer = {t.id for t in fil.dokumenttyper}
    groups = [(("dokumenthuvud", "standard"), fil.dokumenthuvud.standard or ())]
    for typ, rows in fil.dokumenthuvud.typer.items():
        if typ not in typer:
            problems.error(rel, lines.line(("dokumenthuvud", "typer", typ)),
                           f"Dokumenttypen '{typ}' finns inte under dokumenttyper. Välj en av: {choices(typer)}.",
                           key=f"dokumenthuvud.typer.{typ}")
        groups.append((("dokumenthuvud", "typer", typ), rows))
    labels = ({row.etikett for _path, rows in groups for row in rows if row.etikett}
              | set(fil.falt.model_dump().values()) | {e.etikett for e in fil.egna_falt})
    for i, name in enumerate(fil.dokumenthuvud.kompakt or ()):
        if name not in known and name not in labels:
            problems.error(rel, lines.line(("dokumenthuvud", "kompakt", i)),
                           f"'{name}' under dokumenthuvud.kompakt är varken ett fält eller en etikett i "
                           f"dokumenthuvudet. Välj ett fält: {choices(known)}.", key=f"dokumenthuvud.kompakt[{i}]")
    for path, rows in groups:
        for j, row in enumerate(rows):
            where = path + (j,)
            key = ".".join(str(x) for x in path) + f"[{j}]"
            if (row.falt is None) == (row.format is None):
                problems.error(rel, lines.line(where), "En rad i dokumenthuvudet anger antingen falt eller format "
                                                       "(inte båda, inte ingen).", key=key)
                continue
            if row.format is not None and not row.etikett:
                problems.error(rel, lines.line(where), "En rad med format behöver en etikett.", key=key)
            names = ([(row.falt, None)] if row.falt else
                     [(a, b or None) for a, b in _PLACEHOLDER.findall(row.format)])
            if row.format is not None and not names:
                problems.error(rel, lines.line(where + ("format",)),
                               f"Formatet '{row.format}' nämner inget fält. Skriv fälten inom klamrar, "
                               "t.ex. '{beslutad.datum} § {beslutad.paragraf}'.", key=key + ".format")
            for name, part in names:
                if name not in known:
                    problems.error(rel, lines.line(where + ("format" if row.format else "falt",)),
                                   f"Fältet '{name}' finns inte. Välj ett inbyggt fält eller ett under egna_falt: "
                                   f"{choices(known)}.", key=key)
                elif part and part not in known[name]:
                    parts = ", ".join(known[name]) or "(fältet har inga delar)"
                    problems.error(rel, lines.line(where + ("format",)),
                                   f"Fältet '{name}' har ingen del '{part}'. Delar: {parts}.", key=key + ".format")


def is_compact(row: m.HuvudRadFil, label: str, names: tuple[str, ...]) -> bool:
    """Whether the card shows the row at once: its field or its label is named, or (a row combining
    fields) one of its fields."""
    if label in names or (row.falt is not None and row.falt in names):
        return True
    return row.format is not None and any(a in names for a, _b in _PLACEHOLDER.findall(row.format))


def rows_for(kommun: m.Kommun, typ_id: str) -> tuple[m.HuvudRadFil, ...]:
    head = kommun.dokumenthuvud
    return head.typer.get(typ_id) or head.standard or DEFAULT_ROWS


# --- the values -------------------------------------------------------------------------------------

def _text(value) -> Value:
    if value is None or value == "":
        return Value()
    return Value((Item(datum(value) if isinstance(value, dt.date) else str(value)),))


def _paragraf(text: str | None) -> str | None:
    return text.strip().lstrip("§").strip() or None if text else None


def _deciders(doc: m.Styrdokument) -> list[tuple[m.Instans, m.Beslut | None]]:
    """Who decided the document as it stands, each with its latest decision.

    The latest decision's instans; for a document several nämnder decide jointly (beslutad_av lists
    them and the latest decision is one of theirs) each of them with its own latest decision. Without
    a decision, the front matter's beslutad_av (decided before the handbook).
    """
    latest = doc.senaste_beslut
    if latest is None:
        return [(i, None) for i in doc.beslutad_av]
    ids = [i.id for i in doc.beslutad_av]
    if len(ids) > 1 and latest.instans.id in ids:
        last = {b.instans.id: b for b in doc.beslut if not b.redaktionell}
        return [(i, last.get(i.id)) for i in doc.beslutad_av]
    return [(latest.instans, latest)]


def _dnr_items(doc: m.Styrdokument) -> tuple[Item, ...]:
    """One diarienummer per deciding instans: its latest decision's, else the front matter's."""
    deciders = _deciders(doc)
    out = []
    for inst, b in deciders:
        nummer = b.diarienummer if b is not None and b.diarienummer else next(
            (n.nummer for n in doc.diarienummer if n.instans is None or n.instans.id == inst.id
             or len(doc.diarienummer) == 1), None)
        if nummer and nummer not in [i.text.split(" (")[0] for i in out]:
            out.append(Item(f"{nummer} ({inst.namn})" if len(deciders) > 1 else nummer))
    return tuple(out)


def _decided(doc: m.Styrdokument) -> dict[str, str]:
    """Beslutad: from the latest decision, else the front matter (a decision before the handbook)."""
    b = doc.senaste_beslut
    return {"datum": datum(b.datum) if b else "", "paragraf": (_paragraf(b.paragraf) or "") if b else "",
            "av": ", ".join(i.namn for i, _b in _deciders(doc)),
            "diarienummer": "; ".join(i.text for i in _dnr_items(doc))}


def _adopted(doc: m.Styrdokument) -> dict[str, str]:
    """Antagen: the decision that adopted the document (the first 'ny', else the first decision);
    without decisions the front matter, as for beslutad."""
    real = [b for b in doc.beslut if not b.redaktionell]
    b = next((x for x in real if x.andring == "ny"), real[0] if real else None)
    if b is None:
        return _decided(doc)
    return {"datum": datum(b.datum), "paragraf": _paragraf(b.paragraf) or "", "av": b.instans.namn,
            "diarienummer": b.diarienummer or ""}


def senast_reviderad(doc: m.Styrdokument) -> dt.date | None:
    """The latest decision (of any kind but editorial) or recorded review; never a commit date."""
    dates = [b.datum for b in doc.beslut if b.andring != "redaktionell"]
    dates += [d for d in (doc.senast_reviderad, doc.reviderad.datum if doc.reviderad else None) if d]
    return max(dates) if dates else None


def _revised(doc: m.Styrdokument) -> dict[str, str]:
    day = senast_reviderad(doc)
    if day is None:
        return {"datum": "", "av": ""}
    by = next((b.instans.namn for b in reversed(doc.beslut) if b.datum == day and b.andring != "redaktionell"),
              None)
    if by is None and doc.reviderad and doc.reviderad.datum == day:
        by = doc.reviderad.av
    return {"datum": datum(day), "av": by or ""}


def _months(n: int) -> str:
    if n % 12 == 0:
        years = n // 12
        return {1: "Varje år", 2: "Vartannat år"}.get(years, f"Vart {years}:e år")
    return f"Var {n}:e månad"


def _process(hb: m.Handbook, ref: str | None) -> Value:
    if not ref:
        return Value()
    ls = hb.extra.get("ledningssystem")
    proc = getattr(ls, "processer", {}).get(ref) if ls is not None else None
    return Value((Item(proc.namn, proc.src_path),)) if proc is not None else _text(ref)


def field_value(hb: m.Handbook, doc: m.Styrdokument, falt: str, *, today: dt.date,
                senast_andrad: dt.date | None = None) -> Value:
    """The value of one field of a document, with its parts for formats."""
    if falt in hb.kommun.egna_falt:
        value = doc.egna.get(falt)
        if isinstance(value, m.DocRef):
            return Value((Item(value.titel, value.src_path),))
        if hb.kommun.egna_falt[falt].typ == "process":
            return _process(hb, value)
        return _text(getattr(value, "namn", value))
    if falt in ("beslutad", "antagen"):
        parts = _decided(doc) if falt == "beslutad" else _adopted(doc)
        return Value((Item(format_text(DEFAULT_FORMATS[falt], {falt: parts})),) if parts["datum"]
                     or parts["av"] else (), parts)
    if falt in ("upprattad", "reviderad"):
        parts = _revised(doc) if falt == "reviderad" else {
            "datum": datum(doc.upprattad.datum) if doc.upprattad and doc.upprattad.datum else "",
            "av": (doc.upprattad.av or "") if doc.upprattad else ""}
        text = format_text(DEFAULT_FORMATS[falt], {falt: parts}) if parts["datum"] else parts["av"]
        return Value((Item(text),) if text else (), parts)
    if falt == "dokumentansvarig":
        parts = {"roll": doc.dokumentansvarig.namn, "namn": doc.dokumentansvarig_namn or ""}
        return Value((Item(format_text(DEFAULT_FORMATS[falt], {falt: parts})),), parts)
    simple: dict[str, Callable[[], Value]] = {
        "titel": lambda: _text(doc.titel),
        "typ": lambda: _text(doc.typ.namn),
        "version": lambda: _text(doc.version),
        "beslutad_av": lambda: Value(tuple(Item(i.namn) for i, _b in _deciders(doc))),
        "diarienummer": lambda: Value(_dnr_items(doc), sep="; "),
        "beslutsdatum": lambda: _text(_decided(doc)["datum"] + (f" § {_decided(doc)['paragraf']}"
                                                                if _decided(doc)["paragraf"] else "")),
        "galler_fran": lambda: _text(doc.galler_fran),
        "giltighet": lambda: _text(doc.giltighet),
        "senast_reviderad": lambda: _text(senast_reviderad(doc)),
        "senast_andrad": lambda: _text(senast_andrad),
        "nasta_revidering": lambda: _text(doc.nasta_revidering),
        "revideras": lambda: _text(doc.revideras or _months(doc.revidering_manader)),
        "foljs_upp": lambda: _text(doc.foljs_upp),
        "process": lambda: _process(hb, doc.process),
        "galler_for": lambda: Value(tuple(Item(o.namn) for o in doc.galler_for)),
        "ersatter": lambda: (Value((Item(doc.ersatter_dok.titel, doc.ersatter_dok.src_path),))
                             if doc.ersatter_dok else _text(doc.ersatter)),
        "relaterade": lambda: Value(tuple(Item(r.titel, r.src_path) for r in doc.relaterade), sep="; "),
        "lagrum": lambda: Value(tuple(Item(lr.namn, None, "upphävd" if lr.status == "upphävd" else None)
                                      for lr in doc.lagrum), sep="; "),
    }
    return simple[falt]()


def format_text(fmt: str, values: Mapping[str, Mapping[str, str] | str]) -> str:
    """Fill {falt} / {falt.del}; a [ … ] group is left out when a field in it is empty."""
    def fill(text: str) -> tuple[str, bool]:
        empty = False

        def one(mo):
            nonlocal empty
            v = values.get(mo.group(1), "")
            v = (v.get(mo.group(2), "") if isinstance(v, Mapping) else "") if mo.group(2) else (
                v if isinstance(v, str) else "")
            empty = empty or not v
            return v
        return _PLACEHOLDER.sub(one, text), empty

    out = []
    for optional, plain in re.findall(r"\[([^\]]*)\]|([^\[]+)", fmt):
        if optional:
            text, empty = fill(optional)
            if not empty:
                out.append(text)
        else:
            out.append(fill(plain)[0])
    return "".join(out).strip().strip(",").strip()


def header_rows(hb: m.Handbook, doc: m.Styrdokument, *, today: dt.date,
                senast_andrad: dt.date | None = None) -> list[HeaderRow]:
    """The rows of a document's header, in the kommun's order: what the card and the Word header show."""
    labels = hb.kommun.falt
    out: list[HeaderRow] = []
    overdue = doc.nasta_revidering < today
    compact = hb.kommun.dokumenthuvud.kompakt or DEFAULT_COMPACT
    for row in rows_for(hb.kommun, doc.typ.id):
        if row.format is not None:
            names = {a for a, _b in _PLACEHOLDER.findall(row.format)}
            values = {}
            for name in names:
                v = field_value(hb, doc, name, today=today, senast_andrad=senast_andrad)
                values[name] = dict(v.parts) if v.parts is not None else v.text
            text = format_text(row.format, values)
            items = (Item(text),) if text else ()
            falt, sep = None, ", "
        else:
            falt = row.falt
            v = field_value(hb, doc, falt, today=today, senast_andrad=senast_andrad)
            items, sep = v.items, v.sep
        label = row.etikett or (hb.kommun.egna_falt[falt].etikett if falt in hb.kommun.egna_falt
                                else getattr(labels, falt))
        late = overdue and falt == "nasta_revidering"
        if late:
            items = (Item(f"Revideringen är försenad sedan {datum(doc.nasta_revidering)}"),)
        if not items and not row.visa_tom:
            continue
        out.append(HeaderRow(label, items or (Item(EMPTY),), sep, falt, late, late or is_compact(row, label, compact)))
    if overdue and not any(r.forsenad for r in out):
        out.append(HeaderRow(labels.nasta_revidering,
                             (Item(f"Revideringen är försenad sedan {datum(doc.nasta_revidering)}"),),
                             falt="nasta_revidering", forsenad=True, kompakt=True))
    return out
