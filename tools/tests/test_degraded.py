"""Degraded paths say so: what an edition could not be given is returned, logged and printed."""

from __future__ import annotations

import logging
import zipfile

from conftest import SAMPLE_ROOT
from reportkit.loader import load
from reportkit.render import docx_contents

DOCUMENT_WITHOUT_CONTENTS = (
    '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
    'wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>Text</w:t></w:r></w:p></w:body></w:document>'
)


def test_a_docx_of_an_unexpected_shape_is_finished_as_far_as_it_can_be_and_says_what_it_lacks(tmp_path, caplog):
    path = tmp_path / "odd.docx"
    with zipfile.ZipFile(path, "w") as docx:
        docx.writestr("[Content_Types].xml", "<Types></Types>")
        docx.writestr("word/_rels/document.xml.rels", "<Relationships></Relationships>")
        docx.writestr(docx_contents.DOCUMENT, DOCUMENT_WITHOUT_CONTENTS)
    with caplog.at_level(logging.WARNING, logger="reportkit.render.docx_contents"):
        missed = docx_contents.finish(path, load(SAMPLE_ROOT), "DRAFT", True, {})
    assert missed == ["contents written in advance", "page headers"]
    assert len([r for r in caplog.records if r.levelno == logging.WARNING]) == 2
    with zipfile.ZipFile(path) as docx:  # still a whole file, with the text it had
        assert "<w:t>Text</w:t>" in docx.read(docx_contents.DOCUMENT).decode("utf-8")
