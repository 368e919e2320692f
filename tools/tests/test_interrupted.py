"""Interrupted builds: killed at any moment, a build leaves the previous build/ intact and readable."""

from __future__ import annotations

import hashlib
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import readers

REPORT = str(Path(sys.executable).parent / "report")
# Where to strike: while Python starts, then during each edition (the build says which one it
# starts with --progress), and late in the site's build, just before the swap.
MOMENTS = [(None, 0.05), ("DOCX", 0.0), ("PDF", 0.05), ("HTML", 0.0), ("HTML", 0.3)]


@pytest.fixture(scope="module")
def root(tmp_path_factory) -> Path:
    """A copy of the sample with a good build."""
    root = readers.copy_sample(tmp_path_factory.mktemp("killed") / "report")
    subprocess.run([REPORT, "build", "--root", str(root)], check=True, capture_output=True)
    return root


def assert_readable(build: Path) -> None:
    manifest = json.loads((build / "manifest.json").read_text())
    for output in manifest["outputs"]:
        path = build / output["path"]
        if path.is_file():
            assert hashlib.sha256(path.read_bytes()).hexdigest() == output["sha256"]
    assert (build / "site" / "index.html").is_file()


def start_and_strike(root: Path, sig: signal.Signals, step: str | None, delay: float):
    process = subprocess.Popen(
        [REPORT, "build", "--root", str(root), "--progress"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    seen = []
    if step is not None:
        for line in process.stderr:  # "building DOCX edition...", then PDF, then HTML
            seen.append(line)
            if line.startswith(f"building {step} "):
                break
    time.sleep(delay)
    process.send_signal(sig)
    _, rest = process.communicate(timeout=60)
    return process.returncode, "".join(seen) + rest


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
@pytest.mark.parametrize("step,delay", MOMENTS, ids=[f"{s or 'start'}+{d}s" for s, d in MOMENTS])
def test_killed_build_keeps_the_previous_one(root, sig, step, delay):
    build = root / "build"
    before = readers.tree_state(build)
    chapter = root / "chapters" / "01-introduction.md"
    original = chapter.read_text()
    chapter.write_text(original.replace("Few forces", f"Very few forces ({sig.name} {step} {delay})", 1))
    try:
        returncode, stderr = start_and_strike(root, sig, step, delay)
    finally:
        chapter.write_text(original)
    assert returncode != 0, "the build finished before the signal: strike earlier"
    assert "Traceback" not in stderr
    if sig == signal.SIGTERM and returncode == 130:
        assert "report: interrupted" in stderr
        assert not list(root.glob(".build.staging-*")), "SIGTERM removes its staging folder"
    assert readers.tree_state(build) == before
    assert_readable(build)
    # The next build starts clean, whatever the killed one left behind.
    subprocess.run([REPORT, "build", "--root", str(root)], check=True, capture_output=True)
    assert not list(root.glob(".build.staging-*"))
    assert_readable(build)


def test_the_fork_server_drops_only_the_tracebacks_of_a_parent_gone():
    """A child of the fork server whose build was stopped as it started reads a truncated request:
    no traceback for that (the build said why it stopped), the usual one for anything else. The
    hook is the fork server's only: the build's own process keeps Python's."""
    from reportkit.render import runner

    assert runner.PRELOAD[0] == "reportkit.render.forkserver_quiet"
    code = "import reportkit.render.forkserver_quiet, pickle; pickle.loads(b'\\x80\\x04\\x95')"
    gone = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert gone.returncode == 1 and gone.stderr == ""
    other = subprocess.run(
        [sys.executable, "-c", "import reportkit.render.forkserver_quiet; 1 / 0"], capture_output=True, text=True
    )
    assert other.returncode == 1 and "ZeroDivisionError" in other.stderr
    assert sys.excepthook is sys.__excepthook__
