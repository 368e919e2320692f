"""What pandoc reads: the report parsed once into pandoc's JSON AST, validated against an allowlist.

This is the wall in front of the PDF and DOCX writers. pandoc parses each document's resolved
Markdown (one file per document, `--file-scope`, so nothing leaks from one file into the next); the
tree it returns is what the writers would render, so it is checked here rather than guessed from
the text: no raw passthrough, no attribute but the few the resolver emits, headings only where the
check saw them, links and images only to places the editions own. Findings are located in the
source file; the resolver keeps every body line on its own line, so pandoc's line numbers map back.
"""

from __future__ import annotations

import json
import logging
import re
import tempfile
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from ..apparatus import judge as apparatus_judge
from ..diagnostics import ERROR, WARNING, Diagnostic
from ..markdown import ANCHOR, is_external
from ..model import Document, Report
from ..paths import link_target
from . import runner
from .resolve import SINGLE, anchor_id, emitted_classes, emitted_ids, render

log = logging.getLogger(__name__)

# pandoc's Markdown, cut down to what the site's Python-Markdown also reads, minus every way into
# the writers' raw output: no raw HTML/TeX/`{=format}`, no math (texmath writes Typst code), no
# metadata from a body (a `---` block would set the edition's title or DRAFT mark). Citations
# (`[@key]`) are read: their keys are judged against references.yml (apparatus/judge.py).
READER = "markdown" + "".join(
    f"-{name}"
    for name in (
        "raw_html",
        "raw_tex",
        "raw_attribute",
        "tex_math_dollars",
        "latex_macros",
        "yaml_metadata_block",
        "pandoc_title_block",
        "implicit_figures",
        "implicit_header_references",
        "markdown_in_html_blocks",
        "native_divs",
        "native_spans",
        "inline_notes",
        "example_lists",
        "line_blocks",
        "table_captions",
        "grid_tables",
        "multiline_tables",
        "simple_tables",
        "definition_lists",
        "fancy_lists",
        "subscript",
        "superscript",
        "strikeout",
        "task_lists",
        "fenced_divs",
    )
)
# Past this depth the engines fail (Typst's parser, Python's recursion): a located error instead.
MAX_DEPTH = 48
SAFE_SCHEMES = ("http://", "https://", "mailto:")
_PREFIX = re.compile(r"^d\d{4}\.md__")
_WARNING = re.compile(r"d(\d{4})\.md line (\d+) column (\d+)")
_CODE_CLASS = re.compile(r"^[A-Za-z0-9_+.-]{1,40}$")
# Documents whose id or heading ids pandoc cannot read as ids are left to the check's findings:
# their title heading would not carry the id that tells where the document starts.
_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


@cache
def pandoc_path() -> str:
    import pypandoc  # only the commands that parse or write with pandoc need it

    return str(pypandoc.get_pandoc_path())


@dataclass
class Parsed:
    """The report as pandoc reads it: its AST, and which top-level blocks belong to which document."""

    ast: dict
    spans: list[tuple[Document, int, int]] = field(default_factory=list)  # doc, first block, end
    warnings: list[Diagnostic] = field(default_factory=list)
    # A redline's recommendation boxes (label and statement inlines, changes marked), by path;
    # the printed order draws the box from these instead of the front matter (`arrangement`).
    boxes: dict[str, tuple[list, list]] = field(default_factory=dict)
    # A redline's recommendations printed at FROM and no longer (set, label, statement).
    retired: list[tuple[int, str, str]] = field(default_factory=list)

    def blocks(self, doc: Document) -> list:
        for candidate, start, end in self.spans:
            if candidate is doc:
                return self.ast["blocks"][start:end]
        return []


def file_name(index: int) -> str:
    # pandoc makes ids of the file name: it must start with a letter to survive intact.
    return f"d{index:04d}.md"


def parse(report: Report, timeout: float = runner.DEFAULT_TIMEOUT) -> Parsed:
    """Parse every document's resolved Markdown with pandoc, one file each, into one AST.

    A document past the text limits (`markdown.excesses`) is left out: the check refuses it, and
    pandoc, which is not linear on such text, never sees it.
    """
    documents = [
        d
        for d in report.documents
        if d.id
        and _ID.fullmatch(d.id)
        and not d.scan.excesses
        and not any(h.explicit and not ANCHOR.fullmatch(h.anchor) for h in d.scan.headings)
    ]
    with tempfile.TemporaryDirectory(prefix="reportkit-ast-") as folder:
        names = []
        for index, doc in enumerate(documents):
            names.append(file_name(index))
            (Path(folder) / names[-1]).write_text(render(report, doc, SINGLE), "utf-8")
        args = [pandoc_path(), "--sandbox", "--file-scope", "-f", READER, "-t", "json", *names]
        out, err = runner.run_program(args, input=None, cwd=folder, timeout=timeout, what="pandoc")
    try:
        ast = json.loads(out)
    except RecursionError:
        raise runner.RendererFailed("the text is nested too deeply for pandoc's output to be read") from None
    parsed = Parsed(ast)
    # The file prefixes pandoc gave every id tell which file a heading came from: attribute first,
    # then `judge` removes them (the resolver's ids are unique report-wide already).
    parsed.spans = _attribute(ast["blocks"], documents)
    parsed.warnings = _warnings(err, documents)
    return parsed


