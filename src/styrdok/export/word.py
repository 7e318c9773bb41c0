"""Styrdokument to Word: pandoc writes the body, docxtpl places it in the kommun's template.

Independent of MkDocs: the caller gives the page's Markdown after macro rendering and the values
of the metadata header. Every write goes to a temporary file that is renamed into place, so a
failed export never leaves a half-written or stale .docx where the good one was.

The template fields (dokument.docx):
  kommun, titel, dokumenttyp, dokument_id, logotyp (image or ""), metadata (rows with .etikett and
  .varde), revisioner (rows with .datum, .vem, .vad; empty list when there is no history),
  innehallsforteckning (bool), notering (text shown above the body, "" when none), brodtext (the body).
tjansteskrivelse.docx:
  kommun, logotyp, namnd, diarienummer, datum, handlaggare, arende, forslag (list of text),
  sammanfattning, beskrivning (the body), andringar (list of text), bilaga, handlingar (the files of
  the nämnd package: rows with .namn and .filer; empty when the memo is written alone).
Rendering is strict (an unknown field is an ExportError naming it) and autoescaped (& < > stay text).

Speed: pandoc costs ~110 ms per process whatever the size, so export_many converts many documents
in one pandoc process (separated by marker paragraphs, split again in the .docx), spreads those
batches over all cores, and skips documents whose content, templates and code are unchanged
(a cache keyed by their hash).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import math
import multiprocessing
import os
import posixpath
import re
import shutil
import subprocess
import tempfile
from collections import Counter
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Mapping, Sequence

import pypandoc
from docx import Document
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm
from docxtpl import DocxTemplate, InlineImage
from docxtpl.subdoc import SubdocComposer
from lxml import etree

from ..jinja import make_env
from .compare import tracked_markdown
from .markdown import (BOX_END, BOX_START, Image, MarkdownError, Prepared, finalize_markdown, prepare_markdown)
from .templates import (BOX_FRAME_SUFFIX, BOXES, DOCUMENT, MEMO, ExportError, Templates, compiled_env,
                        load_templates, render_template, write_atomic)

DOC_BREAK = "STYRDOK-DOKUMENT-SLUT"
BATCH_SIZE = 25                 # documents per pandoc process in export_many
LOGO_HEIGHT = Cm(1.3)
SAFE_ID = re.compile(r"^[^\s/\\:*?\"<>|]+$")


# --- what the caller gives ------------------------------------------------------------------------

@dataclass(frozen=True)
class WordDocument:
    """One styrdokument as the Word export needs it (no MkDocs, no git: plain values)."""
    doc_id: str
    title: str
    doc_type: str                                   # e.g. "Rutin"
    kommun_name: str
    logo_path: Path | None                          # SVG or PNG
    metadata: Sequence[tuple[str, str]]             # (label, value) rows of the header, in order
    revisions: Sequence[tuple[str, str, str]]       # (datum, vem, vad); may be empty
    body_markdown: str                              # the page's Markdown after macro rendering
    toc: bool = False
    src_path: str | None = None                     # the page's path relative to docs_dir (links, images)
    docs_dir: Path | None = None                    # where images in the body are found
    link_titles: Mapping[str, str] = field(default_factory=dict)   # docs-relative page path -> title
    note: str | None = None                         # a line above the body (the comparison copy's)


@dataclass(frozen=True)
class Tjansteskrivelse:
    """The memo that asks a nämnd to decide a styrdokument."""
    kommun_name: str
    namnd: str                                      # e.g. "Socialnämnden"
    diarienummer: str
    datum: str | dt.date
    handlaggare: str                                # a role name
    arende: str                                     # the matter's title
    forslag_till_beslut: Sequence[str]
    sammanfattning: str
    beskrivning: str                                # Markdown
    andringar: Sequence[str]                        # what changed since the last decision
    bilaga: str                                     # the document title / file name
    logo_path: Path | None = None
    handlingar: Sequence[tuple[str, Sequence[str]]] = ()    # (what, file names): the package's files


# --- one unit of work ----------------------------------------------------------------------------

@dataclass
class _Job:
    label: str                  # Swedish, for messages: "dokumentet 'rutin-x'"
    out: Path
    context: dict               # template values except the body and the logo
    body_field: str
    body: str                   # final pandoc Markdown
    images: tuple[Image, ...]
    logo: Path | None
    toc: bool
    key: str = ""


def _code_version() -> str:
    """Hash of this package's source and of the versions of pandoc and the docx libraries: a
    change in any of them invalidates the cache."""
    from importlib.metadata import PackageNotFoundError, version
    h = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")):
        h.update(path.name.encode())
        h.update(path.read_bytes())
    for package in ("pypandoc-binary", "docxtpl", "docxcompose", "python-docx", "resvg-py", "jinja2"):
        try:
            h.update(f"{package}={version(package)}".encode())
        except PackageNotFoundError:
            h.update(f"{package}=-".encode())
    return h.hexdigest()


_CODE_VERSION: str | None = None
_FILE_DIGESTS: dict[tuple[str, int, int], str] = {}


def _file_digest(path: Path) -> str:
    stat = path.stat()
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    if key not in _FILE_DIGESTS:
        _FILE_DIGESTS[key] = hashlib.sha256(path.read_bytes()).hexdigest()
    return _FILE_DIGESTS[key]


# Where a page's body may name a file (inline link or image, reference definition, HTML src).
_FILE_REFS = re.compile(r"\]\(\s*<?([^)\s>]+)|^\s*\[[^\]]+\]:\s*<?([^\s>]+)|\bsrc\s*=\s*[\"']([^\"']+)", re.M)


def _referenced(doc: WordDocument, stats: dict[str, str]) -> list[str]:
    """What the body's links and images read: each named file's size and time (or that it is
    missing), and the titles a link may take from link_titles. A picture replaced or removed, or
    a linked page renamed, gives another key. `stats` keeps each file's signature for one export."""
    here = posixpath.dirname(doc.src_path or "")
    docs = None if doc.docs_dir is None else str(doc.docs_dir)
    out = []
    for match in _FILE_REFS.finditer(doc.body_markdown):
        target = next(g for g in match.groups() if g).split("#")[0].split("?")[0]
        if not target or "://" in target or target.startswith(("//", "mailto:")):
            continue
        path = posixpath.normpath(posixpath.join(here, target))
        titles = [doc.link_titles.get(posixpath.normpath(c)) for c in
                  (path, path + ".md", posixpath.join(path, "index.md"), posixpath.join(path, "README.md"))]
        out.append(f"{target}:{titles}")
        if docs is not None:
            full = os.path.join(docs, path)
            if full not in stats:
                try:
                    st = os.stat(full)
                    stats[full] = f"{st.st_size}:{st.st_mtime_ns}"
                except OSError:
                    stats[full] = "-"
            out.append(stats[full])
    return out


