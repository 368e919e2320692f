"""`report diff` and the redline editions, on real git histories.

A small report in two drafts gives the exact JSON, written out by hand below. The sample in two
drafts (`drafts.next_draft`: a recommendation added in the middle of a set, one withdrawn, a
paragraph moved, one reflowed, a file renamed) is built with `--redline` once, and its editions are
read back: the DOCX's tracked changes (its XML, and LibreOffice accepting every change), the PDF's
marks (its pixels and its text), the site's page of changes (parsed, sanitized, and read by Chromium
as a screen reader would). Hostile refs and trees get a clear message and exit 1 or 2, never 3.
"""

from __future__ import annotations

import json
import re
import subprocess
import zipfile
from collections import Counter
from pathlib import Path

import pytest

import drafts
import readers
from browser import find_chromium
from gitrepo import GitRepo
from reportkit import diff, since
from reportkit.loader import load
from reportkit.render import citeproc, pandoc_ast, redline, sanitize

SOFFICE = "/usr/bin/soffice"
AUTHOR = "Changes since edition-draft-2"
DATE = "2019-06-10T12:00:00Z"  # readers.COMMIT_DATE, the edition's date

# -- a small report in two drafts ----------------------------------------------------------------

ROSTER = """members:
  - {id: chair, name: The Chair, role: co-chair}
  - {id: member-a, name: Member A, role: member}
  - {id: secretariat, name: Secretariat, role: secretariat}
"""


def _doc(ident: str, title: str, owner: str, status: str, body: str, **extra: object) -> str:
    fields = "".join(f"{key}: {value}\n" for key, value in extra.items())
    return f"---\nid: {ident}\ntitle: {title}\nowner: {owner}\nstatus: {status}\n{fields}---\n\n{body}"


def _rec(
    ident: str,
    title: str,
    set_: int,
    order: int,
    body: str = "## Rationale\n\nSee [[chapter:intro#scope]].\n",
    status: str = "agreed",
) -> str:
    return _doc(ident, title, "member-a", status, body, set=set_, order=order)


INTRO = """## Scope {#scope}

This chapter proposes [[rec:alpha]], [[rec:beta]] and [[rec:gamma]].

The Panel met four times, in New York and in Geneva.

The Panel heard from many people across the world.

A paragraph that will be reflowed without changing a single word of it, however long it is.
"""
FIRST_DRAFT = {
    "report.yml": "title: A report in two drafts\nsets:\n  1: First set\n  2: Second set\n",
    "roster.yml": ROSTER,
    "chapters/01-intro.md": _doc("intro", "Introduction", "chair", "draft", INTRO),
    "chapters/02-method.md": _doc(
        "method",
        "Method",
        "member-a",
        "review",
        "## Steps {#steps}\n\nWe worked in steps, as [[chapter:intro#scope]] says.\n",
    ),
    "recommendations/alpha.md": _rec("alpha", "Alpha", 1, 1),
    "recommendations/beta.md": _rec("beta", "Beta", 1, 2),
    "recommendations/gamma.md": _rec("gamma", "Gamma", 1, 3),
    "recommendations/delta.md": _rec("delta", "Delta", 2, 1),
    "recommendations/epsilon.md": _rec("epsilon", "Epsilon", 2, 2),
    "annexes/01-members.md": _doc("members", "Members", "secretariat", "agreed", "The roster.\n"),
    "annexes/02-old.md": _doc("old-annex", "Old annex", "secretariat", "draft", "To be removed.\n"),
}


MET, HEARD = (
    "The Panel met four times, in New York and in Geneva.",
    "The Panel heard from many people across the world.",
)


def second_draft(root: Path) -> None:
    """Add a recommendation in the middle of set 1, withdraw one, move a paragraph, reflow one,
    rename a file, add a word, remove an annex."""
    (root / "recommendations/new-idea.md").write_text(
        _rec(
            "new-idea",
            "A new idea",
            1,
            2,
            "## Rationale\n\nA new idea, between the first and the second.\n",
            status="draft",
        ),
        "utf-8",
    )
    for path, old, new in (
        ("recommendations/beta.md", "order: 2", "order: 3"),
        ("recommendations/gamma.md", "order: 3", "order: 4"),
        ("recommendations/gamma.md", "[[chapter:intro#scope]].", "[[chapter:intro#scope]] first."),
        ("recommendations/delta.md", "status: agreed", "status: withdrawn"),
        ("chapters/01-intro.md", MET + "\n\n" + HEARD, HEARD + "\n\n" + MET),
        ("chapters/01-intro.md", "changing a single word of it, however", "changing\na single word of it,\n   however"),
    ):
        text = (root / path).read_text("utf-8")
        assert old in text
        (root / path).write_text(text.replace(old, new, 1), "utf-8")
    (root / "chapters/02-method.md").rename(root / "chapters/02-approach.md")
    (root / "annexes/02-old.md").unlink()


