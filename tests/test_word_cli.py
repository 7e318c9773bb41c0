"""Word documents as the nämnd receives them: opened with python-docx, converted by LibreOffice."""
from __future__ import annotations

import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn

from conftest import git_handbook, require_tool, run_cli

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

PROV = """---
titel: Rutin för hot & våld <akut>
typ: rutin
beslutad_av: socialchef
diarienummer: SOF 2025/9
galler_fran: 2025-02-01
dokumentansvarig: sas
senast_reviderad: 2025-06-01
galler_for: [barn-och-unga]
relaterade: [avvikelser]
---
## Syfte

Rutinen gäller enligt 5 kap. 1 § och ska läsas av alla på Åby, Älvkullen och Ödeby.

!!! warning "Vid akut fara"
    Ring 112 först. Rapportera sedan till SAS.

## Ansvar

| Roll | Ansvar |
|---|---|
| Enhetschef | Ser till att rutinen följs & följs upp |
| Medarbetare | Rapporterar < samma dag |

Läs också [rutinen för avvikelser](avvikelser.md) och [IVO:s sida](https://www.ivo.se/).

{{ dokumentlank("riktlinje-kvalitet") }}
"""


def git(root, *args, env=None):
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True,
                          env={**os.environ, **(env or {})}).stdout


@pytest.fixture
def handbook(mini):
    (mini / "docs" / "rutiner" / "hot-och-vald.md").write_text(PROV, encoding="utf-8")
    git_handbook(mini)
    return mini


def texts(doc) -> list[str]:
    return [p.text for p in doc.paragraphs]


def table_with(doc, first_cell: str):
    for table in doc.tables:
        if table.rows[0].cells[0].text.strip() == first_cell:
            return table
    raise AssertionError(f"ingen tabell börjar med {first_cell!r}: {[t.rows[0].cells[0].text for t in doc.tables]}")


def export(root, *args):
    proc = run_cli(root, "export", *args)
    assert proc.returncode == 0, proc.stderr
    return proc


def test_exported_document_has_template_metadata_body_and_history(handbook):
    export(handbook, "hot-och-vald")
    doc = Document(str(handbook / "build" / "word" / "hot-och-vald.docx"))
    paragraphs = texts(doc)
    header = zipfile.ZipFile(handbook / "build" / "word" / "hot-och-vald.docx")
    assert any("Testby kommun" in header.read(n).decode() for n in header.namelist() if n.startswith("word/header"))
    assert "Rutin för hot & våld <akut>" in paragraphs                       # & and < intact
    meta = {r.cells[0].text: r.cells[1].text for r in doc.tables[0].rows}
    assert meta["Antagen från"] == "2025-02-01"                              # the kommun's own label
    assert meta["Beslutad av"] == "Socialchef"
    assert meta["Dokumentansvarig"] == "Socialt ansvarig samordnare"
    assert meta["Relaterade styrdokument"] == "Rutin för avvikelser & risker"
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert headings[:2] == ["Syfte", "Ansvar"] and "Revisionshistorik" in headings
    assert any("5 kap. 1 §" in t and "Åby, Älvkullen och Ödeby" in t for t in paragraphs)
    # admonition: a framed box (a one-cell table) with its title and text
    boxes = [t for t in doc.tables if len(t.rows) == 1 and len(t.columns) == 1]
    assert [[p.text for p in b.rows[0].cells[0].paragraphs if p.text] for b in boxes] == [
        ["Vid akut fara", "Ring 112 först. Rapportera sedan till SAS."]]
    # internal links become text with the target's title; the macro link too
    assert any(t.startswith("Läs också rutinen för avvikelser och IVO:s sida") for t in paragraphs)
    assert "Riktlinje för kvalitet" in paragraphs
    ansvar = table_with(doc, "Roll")
    assert [c.text for c in ansvar.rows[1].cells] == ["Enhetschef", "Ser till att rutinen följs & följs upp"]
    assert ansvar.rows[2].cells[1].text == "Rapporterar < samma dag"
    assert ansvar.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None      # header row repeats
    history = table_with(doc, "Datum")
    assert [c.text for c in history.rows[1].cells][1:] == ["Sara SAS", "Första versionen"]
    footer = doc.sections[0].footer.paragraphs[0]
    assert footer.text.startswith("Rutin för hot & våld <akut>\tSida")
    instr = "".join(footer._p.itertext())
    assert "PAGE" in instr and "NUMPAGES" in instr


