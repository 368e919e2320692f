"""The three editions say what the source files say, and say the same thing: headings, labels,
recommendation boxes, the list of recommendations, cross-references, the contents, and every
internal link landing somewhere that exists.

The expectations come from outside the code under test: `oracle.Oracle` reads the sample's files
itself (yaml.safe_load and its own patterns) and applies the rules a reader states; the tables
below are what a person reading the sample states about it, and the oracle must agree with them
and follow the files when they change. The editions, read back with real readers (the HTML parser,
pypdf and pdftotext, python-docx and the package's XML), are then held against the oracle.
"""

from __future__ import annotations

import re
import shutil
from collections import Counter
from pathlib import Path

import pytest

import readers
from oracle import Oracle, block_anchor
from readers import docx_bookmark, plain_quotes, squash

LABEL = re.compile(r"\b(?:Recommendation \d+[A-Z]?|Chapter \d+|Section \d+\.\d+(?:\.\d+)?|Annex [IVXLC]+|Set \d+)\b")

# --- what a person reading the sample states, by hand --------------------------------------------

SAMPLE_LABELS = {
    "introduction": "Chapter 1",
    "leaving-no-one-behind": "Chapter 2",
    "individuals-societies": "Chapter 3",
    "mechanisms": "Chapter 4",
    "recommendations": "Chapter 5",
    "affordable-access": "Recommendation 1A",
    "digital-public-goods": "Recommendation 1B",
    "inclusive-economy-platform": "Recommendation 1C",
    "digital-economy-data": "Recommendation 1D",
    "help-desks": "Recommendation 2",
    "human-rights-review": "Recommendation 3A",
    "autonomous-systems": "Recommendation 3B",
    "ethics-standards": "Recommendation 3C",
    "trust-commitment": "Recommendation 4",
    "cooperation-architecture": "Recommendation 5A",
    "common-approach-interoperability": "Recommendation 5B",
    # annexes by file order
    "terms-of-reference": "Annex I",
    "panel-members": "Annex II",
    "secretariat-support": "Annex III",
    "donors": "Annex IV",
    "engagement": "Annex V",
    "principles": "Annex VI",
    "references": "Annex VII",
    "glossary": "Annex VIII",
    # numbered: false
    "foreword": "Foreword",
    "executive-summary": "Executive summary",
}
SAMPLE_REFERENCES = {
    ("chapter", "individuals-societies", "trust", None): "Section 3.2",
    ("chapter", "individuals-societies", "human-agency-and-autonomous-systems", None): "Section 3.1.2",
    ("chapter", "mechanisms", "architectures", None): "Section 4.4",
    ("chapter", "recommendations", "agreement", None): "Section 5.1",  # the five set sections are not counted
    ("chapter", "recommendations", "set-2", None): "Set 2",
    ("annex", "engagement", "events", None): "Annex V, “Events”",
    ("rec", "autonomous-systems", "reservations", None): "Recommendation 3B, “Reservations”",
    ("rec", "help-desks", None, "the help desks"): "the help desks",
}
SAMPLE_CHAPTER_5 = [
    (1, "Chapter 5: Recommendations"),
    (2, "Set 1: An inclusive digital economy and society"),
    (2, "Set 2: Human and institutional capacity"),
    (2, "Set 3: Human rights and human agency"),
    (2, "Set 4: Trust, security and stability"),
    (2, "Set 5: Global digital cooperation"),
    (2, "5.1 How the recommendations were agreed"),
    (2, "5.2 Implementation"),
]
SAMPLE_SET_1_PRINTED = [
    (2, "Set 1: An inclusive digital economy and society"),
    (3, "Recommendation 1A"),
    (4, "Rationale"),
    (4, "Proposed action"),
    (4, "Links"),
    (3, "Recommendation 1B"),
    (4, "Rationale"),
    (4, "Proposed action"),
    (4, "Links"),
    (3, "Recommendation 1C"),
    (4, "Rationale"),
    (4, "Proposed action"),
    (4, "Links"),
    (3, "Recommendation 1D"),
    (4, "Rationale"),
    (4, "Proposed action"),
    (4, "Links"),
    (2, "Set 2: Human and institutional capacity"),
]


@pytest.fixture(scope="session")
def oracle(sample) -> Oracle:
    """The prediction, from the very files that were built."""
    return Oracle(sample.root)


# --- the oracle: it agrees with a reader of the sample, and follows the files ------------------------


