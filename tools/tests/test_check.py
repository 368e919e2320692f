"""`report check` end to end, in-process: exact findings in all three formats, exit codes, config."""

from __future__ import annotations

import builtins
import io
import json
import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from reportkit import checks
from reportkit.cli import main

FINDING = re.compile(
    r"^(?P<path>[^:]+):(?P<line>\d+):(?P<column>\d+): (?P<severity>error|warning) "
    r"\[(?P<code>[^\]]+)\] (?P<message>.*)$"
)


def check(root: Path, *args: str):
    result = CliRunner().invoke(main, ["check", "--root", str(root), *args])
    # Whatever the input, the command ends with an exit code of its own, never a traceback.
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    assert "internal error" not in result.stderr
    return result


def as_json(line: str) -> dict:
    """The JSON object the text line stands for."""
    d = FINDING.match(line).groupdict()
    return {**d, "line": int(d["line"]), "column": int(d["column"])}


def as_github(line: str) -> str:
    """The GitHub workflow command the text line stands for."""
    d = as_json(line)
    where = f"file={d['path']}"
    if d["line"]:
        where += f",line={d['line']}" + (f",col={d['column']}" if d["column"] else "")
    return f"::{d['severity']} {where},title={d['code']}::{d['message']}"


def counts(lines: list[str]) -> tuple[int, int]:
    return sum(" error [" in line for line in lines), sum(" warning [" in line for line in lines)


def summary(lines: list[str], root: Path) -> str:
    errors, warnings = counts(lines)
    return f"{errors} error{'' if errors == 1 else 's'}, {warnings} warning{'' if warnings == 1 else 's'} in {root}\n"


def assert_findings(root: Path, expected: list[str], *args: str) -> None:
    """Exactly these findings, in this order, in text, json and github formats."""
    exit_code = 1 if counts(expected)[0] else 0

    text = check(root, *args)
    assert text.stdout.splitlines() == expected
    assert text.stderr == summary(expected, root)
    assert text.exit_code == exit_code

    as_data = check(root, "--format", "json", *args)
    data = json.loads(as_data.stdout)
    assert data["diagnostics"] == [as_json(line) for line in expected]
    assert (data["errors"], data["warnings"]) == counts(expected)
    assert as_data.stderr == ""
    assert as_data.exit_code == exit_code

    github = check(root, "--format", "github", *args)
    assert github.stdout.splitlines() == [as_github(line) for line in expected]
    assert github.exit_code == exit_code


# --- the sample report -------------------------------------------------------------------------


def test_sample_report_is_clean(sample_root):
    result = check(sample_root)
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr == f"no problems found in {sample_root}\n"


def test_sample_report_is_clean_in_json_and_github(sample_root):
    data = json.loads(check(sample_root, "--format", "json").stdout)
    assert data == {"diagnostics": [], "errors": 0, "warnings": 0}
    github = check(sample_root, "--format", "github", "--strict")
    assert (github.exit_code, github.stdout, github.stderr) == (0, "", "")


# --- planted mistakes: one change to a copy of the sample, found at exactly its place ----------

CH1 = "chapters/01-introduction.md"
CH3 = "chapters/03-individuals-societies.md"
IMAGE = "![Diagram of the Panel's three tracks of work: values and principles, methods and mechanisms, action areas]"
WITHDRAWN = """---
id: old-idea
title: An idea the Panel dropped
owner: seat-04
status: withdrawn
set: 2
order: 2
---

Kept for the record.
"""
NEW_IDEA = (
    WITHDRAWN.replace("old-idea", "new-idea")
    .replace("withdrawn", "draft")
    .replace("set: 2\norder: 2", "set: 5\norder: 3")
)


def insert(rel: str, after: int, text: str) -> tuple:
    """Insert a paragraph after line `after`, which must be blank (so the text stands alone)."""
    return ("insert", rel, after, text)


def replace(rel: str, old: str, new: str) -> tuple:
    return ("replace", rel, old, new)


def write(rel: str, text: str) -> tuple:
    return ("write", rel, text)


def copy(rel: str, dest: str) -> tuple:
    return ("copy", dest, rel)


def plant(root: Path, edit: tuple) -> None:
    kind, rel, *args = edit
    path = root / rel
    if kind == "insert":
        after, text = args
        lines = path.read_bytes().split(b"\n")
        assert lines[after - 1].strip() == b"", f"line {after} of {rel} is no longer blank"
        text = text if isinstance(text, bytes) else text.encode("utf-8")
        path.write_bytes(b"\n".join(lines[:after] + [text, b""] + lines[after:]))
    elif kind == "replace":
        old, new = args
        content = path.read_text("utf-8")
        assert content.count(old) == 1, f"{old!r} is not once in {rel}"
        path.write_text(content.replace(old, new), "utf-8")
    elif kind == "copy":
        path.write_bytes((root / args[0]).read_bytes())
    else:
        path.write_text(args[0], "utf-8")


