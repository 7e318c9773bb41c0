"""styrdok.history against real git repositories built in tmp_path, with fixed dates."""
from __future__ import annotations

import datetime
import os
import subprocess
from pathlib import Path

import pytest

from conftest import require_tool
from styrdok.history import (HistoryError, RepoHistory, Revision, file_at_ref, is_git_repo,
                             last_tag_for, read_history)

D = datetime.date


@pytest.fixture(autouse=True)
def isolated_git(monkeypatch, tmp_path):
    """No user/system git config, no hook variables, no repository above tmp_path."""
    require_tool("git", "behövs för versionshistoriken")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_AUTHOR_DATE",
                 "GIT_COMMITTER_DATE", "GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL"):
        monkeypatch.delenv(name, raising=False)


class Repo:
    def __init__(self, root: Path):
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", "main")
        self.git("config", "user.name", "Åsa Öberg")
        self.git("config", "user.email", "asa.oberg@kommun.example")

    def git(self, *args: str, date: str | None = None, cwd: Path | None = None) -> str:
        env = dict(os.environ)
        if date:
            env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = f"{date} 12:00:00 +0100"
        proc = subprocess.run(["git", *args], cwd=cwd or self.root, env=env,
                              capture_output=True, text=True, encoding="utf-8")
        assert proc.returncode == 0, proc.stderr
        return proc.stdout

    def write(self, rel: str, text: str) -> None:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")

    def commit(self, message: str, date: str, author: str | None = None) -> str:
        self.git("add", "-A")
        args = ["commit", "-q", "-m", message]
        if author:
            args += ["--author", author]
        self.git(*args, date=date)
        return self.short("HEAD")

    def short(self, ref: str) -> str:
        return self.git("rev-parse", "--short", ref).strip()


def rev(date: D, message: str, commit: str, path: str, author: str = "Åsa Öberg") -> Revision:
    return Revision(date=date, author=author, message=message, commit=commit, path=path)


@pytest.fixture
def repo(tmp_path) -> Repo:
    return Repo(tmp_path / "handbok")


def test_files_get_their_commits_newest_first_with_exact_fields(repo):
    repo.write("docs/rutin.md", "# Rutin\n")
    repo.write("data/personal.yml", "chef: Anna\n")
    repo.write("README.md", "utanför pathspec\n")
    c1 = repo.commit("Första versionen", "2024-01-10")
    repo.write("docs/rutin.md", "# Rutin\n\nMer text.\n")
    c2 = repo.commit("Uppdatera rutin", "2024-02-01", author="Bo Ek <bo@kommun.example>")
    repo.write("README.md", "bara readme\n")
    repo.commit("Bara README", "2024-02-15")
    repo.write("docs/rutin.md", "# Rutin\n\nÄnnu mer.\n")
    repo.write("data/personal.yml", "chef: Karin\n")
    c3 = repo.commit("Ny handläggning: rutin och personal", "2024-03-05")

    h = read_history(repo.root)

    assert h.shallow is False
    assert list(h.by_path) == ["data/personal.yml", "docs/rutin.md"]
    assert h.by_path["docs/rutin.md"] == (
        rev(D(2024, 3, 5), "Ny handläggning: rutin och personal", c3, "docs/rutin.md"),
        rev(D(2024, 2, 1), "Uppdatera rutin", c2, "docs/rutin.md", author="Bo Ek"),
        rev(D(2024, 1, 10), "Första versionen", c1, "docs/rutin.md"),
    )
    assert h.by_path["data/personal.yml"] == (
        rev(D(2024, 3, 5), "Ny handläggning: rutin och personal", c3, "data/personal.yml"),
        rev(D(2024, 1, 10), "Första versionen", c1, "data/personal.yml"),
    )
    # The commit touching both docs/ and data/ is one changelog entry per file.
    assert [(r.commit, r.path) for r in h.recent] == [
        (c3, "data/personal.yml"), (c3, "docs/rutin.md"), (c2, "docs/rutin.md"),
        (c1, "data/personal.yml"), (c1, "docs/rutin.md"),
    ]
    assert h.recent[0].message == "Ny handläggning: rutin och personal"


