"""The site's two editions, read back: the draft (DRAFT, the edition and its date on every page, the
workflow data kept) and the public site (`--final`: no owner, status, git name or progress anywhere,
an imprint on every page), both in the house style, measured in Chromium at desktop and phone widths.

Expected values are written out here (the banner's words, the imprint, the short navigation labels),
or are the house style's own inputs (`style.COLOURS`, the faces), never read from the site's code.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import re
import statistics
import subprocess
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest
import yaml
from PIL import Image
from playwright.sync_api import sync_playwright

import browser
import drafts
import readers
from reportkit import style
from reportkit.loader import load

SITE_URL = "https://un-digital-cooperation.github.io/panel-report/"
REPOSITORY = "https://github.com/un-digital-cooperation/panel-report"
AUTHOR = "High-level Panel on Digital Cooperation"
DRAFT_BANNER = "DRAFT Working draft 10 June 2019 not for citation or circulation"
PUBLIC_EDITION = "First edition"
PUBLIC_IMPRINT = [
    "© United Nations",
    "High-level Panel on Digital Cooperation, The Age of Digital Interdependence. First edition, 10 June 2019.",
    "How to cite: High-level Panel on Digital Cooperation, The Age of Digital Interdependence: Report of the UN "
    "Secretary-General's High-level Panel on Digital Cooperation. First edition, 10 June 2019. " + SITE_URL,
]
DRAFT_IMPRINT = [
    "© United Nations",
    "High-level Panel on Digital Cooperation, The Age of Digital Interdependence. Working draft, 10 June 2019.",
    "Draft: not for citation or circulation.",
]
# Whoever commits to the public fixture: a name and address that no page of the report contains.
GIT_NAME, GIT_EMAIL = "Gitta Workflowauthor", "gitta.workflowauthor@example.org"
WORKFLOW_WORDS = (
    "report-facts",
    "Owner:",
    "Status:",
    "Last updated",
    "progress/",
    ">Progress<",
    GIT_NAME,
    GIT_EMAIL,
    "Panel Secretariat",
)
DESKTOP = {"width": 1280, "height": 900}
WIDE = {"width": 1920, "height": 1080}
PHONE = {"width": 375, "height": 812}


# --------------------------------------------------------------------------------------------
# The editions: the session's draft build of the sample, and a public build of a finished copy
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def draft(tmp_path_factory) -> readers.SampleBuild:
    return readers.sample_build(tmp_path_factory)


def finished_copy(root: Path) -> Path:
    """The sample as it will be when published: every section agreed, every seat filled, no
    placeholder, no open point (what `--final` requires), committed by GIT_NAME on the sample's date."""
    readers.copy_sample(root)
    for path in [*root.glob("chapters/*.md"), *root.glob("recommendations/*.md"), *root.glob("annexes/*.md")]:
        head, sep, body = path.read_text("utf-8").partition("\n---\n")
        head = re.sub(r"(?m)^status: (draft|review)$", "status: agreed", head)
        head = re.sub(r"(?m)^placeholder: true\n?", "", head)
        path.write_text(head + sep + drafts.agree_marks(body), "utf-8")  # no open point left
    roster = yaml.safe_load((root / "roster.yml").read_text("utf-8"))
    for number, member in enumerate(roster["members"], 1):
        if member.pop("vacancy", False):
            member["name"], member["affiliation"] = f"Appointed Member {number}", f"Institution {number}"
    (root / "roster.yml").write_text(yaml.safe_dump(roster, allow_unicode=True, sort_keys=False), "utf-8")
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": GIT_NAME,
        "GIT_AUTHOR_EMAIL": GIT_EMAIL,
        "GIT_COMMITTER_NAME": GIT_NAME,
        "GIT_COMMITTER_EMAIL": GIT_EMAIL,
        "GIT_AUTHOR_DATE": readers.COMMIT_DATE,
        "GIT_COMMITTER_DATE": readers.COMMIT_DATE,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
    }
    (root / ".gitignore").write_text("build/\n.build*\n")
    for args in (
        ["init", "-q", "-b", "main"],
        ["add", "-A"],
        ["-c", "commit.gpgsign=false", "commit", "-q", "-m", "Final"],
    ):
        subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)
    return root


def build_public(root: Path, edition: str = PUBLIC_EDITION) -> Path:
    result = readers.run_report("build", "--root", str(root), "--final", "--edition", edition, "--formats", "html")
    assert result.exit_code == 0, result.output
    return root / "build" / "site"


@pytest.fixture(scope="module")
def public(tmp_path_factory) -> readers.Site:
    root = finished_copy(tmp_path_factory.mktemp("public") / "report")
    return readers.Site(build_public(root))


