"""What the search index gets to know about one page, beyond its visible text.

`overrides/partials/styrdok-sokord.html` renders it for Pagefind: hidden extra words (terms.py),
the tags, and for a styrdokument its document type and units as result metadata and filters.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..memo import cached, digest, earlier
from ..model import Handbook, OrgEnhet, Styrdokument
from .terms import (Lexicon, Namn, PageSearchTerms, begrepp_names, handbook_lexicon, lexicon_change,
                    page_search_terms, reads_any)

_MISSING = object()


@dataclass(frozen=True)
class PageSearchData:
    terms: PageSearchTerms
    taggar: tuple[str, ...]
    typ: str | None                  # shown in the result and a filter: "Rutin"
    enheter: tuple[str, ...]         # shown in the result: the units the document is for
    enhet_filter: tuple[str, ...]    # filter "Gäller för": those units and every unit below them


def units_below(handbook: Handbook, units: tuple[OrgEnhet, ...]) -> tuple[OrgEnhet, ...]:
    """The units and all units under them, in the organisation's order.

    A rutin for the whole förvaltning applies to Hemtjänst norr too, so filtering on Hemtjänst
    norr should show it.
    """
    ids = {u.id for u in units}
    out = []
    for unit in handbook.org.values():
        node, inside = unit, False
        while node is not None:
            if node.id in ids:
                inside = True
                break
            node = handbook.org.get(node.parent) if node.parent else None
        if inside:
            out.append(unit)
    return tuple(out)


class SearchIndexer:
    """The lexicon and begrepp names of one handbook, made once per build for all its pages."""

    def __init__(self, handbook: Handbook):
        self.handbook = handbook
        self._lexicon: Lexicon | None = None
        self._names: tuple[Namn, ...] | None = None
        self._digest: tuple[str, str] | None = None
        self._changes: dict[str, frozenset[str] | None] = {}

    @property
    def lexicon(self) -> Lexicon:
        if self._lexicon is None:
            self._lexicon = handbook_lexicon(self.handbook)
        return self._lexicon

    @property
    def names(self) -> tuple[Namn, ...]:
        if self._names is None:
            self._names = begrepp_names(self.handbook)
        return self._names

    def _digests(self) -> tuple[str, str]:
        if self._digest is None:
            lexicon = self.lexicon
            words, tails = sorted(lexicon.words), sorted(lexicon.tails)
            self._digest = (digest((words, tails)), digest(self.names))
            # this lexicon, for the next build to see what changed in it (lexicon_change)
            cached("sokord-lexikon", self._digest[0], lambda: (lexicon.words, lexicon.tails))
        return self._digest

    def terms(self, markdown: str, title: str) -> PageSearchTerms:
        """The page's extra search words, kept between builds (memo.py). They depend on the page
        and on the whole handbook's lexicon: a page edit that adds or removes a word of the lexicon
        makes only the pages whose text contains that word compute theirs again (lexicon_change)."""
        lexicon, names = self.lexicon, self.names
        lexicon_digest, names_digest = self._digests()

        def holds(stored: tuple[str, PageSearchTerms]) -> tuple[str, PageSearchTerms] | None:
            if stored[0] == lexicon_digest:
                return stored
            changed = self._changes.get(stored[0], _MISSING)
            if changed is _MISSING:
                changed = self._changes[stored[0]] = lexicon_change(earlier("sokord-lexikon", stored[0]), lexicon)
            if changed is None or reads_any(changed, markdown, title):
                return None
            return (lexicon_digest, stored[1])

        return cached("sokord", ("v2", names_digest, markdown, title),
                      lambda: (lexicon_digest, page_search_terms(lexicon, names, markdown, title)), holds)[1]

    def page_data(self, markdown: str, title: str, doc: Styrdokument | None = None,
                  taggar: tuple[str, ...] = ()) -> PageSearchData:
        terms = self.terms(markdown, title)
        if doc is None:
            return PageSearchData(terms, tuple(taggar), None, (), ())
        return PageSearchData(
            terms=terms,
            taggar=tuple(doc.taggar),
            typ=doc.typ.namn,
            enheter=tuple(u.namn for u in doc.galler_for),
            enhet_filter=tuple(u.namn for u in units_below(self.handbook, doc.galler_for)),
        )
