"""Pages the site adds to the report's own documents: the recommendations index, page facts."""

from __future__ import annotations

import html
import posixpath

from ..history import FileHistory
from ..markdown import md_text
from ..model import Document, Report
from .site_plan import PROGRESS, RECOMMENDATIONS_INDEX

STATUS_NAMES = {"draft": "Draft", "review": "In review", "agreed": "Agreed", "withdrawn": "Withdrawn"}


def _cell(text: str) -> str:
    """A value in a Markdown table cell: plain text, whatever it holds."""
    return md_text(text)


def owner_name(report: Report, doc: Document) -> str:
    member = report.members.get(doc.owner or "")
    return member.name if member else (doc.owner or "unknown")


def recommendations_index(report: Report) -> str:
    """A table of every recommendation by set: label, title, owner, status."""
    lines = ["# Recommendations", "",
             "Every recommendation of the report, by set. Each has its own page.", ""]
    recs = report.of_kind("rec")
    for number in sorted({d.set for d in recs if d.set}):
        lines += [f"## Set {number}: {md_text(report.set_title(number))}", "",
                  "| Label | Recommendation | Owner | Status |", "|---|---|---|---|"]
        for doc in (d for d in recs if d.set == number):
            link = posixpath.relpath(doc.path, posixpath.dirname(RECOMMENDATIONS_INDEX))
            label = doc.number or "—"
            lines.append(f"| {label} | [{_cell(doc.title)}]({link}) | {_cell(owner_name(report, doc))} "
                         f"| {STATUS_NAMES.get(doc.status or '', doc.status or '')} |")
        lines.append("")
    return "\n".join(lines)


def facts_line(report: Report, doc: Document, history: FileHistory | None) -> str:
    """The line under a page's title: owner, status, last update."""
    parts = [f"Owner: **{_cell(owner_name(report, doc))}**",
             f"Status: **{STATUS_NAMES.get(doc.status or '', doc.status or 'unknown')}**"]
    if history and history.last_date:
        parts.append(f"Last updated: {md_text(history.last_date[:10])} by {md_text(history.last_author)}")
    return " · ".join(parts) + "\n{ .report-facts }"



def downloads_section(downloads: dict) -> str:
    """The home page's downloads: links to the edition's files, or how to make them."""
    names = {"pdf": "PDF edition", "docx": "Word (DOCX) edition"}
    lines = ["", "## Downloads", ""]
    if not downloads:
        return "\n".join(lines + ["The PDF and Word editions appear here once `report build` has made them.", ""])
    lines.append("The current edition is also available as:")
    lines.append("")
    for fmt, path in sorted(downloads.items()):
        lines.append(f"- [{names.get(fmt, fmt.upper())}](downloads/{posixpath.basename(str(path))})")
    return "\n".join(lines + [""])


def theme_text(value: str) -> str:
    """A value the theme prints into its pages: escaped, and with no angle bracket at all, so that
    even a template filter that unescapes entities (Jinja's striptags) cannot make a tag of it."""
    return html.escape(" ".join(value.split()).replace("<", "‹").replace(">", "›"), quote=True)


def navigation(report: Report) -> list:
    """The site's navigation, in the report's reading order (MkDocs' `nav` format).

    The theme puts navigation titles into its pages as they are: each is escaped here as text.
    """
    def title(doc: Document) -> str:
        return theme_text(f"{doc.number}. {doc.title}" if doc.number else doc.title)

    chapters = report.of_kind("chapter")
    nav: list = [{"Home": "index.md"}]
    nav += [{title(d): d.path} for d in chapters if not d.numbered]
    nav.append({"Chapters": [{title(d): d.path} for d in chapters if d.numbered]})
    recs = [{title(d): d.path} for d in report.of_kind("rec") if d.number]
    nav.append({"Recommendations": [RECOMMENDATIONS_INDEX] + recs})
    nav.append({"Annexes": [{title(d): d.path} for d in report.of_kind("annex")]})
    nav.append({"Progress": PROGRESS})
    return nav
