"""History made visible: revisions per document, "Nyligen ändrat", "Att revidera" and an Atom feed.

The git history is read once per build (styrdok.history.read_history: one `git log` pass) and
kept in `handbook.extra["history"]`; the macros and generated pages below render from it.
"""
from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from typing import Callable

from . import gitcmd, load
from .control import due_list
from .history import RepoHistory, Revision, read_history
from .jinja import page_source
from .model import Handbook, Styrdokument
from .parts import GENERATED_FILES, GENERATED_PAGES
from .problems import Problems
from .render.markdown import PROVIDERS, RenderContext, page_url

FEED_PATH = "andringar.xml"


def _load_history(project: load.Project, handbook: Handbook, problems: Problems) -> dict[str, object]:
    kind, why = gitcmd.state(project.root)
    if kind in ("saknas", "fel"):       # a folder outside git is a draft or a copy: its history is empty, rightly
        problems.warning("git", None, why if kind == "saknas" else f"{why} – historiken visas inte.")
    history = read_history(project.root)
    if history.shallow:
        problems.warning(".git", None, "Förrådet är en grund klon (shallow clone): revisionshistorik och "
                                       "datum blir fel. Hämta hela historiken med 'git fetch --unshallow' "
                                       "(i CI: fetch-depth 0 / GIT_DEPTH 0).")
    return {"history": history}


load.EXTRA_LOADERS.append(_load_history)


def history_of(handbook: Handbook) -> RepoHistory:
    return handbook.extra.get("history") or RepoHistory()


def revisions(handbook: Handbook, doc: Styrdokument) -> tuple[Revision, ...]:
    """The document's commits and the data commits that changed its rendering (styrdok.data_history),
    newest first, as readers see them (messages, or only the kind of change)."""
    from .data_history import reader_message, with_data
    own = with_data(handbook, doc, history_of(handbook).by_path.get(doc.file, ()))
    return tuple(reader_message(handbook, r) for r in own)


def senast_andrad(handbook: Handbook, doc: Styrdokument) -> dt.date | None:
    """The date of the newest commit to the file ("Senast ändrad"; "Senast reviderad" comes from the
    decisions, styrdok.header.senast_reviderad)."""
    revs = revisions(handbook, doc)
    return revs[0].date if revs else None


def recent_changes(handbook: Handbook, limit: int) -> list[dict]:
    """Newest first: date, message, author and the page (title, src path) when it is one."""
    by_file = {p.file: p for p in handbook.pages.values()}
    history = history_of(handbook)
    # A change made under an earlier file name belongs to the page that file became.
    current = {(r.commit, r.path): path for path, revs in history.by_path.items() for r in revs}
    from .data_history import DATA_PREFIX, docs_changed_by, reader_message
    by_data = docs_changed_by(handbook) if any(r.path.startswith(DATA_PREFIX) for r in history.recent) else {}
    out, seen = [], set()
    for rev in history.recent:
        if rev.path.startswith(DATA_PREFIX):      # a data commit: each document whose rendering it changed
            pages = [handbook.pages.get(handbook.dokument[i].src_path) for i in by_data.get(rev.commit, ())]
            rev = next((r for i in by_data.get(rev.commit, ()) for r in revisions(handbook, handbook.dokument[i])
                        if r.commit == rev.commit), reader_message(handbook, rev))
        else:
            pages = [by_file.get(current.get((rev.commit, rev.path), rev.path))]
            rev = reader_message(handbook, rev)
        for page in pages:
            if page is None or (rev.commit, page.src_path) in seen:
                continue
            seen.add((rev.commit, page.src_path))
            out.append({"datum": rev.date, "meddelande": rev.message, "vem": rev.author,
                        "titel": page.title or page.src_path, "src_path": page.src_path,
                        "commit": rev.commit_id or rev.commit})
        if len(out) >= limit:
            break
    return out[:limit]


def change_macros(ctx: RenderContext) -> dict[str, Callable]:
    hb = ctx.handbook

    def nyligen_andrat(antal: int = 10) -> str:
        return ctx.render("nyligen_andrat.md.j2", andringar=recent_changes(hb, antal), flode=FEED_PATH)

    def att_revidera(dagar: int = 90) -> str:
        items = due_list(hb, load.current_date(), dagar)
        by_owner: dict[str, list] = {}
        for item in items:
            by_owner.setdefault(item.doc.dokumentansvarig.namn, []).append(item)
        return ctx.render("att_revidera.md.j2", grupper=sorted(by_owner.items()), dagar=dagar,
                          idag=load.current_date())

    return {"nyligen_andrat": nyligen_andrat, "att_revidera": att_revidera}


PROVIDERS.append(change_macros)


def _pages(handbook: Handbook) -> list[tuple[str, str]]:
    return [("andringar.md", page_source("andringar.md.j2")), ("att-revidera.md", page_source("att-revidera.md.j2"))]


def _feed(handbook: Handbook) -> list[tuple[str, Callable[[], bytes]]]:
    return [(FEED_PATH, lambda: _atom(handbook))]


def _atom(handbook: Handbook) -> bytes:
    """An Atom feed of the same changes, for a feed reader or the intranet's news flow."""
    ns = "http://www.w3.org/2005/Atom"
    ET.register_namespace("", ns)
    feed = ET.Element(f"{{{ns}}}feed", {"xml:lang": "sv"})
    ET.SubElement(feed, f"{{{ns}}}title").text = f"{handbook.kommun.namn}: nyligen ändrat i handboken"
    ET.SubElement(feed, f"{{{ns}}}id").text = f"urn:styrdok:{load.slug(handbook.kommun.namn)}:andringar"
    changes = recent_changes(handbook, 50)
    updated = changes[0]["datum"] if changes else load.current_date()
    ET.SubElement(feed, f"{{{ns}}}updated").text = f"{updated.isoformat()}T00:00:00Z"
    ET.SubElement(feed, f"{{{ns}}}link", {"rel": "alternate", "href": "andringar/"})
    for change in changes:
        entry = ET.SubElement(feed, f"{{{ns}}}entry")
        ET.SubElement(entry, f"{{{ns}}}title").text = f"{change['titel']}: {change['meddelande']}"
        ET.SubElement(entry, f"{{{ns}}}id").text = f"urn:styrdok:andring:{change['commit']}:{change['src_path']}"
        ET.SubElement(entry, f"{{{ns}}}updated").text = f"{change['datum'].isoformat()}T00:00:00Z"
        author = ET.SubElement(entry, f"{{{ns}}}author")
        ET.SubElement(author, f"{{{ns}}}name").text = change["vem"]
        ET.SubElement(entry, f"{{{ns}}}link", {"href": page_url(change["src_path"])})
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


GENERATED_PAGES.append(_pages)
GENERATED_FILES.append(_feed)
