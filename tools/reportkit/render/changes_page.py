"""The site's page of changes since FROM: the renumbering, the sections changed, and each changed passage
with its insertions and deletions as `<ins>` and `<del>`.

The passages come from the redline's merged AST (`render/redline.py`), written as HTML by pandoc
(every value escaped by its writer), links pointed at the site's pages. The page is Markdown for
MkDocs: its title, the tables (values escaped as text by `md_text`), then the passages as one HTML
block; the plugin adds it to the site (its `changes` option) and, like every page, it goes through
the sanitizer (`sanitize.clean` keeps `ins` and `del`). The plugin's style sheet
(`templates/changes.css`) marks them by more than colour: underlined and struck through, and each
start and end announced to screen readers by visually hidden text.
"""

from __future__ import annotations

import html as html_text
import json
import posixpath
import re
from pathlib import Path

from .. import diff
from ..markdown import md_text
from ..model import Document, Report
from . import changes, citeproc, runner
from .pandoc_ast import pandoc_path, text_inlines
from .redline import DocumentRedline
from .resolve import SINGLE, anchor_id
from .site_plan import destination
from .transforms import Node, Replacement, is_block_anchor, rewrite

PAGE = "changes.md"
STYLE = "assets/reportkit-changes.css"
HTML_TAGS = {changes.INSERTED: "ins", changes.DELETED: "del", changes.MARKED: "mark"}
LEGEND = (
    "Inserted text is underlined and deleted text struck through; screen readers announce where "
    "each insertion and deletion starts and ends. Under each section changed, the passages that "
    "changed are shown with the heading they fall under."
)


class Links:
    """Where an id of the single document (`docid`, `docid--anchor`) is on the site, seen from the page."""

    def __init__(self, report: Report, use_directory_urls: bool):
        self.directory = use_directory_urls
        self.base = posixpath.dirname(destination(PAGE, use_directory_urls))
        self.targets: dict[str, tuple[Document, str | None]] = {}
        for doc in report.documents:
            self.targets[anchor_id(doc, None, SINGLE)] = (doc, None)
            for heading in doc.scan.headings:
                self.targets.setdefault(anchor_id(doc, heading.anchor, SINGLE), (doc, heading.anchor))

    def page(self, doc: Document) -> str:
        url = posixpath.relpath(destination(doc.path, self.directory), self.base)
        return url.removesuffix("index.html") if self.directory else url

    def of(self, ident: str) -> str | None:
        found = self.targets.get(ident)
        if found is None:
            return None
        doc, anchor = found
        return self.page(doc) + (f"#{anchor}" if anchor else "")

    def asset(self, rel: str) -> str:
        return posixpath.relpath(rel, self.base)


def _for_site(blocks: list, links: Links) -> list:
    """Blocks as the page shows them: headings under the section's own, no ids, links to site pages,
    marked spans as raw `<ins>` / `<del>` (added after judging, like the PDF's Typst calls)."""

    def change(node: Node) -> Replacement:
        kind = node["t"]
        if kind == "Span" and is_block_anchor(node):
            return None
        marked = changes.kind_of(node)
        if marked in HTML_TAGS:
            tag = HTML_TAGS[marked]
            return [
                {"t": "RawInline", "c": ["html", f"<{tag}>"]},
                *rewrite(node["c"][1], change),
                {"t": "RawInline", "c": ["html", f"</{tag}>"]},
            ]
        if kind == "Header":
            level, (_, classes, pairs), inlines = node["c"]
            return {"t": "Header", "c": [min(level + 2, 6), ["", classes, pairs], rewrite(inlines, change)]}
        if kind == "Link" and node["c"][2][0].startswith("#"):
            url = links.of(node["c"][2][0][1:])
            inner = rewrite(node["c"][1], change)
            return inner if url is None else {"t": "Link", "c": [node["c"][0], inner, [url, node["c"][2][1]]]}
        if kind == "Image":
            return {
                "t": "Image",
                "c": [node["c"][0], rewrite(node["c"][1], change), [links.asset(node["c"][2][0]), node["c"][2][1]]],
            }
        return node

    return rewrite(blocks, change)