def test_the_oracle_agrees_with_a_reader_of_the_sample():
    oracle = Oracle(readers.SAMPLE_ROOT)
    assert {doc.id: oracle.label(doc) for doc in oracle.documents} == SAMPLE_LABELS
    for (kind, ident, anchor, text), expected in SAMPLE_REFERENCES.items():
        assert oracle.reference_text(kind, ident, anchor, text) == expected
    chapter = oracle.by_id["recommendations"]
    assert [h for h in oracle.site_headings(chapter) if h[0] <= 2] == SAMPLE_CHAPTER_5
    levels = [(h.level, h.text) for h in oracle.printed_headings()]
    start = levels.index(SAMPLE_SET_1_PRINTED[0])
    assert levels[start : start + len(SAMPLE_SET_1_PRINTED)] == SAMPLE_SET_1_PRINTED
    assert oracle.boxes()[4] == (
        "Recommendation 2",
        "Set 2: Human and institutional capacity",
        oracle.by_id["help-desks"].title,
    )
    assert [(s, [m[0] for m in members]) for s, members in oracle.recommendation_list()][1:3] == [
        ("Set 2: Human and institutional capacity", ["Recommendation 2"]),
        ("Set 3: Human rights and human agency", ["Recommendation 3A", "Recommendation 3B", "Recommendation 3C"]),
    ]


def variant(tmp_path: Path, edits: dict[str, tuple[str, str]], rename: tuple[str, str] | None = None) -> Oracle:
    """The oracle of a copy of the sample with some text replaced (file -> (old, new)) or a file renamed."""
    root = readers.copy_sample(tmp_path / "variant")
    for name, (old, new) in edits.items():
        path = root / name
        text = path.read_text("utf-8")
        assert old in text, (name, old)
        path.write_text(text.replace(old, new), "utf-8")
    if rename:
        shutil.move(root / rename[0], root / rename[1])
    return Oracle(root)


def test_the_oracle_follows_a_recommendations_order(tmp_path):
    """Swap 1B and 1C in their files: labels, reference texts and the printed order follow."""
    before = Oracle(readers.SAMPLE_ROOT)
    after = variant(
        tmp_path,
        {
            "recommendations/digital-public-goods.md": ("order: 2", "order: 3"),
            "recommendations/inclusive-economy-platform.md": ("order: 3", "order: 2"),
        },
    )
    assert after.label(after.by_id["digital-public-goods"]) == "Recommendation 1C"
    assert after.label(after.by_id["inclusive-economy-platform"]) == "Recommendation 1B"
    swapped = {"Recommendation 1B": "Recommendation 1C", "Recommendation 1C": "Recommendation 1B"}
    chapter = after.by_id["leaving-no-one-behind"]  # its references stay where they are, renamed
    assert after.site_references(chapter) == [
        (swapped.get(text, text), target) for text, target in before.site_references(chapter)
    ]
    assert Counter(after.printed_references()) == Counter(
        (swapped.get(text, text), target) for text, target in before.printed_references()
    )
    assert [box[2] for box in after.boxes()][:4] == [before.boxes()[i][2] for i in (0, 2, 1, 3)]
    first_set = after.recommendation_list()[0][1]
    assert [ident for _, _, ident in first_set] == [
        "affordable-access",
        "inclusive-economy-platform",
        "digital-public-goods",
        "digital-economy-data",
    ]


def test_the_oracle_follows_sections_withdrawals_and_file_order(tmp_path):
    trust = "## Trust and social cohesion {#trust}"
    added = variant(
        tmp_path / "a",
        {"chapters/03-individuals-societies.md": (trust, f"## An added section {{#added}}\n\nText.\n\n{trust}")},
    )
    assert added.reference_text("chapter", "individuals-societies", "trust") == "Section 3.3"
    assert added.reference_text("chapter", "individuals-societies", "security") == "Section 3.4"
    assert block_anchor("individuals-societies", 32) in added.block_anchors()

    withdrawn = variant(
        tmp_path / "w",
        {
            "recommendations/human-rights-review.md": ("status: review", "status: withdrawn"),
            **{
                name: ("[[rec:human-rights-review]]", "the review")
                for name in (
                    "chapters/03-individuals-societies.md",
                    "chapters/05-recommendations.md",
                    "recommendations/autonomous-systems.md",
                    "recommendations/ethics-standards.md",
                )
            },
        },
    )
    assert withdrawn.label(withdrawn.by_id["autonomous-systems"]) == "Recommendation 3A"
    assert "human-rights-review" not in withdrawn.targets()
    assert [box[0] for box in withdrawn.boxes()].count("Recommendation 3C") == 0
    assert len(withdrawn.boxes()) == 10

    renamed = variant(
        tmp_path / "r", {}, rename=("annexes/01-terms-of-reference.md", "annexes/09-terms-of-reference.md")
    )
    assert renamed.label(renamed.by_id["terms-of-reference"]) == "Annex VIII"
    assert renamed.label(renamed.by_id["principles"]) == "Annex V"
    assert renamed.reference_text("annex", "principles") == "Annex V"


