"""`report build`: the three editions of the sample report, read back; manifest, reproducibility, atomicity."""

from __future__ import annotations

import fcntl
import hashlib
import json
import re
import shutil
from pathlib import Path

import docx as python_docx
import pytest

import readers
from readers import AUTHOR_NAME, EDITION_DATE, run_report, tree_state

STATUS_NAMES = {"draft": "Draft", "review": "In review", "agreed": "Agreed"}


@pytest.fixture
def built_copy(sample, tmp_path) -> Path:
    """A writable copy of the sample: its git repository and its last good build/."""
    root = tmp_path / "report"
    shutil.copytree(sample.root, root, symlinks=True)
    return root


def owner_name(report, doc) -> str:
    return report.members[doc.owner].name


def note_texts(doc) -> list[str]:
    """The text of each note defined in a document's Markdown, in order."""
    return [readers.squash(m.group(1)) for m in re.finditer(r"^\[\^[^\]]+\]:\s*(.+)$", doc.body, re.M)]


def plain_notes(report) -> list[str]:
    """The notes every edition prints exactly as written: no citation, reference or capitals that
    could be an acronym spelt out at its first use."""
    return [
        n
        for doc in report.documents
        for n in note_texts(doc)
        if "[" not in n and not re.search(r"\b[A-Z][A-Za-z]*[A-Z]", n)
    ]


# After the report's last document, the Notes section of the PDF and the DOCX.
NOTES_HEADING = "Notes"


# --- the command and the manifest -------------------------------------------------------------


def test_build_lists_each_output_and_exits_0(sample):
    result = sample.result
    manifest = json.loads((sample.out / "manifest.json").read_text("utf-8"))
    expected = [f"{sample.out / o['path']}  ({o['format']}, {o['bytes']:,} bytes)" for o in manifest["outputs"]]
    assert result.exit_code == 0
    assert result.stdout.splitlines() == expected
    assert result.stderr == ""


def test_build_folder_holds_the_editions_and_nothing_else(sample):
    assert sorted(p.name for p in sample.out.iterdir()) == sorted(readers.BUILD_FILES)
    assert [p.name for p in sample.root.glob(".build.staging-*")] == []


def test_manifest_names_the_edition_and_verifies_every_output(sample):
    manifest = json.loads((sample.out / "manifest.json").read_text("utf-8"))
    assert {k: manifest[k] for k in ("edition", "final", "date", "commit", "uncommitted_changes")} == {
        "edition": "Working draft",
        "final": False,
        "date": EDITION_DATE,
        "commit": sample.commit,
        "uncommitted_changes": False,
    }
    assert [(o["format"], o["path"]) for o in manifest["outputs"]] == [
        ("html", "site"),
        ("pdf", "panel-report.pdf"),
        ("docx", "panel-report.docx"),
    ]
    for output in manifest["outputs"]:
        path = sample.out / output["path"]
        if path.is_file():
            data = path.read_bytes()
            assert (output["bytes"], output["sha256"]) == (len(data), hashlib.sha256(data).hexdigest()), output
        else:
            # A folder's digest: the sha256 of "relative/path\0<file sha256>\n" for each file in order.
            total, outer = 0, hashlib.sha256()
            for item in sorted(p for p in path.rglob("*") if p.is_file()):
                data = item.read_bytes()
                total += len(data)
                outer.update(f"{item.relative_to(path).as_posix()}\0{hashlib.sha256(data).hexdigest()}\n".encode())
            assert (output["bytes"], output["sha256"]) == (total, outer.hexdigest()), output


def test_unknown_format_is_a_usage_error(built_copy):
    before = tree_state(built_copy / "build")
    result = run_report("build", "--root", str(built_copy), "--formats", "html,epub")
    assert result.exit_code == 2
    assert "Invalid value for --formats: choose from html, pdf, docx" in result.stderr
    assert tree_state(built_copy / "build") == before


