"""The `report` command: parse options, call one library function, print, choose the exit code."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from . import __version__, checks
from . import build as editions
from .diagnostics import ERROR, FORMATTERS, WARNING, Diagnostic, summary
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
            click.echo(f"report: internal error: {type(exc).__name__}: {exc} "
                       "(set REPORT_DEBUG=1 for details, and please report it)", err=True)
            ctx.exit(EXIT_INTERNAL)


@click.group(cls=ReportGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="report")
def main() -> None:
    """Check, track and build the Panel's report.

    Run the commands inside the report's folder, or point at it with --root.
    """


@main.command()
@root_option
@click.option("--format", "fmt", type=click.Choice(sorted(FORMATTERS)), default="text",
              show_default=True, help="text for people, json for programs, github for pull requests.")
@click.option("--strict", is_flag=True, help="Fail (exit 1) on warnings too.")
def check(root: Path, fmt: str, strict: bool) -> None:
    """Check the report: front matter, ids, labels, references, links, images.

    Prints every finding as PATH:LINE:COLUMN: SEVERITY [CODE] MESSAGE.
    Exit 0 when there is no error, 1 when there is one (or a warning with
    --strict), 2 when the report folder or report.yml is unusable.
    """
    diagnostics = checks.run(load(root))
    click.echo(FORMATTERS[fmt](diagnostics), nl=False)
    if fmt == "text":
        click.echo(f"{summary(diagnostics)} in {root}" if diagnostics else f"no problems found in {root}",
                   err=True)
    sys.exit(exit_code(diagnostics, strict))


@main.command()
@root_option
@click.option("--edition", metavar="NAME", help='The edition\'s name, e.g. "Draft 3" (default: "Working draft").')
@click.option("--final", is_flag=True, help="A final edition: no DRAFT mark.")
@click.option("--formats", default=",".join(editions.FORMATS), show_default=True,
              help="Comma-separated formats to build.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Output folder (default: build/ in the report's folder).")
@click.option("--progress/--quiet", default=None,
              help="Show each step (default: on a terminal, off under CI).")
def build(root: Path, edition: str | None, final: bool, formats: str, out: Path | None,
          progress: bool | None) -> None:
    """Build the editions (HTML site, PDF, DOCX) into build/.

    Refuses to build when `report check` finds errors. The previous build
    stays in place until the new one is complete.
    """
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
    try:
        result = editions.build(report, editions.Options(edition, final, chosen, out), step)
    except editions.BuildRefused as exc:
        click.echo(FORMATTERS["text"]([d for d in exc.diagnostics if d.severity == ERROR]), nl=False, err=True)
        click.echo(f"report: {exc}", err=True)
        sys.exit(EXIT_FINDINGS)
    except editions.BuildError as exc:
        click.echo(f"report: {exc}; the previous build is unchanged", err=True)
        sys.exit(EXIT_FINDINGS)
    for output in result.manifest["outputs"]:
        click.echo(f"{result.out / output['path']}  ({output['format']}, {output['bytes']:,} bytes)")
    if progress:
        click.echo(f"built {result.manifest['edition']} of {result.manifest['date']} in "
                   f"{sum(result.timings.values()):.1f} s", err=True)


def exit_code(diagnostics: list[Diagnostic], strict: bool) -> int:
    failing = {ERROR, WARNING} if strict else {ERROR}
    return EXIT_FINDINGS if any(d.severity in failing for d in diagnostics) else EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    main()
