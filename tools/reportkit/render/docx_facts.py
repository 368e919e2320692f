"""The DOCX edition's facts about itself: custom document properties naming its edition, commit and
documents; written by the build (`pandoc.write_docx`), read by `report comments`.

A reviewed DOCX comes back on its own, by mail, long after the build: what it says about itself is
all `report comments` has to find the source it was made from. The build writes, as custom document
properties (Word's File > Properties > Custom, which LibreOffice and python-docx keep):

- `reportkit-anchors`: the version of the anchor scheme (this module's SCHEME); its presence says the
  file came from `report build`;
- `reportkit-edition`, `reportkit-date`, `reportkit-final`: the edition's name and date;
- `reportkit-commit`, `reportkit-uncommitted`: the commit it was built from ('' when none), and
  whether the working tree had changes the commit does not hold;
- `reportkit-marks-by`, `reportkit-marks-date`: the default author and the date Word shows on the
  marked changes the source itself carries (`changes`: `rk-ins`, `rk-del`, `rk-comment` spans, and
  CriticMarkup attributed to each section's owner), which are the edition's, not a reviewer's;
- `reportkit-document-NNNN`: one per document in reading order, "ID PATH" (the path URL-quoted, so
  it holds no space): how an anchor's document id maps to a file, even without the commit.

Each value stays under Word's 255 characters per property. The values come from the build (git,
the command line, the loaded report's ids and paths), never from the text.

The block anchors that map a paragraph back to its source line are named by `resolve.block_anchor`
and hidden as Word bookmarks by `docx_contents.finish`; `pandoc_bookmark` says what pandoc makes of a
heading's id (a name Word would refuse becomes "X" and the rest of its SHA-1).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from urllib.parse import quote, unquote

from ..model import Report

PREFIX = "reportkit-"
SCHEME = "2"  # 2: block anchors named _rk_<hash>_<line> (resolve.BLOCK_ANCHOR)
MAX_VALUE = 255  # what Word keeps of a custom property's text
_DOCUMENT = re.compile(r"reportkit-document-(\d{4,})")
# pandoc keeps a bookmark name as it is when Word accepts it; any other becomes "X" + SHA-1.
_WORD_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,39}")


@dataclass(frozen=True)
class Facts:
    """What a DOCX of ours says about the edition it is."""

    edition: str
    date: str
    final: bool
    commit: str | None
    uncommitted: bool
    documents: dict[str, str] = field(default_factory=dict)  # id -> path, in reading order
    scheme: str = SCHEME
    marks_by: tuple[str, str] | None = None  # (author, date) of the edition's own marked changes

    def own(self, author: str, date: str) -> bool:
        """Whether a comment or tracked change is one the edition carried: the build dates all of its
        own (by the section's owner, "Open point", or the redline's name) at the edition's moment,
        which Word never gives a reviewer's edit. The author is not compared, as it varies."""
        return self.marks_by is not None and date.strip() == self.marks_by[1]


def properties(
    report: Report,
    edition: str,
    date: str,
    final: bool,
    commit: str | None,
    uncommitted: bool,
    marks_by: tuple[str, str] | None = None,
) -> dict[str, str]:
    """The custom properties of an edition's DOCX, as pandoc metadata (pandoc writes every key it
    does not know to docProps/custom.xml)."""
    values = {
        f"{PREFIX}anchors": SCHEME,
        f"{PREFIX}edition": edition,
        f"{PREFIX}date": date,
        f"{PREFIX}final": "yes" if final else "no",
        f"{PREFIX}commit": commit or "none",
        f"{PREFIX}uncommitted": "yes" if uncommitted else "no",
    }
    if marks_by is not None:
        values[f"{PREFIX}marks-by"], values[f"{PREFIX}marks-date"] = marks_by
    for index, doc in enumerate(d for d in report.documents if d.id):
        values[f"{PREFIX}document-{index + 1:04d}"] = f"{doc.id} {quote(doc.path, safe='/')}"
    # pandoc writes each value as the words it holds, one space apart: no value may be empty,
    # and none may pass what Word keeps.
    return {key: " ".join(value.split())[:MAX_VALUE] or "none" for key, value in values.items()}


def read(custom: dict[str, str]) -> Facts | None:
    """The facts from a DOCX's custom properties (name -> text); None when they are not ours."""
    if custom.get(f"{PREFIX}anchors", "").strip() != SCHEME:
        return None
    documents = {}
    for name in sorted(n for n in custom if _DOCUMENT.fullmatch(n)):
        ident, _, path = custom[name].strip().partition(" ")
        if ident and path:
            documents[ident] = unquote(path)
    commit = custom.get(f"{PREFIX}commit", "").strip()
    by, when = custom.get(f"{PREFIX}marks-by", "").strip(), custom.get(f"{PREFIX}marks-date", "").strip()
    return Facts(
        edition=custom.get(f"{PREFIX}edition", "").strip(),
        date=custom.get(f"{PREFIX}date", "").strip(),
        final=custom.get(f"{PREFIX}final", "").strip() == "yes",
        commit=commit if re.fullmatch(r"[0-9a-f]{40}|[0-9a-f]{64}", commit) else None,
        uncommitted=custom.get(f"{PREFIX}uncommitted", "").strip() == "yes",
        documents=documents,
        marks_by=(by, when) if by and when else None,
    )


def pandoc_bookmark(name: str) -> str:
    """The bookmark pandoc writes for an id."""
    if _WORD_NAME.fullmatch(name):
        return name
    return "X" + hashlib.sha1(name.encode("utf-8")).hexdigest()[1:]
