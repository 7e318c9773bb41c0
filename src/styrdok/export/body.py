"""The body of Word documents: pandoc turns the Word layer's HTML (styrdok.export.wordhtml) into
WordprocessingML, many documents in one pandoc process, and the elements are then shaped for the
template: admonition boxes framed, table headers repeated, the body split per document, and a
table of contents made from the headings.
"""
from __future__ import annotations

import random
import re
import subprocess
from copy import deepcopy
from pathlib import Path
from typing import Sequence

import pypandoc
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docxcompose.utils import NS, xpath
from docxtpl.subdoc import SubdocComposer
from lxml import etree

from .templates import BOX_FRAME_SUFFIX, BOXES, ExportError, Templates
from .wordhtml import BOX_END, BOX_START, FOOTNOTE_CLASS, FOOTNOTE_FILTER

DOC_BREAK = "STYRDOK-DOKUMENT-SLUT"
_STYLE, _STYLE_ID, _VAL = qn("w:style"), qn("w:styleId"), qn("w:val")
_NUM, _ABSTRACT_NUM, _NUM_ID = qn("w:num"), qn("w:abstractNum"), qn("w:numId")
_NUM_ID_ATTR, _ABSTRACT_NUM_ID_ATTR = qn("w:numId"), qn("w:abstractNumId")
_P, _T, _TBL, _SECT_PR = qn("w:p"), qn("w:t"), qn("w:tbl"), qn("w:sectPr")
_P_STYLE = qn("w:pPr") + "/" + qn("w:pStyle")
_TOC_LEVEL = re.compile(r"Heading[123]")
_STYLE_REFS = etree.XPath(".//w:tblStyle|.//w:pStyle|.//w:rStyle", namespaces=NS)


def combined_html(bodies: Sequence[str]) -> str:
    """All bodies in one pandoc input, each followed by a break marker paragraph."""
    return "".join(body.rstrip("\n") + f"\n<p>{DOC_BREAK}</p>\n" for body in bodies)


def run_pandoc(html: str, out: Path, templates: Templates, resource_dir: Path, labels: list[str]) -> None:
    """pandoc reads HTML (whatever the defaults file's `from:` says) and writes out (.docx)."""
    filters = []
    if FOOTNOTE_CLASS in html:          # the filter leaves a body without footnotes as it is: 10 % of pandoc's time
        lua = resource_dir.parent / "fotnoter.lua"
        lua.write_text(FOOTNOTE_FILTER, encoding="utf-8")
        filters.append(f"--lua-filter={lua}")
    args = [pypandoc.get_pandoc_path(), "--defaults", str(templates.defaults), "--from=html", "--to=docx",
            *filters, f"--resource-path={resource_dir}", "-o", str(out)]
    try:
        proc = subprocess.run(args, input=html.encode("utf-8"), capture_output=True, timeout=600)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ExportError(f"pandoc kunde inte köras ({exc}). Installera om pypandoc-binary.") from None
    if proc.returncode != 0:
        raise ExportError(f"pandoc kunde inte skriva brödtexten för {', '.join(labels)}: "
                          + proc.stderr.decode("utf-8", "replace").strip())


def text_of(el) -> str:
    return "".join(t.text or "" for t in el.iter(_T))


def _marker(el) -> str | None:
    if el.tag != _P:
        return None
    text = text_of(el).strip()
    return text if text.startswith("STYRDOK-") else None


def _box_table(kind: str, frame_style_id: str | None):
    fill, border = BOXES.get(kind, BOXES["Faktaruta"])
    style = f'<w:tblStyle w:val="{frame_style_id}"/>' if frame_style_id else ""
    direct = "" if frame_style_id else (
        f'<w:tblBorders><w:top w:val="single" w:sz="4" w:space="0" w:color="{border}"/>'
        f'<w:left w:val="single" w:sz="36" w:space="0" w:color="{border}"/>'
        f'<w:bottom w:val="single" w:sz="4" w:space="0" w:color="{border}"/>'
        f'<w:right w:val="single" w:sz="4" w:space="0" w:color="{border}"/></w:tblBorders>')
    shading = "" if frame_style_id else f'<w:shd w:val="clear" w:color="auto" w:fill="{fill}"/>'
    return parse_xml(
        f'<w:tbl {nsdecls("w")}><w:tblPr>{style}<w:tblW w:w="5000" w:type="pct"/>{direct}'
        '<w:tblLook w:val="0000" w:firstRow="0" w:lastRow="0" w:firstColumn="0" w:lastColumn="0" '
        'w:noHBand="1" w:noVBand="1"/></w:tblPr>'
        '<w:tblGrid><w:gridCol w:w="9070"/></w:tblGrid>'
        f'<w:tr><w:trPr><w:cantSplit/></w:trPr><w:tc><w:tcPr><w:tcW w:w="5000" w:type="pct"/>{shading}</w:tcPr>'
        '</w:tc></w:tr></w:tbl>')


