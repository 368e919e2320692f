"""Hostile input: HTML that would run in readers' browsers, paths that leave the repository."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from reportkit.cli import main

METHOD = "chapters/02-method.md"


def check(root: Path):
    result = CliRunner().invoke(main, ["check", "--root", str(root)])
    assert "Traceback" not in result.output
    return result


@pytest.mark.parametrize("html,column,message", [
    ("<script>alert(1)</script>", 1,
     "<script> could run code or load content in readers' browsers; remove it "
     "(report.yml `allow_html: true` would allow it)"),
    ('<iframe src="https://example.org"></iframe>', 1, "<iframe> could run code"),
    ('<img src="x.png" onerror="alert(1)">', 1, "an attribute of <img> could run code"),
    ('<a href="javascript:alert(1)">x</a>', 1, "an attribute of <a> could run code"),
    ('<a href="data:text/html,<b>x</b>">x</a>', 1, "an attribute of <a> could run code"),
    ('Text then <SVG onload="x()">', 11, "<svg> could run code"),
])
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
    assert result.stdout == (f"{METHOD}:16:2: warning [html.raw] raw HTML <sub> appears on the site only; "
                             "the PDF and DOCX leave it out: write Markdown instead\n")
    with (root / METHOD).open("a") as handle:
        handle.write("\n<script>alert(1)</script>\n")
    assert check(root).exit_code == 1
    settings = root / "report.yml"
    settings.write_text(settings.read_text() + "allow_html: true\n")
    assert check(root).exit_code == 0
