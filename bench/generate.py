"""Generate a realistic handbook of N styrdokument for benchmarks (not part of the tests).

What it writes into --out (which must be empty or absent):

- data/kommun.yml (two nämnder, one förvaltning with avdelningar and enheter scaled to N, all eight
  document types), data/roller.yml, data/begrepp.yml (with abbreviations), data/lagrum.yml;
- docs/: a start page, Begrepp, Lagrum, Taggar, Om handboken, an index page per folder, and N
  styrdokument of every type in folders by organisation:
  docs/styrdokument/forvaltningen/<typ>/… (policy, riktlinjer, planer, processer),
  docs/styrdokument/<avdelning>/… (rutiner, processbeskrivningar, kvalitetsplaner of the avdelning),
  docs/styrdokument/<avdelning>/<enhet>/… (rutiner, instruktioner, ledningssystem, kvalitetsplaner).
  Each page has full front matter, 400–900 words of Swedish text built from a social-services
  vocabulary, headings, a list, a table, an admonition, relative Markdown links (some with an
  anchor) to other pages and macro calls (`--macros`, default dokumentlank,roll);
- a git repository with K commits per document (`git fast-import`: thousands of commits in seconds),
  dated 2021–2026, several authors; the working tree is checked out from it;
- unless --no-ledningssystem: the ledningssystem's data, scaled with N (class LsPlan; its own
  random stream, so the documents are otherwise the same as with --no-ledningssystem):
  data/ansvar.yml (subjects with per-role duties, some pointing to generated documents),
  data/processer.yml (≈ max(8, N/50) lednings-, kärn- and stödprocesser, activities with roles and
  the generated rutiner that govern them), data/enheter/<enhet>.yml for every enhet (nine areas; one
  or two enheter leave some areas empty, one is overdue for revision: shown, not a fel),
  data/kvalitetsplaner/<avdelning>-<år>.yml (process → risk → egenkontroll → åtgärd),
  data/arshjul.yml (12+ activities, every frequency), data/sosfs-2011-9.yml (the repository's);
  docs/ledningssystem/ pages that show them through one macro call each; `{{ ansvar("…") }}` in
  some riktlinjer and rutiner and `uppfyller: [...]` in some documents' front matter;
- unless --no-layer: the repository's site layer (mkdocs.yml, overrides/, macros/, templates/,
  docs/assets/styrdok.css and, with the ledningssystem, its css and js), untracked, so
  `styrdok --root OUT build` works.

Deterministic: the same arguments give the same files and the same commit ids.

    .venv/bin/python bench/generate.py --docs 2000 --out /tmp/handbok-2000 [--commits-per-file 3]
        [--macros dokumentlank,roll[,ansvar]] [--ansvar-ids id1,id2] [--seed 1] [--no-ledningssystem]

With the ledningssystem, `--macros ansvar` needs no --ansvar-ids: it uses the generated subjects.
"""
from __future__ import annotations

import argparse
import datetime as dt
import posixpath
import random
import shutil
import subprocess
import sys
import unicodedata
import re
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
from styrdok.ledningssystem import model as lm  # noqa: E402
LAYER = ("mkdocs.yml", "overrides", "macros", "templates")
MACROS = ("dokumentlank", "roll", "ansvar")

# --- vocabulary ---------------------------------------------------------------------------------

AVDELNINGAR = [
    ("ifo", "Avdelningen för individ- och familjeomsorg",
     ["Barn och unga", "Vuxna och beroende", "Ekonomiskt bistånd", "Familjerätt", "Familjehem",
      "Mottagning", "Öppenvård", "Våld i nära relationer", "Ensamkommande", "Boendestöd",
      "Arbetsmarknad", "Socialjour"]),
    ("aldreomsorg", "Avdelningen för äldreomsorg",
     ["Biståndsenheten", "Hemtjänst norr", "Hemtjänst söder", "Hemtjänst centrum", "Lindgården",
      "Björkhagen", "Solbacken", "Korttidsboendet", "Dagverksamhet för äldre", "Nattpatrullen",
      "Trygghetslarm", "Anhörigstöd"]),
    ("funktionsstod", "Avdelningen för funktionsstöd",
     ["LSS-boende Ekgatan", "LSS-boende Linden", "Daglig verksamhet", "Personlig assistans",
      "Korttidsvistelse", "Ledsagning", "Socialpsykiatri", "Boendestöd LSS", "Fritid LSS",
      "Avlösarservice", "Kontaktpersoner", "Habilitering"]),
    ("hsl", "Avdelningen för hälso- och sjukvård",
     ["Sjuksköterskor norr", "Sjuksköterskor söder", "Rehabilitering", "Nattsjuksköterskor",
      "Hjälpmedel", "Demensteamet", "Palliativa teamet", "Läkemedelsgruppen", "Hemsjukvård",
      "Arbetsterapi", "Fysioterapi", "Vårdplanering"]),
    ("myndighet", "Avdelningen för myndighetsutövning",
     ["Biståndshandläggare äldre", "Biståndshandläggare LSS", "Utredning barn", "Utredning vuxna",
      "Avgiftshandläggning", "Bostadsanpassning", "Färdtjänst", "Överförmyndarstöd",
      "Serveringstillstånd", "Budget- och skuldrådgivning", "Bostadssociala frågor", "Tolkservice"]),
    ("stab", "Förvaltningsstaben",
     ["Kvalitet och utveckling", "Ekonomi", "Personal", "Digitalisering", "Nämndadministration",
      "Kommunikation", "Registratur", "Upphandling", "Systemförvaltning", "Beredskap",
      "Utbildning", "Analys"]),
    ("arbete", "Avdelningen för arbete och försörjning",
     ["Jobbcentrum", "Feriearbete", "Vuxenutbildning", "Integration", "Etablering", "Praktik",
      "Yrkesvägledning", "Studiestöd", "Unga vuxna", "Samhällsorientering", "Språkstöd", "Matchning"]),
    ("forebyggande", "Avdelningen för förebyggande arbete",
     ["Fältgruppen", "Ungdomsmottagningen", "Familjecentralen", "Föräldrastöd", "Drogförebyggande",
      "Brottsförebyggande", "Mötesplatser", "Frivilligsamordning", "Kontaktcenter", "Medling",
      "Skolsocialt arbete", "Trygghetsvärdar"]),
]

DOKUMENTTYPER = [
    # id, namn, plural, niva, beslutas_av, mindre_andring, revidering_manader, folder name, share
    ("policy", "Policy", "Policyer", 1, ["socialnamnden", "vard-och-omsorgsnamnden"], [], 48, "policy", 0.02),
    ("riktlinje", "Riktlinje", "Riktlinjer", 2, ["socialnamnden", "vard-och-omsorgsnamnden"], ["socialchef"], 24,
     "riktlinjer", 0.08),
    ("plan", "Plan", "Planer", 2, ["socialnamnden", "vard-och-omsorgsnamnden"], [], 12, "planer", 0.03),
    ("processbeskrivning", "Processbeskrivning", "Processbeskrivningar", 3, ["socialchef"], [], 24, "processer",
     0.07),
    ("rutin", "Rutin", "Rutiner", 3, ["socialchef", "avdelningschef"], [], 24, "rutiner", 0.40),
    ("instruktion", "Instruktion", "Instruktioner", 4, ["enhetschef"], [], 12, "instruktioner", 0.30),
    ("kvalitetsplan", "Kvalitetsplan", "Kvalitetsplaner", 4, ["avdelningschef", "enhetschef"], [], 12,
     "kvalitetsplaner", 0.05),
    ("ledningssystem", "Enhetens ledningssystem", "Enheternas ledningssystem", 4, ["enhetschef"], [], 12,
     "ledningssystem", 0.05),
]

