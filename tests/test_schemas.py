"""The JSON Schemas editors use are generated from the model and kept in sync with it."""
from __future__ import annotations

import json

from conftest import REPO, run_cli


def test_committed_schemas_match_the_model():
    proc = run_cli(REPO, "schema", "--kontrollera")
    assert proc.returncode == 0, proc.stderr


def test_front_matter_schema_describes_fields_in_swedish_and_forbids_unknown_keys():
    schema = json.loads((REPO / "schemas" / "front-matter.schema.json").read_text(encoding="utf-8"))
    assert schema["additionalProperties"] is False
    assert {"titel", "typ", "beslutad_av", "galler_fran", "dokumentansvarig"} <= set(schema["required"])
    assert schema["properties"]["galler_fran"]["description"].startswith("Datum då dokumentet börjar gälla")


def test_vscode_maps_data_files_to_schemas():
    settings = json.loads((REPO / ".vscode" / "settings.json").read_text(encoding="utf-8"))
    assert settings["yaml.schemas"]["./schemas/kommun.schema.json"] == "data/kommun.yml"
    assert settings["yaml.schemas"]["./schemas/roller.schema.json"] == "data/roller.yml"


def test_stale_schema_is_reported(tmp_path):
    import shutil
    root = tmp_path / "h"
    shutil.copytree(REPO / "data", root / "data")
    (root / "docs").mkdir()
    proc = run_cli(root, "schema", "--kontrollera")
    assert proc.returncode == 1
    assert "schemas/kommun.schema.json: fel: schemat stämmer inte med modellen" in proc.stderr
