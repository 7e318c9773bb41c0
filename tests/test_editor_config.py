"""The web editor's configuration follows the model and data/; its formats keep every file as styrdok reads it."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from conftest import IN_CI, REPO, run_cli
from styrdok.editor import editor_data, write_editor
from styrdok.editor.config import DATA_FILES, editor_config, msg_missing
from styrdok.load import load_handbook
from styrdok.model import FrontMatter


def _config(root: Path) -> dict:
    handbook, problems = load_handbook(root)
    assert handbook is not None and not problems.errors, problems
    return editor_config(handbook, env={})


def _collection(config: dict, name: str) -> dict:
    return next(c for c in config["collections"] if c["name"] == name)


def test_one_collection_per_document_type_with_the_models_fields(mini):
    config = _config(mini)
    handbook, _ = load_handbook(mini)
    for typ in handbook.kommun.dokumenttyper:
        coll = _collection(config, typ)
        fields = {f["name"]: f for f in coll["fields"] if "__" not in f["name"]}   # not the form's parts
        model = list(FrontMatter.model_fields)
        assert list(fields)[:len(model)] == model                           # the model's fields, in order
        assert fields["body"]["widget"] == "markdown"
        for name, info in FrontMatter.model_fields.items():
            if fields[name]["widget"] != "hidden":
                assert fields[name]["required"] == info.is_required(), name
        assert fields["galler_fran"]["widget"] == "datetime" and fields["galler_fran"]["format"] == "YYYY-MM-DD"
        roles = [o["value"] for o in fields["dokumentansvarig"]["options"]]
        assert roles == list(handbook.roller)
        assert fields["beslutad_av"]["multiple"] and "socialnamnden" in [o["value"] for o in
                                                                         fields["beslutad_av"]["options"]]
        assert {o["value"] for o in fields["relaterade"]["options"]} == set(handbook.dokument)
    assert config["publish_mode"] == "editorial_workflow"
    assert config["local_backend"]["url"].startswith("http://127.0.0.1:")


def test_config_yml_from_kept_pieces_is_the_whole_dump(mini, tmp_path):
    """config.yml is written from pieces kept between builds (one per collection and select list):
    the same text as one yaml.dump of the whole config, in a first build and from the memo, and a
    changed title is in the next one."""
    from styrdok.editor import _drop_none, _dump, compact, config_yaml
    from styrdok.memo import session
    data = _drop_none(compact(_config(mini)))
    whole = _dump(data)
    for _ in range(2):
        with session(tmp_path):
            assert config_yaml(data) == whole
    assert list((tmp_path / ".cache" / "memo").glob("redigerare-yaml*"))
    page = mini / "docs/rutiner/avvikelser.md"
    page.write_text(page.read_text(encoding="utf-8").replace("titel: ", "titel: Ändrad ", 1), encoding="utf-8")
    changed = _drop_none(compact(_config(mini)))
    with session(tmp_path):
        text = config_yaml(changed)
    assert text == _dump(changed) != whole and "Ändrad " in text


def test_configuration_follows_changes_in_data_and_kommun(mini):
    roller = mini / "data" / "roller.yml"
    roller.write_text(roller.read_text(encoding="utf-8") + "\n- id: fritidsledare\n  namn: Fritidsledare\n"
                      "  beskrivning: Leder fritidsverksamheten.\n", encoding="utf-8")
    kommun = mini / "data" / "kommun.yml"
    text = kommun.read_text(encoding="utf-8")
    text = re.sub(r"(dokumenttyper:\n)", "\\1  - id: handbok\n    namn: Handbok\n    plural: Handböcker\n"
                  "    niva: 4\n    beslutas_av: [sas]\n    revidering_manader: 12\n", text, count=1)
    kommun.write_text(text, encoding="utf-8")
    config = _config(mini)
    new = _collection(config, "handbok")
    assert new["folder"] == "docs/styrdokument/handbocker" and new["label"] == "Handböcker"
    ansvarig = next(f for f in new["fields"] if f["name"] == "dokumentansvarig")
    assert "fritidsledare" in [o["value"] for o in ansvarig["options"]]
    ansvar = next(f for f in _collection(config, "data")["files"] if f["name"] == "ansvar")
    roll = ansvar["fields"][0]["fields"][2]["fields"][0]
    assert roll["name"] == "roll" and "fritidsledare" in [o["value"] for o in roll["options"]]


def test_the_forms_messages_are_the_words_of_styrdok_check(mini):
    config = _config(mini)
    fields = {f["name"]: f for f in _collection(config, "rutin")["fields"]}
    doc = mini / "docs" / "rutiner" / "avvikelser.md"
    original = doc.read_text(encoding="utf-8")
    doc.write_text(original.replace("dokumentansvarig: sas", "dokumentansvarig: sas2"), encoding="utf-8")
    role = re.search(r"Rollen 'sas2' (.*)", run_cli(mini, "check").stderr).group(1)
    assert fields["dokumentansvarig"]["pattern"][1] == "Rollen " + role
    doc.write_text(original.replace("galler_fran: 2025-02-01", "galler_fran: 2025-02-30"), encoding="utf-8")
    date = re.search(r"'2025-02-30' (är inget giltigt datum.*)", run_cli(mini, "check").stderr).group(1)
    assert fields["galler_fran"]["pattern"][1] == "Värdet " + date
    doc.write_text(original.replace("galler_fran: 2025-02-01\n", ""), encoding="utf-8")
    missing = re.search(r"(Fältet 'galler_fran' saknas.*)", run_cli(mini, "check").stderr).group(1)
    assert msg_missing("galler_fran") == missing
    handbook, _ = load_handbook(REPO)
    assert editor_data(handbook)["messages"]["required"] == msg_missing("%{fieldLabel}")
    assert re.fullmatch(fields["galler_fran"]["pattern"][0], "2026-03-01")
    assert re.fullmatch(fields["dokumentansvarig"]["pattern"][0], "sas")
    assert not re.fullmatch(fields["dokumentansvarig"]["pattern"][0], "sas2")
    multiple = fields["beslutad_av"]["pattern"][0]
    assert re.fullmatch(multiple, 'List [ "socialchef", "socialnamnden" ]') and re.fullmatch(multiple, "socialchef")
    assert not re.fullmatch(multiple, 'List [ "socialchef", "sas2" ]')


def _node_round_trip(site_editor: Path, files: dict[str, str]) -> dict[str, str]:
    """Read and write each file with the editor's own formats (styrdok-redigera.js) under Node."""
    node = shutil.which("node")
    if node is None:
        if IN_CI:
            pytest.fail("node saknas (webbredigeraren)")
        pytest.skip("node saknas: webbredigerarens format prövas med Node.js")
    script = """
const fs = require('fs');
const formats = {};
global.window = global;
global.jsyaml = require(process.argv[1] + '/js-yaml.umd.min.js');
global.CMS = { registerCustomFormat: (n, e, f) => { formats[n] = f; }, getLocale: () => null,
  registerLocale() {}, registerPreviewStyle() {}, registerEditorComponent() {}, registerPreviewTemplate() {},
  init() {} };
global.h = () => null; global.createClass = (o) => o;
global.MutationObserver = class { observe() {} };
global.fetch = () => new Promise(() => {});
const html = fs.readFileSync(process.argv[1] + '/index.html', 'utf8');
const json = html.match(/<script id="styrdok-data" type="application\\/json">([\\s\\S]*?)<\\/script>/)[1];
global.document = { getElementById: () => ({ textContent: json }), body: {} };
require(process.argv[1] + '/styrdok-redigera.js');
const files = JSON.parse(fs.readFileSync(0, 'utf8'));
const out = {};
for (const [name, text] of Object.entries(files)) {
  const f = formats[name.endsWith('.md') ? 'styrdok-md' : 'styrdok-yaml'];
  out[name] = f.toFile(f.fromFile(text));
}
process.stdout.write(JSON.stringify(out));
"""
    proc = subprocess.run([node, "-e", script, str(site_editor)], input=json.dumps(files), capture_output=True,
                          text=True)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_every_file_the_editor_saves_reads_back_the_same(tmp_path):
    """Every data file and page of the example handbook, read and written by the editor's formats:
    the same data for styrdok (dates stay dates), the comment block on top kept, the body unchanged."""
    handbook, _ = load_handbook(REPO)
    out = tmp_path / "site"
    if not write_editor(handbook, REPO, out, env={}):
        if IN_CI:
            pytest.fail("webbredigeraren är inte installerad (npm ci)")
        pytest.skip("webbredigeraren är inte installerad (kör make build)")
    files = {p.relative_to(REPO).as_posix(): p.read_text(encoding="utf-8")
             for p in [*sorted((REPO / "data").rglob("*.yml")), *sorted((REPO / "docs").rglob("*.md"))]
             if not p.name.startswith("_") and p.name not in {"kommun.yml", "lagrum.yml", "sosfs-2011-9.yml"}}
    files["docs/x/namngiven.md"] = ("---\ntitel: Rutin med namn\ntyp: rutin\nbeslutad_av: [socialchef]\n"
                                    "diarienummer:\n  socialnamnden: SN 2025/41\n  vard-och-omsorgsnamnden: VON 2025/9\n"
                                    "galler_fran: 2026-01-01\ndokumentansvarig:\n  roll: sas\n  namn: Kim Berg\n"
                                    "---\n\nText.\n")
    written = _node_round_trip(out / "redigera", files)
    for name, text in files.items():
        new = written[name]
        if name.endswith(".md"):
            old_front, old_body = _split(text)
            new_front, new_body = _split(new)
            assert new_front == old_front, name
            assert new_body.strip() == old_body.strip(), name
        else:
            assert yaml.safe_load(new) == yaml.safe_load(text), name
            header = re.match(r"(#.*\n)+", text)
            if header:
                assert new.startswith(header.group(0)), name
    check = [name for name in files if name.startswith("data/")]
    assert {df.path for df in DATA_FILES if not df.identifier} <= set(check)


