"""mkdocs.yml judged by an allowlist: what the site's configuration may say, each value checked where
the theme or MkDocs would act on it, so that a configuration the check accepts is one that builds.

MkDocs' templates write the configuration's values into every page unescaped, and mkdocs-material
turns some of them into scripts (analytics, a palette toggle, a dismissable banner, a share button)
or into requests from every reader's browser (a remote logo or favicon). The sanitizer and the
page audit would stop such a page at build time; this module refuses it first, at its line, for the
check and the build alike (`site_plan.problems`).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path

import yaml

from .. import paths
from ..diagnostics import ERROR, Diagnostic
from ..model import KIND_FOLDERS

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
# The theme's features that build under the page audit: each one was built on the sample
# (announce.dismiss adds a script of its own, search.share a javascript: link; both are refused).
FEATURES = frozenset(
    {
        "content.action.edit",
        "content.action.view",
        "content.code.annotate",
        "content.code.copy",
        "content.tabs.link",
        "content.tooltips",
        "header.autohide",
        "navigation.expand",
        "navigation.footer",
        "navigation.indexes",
        "navigation.instant",
        "navigation.instant.progress",
        "navigation.path",
        "navigation.prune",
        "navigation.sections",
        "navigation.tabs",
        "navigation.tabs.sticky",
        "navigation.top",
        "navigation.tracking",
        "search.highlight",
        "search.suggest",
        "toc.follow",
        "toc.integrate",
    }
)
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
    if key == "nav":
        return [
            _at_node(
                key_node,
                "'nav' is not allowed in mkdocs.yml: the report plugin makes the site's navigation from the "
                "report's own order, and a list here would leave its pages out",
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
    rule = _RULES.get(key)
    return rule(root, key, value) if rule else []


def _extensions(root: Path, key: str, value: yaml.Node) -> list[Diagnostic]:
    found = [
        _at_node(n, f"the Markdown extension '{name}' is not allowed; the site uses {', '.join(sorted(EXTENSIONS))}")
        for name, n in _names(value)
        if name not in EXTENSIONS
    ]
    for name, n in _names(value):
        mode = _option(n, "mode")
        if name == "pymdownx.critic" and mode is not None and mode.value != "view":
            found.append(
                _at_node(
                    mode,
                    "pymdownx.critic must keep 'mode: view': the site shows text not yet agreed as marks, "
                    "as the PDF and DOCX do, never as if it were agreed or dropped",
                )
            )
    return found


def _option(item: yaml.Node, name: str) -> yaml.ScalarNode | None:
    """An extension's option, from `- ext: {name: value}`."""
    if isinstance(item, yaml.MappingNode) and item.value and isinstance(item.value[0][1], yaml.MappingNode):
        for k, v in item.value[0][1].value:
            if k.value == name and isinstance(v, yaml.ScalarNode):
                return v
    return None


def _plugins(root: Path, key: str, value: yaml.Node) -> list[Diagnostic]:
    return [
        _at_node(n, f"the MkDocs plugin '{name}' is not allowed; the site uses {', '.join(sorted(PLUGINS))}")
        for name, n in _names(value)
        if name not in PLUGINS
    ]


def _extra_css(root: Path, key: str, value: yaml.Node) -> list[Diagnostic]:
    if not isinstance(value, yaml.SequenceNode):
        return [_at_node(value, "extra_css must be a list of style sheets in the site's folder")]
    return [
        _at_node(n, f"'{n.value}' must be a relative path to a style sheet in the site's folder")
        for n in value.value
        if not isinstance(n, yaml.ScalarNode) or not _SAFE_PATH.match(str(n.value)) or _remote_or_absolute(n.value)
    ]


def _text(root: Path, key: str, value: yaml.Node) -> list[Diagnostic]:
    """A value MkDocs writes into every page as it is: plain text, with nothing HTML would read as markup."""
    if not isinstance(value, yaml.ScalarNode) or any(c in str(value.value) for c in '<>"'):
        return [
            _at_node(
                value,
                f"'{key}' must be plain text without '<', '>' or '\"': MkDocs writes it into every page "
                "as it is, where such characters would be read as HTML",
            )
        ]
    return []


def _url(root: Path, key: str, value: yaml.Node) -> list[Diagnostic]:
    if not isinstance(value, yaml.ScalarNode) or not _SITE_URL.match(str(value.value or "")):
        return [_at_node(value, f"'{key}' must be the site's web address, https://host/path/ (or http://)")]
    return []


def _relative(root: Path, key: str, value: yaml.Node) -> list[Diagnostic]:
    text = str(value.value) if isinstance(value, yaml.ScalarNode) else ""
    if key == "edit_uri" and text == "":
        return []  # no edit links
    if not _SAFE_PATH.match(text) or _remote_or_absolute(text):
        return [_at_node(value, f"'{key}' must be a relative path inside the repository, such as {_EXAMPLES[key]}")]
    return []


def _extra(root: Path, key: str, value: yaml.Node) -> list[Diagnostic]:
    if not isinstance(value, yaml.MappingNode):
        return [_at_node(value, "'extra' must be a set of fields")]
    return [
        _at_node(
            k,
            f"'extra.{k.value}' is not allowed: mkdocs-material turns it into scripts or requests in "
            "readers' browsers; 'extra' may hold only 'generator: false'",
        )
        for k, v in value.value
        if k.value != "generator" or not isinstance(v, yaml.ScalarNode) or v.value not in ("false", "true")
    ]


