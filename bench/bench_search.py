"""Benchmark (issue 7): styrdok's search (Pagefind) against the theme's search, on a generated handbook.

One run generates a handbook of N styrdokument (bench/generate.py, default 2,000), builds it twice,
as styrdok builds it (Pagefind) and with the theme's search plugin (lunr) instead, and measures for
each, in the same run:

- index build: for the theme, the time spent in its search plugin's handlers during `mkdocs build`;
  for styrdok, the extra search words computed during the build (lexicon, compound parts, names)
  plus the Pagefind run over the built site;
- the whole index on disk (the theme's search_index.json; Pagefind's pagefind/ folder);
- bytes the browser downloads for the first query, in real Chromium (Debian's, on 127.0.0.1):
  every response from the search's files (the theme: search_index.json, its search worker and lunr
  languages; styrdok: pagefind/… and styrdok-sok.js), raw and as gzip would send them;
- time from typing to results: from the last keystroke to the first change of the results after
  it (the first results for the whole query) and to the last change (the results then stay
  unchanged for 0.5 s), for the first query on a freshly opened page and for later queries.

Prints a Markdown table (and writes it to --out if given).

    .venv/bin/python bench/bench_search.py [--docs 2000] [--keep DIR] [--out FILE]
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO / "src"))

from browser import chromium, serve  # noqa: E402  (tests/browser.py: Debian's Chromium, 127.0.0.1)

FIRST_QUERY = "avvikelser"
LATER_QUERIES = ["fallprevention", "kvalitetsberättelse", "vem ansvarar för egenkontroll"]

# Written into each bench build and listed under hooks: times the search work inside `mkdocs build`.
TIMING_HOOK = '''
"""Bench only: time spent in the theme's search plugin and in styrdok's search words."""
import atexit, json, os, time
_T = {"theme_search": 0.0, "styrdok_search_words": 0.0}

def _timed(method, key):
    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        try:
            return method(*args, **kwargs)
        finally:
            _T[key] += time.perf_counter() - start
    return wrapper

def on_config(config):
    for methods in config.plugins.events.values():
        for i, method in enumerate(methods):
            owner = getattr(method, "__self__", None)
            if owner is not None and type(owner).__module__.startswith("material.plugins.search"):
                methods[i] = _timed(method, "theme_search")
    from styrdok.search.page import SearchIndexer
    SearchIndexer.page_data = _timed(SearchIndexer.page_data, "styrdok_search_words")
    return config

@atexit.register
def _write():
    with open(os.environ["BENCH_SEARCH_TIMES"], "w") as f:
        json.dump(_T, f)
'''

SEARCH_URLS = {
    "theme": ("/search/search_index.json", "/assets/javascripts/workers/search.", "/assets/javascripts/lunr/"),
    "styrdok": ("/pagefind/", "/assets/javascripts/styrdok-sok.js"),
}

# In the page: the time of the last keystroke in the search box and of the last change of the results
# (the list or the line above it that says how many there are).
PROBE = """() => {
  window.__sok = {key: 0, first: 0, change: 0};
  const box = document.querySelector('input.md-search__input');
  box.addEventListener('keydown', () => { window.__sok.key = performance.now(); window.__sok.first = 0; }, true);
  new MutationObserver(() => {
    const now = performance.now();
    window.__sok.change = now;
    if (!window.__sok.first) window.__sok.first = now;
  })
    .observe(document.querySelector('.md-search-result'), {childList: true, subtree: true, characterData: true});
}"""


def run(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    proc = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if proc.returncode != 0:
        sys.exit(f"{' '.join(map(str, cmd))} misslyckades:\n{proc.stderr[-3000:]}")
    return proc


def add_timing_hook(root: Path, theme_search: bool) -> None:
    (root / "bench_timing_hook.py").write_text(TIMING_HOOK, encoding="utf-8")
    config_path = root / "mkdocs.yml"
    config = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    if "bench_timing_hook.py" not in config.setdefault("hooks", []):
        config["hooks"].append("bench_timing_hook.py")
    if theme_search and not any(isinstance(p, dict) and "search" in p for p in config["plugins"]):
        config["plugins"].insert(0, {"search": {"lang": "sv"}})
        config["theme"]["features"] += ["search.highlight", "search.suggest"]
    config_path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")


def build(root: Path, site: Path, pagefind: bool) -> dict:
    """mkdocs build (timed, with the timing hook), then Pagefind (timed) for styrdok's search."""
    times_file = root / "bench-times.json"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "BENCH_SEARCH_TIMES": str(times_file),
           "PYTHONPATH": str(REPO / "src") + os.pathsep + os.environ.get("PYTHONPATH", "")}
    start = time.perf_counter()
    run([sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "-f", str(root / "mkdocs.yml"),
         "-d", str(site)], cwd=root, env=env)
    out = {"mkdocs_s": time.perf_counter() - start, **json.loads(times_file.read_text())}
    if pagefind:
        from styrdok.search.pagefind import index_site
        start = time.perf_counter()
        index_site(site)
        out["pagefind_s"] = time.perf_counter() - start
    return out