def test_rename_keeps_the_history_of_the_old_name(repo):
    old, new = "docs/gammal rutin.md", "docs/hemtjänst/Rutin för hemtjänst – ö.md"
    repo.write(old, "# Rutin\n\nRad ett.\nRad två.\nRad tre.\n")
    c1 = repo.commit("Skapa rutinen", "2023-11-02")
    repo.write(old, "# Rutin\n\nRad ett.\nRad två.\nRad tre.\nRad fyra.\n")
    c2 = repo.commit("Lägg till rad fyra", "2023-12-24")
    (repo.root / "docs/hemtjänst").mkdir()
    repo.git("mv", old, new)
    c3 = repo.commit("Byt namn på rutinen", "2024-01-15")
    repo.write(new, "# Rutin\n\nRad ett.\nRad två.\nRad tre.\nRad fyra.\nRad fem.\n")
    c4 = repo.commit("Lägg till rad fem", "2024-04-30")

    h = read_history(repo.root)

    assert list(h.by_path) == [new]
    assert h.by_path[new] == (
        rev(D(2024, 4, 30), "Lägg till rad fem", c4, new),
        rev(D(2024, 1, 15), "Byt namn på rutinen", c3, new),
        rev(D(2023, 12, 24), "Lägg till rad fyra", c2, old),
        rev(D(2023, 11, 2), "Skapa rutinen", c1, old),
    )


def test_rename_with_edit_and_chain_of_renames(repo):
    body = "".join(f"Stycke {i} om biståndsbedömning.\n" for i in range(20))
    repo.write("docs/a.md", body)
    c1 = repo.commit("a", "2024-01-01")
    repo.git("mv", "docs/a.md", "docs/b.md")
    repo.write("docs/b.md", body + "Ett tillägg.\n")  # R0xx: rename with an edit
    c2 = repo.commit("a blir b", "2024-01-02")
    (repo.root / "data").mkdir()
    repo.git("mv", "docs/b.md", "data/c.md")  # moves between pathspecs
    c3 = repo.commit("b blir c", "2024-01-03")

    h = read_history(repo.root)

    assert [(r.commit, r.path) for r in h.by_path["data/c.md"]] == [
        (c3, "data/c.md"), (c2, "docs/b.md"), (c1, "docs/a.md")]
    assert list(h.by_path) == ["data/c.md"]


def test_swedish_names_with_spaces(repo):
    names = ["docs/Åtgärder och insatser/Särskilt boende.md", "data/övrigt/ärende typ ä.yml",
             'docs/citat "x" och tab\tnamn.md']
    for i, name in enumerate(names):
        repo.write(name, f"innehåll {i}\n")
    c1 = repo.commit("Lägg till filer med svenska namn", "2024-05-17")

    h = read_history(repo.root)

    assert sorted(h.by_path) == sorted(names)
    for name in names:
        assert h.by_path[name] == (rev(D(2024, 5, 17), "Lägg till filer med svenska namn", c1, name),)


def test_deleted_files_are_not_keys_and_readded_files_start_at_readding(repo):
    repo.write("docs/kvar.md", "kvar\n")
    repo.write("docs/borta.md", "borta\n")
    repo.write("docs/åter.md", "första livet\n")
    repo.commit("Start", "2024-01-01")
    repo.git("rm", "-q", "docs/borta.md", "docs/åter.md")
    c2 = repo.commit("Ta bort två filer", "2024-02-01")
    repo.write("docs/åter.md", "andra livet\n")
    c3 = repo.commit("Återskapa åter.md", "2024-03-01")

    h = read_history(repo.root)

    assert sorted(h.by_path) == ["docs/kvar.md", "docs/åter.md"]
    # Documented choice: the history of a re-added file begins at the commit that re-added it.
    assert h.by_path["docs/åter.md"] == (rev(D(2024, 3, 1), "Återskapa åter.md", c3, "docs/åter.md"),)
    # The changelog does list the deletions.
    assert [(r.commit, r.path) for r in h.recent[:3]] == [
        (c3, "docs/åter.md"), (c2, "docs/borta.md"), (c2, "docs/åter.md")]


