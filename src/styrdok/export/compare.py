"""Tracked changes: old and new Markdown in, Markdown with pandoc insertion/deletion spans out.

pandoc turns `[ny text]{.insertion author="…" date="…"}` and `[gammal]{.deletion …}` into real
Word revisions (w:ins / w:del), in paragraphs, list items, headings and table cells alike.

The texts are compared in two steps, as a reader compares versions:
1. blocks: paragraphs, headings, list items, table rows, definitions, footnotes (a paragraph's
   lines joined); blocks that only moved or changed a little are paired by similarity;
2. words inside each changed pair. Inline constructs (links, code, emphasis, footnote references)
   are compared as one word, so a span never cuts through their syntax.

A deleted block stays in place with its text struck through (a deleted table row stays a row,
a deleted list item an item). Block markers (`#`, `-`, `1.`, `|`) and whitespace stay outside the
spans, except that a deleted word takes its following space with it (as an escaped, non-breaking
space: pandoc trims plain spaces at span edges), so that accepting all changes leaves no double
spaces. Fenced code blocks are not marked: the new version is shown as it is.
Both inputs are stage-1 output of styrdok.export.markdown.prepare_markdown.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from .markdown import MARKER_LINE

TOKEN = re.compile(
    r"|`+[^`]*?`+"                                          # inline code
    r"|!?\[(?:[^\[\]]|\[[^\[\]]*\])*\]\([^)]*\)(?:\{[^}]*\})?"   # link / image (+ attributes)
    r"|\[\^[^\]]+\]"                                        # footnote reference
    r"|\*\*[^*\n]+?\*\*|__[^_\n]+?__"                       # strong
    r"|\*[^*\s][^*\n]*?\*|_[^_\s][^_\n]*?_"                  # emphasis
    r"|<https?://[^>\s]+>"                                  # autolink
    r"|\\\n|\\."                                            # hard break, escaped character
    r"|\s+"
    r"|[^\s`\[\]*_\\<]+"
    r"|.", re.S)
LIST_ITEM = re.compile(r"^(?P<prefix>(?P<indent> *)(?:[-*+]|\d+[.)])(?: +\[[ xX]\])?[ \t]+)(?P<content>.*)$")
HEADING = re.compile(r"^(?P<prefix>#{1,6}[ \t]+)(?P<content>.*)$")
DEFINITION = re.compile(r"^(?P<prefix> *:[ \t]+)(?P<content>.*)$")
FOOTNOTE_DEF = re.compile(r"^(?P<prefix>\[\^[^\]]+\]:[ \t]*)(?P<content>.*)$")
QUOTE = re.compile(r"^(?P<prefix> *>[ \t]?)(?P<content>.*)$")
TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
FENCE = re.compile(r"^ *(`{3,}|~{3,})")
HTML_BLOCK = re.compile(r"^ {0,3}<(table|div|figure|svg|details|section|form|script|style|p|ul|ol|dl)\b", re.I)
STRUCTURE = re.compile(r"^ *(:::.*|[-*_]( *[-*_]){2,} *|\+[-=+:]+\+ *)$")


@dataclass
class Unit:
    kind: str           # blank, struct, code, heading, item, para, row, definition, footnote, quote
    prefix: str
    content: str
    raw: str            # the unit as written (for struct/code/blank, and unchanged units)

    def key(self) -> str:
        return f"{self.kind}\x00{self.prefix.strip()}\x00{self.content}" if self.kind != "code" else self.raw


def _cells(line: str) -> list[str]:
    line = line.strip()
    if line.startswith("|"):
        line = line[1:]
    if line.endswith("|") and not line.endswith("\\|"):
        line = line[:-1]
    return re.split(r"(?<!\\)\|", line)


def units(text: str) -> list[Unit]:
    """The blocks of stage-1 Markdown, in order (see the module docstring)."""
    lines = text.split("\n")
    out: list[Unit] = []
    i = 0

    def starts_block(line: str) -> bool:
        s = line.strip()
        return (not s or bool(FENCE.match(line) or STRUCTURE.match(line) or HEADING.match(line)
                or LIST_ITEM.match(line) or DEFINITION.match(line) or FOOTNOTE_DEF.match(line)
                or s.startswith("|") or s.startswith("+") or MARKER_LINE.match(s) or QUOTE.match(line)))

    while i < len(lines):
        line = lines[i]
        s = line.strip()
        if not s:
            out.append(Unit("blank", "", "", line))
            i += 1
            continue
        fence = FENCE.match(line)
        if fence:
            j = i + 1
            while j < len(lines) and not (lines[j].strip().startswith(fence.group(1)) and
                                          not lines[j].strip()[len(fence.group(1)):].strip()):
                j += 1
            raw = "\n".join(lines[i:j + 1])
            out.append(Unit("code", "", raw, raw))
            i = j + 1
            continue
        if STRUCTURE.match(line) or MARKER_LINE.match(s) or TABLE_RULE.match(line):
            out.append(Unit("struct", "", s, line))
            i += 1
            continue
        if s.startswith("|"):
            out.append(Unit("row", line[: len(line) - len(line.lstrip())], s, line))
            i += 1
            continue
        if HTML_BLOCK.match(line):   # raw HTML (the site's rendering of some macros): opaque up to a blank line
            j = i
            while j < len(lines) and lines[j].strip():
                j += 1
            raw = "\n".join(lines[i:j])
            out.append(Unit("code", "", raw, raw))
            i = j
            continue
        if s.startswith("+"):       # a grid table written by hand: opaque
            j = i
            while j < len(lines) and lines[j].strip()[:1] in ("+", "|"):
                j += 1
            raw = "\n".join(lines[i:j])
            out.append(Unit("code", "", raw, raw))
            i = j
            continue
        for kind, pattern in (("heading", HEADING), ("item", LIST_ITEM), ("definition", DEFINITION),
                              ("footnote", FOOTNOTE_DEF), ("quote", QUOTE)):
            m = pattern.match(line)
            if m:
                prefix, content = m.group("prefix"), m.group("content")
                break
        else:
            kind, prefix, content = "para", line[: len(line) - len(line.lstrip())], s
        j = i + 1
        if kind not in ("heading",):
            while j < len(lines) and not starts_block(lines[j]):
                # continuation lines; a hard break (backslash or two spaces) keeps its line break
                content = content + ("\n" if content.endswith("\\") or content.endswith("  ") else " ") \
                    + lines[j].strip()
                j += 1
        out.append(Unit(kind, prefix, content, "\n".join(lines[i:j])))
        i = j
    return out


class _Marks:
    space = "\\ "              # a space pandoc keeps at a span's edge

    def __init__(self, author: str, date: str):
        author = author.replace("\\", "/").replace('"', "'")
        attrs = f'author="{author}" date="{date}"'
        self.ins = "{.insertion " + attrs + "}"
        self.dele = "{.deletion " + attrs + "}"

    def span(self, core: str, kind: str) -> str:
        return f"[{core}]{self.ins if kind == 'ins' else self.dele}"

    def wrap(self, text: str, kind: str) -> str:
        """Wrap text in a span, whitespace outside; a deletion takes one trailing space inside."""
        if not text.strip():
            return text if kind == "ins" else ("" if text == " " else text)
        lead = text[: len(text) - len(text.lstrip())]
        trail = text[len(text.rstrip()):]
        core = _balanced(text.strip())
        if kind == "del":
            # the deleted word takes one neighbouring space with it (as "\ ", which pandoc keeps),
            # so that accepting the change leaves a single space
            if trail == " ":
                return f"{lead}{self.span(core + self.space, 'del')}"
            if lead == " ":
                return f"{self.span(self.space + core, 'del')}{trail}"
            return f"{lead}{self.span(core, 'del')}{trail}"
        return f"{lead}{self.span(core, 'ins')}{trail}"


class HtmlMarks(_Marks):
    """Marks for a web page: <ins> and <del> inside the Markdown (Python-Markdown keeps inline HTML)."""

    space = " "

    def __init__(self):
        super().__init__("", "")

    def span(self, core: str, kind: str) -> str:
        tag = "ins" if kind == "ins" else "del"
        return f"<{tag}>{core}</{tag}>"


def _balanced(text: str) -> str:
    """Escape brackets that are not part of an atomic token, so the span's own brackets match."""
    out = []
    for token in TOKEN.findall(text):
        out.append("\\" + token if token in ("[", "]") else token)
    return "".join(out)


