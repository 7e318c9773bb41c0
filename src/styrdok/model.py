"""The typed model: what the source files may say (pydantic, strict) and what renderers receive.

Two layers:
- *file shapes* (`KommunFil`, `RollFil`, `FrontMatter` …): validated straight from YAML, unknown
  keys are errors, ids are still strings;
- the *resolved model* (`Handbook`, `Styrdokument` …): frozen objects with cross-references
  resolved, so templates get a role object rather than an id.

One file on purpose, though it is over 500 lines: a field's YAML shape and its resolved form are
read and changed together (the JSON schemas, `styrdok schema`, and the web editor's forms are made
from the file shapes here); split in two, every new field would touch both halves.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Annotated, Callable, Literal, Mapping, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

Id = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$")]
Text = Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]
Key = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")]      # a YAML key: snake_case ascii


def _as_list(value):
    """Accept a single value where a list is expected (`beslutad_av: socialchef`)."""
    if value is None:
        return []
    return [value] if isinstance(value, (str, int, dt.date)) else value


IdList = Annotated[tuple[Id, ...], BeforeValidator(_as_list)]
TextList = Annotated[tuple[Text, ...], BeforeValidator(_as_list)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --- data/kommun.yml ---------------------------------------------------------------------------

class UtskottFil(Strict):
    id: Id
    namn: Text = Field(description="Utskottets namn, t.ex. Socialnämndens individutskott.")


class NamndFil(Strict):
    id: Id
    namn: Text
    forkortning: Text | None = None
    utskott: tuple[UtskottFil, ...] = Field((), description="Nämndens utskott: kan besluta, ha sammanträden i "
                                                           "årshjulet och ta emot rapporter.")


class EnhetFil(Strict):
    id: Id
    namn: Text


class AvdelningFil(Strict):
    id: Id
    namn: Text
    enheter: tuple[EnhetFil, ...] = ()


class ForvaltningFil(Strict):
    id: Id
    namn: Text
    avdelningar: tuple[AvdelningFil, ...] = ()


class StorAndringFil(Strict):
    """When a change since the last decision is major (may not be decided as a mindre ändring)."""

    ansvar: bool = Field(True, description="En roll har fått, förlorat eller fått omformulerat ett ansvar.")
    rubriker: bool = Field(True, description="En rubrik har lagts till eller tagits bort.")
    andel_ord: float = Field(0.2, ge=0, le=1, description="Andel ändrade ord (0–1) som räknas som stor ändring.")


class GruppFil(Strict):
    """A named group that can be responsible or decide (ledningsgrupp, a working group)."""

    id: Id
    namn: Text
    beskrivning: Text | None = None


class DokumenttypFil(Strict):
    id: Id
    namn: Text
    plural: Text
    niva: int = Field(ge=1, le=9)
    beslutas_av: IdList = Field(min_length=1)
    mindre_andring_beslutas_av: IdList = ()
    revidering_manader: int = Field(ge=1, le=120)
    stor_andring: StorAndringFil = Field(default_factory=StorAndringFil,
                                         description="När en ändring är för stor för att beslutas som mindre ändring.")


class Faltetiketter(Strict):
    """Labels of the metadata fields, as this kommun says them."""

    typ: Text = "Typ av styrdokument"
    beslutad_av: Text = "Beslutad av"
    diarienummer: Text = "Diarienummer"
    galler_fran: Text = "Gäller från"
    dokumentansvarig: Text = "Dokumentansvarig"
    senast_reviderad: Text = "Senast reviderad"
    nasta_revidering: Text = "Nästa revidering"
    galler_for: Text = "Gäller för"
    ersatter: Text = "Ersätter"
    relaterade: Text = "Relaterade styrdokument"
    lagrum: Text = "Lagrum"
    version: Text = "Version"
    giltighet: Text = "Giltighet"
    revideras: Text = "Revideras"
    foljs_upp: Text = "Följs upp"
    upprattad: Text = "Upprättad"
    beslutad: Text = "Beslutad"
    antagen: Text = "Antagen"
    beslutsdatum: Text = "Beslutsdatum"
    reviderad: Text = "Reviderad"
    process: Text = "Process"
    senast_andrad: Text = "Senast ändrad"
    titel: Text = "Dokumentnamn"


FaltTyp = Literal["text", "datum", "roll", "dokument", "process"]


class EgetFaltFil(Strict):
    """A header field the kommun defines itself; documents set it as a front matter key of the same id."""

    id: Key = Field(description="Nyckeln i dokumentens front matter, t.ex. malgrupp.")
    etikett: Text = Field(description="Etiketten i dokumenthuvudet, t.ex. Målgrupp.")
    typ: FaltTyp = Field("text", description="text, datum (ÅÅÅÅ-MM-DD), roll (id i data/roller.yml), "
                                             "dokument (dokument-id) eller process (id i data/processer.yml eller text).")
    beskrivning: Text | None = Field(None, description="Hjälptext för den som skriver (visas i editorn).")


class HuvudRadFil(Strict):
    """One row of the document header: a field, or several combined through a format."""

    falt: Key | None = Field(None, description="Fältet raden visar, t.ex. beslutad_av eller en egen fält-id.")
    etikett: Text | None = Field(None, description="Radens etikett; utelämnad: fältets etikett under falt.")
    format: Text | None = Field(None, description="Sätt ihop fält: '{beslutad.datum}[ § {beslutad.paragraf}]'. "
                                                  "Text inom [ ] visas bara när fälten i den har värden.")
    visa_tom: bool = Field(False, description="Visa raden med '–' när fältet saknar värde (annars döljs raden).")


class DokumenthuvudFil(Strict):
    """The header rows, once for all document types (standard) and per type where a type differs."""

    standard: tuple[HuvudRadFil, ...] | None = Field(None, description="Rader för alla dokumenttyper.")
    typer: dict[Id, tuple[HuvudRadFil, ...]] = Field(default_factory=dict,
                                                     description="Egna rader per dokumenttyp-id, t.ex. rutin.")
    kompakt: tuple[Text, ...] | None = Field(
        None, description="Raderna som webbplatsen visar direkt, före 'Visa alla uppgifter': fält-id eller "
                          "etiketter, t.ex. [typ, beslutad_av, galler_fran, dokumentansvarig]. En rad som "
                          "sätter ihop fält räknas hit när ett av dess fält står med. Word visar alla rader.")


class KontaktFil(Strict):
    """Who readers contact about the handbook (its content, its accessibility)."""

    namn: Text = Field(description="Vem läsarna kontaktar, t.ex. Enheten för kvalitet och utveckling.")
    epost: Text | None = Field(None, description="E-postadress, t.ex. kvalitet@kommun.se.")
    telefon: Text | None = Field(None, description="Telefonnummer (växel eller funktion, inte en privatperson).")


class BristFil(Strict):
    """Content that is not accessible, why, and what the kommun does about it."""

    beskrivning: Text = Field(description="Vad som inte är tillgängligt och för vem (användningssituation).")
    skal: Text = Field(description="Varför det inte är tillgängligt.")
    atgard: Text | None = Field(None, description="Vad kommunen gör åt det och när, eller ett alternativ för läsaren.")


class TillganglighetFil(Strict):
    """The accessibility statement (lagen (2018:1937) om tillgänglighet till digital offentlig service):
    the kommun's own assessment; the latest automatic test (`styrdok tillganglighet`) is added to it."""

    forenlig: Literal["helt", "delvis", "inte"] = Field(
        description="Hur väl webbplatsen uppfyller lagkraven: helt, delvis eller inte förenlig.")
    bedomd: dt.date = Field(description="Datum för kommunens bedömning, ÅÅÅÅ-MM-DD.")
    metod: Text = Field(description="Hur bedömningen gjordes, t.ex. självskattning med automatisk och manuell "
                                    "granskning, eller granskning av extern part.")
    svarstid: Text | None = Field(None, description="Hur snabbt läsaren kan vänta sig svar, t.ex. inom fem arbetsdagar.")
    brister: tuple[BristFil, ...] = Field((), description="Kända brister (utöver dem den automatiska granskningen hittar).")
    oskaligt_betungande: tuple[BristFil, ...] = Field(
        (), description="Innehåll som undantas därför att anpassningen vore oskäligt betungande (12 §), med motivering.")
    utanfor_lagen: tuple[Text, ...] = Field((), description="Innehåll som inte omfattas av lagkraven (9 §).")


