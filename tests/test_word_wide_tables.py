"""Wide tables in Word: column widths from the content, a landscape section when the portrait page
is too narrow, the header row repeating, merged cells kept, and no word broken inside a cell.
Read as a person reads it: LibreOffice's PDF, its text by pdftotext -layout."""
from __future__ import annotations

import subprocess

from docx import Document
from docx.oxml.ns import qn

from styrdok.export import WordDocument, export_docx

from conftest import REPO, require_tool

TEMPLATES = REPO / "templates" / "word"
COLUMNS = ["Område", "Mål", "Aktivitet", "Ansvarig", "Status", "Klart senast", "Uppföljning"]
ROWS = [
    ["Avvikelsehantering", "Alla avvikelser rapporteras", "Utbildning för nyanställda", "Socialsekreterare",
     "Planerad", "2026-06-30", "Kvartalsvis"],
    ["Dokumentation", "Journaler förs löpande", "Stickprov i verksamhetssystemet", "Enhetschef",
     "Pågående", "2026-09-30", "Halvårsvis"],
    ["Klagomål", "Svar inom tio arbetsdagar", "Rutinen gås igenom på arbetsplatsträffar", "Kvalitetsutvecklare",
     "Klar", "2026-03-31", "Årligen"],
]


def table_html() -> str:
    head = "".join(f"<th>{c}</th>" for c in COLUMNS)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in ROWS)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def test_seven_columns_get_a_landscape_page_and_every_word_stays_whole(tmp_path):
    require_tool("soffice", "gör PDF av Word-filen")
    pdftotext = require_tool("pdftotext", "läser texten i PDF-filen")
    word = WordDocument(doc_id="kvalitetsplan", title="Kvalitetsplan 2026", doc_type="Plan",
                        kommun_name="Älvstads kommun", logo_path=None, metadata=[("Typ", "Plan")], revisions=[],
                        body_markdown="## Aktiviteter\n\nPlanen för året.\n\n" + table_html()
                        + "\n\n## Uppföljning\n\nPlanen följs upp i ledningsgruppen.\n")
    path = tmp_path / "kvalitetsplan.docx"
    export_docx(word, path, TEMPLATES)
    doc = Document(str(path))
    table = next(t for t in doc.tables if t.rows[0].cells[0].text == "Område")
    assert [c.text for c in table.rows[0].cells] == COLUMNS
    assert table._tbl.find(qn("w:tr")).find(qn("w:trPr") + "/" + qn("w:tblHeader")) is not None
    orients = [s.orientation for s in doc.sections]
    assert len(orients) == 3 and int(orients[1]) == 1 and int(orients[0]) == int(orients[2]) == 0   # landscape
    widths = [int(c.get(qn("w:w"))) for c in table._tbl.find(qn("w:tblGrid"))]
    assert widths[COLUMNS.index("Aktivitet")] > widths[COLUMNS.index("Status")]     # by the amount of text
    from styrdok.pdf import convert         # styrdok's PDF step (the same LibreOffice)
    convert([path], tmp_path)
    text = subprocess.run([pdftotext, "-layout", str(tmp_path / "kvalitetsplan.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout
    pages = text.split("\f")
    assert len([p for p in pages if p.strip()]) == 3 and all("Älvstads kommun" in p for p in pages[:3])
    assert "Sida 2 (3)" in pages[1]                  # the landscape page has the template's header and footer
    # the heading and the sentence that introduce the table are on its page, not left at the foot of page 1
    assert "Aktiviteter" in pages[1] and "Planen för året." in pages[1] and "Aktiviteter" not in pages[0]
    found = set(text.split())
    for cell in COLUMNS + [c for row in ROWS for c in row]:
        for w in cell.split():
            assert w in found, f"ordet {w!r} är avbrutet eller saknas i PDF-filen"


def _sections_of(path) -> list[list[str]]:
    """Each section's paragraphs (their text) and tables (their first cell's text), in order; a
    paragraph holding w:sectPr ends its section."""
    sections: list[list[str]] = [[]]
    for element in Document(str(path)).element.body:
        text = "".join(t.text or "" for t in element.iter(qn("w:t")))
        if element.tag == qn("w:tbl"):
            text = "".join(t.text or "" for t in element.find(qn("w:tr")).find(qn("w:tc")).iter(qn("w:t")))
        if text.strip():
            sections[-1].append(text)
        if element.find(qn("w:pPr") + "/" + qn("w:sectPr")) is not None:
            sections.append([])
    return sections


def test_a_wide_tables_heading_goes_onto_its_landscape_page_but_not_the_text_before_it(tmp_path):
    """Directly above the table, or with one paragraph between, the heading goes with it; text further up
    stays on the portrait page, and so does a heading with more than one paragraph before the table."""
    cases = {
        "rubrik": ("## Tidsgränser\n\n" + table_html(), ["Tidsgränser"]),
        "rubrik-och-stycke": ("## Tidsgränser\n\nTabellen visar stegen.\n\n" + table_html(),
                              ["Tidsgränser", "Tabellen visar stegen."]),
        "langre-text": ("## Tidsgränser\n\nFörsta stycket.\n\nAndra stycket.\n\n" + table_html(), []),
    }
    for name, (body, moved) in cases.items():
        word = WordDocument(doc_id=name, title="Rutin", doc_type="Rutin", kommun_name="Älvstads kommun",
                            logo_path=None, metadata=[("Typ", "Rutin")], revisions=[],
                            body_markdown="## Syfte\n\nRutinen gäller alla.\n\n" + body + "\n\n## Ansvar\n\nChefen.\n")
        path = tmp_path / f"{name}.docx"
        export_docx(word, path, TEMPLATES)
        portrait, landscape, after = _sections_of(path)
        assert landscape[:len(moved)] == moved and landscape[len(moved)] == COLUMNS[0], (name, landscape[:4])
        assert portrait[-1] == ("Rutinen gäller alla." if moved else "Andra stycket."), (name, portrait[-3:])
        assert after[0] == "Ansvar"


def test_wide_tables_one_after_the_other_share_landscape_pages_without_a_blank_page_between(tmp_path):
    """Each wide table used to get a landscape section of its own, with an empty portrait section
    between them: a blank page between two tables in LibreOffice and Word."""
    require_tool("soffice", "gör PDF av Word-filen")
    pdftotext = require_tool("pdftotext", "läser texten i PDF-filen")
    body = ("## Syfte\n\nRutinen gäller alla.\n\n## Tabell ett\n\n" + table_html() + "\n\n## Tabell två\n\n"
            + table_html() + "\n\n" + table_html() + "\n\n## Ansvar\n\nChefen.\n")
    word = WordDocument(doc_id="tre-tabeller", title="Rutin", doc_type="Rutin", kommun_name="Älvstads kommun",
                        logo_path=None, metadata=[("Typ", "Rutin")], revisions=[], body_markdown=body)
    path = tmp_path / "tre-tabeller.docx"
    export_docx(word, path, TEMPLATES)
    portrait, landscape, after = _sections_of(path)
    assert landscape == ["Tabell ett", COLUMNS[0], "Tabell två", COLUMNS[0], COLUMNS[0]], landscape
    from styrdok.pdf import convert
    convert([path], tmp_path)
    pages = subprocess.run([pdftotext, "-layout", str(tmp_path / "tre-tabeller.pdf"), "-"],
                           capture_output=True, text=True, check=True).stdout.split("\f")
    pages = [p for p in pages if p.strip()]
    header_and_footer = {"Älvstads", "kommun", "Rutin", "Sida"}
    assert all(set(p.split()) - header_and_footer - {w for w in p.split() if w.strip("()").isdigit()}
               for p in pages), "en sida utan innehåll"
    assert "Tabell ett" in pages[1] and "Tabell två" in pages[1] and "Ansvar" in pages[-1]