def _input_key(doc: WordDocument, templates: Templates, stats: dict[str, str]) -> str:
    """The cache key of a document from what the export reads: its fields, the files its body
    names, the logo, the templates and the export code. Computed before the Markdown is prepared
    for pandoc, so an unchanged document costs a hash and a copy (preparing all 2,000 took longer
    than the warm export's goal)."""
    global _CODE_VERSION
    if _CODE_VERSION is None:
        _CODE_VERSION = _code_version()
    fields = [doc.doc_id, doc.title, doc.doc_type, doc.kommun_name, [list(r) for r in doc.metadata],
              [list(r) for r in doc.revisions], bool(doc.toc), doc.src_path, str(doc.docs_dir), doc.note,
              _referenced(doc, stats),
              _file_digest(doc.logo_path) if doc.logo_path else "-"]
    h = hashlib.sha256()
    for part in (_CODE_VERSION, templates.template_name,
                 json.dumps(fields, ensure_ascii=False, default=str), doc.body_markdown):
        h.update(part.encode("utf-8"))
        h.update(b"\0")
    h.update(templates.fingerprint())
    return h.hexdigest()


def _need(value: object, what: str, label: str) -> str:
    text = value.isoformat() if isinstance(value, dt.date) else ("" if value is None else str(value))
    if not text.strip():
        raise ExportError(f"{label}: {what} saknar värde. Ange ett värde (eller '–' om uppgiften inte finns); "
                          "ett tomt fält skrivs inte till Word.")
    return text


