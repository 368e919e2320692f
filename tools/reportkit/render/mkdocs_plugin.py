"""MkDocs plugin `report`: a thin shell that feeds the report's documents to MkDocs, and guards it.

All rules live in the library: this file loads the report, adds its files and generated pages,
hands each page the Markdown that `render.resolve` produces, and passes every page's HTML through
the one sanitizer (`render.sanitize`). Its inputs are declared options (`ReportPluginConfig`), set in
mkdocs.yml or, validated the same way, by `report build`; each page's edit link follows mkdocs.yml's
`edit_uri`, appended to report.yml's `repository`. Swapping the site engine means rewriting this file,
not the rules.
"""

from __future__ import annotations

import html
import logging
import re
from pathlib import Path
from urllib.parse import quote, urlsplit

from mkdocs.config import config_options
from mkdocs.config.base import Config
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files, InclusionLevel

from .. import assets, history, owners, positions, style, verdict
from ..diagnostics import ERROR
from ..loader import ConfigError, load
from ..markdown import md_text
from ..model import Report
from . import changes_page, citeproc, imprint, marks, pages, sanitize, site_apparatus, site_links, site_plan
from .resolve import SITE, numbering_paragraphs, render

log = logging.getLogger("mkdocs.plugins.report")

# The plugin's template overrides (the draft banner, the page facts, the imprint), and where the
# site publishes the house style sheet and the faces it uses (self-hosted: no request leaves the site).
SITE_THEME = Path(__file__).resolve().parent.parent / "site_theme"
HOUSE_CSS = f"{site_plan.HOUSE}/house.css"
HOUSE_FONTS = f"{site_plan.HOUSE}/fonts/"


class ReportPluginConfig(Config):
    """The plugin's inputs: under `plugins: - report:` in mkdocs.yml, or given by `report build`."""

    check = config_options.Type(bool, default=True)  # print `report check` findings while serving
    history = config_options.Type(bool, default=True)  # show the last update read from git
    # {"pdf": path, "docx": path}: the edition's files the home page offers, set by `report build`.
    downloads = config_options.DictOfItems(config_options.File(exists=True), default={})
    # The page of changes since an earlier version (`report build --redline`): the Markdown file the
    # build wrote. Added to the site, its navigation and its home page.
    changes = config_options.Optional(config_options.File(exists=True))
    # The edition the site is: its name, its ISO date (shown "10 June 2019") and whether it is the
    # public site (no owners, progress, open points or positions). `report build` sets them; left
    # empty (`mkdocs serve`), the site is a working draft dated as `report build` would date it.
    edition = config_options.Type(str, default="")
    date = config_options.Type(str, default="")
    final = config_options.Type(bool, default=False)
    # citeproc's formatted citations (a JSON file `report build` writes, render/citeproc.py): the
    # site shows the text the PDF and DOCX print. Unset (`mkdocs serve`): the plugin runs citeproc.
    citations = config_options.Optional(config_options.File(exists=True))


def edit_base(repository: str | None, edit_uri: str | None) -> str | None:
    """Where each page's source path is appended to make its edit link: mkdocs.yml's `edit_uri`
    (e.g. `edit/main/`, GitHub's editor on the branch main) under report.yml's `repository`, or an
    absolute http(s) `edit_uri` as it is; None (no edit links) when either is missing."""
    if not edit_uri:
        return None
    scheme = urlsplit(edit_uri).scheme.lower()
    if scheme in ("http", "https"):
        return edit_uri.rstrip("/") + "/"
    if scheme or not repository:
        return None
    return f"{repository.rstrip('/')}/{quote(edit_uri.strip('/'))}/"


