"""Results kept between runs (.cache/memo/, styrdok.memo): a hit gives what the function would
return, a changed input is computed again, and only a command's session keeps anything."""
from __future__ import annotations

from conftest import run_cli
from styrdok.memo import cached, session


def test_outside_a_session_every_call_computes(tmp_path):
    calls = []
    for _ in range(2):
        assert cached("prov", ("a",), lambda: calls.append(1) or "värde") == "värde"
    assert len(calls) == 2
    assert not (tmp_path / ".cache").exists()


def test_a_session_keeps_results_for_the_next_one_and_drops_unused(tmp_path):
    calls = []

    def compute(value):
        calls.append(value)
        return value.upper()

    with session(tmp_path):
        assert cached("prov", "a", lambda: compute("a")) == "A"
        assert cached("prov", "b", lambda: compute("b")) == "B"
    assert calls == ["a", "b"]
    with session(tmp_path):
        assert cached("prov", "a", lambda: compute("a")) == "A"      # from the first session
        assert cached("prov", "c", lambda: compute("c")) == "C"      # new input: computed
    assert calls == ["a", "b", "c"]
    with session(tmp_path):
        assert cached("prov", "b", lambda: compute("b")) == "B"      # not used last time: dropped
    assert calls == ["a", "b", "c", "b"]


def test_a_damaged_memo_file_is_computed_again(tmp_path):
    with session(tmp_path):
        cached("prov", "a", lambda: 1)
    (tmp_path / ".cache" / "memo" / "prov.pickle").write_bytes(b"inte pickle")
    with session(tmp_path):
        assert cached("prov", "a", lambda: 2) == 2


def test_check_finds_a_new_placeholder_in_a_page_it_has_scanned_before(mini):
    first = run_cli(mini, "check")
    assert first.returncode == 0, first.stderr
    assert (mini / ".cache" / "memo" / "textgranskning.pickle").is_file()
    again = run_cli(mini, "check")
    assert again.stderr == first.stderr
    page = mini / "docs" / "rutiner" / "avvikelser.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nTODO skriv klart avsnittet.\n", encoding="utf-8")
    proc = run_cli(mini, "check")
    assert proc.returncode == 1
    assert "docs/rutiner/avvikelser.md" in proc.stderr and "TODO" in proc.stderr, proc.stderr
