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


_OWN_TYPES = {"text": {"type": "string"}, "datum": {"type": "string", "format": "date"},
              "dokument": {"type": "string", "pattern": "^[a-z0-9][a-z0-9-]*$"}, "process": {"type": "string"}}


def own_fields(root: Path | None) -> list[dict]:
    """The kommun's own header fields (egna_falt in data/kommun.yml), read leniently: a broken file gives
    none here and its problems in `styrdok check`."""
    import yaml
    path = root / "data" / "kommun.yml" if root else None
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) if path and path.is_file() else None
        fields = [m.EgetFaltFil.model_validate(x) for x in (data or {}).get("egna_falt") or ()]
        roller = yaml.safe_load((root / "data" / "roller.yml").read_text(encoding="utf-8")) or []
    except Exception:
        return []
    roles = sorted(r["id"] for r in roller if isinstance(r, dict) and isinstance(r.get("id"), str))
    out = []
    for f in fields:
        prop = dict(_OWN_TYPES.get(f.typ) or ({"type": "string", "enum": roles} if roles else {"type": "string"}))
        prop["title"] = f.etikett
        prop["description"] = f.beskrivning or f"{f.etikett} (kommunens eget fält, typ {f.typ})."
        out.append({"id": f.id, "schema": prop})
    return out


def all_schemas(root: Path | None = None) -> dict[str, tuple[str, dict]]:
    """The schemas of the model; the front matter's also has the kommun's own fields (data/kommun.yml)."""
    load_parts()
    out = {}
    for name, (glob, kind) in {**CORE_SCHEMAS, **SCHEMAS}.items():
        schema = TypeAdapter(kind).json_schema()
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        schema.setdefault("title", name)
        if name == "front-matter":
            for own in own_fields(root):
                schema["properties"][own["id"]] = own["schema"]
        out[name] = (glob, schema)
    return out


def schema_files(root: Path | None = None) -> dict[str, str]:
    """Relative path -> file text, for schemas/ and .vscode/settings.json."""
    files = {}
    mapping = {}
    for name, (glob, schema) in all_schemas(root).items():
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
    for rel, text in schema_files(root).items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            written.append(path)
    return written


def stale_schemas(root: Path) -> list[str]:
    return [rel for rel, text in schema_files(root).items()
            if not (root / rel).is_file() or (root / rel).read_text(encoding="utf-8") != text]
