"""The web editor's configuration (Decap CMS config.yml), generated from the typed model and data/.

Nothing here is written by hand twice: the fields of each form are the fields of the pydantic file
shapes (`FrontMatter`, `AmneFil` …), required where the model requires them; ids that point into
data/ (roles, nämnder, organisation, documents, lagrum, processes, SOSFS paragraphs) become select
lists of what the loaded handbook holds; dates become date pickers. The messages for what the form
can refuse itself use the wording of `styrdok check` (see `messages`). The form fields themselves
(messages, choices, labels, widgets) are in styrdok.editor.fields; here they become collections.
"""
from __future__ import annotations

import copy
import os
import re
import types
import typing
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from pydantic import BaseModel

from .. import model as m
from ..ledningssystem import model as lm
from .fields import (  # noqa: F401  (re-exported: the editor and its tests use them from here)
    DATE_PATTERN, ID_PATTERN, LOCAL_PORT, msg_missing, msg_date, msg_id,
    msg_unknown, Source, sources, LABELS, LONG_TEXT, _label,
    _unwrap, allows_mapping, _pattern, _bounds, _select, compact,
    expand, _options, known_ids_pattern, field_widget, _summary_field, _date_widget,
    model_fields,
)



# --- collections ---------------------------------------------------------------------------------

def type_folders(hb: m.Handbook) -> dict[str, list[str]]:
    """Document type -> docs/ folders (docs-relative) its documents live in; the first is where a new
    one is made (the folder `styrdok new` uses)."""
    from ..control import slugify
    out: dict[str, list[str]] = {}
    for typ in hb.kommun.dokumenttyper.values():
        paths = sorted(d.src_path for d in hb.dokument.values() if d.typ.id == typ.id)
        folders = list(dict.fromkeys(str(PurePosixPath(p).parent) for p in paths))
        out[typ.id] = folders or [f"styrdokument/{slugify(typ.plural)}"]
    return out


def document_collections(hb: m.Handbook, srcs: dict[str, Source]) -> list[dict]:
    falt = hb.kommun.falt
    out = []
    folders = type_folders(hb)
    front = _with_parts(model_fields(m.FrontMatter, srcs, falt), m.FrontMatter, falt)
    own = own_fields(hb, srcs)
    for typ in sorted(hb.kommun.dokumenttyper.values(), key=lambda t: (t.niva, t.namn)):
        fields = []
        for f in copy.deepcopy(front):
            if f["name"] == "id":
                f["label"] = "Id (lämnas det tomt används filnamnet)"
            elif f["name"] == "typ":
                f = {"name": "typ", "label": _label("typ", falt), "widget": "hidden", "default": typ.id}
            elif f["name"] == "beslut":
                # Decisions are recorded by `styrdok decide` (commit and tag), never in the form.
                f = {"name": "beslut", "label": "Beslut", "widget": "hidden"}
            elif f["name"] == "beslutad_av":
                f["default"] = [typ.beslutas_av[0].id]      # as `styrdok new` does
            elif f["name"] == "dokumentansvarig" and "sas" in hb.roller:
                f["default"] = "sas"
            fields.append(f)
        fields += copy.deepcopy(own)
        fields.append({"name": "body", "label": "Text", "widget": "markdown", "modes": ["raw"],
                       "hint": "Markdown. Makron som {{ ansvar(\"avvikelser\") }} visas som platshållare "
                               "i förhandsvisningen och fylls i när handboken byggs."})
        # the same fields in each folder of the type, made once (at 2,000 documents in many folders,
        # making or copying them per folder was a second of every build): the collections share the
        # field dicts (read only: compact() makes the written config out of new ones)
        for n, folder in enumerate(folders[typ.id]):
            out.append({
                "name": typ.id if n == 0 else f"{typ.id}-{n + 1}",
                "label": typ.plural if n == 0 else f"{typ.plural} ({folder})",
                "label_singular": typ.namn,
                "folder": f"docs/{folder}", "extension": "md", "format": "styrdok-md", "create": True,
                "filter": {"field": "typ", "value": typ.id},
                "identifier_field": "titel", "slug": "{{slug}}", "summary": "{{titel}}",
                "description": f"{typ.plural} beslutas av "
                               f"{', '.join(i.namn for i in typ.beslutas_av)}.",
                "fields": list(fields),
            })
    return out


PART = "__"          # form-only key of a part: dokumentansvarig__namn (joined again by the editor's format)


def object_parts(model: type[BaseModel]) -> dict[str, dict[str, str]]:
    """Fields that are an id or an object with that id and more ({roll: sas, namn: …}): field -> the
    object's id key and its other keys. The form shows the id as a select and the rest beside it."""
    out = {}
    for name, info in model.model_fields.items():
        if typing.get_origin(info.annotation) not in (typing.Union, types.UnionType):
            continue
        for arg in typing.get_args(info.annotation):
            inner = _unwrap(arg)[0]
            if isinstance(inner, type) and issubclass(inner, BaseModel):
                keys = list(inner.model_fields)
                out[name] = {"id": keys[0], "rest": keys[1:], "model": inner}
    return out