def _prepare(markdown: str, label: str, *, src_path, docs_dir, link_titles, strict_images=True) -> Prepared:
    try:
        return prepare_markdown(markdown, src_path=src_path, docs_dir=docs_dir, link_titles=link_titles,
                                strict_images=strict_images)
    except MarkdownError as exc:
        raise ExportError(f"{label}: {exc}") from None


def _document_job(doc: WordDocument, out: Path, body: Prepared | None = None, note: str | None = None) -> _Job:
    label = f"Dokumentet '{doc.doc_id}'"
    if not doc.doc_id or not SAFE_ID.match(doc.doc_id) or doc.doc_id in (".", ".."):
        raise ExportError(f"Dokument-id '{doc.doc_id}' kan inte bli ett filnamn. Använd bokstäver, siffror och "
                          "bindestreck.")
    metadata = []
    for index, row in enumerate(doc.metadata, start=1):
        if len(row) != 2:
            raise ExportError(f"{label}: rad {index} i dokumenthuvudet ska vara (etikett, värde), inte {row!r}.")
        name = _need(row[0], f"etiketten på rad {index} i dokumenthuvudet", label)
        metadata.append({"etikett": name, "varde": _need(row[1], f"uppgiften '{name}' i dokumenthuvudet", label)})
    revisions = []
    for index, row in enumerate(doc.revisions, start=1):
        if len(row) != 3:
            raise ExportError(f"{label}: rad {index} i revisionshistoriken ska vara (datum, vem, vad), inte {row!r}.")
        revisions.append({k: _need(v, f"'{k}' på rad {index} i revisionshistoriken", label)
                          for k, v in zip(("datum", "vem", "vad"), row)})
    if body is None:
        prepared = _prepare(doc.body_markdown, label, src_path=doc.src_path, docs_dir=doc.docs_dir,
                            link_titles=doc.link_titles)
        body = Prepared(finalize_markdown(prepared.text), prepared.images)
    note = note if note is not None else doc.note
    context = {
        "kommun": _need(doc.kommun_name, "kommunens namn", label),
        "titel": _need(doc.title, "titeln", label),
        "dokumenttyp": _need(doc.doc_type, "dokumenttypen", label),
        "dokument_id": doc.doc_id,
        "metadata": metadata,
        "revisioner": revisions,
        "innehallsforteckning": bool(doc.toc),
        "notering": note or "",
    }
    return _Job(label, Path(out), context, "brodtext", body.text, body.images, doc.logo_path, bool(doc.toc))


def _memo_job(memo: Tjansteskrivelse, out: Path) -> _Job:
    label = "Tjänsteskrivelsen"
    forslag = [_need(f, f"förslag till beslut nr {i}", label) for i, f in enumerate(memo.forslag_till_beslut, 1)]
    if not forslag:
        raise ExportError(f"{label}: förslag till beslut saknas. En tjänsteskrivelse måste föreslå ett beslut.")
    prepared = _prepare(_need(memo.beskrivning, "beskrivningen av ärendet", label), label,
                        src_path=None, docs_dir=None, link_titles={})
    context = {
        "kommun": _need(memo.kommun_name, "kommunens namn", label),
        "namnd": _need(memo.namnd, "nämnden", label),
        "diarienummer": _need(memo.diarienummer, "diarienumret", label),
        "datum": _need(memo.datum, "datumet", label),
        "handlaggare": _need(memo.handlaggare, "handläggaren", label),
        "arende": _need(memo.arende, "ärendets rubrik", label),
        "forslag": forslag,
        "sammanfattning": _need(memo.sammanfattning, "sammanfattningen", label),
        "andringar": [_need(a, f"ändring nr {i}", label) for i, a in enumerate(memo.andringar, 1)],
        "bilaga": _need(memo.bilaga, "bilagan", label),
        "handlingar": [{"namn": _need(namn, "handlingens namn", label), "filer": list(filer)}
                       for namn, filer in memo.handlingar],
    }
    return _Job(label, Path(out), context, "beskrivning", finalize_markdown(prepared.text), prepared.images,
                memo.logo_path, False)


# --- images ------------------------------------------------------------------------------------------

