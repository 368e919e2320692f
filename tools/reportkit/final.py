"""What stands between the report and its final edition: each blocker located at file:line.

The final edition is the published one: it takes agreed sections only, no placeholder (a roster
seat still vacant, an annex marked `placeholder: true`), and none of the warnings report.yml lists
under `final: blocking:`. Other parts of the toolchain add their own blockers (open marks of
negotiated text, missing positions) through BLOCKERS.
"""

from __future__ import annotations

from collections.abc import Callable

from . import negotiation
from .diagnostics import ERROR, WARNING, Diagnostic
from .loader import ROSTER_FILE
from .model import Report


def unagreed(report: Report) -> list[Diagnostic]:
    found = []
    for doc in report.documents:
        if doc.status and doc.status not in ("agreed", "withdrawn"):
            found.append(
                Diagnostic(
                    doc.path,
                    doc.key_line("status"),
                    1,
                    ERROR,
                    "final.unagreed",
                    f"{doc.label} is '{doc.status}': the final edition takes agreed sections only",
                )
            )
    return found


def placeholders(report: Report) -> list[Diagnostic]:
    found = [
        Diagnostic(
            doc.path,
            doc.key_line("placeholder"),
            1,
            ERROR,
            "final.placeholder",
            f"{doc.label} is marked as a placeholder: replace its text to be confirmed, then remove "
            "`placeholder: true`",
        )
        for doc in report.documents
        if doc.meta.get("placeholder") is True
    ]
    found += [
        Diagnostic(
            ROSTER_FILE,
            member.line,
            1,
            ERROR,
            "final.placeholder",
            f"the roster's seat '{member.id}' is vacant ({member.name}): name its member, then remove `vacancy: true`",
        )
        for member in report.members.values()
        if member.vacancy
    ]
    return found


def blocking_warnings(report: Report, diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """The warnings report.yml names under `final: blocking:`, as blockers."""
    codes = set((report.settings.get("final") or {}).get("blocking", []))
    return [
        Diagnostic(
            d.path,
            d.line,
            d.column,
            ERROR,
            "final.blocking",
            f"[{d.code}] {d.message} (report.yml lists {d.code} as blocking the final edition)",
        )
        for d in diagnostics
        if d.severity == WARNING and d.code in codes
    ]


# Open points still marked in the text, and (positions: required) members with no stance: negotiation.
BLOCKERS: list[Callable[[Report], list[Diagnostic]]] = [unagreed, placeholders, negotiation.blockers]


def blockers(report: Report, diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """Everything that blocks the final edition, sorted by place."""
    found = [d for blocker in BLOCKERS for d in blocker(report)]
    found += blocking_warnings(report, diagnostics)
    return sorted(found, key=lambda d: (d.path, d.line, d.column, d.code))