def folder_bytes(path: Path) -> tuple[int, int]:
    """Raw and gzip size of every file under path (or of one file)."""
    files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
    raw = sum(p.stat().st_size for p in files)
    gz = sum(len(gzip.compress(p.read_bytes(), 6)) for p in files)
    return raw, gz


def measure_browser(site: Path, engine: str, doc_path: str) -> dict:
    """First query on a freshly opened page, then the later queries; bytes and times."""
    with serve(site) as base, chromium() as browser:
        context = browser.new_context()
        page = context.new_page()
        bodies: list[tuple[str, bytes]] = []
        outside: list[str] = []

        def on_response(response):
            url = response.url
            if not url.startswith("http://127.0.0.1"):
                outside.append(url)
            try:
                bodies.append((url, response.body()))
            except Exception:
                pass

        context.on("response", on_response)
        page.goto(f"{base}/{doc_path}", wait_until="load")
        page.evaluate(PROBE)
        box = page.locator("input.md-search__input")
        box.click()
        latencies = []
        first_bytes = None
        for i, query in enumerate([FIRST_QUERY, *LATER_QUERIES]):
            if i:
                box.fill("")
                box.press("End")
                page.wait_for_timeout(300)
            page.evaluate("() => { window.__sok.change = 0; }")
            box.press_sequentially(query, delay=60)
            latencies.append(wait_settled(page))
            if i == 0:
                page.wait_for_timeout(200)
                first_bytes = list(bodies)
        context.close()
    search_files = [(u, b) for u, b in first_bytes if any(s in u for s in SEARCH_URLS[engine])]
    return {
        "first_raw": sum(len(b) for _, b in search_files),
        "first_gzip": sum(len(gzip.compress(b, 6)) for _, b in search_files),
        "first_requests": len(search_files),
        "first_ms": latencies[0][0],
        "first_settled_ms": latencies[0][1],
        "later_ms": statistics.median(t[0] for t in latencies[1:]),
        "later_settled_ms": statistics.median(t[1] for t in latencies[1:]),
        "outside": outside,
    }


