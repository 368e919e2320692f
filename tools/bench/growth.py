"""Growth with hostile text: 4x the text may cost `report check` and each edition at most 5x the time.

    .venv/bin/python tools/bench/growth.py [--quick] [--only TEXT] [--steps check,html,pdf+docx]

Each hostile pattern (HOSTILE below) becomes an annex of the test suite's minimal report (with the
sample's mkdocs.yml and web/, so the site is the real one), once repeated n times and once 4n
times. `report check` runs on both, then each edition the pattern stresses: `report build
--formats html` (Python-Markdown) and `report build --formats pdf,docx` (pandoc, Typst); a build
the check refuses costs what the check costs, which is linear too.

The figure is CPU time, the least of up to three runs (fewer once the verdict is settled), each
in a child process forked from a clean server: the child's own time (all threads, Typst's
included) plus its programs' (pandoc). Other jobs on a shared machine barely move it, where they
would double a wall-clock time. A 4n run that spends more than 5x the n time is stopped there (a
CPU timer in the child, RLIMIT_CPU for pandoc): the verdict is known and waiting longer would
only slow the table down. A wall-clock limit guards against a hang, nothing else.

tools/tests/test_growth.py asserts the same figures; here the exit code is 0 whatever they are.
"""

from __future__ import annotations

import argparse
import math
import multiprocessing
import os
import resource
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))  # run from a checkout even without the editable install

FIXTURE = ROOT / "tools" / "tests" / "fixtures" / "minimal"
SITE_PARTS = ("mkdocs.yml", "web")  # from the sample: the HTML edition with its real extensions
HOSTILE_FILE = "annexes/02-hostile.md"
FRONT_MATTER = "---\nid: hostile\ntitle: Hostile\nowner: secretariat\nstatus: draft\n---\n\n"
RATIO = 5.0  # the requirement: 4x the text, at most 5x the time
# Below this, CPU timings of a whole command are within their own noise (allocation, GC, page
# faults); t(n) is taken as at least this much, so a 5 ms step that takes 20 ms at 4n passes.
NOISE_FLOOR = 0.03
HANG_GUARD = 600.0  # seconds of wall clock for one run: only a hang reaches it
# Steps: `report` arguments after --root; the builds write to an --out folder of their own.
STEPS: dict[str, list[str]] = {
    "check": ["check"],
    "html": ["build", "--formats", "html"],
    "pdf+docx": ["build", "--formats", "pdf,docx"],
}
# The child's environment: a fixed date (no git repository here), no banner, no progress lines.
CHILD_ENV = {"SOURCE_DATE_EPOCH": "1560168000", "NO_MKDOCS_2_WARNING": "1", "CI": "1"}
# Imported once by the fork server, so each child starts in milliseconds. Only third-party
# modules: reportkit is imported by each child after it takes its parent's sys.path, so the
# worktree's code is the code measured.
PRELOAD = ["click", "click.testing", "yaml", "jsonschema", "git", "markdown", "pymdownx.critic",
           "mkdocs.commands.build", "mkdocs.config", "material", "pypandoc", "typst"]


@dataclass(frozen=True, eq=False)
class Hostile:
    """A text that grows with k; for each step it stresses, the k of size n there."""

    name: str
    make: Callable[[int], str]
    # step -> repetitions at size n: enough that the stage the pattern aims at takes a good part of
    # the step's time there (a quadratic stage then shows through the step's fixed cost).
    sizes: dict[str, int]
    stage: str  # where it is (or was) super-linear, for the reader of the table

    @property
    def steps(self) -> tuple[str, ...]:
        return tuple(step for step in STEPS if step in self.sizes)

    def text(self, k: int) -> str:
        return self.make(k)


def _run(unit: str, prefix: str = "", suffix: str = "") -> Callable[[int], str]:
    return lambda k: prefix + unit * k + suffix


def _nest(opening: str, middle: str, closing: str) -> Callable[[int], str]:
    return lambda k: opening * k + middle + closing * k


