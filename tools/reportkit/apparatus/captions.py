"""Numbered figures, tables and boxes: a caption line before the image, table or quote it names.

    Figure: The Panel's three tracks of work {#three-tracks}

    ![A diagram of ...](../images/three-tracks.png)

The caption is a paragraph of one line, `Figure:`, `Table:` or `Box:` then the caption and an
optional `{#id}`, followed after a blank line by an image on a line of its own (a figure), a
table (a table) or a quote, every line starting with `>` (a box). GitHub shows the caption line as
written; the resolver turns it into each edition's caption. Each kind is numbered per chapter in
the printed order (Figure 4.1, Table 2.1, Box 2.3; Figure II.1 in Annex II; a recommendation's
figures in the series of the chapter that prints it; the unnumbered front matter's Figure 1, 2 ...).
`[[figure:id]]`, `[[table:id]]`, `[[box:id]]` refer to them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..diagnostics import Diagnostic
from ..markdown import Block, RefMatch, slugify
from ..model import Document, Report
from . import order
from .rules import at

KINDS = ("figure", "table", "box")
NAMES = {"figure": "Figure", "table": "Table", "box": "Box"}
TARGETS = {"figure": "an image on a line of its own", "table": "a table", "box": "a quote (lines starting with '>')"}
_CAPTION = re.compile(
    r"(?P<word>Figure|Table|Box):[ \t]+(?P<text>\S.*?)"
    r"(?P<suffix>[ \t]+\{#(?P<id>[^\s{}]*)\})?[ \t]*$"
)
ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


@dataclass
class Caption:
    doc: Document
    kind: str  # figure, table or box
    id: str
    block: Block  # the caption's paragraph
    text_start: int  # the caption's text in the body (between the word and the id)
    text_end: int
    end: int  # end of the caption's line (without the newline)
    target: Block | None  # the image's paragraph, the table or the quote it names
    explicit_id: bool
    number: str | None = None  # "4.1", "II.1", "2"; None when it is not printed

    @property
    def anchor(self) -> str:
        """The caption's id in its document: 'figure-three-tracks' (the site's id; the single
        document's is '<doc id>--figure-three-tracks', as for headings)."""
        return f"{self.kind}-{self.id}"

    @property
    def label(self) -> str:
        return f"{NAMES[self.kind]} {self.number}" if self.number else NAMES[self.kind]


def find(doc: Document) -> tuple[list[Caption], list[Diagnostic]]:
    """The captions of a document, and what is wrong with their shape, in one pass over its blocks."""
    found, problems = [], []
    blocks = doc.scan.blocks
    for index, block in enumerate(blocks):
        if block.kind != "paragraph":
            continue
        masked = doc.scan.masked[block.start : block.end].rstrip("\n")
        m = _CAPTION.match(masked)
        if not m:
            continue
        if "\n" in masked:
            problems.append(
                at(
                    doc,
                    block.start,
                    "caption.syntax",
                    f"a caption takes one line: write '{m['word']}: ...' on a line of its own, "
                    "with a blank line after it",
                )
            )
            continue
        caption, trouble = _caption(doc, block, m, blocks[index + 1] if index + 1 < len(blocks) else None)
        problems += trouble
        if caption is not None:
            found.append(caption)
    return found, problems


def _caption(
    doc: Document, block: Block, m: re.Match, following: Block | None
) -> tuple[Caption | None, list[Diagnostic]]:
    kind = m["word"].lower()
    ident = (
        m["id"]
        if m["id"] is not None
        else slugify(doc.scan.body[block.start + m.start("text") : block.start + m.end("text")])
    )
    if m["id"] is not None and not ID.fullmatch(ident):
        return None, [
            at(
                doc,
                block.start + m.start("suffix"),
                "caption.syntax",
                f"the id '{{#{ident}}}' may hold only lowercase letters, digits and single hyphens",
            )
        ]
    target = following if following is not None and _fits(doc, kind, following) else None
    problems = (
        []
        if target is not None
        else [
            at(
                doc,
                block.start,
                "caption.target",
                f"'{m['word']}:' must be followed, after a blank line, by {TARGETS[kind]}",
            )
        ]
    )
    end = block.start + m.end()
    text_end = block.start + (m.start("suffix") if m["suffix"] else m.end("text"))
    return Caption(
        doc, kind, ident, block, block.start + m.start("text"), text_end, end, target, m["id"] is not None
    ), problems


