"""Growth: `report check` and each edition's build cost linear time in hostile and in large input.

The subjects and the metering live with the benchmark (tools/bench/growth.py), which prints the
same figures as a table. Each point is the CPU time of the whole command and of every process it
starts (MkDocs and Typst run in children of the build's fork server), so the other jobs of a
loaded machine do not decide the verdict. The figure is the cost of the input (less the cost of a
near-empty report) at 2x and 4x over 1x, allowed 1.5 times linear (3 and 6; quadratic is 4 and
16); a close verdict is run again and decided by medians of three runs.

Every shape goes through `report check` on its own; each edition is built from the generated
report, alone and with a part of every shape the check lets through in one more annex (the
benchmark also builds each shape on its own, which would take minutes here).
"""

from __future__ import annotations

import importlib
import math
import re
import sys
import time
from pathlib import Path

import pytest

# The subjects and the measuring code live with the benchmark, which prints the same figures.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
growth = importlib.import_module("growth")


@pytest.fixture(scope="module")
def bench(tmp_path_factory) -> growth.Bench:
    """One bench for the module: reports written once, the baseline of each step measured once."""
    return growth.Bench(tmp_path_factory.mktemp("growth"), runs=3)


CHECKED = [pytest.param(s, id=s.name) for s in growth.SUBJECTS if s.tested and "check" in s.steps]


@pytest.mark.parametrize("subject", CHECKED)
def test_the_check_grows_linearly(subject, bench):
    result = bench.measure(subject, "check")
    assert result.problems() == [], result.describe()  # exit 0 or 1, a located finding, no traceback
    assert result.linear, result.describe()


@pytest.mark.parametrize("step", ["html", "pdf", "docx"])
@pytest.mark.parametrize("subject", [growth.GENERATED, growth.WITH_SHAPES], ids=lambda s: s.name)
def test_each_edition_grows_linearly(subject, step, bench):
    result = bench.measure(subject, step)
    assert result.problems() == [], result.describe()
    assert result.linear, result.describe()


# -- the verdict, on made-up figures -----------------------------------------------------------


@pytest.mark.parametrize(
    "times,ratio_at",
    [
        ({0: 1.0, 1: 1.5, 2: 2.0, 4: 3.0}, {1: 1.0, 2: 2.0, 4: 4.0}),  # the fixed cost is taken off
        ({0: 1.0, 1: 1.5, 2: 3.0, 4: 9.0}, {1: 1.0, 2: 4.0, 4: 16.0}),  # quadratic
        ({0: 1.0, 1: 1.01, 2: 1.02, 4: 1.1}, {1: 0.1, 2: 0.2, 4: 1.0}),  # under the floor: 10 % of the fixed cost
        ({0: 0.1, 1: 0.11, 2: 0.12, 4: 0.2}, {1: 1 / 3, 2: 2 / 3, 4: 10 / 3}),  # and at least 30 ms
        ({0: 1.0, 1: 1.5, 2: 2.0, 4: math.inf}, {1: 1.0, 2: 2.0, 4: math.inf}),  # stopped
    ],
)
def test_ratios_are_costs_over_the_fixed_cost(times, ratio_at):
    assert growth.ratios(times[0], times) == pytest.approx(ratio_at)


def test_the_bound_is_one_and_a_half_times_linear():
    assert growth.over({1: 1.0, 2: 3.0, 4: 6.0}) == []
    assert growth.over({1: 1.0, 2: 3.1, 4: 6.1}) == [2, 4]
    assert growth.over({1: 1.0, 2: 2.0, 4: math.inf}) == [4]


def scripted(figures: dict[int, list[float]]):
    """A timer that answers each scale's figures in turn, and the calls it had."""
    calls: list[tuple[int, float | None]] = []

    def time_at(m: int, budget: float | None) -> float:
        calls.append((m, budget))
        return figures[m][sum(1 for c in calls if c[0] == m) - 1]

    return time_at, calls


def test_a_clear_verdict_takes_one_run_per_point():
    time_at, calls = scripted({0: [1.0], 1: [1.5], 2: [2.0], 4: [3.0]})
    times = growth.settle(time_at, runs=3)
    assert [m for m, _ in calls] == [0, 1, 2, 4]
    assert calls[3][1] == pytest.approx(1.0 + 1.5 * 1.5 * 4 * 0.5 + 0.5)  # the 4x run's CPU budget
    assert growth.over(growth.ratios_of(times)) == []


def test_one_slow_run_is_run_again_and_the_medians_decide():
    time_at, calls = scripted(
        {0: [1.0, 1.0, 1.0], 1: [1.5, 1.5, 1.5], 2: [2.0, 2.0, 2.0], 4: [5.0, 3.0, 3.1]}
    )  # a busy neighbour during the first 4x run
    times = growth.settle(time_at, runs=3)
    assert len(calls) == 12
    assert growth.over(growth.ratios_of(times)) == []


