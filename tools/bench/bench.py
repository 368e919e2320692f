"""Benchmarks of the toolchain against the plain tools it wraps, printed as one table.

    .venv/bin/python tools/bench/bench.py [--quick] [--sizes full|tiny] [--only GROUP] [--cache DIR]

Each time is the median of several runs; a library run and its peer run alternate, so both see
the same machine. Generated reports are cached under .bench/reports/ (keyed by the
generator's source and its parameters); outputs go to .bench/out/. The exit code is 0
whatever the figures: this is a report, not a test.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
import logging
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))  # run from a checkout even without the editable install

from reportkit import checks, generate, history, loader  # noqa: E402
from reportkit.diagnostics import ERROR  # noqa: E402

log = logging.getLogger("bench")
CACHE = ROOT / ".bench"  # not under build/: a build replaces build/ as a whole
BIN = Path(sys.executable).parent


@dataclass(frozen=True)
class Sizes:
    """What each benchmark generates; `full` is the brief's scale, `tiny` a smoke test."""

    runs: int
    check_small: dict  # 10x smaller than check_big, in the same shape
    check_big: dict
    site: dict  # the scaled report for the editions
    history: dict
    per_file_sample: int  # files asked about one by one (the rest is extrapolated)
    axe: bool = True  # axe-core on every page of each built site (about a second a page)


SIZES = {
    # 20 chapters grow from 10 to 100 sections, so the targets a reference names grow too.
    "full": Sizes(
        runs=5,
        check_small=dict(chapters=20, sections=10, recommendations=5, annexes=1, refs_per_section=10),
        check_big=dict(chapters=20, sections=100, recommendations=50, annexes=10, refs_per_section=10),
        site=dict(chapters=20, sections=10, recommendations=25, annexes=5, refs_per_section=3),
        history=dict(
            chapters=200, sections=5, recommendations=700, annexes=100, refs_per_section=4, commits=5000, authors=12
        ),
        per_file_sample=100,
    ),
    "tiny": Sizes(
        runs=1,
        check_small=dict(chapters=4, sections=1, recommendations=2, annexes=1, refs_per_section=5),
        check_big=dict(chapters=4, sections=10, recommendations=20, annexes=10, refs_per_section=5),
        site=dict(chapters=3, sections=3, recommendations=3, annexes=1, refs_per_section=2),
        history=dict(chapters=10, sections=2, recommendations=8, annexes=2, refs_per_section=2, commits=200, authors=3),
        per_file_sample=5,
        axe=False,
    ),
}


@dataclass
class Row:
    work: str
    value: str
    peer: str = ""
    ratio: str = ""
    target: str = ""
    met: bool | None = None  # None: for information


def median_pair(
    runs: int, ours: Callable[[], object], peer: Callable[[], object] | None = None, warmup: bool = False
) -> tuple[float, float | None]:
    """Medians of `runs` alternating timings of ours and peer (one unmeasured warm-up each if asked)."""
    if warmup:
        ours()
        if peer:
            peer()
    a, b = [], []
    for _ in range(runs):
        started = time.perf_counter()
        ours()
        a.append(time.perf_counter() - started)
        if peer:
            started = time.perf_counter()
            peer()
            b.append(time.perf_counter() - started)
    return statistics.median(a), (statistics.median(b) if b else None)


def seconds(value: float) -> str:
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"


def report_for(cache: Path, name: str, params: dict, seed: int = 2019) -> Path:
    """A generated report, from the cache when the same generator made it with the same sizes."""
    key = hashlib.sha256(Path(generate.__file__).read_bytes() + repr(sorted(params.items())).encode())
    path = cache / "reports" / f"{name}-{key.hexdigest()[:10]}"
    if not path.is_dir():
        staging = path.with_name(f".{path.name}.tmp-{os.getpid()}")
        shutil.rmtree(staging, ignore_errors=True)
        generate.generate(staging, seed=seed, **params)
        os.rename(staging, path)
    return path


def describe(root: Path) -> str:
    report = loader.load(root)
    sections = sum(1 for d in report.documents for h in d.scan.headings if h.level == 2)
    refs = sum(len(d.scan.refs) for d in report.documents)
    return f"{len(report.documents)} files, {sections} sections, {refs} refs"


