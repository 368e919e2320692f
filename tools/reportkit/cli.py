"""The `report` command: parse options, call one library function, print, choose the exit code."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn

import click

from . import __version__, gitio, history, owners, paths, verdict
from . import build as editions
from . import diff as comparing
from . import final as final_edition
from . import review as routing
from .diagnostics import ERROR, FORMATTERS, WARNING, Diagnostic, sort_key, summary
from .loader import ConfigError, load

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3

root_option = click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    default=".",
    show_default=True,
    help="The report's folder (the one holding report.yml).",
)


class ReportGroup(click.Group):
    """Turns configuration problems into exit 2 and any unexpected failure into a short message."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except ConfigError as exc:
            for d in exc.diagnostics:
                click.echo(d.text(), err=True)
            click.echo(f"report: {exc}", err=True)
            ctx.exit(EXIT_USAGE)
        except (click.ClickException, click.exceptions.Exit, click.exceptions.Abort, SystemExit):
            raise
        except KeyboardInterrupt:
            click.echo("report: interrupted", err=True)
            ctx.exit(130)
        except Exception as exc:  # a bug of ours: say so plainly, no traceback unless asked
            if os.environ.get("REPORT_DEBUG"):
                raise
            click.echo(
                f"report: internal error: {type(exc).__name__}: {exc} "
                "(set REPORT_DEBUG=1 for details, and please report it)",
                err=True,
            )
            ctx.exit(EXIT_INTERNAL)


@click.group(cls=ReportGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="report")
def main() -> None:
    """Check, track and build the Panel's report.

    Run the commands inside the report's folder, or point at it with --root.
    """


@main.command()
@root_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(sorted(FORMATTERS)),
    default="text",
    show_default=True,
    help="text for people, json for programs, github for pull requests.",
)
@click.option("--strict", is_flag=True, help="Fail (exit 1) on warnings too.")
@click.option(
    "--final",
    is_flag=True,
    help="Also list what blocks the final edition (as `report build --final` "
    "would refuse it): sections not agreed, placeholders, open points.",
)
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
def check(root: Path, fmt: str, strict: bool, final: bool, paths: tuple[Path, ...]) -> None:
    """Check the report: front matter, ids, labels, references, links, images.

    Prints every finding as PATH:LINE:COLUMN: SEVERITY [CODE] MESSAGE.
    With PATHS (e.g. the files of a commit), the whole report is still
    checked, but only findings in those files are shown and counted.
    Exit 0 when there is no error, 1 when there is one (or a warning with
    --strict), 2 when the report folder or report.yml is unusable. With
    --final, each blocker of the final edition is an error too: exit 0
    means the final edition can be published.

    Example:

    \b
        report check
        report check --strict --format github
        report check --final --format github
        report check chapters/03-trust.md
    """
    report = load(root)
    try:
        diagnostics = verdict.evaluate(report).diagnostics
    except editions.runner.RendererTimeout as exc:
        raise click.ClickException(f"the check stopped: {exc}") from None
    if final:  # the same list `report build --final` refuses with
        diagnostics = sorted(diagnostics + final_edition.blockers(report, diagnostics), key=sort_key)
    if paths:
        wanted = {_relative(report.root, p) for p in paths}
        diagnostics = [d for d in diagnostics if d.path in wanted]
    click.echo(FORMATTERS[fmt](diagnostics), nl=False)
    if fmt == "text":
        click.echo(f"{summary(diagnostics)} in {root}" if diagnostics else f"no problems found in {root}", err=True)
    sys.exit(exit_code(diagnostics, strict))


def _relative(root: Path, path: Path) -> str:
    """A path given on the command line, as diagnostics name it (relative to the report root)."""
    try:
        return path.resolve().relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


# The options of `report build`, outermost first (as decorators they would read the same).
_BUILD_OPTIONS = (
    click.option("--edition", metavar="NAME", help='The edition\'s name, e.g. "Draft 3" (default: "Working draft").'),
    click.option(
        "--final",
        is_flag=True,
        help="The final, published edition: no DRAFT mark; refused while a section is not agreed, "
        "a placeholder or an open point remains (each blocker is listed at its file and line).",
    ),
    click.option(
        "--force",
        is_flag=True,
        help="With --final: build despite the blockers, for a rehearsal; every blocker overridden is printed.",
    ),
    click.option(
        "--formats", default=",".join(editions.FORMATS), show_default=True, help="Comma-separated formats to build."
    ),
    click.option(
        "--out",
        type=click.Path(file_okay=False, path_type=Path),
        help="Output folder (default: build/ in the report's folder).",
    ),
    click.option("--progress/--quiet", default=None, help="Show each step (default: on a terminal, off under CI)."),
    click.option(
        "--timeout",
        type=click.FloatRange(min=0, min_open=True),
        default=editions.runner.DEFAULT_TIMEOUT,
        show_default=True,
        metavar="SECONDS",
        help="How long each renderer may run before it is stopped.",
    ),
    click.option(
        "--redline",
        metavar="FROM",
        help="Show the changes since FROM (a git ref, e.g. edition-draft-2) "
        "in every edition: Word's tracked changes, marks in the PDF, a page on the site.",
    ),
    click.option(
        "--changes-page",
        metavar="FROM",
        help="Editions as usual, and a site page of what changed since "
        "FROM (the newest edition tag, for the published site).",
    ),
)


