"""What readers see of a decided document (see styrdok.decided for the comparison):

- the notice beside the card (overrides/partials/styrdok-beslutat.html): "Gäller enligt beslut …"
  when the page is what was decided, else that it has changed since, with links to
- a page with the changes word by word (<ins>/<del>, also in tables), and
- the decided version as rendered at the decision's tag, with its Word file (word/<id>--beslutad-<datum>.docx).

Both pages lie beside the document (`<folder>/<stem>--andringar.md`, `<folder>/<stem>--beslutad-<datum>.md`) so
the document's relative links and images work unchanged; they are kept out of the navigation and
the search (a reader looking for a rutin must find the valid one).
"""
from __future__ import annotations

import posixpath

from .decided import Comparison, comparisons, decided_index
from .export.compare import HtmlMarks, track
from .export.wordhtml import parse, printable, serialize
from .scan import URL_SCHEME
from .jinja import page_source
from .model import Beslut, Handbook, Styrdokument
from .parts import GENERATED_PAGES
from .render.html import markdown_config, render_html
from .render.markdown import page_url

ARCHIVE_MARK = "--"


def _stem(doc: Styrdokument) -> str:
    return doc.src_path[:-3] if doc.src_path.endswith(".md") else doc.src_path


def diff_path(doc: Styrdokument) -> str:
    return f"{_stem(doc)}{ARCHIVE_MARK}andringar.md"


def decided_path(doc: Styrdokument, c: Comparison) -> str:
    return f"{_stem(doc)}{ARCHIVE_MARK}beslutad-{c.tag.datum.isoformat()}.md"


def decided_word_id(doc: Styrdokument, c: Comparison) -> str:
    return f"{doc.id}{ARCHIVE_MARK}beslutad-{c.tag.datum.isoformat()}"


def is_archive_page(src_uri: str) -> bool:
    return ARCHIVE_MARK in posixpath.basename(src_uri) and src_uri.endswith(".md")


def decision_of(doc: Styrdokument, c: Comparison) -> Beslut | None:
    """The decision the comparison is against: the latest real one on or before the tag's date."""
    return next((b for b in reversed(doc.beslut) if not b.redaktionell and b.datum <= c.tag.datum), None)


def editorial_of(doc: Styrdokument, c: Comparison) -> Beslut | None:
    if not c.tag.redaktionell:
        return None
    return next((b for b in reversed(doc.beslut) if b.redaktionell and b.datum == c.tag.datum), None)


def notice(handbook: Handbook, doc: Styrdokument) -> dict | None:
    """What the notice partial shows for a page (None: no decision tag, nothing to say)."""
    c = comparisons(handbook).get(doc.id)
    if c is None or c.failed:
        return None
    beslut = decision_of(doc, c)
    return {
        "andrat": c.changed, "datum": (beslut.datum if beslut else c.tag.datum).isoformat(),
        "instans": beslut.instans.namn if beslut else None, "paragraf": beslut.paragraf if beslut else None,
        "redaktionell": editorial_of(doc, c), "hur": c.what(), "sidan": c.page_changed, "data": c.data_changes,
        "andringar_url": page_url(diff_path(doc)) if c.changed else None,
        "beslutad_url": page_url(decided_path(doc, c)) if c.changed else None,
    }


def marked_html(old: str, new: str, doc: Styrdokument, mkdocs_yml) -> str:
    """The page as now rendered, with what changed since `old` (both Markdown after macros) marked
    <ins>/<del> (styrdok.export.compare, the same comparison as the Word copy's). Relative links and
    images are rewritten for the changes page's own URL: raw HTML is not rewritten by MkDocs."""
    config = markdown_config(mkdocs_yml)
    trees = []
    for text in (old, new):
        trees.append(parse(render_html(text, config)))
        printable(trees[-1])
    track(trees[0], trees[1], HtmlMarks())
    here = posixpath.dirname(doc.src_path)
    base = page_url(diff_path(doc)).rstrip("/") or "."
    for el in trees[1].iter("a", "img"):
        attr = "href" if el.tag == "a" else "src"
        value = el.get(attr)
        if not value or URL_SCHEME.match(value) or value.startswith(("#", "/")):
            continue
        path, hash_, anchor = value.partition("#")
        target = posixpath.normpath(posixpath.join(here, path)) if path else doc.src_path
        url = page_url(target) if target.endswith(".md") else target
        rel = posixpath.relpath(url.rstrip("/") or ".", base) + ("/" if url.endswith("/") or not url else "")
        el.set(attr, rel + hash_ + anchor)
    return serialize(trees[1])


def _when(doc: Styrdokument, c: Comparison) -> str:
    beslut = decision_of(doc, c)
    text = f"beslutet {beslut.datum.isoformat()}" if beslut else f"beslutet {c.tag.datum.isoformat()}"
    if beslut:
        text += f" ({beslut.instans.namn}{' § ' + beslut.paragraf if beslut.paragraf else ''})"
    editorial = editorial_of(doc, c)
    if editorial:
        text += f" och den redaktionella ändringen {editorial.datum.isoformat()}"
    return text


def _pages(handbook: Handbook) -> list[tuple[str, str]]:
    index = decided_index(handbook)
    if index is None:
        return []
    out = []
    for doc_id, c in sorted(comparisons(handbook).items()):
        if not c.changed or c.failed:
            continue
        doc = handbook.dokument[doc_id]
        texts = index.texts(doc_id)
        if texts is None:
            continue
        from .decided import render_site
        now = render_site(handbook, index.root / "templates", doc.src_path, doc.body)
        marked = ('<div class="styrdok-andringar">\n' + marked_html(texts["site"], now, doc, index.root / "mkdocs.yml")
                  + "\n</div>")
        here = posixpath.dirname(doc.src_path)
        page = posixpath.relpath(doc.src_path, here or ".")
        decided = posixpath.relpath(decided_path(doc, c), here or ".")
        diff = posixpath.relpath(diff_path(doc), here or ".")
        out.append((diff_path(doc), page_source("andringar-sedan-beslut.md.j2", doc=doc, jamforelse=c, sidan=page,
                                                nar=_when(doc, c), beslutad=decided, markerat=marked)))
        # the site's word/ folder is not a page MkDocs knows: a plain link, relative to the page's URL
        word = "../" * page_url(decided_path(doc, c)).count("/") + f"word/{decided_word_id(doc, c)}.docx"
        out.append((decided_path(doc, c), page_source("beslutad-version.md.j2", doc=doc, nar=_when(doc, c),
                                                      sidan=page, andringar=diff, word=word, text=texts["site"])))
    return out


GENERATED_PAGES.append(_pages)


def decided_words(handbook: Handbook, project) -> list:
    """Word documents of the decided versions of changed documents (for the site's word/ folder)."""
    from .export.documents import decided_word_document
    out = []
    for doc_id, c in sorted(comparisons(handbook).items()):
        if c.changed and not c.failed:
            word = decided_word_document(handbook, project, handbook.dokument[doc_id])
            if word is not None:
                out.append(word)
    return out


def hide_archive_pages(nav):
    """on_nav: the decided versions and change pages are reached from the notice, not the menu."""
    def keep(items):
        kept = []
        for item in items:
            if getattr(item, "file", None) is not None and is_archive_page(item.file.src_uri):
                continue
            if getattr(item, "children", None) is not None:
                item.children = keep(item.children)
            kept.append(item)
        return kept
    nav.items = keep(nav.items)
    nav.pages = [p for p in nav.pages if not is_archive_page(p.file.src_uri)]
    return nav