# --- HTML ---------------------------------------------------------------------------------------


def test_site_navigation_follows_the_reading_order(sample):
    site, report = sample.read_site, sample.report
    page = "chapters/01-introduction/index.html"
    nav = site.page(page).find("nav", "md-nav--primary")
    seen = []
    for a in nav.iter("a", "md-nav__link"):
        target = site.target(page, a.attrs["href"])
        if a.attrs["href"].startswith("#") or target is None or target[1]:
            continue  # the current page's own table of contents
        entry = (target[0], readers.squash(a.text()))
        if entry not in seen:
            seen.append(entry)
    expected = [("index.html", "Home")]
    for doc in report.documents:
        if doc.kind == "rec" and not any(p == "recommendations/index.html" for p, _ in expected):
            expected.append(("recommendations/index.html", "Recommendations"))
        # The number and the short title (front matter `short_title`, else the title): "1A Affordable access".
        name = f"{doc.number}{' ' if doc.kind == 'rec' else '. '}{doc.short_title}" if doc.number else doc.short_title
        expected.append((readers.site_page(doc), name))
    expected.append(("progress/index.html", "Progress"))  # generated from the owners' table
    assert seen == expected


def test_recommendations_index_lists_label_title_owner_and_status(sample):
    site, report = sample.read_site, sample.report
    article = site.article("recommendations/index.html")
    rows = []
    for table in article.iter("table"):
        header = [readers.squash(th.text()) for th in table.iter("th")]
        assert header == ["Label", "Recommendation", "Owner", "Status"]
        for tr in table.iter("tr"):
            cells = list(tr.iter("td"))
            if cells:
                link = site.target("recommendations/index.html", cells[1].find("a").attrs["href"])[0]
                rows.append(tuple(readers.squash(c.text()) for c in cells) + (link,))
    expected = [
        (doc.number, doc.title, owner_name(report, doc), STATUS_NAMES[doc.status], readers.site_page(doc))
        for doc in report.of_kind("rec")
    ]
    assert rows == expected
    headings = [readers.squash(h.text()) for h in article.iter("h2")]
    assert headings == [f"Set {n}: {report.set_title(n)}" for n in range(1, 6)]


def test_every_page_shows_owner_status_and_last_update(sample):
    site, report = sample.read_site, sample.report
    for doc in report.documents:
        facts = [readers.squash(p.text()) for p in site.article(readers.site_page(doc)).iter("p", "report-facts")]
        assert facts == [
            f"Owner: {owner_name(report, doc)} · Status: {STATUS_NAMES[doc.status]} · "
            f"Last updated: 10 June 2019 by {AUTHOR_NAME}"
        ], doc.path


def test_home_page_offers_the_editions_pdf_and_docx(sample):
    site = sample.read_site
    links = {readers.squash(a.text()): a.attrs["href"] for a in readers.content_links(site.article("index.html"))}
    assert links["PDF edition"] == "downloads/panel-report.pdf"
    assert links["Word (DOCX) edition"] == "downloads/panel-report.docx"
    assert (sample.site / "downloads/panel-report.pdf").read_bytes() == sample.pdf.read_bytes()
    assert (sample.site / "downloads/panel-report.docx").read_bytes() == sample.docx.read_bytes()


def test_content_pages_link_to_their_source_for_editing(sample):
    site, report = sample.read_site, sample.report
    repository = report.settings["repository"]
    for doc in report.documents:
        edit = [a.attrs["href"] for a in site.article(readers.site_page(doc)).iter("a") if a.attrs.get("rel") == "edit"]
        assert edit == [f"{repository}/edit/main/{doc.path}"], doc.path