def svg_to_png(path: Path, zoom: float = 2.0) -> bytes:
    """SVG as PNG for Word, with resvg (resvg-py: a wheel, no system library)."""
    import resvg_py
    try:
        return bytes(resvg_py.svg_to_bytes(svg_path=str(path), zoom=zoom))
    except ValueError as exc:
        raise ExportError(f"Bilden {path} kunde inte omvandlas från SVG till PNG för Word: {exc}. "
                          "Kontrollera att filen är en giltig SVG.") from None


_PNG_MEMO: dict[tuple[str, str, float], bytes] = {}


def _png_for(path: Path, zoom: float, cache_dir: Path | None) -> bytes:
    digest = _file_digest(path)
    memo_key = (str(path), digest, zoom)
    if memo_key in _PNG_MEMO:
        return _PNG_MEMO[memo_key]
    cached = cache_dir / "bilder" / f"{digest}-{zoom:g}.png" if cache_dir else None
    if cached and cached.is_file():
        data = cached.read_bytes()
    else:
        data = svg_to_png(path, zoom)
        if cached:
            write_atomic(cached, lambda tmp: tmp.write_bytes(data))
    _PNG_MEMO[memo_key] = data
    return data


def _materialize(images: Sequence[Image], folder: Path, cache_dir: Path | None) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for image in images:
        target = folder / image.name
        if target.exists():
            continue
        if image.convert_svg:
            target.write_bytes(_png_for(image.source, 2.0, cache_dir))
        else:
            shutil.copyfile(image.source, target)


def _logo(tpl, path: Path | None, cache_dir: Path | None):
    if path is None:
        return ""
    path = Path(path)
    if not path.is_file():
        raise ExportError(f"Logotypen {path} finns inte. Rätta 'logotyp' i data/kommun.yml eller lägg filen där.")
    if path.suffix.lower() == ".svg":
        try:
            import resvg_py  # noqa: F401
        except ImportError:     # without the converter the document is still useful: no logo
            return ""
        return InlineImage(tpl, io.BytesIO(_png_for(path, 4.0, cache_dir)), height=LOGO_HEIGHT)
    return InlineImage(tpl, str(path), height=LOGO_HEIGHT)


# --- pandoc and the body -----------------------------------------------------------------------------

_FOOTNOTE = re.compile(r"\[\^([^\]\s]+)\]")


def _combined_markdown(jobs: Sequence[_Job]) -> str:
    """All bodies in one pandoc input, each closed off and followed by a break marker.
    Footnote labels get a per-document prefix (two documents may both have [^1])."""
    parts = []
    for n, job in enumerate(jobs):
        body = job.body
        if len(jobs) > 1:
            body = _FOOTNOTE.sub(lambda m: f"[^d{n}-{m.group(1)}]", body)
        fences = re.findall(r"^ *(`{3,}|~{3,})", body, flags=re.M)
        if len(fences) % 2:     # an unclosed code fence must not swallow the next document
            body += "\n" + fences[-1] + "\n"
        parts.append(body.rstrip("\n") + f"\n\n{DOC_BREAK}\n\n")
    return "".join(parts)


def _run_pandoc(markdown: str, out: Path, templates: Templates, resource_dir: Path, labels: list[str]) -> None:
    args = [pypandoc.get_pandoc_path(), "--defaults", str(templates.defaults),
            f"--resource-path={resource_dir}", "-o", str(out)]
    try:
        proc = subprocess.run(args, input=markdown.encode("utf-8"), capture_output=True, timeout=600)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ExportError(f"pandoc kunde inte köras ({exc}). Installera om pypandoc-binary.") from None
    if proc.returncode != 0:
        raise ExportError(f"pandoc kunde inte skriva brödtexten för {', '.join(labels)}: "
                          + proc.stderr.decode("utf-8", "replace").strip())


def _text_of(el) -> str:
    return "".join(t.text or "" for t in el.iter(qn("w:t")))


def _marker(el) -> str | None:
    if el.tag != qn("w:p"):
        return None
    text = _text_of(el).strip()
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


def _frame_boxes(doc) -> None:
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


def _tables(doc) -> None:
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


def _split(doc, count: int) -> list[list]:
    parts: list[list] = [[]]
    for el in doc.element.body:
        if el.tag == qn("w:sectPr"):
            continue
        if _marker(el) == DOC_BREAK:
            parts.append([])
        elif el.tag in (qn("w:p"), qn("w:tbl")) or not parts[-1] and len(parts) == 1:
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


