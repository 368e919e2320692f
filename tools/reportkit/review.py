"""What a change touches and whose approval it needs, between a git ref and the working tree."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path


from . import frontmatter
from .model import KIND_FOLDERS, Report


class ReviewError(Exception):
    """The base ref cannot be read (not a repository, unknown ref): a usage problem."""


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


def _meta(text: str | None, path: str) -> dict:
    if text is None:
        return {}
    decoded, _ = frontmatter.decode(text.encode("utf-8", "surrogateescape"), path)
    if decoded is None:
        return {}
    parsed = frontmatter.split(decoded, path)
    return parsed.data or {}


def _is_content(path: str) -> bool:
    return path.split("/", 1)[0] in KIND_FOLDERS.values() and path.endswith(".md")


def review(report: Report, base: str) -> Review:
    """The sections changed since base (renames followed, by file and by id) and their approvers."""
    import git  # here, not at the top: only this command needs it

    root = report.root
    try:
        repo = git.Repo(root, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise ReviewError(f"{root} is not in a git repository") from None
    try:
        return _review(report, repo, base)
    finally:
        repo.close()


def _review(report: Report, repo, base: str) -> Review:
    import git

    top = Path(repo.working_tree_dir).resolve()
    prefix = report.root.relative_to(top).as_posix()
    prefix = "" if prefix == "." else prefix + "/"
    try:
        repo.git.rev_parse("--verify", "--quiet", base + "^{commit}")
    except git.GitCommandError:
        raise ReviewError(f"'{base}' is not a commit in this repository") from None
    scope = prefix.rstrip("/") or "."
    diff = repo.git.diff("--name-status", "-M", "--no-color", base, "--", scope)
    untracked = repo.git.ls_files("--others", "--exclude-standard", "--", scope)

    def old_text(path: str) -> str | None:
        try:
            return repo.git.show(f"{base}:{prefix}{path}")
        except git.GitCommandError:
            return None

    def local(path: str) -> str:  # git names paths from the repository's top, we from the report's
        return path[len(prefix):] if path.startswith(prefix) else path

    entries: list[tuple[str, str, str]] = []  # (change, old, new), paths relative to root
    for line in diff.splitlines():
        parts = line.split("\t")
        status = parts[0]
        paths = [local(p) for p in parts[1:]]
        if status.startswith("R") and len(paths) == 2:
            entries.append(("renamed", paths[0], paths[1]))
        elif status == "A":
            entries.append(("added", "", paths[0]))
        elif status == "D":
            entries.append(("deleted", paths[0], ""))
        elif paths:
            entries.append(("modified", paths[0], paths[0]))
    entries += [("added", "", local(path)) for path in untracked.splitlines()]

    old_meta = {old: _meta(old_text(old), old) for _, old, _ in entries if old and _is_content(old)}
    # A file deleted here and added there with the same id is a rename git did not see.
    deleted_ids = {old_meta[old].get("id"): old for change, old, _ in entries
                   if change == "deleted" and old in old_meta}
    merged: list[tuple[str, str, str]] = []
    paired: set[str] = set()
    for change, old, new in entries:
        if change == "added" and _is_content(new):
            doc = report.by_path.get(new)
            match = deleted_ids.get(doc.id) if doc else None
            if match:
                merged.append(("renamed", match, new))
                paired.add(match)
                continue
        merged.append((change, old, new))
    merged = [e for e in merged if not (e[0] == "deleted" and e[1] in paired)]

    secretariat = [m.id for m in report.members.values() if m.role == "secretariat"]
    sections, others, needed = [], [], []

    def need(ids: list[str]) -> None:
        for ident in ids:
            if ident and ident not in needed:
                needed.append(ident)

    for change, old, new in sorted(merged, key=lambda e: e[2] or e[1]):
        if not _is_content(new or old):
            others.append(new or old)
            continue
        doc = report.by_path.get(new) if new else None
        before = old_meta.get(old, {}) if old else {}
        meta = doc.meta if doc else {}
        owner, old_owner = str(meta.get("owner", "")), str(before.get("owner", ""))
        status, old_status = str(meta.get("status", "")), str(before.get("status", ""))
        approvers = [o for o in (owner, old_owner) if o]
        approvers = list(dict.fromkeys(approvers))
        if "agreed" in (status, old_status) or not approvers:
            approvers += [s for s in secretariat if s not in approvers]
        need(approvers)
        sections.append(Change(
            path=new, old_path=old, change=change,
            id=str(meta.get("id") or before.get("id") or ""),
            title=str(meta.get("title") or before.get("title") or ""),
            owner=owner, old_owner=old_owner, status=status, old_status=old_status,
            approvers=approvers))
    if others:
        need(secretariat)
    handles = {}
    for ident in needed:
        member = report.members.get(ident)
        handles[ident] = f"@{member.github}" if member and member.github else (member.name if member else ident)
    return Review(base, sections, others, needed, handles)


def _status_text(c: Change) -> str:
    if c.change == "added":
        return c.status
    if c.change == "deleted":
        return f"{c.old_status} → deleted"
    return c.status if c.status == c.old_status else f"{c.old_status} → {c.status}"


def format_review(result: Review, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(asdict(result), indent=2, ensure_ascii=False) + "\n"
    who = ", ".join(result.handles[a] for a in result.approvers) or "nobody"
    if fmt == "markdown":
        lines = [f"### Review routing (changes since `{result.base}`)", ""]
        if not result.sections and not result.other_files:
            return "\n".join(lines + ["No changes.", ""])
        if result.sections:
            lines += ["| Section | Change | Status | Owner | Approval needed from |",
                      "|---|---|---|---|---|"]
            for c in result.sections:
                where = f"`{c.path or c.old_path}`"
                if c.change == "renamed":
                    where = f"`{c.old_path}` → `{c.path}`"
                owner = c.owner if c.owner == c.old_owner or not c.old_owner else f"{c.old_owner} → {c.owner}"
                approvers = ", ".join(result.handles[a] for a in c.approvers)
                lines.append(f"| **{c.id}** {where} | {c.change} | {_status_text(c)} | {owner} | {approvers} |")
            lines.append("")
        if result.other_files:
            lines += ["Other files (reviewed by the Secretariat): "
                      + ", ".join(f"`{p}`" for p in result.other_files), ""]
        lines += [f"**Approvals needed:** {who}", ""]
        return "\n".join(lines)
    lines = [f"changes since {result.base}:"]
    for c in result.sections:
        where = c.path or c.old_path
        if c.change == "renamed":
            where = f"{c.old_path} -> {c.path}"
        lines.append(f"  {c.change:<9} {c.id:<32} {where}  status {_status_text(c).replace('→', '->')}  "
                     f"approval: {', '.join(result.handles[a] for a in c.approvers)}")
    for path in result.other_files:
        lines.append(f"  other     {path}")
    if len(lines) == 1:
        lines.append("  no changes")
    lines.append(f"approvals needed: {who}")
    return "\n".join(lines) + "\n"
