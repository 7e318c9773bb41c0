"""Checks of the loader that look across a page's fields or across a folder's pages: reported in the
same run, so one problem does not hide another, and a styrdokument never silently becomes a page."""
from __future__ import annotations

from .load_document import resolve
from .problems import Problems, choices
from .yamlio import LineMap


def check_references(ctx, meta: dict, rel: str, lines: LineMap) -> None:
    """The references of front matter that did not validate (a bad date): reported in the same run,
    so one problem does not hide another until the next."""
    p = ctx.problems
    inst_source = "nämnderna i data/kommun.yml eller rollerna i data/roller.yml"

    def ids(key):
        value = meta.get(key)
        value = [value] if isinstance(value, str) else value
        return value if isinstance(value, list) and all(isinstance(v, str) for v in value) else []

    if isinstance(meta.get("typ"), str) and meta["typ"] not in ctx.kommun.dokumenttyper:
        p.error(rel, lines.line(("typ",)), f"Dokumenttypen '{meta['typ']}' finns inte i data/kommun.yml. "
                                           f"Välj en av: {choices(ctx.kommun.dokumenttyper)}.", key="typ")
    ansvarig = meta.get("dokumentansvarig")
    ansvarig = ansvarig.get("roll") if isinstance(ansvarig, dict) else ansvarig
    if isinstance(ansvarig, str) and ansvarig not in ctx.roller:
        p.error(rel, lines.line(("dokumentansvarig",)),
                f"Rollen '{ansvarig}' finns inte i data/roller.yml. Välj en av: {choices(ctx.roller)}.",
                key="dokumentansvarig")
    resolve(ids("beslutad_av"), ctx.instanser, rel, lines, ("beslutad_av",), p, "Instansen", inst_source)
    resolve(ids("galler_for"), ctx.org, rel, lines, ("galler_for",), p,
             "Organisationsenheten", "organisationen i data/kommun.yml")
    resolve(ids("lagrum"), ctx.lagrum, rel, lines, ("lagrum",), p, "Lagrummet", "data/lagrum.yml")


def _looks_like_documents(pages: dict, docs: dict) -> set[str]:
    """Folders whose pages (index.md aside) are all styrdokument: a page there without `typ` is
    most likely a styrdokument whose front matter went missing."""
    folders: dict[str, list[bool]] = {}
    doc_paths = {d.src_path for d in docs.values()}
    for src in pages:
        if src.rsplit("/", 1)[-1] == "index.md":
            continue
        folder = src.rpartition("/")[0]
        folders.setdefault(folder, []).append(src in doc_paths)
    return {f for f, kinds in folders.items() if kinds.count(True) >= 2 and kinds.count(False) < kinds.count(True)}


def check_document_folders(pages: dict, docs: dict, p: Problems) -> None:
    """A page without `typ` among styrdokument (its front matter went missing) is a fel."""
    plain = {d.src_path for d in docs.values()}
    suspect = _looks_like_documents(pages, docs)
    if not suspect:
        return
    by_folder: dict[str, list] = {}
    for src, page in pages.items():
        by_folder.setdefault(src.rpartition("/")[0], []).append((src, page))
    for folder in suspect:
        for src, page in by_folder.get(folder, ()):
            if src not in plain and not src.endswith("/index.md"):
                p.error(page.file, 1, f"Sidan ligger bland styrdokumenten i docs/{folder}/ men saknar front matter "
                                      "med typ: och skulle publiceras som en vanlig sida, utan dokumenthuvud och "
                                      "Word-fil. Lägg till front matter överst (som i de andra dokumenten, eller "
                                      "skapa dokumentet med 'styrdok new'), eller flytta sidan till en annan mapp.")
