"""Split a Markdown file into YAML front matter and body, keeping line numbers, never raising."""

from __future__ import annotations

from dataclasses import dataclass, field

import yaml

from .diagnostics import ERROR, Diagnostic

# Front matter is a handful of fields; anything larger is a mistake or an attack.
MAX_FRONT_MATTER_BYTES = 64 * 1024
MAX_YAML_DEPTH = 32  # the roster, the deepest YAML of the report, needs 3 levels
FIRST_LINE = 2  # the file line of the front matter's first field (line 1 is '---')


@dataclass
class Parsed:
    """What a content file holds once decoded: front matter, body and where the body starts."""

    text: str  # the whole file, decoded, BOM removed, newlines normalised to \n
    data: dict | None  # the front matter mapping, or None when it could not be read
    key_lines: dict[str, int] = field(default_factory=dict)  # top-level key -> file line
    body: str = ""
    body_line: int = 1  # file line of the body's first line
    diagnostics: list[Diagnostic] = field(default_factory=list)
    node: yaml.Node | None = None  # the front matter's YAML, to locate a value inside a list (`node_line`)


def decode(raw: bytes, path: str) -> tuple[str | None, list[Diagnostic]]:
    """Strict UTF-8 with a located error; a BOM and CRLF endings are harmless and accepted."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        # Count as every other finding does: in characters, BOM dropped, any newline style.
        before = raw[: exc.start].decode("utf-8").removeprefix("\ufeff")
        before = before.replace("\r\n", "\n").replace("\r", "\n")
        line = before.count("\n") + 1
        column = len(before) - before.rfind("\n")
        byte = raw[exc.start : exc.start + 1].hex()
        return None, [
            Diagnostic(
                path,
                line,
                column,
                ERROR,
                "file.encoding",
                f"this file is not valid UTF-8 (byte 0x{byte}); save it as UTF-8",
            )
        ]
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text, []


class _Loader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys instead of keeping the last one silently."""


def _no_duplicates(loader: _Loader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen: dict = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if isinstance(key, (list, dict)):
            raise yaml.constructor.ConstructorError(None, None, "a key must be a plain value", key_node.start_mark)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"duplicate key '{key}' (first given on line {seen[key] + getattr(loader, 'first_line', 1)})",
                key_node.start_mark,
            )
        seen[key] = key_node.start_mark.line
    return loader.construct_mapping(node, deep=deep)


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _no_duplicates)

# libyaml's parser, when PyYAML has it (its wheels do), reads valid YAML ten times faster. Its error
# messages are terser, so a file it rejects is read again by the Python parser for the diagnostic.
if getattr(yaml, "__with_libyaml__", False):

    class _FastLoader(yaml.CSafeLoader):
        pass

    _FastLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _no_duplicates)
    _LOADERS: tuple[tuple[type, type], ...] = ((yaml.CSafeLoader, _FastLoader), (yaml.SafeLoader, _Loader))
else:  # pragma: no cover - PyYAML without libyaml
    _LOADERS = ((yaml.SafeLoader, _Loader),)


def split(text: str, path: str) -> Parsed:
    """Parse front matter from decoded text. Every problem becomes a diagnostic."""
    parsed = Parsed(text=text, data=None)
    lines = text.split("\n")

    def error(line: int, column: int, code: str, message: str) -> Parsed:
        parsed.diagnostics.append(Diagnostic(path, line, column, ERROR, code, message))
        return parsed

    if not text.strip():
        return error(1, 1, "file.empty", "this file is empty; it needs front matter and text")
    if lines[0].rstrip() != "---":
        parsed.body = text
        return error(
            1,
            1,
            "frontmatter.missing",
            "no front matter: the file must start with a line '---', then fields such as "
            "'id: ...' and 'title: ...', then a closing '---'",
        )
    end = next((i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "...")), None)
    if end is None:
        return error(1, 1, "frontmatter.unclosed", "front matter opened on line 1 is never closed with '---'")
    parsed.body = "\n".join(lines[end + 1 :])
    parsed.body_line = end + 2
    yaml_text = "\n".join(lines[1:end])
    if len(yaml_text.encode("utf-8")) > MAX_FRONT_MATTER_BYTES:
        return error(
            2,
            1,
            "frontmatter.too-large",
            f"front matter is larger than {MAX_FRONT_MATTER_BYTES // 1024} KiB",
        )

    data, node, problems = parse_yaml(yaml_text, path, first_line=2)
    if problems:
        parsed.diagnostics.extend(problems)
        return parsed
    if data is None:
        return error(1, 1, "frontmatter.empty", "front matter is empty; it needs 'id', 'title' and more")
    if not isinstance(data, dict):
        return error(
            2,
            1,
            "frontmatter.type",
            f"front matter must be fields ('name: value'), not {describe(data)}",
        )
    parsed.data = data
    parsed.node = node
    parsed.key_lines = key_lines(node, first_line=FIRST_LINE)
    return parsed


