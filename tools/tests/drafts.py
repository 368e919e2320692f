"""A next draft of the sample report, made as the Secretariat would make it, for the diff and redline tests.

`next_draft(root)` edits a copy of the sample in place: a recommendation added in the middle of set 1
(1B to 1D become 1C to 1E), one withdrawn (3C) with the references to it taken out, a paragraph
moved, a paragraph reflowed without a word changed, an annex file renamed, a few words changed.
Every edit replaces text that must be there, so a change to the sample fails here loudly.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

NEW_REC = """\
---
id: digital-public-infrastructure
title: Build shared digital public infrastructure that every country can adopt and adapt
owner: seat-02
status: draft
set: 1
order: 2
summary: Open, interoperable building blocks for identity, payments and data exchange.
---

## Rationale {#rationale}

Identity, payments and data exchange are the roads and bridges of a digital economy. Built as open and \
interoperable public infrastructure, they let many services grow on top of them, as \
[[rec:digital-public-goods]] argues for software and data.

## Proposed action {#action}

1. Governments and development partners should pool designs, standards and tested components.
2. Every component should be free to adopt and adapt, without licence fees.
"""

# (file, text that must be there, what replaces it)
EDITS = [
    # Set 1 makes room for the new recommendation at order 2.
    ("recommendations/digital-public-goods.md", "order: 2", "order: 3"),
    ("recommendations/inclusive-economy-platform.md", "order: 3", "order: 4"),
    ("recommendations/digital-economy-data.md", "order: 4", "order: 5"),
    (
        "chapters/05-recommendations.md",
        " [[rec:digital-public-goods]] calls for a platform",
        (
            " [[rec:digital-public-infrastructure]] asks for open building blocks that every country can adopt."
            " [[rec:digital-public-goods]] calls for a platform"
        ),
    ),
    # 3C is withdrawn: its file stays, its label goes, and no text may cite it.
    ("recommendations/ethics-standards.md", "status: draft", "status: withdrawn"),
    (
        "chapters/03-individuals-societies.md",
        (
            " sets out this principle, and [[rec:ethics-standards]] proposes ways to turn it into shared practice "
            "across different social settings, building on"
        ),
        " sets out this principle, building on",
    ),
    (
        "recommendations/autonomous-systems.md",
        "builds on [[rec:human-rights-review]], is complemented by [[rec:ethics-standards]], and",
        "builds on [[rec:human-rights-review]] and",
    ),
    (
        "recommendations/human-rights-review.md",
        "[[rec:autonomous-systems]] and [[rec:ethics-standards]], and reflects",
        "[[rec:autonomous-systems]] and reflects",
    ),
    (
        "chapters/05-recommendations.md",
        (
            " [[rec:ethics-standards]] encourages multi-stakeholder work to translate principles such as "
            "transparency and non-bias into standards that can be used in practice."
        ),
        "",
    ),
    # A few words changed in an agreed recommendation, and its status reopened.
    ("recommendations/affordable-access.md", "status: agreed", "status: review"),
    (
        "recommendations/affordable-access.md",
        "A clear target date gives governments",
        "A clear and public target date gives governments",
    ),
]
MOVED = ("chapters/01-introduction.md", "Several themes recurred across these discussions:", "## Composition")
REFLOWED = ("chapters/02-leaving-no-one-behind.md", "The Panel treated inclusion not as one topic")
RENAMED = ("annexes/06-principles.md", "annexes/06-guiding-principles.md")


def _edit(root: Path, path: str, old: str, new: str) -> None:
    file = root / path
    text = file.read_text("utf-8")
    assert old in text, f"{old!r} is not in {path}"
    file.write_text(text.replace(old, new, 1), "utf-8")


def _paragraph(text: str, start: str) -> str:
    """The paragraph (a run of lines between blank lines) that starts with `start`."""
    at = text.index("\n\n" + start) + 2
    end = text.find("\n\n", at)
    return text[at : end if end >= 0 else len(text)]


def move_paragraph(root: Path, path: str, start: str, before: str) -> None:
    """Move the paragraph starting with `start` to just before the line `before`."""
    file = root / path
    text = file.read_text("utf-8")
    paragraph = _paragraph(text, start)
    text = text.replace("\n\n" + paragraph, "", 1)
    at = text.index("\n" + before) + 1
    file.write_text(text[:at] + paragraph + "\n\n" + text[at:], "utf-8")


def reflow_paragraph(root: Path, path: str, start: str) -> None:
    """Wrap a paragraph at 60 columns: the same words, other lines."""
    file = root / path
    text = file.read_text("utf-8")
    paragraph = _paragraph(text, start)
    file.write_text(text.replace(paragraph, textwrap.fill(paragraph, 60), 1), "utf-8")


def next_draft(root: Path) -> None:
    """Make the next draft in the working tree of a copy of the sample."""
    (root / "recommendations/digital-public-infrastructure.md").write_text(NEW_REC, "utf-8")
    for path, old, new in EDITS:
        _edit(root, path, old, new)
    move_paragraph(root, *MOVED)
    reflow_paragraph(root, *REFLOWED)
    (root / RENAMED[0]).rename(root / RENAMED[1])


def agree_marks(text: str) -> str:
    """The text as agreed: insertions kept, deletions dropped, the second of two alternatives taken,
    bracketed passages kept, comments dropped."""
    text = re.sub(r"\{\+\+ ?(.*?) ?\+\+\}", r"\1", text)
    text = re.sub(r"\{-- ?(.*?) ?--\}", "", text)
    text = re.sub(r"\{~~ ?.*? ?~> ?(.*?) ?~~\}", r"\1", text)
    text = re.sub(r"\{== ?(.*?) ?==\}", r"\1", text)
    return re.sub(r"\{>>.*?<<\}", "", text)


def finished(root: Path) -> None:
    """The sample as the Panel would publish it: every section agreed, marks agreed, seats named."""
    for folder in ("chapters", "recommendations", "annexes"):
        for path in (root / folder).glob("*.md"):
            text = agree_marks(path.read_text("utf-8"))
            text = re.sub(r"^status: (draft|review)$", "status: agreed", text, count=1, flags=re.M)
            path.write_text(text.replace("placeholder: true\n", ""), "utf-8")
    roster = (root / "roster.yml").read_text("utf-8")
    roster = re.sub(r'name: "Member seat (\d+) \(name to be confirmed\)"', r'name: "Member \1"', roster)
    (root / "roster.yml").write_text(roster.replace("    vacancy: true\n", ""), "utf-8")
