"""Front matter and decoding: every outcome is data or a located diagnostic, never an exception."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reportkit.frontmatter import MAX_FRONT_MATTER_BYTES, decode, parse_yaml, split

PATH = "chapters/01-x.md"


def texts(parsed) -> list[str]:
    return [d.text() for d in parsed.diagnostics]


def test_valid_front_matter_keeps_lines():
    parsed = split("---\nid: x\ntitle: A title\nowner: chair\n---\n\n## Body\n", PATH)
    assert parsed.diagnostics == []
    assert parsed.data == {"id": "x", "title": "A title", "owner": "chair"}
    assert parsed.key_lines == {"id": 2, "title": 3, "owner": 4}
    assert parsed.body == "\n## Body\n"
    assert parsed.body_line == 6


def test_front_matter_may_close_with_dots():
    parsed = split("---\nid: x\n...\nBody\n", PATH)
    assert (parsed.data, parsed.body, parsed.body_line) == ({"id": "x"}, "Body\n", 4)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("", "1:1: error [file.empty] this file is empty; it needs front matter and text", id="empty-file"),
        pytest.param(
            " \n\t\n", "1:1: error [file.empty] this file is empty; it needs front matter and text", id="blank-file"
        ),
        pytest.param(
            "id: x\n",
            "1:1: error [frontmatter.missing] no front matter: the file must start "
            "with a line '---', then fields such as 'id: ...' and 'title: ...', then a "
            "closing '---'",
            id="missing",
        ),
        pytest.param(
            "---\nid: x\n\nBody\n",
            "1:1: error [frontmatter.unclosed] front matter opened on line 1 is never closed with '---'",
            id="unclosed",
        ),
        pytest.param(
            "---\n---\nBody\n",
            "1:1: error [frontmatter.empty] front matter is empty; it needs 'id', 'title' and more",
            id="empty-front-matter",
        ),
        pytest.param(
            "---\n- id: x\n- title: y\n---\n",
            "2:1: error [frontmatter.type] front matter must be fields ('name: value'), not a list",
            id="a-list",
        ),
        pytest.param(
            "---\njust words\n---\n",
            "2:1: error [frontmatter.type] front matter must be fields ('name: value'), not plain text",
            id="a-scalar",
        ),
        pytest.param(
            "---\nid: x\ntitle: [open\nowner: y\n---\n",
            "4:6: error [yaml.syntax] not valid YAML: expected ',' or ']', but got ':'",
            id="syntax",
        ),
        pytest.param(
            "---\nid: x\ntitle: y\nid: z\n---\n",
            "4:1: error [yaml.syntax] not valid YAML: duplicate key 'id' (first given on line 2)",
            id="duplicate-key",
        ),
        pytest.param(
            "---\nid: x\ntitle: !!python/object/apply:os.system ['true']\n---\n",
            "3:8: error [yaml.syntax] not valid YAML: tags such as '!!python/object' are not allowed",
            id="python-object-tag",
        ),
        pytest.param(
            "---\nid: !!python/name:os.system\n---\n",
            "2:5: error [yaml.syntax] not valid YAML: tags such as '!!python/object' are not allowed",
            id="python-name-tag",
        ),
        pytest.param(
            "---\na: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a]\n"
            "c: [*b, *b, *b, *b, *b, *b, *b, *b]\n---\n",
            "2:4: error [yaml.syntax] YAML anchors and aliases ('&name', '*name') are not allowed here",
            id="billion-laughs",
        ),
        pytest.param(
            "---\nid: x\nsee: *nowhere\n---\n",
            "3:6: error [yaml.syntax] YAML anchors and aliases ('&name', '*name') are not allowed here",
            id="alias-alone",
        ),
        pytest.param(
            "---\n? [a, b]\n: c\n---\n",
            "2:3: error [yaml.syntax] not valid YAML: a key must be a plain value",
            id="list-as-key",
        ),
        pytest.param(
            "---\nid: x\n<<: {title: y}\n---\n",
            "3:1: error [yaml.syntax] not valid YAML: merge keys ('<<') are not allowed",
            id="merge-key",
        ),
        pytest.param(
            "---\nid: x\ntitle: a \x07 bell\n---\n",
            "3:10: error [yaml.syntax] not valid YAML: the special character U+0007 is not allowed",
            id="control-character",
        ),
        pytest.param(
            "---\nid: " + "[" * 5000 + "]" * 5000 + "\n---\n",
            "2:36: error [yaml.syntax] not valid YAML: nested too deeply",
            id="deep-nesting",
        ),
        pytest.param(
            "---\nsummary: " + "x" * MAX_FRONT_MATTER_BYTES + "\n---\n",
            "2:1: error [frontmatter.too-large] front matter is larger than 64 KiB",
            id="too-large",
        ),
    ],
)
def test_malformed_front_matter_is_located(text, expected):
    parsed = split(text, PATH)
    assert parsed.data is None
    assert texts(parsed) == [f"{PATH}:{expected}"]


def test_parse_yaml_counts_lines_from_first_line():
    _, _, problems = parse_yaml("a: 1\na: 2\n", "report.yml", first_line=10)
    assert [d.text() for d in problems] == [
        "report.yml:11:1: error [yaml.syntax] not valid YAML: duplicate key 'a' (first given on line 10)"
    ]


@pytest.mark.parametrize(
    "raw",
    [
        b"\xef\xbb\xbf---\nid: x\n---\nBody\n",
        b"---\r\nid: x\r\n---\r\nBody\r\n",
        b"\xef\xbb\xbf---\r\nid: x\r\n---\r\nBody\r\n",
        b"---\rid: x\r---\rBody\r",
    ],
    ids=["bom", "crlf", "bom-and-crlf", "old-mac-cr"],
)
def test_bom_and_line_endings_are_accepted(raw):
    text, problems = decode(raw, PATH)
    assert (text, problems) == ("---\nid: x\n---\nBody\n", [])
    parsed = split(text, PATH)
    assert (parsed.data, parsed.body, parsed.body_line, parsed.diagnostics) == ({"id": "x"}, "Body\n", 4, [])


@pytest.mark.parametrize(
    ("raw", "where", "byte"),
    [
        (b"caf\xe9\n", "1:4", "e9"),
        ("line one\nÜber caf".encode() + b"\xe9", "2:9", "e9"),  # columns count characters, not bytes
        (b"\xef\xbb\xbfab\xff", "1:3", "ff"),  # the BOM is not a column
        (b"a\r\nb\r\n\xc3", "3:1", "c3"),  # a truncated sequence at the very end
        (b"a\rb\r\x80", "3:1", "80"),
    ],
)
def test_invalid_utf8_is_located(raw, where, byte):
    text, problems = decode(raw, PATH)
    assert text is None
    assert [d.text() for d in problems] == [
        f"{PATH}:{where}: error [file.encoding] this file is not valid UTF-8 (byte 0x{byte}); save it as UTF-8"
    ]


def _located_inside(diagnostics, text: str) -> bool:
    lines = text.split("\n")
    return all(
        1 <= d.line <= len(lines)
        and 1 <= d.column <= len(lines[d.line - 1]) + 1
        and "\n" not in d.message
        and d.path == PATH
        for d in diagnostics
    )


# Text built from the pieces that matter to front matter, plus anything at all.
_PIECES = st.sampled_from(
    [
        "---",
        "...",
        "\n",
        "\r\n",
        ": ",
        "- ",
        "id",
        "title",
        "&a ",
        "*a",
        "!!python/object ",
        "[",
        "]",
        "{",
        "}",
        "'",
        '"',
        "#",
        "\t",
        "  ",
        "? ",
        "|",
        ">",
        "~",
        "\ufeff",
        "\x07",
        "é",
    ]
)
_TEXT = st.one_of(st.text(), st.lists(st.one_of(_PIECES, st.text(max_size=3)), max_size=40).map("".join))


@settings(max_examples=300, deadline=None)
@given(_TEXT)
def test_split_never_raises(text):
    parsed = split(text, PATH)
    # Either fields or at least one finding, each inside the file and on one line.
    assert isinstance(parsed.data, dict) != bool(parsed.diagnostics)
    assert _located_inside(parsed.diagnostics, text)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.binary(), _TEXT.map(lambda t: t.encode("utf-8", "surrogatepass"))))
def test_decode_never_raises(raw):
    text, problems = decode(raw, PATH)
    if text is None:
        assert [d.code for d in problems] == ["file.encoding"]
        assert problems[0].line >= 1 and problems[0].column >= 1
    else:
        assert problems == [] and "\r" not in text
        split(text, PATH)
