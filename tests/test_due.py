"""Overdue is computed from dates everywhere: `styrdok due` (documents, enheter, åtgärder, årshjul),
the kvalitetsplan page, Mitt ansvar, and the review calendars (.ics) per handbook and per role."""
from __future__ import annotations

import datetime as dt
import re

from icalendar import Calendar

from conftest import run_cli


def replace(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_due_exits_1_for_a_late_atgard_only(mini):
    idag = {"STYRDOK_IDAG": "2026-04-15"}
    assert run_cli(mini, "due", env=idag).returncode == 0
    plan = mini / "data" / "kvalitetsplaner" / "sof-2026.yml"
    replace(plan, "klart_senast: 2026-08-31", "klart_senast: 2026-04-01")
    late = run_cli(mini, "due", env=idag)
    assert late.returncode == 1, late.stdout + late.stderr
    assert "Socialchef:" in late.stdout
    assert "2026-04-01  försenad 14 dagar    Åtgärd: Ta fram en affisch. (Kvalitetsplan 2026)" in late.stdout
    # the file still says pågår: lateness comes from the date, and a klar åtgärd is never late
    replace(plan, "status: pågår", "status: klar")
    assert run_cli(mini, "due", env=idag).returncode == 0


def test_due_lists_late_enheter_and_arshjul(mini):
    idag = {"STYRDOK_IDAG": "2026-04-15"}
    replace(mini / "data" / "enheter" / "barn-och-unga.yml", "senast_reviderad: 2025-09-01",
            "senast_reviderad: 2025-04-10")
    enhet = run_cli(mini, "due", env=idag)
    assert enhet.returncode == 1
    assert "2026-04-10  försenad 5 dagar     Enhetens ledningssystem: Barn och unga (data/enheter/barn-och-unga.yml)" \
        in enhet.stdout
    replace(mini / "data" / "enheter" / "barn-och-unga.yml", "senast_reviderad: 2025-04-10",
            "senast_reviderad: 2025-09-01")
    replace(mini / "data" / "arshjul.yml", "    genomford: 2026-07-01\n", "    genomford: 2026-02-10\n")
    arshjul = run_cli(mini, "due", env=idag)
    assert arshjul.returncode == 1
    # the March occurrence (due at the end of March) was not done: the latest late one is listed
    assert "2026-03-31  försenad 15 dagar    Årshjul: Genomgång av avvikelser (data/arshjul.yml)" in arshjul.stdout
    assert arshjul.stdout.count("Genomgång av avvikelser") == 1


def test_pages_show_computed_lateness_and_review_calendars(mini):
    idag = {"STYRDOK_IDAG": "2026-09-05"}
    proc = run_cli(mini, "build", env=idag)
    assert proc.returncode == 0, proc.stderr
    site = mini / "site"
    plan = (site / "ledningssystem" / "kvalitetsplan" / "index.html").read_text(encoding="utf-8")
    row = plan[plan.index("Ta fram en affisch."):]
    row = row[:row.index("</tr>")]
    assert re.search(r'<td[^>]* class="status-försenad">försenad</td>', row)      # the file says pågår
    mitt = (site / "ledningssystem" / "mitt-ansvar" / "socialchef" / "index.html").read_text(encoding="utf-8")
    row = mitt[mitt.index("Ta fram en affisch."):]
    assert "<td>försenad</td>" in row[:row.index("</tr>")]

    cal = Calendar.from_ical((site / "kalender" / "revideringar.ics").read_bytes())
    events = {str(e["summary"]): e for e in cal.walk("VEVENT")}
    assert set(events) == {"Revidera: Riktlinje för kvalitet", "Revidera: Rutin för avvikelser & risker"}
    assert events["Revidera: Rutin för avvikelser & risker"].decoded("dtstart") == dt.date(2026, 6, 1)
    assert str(events["Revidera: Rutin för avvikelser & risker"]["uid"]) == "revidering-avvikelser@styrdok"
    sas = Calendar.from_ical((site / "kalender" / "revideringar-sas.ics").read_bytes())
    assert len(list(sas.walk("VEVENT"))) == 2 and "Socialt ansvarig samordnare" in str(sas["x-wr-calname"])
    assert not (site / "kalender" / "revideringar-socialchef.ics").exists()     # no documents of its own
    mitt_sas = (site / "ledningssystem" / "mitt-ansvar" / "sas" / "index.html").read_text(encoding="utf-8")
    assert re.search(r'href="\.\./\.\./\.\./kalender/revideringar-sas\.ics"', mitt_sas)
    revidera = (site / "att-revidera" / "index.html").read_text(encoding="utf-8")
    assert 'href="../kalender/revideringar.ics"' in revidera
