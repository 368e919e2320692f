"""What a change touches and whose approval it needs, between a git ref and the working tree.

`review` reads git (through gitio) and the loaded report; the decisions (`entries`, `pair_by_id`,
`route`) are pure functions of what it read, tested without git.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace

from . import frontmatter, gitio
from .model import Member, Report
from .paths import is_content


class ReviewError(Exception):
    """The base ref cannot be read (no git, not a repository, unknown ref): a usage problem."""


@dataclass
class Change:
    path: str  # current path ('' when deleted)
    old_path: str  # path at the base ('' when added)
    change: str  # added, modified, renamed, deleted
    id: str
    title: str
    owner: str
    old_owner: str
    status: str
    old_status: str
    approvers: list[str] = field(default_factory=list)  # roster ids


@dataclass
class Review:
    base: str
    sections: list[Change]
    other_files: list[str]
    approvers: list[str]  # roster ids, in order of first need
    handles: dict[str, str]  # roster id -> @handle (or the member's name)


@dataclass(frozen=True)
class Entry:
    """One changed file, paths relative to the report root."""

    change: str  # added, modified, renamed, deleted
    old: str  # path at the base ('' when added)
    new: str  # current path ('' when deleted)


def _meta(data: bytes | None, path: str) -> dict:
    """The front matter of a file as it was at the base; {} when it cannot be read."""
    if data is None:
        return {}
    decoded, _ = frontmatter.decode(data, path)
    if decoded is None:
        return {}
    parsed = frontmatter.split(decoded, path)
    return parsed.data if isinstance(parsed.data, dict) else {}


def _id(meta: dict) -> str | None:
    value = meta.get("id")
    return value if isinstance(value, str) and value else None


def review(report: Report, base: str) -> Review:
    """The sections changed since base (renames followed, by file and by id) and their approvers."""
    try:
        repo = gitio.Git(report.root)
        commit = repo.resolve(base)
        changed = entries(repo.diff(commit), repo.untracked(), repo.prefix)
        olds = [e.old for e in changed if e.old and is_content(e.old)]
        texts = repo.read_files(commit, olds)
    except gitio.GitProblem as exc:
        raise ReviewError(str(exc)) from None
    before = {path: _meta(texts.get(path), path) for path in olds}
    after = {doc.path: doc.meta for doc in report.documents}
    return route(base, pair_by_id(changed, before, after), before, after, report.members)


def entries(diff: list[gitio.NameStatus], untracked: list[str], prefix: str) -> list[Entry]:
    """git's changes (paths from the work tree's top, `prefix` above the report) as entries."""

    def local(path: str) -> str:
        return path.removeprefix(prefix)

    found = []
    for item in diff:
        old, new = local(item.old_path), local(item.new_path)
        if item.status == "R":
            found.append(Entry("renamed", old, new))
        elif item.status in "AC":  # a copy is a new file; its source is unchanged
            found.append(Entry("added", "", new))
        elif item.status == "D":
            found.append(Entry("deleted", old, ""))
        else:
            found.append(Entry("modified", new, new))
    return found + [Entry("added", "", local(path)) for path in untracked]


def pair_by_id(changed: list[Entry], before: dict[str, dict], after: dict[str, dict]) -> list[Entry]:
    """A section deleted at one path and added at another with the same id is a rename git did not
    see (the text changed too much); before/after: front matter by path at the base and now."""
    deleted = {
        _id(before[e.old]): e.old for e in changed if e.change == "deleted" and e.old in before and _id(before[e.old])
    }
    result, paired = [], set()
    for entry in changed:
        match = deleted.get(_id(after.get(entry.new, {}))) if entry.change == "added" else None
        if match and is_content(entry.new):
            result.append(Entry("renamed", match, entry.new))
            paired.add(match)
        else:
            result.append(entry)
    return [e for e in result if not (e.change == "deleted" and e.old in paired)]


def route(
    base: str, changed: list[Entry], before: dict[str, dict], after: dict[str, dict], members: dict[str, Member]
) -> Review:
    """Whose approval each change needs: the owner, old and new; the Secretariat too when the
    section is or becomes agreed, has no owner, or the file is not a section."""
    secretariat = [m.id for m in members.values() if m.role == "secretariat"]
    sections, others, needed = [], [], []
    for entry in sorted(changed, key=lambda e: e.new or e.old):
        if not is_content(entry.new or entry.old):
            others.append(entry.new or entry.old)
            continue
        section = _section(
            entry,
            before.get(entry.old, {}) if entry.old else {},
            after.get(entry.new, {}) if entry.new else {},
            secretariat,
        )
        sections.append(section)
        needed += [a for a in section.approvers if a not in needed]
    if others:
        needed += [s for s in secretariat if s not in needed]
    return Review(base, sections, others, needed, {ident: _handle(ident, members) for ident in needed})


def _section(entry: Entry, before: dict, meta: dict, secretariat: list[str]) -> Change:
    owner, old_owner = str(meta.get("owner", "")), str(before.get("owner", ""))
    status, old_status = str(meta.get("status", "")), str(before.get("status", ""))
    approvers = list(dict.fromkeys(o for o in (owner, old_owner) if o))
    if "agreed" in (status, old_status) or not approvers:
        approvers += [s for s in secretariat if s not in approvers]
    return Change(
        path=entry.new,
        old_path=entry.old,
        change=entry.change,
        id=str(meta.get("id") or before.get("id") or ""),
        title=str(meta.get("title") or before.get("title") or ""),
        owner=owner,
        old_owner=old_owner,
        status=status,
        old_status=old_status,
        approvers=approvers,
    )


def _handle(ident: str, members: dict[str, Member]) -> str:
    """How a person is asked: @handle on GitHub, else their name."""
    member = members.get(ident)
    if member is None:
        return ident
    return f"@{member.github}" if member.github else member.name


def _status_text(c: Change) -> str:
    if c.change == "added":
        return c.status
    if c.change == "deleted":
        return f"{c.old_status} → deleted"
    return c.status if c.status == c.old_status else f"{c.old_status} → {c.status}"


def _printable(result: Review) -> Review:
    """The review with every path as text: a byte that is not UTF-8 (kept so the path still names
    its file) is shown as U+FFFD rather than failing the output."""

    def text(path: str) -> str:
        return gitio.path_bytes(path).decode("utf-8", "replace")

    sections = [replace(c, path=text(c.path), old_path=text(c.old_path)) for c in result.sections]
    return replace(result, sections=sections, other_files=[text(p) for p in result.other_files])


def format_review(result: Review, fmt: str) -> str:
    """The review as text (for a terminal), markdown (a pull-request comment) or json."""
    result = _printable(result)
    if fmt == "json":
        return json.dumps(asdict(result), indent=2, ensure_ascii=False) + "\n"
    who = ", ".join(result.handles[a] for a in result.approvers) or "nobody"
    if fmt == "markdown":
        lines = [f"### Review routing (changes since `{result.base}`)", ""]
        if not result.sections and not result.other_files:
            return "\n".join(lines + ["No changes.", ""])
        if result.sections:
            lines += ["| Section | Change | Status | Owner | Approval needed from |", "|---|---|---|---|---|"]
            for c in result.sections:
                where = f"`{c.path or c.old_path}`"
                if c.change == "renamed":
                    where = f"`{c.old_path}` → `{c.path}`"
                owner = c.owner if c.owner == c.old_owner or not c.old_owner else f"{c.old_owner} → {c.owner}"
                approvers = ", ".join(result.handles[a] for a in c.approvers)
                lines.append(f"| **{c.id}** {where} | {c.change} | {_status_text(c)} | {owner} | {approvers} |")
            lines.append("")
        if result.other_files:
            lines += [
                "Other files (reviewed by the Secretariat): " + ", ".join(f"`{p}`" for p in result.other_files),
                "",
            ]
        lines += [f"**Approvals needed:** {who}", ""]
        return "\n".join(lines)
    lines = [f"changes since {result.base}:"]
    for c in result.sections:
        where = c.path or c.old_path
        if c.change == "renamed":
            where = f"{c.old_path} -> {c.path}"
        lines.append(
            f"  {c.change:<9} {c.id:<32} {where}  status {_status_text(c).replace('→', '->')}  "
            f"approval: {', '.join(result.handles[a] for a in c.approvers)}"
        )
    for path in result.other_files:
        lines.append(f"  other     {path}")
    if len(lines) == 1:
        lines.append("  no changes")
    lines.append(f"approvals needed: {who}")
    return "\n".join(lines) + "\n"
