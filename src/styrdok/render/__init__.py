"""Renderers: the typed model in, Markdown (for site and Word) or HTML fragments out."""
