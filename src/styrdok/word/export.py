"""Export styrdokument to Word: docxtpl renders the kommun template (cover, metadata, revision
history, footer) around a body that pandoc writes from the page's Markdown.

Independent of MkDocs. Every write goes to a temporary file first and is renamed into place, so
a failed export never leaves a half-written .docx.
"""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
import io
import os
import shutil
import subprocess
import tempfile
import zipfile
import multiprocessing
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

import jinja2
import pypandoc
from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm
from docx.oxml import CT_SectPr
from docxtpl import DocxTemplate, InlineImage
from docxtpl.subdoc import Subdoc, SubdocComposer

from ..jinja import make_env
from .compare import tracked_markdown

CODE_VERSION = "2"          # bump when the export's output changes, to invalidate the cache


class ExportError(Exception):
    """The export failed; the message is Swedish and names the file, template or field."""


@dataclass(frozen=True)
class WordDocument:
    doc_id: str
    title: str
    kommun_name: str
    logo_path: Path | None
    metadata: Sequence[tuple[str, str]]          # (label, value) rows, labels from the kommun configuration
    revisions: Sequence[tuple[str, str, str]]    # (datum, vem, vad)
    body_markdown: str                           # pandoc Markdown (see word.markdown.to_pandoc_markdown)
    resource_dir: Path | None = None             # where images in the body are found
    toc: bool = False
    note: str | None = None                      # a line shown above the body (e.g. what a comparison is against)

    def cache_key(self, template: bytes, reference: bytes) -> str:
        h = hashlib.sha256()
        for part in (CODE_VERSION, self.doc_id, self.title, self.kommun_name, repr(tuple(self.metadata)),
                     repr(tuple(self.revisions)), self.body_markdown, str(self.toc), self.note or ""):
            h.update(part.encode("utf-8"))
            h.update(b"\0")
        h.update(template)
        h.update(reference)
        if self.logo_path and self.logo_path.is_file():
            h.update(self.logo_path.read_bytes())
        return h.hexdigest()


@dataclass(frozen=True)
class Tjansteskrivelse:
    kommun_name: str
    forvaltning: str
    namnd: str
    diarienummer: str
    datum: str
    handlaggare: str
    arende: str
    forslag_till_beslut: Sequence[str]
    sammanfattning: str
    beskrivning_markdown: str
    andringar: Sequence[str]
    bilaga: str


@dataclass(frozen=True)
class Templates:
    folder: Path
    document: Path = field(init=False)
    memo: Path = field(init=False)
    reference: Path = field(init=False)
    defaults: Path = field(init=False)

    def __post_init__(self):
        for name, file in (("document", "dokument.docx"), ("memo", "tjansteskrivelse.docx"),
                           ("reference", "reference.docx"), ("defaults", "pandoc.yaml")):
            object.__setattr__(self, name, self.folder / file)

    def require(self, *paths: Path) -> None:
        for path in paths:
            if not path.is_file():
                raise ExportError(f"Word-mallen {path} saknas. Återskapa mallarna med "
                                  "'python -m styrdok.word.make_templates' eller lägg kommunens egen mall där.")
            if path.suffix == ".docx" and not zipfile.is_zipfile(path):
                raise ExportError(f"Word-mallen {path} är skadad (inte en giltig .docx-fil). Ersätt den med en "
                                  "fungerande mall, t.ex. med 'python -m styrdok.word.make_templates'.")


# --- body ---------------------------------------------------------------------------------------

def _repeat_header_rows(doc) -> None:
    """Mark the first row of every table as a header row that Word repeats on each page."""
    for table in doc.tables:
        tr_pr = table.rows[0]._tr.get_or_add_trPr()
        if tr_pr.find(qn("w:tblHeader")) is None:
            el = OxmlElement("w:tblHeader")
            el.set(qn("w:val"), "true")
            tr_pr.append(el)


class _BodyComposer(SubdocComposer):
    """docxtpl's subdoc composer, with the style merge done once for the whole body instead of once
    per paragraph: the body and the template come from the same reference.docx (profiled: the
    per-element style pass was a third of the export's time)."""

    def attach_parts(self, doc, remove_property_fields=True):
        self.reset_reference_mapping()
        self._create_style_id_mapping(doc)
        body = doc.element.body
        self.add_styles(doc, body)
        for element in body:
            if isinstance(element, CT_SectPr):
                continue
            self.add_referenced_parts(doc.part, self.doc.part, element)
            self.add_numberings(doc, element)
            self.restart_first_numbering(doc, element)
            self.add_images(doc, element)
            self.add_diagrams(doc, element)
            self.add_shapes(doc, element)
            self.add_footnotes(doc, element)
            self.remove_header_and_footer_references(doc, element)
        self.add_styles_from_other_parts(doc)
        self.renumber_bookmarks()
        self.renumber_docpr_ids()
        self.renumber_nvpicpr_ids()
        self.fix_section_types(doc)


