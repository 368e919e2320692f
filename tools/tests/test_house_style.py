"""One house style across the editions, read back from them: faces embedded, sizes and colours as
style.py defines them, a readable measure, no part-empty page but at a chapter's end, the
recommendation box on the page (measured on the rendered pages)."""

from __future__ import annotations

import re
import statistics
import subprocess
import zipfile
from pathlib import Path

from PIL import Image

import readers
from reportkit import style


def rgb(name: str) -> tuple[int, int, int]:
    value = style.COLOURS[name].lstrip("#")
    return tuple(int(value[i : i + 2], 16) for i in (0, 2, 4))  # type: ignore[return-value]


def test_the_pdf_embeds_the_house_faces_and_no_other(sample):
    pdffonts = readers.find_program("pdffonts", "poppler-utils")
    listing = subprocess.run([pdffonts, str(sample.pdf)], check=True, capture_output=True, text=True).stdout
    lines = listing.splitlines()[2:]
    names = {line.split()[0].split("+", 1)[-1] for line in lines}
    assert {"NotoSerif-Regular", "NotoSerif-Bold", "NotoSans-Regular", "NotoSans-Bold"} <= names
    assert {n.split("-")[0] for n in names} <= {"NotoSerif", "NotoSans", "DejaVuSansMono"}, names
    embedded = [line.split()[-5] for line in lines]  # the "emb" column
    assert embedded and set(embedded) == {"yes"}


def test_the_docx_styles_are_the_house_style_and_carry_the_faces(sample):
    docx = sample.read_docx.document
    styles = docx.styles
    assert styles["Normal"].font.name == style.BODY.family
    assert styles["Normal"].font.size.pt == style.SIZES["body"]
    for level in (1, 2, 3):
        heading = styles[f"Heading {level}"]
        assert heading.font.name == style.SANS.family
        assert heading.font.size.pt == style.SIZES[f"h{level}"]
        assert str(heading.font.color.rgb) == style.COLOURS["heading"].lstrip("#").upper()
    assert str(styles["Hyperlink"].font.color.rgb) == style.COLOURS["text"].lstrip("#").upper()  # as in print
    section = docx.sections[0]
    assert round(section.left_margin.mm) == style.PAGE["inner-mm"] and round(section.page_width.mm) == 210
    with zipfile.ZipFile(sample.docx) as package:
        fonts = [n for n in package.namelist() if n.startswith("word/fonts/")]
        table = package.read("word/fontTable.xml").decode("utf-8")
        theme = package.read("word/theme/theme1.xml").decode("utf-8")
    assert len(fonts) == 8  # both faces in four styles, embedded as Word embeds fonts
    for family in (style.BODY.family, style.SANS.family):
        entry = re.search(rf'<w:font w:name="{family}">(.*?)</w:font>', table, re.S).group(1)
        assert entry.count("w:fontKey=") == 4
    assert re.search(r'<a:majorFont>\s*<a:latin typeface="Noto Sans"', theme)
    assert re.search(r'<a:minorFont>\s*<a:latin typeface="Noto Serif"', theme)


def test_the_house_faces_are_open_licensed_and_vendored():
    folder = style.fonts_folder()
    for face in (style.BODY, style.SANS):
        for name in face.files.values():
            assert (folder / name).read_bytes()[:4] == b"\x00\x01\x00\x00", name  # TrueType
    assert "SIL OPEN FONT LICENSE" in (folder / "OFL.txt").read_text("utf-8").upper()


