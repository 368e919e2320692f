"""Markdown in, Markdown out: references resolved, section numbers (from `numbering`) written, every heading id fixed.

This is the only place that knows how a reference looks in an edition. The MkDocs plugin calls
it with mode "site" (one page per document, links between pages); the pandoc path calls it with
mode "single" (one file per document for pandoc, every id prefixed by its document's id so that
none collide in the single PDF or DOCX). Every line of a document's body stays on its own line,
so a line number reported by a renderer is the source's line (see `pandoc_ast.source_line`).
"""

from __future__ import annotations

import hashlib
import html
import posixpath
import re

from .. import negotiation, refs
from ..apparatus import edits as apparatus
from ..apparatus.captions import find as find_captions
from ..markdown import REF, RefMatch, escape_stray_angles, md_text
from ..model import Document, Report
from ..owners import roster_markdown
from . import changes, marks

SITE, SINGLE = "site", "single"
# The classes the resolver writes into Markdown, and those pandoc gives autolinks (<https://...>):
# the AST validation allows these and no other.
CLASSES = (
    frozenset(
        {
            "unlisted",
            "unnumbered",
            "uri",
            "email",
            "rk-set",
            "rk-para",
            "rk-list-recommendations",
            "rk-figure",
            "rk-table",
            "rk-box",
            apparatus.BIBLIOGRAPHY_MARKER,
        }
    )
    | changes.CLASSES
)


def anchor_id(doc: Document, anchor: str | None, mode: str) -> str:
    """The id a heading (or, with no anchor, the document's title) carries in an edition."""
    if mode == SITE:
        return anchor or doc.id or "top"
    return f"{doc.id}--{anchor}" if anchor else str(doc.id)


# Blocks that carry an anchor in the single document, and where their text starts after the
# marker that opens them (a list bullet, a quote's '>', a note's label).
ANCHORED = {
    "paragraph": None,
    "item": re.compile(r"[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+"),
    "quote": re.compile(r"[ \t]*(?:>[ \t]?)+"),
    "note": re.compile(r"[ \t]*\[\^[^\]]+\]:[ \t]*"),
}


# The one definition of a block anchor's name (`block_anchor` writes it; the DOCX's finishing and
# `report comments` read it with this pattern): the document's hash, then the source line.
BLOCK_ANCHOR = re.compile(r"rk_(?P<doc>[0-9a-f]{8})_(?P<line>[0-9]+)")


def doc_hash(doc: Document) -> str:
    """The 8 hex digits of the document id's SHA-1 that its block anchors carry."""
    return hashlib.sha1(str(doc.id).encode()).hexdigest()[:8]


def block_anchor(doc: Document, line: int) -> str:
    """The id of the invisible anchor that opens the block at a source line, in the single document:
    `rk_` + 8 hex of the document id's SHA-1 + `_` + the line (BLOCK_ANCHOR); short enough for Word's
    40 characters and starting with a letter, so pandoc keeps it as it is (the DOCX's finishing then
    hides it, with Word's leading underscore: `_rk_...`). How an edition's paragraph is traced back
    to its file and line (`report comments`)."""
    return f"rk_{doc_hash(doc)}_{line}"


def emitted_ids(doc: Document) -> list[str]:
    """Every id the resolver gives a document in the single document: headings, then block anchors."""
    ids = [anchor_id(doc, None, SINGLE)] + [anchor_id(doc, h.anchor, SINGLE) for h in doc.scan.headings]
    ids += [anchor_id(doc, c.anchor, SINGLE) for c in find_captions(doc)[0]]  # figures, tables, boxes
    return ids + [block_anchor(doc, doc.where(b.start)[0]) for b in doc.scan.blocks if b.kind in ANCHORED]


def emitted_classes() -> frozenset[str]:
    return CLASSES


def href(report: Report, source: Document, target: Document, anchor: str | None, mode: str) -> str:
    if mode == SINGLE:
        return "#" + anchor_id(target, anchor, mode)
    fragment = f"#{anchor}" if anchor else ""
    if target is source:
        return fragment or "#"
    return posixpath.relpath(target.path, posixpath.dirname(source.path)) + fragment


def _reference(report: Report, doc: Document, ref: RefMatch, mode: str) -> str:
    result = refs.resolve(report, ref, refs.no_hint)
    if isinstance(result, refs.Unresolved):  # `report check` reports it; keep the text visible
        return md_text(ref.text or ref.target)
    if isinstance(result, refs.Listing):
        # pandoc's editions build the list from the parsed recommendations (`arrangement`); the
        # site gets it as Markdown here (its line numbers are not traced back).
        return "[]{.rk-list-recommendations}" if mode == SINGLE else recommendations_list(report, doc)
    # The author's own text is their Markdown; a label with a front-matter title is a value.
    text = result.text if ref.text or ref.anchor else md_text(result.text)
    return f"[{text}]({href(report, doc, result.target, result.anchor, mode)})"


def _resolve_inline(report: Report, doc: Document, text: str, mode: str) -> str:
    return REF.sub(
        lambda m: _reference(
            report, doc, RefMatch(m["kind"], m["target"], m["anchor"], m["text"], m.start(), m.end()), mode
        ),
        text,
    )


def _heading(report: Report, doc: Document, heading, mode: str) -> str:
    text = _resolve_inline(report, doc, escape_stray_angles(heading.text), mode)
    number = doc.section_numbers.get(heading.anchor)
    set_number = doc.set_sections.get(heading.anchor)
    classes = ""
    if number and heading.level in (2, 3):
        text = f"{number} {text}"
    elif set_number:
        text = f"Set {set_number}: {text}"
        classes = " .rk-set"
    # Only numbered chapters' sections (and the sets) go into the single document's contents.
    elif mode == SINGLE:
        classes = " .unlisted"
    ident = anchor_id(doc, heading.anchor, mode)
    return f"{'#' * heading.level} {text} {{#{ident}{classes if mode == SINGLE else ''}}}"


