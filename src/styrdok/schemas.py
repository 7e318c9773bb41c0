"""JSON Schemas generated from the model, so editors complete and check YAML while a SAS types.

`styrdok schema` writes them to schemas/ and keeps .vscode/settings.json pointing at them
(VS Code's YAML extension by Red Hat reads `yaml.schemas`).
"""
from __future__ import annotations

import json
from pathlib import Path

from pydantic import TypeAdapter

from . import model as m
from .parts import SCHEMAS, load_parts

CORE_SCHEMAS: dict[str, tuple[str, object]] = {
    "kommun": ("data/kommun.yml", m.KommunFil),
    "roller": ("data/roller.yml", list[m.Roll]),
    "begrepp": ("data/begrepp.yml", list[m.Begrepp]),
    "lagrum": ("data/lagrum.yml", list[m.Lagrum]),
    "front-matter": ("docs/**/*.md", m.FrontMatter),
}


def all_schemas() -> dict[str, tuple[str, dict]]:
    load_parts()
    out = {}
    for name, (glob, kind) in {**CORE_SCHEMAS, **SCHEMAS}.items():
        schema = TypeAdapter(kind).json_schema()
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        schema.setdefault("title", name)
        out[name] = (glob, schema)
    return out


def schema_files() -> dict[str, str]:
    """Relative path -> file text, for schemas/ and .vscode/settings.json."""
    files = {}
    mapping = {}
    for name, (glob, schema) in all_schemas().items():
        files[f"schemas/{name}.schema.json"] = json.dumps(schema, ensure_ascii=False, indent=2) + "\n"
        if glob.endswith(".md"):
            continue        # front matter in Markdown: schema documents the keys; editors validate YAML only
        mapping[f"./schemas/{name}.schema.json"] = glob
    settings = {"yaml.schemas": mapping, "files.encoding": "utf8",
                "[markdown]": {"editor.wordWrap": "on"}}
    files[".vscode/settings.json"] = json.dumps(settings, ensure_ascii=False, indent=2) + "\n"
    return files


def write_schemas(root: Path) -> list[Path]:
    written = []
    for rel, text in schema_files().items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            written.append(path)
    return written


def stale_schemas(root: Path) -> list[str]:
    return [rel for rel, text in schema_files().items()
            if not (root / rel).is_file() or (root / rel).read_text(encoding="utf-8") != text]
