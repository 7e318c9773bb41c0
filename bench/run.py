"""Benchmark (issue 8): styrdok's build against plain mkdocs-material on generated handbooks.

For each size N (default 100, 500, 2000; `--sizes 100,500`) one run generates a handbook
(bench/generate.py) and measures, interleaving ours and the baseline so both see the same load:

- site build: wall time and peak memory of the whole process tree (RSS of every descendant,
  sampled from /proc every 20 ms and summed), for (a) ours: `styrdok build` (check + mkdocs with
  macros, overrides, hooks, and the Word files once the export exists) and (b) the baseline: plain
  mkdocs-material with the same theme configuration, only the search plugin, no styrdok (the pages'
  macros rendered to text beforehand, front matter reduced to `title:`); ms per page, the ratio
  ours/baseline and the growth exponent log(t2/t1)/log(N2/N1) between sizes;
- preview (at the largest size, `--serve-sizes`): `mkdocs serve` started, one page edited, time
  until the served page shows the edit; then a title edited, time until the generated overview page
  (aggregating all documents) shows it, and whether other pages (navigation, the related-documents
  list of a page that links to it) are still stale; ours and baseline, each with and without --dirty;
- Word: `styrdok.export.export_many` cold, warm and after one edit against bare pandoc (one process
  per file) over the same Markdown, if the export exists (else a note);
- history: `styrdok.history.read_history` against the bare `git log` it runs.

Prints a Markdown table and writes it with date and machine to bench/results.md.

    .venv/bin/python bench/run.py [--sizes 100,500,2000] [--repeat 1] [--serve-sizes 2000]
        [--skip-serve] [--skip-word] [--keep DIR]
"""
from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import importlib
import inspect
import json
import math
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import yaml

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(BENCH))

import generate  # noqa: E402

PY = sys.executable
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONDONTWRITEBYTECODE": "1"}
GOALS = {"build_s": 60.0, "peak_mb": 1024.0, "preview_s": 2.0}


# --- measuring a process tree -----------------------------------------------------------------

def _children(pid: int) -> list[int]:
    out = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/children") as f:
                out += [int(x) for x in f.read().split()]
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        pass
    return out


def _field_kb(path: str, field: str) -> int | None:
    """A 'Name:  123 kB' line of a /proc file, or None if the process or the line is gone."""
    try:
        with open(path) as f:
            for line in f:
                if line.startswith(field):
                    return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        pass
    return None


def tree_memory_kb(pid: int) -> tuple[int, int]:
    """(RSS, PSS) summed over pid and its descendants. PSS counts a page shared by n processes
    1/n in each (the Word export's forked workers share the build process's pages); where the
    kernel has no smaps_rollup, RSS stands in."""
    rss = pss = 0
    todo = [pid]
    while todo:
        p = todo.pop()
        r = _field_kb(f"/proc/{p}/status", "VmRSS:") or 0
        rss += r
        pss += _field_kb(f"/proc/{p}/smaps_rollup", "Pss:") or r
        todo += _children(p)
    return rss, pss


def tree_rss_kb(pid: int) -> int:
    return tree_memory_kb(pid)[0]


@dataclass
class Run:
    wall: float
    peak_mb: float
    rc: int
    output: str = ""
    peak_pss_mb: float = 0.0


def run_measured(cmd: list[str], cwd: Path, env: dict | None = None) -> Run:
    """Wall time and peak summed RSS (and PSS) of cmd and all its descendants."""
    peak = peak_pss = 0
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env or ENV, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    chunks: list[bytes] = []
    reader = threading.Thread(target=lambda: chunks.append(proc.stdout.read()), daemon=True)
    reader.start()
    while proc.poll() is None:
        rss, pss = tree_memory_kb(proc.pid)
        peak, peak_pss = max(peak, rss), max(peak_pss, pss)
        time.sleep(0.02)
    wall = time.perf_counter() - start
    reader.join()
    return Run(wall, peak / 1024, proc.returncode, b"".join(chunks).decode("utf-8", "replace"), peak_pss / 1024)


# --- the baseline ------------------------------------------------------------------------------

