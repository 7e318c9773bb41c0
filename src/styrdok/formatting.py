"""Small Swedish formatting helpers shared by templates (site fragments, Word)."""
from __future__ import annotations

import datetime as dt
import json

from markupsafe import Markup

MONTHS = ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september",
          "oktober", "november", "december")


def datum(value: dt.date | None) -> str:
    """ISO date, the form Swedish public documents use (2025-03-01)."""
    return value.isoformat() if value else "–"


def datum_lang(value: dt.date) -> str:
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def md_cell(value: object) -> str:
    """Text safe inside a Markdown table cell: no pipes, no line breaks."""
    return " ".join(str(value).replace("|", "/").split())


def join_names(items) -> str:
    return ", ".join(getattr(i, "namn", str(i)) for i in items)


def md_text(value: object) -> str:
    """Text from data made safe for Markdown: no HTML tag or entity in it can take effect (the site
    shows it as text, pandoc turns the entities back into the characters)."""
    return str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def sidtext(value: object) -> Markup:
    """Data written into a generated page's Markdown source: shown as text, never as HTML, and never
    read as Jinja when the page's macros are rendered."""
    return Markup(md_text(value).replace("{", "&#123;").replace("}", "&#125;"))


def ordagrant(markdown: str) -> Markup:
    """Rendered text put into a generated page as it is: not escaped, and not read as Jinja when the
    page's macros are rendered (a raw block that the text itself cannot close)."""
    return Markup("{% raw %}" + markdown.replace("{% endraw %}", "{{ '{% endraw %}' }}") + "{% endraw %}")


def yaml_str(value: object) -> Markup:
    """A YAML string (front matter) that no quote, colon or brace in the text can break."""
    return Markup(json.dumps(str(value), ensure_ascii=False).replace("{", "\\u007b").replace("}", "\\u007d"))


def makro(name: str, *args, **kwargs) -> Markup:
    """A macro call written into a generated page: `{{ process("id") }}` (arguments quoted as JSON)."""
    parts = [json.dumps(a, ensure_ascii=False) for a in args]
    parts += [f"{k}={json.dumps(v, ensure_ascii=False)}" for k, v in kwargs.items()]
    return Markup("{{ %s(%s) }}" % (name, ", ".join(parts)))


FILTERS = {"datum": datum, "datum_lang": datum_lang, "md_cell": md_cell, "join_names": join_names,
           "sidtext": sidtext, "yaml_str": yaml_str, "makro": makro, "ordagrant": ordagrant}
