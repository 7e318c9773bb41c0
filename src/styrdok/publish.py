"""Publishing: the site, and the outputs registered beside it (Word, later PDF), chosen by name.

An output is one module in styrdok/outputs/ that calls `register(Output(...))`: a name ("word"), the folder it writes
inside the site (word/), how to make it (a build step that writes into the new site's folder) and
the Swedish words the build uses for it. `publish` runs the check once, builds the site with every
output that is not skipped, and swaps it into place; `only` makes one output again without
rebuilding the site. cli.py only parses arguments and calls `publish`.

Every output is made into a temporary folder and moved into place only when all of it worked,
so a failure leaves the published site (and each output) as it was.
"""
from __future__ import annotations

import io
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .model import Handbook

Step = Callable[[Path], None]


@dataclass(frozen=True)
class Output:
    """A format published with the site, in its own folder of it."""

    name: str                                   # "word": the name in `build --utan`/`--bara`
    folder: str                                 # where it lives in the site: "word" -> site/word/
    files: str                                  # Swedish, for messages: "Word-filerna"
    label: str                                  # Swedish, for messages: "förra bygget med Word"
    make: Callable[[Handbook, Path], Step]      # (handbook, root) -> step writing <site_tmp>/<folder>/
    order: int = 100                            # outputs run in this order (then by name)


OUTPUTS: dict[str, Output] = {}


def register(output: Output) -> Output:
    OUTPUTS[output.name] = output
    return output


def outputs() -> list[Output]:
    """Every registered output (each module in styrdok/outputs/ imported: it registers itself), in build order."""
    import importlib
    import pkgutil
    from . import outputs as package
    for module in pkgutil.iter_modules(package.__path__):
        importlib.import_module(f"{package.__name__}.{module.name}")
    return sorted(OUTPUTS.values(), key=lambda o: (o.order, o.name))


def keep_step(output: Output, site_dir: Path) -> Step:
    """Build step for a skipped output: its folder from the published site, hard-linked into the new
    one, so the pages' links keep working; the files are as the last build that made them."""
    def step(site_tmp: Path) -> None:
        from .outputfiles import link_or_copy_tree
        old = site_dir / output.folder
        if old.is_dir():
            link_or_copy_tree(old, site_tmp / output.folder)
    return step


def replace_output_folder(output: Output, handbook: Handbook, root: Path, site_dir: Path) -> None:
    """`--bara NAME`: make one output into a new folder and swap it in; the rest of site/ is not
    touched, and the old folder stays if making it fails."""
    import shutil
    import tempfile
    from .outputfiles import make_servable, remove_stale_temps, temp_prefix
    from .site.build import replace_dir
    site_dir.mkdir(parents=True, exist_ok=True)
    target = site_dir / output.folder
    remove_stale_temps(target)           # what a killed --bara left inside site/
    tmp = Path(tempfile.mkdtemp(prefix=temp_prefix(target, "bygge"), dir=site_dir))
    try:
        output.make(handbook, root)(tmp)
        make_servable(tmp)
        replace_dir(tmp / output.folder, target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def publish(root: Path, site_dir: Path, *, skip: frozenset[str] = frozenset(), only: str | None = None) -> int:
    """Check, then build the site with its outputs (or only one output); the exit code."""
    from .memo import session
    with session(root):
        return _publish(root, site_dir, skip, only)


def _publish(root: Path, site_dir: Path, skip: frozenset[str], only: str | None) -> int:
    from .check import check_project, print_problems
    from .site.build import BuildError, build_site
    from .site.cache import BuildMemo, forget_build
    chosen = outputs()
    what = f"site/{OUTPUTS[only].folder}/" if only else "site/"
    complete = not skip                  # the build memo holds complete builds and site-only ones
    memo = None if only else BuildMemo(root, site_dir)
    messages = memo.lookup(complete) if memo else None
    if messages is not None:
        # Every input is as in the build that published site/, and site/ is as it wrote it (with the
        # outputs when this one makes them): its check said this, and its output is site/ as it is.
        print(messages, end="", file=sys.stderr)
        return _built(site_dir, skip, only)
    handbook, problems = check_project(root)
    text = io.StringIO()
    print_problems(problems, stream=text)
    messages = text.getvalue()
    print(messages, end="", file=sys.stderr)
    if problems.errors or handbook is None:
        print(f"Bygget avbröts: inget i {what} har ändrats.", file=sys.stderr)
        return 1
    try:
        if only:
            forget_build(root)
            replace_output_folder(OUTPUTS[only], handbook, root, site_dir)
        else:
            from .editor import editor_step
            from .site.csp import csp_step
            steps = [keep_step(o, site_dir) if o.name in skip else o.make(handbook, root) for o in chosen]
            build_site(root, site_dir, extra_steps=[*steps, editor_step(handbook, root), csp_step],
                       handbook=handbook, search=True)
    except BuildError as exc:
        print(f"fel: {exc}\nBygget avbröts: inget i {what} har ändrats.", file=sys.stderr)
        return 1
    if memo is not None:
        memo.store(messages, complete)
    return _built(site_dir, skip, only)


def progress(done: int, total: int) -> None:
    """A one-line progress bar on stderr for long exports."""
    if total < 5 or not sys.stderr.isatty():
        return
    width = 30
    filled = width * done // total
    print(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} dokument", end="" if done < total else "\n",
          file=sys.stderr, flush=True)


