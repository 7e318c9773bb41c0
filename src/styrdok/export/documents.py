"""From the typed model to Word: the same Markdown and the same macros as the site page."""
from __future__ import annotations

import datetime as dt
import functools
import posixpath
from pathlib import Path
from typing import Mapping

from .. import gitcmd
from ..changes import revisions, senast_andrad
from ..control import TAG_PREFIX, git
from ..history import HistoryError, file_at_ref, last_tag_for
from ..header import header_rows
from ..load import Project, current_date
from ..model import Handbook, Styrdokument
from ..printpages import PrintPage, cover_rows, history_rows
from ..problems import Problems
from ..render.html import MarkdownConfig, MarkdownConfigError, SiteAddress, markdown_config, site_address
from ..render.markdown import render_page_markdown
from ..yamlio import split_front_matter
from .templates import ExportError
from .word import Tjansteskrivelse, WordDocument


def templates_for(project: Project) -> Path:
    """The kommun's own Word templates (templates/word/ in the handbook) or the ones styrdok ships."""
    from ..jinja import DEFAULT_TEMPLATES
    own = project.root / "templates" / "word"
    return own if own.is_dir() else DEFAULT_TEMPLATES / "word"


def link_titles(handbook: Handbook) -> Mapping[str, str]:
    """Title per docs/ path, for links in Word. Built once per handbook: it was built per document,
    which made preparing 2,000 documents O(N²) (2.2 of 4.8 s in bench/run.py's profile)."""
    # a dict: it is pickled to worker processes
    return handbook.derived("link_titles", lambda: {p.src_path: (p.title or p.src_path) for p in handbook.pages.values()})


def metadata_rows(handbook: Handbook, doc: Styrdokument) -> list[tuple[str, str]]:
    """The Word header: the rows of the kommun's header definition (styrdok.header), as the site card shows them."""
    rows = header_rows(handbook, doc, today=current_date(), senast_andrad=senast_andrad(handbook, doc))
    return [(row.etikett, row.text) for row in rows]


def body_for_word(handbook: Handbook, project: Project, doc: Styrdokument, body: str | None = None) -> str:
    """The page's Markdown with its macros rendered, exactly as the site renders them."""
    return render_page_markdown(handbook, project.root / "templates", doc.src_path,
                                doc.body if body is None else body)


@functools.lru_cache(maxsize=8)
def _markdown_config(mkdocs_yml: Path, mtime_ns: int) -> MarkdownConfig:
    try:
        return markdown_config(mkdocs_yml)
    except MarkdownConfigError as exc:
        raise ExportError(str(exc)) from None


def site_markdown(project: Project) -> MarkdownConfig:
    """The handbook's Markdown extensions (mkdocs.yml), read once per change of the file."""
    path = project.root / "mkdocs.yml"
    return _markdown_config(path, path.stat().st_mtime_ns if path.is_file() else 0)


@functools.lru_cache(maxsize=8)
def _site_address(mkdocs_yml: Path, mtime_ns: int) -> SiteAddress:
    return site_address(mkdocs_yml)


def site_of(project: Project) -> SiteAddress:
    """The site's address (mkdocs.yml's site_url), read once per change of the file."""
    path = project.root / "mkdocs.yml"
    return _site_address(path, path.stat().st_mtime_ns if path.is_file() else 0)


def generated_for(handbook: Handbook, body: str) -> dict[str, bytes]:
    """The generated files (process diagrams) a rendered body may show, by docs-relative path."""
    if ".svg" not in body:
        return {}
    from ..ledningssystem.load import ledningssystem_of
    from ..ledningssystem.pages import process_svg
    out = {}
    for p in ledningssystem_of(handbook).processer.values():
        path = p.src_path[:-3] + ".svg"
        if posixpath.basename(path) in body:
            out[path] = process_svg(p)
    return out


def word_document(handbook: Handbook, project: Project, doc: Styrdokument, *, toc: bool = False) -> WordDocument:
    logo = project.docs / handbook.kommun.logotyp if handbook.kommun.logotyp else None
    history = [(r.date.isoformat(), r.author, r.message) for r in revisions(handbook, doc)]
    body = body_for_word(handbook, project, doc)
    return WordDocument(
        doc_id=doc.id, title=doc.titel, doc_type=doc.typ.namn, kommun_name=handbook.kommun.namn,
        logo_path=logo, metadata=metadata_rows(handbook, doc), revisions=history,
        body_markdown=body, toc=toc, src_path=doc.src_path, docs_dir=project.docs,
        link_titles=link_titles(handbook), markdown=site_markdown(project), site=site_of(project),
        generated=generated_for(handbook, body))