def texts(page: readers.Element, tag: str, cls: str) -> list[str]:
    return [readers.squash(e.text()) for e in page.iter(tag, cls)]


# --------------------------------------------------------------------------------------------
# The draft site
# --------------------------------------------------------------------------------------------


def test_draft_site_shows_draft_edition_and_date_on_every_page(draft):
    site = draft.read_site
    pages = site.html_files()
    assert "404.html" in pages and len(pages) >= 27
    for rel in pages:
        page = site.page(rel)
        assert texts(page, "p", "report-draft") == [DRAFT_BANNER], rel
        assert [t.attrs.get("datetime") for t in page.find("p", "report-draft").iter("time")] == ["2019-06-10"], rel
        assert texts(page, "div", "report-imprint") == [" ".join(DRAFT_IMPRINT)], rel
        assert page.find("html").attrs["lang"] == "en-GB", rel


def test_draft_site_keeps_the_workflow_data_out_of_the_page_text_and_search(draft):
    site, report = draft.read_site, draft.report
    assert (draft.site / "progress/index.html").is_file()
    index = json.loads((draft.site / "search/search_index.json").read_text("utf-8"))["docs"]
    for doc in report.documents:
        rel = readers.site_page(doc)
        facts = texts(site.article(rel), "p", "report-facts")
        assert (
            len(facts) == 1
            and facts[0].startswith("Owner: ")
            and facts[0].endswith("Last updated: 10 June 2019 by Panel Secretariat")
        ), rel
        url = rel[: -len("index.html")]
        entries = [e for e in index if e["location"].split("#")[0] == url]
        assert entries, url
        assert not any("Owner" in e["text"] or "Panel Secretariat" in e["text"] for e in entries), url


def test_draft_banner_shows_an_edition_name_as_text(tmp_path):
    root = readers.copy_sample(tmp_path / "report")
    with (root / "report.yml").open("a", encoding="utf-8") as settings:
        settings.write("paragraph_numbers: true\n")
    readers.commit_all(root)
    name = "Draft <img src=x onerror=\"alert('pwn605')\"> & {{ config }} #3"
    result = readers.run_report("build", "--root", str(root), "--edition", name, "--formats", "html")
    assert result.exit_code == 0, result.output
    site = readers.Site(root / "build" / "site")
    assert browser.scan_site(site.root) == []
    for rel in ("index.html", "404.html", "recommendations/help-desks/index.html"):
        assert texts(site.page(rel), "p", "report-draft") == [
            f"DRAFT {name} 10 June 2019 not for citation or circulation"
        ], rel
    # A draft numbers its paragraphs when report.yml asks: each section's count starts again at 1.
    numbers = texts(site.article("chapters/01-introduction/index.html"), "span", "para-num")
    assert numbers[0] == "1" and len(numbers) >= 5 and all(n.isdigit() for n in numbers), numbers


def test_navigation_labels_are_short(draft):
    page = draft.read_site.page("index.html")
    nav = page.find("nav", "md-nav--primary")
    labels = [readers.squash(a.text()) for a in nav.iter("a", "md-nav__link")]
    recs = [label for label in labels if re.match(r"\d[A-Z]? ", label)]  # chapters are "1. Introduction"
    assert recs == [
        "1A Affordable access",
        "1B Digital public goods",
        "1C Inclusive digital economy",
        "1D Inclusion metrics and data",
        "2 Capacity-building help desks",
        "3A Human rights review",
        "3B Accountable autonomous systems",
        "3C Ethics into standards",
        "4 Global commitment on trust",
        "5A Consultation on the architecture",
        "5B Flexible, interoperable governance",
    ]
    assert "Progress" in labels


# --------------------------------------------------------------------------------------------
# The public site
# --------------------------------------------------------------------------------------------


def test_public_site_shows_no_workflow_data_in_its_pages_or_search(public):
    assert not (public.root / "progress").exists()
    for path in sorted(public.root.rglob("*")):
        if path.suffix in (".html", ".json", ".xml"):
            text = path.read_text("utf-8")
            found = [w for w in WORKFLOW_WORDS if w in text]
            assert found == [], f"{path.relative_to(public.root)} holds {found}"
    index = json.loads((public.root / "search/search_index.json").read_text("utf-8"))["docs"]
    assert len(index) > 100 and not any(e["location"].startswith("progress") for e in index)


def test_public_site_names_no_owner_on_the_pages_they_own(public):
    """Owners' names appear only where the text itself names them (the roster annex prints every member)."""
    report = load(public.root.parents[1])
    for doc in report.documents:
        member = report.members.get(doc.owner or "")
        if member is None or doc.meta.get("roster") is True or member.name in doc.body:
            continue
        assert member.name not in readers.squash(public.article(readers.site_page(doc)).text()), doc.path


