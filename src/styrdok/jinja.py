"""The one Jinja environment factory: strict everywhere (site macros, Markdown fragments, Word)."""
from __future__ import annotations

import functools
import hashlib
import types
from pathlib import Path

import jinja2
from jinja2.bccache import Bucket

from . import formatting
from .engine import templates_dir


# The templates that ship with styrdok (styrdok.engine: package data, or the repository's templates/).
# A handbook may override any of them with a file of the same name under its own templates/.
DEFAULT_TEMPLATES = templates_dir()


class CompiledOnce(jinja2.BytecodeCache):
    """Compiled templates kept in this process, by their source text (and the environment's escaping),
    whatever folder they are read from.

    Each handbook has its own template folders, so each build made new environments and compiled every
    template again (a third of the time of a `styrdok check` of a small handbook; what the preview and
    the tests, which build many handbooks in one process, did over and over). A template whose text
    changes is compiled again; one read from another folder gets its code under its own file name, so
    errors and tracebacks name the file that was read."""

    LIMIT = 4000            # distinct template texts kept (an edited template adds one); then start over

    def __init__(self) -> None:
        self._code: dict[str, types.CodeType] = {}

    def get_bucket(self, environment, name, filename, source):
        key = hashlib.sha1(f"{_compiles_as(environment)}|{name}|{source}".encode("utf-8")).hexdigest()
        bucket = Bucket(environment, key, "")
        code = self._code.get(key)
        if code is not None:
            bucket.code = _relabelled(code, filename or "<template>")
        return bucket

    def set_bucket(self, bucket) -> None:
        if len(self._code) >= self.LIMIT:
            self._code.clear()
        self._code[bucket.key] = bucket.code

    def load_bytecode(self, bucket) -> None:       # not used: get_bucket keeps the code objects themselves
        pass

    def dump_bytecode(self, bucket) -> None:
        pass


class CompiledOnceThenStored(jinja2.BytecodeCache):
    """CompiledOnce in front of another bytecode cache (MkDocs' theme environment: the handbook's own
    .cache/site/jinja, which a later `styrdok build` process reads): code kept in this process is used
    first, then what the other cache stored, and only then is a template compiled (and given to both).
    A template this process compiled for another handbook's folder is not written to this one's store."""

    def __init__(self, stored: jinja2.BytecodeCache, kept: CompiledOnce | None = None) -> None:
        self.kept = kept or _COMPILED
        self.stored = stored

    def get_bucket(self, environment, name, filename, source):
        bucket = self.kept.get_bucket(environment, name, filename, source)
        if bucket.code is None:
            stored = self.stored.get_bucket(environment, name, filename, source)
            if stored.code is not None:
                bucket.code = stored.code
                self.kept.set_bucket(bucket)
            else:
                bucket.stored = stored
        return bucket

    def set_bucket(self, bucket) -> None:
        self.kept.set_bucket(bucket)
        stored = getattr(bucket, "stored", None)
        if stored is not None:
            stored.code = bucket.code
            self.stored.set_bucket(stored)

    def load_bytecode(self, bucket) -> None:
        pass

    def dump_bytecode(self, bucket) -> None:
        pass


def _compiles_as(environment: jinja2.Environment) -> str:
    """What, besides a template's text, decides the code it compiles to: the syntax and whitespace
    options, the extensions (MkDocs' theme has i18n), escaping, finalize, async."""
    e = environment
    return repr((e.block_start_string, e.block_end_string, e.variable_start_string, e.variable_end_string,
                 e.comment_start_string, e.comment_end_string, e.line_statement_prefix,
                 e.line_comment_prefix, e.trim_blocks, e.lstrip_blocks, e.newline_sequence,
                 e.keep_trailing_newline, sorted(e.extensions), e.autoescape, e.undefined.__name__,
                 getattr(e, "newstyle_gettext", None), e.optimized, e.finalize, e.is_async,
                 e.code_generator_class))


def _relabelled(code: types.CodeType, filename: str) -> types.CodeType:
    """code (with the functions inside it) as if compiled from filename."""
    if code.co_filename == filename:
        return code
    consts = tuple(_relabelled(c, filename) if isinstance(c, types.CodeType) else c for c in code.co_consts)
    return code.replace(co_filename=filename, co_consts=consts)


_COMPILED = CompiledOnce()


def make_env(templates_dir: Path | None = None, *, autoescape: bool = False) -> jinja2.Environment:
    """A Jinja environment that fails loudly on an undefined name.

    `templates_dir` is the folder whose templates `{% include %}`/`get_template` may load;
    Markdown fragments are not HTML, so autoescape is off unless asked for (docxtpl, HTML).
    """
    loader = None
    if templates_dir is not None:
        sub = templates_dir.name
        search = [templates_dir, DEFAULT_TEMPLATES / sub]
        loader = jinja2.FileSystemLoader([str(p) for p in dict.fromkeys(search)])
    env = jinja2.Environment(loader=loader, undefined=jinja2.StrictUndefined, autoescape=autoescape,
                             keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True,
                             bytecode_cache=_COMPILED)
    env.filters.update(formatting.FILTERS)
    return env


@functools.lru_cache(maxsize=None)
def shared_env(templates_dir: Path | None = None, *, autoescape: bool = False) -> jinja2.Environment:
    """The environment of make_env, made once per folder: its compiled templates are kept.

    A fresh environment per page compiled every template again (17 s of 28 s in `styrdok check` at
    2,000 pages). Jinja's loader still notices an edited template file (auto_reload), so the
    preview stays right. Callers must not change the returned environment.
    """
    return make_env(templates_dir, autoescape=autoescape)


def page_source(template: str, **values) -> str:
    """The Markdown source of a generated page (templates/sidor/), data in it escaped as text."""
    return shared_env(DEFAULT_TEMPLATES / "sidor", autoescape=True).get_template(template).render(**values)
