"""Benchmark for styrdok.history.read_history (not a test).

Builds a synthetic repository with `git fast-import` (seconds, not thousands of `git commit`
processes): N files under docs/ and data/ (some with Swedish names and spaces), M commits
that edit 1-4 files each, with renames, rename+edit, delete+add, and commits outside the
pathspecs. Then times read_history (median of 3) against the bare `git log` it runs,
writing to /dev/null (same arguments), and prints the ratio. Goal: read_history <= 5 s.

    .venv/bin/python bench/bench_history.py [--files 2000] [--commits 10000] [--keep DIR]
"""
from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from styrdok import history as history_module  # noqa: E402
from styrdok.history import log_command, read_history  # noqa: E402

GOAL_SECONDS = 5.0
SECTIONS = ["Äldreomsorg", "individ och familj", "LSS", "försörjningsstöd", "Hemtjänst",
            "missbruk och beroende", "ekonomi", "Särskilt boende"]
WORDS = ["rutin", "riktlinje", "ansökan", "beslut", "utredning", "uppföljning", "åtgärd",
         "insats", "ärende", "delegation", "övergripande", "samverkan"]


def quote(path: str) -> bytes:
    """C-style quoted path for fast-import (safe for spaces and å/ä/ö)."""
    raw = path.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return b'"' + raw.encode("utf-8") + b'"'


def blob(text: str) -> bytes:
    data = text.encode("utf-8")
    return b"data %d\n%s\n" % (len(data), data)


class Generator:
    def __init__(self, files: int, seed: int):
        self.rng = random.Random(seed)
        self.serial = 0
        self.content: dict[str, str] = {}
        for _ in range(files):
            self.content[self.new_name()] = self.initial_text()

    def new_name(self) -> str:
        self.serial += 1
        r = self.rng
        word = r.choice(WORDS)
        if r.random() < 0.2:
            return f"data/{word}-{self.serial}.yml"
        section = r.choice(SECTIONS)
        sep = " " if r.random() < 0.3 else "-"
        return f"docs/{section}/{word}{sep}{self.serial}.md"

    def initial_text(self) -> str:
        r = self.rng
        lines = [f"# {r.choice(WORDS).capitalize()} {self.serial}", ""]
        lines += [" ".join(r.choice(WORDS) for _ in range(10)) for _ in range(r.randint(5, 15))]
        return "\n".join(lines) + "\n"

    def stream(self, commits: int) -> bytes:
        r = self.rng
        out = bytearray()
        t0 = 1420070400  # 2015-01-01
        names = list(self.content)

        def header(i: int, msg: str) -> None:
            ts = t0 + i * 3600
            author = r.choice(["Åsa Öberg", "Bo Ek", "Karin Lind", "Örjan Ström"])
            out.extend(b"commit refs/heads/main\nmark :%d\n" % (i + 1))
            out.extend(f"author {author} <x@kommun.example> {ts} +0100\n".encode())
            out.extend(f"committer {author} <x@kommun.example> {ts} +0100\n".encode())
            out.extend(blob(msg))
            if i:
                out.extend(b"from :%d\n" % i)

        header(0, "Första versionen av handboken")
        for name in names:
            out.extend(b"M 100644 inline " + quote(name) + b"\n" + blob(self.content[name]))
        for i in range(1, commits):
            p = r.random()
            if p < 0.03:  # rename, sometimes with an edit (R0xx)
                old = r.choice(names)
                new = self.new_name()
                header(i, f"Byt namn: {old} -> {new}")
                out.extend(b"R " + quote(old) + b" " + quote(new) + b"\n")
                self.content[new] = self.content.pop(old)
                names[names.index(old)] = new
                if r.random() < 0.5:
                    self.content[new] += f"Tillägg vid namnbyte {i}.\n"
                    out.extend(b"M 100644 inline " + quote(new) + b"\n" + blob(self.content[new]))
            elif p < 0.04:  # delete one file, add another
                old = r.choice(names)
                new = self.new_name()
                header(i, f"Ersätt {old}")
                out.extend(b"D " + quote(old) + b"\n")
                del self.content[old]
                names[names.index(old)] = new
                self.content[new] = self.initial_text()
                out.extend(b"M 100644 inline " + quote(new) + b"\n" + blob(self.content[new]))
            elif p < 0.09:  # outside the pathspecs
                header(i, f"Ändra verktyg {i}")
                out.extend(b"M 100644 inline " + quote("src/verktyg.py") + b"\n" + blob(f"X = {i}\n"))
            else:
                touched = r.sample(names, r.randint(1, 4))
                header(i, f"Uppdatera {len(touched)} filer ({i})")
                for name in touched:
                    self.content[name] += f"Ändring {i}: {r.choice(WORDS)} {r.choice(WORDS)}.\n"
                    out.extend(b"M 100644 inline " + quote(name) + b"\n" + blob(self.content[name]))
        out.extend(b"done\n")
        return bytes(out)


