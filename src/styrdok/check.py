"""`styrdok check`: every problem in the sources at once.

Loading validates the files and the model; here come the checks that need the whole handbook:
macros render, links and anchors resolve, images have alt text, nothing that must not be
published (personnummer, unfilled placeholders) is in docs/ or data/.
"""
from __future__ import annotations

import datetime as dt
import difflib
import posixpath
import re
import sys
from pathlib import Path

import jinja2
from markdown.extensions.toc import slugify

from .decided import check_decided
from .load import Project, load_handbook
from .memo import cached
from .model import Handbook, Page
from .problems import Problems
from .parts import generated_file_paths, generated_pages
from .render.markdown import MacroError, render_page_markdown
from .htmlsafety import SERVED_AS_MARKUP, check_html, check_served_file
from .scan import URL_SCHEME, blank_inline_code, prose_lines
from .sensitive import scan_text
from .sources import read_source, walk_docs

LINK = re.compile(r"(!?)\[([^\]]*)\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
HEADING = re.compile(r"^#{1,6}\s+(.*?)\s*(?:\{([^}]*)\})?\s*#*\s*$")
# Anchors every styrdokument page gets from the theme overrides (overrides/partials/).
GENERATED_ANCHORS = {"beslutshistorik", "revisionshistorik"}


def _template_line(exc: BaseException) -> int | None:
    """The line inside the page template where a Jinja runtime error happened."""
    tb = exc.__traceback__
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


# Quotes that Word's autocorrect and a phone's keyboard put where " or ' was typed.
_TYPOGRAPHIC = "”“„’‘‚«»‹›″′"
_EXAMPLE = '{{ ansvar("avvikelser") }}'


def macro_syntax_message(message: str) -> str:
    """Jinja's syntax error in a macro call, in Swedish and saying what to do."""
    char = re.match(r"unexpected char '(.)'", message)
    if char and char.group(1) in _TYPOGRAPHIC:
        return (f"Makroanropet har typografiska citattecken ({char.group(1)}), som Word och telefonens tangentbord "
                f"gör av raka. Skriv raka citattecken (\" eller '), t.ex. {_EXAMPLE}.")
    if char:
        return f"Tecknet '{char.group(1)}' kan inte stå i ett makroanrop. Ta bort det, eller skriv texten inom " \
               f"raka citattecken, t.ex. {_EXAMPLE}."
    if message.lower().startswith("unexpected end of template"):
        return ("Makroanropet eller blocket stängs aldrig: {{ … }} ska sluta med }} och {% if %} med {% endif %} "
                "(ett {% for %} med {% endfor %}).")
    token = re.match(r"unexpected '(.+?)'(?:, expected '(.+?)')?", message)
    if token and token.group(2):
        return (f"Makroanropet har '{token.group(1)}' där det ska stå '{token.group(2)}'. Kontrollera att parenteser "
                f"och klamrar stängs, t.ex. {_EXAMPLE}.")
    if token:
        return (f"Makroanropet har ett '{token.group(1)}' för mycket eller på fel ställe. Kontrollera klamrarna "
                f"och parenteserna, t.ex. {_EXAMPLE}.")
    return f"Fel i makroanropet ({message}). Kontrollera klamrarna {{{{ … }}}} och citattecknen, t.ex. {_EXAMPLE}."


def check_macros(handbook: Handbook, root: Path, problems: Problems) -> None:
    """Render every page's macros with the strict environment, as the site and Word will."""
    generated = [Page(src, f"(genererad sida) {src}", body, 1, None) for src, body in generated_pages(handbook)]
    for page in [*handbook.pages.values(), *generated]:
        check_page_macros(handbook, root, page, problems)


def check_page_macros(handbook: Handbook, root: Path, page: Page, problems: Problems) -> None:
    """One page's macros (check_macros; the preview checks the page it shows)."""
    if "{{" in page.body or "{%" in page.body:
        offset = page.body_first_line - 1
        try:
            render_page_markdown(handbook, root / "templates", page.src_path, page.body)
        except jinja2.TemplateSyntaxError as exc:
            problems.error(page.file, (exc.lineno or 1) + offset, macro_syntax_message(exc.message or ""))
        except jinja2.UndefinedError as exc:
            line = _template_line(exc)
            problems.error(page.file, line + offset if line else None,
                           f"Okänt namn i makroanrop ({exc.message}). Kontrollera stavningen; makron som finns "
                           "beskrivs på sidan Om handboken.")
        except MacroError as exc:
            line = _template_line(exc)
            problems.error(page.file, line + offset if line else None, str(exc))
        except Exception as exc:  # a macro that fails for another reason still names the page
            line = _template_line(exc)
            problems.error(page.file, line + offset if line else None,
                           f"Makrot misslyckades: {type(exc).__name__}: {exc}")


def _code_free_lines(body: str):
    """(index, line) of the lines outside fenced code blocks, with inline code blanked."""
    for i, line in prose_lines(body):
        yield i, blank_inline_code(line)


def anchors_of(body: str) -> set[str]:
    """The anchors a page's headings and attribute lists give (kept between runs: memo.py)."""
    return set(cached("ankare", body, lambda: frozenset(_anchors_of(body))))


def _anchors_of(body: str) -> set[str]:
    out = set(GENERATED_ANCHORS)
    for _, line in _code_free_lines(body):
        m = HEADING.match(line)
        if not m:
            continue
        attrs = m.group(2) or ""
        explicit = re.search(r"#([\w-]+)", attrs)
        out.add(explicit.group(1) if explicit else slugify(m.group(1), "-"))
    out.update(re.findall(r"\{[^}]*#([\w-]+)[^}]*\}", body))
    return out


def page_links(body: str) -> tuple[tuple[int, str, str, str], ...]:
    """(line index, '!' or '', text, target) of every Markdown link and image outside code, without
    targets that are macros; kept between runs (memo.py): scanning 2,000 pages for them was most of
    the link check."""
    def scan():
        return tuple((i, *m.groups()) for i, line in _code_free_lines(body) for m in LINK.finditer(line)
                     if "{{" not in m.group(3))
    return cached("lankar", body, scan)


def check_links(handbook: Handbook, project: Project, problems: Problems, only: Page | None = None) -> None:
    """Links and anchors of every page (only: of that page, as it is now; the preview's page)."""
    anchors: dict[str, set[str]] = {}
    generated = {src for src, _ in generated_pages(handbook)} | set(generated_file_paths(handbook))

    def anchors_for(src: str) -> set[str]:
        if src not in anchors:
            anchors[src] = anchors_of(handbook.pages[src].body)
        return anchors[src]

    exists: dict[str, bool] = {}

    def present(dest: str) -> bool:
        if dest not in exists:
            exists[dest] = (project.docs / dest).exists()
        return exists[dest]

    for page in [only] if only is not None else handbook.pages.values():
        here = posixpath.dirname(page.src_path)
        for i, bang, text, target in page_links(page.body):
            lineno = i + page.body_first_line
            if bang and not text.strip():
                problems.error(page.file, lineno,
                               f"Bilden '{target}' saknar alternativtext. Skriv vad bilden visar inom "
                               "hakparenteserna: ![Processkarta för …](…). Det krävs för skärmläsare.")
            if URL_SCHEME.match(target):
                continue
            path, _, anchor = target.partition("#")
            dest = posixpath.normpath(posixpath.join(here, path)) if path else page.src_path
            if path and (dest.startswith("..") or not (present(dest) or dest in generated)):
                guess = _closest_page(dest, [*handbook.pages, *generated])
                hint = f" Menade du '{posixpath.relpath(guess, here or '.')}{'#' + anchor if anchor else ''}'?" \
                    if guess else ""
                problems.error(page.file, lineno,
                               f"Länken '{target}' pekar på en fil som inte finns ({dest} under docs/). "
                               f"Rätta sökvägen; den är relativ till sidans egen mapp.{hint}")
                continue
            # Anchors are known for the pages under docs/: a page that could not be loaded has its own
            # fel, and a generated page's headings come from its macros.
            if anchor and dest in handbook.pages and anchor not in anchors_for(dest):
                problems.error(page.file, lineno,
                               f"Länken '{target}' pekar på avsnittet '#{anchor}', som inte finns på {dest}. "
                               f"Ankaret bildas av rubriken; välj en av: {', '.join(sorted(anchors_for(dest))[:10])}.")


def _closest_page(dest: str, pages: list[str]) -> str | None:
    """The page a broken link most likely meant: one with the same file name in another folder (a file
    moved), else the closest name (a file renamed or a typo)."""
    if not dest.endswith(".md"):
        return None
    same = [p for p in pages if posixpath.basename(p) == posixpath.basename(dest)]
    if same:
        return min(same, key=len)
    close = difflib.get_close_matches(dest, pages, n=1, cutoff=0.75)
    return close[0] if close else None


def check_text(project: Project, problems: Problems, handbook: Handbook | None = None) -> None:
    """Personnummer, placeholders and editor notes in every source file in docs/ and data/; personnummer
    also in attachments, file names and the commit messages and authors readers see (guard.py); code
    and outside fetches in the HTML and SVG files under docs/ (htmlsafety.check_served_file)."""
    from . import guard
    allowed = guard.allowed_numbers(handbook)
    quiet = Problems()          # names and encodings are reported by the loader
    files = []
    for rel in walk_docs(project.docs, project.rel(project.docs), quiet):
        full = f"{project.rel(project.docs)}/{rel}"
        for depth in range(rel.count("/") + 1):
            guard.check_name(full.rsplit("/", depth)[0] if depth else full, problems, allowed)
        if rel.endswith(".md"):
            files.append(project.docs / rel)
        else:
            text = guard.check_attachment(project.docs / rel, full, problems, allowed)
            if text is not None and rel.lower().endswith(SERVED_AS_MARKUP):
                check_served_file(text, full, problems)
    files += [p for p in (*project.data.rglob("*.yml"), *project.data.rglob("*.yaml")) if p.name != guard.ALLOW_FILE]
    for path in sorted(files):
        rel = project.rel(path)
        unread = Problems()
        text = read_source(path, rel, unread)
        if text is None:
            # A file the loader does not read (data it does not know) cannot be scanned either: say so
            # in the loader's words (the same problem is listed once), so nothing hides in an unread file.
            problems.extend(unread.items)
            for p in unread.items:
                problems.unreadable(p.file)
            continue
        # A file named _… is a template: its placeholders are meant to be there.
        template = path.name.startswith("_")
        flags = {"placeholders": not template, "yaml_comments": path.suffix != ".md"}
        findings = cached("textgranskning", (text, flags), lambda: scan_text(text, **flags))
        guard.report_findings(findings, rel, problems, allowed)
    if handbook is not None:
        guard.check_history(handbook, problems, allowed)


def check_project(root: Path, *, today: dt.date | None = None) -> tuple[Handbook | None, Problems]:
    project = Project(Path(root))
    handbook, problems = load_handbook(project.root, today=today)
    if handbook is not None:
        check_macros(handbook, project.root, problems)
        check_links(handbook, project, problems)
        check_html(handbook, project, problems)
        check_decided(handbook, problems)
    check_text(project, problems, handbook)
    return handbook, problems


def _varningar(n: int) -> str:
    return "1 varning" if n == 1 else f"{n} varningar"


def print_problems(problems: Problems, *, only_errors: bool = False, stream=None) -> None:
    """The causes first (files that could not be read), then every independent problem, then one
    line per unreadable file for the follow-on errors that go away when it is fixed."""
    stream = stream or sys.stderr
    causes, independent, follow = problems.arranged()
    for p in [*causes, *independent]:
        if not only_errors or p.severity == "fel":
            print(p.format(), file=stream)
    for source, items in follow.items():
        print(f"+{len(items)} följdfel som försvinner när {source} är rättad.", file=stream)
    n_err, n_warn = len(problems.errors), len(problems.warnings)
    if n_err:
        print(f"{n_err} fel och {_varningar(n_warn)}. Rätta felen och kör kommandot igen.", file=stream)
    elif n_warn:
        print(f"Inga fel, {_varningar(n_warn)}.", file=stream)
