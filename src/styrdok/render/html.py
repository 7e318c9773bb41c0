"""A page's Markdown (after macros) as HTML, with the site's own Python-Markdown configuration.

Every output starts from this one rendering: the site shows it, the Word export reads it (pandoc
reads HTML; styrdok.export.wordhtml adapts it for paper), so a Markdown extension switched on in
mkdocs.yml works in every output without being copied anywhere.

    config = markdown_config(root / "mkdocs.yml")      # once per build; no MkDocs import
    html = render_html(page_markdown, config)           # many times, cheap

`site_address` reads mkdocs.yml's `site_url` and `use_directory_urls`: where a page or file under docs/
is on the built site, for outputs that leave it (a Word file's links to other documents).

`markdown_config` reads only the `markdown_extensions` key of mkdocs.yml, with the YAML tags MkDocs
understands there (`!!python/name:pkg.mod.obj`, `!ENV`, `!relative`), and adds the extensions
MkDocs always loads (toc, tables, fenced_code) the way MkDocs does. It does not import MkDocs: the
model, validation and Word export must work without the site layer. What MkDocs adds on top at site
build time (rewriting `.md` links to URLs, the theme's JS) is not Markdown and is not done here:
links keep the `.md` target as written.

Rendering is safe to call from many threads of one process only one call at a time per thread:
each thread keeps its own Markdown instance (Python-Markdown instances are not thread-safe).
"""
from __future__ import annotations

import importlib
import json
import os
import posixpath
import threading
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import markdown as _markdown
import yaml

# MkDocs always loads these before the ones mkdocs.yml names (mkdocs.config.defaults).
MKDOCS_BUILTINS = ("toc", "tables", "fenced_code")

# What `styrdok init` writes into a new handbook's mkdocs.yml: used when there is no mkdocs.yml.
DEFAULT_EXTENSIONS: tuple = (
    "abbr", "admonition", "attr_list", "def_list", "footnotes", "tables",
    {"toc": {"permalink": True, "permalink_title": "Länk till det här avsnittet"}},
    "pymdownx.details", "pymdownx.superfences",
)


class MarkdownConfigError(ValueError):
    """mkdocs.yml's markdown_extensions cannot be read (Swedish message naming the file)."""


@dataclass(frozen=True)
class MarkdownConfig:
    """Python-Markdown's extensions and their settings, as mkdocs.yml gives them.

    `configs` is JSON text (so the object is hashable, comparable and picklable to worker
    processes); `key` identifies the configuration in caches."""
    extensions: tuple[str, ...]
    configs: str = "{}"

    @property
    def extension_configs(self) -> dict[str, dict[str, Any]]:
        return json.loads(self.configs, object_hook=_revive)

    @property
    def key(self) -> str:
        return json.dumps([self.extensions, self.configs])


def _revive(obj: dict) -> Any:
    """A `!!python/name:` value is stored as {"__python_name__": "pkg.mod.obj"}."""
    if set(obj) == {"__python_name__"}:
        return _import_name(obj["__python_name__"])
    return obj


def _import_name(dotted: str) -> Any:
    module, _, attr = dotted.rpartition(".")
    try:
        return getattr(importlib.import_module(module), attr)
    except (ImportError, AttributeError, ValueError) as exc:
        raise MarkdownConfigError(f"'{dotted}' kan inte importeras ({exc}).") from None


def _loader(base: Path):
    """A SafeLoader that knows the tags MkDocs allows in mkdocs.yml."""

    class Loader(yaml.SafeLoader):
        pass

    def python_name(loader, suffix, node):
        return {"__python_name__": suffix}

    def env(loader, node):
        if isinstance(node, yaml.ScalarNode):
            names, default = [loader.construct_scalar(node)], None
        else:
            values = loader.construct_sequence(node)
            names, default = values[:-1], values[-1] if len(values) > 1 else None
        return next((os.environ[n] for n in names if n in os.environ), default)

    def relative(loader, node):
        return str(base / (loader.construct_scalar(node) or ""))

    Loader.add_multi_constructor("tag:yaml.org,2002:python/name:", python_name)
    Loader.add_constructor("!ENV", env)
    Loader.add_constructor("!relative", relative)
    # other tags (a theme's own) do not concern Markdown: read them as plain values
    Loader.add_multi_constructor("", lambda loader, suffix, node: (
        loader.construct_scalar(node) if isinstance(node, yaml.ScalarNode) else None))
    return Loader


