"""Scan a Markdown body once: mask code, then find headings, references, links, images, notes.

Masking replaces everything inside code blocks, code spans and HTML comments with spaces, so
offsets in the masked text are offsets in the original and nothing in code is ever matched.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property

KINDS = ("rec", "chapter", "annex")

_FENCE = re.compile(r"^( {0,3})(`{3,}|~{3,})")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d{1,9}[.)])\s")
# Every pattern here runs in time linear in the text, whatever the text: no pattern can scan
# ahead unboundedly from each of many starting points (a 4 MiB file of '[^' must not take hours).
_HEADING = re.compile(r"^(#{1,6})[ \t]+(.*)$", re.M)
# A heading id every engine reads as an id (pandoc, Python-Markdown's attr_list, Typst labels).
ANCHOR = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.:-]*")
_ATTR_ID = re.compile(r"\{:?[ \t]*#([^\s}]+)[^}]*\}[ \t]*$")  # matched at the line's last '{'

REF = re.compile(
    r"\[\[(?P<kind>[a-z]+):(?P<target>[^\]\[|#\s]+)(?:#(?P<anchor>[^\]\[|\s]+))?"
    r"(?:\|(?P<text>[^\]\[]+))?\]\]"
)
_OPEN = re.compile(r"\[\[")
# Possessive quantifiers (`*+`, `?+`) never give back what they took: the spaces around a
# target and before a title are read once, not split every way between three `\s*` (a link then
# thousands of spaces took time quadratic in them). The last target, empty before a quoted title,
# is what giving back would have found: `( "title")` is a title after the spaces, not a target.
# A `<target>` holds no '<', as in CommonMark: from each of many unclosed `<` the search stops at
# the next one, not at the end of the line.
_LINK = re.compile(
    r"(?P<bang>!?)\[(?P<text>(?:[^\[\]\n]++|\[[^\[\]\n]*+\])*+)\]"
    r"\(\s*+(?P<target><[^<>\n]*+>|[^\s()]*+(?:\([^\s()]*+\)[^\s()]*+)*+|(?<=\s)(?=[\"']))"
    r"(?:(?:\s++|(?<=\s))(?:\"[^\"\n]*+\"|'[^'\n]*+'))?+\s*+\)"
)
_NOTE = re.compile(r"\[\^(?P<label>[^\]\s\[^]{1,100})\](?P<def>:)?")
# "Recommendation 6C", "Recommendations 1A, 1B and 3C", "Recommendations 1A-1D".
MENTION = re.compile(
    r"\bRecommendations?\s+(?P<labels>\d+[A-Za-z]?\b(?:(?:\s*,\s*|\s+(?:and|or|to)\s+"
    r"|\s*[-–]\s*)\d+[A-Za-z]?\b)*)"
)
LABEL = re.compile(r"\d+[A-Za-z]?\b")
_RAW_URL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


@dataclass
class Heading:
    level: int
    text: str  # without the explicit id
    anchor: str
    explicit: bool
    start: int  # offset of the '#' run
    end: int  # offset of the end of the heading line


@dataclass
class RefMatch:
    kind: str
    target: str
    anchor: str | None
    text: str | None
    start: int
    end: int


@dataclass
class LinkMatch:
    image: bool
    text: str
    target: str
    start: int
    end: int
    target_start: int
    target_end: int


@dataclass
class NoteMatch:
    label: str
    definition: bool
    start: int
    end: int


@dataclass
class Scan:
    body: str
    masked: str
    line_starts: list[int]
    headings: list[Heading] = field(default_factory=list)
    refs: list[RefMatch] = field(default_factory=list)
    broken_refs: list[tuple[int, str]] = field(default_factory=list)  # offset, raw text
    links: list[LinkMatch] = field(default_factory=list)
    notes: list[NoteMatch] = field(default_factory=list)

    @cached_property
    def blocks(self) -> list[Block]:
        """The body's top-level blocks in order (see `blocks`)."""
        return blocks(self.body, self.masked)

    @cached_property
    def excesses(self) -> list[Excess]:
        """Where the text passes the limits the renderers need to stay linear (see `excesses`)."""
        return excesses(self.masked)

    @cached_property
    def critic(self) -> Critic:
        """The CriticMarkup marks of text not yet agreed, and the marks no edition can show (see `critic`)."""
        return critic(self.body, self.masked, self.blocks, self.links)

    @property
    def marks(self) -> list[CriticMark]:
        return self.critic.marks

    @cached_property
    def stray_angles(self) -> list[int]:
        """Offsets of the '<' that can open no tag (see `stray_angles`)."""
        return stray_angles(self.masked)

    def position(self, offset: int) -> tuple[int, int]:
        """(line, column), both 1-based, of an offset in the body."""
        index = bisect.bisect_right(self.line_starts, offset) - 1
        return index + 1, offset - self.line_starts[index] + 1


