"""Problems for machines: `styrdok check --format json` and `--format gitlab` (GitLab Code Quality,
shown in the merge request)."""
from __future__ import annotations

import hashlib
import json
import re

from .problems import Problem, Problems

GITLAB_SEVERITY = {"fel": "critical", "varning": "minor", "tillåtet": "info"}


def problem_code(p: Problem) -> str:
    """A stable name for the kind of problem (for filters and for GitLab's check_name)."""
    if p.code:
        return p.code
    m = p.message
    rules = [("YAML-syntaxfel", "yaml-syntax"), ("inte sparad som UTF-8", "kodning"), ("står två gånger", "dubbel-nyckel"),
             ("personnummer", "personnummer"), ("samordningsnummer", "samordningsnummer"),
             ("Front matter", "front-matter"), ("Länken", "lank"), ("Bilden", "bild"), ("HTML", "html"),
             ("Skript", "html"), ("Attributet", "html"), ("Filnamnet", "filnamn"), ("Mappnamnet", "filnamn"),
             ("symboliska länken", "symbolisk-lank"), ("finns inte", "okand-referens"), ("Okänd nyckel", "okand-nyckel"),
             ("saknas", "saknas"), ("datum", "datum"), ("Platshållare", "platshallare"), ("står kvar", "platshallare")]
    for needle, code in rules:
        if needle.lower() in m.lower():
            return code
    return re.sub(r"[^a-z0-9]+", "-", (p.key or p.severity).lower()).strip("-") or "styrdok"


def as_json(problems: Problems) -> str:
    rows = [{"file": p.file, "line": p.line, "column": p.column, "severity": p.severity, "code": problem_code(p),
             "key": p.key, "message": p.message} for p in problems.sorted()]
    return json.dumps(rows, ensure_ascii=False, indent=2)


def as_gitlab(problems: Problems) -> str:
    out = []
    for p in problems.sorted():
        fingerprint = hashlib.sha256(f"{p.file}\0{p.line}\0{p.key}\0{p.message}".encode()).hexdigest()
        out.append({
            "description": p.message if not p.key else f"{p.key}: {p.message}",
            "check_name": problem_code(p),
            "fingerprint": fingerprint,
            "severity": GITLAB_SEVERITY.get(p.severity, "info"),
            "location": {"path": p.file, "lines": {"begin": p.line or 1}},
        })
    return json.dumps(out, ensure_ascii=False, indent=2)
