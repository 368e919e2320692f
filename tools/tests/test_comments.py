"""`report comments`: a reviewed DOCX's comments and tracked changes land on the source lines, at the
edition's commit and carried forward to HEAD; `--apply` makes the tracked changes commits on a new
branch; a DOCX the toolchain did not build, or a damaged or hostile one, is refused with exit 1.

Reviewed files are made as a reviewer makes them (`reviewer.py`: comments with python-docx, tracked
changes in Word's XML), and opened and saved again by LibreOffice. Every expected place below was
read off the sample's source files by hand (file, line, column of the passage's first character).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import readers
import reviewer
from oracle import Oracle
from readers import run_report
from reportkit import gitio
from reportkit import word_review as reading
from reportkit.comments_apply import branch_name, markdown_text
from reportkit.docx_package import MAX_PART, Package
from reportkit.text_align import Aligner, SameWords, normal, tokens

A, B = "Ana Reviewer", "Bob Editor"
D1, D2 = "2026-03-02T10:00:00Z", "2026-03-03T09:00:00Z"
INTRO, DIVIDE, SOCIETIES = (
    "chapters/01-introduction.md",
    "chapters/02-leaving-no-one-behind.md",
    "chapters/03-individuals-societies.md",
)
TOOLS = Path(readers.__file__).resolve().parents[1]


class Edition(NamedTuple):
    root: Path  # a git repository holding the sample, one commit
    docx: Path  # the DOCX of edition "Draft 3" built from it
    commit: str


@pytest.fixture(scope="module")
def edition(tmp_path_factory) -> Edition:
    root = readers.copy_sample(tmp_path_factory.mktemp("comments") / "report")
    commit = readers.commit_all(root)
    result = run_report("build", "--root", str(root), "--formats", "docx", "--edition", "Draft 3")
    assert result.exit_code == 0, result.output
    return Edition(root, root / "build" / "panel-report.docx", commit)


def clone(edition: Edition, tmp_path: Path) -> Path:
    """A copy of the edition's repository a test may change."""
    root = tmp_path / "report"
    shutil.copytree(edition.root, root, symlinks=True)
    return root


def review_everything(source: Path, dest: Path) -> Path:
    """One review with every kind of item and every Word-like edit the issue names."""
    r = reviewer.Reviewer(source)
    r.comment("The Age of Digital Interdependence", "Shorter title?", A, D1)  # the title page
    r.comment("Draft 3", "Which draft is this?", B, D1)  # written by the build command: no source
    r.comment("Chapter 1: Introduction", "A better title?", A, D1)  # a document's title
    r.comment("Mandate", "Rename this section?", B, D1)  # a heading
    r.comment(
        "established the High-level Panel on Digital Cooperation in July 2018, two months before",
        "Say which year.",
        A,
        D1,
    )
    r.insert("He asked the Panel to consider", " carefully", A, D1)  # after a citation
    r.insert("The full terms of reference are set out in Annex", " (terms)", B, D2)  # inside a cross-reference
    r.delete("independent ", B, D2, root=r.paragraph("twenty independent experts"))
    r.split("identified six focus areas for discussion.3", A, D1)  # a paragraph split after a note's mark (3)
    r.comment("inclusive technology", "And trade?", B, D1)  # a list item
    r.insert_before_anchor("Members and the secretariat visited capital cities", "In 2018 and 2019, ", A, D1)
    r.comment("Affordability", "Cost of data too.", B, D1)  # a table cell
    r.comment("Bill & Melinda Gates Foundation", "The full name?", A, D1)  # the roster (roster.yml)
    r.join("that public institutions understand the technologies they are asked to govern.", B, D2)
    r.comment(
        "Low trust has real costs.", "Merge these two?", A, D1, until="Rebuilding trust cannot be done by declaration."
    )  # two paragraphs
    # A note's text: the editions print notes as endnotes, in the Notes section that closes the document.
    r.comment("adopted by the United Nations General Assembly in Paris", "Check the date.", A, D1)
    return r.save(dest)


# What each item of review_everything is, and where it lands: (path, line, column).
EXPECTED = {
    ("comment", "Shorter title?"): ("report.yml", 1, 8),
    ("comment", "A better title?"): (INTRO, 3, 8),
    ("comment", "Rename this section?"): (INTRO, 12, 4),
    ("comment", "Say which year."): (INTRO, 14, 23),
    ("insertion", " carefully"): (INTRO, 14, 224),
    ("insertion", " (terms)"): (INTRO, 14, 595),
    ("deletion", "independent "): (INTRO, 22, 35),
    ("insertion", "\n"): (INTRO, 26, 95),
    ("comment", "And trade?"): (INTRO, 28, 3),
    ("insertion", "In 2018 and 2019, "): (INTRO, 53, 1),
    ("comment", "Cost of data too."): (DIVIDE, 31, 3),
    ("comment", "The full name?"): ("roster.yml", 8, 19),
    ("deletion", "\n"): (SOCIETIES, 32, 495),
    ("comment", "Merge these two?"): (SOCIETIES, 34, 1),
    ("comment", "Check the date."): (SOCIETIES, 50, 53),  # the note [^1], in the chapter's notes
}
# The sample's open points (CriticMarkup in recommendations/digital-economy-data.md:25 and
# autonomous-systems.md:33-34: an insertion, an alternative's deletion and insertion, a comment)
# reach a draft DOCX as tracked changes and a comment dated as the edition.
OPEN_POINT_MARKS = 4