def _split(text: str):
    match = re.match(r"^---\n(.*?)\n---\n(.*)$", text, re.S)
    if not match:
        return {}, text
    return yaml.safe_load(match.group(1)), match.group(2)


def test_edit_links_lead_to_the_entry_that_makes_the_page(example_built):
    site = example_built / "site"

    def edit_href(page: str) -> str:
        html = (site / page / "index.html").read_text(encoding="utf-8")
        match = re.search(r'<a href="([^"]*redigera/#[^"]*)"[^>]*title="Redigera', html) or \
            re.search(r'href="([^"]*redigera/#[^"]*)"', html)
        assert match, f"{page}: ingen länk till redigeraren"
        href = match.group(1)
        # relative to the page: resolve it like a browser
        depth = page.count("/") + 1
        assert href.startswith("../" * depth + "redigera/#"), href
        return href.split("#", 1)[1]

    assert edit_href("styrdokument/rutiner/egenkontroll") == "/collections/rutin/entries/egenkontroll"
    assert edit_href("ledningssystem/mitt-ansvar/sas") == "/collections/data/entries/ansvar"
    process = next(p for p in (site / "ledningssystem" / "processer").iterdir() if p.is_dir())
    assert edit_href(f"ledningssystem/processer/{process.name}") == "/collections/data/entries/processer"
    enhet = next(p for p in (site / "ledningssystem" / "enheter").iterdir() if p.is_dir())
    assert edit_href(f"ledningssystem/enheter/{enhet.name}") == f"/collections/data-enheter/entries/{enhet.name}"
    assert edit_href("om-handboken") == "/collections/sidor/entries/om-handboken"
    config = yaml.safe_load((site / "redigera" / "config.yml").read_text(encoding="utf-8"))
    names = {c["name"] for c in config["collections"]}
    assert {"rutin", "data", "data-enheter", "sidor"} <= names
    sidor = _collection(config, "sidor")
    assert "om-handboken" in {f["name"] for f in sidor["files"]}
    assert (site / "redigera" / "index.html").is_file()


