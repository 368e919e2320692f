"""The `report` command: parse options, call one library function, print, choose the exit code."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from . import __version__, checks
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


def exit_code(diagnostics: list[Diagnostic], strict: bool) -> int:
    failing = {ERROR, WARNING} if strict else {ERROR}
    return EXIT_FINDINGS if any(d.severity in failing for d in diagnostics) else EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    main()
