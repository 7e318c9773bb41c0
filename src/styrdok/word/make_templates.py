"""Regenerate the Word templates in templates/word/ from pandoc's own reference document.

    python -m styrdok.word.make_templates [--ut templates/word]

All three files start from `pandoc --print-default-data-file reference.docx`, so the body that
pandoc writes and the docxtpl templates share the same styles (else the template's styles win
and headings change colour). A kommun replaces these files with its own, made the same way.
"""
from __future__ import annotations

import argparse
import copy
import io
import subprocess
from pathlib import Path

import pypandoc
from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

FONT = "Liberation Sans"      # metric-compatible with Arial; installed with LibreOffice's fonts
HEADING_COLOUR = RGBColor(0x1A, 0x23, 0x7E)


def pandoc_reference() -> bytes:
    return subprocess.run([pypandoc.get_pandoc_path(), "--print-default-data-file", "reference.docx"],
                          check=True, capture_output=True).stdout


def _plain_font(style, size: float | None = None, colour: RGBColor | None = None, bold: bool | None = None):
    """Set an explicit font, removing the theme font references that would override it."""
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), FONT)
    if size:
        style.font.size = Pt(size)
    if colour is not None:
        style.font.color.rgb = colour
    if bold is not None:
        style.font.bold = bold


def _shade(paragraph_format_element, fill: str, border: str) -> None:
    ppr = paragraph_format_element
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    bdr = OxmlElement("w:pBdr")
    left = OxmlElement("w:left")
    for k, v in (("w:val", "single"), ("w:sz", "24"), ("w:space", "6"), ("w:color", border)):
        left.set(qn(k), v)
    bdr.append(left)
    ppr.append(bdr)
    ppr.append(shd)


def styled_reference() -> Document:
    doc = Document(io.BytesIO(pandoc_reference()))
    styles = doc.styles
    for name in ("Normal", "Body Text", "First Paragraph", "Compact", "Table"):
        if name in [s.name for s in styles]:
            _plain_font(styles[name], 10.5 if name != "Table" else None)
    for level, size in ((1, 16), (2, 13), (3, 11.5), (4, 11)):
        _plain_font(styles[f"Heading {level}"], size, HEADING_COLOUR, True)
    _plain_font(styles["Title"], 22, HEADING_COLOUR, True)
    for name, fill, border in (("Faktaruta", "EEF0FA", "303F9F"), ("Varningsruta", "FFF4E5", "B26A00")):
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = styles["Body Text"]
        style.paragraph_format.left_indent = Cm(0.4)
        style.paragraph_format.space_after = Pt(4)
        _shade(style.element.get_or_add_pPr(), fill, border)
    for section in doc.sections:
        section.left_margin = section.right_margin = Cm(2.5)
        section.top_margin = Cm(2)
        section.bottom_margin = Cm(2)
    return doc


def _field(paragraph, instruction: str) -> None:
    """A Word field (PAGE, NUMPAGES, TOC …) that Word and LibreOffice fill in when opened."""
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, instruction), ("separate", None), (None, "1"), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
            if kind == "begin":
                el.set(qn("w:dirty"), "true")
            run._r.append(el)
        elif text == "1":
            t = OxmlElement("w:t")
            t.text = "1"
            run._r.append(t)
        else:
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = f" {text} "
            run._r.append(instr)


def _footer(doc: Document, label: str) -> None:
    footer = doc.sections[0].footer
    p = footer.paragraphs[0]
    p.text = ""
    p.add_run(f"{label}    Sida ")
    _field(p, "PAGE")
    p.add_run(" (")
    _field(p, "NUMPAGES")
    p.add_run(")")
    for run in p.runs:
        run.font.size = Pt(8.5)


def _table(doc: Document, headers: list[str] | None, cells: list[str], widths: list[float]):
    rows = 2 if headers else 1
    table = doc.add_table(rows=rows, cols=len(cells))
    table.style = doc.styles["Table"]
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        for k, v in (("w:val", "single"), ("w:sz", "4"), ("w:space", "0"), ("w:color", "9FA8DA")):
            el.set(qn(k), v)
        borders.append(el)
    tbl_pr.append(borders)
    if headers:
        for cell, text in zip(table.rows[0].cells, headers):
            cell.text = text
            cell.paragraphs[0].runs[0].bold = True
    for cell, text in zip(table.rows[-1].cells, cells):
        cell.text = text
    for row in table.rows:
        for cell, width in zip(row.cells, widths):
            cell.width = Cm(width)
    return table


