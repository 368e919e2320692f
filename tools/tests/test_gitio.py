"""gitio: the parsers on literal bytes, the adaptor on real repositories, and the commands without git."""

from __future__ import annotations

import ast
import json
import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from gitrepo import GitRepo
from reportkit import gitio, history
from reportkit.cli import main
from reportkit.gitio import LogRecord, NameStatus, TreeEntry

A, B, C = "a" * 40, "b" * 40, "c" * 40


def run(*args: str, env: dict | None = None):
    result = CliRunner().invoke(main, list(args), env={"SOURCE_DATE_EPOCH": None, "CI": "1", **(env or {})})
    assert "Traceback" not in result.output + (result.stderr or "")
    return result


# --- pure parsers on literal bytes -----------------------------------------------------------------

LOG = (
    # Newest first. A commit that changed files: header NUL, newline, then the entries.
    A.encode() + b"\0Zo\xc3\xab \xe4\xb8\xad\xe6\x96\x87\0zoe@example.org\0"
    b"2026-01-03T10:00:00+01:00\0"
    b"\nR087\0chapters/02-m\xc3\xa9thode.md\0chapters/03 two\twords.md\0"
    b"M\0annexes/line\nbreak.md\0"
    b"M\0M\0"  # a file named M
    # A merge: no entries, the next header follows at once.
     + B.encode() + b"\0Merger\0\0"
    b"2026-01-02T10:00:00+00:00\0" + C.encode() + b"\0Alice Admin\0alice@example.org\0"
    b"2026-01-01T10:00:00+00:00\0"
    b"\nA\0chapters/02-m\xc3\xa9thode.md\0"
    b"C100\0" + A.encode() + b"\0\xe4\xb8\xad\xe6\x96\x87/copy.md\0"  # a file named like a commit
    b"D\0\nstarts with a newline.md\0"
)


def test_parse_log_reads_each_record_and_every_kind_of_name():
    assert gitio.parse_log(LOG) == [
        LogRecord(
            A,
            "Zoë 中文",
            "zoe@example.org",
            "2026-01-03T10:00:00+01:00",
            [
                NameStatus("R", "chapters/02-méthode.md", "chapters/03 two\twords.md", 87),
                NameStatus("M", "annexes/line\nbreak.md", "annexes/line\nbreak.md"),
                NameStatus("M", "M", "M"),
            ],
        ),
        LogRecord(B, "Merger", "", "2026-01-02T10:00:00+00:00", []),
        LogRecord(
            C,
            "Alice Admin",
            "alice@example.org",
            "2026-01-01T10:00:00+00:00",
            [
                NameStatus("A", "chapters/02-méthode.md", "chapters/02-méthode.md"),
                NameStatus("C", A, "中文/copy.md", 100),
                NameStatus("D", "\nstarts with a newline.md", "\nstarts with a newline.md"),
            ],
        ),
    ]
    assert gitio.parse_log(b"") == []


def test_parse_name_status():
    raw = (
        b"M\0chapters/01 intro.md\0R100\0recommendations/old.md\0recommendations/n\xc3\xa9w.md\0"
        b"A\0chapters/tab\there.md\0D\0annexes/line\nbreak.md\0T\0images/x.png\0"
    )
    assert gitio.parse_name_status(raw) == [
        NameStatus("M", "chapters/01 intro.md", "chapters/01 intro.md"),
        NameStatus("R", "recommendations/old.md", "recommendations/néw.md", 100),
        NameStatus("A", "chapters/tab\there.md", "chapters/tab\there.md"),
        NameStatus("D", "annexes/line\nbreak.md", "annexes/line\nbreak.md"),
        NameStatus("T", "images/x.png", "images/x.png"),
    ]


def test_a_path_that_is_not_utf8_keeps_its_bytes():
    [entry] = gitio.parse_name_status(b"A\0chapters/caf\xe9.md\0")  # Latin-1, not UTF-8
    assert entry.new_path == os.fsdecode(b"chapters/caf\xe9.md")
    assert gitio.path_bytes(entry.new_path) == b"chapters/caf\xe9.md"


