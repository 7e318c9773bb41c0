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


def _cold(root):
    """load_handbook as a new process does it, with nothing kept from earlier loads."""
    from styrdok.load import forget_loaded
    forget_loaded()
    return load_handbook(root)


def _edit(path, old: str, new: str) -> None:
    """Replace old by new in the file, keeping its line ends and byte-order mark as they are."""
    text = path.read_bytes().decode("utf-8")
    assert old in text, (old, path)
    path.write_bytes(text.replace(old, new, 1).encode("utf-8"))


def test_loading_again_after_each_kind_of_change_gives_what_a_cold_load_gives(mini):
    """The preview loads the handbook again after a save, keeping what is unchanged (each document's
    first pass while the data it is resolved against is equal, the resolved documents): after each
    change the handbook and the problems are those of a load that kept nothing."""
    rutin = mini / "docs" / "rutiner" / "avvikelser.md"
    riktlinje = mini / "docs" / "rutiner" / "riktlinje-kvalitet.md"
    roller = mini / "data" / "roller.yml"
    steps = [
        # a title (a related document's list names it), with å/ä/ö and a colon
        lambda: _edit(riktlinje, "titel: Riktlinje för kvalitet", 'titel: "Riktlinje: kvalitet på äldreboende"'),
        # saved by a Windows editor: byte-order mark and CRLF
        lambda: riktlinje.write_bytes(b"\xef\xbb\xbf" + riktlinje.read_bytes().replace(b"\n", b"\r\n")),
        # data the documents are resolved against: a role's name, then an unknown role
        lambda: _edit(roller, "namn: Socialchef", "namn: Socialchef för hela förvaltningen"),
        lambda: _edit(rutin, "dokumentansvarig: sas", "dokumentansvarig: okand-roll"),
        lambda: _edit(rutin, "dokumentansvarig: okand-roll", "dokumentansvarig: sas"),
        # data that only later parts read
        lambda: _edit(mini / "data" / "ansvar.yml", "varje kvartal", "varje månad"),
        # a duplicate id, a YAML error in front matter, both fixed
        lambda: _edit(riktlinje, "typ: riktlinje", "typ: riktlinje\r\nid: avvikelser"),
        lambda: _edit(rutin, "taggar: [avvikelser]", "taggar: [avvikelser"),
        lambda: _edit(rutin, "galler_fran: 2025-02-01", "galler_fran: 2025-02-30"),
        lambda: _edit(rutin, "taggar: [avvikelser", "taggar: [avvikelser]"),
        lambda: _edit(rutin, "galler_fran: 2025-02-30", "galler_fran: 2025-02-01"),
        lambda: _edit(riktlinje, "typ: riktlinje\r\nid: avvikelser", "typ: riktlinje"),
        # a document moved to another folder (removed and added), and a related id that no longer exists
        lambda: riktlinje.rename(mini / "docs" / "riktlinje-kvalitet.md"),
        lambda: _edit(rutin, "relaterade: [riktlinje-kvalitet]", "relaterade: [riktlinje-saknas]"),
    ]
    load_handbook(mini)
    for number, step in enumerate(steps):
        step()
        warm, warm_problems = load_handbook(mini)
        cold, cold_problems = _cold(mini)
        load_handbook(mini)             # what the next step keeps: this state, loaded warm
        assert warm == cold, number
        assert warm_problems.items == cold_problems.items, number
        assert warm_problems.unreadable_files == cold_problems.unreadable_files, number
    assert any("okand-roll" in p.message for p in _problems_after(mini, rutin))
    warm, _ = load_handbook(mini)
    assert warm.dokument["riktlinje-kvalitet"].titel == "Riktlinje: kvalitet på äldreboende"
    assert [r.titel for r in warm.dokument["avvikelser"].relaterade] == []


def _problems_after(root, rutin):
    _edit(rutin, "dokumentansvarig: sas", "dokumentansvarig: okand-roll")
    _, problems = load_handbook(root)
    _edit(rutin, "dokumentansvarig: okand-roll", "dokumentansvarig: sas")
    return problems.errors


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
