"""The apparatus of a loaded report, found and numbered once (`Report.apparatus`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..diagnostics import Diagnostic
from ..model import Report
from . import captions as caption_parts
from . import citations as citation_parts
from . import glossary, notes


@dataclass
class Index:
    notes: dict[tuple[str, str], int]  # (file, label) -> number in the report's series
    captions: dict[str, list[caption_parts.Caption]]  # file -> its captions in source order
    citations: dict[str, list[citation_parts.Citation]]  # file -> its citations in source order
    acronyms: dict[str, list[glossary.Use]]  # file -> acronym-like words in source order
    first_uses: dict[str, dict[str, glossary.Use]]  # file -> acronym -> its first use
    problems: list[Diagnostic] = field(default_factory=list)  # the shape of captions

    @property
    def all_captions(self) -> list[caption_parts.Caption]:
        return [c for found in self.captions.values() for c in found]

    @property
    def captions_by_id(self) -> dict[str, caption_parts.Caption]:
        found: dict[str, caption_parts.Caption] = {}
        for caption in self.all_captions:
            found.setdefault(caption.id, caption)
        return found

    def note_numbers(self, path: str) -> dict[str, int]:
        """A file's note labels and their numbers."""
        return {label: n for (file, label), n in self.notes.items() if file == path}


def build(report: Report) -> Index:
    files = report.apparatus_files
    terms = files.acronyms if files else {}
    ignore = files.ignore if files else frozenset()
    found_captions, found_citations, acronyms, first, problems = {}, {}, {}, {}, []
    for doc in report.documents:
        found_captions[doc.path], trouble = caption_parts.find(doc)
        problems += trouble
        found_citations[doc.path] = citation_parts.find(doc)
        if terms:
            acronyms[doc.path] = glossary.uses(doc, terms, ignore, found_citations[doc.path])
            first[doc.path] = glossary.first_uses(doc, acronyms[doc.path])
    caption_parts.number(report, found_captions)
    return Index(notes.numbering(report), found_captions, found_citations, acronyms, first, problems)
