"""STYRDOK_JOBS: how many processes styrdok's own work uses (page helpers, the Word export's pandoc)."""
from __future__ import annotations

import os

from styrdok.cores import jobs


def test_styrdok_jobs_is_a_positive_whole_number_else_every_core(monkeypatch):
    for value, expected in (("1", 1), ("3", 3), ("0", os.cpu_count()), ("två", os.cpu_count()),
                            ("", os.cpu_count())):
        monkeypatch.setenv("STYRDOK_JOBS", value)
        assert jobs() == expected, value
    monkeypatch.delenv("STYRDOK_JOBS")
    assert jobs() == os.cpu_count()
