"""The strict Jinja environment (styrdok.jinja): what one handbook's templates compile to is reused by
the next handbook in the same process (the preview, the tests), and that reuse is invisible: an edited
template renders its new text, and an error names the file that was read."""
from __future__ import annotations

import traceback

import jinja2
import pytest

from styrdok.jinja import make_env


def _folder(root, text):
    folder = root / "markdown"
    folder.mkdir(parents=True)
    (folder / "lista.md.j2").write_text(text, encoding="utf-8")
    return folder


def test_same_template_in_two_folders_renders_each_folders_text(tmp_path):
    first = _folder(tmp_path / "a", "Ansvarig: {{ roll }}\n")
    same = _folder(tmp_path / "b", "Ansvarig: {{ roll }}\n")
    edited = _folder(tmp_path / "c", "Ansvarig roll: {{ roll | upper }}\n")
    assert make_env(first).get_template("lista.md.j2").render(roll="sas") == "Ansvarig: sas\n"
    assert make_env(same).get_template("lista.md.j2").render(roll="mas") == "Ansvarig: mas\n"
    assert make_env(edited).get_template("lista.md.j2").render(roll="mas") == "Ansvarig roll: MAS\n"
    # escaping is part of what a template compiles to: the same text with autoescape escapes
    assert make_env(same, autoescape=True).get_template("lista.md.j2").render(roll="<b>") == "Ansvarig: &lt;b&gt;\n"
    assert make_env(same).get_template("lista.md.j2").render(roll="<b>") == "Ansvarig: <b>\n"


def test_an_error_in_a_reused_template_names_the_file_that_was_read(tmp_path):
    text = "Rad ett\n{% for r in roller %}\n- {{ r.namn }} {{ saknas }}\n{% endfor %}\n"
    first = _folder(tmp_path / "a", text)
    second = _folder(tmp_path / "b", text)
    with pytest.raises(jinja2.UndefinedError):
        make_env(first).get_template("lista.md.j2").render(roller=[{"namn": "x"}])
    template = make_env(second).get_template("lista.md.j2")
    assert template.filename == str(second / "lista.md.j2")
    with pytest.raises(jinja2.UndefinedError) as failure:
        template.render(roller=[{"namn": "x"}])
    # Jinja rewrites the traceback to point at the template's lines: the file read, line 3
    frames = [(f.filename, f.lineno) for f in traceback.extract_tb(failure.value.__traceback__)
              if f.filename.endswith("lista.md.j2")]
    assert frames == [(str(second / "lista.md.j2"), 3)], frames