def test_site_cross_references_link_between_pages(sample):
    site = sample.read_site

    def links(page):
        return [(readers.squash(a.text()), a.attrs["href"]) for a in readers.content_links(site.article(page))]

    assert ("Recommendation 1A", "../../recommendations/affordable-access/") in links(
        "chapters/02-leaving-no-one-behind/index.html"
    )
    assert ("Section 2.2", "../../chapters/02-leaving-no-one-behind/#digital-divide") in links(
        "recommendations/affordable-access/index.html"
    )
    assert ("Recommendation 1D", "../digital-economy-data/") in links("recommendations/affordable-access/index.html")


# --- PDF ----------------------------------------------------------------------------------------


def test_pdf_title_page_names_the_edition_and_its_date(sample):
    title_page = readers.squash(sample.read_pdf.page_texts[0])
    for text in (
        "UNITED NATIONS High-level Panel on Digital Cooperation",
        "The Age of Digital Interdependence",
        "DRAFT — not for citation or circulation Working draft 10 June 2019",
        f"Source: commit {sample.commit[:12]}",
    ):
        assert text in title_page


def test_pdf_contents_give_each_document_its_page_number(sample):
    pdf, report = sample.read_pdf, sample.report
    assert readers.squash(pdf.page_texts[1]).startswith("DRAFT DRAFT · Working draft · 10 June 2019 Contents")
    first = pdf.named_destinations[report.documents[0].id]
    entries = readers.merge_link_runs(pdf, [link for link in pdf.links if link.page < first])
    by_target: dict[str, str] = {}
    for link in entries:  # an entry's title, its leader dots and its page number are one link each
        by_target[link.name] = f"{by_target[link.name]} {link.text}" if link.name in by_target else link.text
    # Recommendations are set out inside Chapter 5, under their sets, which the contents list.
    assert "recommendations--set-1" in by_target and "affordable-access" not in by_target
    for doc in (d for d in report.documents if d.kind != "rec"):
        page = pdf.named_destinations[doc.id]
        entry = readers.plain_quotes(by_target[doc.id].replace("\u2060", ""))  # a word joiner before the number
        assert re.fullmatch(re.escape(doc.heading) + r"[ .]+" + str(page + 1), entry), entry
        assert pdf.footer(page) == str(page + 1)


def test_pdf_pages_after_the_title_page_are_numbered(sample):
    pdf = sample.read_pdf
    assert len(pdf) > 20
    assert pdf.footer(0) != "1"  # the title page carries no number
    assert [pdf.footer(i) for i in range(1, len(pdf))] == [str(i + 1) for i in range(1, len(pdf))]


def test_pdf_chapters_are_numbered_and_recommendations_labelled(sample):
    pdf, report = sample.read_pdf, sample.report
    bookmarks = [title for level, title, _ in pdf.outline if level == 1]
    assert [readers.plain_quotes(b) for b in bookmarks] == [
        doc.heading for doc in report.documents if doc.kind != "rec"
    ] + [NOTES_HEADING]
    assert "Chapter 1: Introduction" in bookmarks
    outline = [(level, title) for level, title, _ in pdf.outline]
    assert [title for level, title in outline if title.startswith("Recommendation")] == [
        f"Recommendation {n}" for n in ("1A", "1B", "1C", "1D", "2", "3A", "3B", "3C", "4", "5A", "5B")
    ]
    assert (2, "1.1 Mandate") in outline
    # Each set of recommendations opens with its band, inside Chapter 5, its recommendations under it.
    sets = [i for i, (level, title) in enumerate(outline) if title.startswith("Set ")]
    assert [outline[i] for i in sets][:2] == [
        (2, "Set 1: An inclusive digital economy and society"),
        (2, "Set 2: Human and institutional capacity"),
    ]
    assert outline[sets[0] + 1] == (3, "Recommendation 1A")


def test_pdf_cross_references_are_clickable_internal_links(sample):
    pdf = sample.read_pdf
    chapter = range(pdf.named_destinations["leaving-no-one-behind"], pdf.named_destinations["individuals-societies"])
    links = [(link.text, link.name) for link in readers.merge_link_runs(pdf, pdf.links) if link.page in chapter]
    assert ("Recommendation 1A", "affordable-access") in links
    target = pdf.named_destinations["affordable-access"]
    page = readers.squash(pdf.page_texts[target])
    assert "SET 1: AN INCLUSIVE DIGITAL ECONOMY AND SOCIETY Recommendation 1A Commit to connecting every adult" in page


