"""The site's Markdown (Python-Markdown + mkdocs-material extensions) as pandoc Markdown for Word.

One Markdown, two outputs: every construct the site allows has a defined Word form here.

- Admonitions (`!!! note "Titel"`, collapsible `??? note`, `???+ note`): a framed, shaded box (a
  one-cell table in table style "Faktaruta ram") holding the body in paragraph style Faktaruta,
  the title in bold. warning/danger/error/… → Varningsruta, tip/success/… → Tipsruta, the rest
  Faktaruta. A missing title becomes the kind's Swedish name ("Observera", "Varning", "Tips" …:
  the site shows the English one); `""` gives no title.
- Abbreviations (`*[MAS]: Medicinskt ansvarig sjuksköterska`): the definition line goes; the
  first use in running text is written out once, "MAS (Medicinskt ansvarig sjuksköterska)".
  Paper has no tooltips.
- Attribute lists (`{: .klass #id }`) and `[TOC]`: removed. WordDocument.toc gives a real table
  of contents instead.
- Definition lists, footnotes, pipe tables, fenced code: pandoc reads them as the site does;
  tables become Word tables whose header row repeats on every page.
- Links to pages in docs/ (`[text](../rutiner/x.md#del)`): plain text, the link text or, when it
  is empty, the target's title (a printed decision cannot follow a link into the intranet).
  Links to a heading (`#del`) or to another file in docs/: plain text. External links and
  `<https://…>` stay links. Reference-style links become inline links first.
- Images (`![alt](bild.png)`): the image, found relative to the page in docs/; SVG is converted
  to PNG (resvg); an image on the web becomes the text "Bild: alt (url)".
- Raw HTML never reaches pandoc: `<br>` → line break (a space inside a table row), `<b>`/
  `<strong>` → bold, `<i>`/`<em>` → italic, `<a href>` → link, `<img>` → image, `<table>` → a
  Word table (rowspan/colspan become merged cells); comments and every other tag are removed,
  their text kept (a tag the browser would hide, like `<avvikelser>`, is hidden in Word too).
- Mermaid diagrams (```` ```mermaid ````): a Faktaruta saying the diagram is on the website.
- Grouped tables (`<!-- styrdok: grupperad tabell -->` before a pipe table, see
  grouped_table_markdown): an empty cell continues the cell above, as a merged cell (w:vMerge).
- A leading `# Titel` is dropped (the template prints the title) and the top heading level
  used becomes Heading 1 (pages use `##` for their sections).

The conversion has two stages so that the comparison copy can diff the text in between:
`prepare_markdown` (everything above, output still line-oriented) and `finalize_markdown`
(grouped tables become pandoc grid tables with row spans, whose ASCII layout depends on the
final cell text).
"""
from __future__ import annotations

import hashlib
import html
import html.parser
import posixpath
import re
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Sequence

# Marker lines: plain paragraphs pandoc passes through unchanged, found again in the .docx.
BOX_START = "STYRDOK-RUTA-START-"        # + paragraph style name
BOX_END = "STYRDOK-RUTA-SLUT"
GROUPED_MARKER_COMMENT = "<!-- styrdok: grupperad tabell -->"
GROUPED_LINE = "STYRDOK-GRUPPERAD-TABELL"
MARKER_LINE = re.compile(r"^STYRDOK-[A-ZÅÄÖ-]+[A-Za-zåäöÅÄÖ]*$")

ADMONITION = re.compile(
    r'^(?P<indent> *)(?P<mark>!!!|\?\?\?\+?)[ \t]+(?P<kind>[\w-]+)(?P<mods>(?:[ \t]+[\w-]+)*)'
    r'(?:[ \t]+"(?P<title>[^"]*)")?[ \t]*$')
