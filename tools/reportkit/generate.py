"""Synthetic reports of any size for benchmarks and tests: valid, and the same bytes for a seed.

A generated report has the sample's shape (report.yml, roster.yml, mkdocs.yml, web/, chapters/,
recommendations/ in sets, annexes/, images/) and its kinds of cross-reference, at whatever
density is asked for. `report check` finds no problem in it. With `commits`, it also gets a git
history, written in one `git fast-import` stream with fixed dates so that it is deterministic.

Counts, for the tests and the benchmarks to rely on:

- each chapter has `sections` level-2 headings, and each of those sections `refs_per_section`
  references, so the chapters hold chapters * sections * refs_per_section references;
- each recommendation has 2 sections and 2 references, each annex 2 sections and 1 reference
  (none when there is nothing to point at).
"""

from __future__ import annotations

import os
import random
import struct
import subprocess
import zlib
from dataclasses import dataclass, field
from pathlib import Path

# Pseudo-words: every pair of these syllables, so the text reads as prose to every parser but
# means nothing, and never forms a word the checks look for ("Recommendation 1A").
_SYLLABLES = (
    "ba",
    "co",
    "da",
    "fe",
    "gi",
    "ha",
    "ki",
    "lo",
    "ma",
    "ne",
    "po",
    "ra",
    "si",
    "ta",
    "vu",
    "xe",
    "zo",
    "mu",
    "te",
    "lin",
)
VOCABULARY = tuple(a + b for a in _SYLLABLES for b in _SYLLABLES)
SET_TITLES = (
    "An inclusive digital economy and society",
    "Human and institutional capacity",
    "Human rights and human agency",
    "Trust, security and stability",
    "Global digital cooperation",
)
STATUSES = ("draft", "review", "agreed")
IMAGE = "images/figure.png"
# 2019-01-01T00:00:00Z, the Panel's year; one commit an hour after that.
HISTORY_EPOCH = 1546300800
# Reference kinds in roughly the sample's proportions (rec 47 %, chapter#anchor 29 %,
# chapter 12 %, annex 12 %).
_KIND_WEIGHTS = (("rec", 45), ("chapter#", 29), ("chapter", 12), ("annex", 10), ("annex#", 4))
_KINDS, _WEIGHTS = [k for k, _ in _KIND_WEIGHTS], [w for _, w in _KIND_WEIGHTS]

_MKDOCS_YML = """\
# The HTML edition of a generated report (reportkit.generate); the same set-up as the sample.
site_name: {title}
site_description: {subtitle}
site_author: {author}
docs_dir: web
site_dir: build/site
use_directory_urls: true
edit_uri: edit/main/

theme:
  name: material
  language: en
  font: false
  features:
    - navigation.sections
    - navigation.indexes
    - navigation.footer
    - navigation.top
    - search.highlight
    - search.suggest
    - content.action.edit
    - toc.follow
  palette:
    primary: blue grey
    accent: light blue

extra_css:
  - assets/report.css

plugins:
  - search
  - report

markdown_extensions:
  - attr_list
  - footnotes
  - tables
  - admonition
  - toc:
      permalink: true

watch:
  - chapters
  - recommendations
  - annexes
  - images
  - report.yml
  - roster.yml

validation:
  omitted_files: warn
  absolute_links: warn
  unrecognized_links: warn
  anchors: warn
"""

_CSS = """\
/* House touches for the HTML edition. */
.report-facts {
  font-size: 0.8rem;
  color: var(--md-default-fg-color--light);
  border-left: 3px solid var(--md-accent-fg-color);
  padding-left: 0.6rem;
}
"""


@dataclass
class _Doc:
    kind: str  # "chapter", "rec" or "annex"
    id: str
    path: str
    title: str
    owner: str
    status: str
    anchors: list[str] = field(default_factory=list)
    anchor_titles: list[str] = field(default_factory=list)
    set: int = 0
    order: int = 0
    numbered: bool = True


