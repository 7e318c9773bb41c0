"""Load data/ansvar.yml, processer.yml, enheter/*.yml, kvalitetsplaner/*.yml, arshjul.yml and
sosfs-2011-9.yml into `Ledningssystem` (handbook.extra["ledningssystem"]).

Every file is optional (a handbook may start with none of them); what is there is validated and
every id is resolved here, with a Swedish problem naming file, line and the valid choices.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Mapping

from .. import load as core
from ..model import Handbook
from ..problems import Problems, choices
from ..validation import validate_model
from ..yamlio import LineMap
from . import model as lm


class _Resolver:
    """Looks ids up in one file and reports the unknown ones with the file's line."""

    def __init__(self, hb: Handbook, rel: str, lines: LineMap, problems: Problems):
        self.hb, self.rel, self.lines, self.p = hb, rel, lines, problems

    def _one(self, ident, table: Mapping, path: tuple, what: str, source: str):
        if ident in table:
            return table[ident]
        if table is self.hb.dokument and ident in self.hb.trasiga:
            return None             # the document's own file has a fel already
        self.p.error(self.rel, self.lines.line(path),
                     f"{what} '{ident}' finns inte i {source}. Välj en av: {choices(table)}.",
                     key=".".join(str(k) for k in path))
        return None

    def roll(self, ident, path):
        return self._one(ident, self.hb.roller, path, "Rollen", "data/roller.yml")

    def doc(self, ident, path, what="Dokumentet"):
        doc = self._one(ident, self.hb.dokument, path, what,
                        "handboken (dokument-id är filnamnet utan .md under docs/)")
        return doc.ref if doc else None

    def ansvarig(self, ident, path):
        """A role, a nämnd (kommunstyrelsen) or a named group (grupper in data/kommun.yml)."""
        if ident in self.hb.roller:
            return self.hb.roller[ident]
        return self._one(ident, self.hb.instanser, path, "Den ansvariga",
                         "data/roller.yml, nämnderna eller grupperna i data/kommun.yml")

    def roller(self, ids, path):
        return tuple(r for i, x in enumerate(ids) if (r := self.roll(x, path + (i,))))

    def docs(self, ids, path, what="Rutinen"):
        return tuple(d for i, x in enumerate(ids) if (d := self.doc(x, path + (i,), what)))


def _read(project, name, problems):
    return core.read_data_file(project, name, problems, required=False)


def _load_ansvar(project, hb, p) -> dict[str, lm.Amne]:
    loaded = _read(project, "ansvar.yml", p)
    if not loaded:
        return {}
    data, lines, rel = loaded
    r = _Resolver(hb, rel, lines, p)
    out = {}
    for i, a in core.validate_records(lm.AmneFil, data, rel, lines, p, what="ämne"):
        ansvar = []
        for j, x in enumerate(a.ansvar):
            roll = r.ansvarig(x.roll, (i, "ansvar", j, "roll"))
            doc = r.doc(x.dokument, (i, "ansvar", j, "dokument")) if x.dokument else None
            if roll:
                ansvar.append(lm.Ansvar(roll, x.uppgift, doc))
        out[a.id] = lm.Amne(a.id, a.namn, tuple(ansvar))
    return out


def _load_processer(project, hb, p) -> dict[str, lm.Process]:
    loaded = _read(project, "processer.yml", p)
    if not loaded:
        return {}
    data, lines, rel = loaded
    r = _Resolver(hb, rel, lines, p)
    out = {}
    for i, x in core.validate_records(lm.ProcessFil, data, rel, lines, p, what="process"):
        agare = r.roll(x.agare, (i, "agare"))
        akt = tuple(lm.Aktivitet(n + 1, a.namn, a.beskrivning, r.roller(a.roller, (i, "aktiviteter", n, "roller")),
                                 r.docs(a.rutiner, (i, "aktiviteter", n, "rutiner")))
                    for n, a in enumerate(x.aktiviteter))
        if agare:
            out[x.id] = lm.Process(x.id, x.namn, x.typ, agare, x.syfte, x.indata, x.utdata, akt,
                                   x.samverkan_intern, x.samverkan_extern, x.uppfyller)
    return out


