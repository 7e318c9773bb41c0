"""The ledningssystem parts (styrdok.ledningssystem) as a reader meets them: the built HTML of the
mini fixture and of the example kommun, the .ics in a calendar parser, Word's merged cells."""
from __future__ import annotations

import re
import zipfile

import icalendar
import pytest

from conftest import REPO, run_cli
from test_site import Text, page


def text(root, url: str) -> str:
    return Text.of(page(root, url))


# --- 1 ansvar and Mitt ansvar -----------------------------------------------------------------------

def test_ansvar_macro_renders_the_role_table_in_a_document(example_built):
    html = page(example_built, "styrdokument/rutiner/lex-sarah")
    body = Text.of(html)
    assert "Socialt ansvarig samordnare" in body
    assert "Utreder, föreslår bedömning, anmäler till IVO" in body
    assert 'href="../../../ledningssystem/mitt-ansvar/sas/"' in html
    riktlinje = text(example_built, "styrdokument/riktlinjer/riktlinje-ledningssystem")
    assert "Beskriver enhetens ledningssystem, genomför egenkontroller" in riktlinje
    assert "Medarbetaren** följer" not in riktlinje      # the author's text is still rendered as Markdown


def test_mitt_ansvar_collects_duties_from_every_source_with_links(example_built):
    html = page(example_built, "ledningssystem/mitt-ansvar/enhetschef")
    body = Text.of(html)
    assert "Mitt ansvar: Enhetschef" in body
    for heading in ("Ansvar enligt ansvarsfördelningen", "Processer", "Åtgärder i kvalitetsplaner",
                    "Aktiviteter i årshjulet", "Enheternas ledningssystem"):
        assert heading in body
    assert "Införa bevakningslista" not in body          # that åtgärd is the systemförvaltare's
    assert "Gå igenom listan på arbetsplatsträffen varje vecka." in body
    assert 'href="../../processer/handlaggning-bistand-aldre/"' in html
    assert 'href="../../kvalitetsplan-2026/"' in html
    assert 'href="../../../styrdokument/rutiner/avvikelsehantering/"' in html
    sys = text(example_built, "ledningssystem/mitt-ansvar/systemforvaltare")
    assert "Införa bevakningslista i verksamhetssystemet." in sys


def test_mitt_ansvar_in_mini(mini_built):
    body = text(mini_built, "ledningssystem/mitt-ansvar/sas")
    assert "Sammanställer avvikelserna varje kvartal." in body
    assert "Påminna på arbetsplatsträffen." in body and "Redovisning av lex Sarah" in body


# --- 2 processer -------------------------------------------------------------------------------------

def test_process_map_groups_all_processes_by_kind(example_built):
    body = text(example_built, "ledningssystem/processkarta")
    assert body.index("Ledningsprocesser") < body.index("Kärnprocesser") < body.index("Stödprocesser")
    for name in ("Hantering av styrdokument", "Utredning av barns behov av skydd eller stöd",
                 "Personal- och kompetensförsörjning"):
        assert name in body


def test_process_page_has_activities_roles_rutiner_and_a_generated_diagram(example_built):
    html = page(example_built, "ledningssystem/processer/utredning-barn-och-unga")
    body = Text.of(html)
    assert "Göra skyddsbedömning" in body and "Barn- och ungdomspsykiatrin" in body
    img = re.search(r'<img alt="([^"]+)"[^>]*? src="([^"]+)"', html)
    assert img and img.group(1).startswith("Processdiagram för Utredning")
    svg = (example_built / "site" / "ledningssystem" / "processer" / "utredning-barn-och-unga.svg").read_text(encoding="utf-8")
    assert svg.startswith("<svg") and "5. Följa upp insatsen" in svg
    from styrdok.export.images import svg_to_png
    png = svg_to_png(example_built / "site" / "ledningssystem" / "processer" / "utredning-barn-och-unga.svg")
    assert png[:4] == b"\x89PNG"


# --- 4 kvalitetsplan ---------------------------------------------------------------------------------

