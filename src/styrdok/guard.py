"""Nothing that identifies a person reaches a reader: personnummer and samordningsnummer in every
place a reader can see text, beyond the Markdown pages and data files that `check_text` scans.

- attachments and other files under docs/ (.csv, .html, .txt, .svg …; the text inside .docx,
  .xlsx, .pptx, .odt and .pdf files),
- file and folder names (they become URLs),
- commit messages and author names (shown in the history, Nyligen ändrat, the feed and the
  tjänsteskrivelse).

A kommun may allow a number that happens to validate (an invoice number) in
data/tillatna-nummer.yml, with a reason; check lists each use as allowed.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from . import load
from .model import Handbook, Text
from .parts import SCHEMAS
from .problems import Problems
from .sensitive import PNR, find_numbers, number_key, scan_text
from .sources import UTF16_BOMS

ALLOW_FILE = "tillatna-nummer.yml"
OFFICE = {".docx", ".xlsx", ".pptx", ".odt", ".ods", ".odp"}
# Files whose bytes are not text and hold no text a reader sees as such.
OPAQUE = {".png", ".jpg", ".jpeg", ".gif", ".webp", ".ico", ".woff", ".woff2", ".ttf", ".otf", ".eot",
          ".zip", ".gz", ".mp4", ".mp3", ".webm"}
_XML_BREAK = re.compile(r"</(?:w:p|a:p|text:p|text:h|row|c|si|w:tc|table:table-cell)>")
_XML_TAG = re.compile(r"<[^>]+>")


class TillatetNummer(BaseModel):
    """Ett nummer som ser ut som ett personnummer men inte är det (t.ex. ett fakturanummer)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    nummer: Annotated[Text, BeforeValidator(lambda v: str(v) if isinstance(v, int) else v)] = Field(
        description="Numret som det står i texten, inom citattecken, t.ex. '850312-1231'.")
    skal: Text = Field(description="Varför numret får publiceras, t.ex. 'Fakturanummer hos leverantören'.")


SCHEMAS["tillatna-nummer"] = (f"data/{ALLOW_FILE}", list[TillatetNummer])


def _load_allowed(project: load.Project, handbook: Handbook, problems: Problems) -> dict[str, object]:
    records = load.load_list(project, ALLOW_FILE, TillatetNummer, problems, id_attr=None, what="nummer",
                             required=False)
    allowed: dict[str, str] = {}
    for record in records:
        m = PNR.fullmatch(record.nummer.strip())
        if m is None:
            problems.error(f"data/{ALLOW_FILE}", None, f"'{record.nummer}' ser inte ut som ett personnummer. Skriv "
                                                       "numret inom citattecken som det står i texten, t.ex. "
                                                       "'850312-1231'.")
            continue
        allowed[number_key(m)] = record.skal
    return {"tillatna_nummer": allowed}


load.EXTRA_LOADERS.append(_load_allowed)


def allowed_numbers(handbook: Handbook | None) -> dict[str, str]:
    return dict(handbook.extra.get("tillatna_nummer", {})) if handbook else {}


def report_findings(findings, rel: str, problems: Problems, allowed: dict[str, str], *, where: str = "") -> None:
    """Add scan findings as problems; an allowed number is listed as such, not as a fel."""
    for f in findings:
        if f.number and f.number in allowed:
            problems.add(rel, f.line or None, f"Numret {f.number[:2]}MMDD-XXXX{where} är tillåtet i data/{ALLOW_FILE} "
                                              f"({allowed[f.number]}).", severity="tillåtet", column=f.column,
                         code="tillatet-nummer")
            continue
        message = f.message if not where else f.message.replace(" får inte publiceras", f"{where} får inte publiceras")
        problems.add(rel, f.line or None, message, severity=f.severity, column=f.column, code=f.code)


class Unreadable(Exception):
    """A file under docs/ whose text cannot be got at: the message says why, in Swedish; severity is
    "fel" where the build could not copy the file either."""

    def __init__(self, message: str, severity: str = "varning") -> None:
        super().__init__(message)
        self.severity = severity


