"""What each edition of a report should print, predicted from the report's source files alone.

Front matter is read with yaml.safe_load; headings, references and blocks are found by this
module's own small patterns; the house rules are the ones a reader would state: chapters are
numbered in file order (not the ones marked `numbered: false`), recommendations are labelled by
set and order ("1A", "1B"; a set of one has no letter; a withdrawn one takes no label), annexes
take Roman numerals in file order, a chapter's `##` sections are "3.1", "3.2" and its `###`
sections "3.1.1", the sections `{#set-N}` of the chapter that presents the recommendations are
"Set N: ..." and not counted. Nothing here imports reportkit: the fidelity tests hold the editions
against this prediction, so that a bug in the shared resolver shows up as a difference instead of
being copied into the expectation.

The apparatus, as a reader states it: a caption line (`Figure: ...`, `Table: ...`, `Box: ...`, an
optional `{#id}`, else the caption's slug) numbers its kind per chapter or annex in the printed order
("Figure 2.1"; the unnumbered front matter counts 1, 2 ...), and `[[figure:id]]` prints that label;
notes are numbered straight through in the printed order and printed together in a Notes section
at the end of the PDF and the DOCX, so the references a note holds are printed there, note after
note; on the site they follow the page's text, in the page's note order.

Where the sample gives no example of a construct (an anchor on an unnumbered heading of a chapter),
the oracle refuses with an AssertionError rather than guess: whoever adds one to the sample writes
down what a reader should see.
"""

from __future__ import annotations

import hashlib
import re
import string
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import yaml

FOLDERS = (("chapters", "chapter"), ("recommendations", "rec"), ("annexes", "annex"))
HEADING = re.compile(r" {0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+\{#([^}\s]+)\})?[ \t]*$")
REFERENCE = re.compile(
    r"\[\[(?P<kind>[a-z]+):(?P<target>[^\]\[|#\s]+)(?:#(?P<anchor>[^\]\[|\s]+))?"
    r"(?:\|(?P<text>[^\]\[]+))?\]\]"
)
FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")
CODE_SPAN = re.compile(r"(`+).*?\1")
LIST_ITEM = re.compile(r"(?:[-*+]|\d{1,9}[.)])[ \t]")
NOTE = re.compile(r"\[\^([^\]\s]+)\]:")
NOTE_CALL = re.compile(r"\[\^([^\]\s]+)\](?!:)")
CAPTION = re.compile(r"(Figure|Table|Box):[ \t]+(.*?)(?:[ \t]+\{#([^}\s]+)\})?[ \t]*$")
CAPTION_KINDS = {"figure": "Figure", "table": "Table", "box": "Box"}
NOTES_TARGET = "end--notes"
SET_ANCHOR = re.compile(r"set-(\d+)")
DIRECTIVE = "[[list:recommendations]]"
ROMAN = (
    ("M", 1000),
    ("CM", 900),
    ("D", 500),
    ("CD", 400),
    ("C", 100),
    ("XC", 90),
    ("L", 50),
    ("XL", 40),
    ("X", 10),
    ("IX", 9),
    ("V", 5),
    ("IV", 4),
    ("I", 1),
)


@dataclass(frozen=True)
class Heading:
    line: int  # in the file
    level: int
    text: str  # as written, without its {#id}
    anchor: str


@dataclass(frozen=True)
class Ref:
    line: int
    column: int
    kind: str
    target: str
    anchor: str | None
    text: str | None
    in_note: bool
    note: str | None = None  # the label of the note that holds it


@dataclass(frozen=True)
class Caption:
    line: int
    kind: str  # figure, table or box
    ident: str
    text: str


@dataclass(frozen=True)
class Call:
    line: int
    column: int
    label: str


