"""Published output a web server running as another user can read, and no leftovers of killed builds."""
from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys

from conftest import run_cli
from styrdok.editor import editor_dist


def modes(folder):
    """{relative path: permission bits} of folder and everything below it."""
    out = {".": stat.S_IMODE(folder.stat().st_mode)}
    for path in folder.rglob("*"):
        out[path.relative_to(folder).as_posix()] = stat.S_IMODE(path.lstat().st_mode)
    return out


def test_site_and_word_files_get_the_umasks_modes(mini_built, tmp_path):
    root = tmp_path / "h"
    shutil.copytree(mini_built, root)
    decap = editor_dist(root) / "decap-cms.js"
    shared = stat.S_IMODE(decap.stat().st_mode)
    old = os.umask(0o027)
    try:
        proc = run_cli(root, "build")
    finally:
        os.umask(old)
    assert proc.returncode == 0, proc.stderr
    # the editor's files come from node_modules/, linked when the modes agree: never changed there
    assert stat.S_IMODE(decap.stat().st_mode) == shared, "bygget ändrade node_modules/decap-cms"
    found = modes(root / "site")
    words = [p for p in found if p.startswith("word/") and p.endswith(".docx")]
    assert words, "inga Word-filer i site/word/"
    for path, mode in found.items():
        want = 0o750 if (root / "site" / path).is_dir() else 0o640
        assert mode == want, f"site/{path} har {oct(mode)}, väntat {oct(want)}"


def test_default_umask_gives_755_and_644_also_for_exported_word_files(mini_built, tmp_path):
    root = tmp_path / "h"
    shutil.copytree(mini_built, root)
    old = os.umask(0o022)
    try:
        proc = run_cli(root, "export", "--all", "--out", str(tmp_path / "ut"))
        built = modes(mini_built / "site")
    finally:
        os.umask(old)
    assert proc.returncode == 0, proc.stderr
    exported = modes(tmp_path / "ut")
    assert exported and all(m == 0o644 for p, m in exported.items() if p != "."), exported
    assert built["."] == 0o755 and built["index.html"] == 0o644 and built["word"] == 0o755


def test_a_killed_builds_temporary_folders_are_removed_by_the_next_build(mini_built, tmp_path):
    root = tmp_path / "h"
    shutil.copytree(mini_built, root)
    # A build killed with SIGKILL leaves its folders behind; its process is gone.
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True).stdout.strip()
    for name in (f".site-bygge-{dead}-x1y2", f".site-gammal-{dead}"):
        (root / name / "rutiner").mkdir(parents=True)
        (root / name / "rutiner" / "index.html").write_text("gammal")
    running = root / f".site-bygge-{os.getpid()}-pågår"      # a build still running keeps its folder
    running.mkdir()
    proc = run_cli(root, "build")
    assert proc.returncode == 0, proc.stderr
    left = sorted(p.name for p in root.glob(".site-*"))
    assert left == [running.name]


def test_the_replaced_site_is_removed_after_the_build_without_waiting_for_it(mini):
    """The old site/ goes into .cache/borttaget/ at the swap (not left beside site/, where a copy of
    the project would meet it half removed) and is removed there by a process of its own."""
    import time
    assert run_cli(mini, "build", "--utan-word").returncode == 0
    page = mini / "docs" / "rutiner" / "avvikelser.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nNy rad.\n", encoding="utf-8")
    assert run_cli(mini, "build", "--utan-word").returncode == 0
    assert sorted(p.name for p in mini.iterdir() if p.name.startswith(".site")) == []
    trash = mini / ".cache" / "borttaget"
    for _ in range(100):
        if trash.is_dir() and not any(trash.iterdir()):
            break
        time.sleep(0.1)
    assert trash.is_dir() and list(trash.iterdir()) == []
    assert "Ny rad." in (mini / "site" / "rutiner" / "avvikelser" / "index.html").read_text(encoding="utf-8")
