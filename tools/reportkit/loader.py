"""Find the report's files, read each once, and assemble the Report (in the reading order `numbering` gives)."""

from __future__ import annotations

import os
from pathlib import Path

from . import frontmatter, numbering, paths, schemas
from .apparatus import files as apparatus_files
from .diagnostics import ERROR, Diagnostic
from .markdown import scan
from .model import KIND_FOLDERS, Document, Member, Report

SETTINGS_FILE = "report.yml"
ESSENTIAL = ("title", "sets")  # without these, report.yml is unusable
ROSTER_FILE = "roster.yml"
# A chapter of the Panel's report is 10-40 KB; anything past this limit is a mistake.
MAX_FILE_BYTES = 4 * 1024 * 1024
SCHEMA_OF_KIND = {"chapter": "chapter", "rec": "recommendation", "annex": "annex"}


class ConfigError(Exception):
    """The report cannot be loaded at all (no report.yml, or an invalid one): exit 2."""

    def __init__(self, message: str, diagnostics: list[Diagnostic] | None = None):
        super().__init__(message)
        self.diagnostics = diagnostics or []


class Source:
    """Where a report's files come from: its folder on disk (this class), or a git tree."""

    def __init__(self, root: Path):
        self.root = root

    def exists(self, rel: str) -> bool:
        return os.path.lexists(self.root / rel)

    def read(self, rel: str, limit: int = MAX_FILE_BYTES) -> bytes | paths.Refusal:
        return paths.read_bytes(self.root, self.root / rel, limit)

    def markdown(self, folder: str) -> list[str]:
        """The *.md entries directly in a folder, whatever they are (the reader refuses what is not a file)."""
        base = self.root / folder
        if not base.is_dir():
            return []
        return [p.relative_to(self.root).as_posix() for p in sorted(base.glob("*.md"))]

    def files(self, folder: str) -> tuple[list[str], list[tuple[str, paths.Refusal]]]:
        found, refused = paths.regular_files(self.root, self.root / folder)
        return (
            [p.relative_to(self.root).as_posix() for p in found],
            [(p.relative_to(self.root).as_posix(), why) for p, why in refused],
        )


class TreeSource(Source):
    """A report as git holds it at some commit: files as bytes, with what git would not give."""

    def __init__(self, root: Path, files: dict[str, bytes], skipped: dict[str, str] | None = None):
        super().__init__(root)
        self.contents = files
        self.skipped = skipped or {}

    def exists(self, rel: str) -> bool:
        return rel in self.contents or rel in self.skipped

    def read(self, rel: str, limit: int = MAX_FILE_BYTES) -> bytes | paths.Refusal:
        if rel in self.skipped:
            return paths.Refusal("file.unreadable", f"this file was not read from git: {self.skipped[rel]}")
        data = self.contents.get(rel)
        if data is None:
            return paths.Refusal("file.unreadable", "this file is not in the git tree")
        if len(data) > limit:
            return paths.Refusal("file.too-large", f"this file is over the limit of {limit / 1048576:g} MiB")
        return data

    def markdown(self, folder: str) -> list[str]:
        names = {r for r in (*self.contents, *self.skipped) if r.startswith(folder + "/")}
        return sorted(r for r in names if r.endswith(".md") and "/" not in r[len(folder) + 1 :])

    def files(self, folder: str) -> tuple[list[str], list[tuple[str, paths.Refusal]]]:
        prefix = folder + "/"
        return (
            sorted(r for r in self.contents if r.startswith(prefix)),
            [
                (r, paths.Refusal("file.unreadable", why))
                for r, why in sorted(self.skipped.items())
                if r.startswith(prefix)
            ],
        )


def read_text(source: Source, rel: str) -> tuple[str | None, list[Diagnostic]]:
    """A report file as text: read only if it is a regular file inside the repository, under the limit."""
    raw = source.read(rel)
    if isinstance(raw, paths.Refusal):
        return None, [Diagnostic(rel, 0, 0, ERROR, raw.code, raw.message)]
    return frontmatter.decode(raw, rel)


def _load_yaml_file(source: Source, name: str, schema: str) -> tuple[object, dict, object, list[Diagnostic]]:
    text, problems = read_text(source, name)
    if text is None:
        return None, {}, None, problems
    data, node, problems = frontmatter.parse_yaml(text, name)
    if problems:
        return None, {}, None, problems
    lines = frontmatter.key_lines(node)
    if isinstance(data, dict) and schema == "report" and isinstance(data.get("sets"), dict):
        data["sets"] = {str(k): v for k, v in data["sets"].items()}
    if isinstance(data, dict) and schema == "report" and isinstance(data.get("rules"), dict):
        # YAML 1.1 reads a bare `off` as false; the level the writer meant is "off".
        data["rules"] = {k: "off" if v is False else v for k, v in data["rules"].items()}
    if schema == "references":
        data = apparatus_files.dates_as_text(data)  # `issued: 2019-06-10` is read as a date
    problems = schemas.validate(schema, data, name, lines, what=name, node=node)
    return data, lines, node, problems