def own_marks_warning(docx: Path, count: int) -> str:
    when = reading.custom_properties(Package.open(docx))["reportkit-marks-date"]
    assert when.startswith(readers.EDITION_DATE), when  # the edition's day, a time no reviewer's edit has
    return (
        f"{count} marked changes dated as the edition ({when}) were left out: "
        "the edition carried them from the source, no reviewer made them"
    )


def read_json(root: Path, file: Path, *more: str) -> tuple[dict, object]:
    result = run_report("comments", "--root", str(root), str(file), "--format", "json", *more)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout), result


def by_item(payload: dict) -> dict[tuple[str, str], dict]:
    found = {}
    for item in payload["items"]:
        key = (item["kind"], item["text"])
        assert key not in found, key
        found[key] = item
    return found


@pytest.fixture(scope="module")
def reviewed(edition, tmp_path_factory) -> Path:
    return review_everything(edition.docx, tmp_path_factory.mktemp("word") / "panel-report-draft-3 (Ana, Bob).docx")


@pytest.fixture(scope="module")
def libreoffice_review(edition, tmp_path_factory) -> Path:
    """The same review, opened and saved by LibreOffice."""
    folder = tmp_path_factory.mktemp("libreoffice")
    made = review_everything(edition.docx, folder / "review.docx")
    return reviewer.libreoffice(made, folder / "saved", folder / "profile")


# -- placing each item --------------------------------------------------------------------------


def test_every_item_lands_on_its_source_line(edition, reviewed):
    payload, _ = read_json(edition.root, reviewed)
    items = by_item(payload)
    placed = {key: (i["now"]["path"], i["now"]["line"], i["now"]["column"]) for key, i in items.items() if i["now"]}
    assert placed == EXPECTED
    assert {key: i["status"] for key, i in items.items() if key in EXPECTED} == dict.fromkeys(EXPECTED, "placed")
    unplaced = items[("comment", "Which draft is this?")]
    assert unplaced["status"] == "unplaced" and unplaced["passage"] == "Draft 3"
    assert "title page" in unplaced["note"] and "build command" in unplaced["note"]
    assert payload["edition"] == {
        "name": "Draft 3",
        "date": readers.EDITION_DATE,
        "final": False,
        "commit": edition.commit,
        "uncommitted": False,
    }
    assert payload["head"] == edition.commit
    assert payload["warnings"] == [own_marks_warning(edition.docx, OPEN_POINT_MARKS)]


def test_sections_passages_and_ranges(edition, reviewed):
    items = by_item(read_json(edition.root, reviewed)[0])
    heading = items[("comment", "Rename this section?")]["now"]
    assert (heading["doc"], heading["doc_label"], heading["section"], heading["section_label"]) == (
        "introduction",
        "Chapter 1",
        "introduction#mandate",
        "1.1 Mandate",
    )
    two = items[("comment", "Merge these two?")]
    assert (two["now"]["line"], two["now"]["end_line"]) == (34, 36)
    assert two["passage"].startswith("Low trust has real costs.") and two["passage"].endswith(
        "Rebuilding trust cannot be done by declaration."
    )
    assert two["now"]["section"] == "individuals-societies#trust"
    assert items[("insertion", " (terms)")]["now"]["in_reference"] is True
    assert items[("insertion", " carefully")]["now"]["in_reference"] is False
    deleted = items[("deletion", "independent ")]["now"]
    assert (deleted["line"], deleted["column"], deleted["end_line"], deleted["end_column"]) == (22, 35, 22, 47)
    assert items[("comment", "Check the date.")]["passage"] == "adopted by the United Nations General Assembly in Paris"


