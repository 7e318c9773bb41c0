"""Macros a page calls (`{{ begreppslista() }}`): each renders a template under templates/markdown/.

The same functions serve the site (through mkdocs-macros) and the Word export (through the strict
Jinja environment), and they never ask which output they write for: the page is rendered once
(styrdok.render.html) and every output is made from that rendering. Where Markdown cannot express
a layout (merged cells, the year grid) a macro writes HTML that the site's allowlist accepts.
"""
from __future__ import annotations

import functools
import posixpath
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import jinja2

from .. import formatting
from ..jinja import shared_env
from ..model import Handbook


def page_url(src_path: str) -> str:
    """The site URL (relative to the site root) of a docs/ page, with directory URLs."""
    stem = src_path[:-3] if src_path.endswith(".md") else src_path
    if stem == "index":
        return ""
    if stem.endswith("/index"):
        return stem[: -len("index")]
    return stem + "/"


md_text = formatting.md_text


class MacroError(Exception):
    """A macro was called with something the handbook does not have (Swedish message)."""


@functools.lru_cache(maxsize=1 << 16)
def _relative(target_src: str, folder: str) -> str:
    # The overviews link every document from the same few folders, again after every save in
    # the preview; posixpath.relpath was half of rendering them.
    return posixpath.relpath(target_src, folder)


@dataclass
class RenderContext:
    handbook: Handbook
    env: jinja2.Environment
    current_page: Callable[[], str]      # docs-relative path of the page being rendered

    def href(self, target_src: str, anchor: str = "") -> str:
        """A link from the current page to another page in docs/ (relative, .md, checked by MkDocs)."""
        rel = _relative(target_src, posixpath.dirname(self.current_page()) or ".")
        return rel + (f"#{anchor}" if anchor else "")

    def site_href(self, target_src: str) -> str:
        """A link in raw HTML on the site (MkDocs rewrites only Markdown links): the target page's URL
        relative to the current page's URL (directory URLs)."""
        here = page_url(self.current_page()).rstrip("/") or "."
        there = page_url(target_src)
        rel = posixpath.relpath(there.rstrip("/") or ".", here)
        return "./" if rel == "." else rel + ("/" if there.endswith("/") else "")

    def render(self, template: str, **values) -> str:
        return self.env.get_template(template).render(ctx=self, **values).strip("\n") + "\n"


# Each provider returns {macro name: function}. Later parts of the model (ledningssystem …) add theirs.
MacroProvider = Callable[[RenderContext], dict[str, Callable]]
PROVIDERS: list[MacroProvider] = []


def core_macros(ctx: RenderContext) -> dict[str, Callable]:
    hb = ctx.handbook

    def begreppslista() -> str:
        return ctx.render("begrepp.md.j2", begrepp=sorted(hb.begrepp, key=lambda b: b.term.casefold()))

    def lagrumslista() -> str:
        from ..lagrum import cited_by
        return ctx.render("lagrum.md.j2", lagrum=sorted(hb.lagrum.values(), key=lambda x: x.titel),
                          alla=hb.lagrum, dokument={i: cited_by(hb.dokument.values(), i) for i in hb.lagrum})

    def dokumentlista(per: str = "typ", typ: str | None = None) -> str:
        docs = sorted(hb.dokument.values(), key=lambda d: (d.typ.niva, d.titel.casefold()))
        if typ is not None:
            if typ not in hb.kommun.dokumenttyper:
                raise MacroError(f"dokumentlista(typ='{typ}'): dokumenttypen finns inte. Välj en av: "
                                 f"{', '.join(hb.kommun.dokumenttyper)}.")
            docs = [d for d in docs if d.typ.id == typ]
        if per == "typ":
            groups = [(t.plural, [d for d in docs if d.typ.id == t.id])
                      for t in sorted(hb.kommun.dokumenttyper.values(), key=lambda t: t.niva)]
        elif per == "organisation":
            groups = []
            for unit in hb.org.values():
                members = [d for d in docs if unit in d.galler_for]
                groups.append((unit.namn, members))
            groups.append(("Hela förvaltningen (ingen enhet angiven)", [d for d in docs if not d.galler_for]))
        else:
            raise MacroError(f"dokumentlista(per='{per}'): välj per='typ' eller per='organisation'.")
        return ctx.render("dokumentlista.md.j2", groups=[g for g in groups if g[1]], falt=hb.kommun.falt)

    def dokumentlank(doc_id: str) -> str:
        doc = hb.dokument.get(doc_id)
        if doc is None:
            raise MacroError(f"dokumentlank('{doc_id}'): dokumentet finns inte. Dokument-id är filnamnet "
                             "utan .md, eller nyckeln id i dokumentets front matter.")
        return f"[{md_text(doc.titel)}]({ctx.href(doc.src_path)})"

    def roll(role_id: str) -> str:
        role = hb.roller.get(role_id)
        if role is None:
            raise MacroError(f"roll('{role_id}'): rollen finns inte i data/roller.yml. Välj en av: "
                             f"{', '.join(sorted(hb.roller))}.")
        return md_text(role.namn)

    return {"begreppslista": begreppslista, "lagrumslista": lagrumslista, "dokumentlista": dokumentlista,
            "dokumentlank": dokumentlank, "roll": roll}


PROVIDERS.append(core_macros)


def make_context(handbook: Handbook, templates_dir: Path, current_page: Callable[[], str]) -> RenderContext:
    # Autoescape: every value from data or front matter is text in the Markdown the templates write.
    return RenderContext(handbook, shared_env(templates_dir / "markdown", autoescape=True), current_page)


def macro_functions(ctx: RenderContext) -> dict[str, Callable]:
    out: dict[str, Callable] = {}
    for provider in PROVIDERS:
        out.update(provider(ctx))
    return out


def abbreviation_lines(handbook: Handbook) -> str:
    """Python-Markdown abbr definitions appended to every page: the hover text for MAS, SAS …"""
    return "\n".join(f"*[{abbr}]: {text}" for abbr, text in sorted(handbook.abbreviations().items()))


def _rendered(handbook: Handbook) -> dict[tuple, str]:
    """The pages rendered with this handbook: a cache on it, not state (the handbook stays frozen)."""
    return handbook.derived("rendered_pages", dict)


@functools.lru_cache(maxsize=4096)
def _page_template(body: str) -> jinja2.Template:
    """A page's text compiled once per process: the preview renders the generated pages again
    after every save, and compiling them was two thirds of that."""
    return shared_env().from_string(body)


def render_page_markdown(handbook: Handbook, templates_dir: Path, src_path: str, body: str) -> str:
    """Render a page's macros outside MkDocs (Word export, checks) with the strict environment.

    The result is kept with the handbook: a macro's output depends only on the handbook, the
    templates, the page and its text, so `styrdok build` hands the site what the check rendered.
    """
    key = (str(templates_dir), src_path, body)
    cache = _rendered(handbook)
    if key not in cache:
        ctx = make_context(handbook, templates_dir, lambda: src_path)
        cache[key] = _page_template(body).render(**macro_functions(ctx))
    return cache[key]


def rendered_before(handbook: Handbook, templates_dir: Path, src_path: str, body: str) -> str | None:
    """What render_page_markdown gave for this page and text with this handbook, if it ran."""
    return _rendered(handbook).get((str(templates_dir), src_path, body))
