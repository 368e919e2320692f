"""`report comments`: a reviewed DOCX's comments and tracked changes placed on the source they came
from, at the edition's commit, then carried forward to where each passage is at HEAD.

How an item is placed in the edition. The DOCX names its commit (`docx_facts`); the report is loaded
as git holds it there. Every paragraph, list item, quote and note of the DOCX opens with a bookmark
naming its document and first source line (`resolve.block_anchor`), and every heading carries its
id. An item belongs to the last such bookmark before it in its story (an item at a bookmark's
offset, such as text typed at the start of a paragraph, belongs to that bookmark). The text from that
bookmark to the next is aligned, token by token, with what a reader sees of the source from that
block on (`text_align.Shown`); the item's offsets follow the alignment to a file, line and column.
The alignment is trusted only when the item's own words (or, for an insertion, the words on either
side) are found there; otherwise the item is looked for by its words and context in its document,
then in every document, then in report.yml and roster.yml (the title page, the roster). What is
still not found is listed as unplaced, with its text and the reason: no item is ever dropped.

How it is carried forward. The file is followed through the renames git finds between the edition's
commit and HEAD; the old and new bodies are aligned (`text_align.BodyMap`: unchanged lines one for
one, changed paragraphs token by token); a passage whose words mostly survive is placed there
("unchanged", "moved" or "edited"), one found word for word elsewhere is "moved", and any other is
"gone", quoted as the edition had it.
"""

from __future__ import annotations

import bisect
import logging
from dataclasses import dataclass, field
from pathlib import Path

from . import gitio, word_review
from .docx_package import BadDocx, Package
from .loader import ConfigError, load, load_at
from .model import Document, Report
from .render import docx_contents, docx_facts
from .render.resolve import ANCHORED, SINGLE, anchor_id, doc_hash
from .text_align import (
    REFERENCE,
    Aligner,
    BodyMap,
    SameWords,
    Shown,
    Token,
    find,
    normal,
    shown,
    tokens,
)
from .word_review import COMMENT, INSERTION, Item, Review, Story

log = logging.getLogger(__name__)

PLACED, UNCHANGED, MOVED, EDITED, GONE, UNPLACED = "placed", "unchanged", "moved", "edited", "gone", "unplaced"
TRUSTED = 0.5  # share of an item's words an alignment must hold to be believed
CONTEXT = 6  # words of context on either side, to find an item by its words
SIDE_FILES = ("report.yml", "roster.yml")  # sources of the title page and the roster


class NotOurs(BadDocx):
    """A DOCX that `report build` did not make: it carries no edition facts."""


@dataclass(frozen=True)
class Place:
    path: str  # relative to the report root
    line: int
    column: int
    end_line: int
    end_column: int
    doc: str | None = None  # the document's id
    doc_label: str = ""  # "Chapter 1", "Recommendation 1B", "Annex II"
    section: str | None = None  # "introduction#mandate", as a cross-reference names it
    section_label: str = ""  # "1.1 Mandate"
    start: int = -1  # offsets in the document's body; -1 outside a body (a title, report.yml)
    end: int = -1
    in_reference: bool = False  # the item touches a cross-reference's generated label
    # What of the text the build writes the item touches, if any: a cross-reference's label, a
    # note's number, a caption's label, an acronym spelt out (text_align.REFERENCE, NOTE, ...).
    inside: str = ""


@dataclass
class Placed:
    item: Item
    status: str  # PLACED, UNCHANGED, MOVED, EDITED, GONE or UNPLACED
    where: Place | None = None  # in the edition, at its commit
    now: Place | None = None  # at HEAD
    quote: str = ""  # the passage as the edition's source wrote it (what a gone item was about)
    note: str = ""  # why it is unplaced or gone, or what became of it
    surroundings_changed: bool = False  # the passage is the same, the words around it are not


@dataclass
class Reading:
    file: str
    facts: docx_facts.Facts
    commit: str | None  # the edition's commit, when this repository holds it
    head: str | None  # HEAD's commit, when there is one
    results: list[Placed]
    report: Report  # the report now (at HEAD, or on disk without git)
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Anchor:
    doc: Document
    kind: str  # "block", "heading" or "title"
    start: int  # where its region starts in the document's body (-1 for a title)