def test_a_cost_near_quadratic_fails_on_every_run():
    time_at, calls = scripted({0: [1.0] * 3, 1: [1.5] * 3, 2: [2.4] * 3, 4: [4.5] * 3})
    times = growth.settle(time_at, runs=3)
    assert growth.over(growth.ratios_of(times)) == [4]
    assert len(calls) == 12


def test_a_cost_far_past_its_bound_is_not_run_again():
    time_at, calls = scripted({0: [1.0], 1: [1.5], 2: [3.0], 4: [math.inf]})  # stopped at its budget
    times = growth.settle(time_at, runs=3)
    assert growth.over(growth.ratios_of(times)) == [2, 4]
    assert len(calls) == 4


def test_a_shared_baseline_is_not_measured_again():
    time_at, calls = scripted({1: [1.5], 2: [2.0], 4: [3.0]})
    growth.settle(time_at, runs=3, known={0: [1.0]})
    assert [m for m, _ in calls] == [1, 2, 4]


# -- the verdict, on real time: a deliberately quadratic function fails --------------------------

# The scanner's link pattern as it was: from '(' it tries every split of a run of spaces between
# `\s*`, `\s+` and `\s*`, so the time grows with the square of the run. Possessive quantifiers
# (Python 3.11) never give back what they took: one pass.
QUADRATIC = re.compile(r"\[a\]\(\s*(?P<target>[^\s()]*)(?:\s+\"[^\"]*\")?\s*\)")
LINEAR = re.compile(r"\[a\]\(\s*+(?P<target>[^\s()]*+)(?:\s+\"[^\"]*\")?\s*\)")


def cpu_timer(pattern: re.Pattern, spaces: int):
    def time_at(m: int, budget: float | None) -> float:
        text = "See [a](" + " " * (spaces * m)
        started = time.process_time()
        for _ in range(3 if pattern is LINEAR else 1):  # the linear one is too quick to time once
            pattern.search(text)
        return time.process_time() - started

    return time_at


def test_the_helper_catches_a_quadratic_function():
    times = growth.settle(cpu_timer(QUADRATIC, 3500), runs=3)
    assert 4 in growth.over(growth.ratios_of(times)), times


def test_the_helper_passes_the_same_function_made_linear():
    times = growth.settle(cpu_timer(LINEAR, 300_000), runs=3)
    assert growth.over(growth.ratios_of(times)) == [], times


# -- the meter counts what a command leaves behind -------------------------------------------------


def test_the_meter_counts_an_orphans_time_and_sees_it_grow():
    """A command that leaves a child behind, as a build leaves its renderers' fork server."""

    def time_at(m: int, budget: float | None) -> float:
        return growth.metered(growth.spin_in_orphan, 1200 * m, budget=budget).cpu

    run = growth.metered(growth.spin_in_orphan, 1200)
    assert run.exit_code == 0 and run.own < 0.01  # the command itself returns at once
    assert run.cpu > 0.03  # a million and a half additions, in the orphan
    times = growth.settle(time_at, runs=3)
    assert 4 in growth.over(growth.ratios_of(times)), times


def test_the_meter_counts_the_site_builders_time(tmp_path):
    """MkDocs runs in a child of the build's fork server: most of an HTML build's time is there."""
    growth.hostile_report(tmp_path / "report", "")
    run = growth.run_report(
        ["build", "--root", str(tmp_path / "report"), "--formats", "html", "--out", str(tmp_path / "out")]
    )
    assert run.exit_code == 0, run.output
    assert run.cpu > run.own + 0.3, run


def test_a_run_past_its_budget_is_stopped():
    started = time.perf_counter()
    run = growth.metered(growth.spin_in_orphan, 100_000, budget=1.0)  # 10 billion additions
    assert math.isinf(run.cpu) and run.stopped.startswith("cpu budget"), run
    assert time.perf_counter() - started < 30  # stopped by its CPU limit, not left to the hang guard


# -- the outcome besides the time ---------------------------------------------------------------


def test_a_crash_a_traceback_or_an_unlocated_refusal_is_a_problem():
    located = f"{growth.HOSTILE_FILE}:3:1: error [text.complexity] too much\n"
    assert growth.run_problems(growth.Run(0.1, 0.1, 1, located), "hostile") == []
    assert growth.run_problems(growth.Run(0.1, 0.1, 3, "internal error"), "hostile") == ["exit 3: internal error"]
    assert growth.run_problems(growth.Run(0.1, 0.1, 1, "report: build refused\n"), "hostile") == [
        f"exit 1 without a finding located in {growth.HOSTILE_FILE}: report: build refused"
    ]
    traced = "Traceback (most recent call last):\n  ...\nRecursionError: maximum\n"
    assert "a traceback in the output" in growth.run_problems(growth.Run(0.1, 0.1, 0, traced), "hostile")
    assert growth.run_problems(growth.Run(0.1, 0.1, 1, located), "generated") == [f"exit 1: {located.strip()}"]
