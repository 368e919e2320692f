"""Regenerate tools/reportkit/templates/reference.docx, the DOCX edition's house styles.

Made from the house style (reportkit/style.py): the same faces, sizes and colours as the PDF and the
site. Starts from pandoc's own reference document (so every style pandoc uses exists), then sets
the Panel's fonts (also as the theme fonts, so Word's "+Body"/"+Headings" follow), colours, page
size and margins, and adds the styles the toolchain names: "Recommendation" and "Recommendation
Set" (the recommendation box), "Paragraph Number", "Highlighted" (a passage under negotiation), and
the apparatus' (render/apparatus.py): "Box" and "Box Title", "Endnote Text" (the Notes at the end),
with the captions ("Image Caption", "Table Caption") and "Bibliography" in the house faces.
A test reads these back and compares them with style.py.
Run: .venv/bin/python tools/scripts/make_reference_docx.py
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT, WD_TAB_LEADER
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from reportkit import style  # noqa: E402
from reportkit.render.pandoc_ast import pandoc_path  # noqa: E402

OUT = Path(__file__).resolve().parents[1] / "reportkit" / "templates" / "reference.docx"


def rgb(name: str) -> RGBColor:
    return RGBColor.from_string(style.COLOURS[name].lstrip("#").upper())


def set_font(font, family: str, size: float | None = None, colour: str | None = None) -> None:
    font.name = family
    # Word picks a face per script: name it for every script, or East Asian text falls back.
    rpr = font.element.get_or_add_rPr() if hasattr(font, "element") else None
    if rpr is not None:
        fonts = rpr.find(qn("w:rFonts"))
        if fonts is None:
            fonts = OxmlElement("w:rFonts")
            rpr.insert(0, fonts)
        for attribute in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
            fonts.set(qn(attribute), family)
    if size:
        font.size = Pt(size)
    if colour:
        font.color.rgb = rgb(colour)


def paragraph_shading(style_, fill: str, border: str) -> None:
    ppr = style_.element.get_or_add_pPr()
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), style.COLOURS[fill].lstrip("#").upper())
    ppr.append(shading)
    borders = OxmlElement("w:pBdr")
    left = OxmlElement("w:left")
    for key, value in (
        ("w:val", "single"),
        ("w:sz", "24"),
        ("w:space", "8"),
        ("w:color", style.COLOURS[border].lstrip("#").upper()),
    ):
        left.set(qn(key), value)
    borders.append(left)
    ppr.append(borders)


def text_styles(doc) -> None:
    styles = doc.styles
    for name in ("Normal", "Body Text", "First Paragraph", "Compact"):
        if name in [s.name for s in styles]:
            set_font(styles[name].font, style.BODY.family, style.SIZES["body"], "text")
    for level in (1, 2, 3, 4):
        heading = styles[f"Heading {level}"]
        set_font(heading.font, style.SANS.family, style.SIZES[f"h{level}"], "heading")
        heading.font.bold = True
        heading.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT
        heading.paragraph_format.page_break_before = level == 1
        heading.paragraph_format.keep_with_next = True
    for name, size in (("Title", style.SIZES["title"]), ("Subtitle", style.SIZES["subtitle"])):
        set_font(styles[name].font, style.SANS.family, size, "heading")
        styles[name].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT
    styles["Title"].paragraph_format.space_before = Pt(120)
    for name in ("Author", "Date"):
        if name in [s.name for s in styles]:
            set_font(styles[name].font, style.SANS.family, 11, "heading")
    set_font(styles["TOC Heading"].font, style.SANS.family, style.SIZES["h1"], "heading")
    styles["TOC Heading"].paragraph_format.page_break_before = True
    set_font(styles["Hyperlink"].font, style.BODY.family, None, "text")  # in print, like the text
    styles["Hyperlink"].font.underline = False
    for name in ("Table", "Compact"):
        if name in [s.name for s in styles]:
            set_font(styles[name].font, style.SANS.family, style.SIZES["table"], "text")
    if "Footnote Text" in [s.name for s in styles]:
        set_font(styles["Footnote Text"].font, style.BODY.family, style.SIZES["note"], "text")


def house_styles(doc) -> None:
    styles = doc.styles
    box = styles.add_style("Recommendation", WD_STYLE_TYPE.PARAGRAPH)
    box.base_style = styles["Normal"]
    set_font(box.font, style.SANS.family, style.SIZES["box"], "text")
    paragraph_shading(box, "box-fill", "accent")
    box.paragraph_format.keep_together = True
    box.paragraph_format.space_after = Pt(10)
    label = styles.add_style("Recommendation Set", WD_STYLE_TYPE.PARAGRAPH)
    label.base_style = box
    set_font(label.font, style.SANS.family, style.SIZES["small"], "muted")
    label.font.all_caps = True
    label.paragraph_format.keep_with_next = True
    label.paragraph_format.space_after = Pt(2)
    number = styles.add_style("Paragraph Number", WD_STYLE_TYPE.CHARACTER)
    set_font(number.font, style.SANS.family, 7.5, "muted")
    marked = styles.add_style("Highlighted", WD_STYLE_TYPE.CHARACTER)
    marked.font.highlight_color = 7  # yellow: a passage still under negotiation
    # The contents entries written in advance (render/docx_contents.py) use Word's own TOC styles
    # by their built-in ids, so Word's update keeps the same look; entries turn over hanging.
    for level, indent in ((1, 0.0), (2, 6.0)):
        entry = styles.add_style(f"toc {level}", WD_STYLE_TYPE.PARAGRAPH)
        entry.element.set(qn("w:styleId"), f"TOC{level}")
        entry.base_style = styles["Normal"]
        set_font(entry.font, style.SANS.family, 9.5, "text")
        entry.font.bold = level == 1
        entry.paragraph_format.left_indent = Mm(indent + 8)
        entry.paragraph_format.first_line_indent = Mm(-8)
        entry.paragraph_format.space_after = Pt(2 if level == 2 else 5)
        width = style.PAGE["width-mm"] - style.PAGE["inner-mm"] - style.PAGE["outer-mm"]
        entry.paragraph_format.tab_stops.add_tab_stop(Mm(width), WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS)


def apparatus_styles(doc) -> None:
    """The apparatus: captions above their figure or table, boxes set off like the recommendation
    box, the notes at the end and the list of references in the note size."""
    styles = doc.styles
    for name in ("Image Caption", "Table Caption"):
        caption = styles[name]
        set_font(caption.font, style.SANS.family, style.SIZES["small"] + 1, "heading")
        caption.font.bold, caption.font.italic = True, False
        caption.paragraph_format.keep_with_next = True
        caption.paragraph_format.space_before = Pt(8)
    box = styles.add_style("Box", WD_STYLE_TYPE.PARAGRAPH)
    box.base_style = styles["Normal"]
    set_font(box.font, style.SANS.family, style.SIZES["box"] - 1, "text")
    paragraph_shading(box, "box-fill", "accent")
    box.paragraph_format.space_after = Pt(6)
    title = styles.add_style("Box Title", WD_STYLE_TYPE.PARAGRAPH)
    title.base_style = box
    set_font(title.font, style.SANS.family, style.SIZES["h4"], "box-label")
    title.font.bold = True
    title.paragraph_format.keep_with_next = True
    title.paragraph_format.space_before = Pt(10)
    notes = styles.add_style("Endnote Text", WD_STYLE_TYPE.PARAGRAPH)
    notes.base_style = styles["Normal"]
    set_font(notes.font, style.BODY.family, style.SIZES["note"], "text")
    notes.paragraph_format.space_after = Pt(3)
    set_font(styles["Bibliography"].font, style.BODY.family, style.SIZES["note"] + 1, "text")
    styles["Bibliography"].paragraph_format.left_indent = Mm(8)
    styles["Bibliography"].paragraph_format.first_line_indent = Mm(-8)
    styles["Bibliography"].paragraph_format.space_after = Pt(4)


def theme_fonts(doc) -> None:
    """The document's theme fonts are the house faces too (Word shows them as +Body, +Headings)."""
    for part in doc.part.package.parts:
        if part.partname.endswith("theme1.xml"):
            xml = part.blob.decode("utf-8")
            for block, family in (("majorFont", style.SANS.family), ("minorFont", style.BODY.family)):
                xml = re.sub(rf"(<a:{block}>\s*<a:latin typeface=\")[^\"]*", rf"\g<1>{family}", xml)
            part._blob = xml.encode("utf-8")


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


