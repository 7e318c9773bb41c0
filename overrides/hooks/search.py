"""MkDocs hook: an abbreviation's explanation is searchable where the abbreviation stands (MAS →
medicinskt ansvarig sjuksköterska), see styrdok.search.pagefind.index_abbreviations; and the part
of each page Pagefind reads, for `styrdok build` to index while MkDocs writes the pages (write_search_copy)."""
from mkdocs.plugins import event_priority

from styrdok.search.pagefind import index_abbreviations, write_search_copy


def on_page_content(html, page, config, files):
    return index_abbreviations(html)


@event_priority(-100)           # the page as written, after the privacy plugin
def on_post_page(output, page, config):
    write_search_copy(page.file.dest_uri, output)
    return output
