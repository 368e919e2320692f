"""The pandoc editions: the validated AST to DOCX (house styles) and to PDF (Typst), in a sandbox.

The writers never see the repository. They run in a staging folder (`work`) that holds copies of
the validated assets only: pandoc with that folder as its working directory and resource path,
and Typst with it as its root, so `#read`, `#image` or an image path can reach nothing else. Both
run as child processes (see `runner`): a time limit, Ctrl-C or SIGTERM ends them.
"""

from __future__ import annotations

import json
import logging
import os
import re
import string
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

from .. import positions, style
from ..model import Report
from . import apparatus, arrangement, changes, docx_contents, docx_facts, negotiated, runner, transforms
from .pandoc_ast import Parsed, meta_text, pandoc_path

log = logging.getLogger(__name__)


class RenderError(Exception):
    """pandoc or the PDF engine failed on input that passed the checks; the message locates it."""


@dataclass(frozen=True)
class Edition:
    name: str  # e.g. "Draft 7" or "Final"
    date: str  # ISO date, from the commit so rebuilds are identical
    epoch: int  # the same moment as a Unix time (SOURCE_DATE_EPOCH)
    commit: str | None
    final: bool = False
    uncommitted: bool = False  # built from a working tree with changes the commit does not hold
    changes_by: str | None = None  # who Word names for marked changes (a redline: "Changes since FROM")

    def attribution(self) -> changes.Attribution:
        """Author and date of the marked changes in Word: the moment the edition is dated (UTC); the
        author is the redline's name, or "Open point" for the text's own marks under negotiation."""
        when = datetime.fromtimestamp(self.epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return changes.Attribution(self.changes_by or negotiated.OPEN_POINT, when)


def template(name: str) -> Path:
    return Path(str(resources.files("reportkit") / "templates" / name))


# Quotes stay unescaped so Typst can make them typographic; they cannot start code or markup.
_TYPST_SPECIAL = set(string.punctuation) - {"'", '"'}


def typst_text(text: str) -> str:
    """Text as Typst markup that shows exactly that text: pandoc puts -V values into the template
    as they are, so an edition named "Draft #3 [rev]" would otherwise run code or break the PDF."""
    return "".join("\\" + c if c in _TYPST_SPECIAL else c for c in " ".join(text.split()))


def typst_word(text: str) -> str:
    """One word (a Str) as Typst markup, as pandoc's writer prints it: every ASCII symbol escaped,
    quotes too (pandoc keeps a Str's straight quotes straight)."""
    return "".join("\\" + c if c in string.punctuation else c for c in text)


def typst_string(text: str) -> str:
    """Text as a Typst string literal, for the template's code (document metadata, language)."""
    return '"' + " ".join(text.split()).replace("\\", "\\\\").replace('"', '\\"') + '"'


def typst_variables(report: Report, edition: Edition) -> list[str]:
    settings = report.settings
    language = str(settings.get("language", "en-GB"))
    lang, _, region = language.partition("-")
    values = {
        "title": typst_text(report.title),
        "subtitle": typst_text(str(settings.get("subtitle", ""))),
        "author": typst_text(str(settings.get("author", ""))),
        "short-title": typst_text(report.title),
        "edition": typst_text(edition.name),
        "date": typst_text(style.un_date(edition.date)),
        "title-string": typst_string(report.title),
        "author-string": typst_string(str(settings.get("author", ""))),
        "lang": typst_string(lang),
        "region": typst_string(region or "GB"),
    }
    args = []
    for key, value in values.items():
        args += ["-V", f"{key}={value}"]
    if edition.commit:
        args += ["-V", f"commit={typst_text(edition.commit[:12])}"]
    if not edition.final:
        args += ["-V", "draft=true"]
    return args


def _document(parsed: Parsed, meta: dict[str, str], blocks: list) -> bytes:
    """The AST as JSON, with metadata set from report.yml and the command line only, as plain text."""
    ast = {
        "pandoc-api-version": parsed.ast["pandoc-api-version"],
        "meta": {key: meta_text(value) for key, value in meta.items() if value},
        "blocks": blocks,
    }
    return json.dumps(ast, ensure_ascii=False).encode("utf-8")


def _pandoc(args: list[str], document: bytes, work: Path, timeout: float, epoch: int) -> bytes:
    # pandoc reads SOURCE_DATE_EPOCH for the timestamps it writes into DOCX files: given to the
    # child only, the builder's own environment is left alone.
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(epoch)}
    try:
        out, _ = runner.run_program(
            [pandoc_path(), "-f", "json", *args], input=document, cwd=work, timeout=timeout, what="pandoc", env=env
        )
    except runner.RendererFailed as exc:
        raise RenderError(f"pandoc could not write the edition: {exc}") from None
    except runner.RendererTimeout as exc:
        raise RenderError(str(exc)) from None
    return out


