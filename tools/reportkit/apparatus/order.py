"""The order in which the printed editions (PDF, DOCX) set the text out, as spans of the bodies.

`render/arrangement.py` regroups pandoc's blocks into that order: each recommendation is printed
inside the chapter that presents them, at the end of its set's section (`## ... {#set-N}`), or at
the chapter's end when its set has no section. This module says the same from the model alone, so
that notes and captions are numbered in the printed order without pandoc, and the site, which
shows each recommendation on a page of its own, carries the very numbers the PDF prints.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..model import Document, Report


@dataclass(frozen=True)
class Segment:
    doc: Document
    start: int  # offsets in doc's body
    end: int
    within: Document  # the document it is printed in: a chapter, an annex, or the recommendation itself


def presenter(report: Report) -> Document | None:
    return next((d for d in report.of_kind("chapter") if d.presents_recommendations), None)


def printed(report: Report) -> list[Document]:
    """The documents the printed editions carry (a withdrawn recommendation is not printed)."""
    return [d for d in report.documents if d.kind != "rec" or d.number]


def segments(report: Report) -> list[Segment]:
    """Every printed document's body, cut where the printed editions insert recommendations."""
    chapter = presenter(report)
    recs = [d for d in report.of_kind("rec") if d.number]
    found: list[Segment] = []
    for doc in printed(report):
        if doc.kind == "rec":
            if chapter is None:
                found.append(Segment(doc, 0, len(doc.scan.body), doc))
        elif doc is chapter:
            found += _presenting(doc, recs)
        else:
            found.append(Segment(doc, 0, len(doc.scan.body), doc))
    return found


def _presenting(chapter: Document, recs: list[Document]) -> list[Segment]:
    """The chapter that presents the recommendations, cut where each set's recommendations go: the
    same walk as `arrangement._with_sets`, over the chapter's level-1 and level-2 headings."""
    body_end = len(chapter.scan.body)
    heads = [h for h in chapter.scan.headings if h.level <= 2]
    items: list[tuple[str, int]] = [("head", i) for i in range(len(heads))]  # ("set", n) for a set's group
    for number in sorted({d.set for d in recs if d.set}):
        own = next((i for i, h in enumerate(heads) if h.level == 2 and h.anchor == f"set-{number}"), None)
        at = next((k for k, item in enumerate(items) if item == ("head", own)), None)
        if at is None:  # no section for the set: its group, with a divider of its own, at the end
            items.append(("divided", number))
            continue
        end = next((k for k in range(at + 1, len(items)) if items[k][0] in ("head", "divided")), len(items))
        items.insert(end, ("set", number))
    found, position = [], 0
    for k, (kind, value) in enumerate(items):
        if kind == "head":
            continue
        cut = next((heads[v].start for kind_, v in items[k + 1 :] if kind_ == "head"), body_end)
        found.append(Segment(chapter, position, cut, chapter))
        found += [Segment(d, 0, len(d.scan.body), chapter) for d in recs if d.set == value]
        position = cut
    found.append(Segment(chapter, position, body_end, chapter))
    return [s for s in found if s.end > s.start or s.doc is not chapter]
