"""The redline: pandoc's AST of the report at FROM and now, merged into one AST with its changes marked.

Both sides are parsed and judged as every edition is (`pandoc_ast.parse`, `judge`); documents are
paired by id, their blocks aligned with `diff.align`, and changed paragraphs compared word by word
(`diff.word_ops`). Changes are marked with the one vocabulary of `render/changes.py` (`rk-ins` and
`rk-del` spans, with `rk-since`, which tells them from the marks the text itself carries: an open
point stays a mark of its side's text), which the DOCX turns into Word's tracked changes and the PDF
into the template's marks. A paragraph moved whole is deleted where it was and inserted where it
is; a reference whose target was renumbered keeps its link and shows only its label changing
("Recommendation 3C" to "3B"). Text from FROM reaches the writers only as judged text, without
ids (the new side owns them), links to places that no longer exist, or images that are not staged.
"""

from __future__ import annotations

import json
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeGuard

from .. import diff
from ..model import Document
from . import changes
from .pandoc_ast import Parsed, text_inlines, text_parts
from .transforms import Node, Replacement, is_block_anchor, rewrite

INSERTED, DELETED = changes.INSERTED, changes.DELETED
TEXT_BLOCKS = frozenset({"Para", "Plain", "Header"})
CONTAINERS = frozenset({"BulletList", "OrderedList", "BlockQuote", "Div"})
_ATTR_AT = {"Header": 1, "CodeBlock": 0, "Div": 0, "Span": 0, "Code": 0, "Link": 0, "Image": 0, "Figure": 0, "Table": 0}


@dataclass(frozen=True)
class Context:
    """What the new side owns: the ids links may lead to, and the images staged for the writers."""

    ids: frozenset[str]
    images: frozenset[str]


@dataclass
class DocumentRedline:
    before: Document | None  # None: added since FROM
    after: Document | None  # None: removed since FROM
    blocks: list  # the merged top-level blocks
    changed: list[bool]  # for each block: does it show a change?


@dataclass
class Redline:
    documents: list[DocumentRedline] = field(default_factory=list)
    # A recommendation's box (label, statement), which the printed order draws from the front matter
    # rather than the text: both sides' merged, by the new side's path.
    boxes: dict[str, tuple[list, list]] = field(default_factory=dict)
    retired: list[tuple[int, str, str]] = field(default_factory=list)  # recommendations no longer printed

    def blocks(self) -> list:
        return [block for doc in self.documents for block in doc.blocks]

    def parsed(self, base: Parsed) -> Parsed:
        """The merged AST in the shape the writers take (the new side's pandoc version), each
        document's blocks spanned as the printed order (`arrangement.arrange`) expects them. A
        section removed or withdrawn since FROM has no place of its own in that order: its deleted
        text is shown after the section it followed."""
        blocks: list = []
        spans: list[tuple[Document | None, int, int]] = []  # None: deleted text before every section
        for doc in self.documents:
            start = len(blocks)
            if _printed(doc.after):
                blocks += doc.blocks
                spans.append((doc.after, start, len(blocks)))
            elif _printed(doc.before) and spans:
                blocks += doc.blocks
                previous, begin, _ = spans[-1]
                spans[-1] = (previous, begin, len(blocks))
            elif _printed(doc.before):
                blocks += doc.blocks  # before every section: held until the first one is spanned
                spans.append((None, start, len(blocks)))
        return Parsed({**base.ast, "blocks": blocks}, _join_leading(spans), boxes=self.boxes, retired=self.retired)

    def count(self) -> dict[str, int]:
        return changes.count(self.blocks())


def _printed(doc: Document | None) -> TypeGuard[Document]:
    """Does the printed order show this section? (A withdrawn recommendation is left out.)"""
    return doc is not None and not (doc.kind == "rec" and not doc.number)


def _join_leading(spans: list[tuple[Document | None, int, int]]) -> list[tuple[Document, int, int]]:
    """Deleted text before the first section goes at the head of that section."""
    if len(spans) > 1 and spans[0][0] is None:
        spans = [(spans[1][0], spans[0][1], spans[1][2]), *spans[2:]]
    return [(doc, start, end) for doc, start, end in spans if doc is not None]


