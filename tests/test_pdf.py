"""PDF of every styrdokument on the site (pdf/, linked beside the Word file), made by LibreOffice (headless).

Tests read what a reader gets: the PDF's text (pdftotext), the page's "Ladda ner som PDF" link, and
which files LibreOffice was given (a logging `soffice` first on PATH that runs the real one)."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pikepdf
import pytest

from conftest import MINI, copy_handbook, made_once, require_tool, run_cli, tree_digest


def pdf_on(root: Path, on: bool = True) -> None:
    kommun = root / "data" / "kommun.yml"
    text = kommun.read_text(encoding="utf-8").replace("pdf: false", f"pdf: {'true' if on else 'false'}")
    kommun.write_text(text, encoding="utf-8")


def pdf_text(path: Path, *args: str) -> str:
    tool = require_tool("pdftotext", "läser texten i PDF-filerna")
    return subprocess.run([tool, *args, str(path), "-"], capture_output=True, text=True, check=True).stdout


def _logging_soffice(folder: Path) -> Path:
    """folder/bin/soffice: records its arguments (one line per process) in the file $SOFFICE_LOG and runs the
    real one; with SOFFICE_FAIL=1 in the environment it converts nothing, as a LibreOffice that cannot read
    the files. One script for the whole run: its path and time are part of the PDF cache's key
    (styrdok.pdf.tool_signature), so a copy of a handbook built with it keeps its cached PDFs."""
    real = require_tool("soffice", "gör PDF-filerna")
    script = folder / "bin" / "soffice"
    script.parent.mkdir(parents=True)
    script.write_text(f'#!/bin/sh\necho "$@" >> "$SOFFICE_LOG"\n[ -n "$SOFFICE_FAIL" ] && exit 0\nexec "{real}" "$@"\n',
                      encoding="utf-8")
    script.chmod(0o755)
    return script.parent


@pytest.fixture(scope="session")
def soffice_bin(tmp_path_factory) -> Path:
    require_tool("soffice", "gör PDF-filerna")
    return made_once(tmp_path_factory, "soffice-logg", _logging_soffice)


def soffice_env(soffice_bin: Path, log: Path, fail: bool = False) -> dict:
    return {"PATH": f"{soffice_bin}{os.pathsep}{os.environ['PATH']}", "SOFFICE_LOG": str(log),
            **({"SOFFICE_FAIL": "1"} if fail else {})}


@pytest.fixture
def logged_soffice(tmp_path, soffice_bin):
    """make(fail=False): the environment of a build whose LibreOffice is the logging one (log: make.log)."""
    log = tmp_path / "soffice.log"

    def make(fail: bool = False) -> dict:
        return soffice_env(soffice_bin, log, fail)

    make.log = log
    return make


@pytest.fixture(scope="session")
def mini_pdf_built(tmp_path_factory, soffice_bin) -> Path:
    """The mini handbook with PDFs on, built once per test run with the logging soffice (its log:
    soffice.log beside the handbook). Copy it (copy_built) before changing it."""
    def make(folder: Path) -> Path:
        root = copy_handbook(MINI, folder / "handbok")
        pdf_on(root)
        proc = run_cli(root, "build", env=soffice_env(soffice_bin, folder / "soffice.log"))
        assert proc.returncode == 0, proc.stderr
        return root
    return made_once(tmp_path_factory, "mini-pdf", make)


def copy_built(built: Path, tmp_path: Path) -> Path:
    """A copy of a built handbook that keeps its hard links (site/pdf/ links into the PDF cache)."""
    root = tmp_path / "handbok"
    subprocess.run(["cp", "-a", str(built), str(root)], check=True)
    return root


# The mini handbook's Word files: its two styrdokument and its printed pages (styrdok.printpages).
ALL_WORD_FILES = ["avvikelser.docx", "kvalitetsplan-sof-2026.docx", "ledningssystem-barn-och-unga.docx",
                  "mitt-ansvar-sas.docx", "mitt-ansvar-socialchef.docx", "process-avvikelseprocessen.docx",
                  "riktlinje-kvalitet.docx"]


def calls(log: Path) -> list[list[str]]:
    """The .docx files of each soffice process that converted files, by file name (not the one that
    tells LibreOffice's version, styrdok.pdf._installed_version)."""
    if not log.exists():
        return []
    return [sorted(Path(a).name for a in line.split() if a.endswith(".docx"))
            for line in log.read_text(encoding="utf-8").splitlines() if "--convert-to" in line.split()]


def test_every_styrdokument_gets_a_pdf_beside_its_word_file_and_a_link(mini_pdf_built):
    mini = mini_pdf_built                                   # read only
    word = mini / "site" / "pdf"
    assert sorted(p.name for p in word.glob("*.pdf")) == ["avvikelser.pdf", "riktlinje-kvalitet.pdf"]
    text = pdf_text(word / "avvikelser.pdf")
    assert "Rutin för avvikelser & risker" in text and "Testby kommun" in text
    with pikepdf.open(word / "avvikelser.pdf") as pdf:          # a screen reader's title and structure
        assert str(pdf.docinfo["/Title"]) == "Rutin för avvikelser & risker"
        assert str(pdf.docinfo["/Author"]) == "Socialförvaltningen, Testby kommun"
        assert pdf.Root.MarkInfo.Marked and "/StructTreeRoot" in pdf.Root         # tagged PDF
    # one LibreOffice process for all the documents and the printed pages that are not styrdokument
    # (tests/test_word_pages.py): seven files, fewer than one per process needs
    assert calls(mini.parent / "soffice.log") == [ALL_WORD_FILES]
    assert sorted(p.name for p in (word / "sidor").glob("*.pdf"))[0] == "kvalitetsplan-sof-2026.pdf"
    page = (mini / "site" / "rutiner" / "avvikelser" / "index.html").read_text(encoding="utf-8")
    assert 'href="../../pdf/avvikelser.pdf" download>Ladda ner som PDF</a>' in page
    assert 'href="../../word/avvikelser.docx" download>Ladda ner som Word</a>' in page


def test_every_printed_page_links_to_its_pdf_which_shows_the_page(mini_pdf_built):
    """The printed pages that are not styrdokument (styrdok.printpages: a process, the kvalitetsplan,
    Mitt ansvar per role, an enhet's ledningssystem): each one's "Ladda ner som PDF" leads to a PDF that
    LibreOffice made from its Word file, with the page's title (tests/test_word_pages.py checks the links
    of every such page of the example, which is built without PDFs)."""
    import re
    from styrdok.load import load_handbook
    from styrdok.printpages import print_pages
    mini = mini_pdf_built                                   # read only
    site = mini / "site"
    handbook, _ = load_handbook(mini)
    pages = print_pages(handbook)
    assert {page.name for page in pages.values()} == {p[:-5] for p in ALL_WORD_FILES} - {"avvikelser",
                                                                                         "riktlinje-kvalitet"}
    for src_path, page in pages.items():
        folder = site / src_path[:-3]
        html = (folder / "index.html").read_text(encoding="utf-8")
        hrefs = re.findall(r'<a href="([^"]+)" download>Ladda ner som PDF</a>', html)
        assert [(folder / h).resolve() for h in hrefs] == [(site / "pdf" / "sidor" / f"{page.name}.pdf").resolve()]
        target = site / "pdf" / "sidor" / f"{page.name}.pdf"
        assert target.read_bytes()[:5] == b"%PDF-", src_path
        assert page.title in " ".join(pdf_text(target).split()), src_path      # LibreOffice read the Word file


@pytest.mark.langsam
def test_only_changed_word_files_are_converted_again(mini_pdf_built, tmp_path, logged_soffice):
    mini = copy_built(mini_pdf_built, tmp_path)             # built with PDFs in one soffice process
    env = logged_soffice()
    first = len(calls(logged_soffice.log))
    assert first == 0
    before = (mini / "site" / "pdf" / "riktlinje-kvalitet.pdf").stat().st_ino
    published = sorted(p.relative_to(mini / "site").as_posix() for p in (mini / "site" / "pdf").rglob("*.pdf"))
    assert len(published) == len(ALL_WORD_FILES), published
    doc = mini / "docs" / "rutiner" / "avvikelser.md"
    doc.write_text(doc.read_text(encoding="utf-8") + "\nEnhetschefen svarar inom en vecka.\n", encoding="utf-8")
    proc = run_cli(mini, "build", env=env)
    assert proc.returncode == 0, proc.stderr
    again = calls(logged_soffice.log)[first:]
    # the edited document, and the printed pages that link to it (the Word cache keys a page by the
    # files it links to), in one process
    assert len(again) == 1 and "avvikelser.docx" in again[0]
    assert "riktlinje-kvalitet.docx" not in again[0] and "process-avvikelseprocessen.docx" not in again[0]
    assert "Enhetschefen svarar inom en vecka." in pdf_text(mini / "site" / "pdf" / "avvikelser.pdf")
    assert (mini / "site" / "pdf" / "riktlinje-kvalitet.pdf").stat().st_ino == before   # from the cache
    # the cached build publishes the PDFs the clean one did, by name (none lost, none extra)
    assert sorted(p.relative_to(mini / "site").as_posix() for p in (mini / "site" / "pdf").rglob("*.pdf")) \
        == published


def test_kommun_can_turn_site_pdfs_off(mini, logged_soffice):
    env = logged_soffice()                                  # the fixture's kommun.yml says pdf: false
    assert run_cli(mini, "build", env=env).returncode == 0
    assert not list((mini / "site" / "pdf").glob("*.pdf"))
    assert calls(logged_soffice.log) == []
    page = (mini / "site" / "rutiner" / "avvikelser" / "index.html").read_text(encoding="utf-8")
    assert "Ladda ner som PDF" not in page and "Ladda ner som Word" in page


def test_libreoffice_failure_names_the_file_and_leaves_the_site(mini_pdf_built, tmp_path, logged_soffice):
    mini = copy_built(mini_pdf_built, tmp_path)             # built with PDFs
    before = tree_digest(mini / "site")
    doc = mini / "docs" / "rutiner" / "avvikelser.md"
    doc.write_text(doc.read_text(encoding="utf-8") + "\nNy mening.\n", encoding="utf-8")
    proc = run_cli(mini, "build", env=logged_soffice(fail=True))
    assert proc.returncode == 1
    assert "PDF-filerna kunde inte skapas" in proc.stderr
    assert "docs/rutiner/avvikelser.md: LibreOffice kunde inte göra en PDF av Word-filen" in proc.stderr
    assert "riktlinje-kvalitet" not in proc.stderr                        # unchanged: from the cache
    assert "Bygget avbröts: inget i site/ har ändrats." in proc.stderr
    assert tree_digest(mini / "site") == before


def test_without_libreoffice_the_site_is_built_without_pdfs_and_says_why(mini, tmp_path):
    pdf_on(mini)
    folder = tmp_path / "bin"                               # a PATH with git but no LibreOffice
    folder.mkdir()
    for tool in ("git",):
        os.symlink(require_tool(tool, "bygget läser historiken"), folder / tool)
    proc = run_cli(mini, "build", env={"PATH": str(folder)})
    assert proc.returncode == 0, proc.stderr
    assert "varning: PDF-filerna görs inte: LibreOffice (soffice) finns inte" in proc.stderr
    assert not list((mini / "site" / "pdf").glob("*.pdf"))
    assert "Ladda ner som PDF" not in (mini / "site" / "rutiner" / "avvikelser" / "index.html").read_text("utf-8")


def test_a_libreoffice_that_stops_half_way_gets_the_rest_in_a_new_process(mini, tmp_path):
    """LibreOffice stopped once after 242 of 250 files (bench/bench_pdf.py): the files without a PDF
    go to a second process instead of failing the build."""
    pdf_on(mini)
    real = require_tool("soffice", "gör PDF-filerna")
    folder, log, marker = tmp_path / "bin", tmp_path / "soffice.log", tmp_path / "stoppat"
    folder.mkdir()
    (folder / "soffice").write_text(f"""#!{sys.executable}
import os, sys
args = sys.argv[1:]
with open({str(log)!r}, "a") as f:
    f.write(" ".join(args) + "\\n")
if "--convert-to" in args and not os.path.exists({str(marker)!r}):   # the first converts all but the last
    open({str(marker)!r}, "w").close()
    args = args[:-1]
os.execv({real!r}, [{real!r}, *args])
""", encoding="utf-8")
    (folder / "soffice").chmod(0o755)
    proc = run_cli(mini, "build", env={"PATH": f"{folder}{os.pathsep}{os.environ['PATH']}"})
    assert proc.returncode == 0, proc.stderr
    assert calls(log) == [ALL_WORD_FILES, ["ledningssystem-barn-och-unga.docx"]]     # the last one again
    assert sorted(p.name for p in (mini / "site" / "pdf").glob("*.pdf")) == ["avvikelser.pdf",
                                                                             "riktlinje-kvalitet.pdf"]


def test_pdfs_are_an_output_made_alone_or_kept(mini_pdf_built, tmp_path, logged_soffice):
    mini = copy_built(mini_pdf_built, tmp_path)             # built with PDFs
    env = logged_soffice()
    first = (mini / "site" / "pdf" / "avvikelser.pdf").read_bytes()
    proc = run_cli(mini, "build", "--utan", "pdf", env=env)                 # kept from the last build
    assert proc.returncode == 0, proc.stderr
    assert (mini / "site" / "pdf" / "avvikelser.pdf").read_bytes() == first
    shutil.rmtree(mini / "site" / "pdf")
    proc = run_cli(mini, "build", "--bara", "pdf", env=env)                 # made again, site untouched
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in (mini / "site" / "pdf").iterdir()) == ["avvikelser.pdf", "riktlinje-kvalitet.pdf",
                                                                         "sidor"]
    assert calls(logged_soffice.log) == []                                  # both times from the cache