# -- top-level blocks --------------------------------------------------------------------------
# The units a reader cites ("3.2 para 4") and a reviewer comments on: paragraphs, list items,
# headings, tables, quotes. Found line by line from the masked text (code is blank there), as
# Python-Markdown and pandoc both split a body: blocks are separated by blank lines; a list or quote
# goes on while its lines are indented or carry its marker.
_BULLET = re.compile(r"^( {0,3})(?:[-*+]|\d{1,9}[.)])(?:[ \t]+|$)")
_TABLE_RULE = re.compile(r"^ {0,3}\|?[ \t]*:?-{3,}:?[ \t]*(?:\|[ \t]*:?-{3,}:?[ \t]*)*\|?[ \t]*$")
_HR = re.compile(r"^ {0,3}(?:(?:-[ \t]*){3,}|(?:\*[ \t]*){3,}|(?:_[ \t]*){3,})$")
_DEFINITION = re.compile(r"^ {0,3}\[(\^)?[^\]]+\]:")


@dataclass
class Block:
    kind: str  # paragraph, heading, item (of a list), quote, table, code, html, note, definition, rule
    start: int  # offset of the block's first character in the body
    end: int  # offset just past its last line


def _kind_of(line: str, masked_line: str, following: str) -> str:
    if not masked_line.strip():
        return "code"
    stripped = line.lstrip()
    if _HEADING.match(line):
        return "heading"
    if _HR.match(line):
        return "rule"
    if _BULLET.match(line):
        return "item"
    if stripped.startswith(">"):
        return "quote"
    if "|" in line and _TABLE_RULE.match(following):
        return "table"
    definition = _DEFINITION.match(line)
    if definition:
        return "note" if definition.group(1) else "definition"
    if stripped.startswith("<") and not stripped.startswith("<http"):
        return "html"
    return "paragraph"


def blocks(body: str, masked: str) -> list[Block]:
    """The top-level blocks of a body, each list item a block of its own."""
    lines, masked_lines = body.split("\n"), masked.split("\n")
    found: list[Block] = []
    offset, current, blank = 0, None, True
    for index, (line, masked_line) in enumerate(zip(lines, masked_lines, strict=True)):
        end = offset + len(line) + 1
        if not line.strip():
            blank = True
        elif current is not None and _continues(current, line, masked_line, blank):
            current.end = end
            blank = False
        else:
            following = lines[index + 1] if index + 1 < len(lines) else ""
            current = Block(_kind_of(line, masked_line, following), offset, end)
            found.append(current)
            blank = False
        offset = end
    for block in found:
        block.end = min(block.end, len(body))
    return found


def _continues(block: Block, line: str, masked_line: str, after_blank: bool) -> bool:
    """Does a line belong to the block before it?"""
    if block.kind in ("heading", "rule"):
        return False
    indented = line.startswith(("  ", "\t"))
    if block.kind in ("item", "note"):
        if _BULLET.match(line) and not indented:
            return False  # the next item of the list
        return indented or not after_blank
    if block.kind == "quote":
        return line.lstrip().startswith(">") or not after_blank
    if block.kind == "code":
        return not masked_line.strip() or not after_blank and not masked_line.strip()
    if after_blank:
        return False
    # A paragraph is interrupted by a heading, a list item or a quote, as both parsers read it.
    return block.kind != "paragraph" or not (
        _HEADING.match(line) or _BULLET.match(line) or line.lstrip().startswith(">")
    )


