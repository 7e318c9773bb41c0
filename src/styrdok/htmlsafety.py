"""Raw HTML in the handbook's Markdown: what a handbook needs passes, anything that could run is a fel.

The decision is the sanitizer's (nh3, the Rust library ammonia): each raw start tag on a page is
cleaned with the allowlist below, and whatever the cleaning would drop (a tag, an attribute, a URL
with a scheme like javascript:) is reported with the file and line. `styrdok check` reports it, so
`styrdok build` (which checks first) refuses to publish it.
"""
from __future__ import annotations

import posixpath
import re
from html.parser import HTMLParser

import nh3

from .problems import Problems
from .scan import URL_SCHEME, fenced

TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "col", "colgroup", "dd", "del", "details",
    "dfn", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img",
    "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "samp", "small", "span", "strong", "sub", "summary",
    "sup", "table", "tbody", "td", "tfoot", "th", "thead", "time", "tr", "u", "ul", "var", "wbr",
}
ATTRIBUTES = {
    "*": {"class", "id", "title", "lang", "dir", "aria-label", "aria-hidden", "role"},
    "a": {"href", "name", "hreflang"},
    "img": {"src", "alt", "width", "height", "loading"},
    "td": {"colspan", "rowspan", "align"}, "th": {"colspan", "rowspan", "align", "scope"},
    "col": {"span"}, "colgroup": {"span"}, "details": {"open"}, "ol": {"start", "type", "reversed"},
    "time": {"datetime"}, "q": {"cite"}, "blockquote": {"cite"}, "del": {"datetime"}, "ins": {"datetime"},
}
URL_SCHEMES = {"http", "https", "mailto", "tel"}
INLINE_CODE = re.compile(r"`+[^`\n]*`+")
AUTOLINK = re.compile(r"<(?:https?|mailto|tel):[^>\s]*>", re.I)
COMMENT = re.compile(r"<!--.*?-->", re.S)
# attr_list: {: onclick="…"} after a heading, a paragraph or a link adds attributes as raw HTML does.
ATTR_LIST_EVENT = re.compile(r"\{[^}\n]*?\bon[a-z]+\s*=", re.I)
MD_LINK_URL = re.compile(r"\]\(\s*<?([a-zA-Z][a-zA-Z0-9+.-]*):")


def _blank(match: re.Match) -> str:
    """Keep line numbers and columns: replace a span by spaces (newlines kept)."""
    return re.sub(r"[^\n]", " ", match.group(0))


def prose_only(body: str) -> str:
    """The body with fenced code, inline code, comments and autolinks blanked out (same lines)."""
    lines = body.split("\n")
    out = ["" if code else INLINE_CODE.sub(_blank, line) for line, code in zip(lines, fenced(lines))]
    text = "\n".join(out)
    return AUTOLINK.sub(_blank, COMMENT.sub(_blank, text))


def _attrs_text(attrs) -> str:
    return " ".join(f'{k}="{(v or "").replace(chr(34), "&quot;")}"' if v is not None else k for k, v in attrs)


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str, list]] = []

    def handle_starttag(self, tag, attrs):
        self.found.append((self.getpos()[0], tag, attrs))

    handle_startendtag = handle_starttag


# A table's parts are cleaned inside a table: an HTML parser drops them anywhere else.
_CONTEXT = {"thead": "<table>", "tbody": "<table>", "tfoot": "<table>", "caption": "<table>", "colgroup": "<table>",
            "tr": "<table><tbody>", "td": "<table><tbody><tr>", "th": "<table><tbody><tr>", "col": "<table><colgroup>"}


