"""`styrdok init`: a new kommun's handbook that passes check, builds and exports — also from a wheel
installed into a fresh venv, where the engine's templates, theme, CSS and JS come from the package."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from docx import Document

from conftest import REPO, run_cli
from test_site import Text, page, section


def git_commit(root: Path) -> None:
    for args in (["init", "-q", "-b", "main"], ["add", "-A"],
                 ["-c", "user.name=Test", "-c", "user.email=t@example.org", "commit", "-q", "-m", "Ny handbok"]):
        subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


def assert_working_handbook(root: Path, kommun: str) -> None:
    assert not (root / "overrides").exists() and not (root / "templates").exists()   # content and config only
    for rel in ("mkdocs.yml", "README.md", "data/kommun.yml", "data/roller.yml", "docs/index.md"):
        assert (root / rel).is_file(), rel
    docs = sorted(p.stem for p in (root / "docs" / "styrdokument").glob("*.md"))
    assert docs == ["instruktion-rapportera", "policy-kvalitet", "riktlinje-ledningssystem", "rutin-avvikelser"]
    card = Text.of(section(page(root, "styrdokument/policy-kvalitet"), "styrdok-kort"))
    assert "Beslutad av Socialnämnden" in card
    assert (root / "site" / "assets" / "styrdok.css").is_file()
    assert (root / "site" / "assets" / "javascripts" / "styrdok-sok.js").is_file()
    assert kommun in (root / "site" / "index.html").read_text(encoding="utf-8")
    word = Document(str(root / "site" / "word" / "rutin-avvikelser.docx"))
    rows = {r.cells[0].text: r.cells[1].text for r in word.tables[0].rows}
    assert rows["Typ av styrdokument"] == "Rutin" and rows["Beslutad av"] == "Socialchef"


@pytest.mark.langsam
def test_init_writes_a_handbook_that_checks_builds_and_exports(tmp_path):
    root = tmp_path / "handbok"
    proc = subprocess.run([sys.executable, "-m", "styrdok", "init", str(root), "--kommun", "Björkby kommun"],
                          capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "Skrev en ny handbok för Björkby kommun" in proc.stderr
    check = run_cli(root, "check")
    assert check.returncode == 0 and "Inga problem hittades." in check.stderr + check.stdout, check.stderr
    git_commit(root)
    build = run_cli(root, "build")
    assert build.returncode == 0, build.stderr
    assert_working_handbook(root, "Björkby kommun")


def test_init_refuses_a_folder_that_is_not_empty(tmp_path):
    (tmp_path / "gammal").mkdir()
    (tmp_path / "gammal" / "fil.txt").write_text("x", encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "styrdok", "init", str(tmp_path / "gammal"), "--kommun", "X kommun"],
                          capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 1
    assert "finns redan och är inte tom. Välj en ny mapp." in proc.stderr
    assert sorted(p.name for p in (tmp_path / "gammal").iterdir()) == ["fil.txt"]


@pytest.mark.langsam
def test_init_from_an_installed_wheel_in_a_fresh_venv(tmp_path):
    """Build the wheel, install it into a new venv (dependencies from the configured package index),
    then init, check, build site and Word there: nothing is read from this repository."""
    # (the longest test: marked so that pytest -n 2 starts it first)
    source = tmp_path / "kalla"
    source.mkdir()
    for name in ("pyproject.toml", "setup.py"):
        shutil.copy2(REPO / name, source / name)
    for name in ("src", "templates", "overrides"):
        shutil.copytree(REPO / name, source / name, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    (source / "docs" / "assets").mkdir(parents=True)
    from styrdok.engine import ASSETS
    for name in ASSETS:
        shutil.copy2(REPO / "docs" / "assets" / name, source / "docs" / "assets" / name)
    env = {**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    env.pop("VIRTUAL_ENV", None)
    wheel = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp_path / "dist"),
                            str(source)], capture_output=True, text=True, env=env)
    assert wheel.returncode == 0, wheel.stderr
    [whl] = (tmp_path / "dist").glob("styrdok-*.whl")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    # This pip installs into the new venv (its own pip and byte-compiling every dependency would be
    # two thirds of the test's time; Python compiles what styrdok imports when it runs).
    install = subprocess.run([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install", "-q",
                              "--no-compile", str(whl)], capture_output=True, text=True, env=env)
    if install.returncode != 0 and "No matching distribution" in install.stderr and os.environ.get("CI") != "true":
        pytest.skip(f"beroenden kunde inte installeras från paketindexet: {install.stderr[-300:]}")
    assert install.returncode == 0, install.stderr
    engine = subprocess.run([str(venv / "bin" / "python"), "-c", "import styrdok.engine as e; print(e.engine_dir())"],
                            capture_output=True, text=True, cwd=tmp_path, env=env)
    assert engine.stdout.strip().endswith("site-packages/styrdok/_motor"), engine.stdout + engine.stderr
    work = tmp_path / "arbete"
    work.mkdir()
    styrdok = str(venv / "bin" / "styrdok")
    proc = subprocess.run([styrdok, "init", "handbok", "--kommun", "Granby kommun"], cwd=work,
                          capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stderr
    root = work / "handbok"
    assert subprocess.run([styrdok, "check"], cwd=root, capture_output=True, text=True, env=env).returncode == 0
    git_commit(root)
    build = subprocess.run([styrdok, "build"], cwd=root, capture_output=True, text=True, env=env)
    assert build.returncode == 0, build.stderr
    export = subprocess.run([styrdok, "export", "riktlinje-ledningssystem"], cwd=root, capture_output=True,
                            text=True, env=env)
    assert export.returncode == 0, export.stderr
    assert (root / "build" / "word" / "riktlinje-ledningssystem.docx").is_file()
    assert_working_handbook(root, "Granby kommun")


def test_plugin_runs_every_event_the_repository_hooks_run():
    """styrdok init's handbooks use the plugin instead of overrides/hooks/: a hook added there must be
    added to the plugin too, or new handbooks silently lack it."""
    import ast
    from styrdok.site.plugin import StyrdokPlugin
    events = set()
    for hook in (REPO / "overrides" / "hooks").glob("*.py"):
        tree = ast.parse(hook.read_text(encoding="utf-8"))
        events |= {n.name for n in tree.body if isinstance(n, ast.FunctionDef) and n.name.startswith("on_")}
    missing = sorted(e for e in events if e not in vars(StyrdokPlugin))
    assert not missing, f"styrdok.site.plugin saknar {missing}"
