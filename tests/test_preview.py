"""`make serve` as a SAS uses it: mkdocs serve --dirty, a file saved, the served page shows it.

The preview rebuilds only what changed; a change in data/ must still reach every page that shows
it (here the ansvar table a rutin draws from data/ansvar.yml), not only the generated pages.
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from conftest import copy_handbook, MINI
from test_forhandsvisa import _ctrl_c_as_in_a_terminal


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(url: str, needle: str, proc: subprocess.Popen, timeout: float = 90) -> str:
    end = time.monotonic() + timeout
    text = ""
    while time.monotonic() < end and proc.poll() is None:
        try:
            with urllib.request.urlopen(url, timeout=5) as resp:
                text = resp.read().decode("utf-8")
            if needle in text:
                return text
        except OSError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{url} visade aldrig {needle!r} (servern {'avslutad' if proc.poll() is not None else 'igång'})")


def _save_later(path, text: str, than) -> None:
    """Write text to path with a later modification time than the file `than`: --dirty makes a page
    again only if its source is newer than the page it wrote. A file system that stamps times coarsely
    (whole seconds, or a few milliseconds) can give both the same time: then write it again."""
    since = os.stat(than).st_mtime_ns
    path.write_text(text, encoding="utf-8")
    while os.stat(path).st_mtime_ns <= since:
        time.sleep(0.01)
        path.write_text(text, encoding="utf-8")


@pytest.mark.langsam
def test_preview_shows_a_saved_page_and_a_data_change_on_the_page_that_uses_it(tmp_path):
    root = copy_handbook(MINI, tmp_path / "handbok")
    rutin = root / "docs" / "rutiner" / "avvikelser.md"
    rutin.write_text(rutin.read_text(encoding="utf-8") + '\n## Ansvar\n\n{{ ansvar("avvikelser") }}\n',
                     encoding="utf-8")
    port = _free_port()
    mkdocs = [sys.executable, "-m", "mkdocs", "serve", "--dev-addr", f"127.0.0.1:{port}",
              "--livereload", "--dirty", "--no-strict"]         # what `make serve` runs
    proc = subprocess.Popen(mkdocs, cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env={**os.environ, "NO_MKDOCS_2_WARNING": "1"}, preexec_fn=_ctrl_c_as_in_a_terminal)
    url = f"http://127.0.0.1:{port}/rutiner/avvikelser/"
    try:
        _wait_for(url, "Sammanställer avvikelserna varje kvartal.", proc)
        built = tmp_path / "efter-forsta-bygget"
        built.write_text("", encoding="utf-8")         # the time stamp of a file written after the build's

        _save_later(rutin, rutin.read_text(encoding="utf-8").replace("samma dag", "inom en timme"), built)
        _wait_for(url, "inom en timme", proc)

        ansvar = root / "data" / "ansvar.yml"
        ansvar.write_text(ansvar.read_text(encoding="utf-8").replace(
            "Sammanställer avvikelserna varje kvartal.", "Sammanställer avvikelserna varje månad."), encoding="utf-8")
        page = _wait_for(url, "Sammanställer avvikelserna varje månad.", proc)
        assert "inom en timme" in page
        mitt = _wait_for(f"http://127.0.0.1:{port}/ledningssystem/mitt-ansvar/sas/",
                         "Sammanställer avvikelserna varje månad.", proc)
        assert "varje kvartal" not in mitt
    finally:
        # Ctrl+C, as a SAS stops `make serve`: mkdocs then removes the temporary folder it serves the
        # site from (stopped with SIGTERM it left one, 3 MB, in the temporary folder every run)
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_the_preview_shows_what_must_not_be_published_in_the_page_being_written(mini):
    """A personnummer or the guidance of `styrdok new` in the page shown: the preview lists it in the page
    (as check does, allowed numbers as allowed), not only the build later; a page saved by a Windows
    editor (BOM, CRLF) is read as check reads it."""
    from styrdok.load import load_handbook
    from styrdok.preview.problems import page_problems
    handbook, _ = load_handbook(mini)
    page = mini / "docs" / "rutiner" / "avvikelser.md"
    assert page_problems(handbook, mini, "rutiner/avvikelser.md") == []
    text = page.read_text(encoding="utf-8").replace(
        "Rutinen beskriver", "Brukaren 850312-1231 föll.\n\nBeskriv vem som ansvarar för vad.\n\nRutinen beskriver")
    page.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    shown = page_problems(handbook, mini, "rutiner/avvikelser.md")
    assert any(line.startswith("docs/rutiner/avvikelser.md:16: fel:") and "personnummer (85MMDD-XXXX) får inte "
               "publiceras" in line for line in shown), shown
    assert any(line.startswith("docs/rutiner/avvikelser.md:18: fel: Vägledningen från 'styrdok new'")
               for line in shown), shown