def _build_options(command: Callable) -> Callable:
    """`report build`'s options, applied as their decorators would be."""
    for option in reversed(_BUILD_OPTIONS):
        command = option(command)
    return command


@main.command()
@root_option
@_build_options
def build(
    root: Path,
    edition: str | None,
    final: bool,
    force: bool,
    formats: str,
    out: Path | None,
    progress: bool | None,
    timeout: float,
    redline: str | None,
    changes_page: str | None,
) -> None:
    """Build the editions (HTML site, PDF, DOCX) into build/.

    Refuses to build when `report check` finds errors, and a final edition
    while open points remain (`report positions` lists them). The previous
    build stays in place until the new one is complete.

    Example:

    \b
        report build
        report build --edition "Draft 3" --formats pdf,docx
        report build --edition "Draft 3" --redline edition-draft-2
        report build --final --force --out /tmp/rehearsal
    """
    if force and not final:
        raise click.UsageError("--force goes with --final: only the final edition has blockers to override")
    chosen = tuple(f.strip().lower() for f in formats.split(",") if f.strip())
    unknown = [f for f in chosen if f not in editions.FORMATS]
    if unknown or not chosen:
        raise click.BadParameter(f"choose from {', '.join(editions.FORMATS)}", param_hint="--formats")
    if progress is None:
        progress = sys.stderr.isatty() and not os.environ.get("CI")

    def step(message: str) -> None:
        if progress:
            click.echo(f"building {message}...", err=True)

    report = load(root)
    options = editions.Options(edition, final, chosen, out, timeout, force, redline=redline, changes_page=changes_page)
    try:
        with _terminate_like_interrupt():
            result = editions.build(report, options, step)
    except editions.BuildError as exc:
        _not_built(exc)
    _built(result, progress)


def _not_built(exc: editions.BuildError) -> NoReturn:
    """Why there is no new build: the findings that refused it, or what failed; exit 1."""
    if isinstance(exc, editions.BuildRefused):
        click.echo(FORMATTERS["text"]([d for d in exc.diagnostics if d.severity == ERROR]), nl=False, err=True)
    else:
        click.echo(FORMATTERS["text"](exc.diagnostics), nl=False, err=True)
    if isinstance(exc, editions.BuildRefused | editions.FinalRefused):
        click.echo(f"report: {exc}", err=True)
    else:
        click.echo(f"report: {exc}; the previous build is unchanged", err=True)
    sys.exit(EXIT_FINDINGS)


def _built(result: editions.Result, progress: bool) -> None:
    """The files made (on stdout), and on stderr what is worth a look: warnings, overrides, lacks."""
    click.echo(FORMATTERS["text"](result.warnings), nl=False, err=True)  # built, but worth a look
    for lack in result.degraded:
        click.echo(f"report: warning: the edition lacks {lack}", err=True)
    for d in result.overridden:
        click.echo(f"overridden: {d.text()}", err=True)
    if result.overridden:
        click.echo(
            f"report: a rehearsal: {len(result.overridden)} blockers of the final edition were overridden with --force",
            err=True,
        )
    for output in result.manifest["outputs"]:
        click.echo(f"{result.out / output['path']}  ({output['format']}, {output['bytes']:,} bytes)")
    if progress:
        click.echo(
            f"built {result.manifest['edition']} of {result.manifest['date']} in {sum(result.timings.values()):.1f} s",
            err=True,
        )