_LINK = re.compile(rb'(?:href|src)="([^"#?]+)')


def broken_links(site_dir: Path, folders: list[str]) -> dict[str, list[str]]:
    """folder -> the files in site/<folder>/ that the site's pages link to and that are not there
    (paths in the site, sorted): what a skipped output would have made for a new or renamed document.
    One pass over the pages for all the folders."""
    import posixpath
    import urllib.parse
    from .scan import URL_SCHEME
    markers = [f"{folder}/".encode() for folder in folders]
    broken: dict[str, set[str]] = {folder: set() for folder in folders}
    for page in site_dir.rglob("*.html"):
        here = page.relative_to(site_dir).as_posix()
        data = page.read_bytes()
        if not any(marker in data for marker in markers):
            continue
        for m in _LINK.finditer(data):
            url = urllib.parse.unquote(m.group(1).decode("utf-8", "replace"))
            if URL_SCHEME.match(url):
                continue
            target = posixpath.normpath(url.lstrip("/") if url.startswith("/")
                                        else posixpath.join(posixpath.dirname(here), url))
            folder = target.split("/", 1)[0]
            if folder in broken and not here.startswith(f"{folder}/") and not (site_dir / target).is_file():
                broken[folder].add(target)
    return {folder: sorted(paths) for folder, paths in broken.items()}


def _built(site_dir: Path, skip: frozenset[str], only: str | None) -> int:
    if only:
        output = OUTPUTS[only]
        print(f"{output.files} är skrivna i {site_dir / output.folder}; webbplatsen byggdes inte om.",
              file=sys.stderr)
    elif skip:
        print(f"Webbplatsen är byggd i {site_dir}.", file=sys.stderr)
        skipped = [OUTPUTS[name] for name in sorted(skip)]
        missing = broken_links(site_dir, [output.folder for output in skipped])
        for output in skipped:
            flag = f"--utan-{output.name}" if output.name == "word" else f"--utan {output.name}"
            again = f"'styrdok build --bara-{output.name}'" if output.name == "word" else \
                f"'styrdok build --bara {output.name}'"
            broken = missing[output.folder]
            if broken:
                some = ", ".join(broken[:3]) + (" …" if len(broken) > 3 else "")
                print(f"varning: {output.files} gjordes inte ({flag}), och sidorna länkar till {len(broken)} "
                      f"{'fil' if len(broken) == 1 else 'filer'} som inte finns i {output.folder}/ ({some}): "
                      f"länkarna fungerar inte förrän du kör {again}.", file=sys.stderr)
            elif (site_dir / output.folder).is_dir():
                print(f"{output.files} gjordes inte om ({flag}): {output.folder}/ är från förra bygget med "
                      f"{output.label}. Kör {again} för att göra om dem.", file=sys.stderr)
            else:
                print(f"{output.files} gjordes inte ({flag}). Kör {again} för att göra dem.", file=sys.stderr)
    else:
        print(f"Handboken är byggd i {site_dir}.", file=sys.stderr)
    return 0
