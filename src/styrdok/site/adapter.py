"""mkdocs-macros glue: load the model once, register the macros, give pages their metadata card.

Everything here only connects MkDocs to the package; what pages show is decided by the model,
the Markdown templates (templates/markdown/) and the theme overrides (overrides/).
"""
from __future__ import annotations

from pathlib import Path

from ..load import current_date, load_handbook
from ..changes import revisions, senast_reviderad
from ..parts import generated_files, generated_pages
from ..model import Handbook
from ..problems import SourceError
from ..render.markdown import abbreviation_lines, macro_functions, make_context, page_url

_STATE_KEY = "_styrdok_handbook"
# The handbook loaded by the macros plugin for this build (on_config runs before the hook's on_files).
_CURRENT: dict[str, Handbook] = {}


def register(env) -> None:
    """define_env: load and validate the handbook, then register every macro."""
    root = Path(env.project_dir)
    handbook, problems = load_handbook(root)
    if handbook is None or problems.errors:
        raise SourceError(problems)
    env.variables[_STATE_KEY] = handbook
    _CURRENT["handbook"] = handbook
    env.conf["copyright"] = f"{handbook.kommun.namn} – socialtjänstens ledningssystem"
    ctx = make_context(handbook, root / "templates", lambda: env.page.file.src_uri)
    for name, function in macro_functions(ctx).items():
        env.macro(function, name)


def before_page(env) -> None:
    """on_pre_page_macros: title, metadata card and edit link of a styrdokument page."""
    handbook: Handbook = env.variables[_STATE_KEY]
    page = env.page
    doc = handbook.dokument_by_path(page.file.src_uri)
    if doc is not None:
        page.meta["title"] = doc.titel
        page.meta["styrdok"] = {
            "doc": doc, "falt": handbook.kommun.falt,
            "senast_reviderad": senast_reviderad(handbook, doc),
            "overdue": doc.nasta_revidering < current_date(),
            "relaterade": [{"titel": r.titel, "url": page_url(r.src_path)} for r in doc.relaterade],
            "revisions": revisions(handbook, doc),
            "word_url": None,
        }
    if handbook.kommun.redigera_url:
        page.edit_url = handbook.kommun.redigera_url.rstrip("/") + "/docs/" + page.file.src_uri


def after_page(env) -> None:
    """on_post_page_macros: abbreviations from begrepp, explained on hover on every page."""
    handbook: Handbook = env.variables[_STATE_KEY]
    env.markdown = env.markdown.rstrip("\n") + "\n\n" + abbreviation_lines(handbook) + "\n"


def add_generated_pages(files, config):
    """on_files: pages made from data, whose Markdown calls macros like any other page."""
    from mkdocs.structure.files import File

    handbook = _CURRENT.get("handbook")
    if handbook is None:
        return files
    for src_uri, content in [*generated_pages(handbook), *generated_files(handbook)]:
        if files.get_file_from_path(src_uri) is None:
            files.append(File.generated(config, src_uri, content=content))
    return files
