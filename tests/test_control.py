"""Decisions, revision due and new documents, against real temporary git repositories."""
from __future__ import annotations

import subprocess

import pytest
import yaml

from conftest import git_handbook, run_cli

TODAY = {"STYRDOK_IDAG": "2026-03-20"}


def git(root, *args):
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True).stdout


@pytest.fixture
def repo(mini):
    git_handbook(mini, "site/\n")
    return mini


def front_matter(path):
    return yaml.safe_load(path.read_text(encoding="utf-8").split("---")[1])


def test_decide_records_commits_and_tags(repo):
    doc = repo / "docs" / "rutiner" / "riktlinje-kvalitet.md"
    proc = run_cli(repo, "decide", "riktlinje-kvalitet", "--instans", "socialnamnden", "--datum", "2026-03-12",
                   "--paragraf", "45", "--dnr", "SN-2026/123", env=TODAY)
    assert proc.returncode == 0, proc.stderr
    assert "taggat som beslut/riktlinje-kvalitet/2026-03-12" in proc.stderr
    fm = front_matter(doc)
    assert fm["beslut"] == [{"instans": "socialnamnden", "datum": __import__("datetime").date(2026, 3, 12),
                             "paragraf": "45", "diarienummer": "SN-2026/123", "andring": "revidering"}]
    assert str(fm["galler_fran"]) == "2026-03-12"
    # the date is written out in both places: no YAML anchor (&id001 … *id001) that would tie a later
    # correction of galler_fran to the decision's date
    head = doc.read_text(encoding="utf-8").split("---")[1]
    assert "galler_fran: 2026-03-12\n" in head and "datum: 2026-03-12," in head and "&" not in head and "*" not in head
    assert git(repo, "status", "--porcelain") == ""
    assert git(repo, "log", "-1", "--format=%s").strip() == (
        "Beslut: Riktlinje för kvalitet – reviderat och beslutat av Socialnämnden 2026-03-12 § 45 (dnr SN-2026/123)")
    assert git(repo, "tag", "-l", "beslut/*").split() == ["beslut/riktlinje-kvalitet/2026-03-12"]
    assert git(repo, "cat-file", "-t", "beslut/riktlinje-kvalitet/2026-03-12").strip() == "tag"
    # the recorded decision is valid input: the handbook still checks clean
    assert run_cli(repo, "check", env=TODAY).returncode == 0


def test_page_shows_decision_history(repo):
    run_cli(repo, "decide", "riktlinje-kvalitet", "--instans", "socialnamnden", "--datum", "2026-03-12",
            "--paragraf", "45", "--dnr", "SN-2026/123", env=TODAY)
    assert run_cli(repo, "build", env=TODAY).returncode == 0
    html = (repo / "site" / "rutiner" / "riktlinje-kvalitet" / "index.html").read_text(encoding="utf-8")
    assert "<td>2026-03-12</td><td>Socialnämnden</td><td>45</td><td>SN-2026/123</td><td>revidering</td>" in html


@pytest.mark.parametrize("args, message", [
    (["riktlinje-kvalitet", "--instans", "socialchef", "--datum", "2026-03-12"],
     "Socialchef får inte besluta om riktlinje"),
    (["riktlinje-kvalitet", "--instans", "kulturnamnden", "--datum", "2026-03-12"],
     "Instansen 'kulturnamnden' finns inte"),
    (["finns-inte", "--instans", "socialnamnden", "--datum", "2026-03-12"],
     "Dokumentet 'finns-inte' finns inte"),
    (["riktlinje-kvalitet", "--instans", "socialnamnden", "--datum", "2028-01-01"],
     "Datumet 2028-01-01 har inte varit än"),
    (["riktlinje-kvalitet", "--instans", "socialnamnden", "--datum", "2026-03-21"],       # tomorrow
     "Datumet 2026-03-21 har inte varit än (i dag är det 2026-03-20). Ett beslut registreras när det är fattat"),
    (["avvikelser", "--instans", "sas", "--datum", "2026-03-12"],
     "får inte besluta om rutin"),
    (["finns-inte", "--redaktionell", "--skal", "Stavfel"],
     "Dokumentet 'finns-inte' finns inte"),
])
def test_decide_refuses_and_writes_nothing(repo, args, message):
    head = git(repo, "rev-parse", "HEAD")
    proc = run_cli(repo, "decide", *args, env=TODAY)
    assert proc.returncode == 1
    assert message in proc.stderr
    assert "Inget har ändrats." in proc.stderr
    assert git(repo, "rev-parse", "HEAD") == head
    assert git(repo, "status", "--porcelain") == ""
    assert git(repo, "tag", "-l") == ""