def too_slow(markdown_text: str, seconds: float) -> bool:
    """Whether pandoc takes longer than `seconds` to read this text on its own (it is stopped then)."""
    try:
        runner.run_program(
            [pandoc_path(), "--sandbox", "-f", READER, "-t", "json"],
            input=markdown_text.encode("utf-8"),
            cwd=None,
            timeout=seconds,
            what="pandoc",
        )
    except runner.RendererTimeout:
        return True
    except runner.RendererFailed:
        return False
    return False


def _is_attr(item: list) -> bool:
    return (
        len(item) == 3
        and isinstance(item[0], str)
        and isinstance(item[1], list)
        and isinstance(item[2], list)
        and all(isinstance(c, str) for c in item[1])
        and all(isinstance(kv, list) and len(kv) == 2 for kv in item[2])
    )


def _attribute(blocks: list, documents: list[Document]) -> list[tuple[Document, int, int]]:
    """Each document's top-level blocks: its file starts with its title heading, whose id pandoc
    prefixed with that file's name (a heading in another file cannot pass for it)."""
    starts = {f"{file_name(i)}__{doc.id}": doc for i, doc in enumerate(documents)}
    spans: list[tuple[Document, int, int]] = []
    for index, block in enumerate(blocks):
        if block.get("t") == "Header" and block["c"][0] == 1 and block["c"][1][0] in starts:
            doc = starts.pop(block["c"][1][0])
            if spans:
                spans[-1] = (spans[-1][0], spans[-1][1], index)
            spans.append((doc, index, len(blocks)))
    return spans


def _warnings(stderr: bytes, documents: list[Document]) -> list[Diagnostic]:
    found = []
    for line in stderr.decode("utf-8", "replace").splitlines():
        # Duplicate ids come from headings, which the check numbers and reports (anchor.duplicate).
        if not line.startswith("[WARNING]") or "Duplicate identifier" in line:
            continue
        m = _WARNING.search(line)
        doc = documents[int(m.group(1))] if m and int(m.group(1)) < len(documents) else None
        if m is None or doc is None:
            log.debug("pandoc: %s", line)
            continue
        text = _WARNING.sub("here", line.removeprefix("[WARNING]").strip())
        found.append(
            Diagnostic(
                doc.path,
                source_line(doc, int(m.group(2))),
                int(m.group(3)),
                WARNING,
                "render.warning",
                f"the PDF and DOCX engine (pandoc) says: {text}",
            )
        )
    return found


def source_line(doc: Document, line: int) -> int:
    """A line of the resolved file pandoc read, as a line of the source (title: 2 lines, then the body)."""
    return max(doc.body_line + line - 3, doc.body_line) if line > 2 else 1


def locate(doc: Document, needle: str, *contexts: str) -> tuple[int, int]:
    """Where a construct the AST holds is written in the source: the first occurrence of the needle
    in one of the contexts ('](' + needle for a link's target...), else anywhere, else the body's start."""
    body = doc.scan.body
    for context in (*contexts, "{}"):
        offset = body.find(context.format(needle)) if needle else -1
        if offset >= 0:
            return doc.where(offset + context.index("{}"))
    return doc.body_line, 1


_TARGET_CONTEXTS = ("]({}", "]( {}", "]: {}", "]:{}", "<{}")


# -- validation ---------------------------------------------------------------------------------


@dataclass
class _Rules:
    report: Report
    ids: set[str]  # every id the resolver emitted, report-wide
    classes: frozenset[str]
    assets: set[str]


# Nodes with nothing to check and nothing inside: skipped without a look (most of any text).
_LEAVES = frozenset({"Str", "Space", "SoftBreak", "LineBreak", "HorizontalRule"})
_ATTR_AT = {"Header": 1, "CodeBlock": 0, "Div": 0, "Span": 0, "Code": 0, "Link": 0, "Image": 0, "Figure": 0}


