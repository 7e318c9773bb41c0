"""An existing Word styrdokument back to a Markdown page: front matter, body, and a list of what
could not be carried over. Nothing is dropped silently: every image, comment, tracked change,
unknown metadata row and unfilled Word placeholder is named in `unmapped`, in Swedish.

- the metadata table (the first table whose left column holds at least two known labels) becomes
  front matter, through the kommun's labels (field_labels: key -> label) and common synonyms
  ("Gäller fr o m" -> galler_fran); dates become datetime.date;
- the title (style Title/Rubrik) becomes `titel`; a subtitle equal to the document type is dropped;
- the body becomes Markdown the site reads (pandoc docx -> Markdown with pipe tables, ATX
  headings; the top heading level becomes `##`, as the handbook's pages have it); framed boxes
  written by styrdok become admonitions again;
- the revision history table is reported, not imported (the handbook's history comes from git).
"""
from __future__ import annotations

import datetime as dt
import io
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

from ..render.tables import grouped_table_html
from ..scan import INLINE_CODE, fenced
from .templates import BOX_FRAME_SUFFIX, BOXES, ExportError
from .wordhtml import BOX_END, BOX_START

SYNONYMS = {
    "typ": ["typ av styrdokument", "dokumenttyp", "typ av dokument", "dokumentslag", "typ"],
    "beslutad_av": ["beslutad av", "antagen av", "fastställd av", "beslutsinstans", "beslutande"],
    "diarienummer": ["diarienummer", "dnr", "diarienr", "diarie nr"],
    "galler_fran": ["gäller från", "gäller fr o m", "gäller from", "giltig från", "gäller från och med",
                    "giltig fr o m", "beslutsdatum gäller från"],
    "dokumentansvarig": ["dokumentansvarig", "dokumentägare", "ansvarig för dokumentet", "ansvarig"],
    "senast_reviderad": ["senast reviderad", "reviderad", "senast ändrad", "senaste revidering"],
    "nasta_revidering": ["nästa revidering", "revideras senast", "tidpunkt för aktualitetsprövning",
                         "aktualitetsprövas", "giltig till", "gäller till"],
    "galler_for": ["gäller för", "omfattning", "målgrupp"],
    "ersatter": ["ersätter"],
    "relaterade": ["relaterade styrdokument", "relaterade dokument"],
    "lagrum": ["lagrum", "lagstöd", "lagstiftning"],
    "version": ["version", "versionsnummer", "version nr"],
    "giltighet": ["giltighet", "giltighetstid", "giltig till och med", "gäller till och med"],
    "revideras": ["revideras", "revidering", "revideringsintervall"],
    "foljs_upp": ["följs upp", "uppföljning"],
    "upprattad": ["upprättad", "upprättad av", "upprättad (och datum)", "upprättad (datum och av vem)",
                  "framtagen av", "utfärdad av"],
    "beslutad": ["beslutad", "beslutad (datum och av vem)", "fastställd", "fastställd/datum", "antagen",
                 "beslutsdatum"],
    "process": ["process", "huvudprocess"],
}
DATE_KEYS = {"galler_fran", "senast_reviderad", "nasta_revidering"}
PLACEHOLDER = re.compile(
    r"klicka (?:eller tryck )?(?:här )?för att (?:ange|skriva|välja)[^.\n]*\.?"
    r"|click (?:or tap )?here to enter [^.\n]*\.?|choose an item\.?|välj ett objekt\.?"
    r"|\[(?:skriv|ange|fyll i)[^\]]*\]", re.I)
MONTHS = {m: i for i, m in enumerate(["januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti",
                                      "september", "oktober", "november", "december"], start=1)}
BOX_KINDS = {"Faktaruta": "note", "Varningsruta": "warning", "Tipsruta": "tip"}
MD_FORMAT = ("markdown-raw_html-native_divs-native_spans-bracketed_spans-fenced_divs-header_attributes"
             "-link_attributes-inline_code_attributes-fenced_code_attributes-simple_tables-multiline_tables"
             "-grid_tables-smart-subscript-superscript-strikeout-citations-tex_math_dollars-escaped_line_breaks"
             "-raw_attribute-example_lists-fancy_lists+pipe_tables")
