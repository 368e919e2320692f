"""What reaches a reader's browser: values escaped as text, and one allowlist sanitizer on every page.

Values from front matter, the roster, report.yml, git or the command line are never spliced in as
Markdown or HTML (`markdown.md_text` writes them as text). Then every page the site serves goes
through `clean`,
nh3 (Rust's ammonia, an HTML5 parser) with only the tags, attributes and URL schemes the report
needs; whatever the Markdown produced, nothing outside that list survives. `audit` reads the finished
page as a browser would and fails the build if anything executable is left where it should not be.
"""

from __future__ import annotations

import hashlib
import html
import logging
import re
from dataclasses import dataclass

log = logging.getLogger(__name__)

# -- the allowlist -----------------------------------------------------------------------------

TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "caption",
    "cite",
    "code",
    "col",
    "colgroup",
    "dd",
    "del",
    "details",
    "div",
    "dl",
    "dt",
    "em",
    "figcaption",
    "figure",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "ins",
    "kbd",
    "li",
    "mark",
    "ol",
    "p",
    "pre",
    "q",
    "s",
    "small",
    "span",
    "strong",
    "sub",
    "summary",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "time",
    "tr",
    "u",
    "ul",
}
GENERIC_ATTRIBUTES = {
    "id",
    "class",
    "title",
    "lang",
    "dir",
    "role",
    "aria-label",
    "aria-hidden",
    "aria-describedby",
    "aria-labelledby",
}
ATTRIBUTES = {
    "a": {"href", "rel"},
    "img": {"src", "alt", "width", "height", "loading"},
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "align", "scope"},
    "col": {"span"},
    "ol": {"start", "type", "reversed"},
    "li": {"value"},
    "abbr": {"title"},
    "time": {"datetime"},
    "ins": {"datetime", "cite"},
    "del": {"datetime", "cite"},
    "details": {"open"},
}
URL_SCHEMES = {"http", "https", "mailto"}
_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):")
_URL_NAMES = {"href", "src", "cite"}


def browser_url(value: str) -> str:
    """A URL as a browser reads it: entities decoded, tabs and newlines removed anywhere, spaces and
    controls trimmed, backslashes taken for slashes (`\\\\host` is `//host`)."""
    value = re.sub(r"[\t\n\r]", "", html.unescape(value)).strip(
        "\x00\x01\x02\x03\x04\x05\x06\x07\x08"
        "\x0b\x0c\x0e\x0f\x10\x11\x12\x13\x14\x15"
        "\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f "
    )
    return value.replace("\\", "/")


def _attribute_filter(tag: str, name: str, value: str) -> str | None:
    """A second look at every URL nh3 kept, as the browser will read it: ammonia takes a URL it
    cannot parse (`java\tscript:`) for a relative one, which the browser does not."""
    if name not in _URL_NAMES:
        return value
    url = browser_url(value)
    scheme = _SCHEME.match(url.lower())
    if scheme and scheme.group(1) not in URL_SCHEMES:
        return None
    # An image must come from the site itself: a remote one would tell a third party who reads.
    if tag == "img" and (scheme or url.startswith("//")):
        return None
    return value


def clean(fragment: str) -> str:
    """The HTML of a page's content, with everything not on the allowlist removed."""
    import nh3  # the site build and the check's preview need it, nothing else

    return nh3.clean(
        fragment,
        tags=TAGS,
        attributes={"*": GENERIC_ATTRIBUTES, **ATTRIBUTES},
        url_schemes=URL_SCHEMES,
        attribute_filter=_attribute_filter,
        link_rel=None,
        strip_comments=True,
    )


# -- the audit of a finished page ---------------------------------------------------------------

_URL_ATTRIBUTES = (
    "href",
    "src",
    "action",
    "formaction",
    "xlink:href",
    "poster",
    "data",
    "background",
    "srcset",
    "ping",
    "cite",
    "longdesc",
    "manifest",
    "codebase",
)
_FORBIDDEN = {"iframe", "frame", "frameset", "object", "embed", "applet", "base", "portal", "fencedframe"}


@dataclass(frozen=True)
class Violation:
    where: str  # the element, as a short description
    why: str


@dataclass(frozen=True)
class Theme:
    """What the theme itself puts into pages: its script files, and the shape of its inline scripts."""

    script_files: frozenset[str]  # paths relative to the site
    inline_shapes: frozenset[str]  # `_shape` of each inline script in its templates


_TEMPLATE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.S)
_JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.S)
_STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"' + r"|'(?:[^'\\\n]|\\.)*'")


def _shape(script: str) -> str:
    """A script with its string literals emptied and its spacing squeezed: the theme's scripts
    differ from page to page only in strings (the page's base URL)."""
    return hashlib.sha256(" ".join(_STRING.sub('""', script).split()).encode("utf-8")).hexdigest()


