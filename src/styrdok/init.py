"""`styrdok init MAPP --kommun "Namn"`: a working handbook for a new kommun (kommun.yml, roller,
begrepp, lagrum, one document of each type, mkdocs.yml using the styrdok plugin, a README for its
editors). The files are Jinja templates under the engine's templates/init/; the new handbook holds
only content and configuration, the engine's templates, theme, CSS and JS stay in the package."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from .jinja import DEFAULT_TEMPLATES, make_env


class InitError(Exception):
    """The handbook could not be created (Swedish message); nothing was written."""


# Without these a new handbook neither checks nor builds: an installation whose templates/init/ lacks one
# (a wheel packaged without its data files) is refused before anything is written.
REQUIRED = ("mkdocs.yml", "data/kommun.yml", "data/roller.yml", "docs/index.md")


def init_handbook(folder: Path, kommun: str, *, today: dt.date) -> list[Path]:
    """Write the new handbook into folder (which must be missing or empty); the files written."""
    kommun = " ".join(kommun.split())
    if not kommun:
        raise InitError("Ange kommunens namn, t.ex. --kommun \"Älvstads kommun\".")
    folder = Path(folder)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise InitError(f"{folder} finns redan och är inte tom. Välj en ny mapp.")
    source = DEFAULT_TEMPLATES / "init"
    env = make_env(source)
    values = {"kommun": kommun, "kommun_yaml": json.dumps(kommun, ensure_ascii=False),
              "site_name_yaml": json.dumps(f"{kommun} – handbok för ledningssystemet", ensure_ascii=False),
              "idag": today.isoformat()}
    rendered = {}
    for path in sorted(source.rglob("*.j2")):
        rel = path.relative_to(source).as_posix()[:-3]
        target = ".gitignore" if rel == "gitignore" else rel
        rendered[target] = env.get_template(path.relative_to(source).as_posix()).render(**values)
    missing = [rel for rel in REQUIRED if rel not in rendered]
    if missing:
        raise InitError(f"Mallarna för en ny handbok saknas i installationen ({source}: "
                        f"{', '.join(rel + '.j2' for rel in missing)}). Installera om styrdok, "
                        "t.ex. pip install --force-reinstall styrdok.")
    written = []
    for rel, text in rendered.items():
        out = folder / rel
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
        written.append(out)
    return written