# What a backslash escapes in Python-Markdown (plus | in tables); pandoc's other escapes are undone.
SITE_ESCAPABLE = set("\\`*_{}[]()>#+-.!|")


@dataclass
class ImportResult:
    front_matter: dict
    markdown: str
    unmapped: list[str] = field(default_factory=list)


def _norm(label: str) -> str:
    label = label.strip().lower().rstrip(":").replace(".", " ")
    return re.sub(r"\s+", " ", label).strip()


def _labels(field_labels: Mapping[str, str]) -> dict[str, str]:
    out = {_norm(s): key for key, synonyms in SYNONYMS.items() for s in synonyms}
    out.update({_norm(label): key.split("#")[0] for key, label in field_labels.items()})
    return out


def parse_date(text: str) -> dt.date | None:
    """2025-02-01, 2025-2-1, 1 februari 2025 or 1/2 2025 (Swedish order)."""
    text = text.strip().lower()
    m = re.search(r"(\d{4})-(\d{1,2})-(\d{1,2})", text)
    try:
        if m:
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        m = re.search(r"(\d{1,2})\s+([a-zåäö]+)\s+(\d{4})", text)
        if m and m.group(2) in MONTHS:
            return dt.date(int(m.group(3)), MONTHS[m.group(2)], int(m.group(1)))
        m = re.search(r"(\d{1,2})/(\d{1,2})\s+(\d{4})", text)
        if m:
            return dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
    except ValueError:
        return None
    return None


def _open(path: Path):
    path = Path(path)
    if not path.is_file():
        raise ExportError(f"Filen {path} finns inte.")
    data = path.read_bytes()
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise ExportError(f"{path} är ett äldre Word-format (.doc). Öppna filen i Word, spara den som "
                          "Word-dokument (.docx) och importera den filen.")
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise ExportError(f"{path} är inte en Word-fil (.docx). Importen tar bara Word-dokument; spara filen som "
                          ".docx i Word och försök igen.")
    try:
        return Document(io.BytesIO(data)), data
    except Exception as exc:
        raise ExportError(f"{path} kunde inte läsas som Word-dokument ({exc.__class__.__name__}): filen är skadad "
                          "eller ingen .docx. Öppna den i Word och spara om den som .docx.") from None


def _row_pairs(table) -> list[tuple[str, str]]:
    pairs = []
    for row in table.rows:
        cells = []
        for cell in row.cells:          # merged cells repeat: keep each once
            text = cell.text.strip()
            if not cells or cells[-1] != text:
                cells.append(text)
        if len(cells) >= 2:
            pairs.append((cells[0], " ".join(c for c in cells[1:] if c)))
        elif len(cells) == 1 and "\n" in cells[0]:
            label, _, value = cells[0].partition("\n")
            pairs.append((label, value.strip()))
    return pairs


def _metadata_table(doc, labels: dict[str, str]):
    for table in doc.tables:
        pairs = _row_pairs(table)
        if sum(_norm(k) in labels for k, _ in pairs) >= 2:
            return table, pairs
    return None, []


def _is_history(table) -> bool:
    first = [c.text.strip().lower() for c in table.rows[0].cells] if table.rows else []
    return first[:1] == ["datum"] and any(c in ("vem", "vad", "ändring", "beskrivning") for c in first)


def _text(el) -> str:
    return "".join(t.text or "" for t in el.iter(qn("w:t")))


def _remove(el) -> None:
    el.getparent().remove(el)


def _paragraph_for(doc, text: str):
    p = doc.add_paragraph(text)
    el = p._p
    _remove(el)
    return el