def test_parse_raw_diff_marks_what_git_did_not_look_inside():
    zero = "0" * 40
    raw = (
        b":100644 100644 " + A.encode() + b" " + zero.encode() + b" M\0chapters/02-m\xc3\xa9thode.md\0"
        b":100644 100644 " + A.encode() + b" " + B.encode() + b" R093\0old name.md\0new\tname.md\0"
        b":100644 100755 " + A.encode() + b" " + zero.encode() + b" M\0run.sh\0"
        b":000000 100644 " + zero.encode() + b" " + zero.encode() + b" A\0line\nbreak.md\0"
    )
    changes = gitio.parse_raw_diff(raw)
    assert [c.change for c in changes] == [
        NameStatus("M", "chapters/02-méthode.md", "chapters/02-méthode.md"),
        NameStatus("R", "old name.md", "new\tname.md", 93),
        NameStatus("M", "run.sh", "run.sh"),
        NameStatus("A", "line\nbreak.md", "line\nbreak.md"),
    ]
    assert [(c.old_sha, c.new_sha, c.new_mode) for c in changes[:2]] == [(A, zero, "100644"), (A, B, "100644")]
    assert [c.unsure for c in changes] == [True, False, False, False]  # a mode change is a change


def test_parse_ls_tree_with_sizes_links_and_submodules():
    raw = (
        b"100644 blob " + A.encode() + b"     123\tchapters/02-m\xc3\xa9thode.md\0"
        b"100755 blob " + B.encode() + b"       5\tscripts/line\nbreak.sh\0"
        b"120000 blob " + C.encode() + b"       7\tchapters/link.md\0"
        b"160000 commit " + A.encode() + b"       -\tvendor/\xe4\xb8\xad\xe6\x96\x87 sub\0"
    )
    assert gitio.parse_ls_tree(raw) == [
        TreeEntry("100644", "blob", A, 123, "chapters/02-méthode.md"),
        TreeEntry("100755", "blob", B, 5, "scripts/line\nbreak.sh"),
        TreeEntry("120000", "blob", C, 7, "chapters/link.md"),
        TreeEntry("160000", "commit", A, None, "vendor/中文 sub"),
    ]


def test_parse_cat_file_batch():
    raw = (
        A.encode()
        + b" blob 5\nab\ncd\n"
        + B.encode()
        + b" blob 0\n\n"
        + C.encode()
        + b" missing\n"
        + A[:39].encode()
        + b"d blob 3\n\x00\xff\n\n"
    )
    assert gitio.parse_cat_file(raw) == {A: b"ab\ncd", B: b"", C: None, A[:39] + "d": b"\x00\xff\n"}
    for cut in (A.encode() + b" blob 5\nab", A.encode() + b" blob", A.encode() + b" blob five\n\n"):
        with pytest.raises(gitio.UnexpectedOutput):
            gitio.parse_cat_file(cut)


@pytest.mark.parametrize(
    "raw",
    [
        b"garbage\0",
        A.encode() + b"\0x\0y\0",
        A.encode() + b"\0n\0e\0d\0\nQ\0p\0",
        A.encode() + b"\0n\0e\0d\0\nR100\0only-one\0",
    ],
)
def test_output_the_parsers_do_not_understand_is_an_error_not_a_guess(raw):
    with pytest.raises(gitio.UnexpectedOutput):
        gitio.parse_log(raw)


names = st.text(st.characters(blacklist_characters="\0", blacklist_categories=("Cs",)), min_size=1, max_size=12)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from("AMDTRC"), names, names), max_size=6))
def test_any_name_survives_the_name_status_format(changes):
    raw = b"".join((f"{s}100\0{old}\0{new}\0" if s in "RC" else f"{s}\0{new}\0").encode() for s, old, new in changes)
    assert [
        (e.status, e.new_path) + ((e.old_path,) if e.status in "RC" else ()) for e in gitio.parse_name_status(raw)
    ] == [(s, new) + ((old,) if s in "RC" else ()) for s, old, new in changes]


