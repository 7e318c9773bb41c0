"""The web editor under /redigera/: Decap CMS from node_modules, its config generated from the model.

`editor_step(handbook, root)` is a site build step: it writes config.yml (see `config.py`), the page
that loads the editor and the project's own editor script (formats that keep data files as styrdok
reads them, the preview with the metadata card, Swedish messages worded as `styrdok check`), and
links Decap's files from node_modules (installed by `make build` with `npm ci`).
"""
from __future__ import annotations

import json
import os
import shutil
import stat
import sys
import typing
from pathlib import Path

import yaml
from pydantic import BaseModel

from ..model import FrontMatter, Handbook
from .config import DATA_FILES, LIST_KEY, PART, allows_mapping, compact, object_parts, editor_config, edit_fragment, msg_missing, _unwrap

SITE_FOLDER = "redigera"
PACKAGE_ROOT = Path(__file__).resolve().parents[3]        # the styrdok checkout (beside src/)


def editor_dist(root: Path) -> Path | None:
    """decap-cms/dist from the handbook's node_modules, else from the styrdok checkout's."""
    for base in (Path(root), PACKAGE_ROOT):
        dist = base / "node_modules" / "decap-cms" / "dist"
        if (dist / "decap-cms.js").is_file():
            return dist
    return None


def enabled() -> bool:
    """STYRDOK_REDIGERARE=av builds the site without the web editor (edit links then go to redigera_url)."""
    return os.environ.get("STYRDOK_REDIGERARE", "").lower() not in {"av", "nej", "0", "false"}


def available(root: Path) -> bool:
    return enabled() and editor_dist(root) is not None


def edit_url(hb: Handbook, src_path: str, page_url: str) -> str | None:
    """Relative link from the page at page_url (e.g. 'styrdokument/rutiner/x/') to its editor entry."""
    fragment = edit_fragment(hb, src_path)
    if fragment is None:
        return None
    depth = page_url.count("/") if page_url else 0
    return "../" * depth + f"{SITE_FOLDER}/#{fragment}"


def _nullable_required(model: type[BaseModel], prefix: tuple = ()) -> list[list[str]]:
    """Key paths the model requires but allows to be empty (an enhet's nine områden): the editor
    leaves an empty optional field out, so its format puts these back as `key:` with no value."""
    out = []
    for name, info in model.model_fields.items():
        ann, _, optional = _unwrap(info.annotation)
        if info.is_required() and optional:
            out.append([*prefix, name])
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            out += _nullable_required(ann, (*prefix, name))
    return out


def editor_data(hb: Handbook) -> dict:
    """What the editor script needs besides config.yml: names for the preview's metadata card."""
    falt = hb.kommun.falt
    labels = falt.model_dump() if isinstance(falt, BaseModel) else dict(falt or {})
    keep = []
    for df in DATA_FILES:
        keep += _nullable_required(df.model)
    return {
        "listKey": LIST_KEY,
        "rootLists": [df.path for df in DATA_FILES if df.root_list],
        "keep": keep,
        "frontOrder": list(FrontMatter.model_fields),
        "mapFields": [n for n, f in FrontMatter.model_fields.items() if allows_mapping(f.annotation)],
        "objectParts": {n: {"id": p["id"], "rest": p["rest"]} for n, p in object_parts(FrontMatter).items()},
        "part": PART,
        "labels": labels,
        "names": {**{i: x.namn for i, x in hb.instanser.items()}, **{i: o.namn for i, o in hb.org.items()}},
        "typer": {t.id: t.namn for t in hb.kommun.dokumenttyper.values()},
        "dokument": {d.id: d.titel for d in hb.dokument.values()},
        "documentCollections": [],
        "rows": header_rows_by_type(hb),
        # Decap fills in %{fieldLabel}; the field's own refusals are in config.yml (pattern).
        "messages": {"required": msg_missing("%{fieldLabel}"), "pattern": "%{pattern}"},
    }


def header_rows_by_type(hb: Handbook) -> dict[str, list[dict]]:
    """The metadata card's rows per document type (data/kommun.yml dokumenthuvud), for the preview."""
    from ..header import rows_for
    own = getattr(hb.kommun, "egna_falt", {})
    out = {}
    for typ in hb.kommun.dokumenttyper:
        rows = []
        for row in rows_for(hb.kommun, typ):
            label = row.etikett or (own[row.falt].etikett if row.falt in own else
                                    getattr(hb.kommun.falt, row.falt or "", None) or row.falt or "")
            rows.append({"etikett": label, "falt": row.falt, "format": row.format, "visaTom": row.visa_tom})
        out[typ] = rows
    return out


