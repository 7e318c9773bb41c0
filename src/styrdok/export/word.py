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
(a cache keyed by their hash). Per document, what is the same for all of them is done once
(per process or per pandoc run) with the same result: the template is parsed once and copied,
docxtpl's clean-up of its XML and the Jinja compilation are kept (templates.FastTemplate), the
body joins the rendered template as elements instead of as text, the body's styles and lists
are looked up in dictionaries (body.BodyComposer), and zip members another document already
had reuse their compressed bytes (templates.save_docx). bench/bench_word.py measures it.
"""
from __future__ import annotations

import datetime as dt
import functools
import io
import math
import multiprocessing
import os
import re
import tempfile
from collections import Counter
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Mapping, Sequence

from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from lxml import etree

from .. import cores
from ..jinja import make_env
from ..render.html import DEFAULT_CONFIG, MarkdownConfig, SiteAddress, render_html
from . import body as word_body
from . import widetables
from .cache import cached_path, code_version, from_cache, input_key, store
from .compare import Marks, track
from .images import LOGO_ZOOM, logo_image, materialize, png_for
from .templates import DOCUMENT, MEMO, ExportError, FastTemplate, Templates, compiled_env, load_templates, \
    open_docx, render_template, save_docx, write_atomic
from .wordhtml import Image, Prepared, Sources, WordHtmlError, adapt, parse, printable, serialize

BATCH_SIZE = 25                 # documents per pandoc process in export_many
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
    markdown: MarkdownConfig = DEFAULT_CONFIG       # the site's Markdown extensions (render.html.markdown_config)
    site: SiteAddress = SiteAddress()               # the site's address (mkdocs.yml): links to its pages work
    generated: Mapping[str, bytes] = field(default_factory=dict)   # files the build makes beside the pages
                                                    # (docs-relative path -> content): process diagrams


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
    body: str                   # HTML for pandoc (after the Word layer)
    images: tuple[Image, ...]
    logo: Path | None
    toc: bool
    key: str = ""


def _need(value: object, what: str, label: str) -> str:
    text = value.isoformat() if isinstance(value, dt.date) else ("" if value is None else str(value))
    if not text.strip():
        raise ExportError(f"{label}: {what} saknar värde. Ange ett värde (eller '–' om uppgiften inte finns); "
                          "ett tomt fält skrivs inte till Word.")
    return text


def _sources(doc: WordDocument, strict_images: bool = True) -> Sources:
    return Sources(doc.src_path, doc.docs_dir, doc.link_titles, doc.generated, strict_images, doc.site)


def _tree(markdown: str, config: MarkdownConfig):
    """The page rendered once (the site's HTML), without what does not print."""
    root = parse(render_html(markdown, config))
    printable(root)
    return root


def _adapted(root, sources: Sources, label: str) -> Prepared:
    try:
        images = adapt(root, sources)
    except WordHtmlError as exc:
        raise ExportError(f"{label}: {exc}") from None
    return Prepared(serialize(root), images)


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
        body = _adapted(_tree(doc.body_markdown, doc.markdown), _sources(doc), label)
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
    prepared = _adapted(_tree(_need(memo.beskrivning, "beskrivningen av ärendet", label), DEFAULT_CONFIG),
                        Sources(), label)
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
    return _Job(label, Path(out), context, "beskrivning", prepared.text, prepared.images, memo.logo_path, False)


# --- the template around the body -----------------------------------------------------------------------

def _open_template(templates: Templates) -> FastTemplate:
    try:
        tpl = FastTemplate(io.BytesIO(templates.template))
        tpl.docx = open_docx(templates.template)
        return tpl
    except Exception as exc:    # python-docx raises several kinds for a broken package
        raise ExportError(f"Word-mallen {templates.folder / templates.template_name} kunde inte öppnas ({exc}). "
                          "Ersätt den med en fungerande mall.") from None


TOC_MIN_HEADINGS = 4        # a document with more headings (levels 1-3) gets a table of contents


def _render_job(job: _Job, templates: Templates, body_doc, elements: list, env, cache_dir: Path | None,
                styles: dict) -> None:
    tpl = _open_template(templates)
    body = body_doc.element.body
    for el in list(body):       # the body holds just this document's part (no sectPr: no headers)
        body.remove(el)
    for el in elements:
        body.append(el)
    word_body.BodyComposer(tpl.get_docx(), styles).attach_parts(body_doc)
    xml = "".join(etree.tostring(el, encoding="unicode") for el in elements)
    if job.body_field == "brodtext" and not job.toc and word_body.heading_count(elements) > TOC_MIN_HEADINGS:
        job.toc = True                  # more than a few headings: a table of contents without asking
        job.context["innehallsforteckning"] = True
    context = {**job.context, job.body_field: word_body.BodyXml(tpl.set_body(xml, elements)),
               "logotyp": logo_image(tpl, job.logo, cache_dir)}
    if job.body_field == "brodtext":
        context["innehall"] = word_body.BodyXml(word_body.toc_xml(elements) if job.toc else "")
    render_template(tpl, context, templates.template_name, env)
    widetables.carry_headers(tpl.docx.element.body)
    if job.toc:
        settings = tpl.docx.settings.element
        if settings.find(qn("w:updateFields")) is None:
            update = OxmlElement("w:updateFields")
            update.set(qn("w:val"), "true")
            settings.insert_element_before(update, *word_body.SETTINGS_AFTER_UPDATE_FIELDS)
    write_atomic(job.out, lambda tmp: save_docx(tpl, tmp))


@functools.lru_cache(maxsize=None)
def _docx_env():
    """The Jinja environment of the Word templates, one per process: it keeps the compiled template
    parts (docxtpl renders the same XML for every document)."""
    return compiled_env(make_env(autoescape=True))


def _export_jobs(jobs: list[_Job], templates: Templates, cache_dir: Path | None) -> None:
    """One pandoc process for all jobs, then one template rendering per job."""
    if not jobs:
        return
    env = _docx_env()
    with tempfile.TemporaryDirectory(prefix="styrdok-word-") as tmp_name:
        tmp = Path(tmp_name)
        images = {image.name: image for job in jobs for image in job.images}
        materialize(list(images.values()), tmp / "bilder", cache_dir)
        body_path = tmp / "brodtext.docx"
        word_body.run_pandoc(word_body.combined_html([j.body for j in jobs]), body_path, templates, tmp / "bilder",
                             [j.label for j in jobs])
        body_doc = Document(str(body_path))
        word_body.frame_boxes(body_doc)
        word_body.tables(body_doc)
        widetables.wide_tables(body_doc)
        styles: dict = {}               # the style mapping, the same for every document of this run
        for job, elements in zip(jobs, word_body.split(body_doc, len(jobs))):
            _render_job(job, templates, body_doc, elements, env, cache_dir, styles)


# --- public API --------------------------------------------------------------------------------------

def export_docx(doc: WordDocument, out_path: Path, templates_dir: Path) -> None:
    """Write one styrdokument as .docx (atomically). ExportError (Swedish) on any problem."""
    templates = load_templates(templates_dir, DOCUMENT)
    _export_jobs([_document_job(doc, out_path)], templates, None)


def export_compare_docx(doc: WordDocument, old_body_markdown: str, out_path: Path, templates_dir: Path, *,
                        author: str, date: dt.datetime, old_label: str) -> None:
    """A copy of the document whose body shows, as real Word tracked changes (w:ins/w:del with
    author and date), what changed since `old_body_markdown` (the version called `old_label`).
    Both versions are rendered as the site renders them and compared block by block, word by word
    (styrdok.export.compare); the Word layer then adapts the marked page. An image the old version
    had that is gone is named in the struck-out text."""
    templates = load_templates(templates_dir, DOCUMENT)
    label = f"Dokumentet '{doc.doc_id}'"
    when = date.astimezone(dt.timezone.utc).replace(tzinfo=None) if date.tzinfo else date
    stamp = when.replace(microsecond=0).isoformat() + ("Z" if date.tzinfo else "")
    new = _tree(doc.body_markdown, doc.markdown)
    track(_tree(old_body_markdown, doc.markdown), new, Marks(_need(author, "författaren", label), stamp))
    body = _adapted(new, _sources(doc), label)
    note = (f"Jämförelse mot version {_need(old_label, 'versionen att jämföra mot', label)}. "
            f"Ändringar sedan dess visas som spårade ändringar ({author}, {date:%Y-%m-%d}).")
    _export_jobs([_document_job(doc, out_path, body=body, note=note)], templates, None)


def export_tjansteskrivelse(memo: Tjansteskrivelse, out_path: Path, templates_dir: Path) -> None:
    """Write the tjänsteskrivelse (the memo to the nämnd) as .docx (atomically)."""
    templates = load_templates(templates_dir, MEMO)
    _export_jobs([_memo_job(memo, out_path)], templates, None)


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
            key = input_key(doc, templates, stats)
            hit = cached_path(cache_dir, doc.doc_id, key)
            if hit.is_file():
                from_cache(hit, out, link)
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
                    store(cache_dir, job.out, doc.doc_id, job.key)
    return paths


def _prepare_workers(docs: Sequence[WordDocument], templates: Templates, cache_dir: Path | None) -> None:
    """What every worker process would make for itself before its first document, made once
    here so that the forked workers share it: the Markdown converter of each configuration, the
    parsed template, the compiled Jinja environment, the code's hash for the cache, the logo as
    PNG. A problem (a logo that cannot be read) is left for the document that meets it, which
    reports it as before."""
    for config in dict.fromkeys(doc.markdown for doc in docs):
        render_html("", config)
    open_docx(templates.template)
    _docx_env()
    if cache_dir is not None:
        code_version()
    for logo in dict.fromkeys(doc.logo_path for doc in docs if doc.logo_path is not None):
        try:
            if Path(logo).suffix.lower() == ".svg" and Path(logo).is_file():
                png_for(logo, LOGO_ZOOM, cache_dir)
        except Exception:       # noqa: BLE001 (reported by the document's own export)
            pass


def export_many(docs: Sequence[WordDocument], out_dir: Path, templates_dir: Path, *, jobs: int | None = None,
                cache_dir: Path | None = None, progress: Callable[[int, int], None] | None = None,
                link: bool = False) -> list[Path]:
    """Export many documents to out_dir/<doc_id>.docx, on all cores (jobs, default styrdok.cores.jobs()),
    returning the paths in order.

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
    workers = max(1, min(jobs or cores.jobs(), total))
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
        if method == "fork":
            _prepare_workers(docs, templates, cache_dir)
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