ROLLER = [
    ("socialchef", "Socialchef", None), ("avdelningschef", "Avdelningschef", None),
    ("enhetschef", "Enhetschef", None), ("medarbetare", "Medarbetare", None),
    ("mas", "Medicinskt ansvarig sjuksköterska", "MAS"), ("sas", "Socialt ansvarig samordnare", "SAS"),
    ("mar", "Medicinskt ansvarig för rehabilitering", "MAR"),
    ("utvecklingsledare", "Utvecklingsledare", None), ("kvalitetsstrateg", "Kvalitetsstrateg", None),
    ("systemforvaltare", "Systemförvaltare", None), ("registrator", "Registrator", None),
    ("namndsekreterare", "Nämndsekreterare", None), ("handlaggare", "Handläggare", None),
    ("verksamhetschef-hsl", "Verksamhetschef enligt HSL", None), ("dataskyddsombud", "Dataskyddsombud", "DSO"),
    ("arkivansvarig", "Arkivansvarig", None), ("informationssakerhetssamordnare",
                                                "Informationssäkerhetssamordnare", None),
    ("samordnare-vald", "Samordnare för våld i nära relationer", None),
    ("familjehemssekreterare", "Familjehemssekreterare", None), ("teamledare", "Teamledare", None),
]

BEGREPP = [
    ("Avvikelse", None), ("Lex Sarah", None), ("Missförhållande", None), ("Egenkontroll", None),
    ("Riskanalys", None), ("Processkartläggning", None), ("Genomförandeplan", None),
    ("Synpunkt", None), ("Klagomål", None), ("Kvalitetsberättelse", None), ("Ledningssystem", None),
    ("Delegering", None), ("Journal", None), ("Orosanmälan", None), ("Samverkan", None),
    ("Insats", None), ("Biståndsbeslut", None), ("Uppföljning", None), ("Verksamhetssystem", None),
    ("Personuppgiftsincident", None), ("Inspektionen för vård och omsorg", "IVO"),
    ("Socialtjänstlagen", "SoL"), ("Lagen om stöd och service till vissa funktionshindrade", "LSS"),
    ("Hälso- och sjukvårdslagen", "HSL"), ("Offentlighets- och sekretesslagen", "OSL"),
    ("Lagen med särskilda bestämmelser om vård av unga", "LVU"),
    ("Lagen om vård av missbrukare i vissa fall", "LVM"),
    ("Individens behov i centrum", "IBIC"), ("Barns behov i centrum", "BBIC"),
    ("Samordnad individuell plan", "SIP"), ("Dataskyddsförordningen", "GDPR"),
    ("Hälso- och sjukvårdspersonal", "HSP"), ("Nationell patientöversikt", "NPÖ"),
    ("Ekonomiskt bistånd", "EB"), ("Våld i nära relationer", "VNR"),
    ("Kvalitetsregister", None), ("Ärendedragning", None), ("Dokumentationsskyldighet", None),
    ("Tystnadsplikt", None), ("Meddelandeblad", None),
]

LAGRUM = [
    ("sol-2001", "SoL", "Socialtjänstlag", "SFS 2001:453", "upphävd", "sol-2025", "2025-07-01"),
    ("sol-2025", "SoL", "Socialtjänstlag", "SFS 2025:400", "gällande", None, None),
    ("lss", "LSS", "Lag om stöd och service till vissa funktionshindrade", "SFS 1993:387", "gällande", None, None),
    ("hsl", "HSL", "Hälso- och sjukvårdslag", "SFS 2017:30", "gällande", None, None),
    ("psl", "PSL", "Patientsäkerhetslag", "SFS 2010:659", "gällande", None, None),
    ("osl", "OSL", "Offentlighets- och sekretesslag", "SFS 2009:400", "gällande", None, None),
    ("lvu", "LVU", "Lag med särskilda bestämmelser om vård av unga", "SFS 1990:52", "gällande", None, None),
    ("lvm", "LVM", "Lag om vård av missbrukare i vissa fall", "SFS 1988:870", "gällande", None, None),
    ("sosfs-2011-9", None, "Ledningssystem för systematiskt kvalitetsarbete", "SOSFS 2011:9", "gällande", None,
     None),
    ("sosfs-2011-5", None, "Lex Sarah", "SOSFS 2011:5", "gällande", None, None),
    ("sosfs-2014-5", None, "Dokumentation i verksamhet som bedrivs med stöd av SoL, LVU, LVM och LSS",
     "SOSFS 2014:5", "gällande", None, None),
    ("hslf-fs-2017-40", None, "Journalföring och behandling av personuppgifter i hälso- och sjukvården",
     "HSLF-FS 2016:40", "gällande", None, None),
    ("dataskyddslagen", None, "Lag med kompletterande bestämmelser till EU:s dataskyddsförordning",
     "SFS 2018:218", "gällande", None, None),
    ("kommunallagen", None, "Kommunallag", "SFS 2017:725", "gällande", None, None),
    ("forvaltningslagen", None, "Förvaltningslag", "SFS 2017:900", "gällande", None, None),
    ("arkivlagen", None, "Arkivlag", "SFS 1990:782", "gällande", None, None),
]

AMNEN = [
    "avvikelsehantering", "lex Sarah", "synpunkter och klagomål", "egenkontroll av journaler",
    "riskanalys", "handläggning av ekonomiskt bistånd", "genomförandeplaner", "läkemedelshantering",
    "delegering av hälso- och sjukvårdsuppgifter", "samordnad individuell plan", "orosanmälan",
    "hot och våld", "nyckelhantering", "dokumentation i hemtjänsten", "introduktion av nya medarbetare",
    "personuppgiftsincidenter", "arkivering och gallring", "sekretess och tystnadsplikt",
    "utredning enligt BBIC", "handläggning enligt IBIC", "fallprevention", "nutrition",
    "munhälsa", "trycksår", "palliativ vård", "demensvård", "skyddsåtgärder", "tvångsåtgärder",
    "brand och utrymning", "krisberedskap", "kontinuitet i personalgruppen", "anhörigstöd",
    "våld i nära relationer", "ärendedragning", "uppföljning av beslut", "avgifter",
    "hjälpmedel", "social dokumentation", "informationssäkerhet", "behörigheter i verksamhetssystemet",
    "upphandlade utförare", "extern tillsyn", "intern kontroll", "kvalitetsberättelse",
    "mål och uppföljning", "samverkan med regionen", "samverkan med skolan", "vårdplanering",
    "in- och utskrivning", "kontaktmannaskap", "hygienrutiner", "smittskydd", "matsituationen",
    "delaktighet", "klagomål från anhöriga", "jourverksamhet", "akuta placeringar",
    "familjehemsutredning", "umgängesstöd", "boendestöd", "daglig sysselsättning",
]

SUBJ = ["Enhetschefen", "Handläggaren", "Medarbetaren", "Den som upptäcker händelsen", "SAS", "MAS",
        "Avdelningschefen", "Kontaktpersonen", "Sjuksköterskan", "Biståndshandläggaren",
        "Den dokumentansvarige", "Teamledaren", "Utvecklingsledaren", "Arbetsgruppen"]
VERB = ["dokumentera", "följa upp", "utreda", "bedöma", "rapportera", "säkerställa", "planera",
        "analysera", "sammanställa", "informera om", "ompröva", "registrera", "åtgärda", "granska",
        "förankra", "beskriva", "stämma av", "revidera"]
OBJ = ["avvikelsen", "insatsen", "genomförandeplanen", "ärendet", "riskanalysen", "egenkontrollen",
       "beslutet", "den enskildes behov", "vårdplanen", "journalanteckningen", "åtgärdsplanen",
       "händelseförloppet", "rutinens efterlevnad", "brukarens synpunkter", "resultatet av granskningen",
       "läkemedelslistan", "kvalitetsberättelsen", "samverkansöverenskommelsen", "delegeringsbeslutet",
       "utredningen"]
ADV = ["inom fem arbetsdagar", "i verksamhetssystemet", "enligt SoL", "tillsammans med den enskilde",
       "vid varje uppföljning", "i samråd med MAS", "innan beslutet fattas", "enligt gällande rutin",
       "senast nästa arbetsdag", "på arbetsplatsträffen", "med stöd av LSS", "så snart det är möjligt",
       "i samverkan med regionen", "enligt SOSFS 2011:9", "inför den årliga kvalitetsberättelsen",
       "utan dröjsmål", "med den enskildes samtycke", "på det sätt som anges i IBIC",
       "och meddelar IVO vid behov", "i den sociala dokumentationen"]