# -- report check --------------------------------------------------------------------------------


def check_in_process(root: Path) -> None:
    found = checks.run(loader.load(root))
    if any(d.severity == ERROR for d in found):
        raise RuntimeError(f"report check found errors in {root}")


def check_cli(root: Path) -> None:
    done = subprocess.run([str(BIN / "report"), "check", "--root", str(root)], capture_output=True)
    if done.returncode != 0:
        raise RuntimeError(f"report check exited {done.returncode}: {done.stderr.decode()[-300:]}")


def cli_startup() -> None:
    subprocess.run([str(BIN / "report"), "--version"], capture_output=True, check=True)


def peak_memory_mb(command: list[str]) -> float:
    """ru_maxrss of one child, read with wait4 so that no other child counts."""
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command[:2])} exited {process.returncode}")
    return usage.ru_maxrss / 1024  # kilobytes on Linux


def bench_check(sizes: Sizes, runs: int, cache: Path) -> list[Row]:
    rows = []
    startup, _ = median_pair(runs, cli_startup)
    small = report_for(cache, "check-small", sizes.check_small)
    big = report_for(cache, "check-big", sizes.check_big)
    timings = {}
    for label, root in (("sample", ROOT), ("small", small), ("big", big)):
        inproc, cli = median_pair(runs, partial(check_in_process, root), partial(check_cli, root), warmup=True)
        timings[label] = (inproc, cli)
        what = "sample" if root is ROOT else describe(root)
        rows.append(Row(f"check {what}: library", seconds(inproc)))
        rows.append(
            Row(
                f"check {what}: `report check`", seconds(cli), f"startup {seconds(startup)}", "", "<= 1.5 s", cli <= 1.5
            )
        )
    for index, mode in ((0, "library"), (1, "`report check`")):
        small_time, big_time = timings["small"][index], timings["big"][index]
        ratio = big_time / small_time
        rows.append(
            Row(
                f"check 10x content, {mode}: big vs small",
                seconds(big_time),
                f"small {seconds(small_time)}",
                f"{ratio:.1f}x",
                "<= 11x",
                ratio <= 11,
            )
        )
    peak = max(peak_memory_mb([str(BIN / "report"), "check", "--root", str(big)]) for _ in range(min(runs, 3)))
    floor = peak_memory_mb([str(BIN / "report"), "--version"])
    rows.append(
        Row(
            f"check {describe(big)}: peak memory",
            f"{peak:.0f} MB",
            f"startup {floor:.0f} MB",
            "",
            "< 300 MB",
            peak < 300,
        )
    )
    return rows


# -- editions ------------------------------------------------------------------------------------


def build_edition(root: Path, fmt: str, out: Path) -> None:
    from reportkit import build

    build.build(loader.load(root), build.Options(formats=(fmt,), out=out))


def plain_site(root: Path, dest: Path) -> Path:
    """The report's resolved pages as a plain MkDocs project: same theme and extensions, no plugin."""
    import yaml

    from reportkit.render import pages
    from reportkit.render.resolve import render

    report = loader.load(root)
    shutil.rmtree(dest, ignore_errors=True)
    docs = dest / "docs"
    shutil.copytree(root / "web", docs)
    for doc in report.documents:
        (docs / doc.path).parent.mkdir(parents=True, exist_ok=True)
        (docs / doc.path).write_text(render(report, doc, "site"), "utf-8")
    (docs / pages.RECOMMENDATIONS_INDEX).write_text(pages.recommendations_index(report), "utf-8")
    for folder in ("images", "chapters", "recommendations", "annexes"):
        for path in sorted((root / folder).glob("**/*")):
            if path.is_file() and path.suffix != ".md":
                (docs / path.relative_to(root)).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, docs / path.relative_to(root))
    config = yaml.safe_load((root / "mkdocs.yml").read_text("utf-8"))
    config["plugins"] = [
        p for p in config.get("plugins", []) if p != "report" and not (isinstance(p, dict) and "report" in p)
    ]
    config.pop("watch", None)
    config["docs_dir"] = "docs"
    config["site_dir"] = "site"
    # The same pages and navigation as the plugin's, so both sites render the same menus.
    from reportkit import owners

    (docs / pages.PROGRESS).write_text(owners.progress_markdown(owners.rows(report, None)), "utf-8")
    nav = pages.navigation(report)
    config["nav"] = nav
    (dest / "mkdocs.yml").write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True), "utf-8")
    return dest / "mkdocs.yml"


