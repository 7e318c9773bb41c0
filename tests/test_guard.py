"""Personnummer and samordningsnummer never reach a reader (property-based, hypothesis), and what only
looks like one (dates, diarienummer, phone numbers, postnummer, organisationsnummer) never trips the guard.

Scale per run: 400 generated numbers in every form and context for the scanner, 400 generated
harmless numbers, 3 generated handbooks built end to end (+1 control build with invalid check digits
that shows the search of site/ finds numbers in each place they were put).
"""
from __future__ import annotations

import datetime as dt
import functools
import gzip
import hashlib
import html
import subprocess
import urllib.parse
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings, strategies as st

from conftest import HANDBOOK_GITIGNORE, copy_built, run_cli, tree_digest
from styrdok.sensitive import PNR, classify_number, luhn_ok, number_key, scan_text

SEPARATORS = ["", "-", "+", " ", "–", "—", "\u00a0", "\u202f", " - ", " – ", "\u00a0–\u00a0", "  -  ", "−",
              "\u00ad", "\u200b", "\u2060-"]         # invisible: copied from a PDF or a web page


def check_digit(nine: str) -> str:
    return next(d for d in "0123456789" if luhn_ok(nine + d))


@st.composite
def personnummer(draw, valid: bool = True):
    """(text as written, its ten digits) of a generated personnummer or samordningsnummer."""
    day = draw(st.dates(dt.date(1901, 1, 1), dt.date(2025, 12, 31)))
    samordning = draw(st.booleans())
    dd = day.day + (60 if samordning else 0)
    nine = f"{day:%y%m}{dd:02d}{draw(st.integers(0, 999)):03d}"
    digit = check_digit(nine)
    if not valid:
        digit = str((int(digit) + draw(st.integers(1, 9))) % 10)
    ten = nine + digit
    century = draw(st.booleans())
    sep = draw(st.sampled_from(SEPARATORS))
    return (f"{day.year // 100}" if century else "") + ten[:6] + sep + ten[6:], ten


def in_url(n: str) -> str:
    return urllib.parse.quote(n, safe="")


def as_entities(n: str) -> str:
    return n.replace("\u00a0", "&nbsp;").replace("–", "&ndash;").replace("—", "&mdash;")


CONTEXTS = [
    lambda n: f"Brukaren {n} ringde i morse.",
    lambda n: f"[journalen](https://journal.alvstad.example/brukare/{in_url(n)}/oversikt)",
    lambda n: f"<https://journal.alvstad.example/sok?pnr={in_url(n)}>",
    lambda n: f"Se [{n}](riktlinje-kvalitet.md).",
    lambda n: f"![Foto av {n}](../assets/logotyp.svg)",
    lambda n: f'<abbr title="{html.escape(n)}">Brukaren</abbr>',
    lambda n: f'<span data-id="{as_entities(n)}">x</span>',
    lambda n: f"<!-- gäller {n} -->",
    lambda n: f"| Namn | Nummer |\n|---|---|\n| Anna | {n} |",
    lambda n: f"```\n{n}\n```",
    lambda n: f"Skriv `{n}` i rutan.",
    lambda n: f"sammanfattning: Gäller {n}",
    lambda n: f"  - {n}",
    lambda n: f"## Ärende {n}",
    lambda n: f"(pnr:{n})",
    lambda n: f"namn;nummer\nAnna;{n}\n",
    lambda n: f"Beslut om {n}: avslag.",
]


@settings(max_examples=400, deadline=None)
@given(number=personnummer(), context=st.sampled_from(CONTEXTS))
def test_every_form_in_every_context_is_found(number, context):
    text, ten = number
    findings = [f for f in scan_text(context(text)) if f.number]
    assert [f.number for f in findings] == [ten], context(text)
    assert findings[0].severity == "fel"
    assert ten[6:] not in findings[0].message            # masked


DNR_PREFIX = st.sampled_from(["SN", "SOF", "KS", "VON", "SN-", "dnr "])


