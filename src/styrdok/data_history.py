"""History includes data: a commit that changes a file in data/ belongs to the history of every
document whose rendering it changed, and only those.

For each commit that touched data/ (from the one `git log` pass of styrdok.history), the documents
that could show that data (a macro whose source is the changed file, styrdok.decided.MACRO_SOURCES)
are rendered with the tree before and after the commit; those whose rendering differs get the
commit. The answer per commit never changes, so it is cached in .cache/beslutat/data-<commit>….json
(the first build after a data commit loads two trees; later builds read a few bytes). Only the
newest DATA_COMMITS_LIMIT data commits are attributed (older ones stay in the data file's history).

For readers, a kommun may choose to show only the date and the kind of change instead of commit
messages (`historik_for_lasare: andringstyp` in data/kommun.yml): see reader_message.
"""
from __future__ import annotations

import dataclasses
import json
import os

from .decided import MACRO_SOURCES, decided_index, macro_calls, render_site, tree_at
from .gitcmd import GitMissing, run as _git
from .history import Revision
from .model import Handbook, Styrdokument

DATA_PREFIX = "data/"
# How many of the newest data commits are attributed to documents. Each costs two loads of the
# handbook the first time (then it is cached); older data commits stay in the data files' history.
DATA_COMMITS_LIMIT = 40


def _sources(doc: Styrdokument) -> list[str]:
    """The data paths (a file, or a folder ending in /) this document's macros show."""
    out = []
    for _call, name in macro_calls(doc.body):
        where = MACRO_SOURCES.get(name, DATA_PREFIX)
        if where.startswith(DATA_PREFIX):
            out.append(where.split(" ")[0])
    return out


def _shows(sources: list[str], paths: set[str]) -> bool:
    return any(p == s or (s.endswith("/") and p.startswith(s)) for s in sources for p in paths)


def _affected(root, commit: str, candidates: list[str]) -> dict[str, bool]:
    """Which candidate documents render differently after commit than before it."""
    parent = _git(root, "rev-parse", "--verify", "--quiet", f"{commit}^")
    if parent.returncode != 0:
        return {d: False for d in candidates}
    templates = root / "templates"
    out = {}
    with tree_at(root, parent.stdout.decode().strip()) as (before, _), tree_at(root, commit) as (after, _):
        for doc_id in candidates:
            a = before.dokument.get(doc_id) if before else None
            b = after.dokument.get(doc_id) if after else None
            if a is None or b is None:
                out[doc_id] = False
                continue
            try:
                out[doc_id] = (render_site(before, templates, a.src_path, a.body)
                               != render_site(after, templates, b.src_path, b.body))
            except Exception:
                out[doc_id] = False
    return out


def _cached_affected(index, commit: str, candidates: list[str]) -> dict[str, bool]:
    path = index.cache_dir / f"data-{commit}-{index.digest()}.json"
    try:
        known = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        known = {}
    missing = [d for d in candidates if d not in known]
    if missing:
        known.update(_affected(index.root, commit, missing))
        try:
            index.cache_dir.mkdir(parents=True, exist_ok=True)
            ignore = index.cache_dir.parent / ".gitignore"
            if not ignore.exists():
                ignore.write_text("# Skapad av styrdok: cachen ska inte checkas in.\n*\n", encoding="utf-8")
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(json.dumps(known), encoding="utf-8")
            tmp.replace(path)
        except OSError:
            pass            # an unwritable cache only costs time
    return known


def data_revisions(handbook: Handbook) -> dict[str, tuple[Revision, ...]]:
    """Per document id: the data commits that changed its rendering, newest first."""
    return handbook.derived("data_revisions", lambda: _data_revisions(handbook))


def _data_revisions(handbook: Handbook) -> dict[str, tuple[Revision, ...]]:
    out: dict[str, list[Revision]] = {}
    index = decided_index(handbook)
    history = handbook.extra.get("history")
    if index is not None and history is not None:
        commits: dict[str, tuple[Revision, set[str]]] = {}
        for path, revs in history.by_path.items():
            if path.startswith(DATA_PREFIX):
                for r in revs:
                    commits.setdefault(r.commit, (r, set()))[1].add(path)
        sources = {d.id: _sources(d) for d in handbook.dokument.values()}
        order = commit_order(handbook)
        newest = sorted(commits, key=lambda c: order.get(c, 1 << 30))[:DATA_COMMITS_LIMIT]
        for commit in newest:
            rev, paths = commits[commit]
            candidates = sorted(i for i, s in sources.items() if s and _shows(s, paths))
            if not candidates:
                continue
            affected = _cached_affected(index, commit, candidates)
            for doc_id in candidates:
                if affected.get(doc_id):
                    message = f"{rev.message} (ändrat i {', '.join(sorted(paths))})"
                    out.setdefault(doc_id, []).append(dataclasses.replace(rev, message=message, path=sorted(paths)[0]))
    return {k: tuple(v) for k, v in out.items()}


def commit_order(handbook: Handbook) -> dict[str, int]:
    """Commit (short id) -> position in the history, newest first (for merging revisions)."""
    def compute() -> dict[str, int]:
        index = decided_index(handbook)
        if index is None:
            return {}
        try:
            proc = _git(index.root, "log", "--date-order", "--format=%h", "--", "docs", "data")
        except GitMissing:          # reported by the history loader (changes._load_history)
            return {}
        return {c: i for i, c in enumerate(proc.stdout.decode().split())} if proc.returncode == 0 else {}
    return handbook.derived("commit_order", compute)


def with_data(handbook: Handbook, doc: Styrdokument, own: tuple[Revision, ...]) -> tuple[Revision, ...]:
    """A document's own revisions and the data commits that changed it, newest first, once each."""
    extra = data_revisions(handbook).get(doc.id, ())
    if not extra:
        return own
    seen = {r.commit for r in own}
    merged = [*own, *(r for r in extra if r.commit not in seen)]
    order = commit_order(handbook)
    return tuple(sorted(merged, key=lambda r: (-r.date.toordinal(), order.get(r.commit, 1 << 30))))


def docs_changed_by(handbook: Handbook) -> dict[str, list[str]]:
    """Commit -> ids of the documents whose rendering that data commit changed."""
    out: dict[str, list[str]] = {}
    for doc_id, revs in data_revisions(handbook).items():
        for r in revs:
            out.setdefault(r.commit, []).append(doc_id)
    return out


def change_kind(message: str, data: bool = False) -> str:
    """The kind of change a commit is, from the messages `styrdok decide` writes (Swedish)."""
    if message.startswith("Redaktionell ändring:"):
        return "Redaktionell ändring"
    if message.startswith("Beslut:"):
        if "mindre ändring" in message:
            return "Mindre ändring (beslut)"
        if "omprövat utan ändring" in message:
            return "Omprövat utan ändring (beslut)"
        return "Beslut"
    return "Ändring genom data" if data else "Ändring"


def reader_message(handbook: Handbook, rev: Revision) -> Revision:
    """The revision as readers see it: the commit message, or only its kind when the kommun chose so."""
    if handbook.kommun.historik_for_lasare != "andringstyp":
        return rev
    return dataclasses.replace(rev, message=change_kind(rev.message, rev.path.startswith(DATA_PREFIX)),
                               author="–")
