"""The archive copy of a decision: `styrdok decide` writes the decided version as PDF/A-2b.

Read as an archive reads it: the PDF/A identification in the XMP metadata and the document
properties with pikepdf, the embedded fonts, and the text with pdftotext."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pikepdf
import pytest

from conftest import MINI, copy_handbook, git_handbook, made_once, require_tool, run_cli

DOC = "riktlinje-kvalitet"


def git(root, *args):
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True).stdout


@pytest.fixture
def handbook(mini):
    require_tool("soffice", "gör arkivexemplaret (PDF/A)")
    kommun = mini / "data" / "kommun.yml"
    kommun.write_text(kommun.read_text(encoding="utf-8").replace("arkivexemplar: false", "arkivexemplar: true"),
                      encoding="utf-8")
    git_handbook(mini)
    return mini


@pytest.fixture(scope="session")
def decided_archived(tmp_path_factory) -> Path:
    """The handbook above with DOC decided 2026-03-12 (and its archive copy), made once per test run;
    decide's stderr in decide.txt beside it. Copy it (cp -a) before changing it."""
    require_tool("soffice", "gör arkivexemplaret (PDF/A)")

    def make(folder: Path) -> Path:
        root = copy_handbook(MINI, folder / "handbok")
        kommun = root / "data" / "kommun.yml"
        kommun.write_text(kommun.read_text(encoding="utf-8").replace("arkivexemplar: false", "arkivexemplar: true"),
                          encoding="utf-8")
        git_handbook(root)
        proc = decide(root, "2026-03-12")
        assert proc.returncode == 0, proc.stderr
        (folder / "decide.txt").write_text(proc.stderr, encoding="utf-8")
        return root
    return made_once(tmp_path_factory, "arkiverad", make)


def pdf_text(path: Path) -> str:
    tool = require_tool("pdftotext", "läser texten i arkivexemplaret")
    return subprocess.run([tool, str(path), "-"], capture_output=True, text=True, check=True).stdout


def decide(root: Path, datum: str, **env):
    return run_cli(root, "decide", DOC, "--instans", "socialnamnden", "--datum", datum, "--paragraf", "45",
                   "--dnr", "SN 2026/12", env=env or None)


def embedded_fonts(pdf: pikepdf.Pdf) -> dict[str, bool]:
    """Every font the pages use: is its program inside the file?"""
    fonts = {}
    for page in pdf.pages:
        for font in (page.Resources.get("/Font") or {}).values():
            for f in [font, *font.get("/DescendantFonts", [])]:
                descriptor = f.get("/FontDescriptor")
                if descriptor is not None:
                    fonts[str(f.BaseFont)] = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
    return fonts


def test_decision_writes_the_decided_version_as_pdfa_2b_with_properties(decided_archived):
    path = decided_archived / "build" / "arkiv" / DOC / f"{DOC}--beslutad-2026-03-12.pdf"
    stderr = (decided_archived.parent / "decide.txt").read_text(encoding="utf-8")
    assert f"Arkivexemplaret (PDF/A-2b) är skrivet: build/arkiv/{DOC}/{path.name}" in stderr
    with pikepdf.open(path) as pdf:
        meta = pdf.open_metadata()
        assert (meta["pdfaid:part"], meta["pdfaid:conformance"]) == ("2", "B")
        info = {k: str(v) for k, v in pdf.docinfo.items()}
        assert info["/Title"] == "Riktlinje för kvalitet"
        assert info["/Author"] == "Socialförvaltningen, Testby kommun"
        assert info["/Subject"] == "Riktlinje för Testby kommun, beslutad av Socialnämnden 2026-03-12"
        keywords = info["/Keywords"].replace(",", " ").split()     # LibreOffice lists them word by word
        assert {"Riktlinje", "styrdokument", "Testby", "kommun"} <= set(keywords)
        assert meta["dc:title"] == "Riktlinje för kvalitet"
        fonts = embedded_fonts(pdf)
        assert fonts and all(fonts.values()), fonts
    text = pdf_text(path)
    assert "Riktlinje för kvalitet" in text and "Nämnderna ansvarar för ledningssystemet." in text
    assert "Beslutad version (beslut 2026-03-12" in text


@pytest.mark.langsam
def test_archive_copy_is_the_decided_version_not_a_later_edit(decided_archived, tmp_path):
    handbook = tmp_path / "handbok"
    subprocess.run(["cp", "-a", str(decided_archived), str(handbook)], check=True)
    doc = handbook / "docs" / "rutiner" / f"{DOC}.md"
    doc.write_text(doc.read_text(encoding="utf-8") + "\nEn mening skriven efter beslutet.\n", encoding="utf-8")
    git(handbook, "commit", "-q", "-am", "Utkast till nästa revidering")
    path = handbook / "build" / "arkiv" / DOC / f"{DOC}--beslutad-2026-03-12.pdf"
    path.unlink()
    proc = run_cli(handbook, "arkivera", DOC)
    assert proc.returncode == 0, proc.stderr
    text = pdf_text(path)
    assert "Nämnderna ansvarar för ledningssystemet." in text
    assert "efter beslutet" not in text


def test_failed_archive_copy_says_the_decision_is_recorded(handbook, tmp_path):
    folder = tmp_path / "bin"                  # a LibreOffice that converts nothing
    folder.mkdir()
    (folder / "soffice").write_text("#!/bin/sh\nexit 0\n", encoding="utf-8")
    (folder / "soffice").chmod(0o755)
    proc = decide(handbook, "2026-03-12", PATH=f"{folder}{os.pathsep}{os.environ['PATH']}")
    assert proc.returncode == 1
    assert "Beslutet är registrerat, men arkivexemplaret (PDF/A-2b) kunde inte göras" in proc.stderr
    assert f"docs/rutiner/{DOC}.md (beslutad version): LibreOffice kunde inte göra en PDF" in proc.stderr
    assert f"styrdok arkivera {DOC}" in proc.stderr
    assert git(handbook, "tag", "--list", f"beslut/{DOC}/*").split() == [f"beslut/{DOC}/2026-03-12"]
    assert not (handbook / "build" / "arkiv").exists() or not list((handbook / "build" / "arkiv").rglob("*.pdf"))
