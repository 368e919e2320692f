"""Finish the DOCX pandoc wrote: contents written in advance (with the PDF's page numbers), a cover
with no page number, DRAFT in the header of every page of a draft, table rows that do not split.

pandoc writes the contents as an empty TOC field marked for updating: Word fills it on opening
(after asking), but LibreOffice, Google Docs and Word on the web show an empty "Contents". This
writes the field's result in advance: one linked entry per document title, set and numbered
section, with the page number the PDF edition gives it (same house style, same page size; Word
recomputes the whole field, exact to its own layout, when it updates it).
"""

from __future__ import annotations

import logging
import re
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

from ..model import Report
from .resolve import BLOCK_ANCHOR, SINGLE, anchor_id

log = logging.getLogger(__name__)

DOCUMENT = "word/document.xml"
RELS = "word/_rels/document.xml.rels"
TYPES = "[Content_Types].xml"
_HEADING = re.compile(
    r'<w:bookmarkStart w:id="\d+" w:name="(?P<name>[^"]+)" />\s*'
    r'<w:p><w:pPr><w:pStyle w:val="Heading(?P<level>\d)" />(?P<body>.*?)</w:p>',
    re.S,
)
_TEXT = re.compile(r"<w:t(?: [^>]*)?>([^<]*)</w:t>")
_EMPTY_RESULT = '<w:fldChar w:fldCharType="separate" /><w:fldChar w:fldCharType="end" /></w:r></w:p>'
HEADER_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/header"
FOOTER_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def listed_ids(report: Report) -> set[str]:
    """The headings the contents list, as in the PDF: each document's title, each set of
    recommendations, and the sections of numbered chapters."""
    ids = set()
    for doc in report.documents:
        if doc.kind == "rec":
            continue  # set out inside the chapter that presents them, in their boxes
        ids.add(anchor_id(doc, None, SINGLE))
        sections = [a for a, number in doc.section_numbers.items() if number.count(".") == 1]
        ids |= {anchor_id(doc, a, SINGLE) for a in (*sections, *doc.set_sections)}
    return ids | {"end--notes"}  # the Notes at the end (render/apparatus.py), when there are notes


def _entry(level: int, name: str, text: str, page: int | None) -> str:
    number = f"<w:r><w:tab /></w:r><w:r><w:t>{page}</w:t></w:r>" if page else ""
    return (
        f'<w:p><w:pPr><w:pStyle w:val="TOC{min(level, 2)}" /></w:pPr><w:hyperlink w:anchor="{name}" '
        f'w:history="1"><w:r><w:t xml:space="preserve">{text}</w:t></w:r>{number}</w:hyperlink></w:p>'
    )


def with_contents(xml: str, report: Report, pages: dict[str, int]) -> str | None:
    """document.xml with the contents field's result written; None if its shape is unexpected."""
    if xml.count(_EMPTY_RESULT) != 1:
        return None
    wanted = listed_ids(report)
    entries = [
        _entry(int(m["level"]), m["name"], "".join(_TEXT.findall(m["body"])), pages.get(m["name"]))
        for m in _HEADING.finditer(xml)
        if m["name"] in wanted
    ]
    if not entries:
        return None
    result = (
        '<w:fldChar w:fldCharType="separate" /></w:r></w:p>'
        + "".join(entries)
        + '<w:p><w:r><w:fldChar w:fldCharType="end" /></w:r></w:p>'
    )
    return xml.replace(_EMPTY_RESULT, result)


# Word hides a bookmark whose name starts with an underscore.
HIDDEN = "_"
HIDDEN_BLOCK_ANCHOR = re.compile(re.escape(HIDDEN) + BLOCK_ANCHOR.pattern)
_BLOCK_BOOKMARK = re.compile(f'(w:name=")({BLOCK_ANCHOR.pattern}")')


def hidden_block_anchor(name: str) -> re.Match | None:
    """The parts (`doc`, `line`) of a DOCX bookmark that hides a block anchor; None for any other."""
    return HIDDEN_BLOCK_ANCHOR.fullmatch(name)


def _anchors_hidden(xml: str) -> str:
    """The block anchors become hidden bookmarks (`_rk_...`), which no reader sees in Word's list of
    bookmarks, and `report comments` reads back (`hidden_block_anchor`)."""
    return _BLOCK_BOOKMARK.sub(rf"\1{HIDDEN}\2", xml)


# Bookmarks pandoc wraps around a whole section (its heading's id), between paragraphs; and the
# paragraph each starts before. Their ends stand between paragraphs too, on lines of their own.
_SECTION_BOOKMARKS = re.compile(
    r"((?:<w:bookmarkStart [^>]*/>\s*)+)<w:p>(<w:pPr>(?:(?!</w:pPr>).)*</w:pPr>)?", re.DOTALL
)
_SECTION_BOOKMARK_END = re.compile(r"\n\s*<w:bookmarkEnd w:id=\"(\d+)\" />")
_BOOKMARK_ID = re.compile(r'<w:bookmarkStart w:id="(\d+)"')


def _bookmarks_in_headings(xml: str) -> str:
    """Each section's bookmark becomes a point at the start of its heading's paragraph. A link needs
    no more, Word reads both the same, and LibreOffice drops a bookmark that spans a numbered list
    (the Notes) or starts after a table: a link to it would go nowhere."""
    moved: set[str] = set()

    def into_paragraph(match: re.Match) -> str:
        ids = _BOOKMARK_ID.findall(match[1])
        moved.update(ids)
        starts = re.sub(r">\s+<", "><", match[1].strip())
        return "<w:p>" + (match[2] or "") + starts + "".join(f'<w:bookmarkEnd w:id="{i}" />' for i in ids)

    xml = _SECTION_BOOKMARKS.sub(into_paragraph, xml)
    return _SECTION_BOOKMARK_END.sub(lambda m: "" if m[1] in moved else m[0], xml)


