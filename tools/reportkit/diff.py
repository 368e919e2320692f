"""What changed between two versions of the report: sections paired by id, labels renumbered, words.

`compare(old, new)` is a pure function of two loaded Reports: every section paired by its id (then by
its path), how it changed (added, removed, modified, renamed, unchanged), its label, status and owner
on each side, and the words added and removed. Text is compared as a reader sees it: references
count by the section they name, not by the label it has on each side (so a renumbered target is not a
change of text: the renumbering table says it), line wrapping does not count, and a paragraph moved
whole is a move, not words removed and added again. `read_side` is the one thin function that reads
a side from git (an edition tag, a branch, a commit) or from the working tree.

The alignment of blocks (`align`) and of words (`word_ops`) is shared with the redline editions
(`render/redline.py`), which run it on pandoc's AST of each side rather than on the scan.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import cached_property
from pathlib import Path

from .diagnostics import ERROR, Diagnostic
from .markdown import md_text
from .model import Document, Report

# -- alignment: blocks, then words ---------------------------------------------------------------

SAME, EDIT, INSERT, DELETE, MOVED_OUT, MOVED_IN = "same", "edit", "insert", "delete", "moved-out", "moved-in"
PAIRING_WINDOW = 40  # how far ahead a changed block looks for its counterpart (bounds the cost)


@dataclass(frozen=True)
class Step:
    """One step of an alignment, in reading order: a block kept, edited, moved, inserted or deleted."""

    op: str
    old: int | None
    new: int | None

    def old_index(self) -> int:
        """The block on the old side: every step has one but an insertion or a move in."""
        if self.old is None:
            raise ValueError(f"a '{self.op}' step has no block on the old side")
        return self.old

    def new_index(self) -> int:
        """The block on the new side: every step has one but a deletion or a move out."""
        if self.new is None:
            raise ValueError(f"a '{self.op}' step has no block on the new side")
        return self.new


def align(old: Sequence[Hashable], new: Sequence[Hashable], similar: Callable[[int, int], bool]) -> list[Step]:
    """Align two sequences of block keys: equal blocks in order are kept; a block found whole on the
    other side out of order is moved; in between, blocks that `similar` pairs are edited in place and
    the rest inserted or deleted. Deleted blocks come where they stood, before what replaced them."""
    opcodes = SequenceMatcher(None, old, new, autojunk=False).get_opcodes()
    loose_old = [i for tag, i1, i2, _, _ in opcodes if tag != "equal" for i in range(i1, i2)]
    loose_new = [j for tag, _, _, j1, j2 in opcodes if tag != "equal" for j in range(j1, j2)]
    waiting: dict[Hashable, list[int]] = {}
    for i in loose_old:
        waiting.setdefault(old[i], []).append(i)
    moved: dict[int, int] = {}
    for j in loose_new:
        if waiting.get(new[j]):
            moved[waiting[new[j]].pop(0)] = j
    arrived = set(moved.values())
    steps: list[Step] = []
    for tag, i1, i2, j1, j2 in opcodes:
        if tag == "equal":
            steps += [Step(SAME, i1 + k, j1 + k) for k in range(i2 - i1)]
        else:
            steps += _region(range(i1, i2), range(j1, j2), moved, arrived, similar)
    return steps


def _region(
    olds: range, news: range, moved: dict[int, int], arrived: set[int], similar: Callable[[int, int], bool]
) -> list[Step]:
    """A stretch where the sides differ: pairs edited in order, each preceded by what went and came."""
    pairs = _pairs([i for i in olds if i not in moved], [j for j in news if j not in arrived], similar)
    paired_old, paired_new = {i for i, _ in pairs}, {j for _, j in pairs}
    gone = [Step(MOVED_OUT if i in moved else DELETE, i, None) for i in olds if i not in paired_old]
    came = [Step(MOVED_IN if j in arrived else INSERT, None, j) for j in news if j not in paired_new]
    steps: list[Step] = []
    for i, j in pairs:
        steps += [s for s in gone if s.old is not None and s.old < i]
        steps += [s for s in came if s.new is not None and s.new < j]
        gone = [s for s in gone if s.old is not None and s.old > i]
        came = [s for s in came if s.new is not None and s.new > j]
        steps.append(Step(EDIT, i, j))
    return steps + gone + came


def _pairs(olds: list[int], news: list[int], similar: Callable[[int, int], bool]) -> list[tuple[int, int]]:
    """Old and new blocks that are versions of each other, in order (greedy, within a window)."""
    pairs, start = [], 0
    for i in olds:
        for k in range(start, min(len(news), start + PAIRING_WINDOW)):
            if similar(i, news[k]):
                pairs.append((i, news[k]))
                start = k + 1
                break
    return pairs


def resembles(a: Sequence[Hashable], b: Sequence[Hashable], threshold: float = 0.5) -> bool:
    """Two token sequences share enough to be shown as one edited block rather than two."""
    if not a or not b:
        return False
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    return (
        matcher.real_quick_ratio() >= threshold and matcher.quick_ratio() >= threshold and matcher.ratio() >= threshold
    )


def word_ops(old: Sequence[str], new: Sequence[str], fold: bool = False) -> list[tuple[str, int, int, int, int]]:
    """difflib's opcodes between two word sequences. With `fold`, for display, a lone short word kept
    between two changes is folded into them ("a b c" -> "x b y" reads as one change, not two around
    an unchanged "b"); counts are made without it."""
    opcodes = SequenceMatcher(None, old, new, autojunk=False).get_opcodes()
    merged: list[tuple[str, int, int, int, int]] = []
    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        lone = fold and tag == "equal" and i2 - i1 == 1 and 0 < index < len(opcodes) - 1 and len(old[i1]) <= 4
        if lone:
            tag = "replace"
        if merged and tag != "equal" and merged[-1][0] != "equal":
            _, a1, _, b1, _ = merged[-1]
            merged[-1] = ("replace", a1, i2, b1, j2)
        else:
            merged.append((tag, i1, i2, j1, j2))
    return merged


# -- a document as a reader reads it -------------------------------------------------------------


@dataclass(frozen=True)
class Token:
    key: str  # what is compared
    words: int  # how many words it counts for (0 for punctuation and markup left alone)


_WORDLIKE = re.compile(r"[^\W_]")
_UNSEEN = Token("", 0)
_MARKER_STARTS = frozenset(">#-*+0123456789")
_LINE_MARKER = re.compile(r"^[ \t]*(?:(?:>[ \t]?)+|#{1,6}(?=[ \t])|(?:[-*+]|\d{1,9}[.)])(?=[ \t]))[ \t]*")
_EDGE_MARKUP = "*_`~[]\\|"
_TABLE_RULE = re.compile(r"^:?-{3,}:?$")
SKIPPED_BLOCKS = frozenset({"definition", "rule"})  # link definitions and rules hold no words


def _token(raw: str) -> Token | None:
    word = raw.strip(_EDGE_MARKUP)
    if not word or _TABLE_RULE.match(word):
        return None
    return Token(word, 1 if _WORDLIKE.search(word) else 0)


_TOKENS: dict[str, Token | None] = {}  # a text repeats its words: each is read once per run


def _words(text: str) -> list[Token]:
    """Plain text as tokens: markup at the ends of each word, list and quote markers left out."""
    tokens = []
    known = _TOKENS
    for line in text.split("\n"):
        if line.lstrip()[:1] in _MARKER_STARTS:
            line = _LINE_MARKER.sub("", line)
        for raw in line.split():
            token = known.get(raw, _UNSEEN)
            if token is _UNSEEN:
                token = known[raw] = _token(raw)
            if token is not None:
                tokens.append(token)
    if len(known) > 1_000_000:  # a bound, for a process that compares many reports
        known.clear()
    return tokens


def _without_comments(text: str) -> str:
    """HTML comments are for authors: readers never see them."""
    out, position = [], 0
    start = text.find("<!--")
    while start >= 0:
        end = text.find("-->", start + 4)
        if end < 0:
            break
        out.append(text[position:start])
        position = end + 3
        start = text.find("<!--", position)
    return "".join(out) + text[position:]


def _cuts(doc: Document) -> list[tuple[int, int, list[Token]]]:
    """What the scan found in a body that a reader does not read as written: references (one token
    naming their target, or their own words), link targets, note marks, heading ids."""
    scan = doc.scan
    cuts = []
    for ref in scan.refs:
        target = f"\x01{ref.kind}:{ref.target}#{ref.anchor or ''}"
        if ref.text and ref.text.strip():
            cuts.append((ref.start, ref.end, [Token(f"{target}\x02{t.key}", t.words) for t in _words(ref.text)]))
        else:
            token = _TOKENS.get(target)
            if token is None:
                token = _TOKENS[target] = Token(target, 1)
            cuts.append((ref.start, ref.end, [token]))
    cuts += [(link.target_start - 1, link.end, []) for link in scan.links]
    cuts += [(note.start, note.end, []) for note in scan.notes]
    for heading in scan.headings:
        brace = scan.body.rfind("{", heading.start, heading.end) if heading.explicit else -1
        if brace >= 0:
            cuts.append((brace, heading.end, []))
    return sorted(cuts, key=lambda cut: (cut[0], -cut[1]))


@dataclass(frozen=True)
class Block:
    kind: str
    tokens: tuple[Token, ...]

    @cached_property
    def key(self) -> tuple[str, tuple[str, ...]]:
        return self.kind, tuple(t.key for t in self.tokens)


def reader_blocks(doc: Document) -> list[Block]:
    """The document as a reader reads it: its title, then each block of its body, as tokens."""
    body, cuts = doc.scan.body, _cuts(doc)
    blocks = [Block("title", tuple(_words(doc.title)))]
    index = 0
    for block in doc.scan.blocks:
        if block.kind in SKIPPED_BLOCKS:
            continue
        tokens: list[Token] = []
        position = block.start
        while index < len(cuts) and cuts[index][0] < block.end:
            start, end, replacement = cuts[index]
            index += 1
            if start < position:
                continue  # inside an earlier cut (a reference inside a link's text)
            tokens += _words(_without_comments(body[position:start])) + replacement
            position = end
        tokens += _words(_without_comments(body[position : max(position, block.end)]))
        if tokens:
            blocks.append(Block(block.kind, tuple(tokens)))
    return blocks


# -- two reports compared ------------------------------------------------------------------------


@dataclass(frozen=True)
class Side:
    """One side of a comparison: a report and where it was read from."""

    report: Report
    ref: str | None  # None: the working tree
    commit: str | None


@dataclass
class Renumbered:
    id: str | None
    kind: str
    change: str  # renumbered, added, removed, withdrawn, restored
    before: str | None  # the label, e.g. "Recommendation 3C"; None when the section had none
    after: str | None

    def as_json(self) -> dict:
        return {"id": self.id, "kind": self.kind, "change": self.change, "from": self.before, "to": self.after}


@dataclass
class SectionChange:
    id: str | None
    kind: str
    path: str  # where it is now (where it was, when removed)
    path_from: str | None
    change: str  # added, removed, modified, renamed, unchanged
    title: str
    label_from: str | None
    label_to: str | None
    status_from: str | None
    status_to: str | None
    owner_from: str | None
    owner_to: str | None
    words_added: int = 0
    words_removed: int = 0
    paragraphs_moved: int = 0


@dataclass
class Comparison:
    before: dict  # {"ref", "commit"}
    after: dict
    renumbered: list[Renumbered]
    sections: list[SectionChange]

    def as_json(self) -> dict:
        """The stable JSON shape (documented in the README)."""
        changed = [s for s in self.sections if s.change != "unchanged"]
        totals = {
            kind: sum(1 for s in self.sections if s.change == kind)
            for kind in ("added", "removed", "modified", "renamed", "unchanged")
        }
        totals.update(
            words_added=sum(s.words_added for s in changed), words_removed=sum(s.words_removed for s in changed)
        )
        return {
            "from": self.before,
            "to": self.after,
            "renumbered": [r.as_json() for r in self.renumbered],
            "sections": [vars(s).copy() for s in self.sections],
            "totals": totals,
        }


def label(doc: Document | None) -> str | None:
    """A section's label as the text cites it ("Recommendation 1A"), or None when it has none."""
    return doc.label if doc is not None and doc.number else None


