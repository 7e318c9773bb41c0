"""Regenerate the Word templates in templates/word/ from pandoc's own reference document.

    python -m styrdok.export.make_templates [--ut templates/word]

Writes four files, the same bytes on every run for the same pandoc version:

- reference.docx: pandoc's `reference.docx`, restyled (Arial, dark blue headings, A4, Swedish
  language, table borders, the admonition styles Faktaruta/Varningsruta/Tipsruta and their frames);
- dokument.docx: the docxtpl template of a styrdokument (header with logo and kommun name, title,
  metadata table, optional table of contents, body, revision history, "Sida X (Y)" footer);
- tjansteskrivelse.docx: the docxtpl template of the memo to a nämnd;
- pandoc.yaml: pandoc's defaults for the body (reader extensions, the reference document).

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
import re
import subprocess
import zipfile
from pathlib import Path

import pypandoc
from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from .templates import BOX_FRAME_SUFFIX, BOXES

FONT = "Arial"                 # LibreOffice substitutes the metric-compatible Liberation Sans
MONO = "Courier New"
DARK_BLUE = "1F3A68"
GREY = "4A5568"
TABLE_BORDER = "A6B4C8"
TABLE_HEADER_FILL = "DCE4F0"
LABEL_FILL = "EEF1F6"
TEXT_WIDTH_CM = 16.0           # A4 with 2.5 cm margins

DEFAULTS_YAML = """\
# pandoc defaults for the body of every Word document (styrdok.export). ${.} is this folder.
# pandoc reads the page as the site renders it (HTML from styrdok.render.html), after the Word
# layer (styrdok.export.wordhtml) has adapted it for paper; styrdok passes --from=html itself.
from: html
to: docx
reference-doc: ${.}/reference.docx
"""

THEME_FONT_ATTRS = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")


# --- low-level helpers ----------------------------------------------------------------------------

def pandoc_reference() -> bytes:
    """pandoc's own reference.docx (the one its docx writer's styles come from)."""
    return subprocess.run([pypandoc.get_pandoc_path(), "--print-default-data-file", "reference.docx"],
                          check=True, capture_output=True).stdout


def _el(tag: str, **attrs: str):
    el = OxmlElement(tag)
    for key, value in attrs.items():
        el.set(qn(f"w:{key}"), value)
    return el


def _fonts(rpr, font: str) -> None:
    """Explicit font names; theme references are removed because they win over names."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = _el("w:rFonts")
        rpr.insert(0, fonts)
    for attr in THEME_FONT_ATTRS:
        fonts.attrib.pop(qn(attr), None)
    for attr in ("ascii", "hAnsi", "cs", "eastAsia"):
        fonts.set(qn(f"w:{attr}"), font)


def _find_style(doc, name: str):
    """A style by its displayed name, whatever case the file uses ("Caption" vs "caption")."""
    for style in doc.styles:
        if style.name and style.name.lower() == name.lower():
            return style
    raise KeyError(name)


def _style(doc, name: str, *, size: float | None = None, colour: str | None = None, bold: bool | None = None,
           italic: bool | None = None, before: float | None = None, after: float | None = None,
           keep_next: bool | None = None, align=None):
    style = _find_style(doc, name)
    if size is not None:
        style.font.size = Pt(size)
    if colour is not None:
        style.font.color.rgb = RGBColor.from_string(colour)
        colour_el = style.element.rPr.find(qn("w:color"))
        for attr in ("w:themeColor", "w:themeShade", "w:themeTint"):
            colour_el.attrib.pop(qn(attr), None)
    if bold is not None:
        style.font.bold = bold
    if italic is not None:
        style.font.italic = italic
    fmt = getattr(style, "paragraph_format", None)
    if fmt is not None:
        if before is not None:
            fmt.space_before = Pt(before)
        if after is not None:
            fmt.space_after = Pt(after)
        if keep_next is not None:
            fmt.keep_with_next = keep_next
        if align is not None:
            fmt.alignment = align
    return style