PLANTS = [
    pytest.param(
        [insert(CH3, 21, "Compare [[rec:human-rights-reveiw]].")],
        [
            f"{CH3}:22:9: error [ref.unknown] no recommendation with id 'human-rights-reveiw'; "
            "did you mean 'human-rights-review'?"
        ],
        id="unknown-reference",
    ),
    pytest.param(
        [insert(CH3, 21, "See [[chapter:help-desks]].")],
        [f"{CH3}:22:5: error [ref.kind] 'help-desks' is a recommendation, not a chapter: write [[rec:help-desks]]"],
        id="reference-to-wrong-kind",
    ),
    pytest.param(
        [write("recommendations/old-idea.md", WITHDRAWN), insert(CH3, 21, "See [[rec:old-idea]].")],
        [
            f"{CH3}:22:5: error [ref.withdrawn] recommendation 'old-idea' is withdrawn; "
            "remove the reference or restore the recommendation"
        ],
        id="reference-to-withdrawn",
    ),
    pytest.param(
        [insert(CH3, 21, "See [[chapter:mechanisms#architecture]].")],
        [
            f"{CH3}:22:5: error [ref.anchor] chapters/04-mechanisms.md has no heading "
            "'#architecture'; did you mean 'architectures'?"
        ],
        id="unknown-heading-anchor",
    ),
    pytest.param(
        [insert(CH3, 21, "See [[rec:help-desks and the rest.")],
        [
            f"{CH3}:22:5: error [ref.syntax] '[[rec:help-desks and the rest.' is not a reference; "
            "write [[rec:ID]], [[chapter:ID]], [[annex:ID]], with optional #anchor and |text"
        ],
        id="unterminated-reference",
    ),
    pytest.param(
        [insert(CH3, 21, "As Recommendation 6C proposes.")],
        [
            f"{CH3}:22:4: error [mention.unknown] 'Recommendation 6C' matches no recommendation; "
            "refer to recommendations with [[rec:ID]]"
        ],
        id="plain-mention-of-no-recommendation",
    ),
    pytest.param(
        [insert(CH3, 21, "As Recommendation 1A proposes.")],
        [
            f"{CH3}:22:4: warning [mention.plain] 'Recommendation 1A' is plain text and will go stale "
            "if the labels change; write [[rec:affordable-access]]"
        ],
        id="plain-mention-of-a-recommendation",
    ),
    pytest.param(
        [write("recommendations/new-idea.md", NEW_IDEA)],
        [
            "recommendations/new-idea.md:2:1: warning [rec.unreferenced] no chapter refers to "
            "Recommendation 5C ('new-idea'); cite it with [[rec:new-idea]] where the text discusses it"
        ],
        id="unreferenced-recommendation",
    ),
    pytest.param(
        [insert(CH3, 37, "## Trust, once more {#trust}")],
        [
            f"{CH3}:38:1: error [anchor.duplicate] heading id '#trust' is already used on line 30; "
            "give this heading its own id with {#another-id}"
        ],
        id="duplicate-heading-anchor",
    ),
    pytest.param(
        [insert(CH3, 29, "# A title in the text")],
        [
            f"{CH3}:30:1: warning [heading.h1] a level-1 heading ('# ...') in the text: the title "
            "comes from the front matter, so start sections at '## '"
        ],
        id="level-1-heading",
    ),
    pytest.param(
        [insert(CH3, 21, "See [the sources](../../README.md).")],
        [f"{CH3}:22:19: error [link.outside] '../../README.md' points outside the repository; it was not read"],
        id="link-leaves-repository",
    ),
    pytest.param(
        [insert(CH3, 21, "See [security](#securty).")],
        [f"{CH3}:22:16: error [link.anchor] this file has no heading '#securty'; did you mean 'security'?"],
        id="broken-link-anchor",
    ),
    pytest.param(
        [insert(CH3, 21, "See [the mechanisms](04-mechanism.md).")],
        [f"{CH3}:22:22: error [link.broken] '04-mechanism.md' does not exist; did you mean '04-mechanisms.md'?"],
        id="broken-relative-link",
    ),
    pytest.param(
        [insert(CH3, 21, "See [a [b [c [d [e f] g] h] i] j].")],
        [
            f"{CH3}:22:17: error [text.nesting] brackets nested more than 4 deep: the PDF and DOCX engine "
            "slows down sharply with each level; flatten the structure"
        ],
        id="brackets-nested-too-deep",
    ),
    pytest.param(
        [insert(CH3, 21, 'See [a](b "c ' * 9 + "and [a closed one](#security).")],
        [
            f"{CH3}:22:8: error [text.complexity] 9 link addresses in this paragraph are opened with '](' and "
            "never closed with ')'; past 8 the PDF and DOCX engine slows down sharply: close each link with ')', "
            "or reword the brackets"
        ],
        id="link-addresses-never-closed",
    ),
    pytest.param(
        [insert(CH3, 21, "A note.[^9]")],
        [f"{CH3}:22:8: error [note.undefined] note [^9] has no text: add a line '[^9]: ...'"],
        id="undefined-note",
    ),
    pytest.param(
        [replace(CH1, "../images/three-tracks.png", "../images/three-track.png")],
        [
            f"{CH1}:43:{len(IMAGE) + 2}: error [image.missing] '../images/three-track.png' does not "
            "exist; did you mean 'three-tracks.png'?"
        ],
        id="missing-image",
    ),
    pytest.param(
        [replace(CH1, IMAGE, "![]")],
        [
            f"{CH1}:43:1: error [image.alt] this image has no alt text: describe it between the "
            "brackets, ![like this](path), for readers who cannot see it"
        ],
        id="image-without-alt-text",
    ),
    pytest.param(
        [replace("recommendations/ethics-standards.md", "owner: melinda-gates", "owner: melinda-gate")],
        [
            "recommendations/ethics-standards.md:4:1: error [owner.unknown] owner 'melinda-gate' is not "
            "in roster.yml; did you mean 'melinda-gates'?"
        ],
        id="owner-not-in-roster",
    ),
    pytest.param(
        [replace("recommendations/help-desks.md", "status: agreed", "status: approved")],
        [
            "recommendations/help-desks.md:5:1: error [schema] 'status' is 'approved', which is not "
            "one of: draft, review, agreed, withdrawn"
        ],
        id="schema-enum",
    ),
    pytest.param(
        [replace("recommendations/help-desks.md", "status: agreed\n", "status: agreed\nsett: 2\n")],
        [
            "recommendations/help-desks.md:6:1: error [schema] unknown field 'sett' (did you mean "
            "'set'?) in front matter; allowed: budget, id, order, owner, placeholder, positions, set, short_title, "
            "status, summary, title"
        ],
        id="schema-unknown-field",
    ),
    pytest.param(
        [copy("annexes/06-principles.md", "annexes/07-principles-again.md")],
        [
            "annexes/06-principles.md:2:1: error [id.duplicate] id 'principles' is used more than "
            "once (other instance in annexes/07-principles-again.md)",
            "annexes/07-principles-again.md:2:1: error [id.duplicate] id 'principles' is used more "
            "than once (other instance in annexes/06-principles.md)",
        ],
        id="duplicate-id",
    ),
    pytest.param(
        [replace("recommendations/digital-public-goods.md", "order: 2", "order: 1")],
        [
            "recommendations/affordable-access.md:7:1: error [label.duplicate] set 1, order 1 is also "
            "taken by recommendations/digital-public-goods.md: two recommendations would compete "
            "for one label",
            "recommendations/digital-public-goods.md:7:1: error [label.duplicate] set 1, order 1 is "
            "also taken by recommendations/affordable-access.md: two recommendations would compete "
            "for one label",
        ],
        id="duplicate-label",
    ),
    pytest.param(
        [replace("recommendations/trust-commitment.md", "set: 4\norder: 1", "set: 5\norder: 3")],
        [
            "recommendations/cooperation-architecture.md:6:1: error [label.gap] set 4 has no "
            "recommendation, so the labels jump from set 3 to set 5"
        ],
        id="label-gap",
    ),
    pytest.param(
        [replace("annexes/04-donors.md", "status: draft\n", "status: draft\nstatus: agreed\n")],
        [
            "annexes/03-secretariat.md:19:70: error [ref.unknown] no annex with id 'donors'",
            "annexes/04-donors.md:6:1: error [yaml.syntax] not valid YAML: duplicate key 'status' "
            "(first given on line 5)",
        ],
        id="front-matter-duplicate-key",
    ),
    pytest.param(
        [replace("annexes/04-donors.md", "---\nid: donors", "id: donors")],
        [
            "annexes/03-secretariat.md:19:70: error [ref.unknown] no annex with id 'donors'",
            "annexes/04-donors.md:1:1: error [frontmatter.missing] no front matter: the file must "
            "start with a line '---', then fields such as 'id: ...' and 'title: ...', then a "
            "closing '---'",
        ],
        id="front-matter-missing",
    ),
    pytest.param(
        [insert("annexes/04-donors.md", 9, b"Funded by caf\xe9 owners.")],
        [
            "annexes/03-secretariat.md:19:70: error [ref.unknown] no annex with id 'donors'",
            "annexes/04-donors.md:10:14: error [file.encoding] this file is not valid UTF-8 "
            "(byte 0xe9); save it as UTF-8",
        ],
        id="not-utf-8",
    ),
]


