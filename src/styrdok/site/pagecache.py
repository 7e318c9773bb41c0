"""Page caches of a site build (.cache/site/): a page whose inputs did not change is not converted again.

Two stages of a page are cached, each keyed by everything it reads:

- Markdown → HTML (Python-Markdown, the largest share of a build): the page's Markdown after the
  macros, its place (src/dest/url), every file's place in the site (links are rewritten against
  them), the Markdown configuration and the code. A conversion that logged a warning is not kept
  (the warning fails the build and must be shown again).
- the theme's page template (navigation, header card, footer): the page's HTML, table of contents,
  title, the plain values of its metadata, its URL, the navigation (every page's place and title),
  and every input of the project except the bodies of the pages: data/, templates, overrides,
  mkdocs.yml, the front matter of every page, git refs, the day, the code. A page body edit therefore
  redoes the template of that page only (and of the generated pages whose Markdown changes); any other
  change redoes every template but still reuses the Markdown conversions.

The plugins' events still run for every page (they may collect things for other pages); only
the conversion and the template rendering are replaced by what they gave last time.

Both cores (STYRDOK_JOBS, default: all): when a build misses the cache for its first pages (a clean
build, or a change that touches every page), a forked helper process runs MkDocs' own steps for
the pages still ahead, from the last one backwards, and fills the cache; the main process, going
forwards, then finds their conversions (and later their templates) there, until the two meet.
The helper writes nothing but cache entries, under the same keys, so the site is the one a single
process makes: a helper's entry is used only where the key (everything the step reads) is equal.
"""
from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import functools
import hashlib
import json
import logging
import os
import pickle
import select
import shutil
import tempfile
import types
import typing
from pathlib import Path

from .. import cores
from .cache import code_version, input_files, project_digest

_BUILD: dict[str, object] = {}
_SERVING = {"on": False}


def _sha(*parts: str | bytes) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part)
        h.update(b"\0\1")
    return h.hexdigest()


def _front_matters(root: Path) -> str:
    """The front matter (and the non-Markdown files) of docs/: the pages' inputs except their bodies."""
    docs = root / "docs"
    h = hashlib.sha256()
    for path in input_files(docs) if docs.is_dir() else []:
        data = path.read_bytes()
        if path.suffix == ".md" and data.startswith(b"---"):
            end = data.find(b"\n---", 3)
            data = data[:end + 4] if end > 0 else data
        elif path.suffix == ".md":
            data = b""
        h.update(path.relative_to(docs).as_posix().encode() + b"\0" + data + b"\0")
    return h.hexdigest()


