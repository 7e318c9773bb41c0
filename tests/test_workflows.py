"""The GitHub workflow does what the GitLab pipeline does: check and Word files for every pull request,
build and publish the site on main (GitHub Pages). It cannot run here; read it as GitHub reads it."""
from __future__ import annotations

import re
import subprocess
import sys

import pytest
import yaml

from conftest import REPO


def _load(path):
    # YAML 1.1 reads the key `on` as True; GitHub reads it as "on"
    data = yaml.safe_load((REPO / path).read_text(encoding="utf-8"))
    return {("on" if k is True else k): v for k, v in data.items()}


def _steps_using(job: dict, action: str) -> list[dict]:
    return [s for s in job["steps"] if s.get("uses", "").split("@")[0] == action]


def test_github_workflow_deploys_the_built_site_to_pages_on_main():
    wf = _load(".github/workflows/handbok.yml")
    assert wf["on"]["push"]["branches"] == ["main"] and "pull_request" in wf["on"]
    assert wf["permissions"] == {"contents": "read"}
    build, deploy = wf["jobs"]["bygg"], wf["jobs"]["publicera"]
    # build: full history, the same command as GitLab's pages job, the site as the Pages artifact on main only
    [checkout] = _steps_using(build, "actions/checkout")
    assert checkout["with"]["fetch-depth"] == 0
    runs = [s.get("run", "") for s in build["steps"]]
    assert "make build" in runs
    [artifact] = _steps_using(build, "actions/upload-pages-artifact")
    assert artifact["with"]["path"].rstrip("/") == "site"
    on_main = "github.event_name == 'push' && github.ref == 'refs/heads/main'"
    assert artifact["if"] == on_main
    [word] = _steps_using(build, "actions/upload-artifact")
    assert word["if"] == "github.event_name == 'pull_request'"
    assert word["with"]["path"].split() == ["site/word/", "site/pdf/"]
    # the PDFs beside the Word files need LibreOffice, which the runner image does not have
    build_cmd = runs.index("make build")
    assert any("libreoffice-writer-nogui" in r for r in runs[:build_cmd])
    # deploy: after the build, on main, with the rights Pages needs and nothing more
    assert deploy["needs"] == "bygg" and deploy["if"] == on_main
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["environment"]["name"] == "github-pages"
    [step] = _steps_using(deploy, "actions/deploy-pages")
    assert deploy["environment"]["url"] == "${{ steps.%s.outputs.page_url }}" % step["id"]


def test_every_action_is_pinned_to_a_version():
    wf = _load(".github/workflows/handbok.yml")
    uses = [s["uses"] for job in wf["jobs"].values() for s in job["steps"] if "uses" in s]
    assert uses
    for ref in uses:
        assert re.fullmatch(r"actions/[a-z-]+@v\d+\.\d+\.\d+", ref), ref


def test_gitlab_pipeline_publishes_the_same_build():
    gl = yaml.safe_load((REPO / ".gitlab-ci.yml").read_text(encoding="utf-8"))
    assert "make build" in gl["pages"]["script"]
    assert gl["pages"]["artifacts"]["paths"] == ["public"]


def test_gitlab_pipeline_installs_libreoffice_before_it_builds_the_pdfs():
    gl = yaml.safe_load((REPO / ".gitlab-ci.yml").read_text(encoding="utf-8"))
    for job in ("pages", "word-for-granskning"):
        script = gl[job]["script"]
        build = script.index("make build")
        assert any("libreoffice-writer-nogui" in line for line in script[:build]), job
    assert gl["word-for-granskning"]["artifacts"]["paths"] == ["site/word/", "site/pdf/"]


@pytest.mark.parametrize("path, schema", [
    (".github/workflows/handbok.yml", "vendor.github-workflows"),
    (".gitlab-ci.yml", "vendor.gitlab-ci"),
])
def test_pipeline_files_follow_the_published_schema(path, schema):
    """The schemas GitHub and GitLab publish for these files (SchemaStore, bundled in check-jsonschema):
    a misspelt key or a wrong type fails here instead of on the first push."""
    run = subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema, str(REPO / path)],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
