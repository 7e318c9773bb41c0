"""The web editor (/redigera/, Decap CMS) in real Chromium, on its local backend over a real git repository.

decap-server (Decap's own proxy, MODE=git) runs on 127.0.0.1 over a copy of the example handbook in
git; the built site is served on 127.0.0.1. A draft is a branch cms/<samling>/<post>; publishing
merges it into main, as a merge request does on the kommun's GitLab.
"""
from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
import yaml

from browser import chromium, serve
from conftest import IN_CI, REPO, copy_handbook_layer, require_tool, run_cli

NODE_MODULES = REPO / "node_modules"
GIT = ["-c", "user.name=Test", "-c", "user.email=test@example.org"]


def _require_editor() -> None:
    require_tool("node", "webbredigeraren och dess lokala server körs med Node.js")
    require_tool("npm", "webbredigeraren installeras med npm ci")
    if not (NODE_MODULES / "decap-cms" / "dist" / "decap-cms.js").is_file() or \
            not (NODE_MODULES / "decap-server" / "dist" / "index.js").is_file():
        message = "Webbredigeraren är inte installerad (node_modules saknas). Kör make build (npm ci)."
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *GIT, *args], cwd=root, check=True, capture_output=True, text=True).stdout


@contextlib.contextmanager
def decap_server(repo: Path, port: int):
    """Decap's local proxy (git mode: drafts are branches) on 127.0.0.1:port, stopped afterwards."""
    env = {**os.environ, "GIT_REPO_DIRECTORY": str(repo), "MODE": "git", "PORT": str(port),
           "BIND_HOST": "127.0.0.1", "LOG_LEVEL": "warn"}
    proc = subprocess.Popen(["node", str(NODE_MODULES / "decap-server" / "dist" / "index.js")], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        for _ in range(100):
            try:
                req = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1", data=b'{"action":"info"}',
                                             headers={"Content-Type": "application/json"})
                urllib.request.urlopen(req, timeout=1).read()
                break
            except OSError:
                if proc.poll() is not None:
                    raise AssertionError(proc.stdout.read().decode())
                time.sleep(0.1)
        yield
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture
def editor(tmp_path):
    """(repo, base URL of the site, port of the local backend): the example handbook in git, built with
    the editor pointing at a decap-server on a free port; both servers stop after the test."""
    _require_editor()
    require_tool("/usr/bin/chromium", "webbläsartesterna kör Debians Chromium")
    repo = tmp_path / "handbok"
    repo.mkdir()
    for name in ("docs", "data"):
        shutil.copytree(REPO / name, repo / name)
    copy_handbook_layer(repo)
    (repo / ".gitignore").write_text("/site/\n/.cache/\n/build/\n")
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "Exempel")
    port = _free_port()
    proc = run_cli(repo, "build", env={"STYRDOK_REDIGERA_PORT": str(port)})
    assert proc.returncode == 0, proc.stderr
    assert (repo / "site" / "redigera" / "decap-cms.js").is_file()
    with decap_server(repo, port), serve(repo / "site") as base:
        yield repo, base, port