def _refusals(fields: list[dict], data: dict, where: str) -> list[str]:
    """What the form's own checks (select lists, patterns) would refuse in data that styrdok accepts."""
    out = []
    for f in fields:
        value = data.get(f["name"]) if isinstance(data, dict) else None
        if value is None or value == [] or value == "":
            continue                      # empty: Decap does not test a pattern on it
        if f.get("widget") == "list" and "fields" in f and isinstance(value, list):
            for i, item in enumerate(value):
                out += _refusals(f["fields"], item, f"{where}.{f['name']}[{i}]")
        elif f.get("widget") == "object" and isinstance(value, dict):
            out += _refusals(f["fields"], value, f"{where}.{f['name']}")
        elif "pattern" in f and f.get("widget") != "hidden":
            values = value if isinstance(value, list) else [value]
            text = ",".join(str(v) for v in values)
            if not re.fullmatch(f["pattern"][0], text):
                out.append(f"{where}.{f['name']}: {value!r}")
    return out


def test_what_styrdok_accepts_the_form_accepts_too(tmp_path):
    """Every document and data file of the example handbook passes the form's select lists and
    patterns: the editor refuses only what `styrdok check` refuses."""
    handbook, problems = load_handbook(REPO)
    assert not problems.errors
    config = editor_config(handbook, env={})
    refused = []
    for doc in handbook.dokument.values():
        coll = next(c for c in config["collections"] if c.get("filter", {}).get("value") == doc.typ.id)
        front = _split((REPO / doc.file).read_text(encoding="utf-8"))[0]
        refused += _refusals(coll["fields"], front, doc.file)
    files = {f["file"]: f for f in _collection(config, "data")["files"]}
    for path, f in files.items():
        data = yaml.safe_load((REPO / path).read_text(encoding="utf-8"))
        refused += _refusals(f["fields"], {"poster": data} if isinstance(data, list) else data, path)
    for name in ("data-enheter", "data-kvalitetsplaner"):
        coll = _collection(config, name)
        for p in sorted((REPO / coll["folder"]).glob("[a-z0-9]*.yml")):
            refused += _refusals(coll["fields"], yaml.safe_load(p.read_text(encoding="utf-8")), str(p))
    assert refused == []


