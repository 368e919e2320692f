"""The apparatus in the PDF and the DOCX: endnotes, captions, the list of references, images' alt text.

Runs on the printed order of the judged AST (after `arrangement.arrange`, before the editions'
`transforms`): every node added here is built from the model's values and escaped text.

- Notes: pandoc's `Note` nodes, numbered straight through in the printed order (the numbers
  `apparatus.notes.numbering` gives the site), become linked superscript numbers; their text goes
  to a Notes section at the end, an ordered list whose items link back to the text. In a redline,
  a note inside deleted text keeps its words there and takes no number.
- Captions: the resolver's span `[caption]{#id .rk-figure}` and the block after it become the
  edition's figure, table or box, labelled with the model's number (Figure 4.1).
- The list of references that citeproc made (`render/citeproc.py`) takes the place of the marker
  the resolver leaves in the annex marked `bibliography: true`.
- The PDF's images carry their alt text (pandoc's Typst writer drops it without implicit figures).
"""

from __future__ import annotations

from ..apparatus.captions import Caption
from ..apparatus.edits import BIBLIOGRAPHY_MARKER
from ..model import Report
from . import changes
from .citeproc import BIBLIOGRAPHY_ID
from .pandoc_ast import Parsed, text_inlines, text_parts
from .resolve import SINGLE, anchor_id
from .transforms import is_block_anchor, rewrite

NOTES_ID = "end--notes"  # no document id holds '--': no heading of the text can have it
CAPTION_CLASSES = {"rk-figure": "figure", "rk-table": "table", "rk-box": "box"}
TYPST_KINDS = {"figure": ("rk-figure", "Figure"), "table": ("rk-table", "Table")}
DOCX_CAPTION_STYLES = {"figure": "Image Caption", "table": "Table Caption", "box": "Box Title"}


def _raw(code: str) -> dict:
    return {"t": "RawBlock", "c": ["typst", code]}


def _plain_text(inlines: list) -> str:
    parts, stack = [], list(reversed(inlines))
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if item.get("t") == "Str":
                parts.append(item["c"])
            elif item.get("t") in ("Space", "SoftBreak", "LineBreak"):
                parts.append(" ")
            elif item.get("t") in ("Span", "Link", "Image", "Quoted", "Cite"):
                stack.extend(reversed(item["c"][1]))
            elif isinstance(item.get("c"), list):
                stack.extend(reversed(item["c"]))
    return "".join(parts)


# -- the list of references -----------------------------------------------------------------------


def bibliography(parsed: Parsed) -> list:
    """The entries citeproc listed (each a Div 'ref-KEY'), or none."""
    blocks = parsed.ast.get("blocks", [])
    end = max((e for _, _, e in parsed.spans), default=0)
    tail = blocks[end:]
    return tail[-1]["c"][1] if tail and tail[-1].get("t") == "Div" and tail[-1]["c"][0][0] == BIBLIOGRAPHY_ID else []


def _is_marker(block: dict) -> bool:
    spans = [i for i in block.get("c", []) if isinstance(i, dict) and i.get("t") == "Span"]
    return block.get("t") in ("Para", "Plain") and len(spans) == 1 and BIBLIOGRAPHY_MARKER in spans[0]["c"][0][1]


def _place_bibliography(blocks: list, entries: list, docx: bool) -> list:
    out = []
    for block in blocks:
        if not _is_marker(block):
            out.append(block)
        elif docx:
            out += [
                {"t": "Div", "c": [[e["c"][0][0], [], [["custom-style", "Bibliography"]]], e["c"][1]]} for e in entries
            ]
        else:
            out += entries
    return out


# -- captions ---------------------------------------------------------------------------------------


def _caption_of(block: dict, by_id: dict[str, Caption]) -> tuple[Caption, list] | None:
    """The caption a paragraph holds (the resolver's span), with the span's inlines."""
    if block.get("t") not in ("Para", "Plain"):
        return None
    for item in block["c"]:
        if isinstance(item, dict) and item.get("t") == "Span" and set(item["c"][0][1]) & set(CAPTION_CLASSES):
            caption = by_id.get(item["c"][0][0])
            return (caption, item["c"][1]) if caption is not None else None
    return None


def _typst_caption(caption: Caption, inlines: list, target: dict) -> list:
    """`#rk-figure(kind, [Figure], "4.1")[caption][body] <id>` (the template's functions): the
    caption on the opening line, so that it holds no paragraph break."""
    from .pandoc import typst_string, typst_text

    ident = anchor_id(caption.doc, caption.anchor, SINGLE)
    body = target["c"] if caption.kind == "box" else [target]
    if caption.kind == "box":
        opening = f"#rk-box([{typst_text(caption.label)}])["
    else:
        kind, word = TYPST_KINDS[caption.kind]
        opening = f"#rk-figure({typst_string(kind)}, [{word}], {typst_string(caption.number or '')})["
    line = [{"t": "RawInline", "c": ["typst", opening]}, *inlines, {"t": "RawInline", "c": ["typst", "]["]}]
    return [{"t": "Plain", "c": line}, *body, _raw(f"] <{ident}>")]


