"""Personnummer, samordningsnummer, placeholders and editor notes: found where they are, never
where they are not (dates, diarienummer, phone numbers, SFS numbers, amounts in the example)."""
from __future__ import annotations

import pytest

from conftest import REPO
from styrdok.sensitive import luhn_ok, scan_text


def with_check_digit(nine: str) -> str:
    """The tenth digit that makes a fictional number valid (Luhn)."""
    for d in "0123456789":
        if luhn_ok(nine + d):
            return nine + d
    raise AssertionError


def pnr(date6: str, serial3: str = "123") -> str:
    return with_check_digit(date6 + serial3)


def bad_digit(nine: str) -> str:
    good = with_check_digit(nine)
    return good[:-1] + str((int(good[-1]) + 1) % 10)


def fmt(ten: str, sep: str = "-", century: str = "") -> str:
    return f"{century}{ten[:6]}{sep}{ten[6:]}"


P1 = pnr("850312")       # 12 March 1985
P2 = pnr("010101", "987")
P3 = pnr("991231", "555")
S1 = pnr("850372")       # samordningsnummer: day 12 + 60
S2 = pnr("000191", "246")  # day 31 + 60

POSITIVE = [
    (fmt(P1), "personnummer"), (fmt(P1, ""), "personnummer"), (fmt(P1, "+"), "personnummer"),
    (fmt(P1, "-", "19"), "personnummer"), (fmt(P1, "", "19"), "personnummer"),
    (fmt(P2), "personnummer"), (fmt(P2, "", "20"), "personnummer"), (fmt(P2, "-", "20"), "personnummer"),
    (fmt(P3), "personnummer"), (fmt(P3, "-", "19"), "personnummer"), (fmt(P3, "+"), "personnummer"),
    (fmt(S1), "samordningsnummer"), (fmt(S1, ""), "samordningsnummer"), (fmt(S1, "-", "19"), "samordningsnummer"),
    (fmt(S2), "samordningsnummer"), (fmt(S2, "", "20"), "samordningsnummer"),
    (f"Brukaren ({fmt(P1)}) flyttade.", "personnummer"),
    (f"pnr:{fmt(P2)}", "personnummer"),
    (f"| Anna | {fmt(P3)} |", "personnummer"),
    (f"    {fmt(P1, '', '19')}", "personnummer"),
    (f"`{fmt(P1)}`", "personnummer"),                      # in inline code too
    (f"personnummer {fmt(P2, '-', '20')}, se journal", "personnummer"),
    (f"id: {fmt(S1, '-', '19')}", "samordningsnummer"),
    (f"({fmt(P3, '', '19')})", "personnummer"),
    (f"Född {fmt(pnr('200229', '111'), '-', '20')}", "personnummer"),   # leap day 2020
    (f"- {fmt(pnr('120615', '002'))} ringde", "personnummer"),
    # copied from a PDF or a web page: characters nobody sees, inside the number, and full-width digits
    (fmt(P1, "\u00ad"), "personnummer"), (fmt(P1, "\u00ad", "19"), "personnummer"),
    (fmt(P2, "\u200b-"), "personnummer"), (P3[:2] + "\u200b" + P3[2:6] + "-" + P3[6:], "personnummer"),
    (fmt(P1, "\u2060", "19"), "personnummer"), (fmt(S1, "\ufeff"), "samordningsnummer"),
    (fmt(P2, "&shy;"), "personnummer"), (fmt(P1, "\u200e-\u200f"), "personnummer"),
    ("".join(chr(ord(c) + 0xFEE0) for c in fmt(P3, "-", "19")), "personnummer"),      # １９９９１２３１－…
]

NEGATIVE = [
    "Gäller från 2025-03-01.", "20250301", "2025-03-01T10:00:00", "SN 2025/41", "SOF-2024/1136.111",
    "VON 2021/1136.111", "SFS 2025:400", "SFS 2001:453", "SoL (2001:453)", "08-123 456 78", "0701-234567",
    "010-123 45 67", "+46 8 123 456", "1 250 000 kr", "12 345,50 kr", "123 45 Älvstad", "212000-1234",
    "556677-8899", "version 1.2.3", "0000000000", "id 000123", bad_digit("850312123"),
    fmt(bad_digit("850312123")), fmt(bad_digit("850372123"), "", "19"), "851312-1234",   # month 13
    "850230-1234", "19850312123", "1234567890123", "Diarienummer 2025/1136", "Tel 0701234560",
    "Beslut 2026-03-12 § 45", "dnr SN-2026/123",
    "Avvikelse\u00adhanteringen 2025-03-01, tel 08\u200b-123 45 67", "Dnr SN\u00a02026/1136.111",
    "０８-１２３ ４５ ６７", "2025\u200b-03-01",
]


