"""pandoc's reading of the apparatus, held to the scan's: what pandoc parsed decides.

The scan numbers notes, places citations and finds captions from the source; pandoc's AST is what
the PDF and DOCX print. Document by document, the notes pandoc found, the keys of its citations in
order and the captions' spans must be those the scan predicts, or the editions would disagree (a
`[^1]` inside a construct one reader takes for text, a citation pandoc reads another way): each
disagreement is a located error.
"""

from __future__ import annotations

from ..diagnostics import Diagnostic
from ..model import Document, Report
from . import citations, notes
from .rules import at


def check_cite(report: Report, doc: Document, node: dict) -> list[Diagnostic]:
    """A `Cite` node of the judged AST: every key it names is in references.yml."""
    files = report.apparatus_files
    if files is not None and files.references_refused:
        return []  # references.yml's own error says why no key can be found
    known = files.by_key if files else {}
    found = []
    for citation in node["c"][0]:
        key = citation.get("citationId", "")
        if key not in known:
            offset = doc.scan.body.find("@" + key)
            found.append(
                at(doc, max(offset, 0), "cite.unknown", f"no reference with the key '{key}' in references.yml")
            )
    return found


def cite_parts(node: dict) -> list[list]:
    """The inlines a `Cite` node's citations carry (prefix, suffix): text to judge like any other."""
    return [
        part
        for citation in node["c"][0]
        for part in (citation.get("citationPrefix", []), citation.get("citationSuffix", []))
    ]


def _walk(blocks: list) -> tuple[int, list[tuple[str, ...]], dict[str, tuple[int, list]]]:
    """In reading order: the number of notes, each citation's keys, and each span id with its
    top-level block index (and that block's list)."""
    count, cites = 0, []
    spans: dict[str, tuple[int, list]] = {}
    for index, block in enumerate(blocks):
        stack: list[object] = [block]
        while stack:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(reversed(item))
                continue
            if not isinstance(item, dict):
                continue
            kind = item.get("t")
            if kind == "Note":
                count += 1
            elif kind == "Cite":
                cites.append(tuple(c.get("citationId", "") for c in item["c"][0]))
            elif kind == "Span" and item["c"][0][0]:
                spans.setdefault(item["c"][0][0], (index, blocks))
            if isinstance(item.get("c"), list):
                stack.extend(reversed(item["c"]))
    return count, cites, spans


def agreement(report: Report, doc: Document, blocks: list, anchor_id) -> list[Diagnostic]:
    """The notes, citations and captions of one document, as pandoc read them, against the scan."""
    count, cites, spans = _walk(blocks)
    found = []
    defined = {d.label for d in notes.definitions(doc)}
    calls = [n for n in notes.references(doc) if n.label in defined]
    if count != len(calls) and calls:
        found.append(
            at(
                doc,
                calls[0].start,
                "note.mismatch",
                f"the PDF and DOCX engine reads {count} note{'s' if count != 1 else ''} in this file where "
                f"the text calls {len(calls)}: a call inside a link, an image description or raw HTML is "
                "read differently by the editions; move it into the running text",
            )
        )
    expected = citations.in_reading_order(doc, report.apparatus.citations.get(doc.path, []))
    for index, citation in enumerate(expected):
        if index >= len(cites) or cites[index] != citation.keys:
            found.append(
                at(
                    doc,
                    citation.start,
                    "cite.syntax",
                    "the PDF and DOCX engine does not read this as the citation it seems to be: write "
                    "citations as [@key], [@key, p. 12] or [see @key; @other], in the running text",
                )
            )
            break
    else:
        if len(cites) > len(expected):
            found.append(
                at(
                    doc,
                    0,
                    "cite.syntax",
                    "the PDF and DOCX engine reads a citation in this file that "
                    "the check does not see: write citations as [@key] in the running text",
                )
            )
    found += _captions(report, doc, spans, anchor_id)
    return found


def _captions(report: Report, doc: Document, spans: dict, anchor_id) -> list[Diagnostic]:
    found = []
    for caption in report.apparatus.captions.get(doc.path, []):
        if caption.target is None:
            continue
        where = spans.get(anchor_id(doc, caption.anchor, "single"))
        if where is None or not _names(caption.kind, where[1], where[0]):
            found.append(
                at(
                    doc,
                    caption.block.start,
                    "caption.syntax",
                    "the PDF and DOCX engine does not read this caption and what follows as one: check "
                    "for an unclosed bracket or '*' in the caption, and a blank line before what it names",
                )
            )
    return found


def _names(kind: str, blocks: list, index: int) -> bool:
    """The caption's paragraph is followed by the block its kind names."""
    if index + 1 >= len(blocks):
        return False
    following = blocks[index + 1]
    if kind == "table":
        return following.get("t") == "Table"
    if kind == "box":
        return following.get("t") == "BlockQuote"
    inlines = [
        i for i in following.get("c", []) if isinstance(i, dict) and i.get("t") not in ("Span", "Space", "SoftBreak")
    ]
    return following.get("t") in ("Para", "Plain") and len(inlines) == 1 and inlines[0].get("t") == "Image"