def make_baseline(handbook_root: Path, out: Path) -> None:
    """The same Markdown for plain mkdocs-material: macros rendered to text, front matter -> title."""
    from styrdok.load import load_handbook
    from styrdok.render.markdown import render_page_markdown

    handbook, problems = load_handbook(handbook_root)
    if handbook is None or problems.errors:
        raise SystemExit(f"genererad handbok laddar inte: {problems.errors[:3]}")
    from styrdok.model import Page
    from styrdok.parts import generated_files, generated_pages

    docs = out / "docs"
    # The pages styrdok generates (overviews, recent changes) become ordinary pages here.
    extra = [Page(src, src, body, 1, None) for src, body in generated_pages(handbook)]
    for page in [*handbook.pages.values(), *extra]:
        doc = handbook.dokument_by_path(page.src_path)
        title = doc.titel if doc else page.title
        body = page.body
        if page in extra:
            title, body = None, body       # keeps its own front matter (title)
        if "{{" in body or "{%" in body:
            body = render_page_markdown(handbook, handbook_root / "templates", page.src_path, body)
        target = docs / page.src_path
        target.parent.mkdir(parents=True, exist_ok=True)
        head = f"---\ntitle: {json.dumps(title, ensure_ascii=False)}\n---\n\n" if title else ""
        target.write_text(head + body, encoding="utf-8")
    for src, content in generated_files(handbook):      # e.g. the Atom feed the changes page links to
        (docs / src).write_bytes(content)
    shutil.copytree(handbook_root / "docs" / "assets", docs / "assets", dirs_exist_ok=True)
    config = yaml.safe_load((handbook_root / "mkdocs.yml").read_text(encoding="utf-8"))
    config["theme"].pop("custom_dir", None)
    config.pop("hooks", None)
    config["plugins"] = [{"search": {"lang": "sv"}}]
    config["site_name"] = config.get("site_name", "Baslinje")
    (out / "mkdocs.yml").write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    # "Plain mkdocs-material" as the issue measures it: the theme's defaults (full navigation on
    # every page), Swedish, only the search plugin.
    plain = {"site_name": config["site_name"], "docs_dir": "docs",
             "theme": {"name": "material", "language": "sv"},
             "plugins": [{"search": {"lang": "sv"}}],
             "markdown_extensions": config.get("markdown_extensions", [])}
    (out / "mkdocs-plain.yml").write_text(yaml.safe_dump(plain, allow_unicode=True, sort_keys=False),
                                          encoding="utf-8")


def build_ours_site(root: Path) -> Run:
    """`styrdok build` without its Word step: the check, then mkdocs with styrdok's layer (--strict),
    clean (no site cache: bench/bench_rebuild.py measures the cached builds)."""
    shutil.rmtree(root / "site", ignore_errors=True)
    shutil.rmtree(root / ".cache" / "site", ignore_errors=True)
    script = ("import importlib.util, sys, styrdok.cli as c\n"
              "if not hasattr(c, 'word_step') and importlib.util.find_spec('styrdok.export'):\n"
              "    sys.exit('bench/run.py: styrdok.cli.word_step finns inte längre; uppdatera build_ours_site')\n"
              "c.word_step = lambda handbook, root: (lambda site_tmp: None)\n"
              "sys.exit(c.main(sys.argv[1:]))\n")
    return run_measured([PY, "-c", script, "--root", str(root), "build"], root)


def build_ours_full(root: Path) -> Run:
    """`styrdok build` as a user runs it: check, site and (when the export exists) the Word files."""
    shutil.rmtree(root / "site", ignore_errors=True)
    shutil.rmtree(root / ".cache" / "site", ignore_errors=True)
    return run_measured([PY, "-m", "styrdok", "--root", str(root), "build"], root)


def build_baseline(root: Path, config: str = "mkdocs.yml", site: str = "site") -> Run:
    shutil.rmtree(root / site, ignore_errors=True)
    return run_measured([PY, "-m", "mkdocs", "build", "--quiet", "-f", str(root / config),
                         "-d", str(root / site)], root)


