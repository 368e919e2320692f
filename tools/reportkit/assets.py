"""The files besides the text that editions publish (images): read once, type-checked, decoded.

An asset reaches an edition only as the bytes read and validated here: a regular file inside the
repository (see `paths`), of an allowed type whose signature matches its name, that decodes in full
within size limits. The renderers get copies of these bytes in their staging folder, never a path
into the repository, so what the check accepted is exactly what the build publishes.
"""

from __future__ import annotations

import io
import logging
import warnings
from dataclasses import dataclass
from pathlib import Path

from . import paths
from .diagnostics import ERROR, Diagnostic
from .model import Report

log = logging.getLogger(__name__)

MAX_ASSET_BYTES = 20 * 1024 * 1024
MAX_PIXELS = 40_000_000  # a 6,000 x 6,000 figure is generous for print at 300 dpi
# Formats every edition can show (Typst, Word, browsers) and that can carry no script.
# SVG is left out on purpose: opened on its own in a browser, it runs the script it holds.
FORMATS = {
    "PNG": ((".png",), (b"\x89PNG\r\n\x1a\n",)),
    "JPEG": ((".jpg", ".jpeg"), (b"\xff\xd8\xff",)),
    "GIF": ((".gif",), (b"GIF87a", b"GIF89a")),
}
ALLOWED = ", ".join(ext for exts, _ in FORMATS.values() for ext in exts)


@dataclass(frozen=True)
class Asset:
    path: str  # relative to the report root, POSIX
    data: bytes
    format: str  # PNG, JPEG, GIF


def _format_for(name: str) -> str | None:
    suffix = Path(name).suffix.lower()
    return next((fmt for fmt, (exts, _) in FORMATS.items() if suffix in exts), None)


def examine_image(rel: str, data: bytes) -> tuple[str | None, str | None]:
    """(format, None) for a good image, or (None, why it cannot be published)."""
    expected = _format_for(rel)
    if expected is None:
        return None, (
            f"'{Path(rel).suffix or rel}' files cannot be published: the editions take images as {ALLOWED} only"
        )
    signatures = FORMATS[expected][1]
    if not data.startswith(signatures):
        actual = next((fmt for fmt, (_, sigs) in FORMATS.items() if data.startswith(sigs)), None)
        found = f"a {actual} image" if actual else "not an image"
        return None, f"this file is named like a {expected} image but is {found}; save it in the right format"
    return _decode(expected, data)


def _decode(expected: str, data: bytes) -> tuple[str | None, str | None]:
    from PIL import Image, UnidentifiedImageError  # imported here: only reports with images need it

    try:
        with warnings.catch_warnings():  # past 89 million pixels Pillow warns on stderr; the limit is ours
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            opened = Image.open(io.BytesIO(data))
        with opened as image:
            width, height = image.size
            if width * height > MAX_PIXELS:
                return None, (
                    f"this image is {width} x {height} pixels, over the limit of "
                    f"{MAX_PIXELS // 1_000_000} million pixels: scale it down"
                )
            if image.format != expected:
                return None, f"this file is named like a {expected} image but holds {image.format}"
            image.load()  # decodes every pixel: a truncated or corrupt file fails here, not in Typst
    except Image.DecompressionBombError:
        return None, f"this image is over the limit of {MAX_PIXELS // 1_000_000} million pixels: scale it down"
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        return None, f"this image does not decode ({exc}); export it again"
    return expected, None


def collect(report: Report) -> tuple[dict[str, Asset], list[Diagnostic]]:
    """Every asset of the report that may be published, read and validated once."""
    found: dict[str, Asset] = {}
    problems: list[Diagnostic] = []
    for rel in report.assets:
        data = paths.read_bytes(report.root, report.root / rel, MAX_ASSET_BYTES)
        if isinstance(data, paths.Refusal):
            problems.append(Diagnostic(rel, 0, 0, ERROR, data.code, data.message))
            continue
        fmt, why = examine_image(rel, data)
        if fmt is None:
            problems.append(Diagnostic(rel, 0, 0, ERROR, "asset.invalid", why or "not publishable"))
            continue
        found[rel] = Asset(rel, data, fmt)
    log.debug("%d assets validated, %d refused", len(found), len(problems))
    return found, problems


def stage(assets: dict[str, Asset], folder: Path) -> None:
    """Write validated copies into a renderer's staging folder, at their report-relative paths."""
    for asset in assets.values():
        target = folder / asset.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(asset.data)
