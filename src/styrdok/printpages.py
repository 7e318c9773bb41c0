"""Pages that are not styrdokument but that a nämnd or a unit prints: a process, the kvalitetsplan,
Mitt ansvar per role, an enhet's ledningssystem. Each gets a Word file (and a PDF when the site has
PDFs) beside the site, made like a styrdokument's: the page's rendered Markdown through the Word
layer and pandoc into the kommun's template (styrdok.export.documents.page_word_document), cached.

A kind of page is a registration: a function (handbook) -> [PrintPage] in styrdok.parts.PRINT_PAGES
(the ledningssystem's are in styrdok.ledningssystem.pages). The cover has no decision fields:
what the page is about (the unit, the role, the owner) and the date of the data it was made from.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .model import Handbook
from .parts import print_pages as _registered

FOLDER = "sidor"            # site/word/sidor/<name>.docx, site/pdf/sidor/<name>.pdf


@dataclass(frozen=True)
class PrintPage:
    src_path: str                           # the page, docs-relative
    name: str                               # its files' name (a-z, 0-9, -): word/sidor/<name>.docx
    title: str                              # the cover's title
    kind: str                               # the cover's document type, Swedish: "Process", "Kvalitetsplan" …
    rows: tuple[tuple[str, str], ...]       # the cover's rows (label, value): the unit, the role …
    sources: tuple[str, ...]                # root-relative files or folders (ending in /) the page shows


def print_pages(handbook: Handbook) -> dict[str, PrintPage]:
    """Every printed page of the handbook by its docs-relative path (the first registration wins)."""
    def compute() -> dict[str, PrintPage]:
        out: dict[str, PrintPage] = {}
        for page in _registered(handbook):
            out.setdefault(page.src_path, page)
        return out
    return handbook.derived("print_pages", compute)


def word_url(page: PrintPage) -> str:
    return f"word/{FOLDER}/{page.name}.docx"


def pdf_url(page: PrintPage) -> str:
    return f"pdf/{FOLDER}/{page.name}.pdf"


HISTORY_ROWS = 10           # the cover's revision table: the newest changes of the page's data


def data_revisions(handbook: Handbook, page: PrintPage) -> list:
    """The commits to the files the page shows, newest first, as readers see them (commit messages
    or only the kind of change, data/kommun.yml: historik_for_lasare). Empty outside git."""
    from .changes import history_of
    from .data_history import reader_message
    seen: dict[str, object] = {}
    for path, revisions in history_of(handbook).by_path.items():
        if any(path == s or (s.endswith("/") and path.startswith(s)) for s in page.sources):
            for rev in revisions:
                seen.setdefault(rev.commit_id or rev.commit, rev)
    newest = sorted(seen.values(), key=lambda r: r.date, reverse=True)
    return [reader_message(handbook, r) for r in newest]


def data_date(handbook: Handbook, page: PrintPage) -> dt.date | None:
    """The date of the newest commit to the files the page shows (None outside git)."""
    revisions = data_revisions(handbook, page)
    return revisions[0].date if revisions else None


def history_rows(handbook: Handbook, page: PrintPage) -> list[tuple[str, str, str]]:
    """The Word file's revision table: the newest changes of the data the page was made from."""
    return [(r.date.isoformat(), r.author, r.message) for r in data_revisions(handbook, page)[:HISTORY_ROWS]]


def cover_rows(handbook: Handbook, page: PrintPage) -> list[tuple[str, str]]:
    """The Word cover's rows: the page's own, then where its data comes from and how new it is."""
    when = data_date(handbook, page)
    sources = ", ".join(s.rstrip("/") for s in page.sources)
    return [*page.rows, ("Uppgifterna hämtade från", sources),
            ("Uppgifterna senast ändrade", when.isoformat() if when else "okänt (inte incheckade i git)")]


def page_properties(handbook: Handbook, page: PrintPage) -> dict:
    """A PDF's document properties: title, author (the kommun), subject, keywords."""
    return {"title": page.title, "author": handbook.kommun.namn,
            "subject": f"{page.kind}, {handbook.kommun.namn}",
            "keywords": [page.kind, "ledningssystem", handbook.kommun.namn]}
