"""The DOCX edition's facts about itself: custom document properties naming its edition, commit and
documents, and its block anchors as hidden bookmarks; written by the build, read by `report comments`.

A reviewed DOCX comes back on its own, by mail, long after the build: what it says about itself is
all `report comments` has to find the source it was made from. The build writes, as custom document
properties (Word's File > Properties > Custom, which LibreOffice and python-docx keep):

- `reportkit-anchors`: the version of the anchor scheme (this module's SCHEME); its presence says the
  file came from `report build`;
- `reportkit-edition`, `reportkit-date`, `reportkit-final`: the edition's name and date;
- `reportkit-commit`, `reportkit-uncommitted`: the commit it was built from ('' when none), and
  whether the working tree had changes the commit does not hold;
- `reportkit-document-NNNN`: one per document in reading order, "ID PATH" (the path URL-quoted, so
  it holds no space): how an anchor's document id maps to a file, even without the commit.

Each value stays under Word's 255 characters per property. The values come from the build (git,
the command line, the loaded report's ids and paths), never from the text.

pandoc turns a bookmark name that does not start with a letter into "X" and the rest of its SHA-1;
`hide_block_anchors` gives the block anchors (`resolve.block_anchor`) their own names back. A name
starting with '_' is a hidden bookmark in Word (not listed in Insert > Bookmark), and readable.
"""

from __future__ import annotations

import hashlib
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, unquote

from ..model import Report
from .resolve import ANCHORED, block_anchor

PREFIX = "reportkit-"
SCHEME = "1"
MAX_VALUE = 255  # what Word keeps of a custom property's text
_DOCUMENT = re.compile(r"reportkit-document-(\d{4,})")
# pandoc keeps a bookmark name as it is when Word accepts it; any other becomes "X" + SHA-1.
_WORD_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,39}")
STORIES = ("word/document.xml", "word/footnotes.xml")


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


def properties(report: Report, edition: str, date: str, final: bool, commit: str | None,
               uncommitted: bool) -> dict[str, str]:
    """The custom properties of an edition's DOCX, as pandoc metadata (pandoc writes every key it
    does not know to docProps/custom.xml)."""
    values = {f"{PREFIX}anchors": SCHEME, f"{PREFIX}edition": edition, f"{PREFIX}date": date,
              f"{PREFIX}final": "yes" if final else "no", f"{PREFIX}commit": commit or "none",
              f"{PREFIX}uncommitted": "yes" if uncommitted else "no"}
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
    return Facts(edition=custom.get(f"{PREFIX}edition", "").strip(), date=custom.get(f"{PREFIX}date", "").strip(),
                 final=custom.get(f"{PREFIX}final", "").strip() == "yes",
                 commit=commit if re.fullmatch(r"[0-9a-f]{40}|[0-9a-f]{64}", commit) else None,
                 uncommitted=custom.get(f"{PREFIX}uncommitted", "").strip() == "yes", documents=documents)


def pandoc_bookmark(name: str) -> str:
    """The bookmark pandoc writes for an id."""
    if _WORD_NAME.fullmatch(name):
        return name
    return "X" + hashlib.sha1(name.encode("utf-8")).hexdigest()[1:]


def block_anchor_names(report: Report) -> list[str]:
    """Every block anchor the single document holds (as `resolve._anchors` places them)."""
    return [block_anchor(doc, doc.where(block.start)[0]) for doc in report.documents
            for block in doc.scan.blocks if block.kind in ANCHORED]


def hide_block_anchors(path: Path, report: Report) -> int:
    """Rename pandoc's hashed block-anchor bookmarks in the DOCX at path to their own hidden names;
    the number renamed. Entries, order, dates and compression stay as pandoc wrote them."""
    renames = {f'w:name="{pandoc_bookmark(name)}"'.encode(): f'w:name="{name}"'.encode()
               for name in block_anchor_names(report)}
    pattern = re.compile(rb'w:name="X[0-9a-f]{39}"')
    with zipfile.ZipFile(path) as source:
        infos = source.infolist()
        parts = {info.filename: source.read(info) for info in infos}
    count = 0

    def rename(match: re.Match) -> bytes:
        nonlocal count
        new = renames.get(match.group())
        count += new is not None
        return new or match.group()

    for story in STORIES:
        if story in parts:
            parts[story] = pattern.sub(rename, parts[story])
    temporary = path.with_name(path.name + ".tmp")
    with zipfile.ZipFile(temporary, "w") as target:
        for info in infos:
            target.writestr(info, parts[info.filename])
    temporary.replace(path)
    return count
