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



def _theme_env(folder, *, i18n: bool, kept=None, extensions=("jinja2.ext.loopcontrols",)):
    """An environment like MkDocs' theme environment (one per build), with the cache the site build
    gives it (styrdok.site.pagecache.on_env): kept in this process, stored in the handbook's .cache.
    Its compile() calls are counted in env.compiled."""
    from styrdok.jinja import CompiledOnceThenStored
    (folder.parent / "jinja").mkdir(exist_ok=True)
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(folder)), auto_reload=False,
                             extensions=[*extensions, *(["jinja2.ext.i18n"] if i18n else [])],
                             bytecode_cache=CompiledOnceThenStored(
                                 jinja2.FileSystemBytecodeCache(str(folder.parent / "jinja")), kept))
    if i18n:
        env.install_null_translations(newstyle=True)
    env.compiled = []
    compile_ = env.compile
    env.compile = lambda source, *a, **k: env.compiled.append(a) or compile_(source, *a, **k)
    return env


def test_theme_templates_are_compiled_once_per_process_whatever_the_folder(tmp_path):
    text = ("<p>{{ sida }}</p>{% for n in [1, 2] %}{{ n }}{% break %}{% endfor %}"
            "{% if i18n %}{% trans %}Sök{% endtrans %}{% endif %}\n")
    first = _folder(tmp_path / "a", text)
    second = _folder(tmp_path / "b", text)
    edited = _folder(tmp_path / "c", "<h1>{{ sida }}</h1>{% trans %}Sök{% endtrans %}\n")
    env = _theme_env(first, i18n=True)
    assert env.get_template("lista.md.j2").render(sida="Start", i18n=True) == "<p>Start</p>1Sök"
    # another handbook in this process: not compiled again; its values, its own file in errors
    env = _theme_env(second, i18n=True)
    template = env.get_template("lista.md.j2")
    assert env.compiled == []
    assert template.render(sida="Rutiner", i18n=True) == "<p>Rutiner</p>1Sök"
    assert template.filename == str(second / "lista.md.j2")
    # an edited text is compiled
    env = _theme_env(edited, i18n=True)
    assert env.get_template("lista.md.j2").render(sida="X") == "<h1>X</h1>Sök"
    assert len(env.compiled) == 1
    # the extensions are part of the key: the same text is compiled for an environment without one
    with pytest.raises(jinja2.TemplateSyntaxError):
        _theme_env(second, i18n=True, extensions=()).get_template("lista.md.j2")


def test_a_new_process_uses_the_templates_the_handbook_stored(tmp_path):
    from styrdok.jinja import CompiledOnce
    folder = _folder(tmp_path / "a", "<p>{{ sida }}</p>\n")
    env = _theme_env(folder, i18n=False, kept=CompiledOnce())
    env.get_template("lista.md.j2")
    assert len(env.compiled) == 1 and list((tmp_path / "a" / "jinja").iterdir())
    # as in a new process (nothing kept in memory): the stored code is used, not compiled again
    env = _theme_env(folder, i18n=False, kept=CompiledOnce())
    assert env.get_template("lista.md.j2").render(sida="Start") == "<p>Start</p>"
    assert env.compiled == []
    # an edited file is compiled again, whatever was stored
    (folder / "lista.md.j2").write_text("<h2>{{ sida }}</h2>\n", encoding="utf-8")
    env = _theme_env(folder, i18n=False, kept=CompiledOnce())
    assert env.get_template("lista.md.j2").render(sida="Start") == "<h2>Start</h2>"
    assert len(env.compiled) == 1
