"""Negotiated text: CriticMarkup marks of passages not yet agreed, and where each member stands.

The marks are read back from every draft edition (the site's HTML, the DOCX's tracked changes and
comments, the PDF's text and colours); the final edition is refused while one remains, each located;
positions are checked against the roster and, through real git history, against the text they were
given on. Expected values are the sample's words and places, written here, not asked of the code.
"""

from __future__ import annotations

import csv
import functools
import http.server
import io
import json
import re
import shutil
import subprocess
import threading
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image

import readers
from browser import find_chromium
from gitrepo import GitRepo
from readers import run_report, squash
from reportkit.cli import main
from reportkit.loader import load
from reportkit.markdown import scan
from reportkit.render.resolve import SINGLE, SITE, render

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
SEAT_3 = "Member seat 3 (name to be confirmed)"  # owner of recommendations/digital-economy-data.md
SEAT_6 = "Member seat 6 (name to be confirmed)"  # owner of recommendations/autonomous-systems.md
# The sample's open points, as written in its files.
INSERTED = ", at least by sex, age, disability and whether people live in towns or in the countryside"
REPLACED, REPLACEMENT = "to verify compliance", "so that independent bodies can verify compliance"
PASSAGE = "Decisions about the use of lethal force should always remain under human control."
REASON = (
    "One member holds that arms control is outside the Panel's terms of reference; the Panel has not "
    "yet agreed whether this action stays."
)
MARKED_PAGE = "recommendations/autonomous-systems/index.html"


def _line_of(rel: str, mark: str) -> int:
    """The line of the sample's file where a mark opens (the sample's front matter may grow)."""
    lines = (readers.SAMPLE_ROOT / rel).read_text("utf-8").splitlines()
    return next(number for number, line in enumerate(lines, 1) if mark in line)


INSERTION = _line_of("recommendations/digital-economy-data.md", "{++")
ALTERNATIVE = _line_of("recommendations/autonomous-systems.md", "{~~")
BRACKETED = _line_of("recommendations/autonomous-systems.md", "{==")


def report(*args: str, root: Path | None = None):
    """`report ARGS` in-process; never a traceback, never the internal-error exit."""
    result = run_report(*args, *(("--root", str(root)) if root else ()))
    assert result.exit_code != 3 and "Traceback" not in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def where(root: Path, rel: str, needle: str) -> str:
    """'rel:line:column' of the first occurrence of needle in the file (1-based, as an editor shows)."""
    text = (root / rel).read_text("utf-8")
    offset = text.index(needle)
    line = text.count("\n", 0, offset) + 1
    return f"{rel}:{line}:{offset - (text.rfind(chr(10), 0, offset) + 1) + 1}"


def line_of(root: Path, rel: str, needle: str) -> str:
    """'rel:line:1': a finding about a front-matter entry is at the start of its line."""
    return where(root, rel, needle).rsplit(":", 1)[0] + ":1"


