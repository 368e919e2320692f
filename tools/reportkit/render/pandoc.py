"""The pandoc editions: one resolved Markdown document to DOCX (house styles) and to PDF (Typst)."""

from __future__ import annotations

import os
import string
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path


from ..model import Report
from . import docx_contents
from .resolve import single_document

# pandoc's Markdown, minus what would make it read the sources differently from MkDocs.
# Raw HTML, TeX and `{=format}` blocks are off: nothing in the text reaches the engines unescaped.
READER = ("markdown-implicit_figures+footnotes+pipe_tables+header_attributes-citations"
          "-raw_html-raw_tex-raw_attribute")


class RenderError(Exception):
    """pandoc or the PDF engine failed on input that passed the checks."""


@dataclass(frozen=True)
class Edition:
    name: str  # e.g. "Draft 7" or "Final"
    date: str  # ISO date, from the commit so rebuilds are identical
    epoch: int  # the same moment as a Unix time (SOURCE_DATE_EPOCH)
    commit: str | None
    final: bool = False
    uncommitted: bool = False  # built from a working tree with changes the commit does not hold


def template(name: str) -> Path:
    return Path(str(resources.files("reportkit") / "templates" / name))


@contextmanager
def source_date(epoch: int):
    """pandoc reads SOURCE_DATE_EPOCH for the timestamps it writes into DOCX files."""
    previous = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(epoch)
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = previous


# Quotes stay unescaped so Typst can make them typographic; they cannot start code or markup.
_TYPST_SPECIAL = set(string.punctuation) - {"'", '"'}


def typst_text(text: str) -> str:
    """Text as Typst markup that shows exactly that text: pandoc puts -V values into the template
    as they are, so an edition named "Draft #3 [rev]" would otherwise run code or break the PDF."""
    return "".join("\\" + c if c in _TYPST_SPECIAL else c for c in " ".join(text.split()))


def typst_string(text: str) -> str:
    """Text as a Typst string literal, for the template's code (document metadata, language)."""
    return '"' + " ".join(text.split()).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _metadata(report: Report, edition: Edition) -> list[str]:
    settings = report.settings
    language = str(settings.get("language", "en-GB"))
    lang, _, region = language.partition("-")
    values = {
        "title": typst_text(report.title),
        "subtitle": typst_text(str(settings.get("subtitle", ""))),
        "author": typst_text(str(settings.get("author", ""))),
        "short-title": typst_text(report.title),
        "edition": typst_text(edition.name),
        "date": typst_text(edition.date),
        "title-string": typst_string(report.title),
        "author-string": typst_string(str(settings.get("author", ""))),
        "lang": typst_string(lang),
        "region": typst_string(region or "GB"),
    }
    args = []
    for key, value in values.items():
        args += ["-V", f"{key}={value}"]
    if edition.commit:
        args += ["-V", f"commit={edition.commit[:12]}"]
    if not edition.final:
        args += ["-V", "draft=true"]
    return args


def _convert(markdown: str, to: str, extra: list[str], output: Path | None = None) -> str:
    import pypandoc  # here, not at the top: `report check` never needs pandoc

    try:
        return pypandoc.convert_text(markdown, to, format=READER, extra_args=extra, verify_format=False,
                                     outputfile=str(output) if output else None)
    except RuntimeError as exc:
        raise RenderError(f"pandoc could not write {to}: {exc}") from exc


def write_docx(report: Report, edition: Edition, output: Path, reference: Path) -> None:
    settings = report.settings
    subtitle = str(settings.get("subtitle", ""))
    draft = "" if edition.final else "DRAFT · "
    extra = [
        "--toc", "--toc-depth=2", f"--reference-doc={reference}",
        f"--resource-path={report.root}",
        "-M", f"title={report.title}",
        "-M", f"subtitle={subtitle}",
        "-M", f"author={settings.get('author', '')}",
        "-M", f"date={draft}{edition.name} · {edition.date}",
        "-M", f"lang={settings.get('language', 'en-GB')}",
        "-M", "toc-title=Contents",
    ]
    with source_date(edition.epoch):
        _convert(single_document(report), "docx", extra, output)
    docx_contents.fill(output, report)


def typst_source(report: Report, edition: Edition) -> str:
    extra = ["--template", str(template("report.typst"))] + _metadata(report, edition)
    return _convert(single_document(report), "typst", extra)


def write_pdf(report: Report, edition: Edition, output: Path) -> None:
    import typst  # imported here: only the PDF edition needs the engine

    source = typst_source(report, edition)
    try:
        pdf = typst.compile(source.encode("utf-8"), root=str(report.root), ignore_system_fonts=True,
                            timestamp=edition.epoch)
    except RuntimeError as exc:
        message = getattr(exc, "message", None) or str(exc)
        raise RenderError(f"the PDF engine (Typst) failed: {message}") from exc
    output.write_bytes(pdf)