@st.composite
def harmless(draw):
    """Numbers a handbook writes that are not personnummer."""
    kind = draw(st.sampled_from(["date", "dnr", "phone", "postnummer", "orgnr", "sfs", "amount"]))
    if kind == "date":
        d = draw(st.dates(dt.date(1900, 1, 1), dt.date(2099, 12, 31)))
        return draw(st.sampled_from([f"{d:%Y-%m-%d}", f"{d:%Y%m%d}", f"{d:%d/%m/%Y}", f"{d:%y%m%d}",
                                     f"{d.day} {d.month} {d.year}", f"{d:%Y-%m-%d} kl. {d.day:02d}.30"]))
    if kind == "dnr":
        year, n = draw(st.integers(1990, 2030)), draw(st.integers(1, 99999))
        return draw(st.sampled_from([f"{draw(DNR_PREFIX)} {year}/{n}", f"{draw(DNR_PREFIX)} {year}/{n:05d}",
                                     f"{draw(DNR_PREFIX)}{year}.{n}", f"SOF {year}/{n}.{draw(st.integers(1, 999))}"]))
    if kind == "phone":
        d = [str(draw(st.integers(0, 9))) for _ in range(9)]
        return draw(st.sampled_from([
            f"08-{''.join(d[:3])} {''.join(d[3:6])} {''.join(d[6:8])}", f"070-{''.join(d[:3])} {''.join(d[3:5])} {''.join(d[5:7])}",
            f"+46 70 {''.join(d[:3])} {''.join(d[3:5])} {''.join(d[5:7])}", f"010-{''.join(d[:3])} {''.join(d[3:5])} {''.join(d[5:7])}",
            f"0{draw(st.integers(10, 999))}-{''.join(d[:6])}", f"08-{''.join(d[:8])}"]))
    if kind == "postnummer":
        n = draw(st.integers(10000, 99999))
        return draw(st.sampled_from([f"{n // 100} {n % 100:02d} Älvstad", f"SE-{n // 100} {n % 100:02d}", f"{n} Älvstad"]))
    if kind == "orgnr":
        nine = (str(draw(st.sampled_from([2, 5, 7, 8, 9]))) + str(draw(st.integers(0, 9))) + str(draw(st.integers(2, 9)))
                + f"{draw(st.integers(0, 999999)):06d}")
        ten = nine + check_digit(nine)
        return draw(st.sampled_from([f"{ten[:6]}-{ten[6:]}", ten, f"16{ten[:6]}-{ten[6:]}", f"16{ten}"]))
    if kind == "sfs":
        return f"SFS {draw(st.integers(1950, 2030))}:{draw(st.integers(1, 1999))}"
    return f"{draw(st.integers(1, 999))} {draw(st.integers(0, 999)):03d} {draw(st.integers(0, 999)):03d} kr"


@settings(max_examples=400, deadline=None)
@given(values=st.lists(harmless(), min_size=1, max_size=4), context=st.sampled_from(CONTEXTS))
def test_dates_dnr_phone_postnummer_and_organisationsnummer_never_trip_it(values, context):
    text = context(" och ".join(values))
    assert [f for f in scan_text(text, placeholders=False) if f.number] == [], text


# --- end to end: built handbooks --------------------------------------------------------------

def _minimal_pdf(text: str) -> bytes:
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode("latin-1")
    objs = [b"<</Type/Catalog/Pages 2 0 R>>", b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
            b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R/Resources<</Font<</F1 5 0 R>>>>>>",
            b"<</Length %d>>stream\n" % len(stream) + stream + b"\nendstream",
            b"<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>"]
    out, offsets = b"%PDF-1.4\n", []
    for i, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    return out + b"trailer<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)


def _office(path: Path, xml_name: str, body: str) -> None:
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        z.writestr(xml_name, body)