def pair_documents(old: list[Document], new: list[Document]) -> list[tuple[Document | None, Document | None]]:
    """The sections of both sides, paired by id (by path when a side has no id, e.g. an unreadable
    file), in the new side's reading order; a removed section comes after the one it followed."""
    new_by_id = {d.id: d for d in new if d.id}
    new_by_path = {d.path: d for d in new}
    partner: dict[int, Document] = {}
    taken: set[int] = set()
    for doc in old:
        match = new_by_id.get(doc.id) if doc.id else None
        if match is None:
            candidate = new_by_path.get(doc.path)
            if candidate is not None and (not doc.id or not candidate.id):
                match = candidate
        if match is not None and id(match) not in taken:
            partner[id(doc)] = match
            taken.add(id(match))
    following: dict[int | None, list[Document]] = {}
    anchor: int | None = None
    for doc in old:
        if id(doc) in partner:
            anchor = id(partner[id(doc)])
        else:
            following.setdefault(anchor, []).append(doc)
    reverse = {id(match): doc for doc in old if (match := partner.get(id(doc))) is not None}
    pairs: list[tuple[Document | None, Document | None]] = [(d, None) for d in following.get(None, [])]
    for doc in new:
        pairs.append((reverse.get(id(doc)), doc))
        pairs += [(d, None) for d in following.get(id(doc), [])]
    return pairs


