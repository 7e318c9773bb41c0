"""Search relevance, measured: tests/search/queries.yml typed into the search box in real Chromium.

For every query the test reads the first five results and counts a hit when all the query's pages
are among them (hits@5). It runs the same queries against the example handbook twice: as built
(Pagefind, with styrdok's extra search words) and built with the theme's own search plugin instead,
and prints both figures side by side. Only ours must reach 90 %.
"""
from __future__ import annotations

import shutil
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from browser import chromium, outside_requests, serve
from styrdok.site.build import run_mkdocs

QUERIES_FILE = Path(__file__).parent / "search" / "queries.yml"
TOP = 5
REQUIRED = 0.90

_META = "document.querySelector('.md-search-result__meta').textContent"


def load_queries() -> list[dict]:
    queries = yaml.safe_load(QUERIES_FILE.read_text(encoding="utf-8"))
    assert len(queries) >= 40, "frågesamlingen ska ha minst 40 frågor"
    for q in queries:
        assert set(q) == {"fraga", "slag", "sidor"}, q
    return queries


def top_pages(page, base: str, query: str, k: int = TOP) -> list[str]:
    """Type query into the header search box; the site paths of the first k results."""
    box = page.locator("input.md-search__input")
    box.fill("")
    box.press("End")                    # the theme's search listens for keyup, Pagefind's for input
    page.wait_for_function(f"() => !/sökresultat/.test({_META})", timeout=15000)
    box.fill(query)
    box.press("End")
    page.wait_for_function(f"() => /sökresultat/.test({_META})", timeout=15000)
    hrefs = page.eval_on_selector_all(".md-search-result__item", "items => items.map(li => li.querySelector('a').href)")
    out: list[str] = []
    for href in hrefs:
        path = urlsplit(href).path
        rel = path[len(urlsplit(base).path):] if path.startswith(urlsplit(base).path) else path
        rel = rel.lstrip("/")
        if rel.endswith("index.html"):
            rel = rel[: -len("index.html")]
        if rel not in out:
            out.append(rel)
    return out[:k]


def run_queries(site: Path, queries: list[dict]) -> tuple[list[dict], list[str]]:
    """Each query with its top results and whether it hit; and the requests that left 127.0.0.1."""
    rows = []
    with serve(site) as base, chromium() as browser:
        page = browser.new_page()
        outside = outside_requests(page)
        page.goto(base + "/", wait_until="networkidle")
        page.locator("input.md-search__input").click()
        # the theme's search says "Initialiserar sök" until its index is loaded
        page.wait_for_function(f"() => /Skriv sökord/.test({_META})", timeout=30000)
        for q in queries:
            found = top_pages(page, base + "/", q["fraga"])
            rows.append({**q, "top": found, "hit": all(p in found for p in q["sidor"])})
    return rows, outside


def hits_at_5(rows: list[dict]) -> float:
    return sum(r["hit"] for r in rows) / len(rows)


def report(ours: list[dict], theirs: list[dict]) -> str:
    """A table per kind of query: hits@5 for the theme's search and for styrdok's."""
    kinds: dict[str, list[tuple[bool, bool]]] = defaultdict(list)
    for a, b in zip(theirs, ours):
        kinds[a["slag"]].append((a["hit"], b["hit"]))
    lines = ["", "| frågor | antal | temats sökning | styrdok (Pagefind) |", "|---|---|---|---|"]
    for kind, pairs in kinds.items():
        lines.append(f"| {kind} | {len(pairs)} | {sum(a for a, _ in pairs)} | {sum(b for _, b in pairs)} |")
    lines.append(f"| **alla, hits@{TOP}** | {len(ours)} | **{hits_at_5(theirs):.0%}** | **{hits_at_5(ours):.0%}** |")
    missed = [f"  {r['fraga']!r} ({r['slag']}): väntade {r['sidor']}, fick {r['top']}" for r in ours if not r["hit"]]
    if missed:
        lines += ["", "Missar med styrdoks sökning:", *missed]
    return "\n".join(lines)


@pytest.fixture(scope="session")
def example_theme_search(example_built, tmp_path_factory) -> Path:
    """The example handbook built with the theme's search plugin (lunr) instead of Pagefind."""
    root = tmp_path_factory.mktemp("temasok") / "handbok"
    shutil.copytree(example_built, root, ignore=shutil.ignore_patterns("site", ".cache", "build"), symlinks=True)
    config_path = root / "mkdocs.yml"
    config = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    config["plugins"].insert(0, {"search": {"lang": "sv"}})
    config["theme"]["features"] += ["search.highlight", "search.suggest"]
    config_path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    run_mkdocs(root, root / "site")           # no Pagefind step: the theme's search only
    assert (root / "site" / "search" / "search_index.json").is_file()
    return root


def test_query_set_names_pages_that_exist(example_built):
    site = example_built / "site"
    for q in load_queries():
        for p in q["sidor"]:
            assert (site / p / "index.html").is_file(), f"{q['fraga']!r}: sidan {p} finns inte i handboken"


def test_search_hits_at_5_is_at_least_90_percent(example_built, example_theme_search, capsys):
    queries = load_queries()
    ours, outside = run_queries(example_built / "site", queries)
    theirs, _ = run_queries(example_theme_search / "site", queries)
    text = report(ours, theirs)
    with capsys.disabled():
        print(text)
    assert outside == [], f"förfrågningar utanför 127.0.0.1: {outside[:10]}"
    assert hits_at_5(ours) >= REQUIRED, text