def _unwrap_boxes(doc) -> int:
    """styrdok's framed boxes (one-cell tables) back to their paragraphs, between markers."""
    frame_names = {name + BOX_FRAME_SUFFIX: name for name in BOXES}
    count = 0
    for table in list(doc.tables):
        style = table.style.name if table.style is not None else ""
        kind = frame_names.get(style)
        if kind is None and len(table.rows) == 1 and len(table.columns) == 1:
            styles = {p.style.name for p in table.rows[0].cells[0].paragraphs if p.style is not None}
            kind = next((s for s in styles if s in BOXES), None)
        if kind is None:
            continue
        tbl = table._tbl
        cell = tbl.find(".//" + qn("w:tc"))
        tbl.addprevious(_paragraph_for(doc, BOX_START + kind))
        for el in list(cell):
            if el.tag != qn("w:tcPr"):
                tbl.addprevious(el)
        tbl.addprevious(_paragraph_for(doc, BOX_END))
        _remove(tbl)
        count += 1
    return count


def _boxes_to_admonitions(markdown: str) -> str:
    lines = markdown.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i].strip()
        if not line.startswith(BOX_START):
            if line != BOX_END:
                out.append(lines[i])
            i += 1
            continue
        kind = BOX_KINDS.get(line[len(BOX_START):], "note")
        j = i + 1
        while j < len(lines) and lines[j].strip() != BOX_END:
            j += 1
        body = lines[i + 1:j]
        while body and not body[0].strip():
            body.pop(0)
        while body and not body[-1].strip():
            body.pop()
        title = ""
        if body and re.fullmatch(r"\*\*[^*]+\*\*", body[0].strip()):
            title = body.pop(0).strip()[2:-2].replace('"', "'")
            while body and not body[0].strip():
                body.pop(0)
        out.append(f'!!! {kind} "{title}"' if title else f"!!! {kind}")
        out.extend("    " + b if b.strip() else "" for b in body)
        out.append("")
        i = j + 1
    return "\n".join(out)


GROUPED_LINE = "STYRDOK-GRUPPERAD-TABELL"


def map_text_lines(lines: list[str], fn) -> list[str]:
    """fn(text) on every line outside fenced code (styrdok.scan), inline code spans left as they are."""
    out = []
    for line, code in zip(lines, fenced(lines)):
        if code:
            out.append(line)
            continue
        pieces = [m.group(0) for m in INLINE_CODE.finditer(line)]
        text = INLINE_CODE.sub("\x00", line).split("\x00")
        out.append("".join(fn(t) + (pieces[i] if i < len(pieces) else "") for i, t in enumerate(text)))
    return out


def _grouped_html(tbl) -> str:
    """A Word table with vertically merged cells as the handbook's grouped table (HTML, rowspan)."""
    rows = []
    for tr in tbl.findall(qn("w:tr")):
        row = []
        for tc in tr.findall(qn("w:tc")):
            merge = tc.find(qn("w:tcPr") + "/" + qn("w:vMerge"))
            span = tc.find(qn("w:tcPr") + "/" + qn("w:gridSpan"))
            text = " ".join("".join(t.text or "" for t in p.iter(qn("w:t"))) for p in tc.findall(qn("w:p"))).strip()
            value = None if merge is not None and merge.get(qn("w:val"), "continue") == "continue" else text
            row += [value] * int(span.get(qn("w:val")) if span is not None else 1)
        rows.append(row)
    width = max(len(r) for r in rows)
    rows = [r + [""] * (width - len(r)) for r in rows]
    return str(grouped_table_html([h or "" for h in rows[0]], rows[1:]))


def _site_escapes(line: str) -> str:
    """pandoc's backslash escapes as Python-Markdown reads them: \\< would show the backslash, so a
    literal < becomes &lt; (never a tag on the site); escapes the site does not know are dropped."""
    def fix(m: re.Match) -> str:
        char = m.group(1)
        if char == "<":
            return "&lt;"
        return m.group(0) if char in SITE_ESCAPABLE else char
    return re.sub(r"\\([^\w\s])", fix, line)


def _title_heading(markdown: str) -> tuple[str | None, str]:
    """(title, body without it) when the document's one heading on level 1 is its first heading: the
    title written as a heading, not as Rubrik/Title. It is the page's title, not a section of it."""
    lines = markdown.split("\n")
    headings = [(i, line) for (i, line), code in zip(enumerate(lines), fenced(lines))
                if not code and re.match(r"^#{1,6} ", line)]
    top = [(i, line) for i, line in headings if line.startswith("# ")]
    if len(top) != 1 or headings[0] != top[0]:
        return None, markdown
    i, line = top[0]
    return line[2:].strip(), "\n".join(lines[:i] + lines[i + 1:])