# --- reading the editions -------------------------------------------------------------------------


def site_key(sample, oracle: Oracle, page: str, href: str) -> str | None:
    """The single-document id of the report page (and heading) a site link points to."""
    target = sample.read_site.target(page, href)
    if target is None:
        return None
    doc = {readers.site_page(doc): doc for doc in oracle.documents}.get(target[0])
    if doc is None:
        return None
    return f"{doc.id}--{target[1]}" if target[1] else doc.id


# Links of the apparatus that are not cross-references: a note's call and return (`note-3`,
# `noteref-3`), a citation's link to its work in the list of references (`ref-KEY`).
APPARATUS_ANCHOR = re.compile(r"(?:note|noteref)-\d+|ref-.+")


def site_references(sample, oracle: Oracle, doc) -> list[tuple[str, str | None]]:
    """The page's links into the report, the citations' links to the list of references and the
    references' own links to the web left out."""
    page = readers.site_page(doc)
    found = []
    for a in readers.content_links(sample.read_site.article(page)):
        href = a.attrs["href"]
        key = site_key(sample, oracle, page, href)
        if href.startswith(("https://", "http://")) or (key and APPARATUS_ANCHOR.fullmatch(key.split("--")[-1])):
            continue
        found.append((plain_quotes(squash(a.text())), key))
    return found


def docx_references(sample) -> list[tuple[str, str]]:
    """(text, bookmark) of the DOCX's internal links but the apparatus' own (notes, citations)."""
    return [
        (plain_quotes(text), anchor)
        for anchor, _, text in sample.read_docx.hyperlinks()
        if anchor and not APPARATUS_ANCHOR.fullmatch(anchor)
    ]


def pdf_first_page(sample, oracle: Oracle) -> int:
    return sample.read_pdf.named_destinations[oracle.documents[0].id]


def pdf_reference_links(sample, oracle: Oracle) -> list[readers.PdfLink]:
    """The PDF's links to named destinations after the contents, pieces of one link joined."""
    pdf, first = sample.read_pdf, pdf_first_page(sample, oracle)
    return readers.merge_link_runs(pdf, [link for link in pdf.links if link.page >= first and link.name])


FURNITURE = re.compile(r"DRAFT|.* · \d{1,2} [A-Z][a-z]+ \d{4}|\d+")  # the draft mark, a running head, a page number


def pdf_text(sample, oracle: Oracle) -> str:
    """The PDF's text from the first document on, without the pages' furniture (the draft mark,
    the running head, the page number), words Typst hyphenated at a line end joined, one space per gap."""
    pages = []
    for text in sample.read_pdf.page_texts[pdf_first_page(sample, oracle) :]:
        lines = text.split("\n")
        while lines and FURNITURE.fullmatch(lines[0].strip()):
            lines.pop(0)
        if lines and re.fullmatch(r"\d+", lines[-1].strip()):
            lines.pop()
        pages.append("\n".join(lines))
    joined = re.sub(r"[\u00ad-]\s*\n\s*(?=[a-z])", "", "\n".join(pages))
    # Inside a line a soft hyphen is the hyphen's glyph, which the font shares with it ("co-governance").
    return plain_quotes(squash(joined.replace("\u00ad", "-")))


def unhyphenated(text: str) -> str:
    """Running text compared without hyphens: a compound broken at its own hyphen at a line end
    ("time-\\nlimited") cannot be told from one Typst hyphenated."""
    return text.replace("-", "").replace("\u00ad", "")


def missing_in_order(text: str, pieces: list[str]) -> list[str]:
    missing, position = [], 0
    for piece in pieces:
        found = text.find(piece, position)
        if found < 0:
            missing.append(piece)
        else:
            position = found + len(piece)
    return missing


# --- headings ---------------------------------------------------------------------------------------