@pytest.fixture
def two_drafts(tmp_path: Path) -> GitRepo:
    """The small report: the first draft committed and tagged edition-draft-1, the second committed."""
    root = tmp_path / "report"
    for path, text in FIRST_DRAFT.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text, "utf-8")
    git = GitRepo(root)
    git.commit("First draft", "Alice Admin", "2026-01-01T10:00:00+00:00")
    git.run("tag", "edition-draft-1")
    second_draft(root)
    git.commit("Second draft", "Bob Writer", "2026-02-01T10:00:00+00:00")
    return git


def run(*args: str):
    result = readers.run_report(*args)
    assert "Traceback" not in result.output + result.stderr, result.stderr
    assert result.exit_code != 3, result.stderr
    return result


SAME_PATH = object()


def _section(
    ident, kind, path, change, title, labels, statuses, owners, added=0, removed=0, moved=0, path_from=SAME_PATH
):
    return {
        "id": ident,
        "kind": kind,
        "path": path,
        "path_from": path if path_from is SAME_PATH else path_from,
        "change": change,
        "title": title,
        "label_from": labels[0],
        "label_to": labels[1],
        "status_from": statuses[0],
        "status_to": statuses[1],
        "owner_from": owners[0],
        "owner_to": owners[1],
        "words_added": added,
        "words_removed": removed,
        "paragraphs_moved": moved,
    }


SAME_OWNER = ("member-a", "member-a")
EXPECTED_RENUMBERED = [
    {"id": "new-idea", "kind": "rec", "change": "added", "from": None, "to": "Recommendation 1B"},
    {"id": "beta", "kind": "rec", "change": "renumbered", "from": "Recommendation 1B", "to": "Recommendation 1C"},
    {"id": "gamma", "kind": "rec", "change": "renumbered", "from": "Recommendation 1C", "to": "Recommendation 1D"},
    {"id": "delta", "kind": "rec", "change": "withdrawn", "from": "Recommendation 2A", "to": None},
    {"id": "epsilon", "kind": "rec", "change": "renumbered", "from": "Recommendation 2B", "to": "Recommendation 2"},
    {"id": "old-annex", "kind": "annex", "change": "removed", "from": "Annex II", "to": None},
]
EXPECTED_SECTIONS = [
    # The paragraph moved is a move, not 9 words removed and 9 added; the reflowed one is no change;
    # the references to beta and gamma (now 1C and 1D) are not changes of text either.
    _section(
        "intro",
        "chapter",
        "chapters/01-intro.md",
        "modified",
        "Introduction",
        ("Chapter 1", "Chapter 1"),
        ("draft", "draft"),
        ("chair", "chair"),
        moved=1,
    ),
    _section(
        "method",
        "chapter",
        "chapters/02-approach.md",
        "renamed",
        "Method",
        ("Chapter 2", "Chapter 2"),
        ("review", "review"),
        SAME_OWNER,
        path_from="chapters/02-method.md",
    ),
    _section(
        "alpha",
        "rec",
        "recommendations/alpha.md",
        "unchanged",
        "Alpha",
        ("Recommendation 1A", "Recommendation 1A"),
        ("agreed", "agreed"),
        SAME_OWNER,
    ),
    # Title (3 words), heading (1), paragraph (9).
    _section(
        "new-idea",
        "rec",
        "recommendations/new-idea.md",
        "added",
        "A new idea",
        (None, "Recommendation 1B"),
        (None, "draft"),
        (None, "member-a"),
        added=13,
        path_from=None,
    ),
    _section(
        "beta",
        "rec",
        "recommendations/beta.md",
        "unchanged",
        "Beta",
        ("Recommendation 1B", "Recommendation 1C"),
        ("agreed", "agreed"),
        SAME_OWNER,
    ),
    # "." became "first.": one word added, none removed (a full stop is not a word).
    _section(
        "gamma",
        "rec",
        "recommendations/gamma.md",
        "modified",
        "Gamma",
        ("Recommendation 1C", "Recommendation 1D"),
        ("agreed", "agreed"),
        SAME_OWNER,
        added=1,
    ),
    _section(
        "delta",
        "rec",
        "recommendations/delta.md",
        "modified",
        "Delta",
        ("Recommendation 2A", None),
        ("agreed", "withdrawn"),
        SAME_OWNER,
    ),
    _section(
        "epsilon",
        "rec",
        "recommendations/epsilon.md",
        "unchanged",
        "Epsilon",
        ("Recommendation 2B", "Recommendation 2"),
        ("agreed", "agreed"),
        SAME_OWNER,
    ),
    _section(
        "members",
        "annex",
        "annexes/01-members.md",
        "unchanged",
        "Members",
        ("Annex I", "Annex I"),
        ("agreed", "agreed"),
        ("secretariat", "secretariat"),
    ),
    # Title (2 words) and body (3).
    _section(
        "old-annex",
        "annex",
        "annexes/02-old.md",
        "removed",
        "Old annex",
        ("Annex II", None),
        ("draft", None),
        ("secretariat", None),
        removed=5,
    ),
]
EXPECTED_TOTALS = {
    "added": 1,
    "removed": 1,
    "modified": 3,
    "renamed": 1,
    "unchanged": 4,
    "words_added": 14,
    "words_removed": 5,
}


