"""Who may decide what: one rule, used by `styrdok check` (the front matter) and `styrdok decide`.

A document type names the instanser that decide it (`beslutas_av`) and those that may also decide
a minor change or a review without change (`mindre_andring_beslutas_av`). An editorial change
(`redaktionell`: a typo, a broken link) is no decision: anyone may record it, with a reason.
"""
from __future__ import annotations

from .model import Dokumenttyp, Instans

MINOR = ("mindre ändring", "utan ändring")


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
