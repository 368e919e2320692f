"""Aligning texts that say the same thing differently: what a reader sees in an edition with the
Markdown it came from, and a document's body at one commit with the same document at another.

Both sides are cut into tokens (a word, or one other character; spaces are not tokens, so a line
break in the source and a space in Word are alike) and matched with difflib's SequenceMatcher. An
offset on one side maps to the other through the matched tokens around it. Typographic quotes,
dashes and ellipses, which pandoc writes for straight ones, are read as the straight ones, one
character for one, so offsets never shift.

`Shown` is a document body as a reader sees it in the printed editions: cross-references replaced
by their labels, a note's mark by its number and its label taken out of its text, a caption's
`Figure:` by its label (`Figure 1.1:`) and its id taken out, an acronym's first use spelt out, link
targets, images and heading ids taken out; with a map back to the Markdown. What the shown text does
not model (emphasis marks, list bullets, escapes, citations, which citeproc formats) is left to the
alignment.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import cached_property

from . import refs
from .apparatus.edits import spelt_out
from .model import Document, Report

TOKEN = re.compile(r"\w+|\S")
_VISIBLE = re.compile(r"[^ \t\n\r\u00a0\u202f]")
_SAME = str.maketrans(
    {
        "\u2019": "'",
        "\u2018": "'",
        "\u201a": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u2033": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2011": "-",
        "\u2026": ".",
        "\u00a0": " ",
        "\u202f": " ",
    }
)
Token = tuple[int, int, str]  # start, end, text
# What the editions print in place of a construct of the source: an item inside it is placed on the
# construct, and --apply leaves it alone (the source there is not those words).
REFERENCE, NOTE, CAPTION, ACRONYM = (
    "a cross-reference",
    "a note's number",
    "a caption's label",
    "an acronym spelt out",
)


def normal(text: str) -> str:
    """Typographic punctuation as the plain characters the source writes (one for one)."""
    return text.translate(_SAME)


def tokens(text: str, offset: int = 0) -> list[Token]:
    return [(m.start() + offset, m.end() + offset, m.group()) for m in TOKEN.finditer(normal(text))]


@dataclass
class Shown:
    """A document's body as a reader sees it, and the way back to its Markdown."""

    text: str
    # shown start, end, source start, end, and what is shown there: None for the source's own text,
    # else what the editions print in place of a construct (REFERENCE, NOTE, ...; "" for nothing).
    segments: list[tuple[int, int, int, int, str | None]]

    def __post_init__(self) -> None:
        self._shown_starts = [s[0] for s in self.segments]
        self._source_starts = [s[2] for s in self.segments]

    @cached_property
    def normalized(self) -> str:
        return normal(self.text)

    def to_source(self, offset: int, end: bool = False) -> tuple[int, str]:
        """The source offset of a shown offset, and what it falls inside when that is printed in place
        of a construct (a cross-reference's label, a note's number: the source there is the
        construct, not the words); "" when it is not. The end of a range leans left: it stays before
        markup that shows nothing (a link's target, an id), as `Aligner.map` does."""
        index = max((bisect.bisect_left if end else bisect.bisect_right)(self._shown_starts, offset) - 1, 0)
        start, stop, source, source_end, what = self.segments[index]
        if what is None:
            return source + min(offset - start, source_end - source), ""
        if offset <= start:
            return source, ""
        if offset >= stop:
            return source_end, ""
        return source, what

    def to_shown(self, offset: int) -> int:
        index = max(bisect.bisect_right(self._source_starts, offset) - 1, 0)
        start, end, source, source_end, what = self.segments[index]
        if what is None:
            return start + min(offset - source, end - start)
        return start if offset < source_end else end

    def tokens_between(self, start: int, end: int) -> list[Token]:
        return tokens(self.text[start:end], start)


Cut = tuple[int, int, str, str]  # source start, end, what is shown instead, and what that is


def _cuts(report: Report, doc: Document) -> list[Cut]:
    """What a reader does not see as written."""
    scan, body = doc.scan, doc.scan.body
    cuts = []
    for ref in scan.refs:
        result = refs.resolve(report, ref)
        cuts.append(
            (
                ref.start,
                ref.end,
                result.text if isinstance(result, refs.Resolved) else ref.text or ref.target,
                REFERENCE,
            )
        )
    for link in scan.links:
        if link.image:
            cuts.append((link.start, link.end, "", ""))
        else:
            close = link.start + 1 + len(link.text)
            cuts += [(link.start, link.start + 1, "", ""), (close, link.end, "", "")]
    for heading in scan.headings:
        text_start = heading.start + heading.level
        while text_start < heading.end and body[text_start] in " \t":
            text_start += 1
        cuts.append((heading.start, text_start, "", ""))
        brace = scan.masked.rfind("{", heading.start, heading.end) if heading.explicit else -1
        if brace >= 0:
            cuts.append((brace, heading.end, "", ""))
    return sorted(cuts + _apparatus_cuts(report, doc))


