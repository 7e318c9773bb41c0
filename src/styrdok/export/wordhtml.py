"""The Word layer: the page's rendered HTML (styrdok.render.html, the site's own rendering) adapted
for paper, for pandoc's HTML reader. Nothing here reads Markdown.

What paper needs that the web page does not:

- Admonitions (`div.admonition KIND`, collapsible `details.KIND`): a framed, shaded box. The body
  goes into a `custom-style` div (paragraph style Faktaruta / Varningsruta / Tipsruta) between two
  marker paragraphs; export.body moves it into a one-cell table in the frame style. The title is
  bold; Python-Markdown's default title (the kind in English, "Note") becomes the Swedish name
  ("Observera", "Varning", "Tips" …); an empty title gives no title.
- Abbreviations (`<abbr title>`): the first use outside headings is written out,
  "MAS (Medicinskt ansvarig sjuksköterska)". Paper has no tooltips.
- Links into the intranet (relative targets, `#anchors`): plain text, the link text or, when it is
  empty, the target page's title. External links (with a scheme) stay links.
- Images: found relative to the page in docs/, or among the files the build generates (process
  diagrams); SVG becomes PNG; an image on the web becomes the text "Bild: alt (url)".
- Diagrams the site draws in the browser (`pre.mermaid`, `div.mermaid`, the diagram fence): a
  Faktaruta saying the diagram is on the website.
- Footnotes: a Python-Markdown footnote reference becomes a span pandoc's filter (FOOTNOTE_FILTER)
  turns into a real Word footnote.
- What does not print: heading permalinks (¶), `[TOC]` (the Word template has its own), form
  controls, scripts, what the site shows only on a narrow screen (the phone layout of a diagram). A tag the browser would not show (e.g. `<avvikelser>`) is unwrapped.
- A leading `<h1>` is dropped (the template prints the title) and the top heading level used
  becomes Heading 1 (pages use `##` for their sections). Element ids go (links into the page are
  text on paper, and the documents of one pandoc run must not share bookmark names).
"""
from __future__ import annotations

import copy
import hashlib
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

import lxml.html
from lxml import etree

from ..render.html import SiteAddress
from ..scan import URL_SCHEME

BOX_START = "STYRDOK-RUTA-START-"        # + paragraph style name; marker paragraphs found again in the .docx
BOX_END = "STYRDOK-RUTA-SLUT"
FOOTNOTE_CLASS = "styrdok-fotnot"
# pandoc Lua filter: the footnote spans become Word footnotes (pandoc's HTML reader has no footnotes).
FOOTNOTE_FILTER = f"""\
function Span(el)
  if el.classes:includes("{FOOTNOTE_CLASS}") then return pandoc.Note(pandoc.Para(el.content)) end
end
"""
WARNING_KINDS = {"warning", "caution", "attention", "danger", "error", "bug", "failure", "fail", "missing"}
TIP_KINDS = {"tip", "hint", "important", "success", "check", "done"}
DEFAULT_TITLES = {
    "note": "Observera", "attention": "Observera", "abstract": "Sammanfattning", "summary": "Sammanfattning",
    "tldr": "Sammanfattning", "info": "Information", "todo": "Att göra", "tip": "Tips", "hint": "Tips",
    "important": "Viktigt", "success": "Klart", "check": "Klart", "done": "Klart", "question": "Fråga",
    "help": "Fråga", "faq": "Fråga", "warning": "Varning", "caution": "Varning", "failure": "Misslyckat",
    "fail": "Misslyckat", "missing": "Saknas", "danger": "Fara", "error": "Fel", "bug": "Fel",
    "example": "Exempel", "quote": "Citat", "cite": "Citat",
}
DIAGRAM_NOTICE = "Diagrammet visas i webbversionen av handboken."
IMAGE_TYPES = {".png", ".jpg", ".jpeg", ".gif"}
MAX_IMAGE_CM = 16.0
# Not on paper: interactive and invisible elements go with their content.
DROP = {"script", "style", "noscript", "template", "select", "option", "label", "output", "button", "input",
        "textarea", "form", "iframe", "object", "embed", "video", "audio", "canvas"}
# Elements pandoc's HTML reader understands; anything else is unwrapped (its text kept).
KNOWN = {"a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "col", "colgroup", "dd", "del", "details",
         "dfn", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img",
         "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "samp", "small", "span", "strong", "sub", "summary",
         "sup", "table", "tbody", "td", "tfoot", "th", "thead", "time", "tr", "u", "ul", "var", "wbr", "section",
         "article", "aside", "header", "footer", "nav", "main", "address", "strike", "tt", "big"}
HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
# Shown by the site only on a narrow screen (docs/assets/*.css): paper is wide.
NARROW_SCREEN_ONLY = {"styrdok-diagram-smal"}


class WordHtmlError(ValueError):
    """The page cannot be put into Word (missing image, unsupported format). Swedish message."""


def box_style(kind: str) -> str:
    """The Word paragraph style of an admonition kind."""
    kind = kind.lower()
    if kind in WARNING_KINDS:
        return "Varningsruta"
    if kind in TIP_KINDS:
        return "Tipsruta"
    return "Faktaruta"


@dataclass(frozen=True)
class Image:
    """An image the body uses: `name` is how the HTML refers to it (content hash + .png/.jpg)."""
    name: str
    source: Path | None                 # a file, or None when `data` holds the content (a generated file)
    convert_svg: bool
    data: bytes | None = None


@dataclass(frozen=True)
class Prepared:
    """A body ready for pandoc: HTML (after the Word layer) and the images it refers to."""
    text: str
    images: tuple[Image, ...] = ()


@dataclass
class Sources:
    """Where a page's links and images point: the page's docs-relative path, docs/, the titles of
    pages (docs-relative path -> title), files the build generates (docs-relative path -> bytes)."""
    src_path: str | None = None
    docs_dir: Path | None = None
    link_titles: Mapping[str, str] = field(default_factory=dict)
    generated: Mapping[str, bytes] = field(default_factory=dict)
    strict_images: bool = True
    site: SiteAddress = SiteAddress()               # where the site is: links to its pages keep working


# --- parsing -----------------------------------------------------------------------------------------

def parse(html: str):
    """The HTML fragment as one <div> element holding it."""
    return lxml.html.fragment_fromstring(html or "", create_parent="div")


def serialize(root) -> str:
    out = [_escape(root.text or "")]
    out += [etree.tostring(child, encoding="unicode", method="html") for child in root]
    return "".join(out)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def classes(el) -> list[str]:
    return (el.get("class") or "").split()


def text_of(el) -> str:
    return "".join(el.itertext())


def unwrap(el) -> None:
    """Replace el by its content (text and children)."""
    parent = el.getparent()
    if parent is None:
        return
    index = parent.index(el)
    prev = el.getprevious()
    lead = el.text or ""
    if prev is not None:
        prev.tail = (prev.tail or "") + lead
    else:
        parent.text = (parent.text or "") + lead
    children = list(el)
    for offset, child in enumerate(children):
        parent.insert(index + offset, child)
    tail = el.tail or ""
    if children:
        children[-1].tail = (children[-1].tail or "") + tail
    elif prev is not None:
        prev.tail = (prev.tail or "") + tail
    else:
        parent.text = (parent.text or "") + tail
    parent.remove(el)