def _headings_with_unknown_anchors(k: int) -> str:
    return "".join(f"## Part {i}\n\nSee [[annex:hostile#nowhere-{i}]] and [this](#nor-here-{i}).\n\n"
                   for i in range(k))


PROSE = ("The Panel met in New York and Geneva. It heard from governments, companies and civil "
         "society, as [[annex:members]] records, and read [the method](../chapters/02-method.md). ")

HOSTILE: tuple[Hostile, ...] = (
    # -- our own scan and checks
    Hostile("link, then spaces", _run(" ", "See [a](", "\n\nEnd."), {"check": 3000},
            "scan: link pattern"),
    Hostile("image, then newlines", _run("\n", "See ![a](", "\n\nEnd."), {"check": 2500},
            "scan: link pattern"),
    Hostile("links with unclosed <target", _run("[a](<"), {"check": 2000}, "scan: link pattern"),
    Hostile("HTML attribute, then spaces", _run(" ", "<a href=", "x>"), {"check": 3000},
            "checks: HTML tokens"),
    Hostile("unknown anchors among many headings", _headings_with_unknown_anchors, {"check": 250},
            "checks: did-you-mean over every anchor"),
    # -- Python-Markdown (the site), and pandoc where it suffers too
    Hostile("run of ![", _run("!["), {"check": 1200, "html": 1200, "pdf+docx": 150},
            "python-markdown, pandoc: unclosed brackets"),
    Hostile("unclosed HTML tags", _run("<a "), {"check": 1500, "html": 1500, "pdf+docx": 1000},
            "python-markdown, pandoc: unclosed '<'"),
    Hostile("apostrophes", _run("' "), {"check": 12000, "html": 12000}, "python-markdown: smarty"),
    Hostile("many paragraphs", _run("A paragraph.\n\n"), {"check": 5000, "html": 5000},
            "python-markdown: blocks of a page, smarty"),
    Hostile("rules without blank lines", _run("- - -\n", "Text\n\n"), {"check": 1500, "html": 1500},
            "python-markdown: lines of a block"),
    Hostile("nested list markers", _run("+ ", suffix="a\n"), {"check": 150, "html": 150, "pdf+docx": 10},
            "python-markdown: recursion; Typst: depth"),
    Hostile("nested emphasis", _nest("*a ", "b", " c*"), {"check": 300, "html": 300},
            "python-markdown: recursion"),
    # -- pandoc and Typst (the PDF and DOCX)
    Hostile("nested brackets", _nest("[a ", "b", "]"), {"check": 3, "pdf+docx": 3}, "pandoc: exponential"),
    Hostile("nested block quotes", _run("> ", suffix="a\n"), {"check": 8, "pdf+docx": 8}, "Typst: depth"),
    Hostile("long word", _run("a"), {"check": 12000, "pdf+docx": 12000}, "pandoc: Typst writer"),
    # -- a control: realistic text, which every step reads in linear time today
    Hostile("prose (control)", _run(PROSE * 4 + "\n\n"), {"check": 60, "html": 60, "pdf+docx": 60},
            "none"),
)


# -- one run in a child process ------------------------------------------------------------------

@dataclass
class Outcome:
    cpu: float | None  # None: stopped before the end
    wall: float
    exit_code: int | None
    output: str = ""
    stopped: str = ""  # "cpu budget" or "hang guard" or "died: ..."