def test_comparison_copy_has_real_tracked_changes(handbook):
    doc = handbook / "docs" / "rutiner" / "hot-och-vald.md"
    git(handbook, "tag", "-a", "v1", "-m", "beslutad version")
    text = doc.read_text(encoding="utf-8")
    text = text.replace("Ring 112 först.", "Ring 112 omedelbart.")
    text = text.replace("Läs också", "Läs alltid också")
    text = text.replace("| Medarbetare | Rapporterar < samma dag |\n", "")
    doc.write_text(text + "\n## Uppföljning\n\nEnhetschefen följer upp varje händelse.\n", encoding="utf-8")
    git(handbook, "commit", "-q", "-am", "Skärpt rutinen")
    proc = export(handbook, "hot-och-vald", "--compare", "v1")
    assert "spårade ändringar mot v1" in proc.stderr
    path = handbook / "build" / "word" / "hot-och-vald-jamforelse.docx"
    xml = zipfile.ZipFile(path).read("word/document.xml").decode("utf-8")
    body = Document(str(path)).element.body
    inserted = ["".join(t.text or "" for t in e.iter(f"{W}t")) for e in body.iter(f"{W}ins")]
    deleted = ["".join(t.text or "" for t in e.iter(f"{W}delText")) for e in body.iter(f"{W}del")]
    assert "omedelbart." in inserted and "först." in deleted
    assert "alltid" in inserted
    assert "Enhetschefen följer upp varje händelse." in inserted
    assert any("Rapporterar < samma dag" in d for d in deleted)              # a deleted table row
    for e in [*body.iter(f"{W}ins"), *body.iter(f"{W}del")]:
        assert e.get(f"{W}author") == "Sara SAS" and e.get(f"{W}date", "").startswith("20")
    assert "Jämförelse mot version v1" in xml


def test_default_comparison_is_against_last_decision(handbook):
    proc = run_cli(handbook, "export", "hot-och-vald", "--jamfor-beslut")
    assert proc.returncode == 1 and "har inget registrerat beslut" in proc.stderr
    assert run_cli(handbook, "decide", "hot-och-vald", "--instans", "socialchef", "--datum", "2025-03-01",
                   "--galler-fran", "2025-06-01").returncode == 0
    doc = handbook / "docs" / "rutiner" / "hot-och-vald.md"
    doc.write_text(doc.read_text(encoding="utf-8").replace("Ring 112 först.", "Ring 112."), encoding="utf-8")
    git(handbook, "commit", "-q", "-am", "Kortare")
    proc = export(handbook, "hot-och-vald", "--jamfor-beslut")
    assert "mot beslut/hot-och-vald/2025-03-01" in proc.stderr


def test_tjansteskrivelse_fills_the_memo(handbook):
    proc = run_cli(handbook, "tjansteskrivelse", "riktlinje-kvalitet", "--utan-pdf", env={"STYRDOK_IDAG": "2026-03-20"})
    assert proc.returncode == 0, proc.stderr
    memo, = (handbook / "build" / "namnd").glob("riktlinje-kvalitet-*/riktlinje-kvalitet-tjansteskrivelse.docx")
    doc = Document(str(memo))
    paragraphs = texts(doc)
    assert "Socialnämnden" in paragraphs and any(p.startswith("Tjänsteskrivelse 20") for p in paragraphs)
    assert "Antagande av Riktlinje för kvalitet" in paragraphs
    assert "1. Socialnämnden beslutar att anta Riktlinje för kvalitet enligt bilaga." in paragraphs
    # the riktlinje is decided by two nämnder: the memo to one of them says so, not only its own name
    assert any(p.startswith("Riktlinje för kvalitet är en riktlinje som beslutas av Socialnämnden och "
                            "Omsorgsnämnden.") for p in paragraphs), paragraphs
    assert any(p.startswith("– ") and p.endswith("Första versionen") for p in paragraphs)
    assert [c.text for c in doc.tables[0].rows[1].cells] == ["2026-03-20", "SN 2025/41", "Socialt ansvarig samordnare"]


def test_import_turns_word_back_into_front_matter_and_markdown(handbook, tmp_path):
    export(handbook, "hot-och-vald")
    source = handbook / "build" / "word" / "hot-och-vald.docx"
    target = handbook / "docs" / "importerat" / "hot.md"
    proc = run_cli(handbook, "import", str(source), "--typ", "rutin", "--ut", str(target))
    assert proc.returncode == 0, proc.stderr
    text = target.read_text(encoding="utf-8")
    front = __import__("yaml").safe_load(text.split("---")[1])
    assert front["titel"] == "Rutin för hot & våld <akut>"
    assert str(front["galler_fran"]) == "2025-02-01" and front["diarienummer"] == "SOF 2025/9"
    assert "## Syfte" in text or "# Syfte" in text
    assert "Enhetschef" in text and "Rapporterar" in text
    assert "varning:" in proc.stderr                                         # reported, not dropped
    assert "kunde inte föras över automatiskt" in proc.stderr


