"""The README's round trip for `report comments`, made for real: prints what each command printed.

    PYTHONPATH=tools .venv/bin/python tools/scripts/comments_example.py [FOLDER]

In FOLDER (a new temporary folder by default): the sample report committed on 2019-06-10, its
DOCX edition "Draft 3", a copy reviewed in Word by two members (written as Word writes comments and
tracked changes: tools/tests/reviewer.py), a later commit that changes the introduction, then
`report comments` as text, as the Markdown checklist, as GitHub annotations and with --apply, and the branch's log.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

TOOLS = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(TOOLS / "tests"))
import readers  # noqa: E402  (the test helpers: the sample's files, git with fixed dates)
import reviewer  # noqa: E402

AMINA, LARS = "Amina Diallo", "Lars Berg"
MONDAY, TUESDAY = "2026-03-02T09:30:00Z", "2026-03-03T16:10:00Z"
INTRO = "chapters/01-introduction.md"


def review(edition: Path, mail: Path) -> Path:
    """One copy of Draft 3, reviewed by two members with Track changes on."""
    r = reviewer.Reviewer(edition)
    r.comment("Mandate", "Should this say who appointed the Panel?", AMINA, MONDAY)
    r.insert("containing both findings and", " practical", AMINA, MONDAY)
    r.comment("Several themes recurred across these discussions", "Too long: cut to two sentences?", AMINA, MONDAY)
    r.delete("independent ", LARS, TUESDAY, root=r.paragraph("twenty independent experts"))
    r.comment("Affordability", "Add the cost of data as a share of income.", LARS, TUESDAY)
    mail.mkdir(parents=True, exist_ok=True)
    return r.save(mail / "draft-3-amina-diallo.docx")


def later_commit(root: Path) -> None:
    """The introduction changes on main after Draft 3 went out: a paragraph added above the mandate,
    and the paragraph on recurring themes rewritten."""
    path = root / INTRO
    lines = path.read_text("utf-8").split("\n")
    assert lines[34].startswith("Several themes recurred across these discussions"), lines[34][:60]
    lines[34] = (
        "Across these discussions the same concerns came back: reaching marginalised people, the place "
        "of human rights, and the stability of the digital environment.[^themes]"
    )
    lines[10:10] = ["This report sets out what the Panel heard and what it proposes.", ""]
    path.write_text("\n".join(lines), "utf-8")
    readers.commit_all(root, "Introduction: a reader's note, the recurring themes shortened")


def run(root: Path, *args: str) -> None:
    """Run a command in root and print it with what it printed (stdout, then stderr)."""
    print(f"$ {' '.join(args)}")
    done = subprocess.run(args, check=False, cwd=root, capture_output=True, text=True)
    print(done.stdout + done.stderr, end="")
    print(f"[exit {done.returncode}]\n")


def main(argv: list[str]) -> int:
    folder = Path(argv[0]) if argv else Path(tempfile.mkdtemp(prefix="comments-example-"))
    root = readers.copy_sample(folder / "report")
    readers.commit_all(root)
    report = str(Path(sys.executable).with_name("report"))
    subprocess.run(
        [report, "build", "--edition", "Draft 3", "--formats", "docx"], cwd=root, check=True, capture_output=True
    )
    reviewed = review(root / "build" / "panel-report.docx", folder / "Mail")
    shutil.rmtree(root / "build")
    later_commit(root)
    run(root, report, "comments", str(reviewed))
    run(root, report, "comments", str(reviewed), "--format", "markdown")
    run(root, report, "comments", str(reviewed), "--format", "github")
    run(root, report, "comments", str(reviewed), "--apply")
    run(root, "git", "log", "--format=%h %an %ad  %s", "--date=short", "main..review/draft-3-amina-diallo")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
