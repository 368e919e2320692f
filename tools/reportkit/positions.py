"""The matrix of members and recommendations (`report positions`): each member's stance on each
recommendation, the positions given on an older text, and the open points of each recommendation;
as data, and written as text, JSON, CSV or Markdown (the site's positions page).

Every value that reaches Markdown goes through `md_text`, so a note or a name is shown as text.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field

from .markdown import md_text
from .model import Document, Member, Report
from .negotiation import (
    OpenPoint,
    Position,
    excerpt,
    freshness,
    open_points,
    owner_name,
    positions_of,
    required,
    voters,
)

LETTERS = {"support": "S", "reservation": "R", "objection": "O"}
NONE = "-"
STALE = "*"
LEGEND = (
    f"S support, R reservation, O objection, {NONE} no stance; {STALE} given on an older text "
    "(the recommendation has changed since)"
)


@dataclass
class Row:
    """One recommendation: its positions by member, which are stale, and its open points."""

    doc: Document
    positions: dict[str, Position] = field(default_factory=dict)
    stale: set[str] = field(default_factory=set)  # members whose position is stale
    points: list[OpenPoint] = field(default_factory=list)

    def cell(self, member: str) -> str:
        position = self.positions.get(member)
        if position is None:
            return NONE
        return LETTERS[position.stance] + (STALE if member in self.stale else "")

    def count(self, stance: str) -> int:
        return sum(p.stance == stance for p in self.positions.values())

    def missing(self, members: list[Member]) -> list[str]:
        return [m.id for m in members if m.id not in self.positions]


@dataclass
class Matrix:
    members: list[Member]
    rows: list[Row]
    elsewhere: list[OpenPoint]  # open points in chapters and annexes
    required: bool
    why_no_history: str | None = None

    @property
    def points(self) -> list[OpenPoint]:
        return [p for row in self.rows for p in row.points] + self.elsewhere


def matrix(report: Report) -> Matrix:
    """The positions of every member on every recommendation (withdrawn ones left out), read once."""
    fresh = freshness(report)
    points = open_points(report)
    rows = []
    for doc in report.of_kind("rec"):
        if doc.withdrawn:
            continue
        row = Row(doc, points=[p for p in points if p.doc is doc])
        for position in positions_of(doc):
            row.positions.setdefault(position.member, position)
            if (doc.path, position.index) in fresh.stale:
                row.stale.add(position.member)
        rows.append(row)
    in_rows = {id(p) for row in rows for p in row.points}
    elsewhere = [p for p in points if id(p) not in in_rows]
    return Matrix(voters(report), rows, elsewhere, required(report), fresh.why_unknown)


def short_label(doc: Document) -> str:
    return doc.number or doc.id or doc.path


# -- text ----------------------------------------------------------------------------------------


def _columns(headers: list[str], body: list[list[str]]) -> list[str]:
    widths = [max([len(h)] + [len(r[i]) for r in body]) for i, h in enumerate(headers)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    return lines + ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in body]


def _point_line(report: Report, point: OpenPoint) -> str:
    why = f" (why: {point.reason})" if point.reason else ""
    return (
        f"  {point.where}  {point.doc.label}, owner {owner_name(report, point.doc)}: {point.kind} “{point.text}”{why}"
    )


def format_text(report: Report, table: Matrix) -> str:
    points = table.points
    lines = [f"Open points: {len(points)}" + (" (each one blocks the final edition)" if points else ""), ""]
    lines += [_point_line(report, p) for p in points] + ([""] if points else [])
    lines += [f"Positions: {LEGEND}", ""]
    headers = ["member"] + [short_label(row.doc) for row in table.rows]
    lines += _columns(headers, [[m.id] + [row.cell(m.id) for row in table.rows] for m in table.members])
    lines += ["", "By recommendation:", ""]
    summary = [
        [
            short_label(r.doc),
            str(r.count("support")),
            str(r.count("reservation")),
            str(r.count("objection")),
            str(len(r.missing(table.members))),
            str(len(r.stale)),
            str(len(r.points)),
        ]
        for r in table.rows
    ]
    lines += _columns(["rec", "support", "reservation", "objection", "no stance", "stale", "open points"], summary)
    lines += ["", *_who_text(table)]
    if table.why_no_history:
        lines += ["", f"Staleness not known: {table.why_no_history}"]
    return "\n".join(lines) + "\n"


def _who_text(table: Matrix) -> list[str]:
    """Who must still agree to what: reservations and objections with their notes, stale positions,
    members without a stance (an obligation under `positions: required`)."""
    width = max([len(short_label(row.doc)) for row in table.rows] + [1])
    lines = ["Reservations and objections:" if _noted(table) else "Reservations and objections: none"]
    for row, position in _noted(table):
        lines.append(
            f"  {short_label(row.doc).ljust(width)}  {position.member} ({position.stance}): "
            f"{excerpt(position.note, 200) or '(no note)'}"
        )
    stale = [(row, member) for row in table.rows for member in sorted(row.stale)]
    lines.append("Given on an older text (to confirm):" if stale else "Given on an older text: none")
    lines += [
        f"  {short_label(row.doc).ljust(width)}  {member} (commit {row.positions[member].commit})"
        for row, member in stale
    ]
    waiting = [(row, row.missing(table.members)) for row in table.rows if row.missing(table.members)]
    duty = " (required before the final edition)" if table.required else ""
    lines.append(f"No stance yet{duty}:" if waiting else "No stance yet: none")
    everyone = len(table.members)
    for row, missing in waiting:
        who = f"all {everyone} members" if len(missing) == everyone else ", ".join(missing)
        lines.append(f"  {short_label(row.doc).ljust(width)}  {who}")
    return lines


def _noted(table: Matrix) -> list[tuple[Row, Position]]:
    return [(row, p) for row in table.rows for p in row.positions.values() if p.stance != "support"]


# -- JSON and CSV --------------------------------------------------------------------------------


def _point_data(report: Report, point: OpenPoint) -> dict:
    return {
        "path": point.doc.path,
        "line": point.line,
        "column": point.column,
        "section": point.doc.label,
        "owner": point.doc.owner,
        "kind": point.kind,
        "text": point.texts[0],
        "alternative": point.texts[1] if point.mark.kind == "substitution" else None,
        "reason": point.texts[1] if point.mark.kind == "highlight" and len(point.texts) > 1 else None,
    }


def _row_data(report: Report, table: Matrix, row: Row) -> dict:
    positions = {
        member: {
            "stance": p.stance,
            "note": p.note or None,
            "commit": p.commit,
            "stale": member in row.stale,
            "line": p.line,
        }
        for member, p in row.positions.items()
    }
    return {
        "id": row.doc.id,
        "label": row.doc.number,
        "title": row.doc.title,
        "path": row.doc.path,
        "owner": row.doc.owner,
        "status": row.doc.status,
        "positions": positions,
        "no_stance": row.missing(table.members),
        "open_points": [_point_data(report, p) for p in row.points],
    }


def format_json(report: Report, table: Matrix) -> str:
    data = {
        "members": [{"id": m.id, "name": m.name} for m in table.members],
        "recommendations": [_row_data(report, table, row) for row in table.rows],
        "elsewhere": [_point_data(report, p) for p in table.elsewhere],
        "open_points": len(table.points),
        "stale": sum(len(r.stale) for r in table.rows),
        "positions_required": table.required,
        "staleness_unknown": table.why_no_history,
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def format_csv(report: Report, table: Matrix) -> str:
    """One line per member and recommendation, stance or none."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["recommendation", "label", "member", "name", "stance", "stale", "note", "commit", "open_points"])
    for row in table.rows:
        for member in table.members:
            p = row.positions.get(member.id)
            writer.writerow(
                [
                    row.doc.id,
                    row.doc.number,
                    member.id,
                    member.name,
                    p.stance if p else "",
                    "yes" if member.id in row.stale else "",
                    p.note if p else "",
                    (p.commit or "") if p else "",
                    len(row.points),
                ]
            )
    return buffer.getvalue()


