"""Pages the site adds to the report's own documents (the recommendations index, the downloads), its
navigation, and the workflow facts a draft site shows on each page."""

from __future__ import annotations

import html
import posixpath

from ..history import FileHistory
from ..markdown import md_text
from ..model import Document, Report
from ..style import un_date
from .site_plan import PROGRESS, RECOMMENDATIONS_INDEX

STATUS_NAMES = {"draft": "Draft", "review": "In review", "agreed": "Agreed", "withdrawn": "Withdrawn"}


def _cell(text: str) -> str:
    """A value in a Markdown table cell: plain text, whatever it holds."""
    return md_text(text)


def owner_name(report: Report, doc: Document) -> str:
    member = report.members.get(doc.owner or "")
    return member.name if member else (doc.owner or "unknown")


def recommendations_index(report: Report, final: bool = False) -> str:
    """A table of every recommendation by set: label and title, and in a draft its owner and status
    (the public site shows no workflow data)."""
    lines = ["# Recommendations", "", "Every recommendation of the report, by set. Each has its own page.", ""]
    recs = report.of_kind("rec")
    header = (
        ["| Label | Recommendation |", "|---|---|"]
        if final
        else ["| Label | Recommendation | Owner | Status |", "|---|---|---|---|"]
    )
    for number in sorted({d.set for d in recs if d.set}):
        lines += [f"## Set {number}: {md_text(report.set_title(number))}", "", *header]
        for doc in (d for d in recs if d.set == number):
            link = posixpath.relpath(doc.path, posixpath.dirname(RECOMMENDATIONS_INDEX))
            row = f"| {doc.number or '—'} | [{_cell(doc.title)}]({link}) |"
            if not final:
                row += f" {_cell(owner_name(report, doc))} | {STATUS_NAMES.get(doc.status or '', doc.status or '')} |"
            lines.append(row)
        lines.append("")
    return "\n".join(lines)


def facts(report: Report, doc: Document, history: FileHistory | None) -> dict[str, str]:
    """A page's workflow facts for the draft site's template (which escapes them): owner, status,
    last update. They are not part of the page's text, so the site's search never shows them."""
    found = {"owner": owner_name(report, doc), "status": STATUS_NAMES.get(doc.status or "", doc.status or "unknown")}
    if history and history.last_date:
        found |= {
            "updated": un_date(history.last_date),
            "updated_iso": history.last_date[:10],
            "author": " ".join(history.last_author.split()),
        }
    return found


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


def nav_title(doc: Document) -> str:
    """A document's entry in the navigation: its number and short title ("1A Affordable access",
    "3. Individuals, societies and digital technologies"), escaped as text for the theme."""
    if not doc.number:
        return theme_text(doc.short_title)
    separator = " " if doc.kind == "rec" else ". "
    return theme_text(f"{doc.number}{separator}{doc.short_title}")


def navigation(report: Report, final: bool = False, web: list[tuple[str, str]] | None = None) -> list:
    """The site's navigation, in the report's reading order (MkDocs' `nav` format); the progress
    page only in a draft; then web/'s own pages, (title, page) as `site_links.titles` gives them.

    The theme puts navigation titles into its pages as they are: each is escaped here as text.
    """
    chapters = report.of_kind("chapter")
    nav: list = [{"Home": "index.md"}]
    nav += [{nav_title(d): d.path} for d in chapters if not d.numbered]
    nav.append({"Chapters": [{nav_title(d): d.path} for d in chapters if d.numbered]})
    recs = [{nav_title(d): d.path} for d in report.of_kind("rec") if d.number]
    # A withdrawn recommendation keeps its page (the recommendations index links to it), after the others.
    recs += [{theme_text(f"Withdrawn: {d.short_title}"): d.path} for d in report.of_kind("rec") if not d.number]
    nav.append({"Recommendations": [RECOMMENDATIONS_INDEX] + recs})
    nav.append({"Annexes": [{nav_title(d): d.path} for d in report.of_kind("annex")]})
    if not final:
        nav.append({"Progress": PROGRESS})
    nav += [{theme_text(title): page} for title, page in web or []]
    return nav