def _passages(doc: DocumentRedline) -> list:
    """The changed blocks of a document, each run after the last heading above it (for context)."""
    shown: list = []
    heading = None
    for block, changed in zip(doc.blocks, doc.changed, strict=True):
        if block["t"] == "Header" and not changed:
            heading = block if block["c"][0] > 1 else None
            continue
        if changed:
            if heading is not None:
                shown.append(heading)
                heading = None
            shown.append(block)
    return shown


def _summary(section: diff.SectionChange | None) -> str:
    """What changed in a section, in a sentence: how, words, moves, label, status, owner."""
    if section is None:
        return ""
    if section.change == "unchanged":
        facts = ["No words changed, only labels renumbered"]
    else:
        facts = [section.change.capitalize() + (f" from {section.path_from}" if section.change == "renamed" else "")]
        facts.append(f"{section.words_added} words added, {section.words_removed} removed")
    if section.paragraphs_moved:
        facts.append(f"{section.paragraphs_moved} paragraph{'s' if section.paragraphs_moved != 1 else ''} moved")
    for name, before, after in (
        ("label", section.label_from, section.label_to),
        ("status", section.status_from, section.status_to),
        ("owner", section.owner_from, section.owner_to),
    ):
        if before != after and section.change not in ("added", "removed"):
            facts.append(f"{name} {before or 'none'} → {after or 'none'}")
    return "; ".join(facts) + "."


def site_blocks(
    report: Report, merged: list[DocumentRedline], comparison: diff.Comparison, use_directory_urls: bool
) -> list:
    """The page's passages: for each section with a change, its heading, what changed, the passages."""
    links = Links(report, use_directory_urls)
    sections = {(s.id, s.path): s for s in comparison.sections}
    blocks: list = []
    for doc in merged:
        if not any(doc.changed):
            continue
        shown = doc.after or doc.before
        assert shown is not None
        title = text_inlines(shown.heading)
        if doc.after is not None:
            title = [{"t": "Link", "c": [["", [], []], title, [links.page(doc.after), ""]]}]
        blocks.append({"t": "Header", "c": [0, ["", [], []], title]})  # level 2 once shifted
        summary = _summary(sections.get((shown.id, shown.path)))
        if summary:
            blocks.append({"t": "Para", "c": text_inlines(summary)})
        blocks += _passages(doc)
    return _for_site(blocks, links)


def html(blocks: list, api_version: list, work: Path, timeout: float, report: Report | None = None) -> str:
    """The passages as an HTML fragment, written by pandoc (in the sandbox folder, reading nothing but
    the citation style). With the report, its citations are formatted as the editions format them,
    the old text's as well as the new (the redline compares the texts before citeproc)."""
    meta: dict = {}
    formatting: list[str] = []
    if report is not None and citeproc.has_citations(report):
        meta, formatting = citeproc.meta(report, links=False), citeproc.options(report)
    document = json.dumps({"pandoc-api-version": api_version, "meta": meta, "blocks": blocks}, ensure_ascii=False)
    out, _ = runner.run_program(
        [pandoc_path(), "--sandbox", "-f", "json", "-t", "html5", "--wrap=none", *formatting],
        input=document.encode("utf-8"),
        cwd=work,
        timeout=timeout,
        what="pandoc",
    )
    return out.decode("utf-8")


def markdown(title: str, ref: str, commit: str | None, comparison: diff.Comparison, fragment: str) -> str:
    """The page: title, what was compared, the tables, then the passages as one HTML block."""
    compared = f"Compared with {md_text(ref)}" + (f" (commit {commit[:12]})" if commit else "") + "."
    lines = [f"# {md_text(title)}", "", f"{compared} {LEGEND}", "", "## Renumbered and changed sections", ""]
    lines += diff.markdown_tables(comparison)
    if fragment.strip():
        lines += ["## The changes, passage by passage", "", '<div class="rk-redline">', fragment.strip(), "</div>", ""]
    return "\n".join(lines)


def title_of(page: str) -> str:
    """A generated page's title: the text of its first line's heading, as `md_text` wrote it, read back."""
    first = page.split("\n", 1)[0].removeprefix("# ").strip()
    return html_text.unescape(_ESCAPED.sub(r"\1", first)) or "Changes"


_ESCAPED = re.compile(r"\\(.)")
