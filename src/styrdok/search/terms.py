"""Extra search words for a page: the parts of its compounds and the other names of its begrepp.

Swedish glues words together (kvalitetsberättelse, avvikelsehantering) and a medarbetare searches
with the word in their head ("berättelse", "MAS", "incident"), not the word on the page. Pagefind
stems Swedish and matches word prefixes, but it neither splits compounds nor knows that MAS is a
medicinskt ansvarig sjuksköterska. So at build time each page gets a list of extra words, which the
site renders in a hidden, low-weighted block that only Pagefind reads (overrides/partials/
styrdok-sokord.html):

- compound parts, split with a lexicon made from the handbook's own words and the begrepp list
  (no dictionary to install or keep up to date);
- the other names of every begrepp and role the page mentions: abbreviation ↔ full name, term →
  synonyms (not synonym → term: a synonym such as "fel" is too common a word to stand for a term).

Pure functions over the model; nothing here reads a file.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterable

from ..model import Handbook

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_LINK_TARGET = re.compile(r"\]\([^)]*\)|<[^>]+>|\{[:#][^}]*\}")

MIN_PART = 4            # shorter pieces (för-, upp-, med-) are prefixes more often than words
MIN_COMPOUND = 8
MIN_TAIL = 6            # an ending that never stands alone must be at least this long to count as a word
# A word with one of these endings takes the linking s when it begins a compound.
_TAKES_S = ("ning", "het", "tet", "tion", "skap", "dom", "ing")
# Endings that inflect a word (avvikelse → avvikelser, avvikelsen, avvikelserna …).
INFLECTIONS = ("", "n", "en", "et", "t", "r", "er", "ar", "or", "na", "rna", "erna", "arna", "orna",
               "s", "ns", "ens", "ets", "rs", "ers", "ars", "ors", "nas", "rnas", "ernas", "arnas", "ornas",
               "a", "e", "de", "ade", "at", "as", "es", "ts")
# Endings that make a word of another (hantera-ing, verksam-het) or inflect it: never a compound part
# on their own, even when many words end with them.
_NOT_A_PART = frozenset((
    "ning", "ningen", "ningar", "ningarna", "ering", "eringen", "eringar", "eringarna", "else", "elsen",
    "elser", "elserna", "heten", "heter", "heterna", "skap", "skapet", "skapen", "ande", "ende", "anden",
    "enden", "arna", "erna", "orna", "rnas", "ernas", "arnas", "ation", "ationen", "ationer", "liga",
    "ligt", "lighet", "ligheten", "iska", "iskt", "aren", "arens", "orer", "erar", "erade", "erats",
    "ingen", "ingar", "ingarna", "isera", "iserad", "itet", "iteten", "iteter",
))


def words(text: str) -> list[str]:
    """The words of a Markdown text, lower-cased, without link targets, HTML tags or attr lists."""
    return [w.lower() for w in _WORD.findall(_LINK_TARGET.sub(" ", text))]


_MAX_ENDING = max(len(e) for e in INFLECTIONS)


@lru_cache(maxsize=200_000)
def base_forms(word: str) -> frozenset[str]:
    """The words that word may be an inflected form of: avvikelserna → avvikelserna, avvikelsern,
    avvikelser, avvikelse … (the word less each inflection ending it has)."""
    return frozenset(word[: len(word) - k] for k in range(0, min(_MAX_ENDING, len(word) - 1) + 1)
                     if word[len(word) - k:] in INFLECTIONS or k == 0)


@dataclass(frozen=True)
class Lexicon:
    """Words the handbook uses on their own; the pieces a compound may be split into.

    `words`: every word that occurs standalone in the handbook or the begrepp list.
    `tails`: endings of compounds that are words though they never stand alone in the handbook
    (berättelse in kvalitetsberättelse and patientsäkerhetsberättelse), see build_lexicon.
    """

    words: frozenset[str]
    tails: frozenset[str]
    _splits: dict[str, tuple[str, ...]] = field(default_factory=dict, compare=False, repr=False)

    def standalone(self, piece: str) -> bool:
        """piece, or the word it inflects, stands alone in the handbook (bedömningen → bedömning)."""
        if len(piece) < MIN_PART:
            return False
        if piece in self.words:
            return True
        return any(len(piece) - cut >= MIN_PART and piece[-cut:] in INFLECTIONS and piece[:-cut] in self.words
                   for cut in (1, 2, 3, 4))

    def _head_ok(self, head: str) -> bool:
        """A compound's first part as written in it: a known word, one with the linking s
        (kvalitets-berättelse) or one that drops its final vowel (skol-barn). Words ending in
        -ning, -het … always take the s (handläggnings-tiden, not handläggning-stiden)."""
        if len(head) < MIN_PART:
            return False
        if head in self.words and not head.endswith(_TAKES_S):
            return True
        if head.endswith("s") and head[:-1] in self.words:
            return True
        return len(head) >= 5 and any(head + v in self.words for v in ("a", "e"))

    def split(self, word: str) -> tuple[str, ...]:
        """The parts of a compound, longest first part first; () if word is not a compound.

        kvalitetsberättelse → (kvalitet, berättelse); patientsäkerhetsberättelse →
        (patient, säkerhet, berättelse).
        """
        parts = self._splits.get(word)
        if parts is None:
            parts = self._splits[word] = _split(self, word, depth=0)
        return parts


def _strip_link(head: str, words: frozenset[str]) -> str:
    """The first part as a word: kvalitets → kvalitet, skol → skola."""
    if head.endswith("s") and head[:-1] in words:
        return head[:-1]
    if head in words:
        return head
    for v in ("a", "e"):
        if head + v in words:
            return head + v
    return head


def _split(lex: Lexicon, word: str, depth: int) -> tuple[str, ...]:
    """Prefer an ending that stands alone in the handbook, then a known compound ending, then an
    ending that is itself a compound; the longest first part wins within each."""
    if len(word) < MIN_COMPOUND or depth > 3:
        return ()
    cuts = [(word[:cut], word[cut:]) for cut in range(len(word) - MIN_PART, MIN_PART - 1, -1)]
    cuts = [(head, tail) for head, tail in cuts if tail not in _NOT_A_PART and lex._head_ok(head)]
    for head, tail in cuts:
        if lex.standalone(tail):
            return (_strip_link(head, lex.words), tail)
    for head, tail in cuts:
        if tail in lex.tails:
            return (_strip_link(head, lex.words), tail)
    for head, tail in cuts:
        rest = _split(lex, tail, depth + 1)
        if rest:
            return (_strip_link(head, lex.words), *rest)
    return ()


# A lexicon change of more words than this makes every page compute its words again (the check
# below reads each page once per changed word).
MAX_CHANGED_WORDS = 200


def lexicon_change(old: tuple[frozenset[str], frozenset[str]] | None, new: Lexicon) -> frozenset[str] | None:
    """The words and compound endings in one lexicon and not the other (old: the words and tails
    of an earlier build's lexicon); None if old is unknown or too much changed."""
    if old is None:
        return None
    words, tails = old
    changed = (words ^ new.words) | (tails ^ new.tails)
    return frozenset(changed) if len(changed) <= MAX_CHANGED_WORDS else None


def reads_any(changed: frozenset[str], text: str, title: str = "") -> bool:
    """Whether page_search_terms of this page may look up one of the changed words in the lexicon.

    Every lexicon lookup it makes is of a piece of one of the page's words (a head or tail of a
    compound, a piece less an inflection ending, a head with the linking s removed), or such a
    piece with an 'a' or 'e' added (a first part that drops its final vowel: skol-barn). So a
    changed word that is not in the page's text, and does not end in a or e after such a piece,
    gives the page the same words under either lexicon."""
    full = f"{title}\n{text}".lower()
    return any(word in full or (word[-1:] in ("a", "e") and word[:-1] in full) for word in changed)


@lru_cache(maxsize=20_000)
def _word_counts(text: str) -> Counter[str]:
    """The words of one page and how often each occurs. Cached: `mkdocs serve` builds the lexicon
    again after every save, when all pages but one are unchanged; `styrdok build` keeps them between
    runs (memo.py). Read only."""
    from ..memo import cached
    return cached("ordantal", text, lambda: Counter(words(text)))


# The texts of the last lexicon built in this process and their words counted: the preview builds
# the lexicon again after a save, when all texts but one are the same (at 2,000 pages adding up every
# page's counts was 0.1 s a time).
_COUNTED: dict[str, Counter | None] = {"texts": None, "counts": None}


def _counted(texts: Iterable[str]) -> Counter[str]:
    """Every word of texts counted (a word whose count fell to zero is gone): the last call's counts
    with the texts no longer there taken away and the new ones added."""
    now = Counter(texts)
    before, counts = _COUNTED["texts"], _COUNTED["counts"]
    if before is None or len(before - now) > len(now) // 2:
        counts = Counter()
        for text, n in now.items():
            for _ in range(n):
                counts.update(_word_counts(text))
    else:
        counts = counts.copy()
        for text, n in (before - now).items():
            for _ in range(n):
                gone = _word_counts(text)
                counts.subtract(gone)
                for word in gone:
                    if counts[word] <= 0:
                        del counts[word]
        for text, n in (now - before).items():
            for _ in range(n):
                counts.update(_word_counts(text))
    _COUNTED.update(texts=now, counts=counts)
    return counts


def build_lexicon(texts: Iterable[str], extra_words: Iterable[str] = ()) -> Lexicon:
    """A lexicon from the handbook's texts (page bodies, titles) and extra words (begrepp terms …)."""
    counts = _counted(texts).copy()
    for text in extra_words:
        counts.update(words(text))
    known = frozenset(w for w in counts if len(w) >= MIN_PART - 1)
    # Endings of compounds: an ending counts as a word when one compound has it after a known word
    # and another compound has it too, after a known word or a linking s (kvalitets|berättelse,
    # patientsäkerhets|berättelse) — not after any letters (social|tjänsten, but hemt|jänsten).
    after_known: set[str] = set()
    seen_in: Counter[str] = Counter()
    for word in known:
        if len(word) < MIN_COMPOUND:
            continue
        for cut in range(MIN_PART, len(word) - MIN_TAIL + 1):
            head, tail = word[:cut], word[cut:]
            if tail in _NOT_A_PART:
                continue
            plain = head in known and not head.endswith(_TAKES_S)
            linked = head[:-1].endswith(_TAKES_S) and head[:-1] in known       # kvalitet|s, säkerhet|s
            if plain or linked:
                after_known.add(tail)
                seen_in[tail] += 1
            elif head.endswith("s"):
                seen_in[tail] += 1
    tails = frozenset(t for t in after_known if seen_in[t] >= 2 and t not in known)
    return Lexicon(known, tails)


def handbook_lexicon(handbook: Handbook) -> Lexicon:
    """The lexicon of a whole handbook: every page, title, begrepp, role and unit name."""
    texts = [p.body for p in handbook.pages.values()]
    texts += [d.body for d in handbook.dokument.values() if d.src_path not in handbook.pages]
    extra = [d.titel for d in handbook.dokument.values()]
    for b in handbook.begrepp:
        extra += [b.term, *(b.synonymer or ())]
    extra += [r.namn for r in handbook.roller.values()]
    extra += [o.namn for o in handbook.org.values()]
    extra += [t.namn for t in handbook.kommun.dokumenttyper.values()]
    return build_lexicon(texts, extra)


@dataclass(frozen=True)
class Namn:
    """One begrepp or role under all its names: the term, its abbreviation, its synonyms."""

    term: str
    forkortning: str | None
    synonymer: tuple[str, ...]


def begrepp_names(handbook: Handbook) -> tuple[Namn, ...]:
    """Every begrepp and role with an abbreviation; an abbreviation that is its own term (IVO)
    stands for what the hover text says, as on the pages (Handbook.abbreviations)."""
    expansions = handbook.abbreviations()
    out = [Namn(expansions.get(b.forkortning, b.term) if b.term == b.forkortning else b.term,
                b.forkortning, tuple(b.synonymer or ())) for b in handbook.begrepp]
    have = {n.forkortning for n in out if n.forkortning}
    out += [Namn(r.namn, r.forkortning, ()) for r in handbook.roller.values()
            if r.forkortning and r.forkortning not in have]
    return tuple(out)


# Pagefind weights (the page's own words weigh 1, its title 7): a compound part or another name
# weighs less than a word the page really says, more the more often the page uses it, and most
# when the word is in the title: the page is about it (Instruktion för … verksamhetssystemet →
# "systemet"; Rutin för lex Sarah → "rapporteringsskyldighet").
COMPOUND_WEIGHT = 0.5
NAME_WEIGHT = 0.7
MAX_WEIGHT = 3.0
TITLE_WEIGHT = 3.0


def _weight(base: float, count: int) -> float:
    return round(min(MAX_WEIGHT, base * max(count, 1) ** 0.5), 1)


@dataclass(frozen=True)
class SearchLine:
    """A word found on the page, the words a search should also find it by, and how much they weigh."""

    word: str
    also: tuple[str, ...]
    weight: float


@dataclass(frozen=True)
class PageSearchTerms:
    compounds: tuple[SearchLine, ...]     # kvalitetsberättelse: kvalitet, berättelse
    names: tuple[SearchLine, ...]         # MAS: medicinskt ansvarig sjuksköterska

    def __bool__(self) -> bool:
        return bool(self.compounds or self.names)


@lru_cache(maxsize=10_000)
def _phrase(text: str) -> tuple[str, ...]:
    return tuple(words(text))


class _PageWords:
    """A page's words, indexed by the base forms they may inflect, to count terms quickly."""

    def __init__(self, tokens: list[str], counts: Counter[str] | None = None):
        self.tokens = tokens
        self.by_base: Counter[str] = Counter()
        self._positions: dict[str, list[int]] | None = None
        for token, n in (Counter(tokens) if counts is None else counts).items():
            for base in base_forms(token):
                self.by_base[base] += n

    @property
    def _at(self) -> dict[str, list[int]]:
        """token -> its positions; only phrases of several words need them, so made on first use."""
        if self._positions is None:
            self._positions = {}
            for i, token in enumerate(self.tokens):
                self._positions.setdefault(token, []).append(i)
        return self._positions

    def count(self, phrase: tuple[str, ...]) -> int:
        """How often the page says phrase, each word possibly inflected (avvikelserna → avvikelse)."""
        if not phrase or not all(w in self.by_base for w in phrase):
            return 0
        if len(phrase) == 1:
            return self.by_base[phrase[0]]
        tokens, n, found = self.tokens, len(phrase), 0
        # Only where the first word stands (any of its forms), not at every position of the page.
        starts = sorted(i for token, at in self._at.items() if phrase[0] in base_forms(token) for i in at)
        for i in starts:
            if i + n <= len(tokens) and all(phrase[k] in base_forms(tokens[i + k]) for k in range(1, n)):
                found += 1
        return found


def _all_parts(lexicon: Lexicon, word: str) -> tuple[str, ...]:
    """The parts of a compound and the parts of those parts (kvalitetsledningssystem → kvalitet,
    ledningssystem, ledning, system)."""
    out: list[str] = []
    for part in lexicon.split(word):
        out.append(part)
        out.extend(p for p in _all_parts(lexicon, part) if p not in out)
    return tuple(dict.fromkeys(out))


def page_search_terms(lexicon: Lexicon, names: tuple[Namn, ...], text: str, title: str = "") -> PageSearchTerms:
    """The extra search words of one page, from its rendered Markdown and title."""
    full = f"{title}\n{text}"
    tokens = words(full)
    counts = Counter(tokens)
    page = _PageWords(tokens, counts)
    title_page = _PageWords(words(title))
    title_words = set(title_page.tokens)
    raw = Counter(_WORD.findall(_LINK_TARGET.sub(" ", full)))

    compounds: list[SearchLine] = []
    for word in sorted(counts):
        parts = _all_parts(lexicon, word)
        if parts:
            weight = TITLE_WEIGHT if word in title_words else _weight(COMPOUND_WEIGHT, counts[word])
            compounds.append(SearchLine(word, parts, weight))

    found: list[SearchLine] = []
    for n in names:
        by_term = page.count(_phrase(n.term))
        by_abbr = raw[n.forkortning] if n.forkortning else 0     # as written: MAS, not the word mas
        if not (by_term or by_abbr):
            continue
        word = n.term if by_term else n.forkortning
        also = tuple(dict.fromkeys(x for x in (n.term, n.forkortning, *n.synonymer) if x and x != word))
        if also:
            in_title = title_page.count(_phrase(n.term)) or (n.forkortning and n.forkortning in title)
            weight = TITLE_WEIGHT if in_title else _weight(NAME_WEIGHT, by_term + by_abbr)
            found.append(SearchLine(word, also, weight))
    return PageSearchTerms(tuple(compounds), tuple(found))