def _kept(tag: str, attrs) -> tuple[str | None, dict]:
    """What nh3 keeps of one start tag: (tag or None, {attribute: value})."""
    cleaned = nh3.clean(f"{_CONTEXT.get(tag, '')}<{tag} {_attrs_text(attrs)}>", tags=TAGS, attributes=ATTRIBUTES, url_schemes=URL_SCHEMES,
                        link_rel=None, generic_attribute_prefixes={"data-"}, strip_comments=False)
    parsed = _Tags()
    parsed.feed(cleaned)
    for _, kept_tag, kept_attrs in parsed.found:
        if kept_tag == tag:
            return kept_tag, dict(kept_attrs)
    return None, {}


def check_page_html(body: str, file: str, first_line: int, problems: Problems) -> list[tuple[int, str]]:
    """Report raw HTML the sanitizer would not let through; returns the (line, src) of every <img>."""
    text = prose_only(body)
    images: list[tuple[int, str]] = []
    for i, line in enumerate(text.split("\n")):
        if ATTR_LIST_EVENT.search(line):
            problems.error(file, first_line + i, "Ett attribut som kör kod (on…=) står i klamrar {…} efter texten. "
                                                 "Ta bort det: sidor får inte innehålla skript.")
        for m in MD_LINK_URL.finditer(line):
            if m.group(1).lower() not in URL_SCHEMES:
                problems.error(file, first_line + i, f"Länken använder '{m.group(1)}:', som inte är tillåtet. Länka "
                                                     "med http:, https:, mailto: eller tel:, eller till en sida i handboken.")
    if "<" not in text:
        return images
    parser = _Tags()
    parser.feed(text)
    parser.close()
    for line, tag, attrs in parser.found:
        lineno = first_line + line - 1
        kept_tag, kept = _kept(tag, attrs)
        if kept_tag is None:
            what = ("Skript" if tag == "script" else "Inbäddat innehåll" if tag in ("iframe", "object", "embed")
                    else "Formulär" if tag in ("form", "input", "button", "textarea", "select") else "HTML-taggen")
            problems.error(file, lineno, f"{what} <{tag}> är inte tillåtet i handboken. Ta bort det; tillåten HTML "
                                         "är t.ex. details/summary, abbr, kbd, sup/sub, br, tabeller, img och a.")
            continue
        for name, value in attrs:
            if name in kept:
                continue
            if name.startswith("on"):
                problems.error(file, lineno, f"Attributet {name}= på <{tag}> kör kod och är inte tillåtet. Ta bort det.")
            elif name in ("href", "src", "cite") and value:
                problems.error(file, lineno, f"Adressen '{value[:60]}' i <{tag} {name}=…> är inte tillåten (bara http:, "
                                             "https:, mailto:, tel: och sidor och filer i handboken). Ta bort eller "
                                             "rätta länken.")
            else:
                problems.error(file, lineno, f"Attributet {name}= på <{tag}> är inte tillåtet i handboken. Ta bort det.")
        if tag == "img" and kept.get("src"):
            images.append((lineno, kept["src"]))
    return images


def _page_html(body: str, file: str, first_line: int, problems: Problems) -> list[tuple[int, str]]:
    """check_page_html, its problems and images kept between runs for the same page text (memo.py)."""
    from .memo import cached

    def review() -> tuple[tuple, tuple]:
        found = Problems()
        images = check_page_html(body, file, first_line, found)
        return tuple(found.items), tuple(images)
    found, images = cached("html-granskning", (body, str(file), first_line), review)
    problems.extend(found)
    return list(images)


def check_html(handbook, project, problems: Problems) -> None:
    """Every page's raw HTML, and that the images it shows exist."""
    for page in handbook.pages.values():
        if "<" not in page.body and "{" not in page.body and "](" not in page.body:
            continue
        for lineno, src in _page_html(page.body, page.file, page.body_first_line, problems):
            if URL_SCHEME.match(src) or "{{" in src:
                continue
            dest = posixpath.normpath(posixpath.join(posixpath.dirname(page.src_path), src.split("#")[0]))
            if dest.startswith("..") or not (project.docs / dest).is_file():
                problems.error(page.file, lineno, f"Bilden '{src}' i <img> finns inte ({dest} under docs/). Rätta "
                                                  "sökvägen; den är relativ till sidans egen mapp.")


