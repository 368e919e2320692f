"""Citations formatted once: pandoc's citeproc over the judged AST, shared by the three editions.

`run` sends the whole judged AST to `pandoc -f json -t json --citeproc` once, with references.yml
as metadata built from plain text (no field is read as markup) and the CSL style report.yml names
(shipped in templates/, all of class in-text, so citeproc adds no notes of its own). The PDF and
DOCX print the AST it returns; the site takes each citation's formatted text and the list of
references from the same result (`Formatted`, written to a JSON file for the site's build), so no
edition formats anything twice. UN document symbols (the `number` of an entry, A/RES/70/1) and DOIs
become links.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..markdown import md_text
from ..model import Report
from . import changes, runner
from .pandoc_ast import Parsed, pandoc_path, text_inlines
from .transforms import rewrite

log = logging.getLogger(__name__)

STYLES = ("un", "author-date")
UNDOCS = "https://undocs.org/en/"
# A UN document symbol: a series of the Organization's documents (the General Assembly's A, the
# Security Council's S, ECOSOC's E, the Secretariat's ST, UNCTAD ...), then parts separated by '/'
# (A/RES/70/1, A/HRC/RES/20/8, UNCTAD/IER/2017, A/RES/217(III)). OECD/LEGAL/0449 is not one.
UN_SERIES = (
    "A",
    "S",
    "E",
    "ST",
    "UNCTAD",
    "TD",
    "UNEP",
    "DP",
    "CEDAW",
    "CCPR",
    "CRC",
    "CERD",
    "CRPD",
    "ECE",
    "ECA",
    "ECLAC",
    "ESCAP",
    "ESCWA",
    "UNW",
    "ICEF",
)
SYMBOL = re.compile(r"(?:" + "|".join(UN_SERIES) + r")(?:/[A-Za-z0-9.()\-]{1,20}){1,6}")
BIBLIOGRAPHY_ID = "refs"
# What citeproc's text may hold: anything else is a bug upstream, and is not passed on.
_INLINES = frozenset(
    {
        "Str",
        "Space",
        "SoftBreak",
        "LineBreak",
        "Emph",
        "Strong",
        "Underline",
        "SmallCaps",
        "Superscript",
        "Subscript",
        "Strikeout",
        "Quoted",
        "Span",
        "Link",
        "Code",
    }
)


class CiteprocError(Exception):
    """citeproc failed or returned what was not expected; the message says which."""


@dataclass
class Formatted:
    """citeproc's result: the AST the PDF and DOCX print, and what the site shows."""

    parsed: Parsed
    citations: dict[str, list[list]] = field(default_factory=dict)  # file -> inlines of each, reading order
    bibliography: list[tuple[str, list]] = field(default_factory=list)  # (key, blocks) in print order

    def citation_markdown(self, path: str, index: int, link) -> str | None:
        """The index-th citation of a file (pandoc's reading order) as the site's Markdown."""
        found = self.citations.get(path, [])
        if index >= len(found):
            return None
        return f'<span class="citation">{inlines_markdown(found[index], link)}</span>'

    def bibliography_markdown(self) -> str:
        """The list of references as paragraphs, each with its id ('ref-KEY') for the citations' links."""
        entries = []
        for key, blocks in self.bibliography:
            text = " ".join(
                inlines_markdown(b["c"], lambda k: f"#ref-{k}") for b in blocks if b.get("t") in ("Para", "Plain")
            )
            entries.append(f"{text}\n{{: #ref-{key} .csl-entry }}\n")
        return "\n".join(entries)

    def dump(self, path: Path) -> None:
        path.write_text(
            json.dumps({"citations": self.citations, "bibliography": self.bibliography}, ensure_ascii=False), "utf-8"
        )

    @classmethod
    def load(cls, path: Path, parsed: Parsed | None = None) -> Formatted:
        data = json.loads(path.read_text("utf-8"))
        return cls(parsed or Parsed({}), data["citations"], [tuple(e) for e in data["bibliography"]])


def style_file(report: Report) -> Path:
    from .pandoc import template

    name = report.settings.get("citation_style", STYLES[0])
    return template(f"{name if name in STYLES else STYLES[0]}.csl")


def _meta_text(value: object) -> dict:
    return {"t": "MetaInlines", "c": text_inlines(str(value))}


def _names(names: list[dict]) -> dict:
    return {
        "t": "MetaList",
        "c": [{"t": "MetaMap", "c": {k: _meta_text(v) for k, v in name.items()}} for name in names],
    }


