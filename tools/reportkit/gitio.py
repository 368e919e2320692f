"""The one place that runs git: a `Git` opened on a report root, and pure parsers of git's `-z` output.

Every command runs as `git --no-pager --literal-pathspecs -c core.quotepath=off ...` from the
work tree's top, with `-z` wherever git offers it, and in an environment where git never takes
an optional lock (`GIT_OPTIONAL_LOCKS=0`: `status` and `diff` do not rewrite `.git/index`), never
prompts (`GIT_TERMINAL_PROMPT=0`) and speaks English (`LC_ALL=C`, so the few messages we
recognise stay recognisable). Output is read as bytes. Paths are decoded as UTF-8 with
`surrogateescape`: a name that is not UTF-8 survives the round trip to the file system (it is
what `os.fsdecode` gives on Linux and macOS), and valid UTF-8 names, such as
`chapters/02-méthode.md`, appear as themselves. Names and e-mails of authors are text, decoded
with `replace`.

The parsers (`parse_*`) take git's raw bytes and return dataclasses; they run no process, so the
tests feed them literal bytes. This module imports nothing platform-specific: `report owners`
and `report review` import it and must start on Windows too.

Paths: the parsed records of `log`, `diff` and `untracked` name files as git does, from the
work tree's top (their consumers take `Git.prefix`); `read_files` and `snapshot` take and give
paths relative to the report root.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import NamedTuple

GIT = "git"
# Settings a person's git configuration could change and our parsers rely on.
OPTIONS = (
    "--no-pager",
    "--literal-pathspecs",
    "-c",
    "core.quotepath=off",  # with -z git never quotes; this covers any output without it
    "-c",
    "color.ui=false",
    "-c",
    "i18n.logOutputEncoding=UTF-8",
    "-c",
    "log.showSignature=false",  # gpg lines would land inside the log records
    "-c",
    "log.follow=false",  # one pathspec would otherwise turn on --follow
    "-c",
    "log.showRoot=true",  # the first commit's files count as added
    "-c",
    "diff.relative=false",
)
# Where the repository is comes from the report root; an inherited GIT_DIR (a git hook sets one)
# would point every command at another repository or index.
REPOSITORY_VARIABLES = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_COMMON_DIR", "GIT_PREFIX")
REGULAR_MODES = ("100644", "100755", "100664")  # 100664: trees written by very old gits
MAX_FILE_BYTES = 32 * 1024 * 1024  # a report's texts are kilobytes, its images a few megabytes

_SHA = re.compile(rb"[0-9a-f]{40}|[0-9a-f]{64}")
_STATUS = re.compile(rb"[ACDMRTUXB][0-9]*")


# -- errors ---------------------------------------------------------------------------------------


class GitProblem(Exception):
    """git could not answer; the message says why in plain words."""


class GitMissing(GitProblem):
    """The git program cannot be run."""


class NotARepository(GitProblem):
    """The report root is not inside a git work tree."""


class UnknownRef(GitProblem):
    """A ref that names no commit."""

    def __init__(self, ref: str):
        super().__init__(f"'{ref}' is not a commit in this repository")
        self.ref = ref


class GitError(GitProblem):
    """A git command failed; the message holds what git said."""

    def __init__(self, args: Sequence[str], returncode: int, stderr: bytes):
        said = stderr.decode("utf-8", "replace").strip() or "(git said nothing)"
        super().__init__(f"`git {' '.join(args[:2])}` failed (exit {returncode}): {said}")
        self.args_run, self.returncode, self.stderr = list(args), returncode, said


class UnexpectedOutput(GitProblem):
    """git printed something the parsers do not understand (a git far older or newer than ours)."""


# -- records --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NameStatus:
    """One line of `--name-status`: for a one-path status both paths name that path."""

    status: str  # one letter: A, C, D, M, R, T, U, X, B
    old_path: str
    new_path: str
    score: int | None = None  # similarity of a rename or copy, in percent


@dataclass(frozen=True)
class RawChange:
    """One entry of `diff-index --raw`: the name-status, with the modes and blobs on each side."""

    old_mode: str
    new_mode: str
    old_sha: str
    new_sha: str  # all zeros when git has not hashed the file on disk (its stat data changed)
    change: NameStatus

    @property
    def unsure(self) -> bool:
        """Listed as modified only because the file's stat data changed: the content may not have."""
        return self.change.status == "M" and self.old_mode == self.new_mode and not self.new_sha.strip("0")