class WebbplatsFil(Strict):
    """The handbook as the kommun's website: who answers for it (shown in every page's footer)."""

    namn: Text = Field(description="Webbplatsens namn, som i mkdocs.yml (site_name).")
    ansvarig: Text = Field(description="Vem som har dokumentansvaret för handboken, t.ex. Socialförvaltningens "
                                       "enhet för kvalitet och utveckling.")
    kontakt: KontaktFil = Field(description="Kontakt för frågor om handboken och dess tillgänglighet.")
    tillganglighet: TillganglighetFil | None = Field(
        None, description="Tillgänglighetsredogörelsen: kommunens bedömning (sidan byggs ur den).")


class KommunFil(Strict):
    namn: Text
    logotyp: Text | None = None
    redigera_url: Text | None = None
    namnder: tuple[NamndFil, ...] = Field(min_length=1)
    forvaltningar: tuple[ForvaltningFil, ...] = Field(min_length=1)
    grupper: tuple[GruppFil, ...] = Field((), description="Namngivna grupper som kan ha ansvar eller besluta, "
                                                          "t.ex. förvaltningens ledningsgrupp.")
    dokumenttyper: tuple[DokumenttypFil, ...] = Field(min_length=1)
    falt: Faltetiketter = Faltetiketter()
    egna_falt: tuple[EgetFaltFil, ...] = Field((), description="Fält som kommunen lägger till i dokumenthuvudet.")
    dokumenthuvud: DokumenthuvudFil = Field(default_factory=DokumenthuvudFil,
                                            description="Dokumenthuvudets rader: samma på webbplatsen och i Word.")
    andringar_efter_beslut: Literal["visa", "varna", "stoppa"] = Field(
        "varna", description="Ändringar efter senaste beslut: visas (visa), ger en varning (varna) eller stoppar "
                             "bygget (stoppa) tills de är beslutade eller registrerade som redaktionella.")
    historik_for_lasare: Literal["meddelanden", "andringstyp"] = Field(
        "meddelanden", description="Vad läsarna ser i historiken: commit-meddelandena (meddelanden) eller bara "
                                   "datum och typ av ändring (andringstyp).")
    webbplats: WebbplatsFil | None = Field(None, description="Handbokens ansvarige, kontakt och "
                                                            "tillgänglighetsredogörelse (visas i sidfoten).")
    pdf: bool = Field(True, description="En PDF av varje styrdokument bredvid Word-filen på webbplatsen, med "
                                        "länken Ladda ner som PDF (görs med LibreOffice). false stänger av dem.")
    arkivexemplar: bool = Field(True, description="styrdok decide skriver den beslutade versionen som PDF/A-2b "
                                                  "(build/arkiv/<id>/) för e-arkivet. false stänger av det.")


