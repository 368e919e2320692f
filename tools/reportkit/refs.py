"""Cross-references: index every id and anchor (pass 1), then resolve each reference (pass 2).

Resolution is pure data: the checker turns failures into diagnostics and the renderer turns
successes into links, so the rules live in one place.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from .markdown import KINDS, REF, RefMatch
from .model import KIND_NAMES, Document, Report


@dataclass
class Resolved:
    target: Document
    anchor: str | None
    text: str  # what the reader sees: "Recommendation 1A", "Section 3.2", custom text


@dataclass
class Unresolved:
    code: str
    message: str


@dataclass
class Listing:
    """`[[list:recommendations]]`: the list the toolchain writes there (every recommendation, by set)."""

    name: str


LISTS = ("recommendations",)
CAPTION_KINDS = ("figure", "table", "box")


def suggest(word: str, candidates: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


Hint = Callable[[str, Iterable[str]], str]  # (unknown name, the valid ones) -> "; did you mean ...?" or ""


def no_hint(word: str, candidates: Iterable[str]) -> str:
    """For a caller that keeps only whether a reference resolves (the resolver): no comparing at all."""
    return ""


class Hints:
    """Did-you-mean for the unknown names of one file, up to LIMIT of them. Each suggestion compares
    the name with every candidate, so a file of thousands of unknown anchors among thousands of
    headings would cost their product; past the first LIMIT, its messages go without one."""

    LIMIT = 20

    def __init__(self, limit: int = LIMIT) -> None:
        self.left = limit

    def __call__(self, word: str, candidates: Iterable[str]) -> str:
        if self.left <= 0:
            return ""
        self.left -= 1
        return suggest(word, candidates)


def default_text(report: Report, target: Document, anchor: str | None) -> str:
    if not anchor:
        return target.label
    if anchor in target.set_sections:
        return f"Set {target.set_sections[anchor]}"
    number = target.section_numbers.get(anchor)
    if number:
        return f"Section {number}"
    if target.number and target.kind != "chapter":
        return f"{target.label}, “{target.heading_texts.get(anchor, anchor)}”"
    return f"“{target.heading_texts.get(anchor, anchor)}”"


def as_text(report: Report, text: str) -> str:
    """Text with each reference written as the words a reader sees for it, not as a link (for text
    that every edition shows as plain text: a comment on a passage, a listing of open points)."""

    def words(m) -> str:
        result = resolve(report, RefMatch(m["kind"], m["target"], m["anchor"], m["text"], 0, 0))
        return result.text if isinstance(result, Resolved) else (m["text"] or m["target"])

    return REF.sub(words, text) if "[[" in text else text


def resolve(report: Report, ref: RefMatch, hint: Hint = suggest) -> Resolved | Unresolved | Listing:
    """What a reference points to, or why it points nowhere (with `hint`'s did-you-mean)."""
    if ref.kind == "list":
        if ref.target in LISTS and not ref.anchor and not ref.text:
            return Listing(ref.target)
        return Unresolved(
            "ref.syntax",
            f"there is no list '{ref.target}'{suggest(ref.target, LISTS)}: "
            "write [[list:recommendations]] on a line of its own",
        )
    if ref.kind in CAPTION_KINDS:  # figures, tables and boxes: apparatus/captions.py
        from .apparatus.captions import resolve as resolve_caption

        return resolve_caption(report, ref)
    if ref.kind not in KINDS:
        kinds = (*KINDS, *CAPTION_KINDS)
        return Unresolved(
            "ref.syntax",
            f"unknown reference kind '{ref.kind}'{suggest(ref.kind, kinds)} "
            "(use rec, chapter, annex, figure, table or box)",
        )
    target = report.by_id.get(ref.target)
    wanted = KIND_NAMES[ref.kind]
    if target is None:  # a generator: a spent hint lists nothing
        same_kind = (d.id for d in report.documents if d.kind == ref.kind and d.id)
        close = hint(ref.target, same_kind) or hint(ref.target, report.by_id)
        return Unresolved("ref.unknown", f"no {wanted} with id '{ref.target}'{close}")
    if target.kind != ref.kind:
        actual = KIND_NAMES[target.kind]
        return Unresolved(
            "ref.kind",
            f"'{ref.target}' is a{'n' if actual[0] in 'aeiou' else ''} {actual}, "
            f"not a{'n' if wanted[0] in 'aeiou' else ''} {wanted}: write "
            f"[[{target.kind}:{ref.target}{'#' + ref.anchor if ref.anchor else ''}]]",
        )
    if target.withdrawn:
        return Unresolved(
            "ref.withdrawn",
            f"recommendation '{ref.target}' is withdrawn; remove the reference or restore the recommendation",
        )
    if ref.anchor and ref.anchor not in target.anchors:
        return Unresolved(
            "ref.anchor", f"{target.path} has no heading '#{ref.anchor}'{hint(ref.anchor, target.anchors)}"
        )
    text = ref.text.strip() if ref.text and ref.text.strip() else default_text(report, target, ref.anchor)
    return Resolved(target, ref.anchor, text)
