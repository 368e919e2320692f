"""Git history of the report's files, read in one pass over the log (renames followed)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .model import Report

RECORD, UNIT = "\x1e", "\x1f"


@dataclass
class FileHistory:
    path: str  # the file's current path, relative to the report root
    last_date: str = ""  # ISO 8601 date of the last commit that changed it
    last_author: str = ""
    contributors: list[str] = field(default_factory=list)  # authors, most recent first
    commits: int = 0


def of_report(report: Report) -> tuple[dict[str, FileHistory] | None, str | None]:
    """The history of every document of a loaded report; or None, and why there is none."""
    try:
        return read(report.root, [d.path for d in report.documents]), None
    except NoHistory as exc:
        return None, str(exc)


class NoHistory(Exception):
    """The report is not in a git repository, or git cannot read it: the reason is the message."""


def read(root: Path | str, paths: list[str]) -> dict[str, FileHistory]:
    """History of each path (relative to root), newest commit first, in one `git log` pass."""
    import git  # here, not at the top: `report check` never needs it, and it is slow to import

    root = Path(root).resolve()
    try:
        repo = git.Repo(root, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise NoHistory(f"{root} is not in a git repository, so there is no history to show") from None
    try:
        top = Path(repo.working_tree_dir).resolve()
        prefix = root.relative_to(top).as_posix()
        prefix = "" if prefix == "." else prefix + "/"
        if not repo.head.is_valid():
            raise NoHistory("the git repository has no commits yet")
        log = repo.git.log("--format=" + RECORD + "%an" + UNIT + "%aI", "--name-status", "-M",
                           "--no-color", "--", root.as_posix() if prefix else ".")
    except git.GitCommandError as exc:
        raise NoHistory(f"git could not read the history: {exc.stderr.strip() or exc}") from None
    finally:
        repo.close()

    wanted = {prefix + p: p for p in paths}
    # Walking from newest to oldest, older names of a file are mapped to its current name.
    current: dict[str, str] = {name: name for name in wanted}
    result: dict[str, FileHistory] = {p: FileHistory(p) for p in paths}
    for record in log.split(RECORD)[1:]:
        header, _, changes = record.partition("\n")
        author, _, date = header.partition(UNIT)
        touched: set[str] = set()
        for line in changes.splitlines():
            parts = line.split("\t")
            if len(parts) < 2:
                continue
            status = parts[0]
            if status.startswith(("R", "C")) and len(parts) == 3:
                old, new = parts[1], parts[2]
                name = current.get(new)
                if name is not None:
                    touched.add(name)
                    if status.startswith("R"):
                        current[old] = name
                        current.pop(new, None)
            else:
                name = current.get(parts[1])
                if name is not None:
                    touched.add(name)
                    if status == "A":  # older commits with this path were about another file
                        current.pop(parts[1], None)
        for name in touched:
            entry = result[wanted[name]]
            if not entry.commits:
                entry.last_date, entry.last_author = date, author
            if author not in entry.contributors:
                entry.contributors.append(author)
            entry.commits += 1
    return result
