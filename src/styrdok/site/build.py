"""Build the site (and Word files) into a temporary folder; replace site/ only when all passed."""
from __future__ import annotations

import logging
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from ..outputfiles import make_servable, remove_stale_temps, temp_prefix


class BuildError(Exception):
    """The site build failed; site/ was left as it was."""


class _Collect(logging.Handler):
    """MkDocs' warnings and errors of one build, for the message if it fails."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(f"{record.levelname}: {record.getMessage()}")


def run_mkdocs(root: Path, out_dir: Path, handbook=None, search_feed=None) -> None:
    """`mkdocs build --strict` of root into out_dir, in this process.

    In-process, a `handbook` loaded and checked already (by `styrdok build`) is handed to the site
    layer with the pages its check rendered: neither is done twice. A warning fails the build, as
    with --strict on the command line, and every warning and error is in the BuildError.
    search_feed: Pagefind's service, given each page as MkDocs writes it (search.pagefind.Feed).
    """
    from ..search.pagefind import SEARCH_COPIES
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from .adapter import prepare

    root = Path(root).resolve()
    logger = logging.getLogger("mkdocs")
    collect = _Collect()
    saved = logger.level, logger.propagate
    logger.addHandler(collect)
    logger.setLevel(logging.WARNING)
    logger.propagate = False            # not printed: reported in the BuildError, or not at all
    cwd = os.getcwd()
    try:
        os.chdir(root)
        if handbook is not None:
            prepare(root, handbook)
        SEARCH_COPIES["feed"] = search_feed
        config = load_config(config_file=str(root / "mkdocs.yml"), site_dir=str(out_dir), strict=True)
        config.plugins.on_startup(command="build", dirty=False)
        try:
            build(config)
        finally:
            config.plugins.on_shutdown()
    except (Exception, SystemExit) as exc:        # mkdocs-macros exits on a failing macro
        details = "\n".join(dict.fromkeys([*collect.lines, str(exc)]))
        raise BuildError("MkDocs kunde inte bygga webbplatsen (--strict). Meddelanden från MkDocs:\n"
                         + details) from None
    finally:
        prepare(root, None)
        SEARCH_COPIES["feed"] = None
        os.chdir(cwd)
        logger.removeHandler(collect)
        logger.setLevel(saved[0])
        logger.propagate = saved[1]


def replace_dir(new: Path, target: Path, remove_later: bool = False) -> None:
    """Move new into place as target; the old target is removed only after the swap.

    remove_later: the old target is moved into the project's .cache/borttaget/ and removed there by
    a process of its own at low priority, which this one does not wait for (a whole site/ is
    thousands of files: seconds of waiting on the disk, little CPU). Out of the project's own
    folders at once, so a copy of the project made right after the build does not meet it half
    removed; what a stopped removal left there goes with the next one."""
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}-gammal-{os.getpid()}")
        os.replace(target, old)
    os.replace(new, target)
    if old is None:
        return
    if remove_later and _remove_in_background(old, target.parent / ".cache"):
        return
    shutil.rmtree(old, ignore_errors=True)


def _remove_in_background(folder: Path, cache: Path) -> bool:
    """folder moved into cache/borttaget/ and everything there removed by `rm -rf` at low
    priority, in a process that outlives this one (the shell that starts it exits at once);
    False if that could not be done (no .cache/ there, another file system, no rm)."""
    rm, nice = shutil.which("rm"), shutil.which("nice")
    if rm is None or os.name != "posix" or not cache.is_dir():
        return False
    trash = cache / "borttaget"
    try:
        trash.mkdir(exist_ok=True)
        os.replace(folder, trash / f"{folder.name.lstrip('.')}-{time.time_ns()}")
    except OSError:
        return False
    prefix = f'"{nice}" -n 15 ' if nice else ""
    command = prefix + f'"{rm}" -rf -- "$1"/* </dev/null >/dev/null 2>&1 &'
    try:
        subprocess.run(["/bin/sh", "-c", command, "sh", str(trash)], check=True, timeout=10,
                       stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError):
        pass                    # left in .cache/borttaget/ for the next build's removal
    return True


def _page_count(root: Path) -> int:
    """About how many pages the site has (its Markdown files): the number of parts of its search
    index (search.parts.part_count)."""
    count = 0
    for _folder, _dirs, files in os.walk(Path(root) / "docs"):
        count += sum(1 for name in files if name.endswith(".md"))
    return count


def build_site(root: Path, site_dir: Path, extra_steps=(), handbook=None, search: bool = False) -> None:
    """mkdocs build into a temp folder beside site_dir, run extra steps on it, then swap it in.

    The temporary folders of a build that was killed are removed first; the new site gets the
    modes the umask gives (a web server running as another user can read it). search: Pagefind,
    in its own process, reads each page's searchable part while MkDocs writes the pages and writes
    the index while the extra steps run; the swap waits for it, and its failure fails the build."""
    from ..search.pagefind import BUNDLE_DIR, SearchIndexError, start_feed, start_index
    site_dir = site_dir.resolve()
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temps(site_dir)
    tmp = Path(tempfile.mkdtemp(prefix=temp_prefix(site_dir, "bygge"), dir=site_dir.parent))
    indexing = feed = None
    try:
        if search:
            try:
                feed = start_feed(root, _page_count(root))
            except SearchIndexError as exc:
                raise BuildError(str(exc)) from None
        run_mkdocs(root, tmp, handbook, search_feed=feed)
        if feed is not None:
            try:
                if feed.pages:
                    indexing, feed = feed.finish(tmp / BUNDLE_DIR), None
                else:                       # hooks of an older site layer send no pages: the CLI
                    feed.abort()            # reads the whole pages
                    indexing = feed = None
                    indexing = start_index(tmp)
            except SearchIndexError as exc:
                raise BuildError(str(exc)) from None
        for step in extra_steps:
            step(tmp)
        if indexing is not None:
            try:
                indexing.wait()
            except SearchIndexError as exc:
                raise BuildError(str(exc)) from None
            finally:
                indexing = None
        make_servable(tmp)
        replace_dir(tmp, site_dir, remove_later=True)
    finally:
        for running in (indexing, feed):
            if running is not None:
                running.abort()
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