def _issued(value: object) -> dict:
    parts = [{"t": "MetaString", "c": str(int(p))} for p in str(value).split("-")]
    return {"t": "MetaMap", "c": {"date-parts": {"t": "MetaList", "c": [{"t": "MetaList", "c": parts}]}}}


def references_meta(report: Report) -> dict:
    """references.yml as pandoc metadata: every value plain text (citeproc reads no markup in it)."""
    entries = []
    for entry in report.apparatus_files.references if report.apparatus_files else []:
        item = {}
        for key, value in entry.fields.items():
            if key in ("author", "editor"):
                item[key] = _names(value)
            elif key == "issued":
                item[key] = _issued(value)
            elif key in ("id", "type", "URL", "DOI"):
                item[key] = {"t": "MetaString", "c": str(value)}
            else:
                item[key] = _meta_text(value)
        entries.append({"t": "MetaMap", "c": item})
    return {"t": "MetaList", "c": entries}


def has_citations(report: Report) -> bool:
    return any(report.apparatus.citations.values())


def meta(report: Report, links: bool = True) -> dict:
    """The metadata citeproc formats with: references.yml as plain text, the report's language;
    without `links`, citations link to no list and none is appended (a page that only quotes)."""
    found = {
        "references": references_meta(report),
        "link-citations": {"t": "MetaBool", "c": links},
        "lang": {"t": "MetaString", "c": str(report.settings.get("language", "en-GB"))},
    }
    if not links:
        found["suppress-bibliography"] = {"t": "MetaBool", "c": True}
    return found


def options(report: Report) -> list[str]:
    """pandoc's options to format citations in the report's style."""
    return ["--citeproc", f"--csl={style_file(report)}"]


def run(report: Report, parsed: Parsed, work: Path, timeout: float = runner.DEFAULT_TIMEOUT) -> Formatted:
    """Format every citation of the judged AST, once. Without citations, the AST as it was."""
    if not has_citations(report):
        return Formatted(parsed)
    document = json.dumps(
        {"pandoc-api-version": parsed.ast["pandoc-api-version"], "meta": meta(report), "blocks": parsed.ast["blocks"]},
        ensure_ascii=False,
    ).encode("utf-8")
    try:
        out, _ = runner.run_program(
            [pandoc_path(), "-f", "json", "-t", "json", *options(report)],
            input=document,
            cwd=work,
            timeout=timeout,
            what="pandoc (citeproc)",
        )
    except runner.RendererFailed as exc:
        raise CiteprocError(f"the citations could not be formatted: {exc}") from None
    blocks = json.loads(out)["blocks"]
    bibliography = _bibliography(report, blocks, len(parsed.ast["blocks"]))
    formatted = Formatted(Parsed({}), bibliography=bibliography)
    for doc, start, end in parsed.spans:
        formatted.citations[doc.path] = [_checked(c["c"][1]) for c in _cites(blocks[start:end])]
    # The writers get the text, not the Cite nodes (pandoc's Typst writer would write Typst's own
    # citations of them), and the list with its symbols linked.
    entries = [{"t": "Div", "c": [[f"ref-{key}", ["csl-entry"], []], inner]} for key, inner in bibliography]
    listing = {"t": "Div", "c": [[BIBLIOGRAPHY_ID, [], []], entries]}
    ast = {**parsed.ast, "blocks": rewrite(blocks[:-1], _as_text) + [listing]}
    # The same Parsed otherwise: a redline's boxes and retired recommendations go on to the writers.
    formatted.parsed = dataclasses.replace(parsed, ast=ast)
    return formatted


def _as_text(node: dict):
    return {"t": "Span", "c": [["", ["citation"], []], node["c"][1]]} if node["t"] == "Cite" else node


def _bibliography(report: Report, blocks: list, count: int) -> list[tuple[str, list]]:
    """The list citeproc appended (a Div 'refs' of one Div 'ref-KEY' per work), symbols linked."""
    if len(blocks) != count + 1 or blocks[-1].get("t") != "Div" or blocks[-1]["c"][0][0] != BIBLIOGRAPHY_ID:
        raise CiteprocError("citeproc did not return the list of references where it was expected")
    works = report.apparatus_files.references if report.apparatus_files else []
    symbols = {e.id: e.fields.get("number") for e in works}
    found = []
    for entry in blocks[-1]["c"][1]:
        key = entry["c"][0][0].removeprefix("ref-")
        inner = [{**b, "c": _checked(b["c"])} if b.get("t") in ("Para", "Plain") else b for b in entry["c"][1]]
        symbol = symbols.get(key)
        if symbol and SYMBOL.fullmatch(symbol):
            inner = [{**b, "c": link_symbol(b["c"], symbol)} if b.get("t") in ("Para", "Plain") else b for b in inner]
        found.append((key, inner))
    return found