# -- the edition: its report, anchors, and what a reader sees of each document --------------------


class Edition:
    """The report as the edition was built from it, with what placing needs, each made once."""

    def __init__(self, report: Report, side_files: dict[str, str]):
        self.report = report
        self.side_files = side_files  # report.yml, roster.yml as text
        self.headings: dict[str, Anchor] = {}  # document titles and headings, by id and pandoc's name
        self.by_hash: dict[str, Document] = {}
        for doc in report.documents:
            if doc.id:
                self._index(doc)
        self._shown: dict[str, Shown] = {}
        self._blocks: dict[str, tuple[list[int], list[int]]] = {}

    def _index(self, doc: Document) -> None:
        self.by_hash[doc_hash(doc)] = doc
        named = [(anchor_id(doc, None, SINGLE), Anchor(doc, "title", -1))]
        named += [(anchor_id(doc, h.anchor, SINGLE), Anchor(doc, "heading", h.start)) for h in doc.scan.headings]
        for name, anchor in named:
            self.headings.setdefault(name, anchor)
            self.headings.setdefault(docx_facts.pandoc_bookmark(name), anchor)

    def _block_lines(self, doc: Document) -> tuple[list[int], list[int]]:
        """The first lines of a document's anchored blocks, in order, and where each starts."""
        if doc.path not in self._blocks:
            starts = [b.start for b in doc.scan.blocks if b.kind in ANCHORED]
            self._blocks[doc.path] = ([doc.where(s)[0] for s in starts], starts)
        return self._blocks[doc.path]

    def anchor(self, name: str) -> Anchor | None:
        """The anchor a bookmark names (`resolve.block_anchor`, `resolve.anchor_id`); for a block
        anchor of another build of the same document, the block that starts nearest before its line."""
        found = self.headings.get(name)
        m = docx_contents.hidden_block_anchor(name) if found is None else None
        doc = self.by_hash.get(m["doc"]) if m else None
        if doc is None or m is None:
            return found
        lines, starts = self._block_lines(doc)
        index = bisect.bisect_right(lines, int(m["line"])) - 1
        return Anchor(doc, "block", starts[index] if index >= 0 else 0)

    def shown(self, doc: Document) -> Shown:
        if doc.path not in self._shown:
            self._shown[doc.path] = shown(self.report, doc)
        return self._shown[doc.path]


def place_of(doc: Document, start: int, end: int, inside: str = "") -> Place:
    """A file place for offsets of a document's body, with the section they fall in."""
    line, column = doc.where(start)
    end_line, end_column = doc.where(max(end, start))
    section, label = None, ""
    index = bisect.bisect_right(doc.scan.headings, start, key=lambda h: h.start) - 1
    if index >= 0:
        heading = doc.scan.headings[index]
        number = doc.section_numbers.get(heading.anchor)
        section, label = f"{doc.id}#{heading.anchor}", f"{number} {heading.text}" if number else heading.text
    return Place(
        doc.path,
        line,
        column,
        end_line,
        end_column,
        doc.id,
        doc.label,
        section,
        label,
        start,
        max(end, start),
        inside == REFERENCE,
        inside,
    )


def title_place(doc: Document, offset: int = 0) -> Place:
    """The front matter's title line, at an offset into the title (its label before it counts as 0)."""
    line = doc.key_line("title")
    column = len("title: ") + 1 + max(offset, 0)
    return Place(doc.path, line, column, line, column, doc.id, doc.label)


# -- placing each item in the edition -----------------------------------------------------------


def _regions(story: Story, edition: Edition) -> list[tuple[int, Anchor]]:
    """The story's anchors by offset; of several at one offset, the last (the innermost) counts."""
    found: list[tuple[int, Anchor]] = []
    for marker in story.markers:
        anchor = edition.anchor(marker.name)
        if anchor is None:
            continue
        if found and found[-1][0] == marker.offset:
            found[-1] = (marker.offset, anchor)
        elif not found or marker.offset > found[-1][0]:
            found.append((marker.offset, anchor))
    return found