def review_the_apparatus(source: Path, dest: Path) -> Path:
    """Comments and tracked changes on what the apparatus prints: captions, a box, notes, acronyms."""
    r = reviewer.Reviewer(source)
    r.comment("The Panel’s year of work", "A better caption?", A, D1)  # Figure 1.1's caption
    # The caption's label, which the build writes (the text's reference to the figure says it too).
    r.comment("Figure 1.1", "Renumber?", A, D1, root=r.paragraph("Figure 1.1: The Panel’s year of work"))
    r.insert("The Panel’s year of work", " in its first year", B, D2)  # typed at a caption's end
    r.comment("Four dimensions of the digital divide", "Five?", A, D1)  # Table 2.1's caption
    r.comment("Digital public goods in practice", "Name one.", B, D1)  # Box 2.1's title
    r.comment("Reuse is not automatic.", "Agreed.", A, D1)  # the box's second paragraph
    r.comment("The Tunis Agenda of 2005", "Source?", B, D1)  # note 6's text, in the Notes section
    r.insert("The virtual meeting was held", " online", B, D2)  # in note 3's text
    r.comment("content moderation on global platforms", "Which ones?", A, D1)  # the words before note 17's mark
    r.delete("17", B, D2, root=r.paragraph("content moderation on global platforms"))  # the mark itself
    r.comment("every one of the Sustainable Development Goals (SDGs)", "Spell out once only?", A, D1)
    r.comment("Proposed insertion", "Accepted.", B, D1)  # a row of a draft's open points, which the build writes
    return r.save(dest)


def test_the_apparatus_lands_on_its_source_lines(edition, tmp_path):
    """A caption is a line of its own in the source (`Figure: ... {#id}`), a note's text is its
    definition at the end of the chapter's file, a note's mark is `[^label]`, and an acronym's first
    use is spelt out by the build: each item lands there, and --apply leaves what the build wrote alone."""
    review = review_the_apparatus(edition.docx, tmp_path / "apparatus.docx")
    items = by_item(read_json(edition.root, review)[0])
    placed = {
        key: (i["now"]["path"], i["now"]["line"], i["now"]["column"], i["now"]["end_column"], i["now"]["inside"])
        for key, i in items.items()
        if i["now"]
    }
    assert placed == {
        ("comment", "A better caption?"): (INTRO, 16, 9, 33, ""),
        ("comment", "Renumber?"): (INTRO, 16, 1, 1, "a caption's label"),
        ("insertion", " in its first year"): (INTRO, 16, 33, 33, ""),
        ("comment", "Five?"): (DIVIDE, 26, 8, 45, ""),
        ("comment", "Name one."): (DIVIDE, 41, 6, 38, ""),
        ("comment", "Agreed."): (DIVIDE, 45, 3, 26, ""),
        ("comment", "Source?"): (INTRO, 69, 10, 34, ""),
        ("insertion", " online"): (INTRO, 63, 41, 41, ""),
        ("comment", "Which ones?"): (SOCIETIES, 24, 54, 92, ""),
        ("deletion", "17"): (SOCIETIES, 24, 92, 105, ""),  # the whole mark, [^moderation]
        ("comment", "Spell out once only?"): (DIVIDE, 39, 46, 67, ""),
    }
    assert items[("comment", "Which ones?")]["quote"] == "content moderation on global platforms"
    assert items[("comment", "Spell out once only?")]["quote"] == "every one of the SDGs"
    open_point = items.pop(("comment", "Accepted."))
    assert (
        open_point["status"] == "unplaced"
        and "open points" in open_point["note"]
        and "source line it names" in open_point["note"]
    )
    assert {i["status"] for i in items.values()} == {"placed"}
    root = clone(edition, tmp_path)
    result = run_report("comments", "--root", str(root), str(review), "--apply")
    assert result.exit_code == 0, result.output
    assert (
        "not applied: chapters/03-individuals-societies.md:24:92: deletion by Bob Editor “17”: it deletes the "
        "mark of the note [^moderation], not its text: delete the note (mark and text) by hand, or keep it"
        in result.stdout
    )
    intro = (edition.root / INTRO).read_text("utf-8").split("\n")
    diff = readers.git(root, "diff", "--unified=0", "main..review/apparatus")
    assert [line for line in diff.splitlines() if line[:1] in "+-" and line[:3] not in ("+++", "---")] == [
        "-" + intro[15],
        "+Figure: The Panel's year of work in its first year {#timeline}",
        "-" + intro[62],
        "+" + intro[62].replace("was held so", "was held online so"),
    ]
    check = subprocess.run(
        ["git", "worktree", "add", "-q", str(tmp_path / "applied"), "review/apparatus"], cwd=root, check=False
    )
    assert check.returncode == 0
    assert run_report("check", "--root", str(tmp_path / "applied")).exit_code == 0  # the caption keeps its id


def test_libreoffice_keeps_every_place(edition, libreoffice_review):
    payload, _ = read_json(edition.root, libreoffice_review)
    items = by_item(payload)
    placed = {key: (i["now"]["path"], i["now"]["line"], i["now"]["column"]) for key, i in items.items() if i["now"]}
    assert placed == EXPECTED
    assert items[("comment", "Which draft is this?")]["status"] == "unplaced"
    assert payload["edition"]["commit"] == edition.commit  # LibreOffice keeps the custom properties


def test_python_docx_saving_again_changes_nothing(edition, reviewed, tmp_path):
    import docx

    again = tmp_path / "again.docx"
    docx.Document(str(reviewed)).save(str(again))
    assert read_json(edition.root, again)[0]["items"] == read_json(edition.root, reviewed)[0]["items"]


