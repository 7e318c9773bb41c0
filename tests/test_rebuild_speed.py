"""The shortcuts that keep large handbooks fast (bench/run.py measures them) give the results a person
expects; what they save is measured in bench/, not here.

- YAML is parsed once with libyaml when PyYAML has it: the data, the line each key is on, and the
  Swedish syntax message with its line are those of the text as written.
- Loading again in the same process (mkdocs serve after a save) reuses parsed front matter only for
  unchanged text, and never hides a problem.
- Under `mkdocs serve --dirty`, a generated page is written again only when its macros give other
  Markdown; a normal build writes every page.
"""
from __future__ import annotations

import datetime as dt

import pytest

from styrdok import yamlio
from styrdok.load import load_handbook
from styrdok.problems import Problems
from styrdok.export.documents import link_titles

FRONT = """titel: Rutin för lex Sarah
typ: rutin
beslutad_av: [socialchef]
galler_fran: 2025-07-01
felaktigt_datum: 2025-02-30
relaterade:
  - avvikelser
  - riktlinje-kvalitet
sammanfattning: "Citerad text: med kolon"
"""


def test_yaml_gives_the_data_and_the_line_of_every_key():
    data, lines = yamlio.load_yaml(FRONT, "x.md", Problems(), first_line=2)
    assert data == {"titel": "Rutin för lex Sarah", "typ": "rutin", "beslutad_av": ["socialchef"],
                    "galler_fran": dt.date(2025, 7, 1), "felaktigt_datum": "2025-02-30",   # an impossible date stays text
                    "relaterade": ["avvikelser", "riktlinje-kvalitet"], "sammanfattning": "Citerad text: med kolon"}
    assert lines.lines == {(): 2, ("titel",): 2, ("typ",): 3, ("beslutad_av",): 4, ("beslutad_av", 0): 4,
                           ("galler_fran",): 5, ("felaktigt_datum",): 6, ("relaterade",): 7, ("relaterade", 0): 8,
                           ("relaterade", 1): 9, ("sammanfattning",): 10}


@pytest.mark.parametrize("text, line, message", [
    ("a: [b\nc: d\n", 2, "En hakparentes [ stängs aldrig."),
    ("a: b\n  c: d\n", 2, "Ett kolon följt av mellanslag står mitt i ett värde, eller så är raden indragen fel."),
    ("a: 'b\n", 2, "Ett citattecken eller en parentes stängs aldrig före filens slut."),
    ("- a\nb: c\n", 2, "Indraget stämmer inte med raderna ovanför."),
])
def test_syntax_errors_are_reported_in_swedish_on_their_line(text, line, message):
    problems = Problems()
    assert yamlio.load_yaml(text, "x.yml", problems) is None
    [problem] = problems.items
    assert (problem.file, problem.line) == ("x.yml", line)
    assert problem.message.startswith("YAML-syntaxfel: " + message), problem.message


def test_loading_again_reuses_only_unchanged_front_matter(mini):
    first, problems = load_handbook(mini)
    assert not problems.errors
    again, _ = load_handbook(mini)
    assert again.dokument["avvikelser"] == first.dokument["avvikelser"]

    page = mini / "docs" / "rutiner" / "avvikelser.md"
    page.write_text(page.read_text(encoding="utf-8").replace("titel: Rutin för avvikelser & risker",
                                                             "titel: Ny titel"), encoding="utf-8")
    changed, _ = load_handbook(mini)
    assert changed.dokument["avvikelser"].titel == "Ny titel"


def test_a_problem_is_reported_on_every_load(mini):
    page = mini / "docs" / "rutiner" / "avvikelser.md"
    page.write_text(page.read_text(encoding="utf-8").replace("typ: rutin", "typ: rutin\ntyp: rutin"),
                    encoding="utf-8")
    for _ in range(2):
        _handbook, problems = load_handbook(mini)
        assert any("står två gånger" in p.message for p in problems.errors)


def test_link_titles_name_each_page_by_its_title(mini):
    handbook, _ = load_handbook(mini)
    assert link_titles(handbook)["rutiner/avvikelser.md"] == "Rutin för avvikelser & risker"


def _build_after_save(root, site, serve_dirty: bool) -> dict[str, int]:
    """What MkDocs runs after each save (mkdocs.commands.serve: a fresh config, then a build into the
    same folder, --dirty or not); returns the modification time of every page written."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    config = load_config(str(root / "mkdocs.yml"), site_dir=str(site), strict=False)   # as `make serve`
    build(config, dirty=serve_dirty)
    return {p.relative_to(site).as_posix(): p.stat().st_mtime_ns for p in site.rglob("index.html")}


@pytest.fixture
def serve(mini, monkeypatch):
    """`mkdocs serve [--dirty]` without the server: on_startup as serve calls it, then builds on demand."""
    from mkdocs.config import load_config
    monkeypatch.chdir(mini)
    monkeypatch.setenv("NO_MKDOCS_2_WARNING", "1")
    started = []

    def start(dirty: bool):
        load_config(str(mini / "mkdocs.yml")).plugins.on_startup(command="serve", dirty=dirty)
        started.append(True)
        return lambda: _build_after_save(mini, mini / "serve-site", dirty)

    yield start
    if started:     # this process builds on: as `mkdocs build` starts
        load_config(str(mini / "mkdocs.yml")).plugins.on_startup(command="build", dirty=False)


OVERVIEW = "styrdokument/per-typ/index.html"       # generated from data: lists every document's title


def test_serve_dirty_writes_a_generated_page_again_only_when_it_changed(mini, serve):
    rebuild = serve(dirty=True)
    first = rebuild()
    assert OVERVIEW in first
    page = mini / "docs" / "rutiner" / "avvikelser.md"
    page.write_text(page.read_text(encoding="utf-8").replace("samma dag", "inom ett dygn"), encoding="utf-8")
    again = rebuild()
    assert again[OVERVIEW] == first[OVERVIEW], "översikten skrevs om fast den inte ändrades"
    assert again["rutiner/avvikelser/index.html"] != first["rutiner/avvikelser/index.html"]
    assert "inom ett dygn" in (mini / "serve-site" / "rutiner" / "avvikelser" / "index.html").read_text(encoding="utf-8")

    page.write_text(page.read_text(encoding="utf-8").replace("titel: Rutin för avvikelser & risker",
                                                             "titel: Ny titel"), encoding="utf-8")
    changed = rebuild()
    assert changed[OVERVIEW] != again[OVERVIEW], "översikten visar titeln och ska byggas om"
    assert "Ny titel" in (mini / "serve-site" / OVERVIEW).read_text(encoding="utf-8")


def test_serve_without_dirty_writes_every_page_again(mini, serve):
    rebuild = serve(dirty=False)
    first = rebuild()
    again = rebuild()
    assert first.keys() == again.keys() and all(again[p] != first[p] for p in first)
