"""The site build cache (.cache/site/): a cached build's site is byte for byte the clean build's.

After each kind of change (page text, title, a page's first heading (its title when the front matter
has none), data, Markdown template, theme override, config,
a new page, a removed page, nothing), the project is built again with its cache, and a copy
of the project without .cache/ and site/ is built clean; the two sites must be equal file by
file. Pagefind's own index is left out of the byte comparison: two clean builds of the same site
can already differ there (it orders some files by thread timing); its pages must be the same. So
are the PDFs (LibreOffice writes the conversion time into each): the same files, by name.
"""
from __future__ import annotations

import json
import shutil

import pytest

from conftest import MINI, copy_built, copy_handbook, made_once, run_cli


def _files(site):
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def _compare(cached_site, clean_site):
    cached, clean = _files(cached_site), _files(clean_site)
    index = [n for n in clean if n.startswith("pagefind/")]
    assert index, "Pagefind-indexet saknas"
    # the index's parts (pagefind/ and pagefind/del-N/), each with the same pages (a fragment's name
    # is a hash of its page's indexed text) and page count
    assert cached.get("pagefind/styrdok-delar.json") == clean.get("pagefind/styrdok-delar.json")
    pagefind = {n for n in cached if n.startswith("pagefind/") and "/fragment/" in n}
    assert pagefind == {n for n in clean if n.startswith("pagefind/") and "/fragment/" in n}, \
        "Pagefind indexerade andra sidor"
    for name in (n for n in clean if n.startswith("pagefind/") and n.endswith("pagefind-entry.json")):
        assert json.loads(clean[name])["languages"]["sv"]["page_count"] == \
            json.loads(cached[name])["languages"]["sv"]["page_count"], name
    # LibreOffice writes the time of conversion into each PDF: the same PDFs by name, not by bytes
    assert {n for n in cached if n.startswith("pdf/")} == {n for n in clean if n.startswith("pdf/")}
    cached = {n: b for n, b in cached.items() if not n.startswith(("pagefind/", "pdf/"))}
    clean = {n: b for n, b in clean.items() if not n.startswith(("pagefind/", "pdf/"))}
    assert sorted(cached) == sorted(clean), "olika filer: " + str(sorted(set(cached) ^ set(clean)))
    differ = [n for n in clean if cached[n] != clean[n]]
    assert not differ, f"skiljer sig från ett rent bygge: {differ}"


def _edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


CHANGES = [
    ("inget", lambda r: None),
    # new words: "plan" makes the compound on another page (ledningssystem/kvalitetsplan.md) split
    # into kvalitet + plan, so that page's hidden search words change too
    ("sidans text", lambda r: _edit(r / "docs/rutiner/avvikelser.md", "samma dag",
                                    "genast, senast samma dag enligt en plan")),
    ("titel", lambda r: _edit(r / "docs/rutiner/riktlinje-kvalitet.md", "titel: Riktlinje för kvalitet",
                              "titel: Riktlinje för kvalitetsarbete")),
    # a page with no title in its front matter is named by its first heading, in every page's menu
    ("rubrik", lambda r: _edit(r / "docs/ledningssystem/arshjul.md", "# Årshjul", "# Årshjul och uppföljning")),
    ("data", lambda r: _edit(r / "data/kommun.yml", "namn: Testby kommun", "namn: Testbyns kommun")),
    ("mall", lambda r: _edit(r / "templates/markdown/dokumentlista.md.j2", "| Dokument |", "| Styrdokument |")),
    ("tema", lambda r: _edit(r / "overrides/partials/styrdok-kort.html", "<", "<!-- ändrad -->\n<")),
    ("config", lambda r: _edit(r / "mkdocs.yml", "site_description: ", "site_description: Testbyns ")),
    ("ny sida", lambda r: (r / "docs/rutiner/ny-rutin.md").write_text(
        (r / "docs/rutiner/avvikelser.md").read_text(encoding="utf-8")
        .replace("titel: ", "titel: Ny ").replace("id: avvikelser", "id: ny-rutin"), encoding="utf-8")),
    ("borttagen sida", lambda r: (r / "docs/rutiner/ny-rutin.md").unlink()),
]