FENCE = re.compile(r"^(?P<indent> *)(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
ABBR_DEF = re.compile(r"^ {0,3}\*\[(?P<abbr>[^\]]+)\]:[ \t]*(?P<text>.*)$")
LINK_DEF = re.compile(r'^ {0,3}\[(?P<label>[^\]^][^\]]*)\]:[ \t]*<?(?P<url>[^\s>]+)>?'
                      r'(?:[ \t]+(?:"[^"]*"|\'[^\']*\'|\([^)]*\)))?[ \t]*$')
ATTR_LIST = re.compile(r'[ \t]*\{:?[ \t]*(?:[#.][\w-]+|[\w-]+=(?:"[^"]*"|\'[^\']*\'|[^\s}]+))'
                       r'(?:[ \t]+(?:[#.][\w-]+|[\w-]+=(?:"[^"]*"|\'[^\']*\'|[^\s}]+)))*[ \t]*\}')
BLOCK_ATTR = re.compile(r"^ *\{:[^}]*\}[ \t]*$")
INLINE_CODE = re.compile(r"(`+)(?:(?!\1).)+?\1")
LINK = re.compile(r'(?P<bang>!?)\[(?P<text>(?:[^\[\]]|\[[^\[\]]*\])*)\]\(\s*<?(?P<target>[^)\s>]*)>?'
                  r'(?:\s+(?:"[^"]*"|\'[^\']*\'))?\s*\)')
REF_LINK = re.compile(r'(?<![\]!])\[(?P<text>(?:[^\[\]]|\[[^\[\]]*\])+)\](?:\[(?P<label>[^\]]*)\])?(?![(\[:{])')
SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)
HTML_TAG = re.compile(r"</?(?P<name>[A-Za-z][A-Za-z0-9]*)(?P<attrs>(?:\s+[^<>]*?)?)\s*/?>")
ATX = re.compile(r"^(?P<hashes>#{1,6})(?P<rest>(?:[ \t]+.*)?|[^#\s].*)$")
TABLE_ROW = re.compile(r"^ {0,3}\|")

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
IMAGE_TYPES = {".png", ".jpg", ".jpeg", ".gif"}
MAX_IMAGE_CM = 16.0


class MarkdownError(ValueError):
    """The page cannot be converted (missing image, unsupported format). Swedish message."""


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
    """An image the body uses: `name` is how the Markdown refers to it (content hash + .png/.jpg)."""
    name: str
    source: Path
    convert_svg: bool


@dataclass(frozen=True)
class Prepared:
    """Output of prepare_markdown: pandoc Markdown (before grid tables) and the images it needs."""
    text: str
    images: tuple[Image, ...] = ()


@dataclass
class _Context:
    src_path: str | None
    docs_dir: Path | None
    link_titles: Mapping[str, str]
    strict_images: bool = True
    images: dict[str, Image] = field(default_factory=dict)


# --- small helpers --------------------------------------------------------------------------------

def escape_text(text: str) -> str:
    """Text (a title, a cell) as literal Markdown."""
    return re.sub(r"([\\`*_\[\]<>#|{}])", r"\\\1", text)


def _mask_code(line: str) -> tuple[str, list[str]]:
    """Inline code spans replaced by \x00N\x00 so that nothing else touches them."""
    saved: list[str] = []

    def keep(m: re.Match) -> str:
        saved.append(m.group(0))
        return f"\x00{len(saved) - 1}\x00"

    return INLINE_CODE.sub(keep, line), saved


def _unmask(line: str, saved: list[str]) -> str:
    return re.sub(r"\x00(\d+)\x00", lambda m: saved[int(m.group(1))], line)


def _segments(lines: list[str]):
    """Split lines into (is_code, lines) runs: fenced code blocks are left exactly as written."""
    out: list[tuple[bool, list[str]]] = []
    buf: list[str] = []
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if m:
            fence = m.group("fence")
            j = i + 1
            while j < len(lines):
                close = FENCE.match(lines[j])
                if close and close.group("fence")[0] == fence[0] and len(close.group("fence")) >= len(fence) \
                        and not close.group("info").strip():
                    break
                j += 1
            if buf:
                out.append((False, buf))
                buf = []
            out.append((True, lines[i:j + 1]))
            i = j + 1
            continue
        buf.append(lines[i])
        i += 1
    if buf:
        out.append((False, buf))
    return out


