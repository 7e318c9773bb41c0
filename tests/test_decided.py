"""What is published is what was decided: a decided document's rendering now against its rendering
at the decision tag, as the editor (check, export) and the reader (notice, diff page, decided
version on the site and in Word) see it. Real git repositories throughout."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess

import pytest
from docx import Document

from conftest import MINI, copy_handbook, git_handbook, made_once, run_cli
from test_accessibility import assert_no_wcag_violations

IDAG = {"STYRDOK_IDAG": "2026-03-20"}


def git(root, *args, env=None):
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True,
                          env={**os.environ, **(env or {})}).stdout


def edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture(scope="session")
def decided_once(tmp_path_factory):
    """The mini handbook in git, its rutin showing data/ansvar.yml, decided by the socialchef § 12
    (made once per test run)."""
    return made_once(tmp_path_factory, "beslutad", _make_decided)


def _make_decided(folder):
    root = copy_handbook(MINI, folder / "handbok")
    edit(root / "docs" / "rutiner" / "avvikelser.md", "## Så här gör du",
         "## Ansvar\n\n{{ ansvar(\"avvikelser\") }}\n\n## Så här gör du")
    git_handbook(root, "site/\n.cache/\nbuild/\n")
    proc = run_cli(root, "decide", "avvikelser", "--instans", "socialchef", "--datum", "2026-03-12",
                   "--paragraf", "12", env=IDAG)
    assert proc.returncode == 0, proc.stderr
    return root


@pytest.fixture
def decided(decided_once, tmp_path):
    """A copy of decided_once (with its git repository and decision tag) for one test to change."""
    root = tmp_path / "handbok"
    shutil.copytree(decided_once, root, symlinks=True)
    return root


def page(root, src):
    return (root / "site" / src / "index.html").read_text(encoding="utf-8")


def build(root, word=False):
    """`styrdok build`, without the Word files unless word (a test that reads them asks for them)."""
    proc = run_cli(root, "build", *([] if word else ["--utan-word"]), env=IDAG)
    assert proc.returncode == 0, proc.stderr
    return proc


def test_unchanged_document_says_which_decision_it_follows(decided):
    check = run_cli(decided, "check", env=IDAG)
    assert check.returncode == 0 and "Ändrat sedan" not in check.stderr
    build(decided)
    html = page(decided, "rutiner/avvikelser")
    assert "Gäller enligt beslut 2026-03-12, Socialchef § 12." in html
    assert "Ändrat sedan beslutet" not in html
    assert not (decided / "site" / "rutiner" / "avvikelser--andringar").exists()
    assert "Gäller enligt beslut" not in page(decided, "rutiner/riktlinje-kvalitet")    # never decided


def test_page_edit_is_shown_word_by_word_with_the_decided_version_kept(decided):
    edit(decided / "docs" / "rutiner" / "avvikelser.md", "samma dag", "inom ett dygn")
    git(decided, "commit", "-q", "-am", "Ändrad tidsgräns")
    check = run_cli(decided, "check", env=IDAG)
    assert check.returncode == 0
    assert ("docs/rutiner/avvikelser.md: varning: Ändrat sedan beslutet 2026-03-12 (i sidan)." in check.stderr)
    rows = json.loads(run_cli(decided, "check", "--format", "json", env=IDAG).stdout)
    assert [r["code"] for r in rows if r["file"] == "docs/rutiner/avvikelser.md"] == ["andrat-efter-beslut"]
    build(decided, word=True)
    html = page(decided, "rutiner/avvikelser")
    assert "Ändrat sedan beslutet 2026-03-12" in html
    assert "har ändrats sedan Socialchef beslutade den 2026-03-12 (§ 12): ändrad i sidan." in html
    assert 'href="../../rutiner/avvikelser--andringar/">Se ändringarna ord för ord' in html
    diff = page(decided, "rutiner/avvikelser--andringar")
    assert "<li>Rapportera händelsen <del>samma</del><ins>inom</ins> <del>dag.</del><ins>ett dygn.</ins></li>" \
        in diff
    assert 'data-pagefind-body' not in diff                  # out of the search: readers find the valid text
    kept = page(decided, "rutiner/avvikelser--beslutad-2026-03-12")
    assert "Rapportera händelsen samma dag." in kept and "inom ett dygn" not in kept
    assert 'href="../../word/avvikelser--beslutad-2026-03-12.docx"' in kept
    word = Document(decided / "site" / "word" / "avvikelser--beslutad-2026-03-12.docx")
    texts = [p.text for p in word.paragraphs]
    assert "Rapportera händelsen samma dag." in texts and not any("inom ett dygn" in t for t in texts)
    # the archive pages are reached from the notice, not from the menu
    assert "avvikelser--beslutad" not in page(decided, "rutiner/riktlinje-kvalitet")
    # kinds of page the example handbook does not have: axe-core in Chromium (tests/test_accessibility.py)
    assert_no_wcag_violations(decided / "site", ["/rutiner/avvikelser/", "/rutiner/avvikelser--andringar/",
                                                 "/rutiner/avvikelser--beslutad-2026-03-12/"])


def test_data_edit_is_named_by_file_and_entry_and_marked_in_the_table(decided):
    edit(decided / "data" / "ansvar.yml", "Sammanställer avvikelserna varje kvartal.",
         "Sammanställer avvikelserna varje månad.")
    git(decided, "commit", "-q", "-am", "Tätare sammanställning")
    check = run_cli(decided, "check", env=IDAG)
    assert ("docs/rutiner/avvikelser.md: varning: Ändrat sedan beslutet 2026-03-12 (genom data: "
            "data/ansvar.yml: avvikelser)." in check.stderr)
    build(decided)
    assert "ändrad genom data: data/ansvar.yml: avvikelser." in page(decided, "rutiner/avvikelser")
    diff = page(decided, "rutiner/avvikelser--andringar")
    assert "<td>Sammanställer avvikelserna varje <del>kvartal.</del><ins>månad.</ins></td>" in diff
    assert "<li>data/ansvar.yml: avvikelser</li>" in diff
    export = run_cli(decided, "export", "avvikelser", "--beslutad", "--out", str(decided / "ut"), env=IDAG)
    assert export.returncode == 0, export.stderr
    cells = [c.text for t in Document(decided / "ut" / "avvikelser--beslutad-2026-03-12.docx").tables
             for row in t.rows for c in row.cells]
    assert "Sammanställer avvikelserna varje kvartal." in cells
    assert "Sammanställer avvikelserna varje månad." not in cells


@pytest.mark.parametrize("rule, code, severity", [("visa", 0, None), ("varna", 0, "varning"), ("stoppa", 1, "fel")])
def test_kommun_chooses_the_rule(decided, rule, code, severity):
    with (decided / "data" / "kommun.yml").open("a", encoding="utf-8") as f:
        f.write(f"andringar_efter_beslut: {rule}\n")
    edit(decided / "docs" / "rutiner" / "avvikelser.md", "samma dag", "inom ett dygn")
    git(decided, "commit", "-q", "-am", "Ändrad tidsgräns")
    check = run_cli(decided, "check", env=IDAG)
    assert check.returncode == code
    if severity:
        assert f"docs/rutiner/avvikelser.md: {severity}: Ändrat sedan beslutet 2026-03-12" in check.stderr
    else:
        assert "Ändrat sedan beslutet" not in check.stderr


def test_editorial_change_is_recorded_and_shown_as_such(decided):
    edit(decided / "docs" / "rutiner" / "avvikelser.md", "Rapportera händelsen", "Rapportera händelsen")
    edit(decided / "docs" / "rutiner" / "avvikelser.md", "rapporteras till SAS", "rapporteras till SAS")
    edit(decided / "docs" / "rutiner" / "avvikelser.md", "samma dag.", "samma dag!")
    git(decided, "commit", "-q", "-am", "Skiljetecken")
    refused = run_cli(decided, "decide", "avvikelser", "--redaktionell", env=IDAG)
    assert refused.returncode == 1 and "--skal" in refused.stderr
    proc = run_cli(decided, "decide", "avvikelser", "--redaktionell", "--skal", "Rättat ett skiljetecken", env=IDAG)
    assert proc.returncode == 0, proc.stderr
    assert "beslut/avvikelser/2026-03-20-redaktionell" in proc.stderr
    check = run_cli(decided, "check", env=IDAG)
    assert check.returncode == 0 and "Ändrat sedan" not in check.stderr, check.stderr
    build(decided)
    html = page(decided, "rutiner/avvikelser")
    assert ("Gäller enligt beslut 2026-03-12, Socialchef § 12 (med redaktionell ändring 2026-03-20: "
            "Rättat ett skiljetecken).") in html
    assert "<td>redaktionell: Rättat ett skiljetecken</td>" in html
    assert "Redaktionell ändring: Rutin för avvikelser &amp; risker – Rättat ett skiljetecken" in html
    # an editorial record is not a decision: the revision clock and gäller från stay
    due = run_cli(decided, "due", env={"STYRDOK_IDAG": "2027-03-13"})
    assert "2027-03-12" in due.stdout


# --- minor means minor; the tjänsteskrivelse lists the rendered changes ---------------------------------

def minor(root, datum="2026-03-19"):
    return run_cli(root, "decide", "avvikelser", "--instans", "socialchef", "--datum", datum, "--mindre-andring",
                   env=IDAG)


def test_new_section_is_not_a_minor_change(decided):
    with (decided / "docs" / "rutiner" / "avvikelser.md").open("a", encoding="utf-8") as f:
        f.write("\n## Uppföljning\n\nSAS följer upp rutinen varje år.\n")
    git(decided, "commit", "-q", "-am", "Nytt avsnitt")
    head = git(decided, "rev-parse", "HEAD")
    proc = minor(decided)
    assert proc.returncode == 1
    assert ("Ändringen sedan förra beslutet är för stor för att vara en mindre ändring enligt kommunens regel för "
            "rutin (stor_andring i data/kommun.yml): ny rubrik 'Uppföljning'") in proc.stderr
    assert "Inget har ändrats." in proc.stderr
    assert git(decided, "rev-parse", "HEAD") == head and "2026-03-19" not in git(decided, "tag", "-l")
    editorial = run_cli(decided, "decide", "avvikelser", "--redaktionell", "--skal", "Litet tillägg", env=IDAG)
    assert editorial.returncode == 1 and "för stor för att vara en redaktionell ändring" in editorial.stderr


def test_changed_ansvar_in_data_is_not_a_minor_change_and_the_memo_lists_it(decided):
    edit(decided / "data" / "ansvar.yml", "Sammanställer avvikelserna varje kvartal.",
         "Sammanställer avvikelserna varje månad.")
    git(decided, "commit", "-q", "-am", "Tätare sammanställning")
    proc = minor(decided)
    assert proc.returncode == 1
    assert "ändrat ansvar (Socialt ansvarig samordnare (Avvikelser): omformulerat)" in proc.stderr
    memo = run_cli(decided, "tjansteskrivelse", "avvikelser", "--utan-pdf", "--out", str(decided / "ut"), env=IDAG)
    assert memo.returncode == 0, memo.stderr
    doc = Document(decided / "ut" / "avvikelser-2026-03-20" / "avvikelser-tjansteskrivelse.docx")
    texts = [p.text for p in doc.paragraphs] + [c.text for t in doc.tables for r in t.rows for c in r.cells]
    assert "– Ändrat ansvar – Socialt ansvarig samordnare (Avvikelser): omformulerat" in texts
    assert "– Ändrat genom data som dokumentet visar: data/ansvar.yml: avvikelser" in texts
    assert "– Ändrat avsnitt: Ansvar" in texts
    # only the section whose text changed: the page has no text before its first heading
    assert [t for t in texts if t.startswith("– Ändrat avsnitt")] == ["– Ändrat avsnitt: Ansvar"]
    assert not any("Inga ändringar" in t for t in texts)


def test_small_wording_change_may_be_decided_as_minor(decided):
    edit(decided / "docs" / "rutiner" / "avvikelser.md", "samma dag.", "samma arbetsdag.")
    git(decided, "commit", "-q", "-am", "Förtydligat")
    proc = minor(decided)
    assert proc.returncode == 0, proc.stderr
    check = run_cli(decided, "check", env=IDAG)
    assert "Ändrat sedan" not in check.stderr       # the minor decision is the new baseline


def test_memo_without_git_never_says_there_are_no_changes(decided, tmp_path):
    import shutil
    copy = tmp_path / "utan-git"
    shutil.copytree(decided, copy, ignore=shutil.ignore_patterns(".git", ".cache"))
    memo = run_cli(copy, "tjansteskrivelse", "avvikelser", "--utan-pdf", "--out", str(copy / "ut"), env=IDAG)
    assert memo.returncode == 0, memo.stderr
    doc = Document(copy / "ut" / "avvikelser-2026-03-20" / "avvikelser-tjansteskrivelse.docx")
    texts = [p.text for p in doc.paragraphs] + [c.text for t in doc.tables for r in t.rows for c in r.cells]
    assert not any("Inga ändringar" in t for t in texts)
    assert any("Ändringarna sedan förra beslutet kunde inte tas fram (beslutstaggarna kunde inte läsas ur git: "
               f"mappen {copy} är inte ett git-förråd" in t for t in texts)
    assert ("docs/rutiner/avvikelser.md: varning: Ändringarna sedan förra beslutet kunde inte tas fram: "
            f"beslutstaggarna kunde inte läsas ur git: mappen {copy} är inte ett git-förråd") in memo.stderr


@pytest.mark.parametrize("changed", [False, True])
def test_memo_when_git_fails_names_the_cause_and_never_says_there_are_no_changes(decided, tmp_path, changed):
    """git installed but failing (here: a broken global config, as a bad ~/.gitconfig gives): the memo
    says the changes could not be found, and a varning names git's own message."""
    if changed:
        edit(decided / "docs" / "rutiner" / "avvikelser.md", "samma dag", "inom ett dygn")
        git(decided, "commit", "-q", "-am", "Ändrad tidsgräns")
    broken = tmp_path / "trasig.gitconfig"
    broken.write_text("[core\nbroken\n", encoding="utf-8")
    memo = run_cli(decided, "tjansteskrivelse", "avvikelser", "--utan-pdf", "--out", str(decided / "ut"),
                   env={**IDAG, "GIT_CONFIG_GLOBAL": str(broken)})
    assert memo.returncode == 0, memo.stderr
    doc = Document(decided / "ut" / "avvikelser-2026-03-20" / "avvikelser-tjansteskrivelse.docx")
    texts = [p.text for p in doc.paragraphs] + [c.text for t in doc.tables for r in t.rows for c in r.cells]
    assert not any("Inga ändringar" in t for t in texts)
    assert any("Ändringarna sedan förra beslutet kunde inte tas fram (beslutstaggarna kunde inte läsas ur git: "
               "git fungerar inte här: fatal: bad config line 1" in t for t in texts), texts
    assert "docs/rutiner/avvikelser.md: varning: Ändringarna sedan förra beslutet kunde inte tas fram" in memo.stderr
    assert f"fatal: bad config line 1 in file {broken}" in memo.stderr