# -- limits that keep every renderer linear ------------------------------------------------------
# Python-Markdown and pandoc search ahead for the closer of each opener ('[', '![', '<', '*', '`'),
# so one paragraph with thousands of openers costs time quadratic in its length; and they recurse
# into quotes, lists and brackets, so deep nesting exhausts the stack or Typst's parser. Bounding
# each block's openers and each nesting depth bounds a block's cost by a constant: the whole text
# then costs time linear in its length, whatever it holds.
MARKUP = "[]()<>*_`{}!\\&~^"
MAX_MARKUP_PER_BLOCK = 1000
MAX_DEPTH = 16
# pandoc tries each '[' both as a link's opener and as text, so its time more than doubles with
# each level of brackets nested in one another (pandoc 3.9, one paragraph: 4 deep 1 ms, 8 deep
# 50 ms, 14 deep 5 s). Brackets (unclosed ones count: they stay open) get a depth of their own,
# past what the text needs: a link around an image whose alt text holds a [[reference]].
MAX_BRACKETS = 4
# Link addresses opened in a paragraph and never closed cost pandoc dearly: '[a](b ' about the cube
# of their number (pandoc 3.9: 100 of them 0.4 s, 200 2.7 s), and with a title's quote left open,
# '[a](b "c ', twice as much with each one more (16: 0.8 s, 20: 4.6 s, 22: 20 s). Eight cost nothing,
# and prose never leaves one open.
MAX_OPEN_TARGETS = 8
_BLOCK_SPLIT = re.compile(r"\n[ \t]*\n")
_QUOTE_DEPTH = re.compile(rf"^[ \t]*((?:>[ \t]?){{{MAX_DEPTH + 1},}})", re.M)
_LIST_DEPTH = re.compile(rf"^[ \t]*((?:(?:[-*+]|\d{{1,9}}[.)])[ \t]+){{{MAX_DEPTH + 1},}})", re.M)
_INDENT = re.compile(rf"^([ \t]{{{4 * MAX_DEPTH + 1},}})\S", re.M)
_BRACKET = re.compile(r"[\[\]]")
_ESCAPED = re.compile(r"\\.", re.S)


@dataclass
class Excess:
    offset: int
    code: str  # text.complexity or text.nesting
    message: str


def excesses(masked: str) -> list[Excess]:
    """Blocks with too many markup characters, and nesting past MAX_DEPTH (brackets: MAX_BRACKETS),
    in one linear pass."""
    found: list[Excess] = []
    start = 0
    for m in [*_BLOCK_SPLIT.finditer(masked), None]:
        end = m.start() if m else len(masked)
        found += _block_excesses(masked, start, end)
        start = m.end() if m else end
    for pattern, what in (
        (_QUOTE_DEPTH, "quotes ('>')"),
        (_LIST_DEPTH, "list items"),
        (_INDENT, "indented list levels"),
    ):
        for hit in pattern.finditer(masked):
            found.append(
                Excess(
                    hit.start(),
                    "text.nesting",
                    f"{what} nested more than {MAX_DEPTH} deep: the engines cannot typeset it; flatten the structure",
                )
            )
    return found


def _block_excesses(text: str, start: int, end: int) -> list[Excess]:
    block = text[start:end]
    count = sum(block.count(c) for c in MARKUP)
    if count > MAX_MARKUP_PER_BLOCK:
        return [
            Excess(
                start + len(block) - len(block.lstrip()),
                "text.complexity",
                f"this paragraph holds {count:,} markup characters ({MARKUP}); past "
                f"{MAX_MARKUP_PER_BLOCK:,} the site and PDF engines slow down sharply: split the "
                "paragraph, or write fewer brackets and emphasis marks",
            )
        ]
    if block.count("](") > MAX_OPEN_TARGETS:
        found = _open_targets(block, start)
        if found:
            return found
    if block.count("[") <= MAX_BRACKETS:
        return []
    depth = 0
    # An escaped bracket is text to pandoc: '[\\]' leaves its '[' open.
    for hit in _BRACKET.finditer(blank_escapes(block)):
        depth = depth + 1 if hit.group() == "[" else max(depth - 1, 0)
        if depth > MAX_BRACKETS:
            return [
                Excess(
                    start + hit.start(),
                    "text.nesting",
                    f"brackets nested more than {MAX_BRACKETS} deep: the PDF and DOCX engine slows "
                    "down sharply with each level; flatten the structure",
                )
            ]
    return []