def place(root: Path, numbers: list[str], ascii_numbers: list[str], slug_number: str) -> None:
    """Put the numbers in every place a reader can see text: a styrdokument's body in many contexts (so
    also its Word file), its front matter, data/, a file name, .csv/.docx/.xlsx/.pdf attachments and
    a commit message and author name."""
    page = root / "docs" / "rutiner" / "avvikelser.md"
    text = page.read_text(encoding="utf-8")
    body = "\n\n".join(CONTEXTS[i % len(CONTEXTS)](n) for i, n in enumerate(numbers * 2) if i % len(CONTEXTS) not in (11, 15))
    text = text.replace("taggar: [avvikelser]", f"taggar: [avvikelser]\nsammanfattning: Gäller {numbers[0]}")
    page.write_text(text + "\n" + body + "\n", encoding="utf-8")
    begrepp = root / "data" / "begrepp.yml"
    begrepp.write_text(begrepp.read_text(encoding="utf-8").replace(
        "En händelse som inte blev som det var tänkt.", f"En händelse som inte blev som det var tänkt, se {numbers[-1]}."),
        encoding="utf-8")
    bilagor = root / "docs" / "bilagor"
    bilagor.mkdir()
    (bilagor / f"intyg-{slug_number}.md").write_text("# Intyg\n\nEtt intyg.\n", encoding="utf-8")
    (bilagor / "lista.csv").write_text("namn;nummer\n" + "".join(f"Anna;{n}\n" for n in numbers), encoding="utf-8")
    _office(bilagor / "brev.docx", "word/document.xml",
            "<w:document><w:body>" + "".join(f"<w:p><w:r><w:t>Brukare {n[:4]}</w:t></w:r><w:r><w:t>{n[4:]}</w:t></w:r></w:p>"
                                             for n in numbers) + "</w:body></w:document>")
    _office(bilagor / "lista.xlsx", "xl/sharedStrings.xml",
            "<sst>" + "".join(f"<si><t>{html.escape(n)}</t></si>" for n in numbers) + "</sst>")
    (bilagor / "intyg.pdf").write_bytes(_minimal_pdf(" ".join(ascii_numbers)))
    env = {"GIT_AUTHOR_NAME": f"Anna {ascii_numbers[0]}", "GIT_AUTHOR_EMAIL": "a@alvstad.example",
           "GIT_COMMITTER_NAME": "Anna", "GIT_COMMITTER_EMAIL": "a@alvstad.example"}
    import os
    (root / ".gitignore").write_text(HANDBOOK_GITIGNORE, encoding="utf-8")     # as a handbook's own
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", f"Rättade uppgiften om {numbers[-1]}"]):
        subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, env={**os.environ, **env})


def _file_texts(path: Path, rel: str):
    from styrdok.guard import attachment_text
    if "pagefind" in rel and path.suffix.startswith(".pf_"):
        data = path.read_bytes()
        try:
            data = gzip.decompress(data)
        except OSError:
            pass
        yield data.decode("utf-8", "replace")
        return
    text = attachment_text(path) if path.suffix in (".docx", ".xlsx", ".pdf") else \
        path.read_bytes().decode("utf-8", "replace")
    if text:
        yield text
        yield html.unescape(text)
        yield urllib.parse.unquote(text)


# The numbers in a file's texts, by what decides them: how the file is read (its suffix, whether it is
# Pagefind's) and its bytes. The theme's scripts are most of a site's bytes and the same in every site
# built here: searched once per test process, not once per build.
_FILE_NUMBERS: dict[tuple, frozenset] = {}


@functools.cache
def _vendored() -> frozenset[bytes]:
    """sha256 of each file a build copies unchanged from an installed package: the theme's assets, and
    Decap CMS and js-yaml for the web editor. These bytes are the same in every site and come from no
    handbook, so a site's file with the same bytes is not searched: they are four fifths of a small
    handbook's site (searching them was two thirds of this module's CPU). A file the build changed
    in any way is searched."""
    import material

    from styrdok.editor import PACKAGE_ROOT, editor_dist, vendored_files
    dist = editor_dist(PACKAGE_ROOT)
    packaged = [*(Path(material.__file__).parent / "templates" / "assets").rglob("*")]
    if dist is not None:
        packaged += vendored_files(dist)
    return frozenset(hashlib.sha256(p.read_bytes()).digest() for p in packaged if p.is_file())


