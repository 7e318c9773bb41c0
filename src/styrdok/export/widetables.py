"""Wide tables in Word: column widths from their content (each column at least its longest word,
measured in Arial's widths, the rest by amount of text), a landscape section of their own when the
portrait page is too narrow (9 pt text when even landscape is; the heading above goes with the table,
and tables one after the other share their landscape pages), rows that do not split over pages, and
the template's header and footer carried into the sections this adds.
"""
from __future__ import annotations

import copy
import unicodedata

from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn

from .body import text_of

_P = qn("w:p")


# A4 with the reference document's margins (2.5 cm left and right, 2.2 cm top and bottom), in twips.
PAGE_W, PAGE_H, MARGIN_LR, MARGIN_TB = 11906, 16838, 1417, 1247
PORTRAIT_TEXT = PAGE_W - 2 * MARGIN_LR              # 9072
LANDSCAPE_TEXT = PAGE_H - 2 * MARGIN_LR             # 14004
CELL_PADDING = 260          # a cell's left and right margins (108 twips each) and borders
TEXT_HALF_POINTS = 21       # table text: the reference document's 10.5 pt
SMALL_HALF_POINTS = 18      # 9 pt: a table whose words do not fit a landscape page at 10.5 pt
WORD_SLACK = 1.06           # measured widths plus a little (kerning, a bold word in a cell)

# Advance widths (1/1000 em) of Arial, whose metrics Liberation Sans and Helvetica share (the
# fonts' published AFM tables), for printable ASCII from " " to "~": regular, then bold. A letter
# with a diacritic (å ä ö é) is as wide as its base letter; anything else counts as wide as "M".
_ARIAL = [int(w) for w in (
    "278 278 355 556 556 889 667 191 333 333 389 584 278 333 278 278 556 556 556 556 556 556 556 556 556 556 "
    "278 278 584 584 584 556 1015 667 667 722 722 667 611 778 722 278 500 667 556 833 722 778 667 778 722 667 "
    "611 722 667 944 667 667 611 278 278 278 469 556 333 556 556 500 556 556 278 556 556 222 222 500 222 833 "
    "556 556 556 556 333 500 278 556 500 722 500 500 500 334 260 334 584").split()]
_ARIAL_BOLD = [int(w) for w in (
    "278 333 474 556 556 889 722 238 333 333 389 584 278 333 278 278 556 556 556 556 556 556 556 556 556 556 "
    "333 333 584 584 584 611 975 722 722 722 722 667 611 778 722 278 556 722 611 833 722 778 667 778 722 667 "
    "611 722 667 944 667 667 611 333 278 333 584 556 333 556 611 556 611 556 333 611 611 278 278 556 278 889 "
    "611 611 611 611 389 556 333 611 556 778 556 556 500 389 280 389 584").split()]


def _char_width(ch: str, table: list[int]) -> int:
    if " " <= ch <= "~":
        return table[ord(ch) - 32]
    base = unicodedata.normalize("NFD", ch)[0]
    return table[ord(base) - 32] if " " <= base <= "~" else table[ord("M") - 32]


def word_twips(word: str, half_points: int = TEXT_HALF_POINTS, bold: bool = False) -> int:
    """How wide a word prints in Arial at the size (half-points), in twips (1/20 pt)."""
    table = _ARIAL_BOLD if bold else _ARIAL
    return int(sum(_char_width(c, table) for c in word) * half_points / 2 * 20 / 1000 * WORD_SLACK) + 1


def _cell_words(tc) -> list[str]:
    return " ".join(text_of(p) for p in tc.iter(_P)).split()


def _section_paragraph(landscape: bool):
    """An empty paragraph that ends a section (its w:sectPr describes the section before it)."""
    w, h = (PAGE_H, PAGE_W) if landscape else (PAGE_W, PAGE_H)
    orient = ' w:orient="landscape"' if landscape else ""
    return parse_xml(
        f'<w:p {nsdecls("w")}><w:pPr><w:spacing w:before="0" w:after="0" w:line="20" w:lineRule="exact"/>'
        '<w:rPr><w:sz w:val="2"/><w:szCs w:val="2"/></w:rPr><w:sectPr>'
        f'<w:pgSz w:w="{w}" w:h="{h}"{orient}/>'
        f'<w:pgMar w:top="{MARGIN_TB}" w:right="{MARGIN_LR}" w:bottom="{MARGIN_TB}" w:left="{MARGIN_LR}" '
        'w:header="709" w:footer="709" w:gutter="0"/><w:type w:val="nextPage"/></w:sectPr></w:pPr></w:p>')


