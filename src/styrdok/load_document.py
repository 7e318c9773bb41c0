"""One styrdokument's front matter resolved against the handbook's data (roles, instanser,
organisation, lagrum, document types) and checked (the decision rules, dates in order): the first
pass of the loader (styrdok.load) over a styrdokument. References between documents wait for the
loader's second pass."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from . import decision_rules as rules
from . import model as m
from .front_fields import datum_av, own_fields
from .lagrum import warn_repealed
from .problems import Problems, choices
from .yamlio import LineMap


@dataclass
class Context:
    project: Project
    problems: Problems
    kommun: m.Kommun
    instanser: dict[str, m.Instans]
    org: dict[str, m.OrgEnhet]
    roller: dict[str, m.Roll]
    lagrum: dict[str, m.Lagrum]
    today: dt.date
    lagrum_numbers: dict = None     # (series, year, number) -> Lagrum, for references in the text


def add_months(day: dt.date, months: int) -> dt.date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def resolve(ids, table: dict, rel: str, lines: LineMap, key: tuple, problems: Problems,
             what: str, source: str, skip: frozenset | set = frozenset()) -> tuple:
    """The entries of table that ids name; a fel for each unknown id, except those in skip
    (already reported where they are defined)."""
    out = []
    for i, ident in enumerate(ids):
        if ident in table:
            out.append(table[ident])
        elif ident not in skip:
            path = key + (i,) if not isinstance(ids, str) else key
            problems.error(rel, lines.line(path),
                           f"{what} '{ident}' finns inte i {source}. Välj en av: {choices(table)}.",
                           key=".".join(str(k) for k in key))
    return tuple(out)


def load_document(ctx: Context, fm: m.FrontMatter, rel: str, src_path: str, lines: LineMap,
                   body: str, body_first_line: int, egna_raw: dict | None = None) -> m.Styrdokument | None:
    """The document of one file's validated front matter (fm), or None when it has a fel; every
    problem goes to ctx.problems with the file and line."""
    egna_raw = egna_raw or {}
    p = ctx.problems
    ok = True
    typ = ctx.kommun.dokumenttyper.get(fm.typ)
    if typ is None:
        p.error(rel, lines.line(("typ",)), f"Dokumenttypen '{fm.typ}' finns inte i data/kommun.yml. "
                                           f"Välj en av: {choices(ctx.kommun.dokumenttyper)}.", key="typ")
        ok = False
    inst_source = "nämnderna i data/kommun.yml eller rollerna i data/roller.yml"
    beslutad_av = resolve(fm.beslutad_av, ctx.instanser, rel, lines, ("beslutad_av",), p, "Instansen", inst_source)
    ansvarig_id = fm.dokumentansvarig if isinstance(fm.dokumentansvarig, str) else fm.dokumentansvarig.roll
    ansvarig = ctx.roller.get(ansvarig_id)
    if ansvarig is None:
        where = ("dokumentansvarig",) if isinstance(fm.dokumentansvarig, str) else ("dokumentansvarig", "roll")
        p.error(rel, lines.line(where),
                f"Rollen '{ansvarig_id}' finns inte i data/roller.yml. Välj en av: {choices(ctx.roller)}.",
                key="dokumentansvarig")
        ok = False
    galler_for = resolve(fm.galler_for, ctx.org, rel, lines, ("galler_for",), p,
                          "Organisationsenheten", "organisationen i data/kommun.yml")
    lagrum = resolve(fm.lagrum, ctx.lagrum, rel, lines, ("lagrum",), p, "Lagrummet", "data/lagrum.yml")
    in_text = warn_repealed(p, rel, lines, lagrum, ctx.lagrum, body, body_first_line, ctx.lagrum_numbers)

    diarienummer: list[m.Diarienummer] = []
    if isinstance(fm.diarienummer, str):
        diarienummer.append(m.Diarienummer(beslutad_av[0] if len(beslutad_av) == 1 else None, fm.diarienummer))
    elif isinstance(fm.diarienummer, dict):
        for inst_id, nummer in fm.diarienummer.items():
            if inst_id not in fm.beslutad_av:
                p.error(rel, lines.line(("diarienummer", inst_id)),
                        f"Diarienumret gäller '{inst_id}', som inte står under beslutad_av. Ange ett "
                        f"diarienummer per beslutande instans: {', '.join(fm.beslutad_av)}.", key="diarienummer")
                continue
            diarienummer.append(m.Diarienummer(ctx.instanser[inst_id], nummer))

    beslut: list[m.Beslut] = []
    for i, b in enumerate(fm.beslut):
        inst = resolve([b.instans], ctx.instanser, rel, lines, ("beslut", i, "instans"), p, "Instansen", inst_source)
        if inst:
            beslut.append(m.Beslut(inst[0], b.datum, b.paragraf, b.diarienummer, b.andring, b.skal))
            refused = typ and rules.refusal(typ, inst[0], b.andring)
            if refused:
                p.error(rel, lines.line(("beslut", i, "instans")), refused, key=f"beslut[{i}].instans")
        if b.andring == "redaktionell" and not b.skal:
            p.error(rel, lines.line(("beslut", i)), "En redaktionell ändring behöver ett skäl (skal: …), t.ex. "
                    "'Rättat stavfel'. Registrera den med styrdok decide DOK --redaktionell --skal \"…\".",
                    key=f"beslut[{i}].skal")
    if typ is not None:
        for i, inst in enumerate(beslutad_av):
            refused = rules.refusal(typ, inst, "revidering")
            if refused:
                p.error(rel, lines.line(("beslutad_av", i)), refused, key="beslutad_av")

    # Date logic: a revision cannot precede the date the document took effect, nothing lies ahead
    # of today except gäller från, and decisions come in order, before the document applies.
    if fm.senast_reviderad and fm.senast_reviderad < fm.galler_fran:
        p.error(rel, lines.line(("senast_reviderad",)),
                f"Senast reviderad ({fm.senast_reviderad}) ligger före Gäller från ({fm.galler_fran}). "
                "Rätta något av datumen: en revidering kan inte vara äldre än den version som gäller.",
                key="senast_reviderad")
    if fm.senast_reviderad and fm.senast_reviderad > ctx.today:
        p.error(rel, lines.line(("senast_reviderad",)),
                f"Senast reviderad ({fm.senast_reviderad}) ligger i framtiden. Ange dagens datum eller tidigare.",
                key="senast_reviderad")
    for i, b in enumerate(fm.beslut):
        if i and rules.out_of_order(fm.beslut[i - 1].datum, b.datum):
            p.error(rel, lines.line(("beslut", i, "datum")),
                    f"Beslutet {b.datum} står efter beslutet {fm.beslut[i - 1].datum} men är äldre. "
                    "Lista besluten i tidsordning, äldst först.", key=f"beslut[{i}].datum")
        if rules.too_far_ahead(b.datum, ctx.today):
            p.error(rel, lines.line(("beslut", i, "datum")),
                    f"Beslutsdatumet {b.datum} ligger mer än ett år fram i tiden. Ange datumet då beslutet fattades.",
                    key=f"beslut[{i}].datum")
        elif rules.not_yet(b.datum, ctx.today):
            p.warning(rel, lines.line(("beslut", i, "datum")),
                      f"Beslutsdatumet {b.datum} har inte varit än, men sidan visar dokumentet som beslutat. "
                      "Registrera beslutet när det är fattat, med datumet i protokollet.", key=f"beslut[{i}].datum")
    changes = [b for b in fm.beslut if rules.changes_text(b.andring)]
    if changes and rules.applies_before(fm.galler_fran, changes[-1].datum):
        p.error(rel, lines.line(("galler_fran",)),
                f"Gäller från ({fm.galler_fran}) ligger före det senaste beslutet om ändring "
                f"({changes[-1].datum}). Ett dokument kan inte gälla innan det är beslutat.", key="galler_fran")

    upprattad = datum_av(ctx, fm.upprattad, rel, lines, "upprattad")
    reviderad = datum_av(ctx, fm.reviderad, rel, lines, "reviderad")
    egna = own_fields(ctx, egna_raw, rel, lines)
    if not ok or typ is None or ansvarig is None:
        return None
    months = fm.revidering_manader or typ.revidering_manader
    basis = max(d for d in (fm.galler_fran, fm.senast_reviderad, fm.reviderad.datum if fm.reviderad else None,
                            *(b.datum for b in fm.beslut if b.andring != "redaktionell")) if d)
    nasta = fm.nasta_revidering or add_months(basis, months)
    return m.Styrdokument(
        id=fm.id or Path(src_path).stem, src_path=src_path, file=rel, titel=fm.titel, typ=typ,
        beslutad_av=beslutad_av, diarienummer=tuple(diarienummer), galler_fran=fm.galler_fran,
        dokumentansvarig=ansvarig, senast_reviderad=fm.senast_reviderad, revidering_manader=months,
        nasta_revidering=nasta, galler_for=galler_for, ersatter=fm.ersatter, relaterade=(),
        lagrum=lagrum, taggar=fm.taggar, sammanfattning=fm.sammanfattning, beslut=tuple(beslut),
        body=body, body_first_line=body_first_line, uppfyller=fm.uppfyller,
        lagrum_i_text=tuple(dict.fromkeys(r.lagrum for r in in_text)),
        dokumentansvarig_namn=None if isinstance(fm.dokumentansvarig, str) else fm.dokumentansvarig.namn,
        version=fm.version, giltighet=fm.giltighet, revideras=fm.revideras, foljs_upp=fm.foljs_upp,
        upprattad=upprattad, reviderad=reviderad, process=fm.process, egna=egna)