def test_stoppa_blocks_the_build_but_not_the_commands_that_resolve_it(decided, tmp_path):
    with (decided / "data" / "kommun.yml").open("a", encoding="utf-8") as f:
        f.write("andringar_efter_beslut: stoppa\n")
    edit(decided / "docs" / "rutiner" / "avvikelser.md", "samma dag", "inom ett dygn")
    git(decided, "commit", "-q", "-am", "Ändrad tidsgräns")
    built = run_cli(decided, "build", env=IDAG)
    assert built.returncode == 1 and "Bygget avbröts" in built.stderr
    assert "docs/rutiner/avvikelser.md: fel: Ändrat sedan beslutet 2026-03-12 (i sidan)." in built.stderr
    memo = run_cli(decided, "tjansteskrivelse", "avvikelser", "--utan-pdf", "--out", str(tmp_path / "ut"), env=IDAG)
    assert memo.returncode == 0, memo.stderr
    proc = run_cli(decided, "decide", "avvikelser", "--instans", "socialchef", "--datum", "2026-03-19",
                   "--paragraf", "20", env=IDAG)
    assert proc.returncode == 0, proc.stderr
    build(decided)
    assert "Gäller enligt beslut 2026-03-19, Socialchef § 20." in page(decided, "rutiner/avvikelser")


