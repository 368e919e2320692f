"""Shared test helpers: where the sample report and the fixture reports are, and how to copy one."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import readers

# The repository root holds the real sample report.
SAMPLE_ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
# What makes up a report; copying only these keeps the repository's tools, build and .git out.
REPORT_PARTS = (
    "report.yml",
    "roster.yml",
    "glossary.yml",
    "references.yml",
    "chapters",
    "recommendations",
    "annexes",
    "images",
)


@pytest.fixture(scope="session")
def sample(tmp_path_factory) -> readers.SampleBuild:
    """The sample report, committed and built with `report build` (all formats): once per session."""
    return readers.sample_build(tmp_path_factory)


@pytest.fixture
def sample_root() -> Path:
    return SAMPLE_ROOT


@pytest.fixture
def fixtures_dir() -> Path:
    return FIXTURES


@pytest.fixture
def copy_report(tmp_path: Path):
    """Return copy(src, name="report") -> Path: a writable copy of a report's parts under tmp_path."""

    def copy(src: Path, name: str = "report") -> Path:
        dest = tmp_path / name
        dest.mkdir()
        for part in REPORT_PARTS:
            if (src / part).is_dir():
                shutil.copytree(src / part, dest / part, symlinks=True)
            elif (src / part).exists():
                shutil.copy2(src / part, dest / part)
        return dest

    return copy