def _words(old: str, new: str, marks: _Marks) -> str:
    a, b = TOKEN.findall(old), TOKEN.findall(new)
    out: list[str] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append("".join(b[j1:j2]))
            continue
        old_part, new_part = "".join(a[i1:i2]), "".join(b[j1:j2])
        if op == "replace" and old_part.strip() and new_part.strip():
            # replaced words side by side, [old]{.deletion}[new]{.insertion}, spaces outside
            lead = new_part[: len(new_part) - len(new_part.lstrip())]
            trail = new_part[len(new_part.rstrip()):]
            out.append(lead + _span_all(old_part, "del", marks) + _span_all(new_part, "ins", marks) + trail)
        elif op == "replace":
            out.append(marks.wrap(old_part, "del"))
            out.append(marks.wrap(new_part, "ins"))
        elif op == "delete":
            out.append(marks.wrap(old_part, "del"))
        else:
            out.append(marks.wrap(new_part, "ins"))
    return "".join(out)


def _whole(unit: Unit, kind: str, marks: _Marks) -> str:
    """A unit that exists on one side only, marked as a whole."""
    if unit.kind in ("blank", "struct"):
        return unit.raw
    if unit.kind == "code":
        return unit.raw if kind == "ins" else ""
    if unit.kind == "row":
        cells = _cells(unit.content)
        return unit.prefix + "|" + "|".join(_cell(c, kind, marks) for c in cells) + "|"
    return unit.prefix + _span_all(unit.content, kind, marks)


