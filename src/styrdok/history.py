"""Git history of the handbook's sources: revisions per file, recent changes, decision tags.

The whole history is read with ONE ``git log`` process (``-z --name-status -M``) and walked
from newest to oldest, following renames backwards so that each file that exists now gets
the commits it had under earlier names.

Choices worth knowing:

* Keys of ``RepoHistory.by_path`` are the files that exist in ``HEAD`` (within the
  pathspecs), relative to ``repo_root`` as posix paths. Deleted files are not keys.
* A file's history starts at the commit that most recently *created* it (status ``A``),
  under whatever name it had then. If a path was deleted and later added again, the
  current file's history begins at the re-adding commit; the earlier life of that path is
  not included (it may also have been renamed away to another file, which then owns it).
* Renames are detected by git's default similarity (``-M``, 50 %). A rename combined with a
  large rewrite shows as delete + add, and the history then starts at the add.
  Renames into the pathspecs from outside them show as adds.
* Merge commits carry no file list (no ``-m``/``--cc``), so they never appear as a
  file's revision; the commits on the merged branch do.
* "Not a git repository" and "git is not installed" give an empty history rather than an
  error; the caller decides what to do. Other git failures raise ``HistoryError``.
* ``repo_root`` may be a subfolder of the git work tree: git runs there with
  ``--relative``, so paths are relative to ``repo_root``.
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from types import MappingProxyType
from typing import Mapping, Sequence

from . import gitcmd
from .gitcmd import GitMissing as _GitMissing, run as _git

__all__ = [
    "HistoryError",
    "Revision",
    "RepoHistory",
    "read_history",
    "is_git_repo",
    "file_at_ref",
    "last_tag_for",
]

# Start of each commit header in the log output; fields inside a header are split by US.
_RS = "\x1e"
_US = "\x1f"
_LOG_FORMAT = "%x1e%h%x1f%H%x1f%ad%x1f%an%x1f%s"


class HistoryError(Exception):
    """A git question that cannot be answered; the message is Swedish and says what to do."""


@dataclass(frozen=True)
class Revision:
    date: datetime.date        # author date (short)
    author: str
    message: str               # commit subject
    commit: str                # short hash
    path: str                  # the file's path at that commit (relative to repo_root, posix)
    commit_id: str = field(default="", compare=False, repr=False)   # full hash: stays the same as the repository grows


@dataclass(frozen=True)
class RepoHistory:
    shallow: bool = False
    by_path: Mapping[str, tuple[Revision, ...]] = field(default_factory=lambda: MappingProxyType({}))
    recent: tuple[Revision, ...] = ()


def _decode(data: bytes) -> str:
    # surrogateescape keeps non-UTF-8 file names round-trippable, like os.fsdecode on POSIX.
    return data.decode("utf-8", errors="surrogateescape")


_stderr = gitcmd.stderr_of


def log_command(pathspecs: Sequence[str]) -> list[str]:
    """The git log arguments read_history uses (after ``git -c ...``); shared with the benchmark."""
    return [
        "log", "-z", "--name-status", "-M", "--relative", "--date-order",
        "--no-show-signature", "--no-color", "--no-ext-diff", "--no-textconv",
        "--encoding=UTF-8", f"--format={_LOG_FORMAT}", "--date=short", "--", *pathspecs,
    ]


def is_git_repo(path: Path | str) -> bool:
    """True if ``path`` is inside a git work tree (and git is installed)."""
    if gitcmd.outside_any_repository(path):
        return False
    try:
        proc = _git(path, "rev-parse", "--is-inside-work-tree")
    except _GitMissing:
        return False
    return proc.returncode == 0 and proc.stdout.strip() == b"true"


def _is_shallow(repo_root: Path) -> bool:
    proc = _git(repo_root, "rev-parse", "--is-shallow-repository")
    return proc.returncode == 0 and proc.stdout.strip() == b"true"


def _head(repo_root: Path) -> str | None:
    """The commit id of HEAD, or None in a repository without commits."""
    proc = _git(repo_root, "rev-parse", "--verify", "--quiet", "HEAD^{commit}")
    return proc.stdout.strip().decode("ascii") if proc.returncode == 0 else None


# The last history read, by everything it depends on (the files and revisions of one commit).
# `mkdocs serve` rebuilds after every save; the history changes only with a commit.
_LAST: dict[tuple, RepoHistory] = {}


def _current_files(repo_root: Path, pathspecs: Sequence[str]) -> set[str]:
    proc = _git(repo_root, "ls-tree", "-r", "-z", "--name-only", "HEAD", "--", *pathspecs)
    if proc.returncode != 0:
        raise HistoryError(f"Kunde inte läsa filerna i HEAD med git ls-tree: {_stderr(proc)}")
    return {p for p in _decode(proc.stdout).split("\0") if p}


def _parse_log(out: str):
    """Yield (commit, full commit id, date, author, subject, changes) per commit, newest first.

    ``changes`` is a list of (status letter, old path or None, new path). The stream is
    ``RS header NUL`` then ``[LF] status NUL path NUL [path NUL]`` per changed file; paths are
    consumed by count, so no file name or subject can be mistaken for a status.
    """
    tokens = out.split("\0")
    i, n = 0, len(tokens)
    current = None
    while i < n:
        tok = tokens[i].lstrip("\n")
        i += 1
        if not tok:
            continue
        if tok[0] == _RS:
            if current is not None:
                yield current
            parts = tok[1:].split(_US, 4)
            while len(parts) < 5:
                parts.append("")
            commit, full, date, author, subject = parts
            current = (commit, full, datetime.date.fromisoformat(date), author, subject, [])
            continue
        if current is None:  # pragma: no cover - git always starts with a header
            raise HistoryError("Oväntad utdata från git log (ändring före första commit).")
        letter = tok[0]
        if letter in "RC":
            old, new = tokens[i], tokens[i + 1]
            i += 2
            current[5].append((letter, old, new))
        else:
            current[5].append((letter, None, tokens[i]))
            i += 1
    if current is not None:
        yield current


def read_history(repo_root: Path, pathspecs: Sequence[str] = ("docs", "data"),
                 recent_limit: int = 50) -> RepoHistory:
    """History of every current file under ``pathspecs`` (relative to ``repo_root``).

    Returns an empty history when ``repo_root`` is not in a git work tree, git is missing,
    or the repository has no commits yet.
    """
    repo_root = Path(repo_root)
    pathspecs = [PurePath(p).as_posix() if not isinstance(p, str) else p for p in pathspecs]
    try:
        if not is_git_repo(repo_root):
            return RepoHistory()
        shallow = _is_shallow(repo_root)
        head = _head(repo_root)
        if head is None:
            return RepoHistory(shallow=shallow)
        memo_key = (str(repo_root.resolve()), head, shallow, tuple(pathspecs), recent_limit)
        if memo_key in _LAST:
            return _LAST[memo_key]
        current = _current_files(repo_root, pathspecs)
        proc = _git(repo_root, *log_command(pathspecs))
    except _GitMissing:
        return RepoHistory()
    if proc.returncode != 0:
        raise HistoryError(f"git log misslyckades i {repo_root}: {_stderr(proc)}")

    # live: path as it was named at the point of the walk -> current path (the key).
    live: dict[str, str] = {p: p for p in current}
    revs: dict[str, list[Revision]] = {p: [] for p in current}
    recent: list[Revision] = []
    limit = max(0, recent_limit)

    for commit, full, date, author, subject, changes in _parse_log(_decode(proc.stdout)):
        # Look every change up in the names as they were *after* this commit, then apply
        # the renames together, so that swapped names (a->b and b->a) resolve correctly.
        gone: list[str] = []
        earlier: dict[str, str] = {}
        for letter, old, new in changes:
            if len(recent) < limit:
                recent.append(Revision(date, author, subject, commit, new, full))
            key = live.get(new)
            if key is None or letter == "D":
                # Not (an earlier name of) a current file: deleted since, or an earlier
                # life of a path that was created again later. A "D" of a tracked name can
                # only come from unusual merge histories; it is not part of the file's life.
                continue
            revs[key].append(Revision(date, author, subject, commit, new, full))
            if letter in "RAC":
                # R: before this commit the file had the old name. A/C: the current file
                # was created here; older entries for this path belong to other files.
                gone.append(new)
                if letter == "R":
                    earlier[old] = key
        for p in gone:
            live.pop(p, None)
        live.update(earlier)

    by_path = MappingProxyType({p: tuple(r) for p, r in sorted(revs.items())})
    history = RepoHistory(shallow=shallow, by_path=by_path, recent=tuple(recent))
    _LAST.clear()
    _LAST[memo_key] = history
    return history


def _resolve_commit(repo_root: Path, ref: str) -> str:
    missing = (f"Referensen '{ref}' finns inte i git-historiken. Ange en tagg, gren eller "
               "commit som finns (se `git tag` och `git log`).")
    if not ref or ref.startswith("-"):
        raise HistoryError(missing)
    proc = _git(repo_root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    if proc.returncode != 0:
        raise HistoryError(missing)
    return proc.stdout.decode("ascii").strip()


def _require_repo(repo_root: Path) -> None:
    if not is_git_repo(repo_root):
        raise HistoryError(
            f"Mappen {repo_root} är inte ett git-arkiv (eller git är inte installerat), så "
            "tidigare versioner kan inte läsas. Kör kommandot i en klon av handbokens arkiv.")


def file_at_ref(repo_root: Path, ref: str, path: str | PurePath) -> str:
    """Text of ``path`` (relative to ``repo_root``) as it was at git ``ref``.

    Raises HistoryError (Swedish message) if the ref does not exist, the path did not
    exist at that ref, or the file is not UTF-8 text. Renames are not followed.
    """
    repo_root = Path(repo_root)
    rel = PurePath(path).as_posix() if not isinstance(path, str) else path.replace("\\", "/")
    rel = rel.lstrip("/")
    try:
        _require_repo(repo_root)
        sha = _resolve_commit(repo_root, ref)
        # "./" makes the path relative to repo_root even when it is a subfolder of the work tree.
        spec = f"{sha}:./{rel}"
        kind = _git(repo_root, "cat-file", "-t", spec)
        if kind.returncode != 0:
            raise HistoryError(
                f"Filen '{rel}' fanns inte i versionen '{ref}'. Kontrollera sökvägen, eller om "
                f"filen hade ett annat namn då (se `git log --follow -- \"{rel}\"`).")
        if kind.stdout.strip() != b"blob":
            raise HistoryError(f"'{rel}' är en mapp i versionen '{ref}', inte en fil. Ange en fil.")
        proc = _git(repo_root, "cat-file", "blob", spec)
    except _GitMissing as exc:
        raise HistoryError("Programmet git hittades inte. Installera git och försök igen.") from exc
    if proc.returncode != 0:
        raise HistoryError(f"Kunde inte läsa '{rel}' i versionen '{ref}': {_stderr(proc)}")
    try:
        return proc.stdout.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise HistoryError(
            f"Filen '{rel}' i versionen '{ref}' är inte text i UTF-8 och kan inte jämföras.") from exc


def last_tag_for(repo_root: Path, pattern: str) -> str | None:
    """Newest annotated tag whose name matches the glob ``pattern``, by tag creation date.

    ``*`` also matches ``/`` (as in ``git tag -l``), so ``beslut/<docid>/*`` finds
    ``beslut/<docid>/2024-05-01``. Lightweight tags are ignored. Ties on the creation date
    (same second) go to the greatest tag name. None if there is no such tag or no repo.
    """
    try:
        if not is_git_repo(repo_root):
            return None
        proc = _git(repo_root, "tag", "--list", "--sort=-refname", "--sort=-creatordate",
                    "--format=%(objecttype)%00%(refname:strip=2)", "--", pattern)
    except _GitMissing:
        return None
    if proc.returncode != 0:
        raise HistoryError(f"git tag misslyckades i {repo_root}: {_stderr(proc)}")
    for line in _decode(proc.stdout).splitlines():
        kind, _, name = line.partition("\0")
        if kind == "tag" and name:
            return name
    return None
