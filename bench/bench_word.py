"""Benchmark the Word export (styrdok.export.export_many) against bare pandoc. Not a test.

    .venv/bin/python bench/bench_word.py [--docs 200] [--jobs N] [--keep DIR]

N documents are made from the example handbook's styrdokument (docs/styrdokument/**, the real
pages: headings, lists, tables, admonitions, links), each with a line of its own so that no two
are equal. Measured on the same files and the same number of cores:

- bare pandoc: one `pandoc` process per document, Markdown -> .docx with the same reference.docx
  (what a shell loop over the pages would do; no template, no metadata, no conversion of the
  site's Markdown dialect);
- export_many cold (empty cache), warm (nothing changed) and after one edit (one document changed).

Prints wall and CPU seconds (this process and every finished child process: the workers and the
pandoc processes they start), ms per document and each figure's ratio to bare pandoc, and the load
average before and after. On a shared machine the CPU ratio is the comparable one.
"""
from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

import pypandoc  # noqa: E402

from styrdok.export import WordDocument, export_many  # noqa: E402

TEMPLATES = REPO / "templates" / "word"
DOCS = REPO / "docs"


def pages() -> list[tuple[str, dict, str]]:
    """(docs-relative path, front matter, body) of every styrdokument page in the example handbook."""
    out = []
    for path in sorted((DOCS / "styrdokument").rglob("*.md")):
        if path.name == "index.md":
            continue
        text = path.read_text(encoding="utf-8")
        _, front, body = text.split("---", 2)
        out.append((path.relative_to(DOCS).as_posix(), yaml.safe_load(front), body))
    return out


def documents(n: int) -> list[WordDocument]:
    source = pages()
    titles = {src: front["titel"] for src, front, _ in source}
    def text(value) -> str:
        return ", ".join(map(str, value)) if isinstance(value, (list, tuple)) else str(value)

    docs = []
    for i in range(n):
        src, front, body = source[i % len(source)]
        metadata = [("Typ av styrdokument", text(front["typ"]).capitalize()),
                    ("Beslutad av", text(front["beslutad_av"])),
                    ("Diarienummer", text(front.get("diarienummer", "–"))),
                    ("Gäller från", text(front["galler_fran"])),
                    ("Dokumentansvarig", text(front["dokumentansvarig"])),
                    ("Senast reviderad", text(front.get("senast_reviderad", "–")))]
        docs.append(WordDocument(
            doc_id=f"dokument-{i:04d}", title=f"{front['titel']} ({i})", doc_type=str(front["typ"]).capitalize(),
            kommun_name="Älvstads kommun", logo_path=DOCS / "assets" / "logotyp.svg", metadata=metadata,
            revisions=[("2025-01-10", "Sara SAS", "Första versionen"), ("2025-06-01", "Kim MAS", "Nya rubriker")],
            body_markdown=body + f"\n\nDokument nummer {i} i mätningen.\n", src_path=src, docs_dir=DOCS,
            link_titles=titles))
    return docs


def bare_pandoc(docs: list[WordDocument], out: Path, jobs: int) -> None:
    out.mkdir(parents=True, exist_ok=True)
    pandoc = pypandoc.get_pandoc_path()
    reference = TEMPLATES / "reference.docx"

    def one(doc: WordDocument) -> None:
        subprocess.run([pandoc, "-f", "markdown", "-o", str(out / f"{doc.doc_id}.docx"),
                        f"--reference-doc={reference}", f"--resource-path={DOCS}"],
                       input=doc.body_markdown.encode("utf-8"), check=True, capture_output=True)

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        list(pool.map(one, docs))


def timed(fn) -> float:
    return measured(fn)[0]


def cpu_seconds() -> float:
    """CPU time (user + system) of this process and of its children that have finished."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def measured(fn) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of fn(), child processes included."""
    cpu, start = cpu_seconds(), time.perf_counter()
    fn()
    return time.perf_counter() - start, cpu_seconds() - cpu


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=200, help="antal dokument (standard 200)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="antal kärnor (standard: alla)")
    ap.add_argument("--keep", type=Path, help="mapp att lägga resultatet i (annars en tillfällig som tas bort)")
    args = ap.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-word-"))
    work.mkdir(parents=True, exist_ok=True)
    docs = documents(args.docs)
    n, jobs = len(docs), args.jobs
    cache, out = work / "cache", work / "word"
    shutil.rmtree(cache, ignore_errors=True)
    load_before = os.getloadavg()
    try:
        bare = measured(lambda: bare_pandoc(docs, work / "bare", jobs))
        cold = measured(lambda: export_many(docs, out, TEMPLATES, jobs=jobs, cache_dir=cache))
        warm = measured(lambda: export_many(docs, out, TEMPLATES, jobs=jobs, cache_dir=cache))
        edited = list(docs)
        edited[n // 2] = replace(docs[n // 2], body_markdown=docs[n // 2].body_markdown + "\nEn ändring.\n")
        edit = measured(lambda: export_many(edited, out, TEMPLATES, jobs=jobs, cache_dir=cache))
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    load_after = os.getloadavg()
    print(f"Word-export av {n} dokument på {jobs} kärnor (sidorna i docs/styrdokument, varierade); "
          f"belastning {load_before[0]:.1f} före, {load_after[0]:.1f} efter")
    print("| mätning | vägg s | CPU s | CPU ms/dokument | mot bar pandoc, vägg | mot bar pandoc, CPU |")
    print("|---|---|---|---|---|---|")
    for label, (wall, cpu) in (("bar pandoc, en process per fil (baslinje)", bare),
                               ("export_many kallt (tom cache)", cold),
                               ("export_many varmt (inget ändrat)", warm), ("export_many efter en ändring", edit)):
        print(f"| {label} | {wall:.2f} | {cpu:.2f} | {1000 * cpu / n:.1f} | {wall / bare[0]:.2f} | "
              f"{cpu / bare[1]:.2f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