def test_diff_json_between_two_commits_exactly(two_drafts: GitRepo):
    root = two_drafts.path
    result = run("diff", "--root", str(root), "--format", "json", "edition-draft-1", "HEAD")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == {
        "from": {"ref": "edition-draft-1", "commit": two_drafts.run("rev-parse", "edition-draft-1").strip()},
        "to": {"ref": "HEAD", "commit": two_drafts.run("rev-parse", "HEAD").strip()},
        "renumbered": EXPECTED_RENUMBERED,
        "sections": EXPECTED_SECTIONS,
        "totals": EXPECTED_TOTALS,
    }


def test_diff_against_the_working_tree_and_its_formats(two_drafts: GitRepo):
    root = two_drafts.path
    two_drafts.run("reset", "-q", "--soft", "edition-draft-1")  # the second draft: uncommitted now
    result = run("diff", "--root", str(root), "--format", "json", "edition-draft-1")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["to"] == {"ref": None, "commit": None}
    assert (data["renumbered"], data["sections"]) == (EXPECTED_RENUMBERED, EXPECTED_SECTIONS)
    text = run("diff", "--root", str(root), "edition-draft-1").stdout
    assert text.splitlines()[0].startswith("changes from edition-draft-1 (") and "to the working tree" in text
    assert "  beta       Recommendation 1B -> Recommendation 1C  (renumbered)" in text
    assert "  renamed   method     chapters/02-method.md -> chapters/02-approach.md  +0 -0 words" in text
    assert "  modified  intro      chapters/01-intro.md  +0 -0 words, 1 paragraph moved" in text
    assert "sections (6 changed, 4 unchanged):" in text
    markdown = run("diff", "--root", str(root), "--format", "markdown", "edition-draft-1").stdout
    assert markdown.startswith("### What changed since edition-draft-1\n")
    assert "| delta | Recommendation 2A | — | withdrawn |" in markdown
    assert (
        "| **gamma** recommendations/gamma.md | modified | Recommendation 1C → Recommendation 1D | agreed "
        "| member-a | 1 | 0 |" in markdown
    )


def test_nothing_changed(two_drafts: GitRepo):
    result = run("diff", "--root", str(two_drafts.path), "--format", "json", "HEAD")
    data = json.loads(result.stdout)
    assert data["renumbered"] == [] and {s["change"] for s in data["sections"]} == {"unchanged"}
    assert data["totals"]["words_added"] == data["totals"]["words_removed"] == 0


# -- the comparison's parts, without git ----------------------------------------------------------


def test_align_keeps_moves_edits_inserts_and_deletes_in_reading_order():
    old = ["title", "a", "x old", "b", "c long text", "d"]
    new = ["title", "c long text", "a", "x new", "c longer text", "d"]

    def similar(i: int, j: int) -> bool:  # versions of one block share their first word
        return old[i].split()[0] == new[j].split()[0]

    steps = [(s.op, s.old, s.new) for s in diff.align(old, new, similar)]
    # "c long text" moved up whole; "x old" became "x new"; "b" went; "c longer text" is new (its
    # look-alike is the moved block, which is not paired again).
    assert steps == [
        ("same", 0, 0),
        ("moved-in", None, 1),
        ("same", 1, 2),
        ("edit", 2, 3),
        ("delete", 3, None),
        ("moved-out", 4, None),
        ("insert", None, 4),
        ("same", 5, 5),
    ]


def test_reader_blocks_ignore_wrapping_markup_and_labels(copy_report, fixtures_dir):
    root = copy_report(fixtures_dir / "minimal")
    before = load(root).by_id["intro"]
    text = (root / "chapters/01-intro.md").read_text("utf-8")
    (root / "chapters/01-intro.md").write_text(
        text.replace("This chapter proposes [[rec:first]]", "This *chapter*\nproposes   [[rec:first]]"), "utf-8"
    )
    after = load(root).by_id["intro"]
    assert [b.key for b in diff.reader_blocks(before)] == [b.key for b in diff.reader_blocks(after)]
    paragraph = diff.reader_blocks(after)[2]
    assert [t.key for t in paragraph.tokens][:4] == ["This", "chapter", "proposes", "\x01rec:first#"]
    # A reference with its own words counts those words, tied to its target.
    assert "\x01rec:second#\x02a" in [t.key for t in paragraph.tokens]


def test_word_ops_fold_a_lone_short_word_only_for_display():
    old, new = ["the", "cat", "sat", "on", "the", "mat"], ["the", "dog", "sat", "on", "a", "rug"]
    assert diff.word_ops(old, new) == [
        ("equal", 0, 1, 0, 1),
        ("replace", 1, 2, 1, 2),
        ("equal", 2, 4, 2, 4),
        ("replace", 4, 6, 4, 6),
    ]
    assert diff.word_ops(["a", "b", "c"], ["x", "b", "y"], fold=True) == [("replace", 0, 3, 0, 3)]


# -- hostile input ------------------------------------------------------------------------------


