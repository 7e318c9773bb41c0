"""Ledningssystemets data: file shapes (strict pydantic) and the resolved, frozen model.

File shapes keep ids as strings; the loader (load.py) resolves them into the dataclasses below,
so templates receive roles, documents and processes, never ids.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal, Mapping

from pydantic import Field

from ..model import DocRef, Id, IdList, Instans, OrgEnhet, Roll, Strict, Text, TextList

# --- file shapes ---------------------------------------------------------------------------------

ProcessTyp = Literal["ledningsprocess", "karnprocess", "stodprocess"]
PROCESS_TYPER: dict[str, str] = {"ledningsprocess": "Ledningsprocesser", "karnprocess": "Kärnprocesser",
                                 "stodprocess": "Stödprocesser"}


class AnsvarFil(Strict):
    roll: Id = Field(description="Den ansvariga: roll-id i data/roller.yml, eller en nämnd eller grupp i "
                                 "data/kommun.yml.")
    uppgift: Text = Field(description="Vad rollen ska göra, i en mening.")
    dokument: Id | None = Field(default=None, description="Styrdokument där ansvaret beskrivs (dokument-id).")


class AmneFil(Strict):
    id: Id = Field(description="Ämnets id, t.ex. kvalitetsarbete eller avvikelser.")
    namn: Text
    ansvar: tuple[AnsvarFil, ...] = Field(min_length=1)


class AktivitetFil(Strict):
    namn: Text
    beskrivning: Text | None = None
    roller: IdList = Field(min_length=1, description="Roller som utför eller ansvarar för aktiviteten.")
    rutiner: IdList = Field(default=(), description="Styrdokument (dokument-id) som styr aktiviteten.")


class ProcessFil(Strict):
    id: Id
    namn: Text
    typ: ProcessTyp
    agare: Id = Field(description="Processägare: roll-id.")
    syfte: Text
    indata: TextList = Field(min_length=1)
    utdata: TextList = Field(min_length=1)
    aktiviteter: tuple[AktivitetFil, ...] = Field(min_length=1)
    samverkan_intern: TextList = ()
    samverkan_extern: TextList = ()
    uppfyller: IdList = Field(default=(), description="Paragrafer i data/sosfs-2011-9.yml som processen uppfyller.")


Niva = Literal["nämnd", "förvaltning", "avdelning", "enhet"]
OMRADEN: dict[str, str] = {
    "kvalitetssakring": "Kvalitetssäkring: beskriva, analysera och förbättra",
    "tillganglighet": "Tillgänglighet",
    "samverkan": "Samverkan i enskilda ärenden och i principfrågor",
    "handlaggning_och_dokumentation": "Handläggning och dokumentation",
    "fel_och_brister": "Fel och brister i befintlig verksamhet och vid planerad förändring",
    "synpunkter_och_klagomal": "Synpunkter och klagomål",
    "personal_och_kompetens": "Personal- och kompetensförsörjning",
    "upphandling": "Upphandling",
    "uppfoljning_och_utvardering": "Uppföljning och utvärdering",
}


class OmradeFil(Strict):
    beskrivning: Text
    rutiner: IdList = Field(default=(), description="Styrdokument (dokument-id) som enheten arbetar efter.")
    metoder: TextList = ()
    ansvarig_niva: Niva


class OmradenFil(Strict):
    """De nio områdena. Ett område som står med men är tomt är ännu inte beskrivet."""
    kvalitetssakring: OmradeFil | None
    tillganglighet: OmradeFil | None
    samverkan: OmradeFil | None
    handlaggning_och_dokumentation: OmradeFil | None
    fel_och_brister: OmradeFil | None
    synpunkter_och_klagomal: OmradeFil | None
    personal_och_kompetens: OmradeFil | None
    upphandling: OmradeFil | None
    uppfoljning_och_utvardering: OmradeFil | None


class EnhetLsFil(Strict):
    enhet: Id = Field(description="Enhetens id i data/kommun.yml.")
    ansvarig: Id = Field(description="Roll som ansvarar för enhetens ledningssystem.")
    senast_reviderad: dt.date
    revidering_manader: int = Field(default=12, ge=1, le=60)
    omraden: OmradenFil


KVALITETSOMRADEN: dict[str, str] = {
    "tillganglighet": "Tillgänglighet", "delaktighet": "Delaktighet", "sjalvbestammande": "Självbestämmande",
    "helhetssyn": "Helhetssyn", "samordning": "Samordning", "kunskapsbaserad-verksamhet": "Kunskapsbaserad verksamhet",
    "effektivitet": "Effektivitet", "trygghet-och-sakerhet": "Trygghet och säkerhet"}
Kvalitetsomrade = Literal[tuple(KVALITETSOMRADEN)]          # the ids, in the order above
Status = Literal["planerad", "pågår", "klar", "försenad"]


class ForbattringsomradeFil(Strict):
    kvalitetsomrade: Kvalitetsomrade
    beskrivning: Text
    resultat: Text | None = None


Bedomning = Literal["bra", "godtagbart", "behöver förbättras", "inte bedömt"]


class UppfoljningFil(Strict):
    """One dated result of an egenkontroll or an åtgärd; they roll up into the kvalitetsberättelse."""
    datum: dt.date
    resultat: Text
    bedomning: Bedomning | None = Field(None, description="bra, godtagbart, behöver förbättras eller inte bedömt.")


class AtgardFil(Strict):
    atgard: Text
    ansvarig: Id = Field(description="Ansvarig: roll-id, nämnd eller grupp.")
    status: Status | None = Field(None, description="Valfri. Försenad räknas ut när klart_senast har passerat.")
    klart_senast: dt.date | None = Field(None, description="Valfritt datum då åtgärden ska vara klar.")
    uppfoljningar: tuple[UppfoljningFil, ...] = ()


class RiskFil(Strict):
    risk: Text
    egenkontroll: Text | None = Field(None, description="Hur risken kontrolleras; får vara tom.")
    resultat: Text | None = Field(default=None, description="Resultat av egenkontrollen, när den är gjord.")
    uppfoljningar: tuple[UppfoljningFil, ...] = Field((), description="Daterade resultat av egenkontrollen.")
    atgarder: tuple[AtgardFil, ...] = ()


class PlanProcessFil(Strict):
    process: Text | None = Field(None, description="En process-id i data/processer.yml, processens namn i text, "
                                                   "eller utelämnad för risker utan process.")
    risker: tuple[RiskFil, ...] = Field(min_length=1)


class KvalitetsplanFil(Strict):
    id: Id
    titel: Text
    organisation: Id = Field(description="Förvaltning, avdelning eller enhet i data/kommun.yml.")
    ar: int = Field(ge=2000, le=2100)
    forbattringsomraden: tuple[ForbattringsomradeFil, ...] = ()
    processer: tuple[PlanProcessFil, ...] = ()
    atgarder: tuple[AtgardFil, ...] = Field((), description="Åtgärder som inte hör till en risk.")


FREKVENSER: dict[str, str] = {"per-namndmote": "Vid varje nämndsammanträde", "manadsvis": "Varje månad",
                              "kvartalsvis": "Varje kvartal", "tertialvis": "Varje tertial",
                              "halvarsvis": "Varje halvår", "arsvis": "En gång om året"}
Frekvens = Literal[tuple(FREKVENSER)]
DEFAULT_MANADER: dict[str, tuple[int, ...]] = {
    "manadsvis": (1, 2, 3, 4, 5, 6, 8, 9, 10, 11, 12), "kvartalsvis": (3, 6, 9, 12), "tertialvis": (4, 8, 12),
    "halvarsvis": (6, 12)}


class ArshjulAktivitetFil(Strict):
    id: Id
    aktivitet: Text
    frekvens: Frekvens
    manader: tuple[int, ...] = Field(default=(), description="Månader (1–12); behövs för årsvis, annars valfritt.")
    ansvarig: Id = Field(description="Ansvarig: roll-id, nämnd eller grupp.")
    rapporteras_till: Id = Field(description="Nämnd-id eller roll-id.")
    dokument: Id | None = None
    genomford: dt.date | None = Field(default=None, description="Datum då aktiviteten senast genomfördes. "
                                      "Ett tillfälle som passerat utan att vara genomfört visas som försenat.")


class ArshjulFil(Strict):
    ar: int | None = Field(None, ge=2000, le=2100, description="Årshjulets år. Utelämnat: aktiviteterna återkommer "
                                                                "varje år (månaderna räknas för innevarande år).")
    namndmoten: tuple[dt.date, ...] | dict[Id, tuple[dt.date, ...]] = Field(
        (), description="Sammanträdesdagar: en lista, eller per nämnd och utskott {socialnamnden: [ÅÅÅÅ-MM-DD, …]}.")
    aktiviteter: tuple[ArshjulAktivitetFil, ...] = Field(min_length=1)


class ParagrafFil(Strict):
    id: Id
    paragraf: Text
    innebord: Text = Field(description="Kravet i egna ord (inte föreskriftens text).")


class KapitelFil(Strict):
    kapitel: int
    rubrik: Text
    krav: bool = Field(default=True, description="false för kapitel utan krav (tillämpningsområde, definitioner): "
                                                 "de visas inte i täckningsmatrisen.")
    paragrafer: tuple[ParagrafFil, ...] = Field(min_length=1)


# --- resolved model ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Kalla:
    """Where a duty comes from: a page in docs/ (generated or not) and its title."""
    titel: str
    src_path: str


@dataclass(frozen=True)
class Ansvar:
    roll: Roll | Instans         # a role (with a Mitt ansvar page), a nämnd or a named group
    uppgift: str
    dokument: DocRef | None

    @property
    def ar_roll(self) -> bool:
        return isinstance(self.roll, Roll)


@dataclass(frozen=True)
class Amne:
    id: str
    namn: str
    ansvar: tuple[Ansvar, ...]


@dataclass(frozen=True)
class Aktivitet:
    nummer: int
    namn: str
    beskrivning: str | None
    roller: tuple[Roll, ...]
    rutiner: tuple[DocRef, ...]


@dataclass(frozen=True)
class Process:
    id: str
    namn: str
    typ: str
    agare: Roll
    syfte: str
    indata: tuple[str, ...]
    utdata: tuple[str, ...]
    aktiviteter: tuple[Aktivitet, ...]
    samverkan_intern: tuple[str, ...]
    samverkan_extern: tuple[str, ...]
    uppfyller: tuple[str, ...]

    @property
    def src_path(self) -> str:
        return f"ledningssystem/processer/{self.id}.md"

    @property
    def typ_namn(self) -> str:
        return PROCESS_TYPER[self.typ]


@dataclass(frozen=True)
class Omrade:
    id: str
    rubrik: str
    beskrivning: str | None          # None: not yet described
    rutiner: tuple[DocRef, ...]
    metoder: tuple[str, ...]
    ansvarig_niva: str | None


@dataclass(frozen=True)
class EnhetLs:
    enhet: OrgEnhet
    ansvarig: Roll
    senast_reviderad: dt.date
    nasta_revidering: dt.date
    omraden: tuple[Omrade, ...]
    file: str

    @property
    def src_path(self) -> str:
        return f"ledningssystem/enheter/{self.enhet.id}.md"

    @property
    def saknas(self) -> tuple[Omrade, ...]:
        return tuple(o for o in self.omraden if o.beskrivning is None)


@dataclass(frozen=True)
class Uppfoljning:
    datum: dt.date
    resultat: str
    bedomning: str | None

    @property
    def text(self) -> str:
        return f"{self.datum.isoformat()}: {self.resultat}" + (f" ({self.bedomning})" if self.bedomning else "")


@dataclass(frozen=True)
class PlanProcessNamn:
    """A process the plan names by text (no entry in data/processer.yml), or none."""
    id: str
    namn: str


@dataclass(frozen=True)
class Atgard:
    atgard: str
    ansvarig: Roll | Instans
    status: str                  # computed: "försenad" when past klart_senast and not klar; "ej angiven"
    klart_senast: dt.date | None
    angiven_status: str = ""     # as written in the file
    uppfoljningar: tuple[Uppfoljning, ...] = ()

    @property
    def forsenad(self) -> bool:
        return self.status == "försenad"


@dataclass(frozen=True)
class Risk:
    nummer: int
    risk: str
    egenkontroll: str | None
    resultat: str | None
    atgarder: tuple[Atgard, ...]
    uppfoljningar: tuple[Uppfoljning, ...] = ()

    @property
    def rader(self) -> tuple[Atgard | None, ...]:
        """The table's rows for this risk: its åtgärder, or one empty row when it has none."""
        return self.atgarder or (None,)