def test_the_edition_carries_its_facts_and_hidden_anchors(edition):
    package = Package.open(edition.docx)
    custom = reading.custom_properties(package)
    assert custom["reportkit-commit"] == edition.commit
    assert custom["reportkit-edition"] == "Draft 3" and custom["reportkit-anchors"] == "2"
    assert custom["reportkit-document-0003"] == "introduction chapters/01-introduction.md"
    names = {m.name for story in reading.read(package).stories for m in story.markers}
    # The paragraph on line 10 of the introduction: 26aca794 are the first 8 hex digits of sha1("introduction").
    assert "_rk_26aca794_10" in names and "introduction--mandate" in names
    # pandoc still hashes the ids of headings and of captions over 40 characters (links point at them:
    # "leaving-no-one-behind--figure-internet-use"); no block anchor is hashed.
    oracle = Oracle(edition.root)
    captions = {readers.docx_bookmark(target) for _, _, target in oracle.figures()}
    targets = {readers.docx_bookmark(target) for target in oracle.targets()} | captions
    assert [n for n in names if n.startswith("X") and n not in targets] == []
    assert any(n.startswith("X") for n in captions) and captions <= names, sorted(captions - names)
    assert oracle.block_anchors() <= names, sorted(oracle.block_anchors() - names)[:5]


# -- the formats ----------------------------------------------------------------------------------


def test_text_format(edition, reviewed):
    result = run_report("comments", "--root", str(edition.root), str(reviewed))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert (
        "chapters/01-introduction.md:12:4: comment by Bob Editor (2026-03-02): “Rename this section?” "
        "on “Mandate” [Chapter 1, 1.1 Mandate]"
    ) in lines
    assert (
        "chapters/01-introduction.md:26:95: insertion by Ana Reviewer (2026-03-02): a paragraph break "
        "(the paragraph is split here) [Chapter 1, 1.3 Method of work]"
    ) in lines
    assert f"{reviewed}: not placed: comment by Bob Editor (2026-03-02): “Which draft is this?” on “Draft 3”" in lines
    assert "report: 10 comments, 2 deletions, 4 insertions from Draft 3" in result.stderr


def test_github_format(edition, reviewed):
    result = run_report("comments", "--root", str(edition.root), str(reviewed), "--format", "github")
    lines = result.stdout.splitlines()
    assert (
        "::notice file=chapters/01-introduction.md,line=22,col=35,end_line=22,title=Deletion by Bob Editor"
        "::deletion by Bob Editor (2026-03-03): “independent”"
    ) in lines
    assert any(
        line.startswith(
            "::warning title=Comment by Bob Editor::comment by Bob Editor (2026-03-02): "
            "“Which draft is this?” on “Draft 3” - unplaced: it is on the title page"
        )
        for line in lines
    )
    assert len(lines) == 16


def test_markdown_checklist_per_owner(edition, reviewed):
    result = run_report("comments", "--root", str(edition.root), str(reviewed), "--format", "markdown")
    text = result.stdout
    owners = [line for line in text.splitlines() if line.startswith("**")]
    # introduction: the Secretariat; chapter 2: Jack Ma; chapter 3: member seat 5 (roster.yml).
    assert owners == [
        "**Jack Ma**",
        "**Member seat 5 \\(name to be confirmed\\) (@hlp\\-seat\\-05)**",
        "**Secretariat of the Panel (@panel\\-secretariat)**",
        "**Not placed in a section (for the Secretariat)**",
    ]
    secretariat = text.split("**Secretariat of the Panel")[1].split("\n\n**")[0]
    assert (
        "- [ ] `chapters/01-introduction.md:12` **Chapter 1, 1\\.1 Mandate** — comment by Bob Editor "
        "\\(2026\\-03\\-02\\): “Rename this section?” on “Mandate”"
    ) in secretariat
    assert secretariat.count("- [ ] ") == 9  # the nine items in chapter 1


# -- carried forward to HEAD ---------------------------------------------------------------------


def review_for_later(source: Path, dest: Path) -> Path:
    r = reviewer.Reviewer(source)
    r.comment("Mandate", "Rename this section?", B, D1)
    r.comment(
        "established the High-level Panel on Digital Cooperation in July 2018, two months before",
        "Say which year.",
        A,
        D1,
    )
    r.comment("why the Panel was convened", "Convened by whom?", A, D1)
    r.insert("He asked the Panel to consider", " carefully", A, D1)
    r.delete("independent ", B, D2, root=r.paragraph("twenty independent experts"))
    r.delete("Members took part in a personal capacity", B, D2)
    r.comment("Several themes recurred", "Too long.", A, D1)
    r.comment("Affordability", "Cost of data too.", B, D1)
    return r.save(dest)


