"""Regenerate the Word templates in templates/word/ from pandoc's own reference document.

    python -m styrdok.export.make_templates [--ut templates/word]

Writes four files, the same bytes on every run for the same pandoc version:

- reference.docx: pandoc's `reference.docx`, restyled (Arial, dark blue headings, A4, Swedish
  language, table borders, the admonition styles Faktaruta/Varningsruta/Tipsruta and their frames);
- dokument.docx: the docxtpl template of a styrdokument (header with logo and kommun name, title,
  metadata table, optional table of contents, body, revision history, "Sida X (Y)" footer);
- tjansteskrivelse.docx: the docxtpl template of the memo to a nämnd;
- pandoc.yaml: pandoc's defaults for the body (it reads HTML; the reference document).

All templates start from the restyled reference, so the body pandoc writes and the template it is
placed in share their styles (else the template's same-named styles win and headings change
colour, see shared/KNOWN.md). A kommun changes the look by editing reference.docx in Word and
rebuilding the other two from it (`--referens EGEN.docx`), or by editing dokument.docx directly
as long as it keeps the same styles and `{{ … }}` fields.
"""
from __future__ import annotations

import argparse
import copy
import io
import zipfile
from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from .reference_doc import (DARK_BLUE, GREY, LABEL_FILL, TABLE_HEADER_FILL, TEXT_WIDTH_CM, clear_body, reference_document,
                            shading, styled_reference, table_style, xml_el)

DEFAULTS_YAML = """\
# pandoc defaults for the body of every Word document (styrdok.export). ${.} is this folder.
# pandoc reads the page as the site renders it (HTML from styrdok.render.html), after the Word
# layer (styrdok.export.wordhtml) has adapted it for paper; styrdok passes --from=html itself.
from: html
to: docx
reference-doc: ${.}/reference.docx
"""

# --- the docxtpl templates -------------------------------------------------------------------------

def add_field(paragraph, instruction: str, placeholder: str = "1") -> None:
    """A Word field (PAGE, NUMPAGES, TOC …), filled in by Word and LibreOffice when they lay out the page."""
    def run_with(*children):
        run = paragraph.add_run()
        for child in children:
            run._r.append(child)
        return run

    run_with(xml_el("w:fldChar", fldCharType="begin", dirty="true"))
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    run_with(instr)
    run_with(xml_el("w:fldChar", fldCharType="separate"))
    paragraph.add_run(placeholder)
    run_with(xml_el("w:fldChar", fldCharType="end"))


