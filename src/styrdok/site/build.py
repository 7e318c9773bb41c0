"""Build the site (and Word files) into a temporary folder; replace site/ only when all passed."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path


class BuildError(Exception):
    """The site build failed; site/ was left as it was."""


def run_mkdocs(root: Path, out_dir: Path) -> None:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet",
                           "-f", str(root / "mkdocs.yml"), "-d", str(out_dir)],
                          cwd=root, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        details = "\n".join(line for line in (proc.stderr + proc.stdout).splitlines() if line.strip())
        raise BuildError("MkDocs kunde inte bygga webbplatsen (--strict). Meddelanden från MkDocs:\n" + details)


def replace_dir(new: Path, target: Path) -> None:
    """Move new into place as target; the old target is removed only after the swap."""
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}-gammal-{os.getpid()}")
        os.replace(target, old)
    os.replace(new, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def build_site(root: Path, site_dir: Path, extra_steps=()) -> None:
    """mkdocs build into a temp folder beside site_dir, run extra steps on it, then swap it in."""
    site_dir = site_dir.resolve()
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{site_dir.name}-bygge-", dir=site_dir.parent))
    try:
        run_mkdocs(root, tmp)
        for step in extra_steps:
            step(tmp)
        replace_dir(tmp, site_dir)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