def later_commit(root: Path) -> None:
    """The introduction renamed, a paragraph added at its top, a passage reworded, one deleted."""
    readers.git(root, "mv", INTRO, "chapters/01-intro.md")
    path = root / "chapters/01-intro.md"
    text = path.read_text("utf-8")
    text = text.replace("Few forces have", "The Panel met for the first time in 2018.\n\nFew forces have", 1)
    text = text.replace("why the Panel was convened", "why the Panel had been convened", 1)
    text = text.replace("Members took part in a personal capacity", "Members took part in their personal capacity")
    start = text.index("Several themes recurred")
    text = text[:start] + text[text.index("\n\n", start) + 2 :]
    path.write_text(text, "utf-8")
    readers.commit_all(root, "Rework the introduction")


def test_carried_forward_after_a_later_commit(edition, tmp_path):
    root = clone(edition, tmp_path)
    review = review_for_later(edition.docx, tmp_path / "review.docx")
    later_commit(root)
    payload, _ = read_json(root, review)
    items = {i["text"]: i for i in payload["items"]}
    now = {
        text: (
            i["status"],
            i["now"]["path"] if i["now"] else None,
            i["now"]["line"] if i["now"] else None,
            i["now"]["column"] if i["now"] else None,
        )
        for text, i in items.items()
    }
    assert now == {
        "Rename this section?": ("moved", "chapters/01-intro.md", 14, 4),
        "Say which year.": ("moved", "chapters/01-intro.md", 16, 23),
        "Convened by whom?": ("edited", "chapters/01-intro.md", 12, 298),
        " carefully": ("moved", "chapters/01-intro.md", 16, 224),
        "independent ": ("moved", "chapters/01-intro.md", 24, 35),
        "Members took part in a personal capacity": ("edited", "chapters/01-intro.md", 24, 391),
        "Too long.": ("gone", None, None, None),
        "Cost of data too.": ("unchanged", DIVIDE, 31, 3),
    }
    gone = items["Too long."]
    assert (gone["edition"]["path"], gone["edition"]["line"]) == (INTRO, 35)
    assert gone["quote"] == "Several themes recurred"
    assert gone["note"] == "the passage is no longer in chapters/01-intro.md"
    assert items["Convened by whom?"]["note"] == "the passage now reads: why the Panel had been convened"
    assert (items["Say which year."]["edition"]["path"], items["Say which year."]["edition"]["line"]) == (INTRO, 14)
    assert payload["head"] != payload["edition"]["commit"] == edition.commit


# -- --apply ---------------------------------------------------------------------------------------


def git_state(root: Path) -> tuple[str, str, str, str]:
    return (
        readers.git(root, "rev-parse", "HEAD"),
        readers.git(root, "symbolic-ref", "HEAD"),
        readers.git(root, "status", "--porcelain", "--untracked-files=all"),
        readers.git(root, "ls-files", "-s"),
    )


def test_apply_makes_one_commit_per_reviewer_on_a_new_branch(edition, reviewed, tmp_path):
    root = clone(edition, tmp_path)
    before = git_state(root)
    result = run_report("comments", "--root", str(root), str(reviewed), "--apply")
    assert result.exit_code == 0, result.output
    assert git_state(root) == before  # HEAD, branch, work tree and index untouched
    branch = "review/panel-report-draft-3-ana-bob"
    log = readers.git(root, "log", "--reverse", "--format=%an|%ae|%aI|%s", f"main..{branch}").splitlines()
    assert log == [
        "Ana Reviewer||2026-03-02T10:00:00+00:00|Review of Draft 3 by Ana Reviewer: 3 tracked changes",
        "Bob Editor||2026-03-03T09:00:00+00:00|Review of Draft 3 by Bob Editor: 2 tracked changes",
    ]
    diff = readers.git(root, "diff", "--unified=0", f"main..{branch}")
    changed = [line for line in diff.splitlines() if line[:1] in "+-" and line[:3] not in ("+++", "---")]
    original = {path: (edition.root / path).read_text("utf-8").split("\n") for path in (INTRO, SOCIETIES)}
    intro, societies = original[INTRO], original[SOCIETIES]
    assert changed == [
        "-" + intro[13],
        "+" + intro[13].replace("to consider how", "to consider carefully how"),
        "-" + intro[21],
        "+" + intro[21].replace("twenty independent experts", "twenty experts"),
        "-" + intro[25],
        "+An initial virtual meeting in August 2018 identified six focus areas for discussion.[^virtual]",
        "+",
        "+" + intro[25][95:],
        "-" + intro[52],
        "+In 2018 and 2019, " + intro[52],
        "-" + societies[31],
        "-",
        "-" + societies[33],
        "+" + societies[31] + " " + societies[33],
    ]
    assert f"applied on the new branch {branch}" in result.stdout
    assert (
        "not applied: chapters/01-introduction.md:14:595: insertion by Bob Editor “(terms)”: it is inside "
        "a cross-reference" in result.stdout
    )
    check = subprocess.run(["git", "worktree", "add", "-q", str(tmp_path / "applied"), branch], cwd=root, check=False)
    assert check.returncode == 0
    assert run_report("check", "--root", str(tmp_path / "applied")).exit_code == 0


