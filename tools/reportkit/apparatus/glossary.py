"""Acronyms and terms (glossary.yml): each acronym's uses in the text, its first use in each file
expanded ("United Nations (UN)") in every edition, the site's `<abbr>` on every use, and the
glossary printed in the annex marked `glossary: true`.

A use is the acronym as a word of the text, or with an 's' for the plural (SDGs). Headings, link
addresses, image descriptions, references, note labels, citations and code are not text here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ..diagnostics import Diagnostic
from ..markdown import md_text
from ..model import Document, Report
from . import citations, notes
from .files import Term
from .rules import GLOSSARY_FILE, at, in_file

# A word of two or more capitals (digits and '&' inside), or an acronym of the glossary as written
# (IoT), possibly with a plural 's'.
_WORD = r"[A-Z][A-Z0-9&]*[A-Z][A-Z0-9]*"
_ROMAN = re.compile(r"[IVXLCDM]+")
_TAG = re.compile(r"<[^>\n]{0,400}>")


@dataclass(frozen=True)
class Use:
    start: int
    end: int
    acronym: str
    plural: bool
    term: Term | None  # None: not in the glossary


def _skipped(doc: Document, cites: list[citations.Citation]) -> list[tuple[int, int]]:
    """The parts of a body that are not running text for acronyms."""
    scan = doc.scan
    spans = [(h.start, h.end) for h in scan.headings]
    spans += [(link.start, link.end) if link.image else (link.target_start, link.target_end) for link in scan.links]
    spans += [(r.start, r.end) for r in scan.refs] + [(n.start, n.end) for n in scan.notes]
    spans += [(c.start, c.end) for c in cites]
    spans += [(b.start, b.end) for b in scan.blocks if b.kind in ("definition", "html", "code")]
    spans += [(m.start(), m.end()) for m in _TAG.finditer(scan.masked)] if "<" in scan.masked else []
    return sorted(spans)


@lru_cache(maxsize=8)
def _pattern(acronyms: tuple[str, ...]) -> re.Pattern:
    words = "|".join([*(re.escape(a) for a in acronyms), _WORD])
    return re.compile(r"(?<![\w&/.@#-])(?P<word>" + words + r")(?P<s>s?)(?![\w&/-])")


def uses(doc: Document, terms: dict[str, Term], ignore: frozenset[str], cites: list[citations.Citation]) -> list[Use]:
    """Every acronym-like word of the text, defined or not, in source order."""
    skipped = _skipped(doc, cites)
    found, index = [], 0
    for m in _pattern(tuple(sorted(terms, key=len, reverse=True))).finditer(doc.scan.masked):
        while index < len(skipped) and skipped[index][1] <= m.start():
            index += 1
        if index < len(skipped) and skipped[index][0] <= m.start():
            continue
        word, plural = m["word"], bool(m["s"])
        if word not in terms and word + m["s"] in terms:
            word, plural = word + m["s"], False  # an acronym that ends in 's' itself
        if word in ignore or (word not in terms and _ROMAN.fullmatch(word)):
            continue
        found.append(Use(m.start(), m.start() + len(word) + (1 if plural else 0), word, plural, terms.get(word)))
    return found


def first_uses(doc: Document, found: list[Use]) -> dict[str, Use]:
    """Each acronym's first use in the file: in the running text if it is used there, else in a note."""
    in_notes = [(d.start, d.end) for d in notes.definitions(doc)]
    first: dict[str, Use] = {}
    for use in sorted(found, key=lambda u: (any(s <= u.start < e for s, e in in_notes), u.start)):
        if use.term is not None:
            first.setdefault(use.acronym, use)
    return first


def spelled_out(doc: Document, use: Use) -> bool:
    """The text already spells it out: 'United Nations (UN)'."""
    before = doc.scan.body[max(0, use.start - 300) : use.start]
    return (
        before.rstrip().endswith("(")
        and before.rstrip()[:-1].rstrip().lower().endswith(use.term.expansion(use.plural).lower())
        if use.term
        else False
    )


_SENTENCE_END = re.compile(r"(?:^|[.!?][\"'\u201d\u2019)]*[ \t]+|\n[ \t]*\n[ \t]*|^[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+)$")


def opens_sentence(doc: Document, use: Use) -> bool:
    """The use starts a sentence, a paragraph or a list item (its expansion then takes a capital)."""
    before = doc.scan.body[max(0, use.start - 40) : use.start]
    start_of_body = use.start <= 40 and not before.strip()
    line = before.rsplit("\n", 1)[-1]
    return (
        start_of_body
        or bool(_SENTENCE_END.search(before))
        or not line.strip()
        or bool(re.fullmatch(r"[ \t]*(?:[-*+]|\d{1,9}[.)]|>|\[\^[^\]]+\]:)[ \t]+", line))
    )


def check(report: Report) -> list[Diagnostic]:
    """With a glossary: acronyms used and not defined (once per file), defined and never used, and a
    glossary that no annex prints."""
    files = report.apparatus_files
    if not files or not files.terms:
        return []
    found, used = [], set()
    for doc in report.documents:
        reported = set()
        for use in report.apparatus.acronyms.get(doc.path, []):
            used.add(use.acronym)
            if use.term is None and use.acronym not in reported:
                reported.add(use.acronym)
                found.append(
                    at(
                        doc,
                        use.start,
                        "glossary.undefined",
                        f"'{use.acronym}' reads as an acronym but is not in glossary.yml: add it (acronym "
                        "and term), or list it under 'ignore' if it is not one",
                    )
                )
    for term in files.terms:
        if term.acronym and term.acronym not in used:
            found.append(
                in_file(
                    GLOSSARY_FILE,
                    term.line,
                    "glossary.unused",
                    f"the acronym '{term.acronym}' is never used in the text: remove it",
                )
            )
    if not any(d.kind == "annex" and d.meta.get("glossary") is True for d in report.documents):
        found.append(
            in_file(
                GLOSSARY_FILE,
                1,
                "glossary.unplaced",
                "no annex prints the glossary: add 'glossary: true' to the front matter of the "
                "annex that should hold it",
            )
        )
    return found


def markdown(report: Report) -> str:
    """The glossary as printed in its annex: acronyms, then terms, each in alphabetical order, as
    tables of plain text (every value written as text, whatever it holds)."""
    files = report.apparatus_files
    if not files or not files.terms:
        return ""
    parts = []
    acronyms = sorted((t for t in files.terms if t.acronym), key=lambda t: (t.acronym or "").casefold())
    if acronyms:
        parts += ["**Abbreviations and acronyms**", "", "| Abbreviation | Meaning |", "|---|---|"]
        parts += [
            f"| {md_text(t.acronym)} | {md_text(t.term + (': ' + t.definition if t.definition else ''))} |"
            for t in acronyms
        ]
        parts.append("")
    terms = sorted((t for t in files.terms if not t.acronym), key=lambda t: t.term.casefold())
    if terms:
        parts += ["**Terms**", "", "| Term | Definition |", "|---|---|"]
        parts += [f"| {md_text(t.term)} | {md_text(t.definition)} |" for t in terms]
        parts.append("")
    return "\n".join(parts)
