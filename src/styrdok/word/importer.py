"""`styrdok import`: an existing Word styrdokument becomes a Markdown page with front matter.

The metadata header table becomes front matter; headings, lists and tables become Markdown
(pandoc); whatever cannot be mapped is reported, never dropped silently.
"""
from __future__ import annotations

import datetime as dt
import re
import subprocess
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

import pypandoc
from docx import Document
from docx.oxml.ns import qn

from ..sensitive import scan_text
from .export import ExportError

# Labels real documents use, beside the kommun's own (data/kommun.yml falt).
LABEL_SYNONYMS = {
    "typ": ["typ av styrdokument", "dokumenttyp", "typ av dokument"],
    "beslutad_av": ["beslutad av", "antagen av", "fastställd av", "beslutsinstans"],
    "diarienummer": ["diarienummer", "dnr", "diarienr"],
    "galler_fran": ["gäller från", "gäller fr o m", "gäller fr.o.m.", "gäller from", "giltig från", "antagen"],
    "dokumentansvarig": ["dokumentansvarig", "ansvarig", "dokumentägare"],
    "senast_reviderad": ["senast reviderad", "reviderad", "senast ändrad"],
    "nasta_revidering": ["nästa revidering", "tidpunkt för aktualitetsprövning", "giltighetstid", "revideras senast"],
    "galler_for": ["gäller för", "omfattning"],
    "ersatter": ["ersätter"],
    "relaterade": ["relaterade styrdokument", "relaterade dokument"],
}
DATE_KEYS = {"galler_fran", "senast_reviderad", "nasta_revidering"}


@dataclass
class ImportResult:
    front_matter: dict
    markdown: str
    unmapped: list[str] = field(default_factory=list)


def _norm(label: str) -> str:
    return re.sub(r"[\s:]+", " ", label.strip().lower()).strip()


def _label_map(field_labels: Mapping[str, str]) -> dict[str, str]:
    out = {}
    for key, synonyms in LABEL_SYNONYMS.items():
        for s in synonyms:
            out[_norm(s)] = key
    for key, label in field_labels.items():
        out[_norm(label)] = key
    return out


def _header_table(doc) -> tuple[int | None, list[tuple[str, str]]]:
    """The first table whose left column holds metadata labels (or the label/value pairs stacked)."""
    labels = _label_map({})
    for index, table in enumerate(doc.tables):
        pairs = []
        for row in table.rows:
            cells = [c.text.strip() for c in row.cells]
            unique = list(dict.fromkeys(cells))
            if len(unique) >= 2:
                pairs.append((unique[0], " ".join(unique[1:])))
            elif len(unique) == 1 and "\n" in unique[0]:
                label, _, value = unique[0].partition("\n")
                pairs.append((label, value))
        if pairs and sum(_norm(k) in labels for k, _ in pairs) >= 2:
            return index, pairs
    return None, []


def import_docx(path: Path, field_labels: Mapping[str, str]) -> ImportResult:
    if not path.is_file():
        raise ExportError(f"Filen {path} finns inte.")
    if not zipfile.is_zipfile(path):
        raise ExportError(f"{path} är inte en Word-fil (.docx). Spara dokumentet som .docx i Word och försök igen.")
    try:
        doc = Document(str(path))
    except Exception as exc:
        raise ExportError(f"{path} kunde inte läsas som Word-dokument ({exc}). Spara om det som .docx i Word.")
    unmapped: list[str] = []
    labels = _label_map(field_labels)
    front: dict = {}
    table_index, pairs = _header_table(doc)
    for label, value in pairs:
        key = labels.get(_norm(label))
        if key is None:
            unmapped.append(f"Uppgiften '{label}: {value}' i dokumenthuvudet har ingen motsvarighet i front matter; "
                            "för in den i texten eller lägg till etiketten i data/kommun.yml.")
            continue
        if key in DATE_KEYS:
            m = re.search(r"\d{4}-\d{2}-\d{2}", value)
            if not m:
                unmapped.append(f"'{label}' har inget datum ('{value}'). Fyll i datumet i front matter.")
                continue
            front[key] = dt.date.fromisoformat(m.group(0))
        elif key == "beslutad_av":
            front[key] = [v.strip() for v in re.split(r",|\boch\b|\n", value) if v.strip()]
            unmapped.append(f"'{label}' ({value}) står som text: byt till id för nämnd eller roll "
                            "(se data/kommun.yml och data/roller.yml).")
        elif key == "dokumentansvarig":
            front[key] = value
            unmapped.append(f"Dokumentansvarig '{value}' är en person eller titel: byt till en roll-id ur data/roller.yml "
                            "(handboken anger roller, inte namn).")
        else:
            front[key] = value
    xml = "".join(part.blob.decode("utf-8", "replace") for part in doc.part.package.parts
                  if part.partname.endswith(".xml"))
    if "<w:ins " in xml or "<w:del " in xml:
        unmapped.append("Dokumentet innehåller spårade ändringar. De har tagits med som de ser ut efter godkännande; "
                        "kontrollera texten.")
    if doc.part.package.parts and any("comments" in p.partname for p in doc.part.package.parts):
        if re.search(r"<w:comment ", xml):
            unmapped.append("Dokumentet innehåller kommentarer. De följer inte med; läs dem i Word innan du tar bort originalet.")
    n_images = len(doc.inline_shapes)
    if n_images:
        unmapped.append(f"Dokumentet innehåller {n_images} bild(er). Spara dem under docs/ och infoga dem med "
                        "![beskrivning](fil.png); de följer inte med automatiskt.")
    with tempfile.TemporaryDirectory() as tmp:
        proc = subprocess.run([pypandoc.get_pandoc_path(), str(path), "-f", "docx", "-t",
                               "markdown-raw_html-native_divs-native_spans-bracketed_spans-simple_tables-multiline_tables-grid_tables+pipe_tables",
                               "--wrap=none", "--track-changes=accept", f"--extract-media={tmp}"],
                              capture_output=True, text=True)
    if proc.returncode != 0:
        raise ExportError(f"{path} kunde inte omvandlas till Markdown: {proc.stderr.strip()}")
    markdown = proc.stdout
    if table_index == 0:
        # the metadata table is the first table of the Markdown: it is front matter now
        markdown = _drop_first_table(markdown)
    markdown = re.sub(r"!\[[^\]]*\]\([^)]*\)(\{[^}]*\})?", "", markdown)
    for finding in scan_text(markdown):
        unmapped.append(f"Rad {finding.line} i den importerade texten: {finding.message}")
    title = next((p.text.strip() for p in doc.paragraphs if p.style.name in ("Title", "Rubrik") and p.text.strip()),
                 None)
    if title is None:
        m = re.search(r"^# (.+)$", markdown, re.M)
        title = m.group(1).strip() if m else path.stem
        markdown = re.sub(r"^# .+\n", "", markdown, count=1, flags=re.M)
    front = {"titel": title, **front}
    return ImportResult(front, markdown.strip() + "\n", unmapped)


def _drop_first_table(markdown: str) -> str:
    lines = markdown.splitlines(keepends=True)
    for i, line in enumerate(lines):
        if line.startswith("|"):
            j = i
            while j < len(lines) and lines[j].startswith("|"):
                j += 1
            return "".join(lines[:i] + lines[j:])
    return markdown