def test_apply_refuses_uncommitted_changes(edition, reviewed, tmp_path):
    root = clone(edition, tmp_path)
    (root / INTRO).write_text((root / INTRO).read_text("utf-8") + "\nA draft sentence.\n", "utf-8")
    result = run_report("comments", "--root", str(root), str(reviewed), "--apply")
    assert result.exit_code == 1
    assert (
        "nothing applied: the working tree has uncommitted changes in the report "
        "(chapters/01-introduction.md); commit or stash them" in result.stderr
    )
    assert readers.git(root, "branch", "--list", "review/*") == ""


def test_apply_ignores_the_docx_itself_saved_in_the_repository(edition, reviewed, tmp_path):
    root = clone(edition, tmp_path)
    inside = root / "Review from Ana.docx"  # untracked, like any attachment saved there
    shutil.copy(reviewed, inside)
    result = run_report("comments", "--root", str(root), str(inside), "--apply")
    assert result.exit_code == 0, result.output
    assert readers.git(root, "branch", "--list", "review/*") == "review/review-from-ana"


def test_git_status_parser():
    raw = b" M chapters/a.md\0R  chapters/new.md\0chapters/old.md\0?? Review (1).docx\0"
    assert gitio.parse_status(raw) == ["chapters/a.md", "chapters/new.md", "Review (1).docx"]


def test_apply_after_a_later_commit_uses_the_moved_places(edition, tmp_path):
    root = clone(edition, tmp_path)
    review = review_for_later(edition.docx, tmp_path / "Draft 3, from Bob & Ana.docx")
    later_commit(root)
    result = run_report("comments", "--root", str(root), str(review), "--apply")
    assert result.exit_code == 0, result.output
    branch = "review/draft-3-from-bob-ana"
    diff = readers.git(root, "diff", "--unified=0", f"main..{branch}")
    added = [line for line in diff.splitlines() if line.startswith("+") and not line.startswith("+++")]
    assert [line[:80] for line in added] == [
        "+The Secretary-General established the High-level Panel on Digital Cooperation i",
        "+The Panel brought together twenty experts drawn from government, the private se",
    ]
    assert "consider carefully how" in added[0]
    assert (
        "not applied: chapters/01-intro.md:24:391: deletion by Bob Editor “Members took part in a personal "
        "capacity”: the passage was edited since the edition" in result.stdout
    )


def test_a_roster_member_is_the_author_with_their_github_address(edition, tmp_path):
    root = clone(edition, tmp_path)
    r = reviewer.Reviewer(edition.docx)
    r.insert("He asked the Panel to consider", " carefully", "Secretariat of the Panel", D1)  # roster.yml's name
    review = r.save(tmp_path / "secretariat.docx")
    assert run_report("comments", "--root", str(root), str(review), "--apply").exit_code == 0
    assert (
        readers.git(root, "log", "-1", "--format=%an <%ae>", "review/secretariat")
        == "Secretariat of the Panel <panel-secretariat@users.noreply.github.com>"
    )


def test_apply_refuses_an_existing_branch(edition, reviewed, tmp_path):
    root = clone(edition, tmp_path)
    readers.git(root, "branch", "review/panel-report-draft-3-ana-bob")
    result = run_report("comments", "--root", str(root), str(reviewed), "--apply")
    assert result.exit_code == 1 and "exists already" in result.stderr


# -- what git, file names and typed text become ---------------------------------------------------


@pytest.mark.parametrize(
    "name, branch",
    [
        ("Draft 3 – JM's comments (final).DOCX", "review/draft-3-jm-s-comments-final"),
        ("../../-rf --upload-pack=x.docx", "review/rf-upload-pack-x"),
        ("....docx", "review/docx"),
        ("HEAD.lock.docx", "review/head-lock"),
        ("日本語.docx", "review/docx"),
        ("Révision été.docx", "review/revision-ete"),
    ],
)
def test_branch_names_are_safe(name, branch):
    assert branch_name(name) == branch


def test_typed_text_becomes_markdown_that_shows_it():
    assert markdown_text("see [[rec:x]] and *this* <b>") == "see \\[\\[rec:x\\]\\] and \\*this\\* &lt;b&gt;"
    assert markdown_text("It’s “new”") == 'It\'s "new"'
    assert (
        markdown_text("end.\n# not a heading\n1. not a list\n- no")
        == "end.\n\n\\# not a heading\n\n1\\. not a list\n\n\\- no"
    )


def test_mktree_input():
    entry = gitio.TreeEntry("100644", "blob", "a" * 40, None, "chapters/é x.md")
    assert gitio.format_mktree([entry]) == b"100644 blob " + b"a" * 40 + "\tchapters/é x.md\0".encode()


