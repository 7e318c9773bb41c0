"""How many processes styrdok runs at once for its own work (page helpers, Word conversion, PDF):
STYRDOK_JOBS when it is a positive whole number, else one per core. STYRDOK_JOBS=1 keeps everything in
one process (the tests, which already run one test per core, and a machine shared with others)."""
from __future__ import annotations

import os


def jobs() -> int:
    value = os.environ.get("STYRDOK_JOBS", "")
    return int(value) if value.isdigit() and int(value) > 0 else (os.cpu_count() or 1)