def test_unwritable_cache_only_costs_time(decided):
    edit(decided / "docs" / "rutiner" / "avvikelser.md", "samma dag", "inom ett dygn")
    git(decided, "commit", "-q", "-am", "Ändrad tidsgräns")
    import shutil
    shutil.rmtree(decided / ".cache", ignore_errors=True)
    (decided / ".cache").mkdir()
    (decided / ".cache" / "beslutat").write_text("inte en mapp", encoding="utf-8")     # cannot hold the cache
    build(decided)
    assert "<del>samma</del><ins>inom</ins>" in page(decided, "rutiner/avvikelser--andringar")
    assert "Rapportera händelsen samma dag." in page(decided, "rutiner/avvikelser--beslutad-2026-03-12")


def test_a_decided_version_with_a_link_out_of_the_handbook_is_named_not_a_traceback(decided, tmp_path, monkeypatch):
    """A decision tag on a commit whose docs/ held a symbolic link out of the handbook (a tag set by hand,
    or by a styrdok before check refused such links): tarfile's data filter refuses to unpack it. check
    and build say so as a warning on the document, and the temporary folder is removed."""
    import tempfile
    temp = tmp_path / "temp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    (decided / "docs" / "extern.md").symlink_to("/etc/hostname")
    git(decided, "add", "-A")
    git(decided, "-c", "user.name=Test", "-c", "user.email=test@example.org", "commit", "-q", "-m", "Länk ut")
    git(decided, "tag", "beslut/avvikelser/2026-03-15")
    git(decided, "rm", "-q", "docs/extern.md")
    git(decided, "-c", "user.name=Test", "-c", "user.email=test@example.org", "commit", "-q", "-m", "Länken bort")
    warning = ("docs/rutiner/avvikelser.md: varning: Den beslutade versionen (beslut/avvikelser/2026-03-15) kunde "
               "inte jämföras: docs/extern.md i den versionen är en länk eller fil som pekar ut ur handboken")
    for args in (["check"], ["build", "--utan-word"]):
        proc = run_cli(decided, *args, env=IDAG)
        assert proc.returncode == 0, proc.stderr
        assert warning in proc.stderr and "Traceback" not in proc.stderr, proc.stderr
    assert not [p.name for p in temp.iterdir() if p.name.startswith("styrdok-beslutat-")]
