"""Macros over the ledningssystem data. Thin: pick and group the resolved objects, then render a
template under templates/markdown/ls/. Where Markdown cannot express the layout (merged cells,
the year grid) the template writes HTML; the Word export reads the same rendering."""
from __future__ import annotations

from typing import Callable

from ..render.markdown import MacroError, RenderContext, page_url
from . import model as lm
from .load import ledningssystem_of
from .pages import ICS_PATH, mitt_ansvar_path


def _diagram(ctx: RenderContext, p: lm.Process) -> str:
    """Where the page finds the process diagram: the SVG the build writes beside the process page
    (pages.generated_files), relative to the calling page. The Word export finds the same file
    among the generated files (WordDocument.generated) and turns it into a PNG."""
    return ctx.href(p.src_path[:-3] + ".svg")


def duties_of(hb, roll_id: str) -> dict[str, list]:
    """Everything one role must do, grouped by where it is written, each with its source page."""
    ls = ledningssystem_of(hb)
    out: dict[str, list] = {"ansvar": [], "dokument": [], "processer": [], "atgarder": [], "arshjul": [],
                            "enheter": []}
    for amne in ls.amnen.values():
        for a in amne.ansvar:
            if a.roll.id == roll_id:
                out["ansvar"].append((amne, a))
    out["dokument"] = sorted((d for d in hb.dokument.values() if d.dokumentansvarig.id == roll_id),
                             key=lambda d: d.titel)
    for proc in ls.processer.values():
        steps = [a for a in proc.aktiviteter if any(r.id == roll_id for r in a.roller)]
        if steps or proc.agare.id == roll_id:
            out["processer"].append((proc, proc.agare.id == roll_id, steps))
    for plan in ls.kvalitetsplaner.values():
        for proc, risk, a in plan.atgarder():
            if a.ansvarig.id == roll_id:
                out["atgarder"].append((plan, proc, risk, a))
    if ls.arshjul:
        out["arshjul"] = [a for a in ls.arshjul.aktiviteter if a.ansvarig.id == roll_id]
    out["enheter"] = [e for e in ls.enheter.values() if e.ansvarig.id == roll_id]
    return out


