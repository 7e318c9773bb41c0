"""The bad-input corpus (tests/bad_input/*.yml): each broken source is refused by `styrdok check` and
by `styrdok build` alike (check ⇔ build), with a Swedish message naming the file (and line), a
non-zero exit, and the built site and its Word files left byte for byte as they were.

Every case runs both commands through styrdok.cli.main, the entry point of the `styrdok` console
script, in this process; a few cases of each sort run them again as `python -m styrdok` processes.

A case changes a copy of the built mini handbook:
  fil: the file it concerns; then one of
  skriv: new text of fil | ersatt: [[old, new], …] in fil | ta_bort: true
  optionally kodning: cp1252 | bom: true | radslut: crlf (how fil is saved),
  byt_namn: new path of fil, symlank: {fil: link path, mal: link target}
  forvantat: fil, rad (optional), text; varning: true when it is a warning (both exit 0);
  ocksa: [more fragments that must be in the output]; inte: [fragments that must not be in it:
  follow-on errors that go away with the cause].
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from conftest import copy_built, run_cli_process, tree_digest
from styrdok.cli import main as styrdok_main

CASES = sorted((Path(__file__).parent / "bad_input").glob("*.yml"))


def apply_case(root: Path, case: dict) -> None:
    target = root / case["fil"]
    if "symlank" in case:
        link = root / case["symlank"]["fil"]
        link.parent.mkdir(parents=True, exist_ok=True)
        os.symlink(case["symlank"]["mal"], link)
        return
    if case.get("ta_bort"):
        target.unlink()
        return
    if "skriv" in case:
        target.parent.mkdir(parents=True, exist_ok=True)
        text = case["skriv"]
    else:
        text = target.read_text(encoding="utf-8")
        for old, new in case.get("ersatt", []):
            assert old in text, f"{case['fil']}: '{old}' finns inte i fixturen — fallet är inaktuellt"
            text = text.replace(old, new, 1)
    if case.get("radslut") == "crlf":
        text = text.replace("\n", "\r\n")
    data = text.encode(case.get("kodning", "utf-8"))
    if case.get("bom"):
        data = b"\xef\xbb\xbf" + data
    target.write_bytes(data)
    if "byt_namn" in case:
        new = root / case["byt_namn"]
        new.parent.mkdir(parents=True, exist_ok=True)
        target.rename(new)


def test_corpus_is_large_enough():
    assert len(CASES) >= 60


def run_in_process(root: Path, command: str, capsys) -> tuple[int, str]:
    """`styrdok <command>` in this process: the entry point the console script calls (styrdok.cli.main),
    with its exit code and what it wrote to stderr."""
    capsys.readouterr()
    code = styrdok_main(["--root", str(root), command])
    return code, capsys.readouterr().err


def run_as_process(root: Path, command: str, capsys) -> tuple[int, str]:
    """`python -m styrdok <command>` in a process of its own, as a person runs it."""
    proc = run_cli_process(root, command)
    return proc.returncode, proc.stderr


def assert_reported(output: str, expected: dict, who: str) -> None:
    where = f"{expected['fil']}:{expected['rad']}:" if expected.get("rad") else f"{expected['fil']}:"
    lines = [line for line in output.splitlines() if line.startswith(where)]
    assert lines, f"{who}: inget meddelande om {where}\n{output}"
    assert any(expected["text"] in line for line in lines), f"{who}:\n{output}"
    for fragment in expected.get("ocksa", []):
        assert fragment in output, f"{who}: '{fragment}' saknas\n{output}"
    for fragment in expected.get("inte", []):
        assert fragment not in output, f"{who}: följdfelet '{fragment}' visas\n{output}"
    assert "Traceback" not in output


def refused_by_check_and_build_alike(case_file: Path, mini_built: Path, tmp_path: Path, capsys, run) -> None:
    case = yaml.safe_load(case_file.read_text(encoding="utf-8"))
    root = tmp_path / "handbok"
    copy_built(mini_built, root)
    word = sorted(p.name for p in (root / "site" / "word").glob("*.docx"))
    assert word
    before = tree_digest(root / "site")
    apply_case(root, case)
    expected = case["forvantat"]

    check_code, check_out = run(root, "check", capsys)
    build_code, build_out = run(root, "build", capsys)

    if expected.get("varning"):
        assert check_code == 0 and build_code == 0, build_out
        assert_reported(check_out, expected, "check")
        assert_reported(build_out, expected, "build")
        assert "varning" in check_out
        assert sorted(p.name for p in (root / "site" / "word").glob("*.docx")) == word
        return
    assert check_code == 1, f"check godkände det som build ska stoppa:\n{check_out}"
    assert build_code == 1, build_out
    assert_reported(check_out, expected, "check")
    assert_reported(build_out, expected, "build")
    assert "fel" in build_out and "Bygget avbröts: inget i site/ har ändrats." in build_out
    assert tree_digest(root / "site") == before, "site/ eller Word-filerna ändrades trots fel"


@pytest.mark.parametrize("case_file", CASES, ids=[c.stem for c in CASES])
def test_bad_input_is_refused_by_check_and_build_alike(case_file, mini_built, tmp_path, capsys):
    """Every case, through the command's entry point in this process (fast: no interpreter start)."""
    refused_by_check_and_build_alike(case_file, mini_built, tmp_path, capsys, run_in_process)


# An error and a warning, run as `python -m styrdok` processes: the process path (exit status 1 and 0,
# the messages on stderr in the process's own encoding, no traceback) is the same as in-process. What
# each case finds is the same code either way, so more cases as processes would test nothing more.
AS_PROCESS = ["cp1252-sida", "tom-sida"]


@pytest.mark.parametrize("name", AS_PROCESS)
def test_bad_input_is_refused_by_the_command_as_a_process(name, mini_built, tmp_path, capsys):
    case_file = Path(__file__).parent / "bad_input" / f"{name}.yml"
    assert case_file in CASES
    refused_by_check_and_build_alike(case_file, mini_built, tmp_path, capsys, run_as_process)