def test_pdf_has_the_notes_tables_and_images(sample):
    pdf, report = sample.read_pdf, sample.report
    notes = plain_notes(report)
    assert len(notes) >= 15
    # The notes are printed together at the end, in their order, from the Notes heading on (words
    # Typst hyphenated at a line's end joined again: "Devel-\nopment").
    start = pdf.named_destinations["end--notes"]
    printed = readers.squash(re.sub(r"-\s*\n\s*(?=[a-z])", "", " ".join(pdf.page_texts[start:])))
    assert printed.startswith(f"{NOTES_HEADING} ") or f" {NOTES_HEADING} " in printed[:200]
    assert [note for note in notes if note not in readers.plain_quotes(printed)] == []
    # Each note marker links to its note and back: explicit destinations within the document.
    count = sum(len(note_texts(doc)) for doc in report.documents)
    to_notes = [
        link
        for link in pdf.links
        if link.dest_page is not None
        and link.dest_page >= pdf.named_destinations["end--notes"]
        and link.page < pdf.named_destinations["end--notes"]
    ]
    assert len(to_notes) >= count
    section = pdf.named_destinations["leaving-no-one-behind--digital-divide"]
    # The table sits in its section: on the section's page or the next, before the next section.
    page = next(p for p in (section, section + 1) if "Illustrative" in pdf.page_texts[p])
    assert page <= pdf.named_destinations["leaving-no-one-behind--sdgs"]
    header = [w for w in pdf.words[page] if w[4] in ("Dimension", "Illustrative")]
    assert len(header) == 2 and abs(header[0][1] - header[1][1]) < 1, "the table's header is one row"
    # A long table may turn the page, its header repeated.
    assert "Relevance Whether content and services meet local needs" in readers.squash(
        (pdf.page_texts[page] + " " + pdf.page_texts[page + 1]).replace("\u00ad\n", "").replace("\u00ad", "")
    )
    with_images = [i for i, page in enumerate(pdf.reader.pages) if len(page.images)]
    assert len(with_images) == 4  # the sample's four figures, each on a page of its own section
    assert (
        pdf.named_destinations["introduction--tracks"]
        <= with_images[1]
        <= pdf.named_destinations["introduction--consultation"]
    ), "the figure sits in its section"


def test_draft_pdf_marks_every_page(sample):
    pdf = sample.read_pdf
    assert [i for i, text in enumerate(pdf.page_texts) if "DRAFT" not in text] == []
    assert [i for i, text in enumerate(pdf.poppler_texts) if "DRAFT" not in text] == []


def test_final_edition_carries_no_draft_mark(sample, tmp_path):
    """A rehearsal of the final edition (--force: the sample is a draft, see test_final.py)."""
    out = tmp_path / "final"
    result = run_report(
        "build", "--root", str(sample.root), "--final", "--force", "--formats", "pdf,docx", "--out", str(out)
    )
    assert result.exit_code == 0, result.output
    pdf = readers.Pdf(out / "panel-report.pdf")
    assert [i for i, text in enumerate(pdf.page_texts) if "DRAFT" in text] == []
    assert [i for i, text in enumerate(pdf.poppler_texts) if "DRAFT" in text] == []
    title_page = readers.squash(pdf.page_texts[0])
    assert title_page.endswith("Final edition 10 June 2019") and "commit" not in title_page
    docx = readers.Docx(out / "panel-report.docx")
    assert docx.paragraphs("Date") == ["Final edition · 10 June 2019"]
    assert "DRAFT" not in docx.text
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    assert (manifest["edition"], manifest["final"]) == ("Final edition", True)
    assert [o["format"] for o in manifest["outputs"]] == ["pdf", "docx"]