def count_words(old: list[Block], new: list[Block]) -> tuple[int, int, int]:
    """Words added, words removed, and blocks moved whole, from one document's blocks to the other's."""

    def similar(i: int, j: int) -> bool:
        return old[i].kind == new[j].kind and resembles(old[i].key[1], new[j].key[1])

    added, removed, moved = 0, 0, 0
    for step in align([b.key for b in old], [b.key for b in new], similar):
        a = old[step.old].tokens if step.old is not None else ()
        b = new[step.new].tokens if step.new is not None else ()
        if step.op == MOVED_IN:
            moved += 1
        elif step.op == INSERT:
            added += sum(t.words for t in b)
        elif step.op == DELETE:
            removed += sum(t.words for t in a)
        elif step.op == EDIT:
            for tag, i1, i2, j1, j2 in word_ops([t.key for t in a], [t.key for t in b]):
                if tag != "equal":
                    removed += sum(t.words for t in a[i1:i2])
                    added += sum(t.words for t in b[j1:j2])
    return added, removed, moved


def _section(before: Document | None, after: Document | None) -> SectionChange:
    doc = after or before
    assert doc is not None
    if before is not None and after is not None and (before.title, before.body) == (after.title, after.body):
        old_blocks = new_blocks = []  # the same text: nothing to count (most sections, most of the time)
    else:
        old_blocks = reader_blocks(before) if before else []
        new_blocks = reader_blocks(after) if after else []
    added, removed, moved = count_words(old_blocks, new_blocks)
    if before is None:
        change = "added"
    elif after is None:
        change = "removed"
    elif before.path != after.path:
        change = "renamed"
    elif (
        added
        or removed
        or moved
        or [b.key for b in old_blocks] != [b.key for b in new_blocks]
        or (before.status, before.owner, before.kind) != (after.status, after.owner, after.kind)
    ):
        change = "modified"
    else:
        change = "unchanged"
    return SectionChange(
        id=doc.id,
        kind=doc.kind,
        path=doc.path,
        path_from=before.path if before else None,
        change=change,
        title=doc.title,
        label_from=label(before),
        label_to=label(after),
        status_from=before.status if before else None,
        status_to=after.status if after else None,
        owner_from=before.owner if before else None,
        owner_to=after.owner if after else None,
        words_added=added,
        words_removed=removed,
        paragraphs_moved=moved,
    )


