"""The built site in a real browser: headless Chromium (Debian's) driven by Playwright, over HTTP on
127.0.0.1, with every request to anywhere else refused."""

from __future__ import annotations

import functools
import http.server
import json
import re
import threading
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import sync_playwright

from browser import find_chromium

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 15_000
# Nothing may leave 127.0.0.1: no fonts, no scripts, no repository statistics from GitHub's API.
ALLOWED_ELSEWHERE: set[str] = set()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the standard library's name
        pass


@pytest.fixture(scope="module")
def server(sample):
    """The site served by http.server on a free port of 127.0.0.1 for this module's tests."""
    handler = functools.partial(_QuietHandler, directory=str(sample.site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=find_chromium(), args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser, server):
    """A page that may load only from the local server; other requests are refused and recorded."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, service_workers="block")
    refused: list[str] = []

    def only_local(route):
        if route.request.url.startswith(server + "/"):
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort()

    context.route("**/*", only_local)
    tab = context.new_page()
    tab.set_default_timeout(TIMEOUT_MS)
    tab.refused = refused
    try:
        yield tab
    finally:
        context.close()


def distinctive_word(site, rec_id: str) -> str:
    """A word the search index holds for this recommendation's page and for no other page."""
    index = json.loads((site / "search/search_index.json").read_text("utf-8"))["docs"]
    own = f"recommendations/{rec_id}/"
    mine = " ".join(d["title"] + " " + d["text"] for d in index if d["location"].startswith(own)).lower()
    others = " ".join(d["title"] + " " + d["text"] for d in index if not d["location"].startswith(own)).lower()
    # The search stems words and matches prefixes: no other page may share even the word's stem.
    words = {w for w in re.findall(r"[a-z]{7,}", mine) if w[:-3] not in others}
    assert words, f"no word is {own}'s alone"
    return sorted(words, key=lambda w: (-len(w), w))[0]


def test_search_finds_a_recommendation_by_a_word_of_its_own(sample, server, page):
    doc = sample.report.by_id["help-desks"]
    word = distinctive_word(sample.site, doc.id)

    page.goto(server + "/")
    box = page.locator("input.md-search__input")
    box.click()
    box.press_sequentially(word, delay=20)
    results = page.locator("li.md-search-result__item > a.md-search-result__link")
    results.first.wait_for()

    hrefs = [urlsplit(a.get_attribute("href")) for a in results.all()]
    assert {h.path for h in hrefs} == {"/recommendations/help-desks/"}, (word, hrefs)
    assert page.locator(".md-search-result__meta").inner_text() == "1 matching document"
    # A recommendation's page is titled by its label; its statement follows in the box.
    assert page.locator(".md-search-result__article h1").first.inner_text() == doc.label
    assert {urlsplit(url).netloc for url in page.refused} <= ALLOWED_ELSEWHERE, page.refused


def test_cross_reference_opens_the_recommendation(sample, server, page):
    page.goto(server + "/chapters/02-leaving-no-one-behind/")
    page.locator("article a", has_text="Recommendation 1A").first.click()
    page.wait_for_url(server + "/recommendations/affordable-access/")
    assert page.locator("article h1").inner_text().rstrip("¶") == "Recommendation 1A"
    box = page.locator("article div.recommendation")
    # The set's name as written; the house style shows it upper-case, as the PDF does.
    assert box.locator("p.recommendation-set").text_content() == "Set 1: An inclusive digital economy and society"
    assert box.locator("p.recommendation-statement").inner_text().startswith("Commit to connecting every adult")
    assert page.locator("p.report-facts").inner_text().startswith("Owner: ")  # a draft shows its owner
    assert {urlsplit(url).netloc for url in page.refused} <= ALLOWED_ELSEWHERE, page.refused