def _shift_headings(markdown: str) -> str:
    if not re.search(r"^# ", markdown, re.M):
        return markdown
    out, lines = [], markdown.split("\n")
    for line, code in zip(lines, fenced(lines)):
        if not code and re.match(r"^#{1,5} ", line):
            line = "#" + line
        out.append(line)
    return "\n".join(out)


def import_docx(path: Path, field_labels: Mapping[str, str]) -> ImportResult:
    """Read a Word styrdokument; ExportError (Swedish) if it is not a readable .docx."""
    doc, data = _open(path)
    labels = _labels(field_labels)
    unmapped: list[str] = []
    front: dict = {}

    # title and subtitle
    title_p = next((p for p in doc.paragraphs if p.style is not None and p.style.name in ("Title", "Rubrik", "Titel")
                    and p.text.strip()), None)
    subtitle_p = next((p for p in doc.paragraphs if p.style is not None and p.style.name in ("Subtitle", "Underrubrik")
                       and p.text.strip()), None)

    # metadata header
    table, pairs = _metadata_table(doc, labels)
    for label, value in pairs:
        key = labels.get(_norm(label))
        if key is None:
            unmapped.append(f"Uppgiften '{label}: {value}' i dokumenthuvudet har ingen motsvarighet i handbokens "
                            "front matter. För in den i texten, eller lägg till etiketten i data/kommun.yml (falt).")
            continue
        if not value or PLACEHOLDER.search(value):
            unmapped.append(f"'{label}' i dokumenthuvudet är inte ifylld ('{value}'). Fyll i '{key}' i "
                            "front matter.")
            continue
        if key in DATE_KEYS:
            date = parse_date(value)
            if date is None:
                unmapped.append(f"'{label}' i dokumenthuvudet är inget datum ('{value}'). Skriv datumet som "
                                "ÅÅÅÅ-MM-DD i front matter.")
                continue
            front[key] = date
        else:
            front[key] = value
    if table is None:
        unmapped.append("Dokumentet har ingen tabell med metadata (t.ex. 'Beslutad av', 'Gäller från'). Fyll i "
                        "front matter för hand.")
    if subtitle_p is not None:
        text = subtitle_p.text.strip()
        if "typ" not in front:
            front["typ"] = text
        elif _norm(text) != _norm(str(front["typ"])):
            unmapped.append(f"Undertiteln '{text}' följde inte med. För in den i texten om den behövs.")

    # what the body cannot carry
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        document_xml = archive.read("word/document.xml").decode("utf-8", "replace")
        comments_xml = archive.read("word/comments.xml").decode("utf-8", "replace") \
            if "word/comments.xml" in archive.namelist() else ""
    changes = len(re.findall(r"<w:(?:ins|del) ", document_xml))
    if changes:
        unmapped.append(f"Dokumentet har {changes} spårade ändringar. De har godtagits i den importerade texten; "
                        "jämför med originalet innan du tar bort det.")
    comments = re.findall(r"<w:comment\b[^>]*>(.*?)</w:comment>", comments_xml, re.S)
    for n, body in enumerate(comments, start=1):
        text = re.sub(r"\s+", " ", " ".join(re.findall(r"<w:t[^>]*>([^<]*)</w:t>", body))).strip()
        unmapped.append(f"Kommentar {n} i Word följde inte med: \"{text}\". Hantera den innan du tar bort originalet.")
    for shape in doc.inline_shapes:
        descr = shape._inline.docPr.get("descr") or shape._inline.docPr.get("name") or "utan beskrivning"
        unmapped.append(f"En bild ({descr}) följde inte med. Spara den under docs/ och infoga den med "
                        "![beskrivning](fil.png).")
    anchored = len(re.findall(r"<wp:anchor\b", document_xml))
    if anchored:
        unmapped.append(f"{anchored} flytande bild(er) eller textrutor följde inte med. "
                        "Lägg in innehållet för hand.")

    # strip what became front matter (or is reported) before pandoc reads the body
    body = doc.element.body
    for p in (title_p, subtitle_p):
        if p is not None:
            _remove(p._p)
    if table is not None:
        _remove(table._tbl)
    for t in list(doc.tables):
        if _is_history(t):
            rows = len(t.rows) - 1
            prev = t._tbl.getprevious()
            if prev is not None and prev.tag == qn("w:p") and _text(prev).strip() == "Revisionshistorik":
                _remove(prev)
            _remove(t._tbl)
            unmapped.append(f"Revisionshistoriken ({rows} rader) följde inte med: i handboken kommer historiken "
                            "från git. Spara den gamla historiken i ärendet om den behövs.")
    for p in list(doc.paragraphs):
        style = p.style.name if p.style is not None else ""
        if style in ("TOC Heading", "Notering") or style.lower().startswith("toc "):
            _remove(p._p)
    # a TOC field's paragraph: instrText holds the instruction
    for instr in list(body.iter(qn("w:instrText"))):
        if (instr.text or "").strip().startswith("TOC"):
            p = next((a for a in instr.iterancestors(qn("w:p"))), None)
            if p is not None and p.getparent() is not None:
                _remove(p)
    boxes = _unwrap_boxes(doc)
    grouped = {}                    # merged cells: the table becomes render.tables.grouped_table_html
    for t in list(doc.tables):
        if t._tbl.find(".//" + qn("w:vMerge")) is not None:
            marker = f"{GROUPED_LINE}-{len(grouped) + 1}"
            grouped[marker] = _grouped_html(t._tbl)
            t._tbl.addprevious(_paragraph_for(doc, marker))
            _remove(t._tbl)

    with tempfile.TemporaryDirectory(prefix="styrdok-import-") as tmp:
        stripped = Path(tmp) / "in.docx"
        doc.save(str(stripped))
        proc = subprocess.run([pypandoc.get_pandoc_path(), str(stripped), "-f", "docx", "-t", MD_FORMAT,
                               "--wrap=none", "--markdown-headings=atx", "--track-changes=accept"],
                              capture_output=True)
    if proc.returncode != 0:
        raise ExportError(f"{path} kunde inte omvandlas till Markdown: "
                          + proc.stderr.decode("utf-8", "replace").strip())
    markdown = proc.stdout.decode("utf-8")
    markdown = re.sub(r"!\[[^\]]*\]\([^)]*\)(\{[^}]*\})?", "", markdown)
    markdown = "\n".join(map_text_lines(markdown.split("\n"), _site_escapes))
    if boxes:
        markdown = _boxes_to_admonitions(markdown)
    markdown = re.sub(rf"^{GROUPED_LINE}-\d+$", lambda m: grouped.get(m.group(0), m.group(0)).strip() + "\n",
                      markdown, flags=re.M)
    title = title_p.text.strip() if title_p is not None else None
    if title is None:
        title, markdown = _title_heading(markdown)
    markdown = _shift_headings(markdown)
    if "[TABLE]" in markdown or re.search(r"^\s*<table", markdown, re.M | re.I):
        unmapped.append("En tabell med sammanslagna celler kunde inte bli en Markdown-tabell. Skriv om den för hand.")
    for n, line in enumerate(markdown.split("\n"), start=1):
        for m in PLACEHOLDER.finditer(line):
            unmapped.append(f"Rad {n} i texten har ett ifyllnadsfält från en Word-mall som inte är ifyllt: "
                            f"'{m.group(0)}'. Skriv in texten eller ta bort raden.")
    if title_p is None:
        if title is None:
            m = re.search(r"^#{1,2} (.+)$", markdown, re.M)
            title = m.group(1).strip() if m else Path(path).stem
        unmapped.append(f"Dokumentet har ingen rubrik i formatmallen Rubrik/Title; titeln blev '{title}'. "
                        "Kontrollera den.")
    front = {"titel": title, **front}
    markdown = re.sub(r"\n{3,}", "\n\n", markdown).strip() + "\n"
    return ImportResult(front, markdown, unmapped)