def wait_settled(page, quiet_ms: int = 500, timeout_s: float = 120) -> tuple[float, float]:
    """ms from the last keystroke to the first change of the results after it (the first results
    for the whole query) and to the last change, once the results have settled."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        state = page.evaluate("() => ({...window.__sok, now: performance.now(), "
                              "meta: document.querySelector('.md-search-result__meta').textContent})")
        settled = state["change"] > state["key"] and state["now"] - state["change"] > quiet_ms
        if settled and "sökresultat" in state["meta"]:
            return state["first"] - state["key"], state["change"] - state["key"]
        page.wait_for_timeout(50)
    raise TimeoutError("sökresultaten kom inte inom tidsgränsen")


def kb(n: float) -> str:
    return f"{n / 1024:,.0f} kB".replace(",", " ")


def table(ours_build: dict, theme_build: dict, ours: dict, theirs: dict, ours_index: tuple[int, int],
          theme_index: tuple[int, int], ours_files: int) -> list[tuple[str, str, str]]:
    """Rows: what is measured, the theme's search, styrdok's."""
    words_s, pagefind_s = ours_build["styrdok_search_words"], ours_build["pagefind_s"]

    def ms(m: dict, key: str) -> str:
        return f"{m[key + '_ms']:.0f} / {m[key + '_settled_ms']:.0f}"

    return [
        ("index build (s)", f"{theme_build['theme_search']:.1f}",
         f"{words_s + pagefind_s:.1f} ({words_s:.1f} search words + {pagefind_s:.1f} Pagefind)"),
        ("whole index on disk, raw / gzip", f"{kb(theme_index[0])} / {kb(theme_index[1])}",
         f"{kb(ours_index[0])} / {kb(ours_index[1])} ({ours_files} files)"),
        ("first query: downloaded, raw / gzip",
         f"{kb(theirs['first_raw'])} / {kb(theirs['first_gzip'])} ({theirs['first_requests']} files)",
         f"{kb(ours['first_raw'])} / {kb(ours['first_gzip'])} ({ours['first_requests']} files)"),
        ("first query download / theme's whole index, raw / gzip", "100 % / 100 %",
         f"{ours['first_raw'] / theme_index[0]:.1%} / {ours['first_gzip'] / theme_index[1]:.1%}"),
        ("first query: typing → first results / all settled (ms)", ms(theirs, "first"), ms(ours, "first")),
        ("later queries, median: typing → first results / all settled (ms)", ms(theirs, "later"), ms(ours, "later")),
        ("mkdocs build, whole site (s)", f"{theme_build['mkdocs_s']:.1f}",
         f"{ours_build['mkdocs_s']:.1f} (+ {pagefind_s:.1f} Pagefind)"),
    ]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=2000)
    ap.add_argument("--keep", type=Path, help="behåll den genererade handboken och webbplatserna här "
                    "(finns handboken redan där används den som den är, med sitt mkdocs.yml och overrides/)")
    ap.add_argument("--out", type=Path, help="skriv tabellen också till den här filen")
    args = ap.parse_args(argv)

    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-search-"))
    work.mkdir(parents=True, exist_ok=True)
    ours_root, theme_root = work / "handbok", work / "handbok-temasok"
    if not ours_root.exists():
        run([sys.executable, str(REPO / "bench" / "generate.py"), "--docs", str(args.docs),
             "--out", str(ours_root)])
    if theme_root.exists():
        shutil.rmtree(theme_root)
    shutil.copytree(ours_root, theme_root, symlinks=True, ignore=shutil.ignore_patterns("site", "site-*"))
    add_timing_hook(ours_root, theme_search=False)
    add_timing_hook(theme_root, theme_search=True)

    print(f"Bygger {args.docs} dokument med styrdoks sökning …", file=sys.stderr)
    ours_build = build(ours_root, work / "site-styrdok", pagefind=True)
    print("Bygger med temats sökning …", file=sys.stderr)
    theme_build = build(theme_root, work / "site-tema", pagefind=False)

    doc = next(p for p in sorted((work / "site-styrdok" / "styrdokument").rglob("index.html"))
               if p.parent.name != "styrdokument")
    doc_path = doc.parent.relative_to(work / "site-styrdok").as_posix() + "/"
    print("Mäter i Chromium …", file=sys.stderr)
    ours = measure_browser(work / "site-styrdok", "styrdok", doc_path)
    theirs = measure_browser(work / "site-tema", "theme", doc_path)

    theme_index = folder_bytes(work / "site-tema" / "search" / "search_index.json")
    ours_index = folder_bytes(work / "site-styrdok" / "pagefind")
    ours_files = sum(1 for p in (work / "site-styrdok" / "pagefind").rglob("*") if p.is_file())
    pages = sum(1 for _ in (work / "site-styrdok").rglob("index.html"))
    rows = table(ours_build, theme_build, ours, theirs, ours_index, theme_index, ours_files)
    lines = [f"Search benchmark, {args.docs} styrdokument ({pages} pages), {time.strftime('%Y-%m-%d')}, "
             f"{platform.machine()}, {os.cpu_count()} cores; first query {FIRST_QUERY!r}, later "
             f"{', '.join(repr(q) for q in LATER_QUERIES)}", "",
             "| | theme's search (lunr) | styrdok (Pagefind) |", "|---|---|---|"]
    lines += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    outside = ours["outside"] + theirs["outside"]
    if outside:
        lines.append(f"\nRequests outside 127.0.0.1: {outside[:5]}")
    text = "\n".join(lines)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
