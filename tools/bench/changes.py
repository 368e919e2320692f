"""Benchmarks of what changed between drafts: `report diff` on a large history, the redline build of the sample.

    .venv/bin/python tools/bench/changes.py [--quick] [--sizes full|tiny] [--cache DIR]

`make bench` runs it after bench.py, and prints its own table in the same shape:

- `report diff` between the first and the last commit of the generated 2,000-section report (the
  sizes of bench.py's `check_big`, with a history of 100 commits: most files differ, one is
  renamed), run as the command a Secretariat member types; target: at most 2 s;
- the redline build of the sample (all three editions, against Draft 2 with the next draft of
  tools/tests/drafts.py in the working tree) against a normal build of the same working tree;
  target: at most 1.5 times the normal build.

Times are medians; the redline and the normal build alternate. Generated reports come from
bench.py's cache (`.bench/reports/`); the exit code is 0 whatever the figures.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parents[0] / "tests"))  # the next draft of the sample (drafts.py)

import bench  # noqa: E402
from bench import BIN, CACHE, SIZES, Row, failed, median_pair, report_for, seconds  # noqa: E402
from reportkit import build, loader  # noqa: E402

DIFF_COMMITS = {"full": 100, "tiny": 10}
DIFF_TARGET = 2.0  # seconds
REDLINE_TARGET = 1.5  # times the normal build


def _git(root: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_AUTHOR_NAME": "bench",
        "GIT_AUTHOR_EMAIL": "bench@example.invalid",
        "GIT_COMMITTER_NAME": "bench",
        "GIT_COMMITTER_EMAIL": "bench@example.invalid",
        "GIT_AUTHOR_DATE": "2019-06-10T12:00:00+00:00",
        "GIT_COMMITTER_DATE": "2019-06-10T12:00:00+00:00",
    }
    return subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True, text=True).stdout.strip()


def diff_cli(root: Path, first: str, last: str) -> None:
    done = subprocess.run(
        [str(BIN / "report"), "diff", "--root", str(root), "--format", "json", first, last],
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"report diff exited {done.returncode}: {done.stderr.decode()[-300:]}")


def bench_diff(sizes_name: str, runs: int, cache: Path) -> list[Row]:
    """`report diff` between the first and last commits of the generated 2,000-section report."""
    params = {**SIZES[sizes_name].check_big, "commits": DIFF_COMMITS[sizes_name]}
    root = report_for(cache, "diff-history", params)
    first, last = _git(root, "rev-list", "--max-parents=0", "HEAD"), _git(root, "rev-parse", "HEAD")
    changed = len(_git(root, "diff", "--name-only", first, last).splitlines())
    from reportkit import diff

    def in_process() -> None:
        diff.compare(diff.read_side(root, first), diff.read_side(root, last))

    library, cli = median_pair(runs, in_process, lambda: diff_cli(root, first, last), warmup=True)
    what = f"diff, {bench.describe(root)}, {changed} files changed over {params['commits']} commits"
    return [
        Row(f"{what}: library", seconds(library)),
        Row(f"{what}: `report diff`", seconds(cli), "", "", f"<= {DIFF_TARGET:g} s", cli <= DIFF_TARGET),
    ]


def sample_in_two_drafts(cache: Path) -> Path:
    """The sample committed as Draft 2 (tag edition-draft-2), the next draft in its working tree."""
    import drafts
    import readers

    root = cache / "redline-sample"
    shutil.rmtree(root, ignore_errors=True)
    readers.copy_sample(root)
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "Draft 2")
    _git(root, "tag", "edition-draft-2")
    drafts.next_draft(root)
    return root


def bench_redline(runs: int, cache: Path, warmup: bool = True) -> list[Row]:
    """The three editions of the sample with --redline against the same three without (--quick: no
    unmeasured warm-up builds, the most expensive part of this bench)."""
    root = sample_in_two_drafts(cache)
    out = cache / "out"

    def editions(redline: str | None) -> None:
        build.build(loader.load(root), build.Options(out=out / ("redline" if redline else "normal"), redline=redline))

    redline, normal = median_pair(runs, lambda: editions("edition-draft-2"), lambda: editions(None), warmup=warmup)
    ratio = redline / normal
    return [
        Row(
            "redline build of the sample (html, pdf, docx)",
            seconds(redline),
            f"normal {seconds(normal)}",
            f"{ratio:.2f}x",
            f"<= {REDLINE_TARGET:g}x",
            ratio <= REDLINE_TARGET,
        )
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs per figure (3, or 1 for tiny)")
    parser.add_argument("--sizes", choices=sorted(SIZES), default="full")
    parser.add_argument("--cache", type=Path, default=CACHE)
    args = parser.parse_args(argv)
    sizes = SIZES[args.sizes]
    runs = min(sizes.runs, 3) if args.quick else sizes.runs
    logging.getLogger("mkdocs").setLevel(logging.ERROR)
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    os.environ.pop("SOURCE_DATE_EPOCH", None)
    cache = args.cache.resolve()
    rows: list[Row] = []
    for name, run in (
        ("diff", lambda: bench_diff(args.sizes, runs, cache)),
        ("redline", lambda: bench_redline(runs, cache, warmup=not args.quick)),
    ):
        print(f"bench: {name} ...", file=sys.stderr, flush=True)
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                rows += run()
        except Exception as exc:  # noqa: BLE001 - one failing group must not hide the other
            rows.append(failed(name, exc))
    bench.print_summary(rows, runs, args.sizes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