@pytest.mark.parametrize("ref", ["nope", "--output=x", "HEAD;rm -rf marker", "HEAD~99", "-", "edition-draft-1:x"])
def test_a_ref_that_names_no_commit_is_a_usage_error(two_drafts: GitRepo, ref: str):
    root = two_drafts.path
    (root / "marker").write_text("still here")
    result = run("diff", "--root", str(root), "--", ref)
    assert result.exit_code == 2
    assert f"'{ref}' names no commit in this repository" in result.stderr
    assert (root / "marker").read_text() == "still here"
    assert not (root / "x").exists()


def test_an_option_in_place_of_a_ref_is_a_usage_error(two_drafts: GitRepo):
    result = run("diff", "--root", str(two_drafts.path), "--output=x")
    assert result.exit_code == 2 and "No such option" in result.stderr


def test_outside_a_repository_is_a_usage_error(copy_report, fixtures_dir):
    root = copy_report(fixtures_dir / "minimal")
    result = run("diff", "--root", str(root), "HEAD")
    assert result.exit_code == 2 and "is not in a git repository" in result.stderr


def test_a_symbolic_link_in_the_from_tree_is_refused_with_its_place(two_drafts: GitRepo):
    root = two_drafts.path
    (root / "chapters/03-link.md").symlink_to("/etc/passwd")
    two_drafts.commit("A link", "Eve Mallory", "2026-03-01T10:00:00+00:00")
    two_drafts.run("tag", "edition-linked")
    (root / "chapters/03-link.md").unlink()
    result = run("diff", "--root", str(root), "edition-linked")
    assert result.exit_code == 1
    assert (
        "chapters/03-link.md:0:0: error [file.unreadable] this file was not read from git: a symbolic link"
        in result.stderr
    )
    assert "1 file of the report at edition-linked could not be read" in result.stderr
    assert "root:" not in result.stdout  # nothing of /etc/passwd anywhere
    assert result.stdout == ""


def test_a_huge_file_in_the_from_tree_is_refused_unread(two_drafts: GitRepo):
    root = two_drafts.path
    huge = root / "chapters/04-huge.md"
    huge.write_text(_doc("huge", "Huge", "chair", "draft", "word " * 1_200_000), "utf-8")
    two_drafts.commit("A huge file", "Eve Mallory", "2026-03-01T10:00:00+00:00")
    two_drafts.run("tag", "edition-huge")
    huge.unlink()
    result = run("diff", "--root", str(root), "edition-huge")
    assert result.exit_code == 1
    assert re.search(
        r"chapters/04-huge\.md:0:0: error \[file\.unreadable\] this file was not read from git: "
        r"larger than [\d,]+ bytes",
        result.stderr,
    )


def test_an_unusable_report_yml_at_from_is_a_usage_error(two_drafts: GitRepo):
    root = two_drafts.path
    (root / "report.yml").write_text("title: [unclosed\n")
    two_drafts.commit("Break report.yml", "Eve Mallory", "2026-03-01T10:00:00+00:00")
    two_drafts.run("tag", "edition-broken")
    two_drafts.run("checkout", "-q", "HEAD~1", "--", "report.yml")
    result = run("diff", "--root", str(root), "edition-broken")
    assert result.exit_code == 2
    assert "the report at edition-broken cannot be read: report.yml is not valid" in result.stderr


# -- the redline editions of the sample ----------------------------------------------------------


class Drafts:
    """The sample at Draft 2 (tagged) and the next draft in the working tree, built three ways."""

    def __init__(self, base: Path):
        self.root = readers.copy_sample(base / "report")
        self.commit = readers.commit_all(self.root, "Draft 2")
        readers.git(self.root, "tag", "edition-draft-2")
        drafts.next_draft(self.root)
        self.redline = base / "redline"
        self.plain = base / "plain"
        self.result = run("build", "--root", str(self.root), "--redline", "edition-draft-2", "--out", str(self.redline))
        assert self.result.exit_code == 0, self.result.stderr
        plain = run("build", "--root", str(self.root), "--formats", "docx,pdf", "--out", str(self.plain))
        assert plain.exit_code == 0, plain.stderr

    def xml(self, part: str = "word/document.xml", edition: Path | None = None) -> str:
        return zipfile.ZipFile((edition or self.redline) / "panel-report.docx").read(part).decode("utf-8")


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Drafts:
    return Drafts(tmp_path_factory.mktemp("drafts"))


def test_the_manifest_records_from(built: Drafts):
    manifest = json.loads((built.redline / "manifest.json").read_text())
    assert manifest["redline"] == {"ref": "edition-draft-2", "commit": built.commit, "formats": ["html", "pdf", "docx"]}


_REVISION = re.compile(r'<w:(ins|del) w:id="\d+" w:author="([^"]*)" w:date="([^"]*)">(.*?)</w:\1>', re.DOTALL)


def _revisions(xml: str) -> Counter:
    """Each tracked change that holds text: (ins or del, author, date, its text)."""
    return Counter(
        (kind, author, date, "".join(re.findall(r"<w:(?:t|delText)(?: [^>]*)?>([^<]*)<", inner)))
        for kind, author, date, inner in _REVISION.findall(xml)
    )


