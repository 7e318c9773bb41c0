"""Search relevance (issue 7): hits@5 of styrdok's search (Pagefind with styrdok's extra search words)
against the theme's own search (lunr), on the example handbook, with tests/search/queries.yml typed
into the search box in real Chromium (Debian's, on 127.0.0.1).

tests/test_search_relevance.py asserts styrdok's figure (at least 90 %); this prints both side by
side, per kind of query, and the queries styrdok's search misses.

With --fyllnad N the handbook gets N generated pages beside the example's (bench/generate_kommun.py,
in docs/kommun/), and styrdok's search with one index (the default) is set against the same search
with the index in parts of 250 pages (STYRDOK_SOK_DELSTORLEK=250, which a build may choose).

    .venv/bin/python bench/bench_search_relevance.py [--keep DIR] [--fyllnad N]
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO / "bench"))

from conftest import example_in_git  # noqa: E402
from generate_kommun import generate  # noqa: E402
from styrdok.site.build import run_mkdocs  # noqa: E402
from test_search_relevance import hits_at_5, load_queries, report, run_queries  # noqa: E402


def example_handbook(root: Path, filler: int = 0, env: dict | None = None) -> Path:
    """The example kommun's handbook in git (conftest.example_in_git), with filler generated pages
    in docs/kommun/ (bench/generate_kommun.py), built by styrdok."""
    example_in_git(root)
    if filler:
        corpus = root.parent / "genererad"
        generate(filler, corpus)
        shutil.copytree(corpus / "docs" / "kommun", root / "docs" / "kommun")
        git = ["git", "-c", "user.name=Test", "-c", "user.email=test@example.org"]
        subprocess.run([*git, "add", "-A"], cwd=root, check=True)
        subprocess.run([*git, "commit", "-q", "-m", "Fyllnad"], cwd=root, check=True)
    subprocess.run([sys.executable, "-m", "styrdok", "--root", str(root), "build", "--utan-word"], check=True,
                   env={**os.environ, **(env or {}), "NO_MKDOCS_2_WARNING": "1"})
    return root


def with_theme_search(built: Path, root: Path) -> Path:
    """The same handbook built with the theme's search plugin instead of Pagefind."""
    shutil.copytree(built, root, ignore=shutil.ignore_patterns("site", ".cache", "build"), symlinks=True)
    config_path = root / "mkdocs.yml"
    config = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    config["plugins"].insert(0, {"search": {"lang": "sv"}})
    config["theme"]["features"] += ["search.highlight", "search.suggest"]
    config_path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    run_mkdocs(root, root / "site")           # no Pagefind step: the theme's search only
    assert (root / "site" / "search" / "search_index.json").is_file()
    return root


def one_index_against_parts(work: Path, filler: int) -> int:
    """hits@5 of the example handbook with filler pages: one index, then parts of 250 pages."""
    queries = load_queries()
    rows = {}
    os.environ.pop("STYRDOK_SOK_DELSTORLEK", None)       # "ett index": the default
    for name, env in (("ett index", {}), ("delar", {"STYRDOK_SOK_DELSTORLEK": "250"})):
        root = example_handbook(work / name.replace(" ", "-"), filler, env)
        listed = root / "site" / "pagefind" / "styrdok-delar.json"
        parts = 1 + (len(json.loads(listed.read_text(encoding="utf-8"))) if listed.is_file() else 0)
        pages = sum(1 for _ in (root / "site").rglob("index.html"))
        print(f"{name}: {pages} sidor, {parts} index", file=sys.stderr)
        rows[name], _ = run_queries(root / "site", queries)
    one, parted = rows["ett index"], rows["delar"]
    kinds: dict[str, list[tuple[bool, bool]]] = {}
    for a, b in zip(one, parted):
        kinds.setdefault(a["slag"], []).append((a["hit"], b["hit"]))
    lines = ["", "| frågor | antal | ett index | delar |", "|---|---|---|---|"]
    lines += [f"| {kind} | {len(pairs)} | {sum(a for a, _ in pairs)} | {sum(b for _, b in pairs)} |"
              for kind, pairs in kinds.items()]
    lines.append(f"| **alla, hits@5** | {len(one)} | **{hits_at_5(one):.0%}** | **{hits_at_5(parted):.0%}** |")
    lines.append(f"\nOlika topp 5: {sum(a['top'] != b['top'] for a, b in zip(one, parted))} frågor av {len(one)}")
    differ = [f"  {a['fraga']!r} ({a['slag']}): väntade {a['sidor']}\n    ett index {a['top']}\n    delar {b['top']}"
              for a, b in zip(one, parted) if a["hit"] != b["hit"]]
    lines += ["", "Träff med det ena men inte det andra:", *differ] if differ else []
    print("\n".join(lines))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="build in this folder and keep it")
    parser.add_argument("--fyllnad", type=int, default=0, metavar="N",
                        help="add N generated pages; one index against the index in parts")
    args = parser.parse_args(argv)
    work = args.keep or Path(tempfile.mkdtemp(prefix="styrdok-relevans-"))
    try:
        if args.fyllnad:
            return one_index_against_parts(work, args.fyllnad)
        ours_root = example_handbook(work / "styrdok")
        theirs_root = with_theme_search(ours_root, work / "tema")
        queries = load_queries()
        ours, outside = run_queries(ours_root / "site", queries)
        theirs, _ = run_queries(theirs_root / "site", queries)
        print(report(ours, theirs))
        if outside:
            print(f"\nFörfrågningar utanför 127.0.0.1: {outside[:10]}")
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
