"""The Word layer (styrdok.export) as a reader meets it: real pandoc, real .docx, real LibreOffice.

Every document is opened with python-docx and checked for what a person sees (title, metadata,
headings, tables, boxes, tracked changes); LibreOffice converts all of them to PDF in one run.
"""
from __future__ import annotations

import datetime as dt
import io
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import markdown as python_markdown
import pytest
from docx import Document
from docx.oxml.ns import qn

from conftest import require_tool
from styrdok.export import (ExportError, Tjansteskrivelse, WordDocument, export_compare_docx, export_docx,
                            export_many, export_tjansteskrivelse, import_docx)
from styrdok.export import make_templates
from styrdok.export.compare import Marks, track
from styrdok.export.wordhtml import Sources, parse, printable, serialize, word_html
from styrdok.htmlsafety import check_page_html
from styrdok.problems import Problems
from styrdok.render.html import config_from_list, render_html
from styrdok.render.tables import grouped_table_html

REPO = Path(__file__).resolve().parents[1]
TEMPLATES = REPO / "templates" / "word"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
SITE_EXTENSIONS = ["abbr", "admonition", "attr_list", "def_list", "footnotes", "tables", "toc",
                   "pymdownx.superfences", "pymdownx.details"]

TITLE = "Rutin för hot & våld <akut> enligt 5 kap. §"
BODY = """\
# Rutin för hot & våld

*[MAS]: Medicinskt ansvarig sjuksköterska

[TOC]

## Syfte {: #syfte }

Rutinen gäller enligt 5 kap. 1 § och ska läsas av alla på Åby, Älvkullen och Ödeby. MAS följer upp.
Rapportera < samma dag & dokumentera<br>i journalen.
{: .lead }

!!! warning "Vid akut fara"
    Ring 112 först. Rapportera sedan till MAS.

    - larma kollegor
    - lämna rummet

??? tip
    Spara numret i telefonen.

## Ansvar

| Roll | Ansvar |
|---|---|
| Enhetschef | Ser till att rutinen följs & följs upp |
| Medarbetare | Rapporterar < samma dag |

Läs också [rutinen för avvikelser](avvikelser.md), [](../riktlinjer/kvalitet.md#mal) och [IVO:s sida](https://www.ivo.se/).

Hot
:   Ett uttalande eller en handling som väcker rädsla.

Händelsen anmäls till polisen[^1].

[^1]: Om den enskilde eller medarbetaren vill det.

## Bilder

![Flödet](bilder/flode.svg)

![Skylt](bilder/skylt.png)
"""
METADATA = [("Typ av styrdokument", "Rutin"), ("Beslutad av", "Socialnämnden, Vård- och omsorgsnämnden"),
            ("Diarienummer", "SN 2025/41 & <x>"), ("Gäller från", "2025-02-01"),
            ("Dokumentansvarig", "Socialt ansvarig samordnare")]
LABELS = {"typ": "Typ av styrdokument", "beslutad_av": "Beslutad av", "diarienummer": "Diarienummer",
          "galler_fran": "Gäller från", "dokumentansvarig": "Dokumentansvarig", "senast_reviderad": "Senast reviderad"}
SVG = ('<svg xmlns="http://www.w3.org/2000/svg" width="240" height="80" viewBox="0 0 240 80">'
       '<rect x="2" y="2" width="236" height="76" fill="#dce4f0" stroke="#1f3a68" stroke-width="3"/>'
       '<circle cx="40" cy="40" r="20" fill="#1f3a68"/></svg>')


# --- helpers -------------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def soffice():
    """LibreOffice proves that Word's other reader opens the files. Missing: fail in CI, else skip."""
    path = shutil.which("soffice")
    if path:
        return path
    message = "LibreOffice (soffice) saknas: installera libreoffice-writer-nogui (se .ci/run)."
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def png_bytes() -> bytes:
    import resvg_py
    return bytes(resvg_py.svg_to_bytes(svg_string=SVG))


@pytest.fixture(scope="module")
def docs_dir(tmp_path_factory) -> Path:
    docs = tmp_path_factory.mktemp("docs")
    (docs / "rutiner" / "bilder").mkdir(parents=True)
    (docs / "rutiner" / "bilder" / "flode.svg").write_text(SVG, encoding="utf-8")
    (docs / "rutiner" / "bilder" / "skylt.png").write_bytes(png_bytes())
    (docs / "assets").mkdir()
    (docs / "assets" / "logotyp.svg").write_text(SVG, encoding="utf-8")
    return docs


def word_document(docs: Path, **changes) -> WordDocument:
    values = dict(doc_id="hot-och-vald", title=TITLE, doc_type="Rutin", kommun_name="Älvstads kommun",
                  logo_path=docs / "assets" / "logotyp.svg", metadata=METADATA,
                  revisions=[("2025-01-10", "Sara SAS", "Första versionen"),
                             ("2025-02-01", "Socialnämnden", "Beslutad & publicerad")],
                  body_markdown=BODY, toc=True, src_path="rutiner/hot-och-vald.md", docs_dir=docs,
                  link_titles={"riktlinjer/kvalitet.md": "Riktlinje för kvalitet",
                               "rutiner/avvikelser.md": "Rutin för avvikelser"})
    values.update(changes)
    return WordDocument(**values)


