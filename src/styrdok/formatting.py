"""Small Swedish formatting helpers shared by templates (site fragments, Word)."""
from __future__ import annotations

import datetime as dt

MONTHS = ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september",
          "oktober", "november", "december")


def datum(value: dt.date | None) -> str:
    """ISO date, the form Swedish public documents use (2025-03-01)."""
    return value.isoformat() if value else "–"


def datum_lang(value: dt.date) -> str:
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def md_cell(value: object) -> str:
    """Text safe inside a Markdown table cell: no pipes, no line breaks."""
    return " ".join(str(value).replace("|", "/").split())


def join_names(items) -> str:
    return ", ".join(getattr(i, "namn", str(i)) for i in items)


FILTERS = {"datum": datum, "datum_lang": datum_lang, "md_cell": md_cell, "join_names": join_names}
