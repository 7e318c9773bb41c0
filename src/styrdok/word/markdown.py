"""The site's Markdown dialect (Python-Markdown + extensions) turned into pandoc Markdown for Word.

Each construct the site allows has a Word form:
- admonitions (`!!! note "Titel"`, `??? warning`) → a shaded paragraph style (Faktaruta, Varningsruta)
  with the title in bold;
- links to other pages in docs/ → plain text (the link text, or the target's title): a printed
  decision document cannot follow a link into the intranet; external links stay links;
- abbreviation definitions (`*[MAS]: …`) → removed (the glossary is its own document);
- attribute lists on blocks (`{: .class }`) → removed; on headings pandoc reads `{#id}` itself;
- raw HTML → removed (pandoc would drop it silently; we remove it visibly and predictably);
- images → images, resolved against the page's folder (pandoc's resource path).
"""
from __future__ import annotations

import posixpath
import re
from typing import Mapping

ADMONITION = re.compile(r"^(?P<indent>[ ]*)(?:!!!|\?\?\?\+?)\s+(?P<kind>[\w-]+)(?:\s+\"(?P<title>[^\"]*)\")?\s*$")
LINK = re.compile(r"(?<!!)\[(?P<text>[^\]]*)\]\((?P<target>[^)\s]+)(?:\s+\"[^\"]*\")?\)")
ABBR_DEF = re.compile(r"^\*\[[^\]]+\]:.*$")
BLOCK_ATTR = re.compile(r"^\s*\{:?\s*[.#][^}]*\}\s*$")
HTML_TAG = re.compile(r"</?[a-zA-Z][^>]*>")
EXTERNAL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")

WARNING_KINDS = {"warning", "caution", "attention", "danger", "error", "bug", "failure"}
DEFAULT_TITLES = {"note": "Observera", "tip": "Tips", "info": "Information", "warning": "Varning",
                  "danger": "Fara", "example": "Exempel", "abstract": "Sammanfattning", "question": "Fråga",
                  "success": "Klart", "failure": "Misslyckat", "quote": "Citat", "caution": "Varning"}


def _convert_admonitions(lines: list[str]) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(lines):
        m = ADMONITION.match(lines[i])
        if not m:
            out.append(lines[i])
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
        style = "Varningsruta" if kind in WARNING_KINDS else "Faktaruta"
        out.append("")
        out.append(f'::: {{custom-style="{style}"}}')
        if title:
            out.append(f"**{title}**")
            out.append("")
        out.extend(_convert_admonitions(body))
        out.append(":::")
        out.append("")
    return out


def to_pandoc_markdown(markdown: str, src_path: str, link_titles: Mapping[str, str]) -> str:
    """Convert one rendered page (macros already expanded) for pandoc; src_path is docs-relative."""
    here = posixpath.dirname(src_path)
    lines: list[str] = []
    in_fence = False
    for line in markdown.splitlines():
        if line.lstrip().startswith(("```", "~~~")):
            in_fence = not in_fence
            lines.append(line)
            continue
        if in_fence:
            lines.append(line)
            continue
        if ABBR_DEF.match(line) or BLOCK_ATTR.match(line):
            continue
        lines.append(HTML_TAG.sub("", line))
    text = "\n".join(_convert_admonitions(lines))

    def link(m: re.Match) -> str:
        target = m.group("target")
        if EXTERNAL.match(target) or target.startswith("#"):
            return m.group(0) if EXTERNAL.match(target) else m.group("text")
        path = target.partition("#")[0]
        dest = posixpath.normpath(posixpath.join(here, path))
        return m.group("text") or link_titles.get(dest, dest)

    return LINK.sub(link, text) + "\n"
