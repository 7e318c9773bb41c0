"""The MkDocs-specific part of the preview (styrdok forhandsvisa): MkDocs' own build steps, one page at a time.

A build reads every page, converts every page and renders every page's template. The preview keeps
what a build knows before it converts anything (config, plugins, the handbook the macros loaded,
files, navigation, the theme's Jinja environment) and then does the rest for one page when the
browser asks for it: the page's macros, Markdown → HTML with the site's extensions, the theme's
template with the navigation as it is now. The navigation needs every page's title, which comes
from the front matter (and, for a styrdokument, from the model) without converting the page.

Everything that depends on MkDocs is in this module (and in what it calls: the plugins, hooks and
the theme configured in mkdocs.yml); the server, the watcher and the live reload do not import MkDocs.
"""
from __future__ import annotations

import atexit
import contextlib
import logging
import os
import shutil
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

from ..parts import generated_file_paths, generated_pages


class PreviewLoadError(Exception):
    """The site could not be prepared (a fel in data/ or docs/, mkdocs.yml): lines to show."""

    def __init__(self, lines: list[str]):
        super().__init__("\n".join(lines))
        self.lines = lines


class PageError(Exception):
    """One page could not be rendered: lines to show (Swedish, with file and line when known)."""

    def __init__(self, lines: list[str]):
        super().__init__("\n".join(lines))
        self.lines = lines


class _Collect(logging.Handler):
    """MkDocs' warnings while a page is rendered (`styrdok build` --strict fails on each), of this
    thread only: the site may be loading again in another thread meanwhile."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.lines: list[str] = []
        self.thread = threading.get_ident()

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread == self.thread:
            self.lines.append(record.getMessage())


@contextlib.contextmanager
def _loading(root: Path):
    """In root (MkDocs reads relative paths) with MkDocs' warnings collected; whatever fails becomes a
    PreviewLoadError: the handbook's problems with their files, else MkDocs' warnings and the error."""
    from ..problems import SourceError
    cwd = os.getcwd()
    logger = logging.getLogger("mkdocs")
    collect = _Collect()
    logger.addHandler(collect)
    try:
        os.chdir(root)
        yield
    except PreviewLoadError:
        raise
    except SourceError as exc:
        raise PreviewLoadError([p.format() for p in exc.problems.items]) from None
    except (Exception, SystemExit) as exc:
        raise PreviewLoadError([*collect.lines, f"{type(exc).__name__}: {exc}"]) from None
    finally:
        os.chdir(cwd)
        logger.removeHandler(collect)


@dataclass
class Rendered:
    """A page's output and the state it was made from."""
    html: str
    key: tuple
    warnings: list[str] = field(default_factory=list)


