"""`report comments --apply`: a review's tracked changes made into commits on a new branch, one per
reviewer with the reviewer as its author, so the usual review routing applies to them.

Only git's plumbing is used (`hash-object`, `mktree`, `commit-tree`, `update-ref` through `gitio`):
the user's checkout, index and current branch are never touched, and the branch is created only
when every commit is made. It starts from HEAD, and is refused when the report's files have
uncommitted changes (the review would be applied to a state nobody committed).

A change is applied only where it can be applied faithfully: placed at HEAD on the words it was
made on (a passage edited since the edition, gone, unplaced, inside what the build writes in place of
the source's markup, a cross-reference's label, a note's number, a caption's label or an acronym
spelt out, or in a title, is left out, with the reason); a deletion must cover exactly the words it
deleted.
Comments are never applied: they stay in the listing.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path, PurePath

from . import gitio
from .comments import MOVED, PLACED, UNCHANGED, Placed, Reading
from .comments_format import change_text, plain
from .model import Document
from .text_align import Shown, shown, tokens
from .word_review import DELETION, INSERTION

_MARKUP_TOKENS = frozenset("*_`\\")
_ESCAPES = {
    "\\": "\\\\",
    "`": "\\`",
    "*": "\\*",
    "_": "\\_",
    "[": "\\[",
    "]": "\\]",
    "|": "\\|",
    "<": "&lt;",
    ">": "&gt;",
    "&": "&amp;",
    "{": "&#123;",
    "}": "&#125;",
    "~": "&#126;",
    "^": "&#94;",
    "$": "&#36;",
    "@": "&#64;",
}
_BLOCK_START = re.compile(r"^(?:([#+-])|(\d+)([.)]))")  # what opens a heading or a list at a paragraph's start
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?(Z|[+-]\d{2}:\d{2})?")


class ApplyRefused(Exception):
    """Nothing was applied; the message says why and what to do."""


@dataclass
class Edit:
    path: str
    start: int  # offsets in the file's text at HEAD
    end: int
    text: str  # what replaces [start, end)
    placed: Placed


@dataclass
class Applied:
    branch: str | None  # None when no change could be applied
    base: str
    commits: list[tuple[str, str, int]] = field(default_factory=list)  # commit, author, changes
    skipped: list[tuple[Placed, str]] = field(default_factory=list)  # a change left out, and why


def branch_name(file: str) -> str:
    """A safe, valid branch name made from a file's name: review/<its words, lowercase, ASCII>."""
    name = PurePath(file.replace("\\", "/")).name
    name = re.sub(r"\.docx$", "", name, flags=re.IGNORECASE)
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:60].strip("-")
    return f"review/{slug or 'docx'}"


def _unopen(m: re.Match) -> str:
    return "\\" + m.group(1) if m.group(1) else m.group(2) + "\\" + m.group(3)


def markdown_text(text: str) -> str:
    """Text a reviewer typed, as Markdown that shows exactly it: markup characters escaped,
    typographic quotes made straight (the editions make them typographic again), a paragraph break
    made a blank line, and nothing at a paragraph's start that would open a heading or a list."""
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    paragraphs: list[str] = []
    for paragraph in text.split("\n"):
        escaped = "".join(_ESCAPES.get(c, c) for c in " ".join(paragraph.split(" ")))
        paragraphs.append(_BLOCK_START.sub(_unopen, escaped) if paragraphs else escaped)
    return "\n\n".join(paragraphs)


def _file_offset(text: str, doc: Document, offset: int) -> int:
    line = doc.body_line - 1
    position = 0
    for _ in range(line):
        position = text.index("\n", position) + 1
    return position + offset


def _why_not(placed: Placed) -> str | None:
    now = placed.now
    if placed.status not in (PLACED, UNCHANGED, MOVED) or now is None:
        return {"edited": "the passage was edited since the edition: apply it by hand"}.get(
            placed.status, f"it is {placed.status}: {placed.note}"
        )
    if now.start < 0:
        return f"it is in {now.path} outside a document's text (a title or a setting): apply it by hand"
    if placed.surroundings_changed:
        return "the words around it changed since the edition: apply it by hand"
    if now.in_reference:
        return "it is inside a cross-reference, whose label the build writes: change the reference ([[...]]) by hand"
    if now.inside:
        return f"it is inside {now.inside}, which the build writes: change the source by hand"
    return None


