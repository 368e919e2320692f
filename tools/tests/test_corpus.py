"""The bad-input corpus: each case gives a located diagnostic, exit 1, no traceback, no output.

The table in docs/bad-input.md is this corpus as users see it; a test keeps the two identical.
Regenerate it with: .venv/bin/python tools/tests/test_corpus.py
"""

from __future__ import annotations

import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from reportkit.cli import main

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "minimal"
DOC = Path(__file__).resolve().parents[2] / "docs" / "bad-input.md"
FRONT = "---\nid: extra\ntitle: Extra\nowner: chair\nstatus: draft\n---\n\n"
EXTRA = "chapters/03-extra.md"
BILLION = (
    "---\na: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
    "c: [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n---\n"
)


@dataclass(frozen=True)
class Case:
    name: str  # what a user did, as the docs table says it
    path: str
    content: bytes
    exit: int  # 0: accepted as harmless; 1: reported


CASES = [
    Case("An empty file", EXTRA, b"", 1),
    Case("No front matter", EXTRA, b"Just some text.\n", 1),
    Case("Front matter never closed", EXTRA, b"---\nid: extra\ntitle: Extra\n\nText.\n", 1),
    Case("Malformed YAML", EXTRA, b"---\nid: extra\ntitle: [Extra\n---\n", 1),
    Case("A list instead of fields", EXTRA, b"---\n- id\n- title\n---\n", 1),
    Case("A field given twice", EXTRA, FRONT.replace("status: draft\n", "status: draft\nid: again\n").encode(), 1),
    Case("Anchors and aliases (billion laughs)", EXTRA, BILLION.encode(), 1),
    Case(
        "A tag that constructs a Python object",
        EXTRA,
        b"---\nid: !!python/object/apply:os.system ['echo hacked']\n---\n",
        1,
    ),
    Case("A wrong type", EXTRA, FRONT.replace("status: draft", "status: 3").encode(), 1),
    Case("An id with odd characters", EXTRA, FRONT.replace("id: extra", "id: Extra_Ch@pter").encode(), 1),
    Case("A misspelt field", EXTRA, FRONT.replace("status:", "staus:").encode(), 1),
    Case("A control character in front matter", EXTRA, FRONT.replace("Extra", "Ex\x07tra", 1).encode(), 1),
    Case("Front matter nested 40 deep", EXTRA, ("---\nid: " + "[" * 40 + "]" * 40 + "\n---\n").encode(), 1),
    Case("Front matter over 64 KiB", EXTRA, ("---\nsummary: " + "x" * 70_000 + "\n---\n").encode(), 1),
    Case("Invalid UTF-8", EXTRA, FRONT.encode() + b"Caf\xc3 au lait.\n", 1),
    Case("Text saved as Latin-1 (mixed encodings)", EXTRA, FRONT.encode() + "Café.\n".encode("latin-1"), 1),
    Case(
        "A byte-order mark and CRLF line ends (harmless)",
        EXTRA,
        b"\xef\xbb\xbf" + (FRONT + "Windows text.\n").replace("\n", "\r\n").encode(),
        0,
    ),
    Case("A 1 MB line (harmless)", EXTRA, (FRONT + "word " * 200_000 + "\n").encode(), 0),
    Case("A 20 MiB chapter", EXTRA, (FRONT + ("A sentence. " * 80 + "\n\n") * 22_000).encode(), 1),
    Case("An unterminated reference", EXTRA, (FRONT + "See [[rec:first for more.\n").encode(), 1),
    Case("A reference inside a reference", EXTRA, (FRONT + "See [[rec:[[rec:first]]]].\n").encode(), 1),
    Case("A reference of an unknown kind", EXTRA, (FRONT + "See [[section:first]].\n").encode(), 1),
    Case(
        "A reference inside code (not a reference, harmless)",
        EXTRA,
        (FRONT + "Write `[[rec:nothing]]` to cite.\n\n```\n[[rec:nothing]]\n```\n").encode(),
        0,
    ),
    Case("A script in the text", EXTRA, (FRONT + "<script>alert(1)</script>\n").encode(), 1),
    Case("A link out of the repository", EXTRA, (FRONT + "[x](../../../../etc/passwd)\n").encode(), 1),
]


def materialise(case: Case, tmp_path: Path) -> Path:
    root = tmp_path / "report"
    shutil.copytree(FIXTURE, root)
    (root / case.path).write_bytes(case.content)
    return root


def run(*args: str):
    result = CliRunner().invoke(main, list(args))
    assert "Traceback" not in result.output + result.stderr
    return result


def actual_first_line(case: Case, tmp_path: Path) -> str:
    root = materialise(case, tmp_path)
    out = run("check", "--root", str(root)).stdout.splitlines()
    return out[0] if out else ""


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input(case: Case, tmp_path: Path):
    root = materialise(case, tmp_path)
    checked = run("check", "--root", str(root))
    assert checked.exit_code == case.exit, checked.stdout
    lines = checked.stdout.splitlines()
    first = lines[0] if lines else ""
    assert first == documented()[case.name]
    if case.exit:
        assert first.startswith(f"{case.path}:") and " error [" in first
    built = run("build", "--root", str(root), "--formats", "docx,pdf")
    if case.exit:
        assert built.exit_code == 1 and "build refused" in built.stderr
        assert not (root / "build").exists(), "a refused build writes nothing"
    else:
        assert built.exit_code == 0, built.stderr
        assert (root / "build" / "panel-report.docx").is_file()


def documented() -> dict[str, str]:
    """Case name -> the message the docs table shows (its last column, unescaped)."""
    text = DOC.read_text("utf-8")
    start = text.index("| Case |")
    rows = {}
    for line in text[start : text.index("\n\n", start)].splitlines()[2:]:
        name, _, message = [cell.strip() for cell in line.strip("|").split(" | ")]
        rows[name] = message[3:-3].replace("\\|", "|") if message != "—" else ""
    return rows


def table(messages: dict[str, str]) -> str:
    lines = ["| Case | Outcome | What `report check` prints first |", "|---|---|---|"]
    for case in CASES:
        message = messages[case.name]
        shown = f"`` {message} ``".replace("|", "\\|") if message else "—"
        lines.append(f"| {case.name} | {'reported, exit 1' if case.exit else 'accepted, exit 0'} | {shown} |")
    return "\n".join(lines) + "\n"


def test_docs_table_is_the_corpus(tmp_path: Path):
    messages = {c.name: actual_first_line(c, tmp_path / str(i)) for i, c in enumerate(CASES)}
    assert table(messages) in DOC.read_text("utf-8"), "regenerate: .venv/bin/python tools/tests/test_corpus.py"


if __name__ == "__main__":  # rewrite the table in docs/bad-input.md from the corpus
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        found = {c.name: actual_first_line(c, Path(tmp) / str(i)) for i, c in enumerate(CASES)}
    text = DOC.read_text("utf-8")
    start = text.index("| Case |")
    end = text.index("\n\n", start) + 1
    DOC.write_text(text[:start] + table(found) + text[end:], "utf-8")
    sys.exit(0)
