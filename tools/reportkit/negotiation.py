"""Negotiated text: the open points (CriticMarkup marks) and where each member stands on each
recommendation (`positions:` in its front matter); their rules, what blocks the final edition, and
the matrix of members and recommendations that `report positions` and the draft editions show.

A position names the commit of the text it was given on; it goes stale when the recommendation's
text (its body, not its front matter, where positions are recorded) differs from that commit's,
read from git (`gitio`). Nothing here prints: rules return diagnostics, the matrix is data.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from . import frontmatter, gitio, refs
from .diagnostics import ERROR, WARNING, Diagnostic
from .markdown import CriticMark, md_text
from .model import Document, Member, Report

log = logging.getLogger(__name__)

STANCES = ("support", "reservation", "objection")
ROSTER_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")  # as the schema's `id`
KIND_NAMES = {
    "highlight": "bracketed passage",
    "substitution": "alternative",
    "insertion": "proposed insertion",
    "deletion": "proposed deletion",
    "comment": "comment",
}
EXCERPT = 100  # characters of a mark's text in a listing


# -- open points ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class OpenPoint:
    doc: Document
    mark: CriticMark
    line: int
    column: int
    texts: tuple[str, ...]  # the mark's texts as readers see them (references as their labels)

    @property
    def kind(self) -> str:
        return KIND_NAMES[self.mark.kind]

    @property
    def text(self) -> str:
        """What the point is about, shortened: the passage, or both texts of an alternative."""
        if self.mark.kind == "substitution":
            return f"{excerpt(self.texts[0], EXCERPT // 2)} / {excerpt(self.texts[1], EXCERPT // 2)}"
        return excerpt(self.texts[0])

    @property
    def reason(self) -> str:
        """Why a bracketed passage is open (the comment that follows it), or ''."""
        return excerpt(self.texts[1]) if self.mark.kind == "highlight" and len(self.texts) > 1 else ""

    def description(self, limit: int = 1000) -> str:
        """'Alternative: “one” / “the other”', 'Bracketed passage: “...” (why: ...)': for a table."""
        texts = [excerpt(text, limit) for text in self.texts]
        if self.mark.kind == "substitution":
            return f"{self.kind.capitalize()}: “{texts[0]}” / “{texts[1]}”"
        why = f" (why: {texts[1]})" if self.mark.kind == "highlight" and len(texts) > 1 else ""
        return f"{self.kind.capitalize()}: “{texts[0]}”{why}"

    @property
    def where(self) -> str:
        return f"{self.doc.path}:{self.line}"


def excerpt(text: str, limit: int = EXCERPT) -> str:
    words = " ".join(text.split())
    return words if len(words) <= limit else words[: limit - 1].rstrip() + "…"


def open_points(report: Report) -> list[OpenPoint]:
    """Every mark of text not yet agreed, in reading order."""
    points = []
    for doc in report.documents:
        for mark in doc.scan.marks:
            line, column = doc.where(mark.start)
            texts = tuple(refs.as_text(report, text) for text in mark.texts)
            points.append(OpenPoint(doc, mark, line, column, texts))
    return points


def owner_name(report: Report, doc: Document) -> str:
    member = report.members.get(doc.owner or "")
    return member.name if member else (doc.owner or "no owner")


# -- positions -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Position:
    doc: Document
    index: int  # in the front matter's list
    member: str
    stance: str
    note: str
    commit: str | None
    line: int  # the front-matter line of the entry


def positions_of(doc: Document) -> list[Position]:
    """A recommendation's positions as the front matter gives them (entries the schema refuses are
    left to its findings)."""
    entries = doc.meta.get("positions") if doc.kind == "rec" else None
    if not isinstance(entries, list):
        return []
    found = []
    for index, entry in enumerate(entries):
        if not (
            isinstance(entry, dict)
            and isinstance(entry.get("member"), str)
            and ROSTER_ID.fullmatch(entry["member"])
            and entry.get("stance") in STANCES
        ):
            continue  # the schema's finding says what is wrong with it
        note = entry["note"] if isinstance(entry.get("note"), str) else ""
        commit = entry["commit"] if isinstance(entry.get("commit"), str) else None
        found.append(
            Position(
                doc, index, entry["member"], entry["stance"], note.strip(), commit, doc.entry_line("positions", index)
            )
        )
    return found


def voters(report: Report) -> list[Member]:
    """The members who take a stance: everyone on the roster but the Secretariat."""
    return [m for m in report.members.values() if m.role != "secretariat"]


def required(report: Report) -> bool:
    return report.settings.get("positions") == "required"


def _at(position: Position, severity: str, code: str, message: str) -> Diagnostic:
    return Diagnostic(position.doc.path, position.line, 1, severity, code, message)


def _problems(report: Report, doc: Document, entries: list[Position]) -> list[Diagnostic]:
    found = []
    seen: dict[str, int] = {}
    for position in entries:
        if report.members and position.member not in report.members:
            found.append(
                _at(
                    position,
                    ERROR,
                    "position.member",
                    f"'{position.member}' is not in roster.yml{refs.suggest(position.member, report.members)}",
                )
            )
        if position.member in seen:
            found.append(
                _at(
                    position,
                    ERROR,
                    "position.duplicate",
                    f"'{position.member}' already has a "
                    f"position on this recommendation (line {seen[position.member]}): keep one",
                )
            )
        seen.setdefault(position.member, position.line)
        if position.stance == "reservation" and not position.note:
            found.append(
                _at(
                    position,
                    ERROR,
                    "position.note",
                    f'{position.member}\'s reservation has no note: say what the reservation is, in `note: "..."`',
                )
            )
    if required(report) and not doc.withdrawn:
        missing = [m.id for m in voters(report) if m.id not in seen]
        if missing:
            found.append(
                Diagnostic(
                    doc.path,
                    doc.key_line("positions" if "positions" in doc.meta else "id"),
                    1,
                    WARNING,
                    "position.missing",
                    f"{_count(len(missing), 'member')} "
                    f"{'has' if len(missing) == 1 else 'have'} no stance on {doc.label}: "
                    f"{_some(missing)} (report.yml: `positions: required`)",
                )
            )
    return found


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _some(names: list[str], limit: int = 8) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


# -- staleness, from git -------------------------------------------------------------------------


@dataclass
class Freshness:
    """Which positions were given on a text that has changed since, as git tells it."""

    stale: dict[tuple[str, int], str] = field(default_factory=dict)  # (path, index) -> the commit named
    diagnostics: list[Diagnostic] = field(default_factory=list)
    why_unknown: str | None = None  # git could not tell


def _normalised(body: str) -> str:
    return "\n".join(line.rstrip() for line in body.split("\n")).strip("\n")


class _History:
    """The texts of recommendations at commits, read from git once each."""

    def __init__(self, repo: gitio.Git):
        self.repo = repo
        self.commits: dict[str, str | None] = {}
        self.bodies: dict[tuple[str, str], str | None] = {}
        self.records: list[gitio.LogRecord] | None = None

    def commit(self, name: str) -> str | None:
        if name not in self.commits:
            try:
                self.commits[name] = self.repo.resolve(name)
            except gitio.UnknownRef:
                self.commits[name] = None
        return self.commits[name]

    def body(self, commit: str, path: str) -> str | None:
        """The body of the file at path (followed back through renames) as it was at commit."""
        key = (commit, path)
        if key not in self.bodies:
            raw = self.repo.read_file(commit, path)
            if raw is None:
                earlier = self._path_at(commit, path)
                raw = self.repo.read_file(commit, earlier) if earlier != path else None
            text = frontmatter.decode(raw, path)[0] if raw is not None else None
            self.bodies[key] = frontmatter.split(text, path).body if text is not None else None
        return self.bodies[key]

    def _path_at(self, commit: str, path: str) -> str:
        if self.records is None:
            self.records = self.repo.log()
        name = self.repo.prefix + path
        for record in self.records:  # newest first: undo each rename until the commit is reached
            if record.sha == commit:
                break
            name = next((c.old_path for c in record.changes if c.status == "R" and c.new_path == name), name)
        return self.repo.local(name)


def freshness(report: Report) -> Freshness:
    """Stale positions (warnings) and commits git does not know (errors), located at their entries."""
    named = [p for doc in report.of_kind("rec") for p in positions_of(doc) if p.commit]
    result = Freshness()
    if not named:
        return result
    try:
        history = _History(gitio.Git(report.root))
        for position in named:
            _judge(history, position, result)
    except gitio.GitProblem as exc:
        log.info("positions: staleness not known: %s", exc)
        result.why_unknown = str(exc)
    return result


def _judge(history: _History, position: Position, result: Freshness) -> None:
    commit = history.commit(str(position.commit))
    if commit is None:
        result.diagnostics.append(
            _at(
                position,
                ERROR,
                "position.commit",
                f"no commit '{position.commit}' in "
                "this repository: give the hash of the commit whose text "
                f"{position.member} took a stance on",
            )
        )
        return
    then = history.body(commit, position.doc.path)
    if then is None:
        result.diagnostics.append(
            _at(
                position,
                ERROR,
                "position.commit",
                f"{position.doc.path} did not exist at commit {position.commit}: give a commit that holds the text",
            )
        )
    elif _normalised(then) != _normalised(position.doc.body):
        result.stale[(position.doc.path, position.index)] = str(position.commit)
        result.diagnostics.append(
            _at(
                position,
                WARNING,
                "position.stale",
                f"{position.member}'s "
                f"{position.stance} was given on the text of commit {position.commit}, "
                "and the text has changed since: ask them to confirm it, then update "
                "`commit`",
            )
        )


# -- the rules -----------------------------------------------------------------------------------


def check_marks(report: Report) -> list[Diagnostic]:
    """CriticMarkup that the editions cannot all show alike: unclosed, nested, over two paragraphs."""
    found = []
    for doc in report.documents:
        for problem in doc.scan.critic.problems:
            line, column = doc.where(problem.offset)
            message = problem.message
            if problem.closes is not None:
                message += f" (it closes on line {doc.where(problem.closes)[0]})"
            found.append(Diagnostic(doc.path, line, column, ERROR, problem.code, message))
    return found


def check_positions(report: Report) -> list[Diagnostic]:
    """Positions naming no member, twice a member, a reservation without a note; with
    `positions: required` the members without a stance; stale positions and unknown commits."""
    found = []
    for doc in report.of_kind("rec"):
        found += _problems(report, doc, positions_of(doc))
    return found + freshness(report).diagnostics


# -- the final edition ---------------------------------------------------------------------------


def blockers(report: Report) -> list[Diagnostic]:
    """What keeps the final edition from being built: every open point, and with
    `positions: required` every recommendation some member has taken no stance on."""
    found = []
    for point in open_points(report):
        why = f" (why: “{point.reason}”)" if point.reason else ""
        found.append(
            Diagnostic(
                point.doc.path,
                point.line,
                point.column,
                ERROR,
                "final.open-mark",
                f"open point in {point.doc.label}, {point.kind}: “{point.text}”{why}; "
                "agree the text and remove its marks",
            )
        )
    if required(report):
        for doc in report.of_kind("rec"):
            if doc.withdrawn:
                continue
            taken = {p.member for p in positions_of(doc)}
            missing = [m.id for m in voters(report) if m.id not in taken]
            if missing:
                found.append(
                    Diagnostic(
                        doc.path,
                        doc.key_line("positions" if "positions" in doc.meta else "id"),
                        1,
                        ERROR,
                        "final.position-missing",
                        f"{_count(len(missing), 'member')} {'has' if len(missing) == 1 else 'have'}"
                        f" no stance on {doc.label}: {_some(missing)}",
                    )
                )
    return found


# -- the final edition's note on reservations ----------------------------------------------------


def reservations_note(report: Report, doc: Document) -> str:
    """Markdown for the end of a recommendation when report.yml says `final: {reservations: note}`:
    each reservation with the member's name and note, as text."""
    final = report.settings.get("final")
    if not isinstance(final, dict) or final.get("reservations") != "note" or doc.kind != "rec":
        return ""
    entries = [p for p in positions_of(doc) if p.stance == "reservation" and p.member in report.members]
    if not entries:
        return ""
    items = [f"{md_text(report.members[p.member].name)}: {md_text(p.note)}" for p in entries]
    heading = "Reservation" if len(items) == 1 else "Reservations"
    return (
        f"\n**{heading}.** "
        + " ".join(f"{item}{'' if item.endswith(('.', '!', '?')) else '.'}" for item in items)
        + "\n"
    )
