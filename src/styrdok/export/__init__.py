"""Word export and import, independent of MkDocs: the handbook's Markdown in, kommun .docx out.

    from styrdok.export import WordDocument, export_docx, export_many, import_docx

word.py (export), compare.py (tracked changes), markdown.py (the site's Markdown for pandoc),
importer.py (Word back to Markdown), templates.py (template files), make_templates.py (regenerate them).
"""
from .importer import ImportResult, import_docx
from .markdown import grouped_table_markdown
from .templates import ExportError
from .word import (Tjansteskrivelse, WordDocument, export_compare_docx, export_docx, export_many,
                   export_tjansteskrivelse)

__all__ = ["ExportError", "ImportResult", "Tjansteskrivelse", "WordDocument", "export_compare_docx", "export_docx",
           "export_many", "export_tjansteskrivelse", "grouped_table_markdown", "import_docx"]
