"""Hostile input: HTML that would run in readers' browsers, paths that leave the repository."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from reportkit.checks import MAX_PER_FILE
from reportkit.cli import main

REPORT = str(Path(sys.executable).parent / "report")

METHOD = "chapters/02-method.md"


def check(root: Path):
    result = CliRunner().invoke(main, ["check", "--root", str(root)])
    assert "Traceback" not in result.output
    return result


@pytest.mark.parametrize(
    "html,column,message",
    [
        (
            "<script>alert(1)</script>",
            1,
            "<script> could run code or load content in readers' browsers; remove it "
            "(report.yml `allow_html: true` would allow it)",
        ),
        ('<iframe src="https://example.org"></iframe>', 1, "<iframe> could run code"),
        ('<img src="x.png" onerror="alert(1)">', 1, "an attribute of <img> could run code"),
        ('<a href="javascript:alert(1)">x</a>', 1, "an attribute of <a> could run code"),
        ('<a href="data:text/html,<b>x</b>">x</a>', 1, "an attribute of <a> could run code"),
        ('Text then <SVG onload="x()">', 11, "<svg> could run code"),
    ],
)
def test_unsafe_html_is_an_error(copy_report, fixtures_dir, html, column, message):
    root = copy_report(fixtures_dir / "minimal")
    with (root / METHOD).open("a") as handle:
        handle.write(f"\n{html}\n")
    result = check(root)
    assert result.exit_code == 1
    line = (root / METHOD).read_text().count("\n")
    assert result.stdout.startswith(f"{METHOD}:{line}:{column}: error [html.unsafe] {message}")


def test_allow_html_lets_it_through_and_harmless_html_is_a_warning(copy_report, fixtures_dir):
    root = copy_report(fixtures_dir / "minimal")
    with (root / METHOD).open("a") as handle:
        handle.write("\nH<sub>2</sub>O, <https://example.org> and `<script>` in code.\n")
    result = check(root)
    assert result.exit_code == 0
    assert result.stdout == (
        f"{METHOD}:16:2: warning [html.raw] raw HTML <sub> appears on the site only; "
        "the PDF and DOCX leave it out: write Markdown instead\n"
    )
    with (root / METHOD).open("a") as handle:
        handle.write("\n<script>alert(1)</script>\n")
    assert check(root).exit_code == 1
    settings = root / "report.yml"
    settings.write_text(settings.read_text() + "allow_html: true\n")
    assert check(root).exit_code == 0


@pytest.mark.parametrize(
    "html",
    [
        "<x ' ><script>alert(1)</script>",  # a bare quote is an attribute name, not a value
        '<a title="a>b" onclick="x()">t</a>',  # '>' inside a value does not end the tag
        "<b>bold</b> then <img src=x onerror=alert(1)>",
        "<a href=" + " " * 5000 + '"  javascript:alert(1)">t</a>',  # the spaces read once, and still caught
    ],
)
def test_tricky_html_is_still_caught(copy_report, fixtures_dir, html):
    root = copy_report(fixtures_dir / "minimal")
    with (root / METHOD).open("a") as handle:
        handle.write(f"\n{html}\n")
    result = check(root)
    assert result.exit_code == 1
    assert "error [html.unsafe]" in result.stdout


# Inputs built to make a careless parser scan ahead from every position (quadratic time): each
# must be read in one pass. The timeout only guards against a hang; the benchmark measures speed.
PATHOLOGICAL = {
    "brackets": "[" * 400_000,
    "open references": "[[rec:" * 80_000,
    "backticks": "`a" * 200_000,
    "unclosed spans": " `` `a` ``` " * 40_000,
    "note marks": "[^" * 200_000,
    "comments": "<!--" * 100_000,
    "links": "[a](" * 100_000,
    "tag starts": "<a " * 150_000,
    "quoted values": "<a x='" * 80_000,
    "heading spaces": "# " + " " * 400_000 + "x",
    "heading braces": "# " + "{#a " * 100_000,
    "closing hashes": "# a" + " #" * 200_000,
    "fences": "```\n" * 100_000,
}


@pytest.mark.parametrize("name", sorted(PATHOLOGICAL))
def test_pathological_text_is_read_in_one_pass(copy_report, fixtures_dir, name):
    root = copy_report(fixtures_dir / "minimal")
    (root / "annexes" / "02-hostile.md").write_text(
        "---\nid: hostile\ntitle: Hostile\nowner: secretariat\nstatus: draft\n---\n\n" + PATHOLOGICAL[name]
    )
    done = subprocess.run([REPORT, "check", "--root", str(root)], capture_output=True, text=True, timeout=60)
    assert done.returncode in (0, 1) and "Traceback" not in done.stderr
    assert len(done.stdout.splitlines()) <= MAX_PER_FILE + 1


def test_a_20_mib_chapter_is_rejected_with_the_limit_named(copy_report, fixtures_dir):
    root = copy_report(fixtures_dir / "minimal")
    chapter = root / "chapters" / "03-huge.md"
    chapter.write_text(
        "---\nid: huge\ntitle: Huge\nowner: chair\nstatus: draft\n---\n\n"
        + ("A sentence of the chapter. " * 40 + "\n\n") * 19_500
    )
    assert chapter.stat().st_size > 20 * 1024 * 1024
    result = check(root)
    assert result.exit_code == 1
    assert result.stdout == (
        "chapters/03-huge.md:0:0: error [file.too-large] this file is 20.1 MiB; the limit is 4 MiB per file: split it\n"
    )


def test_a_flood_of_findings_is_capped(copy_report, fixtures_dir):
    root = copy_report(fixtures_dir / "minimal")
    with (root / METHOD).open("a") as handle:
        handle.write("\n" + "[[rec:nope]] " * 500 + "\n")
    lines = check(root).stdout.splitlines()
    assert len(lines) == MAX_PER_FILE + 1
    # 500 unknown references, and the paragraph of 2,000 brackets is past the markup limit too.
    assert lines[0] == (
        f"{METHOD}:0:0: error [file.too-many] 301 more findings in this file are not "
        f"shown (the first {MAX_PER_FILE} are)"
    )


def test_an_asset_linking_outside_is_reported_and_left_out(copy_report, fixtures_dir, tmp_path):
    from reportkit.loader import load

    secret = tmp_path / "secret.txt"
    secret.write_text("not for publication")
    root = copy_report(fixtures_dir / "minimal")
    (root / "images" / "leak.png").symlink_to(secret)
    result = check(root)
    assert result.exit_code == 1
    assert result.stdout == (
        "images/leak.png:0:0: error [file.outside] this file is a link to a place outside "
        "the repository; it was not read and is left out of the editions\n"
    )
    assert load(root).assets == ["images/square.png"]  # what the site copies


@pytest.mark.parametrize("side", [12_000, 30_000], ids=["over-ours", "over-pillows"])
def test_an_image_of_too_many_pixels_is_named_with_the_limit_and_no_warning(fixtures_dir, tmp_path, side):
    """Small files that decode to huge images: refused by the limit, with no Pillow warning on stderr."""
    import shutil

    from PIL import Image

    root = tmp_path / "report"
    shutil.copytree(fixtures_dir / "minimal", root)
    Image.new("1", (side, side)).save(root / "images" / "bomb.png", optimize=True)
    result = subprocess.run(
        [str(Path(sys.executable).parent / "report"), "check", "--root", str(root)], capture_output=True, text=True
    )
    assert result.returncode == 1 and result.stderr == f"1 error, 0 warnings in {root}\n", result.stderr
    assert result.stdout.startswith("images/bomb.png:0:0: error [asset.invalid] this image ")
    assert "over the limit of 40 million pixels: scale it down" in result.stdout


def test_reading_commands_change_no_file_and_codeowners_is_written_whole(tmp_path):
    import readers

    root = readers.copy_sample(tmp_path / "report")
    (root / ".github").mkdir()
    (root / ".github" / "CODEOWNERS").write_bytes((readers.SAMPLE_ROOT / ".github" / "CODEOWNERS").read_bytes())
    readers.commit_all(root)

    def state() -> dict[str, str]:
        return {k: v for k, v in readers.tree_state(root).items() if k != ".git" and not k.startswith(".git/")}

    before = state()
    for args in (
        ["check"],
        ["check", "--format", "json"],
        ["owners"],
        ["owners", "--format", "csv"],
        ["progress"],
        ["review", "--base", "HEAD"],
        ["owners", "--codeowners"],
        ["build", "--formats", "docx", "--out", str(tmp_path / "out")],
    ):
        result = CliRunner().invoke(main, [*args, "--root", str(root)])
        assert result.exit_code == 0, (args, result.output)
    assert state() == before  # CODEOWNERS was up to date: rewriting it was not needed
    # Out of date, CODEOWNERS alone changes, through a temporary file that does not remain.
    (root / ".github" / "CODEOWNERS").write_text("* @someone\n")
    assert CliRunner().invoke(main, ["owners", "--codeowners", "--root", str(root)]).exit_code == 0
    assert state() == before


def test_every_label_of_a_plain_list_is_checked(copy_report, fixtures_dir):
    root = copy_report(fixtures_dir / "minimal")
    with (root / METHOD).open("a") as handle:
        handle.write("\nAs Recommendations 1A, 2 and 6C say.\n")
    assert check(root).stdout.splitlines() == [
        f"{METHOD}:16:4: warning [mention.plain] 'Recommendation 1A' is plain text and will go stale if "
        "the labels change; write [[rec:first]]",
        f"{METHOD}:16:24: warning [mention.plain] 'Recommendation 2' is plain text and will go stale if the "
        "labels change; write [[rec:third]]",
        f"{METHOD}:16:30: error [mention.unknown] 'Recommendation 6C' matches no recommendation; refer to "
        "recommendations with [[rec:ID]]",
    ]


def test_a_misspelt_rule_code_is_reported(copy_report, fixtures_dir):
    root = copy_report(fixtures_dir / "minimal")
    settings = root / "report.yml"
    settings.write_text(settings.read_text() + "rules:\n  rec.unreferencd: error\n")
    assert check(root).stdout == (
        "report.yml:6:1: warning [rules.unknown] no check has the code "
        "'rec.unreferencd'; did you mean 'rec.unreferenced'?\n"
    )


def test_a_roster_mistake_is_located_at_the_member(copy_report, fixtures_dir):
    root = copy_report(fixtures_dir / "minimal")
    roster = root / "roster.yml"
    roster.write_text(roster.read_text().replace("    role: member\n", "    role: expert\n"))
    assert check(root).stdout == (
        "roster.yml:9:1: error [schema] 'role' of members entry 'member-a' is "
        "'expert', which is not one of: co-chair, member, secretariat\n"
    )


def test_a_paragraph_pandoc_reads_in_exponential_time_is_named(tmp_path):
    """Twenty '[*]a ' pass every limit of the scan, and pandoc would read them for minutes: its
    reading has a budget, and past it the check names the paragraph (the build obeys the same)."""
    import readers

    root = readers.copy_sample(tmp_path / "report")
    chapter = root / "chapters" / "03-individuals-societies.md"
    lines = chapter.read_text("utf-8").split("\n")
    assert lines[20] == ""
    lines[21:21] = ["Plain words " + "[*]a " * 20 + "end.", ""]
    chapter.write_text("\n".join(lines), "utf-8")
    result = subprocess.run(
        [str(Path(sys.executable).parent / "report"), "check", "--root", str(root)], capture_output=True, text=True
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stdout.startswith(
        "chapters/03-individuals-societies.md:22:1: error [text.complexity] the PDF and DOCX engine (pandoc) "
        "cannot read this paragraph in reasonable time"
    ), result.stdout
    assert "Traceback" not in result.stderr
