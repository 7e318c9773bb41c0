"""YAML with line numbers: every value's line is kept so a problem can name it.

`load_yaml` returns the plain data and a `LineMap` from key paths (as pydantic reports them,
e.g. ("namnder", 2, "id")) to 1-based lines. Syntax errors and duplicate keys become problems.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

from .problems import Problems
from .scan import FRONT_MATTER, INVISIBLE, LATE_FRONT_MATTER, ODD_SPACES, OPENED


class _Loader(yaml.SafeLoader):
    """SafeLoader that keeps an impossible date (2025-02-30) as text, so validation can name it."""

    def construct_yaml_timestamp(self, node):
        try:
            return yaml.constructor.SafeConstructor.construct_yaml_timestamp(self, node)
        except ValueError:
            return self.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)

# The same loader on libyaml's C parser, when PyYAML has it: parsing front matter was 60 % of
# `styrdok check` at 2,000 pages with the pure-Python parser. Errors are re-raised by the
# pure-Python loader so that messages and lines stay the same.
_FastLoader = None
if getattr(yaml, "__with_libyaml__", False):
    class _FastLoader(yaml.CSafeLoader):  # type: ignore[no-redef]
        construct_yaml_timestamp = _Loader.construct_yaml_timestamp

    _FastLoader.add_constructor("tag:yaml.org,2002:timestamp", _FastLoader.construct_yaml_timestamp)


def _parse(text: str):
    """(node, data) from one pass: compose once, construct the data from that node."""
    for loader_class in ((_FastLoader, _Loader) if _FastLoader else (_Loader,)):
        loader = loader_class(text)
        try:
            node = loader.get_single_node()
            return node, (loader.construct_document(node) if node is not None else None)
        except yaml.YAMLError:
            if loader_class is _Loader:
                raise
        finally:
            loader.dispose()
    raise AssertionError("unreachable")


@dataclass(frozen=True)
class LineMap:
    lines: dict[tuple, int]
    first_line: int = 1

    def line(self, path: tuple) -> int | None:
        """The line of the deepest known prefix of path (a missing key points at its parent)."""
        path = tuple(path)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), self.first_line)


def _walk(node: yaml.Node, path: tuple, out: dict, offset: int, dupes: list) -> None:
    out[path] = node.start_mark.line + 1 + offset
    if isinstance(node, yaml.MappingNode):
        seen: set = set()
        for key_node, value_node in node.value:
            key = key_node.value
            if key in seen:
                dupes.append((key_node.start_mark.line + 1 + offset, path + (key,)))
            seen.add(key)
            out[path + (key,)] = key_node.start_mark.line + 1 + offset
            _walk(value_node, path + (key,), out, offset, dupes)
            out[path + (key,)] = key_node.start_mark.line + 1 + offset
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _walk(item, path + (i,), out, offset, dupes)


# PyYAML's problem texts, and what they mean for someone editing a file by hand.
_SYNTAX = [
    ("'\\t'", "Raden är indragen med ett tabbtecken. YAML tillåter bara mellanslag: ersätt tabben med "
                "mellanslag (två per nivå)."),
    ("mapping values are not allowed", "Ett kolon följt av mellanslag står mitt i ett värde, eller så är raden "
                                       "indragen fel. Sätt värdet inom citattecken (\"…: …\") eller rätta indraget."),
    ("could not find expected ':'", "Ett kolon saknas efter nyckeln, eller så fortsätter ett värde på nästa rad "
                                    "utan rätt indrag. Skriv 'nyckel: värde' på samma rad."),
    ("did not find expected key", "Indraget stämmer inte med raderna ovanför. Rader på samma nivå ska ha lika "
                                  "många mellanslag framför sig."),
    ("did not find expected '-' indicator", "En post i listan börjar inte med '- ' på samma indrag som de andra "
                                            "posterna. Rätta indraget."),
    ("expected <block end>", "Indraget stämmer inte med raderna ovanför. Rader på samma nivå ska ha lika många "
                             "mellanslag framför sig."),
    ("',' or ']'", "En hakparentes [ stängs aldrig. Lägg till ] i slutet av listan, eller "
                                         "sätt texten inom citattecken."),
    ("',' or '}'", "En klammerparentes { stängs aldrig. Lägg till } eller sätt texten inom "
                                         "citattecken."),
    ("found unexpected end of stream", "Ett citattecken eller en parentes stängs aldrig före filens slut. Lägg till "
                                       "det avslutande tecknet."),
    ("found unknown escape character", "Ett omvänt snedstreck (\\) inom dubbla citattecken. Använd enkla "
                                       "citattecken runt värdet i stället."),
    ("cannot start any token", "Ett värde börjar med ett tecken som YAML inte tillåter först (t.ex. @ eller `). "
                               "Sätt värdet inom citattecken."),
    ("found undefined alias", "Ett värde börjar med * (en hänvisning i YAML). Sätt värdet inom citattecken."),
    ("expected alphabetic or numeric character", "Ett värde börjar med & eller * (tecken med särskild betydelse i "
                                                 "YAML). Sätt värdet inom citattecken."),
]


def syntax_message(problem: str | None) -> str:
    """A Swedish explanation of a YAML syntax error, saying what to do."""
    for needle, text in _SYNTAX:
        if problem and needle in problem:
            return f"YAML-syntaxfel: {text}"
    return ("YAML-syntaxfel: filen går inte att läsa från den här raden. Kontrollera indraget (bara mellanslag), "
            "kolon efter varje nyckel och att citattecken och parenteser stängs, på raden och raden ovanför.")


# Spaces that look like a space but are not one to YAML: text copied from a web page, Word or a PDF
# brings them. In the indentation, or after the ':' of a key or the '-' of a list item, they break
# the structure and PyYAML's message points elsewhere.
_ODD_NAMES = {"\u00a0": "ett hårt mellanslag (U+00A0)", "\u00ad": "ett osynligt mjukt bindestreck (U+00AD)",
              "\u200b": "ett osynligt nollbreddsmellanslag (U+200B)", "\u202f": "ett smalt hårt mellanslag (U+202F)",
              "\u3000": "ett brett mellanslag (U+3000)", "\ufeff": "ett osynligt tecken (U+FEFF)"}
ODD = ODD_SPACES + INVISIBLE
_ODD_CHAR = re.compile(f"[{ODD}]")
_ODD_SPACE = re.compile(rf"^[ \t]*(?:- +)?(?:-|[^:#\n]*:)?(?P<c>[{ODD}])")


def odd_name(c: str) -> str:
    """A character that looks like a space or like nothing, named for a person."""
    return _ODD_NAMES.get(c, f"ett osynligt eller ovanligt mellanslag (U+{ord(c):04X})")


def odd_in(text: str) -> str | None:
    """The name of the first character in text that looks like a space or like nothing, or None."""
    m = _ODD_CHAR.search(text)
    return odd_name(m.group()) if m else None


def odd_space(text: str, last_line: int) -> tuple[int, str] | None:
    """(line, what) of the first space YAML does not count as one where it shapes the structure, in the
    lines up to last_line (1-based)."""
    for i, line in enumerate(text.split("\n")[:last_line], start=1):
        m = _ODD_SPACE.match(line)
        if m:
            return i, odd_name(m.group("c"))
    return None


def load_yaml(text: str, file: str, problems: Problems, *, first_line: int = 1) -> tuple[Any, LineMap] | None:
    """Parse YAML text; on a syntax error record a problem (the file is unreadable) and return None."""
    offset = first_line - 1
    try:
        node, data = _parse(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 + offset if mark else None
        odd = odd_space(text, mark.line + 2 if mark else len(text))
        if odd:
            problems.error(file, odd[0] + offset, f"YAML-syntaxfel: raden har {odd[1]} där YAML väntar sig ett "
                                                  "vanligt mellanslag. Det ser likadant ut men räknas inte som "
                                                  "indrag eller mellanrum (det följer ofta med text som kopierats "
                                                  "från en webbsida eller Word). Skriv om mellanslagen på raden.")
        else:
            problems.error(file, line, syntax_message(exc.problem))
        problems.unreadable(file)
        return None
    except yaml.YAMLError:  # pragma: no cover - non-marked errors are rare
        problems.error(file, None, syntax_message(None))
        problems.unreadable(file)
        return None
    lines: dict[tuple, int] = {}
    dupes: list = []
    if node is not None:
        _walk(node, (), lines, offset, dupes)
    for line, path in dupes:
        problems.unreadable(file)
        problems.error(file, line, f"Nyckeln '{path[-1]}' står två gånger i samma avsnitt. Ta bort den ena; "
                                   "annars gäller bara den sista.", key=".".join(map(str, path)))
    return data, LineMap(lines, first_line)




@dataclass(frozen=True)
class MarkdownSource:
    meta: dict
    lines: LineMap
    body: str
    body_first_line: int


def split_front_matter(text: str, file: str, problems: Problems) -> MarkdownSource | None:
    """Split a Markdown page into front matter (with lines) and body."""
    m = FRONT_MATTER.match(text)
    if not m:
        if OPENED.match(text):
            problems.error(file, 1, "Front matter som börjar med --- på rad 1 avslutas aldrig. Lägg till en rad "
                                    "med bara --- efter den sista uppgiften, före sidans text.")
            return None
        late = LATE_FRONT_MATTER.match(text)
        if late:
            line = late.group(1).count("\n") + 1
            problems.error(file, line, "Front matter ska börja på första raden i filen, men här står det något före "
                                       "---. Ta bort de tomma raderna (eller tecknen) före ---.")
            return None
        return MarkdownSource({}, LineMap({}), text, 1)
    yaml_text = m.group(1) or ""
    loaded = load_yaml(yaml_text, file, problems, first_line=2)
    if loaded is None:
        return None
    data, lines = loaded
    if data is None:
        data = {}
    if not isinstance(data, dict):
        problems.error(file, 2, "Front matter (mellan raderna ---) ska vara nycklar med värden, "
                                "t.ex. 'titel: Rutin för …'.")
        return None
    body_first_line = text.count("\n", 0, m.end()) + 1
    return MarkdownSource(data, lines, text[m.end():], body_first_line)