def test_public_recommendations_index_gives_label_and_title_only(public):
    article = public.article("recommendations/index.html")
    headers = {tuple(readers.squash(th.text()) for th in table.iter("th")) for table in article.iter("table")}
    assert headers == {("Label", "Recommendation")}


def test_public_site_has_no_edit_links_and_no_draft_mark(public):
    for rel in public.html_files():
        page = public.page(rel)
        assert [a for a in page.iter("a") if a.attrs.get("rel") == "edit"] == [], rel
        assert page.find(None, "md-banner") is None and "DRAFT" not in readers.squash(page.text()), rel


def test_public_site_carries_the_imprint_on_every_page(public):
    for rel in public.html_files():
        page = public.page(rel)
        imprint = page.find("div", "report-imprint")
        assert imprint is not None, rel
        assert [readers.squash(p.text()) for p in imprint.iter("p")] == PUBLIC_IMPRINT, rel
        assert page.find("html").attrs["lang"] == "en-GB", rel
        assert "Material for MkDocs" not in page.text(), rel


def test_public_sitemap_lists_every_page_at_the_published_address(public):
    locations = re.findall(r"<loc>([^<]+)</loc>", (public.root / "sitemap.xml").read_text("utf-8"))
    pages = [rel[: -len("index.html")] for rel in public.html_files() if rel.endswith("index.html")]
    assert len(pages) >= 25 and sorted(locations) == sorted(SITE_URL + rel for rel in pages)


def test_404_page_names_its_files_from_the_published_path(public):
    page = public.page("404.html")
    links = [e.attrs["href"] for e in page.iter("link") if e.attrs.get("rel") == "stylesheet"]
    links += [e.attrs["src"] for e in page.iter("script") if "src" in e.attrs]
    assert len(links) >= 4 and all(link.startswith("/panel-report/") for link in links), links
    assert all((public.root / link[len("/panel-report/") :]).is_file() for link in links), links


def test_imprint_takes_report_yml_and_shows_every_value_as_text(tmp_path):
    """report.yml's copyright and citation, an edition's name, a short title: text whatever they hold."""
    root = finished_copy(tmp_path / "report")
    settings = (root / "report.yml").read_text("utf-8")
    copyright_line = "© United Nations 2019 <img src=x onerror=alert('pwn601')>"
    citation = 'United Nations (2019), <script>alert("pwn602")</script> & "The Age"'
    settings += f"copyright: {json.dumps(copyright_line)}\ncitation: {json.dumps(citation)}\n"
    settings = settings.replace("\nfinal:\n", "\nfinal:\n  edit_links: true\n", 1)  # the sample's `final:` mapping
    assert "  edit_links: true\n" in settings
    (root / "report.yml").write_text(settings + "paragraph_numbers: true\n", "utf-8")
    rec = root / "recommendations" / "affordable-access.md"
    short = "<i onclick=alert('pwn603')>Access</i> & more"
    rec.write_text(
        rec.read_text("utf-8").replace("short_title: Affordable access", f"short_title: {json.dumps(short)}"), "utf-8"
    )
    readers.commit_all(root, "Odd values")
    edition = "Final <b onmouseover=\"alert('pwn604')\">edition</b> & more"
    site = readers.Site(build_public(root, edition))
    assert browser.scan_site(site.root) == []
    assert not any(site.page(rel).find("span", "para-num") for rel in site.html_files())  # drafts only
    for rel in site.html_files():
        imprint = [readers.squash(p.text()) for p in site.page(rel).find("div", "report-imprint").iter("p")]
        edition_line = f"{AUTHOR}, The Age of Digital Interdependence. {edition}, 10 June 2019."
        assert imprint == [copyright_line, edition_line, f"How to cite: {citation}"], rel
    nav = site.page("index.html").find("nav", "md-nav--primary")  # the theme's titles hold no angle bracket
    assert "1A ‹i onclick=alert('pwn603')›Access‹/i› & more" in [
        readers.squash(a.text()) for a in nav.iter("a", "md-nav__link")
    ]
    edit = [
        a.attrs["href"]
        for a in site.article("recommendations/affordable-access/index.html").iter("a")
        if a.attrs.get("rel") == "edit"
    ]
    assert edit == [f"{REPOSITORY}/edit/main/recommendations/affordable-access.md"]


# --------------------------------------------------------------------------------------------
# In Chromium: the house style measured, at desktop and phone widths
# --------------------------------------------------------------------------------------------

