"""Editions: check, render every format into a staging folder, then swap it in atomically.

The previous build stays untouched until the new one is complete: a failed, refused or killed
build leaves `build/` exactly as it was. A lock keeps two builds from running at once.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import fcntl
import hashlib
import json
import logging
import os
import shutil
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from . import checks, gitio, history
from .diagnostics import ERROR, Diagnostic
from .model import Report
from .render.pandoc import Edition, RenderError, template, write_docx, write_pdf

FORMATS = ("html", "pdf", "docx")
BASENAME = "panel-report"
RENAME_EXCHANGE = 2


class BuildError(Exception):
    """The build could not be made; the previous build is untouched."""


class BuildRefused(BuildError):
    """`report check` found errors: nothing was built."""

    def __init__(self, diagnostics: list[Diagnostic]):
        errors = [d for d in diagnostics if d.severity == ERROR]
        super().__init__(f"build refused: `report check` found {len(errors)} "
                         f"error{'s' if len(errors) != 1 else ''}; fix them and build again")
        self.diagnostics = diagnostics


class BuildLocked(BuildError):
    """Another build of the same output folder is running."""


@dataclass
class Options:
    edition: str | None = None
    final: bool = False
    formats: tuple[str, ...] = FORMATS
    out: Path | None = None  # default: <root>/build


@dataclass
class Result:
    out: Path
    manifest: dict
    timings: dict[str, float] = field(default_factory=dict)
    warnings: list[Diagnostic] = field(default_factory=list)


def edition_for(report: Report, options: Options) -> Edition:
    """Name, date and commit of the edition; the date comes from the commit so rebuilds match."""
    commit, epoch, uncommitted, why_none = gitio.edition_facts(report.root)
    if why_none:  # the build goes on: the manifest names no commit and the files give the date
        logging.getLogger(__name__).warning("the edition names no commit: %s", why_none)
    given = os.environ.get("SOURCE_DATE_EPOCH", "")  # set but empty means not set, as most tools read it
    if given:
        # ASCII digits only: str.isdigit alone takes '²' and other scripts' digits.
        if not (given.isascii() and given.isdigit() and len(given) <= 12):
            raise BuildError(f"SOURCE_DATE_EPOCH must be a whole number of seconds since 1970, not '{given}'")
        if int(given) > 4354819199:  # pandoc dates the DOCX's ZIP entries with it: ZIP ends with 2107
            raise BuildError(f"SOURCE_DATE_EPOCH must be a whole number of seconds since 1970, not '{given}' "
                             "(a date after 2107, which a DOCX file, a ZIP archive, cannot hold)")
        epoch = int(given)
    if epoch is None:
        epoch = int(max((report.root / d.path).stat().st_mtime for d in report.documents) if report.documents
                    else (report.root / "report.yml").stat().st_mtime)
    date = datetime.fromtimestamp(epoch, timezone.utc).strftime("%Y-%m-%d")
    name = options.edition or ("Final edition" if options.final else "Working draft")
    return Edition(name=name, date=date, epoch=epoch, commit=commit, final=options.final,
                   uncommitted=uncommitted)


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
    """An exclusive lock on an output folder, held in a file beside it."""

    def __init__(self, out: Path):
        self.out = out
        self.path = out.with_name(f".{out.name}.lock")
        self.handle = None

    def __enter__(self):
        self.handle = open(self.path, "a+")
        try:
            fcntl.flock(self.handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self.handle.close()
            raise BuildLocked(f"another build of {self.out} is running; "
                              "wait for it to finish, then build again") from None
        return self

    def __exit__(self, *exc):
        fcntl.flock(self.handle, fcntl.LOCK_UN)
        self.handle.close()


def _check_out(root: Path, out: Path) -> None:
    """Refuse an output folder whose replacement would destroy something other than a build.

    The swap replaces `out` as a whole and deletes what was there: `--out .` would delete the
    report, `--out chapters` the chapters, `--out ~/Documents` someone's documents.
    """
    root = root.resolve()
    if out == root or root.is_relative_to(out):
        raise BuildError(f"the output folder {out} holds the report itself; choose a folder of its own, "
                         f"such as {root / 'build'}")
    if out.exists() and not out.is_dir():
        raise BuildError(f"the output folder {out} is a file")
    if out.is_dir():
        # What a build writes (`mkdocs build` alone writes site/ there too); anything else is someone's.
        own = {"manifest.json", "site"} | {f"{BASENAME}.{fmt}" for fmt in FORMATS}
        foreign = sorted(p.name for p in out.iterdir() if p.name not in own)
        if foreign:
            more = f" and {len(foreign) - 3} more" if len(foreign) > 3 else ""
            raise BuildError(f"the output folder {out} holds {', '.join(foreign[:3])}{more}, which no build "
                             "made; a build replaces its folder as a whole: choose a new or empty one")


def _build_site(report: Report, site: Path, downloads: dict[str, Path],
                file_history: dict[str, history.FileHistory]) -> None:
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    config_file = report.root / "mkdocs.yml"
    if not config_file.is_file():
        raise BuildError(f"no mkdocs.yml in {report.root}: the HTML edition needs one")
    try:
        config = load_config(str(config_file), site_dir=str(site), strict=True)
        plugin = config.plugins.get("report")
        if plugin is None:
            raise BuildError("mkdocs.yml does not list the 'report' plugin under plugins:")
        plugin.report, plugin.history, plugin.downloads = report, file_history, downloads
        mkdocs_build(config)
    except MkDocsException as exc:
        raise BuildError(f"the HTML edition failed: {exc}") from None


def build(report: Report, options: Options, progress: Callable[[str], None] = lambda _: None) -> Result:
    """Build the editions of a loaded report into options.out (default <root>/build)."""
    diagnostics = checks.run(report)
    if any(d.severity == ERROR for d in diagnostics):
        raise BuildRefused(diagnostics)
    unknown = [f for f in options.formats if f not in FORMATS]
    if unknown:
        raise BuildError(f"unknown format {', '.join(unknown)}; choose from {', '.join(FORMATS)}")
    out = (options.out or report.root / "build").resolve()
    _check_out(report.root, out)
    out.parent.mkdir(parents=True, exist_ok=True)
    edition = edition_for(report, options)
    with _Lock(out):
        for stale in out.parent.glob(f".{out.name}.staging-*"):
            shutil.rmtree(stale, ignore_errors=True)  # left by a killed build; none runs now
        staging = out.with_name(f".{out.name}.staging-{os.getpid()}")
        staging.mkdir()
        try:
            outputs, timings = _render(report, edition, options.formats, staging, progress)
            manifest = _manifest(edition, outputs)
            (staging / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", "utf-8")
            _swap_in(staging, out)
        except RenderError as exc:
            shutil.rmtree(staging, ignore_errors=True)
            raise BuildError(str(exc)) from None
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    warnings = [d for d in diagnostics if d.severity != ERROR]
    return Result(out, manifest, timings, warnings)


def _render(report: Report, edition: Edition, formats: tuple[str, ...], staging: Path,
            progress: Callable[[str], None]) -> tuple[dict[str, Path], dict[str, float]]:
    """Each format asked for, into staging; the site last, as it offers the PDF and DOCX."""
    outputs: dict[str, Path] = {}
    timings: dict[str, float] = {}
    steps = {
        "docx": lambda path: write_docx(report, edition, path, template("reference.docx")),
        "pdf": lambda path: write_pdf(report, edition, path),
        "html": lambda path: _build_site(report, path, dict(outputs), history.of_report(report)[0] or {}),
    }
    for fmt, name in (("docx", f"{BASENAME}.docx"), ("pdf", f"{BASENAME}.pdf"), ("html", "site")):
        if fmt in formats:
            progress(f"{fmt.upper()} edition")
            started = time.perf_counter()
            steps[fmt](staging / name)
            outputs[fmt] = staging / name
            timings[fmt] = time.perf_counter() - started
    return outputs, timings


def _manifest(edition: Edition, outputs: dict[str, Path]) -> dict:
    manifest = {"edition": edition.name, "final": edition.final, "date": edition.date,
                "commit": edition.commit, "uncommitted_changes": edition.uncommitted, "outputs": []}
    for fmt in FORMATS:
        if fmt in outputs:
            size, digest = _digest(outputs[fmt])
            manifest["outputs"].append({"format": fmt, "path": outputs[fmt].name, "bytes": size,
                                        "sha256": digest})
    return manifest


__all__ = ["build", "Options", "Result", "BuildError", "BuildRefused", "BuildLocked", "RenderError",
           "FORMATS"]