def frame_boxes(doc) -> None:
    """Admonitions: the paragraphs between a box's start and end markers move into a one-cell
    table with the frame style (shading, a thick left border). Nested boxes nest."""
    frame_ids = {}
    for style in doc.styles:
        if style.name and style.name.endswith(BOX_FRAME_SUFFIX):
            frame_ids[style.name[: -len(BOX_FRAME_SUFFIX)]] = style.style_id
    body = doc.element.body
    open_boxes: list = []           # start marker elements, innermost last
    for el in list(body):
        marker = _marker(el)
        if marker and marker.startswith(BOX_START):
            open_boxes.append(el)
        elif marker == BOX_END:
            if not open_boxes:
                body.remove(el)
                continue
            start = open_boxes.pop()
            kind = _marker(start)[len(BOX_START):]
            table = _box_table(kind, frame_ids.get(kind))
            cell = table.find(".//" + qn("w:tc"))
            inner = []
            nxt = start.getnext()
            while nxt is not None and nxt is not el:
                inner.append(nxt)
                nxt = nxt.getnext()
            for child in inner:
                cell.append(child)
            if not inner or inner[-1].tag != qn("w:p"):
                cell.append(OxmlElement("w:p"))
            if len(inner) > 12:     # long boxes may break across pages
                cant = table.find(".//" + qn("w:cantSplit"))
                cant.getparent().remove(cant)
            start.addprevious(table)
            table.addnext(_spacer())
            body.remove(start)
            body.remove(el)
    for start in open_boxes:        # a start marker without an end
        body.remove(start)


def _spacer():
    return parse_xml(f'<w:p {nsdecls("w")}><w:pPr><w:spacing w:before="0" w:after="0" w:line="120" '
                     'w:lineRule="exact"/></w:pPr></w:p>')


def tables(doc) -> None:
    """Every table pandoc wrote with a header row repeats it on each page (w:tblHeader); a small
    gap separates a table from the paragraph after it (Body Text has no space before)."""
    body = doc.element.body
    for tbl in body.findall(qn("w:tbl")):
        nxt = tbl.getnext()
        if nxt is None or nxt.tag != qn("w:p") or nxt.find(qn("w:pPr") + "/" + qn("w:spacing")) is None \
                or nxt.find(qn("w:r")) is not None:
            tbl.addnext(_spacer())
    for tbl in body.iter(qn("w:tbl")):
        look = tbl.find(qn("w:tblPr") + "/" + qn("w:tblLook"))
        first = tbl.find(qn("w:tr"))
        if first is None or look is None or look.get(qn("w:firstRow")) != "1":
            continue
        tr_pr = first.find(qn("w:trPr"))
        if tr_pr is None:
            tr_pr = OxmlElement("w:trPr")
            first.insert(0, tr_pr)
        if tr_pr.find(qn("w:tblHeader")) is None:
            tr_pr.append(OxmlElement("w:tblHeader"))


def split(doc, count: int) -> list[list]:
    parts: list[list] = [[]]
    for el in doc.element.body:
        if el.tag == _SECT_PR:
            continue
        if _marker(el) == DOC_BREAK:
            parts.append([])
        elif el.tag in (_P, _TBL) or not parts[-1] and len(parts) == 1:
            parts[-1].append(el)
        else:               # body-level bookmark ends and the like belong to the part before
            (parts[-1] if parts[-1] or len(parts) == 1 else parts[-2]).append(el)
    if parts and not any(el.tag in (qn("w:p"), qn("w:tbl")) for el in parts[-1]):
        leftover = parts.pop()
        if parts:
            parts[-1].extend(leftover)
    if len(parts) != count:
        raise ExportError(f"Brödtexten kunde inte delas upp per dokument ({len(parts)} delar för {count} dokument). "
                          "Troligen innehåller en sida en ostängd kodruta (```).")
    return parts



class BodyXml:
    """The body's WordprocessingML, inserted by docxtpl where the template says {{p brodtext }}."""

    def __init__(self, xml: str):
        self.xml = xml

    def __html__(self) -> str:
        return self.xml

    __str__ = __html__


