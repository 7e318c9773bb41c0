"""Source files as editors really save them: a byte-order mark, Windows line ends, a Windows
code page, odd file names, symbolic links.

Every reader of docs/ and data/ goes through `read_source`, so a file is read the same way by the
loader, the checks and the site; problems name the file and, when known, the line.
"""
from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path

from .problems import Problems

BOM = b"\xef\xbb\xbf"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")           # Notepad's "Unicode" (UTF-16 LE) and UTF-16 BE
# What a file or folder name under docs/ may hold: it becomes a URL and a Word file's name.
SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def decode_source(data: bytes, rel: str, problems: Problems) -> str | None:
    """Text of a source file: UTF-8 with or without BOM, any line ends turned into '\\n'.
    Another encoding is a fel naming the first line with a byte that is not UTF-8."""
    if data.startswith(BOM):
        data = data[len(BOM):]
    if data.startswith(UTF16_BOMS) or (len(data) > 1 and b"\0" in data[:2]):
        problems.add(rel, 1, "Filen är sparad som UTF-16 (i Anteckningar heter det 'Unicode' eller 'UTF-16 LE'), "
                             "inte som UTF-8. Spara om filen med teckenkodningen UTF-8 (i Anteckningar: Spara som "
                             "→ Kodning: UTF-8).", code="kodning")
        problems.unreadable(rel)
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        byte = data[exc.start]
        guess = bytes([byte]).decode("cp1252", errors="replace")
        hint = f" – troligen '{guess}' sparat i en Windows-teckenkodning" if guess.isalpha() else ""
        problems.error(rel, line, f"Filen är inte sparad som UTF-8: rad {line} har ett tecken som inte går att "
                                  f"läsa (byte 0x{byte:02X}{hint}). Spara om filen med teckenkodningen UTF-8 "
                                  "(i Anteckningar: Spara som → Kodning: UTF-8).")
        problems.unreadable(rel)
        return None
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def read_source(path: Path | str, rel: str, problems: Problems) -> str | None:
    """decode_source of a file; a file that cannot be opened is a fel naming it."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as exc:
        problems.error(rel, None, f"Filen kunde inte läsas ({exc.strerror}). Kontrollera att den finns och "
                                  "att du har behörighet att läsa den.")
        problems.unreadable(rel)
        return None
    return decode_source(data, rel, problems)


def ascii_name(name: str) -> str:
    """The name a file should have: å/ä/ö → a/a/o, spaces and other signs → '-', lower case."""
    stem, dot, ext = name.rpartition(".") if "." in name.lstrip(".") else (name, "", "")
    plain = unicodedata.normalize("NFKD", stem.lower()).encode("ascii", "ignore").decode()
    plain = re.sub(r"[^a-z0-9._-]+", "-", plain).strip("-") or "namn"
    return plain + dot + ext.lower()


def walk_docs(docs: Path, docs_rel: str, problems: Problems) -> list[str]:
    """Every file under docs/ (posix paths relative to it, sorted), without following symbolic
    links to folders. A name that is not ASCII-safe, a link loop, a link out of docs/ or a broken
    link is a fel naming it: MkDocs follows links to folders and would walk a loop for ever."""
    found: list[str] = []
    if not docs.is_dir():
        return found
    docs_real = docs.resolve()
    for folder, dirs, files in os.walk(docs):
        prefix = os.path.relpath(folder, docs).replace(os.sep, "/")
        prefix = "" if prefix == "." else prefix + "/"
        keep = []
        for name in sorted(dirs):
            rel = f"{docs_rel}/{prefix}{name}"
            path = os.path.join(folder, name)
            _check_name(name, rel, problems, folder=True)
            if os.path.islink(path):
                _check_link(Path(path), rel, docs_real, problems)
                continue
            keep.append(name)
        dirs[:] = keep
        for name in files:
            path = os.path.join(folder, name)       # strings, not Path: a load walks 2,000 files
            rel = f"{docs_rel}/{prefix}{name}"
            _check_name(name, rel, problems, folder=False)
            if os.path.islink(path) and not _check_link(Path(path), rel, docs_real, problems):
                continue
            found.append(prefix + name)
    return sorted(found, key=lambda r: r.split("/"))


def _check_name(name: str, rel: str, problems: Problems, *, folder: bool) -> None:
    if SAFE_NAME.match(name):
        return
    what = "Mappnamnet" if folder else "Filnamnet"
    problems.error(rel, None, f"{what} '{name}' innehåller mellanslag, å, ä, ö eller andra tecken som inte fungerar "
                              "i webbadresser och Word-filnamn. Byt namn till "
                              f"'{ascii_name(name)}' (bara a–z, 0–9, bindestreck, understreck och punkt) och rätta "
                              "länkarna dit.")


def _check_link(path: Path, rel: str, docs_real: Path, problems: Problems) -> bool:
    """True if a symbolic link under docs/ is safe to follow: it resolves, inside docs/, and does not
    point at a folder that holds the link itself."""
    try:
        target = path.resolve(strict=True)
    except (OSError, RuntimeError):
        problems.error(rel, None, "Den symboliska länken går inte att följa: den pekar på sig själv i en slinga "
                                  "eller på något som inte finns. Ta bort länken eller kopiera in filen i stället.")
        return False
    if target != docs_real and docs_real not in target.parents:
        problems.error(rel, None, f"Den symboliska länken pekar ut ur docs/ ({target}). Allt som publiceras ska "
                                  "ligga i docs/: kopiera in filen i stället för att länka.")
        return False
    if target.is_dir() and (target == path.parent.resolve() or target in path.parent.resolve().parents):
        problems.error(rel, None, "Den symboliska länken pekar på en mapp som innehåller länken själv: en slinga som "
                                  "aldrig tar slut när webbplatsen byggs. Ta bort länken.")
        return False
    return True
