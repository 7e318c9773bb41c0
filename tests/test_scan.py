"""The one Markdown scanner (styrdok.scan): which lines are fenced code, where the front matter is.
Every reader of page sources uses it, so a fence inside a list or an admonition is code everywhere."""
from __future__ import annotations

from styrdok.scan import fenced, front_matter_yaml_span, prose_lines


def mask(text: str) -> str:
    return "".join("k" if code else "." for code in fenced(text.split("\n")))


def test_backtick_and_tilde_fences_close_only_on_their_own_kind():
    assert mask("a\n```\nb\n~~~\nc\n```\nd") == ".kkkkk."
    assert mask("a\n~~~~\n```\n~~~\nb\n~~~~\nc") == ".kkkkk."      # a shorter fence does not close


def test_fences_in_lists_and_admonitions():
    assert mask("- steg\n\n    ```yaml\n    titel: x\n    ```\n- nästa") == "..kkk."
    assert mask('!!! note "Obs"\n\n    ~~~\n    kod\n    ~~~\n\nText') == "..kkk.."
    assert mask("1. ```\n   kod\n   ```\n2. text") == "kkk."


def test_inline_code_with_three_backticks_is_not_a_fence():
    assert mask("Skriv ```x``` så här.\nText") == ".."


def test_unclosed_fence_runs_to_the_end():
    assert mask("a\n```\nb\nc") == ".kkk"


def test_prose_lines_skip_code():
    assert [i for i, _ in prose_lines("a\n```\nb\n```\nc")] == [0, 4]


def test_front_matter_span():
    text = "---\ntitel: A\n---\nText"
    start, end = front_matter_yaml_span(text)
    assert text[start:end] == "titel: A\n"
    empty = "---\n---\nText"
    assert front_matter_yaml_span(empty) == (4, 4)
    assert front_matter_yaml_span("Text\n---\n") is None


def test_check_and_personnummer_scan_agree_on_an_indented_fence(mini):
    """A placeholder and a broken link inside a fence nested in a list are code: not reported by check;
    a personnummer there is still found (code is published too)."""
    from styrdok.check import check_project
    page = mini / "docs" / "rutiner" / "avvikelser.md"
    page.write_text(page.read_text(encoding="utf-8") + "\n- ```text\n  [trasig](finns-inte.md)\n  TODO\n  ```\n\n"
                    "!!! note\n\n    ~~~~\n    ~~~\n    [trasig](finns-inte-heller.md)\n    ~~~~\n\n"
                    "[efter koden](saknas.md)\n", encoding="utf-8")
    _, problems = check_project(mini)
    messages = [p.format() for p in problems.items]
    assert not any("finns-inte" in m or "TODO" in m for m in messages), messages
    assert any("saknas.md" in m for m in messages), messages        # prose after the code is prose again
    page.write_text(page.read_text(encoding="utf-8").replace("  TODO\n", "  TODO 19121212-1212\n"),
                    encoding="utf-8")
    _, problems = check_project(mini)
    assert any("personnummer" in p.message and p.file == "docs/rutiner/avvikelser.md" for p in problems.errors)
