"""The document header is data: four header styles modelled on Swedish kommuners styrdokument
(tests/fixtures/huvuden, one per document type), read row by row in the site card and in the Word
header (python-docx) — the same rows from one definition in data/kommun.yml. The values follow the
decisions recorded with `styrdok decide` (issue 14 point 6)."""
from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from docx import Document

from conftest import HANDBOOK_GITIGNORE, REPO, copy_handbook, made_once, run_cli
from test_site import Text, page

HUVUDEN = REPO / "tests" / "fixtures" / "huvuden"
IDAG = {"STYRDOK_IDAG": "2026-02-01"}


def git(root, *args):
    return subprocess.run(["git", "-c", "user.name=Sara SAS", "-c", "user.email=sas@norrbyn.se", *args],
                          cwd=root, capture_output=True, text=True, check=True).stdout


def decide(root, *args):
    proc = run_cli(root, "decide", *args, env=IDAG)
    assert proc.returncode == 0, proc.stderr


@pytest.fixture(scope="session")
def huvuden(tmp_path_factory):
    """The huvuden handbook in git with its decisions, built once per test run (copy it before changing it)."""
    return made_once(tmp_path_factory, "huvuden", _make_huvuden)


def _make_huvuden(folder):
    root = copy_handbook(HUVUDEN, folder / "handbok")
    (root / ".gitignore").write_text(HANDBOOK_GITIGNORE, encoding="utf-8")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "Norrbyns handbok")
    # the riktlinje: a new decision in one of its two nämnder, with its own dnr and §
    decide(root, "riktlinje-kvalitet", "--instans", "socialnamnden", "--datum", "2025-09-10",
           "--paragraf", "45", "--dnr", "SN 2025/300")
    # the rutin: adopted by the ledningsgrupp, later revised by the socialchef
    decide(root, "rutin-dokument", "--instans", "ledningsgruppen", "--datum", "2024-08-20", "--paragraf", "7",
           "--ny", "--galler-fran", "2024-09-01")
    decide(root, "rutin-dokument", "--instans", "socialchef", "--datum", "2025-09-20", "--paragraf", "12")
    proc = run_cli(root, "build", env=IDAG)
    assert proc.returncode == 0, proc.stderr
    return root


