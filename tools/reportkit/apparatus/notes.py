"""Endnotes in one series across the report: `[^label]` numbered in the printed order.

The PDF and DOCX print every note in a Notes section at the end, numbered straight through in the
order they print the text (`order.segments`: a recommendation's notes fall where the recommendation
is printed, inside the chapter that presents it). The site shows each page's notes with the same
numbers. A label is the file's own: `[^1]` in two files are two notes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..diagnostics import Diagnostic
from ..markdown import NoteMatch
from ..model import Document, Report
from . import order
from .rules import at

_DEFINITION_LABEL = re.compile(r"[ \t]*\[\^([^\]\s\[^]{1,100})\]:")


@dataclass(frozen=True)
class Definition:
    label: str
    start: int  # the note's block in the body
    end: int


_LINE_LABEL = re.compile(r"^[ \t]{0,3}\[\^([^\]\s\[^]{1,100})\]:", re.MULTILINE)


def definitions(doc: Document) -> list[Definition]:
    """Each note's text as a span of the body (its first line `[^label]: ...` and what follows). A
    note block may hold several notes, one under the other without a blank line: each is its own."""
    found = []
    body = doc.scan.body
    for block in doc.scan.blocks:
        if block.kind != "note" or not _DEFINITION_LABEL.match(body, block.start):
            continue
        starts = [m for m in _LINE_LABEL.finditer(body, block.start, block.end)]
        for m, following in zip(starts, [*starts[1:], None], strict=True):
            found.append(Definition(m.group(1), m.start(), following.start() if following else block.end))
    return found


def references(doc: Document) -> list[NoteMatch]:
    return [n for n in doc.scan.notes if not n.definition]


def numbering(report: Report) -> dict[tuple[str, str], int]:
    """(file, label) -> the note's number in the report's one series, in the printed order."""
    numbers: dict[tuple[str, str], int] = {}
    for segment in order.segments(report):
        defined = {d.label for d in definitions(segment.doc)}
        for note in references(segment.doc):
            key = (segment.doc.path, note.label)
            if segment.start <= note.start < segment.end and note.label in defined and key not in numbers:
                numbers[key] = len(numbers) + 1
    return numbers


def reference_of(doc: Document, label: str) -> int | None:
    """Where the text calls a note (its first reference), which is where pandoc puts the note."""
    return next((n.start for n in references(doc) if n.label == label), None)


def check(report: Report) -> list[Diagnostic]:
    """A label called twice (two calls, one note: the editions would disagree on its number), or a
    call inside a note's own text."""
    found = []
    for doc in report.documents:
        spans = definitions(doc)
        seen: dict[str, int] = {}
        for note in references(doc):
            if note.label in seen:
                line, _ = doc.where(seen[note.label])
                found.append(
                    at(
                        doc,
                        note.start,
                        "note.reused",
                        f"note [^{note.label}] is already called on line {line}: each call needs a note "
                        f"of its own in the one series of notes; write a new note (for instance "
                        "'See note ...') with a label of its own",
                    )
                )
            seen.setdefault(note.label, note.start)
            inside = next((d for d in spans if d.start <= note.start < d.end), None)
            if inside is not None:
                found.append(
                    at(
                        doc,
                        note.start,
                        "note.nested",
                        f"note [^{note.label}] is called inside the text of note [^{inside.label}]; "
                        "a note cannot hold a note: move the call into the main text",
                    )
                )
    return found