def blank_escapes(text: str) -> str:
    """Text with each backslash escape ('\\[', '\\@', '\\\\') blanked to two spaces: what is left
    is markup as pandoc reads it, at the same offsets."""
    return _ESCAPED.sub("  ", text) if "\\" in text else text


def _open_targets(block: str, start: int) -> list[Excess]:
    """More than MAX_OPEN_TARGETS '](' that open no link (no ')' closes them as a link's address)."""
    spans = [(m.start(), m.end()) for m in _LINK.finditer(block)]
    unmatched, index = [], 0
    for hit in re.finditer(r"\]\(", block):
        while index < len(spans) and spans[index][1] <= hit.start():
            index += 1
        if not (index < len(spans) and spans[index][0] <= hit.start()):
            unmatched.append(hit.start())
    if len(unmatched) <= MAX_OPEN_TARGETS:
        return []
    return [
        Excess(
            start + unmatched[0] + 1,
            "text.complexity",
            f"{len(unmatched)} link addresses in this paragraph are opened with '](' and never closed with "
            f"')'; past {MAX_OPEN_TARGETS} the PDF and DOCX engine slows down sharply: close each link "
            "with ')', or reword the brackets",
        )
    ]


# -- CriticMarkup: text not yet agreed --------------------------------------------------------
# `{++ ++}` a proposed insertion, `{-- --}` a deletion, `{~~ old ~> new ~~}` an alternative,
# `{== ==}` a bracketed passage (followed by `{>> <<}`, why it is open), `{>> <<}` a comment. Read as
# the site's reader (pymdownx.critic) reads them: a mark closes at the first closer of its kind and
# the search goes on after it, so nothing nests; an opener with no closer is text there. Here code
# is masked, so a mark in code is nothing; what the editions cannot show alike (a mark over two
# paragraphs, a mark in a mark, an opener never closed) is a problem, located.
CRITIC_CLOSERS = {"++": "++}", "--": "--}", "~~": "~~}", "==": "==}", ">>": "<<}"}
CRITIC_KINDS = {"++": "insertion", "--": "deletion", "~~": "substitution", "==": "highlight", ">>": "comment"}
_CRITIC_OPEN = re.compile(r"\{(?:\+\+|--|~~|==|>>)")
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_SPAN = (
    "this mark closes in another paragraph or list item: a mark stays inside one paragraph; close it "
    "there and open another"
)
# Blocks whose text every edition shows as running text, where a mark can be shown.
MARKABLE = frozenset({"paragraph", "item", "quote", "note", "table"})


@dataclass
class CriticMark:
    kind: str  # insertion, deletion, substitution, highlight, comment
    start: int  # offset of the opening '{'
    end: int  # offset just past the last '}' (a highlight's reason included)
    parts: list[tuple[int, int]]  # (start, end) of each text: substitution old, new; highlight passage[, reason]
    texts: list[str]


@dataclass
class CriticProblem:
    offset: int
    code: str  # mark.unclosed, mark.nested, mark.span, mark.place
    message: str
    closes: int | None = None  # where a mark over two paragraphs closes


@dataclass
class Critic:
    marks: list[CriticMark] = field(default_factory=list)
    problems: list[CriticProblem] = field(default_factory=list)