def test_brackets_nested_to_the_limit_pass(copy_report, sample_root):
    root = copy_report(sample_root)
    plant(root, insert(CH3, 21, "See [a [b [c [d] c] b] a], and [the section [on [[rec:help-desks]]]](#security)."))
    result = check(root, "--strict")
    assert (result.exit_code, result.stdout) == (0, "")


def test_did_you_mean_is_offered_for_the_first_names_a_file_gets_wrong(copy_report, sample_root):
    """Each suggestion compares a name with every candidate: past 20 unknown names in a file, none."""
    root = copy_report(sample_root)
    plant(root, insert(CH3, 21, "See [[chapter:mechanisms#architecture]] and [security](#securty). " * 25))
    lines = check(root).stdout.splitlines()
    refs = [line for line in lines if "[ref.anchor]" in line]
    links = [line for line in lines if "[link.anchor]" in line]
    assert len(refs) == len(links) == 25
    hinted = "; did you mean 'architectures'?", "; did you mean 'security'?"
    assert [line.endswith(hinted[0]) for line in refs] == [True] * 20 + [False] * 5
    assert [line.endswith(hinted[1]) for line in links] == [True] * 20 + [False] * 5
    assert refs[-1].endswith("chapters/04-mechanisms.md has no heading '#architecture'")