def page_source_markdown(handbook: Handbook, project: Project, src_path: str) -> str:
    """A page's Markdown after its macros, without front matter: a docs page's or a generated page's."""
    from ..parts import generated_pages
    page = handbook.pages.get(src_path)
    if page is not None:
        return render_page_markdown(handbook, project.root / "templates", src_path, page.body)
    source = dict(generated_pages(handbook)).get(src_path)
    if source is None:
        raise ExportError(f"Sidan {src_path} finns inte: den kan inte bli en Word-fil.")
    text = render_page_markdown(handbook, project.root / "templates", src_path, source)
    problems = Problems()
    split = split_front_matter(text.lstrip("\n"), src_path, problems)
    return split.body if split is not None else text


def page_word_document(handbook: Handbook, project: Project, page: PrintPage) -> WordDocument:
    """A printed page (styrdok.printpages) as a Word document: the page's own rendering, a cover
    with what it is about and the date of its data (no decision fields), and as revision history
    the newest changes of that data."""
    logo = project.docs / handbook.kommun.logotyp if handbook.kommun.logotyp else None
    body = page_source_markdown(handbook, project, page.src_path)
    return WordDocument(
        doc_id=page.name, title=page.title, doc_type=page.kind, kommun_name=handbook.kommun.namn,
        logo_path=logo, metadata=cover_rows(handbook, page), revisions=history_rows(handbook, page), body_markdown=body,
        src_path=page.src_path, docs_dir=project.docs, link_titles=link_titles(handbook),
        markdown=site_markdown(project), site=site_of(project), generated=generated_for(handbook, body))


def decided_word_document(handbook: Handbook, project: Project, doc: Styrdokument, *,
                          toc: bool = False) -> WordDocument | None:
    """The document as rendered at its latest decision tag (styrdok.decided), as a Word document:
    `<id>--beslutad-<datum>`, its header marked as the decided version. None without a tag."""
    from ..decided import decided_index
    index = decided_index(handbook)
    tag = index.tags().get(doc.id) if index else None
    texts = index.texts(doc.id) if tag else None
    if texts is None:
        return None
    logo = project.docs / handbook.kommun.logotyp if handbook.kommun.logotyp else None
    kind = "redaktionell ändring" if tag.redaktionell else "beslut"
    rows = [("Version", f"Beslutad version ({kind} {tag.datum.isoformat()}, git-taggen {tag.name})"),
            *metadata_rows(handbook, doc)]
    return WordDocument(
        doc_id=f"{doc.id}--beslutad-{tag.datum.isoformat()}", title=doc.titel, doc_type=doc.typ.namn,
        kommun_name=handbook.kommun.namn, logo_path=logo, metadata=rows, revisions=[],
        body_markdown=texts["site"], toc=toc, src_path=doc.src_path, docs_dir=project.docs,
        link_titles=link_titles(handbook), markdown=site_markdown(project), site=site_of(project),
        generated=generated_for(handbook, texts["site"]))


def last_decided_ref(project: Project, doc: Styrdokument) -> str | None:
    return last_tag_for(project.root, f"{TAG_PREFIX}/{doc.id}/*")


def old_body(handbook: Handbook, project: Project, doc: Styrdokument, ref: str) -> str:
    """The document's body at a git ref, rendered with today's macros (so only the text differs)."""
    try:
        text = file_at_ref(project.root, ref, doc.file)
    except HistoryError as exc:
        raise ExportError(str(exc)) from None
    source = split_front_matter(text, doc.file, Problems())
    return body_for_word(handbook, project, doc, source.body if source else text)


def git_user(project: Project) -> str:
    proc = git(project.root, "config", "user.name", check=False)
    return proc.stdout.strip() or "styrdok"


def changes_since(project: Project, doc: Styrdokument, ref: str | None) -> list[str]:
    """Commit messages for the document since ref (the last decision), oldest first.
    Raises gitcmd.GitError (Swedish, with git's words) when git cannot answer."""
    rng = [f"{ref}..HEAD"] if ref else []
    out = gitcmd.run_text(project.root, "log", "--reverse", "--format=%ad %s", "--date=short", *rng, "--", doc.file)
    return [line for line in out.splitlines() if line.strip()]