def card_rows(root, url: str) -> list[tuple[str, str]]:
    html = page(root, url)
    card = re.search(r'<section class="styrdok-kort".*?</section>', html, re.S).group(0)
    return [(Text.of(dt), Text.of(dd)) for dt, dd in re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", card, re.S)]


def word_rows(root, doc_id: str) -> list[tuple[str, str]]:
    doc = Document(str(root / "site" / "word" / f"{doc_id}.docx"))
    return [(r.cells[0].text, r.cells[1].text) for r in doc.tables[0].rows]


def last_commit_date(root, path: str) -> str:
    return git(root, "log", "-1", "--format=%ad", "--date=short", "--", path).strip()


EXPECTED = {
    # a riktlinje two nämnder decide, the kommun's default rows (modelled on a joint SN/VON header)
    "riktlinje-kvalitet": [
        ("Gäller fr o m", "2025-09-10"),
        ("Diarienummer", "SN 2025/300 (Socialnämnden); ON 2024/88 (Omsorgsnämnden)"),
        ("Beslutad av", "Socialnämnden, Omsorgsnämnden"),
        ("Dokumentansvarig", "Utvecklingsledare (Kim Berg)"),
        ("Senast reviderad", "2025-09-10"),
        ("Typ av styrdokument", "Riktlinje"),
    ],
    # a policy "Antagen av Kommunstyrelsen <datum>, § <n>", decided before the handbook (front matter beslut)
    "policy-uppfoljning": [
        ("Senast reviderad", "2023-10-25"),
        ("Dnr", "KS 2023/617"),
        ("Antagen av", "Kommunstyrelsen 2023-10-25, § 100"),
        ("Revideras senast", "2027-11-01"),
    ],
    # a rutin where upprättad, beslutad and reviderad each carry a date and who
    "rutin-dokument": [
        ("Ansvarig för rutin", "Utvecklingsledare"),
        ("Upprättad (datum och av vem)", "2024-05-06, Utvecklingsledare och MAS"),
        ("Beslutad (datum och av vem)", "2024-08-20 § 7, Socialförvaltningens ledningsgrupp"),
        ("Reviderad (datum och av vem)", "2025-09-20, Socialchef"),
        ("Process", "Avvikelsehantering"),
        ("Giltig till och med", "2026-12-31"),
    ],
}


@pytest.mark.parametrize("doc_id", sorted(EXPECTED))
def test_card_and_word_header_show_the_same_rows(huvuden, doc_id):
    card = card_rows(huvuden, f"styrdokument/{doc_id}")
    assert card == EXPECTED[doc_id]
    assert word_rows(huvuden, doc_id) == EXPECTED[doc_id]


def test_instruktion_header_with_version_giltighet_own_fields_and_overdue_review(huvuden):
    changed = last_commit_date(huvuden, "docs/styrdokument/instruktion-larm.md")
    expected = [
        ("Dokumenttyp", "Instruktion"),
        ("Dokumentnamn", "Instruktion för trygghetslarm"),
        ("Version", "1.2"),
        ("Fastställd/Datum", "Enhetschef, 2025-01-10"),
        ("Gäller från datum", "2025-01-15"),
        ("Giltighetstid", "Tillsvidare"),
        ("Revideras", "Vid behov"),
        ("Följs upp", "Årligen på arbetsplatsträff"),
        ("Utfärdad av", "Medicinskt ansvarig sjuksköterska"),          # own field, typ roll
        ("Berörda verksamheter", "Hemtjänsten och särskilt boende"),   # own field, typ text
        ("Ersätter", "Instruktion för larm (2019)"),
        ("Ersätter rutin", "Rutin för handläggning av dokument"),      # own field, typ dokument
        ("Senast uppföljd", "2025-06-01"),                              # own field, typ datum
        ("Senast ändrad", changed),                                     # the commit date, only here
        ("Nästa revidering", "Revideringen är försenad sedan 2026-01-15"),
    ]
    assert card_rows(huvuden, "styrdokument/instruktion-larm") == expected
    assert word_rows(huvuden, "instruktion-larm") == expected
    html = page(huvuden, "styrdokument/instruktion-larm")
    assert re.search(r'<div class="styrdok-forsenad" data-falt="nasta_revidering">', html)
    assert '<a href="../../styrdokument/rutin-dokument/">Rutin för handläggning av dokument</a>' in html


def test_labels_are_per_type(huvuden):
    """'Ansvarig för rutin' on the rutin does not rename the riktlinje's Dokumentansvarig."""
    assert ("Dokumentansvarig", "Utvecklingsledare (Kim Berg)") in card_rows(huvuden, "styrdokument/riktlinje-kvalitet")
    assert card_rows(huvuden, "styrdokument/rutin-dokument")[0][0] == "Ansvarig för rutin"


@pytest.mark.langsam
def test_header_follows_the_latest_decision_not_the_commit(tmp_path):
    """Before any decision 'Senast reviderad' is empty although git has commits; after a second
    decision with a new dnr the header shows the new dnr, date and §; decide sets the version shown
    (one build for both: they are different documents of the same handbook)."""
    root = copy_handbook(HUVUDEN, tmp_path / "h")
    (root / ".gitignore").write_text(HANDBOOK_GITIGNORE, encoding="utf-8")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "Start")
    assert run_cli(root, "build", env=IDAG).returncode == 0
    before = dict(card_rows(root, "styrdokument/riktlinje-kvalitet"))
    assert before["Senast reviderad"] == "–"
    assert before["Diarienummer"] == "SN 2024/120 (Socialnämnden); ON 2024/88 (Omsorgsnämnden)"
    decide(root, "policy-uppfoljning", "--instans", "kommunstyrelsen", "--datum", "2025-11-26", "--paragraf", "§ 88",
           "--dnr", "KS 2025/410")
    # decide sets the version: a minor change counts up the minor number, a decision the major
    decide(root, "instruktion-larm", "--instans", "enhetschef", "--datum", "2025-06-10", "--mindre-andring")
    assert 'version: "1.3"' in (root / "docs" / "styrdokument" / "instruktion-larm.md").read_text(encoding="utf-8")
    decide(root, "instruktion-larm", "--instans", "enhetschef", "--datum", "2026-01-20")
    assert run_cli(root, "build", env=IDAG).returncode == 0
    rows = card_rows(root, "styrdokument/policy-uppfoljning")
    assert rows == [("Senast reviderad", "2025-11-26"), ("Dnr", "KS 2025/410"),
                    ("Antagen av", "Kommunstyrelsen 2025-11-26, § 88"), ("Revideras senast", "2029-11-26")]
    assert word_rows(root, "policy-uppfoljning") == rows
    larm = dict(card_rows(root, "styrdokument/instruktion-larm"))
    assert larm["Version"] == "2.0" and larm["Fastställd/Datum"] == "Enhetschef, 2026-01-20"
    assert dict(word_rows(root, "instruktion-larm"))["Version"] == "2.0"


