"""Who may decide what, and when: one set of rules, used by `styrdok check` (the front matter) and
`styrdok decide` (each says it in its own words: check names the line, decide the option).

A document type names the instanser that decide it (`beslutas_av`) and those that may also decide
a minor change or a review without change (`mindre_andring_beslutas_av`). An editorial change
(`redaktionell`: a typo, a broken link) is no decision: anyone may record it, with a reason.
"""
from __future__ import annotations

import datetime as dt

from .model import Dokumenttyp, Instans

MINOR = ("mindre ändring", "utan ändring")
# Decisions that leave the text (and so Gäller från) as it was.
KEEPS_TEXT = ("utan ändring", "redaktionell")
# A decision date ahead of today has not happened: `decide` refuses it; in front matter it is a varning
# (the site would show the document as decided), and more than a year ahead a fel (a typo in the year).
MAX_AHEAD = dt.timedelta(days=365)


def changes_text(andring: str) -> bool:
    """A decision that changes the document (its Gäller från follows the decision)."""
    return andring not in KEEPS_TEXT


def out_of_order(previous: dt.date | None, datum: dt.date) -> bool:
    """Decisions are recorded in time order: datum may not lie before the previous decision."""
    return previous is not None and datum < previous


def too_far_ahead(datum: dt.date, today: dt.date) -> bool:
    return datum > today + MAX_AHEAD


def not_yet(datum: dt.date, today: dt.date) -> bool:
    """A decision dated after today has not been taken yet."""
    return datum > today


def applies_before(galler_fran: dt.date, datum: dt.date) -> bool:
    """A document cannot apply before the decision that changed it."""
    return galler_fran < datum


def allowed_instanser(typ: Dokumenttyp, andring: str) -> list[Instans]:
    """The instanser that may decide a change of this kind for this document type."""
    if andring in MINOR:
        return list(dict.fromkeys([*typ.beslutas_av, *typ.mindre_andring_beslutas_av]))
    return list(typ.beslutas_av)


def refusal(typ: Dokumenttyp, instans: Instans, andring: str) -> str | None:
    """None if instans may decide this kind of change; else the Swedish reason (same in check and decide)."""
    if andring == "redaktionell":
        return None
    allowed = allowed_instanser(typ, andring)
    if instans.id in {i.id for i in allowed}:
        return None
    level = ("mindre ändringar och omprövning utan ändring" if andring in MINOR
             else "ändringar av den här dokumenttypen")
    return (f"{instans.namn} får inte besluta om {typ.namn.lower()} ({level}). "
            f"Beslut fattas av: {', '.join(i.namn for i in allowed)}.")
