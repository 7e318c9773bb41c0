"""The Word templates folder: finding, checking and rendering the files, writing results atomically.

A templates folder (the repository's templates/word/, or a kommun's own) holds:
reference.docx (pandoc's styles), pandoc.yaml (pandoc's defaults), dokument.docx and
tjansteskrivelse.docx (docxtpl). `python -m styrdok.export.make_templates` recreates them.
"""
from __future__ import annotations

import copy
import functools
import io
import os
import re
import tempfile
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import jinja2
from docx import Document
from docx.opc.phys_pkg import _ZipPkgWriter
from docx.opc.pkgwriter import PackageWriter
from docxtpl import DocxTemplate
from lxml import etree

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
            if len(compiled) > 256:     # a part with the body's footnotes differs per document
                compiled.clear()
            compiled[source] = plain(source)
        return compiled[source]

    env.from_string = from_string
    return env


# Stands for the body in the template's rendering; the body's XML replaces it before docxtpl parses
# the result (an XML comment: docxtpl's text passes leave it alone).
BODY_PLACEHOLDER = "<!--styrdok-brodtext-->"
_PATCHED: dict[str, str] = {}


class FastTemplate(DocxTemplate):
    """docxtpl's DocxTemplate with the same result, for many documents from one template:

    - patch_xml (docxtpl's regular-expression clean-up of the template's XML before Jinja),
      resolve_listing (its pass over the rendered XML) and get_part_xml (a header's XML read
      again) are pure functions of the XML they get, which is mostly the same for every
      document: each result is kept;
    - the body (`set_body`) does not go through Jinja and docxtpl's text passes as a string of
      hundreds of kilobytes: the template is rendered with BODY_PLACEHOLDER as the body field's
      value, and the body's elements take the placeholder's place in the tree docxtpl parses from
      the rendered part, with docxtpl's table grid fix applied to them as to the rest. This is
      only done for a body those passes would leave unchanged (no tab or line break inside a
      text, none of docxtpl's escaped braces); any other body goes through them as before.
    """
    body_elements: list | None = None

    def patch_xml(self, src_xml):
        return _kept(_PATCHED, src_xml, super().patch_xml)

    def resolve_listing(self, xml):
        if not any(c in xml for c in "\t\n\a\f"):
            return xml          # docxtpl's pass only turns these characters (inside texts) into Word markup
        return _kept(_RESOLVED, xml, super().resolve_listing)

    def get_part_xml(self, part):
        return _kept(_PART_XML, part.blob, lambda blob: super(FastTemplate, self).get_part_xml(part))

    def render_xml_part(self, src_xml, part, context, jinja_env=None):
        if _plain(jinja_env, src_xml):      # no Jinja in it (the footnotes part): docxtpl's steps give it back
            self.current_rendering_part = part
            return self.resolve_listing(src_xml)
        return super().render_xml_part(src_xml, part, context, jinja_env)

    def render_properties(self, context, jinja_env=None):
        """docxtpl's render_properties, without Jinja for a value that has none (most are empty)."""
        if jinja_env is None:
            return super().render_properties(context, jinja_env)
        properties = self.docx.core_properties      # python-docx makes a new view of the same XML per access
        for prop in _CORE_PROPERTIES:
            initial = getattr(properties, prop)
            rendered = initial if _plain(jinja_env, initial) else jinja_env.from_string(initial).render(context)
            setattr(properties, prop, rendered)

    def set_body(self, xml: str, elements: list) -> str:
        """The value to give the body field (`xml`: the elements serialized): the placeholder when
        the body can skip docxtpl's text passes (the elements are then put in by fix_tables), else
        the body itself."""
        if not elements or any(s in xml for s in ("\t", "\n", "\a", "\f", "{_{", "}_}", "{_%", "%_}")):
            self.body_elements = None
            return xml
        self.body_elements = elements
        return BODY_PLACEHOLDER

    def fix_tables(self, xml):
        tree = super().fix_tables(xml)
        if self.body_elements is not None:
            ns = "{" + tree.nsmap["w"] + "}"
            for n, mark in enumerate(tree.xpath("//comment()[.=$text]", text=BODY_PLACEHOLDER[4:-3])):
                elements = self.body_elements if n == 0 else [copy.deepcopy(el) for el in self.body_elements]
                last = elements[-1]
                last.tail = (last.tail or "") + (mark.tail or "") or None
                mark.getparent().replace(mark, elements[0])
                for prev, el in zip(elements, elements[1:]):
                    prev.addnext(el)
                if n == 0:
                    for el in elements:
                        for table in el.iter(ns + "tbl"):
                            _fix_table_grid(table, ns)
        return tree


# docxtpl's render_properties renders these core properties
_CORE_PROPERTIES = ("author", "comments", "identifier", "language", "subject", "title")


def _plain(env, text: str) -> bool:
    """Jinja would render `text` as it is: no delimiter in it (the default ones all start with '{'),
    no line statements, no trailing newline to drop."""
    return (env is not None and "{" not in text and not text.endswith("\n")
            and env.line_statement_prefix is None and env.line_comment_prefix is None
            and all(d.startswith("{") for d in (env.block_start_string, env.variable_start_string,
                                                  env.comment_start_string)))


def _kept(memo: dict, key: str, compute):
    value = memo.get(key)
    if value is None:
        value = compute(key)
        if len(memo) > 256:
            memo.clear()
        memo[key] = value
    return value