# Files under docs/ that the site serves as they are, and that a browser runs when one is opened on
# its own: an .html page or an SVG image runs its scripts at the handbook's address (with the reader's
# login to the intranet). The privacy plugin localizes what pages fetch, not what these files fetch.
SERVED_AS_MARKUP = (".html", ".htm", ".xhtml", ".svg", ".xml")
_RUNS = {"script": "Skript", "iframe": "Inbäddad sida", "frame": "Inbäddad sida", "object": "Inbäddat innehåll",
         "embed": "Inbäddat innehåll", "applet": "Inbäddat program", "base": "En ny basadress",
         "handler": "Skript", "listener": "Skript"}
# Attributes whose URL the browser fetches as part of the file (not a link a reader follows).
_FETCHED = {"src", "srcset", "poster", "background", "data", "xlink:href", "href"}
_LINKS = {"a", "area"}                  # their href is a link a reader follows; on <link>, <use>, <image> fetched
_LINK_FETCHES = {"stylesheet", "icon", "preload", "prefetch", "modulepreload", "import", "manifest"}
_CSS_URL = re.compile(r"""(?:@import\s+|url\(\s*)["']?\s*((?:https?:)?//[^"')\s]+)""", re.I)


def _scheme(value: str) -> str:
    """The URL scheme as a browser reads it (spaces and control characters inside are ignored)."""
    m = URL_SCHEME.match(re.sub(r"[\s\x00-\x1f]", "", value))
    return m.group("scheme").lower() if m else ""


def _fetched(tag: str, name: str, attrs) -> bool:
    """Whether the browser fetches the URL in attribute name of tag as the file opens."""
    if name not in _FETCHED:
        return False
    if name in ("href", "xlink:href") and tag in _LINKS:
        return False
    if tag == "link":
        return bool(_LINK_FETCHES & set((dict(attrs).get("rel") or "").lower().split()))
    return True


def check_served_file(text: str, rel: str, problems: Problems) -> None:
    """The text of an HTML or SVG file under docs/: anything that runs code or fetches from outside
    the intranet is a fel naming the file and line (check_page_html does the same for raw HTML in
    pages)."""
    def fel(line: int, what: str) -> None:
        problems.add(rel, line, f"{what} Ta bort det, eller lägg in filen som PDF eller som bild (PNG).",
                     code="html-fil")

    parser = _Tags()
    parser.feed(text)
    parser.close()
    outside = "från en annan webbplats när filen öppnas; handboken hämtar inget utanför intranätet."
    for line, tag, attrs in parser.found:
        if tag in _RUNS:
            fel(line, f"{_RUNS[tag]} (<{tag}>) körs när filen öppnas från handboken.")
        if tag == "meta" and any(k == "http-equiv" and (v or "").lower() == "refresh" for k, v in attrs):
            fel(line, "<meta http-equiv=\"refresh\"> skickar läsaren vidare när filen öppnas.")
        for name, value in attrs:
            value = value or ""
            scheme = _scheme(value)
            if name.startswith("on"):
                fel(line, f"Attributet {name}= på <{tag}> kör kod när filen öppnas från handboken.")
            elif scheme in ("javascript", "vbscript") or (scheme == "data" and "html" in value[:40].lower()):
                fel(line, f"Adressen '{value[:60]}' i <{tag} {name}=…> kör kod.")
            elif _fetched(tag, name, attrs) and (scheme in ("http", "https") or value.startswith("//")):
                fel(line, f"<{tag} {name}=\"{value[:60]}\"> hämtar något {outside} Lägg det som hämtas bredvid "
                          "filen under docs/ och hänvisa dit.")
    for m in _CSS_URL.finditer(text):
        fel(text.count("\n", 0, m.start()) + 1, f"Stilmallen hämtar '{m.group(1)[:60]}' {outside}")
