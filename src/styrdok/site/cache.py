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
from ..outputfiles import link_or_copy_tree

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
    """The last successful build's output (site without the outputs' folders — word/, pdf/ … —
    and those folders when the build made them all) and the check's printed messages, keyed by
    project_digest: a build with nothing changed is a copy.

    The stored tree is hard-linked into the new site (nothing edits site/ in place: every build
    replaces it), so a hit costs about as much as listing the files."""

    def __init__(self, root: Path, site_dir: Path):
        self.root = Path(root)
        self.folder = self.root / ".cache" / "site" / "bygge"
        self.key = project_digest(self.root, skip=(Path(site_dir),))

    def _meta(self) -> dict | None:
        try:
            meta = json.loads((self.folder / "nyckel.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return meta if meta.get("key") == self.key and (self.folder / "site").is_dir() else None

    def lookup(self, with_word: bool) -> str | None:
        """The check's messages of the stored build if it can stand for this one, else None."""
        meta = self._meta()
        if meta is None or (with_word and not meta.get("word")):
            return None
        return meta["messages"]

    def restore(self, dest: Path, with_word: bool) -> None:
        """The stored site into dest (an empty folder); the outputs' folders only with with_word."""
        shutil.copytree(self.folder / "site", dest, copy_function=_link, symlinks=True, dirs_exist_ok=True)
        for name in _output_folders() if with_word else ():
            if (self.folder / "utdata" / name).is_dir():
                link_or_copy_tree(self.folder / "utdata" / name, dest / name)

    def store(self, site: Path, messages: str, with_word: bool) -> None:
        """Keep the new site (hard links) for the next build; the previous memo is replaced."""
        self.folder.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".bygge-", dir=self.folder.parent))
        try:
            folders = _output_folders()
            shutil.copytree(site, tmp / "site", ignore=lambda d, names: folders if Path(d) == site else [],
                            copy_function=_link, symlinks=True)
            for name in folders if with_word else ():
                if (site / name).is_dir():
                    link_or_copy_tree(site / name, tmp / "utdata" / name)
            (tmp / "nyckel.json").write_text(json.dumps({"key": self.key, "word": with_word, "messages": messages}),
                                             encoding="utf-8")
            old = self.folder.with_name(f".gammal-{os.getpid()}")
            if self.folder.exists():
                os.replace(self.folder, old)
            os.replace(tmp, self.folder)
            shutil.rmtree(old, ignore_errors=True)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


def _output_folders() -> list[str]:
    """The site folders the registered outputs write (styrdok.publish): word, pdf …"""
    from ..publish import outputs
    return [o.folder for o in outputs()]


def _link(src: str, dst: str) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)

