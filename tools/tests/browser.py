"""The built site as a reader meets it: every page opened in a real Chromium, and every file read statically.

`visit_site(folder)` serves a built site on 127.0.0.1, opens each page (HTML, and any SVG or XHTML
document a reader could be linked to) in Debian's Chromium through Playwright, provokes the
handlers a reader could set off (hover, focus, the event each `on*` attribute names, clicks on
links whose scheme is not http or https), and returns every sign that something in the page ran
as code or reached beyond the site. `scan_site(folder)` reads every file with an HTML5 parser
(Lexbor, through selectolax) for the same things in executable position. Both return
`Violation`s, so a test asserts `== []` and pytest prints what was found, where.

Payloads in the hostile corpus mark themselves: they set `window.__pwned`, write `document.title`,
call `alert`, or load a URL on another host; each carries a token (`pwn` + digits) so a finding
names the case that caused it.
"""

from __future__ import annotations

import functools
import http.server
import logging
import posixpath
import re
import shutil
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar
from urllib.parse import quote, urlsplit

from playwright.sync_api import Error as PlaywrightError

log = logging.getLogger(__name__)

CHROMIUM_PACKAGE = "chromium"  # Debian's package; Playwright cannot download its own browser here
CHROMIUM_CANDIDATES = ("/usr/lib/chromium/chromium",)
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    # Belt and braces under the request routing: no name but 127.0.0.1 resolves, so nothing a page
    # does (DNS prefetch, a request the routing does not see) can leave the machine.
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
]
# Documents a browser runs scripts in when a reader opens them.
DOCUMENT_SUFFIXES = (".html", ".htm", ".xhtml", ".svg")
MARKER = re.compile(r"pwn", re.IGNORECASE)  # every payload's marker, and the prefix of its token
LOAD_TIMEOUT_MS = 15_000
SETTLE_MS = 150  # for handlers that fire just after load (ontoggle, SMIL onbegin, meta refresh)
TABS = 4  # documents loaded at once: the machine has 2 cores, and most of a load is waiting


@dataclass(frozen=True, order=True)
class Violation:
    page: str  # the site file, relative to the site's root ("" for the site as a whole)
    kind: str  # dialog, marker, request, navigation, popup, frame, csp, pageerror, console, ...
    detail: str


class ChromiumMissing(RuntimeError):
    pass


def find_chromium() -> str:
    """The system Chromium's executable; fails (no skip) with the package to install."""
    for candidate in (shutil.which("chromium"), *CHROMIUM_CANDIDATES):
        if candidate and Path(candidate).is_file():
            return candidate
    raise ChromiumMissing(
        f"no Chromium found (looked for `chromium` on PATH and {CHROMIUM_CANDIDATES[0]}): "
        f"install Debian's package with `apt-get install {CHROMIUM_PACKAGE}`"
    )


# --------------------------------------------------------------------------------------------
# Serving
# --------------------------------------------------------------------------------------------


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    extensions_map: ClassVar[dict[str, str]] = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".svg": "image/svg+xml",
        ".xhtml": "application/xhtml+xml",
        ".js": "text/javascript",
    }
    mount = "/"  # the site's own path (site_url's), where it also answers, as it does once published

    def translate_path(self, path):
        if self.mount != "/" and path.startswith(self.mount):
            path = "/" + path[len(self.mount) :]
        return super().translate_path(path)

    def log_message(self, format, *args):  # the standard library's names
        pass


def site_path(folder: Path) -> str:
    """The path a built site is published under (from its sitemap: site_url's path), "/" if none.
    The 404 page names the site's files from it, since it is served at any depth."""
    sitemap = folder / "sitemap.xml"
    found = re.search(r"<loc>\s*([^<\s]+)", sitemap.read_text("utf-8", "replace")) if sitemap.is_file() else None
    path = urlsplit(found.group(1)).path if found else "/"
    return path if path.endswith("/") else path + "/"


@contextmanager
def serve(folder: Path) -> Iterator[str]:
    """The folder over HTTP on a free port of 127.0.0.1, at "/" and at its published path;
    yields the origin ("http://127.0.0.1:PORT")."""
    handler = functools.partial(type("_Mounted", (_QuietHandler,), {"mount": site_path(folder)}), directory=str(folder))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