@dataclass
class LogRecord:
    sha: str
    author: str
    email: str
    date: str  # ISO 8601, as %aI prints it
    changes: list[NameStatus] = field(default_factory=list)


@dataclass(frozen=True)
class TreeEntry:
    mode: str
    type: str  # blob, tree, commit (a submodule)
    sha: str
    size: int | None  # None for a submodule, or when asked without -l
    path: str


class Head(NamedTuple):
    commit: str
    epoch: int  # committer date, seconds since 1970


class EditionFacts(NamedTuple):
    """What an edition can say about its source: the commit, its date, and whether files differ."""

    commit: str | None
    epoch: int | None
    uncommitted: bool
    why_none: str | None  # why there is no commit, in plain words


@dataclass
class Snapshot:
    """The files under some folders of the report as they were at a commit."""

    commit: str
    files: dict[str, bytes]  # path relative to the report root -> content
    skipped: dict[str, str]  # path -> why it was not read (a symbolic link, a submodule, too large)


# -- pure parsers ---------------------------------------------------------------------------------


def path_text(raw: bytes) -> str:
    """A path as git printed it, as the str the file system would give for it."""
    return raw.decode("utf-8", "surrogateescape")


def path_bytes(path: str) -> bytes:
    return path.encode("utf-8", "surrogateescape")


def parse_paths(raw: bytes) -> list[str]:
    """A NUL-terminated list of paths (`ls-files -z`, `diff --name-only -z`)."""
    return [path_text(p) for p in raw.split(b"\0") if p]


def _change(tokens: list[bytes], i: int) -> tuple[NameStatus, int]:
    """The name-status entry starting at tokens[i]; the index after it."""
    token = tokens[i].lstrip(b"\n")
    if not _STATUS.fullmatch(token):
        raise UnexpectedOutput(f"git printed {token[:40]!r} where a change status was expected")
    status, score = chr(token[0]), int(token[1:]) if len(token) > 1 else None
    count = 2 if status in "RC" else 1
    if i + count >= len(tokens) or not all(tokens[i + 1 : i + 1 + count]):
        raise UnexpectedOutput(f"git's '{status}' entry is missing its path")
    paths = [path_text(p) for p in tokens[i + 1 : i + 1 + count]]
    return NameStatus(status, paths[0], paths[-1], score), i + 1 + count


def parse_name_status(raw: bytes) -> list[NameStatus]:
    """`diff --name-status -z`: STATUS NUL PATH NUL, or STATUS NUL OLD NUL NEW NUL for R and C."""
    tokens = raw.split(b"\0")
    entries, i = [], 0
    while i < len(tokens) and tokens[i].strip(b"\n"):
        entry, i = _change(tokens, i)
        entries.append(entry)
    return entries


def parse_raw_diff(raw: bytes) -> list[RawChange]:
    """`diff-index --raw -z --no-abbrev`: :OLDMODE SP NEWMODE SP OLDSHA SP NEWSHA SP STATUS NUL, then
    the path (or the old and new paths of R and C), each followed by NUL."""
    tokens = raw.split(b"\0")
    entries, i = [], 0
    while i < len(tokens) and tokens[i]:
        fields = tokens[i].split(b" ")
        if len(fields) != 5 or not fields[0].startswith(b":"):
            raise UnexpectedOutput(f"git printed {tokens[i][:60]!r} where a raw diff entry was expected")
        tokens[i] = fields[4]
        change, i = _change(tokens, i)
        old_mode, new_mode, old_sha, new_sha = (f.decode("ascii") for f in (fields[0][1:], *fields[1:4]))
        entries.append(RawChange(old_mode, new_mode, old_sha, new_sha, change))
    return entries


# The log's header; git ends it with NUL, then a newline if file changes follow.
LOG_FORMAT = "--format=%H%x00%an%x00%ae%x00%aI"