CONN = ["Därefter", "Om det behövs", "Vid behov", "I normalfallet", "Samtidigt", "När det är klart",
        "För att undvika upprepning", "Som en del av kvalitetsarbetet"]
WHY = ["så att den enskilde får en trygg och säker insats", "för att brister ska upptäckas tidigt",
       "eftersom verksamheten ska lära av det som händer", "så att arbetet blir rättssäkert",
       "för att uppfylla kraven i SOSFS 2011:9", "så att ansvaret är tydligt för alla",
       "eftersom dokumentationen ska kunna granskas av IVO"]
TAGGAR = ["avvikelser", "kvalitet", "lex sarah", "egenkontroll", "riskanalys", "dokumentation",
          "läkemedel", "delegering", "samverkan", "sekretess", "informationssäkerhet", "barn och unga",
          "äldreomsorg", "LSS", "hälso- och sjukvård", "ekonomiskt bistånd", "klagomål", "introduktion",
          "arbetsmiljö", "krisberedskap", "våld i nära relationer", "uppföljning", "ledningssystem",
          "processer", "IVO"]
HEADINGS = ["Bakgrund", "Ansvar och roller", "Dokumentation", "Uppföljning", "Samverkan",
            "Information till den enskilde", "Sekretess", "Kvalitetskrav"]
AUTHORS = [("Anna Lindqvist", "anna.lindqvist"), ("Erik Johansson", "erik.johansson"),
           ("Fatima Hassan", "fatima.hassan"), ("Göran Åberg", "goran.aberg"), ("Sara Öhman", "sara.ohman"),
           ("Mikael Nilsson", "mikael.nilsson"), ("Leila Karimi", "leila.karimi"), ("Karin Ek", "karin.ek")]

LOGO = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" role="img" aria-label="Logotyp">'
        '<circle cx="12" cy="12" r="10" fill="#3f51b5"/></svg>\n')


def slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text.lower()).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")


def lower(subject: str) -> str:
    """Lower-case a sentence subject, but not an abbreviation (SAS, MAS)."""
    return subject if subject.isupper() else subject[0].lower() + subject[1:]