def mkdocs_plain(config_file: Path, site: Path) -> None:
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config

    mkdocs_build(load_config(str(config_file), site_dir=str(site)))


def cite_args(root: Path) -> list[str]:
    """pandoc's own citeproc over references.yml, when the report cites: the plain peer formats the
    citations as the toolchain does (once, with the style report.yml names)."""
    from reportkit.render import citeproc

    if not (root / "references.yml").is_file():
        return []
    return [
        "--citeproc",
        f"--bibliography={root / 'references.yml'}",
        f"--csl={citeproc.style_file(loader.load(root))}",
    ]


def docx_plain(root: Path, source: Path, out: Path) -> None:
    from reportkit.render.pandoc import template
    from reportkit.render.pandoc_ast import READER, pandoc_path

    subprocess.run(
        [
            pandoc_path(),
            "-f",
            READER,
            "-t",
            "docx",
            *cite_args(root),
            "--toc",
            "--toc-depth=2",
            f"--reference-doc={template('reference.docx')}",
            f"--resource-path={root}",
            "-o",
            str(out),
            str(source),
        ],
        check=True,
        capture_output=True,
    )


def pdf_plain(root: Path, source: Path, metadata: list[str], out: Path) -> None:
    """pandoc to Typst, then one compile, from a folder holding the house style and the images."""
    import typst

    from reportkit import style
    from reportkit.render.pandoc import template
    from reportkit.render.pandoc_ast import READER, pandoc_path

    folder = out.with_suffix(".root")
    if not folder.is_dir():
        shutil.copytree(root / "images", folder / "images")
        (folder / "house.typ").write_text(style.typst_preamble(), "utf-8")
    done = subprocess.run(
        [
            pandoc_path(),
            "-f",
            READER,
            "-t",
            "typst",
            *cite_args(root),
            f"--template={template('report.typst')}",
            *metadata,
            str(source),
        ],
        check=True,
        capture_output=True,
    )
    out.write_bytes(
        typst.compile(done.stdout, root=str(folder), ignore_system_fonts=True, font_paths=[str(style.fonts_folder())])
    )


def metadata_args(root: Path) -> list[str]:
    """The template variables the PDF edition passes: the peer compiles the same template."""
    from reportkit import build
    from reportkit.render.pandoc import typst_variables

    report = loader.load(root)
    return typst_variables(report, build.edition_for(report, build.Options()))