def test_each_libreoffice_starts_from_the_profile_the_first_one_made(tmp_path, monkeypatch):
    """LibreOffice makes a profile when it starts without one (0.1-0.2 s of each start): the first run's is
    kept in the user's cache and the next processes start from a copy of it. It says which version of
    LibreOffice has run in it, so none of them runs LibreOffice's render tests. One that LibreOffice
    fails with is dropped, and the process after makes its own again."""
    import pypandoc
    from styrdok import pdf
    real = require_tool("soffice", "gör PDF-filerna")
    folder, log = tmp_path / "bin", tmp_path / "profiler.log"
    folder.mkdir()
    (folder / "soffice").write_text(f"""#!{sys.executable}
import os, sys
if "--convert-to" in sys.argv:              # not the process that tells the version
    given = "-env:UserInstallation=file://"
    profile = next(a for a in sys.argv if a.startswith(given))[len(given):]
    with open({str(log)!r}, "a") as f:      # a profile LibreOffice made has user/config
        f.write(("kopia" if os.path.isdir(os.path.join(profile, "user", "config")) else "ny") + "\\n")
    if os.path.exists({str(tmp_path / "fel")!r}):
        sys.exit(81)
os.execv({real!r}, [{real!r}, *sys.argv[1:]])
""", encoding="utf-8")
    (folder / "soffice").chmod(0o755)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("STYRDOK_CACHE", str(tmp_path / "cache"))
    docx = tmp_path / "rutin.docx"
    pypandoc.convert_text("# Rutin för introduktion\n\nNya medarbetare får en handledare.\n", "docx", format="md",
                          outputfile=str(docx))
    for n in range(2):
        [made] = pdf.convert([docx], tmp_path / f"ut{n}")
        assert "Nya medarbetare får en handledare." in pdf_text(made)
    assert log.read_text(encoding="utf-8").split() == ["ny", "kopia"]
    assert [p.name for p in (tmp_path / "cache").iterdir()] == [pdf._profile_template().name]
    # LibreOffice did not run its graphics render tests, which it does in a profile without its version
    # and then logs in the profile: the profile says which version has run in it before the first start
    kept = pdf._profile_template() / "user"
    assert not (kept / "GraphicsRenderTests.log").exists()
    version = re.match(r"LibreOffice (\d+\.\d+)\.", subprocess.run([real, "--version"], capture_output=True,
                                                                  text=True, check=True).stdout)[1]
    assert (f'<prop oor:name="ooSetupLastVersion" oor:op="fuse"><value>{version}</value></prop>'
            in (kept / "registrymodifications.xcu").read_text(encoding="utf-8"))
    # LibreOffice fails: the kept profile is dropped, and the second try (styrdok.pdf gives the files a
    # process failed with one more) starts without it
    (tmp_path / "fel").touch()
    with pytest.raises(pdf.PdfError):
        pdf.convert([docx], tmp_path / "ut2")
    assert log.read_text(encoding="utf-8").split() == ["ny", "kopia", "kopia", "ny"]
    assert not pdf._profile_template().exists()