def yq(text: str) -> str:
    """A YAML double-quoted scalar."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


# --- the model of what we generate --------------------------------------------------------------

@dataclass
class Unit:
    id: str
    namn: str
    folder: str                  # docs-relative folder of its documents
    avdelning: str | None        # avdelning id (None for the förvaltning)


@dataclass
class Doc:
    id: str
    typ: tuple
    titel: str
    unit: Unit
    src_path: str                # docs-relative
    front: str = ""
    sections: list[str] = field(default_factory=list)
    related: list["Doc"] = field(default_factory=list)
    amne: str = ""               # the subject its title is about (one of AMNEN)

    def text(self, version: int | None = None) -> str:
        """The file; version k < K keeps only the first sections (the document grew over time)."""
        secs = self.sections if version is None else self.sections[:max(2, len(self.sections) - version)]
        return f"---\n{self.front}---\n\n" + "\n".join(secs)


class Generator:
    def __init__(self, n_docs: int, seed: int, macros: set[str], ansvar_ids: list[str],
                 ledningssystem: bool = True):
        self.n = n_docs
        self.r = random.Random(seed)
        self.macros = macros
        self.ansvar_ids = ansvar_ids
        self.today = dt.date(2026, 10, 31)
        n_avd = max(3, min(len(AVDELNINGAR), n_docs // 250 + 3))
        per_avd = max(2, min(12, round(n_docs / (n_avd * 25))))
        self.forvaltning = Unit("socialforvaltningen", "Socialförvaltningen", "styrdokument/forvaltningen", None)
        self.avdelningar: list[tuple[Unit, list[Unit]]] = []
        for avd_id, avd_namn, enheter in AVDELNINGAR[:n_avd]:
            avd = Unit(avd_id, avd_namn, f"styrdokument/{avd_id}", avd_id)
            units = [Unit(f"{avd_id}-{slug(e)}", e, f"styrdokument/{avd_id}/{slug(e)}", avd_id)
                     for e in enheter[:per_avd]]
            self.avdelningar.append((avd, units))
        self.docs: list[Doc] = []
        # The ledningssystem draws from its own stream, so --no-ledningssystem gives the same
        # documents (and commit ids) as before it existed.
        self.ls = LsPlan(self, random.Random(f"ledningssystem-{seed}")) if ledningssystem else None

    # --- data files ---------------------------------------------------------------------------

    def kommun_yml(self) -> str:
        out = ["# Kommunen: namn, nämnder, organisation och dokumenttyper (genererad för prestandamätning).",
               "#", "# Exempel på en post:", "#", "#   namnder:", "#     - id: socialnamnden",
               "#       namn: Socialnämnden", "", "namn: Bänkby kommun", "logotyp: assets/logotyp.svg",
               "redigera_url: null", "", "namnder:", "  - id: socialnamnden", "    namn: Socialnämnden",
               "    forkortning: SN", "  - id: vard-och-omsorgsnamnden", "    namn: Vård- och omsorgsnämnden",
               "    forkortning: VON", "", "forvaltningar:", "  - id: socialforvaltningen",
               "    namn: Socialförvaltningen", "    avdelningar:"]
        for avd, units in self.avdelningar:
            out += [f"      - id: {avd.id}", f"        namn: {avd.namn}", "        enheter:"]
            for u in units:
                out += [f"          - id: {u.id}", f"            namn: {u.namn}"]
        out += ["", "dokumenttyper:"]
        for tid, namn, plural, niva, beslutas, mindre, manader, _folder, _share in DOKUMENTTYPER:
            out += [f"  - id: {tid}", f"    namn: {namn}", f"    plural: {plural}", f"    niva: {niva}",
                    f"    beslutas_av: [{', '.join(beslutas)}]"]
            if mindre:
                out.append(f"    mindre_andring_beslutas_av: [{', '.join(mindre)}]")
            out.append(f"    revidering_manader: {manader}")
        return "\n".join(out) + "\n"

    def roller_yml(self) -> str:
        out = ["# Roller i kvalitetsarbetet (genererad).", "#", "# Exempel: - id: sas", ""]
        for rid, namn, fork in ROLLER:
            out += [f"- id: {rid}", f"  namn: {namn}"]
            if fork:
                out.append(f"  forkortning: {fork}")
            out += [f"  beskrivning: {yq(self.sentences(2, plain=True))}", ""]
        return "\n".join(out)

    def begrepp_yml(self) -> str:
        out = ["# Begrepp och förkortningar (genererad).", "#", "# Exempel: - term: Avvikelse", ""]
        for term, fork in BEGREPP:
            out += [f"- term: {term}", f"  definition: {yq(self.sentences(2, plain=True))}"]
            if fork:
                out.append(f"  forkortning: {fork}")
            if self.r.random() < 0.4:
                out.append(f"  synonymer: [{self.r.choice(TAGGAR)}]")
            out.append("")
        return "\n".join(out)

    @staticmethod
    def lagrum_yml() -> str:
        out = ["# Lagar och föreskrifter (genererad).", "#", "# Exempel: - id: sol-2025", ""]
        for lid, kort, titel, bet, status, ersatt, fran in LAGRUM:
            out += [f"- id: {lid}"]
            if kort:
                out.append(f"  kortnamn: {kort}")
            out += [f"  titel: {titel}", f"  beteckning: {bet}", f"  status: {status}"]
            if ersatt:
                out += [f"  ersatt_av: {ersatt}", f"  upphavd_fran: {fran}"]
            out.append("")
        return "\n".join(out)

    # --- text ---------------------------------------------------------------------------------

    def sentence(self, plain: bool = False, rng: random.Random | None = None) -> str:
        r = rng or self.r
        kind = r.random()
        if kind < 0.55:
            s = f"{r.choice(SUBJ)} ska {r.choice(VERB)} {r.choice(OBJ)} {r.choice(ADV)}"
        elif kind < 0.8:
            s = f"{r.choice(CONN)} ska {lower(r.choice(SUBJ))} " \
                f"{r.choice(VERB)} {r.choice(OBJ)}, {r.choice(WHY)}"
        else:
            s = f"Det är viktigt att {r.choice(OBJ)} {r.choice(['dokumenteras', 'följs upp', 'beskrivs'])} " \
                f"{r.choice(ADV)}, {r.choice(WHY)}"
        if not plain and "roll" in self.macros and r.random() < 0.08:
            # NBSP keeps the macro call on one line when wrapped; wrap() turns it back into spaces.
            role = r.choice(['sas', 'mas', 'enhetschef', 'socialchef'])
            s += f" och att {{{{\u00a0roll(\"{role}\")\u00a0}}}} får veta det"
        return s[0].upper() + s[1:] + "."

    def sentences(self, n: int, plain: bool = False, rng: random.Random | None = None) -> str:
        return " ".join(self.sentence(plain, rng) for _ in range(n))

    def paragraph(self, rng: random.Random | None = None) -> str:
        return self.wrap(self.sentences((rng or self.r).randint(3, 6), rng=rng))

    @staticmethod
    def wrap(text: str, width: int = 100) -> str:
        lines, line = [], ""
        for word in text.split(" "):
            if line and len(line) + 1 + len(word) > width:
                lines.append(line)
                line = word
            else:
                line = f"{line} {word}" if line else word
        lines.append(line)
        return "\n".join(lines).replace("\u00a0", " ") + "\n"

    def link(self, here: Doc, target: Doc, anchor: bool = False) -> str:
        rel = posixpath.relpath(target.src_path, posixpath.dirname(here.src_path))
        return f"[{target.titel}]({rel}{'#syfte' if anchor else ''})"

    def body(self, doc: Doc) -> list[str]:
        r = self.r
        secs = [f"## Syfte\n\n{self.paragraph()}"]
        # One section with steps (headings, a list, the table, the admonition).
        steps = [f"### {i}. {r.choice(VERB).capitalize()} {r.choice(OBJ)}\n\n{self.paragraph()}"
                 for i in range(1, r.randint(3, 5))]
        items = "\n".join(f"- {r.choice(OBJ).capitalize()} {r.choice(ADV)}" for _ in range(r.randint(3, 6)))
        table = ["| Steg | Vem | När |", "|---|---|---|"]
        table += [f"| {r.choice(VERB).capitalize()} {r.choice(OBJ)} | {r.choice(SUBJ)} | {r.choice(ADV)} |"
                  for _ in range(r.randint(3, 5))]
        kind = r.choice(["note", "warning", "tip"])
        title = {"note": "Tänk på", "warning": "Viktigt", "tip": "Tips"}[kind]
        adm = f'!!! {kind} "{title}"\n' + "".join(f"    {line}\n" for line in self.wrap(
            self.sentences(2)).splitlines())
        secs.append(f"## Så här gör du\n\n{self.paragraph()}\nDet här ska alltid finnas med:\n\n{items}\n\n"
                    + "\n".join(steps) + "\n" + "\n".join(table) + "\n\n" + adm)
        # Links to other pages: relative Markdown and, if enabled, the dokumentlank macro.
        refs = []
        for i, target in enumerate(doc.related):
            if "dokumentlank" in self.macros and i % 2 == 1:
                refs.append(f"- {{{{ dokumentlank(\"{target.id}\") }}}}")
            else:
                refs.append(f"- {self.link(doc, target, anchor=r.random() < 0.3)}")
        headings = r.sample(HEADINGS, r.randint(2, 3))
        for h in headings:
            text = "".join(self.paragraph() + "\n" for _ in range(r.randint(1, 2)))
            if "ansvar" in self.macros and self.ansvar_ids and h == "Ansvar och roller":
                text += f"\n{{{{ ansvar(\"{r.choice(self.ansvar_ids)}\") }}}}\n"
            secs.append(f"## {h}\n\n{text}")
        if refs:
            secs.append("## Relaterade dokument\n\n" + "\n".join(refs) + "\n")
        return secs

    def front_matter(self, doc: Doc) -> str:
        r = self.r
        tid, _namn, _pl, _niva, beslutas, _mindre, _man, _f, _s = doc.typ
        beslutad_av = r.choice(beslutas)
        galler = dt.date(2021, 1, 1) + dt.timedelta(days=r.randint(0, 5 * 365))
        lines = [f"titel: {doc.titel}", f"typ: {tid}", f"id: {doc.id}", f"beslutad_av: {beslutad_av}",
                 f"diarienummer: SOF {galler.year}/{r.randint(10, 999)}"]
        if r.random() < 0.3:
            lines += ["beslut:", f"  - instans: {beslutad_av}",
                      f"    datum: {galler - dt.timedelta(days=r.randint(7, 40))}",
                      f"    paragraf: \"§ {r.randint(1, 120)}\"", "    andring: ny"]
        lines += [f"galler_fran: {galler}", f"dokumentansvarig: {r.choice(['sas', 'mas', 'enhetschef', 'avdelningschef', 'utvecklingsledare'])}"]
        if r.random() < 0.5:
            rev = galler + dt.timedelta(days=r.randint(0, max(0, (self.today - galler).days)))
            lines.append(f"senast_reviderad: {rev}")
        lines.append(f"galler_for: [{doc.unit.id}]")
        if r.random() < 0.15:
            lines.append(f"ersatter: {doc.titel} ({galler.year - r.randint(2, 6)})")
        if doc.related:
            lines.append(f"relaterade: [{', '.join(d.id for d in doc.related)}]")
        valid = [x[0] for x in LAGRUM if x[4] == "gällande"]
        lines.append(f"lagrum: [{', '.join(r.sample(valid, r.randint(1, 3)))}]")
        lines.append(f"taggar: [{', '.join(r.sample(TAGGAR, r.randint(1, 3)))}]")
        lines.append(f"sammanfattning: {yq(self.sentence(plain=True))}")
        return "\n".join(lines) + "\n"

    # --- documents ----------------------------------------------------------------------------

    def plan_documents(self) -> None:
        r = self.r
        units_all = [u for _a, us in self.avdelningar for u in us]
        avds = [a for a, _us in self.avdelningar]
        counts = {t[0]: max(1, round(self.n * t[8])) for t in DOKUMENTTYPER}
        counts["rutin"] += self.n - sum(counts.values())       # exactly N documents
        titles: set[str] = set()
        serial = 0
        for typ in DOKUMENTTYPER:
            tid, namn, _pl, _niva, _b, _m, _man, folder, _s = typ
            for _ in range(counts[tid]):
                serial += 1
                if tid in ("policy", "riktlinje", "plan"):
                    unit, where = self.forvaltning, f"{self.forvaltning.folder}/{folder}"
                elif tid == "processbeskrivning" or (tid in ("rutin", "kvalitetsplan") and r.random() < 0.2):
                    unit = r.choice(avds)
                    where = unit.folder
                else:
                    unit = r.choice(units_all)
                    where = unit.folder
                amne = r.choice(AMNEN)
                titel = f"{namn} för {amne}" + ("" if unit is self.forvaltning else f" – {unit.namn}")
                k = 2
                base = titel
                while titel in titles:
                    titel = f"{base} (del {k})"
                    k += 1
                titles.add(titel)
                ident = f"{slug(amne)[:40].rstrip('-')}-{serial:05d}"
                self.docs.append(Doc(ident, typ, titel, unit, f"{where}/{ident}.md", amne=amne))
        # Related documents: mostly in the same unit, some anywhere.
        by_unit: dict[str, list[Doc]] = {}
        for d in self.docs:
            by_unit.setdefault(d.unit.id, []).append(d)
        for d in self.docs:
            pool = [x for x in by_unit[d.unit.id] if x is not d]
            rel = r.sample(pool, min(len(pool), r.randint(0, 2)))
            rel += [x for x in r.sample(self.docs, 2) if x is not d and x not in rel][: r.randint(0, 2)]
            d.related = rel
        if self.ls:
            self.ls.plan()
            if "ansvar" in self.macros and not self.ansvar_ids:
                self.ansvar_ids = [a.id for a in self.ls.amnen]
        for d in self.docs:
            d.front = self.front_matter(d)
            d.sections = self.body(d)
            if self.ls:
                self.ls.decorate(d)

    def static_pages(self) -> dict[str, str]:
        """Pages without `typ`: start page, lists, and an index page per folder."""
        pages = {
            "index.md": "---\ntitle: Handbok för socialtjänstens ledningssystem\n---\n\n"
                        + self.paragraph() + "\n## Hitta rätt\n\n"
                        + "\n".join(f"- {self.link(Doc('x', None, '', self.forvaltning, 'index.md'), d)}"
                                    for d in self.docs[:: max(1, len(self.docs) // 8)][:8])
                        + "\n\nAlla styrdokument finns under [Styrdokument](styrdokument/index.md), "
                          "[per typ](styrdokument/per-typ.md) och [per organisation]"
                          "(styrdokument/per-organisation.md).\n",
            "begrepp.md": "---\ntitle: Begrepp\n---\n\n" + self.paragraph() + "\n{{ begreppslista() }}\n",
            "lagrum.md": "---\ntitle: Lagrum\n---\n\n" + self.paragraph() + "\n{{ lagrumslista() }}\n",
            "taggar.md": "---\ntitle: Taggar\n---\n\n" + self.paragraph() + "\n<!-- material/tags -->\n",
            "om-handboken.md": "---\ntitle: Om handboken\n---\n\n" + "\n".join(
                f"## {h}\n\n{self.paragraph()}" for h in ("Så är handboken uppbyggd", "Ändra en sida",
                                                           "Förhandsgranska")),
            "styrdokument/index.md": "---\ntitle: Styrdokument\n---\n\n" + self.paragraph(),
        }
        folders: dict[str, list[Doc]] = {}
        for d in self.docs:
            folders.setdefault(posixpath.dirname(d.src_path), []).append(d)
        names = {u.folder: u.namn for a, us in self.avdelningar for u in (a, *us)}
        names[self.forvaltning.folder] = "Hela förvaltningen"
        for t in DOKUMENTTYPER:
            names[f"{self.forvaltning.folder}/{t[7]}"] = t[2]
        wanted = set()
        for folder in folders:
            parts = folder.split("/")
            for i in range(2, len(parts) + 1):
                wanted.add("/".join(parts[:i]))
        for folder in sorted(wanted):
            title = names.get(folder, folder.rsplit("/", 1)[-1])
            here = Doc("x", None, "", self.forvaltning, f"{folder}/index.md")
            links = "\n".join(f"- {self.link(here, d)}" for d in folders.get(folder, []))
            pages[f"{folder}/index.md"] = (f"---\ntitle: {yq(title)}\n---\n\n{self.paragraph()}\n"
                                           + (f"## Dokument här\n\n{links}\n" if links else ""))
        return pages


# --- the ledningssystem (SOSFS 2011:9) -----------------------------------------------------------

LS_ASSETS = ("ledningssystem.css", "kvalitetsplan.js")
SOSFS_FILE = REPO / "data" / "sosfs-2011-9.yml"
NAMNDER = ["socialnamnden", "vard-och-omsorgsnamnden"]
PROCESSTYPER = [  # typ, name patterns ({} = an AMNEN subject)
    ("ledningsprocess", ["Planering och uppföljning av {}", "Styrning av {}", "Ledning av arbetet med {}"]),
    ("karnprocess", ["Handläggning av {}", "Arbetet med {}", "Genomförande av {}"]),
    ("stodprocess", ["Stöd för {}", "Administration av {}", "Systemstöd för {}"]),
]
PROCESS_MIX = ["ledningsprocess", "karnprocess", "karnprocess", "stodprocess", "karnprocess"]
EXTERNA = ["Regionens vårdcentraler", "Regionens psykiatri", "Skolan", "Polisen", "Försäkringskassan",
           "Arbetsförmedlingen", "IVO", "Kronofogden", "Frivilligorganisationer", "Upphandlade utförare"]
METODER = ["Journalgranskning", "Egenkontroll", "Riskanalys", "Brukarundersökning", "Avvikelsestatistik",
           "Kontinuitetsmätning", "Kvalitetsregister", "Processkartläggning", "Ärendedragning", "Stickprov"]
OMRADEN = list(lm.OMRADEN)                     # the ids the model knows, not a copy of them
NIVAER = ["enhet", "enhet", "enhet", "avdelning", "förvaltning", "nämnd"]
KVALITETSOMRADEN = list(lm.KVALITETSOMRADEN)
FREKVENSER = list(lm.FREKVENSER)
BRIST = ["dokumenteras inte", "följs inte upp", "beskrivs inte", "blir liggande", "saknas"]
KONTROLL = ["Granskning av", "Stickprov på", "Uppföljning av", "Genomgång av"]
HUR_OFTA = ["varje månad", "varje kvartal", "två gånger om året", "en gång om året", "varje tertial"]
RISK_ADV = [a for a in ADV if not a.startswith("och ")]
HJUL = ["Uppföljning av", "Sammanställning av", "Rapport om", "Genomgång av", "Analys av"]


def _cap(text: str) -> str:
    return text[0].upper() + text[1:]


def _flow(items) -> str:
    """A YAML flow sequence of quoted texts."""
    return "[" + ", ".join(yq(x) for x in items) + "]"


def _short_slug(text: str, width: int = 50) -> str:
    """slug(text), cut at a word boundary to at most width characters."""
    s = slug(text)
    return s if len(s) <= width else s[:width + 1].rsplit("-", 1)[0]


def _unique(ident: str, seen: set[str]) -> str:
    base, k = ident, 2
    while ident in seen:
        ident = f"{base}-{k}"
        k += 1
    seen.add(ident)
    return ident


@dataclass
class Amne:
    id: str
    namn: str
    ansvar: list[tuple[str, str, str | None]]      # roll, uppgift, dokument


class LsPlan:
    """The ledningssystem's data, scaled with N and drawn from its own random stream: ansvar per
    subject, processer, each enhet's ledningssystem, a kvalitetsplan per avdelning, the årshjul,
    the SOSFS 2011:9 paragraphs (copied), the pages that show them, and the macro calls and
    `uppfyller` front matter added to some documents."""

    def __init__(self, gen: Generator, rng: random.Random):
        self.gen, self.r = gen, rng
        self.year = gen.today.year
        self.sosfs = SOSFS_FILE.read_text(encoding="utf-8") if SOSFS_FILE.is_file() else ""
        self.paragrafer = re.findall(r"^\s*- id: (\S+)", self.sosfs, re.M)
        self.roller = [x[0] for x in ROLLER]
        self.amnen: list[Amne] = []
        self.calls: dict[str, str] = {}          # doc id -> ämne id it shows with ansvar()
        self.uppfyller: dict[str, list[str]] = {}
        self.out: dict[str, str] = {}            # path -> text

    # --- planning: everything is decided here, before the documents' text ----------------------

    def plan(self) -> None:
        g, r = self.gen, self.r
        self.rutiner = [d for d in g.docs if d.typ[0] == "rutin"] or g.docs
        styrande = [d for d in g.docs if d.typ[0] in ("riktlinje", "rutin")] or g.docs
        self.by_amne: dict[str, list[Doc]] = {}
        self.by_unit: dict[str, list[Doc]] = {}
        for d in g.docs:
            self.by_amne.setdefault(d.amne, []).append(d)
            self.by_unit.setdefault(d.unit.id, []).append(d)
        self.plan_amnen(styrande)
        self.plan_processer()
        # Documents: some riktlinjer and rutiner show their subject's ansvar; some say which
        # SOSFS paragraphs they meet.
        ids = {a.namn.lower(): a.id for a in self.amnen}
        for d in styrande:
            if d.amne.lower() in ids and r.random() < 0.4:
                self.calls[d.id] = ids[d.amne.lower()]
        if not self.calls and self.amnen:
            self.calls[styrande[0].id] = self.amnen[0].id
        kinds = ("policy", "riktlinje", "processbeskrivning", "rutin", "ledningssystem")
        for d in g.docs:
            if d.typ[0] in kinds and r.random() < 0.12 and self.paragrafer:
                self.uppfyller[d.id] = sorted(r.sample(self.paragrafer, r.randint(1, 2)))
        if not self.uppfyller and self.paragrafer:
            self.uppfyller[g.docs[0].id] = [self.paragrafer[0]]

    def doc_about(self, amne: str, pool: list[Doc]) -> Doc:
        same = self.by_amne.get(amne)
        return self.r.choice(same) if same and self.r.random() < 0.7 else self.r.choice(pool)

    def uppgift(self) -> str:
        r = self.r
        s = f"{_cap(r.choice(VERB))} {r.choice(OBJ)} {r.choice(ADV)}"
        return s + (f", {r.choice(WHY)}." if r.random() < 0.4 else ".")

    def plan_amnen(self, styrande: list[Doc]) -> None:
        r, n = self.r, self.gen.n
        count = min(len(AMNEN), max(8, n // 30))
        have = [a for a in AMNEN if any(d.typ[0] in ("riktlinje", "rutin") for d in self.by_amne.get(a, ()))]
        chosen = r.sample(have, min(count, len(have)))
        chosen += r.sample([a for a in AMNEN if a not in chosen], count - len(chosen))
        seen: set[str] = set()
        for amne in chosen:
            ansvar = []
            for roll in r.sample(self.roller, r.randint(3, 6)):
                doc = self.doc_about(amne, styrande).id if r.random() < 0.6 else None
                ansvar.append((roll, self.uppgift(), doc))
            self.amnen.append(Amne(_unique(slug(amne), seen), _cap(amne), ansvar))

    def plan_processer(self) -> None:
        r, g = self.r, self.gen
        count = max(8, g.n // 50)
        order = r.sample(AMNEN, len(AMNEN))
        units = [u.namn for a, us in g.avdelningar for u in (a, *us)]
        seen_ids: set[str] = set()
        self.processer = []
        for i in range(count):
            typ = PROCESS_MIX[i % len(PROCESS_MIX)]
            amne = order[i % len(order)]
            namn = _cap(r.choice(dict(PROCESSTYPER)[typ]).format(amne))
            if i >= len(order):
                namn += f" ({i // len(order) + 1})"
            ident = _unique(_short_slug(namn), seen_ids)
            akt = []
            for _ in range(r.randint(3, 7)):
                same = [d for d in self.by_amne.get(amne, ()) if d.typ[0] == "rutin"]
                rut = r.sample(same, min(len(same), r.randint(0, 2))) + r.sample(self.rutiner, r.randint(0, 2))
                akt.append({"namn": f"{_cap(r.choice(VERB))} {r.choice(OBJ)}",
                            "beskrivning": g.sentence(True, r) if r.random() < 0.5 else None,
                            "roller": r.sample(self.roller, r.randint(1, 3)),
                            "rutiner": list(dict.fromkeys(d.id for d in rut))})
            self.processer.append({
                "id": ident, "namn": namn, "typ": typ, "amne": amne,
                "agare": r.choice(["socialchef", "avdelningschef", "enhetschef", "sas", "mas"]),
                "syfte": g.sentences(r.randint(1, 2), True, r),
                "indata": [_cap(x) for x in r.sample(OBJ, r.randint(1, 3))],
                "utdata": [_cap(x) for x in r.sample(OBJ, r.randint(1, 3))],
                "aktiviteter": akt,
                "samverkan_intern": r.sample(units, min(len(units), r.randint(0, 3))),
                "samverkan_extern": r.sample(EXTERNA, r.randint(0, 2)),
                "uppfyller": sorted(r.sample(self.paragrafer, min(len(self.paragrafer), r.randint(1, 3))))
                if self.paragrafer and r.random() < 0.8 else []})

    def decorate(self, d: Doc) -> None:
        """Add the ansvar() call and `uppfyller` to a document whose text is generated."""
        if d.id in self.uppfyller:
            d.front += f"uppfyller: [{', '.join(self.uppfyller[d.id])}]\n"
        if d.id in self.calls:
            amne = self.calls[d.id]
            call = f"\nAnsvaret för {d.amne} är fördelat så här:\n\n{{{{ ansvar(\"{amne}\") }}}}\n"
            i = next((i for i, s in enumerate(d.sections) if s.startswith("## Ansvar och roller")), 0)
            d.sections[i] += call

    # --- files ----------------------------------------------------------------------------------

    def files(self) -> dict[str, str]:
        out = {"data/ansvar.yml": self.ansvar_yml(), "data/processer.yml": self.processer_yml(),
               "data/arshjul.yml": self.arshjul_yml()}
        if self.sosfs:
            out["data/sosfs-2011-9.yml"] = self.sosfs
        out.update(self.enheter_yml())
        self.plan_ids = []
        out.update(self.kvalitetsplaner_yml())
        out.update(self.pages())
        self.out = out
        return out

    def ansvar_yml(self) -> str:
        out = ["# Ansvarsfördelning per ämne (genererad). Visas med {{ ansvar(\"ämnets-id\") }} och på",
               "# sidorna Mitt ansvar.", "#", "# Exempel: - id: avvikelser", ""]
        for a in self.amnen:
            out += [f"- id: {a.id}", f"  namn: {yq(a.namn)}", "  ansvar:"]
            for roll, uppgift, doc in a.ansvar:
                out += [f"    - roll: {roll}", f"      uppgift: {yq(uppgift)}"]
                if doc:
                    out.append(f"      dokument: {doc}")
        return "\n".join(out) + "\n"

    def processer_yml(self) -> str:
        out = ["# Förvaltningens processer (genererad): ledningsprocesser, kärnprocesser och stödprocesser.",
               "#", "# Exempel: - id: handlaggning-av-avgifter", ""]
        for p in self.processer:
            out += [f"- id: {p['id']}", f"  namn: {yq(p['namn'])}", f"  typ: {p['typ']}", f"  agare: {p['agare']}",
                    f"  syfte: {yq(p['syfte'])}", f"  indata: {_flow(p['indata'])}",
                    f"  utdata: {_flow(p['utdata'])}", "  aktiviteter:"]
            for a in p["aktiviteter"]:
                out.append(f"    - namn: {yq(a['namn'])}")
                if a["beskrivning"]:
                    out.append(f"      beskrivning: {yq(a['beskrivning'])}")
                out.append(f"      roller: [{', '.join(a['roller'])}]")
                if a["rutiner"]:
                    out.append(f"      rutiner: [{', '.join(a['rutiner'])}]")
            out += [f"  samverkan_intern: {_flow(p['samverkan_intern'])}",
                    f"  samverkan_extern: {_flow(p['samverkan_extern'])}"]
            if p["uppfyller"]:
                out.append(f"  uppfyller: [{', '.join(p['uppfyller'])}]")
        return "\n".join(out) + "\n"

    def enheter_yml(self) -> dict[str, str]:
        """One file per enhet with the nine areas. One or two leave some areas empty (not yet
        described) and one is overdue for revision: both are shown in the overview, neither is a fel."""
        r, g = self.r, self.gen
        units = [(a, u) for a, us in g.avdelningar for u in us]
        incomplete = set(r.sample(range(len(units)), min(len(units), 1 if len(units) <= 10 else 2)))
        overdue = r.randrange(len(units)) if units else -1
        out = {}
        for i, (avd, u) in enumerate(units):
            own = [d for d in self.by_unit.get(u.id, ()) if d.typ[0] in ("rutin", "instruktion", "ledningssystem")]
            wider = self.by_unit.get(avd.id, []) + self.by_unit.get(g.forvaltning.id, [])
            days = r.randint(400, 600) if i == overdue else r.randint(10, 330)
            lines = ["# Enhetens ledningssystem enligt mallen med nio områden (genererad).", "#",
                     "# Exempel: se data/enheter/_mall.yml i exempelhandboken.",
                     f"enhet: {u.id}",
                     f"ansvarig: {r.choice(['enhetschef', 'enhetschef', 'enhetschef', 'teamledare'])}",
                     f"senast_reviderad: {g.today - dt.timedelta(days=days)}"]
            if r.random() < 0.2:
                lines.append(f"revidering_manader: {r.choice([6, 24])}")
            lines.append("omraden:")
            empty = set(r.sample(OMRADEN, r.randint(1, 3))) if i in incomplete else set()
            for key in OMRADEN:
                if key in empty:
                    lines.append(f"  {key}:")
                    continue
                lines += [f"  {key}:", f"    beskrivning: {yq(g.sentences(r.randint(1, 2), True, r))}"]
                rut = r.sample(own, min(len(own), r.randint(0, 2))) + r.sample(wider, min(len(wider), r.randint(0, 1)))
                if rut:
                    lines.append(f"    rutiner: [{', '.join(dict.fromkeys(d.id for d in rut))}]")
                if r.random() < 0.5:
                    lines.append(f"    metoder: {_flow(r.sample(METODER, r.randint(1, 2)))}")
                lines.append(f"    ansvarig_niva: {r.choice(NIVAER)}")
            out[f"data/enheter/{u.id}.yml"] = "\n".join(lines) + "\n"
        return out

    def kvalitetsplaner_yml(self) -> dict[str, str]:
        r, g = self.r, self.gen
        out = {}
        start = dt.date(self.year, 1, 1)
        for avd, _units in g.avdelningar:
            pid = f"{avd.id}-{self.year}"
            self.plan_ids.append((pid, avd.namn))
            lines = ["# Kvalitetsplan (genererad): process → risk → egenkontroll → åtgärder.", "#",
                     f"# Exempel: id: {pid}", f"id: {pid}",
                     f"titel: {yq(f'Kvalitetsplan för {avd.namn} {self.year}')}",
                     f"organisation: {avd.id}", f"ar: {self.year}", "forbattringsomraden:"]
            for k in r.sample(KVALITETSOMRADEN, r.randint(2, 4)):
                lines += [f"  - kvalitetsomrade: {k}", f"    beskrivning: {yq(g.sentence(True, r))}"]
                if r.random() < 0.4:
                    lines.append(f"    resultat: {yq(g.sentence(True, r))}")
            lines.append("processer:")
            for p in r.sample(self.processer, min(len(self.processer), r.randint(2, 4))):
                lines += [f"  - process: {p['id']}", "    risker:"]
                for _ in range(r.randint(1, 3)):
                    risk = f"{_cap(r.choice(OBJ))} {r.choice(BRIST)} {r.choice(RISK_ADV)}."
                    kontroll = f"{r.choice(KONTROLL)} {r.choice(OBJ)} {r.choice(HUR_OFTA)}."
                    lines += [f"      - risk: {yq(risk)}", f"        egenkontroll: {yq(kontroll)}"]
                    if r.random() < 0.4:
                        lines.append(f"        resultat: {yq(g.sentence(True, r))}")
                    lines.append("        atgarder:")
                    for _ in range(r.randint(1, 3)):
                        klart = start + dt.timedelta(days=r.randint(30, 364))
                        status = (r.choice(["klar", "klar", "försenad", "pågår"]) if klart < g.today
                                  else r.choice(["planerad", "planerad", "pågår"]))
                        lines += [f"          - atgard: {yq(self.uppgift())}",
                                  f"            ansvarig: {r.choice(self.roller)}",
                                  f"            status: {status}", f"            klart_senast: {klart}"]
            out[f"data/kvalitetsplaner/{pid}.yml"] = "\n".join(lines) + "\n"
        return out

    def arshjul_yml(self) -> str:
        r, g = self.r, self.gen
        styrande = [d for d in g.docs if d.typ[0] in ("riktlinje", "rutin")] or g.docs
        moten = []
        for m in (1, 2, 3, 4, 5, 6, 8, 9, 10, 11, 12):       # the last Wednesday, no meeting in July
            d = dt.date(self.year + (m == 12), m % 12 + 1, 1) - dt.timedelta(days=1)
            moten.append(d - dt.timedelta(days=(d.weekday() - 2) % 7))
        out = ["# Årshjulet (genererad): återkommande uppföljning och rapportering.", "#",
               "# Exempel: - id: delegationsbeslut", f"ar: {self.year}",
               f"namndmoten: [{', '.join(str(d) for d in moten)}]", "aktiviteter:"]
        seen: set[str] = set()
        for i in range(max(12, 12 + g.n // 200)):
            frekvens = FREKVENSER[i % len(FREKVENSER)]
            amne = r.choice(AMNEN)
            text = f"{r.choice(HJUL)} {amne}"
            out += [f"  - id: {_unique(_short_slug(text), seen)}", f"    aktivitet: {yq(text)}",
                    f"    frekvens: {frekvens}"]
            if frekvens == "arsvis":
                out.append(f"    manader: [{r.randint(1, 12)}]")
            elif frekvens == "halvarsvis" and r.random() < 0.5:
                m = r.randint(1, 6)
                out.append(f"    manader: [{m}, {m + 6}]")
            elif frekvens == "kvartalsvis" and r.random() < 0.3:
                out.append("    manader: [1, 4, 7, 10]")
            out += [f"    ansvarig: {r.choice(self.roller)}",
                    f"    rapporteras_till: {r.choice(NAMNDER + ['socialchef', 'avdelningschef'])}"]
            if r.random() < 0.5:
                out.append(f"    dokument: {self.doc_about(amne, styrande).id}")
        return "\n".join(out) + "\n"

    def pages(self) -> dict[str, str]:
        """docs/ledningssystem/: the pages that show the data, each through one macro call.
        (Mitt ansvar, process and enhet pages are generated by styrdok itself.)"""
        g, r = self.gen, self.r

        def page(title: str, call: str, boost: str = "") -> str:
            return (f"---\ntitle: {yq(title)}\n{boost}---\n# {title}\n\n{g.paragraph(r)}\n{call}\n")

        low = "search:\n  boost: 0.5\n"
        def planer(folder: str) -> str:
            return "\n".join(f"- [Kvalitetsplan för {namn} {self.year}]({folder}{pid}.md)"
                             for pid, namn in self.plan_ids)

        first = self.plan_ids[0][0] if self.plan_ids else None
        index = ("- [Ansvarsfördelning](ansvarsfordelning.md)\n- [Processkarta](processkarta.md)\n"
                 "- [Enheternas ledningssystem](enheter.md)\n- [Årshjul](arshjul.md)\n"
                 + (f"- [Kvalitetsberättelse {self.year} (underlag)](kvalitetsberattelse.md)\n" if first else "")
                 + ("- [Täckning av SOSFS 2011:9](sosfs-2011-9.md)\n" if self.sosfs else "")
                 + planer("kvalitetsplaner/") + "\n")
        if self.amnen:
            index += f"\n## Ansvar för {self.amnen[0].namn.lower()}\n\n{{{{ ansvar(\"{self.amnen[0].id}\") }}}}"
        out = {
            "docs/ledningssystem/index.md": page("Ledningssystemet", index, low),
            "docs/ledningssystem/ansvarsfordelning.md": page("Ansvarsfördelning", "{{ ansvarsfordelning() }}", low),
            "docs/ledningssystem/processkarta.md": page("Processkarta", "{{ processkarta() }}"),
            "docs/ledningssystem/enheter.md": page("Enheternas ledningssystem", "{{ enheter_oversikt() }}", low),
            "docs/ledningssystem/arshjul.md": page("Årshjul", "{{ arshjul() }}"),
            "docs/ledningssystem/kvalitetsplaner/index.md": page("Kvalitetsplaner", planer("")),
        }
        if self.sosfs:
            out["docs/ledningssystem/sosfs-2011-9.md"] = page("SOSFS 2011:9 – täckning", "{{ sosfs_matris() }}", low)
        if first:
            out["docs/ledningssystem/kvalitetsberattelse.md"] = page(
                f"Kvalitetsberättelse {self.year} (underlag)", f"{{{{ kvalitetsberattelse(\"{first}\") }}}}")
        for pid, namn in self.plan_ids:
            out[f"docs/ledningssystem/kvalitetsplaner/{pid}.md"] = page(
                f"Kvalitetsplan för {namn} {self.year}", f"{{{{ kvalitetsplan(\"{pid}\") }}}}")
        return out

    def summary(self) -> str:
        n_enh = sum(1 for p in self.out if p.startswith("data/enheter/"))
        n_plan = sum(1 for p in self.out if p.startswith("data/kvalitetsplaner/"))
        return (f"{len(self.amnen)} ansvarsämnen ({len(self.calls)} dokument anropar ansvar()), "
                f"{len(self.processer)} processer, {n_enh} enheter, {n_plan} kvalitetsplaner, "
                f"{len(self.uppfyller)} dokument med uppfyller")


# --- git ----------------------------------------------------------------------------------------

def _quote(path: str) -> bytes:
    return b'"' + path.replace("\\", "\\\\").replace('"', '\\"').encode("utf-8") + b'"'


def _blob(text: str | bytes) -> bytes:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return b"data %d\n%s\n" % (len(data), data)


def fast_import_stream(gen: Generator, initial: dict[str, str | bytes], k: int) -> bytes:
    """Commit 1 adds data/ and the static pages; each document is added, then edited k-1 times."""
    r = gen.r
    start = int(dt.datetime(2021, 1, 4, 9, 0, tzinfo=dt.timezone.utc).timestamp())
    end = int(dt.datetime(2026, 10, 30, 16, 0, tzinfo=dt.timezone.utc).timestamp())
    events = []       # (timestamp, order, doc, version)
    for i, d in enumerate(gen.docs):
        times = sorted(r.randint(start + 86400, end) for _ in range(k))
        for v, t in enumerate(times):
            events.append((t, i, d, k - 1 - v))      # version counts down to 0 = final text
    events.sort(key=lambda e: (e[0], e[1]))
    out = bytearray()
    mark = 0

    def commit(ts: int, message: str) -> None:
        nonlocal mark
        mark += 1
        name, user = AUTHORS[r.randrange(len(AUTHORS))]
        out.extend(b"commit refs/heads/main\nmark :%d\n" % mark)
        who = f"{name} <{user}@bankby.se> {ts} +0100\n".encode()
        out.extend(b"author " + who + b"committer " + who)
        out.extend(_blob(message))

    commit(start, "Handboken skapas: data, startsida och sidor")
    for path, text in sorted(initial.items()):
        out.extend(b"M 100644 inline " + _quote(path) + b"\n" + _blob(text))
    for ts, _i, d, version in events:
        first = version == k - 1
        verb = "Ny" if first else r.choice(["Revidera", "Förtydliga", "Uppdatera", "Rätta"])
        commit(ts, f"{verb}: {d.titel}")
        text = d.text(None if version == 0 else version)
        out.extend(b"M 100644 inline " + _quote("docs/" + d.src_path) + b"\n" + _blob(text))
    out.extend(b"done\n")
    return bytes(out)


def git(root: Path, *args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, **kw)


def copy_layer(out: Path) -> None:
    """The repository's site layer, so the generated handbook builds like the real one."""
    for name in LAYER:
        src = REPO / name
        if src.is_dir():
            shutil.copytree(src, out / name, ignore=shutil.ignore_patterns("__pycache__"))
        elif src.exists():
            shutil.copy2(src, out / name)


