"""The apparatus (notes, citations, figures, tables, boxes, the glossary) and accessible editions,
read back with real readers: pikepdf for the PDF's structure tree, language and PDF/UA
identification, python-docx and the package's XML for Word's language, alt text and header rows,
axe-core in Chromium for every page of the site; and the three editions held to one another.

Expected values come from the sources (the oracle, yaml.safe_load of glossary.yml and
references.yml, the Markdown's image descriptions) or from what a reader states about the sample.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import docx as python_docx
import pikepdf
import pytest
import yaml
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import sync_playwright

import browser
import readers
from oracle import Oracle
from readers import plain_quotes, run_report, squash

IMAGE = re.compile(r"!\[([^\]]+)\]\(([^)\s]+)\)")
FIGURE_LABEL = re.compile(r"\b(?:Figure|Table|Box) (?:\d+|[IVX]+)\.\d+\b")
BACK = "\u21a9"  # a note's link back to its call
# What axe must look at on every page (the list): that these rules ran is asserted too.
AXE_RULES = {
    "html-has-lang",
    "html-lang-valid",
    "landmark-one-main",
    "region",
    "heading-order",
    "color-contrast",
    "link-name",
    "image-alt",
}


@pytest.fixture(scope="session")
def sample(tmp_path_factory) -> readers.SampleBuild:
    return readers.sample_build(tmp_path_factory)


@pytest.fixture(scope="session")
def oracle(sample) -> Oracle:
    return Oracle(sample.root)


def image_descriptions(root: Path) -> list[str]:
    """Every image's description as the Markdown gives it, in file order (figures are in chapters)."""
    found = []
    for folder in ("chapters", "recommendations", "annexes"):
        for path in sorted((root / folder).glob("*.md")):
            found += [m.group(1) for m in IMAGE.finditer(path.read_text("utf-8"))]
    return found


# --- the PDF: tagged, PDF/UA-1, its language, alt text ------------------------------------------------


def structure_elements(node, kind: str, found: list) -> list:
    if isinstance(node, pikepdf.Dictionary):
        if node.get("/S") == kind:
            found.append(node)
        if node.get("/K") is not None:
            structure_elements(node.get("/K"), kind, found)
    elif isinstance(node, pikepdf.Array):
        for item in node:
            structure_elements(item, kind, found)
    return found


def test_pdf_is_tagged_and_identifies_as_pdf_ua_1_in_the_reports_language(sample):
    settings = yaml.safe_load((sample.root / "report.yml").read_text("utf-8"))
    with pikepdf.open(sample.out / "panel-report.pdf") as pdf:
        root = pdf.Root
        assert bool(root.MarkInfo.Marked) is True
        assert "/StructTreeRoot" in root
        assert str(root.Lang) == settings["language"] == "en-GB"
        assert bool(root.ViewerPreferences.DisplayDocTitle) is True  # PDF/UA: the title, not the file name
        meta = pdf.open_metadata()
        assert meta["pdfuaid:part"] == "1"
        assert meta["dc:title"] == settings["title"]
        headings = structure_elements(root.StructTreeRoot, "/H1", [])
        assert len(headings) >= 16  # every document's title and the Notes are level-1 headings


def test_pdf_figures_carry_the_markdown_descriptions_as_alt_text(sample):
    expected = [plain_quotes(text) for text in image_descriptions(sample.root)]
    assert len(expected) == 4
    with pikepdf.open(sample.out / "panel-report.pdf") as pdf:
        figures = structure_elements(pdf.Root.StructTreeRoot, "/Figure", [])
        assert sorted(plain_quotes(str(f.get("/Alt"))) for f in figures) == sorted(expected)


def test_pdf_lists_the_figures_and_tables_with_their_pages(sample, oracle):
    pdf = sample.read_pdf
    first = pdf.named_destinations[oracle.documents[0].id]
    front = plain_quotes(squash(" ".join(pdf.page_texts[:first])))
    for label, text, _ in oracle.figures():
        if not label.startswith("Box"):
            assert f"{label}: {plain_quotes(text)}" in front, label


# --- the DOCX: language, alt text, header rows, headings in order -------------------------------------