# -- Markdown (the site's page, and `--format markdown`) -----------------------------------------


def _link(doc: Document, base: str) -> str:
    return f"[{md_text(doc.label)}]({base}{doc.path})"


def points_markdown(report: Report, table: Matrix, base: str = "") -> list[str]:
    if not table.points:
        return ["No open points: nothing in the text is marked as still under negotiation.", ""]
    lines = [
        f"{len(table.points)} open points; each one blocks the final edition.",
        "",
        "| Section | Owner | Open point | Source |",
        "|---|---|---|---|",
    ]
    for p in table.points:
        lines.append(
            f"| {_link(p.doc, base)} | {md_text(owner_name(report, p.doc))} "
            f"| {md_text(p.description())} | {md_text(p.where)} |"
        )
    return lines + [""]


def matrix_markdown(table: Matrix, base: str = "") -> list[str]:
    headers = ["Member"] + [f"[{md_text(short_label(r.doc))}]({base}{r.doc.path})" for r in table.rows]
    lines = [f"{md_text(LEGEND)}.", "", "| " + " | ".join(headers) + " |", "|---|" + "---|" * len(table.rows)]
    for member in table.members:
        cells = [md_text(member.name)] + [md_text(row.cell(member.id)) for row in table.rows]
        lines.append("| " + " | ".join(cells) + " |")
    return lines + [""]


