"""Issue 19: what a rebuild costs on a kommun-shaped corpus (bench/generate_kommun.py), with plain
mkdocs-material on the same Markdown in the same run.

For each N: plain mkdocs-material (theme defaults) clean; `styrdok build --utan-word` clean (no
.cache/), with nothing changed, after editing one page's text, after editing one page's title;
Word: bare pandoc per file vs styrdok's export cold (bench/run.py measure_word). Wall time and the
peak memory of the whole process tree (RSS sum and PSS). Prints a Markdown section.

    .venv/bin/python bench/bench_rebuild.py --sizes 500 [--word-sizes 500] [--keep /tmp/kommun]
"""
from __future__ import annotations

import argparse
import datetime as dt
import math
import os
import resource
import shutil
import sys
import tempfile
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(BENCH.parent / "src"))

import generate_kommun  # noqa: E402
from run import ENV, PY, machine, measure_word, run_measured  # noqa: E402


def styrdok(root: Path, *args: str, env: dict | None = None):
    run = run_measured([PY, "-m", "styrdok", "--root", str(root), "build", "--utan-word", *args], root,
                       env={**ENV, **(env or {})})
    if run.rc != 0:
        raise SystemExit(f"styrdok build misslyckades:\n{run.output[-3000:]}")
    run.load = LOAD["last"]
    return run


LOAD = {"last": 0.0}


def loaded(run):
    """run_measured, with the load average just before it and the CPU time the command and its
    children used (user + system): the machine is shared, and CPU time depends less on the load."""
    def call(*args, **kwargs):
        LOAD["last"] = os.getloadavg()[0]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        result = run(*args, **kwargs)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        result.load = LOAD["last"]
        result.cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        return result
    return call


run_measured = loaded(run_measured)


def clear_caches(root: Path) -> None:
    for name in ("site", "memo"):
        shutil.rmtree(root / ".cache" / name, ignore_errors=True)


def edit_text(page: Path) -> None:
    page.write_text(page.read_text(encoding="utf-8") + "\nEn ny mening om rapportering i verksamheten.\n",
                    encoding="utf-8")


def edit_title(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    page.write_text(text.replace("titel: ", "titel: Ändrad ", 1), encoding="utf-8")


def measure(n: int, base: Path, word: bool, reuse: bool = False) -> dict:
    root = base / f"kommun-{n}"
    if reuse and root.is_dir():          # a corpus kept with --keep: only its caches are removed
        pages = sorted((root / "docs" / "kommun").rglob("*.md"))
        generate_kommun.copy_layer(root)
    else:
        pages = generate_kommun.generate(n, root)
    r: dict = {"n": n}
    plain = generate_kommun.plain_dir(root)
    run = run_measured([PY, "-m", "mkdocs", "build", "--quiet", "-f", str(plain / "mkdocs.yml"),
                        "-d", str(plain / "site")], plain)
    r["plain"] = run
    r["pages"] = sum(1 for _ in (plain / "site").rglob("index.html"))
    clear_caches(root)
    r["clean1"] = styrdok(root, env={"STYRDOK_JOBS": "1"})       # one process: no helper
    clear_caches(root)
    r["clean"] = styrdok(root)
    r["unchanged"] = styrdok(root)
    edit_text(pages[n // 2])
    r["edit"] = styrdok(root)
    edit_title(pages[n // 3])
    r["title"] = styrdok(root)
    shutil.rmtree(root / ".cache" / "site" / "bygge")        # the page caches stay: no other change
    r["pagecache"] = styrdok(root)
    if word:
        r["word"] = measure_word(root, os.cpu_count() or 2)
    return r


def exponent(a: float, b: float, n1: int, n2: int) -> float:
    return math.log(b / a) / math.log(n2 / n1)


ROWS = [("plain", "ren mkdocs-material, rent bygge"),
        ("clean", "styrdok, rent bygge (ingen .cache/)"),
        ("clean1", "styrdok, rent bygge i en process (STYRDOK_JOBS=1)"),
        ("unchanged", "styrdok, inget ändrat"),
        ("edit", "styrdok, en sidas text ändrad"),
        ("title", "styrdok, en sidas titel ändrad"),
        ("pagecache", "styrdok, bara sid- och memo-cacherna (förra byggets kopia borttagen)")]


def report(results: list[dict], started: str, argv: list[str]) -> str:
    head = " | ".join(f"N = {r['n']} ({r['pages']} sidor) | mot ren | CPU-tid | belastning" for r in results)
    lines = [f"Körd {started} på {machine()}. Kommando: `bench/bench_rebuild.py {' '.join(argv)}`", "",
             f"| mätning | {head} |", "|---" * (1 + 4 * len(results)) + "|"]
    for key, label in ROWS:
        cells = []
        for r in results:
            run = r[key]
            cells.append(f"{run.wall:.1f} s | {run.wall / r['plain'].wall:.2f}× | {run.cpu:.1f} s | {run.load:.1f}")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    cells = [f"{r['plain'].peak_pss_mb:.0f} / {r['clean'].peak_pss_mb:.0f} / {r['edit'].peak_pss_mb:.0f} MB | "
             f"{r['clean'].peak_pss_mb / r['plain'].peak_pss_mb:.2f}× | – | –" for r in results]
    lines.append("| topp-minne PSS, hela processträdet (ren / styrdok rent / en ändring) | " + " | ".join(cells) + " |")
    if len(results) >= 2:
        a, b = results[0], results[-1]
        parts = [f"{k} {exponent(a[k].wall, b[k].wall, a['n'], b['n']):.2f}"
                 for k in ("plain", "clean", "clean1", "unchanged", "edit", "title")]
        lines += ["", f"Tillväxtexponent {a['n']}→{b['n']} (tid ∝ N^k), väggtid: " + ", ".join(parts) + "."]
        parts = [f"{k} {exponent(max(a[k].cpu, 0.01), max(b[k].cpu, 0.01), a['n'], b['n']):.2f}"
                 for k in ("plain", "clean", "clean1", "unchanged", "edit", "title")]
        lines += ["", f"Tillväxtexponent {a['n']}→{b['n']} på CPU-tid: " + ", ".join(parts) + "."]
    for r in results:
        w = r.get("word")
        if w and "pandoc" in w:
            lines += ["", f"Word, N={r['n']} ({w['docs']} dokument, {w['jobs']} processer): ren pandoc en process "
                      f"per fil {w['pandoc']:.1f} s; export kallt {w['cold']:.1f} s "
                      f"(**{w['cold'] / w['pandoc']:.2f}×**), varmt {w['warm']:.1f} s, efter en ändring "
                      f"{w['edit']:.1f} s."]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="500")
    ap.add_argument("--word-sizes", default="")
    ap.add_argument("--keep", type=Path)
    ap.add_argument("--reuse", action="store_true", help="använd korpusar som redan finns i --keep")
    args = ap.parse_args(argv)
    started = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    base = args.keep or Path(tempfile.mkdtemp(prefix="bench-kommun-"))
    words = {int(x) for x in args.word_sizes.split(",") if x}
    results = []
    try:
        for n in [int(x) for x in args.sizes.split(",")]:
            results.append(measure(n, base, n in words, args.reuse))
            print(report(results, started, argv), flush=True)
    finally:
        if args.keep is None:
            shutil.rmtree(base, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
