"""The kvalitetsplan as kommuner write it: status and klart_senast optional, an empty egenkontroll, a
risk without a process, a process named by text, an åtgärd without a risk, and dated results that
roll up into the kvalitetsberättelse — on the site and in the Word rendering."""
from __future__ import annotations

import re
from pathlib import Path

from conftest import run_cli
from test_site import Text, page

PLAN = """\
id: sof-2026
titel: Kvalitetsplan 2026
organisation: sof
ar: 2026
processer:
  - process: avvikelseprocessen
    risker:
      - risk: Avvikelser rapporteras inte.
        egenkontroll: Antal rapporter per månad.
        uppfoljningar:
          - {datum: 2026-06-30, resultat: Fyra rapporter per månad, bedomning: godtagbart}
          - {datum: 2026-03-31, resultat: Två rapporter per månad, bedomning: behöver förbättras}
        atgarder:
          - atgard: Påminna på arbetsplatsträffen.
            ansvarig: sas
            uppfoljningar:
              - {datum: 2026-04-15, resultat: Genomfört på alla tre enheter}
  - process: Introduktion av nyanställda
    risker:
      - risk: Nyanställda känner inte till rutinerna.
  - risker:
      - risk: Personal hinner inte läsa ändrade rutiner.
        egenkontroll: Stickprov på arbetsplatsträffar.
atgarder:
  - atgard: Se över handbokens startsida.
    ansvarig: socialchef
    klart_senast: 2026-05-31
"""


REPO = Path(__file__).resolve().parents[1]


def test_plan_written_as_kommuner_do(mini):
    (mini / "data" / "kvalitetsplaner" / "sof-2026.yml").write_text(PLAN, encoding="utf-8")
    (mini / "docs" / "ledningssystem" / "berattelse.md").write_text(
        '# Kvalitetsberättelse\n\n{{ kvalitetsberattelse("sof-2026") }}\n', encoding="utf-8")
    proc = run_cli(mini, "build", env={"STYRDOK_IDAG": "2026-07-01"})
    assert proc.returncode == 0, proc.stderr
    html = page(mini, "ledningssystem/kvalitetsplan")
    rows = [[Text.of(td) for td in re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)]
            for tr in re.findall(r"<tr data-process[^>]*>(.*?)</tr>", html, re.S)]
    assert rows[0][:4] == ["Avvikelseprocessen", "1. Avvikelser rapporteras inte.",
                           "Antal rapporter per månad. 2026-03-31: Två rapporter per månad (behöver förbättras) "
                           "2026-06-30: Fyra rapporter per månad (godtagbart)", "Påminna på arbetsplatsträffen."]
    assert rows[0][5:] == ["ej angiven", "–"]                             # no status, no date: nothing invented
    assert rows[1] == ["Introduktion av nyanställda", "2. Nyanställda känner inte till rutinerna.", "–",
                       "–", "–", "–", "–"]                                 # process by text, no egenkontroll
    assert rows[2][:3] == ["Ingen process angiven", "3. Personal hinner inte läsa ändrade rutiner.",
                           "Stickprov på arbetsplatsträffar."]
    assert rows[3] == ["–", "–", "–", "Se över handbokens startsida.", "Socialchef", "försenad", "2026-05-31"]
    story = Text.of(page(mini, "ledningssystem/berattelse"))
    assert ("1. Avvikelser rapporteras inte. Antal rapporter per månad. 2026-03-31: Två rapporter per månad "
            "(behöver förbättras); 2026-06-30: Fyra rapporter per månad (godtagbart)") in story
    assert "2. Nyanställda känner inte till rutinerna. Ingen egenkontroll angiven Ej genomförd" in story
    assert "Av 2 åtgärder är 0 klara, 0 pågår, 0 planerade och 1 försenade; för 1 är status inte angiven." in story
    assert "Påminna på arbetsplatsträffen. Socialt ansvarig samordnare ej angiven – 2026-04-15: Genomfört på alla tre enheter" in story


def test_word_rendering_of_the_free_plan(mini):
    from styrdok.load import load_handbook
    from styrdok.render.markdown import render_page_markdown
    (mini / "data" / "kvalitetsplaner" / "sof-2026.yml").write_text(PLAN, encoding="utf-8")
    handbook, problems = load_handbook(mini)
    assert not problems.errors, problems.items
    from docx import Document
    from styrdok.export import WordDocument, export_docx
    md = render_page_markdown(handbook, mini / "templates", "ledningssystem/kvalitetsplan.md",
                              '{{ kvalitetsplan("sof-2026") }}')
    out = mini / "plan.docx"
    export_docx(WordDocument(doc_id="plan", title="Plan", doc_type="Plan", kommun_name="K", logo_path=None,
                             metadata=[], revisions=[], body_markdown=md), out, REPO / "templates" / "word")
    cells = [c.text for t in Document(str(out)).tables for r in t.rows for c in r.cells]
    words = set(re.findall(r"\w+", " ".join(cells)))         # the plan is a Word table
    assert {"Introduktion", "nyanställda", "Ingen", "angiven", "startsida", "försenad"} <= words
    assert sum(c == "2026-05-31" for c in cells) == 1


def test_plan_with_nothing_in_it_is_an_error(mini):
    (mini / "data" / "kvalitetsplaner" / "sof-2026.yml").write_text(
        "id: sof-2026\ntitel: Tom plan\norganisation: sof\nar: 2026\n", encoding="utf-8")
    proc = run_cli(mini, "check")
    assert proc.returncode == 1
    assert "data/kvalitetsplaner/sof-2026.yml:1: fel: Kvalitetsplanen har varken processer med risker eller åtgärder." \
        in proc.stderr, proc.stderr