def notes_markdown(table: Matrix) -> list[str]:
    noted = _noted(table)
    if not noted:
        return ["No reservation or objection has been recorded.", ""]
    lines = ["| Recommendation | Member | Stance | Note |", "|---|---|---|---|"]
    names = {m.id: m.name for m in table.members}
    for row, p in noted:
        stale = " (given on an older text)" if p.member in row.stale else ""
        lines.append(
            f"| {md_text(short_label(row.doc))} | {md_text(names.get(p.member, p.member))} "
            f"| {md_text(p.stance + stale)} | {md_text(p.note or '—')} |"
        )
    return lines + [""]


def page_markdown(report: Report, table: Matrix, base: str = "") -> str:
    """The draft editions' page: open points, the matrix, reservations and objections, who is missing."""
    lines = [
        "# Positions and open points",
        "",
        (
            "What still blocks the final edition, and where each member stands on each recommendation. "
            "This page belongs to draft editions only."
        ),
        "",
        "## Open points",
        "",
    ]
    lines += points_markdown(report, table, base)
    lines += ["## Positions of members", ""] + matrix_markdown(table, base)
    lines += ["## Reservations and objections", ""] + notes_markdown(table)
    waiting = [(row, row.missing(table.members)) for row in table.rows]
    duty = " Every member must take a stance before the final edition." if table.required else ""
    lines += [
        "## No stance yet",
        "",
        f"Members who have not recorded a stance, by recommendation.{duty}",
        "",
        "| Recommendation | Members without a stance |",
        "|---|---|",
    ]
    everyone = len(table.members)
    lines += [
        f"| {md_text(short_label(row.doc))} | "
        f"{md_text('all members' if len(missing) == everyone else ', '.join(missing) or '—')} |"
        for row, missing in waiting
    ]
    if table.why_no_history:
        lines += ["", md_text(f"Whether positions were given on an older text is not known: {table.why_no_history}")]
    return "\n".join(lines) + "\n"


def progress_section(table: Matrix, page: str) -> str:
    """The progress page's part: the open points in a line, and the matrix (the full page links)."""
    count = len(table.points)
    lines = [
        "",
        "## Positions of members",
        "",
        (
            f"{count} open point{'s' if count != 1 else ''} still block{'s' if count == 1 else ''} the final "
            f"edition: see [Positions and open points]({page}) for each one, with its place in the text."
        ),
        "",
    ]
    return "\n".join(lines + matrix_markdown(table))


FORMATS = {
    "text": format_text,
    "json": format_json,
    "csv": format_csv,
    "markdown": lambda report, table: page_markdown(report, table),
}
