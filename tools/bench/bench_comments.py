"""Benchmark of `report comments`: 500 comments and 500 tracked changes on the large generated report,
placed on the source, against the target of 2 s.

    .venv/bin/python tools/bench/bench_comments.py [--quick] [--sizes full|tiny] [--cache DIR]

The report is bench.py's `check_big` (2,000 sections, 20,000 references), committed to git and built
as a DOCX once (cached under .bench/comments/, keyed by the generator's and the DOCX writer's
source). The review is written straight into the DOCX's XML: each item sits in its own paragraph,
chosen evenly through the document, so the expected line of each is the line its paragraph's
anchor names. Timed (median of several runs, wall clock and CPU time, with the load average: on a
shared machine the first is the second stretched by the load): the whole reading,
`comments.read_review`, which opens the DOCX, reads its items, loads the edition from git and places
every item; then the same after a later commit that adds a paragraph to the top of every chapter,
so every item is carried forward. The exit code is 0 whatever the figures: a report, not a test.

`make bench` runs it after bench.py.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
import zipfile
from pathlib import Path

from lxml import etree

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
# bench puts the checkout's tools/ on the path: reportkit is this checkout's, installed or not.
import bench  # noqa: E402
from bench import CACHE, SIZES, Row, report_for, seconds, table  # noqa: E402
from reportkit import comments  # noqa: E402
from reportkit.render import docx_contents  # noqa: E402

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
TARGET = 2.0  # seconds, for 500 comments and 500 tracked changes
REVIEWERS = [f"Reviewer {n}" for n in range(1, 11)]
GIT_ENV = {
    "GIT_AUTHOR_NAME": "Bench",
    "GIT_AUTHOR_EMAIL": "bench@example.org",
    "GIT_COMMITTER_NAME": "Bench",
    "GIT_COMMITTER_EMAIL": "bench@example.org",
    "GIT_AUTHOR_DATE": "2019-06-10T12:00:00+00:00",
    "GIT_COMMITTER_DATE": "2019-06-10T12:00:00+00:00",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
}


def w(tag: str) -> str:
    return f"{{{W}}}{tag}"


def git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "commit.gpgsign=false", *args],
        cwd=root,
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, **GIT_ENV},
    ).stdout.strip()


def edition(cache: Path, params: dict) -> tuple[Path, Path]:
    """The generated report in a git repository, and its DOCX edition: made once, then cached."""
    from reportkit import build, loader, render

    sources = b"".join(
        Path(module.__file__).read_bytes()
        for module in (build, render.pandoc, render.docx_facts, render.docx_contents, render.resolve)
    )
    key = hashlib.sha256(sources + repr(sorted(params.items())).encode()).hexdigest()[:10]
    folder = cache / "comments" / key
    root, docx = folder / "report", folder / "report" / "build" / "panel-report.docx"
    if docx.is_file():
        return root, docx
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(report_for(cache, "check-big", params), root)
    (root / ".gitignore").write_text("build/\n")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "The large generated report")
    build.build(loader.load(root), build.Options(formats=("docx",), timeout=3600))
    return root, docx


def _split_run(run, at: int):
    t = run.find(w("t"))
    second = etree.fromstring(etree.tostring(run))
    second.find(w("t")).text = t.text[at:]
    t.text = t.text[:at]
    for piece in (t, second.find(w("t"))):
        piece.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    run.addnext(second)
    return second


def _paragraphs(body) -> list[tuple[object, int, object]]:
    """Paragraphs opening with a block anchor and holding a long plain run: (paragraph, line, run)."""
    found = []
    for p in body.iter(w("p")):
        mark = p.find(w("bookmarkStart"))
        m = docx_contents.hidden_block_anchor(mark.get(w("name"), "")) if mark is not None else None
        run = next((r for r in p.findall(w("r")) if len((r.findtext(w("t")) or "")) >= 40), None)
        if m and run is not None:
            found.append((p, int(m["line"]), run))
    return found


def _item(index: int, run, comments_part, stamp: dict) -> tuple[str, str]:
    """One review item on the middle words of a run: a comment, an insertion or a deletion."""
    middle = _split_run(run, 10)
    _split_run(middle, 20)
    if index % 2 == 0:  # a comment
        ident = str(index)
        start, end = etree.Element(w("commentRangeStart")), etree.Element(w("commentRangeEnd"))
        start.set(w("id"), ident)
        end.set(w("id"), ident)
        middle.addprevious(start)
        middle.addnext(end)
        reference = etree.Element(w("r"))
        etree.SubElement(reference, w("commentReference")).set(w("id"), ident)
        end.addnext(reference)
        comment = etree.SubElement(comments_part, w("comment"), {w("id"): ident, **stamp})
        etree.SubElement(etree.SubElement(etree.SubElement(comment, w("p")), w("r")), w("t")).text = f"Comment {index}"
        return "comment", f"Comment {index}"
    change = etree.Element(w("ins" if index % 4 == 1 else "del"), {w("id"): str(100000 + index), **stamp})
    if index % 4 == 1:  # an insertion after the middle words
        etree.SubElement(etree.SubElement(change, w("r")), w("t")).text = f" inserted {index}"
        middle.addnext(change)
        return "insertion", f" inserted {index}"
    middle.addprevious(change)  # a deletion of the middle words
    change.append(middle)
    middle.find(w("t")).tag = w("delText")
    return "deletion", middle.findtext(w("delText")) or ""


def review(docx: Path, out: Path, count: int) -> dict[tuple[str, str], int]:
    """A copy of the DOCX with `count` items (half comments, half tracked changes), evenly spread;
    each item's kind and text -> the source line its paragraph starts on."""
    with zipfile.ZipFile(docx) as source:
        parts = {info.filename: source.read(info) for info in source.infolist()}
    document = etree.fromstring(parts["word/document.xml"])
    comments_part = etree.fromstring(parts["word/comments.xml"])
    candidates = _paragraphs(document.find(w("body")))
    step = max(len(candidates) // count, 1)
    expected = {}
    for index, (_, line, run) in enumerate(itertools.islice(candidates, 0, step * count, step)):
        stamp = {w("author"): REVIEWERS[index % len(REVIEWERS)], w("date"): "2026-03-02T10:00:00Z"}
        expected[_item(index, run, comments_part, stamp)] = line
    parts["word/document.xml"] = etree.tostring(document, xml_declaration=True, encoding="UTF-8")
    parts["word/comments.xml"] = etree.tostring(comments_part, xml_declaration=True, encoding="UTF-8")
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)
    return expected


