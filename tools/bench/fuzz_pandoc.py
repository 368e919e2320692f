"""Look for markup pandoc reads slowly that the check lets through: every pattern of a few symbols,
repeated in one paragraph, timed through pandoc's reader (a report, never a failure).

Usage: python tools/bench/fuzz_pandoc.py [--length 3] [--repeat 40] [--seconds 0.3] [--limit 3]

Patterns the scan refuses (`markdown.excesses`: markup per paragraph, nesting, open link
addresses) are skipped; the rest go to `pandoc -f markdown -t json`, each stopped after --limit
seconds. A pattern slower than --seconds is printed with its time (99 when it was stopped). The
check's general wall for what this finds is the budget on pandoc's reading (`verdict.PARSE_SECONDS`):
past it the paragraph is named. Measured on 2 cores, length 3 over the default symbols: about an
hour; the first third found 65 slow patterns, all brackets around an unmatched emphasis mark or an
escape, or double-then-single opening quotes.
"""

from __future__ import annotations

import argparse
import itertools
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout's reportkit
from reportkit import markdown  # noqa: E402
from reportkit.render.pandoc_ast import READER, pandoc_path  # noqa: E402

SYMBOLS = "[]()\"'<>*_{}!^~`@#:|\\=-+.$&a "


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--symbols", default=SYMBOLS, help="the alphabet of the patterns")
    parser.add_argument("--length", type=int, default=3, help="symbols per pattern")
    parser.add_argument("--repeat", type=int, default=40, help="copies of the pattern (and 'a ') in the paragraph")
    parser.add_argument("--seconds", type=float, default=0.3, help="print the patterns slower than this")
    parser.add_argument("--limit", type=float, default=3.0, help="stop pandoc after this many seconds")
    args = parser.parse_args(argv)
    started, run, refused, slow = time.monotonic(), 0, 0, 0
    for combo in itertools.product(args.symbols, repeat=args.length):
        pattern = "".join(combo)
        if not pattern.strip():
            continue
        text = (pattern + "a ") * args.repeat
        if markdown.excesses(markdown.mask(text)):
            refused += 1
            continue
        run += 1
        spent = _time(text, args.limit)
        if spent > args.seconds:
            slow += 1
            print(f"{pattern!r:>10}  {spent:.2f} s", flush=True)
    print(f"{run} patterns run, {refused} refused by the check, {slow} slow, in {time.monotonic() - started:.0f} s")
    return 0


def _time(text: str, limit: float) -> float:
    started = time.monotonic()
    try:
        subprocess.run(
            [pandoc_path(), "-f", READER, "-t", "json"], input=text.encode(), capture_output=True, timeout=limit
        )
    except subprocess.TimeoutExpired:
        return 99.0
    return time.monotonic() - started


if __name__ == "__main__":
    sys.exit(main())
