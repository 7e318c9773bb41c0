"""What is late or due soon, computed from dates (never typed by hand): `styrdok due` and the
review-date calendars (.ics) for the handbook and per role.

Four kinds of work are due: a styrdokument's revision (nästa revidering), an enhet's ledningssystem
review, an åtgärd in a kvalitetsplan (klart senast, not klar) and an årshjul activity whose latest
occurrence has passed without being recorded as done (`genomford` in data/arshjul.yml).
"""
from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from typing import Callable

from icalendar import Calendar, Event

from . import load
from .control import SOON_DAYS, due_list
from .ledningssystem.load import ledningssystem_of
from .memo import cached
from .model import Handbook, Styrdokument
from .parts import GENERATED_FILES

KINDS = {"dokument": "", "enhet": "Enhetens ledningssystem: ", "atgard": "Åtgärd: ", "arshjul": "Årshjul: "}
CALENDAR_FOLDER = "kalender"


@dataclass(frozen=True)
class DueItem:
    kind: str            # dokument | enhet | atgard | arshjul
    titel: str
    ansvarig: str        # the responsible role's name
    datum: dt.date       # when it is (was) due
    days_left: int
    var: str             # where it is written (a file, or a plan's title)

    @property
    def overdue(self) -> bool:
        return self.days_left < 0


def due_items(handbook: Handbook, today: dt.date, soon_days: int = SOON_DAYS) -> list[DueItem]:
    """Everything overdue or due within soon_days (årshjul: only what is overdue), most urgent first."""
    out = [DueItem("dokument", d.doc.titel, d.doc.dokumentansvarig.namn, d.doc.nasta_revidering, d.days_left,
                   d.doc.file) for d in due_list(handbook, today, soon_days)]
    ls = ledningssystem_of(handbook)
    for e in ls.enheter.values():
        left = (e.nasta_revidering - today).days
        if left <= soon_days:
            out.append(DueItem("enhet", e.enhet.namn, e.ansvarig.namn, e.nasta_revidering, left, e.file))
    for plan in ls.kvalitetsplaner.values():
        for _proc, _risk, a in plan.atgarder():
            if a.klart_senast is None:
                continue
            left = (a.klart_senast - today).days
            if a.status != "klar" and left <= soon_days:
                out.append(DueItem("atgard", a.atgard, a.ansvarig.namn, a.klart_senast, left, plan.titel))
    if ls.arshjul:
        for a in ls.arshjul.aktiviteter:
            late = a.forfallen(today)
            if late is not None:
                out.append(DueItem("arshjul", a.aktivitet, a.ansvarig.namn, late, (late - today).days,
                                   "data/arshjul.yml"))
    return sorted(out, key=lambda i: (i.days_left, i.titel))


def format_due(items: list[DueItem], today: dt.date, soon_days: int = SOON_DAYS) -> str:
    if not items:
        return f"Inget är försenat och inget ska göras inom {soon_days} dagar (per {today})."
    by_owner: dict[str, list[DueItem]] = {}
    for item in items:
        by_owner.setdefault(item.ansvarig, []).append(item)
    lines = []
    for owner in sorted(by_owner):
        lines.append(f"{owner}:")
        for item in by_owner[owner]:
            when = f"försenad {-item.days_left} dagar" if item.overdue else f"om {item.days_left} dagar"
            lines.append(f"  {item.datum}  {when:<20} {KINDS[item.kind]}{item.titel} ({item.var})")
    n_over = sum(1 for i in items if i.overdue)
    lines.append(f"{n_over} försenade, {len(items) - n_over} ska göras inom {soon_days} dagar.")
    return "\n".join(lines)


# --- review-date calendars -------------------------------------------------------------------------

def calendar_path(roll_id: str | None = None) -> str:
    """Site path of the review calendar: the whole handbook, or one role's documents."""
    return f"{CALENDAR_FOLDER}/revideringar{'-' + roll_id if roll_id else ''}.ics"


def review_calendar(handbook: Handbook, docs: list[Styrdokument], name: str) -> bytes:
    """One all-day event per document on its next revision date. The UID is the document's id, so
    a subscribed calendar moves the event when the date changes instead of adding another.

    Kept between builds (memo.py) under everything it reads: making 2,000 events took seconds."""
    stamp = dt.datetime.combine(load.current_date(), dt.time(), tzinfo=dt.timezone.utc)
    docs = sorted(docs, key=lambda d: (d.nasta_revidering, d.titel))
    reads = (handbook.kommun.namn, name, stamp.isoformat(),
             [(d.id, d.nasta_revidering.isoformat(), d.titel, d.typ.namn, d.dokumentansvarig.namn, d.file)
              for d in docs])
    return cached("kalender", reads, lambda: _review_calendar(handbook, docs, name, stamp))


def _review_calendar(handbook: Handbook, docs: list[Styrdokument], name: str, stamp: dt.datetime) -> bytes:
    cal = Calendar()
    cal.add("prodid", f"-//styrdok//{handbook.kommun.namn}//SV")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    for doc in docs:
        event = Event()
        event.add("uid", f"revidering-{doc.id}@styrdok")
        event.add("dtstamp", stamp)
        event.add("dtstart", doc.nasta_revidering)
        event.add("dtend", doc.nasta_revidering + dt.timedelta(days=1))
        event.add("summary", f"Revidera: {doc.titel}")
        event.add("description", f"{doc.typ.namn} som ska revideras senast {doc.nasta_revidering.isoformat()}. "
                                 f"Dokumentansvarig: {doc.dokumentansvarig.namn}. Källa: {doc.file}.")
        event.add("transp", "TRANSPARENT")
        cal.add_component(event)
    return cal.to_ical()


def _calendars(handbook: Handbook) -> list[tuple[str, Callable[[], bytes]]]:
    """The whole handbook's review calendar and one per role with documents (made when asked for)."""
    docs = list(handbook.dokument.values())
    if not docs:
        return []
    out = [(calendar_path(), lambda: review_calendar(handbook, docs, f"{handbook.kommun.namn}: revideringar"))]
    for roll in handbook.roller.values():
        own = [d for d in docs if d.dokumentansvarig.id == roll.id]
        if own:
            out.append((calendar_path(roll.id), functools.partial(
                review_calendar, handbook, own, f"{handbook.kommun.namn}: revideringar, {roll.namn}")))
    return out


GENERATED_FILES.append(_calendars)
