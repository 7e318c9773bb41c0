"""mkdocs-macros glue: load the model once, register the macros, give pages their metadata card.

Everything here only connects MkDocs to the package; what pages show is decided by the model,
the Markdown templates (templates/markdown/) and the theme overrides (overrides/).
"""
from __future__ import annotations

import contextlib
import html
import logging
import os
from pathlib import Path

from markupsafe import Markup

from ..load import current_date, load_handbook
from ..changes import revisions, senast_andrad
from ..header import header_rows
from ..decided_pages import notice as decided_notice
from ..parts import generated_file_paths, generated_files, generated_pages
from ..pdf import site_pdfs
from ..printpages import pdf_url, print_pages, word_url
from ..model import Handbook
from ..problems import SourceError
from ..search.page import SearchIndexer
from ..render.markdown import (abbreviation_lines, macro_functions, make_context, page_url,
                              render_page_markdown, rendered_before)

_STATE_KEY = "_styrdok_handbook"
# The handbook loaded by the macros plugin for this build (on_config runs before the hook's on_files).
_CURRENT: dict[str, object] = {}
# `mkdocs serve --dirty` only: what each generated page's macros gave in the previous build of this
# process, so a page whose output is unchanged is not converted again (see add_generated_pages).
_SERVE_DIRTY: dict[str, bool] = {"on": False}
_LAST_OUTPUT: dict[str, str] = {}
# A handbook already loaded and checked in this process (`styrdok build` runs MkDocs in-process),
# by project folder: the build uses it, and the pages its check rendered, instead of loading again.
_PREPARED: dict[Path, Handbook] = {}
# The preview (styrdok.preview) makes the generated files (calendars …) only when one is asked for:
# the review calendars alone were two thirds of loading a 2,000-document handbook again. MkDocs gets
# their paths (for its link checks) from styrdok.parts.generated_file_paths.
_FILES_ON_REQUEST: dict[str, bool] = {"on": False}


@contextlib.contextmanager
def generated_files_on_request():
    """Site loads in this process within the block add the generated files without content (a build
    after it makes them again)."""
    _FILES_ON_REQUEST["on"] = True
    try:
        yield
    finally:
        _FILES_ON_REQUEST["on"] = False


def prepare(root: Path, handbook: Handbook | None) -> None:
    """Hand the next MkDocs build of root (in this process) a handbook loaded and checked already;
    None takes back one that no build used (the build failed before loading it)."""
    if handbook is None:
        _PREPARED.pop(Path(root).resolve(), None)
    else:
        _PREPARED[Path(root).resolve()] = handbook


def _quiet_macros_debug() -> None:
    """mkdocs-macros formats its debug messages before it hands them to a logger that drops them
    unless --verbose; one of them is every page's metadata (here the styrdokument with all its
    fields), 3 % of a rebuild at 2,000 pages. Formatted only when the logger shows it."""
    from mkdocs_macros import plugin as macros_plugin, util as macros_util
    original = macros_plugin.debug
    if getattr(original, "styrdok_quiet", False):
        return

    def debug(*args, payload: str = ""):
        if macros_util.LOG.isEnabledFor(logging.DEBUG):
            original(*args, payload=payload)
    debug.styrdok_quiet = True
    macros_plugin.debug = debug


def _memo_front_matter() -> None:
    """MkDocs parses every page's front matter with PyYAML (mkdocs.utils.meta.get_data, 5 % of a
    rebuild at 2,000 pages): the parsed data is kept between builds (memo.py, keyed by the YAML
    text) and each page gets its own copy. The same result as get_data for every text."""
    import copy
    import yaml
    from mkdocs.utils import meta
    from ..memo import cached
    original = meta.get_data
    if getattr(original, "styrdok_memo", False):
        return

    def parse(text: str):
        try:
            data = yaml.load(text, meta.SafeLoader)
        except Exception:
            return None
        return data if isinstance(data, dict) else None

    def get_data(doc: str):
        m = meta.YAML_RE.match(doc)
        if not m:
            return original(doc)
        data = cached("mkdocs-framsida", m.group(1), lambda: parse(m.group(1)))
        if data is None:
            return doc, {}
        return doc[m.end():].lstrip("\n"), copy.deepcopy(data)
    get_data.styrdok_memo = True
    meta.get_data = get_data