def test_planted_mistakes_start_from_a_clean_copy(copy_report, sample_root):
    root = copy_report(sample_root)
    result = check(root, "--strict")
    assert (result.exit_code, result.stdout) == (0, "")


@pytest.mark.parametrize(("edits", "expected"), PLANTS)
def test_planted_mistake_is_found_at_its_place(copy_report, sample_root, edits, expected):
    root = copy_report(sample_root)
    for edit in edits:
        plant(root, edit)
    assert_findings(root, expected)
    if not counts(expected)[0]:  # warnings only: they fail with --strict
        assert check(root, "--strict").exit_code == 1


# --- fixture reports: one folder per family of mistakes ----------------------------------------

EXPECTED = {
    "frontmatter": [
        "chapters/02-missing.md:1:1: error [frontmatter.missing] no front matter: the file must "
        "start with a line '---', then fields such as 'id: ...' and 'title: ...', then a closing '---'",
        "chapters/03-unclosed.md:1:1: error [frontmatter.unclosed] front matter opened on line 1 "
        "is never closed with '---'",
        "chapters/04-empty.md:1:1: error [file.empty] this file is empty; it needs front matter and text",
        "chapters/05-syntax.md:4:6: error [yaml.syntax] not valid YAML: expected ',' or ']', but got ':'",
        "chapters/06-duplicate-key.md:5:1: error [yaml.syntax] not valid YAML: duplicate key 'title' "
        "(first given on line 3)",
        "chapters/07-python-tag.md:3:8: error [yaml.syntax] not valid YAML: tags such as "
        "'!!python/object' are not allowed",
        "chapters/08-aliases.md:3:4: error [yaml.syntax] YAML anchors and aliases ('&name', '*name') "
        "are not allowed here",
        "chapters/09-list.md:2:1: error [frontmatter.type] front matter must be fields ('name: value'), not a list",
        "chapters/10-empty-front-matter.md:1:1: error [frontmatter.empty] front matter is empty; "
        "it needs 'id', 'title' and more",
    ],
    "schema": [
        "chapters/02-typo.md:6:1: error [schema] unknown field 'titel' (did you mean 'title'?) in "
        "front matter; allowed: budget, id, numbered, owner, placeholder, recommendations, short_title, status, "
        "summary, title",
        "chapters/03-values.md:2:1: error [schema] 'id' 'Bad_Id' is not valid: it must be a stable "
        "id in kebab-case: lowercase letters, digits and single hyphens, e.g. 'digital-public-goods'",
        "chapters/03-values.md:3:1: error [schema] 'title' must be text, not an empty value",
        "chapters/03-values.md:5:1: error [schema] 'status' is 'done', which is not one of: draft, review, agreed",
        "chapters/03-values.md:6:1: error [schema] 'budget' is 200000; it must be between 1 and 100000",
        "chapters/04-no-owner.md:1:1: error [schema] front matter lacks 'owner' (the roster id of "
        "the Panel member who owns this section)",
        "recommendations/set-as-text.md:6:1: error [schema] 'set' must be a whole number, not plain text",
    ],
    "ids": [
        "chapters/01-main.md:2:1: error [id.duplicate] id 'main' is used more than once (other "
        "instance in chapters/02-again.md)",
        "chapters/01-main.md:12:1: error [anchor.duplicate] heading id '#scope' is already used on "
        "line 8; give this heading its own id with {#another-id}",
        "chapters/02-again.md:2:1: error [id.duplicate] id 'main' is used more than once (other "
        "instance in chapters/01-main.md)",
    ],
    "refs": [
        "chapters/01-main.md:10:34: error [ref.withdrawn] recommendation 'retired' is withdrawn; "
        "remove the reference or restore the recommendation",
        "chapters/01-main.md:11:5: error [ref.unknown] no recommendation with id 'onyl'; did you mean 'only'?",
        "chapters/01-main.md:11:22: error [ref.unknown] no annex with id 'nothing'",
        "chapters/01-main.md:12:5: error [ref.kind] 'only' is a recommendation, not a chapter: write [[rec:only]]",
        "chapters/01-main.md:12:26: error [ref.kind] 'main' is a chapter, not a recommendation: write [[chapter:main]]",
        "chapters/01-main.md:13:5: error [ref.anchor] chapters/01-main.md has no heading '#scop'; "
        "did you mean 'scope'?",
        "chapters/01-main.md:14:5: error [ref.syntax] unknown reference kind 'note' (use rec, chapter, annex, "
        "figure, table or box)",
        "chapters/01-main.md:14:23: error [ref.syntax] '[[rec:only' is not a reference; write "
        "[[rec:ID]], [[chapter:ID]], [[annex:ID]], with optional #anchor and |text",
        "chapters/01-main.md:15:4: error [mention.unknown] 'Recommendation 6C' matches no "
        "recommendation; refer to recommendations with [[rec:ID]]",
        "chapters/01-main.md:15:35: warning [mention.plain] 'Recommendation 1A' is plain text and "
        "will go stale if the labels change; write [[rec:only]]",
        "recommendations/lonely.md:2:1: warning [rec.unreferenced] no chapter refers to "
        "Recommendation 1B ('lonely'); cite it with [[rec:lonely]] where the text discusses it",
    ],
    "labels": [
        "recommendations/a.md:7:1: error [label.duplicate] set 1, order 1 is also taken by "
        "recommendations/b.md: two recommendations would compete for one label",
        "recommendations/b.md:7:1: error [label.duplicate] set 1, order 1 is also taken by "
        "recommendations/a.md: two recommendations would compete for one label",
        "recommendations/c.md:6:1: error [label.gap] set 2 has no recommendation, so the labels "
        "jump from set 1 to set 3",
        "recommendations/d.md:6:1: error [rec.set-unknown] set 4 is not one of the sets in report.yml (1, 2, 3, 5)",
        "report.yml:2:1: error [label.gap] set 5 ('Fifth set') has no recommendation",
    ],
    "owners": [
        "chapters/01-main.md:4:1: error [owner.unknown] owner 'chiar' is not in roster.yml; did you mean 'chair'?",
        "recommendations/only.md:4:1: error [owner.unknown] owner 'nobody' is not in roster.yml",
        "roster.yml:8:1: error [roster.duplicate] member 'chair' is listed twice (other instance on line 2)",
    ],
    "links": [
        "chapters/01-main.md:11:22: error [link.broken] '03-missing.md' does not exist; did you mean '01-main.md'?",
        "chapters/01-main.md:11:56: error [link.anchor] chapters/02-other.md has no heading "
        "'#step'; did you mean 'steps'?",
        "chapters/01-main.md:12:12: error [link.anchor] this file has no heading '#scop'; did you mean 'scope'?",
        "chapters/01-main.md:12:25: error [link.outside] '../../secret.md' points outside the "
        "repository; it was not read",
        "chapters/01-main.md:12:50: error [link.outside] '/etc/passwd' points outside the repository; it was not read",
        "chapters/01-main.md:12:74: error [link.scheme] 'javascript:' links are not allowed: only "
        "http, https and mailto links, which cannot run code or hide content in readers' browsers",
        "chapters/01-main.md:16:13: error [image.missing] '../images/squares.png' does not exist; "
        "did you mean 'square.png'?",
        "chapters/01-main.md:18:1: error [image.alt] this image has no alt text: describe it "
        "between the brackets, ![like this](path), for readers who cannot see it",
        "chapters/01-main.md:20:21: error [image.remote] this image is loaded from the internet; "
        "the PDF and DOCX cannot include it and the site would track readers: put the file in images/",
    ],
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_broken_fixture(fixtures_dir, name):
    assert_findings(fixtures_dir / "broken" / name, EXPECTED[name])


def test_every_broken_fixture_has_expectations(fixtures_dir):
    assert sorted(p.name for p in (fixtures_dir / "broken").iterdir() if p.is_dir()) == sorted(EXPECTED)


def test_minimal_fixture_is_clean(fixtures_dir):
    result = check(fixtures_dir / "minimal", "--strict")
    assert (result.exit_code, result.stdout) == (0, "")


# --- byte-level cases, written at test time so no editor or git setting can alter them ---------

EXTRA = "chapters/03-extra.md"
FRONT = "---\nid: extra\ntitle: Extra\nowner: chair\nstatus: draft\n---\n\n"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        pytest.param(
            (FRONT + "Über a line.\nThen caf\xe9 and more.\n").encode("utf-8").replace(b"\xc3\xa9", b"\xe9"),
            f"{EXTRA}:9:9: error [file.encoding] this file is not valid UTF-8 (byte 0xe9); save it as UTF-8",
            id="invalid-utf-8",
        ),
        pytest.param(
            b"\xef\xbb\xbf" + "Über \xff".encode().replace(b"\xc3\xbf", b"\xff"),
            f"{EXTRA}:1:6: error [file.encoding] this file is not valid UTF-8 (byte 0xff); save it as UTF-8",
            id="invalid-utf-8-after-bom",
        ),
        pytest.param(
            b"\xef\xbb\xbf" + (FRONT + "Über [[rec:frist]].\n").replace("\n", "\r\n").encode("utf-8"),
            f"{EXTRA}:8:6: error [ref.unknown] no recommendation with id 'frist'; did you mean 'first'?",
            id="bom-and-crlf-accepted",
        ),
        pytest.param(
            (FRONT.replace("title: Extra", "title: A bell \x07 rings") + "Text.\n").encode("utf-8"),
            f"{EXTRA}:3:15: error [yaml.syntax] not valid YAML: the special character U+0007 is not allowed",
            id="control-character-in-front-matter",
        ),
    ],
)
def test_bytes_of_a_file(fixtures_dir, copy_report, content, expected):
    root = copy_report(fixtures_dir / "minimal")
    (root / EXTRA).write_bytes(content)
    assert_findings(root, [expected])