def parse_log(raw: bytes) -> list[LogRecord]:
    """`log -z --name-status --format=LOG_FORMAT`, newest first.

    Each commit is SHA NUL AUTHOR NUL EMAIL NUL DATE NUL, then (for a commit that changed files
    in the scope) a newline and name-status entries. A SHA cannot be mistaken for a status (40 or
    64 hex digits against a letter and a score), so the tokens say where each record begins.
    """
    tokens = raw.split(b"\0")
    records: list[LogRecord] = []
    i = 0
    while i < len(tokens) and tokens[i].strip(b"\n"):
        sha = tokens[i].lstrip(b"\n")
        if not _SHA.fullmatch(sha) or i + 4 >= len(tokens):
            raise UnexpectedOutput(f"git printed {sha[:40]!r} where a commit was expected")
        name, email, date = (t.decode("utf-8", "replace") for t in tokens[i + 1 : i + 4])
        record = LogRecord(sha.decode("ascii"), name, email, date)
        i += 4
        if tokens[i].startswith(b"\n"):  # this commit changed files in the scope
            while i < len(tokens) and _STATUS.fullmatch(tokens[i].lstrip(b"\n")):
                entry, i = _change(tokens, i)
                record.changes.append(entry)
        records.append(record)
    return records


def parse_status(raw: bytes) -> list[str]:
    """`status --porcelain -z`: XY SP PATH NUL per entry, and a rename's or copy's old path after it."""
    tokens = raw.split(b"\0")
    paths, i = [], 0
    while i < len(tokens) and tokens[i]:
        entry = tokens[i]
        if len(entry) < 4 or entry[2:3] != b" ":
            raise UnexpectedOutput(f"git status printed {entry[:40]!r} where an entry was expected")
        paths.append(path_text(entry[3:]))
        i += 2 if entry[:1] in b"RC" or entry[1:2] in b"RC" else 1
    return paths


def parse_ls_tree(raw: bytes) -> list[TreeEntry]:
    """`ls-tree -z [-l]`: MODE SP TYPE SP SHA [SP+ SIZE] TAB PATH NUL."""
    entries = []
    for item in raw.split(b"\0"):
        if not item:
            continue
        meta, tab, path = item.partition(b"\t")
        fields = meta.split()
        if not tab or len(fields) not in (3, 4):
            raise UnexpectedOutput(f"git ls-tree printed {item[:60]!r}")
        size = int(fields[3]) if len(fields) == 4 and fields[3].isdigit() else None
        entries.append(TreeEntry(fields[0].decode(), fields[1].decode(), fields[2].decode(), size, path_text(path)))
    return entries


def parse_cat_file(raw: bytes) -> dict[str, bytes | None]:
    """`cat-file --batch`: SHA SP TYPE SP SIZE LF CONTENT LF per object, or NAME SP missing LF."""
    objects: dict[str, bytes | None] = {}
    i = 0
    while i < len(raw):
        end = raw.find(b"\n", i)
        header = raw[i:end].split(b" ") if end >= 0 else []
        if len(header) == 2 and header[1] in (b"missing", b"ambiguous"):
            objects[header[0].decode("utf-8", "replace")] = None
            i = end + 1
            continue
        size = int(header[2]) if len(header) == 3 and header[2].isdigit() else -1
        if size < 0 or end + 1 + size >= len(raw):
            raise UnexpectedOutput(f"git cat-file printed {raw[i : i + 60]!r}, not a whole object")
        objects[header[0].decode("ascii")] = raw[end + 1 : end + 1 + size]
        i = end + 1 + size + 1  # the content, then its newline
    return objects


# -- running git ----------------------------------------------------------------------------------


def _environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k.upper() not in REPOSITORY_VARIABLES}
    env.update(GIT_OPTIONAL_LOCKS="0", GIT_TERMINAL_PROMPT="0", LC_ALL="C", GIT_PAGER="cat", PAGER="cat")
    return env


def run(
    args: Sequence[str],
    cwd: Path,
    stdin: bytes | None = None,
    ok: tuple[int, ...] = (0,),
    env: Mapping[str, str] | None = None,
) -> subprocess.CompletedProcess[bytes]:
    """Run `git ARGS` in cwd (env: variables to add, such as a commit's author); raise GitMissing
    when git cannot start, GitError when it fails."""
    try:
        done = subprocess.run(
            [GIT, *OPTIONS, *args],
            cwd=cwd,
            env={**_environment(), **(env or {})},
            input=stdin,
            stdin=None if stdin is not None else subprocess.DEVNULL,
            capture_output=True,
            check=False,
        )
    except OSError as exc:
        raise GitMissing(
            f"git is not installed or not on PATH: could not run '{GIT}' ({exc.strerror or exc})"
        ) from None
    if done.returncode not in ok:
        raise GitError(list(args), done.returncode, done.stderr)
    return done


