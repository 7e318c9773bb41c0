"""`styrdok forhandsvisa` (make serve) as a SAS uses it: pages made when asked for, from the files as
they are after a save — the navigation on other pages, the overviews made from data, the same page
`styrdok build` writes — problems shown in the page, and the page reloading by itself in Chromium."""
from __future__ import annotations

import html
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from browser import site_page
from conftest import MINI, copy_handbook, git_handbook, run_cli, tree_digest


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _ctrl_c_as_in_a_terminal() -> None:
    """In the preview's process before it starts: SIGINT as a terminal delivers it. A shell that runs
    pytest in the background (`make test &`, nohup, a CI runner's job) sets SIGINT to ignored, children
    inherit that, and Python then installs no KeyboardInterrupt handler: Ctrl+C would never stop it."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


class Preview:
    """`styrdok forhandsvisa` in a process of its own, as `make serve` starts it. What it prints is
    read as it comes (wait_for_log) and returned by stop()."""

    def __init__(self, root, env: dict | None = None):
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen([sys.executable, "-m", "styrdok", "--root", str(root), "forhandsvisa",
                                      "--port", str(self.port)], cwd=root, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True,
                                     env={**os.environ, "NO_MKDOCS_2_WARNING": "1", **(env or {})},
                                     preexec_fn=_ctrl_c_as_in_a_terminal)
        self.lines: list[str] = []
        self._printed = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self.wait_for_log(f"Förhandsvisningen: {self.base}/", timeout=90)       # printed once it listens

    def _read(self) -> None:
        for line in self.proc.stdout:
            with self._printed:
                self.lines.append(line)
                self._printed.notify_all()
        with self._printed:
            self._printed.notify_all()

    def output(self) -> str:
        if self.proc.poll() is not None:        # ended: what it printed last is read to the end
            self._reader.join(timeout=10)
        with self._printed:
            return "".join(self.lines)

    def count(self, text: str) -> int:
        """How many lines printed so far contain text."""
        with self._printed:
            return sum(text in line for line in self.lines)

    def wait_for_log(self, text: str, times: int = 1, timeout: float = 120) -> None:
        """Until text has been printed in `times` lines (counted from the start)."""
        with self._printed:
            done = self._printed.wait_for(lambda: sum(text in line for line in self.lines) >= times
                                          or not self._reader.is_alive(), timeout)
            printed = sum(text in line for line in self.lines)
        assert done and printed >= times, f"{text!r} skrevs {printed} gånger, inte {times}:\n" + self.output()

    def get(self, path: str) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(self.base + path, timeout=60) as resp:
                return resp.status, resp.read().decode("utf-8")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode("utf-8")

    def stop(self) -> str:
        """Ctrl+C, as a person stops it; its output. If it has not stopped within 20 s, what each of
        its threads was doing (SIGUSR1) ends the output before it is killed."""
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(timeout=20)
            late = ""
        except subprocess.TimeoutExpired:
            self.proc.send_signal(signal.SIGUSR1)
            time.sleep(2)
            self.proc.kill()
            self.proc.wait()
            late = "\n(förhandsvisningen stannade inte inom 20 s efter Ctrl+C)"
        self._reader.join(timeout=10)
        return self.output() + late


def _nav(page: str) -> str:
    """The menu: the primary navigation, up to the page's table of contents."""
    start = page.index('<nav class="md-nav md-nav--primary"')
    return page[start:page.index('md-sidebar--secondary', start)]


def _article(page: str) -> str:
    return page[page.index("<article"):page.index("</article>")]


def _assert_served_as_built(handbook, served: dict[str, str]) -> None:
    """Each page the preview served (url: page) has the article and menu `styrdok build` writes."""
    built = run_cli(handbook, "build", "--utan-word")
    assert built.returncode == 0, built.stderr
    for url, page in served.items():
        written = (handbook / "site" / url.lstrip("/") / "index.html").read_text(encoding="utf-8")
        assert _article(page) == _article(written), url
        assert _nav(page) == _nav(written), url


def _edit(path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} finns inte i {path}"
    time.sleep(0.02)
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture
def handbook(tmp_path):
    root = copy_handbook(MINI, tmp_path / "handbok")
    rutin = root / "docs" / "rutiner" / "avvikelser.md"
    rutin.write_text(rutin.read_text(encoding="utf-8") + '\n## Ansvar\n\n{{ ansvar("avvikelser") }}\n',
                     encoding="utf-8")
    return git_handbook(root)


