"""Search relevance (issue 7): hits@5 of styrdok's search (Pagefind with styrdok's extra search words)
against the theme's own search (lunr), on the example handbook, with tests/search/queries.yml typed
into the search box in real Chromium (Debian's, on 127.0.0.1).

tests/test_search_relevance.py asserts styrdok's figure (at least 90 %); this prints both side by
side, per kind of query, and the queries styrdok's search misses.

    .venv/bin/python bench/bench_search_relevance.py [--keep DIR]
"""
from __future__ import annotations

import argparse
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

from conftest import example_in_git  # noqa: E402
from styrdok.site.build import run_mkdocs  # noqa: E402
from test_search_relevance import load_queries, report, run_queries  # noqa: E402


def example_handbook(root: Path) -> Path:
    """The example kommun's handbook in git (conftest.example_in_git), built by styrdok."""
    example_in_git(root)
    subprocess.run([sys.executable, "-m", "styrdok", "--root", str(root), "build", "--utan-word"], check=True,
                   env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="build in this folder and keep it")
    args = parser.parse_args(argv)
    work = args.keep or Path(tempfile.mkdtemp(prefix="styrdok-relevans-"))
    try:
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
