"""Editions: judge, render every format into a staging folder, then swap it in atomically.

The previous build stays untouched until the new one is complete: a failed, refused, killed or
interrupted build leaves `build/` exactly as it was. A lock keeps two builds from running at once.
The renderers work in a sandbox inside the staging folder (`.work/`) that holds copies of the
validated assets only, and run as child processes that a time limit or a signal ends.
"""

from __future__ import annotations

import errno
import hashlib
import json
import logging
import os
import re
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from . import assets as asset_files
from . import final, gitio, paths, since, verdict
from .diagnostics import ERROR, Diagnostic
from .model import Report
from .render import changes_page, citeproc, pandoc_ast, redline, runner, site_plan
from .render.pandoc import Edition, RenderError, heading_pages, write_docx, write_pdf

log = logging.getLogger(__name__)

FORMATS = ("html", "pdf", "docx")
BASENAME = "panel-report"
RENAME_EXCHANGE = 2
WORK = ".work"


class BuildError(Exception):
    """The build could not be made; the previous build is untouched. Diagnostics locate the cause."""

    def __init__(self, message: str, diagnostics: list[Diagnostic] | None = None):
        super().__init__(message)
        self.diagnostics = diagnostics or []


class BuildRefused(BuildError):
    """The verdict found errors: nothing was built."""

    def __init__(self, diagnostics: list[Diagnostic]):
        errors = [d for d in diagnostics if d.severity == ERROR]
        super().__init__(
            f"build refused: `report check` found {len(errors)} "
            f"error{'s' if len(errors) != 1 else ''}; fix them and build again",
            diagnostics,
        )


class FinalRefused(BuildError):
    """`--final` and something still blocks the final edition (an unagreed section, a placeholder)."""

    def __init__(self, blockers: list[Diagnostic]):
        super().__init__(
            f"final edition refused: {len(blockers)} blocker{'s' if len(blockers) != 1 else ''} "
            "remain; resolve them, or rehearse with --final --force",
            blockers,
        )


class BuildLocked(BuildError):
    """Another build of the same output folder is running."""


@dataclass
class Options:
    edition: str | None = None
    final: bool = False
    formats: tuple[str, ...] = FORMATS
    out: Path | None = None  # default: <root>/build
    timeout: float = runner.DEFAULT_TIMEOUT  # seconds each renderer may take
    force: bool = False  # with final: build despite the blockers (a rehearsal), listing each
    redline: str | None = None  # a git ref: every edition shows the changes since it
    changes_page: str | None = None  # a git ref: only the site shows the changes since it, on a page


@dataclass
class Result:
    out: Path
    manifest: dict
    timings: dict[str, float] = field(default_factory=dict)
    warnings: list[Diagnostic] = field(default_factory=list)
    overridden: list[Diagnostic] = field(default_factory=list)  # blockers a forced final build ignored
    degraded: list[str] = field(default_factory=list)  # what an edition lacks, e.g. "DOCX: page headers"


def edition_for(report: Report, options: Options) -> Edition:
    """Name, date and commit of the edition; the date comes from the commit so rebuilds match."""
    commit, epoch, uncommitted, why_none = gitio.edition_facts(report.root)
    if why_none:  # the build goes on: the manifest names no commit and the files give the date
        log.warning("the edition names no commit: %s", why_none)
    given = os.environ.get("SOURCE_DATE_EPOCH", "")  # set but empty means not set, as most tools read it
    if given:
        # ASCII digits only: str.isdigit alone takes '²' and other scripts' digits.
        if not (given.isascii() and given.isdigit() and len(given) <= 12):
            raise BuildError(f"SOURCE_DATE_EPOCH must be a whole number of seconds since 1970, not '{given}'")
        if int(given) > 4354819199:  # pandoc dates the DOCX's ZIP entries with it: ZIP ends with 2107
            raise BuildError(
                f"SOURCE_DATE_EPOCH must be a whole number of seconds since 1970, not '{given}' "
                "(a date after 2107, which a DOCX file, a ZIP archive, cannot hold)"
            )
        epoch = int(given)
    if epoch is None:
        epoch = int(
            max((report.root / d.path).stat().st_mtime for d in report.documents)
            if report.documents
            else (report.root / "report.yml").stat().st_mtime
        )
    date = datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d")
    name = options.edition or ("Final edition" if options.final else "Working draft")
    return Edition(name=name, date=date, epoch=epoch, commit=commit, final=options.final, uncommitted=uncommitted)