def body_subdoc(tpl, path: Path) -> Subdoc:
    """The pandoc body as a docxtpl subdocument, header rows marked to repeat."""
    sub = Subdoc.__new__(Subdoc)
    sub.tpl, sub.docx = tpl, tpl.get_docx()
    sub.subdocx = Document(str(path))
    _repeat_header_rows(sub.subdocx)
    _BodyComposer(sub.docx).attach_parts(sub.subdocx)
    return sub


def pandoc_body(markdown: str, out: Path, templates: Templates, resource_dir: Path | None) -> None:
    templates.require(templates.reference, templates.defaults)
    args = [pypandoc.get_pandoc_path(), "--defaults", str(templates.defaults), "-o", str(out)]
    if resource_dir:
        args.append(f"--resource-path={resource_dir}")
    proc = subprocess.run(args, input=markdown.encode("utf-8"), capture_output=True)
    if proc.returncode != 0:
        raise ExportError("pandoc kunde inte skriva dokumentets brödtext: "
                          + proc.stderr.decode("utf-8", "replace").strip())


# --- template ---------------------------------------------------------------------------------

def _render(template_path: Path, context: dict, out: Path) -> None:
    """Render a docxtpl template strictly (a missing field is an error) and write atomically."""
    try:
        tpl = DocxTemplate(str(template_path))
        tpl.init_docx()
    except Exception as exc:  # python-docx raises several kinds for a broken package
        raise ExportError(f"Word-mallen {template_path} kunde inte öppnas ({exc}). Ersätt den med en fungerande mall.")
    env = make_env()
    try:
        context = {k: (v(tpl) if callable(v) else v) for k, v in context.items()}
        tpl.render(context, jinja_env=env, autoescape=True)
    except jinja2.UndefinedError as exc:
        name = str(exc.message or exc).split("'")[1] if "'" in str(exc) else str(exc)
        raise ExportError(f"Fältet '{name}' i Word-mallen {template_path.name} har inget värde. "
                          "Ta bort fältet ur mallen eller ange värdet i handbokens data.") from None
    except jinja2.TemplateError as exc:
        raise ExportError(f"Word-mallen {template_path.name} har ett fel i ett fält: {exc}.") from None
    write_atomic(out, lambda tmp: tpl.save(str(tmp)))


def write_atomic(out: Path, write: Callable[[Path], None]) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{out.stem}-", suffix=".docx.tmp", dir=out.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        os.replace(tmp, out)
    finally:
        if tmp.exists():
            tmp.unlink()


def svg_to_png(path: Path, width: int) -> bytes:
    """SVG (logo, process diagrams) as PNG for Word, with resvg (a wheel: no system library)."""
    return _svg_to_png(str(path), path.stat().st_mtime_ns, width)


@functools.lru_cache(maxsize=64)
def _svg_to_png(path: str, mtime_ns: int, width: int) -> bytes:
    import resvg_py
    try:
        return bytes(resvg_py.svg_to_bytes(svg_path=path, width=width))
    except ValueError as exc:
        raise ExportError(f"Bilden {path} kunde inte omvandlas till PNG för Word: {exc}") from None


def _logo(doc: WordDocument, tpl) -> object:
    if doc.logo_path is None or not doc.logo_path.is_file():
        return ""
    path = doc.logo_path
    if path.suffix.lower() == ".svg":
        png = svg_to_png(path, width=240)
        return InlineImage(tpl, io.BytesIO(png), height=Cm(1.4))
    return InlineImage(tpl, str(path), height=Cm(1.4))