def _renumbering(section: SectionChange) -> Renumbered | None:
    if section.label_from == section.label_to:
        return None
    if section.change in ("added", "removed"):
        change = section.change
    elif section.status_to == "withdrawn" and section.status_from != "withdrawn":
        change = "withdrawn"
    elif section.status_from == "withdrawn" and section.status_to != "withdrawn":
        change = "restored"
    else:
        change = "renumbered"
    return Renumbered(section.id, section.kind, change, section.label_from, section.label_to)


def compare(old: Side, new: Side) -> Comparison:
    """Every section of both sides: how it changed, its labels and the words added and removed."""
    sections = [_section(a, b) for a, b in pair_documents(old.report.documents, new.report.documents)]
    renumbered = [r for r in map(_renumbering, sections) if r is not None]
    return Comparison(
        {"ref": old.ref, "commit": old.commit}, {"ref": new.ref, "commit": new.commit}, renumbered, sections
    )


# -- reading a side ------------------------------------------------------------------------------


class DiffError(Exception):
    """A side cannot be read (no git, an unknown ref, an unusable report.yml there): exit 2."""


class UnreadableSide(Exception):
    """A side's text could not all be read (a symbolic link, a huge file): the comparison would be
    wrong, so it is refused (exit 1). `diagnostics` locates each file."""

    def __init__(self, message: str, diagnostics: list[Diagnostic]):
        super().__init__(message)
        self.diagnostics = diagnostics