@dataclass
class Source:
    """One Markdown file as a reader of its text sees it."""

    kind: str  # chapter, rec or annex
    path: str  # relative to the report's root, POSIX
    meta: dict
    headings: list[Heading] = field(default_factory=list)
    refs: list[Ref] = field(default_factory=list)
    directives: list[int] = field(default_factory=list)  # lines holding [[list:recommendations]]
    blocks: list[int] = field(default_factory=list)  # lines opening a paragraph, list item, quote or note
    notes: int = 0  # footnote definitions
    captions: list[Caption] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)  # note calls in the text, in order
    note_lines: list[str] = field(default_factory=list)  # each note's first line
    number: str | None = None  # "3", "1A", "II"; None when the document takes no number

    @property
    def id(self) -> str:
        return self.meta["id"]

    @property
    def title(self) -> str:
        return self.meta["title"]

    @property
    def withdrawn(self) -> bool:
        return self.meta.get("status") == "withdrawn"


@dataclass(frozen=True)
class Item:
    """One thing the single document (PDF, DOCX) prints, in printed order."""

    what: str  # "heading", "box" or "reference"
    text: str  # a heading's or a reference's visible text; a box's statement
    target: str  # the single document's id of the heading, box or reference target
    level: int = 0  # a heading's level
    role: str = ""  # heading: title, rec, set, section, subsection or plain; box: its set line