def memo() -> Tjansteskrivelse:
    return Tjansteskrivelse(
        kommun_name="Älvstads kommun", namnd="Socialnämnden", diarienummer="SN 2025/41", datum="2025-03-01",
        handlaggare="Socialt ansvarig samordnare", arende="Revidering av Rutin för hot & våld",
        forslag_till_beslut=["Socialnämnden antar Rutin för hot & våld enligt bilaga.",
                             "Rutinen gäller från och med 2025-04-01."],
        sammanfattning="Rutinen har setts över efter två händelser under 2024 (§ 12).",
        beskrivning="Rutinen beskriver vad medarbetare gör vid hot.\n\n!!! note\n    Polisen ska alltid kontaktas.\n",
        andringar=["Ring 112 omedelbart i stället för först", "Ny rubrik Uppföljning"],
        bilaga="Rutin för hot & våld (hot-och-vald.docx)", logo_path=None)


def paragraphs(doc) -> list[str]:
    return [p.text for p in doc.paragraphs]


def all_text(path: Path) -> str:
    """Every w:t of the main document, header, footer and footnotes."""
    with zipfile.ZipFile(path) as z:
        xml = "".join(z.read(n).decode("utf-8") for n in z.namelist()
                      if n.startswith("word/") and n.endswith(".xml"))
    return "".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", xml))


def table_starting(doc, first_cell: str):
    for table in doc.tables:
        if table.rows and table.rows[0].cells[0].text.strip() == first_cell:
            return table
    raise AssertionError(f"ingen tabell börjar med {first_cell!r}: {[t.rows[0].cells[0].text for t in doc.tables]}")


def no_leftovers(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.suffix in (".docx", ".tmp")] if folder.exists() else []


@pytest.fixture(scope="module")
def produced(tmp_path_factory, docs_dir) -> dict[str, Path]:
    """Every kind of document, produced once; the tests below read them, LibreOffice converts them."""
    out = tmp_path_factory.mktemp("word")
    files = {}
    files["dokument"] = out / "hot-och-vald.docx"
    export_docx(word_document(docs_dir), files["dokument"], TEMPLATES)
    files["utan_historik"] = out / "utan-historik.docx"
    export_docx(word_document(docs_dir, doc_id="utan-historik", revisions=[], toc=False, logo_path=None),
                files["utan_historik"], TEMPLATES)
    new = (BODY.replace("Ring 112 först.", "Ring 112 omedelbart.")
               .replace("Läs också", "Läs alltid också")
               .replace("| Medarbetare | Rapporterar < samma dag |\n", "")
               .replace("Händelsen anmäls till polisen[^1].\n\n", "")
           + "\n## Uppföljning\n\nEnhetschefen följer upp varje händelse.\n")
    files["jamforelse"] = out / "hot-och-vald-jamforelse.docx"
    export_compare_docx(word_document(docs_dir, body_markdown=new), BODY, files["jamforelse"], TEMPLATES,
                        author="Sara SAS", date=dt.datetime(2025, 3, 1, 9, 30), old_label="2025-02-01")
    files["tjansteskrivelse"] = out / "tjansteskrivelse.docx"
    export_tjansteskrivelse(memo(), files["tjansteskrivelse"], TEMPLATES)
    grouped = grouped_table_html(
        ["Process", "Risk", "Egenkontroll", "Åtgärd"],
        [["Avvikelsehantering", "Avvikelser rapporteras inte", "Stickprov i journaler", "Utbildning"],
         [None, "Utredningen dröjer", "Uppföljning av ärendetid", "Påminnelser"],
         [None, "Åtgärder följs inte upp", "Genomgång i ledningsgrupp", None],
         ["Lex Sarah", "Rapport saknas", "Genomgång av avvikelser", "Information & stöd"]])
    files["kvalitetsplan"] = out / "kvalitetsplan.docx"
    export_docx(word_document(docs_dir, doc_id="kvalitetsplan", title="Kvalitetsplan 2026", doc_type="Plan",
                              toc=False, body_markdown="## Processer och risker\n\n" + grouped),
                files["kvalitetsplan"], TEMPLATES)
    return files


# --- the styrdokument ------------------------------------------------------------------------------

def test_document_shows_title_metadata_and_body_intact(produced):
    doc = Document(str(produced["dokument"]))
    texts = paragraphs(doc)
    assert TITLE in texts                                               # & < § intact
    assert texts[texts.index(TITLE) - 1] == "Rutin"                     # the document type above it
    meta = table_starting(doc, "Typ av styrdokument")
    assert [(r.cells[0].text, r.cells[1].text) for r in meta.rows] == METADATA
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert headings == ["Syfte", "Ansvar", "Bilder", "Revisionshistorik"]   # ## became Heading 1, # title gone
    body = "\n".join(texts)
    assert "Rutinen gäller enligt 5 kap. 1 § och ska läsas av alla på Åby, Älvkullen och Ödeby." in body
    assert "MAS (Medicinskt ansvarig sjuksköterska) följer upp." in body  # abbreviation written out once
    assert "Rapportera < samma dag & dokumentera\ni journalen." in body  # <br> became a line break
    assert "Läs också rutinen för avvikelser, Riktlinje för kvalitet och IVO:s sida." in body
    assert "*[MAS]" not in body and "[TOC]" not in body and "{:" not in body and "<br" not in body
    assert "Ett uttalande eller en handling som väcker rädsla." in body    # definition list
    assert "STYRDOK-" not in all_text(produced["dokument"])              # no marker left behind
    assert "Om den enskilde eller medarbetaren vill det." in all_text(produced["dokument"])  # footnote