def test_a_decision_in_front_matter_dated_after_today_is_a_varning_and_a_year_ahead_a_fel(mini):
    """Written by hand before the meeting, the page would show the document as decided: check says so
    on the decision's line (a varning: the build goes on); more than a year ahead is a typo (a fel)."""
    doc = mini / "docs" / "rutiner" / "avvikelser.md"
    text = doc.read_text(encoding="utf-8")
    doc.write_text(text.replace("senast_reviderad: 2025-06-01", "senast_reviderad: 2025-06-01\nbeslut:\n"
                                "  - {instans: socialchef, datum: 2026-04-01, andring: utan ändring}"), encoding="utf-8")
    line = doc.read_text(encoding="utf-8").splitlines().index("  - {instans: socialchef, datum: 2026-04-01, andring: utan ändring}") + 1
    proc = run_cli(mini, "check", env=TODAY)
    assert proc.returncode == 0, proc.stderr
    assert (f"docs/rutiner/avvikelser.md:{line}: varning: beslut[0].datum: Beslutsdatumet 2026-04-01 har inte varit "
            "än, men sidan visar dokumentet som beslutat.") in proc.stderr
    assert run_cli(mini, "check", env={"STYRDOK_IDAG": "2026-04-01"}).returncode == 0
    assert "har inte varit än" not in run_cli(mini, "check", env={"STYRDOK_IDAG": "2026-04-01"}).stderr
    far = run_cli(mini, "check", env={"STYRDOK_IDAG": "2025-03-31"})
    assert far.returncode == 1 and "ligger mer än ett år fram i tiden" in far.stderr


def test_decide_refuses_on_dirty_tree(repo):
    doc = repo / "docs" / "rutiner" / "riktlinje-kvalitet.md"
    doc.write_text(doc.read_text(encoding="utf-8") + "\nEn ändring till.\n", encoding="utf-8")
    proc = run_cli(repo, "decide", "riktlinje-kvalitet", "--instans", "socialnamnden", "--datum", "2026-03-12",
                   env=TODAY)
    assert proc.returncode == 1
    assert "inte är incheckade" in proc.stderr and "riktlinje-kvalitet.md" in proc.stderr
    assert git(repo, "tag", "-l") == ""


def test_bytecode_beside_a_hook_does_not_block_a_decision(repo):
    """A handbook with a hook of its own (overrides/hooks/) and a .gitignore without __pycache__/: the
    bytecode Python writes there when MkDocs loads the hook is no change to decide on."""
    cache = repo / "overrides" / "hooks" / "__pycache__"
    cache.mkdir(parents=True)
    (cache / "navigation.cpython-311.pyc").write_bytes(b"\x00")
    assert "__pycache__" in git(repo, "status", "--porcelain")
    proc = run_cli(repo, "decide", "riktlinje-kvalitet", "--instans", "socialnamnden", "--datum", "2026-03-12",
                   env=TODAY)
    assert proc.returncode == 0, proc.stderr
    assert git(repo, "tag", "-l") != ""
    assert "__pycache__" not in git(repo, "show", "--name-only", "--format=", "HEAD")