def _span_all(content: str, kind: str, marks: _Marks) -> str:
    return marks.span(_balanced(content.strip()), kind)


def _cell(text: str, kind: str, marks: _Marks) -> str:
    if not text.strip():
        return text
    return " " + _span_all(text, kind, marks) + " "


def _pair(old: Unit, new: Unit, marks: _Marks) -> list[str]:
    if new.kind in ("blank", "struct", "code"):
        return [new.raw]
    if new.kind == "row":
        a, b = _cells(old.content), _cells(new.content)
        if len(a) != len(b):
            return [_whole(old, "del", marks), _whole(new, "ins", marks)]
        cells = []
        for x, y in zip(a, b):
            if x.strip() == y.strip():
                cells.append(y)
            else:
                cells.append(" " + _words(x.strip(), y.strip(), marks) + " ")
        return [new.prefix + "|" + "|".join(cells) + "|"]
    return [new.prefix + _words(old.content, new.content, marks)]


def _similar(a: Unit, b: Unit) -> float:
    if a.kind != b.kind:
        return 0.0
    if a.kind in ("blank", "struct"):
        return 1.0 if a.content == b.content else 0.0
    if a.kind == "row" and len(_cells(a.content)) != len(_cells(b.content)):
        return 0.0
    return difflib.SequenceMatcher(None, a.content.split(), b.content.split(), autojunk=False).ratio()


def _replace(olds: list[Unit], news: list[Unit], marks: _Marks) -> list[str]:
    """Pair the blocks of a changed region by similarity, in order; the rest is deleted/inserted."""
    out: list[str] = []
    k = 0                                   # next unpaired old unit
    for new in news:
        best, best_score = None, 0.0
        for m in range(k, len(olds)):
            score = _similar(olds[m], new)
            if score > best_score:
                best, best_score = m, score
            if score == 1.0:
                break
        threshold = 1.0 if new.kind in ("blank", "struct") else 0.4
        if best is not None and best_score >= threshold:
            for gone in olds[k:best]:
                out.append(_whole(gone, "del", marks))
            out.extend(_pair(olds[best], new, marks))
            k = best + 1
        else:
            out.append(_whole(new, "ins", marks))
    for gone in olds[k:]:
        out.append(_whole(gone, "del", marks))
    return out


def tracked_markdown(old: str, new: str, *, author: str = "", date: str = "", html: bool = False) -> str:
    """`new`, with what differs from `old` as insertion and deletion spans (author, ISO date);
    html=True marks them <ins>/<del> for a web page instead of pandoc spans."""
    marks: _Marks = HtmlMarks() if html else _Marks(author, date)
    a, b = units(old.rstrip("\n")), units(new.rstrip("\n"))
    out: list[str] = []
    matcher = difflib.SequenceMatcher(None, [u.key() for u in a], [u.key() for u in b], autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            out.extend(u.raw for u in b[j1:j2])
        elif op == "insert":
            out.extend(_whole(u, "ins", marks) for u in b[j1:j2])
        elif op == "delete":
            out.extend(_whole(u, "del", marks) for u in a[i1:i2])
        else:
            out.extend(_replace(a[i1:i2], b[j1:j2], marks))
    return "\n".join(line for line in out if line is not None) + "\n"