def _theme(root: Path, key: str, value: yaml.Node) -> list[Diagnostic]:
    if isinstance(value, yaml.ScalarNode):
        return _theme_name(root, "theme", value)  # `theme: material`
    if not isinstance(value, yaml.MappingNode):
        return [_at_node(value, "'theme' must be a set of fields, with 'name: material'")]
    found = []
    for k, v in value.value:
        if k.value not in THEME_KEYS:
            found.append(
                _at_node(
                    k,
                    f"'theme.{k.value}' is not allowed: the site's templates and files come from the theme "
                    "and web/ only",
                )
            )
        elif k.value in _THEME_RULES:
            found += _THEME_RULES[k.value](root, f"theme.{k.value}", v)
    return found


def _theme_name(root: Path, key: str, value: yaml.Node) -> list[Diagnostic]:
    if not isinstance(value, yaml.ScalarNode) or value.value != "material":
        return [_at_node(value, "'theme.name' must be material: the house style and the page audit are made for it")]
    return []


def _language(root: Path, key: str, value: yaml.Node) -> list[Diagnostic]:
    code = str(value.value) if isinstance(value, yaml.ScalarNode) else ""
    if not _LANGUAGE.match(code) or code not in theme_languages():
        return [
            _at_node(
                value,
                f"'theme.language' must be a language the theme knows, such as en or fr; '{code[:40]}' is not one",
            )
        ]
    return []


def theme_languages() -> frozenset[str]:
    """The languages mkdocs-material has words for (one template each)."""
    import material  # type: ignore[import-untyped]

    folder = Path(material.__file__).parent / "templates" / "partials" / "languages"
    return frozenset(p.stem for p in folder.glob("*.html"))


def _font(root: Path, key: str, value: yaml.Node) -> list[Diagnostic]:
    if not isinstance(value, yaml.ScalarNode) or value.value != "false":
        return [
            _at_node(
                value,
                "'theme.font' must be false: the theme would load fonts from Google in every reader's browser; "
                "the house style brings its own",
            )
        ]
    return []


def _palette(root: Path, key: str, value: yaml.Node) -> list[Diagnostic]:
    pairs = value.value if isinstance(value, yaml.MappingNode) else None
    if pairs is None or any(
        k.value not in ("scheme", "primary", "accent")
        or not isinstance(v, yaml.ScalarNode)
        or not re.fullmatch(r"[a-z][a-z -]{0,30}", str(v.value))
        for k, v in pairs
    ):
        return [
            _at_node(
                value,
                "'theme.palette' must be one scheme with its colours (scheme, primary, accent): a toggle "
                "between schemes is a script the page audit does not allow",
            )
        ]
    return []


def _features(root: Path, key: str, value: yaml.Node) -> list[Diagnostic]:
    if not isinstance(value, yaml.SequenceNode):
        return [_at_node(value, "'theme.features' must be a list of the theme's features")]
    return [
        _at_node(
            n,
            f"the theme feature '{n.value}' is not allowed: it adds a script or a link the page audit refuses; "
            f"the site may use {', '.join(sorted(FEATURES))}",
        )
        for n in value.value
        if not isinstance(n, yaml.ScalarNode) or n.value not in FEATURES
    ]


def _icon(root: Path, key: str, value: yaml.Node) -> list[Diagnostic]:
    found, stack = [], [value]
    while stack:
        item = stack.pop()
        if isinstance(item, yaml.MappingNode):
            stack.extend(v for _, v in item.value)
        elif not isinstance(item, yaml.ScalarNode) or not _ICON.match(str(item.value)):
            found.append(_at_node(item, "an icon must be named as the theme names it, such as material/home"))
    return found


_Rule = Callable[[Path, str, yaml.Node], list[Diagnostic]]
_RULES: dict[str, _Rule] = {
    "markdown_extensions": _extensions,
    "plugins": _plugins,
    "theme": _theme,
    "docs_dir": lambda root, key, value: (
        _docs_dir(root, str(value.value), value)
        if isinstance(value, yaml.ScalarNode)
        else [_at_node(value, "docs_dir must be a folder name")]
    ),
    "site_dir": _relative,
    "edit_uri": _relative,
    "extra_css": _extra_css,
    "extra": _extra,
    "site_url": _url,
    **{name: _text for name in ("site_name", "site_description", "site_author", "copyright")},
}
_THEME_RULES: dict[str, _Rule] = {
    "name": _theme_name,
    "language": _language,
    "font": _font,
    "palette": _palette,
    "features": _features,
    "logo": _relative,
    "favicon": _relative,
    "icon": _icon,
}
_EXAMPLES = {
    "site_dir": "build/site",
    "edit_uri": "edit/main/",
    "theme.logo": "assets/logo.png",
    "theme.favicon": "assets/favicon.png",
}
_SAFE_PATH = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_./-]*\Z")
_SITE_URL = re.compile(r"https?://[A-Za-z0-9.-]+(?::\d{1,5})?(?:/[A-Za-z0-9._~%/-]*)?\Z")
_LANGUAGE = re.compile(r"[a-z]{2,3}(?:[-_][A-Za-z]{2,4})?\Z")
_ICON = re.compile(r"[a-z0-9-]+(?:/[a-z0-9-]+)+\Z")


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
