"""Generated pages (Mitt ansvar per role, one page per process and per enhet) and files (the
årshjul as .ics, process diagrams as SVG). Each page's Markdown calls one macro."""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
from typing import Callable

from icalendar import Calendar, Event

from ..jinja import DEFAULT_TEMPLATES, page_source, shared_env
from ..model import Handbook
from .load import ledningssystem_of

ICS_PATH = "ledningssystem/arshjul.ics"


def mitt_ansvar_path(roll_id: str) -> str:
    return f"ledningssystem/mitt-ansvar/{roll_id}.md"


def generated_pages(hb: Handbook) -> list[tuple[str, str]]:
    ls = ledningssystem_of(hb)
    if not (ls.amnen or ls.processer or ls.enheter or ls.kvalitetsplaner or ls.arshjul):
        return []
    out = [(mitt_ansvar_path(roll.id), page_source("mitt-ansvar.md.j2", roll=roll)) for roll in hb.roller.values()]
    out += [(p.src_path, page_source("process.md.j2", process=p)) for p in ls.processer.values()]
    out += [(e.src_path, page_source("enhet.md.j2", enhet=e.enhet)) for e in ls.enheter.values()]
    return out


def print_pages(hb: Handbook) -> list:
    """The ledningssystem's pages that get Word and PDF files (styrdok.printpages): every process,
    each kvalitetsplan (and kvalitetsberättelse) shown on a page, Mitt ansvar per role, each enhet's
    ledningssystem."""
    from ..printpages import PrintPage
    ls = ledningssystem_of(hb)
    if not (ls.amnen or ls.processer or ls.enheter or ls.kvalitetsplaner or ls.arshjul):
        return []
    out = [PrintPage(p.src_path, f"process-{p.id}", p.namn, "Process",
                     (("Processägare", p.agare.namn),), ("data/processer.yml", "data/roller.yml"))
           for p in ls.processer.values()]
    out += [PrintPage(plan.src_path, f"kvalitetsplan-{plan.id}", plan.titel, "Kvalitetsplan",
                      (("Organisation", plan.organisation.namn), ("År", str(plan.ar))),
                      (plan.file, f"docs/{plan.src_path}"))
            for plan in ls.kvalitetsplaner.values() if plan.has_page]
    from .load import page_calling
    for plan in ls.kvalitetsplaner.values():          # the kvalitetsberättelse's underlag, for the nämnd
        page = page_calling(hb, "kvalitetsberattelse", plan.id)
        if page is not None:
            out.append(PrintPage(page, f"kvalitetsberattelse-{plan.id}", hb.pages[page].title or plan.titel,
                                 "Kvalitetsberättelse",
                                 (("Organisation", plan.organisation.namn), ("År", str(plan.ar))),
                                 (plan.file, f"docs/{page}")))
    out += [PrintPage(mitt_ansvar_path(roll.id), f"mitt-ansvar-{roll.id}", f"Mitt ansvar: {roll.namn}", "Mitt ansvar",
                      (("Roll", roll.namn),), ("data/", "docs/"))
            for roll in hb.roller.values()]
    out += [PrintPage(e.src_path, f"ledningssystem-{e.enhet.id}", f"Ledningssystem för {e.enhet.namn}",
                      "Ledningssystem",
                      (("Enhet", e.enhet.namn), ("Ansvarig", e.ansvarig.namn),
                       ("Senast reviderad", e.senast_reviderad.isoformat()),
                       ("Nästa revidering", e.nasta_revidering.isoformat())),
                      (e.file, "data/kommun.yml"))
            for e in ls.enheter.values()]
    return out


# --- files ----------------------------------------------------------------------------------------

# The diagram's two layouts: boxes in rows of four (a wide screen, Word), and one under the other,
# wider boxes, for a phone (the site shows the one that fits, docs/assets/ledningssystem.css).
WIDE, NARROW = {"per_row": 4, "w": 190}, {"per_row": 1, "w": 300}