def load_settings(source: Source) -> tuple[dict, dict[str, int], list[Diagnostic]]:
    """report.yml: its settings, each key's line, and its problems. It is unusable (ConfigError, exit
    2) only when missing, unreadable or without a valid title and sets; a bad optional field is a
    finding (exit 1), and the field is left out."""
    if not source.exists(SETTINGS_FILE):
        raise ConfigError(f"no {SETTINGS_FILE} in {source.root}: run this inside the report's folder or give --root")
    data, lines, _, problems = _load_yaml_file(source, SETTINGS_FILE, "report")
    if not problems:
        return data, lines, []  # type: ignore[return-value]
    if not isinstance(data, dict):
        raise ConfigError(f"{SETTINGS_FILE} is not valid", problems)
    core = {k: data[k] for k in ESSENTIAL if k in data}
    bad = {
        k for k in data if k not in ESSENTIAL and schemas.validate("report", {**core, k: data[k]}, SETTINGS_FILE, lines)
    }
    kept = {k: v for k, v in data.items() if k not in bad}
    if schemas.validate("report", kept, SETTINGS_FILE, lines):
        raise ConfigError(f"{SETTINGS_FILE} is not valid", problems)
    return kept, lines, problems


def load_roster(source: Source) -> tuple[dict[str, Member], list[Diagnostic]]:
    if not source.exists(ROSTER_FILE):
        return {}, [
            Diagnostic(
                ROSTER_FILE,
                0,
                0,
                ERROR,
                "roster.missing",
                f"there is no {ROSTER_FILE}: the Panel's roster is needed to check owners",
            )
        ]
    data, _, node, problems = _load_yaml_file(source, ROSTER_FILE, "roster")
    if not isinstance(data, dict) or not isinstance(data.get("members"), list):
        return {}, problems
    item_nodes = []
    for key, value in getattr(node, "value", []):
        if key.value == "members":
            item_nodes = value.value
    members: dict[str, Member] = {}
    for i, item in enumerate(data["members"]):
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            continue
        line = item_nodes[i].start_mark.line + 1 if i < len(item_nodes) else 0
        if item["id"] in members:
            problems.append(
                Diagnostic(
                    ROSTER_FILE,
                    line,
                    1,
                    ERROR,
                    "roster.duplicate",
                    f"member '{item['id']}' is listed twice (other instance on line {members[item['id']].line})",
                )
            )
            continue
        members[item["id"]] = Member(
            id=item["id"],
            name=str(item.get("name", item["id"])),
            role=str(item.get("role", "member")),
            affiliation=str(item.get("affiliation", "")),
            github=item.get("github"),
            vacancy=bool(item.get("vacancy", False)),
            line=line,
        )
    return members, problems


def load_document(source: Source, rel: str, kind: str) -> tuple[Document, list[Diagnostic]]:
    text, problems = read_text(source, rel)
    if text is None:
        return Document(kind, rel, {}, {}, "", 1, scan(""), valid=False), problems
    parsed = frontmatter.split(text, rel)
    problems = list(parsed.diagnostics)
    meta = parsed.data if isinstance(parsed.data, dict) else {}
    if parsed.data is not None:
        problems += schemas.validate(
            SCHEMA_OF_KIND[kind], meta, rel, parsed.key_lines, node=parsed.node, first_line=frontmatter.FIRST_LINE
        )
    doc = Document(
        kind,
        rel,
        meta,
        parsed.key_lines,
        parsed.body,
        parsed.body_line,
        scan(parsed.body),
        valid=not problems,
        meta_node=parsed.node,
    )
    return doc, problems


def load(root: Path | str, source: Source | None = None) -> Report:
    """Read the whole report under root (from its folder, or from another source such as a git
    tree). Raises ConfigError only when report.yml is unusable."""
    root = Path(root).resolve()
    source = source or Source(root)
    settings, settings_lines, diagnostics = load_settings(source)
    members, problems = load_roster(source)
    diagnostics += problems
    documents = []
    for kind, folder in KIND_FOLDERS.items():
        for rel in source.markdown(folder):
            doc, problems = load_document(source, rel, kind)
            documents.append(doc)
            diagnostics += problems
    assets, problems = find_assets(source)
    extras, more = apparatus_files.load(source, _load_yaml_file)
    return Report(
        root,
        settings,
        settings_lines,
        members,
        numbering.number(documents),
        diagnostics + problems + more,
        assets,
        extras,
    )


ASSET_FOLDERS = ("images",) + tuple(KIND_FOLDERS.values())


def find_assets(source: Source) -> tuple[list[str], list[Diagnostic]]:
    """Files besides the text that the editions may copy (images ...): regular files inside the
    repository only. A link to /etc/passwd or a FIFO under images/ is reported and left out."""
    assets, problems = [], []
    for folder in ASSET_FOLDERS:
        found, refused = source.files(folder)
        assets += [rel for rel in found if not paths.is_content(rel)]
        for rel, why in refused:
            if paths.is_content(rel):
                continue  # the loader reports content files itself
            message = (
                why.message
                if why.code != "file.outside"
                else (
                    "this file is a link to a place outside the repository; it was not read and is left out "
                    "of the editions"
                )
            )
            problems.append(Diagnostic(rel, 0, 0, ERROR, why.code, message))
    return assets, problems


REPORT_PARTS = (
    SETTINGS_FILE,
    ROSTER_FILE,
    apparatus_files.GLOSSARY_FILE,
    apparatus_files.REFERENCES_FILE,
    *KIND_FOLDERS.values(),
    "images",
)


def load_at(root: Path | str, ref: str) -> tuple[Report, str]:
    """The report as git holds it at a ref (an edition tag, a branch, a commit), with that commit.

    Raises gitio's errors when git cannot tell (no repository, an unknown ref), and ConfigError
    when report.yml at that commit is unusable.
    """
    from . import gitio  # only the commands that look into history need git

    root = Path(root).resolve()
    snapshot = gitio.Git(root).snapshot(ref, REPORT_PARTS, MAX_FILE_BYTES)
    return load(root, TreeSource(root, snapshot.files, snapshot.skipped)), snapshot.commit