def test_unknown_commit_is_found_by_words(edition, reviewed, tmp_path):
    forged = tmp_path / "forged.docx"
    with zipfile.ZipFile(reviewed) as source, zipfile.ZipFile(forged, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "docProps/custom.xml":
                data = data.replace(edition.commit.encode(), b"0" * 40)
            target.writestr(info.filename, data)
    payload, result = read_json(edition.root, forged)
    assert "the edition's commit 000000000000 is not in this repository" in result.stderr
    items = by_item(payload)
    assert (
        items[("comment", "Say which year.")]["now"]["line"],
        items[("deletion", "independent ")]["now"]["line"],
    ) == (14, 22)


def test_the_editions_own_marks_are_not_a_reviewers(edition, tmp_path):
    """Marked changes written in the source (rk-ins, rk-del, rk-comment spans) reach the DOCX as Word's
    tracked changes and comments by the build; they are left out, and a reviewer's beside them placed."""
    root = clone(edition, tmp_path)
    intro = root / INTRO
    lines = intro.read_text("utf-8").split("\n")
    assert "in July 2018, two months before" in lines[13]
    lines[13] = lines[13].replace(
        "in July 2018,", "in July 2018[ (to check)]{.rk-ins}[ indeed]{.rk-del},[Which month?]{.rk-comment}"
    )
    intro.write_text("\n".join(lines), "utf-8")
    readers.commit_all(root, "Open points in the introduction")
    result = run_report("build", "--root", str(root), "--formats", "docx", "--edition", "Draft 4")
    assert result.exit_code == 0, result.output
    r = reviewer.Reviewer(root / "build" / "panel-report.docx")
    r.comment("He asked the Panel to consider", "Why?", A, D1)
    reviewed_file = r.save(tmp_path / "reviewed.docx")
    payload, result = read_json(root, reviewed_file)
    assert re.search(
        rf"\b{OPEN_POINT_MARKS + 3} marked changes dated as the edition \(\S+\) were left out", result.stderr
    )
    column = lines[13].index("He asked the Panel to consider") + 1
    placed = [
        (i["kind"], i["author"], i["text"], i["edition"]["line"], i["edition"]["column"]) for i in payload["items"]
    ]
    assert placed == [("comment", A, "Why?", 14, column)]


def test_what_a_reviewer_writes_is_shown_as_text(edition, tmp_path):
    r = reviewer.Reviewer(edition.docx)
    # XML cannot hold C0 controls; C1 (U+009B, a terminal's CSI) and bidirectional overrides it can.
    r.comment(
        "Mandate",
        "\u009b31mred\u202e @everyone <img src=x onerror=alert(1)> [x](javascript:alert(1))",
        "Eve <script>",
        D1,
    )
    review = r.save(tmp_path / "eve.docx")
    text = run_report("comments", "--root", str(edition.root), str(review)).stdout
    assert "\u009b" not in text and "\u202e" not in text and "31mred @everyone" in text
    markdown = run_report("comments", "--root", str(edition.root), str(review), "--format", "markdown").stdout
    assert "<img" not in markdown and "<script" not in markdown and "@everyone" not in markdown
    assert "&#64;everyone" in markdown and "&lt;img src=x onerror=alert\\(1\\)&gt;" in markdown


# -- bad and hostile files -------------------------------------------------------------------------


def rezip(
    source: Path,
    dest: Path,
    replace: dict[str, bytes],
    add: dict[str, bytes] | None = None,
    method: int = zipfile.ZIP_DEFLATED,
) -> Path:
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(dest, "w", method) as new:
        for info in old.infolist():
            new.writestr(info.filename, replace.get(info.filename, old.read(info)))
        for name, data in (add or {}).items():
            new.writestr(name, data)
    return dest


LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">'
    b'<!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;"><!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">'
    b'<!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;"><!ENTITY h "&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;">]>'
    b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p>'
    b"<w:r><w:t>&h;</w:t></w:r></w:p></w:body></w:document>"
)
PASSWD = (
    b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p>'
    b"<w:r><w:t>&x;</w:t></w:r></w:p></w:body></w:document>"
)
DOCUMENT = "word/document.xml"