# --- the parser agrees with real git ---------------------------------------------------------------


@pytest.fixture
def odd(tmp_path) -> GitRepo:
    """A repository whose report is in `rapport é/`, with names git would quote."""
    (tmp_path / "repo").mkdir()
    repo = GitRepo(tmp_path / "repo")
    root = repo.path / "rapport é"
    (root / "chapters").mkdir(parents=True)
    (root / "chapters/02-méthode.md").write_text("one\n")
    (root / "chapters/tab\there.md").write_text("tab\n")
    (root / "outside.md").write_text("x\n")
    (repo.path / "elsewhere.md").write_text("not the report\n")
    repo.commit("First", "Zoë 中文", "2026-01-01T10:00:00+00:00")
    repo.run("mv", "rapport é/chapters/02-méthode.md", "rapport é/chapters/03 two words.md")
    (root / "chapters/line\nbreak.md").write_text("nl\n")
    repo.commit("Second", "Bob Writer", "2026-01-02T10:00:00+01:00")
    return repo


def test_log_of_a_real_repository(odd: GitRepo):
    repo = gitio.Git(odd.path / "rapport é")
    assert (repo.prefix, repo.top, repo.scope) == ("rapport é/", odd.path.resolve(), "rapport é")
    records = repo.log()
    assert [(r.author, r.email, r.date) for r in records] == [
        ("Bob Writer", "bob.writer@example.org", "2026-01-02T10:00:00+01:00"),
        ("Zoë 中文", "zoë.中文@example.org", "2026-01-01T10:00:00+00:00"),
    ]
    assert [r.sha for r in records] == odd.run("log", "--format=%H").split()
    assert records[0].changes == [
        NameStatus("R", "rapport é/chapters/02-méthode.md", "rapport é/chapters/03 two words.md", 100),
        NameStatus("A", "rapport é/chapters/line\nbreak.md", "rapport é/chapters/line\nbreak.md"),
    ]
    assert {c.new_path for c in records[1].changes} == {  # elsewhere.md is outside the report
        "rapport é/chapters/02-méthode.md",
        "rapport é/chapters/tab\there.md",
        "rapport é/outside.md",
    }


def test_history_in_a_subfolder_with_names_git_would_quote(odd: GitRepo):
    found = history.read(odd.path / "rapport é", ["chapters/03 two words.md", "chapters/tab\there.md"])
    moved = found["chapters/03 two words.md"]
    assert (moved.last_author, moved.last_email, moved.contributors, moved.commits) == (
        "Bob Writer",
        "bob.writer@example.org",
        ["Bob Writer", "Zoë 中文"],
        2,
    )
    assert found["chapters/tab\there.md"].contributors == ["Zoë 中文"]


def test_a_file_touched_but_not_changed_is_not_a_change(odd: GitRepo):
    root = odd.path / "rapport é"
    os.utime(root / "chapters/tab\there.md", (1_750_000_000, 1_750_000_000))  # stat data stale, bytes same
    (root / "outside.md").write_text("y\n")  # same size, other bytes
    os.utime(root / "outside.md", (1_750_000_000, 1_750_000_000))
    repo = gitio.Git(root)
    assert [c.change.new_path for c in gitio.parse_raw_diff(repo.raw_diff("HEAD")) if c.unsure] == [
        "rapport é/chapters/tab\there.md",
        "rapport é/outside.md",
    ]
    assert repo.diff("HEAD") == [NameStatus("M", "rapport é/outside.md", "rapport é/outside.md")]