def test_names_are_printed_as_written(built_copy, tmp_path):
    """Names reach Typst as text: markup or code characters in them neither run nor break the PDF."""
    name = "Draft #3 [rev] *bold* $x$ <label> _u_ @cite \\ 1.0... -- end"
    author = 'The "Panel" \\ #1 [draft]'
    settings = built_copy / "report.yml"
    settings.write_text(
        settings.read_text("utf-8").replace("author: High-level Panel on Digital Cooperation", f"author: '{author}'"),
        "utf-8",
    )
    out = tmp_path / "named"
    result = run_report("build", "--root", str(built_copy), "--edition", name, "--formats", "pdf", "--out", str(out))
    assert result.exit_code == 0, result.output
    pdf = readers.Pdf(out / "panel-report.pdf")
    assert f"\n{name}\n" in pdf.page_text(0)
    assert "The “Panel” \\ #1 [draft]" in pdf.page_text(0)  # the title page's band
    assert f"DRAFT · {name} · 10 June 2019" in pdf.page_text(2)
    assert pdf.reader.metadata["/Author"] == author


def test_a_long_word_is_printed_as_written(copy_report, fixtures_dir, tmp_path):
    """A word past transforms.LONG_WORD reaches Typst as escaped raw markup (pandoc's writer is
    quadratic in a word's length): its symbols neither run nor turn into shorthands."""
    from click.testing import CliRunner

    from reportkit.cli import main

    middle = "#let[x]*_y_*$z$<l>@c\\//--...`q`~=+"
    word = "a" * 150 + middle + "b" * 150
    source = "a" * 150 + "".join(c if c.isalnum() else "\\" + c for c in middle) + "b" * 150  # symbols escaped
    root = copy_report(fixtures_dir / "minimal")
    (root / "annexes" / "02-long.md").write_text(
        "---\nid: long\ntitle: Long\nowner: secretariat\nstatus: draft\n---\n\nBefore " + source + " after.\n"
    )
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main,
        ["build", "--root", str(root), "--formats", "pdf", "--out", str(out)],
        env={"SOURCE_DATE_EPOCH": "1560168000", "CI": "1"},
    )
    assert result.exit_code == 0, result.output
    text = "".join(readers.Pdf(out / "panel-report.pdf").poppler_texts)
    # The word is broken across lines (at a zero-width space, or a soft hyphen where Typst
    # hyphenates), not left to run off the page: join the lines again.
    assert f"Before{word}after." in re.sub(r"[\s\u00ad\u200b]", "", text)


# --- DOCX ---------------------------------------------------------------------------------------


def test_docx_title_page(sample):
    docx, report = sample.read_docx, sample.report
    assert docx.paragraphs("Title") == [report.title]
    assert docx.paragraphs("Subtitle") == [report.settings["subtitle"]]
    assert docx.paragraphs("Date") == ["DRAFT · Working draft · 10 June 2019"]
    # The contents start a new page, so the title block is a page of its own.
    assert docx.document.styles["TOC Heading"].paragraph_format.page_break_before
    assert docx.document.styles["Heading 1"].paragraph_format.page_break_before


def test_docx_pages_are_numbered(sample):
    docx = sample.read_docx
    footers = [r.get(f"{{{readers.R}}}id") for r in docx.xml("word/document.xml").iter(readers.w("footerReference"))]
    assert footers, "the section has a footer"
    targets = [docx.relationships()[rid][0] for rid in footers]
    fields = [
        f.get(readers.w("instr")).strip() for t in targets for f in docx.xml(f"word/{t}").iter(readers.w("fldSimple"))
    ]
    assert "PAGE" in fields