# --- data/roller.yml, begrepp.yml, lagrum.yml -----------------------------------------------------

class Roll(Strict):
    id: Id
    namn: Text
    forkortning: Text | None = None
    beskrivning: Text


class Begrepp(Strict):
    term: Text
    definition: Text
    forkortning: Text | None = None
    synonymer: TextList = ()


class Lagrum(Strict):
    id: Id
    kortnamn: Text | None = None
    titel: Text
    beteckning: Text
    status: Literal["gällande", "upphävd"]
    ersatt_av: Id | None = None
    upphavd_fran: dt.date | None = None
    lank: Text | None = None

    @property
    def namn(self) -> str:
        short = f"{self.kortnamn}, " if self.kortnamn else ""
        return f"{self.titel} ({short}{self.beteckning})"


# --- front matter ----------------------------------------------------------------------------

AndringsTyp = Literal["ny", "revidering", "mindre ändring", "utan ändring", "redaktionell"]


class BeslutFil(Strict):
    instans: Id
    datum: dt.date
    paragraf: Text | None = None
    diarienummer: Text | None = None
    andring: AndringsTyp = "revidering"
    skal: Text | None = None          # why an editorial change needs no decision (andring: redaktionell)


class DatumAvFil(Strict):
    datum: dt.date | None = None
    av: Text | None = Field(None, description="Vem: en roll-, nämnd- eller grupp-id, eller text.")