def _load_enheter(project, hb, p, today: dt.date) -> dict[str, lm.EnhetLs]:
    folder = project.data / "enheter"
    out: dict[str, lm.EnhetLs] = {}
    if not folder.is_dir():
        return out
    enheter = {k: v for k, v in hb.org.items() if v.niva == "enhet"}
    for path in sorted(folder.glob("*.yml")):
        if path.name.startswith("_"):
            continue            # a template (_mall.yml): guidance for editors, not an enhet
        loaded = _read(project, f"enheter/{path.name}", p)
        if not loaded:
            continue
        data, lines, rel = loaded
        fil = validate_model(lm.EnhetLsFil, data, rel, lines, p)
        if fil is None:
            continue
        r = _Resolver(hb, rel, lines, p)
        enhet = r._one(fil.enhet, enheter, ("enhet",), "Enheten", "enheterna i data/kommun.yml")
        ansvarig = r.roll(fil.ansvarig, ("ansvarig",))
        if fil.senast_reviderad > today:
            p.error(rel, lines.line(("senast_reviderad",)), f"Senast reviderad ({fil.senast_reviderad}) ligger "
                    "i framtiden. Ange dagens datum eller tidigare.", key="senast_reviderad")
        omraden = []
        for key, rubrik in lm.OMRADEN.items():
            o = getattr(fil.omraden, key)
            if o is None:
                omraden.append(lm.Omrade(key, rubrik, None, (), (), None))
            else:
                omraden.append(lm.Omrade(key, rubrik, o.beskrivning,
                                         r.docs(o.rutiner, ("omraden", key, "rutiner")), o.metoder, o.ansvarig_niva))
        if enhet is None or ansvarig is None:
            continue
        if enhet.id in out:
            p.error(rel, lines.line(("enhet",)), f"Enheten '{enhet.id}' har redan ett ledningssystem i "
                    f"{out[enhet.id].file}. Varje enhet beskrivs i en fil.", key="enhet")
            continue
        out[enhet.id] = lm.EnhetLs(enhet, ansvarig, fil.senast_reviderad,
                                   core.add_months(fil.senast_reviderad, fil.revidering_manader),
                                   tuple(omraden), rel)
    return out


def page_calling(hb: Handbook, macro: str, arg: str | None = None) -> str | None:
    """The docs page whose Markdown calls macro(arg): where a plan or the årshjul is shown."""
    pattern = re.compile(rf"{macro}\(\s*" + (rf"['\"]{re.escape(arg)}['\"]" if arg else ""))
    return next((p.src_path for p in hb.pages.values() if pattern.search(p.body)), None)


def _load_planer(project, hb, p, processer, today: dt.date) -> dict[str, lm.Kvalitetsplan]:
    folder = project.data / "kvalitetsplaner"
    out: dict[str, lm.Kvalitetsplan] = {}
    if not folder.is_dir():
        return out
    for path in sorted(folder.glob("*.yml")):
        if path.name.startswith("_"):
            continue
        loaded = _read(project, f"kvalitetsplaner/{path.name}", p)
        if not loaded:
            continue
        data, lines, rel = loaded
        fil = validate_model(lm.KvalitetsplanFil, data, rel, lines, p)
        if fil is None:
            continue
        r = _Resolver(hb, rel, lines, p)
        org = r._one(fil.organisation, hb.org, ("organisation",), "Organisationsenheten",
                     "organisationen i data/kommun.yml")
        if not fil.processer and not fil.atgarder:
            p.error(rel, lines.line(()), "Kvalitetsplanen har varken processer med risker eller åtgärder. Lägg "
                                         "till minst en under processer eller atgarder.")
        def atgard(a, path_a):
            ansvarig = r.ansvarig(a.ansvarig, path_a + ("ansvarig",))
            if a.klart_senast and a.klart_senast.year != fil.ar:
                p.error(rel, lines.line(path_a + ("klart_senast",)),
                        f"Åtgärden ska vara klar {a.klart_senast}, utanför planens år {fil.ar}. "
                        f"Ange ett datum under {fil.ar}, eller för åtgärden till nästa års plan.",
                        key=".".join(map(str, path_a + ("klart_senast",))))
                return None
            if not ansvarig:
                return None
            # Overdue is computed, not typed: past klart_senast and not klar is försenad.
            late = a.status != "klar" and a.klart_senast is not None and a.klart_senast < today
            status = "försenad" if late else (a.status or "ej angiven")
            return lm.Atgard(a.atgard, ansvarig, status, a.klart_senast, a.status or "", _uppfoljningar(a))

        pps = []
        nummer = 0
        for i, pp in enumerate(fil.processer):
            if pp.process is None:
                proc = lm.PlanProcessNamn("", "Ingen process angiven")
            elif pp.process in processer:
                proc = processer[pp.process]
            else:          # a process named by text, without an entry in data/processer.yml
                proc = lm.PlanProcessNamn(core.slug(pp.process), pp.process)
            risker = []
            for j, risk in enumerate(pp.risker):
                nummer += 1
                atg = [x for k, a in enumerate(risk.atgarder)
                       if (x := atgard(a, ("processer", i, "risker", j, "atgarder", k)))]
                risker.append(lm.Risk(nummer, risk.risk, risk.egenkontroll, risk.resultat, tuple(atg),
                                      _uppfoljningar(risk)))
            pps.append(lm.PlanProcess(proc, tuple(risker)))
        fria = tuple(x for k, a in enumerate(fil.atgarder) if (x := atgard(a, ("atgarder", k))))
        if org is None:
            continue
        fb = tuple(lm.Forbattringsomrade(f.kvalitetsomrade, lm.KVALITETSOMRADEN[f.kvalitetsomrade], f.beskrivning,
                                         f.resultat) for f in fil.forbattringsomraden)
        page = page_calling(hb, "kvalitetsplan", fil.id)
        out[fil.id] = lm.Kvalitetsplan(fil.id, fil.titel, org, fil.ar, fb, tuple(pps),
                                       page or "ledningssystem/index.md", fria, rel, page is not None)
    return out


