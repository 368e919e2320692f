"""MkDocs plugin `report`: a thin shell that feeds the report's documents to MkDocs, and guards it.

All rules live in the library: this file loads the report, adds its files and generated pages,
hands each page the Markdown that `render.resolve` produces, and passes every page's HTML through
the one sanitizer (`render.sanitize`). Its inputs are declared options (`config_scheme`), set in
mkdocs.yml or by `report build`. Swapping the site engine means rewriting this file, not the rules.
"""

from __future__ import annotations

import html
import logging
import re
from pathlib import Path
from urllib.parse import quote

from mkdocs.config import config_options
from mkdocs.config.base import Config
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files

from .. import assets, history, owners, verdict
from ..diagnostics import ERROR
from ..loader import ConfigError, load
from ..model import Report
from . import pages, sanitize, site_plan
from .resolve import SITE, render

log = logging.getLogger("mkdocs.plugins.report")


class ReportPluginConfig(Config):
    check = config_options.Type(bool, default=True)  # print `report check` findings while serving
    history = config_options.Type(bool, default=True)  # show the last update read from git
    # {"pdf": path, "docx": path}: the edition's downloads, set by `report build`.
    downloads = config_options.Type(dict, default={})
    # Appended to report.yml's `repository` to make each page's edit link (GitHub's editor).
    edit_uri = config_options.Type(str, default="edit/main/")


class ReportPlugin(BasePlugin[ReportPluginConfig]):
    supports_multiple_instances = False

    def __init__(self) -> None:
        self.report: Report | None = None
        self.history: dict[str, history.FileHistory] = {}
        self.docs_dir: Path | None = None
        self.theme: sanitize.Theme | None = None
        self.current_page: str | None = None  # for a message when a page cannot be rendered

    def on_config(self, config):
        self.docs_dir = Path(config.docs_dir).resolve()
        self._load(Path(config.config_file_path).resolve().parent)
        if not config.nav:
            config.nav = pages.navigation(self.report)
        self.theme = sanitize.theme(config.theme.dirs)
        return config

    def _load(self, root: Path) -> None:
        """Load the report, print what `report check` would, and read the pages' history."""
        try:
            self.report = load(root)
        except ConfigError as exc:
            details = "".join(f"\n  {d.text()}" for d in exc.diagnostics)
            raise PluginError(f"report: {exc}{details}") from None
        if self.config.check:
            for d in verdict.evaluate(self.report).diagnostics:
                (log.warning if d.severity == ERROR else log.info)(d.text())
        if self.config.history:
            found, why = history.of_report(self.report)
            self.history = found or {}
            if why:
                log.info(f"report: {why}")

    def on_files(self, files: Files, config) -> Files:
        report = self.report
        settings = site_plan.settings(report.root)
        allowed = set(site_plan.web_files(report.root, settings)[0]) if settings else set()
        for file in list(files):  # web/'s own files: only those the site plan allows (not the theme's)
            from_docs = file.src_dir and Path(file.src_dir).resolve() == self.docs_dir
            if from_docs and not file.generated_by and file.src_uri not in allowed:
                files.remove(file)
        for doc in report.documents:
            # The page MkDocs reads is the resolved one: no front matter for it to parse again.
            files.append(File.generated(config, doc.path, content=self._page(doc)))
        validated, _ = assets.collect(report)  # the bytes judged, never a path MkDocs would follow
        for rel, asset in validated.items():
            if files.get_file_from_path(rel) is None:
                files.append(File.generated(config, rel, content=asset.data))
        files.append(File.generated(config, site_plan.RECOMMENDATIONS_INDEX,
                                    content=pages.recommendations_index(report)))
        table = owners.rows(report, self.history or None)
        files.append(File.generated(config, site_plan.PROGRESS, content=owners.progress_markdown(table)))
        for path in self.config.downloads.values():
            name = Path(path).name
            files.append(File.generated(config, f"{site_plan.DOWNLOADS}/{name}", abs_src_path=str(path)))
        return files

    def _edit_url(self, file: File, doc) -> str | None:
        """GitHub's editor for the page's source: the report's file, or the site's own page."""
        repo = self.report.settings.get("repository")
        if not repo:
            return None
        base = f"{repo.rstrip('/')}/{quote(self.config.edit_uri.strip('/'))}/"
        if doc is not None:
            return base + quote(doc.path)
        if file.generated_by:  # the recommendations index and progress page have no source
            return None
        return base + quote(self.docs_dir.relative_to(self.report.root).as_posix() + "/" + file.src_uri)

    def on_page_markdown(self, markdown: str, page, config, files) -> str:
        self.current_page = page.file.src_uri
        doc = self.report.by_path.get(page.file.src_uri)
        page.edit_url = self._edit_url(page.file, doc)
        # The theme prints `page.meta.title` as it is, but `page.title` through Jinja's striptags,
        # which unescapes entities: the title it gets is the navigation's, already escaped text.
        page.meta["title"] = page.title
        if page.file.src_uri == "index.md":
            return markdown + pages.downloads_section(self.config.downloads)
        return markdown

    def on_page_content(self, content: str, page, config, files) -> str:
        """The one sanitizer: every page's HTML, whatever produced it, through the allowlist."""
        for item in _toc_items(page.toc):
            item.title = _plain_title(item.title)
        return sanitize.clean(content)

    def on_post_page(self, output: str, page, config) -> str:
        """Read the finished page as a browser would; refuse to publish anything that could run."""
        violations, hashes = sanitize.audit(output, self.theme)
        if violations:
            details = "; ".join(f"{v.where}: {v.why}" for v in violations[:5])
            raise PluginError(f"report: the page for {page.file.src_uri} would carry executable content "
                              f"({details}); this is a bug in the sanitizer, please report it")
        return output.replace("<head>", "<head>\n" + sanitize.csp_meta(hashes), 1)

    def _page(self, doc) -> str:
        """The document resolved for the site, with its owner, status and last update under the title.

        No front matter reaches MkDocs, so mkdocs-material never sees the report's own `status`
        (it would draw its page-status icons from it).
        """
        title, _, rest = render(self.report, doc, SITE).partition("\n\n")
        facts = pages.facts_line(self.report, doc, self.history.get(doc.path))
        return f"{title}\n\n{facts}\n\n{rest}"


def _toc_items(items) -> list:
    found, stack = [], list(items or [])
    while stack:
        item = stack.pop()
        found.append(item)
        stack.extend(getattr(item, "children", []) or [])
    return found


_TAG = re.compile(r"<[^>]*>")


def _plain_title(title: str) -> str:
    """A contents entry as escaped text, whatever a heading or its data-toc-label held."""
    return html.escape(html.unescape(_TAG.sub("", title or "")), quote=False)