def _with_parts(fields: list[dict], model: type[BaseModel], falt) -> list[dict]:
    parts = object_parts(model)
    out = []
    for f in fields:
        out.append(f)
        for key in parts.get(f["name"], {}).get("rest", ()):
            info = parts[f["name"]]["model"].model_fields[key]
            out.append({"name": f"{f['name']}{PART}{key}", "label": f"{f['label']}: {_label(key, None).lower()}",
                        "widget": "string", "required": False,
                        **({"hint": info.description} if info.description else {})})
    return out


def own_fields(hb: m.Handbook, srcs: dict[str, Source]) -> list[dict]:
    """The kommun's own header fields (egna_falt in data/kommun.yml): front-matter keys of their own."""
    out = []
    for f in getattr(hb.kommun, "egna_falt", {}).values():
        field: dict[str, Any] = {"name": f.id, "label": f.etikett, "required": False}
        if f.beskrivning:
            field["hint"] = f.beskrivning
        if f.typ == "datum":
            field.update(_date_widget())
        elif f.typ == "roll":
            field.update(_select(f.id, srcs["roll"], multiple=False))
        elif f.typ == "dokument":
            field.update(_select(f.id, srcs["dokument"], multiple=False))
        else:                      # text; process: an id in data/processer.yml or text
            field["widget"] = "string"
        out.append(field)
    return out


@dataclass(frozen=True)
class DataFile:
    name: str
    label: str
    path: str                       # root-relative file, or folder for a folder collection
    model: type[BaseModel]
    root_list: bool = False         # the file is a YAML list (Decap edits it under the key `poster`)
    identifier: str | None = None   # folder collections: the field that names a file


DATA_FILES: tuple[DataFile, ...] = (
    DataFile("ansvar", "Ansvarsfördelning", "data/ansvar.yml", lm.AmneFil, root_list=True),
    DataFile("processer", "Processer", "data/processer.yml", lm.ProcessFil, root_list=True),
    DataFile("data-enheter", "Enheternas ledningssystem", "data/enheter", lm.EnhetLsFil, identifier="enhet"),
    DataFile("data-kvalitetsplaner", "Kvalitetsplaner (data)", "data/kvalitetsplaner", lm.KvalitetsplanFil, identifier="id"),
    DataFile("arshjul", "Årshjul", "data/arshjul.yml", lm.ArshjulFil),
    DataFile("begrepp", "Begrepp", "data/begrepp.yml", m.Begrepp, root_list=True),
    DataFile("roller", "Roller", "data/roller.yml", m.Roll, root_list=True),
)
LIST_KEY = "poster"
DATA_COLLECTION = "data"          # the data files above that are single files


def data_collections(srcs: dict[str, Source], falt=None) -> list[dict]:
    files, folders = [], []
    for df in DATA_FILES:
        fields = model_fields(df.model, srcs, falt)
        if df.identifier:
            folders.append({"name": df.name, "label": df.label, "folder": df.path, "extension": "yml",
                            "format": "styrdok-yaml", "create": True, "identifier_field": df.identifier,
                            "slug": "{{" + df.identifier + "}}", "summary": "{{" + df.identifier + "}}",
                            # files named _*.yml are templates (data/enheter/_mall.yml): not entries
                            "filter": {"field": df.identifier, "pattern": "^[a-z0-9]"},
                            "fields": fields})
        else:
            if df.root_list:
                fields = [{"name": LIST_KEY, "label": df.label, "widget": "list", "fields": fields,
                           "summary": "{{fields." + _summary_field(df.model) + "}}", "collapsed": True}]
            files.append({"name": df.name, "label": df.label, "file": df.path, "format": "styrdok-yaml",
                          "fields": fields})
    return [{"name": DATA_COLLECTION, "label": "Ledningssystemet (data)", "files": files, "format": "styrdok-yaml",
             "extension": "yml"}] + folders


def page_collection(hb: m.Handbook) -> dict | None:
    """Ordinary pages (no `typ`): title and text; other front-matter keys are kept as they are."""
    pages = sorted(src for src in hb.pages if hb.dokument_by_path(src) is None)
    if not pages:
        return None
    files = [{"name": page_entry(src), "label": hb.pages[src].title or src, "file": f"docs/{src}",
              "fields": [{"name": "title", "label": "Rubrik", "widget": "string", "required": False},
                         {"name": "body", "label": "Text", "widget": "markdown", "modes": ["raw"]}]}
             for src in pages]
    return {"name": "sidor", "label": "Övriga sidor", "format": "styrdok-md", "extension": "md", "files": files}


