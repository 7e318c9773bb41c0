"""Word files to PDF with LibreOffice (headless), many files per `soffice` process.

Consumes finished .docx files only, so it is the same for every way the Word files are made.

- `convert(sources, out_dir)`: one `soffice --headless --convert-to pdf` per group of files (LibreOffice
  costs ~0.25 s of CPU to start here, see _record_version, and 0.11-0.15 s per document after that,
  see MIN_PER_PROCESS), the groups spread over the cores, each process with its own temporary profile
  (two processes sharing a profile block each other).
  Results are written into a temporary folder and renamed into place; a file LibreOffice did not
  convert is a PdfError naming that file, and nothing of the group it was in is left behind.
- `pdfs(docx_paths, out_dir, cache_dir=…)`: out_dir/<name>.pdf for each <name>.docx, converted only when
  the Word file's bytes changed since the PDF in the cache was made (key: the .docx's digest, the
  filter options and LibreOffice's executable).
- `pdfa`: PDF/A-2b (SelectPdfVersion=2), for the archive copy of a decision; the title, author,
  subject and keywords come from the .docx's document properties (`set_properties`).
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import re
import shutil
import signal
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Mapping, Sequence

from . import cores
from .outputfiles import file_mode

# Tagged PDF (headings, tables and reading order for screen readers); PDF/A-2b for the archive.
FILTER = 'pdf:writer_pdf_Export:{"UseTaggedPDF":{"type":"boolean","value":"true"}}'
PDFA_FILTER = ('pdf:writer_pdf_Export:{"UseTaggedPDF":{"type":"boolean","value":"true"},'
               '"SelectPdfVersion":{"type":"long","value":"2"}}')
INSTALL = ("Installera LibreOffice (Debian/Ubuntu: apt-get install --no-install-recommends "
           "libreoffice-writer-nogui fonts-liberation2)")
START_SECONDS = 60          # LibreOffice's start, generous on a busy machine
SECONDS_PER_FILE = 30
# Fewer files than this per process: starting another costs more than it gains. A start is ~0.25 s of
# CPU, a file 0.11-0.15 s (the kept profile, no render tests). Two processes against one, median wall
# time on two cores (bench/results.md): 3 files 1.02, 4 files 0.85, 5 files 0.85, 6 files 0.76, 8 files
# 0.83 (it was 8 when a start cost ~2 s).
MIN_PER_PROCESS = 3
MAX_PER_PROCESS = 60        # a long list in one process: a crash late in it costs the whole list again


class PdfError(Exception):
    """A PDF could not be made. The message is Swedish and names the file and what to do."""


def soffice() -> str | None:
    """LibreOffice's command, or None when it is not installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def available() -> bool:
    return soffice() is not None


def site_pdfs(handbook) -> bool:
    """Whether the site gets PDFs (and its pages the link): on in data/kommun.yml and LibreOffice installed."""
    return bool(handbook.kommun.pdf) and available()


def tool_signature() -> str:
    """Which LibreOffice makes the PDFs (its executable's real path and time): part of the cache key."""
    path = soffice()
    if path is None:
        return "-"
    real = os.path.realpath(path)
    try:
        return f"{real}:{os.stat(real).st_mtime_ns}"
    except OSError:
        return real


def _profile_template() -> Path:
    """Where the profile of an earlier LibreOffice run is kept, per user and LibreOffice: each process
    starts from a copy of it instead of making a new profile (0.1-0.2 s of each start, a third of a
    PDF run for one document). It holds LibreOffice's settings only, no document names. The folder
    is the user's own (~/.cache/styrdok, or STYRDOK_CACHE): a profile can hold macros."""
    base = Path(os.environ.get("STYRDOK_CACHE") or
                Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "styrdok")
    return base / f"libreoffice-profil-{hashlib.sha256(tool_signature().encode()).hexdigest()[:12]}"


