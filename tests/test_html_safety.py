"""HTML safety: raw HTML in Markdown passes nh3's allowlist or is a fel with file:line, and every value
from YAML or front matter is text wherever it is rendered (pages, card, history, navigation, <title>)."""
from __future__ import annotations

import shutil
from html.parser import HTMLParser

import pytest

from conftest import run_cli
from styrdok.htmlsafety import check_page_html, check_served_file
from styrdok.problems import Problems

ALLOWED = [
    "<details><summary>Mer om lex Sarah</summary>Text</details>", "<abbr title=\"Socialt ansvarig samordnare\">SAS</abbr>",
    "Tryck <kbd>Ctrl</kbd>+<kbd>S</kbd>", "m<sup>2</sup> och CO<sub>2</sub>", "rad<br>rad",
    "<table><thead><tr><th scope=\"col\">A</th></tr></thead><tbody><tr><td colspan=\"2\">1</td></tr></tbody></table>",
    "<img src=\"../assets/logotyp.svg\" alt=\"Logotyp\">", "<a href=\"https://www.alvstad.example/\">Älvstad</a>",
    "<a href=\"../rutiner/avvikelser.md#syfte\">rutinen</a>", "<a href=\"mailto:sas@alvstad.example\">SAS</a>",
    "`<script>` i kod", "```html\n<script>alert(1)</script>\n```", "<!-- en kommentar -->", "<https://www.alvstad.example/>",
    "<span class=\"viktigt\" data-x=\"1\">text</span>",
]
REFUSED = [
    ("<script>alert(1)</script>", "<script>"), ("<img src=\"x.png\" alt=\"\" onerror=\"alert(1)\">", "onerror="),
    ("<a href=\"javascript:alert(1)\">x</a>", "javascript:"), ("[x](javascript:alert(1))", "javascript:"),
    ("<iframe src=\"https://x.example\"></iframe>", "<iframe>"), ("<object data=\"x\"></object>", "<object>"),
    ("<embed src=\"x\">", "<embed>"), ("<form action=\"https://x.example\"><input name=\"a\"></form>", "<form>"),
    ("<div onclick=\"alert(1)\">x</div>", "onclick="), ("<style>body{}</style>", "<style>"),
    ("## Rubrik {: onmouseover=\"alert(1)\" }", "on…="), ("<a href=\"vbscript:x\">x</a>", "vbscript:"),
    ("<svg onload=\"alert(1)\"></svg>", "<svg>"),
]


@pytest.mark.parametrize("html", ALLOWED)
def test_what_a_handbook_needs_passes(html):
    problems = Problems()
    check_page_html("Text\n\n" + html + "\n", "docs/x.md", 10, problems)
    assert problems.items == [], html


@pytest.mark.parametrize("html, fragment", REFUSED)
def test_what_could_run_is_a_fel_with_file_and_line(html, fragment):
    problems = Problems()
    check_page_html("Text\n\n" + html + "\n", "docs/x.md", 10, problems)
    assert problems.errors, html
    assert problems.errors[0].line == 12 and problems.errors[0].file == "docs/x.md"
    assert any(fragment in p.message for p in problems.errors), [p.message for p in problems.errors]


