"""The thin MkDocs layer: glue for mkdocs-macros, and the atomic site build."""
