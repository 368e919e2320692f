"""The rules that read the loaded text, and every finding's code with its default level (RULES, LOCKED).

Each rule takes the loaded Report and returns diagnostics; none prints. The other judges (assets,
the site plan, pandoc's AST) report under codes listed here too, and `verdict` gathers them all.
"""

from __future__ import annotations

import os
import re
from collections import defaultdict
from collections.abc import Mapping
from typing import TypeVar

from . import negotiation, owners, refs
from .apparatus import checks as apparatus_checks
from .apparatus.rules import RULES as APPARATUS_RULES
from .diagnostics import ERROR, OFF, WARNING, Diagnostic, sort_key
from .markdown import ANCHOR, LABEL, MENTION, LinkMatch, is_external
from .model import Document, Report
from .paths import link_target

K = TypeVar("K")

# Every code with its default level; report.yml's `rules:` may raise, lower or silence each.
RULES: dict[str, str] = {
    "file.encoding": ERROR,
    "file.empty": ERROR,
    "file.outside": ERROR,
    "file.too-large": ERROR,
    "file.unreadable": ERROR,
    "file.special": ERROR,
    "frontmatter.missing": ERROR,
    "frontmatter.unclosed": ERROR,
    "frontmatter.empty": ERROR,
    "frontmatter.type": ERROR,
    "frontmatter.too-large": ERROR,
    "yaml.syntax": ERROR,
    "schema": ERROR,
    "roster.missing": ERROR,
    "roster.duplicate": ERROR,
    "owner.unknown": ERROR,
    "id.duplicate": ERROR,
    "anchor.duplicate": ERROR,
    "anchor.invalid": ERROR,
    "heading.h1": WARNING,
    "ref.syntax": ERROR,
    "ref.unknown": ERROR,
    "ref.kind": ERROR,
    "ref.withdrawn": ERROR,
    "ref.anchor": ERROR,
    "rec.unreferenced": WARNING,
    "rec.set-unknown": ERROR,
    "label.duplicate": ERROR,
    "label.gap": ERROR,
    "mention.unknown": ERROR,
    "mention.plain": WARNING,
    "link.broken": ERROR,
    "link.anchor": ERROR,
    "link.outside": ERROR,
    "link.scheme": ERROR,
    "image.missing": ERROR,
    "image.outside": ERROR,
    "image.alt": ERROR,
    "image.remote": ERROR,
    # One series of notes across the report: a note nobody calls has no place in it.
    "note.undefined": ERROR,
    "note.unused": ERROR,
    "note.duplicate": ERROR,
    "budget.over": WARNING,
    "codeowners.stale": ERROR,
    "html.unsafe": ERROR,
    "html.raw": WARNING,
    "file.too-many": ERROR,
    "rules.unknown": WARNING,
    "rules.locked": WARNING,
    "asset.invalid": ERROR,
    "render.raw": ERROR,
    "render.attribute": ERROR,
    "render.metadata": ERROR,
    "render.warning": WARNING,
    "render.failed": ERROR,
    "heading.unrecognized": ERROR,
    "text.nesting": ERROR,
    "text.complexity": ERROR,
    "site.collision": ERROR,
    "web.file": ERROR,
    "web.remote": ERROR,
    "site.build": ERROR,
    "site.config": ERROR,
    # Negotiated text (negotiation.py): CriticMarkup and positions (what they block: final.py).
    "mark.unclosed": ERROR,
    "mark.nested": ERROR,
    "mark.span": ERROR,
    "mark.place": ERROR,
    "position.member": ERROR,
    "position.duplicate": ERROR,
    "position.note": ERROR,
    "position.commit": ERROR,
    "position.stale": WARNING,
    "position.missing": WARNING,
    **APPARATUS_RULES,
}
# Codes that guard what may run in a reader's browser or leave the repository: report.yml cannot
# lower them (silencing `image.outside` must never let an outside file into an edition).
LOCKED = frozenset(
    {
        "file.outside",
        "file.special",
        "file.unreadable",
        "image.outside",
        "link.outside",
        "link.scheme",
        "html.unsafe",
        "asset.invalid",
        "render.raw",
        "render.attribute",
        "render.metadata",
        "render.failed",
        "heading.unrecognized",
        "text.nesting",
        "text.complexity",
        "site.collision",
        "web.file",
        "web.remote",
        "image.remote",
        "site.config",
    }
)
MAX_PER_FILE = 200
SAFE_SCHEMES = ("http://", "https://", "mailto:")