def test_site_headings_are_the_predicted_ones(sample, oracle):
    site = sample.read_site
    for doc in oracle.site_pages():
        article = site.article(readers.site_page(doc))
        found = [
            (int(e.tag[1]), plain_quotes(squash(e.text())))
            for e in article.iter()
            if e.tag in ("h1", "h2", "h3", "h4", "h5", "h6")
        ]
        assert found == oracle.site_headings(doc), doc.path


def test_docx_headings_are_the_predicted_ones_in_printed_order(sample, oracle):
    found = [(level, plain_quotes(text)) for level, text in sample.read_docx.headings]
    assert found == [(h.level, h.text) for h in oracle.printed_headings()]


def test_pdf_prints_every_predicted_heading_in_order(sample, oracle):
    missing = missing_in_order(pdf_text(sample, oracle), [h.text for h in oracle.printed_headings()])
    assert missing == [], "missing or out of order"


def test_pdf_bookmarks_are_the_predicted_ones(sample, oracle):
    pdf = sample.read_pdf
    assert [(level, plain_quotes(title)) for level, title, _ in pdf.outline] == [
        (level, text) for level, text, _ in oracle.bookmarks()
    ]
    assert [page for _, _, page in pdf.outline] == [
        pdf.named_destinations[target] for _, _, target in oracle.bookmarks()
    ]


# --- the contents ------------------------------------------------------------------------------------


def test_docx_contents_are_the_predicted_ones(sample, oracle):
    found = [(anchor, plain_quotes(title)) for anchor, title, _ in sample.read_docx.contents()]
    assert found == [(docx_bookmark(target), text) for text, target in oracle.contents()]


def test_pdf_contents_are_the_predicted_ones(sample, oracle):
    entries = sample.read_pdf.contents(pdf_first_page(sample, oracle))
    assert [(name, plain_quotes(title)) for name, title, _ in entries] == [
        (target, text) for text, target in oracle.contents()
    ]


def test_contents_give_the_page_each_entry_is_printed_on(sample, oracle):
    """The PDF's contents give the page number printed at the foot of the entry's page; the DOCX's
    contents, written in advance, give the same numbers."""
    pdf = sample.read_pdf
    entries = pdf.contents(pdf_first_page(sample, oracle))
    assert [page for _, _, page in entries] == [pdf.footer(pdf.named_destinations[name]) for name, _, _ in entries]
    assert [page for _, _, page in sample.read_docx.contents()] == [page for _, _, page in entries]


# --- recommendation boxes and the list of recommendations --------------------------------------------


def test_site_recommendation_pages_open_with_their_box(sample, oracle):
    site = sample.read_site
    for doc in oracle.site_pages():
        article = site.article(readers.site_page(doc))
        boxes = list(article.iter("div", "recommendation"))
        expected = oracle.site_box(doc)
        if expected is None:
            assert boxes == [], doc.path
            continue
        assert len(boxes) == 1, doc.path
        parts = (boxes[0].find("p", "recommendation-set"), boxes[0].find("p", "recommendation-statement"))
        assert tuple(plain_quotes(squash(p.text())) for p in parts if p is not None) == expected, doc.path
        order = [e for e in article.iter() if e.tag in ("h1", "h2") or e is boxes[0]]
        assert [e.tag for e in order[:2]] == ["h1", "div"], f"{doc.path}: the box follows the label"


def test_docx_boxes_are_the_predicted_ones(sample, oracle):
    paragraphs = sample.read_docx.document.paragraphs
    found = []
    for i, p in enumerate(paragraphs):
        if p.style.name == "Recommendation Set":
            heading, statement = paragraphs[i - 1], paragraphs[i + 1]
            found.append((heading.style.name, heading.text, p.text, statement.style.name, plain_quotes(statement.text)))
    assert found == [
        ("Heading 3", label, set_line, "Recommendation", statement) for label, set_line, statement in oracle.boxes()
    ]


def test_pdf_boxes_are_the_predicted_ones(sample, oracle):
    """Each box's label, set and statement printed together, box after box; the PDF draws the set
    as a kicker above the label, in capitals, so either order and any case is accepted."""
    text = unhyphenated(pdf_text(sample, oracle)).casefold()
    position = 0
    for label, set_line, statement in oracle.boxes():
        label, set_line, statement = (unhyphenated(s).casefold() for s in (label, set_line, statement))
        found = [
            at
            for at in (
                text.find(f"{set_line} {label} {statement}", position),
                text.find(f"{label} {set_line} {statement}", position),
            )
            if at >= 0
        ]
        assert found, f"no box {label!r} with its set and statement after offset {position}"
        position = min(found) + 1