def config_from_list(entries) -> MarkdownConfig:
    """A MarkdownConfig from mkdocs.yml's `markdown_extensions` list (names, or {name: settings})."""
    names: list[str] = list(MKDOCS_BUILTINS)
    configs: dict[str, Any] = {}
    for entry in entries or ():
        if isinstance(entry, str):
            name, settings = entry, None
        elif isinstance(entry, dict) and len(entry) == 1:
            name, settings = next(iter(entry.items()))
        else:
            raise MarkdownConfigError(f"'{entry}' är inte ett tillägg: skriv ett namn eller 'namn: {{inställningar}}'.")
        if not isinstance(name, str):
            raise MarkdownConfigError(f"'{name}' är inte namnet på ett Markdown-tillägg.")
        if settings is not None and not isinstance(settings, dict):
            raise MarkdownConfigError(f"Inställningarna för '{name}' ska vara nyckel: värde-par.")
        if name not in names:
            names.append(name)
        if settings:
            configs[name] = settings
    return MarkdownConfig(tuple(names), json.dumps(configs, ensure_ascii=False, sort_keys=True))


DEFAULT_CONFIG = config_from_list(DEFAULT_EXTENSIONS)


def markdown_config(mkdocs_yml: Path | None) -> MarkdownConfig:
    """The site's Markdown configuration from mkdocs.yml (DEFAULT_CONFIG when there is no file).

    Raises MarkdownConfigError naming the file when it cannot be read or an extension cannot load."""
    if mkdocs_yml is None or not Path(mkdocs_yml).is_file():
        return DEFAULT_CONFIG
    path = Path(mkdocs_yml)
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_loader(path.parent))   # noqa: S506 (SafeLoader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise MarkdownConfigError(f"{path}: kan inte läsas ({exc}).") from None
    try:
        config = config_from_list((data or {}).get("markdown_extensions") if isinstance(data, dict) else None)
        _instance(config)           # an extension that does not load is found here, with the file's name
    except MarkdownConfigError as exc:
        raise MarkdownConfigError(f"{path}: markdown_extensions: {exc}") from None
    return config


@dataclass(frozen=True)
class SiteAddress:
    """Where the built site is: mkdocs.yml's site_url (None when it is not set) and use_directory_urls."""
    url: str | None = None
    directory_urls: bool = True

    def of(self, docs_path: str) -> str | None:
        """The address on the site of a page or file under docs/ (its docs-relative path); None
        without site_url. A page's address as MkDocs makes it: rutiner/lex-sarah.md ->
        rutiner/lex-sarah/ (or .html), index.md -> its folder."""
        if not self.url:
            return None
        base = self.url if self.url.endswith("/") else self.url + "/"
        stem, ext = posixpath.splitext(docs_path)
        if ext == ".md" and posixpath.basename(stem) in ("index", "README"):
            path = posixpath.dirname(stem) + "/" if posixpath.dirname(stem) else ""
        elif ext == ".md":
            path = stem + "/" if self.directory_urls else stem + ".html"
        else:
            path = docs_path
        return base + urllib.parse.quote(path)


def site_address(mkdocs_yml: Path | None) -> SiteAddress:
    """mkdocs.yml's site_url and use_directory_urls (what MkDocs assumes where one is missing or the
    file cannot be read: the build reports that)."""
    try:
        path = Path(mkdocs_yml)
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_loader(path.parent))   # noqa: S506 (SafeLoader)
    except (TypeError, OSError, UnicodeDecodeError, yaml.YAMLError):
        return SiteAddress()
    data = data if isinstance(data, dict) else {}
    url = data.get("site_url")
    return SiteAddress(url.strip() if isinstance(url, str) and url.strip() else None,
                       data.get("use_directory_urls", True) is not False)


_LOCAL = threading.local()


def _instance(config: MarkdownConfig) -> _markdown.Markdown:
    cache = getattr(_LOCAL, "instances", None)
    if cache is None:
        cache = _LOCAL.instances = {}
    md = cache.get(config.key)
    if md is None:
        try:
            md = _markdown.Markdown(extensions=list(config.extensions), extension_configs=config.extension_configs)
        except (ImportError, AttributeError, TypeError, KeyError, ValueError) as exc:
            raise MarkdownConfigError(f"tilläggen kan inte laddas ({type(exc).__name__}: {exc}).") from None
        cache[config.key] = md
    return md


def render_html(markdown: str, config: MarkdownConfig = DEFAULT_CONFIG) -> str:
    """The HTML of a page body (Markdown after macros), as the site's Python-Markdown renders it.

    The same text and configuration always give the same HTML (the instance is reset between
    calls: abbreviations, footnotes and heading ids do not leak from one page to the next)."""
    md = _instance(config)
    md.reset()
    return md.convert(markdown)
