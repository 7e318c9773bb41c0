"""A corpus shaped like a kommun's policy pages, independent of bench/generate.py (issue 19).

N Swedish-looking styrdokument of 600–1,500 words each, every one with a table, headings, a
list and a few links to other pages, in nested folders (förvaltning / avdelning / enhet), on
top of the test fixture's small data (tests/fixtures/mini/data) and the repository's site layer.
Beside it, `<out>-plain/`: the same Markdown with only `title` in the front matter and a mkdocs.yml
with mkdocs-material's defaults (what a kommun gets from the plain theme).

    .venv/bin/python bench/generate_kommun.py --docs 500 --out /tmp/kommun-500

Deterministic: the same arguments give the same files. The text is random words from a small
social-services vocabulary written for this generator: no sentences from real documents.
"""
from __future__ import annotations

import argparse
import random
import shutil
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
MINI = REPO / "tests" / "fixtures" / "mini"
LAYER = ("mkdocs.yml", "overrides", "macros", "templates")

FORVALTNINGAR = ["socialforvaltningen", "omsorgsforvaltningen", "arbetsmarknad"]
AVDELNINGAR = ["individ-och-familj", "funktionsstod", "aldreomsorg", "stod-och-behandling", "myndighet"]
ENHETER = ["hemtjanst-norr", "hemtjanst-soder", "boende-ekbacken", "boende-lonnen", "daglig-verksamhet",
           "barn-och-unga", "vuxen", "mottagning", "familjeratt", "korttid"]
AMNEN = ["avvikelser", "läkemedel", "dokumentation", "sekretess", "hot och våld", "brand", "nyckelhantering",
         "introduktion", "delegering", "klagomål", "samverkan", "egenkontroll", "trygghetslarm", "kost",
         "hygien", "tvångsåtgärder", "orosanmälan", "genomförandeplan", "kontaktperson", "rapportering"]
ORD = ("socialtjänsten enheten verksamheten medarbetaren enhetschefen den enskilde brukaren vårdnadshavaren "
       "handläggaren beslutet insatsen ärendet journalen rutinen riktlinjen uppföljningen kvaliteten "
       "risken åtgärden avvikelsen anmälan nämnden förvaltningen samordnaren planen dokumentet underlaget "
       "ska bör kan behöver dokumenterar rapporterar följer upp informerar ansvarar säkerställer "
       "bedömer beslutar granskar meddelar samråder utreder planerar genomför utvärderar "
       "skyndsamt regelbundet alltid vid behov enligt gällande lagstiftning inom verksamheten "
       "tillsammans med i samband med efter varje under året senast och eller samt för att med "
       "utan hos till från om när där som det detta dessa också därefter").split()
KOLUMNER = [("Moment", "Ansvarig", "När"), ("Steg", "Vem", "Dokumenteras i"), ("Risk", "Åtgärd", "Uppföljning")]


def sentence(rng: random.Random) -> str:
    words = [rng.choice(ORD) for _ in range(rng.randint(8, 18))]
    return words[0].capitalize() + " " + " ".join(words[1:]) + "."


def paragraph(rng: random.Random) -> str:
    return " ".join(sentence(rng) for _ in range(rng.randint(3, 6)))


def body(rng: random.Random, links: list[str]) -> str:
    target = rng.randint(450, 1250)
    parts, words = [], 0
    heads = ["Syfte", "Bakgrund", "Ansvar", "Så här gör du", "Dokumentation", "Uppföljning", "Avvikelser",
             "Samverkan", "Information", "Särskilda situationer"]
    table_at = rng.randint(1, 3)
    n = 0
    while words < target:
        head = heads[n % len(heads)] + ("" if n < len(heads) else f" {n // len(heads) + 1}")
        parts.append(f"## {head}\n")
        text = paragraph(rng)
        parts.append(text + "\n")
        words += len(text.split())
        if n == table_at:
            cols = rng.choice(KOLUMNER)
            rows = [f"| {' | '.join(cols)} |", "|---|---|---|"]
            for _ in range(rng.randint(4, 9)):
                rows.append("| " + " | ".join(" ".join(rng.choice(ORD) for _ in range(rng.randint(2, 5)))
                                              for _ in cols) + " |")
            parts.append("\n".join(rows) + "\n")
            words += 3 * 6
        if n % 3 == 2:
            items = [f"- {sentence(rng)}" for _ in range(rng.randint(3, 6))]
            parts.append("\n".join(items) + "\n")
            words += 12 * len(items)
        if links and n % 4 == 1:
            title, rel = rng.choice(links)
            parts.append(f"Läs också [{title}]({rel}).\n")
        n += 1
    return "\n".join(parts)


