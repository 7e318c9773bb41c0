"""What must never be published: personnummer, unfilled Word placeholders, editor notes.

`scan_text` is pure (text in, findings out) so the checks can be tested case by case; `check.py`
runs it over every file in docs/ and data/.
"""
from __future__ import annotations

import bisect
import html
import urllib.parse
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from .scan import INVISIBLE, blank_inline_code, fenced


@dataclass(frozen=True)
class TextFinding:
    line: int
    column: int
    severity: str
    code: str
    message: str
    number: str = ""        # a personnummer's ten digits (for the allow-list), else ""


# 10 or 12 digits: (CC)YYMMDD, a separator, NNNN. The separator is nothing, '-', '+', an en or em
# dash, a minus sign, spaces or non-breaking spaces (also around a dash). Not part of a longer run
# of digits, nor after a decimal comma. scan_text also reads each line HTML-unescaped and
# URL-decoded, so '&nbsp;' and '%20' count as the characters they stand for, and as a reader sees
# it (INVISIBLE removed, full-width digits and dashes as ordinary ones).
_SPACE = r"[ \t\u00a0\u202f\u2007\u2009]"
_DASH = r"[-+\u2010-\u2015\u2212]"
PNR = re.compile(rf"(?<![\d,])(?P<cc>\d{{2}})?(?P<yy>\d{{2}})(?P<mm>\d{{2}})(?P<dd>\d{{2}})"
                 rf"(?P<sep>{_SPACE}{{0,2}}{_DASH}?{_SPACE}{{0,2}})(?P<nnnn>\d{{4}})(?!\d)")


# Characters a reader does not see (scan.INVISIBLE) may stand inside a number: "850312\u00ad1234" shows
# as a personnummer.
_INVISIBLE = re.compile(f"[{INVISIBLE}]")
_FULL_WIDTH = "\uff0b\uff0d\uff10-\uff19"          # ＋ － ０-９


def readings(line: str) -> list[str]:
    """The line as written, and as a reader sees it after HTML entities and URL encoding are decoded,
    invisible characters removed and full-width digits read as digits (NFKC)."""
    out = [line]
    if "&" in line:
        out.append(html.unescape(line))
    if "%" in line:
        out.append(urllib.parse.unquote(out[-1]))
    if not out[-1].isascii():
        seen = _INVISIBLE.sub("", unicodedata.normalize("NFKC", out[-1]))
        if seen != out[-1]:
            out.append(seen)
    return out


def find_numbers(text: str):
    """(match, kind) of every personnummer or samordningsnummer in one line of text."""
    seen = set()
    for variant in readings(text):
        for m in PNR.finditer(variant):
            kind = classify_number(m)
            if kind and number_key(m) not in seen:
                seen.add(number_key(m))
                yield m, kind


