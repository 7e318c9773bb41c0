"""Search: extra search words per page (terms) and the Pagefind index of the built site (pagefind)."""
