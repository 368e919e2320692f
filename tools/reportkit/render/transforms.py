"""What each pandoc edition changes in the judged AST before its writer runs.

The AST `pandoc_ast.judge` accepted is shared by the DOCX and the PDF; each edition gets a copy
rewritten for its writer (`rewrite` copies only what it changes). Nodes added here come after the
validation, so they may carry what the text itself may not (a Typst function call, a Word style).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from typing import cast

Node = dict
Replacement = Node | list | None  # a node, nodes to splice in its place, or None to drop it

_LEAVES = frozenset({"Str", "Space", "SoftBreak", "LineBreak", "HorizontalRule"})
BLOCK_ANCHOR = re.compile(r"^rk_[0-9a-f]{8}_\d+$")
# pandoc's Typst writer takes time quadratic in the length of one word (a Str; pandoc 3.9: 8,000
# characters 0.2 s, 32,000 3 s): a longer word than this goes to Typst as raw markup that shows
# exactly its text (`pandoc.typst_word`), which pandoc copies in linear time. Typst cannot break
# a word it has no hyphenation for, and such a word ran off the page: it gets a zero-width space,
# an invisible line-break opportunity, every BREAK_EVERY characters.
LONG_WORD = 200
BREAK_EVERY = 20


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
    return node["t"] == "Span" and not node["c"][1] and bool(BLOCK_ANCHOR.match(node["c"][0][0]))


def _attr(node: Node) -> list:
    return node["c"][0]


def _para_number(node: Node) -> bool:
    return node["t"] == "Span" and "rk-para" in node["c"][0][1]


def _box(node: Node) -> bool:
    return node["t"] == "Div" and "rk-recommendation" in _attr(node)[1]


def _box_set(node: Node) -> str:
    return dict(_attr(node)[2]).get("set", "")


def for_typst(blocks: list, final: bool, running: dict[str, str] | None = None) -> list:
    """The PDF's drawing of the house elements: the recommendation box and the paragraph numbers
    as calls to the template's functions (their text escaped), marked changes as its marks. The PDF
    has no use for block anchors, and Typst would attach each to the element before it."""
    from .changes import for_typst as marks
    from .pandoc import typst_string, typst_text, typst_word
    from .pandoc_ast import text_parts

    def change(node: Node) -> Replacement:
        if is_block_anchor(node) or (final and _para_number(node)):
            return None
        if _para_number(node):
            return {"t": "RawInline", "c": ["typst", f"#rk-para[{typst_text(_plain(node['c'][1]))}]"]}
        if _box(node):
            inner = rewrite(node["c"][1], change)
            return [
                {"t": "RawBlock", "c": ["typst", f"#rk-recommendation([{typst_text(_box_set(node))}])["]},
                *inner,
                {"t": "RawBlock", "c": ["typst", "]"]},
            ]
        if node["t"] == "Div" and "rk-keep" in _attr(node)[1]:
            inner = rewrite(node["c"][1], change)
            return [
                {"t": "RawBlock", "c": ["typst", "#block(breakable: false)["]},
                *inner,
                {"t": "RawBlock", "c": ["typst", "]"]},
            ]
        if node["t"] == "Header" and node["c"][0] == 1 and running is not None:
            # The running head of the pages that follow: a document's short head, set by the toolchain;
            # for the sections the toolchain adds (open points, notes, positions), their heading.
            text = running.get(node["c"][1][0]) or "".join(text_parts(node["c"][2], spaces=True))
            return [node, {"t": "RawBlock", "c": ["typst", f"#metadata({typst_string(text)}) <rk-running>"]}]
        return node

    return cast(list, _long_words_raw(marks(rewrite(blocks, change)), typst_word))  # a list in, a list out


def _long_words_raw(value: object, markup: Callable[[str], str]) -> object:
    """`value` with each Str longer than LONG_WORD as raw Typst `markup` of its text, made
    breakable; a part that holds none is returned as it is, not copied. Not in an image, whose alt
    text pandoc flattens to a string (raw markup would be lost there)."""
    if isinstance(value, list):
        items = [_long_words_raw(item, markup) for item in value]
        return value if all(new is old for new, old in zip(items, value, strict=True)) else items
    if not isinstance(value, dict) or "c" not in value or value.get("t") == "Image":
        return value
    if value.get("t") == "Str":
        if len(value["c"]) <= LONG_WORD:
            return value
        return {"t": "RawInline", "c": ["typst", markup(_breakable(value["c"]))]}
    inner = _long_words_raw(value["c"], markup)
    return value if inner is value["c"] else {**value, "c": inner}


def _breakable(word: str) -> str:
    """The word with a zero-width space every BREAK_EVERY characters (never before a combining
    mark, which must stay with its letter)."""
    out, run = [], 0
    for c in word:
        if run >= BREAK_EVERY and not unicodedata.combining(c):
            out.append("\u200b")
            run = 0
        out.append(c)
        run += 1
    return "".join(out)


def for_docx(blocks: list, final: bool, by, changed_by=None) -> list:
    """Word's drawing of the house elements, by named styles a reader can restyle: the box as the
    "Recommendation" paragraph style, its set as "Recommendation Set", the paragraph numbers as the
    "Paragraph Number" character style; marked changes as tracked changes (the text's own by `by`,
    a redline's by `changed_by`). Block anchors stay: Word keeps them as hidden bookmarks."""
    from .changes import for_docx as marks

    def change(node: Node) -> Replacement:
        if final and _para_number(node):
            return None
        if _para_number(node):
            number = _plain(node["c"][1])
            return {
                "t": "Span",
                "c": [["", [], [["custom-style", "Paragraph Number"]]], [{"t": "Str", "c": number}, {"t": "Space"}]],
            }
        if _box(node):
            heading, *rest = node["c"][1]
            set_line = {"t": "Para", "c": [{"t": "Str", "c": _box_set(node)}]}
            return [heading, _styled("Recommendation Set", [set_line]), _styled("Recommendation", rest)]
        return node

    return marks(rewrite(blocks, change), by, changed_by or by)


def _styled(style: str, blocks: list) -> Node:
    return {"t": "Div", "c": [["", [], [["custom-style", style]]], blocks]}


def _plain(inlines: list) -> str:
    return "".join(i["c"] if i.get("t") == "Str" else " " for i in inlines if i.get("t") in ("Str", "Space"))