def test_minor_change_may_be_decided_at_lower_level_and_dates_keep_order(repo):
    ok = run_cli(repo, "decide", "riktlinje-kvalitet", "--instans", "socialnamnden", "--datum", "2026-03-12", env=TODAY)
    assert ok.returncode == 0, ok.stderr
    minor = run_cli(repo, "decide", "riktlinje-kvalitet", "--instans", "socialchef", "--datum", "2026-03-15",
                    "--mindre-andring", env=TODAY)
    assert minor.returncode == 0, minor.stderr
    earlier = run_cli(repo, "decide", "riktlinje-kvalitet", "--instans", "socialnamnden", "--datum", "2026-03-01",
                      env=TODAY)
    assert earlier.returncode == 1
    assert "ligger före det senaste beslutet (2026-03-15)" in earlier.stderr
    fm = front_matter(repo / "docs" / "rutiner" / "riktlinje-kvalitet.md")
    assert [b["andring"] for b in fm["beslut"]] == ["revidering", "mindre ändring"]


def test_review_without_change_restarts_the_clock(repo):
    before = run_cli(repo, "due", env={"STYRDOK_IDAG": "2026-07-01"})
    assert before.returncode == 1
    assert "försenad 30 dagar" in before.stdout and "Rutin för avvikelser & risker" in before.stdout
    proc = run_cli(repo, "decide", "avvikelser", "--instans", "socialchef", "--datum", "2026-06-25",
                   "--utan-andring", env={"STYRDOK_IDAG": "2026-07-01"})
    assert proc.returncode == 0, proc.stderr
    after = run_cli(repo, "due", env={"STYRDOK_IDAG": "2026-07-01"})
    assert after.returncode == 0
    assert "Rutin för avvikelser" not in after.stdout


def test_due_lists_by_owner_and_exits_1_when_overdue(mini):
    soon = run_cli(mini, "due", env={"STYRDOK_IDAG": "2026-04-15"})
    assert soon.returncode == 0
    assert soon.stdout.splitlines()[0] == "Socialt ansvarig samordnare:"
    assert "2026-06-01  om 47 dagar" in soon.stdout
    late = run_cli(mini, "due", env={"STYRDOK_IDAG": "2026-06-10"})
    assert late.returncode == 1
    assert "försenad 9 dagar" in late.stdout


def test_new_document_is_valid_and_checks_clean(mini):
    proc = run_cli(mini, "new", "rutin", "Rutin för hot och våld", "--enhet", "barn-och-unga", env=TODAY)
    assert proc.returncode == 0, proc.stderr
    path = mini / "docs" / "rutiner" / "rutin-for-hot-och-vald.md"
    fm = front_matter(path)
    assert fm["titel"] == "Rutin för hot och våld" and fm["typ"] == "rutin"
    assert fm["beslutad_av"] == "socialchef" and fm["galler_for"] == ["barn-och-unga"]
    # The scaffold's guidance is a placeholder until replaced (like "Klicka för att ange text").
    scaffolded = run_cli(mini, "check", env=TODAY)
    assert scaffolded.returncode == 1
    found = [line for line in scaffolded.stderr.splitlines() if "Vägledningen från 'styrdok new'" in line]
    assert len(found) == 5 and all(line.startswith("docs/rutiner/rutin-for-hot-och-vald.md:") for line in found)
    from styrdok.sensitive import SCAFFOLD_TEXTS
    text = path.read_text(encoding="utf-8")
    for i, guidance in enumerate(SCAFFOLD_TEXTS.values()):
        text = text.replace(guidance, f"Avsnittets egen text nummer {i}.")
    path.write_text(text, encoding="utf-8")
    assert run_cli(mini, "check", env=TODAY).returncode == 0
    again = run_cli(mini, "new", "rutin", "Rutin för hot och våld", env=TODAY)
    assert again.returncode == 1 and "finns redan" in again.stderr
    bad = run_cli(mini, "new", "rutinen", "X", env=TODAY)
    assert bad.returncode == 1 and "Dokumenttypen 'rutinen' finns inte" in bad.stderr


