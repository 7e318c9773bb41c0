"""Shared test helpers: a small handbook copied to a temp folder, the CLI run as a user runs it."""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
MINI = REPO / "tests" / "fixtures" / "mini"
IN_CI = os.environ.get("CI") == "true"


def require_tool(name: str, why: str) -> str:
    """Path of a system tool; in CI a missing tool fails the test, elsewhere it skips with the reason."""
    path = shutil.which(name) or (name if os.path.exists(name) else None)
    if path:
        return path
    message = f"{name} saknas på den här datorn ({why}). Installera det (se .ci/run)."
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


def site_files(root: Path) -> list[str]:
    return ["mkdocs.yml", "overrides", "macros", "templates"]


def copy_handbook(source: Path, dest: Path) -> Path:
    """A buildable copy: the handbook's docs/ and data/, with the repository's site layer."""
    shutil.copytree(source, dest, ignore=shutil.ignore_patterns("site", ".git", ".cache", "build"))
    return copy_handbook_layer(dest)


def copy_handbook_layer(dest: Path) -> Path:
    """Add the repository's site layer (mkdocs.yml, overrides, macros, templates, CSS) to dest."""
    for name in site_files(REPO):
        src = REPO / name
        if (dest / name).exists():
            continue
        if src.is_dir():
            shutil.copytree(src, dest / name)
        else:
            shutil.copy2(src, dest / name)
    css = REPO / "docs" / "assets" / "styrdok.css"
    (dest / "docs" / "assets").mkdir(parents=True, exist_ok=True)
    shutil.copy2(css, dest / "docs" / "assets" / "styrdok.css")
    return dest


def run_cli(root: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "styrdok", "--root", str(root), *args],
                          capture_output=True, text=True, cwd=root, env={**os.environ, **(env or {})})


def tree_digest(folder: Path) -> str:
    """One hash over every file's path and bytes: equal digests mean byte-for-byte equal trees."""
    h = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            h.update(path.relative_to(folder).as_posix().encode())
            h.update(path.read_bytes())
    return h.hexdigest()


@pytest.fixture
def mini(tmp_path) -> Path:
    return copy_handbook(MINI, tmp_path / "handbok")


@pytest.fixture(scope="session")
def mini_built(tmp_path_factory) -> Path:
    """The small handbook, built once per test session (copy it before changing it)."""
    root = copy_handbook(MINI, tmp_path_factory.mktemp("mini") / "handbok")
    proc = run_cli(root, "build")
    assert proc.returncode == 0, proc.stderr
    return root


@pytest.fixture(scope="session")
def example_built(tmp_path_factory) -> Path:
    """The example kommun's handbook (this repository's docs/ and data/), built once, in git."""
    root = tmp_path_factory.mktemp("exempel") / "handbok"
    root.mkdir()
    for name in ("docs", "data"):
        shutil.copytree(REPO / name, root / name)
    copy_handbook_layer(root)
    for args in (["init", "-q", "-b", "main"], ["add", "-A"],
                 ["-c", "user.name=Test", "-c", "user.email=test@example.org", "commit", "-q", "-m", "Exempel"]):
        subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)
    proc = run_cli(root, "build")
    assert proc.returncode == 0, proc.stderr
    return root
