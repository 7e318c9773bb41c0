"""Writes into YAML that people also edit by hand (front matter, data files).

Everything goes through ruamel.yaml's round-trip mode: comments, key order, quoting, flow style
(`[a, b]`, `{…}`) and the file's indentation stay as they were; only the values a command changes
are new, and every value is quoted as YAML needs it (a title like "Rutin: hot" or "yes" stays text).
Reading for validation stays with PyYAML (styrdok.yamlio), which keeps lines for messages.
"""
from __future__ import annotations

import io
from typing import Any, Callable, Mapping

import yaml as pyyaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.representer import RoundTripRepresenter
from ruamel.yaml.scalarstring import DoubleQuotedScalarString
from ruamel.yaml.util import load_yaml_guess_indent

__all__ = ["CommentedMap", "edit_yaml", "dump_yaml", "flow_map", "flow_seq", "quoted"]


class _Representer(RoundTripRepresenter):
    """Text that styrdok's reader (PyYAML, YAML 1.1) would take for something else — yes, no, on,
    off, ~, 1:20 — is written in double quotes; ruamel.yaml alone (YAML 1.2) would leave it bare.

    A value written twice is written twice: ruamel.yaml would write one date object used for both
    galler_fran and a decision's datum as `&id001 2026-11-05` and `*id001`, and a SAS who then
    corrected galler_fran by hand would have moved the decision's date with it. Only an anchor the
    file itself had is kept."""

    def ignore_aliases(self, data) -> bool:
        return getattr(getattr(data, "anchor", None), "value", None) is None


def _represent_str(representer: _Representer, data: str):
    tag = _RESOLVER.resolve(pyyaml.ScalarNode, data, (True, False))
    style = '"' if tag != "tag:yaml.org,2002:str" else None
    return representer.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_RESOLVER = pyyaml.resolver.Resolver()
_Representer.add_representer(str, _represent_str)


def _yaml(indent: int | None = None, seq_offset: int | None = None) -> YAML:
    y = YAML(typ="rt")
    y.Representer = _Representer
    y.preserve_quotes = True
    y.width = 4096                     # never fold a long title or summary onto two lines
    y.allow_unicode = True
    if seq_offset is None:             # no block list in the file: lists as styrdok writes them ("  - …")
        y.indent(mapping=indent or 2, sequence=4, offset=2)
    else:
        y.indent(mapping=2, sequence=indent or seq_offset + 2, offset=seq_offset)
    return y


def _dump(y: YAML, data: Any) -> str:
    out = io.StringIO()
    y.dump(data, out)
    return out.getvalue()


def edit_yaml(text: str, change: Callable[[CommentedMap], None]) -> str:
    """text (a YAML mapping) after change(mapping) has edited it in place, everything else kept."""
    data, indent, seq_offset = load_yaml_guess_indent(text)
    if data is None:
        data = CommentedMap()
    change(data)
    out = _dump(_yaml(indent, seq_offset), data)
    return out.replace("\n", "\r\n") if "\r\n" in text else out


def dump_yaml(data: Mapping[str, Any]) -> str:
    """A new YAML mapping (keys in the given order; lists and maps as flow_seq/flow_map made them)."""
    return _dump(_yaml(), CommentedMap(data))


def flow_seq(items=()) -> CommentedSeq:
    """A list written on one line: `[a, b]` (`[]` when empty)."""
    seq = CommentedSeq(items)
    seq.fa.set_flow_style()
    return seq


def flow_map(items) -> CommentedMap:
    """A mapping written on one line: `{instans: sn, datum: 2026-03-12}`."""
    mapping = CommentedMap(items)
    mapping.fa.set_flow_style()
    return mapping


def quoted(text: str) -> DoubleQuotedScalarString:
    """A value written in double quotes whatever it contains (paragraf "45", version "2.0")."""
    return DoubleQuotedScalarString(text)