class MkDocsSite:
    """One loaded site: call load() once (and again when the configuration or model changes)."""

    def __init__(self, root: Path, generation: int = 1):
        self.root = Path(root).resolve()
        self.load_seconds = 0.0
        self.site_dir = _no_output_dir()
        self.config = self.files = self.nav = self.env = None
        self.handbook = None
        self.by_url: dict[str, object] = {}
        self.static_by_url: dict[str, object] = {}
        self.generation = generation    # a newer load of the site has a higher one
        self._converted: dict[str, tuple] = {}  # src_uri → key of the page's last conversion
        self._rendered: dict[str, Rendered] = {}
        self.tags = None
        self.file_paths: frozenset[str] = frozenset()   # generated files (calendars …): bytes on request
        self.generated: dict[str, str] = {}     # generated page (src_uri) → its Markdown, as MkDocs has it
        self.sources: frozenset[str] = frozenset()  # the handbook's Markdown files (docs/) when loaded

    # -- loading -------------------------------------------------------------------------------
    def load(self) -> float:
        """Config, plugins (the macros plugin loads and validates the handbook), files, navigation,
        every page's title and the theme's environment: what a build has before it converts a page.
        Raises PreviewLoadError with the problems in Swedish. Returns the seconds it took."""
        import time
        started = time.perf_counter()
        os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
        from mkdocs.commands.build import _populate_page, get_navigation
        from mkdocs.config import load_config
        from mkdocs.structure.files import get_files, set_exclusions
        from mkdocs.structure.pages import Page

        from ..site import pagecache
        from ..site.adapter import _CURRENT, generated_files_on_request

        with _loading(self.root), generated_files_on_request():
            config = load_config(config_file=str(self.root / "mkdocs.yml"), site_dir=str(self.site_dir),
                                 strict=True)
            # The build's page cache (.cache/site/) keys a page's template by the navigation of a whole
            # build; the preview renders one page when it is asked for, with the navigation as it is then.
            pagecache.switch_off()
            # Generated files (calendars …): their paths now (generated_files_on_request), their bytes
            # when asked for (static_file).
            config.plugins.on_startup(command="build", dirty=False)
            config = config.plugins.on_config(config)
            config.plugins.on_pre_build(config=config)
            files = get_files(config)
            env = config.theme.get_env()
            pagecache.store_compiled_templates(env, self.root)
            _add_theme_files(files, env, config)
            files = config.plugins.on_files(files, config=config)
            set_exclusions(files, config)
            nav = get_navigation(files, config)
            nav = config.plugins.on_nav(nav, config=config, files=files)
            handbook = _CURRENT.get("handbook")
            for file in files.documentation_pages():
                if file.page is None:
                    Page(None, file, config)
                self._read(file.page, config, handbook)
            self.tags = _tags_plugin(config)
            listing_pages = _collect_tags(self.tags, files) if self.tags is not None else []
            for page in listing_pages:      # made now: the tags plugin fills their lists in on_env
                _populate_page(page, config, files)
            env = config.plugins.on_env(env, config=config, files=files)
        self.file_paths = frozenset(generated_file_paths(handbook)) if handbook is not None else frozenset()
        self.config, self.files, self.nav, self.env, self.handbook = config, files, nav, env, handbook
        self.by_url = {f.url: f for f in files.documentation_pages()}
        made = _CURRENT.get("generated") or {}
        self.generated = {f.src_uri: f.content_string for f in self.by_url.values()
                          if f.src_uri in made and f.abs_src_path is None}
        self.sources = frozenset(handbook.pages) if handbook is not None else frozenset()
        for page in listing_pages:
            self._converted[page.file.src_uri] = self._key(page.file)
        self.static_by_url = {f.url: f for f in files if not f.is_documentation_page()}
        return time.perf_counter() - started

    def update(self) -> float | None:
        """The handbook loaded again and put in place of the current one, keeping MkDocs' config,
        plugins, files, navigation and the theme's environment (its compiled templates): after a save
        of front matter or data/ when no file was added or removed. Every page's title, the
        generated pages' Markdown and the tag lists follow the new handbook; pages are converted
        again when asked for. Returns the seconds it took, or None when the change needs a new load()
        (a generated page added or removed). Raises PreviewLoadError with the problems in Swedish,
        leaving the site as it was."""
        import time
        started = time.perf_counter()
        from ..load import load_handbook
        from ..site.adapter import _CURRENT, replace_handbook

        if self.config is None:
            return None
        handbook, problems = load_handbook(self.root)
        if handbook is None or problems.errors:
            raise PreviewLoadError([p.format() for p in problems.items])
        pages = dict(generated_pages(handbook))
        made = {src: text for src, text in pages.items() if src in self.generated}
        if frozenset(handbook.pages) != self.sources or made.keys() != self.generated.keys() or any(
                src not in self.generated and self.files.get_file_from_path(src) is None for src in pages) \
                or frozenset(generated_file_paths(handbook)) != self.file_paths:
            return None         # a page or a file (a role's first document: its calendar) added or removed
        with _loading(self.root):
            replace_handbook(self.config, handbook)
            _CURRENT["generated"] = pages
            for src, text in made.items():
                if text != self.generated[src]:
                    self.files.get_file_from_path(src).content_string = text
            self.generated = made
            before, self.handbook = self.handbook, handbook
            self.generation += 1            # every page is converted and rendered again when asked for
            self._converted.clear()
            self._rendered.clear()
            tags_changed = False
            for file in self.files.documentation_pages():
                # A page whose file and styrdokument (the same object: load_handbook keeps the
                # unchanged ones) are as before has the same title and tags.
                src = file.src_uri
                known = _SOURCES.get(file.abs_src_path or src)
                if (known is not None and known[0] == _stamp(file)
                        and before.dokument_by_path(src) is handbook.dokument_by_path(src)):
                    continue
                tags = file.page.meta.get("tags")
                self._read(file.page, self.config, handbook)
                tags_changed = tags_changed or file.page.meta.get("tags") != tags
            if self.tags is not None and tags_changed:
                self._collect_tags_again()
        _reset_navigation(self.env)
        return time.perf_counter() - started

    def _collect_tags_again(self) -> None:
        """The tags plugin's lists of pages per tag from every page's tags as they are now."""
        from mkdocs.commands.build import _populate_page
        self.tags.mappings.data.clear()
        self.tags.listings.data.clear()
        for page in _collect_tags(self.tags, self.files):
            _populate_page(page, self.config, self.files)
            _populate_listings(self.tags, page, self.env, self.config)
            self._converted[page.file.src_uri] = self._key(page.file)

    def _read(self, page, config, handbook) -> None:
        """The page's source and title, without its macros or conversion (for the navigation).
        A file read by an earlier load and unchanged since is not parsed again (at 2,000 pages
        parsing every front matter was two of the three seconds of a load)."""
        from ..site.adapter import page_title
        page.content = None
        page._title_from_render = None
        stamp = _stamp(page.file)
        known = _SOURCES.get(page.file.abs_src_path or page.file.src_uri)
        if known is not None and known[0] == stamp and page.file.is_documentation_page():
            page.markdown, page.meta = known[1], dict(known[2])
        else:
            page.read_source(config)
            _SOURCES[page.file.abs_src_path or page.file.src_uri] = (stamp, page.markdown, dict(page.meta))
        title = page_title(handbook, page.file.src_uri, page.meta)
        if title is not None:
            page.meta["title"] = title
        doc = handbook.dokument_by_path(page.file.src_uri) if handbook is not None else None
        if doc is not None:
            page.meta["tags"] = list(doc.taggar)   # as the macros give it (adapter.before_page)

    def page_changed(self, src_uri: str) -> bool:
        """A page's file changed (not its front matter): read it again. False if it is not a page."""
        file = self.files.get_file_from_path(src_uri) if self.files else None
        if file is None or file.page is None:
            return False
        before = file.page.title
        self._read(file.page, self.config, self.handbook)
        self._converted.pop(src_uri, None)
        self._rendered.pop(src_uri, None)
        if file.page.title != before:   # its first heading: the title in every page's navigation
            self._rendered.clear()
            _reset_navigation(self.env)
        return True

    # -- rendering -----------------------------------------------------------------------------
    def static_file(self, url: str) -> bytes | None:
        """The bytes of the site's file (theme asset, docs/ file, generated file) at url, or None."""
        if self.files is None:
            return None
        file = self.static_by_url.get(url)
        if url in self.file_paths and self.handbook is not None:
            from ..parts import generated_files
            content = dict(generated_files(self.handbook)).get(url)     # kept per handbook (parts._made)
            if content is not None:
                return content if isinstance(content, bytes) else content.encode("utf-8")
        return file.content_bytes if file is not None else None

    def dest_for_url(self, url: str) -> str:
        return self.by_url[url or "./"].dest_uri

    def src_for_url(self, url: str) -> str | None:
        file = self.by_url.get(url or "./")
        return file.src_uri if file is not None else None

    def render(self, url: str) -> Rendered:
        """The page at url as `styrdok build` writes it, made now from the current state.
        Raises KeyError for a url that is no page, PageError when the page fails."""
        from mkdocs.commands.build import _populate_page
        from mkdocs.utils.templates import TemplateContext  # noqa: F401  (MkDocs' own context type)
        from mkdocs.commands.build import get_context

        file = self.by_url[url or "./"]
        page = file.page
        key = self._key(file)
        done = self._rendered.get(file.src_uri)
        if done is not None and done.key == key:
            return done
        logger = logging.getLogger("mkdocs")
        collect = _Collect()
        logger.addHandler(collect)
        cwd = os.getcwd()
        try:
            os.chdir(self.root)
            if self._converted.get(file.src_uri) != key:
                if self.tags is not None:   # the page's tag lists are made again below
                    self.tags.listings.data = {x for x in self.tags.listings.data if x.page is not page}
                _populate_page(page, self.config, self.files)
                if self.tags is not None:
                    _populate_listings(self.tags, page, self.env, self.config)
                self._converted[file.src_uri] = key
            page.active = True
            self.config._current_page = page
            try:
                doc_files = self.files.documentation_pages()
                context = get_context(self.nav, doc_files, self.config, page)
                template = self.env.get_template(page.meta.get("template", "main.html"))
                context = self.config.plugins.on_page_context(context, page=page, config=self.config,
                                                              nav=self.nav)
                output = template.render(context)
                output = self.config.plugins.on_post_page(output, page=page, config=self.config)
            finally:
                page.active = False
                self.config._current_page = None
        except (Exception, SystemExit) as exc:
            self._converted.pop(file.src_uri, None)
            raise PageError(self._explain(file.src_uri, exc, collect.lines)) from None
        finally:
            os.chdir(cwd)
            logger.removeHandler(collect)
        done = Rendered(output, key, list(collect.lines))
        self._rendered[file.src_uri] = done
        return done

    def _key(self, file) -> tuple:
        return (self.generation, file.src_uri, _stamp(file))

    def _explain(self, src_uri: str, exc: BaseException, logged: list[str]) -> list[str]:
        """What `styrdok check` says about the page (macros, links), else MkDocs' own words."""
        from .problems import page_problems
        lines = page_problems(self.handbook, self.root, src_uri)
        if lines:
            return lines
        what = str(exc) or type(exc).__name__
        return [f"docs/{src_uri}: fel: Sidan kunde inte visas: {line}" for line in dict.fromkeys([*logged, what])]

    def warnings_for(self, src_uri: str, logged: list[str]) -> list[str]:
        """A page that rendered with MkDocs warnings (a link to a missing page …) fails the build:
        the check's Swedish message for it, else MkDocs' message with the file."""
        from .problems import page_problems
        lines = page_problems(self.handbook, self.root, src_uri)
        return lines or [f"docs/{src_uri}: fel: {line}" for line in logged]


