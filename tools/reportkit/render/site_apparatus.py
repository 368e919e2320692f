"""The apparatus on the site, and what makes its pages pass axe-core: each page's HTML finished
before the sanitizer (`finish`), each finished page given what the theme leaves out (`accessible`).

- Notes: the resolver gave each note its number in the report's series as its label, so
  Python-Markdown's ids are `fn:12`, `fnref:12`; here the numbers it shows (1, 2 ... per page) become
  those numbers, on the call and on the list item (`<li value="12">`), as the PDF prints them.
- Captions: the resolver's caption paragraph (`p.rk-caption`) and the image, table or quote after
  it become one `<figure>` with its `<figcaption>` (a box's quote is the figure's body).
- The theme's search dialog has no accessible name: it gets one.
"""

from __future__ import annotations

import html
import logging
import re
import tempfile
from pathlib import Path

from ..model import Document, Report
from . import citeproc, pandoc_ast, runner
from .site_plan import APPARATUS_CSS

log = logging.getLogger(__name__)
STYLESHEET = APPARATUS_CSS
_CALL = re.compile(r'(<sup id="fnref\d*:(\d+)"><a class="footnote-ref" href="#fn:\2"[^>]*>)\d+(</a>)')
_ITEM = re.compile(r'<li id="fn:(\d+)">')
_BACK = re.compile(r'(<a class="footnote-backref" href="#fnref\d*:(\d+)" title=")[^"]*(")')
_SEARCH = '<div class="md-search" data-md-component="search" role="dialog"'


def citations(report: Report, path: str | None, judged=None) -> citeproc.Formatted | None:
    """The formatted citations the build shares (a file), or, in a preview without one, citeproc's
    own run over the parsed text (the judged one when the plugin checked the report)."""
    if path:
        return citeproc.Formatted.load(Path(path))
    if not any(report.apparatus.citations.values()):
        return None
    try:
        parsed = judged.parsed if judged is not None else None
        if parsed is None:
            parsed = pandoc_ast.parse(report)
            pandoc_ast.judge(report, parsed, set(report.assets))
        with tempfile.TemporaryDirectory(prefix="reportkit-cite-") as work:
            return citeproc.run(report, parsed, Path(work))
    except (runner.RendererFailed, runner.RendererTimeout, citeproc.CiteprocError) as exc:
        log.warning("report: the citations could not be formatted for the site: %s", exc)
        return None


def finish(report: Report, doc: Document | None, content: str) -> str:
    """A page's content with the report's note numbers and its captions as figures."""
    if doc is not None and 'class="footnote' in content and report.apparatus.note_numbers(doc.path):
        content = _CALL.sub(lambda m: f"{m.group(1)}{m.group(2)}{m.group(3)}", content)
        content = _ITEM.sub(lambda m: f'<li id="fn:{m.group(1)}" value="{m.group(1)}">', content)
        content = _BACK.sub(lambda m: f"{m.group(1)}Back to note {m.group(2)} in the text{m.group(3)}", content)
    if "rk-caption" in content:
        content = _figures(content)
    return content


def _figures(content: str) -> str:
    from selectolax.lexbor import (
        LexborHTMLParser,  # the site build has it (the page audit uses it)
    )

    tree = LexborHTMLParser(content)
    for caption in tree.css("p.rk-caption"):
        target = caption.next
        while target is not None and target.tag == "-text":
            target = target.next
        classes = (caption.attributes.get("class") or "").split()
        kind = next((c for c in classes if c in ("rk-figure", "rk-table", "rk-box")), None)
        if (
            target is None
            or kind is None
            or target.tag not in {"rk-figure": ("p",), "rk-table": ("table",), "rk-box": ("blockquote",)}[kind]
        ):
            continue
        body = target.html if kind == "rk-table" else target.inner_html
        if kind == "rk-box":
            body = f'<div class="rk-box-body">{body}</div>'
        ident = html.escape(caption.attributes.get("id") or "", quote=True)
        figure = LexborHTMLParser(
            f'<figure class="{kind}" id="{ident}"><figcaption>{caption.inner_html}</figcaption>{body}</figure>'
        ).css_first("figure")
        if figure is None:
            continue
        caption.replace_with(figure)
        target.decompose()
    finished = tree.body.inner_html if tree.body is not None else None
    return finished if finished is not None else content


def accessible(page: str) -> str:
    """A finished page with names for what the theme leaves unnamed (axe: aria-dialog-name)."""
    return page.replace(_SEARCH, _SEARCH + ' aria-label="Search"', 1)
