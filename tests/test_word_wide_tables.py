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
    found = set(text.split())
    for cell in COLUMNS + [c for row in ROWS for c in row]:
        for w in cell.split():
            assert w in found, f"ordet {w!r} är avbrutet eller saknas i PDF-filen"
