"""The toolchain leaves the process it runs in as it found it, and `report check` starts where the
build's platform-specific modules cannot be imported (the pre-commit hook runs on Windows laptops)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

import readers
from conftest import SAMPLE_ROOT

TOOLS = Path(__file__).resolve().parents[1]


@pytest.fixture
def no_fcntl(tmp_path) -> dict[str, str]:
    """An environment whose Python cannot import fcntl, as on Windows: a sitecustomize makes the
    import fail before anything else runs."""
    shim = tmp_path / "shim"
    shim.mkdir()
    (shim / "sitecustomize.py").write_text("import sys\nsys.modules['fcntl'] = None  # import fcntl fails\n")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONSTARTUP", "PYTHONHOME")}
    env["PYTHONPATH"] = os.pathsep.join([str(shim), str(TOOLS)])
    control = subprocess.run([sys.executable, "-c", "import fcntl"], env=env, capture_output=True, text=True)
    assert control.returncode == 1 and "import of fcntl halted" in control.stderr, control.stderr
    return env


@pytest.mark.parametrize(
    "args",
    [
        ["check"],
        ["check", "--format", "json"],
        ["owners"],
        ["progress"],
        ["review", "--base", "HEAD"],
    ],
    ids=" ".join,
)
def test_commands_that_read_start_without_fcntl(no_fcntl, args):
    done = subprocess.run(
        [sys.executable, "-m", "reportkit.cli", *args, "--root", str(SAMPLE_ROOT)],
        env=no_fcntl,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr and "fcntl" not in done.stderr
    if args == ["check"]:
        assert "no problems found" in done.stderr


def test_build_without_fcntl_is_refused_with_a_reason(no_fcntl, tmp_path):
    """The lock needs fcntl; without it only `report build` fails, and it says why."""
    root = readers.copy_sample(tmp_path / "report")
    done = subprocess.run(
        [sys.executable, "-m", "reportkit.cli", "build", "--root", str(root), "--formats", "docx"],
        env=no_fcntl,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 1
    assert "locks its output folder with fcntl" in done.stderr and "Traceback" not in done.stderr
    assert not (root / "build").exists()


def _state() -> tuple[object, dict[str, str], str]:
    return signal.getsignal(signal.SIGTERM), dict(os.environ), os.getcwd()


def test_a_build_in_process_leaves_signals_environment_and_folder_as_they_were(tmp_path):
    root = readers.copy_sample(tmp_path / "report")
    readers.commit_all(root)
    before = _state()
    os.environ["SOURCE_DATE_EPOCH"] = "1560902400"  # pandoc reads it; the builder passes its own
    try:
        middle = _state()
        result = readers.run_report("build", "--root", str(root), "--formats", "docx")
        assert result.exit_code == 0, result.output
        assert _state() == middle
    finally:
        del os.environ["SOURCE_DATE_EPOCH"]
    assert _state() == before


def test_a_failed_build_in_process_also_restores_the_sigterm_handler(tmp_path):
    root = readers.copy_sample(tmp_path / "report")
    (root / "chapters" / "01-introduction.md").write_text("---\nid: [broken\n---\n", "utf-8")
    before = _state()
    result = readers.run_report("build", "--root", str(root), "--formats", "docx")
    assert result.exit_code == 1, result.output
    assert _state() == before