def body_lines(sample) -> list[str]:
    """Lines of running text in the chapters: lines set at the body size (poppler's word boxes),
    so that running heads, notes and tables, set smaller, and headings, set larger, are left out."""
    from html.parser import HTMLParser

    pdf = sample.read_pdf
    first, last = pdf.named_destinations["introduction"], pdf.named_destinations["terms-of-reference"]
    layout = subprocess.run(
        [readers.pdftotext(), "-bbox-layout", "-f", str(first + 1), "-l", str(last), str(sample.pdf), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    lines: list[list[str]] = []
    heights: list[float] = []

    class Lines(HTMLParser):
        word: dict | None = None

        def handle_starttag(self, tag, attrs):
            values = dict(attrs)
            if tag == "line":
                lines.append([])
                heights.append(float(values["ymax"]) - float(values["ymin"]))
            elif tag == "word":
                self.word = values

        def handle_data(self, data):
            if self.word is not None and lines:
                lines[-1].append(data)
                self.word = None

    Lines().feed(layout)
    body = style.SIZES["body"]
    return [
        " ".join(words)
        for words, height in zip(lines, heights, strict=False)
        if body * 1.1 <= height <= body * 1.45 and not re.match(r"^(\d+\.?|•)$", words[0] if words else "")
    ]


def test_body_text_is_set_at_a_readable_measure(sample):
    lengths = [len(line) for line in body_lines(sample) if len(line) > 40]  # not a paragraph's last line
    assert len(lengths) > 300
    assert 60 <= statistics.median(lengths) <= 80, statistics.median(lengths)
    assert max(lengths) <= 85


def page_images(path: Path, folder: Path, resolution: int = 24) -> list[Image.Image]:
    subprocess.run(["pdftoppm", "-gray", "-r", str(resolution), "-png", str(path), str(folder / "page")], check=True)
    return [Image.open(p).convert("L") for p in sorted(folder.glob("page-*.png"))]


def filled(image: Image.Image, top: float, bottom: float) -> float:
    """How far down the text area the last dark pixel lies, from 0 (empty) to 1 (full)."""
    width, height = image.size
    pixels = image.load()
    start, end = int(height * top), int(height * bottom)
    last = start
    for y in range(start, end):
        if any(pixels[x, y] < 128 for x in range(0, width, 2)):
            last = y
    return (last - start) / (end - start)


def test_no_page_is_left_part_empty_but_where_a_chapter_ends(sample, tmp_path):
    pdf = sample.read_pdf
    # 48 dpi: at 24 a page of small table text (the draft's positions of members) reads as blank.
    images = page_images(sample.pdf, tmp_path, resolution=48)
    openings = {pdf.named_destinations[d.id] for d in sample.report.documents if d.kind != "rec"}
    # A draft ends with the positions of members (test_negotiated.py), which open on a page of their own.
    # and opens with the open points, after the contents and the lists of figures and tables.
    openings |= {
        i
        for i, text in enumerate(pdf.page_texts)
        if "Positions of Panel members" in text or "passages are still under negotiation" in text
    }
    top = style.PAGE["top-mm"] / style.PAGE["height-mm"]
    bottom = 1 - style.PAGE["bottom-mm"] / style.PAGE["height-mm"]
    short = [
        i + 1
        for i, image in enumerate(images)
        if i > 0 and i + 1 not in openings and i + 1 < len(images) and filled(image, top + 0.04, bottom) < 1 / 3
    ]
    assert short == [], f"pages under a third full, not at a chapter's end: {short}"


def test_the_recommendation_box_is_drawn(sample, tmp_path):
    pdf = sample.read_pdf
    page = pdf.named_destinations["affordable-access"]
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "30",
            "-png",
            "-f",
            str(page + 1),
            "-l",
            str(page + 1),
            str(sample.pdf),
            str(tmp_path / "box"),
        ],
        check=True,
    )
    image = Image.open(next(tmp_path.glob("box-*.png"))).convert("RGB")
    fill, edge = rgb("box-fill"), rgb("accent")
    colours = image.getcolors(1 << 20)
    near = lambda c, target: all(abs(a - b) <= 6 for a, b in zip(c, target, strict=False))  # noqa: E731
    assert sum(n for n, c in colours if near(c, fill)) > 1000, "the box's fill"
    assert sum(n for n, c in colours if near(c, edge)) > 50, "the box's edge in UN blue"


def test_running_heads_name_the_section_on_one_line(sample):
    """Each page after a section's opening carries that section's head, on one line: the notes and
    the draft's positions of members their own, not the last annex's."""
    texts = sample.read_pdf.poppler_texts
    heads = {}  # page index -> the first line of text (the running head and the draft mark)
    for index, text in enumerate(texts):
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        heads[index] = lines[:2]
    notes = next(i for i, lines in heads.items() if lines[1:] == ["Notes"])
    positions = next(i for i, lines in heads.items() if lines[1:] == ["Positions of Panel members"])
    assert heads[notes + 1][0].startswith("Notes ")
    assert heads[positions + 1][0].startswith("Positions of Panel members ")
    for index, lines in heads.items():
        if index > 0 and "DRAFT" in lines[0] and not lines[0].startswith("DRAFT"):
            # A head that fits ends on its first line with the draft mark: it never turns over.
            assert re.search(r"DRAFT · .* \d{4}$", lines[0]), (index + 1, lines)
