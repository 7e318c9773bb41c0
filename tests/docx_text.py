"""The text of a .docx as a reader meets it, one line per paragraph or table cell, for golden files
and before/after comparisons: `[Style] text`; table cells as `rNcM` with merged cells marked
(vMerge, gridSpan); tracked changes as {+inserted+} and [-deleted-]; line breaks as ⏎."""
from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.oxml.ns import qn


def _text(el) -> str:
    out = []
    for node in el.iter():
        if node.tag == qn("w:t"):
            inserted = any(a.tag == qn("w:ins") for a in node.iterancestors())
            out.append("{+" + (node.text or "") + "+}" if inserted else node.text or "")
        elif node.tag == qn("w:delText"):
            out.append("[-" + (node.text or "") + "-]")
        elif node.tag in (qn("w:br"), qn("w:cr")):
            out.append("⏎")
        elif node.tag == qn("w:tab"):
            out.append("\t")
        elif node.tag == qn("w:footnoteReference"):
            out.append(f"[fotnot {node.get(qn('w:id'))}]")
    return "".join(out)


def _walk(parent, prefix: str, lines: list[str]) -> None:
    for el in parent:
        if el.tag == qn("w:p"):
            style = el.find(qn("w:pPr") + "/" + qn("w:pStyle"))
            text = _text(el)
            if text.strip():
                lines.append(f"{prefix}[{style.get(qn('w:val')) if style is not None else ''}] {text}")
        elif el.tag == qn("w:tbl"):
            style = el.find(qn("w:tblPr") + "/" + qn("w:tblStyle"))
            lines.append(f"{prefix}<tabell {style.get(qn('w:val')) if style is not None else ''}>")
            for r, tr in enumerate(el.findall(qn("w:tr"))):
                for c, tc in enumerate(tr.findall(qn("w:tc"))):
                    merge = tc.find(qn("w:tcPr") + "/" + qn("w:vMerge"))
                    span = tc.find(qn("w:tcPr") + "/" + qn("w:gridSpan"))
                    marks = ([f"vMerge={merge.get(qn('w:val')) or 'continue'}"] if merge is not None else []) + \
                        ([f"gridSpan={span.get(qn('w:val'))}"] if span is not None else [])
                    lines.append(f"{prefix}  r{r}c{c}{' (' + ' '.join(marks) + ')' if marks else ''}:")
                    _walk(tc, prefix + "    ", lines)
            lines.append(f"{prefix}</tabell>")
        elif el.tag == qn("w:sdt"):
            _walk(el.find(qn("w:sdtContent")), prefix, lines)


def docx_text(path: Path) -> str:
    """The body's text (see the module docstring), then the footnotes'."""
    doc = Document(str(path))
    lines: list[str] = []
    _walk(doc.element.body, "", lines)
    for part in doc.part.package.parts:
        if part.partname.endswith("/footnotes.xml"):
            from lxml import etree
            root = etree.fromstring(part.blob)
            for note in root.findall(qn("w:footnote")):
                if int(note.get(qn("w:id"))) > 0:
                    lines.append(f"fotnot {note.get(qn('w:id'))}: {_text(note).strip()}")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    import sys
    for name in sys.argv[1:]:
        print(docx_text(Path(name)), end="")