def copy_layer(out: Path) -> None:
    """The repository's site layer (config, overrides and hooks, macros, templates), as it is now."""
    for name in LAYER:
        src, dest = REPO / name, out / name
        if dest.is_dir():
            shutil.rmtree(dest)
        (shutil.copytree if src.is_dir() else shutil.copy2)(src, dest)


def generate(n: int, out: Path, seed: int = 1) -> list[Path]:
    """Write the corpus into out (data, docs, site layer) and out-plain; returns the generated pages."""
    rng = random.Random(seed)
    plain_root = plain_dir(out)
    for folder in (out, plain_root):
        if folder.exists():
            shutil.rmtree(folder)
    shutil.copytree(MINI, out)
    copy_layer(out)
    shutil.copy2(REPO / "docs" / "assets" / "styrdok.css", out / "docs" / "assets" / "styrdok.css")
    places = []
    for i in range(n):
        forv = FORVALTNINGAR[i % len(FORVALTNINGAR)]
        avd = AVDELNINGAR[(i // 3) % len(AVDELNINGAR)]
        enh = ENHETER[(i // 15) % len(ENHETER)]
        amne = AMNEN[i % len(AMNEN)]
        typ = "riktlinje" if i % 7 == 0 else "rutin"
        slug = f"{typ}-{amne.replace(' ', '-').replace('å', 'a').replace('ä', 'a').replace('ö', 'o')}-{i:04d}"
        folder = Path("kommun") / forv / avd / (enh if typ == "rutin" else "")
        places.append((typ, amne, folder / f"{slug}.md"))
    pages = []
    plain_docs = plain_root / "docs"
    for i, (typ, amne, rel) in enumerate(places):
        title = f"{'Riktlinje' if typ == 'riktlinje' else 'Rutin'} för {amne} ({i + 1})"
        others = [places[rng.randrange(n)] for _ in range(3)]
        links = [(f"{o[1]}", _relative(rel, o[2])) for o in others if o[2] != rel]
        text = body(rng, links)
        if typ == "riktlinje":
            front = (f"titel: {title}\ntyp: riktlinje\nbeslutad_av: [socialnamnden]\n"
                     f"diarienummer:\n  socialnamnden: SN 2026/{i + 1}\n")
        else:
            front = f"titel: {title}\ntyp: rutin\nbeslutad_av: socialchef\ndiarienummer: SOF 2026/{i + 1}\n"
        front += "galler_fran: 2026-02-01\ndokumentansvarig: sas\nsenast_reviderad: 2026-06-01\n"
        path = out / "docs" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"---\n{front}---\n\n{text}", encoding="utf-8")
        plain = plain_docs / rel
        plain.parent.mkdir(parents=True, exist_ok=True)
        plain.write_text(f"---\ntitle: {title}\n---\n\n{text}", encoding="utf-8")
        pages.append(path)
    (plain_docs / "index.md").write_text("# Handbok\n\nStyrdokument för socialtjänsten.\n", encoding="utf-8")
    (plain_root / "mkdocs.yml").write_text(
        "site_name: Handbok\ntheme:\n  name: material\n  language: sv\n  font: false\n"
        "markdown_extensions:\n  - tables\n  - toc:\n      permalink: true\n", encoding="utf-8")
    return pages


def plain_dir(out: Path) -> Path:
    """Where the plain mkdocs-material copy of the corpus in out is (outside out: not an input of it)."""
    return out.with_name(out.name + "-plain")


def _relative(src: Path, dest: Path) -> str:
    import posixpath
    return posixpath.relpath(dest.as_posix(), src.parent.as_posix())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, required=True)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    pages = generate(args.docs, args.out, args.seed)
    words = sum(len(p.read_text(encoding="utf-8").split()) for p in pages)
    print(f"{len(pages)} dokument, i snitt {words // max(1, len(pages))} ord, i {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
