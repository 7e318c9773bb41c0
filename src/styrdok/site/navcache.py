"""The navigation sidebar, rendered once per build instead of once per page.

mkdocs-material renders the whole (pruned) navigation into every page: at 2,000 documents that
was ~90 nav-item macro calls per page and the largest part of the theme's time. Most of that HTML
is the same on every page: an item that is not on the path to the current page looks the same
everywhere, except that its links are relative to the page. So an inactive item is rendered once
with its URLs left as markers and, for each page, the markers are turned into that page's relative
URLs by MkDocs' own `url` filter: the HTML is the same as without the cache.

Used by overrides/partials/nav-item.html (`{% call styrdok_nav_fragment(...) %}`); installed on
the theme's Jinja environment by overrides/hooks/navigation.py. A new environment (every build,
also under `mkdocs serve`) gets a new, empty cache.
"""
from __future__ import annotations

import posixpath
import re

import jinja2
from markupsafe import Markup

_MARKED = re.compile("\x00styrdok-url:([^\x00]*)\x00")


class NavFragments:
    """Rendered navigation items keyed by item, DOM path, level and the parent's state."""

    def __init__(self, url_filter):
        self._url = url_filter
        self._fragments: dict[tuple, str] = {}
        self._recording = 0
        # A fragment made relative for one page serves every page in the same folder: the relative
        # URL from a/b/p/ and from a/b/q/ to a link is the same unless the link lies below one of
        # the two pages, which _below tells (the folder prefixes of the fragment's links).
        self._for_folder: dict[tuple, Markup] = {}
        self._below: dict[tuple, frozenset[str]] = {}

    def clear(self) -> None:
        self._fragments.clear()
        self._for_folder.clear()
        self._below.clear()

    @jinja2.pass_context
    def url(self, context, value) -> str:
        """The theme's `url` filter; a marker instead while an item is being recorded."""
        if self._recording:
            return f"\x00styrdok-url:{value}\x00"
        return self._url(context, value)

    def _key(self, context, nav_item, path, level, parent) -> tuple | None:
        """The cache key of an item off the current page's path; None for one on it."""
        page = context.get("page")
        if nav_item.active or nav_item == page or page in (getattr(nav_item, "pages", None) or ()):
            return None             # on the path to this page: rendered for this page alone
        parent_active = False if isinstance(parent, jinja2.Undefined) else bool(getattr(parent, "active", False))
        return (id(nav_item), str(path), level, parent_active)

    def _relative(self, context, html: str) -> Markup:
        """The recorded HTML with each marker made a URL relative to this page (the theme's filter)."""
        return Markup(_MARKED.sub(lambda m: self._url(context, m.group(1)), html))

    def _for_page(self, context, key: tuple, html: str) -> Markup:
        url = getattr(context.get("page"), "url", None)
        if not isinstance(url, str) or not url.endswith("/"):
            return self._relative(context, html)
        below = self._below.get(key)
        if below is None:
            below = self._below[key] = frozenset(
                link[:i + 1] for link in _MARKED.findall(html) for i, ch in enumerate(link) if ch == "/")
        if url in below:            # a link below this page: made for this page alone
            return self._relative(context, html)
        folder = (key, posixpath.dirname(url.rstrip("/")))
        if folder not in self._for_folder:
            self._for_folder[folder] = self._relative(context, html)
        return self._for_folder[folder]

    @jinja2.pass_context
    def fragment(self, context, nav_item, path, level, parent, caller) -> Markup:
        key = self._key(context, nav_item, path, level, parent)
        if key is None:
            return caller()
        html = self._fragments.get(key)
        if html is None:
            self._recording += 1
            try:
                html = self._fragments[key] = str(caller())
            finally:
                self._recording -= 1
        if self._recording:
            return Markup(html)     # inside an item being recorded: keep the markers
        return self._for_page(context, key, html)

    def cached(self, context, nav_item, path, level, parent) -> Markup | None:
        """The item for this page if it was rendered before, else None (render it then)."""
        if self._recording:
            return None
        key = self._key(context, nav_item, path, level, parent)
        html = None if key is None else self._fragments.get(key)
        return None if html is None else self._for_page(context, key, html)

    @jinja2.pass_context
    def children(self, context, section, index, path, level, render) -> Markup:
        """The items of an expanded section, as the theme's loop writes them (same whitespace).

        One Python call instead of a template loop with a macro call per item: at 2,000 documents
        the ~90 siblings of every page were most of the navigation's cost.
        """
        parts = []
        for number, item in enumerate(section.children, 1):
            parts.append("\n              ")
            if not index or item != index:
                item_path = f"{path}_{number}"
                html = self.cached(context, item, item_path, level + 1, section)
                if html is None:
                    html = render(item, item_path, level + 1, section)
                parts.append(f"\n                {html}\n              ")
            parts.append("\n            ")
        return Markup("".join(parts))


def reset(env: jinja2.Environment) -> None:
    """Forget the rendered items (the preview, after a page's title changed): they hold titles."""
    fragment = env.globals.get("styrdok_nav_fragment")
    cache = getattr(fragment, "__self__", None)
    if isinstance(cache, NavFragments):
        cache.clear()


def install(env: jinja2.Environment) -> NavFragments:
    """Give the theme's environment the fragment cache (and the `url` filter that feeds it)."""
    cache = NavFragments(env.filters["url"])
    env.filters["url"] = cache.url
    env.globals["styrdok_nav_fragment"] = cache.fragment
    env.globals["styrdok_nav_children"] = cache.children
    return cache
