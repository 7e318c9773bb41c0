"""Loading the header fields of a document's front matter that name someone or something:
upprättad/reviderad {datum, av}, and the kommun's own fields (egna_falt in data/kommun.yml), each
validated by its type. `ctx` is the loader's context (styrdok.load_document.Context)."""
from __future__ import annotations

import datetime as dt
import re

from . import model as m
from .problems import choices
from .yamlio import LineMap

_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")


def who(ctx, value: str | None, rel: str, lines: LineMap, path: tuple) -> str | None:
    """A name from an instans id (nämnd or roll); text as written. An unknown id is a fel."""
    if not value:
        return None
    if value in ctx.instanser:
        return ctx.instanser[value].namn
    if _ID.match(value):
        ctx.problems.error(rel, lines.line(path), f"'{value}' är varken en roll i data/roller.yml eller en nämnd i "
                           f"data/kommun.yml. Välj en av: {choices(ctx.instanser)}, eller skriv namnet med "
                           "stor bokstav.", key=".".join(path))
        return None
    return value


def datum_av(ctx, fil: m.DatumAvFil | None, rel: str, lines: LineMap, key: str) -> m.DatumAv | None:
    if fil is None:
        return None
    if fil.datum and fil.datum > ctx.today:
        ctx.problems.error(rel, lines.line((key, "datum")), f"{key}.datum ({fil.datum}) ligger i framtiden. "
                           "Ange datumet då det skedde.", key=f"{key}.datum")
    return m.DatumAv(fil.datum, who(ctx, fil.av, rel, lines, (key, "av")))


def own_fields(ctx, raw: dict, rel: str, lines: LineMap) -> dict[str, object]:
    """The kommun's own header fields (egna_falt in data/kommun.yml), validated by their type.
    Documents are resolved in the second pass; processes by the ledningssystem loader."""
    out: dict[str, object] = {}
    for key, value in raw.items():
        typ = ctx.kommun.egna_falt[key].typ
        line = lines.line((key,))
        if typ == "datum":
            if isinstance(value, str):
                try:
                    value = dt.date.fromisoformat(value)
                except ValueError:
                    pass
            if not isinstance(value, dt.date):
                ctx.problems.error(rel, line, f"{key}: '{value}' är inget datum. Skriv ÅÅÅÅ-MM-DD.", key=key)
                continue
        elif not isinstance(value, (str, int, float)) or isinstance(value, bool) or str(value).strip() == "":
            ctx.problems.error(rel, line, f"{key}: skriv en text (fältet är av typen {typ}).", key=key)
            continue
        else:
            value = str(value).strip()
        if typ == "roll":
            if value not in ctx.roller:
                ctx.problems.error(rel, line, f"{key}: rollen '{value}' finns inte i data/roller.yml. Välj en av: "
                                   f"{choices(ctx.roller)}.", key=key)
                continue
            value = ctx.roller[value]
        out[key] = value
    return out
