"""The text of a built site page as a reader meets it, one line per block, for golden files
(tests/golden/, refreshed only with STYRDOK_GOLDEN=uppdatera).

The page's content (the theme's <article>): headings marked with #, list items with -, table rows
with their cells between |, a term and its description on one line; the link targets of the page's
what a reader never sees is left out (scripts, the hidden search words, the
headings' ¶ anchors, icons); ordered lists keep their numbers, pictures show their alt text.
"""
from __future__ import annotations

from html.parser import HTMLParser

_BLOCKS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "tr", "dt", "dd", "div", "section", "nav", "details",
           "summary", "blockquote", "pre", "figure", "figcaption", "table", "ul", "ol", "dl", "header", "footer"}
_SKIP = {"script", "style", "svg", "template"}
_VOID = {"br", "img", "hr", "input", "meta", "link", "wbr", "source"}


class _Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.line: list[str] = []
        self.prefix = ""
        self.skipping: list[str] = []          # open elements whose text a reader does not see
        self.numbers: list[int | None] = []      # per open list: the next item's number (None: bullets)
        self.inside = False

    def flush(self):
        text = " ".join("".join(self.line).split())
        if text:
            self.lines.append(self.prefix + text)
        self.line, self.prefix = [], ""

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "article":
            self.inside = True
        if not self.inside or tag in _VOID and tag != "img" and tag != "br":
            return
        if self.skipping:
            if tag not in _VOID:
                self.skipping.append(tag)
            return
        if tag in _SKIP or "hidden" in a or "headerlink" in (a.get("class") or "") or \
                "md-content__button" in (a.get("class") or ""):
            if tag not in _VOID:
                self.skipping.append(tag)
            return
        if tag == "br":
            self.line.append(" / ")
        elif tag == "img":
            self.line.append(f"[bild: {a.get('alt', '')}]")
        elif tag == "dd":                     # a term and its description on one line
            self.line = ["".join(self.line).rstrip(), ": "]
        elif tag == "sup":
            self.line.append("^")
        elif tag in _BLOCKS:
            self.flush()
            if tag[0] == "h" and tag[1:].isdigit():
                self.prefix = "#" * int(tag[1]) + " "
            elif tag == "li" and self.numbers and self.numbers[-1] is not None:
                self.prefix = f"{self.numbers[-1]}. "
                self.numbers[-1] += 1
            elif tag == "li":
                self.prefix = "- "
            if tag in ("ol", "ul"):
                self.numbers.append(int(a.get("start") or 1) if tag == "ol" else None)
        elif tag in ("td", "th"):
            self.line.append(" | ")

    def handle_endtag(self, tag):
        if tag == "article":
            self.flush()
            self.inside = False
        if not self.inside:
            return
        if self.skipping:
            self.skipping.pop()
            return
        if tag in _BLOCKS and tag != "dt":
            self.flush()
        if tag in ("ol", "ul") and self.numbers:
            self.numbers.pop()

    def handle_data(self, data):
        if self.inside and not self.skipping:
            self.line.append(data)


def page_text(html: str) -> str:
    """The reader's text of one page, one block per line, ending in a newline."""
    parser = _Text()
    parser.feed(html)
    parser.close()
    return "\n".join(line.replace("|  |", "|").strip() for line in parser.lines) + "\n"