def attachment_text(path: Path) -> str | None:
    """The text a reader sees in a file under docs/ that is not Markdown, or None if it has none
    (an image, a font). Unreadable when it should have text but it cannot be read."""
    suffix = path.suffix.lower()
    if suffix in OPAQUE:
        return None
    if suffix in OFFICE:
        try:
            with zipfile.ZipFile(path) as z:
                parts = [z.read(n).decode("utf-8", "replace") for n in z.namelist() if n.endswith(".xml")]
        except (zipfile.BadZipFile, OSError, KeyError, RuntimeError):
            raise Unreadable(f"Filen kunde inte öppnas som {suffix[1:]}-fil, så den kunde inte "
                             "kontrolleras för personnummer. Spara om den från sitt program, eller ta bort den.")
        return "\n".join(_XML_TAG.sub("", _XML_BREAK.sub("\n", p)) for p in parts)
    if suffix == ".pdf":
        tool = shutil.which("pdftotext")
        if tool is None:
            raise Unreadable("PDF-filen kunde inte kontrolleras (pdftotext från poppler-utils saknas). "
                             "Installera poppler-utils så att personnummer i bilagor hittas.")
        proc = subprocess.run([tool, "-q", "-enc", "UTF-8", str(path), "-"], capture_output=True)
        if proc.returncode != 0:
            raise Unreadable("PDF-filen kunde inte läsas av pdftotext, så den kunde inte kontrolleras för "
                             "personnummer. Spara om den som PDF, eller ta bort den.")
        return proc.stdout.decode("utf-8", "replace")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise Unreadable(f"Filen kunde inte läsas ({exc.strerror}), så den kunde inte kontrolleras för "
                         "personnummer. Kontrollera att du har behörighet att läsa den.", "fel")
    if data.startswith(UTF16_BOMS):
        return data.decode("utf-16", "replace")
    if b"\0" in data[:8192]:
        return None
    return data.decode("utf-8", "replace")


def check_attachment(path: Path, rel: str, problems: Problems, allowed: dict[str, str]) -> str | None:
    """Personnummer in a file under docs/ that is not Markdown; returns its text (None if it has none)."""
    try:
        text = attachment_text(path)
    except Unreadable as exc:
        problems.add(rel, None, str(exc), severity=exc.severity, code="bilaga-olasbar")
        return None
    if text is None:
        return None
    office = path.suffix.lower() in OFFICE | {".pdf"}
    findings = [f for f in scan_text(text, placeholders=False) if f.number]
    report_findings(findings, rel, problems, allowed, where=" i bilagans text" if office else "")
    return text


def check_name(rel: str, problems: Problems, allowed: dict[str, str]) -> None:
    """A personnummer in a file or folder name: it would be in the page's URL."""
    name = rel.rsplit("/", 1)[-1]
    for m, kind in find_numbers(name):
        if number_key(m) in allowed:
            problems.add(rel, None, f"Numret i filnamnet är tillåtet i data/{ALLOW_FILE} ({allowed[number_key(m)]}).",
                         severity="tillåtet")
            continue
        problems.error(rel, None, f"Namnet innehåller ett {kind} ({m.group('yy')}MMDD-XXXX), som skulle synas i "
                                  "webbadressen. Byt namn på filen eller mappen.")


def check_history(handbook: Handbook, problems: Problems, allowed: dict[str, str]) -> None:
    """Commit messages and author names readers see: a personnummer there is a fel naming the commit."""
    history = handbook.extra.get("history")
    if history is None or handbook.kommun.historik_for_lasare == "andringstyp":
        return          # readers see only the date and the kind of change (data_history.reader_message)
    seen: set[str] = set()
    revisions = [*history.recent, *(r for revs in history.by_path.values() for r in revs)]
    for rev in revisions:
        if rev.commit in seen:
            continue
        seen.add(rev.commit)
        for label, text in (("Commit-meddelandet", rev.message), ("Författarnamnet", rev.author)):
            for f in scan_text(text, placeholders=False):
                if not f.number:
                    continue
                if f.number in allowed:
                    problems.add(f"commit {rev.commit}", None, f"Numret är tillåtet i data/{ALLOW_FILE} "
                                                               f"({allowed[f.number]}).", severity="tillåtet")
                    continue
                masked = PNR.sub(lambda m: f"{m.group('yy')}MMDD-XXXX", text)
                problems.error(f"commit {rev.commit}", None,
                               f"{label} \"{masked}\" innehåller ett {f.code}, och det visas för alla läsare i "
                               "historiken, Nyligen ändrat, flödet och tjänsteskrivelsen. Skriv om commiten innan "
                               "den slås ihop: den senaste med 'git commit --amend', en äldre med "
                               f"'git rebase -i {rev.commit}~1' (välj reword); författarnamnet med "
                               "'git commit --amend --author=…'. Eller visa läsarna bara datum och typ av "
                               "ändring: historik_for_lasare: andringstyp i data/kommun.yml.")