def plain(value, depth: int = 0):
    """The plain values of a page's metadata (text, numbers, dates, lists, dicts, dataclasses) in a
    stable form; objects of the model stand as their type name: they come from files the template
    key covers."""
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if depth > 20:
        return "…"
    if isinstance(value, dict):
        return [[str(k), plain(v, depth + 1)] for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))]
    if isinstance(value, (list, tuple)):
        return [plain(v, depth + 1) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted(json.dumps(plain(v, depth + 1), sort_keys=True) for v in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        # values computed for the page (its search words, header rows): they may depend on other
        # pages' text (the search lexicon), which the template key does not otherwise cover.
        # An object of the frozen model (a styrdokument, shown on its page and in others' lists)
        # stands as the digest of its plain form, made once per build.
        if type(value).__dataclass_params__.frozen:
            if _repr_safe(type(value)):         # values only: its repr says all of it, fast
                return [type(value).__qualname__, _sha(repr(value))]
            known = _FROZEN.get(id(value))
            if known is None or known[0] is not value:
                whole = json.dumps(_fields(value, 0), sort_keys=True)
                known = _FROZEN[id(value)] = (value, [type(value).__qualname__, _sha(whole)])
            return known[1]
        return _fields(value, depth)
    return f"<{type(value).__module__}.{type(value).__qualname__}>"


def _fields(value, depth: int) -> list:
    return [type(value).__qualname__, [[f.name, plain(getattr(value, f.name), depth + 1)]
                                       for f in dataclasses.fields(value)]]


_ATOMS = (str, int, float, bool, type(None))
_REPR_SAFE: dict[type, bool] = {}


def _repr_safe(cls: type) -> bool:
    """A frozen dataclass whose repr is the whole of its value and the same in every process: the
    dataclass's own repr, every field in it, and every field's type text, a number, a truth value,
    None, a tuple of such, or another such dataclass (not a set: its order changes between
    processes; not a dict, a list or any other object)."""
    known = _REPR_SAFE.get(cls)
    if known is None:
        _REPR_SAFE[cls] = False                  # a type that contains itself is not taken
        try:
            hints = typing.get_type_hints(cls)
            known = (hasattr(cls.__repr__, "__wrapped__") and cls.__dataclass_params__.frozen
                     and all(f.repr and _safe_hint(hints.get(f.name)) for f in dataclasses.fields(cls)))
        except Exception:
            known = False
        _REPR_SAFE[cls] = known
    return known


def _safe_hint(hint) -> bool:
    if hint in _ATOMS:
        return True
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is tuple or origin is typing.Union or origin is types.UnionType:
        return all(a is Ellipsis or _safe_hint(a) for a in args)
    return isinstance(hint, type) and dataclasses.is_dataclass(hint) and _repr_safe(hint)


# plain() of the frozen objects met in this build (id -> (object, digest)); emptied per build
_FROZEN: dict[int, tuple] = {}


class PageCache:
    """The caches of one build (one MkDocs run): created on_config, used by the hooks below."""

    def __init__(self, config):
        _FROZEN.clear()
        self.root = Path(config.config_file_path).parent if config.config_file_path else Path.cwd()
        self.folder = self.root / ".cache" / "site"
        self.site_dir = Path(config["site_dir"]).resolve()
        markdown_config = json.dumps([repr(config["markdown_extensions"]), repr(config["mdx_configs"]),
                                      config["use_directory_urls"], repr(config["validation"]),
                                      config.get("site_url") or ""], sort_keys=True)
        self.markdown_base = _sha(code_version(), markdown_config)
        self.template_base = _sha(code_version(),
                                  project_digest(self.root, skip=(self.site_dir,), exclude_folder="docs"),
                                  _front_matters(self.root))
        self.files_digest = ""
        self.nav_digest = ""
        self.used: set[Path] = set()
        self.config = config
        self.files = self.nav = self.env = None
        self.misses = {"md": 0, "html": 0}
        self.looked = {"md": 0, "html": 0}
        self.helpers: dict[str, _Helper] = {}

    def _path(self, kind: str, key: str) -> Path:
        return self.folder / kind / key[:2] / key

    def _read(self, kind: str, key: str) -> bytes | None:
        self.looked[kind] += 1
        path = self._path(kind, key)
        try:
            data = path.read_bytes()
        except OSError:
            return None
        self.used.add(path)
        return data

    def _write(self, kind: str, key: str, data: bytes) -> None:
        path = self._path(kind, key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp, path)
        self.used.add(path)

    # -- Markdown -> HTML -------------------------------------------------------------------------
    def set_files(self, files) -> None:
        places = sorted((f.src_uri, f.dest_uri, f.url, str(f.inclusion)) for f in files)
        self.files_digest = _sha(json.dumps(places))

    def markdown_key(self, page) -> str:
        return _sha(self.markdown_base, self.files_digest, page.file.src_uri, page.file.dest_uri,
                    page.file.url, page.markdown or "")

    def wrap_render(self, page) -> None:
        """Make page.render give the stored conversion, or convert and store it (the key is made
        when MkDocs converts, from the Markdown all plugins gave)."""
        page.render = functools.partial(_cached_render, self, page)

    # -- the page template ------------------------------------------------------------------------
    def set_nav(self, files) -> None:
        pages = []
        for f in files.documentation_pages():
            page = f.page
            pages.append([f.src_uri, f.url, str(f.inclusion), page.title if page is not None else None])
        self.nav_digest = _sha(json.dumps(pages))

    def template_key(self, name: str, page) -> str:
        return _sha(self.template_base, self.nav_digest, name, page.file.src_uri, page.url,
                    page.content or "", str(page.toc), page.title or "", page.edit_url or "",
                    page.canonical_url or "", json.dumps(plain(page.meta), sort_keys=True))

    def missed(self, kind: str, page) -> None:
        """A page was not in the cache: when the first pages miss (a clean build, or a change every
        page shows), start a helper on the pages ahead. Misses here and there (an edit) do not:
        the helper would mostly find the cache filled and spend a core on the plugins' events."""
        self.misses[kind] += 1
        if self.misses[kind] != 2 or self.looked[kind] > 4 or kind in self.helpers or self.files is None \
                or cores.jobs() < 2:
            return
        from mkdocs.commands import build as mkdocs_build
        pages = [f.page for f in self.files.documentation_pages() if f.page is not None]
        ahead = pages[next((i for i, p in enumerate(pages) if p is page), len(pages)) + 1:]
        if kind == "md":
            work = functools.partial(mkdocs_build._populate_page, config=self.config, files=self.files)
        else:
            doc_files = self.files.documentation_pages()
            work = functools.partial(_build_page_quietly, config=self.config, doc_files=doc_files,
                                     nav=self.nav, env=self.env, current=page)
        self.helpers[kind] = _Helper(ahead, work)

    def write_counts(self) -> None:
        """How many pages this build converted and rendered itself (statistik.json: for benchmarks
        and tests; the helpers' work is not counted), and which steps had a helper."""
        with contextlib.suppress(OSError):
            self.folder.mkdir(parents=True, exist_ok=True)
            (self.folder / "statistik.json").write_text(json.dumps({"gjorda": self.misses,
                                                                                 "hjalp": sorted(self.helpers)}), encoding="utf-8")

    def stop_helpers(self) -> None:
        for helper in self.helpers.values():
            helper.stop()

    def prune(self) -> None:
        """Remove entries this build did not use (the cache holds one build's pages)."""
        for kind in ("md", "html"):
            base = self.folder / kind
            if not base.is_dir():
                continue
            for sub in base.iterdir():
                for entry in sub.iterdir():
                    if entry not in self.used:
                        entry.unlink(missing_ok=True)


def _build_page_quietly(page, *, config, doc_files, nav, env, current) -> None:
    """MkDocs' page step in a helper: the template is rendered (and cached), nothing is written.

    The helper was forked while the main process rendered `current`, which MkDocs had marked as
    the active page (and its sections as active): unmarked here, as MkDocs does after a page."""
    from mkdocs import utils
    from mkdocs.commands import build as mkdocs_build
    from ..search.pagefind import SEARCH_COPIES
    current.active = False
    utils.write_file = lambda *args, **kwargs: None
    SEARCH_COPIES["feed"] = None
    mkdocs_build._build_page(page, config, doc_files, nav, env)


class _Helper:
    """A forked process doing work(item) for items from the last backwards, until told to stop.

    It only fills the cache; its warnings are not shown (the main process converts a page that
    warned itself, and reports it). STYRDOK_JOBS=1: no helper."""

    def __init__(self, items: list, work):
        self.pid = None
        if not items or not hasattr(os, "fork"):
            return
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:                                   # the helper
            code = 0
            try:
                os.close(write)
                mkdocs_logger = logging.getLogger("mkdocs")
                mkdocs_logger.handlers = []
                mkdocs_logger.propagate = False
                for item in reversed(items):
                    if select.select([read], [], [], 0)[0]:
                        break
                    try:
                        work(item)
                    except Exception:       # the main process meets the same problem and reports it
                        pass
            except BaseException:
                code = 1
            finally:
                os._exit(code)
        os.close(read)
        self.pid, self.stop_fd = pid, write
        if os.environ.get("STYRDOK_HJALP_VANTA") == "1":       # tests: the helper does all its pages first
            os.waitpid(self.pid, 0)
            self.pid = None

    def stop(self) -> None:
        if self.pid is None:
            return
        try:
            os.write(self.stop_fd, b"x")
        except OSError:
            pass
        os.close(self.stop_fd)
        os.waitpid(self.pid, 0)
        self.pid = None


class _CountWarnings(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.count = 0

    def emit(self, record):
        self.count += 1


def _cached_render(cache: PageCache, page, config, files) -> None:
    from mkdocs.structure.pages import Page
    key = cache.markdown_key(page)
    data = cache._read("md", key)
    if data is not None:
        try:
            stored = pickle.loads(data)
        except Exception:                 # a damaged entry is converted again
            stored = None
        if stored is not None:
            _restore(page, stored, config, files)
            return
    cache.missed("md", page)
    counter = _CountWarnings()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(counter)
    try:
        Page.render(page, config, files)
    finally:
        logger.removeHandler(counter)
    if counter.count:
        return
    links = None
    if page.links_to_anchors is not None:
        links = {f.src_uri: dict(v) for f, v in page.links_to_anchors.items()}
    stored = {"content": page.content, "toc": page.toc, "title": page._title_from_render,
              "anchors": page.present_anchor_ids, "links": links}
    cache._write("md", key, pickle.dumps(stored, protocol=pickle.HIGHEST_PROTOCOL))


def _restore(page, stored: dict, config, files) -> None:
    page.content = stored["content"]
    page.toc = stored["toc"]
    page._title_from_render = stored["title"]
    page.present_anchor_ids = stored["anchors"]
    if stored["links"] is not None and logging.getLogger("mkdocs").getEffectiveLevel() > logging.DEBUG:
        page.links_to_anchors = {files.get_file_from_path(src): links for src, links in stored["links"].items()
                                 if files.get_file_from_path(src) is not None}


class _CachedTemplate:
    """The page template, giving what it rendered last time for the same key."""

    def __init__(self, cache: PageCache, name: str, template):
        self.cache, self.name, self.template = cache, name, template

    def __getattr__(self, attr):
        return getattr(self.template, attr)

    def render(self, *args, **kwargs):
        context = dict(*args, **kwargs)
        page = context.get("page")
        if page is None or getattr(page, "file", None) is None:
            return self.template.render(context)
        key = self.cache.template_key(self.name, page)
        data = self.cache._read("html", key)
        if data is not None:
            return data.decode("utf-8", "surrogatepass")
        self.cache.missed("html", page)
        output = self.template.render(context)
        self.cache._write("html", key, output.encode("utf-8", "surrogatepass"))
        return output


def store_compiled_templates(env, root: Path) -> None:
    """The theme's templates compiled once, not in every build nor every start of the preview: kept in
    this process by their text (the preview and the tests load many handbooks) and in the handbook's
    .cache/site/jinja/, which the next `styrdok build` or `styrdok forhandsvisa` reads. Jinja checks each
    template's source against what it compiled; the folder is per code version (Jinja, MkDocs, the
    theme). A folder that cannot be written only costs the compiling."""
    if env.bytecode_cache is not None:
        return
    import jinja2
    from ..jinja import CompiledOnceThenStored
    folder = root / ".cache" / "site" / "jinja" / code_version()[:16]
    with contextlib.suppress(OSError):
        if not folder.is_dir():                 # another code version's templates are not used again
            for old in (folder.parent.iterdir() if folder.parent.is_dir() else ()):
                shutil.rmtree(old, ignore_errors=True)
        folder.mkdir(parents=True, exist_ok=True)
        env.bytecode_cache = CompiledOnceThenStored(jinja2.FileSystemBytecodeCache(str(folder)))


# -- the MkDocs events (overrides/hooks/cache.py) ----------------------------------------------------
def on_config(config) -> None:
    from .themefiles import list_once
    list_once(config)                   # the installed theme's files listed once per process
    if not _OFF["on"]:
        _BUILD["cache"] = PageCache(config)


_OFF = {"on": False}


def switch_off() -> None:
    """No page cache in this process: the preview (styrdok.preview) renders one page at a time, on
    request, with a navigation that changes between requests."""
    _OFF["on"] = True
    _BUILD.pop("cache", None)


def on_files(files) -> None:
    cache = _BUILD.get("cache")
    if cache is not None:
        cache.set_files(files)


def on_nav(nav, files) -> None:
    """The last step before MkDocs converts the pages: what a helper needs to do the same."""
    cache = _BUILD.get("cache")
    if cache is not None and not _SERVING["on"]:
        cache.files, cache.nav = files, nav


def on_page_markdown(page) -> None:
    cache = _BUILD.get("cache")
    if cache is not None and "render" not in vars(page):
        cache.wrap_render(page)


def on_env(env, files) -> None:
    """After every page's Markdown is converted: the navigation is known; wrap the page templates."""
    cache = _BUILD.get("cache")
    if cache is None:
        return
    cache.stop_helpers()                # every page is converted: the conversion helper is done
    cache.set_nav(files)
    cache.env = env
    store_compiled_templates(env, cache.root)
    get_template = env.get_template

    def cached_get_template(name, parent=None, globals=None):
        template = get_template(name, parent=parent, globals=globals)
        if parent is None and globals is None and isinstance(name, str) and name.endswith(".html"):
            return _CachedTemplate(cache, name, template)
        return template

    env.get_template = cached_get_template


def on_post_build() -> None:
    _FROZEN.clear()
    cache = _BUILD.pop("cache", None)
    if cache is not None:
        cache.stop_helpers()
        cache.prune()
        cache.write_counts()


def on_shutdown() -> None:
    """A build that failed: no helper outlives it."""
    _FROZEN.clear()
    cache = _BUILD.pop("cache", None)
    if cache is not None:
        cache.stop_helpers()


def on_startup(command: str) -> None:
    _SERVING["on"] = command == "serve"         # the preview server runs threads: no fork there