def test_page_history_changelog_and_feed_from_git(repo):
    doc = repo / "docs" / "rutiner" / "avvikelser.md"
    doc.write_text(doc.read_text(encoding="utf-8").replace("samma dag", "inom ett dygn"), encoding="utf-8")
    git(repo, "add", "-A")
    subprocess.run(["git", "commit", "-q", "-m", "Förtydligat tidsgränsen för rapportering"], cwd=repo, check=True,
                   env={**__import__("os").environ, "GIT_AUTHOR_DATE": "2026-02-03T10:00:00", "GIT_COMMITTER_DATE":
                        "2026-02-03T10:00:00"})
    git(repo, "mv", "docs/rutiner/avvikelser.md", "docs/rutiner/avvikelsehantering.md")
    index = repo / "docs" / "index.md"
    index.write_text(index.read_text(encoding="utf-8").replace("avvikelser.md", "avvikelsehantering.md"),
                     encoding="utf-8")
    for data in (repo / "data").rglob("*.yml"):      # the id is the file name: data that cites it follows
        text = data.read_text(encoding="utf-8")
        data.write_text(text.replace("dokument: avvikelser", "dokument: avvikelsehantering")
                        .replace("[avvikelser]", "[avvikelsehantering]"), encoding="utf-8")
    git(repo, "commit", "-q", "-a", "-m", "Bytt filnamn")
    assert run_cli(repo, "build").returncode == 0
    html = (repo / "site" / "rutiner" / "avvikelsehantering" / "index.html").read_text(encoding="utf-8")
    hist = html[html.index('id="revisionshistorik"'):]
    rows = __import__("re").findall(r"<tr><td>([^<]*)</td><td>([^<]*)</td><td>([^<]*)</td></tr>", hist)
    assert [r[2] for r in rows] == ["Bytt filnamn", "Förtydligat tidsgränsen för rapportering", "Första versionen"]
    assert rows[1][:2] == ("2026-02-03", "Sara SAS")
    changelog = (repo / "site" / "andringar" / "index.html").read_text(encoding="utf-8")
    assert "Förtydligat tidsgränsen för rapportering" in changelog
    assert 'href="../rutiner/avvikelsehantering/"' in changelog
    import xml.etree.ElementTree as ET
    feed = ET.parse(repo / "site" / "andringar.xml").getroot()
    titles = [e.findtext("{http://www.w3.org/2005/Atom}title") for e in feed.iter("{http://www.w3.org/2005/Atom}entry")]
    assert "Rutin för avvikelser & risker: Bytt filnamn" in titles


def test_shallow_clone_is_detected(repo, tmp_path):
    git(repo, "commit", "-q", "--allow-empty", "-m", "Andra")
    clone = tmp_path / "grund"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{repo}", str(clone)], check=True)
    proc = run_cli(clone, "check")
    assert "grund klon (shallow clone)" in proc.stderr and "git fetch --unshallow" in proc.stderr
    assert proc.returncode == 0


def test_att_revidera_page_lists_overdue(repo):
    assert run_cli(repo, "build", env={"STYRDOK_IDAG": "2026-07-01"}).returncode == 0
    html = (repo / "site" / "att-revidera" / "index.html").read_text(encoding="utf-8")
    assert "Socialt ansvarig samordnare" in html
    assert "<strong>Försenad 30 dagar</strong>" in html
    card = (repo / "site" / "rutiner" / "avvikelser" / "index.html").read_text(encoding="utf-8")
    assert "<strong>Revideringen är försenad sedan 2026-06-01</strong>" in card