@pytest.mark.parametrize(("users", "given"), [
    (None, "glibc.malloc.hugetlb=1"),
    ("glibc.malloc.arena_max=2", "glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1"),
    ("glibc.malloc.hugetlb=0", "glibc.malloc.hugetlb=0"),
])
def test_libreoffice_is_started_with_huge_pages_for_malloc_and_the_users_own_tunables(tmp_path, monkeypatch,
                                                                                      users, given):
    """soffice gets glibc.malloc.hugetlb=1 (a third to a half less CPU per start, styrdok.pdf
    _libreoffice_env) after any tunables of the user's own, and a user's own choice about huge pages
    stays. The soffice here writes down its environment and converts nothing: the file is named."""
    from styrdok.pdf import PdfError, convert
    seen = tmp_path / "tunables.txt"
    script = tmp_path / "bin" / "soffice"
    script.parent.mkdir()
    script.write_text(f'#!/bin/sh\nprintf "%s" "$GLIBC_TUNABLES" > "{seen}"\nexit 0\n', encoding="utf-8")
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{script.parent}{os.pathsep}{os.environ['PATH']}")
    if users is None:
        monkeypatch.delenv("GLIBC_TUNABLES", raising=False)
    else:
        monkeypatch.setenv("GLIBC_TUNABLES", users)
    docx = tmp_path / "rutin.docx"
    docx.write_bytes(b"PK")
    with pytest.raises(PdfError, match="rutin.docx"):
        convert([docx], tmp_path / "pdf")
    assert seen.read_text(encoding="utf-8") == given