def test_admonitions_are_framed_boxes_with_title(produced):
    doc = Document(str(produced["dokument"]))
    boxes = {t.style.name: t for t in doc.tables if t.style is not None and t.style.name.endswith(" ram")}
    assert set(boxes) == {"Varningsruta ram", "Tipsruta ram"}
    warning = boxes["Varningsruta ram"].rows[0].cells[0]
    texts = [p.text for p in warning.paragraphs]
    assert texts[:2] == ["Vid akut fara", "Ring 112 först. Rapportera sedan till MAS."]
    assert texts[2:4] == ["larma kollegor", "lämna rummet"]             # the list stays inside the box
    assert warning.paragraphs[0].runs[0].bold and warning.paragraphs[0].style.name == "Varningsruta"
    assert [p.text for p in boxes["Tipsruta ram"].rows[0].cells[0].paragraphs] == ["Tips", "Spara numret i telefonen."]


def test_tables_are_word_tables_with_repeating_header(produced):
    doc = Document(str(produced["dokument"]))
    roles = table_starting(doc, "Roll")
    assert [[c.text for c in r.cells] for r in roles.rows] == [
        ["Roll", "Ansvar"], ["Enhetschef", "Ser till att rutinen följs & följs upp"],
        ["Medarbetare", "Rapporterar < samma dag"]]
    assert roles.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    history = table_starting(doc, "Datum")
    assert [[c.text for c in r.cells] for r in history.rows] == [
        ["Datum", "Vem", "Vad"], ["2025-01-10", "Sara SAS", "Första versionen"],
        ["2025-02-01", "Socialnämnden", "Beslutad & publicerad"]]
    assert history.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None


def test_links_images_header_footer_and_toc(produced):
    path = produced["dokument"]
    doc = Document(str(path))
    links = doc.element.body.findall(".//" + qn("w:hyperlink"))
    targets = [doc.part.rels[h.get(qn("r:id"))].target_ref for h in links if h.get(qn("r:id"))]
    assert targets == ["https://www.ivo.se/"]                           # internal links are plain text
    assert len(doc.inline_shapes) == 2                                  # the SVG (as PNG) and the PNG
    with zipfile.ZipFile(path) as z:
        media = [n for n in z.namelist() if n.startswith("word/media/")]
        assert media and all(n.endswith((".png", ".jpg", ".jpeg")) for n in media)
        settings = z.read("word/settings.xml").decode()
        assert "updateFields" in settings                              # Word fills in the TOC's page numbers
    header = doc.sections[0].header
    assert "Älvstads kommun" in [c.text for t in header.tables for c in t.rows[0].cells]
    assert header.part.element.findall(".//" + qn("a:blip")), "logotypen saknas i sidhuvudet"
    footer = doc.sections[0].footer.paragraphs[0]
    assert footer.text.startswith(TITLE) and "Sida" in footer.text
    instructions = " ".join(i.text for i in footer._p.iter(qn("w:instrText")))
    assert "PAGE" in instructions and "NUMPAGES" in instructions
    toc = [p.text for p in doc.paragraphs if p.style.name.startswith("toc")]
    assert toc == ["Syfte", "Ansvar", "Bilder"]
    assert any("TOC \\o" in (i.text or "") for i in doc.element.body.iter(qn("w:instrText")))


def test_empty_history_says_so_and_no_logo_no_toc(produced):
    doc = Document(str(produced["utan_historik"]))
    history = table_starting(doc, "Datum")
    assert [c.text for c in history.rows[1].cells][0] == "Ingen revisionshistorik ännu."
    assert len(history.rows) == 2
    assert not [p for p in doc.paragraphs if p.style.name.startswith("toc")]
    assert "Innehåll" not in paragraphs(doc)
    assert not doc.sections[0].header.part.element.findall(".//" + qn("a:blip"))


def test_grouped_table_has_merged_cells(produced):
    doc = Document(str(produced["kvalitetsplan"]))
    table = table_starting(doc, "Process")
    tcs = [tr.findall(qn("w:tc")) for tr in table._tbl.findall(qn("w:tr"))]
    merge = [[(tc.find(qn("w:tcPr") + "/" + qn("w:vMerge")).get(qn("w:val"), "continue")
               if tc.find(qn("w:tcPr") + "/" + qn("w:vMerge")) is not None else None) for tc in row] for row in tcs]
    assert [row[0] for row in merge] == [None, "restart", "continue", "continue", None]
    assert [row[3] for row in merge] == [None, None, "restart", "continue", None]
    assert table.cell(1, 0).text == "Avvikelsehantering" and table.cell(3, 0)._tc is table.cell(1, 0)._tc
    assert table.cell(4, 3).text == "Information & stöd"
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None


