"""The DOCX edition opened by a second word processor: LibreOffice (Debian's, headless)."""

from __future__ import annotations

import re
import subprocess
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader

import readers

LIBREOFFICE_PACKAGE = "libreoffice-writer-nogui"  # Debian's, installed by `make system`


@pytest.fixture(scope="module")
def converted(sample, tmp_path_factory) -> Path:
    """The sample's DOCX as LibreOffice reads it, saved as PDF and as ODT (its own format)."""
    soffice = readers.find_program("soffice", LIBREOFFICE_PACKAGE)
    out = tmp_path_factory.mktemp("libreoffice")
    for fmt in ("pdf", "odt"):
        subprocess.run(
            [
                soffice,
                "--headless",
                "--norestore",
                f"-env:UserInstallation=file://{out}/profile",
                "--convert-to",
                fmt,
                "--outdir",
                str(out),
                str(sample.docx),
            ],
            check=True,
            capture_output=True,
            timeout=180,
        )
    return out


def test_libreoffice_reads_every_label_and_the_contents(sample, converted):
    reader = PdfReader(str(converted / "panel-report.pdf"))
    text = readers.plain_quotes(readers.squash(" ".join(page.extract_text() for page in reader.pages)))
    labels = {doc.label for doc in sample.report.documents if doc.number}
    assert labels <= set(re.findall(r"(?:Chapter|Recommendation|Annex) [0-9IVX]+[A-D]?\b", text))
    assert "DRAFT" in readers.squash(reader.pages[0].extract_text())
    contents = re.sub(r"\.{3,}", " ", readers.squash(reader.pages[1].extract_text()))
    # The header says DRAFT; the contents were written in advance, with the PDF edition's page numbers
    # (the lists of figures and tables fill page 3 and the draft's open points page 4, before the
    # foreword: test_negotiated.py).
    assert contents.startswith(
        "DRAFT · Working draft · 10 June 2019 Contents Foreword 5 Executive summary 6 "
        "Chapter 1: Introduction 8 1.1 Mandate 8"
    ), contents[:200]


def test_libreoffice_resolves_every_cross_reference_to_a_bookmark(sample, converted):
    content = zipfile.ZipFile(converted / "panel-report.odt").read("content.xml").decode("utf-8")
    links = re.findall(r'<text:a [^>]*xlink:href="#([^"]+)"', content)
    bookmarks = set(re.findall(r'<text:bookmark(?:-start)? text:name="([^"]+)"', content))
    in_docx = re.findall(
        r'<w:hyperlink w:anchor="([^"]+)"', zipfile.ZipFile(sample.docx).read("word/document.xml").decode("utf-8")
    )
    assert len(links) == len(in_docx) > 100
    assert [name for name in links if name not in bookmarks] == []