class ReportPlugin(BasePlugin[ReportPluginConfig]):
    supports_multiple_instances = False

    def __init__(self) -> None:
        self.report: Report | None = None
        self.history: dict[str, history.FileHistory] = {}
        self.docs_dir: Path | None = None
        self.theme: sanitize.Theme | None = None
        self.current_page: str | None = None  # for a message when a page cannot be rendered
        self.edit_base: str | None = None
        self.changes: str | None = None  # the page of changes, when the build made one
        self.imprint: imprint.Imprint | None = None
        self.citations: citeproc.Formatted | None = None

    @property
    def loaded(self) -> Report:
        """The report, which `on_config` loads before MkDocs calls any other hook."""
        if self.report is None:
            raise PluginError("report: the plugin was called before MkDocs read its configuration")
        return self.report

    @property
    def edition(self) -> imprint.Imprint:
        """The edition the site shows, which `on_config` settles."""
        if self.imprint is None:
            raise PluginError("report: the plugin was called before MkDocs read its configuration")
        return self.imprint

    def _web_pages(self) -> list[tuple[str, str]]:
        """web/'s own pages besides the home page, titled, for the navigation."""
        root = self.loaded.root
        site = site_plan.settings(root)
        if site is None:
            return []
        web, _ = site_plan.web_files(root, site)
        return site_links.titles(root, site.docs_dir, web)

    def on_config(self, config):
        self.docs_dir = Path(config.docs_dir).resolve()
        self._load(Path(config.config_file_path).resolve().parent)
        self.imprint = self._imprint(self.loaded, config.site_url)
        if not config.nav:
            config.nav = pages.navigation(self.loaded, final=self.config.final, web=self._web_pages())
        if self.config.changes:
            self.changes = Path(self.config.changes).read_text("utf-8")
            config.nav = [*config.nav, {pages.theme_text(changes_page.title_of(self.changes)): changes_page.PAGE}]
            config.extra_css.append(changes_page.STYLE)
        if str(SITE_THEME) not in config.theme.dirs:  # before the theme's own: its blocks are overridden
            config.theme.dirs.insert(0, str(SITE_THEME))
        if HOUSE_CSS not in config.extra_css:  # first, so that web/'s own style sheets can refine it
            config.extra_css.insert(0, HOUSE_CSS)
        self.theme = sanitize.theme(config.theme.dirs)
        # The plugin makes the edit links (MkDocs would want a repo_url, which the site does not set).
        self.edit_base = edit_base(self.loaded.settings.get("repository"), config.edit_uri)
        config.edit_uri = None
        config.extra_css.append(site_apparatus.STYLESHEET)  # the apparatus' style, from style.py
        return config

    def _imprint(self, report: Report, site_url: str | None) -> imprint.Imprint:
        """The edition the site shows: as `report build` set it, or a working draft dated as it would."""
        name, date = self.config.edition, self.config.date
        if not (name and date):
            from .. import build  # the one rule for an edition's default name and date

            try:
                made = build.edition_for(report, build.Options(edition=name or None, final=self.config.final))
            except build.BuildError as exc:
                raise PluginError(f"report: {exc}") from None
            name, date = name or made.name, date or made.date
        try:
            return imprint.imprint(report, name, date, self.config.final, site_url or None)
        except ValueError:
            raise PluginError(
                f"report: the plugin's `date` must be an ISO date such as 2019-06-10, not {date!r}"
            ) from None

    def _load(self, root: Path) -> None:
        """Load the report, print what `report check` would, and read the pages' history."""
        try:
            self.report = load(root)
        except ConfigError as exc:
            details = "".join(f"\n  {d.text()}" for d in exc.diagnostics)
            raise PluginError(f"report: {exc}{details}") from None
        judged = None
        if self.config.check:
            judged = verdict.evaluate(self.report)
            for d in judged.diagnostics:
                (log.warning if d.severity == ERROR else log.info)(d.text())
        self.citations = site_apparatus.citations(self.report, self.config.citations, judged)
        if self.config.history and not self.config.final:  # the public site names no git author
            found, why = history.of_report(self.report)
            self.history = found or {}
            if why:  # a degraded page: under --strict it fails, as every warning does
                log.warning(
                    f"report: the pages show no last update ({why}); set the plugin's "
                    "option `history: false` to build without one"
                )

    def on_files(self, files: Files, config) -> Files:
        report = self.loaded
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
        files.append(
            File.generated(
                config,
                site_plan.RECOMMENDATIONS_INDEX,
                content=pages.recommendations_index(report, final=self.config.final),
            )
        )
        if not self.config.final:  # the public site has no progress page, open points or positions
            table = owners.rows(report, self.history or None)
            progress = owners.progress_markdown(table)
            matrix = positions.matrix(report)
            progress += positions.progress_section(matrix, site_plan.POSITIONS)
            files.append(
                File.generated(
                    config,
                    site_plan.POSITIONS,
                    content=positions.page_markdown(report, matrix),
                    inclusion=InclusionLevel.NOT_IN_NAV,
                )
            )  # linked from the progress page
            files.append(File.generated(config, site_plan.PROGRESS, content=progress))
        if self.changes is not None:
            files = self._add_changes(config, files)
        files.append(File.generated(config, site_apparatus.STYLESHEET, content=style.apparatus_css()))
        for path in self.config.downloads.values():
            name = Path(path).name
            files.append(File.generated(config, f"{site_plan.DOWNLOADS}/{name}", abs_src_path=str(path)))
        self._house_files(files, config)
        return files

    def _add_changes(self, config, files: Files) -> Files:
        """The page of changes and its style sheet, at addresses no other file may take."""
        assert self.changes is not None
        for name in (changes_page.PAGE, changes_page.STYLE):
            if files.get_file_from_path(name) is not None:
                raise PluginError(
                    f"report: the site's page of changes is published at '{name}'; rename the "
                    "file of the site's folder that takes that address"
                )
        style = (Path(__file__).resolve().parents[1] / "templates" / "changes.css").read_text("utf-8")
        files.append(File.generated(config, changes_page.PAGE, content=self.changes))
        files.append(File.generated(config, changes_page.STYLE, content=style))
        return files

    def _house_files(self, files: Files, config) -> None:
        """The house style sheet, written from `style`, and the faces it names, from the package."""
        files.append(File.generated(config, HOUSE_CSS, content=style.site_css("fonts/")))
        for face in (style.BODY, style.SANS):
            for name in face.files.values():
                files.append(File.generated(config, HOUSE_FONTS + name, abs_src_path=str(style.fonts_folder() / name)))

    def _edit_url(self, file: File, doc) -> str | None:
        """The editor for the page's source: the report's file, or the site's own page. The public
        site has none, unless report.yml asks for them (`final: {edit_links: true}`)."""
        final_settings = self.loaded.settings.get("final")
        asked = isinstance(final_settings, dict) and final_settings.get("edit_links") is True
        if self.edit_base is None or (self.config.final and not asked):
            return None
        if doc is not None:
            return self.edit_base + quote(doc.path)
        if file.generated_by or self.docs_dir is None:  # the index and progress pages have no source
            return None
        return self.edit_base + quote(self.docs_dir.relative_to(self.loaded.root).as_posix() + "/" + file.src_uri)

    def on_page_markdown(self, markdown: str, page, config, files) -> str:
        self.current_page = page.file.src_uri
        doc = self.loaded.by_path.get(page.file.src_uri)
        page.edit_url = self._edit_url(page.file, doc)
        # The theme prints `page.meta.title` as it is, but `page.title` through Jinja's striptags,
        # which unescapes entities: the title it gets is the navigation's, already escaped text.
        page.meta["title"] = page.title
        if page.file.src_uri == "index.md":
            return markdown + pages.downloads_section(self.config.downloads) + self._changes_link()
        return markdown

    def on_page_content(self, content: str, page, config, files) -> str:
        """The one sanitizer: every page's HTML, whatever produced it, through the allowlist."""
        for item in _toc_items(page.toc):
            item.title = _plain_title(marks.unshield(item.title))
        doc = self.loaded.by_path.get(page.file.src_uri)
        # Notes numbered in the report's series, captions as figures; CriticMarkup tokens in code, as written.
        content = site_apparatus.finish(self.loaded, doc, marks.unshield(content))
        return sanitize.clean(content)

    def on_template_context(self, context, template_name: str, config):
        """The edition for the theme's own pages (the 404 page): banner and imprint."""
        context["report_site"] = self.edition.context()
        return context

    def on_page_context(self, context, page, config, nav):
        """The edition for every page, and in a draft the page's workflow facts: given to the
        templates, not written into the page's text, so the site's search never shows them."""
        context["report_site"] = self.edition.context()
        doc = self.loaded.by_path.get(page.file.src_uri)
        if doc is not None and not self.config.final:
            context["report_facts"] = pages.facts(self.loaded, doc, self.history.get(doc.path))
        return context

    def on_post_page(self, output: str, page, config) -> str:
        return self._publish(output, page.file.src_uri)

    def on_post_template(self, output: str, template_name: str, config) -> str:
        """The theme's own pages (the 404 page) are read like every other: they carry the imprint.
        MkDocs writes their links from the site's path (site_url), as they are served at any depth."""
        if not template_name.endswith(".html"):
            return output
        return self._publish(output, template_name, urlsplit(config.site_url or "/").path or "/")

    def _publish(self, output: str, where: str, base: str = "") -> str:
        """Name what the theme leaves unnamed (site_apparatus), then read the finished page as a
        browser would and refuse to publish anything that could run. Then its policy, and the
        report's language (the theme writes its own interface's)."""
        if self.theme is None:
            raise PluginError("report: the plugin was called before MkDocs read its configuration")
        output = site_apparatus.accessible(output)
        violations, hashes = sanitize.audit(output, self.theme, base)
        if violations:
            details = "; ".join(f"{v.where}: {v.why}" for v in violations[:5])
            raise PluginError(
                f"report: the page for {where} would carry executable content "
                f"({details}); this is a bug in the sanitizer, please report it"
            )
        language = html.escape(str(self.loaded.settings.get("language") or "en-GB"), quote=True)
        output = _HTML_LANG.sub(lambda m: f'{m.group(1)}lang="{language}"', output, count=1)
        return output.replace("<head>", "<head>\n" + sanitize.csp_meta(hashes), 1)

    def _page(self, doc) -> str:
        """The document resolved for the site: paragraph numbers in a draft when report.yml asks.

        No front matter reaches MkDocs, so mkdocs-material never sees the report's own `status`
        (it would draw its page-status icons from it).
        """
        numbered = not self.config.final and numbering_paragraphs(self.loaded)
        return render(self.loaded, doc, SITE, numbered=numbered, citations=self.citations)

    def _changes_link(self) -> str:
        if self.changes is None:
            return ""
        title = changes_page.title_of(self.changes)
        return (
            f"\n## {md_text(title)}\n\n[{md_text(title)}]({changes_page.PAGE}): renumbered sections, "
            "words added and removed, and every changed passage.\n"
        )


def _toc_items(items) -> list:
    found, stack = [], list(items or [])
    while stack:
        item = stack.pop()
        found.append(item)
        stack.extend(getattr(item, "children", []) or [])
    return found


_TAG = re.compile(r"<[^>]*>")
_HTML_LANG = re.compile(r'(<html\b[^>]*?)\blang="[^"]*"')


def _plain_title(title: str) -> str:
    """A contents entry as escaped text, whatever a heading or its data-toc-label held."""
    return html.escape(html.unescape(_TAG.sub("", title or "")), quote=False)
