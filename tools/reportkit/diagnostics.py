"""Diagnostics: one located finding, its severity, and the three output formats."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass

ERROR = "error"
WARNING = "warning"
OFF = "off"
SEVERITIES = (ERROR, WARNING)


@dataclass(frozen=True, order=True)
class Diagnostic:
    path: str  # relative to the report root, POSIX separators
    line: int  # 1-based; 0 when the finding concerns the whole file
    column: int  # 1-based; 0 when unknown
    severity: str
    code: str
    message: str

    def text(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.severity} [{self.code}] {self.message}"

    def github(self) -> str:
        where = f"file={github_property(self.path)}"
        if self.line:
            where += f",line={self.line}"
            if self.column:
                where += f",col={self.column}"
        return f"::{self.severity} {where},title={github_property(self.code)}::{github_message(self.message)}"


# Workflow commands: properties and message have their own escaping rules.
def github_property(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A").replace(":", "%3A").replace(",", "%2C")


def github_message(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def sort_key(d: Diagnostic) -> tuple:
    return (d.path, d.line, d.column, d.code, d.message)


def summary(diagnostics: list[Diagnostic]) -> str:
    errors = sum(d.severity == ERROR for d in diagnostics)
    warnings = sum(d.severity == WARNING for d in diagnostics)

    def plural(n: int, word: str) -> str:
        return f"{n} {word}{'' if n == 1 else 's'}"

    return f"{plural(errors, 'error')}, {plural(warnings, 'warning')}"


def format_text(diagnostics: Iterable[Diagnostic]) -> str:
    return "".join(d.text() + "\n" for d in diagnostics)


def format_json(diagnostics: list[Diagnostic]) -> str:
    payload = {
        "diagnostics": [asdict(d) for d in diagnostics],
        "errors": sum(d.severity == ERROR for d in diagnostics),
        "warnings": sum(d.severity == WARNING for d in diagnostics),
    }
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"


def format_github(diagnostics: Iterable[Diagnostic]) -> str:
    return "".join(d.github() + "\n" for d in diagnostics)


FORMATTERS = {"text": format_text, "json": format_json, "github": format_github}