def test_a_path_leaving_through_a_symlink_is_reported_and_never_read(fixtures_dir, copy_report, tmp_path, monkeypatch):
    outside = (tmp_path / "outside").resolve()
    outside.mkdir()
    (outside / "secret.png").write_bytes(b"not for the report")
    (outside / "secret.md").write_text(FRONT + "Secret.\n", "utf-8")
    root = copy_report(fixtures_dir / "minimal")
    (root / "images" / "elsewhere").symlink_to(outside, target_is_directory=True)
    (root / "chapters" / "04-secret.md").symlink_to(outside / "secret.md")
    (root / EXTRA).write_text(
        FRONT + "![A secret](../images/elsewhere/secret.png) and [a secret](../images/elsewhere/secret.md)\n", "utf-8"
    )

    opened = []
    real_open = builtins.open

    def spy(file, *args, **kwargs):
        if isinstance(file, (str, Path)):
            opened.append(Path(file).resolve())
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", spy)
    monkeypatch.setattr(io, "open", spy)
    assert_findings(
        root,
        [
            "chapters/03-extra.md:8:13: error [image.outside] '../images/elsewhere/secret.png' points "
            "outside the repository; it was not read",
            "chapters/03-extra.md:8:60: error [link.outside] '../images/elsewhere/secret.md' points "
            "outside the repository; it was not read",
            "chapters/04-secret.md:0:0: error [file.outside] this file is a link to a place outside "
            "the repository; it was not read",
            "images/elsewhere:0:0: error [file.outside] this file is a link to a place outside the "
            "repository; it was not read and is left out of the editions",
        ],
    )
    assert opened, "the spy saw no file opened at all"
    assert not [p for p in opened if outside in p.parents]


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        pytest.param(
            lambda chapters: (chapters / "09-dangling.md").symlink_to("nowhere.md"),
            "chapters/09-dangling.md:0:0: error [file.unreadable] this file cannot be read: No such file or directory",
            id="dangling-symlink",
        ),
        pytest.param(
            lambda chapters: (chapters / "09-folder.md").mkdir(),
            "chapters/09-folder.md:0:0: error [file.special] this is a folder, not a file; it was not read",
            id="folder-named-like-a-chapter",
        ),
        pytest.param(
            lambda chapters: os.mkfifo(chapters / "09-pipe.md"),
            "chapters/09-pipe.md:0:0: error [file.special] this is a named pipe (FIFO), not a file; it was not read",
            id="fifo-named-like-a-chapter",
        ),
        pytest.param(
            lambda chapters: (chapters / "09-loop.md").symlink_to("09-loop.md"),
            "chapters/09-loop.md:0:0: error [file.unreadable] this file is a symlink loop; replace "
            "the link by the file",
            id="symlink-loop",
        ),
    ],
)
def test_unreadable_content_file(fixtures_dir, copy_report, make, expected):
    root = copy_report(fixtures_dir / "minimal")
    make(root / "chapters")
    assert_findings(root, [expected])


