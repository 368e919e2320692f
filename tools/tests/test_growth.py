"""Growth: 4x a hostile text costs `report check`, and each edition it reaches, at most 5x the time.

The cases are the patterns of tools/bench/growth.py, which prints the same figures as a table.
Each step is timed in CPU seconds (the least of three runs) in a child process, so the other jobs
of a shared machine do not decide the verdict; a run at 4n that spends more than 5x stops there.
Refusing the text quickly, with a finding located in the file, is linear too: `report build`
then costs what the check costs.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest

# The patterns and the measuring code live with the benchmark, which prints the same figures.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
growth = importlib.import_module("growth")

CASES = [pytest.param(pattern, step, id=f"{pattern.name}-{step}")
         for pattern in growth.HOSTILE for step in pattern.steps]


@pytest.fixture(scope="module")
def work(tmp_path_factory) -> Path:
    """One folder for the module: a report written for one step is read again by the next."""
    return tmp_path_factory.mktemp("growth")


@pytest.mark.parametrize("pattern,step", CASES)
def test_four_times_the_text_costs_at_most_five_times_the_time(pattern, step, work):
    result = growth.measure(pattern, step, work)
    assert result.problems() == [], result.describe()  # exit 0 or 1, a located finding, no traceback
    assert result.linear, result.describe()


# -- the verdict itself, on made-up figures ----------------------------------------------------

def _growth(small: list[float | None], large: list[float | None], codes=(0, 1)):
    pattern = growth.HOSTILE[0]

    def outcome(cpu: float | None, code: int):
        if cpu is None:
            return growth.Outcome(None, 9.0, None, stopped="cpu budget (9.0 s)")
        located = f"{growth.HOSTILE_FILE}:3:1: error [x] y\n" if code == 1 else ""
        return growth.Outcome(cpu, cpu, code, located)

    return growth.Growth(pattern, "check", (100, 400), [outcome(t, codes[0]) for t in small],
                         [outcome(t, codes[1]) for t in large])


@pytest.mark.parametrize("small,large,linear,ratio", [
    ([0.30, 0.25, 0.28], [1.20], True, 4.8),  # the least run at n is the one compared
    ([0.30, 0.25, 0.28], [1.40, 1.30], False, 5.2),
    ([0.004, 0.005, 0.004], [0.12], True, 4.0),  # under the noise floor, n counts as 30 ms
    ([0.004, 0.005, 0.004], [0.16], False, 16 / 3),
    # stopped at its budget: what it spent is a lower bound of the ratio
    ([0.30, 0.25, 0.28], [None], False, (5 * 0.25 * 1.1 + 0.1) / 0.25),
])
def test_the_verdict_compares_the_least_runs_with_a_floor(small, large, linear, ratio):
    result = _growth(small, large)
    assert result.linear is linear
    assert result.ratio == pytest.approx(ratio)
    assert result.verdict().startswith("linear" if linear else "SUPER-LINEAR")


def test_a_crash_a_traceback_or_an_unlocated_refusal_is_a_problem():
    assert _growth([0.1], [0.2]).problems() == []
    crashed = _growth([0.1], [0.2], codes=(0, 3))
    assert crashed.problems() == ["4n: exit 3: (no output)"]
    unlocated = _growth([0.1], [0.2])
    unlocated.large[0].output = "report: build refused\n"
    assert unlocated.problems() == [("4n: exit 1 without a finding located in annexes/02-hostile.md: "
                                     "report: build refused")]
    traced = _growth([0.1], [0.2])
    traced.small[0].output = "Traceback (most recent call last):\n  ...\nRecursionError: maximum\n"
    assert traced.problems() == ["n: a traceback in the output"]