def test_diff_untracked_resolve_and_files_at_a_ref(odd: GitRepo):
    repo = gitio.Git(odd.path / "rapport é")
    (odd.path / "rapport é/chapters/tab\there.md").write_text("changed\n")
    (odd.path / "rapport é/new é.md").write_text("new\n")
    first = repo.resolve("HEAD~1")
    assert repo.diff(first) == [
        NameStatus("R", "rapport é/chapters/02-méthode.md", "rapport é/chapters/03 two words.md", 100),
        NameStatus("A", "rapport é/chapters/line\nbreak.md", "rapport é/chapters/line\nbreak.md"),
        NameStatus("M", "rapport é/chapters/tab\there.md", "rapport é/chapters/tab\there.md"),
    ]
    assert repo.untracked() == ["rapport é/new é.md"]
    assert repo.read_file("HEAD~1", "chapters/02-méthode.md") == b"one\n"
    assert repo.read_file("HEAD", "chapters/02-méthode.md") is None
    assert repo.read_file("HEAD", "chapters/tab\there.md") == b"tab\n"  # the commit, not the disk
    assert repo.read_files("HEAD", ["chapters/line\nbreak.md", "outside.md", "nowhere.md"]) == {
        "chapters/line\nbreak.md": b"nl\n",
        "outside.md": b"x\n",
    }
    assert repo.has_uncommitted_changes()


def test_unknown_refs_and_places_outside_git(tmp_path, odd: GitRepo):
    repo = gitio.Git(odd.path / "rapport é")
    for ref in ("no-such-ref", "--output=/tmp/x", "HEAD:rapport é/outside.md", ""):
        with pytest.raises(gitio.UnknownRef) as caught:
            repo.resolve(ref)
        assert str(caught.value) == f"'{ref}' is not a commit in this repository"
    (tmp_path / "plain").mkdir()
    with pytest.raises(gitio.NotARepository) as caught:
        gitio.Git(tmp_path / "plain")
    assert str(caught.value) == f"{(tmp_path / 'plain').resolve()} is not in a git repository"
    with pytest.raises(gitio.NotARepository):
        gitio.Git(odd.path / ".git")


def test_a_repository_without_commits(tmp_path):
    (tmp_path / "empty").mkdir()
    empty = GitRepo(tmp_path / "empty")
    (empty.path / "file.md").write_text("x\n")
    repo = gitio.Git(empty.path)
    assert repo.head() is None
    assert gitio.edition_facts(empty.path) == (None, None, False, "the git repository has no commit yet")
    with pytest.raises(history.NoHistory, match="no commits yet"):
        history.read(empty.path, ["file.md"])


def test_edition_facts(odd: GitRepo):
    facts = gitio.edition_facts(odd.path / "rapport é")
    assert facts.commit == odd.run("rev-parse", "HEAD").strip()
    assert facts.epoch == int(odd.run("log", "-1", "--format=%ct").strip())
    assert (facts.uncommitted, facts.why_none) == (False, None)
    (odd.path / "elsewhere.md").write_text("outside the report: not an uncommitted change of it\n")
    assert gitio.edition_facts(odd.path / "rapport é").uncommitted is False
    (odd.path / "rapport é/untracked.md").write_text("x\n")
    assert gitio.edition_facts(odd.path / "rapport é").uncommitted is True


# --- all files at a ref -------------------------------------------------------------------------------