def box(before: Document | None, after: Document, context: Context) -> tuple[list, list]:
    """A recommendation's label and statement with their changes since FROM marked."""

    def merged(old: str | None, new: str) -> list:
        if old is None:
            return span(INSERTED, text_inlines(new))
        return merge_inlines(text_inlines(old), text_inlines(new), context)

    shown = before if _printed(before) and before is not None and before.kind == "rec" else None
    return (
        merged(shown.label if shown else None, after.label or ""),
        merged(shown.title if shown else None, after.title),
    )


def redline(old: Parsed, new: Parsed, images: set[str]) -> Redline:
    """Every document of both sides, merged: pairs compared, added ones inserted, removed ones deleted."""
    # Links may lead only where the printed order keeps a target (not into a withdrawn recommendation).
    printed = [b for doc, start, end in new.spans if _printed(doc) for b in new.ast["blocks"][start:end]]
    context = Context(frozenset(ids_in(printed)), frozenset(images))
    olds = {id(doc): old.ast["blocks"][start:end] for doc, start, end in old.spans}
    news = {id(doc): new.ast["blocks"][start:end] for doc, start, end in new.spans}
    result = Redline()
    for before, after in diff.pair_documents([d for d, _, _ in old.spans], [d for d, _, _ in new.spans]):
        if after is None or (_printed(before) and not _printed(after)):  # removed, or withdrawn
            merged = [(m, True) for b in retire(olds[id(before)], context) if (m := mark_whole(b, DELETED))]
        elif before is None:
            merged = [(m, True) for b in news[id(after)] if (m := mark_whole(b, INSERTED))]
        else:
            merged = merge_document(retire(olds[id(before)], context), news[id(after)], context)
        result.documents.append(DocumentRedline(before, after, [b for b, _ in merged], [c for _, c in merged]))
        if after is not None and after.kind == "rec" and _printed(after):
            result.boxes[after.path] = box(before, after, context)
        elif before is not None and before.kind == "rec" and _printed(before) and before.set:
            result.retired.append((before.set, before.label or "", before.title))
    return result


def ids_in(blocks: list) -> set[str]:
    """Every id an AST gives an element (headings, block anchors): what links may point to."""
    found: set[str] = set()

    def look(node: Node) -> Replacement:
        where = _ATTR_AT.get(node["t"])
        if where is not None and isinstance(node.get("c"), list) and node["c"][where][0]:
            found.add(node["c"][where][0])
        return node

    rewrite(blocks, look)
    return found


# -- the old side, made safe to show ------------------------------------------------------------


def retire(blocks: list, context: Context) -> list:
    """Old text as it may appear beside the new: no ids (block anchors dropped, headings unlisted and
    without id), links to places the new side lacks unwrapped, images that are not staged as text."""

    def change(node: Node) -> Replacement:
        kind = node["t"]
        if kind == "Span" and is_block_anchor(node):
            return None
        if kind == "Header":
            level, (_, classes, pairs), inlines = node["c"]
            attr = ["", [*classes, "unlisted"] if "unlisted" not in classes else classes, pairs]
            return {"t": "Header", "c": [level, attr, rewrite(inlines, change)]}
        if kind == "Link" and node["c"][2][0].startswith("#") and node["c"][2][0][1:] not in context.ids:
            return rewrite(node["c"][1], change)
        if kind == "Image" and node["c"][2][0] not in context.images:
            return rewrite(node["c"][1], change)
        return node

    return rewrite(blocks, change)


# -- blocks -------------------------------------------------------------------------------------


def _norm(value: object) -> object:
    """A block as compared: block anchors, heading ids and line breaks in the source do not count."""
    if isinstance(value, list):
        return [_norm(v) for v in value if not (isinstance(v, dict) and v.get("t") == "Span" and is_block_anchor(v))]
    if isinstance(value, dict) and "t" in value:
        kind = value["t"]
        if kind in ("Space", "SoftBreak"):
            return " "
        if kind == "Header":
            return ["Header", value["c"][0], _norm(value["c"][2])]
        return [kind, _norm(value.get("c"))]
    return value


def block_key(block: object) -> str:
    return json.dumps(_norm(block), ensure_ascii=False, separators=(",", ":"))