def test_docx_has_a_table_of_contents_field(sample):
    docx = sample.read_docx
    assert [t.strip() for t in docx.instr_texts() if "TOC" in t] == ['TOC \\o "1-2" \\h \\z \\u']
    toc = docx.xml("word/document.xml").find(f".//{readers.w('sdt')}")
    assert toc.find(f".//{readers.w('docPartGallery')}").get(readers.w("val")) == "Table of Contents"
    heading = toc.find(f".//{readers.w('p')}")
    assert heading.find(f".//{readers.w('pStyle')}").get(readers.w("val")) == "TOCHeading"
    assert "".join(t.text for t in heading.iter(readers.w("t"))) == "Contents"


def test_docx_contents_are_written_in_advance_as_in_the_pdf(sample):
    """Entries in the TOC field's result, so readers without Word's field update see them too, each
    with the page the PDF edition (same house style) gives it."""
    docx, pdf = sample.read_docx, sample.read_pdf
    root = docx.xml("word/document.xml")
    toc = root.find(f".//{readers.w('sdt')}")
    bookmarks = {b.get(readers.w("name")) for b in root.iter(readers.w("bookmarkStart"))}
    entries = []
    for p in toc.iter(readers.w("p")):
        style = p.find(f".//{readers.w('pStyle')}")
        link = p.find(f".//{readers.w('hyperlink')}")
        if style is not None and style.get(readers.w("val")) in ("TOC1", "TOC2"):
            assert link.get(readers.w("anchor")) in bookmarks
            runs = ["".join(t.text for t in r.iter(readers.w("t"))) for r in link.iter(readers.w("r"))]
            assert runs[-2] == "" and link.find(f".//{readers.w('tab')}") is not None  # a tab, then the page
            entries.append(
                (
                    int(style.get(readers.w("val"))[-1]),
                    readers.plain_quotes(runs[0]),
                    int(runs[-1]),
                    link.get(readers.w("anchor")),
                )
            )
    report = sample.report
    expected = []
    for doc in (d for d in report.documents if d.kind != "rec"):
        expected.append((1, doc.heading, doc.id))
        for h in doc.scan.headings:
            if h.level == 2 and h.anchor in doc.set_sections:
                expected.append((2, f"Set {doc.set_sections[h.anchor]}: {h.text}", f"{doc.id}--{h.anchor}"))
            elif h.level == 2 and h.anchor in doc.section_numbers:
                expected.append((2, f"{doc.section_numbers[h.anchor]} {h.text}", f"{doc.id}--{h.anchor}"))
    expected.append((1, NOTES_HEADING, "end--notes"))
    assert [(level, text) for level, text, _, _ in entries] == [(level, text) for level, text, _ in expected]
    assert [page for _, _, page, _ in entries] == [pdf.named_destinations[ident] + 1 for _, _, ident in expected]


def test_docx_cover_has_no_page_number_and_every_other_page_says_draft(sample):
    docx = sample.read_docx
    section = docx.xml("word/document.xml").findall(f".//{readers.w('sectPr')}")[-1]
    assert section.find(readers.w("titlePg")) is not None  # the first page has headers of its own
    relationships = docx.relationships()
    references = {
        (e.tag.split("}")[1], e.get(readers.w("type"))): relationships[e.get(f"{{{readers.R}}}id")][0]
        for e in section
        if e.tag.endswith("Reference")
    }
    first_footer = docx.xml(f"word/{references[('footerReference', 'first')]}")
    assert list(first_footer.iter(readers.w("fldSimple"))) == [] and not "".join(
        t.text or "" for t in first_footer.iter(readers.w("t"))
    )
    header = docx.xml(f"word/{references[('headerReference', 'default')]}")
    assert "".join(t.text for t in header.iter(readers.w("t"))) == "DRAFT · Working draft · 10 June 2019"
    first_header = docx.xml(f"word/{references[('headerReference', 'first')]}")
    assert not "".join(t.text or "" for t in first_header.iter(readers.w("t")))