def theme(dirs: list[str]) -> Theme:
    """Read the theme's own scripts from its folders (its templates and its assets)."""
    from pathlib import Path

    files, shapes = set(), set()
    for folder in map(Path, dirs):
        files |= {p.relative_to(folder).as_posix() for p in folder.glob("assets/javascripts/**/*.js")}
        for template in folder.glob("**/*.html"):
            for body in _TEMPLATE_SCRIPT.findall(template.read_text("utf-8", "replace")):
                shapes.add(_shape(_JINJA.sub("", body)))
    return Theme(frozenset(files), frozenset(shapes))


def audit(page: str, known: Theme, base: str = "") -> tuple[list[Violation], list[str]]:
    """Read a finished page as a browser does: what could run or call out that the theme did not
    put there, and the SHA-256 sources of the inline scripts (for the page's Content-Security-Policy).
    An inline script is the theme's only if the theme's templates hold a script of the same shape.
    `base`: the site's path when the page names its files from the server's root ("/report/"), as
    the 404 page does, which is served at any depth."""
    from selectolax.lexbor import LexborHTMLParser  # Lexbor parses HTML5 as browsers do

    tree = LexborHTMLParser(page)
    violations: list[Violation] = []
    hashes: list[str] = []
    for node in tree.css("*"):
        tag = node.tag or ""
        violations += _node_violations(node, tag, known.script_files, base)
        if tag == "script" and "src" not in node.attributes and _runs(node):
            source = node.text(deep=True) or ""
            if _shape(source) not in known.inline_shapes:
                violations.append(Violation("<script>", f"an inline script the theme does not have: {source[:40]!r}"))
                continue
            hashes.append("'sha256-" + _b64(hashlib.sha256(source.encode("utf-8")).digest()) + "'")
    return violations, hashes


def _runs(node) -> bool:
    kind = (node.attributes.get("type") or "").strip().lower()
    return kind in ("", "text/javascript", "module", "application/javascript")


def _node_violations(node, tag: str, theme_scripts: frozenset[str] | set[str], base: str = "") -> list[Violation]:
    found = []
    attributes = node.attributes
    for name, value in attributes.items():
        lowered = name.lower()
        if lowered.startswith("on"):
            found.append(Violation(f"<{tag} {name}>", "an event handler attribute"))
        if lowered in _URL_ATTRIBUTES and value and _unsafe_url(value):
            found.append(Violation(f"<{tag} {name}={value[:40]!r}>", "a URL with a scheme that runs code"))
    if tag in _FORBIDDEN:
        found.append(Violation(f"<{tag}>", "an element that embeds other content"))
    if tag == "meta" and (attributes.get("http-equiv") or "").lower() == "refresh":
        found.append(Violation("<meta http-equiv=refresh>", "a redirect"))
    if tag == "script":
        src = attributes.get("src")
        outside = _outside_frame(node)
        if outside:
            found.append(Violation("<script>", f"a script inside <{outside}>, where the theme puts none"))
        elif src is not None and _script_path(src, base) not in theme_scripts:
            found.append(Violation(f"<script src={src!r}>", "a script that is not the theme's"))
    return found


# The page's frame, where the theme places its scripts; the content, navigation and headers,
# where text from the report goes, never hold one.
_FRAME = frozenset({"html", "head", "body", "main", "div"})


def _outside_frame(node) -> str | None:
    parent = node.parent
    while parent is not None and parent.tag not in (None, "-undef", "-document", "#document"):
        if parent.tag not in _FRAME:
            return parent.tag
        parent = parent.parent
    return None


def _unsafe_url(value: str) -> bool:
    scheme = _SCHEME.match(browser_url(value).lower())
    return scheme is not None and scheme.group(1) not in URL_SCHEMES


def _script_path(src: str, base: str = "") -> str:
    path = src.split("?", 1)[0].split("#", 1)[0]
    if base.startswith("/") and base.endswith("/") and path.startswith(base):
        path = path[len(base) :]
    while path.startswith("../"):
        path = path[3:]
    return path.lstrip("./")


def _b64(digest: bytes) -> str:
    import base64

    return base64.b64encode(digest).decode("ascii")


def content_security_policy(script_hashes: list[str]) -> str:
    """The policy for one page: its own files only, and only the inline scripts the audit hashed."""
    scripts = " ".join(["'self'", *sorted(set(script_hashes))])
    return (
        "default-src 'self'; "
        f"script-src {scripts}; "
        "style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-src 'none'"
    )


def csp_meta(script_hashes: list[str]) -> str:
    return (
        '<meta http-equiv="Content-Security-Policy" content="'
        + html.escape(content_security_policy(script_hashes), quote=True)
        + '">'
    )