def test_new_document_keeps_any_title_as_text(mini):
    """A title with YAML's own signs (': ', ' #', a leading -, [, ', @, *, or a word YAML reads as a
    boolean) is written so that it reads back as the same text, and the pages check like any other."""
    from styrdok.sensitive import SCAFFOLD_TEXTS
    titles = ["Rutin: hot", "Rutin #2 – våld", "- lista", "[utkast] 'citat' och \"mer\"", "@hem & *stjärna*", "yes"]
    for title in titles:
        proc = run_cli(mini, "new", "rutin", title, env=TODAY)
        assert proc.returncode == 0, proc.stderr
        rel = proc.stderr.split("Skapade ", 1)[1].split(".md", 1)[0] + ".md"
        assert front_matter(mini / rel)["titel"] == title
    for path in (mini / "docs" / "rutiner").glob("*.md"):
        text = path.read_text(encoding="utf-8")
        for i, guidance in enumerate(SCAFFOLD_TEXTS.values()):
            text = text.replace(guidance, f"Avsnittets egen text nummer {i}.")
        path.write_text(text, encoding="utf-8")
    check = run_cli(mini, "check", env=TODAY)
    assert check.returncode == 0 and "YAML" not in check.stderr, check.stderr


def test_a_draft_elsewhere_stops_the_build_not_new_export_or_due_but_a_fel_in_the_document_or_in_data_does(mini):
    """Two new rutiner in a row, and an export of another document while they are drafts: the guidance
    of `styrdok new` still in a draft is a fel that stops the build (it must not be published), not
    the commands that work on other documents, which name it in one line. A fel in the document
    itself, or in data/, still stops them."""
    first = run_cli(mini, "new", "rutin", "Rutin för hot och våld", env=TODAY)
    assert first.returncode == 0, first.stderr
    second = run_cli(mini, "new", "rutin", "Rutin för trygg hemgång", env=TODAY)
    assert second.returncode == 0, second.stderr
    assert ("obs: 5 fel i docs/rutiner/rutin-for-hot-och-vald.md stoppar bygget men inte det här kommandot "
            "(styrdok check visar dem).") in second.stderr
    export = run_cli(mini, "export", "avvikelser", "--out", str(mini / "build" / "word"), env=TODAY)
    assert export.returncode == 0, export.stderr
    assert (mini / "build" / "word" / "avvikelser.docx").is_file()
    assert "obs: 10 fel i docs/rutiner/rutin-for-hot-och-vald.md, docs/rutiner/rutin-for-trygg-hemgang.md" in export.stderr
    assert run_cli(mini, "due", env=TODAY).returncode in (0, 1)          # 1: something is overdue
    build = run_cli(mini, "build", env=TODAY)
    assert build.returncode == 1 and "Vägledningen från 'styrdok new'" in build.stderr

    # the draft itself is not exported: its own fel are shown
    draft = run_cli(mini, "export", "rutin-for-hot-och-vald", "--out", str(mini / "build" / "word"), env=TODAY)
    assert draft.returncode == 2 and "docs/rutiner/rutin-for-hot-och-vald.md:" in draft.stderr
    assert "rutin-for-trygg-hemgang.md" not in draft.stderr
    assert not (mini / "build" / "word" / "rutin-for-hot-och-vald.docx").exists()
    # a fel in data/ stops every command
    roller = mini / "data" / "roller.yml"
    roller.write_text(roller.read_text(encoding="utf-8") + "\n  - trasig: [\n", encoding="utf-8")
    for args in (["new", "rutin", "Rutin för larm"], ["export", "avvikelser"], ["due"]):
        proc = run_cli(mini, *args, env=TODAY)
        assert proc.returncode == 2 and "data/roller.yml" in proc.stderr, (args, proc.stderr)
    assert not (mini / "docs" / "rutiner" / "rutin-for-larm.md").exists()