def test_docx_table_rows_do_not_split_across_pages(sample):
    rows = list(sample.read_docx.xml("word/document.xml").iter(readers.w("tr")))
    assert len(rows) > 20
    assert all(r.find(f"{readers.w('trPr')}/{readers.w('cantSplit')}") is not None for r in rows)


def test_docx_uses_word_heading_styles(sample):
    docx, report = sample.read_docx, sample.report
    assert [readers.plain_quotes(text) for level, text in docx.headings if level == 1] == [
        doc.heading for doc in report.documents if doc.kind != "rec"
    ] + [NOTES_HEADING]
    assert (2, "1.1 Mandate") in docx.headings
    assert (3, "Recommendation 1A") in docx.headings
    assert (4, "Rationale") in docx.headings  # a recommendation's sections, inside Chapter 5
    # The recommendation's box: its set, then its statement, in named styles Word users can restyle.
    assert docx.paragraphs("Recommendation Set")[0] == "Set 1: An inclusive digital economy and society"
    assert docx.paragraphs("Recommendation")[0].startswith("Commit to connecting every adult by 2030")


def test_docx_notes_are_endnotes_in_one_series(sample):
    """No footnotes: every note in the Notes section at the end, one numbered list in the notes'
    style, each item linking back to its call."""
    docx, report = sample.read_docx, sample.report
    assert docx.footnotes() == [] and docx.footnote_references() == 0
    items = docx.paragraphs("Endnote Text")
    assert len(items) == sum(len(note_texts(doc)) for doc in report.documents)
    text = readers.plain_quotes(" ".join(readers.squash(i) for i in items))
    assert [note for note in plain_notes(report) if note not in text] == []


def test_docx_cross_references_are_internal_hyperlinks(sample):
    docx = sample.read_docx
    links = docx.hyperlinks()
    assert ("affordable-access", None, "Recommendation 1A") in links
    assert ("leaving-no-one-behind--digital-divide", None, "Section 2.2") in links
    assert {"affordable-access", "leaving-no-one-behind--digital-divide"} <= docx.bookmarks()
    media = [name for name in docx.parts if name.startswith("word/media/")]
    figures = ("timeline", "three-tracks", "internet-use-2018", "architectures")
    assert sorted(docx.parts[name] for name in media) == sorted(
        (sample.root / f"images/{name}.png").read_bytes() for name in figures
    )


# --- reproducible -------------------------------------------------------------------------------


def test_same_commit_and_edition_give_identical_pdf_and_docx(sample, tmp_path):
    for out in ("one", "two"):
        result = run_report("build", "--root", str(sample.root), "--formats", "pdf,docx", "--out", str(tmp_path / out))
        assert result.exit_code == 0, result.output
    for name in ("panel-report.pdf", "panel-report.docx"):
        one, two = (tmp_path / "one" / name).read_bytes(), (tmp_path / "two" / name).read_bytes()
        assert one == two, name
        assert one == (sample.out / name).read_bytes(), name
    manifests = [json.loads((tmp_path / out / "manifest.json").read_text()) for out in ("one", "two")]
    assert manifests[0] == manifests[1]


# --- refused and failed builds leave the last good build as it was ------------------------------


def test_build_refuses_when_check_finds_errors(built_copy):
    chapter = built_copy / "chapters/01-introduction.md"
    text = chapter.read_text("utf-8").rstrip("\n")
    chapter.write_text(text + "\n\nSee [[rec:affordable-acess]] for more.\n", "utf-8")
    line = text.count("\n") + 3
    before = tree_state(built_copy / "build")

    result = run_report("build", "--root", str(built_copy))

    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"chapters/01-introduction.md:{line}:5: error [ref.unknown] no recommendation with id "
        "'affordable-acess'; did you mean 'affordable-access'?",
        "report: build refused: `report check` found 1 error; fix them and build again",
    ]
    assert tree_state(built_copy / "build") == before