# --- templates ---------------------------------------------------------------------------------------

class _BodyXml:
    """The body's WordprocessingML, inserted by docxtpl where the template says {{p brodtext }}."""

    def __init__(self, xml: str):
        self.xml = xml

    def __html__(self) -> str:
        return self.xml

    __str__ = __html__


class _BodyComposer(SubdocComposer):
    """docxtpl's subdocument composer, run once over the whole body instead of once per element.

    The per-element version re-reads every style of the template for each paragraph (profiled:
    70 % of the export time). The body and the template share pandoc's styles, so one pass does
    the same work. No numbering restart pass: pandoc gives every list its own numbering already.
    """

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

    def add_numberings(self, doc, element):
        """docxcompose picks the next free numbering id once per call, so two lists in one call
        would share an id (the second list would go on counting from the first). One call per list."""
        num_ids = list(dict.fromkeys(n.get(qn("w:val")) for n in element.iter(qn("w:numId"))))
        for num_id in num_ids:
            holder = parse_xml(f'<w:p {nsdecls("w")}><w:pPr><w:numPr><w:numId w:val="{num_id}"/>'
                               '</w:numPr></w:pPr></w:p>')
            super().add_numberings(doc, holder)
        for ref in element.iter(qn("w:numId")):
            mapped = self.num_id_mapping.get(int(ref.get(qn("w:val"))))
            if mapped is not None:
                ref.set(qn("w:val"), str(mapped))


# The elements that follow w:updateFields in w:settings (the schema fixes the order; Word checks it).
SETTINGS_AFTER_UPDATE_FIELDS = ("w:hdrShapeDefaults", "w:footnotePr", "w:endnotePr", "w:compat", "w:docVars",
                                "w:rsids", "w:attachedSchema", "w:themeFontLang", "w:clrSchemeMapping",
                                "w:doNotIncludeSubdocsInStats", "w:doNotAutoCompressPictures", "w:forceUpgrade",
                                "w:captions", "w:readModeInkLockDown", "w:smartTagType", "w:shapeDefaults",
                                "w:doNotEmbedSmartTags", "w:decimalSymbol", "w:listSeparator")
TOC_INSTRUCTION = 'TOC \\o "1-3" \\h \\z \\u'


def _toc_xml(elements: list) -> str:
    """A TOC field whose shown result already lists the headings (levels 1-3, without page
    numbers): LibreOffice shows that list as it is, Word recomputes it with page numbers when the
    document opens (w:updateFields)."""
    entries = []
    for el in elements:
        style = el.find(qn("w:pPr") + "/" + qn("w:pStyle")) if el.tag == qn("w:p") else None
        level = style.get(qn("w:val"))[-1] if style is not None and re.fullmatch(
            r"Heading[123]", style.get(qn("w:val")) or "") else None
        if level:
            entries.append((level, _text_of(el).strip()))
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


def _open_template(templates: Templates) -> DocxTemplate:
    try:
        tpl = DocxTemplate(io.BytesIO(templates.template))
        tpl.init_docx()
        return tpl
    except Exception as exc:    # python-docx raises several kinds for a broken package
        raise ExportError(f"Word-mallen {templates.folder / templates.template_name} kunde inte öppnas ({exc}). "
                          "Ersätt den med en fungerande mall.") from None


def _render_job(job: _Job, templates: Templates, body_doc, elements: list, env, cache_dir: Path | None) -> None:
    tpl = _open_template(templates)
    body = body_doc.element.body
    for el in list(body):       # the body holds just this document's part (no sectPr: no headers)
        body.remove(el)
    for el in elements:
        body.append(el)
    _BodyComposer(tpl.get_docx()).attach_parts(body_doc)
    xml = "".join(etree.tostring(el, encoding="unicode") for el in elements)
    context = {**job.context, job.body_field: _BodyXml(xml), "logotyp": _logo(tpl, job.logo, cache_dir)}
    if job.body_field == "brodtext":
        context["innehall"] = _BodyXml(_toc_xml(elements) if job.toc else "")
    render_template(tpl, context, templates.template_name, env)
    if job.toc:
        settings = tpl.docx.settings.element
        if settings.find(qn("w:updateFields")) is None:
            update = OxmlElement("w:updateFields")
            update.set(qn("w:val"), "true")
            settings.insert_element_before(update, *SETTINGS_AFTER_UPDATE_FIELDS)
    write_atomic(job.out, lambda tmp: tpl.save(str(tmp)))


