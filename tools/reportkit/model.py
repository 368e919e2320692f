"""The report's data model: settings, roster, documents; loaded once per run and passed down."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from .diagnostics import Diagnostic
from .markdown import Scan

SET_ANCHOR = re.compile(r"set-(\d{1,2})")
_WORD = re.compile(r"[^\W_]+(?:['’.-][^\W_]+)*")

KIND_FOLDERS = {"chapter": "chapters", "rec": "recommendations", "annex": "annexes"}
KIND_NAMES = {"chapter": "chapter", "rec": "recommendation", "annex": "annex"}
STATUSES = ("draft", "review", "agreed", "withdrawn")


@dataclass
class Member:
    id: str
    name: str
    role: str
    affiliation: str = ""
    github: str | None = None
    vacancy: bool = False
    line: int = 0


@dataclass
class Document:
    kind: str  # "chapter", "rec" or "annex"
    path: str  # relative to the root, POSIX
    meta: dict  # the front matter as read (may be partial when invalid)
    key_lines: dict[str, int]
    body: str
    body_line: int  # file line of the body's first line
    scan: Scan
    valid: bool = True  # front matter was read and passed its schema
    number: str | None = None  # "3" for a chapter, "1A" for a recommendation, "II" for an annex

    @property
    def id(self) -> str | None:
        value = self.meta.get("id")
        return value if isinstance(value, str) else None

    @property
    def title(self) -> str:
        value = self.meta.get("title")
        return value if isinstance(value, str) else Path(self.path).stem

    @property
    def owner(self) -> str | None:
        value = self.meta.get("owner")
        return value if isinstance(value, str) else None

    @property
    def status(self) -> str | None:
        value = self.meta.get("status")
        return value if isinstance(value, str) else None

    @property
    def withdrawn(self) -> bool:
        return self.status == "withdrawn"

    @property
    def numbered(self) -> bool:
        return self.kind != "chapter" or self.meta.get("numbered", True) is not False

    @property
    def set(self) -> int | None:
        value = self.meta.get("set")
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    @property
    def order(self) -> int | None:
        value = self.meta.get("order")
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    @cached_property
    def anchors(self) -> dict[str, int]:
        """Heading anchor -> offset in the body (first occurrence)."""
        result: dict[str, int] = {}
        for heading in self.scan.headings:
            result.setdefault(heading.anchor, heading.start)
        return result

    @property
    def presents_recommendations(self) -> bool:
        """The chapter in which the sets of recommendations are set out (front matter
        `recommendations: true`): each set follows its section `{#set-N}`."""
        return self.kind == "chapter" and self.meta.get("recommendations") is True

    @cached_property
    def set_sections(self) -> dict[str, int]:
        """Anchor -> set number, for the set sections (`## ... {#set-2}`) of the chapter that
        presents the recommendations. They are named "Set 2", not numbered as sections."""
        if not self.presents_recommendations:
            return {}
        found: dict[str, int] = {}
        for heading in self.scan.headings:
            m = SET_ANCHOR.fullmatch(heading.anchor)
            if heading.level == 2 and m:
                found.setdefault(heading.anchor, int(m.group(1)))
        return found

    @property
    def short_title(self) -> str:
        value = self.meta.get("short_title")
        return value if isinstance(value, str) and value.strip() else self.title

    @cached_property
    def section_numbers(self) -> dict[str, str]:
        """Anchor -> section number ('3.2', '3.2.1') for the headings of a numbered chapter.

        Read only once the report is numbered (the loader does that before anyone asks).
        """
        if self.kind != "chapter" or not self.number:
            return {}
        numbers: dict[str, str] = {}
        counters = [0, 0]
        sets = self.set_sections
        for heading in self.scan.headings:
            if heading.anchor in sets:
                counters = [counters[0], -1]  # its subsections are not numbered either
                continue
            if heading.level == 2:
                counters = [counters[0] + 1, 0]
                numbers.setdefault(heading.anchor, f"{self.number}.{counters[0]}")
            elif heading.level == 3 and counters[0] and counters[1] >= 0:
                counters[1] += 1
                numbers.setdefault(heading.anchor, f"{self.number}.{counters[0]}.{counters[1]}")
        return numbers

    @cached_property
    def heading_texts(self) -> dict[str, str]:
        """Anchor -> the heading's text (first occurrence)."""
        texts: dict[str, str] = {}
        for heading in self.scan.headings:
            texts.setdefault(heading.anchor, heading.text)
        return texts

    def where(self, offset: int) -> tuple[int, int]:
        """File line and column of an offset in the body."""
        line, column = self.scan.position(offset)
        return line + self.body_line - 1, column

    def key_line(self, key: str) -> int:
        return self.key_lines.get(key, 1)

    @property
    def label(self) -> str:
        """How the text names this section: 'Chapter 3', 'Recommendation 1A', 'Annex II'."""
        if self.kind == "rec":
            return f"Recommendation {self.number}" if self.number else "Withdrawn recommendation"
        if self.number:
            return f"{KIND_NAMES[self.kind].capitalize()} {self.number}"
        return self.title

    @property
    def heading(self) -> str:
        """The document's title as its first heading shows it."""
        return f"{self.label}: {self.title}" if self.number else self.title

    def words(self) -> int:
        """Words a reader reads: link targets, heading ids and note marks are not words; a
        reference is one. The places come from the scan, so no pattern runs over the text again."""
        text = self.scan.masked
        cuts = [(r.start, r.end, " ref ") for r in self.scan.refs]
        cuts += [(link.target_start - 1, link.end, " ") for link in self.scan.links]
        cuts += [(note.start, note.end, " ") for note in self.scan.notes]
        for heading in self.scan.headings:
            brace = text.rfind("{", heading.start, heading.end) if heading.explicit else -1
            if brace >= 0:
                cuts.append((brace, heading.end, " "))
        pieces, position = [], 0
        for start, end, replacement in sorted(cuts):
            if start >= position:
                pieces += [text[position:start], replacement]
                position = end
        pieces.append(text[position:])
        return len(_WORD.findall("".join(pieces)))


@dataclass
class Report:
    root: Path
    settings: dict
    settings_lines: dict[str, int]
    members: dict[str, Member]
    documents: list[Document]  # in reading order: chapters, recommendations, annexes
    diagnostics: list[Diagnostic] = field(default_factory=list)  # found while loading
    assets: list[str] = field(default_factory=list)  # images and other files the editions may use

    def __post_init__(self) -> None:
        self.by_id: dict[str, Document] = {}
        for doc in self.documents:
            if doc.id and doc.id not in self.by_id:
                self.by_id[doc.id] = doc
        self.by_path = {doc.path: doc for doc in self.documents}

    def of_kind(self, kind: str) -> list[Document]:
        return [d for d in self.documents if d.kind == kind]

    @property
    def title(self) -> str:
        return str(self.settings.get("title", "Report"))

    def set_title(self, number: int) -> str:
        return str(self.settings.get("sets", {}).get(str(number), f"Set {number}"))
