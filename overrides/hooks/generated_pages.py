"""MkDocs hook: the pages styrdok generates from data, and what `mkdocs serve` needs (see styrdok.site.adapter)."""
from styrdok.decided_pages import hide_archive_pages
from styrdok.site.adapter import add_generated_pages, start, watch_sources


def on_startup(command, dirty):
    start(command, dirty)


def on_serve(server, config, builder):
    return watch_sources(server, config)


def on_files(files, config):
    return add_generated_pages(files, config)


def on_nav(nav, config, files):
    return hide_archive_pages(nav)