def later_commit(root: Path) -> Path:
    """A copy of the repository with one more commit: a paragraph at the top of every chapter."""
    moved = root.with_name("report-later")
    shutil.rmtree(moved, ignore_errors=True)
    shutil.copytree(root, moved, symlinks=True)
    for path in sorted((moved / "chapters").glob("*.md")):
        text = path.read_text("utf-8")
        end = text.index("\n---\n", 4) + 5
        path.write_text(text[:end] + "\nA paragraph added after the edition.\n" + text[end:], "utf-8")
    git(moved, "commit", "-q", "-am", "A paragraph at the top of every chapter")
    return moved


def check(reading: comments.Reading, expected: dict[tuple[str, str], int], shift: int) -> str:
    """How many items were placed, and how many on the line expected (chapters shifted by a later commit)."""
    placed = [p for p in reading.results if p.now is not None]
    on_line = sum(
        1
        for p in placed
        if p.now is not None
        and p.now.line
        == expected.get((p.item.kind, p.item.text), -9) + (shift if p.now.path.startswith("chapters/") else 0)
    )
    statuses: dict[str, int] = {}
    for p in reading.results:
        statuses[p.status] = statuses.get(p.status, 0) + 1
    return f"{len(placed)}/{len(reading.results)} placed, {on_line} on their line; " + ", ".join(
        f"{n} {s}" for s, n in sorted(statuses.items())
    )


def run(sizes_name: str, runs: int, cache: Path) -> list[Row]:
    sizes = SIZES[sizes_name]
    count = 1000 if sizes_name == "full" else 40
    root, docx = edition(cache, sizes.check_big)
    reviewed = docx.parent.parent.parent / "reviewed.docx"
    expected = review(docx, reviewed, count)
    rows = []
    for label, where, shift in (
        ("at the edition's commit", root, 0),
        ("carried forward to a later commit", later_commit(root), 2),
    ):
        comments.read_review(where, reviewed)  # warm-up: the file system's and git's caches
        walls, cpus, reading = [], [], None
        for _ in range(runs):
            started, used = time.perf_counter(), cpu_seconds()
            reading = comments.read_review(where, reviewed)
            walls.append(time.perf_counter() - started)
            cpus.append(cpu_seconds() - used)
        assert reading is not None
        wall, cpu = statistics.median(walls), statistics.median(cpus)
        what = f"comments: {count // 2} comments + {count // 2} changes, {label}"
        rows.append(Row(what, seconds(wall), check(reading, expected, shift), "", f"<= {TARGET:g} s", wall <= TARGET))
        rows.append(
            Row(
                f"{what}: CPU time (ours and git's)",
                seconds(cpu),
                f"load average {os.getloadavg()[0]:.1f}",
                "",
                f"<= {TARGET:g} s",
                cpu <= TARGET,
            )
        )
    return rows


def cpu_seconds() -> float:
    """CPU time of this process and of the children it waited for (git)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="3 runs instead of 5")
    parser.add_argument("--sizes", choices=sorted(SIZES), default="full")
    parser.add_argument("--cache", type=Path, default=CACHE)
    args = parser.parse_args(argv)
    runs = 3 if args.quick else SIZES[args.sizes].runs
    print("bench: comments ...", file=sys.stderr, flush=True)
    try:
        rows = run(args.sizes, runs, args.cache.resolve())
    except Exception as exc:  # noqa: BLE001 (a report, never a failure)
        rows = [bench.failed("comments", exc)]
    print(f"medians of {runs} runs; sizes: {args.sizes}; {os.cpu_count()} cores; Python {sys.version.split()[0]}")
    print(table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
