"""The bad-input corpus (tests/bad_input/*.yml): each broken source is refused with a Swedish
message naming the file (and line), a non-zero exit, and the built site left byte for byte as it was."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from conftest import run_cli, tree_digest

CASES = sorted((Path(__file__).parent / "bad_input").glob("*.yml"))


def apply_case(root: Path, case: dict) -> None:
    target = root / case["fil"]
    if "skriv" in case:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(case["skriv"], encoding="utf-8")
        return
    if case.get("ta_bort"):
        target.unlink()
        return
    text = target.read_text(encoding="utf-8")
    for old, new in case["ersatt"]:
        assert old in text, f"{case['fil']}: '{old}' finns inte i fixturen — fallet är inaktuellt"
        text = text.replace(old, new, 1)
    target.write_text(text, encoding="utf-8")


def test_corpus_is_large_enough():
    assert len(CASES) >= 30


@pytest.mark.parametrize("case_file", CASES, ids=[c.stem for c in CASES])
def test_bad_input_is_refused(case_file, mini_built, tmp_path):
    case = yaml.safe_load(case_file.read_text(encoding="utf-8"))
    root = tmp_path / "handbok"
    shutil.copytree(mini_built, root)
    before = tree_digest(root / "site")
    apply_case(root, case)

    proc = run_cli(root, "build")

    expected = case["forvantat"]
    assert proc.returncode != 0, proc.stderr
    where = f"{expected['fil']}:{expected['rad']}:" if expected.get("rad") else f"{expected['fil']}:"
    lines = [line for line in proc.stderr.splitlines() if line.startswith(where)]
    assert lines, f"inget meddelande om {where}\n{proc.stderr}"
    assert any(expected["text"] in line for line in lines), proc.stderr
    assert "fel" in proc.stderr
    assert tree_digest(root / "site") == before, "site/ ändrades trots fel"