@pytest.mark.langsam
def test_a_saved_title_reaches_every_page_menu_data_the_overview_a_new_calendar_appears_and_the_page_is_the_build(handbook):
    """Saves reach every page that shows what changed, and the generated files (the review calendars)
    are made on request from the current model: a change that adds one (a role's first document) is
    served, and its link is no problem, at once. What the preview then serves is what `styrdok build`
    writes. Someone else's preview on the same server (a terminal server) left what this one cannot
    use in the temporary folder: each preview has a folder of its own there, removed when it stops."""
    riktlinje = handbook / "docs" / "rutiner" / "riktlinje-kvalitet.md"
    tmp = handbook.parent / "tmp"
    tmp.mkdir()
    (tmp / "styrdok-forhandsvisning-ingen-utdata").write_text("en annan användares", encoding="utf-8")
    preview = Preview(handbook, env={"TMPDIR": str(tmp)})
    try:
        status, page = preview.get("/rutiner/avvikelser/")
        assert status == 200
        assert "Riktlinje för kvalitet" in _nav(page)
        assert "Sammanställer avvikelserna varje kvartal." in _article(page)
        status, cal = preview.get("/kalender/revideringar.ics")
        assert status == 200 and "BEGIN:VCALENDAR" in cal and "Revidera: Riktlinje för kvalitet" in cal
        assert preview.get("/kalender/revideringar-socialchef.ics")[0] == 404

        # The title of ANOTHER page: this page's menu shows the new one at once, and the calendar.
        _edit(riktlinje, "titel: Riktlinje för kvalitet", "titel: Riktlinje för god kvalitet")
        page = preview.get("/rutiner/avvikelser/")[1]
        assert "Riktlinje för god kvalitet" in _nav(page)
        assert "Riktlinje för kvalitet" not in _nav(page)
        assert "Revidera: Riktlinje för god kvalitet" in preview.get("/kalender/revideringar.ics")[1]

        # Data: the overview made from data/ansvar.yml and the page's own table change.
        _edit(handbook / "data" / "ansvar.yml", "Sammanställer avvikelserna varje kvartal.",
              "Sammanställer avvikelserna varje månad.")
        mitt = preview.get("/ledningssystem/mitt-ansvar/sas/")[1]
        assert "Sammanställer avvikelserna varje månad." in _article(mitt)
        assert "varje kvartal" not in mitt

        # The text of the page itself.
        _edit(handbook / "docs" / "rutiner" / "avvikelser.md", "samma dag", "inom en timme")
        page = preview.get("/rutiner/avvikelser/")[1]
        assert "inom en timme" in _article(page)
        assert "Sammanställer avvikelserna varje månad." in _article(page)

        # A new page: in the menu of the others at once; removed: gone again.
        (handbook / "docs" / "ny-sida.md").write_text("# Sida om nattfasta\n\nText.\n", encoding="utf-8")
        page = preview.get("/rutiner/avvikelser/")[1]
        assert "Sida om nattfasta" in _nav(page), page[-3000:]
        assert preview.get("/ny-sida/")[0] == 200
        (handbook / "docs" / "ny-sida.md").unlink()
        assert "Sida om nattfasta" not in _nav(preview.get("/rutiner/avvikelser/")[1])
        assert preview.get("/ny-sida/")[0] == 404

        # A role's first document: its Mitt ansvar page links to its new calendar at once, and the
        # link is no problem (the preview knows a generated file's path without making the file).
        _edit(riktlinje, "dokumentansvarig: sas", "dokumentansvarig: socialchef")
        page = preview.get("/ledningssystem/mitt-ansvar/socialchef/")[1]
        assert "Bygget stoppar" not in page, page[:3000]
        status, cal = preview.get("/kalender/revideringar-socialchef.ics")
        assert status == 200, cal[:500]
        assert "Revidera: Riktlinje för god kvalitet" in cal
        assert "revideringar-socialchef.ics" in _article(page)

        served = {url: preview.get(url)[1] for url in ("/rutiner/avvikelser/", "/ledningssystem/mitt-ansvar/sas/",
                                                        "/ledningssystem/mitt-ansvar/socialchef/",
                                                        "/styrdokument/per-typ/", "/")}
    finally:
        log = preview.stop()
    assert "Traceback" not in log, log
    assert [p.name for p in tmp.iterdir()] == ["styrdok-forhandsvisning-ingen-utdata"], log

    _assert_served_as_built(handbook, served)


def _site_urls(site) -> list[str]:
    urls = sorted("/" + p.parent.relative_to(site).as_posix() + "/" for p in site.rglob("index.html")
                  if p.parent.relative_to(site).parts[:1] != ("redigera",))
    return ["/" if url == "/./" else url for url in urls]


