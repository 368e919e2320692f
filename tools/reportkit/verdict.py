"""The one verdict: what `report check` prints and what `report build` obeys, from one computation.

It gathers the rules over the scanned text, the validation of every asset, the site's address plan
and the validation of what pandoc actually parsed, then applies report.yml's levels. The build
renders from the very AST and asset bytes judged here, so a report the check accepts is the report
the build publishes, and a report the check refuses is never built.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from . import assets as asset_files
from . import checks
from .diagnostics import ERROR, Diagnostic
from .model import Report
from .render import pandoc_ast, runner, site_plan

log = logging.getLogger(__name__)


@dataclass
class Verdict:
    diagnostics: list[Diagnostic]
    assets: dict[str, asset_files.Asset] = field(default_factory=dict)
    parsed: pandoc_ast.Parsed | None = None  # None when pandoc could not read the text

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == ERROR]


def evaluate(report: Report, timeout: float = runner.DEFAULT_TIMEOUT) -> Verdict:
    """Judge the report: every finding, at its level; the validated assets and parsed text."""
    found = checks.findings(report)
    assets, problems = asset_files.collect(report)
    found += problems
    found += site_plan.problems(report)
    parsed, second = _parse(report, set(assets), timeout)
    found += _second_opinions(found, second)
    return Verdict(checks.settle(report, found), assets, parsed)


# pandoc reads some combinations of brackets, emphasis and links in time exponential in their number
# (twenty '[*]a ' in a paragraph take minutes), and no scan foresees them all. Its reading gets a
# budget far above what any text needs (the 2,000-section generated report, 1.3 MB, reads in about
# 2 s); past it the text is at fault, and the paragraph pandoc cannot read in time is named.
PARSE_SECONDS = 30.0
PARSE_SECONDS_PER_MB = 20.0
PARAGRAPH_SECONDS = 5.0


def _budget(documents: list, base: float) -> float:
    size = sum(len(d.scan.body) for d in documents) / 1_000_000
    return base + PARSE_SECONDS_PER_MB * size


def _parse(report: Report, assets: set[str], timeout: float) -> tuple[pandoc_ast.Parsed | None, list[Diagnostic]]:
    """pandoc's reading of the text, judged. A time limit reached is the text's fault when it is
    the parse's own budget (the slow paragraph is named); the command's --timeout is raised
    (runner.RendererTimeout) for the command to report."""
    budget = _budget(report.documents, PARSE_SECONDS)
    try:
        parsed = pandoc_ast.parse(report, min(timeout, budget))
    except runner.RendererFailed as exc:
        return None, [_unparsed(report, str(exc))]
    except runner.RendererTimeout:
        if timeout <= budget:
            raise
        return None, [_slow(report)]
    return parsed, pandoc_ast.judge(report, parsed, assets)


def _slow(report: Report) -> Diagnostic:
    """The paragraph (else the file) pandoc cannot read in its budget."""
    for doc in report.documents:
        if not doc.id:
            continue
        try:
            pandoc_ast.parse(_only(report, doc), timeout=_budget([doc], PARSE_SECONDS / 3))
        except runner.RendererTimeout:
            line = next(
                (
                    doc.where(b.start)[0]
                    for b in doc.scan.blocks
                    if pandoc_ast.too_slow(doc.scan.body[b.start : b.end], PARAGRAPH_SECONDS)
                ),
                doc.body_line,
            )
            return Diagnostic(
                doc.path,
                line,
                1,
                ERROR,
                "text.complexity",
                "the PDF and DOCX engine (pandoc) cannot read this paragraph in reasonable time: its "
                "brackets, emphasis marks and links combine in a way it reads in exponential time; "
                "simplify them, or split the paragraph",
            )
        except runner.RendererFailed:
            continue
    return Diagnostic("report.yml", 0, 0, ERROR, "text.complexity", "pandoc cannot read the report in reasonable time")


def _unparsed(report: Report, why: str) -> Diagnostic:
    """pandoc could not read the report: name the first document it cannot read on its own."""
    for doc in report.documents:
        if not doc.id:
            continue
        try:
            pandoc_ast.parse(_only(report, doc), timeout=30)
        except runner.RendererFailed as exc:
            return Diagnostic(
                doc.path,
                doc.body_line,
                1,
                ERROR,
                "render.failed",
                f"the PDF and DOCX engine (pandoc) cannot read this file: {exc}",
            )
    return Diagnostic(
        "report.yml", 0, 0, ERROR, "render.failed", f"the PDF and DOCX engine (pandoc) cannot read the report: {why}"
    )


def _only(report: Report, doc) -> Report:
    return Report(report.root, report.settings, report.settings_lines, report.members, [doc])


def _second_opinions(first: list[Diagnostic], second: list[Diagnostic]) -> list[Diagnostic]:
    """What the parsed text adds: a line the scan already faulted needs no second message."""
    faulted = {(d.path, d.line) for d in first if d.severity == ERROR}
    return [d for d in second if (d.path, d.line) not in faulted]