@pytest.mark.parametrize("text, kind", POSITIVE)
def test_personnummer_found(text, kind):
    findings = [f for f in scan_text(text) if f.code in ("personnummer", "samordningsnummer")]
    assert [f.code for f in findings] == [kind], text
    assert "får inte publiceras" in findings[0].message
    digits = "".join(ch for ch in text if ch.isdigit())
    assert digits[-4:] not in findings[0].message and digits[-10:-4] not in findings[0].message  # masked


@pytest.mark.parametrize("text", NEGATIVE)
def test_no_false_alarm(text):
    assert scan_text(text) == [], text


def test_invalid_check_digit_is_not_a_personnummer():
    assert scan_text(fmt(bad_digit("850312123"))) == []
    assert scan_text(fmt(with_check_digit("850312123"))) != []


PLACEHOLDER_POSITIVE = [
    "Senast reviderad: Klicka för att ange datum", "Klicka eller tryck här för att ange text.",
    "Klicka här för att ange text.", "Klicka eller tryck för att ange ett datum", "Skriv här:",
    "Ange text", "[Skriv enhetens namn]", "Ansvarig: […]", "Ansvarig: [...]", "Datum: [XX]",
    "Gäller från ÅÅÅÅ-MM-DD", "YYYY-MM-DD", "Diarienummer XXXX", "[Kommentar: kolla med MAS]",
    "OBS! Ta bort detta stycke", "Redaktörens anmärkning: uppdatera", "Att göra: skriv klart",
    "- Att göra: fråga IVO", "TODO skriv klart", "FIXME länk", "XXX oklart",
]
PLACEHOLDER_NEGATIVE = [
    "Klicka på Spara i verksamhetssystemet.", "Det finns mycket att göra under hösten.",
    "Läs [rutinen](rutiner/lex-sarah.md).", "En fotnot[^1].", "- [ ] Kontrollera journalen",
    "*[MAS]: Medicinskt ansvarig sjuksköterska", "Ange diarienummer i ärendet.",
    "Skriv datum som `ÅÅÅÅ-MM-DD`.", "```\nTODO i ett kodexempel\n```", "Skriv hellre kort.",
]


@pytest.mark.parametrize("text", PLACEHOLDER_POSITIVE)
def test_placeholders_and_notes_found(text):
    findings = scan_text(text)
    assert findings and findings[0].severity == "fel", text
    assert findings[0].code in ("platshallare", "redaktorsanteckning", "todo")


@pytest.mark.parametrize("text", PLACEHOLDER_NEGATIVE)
def test_placeholder_no_false_alarm(text):
    assert scan_text(text) == [], text


def test_lines_columns_and_all_findings_in_order():
    text = "Rad ett\nAnsvarig: [Skriv namn]\n\n```\nTODO\n```\nBrukare " + fmt(P1) + " och TODO\n"
    findings = scan_text(text, first_line=10)
    assert [(f.line, f.column, f.code) for f in findings] == [
        (11, 11, "platshallare"), (16, 9, "personnummer"), (16, 25, "todo")]


@pytest.mark.parametrize("text, lines", [(t, {51, 103}) for t, _ in POSITIVE]
                         + [(t, {51}) for t in PLACEHOLDER_POSITIVE])
def test_found_on_its_line_among_many_ordinary_lines(text, lines):
    """scan_text looks closely only at lines with a trace of a finding (digits, a placeholder word):
    every kind of finding must still be found on its own line in a long text, and the ordinary
    lines between must still open and close code blocks (a personnummer counts there too)."""
    ordinary = "Enhetschefen följer upp avvikelserna varje månad och rapporterar till SAS.\n" * 50
    findings = scan_text(ordinary + text + "\n" + ordinary + "```\n" + text + "\n```\n")
    assert {f.line for f in findings} == lines, text


def test_yaml_comments_are_guidance_but_personnummer_still_count():
    text = "# Skriv här: enhetens namn\nnamn: Enheten\n# " + fmt(P2) + "\n"
    assert [f.code for f in scan_text(text, yaml_comments=True)] == ["personnummer"]


def test_example_handbook_is_clean():
    for path in [*(REPO / "docs").rglob("*.md"), *(REPO / "data").rglob("*.yml")]:
        assert scan_text(path.read_text(encoding="utf-8"), yaml_comments=path.suffix != ".md",
                         placeholders=not path.name.startswith("_")) == [], path


def test_a_file_the_scan_cannot_read_is_a_fel_naming_it(mini):
    """A data file the loader does not use, saved in a Windows code page: the personnummer scan cannot
    read it, so check says so (it used to skip the file without a word, and a number in it with it)."""
    from styrdok.check import check_project
    (mini / "data" / "gammal-lista.yml").write_bytes("namn: Räksmörgås 19121212-1212\n".encode("cp1252"))
    _, problems = check_project(mini)
    found = [p.format() for p in problems.errors if p.file == "data/gammal-lista.yml"]
    assert len(found) == 1 and "inte sparad som UTF-8" in found[0], [p.format() for p in problems.items]
