"""Problems found in the sources: collected with a severity, reported together.

Every problem names its file (relative to the handbook root), the line when known, the key
path when it concerns a field, what is wrong and what to do, in Swedish.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Literal

Severity = Literal["fel", "varning", "tillåtet"]   # tillåtet: an allowed number, listed by check


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    line: int | None
    severity: Severity
    message: str
    key: str | None = None
    column: int | None = None
    code: str | None = None

    def format(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        key = f" {self.key}:" if self.key else ""
        return f"{where}: {self.severity}:{key} {self.message}"


@dataclass
class Problems:
    """Collects problems; renderers and loaders append, the CLI reports once."""

    items: list[Problem] = field(default_factory=list)
    # Files that could not be read (syntax, encoding, duplicate keys): their problems are the cause
    # of others, so they are reported first and what follows from them is summarized.
    unreadable_files: list[str] = field(default_factory=list)
    _seen: set = field(default_factory=set, repr=False)

    def unreadable(self, file: str | Path) -> None:
        if str(file) not in self.unreadable_files:
            self.unreadable_files.append(str(file))

    def add(self, file: str | Path, line: int | None, message: str, *, key: str | None = None,
            severity: Severity = "fel", column: int | None = None, code: str | None = None) -> None:
        problem = Problem(str(file), line, severity, message, key, column, code)
        if problem not in self._seen:          # the same problem found twice is reported once
            self._seen.add(problem)
            self.items.append(problem)

    def error(self, file: str | Path, line: int | None, message: str, *, key: str | None = None) -> None:
        self.add(file, line, message, key=key, severity="fel")

    def warning(self, file: str | Path, line: int | None, message: str, *, key: str | None = None) -> None:
        self.add(file, line, message, key=key, severity="varning")

    def extend(self, other: Iterable[Problem]) -> None:
        for p in other:
            self.add(p.file, p.line, p.message, key=p.key, severity=p.severity, column=p.column, code=p.code)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.items if p.severity == "fel"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.items if p.severity == "varning"]

    def sorted(self) -> list[Problem]:
        return sorted(set(self.items), key=lambda p: (p.file, p.line or 0, p.severity, p.message))

    def arranged(self) -> tuple[list[Problem], list[Problem], dict[str, list[Problem]]]:
        """(causes, independent, follow-on per unreadable file).

        Causes are the problems of files that could not be read; a follow-on is a problem in
        another file whose message names an unreadable file ("Rollen 'sas' finns inte i
        data/roller.yml" while data/roller.yml has a syntax error): it goes away with the cause."""
        items = self.sorted()
        causes = [p for p in items if p.file in self.unreadable_files]
        rest = [p for p in items if p.file not in self.unreadable_files]
        root_of = {f: f for f in self.unreadable_files}     # tainted file -> the unreadable file behind it
        follow_of: dict[Problem, str] = {}
        changed = True
        while changed:          # a file whose every fel follows from a cause taints the files naming it
            changed = False
            for p in rest:
                if p in follow_of or p.severity != "fel":
                    continue
                source = next((f for f in root_of if f in p.message), None)
                if source is not None:
                    follow_of[p] = root_of[source]
                    changed = True
            for file in {p.file for p in follow_of}:
                if file not in root_of and all(q in follow_of for q in rest if q.file == file and q.severity == "fel"):
                    root_of[file] = follow_of[next(q for q in follow_of if q.file == file)]
                    changed = True
        follow: dict[str, list[Problem]] = {f: [] for f in self.unreadable_files}
        for p, root in follow_of.items():
            follow[root].append(p)
        independent = [p for p in rest if p not in follow_of]
        return causes, independent, {f: ps for f, ps in follow.items() if ps}

    def report(self) -> str:
        lines = [p.format() for p in self.sorted()]
        n_err, n_warn = len(self.errors), len(self.warnings)
        lines.append(f"{n_err} fel, {n_warn} varningar.")
        return "\n".join(lines)


class SourceError(Exception):
    """Raised when problems make it impossible to continue; carries them for the report."""

    def __init__(self, problems: Problems):
        super().__init__(problems.report())
        self.problems = problems


def choices(values: Iterable[str], limit: int = 12) -> str:
    """A short Swedish list of valid choices for a message."""
    vals = sorted(set(values))
    if not vals:
        return "(inga finns definierade)"
    shown = ", ".join(vals[:limit])
    return shown + (f" … ({len(vals)} st)" if len(vals) > limit else "")
