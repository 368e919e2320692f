"""What each pandoc edition changes in the judged AST before its writer runs.

The AST `pandoc_ast.judge` accepted is shared by the DOCX and the PDF; each edition gets a copy
rewritten for its writer (`rewrite` copies only what it changes). Nodes added here come after the
validation, so they may carry what the text itself may not (a Typst function call, a Word style).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Union

Node = dict
Replacement = Union[Node, list, None]  # a node, nodes to splice in its place, or None to drop it

_LEAVES = frozenset({"Str", "Space", "SoftBreak", "LineBreak", "HorizontalRule"})
BLOCK_ANCHOR = re.compile(r"^_[0-9a-f]{8}_\d+$")


def rewrite(items: list, change: Callable[[Node], Replacement]) -> list:
    """A copy of a list of AST nodes where `change(node)` may keep a node (returning it: its children
    are rewritten in turn), replace it (a node or a list of nodes, taken as they are), or drop it."""
    out: list = []
    for item in items:
        if isinstance(item, dict) and "t" in item:
            if item["t"] in _LEAVES:
                out.append(item)
                continue
            result = change(item)
            if result is item:
                out.append({**item, "c": _inside(item.get("c"), change)} if "c" in item else item)
            elif isinstance(result, list):
                out.extend(result)
            elif result is not None:
                out.append(result)
        else:
            out.append(_inside(item, change))
    return out


def _inside(value: object, change: Callable[[Node], Replacement]) -> object:
    if isinstance(value, list):
        return rewrite(value, change)
    if isinstance(value, dict) and "t" in value:
        result = rewrite([value], change)
        return result[0] if len(result) == 1 else result
    return value


def is_block_anchor(node: Node) -> bool:
    """The empty span the resolver opens each block with (see `resolve.block_anchor`)."""
    return (node["t"] == "Span" and not node["c"][1] and bool(BLOCK_ANCHOR.match(node["c"][0][0])))


def for_typst(blocks: list) -> list:
    """The PDF has no use for block anchors, and Typst would attach each to the element before it."""
    return rewrite(blocks, lambda node: None if is_block_anchor(node) else node)


def for_docx(blocks: list) -> list:
    """Word keeps the block anchors as hidden bookmarks: the DOCX is the AST as judged."""
    return blocks
