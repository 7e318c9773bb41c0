"""The MkDocs plugin `styrdok` for a kommun's handbook made by `styrdok init`: the engine's theme
overrides, CSS and JS come from the installed package (styrdok.engine), and the build steps the
repository's hooks run (overrides/hooks/: generated pages, archive pages hidden from the navigation,
search words, navigation cache) run here — keep the two in step. List it after
`macros` in mkdocs.yml: the macros plugin loads the handbook that the generated pages need."""
from __future__ import annotations

from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File

from ..decided_pages import hide_archive_pages
from ..engine import ASSETS, assets_dir, overrides_dir
from ..search.pagefind import index_abbreviations, write_search_copy
from . import pagecache
from .adapter import add_generated_pages, start, watch_sources
from .navcache import install


class StyrdokPlugin(BasePlugin):
    def on_startup(self, *, command, dirty):
        start(command, dirty)
        pagecache.on_startup(command)

    def on_shutdown(self):
        pagecache.on_shutdown()

    def on_config(self, config):
        overrides = str(overrides_dir())
        dirs = config.theme.dirs
        if overrides not in dirs:
            dirs.insert(1 if config.theme.custom_dir else 0, overrides)
        for name in ASSETS:
            target = config.extra_javascript if name.endswith(".js") else config.extra_css
            if f"assets/{name}" not in [str(x) for x in target]:
                target.append(f"assets/{name}")
        pagecache.on_config(config)
        return config

    def on_files(self, files, config):
        for name in ASSETS:
            if files.get_file_from_path(f"assets/{name}") is None:
                files.append(File.generated(config, f"assets/{name}", abs_src_path=str(assets_dir() / name)))
        files = add_generated_pages(files, config)
        pagecache.on_files(files)
        return files

    def on_nav(self, nav, config, files):
        nav = hide_archive_pages(nav)
        pagecache.on_nav(nav, files)
        return nav

    def on_serve(self, server, config, builder):
        return watch_sources(server, config)

    @event_priority(-100)           # after the macros: the Markdown that is converted
    def on_page_markdown(self, markdown, page, config, files):
        pagecache.on_page_markdown(page)
        return markdown

    def on_env(self, env, config, files):
        install(env)
        pagecache.on_env(env, files)
        return env

    def on_post_build(self, config):
        pagecache.on_post_build()

    def on_page_content(self, html, page, config, files):
        return index_abbreviations(html)

    @event_priority(-100)           # the page as written, after the privacy plugin
    def on_post_page(self, output, page, config):
        write_search_copy(page.file.dest_uri, output)
        return output