def parse_yaml(yaml_text: str, path: str, first_line: int = 1) -> tuple[object, yaml.Node | None, list[Diagnostic]]:
    """Safely load YAML: no aliases, no duplicate keys, no Python tags; errors located in the file."""
    for parser, loader in _LOADERS:
        result = _parse_yaml(yaml_text, path, first_line, parser, loader)
        if not result[2]:
            return result
    return result


def _parse_yaml(yaml_text: str, path: str, first_line: int, parser, loader_class):

    def error(line: int, column: int, message: str) -> tuple[None, None, list[Diagnostic]]:
        return None, None, [Diagnostic(path, line, column, ERROR, "yaml.syntax", message)]

    # Anchors and aliases have no use in the report's YAML and make "billion laughs" possible.
    # Deep nesting has no use either, and 64 KiB of '[' keeps the parser busy for a minute.
    depth = 0
    try:
        for event in yaml.parse(yaml_text, Loader=parser):
            start = event.start_mark  # every parsed event has one
            at_line, at_column = (start.line + first_line, start.column + 1) if start else (first_line, 1)
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                return error(
                    at_line,
                    at_column,
                    "YAML anchors and aliases ('&name', '*name') are not allowed here",
                )
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_YAML_DEPTH:
                    return error(at_line, at_column, "not valid YAML: nested too deeply")
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
        loader = loader_class(yaml_text)
        loader.first_line = first_line  # so that duplicate keys name a line of the file
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.reader.ReaderError as exc:  # a control character: located by offset, not mark
        before = yaml_text[: exc.position]
        return error(
            before.count("\n") + first_line,
            len(before) - before.rfind("\n"),
            f"not valid YAML: the special character U+{exc.character:04X} is not allowed",
        )
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + first_line, mark.column + 1) if mark else (first_line, 1)
        problem = exc.problem or exc.context or "not valid YAML"
        if problem.startswith("could not determine a constructor"):
            problem = (
                "merge keys ('<<') are not allowed"
                if "2002:merge" in problem
                else "tags such as '!!python/object' are not allowed"
            )
        return error(line, column, f"not valid YAML: {problem}")
    except yaml.YAMLError as exc:  # pragma: no cover - PyYAML errors without marks are rare
        return error(first_line, 1, f"not valid YAML: {exc}")
    except RecursionError:
        return error(first_line, 1, "not valid YAML: nested too deeply")
    return data, node, []


def node_line(node: yaml.Node | None, path, first_line: int = 1) -> int | None:
    """File line of the value at path (keys and list indexes) inside a YAML node, if it is there."""
    for step in path:
        if isinstance(node, yaml.MappingNode):
            node = next((v for k, v in node.value if k.value == str(step)), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and step < len(node.value):
            node = node.value[step]
        else:
            return None
    return node.start_mark.line + first_line if node is not None else None


def key_lines(node: yaml.Node | None, first_line: int = 1) -> dict[str, int]:
    """File line of each key of a YAML mapping node."""
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {str(k.value): k.start_mark.line + first_line for k, _ in node.value}


def describe(value: object) -> str:
    """Name a YAML value's type the way a non-programmer would."""
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "plain text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a set of fields"
    return "an empty value" if value is None else "a date" if hasattr(value, "year") else "a value"
