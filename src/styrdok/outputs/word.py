"""The Word output of `styrdok build`: every styrdokument (and each decided version) as a .docx in
the site's word/ folder, linked from its page. One registration in styrdok.publish."""
from __future__ import annotations

from pathlib import Path

from ..model import Handbook
from ..publish import Output, Step, progress, register


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
        except ExportError as exc:
            raise BuildError(f"Word-filerna kunde inte skapas: {exc}") from None
    return step


register(Output(name="word", folder="word", files="Word-filerna", label="Word", make=word_step, order=10))