def _closing(masked: str, start: int, token: str) -> tuple[int, list[tuple[int, int]]] | str | None:
    """Where the mark opened at start ends and its texts; a message when it is malformed; None when
    no closer of its kind follows anywhere (then none can follow any later opener of that kind)."""
    closer = CRITIC_CLOSERS[token]
    close = masked.find(closer, start + 3)
    if close < 0:
        return None
    if token != "~~":
        return close + 3, [(start + 3, close)]
    middle = masked.find("~>", start + 3, close)
    if middle < 0:
        return "an alternative needs '~>' between its two texts: {~~ one text ~> the other ~~}"
    return close + 3, [(start + 3, middle), (middle + 2, close)]


def critic(body: str, masked: str, blocks_: list[Block], links: list[LinkMatch]) -> Critic:
    """Every CriticMarkup mark of a body, in one linear pass over its openers."""
    openers = [m.start() for m in _CRITIC_OPEN.finditer(masked)]
    found = Critic()
    dead: set[str] = set()  # kinds with no closer left in the text
    position = 0
    for index, start in enumerate(openers):
        if start < position:
            continue  # inside a mark already read
        token = masked[start + 1 : start + 3]
        closing = None if token in dead else _closing(masked, start, token)
        if closing is None:
            dead.add(token)
            found.problems.append(
                CriticProblem(
                    start,
                    "mark.unclosed",
                    f"'{{{token}' opens a mark that is never closed with '{CRITIC_CLOSERS[token]}'",
                )
            )
            continue
        if isinstance(closing, str):
            found.problems.append(CriticProblem(start, "mark.unclosed", closing))
            position = masked.find("~~}", start + 3) + 3
            continue
        end, parts = closing
        position = end
        inner = openers[index + 1] if index + 1 < len(openers) else end
        if _BLANK_LINE.search(masked, start, end):
            found.problems.append(CriticProblem(start, "mark.span", _SPAN, end - 1))
        elif inner < end - 3:
            found.problems.append(
                CriticProblem(
                    inner,
                    "mark.nested",
                    f"a mark inside the '{{{token}' mark "
                    "opened before it: marks cannot be nested; close the first "
                    "one before opening the next",
                )
            )
        else:
            found.marks.append(CriticMark(CRITIC_KINDS[token], start, end, parts, [body[a:b] for a, b in parts]))
    _pair_reasons(found.marks)
    _place(found, blocks_, links)
    return found


def _pair_reasons(marks: list[CriticMark]) -> None:
    """A highlight followed at once by a comment: the comment is why the passage is open."""
    index = 0
    while index + 1 < len(marks):
        mark, following = marks[index], marks[index + 1]
        if mark.kind == "highlight" and following.kind == "comment" and following.start == mark.end:
            marks[index] = CriticMark(
                "highlight", mark.start, following.end, mark.parts + following.parts, mark.texts + following.texts
            )
            del marks[index + 1]
        index += 1


def _place(found: Critic, blocks_: list[Block], links: list[LinkMatch]) -> None:
    """Marks that cross a block's end, or sit where no edition shows running text, are problems."""
    starts = [b.start for b in blocks_]
    spans = sorted((link.start, link.end) if link.image else (link.target_start, link.target_end) for link in links)
    link_starts = [a for a, _ in spans]
    kept = []
    for mark in found.marks:
        block = blocks_[bisect.bisect_right(starts, mark.start) - 1] if starts else None
        problem: tuple[str, str] | None = None
        if block is None or mark.end > block.end:
            found.problems.append(CriticProblem(mark.start, "mark.span", _SPAN, mark.end - 1))
            continue
        if block.kind not in MARKABLE:
            problem = (
                "mark.place",
                (
                    f"a mark in a {block.kind} cannot be shown in every edition: "
                    "mark the text of a paragraph, list item, quote, note or table instead"
                ),
            )
        elif any(_inside(link_starts, spans, at) for at in (mark.start, mark.end - 1)):
            problem = (
                "mark.place",
                ("a mark in an image or in a link's address cannot be shown: mark the words around it instead"),
            )
        if problem:
            found.problems.append(CriticProblem(mark.start, *problem))
        else:
            kept.append(mark)
    found.marks = kept