def ls_macros(ctx: RenderContext) -> dict[str, Callable]:
    hb = ctx.handbook

    def ls():
        return ledningssystem_of(hb)

    def _get(table, key, macro, source):
        if key not in table:
            raise MacroError(f"{macro}('{key}'): finns inte i {source}. Välj en av: {', '.join(sorted(table)) or '(inga)'}.")
        return table[key]

    def ansvar(amne: str, som: str = "tabell") -> str:
        """One ämne's responsibilities: a table (som="tabell") or one section per role (som="avsnitt")."""
        a = _get(ls().amnen, amne, "ansvar", "data/ansvar.yml")
        if som not in ("tabell", "avsnitt"):
            raise MacroError(f"ansvar('{amne}', som='{som}'): välj som='tabell' eller som='avsnitt'.")
        if som == "avsnitt":
            per: dict[str, list] = {}
            for x in a.ansvar:
                per.setdefault(x.roll.id, []).append(x)
            return ctx.render("ls/ansvar_avsnitt.md.j2", amne=a, per_roll=list(per.values()),
                              mitt_ansvar=mitt_ansvar_path)
        return ctx.render("ls/ansvar.md.j2", amne=a, mitt_ansvar=mitt_ansvar_path)

    def ansvarsfordelning() -> str:
        roles = sorted({a.roll.id for x in ls().amnen.values() for a in x.ansvar} | set(hb.roller))
        return ctx.render("ls/ansvarsfordelning.md.j2", amnen=list(ls().amnen.values()),
                          roller=[hb.roller[r] for r in roles if r in hb.roller], mitt_ansvar=mitt_ansvar_path)

    def mitt_ansvar(roll: str) -> str:
        role = _get(hb.roller, roll, "mitt_ansvar", "data/roller.yml")
        return ctx.render("ls/mitt_ansvar.md.j2", roll=role, d=duties_of(hb, roll))

    def processkarta() -> str:
        groups = [(namn, [p for p in ls().processer.values() if p.typ == typ]) for typ, namn in lm.PROCESS_TYPER.items()]
        return ctx.render("ls/processkarta.md.j2", groups=groups)

    def process(process_id: str) -> str:
        p = _get(ls().processer, process_id, "process", "data/processer.yml")
        from .pages import narrow_svg_path
        return ctx.render("ls/process.md.j2", p=p, bild=_diagram(ctx, p), bild_smal=ctx.href(narrow_svg_path(p)))

    def enheter_oversikt() -> str:
        from ..load import current_date
        return ctx.render("ls/enheter.md.j2", enheter=sorted(ls().enheter.values(), key=lambda e: e.enhet.namn),
                          saknar_fil=[o for o in hb.org.values() if o.niva == "enhet" and o.id not in ls().enheter],
                          idag=current_date(), omraden=lm.OMRADEN)

    def enhet(enhet_id: str) -> str:
        e = _get(ls().enheter, enhet_id, "enhet", "data/enheter/")
        return ctx.render("ls/enhet.md.j2", e=e)

    def kvalitetsplan(plan_id: str) -> str:
        plan = _get(ls().kvalitetsplaner, plan_id, "kvalitetsplan", "data/kvalitetsplaner/")
        return ctx.render("ls/kvalitetsplan.html.j2", plan=plan,
                          processer=sorted({pp.process for pp in plan.processer if pp.process.id},
                                           key=lambda p: p.namn),
                          ansvariga=sorted({a.ansvarig for _, _, a in plan.atgarder()}, key=lambda r: r.namn))

    def arshjul(dokument: str | None = None, roll: str | None = None, forum: str | None = None) -> str:
        """The årshjul, or the part of it for one document, one responsible role/group/nämnd or one
        forum (who it is reported to); a filtered wheel shows only the months that have something."""
        hjul = ls().arshjul
        if hjul is None:
            raise MacroError("arshjul(): data/arshjul.yml saknas. Skapa filen (se exemplet överst i exempelhandbokens fil).")
        items = list(hjul.aktiviteter)
        for name, value, table, attr in (("dokument", dokument, hb.dokument, "dokument"),
                                         ("roll", roll, hb.instanser, "ansvarig"),
                                         ("forum", forum, hb.instanser, "rapporteras_till")):
            if value is None:
                continue
            if value not in table:
                raise MacroError(f"arshjul({name}='{value}'): finns inte. Välj en av: {', '.join(sorted(table))}.")
            items = [a for a in items if getattr(a, attr) is not None and getattr(a, attr).id == value]
        filtered = any(v is not None for v in (dokument, roll, forum))
        manader = [(i + 1, namn, [(a, d) for a in items for d in a.datum if d.month == i + 1])
                   for i, namn in enumerate(lm_months())]
        if filtered:
            manader = [m for m in manader if m[2]]
        prefix = "".join(f"{v}-" for v in (dokument, roll, forum) if v)      # unique ids when used twice on a page
        return ctx.render("ls/arshjul.md.j2", hjul=hjul, aktiviteter=items, manader=manader, filtrerad=filtered,
                          idprefix=prefix,
                          ics=ctx.href(ICS_PATH), ics_url=page_url(ICS_PATH))

    def kvalitetsberattelse(plan_id: str) -> str:
        plan = _get(ls().kvalitetsplaner, plan_id, "kvalitetsberattelse", "data/kvalitetsplaner/")
        atg = list(plan.atgarder())
        risker = [(pp.process, r) for pp in plan.processer for r in pp.risker]
        status = {s: sum(1 for *_, a in atg if a.status == s)
                  for s in ("klar", "pågår", "planerad", "försenad", "ej angiven")}
        return ctx.render("ls/kvalitetsberattelse.md.j2", plan=plan, atgarder=atg, risker=risker, status=status)

    def sosfs_matris() -> str:
        return ctx.render("ls/sosfs.md.j2", paragrafer=ls().sosfs, cover=ls().sosfs_uppfylls_av)

    return {"ansvar": ansvar, "ansvarsfordelning": ansvarsfordelning, "mitt_ansvar": mitt_ansvar,
            "processkarta": processkarta, "process": process, "enheter_oversikt": enheter_oversikt,
            "enhet": enhet, "kvalitetsplan": kvalitetsplan, "arshjul": arshjul,
            "kvalitetsberattelse": kvalitetsberattelse, "sosfs_matris": sosfs_matris}


def lm_months() -> list[str]:
    from ..formatting import MONTHS
    return [m.capitalize() for m in MONTHS]