def write_editor(hb: Handbook, root: Path, out: Path, env: typing.Mapping[str, str] | None = None) -> bool:
    """Write the editor into out/redigera/; False (and a notice) if Decap is not installed."""
    if not enabled():
        return False
    dist = editor_dist(root)
    if dist is None:
        print("obs: webbredigeraren är inte installerad (kör 'make build', som kör npm ci): "
              "webbplatsen byggs utan /redigera/.", file=sys.stderr)
        return False
    target = out / SITE_FOLDER
    target.mkdir(parents=True, exist_ok=True)
    config = editor_config(hb, env)
    data = editor_data(hb)
    data["documentCollections"] = [c["name"] for c in config["collections"] if c.get("format") == "styrdok-md"
                                   and "folder" in c]
    data["stylesheets"] = _site_stylesheets(out)
    header = ("# Skriven av styrdok build ur modellen (src/styrdok/model.py) och data/. Ändra inte här:\n"
              "# ändringar görs i data/kommun.yml, data/ eller i src/styrdok/editor/config.py.\n")
    (target / "config.yml").write_text(header + config_yaml(_drop_none(compact(config))), encoding="utf-8")
    from ..jinja import DEFAULT_TEMPLATES, make_env
    templates = Path(root) / "templates" / "editor"
    page = make_env(templates, autoescape=True).get_template("index.html.j2").render(kommun=hb.kommun.namn,
                                                                                     data=data)
    (target / "index.html").write_text(page, encoding="utf-8")
    for name in ("styrdok-redigera.js", "styrdok-redigera.css"):
        own = templates / name
        shutil.copy2(own if own.is_file() else DEFAULT_TEMPLATES / "editor" / name, target / name)
    for src in vendored_files(dist):
        _link(src, target / src.name)
    return True


def vendored_files(dist: Path) -> list[Path]:
    """The files of other packages the editor's folder gets unchanged: Decap CMS's scripts from dist and
    js-yaml beside it in node_modules."""
    return [*(p for p in dist.iterdir() if p.name.endswith("decap-cms.js")),
            dist.parents[1] / "js-yaml" / "dist" / "browser" / "js-yaml.umd.min.js"]


def _dump(value) -> str:
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)      # libyaml: 20x faster on a large handbook
    return yaml.dump(value, Dumper=dumper, allow_unicode=True, sort_keys=False, width=200)


def config_yaml(config: dict) -> str:
    """yaml.dump of the editor's config, from pieces kept between builds (memo.py).

    A top-level key of a block mapping is written the same whatever comes before it, and so is
    each item of its list or mapping: `key:` then each item as `yaml.dump({key: [item]})` writes
    it, less its first line. Each piece is kept under the JSON of its data, so a build after one
    changed page writes only what changed (the whole dump took seconds at 2,000 documents)."""
    from ..memo import cached
    if not config:
        return _dump(config)

    def piece(value) -> str:
        try:
            data = json.dumps(value, ensure_ascii=False, sort_keys=False)
        except (TypeError, ValueError):             # not plain JSON data: no memo, the same text
            return _dump(value)
        import hashlib
        key = hashlib.sha256(data.encode("utf-8", "surrogatepass")).hexdigest()
        return cached("redigerare-yaml", key, lambda: _dump(value))

    out = []
    for key, value in config.items():
        if isinstance(value, list) and value:
            items = [piece({key: [item]}) for item in value]
        elif isinstance(value, dict) and value:
            items = [piece({key: {k: v}}) for k, v in value.items()]
        else:
            out.append(piece({key: value}))
            continue
        out.append(items[0])
        out += [text.split("\n", 1)[1] for text in items[1:]]
    return "".join(out)


def _site_stylesheets(out: Path) -> list[str]:
    """The built site's own CSS (theme, palette, styrdok.css), as URLs from /redigera/."""
    css = sorted(p.relative_to(out).as_posix() for p in (out / "assets" / "stylesheets").glob("*.min.css"))
    css += [p.relative_to(out).as_posix() for p in sorted((out / "assets").glob("*.css"))]
    return ["../" + c for c in css]


def _link(src: Path, dest: Path) -> None:
    """A hard link (no copy of 11 MB per build) where the file system allows it and the file already
    has the mode the umask gives a published file, else a copy with that mode. A link is the file in
    node_modules/ itself, shared with every other site linked to it: its mode is never changed
    through it (a build under umask 027 made node_modules/ and another handbook's site 0640, and
    a build under 022 made this one's 0644 again)."""
    from ..outputfiles import file_mode
    if dest.exists():
        dest.unlink()
    if stat.S_IMODE(src.stat().st_mode) == file_mode():
        try:
            os.link(src, dest)
            return
        except OSError:
            pass
    shutil.copy2(src, dest)
    os.chmod(dest, file_mode())


def _drop_none(value):
    if isinstance(value, dict):
        return {k: _drop_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_none(v) for v in value]
    return value


def editor_step(handbook: Handbook, root: Path):
    """Site build step (styrdok build): the editor into the new site before it is swapped in."""
    def step(site_tmp: Path) -> None:
        write_editor(handbook, Path(root), Path(site_tmp))
    return step


__all__ = ["available", "edit_url", "editor_config", "editor_step", "write_editor", "editor_dist"]