def recommendations_list(report: Report, source: Document) -> str:
    """Every recommendation in full, by set, for the site (see `arrangement` for the other editions)."""
    lines = []
    for number in sorted({d.set for d in report.of_kind("rec") if d.set and d.number}):
        lines += ["", f"**Set {number}: {md_text(report.set_title(number))}**", ""]
        for doc in (d for d in report.of_kind("rec") if d.set == number and d.number):
            link = href(report, source, doc, None, SITE)
            lines.append(f"- [**{md_text(doc.label)}**]({link}) {md_text(doc.title)}")
    return "\n".join(lines) + "\n"


def paragraph_numbers(doc: Document) -> dict[int, int]:
    """Offset of each paragraph block -> its number in its section: the count restarts at each
    `## ` heading, so that "3.2 para 4" names one place in every edition."""
    numbers: dict[int, int] = {}
    count = 0
    captioned = apparatus.numbered_blocks(doc)  # a caption and its image are not paragraphs of the text
    for block in doc.scan.blocks:
        if block.kind == "heading" and doc.scan.body.startswith("## ", block.start):
            count = 0
        elif block.kind == "paragraph" and block.start not in captioned:
            count += 1
            numbers[block.start] = count
    return numbers


def numbering_paragraphs(report: Report) -> bool:
    return report.settings.get("paragraph_numbers") is True


def _anchors(doc: Document, numbers: dict[int, int]) -> list[tuple[int, int, str]]:
    """An empty span with the block's anchor id at the start of each anchored block's text, and
    the paragraph's number when paragraphs are numbered."""
    edits = []
    for block in doc.scan.blocks:
        if block.kind not in ANCHORED:
            continue
        opener = ANCHORED[block.kind]
        at = block.start
        if opener is not None:
            m = opener.match(doc.scan.body, block.start)
            at = m.end() if m else at
        number = f"[{numbers[block.start]}]{{.rk-para}}" if block.start in numbers else ""
        edits.append((at, at, f"[]{{#{block_anchor(doc, doc.where(block.start)[0])}}}{number}"))
    return edits


def _site_numbers(doc: Document, numbers: dict[int, int]) -> list[tuple[int, int, str]]:
    return [(at, at, f'<span class="para-num" title="paragraph {n}">{n}</span> ') for at, n in numbers.items()]


def title_heading(report: Report, doc: Document, mode: str) -> str:
    """The document's first heading: its label and title from the front matter, as plain text. On
    the site a recommendation's page opens with its label, then its box: set and statement."""
    if mode == SITE and doc.kind == "rec" and doc.number:
        box = (
            f'<div class="recommendation"><p class="recommendation-set">Set {doc.set}: '
            f"{html.escape(report.set_title(doc.set or 0))}</p>"
            f'<p class="recommendation-statement">{html.escape(doc.title)}</p></div>'
        )
        return f"# {md_text(doc.label)} {{#{anchor_id(doc, None, mode)}}}\n\n{box}"
    return f"# {md_text(doc.heading)} {{#{anchor_id(doc, None, mode)}}}"


def render(
    report: Report, doc: Document, mode: str, numbered: bool | None = None, citations: apparatus.Formatted | None = None
) -> str:
    """The document as Markdown for an edition: title heading, then the resolved body.

    numbered: number the paragraphs (in SINGLE mode the default is report.yml's
    `paragraph_numbers`: the final edition drops the numbers from the parsed text; the site asks
    for them only in draft editions). citations: citeproc's formatted text for the site
    (`render/citeproc.py`); pandoc's editions format their citations themselves.
    """
    scan = doc.scan
    body = scan.body
    edits = [(h.start, h.end, _heading(report, doc, h, mode)) for h in scan.headings]
    # A reference inside a heading was resolved with the heading, whose edit covers it.
    edits += [(ref.start, ref.end, _reference(report, doc, ref, mode)) for ref in scan.refs]
    # A '<' that opens no tag, as '&lt;': the same text, and Python-Markdown does not search on from it.
    # (Not a CriticMarkup mark's own '<<}': the marks' readers need it as it is.)
    delimiters = {
        at for mark in scan.marks for at in range(mark.start, mark.end) if not any(a <= at < b for a, b in mark.parts)
    }
    edits += [(at, at + 1, "&lt;") for at in scan.stray_angles if at not in delimiters]
    if numbered is None:
        numbered = mode == SINGLE and numbering_paragraphs(report)
    numbers = paragraph_numbers(doc) if numbered else {}
    edits += _anchors(doc, numbers) if mode == SINGLE else _site_numbers(doc, numbers)
    edits += marks.edits(report, doc, mode)  # CriticMarkup, for pandoc or for the site's reader
    edits += apparatus.edits(report, doc, mode, anchor_id, href, citations)
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
    text = "".join(out)
    if not text.endswith("\n"):
        text += "\n"
    if doc.kind == "annex" and doc.meta.get("roster") is True:
        text += "\n" + roster_markdown(report)  # printed from roster.yml: the two cannot disagree
    text += negotiation.reservations_note(report, doc)  # as report.yml's `final: reservations` says
    text += apparatus.appended(report, doc, mode, citations)  # the glossary, the references
    text = f"{title_heading(report, doc, mode)}\n\n{text}"
    return marks.shield(text) if mode == SITE else text


def single_document(report: Report) -> str:
    """The whole report as one Markdown document, in reading order (for reading, not for pandoc:
    the pandoc editions parse each document on its own, see `pandoc_ast.parse`)."""
    return "\n".join(render(report, doc, SINGLE) for doc in report.documents)