def _cpu() -> float:
    """This process's CPU time (every thread) plus that of its finished programs."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def _child(args: list[str], budget: float | None, conn) -> None:
    """Run `report ARGS` in this process and send back its CPU time, exit code and output."""
    os.setpgrp()  # its own process group, so the hang guard stops pandoc with it
    os.environ.update(CHILD_ENV)
    from click.testing import CliRunner
    from reportkit.cli import main

    if budget is not None:
        # SIGPROF, unhandled, ends this process once it has spent `budget` CPU seconds (all its
        # threads). pandoc does not inherit the timer but inherits RLIMIT_CPU, counted from its
        # own start: it stops a pandoc that alone spends the budget. The run's total then passes
        # the budget, so it counts as stopped (run_report), and the error pandoc's death causes
        # is not read as the text's.
        signal.setitimer(signal.ITIMER_PROF, budget)
        limit = math.ceil(time.process_time() + budget)  # this process has used some already
        resource.setrlimit(resource.RLIMIT_CPU, (limit, limit + 1))
    started, wall = _cpu(), time.perf_counter()
    result = CliRunner().invoke(main, args)
    cpu, wall = _cpu() - started, time.perf_counter() - wall
    output = result.output
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        import traceback

        output += "".join(traceback.format_exception(result.exception))
    conn.send((cpu, wall, result.exit_code, output[-20000:]))
    conn.close()


_CONTEXT: multiprocessing.context.ForkServerContext | None = None


def _context() -> multiprocessing.context.ForkServerContext:
    """A fork server: children fork from a process with no threads (plain fork from a test
    process that has run Typst could copy a lock some other thread held)."""
    global _CONTEXT
    if _CONTEXT is None:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(PRELOAD)
        _CONTEXT = context
    return _CONTEXT


def run_report(args: list[str], budget: float | None = None, guard: float = HANG_GUARD) -> Outcome:
    """`report ARGS` in a child process; a CPU budget in seconds stops it once spent."""
    receive, send = _context().Pipe(duplex=False)
    child = _context().Process(target=_child, args=(args, budget, send), daemon=True)
    started = time.perf_counter()
    child.start()
    send.close()
    message, hung = None, False
    try:
        if receive.poll(guard):
            message = receive.recv()
        else:
            hung = True
    except EOFError:  # the child died without a word (the CPU budget, or a crash)
        pass
    if hung and child.pid is not None and os.getpgid(child.pid) == child.pid:
        os.killpg(child.pid, signal.SIGKILL)  # its own group (setpgrp): the child and its pandoc
    child.join()
    receive.close()
    over = f"cpu budget ({budget:.2f} s)" if budget is not None else ""
    if message is not None:
        cpu, wall, code, output = message
        # Past the budget (pandoc spent it, or the run ended just after), or pandoc stopped by
        # RLIMIT_CPU (pypandoc reports its exit code): the error is ours, not the text's.
        killed = f'exitcode "-{signal.SIGXCPU}"' in output
        if budget is not None and (cpu > budget or killed):
            return Outcome(None, wall, code, output, stopped=over)
        return Outcome(cpu, wall, code, output)
    wall = time.perf_counter() - started
    if hung:
        return Outcome(None, wall, None, stopped=f"hang guard ({guard:.0f} s)")
    if budget is not None and child.exitcode in (-signal.SIGPROF, -signal.SIGXCPU, -signal.SIGKILL):
        return Outcome(None, wall, None, stopped=over)
    return Outcome(None, wall, child.exitcode, stopped=f"died (exit {child.exitcode})")


# -- n against 4n ------------------------------------------------------------------------------

@dataclass
class Growth:
    pattern: Hostile
    step: str
    chars: tuple[int, int]  # the annex's text at n and 4n
    small: list[Outcome] = field(default_factory=list)
    large: list[Outcome] = field(default_factory=list)

    @property
    def t_n(self) -> float | None:
        return min((o.cpu for o in self.small if o.cpu is not None), default=None)

    @property
    def t_4n(self) -> float | None:
        spent = [o.cpu for o in self.large]
        if None in spent:
            return None
        return min((cpu for cpu in spent if cpu is not None), default=None)

    @property
    def bound(self) -> float | None:
        """The most 4n may cost: RATIO times t(n), t(n) taken as at least the noise floor."""
        return None if self.t_n is None else RATIO * max(self.t_n, NOISE_FLOOR)

    @property
    def ratio(self) -> float | None:
        """t(4n) / t(n); when 4n was stopped, the budget it spent is a lower bound."""
        if self.t_n is None:
            return None
        stopped = next((o for o in self.large if o.cpu is None), None)
        spent = self.t_4n if stopped is None else _budget(self.t_n)
        return None if spent is None else spent / max(self.t_n, NOISE_FLOOR)

    @property
    def linear(self) -> bool:
        return self.t_4n is not None and self.bound is not None and self.t_4n <= self.bound

    def problems(self) -> list[str]:
        """What is wrong besides the time: a crash, a traceback, a refusal that names no place."""
        found = []
        for size, outcome in [("n", o) for o in self.small] + [("4n", o) for o in self.large]:
            if outcome.stopped.startswith(("died", "hang")):
                found.append(f"{size}: {outcome.stopped}")
            if outcome.stopped:  # stopped from outside: what it printed says nothing of the text
                continue
            if outcome.exit_code not in (0, 1):
                found.append(f"{size}: exit {outcome.exit_code}: {last_line(outcome.output)}")
            if "Traceback (most recent call last)" in outcome.output:
                found.append(f"{size}: a traceback in the output")
            if outcome.exit_code == 1 and f"{HOSTILE_FILE}:" not in outcome.output:
                found.append(f"{size}: exit 1 without a finding located in {HOSTILE_FILE}: "
                             f"{last_line(outcome.output)}")
        return sorted(set(found))

    def verdict(self) -> str:
        if self.t_n is None:
            return "FAILED at n: " + "; ".join(self.problems())
        if any(o.cpu is None for o in self.large):
            return f"SUPER-LINEAR (4n stopped after {_budget(self.t_n):.1f} s CPU)"
        return "linear" if self.linear else "SUPER-LINEAR"

    def describe(self) -> str:
        """One paragraph for a failing test: sizes, times, exit codes."""
        codes = lambda outcomes: ",".join(str(o.exit_code) if o.cpu is not None else o.stopped
                                          for o in outcomes)
        t_n = "-" if self.t_n is None else seconds(self.t_n)
        t_4n = "-" if self.t_4n is None else seconds(self.t_4n)
        ratio = "-" if self.ratio is None else f"{self.ratio:.1f}x"
        return (f"{self.pattern.name} / {self.step}: {self.chars[0]:,} chars took {t_n} CPU, "
                f"{self.chars[1]:,} chars took {t_4n} ({ratio}, at most {RATIO:.0f}x allowed); "
                f"exit codes n: {codes(self.small)}; 4n: {codes(self.large)}; {self.verdict()}")


def _budget(t_n: float) -> float:
    """CPU seconds a 4n run may spend: a little past RATIO times t(n), it has failed whatever it
    does next (the margin keeps a run that ends right at the bound from being stopped)."""
    return RATIO * max(t_n, NOISE_FLOOR) * 1.1 + 0.1


def last_line(output: str) -> str:
    lines = [line for line in output.splitlines() if line.strip()]
    return lines[-1][:200] if lines else "(no output)"


def seconds(value: float) -> str:
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"


def report_with(dest: Path, text: str) -> Path:
    """The minimal report with the sample's site set-up and `text` as the body of one more annex."""
    shutil.copytree(FIXTURE, dest)
    for part in SITE_PARTS:
        source = ROOT / part
        (shutil.copytree if source.is_dir() else shutil.copy2)(source, dest / part)
    (dest / HOSTILE_FILE).write_text(FRONT_MATTER + text + "\n", "utf-8")
    return dest


