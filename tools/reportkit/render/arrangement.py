"""The printed order of the PDF and DOCX: each recommendation set out inside the chapter that
presents them, after its set's section, in its box; the executive summary's list of every
recommendation in full, made from the recommendation files and never typed twice.

Works on the judged AST (`pandoc_ast.Parsed`): the documents' blocks, regrouped. The box is a
format-neutral Div of class `rk-recommendation` (label heading and statement inside); each
edition's transform draws it (`transforms.for_typst`, `transforms.for_docx`).
"""

from __future__ import annotations

from ..model import Document, Report
from . import changes
from .pandoc_ast import Parsed, text_inlines
from .resolve import SINGLE, anchor_id

BOX = "rk-recommendation"
LIST_MARKER = "rk-list-recommendations"
KEEP = "rk-keep"  # blocks that stay on one page


def arrange(report: Report, parsed: Parsed) -> list:
    """All top-level blocks of the single document, in the printed order."""
    own = {doc.path: list(parsed.ast["blocks"][start:end]) for doc, start, end in parsed.spans}
    presenter = next((d for d in report.of_kind("chapter") if d.presents_recommendations and d.path in own), None)
    recs = [d for d in report.of_kind("rec") if d.path in own and d.number]
    placed: set[str] = set()
    if presenter is not None:
        own[presenter.path] = _with_sets(report, presenter, own[presenter.path], recs, own, parsed.boxes)
        placed = {d.path for d in recs}
    else:
        for doc in recs:
            own[doc.path] = _as_recommendation(report, doc, own[doc.path], 0, parsed.boxes.get(doc.path))
    blocks: list = []
    for doc in report.documents:
        if doc.path in own and doc.path not in placed and not (doc.kind == "rec" and not doc.number):
            blocks += own[doc.path]
    return _lists(report, blocks, parsed)


def _with_sets(
    report: Report,
    chapter: Document,
    blocks: list,
    recs: list[Document],
    own: dict[str, list],
    boxes: dict[str, tuple[list, list]],
) -> list:
    """The chapter's blocks with each set's recommendations at the end of the set's section."""
    out = list(blocks)
    for number in sorted({d.set for d in recs if d.set}):
        members = [
            b for d in recs if d.set == number for b in _as_recommendation(report, d, own[d.path], 2, boxes.get(d.path))
        ]
        ident = anchor_id(chapter, f"set-{number}", SINGLE)
        start = next((i for i, b in enumerate(out) if _header(b, 2) and b["c"][1][0] == ident), None)
        if start is None:  # the chapter has no section for this set: a divider of its own, at its end
            out += [_set_header(report, ident, number), *members]
            continue
        end = next((i for i in range(start + 1, len(out)) if _header(out[i], 2) or _header(out[i], 1)), len(out))
        out[end:end] = members
    return out


def _header(block: dict, level: int) -> bool:
    return block.get("t") == "Header" and block["c"][0] == level


def _set_header(report: Report, ident: str, number: int) -> dict:
    text = text_inlines(f"Set {number}: {report.set_title(number)}")
    return {"t": "Header", "c": [2, [ident, ["rk-set"], []], text]}


def _as_recommendation(
    report: Report, doc: Document, blocks: list, shift: int, drawn: tuple[list, list] | None = None
) -> list:
    """A recommendation's blocks: its box (label as a heading, set, statement), then its sections,
    their headings moved down by `shift` levels to sit inside the chapter. drawn: the box's label
    and statement as inlines (a redline's, changes marked), instead of the front matter's text."""
    title, rest = blocks[0], blocks[1:]
    label, said = drawn or (text_inlines(doc.label), text_inlines(doc.title))
    heading = {"t": "Header", "c": [1 + shift, [title["c"][1][0], [], []], label]}
    statement = {"t": "Para", "c": said}
    set_name = f"Set {doc.set}: {report.set_title(doc.set or 0)}"
    box = {"t": "Div", "c": [["", [BOX], [["set", set_name]]], [heading, statement]]}
    return [box] + [_shifted(b, shift) for b in rest]


def _shifted(block: dict, shift: int) -> dict:
    if block.get("t") != "Header" or not shift:
        return block
    level, attr, inlines = block["c"]
    return {"t": "Header", "c": [min(level + shift, 6), attr, inlines]}


def _lists(report: Report, blocks: list, parsed: Parsed) -> list:
    """Each paragraph that holds only the list marker becomes the list of every recommendation."""
    out: list = []
    for block in blocks:
        if block.get("t") == "Para" and _only_marker(block["c"]):
            out += recommendations_list(report, parsed.boxes, parsed.retired)
        else:
            out.append(block)
    return out


def _only_marker(inlines: list) -> bool:
    spans = [i for i in inlines if i.get("t") == "Span"]
    return any(LIST_MARKER in s["c"][0][1] for s in spans) and all(
        i.get("t") in ("Span", "Space", "SoftBreak") for i in inlines
    )


def recommendations_list(
    report: Report, boxes: dict[str, tuple[list, list]] | None = None, retired: list[tuple[int, str, str]] | None = None
) -> list:
    """Every recommendation by set: the set's name, then each label and statement, linked. A redline
    gives each one's label and statement with their changes marked (`boxes`), and the recommendations
    no longer printed, deleted (`retired`: set, label, statement)."""
    blocks: list = []
    recs = [d for d in report.of_kind("rec") if d.number and d.set]
    gone = retired or []
    for number in sorted({d.set for d in recs if d.set is not None} | {entry[0] for entry in gone}):
        name = text_inlines(f"Set {number}: {report.set_title(number)}")
        heading = {"t": "Para", "c": [{"t": "Strong", "c": name}]}
        items = []
        for doc in (d for d in recs if d.set == number):
            label, said = (boxes or {}).get(doc.path) or (text_inlines(doc.label), text_inlines(doc.title))
            link = {
                "t": "Link",
                "c": [["", [], []], [{"t": "Strong", "c": label}], ["#" + anchor_id(doc, None, SINGLE), ""]],
            }
            items.append([{"t": "Plain", "c": [link, *_spaced(said)]}])
        items += [
            [
                {
                    "t": "Plain",
                    "c": [
                        changes.span(
                            changes.DELETED,
                            [{"t": "Strong", "c": text_inlines(label)}, {"t": "Space"}, *text_inlines(said)],
                        )
                    ],
                }
            ]
            for set_number, label, said in gone
            if set_number == number
        ]
        # A set's name never ends a page without its recommendations.
        blocks.append({"t": "Div", "c": [["", [KEEP], []], [heading, {"t": "BulletList", "c": items}]]})
    return blocks


def _spaced(said: list) -> list:
    """The statement after its label: a statement marked whole (a recommendation added since FROM)
    takes the space before it into its mark, so that rejecting the change leaves no item behind."""
    if len(said) == 1 and changes.since(said[0]) is not None:
        mark = said[0]
        return [{"t": "Span", "c": [mark["c"][0], [{"t": "Space"}, *mark["c"][1]]]}]
    return [{"t": "Space"}, *said]
