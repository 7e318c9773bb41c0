"""Tables whose cells span rows, built one way for every output: an HTML table with rowspan.

The site shows it as it is (it passes the HTML allowlist in styrdok.htmlsafety: table, thead,
tbody, tr, th with scope, td with rowspan), and pandoc turns rowspan into merged Word cells
(w:vMerge), so a macro or the Word import never needs a second form.
"""
from __future__ import annotations

from typing import Sequence

from markupsafe import Markup, escape


def grouped_table_html(headers: Sequence[str], rows: Sequence[Sequence[str | None]], *,
                       caption: str | None = None) -> Markup:
    """A table in which `None` means "the same cell as the one above" (a merged cell), e.g.

        grouped_table_html(["Process", "Risk", "Åtgärd"], [
            ["Avvikelsehantering", "Avvikelser rapporteras inte", "Utbildning"],
            [None, "Utredning dröjer", "Påminnelser"],
            ["Lex Sarah", "…", "…"],
        ])

    Text is escaped; an empty string is shown as "–". Raises ValueError for rows of the wrong
    width or a first row that continues a cell above.
    """
    width = len(headers)
    if not width:
        raise ValueError("grouped_table_html: tabellen behöver minst en kolumn")
    for r, row in enumerate(rows):
        if len(row) != width:
            raise ValueError(f"grouped_table_html: rad {r + 1} har {len(row)} celler, rubriken {width}")
        if r == 0 and any(v is None for v in row):
            raise ValueError("grouped_table_html: första raden kan inte fortsätta en cell ovanför (None)")

    def text(value) -> str:
        value = " ".join(str(value).split())
        return str(escape(value)) if value else "–"

    out = ["<table>"]
    if caption:
        out.append(f"<caption>{text(caption)}</caption>")
    out.append("<thead><tr>" + "".join(f'<th scope="col">{text(h)}</th>' for h in headers) + "</tr></thead>")
    out.append("<tbody>")
    for r, row in enumerate(rows):
        cells = []
        for c, value in enumerate(row):
            if value is None:
                continue
            span = 1
            while r + span < len(rows) and rows[r + span][c] is None:
                span += 1
            rowspan = f' rowspan="{span}"' if span > 1 else ""
            cells.append(f"<td{rowspan}>{text(value)}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</tbody></table>")
    # a blank line before and after: Python-Markdown passes a block of raw HTML through unchanged
    return Markup("\n" + "\n".join(out) + "\n\n")
