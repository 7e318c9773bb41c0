"""The Word export's cache: a document whose inputs are unchanged is copied, not converted again.

Layout: <cache>/dokument/<doc_id>/<key>.docx (one entry per document), <cache>/bilder/<digest>.png.
The key is computed from what the export reads (input_key), before anything is rendered.
"""
from __future__ import annotations

import hashlib
import json
import os
import posixpath
import re
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from .templates import Templates, write_atomic

if TYPE_CHECKING:
    from .word import WordDocument

def _code_version() -> str:
    """Hash of this package's source and of the versions of pandoc and the docx libraries: a
    change in any of them invalidates the cache."""
    from importlib.metadata import PackageNotFoundError, version
    h = hashlib.sha256()
    here = Path(__file__).parent
    for path in [*sorted(here.glob("*.py")), here.parent / "render" / "html.py"]:
        h.update(path.name.encode())
        h.update(path.read_bytes())
    for package in ("pypandoc-binary", "docxtpl", "docxcompose", "python-docx", "resvg-py", "jinja2", "Markdown",
                    "pymdown-extensions", "lxml"):
        try:
            h.update(f"{package}={version(package)}".encode())
        except PackageNotFoundError:
            h.update(f"{package}=-".encode())
    return h.hexdigest()


_CODE_VERSION: str | None = None


def code_version() -> str:
    """_code_version(), computed once per process."""
    global _CODE_VERSION
    if _CODE_VERSION is None:
        _CODE_VERSION = _code_version()
    return _CODE_VERSION
_FILE_DIGESTS: dict[tuple[str, int, int], str] = {}


def file_digest(path: Path) -> str:
    stat = path.stat()
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    if key not in _FILE_DIGESTS:
        _FILE_DIGESTS[key] = hashlib.sha256(path.read_bytes()).hexdigest()
    return _FILE_DIGESTS[key]


# Where a page's body may name a file (inline link or image, reference definition, HTML src).
_FILE_REFS = re.compile(r"\]\(\s*<?([^)\s>]+)|^\s*\[[^\]]+\]:\s*<?([^\s>]+)|\bsrc\s*=\s*[\"']([^\"']+)", re.M)


def _referenced(doc: WordDocument, stats: dict[str, str]) -> list[str]:
    """What the body's links and images read: each named file's size and time (or that it is
    missing), and the titles a link may take from link_titles. A picture replaced or removed, or
    a linked page renamed, gives another key. `stats` keeps each file's signature for one export."""
    here = posixpath.dirname(doc.src_path or "")
    docs = None if doc.docs_dir is None else str(doc.docs_dir)
    out = []
    for match in _FILE_REFS.finditer(doc.body_markdown):
        target = next(g for g in match.groups() if g).split("#")[0].split("?")[0]
        if not target or "://" in target or target.startswith(("//", "mailto:")):
            continue
        path = posixpath.normpath(posixpath.join(here, target))
        titles = [doc.link_titles.get(posixpath.normpath(c)) for c in
                  (path, path + ".md", posixpath.join(path, "index.md"), posixpath.join(path, "README.md"))]
        out.append(f"{target}:{titles}")
        if docs is not None:
            full = os.path.join(docs, path)
            if full not in stats:
                try:
                    st = os.stat(full)
                    stats[full] = f"{st.st_size}:{st.st_mtime_ns}"
                except OSError:
                    stats[full] = "-"
            out.append(stats[full])
    return out


def input_key(doc: WordDocument, templates: Templates, stats: dict[str, str]) -> str:
    """The cache key of a document from what the export reads: its fields, the files its body
    names (by their path under docs/, not where docs/ is: a handbook folder moved or copied keeps its
    cache), the logo, the templates and the export code. Computed before the page is rendered
    for pandoc, so an unchanged document costs a hash and a copy (preparing all 2,000 took longer
    than the warm export's goal)."""
    code_version()
    fields = [doc.doc_id, doc.title, doc.doc_type, doc.kommun_name, [list(r) for r in doc.metadata],
              [list(r) for r in doc.revisions], bool(doc.toc), doc.src_path, doc.docs_dir is None, doc.note,
              _referenced(doc, stats), doc.markdown.key, [doc.site.url, doc.site.directory_urls],
              {path: hashlib.sha256(data).hexdigest() for path, data in sorted(doc.generated.items())},
              file_digest(doc.logo_path) if doc.logo_path else "-"]
    h = hashlib.sha256()
    for part in (_CODE_VERSION, templates.template_name,
                 json.dumps(fields, ensure_ascii=False, default=str), doc.body_markdown):
        h.update(part.encode("utf-8"))
        h.update(b"\0")
    h.update(templates.fingerprint())
    return h.hexdigest()


def cached_path(cache_dir: Path, doc_id: str, key: str) -> Path:
    """Cache layout: dokument/<doc_id>/<key>.docx (one folder per document), bilder/<digest>.png."""
    return cache_dir / "dokument" / doc_id / f"{key}.docx"


def store(cache_dir: Path, out: Path, doc_id: str, key: str) -> None:
    target = cached_path(cache_dir, doc_id, key)
    write_atomic(target, lambda tmp: shutil.copyfile(out, tmp))
    for old in target.parent.glob("*.docx"):        # keep one entry per document
        if old != target:
            old.unlink(missing_ok=True)


def from_cache(hit: Path, out: Path, link: bool) -> None:
    """The cached file as out. With link (the site's word/ folder, which nobody edits), a hard
    link: nothing is copied, and a later export finds out already is the entry. Otherwise a copy
    with the entry's time, so an unchanged out is not written again, and an edited out (another
    time) is. Cache entries are never changed in place: a new one is renamed into place."""
    try:
        cached, present = os.stat(hit), os.stat(out)
        if (present.st_ino, present.st_dev) == (cached.st_ino, cached.st_dev) or (
                not link and (present.st_size, present.st_mtime_ns) == (cached.st_size, cached.st_mtime_ns)):
            return
    except OSError:
        pass

    def write(tmp: Path) -> None:
        if link:
            try:
                tmp.unlink()
                os.link(hit, tmp)
                return
            except OSError:
                pass                # another file system: copy
        shutil.copy2(hit, tmp)
    write_atomic(out, write)