def _uppfoljningar(fil) -> tuple[lm.Uppfoljning, ...]:
    return tuple(sorted((lm.Uppfoljning(u.datum, u.resultat, u.bedomning) for u in fil.uppfoljningar),
                        key=lambda u: u.datum))


def _load_arshjul(project, hb, p) -> lm.Arshjul | None:
    loaded = _read(project, "arshjul.yml", p)
    if not loaded:
        return None
    data, lines, rel = loaded
    fil = validate_model(lm.ArshjulFil, data, rel, lines, p)
    if fil is None:
        return None
    r = _Resolver(hb, rel, lines, p)
    year = fil.ar or core.current_date().year
    per_forum: dict[str, tuple[dt.date, ...]] = {}
    if isinstance(fil.namndmoten, dict):
        for forum, dates in fil.namndmoten.items():
            if r._one(forum, hb.instanser, ("namndmoten", forum), "Nämnden eller utskottet",
                      "nämnderna (och deras utskott) i data/kommun.yml"):
                per_forum[forum] = tuple(sorted(dates))
        alla = tuple(sorted({d for dates in per_forum.values() for d in dates}))
    else:
        alla = tuple(sorted(fil.namndmoten))
    if fil.ar is not None:
        for forum, dates in ({"": alla}.items() if not per_forum else per_forum.items()):
            for d in dates:
                if d.year != fil.ar:
                    where = ("namndmoten", forum) if forum else ("namndmoten",)
                    p.error(rel, lines.line(where), f"Sammanträdet {d} ligger inte under år {fil.ar}. Ta bort "
                            "ar för ett årshjul som gäller varje år.", key="namndmoten")
    akt = []
    seen: dict[str, int] = {}
    for i, a in enumerate(fil.aktiviteter):
        path = ("aktiviteter", i)
        if a.id in seen:
            p.error(rel, lines.line(path + ("id",)), f"Id '{a.id}' finns redan (rad {seen[a.id]}). "
                    "Varje aktivitet behöver en egen id.", key=f"aktiviteter[{i}].id")
            continue
        seen[a.id] = lines.line(path + ("id",)) or 0
        bad = [m for m in a.manader if not 1 <= m <= 12]
        if bad:
            p.error(rel, lines.line(path + ("manader",)), f"Månaden {bad[0]} finns inte. Ange månader som 1–12.",
                    key=f"aktiviteter[{i}].manader")
            continue
        if a.frekvens == "arsvis" and len(a.manader) != 1:
            p.error(rel, lines.line(path + ("frekvens",)), "En årsvis aktivitet behöver exakt en månad, "
                    "t.ex. manader: [3].", key=f"aktiviteter[{i}].manader")
            continue
        ansvarig = r.ansvarig(a.ansvarig, path + ("ansvarig",))
        till = r._one(a.rapporteras_till, hb.instanser, path + ("rapporteras_till",), "Instansen",
                      "nämnderna i data/kommun.yml eller rollerna i data/roller.yml")
        if a.frekvens == "per-namndmote":
            # the meetings of the forum it reports to, when meetings are given per nämnd and utskott
            datum = per_forum.get(a.rapporteras_till, ()) if isinstance(fil.namndmoten, dict) else alla
            if not datum:
                p.error(rel, lines.line(path + ("frekvens",)),
                        f"Aktiviteten sker vid varje sammanträde, men det finns inga sammanträden för "
                        f"'{a.rapporteras_till}' under namndmoten.", key=f"aktiviteter[{i}].frekvens")
                continue
        else:
            datum = tuple(dt.date(year, m, 1) for m in (a.manader or lm.DEFAULT_MANADER[a.frekvens]))
        doc = r.doc(a.dokument, path + ("dokument",)) if a.dokument else None
        if ansvarig and till:
            akt.append(lm.ArshjulAktivitet(a.id, a.aktivitet, a.frekvens, lm.FREKVENSER[a.frekvens],
                                           tuple(sorted(datum)), ansvarig, till, doc, a.genomford))
    return lm.Arshjul(year, alla, tuple(akt), fil.ar is not None, per_forum)