# Characters per line of each body paragraph of three lines or more (its last line left out):
# every character's box, grouped by the line it sits on.
LINE_LENGTHS = r"""
() => {
  const found = [];
  for (const p of document.querySelectorAll('article.md-typeset > p:not([class])')) {
    const lines = new Map();
    const walker = document.createTreeWalker(p, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (let i = 0; i < node.length; i++) {
        const range = document.createRange();
        range.setStart(node, i);
        range.setEnd(node, i + 1);
        const box = range.getClientRects()[0];
        if (box) lines.set(Math.round(box.top), (lines.get(Math.round(box.top)) || 0) + 1);
      }
    }
    const counts = [...lines.entries()].sort((a, b) => a[0] - b[0]).map(e => e[1]);
    if (counts.length >= 3) found.push(...counts.slice(0, -1));
  }
  return found;
}
"""

FONTS = r"""
async () => {
  await document.fonts.ready;
  return {
    check: [document.fonts.check('16px "Noto Serif"'), document.fonts.check('bold 16px "Noto Sans"')],
    loaded: [...document.fonts].filter(f => f.status === 'loaded').map(f => `${f.family} ${f.weight} ${f.style}`),
    body: getComputedStyle(document.querySelector('article.md-typeset > p:not([class])')).fontFamily,
    heading: getComputedStyle(document.querySelector('article.md-typeset h1')).fontFamily,
    headingColour: getComputedStyle(document.querySelector('article.md-typeset h1')).color,
  };
}
"""

# Every CSP violation a page meets, kept for the test to read.
CSP_WATCH = (
    "window.__csp = []; document.addEventListener('securitypolicyviolation', "
    "e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI), true);"
)


def rgb(hex_colour: str) -> str:
    value = hex_colour.lstrip("#")
    return "rgb({}, {}, {})".format(*(int(value[i : i + 2], 16) for i in (0, 2, 4)))


def dominant(path: Path) -> tuple[int, int, int]:
    """The most frequent colour of a screenshot."""
    image = Image.open(path).convert("RGB")
    return max(image.getcolors(image.width * image.height), key=lambda c: c[0])[1]


def near(colour: tuple[int, int, int], hex_colour: str, tolerance: int = 6) -> bool:
    value = hex_colour.lstrip("#")
    return all(abs(c - int(value[i : i + 2], 16)) <= tolerance for c, i in zip(colour, (0, 2, 4), strict=True))


@pytest.fixture(scope="module")
def chromium():
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=browser.find_chromium(), headless=True, args=browser.CHROMIUM_FLAGS
        )
        try:
            yield launched
        finally:
            launched.close()


