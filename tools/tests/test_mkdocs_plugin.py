"""The MkDocs plugin's declared interface: its options, validated as MkDocs validates mkdocs.yml, and the
edit links made from mkdocs.yml's `edit_uri`."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import readers
from reportkit.loader import load
from reportkit.render.mkdocs_plugin import ReportPlugin, edit_base

REPOSITORY = "https://github.com/example/panel-report"


@pytest.mark.parametrize(
    "repository, edit_uri, expected",
    [
        (REPOSITORY, "edit/main/", f"{REPOSITORY}/edit/main/"),
        (REPOSITORY + "/", "/edit/drafts", f"{REPOSITORY}/edit/drafts/"),
        (REPOSITORY, "edit/release 2/", f"{REPOSITORY}/edit/release%202/"),
        (REPOSITORY, "https://review.example.org/edit/", "https://review.example.org/edit/"),
        (None, "https://review.example.org/edit", "https://review.example.org/edit/"),
        (REPOSITORY, None, None),  # no edit_uri: no edit links, whatever the branch is called
        (REPOSITORY, "", None),
        (None, "edit/main/", None),  # a relative edit_uri needs the repository
        (REPOSITORY, "javascript:alert(1)//", None),
    ],
)
def test_edit_base_joins_the_repository_and_edit_uri(repository, edit_uri, expected):
    assert edit_base(repository, edit_uri) == expected


def test_options_are_validated_like_mkdocs_yml(tmp_path):
    pdf = tmp_path / "panel-report.pdf"
    pdf.write_bytes(b"%PDF-1.7\n")
    errors, warnings = ReportPlugin().load_config({"check": False, "downloads": {"pdf": str(pdf)}})
    assert (errors, warnings) == ([], [])

    errors, _ = ReportPlugin().load_config({"downloads": {"pdf": str(tmp_path / "missing.pdf")}})
    assert [key for key, _ in errors] == ["downloads"]
    assert "missing.pdf" in str(errors[0][1])

    errors, _ = ReportPlugin().load_config({"check": "sometimes"})
    assert [key for key, _ in errors] == ["check"]


def test_an_option_the_plugin_does_not_declare_is_reported():
    _, warnings = ReportPlugin().load_config({"edit_uri": "edit/main/"})  # mkdocs.yml's, not the plugin's
    assert [key for key, _ in warnings] == ["edit_uri"]


def _edit_links(site: Path, page: str) -> list[str]:
    return [a.attrs["href"] for a in readers.Site(site).article(page).iter("a") if a.attrs.get("rel") == "edit"]


@pytest.mark.parametrize(
    "setting, expected",
    [
        ("edit_uri: edit/drafts/\n", "{repository}/edit/drafts/{path}"),
        ("", None),
    ],
)
def test_edit_links_follow_mkdocs_yml_edit_uri(tmp_path, setting, expected):
    root = readers.copy_sample(tmp_path / "report")
    config = root / "mkdocs.yml"
    config.write_text(re.sub(r"(?m)^edit_uri:.*\n", setting, config.read_text("utf-8")), "utf-8")
    result = readers.run_report("build", "--root", str(root), "--formats", "html")
    assert result.exit_code == 0, result.output
    report = load(root)
    repository = report.settings["repository"]
    for doc in report.documents[:3]:
        links = _edit_links(root / "build" / "site", readers.site_page(doc))
        assert links == ([expected.format(repository=repository, path=doc.path)] if expected else []), doc.path
    home = _edit_links(root / "build" / "site", "index.html")
    assert home == ([expected.format(repository=repository, path="web/index.md")] if expected else [])


def test_a_site_without_history_says_so_and_fails_under_strict(tmp_path, caplog):
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort

    root = readers.copy_sample(tmp_path / "report")  # not in a git repository: no history to read
    config_file = root / "mkdocs.yml"
    with pytest.raises(Abort):
        mkdocs_build(load_config(str(config_file), site_dir=str(tmp_path / "strict"), strict=True))
    said = [r.getMessage() for r in caplog.records if r.name == "mkdocs.plugins.report"]
    assert any("the pages show no last update" in m and "not in a git repository" in m for m in said), said

    text = config_file.read_text("utf-8")
    assert "  - report\n" in text
    config_file.write_text(text.replace("  - report\n", "  - report:\n      history: false\n"), "utf-8")
    mkdocs_build(load_config(str(config_file), site_dir=str(tmp_path / "quiet"), strict=True))
    assert (tmp_path / "quiet" / "index.html").is_file()


def test_web_pages_are_in_the_navigation_after_the_report(tmp_path):
    """A page of web/ besides the home page is listed last in the navigation, under its title (as
    text), so MkDocs' strict build finds no page left out; its links are checked like the report's."""
    root = readers.copy_sample(tmp_path / "report")
    (root / "web" / "about.md").write_text(
        "---\ntitle: About <this> site\n---\n\n# About\n\nSee [the mandate](chapters/01-introduction.md#mandate).\n",
        "utf-8",
    )
    refused = readers.run_report("check", "--root", str(root))
    assert refused.exit_code == 1
    assert refused.stdout.startswith("web/about.md:2:1: error [web.meta] 'title' must be plain text")
    (root / "web" / "about.md").write_text(
        "---\ntitle: About this site & its editions\n---\n\n# About\n\n"
        "See [the mandate](chapters/01-introduction.md#mandate).\n",
        "utf-8",
    )
    result = readers.run_report("build", "--root", str(root), "--formats", "html")
    assert result.exit_code == 0, result.output
    site = readers.Site(root / "build" / "site")
    primary = next(n for n in site.page("index.html").iter("nav") if "md-nav--primary" in n.classes)
    entries = [" ".join(a.text().split()) for a in primary.iter("a", cls="md-nav__link")]
    assert entries[-1] == "About this site & its editions", entries[-3:]
    links = [a.attrs.get("href") for a in site.article("about/index.html").iter("a")]
    assert "../chapters/01-introduction/#mandate" in links