def _apparatus_cuts(report: Report, doc: Document) -> list[Cut]:
    """What the printed editions make of notes, captions and acronyms (`render/apparatus.py`,
    `apparatus/edits.py`): a note's mark is its number in the report's series, its text goes to the
    Notes section without its label; a caption's word takes its number and loses its id."""
    body, cuts = doc.scan.body, []
    numbers = report.apparatus.note_numbers(doc.path)
    for note in doc.scan.notes:
        end = note.end
        while note.definition and end < len(body) and body[end] in " \t":
            end += 1
        number = "" if note.definition else str(numbers.get(note.label, ""))
        cuts.append((note.start, end, number, NOTE if number else ""))
    for caption in report.apparatus.captions.get(doc.path, []):
        if caption.target is None:
            continue
        cuts.append((caption.block.start, caption.text_start, f"{caption.label}: ", CAPTION))
        brace = body.rfind("{", caption.text_end, caption.end)  # as a heading's: its id, not the space
        if brace >= 0:
            cuts.append((brace, caption.end, "", ""))
    for use, expansion in spelt_out(report, doc):
        cuts.append((use.start, use.end, f"{expansion} ({body[use.start : use.end]})", ACRONYM))
    return cuts


def shown(report: Report, doc: Document) -> Shown:
    body = doc.scan.body
    pieces: list[str] = []
    segments: list[tuple[int, int, int, int, str | None]] = []
    position = shown_at = 0
    for start, end, text, what in _cuts(report, doc):
        if start < position:  # inside an earlier cut (a link inside a reference's text)
            continue
        if start > position:
            segments.append((shown_at, shown_at + start - position, position, start, None))
            pieces.append(body[position:start])
            shown_at += start - position
        segments.append((shown_at, shown_at + len(text), start, end, what))
        pieces.append(text)
        shown_at += len(text)
        position = end
    segments.append((shown_at, shown_at + len(body) - position, position, len(body), None))
    pieces.append(body[position:])
    return Shown("".join(pieces), segments)


class Aligner:
    """Offsets of one token sequence mapped onto another, through the tokens they share."""

    def __init__(self, a: list[Token], b: list[Token], limit: int | None = None):
        self.a_count = len(a)
        self.limit = limit  # where the second text ends: nothing maps past it
        if [t[2] for t in a] == [t[2] for t in b]:
            blocks = [(0, 0, len(a))]
        else:
            matcher = SequenceMatcher(None, [t[2] for t in a], [t[2] for t in b], autojunk=False)
            blocks = [(i, j, n) for i, j, n in matcher.get_matching_blocks() if n]
        self.matched = [False] * len(a)
        self.points: list[int] = []
        self.values: list[int] = []
        for i, j, n in blocks:
            for k in range(n):
                self.matched[i + k] = True
                self.points += [a[i + k][0], a[i + k][1]]
                self.values += [b[j + k][0], b[j + k][1]]
        self._a_starts = [t[0] for t in a]

    def map(self, offset: int, end: bool = False) -> int | None:
        """Where an offset of the first text falls in the second; None when nothing matched. The end
        of a range leans left: it follows the last token before it, not the next one after it."""
        if not self.points:
            return None
        index = (bisect.bisect_left if end else bisect.bisect_right)(self.points, offset) - 1
        if index < 0:
            return max(self.values[0] - (self.points[0] - offset), 0)
        mapped = self.values[index] + (offset - self.points[index])
        if index + 1 < len(self.values):
            mapped = min(mapped, self.values[index + 1])
        return mapped if self.limit is None else min(mapped, self.limit)

    def kept(self, start: int, end: int) -> float:
        """The share of the first text's tokens in [start, end) that the second text holds too."""
        first = bisect.bisect_left(self._a_starts, start)
        last = bisect.bisect_left(self._a_starts, end)
        if last <= first:  # a point: judged by the tokens on either side of it
            first, last = max(first - 1, 0), min(first + 1, self.a_count)
        if last <= first:
            return 0.0
        return sum(self.matched[first:last]) / (last - first)