def _export_jobs(jobs: list[_Job], templates: Templates, cache_dir: Path | None) -> None:
    """One pandoc process for all jobs, then one template rendering per job."""
    if not jobs:
        return
    env = compiled_env(make_env(autoescape=True))
    with tempfile.TemporaryDirectory(prefix="styrdok-word-") as tmp_name:
        tmp = Path(tmp_name)
        images = {image.name: image for job in jobs for image in job.images}
        _materialize(list(images.values()), tmp / "bilder", cache_dir)
        body_path = tmp / "brodtext.docx"
        _run_pandoc(_combined_markdown(jobs), body_path, templates, tmp / "bilder", [j.label for j in jobs])
        body_doc = Document(str(body_path))
        _frame_boxes(body_doc)
        _tables(body_doc)
        for job, elements in zip(jobs, _split(body_doc, len(jobs))):
            _render_job(job, templates, body_doc, elements, env, cache_dir)


# --- public API --------------------------------------------------------------------------------------

def export_docx(doc: WordDocument, out_path: Path, templates_dir: Path) -> None:
    """Write one styrdokument as .docx (atomically). ExportError (Swedish) on any problem."""
    templates = load_templates(templates_dir, DOCUMENT)
    _export_jobs([_document_job(doc, out_path)], templates, None)


def export_compare_docx(doc: WordDocument, old_body_markdown: str, out_path: Path, templates_dir: Path, *,
                        author: str, date: dt.datetime, old_label: str) -> None:
    """A copy of the document whose body shows, as real Word tracked changes (w:ins/w:del with
    author and date), what changed since `old_body_markdown` (the version called `old_label`)."""
    templates = load_templates(templates_dir, DOCUMENT)
    label = f"Dokumentet '{doc.doc_id}'"
    new = _prepare(doc.body_markdown, label, src_path=doc.src_path, docs_dir=doc.docs_dir,
                   link_titles=doc.link_titles)
    old = _prepare(old_body_markdown, f"{label} (version {old_label})", src_path=doc.src_path,
                   docs_dir=doc.docs_dir, link_titles=doc.link_titles, strict_images=False)
    when = date.astimezone(dt.timezone.utc).replace(tzinfo=None) if date.tzinfo else date
    stamp = when.replace(microsecond=0).isoformat() + ("Z" if date.tzinfo else "")
    tracked = tracked_markdown(old.text, new.text, author=_need(author, "författaren", label), date=stamp)
    images = {i.name: i for i in (*old.images, *new.images)}
    body = Prepared(finalize_markdown(tracked), tuple(images[k] for k in sorted(images)))
    note = (f"Jämförelse mot version {_need(old_label, 'versionen att jämföra mot', label)}. "
            f"Ändringar sedan dess visas som spårade ändringar ({author}, {date:%Y-%m-%d}).")
    _export_jobs([_document_job(doc, out_path, body=body, note=note)], templates, None)


def export_tjansteskrivelse(memo: Tjansteskrivelse, out_path: Path, templates_dir: Path) -> None:
    """Write the tjänsteskrivelse (the memo to the nämnd) as .docx (atomically)."""
    templates = load_templates(templates_dir, MEMO)
    _export_jobs([_memo_job(memo, out_path)], templates, None)


def _cached(cache_dir: Path, doc_id: str, key: str) -> Path:
    """Cache layout: dokument/<doc_id>/<key>.docx (one folder per document), bilder/<digest>.png."""
    return cache_dir / "dokument" / doc_id / f"{key}.docx"


def _store(cache_dir: Path, job: _Job, doc_id: str) -> None:
    target = _cached(cache_dir, doc_id, job.key)
    write_atomic(target, lambda tmp: shutil.copyfile(job.out, tmp))
    for old in target.parent.glob("*.docx"):        # keep one entry per document
        if old != target:
            old.unlink(missing_ok=True)