def _new_page(browser):
    """A page whose requests may go to 127.0.0.1 only: anything else is refused and recorded."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    outside: list[str] = []

    def route(r):
        url = r.request.url
        if url.startswith(("http://127.0.0.1:", "data:", "blob:")):
            r.continue_()
        else:
            outside.append(url)
            r.abort()

    page.route("**/*", route)
    page.on("dialog", lambda d: d.accept())      # "Är du säker på att du vill publicera …?"
    return page, outside


def _login(page, base: str) -> None:
    page.goto(base + "/redigera/")
    page.get_by_role("button", name="Logga in").click()
    page.get_by_text("Samlingar").wait_for()


def _save_and_publish(page) -> None:
    """Save as draft (a branch), mark it ready, publish (merge into main) – the editorial workflow."""
    page.get_by_role("button", name="Spara", exact=True).click()
    page.get_by_role("button", name="Status: Utkast").wait_for(timeout=15000)
    page.get_by_role("button", name="Status: Utkast").click()
    page.get_by_role("menuitem", name="Redo").click()
    page.get_by_role("button", name="Status: Redo").wait_for(timeout=15000)
    page.get_by_role("button", name="Publicera", exact=True).click()
    page.get_by_role("menuitem", name="Publicera nu").click()
    page.get_by_role("button", name="Status: Redo").wait_for(state="detached", timeout=15000)


def _front_matter(text: str) -> dict:
    match = re.match(r"^---\n(.*?)\n---\n", text, re.S)
    assert match, text[:200]
    return yaml.safe_load(match.group(1))


TITLE = "Rutin för introduktion av nya medarbetare"
SLUG = "rutin-for-introduktion-av-nya-medarbetare"
NEW_DUTY = "Ser till att varje ny medarbetare får introduktionen i avvikelsehantering under första veckan."


def test_new_rutin_and_changed_ansvar_through_the_editor_end_in_git_and_on_the_site(editor):
    repo, base, _ = editor
    with chromium() as browser:
        page, outside = _new_page(browser)
        _login(page, base)
        # a new rutin, through the form
        page.goto(base + "/redigera/#/collections/rutin/new")
        page.get_by_label("Titel", exact=True).fill(TITLE)
        page.locator("input[type=date]").first.fill("2026-03-01")
        body = page.locator("[contenteditable=true]").last
        body.click()
        page.keyboard.type("## Syfte\n\nNya medarbetare ska få en trygg start i arbetet.\n\n"
                           "{{ ansvar(\"avvikelser\") }}\n")
        # the preview shows the metadata card and a placeholder for the macro
        preview = page.frame_locator("iframe").first
        assert "Socialt ansvarig samordnare" in preview.locator(".styrdok-kort").inner_text()
        assert "ansvar(\"avvikelser\")" in preview.locator(".styrdok-makro").inner_text()
        _save_and_publish(page)

        # an ansvar entry in data/ansvar.yml
        page.goto(base + "/redigera/#/collections/data/entries/ansvar")
        page.reload()
        record = page.locator("[class*=listControlItem]").filter(has=page.get_by_text("Avvikelser", exact=True))
        record.first.locator("button").first.click()          # open the record (Decap's chevron)
        duty = page.get_by_label("Uppgift", exact=True).filter(visible=True).first
        duty.wait_for()
        duty.fill(NEW_DUTY)
        _save_and_publish(page)
        page.close()
    assert outside == [], f"förfrågningar utanför 127.0.0.1: {outside}"

    # the repository: both changes merged into main, valid front matter and data
    assert _git(repo, "rev-parse", "--abbrev-ref", "HEAD").strip() == "main"
    assert _git(repo, "branch", "--list", "cms/*").strip() == ""
    new_file = repo / "docs" / "styrdokument" / "rutiner" / f"{SLUG}.md"
    fm = _front_matter(new_file.read_text(encoding="utf-8"))
    assert fm["titel"] == TITLE and fm["typ"] == "rutin" and fm["dokumentansvarig"] == "sas"
    assert str(fm["galler_fran"]) == "2026-03-01"
    ansvar_text = (repo / "data" / "ansvar.yml").read_text(encoding="utf-8")
    assert ansvar_text.startswith("# Ansvarsfördelning per ämne.")        # the commented example is kept
    amnen = yaml.safe_load(ansvar_text)
    avvikelser = next(a for a in amnen if a["id"] == "avvikelser")
    assert avvikelser["ansvar"][0]["uppgift"] == NEW_DUTY
    log = _git(repo, "log", "--format=%s", "-6")
    assert "webbredigeraren" in log

    check = run_cli(repo, "check")
    assert check.returncode == 0, check.stderr
    build = run_cli(repo, "build")
    assert build.returncode == 0, build.stderr
    html = (repo / "site" / "styrdokument" / "rutiner" / SLUG / "index.html").read_text(encoding="utf-8")
    assert TITLE in html and "trygg start i arbetet" in html
    assert NEW_DUTY in (repo / "site" / "ledningssystem" / "ansvarsfordelning" / "index.html").read_text(
        encoding="utf-8")