# Three copies of the built handbook, each changed three or four times (so the xdist workers share them out);
# 'borttagen sida' removes the page 'ny sida' added.
GROUPS = [CHANGES[0:4], CHANGES[4:7], CHANGES[7:10]]


@pytest.fixture(scope="session")
def mini_site_built(tmp_path_factory):
    """The mini handbook built once without Word files, with its cache (a copy keeps using it: one page
    changed in a copy is the one page made again)."""
    def make(folder):
        root = copy_handbook(MINI, folder / "handbok")
        proc = run_cli(root, "build", "--utan-word")
        assert proc.returncode == 0, proc.stderr
        return root
    return made_once(tmp_path_factory, "mini-webbplats", make)


@pytest.mark.langsam
@pytest.mark.parametrize("changes", GROUPS, ids=[" + ".join(k for k, _ in g) for g in GROUPS])
def test_cached_build_equals_clean_build_after_each_kind_of_change(changes, mini_site_built, tmp_path):
    mini = copy_built(mini_site_built, tmp_path / "handbok")
    for n, (kind, change) in enumerate(changes):
        change(mini)
        proc = run_cli(mini, "build", "--utan-word")
        assert proc.returncode == 0, f"{kind}: {proc.stderr}"
        clean = tmp_path / f"ren-{n}"
        shutil.copytree(mini, clean, ignore=shutil.ignore_patterns("site", ".cache"))
        proc = run_cli(clean, "build", "--utan-word")
        assert proc.returncode == 0, f"{kind}: {proc.stderr}"
        try:
            _compare(mini / "site", clean / "site")
        except AssertionError as exc:
            pytest.fail(f"efter ändringen '{kind}': {exc}")
        shutil.rmtree(clean)


@pytest.mark.langsam
def test_a_handbook_made_by_init_is_cached_through_the_styrdok_plugin(tmp_path):
    """A kommun's own handbook uses the `styrdok` MkDocs plugin, not the repository's hooks. Without
    its PDFs (init turns them on): they are made after the site, by no part of the plugin, and
    tests/test_pdf.py proves a cached build publishes the PDFs a clean one does (three LibreOffice
    starts less here, 6.6 -> 2.7 s CPU)."""
    root = tmp_path / "handbok"
    proc = run_cli(tmp_path, "init", str(root), "--kommun", "Björkby kommun")
    assert proc.returncode == 0, proc.stderr
    assert run_cli(root, "build", "--utan-word", "--utan", "pdf").returncode == 0
    assert list((root / ".cache" / "site" / "md").rglob("*")), "sidcachen används inte av pluginen"
    page = next((root / "docs" / "styrdokument").glob("rutin-*.md"))
    page.write_text(page.read_text(encoding="utf-8") + "\nEn mening som läggs till i rutinen.\n", encoding="utf-8")
    proc = run_cli(root, "build", "--utan-word", "--utan", "pdf")
    assert proc.returncode == 0, proc.stderr
    clean = tmp_path / "ren"
    shutil.copytree(root, clean, ignore=shutil.ignore_patterns("site", ".cache"))
    assert run_cli(clean, "build", "--utan-word", "--utan", "pdf").returncode == 0
    _compare(root / "site", clean / "site")
    assert "En mening som läggs till" in (root / "site" / page.relative_to(root / "docs").with_suffix("")
                                          / "index.html").read_text(encoding="utf-8")