def _no_borders(table) -> None:
    tbl_pr = table._tbl.tblPr
    borders = xml_el("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        borders.append(xml_el(f"w:{edge}", val="nil"))
    tbl_pr.insert_element_before(borders, "w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook")


def _cell_shading(cell, fill: str) -> None:
    tc_pr = cell._tc.get_or_add_tcPr()
    tc_pr.append(shading(fill))


def _widths(table, widths_cm: list[float]) -> None:
    table.autofit = False
    grid = table._tbl.tblGrid
    for col, width in zip(grid.findall(qn("w:gridCol")), widths_cm):
        col.set(qn("w:w"), str(int(width * 567)))
    for row in table.rows:
        for cell, width in zip(row.cells, widths_cm):
            cell.width = Cm(width)


def _text(cell, text: str, *, bold: bool = False, style: str | None = None, align=None):
    paragraph = cell.paragraphs[0]
    if style:
        paragraph.style = style
    run = paragraph.add_run(text)
    run.bold = bold or None
    if align is not None:
        paragraph.alignment = align
    return paragraph


def _loop_rows(table, row_index: int, start: str, end: str) -> None:
    """Surround table row `row_index` with docxtpl row tags ({%tr … %}) in rows of their own."""
    row = table.rows[row_index]._tr
    for text, place in ((start, row.addprevious), (end, row.addnext)):
        tag_row = copy.deepcopy(row)
        for tc in tag_row.findall(qn("w:tc")):
            for p in tc.findall(qn("w:p"))[1:]:
                tc.remove(p)
            for r in tc.iter(qn("w:r")):
                r.getparent().remove(r)
        first_p = tag_row.find(qn("w:tc")).find(qn("w:p"))
        run = OxmlElement("w:r")
        t = OxmlElement("w:t")
        t.text = text
        run.append(t)
        first_p.append(run)
        place(tag_row)


def _repeat_header(row) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    tr_pr.append(xml_el("w:tblHeader"))


def _header_block(section, right_text: str) -> None:
    """Page header on every page: logo, kommun name, and the document type on the right."""
    header = section.header
    header.is_linked_to_previous = False
    table = header.add_table(rows=1, cols=3, width=Cm(TEXT_WIDTH_CM))
    _no_borders(table)
    _widths(table, [1.8, 8.7, 5.5])
    logo, name, kind = table.rows[0].cells
    _text(logo, "{{ logotyp }}", style="Sidhuvud")
    _text(name, "{{ kommun }}", bold=True, style="Sidhuvud")
    name.paragraphs[0].runs[0].font.size = Pt(12)
    name.paragraphs[0].runs[0].font.color.rgb = RGBColor.from_string(DARK_BLUE)
    _text(kind, right_text, style="Sidhuvud", align=WD_ALIGN_PARAGRAPH.RIGHT)
    for cell in (logo, name, kind):
        cell.vertical_alignment = 1  # centre
    first = header.paragraphs[0]
    first._p.getparent().remove(first._p)
    spacer = header.add_paragraph(style="Sidhuvud")
    spacer.paragraph_format.space_after = Pt(6)


def _footer_block(section, left_text: str) -> None:
    footer = section.footer
    footer.is_linked_to_previous = False
    p = footer.paragraphs[0]
    p.style = "Sidhuvud"
    p.paragraph_format.tab_stops.add_tab_stop(Cm(TEXT_WIDTH_CM), WD_TAB_ALIGNMENT.RIGHT)
    p.add_run(left_text)
    p.add_run("\tSida ")
    add_field(p, "PAGE")
    p.add_run(" (")
    add_field(p, "NUMPAGES")
    p.add_run(")")
    for run in p.runs:
        run.font.size = Pt(8.5)
        run.font.color.rgb = RGBColor.from_string(GREY)


def _data_table(doc, headers: list[str], fields: list[str], widths: list[float], loop: tuple[str, str],
                empty: tuple[str, str, str] | None = None):
    """A table with a repeating header row and one docxtpl loop row (plus an optional 'empty' row)."""
    table = doc.add_table(rows=3 if empty else 2, cols=len(headers))
    table_style(table)
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    for cell, text in zip(table.rows[0].cells, headers):
        _text(cell, text, bold=True, style="Compact")
        _cell_shading(cell, TABLE_HEADER_FILL)
    _repeat_header(table.rows[0])
    for cell, text in zip(table.rows[1].cells, fields):
        _text(cell, text, style="Compact")
    _widths(table, widths)
    if empty:
        cells = table.rows[2].cells
        merged = cells[0].merge(cells[-1])
        for p in merged.paragraphs[1:]:
            p._p.getparent().remove(p._p)
        _text(merged, empty[2], style="Compact")
        _loop_rows(table, 2, empty[0], empty[1])
    _loop_rows(table, 1, *loop)
    return table


def document_template() -> Document:
    doc = styled_reference()
    clear_body(doc)
    section = doc.sections[0]
    _header_block(section, "{{ dokumenttyp }}")
    _footer_block(section, "{{ titel }}")
    doc.add_paragraph("{{ dokumenttyp }}", style="Subtitle")
    doc.add_paragraph("{{ titel }}", style="Title")
    meta = doc.add_table(rows=1, cols=2)
    table_style(meta)
    label, value = meta.rows[0].cells
    _text(label, "{{ rad.etikett }}", bold=True, style="Compact")
    _cell_shading(label, LABEL_FILL)
    _text(value, "{{ rad.varde }}", style="Compact")
    _widths(meta, [5, 11])
    look = meta._tbl.tblPr.find(qn("w:tblLook"))
    if look is not None:
        meta._tbl.tblPr.remove(look)
    meta._tbl.tblPr.append(xml_el("w:tblLook", val="0000", firstRow="0", lastRow="0", firstColumn="0",
                               lastColumn="0", noHBand="1", noVBand="1"))
    _loop_rows(meta, 0, "{%tr for rad in metadata %}", "{%tr endfor %}")
    doc.add_paragraph("{%p if notering %}")
    doc.add_paragraph("{{ notering }}", style="Notering")
    doc.add_paragraph("{%p endif %}")
    doc.add_paragraph("{%p if innehallsforteckning %}")
    doc.add_paragraph("Innehåll", style="TOC Heading")
    doc.add_paragraph("{{p innehall }}")
    doc.add_paragraph("{%p endif %}")
    doc.add_paragraph("{{p brodtext }}")
    doc.add_paragraph("Revisionshistorik", style="Heading 1")
    _data_table(doc, ["Datum", "Vem", "Vad"], ["{{ r.datum }}", "{{ r.vem }}", "{{ r.vad }}"], [2.6, 4.4, 9],
                ("{%tr for r in revisioner %}", "{%tr endfor %}"),
                empty=("{%tr if not revisioner %}", "{%tr endif %}", "Ingen revisionshistorik ännu."))
    return doc


def memo_template() -> Document:
    doc = styled_reference()
    clear_body(doc)
    section = doc.sections[0]
    _header_block(section, "TJÄNSTESKRIVELSE")
    _footer_block(section, "Tjänsteskrivelse {{ diarienummer }}")
    info = doc.add_table(rows=2, cols=3)
    table_style(info)
    for cell, text in zip(info.rows[0].cells, ["Datum", "Diarienummer", "Handläggare"]):
        _text(cell, text, bold=True, style="Compact")
        _cell_shading(cell, LABEL_FILL)
    for cell, text in zip(info.rows[1].cells, ["{{ datum }}", "{{ diarienummer }}", "{{ handlaggare }}"]):
        _text(cell, text, style="Compact")
    _widths(info, [4, 5, 7])
    doc.add_paragraph("")
    to = doc.add_paragraph("{{ namnd }}", style="Body Text")
    to.runs[0].bold = True
    doc.add_paragraph("{{ arende }}", style="Title")
    doc.add_paragraph("Förslag till beslut", style="Heading 1")
    doc.add_paragraph("{%p for punkt in forslag %}")
    doc.add_paragraph("{% if forslag|length > 1 %}{{ loop.index }}. {% endif %}{{ punkt }}", style="Body Text")
    doc.add_paragraph("{%p endfor %}")
    doc.add_paragraph("Sammanfattning av ärendet", style="Heading 1")
    doc.add_paragraph("{{ sammanfattning }}", style="Body Text")
    doc.add_paragraph("Beskrivning av ärendet", style="Heading 1")
    doc.add_paragraph("{{p beskrivning }}")
    doc.add_paragraph("Vad som har ändrats", style="Heading 1")
    doc.add_paragraph("{%p for andring in andringar %}")
    doc.add_paragraph("– {{ andring }}", style="Compact")
    doc.add_paragraph("{%p endfor %}")
    doc.add_paragraph("{%p if not andringar %}")
    doc.add_paragraph("Inga ändringar har registrerats sedan förra beslutet.", style="Body Text")
    doc.add_paragraph("{%p endif %}")
    doc.add_paragraph("Beslutsunderlag", style="Heading 1")
    doc.add_paragraph("{%p for handling in handlingar %}")
    doc.add_paragraph("{{ handling.namn }} ({{ handling.filer | join(', ') }})", style="Compact")
    doc.add_paragraph("{%p endfor %}")
    doc.add_paragraph("{%p if not handlingar %}")
    doc.add_paragraph("Tjänsteskrivelse {{ datum }}", style="Compact")
    doc.add_paragraph("Bilaga: {{ bilaga }}", style="Compact")
    doc.add_paragraph("{%p endif %}")
    doc.add_paragraph("", style="Body Text")
    doc.add_paragraph("", style="Body Text")
    doc.add_paragraph("{{ handlaggare }}", style="Body Text")
    return doc


# --- writing ----------------------------------------------------------------------------------------

def _deterministic(data: bytes) -> bytes:
    """Re-zip with fixed timestamps and order, so unchanged templates are byte-identical in git."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(2025, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


def _bytes(doc) -> bytes:
    buf = io.BytesIO()
    doc.save(buf)
    return _deterministic(buf.getvalue())


def write_templates(out: Path) -> list[Path]:
    """Write the four template files into `out` (created if needed); returns their paths."""
    out.mkdir(parents=True, exist_ok=True)
    files = {
        "reference.docx": _bytes(reference_document()),
        "dokument.docx": _bytes(document_template()),
        "tjansteskrivelse.docx": _bytes(memo_template()),
        "pandoc.yaml": DEFAULTS_YAML.encode("utf-8"),
    }
    written = []
    for name, data in files.items():
        path = out / name
        tmp = path.with_name(f".{name}.tmp")
        tmp.write_bytes(data)
        tmp.replace(path)
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m styrdok.export.make_templates",
        description="Skriv om Word-mallarna (reference.docx, dokument.docx, tjansteskrivelse.docx, pandoc.yaml) "
                    "från pandocs referensdokument.")
    default = Path(__file__).resolve().parents[3] / "templates" / "word"
    parser.add_argument("--ut", type=Path, default=default, help=f"mapp att skriva till (standard: {default})")
    args = parser.parse_args(argv)
    for path in write_templates(args.ut):
        print(f"Skrev {path}")


if __name__ == "__main__":
    main()