# HTML and SVG files under docs/ are served as they are and run when opened on their own (a form saved
# from Word as a web page, a process drawn in draw.io). What their producers write passes.
SERVED_ALLOWED = [
    # LibreOffice's "Spara som HTML" (head) and Word's "Webbsida, filtrerad" (windows-1252, its file list)
    '<!DOCTYPE html>\n<html><head><meta http-equiv="content-type" content="text/html; charset=utf-8"/>\n'
    '<meta name="generator" content="LibreOffice 7.4"/><style type="text/css">@page { size: 8.27in 11.69in }\n'
    'p { margin-bottom: 0.08in }</style></head><body><p><img src="blankett_html_1e39.png" width="120"></p></body></html>',
    '<html xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office">\n'
    '<head><meta http-equiv=Content-Type content="text/html; charset=windows-1252">\n'
    '<link rel=File-List href="blankett_files/filelist.xml"><link rel=canonical href="https://www.alvstad.example/">\n'
    '<!--[if gte mso 9]><xml><o:DocumentProperties><o:Author>SAS</o:Author></o:DocumentProperties></xml><![endif]-->\n'
    '</head><body lang=SV><p class=MsoNormal>Ansökan<o:p></o:p></p><a href="https://www.ivo.se/">IVO</a></body></html>',
    # draw.io: the diagram in an attribute, text as XHTML in foreignObject, a link out, an embedded image
    '<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" '
    'xmlns:xlink="http://www.w3.org/1999/xlink" content="&lt;mxfile host=&quot;app.diagrams.net&quot;&gt;">\n'
    '<a xlink:href="https://www.ivo.se/"><switch><foreignObject requiredFeatures="http://www.w3.org/TR/SVG11/'
    'feature#Extensibility"><div xmlns="http://www.w3.org/1999/xhtml">Anmälan</div></foreignObject>'
    '<text x="1" y="2">Anmälan</text></switch></a>\n<image xlink:href="data:image/png;base64,iVBORw0KGgo="/></svg>',
]
SERVED_REFUSED = [
    ("<p>x</p>\n<script src=\"blankett.js\"></script>", "Skript (<script>)"),
    ("<p>x</p>\n<body onload=\"send()\">", "onload="),
    ("<p>x</p>\n<a href=\" java&#115;cript:alert(1)\">x</a>", "kör kod"),
    ("<svg>\n<animate attributeName=\"href\" to=\"javascript:alert(1)\"/></svg>", "kör kod"),
    ("<p>x</p>\n<iframe src=\"a.html\"></iframe>", "Inbäddad sida"),
    ("<p>x</p>\n<meta http-equiv=\"refresh\" content=\"0;url=https://x.example\">", "skickar läsaren vidare"),
    ("<p>x</p>\n<link rel=\"stylesheet\" href=\"https://cdn.example/x.css\">", "annan webbplats"),
    ("<svg>\n<image xlink:href=\"//cdn.example/logo.png\"/></svg>", "annan webbplats"),
    ("<svg><style>\n@import url(https://fonts.googleapis.com/css?family=Roboto);</style></svg>", "annan webbplats"),
    ("<p>x</p>\n<iframe src=\"data:text/html,<script>alert(1)</script>\"></iframe>", "kör kod"),
]


@pytest.mark.parametrize("text", SERVED_ALLOWED)
def test_html_and_svg_files_as_their_programs_save_them_pass(text):
    problems = Problems()
    check_served_file(text, "docs/bilagor/x.html", problems)
    assert problems.items == []


@pytest.mark.parametrize("text, fragment", SERVED_REFUSED)
def test_an_html_or_svg_file_that_runs_code_or_fetches_from_outside_is_a_fel_with_file_and_line(text, fragment):
    problems = Problems()
    check_served_file(text, "docs/bilagor/x.svg", problems)
    assert problems.errors, text
    assert {(p.file, p.line) for p in problems.errors} == {("docs/bilagor/x.svg", 2)}
    assert any(fragment in p.message for p in problems.errors), [p.message for p in problems.errors]


