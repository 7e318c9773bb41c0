"""Benchmark (issue 18): what the web editor adds to `styrdok build` on a large handbook (not a test).

Generates a handbook of --docs documents (bench/generate.py, with the ledningssystem data), loads it
once, then measures interleaved in one process: the editor's build step (styrdok.editor.write_editor:
config.yml from the model and data/, the page, links to Decap's files) and, as the baseline measured
in the same run, load_handbook. Prints medians, the ratio, the size of config.yml and the number of
collections (one per document type and folder).

    .venv/bin/python bench/bench_editor.py [--docs 2000] [--repeat 3]
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent / "src"))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=2000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    from styrdok import load
    from styrdok.editor import write_editor
    with tempfile.TemporaryDirectory(prefix="styrdok-bench-editor-") as tmp:
        root = Path(tmp) / "handbok"
        subprocess.run([sys.executable, str(BENCH / "generate.py"), "--docs", str(args.docs), "--out", str(root),
                        "--commits-per-file", "1"], check=True, capture_output=True)
        handbook, _ = load.load_handbook(root)
        step, baseline = [], []
        for i in range(args.repeat):
            out = Path(tmp) / f"site{i}"
            load.forget_loaded()
            start = time.perf_counter()
            load.load_handbook(root)
            baseline.append(time.perf_counter() - start)
            start = time.perf_counter()
            if not write_editor(handbook, BENCH.parent, out, env={}):
                sys.exit("Webbredigeraren är inte installerad: kör make build (npm ci).")
            step.append(time.perf_counter() - start)
        config = out / "redigera" / "config.yml"
        collections = len(yaml.safe_load(config.read_text(encoding="utf-8"))["collections"])
        size = config.stat().st_size
        shutil.rmtree(out, ignore_errors=True)
        print(f"N={len(handbook.dokument)}: editor step {statistics.median(step):.2f} s, load_handbook "
              f"{statistics.median(baseline):.2f} s (ratio {statistics.median(step) / statistics.median(baseline):.2f}); "
              f"config.yml {size / 1e6:.1f} MB, {collections} collections")


if __name__ == "__main__":
    main()
