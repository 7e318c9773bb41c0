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

_NUMBER = re.compile(r"(?<![\d:])(\d{4}):0*(\d{1,4})(?![\d:])")
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
    for m in _NUMBER.finditer(text):
        before = _SERIES_BEFORE.search(text, max(0, m.start() - 16), m.start())
        series = before.group(1).upper() if before else "SFS"
        lr = index.get((series, int(m.group(1)), int(m.group(2))))
        if lr is not None:
            start = before.start() if before else m.start()
            out.append(TextReference(lr, text.count("\n", 0, m.start()), text[start:m.end()]))
    return out


def cited_by(docs: Iterable, lagrum_id: str) -> list:
    """The documents citing a lagrum, in their front matter or their text, by title."""
    return sorted((d for d in docs if any(lr.id == lagrum_id for lr in (*d.lagrum, *d.lagrum_i_text))),
                  key=lambda d: d.titel)
