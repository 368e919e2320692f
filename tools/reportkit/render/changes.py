"""Marked changes in the text: insertions, deletions, highlighted passages and comments, and how
each pandoc edition shows them.

Two sources produce them, with one vocabulary in the AST: a span with class `rk-ins`, `rk-del`,
`rk-mark` or `rk-comment`. CriticMarkup in the text (`{++ ++}`, `{-- --}`, `{== ==}{>> <<}`) is
turned into these spans by the resolver; a redline between two editions builds them from a diff
(`span`), and gives them the class `rk-since` as well: a change since FROM is not a mark the text
carries, and both may meet in one passage (an open point inside a paragraph the redline moved).
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
# A redline's change since FROM. Not one of CLASSES: the text cannot write it (the judge allows only
# the resolver's classes), so a mark that carries it was made by the build, from the diff.
SINCE = "rk-since"


def span(kind: str, inlines: list) -> Node:
    """A change since FROM, as a redline marks it (kind: INSERTED or DELETED)."""
    return {"t": "Span", "c": [["", [kind, SINCE], []], inlines]}


def kind_of(node: Node) -> str | None:
    if node["t"] != "Span":
        return None
    classes = node["c"][0][1]
    return next((c for c in classes if c in CLASSES), None)


def since(node: Node) -> str | None:
    """The kind of a redline's change (INSERTED or DELETED); None for anything else, the text's own
    marks included."""
    return kind_of(node) if node["t"] == "Span" and SINCE in node["c"][0][1] else None


@dataclass(frozen=True)
class Attribution:
    """Who and when, for Word's tracked changes and comments."""

    author: str
    date: str  # ISO 8601, e.g. 2019-06-10T00:00:00Z


def for_docx(blocks: list, by: Attribution, changed_by: Attribution | None = None) -> list:
    """Marked spans as Word's tracked changes and comments: the text's own marks by `by`, a redline's
    changes (`since`) by `changed_by`; without `changed_by` those are left as they are, for a later
    call (the text's marks inside them converted)."""
    counter = iter(range(1, 1 << 30))

    def change(node: Node) -> Replacement:
        kind = kind_of(node)
        if kind is None or (since(node) and changed_by is None):
            return node
        inner = for_docx(node["c"][1], by, changed_by)
        who = changed_by if since(node) and changed_by is not None else by
        stamp = [["author", who.author], ["date", who.date]]
        if kind == INSERTED:
            return {"t": "Span", "c": [["", ["insertion"], stamp], inner]}
        if kind == DELETED:
            return {"t": "Span", "c": [["", ["deletion"], stamp], inner]}
        if kind == COMMENT:  # a comment on nothing in particular: a comment on a space
            ident = str(next(counter))
            return [
                {"t": "Span", "c": [[ident, ["comment-start"], stamp], inner]},
                {"t": "Span", "c": [[ident, ["comment-end"], []], []]},
            ]
        return {"t": "Span", "c": [["", [], [["custom-style", "Highlighted"]]], inner]}

    return _inside_links(_comments_on_marks(rewrite(blocks, change), by))


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
        highlighted = (
            before is not None and before.get("t") == "Span" and ["custom-style", "Highlighted"] in before["c"][0][2]
        )
        if is_start and highlighted:
            out.insert(len(out) - 1, item)
        else:
            out.append(item)
    return out


# Inline containers and where their inlines are: None for the node's content itself.
WRAPPERS: dict[str, int | None] = {
    "Emph": None,
    "Strong": None,
    "Underline": None,
    "Strikeout": None,
    "Superscript": None,
    "Subscript": None,
    "SmallCaps": None,
    "Quoted": 1,
    "Link": 1,
    "Span": 1,
    "Cite": 1,
}
_TRACKED = frozenset({"insertion", "deletion"})


def contained(shell: Node, inner: list) -> Node:
    """A container with other inlines in it."""
    where = WRAPPERS[shell["t"]]
    if where is None:
        return {"t": shell["t"], "c": inner}
    content = list(shell["c"])
    content[where] = inner
    return {"t": shell["t"], "c": content}


def _inlines_of(node: Node) -> list:
    where = WRAPPERS[node["t"]]
    return node["c"] if where is None else node["c"][where]


def _holds_link(node: Node) -> bool:
    if node.get("t") == "Link":
        return True
    return node.get("t") in WRAPPERS and any(isinstance(i, dict) and _holds_link(i) for i in _inlines_of(node))


def _inside_links(blocks: list) -> list:
    """Each tracked change that holds a hyperlink split around it and put inside it: LibreOffice drops
    a hyperlink's text from a change around it (a note's number, a citation, a reference), so that
    accepting the change would lose them; a change inside a link it keeps, as Word does."""

    def change(node: Node) -> Replacement:
        if node["t"] != "Span" or not _TRACKED & set(node["c"][0][1]):
            return node
        inner = _inside_links(node["c"][1])
        if not any(isinstance(i, dict) and _holds_link(i) for i in inner):
            return {"t": "Span", "c": [node["c"][0], inner]}
        return _spread(node["c"][0], inner)

    return rewrite(blocks, change)


def _spread(attr: list, inlines: list) -> list:
    out: list = []
    for node in inlines:
        if _holds_link(node):
            out.append(contained(node, _spread(attr, _inlines_of(node))))
        elif out and out[-1].get("t") == "Span" and out[-1]["c"][0] is attr:
            out[-1]["c"][1].append(node)
        else:
            out.append({"t": "Span", "c": [attr, [node]]})
    return out


def for_typst(blocks: list) -> list:
    """Marked spans as calls to the template's functions, around the span's own inlines (which
    pandoc still writes, escaped, as Typst markup)."""

    def change(node: Node) -> Replacement:
        kind = kind_of(node)
        if kind is None:
            return node
        # A change since FROM (the redline) is green and red; a passage still under negotiation, a
        # mark the text carries, is blue with dashed lines: the two can meet in one paragraph.
        call = kind if SINCE in node["c"][0][1] or kind == "rk-comment" else f"{kind}-open"
        inner = for_typst(node["c"][1])
        return [{"t": "RawInline", "c": ["typst", f"#{call}["]}, *inner, {"t": "RawInline", "c": ["typst", "]"]}]

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