class Git:
    """A git work tree, opened on a report root inside it."""

    def __init__(self, root: Path | str):
        self.root = Path(root).resolve()
        if not self.root.is_dir():
            raise NotARepository(f"{self.root} is not a folder, so it is not in a git repository")
        try:
            out = run(["rev-parse", "--is-inside-work-tree", "--show-prefix"], self.root).stdout
        except GitError as exc:
            if "not a git repository" in exc.stderr:
                raise NotARepository(f"{self.root} is not in a git repository") from None
            raise
        inside, _, prefix = out.partition(b"\n")
        if inside != b"true":
            raise NotARepository(f"{self.root} is not in a git repository's work tree")
        # git prints the prefix as one line: dropping its last newline is exact for any name.
        # The top then follows from the root's real path (git names the real cwd), so no path
        # comparison can be upset by symbolic links, letter case or short names.
        self.prefix = path_text(prefix[:-1] if prefix.endswith(b"\n") else prefix)
        depth = len(PurePosixPath(self.prefix).parts)
        self.top = self.root.parents[depth - 1] if depth else self.root

    @property
    def scope(self) -> str:
        """The report's folder as a pathspec from the top."""
        return self.prefix.rstrip("/") or "."

    def local(self, path: str) -> str:
        """A path from the top, as the report names it (relative to its root)."""
        return path.removeprefix(self.prefix)

    def git(
        self, *args: str, stdin: bytes | None = None, ok: tuple[int, ...] = (0,), env: Mapping[str, str] | None = None
    ) -> bytes:
        return run(args, self.top, stdin, ok, env).stdout

    def head(self) -> Head | None:
        """HEAD's commit and committer date; None when the repository has no commit yet."""
        done = run(["rev-parse", "--verify", "--quiet", "HEAD^{commit}"], self.top, ok=(0, 1))
        if done.returncode == 1:
            return None
        commit = done.stdout.strip().decode("ascii")
        epoch = self.git("show", "-s", "--format=%ct", commit).strip()
        return Head(commit, int(epoch))

    def uncommitted(self) -> list[str]:
        """The report's files that differ from HEAD or the index, untracked ones too (paths from the top)."""
        return parse_status(self.git("status", "--porcelain", "-z", "--untracked-files=all", "--", self.scope))

    def has_uncommitted_changes(self) -> bool:
        """Whether any file of the report differs from HEAD or the index, untracked files counted."""
        return bool(self.git("status", "--porcelain", "-z", "--untracked-files=normal", "--", self.scope))

    def resolve(self, ref: str) -> str:
        """The commit a ref names (a branch, a tag, HEAD~3, a hash)."""
        if not ref or ref.startswith("-") or "\0" in ref:  # an option to git, or no ref at all
            raise UnknownRef(ref)
        done = run(["rev-parse", "--verify", "--quiet", ref + "^{commit}"], self.top, ok=(0, 1, 128))
        if done.returncode != 0:
            raise UnknownRef(ref)
        return done.stdout.strip().decode("ascii")

    def raw_log(self) -> bytes:
        """`log --name-status -M -z` over the report's folder, renames detected, newest first."""
        return self.git("log", "-z", "--name-status", "-M", LOG_FORMAT, "--", self.scope)

    def log(self) -> list[LogRecord]:
        return parse_log(self.raw_log())

    def raw_diff(self, base: str) -> bytes:
        """`diff-index --raw -M -z BASE` over the report's folder: BASE against the files on disk.

        Not `git diff`: it rewrites `.git/index` whenever a file's stat data is stale, whatever
        GIT_OPTIONAL_LOCKS says. The plumbing never writes; `--raw` (the name-status plus modes and
        blobs) shows which "modified" files git did not look inside, and `diff` checks those.
        """
        return self.git("diff-index", "--raw", "-z", "-M", "--no-abbrev", base, "--", self.scope)

    def diff(self, base: str) -> list[NameStatus]:
        """What changed from BASE to the files on disk (paths from the top), as `git diff` says it."""
        changes = parse_raw_diff(self.raw_diff(base))
        unsure = [c for c in changes if c.unsure]
        on_disk = self.hashes([c.change.new_path for c in unsure])
        same = {c for c, sha in zip(unsure, on_disk, strict=True) if sha == c.old_sha}
        return [c.change for c in changes if c not in same]

    def hashes(self, paths: list[str]) -> list[str]:
        """The blob each file on disk would be (paths from the top; git's filters applied; nothing written)."""
        found: list[str] = []
        for start in range(0, len(paths), 100):  # a command line Windows still accepts
            found += self.git("hash-object", "--", *paths[start : start + 100]).decode("ascii").split()
        return found

    def untracked(self) -> list[str]:
        """Files of the report that git does not track and does not ignore (paths from the top)."""
        return parse_paths(self.git("ls-files", "-z", "--others", "--exclude-standard", "--", self.scope))

    def tree(self, commit: str, folders: Iterable[str]) -> list[TreeEntry]:
        """Every file under some of the report's folders ('' for all of it) at a commit (paths from the top)."""
        specs = [
            (self.prefix + f.strip("/") if f.strip("/") not in ("", ".") else self.prefix).rstrip("/") for f in folders
        ]
        if not specs:
            return []
        if "" in specs:  # the whole work tree
            specs = []
        return parse_ls_tree(self.git("ls-tree", "-r", "-z", "-l", "--full-tree", commit, "--", *specs))

    def blobs(self, shas: Iterable[str]) -> dict[str, bytes | None]:
        """The content of blobs, from one `cat-file --batch` process for all of them."""
        wanted = list(dict.fromkeys(shas))
        if not wanted:
            return {}
        return parse_cat_file(self.git("cat-file", "--batch", stdin="".join(s + "\n" for s in wanted).encode()))

    def snapshot(self, ref: str, folders: Iterable[str] = ("",), max_bytes: int = MAX_FILE_BYTES) -> Snapshot:
        """ALL regular files under folders of the report (relative to its root; '' for all) at ref.

        Symbolic links, submodules and files over max_bytes are not read: they are listed in
        `skipped` with the reason, so the caller can say so.
        """
        commit = self.resolve(ref)
        return self._read(commit, self.tree(commit, folders), max_bytes)

    def read_files(self, ref: str, paths: Iterable[str], max_bytes: int = MAX_FILE_BYTES) -> dict[str, bytes]:
        """The content at ref of each path (relative to the report root) that is a regular file there."""
        wanted = {self.prefix + p for p in paths}
        if not wanted:
            return {}
        commit = self.resolve(ref)
        # One listing of the few folders these files are in, however many files there are: a
        # command line naming each file could outgrow what Windows accepts.
        folders = sorted({str(PurePosixPath(self.local(p)).parent) for p in wanted})
        entries = [e for e in self.tree(commit, folders) if e.path in wanted]
        return self._read(commit, entries, max_bytes).files

    def _read(self, commit: str, entries: list[TreeEntry], max_bytes: int) -> Snapshot:
        chosen, skipped = self._regular(entries, max_bytes)
        contents = self.blobs(e.sha for e in chosen)
        files = {}
        for entry in chosen:
            data = contents.get(entry.sha)
            if data is None:  # a partial or damaged clone
                skipped[self.local(entry.path)] = "its content is missing from the repository"
            else:
                files[self.local(entry.path)] = data
        return Snapshot(commit, files, skipped)

    def _regular(self, entries: list[TreeEntry], max_bytes: int) -> tuple[list[TreeEntry], dict[str, str]]:
        chosen, skipped = [], {}
        for entry in entries:
            path = self.local(entry.path)
            if entry.mode == "120000":
                skipped[path] = "a symbolic link"
            elif entry.type == "commit":
                skipped[path] = "a submodule"
            elif entry.type != "blob" or entry.mode not in REGULAR_MODES:
                skipped[path] = f"not a regular file (mode {entry.mode})"
            elif entry.size is not None and entry.size > max_bytes:
                skipped[path] = f"larger than {max_bytes:,} bytes ({entry.size:,})"
            else:
                chosen.append(entry)
        return chosen, skipped

    def read_file(self, ref: str, path: str) -> bytes | None:
        """The content of one file at ref; None when it is not a regular file there."""
        return self.read_files(ref, [path]).get(path)

    # -- history between two commits, and new commits without touching the work tree ---------------

    def log_between(self, base: str, head: str) -> list[LogRecord]:
        """The commits after base up to head, OLDEST first, with the report's files each changed
        (renames detected): how a file of an old edition is followed to its name now."""
        base, head = self.resolve(base), self.resolve(head)
        return parse_log(
            self.git("log", "-z", "--name-status", "-M", "--reverse", LOG_FORMAT, f"{base}..{head}", "--", self.scope)
        )

    def branch_exists(self, name: str) -> bool:
        return run(["rev-parse", "--verify", "--quiet", f"refs/heads/{name}"], self.top, ok=(0, 1)).returncode == 0

    def valid_branch(self, name: str) -> bool:
        """Whether git accepts name as a new branch's name."""
        if not name or name.startswith("-"):
            return False
        return run(["check-ref-format", "--branch", name], self.top, ok=(0, 1, 128)).returncode == 0

    def write_blob(self, data: bytes) -> str:
        """Store a file's content in the object database (no filters, no work tree); its id."""
        return self.git("hash-object", "-w", "--no-filters", "--stdin", stdin=data).strip().decode("ascii")

    def tree_with(self, commit: str, files: Mapping[str, str]) -> str:
        """The tree of commit with some files (paths relative to the report root -> blob ids) replaced
        or added, built with `mktree`: neither the index nor the work tree is touched."""
        changes = {PurePosixPath(self.prefix + path).parts: blob for path, blob in files.items()}
        return self._subtree(f"{self.resolve(commit)}^{{tree}}", changes)

    def _subtree(self, tree: str | None, changes: dict[tuple[str, ...], str]) -> str:
        entries = {e.path: e for e in parse_ls_tree(self.git("ls-tree", "-z", tree))} if tree else {}
        folders: dict[str, dict[tuple[str, ...], str]] = {}
        for parts, blob in changes.items():
            if len(parts) == 1:
                mode = entries[parts[0]].mode if parts[0] in entries else "100644"
                entries[parts[0]] = TreeEntry(mode, "blob", blob, None, parts[0])
            else:
                folders.setdefault(parts[0], {})[parts[1:]] = blob
        for name, inner in folders.items():
            existing = entries.get(name)
            sha = self._subtree(existing.sha if existing and existing.type == "tree" else None, inner)
            entries[name] = TreeEntry("040000", "tree", sha, None, name)
        return self.git("mktree", "-z", stdin=format_mktree(entries.values())).strip().decode("ascii")

    def commit_tree(self, tree: str, parent: str, message: str, author: Identity) -> str:
        """A new commit object (no branch moves): tree, one parent, the author given; the committer is
        whoever runs the command, as git's configuration says."""
        env = {"GIT_AUTHOR_NAME": author.name, "GIT_AUTHOR_EMAIL": author.email}
        if author.date:
            env["GIT_AUTHOR_DATE"] = author.date
        return (
            self.git("commit-tree", tree, "-p", parent, "-F", "-", stdin=message.encode("utf-8"), env=env)
            .strip()
            .decode("ascii")
        )

    def create_branch(self, name: str, commit: str) -> None:
        """Point a NEW branch at commit; fails if the branch exists (the zero id as its old value)."""
        self.git("update-ref", "-m", "report comments --apply", f"refs/heads/{name}", commit, "0" * len(commit))


class Identity(NamedTuple):
    """Who made a commit, as git takes it from the environment."""

    name: str
    email: str
    date: str | None = None  # ISO 8601; None: now


def format_mktree(entries: Iterable[TreeEntry]) -> bytes:
    """`mktree -z` input: MODE SP TYPE SP SHA TAB NAME NUL per entry (git sorts them)."""
    return b"".join(f"{e.mode} {e.type} {e.sha}\t".encode("ascii") + path_bytes(e.path) + b"\0" for e in entries)


def edition_facts(root: Path | str) -> EditionFacts:
    """HEAD's commit and date and whether the report has uncommitted changes, for an edition.

    Never raises for a missing git or a folder outside a repository: the build goes on without a
    commit, and why_none says why.
    """
    try:
        repo = Git(root)
        head = repo.head()
        if head is None:
            return EditionFacts(None, None, False, "the git repository has no commit yet")
        return EditionFacts(head.commit, head.epoch, repo.has_uncommitted_changes(), None)
    except GitProblem as exc:
        return EditionFacts(None, None, False, str(exc))