def _spans_columns(tc) -> bool:
    """A cell over more than one column (pandoc writes gridSpan 1 on the cells of a merged row span)."""
    span = tc.find(qn("w:tcPr") + "/" + qn("w:gridSpan"))
    return span is not None and span.get(qn("w:val"), "1") != "1"


def _minimum_widths(cells: list[list], header_rows: int, half_points: int) -> list[int]:
    """Per column: its widest word (bold in the header rows) and the cell's padding."""
    widest = [0] * len(cells[0])
    for r, row in enumerate(cells):
        for i, tc in enumerate(row):
            for word in _cell_words(tc):
                widest[i] = max(widest[i], word_twips(word, half_points, bold=r < header_rows))
    return [w + CELL_PADDING for w in widest]


def _smaller_text(tbl, half_points: int) -> None:
    """Every run in the table at the given size."""
    for run in tbl.iter(qn("w:r")):
        sz = run.get_or_add_rPr().get_or_add_sz()
        sz.set(qn("w:val"), str(half_points))


def wide_tables(doc) -> None:
    """Column widths from the content, so no word is broken inside a cell: each column is at least
    as wide as its widest word (measured in Arial's widths), and the rest of the line is shared by
    the amount of text. A table that does not fit the portrait page that way gets a landscape
    section of its own (the page before and after stay portrait; headers and footers carry over);
    one whose words do not fit even a landscape page gets 9 pt text. Merged cells (w:vMerge) keep
    their column; a table with cells spanning columns keeps pandoc's widths."""
    body = doc.element.body
    for tbl in body.findall(qn("w:tbl")):
        rows = tbl.findall(qn("w:tr"))
        cells = [r.findall(qn("w:tc")) for r in rows]
        if not rows or any(_spans_columns(tc) for r in cells for tc in r):
            continue
        columns = max(len(r) for r in cells)
        if columns < 2 or any(len(r) != columns for r in cells):
            continue
        header_rows = sum(1 for r in rows if r.find(qn("w:trPr") + "/" + qn("w:tblHeader")) is not None)
        amount = [0] * columns
        for row in cells:
            for i, tc in enumerate(row):
                words = _cell_words(tc)
                amount[i] += sum(map(len, words)) + len(words)
        minimum = _minimum_widths(cells, header_rows, TEXT_HALF_POINTS)
        landscape = sum(minimum) > PORTRAIT_TEXT
        room = LANDSCAPE_TEXT if landscape else PORTRAIT_TEXT
        if sum(minimum) > room:             # even landscape is too narrow: smaller text
            _smaller_text(tbl, SMALL_HALF_POINTS)
            minimum = _minimum_widths(cells, header_rows, SMALL_HALF_POINTS)
        if sum(minimum) > room:             # still too narrow: shrink evenly
            widths = [m * room // sum(minimum) for m in minimum]
        else:
            spare, total = room - sum(minimum), sum(amount) or 1
            widths = [m + spare * a // total for m, a in zip(minimum, amount)]
        _set_widths(tbl, widths)
        _rows_stay_whole(rows)
        if landscape:
            _introduction(tbl).addprevious(_section_paragraph(landscape=False))
            tbl.addnext(_section_paragraph(landscape=True))
    _join_landscape_sections(body)


def _section_end(element) -> str | None:
    """'landscape' or 'portrait' for an empty paragraph that ends a section, else None."""
    if element is None or element.tag != _P or element.find(qn("w:r")) is not None:
        return None
    size = element.find(qn("w:pPr") + "/" + qn("w:sectPr") + "/" + qn("w:pgSz"))
    if size is None:
        return None
    return "landscape" if size.get(qn("w:orient")) == "landscape" else "portrait"


_BOOKMARKS = (qn("w:bookmarkStart"), qn("w:bookmarkEnd"))


def _empty(element) -> bool:
    """A bookmark, or a paragraph with nothing to print that ends no section."""
    if element.tag in _BOOKMARKS:
        return True
    return element.tag == _P and _section_end(element) is None and element.find(".//" + qn("w:t")) is None \
        and element.find(".//" + qn("w:drawing")) is None and element.find(".//" + qn("w:sectPr")) is None


def _join_landscape_sections(body) -> None:
    """Wide tables one after the other share their landscape pages: the portrait section between two
    of them, with nothing in it but empty paragraphs and bookmarks, would print as a blank page."""
    for end in [p for p in body.findall(_P) if _section_end(p) == "landscape"]:
        following = end.getnext()
        while following is not None and _empty(following):
            following = following.getnext()
        if following is not None and _section_end(following) == "portrait":
            body.remove(following)
            body.remove(end)


def _style(element) -> str:
    style = element.find(qn("w:pPr") + "/" + qn("w:pStyle")) if element is not None and element.tag == _P else None
    return style.get(qn("w:val"), "") if style is not None else ""


def _introduction(tbl):
    """The first element of what goes onto a wide table's landscape page with it: its caption (pandoc
    writes it as the paragraph before the table), and the heading right above, with at most one
    paragraph between them and the table (a heading left alone at the foot of the portrait page, its
    table on the next, reads as a section without content)."""
    first = tbl
    if _style(first.getprevious()) == "TableCaption":
        first = first.getprevious()
    before = first.getprevious()
    if _style(before).startswith("Heading"):
        return before
    if before is not None and before.tag == _P and not _style(before).startswith("Heading") and \
            _style(before.getprevious()).startswith("Heading") and before.find(".//" + qn("w:sectPr")) is None:
        return before.getprevious()
    return first


def _rows_stay_whole(rows) -> None:
    """A row is not split over two pages (w:cantSplit): a risk and its åtgärd are read together."""
    for tr in rows:
        tr_pr = tr.find(qn("w:trPr"))
        if tr_pr is None:
            tr_pr = OxmlElement("w:trPr")
            tr.insert(0, tr_pr)
        if tr_pr.find(qn("w:cantSplit")) is None:
            tr_pr.insert(0, OxmlElement("w:cantSplit"))


def carry_headers(body) -> None:
    """The sections wide_tables added get the template's header and footer (its last section's
    references): LibreOffice shows none in a section without them, Word none in the first one."""
    final = body.find(qn("w:sectPr"))
    if final is None:
        return
    refs = [r for r in final if r.tag in (qn("w:headerReference"), qn("w:footerReference"))]
    for sect in list(body.iter(qn("w:sectPr"))):
        if sect is final or sect.find(qn("w:headerReference")) is not None:
            continue
        for ref in reversed(refs):
            sect.insert(0, copy.deepcopy(ref))
        title_page = final.find(qn("w:titlePg"))
        if title_page is not None and sect.find(qn("w:titlePg")) is None:
            sect.find(qn("w:pgMar")).addnext(copy.deepcopy(title_page))


def _set_widths(tbl, widths: list[int]) -> None:
    pr = tbl.find(qn("w:tblPr"))
    for old in pr.findall(qn("w:tblW")) + pr.findall(qn("w:tblLayout")):
        pr.remove(old)
    width = OxmlElement("w:tblW")
    width.set(qn("w:w"), str(sum(widths)))
    width.set(qn("w:type"), "dxa")
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    style = pr.find(qn("w:tblStyle"))      # the schema's order: tblStyle, tblW … tblLayout, tblCellMar, tblLook
    (style.addnext if style is not None else (lambda e: pr.insert(0, e)))(width)
    later = next((pr.find(qn(t)) for t in ("w:tblCellMar", "w:tblLook") if pr.find(qn(t)) is not None), None)
    (later.addprevious if later is not None else pr.append)(layout)
    grid = tbl.find(qn("w:tblGrid"))
    for col in list(grid):
        grid.remove(col)
    for w in widths:
        col = OxmlElement("w:gridCol")
        col.set(qn("w:w"), str(w))
        grid.append(col)
    for tr in tbl.findall(qn("w:tr")):
        for tc, w in zip(tr.findall(qn("w:tc")), widths):
            tc_pr = tc.find(qn("w:tcPr"))
            if tc_pr is None:
                tc_pr = OxmlElement("w:tcPr")
                tc.insert(0, tc_pr)
            for old in tc_pr.findall(qn("w:tcW")):
                tc_pr.remove(old)
            cell_w = OxmlElement("w:tcW")
            cell_w.set(qn("w:w"), str(w))
            cell_w.set(qn("w:type"), "dxa")
            tc_pr.insert(0, cell_w)