def _history_lines(handbook: Handbook, project: Project, doc: Styrdokument, ref: str | None, problems: Problems,
                   prefix: str = "") -> list[str]:
    """The commit messages for the memo, when readers may see them; a varning when git cannot give them."""
    if handbook.kommun.historik_for_lasare != "meddelanden":
        return []
    try:
        return [prefix + m for m in changes_since(project, doc, ref)]
    except gitcmd.GitError as exc:
        problems.warning(doc.file, None, f"Versionshistoriken kunde inte läsas till tjänsteskrivelsen: {exc}")
        return []


def memo_changes(handbook: Handbook, project: Project, doc: Styrdokument, ref: str | None,
                 problems: Problems) -> list[str]:
    """The rendered changes since the last decision (sections, ansvar per role, data), then the
    commit messages when readers may see them. Never "no changes" unless the renderings are equal:
    when they cannot be compared (git fails, no tag), the memo says so and a varning names the cause."""
    from ..change_summary import SummaryUnavailable, summary_since_decision
    try:
        summary = summary_since_decision(handbook, project, doc)
    except SummaryUnavailable as exc:
        if ref is None and not doc.beslut:
            return ["Nytt dokument som antas för första gången.", *_history_lines(handbook, project, doc, None, problems)]
        problems.warning(doc.file, None, f"Ändringarna sedan förra beslutet kunde inte tas fram: {exc} "
                                         "Tjänsteskrivelsen säger det i stället för att lista ändringarna; rätta "
                                         "orsaken och skriv den igen.")
        return [f"Ändringarna sedan förra beslutet kunde inte tas fram ({exc}). Kör styrdok check, rätta "
                "orsaken och skriv tjänsteskrivelsen igen."]
    from ..decided import comparisons
    comparison = comparisons(handbook).get(doc.id)
    lines = summary.lines()
    if not lines and comparison is not None and comparison.changed:
        lines = ["Ändrad formatering eller uppställning; se bilagan med spårade ändringar."]
    if not lines:
        return ["Inga ändringar sedan förra beslutet: dokumentet visas som när det beslutades."]
    return lines + _history_lines(handbook, project, doc, ref, problems, "Ändring i versionshistoriken: ")


def _memo_text():
    """The tjänsteskrivelse's sentences (templates/text/tjansteskrivelse.txt.j2), one macro per field."""
    from ..jinja import DEFAULT_TEMPLATES, shared_env
    return shared_env(DEFAULT_TEMPLATES / "text").get_template("tjansteskrivelse.txt.j2").module


def memo_for(handbook: Handbook, project: Project, doc: Styrdokument, *, namnd_id: str | None,
             datum: dt.date, problems: Problems) -> Tjansteskrivelse:
    """The tjänsteskrivelse for a document; what it could not find out is a varning in problems."""
    namnder = [i for i in doc.beslutad_av if i.kind == "nämnd"] or list(doc.typ.beslutas_av)
    namnd = next((i for i in namnder if i.id == namnd_id), None) if namnd_id else namnder[0]
    if namnd is None:
        raise ExportError(f"'{namnd_id}' beslutar inte om {doc.titel}. Välj en av: {', '.join(i.id for i in namnder)}.")
    dnr = next((n.nummer for n in doc.diarienummer if n.instans is None or n.instans.id == namnd.id), "–")
    try:
        ref = last_decided_ref(project, doc)
    except HistoryError as exc:
        problems.warning(doc.file, None, f"Det senaste beslutet kunde inte hittas i git: {exc}")
        ref = None
    antagande = not (ref or doc.beslut)
    text = _memo_text()
    return Tjansteskrivelse(
        kommun_name=handbook.kommun.namn, namnd=namnd.namn, diarienummer=dnr,
        datum=datum.isoformat(), handlaggare=doc.dokumentansvarig.namn,
        arende=str(text.arende(antagande, doc)),
        forslag_till_beslut=[str(text.forslag_anta(doc, namnd)), str(text.forslag_galler(doc))],
        sammanfattning=str(text.sammanfattning(antagande, doc)), beskrivning=str(text.beskrivning(
            doc, namnd, "bilaga" if ref else "saknas" if doc.beslut else "ny")),
        andringar=memo_changes(handbook, project, doc, ref, problems),
        bilaga=str(text.bilaga(doc)),
        logo_path=project.docs / handbook.kommun.logotyp if handbook.kommun.logotyp else None)
