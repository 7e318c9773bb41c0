"""Files as editors really save them (BOM, CRLF, a Windows code page, odd names, symbolic links), and
the cause of a problem reported before what follows from it."""
from __future__ import annotations

import os
import shutil
import time

import pytest

from conftest import run_cli
from styrdok.check import check_project, print_problems
from styrdok.problems import Problems
from styrdok.sources import decode_source, ascii_name
from styrdok.yamlio import load_yaml


def test_bom_and_windows_line_ends_are_read_as_plain_utf8():
    problems = Problems()
    assert decode_source(b"\xef\xbb\xbf---\r\ntitel: \xc3\x85r\r\n---\r\n", "x.md", problems) == "---\ntitel: År\n---\n"
    assert not problems.items


def test_windows_1252_names_the_first_line_with_a_bad_byte():
    problems = Problems()
    assert decode_source("rad ett\nrad två\nrad tre\n".encode("cp1252"), "docs/x.md", problems) is None
    [p] = problems.items
    assert (p.file, p.line, p.severity) == ("docs/x.md", 2, "fel")
    assert "troligen 'å'" in p.message and "UTF-8" in p.message
    assert problems.unreadable_files == ["docs/x.md"]


def test_ascii_names_for_files_with_spaces_and_swedish_letters():
    assert ascii_name("Rutin för Åtgärder.md") == "rutin-for-atgarder.md"
    assert ascii_name("Mina blanketter") == "mina-blanketter"


@pytest.mark.parametrize("text", ["a:\n\tb: 1\n", "a: [x\n", "a: \"x\n", "a: b: c\n", "- a\nb: 1\n",
                                  "a:\n  b: 1\n c: 2\n", "a: @x\n", "a: *x\n", "a: {b\n"])
def test_yaml_syntax_messages_are_swedish_and_say_what_to_do(text):
    problems = Problems()
    assert load_yaml(text, "data/x.yml", problems) is None
    [p] = problems.items
    assert p.message.startswith("YAML-syntaxfel: ")
    english = ("found", "expected", "mapping", "scanning", "token", "while", "stream", "character")
    assert not any(word in p.message for word in english), p.message


def test_a_page_saved_with_bom_and_crlf_is_still_a_styrdokument_with_card_and_word_file(mini_built, tmp_path):
    root = tmp_path / "h"
    shutil.copytree(mini_built, root)
    page = root / "docs" / "rutiner" / "avvikelser.md"
    page.write_bytes(b"\xef\xbb\xbf" + page.read_bytes().replace(b"\n", b"\r\n"))
    proc = run_cli(root, "build")
    assert proc.returncode == 0, proc.stderr
    html = (root / "site" / "rutiner" / "avvikelser" / "index.html").read_text(encoding="utf-8")
    assert 'class="styrdok-kort"' in html and "titel:" not in html
    assert (root / "site" / "word" / "avvikelser.docx").is_file()


def test_a_symlink_loop_is_reported_at_once_without_walking_the_repository(mini, capsys):
    os.symlink("..", mini / "docs" / "rutiner" / "upp")
    os.symlink("../..", mini / "docs" / "rutiner" / "hela-forradet")
    start = time.monotonic()
    _, problems = check_project(mini)
    assert time.monotonic() - start < 10
    files = {p.file for p in problems.errors}
    assert {"docs/rutiner/upp", "docs/rutiner/hela-forradet"} <= files


def test_the_cause_comes_first_and_follow_on_errors_are_one_line(mini, capsys):
    roller = mini / "data" / "roller.yml"
    roller.write_text(roller.read_text(encoding="utf-8").replace("  namn: Socialchef", "\tnamn: Socialchef"),
                      encoding="utf-8")
    # An independent problem elsewhere is still reported in the same run.
    page = mini / "docs" / "index.md"
    page.write_text(page.read_text(encoding="utf-8") + "\n[trasig](finns-inte.md)\n", encoding="utf-8")
    _, problems = check_project(mini)
    print_problems(problems)
    lines = capsys.readouterr().err.splitlines()
    assert lines[0].startswith("data/roller.yml:10: fel: YAML-syntaxfel: Raden är indragen med ett tabbtecken")
    assert any(line.startswith("docs/index.md:") and "finns-inte.md" in line for line in lines)
    [summary] = [line for line in lines if "följdfel" in line]
    assert summary.startswith("+") and summary.endswith("följdfel som försvinner när data/roller.yml är rättad.")
    assert int(summary[1:].split()[0]) >= 5
    assert not any("Rollen 'sas' finns inte" in line for line in lines)
