"""Tracked changes: old and new Markdown in, Markdown with pandoc insertion/deletion spans out.

pandoc turns `[ny text]{.insertion author="…" date="…"}` and `{.deletion …}` into real Word
revisions (w:ins / w:del), also inside table cells. Lines are compared first, then the words of
changed lines; block markers (heading #, list bullets, table pipes) stay outside the spans, and so
does whitespace (pandoc trims spaces at span edges).
"""
from __future__ import annotations

import difflib
import re

MARKER = re.compile(r"^(\s*(?:#{1,6}\s+|[-*+]\s+(?:\[[ xX]\]\s+)?|\d+[.)]\s+|>\s*|:\s{3})?)(.*)$")
TOKEN = re.compile(r"\s+|[^\s]+")
TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}")


class _Marks:
    def __init__(self, author: str, date: str):
        attrs = f'author="{author}" date="{date}"'
        self.ins = "{.insertion " + attrs + "}"
        self.dele = "{.deletion " + attrs + "}"

    def wrap(self, text: str, kind: str) -> str:
        """Wrap the non-space part of text, keeping leading/trailing whitespace outside."""
        if not text.strip():
            return text
        lead = text[: len(text) - len(text.lstrip())]
        trail = text[len(text.rstrip()):]
        core = text.strip().replace("[", "\\[").replace("]", "\\]") if "](" not in text else text.strip()
        return f"{lead}[{core}]{self.ins if kind == 'ins' else self.dele}{trail}"


def _words(old: str, new: str, marks: _Marks) -> str:
    a, b = TOKEN.findall(old), TOKEN.findall(new)
    out = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append("".join(a[i1:i2]))
            continue
        if op in ("delete", "replace"):
            out.append(marks.wrap("".join(a[i1:i2]), "del"))
        if op in ("insert", "replace"):
            if op == "replace":
                out.append(" ")
            out.append(marks.wrap("".join(b[j1:j2]), "ins"))
    return re.sub(r"  +", " ", "".join(out))


def _cells(line: str) -> list[str]:
    return line.strip().strip("|").split("|")


def _line(old: str | None, new: str | None, marks: _Marks) -> str:
    """One changed line: words diffed when both exist, whole content marked otherwise."""
    sample = new if new is not None else old
    if sample.lstrip().startswith("|"):
        if TABLE_RULE.match(sample):
            return new if new is not None else ""
        if old is not None and new is not None and len(_cells(old)) == len(_cells(new)):
            cells = [_words(o, n, marks) for o, n in zip(_cells(old), _cells(new))]
        else:
            kind = "ins" if new is not None else "del"
            cells = [marks.wrap(c, kind) for c in _cells(sample)]
        return "|" + "|".join(cells) + "|"
    m_new = MARKER.match(new) if new is not None else None
    m_old = MARKER.match(old) if old is not None else None
    if m_new and m_old and m_new.group(1).strip() == m_old.group(1).strip():
        return m_new.group(1) + _words(m_old.group(2), m_new.group(2), marks)
    m = m_new or m_old
    return m.group(1) + marks.wrap(m.group(2), "ins" if new is not None else "del")


def tracked_markdown(old: str, new: str, *, author: str, date: str) -> str:
    """new, with what differs from old shown as insertions and deletions."""
    marks = _Marks(author.replace('"', "'"), date)
    a, b = old.splitlines(), new.splitlines()
    out: list[str] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out.extend(b[j1:j2])
        elif op == "insert":
            out.extend(_line(None, line, marks) if line.strip() else line for line in b[j1:j2])
        elif op == "delete":
            out.extend(_line(line, None, marks) if line.strip() else line for line in a[i1:i2])
        else:
            olds, news = a[i1:i2], b[j1:j2]
            for k in range(max(len(olds), len(news))):
                o = olds[k] if k < len(olds) else None
                n = news[k] if k < len(news) else None
                if (o is None or not o.strip()) and (n is None or not n.strip()):
                    out.append("")
                elif o is None or not o.strip():
                    out.append(_line(None, n, marks))
                elif n is None or not n.strip():
                    if n is not None:
                        out.append("")
                    out.append(_line(o, None, marks))
                else:
                    out.append(_line(o, n, marks))
    return "\n".join(out) + "\n"