class Page(HTMLParser):
    """Elements with their attributes, the <title>, the text of inline scripts the browser runs (not
    JSON data blocks) and the visible text of one HTML page."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.title, self.text, self.scripts, self._in = "", [], [], []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "script" and dict(attrs).get("type", "text/javascript") not in ("text/javascript", "module"):
            self._in.append("script-data")
        elif tag in ("title", "script", "style"):
            self._in.append(tag)

    def handle_endtag(self, tag):
        if self._in and self._in[-1].split("-")[0] == tag:
            self._in.pop()

    def handle_data(self, data):
        if "title" in self._in:
            self.title += data
        elif "script" in self._in:
            self.scripts.append(data)
        elif not self._in:
            self.text.append(data)


EVIL_ROLE = "<img src=x onerror=alert(1)>"
EVIL_TITLE = "Rutin </title><script>alert(2)</script> & \"citat\""


def test_values_from_yaml_and_front_matter_show_as_text_on_every_page_type(mini_built, tmp_path):
    root = tmp_path / "h"
    shutil.copytree(mini_built, root)
    roller = root / "data" / "roller.yml"
    roller.write_text(roller.read_text(encoding="utf-8").replace(
        "  namn: Socialt ansvarig samordnare", f"  namn: '{EVIL_ROLE}'"), encoding="utf-8")
    page = root / "docs" / "rutiner" / "avvikelser.md"
    page.write_text(page.read_text(encoding="utf-8").replace(
        "titel: Rutin för avvikelser & risker", f"titel: '{EVIL_TITLE}'"), encoding="utf-8")
    begrepp = root / "data" / "begrepp.yml"
    begrepp.write_text(begrepp.read_text(encoding="utf-8").replace(
        "En händelse som inte blev som det var tänkt.", "En <b onmouseover=alert(3)>händelse</b>."), encoding="utf-8")
    proc = run_cli(root, "build")
    assert proc.returncode == 0, proc.stderr

    shown_role, shown_title, titles = set(), set(), set()
    for path in (root / "site").rglob("*.html"):
        rel = path.relative_to(root / "site").as_posix()
        parsed = Page(path.read_text(encoding="utf-8"))
        for tag, attrs in parsed.tags:
            assert not [a for a in attrs if a.startswith("on")], f"{rel}: <{tag} {attrs}>"
            assert attrs.get("src") != "x", f"{rel}: en <img> från data blev HTML"
        body = " ".join(parsed.text)
        assert not [s for s in parsed.scripts if "alert(" in s], f"{rel}: ett skript från data körs"
        if EVIL_ROLE in body:
            shown_role.add(rel.split("/")[0])
        if EVIL_TITLE in body:
            shown_title.add(rel)
        if EVIL_ROLE in parsed.title or EVIL_TITLE in parsed.title:
            titles.add(rel)
    # The role's name is text on the document's card, on Mitt ansvar and on the ledningssystem pages.
    assert {"rutiner", "ledningssystem"} <= shown_role, shown_role
    assert "rutiner/avvikelser/index.html" in shown_title          # heading (and the navigation)
    assert "rutiner/avvikelser/index.html" in titles                # the browser tab: the whole title as text
    assert any("mitt-ansvar" in t for t in titles), titles
    html = (root / "site" / "rutiner" / "avvikelser" / "index.html").read_text(encoding="utf-8")
    assert "<script>alert(2)" not in html and "</title><script>" not in html
    glossary = (root / "site" / "begrepp" / "index.html").read_text(encoding="utf-8")
    assert "&lt;b onmouseover=alert(3)&gt;" in glossary


def test_the_review_of_a_pages_html_kept_between_runs_names_the_file_and_line_of_this_run(tmp_path):
    """styrdok build and check keep each page's HTML review (.cache/memo/): a later run with the same
    text in another file, or at another line, reports that file and line; changed text is reviewed again."""
    from styrdok import memo
    from styrdok.htmlsafety import _page_html
    from styrdok.problems import Problems

    def review(body, file, first_line):
        problems = Problems()
        with memo.session(tmp_path):
            _page_html(body, file, first_line, problems)
        return [p.format() for p in problems.errors]
    bad = "Text\n\n<script>alert(1)</script>\n"
    assert review(bad, "docs/a.md", 5) == [review(bad, "docs/a.md", 5)[0]] and "docs/a.md:7" in review(bad, "docs/a.md", 5)[0]
    assert "docs/b.md:9" in review(bad, "docs/b.md", 7)[0]
    assert review("Text\n\nInget skript.\n", "docs/a.md", 5) == []