def map_text_lines(lines: list[str], fn) -> list[str]:
    """Apply fn(line) to every line outside fenced code and with inline code masked."""
    out: list[str] = []
    for is_code, seg in _segments(lines):
        if is_code:
            out.extend(seg)
            continue
        for line in seg:
            masked, saved = _mask_code(line)
            out.append(_unmask(fn(masked), saved))
    return out


# --- raw HTML ---------------------------------------------------------------------------------------

class _TableParser(html.parser.HTMLParser):
    """An HTML <table> as rows of (text, rowspan, colspan, is_header)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.rows: list[list[list]] = []
        self._cell: list | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            if not self.rows:
                self.rows.append([])
            def span(name):
                try:
                    return max(1, int(a.get(name) or 1))
                except ValueError:
                    return 1
            self._cell = ["", span("rowspan"), span("colspan"), tag == "th"]
            self.rows[-1].append(self._cell)
        elif tag == "br" and self._cell is not None:
            self._cell[0] += " "
        elif tag in ("strong", "b") and self._cell is not None:
            self._cell[0] += "**"
        elif tag in ("em", "i") and self._cell is not None:
            self._cell[0] += "*"

    def handle_endtag(self, tag):
        if tag in ("td", "th"):
            self._cell = None
        elif tag in ("strong", "b") and self._cell is not None:
            self._cell[0] += "**"
        elif tag in ("em", "i") and self._cell is not None:
            self._cell[0] += "*"

    def handle_data(self, data):
        if self._cell is not None:
            self._cell[0] += escape_text(data)


def html_table_to_grid(table_html: str) -> str:
    """An HTML table (with rowspan/colspan) as a pandoc grid table, or "" if it has no cells."""
    parser = _TableParser()
    parser.feed(table_html)
    rows = [r for r in parser.rows if r]
    if not rows:
        return ""
    # Lay the cells out on a grid, honouring spans.
    grid: dict[tuple[int, int], tuple[int, int]] = {}    # (row, col) -> origin (row, col)
    origins: dict[tuple[int, int], tuple[str, int, int]] = {}
    ncols = 0
    for r, row in enumerate(rows):
        c = 0
        for text, rowspan, colspan, _ in row:
            while (r, c) in grid:
                c += 1
            origins[(r, c)] = (re.sub(r"\s+", " ", text).strip(), rowspan, colspan)
            for dr in range(rowspan):
                for dc in range(colspan):
                    grid[(r + dr, c + dc)] = (r, c)
            c += colspan
            ncols = max(ncols, c)
    nrows = max(r for r, _ in grid) + 1
    header = all(cell[3] for cell in rows[0]) and nrows > 1
    return _grid_table(nrows, ncols, grid, origins, header_rows=1 if header else 0)


def _convert_html(text: str) -> str:
    """Raw HTML out, meaning kept (see the module table). Works on the whole text, outside code."""
    text = HTML_COMMENT.sub(lambda m: GROUPED_LINE if _is_grouped_comment(m.group(0)) else "", text)

    def table(m: re.Match) -> str:
        return "\n\n" + html_table_to_grid(m.group(0)) + "\n\n"

    text = re.sub(r"<table\b.*?</table\s*>", table, text, flags=re.S | re.I)

    def anchor(m: re.Match) -> str:
        href = re.search(r'href\s*=\s*["\']([^"\']*)["\']', m.group("attrs"), re.I)
        inner = m.group("inner")
        return f"[{inner}]({href.group(1)})" if href else inner

    text = re.sub(r"<a\b(?P<attrs>[^>]*)>(?P<inner>.*?)</a\s*>", anchor, text, flags=re.S | re.I)

    def image(m: re.Match) -> str:
        src = re.search(r'src\s*=\s*["\']([^"\']*)["\']', m.group(0), re.I)
        alt = re.search(r'alt\s*=\s*["\']([^"\']*)["\']', m.group(0), re.I)
        return f"![{alt.group(1) if alt else ''}]({src.group(1)})" if src else ""

    text = re.sub(r"<img\b[^>]*>", image, text, flags=re.I)
    lines = []
    for line in text.split("\n"):
        br = "<br" in line.lower()
        if br:
            sep = " " if TABLE_ROW.match(line) else "\\\n"
            line = re.sub(r"<br\s*/?>\s*", sep, line, flags=re.I)
        lines.append(line)
    text = "\n".join(lines)
    text = re.sub(r"</?(?:strong|b)\s*>", "**", text, flags=re.I)
    text = re.sub(r"</?(?:em|i)\s*>", "*", text, flags=re.I)
    # a removed tag between two words leaves one space, not two
    return re.sub(r"( ?)" + HTML_TAG.pattern + r"( ?)",
                  lambda m: " " if m.group(1) or m.group(4) else "", text)


def _is_grouped_comment(comment: str) -> bool:
    return re.sub(r"\s+", " ", comment.strip()) == GROUPED_MARKER_COMMENT


# --- admonitions ------------------------------------------------------------------------------------

def _admonitions(lines: list[str]) -> list[str]:
    out: list[str] = []
    i = 0
    in_fence: str | None = None
    while i < len(lines):
        line = lines[i]
        fence = FENCE.match(line)
        if fence and (in_fence is None or fence.group("fence").startswith(in_fence)):
            in_fence = None if in_fence else fence.group("fence")
            out.append(line)
            i += 1
            continue
        m = None if in_fence else ADMONITION.match(line)
        if not m:
            out.append(line)
            i += 1
            continue
        indent = len(m.group("indent"))
        kind = m.group("kind").lower()
        title = m.group("title")
        if title is None:
            title = DEFAULT_TITLES.get(kind, kind.capitalize())
        body: list[str] = []
        i += 1
        while i < len(lines) and (not lines[i].strip() or len(lines[i]) - len(lines[i].lstrip(" ")) >= indent + 4):
            body.append(lines[i][indent + 4:] if lines[i].strip() else "")
            i += 1
        while body and not body[-1].strip():
            body.pop()
        style = box_style(kind)
        pad = " " * indent
        out += ["", pad + BOX_START + style, "", pad + f'::: {{custom-style="{style}"}}']
        if title.strip():
            out += [pad + f"**{escape_text(title.strip())}**", ""]
        out += [pad + b if b else "" for b in _admonitions(body)]
        out += [pad + ":::", "", pad + BOX_END, ""]
    return out


# --- links and images ------------------------------------------------------------------------------

def _resolve(ctx: _Context, target: str) -> str:
    here = posixpath.dirname(ctx.src_path or "")
    path = posixpath.normpath(posixpath.join(here, target)) if target else (ctx.src_path or "")
    return path.lstrip("./") if path.startswith("./") else path


def _page_title(ctx: _Context, target_path: str) -> str:
    path = _resolve(ctx, target_path)
    candidates = [path, path + ".md", posixpath.join(path, "index.md"), posixpath.join(path, "README.md")]
    if path.endswith("/"):
        candidates.insert(0, path + "index.md")
    for candidate in candidates:
        candidate = posixpath.normpath(candidate)
        if candidate in ctx.link_titles:
            return ctx.link_titles[candidate]
    stem = posixpath.splitext(posixpath.basename(path.rstrip("/")))[0]
    return stem.replace("-", " ").capitalize() if stem else path


def _image(ctx: _Context, alt: str, target: str) -> str:
    if SCHEME.match(target) or target.startswith("//"):
        return f"*Bild: {alt or 'bild'} ({target})*"
    if ctx.docs_dir is None:
        raise MarkdownError(f"Bilden '{target}' kan inte hittas: exporten fick ingen docs-mapp att leta i.")
    path = _resolve(ctx, target.split("#")[0].split("?")[0])
    source = (ctx.docs_dir / path)
    if not source.is_file() and not ctx.strict_images:
        return f"*Bild: {alt or 'bild'} ({target} finns inte längre)*"
    if not source.is_file():
        raise MarkdownError(f"Bilden '{target}' finns inte (letade efter {source}). Rätta sökvägen i sidan "
                            f"{ctx.src_path or ''} eller lägg bilden där.")
    suffix = source.suffix.lower()
    if suffix not in IMAGE_TYPES | {".svg"}:
        raise MarkdownError(f"Bilden {source} har formatet {suffix or 'okänt'}, som Word inte kan visa. "
                            "Spara den som PNG, JPEG eller SVG.")
    data = source.read_bytes()
    digest = hashlib.sha256(data).hexdigest()[:24]
    svg = suffix == ".svg"
    name = f"{digest}.png" if svg else f"{digest}{'.jpg' if suffix == '.jpeg' else suffix}"
    ctx.images[name] = Image(name, source, svg)
    attrs = ""
    if svg:
        width_cm = _svg_width_cm(data)
        attrs = f"{{width={min(width_cm, MAX_IMAGE_CM):.2f}cm}}" if width_cm else f"{{width={MAX_IMAGE_CM:.0f}cm}}"
    return f"![{alt}]({name}){attrs}"


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


def _links_and_images(ctx: _Context, line: str) -> str:
    def link(m: re.Match) -> str:
        text, target = m.group("text"), m.group("target")
        if m.group("bang"):
            return _image(ctx, text, target)
        if SCHEME.match(target) or target.startswith("//"):
            return m.group(0)
        if target.startswith("#") or not target:
            return text
        path = target.split("#")[0]
        if text.strip():
            return text
        if path.endswith(".md") or path.endswith("/") or "." not in posixpath.basename(path):
            return escape_text(_page_title(ctx, path))
        return escape_text(posixpath.basename(path))

    return LINK.sub(link, line)


def _reference_links(lines: list[str]) -> list[str]:
    """Reference-style links ([text][id], [id][], [id]) become inline links; definitions go."""
    defs: dict[str, str] = {}
    kept: list[str] = []
    for is_code, seg in _segments(lines):
        for line in seg:
            m = None if is_code else LINK_DEF.match(line)
            if m:
                defs[m.group("label").strip().lower()] = m.group("url")
            else:
                kept.append(line)
    if not defs:
        return kept

    def ref(m: re.Match) -> str:
        label = (m.group("label") or m.group("text")).strip().lower()
        if label in defs:
            return f"[{m.group('text')}]({defs[label]})"
        return m.group(0)

    return map_text_lines(kept, lambda line: REF_LINK.sub(ref, line))


# --- abbreviations ----------------------------------------------------------------------------------

def _abbreviations(lines: list[str]) -> list[str]:
    defs: dict[str, str] = {}
    kept: list[str] = []
    for is_code, seg in _segments(lines):
        for line in seg:
            m = None if is_code else ABBR_DEF.match(line)
            if m:
                defs[m.group("abbr").strip()] = m.group("text").strip()
            else:
                kept.append(line)
    if not defs:
        return kept
    pending = dict(defs)

    def expand(line: str) -> str:
        if not pending or not line.strip() or ATX.match(line.lstrip()) or MARKER_LINE.match(line.strip()) \
                or line.lstrip().startswith(":::"):
            return line
        # leave link targets alone
        parts = re.split(r"(\]\([^)]*\))", line)
        for index in range(0, len(parts), 2):
            for abbr in list(pending):
                pattern = re.compile(r"(?<![\w-])" + re.escape(abbr) + r"(?![\w-])")
                if pattern.search(parts[index]):
                    meaning = escape_text(pending.pop(abbr))
                    parts[index] = pattern.sub(lambda m: f"{abbr} ({meaning})", parts[index], count=1)
        return "".join(parts)

    return map_text_lines(kept, expand)


# --- headings ---------------------------------------------------------------------------------------

def _headings(lines: list[str]) -> list[str]:
    """Setext headings to ATX; drop a leading H1 (the template prints the title); top level → Heading 1."""
    out: list[str] = []
    for is_code, seg in _segments(lines):
        if is_code:
            out.extend(seg)
            continue
        i = 0
        while i < len(seg):
            line = seg[i]
            nxt = seg[i + 1] if i + 1 < len(seg) else ""
            prev = out[-1] if out else ""
            if (line.strip() and not line.startswith((" ", "\t")) and not TABLE_ROW.match(line)
                    and not re.match(r"^([-*+]|\d+[.)])\s", line) and not prev.strip()
                    and re.match(r"^(=+|-+)\s*$", nxt) and not MARKER_LINE.match(line.strip())):
                out.append(("# " if nxt.startswith("=") else "## ") + line.strip())
                i += 2
                continue
            out.append(line)
            i += 1
    first = next((k for k, line in enumerate(out) if line.strip()), None)
    if first is not None and re.match(r"^#[ \t]+", out[first]) and not out[first].startswith("##"):
        del out[first]
    levels = []
    for is_code, seg in _segments(out):
        if not is_code:
            levels += [len(m.group("hashes")) for m in map(ATX.match, seg) if m]
    shift = (min(levels) - 1) if levels else 0
    if shift <= 0:
        return out

    def lower(line: str) -> str:
        m = ATX.match(line)
        if not m:
            return line
        rest = m.group("rest")
        return "#" * max(1, len(m.group("hashes")) - shift) + (rest if rest.startswith((" ", "\t")) else " " + rest)

    return map_text_lines(out, lower)


# --- grouped tables ---------------------------------------------------------------------------------

def grouped_table_markdown(headers: Sequence[str], rows: Sequence[Sequence[str | None]]) -> str:
    """A table whose cells can span rows, as Markdown that both outputs understand.

    `rows` holds one sequence per row, one entry per column; `None` means "the same cell as the
    one above" (a merged cell), e.g. for the kvalitetsplan:

        grouped_table_markdown(["Process", "Risk", "Egenkontroll", "Åtgärd"], [
            ["Avvikelsehantering", "Avvikelser rapporteras inte", "Stickprov", "Utbildning"],
            [None, "Utredning dröjer", "Uppföljning av ärendetid", "Påminnelser"],
            ["Lex Sarah", "…", "…", "…"],
        ])

    The result is the marker comment `<!-- styrdok: grupperad tabell -->`, a blank line and a pipe
    table in which a merged cell is empty. The site (Python-Markdown) shows the pipe table with the
    group's text once and blank cells under it (the comment is invisible); the Word export turns
    the empty cells into real merged cells (w:vMerge). Text is escaped; an empty string is written
    as "–" so that it is not mistaken for a merged cell.
    """
    width = len(headers)
    if not width:
        raise ValueError("grouped_table_markdown: tabellen behöver minst en kolumn")

    def cell(value: str | None) -> str:
        if value is None:
            return ""
        text = re.sub(r"\s+", " ", str(value)).strip()
        return escape_text(text) if text else "–"

    lines = [GROUPED_MARKER_COMMENT, "", "| " + " | ".join(cell(h) or "–" for h in headers) + " |",
             "|" + "|".join("---" for _ in headers) + "|"]
    for r, row in enumerate(rows):
        if len(row) != width:
            raise ValueError(f"grouped_table_markdown: rad {r + 1} har {len(row)} celler, rubriken {width}")
        if r == 0 and any(v is None for v in row):
            raise ValueError("grouped_table_markdown: första raden kan inte fortsätta en cell ovanför (None)")
        lines.append("| " + " | ".join(cell(v) for v in row) + " |")
    return "\n".join(lines) + "\n"


def _split_row(line: str) -> list[str]:
    line = line.strip()
    if line.startswith("|"):
        line = line[1:]
    if line.endswith("|") and not line.endswith("\\|"):
        line = line[:-1]
    masked, saved = _mask_code(line)
    return [_unmask(c, saved).strip() for c in re.split(r"(?<!\\)\|", masked)]


def _grid_table(nrows: int, ncols: int, grid: dict, origins: dict, header_rows: int) -> str:
    """Render a pandoc grid table. grid maps every (row, col) to the origin cell covering it."""
    wrapped: dict[tuple[int, int], list[str]] = {}
    widths = [3] * ncols
    for (r, c), (text, rowspan, colspan) in origins.items():
        lines = _wrap(text, max(12, 40 * colspan))
        wrapped[(r, c)] = lines
        if colspan == 1:
            # pandoc sizes the columns by these widths: leave room for the longest word, so that a
            # narrow column does not break "Avvikelsehantering" in the middle
            longest = max((len(w) for w in re.sub(r"\{[^}]*\}", "", text).split()), default=0)
            widths[c] = max(widths[c], *(len(x) for x in lines), int(longest * 1.3) + 2)
    for (r, c), (text, rowspan, colspan) in origins.items():   # spanning cells: widen the last column
        if colspan > 1:
            need = max(len(x) for x in wrapped[(r, c)])
            have = sum(widths[c:c + colspan]) + 3 * (colspan - 1)
            if need > have:
                widths[c + colspan - 1] += need - have

    def covered_below(r: int, c: int) -> bool:
        """True if (r, c) and (r+1, c) belong to the same cell (no line between them)."""
        return r + 1 < nrows and grid.get((r, c)) is not None and grid.get((r, c)) == grid.get((r + 1, c))

    def covered_right(r: int, c: int) -> bool:
        return c + 1 < ncols and grid.get((r, c)) is not None and grid.get((r, c)) == grid.get((r, c + 1))

    def border(r: int) -> str:
        """The separator line below row r (r = -1: the top line)."""
        fill = "=" if header_rows and r == header_rows - 1 else "-"
        parts = []
        for c in range(ncols):
            open_ = r >= 0 and covered_below(r, c)
            left_open = c > 0 and r >= 0 and covered_below(r, c - 1)
            if c == 0:
                parts.append("|" if open_ else "+")
            else:
                joined_above = r >= 0 and covered_right(r, c - 1)
                joined_below = r + 1 < nrows and covered_right(r + 1, c - 1)
                if open_ and left_open:
                    parts.append(" " if grid.get((r, c)) == grid.get((r, c - 1)) else "|")
                elif joined_above and joined_below and not open_:
                    parts.append(fill)
                else:
                    parts.append("+")
            parts.append(" " * (widths[c] + 2) if open_ else fill * (widths[c] + 2))
        parts.append("|" if r >= 0 and covered_below(r, ncols - 1) else "+")
        return "".join(parts)

    # Lines of text each row shows: an origin cell's lines start in its first row.
    out = [border(-1)]
    for r in range(nrows):
        height = max([len(wrapped[(r, c)]) for c in range(ncols) if (r, c) in wrapped] or [1])
        for k in range(height):
            parts = []
            c = 0
            while c < ncols:
                origin = grid.get((r, c))
                span = 1
                if origin is not None:
                    _, _, colspan = origins[origin]
                    span = colspan - (c - origin[1])
                text = ""
                if origin == (r, c) and k < len(wrapped[(r, c)]):
                    text = wrapped[(r, c)][k]
                w = sum(widths[c:c + span]) + 3 * (span - 1)
                parts.append("| " + text.ljust(w) + " ")
                c += span
            out.append("".join(parts) + "|")
        out.append(border(r))
    return "\n".join(out)


def _wrap(text: str, width: int) -> list[str]:
    """Wrap cell text for a grid table without breaking inside a span's {attributes}."""
    blocks: list[str] = []

    def keep(m: re.Match) -> str:
        blocks.append(m.group(0))
        return f"\x01{len(blocks) - 1}\x01"

    masked = re.sub(r"\{[^}]*\}", keep, text)
    lines = textwrap.wrap(masked, width=width, break_long_words=False, break_on_hyphens=False) or [""]
    return [re.sub(r"\x01(\d+)\x01", lambda m: blocks[int(m.group(1))], line) for line in lines]