def test_docx_changes_are_word_tracked_changes_with_author_and_date(built: Drafts):
    xml = built.xml()
    changes = re.findall(r'<w:(ins|del) w:id="(\d+)" w:author="([^"]*)" w:date="([^"]*)"', xml)
    ours = [c for c in changes if c[2] == AUTHOR]
    assert len([c for c in ours if c[0] == "ins"]) > 10 and len([c for c in ours if c[0] == "del"]) > 10
    # The changes since FROM and the open points' marks alike are the edition's own, dated at its
    # moment: `report comments` leaves them all out of what a reviewer wrote.
    assert {date for _, _, _, date in changes} == {DATE}
    assert len({ident for _, ident, _, _ in changes}) == len(changes)  # each revision its own id
    # Beside the redline's changes, the passages still under negotiation today stay marks by their
    # sections' owners, exactly as the plain edition has them: a Secretariat reader filters Word's
    # changes by author, and none of the redline's (3C withdrawn, in 3B's section) goes to an owner.
    report = load(built.root)
    owners = {report.members[doc.owner].name for doc in report.documents if doc.scan.marks and doc.owner}
    plain = _revisions(built.xml(edition=built.plain))
    assert {author for _, author, _, _ in plain} == owners and len(owners) == 2
    assert Counter({r: n for r, n in _revisions(xml).items() if r[1] != AUTHOR}) == plain
    # A renumbered reference keeps its link; only its label changes, inside it.
    assert re.search(
        r'<w:hyperlink w:anchor="digital-public-goods">(?:(?!</w:hyperlink>).)*'
        r'<w:del [^>]*><w:r>(?:(?!</w:r>).)*<w:delText xml:space="preserve">1B</w:delText></w:r></w:del>'
        r'<w:ins [^>]*><w:r>(?:(?!</w:r>).)*<w:t xml:space="preserve">1C</w:t></w:r></w:ins>',
        xml,
    )
    # The moved paragraph: deleted where it was, inserted where it is, its paragraph marks tracked too.
    moved = "Several themes recurred across these discussions"
    paragraphs = [p for p in re.findall(r"<w:p>.*?</w:p>", xml, re.DOTALL) if moved in p]
    assert len(paragraphs) == 2
    assert "<w:rPr><w:ins " in paragraphs[0] and "<w:rPr><w:del " in paragraphs[1]
    # The reflowed paragraph is not a change.
    reflowed = next(p for p in re.findall(r"<w:p>.*?</w:p>", xml, re.DOTALL) if "The Panel treated inclusion" in p)
    assert "<w:ins " not in reflowed and "<w:del " not in reflowed


def _views(xml: str) -> tuple[str, str]:
    """The body's text with every change accepted (w:t, insertions included) and rejected (w:t outside
    insertions, and the deleted w:delText), read from the XML itself."""
    body = xml[xml.index("</w:sdt>") :]  # after the contents, which are written in advance from TO
    accepted = "".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", body))
    outside = re.sub(r"<w:ins [^>]*>.*?</w:ins>", "", body, flags=re.DOTALL)
    rejected = "".join(re.findall(r"<w:(?:t|delText)(?: [^>]*)?>([^<]*)</w:(?:t|delText)>", outside))
    return accepted, rejected


def test_docx_redline_holds_both_texts(built: Drafts):
    accepted, rejected = _views(built.xml())
    # The new recommendation's box (label, set, statement) and its entry in the executive summary's list.
    assert re.search(r"Recommendation 1BSet 1: [^.]{0,80}Build shared digital public infrastructure", accepted)
    assert "Recommendation 1B Build shared digital public infrastructure" in accepted
    # A renumbered recommendation's box shows its label changing; the withdrawn one is there deleted,
    # in its place and in the list.
    assert re.search(r"Recommendation 1CSet 1: [^.]{0,80}Form a coalition", accepted)
    assert re.search(r"Recommendation 1BSet 1: [^.]{0,80}Form a coalition", rejected)
    assert rejected.count("Work across sectors to turn published ethical") == 2
    assert "Work across sectors to turn published ethical" not in accepted
    assert "Build shared digital public infrastructure" not in rejected
    assert "proposes ways to turn it into shared practice" in rejected
    assert "proposes ways to turn it into shared practice" not in accepted
    assert "Recommendation 1C proposes a shared" in accepted
    assert "Recommendation 1B proposes a shared" in rejected
    # The moved paragraph's note is numbered where the paragraph is now; where it was, deleted, the
    # note takes no number of today's series and keeps its words in the deletion.
    assert "erosion of trust. [Note: The summary note of the New York meeting records" in rejected
    assert "[Note:" not in accepted