def _load_sosfs(project, hb, p) -> tuple[lm.Paragraf, ...]:
    loaded = _read(project, "sosfs-2011-9.yml", p)
    if not loaded:
        return ()
    data, lines, rel = loaded
    out = []
    for k in core.validate_list(lm.KapitelFil, data, rel, lines, p, id_attr="kapitel", what="kapitl"):
        out += [lm.Paragraf(x.id, k.kapitel, k.rubrik, x.paragraf, x.innebord, k.krav) for x in k.paragrafer]
    return tuple(out)


def _sosfs_coverage(project, hb, p, paragrafer, processer, processer_lines) -> dict[str, tuple[lm.Kalla, ...]]:
    """Paragraph id -> the documents and processes that say they meet it (front matter `uppfyller`).
    Only paragraphs of chapters with requirements can be met (not 1 kap. Tillämpningsområde or
    2 kap. Definitioner)."""
    every = {x.id: x for x in paragrafer}
    known = {x.id: x for x in paragrafer if x.krav}
    cover: dict[str, list[lm.Kalla]] = {k: [] for k in known}
    if not known:
        return {}

    def unknown(pid: str) -> str:
        if pid in every:
            x = every[pid]
            return (f"Paragrafen '{pid}' ({x.hanvisning}, {x.kapitelrubrik}) ställer inga krav och kan inte "
                    f"uppfyllas. Välj en paragraf med krav: {choices(known)}.")
        return f"Paragrafen '{pid}' finns inte i data/sosfs-2011-9.yml. Välj en av: {choices(known)}."

    for doc in hb.dokument.values():
        for pid in doc.uppfyller:
            if pid in cover:
                cover[pid].append(lm.Kalla(doc.titel, doc.src_path))
            else:
                p.error(doc.file, None, f"uppfyller: {unknown(pid)}", key="uppfyller")
    for i, proc in enumerate(processer.values()):
        for j, pid in enumerate(proc.uppfyller):
            if pid in cover:
                cover[pid].append(lm.Kalla(proc.namn, proc.src_path))
            elif processer_lines:
                rel, lines, index = processer_lines
                p.error(rel, lines.line((index[proc.id], "uppfyller", j)), unknown(pid), key="uppfyller")
    return {k: tuple(v) for k, v in cover.items()}


def load_ledningssystem(project: core.Project, hb: Handbook, problems: Problems) -> dict[str, object]:
    today = core.current_date()
    processer = _load_processer(project, hb, problems)
    loaded = core.read_data_file(project, "processer.yml", Problems(), required=False)
    proc_lines = None
    if loaded and isinstance(loaded[0], list):
        index = {x.get("id"): i for i, x in enumerate(loaded[0]) if isinstance(x, dict)}
        proc_lines = (loaded[2], loaded[1], index)
    sosfs = _load_sosfs(project, hb, problems)
    ls = lm.Ledningssystem(
        amnen=_load_ansvar(project, hb, problems), processer=processer,
        enheter=_load_enheter(project, hb, problems, today),
        kvalitetsplaner=_load_planer(project, hb, problems, processer, today),
        arshjul=_load_arshjul(project, hb, problems), sosfs=sosfs,
        sosfs_uppfylls_av=_sosfs_coverage(project, hb, problems, sosfs, processer, proc_lines))
    return {"ledningssystem": ls}


def ledningssystem_of(hb: Handbook) -> lm.Ledningssystem:
    return hb.extra.get("ledningssystem") or lm.Ledningssystem()