@main.command("owners")
@root_option
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True)
@click.option(
    "--codeowners",
    is_flag=True,
    help=f"Write {owners.CODEOWNERS_PATH} from the front matter instead of printing the table.",
)
def owners_command(root: Path, fmt: str, codeowners: bool) -> None:
    """Who owns each section, its status, words and last change.

    The history columns (last change, author, contributors) come from one
    pass over the git log, following renames.

    Example:

    \b
        report owners
        report owners --format csv > owners.csv
        report owners --codeowners
    """
    report = load(root)
    if codeowners:
        try:
            lines = owners.write_codeowners(report)
        except paths.UnsafePath as exc:
            raise click.ClickException(f"{owners.CODEOWNERS_PATH} was not written: {exc}") from None
        click.echo(
            f"{owners.CODEOWNERS_PATH} is up to date"
            if lines is None
            else f"wrote {owners.CODEOWNERS_PATH} ({lines} lines)"
        )
        return
    file_history, why = history.of_report(report)
    if why:
        click.echo(f"report: no history columns: {why}", err=True)
    click.echo(owners.format_rows(owners.rows(report, file_history), fmt, file_history is not None), nl=False)


@main.command()
@root_option
@click.option("--format", "fmt", type=click.Choice(["table", "markdown", "json"]), default="table", show_default=True)
def progress(root: Path, fmt: str) -> None:
    """Sections by status and by owner, words against budgets (as on the site's progress page).

    Example:

    \b
        report progress
        report progress --format markdown
    """
    report = load(root)
    table = owners.rows(report, history.of_report(report)[0])
    if fmt == "json":
        click.echo(json.dumps(owners.progress(table), indent=2, ensure_ascii=False))
    elif fmt == "markdown":
        click.echo(owners.progress_markdown(table), nl=False)
    else:
        click.echo(owners.progress_text(table), nl=False)


@main.command()
@root_option
@click.option("--base", required=True, metavar="REF", help="The git ref to compare with, e.g. origin/main or HEAD~3.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "markdown", "json"]),
    default="text",
    show_default=True,
    help="markdown is fit to post as a pull-request comment.",
)
def review(root: Path, base: str, fmt: str) -> None:
    """The sections changed since REF, their owners and whose approval the change needs.

    A change to an agreed section needs its owner and the Secretariat.

    Example:

    \b
        report review --base origin/main
        report review --base HEAD~3 --format markdown
    """
    report = load(root)
    try:
        result = routing.review(report, base)
    except routing.ReviewError as exc:
        raise click.UsageError(str(exc)) from None
    click.echo(routing.format_review(result, fmt), nl=False)


@main.command("diff")
@root_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(sorted(comparing.FORMATS)),
    default="text",
    show_default=True,
    help="markdown is fit for a pull request's job summary; json for programs.",
)
@click.argument("from_ref", metavar="FROM")
@click.argument("to_ref", metavar="[TO]", required=False)
def diff_command(root: Path, fmt: str, from_ref: str, to_ref: str | None) -> None:
    """What changed from FROM to TO: sections renumbered, and each section's words added and removed.

    FROM and TO are git refs: an edition tag (edition-draft-2), a branch or a
    commit; TO defaults to the working tree. Text is compared as a reader sees
    it: a reference whose target was only renumbered is not a change.

    Example:

    \b
        report diff edition-draft-2
        report diff edition-draft-2 --format markdown
        report diff edition-draft-1 edition-draft-2 --format json
    """
    try:
        before = comparing.read_side(root, from_ref)
        after = comparing.read_side(root, to_ref)
    except comparing.DiffError as exc:
        raise click.UsageError(str(exc)) from None
    except comparing.UnreadableSide as exc:
        click.echo(FORMATTERS["text"](exc.diagnostics), nl=False, err=True)
        click.echo(f"report: {exc}", err=True)
        sys.exit(EXIT_FINDINGS)
    click.echo(comparing.FORMATS[fmt](comparing.compare(before, after)), nl=False)


