"""Word and PDF for the pages a nämnd or a unit prints that are not styrdokument (styrdok.printpages):
every process, the kvalitetsplan, Mitt ansvar per role and each enhet's ledningssystem. Read as a
person gets them: the download links on the built pages, the paragraphs and tables inside the .docx
(python-docx), LibreOffice's PDF of them and its text (pdftotext)."""
from __future__ import annotations

import posixpath
import re
import subprocess
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn

from styrdok.load import load_handbook
from styrdok.ledningssystem.load import ledningssystem_of
from styrdok.printpages import print_pages

from conftest import copy_handbook, git_handbook, MINI, require_tool, run_cli

PLAN_HEADERS = ["Process", "Risk", "Egenkontroll", "Åtgärd", "Ansvarig", "Status", "Klart senast"]
LINK = re.compile(r'<a href="([^"]+)" download>Ladda ner som (Word|PDF)</a>')


def page_html(site: Path, src_path: str) -> str:
    folder = src_path[:-3] if not src_path.endswith("index.md") else posixpath.dirname(src_path)
    return (site / folder / "index.html").read_text(encoding="utf-8")


def downloads(site: Path, src_path: str) -> dict[str, Path]:
    """The page's download links, resolved against its URL into site/."""
    folder = site / (src_path[:-3] if not src_path.endswith("index.md") else posixpath.dirname(src_path))
    return {kind: (folder / href).resolve() for href, kind in LINK.findall(page_html(site, src_path))}


def cover(doc) -> dict[str, str]:
    """The cover's rows (the first table: label, value)."""
    return {r.cells[0].text.strip(): r.cells[1].text.strip() for r in doc.tables[0].rows}