def _context(story: Story, item: Item) -> tuple[list[Token], list[Token], list[Token]]:
    """The words before the item, its own words in the edition's text, and the words after."""
    text = story.text
    before = tokens(text[max(item.start - 300, 0) : item.start], max(item.start - 300, 0))[-CONTEXT:]
    own = tokens(text[item.start : item.end], item.start)
    after = tokens(text[item.end : item.end + 300], item.end)[:CONTEXT]
    return before, own, after


class Placer:
    """Places a review's items in an edition."""

    def __init__(self, review: Review, edition: Edition):
        self.review, self.edition = review, edition
        self.regions = [_regions(story, edition) for story in review.stories]
        self.offsets = [[offset for offset, _ in regions] for regions in self.regions]
        self._aligners: dict[tuple[int, int], Aligner | SameWords] = {}

    def place(self, item: Item) -> Placed:
        if item.story < 0:
            return Placed(
                item, UNPLACED, quote=item.passage, note="its place in the text was lost (the comment marks no passage)"
            )
        story = self.review.stories[item.story]
        found = self._by_anchor(story, item) or self._by_words(story, item)
        if found is None:
            return Placed(
                item, UNPLACED, quote=item.passage or _around(story.text, item.start), note=self._why_not(story, item)
            )
        return Placed(item, PLACED, where=found, quote=_source_quote(self.edition, found, item))

    def _by_anchor(self, story: Story, item: Item) -> Place | None:
        regions = self.regions[item.story]
        index = bisect.bisect_right(self.offsets[item.story], item.start) - 1
        if index < 0:
            return None
        offset, anchor = regions[index]
        following = regions[index + 1] if index + 1 < len(regions) else None
        end = following[0] if following else len(story.text)
        if anchor.kind == "title":
            title = anchor.doc.heading
            if item.start <= offset + len(title):
                return title_place(anchor.doc, item.start - offset - (len(title) - len(anchor.doc.title)))
        aligner = self._aligner(story, item.story, index, anchor)
        begin = aligner.map(item.start)
        if begin is None or aligner.kept(item.start, min(item.end, end)) < TRUSTED:
            return None
        view = self.edition.shown(anchor.doc)
        start, inside = view.to_source(begin)
        finish = self._end(story, item, index, anchor.doc)
        stop, inside_end = view.to_source(max(finish, begin), end=True) if finish is not None else (start, "")
        return place_of(anchor.doc, start, max(stop, start), inside or inside_end)

    def _end(self, story: Story, item: Item, index: int, doc: Document) -> int | None:
        """Where an item's end falls in the shown text of its document: it may lie in a later region
        (a comment over two paragraphs), which is then aligned on its own."""
        if item.end == item.start:
            return None
        last = bisect.bisect_left(self.offsets[item.story], item.end) - 1
        if (
            last > index
            and self.regions[item.story][last][1].doc is doc
            and self.regions[item.story][last][1].kind != "title"
        ):
            index = last
        return self._aligner(story, item.story, index, self.regions[item.story][index][1]).map(item.end, end=True)

    def _aligner(self, story: Story, number: int, index: int, anchor: Anchor) -> Aligner | SameWords:
        """The alignment of one region (a bookmark to the next) with the shown text of its source."""
        key = (number, index)
        if key in self._aligners:
            return self._aligners[key]
        if anchor.kind == "title":  # past the title's paragraph: the text before the first block anchor
            anchor = Anchor(anchor.doc, "block", 0)
        regions = self.regions[number]
        start = regions[index][0]
        following = regions[index + 1] if index + 1 < len(regions) else None
        doc, view = anchor.doc, self.edition.shown(anchor.doc)
        source_end = (
            following[1].start
            if following and following[1].doc is doc and following[1].start > anchor.start
            else len(doc.scan.body)
        )
        shown_start, shown_end = view.to_shown(anchor.start), view.to_shown(source_end)
        text = story.text[start : following[0] if following else len(story.text)]
        seen = view.normalized[shown_start:shown_end]
        aligner: Aligner | SameWords
        if SameWords.applies(text, seen):
            aligner = SameWords(text, start, seen, shown_start)
        else:
            aligner = Aligner(tokens(text, start), view.tokens_between(shown_start, shown_end), shown_end)
        self._aligners[key] = aligner
        return aligner

    def _by_words(self, story: Story, item: Item) -> Place | None:
        """The item found by its words: in its own document, then (past an annex that prints the
        roster) in roster.yml, then in every other document, then in report.yml and roster.yml."""
        before, own, after = _context(story, item)
        attempts = [
            (before + own + after, len(before)),
            (own, 0) if len(own) >= 3 else ([], 0),
            (before[-3:] + own + after[:3], min(len(before), 3)),
        ]
        hint = self._hint(story, item)
        found = self._in_documents([hint] if hint else [], attempts, len(own))
        if found is None and hint is not None and hint.meta.get("roster") is True:
            found = self._side_file(own or before + after, ("roster.yml",))
        others = [d for d in self.edition.report.documents if d is not hint]
        return (
            found
            or self._in_documents(others, attempts, len(own))
            or self._side_file(own or before + after, SIDE_FILES)
        )

    def _in_documents(self, documents: list[Document], attempts: list, count: int) -> Place | None:
        for wanted, lead in attempts:
            for doc in documents if wanted else []:
                hit = self._find(doc, wanted, lead, count)
                if hit is not None:
                    return hit
        return None

    def _find(self, doc: Document, wanted: list[Token], lead: int, count: int) -> Place | None:
        view = self.edition.shown(doc)
        hits = find(view.normalized, wanted)
        if not hits:
            return None
        start, _ = hits[0]
        inner = tokens(view.text[start : hits[0][1]], start)
        begin = inner[lead][0] if lead < len(inner) else hits[0][1]
        finish = inner[lead + count - 1][1] if count and lead + count - 1 < len(inner) else begin
        source, inside = view.to_source(begin)
        source_end, inside_end = view.to_source(finish, end=True)
        return place_of(doc, source, source_end, inside or inside_end)

    def _hint(self, story: Story, item: Item) -> Document | None:
        """The document an item is most likely in: its region's, or for a note its mark's."""
        regions = self.regions[item.story]
        index = bisect.bisect_right(self.offsets[item.story], item.start) - 1
        if index >= 0:
            return regions[index][1].doc
        if story.note is not None and self.review.stories:
            body = self.review.stories[0]
            mark = body.note_refs.get(story.note)
            at = bisect.bisect_right(self.offsets[0], mark if mark is not None else -1) - 1
            return self.regions[0][at][1].doc if at >= 0 else None
        return None

    def _side_file(self, wanted: list[Token], names: tuple[str, ...]) -> Place | None:
        if len(wanted) < 1:
            return None
        for path, text in self.edition.side_files.items():
            if path not in names:
                continue
            hits = find(text, wanted)
            if hits:
                line = text.count("\n", 0, hits[0][0]) + 1
                column = hits[0][0] - (text.rfind("\n", 0, hits[0][0]) + 1) + 1
                end = hits[0][1]
                return Place(path, line, column, text.count("\n", 0, end) + 1, end - (text.rfind("\n", 0, end) + 1) + 1)
        return None

    def _why_not(self, story: Story, item: Item) -> str:
        if not self.regions[item.story] or item.start < self.regions[item.story][0][0]:
            return (
                "it is on the title page, in the contents or in a draft's open points, which the build "
                "writes: the edition's name and date come from the build command, the contents from the "
                "headings, each open point from the marks on the source line it names"
            )
        return (
            "its words are not in the edition's source: the text around it was rewritten in the DOCX "
            "beyond recognition, or it is in a part the build generates"
        )


