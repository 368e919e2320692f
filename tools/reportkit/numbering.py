"""Numbering: the reading order and every number the documents and their sections carry, decided here only.

Chapters are numbered 1, 2, 3 in reading order (unless `numbered: false`); recommendations take
their set and, when the set holds several, a letter (1A, 1B); annexes take Roman numerals; the
sections of a numbered chapter are 3.1 and 3.1.1, except the sets' own sections (`{#set-2}`) in
the chapter that presents the recommendations, which are named "Set 2" and not numbered.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the model asks this module; this module only reads the model's documents
    from .model import Document

SET_ANCHOR = re.compile(r"set-(\d{1,2})")
ROMAN = [
    (1000, "M"),
    (900, "CM"),
    (500, "D"),
    (400, "CD"),
    (100, "C"),
    (90, "XC"),
    (50, "L"),
    (40, "XL"),
    (10, "X"),
    (9, "IX"),
    (5, "V"),
    (4, "IV"),
    (1, "I"),
]


def roman(number: int) -> str:
    out = ""
    for value, letters in ROMAN:
        while number >= value:
            out += letters
            number -= value
    return out


def set_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA: a set of more than 26 is absurd but must not crash."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def number(documents: list[Document]) -> list[Document]:
    """Order the documents for reading and give each its number or label."""
    chapters = [d for d in documents if d.kind == "chapter"]
    recs = [d for d in documents if d.kind == "rec"]
    annexes = [d for d in documents if d.kind == "annex"]
    n = 0
    for doc in chapters:
        if doc.numbered:
            n += 1
            doc.number = str(n)
    recs.sort(key=lambda d: (d.set or 99, d.order or 0, d.path))
    by_set: dict[int, list[Document]] = {}
    for doc in recs:
        if doc.set is not None and not doc.withdrawn:
            by_set.setdefault(doc.set, []).append(doc)
    for set_number, members in by_set.items():
        for i, doc in enumerate(members):
            doc.number = str(set_number) + (set_letter(i) if len(members) > 1 else "")
    for i, doc in enumerate(annexes):
        doc.number = roman(i + 1)
    return chapters + recs + annexes


def set_sections(doc: Document) -> dict[str, int]:
    """Anchor -> set number, for the set sections (`## ... {#set-2}`) of the chapter that presents
    the recommendations."""
    if not doc.presents_recommendations:
        return {}
    found: dict[str, int] = {}
    for heading in doc.scan.headings:
        m = SET_ANCHOR.fullmatch(heading.anchor)
        if heading.level == 2 and m:
            found.setdefault(heading.anchor, int(m.group(1)))
    return found


def section_numbers(doc: Document) -> dict[str, str]:
    """Anchor -> section number ('3.2', '3.2.1') for the headings of a numbered chapter; read once
    the documents are numbered (the loader numbers them before anyone asks)."""
    if doc.kind != "chapter" or not doc.number:
        return {}
    numbers: dict[str, str] = {}
    counters = [0, 0]
    sets = doc.set_sections
    for heading in doc.scan.headings:
        if heading.anchor in sets:
            counters = [counters[0], -1]  # its subsections are not numbered either
            continue
        if heading.level == 2:
            counters = [counters[0] + 1, 0]
            numbers.setdefault(heading.anchor, f"{doc.number}.{counters[0]}")
        elif heading.level == 3 and counters[0] and counters[1] >= 0:
            counters[1] += 1
            numbers.setdefault(heading.anchor, f"{doc.number}.{counters[0]}.{counters[1]}")
    return numbers