def _text_of(block: object) -> tuple[str, ...]:
    """The words of a block (its Str nodes), to judge how alike two blocks are."""
    return tuple(text_parts(block, spaces=False))


def merge_document(old: list, new: list, context: Context) -> list[tuple[dict, bool]]:
    """Two versions of one document: its title heading paired with itself whatever its words (it
    owns the document's id, which the printed order and every link need), then the rest aligned."""
    if old and new and _header(old[0]) and _header(new[0]) and old[0]["c"][0] == new[0]["c"][0]:
        changed = block_key(old[0]) != block_key(new[0])
        title = _edit(old[0], new[0], context)[0] if changed else new[0]
        return [(title, changed), *merge_blocks(old[1:], new[1:], context)]
    return merge_blocks(old, new, context)


def _header(block: dict) -> bool:
    return block.get("t") == "Header"


def merge_blocks(old: list, new: list, context: Context) -> list[tuple[dict, bool]]:
    """Two versions of a list of blocks as one, each block flagged when it shows a change."""
    texts: dict[tuple[int, int], tuple[str, ...]] = {}

    def text(side: int, index: int) -> tuple[str, ...]:
        if (side, index) not in texts:
            texts[(side, index)] = _text_of((old, new)[side][index])
        return texts[(side, index)]

    def similar(i: int, j: int) -> bool:
        a, b = old[i], new[j]
        if a["t"] != b["t"] or (a["t"] == "Header" and a["c"][0] != b["c"][0]):
            return False
        return diff.resembles(text(0, i), text(1, j), 0.5 if a["t"] in TEXT_BLOCKS else 0.3)

    merged: list[tuple[dict, bool]] = []
    for step in diff.align([block_key(b) for b in old], [block_key(b) for b in new], similar):
        if step.op == diff.SAME:
            merged.append((new[step.new_index()], False))
        elif step.op == diff.EDIT:
            merged += [(b, True) for b in _edit(old[step.old_index()], new[step.new_index()], context)]
        else:
            whole = mark_whole(*_whole(step, old, new))
            if whole is not None:  # a deleted rule is left out
                merged.append((whole, True))
    return merged


def _whole(step: diff.Step, old: list, new: list) -> tuple[Any, str]:
    """A step that inserts or deletes a whole block (or list item): the block, and its mark."""
    if step.op in (diff.INSERT, diff.MOVED_IN):
        return new[step.new_index()], INSERTED
    return old[step.old_index()], DELETED


def _edit(old: dict, new: dict, context: Context) -> list[dict]:
    """Two versions of one block: compared inside when they are the same kind of block."""
    kind = new["t"]
    if old["t"] != kind:
        return [b for b in (mark_whole(old, DELETED), mark_whole(new, INSERTED)) if b is not None]
    if kind in ("Para", "Plain"):
        return [{"t": kind, "c": merge_inlines(old["c"], new["c"], context)}]
    if kind == "Header" and old["c"][0] == new["c"][0]:
        return [{"t": kind, "c": [new["c"][0], new["c"][1], merge_inlines(old["c"][2], new["c"][2], context)]}]
    if kind == "BulletList":
        return [{"t": kind, "c": merge_items(old["c"], new["c"], context)}]
    if kind == "OrderedList":
        return [{"t": kind, "c": [new["c"][0], merge_items(old["c"][1], new["c"][1], context)]}]
    if kind == "BlockQuote":
        return [{"t": kind, "c": [b for b, _ in merge_blocks(old["c"], new["c"], context)]}]
    if kind == "Div":
        return [{"t": kind, "c": [new["c"][0], [b for b, _ in merge_blocks(old["c"][1], new["c"][1], context)]]}]
    return [b for b in (mark_whole(old, DELETED), mark_whole(new, INSERTED)) if b is not None]


def merge_items(old: list[list], new: list[list], context: Context) -> list[list]:
    """The items of two versions of a list: an item is kept, edited, inserted or deleted as a block is."""

    def similar(i: int, j: int) -> bool:
        return diff.resembles(_text_of(old[i]), _text_of(new[j]), 0.5)

    items: list[list] = []
    for step in diff.align([block_key(i) for i in old], [block_key(i) for i in new], similar):
        if step.op == diff.SAME:
            items.append(new[step.new_index()])
        elif step.op == diff.EDIT:
            items.append([b for b, _ in merge_blocks(old[step.old_index()], new[step.new_index()], context)])
        else:
            item, kind = _whole(step, old, new)
            items.append([m for b in item if (m := mark_whole(b, kind))])
    return items


