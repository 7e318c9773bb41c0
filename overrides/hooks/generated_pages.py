"""MkDocs hook: add the pages styrdok generates from data (see styrdok.site.adapter.add_generated_pages)."""
from styrdok.site.adapter import add_generated_pages


def on_files(files, config):
    return add_generated_pages(files, config)