def write_docx(
    report: Report,
    parsed: Parsed,
    edition: Edition,
    output: Path,
    work: Path,
    timeout: float,
    pages: dict[str, int] | None = None,
) -> list[str]:
    """The DOCX edition; the finishing touches that could not be applied (each logged as a warning).
    pages: the PDF edition's page number of each heading id, when it was built first, for the
    contents written in advance."""
    settings = report.settings
    draft = "" if edition.final else "DRAFT · "
    meta = {
        "title": report.title,
        "subtitle": str(settings.get("subtitle", "")),
        "author": str(settings.get("author", "")),
        "date": f"{draft}{edition.name} · {style.un_date(edition.date)}",
        "lang": str(settings.get("language", "en-GB")),
        "toc-title": "Contents",
    }
    by = edition.attribution()  # the text's own marks ("Open point"), or the redline's
    # What the file says about itself, for `report comments` when a reviewed copy comes back.
    meta.update(
        docx_facts.properties(
            report, edition.name, edition.date, edition.final, edition.commit, edition.uncommitted, (by.author, by.date)
        )
    )
    args = [
        "-t",
        "docx",
        "--toc",
        "--toc-depth=2",
        f"--reference-doc={template('reference.docx')}",
        "--resource-path=.",
        "-o",
        str(output),
    ]
    # Marks of text not yet agreed as Word's tracked changes and comments, by each section's owner,
    # dated as the edition (which is how `report comments` tells them from a reviewer's).
    attributed = negotiated.attributed(report, parsed, by.date)
    printed = apparatus.for_docx(report, attributed, arrangement.arrange(report, attributed))  # notes, captions
    # The marks left after the owners': a redline's changes since FROM, by its name; any other the
    # text carries, as an open point.
    blocks = transforms.for_docx(printed, edition.final, changes.Attribution(negotiated.OPEN_POINT, by.date), by)
    _pandoc(args, _document(parsed, meta, _drafted(report, edition, blocks, docx=True)), work, timeout, edition.epoch)
    header = f"DRAFT · {edition.name} · {style.un_date(edition.date)}" if not edition.final else report.title
    return docx_contents.finish(output, report, header, not edition.final, pages or {})


def running_heads(report: Report, limit: int = 46) -> dict[str, str]:
    """The running head of each document's pages: its label and short title, cut to fit one line."""
    heads = {}
    for doc in report.documents:
        text = f"{doc.label}: {doc.short_title}" if doc.number else doc.short_title
        heads[str(doc.id)] = text if len(text) <= limit else text[: limit - 1].rstrip(" ,;:") + "…"
    return heads


def typst_source(report: Report, parsed: Parsed, edition: Edition, work: Path, timeout: float) -> str:
    args = ["-t", "typst", "--template", str(template("report.typst")), *typst_variables(report, edition)]
    printed = apparatus.for_typst(report, parsed, arrangement.arrange(report, parsed))  # notes, captions
    # The draft's own sections first, so that they too set the running head of their pages.
    blocks = transforms.for_typst(_drafted(report, edition, printed, docx=False), edition.final, running_heads(report))
    document = _document(parsed, {}, blocks)
    return _pandoc(args, document, work, timeout, edition.epoch).decode("utf-8")


def _drafted(report: Report, edition: Edition, blocks: list, docx: bool) -> list:
    """A draft edition opens with the open points and ends with the positions of members."""
    if edition.final:
        return blocks
    return negotiated.draft_sections(report, positions.matrix(report), blocks, docx)


def _compile(source: str, root: str, epoch: int, output: str) -> tuple[str, str] | None:
    """In the child process: compile, write the PDF; or return Typst's message and diagnostic."""
    import typst  # only the PDF edition needs the engine

    try:
        # PDF/UA-1: tagged, identified, and checked as it is made (an image without alt text fails).
        # The stub ties input, root and font paths to one type; bytes input is the source, not a path.
        pdf = typst.compile(
            source.encode("utf-8"),
            root=root,  # type: ignore[misc]
            ignore_system_fonts=True,
            timestamp=epoch,
            font_paths=[str(style.fonts_folder())],
            pdf_standards=["ua-1"],
        )
    except typst.TypstError as exc:
        return str(getattr(exc, "message", exc)), str(getattr(exc, "diagnostic", ""))
    Path(output).write_bytes(pdf)
    return None


def heading_pages(pdf: Path) -> dict[str, int]:
    """The page number of each heading id in a PDF edition (Typst makes each label a named
    destination; the page number is the page's place, the cover being page 1)."""
    import pypdf  # only needed to write page numbers into the DOCX's contents

    reader = pypdf.PdfReader(str(pdf))
    found = {}
    for name, destination in reader.named_destinations.items():
        try:
            index = reader.get_destination_page_number(destination)
        except (KeyError, ValueError, TypeError):  # a destination without a page: nothing to show
            continue
        if index is not None:
            found[name.lstrip("/")] = index + 1
    return found


def write_pdf(report: Report, parsed: Parsed, edition: Edition, output: Path, work: Path, timeout: float) -> None:
    (work / "house.typ").write_text(style.typst_preamble(), "utf-8")  # the template imports it
    source = typst_source(report, parsed, edition, work, timeout)
    try:
        failed = runner.run_in_child(
            _compile, source, str(work), edition.epoch, str(output), timeout=timeout, what="the PDF engine (Typst)"
        )
    except (runner.RendererFailed, runner.RendererTimeout) as exc:
        raise RenderError(str(exc)) from None
    if failed:
        message, diagnostic = failed
        raise RenderError(f"{_where(report, source, diagnostic)}the PDF engine (Typst) failed: {message}")


_TYPST_LINE = re.compile(r"\.typ:(\d+):\d+")
_TYPST_LABEL = re.compile(r"<([a-z0-9-]+)>\s*$")


def _where(report: Report, source: str, diagnostic: str) -> str:
    """'chapters/x.md:12: ' for the document a Typst error falls in (found by the last heading label
    before the failing line), or '' when it cannot be told."""
    m = _TYPST_LINE.search(diagnostic)
    if not m:
        return ""
    lines = source.split("\n")[: int(m.group(1))]
    for line in reversed(lines):
        label = _TYPST_LABEL.search(line)
        if label:
            ident = label.group(1).split("--", 1)[0]
            doc = report.by_id.get(ident)
            if doc is not None:
                return f"{doc.path}:{doc.body_line}: "
    return ""
