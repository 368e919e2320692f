"""What a reviewer did to a DOCX: its comments and tracked changes, each at its place in the edition.

A DOCX's text is read story by story (the body, then each footnote) into the *edition's text*: the
text as the build wrote it, where a deleted passage is still present and an inserted one is not.
Paragraphs end with '\n'. Each comment and tracked change is a range of that text (an insertion is
an empty range with the inserted text); each bookmark is a marker at its offset, so a range can be
traced to the block anchor or heading bookmark before it (`comments` does that).

Word writes a paragraph's own mark as inserted or deleted when a reviewer splits or joins
paragraphs: that mark is one '\n', inserted or deleted like any character. Insertions and deletions
that touch, by one author at one time, are one change. Moves count as a deletion and an insertion.
Formatting changes, field codes, drawings and text boxes are not text and are left out.

The walk is iterative (a hostile file may nest elements a million deep) and reads the XML that
`docx_package` parsed without entities (comments and processing instructions removed).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml.etree import _Element as Element  # type: ignore[import-untyped]

from .docx_package import MAX_DEPTH, BadDocx, Package

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
CUSTOM = "{http://schemas.openxmlformats.org/officeDocument/2006/custom-properties}"
COMMENT, INSERTION, DELETION = "comment", "insertion", "deletion"
_INSERTING = {W + "ins": INSERTION, W + "moveTo": INSERTION}
_DELETING = {W + "del": DELETION, W + "moveFrom": DELETION}
# Not text: properties (and their recorded changes), field codes, drawings, alternative content.
_SKIP = frozenset(
    W + name
    for name in (
        "rPr",
        "sectPr",
        "tblPr",
        "tcPr",
        "trPr",
        "tblGrid",
        "tblPrEx",
        "instrText",
        "delInstrText",
        "drawing",
        "pict",
        "object",
        "fldData",
        "rPrChange",
        "pPrChange",
        "sectPrChange",
        "tblPrChange",
    )
) | {MC + "Fallback"}
_RUN, _TEXT, _DELETED_TEXT = W + "r", W + "t", W + "delText"
_CHARACTERS = {W + "tab": " ", W + "br": " ", W + "cr": " ", W + "noBreakHyphen": "-", W + "softHyphen": ""}
NOTE_KINDS = ("separator", "continuationSeparator", "continuationNotice")


@dataclass
class Item:
    """A comment or a tracked change, as a range of a story's edition text."""

    kind: str  # comment, insertion, deletion
    author: str
    date: str  # as Word wrote it (ISO 8601), or ''
    text: str  # the comment's text, or the inserted or deleted text
    story: int  # index into Review.stories; -1 when the comment's place was not found
    start: int
    end: int
    ident: str = ""  # the comment's id in the file
    passage: str = ""  # the edition's text the comment marks


@dataclass
class Marker:
    name: str  # the bookmark's name
    offset: int  # in the story's text


@dataclass
class Story:
    part: str  # the package part it was read from
    note: str | None  # the footnote id, for a footnote
    text: str = ""
    markers: list[Marker] = field(default_factory=list)
    paragraphs: list[int] = field(default_factory=list)  # offset where each paragraph starts
    note_refs: dict[str, int] = field(default_factory=dict)  # footnote id -> offset of its mark


@dataclass
class Review:
    stories: list[Story]
    items: list[Item]
    custom: dict[str, str]  # the custom document properties, name -> text