def _digest(path: Path) -> tuple[int, str]:
    if path.is_file():
        data = path.read_bytes()
        return len(data), hashlib.sha256(data).hexdigest()
    # A folder (the site): its size, and a hash over its files' names and hashes in order.
    total, outer = 0, hashlib.sha256()
    for item in sorted(p for p in path.rglob("*") if p.is_file()):
        size, digest = _digest(item)
        total += size
        outer.update(f"{item.relative_to(path).as_posix()}\0{digest}\n".encode())
    return total, outer.hexdigest()


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two folders (Linux renameat2); False where the system cannot."""
    import ctypes
    import ctypes.util

    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    at_fdcwd = -100
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), RENAME_EXCHANGE)
    if result != 0:
        if ctypes.get_errno() in (errno.EINVAL, errno.ENOSYS, errno.EXDEV):
            return False
        raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()), str(a))
    return True


def _swap_in(staging: Path, out: Path) -> None:
    if not out.exists():
        os.rename(staging, out)
        return
    if _exchange(staging, out):
        shutil.rmtree(staging)  # now holds the previous build
        return
    old = out.with_name(f".{out.name}.old-{os.getpid()}")
    os.rename(out, old)
    os.rename(staging, out)
    shutil.rmtree(old)


class _Lock:
    """An exclusive lock on an output folder, held in a file beside it (never through a symlink)."""

    def __init__(self, out: Path):
        self.out = out
        self.path = out.with_name(f".{out.name}.lock")
        self.fd: int | None = None

    def __enter__(self) -> _Lock:
        try:  # here, not at the top: only builds lock, and `report check` must start on Windows
            import fcntl
        except ImportError:
            raise BuildError(
                "`report build` locks its output folder with fcntl, which this Python lacks "
                "(Windows); build on Linux or macOS, or let CI build"
            ) from None

        try:
            self.fd = paths.open_lock_file(self.path)
        except paths.UnsafePath as exc:
            raise BuildError(str(exc)) from None
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(self.fd)
            raise BuildLocked(
                f"another build of {self.out} is running; wait for it to finish, then build again"
            ) from None
        return self

    def __exit__(self, *exc: object) -> None:
        import fcntl

        if self.fd is not None:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)


OWN_NAMES = frozenset({"manifest.json", "site"} | {f"{BASENAME}.{fmt}" for fmt in FORMATS})


def _check_out(root: Path, out: Path) -> None:
    """Refuse an output folder whose replacement would destroy something other than a build.

    The swap replaces `out` as a whole and deletes what was there: `--out .` would delete the
    report, `--out chapters` the chapters, `--out ~/Documents` someone's documents. An output
    inside another build's folder would be swept away by that build, or block it.
    """
    root = root.resolve()
    if out == root or root.is_relative_to(out):
        raise BuildError(
            f"the output folder {out} holds the report itself; choose a folder of its own, such as {root / 'build'}"
        )
    for parent in out.parents:
        if parent == root / "build" or (parent / "manifest.json").is_file() and (parent / "site").is_dir():
            raise BuildError(
                f"the output folder {out} is inside the build folder {parent}, which each build "
                "replaces as a whole; choose a folder outside it"
            )
    if os.path.islink(out):
        raise BuildError(f"the output folder {out} is a symbolic link; give the real folder instead")
    if out.exists() and not out.is_dir():
        raise BuildError(f"the output folder {out} is a file")
    if out.is_dir():
        foreign = sorted(p.name for p in out.iterdir() if p.name not in OWN_NAMES)
        if foreign:
            more = f" and {len(foreign) - 3} more" if len(foreign) > 3 else ""
            raise BuildError(
                f"the output folder {out} holds {', '.join(foreign[:3])}{more}, which no build "
                "made; a build replaces its folder as a whole: choose a new or empty one"
            )


def build(report: Report, options: Options, progress: Callable[[str], None] = lambda _: None) -> Result:
    """Build the editions of a loaded report into options.out (default <root>/build)."""
    unknown = [f for f in options.formats if f not in FORMATS]
    if unknown:
        raise BuildError(f"unknown format {', '.join(unknown)}; choose from {', '.join(FORMATS)}")
    progress("check")
    try:
        judged = verdict.evaluate(report, options.timeout)
    except runner.RendererTimeout as exc:
        raise BuildError(str(exc)) from None
    if judged.errors:
        raise BuildRefused(judged.diagnostics)
    blocked = final.blockers(report, judged.diagnostics) if options.final else []
    if blocked and not options.force:
        raise FinalRefused(blocked)
    out = (options.out or report.root / "build").absolute()
    _check_out(report.root, out)
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    edition = edition_for(report, options)
    earlier = _since(report, judged, options)
    with _Lock(out):
        staging = _fresh_staging(out)
        try:
            rendered = _render(report, judged, edition, options, staging, progress, earlier)
            shutil.rmtree(staging / WORK)
            manifest = _manifest(edition, rendered.outputs)
            if earlier is not None:
                manifest["redline"] = earlier.manifest()
            (staging / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", "utf-8")
            runner.stop_if_interrupted()  # a signal asked to stop: the previous build stays
            _swap_in(staging, out)
        except RenderError as exc:
            shutil.rmtree(staging, ignore_errors=True)
            raise BuildError(str(exc)) from None
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    warnings = [d for d in judged.diagnostics if d.severity != ERROR]
    if blocked:
        log.warning("a final edition built with --force over %d blockers", len(blocked))
    return Result(out, manifest, rendered.timings, warnings, blocked, rendered.degraded)


def _fresh_staging(out: Path) -> Path:
    """An empty staging folder beside out, once the leftovers of killed builds are gone (the lock is held)."""
    for stale in out.parent.glob(f".{out.name}.staging-*"):
        paths.clear_reserved(stale)  # a link is removed, never followed
        if stale.is_dir() and not stale.is_symlink():
            shutil.rmtree(stale, ignore_errors=True)  # left by a killed build; none runs now
    staging = out.with_name(f".{out.name}.staging-{os.getpid()}")
    paths.clear_reserved(staging)
    try:
        staging.mkdir()
    except FileExistsError:
        raise BuildError(f"{staging} is in the way of the build's staging folder; remove it") from None
    return staging


@dataclass
class _Rendered:
    outputs: dict[str, Path] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    degraded: list[str] = field(default_factory=list)


def _render(
    report: Report,
    judged: verdict.Verdict,
    edition: Edition,
    options: Options,
    staging: Path,
    progress: Callable[[str], None],
    earlier: since.Since | None = None,
) -> _Rendered:
    """Each format asked for, into staging; the site last, as it offers the PDF and DOCX."""
    work = staging / WORK
    work.mkdir()
    asset_files.stage(judged.assets, work)
    parsed = judged.parsed
    assert parsed is not None  # a verdict without a parse has an error, and the build was refused
    if earlier is not None and options.redline:
        parsed = earlier.marked
        edition = replace(edition, changes_by=f"Changes since {options.redline}")
    done = _Rendered()
    outputs = done.outputs
    started = time.perf_counter()
    parsed, citations = _cite(report, parsed, work, options.timeout)  # citeproc, once for all editions
    done.timings["citations"] = time.perf_counter() - started

    def docx(path: Path) -> None:
        # The PDF comes first: its page numbers go into the DOCX's contents, written in advance.
        pages = heading_pages(outputs["pdf"]) if "pdf" in outputs else None
        missed = _docx(report, parsed, edition, path, work, options, pages)
        done.degraded += [f"DOCX: {what}" for what in missed]

    def html(path: Path) -> None:
        changes = _changes_page(report, earlier, options, work)
        _build_site(report, path, _site_options(edition, dict(outputs), changes, citations), options.timeout)

    steps: dict[str, Callable[[Path], None]] = {
        "pdf": lambda path: write_pdf(report, parsed, edition, path, work, options.timeout),
        "docx": docx,
        "html": html,
    }
    for fmt, name in (("pdf", f"{BASENAME}.pdf"), ("docx", f"{BASENAME}.docx"), ("html", "site")):
        if fmt in options.formats:
            runner.stop_if_interrupted()
            progress(f"{fmt.upper()} edition")
            started = time.perf_counter()
            steps[fmt](staging / name)
            outputs[fmt] = staging / name
            done.timings[fmt] = time.perf_counter() - started
            log.info("%s edition built in %.2f s", fmt.upper(), done.timings[fmt])
    return done


def _since(report: Report, judged: verdict.Verdict, options: Options) -> since.Since | None:
    """The report at the ref a redline or a page of changes compares with, beside this one."""
    ref = options.redline or options.changes_page
    if ref is None:
        return None
    if options.redline and options.changes_page:
        raise BuildError(
            "choose --redline (every edition shows the changes) or --changes-page (the site only), not both"
        )
    assert judged.parsed is not None
    try:
        earlier = since.prepare(report, judged.parsed, set(judged.assets), ref, options.timeout)
    except since.SinceError as exc:
        raise BuildError(str(exc), exc.diagnostics) from None
    earlier.formats = [f for f in FORMATS if f in options.formats and (options.redline or f == "html")]
    log.info("changes since %s (%s): %s", ref, earlier.commit, earlier.redline.count())
    return earlier


def _docx(
    report: Report,
    parsed: pandoc_ast.Parsed,
    edition: Edition,
    path: Path,
    work: Path,
    options: Options,
    pages: dict[str, int] | None,
) -> list[str]:
    """The DOCX edition; what it lacks (a finishing touch that could not be made)."""
    missed = write_docx(report, parsed, edition, path, work, options.timeout, pages)
    if options.redline:
        redline.finish_docx(path)  # whole paragraphs inserted or deleted: their paragraph marks too
    return missed


def _changes_page(report: Report, earlier: since.Since | None, options: Options, work: Path) -> Path | None:
    """Write the site's page of changes into the sandbox; None when the build compares with nothing."""
    if earlier is None:
        return None
    site = site_plan.settings(report.root)
    blocks = changes_page.site_blocks(
        report, earlier.redline.documents, earlier.comparison, site.use_directory_urls if site else True
    )
    try:
        fragment = changes_page.html(blocks, earlier.marked.ast["pandoc-api-version"], work, options.timeout, report)
    except (runner.RendererFailed, runner.RendererTimeout) as exc:
        raise BuildError(f"the page of changes could not be written: {exc}") from None
    title = f"Changes since {options.redline}" if options.redline else "What changed since the last edition"
    page = work / changes_page.PAGE
    page.write_text(changes_page.markdown(title, earlier.ref, earlier.commit, earlier.comparison, fragment), "utf-8")
    return page


