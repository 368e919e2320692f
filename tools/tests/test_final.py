"""The final edition refuses unfinished text, blocker by blocker, and builds once every one is cleared.

Expected blockers are read from the sample's files directly (pyyaml, line numbers by search), not
from the library: a section whose front matter says draft or review, an annex marked as a
placeholder, each vacant roster seat, each CriticMarkup open point (where it opens; the words of
its message are test_negotiated's hand-written table).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

import drafts
import readers
from readers import run_report

CONTENT = ("chapters", "recommendations", "annexes")
OPENERS = re.compile(r"\{(?:\+\+|--|~~|==)|(?<!==\})\{>>")  # every mark; a comment on a passage is part of it


def front_matter(path: Path) -> tuple[dict, list[str]]:
    lines = path.read_text("utf-8").split("\n")
    end = lines.index("---", 1)
    return yaml.safe_load("\n".join(lines[1:end])), lines


def expected_blockers(root: Path) -> list[str]:
    """The blockers a person reading the files would list, as `report build --final` prints them."""
    found = []
    labels = label_by_path(root)
    for folder in CONTENT:
        for path in sorted((root / folder).glob("*.md")):
            meta, lines = front_matter(path)
            rel = path.relative_to(root).as_posix()
            if meta["status"] in ("draft", "review"):
                line = lines.index(f"status: {meta['status']}") + 1
                found.append(
                    f"{rel}:{line}:1: error [final.unagreed] {labels[rel]} is '{meta['status']}': "
                    "the final edition takes agreed sections only"
                )
            found += open_marks(rel, lines, labels[rel])
            if meta.get("placeholder") is True:
                found.append(
                    f"{rel}:{lines.index('placeholder: true') + 1}:1: error [final.placeholder] "
                    f"{labels[rel]} is marked as a placeholder: replace its text to be confirmed, then "
                    "remove `placeholder: true`"
                )
    roster_lines = (root / "roster.yml").read_text("utf-8").split("\n")
    for member in yaml.safe_load("\n".join(roster_lines))["members"]:
        if member.get("vacancy"):
            line = roster_lines.index(f"  - id: {member['id']}") + 1
            found.append(
                f"roster.yml:{line}:1: error [final.placeholder] the roster's seat '{member['id']}' is "
                f"vacant ({member['name']}): name its member, then remove `vacancy: true`"
            )
    return sorted(found, key=lambda t: (t.split(":")[0], int(t.split(":")[1]), int(t.split(":")[2])))


def open_marks(rel: str, lines: list[str], label: str) -> list[str]:
    """Where each open point opens, as the start of its blocker's line (the sample has no code fences
    holding CriticMarkup, so every opener in the body is a mark)."""
    body_start = lines.index("---", 1) + 1
    return [
        f"{rel}:{number}:{m.start() + 1}: error [final.open-mark] open point in {label}, "
        for number, line in enumerate(lines, 1)
        if number > body_start
        for m in OPENERS.finditer(line)
    ]


def same_blockers(printed: list[str], expected: list[str]) -> bool:
    """Each printed line is its expected line, or (an open point) starts with it."""
    return len(printed) == len(expected) and all(
        line == want or (want.endswith(", ") and line.startswith(want))
        for line, want in zip(printed, expected, strict=True)
    )


# What a person states about the sample: how each section is labelled.
REC_LABELS = {
    "affordable-access": "1A",
    "digital-public-goods": "1B",
    "inclusive-economy-platform": "1C",
    "digital-economy-data": "1D",
    "help-desks": "2",
    "human-rights-review": "3A",
    "autonomous-systems": "3B",
    "ethics-standards": "3C",
    "trust-commitment": "4",
    "cooperation-architecture": "5A",
    "common-approach-interoperability": "5B",
}


def label_by_path(root: Path) -> dict[str, str]:
    labels, chapter = {}, 0
    for path in sorted((root / "chapters").glob("*.md")):
        meta, _ = front_matter(path)
        rel = path.relative_to(root).as_posix()
        if meta.get("numbered", True):
            chapter += 1
            labels[rel] = f"Chapter {chapter}"
        else:
            labels[rel] = meta["title"]
    for path in sorted((root / "recommendations").glob("*.md")):
        meta, _ = front_matter(path)
        labels[path.relative_to(root).as_posix()] = f"Recommendation {REC_LABELS[meta['id']]}"
    annexes = sorted((root / "annexes").glob("*.md"))
    for numeral, path in zip(("I", "II", "III", "IV", "V", "VI", "VII", "VIII"), annexes, strict=False):
        labels[path.relative_to(root).as_posix()] = f"Annex {numeral}"
    return labels


@pytest.fixture
def committed_sample(tmp_path) -> Path:
    root = readers.copy_sample(tmp_path / "report")
    readers.commit_all(root)
    return root


def test_the_draft_sample_is_refused_as_a_final_edition_with_every_blocker(committed_sample):
    before = readers.tree_state(committed_sample)
    result = run_report("build", "--root", str(committed_sample), "--final")
    assert result.exit_code == 1
    blockers = expected_blockers(committed_sample)
    # 21 sections not agreed, the donors' placeholder, 20 vacant seats, 3 open points (1D, 3B twice)
    assert len(blockers) == 45
    printed = result.stderr.splitlines()
    assert same_blockers(printed[:-1], blockers)
    assert printed[-1] == (
        "report: final edition refused: 45 blockers remain; resolve them, or rehearse with --final --force"
    )
    assert result.stdout == ""
    assert readers.tree_state(committed_sample) == before  # nothing built


def test_a_rehearsal_overrides_the_blockers_and_says_so(committed_sample, tmp_path):
    result = run_report(
        "build",
        "--root",
        str(committed_sample),
        "--final",
        "--force",
        "--formats",
        "pdf",
        "--out",
        str(tmp_path / "out"),
    )
    assert result.exit_code == 0, result.output
    overridden = [
        line.removeprefix("overridden: ") for line in result.stderr.splitlines() if line.startswith("overridden: ")
    ]
    assert same_blockers(overridden, expected_blockers(committed_sample))
    assert "report: a rehearsal: 45 blockers of the final edition were overridden with --force" in result.stderr


def test_force_needs_final(committed_sample):
    result = run_report("build", "--root", str(committed_sample), "--force")
    assert result.exit_code == 2
    assert "--force goes with --final" in result.stderr


def test_a_finished_report_builds_its_final_edition(committed_sample, tmp_path):
    drafts.finished(committed_sample)
    readers.commit_all(committed_sample, "Every section agreed")
    assert expected_blockers(committed_sample) == []
    out = tmp_path / "final"
    result = run_report("build", "--root", str(committed_sample), "--final", "--formats", "pdf,docx", "--out", str(out))
    assert result.exit_code == 0, result.output
    pdf = readers.Pdf(out / "panel-report.pdf")
    assert [i for i, text in enumerate(pdf.poppler_texts) if "DRAFT" in text] == []
    title_page = readers.squash(pdf.page_texts[0])
    assert title_page.endswith("Final edition 10 June 2019")
    assert "commit" not in title_page  # a published edition names no commit


def test_report_yml_can_make_a_warning_block_the_final_edition(committed_sample):
    drafts.finished(committed_sample)
    settings = committed_sample / "report.yml"
    text = settings.read_text("utf-8")  # the sample's report.yml may have a `final:` mapping already
    text = (
        text.replace("\nfinal:\n", "\nfinal:\n  blocking: [budget.over]\n")
        if "\nfinal:\n" in text
        else text + "final:\n  blocking: [budget.over]\n"
    )
    settings.write_text(text, "utf-8")
    chapter = committed_sample / "chapters/01-introduction.md"
    chapter.write_text(re.sub(r"^budget: \d+$", "budget: 10", chapter.read_text("utf-8"), count=1, flags=re.M), "utf-8")
    readers.commit_all(committed_sample, "A budget overrun")
    result = run_report("build", "--root", str(committed_sample), "--final", "--formats", "pdf")
    assert result.exit_code == 1
    blocking = [line for line in result.stderr.splitlines() if "[final.blocking]" in line]
    assert len(blocking) == 1 and blocking[0].startswith("chapters/01-introduction.md:")
    assert "[budget.over]" in blocking[0] and "report.yml lists budget.over as blocking" in blocking[0]