def test_decide_keeps_comments_and_layout_of_the_front_matter(repo):
    doc = repo / "docs" / "rutiner" / "riktlinje-kvalitet.md"
    text = doc.read_text(encoding="utf-8")
    head, body = text.split("\n---\n", 1)
    head = head.replace("\ntyp:", "\n# Titeln bestämdes av ledningsgruppen 2025.\ntyp:", 1)
    doc.write_text(head + "\nversion: \"1.4\"  # numreras av SAS\n---\n" + body, encoding="utf-8")
    git(repo, "commit", "-q", "-am", "Kommentarer")
    proc = run_cli(repo, "decide", "riktlinje-kvalitet", "--instans", "socialnamnden", "--datum", "2026-03-12",
                   "--paragraf", "45: 2", "--dnr", "SN-2026/123 # a", env=TODAY)
    assert proc.returncode == 0, proc.stderr
    after = doc.read_text(encoding="utf-8")
    assert "# Titeln bestämdes av ledningsgruppen 2025.\ntyp:" in after
    assert 'version: "2.0"  # numreras av SAS' in after
    assert after.endswith(body)
    fm = front_matter(doc)
    assert fm["beslut"][-1]["paragraf"] == "45: 2" and fm["beslut"][-1]["diarienummer"] == "SN-2026/123 # a"
    assert str(fm["galler_fran"]) == "2026-03-12"
    assert run_cli(repo, "check", env=TODAY).returncode == 0


def test_feed_entry_ids_are_stable_per_commit_and_page(repo):
    """An Atom entry's id names the change (commit and page), not its place in the list: a new commit
    adds one entry and leaves the ids of the earlier ones as they were, so a feed reader shows
    only the new change as unread."""
    import xml.etree.ElementTree as ET
    from styrdok.load import load_handbook
    from styrdok.parts import generated_files
    atom = "{http://www.w3.org/2005/Atom}"

    def entry_ids():
        handbook, _ = load_handbook(repo)
        feed = dict(generated_files(handbook))["andringar.xml"]
        entries = ET.fromstring(feed).iter(f"{atom}entry")
        return {e.findtext(f"{atom}title"): e.findtext(f"{atom}id") for e in entries}

    before = entry_ids()
    doc = repo / "docs" / "rutiner" / "avvikelser.md"
    doc.write_text(doc.read_text(encoding="utf-8").replace("samma dag", "inom ett dygn"), encoding="utf-8")
    git(repo, "commit", "-q", "-am", "Förtydligat tidsgränsen")
    after = entry_ids()
    assert len(after) == len(before) + 1
    assert {t: after[t] for t in before} == before
    assert len(set(after.values())) == len(after)


def test_generated_files_are_named_without_being_made(mini, example_built):
    """The preview names the generated files (review calendars, process diagrams, the årshjul's
    calendar, the feed) without making them, to link to a calendar a save adds at once: a role's
    first document adds its calendar's name, a removed årshjul takes its calendar's away, and the file
    made under a name is that calendar."""
    from styrdok.load import load_handbook
    from styrdok.parts import generated_file_paths, generated_files

    def load(root):
        handbook, problems = load_handbook(root)
        assert handbook is not None and not problems.errors, problems.errors
        return handbook

    named = generated_file_paths(load(example_built))
    assert "ledningssystem/arshjul.ics" in named and "andringar.xml" in named
    assert any(p.endswith(".svg") for p in named), named
    assert "kalender/revideringar-socialchef.ics" not in generated_file_paths(load(mini))
    (mini / "data" / "arshjul.yml").unlink()
    doc = mini / "docs" / "rutiner" / "riktlinje-kvalitet.md"
    doc.write_text(doc.read_text(encoding="utf-8").replace("dokumentansvarig: sas", "dokumentansvarig: socialchef"),
                   encoding="utf-8")
    handbook = load(mini)
    named = generated_file_paths(handbook)
    assert "ledningssystem/arshjul.ics" not in named
    assert "kalender/revideringar-socialchef.ics" in named
    calendar = dict(generated_files(handbook))["kalender/revideringar-socialchef.ics"].decode("utf-8")
    assert calendar.startswith("BEGIN:VCALENDAR") and "Revidera: Riktlinje för kvalitet" in calendar