def _cite(report: Report, parsed: pandoc_ast.Parsed, work: Path, timeout: float) -> tuple[pandoc_ast.Parsed, str]:
    """citeproc over the judged AST: the AST the PDF and DOCX print, and the file the site reads
    the same formatted citations from."""
    try:
        formatted = citeproc.run(report, parsed, work, timeout)
    except (citeproc.CiteprocError, runner.RendererTimeout) as exc:
        raise RenderError(str(exc)) from None
    path = work / "citations.json"
    formatted.dump(path)
    return formatted.parsed, str(path)


def _site_options(
    edition: Edition, downloads: dict[str, Path], changes: Path | None, citations: str
) -> dict[str, object]:
    """The report plugin's options for this edition's site (the child validates them as mkdocs.yml's)."""
    return {
        "check": False,  # the build judged the report already
        # Without a commit there is no history to show, and the site says nothing it cannot.
        "history": edition.commit is not None,
        "downloads": {fmt: str(path) for fmt, path in downloads.items()},  # the editions just made
        "changes": str(changes) if changes else None,  # the page of changes the build wrote, if any
        # Which edition the site is: draft or public, name, date.
        "edition": edition.name,
        "date": edition.date,
        "final": edition.final,
        "citations": citations,  # citeproc's text, formatted once for every edition
    }


