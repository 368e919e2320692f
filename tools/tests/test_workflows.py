"""The GitHub workflows: lint-clean, least privilege, pinned, and running only tested commands."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
WORKFLOWS = REPO / ".github" / "workflows"
BIN = Path(sys.executable).parent
PINNED = re.compile(r"^[\w.-]+/[\w.-]+(/[\w./-]+)?@[0-9a-f]{40}$")


def load(name: str) -> dict:
    data = yaml.safe_load((WORKFLOWS / name).read_text())
    # YAML 1.1 reads the key `on` as True.
    data["on"] = data.pop(True, data.get("on"))
    return data


def all_workflows() -> dict[str, dict]:
    return {path.name: load(path.name) for path in sorted(WORKFLOWS.glob("*.yml"))}


def test_actionlint_passes(tmp_path: Path):
    shutil.copytree(REPO / ".github", tmp_path / ".github")
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    result = subprocess.run([str(BIN / "actionlint"), "-no-color"], cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_is_real(tmp_path: Path):
    """The linter catches an injection and a bad permission: its silence above means something."""
    (tmp_path / ".github/workflows").mkdir(parents=True)
    (tmp_path / ".github/workflows/bad.yml").write_text(
        "on: pull_request\npermissions: {contents: bogus}\njobs:\n  a:\n    runs-on: ubuntu-24.04\n"
        '    steps:\n      - run: echo "${{ github.event.pull_request.title }}"\n'
    )
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    result = subprocess.run([str(BIN / "actionlint"), "-no-color"], cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 1
    assert "[permissions]" in result.stdout and "potentially untrusted" in result.stdout


def test_triggers():
    flows = all_workflows()
    assert set(flows) == {"pull-request.yml", "site.yml", "edition.yml"}
    assert flows["pull-request.yml"]["on"] == {"pull_request": None}
    assert flows["site.yml"]["on"] == {"push": {"branches": ["main"]}, "workflow_dispatch": None}
    assert flows["edition.yml"]["on"] == {"push": {"tags": ["edition-*"]}}
    for name, flow in flows.items():
        assert "pull_request_target" not in flow["on"], name


def test_least_privilege_permissions():
    flows = all_workflows()
    for name, flow in flows.items():
        assert flow["permissions"] == {"contents": "read"}, f"{name}: default token must be read-only"
        for job_name, job in flow["jobs"].items():
            assert "permissions" in job, f"{name}/{job_name} must state its permissions"
    for job in flows["pull-request.yml"]["jobs"].values():
        assert set(job["permissions"].values()) == {"read"}, "pull requests get read-only tokens"
    assert flows["site.yml"]["jobs"]["build"]["permissions"] == {"contents": "read"}
    assert flows["site.yml"]["jobs"]["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}
    assert flows["edition.yml"]["jobs"]["release"]["permissions"] == {"contents": "write"}


def test_no_secrets_reachable_from_pull_requests():
    text = (WORKFLOWS / "pull-request.yml").read_text()
    assert "secrets." not in text and "github.token" not in text and "GITHUB_TOKEN" not in text


def test_actions_pinned_and_checkout_keeps_no_credentials():
    for name, flow in all_workflows().items():
        for job in flow["jobs"].values():
            for step in job["steps"]:
                if "uses" in step:
                    assert PINNED.match(step["uses"]), f"{name}: {step['uses']} is not pinned to a commit"
                if str(step.get("uses", "")).startswith("actions/checkout@"):
                    assert step["with"]["persist-credentials"] is False


def test_deployments_never_race():
    site = load("site.yml")
    assert site["concurrency"] == {"group": "pages", "cancel-in-progress": False}
    assert load("edition.yml")["concurrency"]["cancel-in-progress"] is False


def run_commands() -> list[str]:
    commands = []
    for flow in all_workflows().values():
        for job in flow["jobs"].values():
            commands += [step["run"] for step in job["steps"] if "run" in step]
    return commands


def test_workflows_run_only_make_targets_and_the_release():
    targets = set()
    for command in run_commands():
        targets.update(re.findall(r"\bmake (\w+)", command))
        if "gh release create" in command:
            continue
        for line in command.strip().splitlines():
            assert re.search(r"\bmake \w+", line) or re.match(r"(EDITION=|case |export )", line.strip()), line
    assert targets == {"setup", "check", "review", "build", "diff", "ready"}
    makefile = (REPO / "Makefile").read_text()
    for target in targets:
        assert re.search(rf"^{target}:", makefile, re.M), target


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """A copy of the repository's report and Makefile, committed: the make targets run there, not in
    the live checkout, and never reinstall the shared environment (its `.installed` is not remade)."""
    import readers

    root = readers.copy_sample(tmp_path / "checkout")
    copy_make_files(root)
    readers.commit_all(root)
    return root


def copy_make_files(root: Path) -> None:
    """The Makefile and pyproject.toml, the latter dated no later than the shared environment's
    marker: a workflow step runs a bare `make build`, and GNU make takes no `-o` from MAKEFLAGS, so
    only the dates keep it from reinstalling the environment into the checkout (which has no tools/)."""
    shutil.copy2(REPO / "Makefile", root / "Makefile")
    shutil.copy2(REPO / "pyproject.toml", root / "pyproject.toml")
    marker = BIN.parent / ".installed"  # absent when the environment was not made by `make setup`
    if marker.exists() and (root / "pyproject.toml").stat().st_mtime_ns > marker.stat().st_mtime_ns:
        os.utime(root / "pyproject.toml", ns=(marker.stat().st_mtime_ns, marker.stat().st_mtime_ns))


def make(root: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, **env, "VENV": str(BIN.parent)}
    return subprocess.run(
        ["make", "--no-print-directory", "-o", f"{BIN.parent}/.installed", *args],
        cwd=root,
        env=environment,
        capture_output=True,
        text=True,
    )


def test_make_check_github_format_as_the_workflow_runs_it(checkout):
    result = make(checkout, "check", FORMAT="github")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "::error" not in result.stdout


def test_make_review_markdown_as_the_workflow_runs_it(checkout):
    result = make(checkout, "review", FORMAT="markdown", BASE="HEAD")
    assert result.returncode == 0, result.stderr
    assert "### Review routing (changes since `HEAD`)" in result.stdout
    assert make(checkout, "review").returncode == 2  # BASE is required


def test_make_diff_markdown_as_the_workflow_runs_it(checkout):
    step = next(
        s for s in load("pull-request.yml")["jobs"]["check"]["steps"] if s.get("name", "").startswith("What changed")
    )
    assert step["run"] == 'make diff FORMAT=markdown >> "$GITHUB_STEP_SUMMARY"'
    assert step["env"] == {"BASE": "origin/${{ github.base_ref }}"} and step["if"] == "${{ !cancelled() }}"
    result = make(checkout, "diff", FORMAT="markdown", BASE="HEAD")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("### What changed since HEAD\n")  # the summary gets the report only
    assert re.search(r"^\d+ sections? changed, \d+ unchanged\.$", result.stdout, re.MULTILINE)
    assert make(checkout, "diff").returncode == 2  # BASE is required
    hostile = make(checkout, "diff", BASE="--output=/tmp/x; touch pwned")
    assert hostile.returncode == 2 and "names no commit" in hostile.stderr and not (checkout / "pwned").exists()


def _site_step(name: str) -> dict:
    return next(s for s in load("site.yml")["jobs"]["build"]["steps"] if s.get("name", "").startswith(name))


def _site_make(root: Path, step: dict, **env: str) -> subprocess.CompletedProcess:
    """A step of site.yml's build job, as written, in a report repository of the test's own (the
    Makefile copied in; the shared virtual environment taken as set up: `-o` its marker)."""
    target = step["run"].removeprefix("make ")
    assert step["run"] == f"make {target}" and target in ("build", "ready")
    copy_make_files(root)
    environment = {**os.environ, **step.get("env", {}), **env, "VENV": str(BIN.parent), "CI": "true"}
    return subprocess.run(
        ["make", "--no-print-directory", "-o", f"{BIN.parent}/.installed", target],
        cwd=root,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )


def _site_build(root: Path, out: Path, **env: str) -> subprocess.CompletedProcess:
    """The working draft's build step: what each push to main builds while the report is not final."""
    return _site_make(root, _site_step("Build the working draft"), OUT=str(out), **env)