class _Walker:
    """One story's walk: the edition's text, its markers, its changes and comment ends."""

    def __init__(self, story: Story, index: int, items: list[Item], places: dict):
        self.story, self.index, self.items, self.places = story, index, items, places
        self.pieces: list[str] = []
        self.offset = 0
        self.changes: list[tuple[str, str, str]] = []  # open w:ins / w:del: kind, author, date
        self.inserting: tuple[str, str, str] | None = None  # the innermost open insertion
        self.deleting: tuple[str, str, str] | None = None  # the innermost open deletion
        self.mark: tuple[str, str, str] | None = None  # how this paragraph's own mark was changed

    def walk(self, root: Element) -> None:
        stack = [iter([root])]
        path: list[Element] = []
        while stack:
            element = next(stack[-1], None)
            if element is None:
                stack.pop()
                if path:
                    self.leave(path.pop())
            elif self.enter(element):
                if len(path) >= MAX_DEPTH:
                    raise BadDocx(
                        f"is refused: its part {self.story.part} nests elements more than "
                        f"{MAX_DEPTH} deep, which no word processor writes"
                    )
                path.append(element)
                stack.append(iter(element))
        self.story.text = "".join(self.pieces)

    def enter(self, element: Element) -> bool:
        """Handle an element's start; True to read its children."""
        tag = element.tag
        if tag == _RUN:  # most elements are runs and what they hold: read in place, not one by one
            self.run(element)
            return False
        if tag in _SKIP:
            return False
        if tag == W + "p":
            self.mark = None
            self.story.paragraphs.append(self.offset)
            return True
        if tag == W + "pPr":
            self.mark = _mark_change(element)
            return False
        kind = _INSERTING.get(tag) or _DELETING.get(tag)
        if kind:
            self.change((kind, element.get(W + "author") or "", element.get(W + "date") or ""))
            return True
        if tag in (W + "t", W + "delText"):
            self.text(element.text or "")
        elif tag in _CHARACTERS:
            self.text(_CHARACTERS[tag])
        else:
            self.point(element)
            return tag not in _POINTS
        return False

    def run(self, run: Element) -> None:
        """A run's text and marks (a run holds no paragraph and no change; what else it holds, its
        properties, drawings and field codes, is not text)."""
        for child in run:
            tag = child.tag
            if tag == _TEXT and self.inserting is None and self.deleting is None:
                text = child.text  # the edition's own text: most of any document, so kept short
                if text:
                    self.pieces.append(text)
                    self.offset += len(text)
            elif tag in (_TEXT, _DELETED_TEXT):
                self.text(child.text or "")
            elif tag in _CHARACTERS:
                self.text(_CHARACTERS[tag])
            elif tag in _POINTS:
                self.point(child)

    def change(self, opened: tuple[str, str, str] | None) -> None:
        """Open a change (or close the innermost one, given None)."""
        if opened is None:
            self.changes.pop()
        else:
            self.changes.append(opened)
        self.inserting = next((c for c in reversed(self.changes) if c[0] == INSERTION), None)
        self.deleting = next((c for c in reversed(self.changes) if c[0] == DELETION), None)

    def point(self, element: Element) -> None:
        tag, ident = element.tag, element.get(W + "id") or ""
        if tag == W + "bookmarkStart":
            self.story.markers.append(Marker(element.get(W + "name") or "", self.offset))
        elif tag in (W + "commentRangeStart", W + "commentRangeEnd", W + "commentReference"):
            self.places.setdefault((tag, ident), (self.index, self.offset))
        elif tag == W + "footnoteReference":
            self.story.note_refs.setdefault(ident, self.offset)

    def leave(self, element: Element) -> None:
        if element.tag in _INSERTING or element.tag in _DELETING:
            self.change(None)
        elif element.tag == W + "p":
            if self.mark is None:
                self.text("\n")
            else:
                self.change(self.mark)
                self.text("\n")
                self.change(None)

    def text(self, text: str) -> None:
        if not text:
            return
        if self.inserting is not None:
            if self.deleting is None:  # inserted, then deleted: never in the edition, not there now
                self._insert(text, self.inserting)
            return
        start = self.offset
        self.pieces.append(text)
        self.offset += len(text)
        if self.deleting is not None:
            self._delete(text, start, self.deleting)

    def _insert(self, text: str, change: tuple[str, str, str]) -> None:
        last = self.items[-1] if self.items else None
        if (
            last
            and last.kind == INSERTION
            and last.story == self.index
            and last.start == self.offset
            and (last.author, last.date) == change[1:]
        ):
            last.text += text
        else:
            self.items.append(Item(INSERTION, change[1], change[2], text, self.index, self.offset, self.offset))

    def _delete(self, text: str, start: int, change: tuple[str, str, str]) -> None:
        last = next((i for i in reversed(self.items) if i.kind == DELETION and i.story == self.index), None)
        if last and last.end == start and (last.author, last.date) == change[1:]:
            last.text += text
            last.end = self.offset
        else:
            self.items.append(Item(DELETION, change[1], change[2], text, self.index, start, self.offset))


