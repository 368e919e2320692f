"""Negotiated text: the open points, CriticMarkup marks of passages not yet agreed, as located data
that the check, the resolver and the listings share; and their rule.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import refs
from .diagnostics import ERROR, Diagnostic
from .markdown import CriticMark
from .model import Document, Report

KIND_NAMES = {"highlight": "bracketed passage", "substitution": "alternative", "insertion": "proposed insertion",
              "deletion": "proposed deletion", "comment": "comment"}
EXCERPT = 100  # characters of a mark's text in a listing


# -- open points ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class OpenPoint:
    doc: Document
    mark: CriticMark
    line: int
    column: int
    texts: tuple[str, ...]  # the mark's texts as readers see them (references as their labels)

    @property
    def kind(self) -> str:
        return KIND_NAMES[self.mark.kind]

    @property
    def text(self) -> str:
        """What the point is about, shortened: the passage, or both texts of an alternative."""
        if self.mark.kind == "substitution":
            return f"{excerpt(self.texts[0], EXCERPT // 2)} / {excerpt(self.texts[1], EXCERPT // 2)}"
        return excerpt(self.texts[0])

    @property
    def reason(self) -> str:
        """Why a bracketed passage is open (the comment that follows it), or ''."""
        return excerpt(self.texts[1]) if self.mark.kind == "highlight" and len(self.texts) > 1 else ""

    def description(self, limit: int = 1000) -> str:
        """'Alternative: “one” / “the other”', 'Bracketed passage: “...” (why: ...)': for a table."""
        texts = [excerpt(text, limit) for text in self.texts]
        if self.mark.kind == "substitution":
            return f"{self.kind.capitalize()}: “{texts[0]}” / “{texts[1]}”"
        why = f" (why: {texts[1]})" if self.mark.kind == "highlight" and len(texts) > 1 else ""
        return f"{self.kind.capitalize()}: “{texts[0]}”{why}"

    @property
    def where(self) -> str:
        return f"{self.doc.path}:{self.line}"


def excerpt(text: str, limit: int = EXCERPT) -> str:
    words = " ".join(text.split())
    return words if len(words) <= limit else words[: limit - 1].rstrip() + "…"


def open_points(report: Report) -> list[OpenPoint]:
    """Every mark of text not yet agreed, in reading order."""
    points = []
    for doc in report.documents:
        for mark in doc.scan.marks:
            line, column = doc.where(mark.start)
            texts = tuple(refs.as_text(report, text) for text in mark.texts)
            points.append(OpenPoint(doc, mark, line, column, texts))
    return points


def owner_name(report: Report, doc: Document) -> str:
    member = report.members.get(doc.owner or "")
    return member.name if member else (doc.owner or "no owner")


# -- the rules -----------------------------------------------------------------------------------

def check_marks(report: Report) -> list[Diagnostic]:
    """CriticMarkup that the editions cannot all show alike: unclosed, nested, over two paragraphs."""
    found = []
    for doc in report.documents:
        for problem in doc.scan.critic.problems:
            line, column = doc.where(problem.offset)
            message = problem.message
            if problem.closes is not None:
                message += f" (it closes on line {doc.where(problem.closes)[0]})"
            found.append(Diagnostic(doc.path, line, column, ERROR, problem.code, message))
    return found
