"""Markdown in, Markdown out: resolve references, number sections, fix every heading id.

This is the only place that knows how a reference looks in an edition. The MkDocs plugin calls
it with mode "site" (one page per document, links between pages); the pandoc path calls it with
mode "single" (one document, every id prefixed by its document's id so none collide).
"""

from __future__ import annotations

import posixpath

from .. import refs
from ..checks import resolve_path
from ..markdown import REF, RefMatch, is_external
from ..model import Document, Report
from ..owners import roster_markdown

SITE, SINGLE = "site", "single"


def anchor_id(doc: Document, anchor: str | None, mode: str) -> str:
    """The id a heading (or, with no anchor, the document's title) carries in an edition."""
    if mode == SITE:
        return anchor or doc.id or "top"
    return f"{doc.id}--{anchor}" if anchor else str(doc.id)


def href(report: Report, source: Document, target: Document, anchor: str | None, mode: str) -> str:
    if mode == SINGLE:
        return "#" + anchor_id(target, anchor, mode)
    fragment = f"#{anchor}" if anchor else ""
    if target is source:
        return fragment or "#"
    return posixpath.relpath(target.path, posixpath.dirname(source.path)) + fragment


def _reference(report: Report, doc: Document, ref: RefMatch, mode: str) -> str:
    result = refs.resolve(report, ref)
    if isinstance(result, refs.Unresolved):  # `report check` reports it; keep the text visible
        return ref.text or ref.target
    return f"[{result.text}]({href(report, doc, result.target, result.anchor, mode)})"


def _resolve_inline(report: Report, doc: Document, text: str, mode: str) -> str:
    return REF.sub(
        lambda m: _reference(report, doc, RefMatch(m["kind"], m["target"], m["anchor"], m["text"],
                                                   m.start(), m.end()), mode),
        text,
    )


def _local_link(report: Report, doc: Document, target: str, image: bool) -> str | None:
    """Rewrite a relative link or image path for the single document; None leaves it as it is."""
    if is_external(target):
        return None
    path, anchor, rel = resolve_path(report, doc, target)
    if rel is None:
        return None
    if image:
        return rel
    linked = report.by_path.get(rel)
    if linked is None:
        return None
    return "#" + anchor_id(linked, anchor or None, SINGLE)


def render(report: Report, doc: Document, mode: str) -> str:
    """The document as Markdown for an edition: title heading, then the resolved body."""
    scan = doc.scan
    body = scan.body
    edits: list[tuple[int, int, str]] = []
    numbers = doc.section_numbers
    for heading in scan.headings:
        text = _resolve_inline(report, doc, heading.text, mode)
        number = numbers.get(heading.anchor)
        if number and heading.level in (2, 3):
            text = f"{number} {text}"
        hashes = "#" * heading.level
        # Only numbered chapters' sections go into the single document's table of contents.
        unlisted = " .unlisted" if mode == SINGLE and not number else ""
        edits.append((heading.start, heading.end,
                      f"{hashes} {text} {{#{anchor_id(doc, heading.anchor, mode)}{unlisted}}}"))
    # A reference inside a heading was resolved with the heading, whose edit covers it.
    edits += [(ref.start, ref.end, _reference(report, doc, ref, mode)) for ref in scan.refs]
    if mode == SINGLE:
        for link in scan.links:
            new = _local_link(report, doc, link.target, link.image)
            if new is not None:  # only the target changes: the text and any title stay
                edits.append((link.target_start, link.target_end, new))
        for note in scan.notes:
            edits.append((note.start, note.start + len(note.label) + 3,
                          f"[^{doc.id}-{note.label}]"))
    edits.sort()
    out = []
    position = 0
    for start, end, text in edits:
        if start < position:  # inside an earlier edit: a reference in a heading
            continue
        out.append(body[position:start])
        out.append(text)
        position = end
    out.append(body[position:])
    title = _resolve_inline(report, doc, doc.heading, mode)
    body = "".join(out).strip("\n") + "\n"
    if doc.kind == "annex" and doc.meta.get("roster") is True:
        body += "\n" + roster_markdown(report)  # printed from roster.yml: the two cannot disagree
    return f"# {title} {{#{anchor_id(doc, None, mode)}}}\n\n" + body


def single_document(report: Report) -> str:
    """The whole report as one Markdown document, in reading order, for pandoc."""
    return "\n".join(render(report, doc, SINGLE) for doc in report.documents)