def test_config_yml_names_each_select_list_once_and_the_editor_gets_them_all_back(example_built):
    """Written out per field, the lists made a 140 MB config.yml at 2,000 documents; config.yml holds
    each once and the editor script (expandLists, mirrored by expand) puts them back."""
    from styrdok.editor.config import expand
    handbook, _ = load_handbook(example_built)
    full = json.loads(json.dumps(editor_config(handbook, env={})))
    text = (example_built / "site" / "redigera" / "config.yml").read_text(encoding="utf-8")
    written = yaml.safe_load(text)
    assert text.count("label: Rutin för egenkontroll (rutin)") == 1          # the documents list, once
    assert set(written["styrdok_listor"]) >= {"roller", "instanser", "org", "dokument", "lagrum"}

    def strip(value):
        if isinstance(value, list):
            return [strip(v) for v in value]
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k != "_lista" and v is not None}
        return value

    assert expand(written) == strip(full) | {"backend": expand(written)["backend"]}


def test_the_gitlab_project_comes_from_gitlab_ci_and_a_new_project_gives_a_new_build(mini):
    gitlab = {"CI_SERVER_URL": "https://git.alvstad.se", "CI_PROJECT_PATH": "soc/handbok", "CI_DEFAULT_BRANCH": "main",
              "STYRDOK_GITLAB_APP_ID": "abc"}
    config = editor_config(load_handbook(mini)[0], env=gitlab)
    assert config["backend"] | {"commit_messages": None} == {
        "name": "gitlab", "repo": "soc/handbok", "branch": "main", "squash_merges": False,
        "cms_label_prefix": "redigera/", "commit_messages": None, "api_root": "https://git.alvstad.se/api/v4",
        "base_url": "https://git.alvstad.se", "auth_endpoint": "oauth/authorize", "auth_type": "pkce",
        "app_id": "abc"}
    # The pipeline builds with GitLab's variables: a build in another project (nothing else changed)
    # must not reuse the stored build, or the editor would save to the old project.
    written = mini / "site" / "redigera" / "config.yml"
    for project in ("soc/handbok", "soc/annan-handbok"):
        proc = run_cli(mini, "build", "--utan-word", env={**gitlab, "CI_PROJECT_PATH": project})
        assert proc.returncode == 0, proc.stderr
        if not written.is_file():
            if IN_CI:
                pytest.fail("webbredigeraren är inte installerad (npm ci)")
            pytest.skip("webbredigeraren är inte installerad (kör make build)")
        assert yaml.safe_load(written.read_text(encoding="utf-8"))["backend"]["repo"] == project