def expected_list(oracle: Oracle) -> list[str]:
    lines = []
    for set_line, members in oracle.recommendation_list():
        lines += [set_line] + [f"{label} {statement}" for label, statement, _ in members]
    return lines


def test_every_edition_prints_the_list_of_recommendations(sample, oracle):
    expected = expected_list(oracle)
    assert len(expected) == 16  # five sets, eleven recommendations
    holders = [doc for doc in oracle.documents if doc.directives]
    assert [doc.id for doc in holders] == ["executive-summary"]
    site = sample.read_site
    for doc in holders:
        article = site.article(readers.site_page(doc))
        blocks = [plain_quotes(squash(e.text())) for e in article.iter() if e.tag in ("p", "li")]
        start = blocks.index(expected[0]) if expected[0] in blocks else -1
        assert blocks[start : start + len(expected)] == expected, "site"
    paragraphs = [plain_quotes(p.text) for p in sample.read_docx.document.paragraphs]
    start = paragraphs.index(expected[0]) if expected[0] in paragraphs else -1
    assert paragraphs[start : start + len(expected)] == expected, "docx"
    pdf = unhyphenated(pdf_text(sample, oracle).replace("• ", ""))
    assert unhyphenated(" ".join(expected)) in pdf, "pdf"


def test_no_edition_prints_a_reference_unresolved(sample, oracle):
    site = " ".join(squash(sample.read_site.article(readers.site_page(doc)).text()) for doc in oracle.site_pages())
    for name, text in (("site", site), ("pdf", pdf_text(sample, oracle)), ("docx", sample.read_docx.text)):
        assert "[[" not in text and "]]" not in text, name


# --- labels and reference texts -----------------------------------------------------------------------


def test_labels_agree_across_the_editions(sample, oracle):
    expected = {oracle.label(doc) for doc in oracle.documents if doc.number}
    expected |= {f"Set {number}" for number in oracle.sets()}
    expected |= {text for text, _ in oracle.printed_references() if LABEL.fullmatch(text)}
    assert {"Recommendation 1A", "Recommendation 5B", "Chapter 5", "Section 2.2", "Annex II", "Set 4"} <= expected
    site = sample.read_site
    site_text = " ".join(squash(site.article(readers.site_page(doc)).text()) for doc in oracle.site_pages())
    docx_text = squash(sample.read_docx.text)
    for name, text in (("site", site_text), ("pdf", pdf_text(sample, oracle)), ("docx", docx_text)):
        assert set(LABEL.findall(text)) == expected, name


def test_site_references_are_the_predicted_ones(sample, oracle):
    for doc in oracle.site_pages():
        assert site_references(sample, oracle, doc) == oracle.site_references(doc), doc.path


def test_pdf_references_are_the_predicted_ones_in_printed_order(sample, oracle):
    found = [(plain_quotes(link.text), link.name) for link in pdf_reference_links(sample, oracle)]
    assert found == oracle.printed_references()


def test_docx_references_are_the_predicted_ones_in_printed_order(sample, oracle):
    expected = [
        (item.text, docx_bookmark(item.target)) for item in oracle.printed() if item.what in ("reference", "figref")
    ]
    assert docx_references(sample) == expected


def test_all_editions_carry_every_reference(sample, oracle):
    """The same multiset of (text, target) in the three editions: none lost, none added."""
    references = Counter(oracle.printed_references())
    assert sum(references.values()) > 100 and len(references) > 30
    figures = {target for _, _, target in oracle.figures()}
    in_site = Counter()
    for doc in oracle.site_pages():
        in_site.update(r for r in site_references(sample, oracle, doc) if r[1] not in figures)
    in_pdf = Counter((plain_quotes(link.text), link.name) for link in pdf_reference_links(sample, oracle))
    bookmark_ids = {docx_bookmark(target): target for target in oracle.targets() | figures}
    in_docx = Counter((text, bookmark_ids.get(anchor, anchor)) for text, anchor in docx_references(sample))
    in_docx = Counter({k: n for k, n in in_docx.items() if k[1] not in figures})
    assert in_site == in_pdf == in_docx == references


# --- every internal link resolves ----------------------------------------------------------------------