class BodyComposer(SubdocComposer):
    """docxtpl's subdocument composer, run once over the whole body instead of once per element.

    The per-element version re-reads every style of the template for each paragraph (profiled:
    70 % of the export time). The body and the template share pandoc's styles, so one pass does
    the same work. No numbering restart pass: pandoc gives every list its own numbering already.
    `styles`, shared by the documents of one pandoc run, keeps the style-name mapping of the body
    and of the template (the same for all of them) instead of reading both again for each.
    """

    def __init__(self, doc, styles: dict | None = None):
        super().__init__(doc)
        self._styles = {} if styles is None else styles

    def _create_style_id_mapping(self, doc):
        if "id2name" not in self._styles:
            self._styles["id2name"] = {s.style_id: s.name for s in doc.styles}
            self._styles["name2id"] = {s.name: s.style_id for s in self.doc.styles}
        self._style_id2name, self._style_name2id = self._styles["id2name"], self._styles["name2id"]

    def attach_parts(self, doc, remove_property_fields=True):
        self.reset_reference_mapping()
        self._create_style_id_mapping(doc)
        body = doc.element.body
        self.add_referenced_parts(doc.part, self.doc.part, body)
        self.add_styles(doc, body)
        self.add_numberings(doc, body)
        self.add_images(doc, body)
        self.add_diagrams(doc, body)
        self.add_shapes(doc, body)
        self.add_footnotes(doc, body)
        self.add_styles_from_other_parts(doc)
        self.renumber_bookmarks()
        self.renumber_docpr_ids()
        self.renumber_nvpicpr_ids()

    def _our_style_ids(self) -> set:
        return {el.get(_STYLE_ID) for el in self.doc.styles.element.iterchildren(_STYLE)}

    def _body_style(self, doc, style_id: str):
        """The body's style element and its numbering ids (the body document is the same for every
        document of the run, and only read)."""
        known = self._styles.setdefault("body_styles", {})
        if style_id not in known:
            element = doc.styles.element.get_by_id(style_id)
            known[style_id] = (element, None if element is None else xpath(element, ".//w:numId/@w:val"))
        return known[style_id]

    def add_styles(self, doc, element):
        """docxcompose's add_styles (without preserve_styles, which this composer never sets), with
        the template's style ids read from the XML: the original builds a python-docx object for
        every style of the template after each style the body uses (profiled: 15 % of the export).
        Same styles added, same numbering and id mapping. The template's ids before anything is
        added are the same for every document of the run (each starts from a fresh template)."""
        if self.preserve_styles:
            return super().add_styles(doc, element)
        if "template_ids" not in self._styles:
            self._styles["template_ids"] = frozenset(self._our_style_ids())
        our_style_ids = getattr(self, "_ids", None)
        if our_style_ids is None:
            our_style_ids = self._ids = set(self._styles["template_ids"])
        used_style_ids = list(dict.fromkeys(e.get(_VAL) for e in _STYLE_REFS(element)))
        for style_id in used_style_ids:
            our_style_id = self.mapped_style_id(style_id)
            body_style, num_ids = self._body_style(doc, style_id)
            if our_style_id not in our_style_ids:
                style_element = deepcopy(body_style)
                if style_element is not None:
                    self.doc.styles.element.append(style_element)
                    self.add_numberings(doc, style_element)
                    self.add_linked_styles(doc, style_element)
                    our_style_ids = self._ids = self._our_style_ids()
            elif num_ids:
                # docxcompose: map the abstract numbering of an existing style with a numbering
                anum_ids = xpath(doc.part.numbering_part.element,
                                 './/w:num[@w:numId="%s"]/w:abstractNumId/@w:val' % num_ids[0])
                if anum_ids:
                    our_num_ids = xpath(self.doc.styles.element.get_by_id(our_style_id), ".//w:numId/@w:val")
                    if our_num_ids:
                        our_anum_ids = xpath(self.numbering_part().element,
                                             './/w:num[@w:numId="%s"]/w:abstractNumId/@w:val' % our_num_ids[0])
                        if our_anum_ids:
                            self.anum_id_mapping[int(anum_ids[0])] = int(our_anum_ids[0])
            if our_style_id != style_id and our_style_id is not None:
                for el in _STYLE_REFS(element):
                    if el.get(_VAL) == style_id:
                        el.set(_VAL, our_style_id)

    def add_numberings(self, doc, element):
        """docxcompose picks the next free numbering id once per call, so two lists in one call
        would share an id (the second list would go on counting from the first). One list at a time."""
        num_ids = list(dict.fromkeys(n.get(_VAL) for n in element.iter(_NUM_ID)))
        for num_id in num_ids:
            self._add_numbering(doc, int(num_id))
        for ref in element.iter(_NUM_ID):
            mapped = self.num_id_mapping.get(int(ref.get(_VAL)))
            if mapped is not None:
                ref.set(_VAL, str(mapped))

    def _source_numbering(self, doc) -> tuple[dict, dict]:
        """The body's w:num and w:abstractNum elements by id (first of each; the body document is
        the same for every document of the run, and only read)."""
        if "numbering" not in self._styles:
            nums: dict[str, object] = {}
            abstract: dict[str, object] = {}
            for el in doc.part.numbering_part.element.iter(_NUM, _ABSTRACT_NUM):
                if el.tag == _NUM:
                    nums.setdefault(el.get(_NUM_ID_ATTR), el)
                else:
                    abstract.setdefault(el.get(_ABSTRACT_NUM_ID_ATTR), el)
            self._styles["numbering"] = (nums, abstract)
        return self._styles["numbering"]

    def _add_numbering(self, doc, num_id: int) -> None:
        """docxcompose's Composer.add_numberings for one numId, with the body's numbering looked up
        in a dictionary instead of an XPath search through every list of the run's body."""
        next_num_id, next_anum_id = self._next_numbering_ids()
        if num_id in self.num_id_mapping:
            return
        nums, abstract = self._source_numbering(doc)
        source = nums.get(str(num_id))
        if source is None:
            return
        num_element = deepcopy(source)
        num_element.numId = next_num_id
        self.num_id_mapping[num_id] = next_num_id
        anum_id = num_element.xpath("//w:abstractNumId")[0]
        if anum_id.val not in self.anum_id_mapping:
            source_anum = abstract.get(str(anum_id.val))
            if source_anum is None:
                return
            anum_element = deepcopy(source_anum)
            self.anum_id_mapping[anum_id.val] = next_anum_id
            anum_id.val = next_anum_id
            anum_element.set(_ABSTRACT_NUM_ID_ATTR, str(next_anum_id))
            nsid = anum_element.find(".//w:nsid", NS)
            if nsid is not None:        # a unique nsid so that numberings restart (as docxcompose does)
                nsid.set(_VAL, "{0:08X}".format(int(10**8 * random.random())))
            self._insert_abstract_num(anum_element)
        else:
            anum_id.val = self.anum_id_mapping[anum_id.val]
        self._insert_num(num_element)