def test_a_link_target_too_long_for_the_system_is_just_missing(fixtures_dir, copy_report):
    root = copy_report(fixtures_dir / "minimal")
    name = "a" * 300 + ".md"
    (root / EXTRA).write_text(FRONT + f"[far]({name})\n", "utf-8")
    assert_findings(root, [f"{EXTRA}:8:7: error [link.broken] '{name}' does not exist"])


def test_no_roster(fixtures_dir, copy_report):
    root = copy_report(fixtures_dir / "minimal")
    (root / "roster.yml").unlink()
    assert_findings(
        root,
        ["roster.yml:0:0: error [roster.missing] there is no roster.yml: the Panel's roster is needed to check owners"],
    )


def test_github_format_escapes_what_it_must(fixtures_dir, copy_report):
    root = copy_report(fixtures_dir / "minimal")
    (root / "chapters" / "03-a,b.md").write_text(FRONT + "Half of [[rec:50%]].\n", "utf-8")
    result = check(root, "--format", "github")
    assert result.stdout == (
        "::error file=chapters/03-a%2Cb.md,line=8,col=9,title=ref.unknown::no recommendation with id '50%25'\n"
    )


def test_root_defaults_to_the_current_folder(fixtures_dir, monkeypatch):
    monkeypatch.chdir(fixtures_dir / "minimal")
    result = CliRunner().invoke(main, ["check"])
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "no problems found in .\n")


