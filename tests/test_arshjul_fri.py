"""Årshjul per document, role or forum, recurring without a fixed year, with meeting dates per nämnd
and utskott from data."""
from __future__ import annotations

import re

from conftest import run_cli
from test_site import Text, page

HJUL = """\
namndmoten:
  socialnamnden: [2027-02-10, 2027-06-09]
  individutskottet: [2027-01-20, 2027-03-17, 2027-05-19]
aktiviteter:
  - id: lex-sarah-redovisning
    aktivitet: Redovisning av lex Sarah
    frekvens: per-namndmote
    ansvarig: sas
    rapporteras_till: socialnamnden
  - id: placeringar
    aktivitet: Uppföljning av placeringar
    frekvens: per-namndmote
    ansvarig: socialchef
    rapporteras_till: individutskottet
  - id: avvikelser
    aktivitet: Genomgång av avvikelser
    frekvens: kvartalsvis
    ansvarig: sas
    rapporteras_till: socialchef
    dokument: avvikelser
"""


def _setup(root):
    kommun = root / "data" / "kommun.yml"
    kommun.write_text(kommun.read_text(encoding="utf-8").replace(
        "    namn: Socialnämnden\n", "    namn: Socialnämnden\n    utskott:\n      - id: individutskottet\n"
                                    "        namn: Socialnämndens individutskott\n"), encoding="utf-8")
    (root / "data" / "arshjul.yml").write_text(HJUL, encoding="utf-8")
    (root / "docs" / "ledningssystem" / "delar.md").write_text(
        "# Delar av årshjulet\n\n## För rutinen\n\n{{ arshjul(dokument=\"avvikelser\") }}\n\n"
        "## För utskottet\n\n{{ arshjul(forum=\"individutskottet\") }}\n\n"
        "## För SAS\n\n{{ arshjul(roll=\"sas\") }}\n", encoding="utf-8")


def test_wheel_without_year_uses_meetings_per_forum_and_filters(mini):
    _setup(mini)
    proc = run_cli(mini, "build", env={"STYRDOK_IDAG": "2027-01-05"})
    assert proc.returncode == 0, proc.stderr
    whole = Text.of(page(mini, "ledningssystem/arshjul"))
    assert "Aktiviteterna återkommer varje år; datumen nedan gäller 2027." in whole
    html = page(mini, "ledningssystem/delar")
    parts = re.split(r"<h2[^>]*>", html)
    rutin, utskott, sas = (Text.of(p) for p in parts[1:4])
    # the rutin's part: only its own activity, only the months it happens
    assert "Genomgång av avvikelser" in rutin and "lex Sarah" not in rutin and "placeringar" not in rutin
    assert re.findall(r"(Januari|Februari|Mars|April|Maj|Juni|Juli|Augusti|September|Oktober|November|December)",
                      rutin)[:4] == ["Mars", "Juni", "September", "December"]
    # the utskott's meetings, not the nämnd's
    assert "Uppföljning av placeringar (20/1)" in utskott and "(17/3)" in utskott and "(19/5)" in utskott
    assert "(10/2)" not in utskott and "lex Sarah" not in utskott
    assert "Redovisning av lex Sarah (10/2)" in sas and "Redovisning av lex Sarah (9/6)" in sas
    assert "placeringar" not in sas


def test_meetings_for_an_unknown_forum_and_filter_errors(mini):
    _setup(mini)
    hjul = mini / "data" / "arshjul.yml"
    hjul.write_text(hjul.read_text(encoding="utf-8").replace("  individutskottet:", "  arbetsutskottet:"),
                    encoding="utf-8")
    proc = run_cli(mini, "check", env={"STYRDOK_IDAG": "2027-01-05"})
    assert proc.returncode == 1
    assert "data/arshjul.yml:3: fel:" in proc.stderr and "'arbetsutskottet' finns inte" in proc.stderr
    assert ("Aktiviteten sker vid varje sammanträde, men det finns inga sammanträden för 'individutskottet' "
            "under namndmoten.") in proc.stderr
    (mini / "data" / "arshjul.yml").write_text(HJUL, encoding="utf-8")
    (mini / "docs" / "ledningssystem" / "delar.md").write_text("# X\n\n{{ arshjul(roll=\"okand\") }}\n",
                                                                encoding="utf-8")
    proc = run_cli(mini, "check", env={"STYRDOK_IDAG": "2027-01-05"})
    assert proc.returncode == 1 and "arshjul(roll='okand'): finns inte." in proc.stderr