def _build_site(report: Report, site: Path, options: dict[str, object], timeout: float) -> None:
    config_file = report.root / "mkdocs.yml"
    if not config_file.is_file():
        raise BuildError(f"no mkdocs.yml in {report.root}: the HTML edition needs one")
    try:
        failure = runner.run_in_child(
            _site_child, str(config_file), str(site), options, timeout=timeout, what="the site build (MkDocs)"
        )
    except (runner.RendererFailed, runner.RendererTimeout) as exc:
        raise BuildError(f"the HTML edition failed: {exc}") from None
    if failure:
        raise BuildError("the HTML edition failed", _site_diagnostics(report, failure))


def _site_child(config_file: str, site: str, given: dict[str, object]) -> list[str] | None:
    """In the child process: build the site; None, or what MkDocs complained of."""
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort, MkDocsException

    records: list[str] = []
    handler = _Collector(records)
    logging.getLogger("mkdocs").addHandler(handler)
    plugin = None
    try:
        config = load_config(config_file, site_dir=site, strict=True)
        plugin = config.plugins.get("report")
        if plugin is None:
            return ["mkdocs.yml does not list the 'report' plugin under plugins:"]
        # The plugin's declared options, validated as mkdocs.yml's are.
        errors, _ = plugin.load_config({**plugin.config, **given}, config_file)
        if errors:
            return [f"the report plugin's options: {key}: {error}" for key, error in errors]
        mkdocs_build(config)
    except (Abort, MkDocsException) as exc:
        return records + [str(exc)]
    except RecursionError:
        return [
            f"Doc file '{getattr(plugin, 'current_page', '?')}': the text is nested too deeply for the "
            "site's Markdown engine; flatten its quotes, lists or emphasis"
        ]
    finally:
        logging.getLogger("mkdocs").removeHandler(handler)
    return None


