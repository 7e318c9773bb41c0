"""Files a web server can serve: modes from the umask, and temporary folders of killed builds removed.

`tempfile.mkdtemp` and `mkstemp` create 700/600 whatever the umask (they are meant to be private);
published output (site/, Word files) gets the modes an ordinary `mkdir`/`open` would give instead:
755/644 with the usual umask 022.
"""
from __future__ import annotations

import os
import re
import shutil
from pathlib import Path


def current_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def file_mode() -> int:
    return 0o666 & ~current_umask()


def dir_mode() -> int:
    return 0o777 & ~current_umask()


def make_servable(tree: Path) -> None:
    """Give tree and everything in it the umask's modes (directories searchable, files readable)."""
    dmode, fmode = dir_mode(), file_mode()
    os.chmod(tree, dmode)
    for folder, dirs, files in os.walk(tree):
        for name in dirs:
            path = os.path.join(folder, name)
            if not os.path.islink(path):
                os.chmod(path, dmode)
        for name in files:
            path = os.path.join(folder, name)
            if not os.path.islink(path):
                os.chmod(path, fmode)


def temp_prefix(target: Path, kind: str) -> str:
    """A temporary folder's name prefix that names the process making it: .site-bygge-1234-"""
    return f".{target.name}-{kind}-{os.getpid()}-"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_temps(target: Path) -> list[Path]:
    """Remove the temporary folders beside target left by builds that were killed (their process
    is gone); a build still running keeps its own. Returns what was removed."""
    pattern = re.compile(rf"^\.{re.escape(target.name)}-(bygge|gammal)-(\d+)(-|$)")
    removed = []
    if not target.parent.is_dir():
        return removed
    for entry in target.parent.iterdir():
        m = pattern.match(entry.name)
        if not m or int(m.group(2)) == os.getpid() or _alive(int(m.group(2))):
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)
        removed.append(entry)
    return removed


def _link_or_copy(src: str, dst: str) -> None:
    try:
        os.link(src, dst)
    except OSError:                     # another file system, or links not allowed
        shutil.copy2(src, dst)


def link_or_copy_tree(src: Path, dst: Path) -> None:
    """A copy of the folder src as dst whose files are hard links where the file system allows
    (output nobody edits in place: writers replace files, never rewrite them)."""
    shutil.copytree(src, dst, copy_function=_link_or_copy, symlinks=True)