def append(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.write_text(path.read_text("utf-8") + text, "utf-8")


def replace(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    content = path.read_text("utf-8")
    assert old in content, (rel, old)
    path.write_text(content.replace(old, new, 1), "utf-8")


@pytest.fixture(scope="session")
def sample(tmp_path_factory) -> readers.SampleBuild:
    return readers.sample_build(tmp_path_factory)


# --------------------------------------------------------------------------------------------
# The scan: marks as located data, code ignored, edge cases refused at their place
# --------------------------------------------------------------------------------------------


def test_each_kind_of_mark_is_found_with_its_texts_and_place():
    body = (
        "Keep {== this passage ==}{>> why it is open <<} and {~~ one ~> other ~~}.\n"
        "Add {++ words ++}, drop {-- words --}, say {>> a lone comment <<}.\n"
    )
    s = scan(body)
    found = [(m.kind, s.position(m.start), m.texts) for m in s.marks]
    assert found == [
        ("highlight", (1, 6), [" this passage ", " why it is open "]),
        ("substitution", (1, 53), [" one ", " other "]),
        ("insertion", (2, 5), [" words "]),
        ("deletion", (2, 25), [" words "]),
        ("comment", (2, 44), [" a lone comment "]),
    ]
    assert s.critic.problems == []


@pytest.mark.parametrize(
    "body",
    [
        pytest.param("Code `{++ not a mark ++}` here.", id="code-span"),
        pytest.param("```\n{== not a mark ==}\n```", id="fence"),
        pytest.param("Para.\n\n    {~~ a ~> b ~~}", id="indented-code"),
        pytest.param("<!-- {-- not a mark --} -->", id="html-comment"),
        pytest.param("Only `{++` opens in code, and `++}` closes there.", id="tokens-in-code"),
    ],
)
def test_marks_in_code_are_nothing(body):
    s = scan(body + "\n")
    assert (s.marks, s.critic.problems) == ([], [])


def test_marks_inside_lists_are_marks_of_their_item():
    s = scan("- first {++ added ++}\n- second {== held\n  over two lines ==}{>> why <<}\n  1. nested {-- cut --}\n")
    assert [(m.kind, s.position(m.start)) for m in s.marks] == [
        ("insertion", (1, 9)),
        ("highlight", (2, 10)),
        ("deletion", (4, 13)),
    ]
    assert s.marks[1].texts == [" held\n  over two lines ", " why "]


EDGE_CASES = """
Across {++ two

paragraphs ++} is refused.

Nested {++ outer {-- inner --} text ++} is refused.

- an item {-- cut
- into the next item --} is refused.

## A heading {++ with a mark ++}

Unclosed {== passage, never ended.
"""


def test_edge_cases_are_errors_at_their_place(fixtures_dir, copy_report):
    root = copy_report(fixtures_dir / "minimal")
    append(root, "chapters/02-method.md", EDGE_CASES)
    rel = "chapters/02-method.md"
    across, closes = where(root, rel, "{++ two"), where(root, rel, "paragraphs ++}").split(":")[1]
    result = report("check", root=root)
    assert result.stdout.splitlines() == [
        (
            f"{across}: error [mark.span] this mark closes in another paragraph or list item: a mark stays inside "
            f"one paragraph; close it there and open another (it closes on line {closes})"
        ),
        (
            f"{where(root, rel, '{-- inner')}: error [mark.nested] a mark inside the '{{++' mark opened before it: "
            "marks cannot be nested; close the first one before opening the next"
        ),
        (
            f"{where(root, rel, '{-- cut')}: error [mark.span] this mark closes in another paragraph or list item: "
            "a mark stays inside one paragraph; close it there and open another "
            f"(it closes on line {int(where(root, rel, 'into the next').split(':')[1])})"
        ),
        (
            f"{where(root, rel, '{++ with')}: error [mark.place] a mark in a heading cannot be shown in every "
            "edition: mark the text of a paragraph, list item, quote, note or table instead"
        ),
        (
            f"{where(root, rel, '{== passage')}: error [mark.unclosed] '{{==' opens a mark that is never closed "
            "with '==}'"
        ),
    ]
    assert result.exit_code == 1


# --------------------------------------------------------------------------------------------
# The resolver: the marks as pandoc's spans, line for line; the site's reader left to read them
# --------------------------------------------------------------------------------------------

MARKED = """
The Panel proposes {== a binding [treaty ==}{>> asked by [[rec:second]], *not* agreed <<} by
{~~ 2025 ~> 2030 ~~}, {++ with a review, see [[rec:third]] ++} and {-- no --} delay.

Code `{++ stays ++}` as written.
"""


def test_marks_become_the_spans_of_the_single_document_line_for_line(fixtures_dir, copy_report):
    root = copy_report(fixtures_dir / "minimal")
    append(root, "recommendations/first.md", MARKED)
    report_ = load(root)
    doc = report_.by_id["first"]
    single = render(report_, doc, SINGLE).split("\n")
    title_lines = 2  # the title heading and a blank line come before the body
    line = (
        doc.body.split("\n").index(
            "The Panel proposes {== a binding [treaty ==}{>> asked by [[rec:second]], *not* agreed <<} by"
        )
        + title_lines
    )
    assert single[line].endswith(
        "The Panel proposes [ a binding \\[treaty ]{.rk-mark}"
        "[asked by Recommendation 1B, \\*not\\* agreed]{.rk-comment} by"
    )
    assert single[line + 1] == (
        "[ 2025 ]{.rk-del}[ 2030 ]{.rk-ins}, [ with a review, see [Recommendation 2](#third) ]"
        "{.rk-ins} and [ no ]{.rk-del} delay."
    )
    assert single[line + 3].endswith("Code `{++ stays ++}` as written.")
    site = render(report_, doc, SITE)
    assert "{== a binding [treaty ==}{>> asked by Recommendation 1B, *not* agreed <<} by" in site
    assert "Code `{\u2060++ stays +\u2060+}` as written." in site  # hidden from the site's reader


# --------------------------------------------------------------------------------------------
# Draft editions: every mark shown, the same way, in all three
# --------------------------------------------------------------------------------------------


def test_site_shows_each_mark_highlighted(sample):
    article = sample.read_site.article(MARKED_PAGE)
    assert [squash(e.text()) for e in article.iter("del", "critic")] == [REPLACED]
    assert [squash(e.text()) for e in article.iter("ins", "critic")] == [REPLACEMENT]
    assert [squash(e.text()) for e in article.iter("mark", "critic")] == [PASSAGE]
    assert [readers.plain_quotes(squash(e.text())) for e in article.iter("span", "comment")] == [REASON]
    other = sample.read_site.article("recommendations/digital-economy-data/index.html")
    assert [squash(e.text()) for e in other.iter("ins", "critic")] == [INSERTED]
    assert "{++" not in squash(other.text()) and "{~~" not in squash(article.text())


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # the test's output is for findings
        pass


@pytest.fixture(scope="module")
def served(sample):
    handler = functools.partial(_Quiet, directory=str(sample.site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_site_announces_each_mark_to_screen_readers(served):
    from playwright.sync_api import sync_playwright

    announced = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=find_chromium(), args=["--no-sandbox"], headless=True)
        try:
            page = browser.new_page()
            page.goto(f"{served}/recommendations/autonomous-systems/")
            for selector in ("mark.critic", "del.critic", "ins.critic", "span.critic.comment"):
                announced[selector] = page.eval_on_selector(
                    selector, "e => [getComputedStyle(e, '::before').content, getComputedStyle(e, '::after').content]"
                )
        finally:
            browser.close()
    assert announced == {
        "mark.critic": ['" [open passage start] "', '" [open passage end] "'],
        "del.critic": ['" [deletion start] "', '" [deletion end] "'],
        "ins.critic": ['" [insertion start] "', '" [insertion end] "'],
        "span.critic.comment": ['" [comment] "', '" [end of comment] "'],
    }


def _texts(element: ET.Element, tag: str) -> str:
    return "".join(t.text or "" for t in element.iter(W + tag))


def test_docx_shows_marks_as_tracked_changes_and_comments_by_the_owner(sample):
    document = ET.fromstring(sample.read_docx.parts["word/document.xml"])
    # The edition's moment (its commit's time, in UTC): every mark the edition carries has it.
    date = readers.COMMIT_DATE.replace("+00:00", "Z")
    insertions = [(_texts(e, "t"), e.get(W + "author"), e.get(W + "date")) for e in document.iter(W + "ins")]
    deletions = [(_texts(e, "delText"), e.get(W + "author"), e.get(W + "date")) for e in document.iter(W + "del")]
    assert insertions == [(INSERTED, SEAT_3, date), (REPLACEMENT, SEAT_6, date)]
    assert deletions == [(REPLACED, SEAT_6, date)]
    comments = ET.fromstring(sample.read_docx.parts["word/comments.xml"])
    assert [
        (readers.plain_quotes(squash(_texts(c, "t"))), c.get(W + "author"), c.get(W + "date"))
        for c in comments.iter(W + "comment")
    ] == [(REASON, SEAT_6, date)]
    # The comment is anchored on the bracketed passage: its range holds exactly that text.
    xml = sample.read_docx.parts["word/document.xml"].decode("utf-8")
    ranged = re.search(r'<w:commentRangeStart w:id="(\d+)" />(.*?)<w:commentRangeEnd w:id="\1" />', xml, re.DOTALL)
    assert squash("".join(re.findall(r"<w:t[^>]*>([^<]*)</w:t>", ranged.group(2)))) == PASSAGE


def test_docx_draft_opens_with_the_open_points_and_ends_with_the_positions(sample):
    docx = sample.read_docx.document
    body = ET.fromstring(sample.read_docx.parts["word/document.xml"]).find(W + "body")
    order = []  # the body's top-level elements: the contents (a w:sdt), then styled paragraphs
    for element in body:
        style = element.find(f"{W}pPr/{W}pStyle")
        if element.tag == W + "sdt":
            order.append("contents")
        elif style is not None and style.get(W + "val") in ("TOCHeading", "Heading1"):
            order.append(_texts(element, "t") if style.get(W + "val") == "TOCHeading" else "heading")
    assert order[:3] == ["contents", "Open points", "heading"]
    # Every document but the recommendations opens with a Heading 1 (they are set out in Chapter 5).
    assert order[-1] == "Positions of Panel members"
    # ... and the Notes (the apparatus' endnotes) come after the annexes, as one more Heading 1.
    assert order.count("heading") == len([d for d in sample.report.documents if d.kind != "rec"]) + 1
    cells = [[readers.plain_quotes(squash(c.text)) for c in row.cells] for table in docx.tables for row in table.rows]
    assert [
        "Recommendation 3B",
        SEAT_6,
        f"Bracketed passage: “{PASSAGE}” (why: {REASON})",
        f"recommendations/autonomous-systems.md:{BRACKETED}",
    ] in cells


def pdf_words(text: str) -> str:
    """Text with no spaces, breaks or soft hyphens: a table cell wraps where it likes."""
    return re.sub(r"[\s\u00ad]", "", text)


def test_pdf_lists_the_open_points_after_the_contents(sample):
    pdf = sample.read_pdf
    pages = [i for i, text in enumerate(pdf.page_texts) if "passages are still under negotiation" in text]
    first_document = pdf.named_destinations[sample.report.documents[0].id]
    assert "Contents" in pdf.page_texts[1]
    assert len(pages) == 1 and 1 < pages[0] < first_document
    table = readers.plain_quotes(pdf_words(pdf.page_texts[pages[0]]))
    for source in (
        f"recommendations/digital-economy-data.md:{INSERTION}",
        f"recommendations/autonomous-systems.md:{ALTERNATIVE}",
        f"recommendations/autonomous-systems.md:{BRACKETED}",
    ):
        assert pdf_words(source) in table
    assert pdf_words(REASON) in table and pdf_words(SEAT_6) in table
    # Not in the contents, and no destination of its own: the report's headings stay the report's.
    assert "Open points" not in [title for _, title, _ in pdf.outline]


def colours(path: Path, page: int) -> dict[str, int]:
    """Pixels of the template's marks on a page: an open point's blue (its words, dashes and bar), the
    highlight's yellow; and the redline's green, which an open point does not use."""
    out = path.parent / f"page-{page}"
    subprocess.run(
        ["pdftoppm", "-r", "72", "-f", str(page + 1), "-l", str(page + 1), "-png", str(path), str(out)], check=True
    )
    image = Image.open(next(path.parent.glob(f"page-{page}-*.png"))).convert("RGB")
    counts = {"blue": 0, "yellow": 0, "green": 0}
    data = image.tobytes()
    for r, g, b in zip(data[0::3], data[1::3], data[2::3], strict=True):
        counts["blue"] += abs(r - 0x1F) < 25 and abs(g - 0x5F) < 25 and abs(b - 0xA8) < 25
        counts["green"] += abs(r - 0x1A) < 30 and abs(g - 0x7F) < 30 and abs(b - 0x37) < 30
        counts["yellow"] += r > 240 and abs(g - 0xF1) < 12 and abs(b - 0xB8) < 25
    return counts


def test_pdf_marks_the_passages_in_the_text(sample, tmp_path):
    pdf = sample.read_pdf
    copy = tmp_path / "edition.pdf"
    shutil.copy(sample.pdf, copy)
    # Recommendation 3B runs from its box to the next recommendation's (3C), set out in Chapter 5.
    pages = range(pdf.named_destinations["autonomous-systems"], pdf.named_destinations["ethics-standards"] + 1)
    text = readers.plain_quotes(pdf_words("".join(pdf.page_texts[page] for page in pages)))
    for words in (REPLACED, REPLACEMENT, PASSAGE, f"[{REASON}]"):
        assert pdf_words(words) in text
    seen = {"blue": 0, "yellow": 0, "green": 0}
    for page in pages:
        for colour, count in colours(copy, page).items():
            seen[colour] += count
    # Open points in blue (a redline's changes, green and red, are another thing: test_diff.py).
    assert seen["blue"] > 20 and seen["yellow"] > 200 and seen["green"] == 0, seen
    plain = pdf.named_destinations[sample.report.documents[0].id]  # the foreword: nothing marked
    assert colours(copy, plain) == {"blue": 0, "yellow": 0, "green": 0}


def test_pdf_draft_ends_with_the_positions_of_members(sample):
    pdf = sample.read_pdf
    last = pdf_words("\n".join(pdf.page_texts[-3:]))
    assert pdf_words("Positions of Panel members") in last
    assert pdf_words("Lethal force is a question of arms control") in last
    assert "Positions of Panel members" not in [title for _, title, _ in pdf.outline]


def test_reservations_are_a_note_on_their_recommendation_in_every_edition(sample):
    note = (
        "Reservations. Member seat 9 (name to be confirmed): Doubts that every automated decision can be "
        "explained in terms the person affected can check, and would ask for an account of the main factors "
        "instead. Member seat 14 (name to be confirmed): Certification should not become a barrier that only "
        "large companies can afford to cross."
    )
    site = readers.plain_quotes(squash(sample.read_site.article(MARKED_PAGE).text()))
    docx = readers.plain_quotes(squash(sample.read_docx.text))
    pdf = readers.plain_quotes(pdf_words("\n".join(sample.read_pdf.page_texts)))
    assert note in site and note in docx and pdf_words(note) in pdf


# --------------------------------------------------------------------------------------------
# The final edition: refused while a mark remains; --force rehearses it and says what it overrode
# --------------------------------------------------------------------------------------------

BLOCKERS = [
    (
        "recommendations/autonomous-systems.md",
        "{~~ to verify",
        (
            "open point in Recommendation 3B, alternative: “to verify compliance / so that independent bodies "
            "can verify compliance”; agree the text and remove its marks"
        ),
    ),
    (
        "recommendations/autonomous-systems.md",
        "{== Decisions",
        (
            "open point in Recommendation 3B, bracketed passage: “Decisions about the use of lethal force should "
            "always remain under human control.” (why: “One member holds that arms control is outside the Panel's "
            "terms of reference; the Panel has not yet…”); agree the text and remove its marks"
        ),
    ),
    (
        "recommendations/digital-economy-data.md",
        "{++, at least",
        (
            "open point in Recommendation 1D, proposed insertion: “, at least by sex, age, disability and whether "
            "people live in towns or in the countryside”; agree the text and remove its marks"
        ),
    ),
]


def blocker_lines(root: Path) -> list[str]:
    return [f"{where(root, rel, needle)}: error [final.open-mark] {message}" for rel, needle, message in BLOCKERS]


def open_mark_lines(lines: list[str], prefix: str = "") -> list[str]:
    return [line.removeprefix(prefix) for line in lines if "[final.open-mark]" in line]


def test_final_edition_is_refused_with_every_mark_located(sample, tmp_path):
    """Every open point is a blocker at its place (the sample's other blockers: test_final.py)."""
    root = tmp_path / "report"
    shutil.copytree(sample.root, root)
    before = readers.tree_state(root / "build")
    result = report("build", "--final", root=root)
    assert result.exit_code == 1
    assert result.stdout == ""
    printed = result.stderr.splitlines()
    assert open_mark_lines(printed) == blocker_lines(root)
    assert printed[-1].startswith("report: final edition refused: ")
    assert readers.tree_state(root / "build") == before


def test_force_rehearses_the_final_edition_and_prints_what_it_overrode(sample, tmp_path):
    root = tmp_path / "report"
    shutil.copytree(sample.root, root)
    out = tmp_path / "final"
    result = report("build", "--final", "--force", "--out", str(out), root=root)
    assert result.exit_code == 0, result.output
    assert open_mark_lines(result.stderr.splitlines(), "overridden: ") == blocker_lines(root)
    assert not (out / "site" / "positions").exists()
    pdf = readers.Pdf(out / "panel-report.pdf")
    assert not [t for t in pdf.page_texts if "Open points" in t or "Positions of Panel members" in t]
    docx = readers.Docx(out / "panel-report.docx")
    assert [p.text for p in docx.document.paragraphs if p.style.name == "TOC Heading"] == []  # Contents: a w:sdt


# --------------------------------------------------------------------------------------------
# Positions: checked against the roster and the schema, at the line of their entry
# --------------------------------------------------------------------------------------------

POSITIONS = """positions:
  - {member: chair, stance: support}
  - {member: membr-a, stance: support}
  - member: chair
    stance: objection
    note: Twice.
  - {member: member-a, stance: reservation}
  - {member: member-a, stance: supports}
"""


def test_positions_are_checked_at_their_entry(fixtures_dir, copy_report):
    root = copy_report(fixtures_dir / "minimal")
    replace(root, "recommendations/second.md", "order: 2\n", "order: 2\n" + POSITIONS)
    rel = "recommendations/second.md"
    first = where(root, rel, "{member: chair").split(":")[1]
    result = report("check", root=root)
    assert result.stdout.splitlines() == [
        (
            f"{line_of(root, rel, 'membr-a')}: error [position.member] 'membr-a' is not in roster.yml; did you mean "
            "'member-a'?"
        ),
        (
            f"{line_of(root, rel, '- member: chair')}: error [position.duplicate] 'chair' already has a position on "
            f"this recommendation (line {first}): keep one"
        ),
        (
            f"{line_of(root, rel, 'member-a, stance: reservation')}: error [position.note] member-a's reservation has "
            'no note: say what the reservation is, in `note: "..."`'
        ),
        (
            f"{line_of(root, rel, 'supports')}: error [schema] 'stance' of positions entry 'member-a' is 'supports', "
            "which is not one of: support, reservation, objection"
        ),
    ]
    assert result.exit_code == 1


def test_required_positions_are_reported_and_block_the_final_edition(fixtures_dir, copy_report):
    root = copy_report(fixtures_dir / "minimal")
    append(root, "report.yml", "positions: required\n")
    replace(
        root,
        "recommendations/first.md",
        "order: 1\n",
        "order: 1\npositions:\n  - {member: chair, stance: support}\n  - {member: member-a, stance: support}\n",
    )
    replace(
        root, "recommendations/second.md", "order: 2\n", "order: 2\npositions:\n  - {member: chair, stance: support}\n"
    )
    checked = report("check", root=root)
    assert checked.stdout.splitlines() == [
        (
            f"{where(root, 'recommendations/second.md', 'positions:')}: warning [position.missing] 1 member has no "
            "stance on Recommendation 1B: member-a (report.yml: `positions: required`)"
        ),
        (
            f"{where(root, 'recommendations/third.md', 'id: third')}: warning [position.missing] 2 members have no "
            "stance on Recommendation 2: chair, member-a (report.yml: `positions: required`)"
        ),
    ]
    assert checked.exit_code == 0
    readers.commit_all(root)
    built = report("build", "--final", "--formats", "docx", root=root)
    assert built.exit_code == 1
    assert [line for line in built.stderr.splitlines() if "[final.position-missing]" in line] == [
        (
            f"{where(root, 'recommendations/second.md', 'positions:')}: error [final.position-missing] 1 member has "
            "no stance on Recommendation 1B: member-a"
        ),
        (
            f"{where(root, 'recommendations/third.md', 'id: third')}: error [final.position-missing] 2 members have "
            "no stance on Recommendation 2: chair, member-a"
        ),
    ]


# --------------------------------------------------------------------------------------------
# Staleness, from real git history
# --------------------------------------------------------------------------------------------


def stance(root: Path, commit: str, rel: str = "recommendations/first.md") -> None:
    text = (root / rel).read_text("utf-8")
    text = re.sub(r"positions:\n(  .*\n)*", "", text)
    text = text.replace(
        "order: 1\n", f"order: 1\npositions:\n  - {{member: member-a, stance: support, commit: {commit}}}\n", 1
    )
    (root / rel).write_text(text, "utf-8")


def codes(root: Path) -> list[str]:
    return [
        line.split(" [")[1].split("]")[0] + " " + line.split(":")[1]
        for line in report("check", root=root).stdout.splitlines()
    ]


def test_a_position_goes_stale_when_the_text_changes_after_its_commit(fixtures_dir, copy_report):
    root = copy_report(fixtures_dir / "minimal")
    repo = GitRepo(root)
    repo.commit("The text as agreed", "Alice Admin", "2026-01-01T10:00:00+00:00")
    agreed = repo.run("rev-parse", "HEAD").strip()
    stance(root, agreed[:10])
    repo.commit("member-a supports it", "Member A", "2026-01-02T10:00:00+00:00")
    assert codes(root) == []  # only the front matter changed since: the text is the one agreed
    repo.edit("recommendations/first.md", "See [[chapter:intro#scope]].", "See [[chapter:intro#scope]], twice.")
    line = where(root, "recommendations/first.md", "- {member: member-a").split(":")[1]
    assert codes(root) == [f"position.stale {line}"]  # changed on disk, not yet committed
    repo.commit("A second sentence", "Bob Editor", "2026-01-03T10:00:00+00:00")
    result = report("check", root=root)
    assert result.stdout == (
        f"recommendations/first.md:{line}:1: warning [position.stale] member-a's support was "
        f"given on the text of commit {agreed[:10]}, and the text has changed since: ask them "
        "to confirm it, then update `commit`\n"
    )
    positions = json.loads(report("positions", "--format", "json", root=root).stdout)
    assert positions["recommendations"][0]["positions"]["member-a"]["stale"] is True
    stance(root, repo.run("rev-parse", "HEAD").strip())
    assert codes(root) == []


def test_a_renamed_recommendation_is_followed_back_to_its_commit(fixtures_dir, copy_report):
    root = copy_report(fixtures_dir / "minimal")
    repo = GitRepo(root)
    repo.commit("Agreed", "Alice Admin", "2026-01-01T10:00:00+00:00")
    agreed = repo.run("rev-parse", "HEAD").strip()
    repo.run("mv", "recommendations/first.md", "recommendations/premier.md")
    repo.commit("Renamed", "Alice Admin", "2026-01-02T10:00:00+00:00")
    stance(root, agreed, "recommendations/premier.md")
    assert codes(root) == []
    replace(root, "recommendations/premier.md", "## Rationale", "## Why")
    line = where(root, "recommendations/premier.md", "- {member").split(":")[1]
    assert codes(root) == [f"position.stale {line}"]


def test_a_commit_git_does_not_know_is_an_error(fixtures_dir, copy_report):
    root = copy_report(fixtures_dir / "minimal")
    repo = GitRepo(root)
    repo.commit("Agreed", "Alice Admin", "2026-01-01T10:00:00+00:00")
    stance(root, "0123456789abcdef")
    result = report("check", root=root)
    assert result.stdout == (
        f"{line_of(root, 'recommendations/first.md', '- {member')}: error [position.commit] "
        "no commit '0123456789abcdef' in this repository: give the hash of the commit whose "
        "text member-a took a stance on\n"
    )
    assert result.exit_code == 1


# --------------------------------------------------------------------------------------------
# `report positions`: the matrix, and what blocks the final edition
# --------------------------------------------------------------------------------------------


def test_positions_of_the_sample_in_every_format(sample_root):
    data = json.loads(report("positions", "--format", "json", root=sample_root).stdout)
    recs = {r["label"]: r for r in data["recommendations"]}
    assert data["open_points"] == 3 and data["stale"] == 0
    assert {m: p["stance"] for m, p in recs["3B"]["positions"].items()} == {
        "seat-06": "support",
        "melinda-gates": "support",
        "jack-ma": "support",
        "seat-09": "reservation",
        "seat-14": "reservation",
        "seat-17": "objection",
    }
    assert [(p["path"], p["line"], p["kind"]) for p in recs["3B"]["open_points"]] == [
        ("recommendations/autonomous-systems.md", ALTERNATIVE, "alternative"),
        ("recommendations/autonomous-systems.md", BRACKETED, "bracketed passage"),
    ]
    assert len(data["members"]) == 22 and "secretariat" not in [m["id"] for m in data["members"]]
    rows = list(csv.DictReader(io.StringIO(report("positions", "--format", "csv", root=sample_root).stdout)))
    assert len(rows) == 22 * 11
    assert {(r["label"], r["member"]): r["stance"] for r in rows}[("4", "seat-08")] == "objection"
    text = report("positions", root=sample_root).stdout
    assert text.startswith(
        "Open points: 3 (each one blocks the final edition)\n\n"
        f"  recommendations/digital-economy-data.md:{INSERTION}  Recommendation 1D, owner "
        f"{SEAT_3}: proposed insertion “, at least by sex"
    )
    assert re.search(r"^seat-17 +(- +){6}O +(- +){3}-$", text, re.MULTILINE)
    markdown = report("positions", "--format", "markdown", root=sample_root).stdout
    assert markdown.startswith("# Positions and open points\n")
    assert (
        "| [Recommendation 3B](recommendations/autonomous-systems.md) | Member seat 6 \\(name to be confirmed\\) |"
        in markdown
    )


def test_site_has_the_positions_page_and_the_progress_page_shows_the_matrix(sample):
    site = sample.read_site
    article = site.article("positions/index.html")
    tables = list(article.iter("table"))
    header = [squash(th.text()) for th in tables[1].iter("th")]
    assert header == ["Member", "1A", "1B", "1C", "1D", "2", "3A", "3B", "3C", "4", "5A", "5B"]
    rows = {
        squash(tr.find("td").text()): [squash(td.text()) for td in tr.iter("td")][1:]
        for tr in tables[1].iter("tr")
        if tr.find("td") is not None
    }
    assert rows["Member seat 17 (name to be confirmed)"] == ["-"] * 6 + ["O"] + ["-"] * 4
    sources = [squash(tr.find("td").text()) for tr in tables[0].iter("tr") if tr.find("td") is not None]
    assert sources == ["Recommendation 1D", "Recommendation 3B", "Recommendation 3B"]
    progress = site.article("progress/index.html")
    assert "Positions of members" in [squash(h.text()) for h in progress.iter("h2")]
    assert any(a.attrs.get("href") == "../positions/" for a in progress.iter("a"))


# --------------------------------------------------------------------------------------------
# Hostile input: a located error or a clean output, never exit 3
# --------------------------------------------------------------------------------------------


def test_script_in_a_comment_is_refused_at_its_place(fixtures_dir, copy_report):
    root = copy_report(fixtures_dir / "minimal")
    append(root, "chapters/01-intro.md", "\nA point {>> <script>alert(1)</script> <<} here.\n")
    result = report("check", root=root)
    assert result.stdout.splitlines() == [
        (
            f"{where(root, 'chapters/01-intro.md', '<script>')}: error [html.unsafe] <script> could run code or load "
            "content in readers' browsers; remove it (report.yml `allow_html: true` would allow it)"
        )
    ]


def test_an_attribute_inside_a_mark_is_refused_at_its_place(fixtures_dir, copy_report):
    root = copy_report(fixtures_dir / "minimal")
    append(root, "chapters/01-intro.md", "\nAttribute {++ [red]{typst:text:fill=red} ++} here.\n")
    result = report("check", root=root)
    assert result.stdout.splitlines() == [
        (
            f"{where(root, 'chapters/01-intro.md', 'typst:text')}: error [render.attribute] the attribute "
            "'typst:text:fill' is not allowed: attributes other than a heading's {#id} would pass instructions to the "
            "PDF or DOCX engine"
        )
    ]
    assert result.exit_code == 1


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        pytest.param('Raw {++ `#read("/etc/passwd")`{=typst} ++} here.', '#read("/etc/passwd"){=typst}', id="raw"),
        pytest.param("Broken out {++ a]{typst:text:fill=red}[b ++} here.", "a]{typst:text:fill=red}[b", id="brackets"),
    ],
)
def test_a_mark_carries_no_code_to_the_editions(fixtures_dir, copy_report, text, shown):
    """Code in a mark, or brackets that would close its span early, are text in every edition."""
    root = copy_report(fixtures_dir / "minimal")
    append(root, "chapters/01-intro.md", f"\n{text}\n")
    assert report("check", root=root).exit_code == 0
    readers.commit_all(root)
    assert report("build", "--formats", "pdf,docx", root=root).exit_code == 0
    pdf = pdf_words("".join(readers.Pdf(root / "build" / "panel-report.pdf").page_texts))
    docx = pdf_words(
        _texts(ET.fromstring(readers.Docx(root / "build" / "panel-report.docx").parts["word/document.xml"]), "t")
    )
    assert pdf_words(shown) in pdf and pdf_words(shown) in docx
    assert "root:x:0:0" not in pdf + docx


def test_a_huge_mark_builds_and_shows_in_every_edition(fixtures_dir, copy_report):
    root = copy_report(fixtures_dir / "minimal")
    words = " ".join(f"word{i}" for i in range(20000))
    append(root, "chapters/02-method.md", f"\nA long proposal {{++ {words} ++}} ends here.\n")
    for part in ("mkdocs.yml", "web"):
        source = readers.SAMPLE_ROOT / part
        (shutil.copytree if source.is_dir() else shutil.copy2)(source, root / part)
    readers.commit_all(root)
    result = report("build", "--quiet", root=root)
    assert result.exit_code == 0, result.output
    site = readers.Site(root / "build" / "site").article("chapters/02-method/index.html")
    assert squash(next(site.iter("ins", "critic")).text()) == words
    inserted = ET.fromstring(readers.Docx(root / "build" / "panel-report.docx").parts["word/document.xml"])
    assert squash(" ".join(_texts(e, "t") for e in inserted.iter(W + "ins"))) == words
    pdf = readers.Pdf(root / "build" / "panel-report.pdf")
    assert "word19999" in " ".join(pdf.page_texts)


def test_a_member_id_with_html_is_a_located_error_and_text_everywhere(fixtures_dir, copy_report):
    root = copy_report(fixtures_dir / "minimal")
    replace(
        root,
        "recommendations/second.md",
        "order: 2\n",
        'order: 2\npositions:\n  - {member: "<img src=x onerror=alert(1)>", stance: objection}\n'
        '  - {member: member-a, stance: objection, note: "<script>alert(1)</script>"}\n',
    )
    result = report("check", root=root)
    assert result.stdout.splitlines() == [
        (
            f"{line_of(root, 'recommendations/second.md', '- {member')}: error [schema] 'member' of positions "
            "entry '<img src=x onerror=alert(1)>' '<img src=x onerror=alert(1)>' is not valid: it must be a stable id "
            "in kebab-case: lowercase letters, digits and single hyphens, e.g. 'digital-public-goods'"
        )
    ]
    for fmt in ("text", "json", "csv", "markdown"):
        shown = report("positions", "--format", fmt, root=root)
        assert shown.exit_code == 0 and "<img" not in shown.stdout  # not a member: left to the schema's finding
    markdown = report("positions", "--format", "markdown", root=root).stdout
    assert "<script>" not in markdown and "&lt;script&gt;alert\\(1\\)&lt;/script&gt;" in markdown


def test_positions_command_needs_a_report(tmp_path):
    result = CliRunner().invoke(main, ["positions", "--root", str(tmp_path)])
    assert result.exit_code == 2
