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

from conftest import REPO
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


def test_init_refuses_a_folder_that_is_not_empty(tmp_path):
    (tmp_path / "gammal").mkdir()
    (tmp_path / "gammal" / "fil.txt").write_text("x", encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "styrdok", "init", str(tmp_path / "gammal"), "--kommun", "X kommun"],
                          capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 1
    assert "finns redan och är inte tom. Välj en ny mapp." in proc.stderr
    assert sorted(p.name for p in (tmp_path / "gammal").iterdir()) == ["fil.txt"]


def test_init_without_the_installed_templates_says_so_and_writes_nothing(tmp_path, monkeypatch):
    """An installation whose templates/init/ is missing (a wheel packaged without its data files) is
    refused with what to do, instead of reporting a new handbook and writing none."""
    import styrdok.init
    from conftest import run_cli
    monkeypatch.setattr(styrdok.init, "DEFAULT_TEMPLATES", tmp_path / "installerat" / "templates")
    proc = run_cli(tmp_path, "init", str(tmp_path / "ny"), "--kommun", "Åby kommun")
    assert proc.returncode == 1, proc.stderr
    assert "fel: Mallarna för en ny handbok saknas i installationen" in proc.stderr
    assert "mkdocs.yml.j2, data/kommun.yml.j2" in proc.stderr and "pip install --force-reinstall styrdok" in proc.stderr
    assert "Skrev en ny handbok" not in proc.stderr
    assert not (tmp_path / "ny").exists()


def link_dependencies(requirements: list[str], site_packages: Path) -> list[str]:
    """Put the distributions that requirements need, and what they need in turn (their declared
    Requires-Dist, markers evaluated for this Python), into site_packages as symbolic links to the ones
    this test environment has installed: an install of exactly the declared dependencies, without
    fetching and unpacking them again. Returns the names linked. Anything the wheel uses but does not
    declare is absent there."""
    import importlib.metadata as metadata
    from packaging.requirements import Requirement
    linked: list[str] = []
    pending = [Requirement(r) for r in requirements]
    seen: set[str] = set()
    while pending:
        req = pending.pop()
        if req.marker is not None and not req.marker.evaluate({"extra": ""}):
            continue
        name = req.name.lower().replace("_", "-")
        if name in seen:
            continue
        seen.add(name)
        dist = metadata.distribution(req.name)
        assert dist.version in req.specifier, f"{req}: {dist.version} installerad"
        assert dist.files, f"{req.name}: RECORD saknas"
        top = {f.parts[0] for f in dist.files if f.parts[0] != ".." and f.parts[0] != "__pycache__"}
        for part in top:
            target = site_packages / part
            if not target.exists():
                target.symlink_to(Path(dist.locate_file(part)))
        linked.append(name)
        pending += [Requirement(r) for r in dist.requires or []]
    return linked


@pytest.mark.langsam
def test_init_from_an_installed_wheel_in_a_fresh_venv(tmp_path):
    """Build the wheel, install it into a new venv with exactly the dependencies it declares, then init,
    check, build site and Word there: nothing is read from this repository. This is also the test of
    `styrdok init` → check → build → a working handbook (the same commands as from this repository;
    tests/test_build_cache.py runs init from here).

    The dependencies are the ones this environment installed from the package index (make install,
    .ci/run in a fresh clone), linked into the new venv by the wheel's own Requires-Dist (recursively);
    pip check in the venv proves every declared requirement is met there. Fetching and unpacking them
    a second time would prove nothing more and was three quarters of the test's time."""
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
    env.pop("PYTHONPATH", None)             # a source folder on it would be read instead of the wheel
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    # The wheel is built as `pip wheel` builds it (PEP 517, setuptools' backend) with the setuptools this
    # environment has (pinned in the test extras to what pyproject.toml's build-system asks for: no
    # isolated build environment fetched from the package index), then installed into the new venv.
    wheels = tmp_path / "hjul"
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
                            "-w", str(wheels), str(source)], capture_output=True, text=True, env=env)
    assert built.returncode == 0, built.stderr
    [wheel] = wheels.glob("styrdok-*.whl")
    install = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q",
                              "--no-compile", "--no-deps", str(wheel)], capture_output=True, text=True, env=env)
    assert install.returncode == 0, install.stderr
    site_packages = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                                        capture_output=True, text=True, check=True).stdout.strip())
    requires = [r for r in subprocess.run(
        [str(python), "-c", "import importlib.metadata as m; print(*m.requires('styrdok'), sep=chr(10))"],
        capture_output=True, text=True, check=True).stdout.splitlines() if r.strip()]
    assert "mkdocs==1.6.1" in requires and not any("playwright" in r for r in requires if "extra" not in r)
    linked = link_dependencies(requires, site_packages)
    assert "pytest" not in linked and "playwright" not in linked
    check = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "check"],
                           capture_output=True, text=True, env=env)
    assert check.returncode == 0, check.stdout + check.stderr
    engine = subprocess.run([str(python), "-c", "import styrdok.engine as e; print(e.engine_dir())"],
                            capture_output=True, text=True, cwd=tmp_path, env=env)
    assert engine.stdout.strip() == str(site_packages / "styrdok" / "_motor"), engine.stdout + engine.stderr
    work = tmp_path / "arbete"
    work.mkdir()
    styrdok = str(venv / "bin" / "styrdok")
    proc = subprocess.run([styrdok, "init", "handbok", "--kommun", "Granby kommun"], cwd=work,
                          capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stderr
    assert "Skrev en ny handbok för Granby kommun" in proc.stderr
    root = work / "handbok"
    # No PDFs here: LibreOffice reads the Word files this test does read, and nothing of the package
    # (tests/test_pdf.py, and tests/test_build_cache.py for a handbook made by init, make them).
    kommun = root / "data" / "kommun.yml"
    kommun.write_text(kommun.read_text(encoding="utf-8").replace("\npdf: true\n", "\npdf: false\n"), encoding="utf-8")
    check = subprocess.run([styrdok, "check"], cwd=root, capture_output=True, text=True, env=env)
    assert check.returncode == 0 and "Inga problem hittades." in check.stderr + check.stdout, check.stderr
    git_commit(root)
    build = subprocess.run([styrdok, "build"], cwd=root, capture_output=True, text=True, env=env)
    assert build.returncode == 0, build.stderr
    export = subprocess.run([styrdok, "export", "riktlinje-ledningssystem"], cwd=root, capture_output=True,
                            text=True, env=env)
    assert export.returncode == 0, export.stderr
    assert (root / "build" / "word" / "riktlinje-ledningssystem.docx").is_file()
    assert_working_handbook(root, "Granby kommun")
    assert not (root / "site" / "pdf").exists()


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
