"""Benchmark the Word export against bare pandoc on the same Markdown (not part of the tests).

    .venv/bin/python bench/bench_word.py [--docs 200] [--keep DIR]

On a generated handbook (bench/generate.py) it measures, in one run and on all cores:
- baseline: bare pandoc, one process per document, Markdown → .docx with the same reference.docx;
- styrdok cold (empty cache), warm (nothing changed) and after one edit (one document changed);
and prints seconds, ms per document and the ratio to the baseline.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent / "src"))

import pypandoc  # noqa: E402

from styrdok.load import Project, load_handbook  # noqa: E402
from styrdok.word.documents import templates_for, word_document  # noqa: E402
from styrdok.word.export import export_many  # noqa: E402


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def bare_pandoc(bodies: list[str], out: Path, reference: Path, jobs: int) -> None:
    out.mkdir(parents=True, exist_ok=True)
    pandoc = pypandoc.get_pandoc_path()

    def one(item):
        i, body = item
        subprocess.run([pandoc, "-f", "markdown", "-o", str(out / f"{i}.docx"), f"--reference-doc={reference}"],
                       input=body.encode(), check=True, capture_output=True)

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        list(pool.map(one, enumerate(bodies)))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=200)
    ap.add_argument("--keep", type=Path)
    args = ap.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-word-"))
    root = work / f"handbok-{args.docs}"
    if not root.exists():
        subprocess.run([sys.executable, str(BENCH / "generate.py"), "--docs", str(args.docs), "--out", str(root),
                        "--commits-per-file", "1"], check=True, capture_output=True)
    jobs = os.cpu_count() or 2
    project = Project(root)
    t_load, (handbook, problems) = timed(lambda: load_handbook(root))
    assert handbook is not None and not problems.errors, problems.report()
    t_prepare, words = timed(lambda: [word_document(handbook, project, d) for d in handbook.dokument.values()])
    templates = templates_for(project)
    cache, out = work / "cache", work / "word"
    shutil.rmtree(cache, ignore_errors=True)

    t_base, _ = timed(lambda: bare_pandoc([w.body_markdown for w in words], work / "bare", templates.reference, jobs))
    t_cold, _ = timed(lambda: export_many(words, out, templates, jobs=jobs, cache_dir=cache))
    t_warm, _ = timed(lambda: export_many(words, out, templates, jobs=jobs, cache_dir=cache))
    edited = list(words)
    edited[0] = type(words[0])(**{**words[0].__dict__, "body_markdown": words[0].body_markdown + "\nEn ändring.\n"})
    t_edit, _ = timed(lambda: export_many(edited, out, templates, jobs=jobs, cache_dir=cache))

    n = len(words)
    print(f"Word-export, {n} dokument, {jobs} kärnor ({root})")
    print(f"| mätning | sekunder | ms/dokument | mot bar pandoc |")
    print(f"|---|---|---|---|")
    print(f"| bar pandoc (baslinje) | {t_base:.2f} | {1000 * t_base / n:.0f} | 1.00 |")
    print(f"| styrdok kallt | {t_cold:.2f} | {1000 * t_cold / n:.0f} | {t_cold / t_base:.2f} |")
    print(f"| styrdok varmt (inget ändrat) | {t_warm:.2f} | {1000 * t_warm / n:.1f} | {t_warm / t_base:.2f} |")
    print(f"| styrdok efter en ändring | {t_edit:.2f} | – | {t_edit / t_base:.2f} |")
    print(f"Inläsning av handboken {t_load:.2f} s; makron och Markdown för Word {t_prepare:.2f} s "
          "(ingår inte i raderna ovan; webbplatsbygget gör samma arbete).")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