def test_kvalitetsplan_groups_with_rowspan_and_has_labelled_filters(example_built):
    html = page(example_built, "ledningssystem/kvalitetsplan-2026")
    table = re.search(r"<table class=\"styrdok-plan\">.*?</table>", html[html.index("styrdok-kvalitetsplan"):], re.S).group(0)
    assert table.count("<tr data-process=") >= 20
    assert len(re.findall(r"\. [^<]*</td>", table)) >= 15      # numbered risks
    assert 'rowspan="4"' in table                                # a process over its åtgärder
    assert table.count("Handläggning av bistånd till äldre") == 1   # merged, not repeated
    for f in ("process", "ansvarig"):
        assert re.search(rf'<label for="kp-socialforvaltningen-2026-{f}">', html)
        assert f'<select id="kp-socialforvaltningen-2026-{f}" data-filter="{f}">' in html
    assert "kvalitetsplan.js" in html
    assert (example_built / "site" / "assets" / "kvalitetsplan.js").is_file()


def test_kvalitetsplan_in_word_has_merged_cells_and_no_filter(mini_built, tmp_path):
    from styrdok.export import WordDocument, export_docx
    from styrdok.load import load_handbook
    from styrdok.render.markdown import render_page_markdown
    hb, _ = load_handbook(mini_built)
    md = render_page_markdown(hb, REPO / "templates", "ledningssystem/kvalitetsplan.md",
                              '{{ kvalitetsplan("sof-2026") }}')
    out = tmp_path / "plan.docx"
    export_docx(WordDocument(doc_id="plan", title="Plan", doc_type="Plan", kommun_name="K", logo_path=None,
                             metadata=[], revisions=[], body_markdown=md), out, REPO / "templates" / "word")
    xml = zipfile.ZipFile(out).read("word/document.xml").decode()
    assert "w:vMerge" in xml and "Avvikelseprocessen" in xml      # the site's rowspan became merged cells
    assert "Alla processer" not in xml and "Alla ansvariga" not in xml   # the site's filter is not printed


# --- 5 årshjul ---------------------------------------------------------------------------------------

def test_arshjul_shows_twelve_months_and_links_the_calendar(example_built):
    html = page(example_built, "ledningssystem/arshjul")
    assert len(re.findall(r'<section class="styrdok-manad"', html)) == 12
    body = Text.of(html)
    assert "Patientsäkerhetsberättelse" in body and "Medicinskt ansvarig" in body
    assert 'href="../arshjul.ics"' in html


def test_ics_imports_with_one_event_per_occurrence(example_built):
    cal = icalendar.Calendar.from_ical((example_built / "site" / "ledningssystem" / "arshjul.ics").read_bytes())
    events = cal.walk("VEVENT")
    summaries = [str(e["SUMMARY"]) for e in events]
    assert summaries.count("Anmälan av delegationsbeslut till nämnden") == 11
    assert summaries.count("Loggkontroll av journaler") == 11
    assert len({str(e["UID"]) for e in events}) == len(events)
    berattelse = next(e for e in events if str(e["SUMMARY"]) == "Kvalitetsberättelse för föregående år")
    assert berattelse.decoded("DTSTART").isoformat() == "2026-03-01"
    assert "Socialnämnden" in str(berattelse["DESCRIPTION"])


# --- 3 enheter ---------------------------------------------------------------------------------------

def test_enhet_page_shows_areas_not_template_guidance(example_built):
    body = text(example_built, "ledningssystem/enheter/barn-och-unga")
    assert "Samverkan i enskilda ärenden och i principfrågor" in body
    assert "Ansvarig nivå" in body and "BBIC" in body
    assert "Kopiera filen" not in body
    assert not (example_built / "site" / "ledningssystem" / "enheter" / "_mall").exists()


def test_completeness_overview_names_missing_areas_and_overdue_revision(example_built):
    body = text(example_built, "ledningssystem/enheter")
    row = body[body.index("Daglig verksamhet"):]
    assert "3 saknas" in row and "Personal- och kompetensförsörjning" in row
    assert "Försenad sedan 2025-09-30" in body
    assert "Alla nio beskrivna" in body
    assert "Personlig assistans" in body and "Inget ledningssystem beskrivet" in body


