"""The apparatus' rules of `report check` (merged into `checks.CHECKS`): each returns diagnostics."""

from __future__ import annotations

from ..diagnostics import Diagnostic
from ..model import Report
from . import captions, citations, glossary, notes
from .rules import at


def check_captions(report: Report) -> list[Diagnostic]:
    return list(report.apparatus.problems) + captions.check(report)


def check_heading_levels(report: Report) -> list[Diagnostic]:
    """A heading one level deeper than the one before at most: screen readers navigate by levels,
    and the PDF's tags and Word's outline need them in order (the title is level 1, sections '## ')."""
    found = []
    for doc in report.documents:
        level = 1
        for heading in doc.scan.headings:
            if heading.level > level + 1:
                found.append(
                    at(
                        doc,
                        heading.start,
                        "heading.skip",
                        f"this heading skips a level: '{'#' * heading.level}' after "
                        f"'{'#' * level}'{' (the title)' if level == 1 else ''}; use "
                        f"'{'#' * (level + 1)}'",
                    )
                )
            level = heading.level
    return found


CHECKS = (notes.check, check_captions, citations.check, glossary.check, check_heading_levels)
