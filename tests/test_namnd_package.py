"""The nämnd package (`styrdok tjansteskrivelse DOK`): one folder and a zip with the memo, the
document as bilaga, the copy with tracked changes against the last decision, and their PDFs.

The memo's list of handlingar is read from the memo itself (python-docx) and compared with the
files in the folder and in the zip."""
from __future__ import annotations

import os
import re
import subprocess
import zipfile
from pathlib import Path

import pytest
from docx import Document

from conftest import git_handbook, require_tool, run_cli, tree_digest

DOC = "riktlinje-kvalitet"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
FILE = re.compile(r"[\w.-]+\.(?:docx|pdf)")


def git(root, *args):
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True).stdout


@pytest.fixture
def handbook(mini):
    git_handbook(mini)
    return mini


def revised(root: Path) -> None:
    """A decision, then a change to decide again: a sentence longer, a word in a numbered list changed."""
    doc = root / "docs" / "rutiner" / f"{DOC}.md"
    doc.write_text(doc.read_text(encoding="utf-8") + "\n1. Följ upp målen varje kvartal.\n2. Rapportera till "
                   "nämnden.\n", encoding="utf-8")
    git(root, "commit", "-q", "-am", "Uppföljningen i steg")
    proc = run_cli(root, "decide", DOC, "--instans", "socialnamnden", "--datum", "2025-03-01")
    assert proc.returncode == 0, proc.stderr
    doc.write_text(doc.read_text(encoding="utf-8").replace(
        "Nämnderna ansvarar för ledningssystemet.",
        "Nämnderna ansvarar för ledningssystemet och följer upp det varje år.").replace(
        "varje kvartal", "varje månad"), encoding="utf-8")
    git(root, "commit", "-q", "-am", "Årlig uppföljning")


def package(root: Path, *args: str) -> Path:
    proc = run_cli(root, "tjansteskrivelse", DOC, *args, env={"STYRDOK_IDAG": "2026-04-20"})
    assert proc.returncode == 0, proc.stderr
    folder = root / "build" / "namnd" / f"{DOC}-2026-04-20"
    assert f"Skrev paketet till nämnden: {folder}" in proc.stderr
    return folder


def memo_list(folder: Path) -> list[str]:
    """The file names the memo lists under Beslutsunderlag."""
    paragraphs = [p.text for p in Document(str(folder / f"{DOC}-tjansteskrivelse.docx")).paragraphs]
    start = paragraphs.index("Beslutsunderlag")
    return sorted(f for p in paragraphs[start + 1:] for f in FILE.findall(p))


def test_package_holds_exactly_the_files_the_memo_lists_with_pdfs_and_tracked_changes(handbook):
    require_tool("soffice", "gör PDF-filerna i paketet")
    revised(handbook)
    folder = package(handbook)
    files = sorted(p.name for p in folder.iterdir())
    assert files == sorted(f"{DOC}{s}{e}" for s in ("-tjansteskrivelse", "", "-jamforelse") for e in (".docx", ".pdf"))
    assert memo_list(folder) == files
    with zipfile.ZipFile(folder.with_suffix(".zip")) as archive:
        assert sorted(archive.namelist()) == [f"{folder.name}/{f}" for f in files]
        assert archive.read(f"{folder.name}/{DOC}.pdf") == (folder / f"{DOC}.pdf").read_bytes()
    memo = [p.text for p in Document(str(folder / f"{DOC}-tjansteskrivelse.docx")).paragraphs]
    assert (f"Bilaga 2. Riktlinje för kvalitet med ändringarna sedan beslutet 2025-03-01 som spårade ändringar "
            f"({DOC}-jamforelse.docx, {DOC}-jamforelse.pdf)") in memo
    # the copy with tracked changes has real insertions; the PDFs have the texts
    body = Document(str(folder / f"{DOC}-jamforelse.docx")).element.body
    inserted = " ".join("".join(t.text or "" for t in e.iter(f"{W}t")) for e in body.iter(f"{W}ins"))
    assert "följer upp det varje år" in inserted
    text = subprocess.run([require_tool("pdftotext", "läser PDF-filerna"), str(folder / f"{DOC}.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout
    assert "Nämnderna ansvarar för ledningssystemet och följer upp det varje år." in text
    memo_pdf = subprocess.run(["pdftotext", str(folder / f"{DOC}-tjansteskrivelse.pdf"), "-"],
                              capture_output=True, text=True, check=True).stdout
    assert "Förslag till beslut" in memo_pdf and "Revidering av Riktlinje för kvalitet" in memo_pdf
    # The PDF of the copy shows the changes as formatting: LibreOffice's own view of tracked changes
    # numbered a list item holding a deletion as deleted ("[1.] Följ upp …", "1.[2.] Rapportera …").
    deleted = " ".join("".join(t.text or "" for t in e.iter(f"{W}delText")) for e in body.iter(f"{W}del"))
    assert "kvartal" in deleted
    compared = subprocess.run(["pdftotext", "-layout", str(folder / f"{DOC}-jamforelse.pdf"), "-"],
                              capture_output=True, text=True, check=True).stdout
    steps = [line.strip() for line in compared.splitlines() if "Följ upp målen" in line or "Rapportera till" in line]
    assert [s.split()[0] for s in steps] == ["1.", "2."], steps
    assert "kvartal" in steps[0] and "månad" in steps[0]
    assert "Ändringar sedan dess är markerade: ny text är understruken, borttagen text är genomstruken" in \
        " ".join(compared.split())


def test_first_adoption_has_no_comparison_and_does_not_promise_one(handbook):
    folder = package(handbook, "--utan-pdf")
    files = sorted(p.name for p in folder.iterdir())
    assert files == [f"{DOC}-tjansteskrivelse.docx", f"{DOC}.docx"]
    assert memo_list(folder) == files
    memo = " ".join(p.text for p in Document(str(folder / f"{DOC}-tjansteskrivelse.docx")).paragraphs)
    assert "spårade ändringar" not in memo and "inget tidigare registrerat beslut" in memo
    with zipfile.ZipFile(folder.with_suffix(".zip")) as archive:
        assert sorted(archive.namelist()) == [f"{folder.name}/{f}" for f in files]


def test_failed_pdf_leaves_no_package_and_keeps_the_earlier_one(handbook, tmp_path):
    folder = package(handbook, "--utan-pdf")
    before = tree_digest(folder.parent)
    bin_dir = tmp_path / "bin"                          # a LibreOffice that converts nothing
    bin_dir.mkdir()
    (bin_dir / "soffice").write_text("#!/bin/sh\nexit 0\n", encoding="utf-8")
    (bin_dir / "soffice").chmod(0o755)
    proc = run_cli(handbook, "tjansteskrivelse", DOC,
                   env={"STYRDOK_IDAG": "2026-04-20", "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"})
    assert proc.returncode == 1
    assert f"{DOC}-tjansteskrivelse.docx (till docs/rutiner/{DOC}.md): LibreOffice kunde inte göra en PDF" in proc.stderr
    assert "Inget paket skrevs." in proc.stderr
    assert tree_digest(folder.parent) == before
    assert [p.name for p in folder.parent.iterdir() if p.name.startswith(".")] == []