_NO_OUTPUT: dict[str, Path] = {}


def _no_output_dir() -> Path:
    """MkDocs' site_dir for the preview, which writes no site (a plugin may leave a file there: the tags
    plugin's tags.json): a folder of this process's own, removed when it ends. One fixed folder in /tmp
    was shared by everyone's preview on a server (a terminal server with several SAS): the second
    person's could not write in the first one's."""
    if "dir" not in _NO_OUTPUT:
        _NO_OUTPUT["dir"] = Path(tempfile.mkdtemp(prefix="styrdok-forhandsvisning-"))
        atexit.register(shutil.rmtree, _NO_OUTPUT["dir"], True)
    return _NO_OUTPUT["dir"]


# Sources read by a load in this process: path → (stamp, Markdown, front matter).
_SOURCES: dict[str, tuple] = {}


def _stamp(file) -> tuple:
    """What a page's source is now: the file's mtime and size, or a generated page's content."""
    path = file.abs_src_path
    if path and os.path.isfile(path) and not getattr(file, "generated_by", None):
        st = os.stat(path)
        return (st.st_mtime_ns, st.st_size)
    return (hash(file.content_string) if file.is_documentation_page() else 0,)


# The theme's static files by theme folders: listing mkdocs-material's folder took a fifth of a load.
_THEME_FILES: dict[tuple, list[tuple[str, str]]] = {}