def page_entry(src_path: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", src_path[:-3].lower()).strip("-") or "start"


# Environment variables config.yml depends on besides STYRDOK_* (GitLab CI's own): part of the build memo's key.
ENV_KEYS = ("CI_SERVER_URL", "CI_PROJECT_PATH", "CI_DEFAULT_BRANCH")


def backend(env: typing.Mapping[str, str]) -> dict:
    """The kommun's GitLab: in GitLab CI from its own variables, elsewhere from STYRDOK_GITLAB_*."""
    url = (env.get("STYRDOK_GITLAB_URL") or env.get("CI_SERVER_URL") or "").rstrip("/")
    out = {"name": "gitlab", "repo": env.get("STYRDOK_GITLAB_REPO") or env.get("CI_PROJECT_PATH") or "kommunen/handbok",
           "branch": env.get("STYRDOK_GITLAB_BRANCH") or env.get("CI_DEFAULT_BRANCH") or "main",
           "squash_merges": False, "cms_label_prefix": "redigera/",
           "commit_messages": {
               "create": "Ny {{collection}}: {{slug}} (webbredigeraren)",
               "update": "Ändrat {{collection}}: {{slug}} (webbredigeraren)",
               "delete": "Tagit bort {{collection}}: {{slug}} (webbredigeraren)",
               "uploadMedia": "Ny bild {{path}} (webbredigeraren)",
               "deleteMedia": "Tagit bort bild {{path}} (webbredigeraren)"}}
    if url:
        out.update(api_root=f"{url}/api/v4", base_url=url, auth_endpoint="oauth/authorize")
    if env.get("STYRDOK_GITLAB_APP_ID"):
        out.update(auth_type="pkce", app_id=env["STYRDOK_GITLAB_APP_ID"])
    return out


def editor_config(hb: m.Handbook, env: typing.Mapping[str, str] | None = None) -> dict:
    """The whole config.yml, as data."""
    env = os.environ if env is None else env
    srcs = sources(hb)
    port = int(env.get("STYRDOK_REDIGERA_PORT") or LOCAL_PORT)
    collections = document_collections(hb, srcs) + data_collections(srcs, hb.kommun.falt)
    pages = page_collection(hb)
    if pages:
        collections.append(pages)
    return {
        "locale": "sv",
        "backend": backend(env),
        # On 127.0.0.1 the editor talks to decap-server over the working copy (make redigera, tests).
        "local_backend": {"url": f"http://127.0.0.1:{port}/api/v1", "allowed_hosts": ["127.0.0.1", "localhost"]},
        "publish_mode": "editorial_workflow",
        "media_folder": "docs/assets/bilder",
        "public_folder": "/assets/bilder",
        "site_url": "../",
        "display_url": "../",
        "logo_url": "../" + hb.kommun.logotyp if hb.kommun.logotyp else None,
        "search": True,
        "omit_empty_optional_fields": True,
        "slug": {"encoding": "ascii", "clean_accents": True, "sanitize_replacement": "-"},
        "editor": {"preview": True},
        "collections": collections,
    }


def edit_fragment(hb: m.Handbook, src_path: str) -> str | None:
    """The editor's address (after #) of what produces the page at src_path, or None."""
    return hb.derived("editor_links", lambda: edit_fragments(hb)).get(src_path)


# The last handbook's editor links by what they are made from: the preview loads the handbook again
# after a save of front matter or data, which seldom moves a page (at 2,000 documents 0.1 s a time).
_FRAGMENTS: dict[str, tuple] = {}


def edit_fragments(hb: m.Handbook) -> dict[str, str]:
    """Page (docs-relative path) -> the editor entry that produces it: a document its own file, a
    generated page the data file it is made from (Mitt ansvar: ansvar, a process: processer …)."""
    from ..ledningssystem.load import ledningssystem_of
    ls = ledningssystem_of(hb)
    key = (tuple(hb.pages), tuple(hb.roller), tuple(p.src_path for p in ls.processer.values()),
           tuple((e.src_path, e.file) for e in ls.enheter.values()),
           tuple((t.id, t.plural) for t in hb.kommun.dokumenttyper.values()),
           tuple((d.src_path, d.typ.id) for d in hb.dokument.values()))
    last = _FRAGMENTS.get("last")
    if last is None or last[0] != key:
        last = _FRAGMENTS["last"] = (key, _edit_fragments(hb, ls))
    return last[1]


def _edit_fragments(hb: m.Handbook, ls) -> dict[str, str]:
    from ..ledningssystem.pages import mitt_ansvar_path
    out = {src: f"/collections/sidor/entries/{page_entry(src)}" for src in hb.pages}
    for roll in hb.roller:
        out[mitt_ansvar_path(roll)] = f"/collections/{DATA_COLLECTION}/entries/ansvar"
    for p in ls.processer.values():
        out[p.src_path] = f"/collections/{DATA_COLLECTION}/entries/processer"
    for e in ls.enheter.values():
        out[e.src_path] = f"/collections/data-enheter/entries/{PurePosixPath(e.file).stem}"
    folders = type_folders(hb)
    for doc in hb.dokument.values():
        folder = str(PurePosixPath(doc.src_path).parent)
        n = folders[doc.typ.id].index(folder) if folder in folders[doc.typ.id] else 0
        name = doc.typ.id if n == 0 else f"{doc.typ.id}-{n + 1}"
        out[doc.src_path] = f"/collections/{name}/entries/{PurePosixPath(doc.src_path).stem}"
    return out