def _edit(placed: Placed, doc: Document, text: str, view: Shown) -> Edit | str:
    """The edit a tracked change makes to a file's text at HEAD, or why it cannot be made."""
    now = placed.now
    assert now is not None
    start, end = now.start, now.end
    body = doc.scan.body
    if placed.item.kind == INSERTION:
        inserted = placed.item.text
        # A paragraph break takes the spaces where it is made with it: no new paragraph starts with one.
        while inserted.endswith("\n") and end < len(body) and body[end] in " \t":
            end += 1
        while inserted.startswith("\n") and start > 0 and body[start - 1] in " \t":
            start -= 1
        return Edit(
            doc.path, _file_offset(text, doc, start), _file_offset(text, doc, end), markdown_text(inserted), placed
        )
    # What a reader saw there must be the words deleted (a reference's label counts as its words).
    deleted = [t[2] for t in tokens(placed.item.text) if t[2] not in _MARKUP_TOKENS]
    seen = [t[2] for t in view.tokens_between(view.to_shown(start), view.to_shown(end)) if t[2] not in _MARKUP_TOKENS]
    if deleted != seen:
        return f"the text there (“{plain(body[start:end], 80)}”) is not what was deleted"
    marks = [n.label for n in doc.scan.notes if not n.definition and start <= n.start and n.end <= end]
    if marks:  # its text, at the end of the file, would be left without a mark (`note.unused`)
        return (
            f"it deletes the mark of the note [^{plain(marks[0], 40)}], not its text: delete the note "
            "(mark and text) by hand, or keep it"
        )
    for mark in ("**", "__", "*", "_"):  # the whole of an emphasis goes with its marks
        if body[max(start - len(mark), 0) : start] == mark and body[end : end + len(mark)] == mark:
            start, end = start - len(mark), end + len(mark)
            break
    replacement = ""
    if not deleted and "\n" in placed.item.text:  # a paragraph break deleted: the two become one line
        while start > 0 and body[start - 1] in " \t\n":
            start -= 1
        while end < len(body) and body[end] in " \t\n":
            end += 1
        replacement = " "
    return Edit(doc.path, _file_offset(text, doc, start), _file_offset(text, doc, end), replacement, placed)


def plan(reading: Reading, texts: dict[str, str]) -> tuple[list[Edit], list[tuple[Placed, str]]]:
    """The edits of every tracked change that can be applied, and the others with the reason."""
    edits, skipped = [], []
    views: dict[str, Shown] = {}
    for placed in reading.results:
        if placed.item.kind not in (INSERTION, DELETION):
            continue
        why = _why_not(placed)
        doc = reading.report.by_path.get(placed.now.path) if placed.now else None
        if why is None and (doc is None or doc.path not in texts):
            why = "its file is not in HEAD's tree"
        if why is None and doc is not None:
            if doc.path not in views:
                views[doc.path] = shown(reading.report, doc)
            made = _edit(placed, doc, texts[doc.path], views[doc.path])
            if isinstance(made, Edit):
                edits.append(made)
                continue
            why = made
        skipped.append((placed, why or "it cannot be applied"))
    return edits, skipped


def _overlaps(edit: Edit, others: list[Edit]) -> Edit | None:
    for other in others:
        if other.path == edit.path and edit.start < other.end and other.start < edit.end:
            return other
    return None


def _reviewers(edits: list[Edit]) -> list[tuple[str, list[Edit]]]:
    """Edits by reviewer, reviewers in the order of their first change."""
    by: dict[str, list[Edit]] = {}
    for edit in edits:
        by.setdefault(edit.placed.item.author, []).append(edit)
    return sorted(by.items(), key=lambda kv: (min(e.placed.item.date or "~" for e in kv[1]), kv[0]))


def _identity(reading: Reading, author: str, edits: list[Edit]) -> gitio.Identity:
    """The reviewer as a commit author: a roster member's GitHub address when the name is a
    member's, and the latest date of their changes."""
    member = next((m for m in reading.report.members.values() if m.name == author and m.github), None)
    email = f"{member.github}@users.noreply.github.com" if member else ""
    dates = sorted(e.placed.item.date for e in edits if _DATE.fullmatch(e.placed.item.date))
    return gitio.Identity(author or "Unnamed reviewer", email, dates[-1] if dates else None)