def prepare(pattern: Hostile, step: str, work: Path) -> tuple[Path, Path]:
    """The reports at n and at 4n for a step, under work/ (each written once, shared by steps)."""
    slug = "".join(c if c.isalnum() else "-" for c in pattern.name).strip("-")
    roots = []
    for k in (pattern.sizes[step], 4 * pattern.sizes[step]):
        root = work / slug / f"k{k}"
        roots.append(root if root.is_dir() else report_with(root, pattern.text(k)))
    return roots[0], roots[1]


def step_args(step: str, root: Path) -> list[str]:
    args = [*STEPS[step], "--root", str(root)]
    if step != "check":
        args += ["--out", str(root.parent / f"out-{root.name}-{step}")]
    return args


def measure(pattern: Hostile, step: str, work: Path, runs: int = 3) -> Growth:
    """t(n) and t(4n), each the least of up to `runs` runs, run only until the verdict is settled.

    A 4n run over the bound of the first n run, stopped by its budget or twice over, is over the
    bound of any lower t(n): the verdict is settled without the other runs. Otherwise the n runs
    are completed (their least makes the bound strictest) and a near miss at 4n is run again.
    """
    small_root, large_root = roots = prepare(pattern, step, work)
    chars = tuple(len((root / HOSTILE_FILE).read_text("utf-8")) - len(FRONT_MATTER) - 1 for root in roots)
    growth = Growth(pattern, step, chars)  # type: ignore[arg-type]
    growth.small.append(run_report(step_args(step, small_root)))
    for _ in range(runs):
        t_n = growth.t_n
        if t_n is None:
            break
        outcome = run_report(step_args(step, large_root), budget=_budget(t_n))
        growth.large.append(outcome)
        if outcome.cpu is None or outcome.cpu > 2 * RATIO * max(t_n, NOISE_FLOOR):
            break
        while len(growth.small) < runs:
            growth.small.append(run_report(step_args(step, small_root)))
        if growth.linear:
            break
    return growth