def site_documents(folder: Path) -> list[str]:
    """Every document of the site a reader could open, relative to its root, in a stable order."""
    return sorted(
        p.relative_to(folder).as_posix()
        for p in folder.rglob("*")
        if p.suffix.lower() in DOCUMENT_SUFFIXES and p.is_file()
    )


def page_url(origin: str, rel: str) -> str:
    """The address of a site file; a directory's index.html by its folder, as readers link to it."""
    if rel == "index.html" or rel.endswith("/index.html"):
        rel = rel[: -len("index.html")]
    return f"{origin}/{quote(rel, safe='/')}"


# --------------------------------------------------------------------------------------------
# What runs in every document before its own code
# --------------------------------------------------------------------------------------------

# The binding is captured in a closure so that a page which replaces window.__hsReport cannot
# silence the harness; a write to window.__pwned is reported the moment it happens (it survives a
# reload or a navigation that follows), and so is a script's write of a marked document.title.
INIT_SCRIPT = r"""
(() => {
  const report = window.__hsReport;
  const note = (kind, detail) => { try { report(kind, String(detail).slice(0, 400)); } catch (e) {} };
  let value;
  try {
    Object.defineProperty(window, '__pwned', {
      configurable: false,
      get() { return value; },
      set(v) { value = v; note('marker', 'window.__pwned = ' + v); },
    });
  } catch (e) { note('harness', 'cannot trap window.__pwned: ' + e); }
  const title = Object.getOwnPropertyDescriptor(Document.prototype, 'title');
  Object.defineProperty(Document.prototype, 'title', {
    configurable: true,
    get() { return title.get.call(this); },
    set(v) { if (/pwn/i.test(String(v))) note('marker', 'document.title = ' + v); title.set.call(this, v); },
  });
  document.addEventListener('securitypolicyviolation', (e) => {
    note('csp', e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline') +
         (e.sample ? ' (' + e.sample + ')' : ''));
  }, true);
  // A synthetic click sent by the harness must not follow a link: the handler still runs.
  window.addEventListener('click', (e) => { if (window.__hsProbing && !e.isTrusted) e.preventDefault(); }, true);
  window.addEventListener('submit', (e) => { if (!e.isTrusted || window.__hsProbing) e.preventDefault(); }, true);
})();
"""

# How a finding shows an element: its start tag (which carries the payload's token) and the id of
# the heading before it (which names the section it sits in), as the static reading does.
DESCRIBE = r"""
(el) => {
  const tag = el.outerHTML.slice(0, el.outerHTML.indexOf('>') + 1).slice(0, 400);
  if (el.closest('.footnote')) return tag + ' near #footnotes';
  let near = '';
  for (const h of document.querySelectorAll('h1[id], h2[id], h3[id], h4[id], h5[id], h6[id]')) {
    if (h.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING) near = h.id; else break;
  }
  return near ? tag + ' near #' + near : tag;
}
"""

# Marks every element with an `on*` attribute (any namespace, any case) and returns, for each,
# its description and the events those attributes name.
FIND_HANDLERS = (
    r"""
() => {
  const describe = """
    + DESCRIBE
    + r""";
  const found = [];
  for (const el of document.querySelectorAll('*')) {
    const events = [...el.attributes].map(a => a.name.toLowerCase()).filter(n => n.startsWith('on'))
      .map(n => n.slice(2));
    if (events.length) {
      found.push({element: describe(el), events});
      el.setAttribute('data-hs-probe', String(found.length - 1));
    }
  }
  return found;
}
"""
)

# Sends each named event to a marked element (a click cannot follow a link: see INIT_SCRIPT).
DISPATCH = r"""
([index, events]) => {
  const el = document.querySelector('[data-hs-probe="' + index + '"]');
  if (!el) return;
  window.__hsProbing = true;
  try {
    for (const type of new Set([...events, 'mouseover', 'mouseenter', 'focus', 'focusin', 'click'])) {
      try { el.dispatchEvent(new Event(type, {bubbles: true, cancelable: true})); } catch (e) {}
    }
    try { el.focus && el.focus(); } catch (e) {}
  } finally { window.__hsProbing = false; }
}
"""