def _add_theme_files(files, env, config) -> None:
    """files.add_files_from_theme, with the list of the theme's files kept between loads while no
    theme folder outside the installed packages (overrides/) changed."""
    import sys
    from mkdocs.structure.files import File
    key = [tuple(config.theme.dirs), tuple(config.theme.static_templates)]
    for folder in config.theme.dirs:
        if not os.path.realpath(folder).startswith(os.path.realpath(sys.prefix)):
            for base, dirs, names in os.walk(folder):
                key.append((base, tuple(sorted(dirs)), tuple(sorted(names))))
    key = tuple(key)
    if key not in _THEME_FILES:
        probe = type(files)([])
        probe.add_files_from_theme(env, config)
        _THEME_FILES.clear()
        _THEME_FILES[key] = [(f.src_uri, f.src_dir) for f in probe]
    for path, folder in _THEME_FILES[key]:
        if files.get_file_from_path(path) is None:        # theme files do not override docs/ files
            files.append(File(path, folder, config.site_dir, config.use_directory_urls))


def _tags_plugin(config):
    """mkdocs-material's tags plugin when it is on (its lists of pages per tag and each page's tag links)."""
    for plugin in config.plugins.values():
        if type(plugin).__module__.startswith("material.plugins.tags") and plugin.config.enabled:
            return plugin
    return None


def _collect_tags(tags, files) -> list:
    """Give the tags plugin every page's tags (a build collects them while it converts every page)
    and return the pages that list pages by tag (`<!-- material/tags -->`)."""
    import re
    directive = re.compile(r"<!--\s*?" + re.escape(tags.config.listings_directive), re.I)
    listing_pages = []
    for file in files.documentation_pages():
        if tags.filter(file):
            tags.mappings.add(file.page, file.page.markdown)
        if directive.search(file.page.markdown or ""):
            listing_pages.append(file.page)
    return listing_pages


def _populate_listings(tags, page, env, config) -> None:
    """Fill the tag lists of a page just converted, as the tags plugin's on_env does in a build."""
    from material.plugins.tags.renderer import Renderer
    mine = [x for x in tags.listings.data if x.page is page]
    if mine:
        renderer = Renderer(env, config)
        for listing in mine:
            tags.listings.populate(listing, tags.mappings, renderer)


def _reset_navigation(env) -> None:
    """Titles changed: the navigation fragments rendered so far (styrdok.site.navcache) are stale."""
    from ..site.navcache import reset
    reset(env)