def test_an_image_the_engines_cannot_decode_is_refused_by_the_check(built_copy):
    """Once a build-time failure of Typst ("failed to decode image"); now the verdict decodes every
    image first, so the check and the build say the same, located."""
    (built_copy / "images/three-tracks.png").write_bytes(b"not a PNG at all")
    before = tree_state(built_copy / "build")

    for command in ("check", "build"):
        result = run_report(command, "--root", str(built_copy))
        assert result.exit_code == 1
        output = result.stdout + result.stderr
        assert (
            "images/three-tracks.png:0:0: error [asset.invalid] this file is named like a PNG image but is "
            "not an image; save it in the right format"
        ) in output
        assert "chapters/01-introduction.md:43:" in output  # where the text uses it
    assert tree_state(built_copy / "build") == before


def test_a_renderer_past_its_time_limit_is_stopped_and_the_last_build_kept(built_copy):
    before = tree_state(built_copy / "build")

    result = run_report("build", "--root", str(built_copy), "--formats", "pdf", "--timeout", "0.01")

    assert result.exit_code == 1
    assert result.stdout == ""
    assert "ran longer than 0.01 s and was stopped" in result.stderr
    assert result.stderr.rstrip().endswith("; the previous build is unchanged")
    assert tree_state(built_copy / "build") == before
    assert sorted(p.name for p in built_copy.iterdir() if p.name.startswith(".build")) == [".build.lock"]


@pytest.mark.parametrize("out", [".", "annexes", ".."])
def test_build_never_replaces_a_folder_that_is_not_a_build(built_copy, out):
    """A build replaces its output folder as a whole: pointed at the report or its content, it refuses."""
    target = (built_copy / out).resolve()
    before = tree_state(built_copy)

    result = run_report("build", "--root", str(built_copy), "--formats", "docx", "--out", str(target))

    assert result.exit_code == 1
    assert result.stderr.startswith(f"report: the output folder {target} ")
    assert tree_state(built_copy) == before


def test_a_build_running_elsewhere_blocks_a_second_one(built_copy):
    before = tree_state(built_copy / "build")
    with open(built_copy / ".build.lock", "a+") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        result = run_report("build", "--root", str(built_copy), "--formats", "docx")
    assert result.exit_code == 1
    assert result.stderr == (
        f"report: another build of {built_copy / 'build'} is running; wait for it to finish, "
        "then build again; the previous build is unchanged\n"
    )
    assert tree_state(built_copy / "build") == before


def test_panel_members_annex_is_printed_from_the_roster_in_every_edition(sample):
    report = sample.report
    annex = next(d for d in report.documents if d.meta.get("roster") is True)
    names = [m.name for m in report.members.values()]
    assert len(names) == 23 and "Melinda Gates" in names
    site = readers.squash(sample.read_site.article(readers.site_page(annex)).text())
    pdf = readers.squash(" ".join(sample.read_pdf.page_texts))
    # The tables' cells: the reader's text holds the paragraphs only.
    cells = [
        cell.text for table in python_docx.Document(str(sample.docx)).tables for row in table.rows for cell in row.cells
    ]
    docx = readers.squash(" ".join(cells))
    for name in names:
        assert name in site, name
        assert name in pdf, name
        assert name in docx, name
    assert "20 seats await confirmation of the member's name." in readers.plain_quotes(site)


def test_home_page_links_to_its_own_source_and_no_third_party(sample):
    home = (sample.site / "index.html").read_text()
    assert "/edit/main/web/index.md" in home
    assert "api.github.com" not in home and "fonts.googleapis.com" not in home


def test_manifest_says_when_the_tree_has_uncommitted_changes(built_copy, tmp_path):
    chapter = built_copy / "chapters" / "01-introduction.md"
    chapter.write_text(chapter.read_text() + "\nOne more sentence.\n")
    result = run_report("build", "--root", str(built_copy), "--formats", "docx", "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text("utf-8"))
    assert manifest["uncommitted_changes"] is True