def png(width: int = 16, height: int = 16) -> bytes:
    """A small RGB gradient as PNG bytes, built here so that no binary file has to be shipped."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(
        b"\x00" + b"".join(bytes((x * 255 // (width - 1), y * 255 // (height - 1), 160)) for x in range(width))
        for y in range(height)
    )
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b"")


class _Writer:
    """Prose, titles and ids drawn from one seeded random source, in a fixed order."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.used_ids: set[str] = set()

    def words(self, n: int) -> list[str]:
        return self.rng.choices(VOCABULARY, k=n)

    def title(self, low: int = 2, high: int = 6) -> str:
        words = self.words(self.rng.randint(low, high))
        return " ".join(w.capitalize() if i == 0 or len(w) > 3 else w for i, w in enumerate(words))

    def sentence(self, low: int = 6, high: int = 14) -> str:
        words = self.words(self.rng.randint(low, high))
        return words[0].capitalize() + " " + " ".join(words[1:]) + "."

    def unique_id(self, n_words: int = 2) -> str:
        while True:
            ident = "-".join(self.words(n_words))
            if ident not in self.used_ids:
                self.used_ids.add(ident)
                return ident

    def anchors(self, count: int) -> list[str]:
        seen: set[str] = set()
        result: list[str] = []
        while len(result) < count:
            anchor = "-".join(self.words(1 if count <= 40 else 2))
            if anchor not in seen:
                seen.add(anchor)
                result.append(anchor)
        return result