def _served(preview, urls: list[str]) -> dict[str, tuple[int, str]]:
    """Every page as the preview serves it, the tag index first (before the pages whose tags it lists
    are converted, which would tell the tags plugin their tags again)."""
    return {url: preview.get(url) for url in sorted(urls, key=lambda url: url != "/taggar/")}


def _differ(served: dict[str, tuple[int, str]], site) -> list[str]:
    """The pages whose article or menu is not what the build wrote into site/."""
    differ = []
    for url, (status, page) in served.items():
        written = (site / url.lstrip("/") / "index.html").read_text(encoding="utf-8")
        if status != 200 or _article(page) != _article(written) or _nav(page) != _nav(written):
            differ.append(url)
    return differ


def _built_copy(root, dest):
    """`styrdok build` of a copy of root as it is now: its site/ (the pages; not the Word files and
    PDFs: a changed title would have LibreOffice convert every PDF that shows it, three quarters of
    the build's CPU, and the preview serves no PDF). A dest made by an earlier call gets root's
    files anew and keeps its own build caches (.cache/): the build after it redoes what changed
    since, as a person's next build would."""
    if dest.exists():
        for path in dest.iterdir():
            if path.name not in (".cache", "site"):
                shutil.rmtree(path) if path.is_dir() and not path.is_symlink() else path.unlink()
        shutil.copytree(root, dest, symlinks=True, dirs_exist_ok=True,
                        ignore=lambda folder, names: ["site", ".cache"] if folder == str(root) else [])
    else:
        shutil.copytree(root, dest, symlinks=True, ignore=shutil.ignore_patterns("site"))
    built = run_cli(dest, "build", "--utan", "word", "--utan", "pdf")
    assert built.returncode == 0, built.stderr
    return dest / "site"


@pytest.mark.langsam
def test_every_page_of_the_example_is_the_page_the_build_wrote(example_built, tmp_path):
    """Article and menu of every page, tag lists and tag links included (the tags plugin collects
    every page's tags in a build; the preview must know them without converting every page) — as
    the preview starts, after a document's title is saved (a Windows editor: byte-order mark and
    CRLF; å/ä/ö and a colon) and after a change in data/: every page, not only the one changed."""
    root = tmp_path / "handbok"
    shutil.copytree(example_built, root, symlinks=True)
    site = root / "site"
    urls = _site_urls(site)
    assert "/taggar/" in urls and len(urls) > 40
    sarah = root / "docs" / "styrdokument" / "rutiner" / "lex-sarah.md"
    preview = Preview(root)
    try:
        assert _differ(_served(preview, urls), site) == []
        taggar = _article(preview.get("/taggar/")[1])
        assert 'id="tag:ivo"' in taggar and "Rutin för lex Sarah" in taggar

        text = sarah.read_text(encoding="utf-8").replace(
            "titel: Rutin för lex Sarah", 'titel: "Lex Sarah: rutin för äldreomsorg och öppenvård"').replace(
            "taggar: [lex sarah,", "taggar: [lex sarah, tillsyn,")
        sarah.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
        after_title = _served(preview, urls)
        title_site = _built_copy(root, tmp_path / "efter-titel")
        assert "Lex Sarah: rutin för äldreomsorg och öppenvård" in _nav(after_title["/styrdokument/rutiner/avvikelsehantering/"][1])
        assert "Lex Sarah: rutin för äldreomsorg och öppenvård" in _article(after_title["/taggar/"][1])
        assert 'id="tag:tillsyn"' in _article(after_title["/taggar/"][1])

        ansvar = root / "data" / "ansvar.yml"
        ansvar.write_text(ansvar.read_text(encoding="utf-8").replace(
            "utreder lex Sarah-rapporter.", "utreder lex Sarah-rapporter och följer upp dem."), encoding="utf-8")
        after_data = _served(preview, urls)
    finally:
        log = preview.stop()
    assert "Traceback" not in log, log
    assert _differ(after_title, title_site) == []
    data_site = _built_copy(root, tmp_path / "efter-titel")          # after_title compared above
    assert "utreder lex Sarah-rapporter och följer upp dem." in "".join(page for _, page in after_data.values())
    assert _differ(after_data, data_site) == []