# Links a click would take somewhere other than an http(s) address: javascript:, data:, vbscript:
# and anything a browser parses out of entities, tabs or odd case in the href.
FIND_ODD_LINKS = (
    r"""
() => {
  const describe = """
    + DESCRIBE
    + r""";
  const found = [];
  for (const el of document.querySelectorAll('a, area')) {
    const raw = el.getAttribute('href') ?? el.getAttribute('xlink:href') ??
                el.getAttributeNS('http://www.w3.org/1999/xlink', 'href');
    if (raw === null) continue;
    let protocol;
    try { protocol = new URL(raw, document.baseURI).protocol; } catch (e) { continue; }
    if (protocol !== 'http:' && protocol !== 'https:') {
      found.push(describe(el));
      el.setAttribute('data-hs-link', String(found.length - 1));
    }
  }
  return found;
}
"""
)

CLICK_LINK = r"""
(index) => {
  const el = document.querySelector('[data-hs-link="' + index + '"]');
  if (!el) return;
  if (typeof el.click === 'function') el.click();
  else el.dispatchEvent(new MouseEvent('click', {bubbles: true, cancelable: true}));
}
"""


# What a loaded document holds: its elements with handlers (marked), its links to odd schemes
# (marked), and the marker's value.
INSPECT = (
    "() => ({handlers: (" + FIND_HANDLERS + ")(), links: (" + FIND_ODD_LINKS + ")(), "
    "pwned: (() => { try { return String(window.__pwned ?? ''); } catch (e) { return ''; } })()})"
)


# --------------------------------------------------------------------------------------------
# The visit
# --------------------------------------------------------------------------------------------


class _Recorder:
    """Collects findings from Playwright's events, each attributed to the document its tab shows."""

    def __init__(self, origin: str):
        self.origin = origin
        self.showing: dict[object, str] = {}  # tab -> the document it was sent to
        self.violations: list[Violation] = []
        self.console: list[tuple[str, str, str]] = []  # (page, type, text): context for a failure
        self.opening = False  # the harness is opening a tab itself (not a popup)

    def add(self, page: str, kind: str, detail: str) -> None:
        found = Violation(page, kind, detail[:500])
        if found not in self.violations:
            self.violations.append(found)

    def of(self, tab) -> str:
        return self.showing.get(tab, "")

    def is_local(self, url: str) -> bool:
        return url.startswith(self.origin + "/")

    def on_route(self, route) -> None:
        """Only requests for other hosts are routed here (see `local_only`): record and refuse."""
        request = route.request
        try:
            page = self.of(request.frame.page)
        except PlaywrightError:  # a worker's request has no frame
            page = ""
        self.add(page, "request", f"{request.resource_type} {request.url}")
        if request.is_navigation_request():
            self.add(page, "navigation", f"the page tried to go to {request.url}")
        route.abort()

    def on_binding(self, source, kind: str, detail: str) -> None:
        self.add(self.of(source.get("page")), kind, detail)

    def new_tab(self, context):
        self.opening = True
        try:
            tab = context.new_page()
        finally:
            self.opening = False
        tab.set_default_timeout(LOAD_TIMEOUT_MS)
        tab.on("console", lambda message: self._console(tab, message))
        tab.on("dialog", lambda dialog: self._dialog(tab, dialog))
        tab.on("pageerror", lambda error: self.add(self.of(tab), "pageerror", str(error)))
        tab.on("framenavigated", lambda frame: self._navigated(tab, frame))
        tab.on(
            "frameattached",
            lambda frame: self.add(self.of(tab), "frame", f"a frame was attached ({frame.name or frame.url})"),
        )
        tab.on("websocket", lambda ws: self.add(self.of(tab), "websocket", ws.url))
        tab.on("download", lambda download: self.add(self.of(tab), "download", download.url))
        return tab

    def on_page(self, tab) -> None:
        if not self.opening:
            opener = tab.opener()
            self.add(self.of(opener) if opener else "", "popup", f"a new window opened at {tab.url}")
            tab.close()

    def _console(self, tab, message) -> None:
        self.console.append((self.of(tab), message.type, message.text))
        if MARKER.search(message.text):
            self.add(self.of(tab), "console", f"{message.type}: {message.text}")

    def _dialog(self, tab, dialog) -> None:
        self.add(self.of(tab), "dialog", f"{dialog.type}: {dialog.message}")
        try:  # accepting a beforeunload dialog lets the harness move on to the next page
            dialog.accept() if dialog.type == "beforeunload" else dialog.dismiss()
        except PlaywrightError:  # the page went away while the dialog was open
            log.info("could not close a %s dialog on %s", dialog.type, self.of(tab))

    def _navigated(self, tab, frame) -> None:
        if frame.parent_frame is None and not self.is_local(frame.url) and frame.url != "about:blank":
            self.add(self.of(tab), "navigation", f"the page went to {frame.url}")