def _front_matter(doc: _Doc, summary: str, words: int) -> str:
    lines = ["---", f"id: {doc.id}", f"title: {doc.title}", f"owner: {doc.owner}", f"status: {doc.status}"]
    if doc.kind == "rec":
        lines += [f"set: {doc.set}", f"order: {doc.order}"]
    if doc.kind == "chapter" and not doc.numbered:
        lines.append("numbered: false")
    budget = min(100000, max(100, -(-int(words * 1.2) // 100) * 100))
    lines += [f"summary: {summary}", f"budget: {budget}", "---", ""]
    return "\n".join(lines)


class _Generator:
    def __init__(
        self,
        chapters: int,
        sections: int,
        recommendations: int,
        annexes: int,
        refs_per_section: int,
        seed: int,
        authors: int,
    ):
        self.w = _Writer(seed)
        self.sections, self.refs_per_section = sections, refs_per_section
        count = max(authors, 3)
        self.members = [(f"member-{i + 1:02d}", f"{self.w.title(1, 1)} {self.w.title(1, 1)}") for i in range(count)]
        owners = [m[0] for m in self.members] + ["secretariat"]
        self.chapters = self._chapters(chapters, sections, owners)
        self.set_count = min(5, recommendations)
        self.recs = self._recommendations(recommendations, owners)
        self.annexes = self._annexes(annexes, owners)

    def _chapters(self, chapters: int, sections: int, owners: list[str]) -> list[_Doc]:
        """The chapters, each with `sections` headings (the first unnumbered when there are three or more)."""
        rng = self.w.rng
        width = max(2, len(str(chapters)))
        made = []
        for i in range(chapters):
            ident = self.w.unique_id()
            doc = _Doc(
                "chapter",
                ident,
                f"chapters/{i + 1:0{width}d}-{ident}.md",
                self.w.title(),
                rng.choice(owners),
                rng.choice(STATUSES),
                numbered=not (i == 0 and chapters >= 3),
            )
            doc.anchors = self.w.anchors(sections)
            doc.anchor_titles = [self.w.title() for _ in range(sections)]
            made.append(doc)
        return made

    def _recommendations(self, recommendations: int, owners: list[str]) -> list[_Doc]:
        """The recommendations, dealt round the sets in turn."""
        rng = self.w.rng
        set_count = self.set_count
        made = []
        for i in range(recommendations):
            ident = self.w.unique_id()
            doc = _Doc(
                "rec",
                ident,
                f"recommendations/{ident}.md",
                self.w.title(4, 12),
                rng.choice(owners),
                rng.choice(STATUSES),
                set=i % set_count + 1,
                order=i // set_count + 1,
            )
            doc.anchors, doc.anchor_titles = ["rationale", "action"], ["Rationale", "Proposed action"]
            made.append(doc)
        return made

    def _annexes(self, annexes: int, owners: list[str]) -> list[_Doc]:
        """The annexes, each with two headings."""
        rng = self.w.rng
        width = max(2, len(str(annexes)))
        made = []
        for i in range(annexes):
            ident = self.w.unique_id()
            doc = _Doc(
                "annex",
                ident,
                f"annexes/{i + 1:0{width}d}-{ident}.md",
                self.w.title(),
                rng.choice(owners),
                rng.choice(STATUSES),
            )
            doc.anchors = self.w.anchors(2)
            doc.anchor_titles = [self.w.title() for _ in range(2)]
            made.append(doc)
        return made

    # -- references ---------------------------------------------------------------------------

    def ref(self, kind: str, exclude: _Doc | None = None) -> str:
        rng = self.w.rng
        if kind.startswith("annex") and not self.annexes:
            kind = "chapter#"
        if kind.startswith("chapter") and not self.chapters:
            kind = "rec"
        pool = {"rec": self.recs, "chapter": self.chapters, "annex": self.annexes}[kind.rstrip("#")]
        target = rng.choice(pool)
        if target is exclude and len(pool) > 1:
            target = pool[(pool.index(target) + 1) % len(pool)]
        anchor = f"#{rng.choice(target.anchors)}" if kind.endswith("#") and target.anchors else ""
        text = f"|{' '.join(self.w.words(rng.randint(1, 3)))}" if rng.random() < 0.05 else ""
        return f"[[{target.kind}:{target.id}{anchor}{text}]]"

    def random_kind(self) -> str:
        return self.w.rng.choices(_KINDS, _WEIGHTS)[0]

    def paragraph(self, refs: list[str], words: int) -> str:
        """Prose of about `words` words with the references placed between words."""
        rng = self.w.rng
        tokens = self.w.words(words)
        # Sentence ends every 6-16 words.
        out: list[str] = []
        position = 0
        while position < len(tokens):
            length = rng.randint(6, 16)
            sentence = tokens[position : position + length]
            sentence[0] = sentence[0].capitalize()
            sentence[-1] += "."
            out += sentence
            position += length
        for ref in refs:
            spot = rng.randint(1, len(out))
            out.insert(spot, ref)
        return " ".join(out)

    # -- documents ----------------------------------------------------------------------------

    def chapter_texts(self) -> dict[str, str]:
        rng = self.w.rng
        slots = len(self.chapters) * self.sections * self.refs_per_section
        # Every recommendation is cited by some chapter: each gets a reference slot of its own.
        cited = dict(zip(rng.sample(range(slots), len(self.recs)), self.recs, strict=True))
        texts = {}
        slot = 0
        note = 0
        for index, doc in enumerate(self.chapters):
            parts = [self.paragraph([], rng.randint(30, 60)), ""]
            notes = []
            for anchor, heading in zip(doc.anchors, doc.anchor_titles, strict=True):
                refs = []
                for _ in range(self.refs_per_section):
                    target = cited.get(slot)
                    refs.append(f"[[rec:{target.id}]]" if target else self.ref(self.random_kind()))
                    slot += 1
                parts += [f"## {heading} {{#{anchor}}}", ""]
                text = self.paragraph(refs, rng.randint(60, 120))
                extra = rng.random()
                if extra < 0.08:
                    note += 1
                    text += f"[^n{note}]"
                    notes.append(f"[^n{note}]: {self.w.sentence()}")
                elif extra < 0.14 and len(self.chapters) > 1:
                    other = rng.choice(self.chapters)
                    link = Path(other.path).name + f"#{rng.choice(other.anchors)}"
                    text += f" See [{' '.join(self.w.words(2))}]({link})."
                elif extra < 0.18:
                    text += f" Details at [{' '.join(self.w.words(2))}](https://example.invalid/{self.w.words(1)[0]})."
                elif extra < 0.22:
                    text += f" Write `{self.w.words(1)[0]}` or **{self.w.words(1)[0]}**."
                parts += [text, ""]
                if rng.random() < 0.1:
                    parts += [f"- {self.w.sentence(3, 8)}" for _ in range(3)] + [""]
            if index == 0 and doc.anchors:
                parts += [f"![Figure: {' '.join(self.w.words(4))}](../{IMAGE})", ""]
            parts += [*notes, ""] if notes else []
            body = "\n".join(parts).rstrip("\n") + "\n"
            texts[doc.path] = _front_matter(doc, self.w.sentence(), len(body.split())) + "\n" + body
        return texts

    def rec_texts(self) -> dict[str, str]:
        rng = self.w.rng
        texts = {}
        for doc in self.recs:
            first = self.ref("chapter#") if self.chapters else self.ref("annex")
            second = (
                self.ref(rng.choice(("rec", "annex")), exclude=doc)
                if len(self.recs) > 1 or self.annexes
                else self.ref("chapter")
            )
            items = [f"{i + 1}. {self.w.sentence(8, 20)}" for i in range(rng.randint(2, 4))]
            items[-1] = items[-1][:-1] + f", as {second} proposes."
            body = "\n".join(
                [
                    "## Rationale {#rationale}",
                    "",
                    self.paragraph([first], rng.randint(50, 90)),
                    "",
                    "## Proposed action {#action}",
                    "",
                    *items,
                    "",
                ]
            )
            texts[doc.path] = _front_matter(doc, self.w.sentence(), len(body.split())) + "\n" + body
        return texts

    def annex_texts(self) -> dict[str, str]:
        rng = self.w.rng
        texts = {}
        for doc in self.annexes:
            refs = [self.ref(rng.choice(("chapter#", "rec")))] if self.chapters or self.recs else []
            body = "\n".join(
                [
                    self.paragraph([], rng.randint(20, 40)),
                    "",
                    f"## {doc.anchor_titles[0]} {{#{doc.anchors[0]}}}",
                    "",
                    self.paragraph(refs, rng.randint(40, 80)),
                    "",
                    f"## {doc.anchor_titles[1]} {{#{doc.anchors[1]}}}",
                    "",
                    *[f"- {self.w.sentence(3, 8)}" for _ in range(rng.randint(2, 5))],
                    "",
                ]
            )
            texts[doc.path] = _front_matter(doc, self.w.sentence(), len(body.split())) + "\n" + body
        return texts

    def settings_texts(self) -> dict[str, str]:
        title = self.w.title(3, 5)
        subtitle = "A synthetic report made by reportkit.generate"
        author = "Synthetic Panel"
        sets = "".join(f"  {n + 1}: {SET_TITLES[n]}\n" for n in range(self.set_count))
        roster = ["# The synthetic Panel's roster.", "members:"]
        for i, (ident, name) in enumerate(self.members):
            roster += [
                f"  - id: {ident}",
                f"    name: {name}",
                f"    role: {'co-chair' if i < 2 else 'member'}",
                f"    affiliation: {self.w.title(1, 3)}",
                f"    github: synthetic-{ident}",
            ]
        roster += [
            "  - id: secretariat",
            "    name: Secretariat of the Panel",
            "    role: secretariat",
            "    affiliation: United Nations",
            "",
        ]
        return {
            "report.yml": (
                f"title: {title}\nsubtitle: {subtitle}\nauthor: {author}\nlanguage: en-GB\n"
                f"repository: https://example.invalid/synthetic-report\nsets:\n{sets}"
            ),
            "roster.yml": "\n".join(roster),
            "mkdocs.yml": _MKDOCS_YML.format(title=title, subtitle=subtitle, author=author),
            "web/index.md": (
                f"# {title}\n\n{subtitle}.\n\nEach chapter, recommendation and annex is its "
                "own page; the [recommendations](recommendations/index.md) have an index "
                "of their own.\n"
            ),
            "web/assets/report.css": _CSS,
        }

    def files(self) -> dict[str, bytes]:
        texts = {**self.settings_texts(), **self.chapter_texts(), **self.rec_texts(), **self.annex_texts()}
        files = {path: text.encode("utf-8") for path, text in texts.items()}
        files[IMAGE] = png()
        return files

    def author_names(self, authors: int) -> list[tuple[str, str]]:
        return [(name, f"synthetic-{ident}@example.invalid") for ident, name in self.members[: max(authors, 1)]]


def _history(out: Path, files: dict[str, bytes], commits: int, authors: list[tuple[str, str]], seed: int) -> None:
    """Write `commits` commits whose last tree is `files`, in one fast-import stream."""
    rng = random.Random(seed * 1_000_003 + 7)  # apart from the content's, so history does not change it
    plan = _history_plan(rng, files, commits)
    stream = _History(files, plan, commits).stream(rng, authors)
    env = {
        **os.environ,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_AUTHOR_NAME": "reportkit",
        "GIT_AUTHOR_EMAIL": "generate@example.invalid",
        "GIT_COMMITTER_NAME": "reportkit",
        "GIT_COMMITTER_EMAIL": "generate@example.invalid",
    }

    def git(*args: str, stdin: bytes | None = None) -> None:
        subprocess.run(
            ["git", *args], cwd=out, env=env, input=stdin, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )

    git("init", "--quiet", "--initial-branch=main")
    git("fast-import", "--quiet", "--date-format=raw", stdin=stream)
    git("reset", "--quiet")  # the index follows HEAD; the files on disk already match it


def _history_plan(rng: random.Random, files: dict[str, bytes], commits: int) -> list[list[tuple[str, str]]]:
    """What each commit does, by commit number: ("modify" or "rename", file's last path)."""
    content = sorted(p for p in files if p.endswith(".md") and not p.startswith("web/"))
    plan: list[list[tuple[str, str]]] = [[] for _ in range(commits + 1)]  # index = commit number
    forced = (commits + 2) // 2 if commits >= 2 and content else None  # at least one rename
    for c in range(2, commits + 1):
        chosen = rng.sample(content, min(len(content), 1 + (rng.random() < 0.3) + (rng.random() < 0.1)))
        plan[c] = [
            ("rename" if rng.random() < 0.03 or (c == forced and i == 0) else "modify", f) for i, f in enumerate(chosen)
        ]
    return plan


def _data(blob: bytes) -> bytes:
    return b"data %d\n" % len(blob) + blob + b"\n"


class _History:
    """A planned history written as a fast-import stream: each file's versions and earlier names."""

    def __init__(self, files: dict[str, bytes], plan: list[list[tuple[str, str]]], commits: int):
        self.files, self.plan, self.commits = files, plan, commits
        self.last = {f: 1 for f in files}
        for c in range(2, commits + 1):
            for _, f in plan[c]:
                self.last[f] = c
        # Walk backwards to find each file's earlier names.
        self.path = {f: f for f in files}
        self.renames: dict[tuple[int, str], tuple[str, str]] = {}
        for c in range(commits, 1, -1):
            for kind, f in plan[c]:
                if kind == "rename":
                    new = self.path[f]
                    folder, _, name = f.rpartition("/")
                    old = f"{folder}/draft-{c}-{name}"
                    self.renames[(c, f)] = (old, new)
                    self.path[f] = old

    def version(self, f: str, c: int) -> bytes:
        if self.last[f] == c:
            return self.files[f]
        words = " ".join(VOCABULARY[(c * 7 + i * 13) % len(VOCABULARY)] for i in range(6))
        return self.files[f] + f"\n{words.capitalize()} (draft {c}).\n".encode()

    def changes(self, c: int) -> tuple[list[bytes], str]:
        """Commit c's file operations and message."""
        if c == 1:
            ops = [
                b"M 100644 inline " + self.path[f].encode() + b"\n" + _data(self.version(f, 1))
                for f in sorted(self.files)
            ]
            return ops, "Start the report"
        ops = []
        for kind, f in self.plan[c]:
            if kind == "rename":
                old, new = self.renames[(c, f)]
                ops.append(f"R {old} {new}\n".encode())
                self.path[f] = new
            ops.append(b"M 100644 inline " + self.path[f].encode() + b"\n" + _data(self.version(f, c)))
        return ops, "; ".join(f"{'Rename' if k == 'rename' else 'Edit'} {f}" for k, f in self.plan[c])

    def stream(self, rng: random.Random, authors: list[tuple[str, str]]) -> bytes:
        stream = bytearray()
        for c in range(1, self.commits + 1):
            name, email = authors[(c - 1) % len(authors) if c == 1 else rng.randrange(len(authors))]
            when = f"{HISTORY_EPOCH + c * 3600} +0000"
            ops, message = self.changes(c)
            stream += f"commit refs/heads/main\nmark :{c}\n".encode()
            stream += f"author {name} <{email}> {when}\ncommitter {name} <{email}> {when}\n".encode()
            stream += _data(message.encode())
            if c > 1:
                stream += f"from :{c - 1}\n".encode()
            stream += b"".join(ops) + b"\n"
        return bytes(stream)


def generate(
    out: Path,
    chapters: int,
    sections: int,
    recommendations: int,
    annexes: int,
    refs_per_section: int,
    seed: int,
    commits: int = 0,
    authors: int = 5,
) -> None:
    """Write a valid synthetic report into `out` (which must be empty or absent); see the module."""
    out = Path(out)
    for name, value in (
        ("chapters", chapters),
        ("sections", sections),
        ("annexes", annexes),
        ("refs_per_section", refs_per_section),
        ("commits", commits),
    ):
        if value < 0:
            raise ValueError(f"{name} must not be negative")
    if not 1 <= recommendations <= 5 * 999:
        raise ValueError("recommendations must be between 1 and 4995 (5 sets of at most 999)")
    if chapters * sections * refs_per_section < recommendations:
        raise ValueError(
            f"{chapters} chapters of {sections} sections with {refs_per_section} references "
            f"each cannot cite all {recommendations} recommendations"
        )
    if authors < 1:
        raise ValueError("authors must be at least 1")
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise FileExistsError(f"{out} exists and is not an empty folder")
    generator = _Generator(chapters, sections, recommendations, annexes, refs_per_section, seed, authors)
    files = generator.files()
    out.mkdir(parents=True, exist_ok=True)
    for folder in sorted({p.rpartition("/")[0] for p in files if "/" in p}):
        (out / folder).mkdir(parents=True, exist_ok=True)
    for path, blob in files.items():
        (out / path).write_bytes(blob)
    if commits:
        _history(out, files, commits, generator.author_names(authors), seed)