def test_default_header_shows_the_decision_date_and_paragraph(mini, tmp_path):
    doc = mini / "docs" / "rutiner" / "avvikelser.md"
    doc.write_text(doc.read_text(encoding="utf-8").replace(
        "taggar:", 'beslut:\n  - {instans: socialchef, datum: 2025-01-20, paragraf: "3", diarienummer: SOF 2025/9}\n'
                   "taggar:"), encoding="utf-8")
    proc = run_cli(mini, "build", env={"STYRDOK_IDAG": "2025-10-01"})
    assert proc.returncode == 0, proc.stderr
    rows = dict(card_rows(mini, "rutiner/avvikelser"))
    assert rows["Diarienummer"] == "SOF 2025/9"
    assert rows["Beslutsdatum"] == "2025-01-20 § 3"
    assert rows["Senast reviderad"] == "2025-06-01"                # the front matter's recorded review is later


@pytest.mark.parametrize("change, message", [
    (("- {falt: revideras}", "- {falt: revideringar}"),
     "data/kommun.yml:{line}: fel: dokumenthuvud.typer.instruktion[6]: Fältet 'revideringar' finns inte."),
    (('format: "{beslutad.av}, {beslutad.datum}"', 'format: "{beslutad.vem}, {beslutad.datum}"'),
     "data/kommun.yml:{line}: fel: dokumenthuvud.typer.instruktion[3].format: Fältet 'beslutad' har ingen del 'vem'. Delar: datum, paragraf, av, diarienummer."),
    (("  - id: uppfoljd", "  - id: version"),
     "data/kommun.yml:{line}: fel: egna_falt[3].id: Det egna fältet 'version' har samma namn som ett inbyggt fält."),
])
def test_bad_header_definition_names_the_line(tmp_path, change, message):
    root = copy_handbook(HUVUDEN, tmp_path / "h")
    kommun = root / "data" / "kommun.yml"
    text = kommun.read_text(encoding="utf-8")
    assert change[0] in text
    line = text[:text.index(change[0])].count("\n") + 1
    kommun.write_text(text.replace(change[0], change[1]), encoding="utf-8")
    proc = run_cli(root, "check")
    assert proc.returncode == 1
    assert message.format(line=line) in proc.stderr, proc.stderr


@pytest.mark.parametrize("change, message", [
    (("utfardad_av: mas", "utfardad_av: mas2"), "utfardad_av: rollen 'mas2' finns inte i data/roller.yml."),
    (("uppfoljd: 2025-06-01", "uppfoljd: i juni"), "uppfoljd: 'i juni' är inget datum. Skriv ÅÅÅÅ-MM-DD."),
    (("ersatter_rutin: rutin-dokument", "ersatter_rutin: rutin-saknas"),
     "Dokumentet 'rutin-saknas' finns inte i handboken"),
])
def test_own_fields_are_validated_like_built_in_ones(tmp_path, change, message):
    root = copy_handbook(HUVUDEN, tmp_path / "h")
    doc = root / "docs" / "styrdokument" / "instruktion-larm.md"
    text = doc.read_text(encoding="utf-8")
    line = text[:text.index(change[0])].count("\n") + 1
    doc.write_text(text.replace(change[0], change[1]), encoding="utf-8")
    proc = run_cli(root, "check")
    assert proc.returncode == 1
    assert f"docs/styrdokument/instruktion-larm.md:{line}: fel: " in proc.stderr
    assert message in proc.stderr, proc.stderr


def test_upprattad_av_unknown_id_is_an_error(tmp_path):
    root = copy_handbook(HUVUDEN, tmp_path / "h")
    doc = root / "docs" / "styrdokument" / "rutin-dokument.md"
    doc.write_text(doc.read_text(encoding="utf-8").replace("av: Utvecklingsledare och MAS", "av: utvecklingsledar"),
                   encoding="utf-8")
    proc = run_cli(root, "check")
    assert proc.returncode == 1
    assert ("docs/styrdokument/rutin-dokument.md:7: fel: upprattad.av: 'utvecklingsledar' är varken en roll i data/roller.yml "
            "eller en nämnd") in proc.stderr


def test_schemas_follow_the_kommuns_own_fields(tmp_path):
    import json
    root = copy_handbook(HUVUDEN, tmp_path / "h")
    proc = run_cli(root, "schema")
    assert proc.returncode == 0, proc.stderr
    schema = json.loads((root / "schemas" / "front-matter.schema.json").read_text(encoding="utf-8"))
    props = schema["properties"]
    assert props["utfardad_av"]["title"] == "Utfärdad av"
    assert props["utfardad_av"]["enum"] == ["enhetschef", "mas", "socialchef", "utvecklingsledare"]
    assert props["uppfoljd"]["format"] == "date"
    assert "giltighet" in props and "upprattad" in props            # built-in header fields
    kommun = json.loads((root / "schemas" / "kommun.schema.json").read_text(encoding="utf-8"))
    assert "dokumenthuvud" in kommun["properties"] and "egna_falt" in kommun["properties"]