def build_plain(root: Path) -> Run:
    """Plain mkdocs-material (theme defaults, unpruned navigation) on the same Markdown."""
    return build_baseline(root, "mkdocs-plain.yml", "site-plain")


# --- preview -----------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=10) as resp:
            return resp.read().decode("utf-8", "replace")
    except Exception:
        return None


def poll(url: str, needle: str, timeout: float, interval: float = 0.05,
         alive=lambda: True) -> float | None:
    """Seconds until the page at url contains needle (None on timeout or when alive() turns false)."""
    start = time.perf_counter()
    while time.perf_counter() - start < timeout and alive():
        text = fetch(url)
        if text is not None and needle in text:
            return time.perf_counter() - start
        time.sleep(interval)
    return None


class Server:
    """`mkdocs serve` in its own process group; its log lines are kept with their times."""

    def __init__(self, root: Path, dirty: bool):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}/"
        cmd = [PY, "-m", "mkdocs", "serve", "-f", str(root / "mkdocs.yml"), "-a", f"127.0.0.1:{self.port}",
               # A dirty build warns ("inaccurate navigation"), which strict mode turns into a failure.
               "--livereload", *(["--dirty", "--no-strict"] if dirty else [])]
        self.proc = subprocess.Popen(cmd, cwd=root, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        self.log: list[tuple[float, str]] = []
        self.peak_mb = 0.0
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for raw in self.proc.stdout:
            self.log.append((time.perf_counter(), raw.decode("utf-8", "replace").rstrip()))

    def builds_done_after(self, t0: float) -> list[float]:
        return [t - t0 for t, line in self.log if t > t0 and "Documentation built in" in line]

    def stop(self) -> None:
        if self.proc.poll() is not None:
            return
        try:
            os.killpg(self.proc.pid, 15)
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, 9)
            self.proc.wait()
        except ProcessLookupError:
            pass


def _url_of(src_path: str) -> str:
    from styrdok.render.markdown import page_url
    return page_url(src_path)


def _replace_title(path: Path, old: str, new: str, key: str) -> None:
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(f"{key}: {old}\n", f"{key}: {new}\n", 1).replace(
        f'{key}: "{old}"\n', f'{key}: "{new}"\n', 1), encoding="utf-8")


@dataclass
class Preview:
    startup: float | None = None
    body: float | None = None
    title: float | None = None
    overview: float | None = None      # ours: generated per-typ page; baseline: n/a
    stale: list[str] = field(default_factory=list)
    peak_mb: float = 0.0
    note: str = ""


def measure_preview(root: Path, gen: generate.Generator, *, ours: bool, dirty: bool, timeout: float) -> Preview:
    """Edit one page body, then one title; time until served pages show it; list what stayed stale."""
    # A document that another document lists as relaterade, and a sibling page in the same folder.
    target = next(d for d in gen.docs if any(target_of(x, d) for x in gen.docs) and d.unit.avdelning)
    linking = next(x for x in gen.docs if target_of(x, target))
    sibling = next(x for x in gen.docs if x is not target and x.unit is target.unit)
    path = root / "docs" / target.src_path
    original = path.read_text(encoding="utf-8")
    res = Preview()
    server = Server(root, dirty)
    try:
        res.startup = poll(server.base + _url_of(target.src_path), target.titel, timeout, 0.5,
                           alive=lambda: server.proc.poll() is None)
        if res.startup is None:
            res.note = "servern startade inte: " + " | ".join(line for _t, line in server.log[-5:])
            return res
        time.sleep(1.0)
        token = f"Ändrad text {time.time_ns()}"
        path.write_text(original.rstrip("\n") + f"\n\n{token}.\n", encoding="utf-8")
        res.body = poll(server.base + _url_of(target.src_path), token, timeout)
        time.sleep(1.0)
        new_title = f"{target.titel} ny titel {time.time_ns() % 100000}"
        t0 = time.perf_counter()
        _replace_title(path, target.titel, new_title, "titel" if ours else "title")
        res.title = poll(server.base + _url_of(target.src_path), new_title, timeout)
        if ours:
            left = timeout - (time.perf_counter() - t0)
            got = poll(server.base + "styrdokument/per-typ/", new_title, max(5.0, left))
            res.overview = None if got is None else time.perf_counter() - t0
            if got is None:
                res.stale.append("översikt per typ")
        # Wait until the build that followed the edit has finished, then look at other pages.
        end = time.perf_counter() + (timeout if not dirty else 10)
        while not server.builds_done_after(t0) and time.perf_counter() < end:
            time.sleep(0.1)
        time.sleep(0.5)
        sib = fetch(server.base + _url_of(sibling.src_path)) or ""
        if new_title not in sib:
            res.stale.append("navigering på andra sidor")
        if ours:
            lnk = fetch(server.base + _url_of(linking.src_path)) or ""
            if new_title not in lnk:
                res.stale.append("relaterade dokument på sidor som länkar hit")
        res.peak_mb = tree_rss_kb(server.proc.pid) / 1024
    finally:
        server.stop()
        path.write_text(original, encoding="utf-8")
    return res