def read_side(root: Path, ref: str | None) -> Side:
    """The report at a git ref (an edition tag, a branch, a commit), or in the working tree (None)."""
    from . import gitio
    from .loader import ConfigError, load, load_at

    try:
        if ref is None:
            report, commit = load(root), None
        else:
            report, commit = load_at(root, ref)
    except gitio.UnknownRef:
        raise DiffError(
            f"'{ref}' names no commit in this repository: give an edition tag "
            "(see `git tag --list 'edition-*'`), a branch or a commit"
        ) from None
    except gitio.GitProblem as exc:
        raise DiffError(str(exc)) from None
    except ConfigError as exc:
        where = f"at {ref}" if ref else "in the working tree"
        details = "".join(f"; {d.text()}" for d in exc.diagnostics[:3])
        raise DiffError(f"the report {where} cannot be read: {exc}{details}") from None
    unread = unreadable(report)
    if unread:
        where = f"at {ref}" if ref else "in the working tree"
        raise UnreadableSide(
            f"{len(unread)} file{'s' if len(unread) != 1 else ''} of the report {where} "
            "could not be read, so what changed cannot be told",
            unread,
        )
    return Side(report, ref, commit)


def unreadable(report: Report) -> list[Diagnostic]:
    """The report's text files that were not read (a symbolic link, a special or huge file)."""
    texts = set(report.by_path) | {"roster.yml", "report.yml"}
    return [d for d in report.diagnostics if d.severity == ERROR and d.code.startswith("file.") and d.path in texts]


# -- output --------------------------------------------------------------------------------------


def _side_name(side: dict) -> str:
    if side["ref"] is None:
        return "the working tree"
    return f"{side['ref']} ({side['commit'][:12]})" if side["commit"] else side["ref"]


def _words_text(s: SectionChange) -> str:
    text = f"+{s.words_added} -{s.words_removed} words"
    if s.paragraphs_moved:
        text += f", {s.paragraphs_moved} paragraph{'s' if s.paragraphs_moved != 1 else ''} moved"
    return text


