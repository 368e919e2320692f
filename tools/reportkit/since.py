"""The other side of a redline build: the report at FROM, read from git, parsed, judged and merged.

`prepare` reads the report as git holds it at FROM (`diff.read_side`), has pandoc parse it and
judges it as the build judges its own text (FROM's text reaches the editions as deleted text, so it
passes the same wall), compares the two reports (`diff.compare`) and merges their ASTs
(`render.redline`). What it cannot do is a `SinceError` whose message says why, with the findings.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from . import diff
from .diagnostics import ERROR, Diagnostic
from .model import Report
from .render import pandoc_ast, runner
from .render.pandoc_ast import Parsed
from .render.redline import Redline, redline

log = logging.getLogger(__name__)


class SinceError(Exception):
    """The report at FROM cannot be shown beside this one; the message and diagnostics say why."""

    def __init__(self, message: str, diagnostics: list[Diagnostic] | None = None):
        super().__init__(message)
        self.diagnostics = diagnostics or []


@dataclass
class Since:
    ref: str
    commit: str | None
    comparison: diff.Comparison
    redline: Redline
    marked: Parsed  # the merged AST, for the writers
    formats: list[str] = field(default_factory=list)  # the editions that show the changes

    def manifest(self) -> dict:
        """What the build's manifest records of FROM."""
        return {"ref": self.ref, "commit": self.commit, "formats": self.formats}


def prepare(
    report: Report, parsed: Parsed, images: set[str], ref: str, timeout: float = runner.DEFAULT_TIMEOUT
) -> Since:
    """The report at `ref` beside this one (already parsed and judged: `parsed`, with the staged `images`)."""
    try:
        side = diff.read_side(report.root, ref)
    except diff.DiffError as exc:
        raise SinceError(f"cannot show the changes since '{ref}': {exc}") from None
    except diff.UnreadableSide as exc:
        raise SinceError(f"cannot show the changes since '{ref}': {exc}", exc.diagnostics) from None
    try:
        old = pandoc_ast.parse(side.report, timeout)
    except (runner.RendererFailed, runner.RendererTimeout) as exc:
        raise SinceError(
            f"cannot show the changes since '{ref}': pandoc could not read the text there: {exc}"
        ) from None
    problems = [d for d in pandoc_ast.judge(side.report, old, set(side.report.assets)) if d.severity == ERROR]
    if problems:
        raise SinceError(
            f"cannot show the changes since '{ref}': its text holds what the editions refuse "
            f"({len(problems)} error{'s' if len(problems) != 1 else ''} at {ref}, listed above)",
            [_at(d, ref) for d in problems],
        )
    parsed_ids = {id(doc) for doc, _, _ in old.spans}
    for doc in side.report.documents:
        if id(doc) not in parsed_ids:
            log.warning("%s at %s is not shown in the redline: pandoc did not read it", doc.path, ref)
    merged = redline(old, parsed, images)
    comparison = diff.compare(side, diff.Side(report, None, None))
    return Since(ref, side.commit, comparison, merged, merged.parsed(parsed))


def _at(found: Diagnostic, ref: str) -> Diagnostic:
    """A finding in FROM's text, saying so: the file may look different today."""
    return Diagnostic(found.path, found.line, found.column, found.severity, found.code, f"(at {ref}) {found.message}")