def _borders(tag: str, colour: str, size: int = 4, edges=("top", "left", "bottom", "right", "insideH", "insideV")):
    borders = _el(tag)
    for edge in edges:
        borders.append(_el(f"w:{edge}", val="single", sz=str(size), space="0", color=colour))
    return borders


def _shading(fill: str):
    return _el("w:shd", val="clear", color="auto", fill=fill)


# --- the reference document ------------------------------------------------------------------------

def _restyle_fonts(doc) -> None:
    styles = doc.styles.element
    defaults = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _fonts(defaults, FONT)
    size = defaults.find(qn("w:sz"))
    size.set(qn("w:val"), "21")                       # 10.5 pt: Arial runs large
    defaults.find(qn("w:szCs")).set(qn("w:val"), "21")
    lang = defaults.find(qn("w:lang"))
    lang.set(qn("w:val"), "sv-SE")
    for fonts in styles.iter(qn("w:rFonts")):
        if any(fonts.get(qn(a)) for a in THEME_FONT_ATTRS):
            mono = "mono" in (fonts.get(qn("w:ascii")) or "").lower() or "Consolas" in (fonts.get(qn("w:ascii")) or "")
            for attr in THEME_FONT_ATTRS:
                fonts.attrib.pop(qn(attr), None)
            if not fonts.get(qn("w:ascii")) or not mono:
                for attr in ("ascii", "hAnsi", "cs", "eastAsia"):
                    fonts.set(qn(f"w:{attr}"), FONT)
    verbatim = doc.styles["Verbatim Char"].element.get_or_add_rPr()
    _fonts(verbatim, MONO)
    # The theme's fonts too, for anything in Word that still asks the theme.
    for part in doc.part.package.parts:
        if part.partname.endswith("theme1.xml"):
            part._blob = re.sub(rb'<a:latin typeface="[^"]*"', f'<a:latin typeface="{FONT}"'.encode(), part.blob)


def _restyle_paragraphs(doc) -> None:
    _style(doc, "Body Text", before=0, after=6)
    _style(doc, "First Paragraph", before=0, after=6)
    _style(doc, "Compact", before=1, after=1)
    _style(doc, "Title", size=22, colour=DARK_BLUE, bold=True, after=10, align=WD_ALIGN_PARAGRAPH.LEFT)
    _style(doc, "Subtitle", size=10, colour=GREY, bold=True, before=0, after=2, align=WD_ALIGN_PARAGRAPH.LEFT)
    for level, size, before, after in ((1, 15, 16, 4), (2, 12.5, 12, 3), (3, 11, 10, 2), (4, 10.5, 8, 2),
                                       (5, 10.5, 6, 2), (6, 10.5, 6, 2)):
        _style(doc, f"Heading {level}", size=size, colour=DARK_BLUE, bold=True, before=before, after=after,
               keep_next=True)
    _style(doc, "Heading 4", italic=True)
    _style(doc, "TOC Heading", size=13, colour=DARK_BLUE, bold=True, before=6, after=6)
    _style(doc, "Footnote Text", size=9)
    _style(doc, "Caption", size=9, colour=GREY)
    _style(doc, "Hyperlink", colour="1F4E9A")
    _style(doc, "Block Text", colour=GREY, before=4, after=4)
    _style(doc, "Definition Term", bold=True, before=4, after=0)
    # New paragraph styles.
    styles = doc.styles
    body = styles["Body Text"]
    for name, (fill, border) in BOXES.items():
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = body
        style.paragraph_format.space_before = Pt(2)
        style.paragraph_format.space_after = Pt(3)
        frame = styles.add_style(name + BOX_FRAME_SUFFIX, WD_STYLE_TYPE.TABLE)
        frame.base_style = styles["Table"]
        tbl_pr = _el("w:tblPr")
        borders = _borders("w:tblBorders", border, 4, edges=("top", "bottom", "right"))
        borders.insert(1, _el("w:left", val="single", sz="36", space="0", color=border))
        tbl_pr.append(borders)
        margins = _el("w:tblCellMar")
        for edge, width in (("top", "80"), ("left", "180"), ("bottom", "80"), ("right", "140")):
            margins.append(_el(f"w:{edge}", w=width, type="dxa"))
        tbl_pr.append(margins)
        frame.element.append(tbl_pr)
        tcpr = _el("w:tcPr")
        tcpr.append(_shading(fill))
        frame.element.append(tcpr)
    for level in (1, 2, 3):          # Word's built-in TOC styles, used by the table of contents
        toc = styles.add_style(f"toc {level}", WD_STYLE_TYPE.PARAGRAPH)
        toc.style_id = f"TOC{level}"
        toc.base_style = styles["Normal"]
        toc.paragraph_format.left_indent = Cm(0.5 * (level - 1))
        toc.paragraph_format.space_after = Pt(2)
        toc.font.bold = level == 1 or None
    note = styles.add_style("Notering", WD_STYLE_TYPE.PARAGRAPH)
    note.base_style = body
    note.font.italic = True
    note.font.color.rgb = RGBColor.from_string("9C2F00")
    note.paragraph_format.space_before = Pt(8)
    note.paragraph_format.space_after = Pt(4)
    label = styles.add_style("Sidhuvud", WD_STYLE_TYPE.PARAGRAPH)
    label.base_style = styles["Normal"]
    label.font.size = Pt(9)
    label.font.color.rgb = RGBColor.from_string(GREY)
    label.paragraph_format.space_after = Pt(0)