def test_import_reports_unfilled_placeholder_and_refuses_non_word(handbook, tmp_path):
    d = Document()
    table = d.add_table(rows=3, cols=2)
    for row, (k, v) in zip(table.rows, [("Typ av styrdokument", "Rutin"), ("Gäller fr o m", "2024-01-01"),
                                         ("Senast reviderad", "Klicka för att ange datum")]):
        row.cells[0].text, row.cells[1].text = k, v
    d.add_heading("Rutin för nycklar", 0)
    d.add_paragraph("Nycklar kvitteras. Klicka eller tryck här för att ange text.")
    path = tmp_path / "gammal.docx"
    d.save(str(path))
    proc = run_cli(handbook, "import", str(path), "--ut", str(tmp_path / "ny.md"))
    assert proc.returncode == 0, proc.stderr
    warnings = [line for line in proc.stderr.splitlines() if "varning:" in line]
    assert any("Senast reviderad" in w and "Klicka för att ange datum" in w for w in warnings), proc.stderr
    assert any("Klicka eller tryck här för att ange text" in w or "ifyllnadsfält" in w for w in warnings), proc.stderr
    fake = tmp_path / "inte.docx"
    fake.write_text("det här är ingen Word-fil", encoding="utf-8")
    proc = run_cli(handbook, "import", str(fake))
    assert proc.returncode == 1 and "är inte en Word-fil" in proc.stderr


@pytest.mark.parametrize("damage, message", [
    ("missing", "Word-mallen"), ("corrupt", "är skadad"), ("field", "Fältet 'okant_falt' i Word-mallen"),
])
def test_bad_template_fails_in_swedish_and_leaves_nothing(handbook, damage, message):
    from docx import Document as D
    own = handbook / "templates" / "word"
    own.mkdir(parents=True, exist_ok=True)
    from styrdok.jinja import DEFAULT_TEMPLATES
    for f in (DEFAULT_TEMPLATES / "word").iterdir():
        (own / f.name).write_bytes(f.read_bytes())
    if damage == "missing":
        (own / "reference.docx").unlink()
    elif damage == "corrupt":
        (own / "dokument.docx").write_bytes(b"PK\x03\x04 trasig")
    else:
        d = D(str(own / "dokument.docx"))
        d.add_paragraph("{{ okant_falt }}")
        d.save(str(own / "dokument.docx"))
    proc = run_cli(handbook, "export", "avvikelser")
    assert proc.returncode == 1
    assert message in proc.stderr
    out = handbook / "build" / "word"
    assert not out.exists() or not [p for p in out.iterdir() if p.suffix in (".docx", ".tmp")]


def test_unknown_document_and_unknown_ref(handbook):
    proc = run_cli(handbook, "export", "finns-inte")
    assert proc.returncode == 1 and "Dokumentet 'finns-inte' finns inte" in proc.stderr
    proc = run_cli(handbook, "export", "avvikelser", "--compare", "v9")
    assert proc.returncode == 1 and "Referensen 'v9' finns inte i git-historiken" in proc.stderr
    assert not (handbook / "build" / "word" / "avvikelser-jamforelse.docx").exists()


def test_build_puts_word_files_beside_the_pages_and_libreoffice_opens_every_one(handbook, tmp_path):
    require_tool("soffice", "LibreOffice bevisar att Word-filerna går att öppna")
    assert run_cli(handbook, "build").returncode == 0
    word = sorted((handbook / "site" / "word").glob("*.docx"))
    assert {p.stem for p in word} == {"avvikelser", "riktlinje-kvalitet", "hot-och-vald"}
    page = (handbook / "site" / "rutiner" / "hot-och-vald" / "index.html").read_text(encoding="utf-8")
    assert 'href="../../word/hot-och-vald.docx" download>Ladda ner som Word' in page
    export(handbook, "hot-och-vald", "--compare", "HEAD")
    memo = run_cli(handbook, "tjansteskrivelse", "riktlinje-kvalitet", "--utan-pdf")
    assert memo.returncode == 0, memo.stderr
    exported = sorted((handbook / "build" / "word").glob("*.docx"))
    package = sorted((handbook / "build" / "namnd").glob("*/*.docx"))
    assert [p.name for p in exported] == ["hot-och-vald-jamforelse.docx"]
    assert "riktlinje-kvalitet-tjansteskrivelse.docx" in [p.name for p in package], package
    # Every file, by a name of its own (the site's riktlinje-kvalitet.docx and the package's have the same
    # name: given as they are, one PDF was written over the other), through styrdok's PDF step: one
    # LibreOffice, and a file it cannot open is named.
    from styrdok.pdf import convert
    named = tmp_path / "docx"
    named.mkdir()
    files = []
    for where, group in (("webbplats", word), ("export", exported), ("namnd", package)):
        for f in group:
            files.append(named / f"{where}-{f.name}")
            shutil.copy2(f, files[-1])
    assert len(files) == len(word) + len(exported) + len(package)
    for pdf in convert(files, tmp_path / "pdf"):
        assert pdf.read_bytes().startswith(b"%PDF-") and pdf.stat().st_size > 1000, pdf.name


