"""How `report comments` prints a reading: text for people, JSON for programs, workflow annotations
for a pull request's files, and a Markdown checklist per section owner for its description.

Everything a reviewer wrote (names, comments, inserted text) is untrusted: the text format drops
control characters (no terminal escapes, no bidirectional overrides), the annotations use the
workflow commands' escaping (`diagnostics`), and Markdown shows it as text (`markdown.md_text`: no
link, mention, HTML or markup can be made of it).
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import asdict

from .comments import EDITED, GONE, MOVED, UNPLACED, Place, Placed, Reading
from .diagnostics import github_message, github_property
from .markdown import md_text
from .word_review import COMMENT, DELETION, INSERTION, Item

LONG = 300  # characters of a reviewer's text shown in one line


def plain(text: str, limit: int = LONG) -> str:
    """Text fit for one line of a terminal: no control or format characters, spaces collapsed."""
    kept = "".join(" " if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") else c for c in text)
    kept = " ".join(kept.split())
    return kept if len(kept) <= limit else kept[: limit - 1] + "…"


def change_text(item: Item, limit: int = LONG) -> str:
    """What a change or comment says, quoted; a paragraph break by what it does."""
    if item.text.strip():
        return f"“{plain(item.text, limit)}”"
    if "\n" in item.text and item.kind == INSERTION:
        return "a paragraph break (the paragraph is split here)"
    if "\n" in item.text and item.kind == DELETION:
        return "a paragraph break (the paragraphs are joined here)"
    return "(nothing)"


def what(placed: Placed) -> str:
    """'comment by Ana (2026-03-02): “...”' and the like."""
    item = placed.item
    when = f" ({item.date[:10]})" if item.date else ""
    who = plain(item.author, 80) or "an unnamed reviewer"
    said = f"{item.kind} by {who}{when}: {change_text(item)}"
    if item.kind == COMMENT and item.passage.strip():
        said += f" on “{plain(item.passage, 120)}”"
    return said


def _where(place: Place) -> str:
    return f"{place.path}:{place.line}:{place.column}"


def _section(place: Place) -> str:
    parts = [p for p in (place.doc_label, place.section_label) if p]
    inside = f" (inside {place.inside})" if place.inside else ""
    return (f" [{plain(', '.join(parts), 120)}]" if parts else "") + inside


def _after(placed: Placed, edition: str) -> str:
    """What became of the item since the edition, in a few words."""
    where = placed.where
    if placed.status == MOVED and where is not None:
        return f" (moved; in {edition}: {_where(where)}{'; ' + placed.note if placed.note else ''})"
    if placed.surroundings_changed and placed.status != MOVED:
        return f" ({placed.note})"
    if placed.status == EDITED and where is not None:
        return f" (edited since {edition}, was {_where(where)}: {plain(placed.note, 160)})"
    return ""


def format_text(reading: Reading) -> str:
    edition = plain(reading.facts.edition, 80) or "the edition"
    lines = []
    for placed in reading.results:
        if placed.status == UNPLACED:
            lines.append(f"{reading.file}: not placed: {what(placed)}\n    why: {placed.note}")
        elif placed.status == GONE:
            where = placed.where
            at = _where(where) if where else reading.file
            lines.append(
                f"{at}: gone: {what(placed)}\n    why: {plain(placed.note)}; "
                f"in {edition} the passage read: “{plain(placed.quote)}”"
            )
        else:
            place = placed.now or placed.where
            assert place is not None
            lines.append(f"{_where(place)}: {what(placed)}{_section(place)}{_after(placed, edition)}")
    return "".join(line + "\n" for line in lines)


def summary(reading: Reading) -> str:
    counts: dict[str, int] = {}
    for placed in reading.results:
        counts[placed.item.kind] = counts.get(placed.item.kind, 0) + 1
    kinds = ", ".join(f"{n} {k}{'s' if n != 1 else ''}" for k, n in sorted(counts.items())) or "nothing"
    states: dict[str, int] = {}
    for placed in reading.results:
        states[placed.status] = states.get(placed.status, 0) + 1
    commit = reading.commit[:12] if reading.commit else "no commit"
    if not reading.results:
        return f"no comment and no tracked change in this DOCX of {plain(reading.facts.edition, 80)} ({commit})"
    return f"{kinds} from {plain(reading.facts.edition, 80)} ({commit}): " + ", ".join(
        f"{n} {s}" for s, n in sorted(states.items())
    )


def _place_dict(place: Place | None) -> dict | None:
    if place is None:
        return None
    data = asdict(place)
    del data["start"], data["end"]
    return data


def format_json(reading: Reading) -> str:
    facts = reading.facts
    items = []
    for placed in reading.results:
        item = placed.item
        items.append(
            {
                "kind": item.kind,
                "author": item.author,
                "date": item.date,
                "text": item.text,
                "passage": item.passage,
                "status": placed.status,
                "note": placed.note,
                "quote": placed.quote,
                "edition": _place_dict(placed.where),
                "now": _place_dict(placed.now),
            }
        )
    payload = {
        "file": reading.file,
        "edition": {
            "name": facts.edition,
            "date": facts.date,
            "final": facts.final,
            "commit": facts.commit,
            "uncommitted": facts.uncommitted,
        },
        "head": reading.head,
        "warnings": reading.warnings,
        "items": items,
    }
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"


def format_github(reading: Reading) -> str:
    """Annotations: a notice on each placed item's line; a warning, on no line, for each item that
    is gone or unplaced (the line it was on may now hold other text)."""
    edition = plain(reading.facts.edition, 80) or "the edition"
    lines = []
    for placed in reading.results:
        title = f"{placed.item.kind.capitalize()} by {plain(placed.item.author, 80) or 'a reviewer'}"
        place = placed.now if placed.status not in (GONE, UNPLACED) else None
        message = what(placed)
        if placed.status in (GONE, UNPLACED):
            was = f" (in {edition} at {_where(placed.where)})" if placed.where else ""
            message += f" - {placed.status}{was}: {placed.note}"
            lines.append(f"::warning title={github_property(title)}::{github_message(message)}")
            continue
        assert place is not None
        lines.append(
            f"::notice file={github_property(place.path)},line={place.line},col={place.column},"
            f"end_line={place.end_line},title={github_property(title)}::{github_message(message)}"
        )
    return "".join(line + "\n" for line in lines)


def _owner(reading: Reading, placed: Placed) -> str:
    """The owner a checklist item goes to: the member who owns its section now."""
    place = placed.now or placed.where
    doc = reading.report.by_path.get(place.path) if place else None
    if doc is None and place is not None and place.doc:
        doc = reading.report.by_id.get(place.doc)
    if doc is None or not doc.owner:
        return ""
    return doc.owner


def _owner_heading(reading: Reading, owner: str) -> str:
    if not owner:
        return "Not placed in a section (for the Secretariat)"
    member = reading.report.members.get(owner)
    if member is None:
        return f"Owner {md_text(owner)}"
    handle = f" (@{md_text(member.github)})" if member.github else ""
    return f"{md_text(member.name)}{handle}"


def code(text: str) -> str:
    """Text as a Markdown code span (where backslashes would show): fenced by more backticks than it holds."""
    text = " ".join(text.split())
    fence = "`" * (max((len(run) for run in re.findall("`+", text)), default=0) + 1)
    padding = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{padding}{text}{padding}{fence}"


def _check_line(placed: Placed, edition: str) -> str:
    place = placed.now if placed.status not in (GONE, UNPLACED) else placed.where
    at = f"{code(f'{place.path}:{place.line}')} " if place else ""
    section = md_text(", ".join(p for p in (place.doc_label, place.section_label) if p)) if place else ""
    status = {
        MOVED: " (moved since the edition)",
        EDITED: " (the passage was edited since the edition)",
        GONE: f" (**gone**: {md_text(placed.note)}; it read: “{md_text(plain(placed.quote))}”)",
        UNPLACED: f" (**not placed**: {md_text(placed.note)})",
    }.get(placed.status, "")
    inside = f" (inside {md_text(place.inside)})" if place and place.inside else ""
    return f"- [ ] {at}{'**' + section + '** — ' if section else ''}{md_text(what(placed))}{inside}{status}"


def format_markdown(reading: Reading) -> str:
    edition = plain(reading.facts.edition, 80) or "the edition"
    groups: dict[str, list[Placed]] = {}
    for placed in reading.results:
        groups.setdefault(_owner(reading, placed), []).append(placed)
    name = reading.file.replace("\\", "/").rsplit("/", 1)[-1]
    out = [
        f"### Review of {md_text(edition)} ({md_text(reading.facts.date)}), from {md_text(name)}",
        "",
        md_text(summary(reading)),
        "",
    ]
    for owner in sorted(groups, key=lambda o: (o == "", o)):
        out += [f"**{_owner_heading(reading, owner)}**", ""]
        out += [_check_line(placed, edition) for placed in groups[owner]]
        out.append("")
    return "\n".join(out)


FORMATS = {"text": format_text, "json": format_json, "github": format_github, "markdown": format_markdown}