def _cites(blocks: list) -> list[dict]:
    """The Cite nodes of some blocks, in reading order (a note's citations where the note is). A
    redline's deleted text is FROM's, which the site does not show: its citations are not counted,
    so the site's pages (today's text) find theirs at the same places."""
    found, stack = [], list(reversed(blocks))
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(reversed(item))
        elif isinstance(item, dict):
            if item.get("t") == "Span" and changes.since(item) == changes.DELETED:
                continue
            if item.get("t") == "Cite":
                found.append(item)
            elif isinstance(item.get("c"), list):
                stack.extend(reversed(item["c"]))
    return found


def _checked(inlines: list) -> list:
    """citeproc's inlines, if they hold only what formatted text holds (and links only to the web or
    to a reference)."""
    stack = list(inlines)
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict) and "t" in item:
            if item["t"] not in _INLINES:
                raise CiteprocError(f"citeproc returned a '{item['t']}' in a citation")
            if item["t"] == "Link" and not re.match(r"(https?://|#ref-)", item["c"][2][0]):
                raise CiteprocError(f"citeproc returned a link to '{item['c'][2][0][:60]}'")
            if isinstance(item.get("c"), list):
                stack.extend(item["c"])
    return inlines


def link_symbol(inlines: list, symbol: str) -> list:
    """A UN document symbol in a reference's text, made a link to the document on undocs.org."""
    out = []
    for item in inlines:
        text = item.get("c") if item.get("t") == "Str" else None
        at = text.find(symbol) if isinstance(text, str) else -1
        if at < 0 or not isinstance(text, str):
            out.append(_symbol_inside(item, symbol))
            continue
        link = {"t": "Link", "c": [["", ["un-symbol"], []], [{"t": "Str", "c": symbol}], [UNDOCS + symbol, ""]]}
        out += [
            p
            for p in ({"t": "Str", "c": text[:at]}, link, {"t": "Str", "c": text[at + len(symbol) :]})
            if p.get("t") == "Link" or p["c"]
        ]
    return out


def _symbol_inside(item: dict, symbol: str) -> dict:
    if item.get("t") in ("Emph", "Strong"):
        return {**item, "c": link_symbol(item["c"], symbol)}
    if item.get("t") == "Span":
        return {**item, "c": [item["c"][0], link_symbol(item["c"][1], symbol)]}
    return item


# -- the site's Markdown of citeproc's text ------------------------------------------------------
# Markdown, not HTML: the site's links to the list of references are then links MkDocs resolves
# and validates like any other, and every piece of text is written as text (`md_text`).

_MARKS = {
    "Emph": ("*", "*"),
    "Strong": ("**", "**"),
    "Superscript": ("<sup>", "</sup>"),
    "Subscript": ("<sub>", "</sub>"),
    "Strikeout": ("<s>", "</s>"),
    "Underline": ("<u>", "</u>"),
    "SmallCaps": ('<span class="small-caps">', "</span>"),
}
_QUOTES = {"SingleQuote": ("\u2018", "\u2019"), "DoubleQuote": ("\u201c", "\u201d")}


def inlines_markdown(inlines: list, link) -> str:
    """Formatted inlines as Markdown that shows exactly their text; `link(key)` gives the address
    of a reference in the list (a citation's link)."""
    parts = []
    for item in inlines:
        kind, content = item.get("t"), item.get("c")
        if kind == "Str":
            parts.append(md_text(content) if content.strip() else " ")
        elif kind in ("Space", "SoftBreak", "LineBreak"):
            parts.append(" ")
        elif kind in _MARKS:
            opening, closing = _MARKS[kind]
            parts.append(opening + inlines_markdown(content, link) + closing)
        elif kind == "Code":
            parts.append(md_text(content[1]))
        elif kind == "Quoted":
            opening, closing = _QUOTES.get(content[0]["t"], ("\u201c", "\u201d"))
            parts.append(opening + inlines_markdown(content[1], link) + closing)
        elif kind == "Span":
            parts.append(inlines_markdown(content[1], link))
        elif kind == "Link":
            parts.append(_link_markdown(content, link))
    return "".join(parts)


def _link_markdown(content: list, link) -> str:
    target, text = content[2][0], inlines_markdown(content[1], link)
    href = link(target[len("#ref-") :]) if target.startswith("#ref-") else target
    return f"[{text}](<{href}>)" if href and "<" not in href and ">" not in href else text