def remove(el) -> None:
    """Remove el, keeping its tail text."""
    parent = el.getparent()
    if parent is None:
        return
    tail = el.tail or ""
    prev = el.getprevious()
    if tail:
        if prev is not None:
            prev.tail = (prev.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(el)


def _new(tag: str, text: str = "", **attrs):
    el = etree.Element(tag, **attrs)
    el.text = text
    return el


# --- what does not print -----------------------------------------------------------------------------

def printable(root) -> None:
    """Drop what is for the screen only (permalinks, the [TOC], controls); unwrap unknown tags."""
    for el in list(root.iter()):
        if el is root or not isinstance(el.tag, str):
            if not isinstance(el.tag, str) and el.getparent() is not None:
                remove(el)          # comments, processing instructions
            continue
        if el.getparent() is None:
            continue                # already removed with an ancestor
        cls = classes(el)
        if el.tag in DROP or (el.tag == "a" and "headerlink" in cls) or (el.tag == "div" and "toc" in cls) \
                or NARROW_SCREEN_ONLY.intersection(cls):
            remove(el)
        elif el.tag not in KNOWN:
            unwrap(el)


# --- the Word layer ----------------------------------------------------------------------------------

def _footnotes(root) -> None:
    notes = {}
    for block in root.xpath(".//div[contains(concat(' ', @class, ' '), ' footnote ')]"):
        for li in block.iter("li"):
            if li.get("id"):
                notes[li.get("id")] = li
    for ref in root.xpath(".//a[contains(concat(' ', @class, ' '), ' footnote-ref ')]"):
        li = notes.get((ref.get("href") or "").lstrip("#"))
        holder = ref.getparent() if ref.getparent() is not None and ref.getparent().tag == "sup" else ref
        if li is None:
            remove(holder)
            continue
        span = _new("span", **{"class": FOOTNOTE_CLASS})
        note = copy.deepcopy(li)
        for back in note.xpath(".//a[contains(concat(' ', @class, ' '), ' footnote-backref ')]"):
            remove(back)
        parts = []
        for p in (note.findall("p") or [note]):
            text = text_of(p).strip().rstrip("\u00a0").strip()
            if text:
                parts.append(text)
        span.text = " ".join(parts)
        span.tail = holder.tail
        holder.getparent().replace(holder, span)
    for block in root.xpath(".//div[contains(concat(' ', @class, ' '), ' footnote ')]"):
        remove(block)


def _box(el, kind: str, title_el, title: str | None):
    """el (an admonition) becomes marker, custom-style div, marker."""
    style = box_style(kind)
    if title_el is not None:
        remove(title_el)
    div = _new("div", **{"data-custom-style": style})
    div.text = el.text
    for child in list(el):
        div.append(child)
    if title and title.strip():
        p = _new("p")
        p.append(_new("strong", title.strip()))
        p.tail, div.text = div.text, None
        div.insert(0, p)
    start, end = _new("p", BOX_START + style), _new("p", BOX_END)
    parent = el.getparent()
    start.tail = None
    end.tail = el.tail
    parent.replace(el, start)
    start.addnext(div)
    div.addnext(end)


def _admonitions(root) -> None:
    for el in list(root.iter("div", "details")):
        cls = classes(el)
        if el.tag == "div" and "admonition" in cls:
            kinds = [c for c in cls if c != "admonition"]
            title_el = next((c for c in el if c.tag == "p" and "admonition-title" in classes(c)), None)
        elif el.tag == "details":
            kinds = cls
            title_el = el.find("summary")
        else:
            continue
        kind = (kinds[0] if kinds else "note").lower()
        title = text_of(title_el) if title_el is not None else None
        if title is not None and title.strip() == kind.capitalize():     # Python-Markdown's default title
            title = DEFAULT_TITLES.get(kind, title)
        _box(el, kind, title_el, title)


def _diagrams(root) -> None:
    for el in list(root.iter("pre", "div")):
        if "mermaid" in classes(el) and el.getparent() is not None:
            p = _new("p")
            p.append(_new("em", DIAGRAM_NOTICE))
            box = _new("div", **{"class": "admonition note"})
            box.append(p)
            box.tail = el.tail
            el.getparent().replace(el, box)


def _abbreviations(root) -> None:
    seen: set[str] = set()
    for el in list(root.iter("abbr")):
        word, meaning = text_of(el), (el.get("title") or "").strip()
        in_heading = any(a.tag in HEADINGS for a in el.iterancestors())
        if meaning and not in_heading and word not in seen:
            seen.add(word)
            el.text, el[:] = f"{word} ({meaning})", []
        unwrap(el)


def _page_title(sources: Sources, target: str) -> str:
    here = posixpath.dirname(sources.src_path or "")
    path = posixpath.normpath(posixpath.join(here, target)) if target else (sources.src_path or "")
    candidates = [path, path + ".md", posixpath.join(path, "index.md"), posixpath.join(path, "README.md")]
    for candidate in candidates:
        candidate = posixpath.normpath(candidate)
        if candidate in sources.link_titles:
            return sources.link_titles[candidate]
    stem = posixpath.splitext(posixpath.basename(path.rstrip("/")))[0]
    return stem.replace("-", " ").capitalize() if stem else path


def _links(root, sources: Sources) -> None:
    for a in list(root.iter("a")):
        href = a.get("href")
        if href is None:
            unwrap(a)
            continue
        if URL_SCHEME.match(href) or href.startswith("//"):
            for name in list(a.attrib):
                if name != "href":
                    del a.attrib[name]
            continue
        path, _, anchor = href.partition("#")
        if not text_of(a).strip() and not len(a):
            if path and (path.endswith((".md", "/")) or "." not in posixpath.basename(path)):
                a.text = _page_title(sources, path)
            elif path:
                a.text = posixpath.basename(path)
        address = _site_link(sources, path, anchor)
        if address is None:
            unwrap(a)
            continue
        a.attrib.clear()
        a.set("href", address)


def _site_link(sources: Sources, path: str, anchor: str) -> str | None:
    """The address on the site of a link to a page or file of the handbook (mkdocs.yml's site_url); None
    without site_url, or for a link within the page or out of docs/."""
    if not sources.site.url or not path or sources.src_path is None:
        return None
    target = posixpath.normpath(posixpath.join(posixpath.dirname(sources.src_path), path))
    if target.startswith("../") or target == "..":
        return None
    if path.endswith("/") or "." not in posixpath.basename(target):
        target = posixpath.join(target, "index.md")          # a folder: its index page
    address = sources.site.of(target)
    return f"{address}#{anchor}" if address and anchor else address


def _svg_width_cm(data: bytes) -> float | None:
    """The SVG's intended width in cm (CSS px at 96 dpi), from width= or the viewBox."""
    head = data[:4000].decode("utf-8", "replace")
    root = re.search(r"<svg\b[^>]*>", head, re.S)
    if not root:
        return None
    tag = root.group(0)
    width = re.search(r'\bwidth\s*=\s*["\']\s*([\d.]+)\s*(px|cm|mm|in|pt)?\s*["\']', tag)
    if width:
        value, unit = float(width.group(1)), width.group(2) or "px"
        return value * {"px": 2.54 / 96, "cm": 1, "mm": 0.1, "in": 2.54, "pt": 2.54 / 72}[unit]
    box = re.search(r'viewBox\s*=\s*["\']\s*[-\d.]+[\s,]+[-\d.]+[\s,]+([\d.]+)', tag)
    return float(box.group(1)) * 2.54 / 96 if box else None


def _image(img, sources: Sources, images: dict[str, Image]) -> None:
    src, alt = img.get("src") or "", img.get("alt") or ""
    strict = sources.strict_images and not any(a.tag == "span" and "deletion" in classes(a) for a in img.iterancestors())

    def as_text(text: str) -> None:
        em = _new("em", text)
        em.tail = img.tail
        img.getparent().replace(img, em)

    if URL_SCHEME.match(src) or src.startswith("//"):
        return as_text(f"Bild: {alt or 'bild'} ({src})")
    here = posixpath.dirname(sources.src_path or "")
    rel = posixpath.normpath(posixpath.join(here, src.split("#")[0].split("?")[0])).lstrip("/")
    data: bytes | None = None
    source: Path | None = None
    if sources.docs_dir is not None and (sources.docs_dir / rel).is_file():
        source = sources.docs_dir / rel
    elif rel in sources.generated:
        data = sources.generated[rel]
    elif not strict:
        return as_text(f"Bild: {alt or 'bild'} ({src} finns inte längre)")
    elif sources.docs_dir is None:
        raise WordHtmlError(f"Bilden '{src}' kan inte hittas: exporten fick ingen docs-mapp att leta i.")
    else:
        raise WordHtmlError(f"Bilden '{src}' finns inte (letade efter {sources.docs_dir / rel}). Rätta sökvägen i "
                            f"sidan {sources.src_path or ''} eller lägg bilden där.")
    suffix = posixpath.splitext(rel)[1].lower()
    if suffix not in IMAGE_TYPES | {".svg"}:
        raise WordHtmlError(f"Bilden {source or rel} har formatet {suffix or 'okänt'}, som Word inte kan visa. "
                            "Spara den som PNG, JPEG eller SVG.")
    content = data if data is not None else source.read_bytes()
    digest = hashlib.sha256(content).hexdigest()[:24]
    svg = suffix == ".svg"
    name = f"{digest}.png" if svg else f"{digest}{'.jpg' if suffix == '.jpeg' else suffix}"
    images[name] = Image(name, source, svg, data if source is None else None)
    img.set("src", name)
    for attr in ("width", "height", "loading", "class", "title"):
        img.attrib.pop(attr, None)
    if svg:
        width_cm = _svg_width_cm(content)
        img.set("width", f"{min(width_cm, MAX_IMAGE_CM):.2f}cm" if width_cm else f"{MAX_IMAGE_CM:.0f}cm")


def _headings(root) -> None:
    first = next((el for el in root if isinstance(el.tag, str)), None)
    if first is not None and first.tag == "h1" and not (root.text or "").strip():
        remove(first)
    found = [el for el in root.iter(*HEADINGS)]
    if not found:
        return
    shift = min(int(el.tag[1]) for el in found) - 1
    for el in found:
        el.tag = f"h{max(1, int(el.tag[1]) - shift)}"


def adapt(root, sources: Sources) -> tuple[Image, ...]:
    """The Word layer over a printable() tree, in place (see the module docstring); the images used."""
    _footnotes(root)
    _diagrams(root)
    _admonitions(root)
    _abbreviations(root)
    _links(root, sources)
    images: dict[str, Image] = {}
    for img in list(root.iter("img")):
        _image(img, sources, images)
    _headings(root)
    for el in root.iter():
        if isinstance(el.tag, str):
            el.attrib.pop("id", None)       # many documents share one pandoc run: ids would collide
    return tuple(images[k] for k in sorted(images))


def word_html(html: str, sources: Sources) -> Prepared:
    """The site's HTML of a page as the HTML pandoc reads for Word, and the images it needs.
    Raises WordHtmlError (Swedish) for an image that is missing or in a format Word cannot show."""
    root = parse(html)
    printable(root)
    images = adapt(root, sources)
    return Prepared(serialize(root), images)