def test_snapshot_reads_every_regular_file_and_lists_what_it_skipped(odd: GitRepo):
    root = odd.path / "rapport é"
    (root / "images").mkdir()
    (root / "images/big.png").write_bytes(b"\x89PNG" + bytes(range(256)) * 4)
    (root / "chapters/link.md").symlink_to("tab\there.md")
    odd.commit("Images and a link", "Bob Writer", "2026-01-03T10:00:00+00:00")
    sha = odd.run("rev-parse", "HEAD").strip()
    odd.run("update-index", "--add", "--cacheinfo", f"160000,{sha},rapport é/chapters/vendored")
    odd.run("commit", "-q", "-m", "A submodule", author="Bob Writer", date="2026-01-04T10:00:00+00:00")

    snapshot = gitio.Git(root).snapshot("HEAD", ["chapters", "images"], max_bytes=1000)
    assert snapshot.commit == odd.run("rev-parse", "HEAD").strip()
    assert snapshot.files == {
        "chapters/03 two words.md": b"one\n",
        "chapters/line\nbreak.md": b"nl\n",
        "chapters/tab\there.md": b"tab\n",
    }
    assert snapshot.skipped == {
        "chapters/link.md": "a symbolic link",
        "chapters/vendored": "a submodule",
        "images/big.png": "larger than 1,000 bytes (1,028)",
    }
    whole = gitio.Git(root).snapshot("HEAD~3")  # the whole report as it was
    assert whole.files == {"chapters/02-méthode.md": b"one\n", "chapters/tab\there.md": b"tab\n", "outside.md": b"x\n"}
    assert gitio.Git(root).snapshot("HEAD", []).files == {}


# --- git never writes the index ---------------------------------------------------------------------


def index_state(repo: Path) -> tuple[bytes, int]:
    index = repo / ".git/index"
    return index.read_bytes(), index.stat().st_mtime_ns


def test_commands_leave_the_index_alone(copy_report, fixtures_dir):
    root = copy_report(fixtures_dir / "minimal")
    repo = GitRepo(root)
    repo.commit("First draft", "Alice Admin", "2026-01-01T10:00:00+00:00")
    index = root / ".git/index"
    os.utime(index, ns=(1_700_000_000_000_000_000,) * 2)
    # A tracked file whose time no longer matches what the index recorded: git would refresh it.
    os.utime(root / "chapters/01-intro.md", ns=(1_750_000_000_000_000_000,) * 2)
    before = index_state(root)
    for args in (
        ["owners"],
        ["progress"],
        ["review", "--base", "HEAD"],
        ["build", "--formats", "docx", "--out", str(root.parent / "out")],
    ):
        result = run(*args, "--root", str(root))
        assert result.exit_code == 0, (args, result.output)
        assert index_state(root) == before, args
    # The test can fail: plain `git status` rewrites this stale index.
    subprocess.run(["git", "status", "--porcelain"], cwd=root, check=True, capture_output=True)
    assert index_state(root) != before


# --- without git ------------------------------------------------------------------------------------


@pytest.fixture
def no_git_path(tmp_path) -> str:
    """A PATH with python on it and no git."""
    folder = tmp_path / "bin-without-git"
    folder.mkdir()
    (folder / "python3").symlink_to(sys.executable)
    assert shutil.which("git", path=str(folder)) is None
    return str(folder)


@pytest.fixture
def committed(copy_report, fixtures_dir) -> Path:
    root = copy_report(fixtures_dir / "minimal")
    GitRepo(root).commit("First draft", "Alice Admin", "2026-01-01T10:00:00+00:00")
    return root


def test_owners_without_git_says_history_is_unavailable_and_why(committed, no_git_path):
    result = run("owners", "--root", str(committed), "--format", "csv", env={"PATH": no_git_path})
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == "id,kind,label,title,owner,status,words"
    assert result.stderr.startswith("report: no history columns: git is not installed or not on PATH: ")


def test_review_without_git_is_a_usage_error_naming_git(committed, no_git_path):
    result = run("review", "--root", str(committed), "--base", "HEAD", env={"PATH": no_git_path})
    assert result.exit_code == 2
    assert "git is not installed or not on PATH" in result.stderr


def test_build_without_git_names_no_commit_and_dates_from_the_files(committed, no_git_path, tmp_path, caplog):
    for path in committed.rglob("*.md"):
        os.utime(path, (1_560_168_000, 1_560_168_000))  # 2019-06-10
    out = tmp_path / "out"
    with caplog.at_level(logging.WARNING, logger="reportkit.build"):
        result = run(
            "build", "--root", str(committed), "--formats", "docx", "--out", str(out), env={"PATH": no_git_path}
        )
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    assert (manifest["commit"], manifest["date"], manifest["uncommitted_changes"]) == (None, "2019-06-10", False)
    assert [r.getMessage() for r in caplog.records if r.name == "reportkit.build"] == [
        (
            "the edition names no commit: git is not installed or not on PATH: could not run 'git' "
            "(No such file or directory)"
        )
    ]