class SameWords:
    """The alignment of two texts that differ only in their spaces: the n-th visible character of
    one is the n-th of the other (most paragraphs of an edition, read against their source)."""

    def __init__(self, a: str, a_offset: int, b: str, b_offset: int):
        self.a, self.a_offset, self.b_offset = a, a_offset, b_offset
        self.visible = [m.start() + b_offset for m in _VISIBLE.finditer(b)]
        self.b_end = b_offset + len(b)

    @staticmethod
    def applies(a: str, b: str) -> bool:
        return "".join(normal(a).split()) == "".join(b.split())

    def map(self, offset: int, end: bool = False) -> int:
        """As `Aligner.map`: a start on a character goes to that character; anything else follows the
        last character before it, spaces and all, up to the next character."""
        at = max(offset - self.a_offset, 0)
        before = self.a[:at]
        count = len(before) - sum(before.count(c) for c in " \t\n\r\u00a0\u202f")
        following = self.visible[count] if count < len(self.visible) else self.b_end
        if count == 0 or (not end and at < len(self.a) and not self.a[at].isspace()):
            return following
        spaces = len(before) - len(before.rstrip())
        return min(self.visible[min(count, len(self.visible)) - 1] + 1 + spaces, following)

    def kept(self, start: int, end: int) -> float:
        return 1.0


class BodyMap:
    """Offsets of an old text mapped into a new one: unchanged lines one for one, changed stretches
    token by token (lines first, so a long document costs no more than its changed paragraphs)."""

    def __init__(self, old: str, new: str):
        self.old, self.new = old, new
        self.old_lines = _line_starts(old)
        self.new_lines = _line_starts(new)
        self.opcodes = [op for op in _line_opcodes(old.splitlines(True), new.splitlines(True)) if op[0] != "insert"]
        self._starts = [op[1] for op in self.opcodes]
        self._chunks: dict[int, Aligner] = {}

    def _opcode(self, offset: int) -> int:
        line = bisect.bisect_right(self.old_lines, offset) - 1
        return max(bisect.bisect_right(self._starts, line) - 1, 0)

    def map(self, start: int, end: int) -> tuple[int, int, float] | None:
        """The new range of an old range, and the share of its tokens kept; None when it is gone."""
        begin, finish = self._map(start), self._map(end, end > start)
        if begin is None or finish is None:
            return None
        kept = min((aligner.kept(start, end) for aligner in (begin[1], finish[1]) if aligner), default=1.0)
        return begin[0], max(finish[0], begin[0]), kept

    def _map(self, offset: int, end: bool = False) -> tuple[int, Aligner | None] | None:
        if not self.opcodes:
            return None
        index = self._opcode(max(offset - 1, 0) if end else offset)
        tag, i1, i2, j1, j2 = self.opcodes[index]
        if tag == "equal":
            line = bisect.bisect_right(self.old_lines, offset) - 1
            new_line = j1 + (line - i1)
            base = self.new_lines[new_line] if new_line < len(self.new_lines) else len(self.new)
            return base + offset - self.old_lines[line], None
        aligner = self._chunks.get(index)
        if aligner is None:
            old_start, old_end = self._span(self.old_lines, self.old, i1, i2)
            new_start, new_end = self._span(self.new_lines, self.new, j1, j2)
            aligner = Aligner(
                tokens(self.old[old_start:old_end], old_start), tokens(self.new[new_start:new_end], new_start), new_end
            )
            self._chunks[index] = aligner
        mapped = aligner.map(offset, end)
        return None if mapped is None else (mapped, aligner)

    @staticmethod
    def _span(starts: list[int], text: str, first: int, last: int) -> tuple[int, int]:
        return (starts[first] if first < len(starts) else len(text), starts[last] if last < len(starts) else len(text))


def _line_opcodes(old: list[str], new: list[str]) -> list[tuple[str, int, int, int, int]]:
    """difflib's opcodes between two lists of lines, the lines both begin and end with set aside
    first (an edit is local; matching every blank line against every other is not)."""
    head = 0
    while head < min(len(old), len(new)) and old[head] == new[head]:
        head += 1
    tail = 0
    while tail < min(len(old), len(new)) - head and old[-1 - tail] == new[-1 - tail]:
        tail += 1
    middle = SequenceMatcher(
        lambda line: not line.strip(), old[head : len(old) - tail], new[head : len(new) - tail], autojunk=False
    ).get_opcodes()
    opcodes = [("equal", 0, head, 0, head)] if head else []
    opcodes += [
        (tag, i1 + head, i2 + head, j1 + head, j2 + head) for tag, i1, i2, j1, j2 in middle if i2 > i1 or j2 > j1
    ]
    if tail:
        opcodes.append(("equal", len(old) - tail, len(old), len(new) - tail, len(new)))
    return opcodes


def _line_starts(text: str) -> list[int]:
    return [0] + [m.end() for m in re.finditer("\n", text)]


def find(normalized: str, wanted: list[Token]) -> list[tuple[int, int]]:
    """Every place a token sequence appears in a text (made `normal` already), whatever the spaces between."""
    if not wanted:
        return []
    pattern = re.compile(r"\s*".join(re.escape(t[2]) for t in wanted))
    return [(m.start(), m.end()) for m in pattern.finditer(normalized)]