@contextmanager
def tab(chromium, site: Path, viewport: dict):
    """A page of the site served on 127.0.0.1; what left the site and what failed are kept on it."""
    with browser.serve(site) as origin:
        context = chromium.new_context(viewport=viewport, service_workers="block")
        page = context.new_page()
        page.origin, page.left, page.failed, page.fonts = origin, [], [], []
        context.route(
            re.compile("^(?!" + re.escape(origin + "/") + ")"),
            lambda route: (page.left.append(route.request.url), route.abort()),
        )
        page.on("response", lambda r: page.failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
        page.on("response", lambda r: page.fonts.append(r.url) if r.url.endswith(".ttf") and r.ok else None)
        page.add_init_script(CSP_WATCH)
        try:
            yield page
        finally:
            context.close()


def open_page(page, rel: str) -> None:
    page.goto(browser.page_url(page.origin, rel), wait_until="load")
    page.evaluate("document.fonts.ready.then(() => true)")


@pytest.mark.parametrize("viewport", [DESKTOP, WIDE], ids=["1280", "1920"])
def test_body_text_runs_60_to_80_characters_a_line(chromium, public, viewport, tmp_path):
    with tab(chromium, public.root, viewport) as page:
        open_page(page, "chapters/02-leaving-no-one-behind/index.html")
        page.screenshot(path=tmp_path / "chapter.png")
        lengths = page.evaluate(LINE_LENGTHS)
    assert len(lengths) >= 20
    assert 60 <= statistics.median(lengths) <= 80, sorted(lengths)
    assert max(lengths) <= 90, sorted(lengths)


def test_site_uses_the_house_faces_and_colours_from_the_site_itself(chromium, draft):
    with tab(chromium, draft.site, DESKTOP) as page:
        open_page(page, "recommendations/affordable-access/index.html")
        fonts = page.evaluate(FONTS)
        csp = page.evaluate("window.__csp")
    assert fonts["check"] == [True, True]
    assert {"Noto Serif 400 normal", "Noto Sans 700 normal"} <= set(fonts["loaded"])
    assert fonts["body"].startswith('"Noto Serif"') and fonts["heading"].startswith('"Noto Sans"')
    assert fonts["headingColour"] == rgb(style.COLOURS["heading"])
    assert {Path(url).name for url in page.fonts} >= {"NotoSerif-Regular.ttf", "NotoSans-Bold.ttf"}
    assert all(url.startswith(page.origin + "/assets/house/fonts/") for url in page.fonts)
    assert page.left == [] and page.failed == [] and csp == []


def test_recommendation_box_and_draft_banner_are_drawn(chromium, draft, tmp_path):
    with tab(chromium, draft.site, DESKTOP) as page:
        open_page(page, "recommendations/affordable-access/index.html")
        box = page.locator("article .recommendation")
        assert box.count() == 1 and box.is_visible()
        assert (
            readers.squash(box.locator(".recommendation-statement").inner_text())
            == draft.report.by_id["affordable-access"].title
        )
        # As the PDF's box sets it: the set's name small and upper-case, the statement in the sans.
        set_name = box.locator(".recommendation-set")
        assert set_name.text_content() == "Set 1: An inclusive digital economy and society"
        assert set_name.inner_text() == "SET 1: AN INCLUSIVE DIGITAL ECONOMY AND SOCIETY"
        faces = box.evaluate("b => [...b.querySelectorAll('p')].map(p => getComputedStyle(p).fontFamily)")
        assert faces and all(face.startswith('"Noto Sans"') for face in faces), faces
        box.screenshot(path=tmp_path / "box.png")
        page.locator(".md-banner").screenshot(path=tmp_path / "banner.png")
        page.locator(".md-footer-meta").screenshot(path=tmp_path / "footer.png")
    assert near(dominant(tmp_path / "box.png"), style.COLOURS["box-fill"])
    assert near(dominant(tmp_path / "banner.png"), style.COLOURS["draft"])
    assert Image.open(tmp_path / "footer.png").width == DESKTOP["width"]  # the imprint's band spans the page


@pytest.mark.parametrize("edition", ["draft", "public"])
def test_recommendations_index_fits_a_phone(chromium, draft, public, edition, tmp_path):
    site = draft.site if edition == "draft" else public.root
    with tab(chromium, site, PHONE) as page:
        open_page(page, "recommendations/index.html")
        widths = page.evaluate("""() => ({page: document.documentElement.scrollWidth,
            tables: [...document.querySelectorAll('article table')].map(t => [t.scrollWidth,
                     t.getBoundingClientRect().right, t.parentElement.clientWidth])})""")
        page.screenshot(path=tmp_path / "index.png", full_page=True)
    assert widths["page"] <= PHONE["width"]
    assert len(widths["tables"]) == 5
    for scroll, right, room in widths["tables"]:
        assert scroll <= room and right <= PHONE["width"], widths
    assert Image.open(tmp_path / "index.png").width == PHONE["width"]


class _Pages(http.server.SimpleHTTPRequestHandler):
    """A site published at /panel-report/ as GitHub Pages serves it: its 404 page for any missing address."""

    def translate_path(self, path):
        return super().translate_path(
            "/" + path[len("/panel-report/") :] if path.startswith("/panel-report/") else "/no-such-file"
        )

    def send_error(self, code, message=None, explain=None):
        if code != 404:
            return super().send_error(code, message, explain)
        body = (Path(self.directory) / "404.html").read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):
        pass


def test_404_page_loads_its_styles_at_any_depth_of_the_published_site(chromium, public):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Pages, directory=str(public.root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    origin = f"http://127.0.0.1:{server.server_address[1]}"
    context = chromium.new_context(viewport=DESKTOP, service_workers="block")
    try:
        page, failed = context.new_page(), []
        page.on("response", lambda r: failed.append(r.url) if r.status >= 400 and "/no/such/" not in r.url else None)
        response = page.goto(origin + "/panel-report/no/such/page/", wait_until="load")
        assert response.status == 404
        colour = page.evaluate("getComputedStyle(document.querySelector('article h1')).color")
        footer = page.evaluate("getComputedStyle(document.querySelector('.md-footer-meta')).backgroundColor")
        sheets = page.evaluate("""[document.querySelectorAll('link[rel=stylesheet]').length,
                                   [...document.styleSheets].filter(s => s.href).length]""")
    finally:
        context.close()
        server.shutdown()
        server.server_close()
    assert failed == [] and sheets[0] >= 4 and sheets[0] == sheets[1]  # every style sheet loaded
    assert colour == rgb(style.COLOURS["heading"])
    assert footer != "rgba(0, 0, 0, 0)"