def test_unchanged_documents_come_from_the_cache(handbook):
    export(handbook, "--all")
    cache = handbook / ".cache" / "word"
    first = sorted(p.name for p in cache.rglob("*.docx"))
    assert len(first) == 3
    export(handbook, "--all")
    assert sorted(p.name for p in cache.rglob("*.docx")) == first           # nothing new: all hits
    doc = handbook / "docs" / "rutiner" / "avvikelser.md"
    doc.write_text(doc.read_text(encoding="utf-8").replace("samma dag", "genast"), encoding="utf-8")
    export(handbook, "--all")
    assert sorted(p.name for p in cache.rglob("*.docx")) != first           # the edited one was exported again
    assert "genast" in "".join(texts(Document(str(handbook / "build" / "word" / "avvikelser.docx"))))


def test_import_into_a_handbook_with_errors_says_so(handbook, tmp_path):
    """The import still runs, but the handbook's problems are shown, not thrown away: without them the
    user would not know why roles and units were not mapped."""
    from docx import Document as D
    d = D()
    d.add_heading("Rutin för nycklar", 1)
    d.add_paragraph("Nycklar kvitteras hos enhetschefen.")
    path = tmp_path / "nycklar.docx"
    d.save(str(path))
    roller = handbook / "data" / "roller.yml"
    roller.write_text(roller.read_text(encoding="utf-8") + "\n  trasig: [\n", encoding="utf-8")
    proc = run_cli(handbook, "import", str(path), "--ut", str(tmp_path / "ny.md"))
    assert proc.returncode == 0, proc.stderr
    assert "data/roller.yml:" in proc.stderr and "fel: YAML-syntaxfel" in proc.stderr, proc.stderr
    assert "obs: handboken har fel (se ovan)" in proc.stderr
    assert (tmp_path / "ny.md").exists()


def _link_targets(docx: Path) -> list[str]:
    """The external hyperlinks of the body, in order (their targets in the document's relationships)."""
    with zipfile.ZipFile(docx) as z:
        rels = z.read("word/_rels/document.xml.rels").decode("utf-8")
        body = z.read("word/document.xml").decode("utf-8")
    import re
    targets = dict(re.findall(r'Id="([^"]+)"[^>]*Target="([^"]+)"', rels))
    return [targets[r] for r in re.findall(r'<w:hyperlink [^>]*r:id="([^"]+)"', body)]


def test_links_to_pages_and_files_of_the_handbook_go_to_the_site_when_mkdocs_knows_its_address(mini):
    """In a Word file a link to another document cannot be followed unless it is an address: with
    site_url in mkdocs.yml (the handbook on the intranet) it goes to the page as MkDocs publishes it,
    anchor kept, and a link to a file under docs/ to the file; without site_url the link text stays,
    as plain text, as before."""
    page = mini / "docs" / "rutiner" / "avvikelser.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nSe [startsidan](../index.md), [blanketten](../bilagor/"
                    "blankett.pdf) och [Socialstyrelsen](https://www.socialstyrelsen.se/).\n", encoding="utf-8")
    (mini / "docs" / "bilagor").mkdir()
    (mini / "docs" / "bilagor" / "blankett.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    out = mini / "build" / "word"
    assert run_cli(mini, "export", "avvikelser", "--out", str(out)).returncode == 0
    assert _link_targets(out / "avvikelser.docx") == ["https://www.socialstyrelsen.se/"]
    text = " ".join(p.text for p in Document(str(out / "avvikelser.docx")).paragraphs)
    assert "Läs riktlinjen." in text and "Se startsidan, blanketten och Socialstyrelsen." in text

    config = mini / "mkdocs.yml"
    config.write_text("site_url: https://intranat.alvstad.example/handbok\n" + config.read_text(encoding="utf-8"),
                      encoding="utf-8")
    assert run_cli(mini, "export", "avvikelser", "--out", str(out)).returncode == 0
    assert _link_targets(out / "avvikelser.docx") == [
        "https://intranat.alvstad.example/handbok/rutiner/riktlinje-kvalitet/#ansvar",
        "https://intranat.alvstad.example/handbok/",
        "https://intranat.alvstad.example/handbok/bilagor/blankett.pdf",
        "https://www.socialstyrelsen.se/"]
    assert " ".join(p.text for p in Document(str(out / "avvikelser.docx")).paragraphs) == text