def _around(text: str, offset: int, width: int = 40) -> str:
    return " ".join(f"{text[max(offset - width, 0) : offset]}‸{text[offset : offset + width]}".split())


def _source_quote(edition: Edition, place: Place, item: Item) -> str:
    """The passage as the source writes it; for an insertion, the words around its place."""
    if place.start < 0:
        return item.passage if item.kind == COMMENT else item.text
    doc = edition.report.by_path.get(place.path)
    if doc is None:
        return ""
    body = doc.scan.body
    if place.end > place.start:
        return " ".join(body[place.start : place.end].split())
    return _around(body, place.start)


# -- carrying places forward to HEAD --------------------------------------------------------------


def _surroundings(body: str, start: int, end: int, words: int = 3) -> tuple[list[str], list[str]]:
    """The few words on either side of a passage, to tell whether its setting changed."""
    before = [t[2] for t in tokens(body[max(start - 80, 0) : start])][-words:]
    after = [t[2] for t in tokens(body[end : end + 80])][:words]
    return before, after


def follow(records: list[gitio.LogRecord], path: str, local) -> tuple[str | None, str | None]:
    """Where a file of the edition is after the commits given (oldest first): its path now, or None
    and the commit that deleted it."""
    for record in records:
        for change in record.changes:
            if local(change.old_path) != path:
                continue
            if change.status == "R":
                path = local(change.new_path)
            elif change.status == "D":
                return None, record.sha
    return path, None


