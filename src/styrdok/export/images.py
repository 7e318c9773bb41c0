"""Images for Word: SVG becomes PNG (resvg, cached by content), the body's images are put where
pandoc finds them, and the kommun's logo becomes an image in the template's header."""
from __future__ import annotations

import hashlib
import io
import shutil
from pathlib import Path
from typing import Sequence

from docx.image.image import Image as DocxImage
from docx.shared import Cm
from docxtpl import InlineImage

from .templates import ExportError, write_atomic
from .cache import file_digest
from .wordhtml import Image

LOGO_HEIGHT = Cm(1.3)
LOGO_ZOOM = 4.0                 # the logo's SVG is drawn at four times its size


def svg_to_png(path: Path | str, zoom: float = 2.0, data: bytes | None = None) -> bytes:
    """SVG (a file, or `data` named `path` in messages) as PNG for Word, with resvg (resvg-py: a
    wheel, no system library)."""
    import resvg_py
    try:
        if data is not None:
            return bytes(resvg_py.svg_to_bytes(svg_string=data.decode("utf-8"), zoom=zoom))
        return bytes(resvg_py.svg_to_bytes(svg_path=str(path), zoom=zoom))
    except (ValueError, UnicodeDecodeError) as exc:
        raise ExportError(f"Bilden {path} kunde inte omvandlas från SVG till PNG för Word: {exc}. "
                          "Kontrollera att filen är en giltig SVG.") from None


_PNG_MEMO: dict[tuple[str, str, float], bytes] = {}


def png_for(path: Path | str, zoom: float, cache_dir: Path | None, data: bytes | None = None) -> bytes:
    digest = hashlib.sha256(data).hexdigest() if data is not None else file_digest(Path(path))
    memo_key = (str(path), digest, zoom)
    if memo_key in _PNG_MEMO:
        return _PNG_MEMO[memo_key]
    cached = cache_dir / "bilder" / f"{digest}-{zoom:g}.png" if cache_dir else None
    if cached and cached.is_file():
        data = cached.read_bytes()
    else:
        data = svg_to_png(path, zoom, data)
        if cached:
            write_atomic(cached, lambda tmp: tmp.write_bytes(data))
    _PNG_MEMO[memo_key] = data
    return data


def materialize(images: Sequence[Image], folder: Path, cache_dir: Path | None) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for image in images:
        target = folder / image.name
        if target.exists():
            continue
        if image.convert_svg:
            target.write_bytes(png_for(image.source or image.name, 2.0, cache_dir, image.data))
        elif image.source is None:
            target.write_bytes(image.data or b"")
        else:
            shutil.copyfile(image.source, target)


def logo_image(tpl, path: Path | None, cache_dir: Path | None):
    """The logo for the template's header, or "" without one. A logo that cannot be shown is an
    ExportError naming the file (it used to be left out without a word)."""
    if path is None:
        return ""
    path = Path(path)
    if not path.is_file():
        raise ExportError(f"Logotypen {path} finns inte. Rätta 'logotyp' i data/kommun.yml eller lägg filen där.")
    if path.suffix.lower() == ".svg":
        try:
            import resvg_py  # noqa: F401
        except ImportError:
            raise ExportError(f"Logotypen {path} är en SVG, men resvg-py som gör om den till PNG saknas. "
                              "Installera om styrdok (make build) eller använd en PNG-logotyp.") from None
        return InlineImage(tpl, io.BytesIO(png_for(path, LOGO_ZOOM, cache_dir)), height=LOGO_HEIGHT)
    try:
        DocxImage.from_file(str(path))
    except Exception as exc:        # python-docx raises several kinds for a file it cannot read
        raise ExportError(f"Logotypen {path} kunde inte läsas som bild ({type(exc).__name__}). Spara den som "
                          "PNG, JPEG eller SVG och rätta 'logotyp' i data/kommun.yml.") from None
    return InlineImage(tpl, str(path), height=LOGO_HEIGHT)