def test_new_file_under_a_renamed_files_old_name(repo):
    repo.write("docs/a.md", "Den ursprungliga rutinen, lång nog att kännas igen.\n")
    c1 = repo.commit("Skapa a", "2024-01-01")
    repo.git("mv", "docs/a.md", "docs/b.md")
    c2 = repo.commit("Döp om a till b", "2024-01-02")
    repo.write("docs/a.md", "En helt ny fil med det gamla namnet.\n")
    c3 = repo.commit("Ny a", "2024-01-03")

    h = read_history(repo.root)

    assert [(r.commit, r.path) for r in h.by_path["docs/a.md"]] == [(c3, "docs/a.md")]
    assert [(r.commit, r.path) for r in h.by_path["docs/b.md"]] == [(c2, "docs/b.md"), (c1, "docs/a.md")]


def test_recent_is_limited_and_pathspecs_are_respected(repo):
    commits = []
    for i in range(6):
        repo.write(f"docs/d{i}.md", f"{i}\n")
        repo.write("src/kod.py", f"x = {i}\n")
        commits.append(repo.commit(f"Ändring {i}", f"2024-06-{i + 1:02d}"))

    h = read_history(repo.root, recent_limit=3)
    assert [(r.commit, r.path, r.message) for r in h.recent] == [
        (commits[5], "docs/d5.md", "Ändring 5"), (commits[4], "docs/d4.md", "Ändring 4"),
        (commits[3], "docs/d3.md", "Ändring 3")]
    assert len(h.by_path) == 6

    only_src = read_history(repo.root, pathspecs=["src"], recent_limit=0)
    assert list(only_src.by_path) == ["src/kod.py"]
    assert len(only_src.by_path["src/kod.py"]) == 6
    assert only_src.recent == ()


def test_root_in_a_subfolder_gives_paths_relative_to_it(repo):
    repo.write("handbok/docs/rutin.md", "x\n")
    repo.write("docs/annat.md", "utanför handboken\n")
    c1 = repo.commit("Handbok i undermapp", "2024-02-29")

    sub = repo.root / "handbok"
    h = read_history(sub)

    assert h.by_path == {"docs/rutin.md": (rev(D(2024, 2, 29), "Handbok i undermapp", c1, "docs/rutin.md"),)}
    assert file_at_ref(sub, "HEAD", "docs/rutin.md") == "x\n"


def test_merged_branch_commits_are_included(repo):
    repo.write("docs/a.md", "a\n")
    repo.commit("Start", "2024-01-01")
    repo.git("checkout", "-q", "-b", "gren")
    repo.write("docs/b.md", "b\n")
    cb = repo.commit("På grenen", "2024-01-02")
    repo.git("checkout", "-q", "main")
    repo.write("docs/a.md", "a2\n")
    repo.commit("På main", "2024-01-03")
    repo.git("merge", "-q", "--no-edit", "gren", date="2024-01-04")

    h = read_history(repo.root)

    assert [(r.commit, r.message) for r in h.by_path["docs/b.md"]] == [(cb, "På grenen")]
    assert [r.message for r in h.by_path["docs/a.md"]] == ["På main", "Start"]


def test_shallow_clone_is_detected(repo, tmp_path):
    repo.write("docs/rutin.md", "1\n")
    repo.commit("Ett", "2024-01-01")
    repo.write("docs/rutin.md", "2\n")
    c2 = repo.commit("Två", "2024-01-02")
    clone = tmp_path / "klon"
    repo.git("clone", "-q", "--depth", "1", repo.root.as_uri(), str(clone), cwd=tmp_path)

    full = read_history(repo.root)
    shallow = read_history(clone)

    assert full.shallow is False and len(full.by_path["docs/rutin.md"]) == 2
    assert shallow.shallow is True
    assert shallow.by_path["docs/rutin.md"] == (rev(D(2024, 1, 2), "Två", c2, "docs/rutin.md"),)


