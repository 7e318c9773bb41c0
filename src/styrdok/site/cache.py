"""What a site build reads, as digests: the key of the build caches under .cache/site/.

The keys are generic on purpose: not a list of today's inputs, but every file of the project
(outside the output and cache folders), the git refs (history, decision tags), the day (overdue
marks), styrdok's settings in the environment (STYRDOK_*), installed npm packages (their lock file)
and the code (styrdok's own files and every installed distribution's version). A new
kind of input added anywhere in the project is therefore covered without touching this module.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import shutil
import tempfile
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from ..gitcmd import GitMissing as _GitMissing, run as _git
from ..load import current_date

# Top-level folders that are output, caches or tools, never input of the site.
NOT_INPUT = {"site", "build", ".cache", ".git", ".venv", "venv", "node_modules", ".pytest_cache"}
FORMAT = "2"            # bump when what the caches store changes shape


@lru_cache(maxsize=1)
def code_version() -> str:
    """styrdok's own files (code, the engine's templates, overrides and assets) and the versions of all
    installed distributions."""
    h = hashlib.sha256(FORMAT.encode())
    from ..engine import assets_dir, overrides_dir, templates_dir
    package = Path(__file__).resolve().parents[1]
    for folder in dict.fromkeys([package, templates_dir(), overrides_dir(), assets_dir()]):
        for path in input_files(folder) if folder.is_dir() else []:
            h.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    dists = sorted(f"{d.metadata['Name']}=={d.version}" for d in metadata.distributions())
    h.update("\n".join(dists).encode())
    return h.hexdigest()


def _engine_root() -> Path:
    from ..engine import engine_dir
    return engine_dir()


def _git_state(root: Path) -> str:
    """HEAD and every ref (branches, decision tags): what the history and the decided versions read."""
    try:
        refs = _git(root, "for-each-ref", "--format=%(refname) %(objectname)")
        head = _git(root, "rev-parse", "HEAD")
    except _GitMissing:
        return "ingen git"
    return (refs.stdout + head.stdout).decode("utf-8", "replace") + f"{refs.returncode}{head.returncode}"


def input_files(root: Path, skip: tuple[Path, ...] = ()) -> list[Path]:
    """Every file of the project that can be input of a build, in a stable order."""
    root = Path(root)
    skipped = {p.resolve() for p in skip}
    found = []
    for folder, dirs, files in os.walk(root):
        here = Path(folder)
        dirs[:] = sorted(d for d in dirs if not (here == root and d in NOT_INPUT) and d != "__pycache__"
                         and (here / d).resolve() not in skipped)
        found.extend(here / f for f in sorted(files) if not f.endswith(".pyc"))
        found.extend(here / d for d in dirs if (here / d).is_symlink())   # not walked: its target is the input
    return found


def project_digest(root: Path, skip: tuple[Path, ...] = (), exclude_folder: str | None = None) -> str:
    """One digest over the project's input files (path and bytes), git refs, the day and the code.

    exclude_folder ('docs') leaves one top-level folder out, for keys that cover it otherwise."""
    root = Path(root)
    h = hashlib.sha256()
    for path in input_files(root, skip):
        rel = path.relative_to(root).as_posix()
        if exclude_folder and rel.startswith(exclude_folder + "/"):
            continue
        h.update(rel.encode() + b"\0")
        if path.is_symlink():                 # a link (to a folder, or a loop) counts by where it points
            h.update(os.readlink(path).encode() + b"\0")
        with contextlib.suppress(OSError):
            h.update(path.read_bytes())
        h.update(b"\0")
    for lock in (root / "node_modules" / ".package-lock.json", _engine_root() / "node_modules" / ".package-lock.json"):
        if lock.is_file():            # installed npm packages (the web editor): their lock, not their files
            h.update(lock.read_bytes())
    from ..editor.config import ENV_KEYS          # the web editor's GitLab project comes from CI variables
    h.update(json.dumps(sorted((k, v) for k, v in os.environ.items()
                               if k.startswith("STYRDOK_") or k in ENV_KEYS)).encode())
    h.update(_git_state(root).encode())
    from ..pdf import tool_signature           # the site's PDFs and their links: LibreOffice, present or not
    h.update(tool_signature().encode())
    h.update(current_date().isoformat().encode())
    h.update(dt.date.today().isoformat().encode())        # MkDocs' sitemap dates pages by the real day
    h.update(code_version().encode())
    return h.hexdigest()


class BuildMemo:
    """The last successful build's key (project_digest), whether it made the outputs (word/, pdf/ …),
    the check's printed messages, and a stamp of the site/ it published: a build whose inputs are
    all unchanged leaves that site/ as it is.

    The stamp (every file's path, size, modification time and inode under site/) makes sure site/
    is still what that build wrote: anything else that changed it (`styrdok build --bara word`,
    a hand edit, a removed file) makes the next build a real one. Nothing is copied: the memo is
    a small file, and a build that fails leaves both site/ and the memo as they were."""

    def __init__(self, root: Path, site_dir: Path):
        self.root = Path(root)
        self.site_dir = Path(site_dir)
        self.folder = self.root / ".cache" / "site" / "bygge"
        self.key = project_digest(self.root, skip=(self.site_dir,))

    def _meta(self) -> dict | None:
        try:
            meta = json.loads((self.folder / "nyckel.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if meta.get("key") != self.key or meta.get("site") != site_stamp(self.site_dir):
            return None
        return meta

    def lookup(self, with_word: bool) -> str | None:
        """The check's messages of the published build if it can stand for this one, else None."""
        meta = self._meta()
        if meta is None or (with_word and not meta.get("word")):
            return None
        return meta["messages"]

    def store(self, messages: str, with_word: bool) -> None:
        """Remember the site/ just published as the output of this key (replacing the last memo)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        for old in ("site", "utdata"):               # the hard-linked copies of earlier versions
            shutil.rmtree(self.folder / old, ignore_errors=True)
        data = json.dumps({"key": self.key, "word": with_word, "messages": messages,
                           "site": site_stamp(self.site_dir)})
        fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".tmp-")
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(data)
        os.replace(tmp, self.folder / "nyckel.json")


def forget_build(root: Path) -> None:
    """site/ is about to change outside a full build (--bara): no memo stands for it any more."""
    with contextlib.suppress(OSError):
        (Path(root) / ".cache" / "site" / "bygge" / "nyckel.json").unlink()


def site_stamp(site_dir: Path) -> str | None:
    """A digest of every entry under site_dir (path, type, size, modification time, inode); None
    if it does not exist."""
    try:
        top = os.stat(site_dir)
    except OSError:
        return None
    h = hashlib.sha256(f"{top.st_ino} {top.st_mtime_ns}".encode())
    stack = [str(site_dir)]
    base = len(str(site_dir)) + 1
    while stack:
        folder = stack.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            return None
        for entry in entries:
            st = entry.stat(follow_symlinks=False)
            h.update(f"{entry.path[base:]}\0{st.st_mode} {st.st_size} {st.st_mtime_ns} {st.st_ino}\n"
                     .encode("utf-8", "surrogateescape"))
            if entry.is_dir(follow_symlinks=False):
                stack.append(entry.path)
    return h.hexdigest()