def _arrow(before: str | None, after: str | None, arrow: str = "->") -> str:
    if before == after:
        return before or "—"
    return f"{before or '—'} {arrow} {after or '—'}"


def format_text(result: Comparison) -> str:
    lines = [f"changes from {_side_name(result.before)} to {_side_name(result.after)}"]
    lines.append(f"renumbered ({len(result.renumbered)}):")
    width = max([len(r.id or "") for r in result.renumbered] + [2])
    for r in result.renumbered:
        lines.append(f"  {(r.id or '?'):<{width}}  {_arrow(r.before, r.after)}  ({r.change})")
    changed = [s for s in result.sections if s.change != "unchanged"]
    lines.append(f"sections ({len(changed)} changed, {len(result.sections) - len(changed)} unchanged):")
    for s in changed:
        where = s.path if s.change != "renamed" else f"{s.path_from} -> {s.path}"
        facts = [_words_text(s)]
        if s.status_from != s.status_to and s.change not in ("added", "removed"):
            facts.append(f"status {_arrow(s.status_from, s.status_to)}")
        if s.owner_from != s.owner_to and s.change not in ("added", "removed"):
            facts.append(f"owner {_arrow(s.owner_from, s.owner_to)}")
        lines.append(f"  {s.change:<9} {(s.id or '?'):<{width}}  {where}  {'; '.join(facts)}")
    return "\n".join(lines) + "\n"


def _cell(value: object) -> str:
    """A value in a Markdown table cell, shown as exactly its text (`md_text`, minus the escapes of
    marks that only count at the start of a line, so the Markdown stays readable)."""
    if value in (None, ""):
        return "—"
    return re.sub(r"\\([-.+#!()])", r"\1", md_text(value))


def markdown_tables(result: Comparison) -> list[str]:
    """The renumbering table and the sections changed, as Markdown lines (every value escaped as text)."""
    lines: list[str] = []
    if result.renumbered:
        lines += ["| Section | Before | After | Change |", "|---|---|---|---|"]
        lines += [f"| {_cell(r.id)} | {_cell(r.before)} | {_cell(r.after)} | {r.change} |" for r in result.renumbered]
    else:
        lines.append("No section was renumbered.")
    lines.append("")
    changed = [s for s in result.sections if s.change != "unchanged"]
    if changed:
        lines += [
            "| Section | Change | Label | Status | Owner | Words added | Words removed |",
            "|---|---|---|---|---|---:|---:|",
        ]
        for s in changed:
            moved = f" ({s.paragraphs_moved} moved)" if s.paragraphs_moved else ""
            lines.append(
                f"| **{_cell(s.id)}** {_cell(s.path)} | {s.change}{moved} "
                f"| {_cell(_arrow(s.label_from, s.label_to, '→'))} "
                f"| {_cell(_arrow(s.status_from, s.status_to, '→'))} "
                f"| {_cell(_arrow(s.owner_from, s.owner_to, '→'))} | {s.words_added} | {s.words_removed} |"
            )
        lines.append("")
    unchanged = len(result.sections) - len(changed)
    return lines + [f"{len(changed)} section{'s' if len(changed) != 1 else ''} changed, {unchanged} unchanged.", ""]


def format_markdown(result: Comparison) -> str:
    """For a pull request's job summary: the renumbering table and the words changed per section."""
    base = result.before
    lines = [f"### What changed since {_cell(base['ref'])}", ""]
    if base["commit"]:
        lines += [
            (
                f"Compared with commit {base['commit'][:12]}, as a reader sees the text "
                "(references by what they name, line wrapping ignored)."
            ),
            "",
        ]
    return "\n".join(lines + markdown_tables(result))


def format_json(result: Comparison) -> str:
    return json.dumps(result.as_json(), indent=2, ensure_ascii=False) + "\n"


FORMATS = {"text": format_text, "json": format_json, "markdown": format_markdown}
