"""CriticMarkup in the resolver: the marks of text not yet agreed, written for each reader.

pandoc does not read CriticMarkup, so for the single document (mode "single") each mark becomes the
spans of the one vocabulary of `changes`: `{++ ++}` an `rk-ins` span, `{-- --}` `rk-del`,
`{~~ a ~> b ~~}` `rk-del` then `rk-ins`, `{== ==}` `rk-mark`, `{>> <<}` `rk-comment`. Only the
delimiters are replaced, so references inside a mark are resolved as anywhere else and every body
line stays on its own line. The site (mode "site") reads CriticMarkup itself (pymdownx.critic):
there a comment is made plain text as the site shows it, and the few CriticMarkup tokens that stand
in code or in an HTML comment are hidden from that reader (`shield`), as the scan ignores them.
"""

from __future__ import annotations

import re

from .. import refs
from ..markdown import CriticMark, mask, md_text
from ..model import Document, Report
from . import changes

SITE, SINGLE = "site", "single"  # as in resolve (which imports this module)
CLASS = {"insertion": changes.INSERTED, "deletion": changes.DELETED, "highlight": changes.MARKED}
# Put inside a CriticMarkup token that the site's reader must not see; removed from the page's HTML.
SENTINEL = "\u2060"
_TOKEN = re.compile(r"\{(?:\+\+|--|~~|==|>>)|(?:\+\+|--|~~|==|<<)\}|~>")
_SHIELDED = re.compile(r"(?<=[{+\-~=<])\u2060(?=[+\-~=>}])")

Edit = tuple[int, int, str]


def edits(report: Report, doc: Document, mode: str) -> list[Edit]:
    """The resolver's edits for a document's marks (offsets in its body)."""
    found: list[Edit] = []
    for mark in doc.scan.marks:
        found += _single(report, doc, mark) if mode == SINGLE else _site(report, doc, mark)
    return found


def _site(report: Report, doc: Document, mark: CriticMark) -> list[Edit]:
    """pymdownx.critic shows a comment as text: references in it become their labels, as text."""
    if mark.kind == "comment":
        return [(mark.start, mark.end, "{>>" + plain(report, mark.texts[0]) + "<<}")]
    if mark.kind == "highlight" and len(mark.parts) == 2:
        return [(mark.parts[1][0] - 3, mark.end, "{>>" + plain(report, mark.texts[1]) + "<<}")]
    return []


def _single(report: Report, doc: Document, mark: CriticMark) -> list[Edit]:
    parts = mark.parts
    if mark.kind == "comment":
        return [(mark.start, mark.end, comment_span(report, mark.texts[0]))]
    found: list[Edit] = [(mark.start, mark.start + 3, "[")]
    if mark.kind == "substitution":
        found += [
            (parts[0][1], parts[1][0], f"]{{.{changes.DELETED}}}["),
            (parts[1][1], mark.end, f"]{{.{changes.INSERTED}}}"),
        ]
    elif mark.kind == "highlight":
        found.append((parts[0][1], parts[0][1] + 3, f"]{{.{changes.MARKED}}}"))
        if len(parts) == 2:
            found.append((parts[1][0] - 3, mark.end, comment_span(report, mark.texts[1])))
    else:
        found.append((parts[0][1], mark.end, f"]{{.{CLASS[mark.kind]}}}"))
    shown = parts if mark.kind == "substitution" else parts[:1]
    for start, end in shown:
        found += [(at, at, "\\") for at in unbalanced_brackets(doc.scan.masked, start, end)]
    return found


def plain(report: Report, text: str) -> str:
    """A comment's text with each reference written as its label (comments are text, not links)."""
    return refs.as_text(report, text)


def comment_span(report: Report, text: str) -> str:
    """A comment as an `rk-comment` span of plain text, line for line."""
    lines = plain(report, text).split("\n")
    kept = [md_text(lines[0])]
    for line in lines[1:]:  # a continuation keeps its indent, so a list item's text stays in its item
        indent = line[: len(line) - len(line.lstrip())]
        kept.append(indent + md_text(line))
    return "[" + "\n".join(kept) + f"]{{.{changes.COMMENT}}}"


def unbalanced_brackets(masked: str, start: int, end: int) -> list[int]:
    """Offsets of the '[' and ']' between start and end that have no partner there: escaped, they stay
    text inside the span the mark becomes, instead of closing it early (code is blank in `masked`)."""
    opened: list[int] = []
    lonely: list[int] = []
    index = start
    while index < end:
        char = masked[index]
        if char == "\\":
            index += 2  # an escaped character is text already
            continue
        if char == "[":
            opened.append(index)
        elif char == "]":
            if opened:
                opened.pop()
            else:
                lonely.append(index)
        index += 1
    return sorted(lonely + opened)


def shield(text: str) -> str:
    """The site's Markdown with every CriticMarkup token in code or in an HTML comment split by an
    invisible character, so pymdownx.critic (which reads before code is recognised) leaves it alone."""
    if "{" not in text and "~>" not in text:
        return text
    masked = mask(text)

    def split(m: re.Match) -> str:
        token = m.group()
        if masked[m.start() : m.end()] == token:
            return token  # running text: the site's reader shows the mark
        return token[0] + SENTINEL + token[1:]

    return _TOKEN.sub(split, text)


def unshield(html: str) -> str:
    """The page's HTML as the text had it: the characters `shield` put into tokens removed."""
    return _SHIELDED.sub("", html) if SENTINEL in html else html