def _provoke(tab, recorder: _Recorder, found: dict) -> None:
    """Set off what a reader could: hover and focus each element with a handler, then send it the
    events its handlers name; click each link that leads to a non-http(s) address."""
    page = recorder.of(tab)
    for index, handler in enumerate(found["handlers"]):
        recorder.add(page, "handler", f"on{', on'.join(handler['events'])}: {handler['element']}")
        probe = tab.locator(f'[data-hs-probe="{index}"]').first
        for action, extra in ((probe.hover, {"force": True}), (probe.focus, {})):
            try:
                action(timeout=300, **extra)
            except PlaywrightError as exc:  # hidden, detached or covered: the synthetic events still reach it
                log.debug("%s on %s: %s", action.__name__, handler["element"], exc)
        tab.evaluate(DISPATCH, [index, handler["events"]])
    for index, link in enumerate(found["links"]):
        recorder.add(page, "link", f"clicked {link}")
        try:
            tab.evaluate(CLICK_LINK, index)
        except PlaywrightError as exc:  # the click replaced the document: the trap has reported already
            log.info("clicking %s on %s: %s", link, page, exc)


def _inspect(tab, recorder: _Recorder, provoke: bool) -> bool:
    """Read the marker; with provoke, set off handlers and odd links first. True when it provoked."""
    page = recorder.of(tab)
    try:
        if not recorder.is_local(tab.url):
            return False
        found = tab.evaluate(INSPECT)
        if found["pwned"]:
            recorder.add(page, "marker", f"window.__pwned is {found['pwned']}")
        if provoke and (found["handlers"] or found["links"]):
            _provoke(tab, recorder, found)
            return True
    except PlaywrightError as exc:  # a navigation the page started itself
        recorder.add(page, "navigation", f"the page could not be inspected: {str(exc).splitlines()[0]}")
    return False


def _visit_batch(tabs: list, recorder: _Recorder, batch: list[str]) -> None:
    """Load a few documents at once (one per tab), then inspect and provoke each."""
    loading = []
    for tab, rel in zip(tabs, batch, strict=False):  # the last batch may be short
        recorder.showing[tab] = rel
        try:
            tab.goto(page_url(recorder.origin, rel), wait_until="commit")
            loading.append(tab)
        except PlaywrightError as exc:
            recorder.add(rel, "navigation", f"the visit did not start: {str(exc).splitlines()[0]}")
    for tab in loading:
        try:
            tab.wait_for_load_state("load")
        except PlaywrightError as exc:
            recorder.add(recorder.of(tab), "navigation", f"the page did not load: {str(exc).splitlines()[0]}")
    tabs[0].wait_for_timeout(SETTLE_MS)
    provoked = [tab for tab in loading if _inspect(tab, recorder, provoke=True)]
    if provoked:
        tabs[0].wait_for_timeout(SETTLE_MS)
        for tab in provoked:
            _inspect(tab, recorder, provoke=False)