def test_site_publishes_nothing_while_the_final_edition_is_blocked(tmp_path: Path):
    """`make ready` on the sample (sections in draft, vacant seats, open points): final=false for the
    workflow, the blockers in the run's summary, and neither the public build nor the deployment runs."""
    import readers

    flow = load("site.yml")
    root = readers.copy_sample(tmp_path / "report")
    readers.commit_all(root)
    output, summary = tmp_path / "output", tmp_path / "summary.md"
    result = _site_make(
        root, _site_step("Is the report final?"), GITHUB_OUTPUT=str(output), GITHUB_STEP_SUMMARY=str(summary)
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert output.read_text() == "final=false\n"
    text = summary.read_text("utf-8")
    assert text.startswith("### Not published: the final edition is blocked\n")
    assert "roster.yml:114:1: error [final.placeholder]" in text and "[final.open-mark]" in text
    public = _site_step("Build the public site")
    assert public["if"] == "steps.ready.outputs.final == 'true'" and public["env"]["FINAL"] == "1"
    assert _site_step("Build the working draft")["if"] == "steps.ready.outputs.final != 'true'"
    assert flow["jobs"]["deploy"]["if"] == "needs.build.outputs.final == 'true'"
    assert flow["jobs"]["build"]["outputs"] == {"final": "${{ steps.ready.outputs.final }}"}


def test_site_publishes_the_final_edition_once_nothing_blocks_it(tmp_path: Path):
    """A finished report: final=true, and the public build step makes a site with no workflow data."""
    import drafts
    import readers

    root = readers.copy_sample(tmp_path / "report")
    drafts.finished(root)
    readers.commit_all(root, "Every section agreed")
    output = tmp_path / "output"
    ready = _site_make(root, _site_step("Is the report final?"), GITHUB_OUTPUT=str(output))
    assert ready.returncode == 0 and output.read_text() == "final=true\n", ready.stdout + ready.stderr
    result = _site_make(root, _site_step("Build the public site"), OUT=str(tmp_path / "out"), FORMATS="html")
    assert result.returncode == 0, result.stdout + result.stderr
    manifest = json.loads((tmp_path / "out/manifest.json").read_text())
    assert manifest["final"] is True and manifest["edition"] == "Final"
    site = tmp_path / "out/site"
    assert not (site / "progress").exists() and not (site / "positions").exists()
    home = (site / "index.html").read_text("utf-8")
    assert "How to cite: " in home and "Draft: not for citation" not in home
    assert "report-draft" not in home  # no DRAFT banner


def test_make_ready_fails_on_an_unusable_report(tmp_path: Path):
    (tmp_path / "report.yml").write_text("title: [unclosed\n")
    result = _site_make(tmp_path, _site_step("Is the report final?"), GITHUB_OUTPUT=str(tmp_path / "output"))
    assert result.returncode != 0 and "report.yml" in result.stderr
    assert not (tmp_path / "output").exists()


def test_site_build_adds_the_page_of_changes_since_the_newest_edition_tag(tmp_path: Path):
    import readers
    from gitrepo import GitRepo

    root = readers.copy_sample(tmp_path / "report")
    git = GitRepo(root)
    git.commit("Draft 1", "Alice Admin", "2026-01-01T10:00:00+00:00")
    git.run("tag", "edition-draft-1")
    git.edit("recommendations/affordable-access.md", "A clear target date", "A clear, public target date")
    git.commit("Draft 2", "Alice Admin", "2026-02-01T10:00:00+00:00")
    git.run("tag", "edition-draft-2")
    git.edit(
        "recommendations/affordable-access.md", "A clear, public target date", "A clear, public, agreed target date"
    )
    result = _site_build(root, tmp_path / "out")
    assert result.returncode == 0, result.stdout + result.stderr
    manifest = json.loads((tmp_path / "out/manifest.json").read_text())
    assert manifest["redline"] == {
        "ref": "edition-draft-2",
        "commit": git.run("rev-parse", "edition-draft-2").strip(),
        "formats": ["html"],
    }
    page = (tmp_path / "out/site/changes/index.html").read_text("utf-8")
    assert "What changed since the last edition" in page and "Compared with edition-draft-2" in page
    # Words carry their punctuation: "public" became "public, agreed" (since edition-draft-2 only).
    assert "<del>public</del><ins>public, agreed</ins>" in page
    # The PDF and DOCX stay the working draft's: its own open points as tracked changes, none of the redline's.
    document = zipfile.ZipFile(tmp_path / "out/panel-report.docx").read("word/document.xml")
    assert b'w:author="Changes since' not in document and b"<w:ins " in document


def test_site_build_without_an_edition_tag_has_no_page_of_changes(tmp_path: Path):
    import readers

    root = readers.copy_sample(tmp_path / "report")
    readers.commit_all(root)
    result = _site_build(root, tmp_path / "out", FORMATS="html")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "redline" not in json.loads((tmp_path / "out/manifest.json").read_text())
    assert not (tmp_path / "out/site/changes").exists()


def run_edition_step(checkout: Path, tag: str, out: Path) -> subprocess.CompletedProcess:
    """Run the release workflow's build step as written, with the tag it would get."""
    step = next(s for s in load("edition.yml")["jobs"]["release"]["steps"] if s.get("name") == "Build the edition")
    env = {**os.environ, "TAG": tag, "OUT": str(out), "VENV": str(BIN.parent), "CI": "true"}  # see copy_make_files
    return subprocess.run(
        ["bash", "-euo", "pipefail", "-c", step["run"]], cwd=checkout, env=env, capture_output=True, text=True
    )


def test_edition_tag_script_builds_that_edition(checkout, tmp_path: Path):
    result = run_edition_step(checkout, "edition-draft-3", tmp_path / "out")
    assert result.returncode == 0, result.stdout + result.stderr
    manifest = (tmp_path / "out" / "manifest.json").read_text()
    assert '"edition": "draft-3"' in manifest and '"final": false' in manifest
    assert {p.name for p in (tmp_path / "out").iterdir()} >= {"panel-report.pdf", "panel-report.docx", "site"}


def test_a_final_tag_on_unfinished_text_is_refused(checkout, tmp_path: Path):
    """The sample is a draft: a final edition of it is refused, blocker by blocker, and no release."""
    result = run_edition_step(checkout, "edition-final", tmp_path / "out")
    assert result.returncode != 0
    assert "chapters/03-individuals-societies.md:5:1: error [final.unagreed] Chapter 3 is 'draft'" in result.stderr
    assert "report: final edition refused:" in result.stderr
    assert "error [final.open-mark]" in result.stderr  # the open points too (test_negotiated)
    assert not (tmp_path / "out").exists()


def test_pre_commit_hook_runs_report_check_on_committed_files(copy_report):
    config = yaml.safe_load((REPO / ".pre-commit-config.yaml").read_text())
    hook = config["repos"][0]["hooks"][0]
    assert hook["entry"] == ".venv/bin/report check" and hook["pass_filenames"] is True
    pattern = re.compile(hook["files"])
    assert pattern.search("chapters/01-introduction.md") and pattern.search("roster.yml")
    assert not pattern.search("tools/reportkit/cli.py")
    root = copy_report(REPO)
    bad = root / "recommendations/help-desks.md"
    bad.write_text(bad.read_text().replace("owner: ", "owner: x", 1))
    entry = [str(BIN / "report"), "check"]
    clean = subprocess.run(entry + ["chapters/01-introduction.md"], cwd=root, capture_output=True, text=True)
    assert clean.returncode == 0 and clean.stdout == ""
    dirty = subprocess.run(entry + ["recommendations/help-desks.md"], cwd=root, capture_output=True, text=True)
    assert dirty.returncode == 1
    assert dirty.stdout.startswith("recommendations/help-desks.md:4:1: error [owner.unknown]")


def test_review_routing_is_written_even_when_the_check_fails():
    steps = load("pull-request.yml")["jobs"]["check"]["steps"]
    names = [s.get("name", "") for s in steps]
    check = next(i for i, n in enumerate(names) if n.startswith("Check"))
    review = next(i for i, n in enumerate(names) if n.startswith("Who must approve"))
    assert check < review and steps[review]["if"] == "${{ !cancelled() }}"
