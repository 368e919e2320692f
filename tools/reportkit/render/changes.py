"""Marked changes in the text: insertions, deletions, highlighted passages and comments, and how
each pandoc edition shows them.

Two sources produce them, with one vocabulary in the AST: a span with class `rk-ins`, `rk-del`,
`rk-mark` or `rk-comment`. CriticMarkup in the text (`{++ ++}`, `{-- --}`, `{== ==}{>> <<}`) is
turned into these spans by the resolver; a redline between two editions builds them from a diff.
Word gets native tracked changes and comments (pandoc writes `insertion`/`deletion` spans as
`w:ins`/`w:del`, and `comment-start`/`comment-end` spans as comments); the PDF gets the template's
`rk-ins`/`rk-del`/`rk-mark`/`rk-comment` functions, which underline, strike, highlight and put a bar
in the margin. The site marks the same spans as `<ins>`, `<del>`, `<mark>` (see web/assets CSS).
"""

from __future__ import annotations

from dataclasses import dataclass

from .transforms import Node, Replacement, rewrite

INSERTED, DELETED, MARKED, COMMENT = "rk-ins", "rk-del", "rk-mark", "rk-comment"
CLASSES = frozenset({INSERTED, DELETED, MARKED, COMMENT})


def span(kind: str, inlines: list) -> Node:
    """A marked span of inlines (kind: one of CLASSES)."""
    return {"t": "Span", "c": [["", [kind], []], inlines]}


def kind_of(node: Node) -> str | None:
    if node["t"] != "Span":
        return None
    classes = node["c"][0][1]
    return next((c for c in classes if c in CLASSES), None)


@dataclass(frozen=True)
class Attribution:
    """Who and when, for Word's tracked changes and comments."""

    author: str
    date: str  # ISO 8601, e.g. 2019-06-10T00:00:00Z


def for_docx(blocks: list, by: Attribution) -> list:
    """Marked spans as Word's tracked changes and comments."""
    counter = iter(range(1, 1 << 30))

    def change(node: Node) -> Replacement:
        kind = kind_of(node)
        if kind is None:
            return node
        inner = for_docx(node["c"][1], by)
        stamp = [["author", by.author], ["date", by.date]]
        if kind == INSERTED:
            return {"t": "Span", "c": [["", ["insertion"], stamp], inner]}
        if kind == DELETED:
            return {"t": "Span", "c": [["", ["deletion"], stamp], inner]}
        if kind == COMMENT:  # a comment on nothing in particular: a comment on a space
            ident = str(next(counter))
            return [{"t": "Span", "c": [[ident, ["comment-start"], stamp], inner]},
                    {"t": "Span", "c": [[ident, ["comment-end"], []], []]}]
        return {"t": "Span", "c": [["", [], [["custom-style", "Highlighted"]]], inner]}

    return _comments_on_marks(rewrite(blocks, change), by)


def _comments_on_marks(blocks: list, by: Attribution) -> list:
    """A highlighted passage followed by its comment becomes one Word comment on that passage."""
    # for_docx has made each comment a comment-start/comment-end pair right where it was written;
    # when the comment follows a highlighted passage, move its start before the passage.
    def change(node: Node) -> Replacement:
        if node["t"] in ("Para", "Plain"):
            return {**node, "c": _anchor_comments(node["c"])}
        return node

    return rewrite(blocks, change)


def _anchor_comments(inlines: list) -> list:
    out: list = []
    for item in inlines:
        is_start = item.get("t") == "Span" and "comment-start" in item["c"][0][1]
        before = out[-1] if out else None
        highlighted = (before is not None and before.get("t") == "Span"
                       and ["custom-style", "Highlighted"] in before["c"][0][2])
        if is_start and highlighted:
            out.insert(len(out) - 1, item)
        else:
            out.append(item)
    return out


def for_typst(blocks: list) -> list:
    """Marked spans as calls to the template's functions, around the span's own inlines (which
    pandoc still writes, escaped, as Typst markup)."""
    def change(node: Node) -> Replacement:
        kind = kind_of(node)
        if kind is None:
            return node
        inner = for_typst(node["c"][1])
        return [{"t": "RawInline", "c": ["typst", f"#{kind}["]}, *inner, {"t": "RawInline", "c": ["typst", "]"]}]

    return rewrite(blocks, change)


def count(blocks: list) -> dict[str, int]:
    """How many spans of each kind the blocks hold."""
    found = dict.fromkeys(sorted(CLASSES), 0)

    def seen(node: Node) -> Replacement:
        kind = kind_of(node)
        if kind:
            found[kind] += 1
        return node

    rewrite(blocks, seen)
    return found