def _inside(starts: list[int], spans: list[tuple[int, int]], offset: int) -> bool:
    index = bisect.bisect_right(starts, offset) - 1
    return index >= 0 and spans[index][0] <= offset < spans[index][1]


# -- '<' that opens no tag ------------------------------------------------------------------------
# Python-Markdown's HTML reader takes each '<' and a letter for the start of a tag and reads on for
# its '>', across blank lines, to the end of the text if none comes: a page of many unclosed '<'
# costs time quadratic in its length. A '<' that no '>' follows before the next '<' or the end of
# its block opens no tag in any edition; written '&lt;', it reads the same everywhere, and no
# reader searches on from it. Inside a tag, a quoted value may hold '<' and '>' (as browsers read it).
_ANGLE = re.compile(r"[<>]|\n[ \t]*\n")
_IN_TAG = re.compile(r"""[<>]|\n[ \t]*\n|=[ \t]*+(?:"[^"\n]*+"|'[^'\n]*+')""")


def stray_angles(masked: str) -> list[int]:
    """Offsets of each '<' not followed by a '>' before the next '<' or the end of its block."""
    found, pending, position = [], -1, 0
    while m := (_IN_TAG if pending >= 0 else _ANGLE).search(masked, position):
        position, token = m.end(), m.group()
        if token[0] == "=":  # a quoted value, inside a tag
            continue
        if pending >= 0 and token != ">":
            found.append(pending)
        pending = m.start() if token == "<" else -1
    return found + ([pending] if pending >= 0 else [])


def escape_stray_angles(text: str) -> str:
    """Text (a heading's, say) with each '<' that opens no tag written '&lt;' (not in code)."""
    out, position = [], 0
    for offset in stray_angles(mask(text)):
        out += [text[position:offset], "&lt;"]
        position = offset + 1
    return "".join(out) + text[position:]


def slugify(text: str) -> str:
    """The one heading-id rule used by every edition (site, PDF, DOCX)."""
    text = REF.sub(lambda m: m.group("text") or m.group("target"), text)
    text = re.sub(r"[`*_~\[\]()]", "", text)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^\w\s-]", "", text.lower())
    return re.sub(r"[\s_-]+", "-", text).strip("-") or "section"


def _blank(text: str, start: int, end: int, out: list[str]) -> None:
    for i in range(start, end):
        if out[i] != "\n":
            out[i] = " "


def mask(body: str) -> str:
    """Return body with code blocks, code spans and HTML comments blanked out."""
    out = list(body)
    lines = body.split("\n")
    offset = 0
    fence: tuple[str, int] | None = None
    previous_blank = True
    in_list = False
    for line in lines:
        start, end = offset, offset + len(line)
        offset = end + 1
        stripped = line.strip()
        if fence:
            _blank(body, start, end, out)
            m = _FENCE.match(line)
            if m and m.group(2)[0] == fence[0] and len(m.group(2)) >= fence[1] and not line[m.end() :].strip():
                fence = None
            previous_blank = False
            continue
        m = _FENCE.match(line.lstrip() if in_list else line)
        if m:
            fence = (m.group(2)[0], len(m.group(2)))
            _blank(body, start, end, out)
            previous_blank = False
            continue
        if not stripped:
            previous_blank = True
            continue
        indented = line.startswith("    ") or line.startswith("\t")
        if indented and previous_blank and not in_list:
            _blank(body, start, end, out)  # an indented code block
            continue
        if _LIST_ITEM.match(line):
            in_list = True
        elif not indented and previous_blank:
            in_list = False
        previous_blank = False
    masked = "".join(out)
    return _mask_inline(masked)


_BACKTICKS = re.compile(r"`+")
_HEADING_COMMENT = re.compile(r"<!--.*?(?:-->|$)")