def test_a_clean_build_with_a_helper_process_equals_one_process(mini, tmp_path):
    """Both cores: a forked helper converts and renders the pages ahead of the main process
    (STYRDOK_HJALP_VANTA: it does all of them before the main process goes on), and the site is
    byte for byte the one a single process builds."""
    one = tmp_path / "en-process"
    shutil.copytree(mini, one)
    proc = run_cli(one, "build", "--utan-word", env={"STYRDOK_JOBS": "1"})
    assert proc.returncode == 0, proc.stderr
    alone = json.loads((one / ".cache" / "site" / "statistik.json").read_text())["gjorda"]
    proc = run_cli(mini, "build", "--utan-word", env={"STYRDOK_JOBS": "2", "STYRDOK_HJALP_VANTA": "1"})
    assert proc.returncode == 0, proc.stderr
    stats = json.loads((mini / ".cache" / "site" / "statistik.json").read_text())
    assert alone["md"] > 10 and alone["html"] > 10, alone
    assert stats["gjorda"] == {"md": 2, "html": 2}, f"hjälpprocessen gjorde inte sidorna framför: {stats}"
    assert stats["hjalp"] == ["html", "md"]
    _compare(mini / "site", one / "site")
    # one page edited: its conversion and template are redone in this process, no helper is started
    _edit(mini / "docs/rutiner/avvikelser.md", "samma dag", "genast, senast samma dag")
    proc = run_cli(mini, "build", "--utan-word", env={"STYRDOK_JOBS": "2", "STYRDOK_HJALP_VANTA": "1"})
    assert proc.returncode == 0, proc.stderr
    stats = json.loads((mini / ".cache" / "site" / "statistik.json").read_text())
    assert stats["hjalp"] == [] and 1 <= stats["gjorda"]["md"] <= 3, stats


def test_nothing_changed_leaves_site_as_it_is_unless_something_else_changed_it(mini):
    """The build memo stands for site/ as the last build published it: with nothing changed the
    site is not touched at all; a file of site/ changed or removed by anything else (here: by
    hand) makes the next build a real one, which writes it again."""
    assert run_cli(mini, "build", "--utan-word").returncode == 0
    site = mini / "site"
    page = site / "rutiner" / "avvikelser" / "index.html"
    built = _files(site)
    inode = page.stat().st_ino
    proc = run_cli(mini, "build", "--utan-word")
    assert proc.returncode == 0, proc.stderr
    assert page.stat().st_ino == inode, "inget ändrat: sidan skrevs om"
    page.unlink()
    (site / "sitemap.xml").write_text("ändrad för hand", encoding="utf-8")
    proc = run_cli(mini, "build", "--utan-word")
    assert proc.returncode == 0, proc.stderr
    again = _files(site)
    assert "sitemap.xml" in again and "rutiner/avvikelser/index.html" in again
    # Pagefind may name its index files differently from one build to the next (see _compare)
    built, again = ({n: b for n, b in files.items() if not n.startswith("pagefind/")} for files in (built, again))
    assert sorted(again) == sorted(built)
    assert [n for n in built if built[n] != again[n]] == []


def _parts(site):
    """Each part of the search index (pagefind/ and pagefind/del-N/) and the name of its word index
    (Pagefind names it by a hash of the index)."""
    folder = site / "pagefind"
    parts = {"": folder, **{p.rstrip("/"): folder / p for p in json.loads((folder / "styrdok-delar.json").read_text())}}
    return {name: next(path.glob("pagefind.*.pf_meta")).name for name, path in parts.items()}


@pytest.mark.langsam
def test_search_index_in_parts_indexes_again_only_the_part_of_the_changed_page(mini, tmp_path):
    """A large handbook's search index is in parts (STYRDOK_SOK_DELSTORLEK: pages per part, here 2):
    after a page edit only that page's part is made again, the others come from .cache/site/sok/;
    the site is the one a clean build makes, parts and all."""
    from styrdok.search.parts import part_of
    env = {"STYRDOK_SOK_DELSTORLEK": "2"}
    assert run_cli(mini, "build", "--utan-word", env=env).returncode == 0
    before = _parts(mini / "site")
    assert len(before) >= 3, before
    _edit(mini / "docs/rutiner/avvikelser.md", "samma dag", "genast, senast samma dag")
    proc = run_cli(mini, "build", "--utan-word", env=env)
    assert proc.returncode == 0, proc.stderr
    after = _parts(mini / "site")
    changed = {name for name in before if before[name] != after[name]}
    part = part_of("rutiner/avvikelser/index.html", len(before))
    assert changed == {"" if part == 0 else f"del-{part}"}, (changed, part)
    clean = tmp_path / "ren"
    shutil.copytree(mini, clean, ignore=shutil.ignore_patterns("site", ".cache"))
    assert run_cli(clean, "build", "--utan-word", env=env).returncode == 0
    # the same parts with the same pages (fragments) and page counts as a clean build's; not the
    # same pf_meta bytes: two clean builds of this handbook already differ there (Pagefind orders
    # the pages of an index by thread timing)
    _compare(mini / "site", clean / "site")