def _at(doc: Document, offset: int, code: str, message: str) -> Diagnostic:
    line, column = doc.where(offset)
    return Diagnostic(doc.path, line, column, RULES[code], code, message)


def _at_key(doc: Document, key: str, code: str, message: str) -> Diagnostic:
    return Diagnostic(doc.path, doc.key_line(key), 1, RULES[code], code, message)


def _clashes(groups: Mapping[K, list[Document]]) -> list[tuple[K, Document, str]]:
    """(key, document, the other documents' paths) for every document that shares its key."""
    return [
        (key, doc, ", ".join(o.path for o in docs if o is not doc))
        for key, docs in groups.items()
        if len(docs) > 1
        for doc in docs
    ]


def check_ids(report: Report) -> list[Diagnostic]:
    seen: dict[str, list[Document]] = defaultdict(list)
    for doc in report.documents:
        if doc.id:
            seen[doc.id].append(doc)
    return [
        _at_key(doc, "id", "id.duplicate", f"id '{ident}' is used more than once (other instance in {others})")
        for ident, doc, others in _clashes(seen)
    ]


def check_owners(report: Report) -> list[Diagnostic]:
    if not report.members:
        return []
    found = []
    for doc in report.documents:
        if doc.owner and doc.owner not in report.members:
            hint = refs.suggest(doc.owner, report.members)
            found.append(_at_key(doc, "owner", "owner.unknown", f"owner '{doc.owner}' is not in roster.yml{hint}"))
    return found


def check_headings(report: Report) -> list[Diagnostic]:
    found = []
    for doc in report.documents:
        seen: dict[str, int] = {}
        for heading in doc.scan.headings:
            if heading.level == 1:
                found.append(
                    _at(
                        doc,
                        heading.start,
                        "heading.h1",
                        "a level-1 heading ('# ...') in the text: the title comes from the "
                        "front matter, so start sections at '## '",
                    )
                )
            if heading.explicit and not ANCHOR.fullmatch(heading.anchor):
                found.append(
                    _at(
                        doc,
                        heading.start,
                        "anchor.invalid",
                        f"the heading id '#{heading.anchor}' may hold only ASCII letters, digits and "
                        "- _ . : (the engines read anything else as text)",
                    )
                )
            if heading.anchor in seen:
                line, _ = doc.where(seen[heading.anchor])
                found.append(
                    _at(
                        doc,
                        heading.start,
                        "anchor.duplicate",
                        f"heading id '#{heading.anchor}' is already used on line {line}; "
                        "give this heading its own id with {#another-id}",
                    )
                )
            else:
                seen[heading.anchor] = heading.start
    return found


def check_references(report: Report) -> list[Diagnostic]:
    found = []
    cited_by_chapter: set[str] = set()
    for doc in report.documents:
        for offset, raw in doc.scan.broken_refs:
            found.append(
                _at(
                    doc,
                    offset,
                    "ref.syntax",
                    f"'{raw}' is not a reference; write [[rec:ID]], [[chapter:ID]], "
                    "[[annex:ID]], with optional #anchor and |text",
                )
            )
        hints = refs.Hints()
        for ref in doc.scan.refs:
            result = refs.resolve(report, ref, hints)
            if isinstance(result, refs.Unresolved):
                found.append(_at(doc, ref.start, result.code, result.message))
            elif isinstance(result, refs.Listing):
                found += _check_listing(doc, ref)
            elif doc.kind == "chapter" and ref.kind == "rec":
                cited_by_chapter.add(result.target.id or "")
    for doc in report.of_kind("rec"):
        if doc.id and not doc.withdrawn and doc.id not in cited_by_chapter:
            found.append(
                _at_key(
                    doc,
                    "id",
                    "rec.unreferenced",
                    f"no chapter refers to {doc.label} ('{doc.id}'); "
                    f"cite it with [[rec:{doc.id}]] where the text discusses it",
                )
            )
    return found