def _mask_inline(text: str) -> str:
    out = list(text)
    start = text.find("<!--")
    while start >= 0:  # HTML comments; an unclosed one hides nothing (as in CommonMark)
        end = text.find("-->", start + 4)
        if end < 0:
            break
        _blank(text, start, end + 3, out)
        start = text.find("<!--", end + 3)
    text = "".join(out)
    # A code span closes at the next run of exactly as many backticks, within its paragraph.
    runs = [(m.start(), m.end()) for m in _BACKTICKS.finditer(text)]
    by_length: dict[int, list[int]] = {}
    for index, (begin, finish) in enumerate(runs):
        by_length.setdefault(finish - begin, []).append(index)
    breaks = [m.start() for m in re.finditer("\n\n", text)]
    index = 0
    while index < len(runs):
        begin, finish = runs[index]
        same = by_length[finish - begin]
        following = bisect.bisect_right(same, index)
        paragraph = bisect.bisect_left(breaks, finish)
        limit = breaks[paragraph] if paragraph < len(breaks) else len(text)
        if following < len(same) and runs[same[following]][0] < limit:
            closing = same[following]
            _blank(text, begin, runs[closing][1], out)
            index = closing + 1
        else:
            index += 1
    return "".join(out)


def _strip_closing_hashes(text: str) -> str:
    """'## Title ##' -> 'Title': closing hashes count only after a space."""
    stripped = text.rstrip()
    without = stripped.rstrip("#")
    if without != stripped and (not without or without[-1] in " \t"):
        return without.rstrip()
    return stripped


def scan(body: str) -> Scan:
    masked = mask(body)
    line_starts = [0] + [m.end() for m in re.finditer("\n", body)]
    result = Scan(body=body, masked=masked, line_starts=line_starts)
    for m in _HEADING.finditer(masked):
        if body[m.end(1)] not in " \t":
            continue  # '##`code`' is not a heading: only the masking made a space there
        # Read the body to the end of the line: in the masked text, `code` looks like blanks.
        raw = _HEADING_COMMENT.sub("", body[m.end(1) : m.end()]).strip(" \t")
        brace = raw.rfind("{")
        attr = _ATTR_ID.match(raw, brace) if brace >= 0 else None
        text = raw[:brace] if attr else raw
        text = _strip_closing_hashes(text).strip()
        anchor = attr.group(1) if attr else slugify(text)
        result.headings.append(Heading(len(m.group(1)), text, anchor, bool(attr), m.start(), m.end()))
    for m in REF.finditer(masked):
        result.refs.append(RefMatch(m["kind"], m["target"], m["anchor"], m["text"], m.start(), m.end()))
    matched = {r.start for r in result.refs}
    for m in _OPEN.finditer(masked):
        if m.start() not in matched and m.start() - 1 not in matched:
            raw = masked[m.start() : m.start() + 80].split("\n", 1)[0]
            close = raw.find("]]")
            result.broken_refs.append((m.start(), raw[: close + 2] if close >= 0 else raw[:60]))
    for m in _LINK.finditer(masked):
        target = m["target"].strip("<>")
        result.links.append(
            LinkMatch(bool(m["bang"]), m["text"], target, m.start(), m.end(), m.start("target"), m.end("target"))
        )
    for m in _NOTE.finditer(masked):
        result.notes.append(NoteMatch(m["label"], bool(m["def"]), m.start(), m.end()))
    return result


# Characters Python-Markdown lets a backslash escape; pandoc escapes every ASCII symbol.
_BACKSLASHED = set("\\`*_[]()#+-.!|")
# Characters better written as entities: both parsers read an entity back as the character, and
# no extension (attr_list, CriticMarkup, citations, smarty) can see a construct in it.
_ENTITIES = {
    "<": "&lt;",
    ">": "&gt;",
    "&": "&amp;",
    "{": "&#123;",
    "}": "&#125;",
    "@": "&#64;",
    "~": "&#126;",
    "^": "&#94;",
    "$": "&#36;",
}


def md_text(value: object) -> str:
    """Any value (front matter, roster, git) as Markdown that every edition shows as exactly its text."""
    text = " ".join(str(value).split())
    return "".join("\\" + c if c in _BACKSLASHED else _ENTITIES.get(c, c) for c in text)


def is_external(target: str) -> bool:
    """A URL with a scheme (https:, mailto:, javascript: ...) rather than a path in the repository."""
    return bool(_RAW_URL.match(target)) or target.startswith("//")