def test_numbered_lists_restart_and_html_tables_keep_spans(tmp_path, docs_dir):
    body = ("1. ett\n2. två\n\nMellan.\n\n1. första igen\n2. andra\n\n"
            "<table><tr><th>A</th><th>B</th><th>C</th></tr><tr><td colspan=\"2\">AB &amp; mer</td><td>c1</td></tr>"
            "<tr><td>a2</td><td>b2</td><td rowspan=\"2\">c2</td></tr><tr><td>a3</td><td>b3</td></tr></table>\n")
    path = tmp_path / "listor.docx"
    export_docx(word_document(docs_dir, body_markdown=body, toc=False), path, TEMPLATES)
    doc = Document(str(path))
    num_ids = [p._p.pPr.numPr.numId.val for p in doc.paragraphs if p._p.pPr is not None and p._p.pPr.numPr is not None]
    assert len(num_ids) == 4 and num_ids[0] == num_ids[1] != num_ids[2] == num_ids[3]   # the second list restarts
    table = table_starting(doc, "A")
    assert table.cell(1, 0).text == "AB & mer" and table.cell(1, 1)._tc is table.cell(1, 0)._tc    # gridSpan
    assert table.cell(3, 2)._tc is table.cell(2, 2)._tc                                               # vMerge
    with zipfile.ZipFile(path) as z:
        assert "<table" not in z.read("word/document.xml").decode()


def test_grouped_table_is_html_the_site_allows():
    text = grouped_table_html(["Process", "Risk"], [["A & B", "r1"], [None, "r2"], ["C", ""]])
    html = render_html("Före.\n" + text + "Efter.\n")
    assert '<td rowspan="2">A &amp; B</td><td>r1</td></tr>\n<tr><td>r2</td></tr>' in html
    assert "<td>–</td>" in html and "<p>Efter.</p>" in html
    problems = Problems()
    check_page_html(str(text), "docs/sida.md", 1, problems)
    assert not problems.sorted(), problems.report()                    # passes the site's HTML allowlist
    with pytest.raises(ValueError):
        grouped_table_html(["Process"], [[None]])


# --- tracked changes -------------------------------------------------------------------------------

def test_comparison_copy_has_real_tracked_changes(produced):
    path = produced["jamforelse"]
    doc = Document(str(path))
    body = doc.element.body
    inserted = ["".join(t.text or "" for t in e.iter(f"{W}t")) for e in body.iter(f"{W}ins")]
    deleted = ["".join(t.text or "" for t in e.iter(f"{W}delText")) for e in body.iter(f"{W}del")]
    assert "omedelbart." in inserted and any(d.startswith("först.") for d in deleted)
    # an inserted word inside an otherwise unchanged paragraph
    paragraph = next(p for p in body.iter(f"{W}p") if "alltid" in "".join(t.text or "" for t in p.iter(f"{W}t")))
    assert [e for e in paragraph.iter(f"{W}ins")] and "Läs" in "".join(
        t.text or "" for r in paragraph.findall(f"{W}r") for t in r.iter(f"{W}t"))
    # a deleted paragraph and a deleted table row stay in place, struck through
    assert "Händelsen anmäls till polisen." in [d.replace("\u00a0", " ").strip() for d in deleted]
    roles = table_starting(doc, "Roll")
    row_xml = roles._tbl.findall(qn("w:tr"))[-1]
    assert "Medarbetare" in "".join(t.text for t in row_xml.iter(f"{W}delText"))
    assert "Uppföljning" in inserted and "Enhetschefen följer upp varje händelse." in inserted
    for e in [*body.iter(f"{W}ins"), *body.iter(f"{W}del")]:
        assert e.get(f"{W}author") == "Sara SAS"
        assert e.get(f"{W}date") == "2025-03-01T09:30:00"
    note = next(p for p in doc.paragraphs if p.style.name == "Notering")
    assert note.text.startswith("Jämförelse mot version 2025-02-01.")


def tracked(old: str, new: str) -> str:
    trees = []
    for text in (old, new):
        trees.append(parse(render_html(text)))
        printable(trees[-1])
    track(trees[0], trees[1], Marks("A", "2025-01-01T00:00:00"))
    return serialize(trees[1]).strip()


def test_tracked_changes_mark_words_blocks_and_keep_inline_elements_whole():
    ins, dele = '<span class="insertion" data-author="A" data-date="2025-01-01T00:00:00">', \
        '<span class="deletion" data-author="A" data-date="2025-01-01T00:00:00">'
    assert tracked("Ring 112 först.\n", "Ring 112 omedelbart.\n") == \
        f"<p>Ring 112 {dele}först.</span>{ins}omedelbart.</span></p>"
    assert tracked("- ett\n- två\n", "- ett\n- två\n- tre\n").splitlines()[-2] == f"<li>{ins}tre</span></li>"
    out = tracked("Se [IVO](https://ivo.se) nu.\n", "Se [IVO](https://ivo.se) och [SoS](https://sos.se) nu.\n")
    assert f'<a href="https://ivo.se">IVO</a> {ins}och <a href="https://sos.se">SoS</a></span> nu.' in out
    assert tracked("a b c\n", "a c\n") == f"<p>a {dele}b </span>c</p>"        # the space goes with the word
    out = tracked("| A | B |\n|---|---|\n| 1 | 2 |\n| 3 | 4 |\n", "| A | B |\n|---|---|\n| 1 | 2 |\n")
    assert f"<tr>\n<td>{dele}3</span></td>\n<td>{dele}4</span></td>\n</tr>" in out    # a deleted row stays a row
    out = tracked("Först.\n\n- x\n- y\n\nSist.\n", "Först.\n\nSist.\n")
    assert f"<ul>\n<li>{dele}x</span></li>\n<li>{dele}y</span></li>\n</ul>" in out    # a deleted list stays a list
    assert out.index("Först") < out.index(">x<") < out.index("Sist")


# --- tjänsteskrivelse ------------------------------------------------------------------------------