def _keep_profile(profile: Path, template: Path) -> None:
    """profile (after a run that worked) as the template for the next processes; a template that
    cannot be written only costs the next run its 0.1-0.2 s."""
    staging = template.parent / f".{template.name}-{os.getpid()}-{id(profile)}"
    try:
        template.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(profile, staging)
        os.rename(staging, template)             # another process may have kept one first: then that one
    except OSError:
        shutil.rmtree(staging, ignore_errors=True)


# LibreOffice runs its graphics render tests (VCL's GraphicsRenderTests, sixteen surfaces of 4096 × 4096
# pixels drawn and read back among them) when it starts with a profile whose last version
# (ooSetupLastVersion) is older than its own, and only its start center records the version, which a
# headless conversion never shows: every start ran them, two thirds of its CPU (0.3 s instead of
# 0.9-1.5 s here for a one-page document). So the profile records the version before LibreOffice starts.
_REGISTRY = "user/registrymodifications.xcu"
_VERSION_ITEM = ('<item oor:path="/org.openoffice.Setup/Product"><prop oor:name="ooSetupLastVersion" '
                 'oor:op="fuse"><value>{}</value></prop></item>\n')
_EMPTY_REGISTRY = ('<?xml version="1.0" encoding="UTF-8"?>\n<oor:items xmlns:oor="http://openoffice.org/2001/registry" '
                   'xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
                   '\n</oor:items>\n')
_VERSIONS: dict[str, str | None] = {}


def _run(cmd: list[str], env: Mapping[str, str], timeout: float) -> subprocess.CompletedProcess:
    """cmd in a process group of its own, its output read; on timeout the whole group is stopped and
    TimeoutExpired raised. soffice is a script that starts oosplash, which starts soffice.bin: stopping
    the first process only (subprocess.run's timeout) left a LibreOffice that never finished running."""
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                            text=True, env=dict(env), start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        if hasattr(os, "killpg"):
            with contextlib.suppress(OSError):
                os.killpg(proc.pid, signal.SIGKILL)
        proc.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.communicate(timeout=10)
        raise
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err)


def _installed_version(tool: str, env: Mapping[str, str]) -> str | None:
    """LibreOffice's version as its registry writes it ("7.4" of "LibreOffice 7.4.7.2 40(Build:2)"), from
    `soffice --version` once per process and executable; None when it does not say (then LibreOffice
    runs its render tests as before)."""
    if tool not in _VERSIONS:
        try:
            out = _run([tool, "--version"], env, START_SECONDS).stdout
        except (OSError, subprocess.TimeoutExpired):
            out = ""
        match = re.search(r"\b(\d+)\.(\d+)\.\d+", out)
        _VERSIONS[tool] = f"{match[1]}.{match[2]}" if match else None
    return _VERSIONS[tool]


def _record_version(tool: str, profile: Path, env: Mapping[str, str]) -> None:
    """profile's registry says that this LibreOffice has run in it (nothing to do when it says so
    already: a kept profile). The profile is this process's own copy, read by no one else until
    LibreOffice starts; a registry that cannot be read or written only costs the start its render
    tests."""
    registry = profile / _REGISTRY
    try:
        text = registry.read_text(encoding="utf-8")
    except FileNotFoundError:
        text = _EMPTY_REGISTRY
    except (OSError, UnicodeDecodeError):
        return
    if "ooSetupLastVersion" in text or "</oor:items>" not in text:
        return
    version = _installed_version(tool, env)
    if version is None:
        return
    text = text.replace("</oor:items>", _VERSION_ITEM.format(version) + "</oor:items>", 1)
    try:
        registry.parent.mkdir(parents=True, exist_ok=True)
        registry.write_text(text, encoding="utf-8")
    except OSError:
        pass


