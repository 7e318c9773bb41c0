"""Which source files changed since the last look (polling: no dependency, same on every system).

The preview looks before it serves a page and a few times a second in between. A look stats the
files under the watched folders (at 2,000 documents a few hundredths of a second); a Markdown file
whose size or time changed is read to tell a change of its text from a change of its front matter
(the front matter feeds the model: titles, overviews, related documents).
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

WATCHED = ("docs", "data", "templates", "overrides", "macros")
WATCHED_FILES = ("mkdocs.yml",)
SKIP_DIRS = {"__pycache__", ".git", ".cache", "site", "node_modules"}


@dataclass
class Changes:
    """What changed: pages whose text alone changed (docs/…, by their path under docs/); files whose
    change the model follows (a page's front matter, a file in data/); anything else (templates,
    config, the theme overrides, a file added or removed)."""
    text_only: set[str] = field(default_factory=set)
    model: list[str] = field(default_factory=list)
    other: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.text_only or self.model or self.other)

    def names(self) -> list[str]:
        return [*self.other, *self.model, *(f"docs/{src}" for src in sorted(self.text_only))]


def front_matter(data: bytes) -> bytes:
    """The front matter block of a Markdown file (b"" without one); a byte-order mark before it
    (a Windows editor's UTF-8) is part of it."""
    if data.startswith(b"\xef\xbb\xbf---"):
        return b"\xef\xbb\xbf" + front_matter(data[3:])
    if not data.startswith(b"---"):
        return b""
    end = data.find(b"\n---", 3)
    return data[:end + 4] if end > 0 else data


class Watcher:
    def __init__(self, root: Path):
        self.root = Path(root)
        self.stamps: dict[str, tuple[int, int]] = {}
        self.fronts: dict[str, bytes] = {}
        self.stamps = self._stat_all()
        for rel in self.stamps:
            if rel.endswith(".md"):
                self.fronts[rel] = self._front(rel)

    def _front(self, rel: str) -> bytes:
        try:
            return front_matter((self.root / rel).read_bytes())
        except OSError:
            return b""

    def _stat_all(self) -> dict[str, tuple[int, int]]:
        out: dict[str, tuple[int, int]] = {}
        for name in WATCHED_FILES:
            try:
                st = os.stat(self.root / name)
                out[name] = (st.st_mtime_ns, st.st_size)
            except OSError:
                pass
        # Plain strings, not Path or relpath: the preview looks four times a second and before every
        # page it serves; at 2,000 documents relpath alone was most of a look.
        stack = [(os.path.join(self.root, name), name + "/") for name in WATCHED]
        while stack:
            folder, rel = stack.pop()
            try:
                entries = os.scandir(folder)
            except OSError:
                continue
            with entries:
                for entry in entries:
                    name = entry.name
                    if entry.is_dir(follow_symlinks=False):
                        if name not in SKIP_DIRS:
                            stack.append((entry.path, rel + name + "/"))
                    elif name.endswith(("~", ".tmp", ".swp")) or name.startswith(".#"):
                        continue            # editors' temporary files
                    else:
                        try:
                            st = entry.stat()
                        except OSError:
                            continue
                        out[rel + name] = (st.st_mtime_ns, st.st_size)
        return out

    def scan(self) -> Changes:
        """The changes since the previous scan (or since the watcher was made)."""
        now = self._stat_all()
        changes = Changes()
        if now == self.stamps:
            return changes
        added = now.keys() - self.stamps.keys()
        removed = self.stamps.keys() - now.keys()
        changes.other.extend(sorted(added | removed))
        for rel in sorted(now.keys() & self.stamps.keys()):
            if now[rel] == self.stamps[rel]:
                continue
            if rel.startswith("docs/") and rel.endswith(".md"):
                front = self._front(rel)
                if front == self.fronts.get(rel):
                    changes.text_only.add(rel[len("docs/"):])
                    continue
                self.fronts[rel] = front
                changes.model.append(rel)
            elif rel.startswith("data/"):
                changes.model.append(rel)
            else:
                changes.other.append(rel)
        for rel in added:
            if rel.endswith(".md"):
                self.fronts[rel] = self._front(rel)
        for rel in removed:
            self.fronts.pop(rel, None)
        self.stamps = now
        return changes