def pages(doc) -> None:
    for section in doc.sections:
        page_number_footer(section)
        section.page_width, section.page_height = Mm(style.PAGE["width-mm"]), Mm(style.PAGE["height-mm"])
        section.left_margin, section.right_margin = Mm(style.PAGE["inner-mm"]), Mm(style.PAGE["outer-mm"])
        section.top_margin, section.bottom_margin = Mm(style.PAGE["top-mm"]), Mm(style.PAGE["bottom-mm"])


# Word's embedded fonts (ECMA-376 Part 1, 17.8.1): each face is stored obfuscated, its first 32 bytes
# XORed with a key made from a GUID, and named in fontTable.xml with that key. pandoc keeps a
# reference document's embedded fonts in every DOCX it writes, so the edition carries its faces.
FONT_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/font"
FACE_ELEMENTS = {
    "regular": "w:embedRegular",
    "bold": "w:embedBold",
    "italic": "w:embedItalic",
    "bold-italic": "w:embedBoldItalic",
}


def obfuscated(data: bytes, guid: str) -> bytes:
    key = bytes.fromhex(guid.strip("{}").replace("-", ""))[::-1]
    head = bytes(b ^ key[i % 16] for i, b in enumerate(data[:32]))
    return head + data[32:]


def embed_fonts(path: Path) -> None:
    """Add the house faces to the saved reference document, obfuscated as Word embeds them."""
    import uuid
    import zipfile

    with zipfile.ZipFile(path) as source:
        parts = {info.filename: source.read(info) for info in source.infolist()}
    table = parts["word/fontTable.xml"].decode("utf-8")
    rels, fonts_xml = [], []
    for number, (face, kind, name) in enumerate(
        ((f, k, n) for f in (style.BODY, style.SANS) for k, n in f.files.items()), start=1
    ):
        guid = "{" + str(uuid.UUID(int=number + (0xA1 << 64), version=4)).upper() + "}"
        parts[f"word/fonts/font{number}.odttf"] = obfuscated((style.fonts_folder() / name).read_bytes(), guid)
        rels.append(f'<Relationship Id="rIdF{number}" Type="{FONT_NS}" Target="fonts/font{number}.odttf"/>')
        fonts_xml.append((face.family, f'<{FACE_ELEMENTS[kind]} r:id="rIdF{number}" w:fontKey="{guid}"/>'))
    for family in (style.BODY.family, style.SANS.family):
        embeds = "".join(x for f, x in fonts_xml if f == family)
        entry = f'<w:font w:name="{family}"><w:family w:val="auto"/>{embeds}</w:font>'
        table = table.replace("</w:fonts>", entry + "</w:fonts>")
    if "xmlns:r=" not in table.split(">", 2)[1]:
        table = table.replace(
            "<w:fonts ", '<w:fonts xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" ', 1
        )
    parts["word/fontTable.xml"] = table.encode("utf-8")
    parts["word/_rels/fontTable.xml.rels"] = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.'
        'openxmlformats.org/package/2006/relationships">' + "".join(rels) + "</Relationships>"
    ).encode("utf-8")
    types = parts["[Content_Types].xml"].decode("utf-8")
    if 'Extension="odttf"' not in types:
        types = types.replace(
            "<Default ",
            '<Default Extension="odttf" ContentType="application/vnd.'
            'openxmlformats-officedocument.obfuscatedFont"/><Default ',
            1,
        )
    parts["[Content_Types].xml"] = types.encode("utf-8")
    settings = parts["word/settings.xml"].decode("utf-8")
    if "embedTrueTypeFonts" not in settings:
        settings = re.sub(r"(<w:settings[^>]*>)", r"\1<w:embedTrueTypeFonts/><w:saveSubsetFonts/>", settings, count=1)
    parts["word/settings.xml"] = settings.encode("utf-8")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        default = Path(tmp) / "default.docx"
        with default.open("wb") as handle:
            subprocess.run([pandoc_path(), "--print-default-data-file", "reference.docx"], stdout=handle, check=True)
        doc = Document(str(default))
    text_styles(doc)
    house_styles(doc)
    apparatus_styles(doc)
    theme_fonts(doc)
    pages(doc)
    doc.core_properties.author = "High-level Panel on Digital Cooperation"
    doc.save(str(OUT))
    embed_fonts(OUT)
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