def test_build_outside_a_repository_warns_and_takes_no_commit_date(copy_report, fixtures_dir, tmp_path, caplog):
    root = copy_report(fixtures_dir / "minimal")
    for path in root.rglob("*.md"):
        os.utime(path, (1_560_168_000, 1_560_168_000))
    with caplog.at_level(logging.WARNING, logger="reportkit.build"):
        result = run("build", "--root", str(root), "--formats", "docx", "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    manifest = json.loads((tmp_path / "out/manifest.json").read_text("utf-8"))
    assert (manifest["commit"], manifest["date"]) == (None, "2019-06-10")
    assert [r.getMessage() for r in caplog.records if r.name == "reportkit.build"] == [
        f"the edition names no commit: {root.resolve()} is not in a git repository"
    ]


# --- SOURCE_DATE_EPOCH ---------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["soon", "-1", "1.5", "1e9", " 1560168000", "١٥٦٠١٦٨٠٠٠", "²", "9" * 5000])
def test_an_invalid_source_date_epoch_is_a_clear_error(committed, tmp_path, value):
    out = tmp_path / "out"
    result = run(
        "build", "--root", str(committed), "--formats", "docx", "--out", str(out), env={"SOURCE_DATE_EPOCH": value}
    )
    assert result.exit_code == 1
    assert result.stderr == (
        f"report: SOURCE_DATE_EPOCH must be a whole number of seconds since 1970, "
        f"not '{value}'; the previous build is unchanged\n"
    )
    assert not out.exists()


def test_a_source_date_epoch_after_2107_is_refused_before_pandoc_fails_on_it(committed, tmp_path):
    result = run(
        "build",
        "--root",
        str(committed),
        "--formats",
        "docx",
        "--out",
        str(tmp_path / "out"),
        env={"SOURCE_DATE_EPOCH": "4354819200"},
    )
    assert result.exit_code == 1
    assert result.stderr == (
        "report: SOURCE_DATE_EPOCH must be a whole number of seconds since 1970, not "
        "'4354819200' (a date after 2107, which a DOCX file, a ZIP archive, cannot hold); "
        "the previous build is unchanged\n"
    )


@pytest.mark.parametrize(
    "value, date", [("1560168000", "2019-06-10"), ("", "2026-01-01"), ("0", "1970-01-01"), ("4354819199", "2107-12-31")]
)
def test_a_valid_or_empty_source_date_epoch(committed, tmp_path, value, date):
    result = run(
        "build",
        "--root",
        str(committed),
        "--formats",
        "docx",
        "--out",
        str(tmp_path / "out"),
        env={"SOURCE_DATE_EPOCH": value},
    )
    assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / "out/manifest.json").read_text("utf-8"))["date"] == date


# --- what the adaptor brings in -------------------------------------------------------------------------


def test_no_module_imports_gitpython_and_gitio_imports_nothing_platform_specific(committed):
    # GitPython may still be installed in a shared environment: an import of it would go unnoticed.
    code = (
        "import sys; from reportkit import cli, build, history, review, gitio; "
        "from reportkit.render import mkdocs_plugin; "
        f"history.read({str(committed)!r}, ['chapters/01-intro.md']); "
        "assert 'git' not in sys.modules, 'GitPython was imported'"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    tree = ast.parse(Path(gitio.__file__).read_text("utf-8"))
    imported = {
        alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names
    }
    imported |= {
        node.module.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module
    }
    assert not imported & {"fcntl", "msvcrt", "termios", "pwd", "grp", "resource", "ctypes"}