def _message(reading: Reading, author: str, edits: list[Edit]) -> str:
    facts = reading.facts
    name = PurePath(reading.file.replace("\\", "/")).name
    title = (
        f"Review of {plain(facts.edition, 80)} by {plain(author, 80) or 'an unnamed reviewer'}: "
        f"{len(edits)} tracked change{'s' if len(edits) != 1 else ''}"
    )
    origin = (
        f"From {plain(name, 120)} (edition {plain(facts.edition, 80)} of {facts.date}, commit "
        f"{(facts.commit or 'none')[:12]}), applied by `report comments --apply`."
    )
    lines = [title, "", origin, ""]
    for edit in edits:
        now = edit.placed.now
        assert now is not None
        verb = "inserted" if edit.placed.item.kind == INSERTION else "deleted"
        lines.append(f"- {now.path}:{now.line}: {verb} {change_text(edit.placed.item, 200)}")
    return "\n".join(lines) + "\n"


def _apply_edits(text: str, edits: list[Edit]) -> str:
    for edit in sorted(edits, key=lambda e: (e.start, e.end), reverse=True):
        text = text[: edit.start] + edit.text + text[edit.end :]
    return text


def _prepare(root: Path, reading: Reading) -> tuple[gitio.Git, str, str]:
    """The repository, HEAD and the new branch's name; refused when applying would not be safe."""
    try:
        repo = gitio.Git(root)
    except gitio.GitProblem as exc:
        raise ApplyRefused(f"the changes are applied as git commits, and {exc}") from None
    head = reading.head
    if head is None:
        raise ApplyRefused("the repository has no commit to start the branch from")
    docx = Path(reading.file).absolute()
    blocking = [path for path in repo.uncommitted() if (repo.top / path).absolute() != docx]
    if blocking:
        more = f" and {len(blocking) - 3} more" if len(blocking) > 3 else ""
        raise ApplyRefused(
            f"the working tree has uncommitted changes in the report ({', '.join(blocking[:3])}"
            f"{more}); commit or stash them, then run the command again"
        )
    branch = branch_name(reading.file)
    if not repo.valid_branch(branch):
        raise ApplyRefused(f"git does not accept {branch!r} as a branch name; rename the file")
    if repo.branch_exists(branch):
        raise ApplyRefused(
            f"the branch {branch} exists already (this review was applied before?); delete "
            "it with `git branch -D " + branch + "` or rename the file"
        )
    return repo, head, branch


def apply(root: Path, reading: Reading) -> Applied:
    """Make the tracked changes of a reading into commits on a new branch from HEAD."""
    repo, head, branch = _prepare(root, reading)
    paths = sorted({p.now.path for p in reading.results if p.now and p.now.path in reading.report.by_path})
    texts = {path: data.decode("utf-8") for path, data in repo.read_files(head, paths).items()}
    edits, skipped = plan(reading, texts)
    applied = Applied(None, head, skipped=skipped)
    accepted: list[Edit] = []
    parent = head
    for author, mine in _reviewers(edits):
        kept: list[Edit] = []
        for edit in mine:
            other = _overlaps(edit, accepted + kept)
            if other is not None:
                applied.skipped.append((edit.placed, f"it overlaps a change by {other.placed.item.author}"))
            else:
                kept.append(edit)
        if not kept:
            continue
        accepted += kept
        touched = sorted({e.path for e in kept})
        blobs = {
            path: repo.write_blob(_apply_edits(texts[path], [e for e in accepted if e.path == path]).encode("utf-8"))
            for path in touched
        }
        tree = repo.tree_with(parent, blobs)
        parent = repo.commit_tree(tree, parent, _message(reading, author, kept), _identity(reading, author, kept))
        applied.commits.append((parent, author, len(kept)))
    if applied.commits:
        repo.create_branch(branch, parent)
        applied.branch = branch
    return applied


def describe(applied: Applied) -> str:
    lines = []
    if applied.branch:
        lines.append(
            f"applied on the new branch {applied.branch}, from {applied.base[:12]} (your checkout is unchanged):"
        )
        lines += [
            f"  {sha[:12]}  {plain(author, 80)}: {count} change{'s' if count != 1 else ''}"
            for sha, author, count in applied.commits
        ]
    else:
        lines.append("no tracked change could be applied: no branch was made")
    for placed, why in applied.skipped:
        where = placed.now or placed.where
        at = f"{where.path}:{where.line}:{where.column}: " if where else ""
        lines.append(
            f"  not applied: {at}{placed.item.kind} by {plain(placed.item.author, 80)} "
            f"{change_text(placed.item, 80)}: {why}"
        )
    if applied.branch:
        lines.append(f"next: git push origin {applied.branch}, then open a pull request from it")
    return "".join(line + "\n" for line in lines)