_POINTS = frozenset(
    W + name
    for name in (
        "bookmarkStart",
        "bookmarkEnd",
        "commentRangeStart",
        "commentRangeEnd",
        "commentReference",
        "footnoteReference",
        "endnoteReference",
    )
)


def _mark_change(ppr: Element) -> tuple[str, str, str] | None:
    """How a paragraph's own mark was changed (w:pPr/w:rPr/w:ins or w:del), if it was."""
    rpr = ppr.find(W + "rPr")
    if rpr is None:
        return None
    for child in rpr:
        kind = _INSERTING.get(child.tag) or _DELETING.get(child.tag)
        if kind:
            return kind, child.get(W + "author") or "", child.get(W + "date") or ""
    return None


def _comments(package: Package, part: str | None) -> list[tuple[str, str, str, str, str]]:
    """Each comment of comments.xml: id, author, date, initials, text."""
    if part is None or not package.has(part):
        return []
    found = []
    for comment in package.xml(part).iter(W + "comment"):
        paragraphs = ["".join(t.text or "" for t in p.iter(W + "t")) for p in comment.iter(W + "p")]
        found.append(
            (
                comment.get(W + "id") or "",
                comment.get(W + "author") or "",
                comment.get(W + "date") or "",
                comment.get(W + "initials") or "",
                "\n".join(paragraphs).strip(),
            )
        )
    return found


def custom_properties(package: Package) -> dict[str, str]:
    part = package.related("").get("custom-properties")
    if part is None or not package.has(part):
        return {}
    return {
        prop.get("name") or "": "".join(child.text or "" for child in prop)
        for prop in package.xml(part).iter(CUSTOM + "property")
    }


def read(package: Package) -> Review:
    """The stories, comments and tracked changes of a DOCX."""
    main = package.main_part()
    related = package.related(main)
    root = package.xml(main)
    body = root.find(W + "body")
    if body is None:
        raise BadDocx("is not a Word document: its main part has no body")
    stories: list[Story] = [Story(main, None)]
    items: list[Item] = []
    places: dict[tuple[str, str], tuple[int, int]] = {}
    _Walker(stories[0], 0, items, places).walk(body)
    for kind, prefix in (("footnotes", ""), ("endnotes", "e")):
        part = related.get(kind)
        if part is None or not package.has(part):
            continue
        for note in package.xml(part):
            if note.get(W + "type") in NOTE_KINDS:
                continue
            stories.append(Story(part, prefix + (note.get(W + "id") or "")))
            _Walker(stories[-1], len(stories) - 1, items, places).walk(note)
    for ident, author, date, _initials, text in _comments(package, related.get("comments")):
        items.append(_comment(stories, places, ident, author, date, text))
    items.sort(key=lambda item: (item.story < 0, item.story, item.start, item.end))
    return Review(stories, items, custom_properties(package))


def _comment(stories: list[Story], places: dict, ident: str, author: str, date: str, text: str) -> Item:
    start = places.get((W + "commentRangeStart", ident)) or places.get((W + "commentReference", ident))
    end = places.get((W + "commentRangeEnd", ident)) or start
    if start is None:  # the comment's place in the text is gone
        return Item(COMMENT, author, date, text, -1, 0, 0, ident)
    if end is None or end[0] != start[0] or end[1] < start[1]:
        end = start
    story = stories[start[0]]
    return Item(COMMENT, author, date, text, start[0], start[1], end[1], ident, story.text[start[1] : end[1]])