def test_every_site_link_resolves(sample):
    site = sample.read_site
    checked, broken = 0, []
    for page in site.html_files():
        ids = [e.attrs["id"] for e in site.page(page).iter() if "id" in e.attrs]
        duplicates = sorted(i for i, n in Counter(ids).items() if n > 1)
        assert not duplicates, f"{page}: ids used twice: {duplicates}"
        for element in site.page(page).iter():
            for attribute in ("href", "src"):
                url = element.attrs.get(attribute)
                target = site.target(page, url) if url is not None else None
                if target is None:
                    continue
                checked += 1
                path, fragment = target
                if not (site.root / path).is_file():
                    broken.append(f"{page}: {url} (no file {path})")
                elif fragment and path.endswith(".html") and fragment not in site.ids(path):
                    broken.append(f"{page}: {url} (no id {fragment!r} in {path})")
    assert checked > 1000
    assert broken == []


def test_every_pdf_link_resolves(sample, oracle):
    pdf = sample.read_pdf
    # Typst writes a named destination for every label: each heading and each document title.
    assert set(pdf.named_destinations) == oracle.targets()
    for heading in oracle.printed_headings():
        if heading.level == 1 or heading.role == "rec":
            page = pdf.named_destinations[heading.target]
            assert heading.text in plain_quotes(squash(pdf.page_texts[page])), heading.target
    kinds = Counter()
    for link in pdf.links:
        if link.name is not None:
            assert link.name in pdf.named_destinations, link
            kinds["named"] += 1
        elif link.dest_page is not None:  # note markers and notes point at each other explicitly
            assert 0 <= link.dest_page < len(pdf), link
            kinds["explicit"] += 1
        else:
            assert link.uri and link.uri.startswith("https://"), link
            kinds["uri"] += 1
    assert kinds["named"] >= len(oracle.printed_references()) + len(oracle.contents())
    # Explicit: each note marker to its note and back, each figure reference and list entry to its
    # caption, each citation to its work in the list of references.
    assert kinds["explicit"] >= 2 * oracle.notes() + 2 * len(oracle.figure_references()), (
        f"{kinds['explicit']} explicit links for {oracle.notes()} notes: each note marker should link to its "
        "note, and the note back to its marker"
    )


def test_every_docx_link_resolves(sample, oracle):
    docx = sample.read_docx
    bookmarks = docx.bookmarks()
    headings = {docx_bookmark(target) for target in oracle.targets()}
    # pandoc writes a bookmark for every heading and document title (ids over 40 characters hashed).
    assert headings <= bookmarks, sorted(headings - bookmarks)
    apparatus = apparatus_bookmarks(sample, oracle)
    assert apparatus <= bookmarks, sorted(apparatus - bookmarks)
    relationships = docx.relationships()
    links = docx.hyperlinks(contents=True) + docx.hyperlinks("word/footnotes.xml")
    assert len(links) >= len(oracle.printed_references()) + len(oracle.contents())
    for anchor, rid, text in links:
        if anchor is not None:
            # a heading's, a caption's, a note's or a work's in the list; never a block anchor
            assert anchor in headings | apparatus, (anchor, text)
        else:
            target, mode = relationships[rid]
            assert mode == "External" and target.startswith("https://"), (rid, target, text)


def apparatus_bookmarks(sample, oracle: Oracle) -> set[str]:
    """The bookmarks of the apparatus: each caption, each note and its call, each work in the list
    of references (its key as references.yml gives it)."""
    import yaml

    keys = [entry["id"] for entry in yaml.safe_load((sample.root / "references.yml").read_text("utf-8"))["references"]]
    notes = range(1, len(oracle.note_numbers()) + 1)
    return (
        {docx_bookmark(target) for _, _, target in oracle.figures()}
        | {f"note-{n}" for n in notes}
        | {f"noteref-{n}" for n in notes}
        | {docx_bookmark(f"ref-{key}") for key in keys}
    )


def test_docx_bookmarks_are_the_headings_and_a_hidden_anchor_per_block(sample, oracle):
    """Beside the headings' bookmarks, one per block of the source (paragraph, list item, quote,
    note), named `_rk_xxxxxxxx_LINE`: Word hides a bookmark whose name starts with "_"."""
    bookmarks = sample.read_docx.bookmarks()
    extra = bookmarks - {docx_bookmark(target) for target in oracle.targets()} - apparatus_bookmarks(sample, oracle)
    anchors = oracle.block_anchors()
    assert len(anchors) > 150
    hashed = {docx_bookmark(anchor) for anchor in anchors}
    assert extra == anchors, (
        f"{len(extra & hashed)} of {len(extra)} block anchors are written as pandoc's "
        f"hashed names (X + SHA-1), which Word does not hide; "
        f"{len(extra - hashed - anchors)} are not block anchors at all"
    )