class Carrier:
    """Carries places of the edition to HEAD."""

    def __init__(self, edition: Edition, now: Report, records: list[gitio.LogRecord], local):
        self.edition, self.now, self.records, self.local = edition, now, records, local
        self._maps: dict[tuple[str, str], BodyMap] = {}

    def carry(self, placed: Placed) -> None:
        where = placed.where
        if where is None:
            return
        if where.path in SIDE_FILES:
            placed.now, placed.status = where, UNCHANGED
            return
        path, deleted_by = follow(self.records, where.path, self.local)
        old = self.edition.report.by_path.get(where.path)
        new = self.now.by_path.get(path) if path else None
        if new is None and where.doc:
            new = self.now.by_id.get(where.doc)
        if new is None or old is None:
            why = f"deleted in commit {deleted_by[:12]}" if deleted_by else "no longer in the report"
            placed.status, placed.note = GONE, f"{where.path} is {why}"
            return
        if where.start < 0:  # a document's title
            placed.now = title_place(new, where.column - 8)
            if new.title != old.title:
                placed.status, placed.note = EDITED, f"the title now reads: {new.title}"
            else:
                placed.status = UNCHANGED if (placed.now.path, placed.now.line) == (where.path, where.line) else MOVED
            return
        self._carry_body(placed, old, new)

    def _carry_body(self, placed: Placed, old: Document, new: Document) -> None:
        where = placed.where
        assert where is not None
        key = (old.path, new.path)
        if key not in self._maps:
            self._maps[key] = BodyMap(old.scan.body, new.scan.body)
        mapped = self._maps[key].map(where.start, where.end)
        if mapped is not None and mapped[2] >= TRUSTED:
            self._settle(placed, new, mapped[0], mapped[1])
            return
        elsewhere = self._search(old.scan.body[where.start : where.end], [new] + self.now.documents)
        if elsewhere is not None:
            self._settle(placed, *elsewhere)
            return
        placed.status = GONE
        placed.note = f"the passage is no longer in {new.path}"

    def _settle(self, placed: Placed, doc: Document, start: int, end: int) -> None:
        where = placed.where
        assert where is not None
        old_text = " ".join(self.edition.report.by_path[where.path].scan.body[where.start : where.end].split())
        new_text = " ".join(doc.scan.body[start:end].split())
        placed.now = place_of(doc, start, end, where.inside)
        same_place = (placed.now.path, placed.now.line, placed.now.column) == (where.path, where.line, where.column)
        if old_text != new_text:
            placed.status, placed.note = EDITED, f"the passage now reads: {new_text}" if new_text else ""
            return
        placed.status = UNCHANGED if same_place else MOVED
        old_body = self.edition.report.by_path[where.path].scan.body
        placed.surroundings_changed = _surroundings(old_body, where.start, where.end) != _surroundings(
            doc.scan.body, start, end
        )
        if placed.surroundings_changed:
            placed.note = "the words around it changed since the edition"

    @staticmethod
    def _search(passage: str, documents: list[Document]) -> tuple[Document, int, int] | None:
        wanted = tokens(passage)
        if len(wanted) < 3:
            return None
        for doc in documents:
            hits = find(normal(doc.scan.body), wanted)
            if hits:
                return doc, hits[0][0], hits[0][1]
        return None


