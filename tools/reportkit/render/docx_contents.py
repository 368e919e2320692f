"""Fill the DOCX edition's table of contents, so it reads in every word processor.

pandoc writes the contents as an empty TOC field marked for updating: Word fills it on opening
(after asking), but LibreOffice, Google Docs and Word on the web show an empty "Contents". This
writes the field's result in advance: one linked entry per document title and numbered section.
Word still recomputes the whole field, adding page numbers; the others show the linked entries
(they do not compute page references on opening, so the entries carry no page numbers).
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from ..model import Report

DOCUMENT = "word/document.xml"
_HEADING = re.compile(
    r'<w:bookmarkStart w:id="\d+" w:name="(?P<name>[^"]+)" />\s*'
    r'<w:p><w:pPr><w:pStyle w:val="Heading(?P<level>\d)" />(?P<body>.*?)</w:p>', re.S)
_TEXT = re.compile(r"<w:t(?: [^>]*)?>([^<]*)</w:t>")
_EMPTY_RESULT = '<w:fldChar w:fldCharType="separate" /><w:fldChar w:fldCharType="end" /></w:r></w:p>'


def listed(report: Report) -> list[bool]:
    """For every heading of the single document, in order: does the contents list it?

    As in the PDF: each document's title, and the sections of numbered chapters.
    """
    flags = []
    for doc in report.documents:
        flags.append(True)
        numbers = doc.section_numbers
        flags += [h.level == 2 and h.anchor in numbers for h in doc.scan.headings]
    return flags


def _entry(level: int, name: str, text: str) -> str:
    return (f'<w:p><w:pPr><w:pStyle w:val="TOC{level}" /></w:pPr><w:hyperlink w:anchor="{name}" '
            f'w:history="1"><w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:hyperlink></w:p>')


def fill(path: Path, report: Report) -> bool:
    """Write the contents into the DOCX at path; False (file untouched) if its shape is unexpected."""
    with zipfile.ZipFile(path) as source:
        infos = source.infolist()
        parts = {info.filename: source.read(info) for info in infos}
    xml = parts[DOCUMENT].decode("utf-8")
    headings = list(_HEADING.finditer(xml))
    flags = listed(report)
    if len(headings) != len(flags) or xml.count(_EMPTY_RESULT) != 1:
        return False  # not the document pandoc wrote from this report: leave it to Word
    entries = [_entry(int(m["level"]), m["name"], "".join(_TEXT.findall(m["body"])))
               for m, keep in zip(headings, flags) if keep]
    result = ('<w:fldChar w:fldCharType="separate" /></w:r></w:p>' + "".join(entries)
              + '<w:p><w:r><w:fldChar w:fldCharType="end" /></w:r></w:p>')
    parts[DOCUMENT] = xml.replace(_EMPTY_RESULT, result).encode("utf-8")
    # Same entries, order, dates and compression as pandoc wrote them: the bytes stay reproducible.
    temporary = path.with_name(path.name + ".tmp")
    with zipfile.ZipFile(temporary, "w") as target:
        for info in infos:
            target.writestr(info, parts[info.filename])
    temporary.replace(path)
    return True
