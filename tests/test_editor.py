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

from browser import axe_violations, chromium, dom_settled, serve
from docx_text import docx_text
from conftest import IN_CI, REPO, require_tool, run_cli
from styrdok.editor.fields import LOCAL_PORT

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


LOCAL_BACKEND = "http://127.0.0.1:{port}/api/v1"


@pytest.fixture
def editor(example_built, tmp_path):
    """(repo, base URL of the site, port of the local backend): a copy of the example handbook, built
    once for the whole run with its git repository; decap-server over the copy on a free port and the
    site on 127.0.0.1 stop after the test.

    The port of the local backend is in site/redigera/config.yml only, which Decap fetches when the
    editor starts: the copy's config.yml gets this test's port, as STYRDOK_REDIGERA_PORT would write it
    (tests/test_editor_config.py builds with it)."""
    _require_editor()
    require_tool("/usr/bin/chromium", "webbläsartesterna kör Debians Chromium")
    repo = tmp_path / "handbok"
    shutil.copytree(example_built, repo, symlinks=True)
    assert (repo / "site" / "redigera" / "decap-cms.js").is_file()
    (repo / ".git" / "info" / "exclude").write_text("/site/\n/.cache/\n/build/\n__pycache__/\n", encoding="utf-8")
    port = _free_port()
    config = repo / "site" / "redigera" / "config.yml"
    text = config.read_text(encoding="utf-8")
    default = LOCAL_BACKEND.format(port=LOCAL_PORT)
    assert text.count(default) == 1, "config.yml har inte standardporten för den lokala servern"
    config.write_text(text.replace(default, LOCAL_BACKEND.format(port=port)), encoding="utf-8")
    with decap_server(repo, port), serve(repo / "site") as base:
        yield repo, base, port


def test_the_local_backends_port_is_8081_unless_styrdok_redigera_port_says_another(mini):
    """make redigera starts decap-server on 8081; STYRDOK_REDIGERA_PORT builds for another port (the
    tests above write theirs into their copy's config.yml, the one place it is)."""
    from styrdok.editor.config import editor_config
    from styrdok.load import load_handbook
    handbook, problems = load_handbook(mini)
    assert not problems.errors, problems.errors
    assert editor_config(handbook, {})["local_backend"]["url"] == LOCAL_BACKEND.format(port=8081)
    assert editor_config(handbook, {"STYRDOK_REDIGERA_PORT": "9123"})["local_backend"]["url"] == \
        LOCAL_BACKEND.format(port=9123)