def export_docx(doc: WordDocument, out: Path, templates: Templates) -> None:
    templates.require(templates.document, templates.reference, templates.defaults)
    with tempfile.TemporaryDirectory(prefix="styrdok-word-") as tmp:
        body = Path(tmp) / "brodtext.docx"
        markdown = (f"*{doc.note}*\n\n" if doc.note else "") + doc.body_markdown
        pandoc_body(markdown, body, templates, doc.resource_dir)
        context = {
            "kommun": doc.kommun_name, "titel": doc.title,
            "logotyp": lambda tpl: _logo(doc, tpl),
            "metadata": [{"etikett": k, "varde": v} for k, v in doc.metadata],
            "revisioner": [{"datum": d, "vem": w, "vad": x} for d, w, x in doc.revisions]
                          or [{"datum": "–", "vem": "–", "vad": "Ingen revisionshistorik ännu."}],
            "innehallsforteckning": doc.toc,
            "brodtext": lambda tpl: body_subdoc(tpl, body),
        }
        _render(templates.document, context, out)


def export_compare_docx(doc: WordDocument, old_body_markdown: str, out: Path, templates: Templates, *,
                        author: str, date: dt.datetime, old_label: str) -> None:
    """A copy with real Word tracked changes (insertions, deletions) against an older version."""
    body = tracked_markdown(old_body_markdown, doc.body_markdown, author=author,
                            date=date.replace(microsecond=0).isoformat())
    note = f"Jämförelse mot version {old_label}: ändringarna visas som spårade ändringar."
    export_docx(WordDocument(**{**doc.__dict__, "body_markdown": body, "note": note}), out, templates)


def _export_one(doc: WordDocument, out_dir: Path, templates: Templates, cache_dir: Path | None,
                key: str | None) -> Path:
    out = out_dir / f"{doc.doc_id}.docx"
    cached = cache_dir / f"{key}.docx" if cache_dir and key else None
    if cached and cached.is_file():
        write_atomic(out, lambda tmp: shutil.copyfile(cached, tmp))
    else:
        export_docx(doc, out, templates)
        if cached:
            write_atomic(cached, lambda tmp: shutil.copyfile(out, tmp))
    return out


def export_many(docs: Sequence[WordDocument], out_dir: Path, templates: Templates, *, jobs: int | None = None,
                cache_dir: Path | None = None, progress: Callable[[int, int], None] | None = None) -> list[Path]:
    """Export in parallel processes (pandoc and the docx merge both take CPU); a document whose content
    and template did not change is copied from the cache instead."""
    templates.require(templates.document, templates.reference, templates.defaults)
    tpl_bytes, ref_bytes = templates.document.read_bytes(), templates.reference.read_bytes()
    out_dir.mkdir(parents=True, exist_ok=True)
    if cache_dir:
        cache_dir.mkdir(parents=True, exist_ok=True)
    keys = [doc.cache_key(tpl_bytes, ref_bytes) if cache_dir else None for doc in docs]
    todo = [i for i, k in enumerate(keys) if not (cache_dir and (cache_dir / f"{k}.docx").is_file())]
    workers = min(jobs or os.cpu_count() or 2, max(len(todo), 1))
    results: list[Path] = [out_dir / f"{d.doc_id}.docx" for d in docs]
    done = 0
    if len(todo) > 1 and workers > 1:
        ctx = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
            futures = [pool.submit(_export_one, docs[i], out_dir, templates, cache_dir, keys[i]) for i in todo]
            for future in as_completed(futures):
                future.result()
                done += 1
                if progress:
                    progress(done, len(docs))
    else:
        for i in todo:
            _export_one(docs[i], out_dir, templates, cache_dir, keys[i])
            done += 1
            if progress:
                progress(done, len(docs))
    pending = set(todo)
    for i, doc in enumerate(docs):
        if i not in pending:
            _export_one(doc, out_dir, templates, cache_dir, keys[i])
            done += 1
            if progress:
                progress(done, len(docs))
    return results


def export_tjansteskrivelse(memo: Tjansteskrivelse, out: Path, templates: Templates) -> None:
    templates.require(templates.memo, templates.reference, templates.defaults)
    with tempfile.TemporaryDirectory(prefix="styrdok-memo-") as tmp:
        body = Path(tmp) / "beskrivning.docx"
        pandoc_body(memo.beskrivning_markdown, body, templates, None)
        context = {
            "kommun": memo.kommun_name, "forvaltning": memo.forvaltning, "namnd": memo.namnd,
            "diarienummer": memo.diarienummer, "datum": memo.datum, "handlaggare": memo.handlaggare,
            "arende": memo.arende, "forslag": list(memo.forslag_till_beslut), "sammanfattning": memo.sammanfattning,
            "beskrivning": lambda tpl: body_subdoc(tpl, body),
            "andringar": list(memo.andringar) or ["Inga ändringar sedan förra beslutet."], "bilaga": memo.bilaga,
        }
        _render(templates.memo, context, out)