# --- report.yml `rules:` and --strict ----------------------------------------------------------


def test_rules_raise_lower_and_silence(fixtures_dir, copy_report):
    root = copy_report(fixtures_dir / "broken" / "refs")
    with (root / "report.yml").open("a", encoding="utf-8") as f:
        f.write("rules:\n  rec.unreferenced: error\n  ref.withdrawn: warning\n  mention.unknown: off\n")
    expected = []
    for line in EXPECTED["refs"]:
        if "[mention.unknown]" in line:
            continue
        if "[rec.unreferenced]" in line:
            line = line.replace(" warning [", " error [")
        if "[ref.withdrawn]" in line:
            line = line.replace(" error [", " warning [")
        expected.append(line)
    assert_findings(root, expected)


def test_strict_fails_on_a_warning_only(fixtures_dir, copy_report):
    root = copy_report(fixtures_dir / "minimal")
    (root / EXTRA).write_text(FRONT + "As Recommendation 1A says.\n", "utf-8")
    warning = (
        f"{EXTRA}:8:4: warning [mention.plain] 'Recommendation 1A' is plain text and will go "
        "stale if the labels change; write [[rec:first]]"
    )
    assert_findings(root, [warning])  # exit 0: a warning alone does not fail
    strict = check(root, "--strict")
    assert (strict.exit_code, strict.stdout) == (1, warning + "\n")


def test_rules_can_silence_all_but_the_locked_codes(fixtures_dir, copy_report):
    """Silencing a code that guards what leaves the repository or runs in a browser is refused:
    those findings stay errors, and report.yml is told so."""
    root = copy_report(fixtures_dir / "broken" / "links")
    codes = sorted({FINDING.match(line)["code"] for line in EXPECTED["links"]})
    with (root / "report.yml").open("a", encoding="utf-8") as f:
        f.write("rules:\n" + "".join(f"  {code}: off\n" for code in codes))
    result = check(root, "--strict")
    locked = ["image.remote", "link.outside", "link.scheme"]
    assert sorted(set(codes) & checks.LOCKED) == locked
    kept = [line for line in EXPECTED["links"] if FINDING.match(line)["code"] in locked]
    notes = [
        f"report.yml:4:1: warning [rules.locked] '{code}' keeps an error: it guards what may reach a "
        "reader or leave the repository, and report.yml cannot lower it"
        for code in locked
    ]
    assert result.exit_code == 1
    assert (
        result.stdout.splitlines()
        == [line.replace("warning [image.remote]", "error [image.remote]") for line in kept] + notes
    )