def _search(tab, recorder: _Recorder, terms: tuple[str, ...]) -> None:
    """Type each term into the site's search box and open every result group: the results are
    written from the search index, a copy of the text that the pages' own escaping does not cover."""
    recorder.showing[tab] = "index.html (search)"
    tab.goto(page_url(recorder.origin, "index.html"), wait_until="load")
    box = tab.locator("input.md-search__input")
    for term in terms:
        box.fill("")
        box.press_sequentially(term, delay=10)
        try:
            tab.locator(".md-search-result__meta").wait_for(timeout=LOAD_TIMEOUT_MS)
        except PlaywrightError as exc:
            recorder.add("index.html (search)", "search", f"no results for {term!r}: {str(exc).splitlines()[0]}")
            continue
        tab.wait_for_timeout(SETTLE_MS)
        more = tab.locator(".md-search-result__more summary")
        for index in range(more.count()):
            try:
                more.nth(index).click(timeout=300)
            except PlaywrightError as exc:  # already open, or hidden behind another
                log.debug("opening a group of search results: %s", exc)
        found = tab.evaluate(INSPECT)
        if found["pwned"]:
            recorder.add("index.html (search)", "marker", f"window.__pwned is {found['pwned']}")
        if found["handlers"] or found["links"]:
            _provoke(tab, recorder, found)
        tab.wait_for_timeout(SETTLE_MS)


@dataclass
class Visit:
    violations: list[Violation]
    pages: list[str]  # the documents visited
    console: list[tuple[str, str, str]]  # every console message: (page, type, text)


def visit_site(folder: Path, pages: list[str] | None = None, search: tuple[str, ...] = ()) -> Visit:
    """Open every document of a built site (or the given ones) in Chromium, then search the site
    for each term of `search`; report what ran or left the site."""
    from playwright.sync_api import sync_playwright

    executable = find_chromium()
    pages = site_documents(folder) if pages is None else pages
    assert pages, f"{folder} holds no page to visit"
    with (
        serve(folder) as origin,
        tempfile.TemporaryDirectory(prefix="hs-profile-") as profile,
        sync_playwright() as playwright,
    ):
        recorder = _Recorder(origin)
        context = playwright.chromium.launch_persistent_context(
            profile,
            executable_path=executable,
            headless=True,
            args=CHROMIUM_FLAGS,
            service_workers="block",
            viewport={"width": 1280, "height": 900},
            accept_downloads=False,
        )
        try:
            context.expose_binding("__hsReport", recorder.on_binding)
            context.add_init_script(INIT_SCRIPT)
            # Matched inside the browser, so the site's own requests are not paused for Python.
            context.route(re.compile("^(?!" + re.escape(origin + "/") + ")"), recorder.on_route)
            context.on("page", recorder.on_page)
            tabs = [recorder.new_tab(context) for _ in range(TABS)]
            for blank in context.pages:  # the window a persistent context opens with
                if blank not in tabs:
                    blank.close()
            for start in range(0, len(pages), TABS):
                _visit_batch(tabs, recorder, pages[start : start + TABS])
            if search:
                _search(tabs[0], recorder, search)
        finally:
            context.close()
    # "handler" and "link" are what the harness provoked, not harm in themselves; they are kept
    # when something else happened on the same page, to say what set it off.
    harmful = {v.page for v in recorder.violations if v.kind not in ("handler", "link")}
    kept = [v for v in recorder.violations if v.kind not in ("handler", "link") or v.page in harmful]
    return Visit(sorted(kept), pages, recorder.console)


# --------------------------------------------------------------------------------------------
# The static reading: every file of the site, every page through an HTML5 parser
# --------------------------------------------------------------------------------------------