def test_tjansteskrivelse_has_the_memo_parts(produced):
    doc = Document(str(produced["tjansteskrivelse"]))
    texts = paragraphs(doc)
    for expected in ["Socialnämnden", "Revidering av Rutin för hot & våld", "Förslag till beslut",
                     "1. Socialnämnden antar Rutin för hot & våld enligt bilaga.",
                     "2. Rutinen gäller från och med 2025-04-01.", "Sammanfattning av ärendet",
                     "Rutinen har setts över efter två händelser under 2024 (§ 12).", "Beskrivning av ärendet",
                     "Rutinen beskriver vad medarbetare gör vid hot.", "Vad som har ändrats",
                     "– Ring 112 omedelbart i stället för först", "– Ny rubrik Uppföljning", "Beslutsunderlag",
                     "Bilaga: Rutin för hot & våld (hot-och-vald.docx)", "Socialt ansvarig samordnare"]:
        assert expected in texts, expected
    info = doc.tables[0]
    assert [c.text for c in info.rows[1].cells] == ["2025-03-01", "SN 2025/41", "Socialt ansvarig samordnare"]
    box = next(t for t in doc.tables if t.style is not None and t.style.name == "Faktaruta ram")
    assert [p.text for p in box.rows[0].cells[0].paragraphs] == ["Observera", "Polisen ska alltid kontaktas."]
    assert doc.sections[0].footer.paragraphs[0].text.startswith("Tjänsteskrivelse SN 2025/41")


# --- import ------------------------------------------------------------------------------------------

def test_import_of_an_exported_document(produced):
    result = import_docx(produced["dokument"], LABELS)
    front = result.front_matter
    assert front["titel"] == TITLE
    assert front["typ"] == "Rutin" and front["beslutad_av"] == "Socialnämnden, Vård- och omsorgsnämnden"
    assert front["diarienummer"] == "SN 2025/41 & <x>" and front["galler_fran"] == dt.date(2025, 2, 1)
    assert front["dokumentansvarig"] == "Socialt ansvarig samordnare"
    md = result.markdown
    assert "## Syfte" in md and "## Ansvar" in md and "Revisionshistorik" not in md and "Innehåll" not in md
    assert '!!! warning "Vid akut fara"\n    Ring 112 först.' in md
    assert "| Enhetschef" in md and "Rapporterar &lt; samma dag" in md
    html = python_markdown.markdown(md, extensions=SITE_EXTENSIONS)
    assert "Rapporterar &lt; samma dag" in html and 'class="admonition warning"' in html
    assert any("Revisionshistoriken (2 rader)" in u for u in result.unmapped)
    plan = import_docx(produced["kvalitetsplan"], LABELS).markdown
    assert '<td rowspan="3">Avvikelsehantering</td>' in plan                     # merged cells stay grouped
    assert '<td rowspan="2">Påminnelser</td>' in plan
    assert sum("bild" in u.lower() for u in result.unmapped) == 2       # images are reported, not dropped


def test_import_reports_what_it_cannot_map(tmp_path):
    d = Document()
    table = d.add_table(rows=4, cols=2)
    rows = [("Typ av styrdokument", "Riktlinje"), ("Gäller fr o m", "1 mars 2024"),
            ("Senast reviderad", "Klicka för att ange datum."), ("Målgrupp för utbildning", "Alla")]
    for row, (k, v) in zip(table.rows, rows):
        row.cells[0].text, row.cells[1].text = k, v
    d.add_heading("Riktlinje för nycklar", 0)
    d.add_heading("Bakgrund", 1)
    p = d.add_paragraph("Nycklar kvitteras. Klicka eller tryck här för att ange text.")
    d.add_comment(p.runs, text="Stämmer det här?", author="Granskare")
    d.add_paragraph().add_run().add_picture(io.BytesIO(png_bytes()))
    path = tmp_path / "gammal.docx"
    d.save(str(path))
    result = import_docx(path, LABELS)
    assert result.front_matter == {"titel": "Riktlinje för nycklar", "typ": "Riktlinje",
                                   "galler_fran": dt.date(2024, 3, 1)}
    assert "## Bakgrund" in result.markdown and "Nycklar kvitteras." in result.markdown
    report = "\n".join(result.unmapped)
    assert "'Senast reviderad' i dokumenthuvudet är inte ifylld" in report
    assert "'Målgrupp för utbildning: Alla'" in report
    assert 'Kommentar 1 i Word följde inte med: "Stämmer det här?"' in report
    assert "En bild" in report
    assert "ifyllnadsfält från en Word-mall som inte är ifyllt: 'Klicka eller tryck här för att ange text.'" in report


