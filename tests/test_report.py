"""Machine-readable problems: `styrdok check --format json` and `--format gitlab` (Code Quality),
and the GitLab pipeline publishing the report so problems show in the merge request."""
from __future__ import annotations

import json

import yaml

from conftest import REPO, run_cli


def _break(mini):
    page = mini / "docs" / "rutiner" / "avvikelser.md"
    page.write_text(page.read_text(encoding="utf-8").replace("dokumentansvarig: sas", "dokumentansvarig: okand")
                    + "\nBrukaren 850312–1231 ringde.\n", encoding="utf-8")


def test_json_lists_file_line_column_severity_code_and_message(mini):
    _break(mini)
    proc = run_cli(mini, "check", "--format", "json")
    assert proc.returncode == 1
    rows = json.loads(proc.stdout)
    role = next(r for r in rows if "Rollen 'okand'" in r["message"])
    assert (role["file"], role["line"], role["severity"], role["key"]) == ("docs/rutiner/avvikelser.md", 7, "fel",
                                                                           "dokumentansvarig")
    pnr = next(r for r in rows if r["code"] == "personnummer")
    assert pnr["line"] > 20 and pnr["column"] == 10 and "1231" not in pnr["message"]
    assert set(role) == {"file", "line", "column", "severity", "code", "key", "message"}


def test_attachments_have_codes_of_their_own(mini):
    """A script in an SVG under docs/, a Word file that cannot be opened and a page saved as UTF-16 are
    told apart by their codes (a filter in GitLab, a script reading the JSON)."""
    (mini / "docs" / "bilagor").mkdir()
    (mini / "docs" / "bilagor" / "process.svg").write_text("<svg>\n<script>alert(1)</script></svg>", encoding="utf-8")
    (mini / "docs" / "bilagor" / "blankett.docx").write_bytes(b"PK\x03\x04 trasig")
    page = mini / "docs" / "begrepp.md"
    page.write_bytes(page.read_text(encoding="utf-8").encode("utf-16"))
    rows = json.loads(run_cli(mini, "check", "--format", "json").stdout)
    codes = {(r["file"], r["code"], r["severity"]) for r in rows}
    assert {("docs/bilagor/process.svg", "html-fil", "fel"), ("docs/bilagor/blankett.docx", "bilaga-olasbar", "varning"),
            ("docs/begrepp.md", "kodning", "fel")} <= codes, codes


def test_gitlab_code_quality_report(mini):
    _break(mini)
    proc = run_cli(mini, "check", "--format", "gitlab")
    assert proc.returncode == 1
    issues = json.loads(proc.stdout)
    assert len(issues) >= 2
    for issue in issues:
        assert {"description", "check_name", "fingerprint", "severity", "location"} <= set(issue)
        assert issue["severity"] in {"info", "minor", "major", "critical", "blocker"}
        assert issue["location"]["path"] == "docs/rutiner/avvikelser.md" and issue["location"]["lines"]["begin"] >= 1
    assert len({i["fingerprint"] for i in issues}) == len(issues)
    assert run_cli(mini, "check", "--format", "gitlab").stdout == proc.stdout      # stable fingerprints


def test_the_gitlab_pipeline_publishes_the_report_in_the_merge_request():
    ci = yaml.safe_load((REPO / ".gitlab-ci.yml").read_text(encoding="utf-8"))
    job = ci["kontroll"]
    report = job["artifacts"]["reports"]["codequality"]
    assert any("--format gitlab" in line and line.rstrip().split("> ")[1].split()[0] == report
               for line in job["script"])
    assert job["artifacts"]["when"] == "always"
    assert {"if": '$CI_PIPELINE_SOURCE == "merge_request_event"'} in job["rules"]