def number_key(m: re.Match) -> str:
    """The number as ten digits (YYMMDDNNNN), however it was written: for the allow-list."""
    return m.group("yy") + m.group("mm") + m.group("dd") + m.group("nnnn")


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(digits):
        n = int(ch) * (2 if i % 2 == 0 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


def classify_number(m: re.Match) -> str | None:
    """'personnummer', 'samordningsnummer' or None for a regex match of PNR."""
    cc, yy, mm, dd, nnnn = m.group("cc"), m.group("yy"), m.group("mm"), m.group("dd"), m.group("nnnn")
    if cc is not None and cc not in ("18", "19", "20"):
        return None
    if not luhn_ok(yy + mm + dd + nnnn):
        return None
    day = int(dd)
    kind = "personnummer"
    if day > 60:
        day -= 60
        kind = "samordningsnummer"
    year = int((cc or "19") + yy)
    try:
        dt.date(year, int(mm), day)
    except ValueError:
        if not (cc is None and int(mm) == 2 and day == 29):   # 29 Feb of a leap year in another century
            return None
    return kind


def _mask(m: re.Match) -> str:
    return f"{m.group('yy')}MMDD-XXXX"


# The guidance `styrdok new` writes into a new document (control.new_document): each sentence is
# a placeholder until replaced by the document's own text.
SCAFFOLD_TEXTS = {
    "syfte": "Beskriv varför dokumentet finns och vad det ska leda till.",
    "omfattning": "Beskriv vilka verksamheter och medarbetare som dokumentet gäller för.",
    "ansvar": "Beskriv vem som ansvarar för vad.",
    "steg": "1. Första steget.",
    "uppfoljning": "Beskriv hur och när dokumentet följs upp.",
}

PLACEHOLDERS: list[tuple[re.Pattern, str, str]] = [
    (re.compile("^\\s*(?:" + "|".join(re.escape(t) for t in SCAFFOLD_TEXTS.values()) + ")\\s*$"), "platshallare",
     "Vägledningen från 'styrdok new' ('{0}') står kvar. Ersätt den med dokumentets egen text."),
    (re.compile(r"klicka (eller tryck )?(här )?(för att )?ange (en |ett )?(text|datum)", re.I), "platshallare",
     "Ett ifyllnadsfält från en Word-mall ('{0}') är inte ifyllt. Skriv in det som ska stå där, eller ta bort raden."),
    (re.compile(r"\bskriv här\b:?", re.I), "platshallare",
     "Platshållaren '{0}' står kvar. Skriv in texten som ska stå där."),
    (re.compile(r"^\s*ange text\s*$", re.I), "platshallare",
     "Platshållaren '{0}' står kvar. Skriv in texten som ska stå där."),
    (re.compile(r"\[(skriv|ange|fyll i|infoga)\b[^\]]*\](?!\()", re.I), "platshallare",
     "Fältet '{0}' är inte ifyllt. Ersätt det med den riktiga texten."),
    (re.compile(r"\[(…|\.\.\.|x{2,}|\?+)\](?!\()", re.I), "platshallare",
     "Fältet '{0}' är inte ifyllt. Ersätt det med den riktiga texten."),
    (re.compile(r"\b(ÅÅÅÅ-MM-DD|YYYY-MM-DD|ÅÅMMDD)\b"), "platshallare",
     "Datumet är inte ifyllt ('{0}'). Skriv det riktiga datumet, t.ex. 2026-03-12."),
    (re.compile(r"\bX{4,}\b"), "platshallare",
     "Platshållaren '{0}' står kvar. Ersätt den med den riktiga uppgiften."),
    (re.compile(r"\[(kommentar|anm|anmärkning|notering)\b[^\]]*\]", re.I), "redaktorsanteckning",
     "En redaktörsanteckning ('{0}') står kvar i texten. Ta bort den innan dokumentet publiceras."),
    (re.compile(r"\bOBS!? ta bort\b", re.I), "redaktorsanteckning",
     "En redaktörsanteckning ('{0}') står kvar i texten. Ta bort den innan dokumentet publiceras."),
    (re.compile(r"redaktörens anmärkning", re.I), "redaktorsanteckning",
     "En redaktörsanteckning ('{0}') står kvar i texten. Ta bort den innan dokumentet publiceras."),
    (re.compile(r"^\s*(?:[-*]\s*)?att göra:", re.I), "redaktorsanteckning",
     "En att göra-anteckning ('{0}') står kvar i texten. Gör klart eller ta bort den."),
    (re.compile(r"\b(TODO|FIXME|XXX)\b"), "todo",
     "En arbetsanteckning ('{0}') står kvar i texten. Gör klart eller ta bort den innan publicering."),
]

# Something every finding contains (a personnummer's digits, a word of each placeholder pattern):
# lines without any of it are not scanned further. Most lines of a handbook have none.
CANDIDATE = re.compile(r"\d{6}.{0,20}?\d{4}|beskriv|första steget|klicka|skriv|ange|\[|åååå|yyyy|ååmmdd|xxx|obs|redaktörens|göra:"
                       r"|todo|fixme", re.I)
# Lines with a character nobody sees or a full-width digit: a number may hide there (one pass of its
# own: as an alternative in CANDIDATE it made the scan of ordinary text a sixth slower).
_HIDING = re.compile(f"[{INVISIBLE}{_FULL_WIDTH}]")


def _candidate_lines(text: str) -> set[int]:
    """Indices (as in text.splitlines()) of the lines where a finding may start."""
    starts, offset = [], 0
    for line in text.splitlines(keepends=True):
        starts.append(offset)
        offset += len(line)
    found = [m.start() for m in CANDIDATE.finditer(text)]
    if _HIDING.search(text):
        found += [m.start() for m in _HIDING.finditer(text)]
    return {bisect.bisect_right(starts, start) - 1 for start in found}


def scan_text(text: str, *, first_line: int = 1, placeholders: bool = True,
              yaml_comments: bool = False) -> list[TextFinding]:
    """Every finding in text, in order. Personnummer are found everywhere, code included;
    placeholders and notes only in prose (not in code, nor in YAML comments when yaml_comments)."""
    findings: list[TextFinding] = []
    candidates = _candidate_lines(text)
    lines = text.splitlines()
    in_code = fenced(lines) if placeholders and candidates else [True] * len(lines)
    for i, line in enumerate(lines):
        if i not in candidates:
            continue
        lineno = first_line + i
        for m, kind in find_numbers(line):
            findings.append(TextFinding(
                lineno, m.start() + 1, "fel", kind,
                f"Ett {kind} ({_mask(m)}) får inte publiceras i handboken. Ta bort det: skriv aldrig "
                "ut uppgifter som identifierar en enskild person.", number_key(m)))
        if in_code[i]:
            continue
        prose = blank_inline_code(line, keep_columns=True)
        if yaml_comments and prose.lstrip().startswith("#"):
            continue
        for pattern, code, message in PLACEHOLDERS:
            for m in pattern.finditer(prose):
                findings.append(TextFinding(lineno, m.start() + 1, "fel", code, message.format(m.group(0).strip())))
    return sorted(findings, key=lambda f: (f.line, f.column))
