"""The accessibility statement (tillgänglighetsredogörelse) that lagen (2018:1937) om tillgänglighet
till digital offentlig service asks of a kommun's website, in the parts Digg lists: who runs the site,
how far it complies (helt, delvis, inte förenlig), what is not accessible and why, how to get content
another way and report a problem, Digg's supervision, how the site was tested and when.

Two sources: the kommun's own assessment (data/kommun.yml `webbplats.tillganglighet`) and the latest
automatic test of the built site (data/tillganglighetsgranskning.yml, written by
`styrdok tillganglighet`, see styrdok.site.granskning). The page is generated when the kommun has
written its assessment; the text is templates/markdown/tillganglighet.md.j2.
"""
from __future__ import annotations

import datetime as dt

from pydantic import Field

from . import load as core_load
from . import model as m
from .load import read_data_file
from .parts import GENERATED_PAGES, SCHEMAS
from .render.markdown import PROVIDERS, MacroError, RenderContext
from .validation import validate_model

PAGE = "tillganglighet.md"
RESULT_FILE = "tillganglighetsgranskning.yml"
DIGG_ANMALAN = "https://www.digg.se/tdosanmalan"


class AutomatiskBristFil(m.Strict):
    regel: m.Text = Field(description="axe-core-regelns id, t.ex. color-contrast.")
    beskrivning: m.Text = Field(description="Vad regeln kräver.")
    wcag: tuple[m.Text, ...] = Field((), description="Framgångskriterier i WCAG 2.1, t.ex. 1.4.3.")
    sidor: tuple[m.Text, ...] = Field(description="Sidorna där bristen finns (adresser inom webbplatsen).")


class GranskningFil(m.Strict):
    """data/tillganglighetsgranskning.yml: the latest automatic test (written by the tool, not by hand)."""

    datum: dt.date = Field(description="Dag då granskningen gjordes.")
    verktyg: m.Text = Field(description="Verktyget och dess version, t.ex. axe-core 4.10.")
    regler: m.Text = Field(description="Vilka krav som prövades, t.ex. WCAG 2.1 nivå A och AA.")
    sidor: int = Field(ge=0, description="Antal granskade sidor.")
    brister: tuple[AutomatiskBristFil, ...] = Field((), description="Det granskningen hittade, per regel.")


def load_granskning(project, handbook: m.Handbook, problems) -> dict[str, object]:
    """The latest automatic test, if there is one (Handbook.extra["tillganglighetsgranskning"])."""
    loaded = read_data_file(project, RESULT_FILE, problems, required=False)
    if loaded is None:
        return {}
    data, lines, rel = loaded
    result = validate_model(GranskningFil, data, rel, lines, problems)
    if result is None:
        return {}
    webbplats = handbook.kommun.webbplats
    if webbplats and webbplats.tillganglighet and webbplats.tillganglighet.forenlig == "helt" and result.brister:
        problems.warning("data/kommun.yml", None,
                         f"webbplats.tillganglighet.forenlig är 'helt', men den automatiska granskningen "
                         f"{result.datum} hittade {_antal(len(result.brister))} ({rel}). Rätta bristerna och kör "
                         "styrdok tillganglighet igen, eller skriv 'delvis' och beskriv bristerna.",
                         key="webbplats.tillganglighet.forenlig")
    return {"tillganglighetsgranskning": result}


def _antal(n: int) -> str:
    return "1 brist" if n == 1 else f"{n} brister"


def granskning_of(handbook: m.Handbook) -> GranskningFil | None:
    return handbook.extra.get("tillganglighetsgranskning")


def macros(ctx: RenderContext) -> dict:
    hb = ctx.handbook

    def tillganglighetsredogorelse() -> str:
        webbplats = hb.kommun.webbplats
        if webbplats is None or webbplats.tillganglighet is None:
            raise MacroError("tillganglighetsredogorelse(): data/kommun.yml har ingen webbplats.tillganglighet. "
                             "Skriv kommunens bedömning där (se exemplet överst i filen).")
        granskning = granskning_of(hb)
        bedomning = webbplats.tillganglighet
        uppdaterad = max([bedomning.bedomd] + ([granskning.datum] if granskning else []))
        return ctx.render("tillganglighet.md.j2", kommun=hb.kommun, webbplats=webbplats, bedomning=bedomning,
                          granskning=granskning, uppdaterad=uppdaterad, digg_anmalan=DIGG_ANMALAN)

    return {"tillganglighetsredogorelse": tillganglighetsredogorelse}


def pages(handbook: m.Handbook) -> list[tuple[str, str]]:
    webbplats = handbook.kommun.webbplats
    if webbplats is None or webbplats.tillganglighet is None:
        return []
    from .jinja import page_source
    return [(PAGE, page_source("tillganglighetsredogorelse.md.j2"))]


core_load.EXTRA_LOADERS.append(load_granskning)
PROVIDERS.append(macros)
GENERATED_PAGES.append(pages)
SCHEMAS["tillganglighetsgranskning"] = (f"data/{RESULT_FILE}", GranskningFil)