def _check_listing(doc: Document, ref) -> list[Diagnostic]:
    """A list takes a paragraph of its own: the editions put a whole list there."""
    body = doc.scan.body
    line_start = body.rfind("\n", 0, ref.start) + 1
    line_end = body.find("\n", ref.end)
    alone = not body[line_start : ref.start].strip() and not body[ref.end : line_end if line_end >= 0 else None].strip()
    if alone:
        return []
    return [
        _at(
            doc,
            ref.start,
            "ref.syntax",
            "[[list:recommendations]] must be on a line of its own, with a blank line before and after",
        )
    ]


def _with(d: Diagnostic, severity: str) -> Diagnostic:
    return Diagnostic(d.path, d.line, d.column, severity, d.code, d.message)


def check_labels(report: Report) -> list[Diagnostic]:
    found = []
    declared = {int(k) for k in report.settings.get("sets", {})}
    active = [d for d in report.of_kind("rec") if d.set is not None and d.order is not None and not d.withdrawn]
    by_slot: dict[tuple[int, int], list[Document]] = defaultdict(list)
    by_set: dict[int, list[Document]] = defaultdict(list)
    for doc in active:
        by_slot[(doc.set, doc.order)].append(doc)  # type: ignore[index]
        by_set[doc.set].append(doc)  # type: ignore[index]
        if doc.set not in declared:
            found.append(
                _at_key(
                    doc,
                    "set",
                    "rec.set-unknown",
                    f"set {doc.set} is not one of the sets in report.yml ({', '.join(map(str, sorted(declared)))})",
                )
            )
    for (set_number, order), doc, others in _clashes(by_slot):
        found.append(
            _at_key(
                doc,
                "order",
                "label.duplicate",
                f"set {set_number}, order {order} is also taken by {others}: "
                "two recommendations would compete for one label",
            )
        )
    highest = max(declared | set(by_set), default=0)
    for n in range(1, highest + 1):
        if n in by_set:
            continue
        later = next((by_set[m] for m in range(n + 1, highest + 1) if m in by_set), None)
        if later:
            doc = min(later, key=lambda d: d.order or 0)  # active recommendations have one
            found.append(
                _at_key(
                    doc,
                    "set",
                    "label.gap",
                    f"set {n} has no recommendation, so the labels jump from set {n - 1} to set {doc.set}",
                )
            )
        else:
            found.append(
                Diagnostic(
                    "report.yml",
                    report.settings_lines.get("sets", 1),
                    1,
                    RULES["label.gap"],
                    "label.gap",
                    f"set {n} ('{report.set_title(n)}') has no recommendation",
                )
            )
    return found


def check_mentions(report: Report) -> list[Diagnostic]:
    found = []
    labels = {d.number: d for d in report.of_kind("rec") if d.number}
    for doc in report.documents:
        text = doc.scan.masked
        if "ecommendation" not in text:
            continue
        chars = list(text)
        for ref in doc.scan.refs:  # custom reference text is not a plain mention
            chars[ref.start : ref.end] = " " * (ref.end - ref.start)
        hints = refs.Hints()
        for m in MENTION.finditer("".join(chars)):
            for n, item in enumerate(LABEL.finditer(m["labels"])):
                label = item.group(0).upper()
                where = m.start() if n == 0 else m.start("labels") + item.start()
                mention = f"Recommendation {item.group(0)}"
                target = labels.get(label)
                if target is None:
                    found.append(
                        _at(
                            doc,
                            where,
                            "mention.unknown",
                            f"'{mention}' matches no recommendation{hints(label, labels)}; "
                            "refer to recommendations with [[rec:ID]]",
                        )
                    )
                else:
                    found.append(
                        _at(
                            doc,
                            where,
                            "mention.plain",
                            f"'{mention}' is plain text and will go stale if the labels change; "
                            f"write [[rec:{target.id}]]",
                        )
                    )
    return found


