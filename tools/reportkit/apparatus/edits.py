"""What the resolver writes for the apparatus, per edition: edits of a body (offsets into it, each
line kept on its line) and the text an annex prints after its own (the glossary, the references).

SINGLE (pandoc): a caption becomes a span `[caption]{#id .rk-figure}` that the PDF and DOCX
transforms turn into their captions; an acronym's first use is spelt out; notes and citations stay
as written, for pandoc to read. SITE: the caption gets its label and the classes the site's page
finishing wraps into a `<figure>`; notes get their numbers in the report's series as labels; each
citation is the text citeproc formatted for the PDF and DOCX; every acronym is an `<abbr>`.
"""

from __future__ import annotations

import html
from typing import Protocol

from ..markdown import md_text
from ..model import Document, Report
from . import captions as caption_parts
from . import citations as citation_parts
from . import glossary

Edit = tuple[int, int, str]
SINGLE, SITE = "single", "site"  # the resolver's modes (render/resolve.py)
BIBLIOGRAPHY_MARKER = "rk-bibliography"


class Formatted(Protocol):
    """citeproc's text, as the site needs it (render/citeproc.py)."""

    def citation_markdown(self, path: str, index: int, link) -> str | None: ...

    def bibliography_markdown(self) -> str: ...


def edits(report: Report, doc: Document, mode: str, anchor_id, href, formatted: Formatted | None = None) -> list[Edit]:
    """Every apparatus edit of a document's body for an edition (anchor_id and href: the resolver's)."""
    found = _captions(report, doc, mode, anchor_id)
    found += _acronyms(report, doc, mode)
    if mode == SITE:
        found += _note_labels(report, doc)
        found += _citations(report, doc, href, formatted)
    return found


def _captions(report: Report, doc: Document, mode: str, anchor_id) -> list[Edit]:
    found = []
    for caption in report.apparatus.captions.get(doc.path, []):
        if caption.target is None:
            continue
        if mode == SINGLE:
            ident = anchor_id(doc, caption.anchor, mode)
            found += [
                (caption.block.start, caption.text_start, "["),
                (caption.text_end, caption.end, f"]{{#{ident} .rk-{caption.kind}}}"),
            ]
        else:
            found += [
                (caption.block.start, caption.text_start, f"**{md_text(caption.label)}:** "),
                # Python-Markdown takes a paragraph's attributes from a line of their own.
                (caption.text_end, caption.end, f"\n{{: #{caption.anchor} .rk-caption .rk-{caption.kind} }}"),
            ]
    return found


def spelt_out(report: Report, doc: Document) -> list[tuple[glossary.Use, str]]:
    """The acronyms every edition spells out, at their first use in a file: each use, with the
    expansion printed before it ("Sustainable Development Goals" before "(SDGs)"). The resolver
    writes them; `report comments` reads them as a reader sees them (`text_align.shown`)."""
    first = report.apparatus.first_uses.get(doc.path, {})
    found = []
    for use in first.values():
        if use.term is None or glossary.spelled_out(doc, use):
            continue
        expansion = use.term.expansion(use.plural)
        if glossary.opens_sentence(doc, use):  # "ICTs are ..." spelt out as "Information and ..."
            expansion = expansion[:1].upper() + expansion[1:]
        found.append((use, expansion))
    return found


def _acronyms(report: Report, doc: Document, mode: str) -> list[Edit]:
    spelt = {use.start: expansion for use, expansion in spelt_out(report, doc)}
    found = []
    for use in report.apparatus.acronyms.get(doc.path, []):
        if use.term is None:
            continue
        word = doc.scan.body[use.start : use.end]
        expansion = use.term.expansion(use.plural)
        shown = (
            md_text(word)
            if mode == SINGLE
            else f'<abbr title="{html.escape(expansion, quote=True)}">{html.escape(word)}</abbr>'
        )
        if use.start in spelt:
            found.append((use.start, use.end, f"{md_text(spelt[use.start])} ({shown})"))
        elif mode == SITE:
            found.append((use.start, use.end, shown))
    return found


def _note_labels(report: Report, doc: Document) -> list[Edit]:
    """On the site each note's label becomes its number in the report's series: the page's notes
    carry the PDF's numbers (see render/site_apparatus.py)."""
    numbers = report.apparatus.note_numbers(doc.path)
    return [
        (n.start, n.end, f"[^{numbers[n.label]}]{':' if n.definition else ''}")
        for n in doc.scan.notes
        if n.label in numbers
    ]


def _citations(report: Report, doc: Document, href, formatted: Formatted | None) -> list[Edit]:
    found = report.apparatus.citations.get(doc.path, [])
    if not found:
        return []
    listing = next((d for d in report.documents if d.kind == "annex" and d.meta.get("bibliography") is True), None)

    def link(key: str) -> str:
        return href(report, doc, listing, f"ref-{key}", SITE) if listing else ""

    reading = {id(c): i for i, c in enumerate(citation_parts.in_reading_order(doc, found))}
    out = []
    for citation in found:
        text = formatted.citation_markdown(doc.path, reading[id(citation)], link) if formatted else None
        out.append(
            (
                citation.start,
                citation.end,
                text if text is not None else md_text(doc.scan.body[citation.start : citation.end]),
            )
        )
    return out


def appended(report: Report, doc: Document, mode: str, formatted: Formatted | None = None) -> str:
    """What an annex prints after its text: the glossary (`glossary: true`), the references
    (`bibliography: true`)."""
    if doc.kind != "annex":
        return ""
    text = ""
    if doc.meta.get("glossary") is True:
        text += "\n" + glossary.markdown(report)
    if doc.meta.get("bibliography") is True:
        if mode == SINGLE:
            text += f"\n[]{{.{BIBLIOGRAPHY_MARKER}}}\n"
        elif formatted is not None:
            text += "\n" + formatted.bibliography_markdown()
    return text


def numbered_blocks(doc: Document) -> set[int]:
    """The offsets of the blocks a caption takes (its line and what it names): they are not
    paragraphs of the text, so paragraph numbering passes them by."""
    found, _ = caption_parts.find(doc)
    return {b.start for c in found for b in (c.block, c.target) if b is not None}