def test_not_a_repo_gives_empty_history(tmp_path):
    plain = tmp_path / "vanlig mapp"
    (plain / "docs").mkdir(parents=True)
    (plain / "docs" / "a.md").write_text("a\n", encoding="utf-8")

    assert is_git_repo(plain) is False
    assert is_git_repo(tmp_path / "finns inte") is False
    for root in (plain, tmp_path / "finns inte"):
        h = read_history(root)
        assert h == RepoHistory() and h.shallow is False and dict(h.by_path) == {} and h.recent == ()
    assert last_tag_for(plain, "beslut/*") is None
    with pytest.raises(HistoryError, match="inte ett git-arkiv"):
        file_at_ref(plain, "HEAD", "docs/a.md")


def test_git_missing_gives_empty_history(repo, tmp_path, monkeypatch):
    repo.write("docs/a.md", "a\n")
    repo.commit("Start", "2024-01-01")
    empty_bin = tmp_path / "tom-bin"
    empty_bin.mkdir()
    monkeypatch.setenv("PATH", str(empty_bin))

    assert is_git_repo(repo.root) is False
    assert read_history(repo.root) == RepoHistory()
    assert last_tag_for(repo.root, "*") is None


def test_repo_without_commits_gives_empty_history(repo):
    repo.write("docs/a.md", "a\n")
    assert is_git_repo(repo.root) is True
    assert read_history(repo.root) == RepoHistory()


def test_hook_variables_do_not_redirect_git(repo, tmp_path, monkeypatch):
    other = Repo(tmp_path / "annat")
    other.write("docs/fel.md", "fel\n")
    other.commit("Fel arkiv", "2024-01-01")
    repo.write("docs/rätt.md", "rätt\n")
    repo.commit("Rätt arkiv", "2024-01-01")
    monkeypatch.setenv("GIT_DIR", str(other.root / ".git"))

    assert list(read_history(repo.root).by_path) == ["docs/rätt.md"]


def test_file_at_ref(repo):
    repo.write("docs/rutin för ärenden.md", "version 1\n")
    repo.write("data/binär.bin", "x")
    (repo.root / "data/binär.bin").write_bytes(b"\xff\xfe\x00")
    c1 = repo.commit("Ett", "2024-01-01")
    repo.git("tag", "-a", "v1", "-m", "Version 1", date="2024-01-01")
    repo.write("docs/rutin för ärenden.md", "version 2 – åäö\n")
    repo.write("docs/ny.md", "ny\n")
    repo.commit("Två", "2024-02-01")

    assert file_at_ref(repo.root, "v1", "docs/rutin för ärenden.md") == "version 1\n"
    assert file_at_ref(repo.root, c1, Path("docs") / "rutin för ärenden.md") == "version 1\n"
    assert file_at_ref(repo.root, "HEAD", "docs/rutin för ärenden.md") == "version 2 – åäö\n"
    assert file_at_ref(repo.root, "main", "docs/ny.md") == "ny\n"

    with pytest.raises(HistoryError) as bad_ref:
        file_at_ref(repo.root, "v9", "docs/ny.md")
    assert str(bad_ref.value) == (
        "Referensen 'v9' finns inte i git-historiken. Ange en tagg, gren eller commit som finns "
        "(se `git tag` och `git log`).")
    with pytest.raises(HistoryError, match="Referensen '--all' finns inte"):
        file_at_ref(repo.root, "--all", "docs/ny.md")

    with pytest.raises(HistoryError) as missing:
        file_at_ref(repo.root, "v1", "docs/ny.md")
    message = str(missing.value)
    assert message.startswith("Filen 'docs/ny.md' fanns inte i versionen 'v1'.")
    assert "Referensen" not in message

    with pytest.raises(HistoryError, match="är en mapp"):
        file_at_ref(repo.root, "v1", "docs")
    with pytest.raises(HistoryError, match="inte text i UTF-8"):
        file_at_ref(repo.root, "v1", "data/binär.bin")


