"""glossary.yml and references.yml: read through the loader's source (`paths.py` underneath),
validated against their schemas, kept as plain values with the line of each entry."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..diagnostics import Diagnostic
from .rules import GLOSSARY_FILE, REFERENCES_FILE, in_file


@dataclass(frozen=True)
class Term:
    """A glossary entry: a term with its definition, or an acronym with what it stands for."""

    term: str
    acronym: str | None
    definition: str
    plural: str | None
    line: int

    def expansion(self, plural: bool) -> str:
        return (self.plural or self.term) if plural else self.term


@dataclass(frozen=True)
class Entry:
    """A references.yml entry: its key, its CSL fields as validated, its line."""

    id: str
    fields: dict
    line: int


@dataclass
class Files:
    terms: list[Term] = field(default_factory=list)
    ignore: frozenset[str] = frozenset()  # capitalised words that are not acronyms ("DRAFT")
    references: list[Entry] = field(default_factory=list)
    glossary_lines: dict[str, int] = field(default_factory=dict)
    references_refused: bool = False  # references.yml is there but failed its schema (reported once, there)

    @property
    def acronyms(self) -> dict[str, Term]:
        return {t.acronym: t for t in self.terms if t.acronym}

    @property
    def by_key(self) -> dict[str, Entry]:
        found: dict[str, Entry] = {}
        for entry in self.references:
            found.setdefault(entry.id, entry)
        return found


# (source, name, schema) -> (data, key lines, YAML node, problems): the loader's reader.
Reader = Callable[[Any, str, str], tuple[object, dict, object, list[Diagnostic]]]


def load(source, read: Reader) -> tuple[Files, list[Diagnostic]]:
    """Both files, when present; a file that fails its schema is reported and left out whole."""
    files, problems = Files(), []
    if source.exists(GLOSSARY_FILE):
        data, lines, node, found = read(source, GLOSSARY_FILE, "glossary")
        problems += found
        if not found and isinstance(data, dict):
            files.terms, more = _terms(data, node)
            files.ignore = frozenset(data.get("ignore", []))
            files.glossary_lines = lines
            problems += more
    if source.exists(REFERENCES_FILE):
        data, _, node, found = read(source, REFERENCES_FILE, "references")
        problems += found
        files.references_refused = bool(found)
        if not found and isinstance(data, dict):
            files.references, more = _entries(data, node)
            problems += more
    return files, problems


def dates_as_text(data: object) -> object:
    """references.yml with each entry's YAML date (`issued: 2019-06-10`) as the ISO text it was."""
    if isinstance(data, dict) and isinstance(data.get("references"), list):
        for item in data["references"]:
            if isinstance(item, dict) and isinstance(item.get("issued"), datetime.date):
                item["issued"] = item["issued"].isoformat()[:10]
    return data


def _item_lines(node, key: str) -> list[int]:
    for k, value in getattr(node, "value", []) or []:
        if getattr(k, "value", None) == key:
            return [item.start_mark.line + 1 for item in getattr(value, "value", [])]
    return []


def _terms(data: dict, node) -> tuple[list[Term], list[Diagnostic]]:
    lines = _item_lines(node, "entries")
    terms: list[Term] = []
    problems: list[Diagnostic] = []
    seen: dict[str, int] = {}
    for index, item in enumerate(data.get("entries", [])):
        line = lines[index] if index < len(lines) else 0
        term = Term(
            " ".join(item["term"].split()),
            item.get("acronym"),
            " ".join(item.get("definition", "").split()),
            item.get("plural"),
            line,
        )
        for name in filter(None, (term.acronym, term.term.casefold())):
            if name in seen:
                problems.append(
                    in_file(
                        GLOSSARY_FILE,
                        line,
                        "glossary.duplicate",
                        f"'{name}' is already in the glossary (line {seen[name]}); keep one entry",
                    )
                )
            seen.setdefault(name, line)
        terms.append(term)
    return terms, problems


def _entries(data: dict, node) -> tuple[list[Entry], list[Diagnostic]]:
    lines = _item_lines(node, "references")
    entries: list[Entry] = []
    problems: list[Diagnostic] = []
    seen: dict[str, int] = {}
    for index, item in enumerate(data.get("references", [])):
        line = lines[index] if index < len(lines) else 0
        if item["id"] in seen:
            problems.append(
                in_file(
                    REFERENCES_FILE,
                    line,
                    "references.duplicate",
                    f"the key '{item['id']}' is already used on line {seen[item['id']]}; "
                    "give each reference its own id",
                )
            )
            continue
        seen[item["id"]] = line
        entries.append(Entry(item["id"], dict(item), line))
    return entries, problems