def _restyle_table(doc) -> None:
    """pandoc's "Table": thin borders everywhere, a shaded bold header row."""
    table = doc.styles["Table"].element
    tbl_pr = table.find(qn("w:tblPr"))
    tbl_pr.insert_element_before(_borders("w:tblBorders", TABLE_BORDER), "w:shd", "w:tblLayout", "w:tblCellMar",
                                 "w:tblLook")
    margins = tbl_pr.find(qn("w:tblCellMar"))
    for edge in ("top", "bottom"):
        margins.find(qn(f"w:{edge}")).set(qn("w:w"), "40")
    first = table.find(qn("w:tblStylePr"))
    rpr = _el("w:rPr")
    rpr.append(_el("w:b"))
    first.insert(0, rpr)
    tcpr = first.find(qn("w:tcPr"))
    tcpr.find(qn("w:tcBorders")).addnext(_shading(TABLE_HEADER_FILL))


def _page(doc) -> None:
    for section in doc.sections:
        section.page_width, section.page_height = Cm(21), Cm(29.7)
        section.left_margin = section.right_margin = Cm(2.5)
        section.top_margin, section.bottom_margin = Cm(2.2), Cm(2.2)
        section.header_distance = section.footer_distance = Cm(1)


def _settings(doc) -> None:
    settings = doc.settings.element
    lang = settings.find(qn("w:themeFontLang"))
    if lang is not None:
        lang.set(qn("w:val"), "sv-SE")
    decimal = settings.find(qn("w:decimalSymbol"))
    if decimal is not None:
        decimal.set(qn("w:val"), ",")
    separator = settings.find(qn("w:listSeparator"))
    if separator is not None:
        separator.set(qn("w:val"), ";")


def _drop_samples(doc) -> None:
    """pandoc's reference has a sample footnote; a template must not carry it into documents."""
    for part in doc.part.package.parts:
        if part.partname.endswith("/footnotes.xml"):
            part._blob = re.sub(rb'<w:footnote w:id="(?!-1"|0")[^"]*">.*?</w:footnote>', b"", part.blob, flags=re.S)


def _table_style(table, style_id: str = "Table") -> None:
    """Name the table style explicitly: "Table" is the default table style, which python-docx
    leaves implicit and LibreOffice then does not apply."""
    tbl_pr = table._tbl.tblPr
    existing = tbl_pr.find(qn("w:tblStyle"))
    if existing is None:
        existing = _el("w:tblStyle")
        tbl_pr.insert(0, existing)
    existing.set(qn("w:val"), style_id)


