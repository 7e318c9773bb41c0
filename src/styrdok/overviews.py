"""Navigation by document type and by organisation: generated overview pages over all styrdokument."""
from __future__ import annotations

from .jinja import page_source
from .model import Handbook
from .parts import GENERATED_PAGES


def _pages(handbook: Handbook) -> list[tuple[str, str]]:
    if not handbook.dokument and not handbook.trasiga:    # documents that failed to load still get their lists
        return []
    return [("styrdokument/per-typ.md", page_source("per-typ.md.j2")),
            ("styrdokument/per-organisation.md", page_source("per-organisation.md.j2"))]


GENERATED_PAGES.append(_pages)
