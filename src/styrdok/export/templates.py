"""The Word templates folder: finding, checking and rendering the files, writing results atomically.

A templates folder (the repository's templates/word/, or a kommun's own) holds:
reference.docx (pandoc's styles), pandoc.yaml (pandoc's defaults), dokument.docx and
tjansteskrivelse.docx (docxtpl). `python -m styrdok.export.make_templates` recreates them.
"""
from __future__ import annotations

import io
import os
import re
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import jinja2

from ..outputfiles import file_mode

REGENERATE = "Återskapa standardmallarna med 'python -m styrdok.export.make_templates'"
DOCUMENT = "dokument.docx"
MEMO = "tjansteskrivelse.docx"
REFERENCE = "reference.docx"
DEFAULTS = "pandoc.yaml"
# Admonition boxes: paragraph style (the text) -> (fill, border colour); the frame is the table
# style of the same name plus BOX_FRAME_SUFFIX ("Faktaruta ram"). Both live in reference.docx.
BOXES = {
    "Faktaruta": ("EAF0F8", "2B5797"),
    "Varningsruta": ("FFF4E0", "C46A00"),
    "Tipsruta": ("EAF5EC", "2E7D32"),
}
BOX_FRAME_SUFFIX = " ram"


class ExportError(Exception):
    """The Word export or import failed. The message is Swedish and names the file, template or field."""


@dataclass(frozen=True)
class Templates:
    """The template files' bytes, read and checked once (workers get the bytes, not the paths)."""
    folder: Path
    template: bytes        # dokument.docx or tjansteskrivelse.docx
    template_name: str
    reference: bytes
    defaults: Path

    def fingerprint(self) -> bytes:
        return self.template + b"\0" + self.reference + b"\0" + self.defaults.read_bytes()


def _check_docx(path: Path) -> bytes:
    if not path.is_file():
        raise ExportError(f"Word-mallen {path} saknas. Lägg kommunens mall där, eller: {REGENERATE}.")
    data = path.read_bytes()
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            broken = archive.testzip()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ExportError(f"Word-mallen {path} är skadad: filen är inte en giltig .docx (zip). {REGENERATE}, "
                          "eller ersätt den med en fungerande mall.") from None
    if broken or "word/document.xml" not in names or "[Content_Types].xml" not in names:
        what = f"delen {broken} går inte att läsa" if broken else "word/document.xml saknas i den"
        raise ExportError(f"Word-mallen {path} är skadad: {what}. {REGENERATE}, eller ersätt den med en "
                          "fungerande mall.")
    return data


def load_templates(folder: Path, template_name: str = DOCUMENT) -> Templates:
    """Read and check the files one export needs; ExportError (Swedish) names a missing or broken one."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ExportError(f"Mallmappen {folder} finns inte. {REGENERATE} eller ange rätt mapp.")
    defaults = folder / DEFAULTS
    if not defaults.is_file():
        raise ExportError(f"pandocs inställningsfil {defaults} saknas. {REGENERATE}.")
    reference = _check_docx(folder / REFERENCE)
    template = _check_docx(folder / template_name)
    return Templates(folder, template, template_name, reference, defaults)


def write_atomic(out: Path, write: Callable[[Path], None]) -> None:
    """write(tmp) into a temporary file beside `out`, then rename it into place: all or nothing."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{out.stem}-", suffix=".tmp", dir=out.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        write(tmp)
        os.chmod(tmp, file_mode())          # mkstemp makes 600: a web server could not read it
        os.replace(tmp, out)
    finally:
        if tmp.exists():
            tmp.unlink()


def compiled_env(env: jinja2.Environment) -> jinja2.Environment:
    """Let `env` reuse compiled templates: docxtpl compiles each part's XML on every render, and a
    template's XML is the same for every document (the body arrives as a value, not as source)."""
    compiled: dict[str, jinja2.Template] = {}
    plain = env.from_string

    def from_string(source, globals=None, template_class=None):
        if globals is not None or template_class is not None:
            return plain(source, globals, template_class)
        if source not in compiled:
            compiled[source] = plain(source)
        return compiled[source]

    env.from_string = from_string
    return env


def render_template(tpl, context: dict, template_label: str, env: jinja2.Environment) -> None:
    """Render a docxtpl template strictly and with autoescape; Jinja errors become Swedish ExportErrors."""
    try:
        tpl.render(context, jinja_env=env, autoescape=True)
    except jinja2.UndefinedError as exc:
        text = str(exc.message or exc)
        m = re.search(r"'([^']+)' is undefined", text) or re.search(r"has no attribute '([^']+)'", text)
        name = m.group(1) if m else text
        raise ExportError(f"Fältet '{name}' i Word-mallen {template_label} har inget värde. Ta bort fältet ur "
                          "mallen eller rätta dess namn (mallens fält beskrivs i styrdok.export.word).") from None
    except jinja2.TemplateSyntaxError as exc:
        raise ExportError(f"Word-mallen {template_label} har ett felskrivet fält ({exc.message}). "
                          "Rätta fältet i Word: {{ namn }} för värden, {%p if … %} för stycken.") from None
    except jinja2.TemplateError as exc:
        raise ExportError(f"Word-mallen {template_label} kunde inte fyllas i: {exc}.") from None
