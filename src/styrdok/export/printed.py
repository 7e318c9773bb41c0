"""The copy with tracked changes, printed: the PDF of it shows the changes as formatting.

LibreOffice (7.4, Debian 12's) numbers a list item that holds a tracked deletion as if the item itself
were deleted: the nämnd's PDF read "[1.] Rapportera …" and "1.[2.] Läs riktlinjen." for a list whose
first item had one word changed. A PDF cannot accept or reject a change anyway, so it is made from a
copy whose revisions are plain formatting: inserted text underlined in blue, deleted text struck
through in red, as LibreOffice and Word show them. The .docx itself keeps its real tracked changes.
"""
from __future__ import annotations

import zipfile
from pathlib import Path

from docx.oxml.ns import qn
from lxml import etree

# The parts that can hold the body's revisions.
PARTS = ("word/document.xml", "word/footnotes.xml")
INSERTED, DELETED = "1F4E9A", "B3261E"          # blue and red with a contrast of at least 4.5:1 on white
NOTE_TRACKED = "visas som spårade ändringar"
NOTE_PRINTED = "är markerade: ny text är understruken, borttagen text är genomstruken"
# The order of a run's properties in WordprocessingML (ECMA-376 CT_RPr), for the ones this adds.
_ORDER = [qn(f"w:{n}") for n in ("rStyle", "rFonts", "b", "bCs", "i", "iCs", "caps", "smallCaps", "strike",
                                   "dstrike", "outline", "shadow", "emboss", "imprint", "noProof", "snapToGrid",
                                   "vanish", "webHidden", "color", "spacing", "w", "kern", "position", "sz", "szCs",
                                   "highlight", "u", "effect")]


def _mark(run, kind: str) -> None:
    """Underline (inserted) or strike through (deleted) one run, in the change's colour."""
    props = run.find(qn("w:rPr"))
    if props is None:
        props = etree.Element(qn("w:rPr"))
        run.insert(0, props)
    if kind == "ins":
        wanted = {qn("w:color"): INSERTED, qn("w:u"): "single"}
    else:
        wanted = {qn("w:color"): DELETED, qn("w:strike"): None}
    for tag, value in wanted.items():
        for old in props.findall(tag):
            props.remove(old)
        element = etree.SubElement(props, tag)
        if value is not None:
            element.set(qn("w:val"), value)
    known = sorted((c for c in props if c.tag in _ORDER), key=lambda c: _ORDER.index(c.tag))
    rest = [c for c in props if c.tag not in _ORDER]
    props[:] = known + rest


def _unwrap(element) -> None:
    parent = element.getparent()
    index = parent.index(element)
    for child in reversed(list(element)):
        parent.insert(index, child)
    parent.remove(element)


def revisions_as_formatting(xml: bytes) -> bytes:
    """One part's w:ins and w:del as formatted runs; the note saying how the changes are shown, reworded."""
    root = etree.fromstring(xml)
    for kind in ("ins", "del"):
        for change in list(root.iter(qn(f"w:{kind}"))):
            if change.getparent() is not None and change.getparent().tag == qn("w:rPr"):
                change.getparent().remove(change)           # a paragraph mark's revision: nothing to show
                continue
            for run in change.iter(qn("w:r")):
                for deleted in run.findall(qn("w:delText")):
                    deleted.tag = qn("w:t")
                _mark(run, kind)
            _unwrap(change)
    for text in root.iter(qn("w:t")):
        if text.text and NOTE_TRACKED in text.text:
            text.text = text.text.replace(NOTE_TRACKED, NOTE_PRINTED)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def printable_copy(docx: Path, out: Path) -> Path:
    """out: docx with its tracked changes as formatting (what its PDF is made from)."""
    with zipfile.ZipFile(docx) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename in PARTS:
                data = revisions_as_formatting(data)
            target.writestr(item, data)
    return out