def pdf_text(pdf: Path) -> str:
    pdftotext = require_tool("pdftotext", "läser texten i PDF-filen")
    return subprocess.run([pdftotext, "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def test_every_process_plan_role_and_enhet_page_links_to_its_word_and_pdf_file(example_built):
    """The example is built without its PDFs (conftest.example_built): that each printed page's PDF is
    made and shows the page is tests/test_pdf.py's, for every printed page of the mini handbook."""
    site = example_built / "site"
    handbook, _ = load_handbook(example_built)
    pages = print_pages(handbook)
    ls = ledningssystem_of(handbook)
    expected = ({p.src_path for p in ls.processer.values()} | {e.src_path for e in ls.enheter.values()}
                | {p.src_path for p in ls.kvalitetsplaner.values()}
                | {f"ledningssystem/mitt-ansvar/{r}.md" for r in handbook.roller}
                | {"ledningssystem/kvalitetsberattelse-2026.md"})
    assert set(pages) == expected
    for src_path, page in pages.items():
        links = downloads(site, src_path)
        assert set(links) == {"Word", "PDF"}, src_path
        assert links["Word"] == (site / "word" / "sidor" / f"{page.name}.docx").resolve()
        assert links["Word"].read_bytes()[:2] == b"PK", src_path
        assert links["PDF"] == (site / "pdf" / "sidor" / f"{page.name}.pdf").resolve(), src_path
    html = page_html(site, "ledningssystem/kvalitetsplan-2026.md")     # the links right under the heading
    heading = html.index("</h1>")
    assert heading < html.index("Ladda ner som Word") < html.index("<h2", heading)
    assert "Ladda ner som Word" not in page_html(site, "ledningssystem/index.md")


def test_the_kvalitetsplan_in_word_is_a_landscape_table_with_merged_process_cells(example_built):
    handbook, _ = load_handbook(example_built)
    plan = ledningssystem_of(handbook).kvalitetsplaner["socialforvaltningen-2026"]
    doc = Document(str(example_built / "site" / "word" / "sidor" / "kvalitetsplan-socialforvaltningen-2026.docx"))
    rows = cover(doc)
    assert rows["Organisation"] == "Socialförvaltningen" and rows["År"] == "2026"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", rows["Uppgifterna senast ändrade"])
    assert "data/kvalitetsplaner/socialforvaltningen-2026.yml" in rows["Uppgifterna hämtade från"]
    assert not {"Beslutad av", "Diarienummer", "Gäller från"} & set(rows)      # no decision it never had
    assert [p.text for p in doc.paragraphs if p.style.name == "Title"] == [plan.titel]
    table = next(t for t in doc.tables if [c.text for c in t.rows[0].cells] == PLAN_HEADERS)
    tbl = table._tbl
    assert tbl.find(qn("w:tr")).find(qn("w:trPr") + "/" + qn("w:tblHeader")) is not None       # repeats
    merged = [tc for tc in tbl.iter(qn("w:tc")) if tc.find(qn("w:tcPr") + "/" + qn("w:vMerge")) is not None]
    assert merged                                                        # rowspan became merged Word cells
    first_process = plan.processer[0]
    starts = [tc for tc in tbl.iter(qn("w:tc")) if "".join(t.text or "" for t in tc.iter(qn("w:t"))) == first_process.process.namn]
    assert len(starts) == 1                                              # the process is written once
    widths = [int(c.get(qn("w:w"))) for c in tbl.find(qn("w:tblGrid"))]
    assert widths[PLAN_HEADERS.index("Åtgärd")] > widths[PLAN_HEADERS.index("Status")]
    orientations = [int(s.orientation) for s in doc.sections]
    assert 1 in orientations and orientations[0] == 0 and orientations[-1] == 0     # landscape for the table


def test_kvalitetsplan_pdf_has_every_column_and_every_word_whole(example_built, tmp_path):
    """The failure this prevents: "Stat us", "plane rad", "Social sekret erare" on a portrait page.
    The build makes the PDF from the page's Word file with styrdok.pdf.pdfs (outputs/pdf.py); so does
    this test, for the example's plan alone (the example is built without PDFs)."""
    require_tool("soffice", "gör PDF-filerna")
    from styrdok import pdf
    handbook, _ = load_handbook(example_built)
    plan = ledningssystem_of(handbook).kvalitetsplaner["socialforvaltningen-2026"]
    word = example_built / "site" / "word" / "sidor" / "kvalitetsplan-socialforvaltningen-2026.docx"
    text = pdf_text(pdf.pdfs([word], tmp_path, cache_dir=None)[0])
    lines = [line.split() for line in text.splitlines()]
    header = next((line for line in lines if line[:2] == ["Process", "Risk"]), None)
    assert header is not None and " ".join(header) == " ".join(PLAN_HEADERS), header   # all columns, one line
    cells = []
    for pp in plan.processer:
        cells.append(pp.process.namn)
        for risk in pp.risker:
            cells += [f"{risk.nummer}. {risk.risk}", risk.egenkontroll or "–"]
            for a in risk.atgarder:
                cells += [a.atgard, a.ansvarig.namn, a.status,
                          a.klart_senast.isoformat() if a.klart_senast else "–"]
    found = set(text.split())
    for cell in cells:
        for word in cell.split():
            assert word in found, f"ordet {word!r} ({cell!r}) är avbrutet eller saknas i PDF-filen"
    for broken in ("Stat us", "plane rad", "sekret erare", "Egenkon troll"):
        assert broken not in " ".join(text.split())


def test_process_mitt_ansvar_and_enhet_word_files_have_their_cover_and_text(example_built):
    handbook, _ = load_handbook(example_built)
    ls = ledningssystem_of(handbook)
    words = example_built / "site" / "word" / "sidor"
    process = next(iter(ls.processer.values()))
    doc = Document(str(words / f"process-{process.id}.docx"))
    assert cover(doc)["Processägare"] == process.agare.namn
    texts = [p.text for p in doc.paragraphs]
    assert process.namn in texts and "Aktiviteter" in texts
    activities = next(t for t in doc.tables if t.rows[0].cells[1].text == "Aktivitet")
    assert [r.cells[1].text for r in activities.rows[1:]] == [a.namn for a in process.aktiviteter]
    assert any(r._element.xpath(".//pic:pic") for r in doc.paragraphs)       # the diagram as a picture
    doc = Document(str(words / "mitt-ansvar-enhetschef.docx"))
    assert cover(doc)["Roll"] == "Enhetschef"
    assert "Mitt ansvar: Enhetschef" in [p.text for p in doc.paragraphs]
    enhet = ls.enheter["hemtjanst-norr"]
    doc = Document(str(words / "ledningssystem-hemtjanst-norr.docx"))
    rows = cover(doc)
    assert rows["Enhet"] == enhet.enhet.namn and rows["Ansvarig"] == enhet.ansvarig.namn
    assert rows["Senast reviderad"] == enhet.senast_reviderad.isoformat()
    texts = [p.text for p in doc.paragraphs]
    assert any(t.startswith("Rutiner:") for t in texts) and any(t.startswith("Metoder:") for t in texts)
    assert not [t for t in texts if "Rutiner:" in t and "Metoder:" in t]      # two paragraphs, as on the site
    revisions = doc.tables[-1]                         # the data's changes as revision history
    assert [c.text for c in revisions.rows[0].cells] == ["Datum", "Vem", "Vad"]
    assert revisions.rows[1].cells[2].text == "Exempel"


@pytest.mark.langsam
def test_edges_an_enhet_named_with_a_ring_a_plan_with_only_a_free_atgard_and_a_role_with_no_duties(tmp_path):
    root = copy_handbook(MINI, tmp_path / "handbok")
    kommun = root / "data" / "kommun.yml"
    kommun.write_text(kommun.read_text(encoding="utf-8").replace(
        "          - id: barn-och-unga\n            namn: Barn och unga\n",
        "          - id: barn-och-unga\n            namn: Barn och unga\n"
        "          - id: asgarden\n            namn: Åsgårdens öppenvård för äldre\n"), encoding="utf-8")
    omraden = "\n".join(f"  {o}:" for o in ("kvalitetssakring", "tillganglighet", "samverkan",
                                            "handlaggning_och_dokumentation", "fel_och_brister",
                                            "synpunkter_och_klagomal", "personal_och_kompetens", "upphandling",
                                            "uppfoljning_och_utvardering"))
    (root / "data" / "enheter" / "asgarden.yml").write_text(
        f"enhet: asgarden\nansvarig: sas\nsenast_reviderad: 2026-01-15\nomraden:\n{omraden}\n", encoding="utf-8")
    (root / "data" / "kvalitetsplaner" / "tom-2026.yml").write_text(
        "id: tom-2026\ntitel: Plan för Åsgården 2026\norganisation: asgarden\nar: 2026\natgarder:\n"
        "  - atgard: Ta fram en första riskanalys.\n    ansvarig: sas\n", encoding="utf-8")
    (root / "docs" / "ledningssystem" / "plan-asgarden.md").write_text(
        "# Plan för Åsgården 2026\n\n{{ kvalitetsplan(\"tom-2026\") }}\n", encoding="utf-8")
    roller = root / "data" / "roller.yml"
    roller.write_text(roller.read_text(encoding="utf-8") + "- id: arkivarie\n  namn: Arkivarie\n"
                      "  beskrivning: Vårdar arkivet.\n", encoding="utf-8")
    git_handbook(root)
    proc = run_cli(root, "build")
    assert proc.returncode == 0, proc.stderr
    site = root / "site"
    words = site / "word" / "sidor"
    doc = Document(str(words / "ledningssystem-asgarden.docx"))
    assert cover(doc)["Enhet"] == "Åsgårdens öppenvård för äldre"
    assert "Ledningssystem för Åsgårdens öppenvård för äldre" in [p.text for p in doc.paragraphs]
    assert downloads(site, "ledningssystem/enheter/asgarden.md")["Word"] == (words / "ledningssystem-asgarden.docx").resolve()
    doc = Document(str(words / "kvalitetsplan-tom-2026.docx"))
    table = next(t for t in doc.tables if [c.text for c in t.rows[0].cells] == PLAN_HEADERS)
    assert [c.text for c in table.rows[1].cells] == ["–", "–", "–", "Ta fram en första riskanalys.",
                                                      "Socialt ansvarig samordnare", "ej angiven", "–"]
    doc = Document(str(words / "mitt-ansvar-arkivarie.docx"))
    assert cover(doc)["Roll"] == "Arkivarie"
    assert "Rollen har inget utpekat ansvar i handboken ännu." in [p.text for p in doc.paragraphs]
    assert cover(doc)["Uppgifterna senast ändrade"] == re.search(
        r"\d{4}-\d{2}-\d{2}", subprocess.run(["git", "log", "-1", "--format=%ad", "--date=short"], cwd=root,
                                             capture_output=True, text=True).stdout).group(0)
    if (site / "pdf").is_dir():
        for name in ("ledningssystem-asgarden", "kvalitetsplan-tom-2026", "mitt-ansvar-arkivarie"):
            text = " ".join(pdf_text(site / "pdf" / "sidor" / f"{name}.pdf").split())
            assert "Testby kommun" in text, name
        assert "Åsgårdens öppenvård för äldre" in " ".join(
            pdf_text(site / "pdf" / "sidor" / "ledningssystem-asgarden.pdf").split())


def test_a_page_named_like_a_styrdokument_gets_its_own_pdf_in_the_same_libreoffice_run(tmp_path):
    """pdf.pdfs with targets: a document and a printed page whose Word files share a name (a styrdokument
    with the id process-x beside the page of process x) each get their own PDF, and the cache keeps both."""
    require_tool("soffice", "gör PDF-filerna")
    from styrdok import pdf
    sources = []
    for folder, text in (("dokument", "Styrdokumentets text"), ("sidor", "Processidans text")):
        doc = Document()
        doc.add_paragraph(text)
        (tmp_path / folder).mkdir()
        doc.save(str(tmp_path / folder / "process-x.docx"))
        sources.append(tmp_path / folder / "process-x.docx")
    out, cache = tmp_path / "pdf", tmp_path / "cache"
    targets = [out / "process-x.pdf", out / "sidor" / "process-x.pdf"]
    assert pdf.pdfs(sources, out, cache_dir=cache, targets=targets) == targets
    assert "Styrdokumentets text" in pdf_text(targets[0]) and "Processidans text" in pdf_text(targets[1])
    assert sorted(p.relative_to(cache).parent.as_posix() for p in cache.rglob("*.pdf")) == ["process-x",
                                                                                             "sidor/process-x"]
    inodes = [t.stat().st_ino for t in targets]
    again = tmp_path / "pdf2"
    pdf.pdfs(sources, again, cache_dir=cache, targets=[again / "process-x.pdf", again / "sidor" / "process-x.pdf"])
    assert [(again / "process-x.pdf").stat().st_ino, (again / "sidor" / "process-x.pdf").stat().st_ino] == inodes
    assert not [p for p in out.rglob("*") if p.name.startswith(".pdf")]         # no staging folder left