@dataclass(frozen=True)
class PlanProcess:
    process: Process | PlanProcessNamn
    risker: tuple[Risk, ...]

    @property
    def antal_rader(self) -> int:
        return sum(len(r.rader) for r in self.risker)


@dataclass(frozen=True)
class Forbattringsomrade:
    kvalitetsomrade: str
    namn: str
    beskrivning: str
    resultat: str | None


@dataclass(frozen=True)
class Kvalitetsplan:
    id: str
    titel: str
    organisation: OrgEnhet
    ar: int
    forbattringsomraden: tuple[Forbattringsomrade, ...]
    processer: tuple[PlanProcess, ...]
    src_path: str            # the page that shows it
    fria_atgarder: tuple[Atgard, ...] = ()      # åtgärder without a risk
    file: str = ""           # its data file, e.g. data/kvalitetsplaner/socialforvaltningen-2026.yml
    has_page: bool = False   # a docs page calls kvalitetsplan(id) (src_path is that page)

    def atgarder(self):
        for pp in self.processer:
            for r in pp.risker:
                for a in r.atgarder:
                    yield pp.process, r, a
        for a in self.fria_atgarder:
            yield None, None, a


@dataclass(frozen=True)
class ArshjulAktivitet:
    id: str
    aktivitet: str
    frekvens: str
    frekvens_namn: str
    datum: tuple[dt.date, ...]
    ansvarig: Roll
    rapporteras_till: Instans
    dokument: DocRef | None
    genomford: dt.date | None = None

    def forfallen(self, today: dt.date) -> dt.date | None:
        """When the latest occurrence that is over and not done since was due (the meeting day, or
        the end of its month); None when nothing is late."""
        late = None
        for d in self.datum:
            due = d if self.frekvens == "per-namndmote" else _month_end(d)
            if due < today and (self.genomford is None or self.genomford < d):
                late = due
        return late