def _from_cache(hit: Path, out: Path, link: bool) -> None:
    """The cached file as out. With link (the site's word/ folder, which nobody edits), a hard
    link: nothing is copied, and a later export finds out already is the entry. Otherwise a copy
    with the entry's time, so an unchanged out is not written again, and an edited out (another
    time) is. Cache entries are never changed in place: a new one is renamed into place."""
    try:
        cached, present = os.stat(hit), os.stat(out)
        if (present.st_ino, present.st_dev) == (cached.st_ino, cached.st_dev) or (
                not link and (present.st_size, present.st_mtime_ns) == (cached.st_size, cached.st_mtime_ns)):
            return
    except OSError:
        pass

    def write(tmp: Path) -> None:
        if link:
            try:
                tmp.unlink()
                os.link(hit, tmp)
                return
            except OSError:
                pass                # another file system: copy
        shutil.copy2(hit, tmp)
    write_atomic(out, write)


def _export_chunk(docs: Sequence[WordDocument], out_dir: Path, templates: Templates,
                  cache_dir: Path | None, link: bool = False) -> list[Path]:
    """Worker: prepare each document, copy the unchanged ones from the cache, export the rest
    together (pandoc in batches of BATCH_SIZE)."""
    jobs: list[tuple[WordDocument, _Job]] = []
    paths = []
    stats: dict[str, str] = {}
    for doc in docs:
        out = out_dir / f"{doc.doc_id}.docx"
        paths.append(out)
        key = ""
        if cache_dir is not None and SAFE_ID.match(doc.doc_id or "") and doc.doc_id not in (".", ".."):
            key = _input_key(doc, templates, stats)
            hit = _cached(cache_dir, doc.doc_id, key)
            if hit.is_file():
                _from_cache(hit, out, link)
                continue
        job = _document_job(doc, out)
        job.key = key
        jobs.append((doc, job))
    for start in range(0, len(jobs), BATCH_SIZE):
        batch = jobs[start:start + BATCH_SIZE]
        _export_jobs([job for _, job in batch], templates, cache_dir)
        if cache_dir is not None:
            for doc, job in batch:
                if job.key:
                    _store(cache_dir, job, doc.doc_id)
    return paths


def export_many(docs: Sequence[WordDocument], out_dir: Path, templates_dir: Path, *, jobs: int | None = None,
                cache_dir: Path | None = None, progress: Callable[[int, int], None] | None = None,
                link: bool = False) -> list[Path]:
    """Export many documents to out_dir/<doc_id>.docx, on all cores, returning the paths in order.

    With cache_dir, a document whose Markdown, metadata, templates and export code are unchanged
    is copied from the cache instead of converted again (hard-linked with link=True, for output
    that is never edited in place, like the site's word/ folder). The first problem stops the export with an
    ExportError; files already written are complete (every write is atomic).
    """
    templates = load_templates(templates_dir, DOCUMENT)
    ids = [d.doc_id for d in docs]
    dupes = sorted(i for i, n in Counter(ids).items() if n > 1)
    if dupes:
        raise ExportError(f"Samma dokument-id förekommer flera gånger: {', '.join(dupes)}. Varje dokument blir "
                          "en fil med id:t som namn, så id:n måste vara unika.")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    if cache_dir is not None:
        cache_dir = Path(cache_dir)
        cache_dir.mkdir(parents=True, exist_ok=True)
    total = len(docs)
    workers = max(1, min(jobs or os.cpu_count() or 1, total))
    size = max(1, min(BATCH_SIZE, math.ceil(total / max(workers, 1))))
    chunks = [list(docs[i:i + size]) for i in range(0, total, size)]
    done = 0
    if workers == 1 or len(chunks) == 1:
        for chunk in chunks:
            _export_chunk(chunk, out_dir, templates, cache_dir, link)
            done += len(chunk)
            if progress:
                progress(done, total)
    else:
        method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
        with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context(method)) as pool:
            futures = {pool.submit(_export_chunk, chunk, out_dir, templates, cache_dir, link): len(chunk)
                       for chunk in chunks}
            try:
                for future in as_completed(futures):
                    future.result()
                    done += futures[future]
                    if progress:
                        progress(done, total)
            except BaseException:
                for future in futures:
                    future.cancel()
                raise
    return [out_dir / f"{doc_id}.docx" for doc_id in ids]
