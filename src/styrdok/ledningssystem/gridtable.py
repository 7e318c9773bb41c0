"""Pandoc grid tables with row spans (the Word side of merged cells; pandoc writes w:vMerge)."""
from __future__ import annotations

import textwrap


def grid_table(header: list[str], rows: list[list[str]], spans: list[list[int]], widths: list[int]) -> str:
    """header/rows: cell texts; spans[r][c]: rows the cell starting at (r, c) covers, 0 if covered
    by a cell above. Text is wrapped to the column widths; a spanned cell's text flows over the
    rows (and the separator lines) it covers."""
    n = len(rows)
    # a column is at least as wide as its header and its longest word: words are never split
    widths = [max([w, len(h)] + [len(word) for row in rows for word in str(row[c]).split()])
              for c, (w, h) in enumerate(zip(widths, header))]
    wrap = [[textwrap.wrap(str(t).replace("|", "/"), w) or [""] for t, w in zip(row, widths)] for row in rows]
    height = [max(len(wrap[r][c]) for c in range(len(widths)) if spans[r][c] == 1) for r in range(n)]
    owner: list[list[int]] = [[0] * len(widths) for _ in range(n)]     # row where the covering cell starts
    for c in range(len(widths)):
        for r in range(n):
            owner[r][c] = r if spans[r][c] else owner[r - 1][c]
    # a spanned cell needs room for its text: grow the last row it covers
    for r in range(n):
        for c in range(len(widths)):
            s = spans[r][c]
            if s > 1:
                room = sum(height[r:r + s]) + s - 1
                if room < len(wrap[r][c]):
                    height[r + s - 1] += len(wrap[r][c]) - room

    def border(fill: str, dashed: list[bool]) -> str:
        out = ""
        for c, w in enumerate(widths):
            left = dashed[c] or (c > 0 and dashed[c - 1])
            out += ("+" if left else "|") + (fill * (w + 2) if dashed[c] else "")
            if not dashed[c]:
                out += " " * (w + 2)
        return out + ("+" if dashed[-1] else "|")

    def text_line(cells: list[str]) -> str:
        return "".join(f"| {t.ljust(w)} " for t, w in zip(cells, widths)) + "|"

    lines = [border("-", [True] * len(widths))]
    lines.append(text_line(header))
    lines.append(border("=", [True] * len(widths)))
    offset = [[0] * len(widths) for _ in range(n)]      # line index of this row within its covering cell
    for r in range(n):
        for c in range(len(widths)):
            o = owner[r][c]
            offset[r][c] = 0 if o == r else offset[r - 1][c] + height[r - 1] + 1

    def cell_text(r: int, c: int, k: int) -> str:
        o = owner[r][c]
        text = wrap[o][c]
        i = offset[r][c] + k
        return text[i] if i < len(text) else ""

    for r in range(n):
        for k in range(height[r]):
            lines.append(text_line([cell_text(r, c, k) for c in range(len(widths))]))
        if r == n - 1:
            lines.append(border("-", [True] * len(widths)))
            continue
        dashed = [spans[r + 1][c] != 0 for c in range(len(widths))]
        sep = border("-", dashed)
        # in a spanned column the separator line carries the cell's text on
        chars = list(sep)
        pos = 1
        for c, w in enumerate(widths):
            if not dashed[c]:
                t = cell_text(r, c, height[r])
                chars[pos:pos + w + 2] = list(f" {t.ljust(w)} ")
            pos += w + 3
        lines.append("".join(chars))
    return "\n".join(lines) + "\n"