def _rows_kept_whole(xml: str) -> str:
    """A table row never splits across pages (a roster member stays on one page)."""
    xml = xml.replace("<w:tr><w:trPr>", "<w:tr><w:trPr><w:cantSplit />")
    return re.sub(r"<w:tr>(?!<w:trPr>)", "<w:tr><w:trPr><w:cantSplit /></w:trPr>", xml)


def _header_part(text: str, colour: str, bold: bool) -> bytes:
    run = (
        (
            f'<w:r><w:rPr><w:rFonts w:ascii="Noto Sans" w:hAnsi="Noto Sans" w:cs="Noto Sans" />'
            f'{"<w:b />" if bold else ""}<w:color w:val="{colour}" /><w:sz w:val="16" /></w:rPr>'
            f'<w:t xml:space="preserve">{escape(text)}</w:t></w:r>'
        )
        if text
        else ""
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:hdr xmlns:w="{W}"><w:p><w:pPr>'
        f'<w:jc w:val="right" /></w:pPr>{run}</w:p></w:hdr>'
    ).encode()


def _empty_footer() -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:ftr xmlns:w="{W}"><w:p /></w:ftr>').encode()


def _pages(parts: dict[str, bytes], header: str, draft: bool) -> None:
    """A header on every page but the cover (DRAFT, edition and date on a draft); the cover has no
    header and no page number (a first page of its own)."""
    parts["word/header-rk1.xml"] = _header_part(header, "B00020" if draft else "4D5963", draft)
    parts["word/header-rk2.xml"] = _header_part("", "000000", False)
    parts["word/footer-rk2.xml"] = _empty_footer()
    rels = (
        parts[RELS]
        .decode("utf-8")
        .replace(
            "</Relationships>",
            (
                f'<Relationship Id="rIdRkH1" Type="{HEADER_TYPE}" Target="header-rk1.xml" />'
                f'<Relationship Id="rIdRkH2" Type="{HEADER_TYPE}" Target="header-rk2.xml" />'
                f'<Relationship Id="rIdRkF2" Type="{FOOTER_TYPE}" Target="footer-rk2.xml" /></Relationships>'
            ),
        )
    )
    parts[RELS] = rels.encode("utf-8")
    types = parts[TYPES].decode("utf-8")
    main = "application/vnd.openxmlformats-officedocument.wordprocessingml"
    for name, kind in (("header-rk1", "header"), ("header-rk2", "header"), ("footer-rk2", "footer")):
        types = types.replace(
            "</Types>", f'<Override PartName="/word/{name}.xml" ContentType="{main}.{kind}+xml" /></Types>'
        )
    parts[TYPES] = types.encode("utf-8")
    xml = parts[DOCUMENT].decode("utf-8")
    at = xml.rfind("<w:sectPr>")
    references = (
        '<w:headerReference r:id="rIdRkH1" w:type="default" />'
        '<w:headerReference r:id="rIdRkH2" w:type="first" />'
        '<w:footerReference r:id="rIdRkF2" w:type="first" />'
    )
    xml = xml[:at] + "<w:sectPr>" + references + xml[at + len("<w:sectPr>") :]
    end = xml.rfind("</w:sectPr>")
    if "<w:titlePg" not in xml[at:end]:  # titlePg comes late in a section's properties
        xml = xml[:end] + "<w:titlePg />" + xml[end:]
    parts[DOCUMENT] = xml.encode("utf-8")


def finish(path: Path, report: Report, header: str, draft: bool, pages: dict[str, int]) -> list[str]:
    """Apply the finishing touches in one rewrite of the file; the list of those that could not be
    applied (the file's shape was not the one expected), each already logged as a warning."""
    with zipfile.ZipFile(path) as source:
        infos = source.infolist()
        parts = {info.filename: source.read(info) for info in infos}
    missed = []
    xml = parts[DOCUMENT].decode("utf-8")
    filled = with_contents(xml, report, pages)
    if filled is None:
        missed.append("contents written in advance")
        log.warning("the DOCX contents could not be written in advance: Word fills them when it opens the file")
    parts[DOCUMENT] = _anchors_hidden(_bookmarks_in_headings(_rows_kept_whole(filled or xml))).encode("utf-8")
    for notes in ("word/footnotes.xml", "word/endnotes.xml"):  # notes open with anchors too
        if notes in parts:
            parts[notes] = _anchors_hidden(parts[notes].decode("utf-8")).encode("utf-8")
    if "<w:sectPr>" in parts[DOCUMENT].decode("utf-8"):
        _pages(parts, header, draft)
    else:
        missed.append("page headers")
        log.warning("the DOCX has no section properties: no header and no cover without page number")
    # Same entries, order, dates and compression as pandoc wrote them: the bytes stay reproducible.
    names = [info.filename for info in infos] + sorted(set(parts) - {info.filename for info in infos})
    temporary = path.with_name(path.name + ".tmp")
    with zipfile.ZipFile(temporary, "w") as target:
        for name in names:
            info = next((i for i in infos if i.filename == name), None)
            if info is None:
                info = zipfile.ZipInfo(name, date_time=infos[0].date_time)
                info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, parts[name])
    temporary.replace(path)
    return missed
