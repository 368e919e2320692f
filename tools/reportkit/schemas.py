"""The JSON Schemas of the report's YAML, and their errors turned into friendly diagnostics."""

from __future__ import annotations

import difflib
import json
from functools import cache
from importlib import resources

import jsonschema

from .diagnostics import ERROR, Diagnostic
from .frontmatter import describe, node_line

NAMES = ("common", "chapter", "recommendation", "annex", "roster", "report", "glossary", "references")


@cache
def _schemas() -> dict[str, dict]:
    folder = resources.files(__package__) / "schema"
    return {name: json.loads((folder / f"{name}.schema.json").read_text("utf-8")) for name in NAMES}


def _inline(node: object, defs: dict) -> object:
    """The schema with each `$ref` to a shared definition replaced by the definition itself.

    The schema files keep one definition per shared field; the validator gets them inlined, which
    validates four times faster than resolving references on every document.
    """
    if isinstance(node, list):
        return [_inline(item, defs) for item in node]
    if not isinstance(node, dict):
        return node
    result = {key: _inline(value, defs) for key, value in node.items() if key != "$ref"}
    ref = node.get("$ref")
    if isinstance(ref, str) and "#/$defs/" in ref:
        target = _inline(defs[ref.rsplit("/", 1)[1]], defs)
        if isinstance(target, dict):
            result = {**target, **result}
    return result


@cache
def schema(name: str) -> dict:
    schemas = _schemas()
    return _inline(schemas[name], schemas["common"]["$defs"])  # type: ignore[return-value]


@cache
def validator(name: str) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(schema(name))


def field_description(schema_name: str, field: str) -> str:
    return schema(schema_name).get("properties", {}).get(field, {}).get("description", "")


def validate(
    schema_name: str,
    data: object,
    path: str,
    lines: dict[str, int],
    what: str = "front matter",
    node=None,
    first_line: int = 1,
) -> list[Diagnostic]:
    """Validate and describe each problem in words, at the line of the field concerned (inside a
    list, such as the roster's members, at the item's own line when the YAML node is given)."""
    found = []
    for err in sorted(validator(schema_name).iter_errors(data), key=lambda e: list(map(str, e.path))):
        field = str(err.path[0]) if err.path else None
        if field is None and err.validator == "additionalProperties":
            # Point at the first unknown field in the file rather than at the whole mapping.
            field = min(_unknown_keys(err), key=lambda k: lines.get(k, 1), default=None)
        line = lines.get(field, 1) if field else 1
        if node is not None and len(err.path) > 1:
            line = node_line(node, err.path, first_line) or line
        found.append(
            Diagnostic(path, line, 1, ERROR, "schema", _message(schema_name, err, what, _where(data, list(err.path))))
        )
    return found


def _where(data: object, path: list) -> str:
    """How a message names the field: 'role' of members entry 'member-a', rather than members.1.role."""
    if len(path) >= 2 and isinstance(path[1], int) and isinstance(data, dict):
        items = data.get(path[0])
        item = items[path[1]] if isinstance(items, list) and path[1] < len(items) else None
        # An entry is named by its id (a roster member) or its member (a position on a recommendation).
        name = next(
            (item[k] for k in ("id", "member") if isinstance(item, dict) and isinstance(item.get(k), str)), None
        )
        label = f"'{name}'" if name is not None else f"{path[1] + 1}"
        entry = f"{path[0]} entry {label}"
        return f"'{'.'.join(map(str, path[2:]))}' of {entry}" if len(path) > 2 else entry
    return f"'{'.'.join(map(str, path))}'" if path else ""


def _message(schema_name: str, err: jsonschema.ValidationError, what: str, where: str) -> str:
    name = where or what
    kind = err.validator
    if kind == "required":
        missing = err.message.split("'")[1]
        hint = field_description(schema_name, missing)
        return f"{what} lacks '{missing}'" + (f" ({hint})" if hint else "")
    if kind == "additionalProperties":
        allowed = sorted(err.schema.get("properties", {}))
        extra = _unknown_keys(err)
        parts = []
        for key in extra:
            close = difflib.get_close_matches(str(key), allowed, n=1)
            parts.append(f"'{key}'" + (f" (did you mean '{close[0]}'?)" if close else ""))
        return f"unknown field {', '.join(parts)} in {what}; allowed: {', '.join(allowed)}"
    if kind == "enum":
        choices = ", ".join(str(c) for c in err.validator_value)
        return f"{name} is '{err.instance}', which is not one of: {choices}"
    if kind == "type":
        wanted = {
            "string": "text",
            "integer": "a whole number",
            "boolean": "true or false",
            "object": "a set of fields",
            "array": "a list",
        }.get(str(err.validator_value), str(err.validator_value))
        return f"{name} must be {wanted}, not {describe(err.instance)}"
    if kind == "pattern":
        hint = err.schema.get("description") or f"the pattern {err.validator_value}"
        return f"{name} '{err.instance}' is not valid: it must be {hint}"
    if kind in ("minimum", "maximum"):
        low, high = err.schema.get("minimum"), err.schema.get("maximum")
        return f"{name} is {err.instance}; it must be between {low} and {high}"
    if kind in ("minLength", "minItems", "minProperties"):
        return f"{name} must not be empty"
    if kind in ("maxLength",):
        return f"{name} is longer than {err.validator_value} characters"
    return f"{name}: {err.message}"


def _unknown_keys(err: jsonschema.ValidationError) -> list[str]:
    """The fields an additionalProperties error is about, as text (YAML keys may be numbers)."""
    if not isinstance(err.instance, dict):
        return []
    allowed = err.schema.get("properties", {})
    return sorted({str(k) for k in err.instance if str(k) not in allowed})
