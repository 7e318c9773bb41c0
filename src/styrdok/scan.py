"""The one Markdown scanner: where a page's front matter is and which lines are fenced code.

Every part that reads a page's source line by line (check's links and anchors, the personnummer
and placeholder scan, the HTML safety check, the change summary, the importer, the front-matter
split and the decision writer) asks here, so they agree on what is code and what is prose.

Fences follow CommonMark as pymdownx.superfences reads them: three or more backticks or tildes,
at any indentation (inside a list item or an admonition), optionally after a list marker
(``- ```yaml``); the block ends at a line of the same character, at least as long, with nothing
else on it, or at the end of the page. A backtick fence's info string cannot contain a backtick
(```` ```x``` ```` is inline code, not a fence).
"""
from __future__ import annotations

import re
from typing import Iterator, Sequence

# Characters a reader does not see: the soft hyphen, zero-width spaces and joiners, the word joiner,
# direction marks and a byte-order mark. Text copied from a PDF, Word or a web page carries them.
INVISIBLE = "\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff"
# Characters that look like a space but are not the space YAML and Markdown count (a hard space …).
ODD_SPACES = "\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000"

# Front matter: `---` on the first line, YAML, `---` (the YAML may be empty).
FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?\r?\n)?---[ \t]*(\r?\n|\Z)", re.S)
# Opened on line 1 but (maybe) never closed.
OPENED = re.compile(r"\A---[ \t]*\n")
# Front matter after blank lines (or an invisible sign): it would be shown as text.
LATE_FRONT_MATTER = re.compile(rf"\A(\s*\n|[{INVISIBLE}]+)---[ \t]*\n[A-Za-z_]+:")

# A link or address with a scheme (https:, mailto:, javascript:): not a path to a file of the handbook.
URL_SCHEME = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*):")

FENCE_OPEN = re.compile(r"^[ \t]*(?:(?:[-*+]|\d{1,9}[.)])[ \t]+)*(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
INLINE_CODE = re.compile(r"`[^`]*`")


def front_matter(text: str) -> re.Match | None:
    """The front matter block (group 1: the YAML, or None when empty), or None without one."""
    return FRONT_MATTER.match(text)


def front_matter_yaml_span(text: str) -> tuple[int, int] | None:
    """Start and end of the YAML between the --- lines (empty front matter: where it would go)."""
    m = FRONT_MATTER.match(text)
    if m is None:
        return None
    if m.group(1) is None:
        start = text.index("\n") + 1
        return start, start
    return m.span(1)


def _opening(line: str) -> str | None:
    m = FENCE_OPEN.match(line)
    if m is None or (m["fence"][0] == "`" and "`" in m["info"]):
        return None
    return m["fence"]


def _closes(line: str, fence: str) -> bool:
    s = line.strip()
    return len(s) >= len(fence) and s == fence[0] * len(s)


def fenced(lines: Sequence[str]) -> list[bool]:
    """For each line, True when it belongs to a fenced code block (its fence lines included)."""
    out: list[bool] = []
    fence: str | None = None
    for line in lines:
        if fence is None:
            fence = _opening(line)
            out.append(fence is not None)
        else:
            out.append(True)
            if _closes(line, fence):
                fence = None
    return out


def is_fence_line(line: str) -> bool:
    """A line that opens (or could close) a fenced code block."""
    return _opening(line) is not None


def prose_lines(text: str) -> Iterator[tuple[int, str]]:
    """(index, line) of the lines outside fenced code, as in text.splitlines()."""
    lines = text.splitlines()
    for i, (line, code) in enumerate(zip(lines, fenced(lines))):
        if not code:
            yield i, line


def blank_inline_code(line: str, keep_columns: bool = False) -> str:
    """The line without `inline code` (replaced by spaces when keep_columns)."""
    return INLINE_CODE.sub((lambda m: " " * len(m.group(0))) if keep_columns else "", line)