URL_ATTRIBUTES = {
    "href",
    "src",
    "action",
    "formaction",
    "xlink:href",
    "data",
    "srcset",
    "poster",
    "background",
    "cite",
    "ping",
    "codebase",
    "longdesc",
    "lowsrc",
    "dynsrc",
    "manifest",
    "icon",
    "usemap",
    "archive",
    "classid",
    "imagesrcset",
}
CODE_SCHEMES = ("javascript:", "vbscript:", "data:")
# Attributes whose URL the browser fetches by itself, with no click.
LOADING_ATTRIBUTES = {
    "src",
    "srcset",
    "poster",
    "background",
    "data",
    "lowsrc",
    "dynsrc",
    "imagesrcset",
    "codebase",
    "archive",
    "classid",
}
LOADING_HREF_TAGS = {"link", "use", "image", "feimage", "script"}
FORBIDDEN_TAGS = {"iframe", "frame", "frameset", "object", "embed", "applet", "base", "portal", "fencedframe"}
THEME_SCRIPTS = "assets/javascripts/"
# Where mkdocs-material writes its inline scripts: <head>, <body>, and the main grid (the one that
# opens a content tab named in the address). Anything deeper, in the article, came from the text.
THEME_SCRIPT_PARENTS = {"head", "body", "div.md-main__inner"}
REMOTE_CSS = re.compile(r"(?:url\(\s*['\"]?|@import\s+['\"])\s*((?:[a-z][a-z0-9+.-]*:)?//[^'\")\s]*)", re.IGNORECASE)


def normalise_url(value: str) -> str:
    """A URL attribute as the URL parser reads it: C0 controls and spaces trimmed, tabs and newlines
    removed anywhere, backslashes read as slashes (as for http URLs), lower case."""
    value = value.strip("".join(chr(c) for c in range(0x21)))
    return re.sub(r"[\t\n\r]", "", value).replace("\\", "/").lower()


def _is_remote(url: str) -> bool:
    url = normalise_url(url)
    return url.startswith("//") or bool(re.match(r"[a-z][a-z0-9+.-]*://", url))


def _srcset_urls(value: str) -> list[str]:
    return [part.strip().split()[0] for part in value.split(",") if part.strip()]


def describe(tag: str, attrs: dict[str, str], near: str) -> str:
    """An element as a finding shows it: its start tag (so the payload's token is in it) and the
    id of the heading before it, which names the section it sits in."""
    shown = " ".join(f"{k}={v[:160]!r}" for k, v in attrs.items())
    return f"<{tag}{' ' + shown if shown else ''}>"[:400] + (f" near #{near}" if near else "")


def _scan_attributes(rel: str, tag: str, attrs: dict[str, str], where: str, found: list[Violation]) -> None:
    for name, value in attrs.items():
        if name.startswith("on"):
            found.append(Violation(rel, "handler-attribute", where))
        if name == "style" and REMOTE_CSS.search(value):
            found.append(Violation(rel, "remote-resource", where))
        if name == "srcdoc":
            found.append(Violation(rel, "srcdoc", where))
        if tag == "link" and name == "href" and attrs.get("rel", "").strip().lower() == "canonical":
            continue  # the page's published address (site_url): a name, which no browser fetches
        if name in URL_ATTRIBUTES or name.endswith(":href"):
            for url in _srcset_urls(value) if name.endswith("srcset") else [value]:
                if normalise_url(url).startswith(CODE_SCHEMES):
                    found.append(Violation(rel, "code-url", where))
                elif _is_remote(url) and (
                    name in LOADING_ATTRIBUTES or name.endswith("href") and tag in LOADING_HREF_TAGS
                ):
                    found.append(Violation(rel, "remote-resource", where))
        elif normalise_url(value).startswith(("javascript:", "vbscript:")):  # SVG animation values
            found.append(Violation(rel, "code-url", where))


def _scan_element(
    rel: str, node, tag: str, attrs: dict[str, str], where: str, found: list[Violation], base: str = "/"
) -> None:
    parent = node.parent.tag.lower() if node.parent is not None else ""
    refresh = tag == "meta" and (parent != "head" or attrs.get("http-equiv", "").lower() in ("refresh", "set-cookie"))
    if tag in FORBIDDEN_TAGS or refresh:
        found.append(Violation(rel, "forbidden-element", where))
    elif tag == "link" and parent != "head":
        found.append(Violation(rel, "forbidden-element", "outside <head>: " + where))
    elif tag == "form" and attrs.get("action", "").strip():
        found.append(Violation(rel, "form-action", where))
    elif tag == "script":
        _scan_script(rel, node, parent, attrs, where, found, base)
    elif tag == "style" and REMOTE_CSS.search(node.text(deep=True) or ""):
        found.append(Violation(rel, "remote-resource", f"<style> {(node.text(deep=True) or '')[:200]} {where}"))


