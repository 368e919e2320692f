"""Citations `[@key]` of the works in references.yml: found in the text, checked, put in pandoc's order.

pandoc reads the citations (its `citations` extension) and citeproc formats them once for the three
editions (`render/citeproc.py`); this scan says where each is in the source, so that a finding has
its line and the site can put each formatted citation in its place. pandoc's reading decides: the
judge compares the keys pandoc saw, document by document, with the ones found here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..diagnostics import Diagnostic
from ..markdown import blank_escapes
from ..model import Document, Report
from ..refs import suggest
from . import notes
from .rules import REFERENCES_FILE, at, in_file

# pandoc's citation keys: a letter, digit or _, then word characters and internal punctuation.
KEY = r"[\w](?:[\w:.#$%&+?<>~/-]*[\w])?"
_KEY_IN_GROUP = re.compile(r"(?:(?<=[\[\s;])|(?<=[\[\s;]-))@(?P<key>" + KEY + ")")
_GROUP = re.compile(r"\[(?P<inner>[^\[\]\n]*@[^\[\]\n]*)\](?![(\[{])")
_BARE = re.compile(r"(?<![\w@\]\[;.:/-])-?@(?P<key>" + KEY + ")")


@dataclass(frozen=True)
class Citation:
    start: int  # the whole group `[see @a, p. 3; @b]`, or a bare `@a`
    end: int
    keys: tuple[str, ...]
    key_offsets: tuple[int, ...]
    bracketed: bool


def find(doc: Document) -> list[Citation]:
    """The citations of a body in source order (code is masked: nothing in code is a citation)."""
    masked = doc.scan.masked
    if "@" not in masked:
        return []
    found, taken = [], []
    for m in _GROUP.finditer(masked):
        keys = [k for k in _KEY_IN_GROUP.finditer(m.group(0))]
        if keys:
            found.append(
                Citation(
                    m.start(), m.end(), tuple(k["key"] for k in keys), tuple(m.start() + k.start() for k in keys), True
                )
            )
            taken.append((m.start(), m.end()))
    for m in _BARE.finditer(blank_escapes(masked)):  # `\@c` is the text "@c" to pandoc, not a citation
        at = m.start() + m.group(0).index("@")
        if not any(start <= m.start() < end for start, end in taken):
            found.append(Citation(m.start(), m.end(), (m["key"],), (at,), False))
    return sorted(found, key=lambda c: c.start)


def in_reading_order(doc: Document, citations: list[Citation]) -> list[Citation]:
    """The citations in pandoc's order: a citation in a note's text comes where the note is called."""
    spans = notes.definitions(doc)

    def place(citation: Citation) -> tuple[int, int]:
        inside = next((d for d in spans if d.start <= citation.start < d.end), None)
        called = notes.reference_of(doc, inside.label) if inside else None
        return (called if called is not None else citation.start, citation.start)

    return sorted(citations, key=place)


def check(report: Report) -> list[Diagnostic]:
    """Unknown keys (with the nearest), entries never cited, citations in headings, and a report
    that cites without an annex to list the references."""
    files = report.apparatus_files
    known = files.by_key if files else {}
    found, cited = [], set()
    for doc in report.documents:
        headings = [(h.start, h.end) for h in doc.scan.headings]
        for citation in report.apparatus.citations.get(doc.path, []):
            if any(start <= citation.start < end for start, end in headings):
                found.append(
                    at(
                        doc,
                        citation.start,
                        "cite.syntax",
                        "a citation in a heading is not supported: cite the work in the text under it",
                    )
                )
            for key, offset in zip(citation.keys, citation.key_offsets, strict=True):
                cited.add(key)
                if key not in known and not (files and files.references_refused):  # its error says why
                    where = (
                        f"references.yml{suggest(key, known)}"
                        if known
                        else "references.yml (there is no such file: create it)"
                    )
                    found.append(at(doc, offset, "cite.unknown", f"no reference with the key '{key}' in {where}"))
    if files:
        found += [
            in_file(
                REFERENCES_FILE,
                e.line,
                "cite.unused",
                f"the reference '{e.id}' is never cited: "
                f"cite it with [@{e.id}] where the text relies on it, or remove it",
            )
            for e in files.references
            if e.id not in cited
        ]
    if cited and not any(d.kind == "annex" and d.meta.get("bibliography") is True for d in report.documents):
        first = next(d for d in report.documents if report.apparatus.citations.get(d.path))
        found.append(
            at(
                first,
                report.apparatus.citations[first.path][0].start,
                "cite.unplaced",
                "the report cites works, but no annex lists them: add 'bibliography: true' to the "
                "front matter of the annex that prints the references",
            )
        )
    return found