def register(env) -> None:
    """define_env: load and validate the handbook, then register every macro."""
    _quiet_macros_debug()
    _memo_front_matter()
    root = Path(env.project_dir)
    handbook = _PREPARED.pop(root.resolve(), None)
    if handbook is None:
        handbook, problems = load_handbook(root)
        if handbook is None or problems.errors:
            raise SourceError(problems)
    _use_handbook(env, root, handbook)


def _use_handbook(env, root: Path, handbook: Handbook) -> None:
    """Give the macros plugin (env), the footer and this module's build state the handbook."""
    env.variables[_STATE_KEY] = handbook
    _CURRENT["handbook"] = handbook
    _CURRENT["root"] = root
    # the same for every page of this build: whether the web editor is built in
    from ..editor import available
    _CURRENT["editor"] = available(root)
    env.conf["copyright"] = f"{handbook.kommun.namn} – socialtjänstens ledningssystem"
    env.conf["extra"]["styrdok_kommun"] = handbook.kommun     # the footer (overrides/partials/copyright.html)
    ctx = make_context(handbook, root / "templates", lambda: env.page.file.src_uri)
    for name, function in macro_functions(ctx).items():
        env.macro(function, name)


def replace_handbook(config, handbook: Handbook) -> None:
    """The preview (styrdok.preview), after a save of front matter or data/: the handbook loaded again
    takes the place of the one the macros plugin of this config loaded, as if it had loaded it."""
    for plugin in config.plugins.values():
        variables = getattr(plugin, "_variables", None)
        if isinstance(variables, dict) and _STATE_KEY in variables:
            break
    else:
        raise LookupError("mkdocs-macros har ingen handbok inläst")
    _use_handbook(plugin, Path(_CURRENT["root"]), handbook)
    # on_config gave the template environment and the variables copies of the macros
    plugin.variables["macros"].update(plugin.macros)
    plugin.env.globals.update(plugin.macros)


def before_page(env) -> None:
    """on_pre_page_macros: title, metadata card and edit link of a styrdokument page; the download
    links of a printed page that is not one (styrdok.printpages)."""
    handbook: Handbook = env.variables[_STATE_KEY]
    page = env.page
    doc = handbook.dokument_by_path(page.file.src_uri)
    title = page_title(handbook, page.file.src_uri, page.meta)
    if title is not None:
        page.meta["title"] = title
    if doc is not None:
        today = current_date()
        page.meta["tags"] = list(doc.taggar)      # the theme's tags plugin reads them after the macros
        page.meta["styrdok"] = {
            "doc": doc, "falt": handbook.kommun.falt,
            "rader": header_rows(handbook, doc, today=today, senast_andrad=senast_andrad(handbook, doc)),
            "url": page_url,
            "overdue": doc.nasta_revidering < today,
            "kommande": doc.galler_fran > today,          # decided, but it applies from a later date
            "relaterade": [{"titel": r.titel, "url": page_url(r.src_path)} for r in doc.relaterade],
            "revisions": revisions(handbook, doc),
            "word_url": f"word/{doc.id}.docx",
            "pdf_url": f"pdf/{doc.id}.pdf" if site_pdfs(handbook) else None,
        }
        page.meta["styrdok_beslutat"] = decided_notice(handbook, doc)
    else:
        printed = print_pages(handbook).get(page.file.src_uri)
        if printed is not None:      # a process, kvalitetsplan, Mitt ansvar, an enhet: Word and PDF too
            page.meta["styrdok_ladda_ner"] = {"word_url": word_url(printed),
                                              "pdf_url": pdf_url(printed) if site_pdfs(handbook) else None}
    page.edit_url = _edit_url(handbook, page)
    _reuse_rendered(env, handbook)


def page_title(handbook: Handbook | None, src_uri: str, meta: dict) -> Markup | None:
    """The page's title as the site shows it: a styrdokument's from the model, else the front
    matter's `title`; None when neither (MkDocs takes the first heading).

    Text from front matter, not HTML: escaped once here, so the theme's templates (which do not
    autoescape) show it as text in <title>, the heading, the navigation and the header."""
    doc = handbook.dokument_by_path(src_uri) if handbook is not None else None
    title = doc.titel if doc is not None else meta.get("title")
    if isinstance(title, Markup):
        return title
    return Markup.escape(title) if isinstance(title, str) else None


