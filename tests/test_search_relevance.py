"""Search relevance, measured: tests/search/queries.yml typed into the search box in real Chromium.

For every query the test reads the first five results and counts a hit when all the query's pages
are among them (hits@5); styrdok's search (Pagefind, with styrdok's extra search words) must reach
90 % on the example handbook. The same queries against the theme's own search, side by side, are a
measurement: bench/bench_search_relevance.py prints both figures.
"""
from __future__ import annotations

import pytest

from collections import defaultdict
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from browser import outside_requests, site_page

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


# A query put in the search box as typing leaves it (the box's input event, which styrdok's search
# listens for, and a key released, which the theme's search in bench/ listens for; the keyboard itself
# is tested in tests/test_search_browser.py), that query's results awaited (the box is emptied first,
# so the count shown is this query's) and their links read in order. One call into the page per query:
# through Playwright's fill and press, each query cost six round trips and half the test's CPU.
_ENTER = """async (query) => {
  const box = document.querySelector("input.md-search__input");
  const meta = document.querySelector(".md-search-result__meta");
  const until = (done) => new Promise((resolve, reject) => {
    const started = Date.now();
    (function look() {
      if (done()) resolve();
      else if (Date.now() - started > 15000) reject(new Error("inga sökresultat för " + query + ": " + meta.textContent));
      else setTimeout(look, 10);
    })();
  });
  for (const [text, shown] of [["", false], [query, true]]) {
    box.value = text;
    box.dispatchEvent(new Event("input", { bubbles: true }));              // styrdok's search
    box.dispatchEvent(new KeyboardEvent("keyup", { bubbles: true, key: "End" }));   // the theme's
    await until(() => /sökresultat/.test(meta.textContent) === shown);
  }
  return [...document.querySelectorAll(".md-search-result__item")].map((li) => li.querySelector("a").href);
}"""


def top_pages(page, base: str, query: str, k: int = TOP) -> list[str]:
    """query in the header search box; the site paths of the first k results."""
    hrefs = page.evaluate(_ENTER, query)
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
    with site_page(site) as (page, base):
        outside = outside_requests(page)
        page.goto(base + "/", wait_until="load")
        page.locator("input.md-search__input").click()
        # the theme's search says "Initialiserar sök" until its index is loaded
        page.wait_for_function(f"() => /Skriv sökord/.test({_META})", timeout=30000)
        for q in queries:
            found = top_pages(page, base + "/", q["fraga"])
            rows.append({**q, "top": found, "hit": all(p in found for p in q["sidor"])})
    return rows, outside


def hits_at_5(rows: list[dict]) -> float:
    return sum(r["hit"] for r in rows) / len(rows)


def report(ours: list[dict], theirs: list[dict] | None = None) -> str:
    """A table per kind of query: hits@5 for styrdok's search (and for the theme's, when given)."""
    kinds: dict[str, list[tuple[bool, bool]]] = defaultdict(list)
    for i, b in enumerate(ours):
        kinds[b["slag"]].append((theirs[i]["hit"] if theirs else False, b["hit"]))
    if theirs:
        lines = ["", "| frågor | antal | temats sökning | styrdok (Pagefind) |", "|---|---|---|---|"]
        for kind, pairs in kinds.items():
            lines.append(f"| {kind} | {len(pairs)} | {sum(a for a, _ in pairs)} | {sum(b for _, b in pairs)} |")
        lines.append(f"| **alla, hits@{TOP}** | {len(ours)} | **{hits_at_5(theirs):.0%}** | **{hits_at_5(ours):.0%}** |")
    else:
        lines = ["", "| frågor | antal | styrdok (Pagefind) |", "|---|---|---|"]
        lines += [f"| {kind} | {len(pairs)} | {sum(b for _, b in pairs)} |" for kind, pairs in kinds.items()]
        lines.append(f"| **alla, hits@{TOP}** | {len(ours)} | **{hits_at_5(ours):.0%}** |")
    missed = [f"  {r['fraga']!r} ({r['slag']}): väntade {r['sidor']}, fick {r['top']}" for r in ours if not r["hit"]]
    if missed:
        lines += ["", "Missar med styrdoks sökning:", *missed]
    return "\n".join(lines)


def test_query_set_names_pages_that_exist(example_built):
    site = example_built / "site"
    for q in load_queries():
        for p in q["sidor"]:
            assert (site / p / "index.html").is_file(), f"{q['fraga']!r}: sidan {p} finns inte i handboken"


@pytest.mark.langsam
def test_search_hits_at_5_is_at_least_90_percent(example_built):
    ours, outside = run_queries(example_built / "site", load_queries())
    assert outside == [], f"förfrågningar utanför 127.0.0.1: {outside[:10]}"
    assert hits_at_5(ours) >= REQUIRED, report(ours)