def generate(out: Path, n_docs: int, commits_per_file: int = 3, seed: int = 1,
             macros: set[str] = frozenset({"dokumentlank", "roll"}), ansvar_ids: list[str] = (),
             extra_data: list[Path] = (), layer: bool = True, ledningssystem: bool = True) -> Generator:
    """Write the handbook into out (created; must be empty) and return the generator (its docs)."""
    if out.exists() and any(out.iterdir()):
        raise SystemExit(f"{out} finns redan och är inte tom")
    gen = Generator(n_docs, seed, set(macros), list(ansvar_ids), ledningssystem)
    gen.plan_documents()
    files: dict[str, str | bytes] = {
        "data/kommun.yml": gen.kommun_yml(), "data/roller.yml": gen.roller_yml(),
        "data/begrepp.yml": gen.begrepp_yml(), "data/lagrum.yml": gen.lagrum_yml(),
        ".gitignore": "site/\n.cache/\nbuild/\n",
    }
    if gen.ls:
        files.update(gen.ls.files())
    for extra in extra_data:
        files[f"data/{extra.name}"] = extra.read_bytes()
    for path, text in gen.static_pages().items():
        files[f"docs/{path}"] = text
    logo = REPO / "docs" / "assets" / "logotyp.svg"
    files["docs/assets/logotyp.svg"] = logo.read_bytes() if logo.is_file() else LOGO
    for asset in ("styrdok.css", *(LS_ASSETS if gen.ls else ())):
        if (REPO / "docs" / "assets" / asset).is_file():
            files[f"docs/assets/{asset}"] = (REPO / "docs" / "assets" / asset).read_bytes()
    out.mkdir(parents=True, exist_ok=True)
    git(out, "init", "-q", "-b", "main")
    git(out, "fast-import", "--quiet", "--done", input=fast_import_stream(gen, files, max(1, commits_per_file)))
    git(out, "reset", "-q", "--hard", "main")
    if layer:
        copy_layer(out)
    return gen


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, required=True, help="antal styrdokument")
    ap.add_argument("--out", type=Path, required=True, help="ny (tom) mapp att skriva handboken i")
    ap.add_argument("--commits-per-file", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--macros", default="dokumentlank,roll",
                    help=f"makron i sidornas text, kommaseparerat bland {', '.join(MACROS)} (tomt: inga)")
    ap.add_argument("--ansvar-ids", default="",
                    help="id:n som {{ ansvar(\"…\") }} anropas med (måste finnas i ledningssystemets data; "
                         "standard: de genererade ämnena)")
    ap.add_argument("--extra-data", type=Path, action="append", default=[],
                    help="kopiera den här filen till data/ (t.ex. ledningssystemets data för ansvar())")
    ap.add_argument("--no-layer", action="store_true", help="kopiera inte mkdocs.yml, overrides/ …")
    ap.add_argument("--no-ledningssystem", action="store_true",
                    help="skriv inte ledningssystemets data (ansvar, processer, enheter, kvalitetsplaner, "
                         "årshjul, SOSFS 2011:9) och sidorna som visar dem")
    args = ap.parse_args(argv)
    macros = {m for m in args.macros.split(",") if m}
    unknown = macros - set(MACROS)
    if unknown:
        ap.error(f"okända makron: {', '.join(sorted(unknown))}")
    ansvar = [a for a in args.ansvar_ids.split(",") if a]
    if "ansvar" in macros and not ansvar and args.no_ledningssystem:
        ap.error("--macros ansvar med --no-ledningssystem kräver --ansvar-ids")
    gen = generate(args.out, args.docs, args.commits_per_file, args.seed, macros, ansvar,
                   args.extra_data, not args.no_layer, not args.no_ledningssystem)
    words = sum(len(d.text().split()) for d in gen.docs) // max(1, len(gen.docs))
    print(f"{args.out}: {len(gen.docs)} styrdokument (i snitt {words} ord), "
          f"{sum(len(u) for _a, u in gen.avdelningar)} enheter, "
          f"{len(gen.docs) * max(1, args.commits_per_file) + 1} commits"
          + (f"; ledningssystem: {gen.ls.summary()}" if gen.ls else ""), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