def _running(pid: int) -> bool:
    """Whether process pid runs (a zombie, killed but not yet reaped, does not)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_a_libreoffice_that_hangs_is_stopped_whole_and_the_files_are_named(tmp_path, monkeypatch):
    """soffice is a script whose LibreOffice (soffice.bin) is a process of its own: when the time is up,
    all of it is stopped, not the script only (a LibreOffice left running was found after a run)."""
    from styrdok import pdf
    started = tmp_path / "libreoffice.pid"
    script = tmp_path / "bin" / "soffice"
    script.parent.mkdir()
    script.write_text('#!/bin/sh\nif [ "$1" = --version ]; then echo "LibreOffice 7.4.7.2 40(Build:2)"; exit 0; fi\n'
                      f'sleep 300 &\necho $! > "{started}"\nwait\n', encoding="utf-8")
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{script.parent}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("STYRDOK_CACHE", str(tmp_path / "cache"))
    # The script starts its child and writes its number at once (a fork: milliseconds, even on a loaded
    # machine); half a second later the time is up.
    monkeypatch.setattr(pdf, "START_SECONDS", 0.5)
    monkeypatch.setattr(pdf, "SECONDS_PER_FILE", 0)
    docx = tmp_path / "rutin.docx"
    docx.write_bytes(b"PK")
    with pytest.raises(pdf.PdfError, match=r"\(rutin\.docx\) inom tidsgränsen"):
        pdf.convert([docx], tmp_path / "pdf")
    assert not _running(int(started.read_text(encoding="utf-8")))
    assert not list((tmp_path / "pdf").iterdir())