# --- 6 kvalitetsberättelse, 7 SOSFS ------------------------------------------------------------------

def test_kvalitetsberattelse_is_prefilled_from_plan_status(example_built):
    body = text(example_built, "ledningssystem/kvalitetsberattelse-2026")
    for heading in ("Uppföljning av utvecklingsområden", "Resultat av egenkontroller", "Förbättringsåtgärder",
                    "Brukarundersökningar", "Analys av avvikelser", "Resultat av uppföljningar"):
        assert heading in body
    # försenad is computed: past klart_senast and not klar, whatever status the file says
    import datetime as dt
    import yaml
    plan = yaml.safe_load((example_built / "data/kvalitetsplaner/socialforvaltningen-2026.yml").read_text("utf-8"))
    atg = [a for p in plan["processer"] for r in p["risker"] for a in r["atgarder"]]
    today = dt.date.today()
    late = [a for a in atg if a["status"] != "klar" and a["klart_senast"] < today]
    count = {s: sum(1 for a in atg if a["status"] == s and a not in late) for s in ("klar", "pågår", "planerad")}
    assert len(atg) == 23 and len(late) > 1
    assert (f"Av 23 åtgärder är {count['klar']} klara, {count['pågår']} pågår, {count['planerad']} planerade och "
            f"{len(late)} försenade") in body
    assert "94 procent gjordes samma dag." in body


def test_sosfs_matrix_shows_coverage_and_gaps(example_built):
    html = page(example_built, "ledningssystem/sosfs-2011-9")
    body = Text.of(html)
    assert "4 kap. 6 §" in body and "Riktlinje för samverkan kring den enskilde" in body
    # the example's documents and processes meet every paragraf: no gap, and the summary says so
    assert "Lucka" not in body
    assert re.search(r"(\d+) av \1 paragrafer har minst ett dokument eller en process som uppfyller dem", body)


def test_sosfs_matrix_marks_each_paragraf_nothing_meets_as_a_gap(mini):
    """A handbook whose one rutin meets 3 kap. 1 §: that row names the rutin, every other row is a gap,
    and the summary counts one covered paragraf."""
    (mini / "data" / "sosfs-2011-9.yml").write_bytes((REPO / "data" / "sosfs-2011-9.yml").read_bytes())
    rutin = mini / "docs" / "rutiner" / "avvikelser.md"
    rutin.write_text(rutin.read_text(encoding="utf-8").replace("taggar:", "uppfyller: [3-kap-1]\ntaggar:"),
                     encoding="utf-8")
    (mini / "docs" / "ledningssystem" / "sosfs.md").write_text("# SOSFS 2011:9\n\n{{ sosfs_matris() }}\n",
                                                               encoding="utf-8")
    proc = run_cli(mini, "build", "--utan-word")
    assert proc.returncode == 0, proc.stderr
    html = page(mini, "ledningssystem/sosfs")
    rows = {Text.of(cells[0]): Text.of(cells[2]) for cells in
            (re.findall(r"<td>(.*?)</td>", tr, re.S) for tr in re.findall(r"<tr>(.*?)</tr>", html, re.S)) if cells}
    assert rows.pop("3 kap. 1 §") == "Rutin för avvikelser & risker"
    assert rows and set(rows.values()) == {"Lucka: inget dokument eller process"}
    assert f"1 av {len(rows) + 1} paragrafer har minst ett dokument eller en process" in Text.of(html)


@pytest.mark.parametrize("url", ["ledningssystem/index", "ledningssystem/ansvarsfordelning"])
def test_overview_pages_render(example_built, url):
    assert "Leder kvalitetsarbetet i förvaltningen" in text(example_built, url.replace("/index", ""))


