"""Issue 19 point 3: save → served changed page in the preview, on the kommun corpus (generate_kommun.py).

For each N: `styrdok forhandsvisa` (make serve) and plain `mkdocs serve` of the same Markdown with the
plain theme (the baseline, generate_kommun.plain_dir), in the same run. A page is fetched, its text
is saved changed, and the time from the save to the first answer that shows the change is measured
(median of several saves); for styrdok also titles saved on one page → the new title in ANOTHER
page's menu, and changes in data/ → an overview page showing them (CHANGES of each). Also the start-up
(first page served) and the CPU time of the server process: its own (all threads, not Pagefind) from
each save to the answer, after waiting for the server to go quiet before the save. Prints a Markdown
section. Old code against new: run it with PYTHONPATH=<a copy of the old tree>/src (the server is
started with this environment).

    .venv/bin/python bench/bench_preview.py --sizes 500,2000 [--keep /tmp/kommun] [--reuse]
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(BENCH.parent / "src"))

import generate_kommun  # noqa: E402
from run import ENV, PY, machine  # noqa: E402

SAVES = 5
CHANGES = 3       # titles and data changes measured per size


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=600) as resp:
            return resp.read().decode("utf-8", "replace")
    except (urllib.error.URLError, OSError):
        return ""


def wait_for(url: str, needle: str, proc: subprocess.Popen, timeout: float = 900) -> float:
    """Seconds until url shows needle (polling as fast as answers come)."""
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        if proc.poll() is not None:
            raise SystemExit(f"servern avslutades: {proc.stdout.read()[-3000:] if proc.stdout else ''}")
        if needle in fetch(url):
            return time.perf_counter() - start
        time.sleep(0.02)
    raise SystemExit(f"{url} visade aldrig {needle!r}")


def cpu_seconds(pid: int) -> float:
    """user + system CPU time of a process and its waited-for children (from /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    tick = os.sysconf("SC_CLK_TCK")
    return sum(int(fields[i]) for i in (11, 12, 13, 14)) / tick


def own_cpu_seconds(pid: int) -> float:
    """user + system CPU time of the process itself, all its threads, without its children (the
    preview's Pagefind, which indexes again in the background)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def settle(server: "Server", limit: float = 60) -> None:
    """Wait until the server and its children are idle (no background load or search index): under
    8 % of a core in a second (the watcher's looks, four a second, stay below)."""
    end = time.monotonic() + limit
    last = cpu_seconds(server.proc.pid) + _children_cpu(server.proc.pid)
    while time.monotonic() < end:
        time.sleep(1.0)
        now = cpu_seconds(server.proc.pid) + _children_cpu(server.proc.pid)
        if now - last < 0.08:
            return
        last = now


def _children_cpu(pid: int) -> float:
    total = 0.0
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return 0.0
    for child in children:
        try:
            total += cpu_seconds(int(child))
        except (OSError, ValueError):
            pass
    return total


def page_url(root: Path, page: Path) -> str:
    rel = page.relative_to(root / "docs").with_suffix("").as_posix()
    return rel[:-len("index")] if rel.endswith("index") else rel + "/"


def append(page: Path, words: str) -> None:
    page.write_text(page.read_text(encoding="utf-8") + f"\n{words}\n", encoding="utf-8")


class Server:
    def __init__(self, cmd: list[str], cwd: Path):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}/"
        self.proc = subprocess.Popen([*cmd, str(self.port)] if cmd[-1] == "--port" else
                                     [*cmd, f"127.0.0.1:{self.port}"], cwd=cwd, env=ENV,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)

    def stop(self) -> float:
        cpu = cpu_seconds(self.proc.pid)
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        return cpu


TOKEN = f"k{int(time.time())}"      # words no earlier run wrote into a kept corpus



def saves(server: Server, root: Path, pages: list[Path], marker: str, cpu: list | None = None) -> list[float]:
    """Save each page with a new sentence; the seconds until the server shows it (and in cpu the
    server's CPU seconds from the save to the answer)."""
    out = []
    for i, page in enumerate(pages):
        url = server.base + page_url(root, page)
        assert TOKEN not in fetch(url)               # the page is open in the browser
        time.sleep(1.1)                              # a later mtime than the last save
        if cpu is not None:
            settle(server)
        words = f"{marker} {TOKEN} nummer {i} sparad nu."
        before = own_cpu_seconds(server.proc.pid)
        append(page, words)
        out.append(wait_for(url, words, server.proc))
        if cpu is not None:
            cpu.append(own_cpu_seconds(server.proc.pid) - before)
    return out


def measure(n: int, base: Path, reuse: bool, baseline: bool = True) -> dict:
    root = base / f"kommun-{n}"
    if reuse and root.is_dir():
        generate_kommun.copy_layer(root)
    else:
        generate_kommun.generate(n, root)
    pages = sorted((root / "docs" / "kommun").rglob("*.md"))
    picked = [pages[(k + 1) * len(pages) // (SAVES + 2)] for k in range(SAVES)]
    r: dict = {"n": n}

    r["load_styrdok"] = os.getloadavg()[0]
    started = time.perf_counter()
    server = Server([PY, "-m", "styrdok", "--root", str(root), "forhandsvisa", "--port"], root)
    try:
        wait_for(server.base + page_url(root, picked[0]), "<html", server.proc)
        r["start"] = time.perf_counter() - started
        r["save_cpu"] = []
        r["saves"] = saves(server, root, picked, "Förhandsvisningen", r["save_cpu"])
        # A title saved on one page: the new title in another page's menu (same folder: it is listed
        # there); then data/: the overview of responsibilities (Mitt ansvar for SAS) shows a changed
        # task. CHANGES of each, every one after the server has gone quiet (no background work).
        r["title"], r["title_cpu"], r["data"], r["data_cpu"] = [], [], [], []
        ansvar = root / "data" / "ansvar.yml"
        overview = server.base + "ledningssystem/mitt-ansvar/sas/"
        for k in range(CHANGES):
            page = picked[1 + k % (SAVES - 1)]
            other = next(p for p in pages if p.parent == page.parent and p != page)
            fetch(server.base + page_url(root, other))
            settle(server)
            text = page.read_text(encoding="utf-8")
            before = own_cpu_seconds(server.proc.pid)
            page.write_text(text.replace("titel: ", f"titel: Omdöpt {TOKEN} {k} ", 1), encoding="utf-8")
            r["title"].append(wait_for(server.base + page_url(root, other), f"Omdöpt {TOKEN} {k} ", server.proc))
            r["title_cpu"].append(own_cpu_seconds(server.proc.pid) - before)
        for k in range(CHANGES):
            fetch(overview)
            settle(server)
            lines = ansvar.read_text(encoding="utf-8").split("\n")
            sas = next(i for i, line in enumerate(lines) if line.strip() == "- roll: sas")
            task = next(i for i in range(sas, len(lines)) if lines[i].strip().startswith("uppgift: "))
            lines[task] = lines[task].replace("uppgift: ", f"uppgift: Ändrad {TOKEN} {k} – ", 1)
            before = own_cpu_seconds(server.proc.pid)
            ansvar.write_text("\n".join(lines), encoding="utf-8")
            r["data"].append(wait_for(overview, f"Ändrad {TOKEN} {k} – ", server.proc))
            r["data_cpu"].append(own_cpu_seconds(server.proc.pid) - before)
    finally:
        r["cpu"] = server.stop()
    print(report([r], "(delresultat)", []), flush=True)
    if not baseline:
        return r
    r["load"] = os.getloadavg()[0]
    plain = generate_kommun.plain_dir(root)
    plain_pages = [plain / "docs" / p.relative_to(root / "docs") for p in picked]
    started = time.perf_counter()
    server = Server([PY, "-m", "mkdocs", "serve", "--livereload", "--dirty", "--dev-addr"], plain)
    try:
        wait_for(server.base + page_url(plain, plain_pages[0]), "<html", server.proc, timeout=5400)
        r["plain_start"] = time.perf_counter() - started
        r["plain_saves"] = saves(server, plain, plain_pages, "Baslinjen")
    finally:
        r["plain_cpu"] = server.stop()

    return r


def _spread(values: list[float], scale: float = 1000, unit: str = "ms") -> str:
    """Median (min–max)."""
    med = statistics.median(values) * scale
    if len(values) == 1:
        return f"{med:.0f} {unit}"
    return f"{med:.0f} {unit} ({min(values) * scale:.0f}–{max(values) * scale:.0f})"


def report(results: list[dict], started: str, argv: list[str]) -> str:
    lines = [f"Körd {started} på {machine()}. Kommando: `bench/bench_preview.py {' '.join(argv)}`. "
             f"Tid från att filen sparas till att servern svarar med den ändrade sidan; median av {SAVES} "
             f"sparningar av text och {CHANGES} av titel och data (min–max).", "",
             "| N | ren `mkdocs serve` (bas) | styrdok forhandsvisa | mot bas | titel → annan sidas meny | "
             "data → översikt | start (första sidan): bas / styrdok | CPU-tid server: bas / styrdok | belastning |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        if "plain_saves" not in r:
            r = {**r, "plain_saves": [float("nan")], "plain_start": float("nan"), "plain_cpu": float("nan"),
                 "load": float("nan")}
        b, s = statistics.median(r["plain_saves"]), statistics.median(r["saves"])
        lines.append(f"| {r['n']} | {_spread(r['plain_saves'])} | {_spread(r['saves'])} "
                     f"| {s / b:.2f}× | {_spread(r['title'])} | {_spread(r['data'])} "
                     f"| {r['plain_start']:.1f} s / {r['start']:.1f} s | {r['plain_cpu']:.1f} s / {r['cpu']:.1f} s "
                     f"| {r['load']:.1f} / {r['load_styrdok']:.1f} |")
    for r in results:
        if "save_cpu" in r:
            lines.append(f"\nN = {r['n']}: serverns egen CPU-tid (alla trådar, utan Pagefind) från sparningen till "
                         f"svaret: text {_spread(r['save_cpu'])}, titel {_spread(r['title_cpu'])}, "
                         f"data {_spread(r['data_cpu'])}; belastning {r['load_styrdok']:.1f}.")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="500")
    ap.add_argument("--keep", type=Path)
    ap.add_argument("--reuse", action="store_true", help="använd korpusar som redan finns i --keep")
    ap.add_argument("--utan-bas", action="store_true", help="bara styrdok, inte ren mkdocs serve")
    args = ap.parse_args(argv)
    started = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    base = args.keep or Path(tempfile.mkdtemp(prefix="bench-preview-"))
    results = []
    for n in [int(x) for x in args.sizes.split(",")]:
        results.append(measure(n, base, args.reuse, baseline=not args.utan_bas))
        print(report(results, started, argv), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