# -- the whole reading ----------------------------------------------------------------------------


def _side_files(root: Path, repo: gitio.Git | None, commit: str | None) -> dict[str, str]:
    found = {}
    for name in SIDE_FILES:
        data = repo.read_file(commit, name) if repo and commit else None
        if data is None and (root / name).is_file() and not (root / name).is_symlink():
            data = (root / name).read_bytes()[: 1 << 20]
        if data is not None:
            found[name] = normal(data.decode("utf-8", "replace"))
    return found


def _repository(root: Path) -> tuple[gitio.Git | None, str | None, str | None]:
    """The repository, HEAD's commit, and why there is none."""
    try:
        repo = gitio.Git(root)
        head = repo.head()
        return repo, head.commit if head else None, None if head else "the repository has no commit yet"
    except gitio.GitProblem as exc:
        return None, None, str(exc)


def _edition_report(
    root: Path, repo: gitio.Git | None, facts: docx_facts.Facts, warnings: list[str]
) -> tuple[Report | None, str | None]:
    if facts.commit is None:
        warnings.append(
            "the edition names no commit (it was built outside git): its items are found by "
            "their words in the report as it is now"
        )
        return None, None
    if repo is None:
        return None, None
    try:
        report, commit = load_at(root, facts.commit)
    except gitio.UnknownRef:
        warnings.append(
            f"the edition's commit {facts.commit[:12]} is not in this repository (fetch it, or "
            "it was rewritten): its items are found by their words in the report as it is now"
        )
        return None, None
    except ConfigError as exc:
        warnings.append(
            f"the report at the edition's commit {facts.commit[:12]} cannot be loaded ({exc}): "
            "its items are found by their words in the report as it is now"
        )
        return None, None
    if facts.uncommitted:
        warnings.append(
            f"the edition was built from uncommitted changes on top of {facts.commit[:12]}: "
            "some places were found by their words"
        )
    return report, commit


def _reviewers_items(review: Review, facts: docx_facts.Facts, warnings: list[str]) -> list[Item]:
    """The review's items less the marked changes the edition itself carried (the source's own
    `rk-ins`, `rk-del`, `rk-comment` spans, with the build's author and date): they are not a
    reviewer's, and are already in the source."""
    items = [item for item in review.items if not facts.own(item.author, item.date)]
    if len(items) < len(review.items):
        when = facts.marks_by[1] if facts.marks_by else ""
        warnings.append(
            f"{len(review.items) - len(items)} marked changes dated as the edition ({when}) were "
            "left out: the edition carried them from the source, no reviewer made them"
        )
    return items


def read_review(root: Path, file: Path) -> Reading:
    """Read a reviewed DOCX and place every comment and tracked change on the source."""
    review = word_review.read(Package.open(file))
    facts = docx_facts.read(review.custom)
    if facts is None:
        raise NotOurs(
            "was not built by `report build`: it carries no edition facts (its custom properties "
            "name no reportkit edition). Comments can be read only from a DOCX of an edition"
        )
    root = Path(root).resolve()
    warnings: list[str] = []
    repo, head, why = _repository(root)
    if why:
        warnings.append(f"no git history ({why}): places are in the files as they are on disk")
    edition_report, commit = _edition_report(root, repo, facts, warnings)
    if edition_report is not None and commit == head:
        now = edition_report
    else:
        now = load_at(root, head)[0] if repo and head else load(root)
    edition = Edition(edition_report or now, _side_files(root, repo, commit or head))
    placer = Placer(review, edition)
    results = [placer.place(item) for item in _reviewers_items(review, facts, warnings)]
    if edition_report is not None and commit and head and commit != head and repo is not None:
        carrier = Carrier(edition, now, repo.log_between(commit, head), repo.local)
        for placed in results:
            carrier.carry(placed)
    else:
        for placed in results:
            placed.now = placed.where
    log.info("%d items read from %s", len(results), file)
    return Reading(str(file), facts, commit, head, results, now, warnings)


__all__ = ["COMMENT", "INSERTION", "BadDocx", "NotOurs", "Place", "Placed", "Reading", "read_review"]
