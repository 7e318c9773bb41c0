"""The PDF output of `styrdok build`: every styrdokument as PDF (LibreOffice, headless) in the site's
pdf/ folder, and every printed page that is not a styrdokument (styrdok.printpages) in pdf/sidor/,
linked from its page next to the Word file ("Ladda ner som PDF"). One registration in
styrdok.publish; `build --utan pdf` / `--bara pdf` like every output.

The PDFs are made from the styrdokument's Word files (the Word export, from its cache when they are
unchanged), so a PDF shows what the Word file shows. On when data/kommun.yml says `pdf: true` (the
default) and LibreOffice is installed; without LibreOffice the build warns and the pages have no PDF
link (styrdok.pdf.site_pdfs decides both). Only PDFs whose Word file changed are converted again
(.cache/pdf/), many files per soffice process.
"""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

from ..model import Handbook
from ..printpages import FOLDER as PAGES, page_properties, print_pages
from ..publish import Output, Step, progress, register
from .word import export_print_pages

FOLDER = "pdf"


def pdf_step(handbook: Handbook, root: Path) -> Step:
    def step(site_tmp: Path) -> None:
        from .. import pdf
        from ..archive import document_properties
        from ..export import ExportError, export_many
        from ..export.documents import templates_for, word_document
        from ..load import Project
        from ..site.build import BuildError
        if not handbook.kommun.pdf:
            return
        if not pdf.available():
            print(f"varning: PDF-filerna görs inte: LibreOffice (soffice) finns inte på den här datorn. "
                  f"{pdf.INSTALL}, eller stäng av PDF-filerna med 'pdf: false' i data/kommun.yml.", file=sys.stderr)
            return
        project = Project(root)
        docs = list(handbook.dokument.values())
        words_dir = site_tmp / ".pdf-word"           # the Word files, hard links into the Word cache
        try:
            try:
                paths = export_many([word_document(handbook, project, d) for d in docs], words_dir,
                                    templates_for(project), cache_dir=root / ".cache" / "word", link=True,
                                    progress=progress)
            except ExportError as exc:
                raise BuildError(f"PDF-filerna kunde inte skapas: Word-filerna de görs av: {exc}") from None
            try:
                page_paths = export_print_pages(handbook, project, words_dir / PAGES,
                                                root / ".cache" / "word" / PAGES)
            except ExportError as exc:
                raise BuildError(f"PDF-filerna kunde inte skapas: Word-filerna de görs av: {exc}") from None
            pages = list(print_pages(handbook).values())
            out = site_tmp / FOLDER
            try:        # the documents and the printed pages in the same LibreOffice processes
                pdf.pdfs([*paths, *page_paths], out, cache_dir=root / ".cache" / "pdf",
                         targets=[out / f"{p.stem}.pdf" for p in paths] + [out / PAGES / f"{p.stem}.pdf"
                                                                           for p in page_paths],
                         labels={**{p: d.file for p, d in zip(paths, docs)},
                                 **{p: f"docs/{page.src_path}" for p, page in zip(page_paths, pages)}},
                         properties={**{p: document_properties(handbook, d) for p, d in zip(paths, docs)},
                                     **{p: page_properties(handbook, page) for p, page in zip(page_paths, pages)}})
            except pdf.PdfError as exc:
                raise BuildError(f"PDF-filerna kunde inte skapas: {exc}") from None
        finally:
            shutil.rmtree(words_dir, ignore_errors=True)
    return step


register(Output(name="pdf", folder=FOLDER, files="PDF-filerna", label="PDF", make=pdf_step, order=20))
