"""Navigation by document type and by organisation: generated overview pages over all styrdokument."""
from __future__ import annotations

from .model import Handbook
from .parts import GENERATED_PAGES


def _front(title: str) -> str:
    """Front matter of a list page: the search finds the documents, not the lists of them."""
    return f"---\ntitle: {title}\nsearch:\n  exclude: true\n---\n"


def _pages(handbook: Handbook) -> list[tuple[str, str]]:
    if not handbook.dokument and not handbook.trasiga:    # documents that failed to load still get their lists
        return []
    return [
        ("styrdokument/per-typ.md", _front("Per dokumenttyp") + "# Styrdokument per dokumenttyp\n\n"
                                    "Alla gällande styrdokument, från policy till instruktion.\n\n"
                                    '{{ dokumentlista(per="typ") }}\n'),
        ("styrdokument/per-organisation.md", _front("Per organisation") + "# Styrdokument per organisation\n\n"
                                             "Dokument som gäller för en viss förvaltning, avdelning eller enhet. "
                                             "Dokument utan angiven enhet gäller hela förvaltningen.\n\n"
                                             '{{ dokumentlista(per="organisation") }}\n'),
    ]


GENERATED_PAGES.append(_pages)
