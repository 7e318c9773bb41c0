"""Benchmark (issue 16): what reading the documents' text for law numbers ("SOSFS 2006:11",
"socialtjänstlagen (2001:453)") costs when the handbook is loaded (not a test).

Generates a handbook of --docs documents (bench/generate.py, without the ledningssystem), then in one
process: the scan alone over every document's text (references_in_text + the repealed-law warnings,
styrdok.lagrum.warn_repealed), and load_handbook with and without the scan, interleaved so both see
the same machine load. Prints medians and the ratio with/without.

    .venv/bin/python bench/bench_lagrum.py [--docs 2000] [--repeat 5]
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent / "src"))


class _Lines:
    def line(self, _key):
        return 1


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=2000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    from styrdok import lagrum, load
    from styrdok.problems import Problems
    with tempfile.TemporaryDirectory(prefix="styrdok-bench-lagrum-") as tmp:
        root = Path(tmp) / "handbok"
        subprocess.run([sys.executable, str(BENCH / "generate.py"), "--docs", str(args.docs), "--out", str(root),
                        "--commits-per-file", "1", "--no-ledningssystem"], check=True, capture_output=True)
        handbook, _ = load.load_handbook(root)
        docs = list(handbook.dokument.values())
        index = lagrum.number_index(handbook.lagrum)
        scan = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            found = sum(len(lagrum.warn_repealed(Problems(), d.file, _Lines(), d.lagrum, handbook.lagrum, d.body,
                                                 d.body_first_line, index)) for d in docs)
            scan.append(time.perf_counter() - start)
        real = lagrum.references_in_text
        with_scan, without = [], []
        for i in range(args.repeat):
            for on in ((True, False) if i % 2 else (False, True)):
                lagrum.references_in_text = real if on else (lambda text, idx: [])
                load.forget_loaded()
                start = time.perf_counter()
                load.load_handbook(root)
                (with_scan if on else without).append(time.perf_counter() - start)
        lagrum.references_in_text = real
        mb = sum(len(d.body) for d in docs) / 1e6
        print(f"N={len(docs)} ({mb:.1f} MB text, {found} law references): scan {statistics.median(scan):.3f} s; "
              f"load_handbook with scan {statistics.median(with_scan):.2f} s, without {statistics.median(without):.2f} s, "
              f"ratio {statistics.median(with_scan) / statistics.median(without):.3f}")


if __name__ == "__main__":
    main()
