"""The synthetic report generator: deterministic, valid, of the asked size, with a real history."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from reportkit import checks, history, loader
from reportkit.generate import generate

ROOT = Path(__file__).resolve().parents[2]
SMALL = dict(chapters=4, sections=3, recommendations=7, annexes=2, refs_per_section=2)


def tree(root: Path) -> dict[str, bytes]:
    """Every file under root but git's own, by relative path."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(root).parts
    }


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, text=True).stdout


def test_same_seed_same_bytes_other_seed_other_report(tmp_path):
    generate(tmp_path / "a", seed=3, **SMALL)
    generate(tmp_path / "b", seed=3, **SMALL)
    generate(tmp_path / "c", seed=4, **SMALL)
    assert tree(tmp_path / "a") == tree(tmp_path / "b")
    assert tree(tmp_path / "a") != tree(tmp_path / "c")


def test_same_seed_same_history(tmp_path):
    generate(tmp_path / "a", seed=3, commits=12, **SMALL)
    generate(tmp_path / "b", seed=3, commits=12, **SMALL)
    assert git(tmp_path / "a", "rev-parse", "HEAD") == git(tmp_path / "b", "rev-parse", "HEAD")
    assert tree(tmp_path / "a") == tree(tmp_path / "b")


def test_generated_report_has_no_findings(tmp_path):
    generate(tmp_path / "r", seed=1, **SMALL)
    found = checks.run(loader.load(tmp_path / "r"))
    assert [d.text() for d in found] == []


def test_counts_are_as_asked(tmp_path):
    generate(tmp_path / "r", seed=5, **SMALL)
    report = loader.load(tmp_path / "r")
    chapters, recs, annexes = (report.of_kind(k) for k in ("chapter", "rec", "annex"))
    assert (len(chapters), len(recs), len(annexes)) == (4, 7, 2)
    for doc in chapters:
        assert len([h for h in doc.scan.headings if h.level == 2]) == 3
        assert all(h.explicit for h in doc.scan.headings)
        assert len(doc.scan.refs) == 3 * 2
    assert sum(len(d.scan.refs) for d in recs) == 2 * 7
    assert sum(len(d.scan.refs) for d in annexes) == 2
    assert {ref.kind for d in chapters for ref in d.scan.refs} <= {"rec", "chapter", "annex"}
    # Sets 1-5 in turn, labelled in order: 7 recommendations are 1A 1B 2A 2B 3 4 5.
    assert sorted(d.number for d in recs) == ["1A", "1B", "2A", "2B", "3", "4", "5"]
    cited = {ref.target for d in chapters for ref in d.scan.refs if ref.kind == "rec"}
    assert cited == {d.id for d in recs}
    assert (tmp_path / "r" / "images" / "figure.png").read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


def test_history_has_the_commits_and_a_rename_that_history_follows(tmp_path):
    root = tmp_path / "r"
    generate(root, seed=2, commits=40, authors=3, **SMALL)
    assert git(root, "rev-list", "--count", "HEAD").strip() == "40"
    assert git(root, "status", "--porcelain") == ""
    assert len(set(git(root, "log", "--format=%an").split("\n")) - {""}) == 3
    renames = [
        line.split("\t")
        for line in git(root, "log", "-M", "--format=", "--name-status").splitlines()
        if line.startswith("R")
    ]
    assert renames
    _, old, new = renames[0]
    found = history.read(root, [new])[new]
    follow = git(root, "log", "-M", "--follow", "--format=%H", "--", new).split()
    since_rename = git(root, "log", "--format=%H", "--", new).split()
    assert found.commits == len(follow) > len(since_rename)


def test_refuses_a_folder_with_files_and_sizes_that_cannot_be_valid(tmp_path):
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "notes.txt").write_text("keep me")
    with pytest.raises(FileExistsError):
        generate(tmp_path / "full", seed=0, **SMALL)
    assert (tmp_path / "full" / "notes.txt").read_text() == "keep me"
    with pytest.raises(ValueError, match="cannot cite all 9 recommendations"):
        generate(tmp_path / "x", chapters=1, sections=2, recommendations=9, annexes=0, refs_per_section=4, seed=0)


def test_bench_runs_on_tiny_sizes(tmp_path):
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "tools" / "bench" / "bench.py"),
            "--quick",
            "--sizes",
            "tiny",
            "--cache",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[1].startswith("work ") and lines[1].endswith("| met?")
    assert "failed" not in done.stdout
    assert any(line.startswith("history, ") for line in lines)


def test_report_generate_command(tmp_path):
    from click.testing import CliRunner

    from reportkit.cli import main

    out = tmp_path / "generated"
    result = CliRunner().invoke(
        main,
        [
            "generate",
            str(out),
            "--chapters",
            "2",
            "--sections",
            "3",
            "--recommendations",
            "4",
            "--annexes",
            "1",
            "--seed",
            "7",
        ],
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == f"wrote a report of 2 chapters, 4 recommendations and 1 annexes to {out}\n"
    assert CliRunner().invoke(main, ["check", "--root", str(out)]).exit_code == 0
    again = CliRunner().invoke(main, ["generate", str(out)])
    assert again.exit_code == 2 and "exists and is not an empty folder" in again.stderr
