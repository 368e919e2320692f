"""Draw the sample report's diagrams (images/*.png) with Pillow, in the house faces and colours.

Run: .venv/bin/python tools/scripts/draw_sample_figures.py. The figures are committed; this script
says how they were made and makes them again (the same bytes for the same Pillow).
"""

from __future__ import annotations

import sys
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
from reportkit import style  # noqa: E402

WHITE, TEXT, NAVY, BLUE, PALE, RULE = (
    "#ffffff",
    style.COLOURS["text"],
    style.COLOURS["heading"],
    style.COLOURS["accent"],
    style.COLOURS["box-fill"],
    style.COLOURS["rule"],
)


def font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    name = style.SANS.files["bold" if bold else "regular"]
    return ImageFont.truetype(str(style.fonts_folder() / name), size)


def centred(
    draw: ImageDraw.ImageDraw,
    box: tuple[int, int, int, int],
    lines: list[str],
    size: int,
    fill: str,
    bold: bool = False,
) -> None:
    face = font(size, bold)
    heights = [draw.textbbox((0, 0), line, font=face)[3] for line in lines]
    y = (box[1] + box[3] - sum(heights) - 6 * (len(lines) - 1)) // 2
    for line, height in zip(lines, heights, strict=True):
        width = draw.textlength(line, font=face)
        draw.text(((box[0] + box[2] - width) // 2, y), line, font=face, fill=fill)
        y += height + 6


def internet_use(path: Path) -> None:
    """A bar chart: the share of individuals using the Internet in 2018, by region (ITU estimates)."""
    regions = [
        ("Europe", 79.6),
        ("CIS", 71.3),
        ("The Americas", 69.6),
        ("Arab States", 54.7),
        ("World", 51.2),
        ("Asia & Pacific", 47.0),
        ("Africa", 24.4),
    ]
    image = Image.new("RGB", (1400, 760), WHITE)
    draw = ImageDraw.Draw(image)
    left, top, width, bar = 300, 60, 980, 70
    for step in range(0, 101, 20):
        x = left + width * step // 100
        draw.line([(x, top - 10), (x, top + 7 * (bar + 24))], fill=RULE, width=2)
        draw.text((x - 20, top + 7 * (bar + 24) + 12), f"{step}%", font=font(26), fill=TEXT)
    for index, (name, share) in enumerate(regions):
        y = top + index * (bar + 24)
        colour = NAVY if name == "World" else BLUE
        draw.rectangle([left, y, left + int(width * share / 100), y + bar], fill=colour)
        label = font(30, bold=name == "World")
        draw.text((left - 20 - draw.textlength(name, font=label), y + 16), name, font=label, fill=TEXT)
        draw.text((left + int(width * share / 100) + 12, y + 16), f"{share:.1f}%", font=font(30, True), fill=NAVY)
    image.save(path, optimize=True)


def architectures(path: Path) -> None:
    """Three boxes side by side: the three possible architectures of digital cooperation."""
    models = [
        ("A strengthened", "forum", ["builds on existing", "multi-stakeholder forums"]),
        ("Distributed networks", "of co-governance", ["issue networks develop", "norms for adoption"]),
        ("A commons-based", "approach", ["shared resources", "stewarded jointly"]),
    ]
    image = Image.new("RGB", (1500, 640), WHITE)
    draw = ImageDraw.Draw(image)
    centred(draw, (0, 10, 1500, 80), ["Possible architectures of global digital cooperation"], 38, NAVY, True)
    for index, (first, second, notes) in enumerate(models):
        x = 50 + index * 480
        draw.rectangle([x, 120, x + 440, 560], fill=PALE, outline=BLUE, width=4)
        draw.rectangle([x, 120, x + 440, 270], fill=NAVY)
        centred(draw, (x, 120, x + 440, 270), [first, second], 36, WHITE, True)
        centred(draw, (x, 290, x + 440, 540), notes, 32, TEXT)
    centred(draw, (0, 575, 1500, 635), ["The models are not exclusive: elements of each can be combined"], 28, TEXT)
    image.save(path, optimize=True)


def timeline(path: Path) -> None:
    """A line with five dated steps: the Panel's year of work."""
    steps = [
        ("July 2018", ["Panel", "established"]),
        ("August 2018", ["First virtual", "meeting"]),
        ("24–25 Sept 2018", ["First meeting,", "New York"]),
        ("Late 2018–2019", ["Consultations", "worldwide"]),
        ("Mid-2019", ["Report to the", "Secretary-General"]),
    ]
    image = Image.new("RGB", (1500, 520), WHITE)
    draw = ImageDraw.Draw(image)
    draw.line([(90, 250), (1410, 250)], fill=BLUE, width=8)
    for index, (date, what) in enumerate(steps):
        x = 150 + index * 300
        draw.ellipse([x - 26, 224, x + 26, 276], fill=NAVY, outline=WHITE, width=6)
        centred(draw, (x - 150, 120, x + 150, 200), [date], 32, NAVY, True)
        centred(draw, (x - 150, 300, x + 150, 420), what, 30, TEXT)
    image.save(path, optimize=True)


def main() -> None:
    images = ROOT / "images"
    internet_use(images / "internet-use-2018.png")
    architectures(images / "architectures.png")
    timeline(images / "timeline.png")
    print(f"wrote the figures into {images}")


if __name__ == "__main__":
    main()
