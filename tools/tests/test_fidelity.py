"""The three editions say the same thing: headings, labels and cross-references read back from the
site, the PDF and the DOCX agree with what the shared resolver predicts from the model, and every
internal link in each of them lands somewhere that exists."""

from __future__ import annotations

import hashlib
import re
from collections import Counter

import pytest

import readers
from readers import plain_quotes, squash

LABEL = re.compile(r"\b(?:Recommendation \d+[A-Z]?|Chapter \d+|Section \d+\.\d+(?:\.\d+)?|Annex [IVXLC]+)\b")


@pytest.fixture(scope="session")
def sample(tmp_path_factory) -> readers.SampleBuild:
    return readers.sample_build(tmp_path_factory)


@pytest.fixture(scope="session")
def predicted(sample):
    report = sample.report
    return {
        "headings": readers.expected_headings(report),
        "references": readers.expected_references(report),
        "targets": readers.all_targets(report),
    }


def site_key(sample, page: str, href: str) -> str | None:
    """The single-document id of the report page (and heading) a site link points to."""
    target = sample.read_site.target(page, href)
    if target is None:
        return None
    pages = {readers.site_page(doc): doc for doc in sample.report.documents}
    doc = pages.get(target[0])
    if doc is None:
        return None
    return f"{doc.id}--{target[1]}" if target[1] else doc.id


def pdf_reference_links(sample) -> list[readers.PdfLink]:
    """The PDF's links to named destinations after the contents, pieces of one link joined."""
    pdf = sample.read_pdf
    first = pdf.named_destinations[sample.report.documents[0].id]
    return readers.merge_link_runs(pdf, [link for link in pdf.links if link.page >= first and link.name])


def pdf_body_text(sample) -> str:
    pdf = sample.read_pdf
    first = pdf.named_destinations[sample.report.documents[0].id]
    text = "\n".join(pdf.page_texts[first:])
    # Join the words Typst hyphenated at a line end ("Recom-\nmendation"); then one space per gap.
    return plain_quotes(squash(re.sub(r"[\u00ad-]\s*\n\s*(?=[a-z])", "", text)))


# --- headings -----------------------------------------------------------------------------------

def test_site_headings_are_the_predicted_ones(sample, predicted):
    site = sample.read_site
    for doc in sample.report.documents:
        article = site.article(readers.site_page(doc))
        found = [(int(e.tag[1]), plain_quotes(squash(e.text())))
                 for e in article.iter() if e.tag in ("h1", "h2", "h3", "h4")]
        expected = [(h.level, h.text) for h in predicted["headings"] if h.doc == doc.id]
        assert found == expected, doc.path


def test_docx_headings_are_the_predicted_ones(sample, predicted):
    found = [(level, plain_quotes(text)) for level, text in sample.read_docx.headings]
    assert found == [(h.level, h.text) for h in predicted["headings"]]


def test_pdf_headings_are_the_predicted_ones(sample, predicted):
    pdf = sample.read_pdf
    # Bookmarks (and contents) list the documents and the numbered chapters' sections.
    bookmarks = [(level, plain_quotes(title)) for level, title, _ in pdf.outline]
    assert bookmarks == [(h.level, h.text) for h in predicted["headings"] if h.numbered]
    assert [page for _, _, page in pdf.outline] == [
        pdf.named_destinations[h.target] for h in predicted["headings"] if h.numbered]
    # Every heading, listed or not, is printed, in reading order.
    text, position = pdf_body_text(sample), 0
    for heading in predicted["headings"]:
        found = text.find(heading.text, position)
        assert found >= 0, f"{heading.text!r} is missing or out of order"
        position = found + len(heading.text)


# --- labels and reference texts -----------------------------------------------------------------

