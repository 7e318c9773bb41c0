"""Word export and import, independent of MkDocs: the handbook's Markdown in, kommun .docx out.

    from styrdok.export import WordDocument, export_docx, export_many, import_docx

The page is rendered once, as the site renders it (styrdok.render.html); wordhtml.py adapts that HTML
for paper and pandoc reads it. word.py (export API, jobs), body.py (pandoc and the body's XML),
widetables.py (column widths, landscape sections), images.py, cache.py, compare.py (tracked changes
on the rendered page), importer.py (Word back to Markdown), templates.py (template files),
make_templates.py (regenerate them).
"""
from .importer import ImportResult, import_docx
from .templates import ExportError
from .word import (Tjansteskrivelse, WordDocument, export_compare_docx, export_docx, export_many,
                   export_tjansteskrivelse)

__all__ = ["ExportError", "ImportResult", "Tjansteskrivelse", "WordDocument", "export_compare_docx", "export_docx",
           "export_many", "export_tjansteskrivelse", "import_docx"]
