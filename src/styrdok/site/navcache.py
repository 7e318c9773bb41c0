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

    @jinja2.pass_context
    def url(self, context, value) -> str:
        """The theme's `url` filter; a marker instead while an item is being recorded."""
        if self._recording:
            return f"\x00styrdok-url:{value}\x00"
        return self._url(context, value)

    @jinja2.pass_context
    def fragment(self, context, nav_item, path, level, parent, caller) -> Markup:
        page = context.get("page")
        if nav_item.active or nav_item == page or page in (getattr(nav_item, "pages", None) or ()):
            return caller()         # on the path to this page: rendered for this page alone
        parent_active = False if isinstance(parent, jinja2.Undefined) else bool(getattr(parent, "active", False))
        key = (id(nav_item), str(path), level, parent_active)
        html = self._fragments.get(key)
        if html is None:
            self._recording += 1
            try:
                html = self._fragments[key] = str(caller())
            finally:
                self._recording -= 1
        if self._recording:
            return Markup(html)     # inside an item being recorded: keep the markers
        return Markup(_MARKED.sub(lambda m: self._url(context, m.group(1)), html))


def install(env: jinja2.Environment) -> NavFragments:
    """Give the theme's environment the fragment cache (and the `url` filter that feeds it)."""
    cache = NavFragments(env.filters["url"])
    env.filters["url"] = cache.url
    env.globals["styrdok_nav_fragment"] = cache.fragment
    return cache
