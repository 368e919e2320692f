"""The apparatus' check codes with their default levels, and located findings in a document."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..diagnostics import ERROR, WARNING, Diagnostic

if TYPE_CHECKING:
    from ..model import Document

GLOSSARY_FILE = "glossary.yml"
REFERENCES_FILE = "references.yml"

# Merged into checks.RULES (report.yml's `rules:` may raise, lower or silence each).
RULES: dict[str, str] = {
    "note.reused": ERROR,
    "note.nested": ERROR,
    "note.mismatch": ERROR,
    "caption.target": ERROR,
    "caption.duplicate": ERROR,
    "caption.syntax": ERROR,
    "cite.unknown": ERROR,
    "cite.unused": WARNING,
    "cite.syntax": ERROR,
    "cite.unplaced": ERROR,
    "references.duplicate": ERROR,
    "glossary.undefined": WARNING,
    "glossary.unused": WARNING,
    "glossary.duplicate": ERROR,
    "glossary.unplaced": WARNING,
    "heading.skip": ERROR,
}


def at(doc: Document, offset: int, code: str, message: str) -> Diagnostic:
    line, column = doc.where(offset)
    return Diagnostic(doc.path, line, column, RULES.get(code, ERROR), code, message)


def in_file(path: str, line: int, code: str, message: str) -> Diagnostic:
    return Diagnostic(path, line, 1 if line else 0, RULES.get(code, ERROR), code, message)