# The elements that follow w:updateFields in w:settings (the schema fixes the order; Word checks it).
SETTINGS_AFTER_UPDATE_FIELDS = ("w:hdrShapeDefaults", "w:footnotePr", "w:endnotePr", "w:compat", "w:docVars",
                                "w:rsids", "w:attachedSchema", "w:themeFontLang", "w:clrSchemeMapping",
                                "w:doNotIncludeSubdocsInStats", "w:doNotAutoCompressPictures", "w:forceUpgrade",
                                "w:captions", "w:readModeInkLockDown", "w:smartTagType", "w:shapeDefaults",
                                "w:doNotEmbedSmartTags", "w:decimalSymbol", "w:listSeparator")
TOC_INSTRUCTION = 'TOC \\o "1-3" \\h \\z \\u'


def heading_count(elements: list) -> int:
    """The body's headings of levels 1-3 (the ones a table of contents lists)."""
    count = 0
    for el in elements:
        style = el.find(_P_STYLE) if el.tag == _P else None
        if style is not None and _TOC_LEVEL.fullmatch(style.get(_VAL) or ""):
            count += 1
    return count


def toc_xml(elements: list) -> str:
    """A TOC field whose shown result already lists the headings (levels 1-3, without page
    numbers): LibreOffice shows that list as it is, Word recomputes it with page numbers when the
    document opens (w:updateFields)."""
    entries = []
    for el in elements:
        style = el.find(_P_STYLE) if el.tag == _P else None
        level = style.get(_VAL)[-1] if style is not None and _TOC_LEVEL.fullmatch(style.get(_VAL) or "") else None
        if level:
            entries.append((level, text_of(el).strip()))
    if not entries:
        entries = [("1", "Dokumentet har inga rubriker.")]
    begin = ('<w:r><w:fldChar w:fldCharType="begin" w:dirty="true"/></w:r>'
             f'<w:r><w:instrText xml:space="preserve"> {TOC_INSTRUCTION} </w:instrText></w:r>'
             '<w:r><w:fldChar w:fldCharType="separate"/></w:r>')
    end = '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
    out = []
    for n, (level, text) in enumerate(entries):
        runs = (begin if n == 0 else "") + f'<w:r><w:t xml:space="preserve">{_xml_text(text)}</w:t></w:r>' \
            + (end if n == len(entries) - 1 else "")
        out.append(f'<w:p {nsdecls("w")}><w:pPr><w:pStyle w:val="TOC{level}"/></w:pPr>{runs}</w:p>')
    return "".join(out)


def _xml_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

