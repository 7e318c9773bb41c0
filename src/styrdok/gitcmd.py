"""The one way styrdok runs git: the same command line, environment and failure handling everywhere.

`run` returns git's CompletedProcess (bytes) and raises `GitMissing` when git is not installed;
`run_text` raises `GitError` with git's own message when git fails. `unavailable` says in Swedish
why the history cannot be read here (git missing, not a repository, git failing), or None when it
can: callers turn that into a varning instead of showing an empty history without a word.
"""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

# Variables that would point git at another repository than the handbook's (they are set, for
# example, while a git hook runs). They are removed for every git process started here.
_REPO_ENV = (
    "GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_COMMON_DIR", "GIT_NAMESPACE", "GIT_PREFIX",
)

MISSING = ("git saknas – historiken visas inte (revisionshistorik, Nyligen ändrat, beslutade versioner). "
           "Installera git (t.ex. 'apt install git') och kör kommandot igen.")


class GitMissing(Exception):
    """git is not installed (or the folder to run it in does not exist)."""


class GitError(Exception):
    """git ran and failed; the message is Swedish and ends with git's own words."""


def git_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _REPO_ENV}
    env["GIT_TERMINAL_PROMPT"] = "0"
    env["GIT_OPTIONAL_LOCKS"] = "0"
    return env


def run(root: Path | str, *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    """Run git in root; output as bytes. Raises GitMissing if git is not installed."""
    cmd = ["git", "-c", "core.quotepath=false", "-c", "color.ui=false", *args]
    try:
        return subprocess.run(cmd, cwd=str(root), capture_output=True, env=git_env(),
                              input=stdin, stdin=None if stdin is not None else subprocess.DEVNULL)
    except (FileNotFoundError, NotADirectoryError) as exc:
        # FileNotFoundError is also raised when cwd does not exist; both mean "no history here".
        raise GitMissing(str(exc)) from exc


def stderr_of(proc: subprocess.CompletedProcess[bytes]) -> str:
    return proc.stderr.decode("utf-8", errors="replace").strip()


def run_text(root: Path | str, *args: str) -> str:
    """git's standard output as text; GitError (with git's message) when git fails or is missing."""
    try:
        proc = run(root, *args)
    except GitMissing:
        raise GitError(MISSING) from None
    if proc.returncode != 0:
        raise GitError(f"git {' '.join(args[:2])} misslyckades: {stderr_of(proc) or f'felkod {proc.returncode}'}")
    return proc.stdout.decode("utf-8", errors="surrogateescape")


def outside_any_repository(root: Path | str) -> bool:
    """True when root is a folder with no `.git` in it or above it: git (run without the variables that
    point it elsewhere, see _REPO_ENV) finds no work tree there, so it need not be started to say so."""
    folder = Path(root).absolute()
    if not folder.is_dir():
        return False
    return not any(os.path.lexists(os.path.join(p, ".git")) for p in (folder, *folder.parents))


def state(root: Path | str) -> tuple[str, str | None]:
    """("ok", None), or ("saknas" | "inget-forrad" | "fel", why in Swedish) when git cannot answer
    questions about root: git not installed, root not in a repository, or git failing there."""
    if outside_any_repository(root) and shutil.which("git"):
        return "inget-forrad", _not_a_repository(root)
    try:
        proc = run(root, "rev-parse", "--is-inside-work-tree")
    except GitMissing:
        return "saknas", MISSING
    if proc.returncode == 0 and proc.stdout.strip() == b"true":
        return "ok", None
    message = stderr_of(proc)
    if proc.returncode == 0 or "not a git repository" in message:
        return "inget-forrad", _not_a_repository(root)
    return "fel", f"git fungerar inte här: {message.splitlines()[0] if message else f'felkod {proc.returncode}'}"


def _not_a_repository(root: Path | str) -> str:
    return (f"mappen {root} är inte ett git-förråd, så historik och beslutade versioner kan inte läsas. "
            "Arbeta i en klon av handbokens förråd.")


def unavailable(root: Path | str) -> str | None:
    """Why git cannot answer questions about root (Swedish), or None when it can."""
    return state(root)[1]