# -- the table -----------------------------------------------------------------------------------

def table(rows: list[Growth]) -> str:
    header = ("pattern", "step", "chars n / 4n", "t(n)", "t(4n)", "ratio", "exit n / 4n", "verdict")
    cells = [header]
    for g in rows:
        exits = lambda outcomes: ",".join(sorted({str(o.exit_code) if o.cpu is not None else "-"
                                                  for o in outcomes})) or "-"
        cells.append((g.pattern.name, g.step, f"{g.chars[0]:,} / {g.chars[1]:,}",
                      "-" if g.t_n is None else seconds(g.t_n),
                      "-" if g.t_4n is None else seconds(g.t_4n),
                      "-" if g.ratio is None else (">" if g.t_4n is None else "") + f"{g.ratio:.1f}x",
                      f"{exits(g.small)} / {exits(g.large)}", g.verdict()))
    widths = [max(len(c[i]) for c in cells) for i in range(len(header))]
    lines = [" | ".join(c.ljust(w) for c, w in zip(cells[0], widths)).rstrip(),
             "-+-".join("-" * w for w in widths)]
    lines += [" | ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in cells[1:]]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="one run per size instead of three")
    parser.add_argument("--only", action="append", metavar="TEXT",
                        help="only the patterns whose name holds TEXT (repeatable)")
    parser.add_argument("--steps", default=",".join(STEPS),
                        help=f"comma-separated steps to time (default: {','.join(STEPS)})")
    parser.add_argument("--work", type=Path, help="where the reports go (default: a temporary folder)")
    args = parser.parse_args(argv)
    steps = [s.strip() for s in args.steps.split(",") if s.strip()]
    unknown = sorted(set(steps) - set(STEPS))
    if unknown:
        parser.error(f"unknown step {', '.join(unknown)}; choose from {', '.join(STEPS)}")
    runs = 1 if args.quick else 3
    patterns = [p for p in HOSTILE if not args.only or any(t.lower() in p.name.lower() for t in args.only)]
    work = Path(tempfile.mkdtemp(prefix="growth-", dir=args.work))
    rows: list[Growth] = []
    try:
        for pattern in patterns:
            for step in (s for s in pattern.steps if s in steps):
                print(f"growth: {pattern.name} / {step} ...", file=sys.stderr, flush=True)
                rows.append(measure(pattern, step, work, runs))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"CPU time, least of up to {runs} run{'s' if runs > 1 else ''} per size (fewer once the verdict "
          f"is settled); bound: t(4n) <= {RATIO:.0f} x max(t(n), {NOISE_FLOOR * 1000:.0f} ms); "
          f"{os.cpu_count()} cores; Python {sys.version.split()[0]}")
    print(table(rows))
    failing = [g for g in rows if not g.linear or g.problems()]
    print(f"\n{len(failing)} of {len(rows)} step{'s' if len(rows) != 1 else ''} super-linear or failing"
          + (":" if failing else ""))
    for g in failing:
        print(f"  - {g.describe()}" + "".join(f"\n      {p}" for p in g.problems()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
