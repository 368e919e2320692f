"""The negotiated text in the PDF and DOCX editions: marks as Word's tracked changes and comments
(each document's marks attributed to its owner, dated with the edition), and the two sections only
draft editions carry: "Open points" after the contents, and the positions of members at the end.

Everything added here comes after the AST was judged, so it is built as pandoc nodes from values
written as text (`Str`), never parsed from Markdown: a note or a name cannot become markup. Neither
section carries an id or enters the contents, so the report's own headings, bookmarks and contents
stay exactly the report's.
"""

from __future__ import annotations

import dataclasses
import itertools

from ..model import Document, Report
from ..negotiation import owner_name
from ..positions import LEGEND, Matrix, short_label
from . import changes
from .pandoc_ast import Parsed, text_inlines
from .transforms import Node, Replacement, rewrite

OPEN_POINT = "Open point"  # the author of a tracked change in a section with no owner on the roster


def author(report: Report, doc: Document) -> str:
    member = report.members.get(doc.owner or "")
    return member.name if member else OPEN_POINT


def attributed(report: Report, parsed: Parsed, when: str) -> Parsed:
    """The judged report with each document's marks as Word's tracked changes and comments by its
    owner (`changes.for_docx`), comments numbered once through the whole report. Each document keeps
    its blocks (the same count), so the printed order is arranged from it as from the judged AST. A
    redline's changes since FROM are not the owner's: they stay as they are, for the edition's name."""
    blocks = parsed.ast["blocks"]
    if not any(doc.scan.marks for doc, _, _ in parsed.spans):
        return parsed
    out = list(blocks)
    for doc, start, end in parsed.spans:
        if doc.scan.marks:
            out[start:end] = changes.for_docx(blocks[start:end], changes.Attribution(author(report, doc), when))
    return dataclasses.replace(parsed, ast={**parsed.ast, "blocks": unique_comments(out)})


def unique_comments(blocks: list) -> list:
    """Comments numbered once through the whole document (each document's were numbered from 1)."""
    numbers = itertools.count(1)
    opened: dict[str, str] = {}

    def change(node: Node) -> Replacement:
        if node["t"] != "Span":
            return node
        ident, classes, pairs = node["c"][0]
        if "comment-start" in classes:
            opened[ident] = str(next(numbers))
            return {"t": "Span", "c": [[opened[ident], classes, pairs], rewrite(node["c"][1], change)]}
        if "comment-end" in classes:
            return {"t": "Span", "c": [[opened.pop(ident, ident), classes, pairs], node["c"][1]]}
        return node

    return rewrite(blocks, change)


# -- nodes built from text -----------------------------------------------------------------------


def _title(text: str, docx: bool) -> Node:
    """A section title outside the report's own headings: unlisted in the PDF; in Word the style of
    the contents' own title, which is no heading (the report's headings and contents stay its own)."""
    if docx:
        title = {"t": "Para", "c": text_inlines(text)}
        return {"t": "Div", "c": [["", [], [["custom-style", "TOC Heading"]]], [title]]}
    return {"t": "Header", "c": [1, ["", ["unlisted"], []], text_inlines(text)]}


def _para(text: str, strong: bool = False) -> Node:
    inlines = text_inlines(text)
    return {"t": "Para", "c": [{"t": "Strong", "c": inlines}] if strong else inlines}


def _cell(text: str) -> list:
    return [["", [], []], {"t": "AlignDefault"}, 1, 1, [{"t": "Plain", "c": text_inlines(text)}]]


def table(headers: list[str], rows: list[list[str]], widths: list[float]) -> Node:
    """A table of plain-text cells, its columns at the given shares of the line."""
    specs = [[{"t": "AlignLeft"}, {"t": "ColWidth", "c": width}] for width in widths]
    head = [["", [], []], [[["", [], []], [_cell(h) for h in headers]]]]
    body = [[["", [], []], 0, [], [[["", [], []], [_cell(c) for c in row]] for row in rows]]]
    return {"t": "Table", "c": [["", [], []], [None, []], specs, head, body, [["", [], []], []]]}


# -- the draft editions' sections ----------------------------------------------------------------


def open_points_section(report: Report, matrix: Matrix, docx: bool) -> list:
    """After the contents: every open point, with its section, owner and place in the sources."""
    points = matrix.points
    if not points:
        return [
            _title("Open points", docx),
            _para("No open points: nothing in the text is marked as still under negotiation."),
        ]
    rows = []
    for point in points:
        rows.append([point.doc.label, owner_name(report, point.doc), point.description(), point.where])
    intro = f"{len(points)} passages are still under negotiation; each is marked in the text" + (
        " as a tracked change or comment by its section's owner."
        if docx
        else ": proposed words in blue, underlined or struck through with a dashed line (a redline's changes since "
        "an earlier edition are green and red)."
    )
    # The table is not the section's last block: a bookmark right after a table (the next document's
    # title) is lost by some word processors (LibreOffice takes it into the table).
    return [
        _title("Open points", docx),
        _para(intro),
        table(["Section", "Owner", "Open point", "Source"], rows, [0.22, 0.18, 0.38, 0.22]),
        _para("Each one blocks the final edition. This section belongs to draft editions only."),
    ]


def positions_section(report: Report, matrix: Matrix, docx: bool) -> list:
    """At the end: the matrix of members and recommendations, reservations and objections, and who
    has no stance yet."""
    rows = matrix.rows
    labels = [short_label(row.doc) for row in rows]
    share = 0.7 / max(len(rows), 1)
    grid = [[member.name] + [row.cell(member.id) for row in rows] for member in matrix.members]
    blocks = [
        _title("Positions of Panel members", docx),
        _para(
            f"Where each member stands on each recommendation. {LEGEND}. This section belongs to draft editions only."
        ),
        table(["Member"] + labels, grid, [0.3] + [share] * len(rows)),
    ]
    noted = [(row, p) for row in rows for p in row.positions.values() if p.stance != "support"]
    names = {m.id: m.name for m in matrix.members}
    blocks.append(_para("Reservations and objections", strong=True))
    if noted:
        blocks.append(
            table(
                ["Recommendation", "Member", "Stance", "Note"],
                [
                    [
                        short_label(row.doc),
                        names.get(p.member, p.member),
                        p.stance + (" (older text)" if p.member in row.stale else ""),
                        p.note or "—",
                    ]
                    for row, p in noted
                ],
                [0.2, 0.24, 0.14, 0.42],
            )
        )
    else:
        blocks.append(_para("None recorded."))
    blocks.append(_para("No stance yet", strong=True))
    everyone = len(matrix.members)
    waiting = [(row, row.missing(matrix.members)) for row in rows]
    blocks.append(
        table(
            ["Recommendation", "Members without a stance"],
            [[short_label(row.doc), _without_stance(missing, everyone)] for row, missing in waiting],
            [0.2, 0.8],
        )
    )
    # A closing line: where positions are recorded. It also ends the DOCX on a paragraph, not a table
    # (LibreOffice drops a bookmark, here the Notes', that closes after a table at the document's end).
    blocks.append(
        _para(
            "Members record their positions in each recommendation's front matter; "
            "the command report positions lists them all."
        )
    )
    return blocks


def _without_stance(missing: list[str], everyone: int) -> str:
    """Who has no stance on a recommendation, as the table says it."""
    if len(missing) == everyone:
        return "all members"
    return ", ".join(missing) or "—"


def draft_sections(report: Report, matrix: Matrix, blocks: list, docx: bool) -> list:
    """A draft edition's blocks: open points first, then the report, then the positions of members."""
    return open_points_section(report, matrix, docx) + blocks + positions_section(report, matrix, docx)