@pytest.mark.parametrize("content, message", [
    (b"det h\xc3\xa4r \xc3\xa4r ingen Word-fil", "är inte en Word-fil (.docx)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "äldre Word-format (.doc)"),
    (b"PK\x03\x04 trasig", "är inte en Word-fil (.docx)"),
])
def test_import_refuses_what_is_not_word(tmp_path, content, message):
    path = tmp_path / "inte.docx"
    path.write_bytes(content)
    with pytest.raises(ExportError, match=re.escape(message)):
        import_docx(path, LABELS)
    with pytest.raises(ExportError, match="finns inte"):
        import_docx(tmp_path / "saknas.docx", LABELS)


# --- errors: Swedish, named, nothing left behind ------------------------------------------------------

def copy_templates(tmp_path: Path) -> Path:
    own = tmp_path / "mallar"
    shutil.copytree(TEMPLATES, own)
    return own


@pytest.mark.parametrize("content, message", [
    (b"inte en bild", r"Logotypen .*logotyp\.png kunde inte läsas som bild"),
    (b"<svg", r"Bilden .*logotyp\.svg kunde inte omvandlas från SVG till PNG"),
])
def test_logo_that_cannot_be_shown_is_an_error_naming_it(tmp_path, docs_dir, content, message):
    logo = tmp_path / ("logotyp.svg" if content.startswith(b"<svg") else "logotyp.png")
    logo.write_bytes(content)
    out = tmp_path / "ut" / "dokument.docx"
    with pytest.raises(ExportError, match=message):
        export_docx(word_document(docs_dir, logo_path=logo, toc=False), out, TEMPLATES)
    assert no_leftovers(out.parent) == []


def test_svg_logo_without_the_converter_is_an_error_not_a_missing_logo(tmp_path, docs_dir, monkeypatch):
    monkeypatch.setitem(sys.modules, "resvg_py", None)          # as if resvg-py were not installed
    with pytest.raises(ExportError, match=r"Logotypen .*logotyp\.svg är en SVG, men resvg-py .* saknas"):
        export_docx(word_document(docs_dir, toc=False, body_markdown="Text.\n"), tmp_path / "d.docx", TEMPLATES)


@pytest.mark.parametrize("damage, message", [
    ("missing", "Word-mallen .*dokument.docx saknas"),
    ("missing-reference", "Word-mallen .*reference.docx saknas"),
    ("corrupt", "Word-mallen .*dokument.docx är skadad"),
    ("unknown-field", "Fältet 'okant_falt' i Word-mallen dokument.docx har inget värde"),
    ("syntax", "Word-mallen dokument.docx har ett felskrivet fält"),
])
def test_bad_template_fails_in_swedish_and_leaves_nothing(tmp_path, docs_dir, damage, message):
    own = copy_templates(tmp_path)
    if damage == "missing":
        (own / "dokument.docx").unlink()
    elif damage == "missing-reference":
        (own / "reference.docx").unlink()
    elif damage == "corrupt":
        (own / "dokument.docx").write_bytes(b"PK\x03\x04 trasig")
    else:
        d = Document(str(own / "dokument.docx"))
        d.add_paragraph("{{ okant_falt }}" if damage == "unknown-field" else "{{ titel ")
        d.save(str(own / "dokument.docx"))
    out = tmp_path / "ut"
    out.mkdir()
    previous = out / "hot-och-vald.docx"
    previous.write_bytes(b"den publicerade versionen")
    with pytest.raises(ExportError, match=message):
        export_docx(word_document(docs_dir), previous, own)
    assert previous.read_bytes() == b"den publicerade versionen"           # not overwritten
    assert no_leftovers(out) == ["hot-och-vald.docx"]
    with pytest.raises(ExportError, match=message):
        export_many([word_document(docs_dir, doc_id="ny")], tmp_path / "ut2", own)
    assert no_leftovers(tmp_path / "ut2") == []


@pytest.mark.parametrize("change, message", [
    (dict(metadata=[("Beslutad av", "  ")]), "uppgiften 'Beslutad av' i dokumenthuvudet saknar värde"),
    (dict(title=""), "titeln saknar värde"),
    (dict(revisions=[("2025-01-01", "", "Ny")]), "'vem' på rad 1 i revisionshistoriken saknar värde"),
    (dict(body_markdown="![Karta](bilder/finns-inte.png)\n"), "Bilden 'bilder/finns-inte.png' finns inte"),
    (dict(logo_path=Path("/finns/inte/logo.svg")), "Logotypen /finns/inte/logo.svg finns inte"),
    (dict(doc_id="../ut"), "Dokument-id '../ut' kan inte bli ett filnamn"),
])
def test_field_without_value_is_an_error(tmp_path, docs_dir, change, message):
    out = tmp_path / "x.docx"
    with pytest.raises(ExportError, match=re.escape(message)):
        export_docx(word_document(docs_dir, **change), out, TEMPLATES)
    assert no_leftovers(tmp_path) == []


def test_memo_without_value_is_an_error(tmp_path):
    values = memo().__dict__ | {"diarienummer": ""}
    with pytest.raises(ExportError, match="Tjänsteskrivelsen: diarienumret saknar värde"):
        export_tjansteskrivelse(Tjansteskrivelse(**values), tmp_path / "m.docx", TEMPLATES)
    own = copy_templates(tmp_path)
    (own / "tjansteskrivelse.docx").unlink()
    with pytest.raises(ExportError, match="Word-mallen .*tjansteskrivelse.docx saknas"):
        export_tjansteskrivelse(memo(), tmp_path / "m.docx", own)
    assert no_leftovers(tmp_path) == []


# --- many documents, cache ---------------------------------------------------------------------------

def test_export_many_in_parallel_with_cache(tmp_path, docs_dir):
    docs = [word_document(docs_dir, doc_id=f"rutin-{i}", title=f"Rutin {i} för hot & våld",
                          body_markdown=BODY.replace("Syfte", f"Syfte {i}"), toc=i % 2 == 0) for i in range(6)]
    out, cache = tmp_path / "word", tmp_path / "cache"
    calls = []
    paths = export_many(docs, out, TEMPLATES, jobs=2, cache_dir=cache, progress=lambda d, t: calls.append((d, t)))
    assert paths == [out / f"rutin-{i}.docx" for i in range(6)]
    assert calls[-1] == (6, 6) and all(t == 6 for _, t in calls)
    for i, path in enumerate(paths):
        doc = Document(str(path))
        assert f"Rutin {i} för hot & våld" in paragraphs(doc)
        assert [p.text for p in doc.paragraphs if p.style.name == "Heading 1"][0] == f"Syfte {i}"
        # footnotes were renamed per document in the shared pandoc run: each keeps its own
        assert "Om den enskilde eller medarbetaren vill det." in all_text(path)
    entries = {p.relative_to(cache).as_posix(): p.stat().st_mtime_ns for p in cache.rglob("*.docx")}
    assert len(entries) == 6
    export_many(docs, out, TEMPLATES, jobs=2, cache_dir=cache)              # nothing changed: all from cache
    assert {p.relative_to(cache).as_posix(): p.stat().st_mtime_ns for p in cache.rglob("*.docx")} == entries
    docs[3] = word_document(docs_dir, doc_id="rutin-3", title="Rutin 3 för hot & våld",
                            body_markdown=BODY.replace("Syfte", "Syfte 3").replace("först", "genast"))
    export_many(docs, out, TEMPLATES, jobs=2, cache_dir=cache)
    after = {p.relative_to(cache).as_posix(): p.stat().st_mtime_ns for p in cache.rglob("*.docx")}
    assert len(after) == 6 and len(set(after) - set(entries)) == 1            # one new entry, the old one gone
    assert "Ring 112 genast." in "\n".join(
        p.text for t in Document(str(out / "rutin-3.docx")).tables for c in t._cells for p in c.paragraphs)
    with pytest.raises(ExportError, match="Samma dokument-id förekommer flera gånger: rutin-0"):
        export_many([docs[0], docs[0]], out, TEMPLATES)


def test_cache_notices_a_changed_or_removed_image(tmp_path, docs_dir):
    """A warm export looks at what a document names before it reuses the cached file: a picture
    replaced under the same name is exported anew, a removed one is an error, not an old copy."""
    import shutil
    import zipfile
    import resvg_py
    docs = tmp_path / "docs"
    shutil.copytree(docs_dir, docs)
    doc = word_document(docs)
    out, cache = tmp_path / "word", tmp_path / "cache"
    export_many([doc], out, TEMPLATES, cache_dir=cache)
    other = bytes(resvg_py.svg_to_bytes(svg_string=SVG.replace("#", "#0")))   # another picture, same name
    assert other != (docs / "rutiner" / "bilder" / "skylt.png").read_bytes()
    (docs / "rutiner" / "bilder" / "skylt.png").write_bytes(other)
    export_many([doc], out, TEMPLATES, cache_dir=cache)
    with zipfile.ZipFile(out / "hot-och-vald.docx") as docx:
        media = [docx.read(n) for n in docx.namelist() if n.startswith("word/media/")]
    assert other in media
    (docs / "rutiner" / "bilder" / "skylt.png").unlink()
    with pytest.raises(ExportError, match="Bilden 'bilder/skylt.png' finns inte"):
        export_many([doc], out, TEMPLATES, cache_dir=cache)


def test_cache_notices_a_renamed_linked_page(tmp_path, docs_dir):
    """A link without text shows the linked page's title: a new title is a new Word file."""
    body = "## Syfte\n\nSe [](../riktlinjer/kvalitet.md) för helheten.\n"
    out, cache = tmp_path / "word", tmp_path / "cache"
    export_many([word_document(docs_dir, body_markdown=body)], out, TEMPLATES, cache_dir=cache)
    assert "Se Riktlinje för kvalitet för helheten." in paragraphs(Document(str(out / "hot-och-vald.docx")))
    renamed = {"riktlinjer/kvalitet.md": "Riktlinje för systematiskt kvalitetsarbete"}
    export_many([word_document(docs_dir, body_markdown=body, link_titles=renamed)], out, TEMPLATES, cache_dir=cache)
    assert "Se Riktlinje för systematiskt kvalitetsarbete för helheten." in paragraphs(
        Document(str(out / "hot-och-vald.docx")))


def test_exported_file_edited_in_place_is_replaced_and_cache_stays(tmp_path, docs_dir):
    """Files from the cache: copies for `styrdok export` (someone may edit one in place; the next
    export gives the right file back and the cache is untouched), hard links for the site's word/."""
    out, cache = tmp_path / "word", tmp_path / "cache"
    doc = word_document(docs_dir)
    export_many([doc], out, TEMPLATES, cache_dir=cache)
    export_many([doc], out, TEMPLATES, cache_dir=cache)
    entry = next(cache.rglob("*.docx"))
    exported = out / "hot-och-vald.docx"
    assert not exported.samefile(entry) and exported.read_bytes() == entry.read_bytes()
    original = entry.read_bytes()
    with open(exported, "ab") as f:         # edited in place, as an editor that saves into the file
        f.write(b"redigerad")
    export_many([doc], out, TEMPLATES, cache_dir=cache)
    assert exported.read_bytes() == original == entry.read_bytes()
    site_word = tmp_path / "site" / "word"
    export_many([doc], site_word, TEMPLATES, cache_dir=cache, link=True)
    assert (site_word / "hot-och-vald.docx").samefile(entry)
    assert TITLE in paragraphs(Document(str(site_word / "hot-och-vald.docx")))


# --- Markdown conversion ------------------------------------------------------------------------------

def test_word_layer_adapts_the_site_html():
    source = """\
Text med <b>fet</b> och <em>kursiv</em> samt <span class="x">span</span>, <avvikelser> och `<br>` i kod.
<!-- en kommentar -->
Länk [ref][r] och <a href="https://ivo.se">IVO</a>, <select><option>val</option></select> slut.

[r]: https://example.org/

Rubrik
======

```html
<b>kod</b>
```

1. ett

    !!! note "I listan"
        Text i rutan.

??? danger
    Fara här.

!!! tip ""
    Ingen rubrik.

```mermaid
graph LR
```
"""
    diagrams = config_from_list(["admonition", "pymdownx.details", {"pymdownx.superfences": {"custom_fences": [
        {"name": "mermaid", "class": "mermaid", "format": {"__python_name__": "pymdownx.superfences.fence_code_format"}}]}}])
    html = render_html(source, diagrams)
    out = word_html(html, Sources()).text
    assert "Text med <b>fet</b> och <em>kursiv</em> samt <span class=\"x\">span</span>,  och <code>&lt;br&gt;</code>" in out
    assert "kommentar" not in out and "select" not in out and "val" not in out
    assert '<a href="https://example.org/">ref</a>' in out and '<a href="https://ivo.se">IVO</a>' in out
    assert re.sub(r"<[^>]+>", "", out.split("<pre>")[1].split("</pre>")[0]) == "&lt;b&gt;kod&lt;/b&gt;\n"  # code as written
    assert "<h1>Rubrik</h1>" in out                                       # a setext heading
    assert ('<li>\n<p>ett</p>\n<p>STYRDOK-RUTA-START-Faktaruta</p><div data-custom-style="Faktaruta">'
            "<p><strong>I listan</strong></p>") in out                     # a box inside a list item
    assert '<div data-custom-style="Varningsruta"><p><strong>Fara</strong></p>' in out   # Swedish default title
    assert '<div data-custom-style="Tipsruta">\n<p>Ingen rubrik.</p>' in out
    assert "<em>Diagrammet visas i webbversionen av handboken.</em>" in out and "graph LR" not in out


def test_headings_and_internal_links():
    out = word_html(render_html("# Titel\n\n## Del\n\n### Under\n\nSe [](../a/b/) och [x](c.md#d) och [](#e).\n"),
                    Sources(src_path="rutiner/sida.md", link_titles={"a/b/index.md": "Sidan B"})).text
    assert out.strip() == "<h1>Del</h1>\n<h2>Under</h2>\n<p>Se Sidan B och x och .</p>"


# --- templates and LibreOffice -------------------------------------------------------------------------

def members(path: Path) -> dict[str, bytes]:
    if path.suffix != ".docx":
        return {"": path.read_bytes()}
    with zipfile.ZipFile(path) as z:
        return {name: z.read(name) for name in z.namelist()}


def test_templates_are_reproducible_and_committed(tmp_path):
    first = make_templates.write_templates(tmp_path / "a")
    second = make_templates.write_templates(tmp_path / "b")
    for a, b in zip(first, second):
        assert a.read_bytes() == b.read_bytes(), f"{a.name} blir olika vid två körningar"
        assert members(a) == members(TEMPLATES / a.name), (
            f"templates/word/{a.name} skiljer sig från det make_templates skriver: kör "
            "'python -m styrdok.export.make_templates' och checka in resultatet")


def test_libreoffice_opens_every_document(produced, soffice, tmp_path):
    """Every document LibreOffice opens and prints (through styrdok's own PDF step, which names a file
    it could not convert)."""
    from styrdok.pdf import convert
    files = list(produced.values())
    out = tmp_path / "pdf"
    for pdf in convert(files, out):
        assert pdf.read_bytes().startswith(b"%PDF-") and pdf.stat().st_size > 1000, pdf.name
    pdftotext = require_tool("pdftotext", "poppler-utils läser texten i LibreOffice-PDF:en")
    text = subprocess.run([pdftotext, str(out / "hot-och-vald.pdf"), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "Sida 1 (2)" in text or "Sida 1 (3)" in text                      # PAGE / NUMPAGES were filled in
    assert "Rutin för hot & våld <akut>" in text

# --- golden files ---------------------------------------------------------------------------------------

GOLDEN = REPO / "tests" / "golden"


@pytest.mark.parametrize("name", ["dokument", "jamforelse"])
def test_docx_text_is_the_golden_text(produced, name):
    """The whole text of the document and of its comparison copy, as a reader meets it (styles,
    merged cells, tracked changes, footnotes). Refresh on purpose only: STYRDOK_GOLDEN=uppdatera."""
    from docx_text import docx_text
    text = docx_text(produced[name])
    golden = GOLDEN / f"word-{name}.txt"
    if os.environ.get("STYRDOK_GOLDEN") == "uppdatera":
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(text, encoding="utf-8")
    assert golden.is_file(), f"{golden} saknas: skapa den med STYRDOK_GOLDEN=uppdatera och granska den"
    assert text == golden.read_text(encoding="utf-8"), \
        f"Word-texten skiljer sig från {golden}; är ändringen avsedd, kör med STYRDOK_GOLDEN=uppdatera och granska diffen"
