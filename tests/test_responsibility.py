"""Who can be responsible: roles, nämnder (kommunstyrelsen) and named groups from data/kommun.yml,
in ansvar, the kvalitetsplan and the årshjul; ansvar() as a table or one section per role."""
from __future__ import annotations

import pytest

from conftest import run_cli
from test_site import Text, page


def _with_groups_and_namnd(root):
    kommun = root / "data" / "kommun.yml"
    kommun.write_text(kommun.read_text(encoding="utf-8").replace("dokumenttyper:", (
        "grupper:\n  - id: ledningsgruppen\n    namn: Socialförvaltningens ledningsgrupp\n"
        "dokumenttyper:")), encoding="utf-8")
    ansvar = root / "data" / "ansvar.yml"
    ansvar.write_text(ansvar.read_text(encoding="utf-8") + (
        "    - roll: socialnamnden\n      uppgift: Följer upp avvikelserna två gånger om året.\n"
        "    - roll: ledningsgruppen\n      uppgift: Går igenom mönster i avvikelserna varje tertial.\n"
        "    - roll: sas\n      uppgift: Återkopplar till enheterna.\n"), encoding="utf-8")
    plan = root / "data" / "kvalitetsplaner" / "sof-2026.yml"
    plan.write_text(plan.read_text(encoding="utf-8").replace(
        "          - atgard: Ta fram en affisch.\n            ansvarig: socialchef",
        "          - atgard: Ta fram en affisch.\n            ansvarig: ledningsgruppen"), encoding="utf-8")
    hjul = root / "data" / "arshjul.yml"
    hjul.write_text(hjul.read_text(encoding="utf-8").replace(
        "    aktivitet: Kvalitetsberättelse\n    frekvens: arsvis\n    manader: [3]\n    genomford: 2026-03-31\n"
        "    ansvarig: socialchef", "    aktivitet: Kvalitetsberättelse\n    frekvens: arsvis\n    manader: [3]\n"
        "    genomford: 2026-03-31\n    ansvarig: ledningsgruppen"), encoding="utf-8")
    (root / "docs" / "ledningssystem" / "ansvar.md").write_text(
        "# Ansvar för avvikelser\n\n## Som tabell\n\n{{ ansvar(\"avvikelser\") }}\n\n## Per roll\n\n"
        "{{ ansvar(\"avvikelser\", som=\"avsnitt\") }}\n", encoding="utf-8")


def test_namnd_and_group_are_responsible_and_ansvar_renders_per_role(mini):
    _with_groups_and_namnd(mini)
    proc = run_cli(mini, "build", env={"STYRDOK_IDAG": "2026-04-01"})
    assert proc.returncode == 0, proc.stderr
    html = page(mini, "ledningssystem/ansvar")
    text = Text.of(html)
    assert "Socialnämnden Följer upp avvikelserna två gånger om året." in text
    assert "Socialförvaltningens ledningsgrupp Går igenom mönster i avvikelserna varje tertial." in text
    # a role links to its Mitt ansvar page; a nämnd or group has none
    assert '<a href="../mitt-ansvar/sas/">Socialt ansvarig samordnare</a>' in html
    assert "mitt-ansvar/socialnamnden" not in html and "mitt-ansvar/ledningsgruppen" not in html
    # one section per role, each role's duties together
    assert '<h3 id="socialt-ansvarig-samordnare">Socialt ansvarig samordnare' in html
    sas = html.split('id="socialt-ansvarig-samordnare"')[1].split("<h3")[0]
    assert "Sammanställer avvikelserna varje kvartal." in sas and "Återkopplar till enheterna." in sas
    assert '<h3 id="socialforvaltningens-ledningsgrupp">' in html
    plan = Text.of(page(mini, "ledningssystem/kvalitetsplan"))
    assert "Ta fram en affisch. Socialförvaltningens ledningsgrupp" in plan
    assert "Kvalitetsberättelse Socialförvaltningens ledningsgrupp" in Text.of(page(mini, "ledningssystem/arshjul"))


def test_unknown_responsible_names_the_file_and_the_choices(mini):
    ansvar = mini / "data" / "ansvar.yml"
    text = ansvar.read_text(encoding="utf-8")
    ansvar.write_text(text.replace("    - roll: socialchef", "    - roll: ledningsgrupp"), encoding="utf-8")
    proc = run_cli(mini, "check")
    assert proc.returncode == 1
    line = text[:text.index("    - roll: socialchef")].count("\n") + 1
    assert (f"data/ansvar.yml:{line}: fel: 0.ansvar.1.roll: Den ansvariga 'ledningsgrupp' finns inte i "
            "data/roller.yml, nämnderna eller grupperna i data/kommun.yml.") in proc.stderr, proc.stderr


def test_ansvar_som_unknown_is_a_swedish_error(mini):
    (mini / "docs" / "ledningssystem" / "fel.md").write_text('# Fel\n\n{{ ansvar("avvikelser", som="lista") }}\n',
                                                            encoding="utf-8")
    proc = run_cli(mini, "check")
    assert proc.returncode == 1
    assert "ansvar('avvikelser', som='lista'): välj som='tabell' eller som='avsnitt'." in proc.stderr