@pytest.mark.langsam
def test_problems_are_shown_in_the_page_and_the_terminal_until_fixed_and_front_matter_and_data_saved_as_a_person_saves_them(handbook):
    """A problem is shown in the page and the terminal and goes away when fixed. Saves the preview
    takes without loading the site anew (front matter, data/): two saves in quick succession,
    problems they cause shown with file and line until fixed, and a document moved to another
    folder; what it then serves is what `styrdok build` writes."""
    riktlinje = handbook / "docs" / "rutiner" / "riktlinje-kvalitet.md"
    rutin = handbook / "docs" / "rutiner" / "avvikelser.md"
    ansvar = handbook / "data" / "ansvar.yml"
    preview = Preview(handbook)
    try:
        # A link to a file that does not exist: the page is shown with the problem above it.
        _edit(rutin, "\n## Ansvar\n", "\nSe [rutinen](saknas.md).\n\n## Ansvar\n")
        status, page = preview.get("/rutiner/avvikelser/")
        assert status == 200
        assert "Bygget stoppar på det här" in page
        assert re.search(r"docs/rutiner/avvikelser\.md:\d+: fel: Länken 'saknas\.md' pekar på en fil som inte finns",
                         html.unescape(page)), page[:3000]

        # A file in data/ that is no YAML: no page can be made; the problem is shown instead.
        roller = handbook / "data" / "roller.yml"
        good = roller.read_text(encoding="utf-8")
        roller.write_text(good + "\n- id: [trasig\n", encoding="utf-8")
        status, page = preview.get("/begrepp/")
        assert status == 500
        assert "Sidan kan inte visas" in page
        assert re.search(r"data/roller\.yml:\d+", html.unescape(page)), page

        roller.write_text(good, encoding="utf-8")
        _edit(rutin, "Se [rutinen](saknas.md).", "Se [riktlinjen](riktlinje-kvalitet.md#ansvar).")
        status, page = preview.get("/rutiner/avvikelser/")
        assert status == 200 and "Bygget stoppar" not in page
        assert "Riktlinje för kvalitet" in _nav(page)

        # A title, then at once the text of another page: both are in the next page served.
        _edit(riktlinje, "titel: Riktlinje för kvalitet", "titel: Riktlinje för god kvalitet")
        _edit(rutin, "samma dag", "inom en timme")
        status, page = preview.get("/rutiner/avvikelser/")
        assert status == 200
        assert "Riktlinje för god kvalitet" in _nav(page) and "Riktlinje för god kvalitet" in _article(page)
        assert "inom en timme" in _article(page)

        # Front matter that names an unknown role, then a duplicate id: file and line, until fixed.
        for old, new, where, what in [
                ("dokumentansvarig: sas", "dokumentansvarig: kvalitetschef",
                 r"docs/rutiner/riktlinje-kvalitet\.md:\d+", "Rollen 'kvalitetschef' finns inte"),
                ("typ: riktlinje", "typ: riktlinje\nid: avvikelser",
                 r"docs/rutiner/riktlinje-kvalitet\.md:\d+", "Dokument-id 'avvikelser' används redan"),
        ]:
            _edit(riktlinje, old, new)
            status, page = preview.get("/rutiner/avvikelser/")
            assert status == 500 and what in html.unescape(page), page[:3000]
            assert re.search(where + r": fel", html.unescape(page)), page[:3000]
            _edit(riktlinje, new, old)
            status, page = preview.get("/rutiner/avvikelser/")
            assert status == 200 and "Bygget stoppar" not in page and what not in html.unescape(page)

        # A YAML error in data/, then fixed: the overview shows the new text.
        good = ansvar.read_text(encoding="utf-8")
        ansvar.write_text(good.replace("uppgift: Sammanställer avvikelserna varje kvartal.",
                                       "uppgift: [Sammanställer avvikelserna varje månad."), encoding="utf-8")
        status, page = preview.get("/ledningssystem/mitt-ansvar/sas/")
        assert status == 500 and re.search(r"data/ansvar\.yml:\d+: fel", html.unescape(page)), page[:3000]
        ansvar.write_text(good.replace("varje kvartal.", "varje månad."), encoding="utf-8")
        status, page = preview.get("/ledningssystem/mitt-ansvar/sas/")
        assert status == 200 and "Sammanställer avvikelserna varje månad." in _article(page)

        # The document moved to another folder: served there, listed there, linked there.
        riktlinje.rename(handbook / "docs" / "riktlinje-kvalitet.md")
        assert preview.get("/rutiner/riktlinje-kvalitet/")[0] == 404
        assert preview.get("/riktlinje-kvalitet/")[0] == 200
        page = html.unescape(preview.get("/rutiner/avvikelser/")[1])     # its link to the old place
        assert re.search(r"docs/rutiner/avvikelser\.md:\d+: fel: Länken 'riktlinje-kvalitet\.md#ansvar'", page)
        _edit(rutin, "(riktlinje-kvalitet.md#ansvar)", "(../riktlinje-kvalitet.md#ansvar)")
        served = {url: preview.get(url)[1] for url in ("/rutiner/avvikelser/", "/ledningssystem/mitt-ansvar/sas/",
                                                        "/styrdokument/per-typ/", "/riktlinje-kvalitet/")}
        assert 'href="../../riktlinje-kvalitet/"' in _article(served["/rutiner/avvikelser/"])
    finally:
        log = preview.stop()
    assert "Traceback" not in log, log
    assert re.search(r"docs/rutiner/avvikelser\.md:\d+: fel: Länken 'saknas\.md'", log), log
    assert "data/roller.yml" in log
    assert re.search(r"docs/rutiner/riktlinje-kvalitet\.md:\d+: fel: dokumentansvarig: Rollen 'kvalitetschef'", log), log
    assert re.search(r"data/ansvar\.yml:\d+: fel", log), log
    assert "Rättat – handboken visas igen." in log
    # The theme's templates the preview compiled are stored where the next build or preview reads them
    # (without, each start of the preview compiled them all: a third of the CPU of its first page).
    assert {p.name for p in (handbook / ".cache" / "site" / "jinja").glob("*/__jinja2_*.cache")}

    _assert_served_as_built(handbook, served)