def check_links(report: Report) -> list[Diagnostic]:
    found = []
    for doc in report.documents:
        hints = refs.Hints()
        for link in doc.scan.links:
            found += _check_link(report, doc, link, hints)
    return found


def _check_external(doc: Document, link: LinkMatch, at: int, target: str) -> list[Diagnostic]:
    """An address outside the repository: only safe schemes, and no image from the internet."""
    noun = "image" if link.image else "link"
    found = []
    if not target.lower().startswith(SAFE_SCHEMES):
        scheme = target.split(":")[0] + ":" if ":" in target else target[:2]
        found.append(
            _at(
                doc,
                at,
                "link.scheme",
                f"'{scheme}' {noun}s are not allowed: only http, https and mailto links, "
                "which cannot run code or hide content in readers' browsers",
            )
        )
    elif link.image:
        found.append(
            _at(
                doc,
                at,
                "image.remote",
                "this image is loaded from the internet; the PDF and DOCX cannot include "
                "it and the site would track readers: put the file in images/",
            )
        )
    return found


def _check_link(report: Report, doc: Document, link: LinkMatch, hints: refs.Hint) -> list[Diagnostic]:
    noun = "image" if link.image else "link"
    at = link.target_start
    target = link.target.strip()
    problems = []
    if link.image and not link.text.strip():
        problems.append(
            _at(
                doc,
                link.start,
                "image.alt",
                "this image has no alt text: describe it between the brackets, "
                "![like this](path), for readers who cannot see it",
            )
        )
    if not target:
        return problems + [
            _at(doc, at, f"{noun}.broken" if not link.image else "image.missing", f"this {noun} has an empty target")
        ]
    if is_external(target):
        return problems + _check_external(doc, link, at, target)
    path, anchor, rel = link_target(report.root, doc.path, target)
    if rel is None:
        return problems + [
            _at(doc, at, f"{noun}.outside", f"'{target}' points outside the repository; it was not read")
        ]
    full = report.root / rel
    # os.path, unlike Path in Python 3.11, answers False for a name too long or otherwise unusable.
    if not os.path.exists(full):
        code = "image.missing" if link.image else "link.broken"
        names = (p.name for p in full.parent.iterdir()) if os.path.isdir(full.parent) else ()
        hint = hints(full.name, names)
        return problems + [_at(doc, at, code, f"'{path}' does not exist{hint}")]
    if link.image or not anchor:
        return problems
    target_doc = report.by_path.get(rel)
    if target_doc is not None and anchor not in target_doc.anchors:
        where = "this file" if target_doc is doc else target_doc.path
        problems.append(
            _at(doc, at, "link.anchor", f"{where} has no heading '#{anchor}'{hints(anchor, target_doc.anchors)}")
        )
    return problems


def check_notes(report: Report) -> list[Diagnostic]:
    found = []
    for doc in report.documents:
        defined: dict[str, int] = {}
        used: set[str] = set()
        for note in doc.scan.notes:
            if note.definition:
                if note.label in defined:
                    line, _ = doc.where(defined[note.label])
                    found.append(
                        _at(
                            doc,
                            note.start,
                            "note.duplicate",
                            f"note [^{note.label}] is defined twice (first on line {line})",
                        )
                    )
                defined.setdefault(note.label, note.start)
            else:
                used.add(note.label)
        for note in doc.scan.notes:
            if not note.definition and note.label not in defined:
                found.append(
                    _at(
                        doc,
                        note.start,
                        "note.undefined",
                        f"note [^{note.label}] has no text: add a line '[^{note.label}]: ...'",
                    )
                )
        for label, offset in defined.items():
            if label not in used:
                found.append(_at(doc, offset, "note.unused", f"note [^{label}] is defined but never used in the text"))
    return found


