"""MkDocs plugin `report`: a thin shell that feeds the report's documents to MkDocs.

All rules live in the library: this file only loads the report, adds its files and generated
pages, and hands each page the Markdown that `render.resolve` produces. Swapping the site engine
means rewriting this file, not the resolver.
"""

from __future__ import annotations

import logging
from pathlib import Path

from mkdocs.config import config_options
from mkdocs.config.base import Config
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files

from .. import checks, history, owners
from ..diagnostics import ERROR
from ..loader import ConfigError, load
from ..model import Report
from . import pages
from .resolve import SITE, render

log = logging.getLogger("mkdocs.plugins.report")


class ReportPluginConfig(Config):
    check = config_options.Type(bool, default=True)  # print `report check` findings while serving
    history = config_options.Type(bool, default=True)  # show the last update read from git


class ReportPlugin(BasePlugin[ReportPluginConfig]):
    supports_multiple_instances = False

    def __init__(self) -> None:
        self.report: Report | None = None
        self.history: dict[str, history.FileHistory] = {}
        # Set by `report build`: {"pdf": Path, "docx": Path} of the edition's downloads.
        self.downloads: dict[str, Path] = {}
        self.docs_dir: Path | None = None

    def on_config(self, config):
        self.docs_dir = Path(config.docs_dir).resolve()
        if self.report is None:  # `report build` hands over a report it has checked; serve loads one
            self._load(Path(config.config_file_path).resolve().parent)
        if not config.nav:
            config.nav = pages.navigation(self.report)
        return config

    def _load(self, root: Path) -> None:
        """Load the report, print what `report check` would, and read the pages' history."""
        try:
            self.report = load(root)
        except ConfigError as exc:
            details = "".join(f"\n  {d.text()}" for d in exc.diagnostics)
            raise PluginError(f"report: {exc}{details}") from None
        if self.config.check:
            for d in checks.run(self.report):
                (log.warning if d.severity == ERROR else log.info)(d.text())
        if self.config.history:
            found, why = history.of_report(self.report)
            self.history = found or {}
            if why:
                log.info(f"report: {why}")

    def on_files(self, files: Files, config) -> Files:
        report = self.report
        for doc in report.documents:
            # The page MkDocs reads is the resolved one: no front matter for it to parse again.
            files.append(File.generated(config, doc.path, content=self._page(doc)))
        for rel in report.assets:  # only files that stay inside the repository
            if files.get_file_from_path(rel) is None:
                files.append(File.generated(config, rel, abs_src_path=str(report.root / rel)))
        files.append(File.generated(config, pages.RECOMMENDATIONS_INDEX,
                                    content=pages.recommendations_index(report)))
        table = owners.rows(report, self.history or None)
        files.append(File.generated(config, pages.PROGRESS, content=owners.progress_markdown(table)))
        for path in self.downloads.values():
            files.append(File.generated(config, f"downloads/{path.name}", abs_src_path=str(path)))
        return files

    def _edit_url(self, file: File, doc) -> str | None:
        """GitHub's editor for the page's source: the report's file, or the site's own page."""
        repo = self.report.settings.get("repository")
        if not repo:
            return None
        base = f"{repo.rstrip('/')}/edit/main/"
        if doc is not None:
            return base + doc.path
        if file.generated_by:  # the recommendations index and progress page have no source
            return None
        return base + self.docs_dir.relative_to(self.report.root).as_posix() + "/" + file.src_uri

    def on_page_markdown(self, markdown: str, page, config, files) -> str:
        doc = self.report.by_path.get(page.file.src_uri)
        page.edit_url = self._edit_url(page.file, doc)
        if page.file.src_uri == "index.md":
            return markdown + pages.downloads_section(self.downloads)
        return markdown

    def _page(self, doc) -> str:
        """The document resolved for the site, with its owner, status and last update under the title.

        No front matter reaches MkDocs, so mkdocs-material never sees the report's own `status`
        (it would draw its page-status icons from it).
        """
        title, _, rest = render(self.report, doc, SITE).partition("\n\n")
        facts = pages.facts_line(self.report, doc, self.history.get(doc.path))
        return f"{title}\n\n{facts}\n\n{rest}"
