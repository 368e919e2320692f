"""Which file the site publishes at which address: the report's pages, the generated pages, `web/`.

MkDocs decides each page's address from its file name; two sources with one address and one of
them silently vanishes (a recommendation named `index.md` would hide the recommendations index).
This plan is computed from the report alone, so the check finds such clashes before any build,
and the MkDocs plugin takes its list of generated pages and allowed `web/` files from here.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml

from .. import frontmatter, paths
from ..diagnostics import ERROR, Diagnostic
from ..model import Report
from .sanitize import browser_url
from .site_config import config_problems

RECOMMENDATIONS_INDEX = "recommendations/index.md"
PROGRESS = "progress.md"
POSITIONS = "positions.md"  # draft editions only
APPARATUS_CSS = "assets/apparatus.css"  # the apparatus' style sheet (style.apparatus_css)
DOWNLOADS = "downloads"
HOUSE = "assets/house"  # the house style sheet and its faces, which the report plugin publishes
# Addresses the theme, MkDocs' own plugins and the report plugin write.
THEME_OWNED = (
    "assets/javascripts/",
    "assets/stylesheets/",
    "search/",
    "404.html",
    "sitemap.xml",
    "sitemap.xml.gz",
    HOUSE + "/",
)
# What `web/` may hold: pages (sanitized like every page), styles, pictures and fonts. HTML, SVG and
# JavaScript files would be served as they are, outside the sanitizer: they are refused.
WEB_TYPES = frozenset(
    {".md", ".css", ".png", ".jpg", ".jpeg", ".gif", ".ico", ".webp", ".woff2", ".woff", ".ttf", ".otf", ".txt"}
)
MAX_WEB_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class SiteSettings:
    docs_dir: str  # relative to the root
    use_directory_urls: bool


class _TolerantLoader(yaml.SafeLoader):
    """Reads mkdocs.yml for two plain settings; a `!!python/name:` tag elsewhere is not our business."""


_TolerantLoader.add_multi_constructor("", lambda loader, suffix, node: None)


def settings(root: Path) -> SiteSettings | None:
    """docs_dir and use_directory_urls from mkdocs.yml, or None when the report has no site."""
    raw = paths.read_bytes(root, root / "mkdocs.yml", 1 << 20)
    if isinstance(raw, paths.Refusal):
        return None
    try:
        data = yaml.load(raw.decode("utf-8", "replace"), Loader=_TolerantLoader)  # noqa: S506 - safe subclass
    except yaml.YAMLError:
        return None  # MkDocs itself says what is wrong when the site is built
    if not isinstance(data, dict):
        return None
    docs_dir = str(data.get("docs_dir", "docs")).strip("/") or "docs"
    return SiteSettings(docs_dir, data.get("use_directory_urls", True) is not False)


def destination(src: str, use_directory_urls: bool) -> str:
    """The file MkDocs writes for a source path (index.md and README.md become index.html)."""
    if not src.endswith(".md"):
        return src
    parent, name = posixpath.split(src[:-3])
    if name == "README":
        name = "index"
    if not use_directory_urls or name == "index":
        return posixpath.join(parent, name + ".html")
    return posixpath.join(parent, name, "index.html")


def web_files(root: Path, site: SiteSettings) -> tuple[list[str], list[Diagnostic]]:
    """The files of `web/` the site may publish (relative to it), and why others are left out."""
    folder = root / site.docs_dir
    found, refused = paths.regular_files(root, folder)
    problems = [
        Diagnostic(
            path.relative_to(root).as_posix(),
            0,
            0,
            ERROR,
            "web.file" if why.code != "file.outside" else "file.outside",
            why.message
            if why.code != "file.outside"
            else "this file is a link to a place outside the repository; it is left out of the site",
        )
        for path, why in refused
    ]
    allowed = []
    for path in found:
        rel = path.relative_to(folder).as_posix()
        if any(part.startswith(".") for part in Path(rel).parts):
            continue  # MkDocs leaves hidden files out too
        if path.suffix.lower() not in WEB_TYPES:
            problems.append(
                Diagnostic(
                    path.relative_to(root).as_posix(),
                    0,
                    0,
                    ERROR,
                    "web.file",
                    f"'{path.suffix or path.name}' files are not published: the site takes "
                    "Markdown pages, CSS, images and fonts from "
                    f"{site.docs_dir}/ (HTML, SVG and scripts would bypass its sanitizer)",
                )
            )
        elif path.stat().st_size > MAX_WEB_BYTES:
            problems.append(
                Diagnostic(
                    path.relative_to(root).as_posix(), 0, 0, ERROR, "web.file", "this file is over the limit of 20 MiB"
                )
            )
        else:
            found_here = _WEB_TEXT_CHECKS.get(path.suffix.lower(), _nothing)(root, path)
            problems += found_here
            if not found_here:
                allowed.append(rel)
    return allowed, problems


_CSS_URL = re.compile(r"""url\(\s*(['"]?)(.*?)\1\s*\)|@import\s+(['"])(.*?)\3""", re.I | re.S)
_CSS_CODE = re.compile(r"expression\s*\(|javascript:|behavior\s*:|-moz-binding", re.I)


def _css_problems(root: Path, path: Path) -> list[Diagnostic]:
    """A style sheet may load only the site's own files: a remote font or image would tell a third
    party who reads, and old browsers run code from `expression()`."""
    raw = paths.read_bytes(root, path, MAX_WEB_BYTES)
    if isinstance(raw, paths.Refusal):
        return [Diagnostic(path.relative_to(root).as_posix(), 0, 0, ERROR, raw.code, raw.message)]
    text = raw.decode("utf-8", "replace")
    rel = path.relative_to(root).as_posix()
    found = []
    for m in _CSS_URL.finditer(text):
        url = browser_url(m.group(2) if m.group(2) is not None else m.group(4) or "")
        scheme = url.split(":", 1)[0].lower() if ":" in url.split("/", 1)[0] else ""
        if url.startswith("//") or (scheme and scheme != "data"):
            found.append(
                _css_at(
                    rel,
                    text,
                    m.start(),
                    f"'{url[:60]}' would load from outside the site: "
                    "put the file in web/ and refer to it by a relative path",
                )
            )
    for m in _CSS_CODE.finditer(text):
        found.append(_css_at(rel, text, m.start(), f"'{m.group(0)}' can run code in some browsers: remove it"))
    return found


def _page_problems(root: Path, path: Path) -> list[Diagnostic]:
    """A Markdown page of web/ as MkDocs reads it: UTF-8 text, and front matter (if any) that is valid
    YAML holding only what the theme shows as text (a `template` would pick a file to render)."""
    rel = path.relative_to(root).as_posix()
    raw = paths.read_bytes(root, path, MAX_WEB_BYTES)
    if isinstance(raw, paths.Refusal):
        return [Diagnostic(rel, 0, 0, ERROR, raw.code, raw.message)]
    text, problems = frontmatter.decode(raw, rel)
    if text is None or not text.startswith("---"):
        return problems
    parsed = frontmatter.split(text, rel)
    if parsed.data is None:
        return parsed.diagnostics
    found = []
    for key, value in parsed.data.items():
        rule = WEB_META.get(str(key))
        if rule is None or not rule[0](value):
            message = (
                rule[1]
                if rule
                else f"'{key}' is not allowed in a web page's front matter, which may hold title, description, "
                "hide and search"
            )
            found.append(Diagnostic(rel, parsed.key_lines.get(str(key), 1), 1, ERROR, "web.meta", message))
    return found


def _plain(value: object) -> bool:
    return isinstance(value, str) and not any(c in value for c in '<>"')


# A web page's front matter: what mkdocs-material shows as text, or uses to hide parts of the page.
_PLAIN_TEXT = "must be plain text, without '<', '>' or '\"' (the theme writes it into the page as it is)"
WEB_META: dict[str, tuple[Callable[[object], bool], str]] = {
    "title": (_plain, f"'title' {_PLAIN_TEXT}"),
    "description": (_plain, f"'description' {_PLAIN_TEXT}"),
    "hide": (
        lambda v: isinstance(v, list) and all(x in ("navigation", "toc", "footer") for x in v),
        "'hide' may list navigation, toc and footer",
    ),
    "search": (
        lambda v: isinstance(v, dict) and set(v) <= {"exclude"} and all(isinstance(x, bool) for x in v.values()),
        "'search' may hold only 'exclude: true' or 'exclude: false'",
    ),
}


def _nothing(root: Path, path: Path) -> list[Diagnostic]:
    return []


_WEB_TEXT_CHECKS = {".css": _css_problems, ".md": _page_problems}


def _css_at(rel: str, text: str, offset: int, message: str) -> Diagnostic:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return Diagnostic(rel, line, column, ERROR, "web.remote", message)


def sources(report: Report, web: list[str]) -> list[tuple[str, str]]:
    """(source as MkDocs sees it, the file in the repository it comes from) for every page and file."""
    site = [
        (RECOMMENDATIONS_INDEX, "the generated recommendations index"),
        (PROGRESS, "the generated progress page"),
        (POSITIONS, "the generated positions page"),
        (APPARATUS_CSS, "the generated style sheet"),
    ]
    site += [(doc.path, doc.path) for doc in report.documents]
    site += [(rel, rel) for rel in report.assets]
    docs_dir = settings(report.root)
    prefix = docs_dir.docs_dir + "/" if docs_dir else ""
    site += [(rel, prefix + rel) for rel in web]
    return site


def collisions(report: Report, site: SiteSettings, web: list[str]) -> list[Diagnostic]:
    """Two sources for one address, or a source at an address the theme writes."""
    seen: dict[str, str] = {}
    found = []
    for src, origin in sources(report, web):
        dest = destination(src, site.use_directory_urls)
        key = dest.casefold()
        where = origin if not origin.startswith("the generated") else src
        if key in seen and seen[key] != origin:
            other = seen[key]
            found.append(
                Diagnostic(
                    where,
                    0,
                    0,
                    ERROR,
                    "site.collision",
                    f"the site would publish this at '{dest}', where {other} is published already; rename the file",
                )
            )
        seen.setdefault(key, origin)
        if dest.startswith(THEME_OWNED) or dest in THEME_OWNED or dest.startswith(DOWNLOADS + "/"):
            found.append(
                Diagnostic(
                    where, 0, 0, ERROR, "site.collision", f"the site's own files live at '{dest}'; rename this file"
                )
            )
    return found


def problems(report: Report) -> list[Diagnostic]:
    """Everything the site plan finds wrong, for the check."""
    found = config_problems(report.root)
    site = settings(report.root)
    if site is None or any("docs_dir" in d.message for d in found):
        return found  # no site, or web/ is not where it should be: nothing there to judge
    web, more = web_files(report.root, site)
    from .site_links import problems as link_problems  # it reads the plan's sources

    return (
        found + more + collisions(report, site, web) + link_problems(report, site.docs_dir, web, sources(report, web))
    )
