"""The archive copy of a decision: the decided version as PDF/A-2b (e-arkiv takes PDF/A).

`styrdok decide` writes it after recording the decision, `styrdok arkivera DOK` writes it again
for the latest decision (both from the decision's git tag, so the copy is the version decided):
build/arkiv/<id>/<id>--beslutad-<datum>.pdf, with title, author (the förvaltning), subject and
keywords in the document properties, and the fonts embedded (LibreOffice embeds them in PDF/A).
"""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from . import pdf
from .load import Project
from .model import Handbook, Styrdokument
from .outputfiles import file_mode

ARCHIVE_FOLDER = Path("build") / "arkiv"


class ArchiveError(Exception):
    """The archive copy could not be made; the message is Swedish and says what to do."""


def forvaltning_of(handbook: Handbook, doc: Styrdokument) -> str:
    """The förvaltning the document belongs to: above the first unit it applies to, else the kommun's first."""
    for unit in doc.galler_for:
        seen = set()
        while unit is not None and unit.id not in seen:
            seen.add(unit.id)
            if unit.niva == "förvaltning":
                return unit.namn
            unit = handbook.org.get(unit.parent) if unit.parent else None
    return handbook.kommun.forvaltningar[0].namn


def document_properties(handbook: Handbook, doc: Styrdokument) -> dict:
    """A PDF's document properties: title, author (the förvaltning), subject, keywords."""
    last = next((b for b in reversed(doc.beslut) if not b.redaktionell), None)
    decided = f", beslutad av {last.instans.namn} {last.datum.isoformat()}" if last is not None else ""
    keywords = [doc.typ.namn, "styrdokument", handbook.kommun.namn, *doc.taggar]
    return {"title": doc.titel, "author": f"{forvaltning_of(handbook, doc)}, {handbook.kommun.namn}",
            "subject": f"{doc.typ.namn} för {handbook.kommun.namn}{decided}",
            "keywords": list(dict.fromkeys(keywords))}


def archive_decision(handbook: Handbook, project: Project, doc: Styrdokument) -> Path:
    """Write the latest decided version of doc as PDF/A-2b; its path. ArchiveError (Swedish) on failure."""
    from .export import ExportError, export_docx
    from .export.documents import decided_word_document, templates_for
    word = decided_word_document(handbook, project, doc)
    if word is None:
        raise ArchiveError(f"{doc.titel} har inget registrerat beslut (ingen tagg beslut/{doc.id}/…). "
                           "Registrera beslutet med styrdok decide.")
    target = project.root / ARCHIVE_FOLDER / doc.id / f"{word.doc_id}.pdf"
    with tempfile.TemporaryDirectory(prefix="styrdok-arkiv-") as tmp_name:
        tmp = Path(tmp_name)
        try:
            export_docx(word, tmp / "word.docx", templates_for(project))
        except ExportError as exc:
            raise ArchiveError(str(exc)) from None
        source = tmp / f"{word.doc_id}.docx"
        pdf.set_properties(tmp / "word.docx", source, **document_properties(handbook, doc))
        try:
            made, = pdf.convert([source], tmp / "pdf", pdfa=True, labels={source: f"{doc.file} (beslutad version)"})
        except pdf.PdfError as exc:
            raise ArchiveError(str(exc)) from None
        target.parent.mkdir(parents=True, exist_ok=True)
        staged = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        shutil.copyfile(made, staged)           # /tmp may be another file system: copy, then rename
        os.chmod(staged, file_mode())
        os.replace(staged, target)
    return target
