"""styrdok.render.html: the page's HTML with the site's Markdown configuration, without MkDocs."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from styrdok.render.html import DEFAULT_CONFIG, MarkdownConfigError, markdown_config, render_html

ROOT = Path(__file__).resolve().parents[1]

PAGE = """# Titel

!!! warning "Se upp"
    Ring *MAS* direkt.

??? tip
    Inne i en utfällbar ruta.

| Roll | Ansvar |
|---|---|
| SAS | Utreder |

Term
:   Förklaring

Text med fotnot[^1].
{: .klass }

```mermaid
graph LR
```

*[MAS]: Medicinskt ansvarig sjuksköterska

[^1]: Fotnoten.
"""


def test_example_config_is_read_without_importing_mkdocs():
    code = ("import sys; from pathlib import Path; from styrdok.render.html import markdown_config, render_html;"
            f"c = markdown_config(Path({str(ROOT / 'mkdocs.yml')!r})); render_html('!!! note\\n    x', c);"
            "print(sorted(m for m in sys.modules if m == 'mkdocs' or m.startswith('mkdocs.')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_same_html_as_mkdocs_builds_from_the_same_mkdocs_yml():
    import markdown
    from mkdocs.config import load_config
    site = load_config(config_file=str(ROOT / "mkdocs.yml"))
    expected = markdown.Markdown(extensions=site["markdown_extensions"], extension_configs=site["mdx_configs"])
    ours = render_html(PAGE, markdown_config(ROOT / "mkdocs.yml"))
    assert ours == expected.convert(PAGE)
    for seen in ('<div class="admonition warning">', '<p class="admonition-title">Se upp</p>',
                 '<abbr title="Medicinskt ansvarig sjuksköterska">MAS</abbr>', '<details class="tip">',
                 "<dt>Term</dt>", 'class="klass"', 'id="fn:1"', 'class="headerlink"', "<th>Roll</th>"):
        assert seen in ours, seen


def test_extensions_come_from_mkdocs_yml(tmp_path):
    yml = tmp_path / "mkdocs.yml"
    yml.write_text("site_name: x\ntheme:\n  name: material\n  x: !ENV [NOPE_NOT_SET, 1]\n"
                   "markdown_extensions:\n  - abbr\n  - toc:\n      permalink: !ENV [STYRDOK_NOT_SET, '#']\n"
                   "  - pymdownx.superfences:\n      custom_fences:\n        - name: mermaid\n"
                   "          class: mermaid\n          format: !!python/name:pymdownx.superfences.fence_code_format\n",
                   encoding="utf-8")
    config = markdown_config(yml)
    assert config.extensions[:3] == ("toc", "tables", "fenced_code")       # MkDocs' built-ins first
    html = render_html("## Rubrik\n\n!!! note\n    x\n\n```mermaid\ngraph LR\n```\n", config)
    assert '<a class="headerlink" href="#rubrik" title="Permanent link">#</a>' in html
    assert "admonition" not in html                 # not configured: plain text
    assert '<pre class="mermaid"><code>graph LR' in html
    assert markdown_config(tmp_path / "saknas.yml") == DEFAULT_CONFIG


def test_state_does_not_leak_between_pages():
    first = render_html("*[MAS]: Medicinskt\n\nMAS[^1]\n\n[^1]: x\n")
    second = render_html("MAS\n")
    assert "<abbr" in first and "<abbr" not in second and "footnote" not in second


def test_unknown_extension_names_the_file(tmp_path):
    yml = tmp_path / "mkdocs.yml"
    yml.write_text("markdown_extensions:\n  - finns_inte.tillagg\n", encoding="utf-8")
    with pytest.raises(MarkdownConfigError, match=r"mkdocs\.yml: markdown_extensions: .*finns_inte"):
        markdown_config(yml)
    yml.write_text("markdown_extensions: [abbr\n", encoding="utf-8")
    with pytest.raises(MarkdownConfigError, match=r"mkdocs\.yml: kan inte läsas"):
        markdown_config(yml)