def _edit_url(handbook: Handbook, page) -> str | None:
    """"Redigera": the web editor's entry for the page (generated pages: the data that makes them) when
    the editor is built into the site (styrdok.editor), else the kommun's own edit address if set (for
    pages that have a file in docs/)."""
    from ..editor import available, edit_url
    built_in = _CURRENT.get("editor")
    if built_in is None:
        built_in = available(Path(_CURRENT["root"]))
    if built_in:
        # A page made by a part without its own data entry (lists, tags) has no link rather than one
        # to a Markdown file that does not exist.
        return edit_url(handbook, page.file.src_uri, page.url)
    if handbook.kommun.redigera_url and page.file.src_uri in handbook.pages:
        return handbook.kommun.redigera_url.rstrip("/") + "/docs/" + page.file.src_uri
    return None


def _reuse_rendered(env, handbook: Handbook) -> None:
    """Give mkdocs-macros the page's Markdown when it is known already, and tell it not to render.

    A page without Jinja syntax renders to itself; a page the check (or --dirty) rendered with this
    handbook renders to what it gave then. The site environment differs from the strict one only
    in whitespace: it drops the text's final newline (keep_trailing_newline is off) and does not
    trim around {% %} and {# #}, so pages with those are left to mkdocs-macros.
    """
    body = env.markdown
    if "{%" in body or "{#" in body or "render_macros" in env.page.meta:
        return
    if "{{" in body:
        output = _rendered_text(handbook, env.page.file.src_uri, body)
        if output is None:
            return
    else:
        output = body.replace("\r\n", "\n").replace("\r", "\n")   # Jinja's newlines
    if body.endswith(("\n", "\r")):
        output = output[:-1]
    env.markdown = output
    env.page.meta["render_macros"] = False


def _rendered_text(handbook: Handbook, src_uri: str, body: str) -> str | None:
    """The rendered Markdown of body, if the check rendered it.

    The check rendered the whole text of the page (a generated page with its front matter); MkDocs
    hands the macros the text after the front matter and its blank lines. A prefix with no Jinja
    syntax comes out of Jinja as it went in, so the output for body is the rest.
    """
    templates = Path(_CURRENT["root"]) / "templates"
    page = handbook.pages.get(src_uri)
    texts = [body, page.body if page else None, _CURRENT.get("generated", {}).get(src_uri)]
    for text in dict.fromkeys(t for t in texts if t is not None and t.endswith(body)):
        prefix = text[:len(text) - len(body)]
        if prefix and (not prefix.endswith("\n") or any(s in prefix for s in ("{{", "{%", "{#"))):
            continue
        output = rendered_before(handbook, templates, src_uri, text)
        if output is not None and output.startswith(prefix):
            return output[len(prefix):]
    return None


def after_page(env) -> None:
    """on_post_page_macros: the page's extra search words (partials/styrdok-sokord.html), and
    abbreviations from begrepp, explained on hover on every page."""
    handbook: Handbook = env.variables[_STATE_KEY]
    page = env.page
    page.meta["styrdok_sok"] = _search_indexer(handbook).page_data(
        env.markdown, html.unescape(str(page.title or "")), handbook.dokument_by_path(page.file.src_uri),
        taggar=tuple(page.meta.get("tags") or ()))
    env.markdown = env.markdown.rstrip("\n") + "\n\n" + abbreviation_lines(handbook) + "\n"


def _search_indexer(handbook: Handbook) -> SearchIndexer:
    """One indexer (lexicon, begrepp names) per loaded handbook, shared by all pages of a build."""
    indexer = _CURRENT.get("search")
    if not isinstance(indexer, SearchIndexer) or indexer.handbook is not handbook:
        indexer = _CURRENT["search"] = SearchIndexer(handbook)
    return indexer


def start(command: str, dirty: bool) -> None:
    """on_startup: remember whether this process serves with --dirty (it rebuilds after every save)."""
    _SERVE_DIRTY["on"] = command == "serve" and dirty
    _unread_macros_git_info()
    _quiet_macros_pre_build()