def git(root: Path, *args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=root, check=True, **kw)


def build_repo(root: Path, files: int, commits: int, seed: int) -> Generator:
    root.mkdir(parents=True, exist_ok=True)
    git(root, "init", "-q", "-b", "main")
    gen = Generator(files, seed)
    data = gen.stream(commits)
    git(root, "fast-import", "--quiet", "--done", input=data)
    git(root, "reset", "-q", "--hard", "main")
    return gen


def timed(fn, runs: int = 3) -> tuple[float, list[float]]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), times


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--files", type=int, default=2000)
    ap.add_argument("--commits", type=int, default=10000)
    ap.add_argument("--keep", type=Path, help="build the repository here and keep it")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)

    tmp = None
    if args.keep:
        root = args.keep
        if root.exists() and any(root.iterdir()):
            ap.error(f"{root} finns redan och är inte tom")
    else:
        tmp = tempfile.mkdtemp(prefix="bench-history-")
        root = Path(tmp) / "repo"
    try:
        start = time.perf_counter()
        gen = build_repo(root, args.files, args.commits, args.seed)
        build_s = time.perf_counter() - start
        expected = {p for p in gen.content}
        print(f"repo: {root}  ({args.files} filer, {args.commits} commits, byggt på {build_s:.1f} s)")

        cmd = ["git", "-c", "core.quotepath=false", "-c", "color.ui=false", *log_command(["docs", "data"])]
        with open(os.devnull, "wb") as null:
            base, base_runs = timed(lambda: subprocess.run(cmd, cwd=root, stdout=null, check=True))
        result = {}
        def read_fresh():
            history_module._LAST.clear()       # the read itself, not the per-commit memo of mkdocs serve
            result["h"] = read_history(root)

        hist, hist_runs = timed(read_fresh)
        h = result["h"]

        # Sanity: keys are exactly the current files; counts of a few renamed files match git --follow.
        assert set(h.by_path) == expected, "fel uppsättning filer"
        renamed = [p for p, revs in h.by_path.items() if len({r.path for r in revs}) > 1]
        for path in random.Random(2).sample(renamed, min(5, len(renamed))):
            follow = subprocess.run(["git", "log", "--follow", "--format=%h", "--", path], cwd=root,
                                    capture_output=True, text=True, check=True).stdout.split()
            assert [r.commit for r in h.by_path[path]] == follow, path
        revisions = sum(len(v) for v in h.by_path.values())

        print(f"filer med historik: {len(h.by_path)}, revisioner: {revisions}, "
              f"filer med namnbyte: {len(renamed)}, recent: {len(h.recent)}")
        print(f"git log > /dev/null (baslinje): median {base:.2f} s  {[round(t, 2) for t in base_runs]}")
        print(f"read_history:                   median {hist:.2f} s  {[round(t, 2) for t in hist_runs]}")
        print(f"kvot read_history / git log:    {hist / base:.2f}")
        ok = hist <= GOAL_SECONDS
        print(f"mål <= {GOAL_SECONDS:.0f} s: {'OK' if ok else 'MISSAT'}")
        return 0 if ok else 1
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