def _file_numbers(path: Path, rel: str) -> frozenset:
    digest = hashlib.sha256(path.read_bytes()).digest()
    if digest in _vendored():
        return frozenset()
    key = (path.suffix, "pagefind" in rel, digest)
    if key not in _FILE_NUMBERS:
        _FILE_NUMBERS[key] = frozenset(number_key(m) for text in _file_texts(path, rel) for m in PNR.finditer(text))
    return _FILE_NUMBERS[key]


def numbers_in(site: Path) -> dict[str, set[str]]:
    """Ten digits of every number-like match in site/ -> the places it was found. Searched: every text a
    reader or a search could get from the built site: paths, files, the Word files' XML, attachments'
    text, the Pagefind index decompressed; also HTML-unescaped and URL-decoded."""
    found: dict[str, set[str]] = {}
    for path in sorted(site.rglob("*")):
        rel = path.relative_to(site).as_posix()
        place = rel.split("/")[0]
        keys = {number_key(m) for m in PNR.finditer(rel)}
        if path.is_file():
            keys |= _file_numbers(path, rel)
        for key in keys:
            found.setdefault(key, set()).add(place)
    return found


@st.composite
def handbook_numbers(draw, valid=True):
    numbers = draw(st.lists(personnummer(valid), min_size=3, max_size=5, unique_by=lambda x: x[1]))
    ascii_sep = draw(st.sampled_from(["", "-", " ", "+"]))
    return numbers, ascii_sep


def _prepare(mini_built, tmp_path, numbers, ascii_sep, name):
    root = tmp_path / name
    copy_built(mini_built, root)
    texts = [t for t, _ in numbers]
    ascii_numbers = [ten[:6] + ascii_sep + ten[6:] for _, ten in numbers]
    place(root, texts, ascii_numbers, numbers[0][1])
    return root


@pytest.mark.langsam
def test_control_the_search_of_site_finds_numbers_in_every_place_they_are_put(mini_built, tmp_path):
    """Invalid check digits are not personnummer: this build succeeds, and the same search that the
    property below relies on finds the numbers in site/ (pages, search index, Word files, attachments,
    URLs, the feed). Without this, a search that finds nothing would prove nothing."""
    numbers = [("850312–1234", "8503121234"), ("19990101 - 9999", "9901019999"), ("010203\u00a01111", "0102031111")]
    assert all(classify_number(PNR.search(t)) is None for t, _ in numbers)
    root = _prepare(mini_built, tmp_path, numbers, "-", "kontroll")
    proc = run_cli(root, "build")
    assert proc.returncode == 0, proc.stderr
    found = numbers_in(root / "site")
    places = set().union(*(found.get(ten, set()) for _, ten in numbers))
    assert {ten for _, ten in numbers} <= set(found)
    assert {"word", "pagefind", "bilagor", "andringar.xml", "andringar", "begrepp", "rutiner"} <= places, places


@pytest.mark.langsam
@settings(max_examples=3, deadline=None, phases=[Phase.explicit, Phase.generate],   # a build per example: no shrinking
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=handbook_numbers())
def test_generated_numbers_never_reach_site_or_word_files(mini_built, tmp_path_factory, data):
    numbers, ascii_sep = data
    tmp = tmp_path_factory.mktemp("pnr")
    root = _prepare(mini_built, tmp, numbers, ascii_sep, "handbok")
    before = tree_digest(root / "site")
    proc = run_cli(root, "build")
    assert proc.returncode == 1, proc.stderr
    assert tree_digest(root / "site") == before
    assert not set(numbers_in(root / "site")) & {ten for _, ten in numbers}
    for where in ("docs/rutiner/avvikelser.md:", "data/begrepp.yml:", "docs/bilagor/lista.csv:",
                  "docs/bilagor/brev.docx:", "docs/bilagor/lista.xlsx:", "docs/bilagor/intyg.pdf:",
                  f"docs/bilagor/intyg-{numbers[0][1]}.md:", "commit "):
        assert where in proc.stderr, f"{where} saknas i\n{proc.stderr}"
    # The messages mask the numbers (the file name is the one place a reader of the message sees one).
    messages = proc.stderr.replace(f"intyg-{numbers[0][1]}", "intyg-…")
    assert not [m for m in PNR.finditer(messages) if number_key(m) in {ten for _, ten in numbers}], messages


