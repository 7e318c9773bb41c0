"""The shortcuts that keep large handbooks fast (bench/run.py) give the same results as the slow way.

- YAML is parsed once with libyaml when PyYAML has it; data, lines and errors equal the pure-Python loader's.
- Loading again in the same process (mkdocs serve after a save) reuses parsed front matter only for
  unchanged text, and never hides a problem.
- Under `mkdocs serve --dirty`, a generated page is rebuilt only when its macros give other Markdown.
"""
from __future__ import annotations

import pytest
import yaml

from styrdok import yamlio
from styrdok.load import load_handbook
from styrdok.problems import Problems
from styrdok.site import adapter
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


def pure_python(text: str, first_line: int = 1):
    """What load_yaml returned before the libyaml loader: two passes with the pure-Python loader."""
    node = yaml.compose(text, Loader=yamlio._Loader)
    data = yaml.load(text, Loader=yamlio._Loader)
    lines: dict = {}
    yamlio._walk(node, (), lines, first_line - 1, [])
    return data, lines


def test_libyaml_loader_gives_the_same_data_and_lines():
    data, lines = yamlio.load_yaml(FRONT, "x.md", Problems(), first_line=2)
    assert (data, lines.lines) == pure_python(FRONT, 2)
    assert data["felaktigt_datum"] == "2025-02-30"          # an impossible date stays text


@pytest.mark.parametrize("text", ["a: [b\nc: d\n", "a: b\n  c: d\n", "a: 'b\n", "- a\nb: c\n"])
def test_syntax_errors_are_reported_as_before(text):
    problems = Problems()
    assert yamlio.load_yaml(text, "x.yml", problems) is None
    with pytest.raises(yaml.MarkedYAMLError) as exc:
        yaml.compose(text, Loader=yamlio._Loader)
    mark = exc.value.problem_mark or exc.value.context_mark
    [problem] = problems.items
    assert problem.line == mark.line + 1
    assert problem.message == yamlio.syntax_message(exc.value.problem)     # the pure-Python parser's problem, in Swedish


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


def test_handbook_repr_is_short(mini):
    handbook, _ = load_handbook(mini)
    assert len(repr(handbook)) < 200
    assert "dokument" in repr(handbook)


def test_link_titles_are_built_once_per_handbook(mini):
    handbook, _ = load_handbook(mini)
    assert link_titles(handbook) is link_titles(handbook)
    assert link_titles(handbook)["rutiner/avvikelser.md"] == "Rutin för avvikelser & risker"


def _generated_files(mini, monkeypatch, *, serve_dirty: bool):
    from mkdocs.config import load_config
    from mkdocs.structure.files import Files

    monkeypatch.chdir(mini)
    config = load_config(str(mini / "mkdocs.yml"), site_dir=str(mini / "site"))
    config.plugins._current_plugin = "hooks/generated_pages"     # set by MkDocs while it runs an event
    handbook, problems = load_handbook(mini)
    assert not problems.errors
    monkeypatch.setitem(adapter._CURRENT, "handbook", handbook)
    monkeypatch.setitem(adapter._CURRENT, "root", mini)
    adapter.start("serve" if serve_dirty else "build", serve_dirty)
    files = adapter.add_generated_pages(Files([]), config)
    for f in files:                       # as if the previous build wrote every page
        if f.is_documentation_page():
            dest = mini / "site" / f.dest_uri
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_text("<html></html>", encoding="utf-8")
    return {f.src_uri: f for f in files if f.is_documentation_page()}


def test_serve_dirty_skips_generated_pages_whose_output_did_not_change(mini, monkeypatch):
    monkeypatch.setattr(adapter, "_LAST_OUTPUT", {})
    try:
        first = _generated_files(mini, monkeypatch, serve_dirty=True)
        assert first and all(f.is_modified() for f in first.values())
        again = _generated_files(mini, monkeypatch, serve_dirty=True)
        assert not any(f.is_modified() for f in again.values())

        page = mini / "docs" / "rutiner" / "avvikelser.md"
        page.write_text(page.read_text(encoding="utf-8").replace("titel: Rutin för avvikelser & risker",
                                                                 "titel: Ny titel"), encoding="utf-8")
        changed = _generated_files(mini, monkeypatch, serve_dirty=True)
        assert changed["styrdokument/per-typ.md"].is_modified(), "översikten visar titeln och ska byggas om"
    finally:
        adapter.start("build", False)


def test_a_normal_build_always_rebuilds_generated_pages(mini, monkeypatch):
    monkeypatch.setattr(adapter, "_LAST_OUTPUT", {})
    _generated_files(mini, monkeypatch, serve_dirty=False)
    again = _generated_files(mini, monkeypatch, serve_dirty=False)
    assert all(f.is_modified() for f in again.values())