def _svg_layout(p, per_row: int = 4, w: int = 190) -> dict:
    """Boxes in rows of per_row, left to right, numbered like the activity table."""
    h, gap = 96, 40
    width = max(20 + min(len(p.aktiviteter), per_row) * (w + gap), 300)
    titel = _wrap(p.namn, (width - 40) // 11)             # 18 px bold: about 11 px a character
    top = 56 + 22 * (len(titel) - 1)
    boxes = []
    for i, a in enumerate(p.aktiviteter):
        row, col = divmod(i, per_row)
        boxes.append({"x": 20 + col * (w + gap), "y": top + row * (h + 50), "a": a,
                      "lines": _wrap(f"{a.nummer}. {a.namn}", w * 21 // 190)[:3],
                      "roller": _wrap(", ".join(r.namn for r in a.roller), w * 30 // 190)[:2]})
    arrows = []
    for b1, b2 in zip(boxes, boxes[1:]):
        if b2["y"] == b1["y"]:
            arrows.append(f"M{b1['x'] + w},{b1['y'] + h / 2} L{b2['x'] - 4},{b2['y'] + h / 2}")
        else:       # next row: down, back left, down
            mid = b1["y"] + h + 25
            arrows.append(f"M{b1['x'] + w / 2},{b1['y'] + h} L{b1['x'] + w / 2},{mid} "
                          f"L{b2['x'] + w / 2},{mid} L{b2['x'] + w / 2},{b2['y'] - 4}")
    rows = (len(boxes) + per_row - 1) // per_row
    return {"boxes": boxes, "arrows": arrows, "w": w, "h": h, "width": width, "titel": titel,
            "height": top + rows * (h + 50), "p": p}


def _wrap(text: str, width: int) -> list[str]:
    import textwrap
    return textwrap.wrap(text, width) or [""]


def process_svg(p, layout: dict = WIDE) -> bytes:
    env = shared_env(DEFAULT_TEMPLATES / "svg", autoescape=True)
    return env.get_template("process.svg.j2").render(**_svg_layout(p, **layout)).encode("utf-8")


def narrow_svg_path(p) -> str:
    """The phone layout of a process diagram, beside the wide one (docs-relative)."""
    return p.src_path[:-3] + "-smal.svg"


def arshjul_ics(hb: Handbook) -> bytes:
    """One all-day event per occurrence (nämnd meetings, months). Stable UIDs: a subscribed
    calendar updates events instead of duplicating them. Escaping and line folding: icalendar."""
    hjul = ledningssystem_of(hb).arshjul
    if hjul is None:
        return b""
    cal = Calendar()
    cal.add("version", "2.0")
    cal.add("prodid", f"-//styrdok//{hb.kommun.namn}//SV")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", f"{hb.kommun.namn}: årshjul {hjul.ar}")
    stamp = dt.datetime(hjul.ar, 1, 1, tzinfo=dt.timezone.utc)
    for a in hjul.aktiviteter:
        for d in a.datum:
            event = Event()
            event.add("uid", f"{hashlib.sha1(f'{a.id}:{d}'.encode()).hexdigest()[:16]}-{a.id}@styrdok")
            event.add("dtstamp", stamp)
            event.add("dtstart", d)
            event.add("dtend", d + dt.timedelta(days=1))
            event.add("summary", a.aktivitet)
            event.add("description", f"Ansvarig: {a.ansvarig.namn}. Rapporteras till: {a.rapporteras_till.namn}. "
                                     f"{a.frekvens_namn}.")
            event.add("transp", "TRANSPARENT")
            cal.add_component(event)
    return cal.to_ical()


def generated_files(hb: Handbook) -> list[tuple[str, Callable[[], bytes]]]:
    """Each process's diagram (wide and narrow) and the årshjul's calendar, made when asked for."""
    ls = ledningssystem_of(hb)
    out = [(p.src_path[:-3] + ".svg", functools.partial(process_svg, p)) for p in ls.processer.values()]
    out += [(narrow_svg_path(p), functools.partial(process_svg, p, NARROW)) for p in ls.processer.values()]
    if ls.arshjul:
        out.append((ICS_PATH, functools.partial(arshjul_ics, hb)))
    return out