def _month_end(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)


@dataclass(frozen=True)
class Arshjul:
    ar: int                                  # the year shown (the file's, or the current one)
    namndmoten: tuple[dt.date, ...]          # every meeting date, all forums
    aktiviteter: tuple[ArshjulAktivitet, ...]
    fast_ar: bool = True                     # False: recurs every year (no `ar` in the file)
    moten_per_forum: Mapping[str, tuple[dt.date, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Paragraf:
    id: str
    kapitel: int
    kapitelrubrik: str
    paragraf: str
    innebord: str
    krav: bool = True

    @property
    def hanvisning(self) -> str:
        """How Swedish text cites it: '4 kap. 2 §'."""
        return f"{self.kapitel} kap. {self.paragraf}"


@dataclass(frozen=True)
class Ledningssystem:
    amnen: Mapping[str, Amne] = field(default_factory=dict)
    processer: Mapping[str, Process] = field(default_factory=dict)
    enheter: Mapping[str, EnhetLs] = field(default_factory=dict)
    kvalitetsplaner: Mapping[str, Kvalitetsplan] = field(default_factory=dict)
    arshjul: Arshjul | None = None
    sosfs: tuple[Paragraf, ...] = ()
    sosfs_uppfylls_av: Mapping[str, tuple[Kalla, ...]] = field(default_factory=dict)
