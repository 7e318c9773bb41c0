"""The nämnd package: what `styrdok tjansteskrivelse DOK` hands the nämnd's secretary.

One folder, build/namnd/<id>-<datum>/, and a zip of it beside it (<id>-<datum>.zip), holding:
the tjänsteskrivelse, the document as bilaga, the copy with tracked changes against the last
decision (when there is one), and a PDF of each. The memo's list of handlingar is made from the
same list the files are written from, and the package is checked against it before it is moved
into place: the memo names exactly the files in the folder. Everything is written into a
temporary folder first, so a failure leaves no half package (and an earlier one as it was).
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import os
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from . import pdf
from .history import HistoryError
from .load import Project
from .model import Handbook, Styrdokument
from .outputfiles import dir_mode, file_mode
from .problems import Problems

PACKAGE_FOLDER = Path("build") / "namnd"


class PackageError(Exception):
    """The package could not be made; the message is Swedish and says what to do."""


@dataclass(frozen=True)
class Handling:
    namn: str              # how the memo names it: "Bilaga 1. Riktlinje för kvalitet, förslag till beslut"
    stem: str              # file name without extension

    def files(self, with_pdf: bool) -> list[str]:
        return [f"{self.stem}.docx", *([f"{self.stem}.pdf"] if with_pdf else [])]


def handlingar(doc: Styrdokument, datum: dt.date, ref: str | None) -> list[Handling]:
    """The package's documents, in the order the memo lists them."""
    out = [Handling(f"Tjänsteskrivelse {datum.isoformat()}", f"{doc.id}-tjansteskrivelse"),
           Handling(f"Bilaga 1. {doc.titel}, förslag till beslut", doc.id)]
    if ref:
        decided = ref.rsplit("/", 1)[-1]
        out.append(Handling(f"Bilaga 2. {doc.titel} med ändringarna sedan beslutet {decided} som spårade ändringar",
                            f"{doc.id}-jamforelse"))
    return out


def write_package(handbook: Handbook, project: Project, doc: Styrdokument, *, namnd_id: str | None,
                  datum: dt.date, out_root: Path, problems: Problems, with_pdf: bool = True) -> tuple[Path, Path]:
    """Write the package folder and its zip under out_root; (folder, zip). PackageError or
    ExportError (Swedish) on failure, with nothing of the new package left behind; what the memo
    could not find out is a varning in problems."""
    from .export import ExportError, export_compare_docx, export_docx, export_tjansteskrivelse
    from .export.documents import git_user, last_decided_ref, memo_for, old_body, templates_for, word_document
    if with_pdf and not pdf.available():
        raise PackageError(f"PDF-filerna till nämnden kan inte göras: LibreOffice (soffice) finns inte på den här "
                           f"datorn. {pdf.INSTALL}, eller gör paketet utan PDF med --utan-pdf.")
    try:
        ref = last_decided_ref(project, doc)
    except HistoryError:
        ref = None              # memo_for reports it; the package has no tracked-changes copy then
    items = handlingar(doc, datum, ref)
    memo = memo_for(handbook, project, doc, namnd_id=namnd_id, datum=datum, problems=problems)
    memo = dataclasses.replace(memo, handlingar=[(h.namn, h.files(with_pdf)) for h in items])
    templates = templates_for(project)
    name = f"{doc.id}-{datum.isoformat()}"
    out_root = Path(out_root)
    out_root.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{name}-", dir=out_root))
    try:
        folder = tmp / name
        folder.mkdir()
        export_tjansteskrivelse(memo, folder / items[0].files(False)[0], templates)
        word = word_document(handbook, project, doc)
        export_docx(word, folder / items[1].files(False)[0], templates)
        if ref:
            export_compare_docx(word, old_body(handbook, project, doc, ref), folder / items[2].files(False)[0],
                                templates, author=git_user(project), date=dt.datetime.now(), old_label=ref)
        if with_pdf:
            sources = [folder / h.files(False)[0] for h in items]
            if ref:             # the PDF of the tracked-changes copy shows them as formatting (export.printed)
                from .export.printed import printable_copy
                printed = tmp / "utskrift"
                printed.mkdir()
                sources[2] = printable_copy(sources[2], printed / sources[2].name)
            try:
                pdf.convert(sources, folder, labels={s: f"{s.name} (till {doc.file})" for s in sources})
            except pdf.PdfError as exc:
                raise PackageError(str(exc)) from None
        listed = sorted(f for h in items for f in h.files(with_pdf))
        present = sorted(p.name for p in folder.iterdir())
        if present != listed:       # the memo must name exactly what the nämnd gets
            raise PackageError(f"Paketet till nämnden blev inte som tjänsteskrivelsen säger: filerna {present}, "
                               f"tjänsteskrivelsen listar {listed}. Kör kommandot igen; rapportera felet om det består.")
        archive = tmp / f"{name}.zip"
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as out:
            for file in present:
                out.write(folder / file, f"{name}/{file}")
        os.chmod(folder, dir_mode())
        for path in [*folder.iterdir(), archive]:
            os.chmod(path, file_mode())
        target, target_zip = out_root / name, out_root / f"{name}.zip"
        old = None
        if target.exists():
            old = tmp / "tidigare"
            os.replace(target, old)
        os.replace(folder, target)
        os.replace(archive, target_zip)
        return target, target_zip
    except ExportError as exc:
        raise PackageError(str(exc)) from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