def judge(report: Report, parsed: Parsed, assets: set[str]) -> list[Diagnostic]:
    """Validate what pandoc read against the allowlist, located in the sources, and make the AST
    ready for the writers (file prefixes gone, links and images pointed at the single document and
    the staged copies). One pass over each document's nodes."""
    ids = {i for doc in report.documents if doc.id for i in emitted_ids(doc)}
    rules = _Rules(report, ids, emitted_classes(), assets)
    found = list(parsed.warnings)
    if parsed.ast.get("meta"):
        found.append(
            Diagnostic(
                "report.yml",
                1,
                1,
                ERROR,
                "render.metadata",
                "the text sets document metadata; only report.yml and the command line may",
            )
        )
    for doc, start, end in parsed.spans:
        found += _judge_document(rules, doc, parsed.ast["blocks"][start:end])
        found += apparatus_judge.agreement(report, doc, parsed.ast["blocks"][start:end], anchor_id)
    return found


def _judge_document(rules: _Rules, doc: Document, blocks: list) -> list[Diagnostic]:
    own = set(emitted_ids(doc))
    found: list[Diagnostic] = []
    stack = _inner(blocks, 1)
    while stack:
        item, depth = stack.pop()
        if isinstance(item, list):
            stack += _inner(item, depth)
            continue
        if depth > MAX_DEPTH:
            return found + [
                _at(
                    doc,
                    "",
                    "text.nesting",
                    f"the text is nested more than {MAX_DEPTH} levels "
                    "deep (quotes, lists, emphasis or brackets inside each other); the engines "
                    "cannot typeset it: flatten it",
                )
            ]
        found += _check_node(rules, doc, own, item)
        if item.get("t") == "Cite":
            stack += [(part, depth + 1) for part in apparatus_judge.cite_parts(item)]
        children = item.get("c")
        if type(children) is list:
            stack += _inner(children, depth + 1)
    return found


def _inner(items: list, depth: int) -> list[tuple[list | dict, int]]:
    """What is worth a look inside a list of the AST: lists, and nodes that are not plain leaves."""
    return [
        (c, depth) for c in reversed(items) if type(c) is list or (type(c) is dict and c.get("t", "Str") not in _LEAVES)
    ]


def _check_node(rules: _Rules, doc: Document, own: set[str], node: dict) -> list[Diagnostic]:
    kind = node["t"]
    if kind in ("RawBlock", "RawInline"):
        fmt = node["c"][0]
        return [
            _at(
                doc,
                "{=",
                "render.raw",
                f"raw {fmt} code is not allowed in the text: it would reach the PDF or DOCX engine unchecked",
            )
        ]
    if kind == "Math":
        return [_at(doc, "$", "render.raw", "mathematics in TeX notation is not supported: write it as text")]
    if kind == "Cite":
        return apparatus_judge.check_cite(rules.report, doc, node)
    attrs = [node["c"][_ATTR_AT[kind]]] if kind in _ATTR_AT else _attrs_of(node) if kind == "Table" else []
    found = []
    for attr in attrs:
        attr[0] = _PREFIX.sub("", attr[0])
        found += _check_attr(rules, doc, own, kind, attr)
    if kind == "Header":
        found += _check_header(doc, own, node)
    elif kind in ("Link", "Image"):
        target = node["c"][2]
        if target[0].startswith("#"):
            target[0] = "#" + _PREFIX.sub("", target[0][1:])
        found += (_check_link if kind == "Link" else _check_image)(rules, doc, target[0])
        target[0] = _relinked(rules.report, doc, target[0], kind == "Image")
    return found


def _attrs_of(node: dict) -> list[list]:
    """The attribute triples a table carries, on itself, its rows and its cells."""
    found = []
    stack = [node.get("c")]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            if _is_attr(item):
                found.append(item)
            else:
                stack.extend(i for i in item if isinstance(i, list))
    return found


def _check_attr(rules: _Rules, doc: Document, own: set[str], kind: str, attr: list) -> list[Diagnostic]:
    ident, classes, pairs = attr
    found = []
    for key, _ in pairs:
        found.append(
            _at(
                doc,
                key,
                "render.attribute",
                f"the attribute '{key}' is not allowed: attributes "
                "other than a heading's {#id} would pass instructions to the PDF or DOCX engine",
            )
        )
    code_like = kind in ("Code", "CodeBlock")
    for name in classes:
        if not (_CODE_CLASS.match(name) if code_like else name in rules.classes):
            found.append(
                _at(doc, "." + name, "render.attribute", f"the class '.{name}' is not one the editions know; remove it")
            )
    if ident and kind != "Header" and ident not in own:
        found.append(
            _at(
                doc, "#" + ident, "render.attribute", f"the id '#{ident}' is not allowed here: only headings take an id"
            )
        )
    return found


_SWALLOWED_ID = re.compile(r"\{#([^\s}]+)")