_RESOLVED: dict[str, str] = {}
_PART_XML: dict[bytes, str] = {}


def _fix_table_grid(t, ns: str) -> None:
    """docxtpl 0.20's DocxTemplate.fix_tables for one table (its loop body, unchanged): the grid
    gets as many columns as the widest row has cells."""
    tblGrid = t.find(ns + "tblGrid")
    columns = tblGrid.findall(ns + "gridCol")
    to_add = 0
    for r in t.iter(ns + "tr"):
        cells = r.findall(ns + "tc")
        if (len(columns) + to_add) < len(cells):
            to_add = len(cells) - len(columns)
    if to_add > 0:
        width = 0.0
        new_average = None
        for c in columns:
            if c.get(ns + "w") is not None:
                width += float(c.get(ns + "w"))
        if width > 0:
            old_average = width / len(columns)
            new_average = width / (len(columns) + to_add)
            for c in columns:
                c.set(ns + "w", str(int(float(c.get(ns + "w")) * new_average / old_average)))
            for i in range(to_add):
                etree.SubElement(tblGrid, ns + "gridCol", {ns + "w": str(int(new_average))})
    columns = tblGrid.findall(ns + "gridCol")
    columns_len = len(columns)
    cells_len_max = 0

    def get_cell_len(total, cell):
        tc_pr = cell.find(ns + "tcPr")
        grid_span = None if tc_pr is None else tc_pr.find(ns + "gridSpan")
        if grid_span is not None:
            return total + int(grid_span.get(ns + "val"))
        return total + 1

    for r in t.iter(ns + "tr"):
        cells = r.findall(ns + "tc")
        cells_len = functools.reduce(get_cell_len, cells, 0)
        cells_len_max = max(cells_len_max, cells_len)
    to_remove = columns_len - cells_len_max
    if to_remove > 0:
        removed_width = 0.0
        for c in columns[-to_remove:]:
            removed_width += float(c.get(ns + "w"))
            tblGrid.remove(c)
        columns_left = tblGrid.findall(ns + "gridCol")
        extra_space = 0
        if len(columns_left) > 0:
            extra_space = removed_width / len(columns_left)
            extra_space = int(extra_space)
        for c in columns_left:
            c.set(ns + "w", str(int(float(c.get(ns + "w")) + extra_space)))


_PRISTINE: dict[bytes, object] = {}


def open_docx(data: bytes):
    """A python-docx Document of the template `data`: the first time parsed from the zip, then a
    deep copy of that first one (half the time of parsing the same parts again; a Document is
    changed in place by rendering, so each document gets its own copy)."""
    pristine = _PRISTINE.get(data)
    if pristine is None:
        pristine = Document(io.BytesIO(data))
        if len(_PRISTINE) > 4:
            _PRISTINE.clear()
        _PRISTINE[data] = pristine
    return copy.deepcopy(pristine)


_DEFLATED: dict[bytes, bytes] = {}
_DEFLATED_MAX = 32 * 1024 * 1024


class _CachedDeflate:
    """Stands in for zipfile's compressor of one member: the member's bytes are compressed as
    zipfile compresses them (zlib's default level, raw deflate), and the result is kept, so a part
    every document has unchanged (theme, fonts, settings, the logo, most styles) is compressed once.
    zipfile calls compress() once with the whole member (writestr) and then flush()."""

    def __init__(self):
        self._data: list[bytes] = []

    def compress(self, data: bytes) -> bytes:
        self._data.append(bytes(data))
        return b""

    def flush(self) -> bytes:
        data = b"".join(self._data)
        out = _DEFLATED.get(data)
        if out is None:
            compressor = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
            out = compressor.compress(data) + compressor.flush()
            if sum(map(len, _DEFLATED)) + len(data) > _DEFLATED_MAX:
                _DEFLATED.clear()
            _DEFLATED[data] = out
        return out


class _CachingZipFile(zipfile.ZipFile):
    def _open_to_write(self, zinfo, force_zip64=False):
        dest = super()._open_to_write(zinfo, force_zip64)
        if zinfo.compress_type == zipfile.ZIP_DEFLATED and getattr(dest, "_compressor", None) is not None:
            dest._compressor = _CachedDeflate()
        return dest


class _PkgWriter(_ZipPkgWriter):
    def __new__(cls, pkg_file):         # PhysPkgWriter.__new__ would make a plain _ZipPkgWriter
        return object.__new__(cls)

    def __init__(self, pkg_file):
        self._zipf = _CachingZipFile(pkg_file, "w", compression=zipfile.ZIP_DEFLATED)


def save_docx(tpl: DocxTemplate, path: Path) -> None:
    """tpl.save(path) as docxtpl and python-docx do it (same members, same order, same deflated
    bytes), with each member's compressed form reused when another document had the same bytes."""
    tpl.pre_processing()
    package = tpl.docx.part.package
    parts = package.parts
    for part in parts:
        part.before_marshal()
    buffer = io.BytesIO()           # the zip made in memory, written with one call (not a seek per member)
    writer = _PkgWriter(buffer)
    PackageWriter._write_content_types_stream(writer, parts)
    PackageWriter._write_pkg_rels(writer, package.rels)
    PackageWriter._write_parts(writer, parts)
    writer.close()
    Path(path).write_bytes(buffer.getbuffer())
    tpl.post_processing(str(path))
    tpl.is_saved = True


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
