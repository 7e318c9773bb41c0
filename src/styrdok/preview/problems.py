"""What `styrdok check` says about one page as it is on disk now: the preview shows it in the page."""
from __future__ import annotations

from pathlib import Path

from ..problems import Problems


def page_problems(handbook, root: Path, src_uri: str) -> list[str]:
    """The check's fel for the page's macros and links, and for what must not be published in its text
    (a personnummer, a placeholder, the guidance of `styrdok new`): Swedish, with file and line; [] if
    none."""
    from ..check import check_links, check_page_macros
    from ..guard import allowed_numbers, report_findings
    from ..load import Project
    from ..sensitive import scan_text
    from ..sources import decode_source
    from ..model import Page
    from ..parts import generated_pages
    from ..yamlio import split_front_matter

    if handbook is None:
        return []
    problems = Problems()
    path = Path(root) / "docs" / src_uri
    generated = dict(generated_pages(handbook))
    if src_uri in generated:
        page = Page(src_uri, f"(genererad sida) {src_uri}", generated[src_uri], 1, None)
        check_page_macros(handbook, Path(root), page, problems)
    elif path.is_file():
        rel = f"docs/{src_uri}"
        text = decode_source(path.read_bytes(), rel, problems)       # BOM, CRLF, another encoding: as check
        if text is None:
            return [p.format() for p in problems.items if p.severity == "fel"]
        report_findings(scan_text(text), rel, problems, allowed_numbers(handbook))
        source = split_front_matter(text, rel, problems)
        if source is not None:
            page = Page(src_uri, rel, source.body, source.body_first_line, None)
            check_page_macros(handbook, Path(root), page, problems)
            check_links(handbook, Project(Path(root)), problems, only=page)
    return [p.format() for p in problems.items if p.severity == "fel"]
