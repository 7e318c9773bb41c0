"""Results of slow pure functions, kept between runs of one command in .cache/memo/.

After a one-page edit at 2,000 documents, a build spent most of its time computing again what
depends only on unchanged text: the personnummer and placeholder scan of every file (check), the
review calendars (.ics) and every page's extra search words. Each such result is stored under a
digest of everything the function reads (its arguments, and styrdok's code and installed
versions), so a hit gives exactly what the function would have returned.

Only a command that opens a session (`styrdok build`, `styrdok check`) keeps results; elsewhere
(tests calling the functions, `mkdocs serve`) `cached` just calls the function. A session keeps
the entries its run used and drops the rest, so the files hold one build's worth.

    with session(root):
        findings = cached("text", (text, flags), lambda: scan_text(text, ...))
"""
from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import tempfile
from pathlib import Path
from typing import Any, Callable, Iterator, TypeVar

T = TypeVar("T")
_MISSING = object()
_SESSION: dict[str, Any] = {}


class _Store:
    """One named memo: the entries read at the start, the entries used by this run."""

    def __init__(self, folder: Path, name: str):
        self.path = folder / f"{name}.pickle"
        try:
            self.old: dict[str, Any] = pickle.loads(self.path.read_bytes())
            if not isinstance(self.old, dict):
                self.old = {}
        except Exception:               # missing, damaged or from another Python: start empty
            self.old = {}
        self.new: dict[str, Any] = {}
        self.updated = False            # a value kept under its key was brought up to date (holds)

    def get(self, key: str, compute: Callable[[], T], holds: Callable[[T], T | None] | None = None) -> T:
        value = self.new.get(key, _MISSING)
        if value is _MISSING:
            value = self.old.get(key, _MISSING)
            if value is not _MISSING and holds is not None:
                held = holds(value)
                self.updated |= held is not value
                value = _MISSING if held is None else held
            if value is _MISSING:
                value = compute()
            self.new[key] = value
        return value

    def save(self) -> None:
        if self.new.keys() == self.old.keys() and not self.updated:
            return
        with contextlib.suppress(OSError):
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".tmp-")
            try:
                with os.fdopen(fd, "wb") as out:
                    pickle.dump(self.new, out, protocol=pickle.HIGHEST_PROTOCOL)
                os.replace(tmp, self.path)
            finally:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)


@contextlib.contextmanager
def session(root: Path, *, save: bool = True) -> Iterator[None]:
    """Keep results under root/.cache/memo/ while the block runs; written when it ends without error.
    save=False: only read them (the preview: what it used is not a build's worth, and the next build
    would lose the rest)."""
    from .site.cache import code_version
    if _SESSION:                        # nested: the outer session keeps them
        yield
        return
    _SESSION.update(folder=Path(root) / ".cache" / "memo", code=code_version(), stores={})
    try:
        yield
        for store in _SESSION["stores"].values() if save else ():
            store.save()
    finally:
        _SESSION.clear()


def digest(parts: Any) -> str:
    """A digest of plain values (text, bytes, numbers, tuples, lists, dicts, frozen dataclasses with
    such fields): their repr, which is stable for these types."""
    h = hashlib.sha256()
    h.update(repr(parts).encode("utf-8", "surrogatepass"))
    return h.hexdigest()


def _store(name: str) -> _Store:
    stores = _SESSION["stores"]
    store = stores.get(name)
    if store is None:
        store = stores[name] = _Store(_SESSION["folder"], name)
    return store


def cached(name: str, parts: Any, compute: Callable[[], T],
           holds: Callable[[T], T | None] | None = None) -> T:
    """compute(), or what it returned in an earlier run for the same parts (in a session).

    holds: for a result that also depends on something not in parts, given what an earlier run
    stored it returns the value that holds in this run (that value, or it brought up to date), or
    None: computed again."""
    if not _SESSION:
        return compute()
    return _store(name).get(digest((_SESSION["code"], parts)), compute, holds)


def earlier(name: str, parts: Any) -> Any:
    """What an earlier run stored under parts (None if nothing): read, not kept for the next run."""
    if not _SESSION:
        return None
    return _store(name).old.get(digest((_SESSION["code"], parts)))
