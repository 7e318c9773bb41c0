"""The Content-Security-Policy for the web server that serves site/ (README: "Säkerhet").

Everything the site needs comes from its own origin: no CDN, no inline event handler, no eval.
The theme (mkdocs-material) writes a few small inline scripts (the site's base URL, the colour
palette, the tabs); they are allowed by their SHA-256 hashes, which `styrdok build` computes from
the built pages and writes to site/csp.txt, so the policy always matches the theme in use.
Pagefind runs its search as WebAssembly ('wasm-unsafe-eval').
"""
from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

CSP_FILE = "csp.txt"
_INLINE_SCRIPT = re.compile(rb"<script(?P<attrs>[^>]*)>(?P<body>.*?)</script>", re.S | re.I)


def inline_script_hashes(site: Path) -> list[str]:
    """'sha256-…' of every distinct inline script that runs (not data blocks such as JSON).

    The pages are read as bytes (UTF-8, as MkDocs writes them): the browser hashes a script's
    text as UTF-8, which for a valid page is the bytes between the tags."""
    found: set[str] = set()
    for path in site.rglob("*.html"):
        for m in _INLINE_SCRIPT.finditer(path.read_bytes()):
            attrs = m.group("attrs").lower()
            if b"src=" in attrs or (b"type=" in attrs and b"javascript" not in attrs and b"module" not in attrs):
                continue
            body = m.group("body").decode("utf-8", errors="replace").encode("utf-8")
            digest = base64.b64encode(hashlib.sha256(body).digest()).decode()
            found.add(f"'sha256-{digest}'")
    return sorted(found)


def content_security_policy(site: Path) -> str:
    scripts = " ".join(["'self'", "'wasm-unsafe-eval'", *inline_script_hashes(site)])
    return "; ".join([
        "default-src 'self'",
        f"script-src {scripts}",
        "style-src 'self' 'unsafe-inline'",          # the theme sets style attributes; raw HTML cannot (nh3)
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "frame-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'self'",
    ])


def csp_step(site_tmp: Path) -> None:
    """Build step: write the policy for this build beside the pages (site/csp.txt)."""
    (site_tmp / CSP_FILE).write_text(content_security_policy(site_tmp) + "\n", encoding="utf-8")
