"""Which file the site publishes at which address: the report's pages, the generated pages, `web/`.

MkDocs decides each page's address from its file name; two sources with one address and one of
them silently vanishes (a recommendation named `index.md` would hide the recommendations index).
This plan is computed from the report alone, so the check finds such clashes before any build,
and the MkDocs plugin takes its list of generated pages and allowed `web/` files from here.
"""

from __future__ import annotations

import os
import posixpath
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from .. import paths
from ..diagnostics import ERROR, Diagnostic
from ..model import KIND_FOLDERS, Report
from .sanitize import browser_url

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
            found_here = _css_problems(root, path) if path.suffix.lower() == ".css" else []
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
    return found + more + collisions(report, site, web)


# -- mkdocs.yml: an allowlist of what the site's configuration may say ---------------------------
CONFIG = "mkdocs.yml"
CONFIG_KEYS = frozenset(
    {
        "site_name",
        "site_description",
        "site_author",
        "site_url",
        "copyright",
        "docs_dir",
        "site_dir",
        "use_directory_urls",
        "theme",
        "extra_css",
        "extra",
        "plugins",
        "markdown_extensions",
        "watch",
        "validation",
        "strict",
        "nav",
        "not_in_nav",
        "exclude_docs",
        "edit_uri",
        "dev_addr",
        "remote_branch",
        "remote_name",
    }
)
# Python-Markdown extensions the site may use; pymdownx.snippets (which includes any file it is
# given) and extensions configured through Python tags are not among them.
EXTENSIONS = frozenset(
    {
        "attr_list",
        "footnotes",
        "tables",
        "admonition",
        "smarty",
        "toc",
        "abbr",
        "def_list",
        "sane_lists",
        "md_in_html",
        "pymdownx.critic",
    }
)
PLUGINS = frozenset({"search", "report"})
THEME_KEYS = frozenset({"name", "language", "font", "features", "palette", "favicon", "logo", "icon"})
_PLAIN_TAGS = {f"tag:yaml.org,2002:{t}" for t in ("str", "int", "bool", "null", "float", "map", "seq")}


def config_problems(root: Path) -> list[Diagnostic]:
    """What mkdocs.yml says beyond the allowlist: each could make the site read or run something the
    report's checks never see (INHERIT of a file elsewhere, hooks, !ENV values, snippets, scripts)."""
    raw = paths.read_bytes(root, root / CONFIG, 1 << 20)
    if isinstance(raw, paths.Refusal):
        return [Diagnostic(CONFIG, 0, 0, ERROR, raw.code, raw.message)] if os.path.lexists(root / CONFIG) else []
    try:
        node = yaml.compose(raw.decode("utf-8", "replace"), Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        return [
            Diagnostic(
                CONFIG,
                mark.line + 1 if mark else 1,
                1,
                ERROR,
                "site.config",
                f"mkdocs.yml is not valid YAML: {getattr(exc, 'problem', exc)}",
            )
        ]
    if not isinstance(node, yaml.MappingNode):
        return [Diagnostic(CONFIG, 1, 1, ERROR, "site.config", "mkdocs.yml must be a set of fields")]
    found = _tags(node)
    for key, value in node.value:
        found += _config_entry(root, key.value, key, value)
    return found


def _at_node(node: yaml.Node, message: str) -> Diagnostic:
    return Diagnostic(CONFIG, node.start_mark.line + 1, node.start_mark.column + 1, ERROR, "site.config", message)


def _tags(node: yaml.Node) -> list[Diagnostic]:
    found, stack = [], [node]
    while stack:
        item = stack.pop()
        if item.tag not in _PLAIN_TAGS:
            found.append(
                _at_node(
                    item,
                    f"the tag '{item.tag}' is not allowed in mkdocs.yml: a value must be "
                    "written in the file, not taken from the environment or from Python",
                )
            )
        if isinstance(item, yaml.MappingNode):
            stack.extend(v for pair in item.value for v in pair)
        elif isinstance(item, yaml.SequenceNode):
            stack.extend(item.value)
    return found


def _names(value: yaml.Node) -> list[tuple[str, yaml.Node]]:
    """The names of a list of extensions or plugins, each a plain name or a one-key mapping."""
    if not isinstance(value, yaml.SequenceNode):
        return []
    names: list[tuple[str, yaml.Node]] = []
    for item in value.value:
        if isinstance(item, yaml.MappingNode) and item.value:
            names.append((str(item.value[0][0].value), item))
        elif isinstance(item, yaml.ScalarNode):
            names.append((str(item.value), item))
    return names


def _config_entry(root: Path, key: str, key_node: yaml.Node, value: yaml.Node) -> list[Diagnostic]:
    if key in ("repo_url", "repo_name"):
        return [
            _at_node(
                key_node,
                f"'{key}' is not allowed in mkdocs.yml: with it the theme asks GitHub for the "
                "repository's figures from every reader's browser; report.yml's `repository` gives "
                "the edit links",
            )
        ]
    if key not in CONFIG_KEYS:
        return [
            _at_node(
                key_node,
                f"'{key}' is not allowed in mkdocs.yml: the site's configuration may use "
                f"only {', '.join(sorted(CONFIG_KEYS))}",
            )
        ]
    if key == "markdown_extensions":
        return [
            _at_node(
                n, f"the Markdown extension '{name}' is not allowed; the site uses {', '.join(sorted(EXTENSIONS))}"
            )
            for name, n in _names(value)
            if name not in EXTENSIONS
        ]
    if key == "plugins":
        return [
            _at_node(n, f"the MkDocs plugin '{name}' is not allowed; the site uses {', '.join(sorted(PLUGINS))}")
            for name, n in _names(value)
            if name not in PLUGINS
        ]
    if key == "theme" and isinstance(value, yaml.MappingNode):
        return [
            _at_node(
                k, f"'theme.{k.value}' is not allowed: the site's templates and files come from the theme and web/ only"
            )
            for k, _ in value.value
            if k.value not in THEME_KEYS
        ]
    if key == "docs_dir" and isinstance(value, yaml.ScalarNode):
        return _docs_dir(root, str(value.value), value)
    if key == "extra_css" and isinstance(value, yaml.SequenceNode):
        return [
            _at_node(n, f"'{n.value}' must be a relative path to a style sheet in the site's folder")
            for n in value.value
            if not isinstance(n, yaml.ScalarNode) or _remote_or_absolute(str(n.value))
        ]
    return []


def _remote_or_absolute(path: str) -> bool:
    return ":" in path or path.startswith(("/", "\\")) or ".." in path.split("/")


def _docs_dir(root: Path, docs_dir: str, node: yaml.Node) -> list[Diagnostic]:
    target = root / docs_dir
    if _remote_or_absolute(docs_dir) or not paths.inside(root, target) or os.path.islink(target):
        return [_at_node(node, f"docs_dir '{docs_dir}' must be a folder of the repository itself (not a link)")]
    if docs_dir.strip("/") in ("", ".", *KIND_FOLDERS.values()):
        return [
            _at_node(
                node,
                f"docs_dir '{docs_dir}' must be a folder of its own, such as web/: the report's "
                "content comes to the site through the report plugin",
            )
        ]
    return []