def bench_editions(sizes: Sizes, runs: int, cache: Path) -> list[Row]:
    from reportkit.render.resolve import SINGLE, render

    rows = []
    out = cache / "out"
    out.mkdir(parents=True, exist_ok=True)
    scaled = report_for(cache, "site", sizes.site)
    for label, root in (("sample", ROOT), (describe(scaled), scaled)):
        tag = "sample" if root is ROOT else "scaled"
        # HTML: the report plugin's build against MkDocs alone on the already resolved pages.
        try:
            config = plain_site(root, out / f"{tag}-plain-html")
            ours, peer = median_pair(
                runs,
                partial(build_edition, root, "html", out / f"{tag}-html"),
                partial(mkdocs_plain, config, out / f"{tag}-plain-html" / "site"),
                warmup=True,
            )
            rows.append(
                Row(
                    f"HTML edition, {label}",
                    seconds(ours),
                    f"mkdocs {seconds(peer)}",
                    f"{ours / peer:.2f}x",
                    "<= 1.15x",
                    ours / peer <= 1.15,
                )
            )
        except Exception as exc:  # one failing row must not hide the others
            rows.append(failed(f"HTML edition, {label}", exc))
        # The plain tools read the resolved text, its image paths made relative to the report's root.
        loaded = loader.load(root)
        source = out / f"{tag}-single.md"
        # Without the block anchors ([]{#rk_...}) the toolchain adds: a plain run has none.
        source.write_text(
            re.sub(
                r"\[\]\{#rk_[0-9a-f]+_\d+\}",
                "",
                "\n".join(render(loaded, doc, SINGLE).replace("](../", "](") for doc in loaded.documents),
            ),
            "utf-8",
        )
        try:
            ours, peer = median_pair(
                runs,
                partial(build_edition, root, "docx", out / f"{tag}-docx"),
                partial(docx_plain, root, source, out / f"{tag}-plain.docx"),
                warmup=True,
            )
            rows.append(
                Row(
                    f"DOCX edition, {label}",
                    seconds(ours),
                    f"pandoc {seconds(peer)}",
                    f"{ours / peer:.2f}x",
                    "<= 1.2x",
                    ours / peer <= 1.2,
                )
            )
        except Exception as exc:
            rows.append(failed(f"DOCX edition, {label}", exc))
        try:
            metadata = metadata_args(root)
            ours, peer = median_pair(
                runs,
                partial(build_edition, root, "pdf", out / f"{tag}-pdf"),
                partial(pdf_plain, root, source, metadata, out / f"{tag}-plain.pdf"),
                warmup=True,
            )
            rows.append(
                Row(
                    f"PDF edition, {label}",
                    seconds(ours),
                    f"pandoc+typst {seconds(peer)}",
                    f"{ours / peer:.2f}x",
                    "<= 1.2x",
                    ours / peer <= 1.2,
                )
            )
            if root is ROOT:
                rows.append(Row("PDF edition, sample: time", seconds(ours), "", "", "< 5 s", ours < 5))
        except Exception as exc:
            rows.append(failed(f"PDF edition, {label}", exc))
    return rows


# -- history -------------------------------------------------------------------------------------


def git_per_file(root: Path, path: str) -> None:
    subprocess.run(
        ["git", "log", "-M", "--follow", "--format=%an%x1f%aI", "--", path], cwd=root, check=True, capture_output=True
    )


