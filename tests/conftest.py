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
            shutil.copytree(src, dest / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(src, dest / name)
    css = REPO / "docs" / "assets" / "styrdok.css"
    (dest / "docs" / "assets").mkdir(parents=True, exist_ok=True)
    shutil.copy2(css, dest / "docs" / "assets" / "styrdok.css")
    return dest


def copy_built(built: Path, dest: Path) -> Path:
    """A copy of a built handbook to change: its sources and caches copied, its site/ hard-linked
    (styrdok.outputfiles.link_or_copy_tree: published files are replaced, never rewritten in place; the
    build links unchanged outputs into the next site the same way). Ten times cheaper than a copy of
    the site's 10 MB for the tests that copy mini_built once per case."""
    from styrdok.outputfiles import link_or_copy_tree
    def ignore(folder, names):
        if Path(folder) == built:
            return ["site"]
        # an earlier site/ a build is removing in the background (styrdok.site.build.replace_dir)
        return ["borttaget"] if Path(folder) == built / ".cache" else []
    shutil.copytree(built, dest, symlinks=True, ignore=ignore)
    if (built / "site").is_dir():
        link_or_copy_tree(built / "site", dest / "site")
    return dest


# STYRDOK_TEST_PROCESSER=1 runs every command of the tests in a process of its own (slower; the same
# results are expected). Some tests run the process path always (run_cli_process).
ALL_AS_PROCESSES = os.environ.get("STYRDOK_TEST_PROCESSER") == "1"
# Commands that start Playwright themselves: its sync API cannot run in a process where the tests'
# shared browser (tests/browser.py) already runs Playwright.
AS_PROCESS = {"tillganglighet"}


def run_cli_process(root: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """`python -m styrdok --root ROOT ARGS…` in a process of its own, from ROOT, as a person runs it."""
    return subprocess.run([sys.executable, "-m", "styrdok", "--root", str(root), *args],
                          capture_output=True, text=True, cwd=root, env={**os.environ, **(env or {})})


def run_cli(root: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """`styrdok --root ROOT ARGS…` through the console script's entry point (styrdok.cli.main) in this
    process, from ROOT with env added to the environment: its exit code, stdout and stderr, as the
    process gives them (an uncaught exception is a traceback and exit code 1). A build costs a
    third of the CPU time of a new interpreter importing MkDocs, pandoc's wrapper and the theme.
    Each test starts from its own folder, so what one command leaves in memory (what `mkdocs serve`
    keeps between rebuilds) meets another folder in the next."""
    if ALL_AS_PROCESSES or AS_PROCESS & set(args):
        return run_cli_process(root, *args, env=env)
    import contextlib
    import io
    import traceback
    from styrdok.cli import main
    argv = ["--root", str(root), *args]
    out, err = io.StringIO(), io.StringIO()
    saved_env, cwd = dict(os.environ), os.getcwd()
    # No forked page helper (styrdok.site.pagecache) inside the test process: it would fork pytest, and
    # the tests already keep every core busy (pytest -n auto). tests/test_build_cache.py runs the helper.
    os.environ.setdefault("STYRDOK_JOBS", "1")
    os.environ.update(env or {})
    try:
        os.chdir(root)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(argv)
            except SystemExit as exc:                  # argparse: usage errors exit with 2
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
                if isinstance(exc.code, str):
                    print(exc.code, file=sys.stderr)
            except Exception:
                traceback.print_exc()
                code = 1
    finally:
        os.chdir(cwd)
        os.environ.clear()
        os.environ.update(saved_env)
    return subprocess.CompletedProcess(["styrdok", *argv], code or 0, out.getvalue(), err.getvalue())


GOLDEN = REPO / "tests" / "golden"


# A handbook's .gitignore as `styrdok init` writes it: the build's output and caches, and the bytecode
# Python writes beside the handbook's own hooks (overrides/hooks/) when MkDocs loads them.
HANDBOOK_GITIGNORE = (REPO / "templates" / "init" / "gitignore.j2").read_text(encoding="utf-8")


def git_handbook(root: Path, ignore: str = HANDBOOK_GITIGNORE) -> Path:
    """root as a git repository (branch main) with everything committed by Sara SAS as "Första versionen"."""
    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True)
    git("init", "-q", "-b", "main")
    git("config", "user.name", "Sara SAS")
    git("config", "user.email", "sas@testby.se")
    (root / ".gitignore").write_text(ignore, encoding="utf-8")
    git("add", "-A")
    git("commit", "-q", "-m", "Första versionen")
    return root


def assert_golden(name: str, text: str) -> None:
    """text must equal tests/golden/<name>. The file changes only on purpose: STYRDOK_GOLDEN=uppdatera
    rewrites it (then read the diff before committing it); a missing file is a failure, not created."""
    golden = GOLDEN / name
    if os.environ.get("STYRDOK_GOLDEN") == "uppdatera":
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(text, encoding="utf-8")
    assert golden.is_file(), f"{golden} saknas: skapa den med STYRDOK_GOLDEN=uppdatera och granska den"
    expected = golden.read_text(encoding="utf-8")
    if text != expected:
        import difflib
        diff = "".join(difflib.unified_diff(expected.splitlines(True), text.splitlines(True),
                                            f"tests/golden/{name}", "nu", n=1))
        pytest.fail(f"Texten skiljer sig från tests/golden/{name}. Är ändringen avsedd: kör med "
                    f"STYRDOK_GOLDEN=uppdatera och granska diffen.\n{diff}", pytrace=False)


def tree_digest(folder: Path) -> str:
    """One hash over every file's path and bytes: equal digests mean byte-for-byte equal trees."""
    h = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            h.update(path.relative_to(folder).as_posix().encode() + b"\0")
            h.update(_file_digest(path))
    return h.hexdigest()


# A file's hash, kept for its inode as long as its size and modification time stay the same: a
# copy_built site is hard links to the built one (the same inodes), so the tests that take the digest
# of such a copy before and after a command hash the 10 MB of the mini site once per run, not twice per
# test. Any write to a file changes its modification time (a replaced file is another inode).
_DIGESTS: dict[tuple[int, int, int, int], bytes] = {}


def _file_digest(path: Path) -> bytes:
    st = path.stat()
    key = (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)
    digest = _DIGESTS.get(key)
    if digest is None:
        digest = _DIGESTS[key] = hashlib.sha256(path.read_bytes()).digest()
    return digest


def pytest_configure(config):
    """One day for the whole run: what a build says about dates (overdue revisions, "Försenad 3 dagar")
    must not change between the example built before midnight and a build compared with it after.
    The controller sets it before pytest-xdist starts the workers, which inherit it; a test that needs
    another day sets STYRDOK_IDAG itself."""
    import datetime as dt
    os.environ.setdefault("STYRDOK_IDAG", dt.date.today().isoformat())
    # The user's cache (the LibreOffice profile styrdok.pdf keeps) for this run only: the tests' own
    # soffice in front of the real one would each leave a profile in ~/.cache/styrdok.
    if "STYRDOK_CACHE" not in os.environ and not hasattr(config, "workerinput"):
        import tempfile
        os.environ["STYRDOK_CACHE"] = _RUN_CACHE["folder"] = tempfile.mkdtemp(prefix="styrdok-testcache-")
    if not hasattr(config, "workerinput"):
        _remove_old_runs_in_background(config)


def _remove_old_runs_in_background(config) -> None:
    """pytest keeps the temporary folders of the last runs (tmp_path_retention_count, 3) and removes an
    older one when a run ends, in the main process, one file at a time: a whole run of these tests
    leaves some 120,000 files (handbooks, their sites and Word files), and removing them added 13 s
    (5 s of CPU, the rest waiting on the disk) to the end of every run once three were kept. Here the
    folders pytest would remove are moved aside as the run starts and removed by a process of their
    own at the lowest CPU and disk priority while the tests run. A folder with a lock (a run still
    going, or one that crashed) is left to pytest. A folder given with --basetemp is not touched."""
    if config.option.basetemp:
        return
    import getpass
    import tempfile
    root = Path(os.environ.get("PYTEST_DEBUG_TEMPROOT") or tempfile.gettempdir()).resolve()
    try:
        root = root / f"pytest-of-{getpass.getuser()}"
    except (ImportError, KeyError, OSError):
        return
    keep = int(config.getini("tmp_path_retention_count"))
    runs = sorted((p for p in root.glob("pytest-*") if p.name[7:].isdigit() and not (p / ".lock").exists()),
                  key=lambda p: int(p.name[7:]))
    old = runs[:max(0, len(runs) - (keep - 1))] if keep > 0 else runs
    moved = []
    for run in old:
        target = root / f"styrdok-borttaget-{run.name}-{os.getpid()}"
        try:
            run.rename(target)
        except OSError:
            continue
        moved.append(str(target))
    if moved:
        quiet = [*(["ionice", "-c3"] if shutil.which("ionice") else []),
                 *(["nice", "-n", "19"] if shutil.which("nice") else [])]
        subprocess.Popen([*quiet, "rm", "-rf", "--", *moved], start_new_session=True, stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


_RUN_CACHE: dict[str, str] = {}


def pytest_unconfigure(config):
    if "folder" in _RUN_CACHE:
        shutil.rmtree(_RUN_CACHE.pop("folder"), ignore_errors=True)
        os.environ.pop("STYRDOK_CACHE", None)


# Test order: under pytest-xdist's worksteal each worker first gets a contiguous share of the list (the
# first third, the second, the last), and a worker that runs out takes the end of another's share. So
# the list is made of one share per worker, each with about the same expected time and its longest tests
# first (a long test started late is what a run waits for). Expected time: what the test took in the
# last run here (kept in pytest's cache), else 30 s for a test marked langsam and 1 s for the others.
DURATIONS = "styrdok/durations"
LANGSAM_SECONDS, OTHER_SECONDS = 30.0, 1.0


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node):
    """pytest-xdist, before a worker starts: every worker orders by the same durations."""
    cache = getattr(node.config, "cache", None)
    node.workerinput["styrdok_durations"] = cache.get(DURATIONS, {}) if cache else {}


def pytest_collection_modifyitems(config, items):
    workerinput = getattr(config, "workerinput", None)
    cache = getattr(config, "cache", None)
    durations = workerinput["styrdok_durations"] if workerinput else (cache.get(DURATIONS, {}) if cache else {})
    workers = workerinput["workercount"] if workerinput else 1
    items[:] = ordered_for_workers(items, durations, workers)


def pytest_collection_finish(session):
    """What a test process holds once its tests are collected (pytest, the test modules, MkDocs, the
    theme, python-docx …) lives until it stops: moved out of the garbage collector's sight
    (gc.freeze), and the youngest generation collected every 10,000 new objects instead of 700. The
    two test processes of `make test` spent 4.4 s of CPU collecting garbage, now 2.5 s."""
    import gc
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 10, 10)


def _expected(item, durations: dict) -> float:
    if item.nodeid in durations:
        return durations[item.nodeid]
    return LANGSAM_SECONDS if item.get_closest_marker("langsam") is not None else OTHER_SECONDS


def _shares_a_module_fixture(item) -> bool:
    defs = getattr(item, "_fixtureinfo", None)
    return bool(defs) and any(d[-1].scope == "module" for d in defs.name2fixturedefs.values() if d)


def ordered_for_workers(items: list, durations: dict, workers: int) -> list:
    """items as `workers` consecutive shares of equal expected time (longest first within a share,
    but see _start_without_the_example). The tests of a module with a module-scoped fixture stay in one
    share (the fixture is made once)."""
    units: dict[str, list] = {}
    for item in items:
        key = item.module.__name__ if _shares_a_module_fixture(item) else item.nodeid
        units.setdefault(key, []).append(item)
    timed = sorted(((sum(_expected(i, durations) for i in unit), unit) for unit in units.values()),
                   key=lambda pair: -pair[0])
    sizes, left = [], len(items)                  # how many tests worksteal sends to each worker at first
    for k in range(workers):
        sizes.append(left // (workers - k))
        left -= sizes[-1]
    shares: list[list] = [[] for _ in range(workers)]
    totals, counts = [0.0] * workers, [0] * workers
    for seconds, unit in timed:
        room = [k for k in range(workers) if counts[k] + len(unit) <= sizes[k]] or range(workers)
        k = min(room, key=lambda k: totals[k])
        shares[k].append((seconds, unit))
        totals[k] += seconds
        counts[k] += len(unit)
    for share in shares[1:]:
        _start_without_the_example(share)
    return [item for share in shares for _, unit in share for item in unit]


def _start_without_the_example(share: list) -> None:
    """The first share's first test builds the example handbook (example_built, made once for the run);
    a share that began with a test needing it too would wait for that build with its core idle (12 s
    at the start of a run here). So every other share starts with its longest test that does without."""
    for k, (_, unit) in enumerate(share):
        if not any("example_built" in item.fixturenames for item in unit):
            share.insert(0, share.pop(k))
            return


def pytest_runtest_logreport(report):
    """Remember each test's time (setup, call and teardown) for the next run's order."""
    _TIMES[report.nodeid] = _TIMES.get(report.nodeid, 0.0) + report.duration


_TIMES: dict[str, float] = {}


def pytest_sessionfinish(session):
    if hasattr(session.config, "workerinput") or not _TIMES or getattr(session.config, "cache", None) is None:
        return
    durations = session.config.cache.get(DURATIONS, {})
    durations.update({nodeid: round(seconds, 2) for nodeid, seconds in _TIMES.items()})
    session.config.cache.set(DURATIONS, durations)


@pytest.fixture(scope="session", autouse=True)
def _shared_browser_stops_at_the_end():
    """tests/browser.py starts one Chromium per test process on first use; stopped here."""
    yield
    import browser
    browser.stop_shared_browser()


@pytest.fixture
def mini(tmp_path) -> Path:
    return copy_handbook(MINI, tmp_path / "handbok")


def made_once(tmp_path_factory, name: str, make) -> Path:
    """make(folder) -> path, called once for the whole test run: under pytest-xdist the first worker
    to ask makes it and the others wait for it and get the same path (pytest-xdist's documented pattern:
    a folder beside the workers' own temporary folders, and a lock). Tests read what it made; a test
    that changes it changes a copy. If make fails, the next worker to ask tries again (and fails the same
    way, with its own message)."""
    if os.environ.get("PYTEST_XDIST_WORKER") is None:
        return make(tmp_path_factory.mktemp(name))
    import fcntl
    folder = tmp_path_factory.getbasetemp().parent / f"en-gang-{name}"
    with open(f"{folder}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)             # released when the file closes
        done = folder / ".klar"
        if done.is_file():
            return Path(done.read_text(encoding="utf-8"))
        shutil.rmtree(folder, ignore_errors=True)    # what a failed attempt left
        folder.mkdir()
        result = make(folder)
        done.write_text(str(result), encoding="utf-8")
        return result


@pytest.fixture(scope="session")
def mini_built(tmp_path_factory) -> Path:
    """The small handbook, built once per test run (copy it before changing it)."""
    def make(folder: Path) -> Path:
        root = copy_handbook(MINI, folder / "handbok")
        proc = run_cli(root, "build")
        assert proc.returncode == 0, proc.stderr
        return root
    return made_once(tmp_path_factory, "mini", make)


@pytest.fixture(scope="session")
def example_built(tmp_path_factory) -> Path:
    """The example kommun's handbook (this repository's docs/ and data/), built once per test run, in git
    (copy it before changing it). Built without PDF files (`build --utan pdf`: LibreOffice making 42 PDFs
    was half the build's CPU): its pages link to them all the same, and tests/test_pdf.py reads PDFs of
    the mini handbook made by the build (every styrdokument and printed page)."""
    return made_once(tmp_path_factory, "exempel", _build_example)


def example_in_git(root: Path) -> Path:
    """The example kommun's handbook (docs/, data/ and the site layer) at root, in git with one
    commit "Exempel" (tests and bench/ build it from here)."""
    root.mkdir(parents=True)
    for name in ("docs", "data"):
        shutil.copytree(REPO / name, root / name)
    copy_handbook_layer(root)
    (root / ".gitignore").write_text(HANDBOOK_GITIGNORE, encoding="utf-8")
    for args in (["init", "-q", "-b", "main"], ["add", "-A"],
                 ["-c", "user.name=Test", "-c", "user.email=test@example.org", "commit", "-q", "-m", "Exempel"]):
        subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)
    return root


def _build_example(folder: Path) -> Path:
    root = example_in_git(folder / "handbok")
    proc = run_cli(root, "build", "--utan", "pdf")
    assert proc.returncode == 0, proc.stderr
    return root
