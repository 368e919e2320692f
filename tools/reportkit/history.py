"""Git history of the report's files, read in one pass over the log (renames followed)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from . import gitio
from .model import Report


@dataclass
class FileHistory:
    path: str  # the file's current path, relative to the report root
    last_date: str = ""  # ISO 8601 date of the last commit that changed it
    last_author: str = ""
    contributors: list[str] = field(default_factory=list)  # authors, most recent first
    commits: int = 0
    last_email: str = ""  # the last author's e-mail (to credit them in a commit made for them)


class NoHistory(Exception):
    """The report is not in a git repository, or git cannot read it: the reason is the message."""


def of_report(report: Report) -> tuple[dict[str, FileHistory] | None, str | None]:
    """The history of every document of a loaded report; or None, and why there is none."""
    try:
        return read(report.root, [d.path for d in report.documents]), None
    except NoHistory as exc:
        return None, str(exc)


def read(root: Path | str, paths: list[str]) -> dict[str, FileHistory]:
    """History of each path (relative to root), newest commit first, in one `git log` pass."""
    try:
        repo = gitio.Git(root)
        if repo.head() is None:
            raise NoHistory("the git repository has no commits yet")
        records = repo.log()
    except gitio.NotARepository as exc:
        raise NoHistory(f"{exc}, so there is no history to show") from None
    except gitio.GitProblem as exc:
        raise NoHistory(str(exc)) from None
    return histories(records, paths, repo.prefix)


def histories(records: Iterable[gitio.LogRecord], paths: list[str], prefix: str) -> dict[str, FileHistory]:
    """Each path's history from log records, newest first (paths relative to the report root,
    records' paths from the work tree's top, which is `prefix` above the root)."""
    wanted = {prefix + p: p for p in paths}
    # Walking from newest to oldest, older names of a file are mapped to its current name.
    current: dict[str, str] = {name: name for name in wanted}
    result: dict[str, FileHistory] = {p: FileHistory(p) for p in paths}
    for record in records:
        for name in _follow(record.changes, current):
            _count(result[wanted[name]], record)
    return result


def _follow(changes: list[gitio.NameStatus], current: dict[str, str]) -> set[str]:
    """The current names a commit touched; then `current` maps paths as they were before it.

    Every name is looked up before any is remapped, so a commit that renames a to b and adds a
    new a (or swaps two names) gives each file its own past.
    """
    touched: set[str] = set()
    gone: list[str] = []
    earlier: dict[str, str] = {}
    for change in changes:
        name = current.get(change.new_path)
        if name is None:
            continue
        touched.add(name)
        if change.status in "ARC":  # before this commit the path was another file, or none
            gone.append(change.new_path)
        if change.status == "R":
            earlier[change.old_path] = name
    for path in gone:
        current.pop(path, None)
    current.update(earlier)
    return touched


def _count(entry: FileHistory, record: gitio.LogRecord) -> None:
    if not entry.commits:
        entry.last_date, entry.last_author, entry.last_email = record.date, record.author, record.email
    if record.author not in entry.contributors:
        entry.contributors.append(record.author)
    entry.commits += 1
