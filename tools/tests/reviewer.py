"""Make reviewed DOCX files the way a reviewer in Word would, for `report comments`' tests.

Comments go in with python-docx 1.2 (`Document.add_comment`, anchored on runs split at the words,
as Word splits them). Tracked changes, which python-docx does not model, are written into the
document's XML as Word writes them: `w:ins` around inserted runs, `w:del` around deleted runs
(their text in `w:delText`), and a paragraph's own mark marked inserted (a split) or deleted (a
join) in its `w:pPr/w:rPr`. `libreoffice` opens and saves a file with headless LibreOffice, the
other word processor the Panel's members use.
"""

from __future__ import annotations

import copy
import itertools
import subprocess
from pathlib import Path

import docx
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph
from docx.text.run import Run
from lxml import etree

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _text(p) -> str:
    return "".join(t.text or "" for t in p.iter(qn("w:t")))


def _runs(p) -> list:
    """The runs of a paragraph that hold text, in order (inside links too)."""
    return [r for r in p.iter(qn("w:r")) if r.find(qn("w:t")) is not None]


def _split(run, at: int):
    """Split a run of one w:t at a character offset; the new second run."""
    t = run.find(qn("w:t"))
    second = copy.deepcopy(run)
    second.find(qn("w:t")).text = t.text[at:]
    t.text = t.text[:at]
    for piece in (t, second.find(qn("w:t"))):
        piece.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    run.addnext(second)
    return second


class Reviewer:
    def __init__(self, path: Path):
        self.document = docx.Document(str(path))
        self.body = self.document.element.body
        self.ids = itertools.count(9000)

    def paragraph(self, words: str, root=None):
        """The one paragraph whose text holds words (the table of contents, a w:sdt, aside), or whose
        text is exactly the words (a table cell, say) when several hold them."""
        found = [
            p
            for p in (root if root is not None else self.body).iter(qn("w:p"))
            if words in _text(p) and not any(a.tag == qn("w:sdt") for a in p.iterancestors())
        ]
        if len(found) > 1:
            found = [p for p in found if _text(p) == words]
        assert len(found) == 1, f"{len(found)} paragraphs hold {words!r}"
        return found[0]

    def isolate(self, words: str, root=None) -> list:
        """The runs that hold exactly words (split where needed), in one paragraph."""
        p = self.paragraph(words, root)
        start = _text(p).index(words)
        end = start + len(words)
        position, chosen = 0, []
        for run in _runs(p):
            length = len(run.find(qn("w:t")).text or "")
            if position < start < position + length:
                run = _split(run, start - position)
                position = start
                length = len(run.find(qn("w:t")).text)
            if position < end < position + length:
                _split(run, end - position)
                length = end - position
            if start <= position < end:
                chosen.append(run)
            position += length
        return chosen

    def _stamp(self, tag: str, author: str, date: str):
        element = etree.SubElement(etree.Element(qn("w:x")), qn(tag))
        element.set(qn("w:id"), str(next(self.ids)))
        element.set(qn("w:author"), author)
        element.set(qn("w:date"), date)
        return element

    def comment(self, words: str, text: str, author: str, date: str, until: str | None = None, root=None) -> None:
        """A comment on words (or from words to the end of `until`, in a later paragraph); root: the
        paragraph that holds them, when others do too."""
        first = self.isolate(words, root)
        last = self.isolate(until) if until else first
        runs = [Run(r, Paragraph(r.getparent(), None)) for r in (first[0], last[-1])]
        comment = self.document.add_comment(runs, text=text, author=author, initials=author[:1])
        comment._comment_elm.set(qn("w:date"), date)

    def insert(self, after: str, text: str, author: str, date: str) -> None:
        """Type text just after the words `after`, with changes tracked."""
        run = self.isolate(after)[-1]
        ins = self._inserted(text, author, date)
        run.addnext(ins)

    def _inserted(self, text: str, author: str, date: str):
        ins = self._stamp("w:ins", author, date)
        run = etree.SubElement(ins, qn("w:r"))
        t = etree.SubElement(run, qn("w:t"))
        t.text = text
        t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        return ins

    def insert_before_anchor(self, paragraph_words: str, text: str, author: str, date: str) -> None:
        """Type at the very start of a paragraph, before the hidden bookmark that opens it."""
        p = self.paragraph(paragraph_words)
        mark = p.find(qn("w:bookmarkStart"))
        assert mark is not None and mark.get(qn("w:name")).startswith("_")
        mark.addprevious(self._inserted(text, author, date))

    def delete(self, words: str, author: str, date: str, root=None) -> None:
        runs = self.isolate(words, root)
        deletion = self._stamp("w:del", author, date)
        runs[0].addprevious(deletion)
        for run in runs:
            deletion.append(run)
            run.find(qn("w:t")).tag = qn("w:delText")

    def _mark(self, p, tag: str, author: str, date: str) -> None:
        ppr = p.find(qn("w:pPr"))
        if ppr is None:
            ppr = etree.Element(qn("w:pPr"))
            p.insert(0, ppr)
        rpr = ppr.find(qn("w:rPr"))
        if rpr is None:
            rpr = etree.SubElement(ppr, qn("w:rPr"))
        rpr.append(self._stamp(tag, author, date))

    def split(self, after: str, author: str, date: str) -> None:
        """Press Enter after the words `after`: the rest of the paragraph becomes a new one (a link
        the words end with, a note's mark say, stays in the first)."""
        point = self.isolate(after)[-1]
        while point.getparent().tag != qn("w:p"):
            assert point.getnext() is None, "split a paragraph between runs, or at the end of a link"
            point = point.getparent()
        p = point.getparent()
        new = etree.Element(qn("w:p"))
        ppr = p.find(qn("w:pPr"))
        if ppr is not None:
            new.append(copy.deepcopy(ppr))
        for sibling in list(point.itersiblings()):
            new.append(sibling)
        p.addnext(new)
        self._mark(p, "w:ins", author, date)

    def join(self, last_words: str, author: str, date: str) -> None:
        """Delete the mark at the end of the paragraph holding last_words: it joins the next one."""
        self._mark(self.paragraph(last_words), "w:del", author, date)

    def save(self, path: Path) -> Path:
        self.document.save(str(path))
        return path


def libreoffice(path: Path, out: Path, profile: Path) -> Path:
    """path opened and saved again as DOCX by headless LibreOffice, into the folder out."""
    from readers import find_program

    out.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            find_program("soffice", "libreoffice-writer-nogui"),  # installed by `make system`
            "--headless",
            "--norestore",
            f"-env:UserInstallation=file://{profile}",
            "--convert-to",
            "docx:MS Word 2007 XML",
            "--outdir",
            str(out),
            str(path),
        ],
        check=True,
        capture_output=True,
        timeout=240,
    )
    return out / path.name
