"""The edition a reader holds, and the imprint that says so: name, date, copyright, how to cite.

One set of words for every edition: the site prints it in its footer (and, for a draft, in its
banner); the values come from `report build` (the edition's name, date and whether it is final)
and from report.yml (`copyright`, `citation`, `author`, `title`). The values are plain text: each
edition escapes them for its own format.
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import style
from ..model import Report

DEFAULT_COPYRIGHT = "© United Nations"
DRAFT_NOTICE = "not for citation or circulation"


@dataclass(frozen=True)
class Imprint:
    final: bool
    edition: str  # "Working draft", "Draft 3", "Final edition"
    iso_date: str  # "2019-06-10"
    date: str  # the same in UN style: "10 June 2019"
    title: str
    author: str
    copyright: str
    citation: str  # how to cite the edition (a draft is not to be cited: see DRAFT_NOTICE)

    def context(self) -> dict[str, object]:
        """The imprint as the site's templates read it (they escape every value)."""
        return {
            "final": self.final,
            "edition": self.edition,
            "iso_date": self.iso_date,
            "date": self.date,
            "title": self.title,
            "author": self.author,
            "copyright": self.copyright,
            "citation": self.citation,
            "draft_notice": DRAFT_NOTICE,
        }


def _plain(value: object) -> str:
    """A value on one line: report.yml may hold line breaks the imprint would show as spaces anyway."""
    return " ".join(str(value or "").split())


def default_citation(report: Report, edition: str, date: str, url: str | None = None) -> str:
    """A citation made from the report's settings: author, title, edition, date (and where it is)."""
    author = _plain(report.settings.get("author"))
    subtitle = _plain(report.settings.get("subtitle"))
    title = _plain(report.title) + (f": {subtitle}" if subtitle else "")
    parts = [f"{author}, {title}" if author else title, f"{_plain(edition)}, {date}"]
    citation = ". ".join(p.rstrip(".") for p in parts) + "."
    return f"{citation} {url}" if url else citation


def imprint(report: Report, edition: str, iso_date: str, final: bool, url: str | None = None) -> Imprint:
    """The imprint of an edition of the report. `iso_date` must be an ISO date (ValueError if not)."""
    date = style.un_date(iso_date)
    settings = report.settings
    given = _plain(settings.get("citation"))
    return Imprint(
        final=final,
        edition=_plain(edition),
        iso_date=iso_date[:10],
        date=date,
        title=_plain(report.title),
        author=_plain(settings.get("author")),
        copyright=_plain(settings.get("copyright")) or DEFAULT_COPYRIGHT,
        citation=given or default_citation(report, edition, date, url),
    )