def _git(root: Path, *args: str, env: dict | None = None) -> str:
    import os
    base = {"GIT_AUTHOR_NAME": "Anna Berg", "GIT_AUTHOR_EMAIL": "a@alvstad.example",
            "GIT_COMMITTER_NAME": "Anna Berg", "GIT_COMMITTER_EMAIL": "a@alvstad.example"}
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, text=True,
                          env={**os.environ, **base, **(env or {})}).stdout.strip()


def test_a_commit_message_with_a_personnummer_is_refused_naming_the_commit(mini):
    _git(mini, "init", "-q", "-b", "main")
    _git(mini, "add", "-A")
    _git(mini, "commit", "-q", "-m", "Rättade enligt samtal med 850312–1231")
    short = _git(mini, "rev-parse", "--short", "HEAD")
    proc = run_cli(mini, "check")
    assert proc.returncode == 1
    [line] = [line for line in proc.stderr.splitlines() if line.startswith(f"commit {short}: fel:")]
    assert '"Rättade enligt samtal med 85MMDD-XXXX"' in line and "1231" not in line
    assert "git commit --amend" in line and "rebase -i" in line
    build = run_cli(mini, "build")
    assert build.returncode == 1 and not (mini / "site").exists()
    # A kommun that shows readers only the date and kind of change publishes no commit message.
    kommun = mini / "data" / "kommun.yml"
    original = kommun.read_text(encoding="utf-8")
    kommun.write_text(original + "historik_for_lasare: andringstyp\n", encoding="utf-8")
    assert run_cli(mini, "check").returncode == 0
    kommun.write_text(original, encoding="utf-8")
    _git(mini, "commit", "-q", "--amend", "-m", "Rättade enligt samtal med brukaren")
    assert run_cli(mini, "check").returncode == 0


def test_an_allowed_number_is_listed_as_allowed_with_its_reason(mini):
    page = mini / "docs" / "rutiner" / "avvikelser.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nFakturanummer 850312-1231 hos leverantören.\n",
                    encoding="utf-8")
    assert run_cli(mini, "check").returncode == 1
    (mini / "data" / "tillatna-nummer.yml").write_text(
        "# - nummer: 850312-1231\n#   skal: Varför numret får publiceras.\n"
        "- nummer: 8503121231\n  skal: Fakturanummer hos Älvstads städleverantör\n", encoding="utf-8")
    proc = run_cli(mini, "check")
    assert proc.returncode == 0, proc.stderr
    assert "docs/rutiner/avvikelser.md:" in proc.stderr and "tillåtet" in proc.stderr
    assert "Fakturanummer hos Älvstads städleverantör" in proc.stderr


def test_an_attachment_that_cannot_be_read_is_named_not_passed_over(mini):
    """A Word file that is no Word file (an old .doc renamed, a broken download) cannot be searched
    for personnummer: check says so, naming it, instead of passing it over in silence."""
    (mini / "docs" / "bilagor").mkdir()
    (mini / "docs" / "bilagor" / "blankett.docx").write_bytes(b"PK\x03\x04 inte en hel Word-fil")
    proc = run_cli(mini, "check")
    assert proc.returncode == 0, proc.stderr
    assert ("docs/bilagor/blankett.docx: varning: Filen kunde inte öppnas som docx-fil, så den kunde inte "
            "kontrolleras för personnummer.") in proc.stderr
