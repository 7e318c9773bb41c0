"""Benchmark (issue 14): `styrdok check` on a handbook whose documents are all decided, with and
without the comparison of each document with its rendering at its decision tag (not a test).

One generated handbook (bench/generate.py, with `{{ ansvar(…) }}` in some pages) is copied twice:
- *without*: no decision tags (the comparison finds nothing to compare: the baseline);
- *with*: every document tagged `beslut/<id>/<datum>`, spread over `--commits` commits (documents
  decided on different days: one tree load per commit when the cache is cold), then one page edited
  and one ansvar entry changed, so some documents are reported as changed.
Runs `styrdok check` as a user does, interleaving the two so both see the same machine load: the
first run with tags fills .cache/beslutat (cold); then `--repeat` warm runs of each. Prints median
wall seconds and the ratio with/without (goal for the warm cache: ≤ 1.2).

    .venv/bin/python bench/bench_decided.py [--docs 500] [--commits 20] [--repeat 3] [--keep DIR]
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent / "src"))
sys.path.insert(0, str(BENCH))

import generate  # noqa: E402

GOAL = 1.2
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "GIT_AUTHOR_NAME": "Bench", "GIT_AUTHOR_EMAIL": "b@x",
       "GIT_COMMITTER_NAME": "Bench", "GIT_COMMITTER_EMAIL": "b@x"}


def git(root: Path, *args: str, stdin: str | None = None) -> str:
    return subprocess.run(["git", *args], cwd=root, input=stdin, capture_output=True, text=True, check=True,
                          env=ENV).stdout


def check(root: Path) -> tuple[float, str]:
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "styrdok", "--root", str(root), "check"], capture_output=True,
                          text=True, env=ENV)
    return time.perf_counter() - start, proc.stderr


def decide_all(root: Path, commits: int) -> int:
    """Tag every document as decided, in `commits` groups (one empty commit per group, a day apart)."""
    from styrdok.load import load_handbook
    handbook, _ = load_handbook(root)
    ids = sorted(handbook.dokument)
    groups = [ids[i::commits] for i in range(commits)]
    lines = []
    for day, group in enumerate(groups, start=1):
        git(root, "commit", "-q", "--allow-empty", "-m", f"Beslut, grupp {day}")
        head = git(root, "rev-parse", "HEAD").strip()
        datum = f"2026-{1 + day // 28:02d}-{1 + day % 28:02d}"
        lines += [f"create refs/tags/beslut/{doc_id}/{datum} {head}" for doc_id in group]
    git(root, "update-ref", "--stdin", stdin="\n".join(lines) + "\n")
    return len(ids)


def change_some(root: Path) -> None:
    """One page edited and one ansvar duty reworded, committed."""
    ansvar = root / "data" / "ansvar.yml"
    text = ansvar.read_text(encoding="utf-8")
    marker = '\n      uppgift: "'          # the first real entry, not the commented example at the top
    i = text.index(marker) + len(marker)
    ansvar.write_text(text[:i] + "Ändrat: " + text[i:], encoding="utf-8")
    page = next(p for p in sorted((root / "docs" / "styrdokument").rglob("*.md")) if "typ:" in p.read_text("utf-8"))
    page.write_text(page.read_text(encoding="utf-8") + "\nEn mening till efter beslutet.\n", encoding="utf-8")
    git(root, "commit", "-q", "-am", "Ändringar efter beslut")


def own_cost(root: Path) -> tuple[float, float]:
    """The comparison's own time (renders already cached by the check), in this process: the wall
    clock of a shared machine varies more than the whole comparison costs."""
    from styrdok.check import check_project
    from styrdok.data_history import data_revisions
    from styrdok.decided import DecidedIndex
    handbook, _ = check_project(root)
    own = []
    for _ in range(5):
        start = time.perf_counter()
        DecidedIndex(root).comparisons(handbook)
        own.append(time.perf_counter() - start)
    handbook._derived.pop("data_revisions", None)       # measure a cold computation
    start = time.perf_counter()
    data_revisions(handbook)
    return min(own), time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=500)
    ap.add_argument("--commits", type=int, default=20, help="antal beslutstillfällen (commits med taggar)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--keep", type=Path, help="behåll handböckerna i den här mappen")
    args = ap.parse_args(argv)
    base = args.keep or Path(tempfile.mkdtemp(prefix="styrdok-bench-beslut-"))
    without, with_tags = base / "utan", base / "med"
    generate.generate(without, args.docs, commits_per_file=1,
                      macros={"dokumentlank", "roll", "ansvar"})
    shutil.copytree(without, with_tags, symlinks=True)
    n = decide_all(with_tags, args.commits)
    change_some(with_tags)
    change_some(without)
    check(without)                                  # warm the file system cache for both
    cold, report = check(with_tags)
    changed = report.count("Ändrat sedan beslutet")
    times = {"utan": [], "med": []}
    for _ in range(args.repeat):
        times["utan"].append(check(without)[0])
        times["med"].append(check(with_tags)[0])
    t_without, t_with = statistics.median(times["utan"]), statistics.median(times["med"])
    ratio = t_with / t_without
    print(f"| dokument | beslutstillfällen | utan jämförelse (s) | med, kall cache (s) | med, varm cache (s) | "
          f"varm/utan | mål |")
    print("|---|---|---|---|---|---|---|")
    print(f"| {n} | {args.commits} | {t_without:.2f} | {cold:.2f} | {t_with:.2f} | {ratio:.2f}x | "
          f"≤ {GOAL}x {'uppfyllt' if ratio <= GOAL else 'EJ uppfyllt'} |")
    print(f"{changed} dokument rapporterades som ändrade sedan beslutet.")
    own, data = own_cost(with_tags)
    print(f"Jämförelsens egen tid i processen, med sidorna redan renderade av kontrollen: {own * 1000:.0f} ms "
          f"(datacommits i historiken: {data * 1000:.0f} ms), av en kontroll på {t_with:.2f} s.")
    if not args.keep:
        shutil.rmtree(base, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