# Elements and attributes that run code, load other pages or change the page around the text.
UNSAFE_TAGS = {
    "script",
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "applet",
    "base",
    "form",
    "meta",
    "link",
    "style",
    "svg",
    "math",
    "template",
    "input",
    "button",
    "textarea",
}
# One pass over the text's tokens (a tag's start and end, quoted values, risky attributes) with a
# small state machine, as a browser reads a tag: linear in the text, and a '>' inside a quoted
# value does not end the tag. The quantifiers are possessive: the spaces after `href=` are read
# once, not split every way between `\s*` and `\s*` (thousands of them took quadratic time).
_HTML_TOKEN = re.compile(
    r"<(?P<open>[A-Za-z][A-Za-z0-9-]*+)(?=[\s/>])|(?P<end>>)|=\s*+(?P<value>[\"'])|(?P<quote>[\"'])"
    r"|(?P<risky>\bon[a-z]++\s*+=|\bsrcdoc\s*+="
    r"|\b(?:href|src|action|formaction|data|xlink:href)\s*+=\s*+(?P<q>[\"']?+)\s*+(?:javascript|vbscript|data):)",
    re.I,
)


def check_html(report: Report) -> list[Diagnostic]:
    """Raw HTML reaches only the site, and some of it would run in readers' browsers."""
    if report.settings.get("allow_html") is True:
        return []
    found = []
    for doc in report.documents:
        if "<" in doc.scan.masked:
            found += _html_in(doc)
    return found


def _html_in(doc: Document) -> list[Diagnostic]:
    found = []
    tag: tuple[int, str] | None = None  # where the open tag starts, and its name
    flagged = False  # the open tag has been reported already
    quote = ""
    for m in _HTML_TOKEN.finditer(doc.scan.masked):
        if quote:
            if m["quote"] == quote or (m["q"] and m["q"] == quote):
                quote = ""
            continue
        if m["open"]:
            name = m["open"].lower()
            tag, flagged = (m.start(), name), name in UNSAFE_TAGS
            if flagged:
                found.append(
                    _at(
                        doc,
                        m.start(),
                        "html.unsafe",
                        f"<{name}> could run code or load content in readers' browsers; remove "
                        "it (report.yml `allow_html: true` would allow it)",
                    )
                )
        elif tag is None:
            continue
        elif m["end"]:
            if not flagged:
                found.append(
                    _at(
                        doc,
                        tag[0],
                        "html.raw",
                        f"raw HTML <{tag[1]}> appears on the site only; the PDF and DOCX leave it "
                        "out: write Markdown instead",
                    )
                )
            tag = None
        elif m["value"]:  # a quote opens a value only after '=': elsewhere browsers read it as a name
            quote = m["value"]
        elif m["risky"]:
            quote = m["q"] or ""
            if not flagged:
                flagged = True
                found.append(
                    _at(
                        doc,
                        tag[0],
                        "html.unsafe",
                        f"an attribute of <{tag[1]}> could run code or load content in readers' "
                        "browsers; remove it (report.yml `allow_html: true` would allow it)",
                    )
                )
    return found


def check_limits(report: Report) -> list[Diagnostic]:
    """Text past the limits that keep the renderers linear and within their nesting depth."""
    return [_at(doc, e.offset, e.code, e.message) for doc in report.documents for e in doc.scan.excesses]


def check_codeowners(report: Report) -> list[Diagnostic]:
    """A CODEOWNERS file that no longer matches the front matter routes reviews to the wrong people."""
    if not os.path.lexists(report.root / owners.CODEOWNERS_PATH):
        return []
    text = owners.read_codeowners(report)
    actual = text.split("\n") if text is not None else []
    expected = owners.codeowners(report).split("\n")
    for number, (have, want) in enumerate(zip(actual + [""] * len(expected), expected, strict=False), start=1):
        if have.rstrip() != want:
            shown = f"'{want}'" if want else "the end of the file"
            return [
                Diagnostic(
                    owners.CODEOWNERS_PATH,
                    number,
                    1,
                    RULES["codeowners.stale"],
                    "codeowners.stale",
                    f"CODEOWNERS no longer matches the front matter (line {number} should be "
                    f"{shown}); run `report owners --codeowners`",
                )
            ]
    if len(actual) > len(expected) and any(line.strip() for line in actual[len(expected) :]):
        return [
            Diagnostic(
                owners.CODEOWNERS_PATH,
                len(expected) + 1,
                1,
                RULES["codeowners.stale"],
                "codeowners.stale",
                "CODEOWNERS has lines the front matter does not give; run `report owners --codeowners`",
            )
        ]
    return []