def _libreoffice_env(home: Path) -> dict[str, str]:
    """The environment soffice runs in: HOME a temporary folder (LibreOffice writes a few files under
    it), and glibc's malloc asked to back large blocks with huge pages (glibc.malloc.hugetlb=1, where
    the kernel gives them on request: transparent_hugepage "madvise", as on Debian): fewer page faults
    as LibreOffice clears the memory it starts with (8,600 against 15,800 for a one-page document,
    0.23-0.30 s of CPU against 0.27-0.36 s here; with its render tests, see _record_version, 15,000
    against 295,000). glibc before 2.35, other C libraries and kernels without huge pages ignore it. A
    GLIBC_TUNABLES of the user's own is kept, and one that says how to use huge pages is left as it is."""
    env = {**os.environ, "HOME": str(home)}
    tunables = env.get("GLIBC_TUNABLES", "")
    if "glibc.malloc.hugetlb=" not in tunables:
        env["GLIBC_TUNABLES"] = ":".join(filter(None, (tunables, "glibc.malloc.hugetlb=1")))
    return env


def _soffice(tool: str, group: Sequence[Path], out_dir: Path, filter_name: str) -> subprocess.CompletedProcess:
    """One soffice process converting the group into out_dir, with its own temporary profile (a copy
    of the kept one, _profile_template)."""
    with tempfile.TemporaryDirectory(prefix="styrdok-pdf-") as tmp_name:
        tmp = Path(tmp_name)
        profile, template = tmp / "profil", _profile_template()
        try:
            shutil.copytree(template, profile)
            kept = True
        except OSError:                          # none yet (or unreadable): LibreOffice makes one
            shutil.rmtree(profile, ignore_errors=True)
            kept = False
        env = _libreoffice_env(tmp)
        _record_version(tool, profile, env)
        cmd = [tool, "--headless", "--norestore", "--nologo", "--nodefault", "--nolockcheck",
               f"-env:UserInstallation={profile.as_uri()}", "--convert-to", filter_name, "--outdir", str(out_dir),
               *[str(p) for p in group]]
        try:
            proc = _run(cmd, env, START_SECONDS + SECONDS_PER_FILE * len(group))
            if proc.returncode == 0 and not kept and (profile / "user" / "config").is_dir():   # made by it
                _keep_profile(profile, template)
            elif proc.returncode != 0 and kept:  # perhaps the kept profile: the next process makes its own
                shutil.rmtree(template, ignore_errors=True)
            return proc
        except subprocess.TimeoutExpired:
            raise PdfError(f"LibreOffice blev inte klar med PDF-filerna ({', '.join(p.name for p in group[:5])}"
                           f"{' …' if len(group) > 5 else ''}) inom tidsgränsen. Öppna filerna i LibreOffice och "
                           "kontrollera att de går att spara som PDF.") from None
        except OSError as exc:
            raise PdfError(f"LibreOffice ({tool}) kunde inte startas: {exc}. {INSTALL}.") from None


def _converted(group: Sequence[Path], out_dir: Path) -> dict[Path, Path]:
    done: dict[Path, Path] = {}
    for source in group:
        pdf = out_dir / (source.stem + ".pdf")
        try:
            with open(pdf, "rb") as fh:
                if fh.read(5) == b"%PDF-":
                    done[source] = pdf
        except OSError:
            pass
    return done


def _run_group(tool: str, group: Sequence[Path], out_dir: Path, filter_name: str,
               labels: Mapping[Path, str]) -> dict[Path, Path]:
    """The group's PDFs (source -> pdf in out_dir). Files a process left without a PDF get one more
    process of their own (a LibreOffice that stops half-way through a long list, as seen once at
    250 files, does not fail the build); a file still without one is a PdfError naming it."""
    proc = _soffice(tool, group, out_dir, filter_name)
    done = _converted(group, out_dir)
    missing = [p for p in group if p not in done]
    if missing:
        proc = _soffice(tool, missing, out_dir, filter_name)
        done.update(_converted(missing, out_dir))
        missing = [p for p in group if p not in done]
    if missing:
        detail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
        raise PdfError("; ".join(f"{labels.get(p, p)}: LibreOffice kunde inte göra en PDF av Word-filen"
                                 for p in missing)
                       + (f" (LibreOffice: {' '.join(detail)})" if detail else "")
                       + ". Öppna filen i Word eller LibreOffice och kontrollera att den går att öppna och spara.")
    return done