_META = "document.querySelector('.md-search-result__meta').textContent"


def _hits(page, base: str | None, query: str) -> list[str]:
    """The titles the search box lists for query: on the start page loaded anew (the index may have
    changed), or with base None in the search box already open (emptied first, so the results
    waited for are the new ones)."""
    box = page.locator("input.md-search__input")
    if base is not None:
        page.goto(base + "/", wait_until="load")      # never "networkidle": the live reload waits on the server
        box.click()
    else:
        box.fill("")
        page.wait_for_function(f"() => !/sökresultat/.test({_META})", timeout=30000)
    box.fill(query)                                   # the whole query at once: no results for a part of it
    page.wait_for_function(f"() => /sökresultat/.test({_META})", timeout=30000)
    return page.locator(".md-search-result__item h1").all_inner_texts()


UPDATED = "Sökindexet uppdaterat"


@pytest.mark.langsam
def test_search_in_the_preview_finds_the_build_and_then_a_word_saved_since_and_the_open_page_reloads_by_itself(handbook):
    """In Chromium: the search finds what the last build indexed, then a word saved since; and a page
    left open reloads by itself after a save (one preview and one browser page for both)."""
    built = run_cli(handbook, "build", "--utan-word")
    assert built.returncode == 0, built.stderr
    memo = tree_digest(handbook / ".cache" / "memo")
    preview = Preview(handbook)
    try:
        with site_page(None) as (page, _):          # the test process's open page, on the preview's server
            assert "Rutin för avvikelser & risker" in _hits(page, preview.base, "avvikelser")
            assert _hits(page, None, "fjärilshåv") == []          # the same index: the same page
            assert "det du sparat syns i sökresultaten" in page.inner_text("body")

            # Searched again after each new index (not every second): the first one printed after the
            # save may have been started before it, by the pages opened above.
            updates = preview.count(UPDATED)
            _edit(handbook / "docs" / "rutiner" / "avvikelser.md", "samma dag", "samma dag med fjärilshåv")
            assert "fjärilshåv" in preview.get("/rutiner/avvikelser/")[1]       # the page opened after the save
            for updates in range(updates + 1, updates + 4):
                preview.wait_for_log(UPDATED, updates)
                if "Rutin för avvikelser & risker" in _hits(page, preview.base, "fjärilshåv"):
                    break
            else:
                raise AssertionError("sökningen hittade inte ordet som sparades efter tre nya sökindex")

            # The open page reloads by itself after a save of another page (its menu changes).
            page.goto(preview.base + "/rutiner/avvikelser/")
            assert "Riktlinje för kvalitet" in page.inner_text("nav.md-nav--primary")
            page.evaluate("window.samma_sida = true")          # gone after a reload
            _edit(handbook / "docs" / "rutiner" / "riktlinje-kvalitet.md",
                  "titel: Riktlinje för kvalitet", "titel: Riktlinje för god kvalitet")
            # (while the page reloads, its document can be one without the menu yet: not an error)
            page.wait_for_function("!!document.querySelector('nav.md-nav--primary')?.innerText"
                                   ".includes('Riktlinje för god kvalitet')", timeout=60000)
            assert page.evaluate("window.samma_sida") is None
    finally:
        log = preview.stop()
    assert UPDATED in log, log
    assert "Traceback" not in log, log
    assert preview.proc.returncode == 0, log
    # The build's memo is read, not replaced by the few results the preview used.
    assert tree_digest(handbook / ".cache" / "memo") == memo