def _unread_macros_git_info() -> None:
    """mkdocs-macros reads its page variable `git` (the last commit, its author, tag …) on every load of
    the configuration, with thirteen git commands: 19 ms of a 330 ms rebuild of a small handbook, and of
    every load in the preview. No page of a handbook can use it (styrdok check refuses a name that is
    not one of styrdok's macros, as for any other unknown name), so it is left unread: the variable
    says what mkdocs-macros says outside a git repository."""
    from mkdocs_macros import context
    if getattr(context.get_git_info, "styrdok_unread", False):
        return

    def get_git_info():
        return {"status": False, "date": None}
    get_git_info.styrdok_unread = True
    context.get_git_info = get_git_info


def _quiet_macros_pre_build() -> None:
    """mkdocs-macros' on_pre_build only logs its variables, macros and filters for --verbose, but makes
    all three into JSON on every build before the logger drops them (reading git for the variable
    `git` on the way): 37 ms of a 330 ms rebuild. Now only when the logger shows them."""
    from mkdocs_macros import plugin as macros_plugin, util as macros_util
    cls = macros_plugin.MacrosPlugin
    original = cls.on_pre_build
    if getattr(original, "styrdok_quiet", False):
        return

    def on_pre_build(self, *, config):
        if macros_util.LOG.isEnabledFor(logging.DEBUG):
            return original(self, config=config)
    on_pre_build.styrdok_quiet = True
    cls.on_pre_build = on_pre_build


def watch_sources(server, config):
    """on_serve: rebuild the preview also when data/ or templates/ change (MkDocs watches only docs/)."""
    root = Path(config.config_file_path).parent if config.config_file_path else Path.cwd()
    for name in ("data", "templates"):
        if (root / name).is_dir():
            server.watch(str(root / name))
    return server


def _unchanged_output(handbook: Handbook, src_uri: str, content: str) -> bool:
    """True if the page's macros give the same Markdown as in the previous build of this process."""
    try:
        output = render_page_markdown(handbook, Path(_CURRENT["root"]) / "templates", src_uri, content)
    except Exception:
        _LAST_OUTPUT.pop(src_uri, None)
        return False            # the real rendering reports the error
    same = _LAST_OUTPUT.get(src_uri) == output
    _LAST_OUTPUT[src_uri] = output
    return same


def _data_changed(root: Path) -> bool:
    """True if a file in data/ or templates/ changed since the previous build of this process."""
    stamp = []
    for name in ("data", "templates"):
        folder = root / name
        if folder.is_dir():
            for path in sorted(folder.rglob("*")):
                if path.is_file():
                    st = path.stat()
                    stamp.append((path.as_posix(), st.st_mtime_ns, st.st_size))
    previous = _CURRENT.get("data_stamp")
    _CURRENT["data_stamp"] = tuple(stamp)
    return previous is not None and previous != _CURRENT["data_stamp"]


def add_generated_pages(files, config):
    """on_files: pages made from data, whose Markdown calls macros like any other page.

    A generated page has no source file, so `--dirty` rebuilds it after every save. Under
    `mkdocs serve --dirty` a page whose macro output did not change since the previous build is
    skipped: the overview pages list every document and were half of a rebuild at 2,000 pages.
    """
    from mkdocs.structure.files import File

    handbook = _CURRENT.get("handbook")
    if handbook is None:
        return files
    if _SERVE_DIRTY["on"] and _data_changed(Path(_CURRENT["root"])):
        # data/ or templates/ changed: any page may show it (macros, abbreviations, the card's labels),
        # and MkDocs would rebuild only pages whose own file changed.
        for file in files.documentation_pages():
            file.is_modified = lambda: True
    pages = generated_pages(handbook)
    _CURRENT["generated"] = {src: content for src, content in pages}
    files_too = ([(src, b"") for src in generated_file_paths(handbook)] if _FILES_ON_REQUEST["on"]
                 else generated_files(handbook))
    for src_uri, content in [*pages, *files_too]:
        if files.get_file_from_path(src_uri) is None:
            file = File.generated(config, src_uri, content=content)
            if _SERVE_DIRTY["on"] and isinstance(content, str) and _unchanged_output(handbook, src_uri, content):
                file.is_modified = lambda f=file: not os.path.isfile(f.abs_dest_path)
            files.append(file)
    return files