def _fits(doc: Document, kind: str, block: Block) -> bool:
    if kind == "table":
        return block.kind == "table"
    if kind == "box":
        return block.kind == "quote"
    text = doc.scan.body[block.start : block.end].strip()
    start = (
        block.start + len(doc.scan.body[block.start : block.end]) - len(doc.scan.body[block.start : block.end].lstrip())
    )
    return block.kind == "paragraph" and any(
        link.image and link.start == start and link.end - link.start == len(text) for link in doc.scan.links
    )


def number(report: Report, captions: dict[str, list[Caption]]) -> None:
    """Number every printed caption per chapter (or annex) and kind, in the printed order."""
    counters: dict[tuple[str, str], int] = {}
    for segment in order.segments(report):
        within = segment.within
        prefix = within.number if within.numbered and within.number else ""
        for caption in captions.get(segment.doc.path, []):
            if segment.start <= caption.block.start < segment.end:
                key = (prefix, caption.kind)
                counters[key] = counters.get(key, 0) + 1
                caption.number = f"{prefix}.{counters[key]}" if prefix else str(counters[key])


def check(report: Report) -> list[Diagnostic]:
    """One id, one caption, in the whole report; and no caption id the same as a heading's."""
    found = []
    seen: dict[str, Caption] = {}
    for caption in report.apparatus.all_captions:
        other = seen.get(caption.id)
        if other is not None:
            line, _ = other.doc.where(other.block.start)
            found.append(
                at(
                    caption.doc,
                    caption.block.start,
                    "caption.duplicate",
                    f"the id '{caption.id}' is already given to a caption in {other.doc.path}:{line}; "
                    "figures, tables and boxes share one set of ids: give this one another "
                    f"with {{#another-id}}",
                )
            )
        seen.setdefault(caption.id, caption)
        if caption.anchor in caption.doc.anchors:
            found.append(
                at(
                    caption.doc,
                    caption.block.start,
                    "caption.duplicate",
                    f"a heading of this file has the id '{caption.anchor}', which this caption needs; "
                    "give the heading or the caption another id",
                )
            )
    return found


def resolve(report: Report, ref: RefMatch):
    """`[[figure:id]]`, `[[table:id]]`, `[[box:id]]`: the label, linked; the same rules as other
    references (an unknown id with the nearest, a wrong kind named)."""
    from ..refs import Resolved, Unresolved, suggest

    if ref.anchor:
        return Unresolved("ref.syntax", f"a {ref.kind} has no sections: write [[{ref.kind}:{ref.target}]]")
    by_id = report.apparatus.captions_by_id
    caption = by_id.get(ref.target)
    if caption is None:
        same = [c.id for c in by_id.values() if c.kind == ref.kind]
        hint = suggest(ref.target, same) or suggest(ref.target, by_id)
        return Unresolved("ref.unknown", f"no {ref.kind} with id '{ref.target}'{hint}")
    if caption.kind != ref.kind:
        return Unresolved(
            "ref.kind", f"'{ref.target}' is a {caption.kind}, not a {ref.kind}: write [[{caption.kind}:{ref.target}]]"
        )
    if caption.number is None:
        return Unresolved(
            "ref.withdrawn",
            f"the {caption.kind} '{ref.target}' is in a withdrawn recommendation, "
            "which the editions do not print; remove the reference",
        )
    text = ref.text.strip() if ref.text and ref.text.strip() else caption.label
    return Resolved(caption.doc, caption.anchor, text)