DEEP = (
    b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p>'
    + b"<w:sdt>" * 20000
    + b"</w:sdt>" * 20000
    + b"</w:p></w:body></w:document>"
)
# Cases made by rezipping the edition: (parts replaced, parts added, compression), made when asked
DEFLATED, STORED = zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED
EXTERNAL_DTD = b'<?xml version="1.0"?><!DOCTYPE w SYSTEM "http://127.0.0.1:9/x.dtd"><w/>'
REZIPPED: dict[str, Callable[[], tuple[dict, dict, int]]] = {
    "zip-bomb": lambda: ({DOCUMENT: b"<a>" + b" " * (40 << 20) + b"</a>"}, {}, DEFLATED),  # under the limit
    "huge-part": lambda: ({}, {"word/media/huge.bin": b"\0" * (MAX_PART + 1)}, STORED),
    "many-parts": lambda: ({}, {f"word/media/{i}.png": b"" for i in range(6000)}, DEFLATED),
    "dot-dot": lambda: ({}, {"word/../../etc/evil.xml": b"<x/>"}, DEFLATED),
    "absolute": lambda: ({}, {"/etc/evil.xml": b"<x/>"}, DEFLATED),
    "backslash": lambda: ({}, {"..\\evil.xml": b"<x/>"}, DEFLATED),
    "billion-laughs": lambda: ({DOCUMENT: LAUGHS}, {}, DEFLATED),
    "external-entity": lambda: ({DOCUMENT: PASSWD}, {}, DEFLATED),
    "external-dtd": lambda: ({DOCUMENT: EXTERNAL_DTD}, {}, DEFLATED),
    "not-xml": lambda: ({DOCUMENT: b"<w:document><w:body>"}, {}, DEFLATED),
    "deep": lambda: ({DOCUMENT: DEEP}, {}, DEFLATED),
}


def _not_ours(path: Path) -> None:
    import docx as python_docx

    document = python_docx.Document()
    document.add_paragraph("A letter, not an edition.")
    document.add_comment(document.paragraphs[0].runs, text="Nice", author="Eve")
    document.save(str(path))


def hostile(case: str, docx: Path, folder: Path) -> Path:
    """A bad or hostile FILE for `report comments`, made from the edition's DOCX."""
    path = folder / f"{case}.docx"
    makers = {
        "not-ours": lambda: _not_ours(path),
        "truncated": lambda: path.write_bytes(docx.read_bytes()[:20000]),
        "not-a-zip": lambda: path.write_bytes(b"%PDF-1.7\n" + os.urandom(4000)),
        "empty": lambda: path.write_bytes(b""),
        "symlink": lambda: path.symlink_to(docx),
        "fifo": lambda: os.mkfifo(path),
        "folder": lambda: path.mkdir(),
        "missing": lambda: None,
    }
    if case in REZIPPED:
        replaced, added, compression = REZIPPED[case]()
        rezip(docx, path, replaced, added, compression)
    else:
        makers[case]()
    return path


HOSTILE = {
    "not-ours": "was not built by `report build`: it carries no edition facts",
    "truncated": "is not a DOCX file (not a readable zip archive",
    "not-a-zip": "is not a DOCX file (not a readable zip archive",
    "empty": "is not a DOCX file (not a readable zip archive",
    "zip-bomb": "holds a part (word/document.xml) that unpacks to",
    "huge-part": "holds a part (word/media/huge.bin) of 48 MiB unpacked; the limit is 48 MiB",
    "many-parts": "holds 6,0",
    "dot-dot": "holds a part named 'word/../../etc/evil.xml', which points outside the package",
    "absolute": "holds a part named '/etc/evil.xml', which points outside the package",
    "backslash": "which points outside the package",
    "billion-laughs": "is refused: its part word/document.xml declares a DTD or entities",
    "external-entity": "is refused: its part word/document.xml declares a DTD or entities",
    "external-dtd": "is refused: its part word/document.xml declares a DTD or entities",
    "not-xml": "is damaged: its part word/document.xml is not well-formed XML",
    "deep": "nests elements more than 256 deep",
    "symlink": "is a symbolic link: give the DOCX file itself",
    "fifo": "is a named pipe (FIFO), not a DOCX file",
    "folder": "is a folder, not a DOCX file",
    "missing": "cannot be read: No such file or directory",
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_bad_files_are_refused_with_exit_1(case, edition, tmp_path):
    path = hostile(case, edition.docx, tmp_path)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(TOOLS), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run(
        [sys.executable, "-m", "reportkit.cli", "comments", "--root", str(edition.root), str(path)],
        check=False,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )  # a hang guard, not a measure
    assert done.returncode == 1, (done.stdout, done.stderr)
    assert done.stderr.startswith(f"report: {path}: "), done.stderr
    assert HOSTILE[case] in done.stderr
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr
    assert done.stdout == "" and "root:x:0:0" not in done.stderr


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.text(alphabet="ab’.,-é(", min_size=1, max_size=6),
            st.sampled_from([" ", "\n", "  "]),
            st.sampled_from([" ", "\n\n", " \n "]),
        ),
        min_size=1,
        max_size=12,
    ),
    st.data(),
)
def test_the_fast_alignment_agrees_with_the_token_alignment(words, data):
    """Where an edition's paragraph and its source differ only in spaces, `SameWords` places every
    offset, start or end, where the general token alignment does."""
    first = "".join(w + a for w, a, _ in words)
    second = normal("".join(w + b for w, _, b in words))
    assert SameWords.applies(first, second)
    fast = SameWords(first, 100, second, 7)
    general = Aligner(tokens(first, 100), tokens(second, 7), 7 + len(second))
    offset = data.draw(st.integers(100, 100 + len(first)))
    end = data.draw(st.booleans())
    assert fast.map(offset, end) == general.map(offset, end)
