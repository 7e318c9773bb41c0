"""The Word output of `styrdok build`: every styrdokument (and each decided version) as a .docx in
the site's word/ folder, and every printed page that is not a styrdokument (styrdok.printpages) in
word/sidor/, each linked from its page. One registration in styrdok.publish."""
from __future__ import annotations

from pathlib import Path

from ..model import Handbook
from ..printpages import FOLDER, print_pages
from ..publish import Output, Step, progress, register


def export_print_pages(handbook: Handbook, project, out_dir: Path, cache_dir: Path) -> list[Path]:
    """The printed pages that are not styrdokument (styrdok.printpages: processes, kvalitetsplaner,
    Mitt ansvar, the enheter's ledningssystem) as Word, out_dir/<name>.docx, cached like the documents."""
    from ..export import export_many
    from ..export.documents import page_word_document, templates_for
    pages = list(print_pages(handbook).values())
    if not pages:
        return []
    return export_many([page_word_document(handbook, project, p) for p in pages], out_dir, templates_for(project),
                       cache_dir=cache_dir, link=True)


def word_step(handbook: Handbook, root: Path) -> Step:
    """Build step: every styrdokument as Word, into the new site's word/ folder."""
    def step(site_tmp: Path) -> None:
        from ..decided_pages import decided_words
        from ..load import Project
        from ..site.build import BuildError
        from ..export import ExportError, export_many
        from ..export.documents import templates_for, word_document
        project = Project(root)
        try:
            words = [word_document(handbook, project, d) for d in handbook.dokument.values()]
            words += decided_words(handbook, project)
            export_many(words, site_tmp / "word", templates_for(project), cache_dir=root / ".cache" / "word",
                        link=True, progress=progress)
            export_print_pages(handbook, project, site_tmp / "word" / FOLDER, root / ".cache" / "word" / FOLDER)
        except ExportError as exc:
            raise BuildError(f"Word-filerna kunde inte skapas: {exc}") from None
    return step


register(Output(name="word", folder="word", files="Word-filerna", label="Word", make=word_step, order=10))
