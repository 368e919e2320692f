"""Growth: how the time of `report check` and of each edition's build grows with its input.

    .venv/bin/python tools/bench/growth.py [--quick] [--runs N] [--only TEXT] [--steps check,html,pdf,docx]

Each subject is a report made at scale 0, 1, 2 and 4: a hostile shape (runs of `![`, `[`, `*`,
`<`, whitespace in links, long lines, lists and quotes nested up to the limit, many footnotes,
many references...) as one more annex of the test suite's minimal report, with the sample's
mkdocs.yml and web/ so that the site is the real one; or the large report `report generate`
writes, its chapters, recommendations and annexes multiplied by the scale. Each step (`report
check`, `report build --formats html`, `pdf`, `docx`) runs on every scale.

The figure is the cost of the input: the CPU time of the whole command at scale m, less the same
command at scale 0 (the fixed cost of starting Python, MkDocs, pandoc and Typst), over that cost
at scale 1. Linear text gives 2 and 4 at 2x and 4x; quadratic gives 4 and 16. The bound is
SLACK times linear. CPU time is that of `report` and of every process it starts (pandoc, the
renderers' fork server and its MkDocs and Typst children), collected by a meter process that
adopts whatever its command leaves behind (Linux's child subreaper) and waits for it all; other
jobs on a shared machine barely move it, where they would double a wall-clock time.

Each point runs once. When a ratio comes near its bound, or past it but not far past, every point
is run again up to --runs times and the medians decide, so one noisy run neither fails nor passes
a subject. A run that spends well past its bound is stopped there (the meter watches the CPU time
of the whole tree, and kills it): the verdict is known. A wall-clock limit guards against a hang,
nothing else. tools/tests/test_growth.py asserts these verdicts; here the exit code is 0 whatever
the figures.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import json
import math
import multiprocessing
import os
import resource
import select
import shutil
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TOOLS = ROOT / "tools"
sys.path.insert(0, str(TOOLS))  # this checkout's reportkit, even without the editable install
from reportkit.markdown import MAX_BRACKETS as BRACKETS  # noqa: E402
from reportkit.markdown import MAX_DEPTH as DEPTH  # noqa: E402
from reportkit.markdown import MAX_OPEN_TARGETS as OPEN_TARGETS  # noqa: E402

FIXTURE = TOOLS / "tests" / "fixtures" / "minimal"
SITE_PARTS = ("mkdocs.yml", "web")  # from the sample: the HTML edition with its real extensions
HOSTILE_FILE = "annexes/02-hostile.md"
FRONT_MATTER = "---\nid: hostile\ntitle: Hostile\nowner: secretariat\nstatus: draft\n---\n\n"

SCALES = (1, 2, 4)
SLACK = 1.5  # linear with room for noise: at most 3x at 2x and 6x at 4x (quadratic: 4x and 16x)
NEAR = 0.75  # a ratio past this share of its bound has every point run again...
DECISIVE = 2.0  # ...unless it is past this many times its bound: no busy neighbour does that to CPU time
# Below this, a cost is within the noise of a whole command (page faults, GC, a busy neighbour):
# the cost at scale 1 is taken as at least this much, or this share of the fixed cost.
FLOOR, FLOOR_SHARE = 0.03, 0.1
HANG_GUARD = 600.0  # seconds of wall clock for one run: only a hang reaches it
STEPS: dict[str, list[str]] = {
    "check": ["check"],
    "html": ["build", "--formats", "html"],
    "pdf": ["build", "--formats", "pdf"],
    "docx": ["build", "--formats", "docx"],
}
# A fixed date (no git repository here), no banner, no progress lines.
CHILD_ENV = {"SOURCE_DATE_EPOCH": "1560168000", "NO_MKDOCS_2_WARNING": "1", "CI": "1"}
PR_SET_CHILD_SUBREAPER = 36


# -- the figures: ratios of costs, and when they are settled ---------------------------------------


def unit_cost(baseline: float, at_one: float) -> float:
    """The cost of scale 1 over the baseline, at least the noise floor."""
    return max(at_one - baseline, FLOOR, FLOOR_SHARE * baseline)


def ratios(baseline: float, times: Mapping[int, float]) -> dict[int, float]:
    """For each scale m, its cost over the baseline divided by that of scale 1 (inf: stopped)."""
    unit = unit_cost(baseline, times[1])
    return {m: max(t - baseline, 0.0) / unit for m, t in times.items() if m != 0}


def over(ratio_at: Mapping[int, float], share: float = 1.0) -> list[int]:
    """The scales whose ratio passes `share` of its bound, SLACK times linear."""
    return [m for m, r in sorted(ratio_at.items()) if r > share * SLACK * m]


def budget(baseline: float, at_one: float, scale: int) -> float:
    """CPU seconds a run at `scale` may spend: past this it has failed whatever it does next."""
    return baseline + 1.5 * SLACK * scale * unit_cost(baseline, at_one) + 0.5


Timer = Callable[[int, float | None], float]  # (scale, CPU budget or None) -> CPU seconds, inf if stopped


def close(ratio_at: Mapping[int, float]) -> bool:
    """Is the verdict close enough to its bound that one noisy run could have decided it?"""
    return bool(over(ratio_at, NEAR)) and not over(ratio_at, DECISIVE)


def settle(time_at: Timer, runs: int, known: Mapping[int, list[float]] | None = None) -> dict[int, list[float]]:
    """CPU times at scale 0 and SCALES: one run each, then up to `runs` each while the verdict is
    close, so that medians decide it. `known` holds runs already made (a shared baseline)."""
    times = {m: list((known or {}).get(m, [])) for m in (0, *SCALES)}

    def one_more(m: int) -> None:
        limit = None if m in (0, 1) else budget(medians(times)[0], medians(times)[1], m)
        times[m].append(time_at(m, limit))

    for m, done in times.items():
        if not done:
            one_more(m)
    while close(ratios_of(times)) and any(len(t) < runs for t in times.values()):
        for m, done in times.items():
            if len(done) < runs:
                one_more(m)
    return times


def medians(times: Mapping[int, list[float]]) -> dict[int, float]:
    return {m: statistics.median(t) for m, t in times.items() if t}


def ratios_of(times: Mapping[int, list[float]]) -> dict[int, float]:
    median = medians(times)
    return ratios(median[0], median)


# -- one run, metered --------------------------------------------------------------------------------


@dataclass
class Run:
    cpu: float  # the whole tree's; inf: stopped past its budget, by the hang guard, or dead
    wall: float
    exit_code: int | None
    output: str = ""
    stopped: str = ""  # "cpu budget ...", "hang guard ...", "died ..."
    own: float = 0.0  # the command's own process and the programs it waited for (pandoc)
    used: float = 0.0  # the whole tree's, stopped or not: what the run cost the machine


Target = Callable[..., tuple[int, str]]  # a module-level function: (exit code, output)


def run_cli(args: list[str]) -> tuple[int, str]:
    """`report ARGS` in this process: its exit code and output (a traceback added if it raised)."""
    from click.testing import CliRunner

    from reportkit.cli import main as report_main

    os.environ.update(CHILD_ENV)
    result = CliRunner().invoke(report_main, args)
    output = result.output
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        import traceback

        output += "".join(traceback.format_exception(result.exception))
    return result.exit_code, output


def _command(target: Target, args: tuple, reply: int) -> None:
    """In the grandchild: run the target, write its outcome, exit."""
    code, output = 3, ""
    try:
        code, output = target(*args)
    except BaseException as exc:  # noqa: BLE001 - reported as the run's outcome, not raised here
        output = f"{type(exc).__name__}: {exc}"
    finally:
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        own = time.process_time() + children.ru_utime + children.ru_stime
        with os.fdopen(reply, "w", encoding="utf-8") as out:
            json.dump({"exit": code, "output": output[-20000:], "own": own}, out)
        os._exit(0)


def tree_cpu(root: int) -> tuple[float, list[int]]:
    """CPU seconds spent so far by root's descendants (living ones from /proc, with what they
    waited for; the others reaped by root), and the living ones' ids."""
    parents, ticks = {}, {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", encoding="ascii", errors="replace") as stat:
                text = stat.read()
        except OSError:  # it ended while we looked
            continue
        fields = text[text.rindex(")") + 2 :].split()  # after the command name, which may hold spaces
        pid = int(entry.name)
        parents[pid] = int(fields[1])
        ticks[pid] = sum(int(value) for value in fields[11:15])  # utime, stime, cutime, cstime
    living, frontier = [], [root]
    while frontier:
        frontier = [pid for pid, parent in parents.items() if parent in frontier]
        living += frontier
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime + sum(ticks[p] for p in living) / os.sysconf("SC_CLK_TCK"), living


def _wait_all(reply: int, budget: float | None) -> tuple[str, list[int], bool]:
    """Read the command's reply and reap every descendant; past the CPU budget, kill them all.
    Returns the reply, the exit statuses, and whether the budget stopped them."""
    chunks, statuses, over, reading = [], [], False, True
    while True:
        if budget is not None and not over and tree_cpu(os.getpid())[0] > budget:
            over = True
            for pid in tree_cpu(os.getpid())[1]:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
        if reading:
            if select.select([reply], [], [], None if budget is None else 0.2)[0]:
                chunk = os.read(reply, 1 << 16)
                chunks.append(chunk)
                reading = bool(chunk)
            continue
        try:
            pid, status = os.waitpid(-1, 0 if budget is None else os.WNOHANG)
        except ChildProcessError:  # the command and all it left behind are done
            break
        if pid:
            statuses.append(status)
        else:
            time.sleep(0.2)
    os.close(reply)
    return b"".join(chunks).decode("utf-8", "replace"), statuses, over


def _meter(target: Target, args: tuple, budget: float | None, connection) -> None:
    """In a fork server's child: fork the command, wait for it and for everything it left behind
    (this process adopts orphans: Linux's child subreaper), and send back their CPU time."""
    os.setsid()  # one group with the command, so that the hang guard ends both
    if ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        connection.send({"error": "cannot become a child subreaper (Linux only)"})
        return
    started = time.perf_counter()
    read, write = os.pipe()
    if os.fork() == 0:  # safe: this process was forked from a server that runs no threads
        os.close(read)
        _command(target, args, write)
    os.close(write)
    reply, statuses, over = _wait_all(read, budget)
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    try:
        outcome = json.loads(reply)
    except ValueError:  # no reply, or half of one: the command was killed
        outcome = {"exit": None, "output": "", "own": math.inf}
    signals = sorted({os.WTERMSIG(s) for s in statuses if os.WIFSIGNALED(s)})
    connection.send(
        {
            **outcome,
            "signals": signals,
            "over": over,
            "cpu": usage.ru_utime + usage.ru_stime,
            "wall": time.perf_counter() - started,
        }
    )


# Imported once by the fork server, so that each run costs what the command costs, not Python's
# start. The renderers (MkDocs, Typst) are not: the build imports them in its own fork server.
PRELOAD = ["click.testing", "reportkit.cli", "reportkit.verdict", "reportkit.build"]
_SERVER: list = []


def _server():
    if not _SERVER:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(PRELOAD)
        _SERVER.append(context)
    return _SERVER[0]


def metered(target: Target, *args: object, budget: float | None = None, guard: float = HANG_GUARD) -> Run:
    """target(*args) in a fresh process, with the CPU time of it and of every process it starts."""
    context = _server()
    receive, send = context.Pipe(duplex=False)
    meter = context.Process(target=_meter, args=(target, args, budget, send))  # not a daemon: it starts processes
    started = time.perf_counter()
    meter.start()
    send.close()
    reply = None
    try:
        if receive.poll(guard):
            reply = receive.recv()
    except EOFError:
        pass
    if reply is None and meter.pid is not None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(meter.pid, signal.SIGKILL)  # the meter's group: it and the command
    meter.join()
    receive.close()
    wall = time.perf_counter() - started
    if reply is None:
        stopped = f"hang guard ({guard:.0f} s)" if wall >= guard else f"died (meter exit {meter.exitcode})"
        return Run(math.inf, wall, None, stopped=stopped)
    if "error" in reply:
        raise RuntimeError(f"growth: {reply['error']}")
    run = Run(reply["cpu"], reply["wall"], reply["exit"], reply["output"], own=reply["own"], used=reply["cpu"])
    if budget is not None and (run.cpu > budget or reply["over"]):
        run.cpu, run.stopped = math.inf, f"cpu budget ({budget:.1f} s)"
    elif run.exit_code is None:
        run.cpu, run.stopped = math.inf, f"died (signals {reply['signals']})"
    return run


def run_report(args: list[str], budget: float | None = None) -> Run:
    guard = HANG_GUARD if budget is None else min(HANG_GUARD, 4 * budget + 60)
    return metered(run_cli, args, budget=budget, guard=guard)


def spin_in_orphan(n: int) -> tuple[int, str]:
    """A command that leaves a child behind to do n * n additions, as a build leaves its renderers'
    fork server: the meter must count that child's time (a calibration for the tests)."""
    if os.fork() == 0:
        total = 0
        for i in range(n * n):
            total += i
        os._exit(0)
    return 0, ""


# -- subjects: the reports at each scale -----------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Subject:
    """A report made at any scale; subjects with the same `baseline` share their scale-0 report."""

    name: str
    make: Callable[[Path, int, str], None]  # (an absent folder, scale, step) -> the report written there
    steps: tuple[str, ...]
    stage: str  # what it stresses (and where it was or is super-linear), for the reader of the table
    baseline: str
    size: Callable[[int, str], int]  # a key for the report at (scale, step): equal keys, equal reports
    mix: Callable[[int], str] | None = None  # its part of WITH_SHAPES's annex at scale m (hostile only)
    tested: bool = True  # by tools/tests/test_growth.py; the others are the benchmark's only


def hostile_report(dest: Path, text: str) -> None:
    """The minimal report with the sample's site set-up and `text` as the body of one more annex."""
    shutil.copytree(FIXTURE, dest)
    for part in SITE_PARTS:
        source = ROOT / part
        (shutil.copytree if source.is_dir() else shutil.copy2)(source, dest / part)
    (dest / HOSTILE_FILE).write_text(FRONT_MATTER + text + "\n", "utf-8")


ALL = tuple(STEPS)
CHECK = ("check",)


def hostile(
    name: str,
    make: Callable[[int], str],
    check: int,
    build: int | None,
    stage: str,
    mix: Callable[[int], str] | bool = True,
    tested: bool = True,
) -> Subject:
    """A shape whose annex at scale m is make(n * m): n is `check` for `report check` and `build`
    for the editions (None: the check refuses the text, so a build costs what the check costs).
    In WITH_SHAPES it takes a sixteenth of the build's n, or what `mix` makes (False: no part)."""
    counts = {"check": check, **{step: build for step in STEPS if step != "check" and build}}

    def size(m: int, step: str) -> int:
        return counts[step] * m

    part = None if not build or mix is False else (mix if callable(mix) else lambda m: make(max(1, build // 16) * m))
    return Subject(
        name,
        lambda dest, m, step: hostile_report(dest, make(size(m, step)) if m else ""),
        tuple(counts),
        stage,
        "hostile",
        size,
        part,
        tested,
    )


def repeat(unit: str, prefix: str = "", suffix: str = "") -> Callable[[int], str]:
    """`unit` n times, between `prefix` and `suffix`."""
    return lambda n: prefix + unit * n + suffix


def nested(opening: str, middle: str, closing: str, copies: int) -> Callable[[int], str]:
    """`copies` paragraphs nested n deep: 4x the scale is 4x as deep, not 4x as many."""
    return lambda n: (opening * n + middle + closing * n + "\n\n") * copies


def numbered(template: str) -> Callable[[int], str]:
    """n copies of a template, each with its own {i}."""
    return lambda n: "".join(template.format(i=i) for i in range(n))


REFS = (
    "See [[rec:first]], [[rec:second|the second]], [[chapter:method#steps]], [[chapter:intro]] "
    "and [[annex:members]]; [the method](../chapters/02-method.md#steps).\n\n"
)
PROSE = (
    "The Panel met in New York and Geneva. It heard from governments, companies and civil "
    "society, as [[annex:members]] records, and read [the method](../chapters/02-method.md). "
)
WORDS = "The Panel met in New York and Geneva, and heard from governments, companies and others. "
# The deepest nesting the check lets through: quotes and lists (DEPTH); brackets, unclosed ones too.
STEP = DEPTH // 4  # nesting subjects go 4, 8, 16 deep at scales 1, 2, 4
BRACKET_STEP = max(BRACKETS // 4, 1)  # brackets: 1, 2, 4 deep


def _generated(dest: Path, m: int, step: str = "", shapes: bool = False) -> None:
    """The generated report at scale m; with `shapes`, every hostile shape's part as one more annex."""
    from reportkit import generate

    if m == 0:  # the least report the generator writes whose site builds: the fixed cost of each step
        generate.generate(dest, chapters=1, sections=1, recommendations=1, annexes=1, refs_per_section=1, seed=2019)
        return
    generate.generate(
        dest, chapters=4 * m, sections=8, recommendations=8 * m, annexes=2 * m, refs_per_section=3, seed=2019
    )
    if shapes:
        parts = [s.mix(m) for s in SUBJECTS if s.mix is not None]
        (dest / HOSTILE_FILE).write_text(FRONT_MATTER + "\n\n".join(parts) + "\n", "utf-8")


SUBJECTS: tuple[Subject, ...] = (
    # -- runs in one paragraph, past the limits: the check refuses them, and must do so in linear time
    hostile("run of ![ (one paragraph)", repeat("![", "Text "), 20000, None, "scan; text.nesting"),
    hostile("run of [ (one paragraph)", repeat("[", "Text "), 10000, None, "scan; ref.syntax"),
    hostile("run of * (one paragraph)", repeat("*a "), 10000, None, "scan; text.complexity"),
    hostile("run of < (one paragraph)", repeat("<a ", "Text "), 10000, None, "scan; text.complexity"),
    hostile("links with unclosed <target", repeat("[a](<"), 2000, None, "scan: link pattern"),
    # -- the same runs, as long as the check lets them be, in many paragraphs: every edition renders them
    hostile(
        "runs of ![ at the limit",
        repeat("Text " + "![" * BRACKETS + "\n\n"),
        60,
        150,
        "python-markdown, pandoc: unclosed brackets",
    ),
    hostile("runs of [ at the limit", repeat("Text " + "[a " * BRACKETS + "\n\n"), 30, 80, "pandoc: unclosed brackets"),
    hostile("runs of * at the limit", repeat("*a " * 450 + "\n\n"), 2, 4, "python-markdown: emphasis"),
    hostile(
        "runs of < at the limit",
        repeat("Text " + "<a " * 900 + "\n\n"),
        2,
        3,
        "python-markdown: unclosed '<' (its cost crosses paragraphs)",
    ),
    hostile(
        "unclosed link addresses at the limit",
        repeat("Text " + "[a](b " * OPEN_TARGETS + "\n\n"),
        30,
        80,
        "pandoc: link addresses never closed",
        tested=False,
    ),
    # -- whitespace in links
    hostile("link, then spaces", repeat(" ", "See [a](", "\n\nEnd."), 3000, 3000, "scan: link pattern"),
    hostile("image, then newlines", repeat("\n", "See ![a](", "End."), 1500, 3000, "scan: link pattern"),
    hostile(
        "link with spaces around its target",
        lambda n: f"See [a]({' ' * n}https://example.org{' ' * n}'t')",
        3000,
        6000,
        "scan: link pattern",
        tested=False,
    ),
    hostile("HTML attribute, then spaces", repeat(" ", "<a href=", "x>"), 1500, 3000, "checks: HTML tokens"),
    # -- long lines
    hostile("long line of prose", repeat(WORDS), 600, 600, "every parser: one block"),
    hostile("long word", repeat("a"), 20000, 10000, "pandoc's Typst writer, Typst"),
    # -- nesting up to the limit: scale 4 is the limit itself
    hostile(
        "lists nested to the limit",
        nested("+ ", "a", "", 60),
        STEP,
        STEP,
        "python-markdown: recursion; Typst: depth",
        mix=lambda m: nested("+ ", "a", "", 4)(STEP * m),
    ),
    hostile(
        "quotes nested to the limit",
        nested("> ", "a", "", 60),
        STEP,
        STEP,
        "Typst: depth",
        mix=lambda m: nested("> ", "a", "", 4)(STEP * m),
    ),
    hostile(
        "brackets nested to the limit",
        nested("[a ", "b", "]", 4),
        BRACKET_STEP,
        BRACKET_STEP,
        "pandoc: backtracking over nested brackets",
        mix=lambda m: nested("[a ", "b", "]", 1)(BRACKET_STEP * m),
    ),
    hostile(
        "emphasis nested deep",
        nested("*a ", "b", " c*", 4),
        50,
        50,
        "python-markdown: recursion",
        mix=lambda m: nested("*a ", "b", " c*", 1)(50 * m),
        tested=False,
    ),
    # -- many of a thing
    hostile(
        "many footnotes",
        lambda n: (
            numbered("A claim.[^n{i}] Another.[^m{i}]\n\n")(n)
            + numbered("[^n{i}]: A note, with *emphasis*.\n\n[^m{i}]: See [the site](https://example.org).\n\n")(n)
        ),
        100,
        150,
        "footnote numbering, pandoc notes",
    ),
    hostile("many references", repeat(REFS), 50, 200, "resolver", mix=False),  # the generated report has its own
    hostile(
        "unknown anchors among many headings",
        numbered("## Part {i}\n\nSee [[annex:hostile#nowhere-{i}]] and [this](#nor-here-{i}).\n\n"),
        120,
        None,
        "checks: did-you-mean over every anchor",
    ),
    hostile("many headings", numbered("## Part {i}\n\nText.\n\n"), 200, 200, "section numbers, ids, toc", tested=False),
    hostile("apostrophes", repeat("' "), 10000, 10000, "python-markdown: smarty", tested=False),
    hostile("prose paragraphs (control)", repeat(PROSE * 4 + "\n\n"), 20, 30, "none", mix=False, tested=False),
    # -- the large report, alone and with a sixteenth of every shape above in one more annex
    Subject(
        "generated report",
        _generated,
        ALL,
        "everything, at the shape of the real report",
        "generated",
        lambda m, step: m,
    ),
)
GENERATED = SUBJECTS[-1]
# The tests build this one (each shape on its own would take minutes); the benchmark builds both.
WITH_SHAPES = Subject(
    "generated report with every shape",
    lambda dest, m, step: _generated(dest, m, shapes=True),
    ALL,
    "the shapes above that every edition renders, a sixteenth of each, in one annex",
    "generated",
    lambda m, step: m,
    tested=True,
)


# -- a subject's growth on one step ------------------------------------------------------------------


@dataclass
class Growth:
    subject: Subject
    step: str
    chars: dict[int, int]  # the input's size in characters at each scale
    times: dict[int, list[float]]
    runs: dict[int, list[Run]] = field(default_factory=dict)

    @property
    def ratios(self) -> dict[int, float]:
        return ratios_of(self.times)

    @property
    def linear(self) -> bool:
        return not over(self.ratios)

    def problems(self) -> list[str]:
        """What is wrong besides the time: a crash, a traceback, a refusal that names no place."""
        found = []
        for m, outcomes in self.runs.items():
            for run in outcomes:
                found += [f"{m}x: {p}" for p in run_problems(run, self.subject.baseline)]
        return sorted(set(found))

    @property
    def spent(self) -> tuple[float, float]:
        """CPU and wall-clock seconds this row took (a shared baseline counts where first run)."""
        finished = [r for rs in self.runs.values() for r in rs]
        return sum(r.used for r in finished), sum(r.wall for r in finished)

    def verdict(self) -> str:
        if math.isinf(medians(self.times)[1]) or math.isinf(medians(self.times)[0]):
            return "FAILED: " + "; ".join(self.problems())
        return "linear" if self.linear else "SUPER-LINEAR at " + ", ".join(f"{m}x" for m in over(self.ratios))

    def describe(self) -> str:
        """One paragraph for a failing test: sizes, times, ratios, exit codes."""
        median = medians(self.times)
        figures = ", ".join(f"{m}x {self.chars[m]:,} chars {seconds(median[m])}" for m in (0, *SCALES))
        shown = ", ".join(f"{m}x: {shown_ratio(self, m)} (at most {SLACK * m:.1f})" for m in SCALES[1:])
        return (
            f"{self.subject.name} / {self.step}: CPU {figures}; cost over scale 1: {shown}; "
            f"exit codes {exits(self.runs)}; {self.verdict()}"
        )


def run_problems(run: Run, kind: str) -> list[str]:
    if run.stopped:  # stopped from outside: what it printed says nothing of the text
        return [run.stopped] if run.stopped.startswith(("died", "hang")) else []
    found = []
    if run.exit_code not in ((0, 1) if kind == "hostile" else (0,)):
        found.append(f"exit {run.exit_code}: {last_line(run.output)}")
    if "Traceback (most recent call last)" in run.output:
        found.append("a traceback in the output")
    if kind == "hostile" and run.exit_code == 1 and f"{HOSTILE_FILE}:" not in run.output:
        found.append(f"exit 1 without a finding located in {HOSTILE_FILE}: {last_line(run.output)}")
    return found


def exits(runs: Mapping[int, list[Run]]) -> str:
    return " ".join(
        f"{m}x:" + ",".join(sorted({str(r.exit_code) if not r.stopped else "-" for r in rs}))
        for m, rs in sorted(runs.items())
    )


def last_line(output: str) -> str:
    lines = [line for line in output.splitlines() if line.strip()]
    return lines[-1][:200] if lines else "(no output)"


def seconds(value: float) -> str:
    if math.isinf(value):
        return "stopped"
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"


class Bench:
    """Reports written once under `work`, and the baselines measured once per step."""

    def __init__(self, work: Path, runs: int):
        self.work, self.runs = work, runs
        self.baselines: dict[tuple[str, str], list[Run]] = {}

    def root(self, subject: Subject, m: int, step: str) -> Path:
        slug = "".join(c if c.isalnum() else "-" for c in subject.name).strip("-")
        root = self.work / (subject.baseline if m == 0 else slug) / f"size{subject.size(m, step)}"
        if not root.is_dir():
            subject.make(root, m, step)
        return root

    def run(self, subject: Subject, step: str, m: int, budget: float | None) -> Run:
        root = self.root(subject, m, step)
        args = [*STEPS[step], "--root", str(root)]
        if step != "check":
            out = root.parent / f"out-{root.name}-{step}"
            shutil.rmtree(out, ignore_errors=True)  # every run builds from nothing, as the first did
            args += ["--out", str(out)]
        return run_report(args, budget)

    def measure(self, subject: Subject, step: str) -> Growth:
        if (subject.baseline, step) not in self.baselines:
            self.run(subject, step, 0, None)  # not counted: the first run also fills caches (files, bytecode)
        shared = self.baselines.setdefault((subject.baseline, step), [])
        runs: dict[int, list[Run]] = {m: ([] if m else shared) for m in (0, *SCALES)}

        def time_at(m: int, budget: float | None) -> float:
            runs[m].append(self.run(subject, step, m, budget))
            return runs[m][-1].cpu

        times = settle(time_at, self.runs, {0: [r.cpu for r in shared]})
        chars = {m: input_chars(self.root(subject, m, step), subject) for m in (0, *SCALES)}
        return Growth(subject, step, chars, times, runs)


def input_chars(root: Path, subject: Subject) -> int:
    """The characters of the text that grows: the hostile annex's body, or every Markdown file."""
    if subject.baseline == "hostile":
        return len((root / HOSTILE_FILE).read_text("utf-8")) - len(FRONT_MATTER) - 1
    return sum(len(p.read_text("utf-8")) for p in root.rglob("*.md"))


# -- the table -------------------------------------------------------------------------------------


def shown_ratio(g: Growth, m: int) -> str:
    """The ratio at scale m; for a run stopped at its budget, the least it can be (">9.2")."""
    median, ratio = medians(g.times), g.ratios[m]
    if math.isinf(median[0]) or math.isinf(median[1]):
        return "-"
    if math.isinf(ratio):
        return f">{(budget(median[0], median[1], m) - median[0]) / unit_cost(median[0], median[1]):.1f}"
    return f"{ratio:.1f}"


def table(rows: list[Growth]) -> str:
    header = (
        "subject",
        "step",
        "chars 1x",
        "t(0)",
        "t(1x)",
        "t(2x)",
        "t(4x)",
        "2x",
        "4x",
        "runs",
        "spent cpu/wall",
        "exit codes",
        "verdict",
    )
    cells: list[tuple[str, ...]] = [header]
    for g in rows:
        median = medians(g.times)
        cells.append(
            (
                g.subject.name,
                g.step,
                f"{g.chars[1]:,}",
                *(seconds(median[m]) for m in (0, *SCALES)),
                shown_ratio(g, 2),
                shown_ratio(g, 4),
                str(max(len(t) for t in g.times.values())),
                "{:.0f}/{:.0f} s".format(*g.spent),
                exits(g.runs),
                g.verdict(),
            )
        )
    widths = [max(len(c[i]) for c in cells) for i in range(len(header))]
    lines = [" | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells]
    lines.insert(1, "-+-".join("-" * w for w in widths))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="one run per point, never more")
    parser.add_argument("--runs", type=int, default=3, help="runs per point when a verdict is close (default 3)")
    parser.add_argument(
        "--only", action="append", metavar="TEXT", help="only the subjects whose name holds TEXT (repeatable)"
    )
    parser.add_argument("--steps", default=",".join(STEPS), help=f"comma-separated, of {','.join(STEPS)}")
    parser.add_argument("--work", type=Path, help="where the reports go (default: a temporary folder)")
    args = parser.parse_args(argv)
    steps = [s.strip() for s in args.steps.split(",") if s.strip()]
    if set(steps) - set(STEPS):
        parser.error(f"unknown step {', '.join(sorted(set(steps) - set(STEPS)))}; choose from {', '.join(STEPS)}")
    runs = 1 if args.quick else max(args.runs, 1)
    subjects = [
        s for s in (*SUBJECTS, WITH_SHAPES) if not args.only or any(t.lower() in s.name.lower() for t in args.only)
    ]
    work = Path(tempfile.mkdtemp(prefix="growth-", dir=args.work))
    rows: list[Growth] = []
    try:
        bench = Bench(work, runs)
        for step in steps:
            for subject in (s for s in subjects if step in s.steps):
                print(f"growth: {subject.name} / {step} ...", file=sys.stderr, flush=True)
                rows.append(bench.measure(subject, step))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(
        f"CPU time of the command and every process it starts, median of up to {runs} run(s) per point; "
        f"2x, 4x: cost over scale 0 relative to scale 1's; linear is 2 and 4, the bound {SLACK:g}x that; "
        f"{os.cpu_count()} cores; Python {sys.version.split()[0]}"
    )
    print(table(rows))
    failing = [g for g in rows if not g.linear or g.problems()]
    print(f"\n{len(failing)} of {len(rows)} super-linear or failing" + (":" if failing else ""))
    for g in failing:
        print(f"  - {g.describe()}" + "".join(f"\n      {p}" for p in g.problems()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