def mark_whole(block: dict, kind: str) -> dict | None:
    """A block inserted or deleted as a whole: all its text in one marked span per paragraph. Code is
    shown as marked inline code; a deleted rule is left out (nothing to mark)."""
    if block["t"] == "HorizontalRule":
        return None if kind == DELETED else block

    def change(node: Node) -> Replacement:
        if node["t"] in ("Para", "Plain"):
            return {"t": node["t"], "c": _marked(node["c"], kind)}
        if node["t"] == "Header":
            return {"t": "Header", "c": [node["c"][0], node["c"][1], _marked(node["c"][2], kind)]}
        if node["t"] == "CodeBlock":
            lines: list = []
            for line in node["c"][1].split("\n"):
                lines += [{"t": "LineBreak"}] if lines else []
                lines.append({"t": "Code", "c": [["", [], []], line]})
            return {"t": "Para", "c": [changes.span(kind, lines)]}
        return node

    marked = rewrite([block], change)
    return marked[0] if marked else None


def _marked(inlines: list, kind: str) -> list:
    """Inlines in one marked span, the block anchor that opens them left outside (it is an id)."""
    lead = inlines[:1] if inlines and is_block_anchor(inlines[0]) else []
    return lead + span(kind, inlines[len(lead) :])


def span(kind: str, inlines: list) -> list:
    """Inlines marked as one change, with the mark inside every link: Word's tracked changes go inside
    a hyperlink, never around it (LibreOffice drops a hyperlink's text from an insertion around it)."""
    out: list = []
    for node in inlines:
        if _holds_link(node):
            where = WRAPPERS[node["t"]]
            inner = node["c"] if where is None else node["c"][where]
            out.append(changes.contained(node, span(kind, inner)))
        elif out and changes.since(out[-1]) == kind:  # a span made here: extend it
            out[-1]["c"][1].append(node)
        else:
            out.append(changes.span(kind, [node]))
    return out


def _holds_link(node: dict) -> bool:
    if node["t"] == "Link":
        return True
    where = WRAPPERS.get(node["t"], -1)
    if where == -1 or changes.kind_of(node):
        return False
    inner = node["c"] if where is None else node["c"][where]
    return any(isinstance(child, dict) and _holds_link(child) for child in inner)


# -- words --------------------------------------------------------------------------------------

WRAPPERS = changes.WRAPPERS  # inline containers, and where their inlines are
SPACES = frozenset({"Space", "SoftBreak"})


@dataclass(frozen=True)
class Atom:
    wrappers: tuple  # the containers around it, outermost first (the nodes themselves)
    node: dict
    key: str


def _signature(node: dict) -> str:
    kind = node["t"]
    if kind == "Link":
        return f"Link {node['c'][2][0]}"
    if kind == "Span":
        return "Span " + " ".join(node["c"][0][1])
    if kind == "Quoted":
        return f"Quoted {node['c'][0]['t']}"
    return kind


def _leaf_key(node: dict) -> str:
    kind = node["t"]
    if kind == "Str":
        return node["c"]
    if kind in SPACES:
        return " "
    if kind == "Note":
        return "\x00note"  # notes pair by position; their texts are compared inside
    return "\x00" + json.dumps(_norm(node), ensure_ascii=False, separators=(",", ":"))


def atoms(inlines: list, wrappers: tuple = (), prefix: str = "") -> list[Atom]:
    """Inlines flattened to their leaves (words, spaces, code, images, notes), each with its containers."""
    found: list[Atom] = []
    for node in inlines:
        where = WRAPPERS.get(node["t"], -1)
        if where != -1 and not is_block_anchor(node):
            inner = node["c"] if where is None else node["c"][where]
            found += atoms(inner, (*wrappers, node), prefix + _signature(node) + "\x1f")
        elif not is_block_anchor(node):
            found.append(Atom(wrappers, node, prefix + "\x1e" + _leaf_key(node)))
    return found