def _libreoffice_text(tmp_path: Path, docx_file: Path, accept: bool) -> str:
    """The DOCX's text as LibreOffice gives it after accepting (or rejecting) every tracked change: a
    Basic macro in a profile of its own, which LibreOffice first makes (so it does not replace ours)."""
    profile = tmp_path / "profile"
    module = profile / "user" / "basic" / "Standard" / "Module1.xba"
    if not module.is_file():
        subprocess.run(
            [SOFFICE, "--headless", "--norestore", "--terminate_after_init", f"-env:UserInstallation=file://{profile}"],
            check=True,
            capture_output=True,
            timeout=180,
        )
    assert module.is_file(), "LibreOffice made no profile"
    command = ".uno:AcceptAllTrackedChanges" if accept else ".uno:RejectAllTrackedChanges"
    module.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE script:module PUBLIC "-//OpenOffice.org//DTD '
        'OfficeDocument 1.0//EN" "module.dtd">\n<script:module xmlns:script="http://openoffice.org/2000/script" '
        'script:name="Module1" script:language="StarBasic">\n'
        "Sub Resolve(source As String, target As String)\n"
        "  Dim load(0) As New com.sun.star.beans.PropertyValue\n"
        "  load(0).Name = &quot;Hidden&quot; : load(0).Value = True\n"
        "  document = StarDesktop.loadComponentFromURL(ConvertToURL(source), &quot;_blank&quot;, 0, load())\n"
        "  dispatcher = createUnoService(&quot;com.sun.star.frame.DispatchHelper&quot;)\n"
        f"  dispatcher.executeDispatch(document.getCurrentController().getFrame(), &quot;{command}&quot;, "
        "&quot;&quot;, 0, Array())\n"
        "  Dim save(0) As New com.sun.star.beans.PropertyValue\n"
        "  save(0).Name = &quot;FilterName&quot; : save(0).Value = &quot;Text&quot;\n"
        "  document.storeToURL(ConvertToURL(target), save())\n"
        "  document.close(True)\n"
        "End Sub\n</script:module>\n",
        "utf-8",
    )
    target = tmp_path / f"{docx_file.parent.name}-{'accepted' if accept else 'rejected'}.txt"
    subprocess.run(
        [
            SOFFICE,
            "--headless",
            "--norestore",
            f"-env:UserInstallation=file://{profile}",
            f'macro:///Standard.Module1.Resolve("{docx_file}","{target}")',
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    assert target.is_file(), "LibreOffice did not run the macro"
    return target.read_text("utf-8-sig")


def test_accepting_every_change_in_libreoffice_gives_the_text_of_to(built: Drafts, tmp_path: Path):
    """Accepting every change accepts the open points too (they are tracked changes by their owners),
    in the redline as in the plain edition: both then read the same, word for word, notes numbered
    alike (a moved paragraph's note, a note's number and a citation inside an insertion kept)."""
    accepted = _libreoffice_text(tmp_path, built.redline / "panel-report.docx", accept=True)
    expected = _libreoffice_text(tmp_path, built.plain / "panel-report.docx", accept=True)
    assert "Recommendation 1C proposes a shared" in expected
    assert "the erosion of trust.2 Members also observed" in expected
    assert "participation so that independent bodies can verify compliance." in expected  # an open point
    # The contents carry each edition's own page numbers (the redline's PDF is longer): the text only.
    assert _without_page_numbers(accepted) == _without_page_numbers(expected)


def _without_page_numbers(text: str) -> str:
    return re.sub(r"\t\d+$", "", text, flags=re.MULTILINE)


def test_rejecting_every_change_brings_back_the_text_of_from(built: Drafts, tmp_path: Path):
    rejected = _libreoffice_text(tmp_path, built.redline / "panel-report.docx", accept=False)
    assert "Recommendation 1B proposes a shared" in rejected
    assert (
        "[[" not in rejected
        and "Build shared digital public infrastructure that every country can adopt and adapt\n"
        not in rejected.split("Executive summary", 2)[-1]
    )
    assert (
        "and Recommendation 3C proposes ways to turn it into shared practice across different social settings, "
        "building on principles" in rejected
    )


def test_pdf_marks_changes_with_colour_strikes_and_a_bar_in_the_margin(built: Drafts, tmp_path: Path):
    pdf = readers.Pdf(built.redline / "panel-report.pdf")
    texts = [readers.squash(t) for t in pdf.poppler_texts]
    page = next(i for i, t in enumerate(texts) if "Several themes recurred" in t)
    # Deleted text is still there to read (struck through), beside what replaced it.
    assert sum(t.count("Several themes recurred across these discussions") for t in texts) == 2
    assert any("proposes ways to turn it into shared practice" in t for t in texts)
    # The Notes section is today's: a deleted note keeps its words where it was called, unnumbered.
    assert sum(t.count("[Note: The summary note of the New York meeting") for t in texts) == 1
    listed = _notes_listed(built.redline / "panel-report.pdf")
    assert listed == _notes_listed(built.plain / "panel-report.pdf") and len(listed) > 30
    pages = [i for i, t in enumerate(texts) if "Several themes recurred" in t]  # deleted, and inserted
    colours = [_margin_colours(tmp_path, built.redline / "panel-report.pdf", i) for i in pages]
    green, red = sum(c[0] for c in colours), sum(c[1] for c in colours)
    assert green > 40 and red > 40  # a bar beside each of the moved paragraph's four lines, at least
    unchanged = next(i for i, t in enumerate(texts) if "Digital cooperation already happens in many places" in t)
    assert _margin_colours(tmp_path, built.redline / "panel-report.pdf", unchanged) == (0, 0)
    plain = [readers.squash(t) for t in readers.Pdf(built.plain / "panel-report.pdf").poppler_texts]
    page = next(i for i, t in enumerate(plain) if "Several themes recurred" in t)
    assert _margin_colours(tmp_path, built.plain / "panel-report.pdf", page) == (0, 0)


def _notes_listed(pdf: Path) -> list[tuple[str, str]]:
    """Number and first words of each item of the PDF's Notes section (its last pages)."""
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    return re.findall(r"^\s*(\d+)\.\s+(.{0,40})", text[text.rindex("Notes\n") :], re.MULTILINE)


def _margin_colours(tmp_path: Path, pdf: Path, page: int) -> tuple[int, int]:
    """Pixels of the insertion green and the deletion red in the left margin of a page (72 dpi)."""
    from PIL import Image

    prefix = tmp_path / f"{pdf.parent.name}-page{page}"
    subprocess.run(
        ["pdftoppm", "-r", "72", "-f", str(page + 1), "-l", str(page + 1), "-png", str(pdf), str(prefix)], check=True
    )
    image = Image.open(next(tmp_path.glob(f"{prefix.name}-*.png"))).convert("RGB")
    green = red = 0
    for x in range(90, 110):  # the bars stand 0.45 cm (13 pt) left of the text, which starts at 40 mm (113 pt)
        for y in range(image.height):
            r, g, b = image.getpixel((x, y))
            green += g > 100 and r < 80 and b < 100
            red += r > 150 and g < 60 and b < 80
    return green, red


def test_site_has_a_page_of_changes_linked_from_home_marked_for_screen_readers(built: Drafts):
    site = readers.Site(built.redline / "site")
    page = (built.redline / "site/changes/index.html").read_text("utf-8")
    article = site.article("changes/index.html")
    assert article.find("h1").text().startswith("Changes since edition-draft-2")
    inserted = [e.text() for e in article.iter("ins")]
    deleted = [e.text() for e in article.iter("del")]
    assert "1C" in inserted and "1B" in deleted  # a label change, inside the reference's link
    assert any(t.startswith("Several themes recurred") for t in inserted)
    assert any(t.startswith("Several themes recurred") for t in deleted)
    label = next(e for e in article.iter("ins") if e.text() == "1C")
    assert label.parent is not None and label.parent.tag == "a"
    assert label.parent.attrs["href"] == "../recommendations/digital-public-goods/"
    home = site.article("index.html")
    assert any(a.attrs.get("href") == "changes/" for a in home.iter("a"))
    # The page is what the sanitizer lets through: cleaning it again changes nothing.
    fragment = page[page.index('<div class="rk-redline">') : page.index("</article>")]
    fragment = fragment[: fragment.rindex("</div>") + 6]
    assert fragment.count("<ins>") == sanitize.clean(fragment).count("<ins>") > 10
    assert fragment.count("<del>") == sanitize.clean(fragment).count("<del>") > 10
    assert "<script" not in fragment and " on" not in re.sub(r">[^<]*<", "><", fragment)
    style = (built.redline / "site/assets/reportkit-changes.css").read_text("utf-8")
    assert '.rk-redline ins::before { content: " [insertion start] "; }' in style
    assert "assets/reportkit-changes.css" in page


def test_the_page_of_changes_formats_citations_as_the_editions_do(tmp_path: Path):
    """The redline compares the texts before citeproc: the page formats the citations of both sides
    in the report's style, as every edition prints them, never as the source's [@key]."""
    root = readers.copy_sample(tmp_path / "report")
    readers.commit_all(root, "Draft 2")
    chapter = root / "chapters/01-introduction.md"
    text = chapter.read_text("utf-8")
    assert text.count("two months before he set out his strategy") == 1
    chapter.write_text(text.replace("two months before he set out", "shortly before he set out"), "utf-8")
    out = tmp_path / "out"
    result = run("build", "--root", str(root), "--formats", "html", "--redline", "HEAD", "--out", str(out))
    assert result.exit_code == 0, result.stderr
    article = readers.Site(out / "site").article("changes/index.html")
    passage = next(p.text() for p in article.iter("p") if "shortly" in p.text())
    assert (
        "strategy on new technologies for the United Nations (UN) system (United Nations Secretary-General 2018)"
        in (passage)
    )
    assert "[@" not in article.text()
    assert "@sg-strategy" not in (out / "site/changes/index.html").read_text("utf-8")


def test_screen_readers_hear_where_insertions_and_deletions_start_and_end(built: Drafts):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=find_chromium(), args=["--no-sandbox"])
        try:
            page = browser.new_page()
            page.goto((built.redline / "site/changes/index.html").as_uri())
            tree = page.locator("div.rk-redline").aria_snapshot()
        finally:
            browser.close()
    assert "insertion start" in tree and "insertion end" in tree
    assert "deletion start" in tree and "deletion end" in tree


def test_redline_in_the_ast_accepts_to_the_new_text(built: Drafts):
    """Accepting every mark of the merged AST gives back the new side's words, paragraph by paragraph."""
    report = load(built.root)
    new = pandoc_ast.parse(report)
    pandoc_ast.judge(report, new, set(report.assets))
    merged = since.prepare(report, new, set(report.assets), "edition-draft-2")
    words = redline._text_of(redline.accepted(merged.redline.blocks()))
    # The printed sections' words: a withdrawn recommendation is shown only as deleted.
    printed = [b for doc, start, end in new.spans if redline._printed(doc) for b in new.ast["blocks"][start:end]]
    assert words == redline._text_of(printed)
    rejected = redline._text_of(redline.accepted(merged.redline.blocks(), keep=redline.DELETED))
    assert "Recommendation" in rejected and "3C:" in rejected


def test_the_sites_citations_stay_todays_in_a_redline_build(tmp_path: Path):
    """A redline build's site shows today's text and takes each page's citations, by their places,
    from the one citeproc run over the redline's AST: a citation deleted since FROM (where a paragraph
    moved down from) must not shift the others."""
    root = readers.copy_sample(tmp_path / "report")
    readers.commit_all(root, "Draft 2")
    readers.git(root, "tag", "edition-draft-2")
    drafts.move_paragraph(root, "chapters/01-introduction.md", "The Secretary-General established", "## Structure")
    report = load(root)
    new = pandoc_ast.parse(report)
    pandoc_ast.judge(report, new, set(report.assets))
    merged = since.prepare(report, new, set(report.assets), "edition-draft-2")
    today = citeproc.run(report, new, tmp_path).citations
    shown = citeproc.run(report, merged.marked, tmp_path).citations
    texts = ["".join(pandoc_ast.text_parts(c, True)) for c in shown["chapters/01-introduction.md"]]
    assert texts[0].startswith("(WSIS") and "Secretary-General 2018" in texts[1]  # the moved one now second
    assert {path: found for path, found in shown.items() if found} == {
        path: found for path, found in today.items() if found
    }


# -- the build refuses what it cannot compare ---------------------------------------------------


def test_redline_from_a_ref_that_does_not_exist_leaves_the_build_alone(two_drafts: GitRepo, tmp_path: Path):
    root = two_drafts.path
    for ref in ("nope", "--output=x", "HEAD;touch pwned"):
        result = run(
            "build", "--root", str(root), "--formats", "docx", "--out", str(tmp_path / "out"), f"--redline={ref}"
        )
        assert result.exit_code == 1
        assert f"cannot show the changes since '{ref}': '{ref}' names no commit in this repository" in result.stderr
        assert not (tmp_path / "out").exists() and not (root / "pwned").exists()


def test_redline_and_changes_page_together_are_refused(two_drafts: GitRepo, tmp_path: Path):
    result = run(
        "build",
        "--root",
        str(two_drafts.path),
        "--formats",
        "docx",
        "--out",
        str(tmp_path / "out"),
        "--redline",
        "HEAD",
        "--changes-page",
        "HEAD",
    )
    assert result.exit_code == 1 and "not both" in result.stderr


def test_redline_refuses_a_from_tree_it_cannot_read_whole(two_drafts: GitRepo, tmp_path: Path):
    root = two_drafts.path
    (root / "chapters/03-link.md").symlink_to("/etc/passwd")
    two_drafts.commit("A link", "Eve Mallory", "2026-03-01T10:00:00+00:00")
    two_drafts.run("tag", "edition-linked")
    (root / "chapters/03-link.md").unlink()
    result = run(
        "build", "--root", str(root), "--formats", "docx", "--out", str(tmp_path / "out"), "--redline", "edition-linked"
    )
    assert result.exit_code == 1
    assert (
        "chapters/03-link.md:0:0: error [file.unreadable] this file was not read from git: a symbolic link"
        in result.stderr
    )
    assert not (tmp_path / "out").exists()


def test_redline_judges_the_text_at_from_as_its_own(two_drafts: GitRepo, tmp_path: Path):
    """FROM's text reaches the editions as deleted text: a Typst passthrough there is refused, located."""
    root = two_drafts.path
    hostile = "\nWord [seen]{typst:text:fill='red)[#read(\"/etc/passwd\")] #text(fill: red'} end.\n"
    chapter = root / "chapters/01-intro.md"
    chapter.write_text(chapter.read_text("utf-8") + hostile, "utf-8")
    two_drafts.commit("A passthrough", "Eve Mallory", "2026-03-01T10:00:00+00:00")
    two_drafts.run("tag", "edition-passthrough")
    chapter.write_text(chapter.read_text("utf-8").replace(hostile, ""), "utf-8")
    result = run(
        "build",
        "--root",
        str(root),
        "--formats",
        "docx,pdf",
        "--out",
        str(tmp_path / "out"),
        "--redline",
        "edition-passthrough",
    )
    assert result.exit_code == 1
    assert re.search(
        r"chapters/01-intro\.md:\d+:\d+: error \[render\.attribute\] \(at edition-passthrough\) the "
        r"attribute 'typst:text:fill' is not allowed",
        result.stderr,
    )
    assert (
        "cannot show the changes since 'edition-passthrough': its text holds what the editions refuse" in result.stderr
    )
    assert not (tmp_path / "out").exists()