def _grouped_to_grid(lines: list[str]) -> list[str]:
    """A pipe table after the grouped-table marker becomes a grid table with row spans."""
    out: list[str] = []
    i = 0
    while i < len(lines):
        if lines[i].strip() != GROUPED_LINE:
            out.append(lines[i])
            i += 1
            continue
        i += 1
        while i < len(lines) and not lines[i].strip():
            i += 1
        j = i
        while j < len(lines) and TABLE_ROW.match(lines[j]):
            j += 1
        table = lines[i:j]
        if len(table) < 2:
            continue
        header = _split_row(table[0])
        body = [_split_row(line) for line in table[2:]]
        ncols = len(header)
        cells = [header] + [(row + [""] * ncols)[:ncols] for row in body]
        grid: dict = {}
        origins: dict = {}
        for r, row in enumerate(cells):
            for c, text in enumerate(row):
                if r >= 2 and not text and grid.get((r - 1, c)) is not None and grid[(r - 1, c)][0] >= 1:
                    origin = grid[(r - 1, c)]
                    grid[(r, c)] = origin
                    t, span, colspan = origins[origin]
                    origins[origin] = (t, span + 1, colspan)
                else:
                    grid[(r, c)] = (r, c)
                    origins[(r, c)] = (text, 1, 1)
        out.append(_grid_table(len(cells), ncols, grid, origins, header_rows=1))
        i = j
    return out