def slug(text: str) -> str:
    """The id a heading without `{#id}` gets: "Digital security" is `digital-security`."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[-\s]+", "-", re.sub(r"[^\w\s-]", "", text).strip().lower())


def roman(number: int) -> str:
    out = ""
    for numeral, value in ROMAN:
        while number >= value:
            out, number = out + numeral, number - value
    return out


def block_anchor(doc_id: str, line: int) -> str:
    """The hidden bookmark a block opens with in the DOCX, as ARCHITECTURE.md states it: `_rk_`, 8 hex
    of the SHA-1 of the document's id, then the block's line in its file."""
    return f"_rk_{hashlib.sha1(doc_id.encode('utf-8')).hexdigest()[:8]}_{line}"


# --------------------------------------------------------------------------------------------
# Reading one file
# --------------------------------------------------------------------------------------------


def read_source(root: Path, path: Path, kind: str) -> Source:
    lines = path.read_text("utf-8").split("\n")
    assert lines[0] == "---", f"{path}: no front matter"
    end = lines.index("---", 1)
    source = Source(kind, path.relative_to(root).as_posix(), yaml.safe_load("\n".join(lines[1:end])))
    _scan(source, lines, end + 1)
    return source


def _scan(source: Source, lines: list[str], first: int) -> None:
    """Headings, references, directives and block openings, line by line, outside code."""
    fence: str | None = None
    after_break, context = True, ""  # a blank line or a heading ends the block before
    note: str | None = None
    for index in range(first, len(lines)):
        line, number = lines[index], index + 1
        opening = FENCE.match(line)
        if fence is not None:
            fence = None if opening and opening.group(1)[0] == fence else fence
            continue
        if opening:
            fence, after_break, context = opening.group(1)[0], False, "code"
            continue
        if not line.strip():
            after_break = True
            continue
        context, starts = _block(source, line, number, after_break, context)
        if starts:
            source.blocks.append(number)
        defined = NOTE.match(line)
        if defined:
            source.note_lines.append(line)
        note = defined.group(1) if defined else (note if context == "note" else None)
        caption = CAPTION.fullmatch(line) if after_break and context == "paragraph" else None
        if caption:  # the caption of what follows, not a paragraph of the text: no block anchor
            if source.blocks and source.blocks[-1] == number:
                source.blocks.pop()
            kind = caption.group(1).lower()
            source.captions.append(Caption(number, kind, caption.group(3) or slug(caption.group(2)), caption.group(2)))
        if note is None:
            masked = CODE_SPAN.sub(lambda m: " " * len(m.group(0)), line)
            source.calls += [Call(number, m.start() + 1, m.group(1)) for m in NOTE_CALL.finditer(masked)]
        _refs(source, line, number, note)
        after_break = context == "heading"


def _block(source: Source, line: str, number: int, after_break: bool, context: str) -> tuple[str, bool]:
    """(the kind of block the line is in, whether it opens an anchored block)."""
    heading = HEADING.fullmatch(line)
    if heading:
        text = heading.group(2)
        source.headings.append(Heading(number, len(heading.group(1)), text, heading.group(3) or slug(text)))
        return "heading", False
    if line.strip() == DIRECTIVE:
        source.directives.append(number)  # the list takes the paragraph's place, anchor and all
        return "directive", False
    if NOTE.match(line):
        source.notes += 1
        return "note", True
    if LIST_ITEM.match(line):
        return "item", True
    if line[:1] in (" ", "\t") and context in ("item", "note"):
        return context, False  # the item's or the note's own continuation
    if line.startswith("|"):
        return "table", False
    if after_break and line.startswith("<"):
        return "html", False
    return ("quote" if line.startswith(">") else "paragraph"), after_break


def _refs(source: Source, line: str, number: int, note: str | None) -> None:
    masked = CODE_SPAN.sub(lambda m: " " * len(m.group(0)), line)
    for m in REFERENCE.finditer(masked):
        if m["kind"] == "list":
            continue  # a directive, not a reference
        source.refs.append(
            Ref(number, m.start() + 1, m["kind"], m["target"], m["anchor"], m["text"], note is not None, note)
        )


# --------------------------------------------------------------------------------------------
# The report: numbering, labels, and what each edition prints
# --------------------------------------------------------------------------------------------


class Oracle:
    """The report's sources, numbered as a reader numbers them, and what each edition should show."""

    def __init__(self, root: Path):
        settings = yaml.safe_load((root / "report.yml").read_text("utf-8"))
        self.set_names: dict[int, str] = {int(k): v for k, v in (settings.get("sets") or {}).items()}
        found = {
            kind: [read_source(root, p, kind) for p in sorted((root / folder).glob("*.md"))] for folder, kind in FOLDERS
        }
        found["rec"].sort(key=lambda d: (d.meta["set"], d.meta["order"], d.path))
        self.documents: list[Source] = found["chapter"] + found["rec"] + found["annex"]
        self.by_id = {doc.id: doc for doc in self.documents}
        self._number(found)
        self.presenter = next((d for d in found["chapter"] if d.meta.get("recommendations") is True), None)
        self.captions = {c.ident: (doc, c) for doc in self.documents for c in doc.captions}
        self.caption_numbers: dict[str, str] | None = None
        self.caption_numbers = self._number_captions()

    def _number_captions(self) -> dict[str, str]:
        """Each caption's number: per kind, per chapter or annex, in the printed order (a
        recommendation's in the series of the chapter that prints it)."""
        numbers: dict[str, str] = {}
        counters: dict[tuple[str, str], int] = {}
        prefix = ""
        for item in self._printed_items():
            if item.what == "heading" and item.role == "title":
                doc = self.by_id.get(item.target)
                prefix = doc.number if doc is not None and doc.kind in ("chapter", "annex") and doc.number else ""
            elif item.what == "caption":
                key = (prefix, item.role)
                counters[key] = counters.get(key, 0) + 1
                numbers[item.text] = f"{prefix}.{counters[key]}" if prefix else str(counters[key])
        return numbers

    def _number(self, found: dict[str, list[Source]]) -> None:
        numbered = [d for d in found["chapter"] if d.meta.get("numbered", True) is not False]
        for position, doc in enumerate(numbered, start=1):
            doc.number = str(position)
        for position, doc in enumerate(found["annex"], start=1):
            doc.number = roman(position)
        for number in sorted({d.meta["set"] for d in found["rec"]}):
            members = [d for d in found["rec"] if d.meta["set"] == number and not d.withdrawn]
            for position, doc in enumerate(members):
                doc.number = str(number) if len(members) == 1 else f"{number}{string.ascii_uppercase[position]}"

    # --- names ---------------------------------------------------------------------------------

    def recommendations(self, number: int | None = None) -> list[Source]:
        """The recommendations that take a label, by set and order (of one set when asked)."""
        return [d for d in self.documents if d.kind == "rec" and d.number and number in (None, d.meta["set"])]

    def sets(self) -> list[int]:
        return sorted({d.meta["set"] for d in self.recommendations()})

    def set_line(self, number: int) -> str:
        return f"Set {number}: {self.set_names[number]}"

    def label(self, doc: Source) -> str:
        names = {"chapter": "Chapter", "rec": "Recommendation", "annex": "Annex"}
        return f"{names[doc.kind]} {doc.number}" if doc.number else doc.title

    def title_heading(self, doc: Source) -> str:
        """The document's first heading: "Chapter 3: Title", "Annex II: Title", a recommendation's label."""
        if doc.kind == "rec":
            return self.label(doc)
        return f"{self.label(doc)}: {doc.title}" if doc.number else doc.title

    def set_sections(self, doc: Source) -> dict[str, int]:
        if doc is not self.presenter:
            return {}
        found: dict[str, int] = {}
        for h in doc.headings:
            m = SET_ANCHOR.fullmatch(h.anchor)
            if h.level == 2 and m:
                found.setdefault(h.anchor, int(m.group(1)))
        return found

    def section_numbers(self, doc: Source) -> dict[str, str]:
        """Anchor -> "3.2" or "3.2.1", counted over the chapter's headings (set sections skipped,
        and their subsections left unnumbered)."""
        if doc.kind != "chapter" or not doc.number:
            return {}
        numbers: dict[str, str] = {}
        sets, section, subsection = self.set_sections(doc), 0, 0
        for h in doc.headings:
            if h.anchor in sets:
                subsection = -1
            elif h.level == 2:
                section, subsection = section + 1, 0
                numbers.setdefault(h.anchor, f"{doc.number}.{section}")
            elif h.level == 3 and section and subsection >= 0:
                subsection += 1
                numbers.setdefault(h.anchor, f"{doc.number}.{section}.{subsection}")
        return numbers

    def heading_text(self, doc: Source, heading: Heading) -> str:
        text = REFERENCE.sub(
            lambda m: self.reference_text(m["kind"], m["target"], m["anchor"], m["text"], where=doc.path), heading.text
        )
        if heading.anchor in self.set_sections(doc):
            return f"Set {self.set_sections(doc)[heading.anchor]}: {text}"
        number = self.section_numbers(doc).get(heading.anchor)
        return f"{number} {text}" if number and heading.level in (2, 3) else text

    def reference(self, source: Source, ref: Ref) -> tuple[str, str]:
        """(visible text, target id in the single document) of a reference."""
        text = self.reference_text(ref.kind, ref.target, ref.anchor, ref.text, where=f"{source.path}:{ref.line}")
        if ref.kind in CAPTION_KINDS:
            return text, self.caption_target(ref.target)
        return text, target_id(ref.target, ref.anchor)

    def caption_target(self, ident: str) -> str:
        doc, caption = self.captions[ident]
        return target_id(doc.id, f"{caption.kind}-{ident}")

    def caption_label(self, ident: str) -> str:
        _, caption = self.captions[ident]
        number = (self.caption_numbers or {}).get(ident, "")
        return f"{CAPTION_KINDS[caption.kind]} {number}"

    def figures(self) -> list[tuple[str, str, str]]:
        """(label, caption text, target) of every printed caption, in printed order."""
        return [
            (self.caption_label(i.text), self.captions[i.text][1].text, self.caption_target(i.text))
            for i in self._printed_items()
            if i.what == "caption"
        ]

    def reference_text(
        self, kind: str, ident: str, anchor: str | None = None, text: str | None = None, where: str = ""
    ) -> str:
        """What a reader sees for [[kind:ident#anchor|text]]."""
        where = f"{where}: [[{kind}:{ident}{'#' + anchor if anchor else ''}]]"
        if kind in CAPTION_KINDS:
            assert ident in self.captions and self.captions[ident][1].kind == kind and anchor is None, (
                f"{where} does not resolve"
            )
            return text.strip() if text and text.strip() else self.caption_label(ident)
        target = self.by_id.get(ident)
        assert target is not None and target.kind == kind and not target.withdrawn, f"{where} does not resolve"
        headings = {h.anchor: h for h in reversed(target.headings)}
        assert anchor is None or anchor in headings, f"{where}: no such heading"
        if text and text.strip():
            return text.strip()  # the author's words (the sample's are plain text)
        if anchor is None:
            return self.label(target)
        if anchor in self.set_sections(target):
            return f"Set {self.set_sections(target)[anchor]}"
        number = self.section_numbers(target).get(anchor)
        if number:
            return f"Section {number}"
        assert target.kind != "chapter", f"{where}: the oracle has no rule for an unnumbered chapter heading"
        return f"{self.label(target)}, “{headings[anchor].text}”"

    # --- the site: one page per document -------------------------------------------------------

    def site_pages(self) -> list[Source]:
        """The documents whose page the tests read (a withdrawn recommendation's page is not predicted)."""
        return [d for d in self.documents if not d.withdrawn]

    def site_headings(self, doc: Source) -> list[tuple[int, str]]:
        return [(1, self.title_heading(doc))] + [(h.level, self.heading_text(doc, h)) for h in doc.headings]

    def site_box(self, doc: Source) -> tuple[str, str] | None:
        """A recommendation's box under its label: (set line, statement)."""
        return (self.set_line(doc.meta["set"]), doc.title) if doc.kind == "rec" and doc.number else None

    def site_references(self, doc: Source) -> list[tuple[str, str]]:
        """(text, target) of each link the page's text holds, the list of recommendations included;
        then the links of the page's notes, which follow its text, note after note."""
        body = self._body(doc)
        refs = [(item.text, item.target) for item in body if item.what in ("reference", "figref")]
        for item in body:
            if item.what == "call":
                refs += self._note_references(doc, item.text)
        return refs

    def _note_references(self, doc: Source, label: str) -> list[tuple[str, str]]:
        return [self.reference(doc, ref) for ref in doc.refs if ref.note == label]

    def recommendation_list(self) -> list[tuple[str, list[tuple[str, str, str]]]]:
        """What [[list:recommendations]] becomes: each set's line, then (label, statement, id) of its members."""
        return [
            (self.set_line(n), [(self.label(d), d.title, d.id) for d in self.recommendations(n)]) for n in self.sets()
        ]

    def _body(self, doc: Source) -> list[Item]:
        """The document's headings and references in source order (the list expanded in place)."""
        found: list[tuple[int, int, Item]] = []
        for h in doc.headings:
            found.append(
                (
                    h.line,
                    0,
                    Item(
                        "heading", self.heading_text(doc, h), target_id(doc.id, h.anchor), h.level, self._role(doc, h)
                    ),
                )
            )
        for ref in doc.refs:
            if ref.in_note:
                continue  # printed with its note
            text, target = (
                self.reference(doc, ref)
                if self.caption_numbers is not None or ref.kind not in CAPTION_KINDS
                else ("", "")
            )
            found.append(
                (ref.line, ref.column, Item("figref" if ref.kind in CAPTION_KINDS else "reference", text, target))
            )
        found += [(c.line, 0, Item("caption", c.ident, doc.path, 0, c.kind)) for c in doc.captions]
        found += [(c.line, c.column, Item("call", c.label, doc.id)) for c in doc.calls]
        for line in doc.directives:
            found += [
                (line, 0, Item("reference", label, ident))
                for _, members in self.recommendation_list()
                for label, _, ident in members
            ]
        return [item for _, _, item in sorted(found, key=lambda entry: entry[:2])]

    def _role(self, doc: Source, heading: Heading) -> str:
        if heading.anchor in self.set_sections(doc):
            return "set"
        if heading.anchor in self.section_numbers(doc):
            return "section" if heading.level == 2 else "subsection"
        return "plain"

    # --- the single document: the PDF and the DOCX ---------------------------------------------

    def printed(self) -> list[Item]:
        """Headings, boxes and references of the PDF and the DOCX, in printed order: each set's
        recommendations inside the presenting chapter, after the set's section; withdrawn ones not at
        all; at the end, the Notes section with the references the notes hold, note after note."""
        items, notes = [], []
        for item in self._printed_items():
            if item.what == "call":
                notes += [
                    Item("reference" if target not in self._caption_targets() else "figref", text, target)
                    for text, target in self._note_references(self.by_id[item.target], item.text)
                ]
            elif item.what != "caption":
                items.append(item)
        if any(item.what == "call" for item in self._printed_items()):
            items += [Item("heading", "Notes", NOTES_TARGET, 1, "title"), *notes]
        return items

    def _caption_targets(self) -> set[str]:
        return {self.caption_target(ident) for ident in self.captions}

    def note_numbers(self) -> list[tuple[str, str]]:
        """(document id, label) of each note, in the one series of the printed editions."""
        return [(item.target, item.text) for item in self._printed_items() if item.what == "call"]

    def _printed_items(self) -> list[Item]:
        items: list[Item] = []
        for doc in self.documents:
            if doc.kind == "rec":
                # Without a presenting chapter, each recommendation follows the chapters on its own.
                items += self._boxed(doc, 0) if self.presenter is None and doc.number else []
                continue
            title = Item("heading", self.title_heading(doc), doc.id, 1, "title")
            body = self._body(doc)
            items += [title] + (self._with_sets(doc, body) if doc is self.presenter else body)
        return items

    def _with_sets(self, chapter: Source, body: list[Item]) -> list[Item]:
        out = list(body)
        for number in self.sets():
            members = [item for doc in self.recommendations(number) for item in self._boxed(doc, 2)]
            ident = target_id(chapter.id, f"set-{number}")
            start = next((i for i, item in enumerate(out) if item.what == "heading" and item.target == ident), None)
            if start is None:  # no section for the set: a divider of its own at the chapter's end
                out += [Item("heading", self.set_line(number), ident, 2, "set"), *members]
                continue
            end = next(
                (i for i in range(start + 1, len(out)) if out[i].what == "heading" and out[i].level <= 2), len(out)
            )
            out[end:end] = members
        return out

    def _boxed(self, doc: Source, shift: int) -> list[Item]:
        """A recommendation: its label as a heading (level 3 inside its chapter), its box (set line,
        statement), then its own sections, `shift` levels down."""
        head = [
            Item("heading", self.label(doc), doc.id, 1 + shift, "rec"),
            Item("box", doc.title, doc.id, 0, self.set_line(doc.meta["set"])),
        ]
        return head + [
            Item(i.what, i.text, i.target, min(i.level + shift, 6), i.role) if i.what == "heading" else i
            for i in self._body(doc)
        ]

    def printed_headings(self) -> list[Item]:
        return [item for item in self.printed() if item.what == "heading"]

    def printed_references(self) -> list[tuple[str, str]]:
        return [(item.text, item.target) for item in self.printed() if item.what == "reference"]

    def boxes(self) -> list[tuple[str, str, str]]:
        """(label, set line, statement) of each printed box, in order."""
        printed = self.printed()
        return [(printed[i - 1].text, item.role, item.text) for i, item in enumerate(printed) if item.what == "box"]

    def contents(self) -> list[tuple[str, str]]:
        """(text, target) of the contents: each title but the recommendations', each set, each `##` section."""
        return [(h.text, h.target) for h in self.printed_headings() if h.role in ("title", "set", "section")]

    def bookmarks(self) -> list[tuple[int, str, str]]:
        """(level, text, target) of the PDF's bookmarks: the contents, and below them the `###`
        sections and the recommendations."""
        return [
            (h.level, h.text, h.target)
            for h in self.printed_headings()
            if h.role in ("title", "set", "section", "subsection", "rec")
        ]

    def targets(self) -> set[str]:
        """Every heading id of the single document (what a reference may point at)."""
        return {h.target for h in self.printed_headings()}

    def figure_references(self) -> list[tuple[str, str]]:
        """(text, target) of each reference to a figure, table or box, in printed order."""
        return [(item.text, item.target) for item in self.printed() if item.what == "figref"]

    def printed_documents(self) -> list[Source]:
        return [d for d in self.documents if not (d.kind == "rec" and not d.number)]

    def block_anchors(self) -> set[str]:
        return {block_anchor(doc.id, line) for doc in self.printed_documents() for line in doc.blocks}

    def notes(self) -> int:
        return sum(doc.notes for doc in self.printed_documents())

    def note_texts(self) -> list[str]:
        """Each note's source text (its first line after the label), in the one series."""
        texts = {}
        for doc in self.printed_documents():
            for line in doc.note_lines:
                m = NOTE.match(line)
                texts[(doc.id, m.group(1))] = line[m.end() :].strip()
        return [texts[key] for key in self.note_numbers()]


def target_id(doc_id: str, anchor: str | None) -> str:
    """The single document's id of a document ("mechanisms") or of one of its headings ("mechanisms--gaps")."""
    return f"{doc_id}--{anchor}" if anchor else doc_id