def document_template() -> Document:
    doc = styled_reference()
    body = doc.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    doc.add_paragraph("{{ logotyp }}")
    p = doc.add_paragraph("{{ kommun }}")
    p.runs[0].bold = True
    doc.add_paragraph("{{ titel }}", style="Title")
    meta = _table(doc, None, ["{%tr for rad in metadata %}", ""], [5, 11])
    # one row per metadata field: label | value
    row = meta.rows[0]
    row.cells[0].text = "{{ rad.etikett }}"
    row.cells[0].paragraphs[0].runs[0].bold = True
    row.cells[1].text = "{{ rad.varde }}"
    start = copy.deepcopy(row._tr)
    end = copy.deepcopy(row._tr)
    for tr, text in ((start, "{%tr for rad in metadata %}"), (end, "{%tr endfor %}")):
        for t in tr.iter(qn("w:t")):
            t.text = ""
        tr.find(".//" + qn("w:t")).text = text
    row._tr.addprevious(start)
    row._tr.addnext(end)
    doc.add_paragraph("{%p if innehallsforteckning %}")
    doc.add_paragraph("Innehåll", style="Heading 1")
    _field(doc.add_paragraph(), 'TOC \\o "1-3" \\h \\z \\u')
    doc.add_paragraph("{%p endif %}")
    doc.add_paragraph("{{p brodtext }}")
    doc.add_paragraph("Revisionshistorik", style="Heading 1")
    hist = _table(doc, ["Datum", "Vem", "Vad"], ["{{ r.datum }}", "{{ r.vem }}", "{{ r.vad }}"], [3, 4.5, 8.5])
    row = hist.rows[1]
    start = copy.deepcopy(row._tr)
    end = copy.deepcopy(row._tr)
    for tr, text in ((start, "{%tr for r in revisioner %}"), (end, "{%tr endfor %}")):
        for t in tr.iter(qn("w:t")):
            t.text = ""
        tr.find(".//" + qn("w:t")).text = text
    row._tr.addprevious(start)
    row._tr.addnext(end)
    _footer(doc, "{{ titel }}")
    return doc


def memo_template() -> Document:
    doc = styled_reference()
    body = doc.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    p = doc.add_paragraph("{{ kommun }}")
    p.runs[0].bold = True
    doc.add_paragraph("{{ forvaltning }}")
    _table(doc, ["Datum", "Diarienummer", "Handläggare"], ["{{ datum }}", "{{ diarienummer }}", "{{ handlaggare }}"],
           [4, 5, 7])
    doc.add_paragraph("Tjänsteskrivelse", style="Title")
    doc.add_paragraph("Till {{ namnd }}")
    doc.add_paragraph("{{ arende }}", style="Heading 1")
    doc.add_paragraph("Förslag till beslut", style="Heading 2")
    doc.add_paragraph("{%p for punkt in forslag %}")
    doc.add_paragraph("{{ punkt }}", style="List Number" if "List Number" in [s.name for s in doc.styles] else None)
    doc.add_paragraph("{%p endfor %}")
    doc.add_paragraph("Sammanfattning", style="Heading 2")
    doc.add_paragraph("{{ sammanfattning }}")
    doc.add_paragraph("Beskrivning av ärendet", style="Heading 2")
    doc.add_paragraph("{{p beskrivning }}")
    doc.add_paragraph("Vad som har ändrats", style="Heading 2")
    doc.add_paragraph("{%p for andring in andringar %}")
    doc.add_paragraph("– {{ andring }}")
    doc.add_paragraph("{%p endfor %}")
    doc.add_paragraph("Bilaga", style="Heading 2")
    doc.add_paragraph("{{ bilaga }}")
    doc.add_paragraph("")
    doc.add_paragraph("{{ handlaggare }}")
    _footer(doc, "Tjänsteskrivelse: {{ arende }}")
    return doc


def write_templates(out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, doc in (("reference.docx", styled_reference()), ("dokument.docx", document_template()),
                      ("tjansteskrivelse.docx", memo_template())):
        path = out / name
        doc.save(str(path))
        written.append(path)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description="Skriv om Word-mallarna i templates/word/ från pandocs referensdokument.")
    parser.add_argument("--ut", type=Path, default=Path("templates/word"))
    args = parser.parse_args()
    for path in write_templates(args.ut):
        print(f"Skrev {path}")


if __name__ == "__main__":
    main()