def test_labels_agree_across_the_editions(sample, predicted):
    report = sample.report
    expected = {doc.label for doc in report.documents if doc.number}
    expected |= {r.text for r in predicted["references"] if LABEL.fullmatch(r.text)}
    assert {"Recommendation 1A", "Recommendation 5B", "Chapter 5", "Section 2.2", "Annex II"} <= expected

    site = sample.read_site
    site_text = " ".join(squash(site.article(readers.site_page(doc)).text()) for doc in report.documents)
    pdf_text = pdf_body_text(sample)
    docx_text = squash(sample.read_docx.text)
    for name, text in (("site", site_text), ("pdf", pdf_text), ("docx", docx_text)):
        assert set(LABEL.findall(text)) == expected, name


def test_site_references_are_the_predicted_ones(sample, predicted):
    site = sample.read_site
    for doc in sample.report.documents:
        page = readers.site_page(doc)
        found = [(plain_quotes(squash(a.text())), site_key(sample, page, a.attrs["href"]))
                 for a in readers.content_links(site.article(page))]
        expected = [(r.text, r.target) for r in predicted["references"] if r.source == doc.id]
        assert found == expected, doc.path


def test_pdf_references_are_the_predicted_ones(sample, predicted):
    found = [(plain_quotes(link.text), link.name) for link in pdf_reference_links(sample)]
    assert found == [(r.text, r.target) for r in predicted["references"]]


def test_docx_references_are_the_predicted_ones(sample, predicted):
    found = [(plain_quotes(text), anchor) for anchor, _, text in sample.read_docx.hyperlinks() if anchor]
    assert found == [(r.text, readers.docx_bookmark(r.target)) for r in predicted["references"]]


def test_all_editions_carry_every_reference(sample, predicted):
    """The same multiset of (text, target) in the three editions: none lost, none added."""
    references = Counter((r.text, r.target) for r in predicted["references"])
    assert sum(references.values()) > 100 and len(references) > 30
    site = sample.read_site
    in_site = Counter()
    for doc in sample.report.documents:
        page = readers.site_page(doc)
        in_site.update((squash(a.text()), site_key(sample, page, a.attrs["href"]))
                       for a in readers.content_links(site.article(page)))
    in_pdf = Counter((plain_quotes(link.text), link.name) for link in pdf_reference_links(sample))
    bookmark_ids = {readers.docx_bookmark(target): target for target in predicted["targets"]}
    in_docx = Counter((plain_quotes(text), bookmark_ids.get(anchor, anchor))
                      for anchor, _, text in sample.read_docx.hyperlinks() if anchor)
    assert in_site == in_pdf == in_docx == references


# --- every internal link resolves -----------------------------------------------------------------

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


def test_every_pdf_link_resolves(sample, predicted):
    pdf = sample.read_pdf
    # Typst writes a named destination for every label: each heading and each document title.
    assert set(pdf.named_destinations) == predicted["targets"]
    for doc in sample.report.documents:
        page = pdf.named_destinations[doc.id]
        assert plain_quotes(doc.heading) in plain_quotes(squash(pdf.page_texts[page])), doc.id
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
    assert kinds["named"] >= len(predicted["references"]) + len(sample.report.documents)
    assert kinds["explicit"] == 6


def test_every_docx_link_resolves(sample, predicted):
    docx = sample.read_docx
    bookmarks = docx.bookmarks()
    # pandoc writes a bookmark for every heading and document title (ids over 40 characters hashed);
    # every paragraph, list item, quote and note opens with a hidden one: "_", 8 hex digits of the
    # SHA-1 of its document's id, "_", the source line it starts on (what `report comments` reads).
    hidden = {f"_{hashlib.sha1(doc.id.encode()).hexdigest()[:8]}_{doc.where(block.start)[0]}"
              for doc in sample.report.documents for block in doc.scan.blocks
              if block.kind in ("paragraph", "item", "quote", "note")}
    assert bookmarks == {readers.docx_bookmark(target) for target in predicted["targets"]} | hidden
    relationships = docx.relationships()
    links = docx.hyperlinks(contents=True) + docx.hyperlinks("word/footnotes.xml")
    assert len(links) >= len(predicted["references"])
    for anchor, rid, text in links:
        if anchor is not None:
            assert anchor in bookmarks, (anchor, text)
        else:
            target, mode = relationships[rid]
            assert mode == "External" and target.startswith("https://"), (rid, target, text)
