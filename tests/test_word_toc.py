"""A Word file with more than a few headings gets a table of contents without being asked (--toc
still forces one); a short one does not."""
from __future__ import annotations

import zipfile

from docx import Document

from styrdok.export import WordDocument, export_docx
from styrdok.export.word import TOC_MIN_HEADINGS

from conftest import REPO

TEMPLATES = REPO / "templates" / "word"


def document(headings: int) -> WordDocument:
    body = "".join(f"## Avsnitt {n}\n\nText i avsnitt {n}.\n\n" for n in range(1, headings + 1))
    return WordDocument(doc_id=f"rubriker-{headings}", title="Rutin med rubriker", doc_type="Rutin",
                        kommun_name="Älvstads kommun", logo_path=None, metadata=[("Typ", "Rutin")], revisions=[],
                        body_markdown=body, toc=False)


def toc_entries(path) -> list[str]:
    doc = Document(str(path))
    return [p.text for p in doc.paragraphs if p.style.style_id.startswith("TOC")]


def test_more_than_a_few_headings_get_a_table_of_contents(tmp_path):
    many, few = TOC_MIN_HEADINGS + 1, TOC_MIN_HEADINGS
    export_docx(document(many), tmp_path / "manga.docx", TEMPLATES)
    export_docx(document(few), tmp_path / "fa.docx", TEMPLATES)
    assert toc_entries(tmp_path / "manga.docx") == ["Innehåll", *(f"Avsnitt {n}" for n in range(1, many + 1))]
    xml = zipfile.ZipFile(tmp_path / "manga.docx").read("word/document.xml").decode("utf-8")
    assert 'TOC \\o "1-3"' in xml
    assert "updateFields" in zipfile.ZipFile(tmp_path / "manga.docx").read("word/settings.xml").decode("utf-8")
    assert toc_entries(tmp_path / "fa.docx") == []
    assert "TOC \\o" not in zipfile.ZipFile(tmp_path / "fa.docx").read("word/document.xml").decode("utf-8")