@main.command("comments")
@root_option
@click.argument("file", type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "github", "markdown"]),
    default="text",
    show_default=True,
    help="github: annotations on the lines; markdown: a checklist per section owner.",
)
@click.option(
    "--apply",
    "apply_changes",
    is_flag=True,
    help="Also make the tracked changes commits on a new branch named after FILE (one per reviewer).",
)
def comments_command(root: Path, file: Path, fmt: str, apply_changes: bool) -> None:
    """Place a reviewed DOCX's comments and tracked changes on the source lines.

    FILE is a DOCX of an edition made by `report build`, back from a reviewer. Each item is placed on
    the file, line and column it concerns at the edition's commit, and carried forward to where that
    passage is now; what cannot be placed is listed with the reason. With --apply, the tracked
    changes become commits on a new branch (the current branch and files are never touched).

    Example:

    \b
        report comments ~/Mail/panel-report-jm.docx
        report comments ~/Mail/panel-report-jm.docx --format markdown
        report comments ~/Mail/panel-report-jm.docx --apply
    """
    from . import comments, comments_apply, comments_format

    try:
        reading = comments.read_review(root, file)
    except comments.BadDocx as exc:
        click.echo(f"report: {file}: {exc}", err=True)
        sys.exit(EXIT_FINDINGS)
    except gitio.GitProblem as exc:
        raise click.ClickException(f"{file} could not be placed: {exc}") from None
    for warning in reading.warnings:
        click.echo(f"report: {warning}", err=True)
    click.echo(comments_format.FORMATS[fmt](reading), nl=False)
    click.echo(f"report: {comments_format.summary(reading)}", err=True)
    if apply_changes:
        try:
            applied = comments_apply.apply(root, reading)
        except comments_apply.ApplyRefused as exc:
            click.echo(f"report: nothing applied: {exc}", err=True)
            sys.exit(EXIT_FINDINGS)
        click.echo(comments_apply.describe(applied), nl=False, err=fmt != "text")


@main.command("positions")
@root_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "csv", "markdown"]),
    default="text",
    show_default=True,
    help="markdown is the draft site's positions page; csv has one line per member and recommendation.",
)
def positions_command(root: Path, fmt: str) -> None:
    """What still blocks the final edition, and who must agree to what.

    Lists every open point (CriticMarkup in the text) at FILE:LINE, then the
    matrix of members and recommendations: each member's stance (S support,
    R reservation, O objection), positions given on an older text (*), the
    reservations and objections with their notes, and who has no stance yet.

    Example:

    \b
        report positions
        report positions --format markdown > positions.md
        report positions --format csv > positions.csv
    """
    from . import positions

    report = load(root)
    click.echo(positions.FORMATS[fmt](report, positions.matrix(report)), nl=False)


@main.command()
@click.argument("out", type=click.Path(file_okay=False, path_type=Path))
@click.option("--chapters", type=click.IntRange(0), default=7, show_default=True)
@click.option("--sections", type=click.IntRange(0), default=8, show_default=True, help="Sections per chapter.")
@click.option("--recommendations", type=click.IntRange(1), default=11, show_default=True)
@click.option("--annexes", type=click.IntRange(0), default=6, show_default=True)
@click.option("--refs-per-section", type=click.IntRange(0), default=2, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True, help="The same seed writes the same bytes.")
@click.option(
    "--commits",
    type=click.IntRange(0),
    default=0,
    show_default=True,
    help="Write a git history of this many commits (0: no repository).",
)
@click.option("--authors", type=click.IntRange(1), default=5, show_default=True)
def generate(
    out: Path,
    chapters: int,
    sections: int,
    recommendations: int,
    annexes: int,
    refs_per_section: int,
    seed: int,
    commits: int,
    authors: int,
) -> None:
    """Write a valid synthetic report of a given size into OUT (for benchmarks and tests).

    Example:

    \b
        report generate /tmp/big --chapters 20 --sections 100 --seed 7
        report generate /tmp/with-history --commits 500 --authors 12
    """
    from . import generate as generator

    try:
        generator.generate(out, chapters, sections, recommendations, annexes, refs_per_section, seed, commits, authors)
    except (ValueError, FileExistsError) as exc:
        raise click.UsageError(str(exc)) from None
    except subprocess.CalledProcessError as exc:
        raise click.ClickException(f"git failed: {exc.stderr.decode(errors='replace').strip()}") from None
    click.echo(
        f"wrote a report of {chapters} chapters, {recommendations} recommendations and {annexes} annexes to {out}"
    )


@contextmanager
def _terminate_like_interrupt() -> Iterator[None]:
    """SIGTERM (CI cancelling a job, `kill`) unwinds like Ctrl-C while a build runs, so renderers are
    stopped and the staging folder removed; both go through `runner.interrupt`, which also stops a
    build whose signal landed while a renderer was being started. The previous handlers come back
    afterwards."""
    from .render import runner

    handled = [signal.SIGTERM]
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        handled.append(signal.SIGINT)
    try:
        previous = {signum: signal.signal(signum, runner.interrupt) for signum in handled}
    except ValueError:  # not the main thread (an embedding application): leave signals alone
        yield
        return
    runner.clear_interruption()
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        runner.clear_interruption()


def exit_code(diagnostics: list[Diagnostic], strict: bool) -> int:
    failing = {ERROR, WARNING} if strict else {ERROR}
    return EXIT_FINDINGS if any(d.severity in failing for d in diagnostics) else EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    main()