def _labels(repo: Path) -> dict[tuple[str, str], str]:
    """(collection, field) -> the form field's label as the editor shows it (labels come from
    data/kommun.yml where it has them). site/redigera/config.yml is read once, by libyaml where PyYAML
    has it: it is 100 kB of YAML, most of a second of CPU each time PyYAML's Python loader reads it."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    config = yaml.load((repo / "site" / "redigera" / "config.yml").read_text(encoding="utf-8"), Loader=loader)
    return {(c["name"], f["name"]): f["label"] for c in config["collections"] for f in c.get("fields", ())}


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


def _open(page, url: str) -> None:
    """Go to an address inside the editor (a new #/… route) in the editor already loaded, as its own
    links do: Decap is a single-page app, and loading its 5 MB script again costs 2–3 s of CPU. By
    way of the list of collections, as a person goes back there: from one entry's form straight to
    another's, Decap keeps the first one's state (the second one showed empty and 'Publicerad')."""
    page.goto(url.split("#")[0] + "#/collections/rutin")
    page.get_by_text("Samlingar").wait_for()
    page.goto(url)


def _write(page, text: str) -> None:
    """text into the focused Markdown field as a person enters it, a line at a time with Enter between
    (each line inserted whole, as from an input method: typed a key at a time, Decap redraws the form
    and its preview after every key, 1.5 s of CPU for these lines)."""
    for k, line in enumerate(text.split("\n")):
        if k:
            page.keyboard.press("Enter")
        if line:
            page.keyboard.insert_text(line)


def _save(page) -> None:
    """Save as draft (a branch)."""
    page.get_by_role("button", name="Spara", exact=True).click()
    page.get_by_role("button", name="Status: Utkast").wait_for(timeout=15000)


def _publish(page, repo: Path) -> None:
    """The draft open in the form: mark it ready, publish (merge into main), and wait until it is done.
    The status goes from the toolbar as the editor asks the server to publish; the server then merges
    and deletes the draft's branch before it answers, and the editor then loads the published entry
    into its form. What comes next (another entry opened, a commit straight into git) waits for both:
    begun earlier, the editor's late load of this entry could replace the next entry's form under a
    loaded run (saving the role refused below once gave no message)."""
    page.get_by_role("button", name="Status: Utkast").click()
    page.get_by_role("menuitem", name="Redo").click()
    page.get_by_role("button", name="Status: Redo").wait_for(timeout=15000)
    page.get_by_role("button", name="Publicera", exact=True).click()
    page.get_by_role("menuitem", name="Publicera nu").click()
    page.get_by_role("button", name="Status: Redo").wait_for(state="detached", timeout=15000)
    for _ in range(300):
        if not _git(repo, "branch", "--list", "cms/*").strip():
            break
        time.sleep(0.05)
    else:
        raise AssertionError("utkastets gren finns kvar 15 s efter publiceringen: " + _git(repo, "branch"))
    dom_settled(page)


def _front_matter(text: str) -> dict:
    match = re.match(r"^---\n(.*?)\n---\n", text, re.S)
    assert match, text[:200]
    return yaml.safe_load(match.group(1))


TITLE = "Rutin för introduktion av nya medarbetare"
SLUG = "rutin-for-introduktion-av-nya-medarbetare"
BODY = "## Syfte\n\nNya medarbetare ska få en trygg start i arbetet.\n\n{{ ansvar(\"avvikelser\") }}\n"
NEW_DUTY = "Ser till att varje ny medarbetare får introduktionen i avvikelsehantering under första veckan."


# Violations in Decap's own markup that styrdok cannot change (none at present): rule id -> why.
NOT_OURS: dict[str, str] = {}


def _node(node: dict) -> str:
    data = (node.get("any") or [{}])[0].get("data") or {}
    colours = f" {data['fgColor']} på {data['bgColor']} ({data.get('contrastRatio')})" if "fgColor" in data else ""
    return f"{node['target']}{colours}"


@pytest.mark.langsam
def test_new_rutin_and_changed_ansvar_through_the_editor_end_in_git_and_on_the_site_an_unknown_role_is_refused_and_no_screen_has_wcag_violations(editor):
    """One editor session, loaded once as a person uses it (a fresh load of Decap's 5 MB script costs
    ~3 s of CPU): a SAS signs in, writes a new rutin (refused without its date, then saved as a draft,
    seen in the workflow, published) and changes an ansvar entry: both end in git and on the site.
    Then someone writes a role that does not exist straight into git: the form refuses the document
    with the words of styrdok check and saves no draft. axe checks every screen on the way (sign-in,
    collection, new document with errors, draft, workflow, data, document with an unknown role)."""
    repo, base, _ = editor
    label = _labels(repo)
    problems: dict[str, list[str]] = {}
    with chromium() as browser:
        page, outside = _new_page(browser)

        def wcag(screen: str) -> None:
            dom_settled(page)                    # Decap polls its backend: no "networkidle"
            # Decap's own document; its preview is a frame without axe-core, which axe cannot test
            # (it would wait 0.5 s for the frame on each screen that has the preview)
            found = [f"{v['id']}: {v['help']} — {[_node(n) for n in v['nodes'][:6]]}"
                     for v in axe_violations(page, frames=False) if v["id"] not in NOT_OURS]
            if found:
                problems[screen] = found

        page.goto(base + "/redigera/")
        page.get_by_role("button", name="Logga in").wait_for()
        wcag("inloggning")
        page.get_by_role("button", name="Logga in").click()
        page.get_by_text("Samlingar").wait_for()
        wcag("samling")

        # a new rutin, through the form: without the date it is refused with the field's name
        _open(page, base + "/redigera/#/collections/rutin/new")
        page.get_by_label(label["rutin", "titel"], exact=True).fill(TITLE)
        page.get_by_role("button", name="Spara", exact=True).click()
        page.get_by_text(f"Fältet '{label['rutin', 'galler_fran']}' saknas", exact=False).first.wait_for()
        wcag("nytt dokument med fel")
        page.locator("input[type=date]").first.fill("2026-03-01")
        body = page.locator("[contenteditable=true]").last
        body.click()
        _write(page, BODY)
        # the preview shows the metadata card and a placeholder for the macro
        preview = page.frame_locator("iframe").first
        assert "Socialt ansvarig samordnare" in preview.locator(".styrdok-kort").inner_text()
        assert "ansvar(\"avvikelser\")" in preview.locator(".styrdok-makro").inner_text()
        _save(page)
        wcag("utkast")
        # the draft in the workflow, opened from there and published
        _open(page, base + "/redigera/#/workflow")
        page.get_by_text(TITLE).first.wait_for()
        wcag("arbetsflöde")
        page.get_by_text(TITLE).first.click()
        page.get_by_role("button", name="Status: Utkast").wait_for(timeout=15000)
        _publish(page, repo)

        # an ansvar entry in data/ansvar.yml
        _open(page, base + "/redigera/#/collections/data/entries/ansvar")
        page.get_by_text("Avvikelser", exact=True).first.wait_for()
        wcag("data")
        record = page.locator("[class*=listControlItem]").filter(has=page.get_by_text("Avvikelser", exact=True))
        record.first.locator("button").first.click()          # open the record (Decap's chevron)
        duty = page.get_by_label("Uppgift", exact=True).filter(visible=True).first
        duty.wait_for()
        duty.fill(NEW_DUTY)
        _save(page)
        _publish(page, repo)

        # Someone wrote a role that does not exist straight into git.
        doc = repo / "docs" / "styrdokument" / "rutiner" / "egenkontroll.md"
        doc.write_text(doc.read_text(encoding="utf-8").replace("dokumentansvarig: kvalitetsstrateg",
                                                               "dokumentansvarig: sas2"), encoding="utf-8")
        _git(repo, "commit", "-q", "-am", "Fel roll")
        check = run_cli(repo, "check")
        assert check.returncode == 1
        checks_words = re.search(r"Rollen 'sas2' (finns inte i data/roller\.yml\. Välj en av: [^\n]*)", check.stderr)
        assert checks_words, check.stderr
        _open(page, base + "/redigera/#/collections/rutin/entries/egenkontroll")
        page.get_by_label(label["rutin", "sammanfattning"]).fill("Hur egenkontroller planeras och följs upp.")
        page.get_by_role("button", name="Spara", exact=True).click()
        error = page.get_by_text("Rollen finns inte i data/roller.yml", exact=False).first
        try:
            error.wait_for(timeout=15000)
        except Exception:
            page.screenshot(path=str(repo.parent / "okand-roll.png"))
            raise AssertionError("formuläret visade inte felet för den okända rollen:\n"
                                 + page.locator("body").inner_text()[:3000]) from None
        assert error.inner_text().strip().lower() == ("Rollen " + checks_words.group(1)).lower()
        wcag("dokument med okänd roll")
        # The select offers only the roles in data/roller.yml: typing an unknown one gives no choice.
        select = page.locator("#" + page.get_by_text(label["rutin", "dokumentansvarig"], exact=True).first
                              .get_attribute("for"))
        select.fill("sas2")
        assert page.get_by_text("sas2", exact=True).filter(visible=True).count() == 0
        assert page.get_by_role("option").count() == 0
        page.close()
    assert outside == [], f"förfrågningar utanför 127.0.0.1: {outside}"
    assert problems == {}, "\n".join(f"{k}: {v}" for k, v in problems.items())
    assert _git(repo, "branch", "--list", "cms/*").strip() == "", "ett utkast sparades trots felet"
    _git(repo, "revert", "--no-edit", "HEAD")           # the role as it was: the rest must check clean

    # the repository: both changes merged into main, valid front matter and data
    assert _git(repo, "rev-parse", "--abbrev-ref", "HEAD").strip() == "main"
    assert _git(repo, "branch", "--list", "cms/*").strip() == ""
    new_file = repo / "docs" / "styrdokument" / "rutiner" / f"{SLUG}.md"
    fm = _front_matter(new_file.read_text(encoding="utf-8"))
    assert new_file.read_text(encoding="utf-8").endswith(f"\n---\n\n{BODY}"), new_file.read_text(encoding="utf-8")
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
    # The site (the Word files and PDFs of the example are the build's; the new rutin's Word file is
    # made on its own: PDFs of every document showing the changed ansvar would be most of the CPU)
    build = run_cli(repo, "build", "--utan", "word", "--utan", "pdf")
    assert build.returncode == 0, build.stderr
    html = (repo / "site" / "styrdokument" / "rutiner" / SLUG / "index.html").read_text(encoding="utf-8")
    assert TITLE in html and "trygg start i arbetet" in html
    assert NEW_DUTY in (repo / "site" / "ledningssystem" / "ansvarsfordelning" / "index.html").read_text(
        encoding="utf-8")
    export = run_cli(repo, "export", SLUG, "--out", str(repo / "build" / "word"))
    assert export.returncode == 0, export.stderr
    [docx] = (repo / "build" / "word").glob("*.docx")
    text = docx_text(docx)
    assert TITLE in text and "trygg start i arbetet" in text