class DokumentansvarigFil(Strict):
    roll: Id = Field(description="Roll-id i data/roller.yml.")
    namn: Text | None = Field(None, description="Personens namn, om dokumentet anger det (valfritt).")


def _as_text(value):
    """Version numbers are written as numbers (1.2); keep them as text."""
    return str(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else value


def _d(text: str, **kw):
    """A field with a Swedish description: editors show it on hover and in completion."""
    return Field(description=text, **kw)


class FrontMatter(Strict):
    """Uppgifterna överst i ett styrdokument (front matter)."""

    titel: Text = _d("Dokumentets titel, t.ex. 'Rutin för avvikelsehantering'.")
    typ: Id = _d("Dokumenttyp: en id under dokumenttyper i data/kommun.yml, t.ex. rutin.")
    id: Id | None = _d("Dokumentets id. Utelämnas den används filnamnet utan .md.", default=None)
    beslutad_av: IdList = _d("Den eller de instanser som beslutat dokumentet: nämnd-id eller roll-id.", min_length=1)
    diarienummer: Text | dict[Id, Text] | None = _d(
        "Diarienummer. Vid beslut i flera nämnder: ett per nämnd, t.ex. {socialnamnden: SN 2025/41}.", default=None)
    galler_fran: dt.date = _d("Datum då dokumentet börjar gälla, ÅÅÅÅ-MM-DD.")
    dokumentansvarig: Id | DokumentansvarigFil = _d(
        "Roll som ansvarar för dokumentet: en id i data/roller.yml, eller {roll: id, namn: 'Personens namn'}.")
    senast_reviderad: dt.date | None = _d("Datum för senaste revidering. Utelämnas det hämtas det ur git.",
                                          default=None)
    revidering_manader: int | None = _d("Revideringsintervall i månader, om det skiljer sig från dokumenttypens.",
                                        default=None, ge=1, le=120)
    nasta_revidering: dt.date | None = _d("Fast datum för nästa revidering (i stället för intervallet).",
                                          default=None)
    galler_for: IdList = _d("Organisationsenheter som dokumentet gäller för (förvaltning, avdelning eller enhet).",
                            default=())
    ersatter: Text | None = _d("Det dokument som detta ersätter: ett dokument-id i handboken eller fritext.",
                               default=None)
    version: Annotated[Text | None, BeforeValidator(_as_text)] = _d("Versionsnummer, t.ex. 2.1.", default=None)
    giltighet: Text | dt.date | None = _d("Hur länge dokumentet gäller: ett datum eller text, t.ex. Tillsvidare.",
                                          default=None)
    revideras: Text | None = _d("Revideringsregel i ord, t.ex. 'Vid behov' (intervallet i månader: "
                                "revidering_manader).", default=None)
    foljs_upp: Text | None = _d("När och hur dokumentet följs upp, t.ex. 'Årligen i ledningsgruppen'.", default=None)
    upprattad: DatumAvFil | None = _d("När och av vem dokumentet upprättades: {datum: ÅÅÅÅ-MM-DD, av: …}.",
                                      default=None)
    reviderad: DatumAvFil | None = _d("Revidering före handboken: {datum, av}. Senare revideringar hämtas ur "
                                      "beslut.", default=None)
    process: Text | None = _d("Processen dokumentet hör till: en id i data/processer.yml eller text.", default=None)
    relaterade: IdList = _d("Id för relaterade styrdokument i handboken.", default=())
    lagrum: IdList = _d("Id för lagrum i data/lagrum.yml som dokumentet bygger på.", default=())
    taggar: TextList = _d("Ämnesord som visas som taggar och hjälper sökningen.", default=())
    sammanfattning: Text | None = _d("En mening om vad dokumentet reglerar.", default=None)
    beslut: tuple[BeslutFil, ...] = _d("Beslut om dokumentet, äldst först. Skrivs av 'styrdok decide'.", default=())
    uppfyller: IdList = _d("Paragrafer i SOSFS 2011:9 som dokumentet uppfyller: id i data/sosfs-2011-9.yml, "
                           "t.ex. [4-kap-2].", default=())


class PageMeta(BaseModel):
    """Front matter of an ordinary page (no `typ`): only what MkDocs and the theme use."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    title: Text | None = None
    hide: TextList = ()
    search: dict | None = None
    tags: TextList = ()
    description: Text | None = None
    template: Text | None = None


# --- resolved model ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Instans:
    """Who can decide or be responsible: a nämnd (or kommunstyrelsen), a role or a named group."""

    id: str
    namn: str
    kind: Literal["nämnd", "roll", "grupp"]


@dataclass(frozen=True)
class OrgEnhet:
    id: str
    namn: str
    niva: Literal["förvaltning", "avdelning", "enhet"]
    parent: str | None


@dataclass(frozen=True)
class Dokumenttyp:
    id: str
    namn: str
    plural: str
    niva: int
    beslutas_av: tuple[Instans, ...]
    mindre_andring_beslutas_av: tuple[Instans, ...]
    revidering_manader: int
    stor_andring: StorAndringFil = StorAndringFil()


@dataclass(frozen=True)
class Kommun:
    namn: str
    logotyp: str | None
    redigera_url: str | None
    namnder: tuple[Instans, ...]
    forvaltningar: tuple[ForvaltningFil, ...]
    dokumenttyper: Mapping[str, Dokumenttyp]
    falt: Faltetiketter
    andringar_efter_beslut: str = "varna"
    historik_for_lasare: str = "meddelanden"
    pdf: bool = True
    arkivexemplar: bool = True
    egna_falt: Mapping[str, EgetFaltFil] = field(default_factory=dict)
    dokumenthuvud: DokumenthuvudFil = field(default_factory=DokumenthuvudFil)
    webbplats: WebbplatsFil | None = None


@dataclass(frozen=True)
class DocRef:
    id: str
    titel: str
    src_path: str          # docs-relative, e.g. styrdokument/rutiner/lex-sarah.md


@dataclass(frozen=True)
class DatumAv:
    datum: dt.date | None
    av: str | None           # a name (resolved from an id) or the text as written


@dataclass(frozen=True)
class Beslut:
    instans: Instans
    datum: dt.date
    paragraf: str | None
    diarienummer: str | None
    andring: str
    skal: str | None = None

    @property
    def redaktionell(self) -> bool:
        """An editorial change recorded without a decision (a typo, a broken link)."""
        return self.andring == "redaktionell"


@dataclass(frozen=True)
class Diarienummer:
    instans: Instans | None
    nummer: str


@dataclass(frozen=True)
class Styrdokument:
    id: str
    src_path: str              # docs-relative posix path
    file: str                  # root-relative path for messages
    titel: str
    typ: Dokumenttyp
    beslutad_av: tuple[Instans, ...]
    diarienummer: tuple[Diarienummer, ...]
    galler_fran: dt.date
    dokumentansvarig: Roll
    senast_reviderad: dt.date | None
    revidering_manader: int
    nasta_revidering: dt.date
    galler_for: tuple[OrgEnhet, ...]
    ersatter: str | None
    relaterade: tuple[DocRef, ...]
    lagrum: tuple[Lagrum, ...]
    taggar: tuple[str, ...]
    sammanfattning: str | None
    beslut: tuple[Beslut, ...]
    body: str
    body_first_line: int
    uppfyller: tuple[str, ...] = ()        # SOSFS 2011:9 paragraph ids, resolved by styrdok.ledningssystem
    lagrum_i_text: tuple[Lagrum, ...] = ()  # lagrum the body text names by number ("SOSFS 2006:11")
    dokumentansvarig_namn: str | None = None   # the person, when the document names one
    version: str | None = None
    giltighet: str | dt.date | None = None
    revideras: str | None = None
    foljs_upp: str | None = None
    ersatter_dok: DocRef | None = None          # ersatter names a document of the handbook
    upprattad: DatumAv | None = None
    reviderad: DatumAv | None = None            # a revision recorded before the handbook (front matter)
    process: str | None = None                  # a process id or text (resolved by the header)
    egna: Mapping[str, object] = field(default_factory=dict)   # kommun's own fields: str, date, Roll, DocRef

    @property
    def ref(self) -> DocRef:
        return DocRef(self.id, self.titel, self.src_path)

    @property
    def senaste_beslut(self) -> Beslut | None:
        """The latest real decision (editorial records are not decisions), or None."""
        return next((b for b in reversed(self.beslut) if not b.redaktionell), None)


@dataclass(frozen=True)
class Page:
    """Any Markdown page, styrdokument or not (for link checks and search)."""

    src_path: str
    file: str
    body: str
    body_first_line: int
    title: str | None


T = TypeVar("T")


@dataclass(frozen=True, repr=False)
class Handbook:
    """Everything the renderers need, loaded and validated once."""

    kommun: Kommun
    roller: Mapping[str, Roll]
    begrepp: tuple[Begrepp, ...]
    lagrum: Mapping[str, Lagrum]
    instanser: Mapping[str, Instans]
    org: Mapping[str, OrgEnhet]
    dokument: Mapping[str, Styrdokument]
    pages: Mapping[str, Page] = field(default_factory=dict)
    extra: Mapping[str, object] = field(default_factory=dict)   # filled by later stages (ledningssystem …)
    # Ids of documents whose file has its own fel (bad front matter): a reference to one is not
    # reported again, so one mistake gives one message.
    trasiga: frozenset[str] = frozenset()
    # Values derived from the fields above, computed on first use (see derived()). Declared, not
    # slipped into __dict__: the fields never change, so what is derived from them never goes stale;
    # dataclasses.replace gives the new handbook an empty one.
    _derived: dict = field(default_factory=dict, init=False, compare=False, repr=False)

    def derived(self, key: str, compute: Callable[[], T]) -> T:
        """compute() once per handbook: an index, a lookup table, rendered pages."""
        try:
            return self._derived[key]
        except KeyError:
            value = self._derived[key] = compute()
            return value

    def __repr__(self) -> str:
        # Short on purpose: mkdocs-macros serialises all its variables (this object among them) on
        # every build, and the generated repr of 2,000 documents with their text took 10 % of a rebuild.
        return f"Handbook({self.kommun.namn!r}, {len(self.dokument)} dokument, {len(self.pages)} sidor)"

    def dokument_by_path(self, src_path: str) -> Styrdokument | None:
        index = self.derived("dokument_by_path", lambda: {d.src_path: d for d in self.dokument.values()})
        return index.get(src_path)

    def abbreviations(self) -> dict[str, str]:
        """Abbreviation -> expansion, from begrepp (and roles with an abbreviation)."""
        out = {r.forkortning: r.namn for r in self.roller.values() if r.forkortning}
        out.update({b.forkortning: b.term if b.term != b.forkortning else b.definition
                    for b in self.begrepp if b.forkortning})
        return out