def test_last_tag_for_picks_newest_annotated_by_creation_date(repo):
    repo.write("docs/rutin.md", "1\n")
    repo.commit("Ett", "2024-01-01")
    # Name order and creation order disagree on purpose.
    repo.git("tag", "-a", "beslut/rutin/b", "-m", "Beslut 1", date="2024-01-05")
    repo.write("docs/rutin.md", "2\n")
    repo.commit("Två", "2024-03-01")
    repo.git("tag", "-a", "beslut/rutin/a", "-m", "Beslut 2", date="2024-03-10")
    repo.git("tag", "beslut/rutin/zz-lättvikt", date="2024-04-01")  # lightweight: ignored
    repo.git("tag", "-a", "beslut/rutin-annan/2024-05-01", "-m", "Annat", date="2024-05-01")

    assert last_tag_for(repo.root, "beslut/rutin/*") == "beslut/rutin/a"
    assert last_tag_for(repo.root, "beslut/*") == "beslut/rutin-annan/2024-05-01"
    assert last_tag_for(repo.root, "beslut/saknas/*") is None


def test_last_tag_for_same_second_prefers_greatest_name(repo):
    repo.write("docs/rutin.md", "1\n")
    repo.commit("Ett", "2024-01-01")
    for name in ("beslut/rutin/2024-01-01", "beslut/rutin/2024-06-30", "beslut/rutin/2024-03-15"):
        repo.git("tag", "-a", name, "-m", "Beslut", date="2024-07-01")

    assert last_tag_for(repo.root, "beslut/rutin/*") == "beslut/rutin/2024-06-30"


def test_history_is_read_again_after_a_commit_and_not_before(repo):
    """`mkdocs serve` rebuilds after every save: an edit not yet committed leaves the history as it
    was; a new commit (or an amended one) is in the next read. (That the same commit does not run
    git log again is a saving measured in bench/.)"""
    repo.write("docs/rutin.md", "# Rutin\n")
    c1 = repo.commit("Första versionen", "2024-01-10")
    first = read_history(repo.root)
    repo.write("docs/rutin.md", "# Rutin\n\nEj incheckad ändring.\n")
    assert read_history(repo.root) == first
    assert [r.commit for r in first.by_path["docs/rutin.md"]] == [c1]
    c2 = repo.commit("Andra versionen", "2024-02-01")
    second = read_history(repo.root)
    assert [r.commit for r in second.by_path["docs/rutin.md"]][0] == c2
    repo.git("commit", "--amend", "-q", "-m", "Andra versionen, rättad", date="2024-02-02")
    third = read_history(repo.root)
    assert third.by_path["docs/rutin.md"][0].message == "Andra versionen, rättad"


def test_missing_or_failing_git_is_a_warning_not_a_silent_empty_history(tmp_path, monkeypatch):
    """Without git (or with git failing) the history is empty, and check says why; a handbook folder
    that is simply not in git (a draft, a copy) has no history and no warning."""
    from conftest import MINI, copy_handbook
    from styrdok.check import check_project
    root = copy_handbook(MINI, tmp_path / "handbok")
    _, problems = check_project(root)
    assert not [p for p in problems.warnings if p.file == "git"]
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    (tmp_path / "tom").mkdir()
    monkeypatch.setenv("PATH", str(tmp_path / "tom"))
    _, problems = check_project(root)
    assert [p.format() for p in problems.warnings if p.file == "git"] == [
        "git: varning: git saknas – historiken visas inte (revisionshistorik, Nyligen ändrat, beslutade versioner). "
        "Installera git (t.ex. 'apt install git') och kör kommandot igen."]
    monkeypatch.undo()
    broken = tmp_path / "trasig.gitconfig"
    broken.write_text("[core\nbroken\n", encoding="utf-8")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(broken))
    _, problems = check_project(root)
    found = [p.format() for p in problems.warnings if p.file == "git"]
    assert len(found) == 1 and "git fungerar inte här: fatal: bad config line 1" in found[0], found
    assert found[0].endswith("historiken visas inte.")