def target_of(doc: generate.Doc, target: generate.Doc) -> bool:
    return any(r is target for r in doc.related)


# --- Word export -------------------------------------------------------------------------------

def measure_word(root: Path, jobs: int) -> dict:
    """export_many cold / warm / after one edit, and bare pandoc per file over the same Markdown.

    Uses the handbook's own cache folder (.cache/word), so a `styrdok build` afterwards is warm.
    """
    try:
        from styrdok.export.documents import templates_for, word_document
        from styrdok.export import export_many
    except ImportError:
        return {"note": "Word-exporten (styrdok.export) finns inte ännu: inte mätt."}
    import pypandoc
    from concurrent.futures import ThreadPoolExecutor
    from styrdok.load import Project, load_handbook

    project = Project(root)
    handbook, _problems = load_handbook(root)
    start = time.perf_counter()
    words = [word_document(handbook, project, d) for d in handbook.dokument.values()]
    prepare = time.perf_counter() - start
    templates = templates_for(project)
    cache, out, bare = root / ".cache" / "word", Path(tempfile.mkdtemp(prefix="bench-word-")), None
    shutil.rmtree(cache, ignore_errors=True)
    result: dict = {"docs": len(words), "prepare": prepare, "jobs": jobs}
    try:
        pandoc = pypandoc.get_pandoc_path()
        bare = out / "bar"
        bare.mkdir()

        def one(item):
            i, body = item
            subprocess.run([pandoc, "-f", "markdown", "-o", str(bare / f"{i}.docx"),
                            f"--reference-doc={templates / 'reference.docx'}"], input=body.encode(), check=True,
                           capture_output=True)

        def timed(fn) -> float:
            t0 = time.perf_counter()
            fn()
            return time.perf_counter() - t0

        # Same order every time: baseline, cold, warm, one edit (all on `jobs` processes).
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            result["pandoc"] = timed(lambda: list(pool.map(one, enumerate(w.body_markdown for w in words))))
        result["cold"] = timed(lambda: export_many(words, out / "word", templates, jobs=jobs, cache_dir=cache))
        result["warm"] = timed(lambda: export_many(words, out / "word", templates, jobs=jobs, cache_dir=cache))
        edited = list(words)
        edited[0] = dataclasses.replace(words[0], body_markdown=words[0].body_markdown + "\nEn ändring.\n")
        result["edit"] = timed(lambda: export_many(edited, out / "word", templates, jobs=jobs, cache_dir=cache))
    finally:
        shutil.rmtree(out, ignore_errors=True)
    return result


# --- history -----------------------------------------------------------------------------------

def measure_history(root: Path) -> dict:
    try:
        from styrdok import history as history_module
        from styrdok.history import log_command, read_history
    except ImportError:
        return {"note": "styrdok.history finns inte"}
    cmd = ["git", "-c", "core.quotepath=false", "-c", "color.ui=false", *log_command(["docs", "data"])]
    base, ours = [], []
    for _ in range(3):
        start = time.perf_counter()
        subprocess.run(cmd, cwd=root, stdout=subprocess.DEVNULL, check=True)
        base.append(time.perf_counter() - start)
        history_module._LAST.clear()          # measure the read, not the per-commit memo (mkdocs serve)
        start = time.perf_counter()
        read_history(root)
        ours.append(time.perf_counter() - start)
    return {"ours": statistics.median(ours), "base": statistics.median(base)}