def bench_history(sizes: Sizes, runs: int, cache: Path) -> list[Row]:
    """One log pass against asking git about each file (timed on a sample, scaled to all files)."""
    root = report_for(cache, "history", sizes.history)
    paths = [d.path for d in loader.load(root).documents]
    ours, _ = median_pair(runs, lambda: history.read(root, paths), warmup=True)
    wanted = sizes.per_file_sample if runs >= sizes.runs else max(1, sizes.per_file_sample // 3)
    step = max(1, len(paths) // wanted)
    sample = paths[::step][:wanted]
    started = time.perf_counter()
    for path in sample:
        git_per_file(root, path)
    per_file = (time.perf_counter() - started) / len(sample) * len(paths)
    commits = sizes.history["commits"]
    label = f"history, {len(paths)} files over {commits} commits"
    sampled = f" (from {len(sample)} files)" if len(sample) < len(paths) else ""
    return [
        Row(f"{label}: reportkit.history.read", seconds(ours), "", "", "<= 2 s", ours <= 2),
        Row(
            f"{label}: `git log --follow` per file{sampled}",
            seconds(per_file),
            f"one pass {seconds(ours)}",
            f"{per_file / ours:.0f}x",
            ">= 20x",
            per_file / ours >= 20,
        ),
    ]


# -- the table -----------------------------------------------------------------------------------

# --- the apparatus: citeproc and the accessibility checks -----------------------------------------


def with_citations(source: Path, dest: Path, works: int) -> Path:
    """A copy of a generated report citing `works` works from references.yml, each chapter citing
    several, with an annex that lists them (the generator writes no citations of its own)."""
    import yaml

    if dest.exists():
        return dest
    shutil.copytree(source, dest)
    entries = [
        {
            "id": f"work-{k}",
            "type": "report",
            "title": f"Study number {k} of digital cooperation",
            "author": [{"literal": "United Nations General Assembly"}],
            "number": f"A/RES/{70 + k % 9}/{k}",
            "issued": 2015 + k % 5,
        }
        for k in range(works)
    ]
    (dest / "references.yml").write_text(yaml.safe_dump({"references": entries}, sort_keys=False), "utf-8")
    chapters = sorted((dest / "chapters").glob("*.md"))
    for index, path in enumerate(chapters):
        cited = [f"@work-{k}" for k in range(index, works, len(chapters))]
        text = "".join(f"\nA finding the Panel relies on [{key}].\n" for key in cited)
        path.write_text(path.read_text("utf-8") + text, "utf-8")
    annex = sorted((dest / "annexes").glob("*.md"))[0]
    head, body = annex.read_text("utf-8").split("\n---\n", 1)
    (dest / "annexes" / "99-references.md").write_text(
        re.sub(r"^id: .*$", "id: references-listed", head, flags=re.M)
        + "\nbibliography: true\n---\n\nThe works cited.\n",
        "utf-8",
    )
    return dest


def citeproc_once(root: Path) -> Callable[[], object]:
    """One citeproc run over the judged text, as the build makes it (parsing and judging done once)."""
    import tempfile

    from reportkit.render import citeproc, pandoc_ast

    report = loader.load(root)
    parsed = pandoc_ast.parse(report)
    pandoc_ast.judge(report, parsed, set(report.assets))
    work = Path(tempfile.mkdtemp(prefix="bench-cite-"))
    return lambda: citeproc.run(report, parsed, work)


def typst_compile(source: bytes, root: Path, standards: list[str]) -> None:
    import typst

    from reportkit import style

    typst.compile(
        source,
        root=str(root),
        ignore_system_fonts=True,
        font_paths=[str(style.fonts_folder())],
        pdf_standards=standards,
    )


def axe_every_page(site: Path) -> int:
    """axe-core on every page of a built site in Chromium (the tests' way); the pages' count."""
    sys.path.insert(0, str(ROOT / "tools" / "tests"))
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import sync_playwright

    import browser

    pages = [p for p in browser.site_documents(site) if p.endswith(".html")]
    axe = Axe()
    with browser.serve(site) as origin, sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=browser.find_chromium(), args=browser.CHROMIUM_FLAGS)
        try:
            tab = chromium.new_context(bypass_csp=True).new_page()
            for rel in pages:
                tab.goto(browser.page_url(origin, rel))
                axe.run(tab)
        finally:
            chromium.close()
    return len(pages)


def bench_apparatus(sizes: Sizes, runs: int, cache: Path) -> list[Row]:
    from reportkit.render import citeproc
    from reportkit.render import pandoc as pandoc_render
    from reportkit.verdict import evaluate

    rows, out = [], cache / "out"
    out.mkdir(parents=True, exist_ok=True)
    scaled = with_citations(report_for(cache, "site", sizes.site), cache / "reports" / "site-cited", 200)
    for label, root in (("sample", ROOT), (describe(scaled), scaled)):
        tag = "sample" if root is ROOT else "scaled"
        try:
            cites = sum(len(c) for c in loader.load(root).apparatus.citations.values())
            ours, _ = median_pair(runs, citeproc_once(root), warmup=True)
            rows.append(Row(f"citeproc once, {label} ({cites} citations)", seconds(ours)))
        except Exception as exc:
            rows.append(failed(f"citeproc, {label}", exc))
        try:  # the PDF/UA-1 check Typst makes as it compiles, against the same compile without it
            build_edition(root, "pdf", out / f"{tag}-ua")
            report = loader.load(root)
            verdict = evaluate(report)
            work = out / f"{tag}-ua-root"
            shutil.rmtree(work, ignore_errors=True)
            shutil.copytree(root / "images", work / "images") if (root / "images").is_dir() else work.mkdir()
            from reportkit import style

            (work / "house.typ").write_text(style.typst_preamble(), "utf-8")
            parsed = citeproc.run(report, verdict.parsed, work).parsed  # as the build prints it
            edition = pandoc_render.Edition("bench", "2019-06-10", 1560168000, None)
            source = pandoc_render.typst_source(report, parsed, edition, work, 600).encode("utf-8")
            ours, peer = median_pair(
                runs,
                partial(typst_compile, source, work, ["ua-1"]),
                partial(typst_compile, source, work, []),
                warmup=True,
            )
            rows.append(
                Row(
                    f"Typst compile with PDF/UA-1 check, {label}",
                    seconds(ours),
                    f"without {seconds(peer)}",
                    f"{ours / peer:.2f}x",
                    "<= 1.2x",
                    ours / peer <= 1.2,
                )
            )
        except Exception as exc:
            rows.append(failed(f"PDF/UA-1 compile, {label}", exc))
        if not sizes.axe:
            continue
        try:
            build_edition(root, "html", out / f"{tag}-axe")
            started = time.perf_counter()
            pages = axe_every_page(out / f"{tag}-axe" / "site")
            took = time.perf_counter() - started
            rows.append(
                Row(f"axe-core, every page, {label} ({pages} pages)", seconds(took), f"{seconds(took / pages)} a page")
            )
        except Exception as exc:
            rows.append(failed(f"axe-core, {label}", exc))
    return rows


def failed(work: str, exc: Exception) -> Row:
    """A row that says what failed; the whole error (traceback, a program's own message) goes to stderr."""
    said = str(exc)
    if isinstance(exc, subprocess.CalledProcessError) and exc.stderr:
        said = exc.stderr.decode("utf-8", "replace") if isinstance(exc.stderr, bytes) else str(exc.stderr)
    log.error("%s failed: %s", work, said.strip() or type(exc).__name__, exc_info=exc)
    first = said.strip().splitlines()[0][:80] if said.strip() else ""
    return Row(work, "failed", f"{type(exc).__name__}: {first}", "", "", False)


def table(rows: list[Row]) -> str:
    header = ("work", "value", "peer / floor", "ratio", "target", "met?")
    cells = [header] + [
        (r.work, r.value, r.peer, r.ratio, r.target, "" if r.met is None else ("yes" if r.met else "NO")) for r in rows
    ]
    widths = [max(len(c[i]) for c in cells) for i in range(len(header))]
    lines = [
        " | ".join(c.ljust(w) for c, w in zip(cells[0], widths, strict=True)).rstrip(),
        "-+-".join("-" * w for w in widths),
    ]
    lines += [" | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells[1:]]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs per figure (3, or 1 for tiny)")
    parser.add_argument(
        "--sizes", choices=sorted(SIZES), default="full", help="full: the targets' scale; tiny: a smoke test in seconds"
    )
    parser.add_argument(
        "--cache",
        type=Path,
        default=CACHE,
        help=f"where generated reports and outputs go (default: {CACHE.relative_to(ROOT)})",
    )
    parser.add_argument(
        "--only",
        choices=("check", "editions", "history", "apparatus"),
        action="append",
        help="run only these groups (repeatable)",
    )
    args = parser.parse_args(argv)
    sizes = SIZES[args.sizes]
    runs = min(sizes.runs, 3) if args.quick else sizes.runs
    # MkDocs and the plugin log each page's findings; the table is the output here.
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(name)s: %(levelname)s: %(message)s")
    logging.getLogger("mkdocs").setLevel(logging.ERROR)
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    rows: list[Row] = []
    groups = {"check": bench_check, "editions": bench_editions, "history": bench_history, "apparatus": bench_apparatus}
    for name, run in groups.items():
        if args.only and name not in args.only:
            continue
        print(f"bench: {name} ...", file=sys.stderr, flush=True)
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                rows += run(sizes, runs, args.cache.resolve())
        except Exception as exc:
            rows.append(failed(name, exc))
    print_summary(rows, runs, args.sizes)
    return 0


def print_summary(rows: list[Row], runs: int, sizes: str) -> None:
    """The table of rows, under the conditions it was measured in, and the targets it missed."""
    print(
        f"medians of {runs} run{'s' if runs > 1 else ''}; sizes: {sizes}; "
        f"{os.cpu_count()} cores; Python {sys.version.split()[0]}"
    )
    print(table(rows))
    missed = [r.work for r in rows if r.met is False]
    print(f"\n{len(missed)} target{'s' if len(missed) != 1 else ''} missed" + (":" if missed else ""))
    for work in missed:
        print(f"  - {work}")


if __name__ == "__main__":
    sys.exit(main())