def convert(sources: Sequence[Path], out_dir: Path, *, pdfa: bool = False, jobs: int | None = None,
            labels: Mapping[Path, str] | None = None) -> list[Path]:
    """Convert each source .docx to out_dir/<stem>.pdf; the paths in the order of sources.

    Groups of files (at most MAX_PER_PROCESS) go to one soffice process each, `jobs` processes at a
    time (default: styrdok.cores.jobs(), but no more than one per MIN_PER_PROCESS files). Every PDF is complete when it appears:
    the processes write into a temporary folder beside out_dir, and the files are renamed into
    place only when every file was converted. labels name a source in messages (default: its path)."""
    sources = [Path(p) for p in sources]
    if not sources:
        return []
    tool = soffice()
    if tool is None:
        raise PdfError(f"PDF-filerna kan inte göras: LibreOffice (soffice) finns inte på den här datorn. {INSTALL}.")
    stems = [p.stem for p in sources]
    if len(set(stems)) != len(stems):
        dupes = sorted({s for s in stems if stems.count(s) > 1})
        raise PdfError(f"Flera Word-filer heter likadant ({', '.join(dupes)}): deras PDF-filer skulle skriva över "
                       "varandra.")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    workers = max(1, min(jobs or cores.jobs(), math.ceil(len(sources) / MIN_PER_PROCESS)))
    size = min(MAX_PER_PROCESS, math.ceil(len(sources) / workers))
    groups = [sources[i:i + size] for i in range(0, len(sources), size)]
    filter_name = PDFA_FILTER if pdfa else FILTER
    staging = Path(tempfile.mkdtemp(prefix=f".pdf-{os.getpid()}-", dir=out_dir))
    try:
        # soffice writes into the staging folder: it refuses nothing, so each group gets its own
        folders = [staging / str(n) for n in range(len(groups))]
        for folder in folders:
            folder.mkdir()
        with ThreadPoolExecutor(max_workers=workers) as pool:
            results = list(pool.map(lambda g: _run_group(tool, g[0], g[1], filter_name, labels or {}),
                                    zip(groups, folders)))
        made = {src: pdf for result in results for src, pdf in result.items()}
        out = []
        for source in sources:
            target = out_dir / (source.stem + ".pdf")
            os.chmod(made[source], file_mode())
            os.replace(made[source], target)
            out.append(target)
        return out
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _digest(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def cache_key(docx: Path, pdfa: bool = False, properties: Mapping | None = None) -> str:
    h = hashlib.sha256()
    for part in (_digest(docx), PDFA_FILTER if pdfa else FILTER, tool_signature(),
                 json.dumps(properties, ensure_ascii=False, sort_keys=True)):
        h.update(part.encode() + b"\0")
    return h.hexdigest()


def _link_or_copy(src: Path, dst: Path) -> None:
    tmp = dst.with_name(f".{dst.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    try:
        os.link(src, tmp)
    except OSError:
        shutil.copy2(src, tmp)
    os.replace(tmp, dst)


def pdfs(docx_paths: Sequence[Path], out_dir: Path, *, cache_dir: Path | None, jobs: int | None = None,
         labels: Mapping[Path, str] | None = None, properties: Mapping[Path, Mapping] | None = None,
         targets: Sequence[Path] | None = None) -> list[Path]:
    """out_dir/<name>.pdf for each <name>.docx (or the PDF at targets[i], inside out_dir, for the i-th:
    files from several folders converted together). With cache_dir, a Word file whose bytes (and
    properties) are unchanged gets its PDF from the cache (hard-linked: the site never edits a file
    in place); only the others go to LibreOffice. Layout: <cache_dir>/<target without .pdf>/<key>.pdf,
    one entry per target. properties (per Word file: title, author, subject, keywords) go into the PDF's
    document properties; the Word file itself is not changed (a copy with them is converted)."""
    docx_paths = [Path(p) for p in docx_paths]
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    targets = [Path(t) for t in targets] if targets is not None else [out_dir / (p.stem + ".pdf") for p in docx_paths]
    properties = properties or {}
    labels = labels or {}
    todo: list[tuple[Path, Path | None, Path]] = []
    for docx, target in zip(docx_paths, targets):
        target.parent.mkdir(parents=True, exist_ok=True)
        key = cache_key(docx, properties=properties.get(docx))
        entry = cache_dir / target.relative_to(out_dir).with_suffix("") / f"{key}.pdf" \
            if cache_dir is not None else None
        if entry is not None and entry.is_file():
            _link_or_copy(entry, target)
        else:
            todo.append((docx, entry, target))
    if not todo:
        return targets
    stems = [docx.stem for docx, _, _ in todo]
    with tempfile.TemporaryDirectory(prefix="styrdok-pdf-kopior-") as tmp_name:
        sources = []
        for n, (docx, _, _) in enumerate(todo):
            props = properties.get(docx)
            unique = stems.count(docx.stem) == 1
            if props or not unique:         # a copy: with the properties, or named apart from its namesake
                source = Path(tmp_name) / (docx.name if unique else f"{n}-{docx.name}")
                if props:
                    set_properties(docx, source, **props)
                else:
                    shutil.copyfile(docx, source)
            else:
                source = docx
            sources.append(source)
        made_dir = Path(tempfile.mkdtemp(prefix=f".pdf-ut-{os.getpid()}-", dir=out_dir))
        try:
            made = convert(sources, made_dir, jobs=jobs,
                           labels={s: labels.get(d, str(d)) for s, (d, _, _) in zip(sources, todo)})
            for pdf, (_, _, target) in zip(made, todo):
                os.replace(pdf, target)
        finally:
            shutil.rmtree(made_dir, ignore_errors=True)
    for docx, entry, target in todo:
        if entry is None:
            continue
        entry.parent.mkdir(parents=True, exist_ok=True)
        _link_or_copy(target, entry)
        for old in entry.parent.glob("*.pdf"):          # keep one entry per name
            if old != entry:
                old.unlink(missing_ok=True)
    return targets


CORE = "docProps/core.xml"
_NS = {"cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
       "dc": "http://purl.org/dc/elements/1.1/"}


def set_properties(docx: Path, out: Path, *, title: str, author: str, subject: str, keywords: Sequence[str]) -> None:
    """A copy of docx with the document properties a PDF carries (LibreOffice writes them into the
    PDF's Info and XMP): title, author, subject, keywords.

    The properties part is rewritten as a whole: the templates' part has elements in a wrong
    namespace (and an empty keywords element) that python-docx's setters leave beside the new ones,
    and LibreOffice then reads no keywords."""
    import zipfile
    from lxml import etree
    with zipfile.ZipFile(docx) as source:
        root = etree.fromstring(source.read(CORE)) if CORE in source.namelist() else None
        if root is None:
            raise PdfError(f"{docx}: Word-filen saknar dokumentegenskaper ({CORE}). Gör om Word-filen.")
        replaced = {"title", "creator", "subject", "keywords", "lastModifiedBy", "description"}
        for child in list(root):
            if etree.QName(child).localname in replaced:
                root.remove(child)
        values = [("dc", "title", title), ("dc", "creator", author), ("dc", "subject", subject),
                  ("cp", "keywords", ", ".join(k for k in keywords if k)), ("cp", "lastModifiedBy", author)]
        for prefix, name, value in values:
            element = etree.SubElement(root, f"{{{_NS[prefix]}}}{name}")
            element.text = value
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
            for item in source.infolist():
                data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True) \
                    if item.filename == CORE else source.read(item.filename)
                target.writestr(item, data)