def test_docx_declares_its_language_alt_text_and_table_header_rows(sample):
    document = python_docx.Document(str(sample.out / "panel-report.docx"))
    ns = {
        "w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
        "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
    }
    defaults = document.styles.element.find("w:docDefaults/w:rPrDefault/w:rPr/w:lang", ns)
    assert defaults.get(f"{{{ns['w']}}}val") == "en-GB"
    descriptions = [e.get("descr") for e in document.element.body.iter(f"{{{ns['wp']}}}docPr")]
    assert sorted(plain_quotes(d) for d in descriptions) == sorted(
        plain_quotes(t) for t in image_descriptions(sample.root)
    )
    tables = document.tables
    assert len(tables) >= 4  # two in the text, the glossary's two
    for table in tables:
        first_row = table.rows[0]._tr
        assert first_row.find("w:trPr/w:tblHeader", ns) is not None, table.rows[0].cells[0].text
    levels = [int(p.style.name.split()[-1]) for p in document.paragraphs if re.fullmatch(r"Heading \d", p.style.name)]
    assert all(b <= a + 1 for a, b in zip(levels, levels[1:], strict=False)), "a heading level is skipped"


# --- the site: axe-core in Chromium on every page --------------------------------------------------


def test_every_site_page_passes_axe_without_serious_or_critical_violations(sample):
    site = sample.out / "site"
    pages = [p for p in browser.site_documents(site) if p.endswith(".html")]
    assert len(pages) >= 30
    axe, problems, ran = Axe(), [], set()
    with browser.serve(site) as origin, sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=browser.find_chromium(), args=browser.CHROMIUM_FLAGS)
        try:
            # axe is injected as a script; the site's own Content-Security-Policy would refuse it.
            tab = chromium.new_context(bypass_csp=True).new_page()
            for rel in pages:
                tab.goto(browser.page_url(origin, rel), timeout=browser.LOAD_TIMEOUT_MS)
                assert tab.evaluate("document.documentElement.lang") == "en-GB", rel  # report.yml's language
                results = axe.run(tab).response
                ran |= {rule["id"] for kind in ("passes", "violations", "incomplete") for rule in results[kind]}
                problems += [
                    (rel, v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
                    for v in results["violations"]
                    if v["impact"] in ("serious", "critical")
                ]
        finally:
            chromium.close()
    assert problems == []
    assert ran >= AXE_RULES, sorted(AXE_RULES - ran)


# --- the same apparatus in the three editions --------------------------------------------------------


def site_notes(sample, oracle) -> dict[int, str]:
    """number -> text of every note the site's pages show (the list item's value and its text)."""
    found = {}
    for doc in oracle.site_pages():
        article = sample.read_site.article(readers.site_page(doc))
        for div in article.iter("div", "footnote"):
            for item in div.iter("li"):
                number = int(item.attrs["value"])
                assert item.attrs["id"] == f"fn:{number}"
                assert number not in found, f"note {number} on two pages"
                found[number] = plain_quotes(squash(item.text().replace(BACK, "")))
        calls = [int(a.text()) for a in article.iter("a", "footnote-ref")]
        assert calls == sorted(calls), f"{doc.path}: the calls' numbers follow the text"
    return found


def docx_notes(sample) -> list[str]:
    return [plain_quotes(squash(p.replace(BACK, ""))) for p in sample.read_docx.paragraphs("Endnote Text")]


def test_note_numbers_and_texts_agree_in_the_three_editions(sample, oracle):
    series = oracle.note_numbers()
    assert len(series) >= 30
    site = site_notes(sample, oracle)
    docx = docx_notes(sample)
    assert sorted(site) == list(range(1, len(series) + 1))
    assert [site[n] for n in sorted(site)] == docx
    pdf = sample.read_pdf
    notes_page = pdf.named_destinations["end--notes"]

    def bare(text: str) -> str:  # line breaks, Typst's hyphenation and hyphens do not count
        return re.sub(r"[\s\u00ad-]", "", text)

    printed = bare(plain_quotes("\n".join(pdf.page_texts[notes_page:])))
    position = 0
    for number, text in enumerate(docx, start=1):
        at = printed.find(bare(f"{number}. {text}"), position)
        assert at >= 0, f"the PDF's note {number} is not {text!r}"
        position = at
    # A note without citation, reference or acronym is printed as it was written.
    for number, text in enumerate(oracle.note_texts(), start=1):
        if "[" not in text and not re.search(r"\b[A-Z][A-Za-z]*[A-Z]", text):
            assert docx[number - 1] == plain_quotes(text), number


def test_citation_texts_and_the_list_of_references_agree(sample, oracle):
    references = yaml.safe_load((sample.root / "references.yml").read_text("utf-8"))["references"]
    assert len(references) >= 15
    site_cites = []
    for doc in oracle.site_pages():
        article = sample.read_site.article(readers.site_page(doc))
        site_cites += [plain_quotes(squash(span.text())) for span in article.iter("span", "citation")]
    assert len(site_cites) >= 20
    docx_text = plain_quotes(squash(sample.read_docx.text))
    pdf_text = plain_quotes(squash(" ".join(sample.read_pdf.page_texts))).replace("\u00ad", "").replace("- ", "-")
    for cite in set(site_cites):
        assert cite in docx_text, cite
        assert cite.replace(" ", "") in pdf_text.replace(" ", ""), cite
    listing = sample.read_site.article("annexes/07-references/index.html")
    site_entries = [plain_quotes(squash(p.text())) for p in listing.iter("p", "csl-entry")]
    docx_entries = [plain_quotes(squash(p)) for p in sample.read_docx.paragraphs("Bibliography")]
    assert site_entries == docx_entries and len(site_entries) == len(references)
    # Each UN document symbol links to the document, in every edition.
    symbols = [r["number"] for r in references if str(r.get("number", "")).startswith("A/")]
    assert len(symbols) >= 8
    expected = {f"https://undocs.org/en/{s}" for s in symbols}
    expected |= {f"https://doi.org/{r['DOI']}" for r in references if r.get("DOI")}
    site_links = {a.attrs["href"] for a in listing.iter("a")}
    docx_links = {target for target, _ in sample.read_docx.relationships().values()}
    pdf_links = {link.uri for link in sample.read_pdf.links if link.uri}
    for name, links in (("site", site_links), ("docx", docx_links), ("pdf", pdf_links)):
        assert expected <= links, (name, sorted(expected - links))


def test_figure_numbers_and_references_agree_in_the_three_editions(sample, oracle):
    figures = oracle.figures()
    kinds = Counter(label.split()[0] for label, _, _ in figures)
    assert kinds["Figure"] >= 3 and kinds["Table"] >= 2 and kinds["Box"] >= 2
    expected = [f"{label}: {plain_quotes(text)}" for label, text, _ in figures]
    site = []
    for doc in oracle.site_pages():
        article = sample.read_site.article(readers.site_page(doc))
        site += [plain_quotes(squash(f.text())) for f in article.iter("figcaption")]
    assert site == expected
    styles = ("Image Caption", "Table Caption", "Box Title")
    docx = [plain_quotes(squash(p.text)) for p in sample.read_docx.document.paragraphs if p.style.name in styles]
    assert docx == expected
    pdf = sample.read_pdf
    first = pdf.named_destinations[oracle.documents[0].id]
    body = re.sub(r"[\s\u00ad-]", "", plain_quotes(" ".join(pdf.page_texts[first:])))
    position = 0
    for caption in expected:  # each caption printed whole, in order
        at = body.find(re.sub(r"[\s-]", "", caption), position)
        assert at >= 0, caption
        position = at + 1
    # References to them: the same labels, the same number of times, in each edition.
    references = Counter(text for text, _ in oracle.figure_references())
    assert sum(references.values()) >= 8
    links = readers.merge_link_runs(pdf, [link for link in pdf.links if link.page >= first])
    in_pdf = Counter(link.text for link in links if link.dest_page is not None and FIGURE_LABEL.fullmatch(link.text))
    in_docx = Counter(
        text for anchor, _, text in sample.read_docx.hyperlinks() if anchor and FIGURE_LABEL.fullmatch(text)
    )
    in_site = Counter()
    for doc in oracle.site_pages():
        article = sample.read_site.article(readers.site_page(doc))
        labels = (squash(a.text()) for a in readers.content_links(article))
        in_site.update(label for label in labels if FIGURE_LABEL.fullmatch(label))
    assert in_pdf == in_docx == in_site == references


def glossary_rows(root: Path) -> list[tuple[str, str]]:
    """(first column, second column) of the printed glossary, from glossary.yml as a reader sorts it."""
    entries = yaml.safe_load((root / "glossary.yml").read_text("utf-8"))["entries"]
    acronyms = sorted((e for e in entries if e.get("acronym")), key=lambda e: e["acronym"].casefold())
    terms = sorted((e for e in entries if not e.get("acronym")), key=lambda e: e["term"].casefold())
    return [
        (e["acronym"], e["term"] + (": " + squash(e["definition"]) if e.get("definition") else "")) for e in acronyms
    ] + [(e["term"], squash(e["definition"])) for e in terms]


def test_glossary_entries_agree_in_the_three_editions(sample):
    expected = [(a, plain_quotes(b)) for a, b in glossary_rows(sample.root)]
    assert len(expected) >= 20
    article = sample.read_site.article("annexes/08-glossary/index.html")
    site = [tuple(plain_quotes(squash(c.text())) for c in row.iter("td")) for row in article.iter("tr")]
    assert [row for row in site if row] == expected
    docx = sample.read_docx.document
    glossary = [table for table in docx.tables if table.rows[0].cells[0].text in ("Abbreviation", "Term")]
    assert len(glossary) == 2  # acronyms, then terms (the positions of members come after them)
    rows = [tuple(plain_quotes(squash(c.text)) for c in row.cells) for table in glossary for row in table.rows]
    assert [row for row in rows if row[0] not in ("Abbreviation", "Term")] == expected
    pdf = sample.read_pdf
    start = pdf.named_destinations["glossary"]
    printed = plain_quotes(squash(" ".join(pdf.page_texts[start : pdf.named_destinations["end--notes"]])))
    printed = printed.replace("\u00ad ", "").replace("\u00ad", "")
    for first, second in expected:
        assert first in printed and second.split()[0] in printed, first


def test_acronyms_are_spelt_out_at_first_use_and_explained_on_the_site(sample):
    terms = {
        e["acronym"]: e["term"]
        for e in yaml.safe_load((sample.root / "glossary.yml").read_text("utf-8"))["entries"]
        if e.get("acronym")
    }
    article = sample.read_site.article("chapters/01-introduction/index.html")
    abbrs = [(a.text(), a.attrs.get("title")) for a in article.iter("abbr")]
    assert ("UN", terms["UN"]) in abbrs and ("IGF", terms["IGF"]) in abbrs
    text = plain_quotes(squash(article.text()))
    assert text.count(f"{terms['UN']} (UN)") == 1  # once, at the first use in the chapter
    docx_text = sample.read_docx.text
    assert "Internet Governance Forum (IGF)" in docx_text
    # A use that opens a sentence is spelt out with a capital.
    assert "Information and communications technologies (ICTs) are named" in docx_text


# --- report check: the apparatus' mistakes, located ---------------------------------------------------

CH1 = "chapters/01-introduction.md"


def planted(tmp_path: Path, edits: list[tuple[str, str, str]]) -> list[str]:
    root = readers.copy_sample(tmp_path / "report")
    for rel, old, new in edits:
        path = root / rel
        text = path.read_text("utf-8")
        assert text.count(old) == 1, (rel, old)
        path.write_text(text.replace(old, new), "utf-8")
    result = run_report("check", "--root", str(root))
    assert "Traceback" not in result.output
    return [
        line
        for line in result.stdout.splitlines()
        if not line.endswith(("errors, 0 warnings", "warning")) or "[" in line
    ]


def line_of(rel: str, needle: str) -> int:
    lines = (readers.SAMPLE_ROOT / rel).read_text("utf-8").split("\n")
    return next(i for i, line in enumerate(lines, start=1) if needle in line)


@pytest.mark.parametrize(
    "edits, expected",
    [
        pytest.param(
            [(CH1, "[@sg-strategy-2018]", "[@sg-strategy-2019]")],
            "error [cite.unknown] no reference with the key 'sg-strategy-2019' in references.yml; "
            "did you mean 'sg-strategy-2018'?",
            id="unknown-key",
        ),
        pytest.param(
            [(CH1, "[[figure:timeline]]", "[[table:timeline]]")],
            "error [ref.kind] 'timeline' is a figure, not a table: write [[figure:timeline]]",
            id="wrong-kind",
        ),
        pytest.param(
            [(CH1, "[[figure:timeline]]", "[[figure:timelines]]")],
            "error [ref.unknown] no figure with id 'timelines'; did you mean 'timeline'?",
            id="unknown-figure",
        ),
        pytest.param(
            [(CH1, "## Composition {#composition}", "#### Composition {#composition}")],
            "error [heading.skip] this heading skips a level: '####' after '##'; use '###'",
            id="heading-skip",
        ),
    ],
)
def test_apparatus_mistakes_are_located(tmp_path, edits, expected):
    found = planted(tmp_path, edits)
    rel, old, _ = edits[0]
    assert any(f.startswith(f"{rel}:{line_of(rel, old)}:") and f.endswith(expected) for f in found), found


def test_an_escaped_at_sign_is_text_not_a_citation(tmp_path):
    """`\\@key` is the text "@key" to pandoc; after an escaped backslash, `\\\\@key` cites again."""
    found = planted(tmp_path, [(CH1, "[@sg-strategy-2018]", "[@sg-strategy-2018] (\\@no-such-work)")])
    assert found == []
    found = planted(tmp_path / "again", [(CH1, "[@sg-strategy-2018]", "[@sg-strategy-2018] (\\\\@no-such-work)")])
    assert any("[cite.unknown] no reference with the key 'no-such-work'" in f for f in found), found


def test_a_references_file_that_fails_its_schema_is_one_error_not_one_per_citation(tmp_path):
    """Its entries are left out whole; the citations of them are not each reported as unknown."""
    bad = '    URL: "javascript:alert(1)"\n    number: A/RES/217(III)'
    found = planted(tmp_path, [("references.yml", "    number: A/RES/217(III)", bad)])
    assert [f for f in found if "error" in f] == [
        "references.yml:9:1: error [schema] 'URL' of references entry 'a-res-217-iii' 'javascript:alert(1)' is "
        "not valid: it must be an http or https address"
    ], found


def test_unused_reference_and_undefined_acronym_are_located(tmp_path):
    root = readers.copy_sample(tmp_path / "report")
    refs = root / "references.yml"
    refs.write_text(
        refs.read_text("utf-8") + "  - id: never-cited\n    type: report\n    title: A report nobody cites\n"
        "    issued: 2019\n",
        "utf-8",
    )
    chapter = root / CH1
    chapter.write_text(chapter.read_text("utf-8") + "\nThe WTO took part as an observer.\n", "utf-8")
    result = run_report("check", "--root", str(root))
    lines = refs.read_text("utf-8").split("\n")
    at = lines.index("  - id: never-cited") + 1
    assert (
        f"references.yml:{at}:1: warning [cite.unused] the reference 'never-cited' is never cited: cite it "
        "with [@never-cited] where the text relies on it, or remove it"
    ) in result.stdout
    body = chapter.read_text("utf-8").split("\n")
    assert any(
        line.startswith(f"{CH1}:{len(body) - 1}:5: warning [glossary.undefined] 'WTO'")
        for line in result.stdout.splitlines()
    ), result.stdout


TITLE = 'title: "Transforming our world: the 2030 Agenda for Sustainable Development"'


def test_hostile_text_in_references_and_glossary_is_printed_as_text(tmp_path):
    """A title and a term holding markup of each edition: shown as written, run nowhere."""
    root = readers.copy_sample(tmp_path / "report")
    payload = '<script>window.__pwned=1</script> #pwn1 ](x) *pwn2* `pwn3` \\ $ #{"pwn4"}'
    refs = root / "references.yml"
    text = refs.read_text("utf-8")
    assert text.count(TITLE) == 1
    title = json.dumps(payload + " Transforming our world: the 2030 Agenda")
    refs.write_text(text.replace(TITLE, f"title: {title}"), "utf-8")
    glossary = root / "glossary.yml"
    glossary.write_text(
        glossary.read_text("utf-8").replace("    term: Internet of Things", f"    term: {json.dumps(payload)}", 1),
        "utf-8",
    )
    readers.commit_all(root)
    result = run_report("build", "--root", str(root))
    assert result.exit_code == 0, result.output
    site = root / "build" / "site"
    pages = "".join(p.read_text("utf-8") for p in site.rglob("*.html"))
    assert "<script>window.__pwned" not in pages and "window.__pwned=1" in pages.replace("&lt;", "<")
    assert browser.scan_site(site) == []
    document = python_docx.Document(str(root / "build" / "panel-report.docx"))
    texts = " ".join(p.text for p in document.paragraphs) + " ".join(
        c.text for t in document.tables for r in t.rows for c in r.cells
    )
    assert "<script>window.__pwned=1</script>" in texts


def test_notes_written_one_under_the_other_are_each_a_note(tmp_path):
    """Two note texts without a blank line between them are two notes (as pandoc reads them), not
    one: the check agrees with the engines and the report builds (a generated report has these)."""
    root = readers.copy_sample(tmp_path / "report")
    chapter = root / CH1
    chapter.write_text(
        chapter.read_text("utf-8") + "\nOne call.[^one] Another.[^two]\n\n[^one]: The first.\n[^two]: The second.\n",
        "utf-8",
    )
    result = run_report("check", "--root", str(root))
    assert "[note." not in result.stdout, result.stdout
    assert result.exit_code == 0, result.stdout
