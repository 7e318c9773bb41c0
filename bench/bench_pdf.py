"""Benchmark the site's PDFs (styrdok.pdf.pdfs: LibreOffice headless) against the Word export
of the same documents, measured in the same run. Not a test.

    .venv/bin/python bench/bench_pdf.py [--docs 500] [--jobs N] [--sample 20] [--keep DIR]

The documents are bench_word.py's (the example handbook's styrdokument, varied). Measured:

- Word: export_many cold (empty cache) — the baseline the PDF cost is compared with;
- PDF cold: pdfs with an empty cache (one soffice process per group of files, --jobs groups);
- PDF cold with one soffice process for all files (jobs=1), to show what the second process gives;
- PDF warm (nothing changed: every PDF from the cache) and after one edited Word file;
- on a sample of --sample files: one soffice process per file (a shell loop), against one process for
  the same sample, to show what converting many files per process saves.

Prints seconds, ms per document and the ratio to the cold Word export.
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_word import TEMPLATES, documents, timed  # noqa: E402

from styrdok import pdf  # noqa: E402
from styrdok.export import export_many  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=500, help="antal dokument (standard 500)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="antal kärnor (standard: alla)")
    ap.add_argument("--sample", type=int, default=20, help="dokument i jämförelsen en process per fil (standard 20)")
    ap.add_argument("--keep", type=Path, help="mapp att lägga resultatet i (annars en tillfällig som tas bort)")
    args = ap.parse_args()
    if not pdf.available():
        print("LibreOffice (soffice) saknas: installera libreoffice-writer-nogui.", file=sys.stderr)
        return 2
    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-pdf-"))
    work.mkdir(parents=True, exist_ok=True)
    docs = documents(args.docs)
    n, jobs = len(docs), args.jobs
    out = work / "word"
    try:
        t_word = timed(lambda: export_many(docs, out, TEMPLATES, jobs=jobs, cache_dir=work / "wordcache"))
        paths = [out / f"{d.doc_id}.docx" for d in docs]
        t_cold = timed(lambda: pdf.pdfs(paths, work / "pdf", cache_dir=work / "pdfcache", jobs=jobs))
        t_one = timed(lambda: pdf.pdfs(paths, work / "pdf1", cache_dir=work / "pdfcache1", jobs=1))
        t_warm = timed(lambda: pdf.pdfs(paths, work / "pdf", cache_dir=work / "pdfcache", jobs=jobs))
        edited = list(docs)
        edited[n // 2] = replace(docs[n // 2], body_markdown=docs[n // 2].body_markdown + "\nEn ändring.\n")
        export_many(edited, out, TEMPLATES, jobs=jobs, cache_dir=work / "wordcache")
        t_edit = timed(lambda: pdf.pdfs(paths, work / "pdf", cache_dir=work / "pdfcache", jobs=jobs))
        sample = paths[:args.sample]
        t_per_file = timed(lambda: [pdf.convert([p], work / "perfil", jobs=1) for p in sample])
        t_batch = timed(lambda: pdf.convert(sample, work / "samlat", jobs=1))
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    print(f"PDF av {n} dokument på {jobs} kärnor, mot Word-exporten av samma dokument i samma körning")
    print("| mätning | sekunder | ms/dokument | mot Word kallt |")
    print("|---|---|---|---|")
    for label, t in (("Word: export_many kallt (baslinje)", t_word),
                     (f"PDF kallt, {jobs} soffice-processer", t_cold),
                     ("PDF kallt, en soffice-process", t_one),
                     ("PDF varmt (inget ändrat)", t_warm),
                     ("PDF efter en ändrad Word-fil", t_edit)):
        print(f"| {label} | {t:.2f} | {1000 * t / n:.1f} | {t / t_word:.2f} |")
    m = len(sample)
    print(f"\n{m} filer: en soffice-process per fil {t_per_file:.1f} s ({1000 * t_per_file / m:.0f} ms/fil), "
          f"en process för alla {t_batch:.1f} s ({1000 * t_batch / m:.0f} ms/fil): {t_per_file / t_batch:.1f}× så lång tid "
          "med en process per fil.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