def _docx_caption(caption: Caption, inlines: list, target: dict) -> list:
    ident = anchor_id(caption.doc, caption.anchor, SINGLE)
    label = [{"t": "Span", "c": [[ident, [], []], []]}, *text_inlines(caption.label + ":"), {"t": "Space"}]
    title = {
        "t": "Div",
        "c": [["", [], [["custom-style", DOCX_CAPTION_STYLES[caption.kind]]]], [{"t": "Para", "c": label + inlines}]],
    }
    if caption.kind == "box":
        return [title, {"t": "Div", "c": [["", [], [["custom-style", "Box"]]], target["c"]]}]
    return [title, target]


def _captions(report: Report, blocks: list, docx: bool) -> list:
    by_id = {anchor_id(c.doc, c.anchor, SINGLE): c for c in report.apparatus.all_captions if c.number}
    if not by_id:
        return blocks
    out, index = [], 0
    while index < len(blocks):
        found = _caption_of(blocks[index], by_id)
        if found is None or index + 1 >= len(blocks):
            out.append(blocks[index])
            index += 1
            continue
        caption, inlines = found
        make = _docx_caption if docx else _typst_caption
        out += make(
            caption, [i for i in inlines if not (i.get("t") == "Span" and is_block_anchor(i))], blocks[index + 1]
        )
        index += 2
    return out


# -- endnotes ---------------------------------------------------------------------------------------


def _endnotes(blocks: list, docx: bool) -> tuple[list, list[list]]:
    """Each Note replaced by its number, linked; the notes' text, in order. A note a redline shows
    deleted (FROM's, gone since) takes no number: the series stays the one the text has now, and
    the note's words stay in the deletion, where it was called."""
    collected: list[list] = []

    def change(node: dict):
        if changes.since(node) == changes.DELETED:
            return {"t": "Span", "c": [node["c"][0], rewrite(node["c"][1], _note_in_place)]}
        if node["t"] != "Note":
            return node
        collected.append(node["c"])
        number = str(len(collected))
        if docx:
            link = {"t": "Link", "c": [["", [], []], [{"t": "Str", "c": number}], [f"#note-{number}", ""]]}
            return {"t": "Span", "c": [[f"noteref-{number}", [], []], [{"t": "Superscript", "c": [link]}]]}
        return {"t": "RawInline", "c": ["typst", f"#super[#link(<note-{number}>)[{number}]]<noteref-{number}>"]}

    return rewrite(blocks, change), collected


def _note_in_place(node: dict):
    """A deleted note as its words in brackets, in the text it was called from."""
    if node["t"] != "Note":
        return node
    words: list = []
    for block in node["c"]:
        if words:
            words.append({"t": "Space"})
        words += block["c"] if block.get("t") in ("Para", "Plain") else text_inlines("".join(text_parts(block, True)))
    return [{"t": "Space"}, {"t": "Str", "c": "[Note:"}, {"t": "Space"}, *words, {"t": "Str", "c": "]"}]


def _notes_section(notes: list[list], docx: bool) -> list:
    if not notes:
        return []
    heading = {"t": "Header", "c": [1, [NOTES_ID, [], []], text_inlines("Notes")]}
    if not docx:
        items = [
            b for n, body in enumerate(notes, 1) for b in (_raw(f"#enum.item({n})["), *body, _raw(f"] <note-{n}>"))
        ]
        return [heading, _raw("#rk-endnotes["), *items, _raw("]")]
    items = []
    for n, note in enumerate(notes, 1):
        body = list(note) if note and note[0].get("t") in ("Para", "Plain") else [{"t": "Plain", "c": []}, *note]
        body[0] = {**body[0], "c": [{"t": "Span", "c": [[f"note-{n}", [], []], []]}, *body[0]["c"]]}
        back = {"t": "Link", "c": [["", [], []], [{"t": "Str", "c": "\u21a9"}], [f"#noteref-{n}", ""]]}
        if body[-1].get("t") in ("Para", "Plain"):
            body[-1] = {**body[-1], "c": [*body[-1]["c"], {"t": "Space"}, back]}
        else:
            body.append({"t": "Plain", "c": [back]})
        items.append(body)
    listing = {"t": "OrderedList", "c": [[1, {"t": "Decimal"}, {"t": "Period"}], items]}
    return [heading, {"t": "Div", "c": [["", [], [["custom-style", "Endnote Text"]]], [listing]]}]


# -- images -----------------------------------------------------------------------------------------


def _typst_images(blocks: list) -> list:
    """Every image with its description as alt text, which PDF/UA requires and pandoc leaves out."""
    from .pandoc import typst_string

    def change(node: dict):
        if node["t"] != "Image":
            return node
        path, alt = node["c"][2][0], _plain_text(node["c"][1])
        return {"t": "RawInline", "c": ["typst", f"#box(image({typst_string(path)}, alt: {typst_string(alt)}))"]}

    return rewrite(blocks, change)


# -- the editions -----------------------------------------------------------------------------------


def for_typst(report: Report, parsed: Parsed, blocks: list) -> list:
    blocks = _place_bibliography(blocks, bibliography(parsed), docx=False)
    blocks = _captions(report, blocks, docx=False)
    blocks, notes = _endnotes(blocks, docx=False)
    return _typst_images(blocks + _notes_section(notes, docx=False))


def for_docx(report: Report, parsed: Parsed, blocks: list) -> list:
    blocks = _place_bibliography(blocks, bibliography(parsed), docx=True)
    blocks = _captions(report, blocks, docx=True)
    blocks, notes = _endnotes(blocks, docx=True)
    return blocks + _notes_section(notes, docx=True)