# --- usage and configuration problems: exit 2, a message, nothing on stdout --------------------


def test_no_report_yml(tmp_path):
    result = check(tmp_path)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        f"report: no report.yml in {tmp_path.resolve()}: run this inside the report's folder or give --root\n"
    )


def test_root_that_does_not_exist(tmp_path):
    result = check(tmp_path / "nowhere")
    assert (result.exit_code, result.stdout) == (2, "")
    assert "no report.yml" in result.stderr


@pytest.mark.parametrize(
    ("report_yml", "diagnostic"),
    [
        pytest.param(
            "title: x\nsets: {1: [unclosed\n",
            "report.yml:3:1: error [yaml.syntax] not valid YAML: expected ',' or ']', but got '<stream end>'",
            id="yaml-syntax",
        ),
        pytest.param(
            "- title\n- sets\n",
            "report.yml:1:1: error [schema] report.yml must be a set of fields, not a list",
            id="a-list",
        ),
        pytest.param(
            "title: x\n",
            "report.yml:1:1: error [schema] report.yml lacks 'sets' (the title of each set of "
            "recommendations, by set number)",
            id="missing-sets",
        ),
        pytest.param(
            "title: x\nsets: {1: a}\ntitle: y\n",
            "report.yml:3:1: error [yaml.syntax] not valid YAML: duplicate key 'title' (first given on line 1)",
            id="duplicate-key",
        ),
        pytest.param(
            "", "report.yml:1:1: error [schema] report.yml must be a set of fields, not an empty value", id="empty"
        ),
    ],
)
def test_invalid_report_yml(fixtures_dir, copy_report, report_yml, diagnostic):
    root = copy_report(fixtures_dir / "minimal")
    (root / "report.yml").write_text(report_yml, "utf-8")
    for fmt in ("text", "json", "github"):
        result = check(root, "--format", fmt)
        assert (result.exit_code, result.stdout) == (2, "")
        assert result.stderr == f"{diagnostic}\nreport: report.yml is not valid\n"


@pytest.mark.parametrize(
    ("extra", "diagnostic"),
    [
        pytest.param(
            "rules:\n  ref.unknown: loud\n",
            "report.yml:7:1: error [schema] 'rules.ref.unknown' is 'loud', which is not one of: error, warning, off",
            id="unknown-level",
        ),
        pytest.param(
            'repository: \'https://example.org/x" onmouseover="alert(1)"\'\n',
            "report.yml:6:1: error [schema] 'repository' 'https://example.org/x\" onmouseover=\"alert(1)\"' "
            "is not valid: it must be the https:// address of the repository, for edit links",
            id="repository-breakout",
        ),
    ],
)
def test_a_bad_optional_field_of_report_yml_is_a_finding(fixtures_dir, copy_report, extra, diagnostic):
    """report.yml stays usable: the field is left out and the finding located (exit 1, not 2)."""
    root = copy_report(fixtures_dir / "minimal")
    with (root / "report.yml").open("a", encoding="utf-8") as handle:
        handle.write(extra)
    result = check(root)
    assert (result.exit_code, result.stdout) == (1, diagnostic + "\n")


def test_report_yml_that_is_not_utf_8(fixtures_dir, copy_report):
    root = copy_report(fixtures_dir / "minimal")
    (root / "report.yml").write_bytes(b"title: Caf\xe9\nsets: {1: a}\n")
    result = check(root)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        "report.yml:1:11: error [file.encoding] this file is not valid UTF-8 "
        "(byte 0xe9); save it as UTF-8\nreport: report.yml is not valid\n"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "xml"], "Invalid value for '--format'"),
        (["--bogus"], "No such option"),
    ],
)
def test_bad_option(sample_root, args, message):
    result = check(sample_root, *args)
    assert (result.exit_code, result.stdout) == (2, "")
    assert message in result.stderr


def test_root_that_is_a_file(tmp_path):
    (tmp_path / "report.yml").write_text("title: x\n", "utf-8")
    result = check(tmp_path / "report.yml")
    assert (result.exit_code, result.stdout) == (2, "")
    assert "is a file" in result.stderr