class _Collector(logging.Handler):
    def __init__(self, records: list[str]):
        super().__init__(logging.WARNING)
        self.records = records

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record.getMessage())


_DOC_FILE = re.compile(r"Doc file '([^']+)'")
_QUOTED_LINK = re.compile(r"(?:link|target|anchor) '([^']+)'")


def _site_diagnostics(report: Report, messages: list[str]) -> list[Diagnostic]:
    """MkDocs' complaints, each located at the report file it names (and the line of the link)."""
    found = []
    for message in messages:
        named = _DOC_FILE.search(message)
        doc = report.by_path.get(named.group(1)) if named else None
        if doc is None:
            path = named.group(1) if named else "mkdocs.yml"
            found.append(Diagnostic(path, 0, 0, ERROR, "site.build", f"the site build says: {message}"))
            continue
        link = _QUOTED_LINK.search(message)
        line, column = pandoc_ast.locate(doc, link.group(1).split("#")[0] if link else "")
        found.append(Diagnostic(doc.path, line, column, ERROR, "site.build", f"the site build says: {message}"))
    return found


def _manifest(edition: Edition, outputs: dict[str, Path]) -> dict:
    listed: list[dict[str, str | int]] = []
    for fmt in FORMATS:
        if fmt in outputs:
            size, digest = _digest(outputs[fmt])
            listed.append({"format": fmt, "path": outputs[fmt].name, "bytes": size, "sha256": digest})
    return {
        "edition": edition.name,
        "final": edition.final,
        "date": edition.date,
        "commit": edition.commit,
        "uncommitted_changes": edition.uncommitted,
        "outputs": listed,
    }


__all__ = [
    "build",
    "Options",
    "Result",
    "BuildError",
    "BuildRefused",
    "FinalRefused",
    "BuildLocked",
    "RenderError",
    "FORMATS",
]