def _check_header(doc: Document, own: set[str], node: dict) -> list[Diagnostic]:
    ident = node["c"][1][0]
    if ident in own:
        return []
    text = _plain(node["c"][2])
    # Read as text, the id went through pandoc's smart punctuation: '--' became an en dash.
    swallowed = _SWALLOWED_ID.search(text.replace("\u2014", "---").replace("\u2013", "--"))
    heading = next(
        (
            h
            for h in doc.scan.headings
            if swallowed and anchor_id(doc, h.anchor, SINGLE) == _PREFIX.sub("", swallowed.group(1))
        ),
        None,
    )
    if heading is not None:  # one of ours, whose {#id} pandoc read as text
        line, column = doc.where(heading.start)
        return [
            Diagnostic(
                doc.path,
                line,
                column,
                ERROR,
                "heading.unrecognized",
                "the PDF and DOCX engine cannot read this heading's id: an unclosed '_', '__', "
                "'*' or '`' in its text runs over it; escape the mark with a backslash (\\_)",
            )
        ]
    return [
        _at(
            doc,
            text.split(" ")[0] if text else "",
            "heading.unrecognized",
            f"'{text[:60]}' is read as a heading by the PDF and DOCX engine, but it is not one the check "
            "numbers (a line of '---' or '===' under text, or a heading inside a quote or list, makes one): "
            "start headings at the beginning of a line with '## ', or put a blank line before the '---'",
        )
    ]


def _check_link(rules: _Rules, doc: Document, url: str) -> list[Diagnostic]:
    if url.startswith("#"):
        if url[1:] in rules.ids or url[1:] in doc.anchors:
            return []
        return [_at(doc, url, "link.anchor", f"the link '{url}' leads to no heading of the report", True)]
    if is_external(url):
        if url.lower().startswith(SAFE_SCHEMES):
            return []
        scheme = url.split(":", 1)[0] + ":" if ":" in url else url[:2]
        return [
            _at(
                doc,
                url,
                "link.scheme",
                f"'{scheme}' links are not allowed: only http, https and mailto "
                "links, which cannot run code or hide content in readers' browsers",
                True,
            )
        ]
    _, _, rel = link_target(rules.report.root, doc.path, url)
    if rel is None:
        return [_at(doc, url, "link.outside", f"'{url}' points outside the repository; it was not read", True)]
    if rel in rules.report.by_path or rel in rules.assets:
        return []
    return [_at(doc, url, "link.broken", f"'{url}' is not part of the report's editions", True)]


def _check_image(rules: _Rules, doc: Document, url: str) -> list[Diagnostic]:
    if is_external(url):
        return [
            _at(
                doc,
                url,
                "image.remote",
                "this image is loaded from the internet; the PDF and DOCX cannot "
                "include it and the site would track readers: put the file in images/",
                True,
            )
        ]
    _, _, rel = link_target(rules.report.root, doc.path, url)
    if rel is None:
        return [_at(doc, url, "image.outside", f"'{url}' points outside the repository; it was not read", True)]
    if rel not in rules.assets:
        return [_at(doc, url, "image.missing", f"'{url}' is not an image the editions can publish", True)]
    return []


def _at(doc: Document, needle: str, code: str, message: str, target: bool = False) -> Diagnostic:
    line, column = locate(doc, needle, *(_TARGET_CONTEXTS if target else ()))
    return Diagnostic(doc.path, line, column, ERROR, code, message)


def _plain(inlines: list) -> str:
    return "".join(text_parts(inlines, spaces=True))


def text_parts(node: object, spaces: bool) -> list[str]:
    """The text of an AST node in reading order: its Str nodes, and with spaces a " " for each
    Space, SoftBreak and LineBreak."""
    parts = []
    stack: list[object] = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(reversed(item))
        elif isinstance(item, dict):
            if item.get("t") == "Str":
                parts.append(item["c"])
            elif item.get("t") in ("Space", "SoftBreak", "LineBreak"):
                if spaces:
                    parts.append(" ")
            elif isinstance(item.get("c"), list):
                stack.append(item["c"])
    return parts


# -- the AST the writers get --------------------------------------------------------------------


def _relinked(report: Report, doc: Document, url: str, image: bool) -> str:
    if url.startswith("#"):
        ident = url[1:]
        return url if ident not in doc.anchors else "#" + anchor_id(doc, ident, SINGLE)
    if is_external(url):
        return url
    _, anchor, rel = link_target(report.root, doc.path, url)
    if rel is None or image:
        return rel or url
    linked = report.by_path.get(rel)
    return "#" + anchor_id(linked, anchor or None, SINGLE) if linked else rel


def text_inlines(text: str) -> list[dict]:
    """Plain text as pandoc inlines: nothing in it is markup, whatever it holds."""
    inlines: list[dict] = []
    for word in text.split():
        if inlines:
            inlines.append({"t": "Space"})
        inlines.append({"t": "Str", "c": word})
    return inlines


def meta_text(text: str) -> dict:
    return {"t": "MetaInlines", "c": text_inlines(text)}
