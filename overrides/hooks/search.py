"""MkDocs hook: an abbreviation's explanation is searchable where the abbreviation stands (MAS →
medicinskt ansvarig sjuksköterska), see styrdok.search.pagefind.index_abbreviations."""
from styrdok.search.pagefind import index_abbreviations


def on_page_content(html, page, config, files):
    return index_abbreviations(html)