def _fixed_properties(doc) -> None:
    """Same bytes on every run: no creation time, no author from the machine."""
    import datetime as dt
    props = doc.core_properties
    props.author = "styrdok"
    props.last_modified_by = "styrdok"
    props.created = props.modified = dt.datetime(2025, 1, 1)
    props.revision = 1
    props.title = ""


def styled_reference() -> Document:
    doc = Document(io.BytesIO(pandoc_reference()))
    _restyle_fonts(doc)
    _restyle_paragraphs(doc)
    _restyle_table(doc)
    _page(doc)
    _settings(doc)
    _drop_samples(doc)
    _fixed_properties(doc)
    return doc


def reference_document() -> Document:
    """The reference with a short style sample as its body (pandoc ignores the body)."""
    doc = styled_reference()
    _clear_body(doc)
    doc.add_paragraph("Referensdokument för styrdok", style="Title")
    doc.add_paragraph("Pandoc hämtar formatmallarna härifrån. Ändra formatmallarna (inte texten) i Word och "
                      "bygg sedan om mallarna: python -m styrdok.export.make_templates --referens reference.docx",
                      style="Body Text")
    for level in (1, 2, 3):
        doc.add_paragraph(f"Rubrik {level}", style=f"Heading {level}")
        doc.add_paragraph("Brödtext i formatmallen Body Text.", style="Body Text")
    for name in BOXES:
        doc.add_paragraph(f"{name}: text i en ruta (ramen är tabellformatet '{name}{BOX_FRAME_SUFFIX}').", style=name)
    return doc


# --- the docxtpl templates -------------------------------------------------------------------------

def _clear_body(doc) -> None:
    body = doc.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)


def add_field(paragraph, instruction: str, placeholder: str = "1") -> None:
    """A Word field (PAGE, NUMPAGES, TOC …), filled in by Word and LibreOffice when they lay out the page."""
    def run_with(*children):
        run = paragraph.add_run()
        for child in children:
            run._r.append(child)
        return run

    run_with(_el("w:fldChar", fldCharType="begin", dirty="true"))
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    run_with(instr)
    run_with(_el("w:fldChar", fldCharType="separate"))
    paragraph.add_run(placeholder)
    run_with(_el("w:fldChar", fldCharType="end"))


def _no_borders(table) -> None:
    tbl_pr = table._tbl.tblPr
    borders = _el("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        borders.append(_el(f"w:{edge}", val="nil"))
    tbl_pr.insert_element_before(borders, "w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook")


def _cell_shading(cell, fill: str) -> None:
    tc_pr = cell._tc.get_or_add_tcPr()
    tc_pr.append(_shading(fill))


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
    tr_pr.append(_el("w:tblHeader"))


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
    _table_style(table)
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
    _clear_body(doc)
    section = doc.sections[0]
    _header_block(section, "{{ dokumenttyp }}")
    _footer_block(section, "{{ titel }}")
    doc.add_paragraph("{{ dokumenttyp }}", style="Subtitle")
    doc.add_paragraph("{{ titel }}", style="Title")
    meta = doc.add_table(rows=1, cols=2)
    _table_style(meta)
    label, value = meta.rows[0].cells
    _text(label, "{{ rad.etikett }}", bold=True, style="Compact")
    _cell_shading(label, LABEL_FILL)
    _text(value, "{{ rad.varde }}", style="Compact")
    _widths(meta, [5, 11])
    look = meta._tbl.tblPr.find(qn("w:tblLook"))
    if look is not None:
        meta._tbl.tblPr.remove(look)
    meta._tbl.tblPr.append(_el("w:tblLook", val="0000", firstRow="0", lastRow="0", firstColumn="0",
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
    _clear_body(doc)
    section = doc.sections[0]
    _header_block(section, "TJÄNSTESKRIVELSE")
    _footer_block(section, "Tjänsteskrivelse {{ diarienummer }}")
    info = doc.add_table(rows=2, cols=3)
    _table_style(info)
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