# --- the two stages ---------------------------------------------------------------------------------

def prepare_markdown(markdown: str, *, src_path: str | None = None, docs_dir: Path | None = None,
                     link_titles: Mapping[str, str] | None = None, strict_images: bool = True) -> Prepared:
    """Stage 1: the site dialect as line-oriented pandoc Markdown (see the module docstring).

    src_path is the page's path relative to docs_dir (for links and images); link_titles maps a
    docs-relative page path to its title. A leading `# H1` is dropped (the template prints the title).
    Raises MarkdownError (Swedish) for an image that is missing or in a format Word cannot show;
    with strict_images=False a missing image becomes a line of text (an old version's image).
    """
    ctx = _Context(src_path, docs_dir, link_titles or {}, strict_images)
    text = markdown.replace("\r\n", "\n").replace("\r", "\n")
    lines = [re.sub(r"^\t+", lambda m: "    " * len(m.group(0)), line) for line in text.split("\n")]
    # mermaid and other diagram fences: shown on the site only
    out: list[str] = []
    for is_code, seg in _segments(lines):
        m = FENCE.match(seg[0]) if is_code else None
        if m and m.group("info").strip().lstrip("{.").split()[:1] == ["mermaid"]:
            pad = m.group("indent")
            out += ["", pad + BOX_START + "Faktaruta", "", pad + '::: {custom-style="Faktaruta"}',
                    pad + "*Diagrammet visas i webbversionen av handboken.*", pad + ":::", "", pad + BOX_END, ""]
        else:
            out.extend(seg)
    lines = out
    # raw HTML, outside code (whole segments, tables and comments span lines)
    out = []
    for is_code, seg in _segments(lines):
        if is_code:
            out.extend(seg)
            continue
        masked, saved = _mask_code("\n".join(seg))     # code spans never cross a line
        out.extend(_unmask(_convert_html(masked), saved).split("\n"))
    lines = out
    lines = [line for line in lines if not BLOCK_ATTR.match(line) and line.strip() != "[TOC]"]
    lines = map_text_lines(lines, lambda line: line if line.lstrip().startswith(":::") else ATTR_LIST.sub("", line))
    lines = _reference_links(lines)
    lines = _admonitions(lines)
    lines = map_text_lines(lines, lambda line: _links_and_images(ctx, line))
    lines = _abbreviations(lines)
    lines = _headings(lines)
    text = "\n".join(lines).strip("\n") + "\n"
    text = re.sub(r"\n{3,}", "\n\n", text)
    return Prepared(text, tuple(ctx.images[k] for k in sorted(ctx.images)))


def finalize_markdown(text: str) -> str:
    """Stage 2: grouped tables become grid tables with row spans (merged cells in Word)."""
    lines = text.split("\n")
    out: list[str] = []
    for is_code, seg in _segments(lines):
        out.extend(seg if is_code else _grouped_to_grid(seg))
    return "\n".join(out)


def to_pandoc_markdown(markdown: str, *, src_path: str | None = None, docs_dir: Path | None = None,
                       link_titles: Mapping[str, str] | None = None) -> Prepared:
    """Both stages: the Markdown pandoc reads for Word, and the images it refers to."""
    prepared = prepare_markdown(markdown, src_path=src_path, docs_dir=docs_dir, link_titles=link_titles)
    return Prepared(finalize_markdown(prepared.text), prepared.images)