def check_budgets(report: Report) -> list[Diagnostic]:
    """A section longer than the budget of words its front matter gives."""
    found = []
    for doc in report.documents:
        budget = doc.meta.get("budget")
        if isinstance(budget, int) and not isinstance(budget, bool) and doc.words() > budget:
            found.append(
                Diagnostic(
                    doc.path,
                    doc.key_line("budget"),
                    1,
                    RULES["budget.over"],
                    "budget.over",
                    f"{doc.words()} words, over the budget of {budget}",
                )
            )
    return found


CHECKS = (
    check_limits,
    check_ids,
    check_owners,
    check_headings,
    check_references,
    check_labels,
    check_mentions,
    check_links,
    check_notes,
    check_html,
    check_budgets,
    check_codeowners,
    negotiation.check_marks,
    negotiation.check_positions,
    *apparatus_checks.CHECKS,
)


def findings(report: Report) -> list[Diagnostic]:
    """Every finding of the rules that read the scanned text, at their default levels."""
    found = list(report.diagnostics)
    for check in CHECKS:
        found += check(report)
    return found


def settle(report: Report, found: list[Diagnostic]) -> list[Diagnostic]:
    """Findings at the levels report.yml sets (never below error for a locked code), sorted, capped."""
    overrides = report.settings.get("rules", {})
    line = report.settings_lines.get("rules", 1)
    found = list(found)
    for code in sorted(set(overrides) - set(RULES)):  # a misspelt code would silently change nothing
        found.append(
            Diagnostic(
                "report.yml",
                line,
                1,
                RULES["rules.unknown"],
                "rules.unknown",
                f"no check has the code '{code}'{refs.suggest(code, RULES)}",
            )
        )
    for code in sorted(c for c in set(overrides) & LOCKED if overrides[c] != ERROR):
        found.append(
            Diagnostic(
                "report.yml",
                line,
                1,
                RULES["rules.locked"],
                "rules.locked",
                f"'{code}' keeps an error: it guards what may reach a reader or leave the "
                "repository, and report.yml cannot lower it",
            )
        )
    levels = {**RULES, **{c: v for c, v in overrides.items() if c not in LOCKED}}
    result = []
    for d in found:
        level = levels.get(d.code, d.severity)
        if level == OFF:
            continue
        result.append(d if level == d.severity else _with(d, level))
    return _capped(sorted(set(result), key=sort_key))


def run(report: Report) -> list[Diagnostic]:
    """The rules that read the scanned text alone, settled (the full verdict is `verdict.evaluate`)."""
    return settle(report, findings(report))


def _capped(found: list[Diagnostic]) -> list[Diagnostic]:
    """At most MAX_PER_FILE findings per file: a hostile or broken file must not flood the output."""
    result: list[Diagnostic] = []
    per_file: defaultdict[str, int] = defaultdict(int)
    for d in found:
        per_file[d.path] += 1
        if per_file[d.path] <= MAX_PER_FILE:
            result.append(d)
    for path, count in per_file.items():
        if count > MAX_PER_FILE:
            errors = any(d.severity == ERROR for d in found if d.path == path)
            result.append(
                Diagnostic(
                    path,
                    0,
                    0,
                    ERROR if errors else WARNING,
                    "file.too-many",
                    f"{count - MAX_PER_FILE} more findings in this file are not shown (the first {MAX_PER_FILE} are)",
                )
            )
    return sorted(result, key=sort_key)
