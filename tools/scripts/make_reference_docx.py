"""Regenerate tools/reportkit/templates/reference.docx, the DOCX edition's house styles.

Starts from pandoc's own reference document (so every style pandoc uses exists) and sets the
Panel's fonts, colours, page size, page breaks and a footer with the page number.
Run: .venv/bin/python tools/scripts/make_reference_docx.py
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

import pypandoc
from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

OUT = Path(__file__).resolve().parents[1] / "reportkit" / "templates" / "reference.docx"
UN_BLUE = RGBColor(0x1A, 0x3A, 0x5C)
BODY_FONT = "Cambria"
HEADING_FONT = "Calibri"


def page_number_footer(section) -> None:
    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        default = Path(tmp) / "default.docx"
        with default.open("wb") as handle:
            subprocess.run([pypandoc.get_pandoc_path(), "--print-default-data-file", "reference.docx"],
                           stdout=handle, check=True)
        doc = Document(str(default))
    styles = doc.styles
    for name in ("Normal", "Body Text", "First Paragraph", "Compact"):
        if name in [s.name for s in styles]:
            styles[name].font.name = BODY_FONT
            styles[name].font.size = Pt(11)
    for level, size in ((1, 20), (2, 14), (3, 12)):
        style = styles[f"Heading {level}"]
        style.font.name = HEADING_FONT
        style.font.size = Pt(size)
        style.font.color.rgb = UN_BLUE
        style.font.bold = True
        style.paragraph_format.page_break_before = level == 1
    for name, size in (("Title", 30), ("Subtitle", 15)):
        styles[name].font.name = HEADING_FONT
        styles[name].font.size = Pt(size)
        styles[name].font.color.rgb = UN_BLUE
        styles[name].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT
    styles["Title"].paragraph_format.space_before = Pt(120)
    styles["TOC Heading"].paragraph_format.page_break_before = True
    styles["TOC Heading"].font.color.rgb = UN_BLUE
    # The contents entries that reportkit writes in advance (render/docx_contents.py) use Word's
    # own TOC styles, by their built-in ids, so Word's update keeps the same look.
    for level, indent in ((1, 0.0), (2, 0.6)):
        style = styles.add_style(f"toc {level}", WD_STYLE_TYPE.PARAGRAPH)
        style.element.set(qn("w:styleId"), f"TOC{level}")
        style.base_style = styles["Normal"]
        style.font.name = BODY_FONT
        style.font.bold = level == 1
        style.paragraph_format.left_indent = Cm(indent)
        style.paragraph_format.space_after = Pt(3 if level == 2 else 6)
    styles["Hyperlink"].font.color.rgb = RGBColor(0x0B, 0x5E, 0xA8)
    for section in doc.sections:
        section.page_width, section.page_height = Cm(21.0), Cm(29.7)
        section.left_margin = section.right_margin = Cm(2.4)
        section.top_margin, section.bottom_margin = Cm(2.6), Cm(2.4)
        page_number_footer(section)
    doc.core_properties.author = "High-level Panel on Digital Cooperation"
    doc.save(str(OUT))
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