def units(found: list[Atom]) -> list[list[Atom]]:
    """Atoms grouped into words: each unit runs to the space after it (which it keeps)."""
    grouped: list[list[Atom]] = []
    current: list[Atom] = []
    for atom in found:
        current.append(atom)
        if atom.node["t"] in SPACES:
            grouped.append(current)
            current = []
    if current:
        grouped.append(current)
    return grouped


def unit_key(unit: list[Atom]) -> str:
    """What a word is compared by: its atoms, not the space that follows it."""
    return "".join(a.key for a in unit if a.node["t"] not in SPACES)


Item = tuple[tuple, "str | None", dict]  # containers, mark (None, INSERTED, DELETED), leaf


def merge_inlines(old: list, new: list, context: Context) -> list:
    """Two versions of a paragraph's inlines, word by word, changes marked; the new block anchor kept."""
    lead = new[:1] if new and is_block_anchor(new[0]) else []
    old_units, new_units = units(atoms(old)), units(atoms(new[len(lead) :]))
    items: list[Item] = []
    for tag, i1, i2, j1, j2 in diff.word_ops(
        [unit_key(u) for u in old_units], [unit_key(u) for u in new_units], fold=True
    ):
        if tag == "equal":
            for a, b in zip(old_units[i1:i2], new_units[j1:j2], strict=True):
                # Equal words may differ in the space that ends them (the last word of a paragraph).
                items += [
                    (atom.wrappers, None, _same(before.node, atom.node, context))
                    for before, atom in zip(a, b, strict=False)
                ]
            continue
        gone = [atom for unit in old_units[i1:i2] for atom in unit]
        came = [atom for unit in new_units[j1:j2] for atom in unit]
        if gone and items and items[-1][2]["t"] not in SPACES and gone[0].node["t"] not in SPACES:
            items.append(((), DELETED, {"t": "Space"}))  # "a b" + deleted "c" reads "a b c"
        # The space after a replaced word is the same on both sides: left unmarked.
        after = came.pop() if gone and came and gone[-1].node["t"] in SPACES and came[-1].node["t"] in SPACES else None
        if after is not None:
            gone.pop()
        model = _model(items[-1][0] if items else (), gone, came)
        items += [(_adopt(atom.wrappers, model), DELETED, atom.node) for atom in gone]
        items += [(atom.wrappers, INSERTED, atom.node) for atom in came]
        if after is not None:
            items.append((after.wrappers, None, after.node))
    return lead + rebuild(items)


def _model(previous: tuple, gone: list[Atom], came: list[Atom]) -> tuple:
    """The new containers a deleted run may share: those of what comes before it, else of what replaces it."""
    first = gone[0].wrappers if gone else ()
    if previous and first and _signature(previous[0]) == _signature(first[0]):
        return previous
    return came[0].wrappers if came else previous


def _adopt(wrappers: tuple, model: tuple) -> tuple:
    """An old leaf's containers, replaced by the new ones beside it where they are alike (a link to the
    same place, the same emphasis): a renumbered reference stays one link with its label changed inside."""
    adopted: list = []
    for depth, shell in enumerate(wrappers):
        if depth < len(model) and _signature(model[depth]) == _signature(shell):
            adopted.append(model[depth])
        else:
            return (*adopted, *wrappers[depth:])
    return tuple(adopted)


def _same(old: dict, new: dict, context: Context) -> dict:
    """A leaf both sides share; a note's text may still differ, and is compared inside."""
    if new["t"] == "Note" and old["t"] == "Note" and block_key(old["c"]) != block_key(new["c"]):
        return {"t": "Note", "c": [b for b, _ in merge_blocks(old["c"], new["c"], context)]}
    return new


