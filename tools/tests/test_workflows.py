"""The GitHub workflows: lint-clean, least privilege, pinned, and running only tested commands."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
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
    result = subprocess.run([str(BIN / "actionlint"), "-no-color"], cwd=tmp_path,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_is_real(tmp_path: Path):
    """The linter catches an injection and a bad permission: its silence above means something."""
    (tmp_path / ".github/workflows").mkdir(parents=True)
    (tmp_path / ".github/workflows/bad.yml").write_text(
        "on: pull_request\npermissions: {contents: bogus}\njobs:\n  a:\n    runs-on: ubuntu-24.04\n"
        "    steps:\n      - run: echo \"${{ github.event.pull_request.title }}\"\n")
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    result = subprocess.run([str(BIN / "actionlint"), "-no-color"], cwd=tmp_path,
                            capture_output=True, text=True)
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
    assert targets == {"setup", "check", "review", "build"}
    makefile = (REPO / "Makefile").read_text()
    for target in targets:
        assert re.search(rf"^{target}:", makefile, re.M), target


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """A copy of the repository's report and Makefile, committed: the make targets run there, not in
    the live checkout, and never reinstall the shared environment (its `.installed` is not remade)."""
    import readers

    root = readers.copy_sample(tmp_path / "checkout")
    shutil.copy2(REPO / "Makefile", root / "Makefile")
    shutil.copy2(REPO / "pyproject.toml", root / "pyproject.toml")
    readers.commit_all(root)
    return root


def make(root: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, **env, "VENV": str(BIN.parent)}
    return subprocess.run(["make", "--no-print-directory", "-o", f"{BIN.parent}/.installed", *args], cwd=root,
                          env=environment, capture_output=True, text=True)


def test_make_check_github_format_as_the_workflow_runs_it(checkout):
    result = make(checkout, "check", FORMAT="github")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "::error" not in result.stdout


def test_make_review_markdown_as_the_workflow_runs_it(checkout):
    result = make(checkout, "review", FORMAT="markdown", BASE="HEAD")
    assert result.returncode == 0, result.stderr
    assert "### Review routing (changes since `HEAD`)" in result.stdout
    assert make(checkout, "review").returncode == 2  # BASE is required


def run_edition_step(checkout: Path, tag: str, out: Path) -> subprocess.CompletedProcess:
    """Run the release workflow's build step as written, with the tag it would get."""
    step = next(s for s in load("edition.yml")["jobs"]["release"]["steps"] if s.get("name") == "Build the edition")
    env = {**os.environ, "TAG": tag, "OUT": str(out), "VENV": str(BIN.parent), "CI": "true",
           "MAKEFLAGS": f"-o {BIN.parent}/.installed"}
    return subprocess.run(["bash", "-euo", "pipefail", "-c", step["run"]], cwd=checkout, env=env,
                          capture_output=True, text=True)


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
