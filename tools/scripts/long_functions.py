"""List the functions of tools/reportkit longer than a limit (60 lines by default), longest first.

Usage: python tools/scripts/long_functions.py [LIMIT]. A function's length runs from its `def` (or
first decorator) to its last line, nested functions included; tools/tests/test_code_shape.py holds
the list of justified exceptions and fails on any other.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "reportkit"


def long_functions(limit: int = 60, package: Path = PACKAGE) -> list[tuple[str, int]]:
    """("path:qualified.name", lines) for every function longer than limit lines."""
    found = []
    for path in sorted(package.rglob("*.py")):
        tree = ast.parse(path.read_text("utf-8"), str(path))
        for name, node in _functions(tree, ""):
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            length = (node.end_lineno or node.lineno) - first + 1
            if length > limit:
                found.append((f"{path.relative_to(package.parent).as_posix()}:{name}", length))
    return sorted(found, key=lambda item: -item[1])


def _functions(node: ast.AST, prefix: str):
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
            yield prefix + child.name, child
            yield from _functions(child, f"{prefix}{child.name}.")
        elif isinstance(child, ast.ClassDef):
            yield from _functions(child, f"{prefix}{child.name}.")


if __name__ == "__main__":
    for where, lines in long_functions(int(sys.argv[1]) if len(sys.argv) > 1 else 60):
        print(f"{lines:4d}  {where}")
