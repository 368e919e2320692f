"""The Markdown scanner: what is a reference, heading, link or note, and where; nothing in code."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reportkit.markdown import MAX_BRACKETS, escape_stray_angles, excesses, is_external, mask, scan, slugify


def refs(body: str) -> list[tuple]:
    """Each reference as (kind, target, anchor, text, line, column)."""
    s = scan(body)
    return [(r.kind, r.target, r.anchor, r.text, *s.position(r.start)) for r in s.refs]


@pytest.mark.parametrize(
    "body",
    [
        pytest.param("Inline `[[rec:x]]` code.", id="code-span"),
        pytest.param("Double ``[[rec:x]] ` `` ticks.", id="code-span-with-backtick"),
        pytest.param("```\n[[rec:x]]\n```", id="backtick-fence"),
        pytest.param("~~~python\n[[rec:x]]\n~~~", id="tilde-fence"),
        pytest.param("````\n```\n[[rec:x]]\n````", id="longer-fence-holds-a-shorter-one"),
        pytest.param("~~~\n```\n[[rec:x]]\n~~~", id="tilde-fence-holds-backticks"),
        pytest.param("Para.\n\n    [[rec:x]]\n    [[rec:y]]", id="indented-code-block"),
        pytest.param("\t[[rec:x]]", id="tab-indented-code-block"),
        pytest.param("<!-- [[rec:x]] -->", id="html-comment"),
        pytest.param("<!--\n[[rec:x]]\n-->", id="multi-line-html-comment"),
        pytest.param("- item\n\n  ```\n  [[rec:x]]\n  ```", id="fence-in-list"),
    ],
)
def test_nothing_in_code_or_comments_is_a_reference(body):
    s = scan(body + "\n\nAfter [[rec:after]].\n")
    assert [(r.target, s.position(r.start)) for r in s.refs] == [("after", (body.count("\n") + 3, 7))]
    assert s.broken_refs == []


def test_a_fence_never_closed_runs_to_the_end():
    assert refs("```\n[[rec:x]]\n\nStill code: [[rec:y]]\n") == []


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("See [[rec:digital-commons]].", [("rec", "digital-commons", None, None, 1, 5)]),
        ("x\n  [[chapter:intro#scope|custom text]] y", [("chapter", "intro", "scope", "custom text", 2, 3)]),
        (
            "[[annex:members#list]][[rec:a|A]]",
            [("annex", "members", "list", None, 1, 1), ("rec", "a", None, "A", 1, 23)],
        ),
        ("`code` then [[rec:a]]", [("rec", "a", None, None, 1, 13)]),
        ("- item\n\n    [[rec:a]] continues the item", [("rec", "a", None, None, 3, 5)]),
        ("Ünïcode first, then [[rec:a]]", [("rec", "a", None, None, 1, 21)]),
    ],
)
def test_references_and_their_place(body, expected):
    assert refs(body) == expected


@pytest.mark.parametrize(
    ("body", "broken"),
    [
        ("See [[rec:x and more\nnext line", [((1, 5), "[[rec:x and more")]),
        ("See [[rec:x]\n", [((1, 5), "[[rec:x]")]),
        ("See [[rec x]].", [((1, 5), "[[rec x]]")]),
        ("[[]]", [((1, 1), "[[]]")]),
    ],
)
def test_broken_references_are_kept_with_their_place(body, broken):
    s = scan(body)
    assert s.refs == []
    assert [(s.position(offset), raw) for offset, raw in s.broken_refs] == broken


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("## Scope {#scope}", (2, "Scope", "scope", True)),
        ("## Trust and cohesion {: #trust .unlisted }", (2, "Trust and cohesion", "trust", True)),
        ("### Closing hashes ###", (3, "Closing hashes", "closing-hashes", False)),
        ("## Ünïcode & more", (2, "Ünïcode & more", "unicode-more", False)),
        ("## Using `report check`", (2, "Using `report check`", "using-report-check", False)),
        ("## See [[rec:a|the first idea]]", (2, "See [[rec:a|the first idea]]", "see-the-first-idea", False)),
        ("## Note <!-- to self -->", (2, "Note", "note", False)),
        ("## ***", (2, "***", "section", False)),
    ],
)
def test_headings(body, expected):
    [heading] = scan(body).headings
    assert (heading.level, heading.text, heading.anchor, heading.explicit) == expected


@pytest.mark.parametrize(
    "body", ["```\n## Not a heading\n```", "    ## Not a heading", "#hashtag", "##`code`", "<!--\n## No\n-->"]
)
def test_not_headings(body):
    assert scan(body).headings == []


def test_links_images_and_their_targets():
    body = 'See [a](b.md#c "title") and\n![An image](../images/x(1).png) and [<a b>](<a b.md>) `[no](no.md)`'
    s = scan(body)
    assert [(link.image, link.text, link.target, s.position(link.target_start)) for link in s.links] == [
        (False, "a", "b.md#c", (1, 9)),
        (True, "An image", "../images/x(1).png", (2, 13)),
        (False, "<a b>", "a b.md", (2, 45)),
    ]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # Spaces and line ends around a target and before its title (the pattern reads them once).
        ("[a](  b.md  )", [("a", "b.md")]),
        ("[a](\n  b.md\n  'A title'\n)", [("a", "b.md")]),
        ('![a]( "only a title")', [("a", "")]),  # spaces, then a quoted title: the target is empty
        ('![a]("x" "t")', [("a", '"x"')]),
        ("[a](b.md(1) 'x') [c](<d e.md>  )", [("a", "b.md(1)"), ("c", "d e.md")]),
        # Not links: a target runs to its ')' with nothing else on the way.
        ("See [a](" + " " * 50 + "\n\nEnd.", []),
        ("See ![a](" + "\n" * 50 + "End.", []),
        ("[a](b.md 'title' x)", []),
        ("[a](<b<c>)", [("a", "b<c")]),  # no '<' in a <target>: this one is a plain target, '<' and all
        ("[a](<b <c>)", []),
        ("[a](<" * 5, []),
    ],
)
def test_link_targets_and_the_whitespace_around_them(body, expected):
    assert [(link.text, link.target) for link in scan(body).links] == expected


def test_notes():
    s = scan("Text.[^1] More.[^two]\n\n[^1]: The note.\n")
    assert [(n.label, n.definition, s.position(n.start)) for n in s.notes] == [
        ("1", False, (1, 6)),
        ("two", False, (1, 16)),
        ("1", True, (3, 1)),
    ]


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Human rights", "human-rights"),
        ("  A  b--c ", "a-b-c"),
        ("snake_case *bold*", "snakecase-bold"),
        ("Ça va?", "ca-va"),
        ("[[chapter:x]] and more", "x-and-more"),
        ("!!!", "section"),
    ],
)
def test_slugify(text, slug):
    assert slugify(text) == slug


@pytest.mark.parametrize(
    ("target", "external"),
    [
        ("https://un.org", True),
        ("mailto:a@b.org", True),
        ("//cdn.example/x.png", True),
        ("javascript:alert(1)", True),
        ("../images/x.png", False),
        ("#anchor", False),
        ("c:d.md", True),
    ],
)
def test_is_external(target, external):
    assert is_external(target) is external


# Text built from the pieces that matter to the scanner, plus anything at all.
_PIECES = st.sampled_from(
    [
        "[[",
        "]]",
        "rec:",
        "chapter:",
        "annex:",
        "#",
        "|",
        "`",
        "``",
        "```",
        "~~~",
        "    ",
        "\t",
        "\n",
        "\n\n",
        "<!--",
        "-->",
        "## ",
        "- ",
        "[",
        "]",
        "(",
        ")",
        "!",
        "[^",
        "]:",
        "{#",
        "}",
        "Recommendation 1A",
        " ",
        "a",
        "é",
        "\r",
    ]
)
_TEXT = st.one_of(st.text(), st.lists(st.one_of(_PIECES, st.text(max_size=3)), max_size=60).map("".join))


@settings(max_examples=300, deadline=None)
@given(_TEXT)
def test_scan_never_raises_and_masking_keeps_offsets(body):
    masked = mask(body)
    assert len(masked) == len(body)
    assert [i for i, c in enumerate(masked) if c == "\n"] == [i for i, c in enumerate(body) if c == "\n"]
    s = scan(body)
    lines = body.split("\n")
    for start in (
        [r.start for r in s.refs]
        + [o for o, _ in s.broken_refs]
        + [h.start for h in s.headings]
        + [link.target_start for link in s.links]
        + [n.start for n in s.notes]
    ):
        line, column = s.position(start)
        assert 1 <= line <= len(lines) and 1 <= column <= len(lines[line - 1]) + 1
    for r in s.refs:  # a reference is found only where the text was not masked
        assert body[r.start : r.end] == masked[r.start : r.end]


def test_brackets_nest_to_their_own_limit_unclosed_ones_included():
    deep = "[a " * MAX_BRACKETS + "b" + "]" * MAX_BRACKETS
    assert excesses(f"Text {deep}.\n\n" + "[x] " * 40 + "\n\n> " * 16 + "quoted") == []
    deeper = "[a " * (MAX_BRACKETS + 1) + "b" + "]" * (MAX_BRACKETS + 1)
    text = f"Text.\n\nSee {deeper}."
    found = excesses(text)
    assert [(e.code, e.offset) for e in found] == [("text.nesting", text.index("[") + 3 * MAX_BRACKETS)]
    assert f"brackets nested more than {MAX_BRACKETS} deep" in found[0].message
    unclosed = "Text " + "[" * (MAX_BRACKETS + 1) + " b."
    assert [e.code for e in excesses(unclosed)] == ["text.nesting"]
    assert excesses("[a] " * 500) == []  # many, one deep


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("Text <a <a <a", "Text &lt;a &lt;a &lt;a"),
        ("<span>kept</span> then <b", "<span>kept</span> then &lt;b"),
        ("x <y\n\nz >", "x &lt;y\n\nz >"),  # a tag ends in its block
        ("<<a>", "&lt;<a>"),
        ("a < b and c > d", "a < b and c > d"),  # not a tag, and nothing to search for either
        (
            "<https://un.org> and <abbr title='under <5%'>x</abbr>",
            "<https://un.org> and <abbr title='under <5%'>x</abbr>",
        ),
        ('<a title="x>" <b', '&lt;a title="x>" &lt;b'),  # a '>' in a quoted value ends no tag
        ("`<code` <k", "`<code` &lt;k"),  # code is left as it is
    ],
)
def test_a_stray_angle_is_written_as_an_entity(text, escaped):
    assert escape_stray_angles(text) == escaped


@pytest.mark.parametrize(
    "text",
    [
        "Text <a <a <a\n\nMore <b text.",
        "<span>kept</span> then <b",
        "x <y\n\nz >",
        "<<a> and <b",
        "a < b > c",
        "<abbr title='under <5%'>x</abbr> <",
        "## Heading <b\n\nText.",
        "`<code` <k",
        "<!-- never closed\n\nText.",
    ],
)
def test_python_markdown_reads_the_escaped_text_as_the_text(text):
    """What the site shows (Python-Markdown, with the site's extensions) is the same either way."""
    import markdown

    def html(source: str) -> str:
        return markdown.markdown(source, extensions=["attr_list", "footnotes", "tables", "admonition", "smarty"])

    assert html(escape_stray_angles(text)) == html(text)