def _scan_script(
    rel: str, node, parent: str, attrs: dict[str, str], where: str, found: list[Violation], base: str = "/"
) -> None:
    """Only the theme's scripts: inline ones where the theme writes them, external ones from its folder.
    A root-relative address is read from the site's published path (`base`), as the 404 page's are."""
    if "src" in attrs:
        src = attrs["src"]
        if src.startswith(base):
            folder, src = "", src[len(base) :]
        else:
            folder = "" if src.startswith("/") else posixpath.dirname(rel)
        target = posixpath.normpath(posixpath.join(folder, src.lstrip("/")))
        if _is_remote(src) or not target.startswith(THEME_SCRIPTS):
            found.append(Violation(rel, "script", f"not one of the theme's: {where}"))
        return
    text = node.text(deep=True) or ""
    classes = (node.parent.attributes.get("class") or "").split() if node.parent is not None else []
    if parent not in THEME_SCRIPT_PARENTS and not any(f"{parent}.{c}" in THEME_SCRIPT_PARENTS for c in classes):
        found.append(Violation(rel, "script", f"inline, inside <{parent}>: {text[:200]!r} {where}"))
    elif MARKER.search(text):
        found.append(Violation(rel, "script", f"inline, with a payload: {text[:200]!r} {where}"))


HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}


def scan_page(rel: str, html: str, base: str = "/") -> list[Violation]:
    """Everything in one document that would run, load from elsewhere, or change where links go."""
    from selectolax.lexbor import LexborHTMLParser

    found: list[Violation] = []
    tree = LexborHTMLParser(html)
    near = ""
    for node in tree.root.traverse(include_text=False) if tree.root is not None else ():
        if not isinstance(node.tag, str) or node.tag.startswith(("-", "#", "!", "_")):
            continue
        tag = node.tag.lower()
        attrs = {k.lower(): (v or "") for k, v in (node.attributes or {}).items()}
        if tag in HEADINGS and attrs.get("id"):
            near = attrs["id"]
        elif tag == "div" and "footnote" in attrs.get("class", "").split():
            near = "footnotes"  # the notes of every section gather at the end of the page
        where = describe(tag, attrs, near)
        _scan_attributes(rel, tag, attrs, where, found)
        _scan_element(rel, node, tag, attrs, where, found, base)
    return found


def scan_site(folder: Path, secrets: tuple[bytes, ...] = (), forbidden: tuple[str, ...] = ()) -> list[Violation]:
    """Every file of a built site: pages parsed, documents and scripts only where the theme puts
    them, no remote URL in a stylesheet, no file named in `forbidden`, no byte string of `secrets`."""
    found: list[Violation] = []
    base = site_path(folder)
    for path in sorted(p for p in folder.rglob("*") if p.is_file() or p.is_symlink()):
        rel = path.relative_to(folder).as_posix()
        if path.is_symlink():
            found.append(Violation(rel, "symlink", f"a link to {path.readlink()}"))
        if not path.is_file():
            continue
        data = path.read_bytes()
        found += [Violation(rel, "secret", f"holds {s.decode(errors='replace')!r}") for s in secrets if s in data]
        suffix = path.suffix.lower()
        if rel in forbidden:
            found.append(Violation(rel, "copied", "a file the report's web/ folder must not publish"))
        if suffix in (".html", ".htm", ".svg", ".xhtml"):  # the HTML5 parser reads SVG's elements too
            found += scan_page(rel, data.decode("utf-8", errors="replace"), base)
        elif suffix in (".js", ".mjs") and not rel.startswith(THEME_SCRIPTS):
            found.append(Violation(rel, "script-file", "a script outside the theme's folder"))
        elif suffix == ".css":
            found += [
                Violation(rel, "remote-resource", m.group(0)[:200])
                for m in REMOTE_CSS.finditer(data.decode("utf-8", errors="replace"))
            ]
    return found