# --- report ------------------------------------------------------------------------------------

def machine() -> str:
    cpu = "?"
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    except Exception:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    load = os.getloadavg()
    return (f"{platform.node()}: {os.cpu_count()} kärnor ({cpu}), {mem:.0f} GiB, Python {platform.python_version()}, "
            f"belastning före körningen {load[0]:.1f}")


def exponent(t1: float, t2: float, n1: int, n2: int) -> float:
    return math.log(t2 / t1) / math.log(n2 / n1)


def fmt(x: float | None, unit: str = "s", digits: int = 1) -> str:
    return "–" if x is None else f"{x:.{digits}f} {unit}".strip()


def report(results: dict, previews: dict, words: dict, history: dict, args, started: str) -> str:
    sizes = sorted(results)
    out = ["# Benchmark: styrdok mot ren mkdocs-material", "",
           f"Körd {started} på {machine()}.", f"Kommando: `{' '.join(sys.argv)}`", "",
           "Baslinjen: samma Markdown (makron ersatta med sin text, front matter bara `title`, de genererade "
           "sidorna som vanliga sidor) byggd av mkdocs-material med samma tema och inställningar men bara "
           "sökpluginen (alltså med beskuren navigering, navigation.prune). *Ren mkdocs-material (standard)*: "
           "samma Markdown med temats standardinställningar, där varje sida får hela navigeringen – det "
           "ärendet jämför med (250 s vid 2 000 sidor). *Vår webbplats*: `styrdok build` utan Word-steget (kontroll + mkdocs med makron, "
           "overrides, hooks, taggar, privacy). Tider är median av "
           f"{args.repeat} körning(ar) per storlek, vår och baslinjens körningar omväxlande. Minne: summan av RSS "
           "för hela processträdet (provtaget var 20:e ms); för hela bygget med Word också PSS, där en sida som "
           "Word-exportens avgrenade (fork) arbetsprocesser delar med byggprocessen räknas en gång, inte en gång "
           "per process. Maskinen delas med annat arbete: jämför kvoterna.", "",
           "## Webbplatsbygget", "",
           "| N dokument | sidor | vår webbplats | baslinje | kvot | ms/sida (vår / bas) | topp-minne (vår / bas) | "
           "tillväxtexponent (vår / bas) | hela `styrdok build` med Word | ren mkdocs-material (standard) | "
           "ren / vår |",
           "|---|---|---|---|---|---|---|---|---|---|---|"]
    prev = None
    for n in sizes:
        r = results[n]
        o, b = statistics.median(r["ours"]), statistics.median(r["base"])
        om, bm = max(r["ours_mb"]), max(r["base_mb"])
        growth = "–"
        if prev:
            po, pb, pn = prev
            growth = f"{exponent(po, o, pn, n):.2f} / {exponent(pb, b, pn, n):.2f}"
        full = (f"{r['full']:.1f} s ({r['full'] / b:.1f} × bas), {r['full_mb']:.0f} MB (PSS {r['full_pss']:.0f} MB), "
                f"Word-cache {r['full_cache']}" if "full" in r else "–")
        plain = (f"{r['plain']:.1f} s, {r['plain_mb']:.0f} MB | {r['plain'] / o:.2f}"
                 if "plain" in r else "– | –")
        out.append(f"| {n} | {r['pages']} | {o:.1f} s | {b:.1f} s | {o / b:.2f} | "
                   f"{1000 * o / r['pages']:.0f} / {1000 * b / r['pages']:.0f} | {om:.0f} / {bm:.0f} MB | {growth} | {full} | "
                   f"{plain} |")
        prev = (o, b, n)
    big = sizes[-1]
    o = statistics.median(results[big]["ours"])
    out += ["", f"Mål vid N=2000: webbplatsbygge ≤ {GOALS['build_s']:.0f} s och ungefär linjärt, minne ≤ 1 GiB, "
                f"förhandsvisning ≤ {GOALS['preview_s']:.0f} s. Största storleken här, N={big}: {o:.1f} s, "
                f"{max(results[big]['ours_mb']):.0f} MB."]
    if previews:
        out += ["", "## Förhandsvisning (mkdocs serve)", "",
                "Tid från att filen sparas till att den serverade sidan visar ändringen (mkdocs bevakar filerna "
                "genom att fråga var 0,5 s). *En sida*: ett stycke läggs till i ett styrdokument. *Titel*: ny titel i "
                "front matter; *översikt*: tills den genererade sidan Per dokumenttyp (alla dokument) visar den. "
                "*Inaktuellt*: vad som fortfarande visar den gamla titeln när bygget efter ändringen är klart. "
                "--dirty körs med --no-strict (mkdocs varning om --dirty stoppar annars bygget).",
                "", "| N | uppsättning | start | en sida | titel | översikt | inaktuellt | minne |",
                "|---|---|---|---|---|---|---|---|"]
        for (n, name), p in sorted(previews.items()):
            out.append(f"| {n} | {name} | {fmt(p.startup)} | {fmt(p.body, 's', 2)} | {fmt(p.title, 's', 2)} | "
                       f"{fmt(p.overview, 's', 2) if 'styrdok' in name else 'statisk'} | "
                       f"{', '.join(p.stale) or 'inget'} | {p.peak_mb:.0f} MB |"
                       + (f" {p.note}" if p.note else ""))
    out += ["", "## Word", ""]
    if not words:
        out.append("Hoppades över.")
    for n, w in sorted(words.items()):
        if "cold" not in w:
            out.append(f"- N={n}: {w.get('note')}")
            continue
        d = w["docs"]
        out += [f"N={n}: {d} dokument, {w['jobs']} processer; att förbereda Markdown för alla (makron, "
                f"word_document) {w['prepare']:.1f} s ingår inte nedan.", "",
                "| mätning | tid | ms/dokument | mot ren pandoc |", "|---|---|---|---|",
                f"| ren pandoc, en process per fil (baslinje) | {w['pandoc']:.1f} s | {1000 * w['pandoc'] / d:.0f} | 1.00 |",
                f"| export_many kallt | {w['cold']:.1f} s | {1000 * w['cold'] / d:.0f} | {w['cold'] / w['pandoc']:.2f} |",
                f"| export_many varmt | {w['warm']:.1f} s | {1000 * w['warm'] / d:.1f} | {w['warm'] / w['pandoc']:.2f} |",
                f"| export_many efter en ändring | {w['edit']:.1f} s | – | {w['edit'] / w['pandoc']:.2f} |", ""]
    out += ["", "## Historik (read_history)", "", "| N | read_history | git log (baslinje) | kvot |", "|---|---|---|---|"]
    for n, h in sorted(history.items()):
        if "ours" in h:
            out.append(f"| {n} | {h['ours']:.2f} s | {h['base']:.2f} s | {h['ours'] / h['base']:.2f} |")
        else:
            out.append(f"| {n} | {h.get('note')} | | |")
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="100,500,2000")
    ap.add_argument("--repeat", type=int, default=1, help="körningar per storlek och uppsättning (median)")
    ap.add_argument("--serve-sizes", default=None, help="storlekar där förhandsvisningen mäts (standard: största)")
    ap.add_argument("--word-sizes", default="100,500,2000", help="storlekar där Word-exporten mäts (kallt, varmt …)")
    ap.add_argument("--plain-sizes", default="100,500,2000",
                    help="storlekar där ren mkdocs-material med temats standardinställningar mäts")
    ap.add_argument("--full-sizes", default=None,
                    help="storlekar där hela `styrdok build` (med Word) mäts (standard: alla)")
    ap.add_argument("--skip-serve", action="store_true")
    ap.add_argument("--skip-word", action="store_true")
    ap.add_argument("--commits-per-file", type=int, default=3)
    ap.add_argument("--keep", type=Path, help="generera handböckerna här och behåll dem")
    ap.add_argument("--out", type=Path, default=BENCH / "results.md")
    args = ap.parse_args(argv)
    sizes = sorted(int(x) for x in args.sizes.split(","))
    serve_sizes = set() if args.skip_serve else (
        {int(x) for x in args.serve_sizes.split(",")} if args.serve_sizes else {sizes[-1]})
    word_sizes = set() if args.skip_word else {int(x) for x in args.word_sizes.split(",")}
    plain_sizes = {int(x) for x in args.plain_sizes.split(",") if x}
    full_sizes = set() if args.skip_word else (
        {int(x) for x in args.full_sizes.split(",")} if args.full_sizes else set(sizes))
    started = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    work = args.keep or Path(tempfile.mkdtemp(prefix="styrdok-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    results: dict = {}
    previews: dict = {}
    words: dict = {}
    history: dict = {}
    try:
        for n in sizes:
            root, base = work / f"handbok-{n}", work / f"baslinje-{n}"
            shutil.rmtree(root, ignore_errors=True)
            shutil.rmtree(base, ignore_errors=True)
            gen = generate.generate(root, n, args.commits_per_file)
            make_baseline(root, base)
            pages = sum(1 for _ in (root / "docs").rglob("*.md"))
            r = results[n] = {"pages": pages, "ours": [], "base": [], "ours_mb": [], "base_mb": []}
            for i in range(args.repeat):
                order = [("base", build_baseline, base), ("ours", build_ours_site, root)]
                for name, fn, where in (order if i % 2 == 0 else order[::-1]):
                    run = fn(where)
                    if run.rc != 0:
                        raise SystemExit(f"{name} N={n} misslyckades:\n{run.output[-3000:]}")
                    r[name].append(run.wall)
                    r[f"{name}_mb"].append(run.peak_mb)
                    print(f"N={n} {name}: {run.wall:.1f} s, {run.peak_mb:.0f} MB", file=sys.stderr, flush=True)
            if n in plain_sizes:
                run = build_plain(base)
                if run.rc != 0:
                    raise SystemExit(f"ren mkdocs-material N={n} misslyckades:\n{run.output[-3000:]}")
                r["plain"], r["plain_mb"] = run.wall, run.peak_mb
                print(f"N={n} plain: {run.wall:.1f} s, {run.peak_mb:.0f} MB", file=sys.stderr, flush=True)
            history[n] = measure_history(root)
            if n in word_sizes:
                words[n] = measure_word(root, os.cpu_count() or 2)
                print(f"N={n} word: {words[n]}", file=sys.stderr, flush=True)
            if n in full_sizes:
                warm = (root / ".cache" / "word").is_dir()
                run = build_ours_full(root)
                if run.rc != 0:
                    raise SystemExit(f"styrdok build N={n} misslyckades:\n{run.output[-3000:]}")
                r["full"], r["full_mb"], r["full_cache"] = run.wall, run.peak_mb, "varm" if warm else "kall"
                r["full_pss"] = run.peak_pss_mb
                print(f"N={n} styrdok build (med Word, cache {r['full_cache']}): {run.wall:.1f} s, "
                      f"{run.peak_mb:.0f} MB (PSS {run.peak_pss_mb:.0f} MB)", file=sys.stderr, flush=True)
            if n in serve_sizes:
                timeout = 4 * max(r["ours"] + r["base"]) + 60
                for dirty in (False, True):
                    for name, where, ours in (("baslinje", base, False), ("styrdok", root, True)):
                        label = f"{name}{' --dirty' if dirty else ''}"
                        p = measure_preview(where, gen, ours=ours, dirty=dirty, timeout=timeout)
                        previews[(n, label)] = p
                        print(f"N={n} serve {label}: start {fmt(p.startup)}, sida {fmt(p.body, 's', 2)}, "
                              f"titel {fmt(p.title, 's', 2)}, översikt {fmt(p.overview, 's', 2)}, "
                              f"inaktuellt: {', '.join(p.stale) or 'inget'} {p.note}", file=sys.stderr, flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    text = report(results, previews, words, history, args, started)
    print(text)
    args.out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
