"""`styrdok forhandsvisa`: a local preview that makes each page when it is asked for (server.py); the
MkDocs-specific steps are in mkdocs_site.py, the file watching in watch.py."""
