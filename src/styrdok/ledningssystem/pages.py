"""Generated pages (Mitt ansvar per role, one page per process and per enhet) and files (the
årshjul as .ics, process diagrams as SVG). Each page's Markdown calls one macro."""
from __future__ import annotations

import datetime as dt
import hashlib
import json

from ..jinja import DEFAULT_TEMPLATES, shared_env
from ..model import Handbook
from ..render.markdown import md_text
from .load import ledningssystem_of

ICS_PATH = "ledningssystem/arshjul.ics"


def mitt_ansvar_path(roll_id: str) -> str:
    return f"ledningssystem/mitt-ansvar/{roll_id}.md"


def _front(title: str, boost: float | None = None) -> str:
    """Front matter; `boost` below 1 weighs the page's text less in the search (overrides/partials/content.html)."""
    search = f"search:\n  boost: {boost}\n" if boost is not None else ""
    # A YAML string that no quote, colon or brace in the name can break (the page text passes Jinja).
    quoted = json.dumps(title, ensure_ascii=False).replace("{", "\\u007b").replace("}", "\\u007d")
    return f"---\ntitle: {quoted}\n{search}---\n"


def _text(value: str) -> str:
    """Data written into a generated page's Markdown: shown as text, never as HTML or Jinja."""
    return md_text(value).replace("{", "&#123;").replace("}", "&#125;")


def generated_pages(hb: Handbook) -> list[tuple[str, str]]:
    ls = ledningssystem_of(hb)
    if not (ls.amnen or ls.processer or ls.enheter or ls.kvalitetsplaner or ls.arshjul):
        return []
    out = []
    for roll in hb.roller.values():
        out.append((mitt_ansvar_path(roll.id), _front(f"Mitt ansvar: {roll.namn}", boost=0.3) +
                    f"# Mitt ansvar: {_text(roll.namn)}\n\n{_text(roll.beskrivning)}\n\n"
                    "Allt som rollen ska göra enligt handbokens dokument, processer, kvalitetsplaner och "
                    f"årshjul, med länk till källan.\n\n{{{{ mitt_ansvar(\"{roll.id}\") }}}}\n"))
    for p in ls.processer.values():
        out.append((p.src_path, _front(p.namn, boost=0.6) + f"# {_text(p.namn)}\n\n{{{{ process(\"{p.id}\") }}}}\n"))
    for e in ls.enheter.values():
        out.append((e.src_path, _front(f"Ledningssystem: {e.enhet.namn}", boost=0.6) +
                    f"# Ledningssystem för {_text(e.enhet.namn)}\n\n{{{{ enhet(\"{e.enhet.id}\") }}}}\n"))
    return out


# --- files ----------------------------------------------------------------------------------------

def _svg_layout(p) -> dict:
    """Boxes in rows of four, left to right, numbered like the activity table."""
    per_row, w, h, gap, top = 4, 190, 96, 40, 56
    boxes = []
    for i, a in enumerate(p.aktiviteter):
        row, col = divmod(i, per_row)
        boxes.append({"x": 20 + col * (w + gap), "y": top + row * (h + 50), "a": a,
                      "lines": _wrap(f"{a.nummer}. {a.namn}", 21)[:3],
                      "roller": _wrap(", ".join(r.namn for r in a.roller), 30)[:2]})
    arrows = []
    for b1, b2 in zip(boxes, boxes[1:]):
        if b2["y"] == b1["y"]:
            arrows.append(f"M{b1['x'] + w},{b1['y'] + h / 2} L{b2['x'] - 4},{b2['y'] + h / 2}")
        else:       # next row: down, back left, down
            mid = b1["y"] + h + 25
            arrows.append(f"M{b1['x'] + w / 2},{b1['y'] + h} L{b1['x'] + w / 2},{mid} "
                          f"L{b2['x'] + w / 2},{mid} L{b2['x'] + w / 2},{b2['y'] - 4}")
    rows = (len(boxes) + per_row - 1) // per_row
    width = 20 + min(len(boxes), per_row) * (w + gap)
    return {"boxes": boxes, "arrows": arrows, "w": w, "h": h, "width": max(width, 400),
            "height": top + rows * (h + 50), "p": p}


def _wrap(text: str, width: int) -> list[str]:
    import textwrap
    return textwrap.wrap(text, width) or [""]


def process_svg(p) -> bytes:
    env = shared_env(DEFAULT_TEMPLATES / "svg", autoescape=True)
    return env.get_template("process.svg.j2").render(**_svg_layout(p)).encode("utf-8")


def arshjul_ics(hb: Handbook) -> bytes:
    """One all-day event per occurrence (nämnd meetings, months). Stable UIDs: a subscribed
    calendar updates events instead of duplicating them."""
    hjul = ledningssystem_of(hb).arshjul
    if hjul is None:
        return b""
    stamp = dt.datetime(hjul.ar, 1, 1).strftime("%Y%m%dT000000Z")
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:-//styrdok//{_esc(hb.kommun.namn)}//SV",
             "CALSCALE:GREGORIAN", f"X-WR-CALNAME:{_esc(hb.kommun.namn)}: årshjul {hjul.ar}"]
    for a in hjul.aktiviteter:
        for d in a.datum:
            uid = hashlib.sha1(f"{a.id}:{d}".encode()).hexdigest()[:16]
            lines += ["BEGIN:VEVENT", f"UID:{uid}-{a.id}@styrdok", f"DTSTAMP:{stamp}",
                      f"DTSTART;VALUE=DATE:{d:%Y%m%d}", f"DTEND;VALUE=DATE:{d + dt.timedelta(days=1):%Y%m%d}",
                      f"SUMMARY:{_esc(a.aktivitet)}",
                      f"DESCRIPTION:{_esc(f'Ansvarig: {a.ansvarig.namn}. Rapporteras till: {a.rapporteras_till.namn}. {a.frekvens_namn}.')}",
                      "TRANSP:TRANSPARENT", "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return ("\r\n".join(_fold(line) for line in lines) + "\r\n").encode("utf-8")


def _esc(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> str:
    """RFC 5545: lines longer than 75 octets continue on the next line after a space."""
    raw = line.encode("utf-8")
    if len(raw) <= 75:
        return line
    parts, cur = [], b""
    for ch in line:
        b = ch.encode("utf-8")
        if len(cur) + len(b) > (75 if not parts else 74):
            parts.append(cur.decode("utf-8"))
            cur = b""
        cur += b
    parts.append(cur.decode("utf-8"))
    return "\r\n ".join(parts)


def generated_files(hb: Handbook) -> list[tuple[str, bytes]]:
    ls = ledningssystem_of(hb)
    out = [(p.src_path[:-3] + ".svg", process_svg(p)) for p in ls.processer.values()]
    if ls.arshjul:
        out.append((ICS_PATH, arshjul_ics(hb)))
    return out
