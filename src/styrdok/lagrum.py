"""References to laws and regulations written in a document's text ("SOSFS 2006:11",
"socialtjänstlagen (2001:453)"), found by their number and matched to data/lagrum.yml.

A number is read as "YYYY:N" with the series named just before it ("SOSFS", "HSLF-FS"); a number
without a series, or after "SFS", is a Svensk författningssamling number. "2011:09" is 2011:9.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Mapping

from .model import Lagrum

# A number is found from its colon (a literal the regex engine scans for fast; a pattern starting with
# \d and a lookbehind read 5 MB/s, a third of loading 2,000 documents); the year is checked by hand.
_AFTER_COLON = re.compile(r":0*(\d{1,4})(?![\d:])")
_SERIES_BEFORE = re.compile(r"([A-ZÅÄÖ][A-ZÅÄÖ-]*FS)\s*(?:nr\.?\s*)?$")
_BETECKNING = re.compile(r"^\s*(?:([A-ZÅÄÖ][A-ZÅÄÖ-]*FS)\s+)?(\d{4}):0*(\d{1,4})\s*$")


@dataclass(frozen=True)
class TextReference:
    lagrum: Lagrum
    line: int            # 0-based line in the text
    written: str         # as the text writes it, e.g. "SOSFS 2006:11" or "2001:453"


def number_index(lagrum: Mapping[str, Lagrum]) -> dict[tuple[str, int, int], Lagrum]:
    """(series, year, number) -> lagrum, for every entry whose beteckning is a number."""
    out = {}
    for lr in lagrum.values():
        m = _BETECKNING.match(lr.beteckning)
        if m:
            out[((m.group(1) or "SFS").upper(), int(m.group(2)), int(m.group(3)))] = lr
    return out


def references_in_text(text: str, index: Mapping[tuple[str, int, int], Lagrum]) -> list[TextReference]:
    """Every mention in text of a numbered lagrum of the index, in text order."""
    out: list[TextReference] = []
    if not index:
        return out
    line, counted = 0, 0                    # lines counted up to `counted`, so each char is read once
    for m in _AFTER_COLON.finditer(text):
        colon = m.start()
        year = text[colon - 4:colon]
        if colon < 4 or not year.isdigit() or (colon > 4 and text[colon - 5] in "0123456789:"):
            continue
        begin = colon - 4
        before = _SERIES_BEFORE.search(text, max(0, begin - 16), begin)
        series = before.group(1).upper() if before else "SFS"
        lr = index.get((series, int(year), int(m.group(1))))
        if lr is not None:
            start = before.start() if before else begin
            line += text.count("\n", counted, begin)
            counted = begin
            out.append(TextReference(lr, line, text[start:m.end()]))
    return out


def _repealed(lr: Lagrum, table: Mapping[str, Lagrum], in_text: bool) -> str:
    repl = table.get(lr.ersatt_av or "")
    since = f" sedan {lr.upphavd_fran.isoformat()}" if lr.upphavd_fran else ""
    if in_text:
        hint = (f" Skriv i stället {repl.namn}." if repl
                else " Ta bort hänvisningen eller skriv vad som gäller i stället.")
    else:
        hint = (f" Hänvisa i stället till {repl.namn} ('{repl.id}')." if repl
                else " Ta bort hänvisningen eller ange vad som gäller i stället.")
    return f"{lr.namn} är upphävd{since}.{hint}"


def warn_repealed(problems, rel: str, lines, front_matter: Iterable[Lagrum], table: Mapping[str, Lagrum],
                  body: str, body_first_line: int, index) -> list[TextReference]:
    """A varning for each repealed lagrum a document cites, in front matter (`lagrum:`) or by number in
    its text, naming what replaces it; returns the references found in the text."""
    for i, lr in enumerate(front_matter):
        if lr.status == "upphävd":
            problems.warning(rel, lines.line(("lagrum", i)), _repealed(lr, table, False), key="lagrum")
    found = references_in_text(body, index)
    for ref in found:
        if ref.lagrum.status == "upphävd":
            problems.warning(rel, body_first_line + ref.line,
                             f"Texten hänvisar till '{ref.written}': {_repealed(ref.lagrum, table, True)}")
    return found


def cited_by(docs: Iterable, lagrum_id: str) -> list:
    """The documents citing a lagrum, in their front matter or their text, by title."""
    return sorted((d for d in docs if any(lr.id == lagrum_id for lr in (*d.lagrum, *d.lagrum_i_text))),
                  key=lambda d: d.titel)