def test_kvalitetsplan_filters_keep_merged_cells_in_chromium(example_built):
    from browser import site_page
    with site_page(example_built / "site") as (page, base):
        page.goto(f"{base}/ledningssystem/kvalitetsplan-2026/")
        rows = page.locator(".styrdok-kvalitetsplan tbody tr:not([hidden])")
        total = rows.count()
        page.get_by_label("Ansvarig", exact=True).select_option(label="Systemförvaltare")
        assert 0 < rows.count() < total
        assert "Införa bevakningslista" in page.locator(".styrdok-kvalitetsplan table").inner_text()
        first = rows.first.locator("td")
        assert first.nth(0).inner_text() == "Handläggning av bistånd till äldre"     # process cell moved along
        page.get_by_label("Ansvarig", exact=True).select_option(value="")
        page.get_by_label("Process", exact=True).select_option(label="Insatser enligt LSS i boende och daglig verksamhet")
        assert rows.count() == 4
        assert rows.first.locator("td").first.get_attribute("rowspan") == "4"


def test_ansvar_table_reaches_the_word_document(example_built):
    import docx
    doc = docx.Document(example_built / "site" / "word" / "lex-sarah.docx")
    tables = [t for t in doc.tables if [c.text for c in t.rows[0].cells] == ["Ansvarig", "Ansvar", "Beskrivs i"]]
    assert tables, "ansvarstabellen saknas i Word-filen"
    assert "Beslutar om ett missförhållande är allvarligt och om anmälan." in [c.text for r in tables[0].rows for c in r.cells]


def test_process_diagram_on_a_document_page_and_in_its_word_file(mini):
    """A rutin that calls process() shows the generated diagram on the site and, as a picture,
    in its Word file."""
    import docx
    from conftest import run_cli
    rutin = mini / "docs" / "rutiner" / "avvikelser.md"
    rutin.write_text(rutin.read_text(encoding="utf-8") + '\n## Processen\n\n{{ process("avvikelseprocessen") }}\n',
                     encoding="utf-8")
    proc = run_cli(mini, "build")
    assert proc.returncode == 0, proc.stderr
    html = page(mini, "rutiner/avvikelser")
    img = re.search(r'<img alt="Processdiagram för Avvikelseprocessen:[^"]*"[^>]*? src="([^"]+)"', html)
    assert img and img.group(1) == "../../ledningssystem/processer/avvikelseprocessen.svg"
    assert (mini / "site" / "ledningssystem" / "processer" / "avvikelseprocessen.svg").is_file()
    proc = run_cli(mini, "export", "avvikelser")
    assert proc.returncode == 0, proc.stderr
    word = docx.Document(mini / "build" / "word" / "avvikelser.docx")
    pictures = [s for s in word.inline_shapes]
    assert pictures, "processdiagrammet saknas i Word-filen"
    names = zipfile.ZipFile(mini / "build" / "word" / "avvikelser.docx").namelist()
    assert any(n.startswith("word/media/") and n.endswith(".png") for n in names)


def test_generated_page_sources_show_data_as_text():
    """A role name with Markdown, HTML and Jinja signs in it is text on its generated page: the
    template (templates/sidor/mitt-ansvar.md.j2) escapes it, and the title survives YAML."""
    import yaml
    from styrdok.formatting import makro
    from styrdok.jinja import page_source
    from types import SimpleNamespace
    roll = SimpleNamespace(id="sas", namn='SAS: "<b>{{ x }}</b>" & co', beskrivning="Samordnar {% raw %}")
    source = page_source("mitt-ansvar.md.j2", roll=roll)
    front = yaml.safe_load(source.split("---")[1])
    assert front["title"] == 'Mitt ansvar: SAS: "<b>{{ x }}</b>" & co'
    assert '# Mitt ansvar: SAS: "&lt;b&gt;&#123;&#123; x &#125;&#125;&lt;/b&gt;" &amp; co' in source
    assert "Samordnar &#123;% raw %&#125;" in source
    assert source.rstrip().endswith('{{ mitt_ansvar("sas") }}')
    assert makro("dokumentlista", per="typ") == '{{ dokumentlista(per="typ") }}'
