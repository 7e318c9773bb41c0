"""`styrdok build --utan-word` (site only) and `--bara-word` (only the Word files in site/word/)."""
from __future__ import annotations

from docx import Document

from conftest import run_cli, tree_digest


def _site_without_word(site):
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*")
            if p.is_file() and not p.relative_to(site).as_posix().startswith("word/")}


def test_site_only_then_word_only_gives_the_whole_build(mini):
    proc = run_cli(mini, "build", "--utan-word")
    assert proc.returncode == 0, proc.stderr
    # no Word files from an earlier build: the pages' download links lead nowhere, and the build says so
    assert ("varning: Word-filerna gjordes inte (--utan-word), och sidorna länkar till 7 filer som inte finns "
            "i word/ (word/avvikelser.docx, word/riktlinje-kvalitet.docx, word/sidor/") in proc.stderr
    assert "länkarna fungerar inte förrän du kör 'styrdok build --bara-word'" in proc.stderr
    assert "förra bygget" not in proc.stderr
    site = mini / "site"
    assert (site / "rutiner" / "avvikelser" / "index.html").is_file()
    assert not (site / "word").exists()
    pages = _site_without_word(site)

    proc = run_cli(mini, "build", "--bara-word")
    assert proc.returncode == 0, proc.stderr
    assert "webbplatsen byggdes inte om" in proc.stderr
    assert {p.name for p in (site / "word").glob("*.docx")} == {"avvikelser.docx", "riktlinje-kvalitet.docx"}
    assert not [p for p in site.iterdir() if p.name.startswith(".")]          # no temporary folder left
    assert _site_without_word(site) == pages                                   # the pages were not rebuilt
    word = tree_digest(site / "word")

    page = mini / "docs" / "rutiner" / "avvikelser.md"
    page.write_text(page.read_text(encoding="utf-8").replace("samma dag", "genast"), encoding="utf-8")
    proc = run_cli(mini, "build", "--utan-word")
    assert proc.returncode == 0, proc.stderr
    assert "Word-filerna gjordes inte om (--utan-word): word/ är från förra bygget med Word." in proc.stderr
    assert "varning" not in proc.stderr
    assert "genast" in (site / "rutiner" / "avvikelser" / "index.html").read_text(encoding="utf-8")
    assert tree_digest(site / "word") == word                  # the previous Word files stay, as they were

    # a new document since the last build with Word: its page links to a Word file that is not there
    new = mini / "docs" / "rutiner" / "hot-och-vald.md"
    new.write_text(page.read_text(encoding="utf-8").replace("Rutin för avvikelser & risker", "Rutin för hot och våld"),
                   encoding="utf-8")
    proc = run_cli(mini, "build", "--utan-word")
    assert proc.returncode == 0, proc.stderr
    assert ("varning: Word-filerna gjordes inte (--utan-word), och sidorna länkar till 1 fil som inte finns i "
            "word/ (word/hot-och-vald.docx)") in proc.stderr
    new.unlink()

    assert run_cli(mini, "build", "--bara-word").returncode == 0
    text = "\n".join(p.text for p in Document(str(site / "word" / "avvikelser.docx")).paragraphs)
    assert "genast" in text


def test_word_only_with_an_error_leaves_the_word_files(mini):
    assert run_cli(mini, "build").returncode == 0
    word = tree_digest(mini / "site" / "word")
    page = mini / "docs" / "rutiner" / "avvikelser.md"
    page.write_text(page.read_text(encoding="utf-8").replace("typ: rutin", "typ: rutinn"), encoding="utf-8")
    proc = run_cli(mini, "build", "--bara-word")
    assert proc.returncode == 1
    assert "avvikelser.md" in proc.stderr and "inget i site/word/ har ändrats" in proc.stderr
    assert tree_digest(mini / "site" / "word") == word


def test_site_only_and_word_only_cannot_be_combined(mini):
    proc = run_cli(mini, "build", "--utan-word", "--bara-word")
    assert proc.returncode == 2
    assert "styrdok build: fel: --bara-word: kan inte användas tillsammans med --utan-word" in proc.stderr


def test_the_command_lines_own_words_are_swedish(mini):
    """argparse's help headings and usage errors, not only styrdok's own texts."""
    usage = run_cli(mini, "decide", "--help")
    assert usage.returncode == 0
    assert usage.stdout.startswith("användning: styrdok decide") and "\nflaggor:\n" in usage.stdout
    assert "visa den här hjälpen och avsluta" in usage.stdout and "options" not in usage.stdout
    missing = run_cli(mini, "decide")
    assert missing.returncode == 2 and "styrdok decide: fel: det här saknas: dokument" in missing.stderr
    typo = run_cli(mini, "bygg")
    assert typo.returncode == 2 and "ogiltigt val: 'bygg' (välj bland 'check'" in typo.stderr


def test_a_new_output_is_one_registration(mini, monkeypatch, capsys):
    """An output registered with styrdok.publish is built with the site, kept by --utan, made alone by
    --bara, and named in the messages; nothing else (cli, build) knows it. `--utan word` is --utan-word."""
    from styrdok import publish
    from styrdok.cli import main

    def make(handbook, root):
        def step(site_tmp):
            (site_tmp / "lista").mkdir()
            titles = sorted(d.titel for d in handbook.dokument.values())
            (site_tmp / "lista" / "dokument.txt").write_text("\n".join(titles), encoding="utf-8")
        return step

    monkeypatch.setitem(publish.OUTPUTS, "lista", publish.Output(
        name="lista", folder="lista", files="Listorna", label="listor", make=make))
    site = mini / "site"
    assert main(["--root", str(mini), "build", "--utan", "word"]) == 0
    assert "Rutin för avvikelser & risker" in (site / "lista" / "dokument.txt").read_text(encoding="utf-8")
    assert not (site / "word").exists()
    assert "Word-filerna gjordes inte (--utan-word)" in capsys.readouterr().err
    page = mini / "docs" / "rutiner" / "avvikelser.md"
    page.write_text(page.read_text(encoding="utf-8").replace("Rutin för avvikelser", "Rutin för händelser"),
                    encoding="utf-8")
    assert main(["--root", str(mini), "build", "--utan", "word", "--utan", "lista"]) == 0
    assert "Rutin för avvikelser" in (site / "lista" / "dokument.txt").read_text(encoding="utf-8")   # kept
    assert "Listorna gjordes inte om (--utan lista): lista/ är från förra bygget med listor." in capsys.readouterr().err
    assert main(["--root", str(mini), "build", "--bara", "lista"]) == 0
    assert "Rutin för händelser" in (site / "lista" / "dokument.txt").read_text(encoding="utf-8")
    assert "Listorna är skrivna i" in capsys.readouterr().err
