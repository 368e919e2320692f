"""Links in web/'s own pages, judged as MkDocs judges them in strict mode (mkdocs.yml's `validation`),
so that a broken one is found by the check at its line, never by the site build at mkdocs.yml:0.

A link from a web page may name another web page or file, or a report page as the site publishes it
(`chapters/01-introduction.md`, `recommendations/index.md`), with a heading anchor that page has;
an address with a scheme leaves the site and is the sanitizer's business, not MkDocs'.
"""

from __future__ import annotations

import posixpath
from pathlib import Path
from urllib.parse import unquote

from .. import frontmatter, paths
from ..diagnostics import ERROR, Diagnostic
from ..markdown import Scan, is_external, scan
from ..model import Report

MAX_PAGE_BYTES = 20 * 1024 * 1024


def problems(report: Report, docs_dir: str, web: list[str], sources: list[tuple[str, str]]) -> list[Diagnostic]:
    """Every link of a web page that MkDocs would warn about, located in the page."""
    pages = {rel: _read(report.root, f"{docs_dir}/{rel}")[1] for rel in web if rel.endswith(".md")}
    anchors: dict[str, set[str] | None] = {src: None for src, _ in sources}  # None: a file, or anchors unknown
    for doc in report.documents:
        anchors[doc.path] = set(doc.anchors)
    for rel, page in pages.items():
        anchors[rel] = {h.anchor for h in page.headings} if page else set()
    found = []
    for rel, page in pages.items():
        if page is None:
            continue
        for link in page.links:
            message = _judge(rel, link.target.strip(), link.image, anchors)
            if message:
                line, column = page.position(link.target_start)
                found.append(Diagnostic(f"{docs_dir}/{rel}", line, column, ERROR, "web.link", message))
    return found


def titles(root: Path, docs_dir: str, web: list[str]) -> list[tuple[str, str]]:
    """(title, page) for web/'s pages other than the home page, for the site's navigation: the front
    matter's title, else the first heading, else the file's name (plain text: the caller escapes it)."""
    found = []
    for rel in sorted(r for r in web if r.endswith(".md") and r != "index.md"):
        meta, page = _read(root, f"{docs_dir}/{rel}")
        title = meta.get("title") if isinstance(meta.get("title"), str) else None
        if not title and page is not None and page.headings:
            title = page.headings[0].text
        found.append((title or posixpath.splitext(posixpath.basename(rel))[0], rel))
    return found


def _read(root: Path, rel: str) -> tuple[dict, Scan | None]:
    """The page's front matter and its body, scanned (None when unreadable: site_plan reports why)."""
    raw = paths.read_bytes(root, root / rel, MAX_PAGE_BYTES)
    if isinstance(raw, paths.Refusal):
        return {}, None
    text, _ = frontmatter.decode(raw, rel)
    if text is None:
        return {}, None
    if not text.startswith("---"):
        return {}, scan(text)
    parsed = frontmatter.split(text, rel)
    if parsed.data is None:
        return {}, None
    return parsed.data, scan("\n" * (parsed.body_line - 1) + parsed.body)  # lines stay the file's


def _judge(page: str, target: str, image: bool, anchors: dict[str, set[str] | None]) -> str | None:
    """Why MkDocs would warn about this link, or None."""
    if not target or is_external(target):
        return None
    path, _, anchor = target.partition("#")
    path = unquote(path.split("?", 1)[0])
    if path.startswith("/"):
        return f"'{target}' is an absolute link: write the path from this page, such as chapters/01-introduction.md"
    if not path and not anchor:
        return None  # this very page
    if not path:
        known = anchors.get(page)
        return None if known is None or anchor in known else f"this page has no heading '#{anchor}'"
    # The site's addresses, not the repository's: paths.link_target would look for the file there.
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(page), path))
    if joined not in anchors:
        if image:
            return f"'{path}' is no file of the site: put the image in web/ and give its path from this page"
        return (
            f"'{path}' is no page or file of the site: link to a page by its Markdown file, such as "
            "chapters/01-introduction.md or recommendations/index.md"
        )
    known = anchors[joined]
    if anchor and known is not None and anchor not in known:
        return f"'{joined}' has no heading '#{anchor}'"
    return None