def rebuild(items: list[Item], depth: int = 0) -> list:
    """Leaves with their containers and marks back into inlines: consecutive leaves in the same
    container share it, a container whose leaves all carry one mark goes inside one marked span,
    and consecutive leaves with one mark share a span."""
    out: list = []
    index = 0
    while index < len(items):
        wrappers, mark, _ = items[index]
        end = index + 1
        if len(wrappers) > depth:
            shell = wrappers[depth]
            while end < len(items) and len(items[end][0]) > depth and items[end][0][depth] is shell:
                end += 1
            group = items[index:end]
            marks = {m for _, m, _ in group}
            if len(marks) == 1 and mark is not None:
                plain: list[Item] = [(w, None, leaf) for w, _, leaf in group]
                out += span(mark, [changes.contained(shell, rebuild(plain, depth + 1))])
            else:
                out.append(changes.contained(shell, rebuild(group, depth + 1)))
        else:
            while end < len(items) and len(items[end][0]) == depth and items[end][1] == mark:
                end += 1
            leaves = [leaf for _, _, leaf in items[index:end]]
            out += leaves if mark is None else span(mark, leaves)
        index = end
    return out


# -- the Word document ---------------------------------------------------------------------------

_PARAGRAPH = re.compile(r"<w:p(?: [^>]*)?>.*?</w:p>", re.DOTALL)  # pandoc never nests a paragraph in another
_STAMP = re.compile(r'<w:(ins|del) w:id="\d+"( w:author="[^"]*" w:date="[^"]*")>')
_IDS = re.compile(r'w:id="(\d+)"')
_REVISION_ID = re.compile(r'(<w:(?:ins|del) w:id=")\d+(")')
_RUN = re.compile(r"<w:r[ >]")
PARTS = ("word/document.xml", "word/footnotes.xml")


def _mark_paragraph(paragraph: str) -> str:
    """A paragraph whose every run is inserted (or deleted) gets its paragraph mark inserted (or
    deleted) too, so that accepting or rejecting the change leaves no empty paragraph behind."""
    for kind in ("del", "ins"):
        stamp = next((m for m in _STAMP.finditer(paragraph) if m.group(1) == kind), None)
        if stamp is None:
            continue
        rest = re.sub(rf"<w:{kind} [^>]*>.*?</w:{kind}>", "", paragraph, flags=re.DOTALL)
        if _RUN.search(rest):
            continue
        mark = f'<w:rPr><w:{kind} w:id="0"{stamp.group(2)} /></w:rPr>'
        if "</w:pPr>" in paragraph:
            return paragraph.replace("</w:pPr>", mark + "</w:pPr>", 1)
        opening = paragraph.index(">") + 1
        return f"{paragraph[:opening]}<w:pPr>{mark}</w:pPr>{paragraph[opening:]}"
    return paragraph


def finish_docx(path: Path) -> int:
    """Paragraph marks of wholly inserted or deleted paragraphs tracked too, and every revision given an
    id of its own (pandoc numbers an insertion and the deletion beside it alike). Returns how many
    revisions the document holds."""
    with zipfile.ZipFile(path) as source:
        infos = source.infolist()
        parts = {info.filename: source.read(info) for info in infos}
    texts = {
        name: _PARAGRAPH.sub(lambda m: _mark_paragraph(m.group(0)), parts[name].decode("utf-8"))
        for name in PARTS
        if name in parts
    }
    counter = iter(range(1 + max((int(i) for t in texts.values() for i in _IDS.findall(t)), default=0), 1 << 31))
    revisions = 0
    for name, text in texts.items():
        text, count = _REVISION_ID.subn(lambda m: f"{m.group(1)}{next(counter)}{m.group(2)}", text)
        revisions += count
        parts[name] = text.encode("utf-8")
    # Same entries, order, dates and compression as pandoc wrote them: the bytes stay reproducible.
    temporary = path.with_name(path.name + ".tmp")
    with zipfile.ZipFile(temporary, "w") as target:
        for info in infos:
            target.writestr(info, parts[info.filename])
    temporary.replace(path)
    return revisions


def accepted(blocks: list, keep: str = INSERTED) -> list:
    """The blocks with every change since FROM accepted (keep=INSERTED) or rejected (keep=DELETED): a
    reading of one side, for the tests and for anyone checking a redline against its sources. The
    text's own marks (open points) stay marks: they are that side's text."""

    def change(node: Node) -> Replacement:
        found = changes.since(node)
        if found == keep:
            return rewrite(node["c"][1], change)
        if found in (INSERTED, DELETED):
            return None
        return node

    return rewrite(blocks, change)
