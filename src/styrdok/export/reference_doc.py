"""pandoc's reference document restyled for the kommun (styrdok.export.make_templates writes it):
Arial, dark blue headings, A4, Swedish language, table borders, the admonition styles
Faktaruta/Varningsruta/Tipsruta and their frames; plus the small python-docx helpers the
docxtpl templates are built with."""
from __future__ import annotations

import io
import re
import subprocess

import pypandoc
from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
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

THEME_FONT_ATTRS = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")


# --- low-level helpers ----------------------------------------------------------------------------

def pandoc_reference() -> bytes:
    """pandoc's own reference.docx (the one its docx writer's styles come from)."""
    return subprocess.run([pypandoc.get_pandoc_path(), "--print-default-data-file", "reference.docx"],
                          check=True, capture_output=True).stdout


def xml_el(tag: str, **attrs: str):
    el = OxmlElement(tag)
    for key, value in attrs.items():
        el.set(qn(f"w:{key}"), value)
    return el


def _fonts(rpr, font: str) -> None:
    """Explicit font names; theme references are removed because they win over names."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = xml_el("w:rFonts")
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
    borders = xml_el(tag)
    for edge in edges:
        borders.append(xml_el(f"w:{edge}", val="single", sz=str(size), space="0", color=colour))
    return borders


def shading(fill: str):
    return xml_el("w:shd", val="clear", color="auto", fill=fill)


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
        tbl_pr = xml_el("w:tblPr")
        borders = _borders("w:tblBorders", border, 4, edges=("top", "bottom", "right"))
        borders.insert(1, xml_el("w:left", val="single", sz="36", space="0", color=border))
        tbl_pr.append(borders)
        margins = xml_el("w:tblCellMar")
        for edge, width in (("top", "80"), ("left", "180"), ("bottom", "80"), ("right", "140")):
            margins.append(xml_el(f"w:{edge}", w=width, type="dxa"))
        tbl_pr.append(margins)
        frame.element.append(tbl_pr)
        tcpr = xml_el("w:tcPr")
        tcpr.append(shading(fill))
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
    rpr = xml_el("w:rPr")
    rpr.append(xml_el("w:b"))
    first.insert(0, rpr)
    tcpr = first.find(qn("w:tcPr"))
    tcpr.find(qn("w:tcBorders")).addnext(shading(TABLE_HEADER_FILL))


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


def table_style(table, style_id: str = "Table") -> None:
    """Name the table style explicitly: "Table" is the default table style, which python-docx
    leaves implicit and LibreOffice then does not apply."""
    tbl_pr = table._tbl.tblPr
    existing = tbl_pr.find(qn("w:tblStyle"))
    if existing is None:
        existing = xml_el("w:tblStyle")
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
    clear_body(doc)
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


def clear_body(doc) -> None:
    body = doc.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
