"""Read the editions back with real readers (HTML parser, pypdf, pdftotext, python-docx), and build the sample once.

The edition tests never trust that a build call returned: they open what it wrote. Everything here
is plain functions and small dataclasses so that test_build, test_fidelity and test_site_browser
share one reading of each output and one build of the sample report per test session.
"""

from __future__ import annotations

import hashlib
import os
import posixpath
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from html.parser import HTMLParser
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlsplit

import pytest
from click.testing import CliRunner

from reportkit.cli import main
from reportkit.model import Report

SAMPLE_ROOT = Path(__file__).resolve().parents[2]
# The sample report as `report build` needs it: the content plus the site's configuration and home page.
SAMPLE_PARTS = (
    "report.yml",
    "roster.yml",
    "glossary.yml",
    "references.yml",
    "mkdocs.yml",
    "web",
    "chapters",
    "recommendations",
    "annexes",
    "images",
)
# One fixed commit, so the edition's date, the pages' "last updated" and the bytes are predictable.
COMMIT_DATE = "2019-06-10T12:00:00+00:00"
EDITION_DATE = "2019-06-10"
AUTHOR_NAME, AUTHOR_EMAIL = "Panel Secretariat", "secretariat@example.org"
BUILD_FILES = ("manifest.json", "panel-report.docx", "panel-report.pdf", "site")


# --------------------------------------------------------------------------------------------
# The sample report, copied into a git repository of its own and built once per session
# --------------------------------------------------------------------------------------------


def copy_sample(dest: Path) -> Path:
    dest.mkdir(parents=True)
    for part in SAMPLE_PARTS:
        source = SAMPLE_ROOT / part
        if source.is_dir():
            shutil.copytree(source, dest / part)
        else:
            shutil.copy2(source, dest / part)
    return dest


def git(root: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": AUTHOR_NAME,
        "GIT_AUTHOR_EMAIL": AUTHOR_EMAIL,
        "GIT_COMMITTER_NAME": AUTHOR_NAME,
        "GIT_COMMITTER_EMAIL": AUTHOR_EMAIL,
        "GIT_AUTHOR_DATE": COMMIT_DATE,
        "GIT_COMMITTER_DATE": COMMIT_DATE,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
    }
    done = subprocess.run(
        ["git", "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main", *args],
        cwd=root,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout.strip()


def commit_all(root: Path, message: str = "The sample report") -> str:
    """Commit everything under root (a new repository if needed); return the commit's hash."""
    if not (root / ".git").exists():
        git(root, "init", "-q")
        (root / ".gitignore").write_text("build/\n.build*\n")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)
    return git(root, "rev-parse", "HEAD")


def find_program(name: str, package: str) -> str:
    """A program the tests read outputs with, found on PATH; a clear failure (never a skip) naming
    the Debian package that provides it when it is absent."""
    found = shutil.which(name)
    if found is None:
        pytest.fail(
            f"`{name}` is not on PATH: install Debian's package `{package}` "
            f"(`apt-get install {package}`, or `make system`)",
            pytrace=False,
        )
    return found


def pdftotext() -> str:
    return find_program("pdftotext", "poppler-utils")


def run_report(*args: str):
    """`report ARGS` in-process; SOURCE_DATE_EPOCH is cleared so the commit decides the date."""
    return CliRunner().invoke(main, list(args), env={"SOURCE_DATE_EPOCH": None, "CI": "1"})


@dataclass
class SampleBuild:
    root: Path  # the report's folder, a git repository with one commit
    commit: str
    out: Path  # root / "build"
    result: object  # click.testing.Result of `report build`

    @property
    def pdf(self) -> Path:
        return self.out / "panel-report.pdf"

    @property
    def docx(self) -> Path:
        return self.out / "panel-report.docx"

    @property
    def site(self) -> Path:
        return self.out / "site"

    @cached_property
    def report(self) -> Report:
        from reportkit.loader import load

        return load(self.root)

    @cached_property
    def read_site(self) -> Site:
        return Site(self.site)

    @cached_property
    def read_pdf(self) -> Pdf:
        return Pdf(self.pdf)

    @cached_property
    def read_docx(self) -> Docx:
        return Docx(self.docx)


_BUILDS: dict[str, SampleBuild] = {}


def sample_build(tmp_path_factory) -> SampleBuild:
    """The sample report built with `report build` (all formats, draft edition): once per session."""
    if "sample" not in _BUILDS:
        root = copy_sample(tmp_path_factory.mktemp("sample") / "report")
        commit = commit_all(root)
        result = run_report("build", "--root", str(root))
        assert result.exit_code == 0, result.output
        _BUILDS["sample"] = SampleBuild(root, commit, root / "build", result)
    return _BUILDS["sample"]


def tree_state(path: Path) -> dict[str, str]:
    """Every file and folder under path with its content hash (or 'dir'): a snapshot to compare."""
    state = {}
    for item in sorted(path.rglob("*")):
        rel = item.relative_to(path).as_posix()
        if item.is_symlink():
            state[rel] = "link:" + os.readlink(item)
        elif item.is_dir():
            state[rel] = "dir"
        else:
            state[rel] = hashlib.sha256(item.read_bytes()).hexdigest()
    return state


# --------------------------------------------------------------------------------------------
# Names and text as the editions write them
# --------------------------------------------------------------------------------------------


def docx_bookmark(ident: str) -> str:
    """The bookmark pandoc writes for an id: Word allows 40 characters and wants a letter first, so
    any other id becomes "X" and the rest of its SHA-1 (links to it are rewritten the same way)."""
    if ident[:1].isalpha() and len(ident) <= 40:
        return ident
    return "X" + hashlib.sha1(ident.encode("utf-8")).hexdigest()[1:]


class HasPath(Protocol):
    path: str


def site_page(doc: HasPath) -> str:
    """The site file of a document (use_directory_urls): chapters/01-introduction/index.html."""
    return posixpath.splitext(doc.path)[0] + "/index.html"


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def plain_quotes(text: str) -> str:
    """Every edition prints typographic apostrophes (’: pandoc's smart, MkDocs' smarty); the source has '."""
    return text.replace("\u2019", "'")


# --------------------------------------------------------------------------------------------
# HTML: a small element tree from the standard library's parser
# --------------------------------------------------------------------------------------------

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    parent: Element | None = None
    children: list = field(default_factory=list)  # Element or str

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def iter(self, tag: str | None = None, cls: str | None = None) -> Iterator[Element]:
        for child in self.children:
            if isinstance(child, Element):
                if (tag is None or child.tag == tag) and (cls is None or cls in child.classes):
                    yield child
                yield from child.iter(tag, cls)

    def find(self, tag: str | None = None, cls: str | None = None) -> Element | None:
        return next(self.iter(tag, cls), None)

    def text(self, skip_classes: frozenset = frozenset({"headerlink"})) -> str:
        parts = []
        for child in self.children:
            if isinstance(child, str):
                parts.append(child)
            elif not (child.classes & skip_classes):
                parts.append(child.text(skip_classes))
        return "".join(parts)

    def ancestors(self) -> Iterator[Element]:
        node = self.parent
        while node is not None:
            yield node
            node = node.parent


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        element = Element(tag, {k: v or "" for k, v in attrs}, self.stack[-1])
        self.stack[-1].children.append(element)
        if tag not in VOID:
            self.stack.append(element)

    def handle_startendtag(self, tag, attrs):
        self.stack[-1].children.append(Element(tag, {k: v or "" for k, v in attrs}, self.stack[-1]))

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def parse_html(text: str) -> Element:
    builder = _TreeBuilder()
    builder.feed(text)
    builder.close()
    return builder.root


class Site:
    """The built site, each page parsed once."""

    def __init__(self, root: Path):
        self.root = root
        self._pages: dict[str, Element] = {}

    @cached_property
    def published_path(self) -> str:
        """Where the site is published (the one reading of it is the browser harness's)."""
        from browser import site_path

        return site_path(self.root)

    def html_files(self) -> list[str]:
        return sorted(p.relative_to(self.root).as_posix() for p in self.root.rglob("*.html"))

    def page(self, rel: str) -> Element:
        if rel not in self._pages:
            self._pages[rel] = parse_html((self.root / rel).read_text("utf-8"))
        return self._pages[rel]

    def article(self, rel: str) -> Element:
        article = self.page(rel).find("article", "md-content__inner")
        assert article is not None, f"{rel} has no article"
        return article

    def ids(self, rel: str) -> set[str]:
        return {e.attrs["id"] for e in self.page(rel).iter() if "id" in e.attrs}

    def target(self, page: str, url: str) -> tuple[str, str] | None:
        """(file relative to the site, fragment) a relative URL on page points to; None for external URLs."""
        parts = urlsplit(url)
        if parts.scheme or parts.netloc:
            return None
        path = unquote(parts.path)
        if not path:
            return page, parts.fragment
        # MkDocs' 404 page names the site's files from its published path (site_url's), since it is
        # served at any depth: read from there.
        if path.startswith(self.published_path):
            path = "/" + path[len(self.published_path) :]
        base = "" if path.startswith("/") else posixpath.dirname(page)
        rel = posixpath.normpath(posixpath.join(base, path.lstrip("/")))
        if path.endswith("/") or (self.root / rel).is_dir():
            rel = posixpath.normpath(posixpath.join(rel, "index.html"))
        return rel, parts.fragment


CONTENT_LINK_SKIP = {"headerlink", "footnote-ref", "footnote-backref", "md-content__button"}


def content_links(article: Element) -> list[Element]:
    """The links an author wrote (references, links): not permalinks, note markers or page buttons."""
    return [a for a in article.iter("a") if "href" in a.attrs and not (a.classes & CONTENT_LINK_SKIP)]


# --------------------------------------------------------------------------------------------
# PDF: pypdf for structure (links, destinations, bookmarks, images), pdftotext for positioned words
# --------------------------------------------------------------------------------------------


@dataclass
class PdfLink:
    page: int  # 0-based page index of the annotation
    rect: tuple[float, float, float, float]
    name: str | None = None  # a named destination
    dest_page: int | None = None  # an explicit destination's page index
    uri: str | None = None
    text: str = ""  # the words under the annotation


class Pdf:
    def __init__(self, path: Path):
        from pypdf import PdfReader

        self.path = path
        self.reader = PdfReader(str(path))
        self._page_index = {page.indirect_reference.idnum: i for i, page in enumerate(self.reader.pages)}
        self._texts: dict[int, str] = {}

    def __len__(self) -> int:
        return len(self.reader.pages)

    @cached_property
    def page_texts(self) -> list[str]:
        """Each page's text as pypdf sees it (it keeps the rotated DRAFT mark as one word)."""
        return [self.page_text(i) for i in range(len(self))]

    def page_text(self, index: int) -> str:
        if index not in self._texts:
            self._texts[index] = self.reader.pages[index].extract_text() or ""
        return self._texts[index]

    @cached_property
    def poppler_texts(self) -> list[str]:
        """Each page's text as `pdftotext` (poppler, a second reader) sees it."""
        text = subprocess.run(
            [pdftotext(), "-layout", str(self.path), "-"], check=True, capture_output=True
        ).stdout.decode("utf-8")
        return text.split("\f")[: len(self)]

    def footer(self, index: int) -> str:
        """The words of a page's lowest line of body-sized text (its footer)."""
        words = [word for word in self.words[index] if word[3] - word[1] < 20]
        if not words:
            return ""
        lowest = max(word[1] for word in words)
        return " ".join(word[4] for word in words if abs(word[1] - lowest) < 1)

    @cached_property
    def named_destinations(self) -> dict[str, int]:
        """Named destination -> 0-based page index."""
        return {
            name: self.reader.get_destination_page_number(dest) for name, dest in self.reader.named_destinations.items()
        }

    @cached_property
    def outline(self) -> list[tuple[int, str, int]]:
        """The PDF's bookmarks as (level, title, page index), in order."""
        found = []

        def walk(items, level):
            for item in items:
                if isinstance(item, list):
                    walk(item, level + 1)
                else:
                    found.append((level, item.title, self.reader.get_destination_page_number(item)))

        walk(self.reader.outline, 1)
        return found

    def _page_of(self, ref) -> int | None:
        return self._page_index.get(getattr(ref, "idnum", None))

    @cached_property
    def words(self) -> list[list[tuple[float, float, float, float, str]]]:
        """Each page's words as (x0, top, x1, bottom, text), top-left origin, from `pdftotext -bbox`."""
        xml = subprocess.run(
            [pdftotext(), "-bbox", str(self.path), "-"], check=True, capture_output=True
        ).stdout.decode("utf-8")
        pages = []
        for page in re.split(r"<page\b", xml)[1:]:
            pages.append(
                [
                    (float(x0), float(y0), float(x1), float(y1), unescape_xml(word))
                    for x0, y0, x1, y1, word in re.findall(
                        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>', page
                    )
                ]
            )
        return pages

    @cached_property
    def links(self) -> list[PdfLink]:
        found = []
        for index, page in enumerate(self.reader.pages):
            height = float(page.mediabox.height)
            for annot in page.get("/Annots") or []:
                annot = annot.get_object()
                if annot.get("/Subtype") != "/Link":
                    continue
                for rect in self._link_areas(annot, height):
                    found.append(self._link(index, annot, rect))
        return found

    @staticmethod
    def _link_areas(annot, height: float) -> list[tuple[float, float, float, float]]:
        """A link's areas, top-down coordinates: one per QuadPoints quadrilateral when it has them
        (a tagged PDF makes one annotation of a link broken across lines), else its Rect."""
        quads = [float(v) for v in annot.get("/QuadPoints") or []]
        corners = [quads[i : i + 8] for i in range(0, len(quads) - 7, 8)] or [[float(v) for v in annot["/Rect"]]]
        areas = []
        for corner in corners:
            xs, ys = corner[0::2], corner[1::2]
            areas.append((min(xs), height - max(ys), max(xs), height - min(ys)))
        return areas

    def _link(self, index: int, annot, rect) -> PdfLink:
        link = PdfLink(index, rect)
        dest, action = annot.get("/Dest"), annot.get("/A")
        if action is not None:
            action = action.get_object()
            if action.get("/S") == "/URI":
                link.uri = str(action["/URI"])
            elif action.get("/S") == "/GoTo":
                dest = action.get("/D")
            else:
                raise AssertionError(f"page {index + 1}: unexpected link action {action}")
        if dest is not None:
            dest = dest.get_object() if hasattr(dest, "get_object") else dest
            if isinstance(dest, str):
                link.name = str(dest)
            else:  # an explicit destination: [page, /XYZ, left, top, zoom]
                link.dest_page = self._page_of(dest[0])
                if link.dest_page is None:
                    link.dest_page = -1  # points at no page of this document
        link.text = self._words_in(index, link.rect)
        return link

    def contents(self, before_page: int) -> list[tuple[str, str, str]]:
        """(destination, title, page) of each entry of the printed contents: the named links on the
        pages before before_page, the pieces of one entry (title, leader dots, page number) joined."""
        entries: list[tuple[str, list[str]]] = []
        for link in self.links:
            if link.page >= before_page or link.name is None:
                continue
            if entries and entries[-1][0] == link.name:
                entries[-1][1].append(link.text)
            else:
                entries.append((link.name, [link.text]))
        # A tagged PDF (PDF/UA) links each entry as one run: title, leader dots and page together.
        found = []
        for name, texts in entries:
            joined = " ".join(texts).strip()
            title, _, page = joined.rpartition(" ")
            found.append((name, re.sub(r"(?:\s*\.)+$", "", title).strip(), page))
        return found

    def _same_line(self, index: int, rect) -> list[tuple[float, float, float, float, str]]:
        top, bottom = rect[1], rect[3]
        return [word for word in self.words[index] if top - 0.5 <= (word[1] + word[3]) / 2 <= bottom + 0.5]

    def ends_line(self, index: int, rect) -> bool:
        """No word on the same line to the right of rect."""
        return not any(word[0] >= rect[2] - 0.5 for word in self._same_line(index, rect))

    def starts_line(self, index: int, rect) -> bool:
        """No word on the same line to the left of rect."""
        return not any(word[2] <= rect[0] + 0.5 for word in self._same_line(index, rect))

    def _words_in(self, index: int, rect) -> str:
        """The text under a link's rectangle.

        pdftotext gives words, not letters: punctuation that follows a link ("Annex VI.") shares its
        word, so what sticks out of the rectangle is cut off, in proportion to the word's width.
        Words much taller than the line (the rotated DRAFT mark behind the text) are not the link's.
        """
        x0, top, x1, bottom = rect
        inside = []
        for wx0, wtop, wx1, wbottom, word in self.words[index]:
            cx, cy = (wx0 + wx1) / 2, (wtop + wbottom) / 2
            if not (x0 - 0.5 <= cx <= x1 + 0.5 and top - 0.5 <= cy <= bottom + 0.5):
                continue
            if wbottom - wtop > 2 * (bottom - top):
                continue
            per_char = (wx1 - wx0) / max(len(word), 1)
            if wx1 > x1 + 0.5:
                cut = max(1, round((wx1 - x1) / per_char))
                while cut and word and word[-1] in PUNCTUATION:
                    word, cut = word[:-1], cut - 1
            if wx0 < x0 - 0.5:
                cut = max(1, round((x0 - wx0) / per_char))
                while cut and word and word[0] in PUNCTUATION:
                    word, cut = word[1:], cut - 1
            inside.append(word.strip())
        return " ".join(inside)


PUNCTUATION = set(".,;:!?()[]{}'\"‘’“”«»")


def unescape_xml(text: str) -> str:
    return (
        text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", '"')
        .replace("&apos;", "'")
        .replace("&amp;", "&")
    )


def merge_link_runs(pdf: Pdf, links: list[PdfLink]) -> list[PdfLink]:
    """Join the pieces of one link that Typst splits: at a line or page break, and around the hyphen
    it adds when it hyphenates the link's text ("Recom-" + "mendation 5A" is "Recommendation 5A").

    Pieces belong together when they share a target and either touch on one line, or the first
    ends its line and the next starts the following line.
    """
    merged: list[PdfLink] = []
    for link in links:
        last = merged[-1] if merged else None
        touching = (
            last is not None
            and link.page == last.page
            and abs(link.rect[1] - last.rect[1]) < 1
            and abs(link.rect[0] - last.rect[2]) < 1
        )
        wrapped = (
            last is not None
            and (link.page == last.page and link.rect[1] > last.rect[3] - 1 or link.page == last.page + 1)
            and pdf.ends_line(last.page, last.rect)
            and pdf.starts_line(link.page, link.rect)
        )
        if last is not None and last.name is not None and last.name == link.name and (touching or wrapped):
            head, tail = last.text, link.text
            if head.endswith(("-", "\xad")) and tail[:1].islower():
                text = head[:-1] + tail
            else:
                text = " ".join(t for t in (head, tail) if t)
            merged[-1] = PdfLink(link.page, link.rect, last.name, None, None, text)
        else:
            merged.append(link)
    return merged


# --------------------------------------------------------------------------------------------
# DOCX: python-docx for paragraphs and styles, the package's XML for fields, links and bookmarks
# --------------------------------------------------------------------------------------------

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def w(name: str) -> str:
    return f"{{{W}}}{name}"


class Docx:
    def __init__(self, path: Path):
        import docx

        self.path = path
        self.document = docx.Document(str(path))
        with zipfile.ZipFile(path) as package:
            self.parts = {name: package.read(name) for name in package.namelist()}

    def xml(self, part: str) -> ET.Element:
        return ET.fromstring(self.parts[part])

    @cached_property
    def headings(self) -> list[tuple[int, str]]:
        found = []
        for paragraph in self.document.paragraphs:
            m = re.fullmatch(r"Heading (\d)", paragraph.style.name)
            if m:
                found.append((int(m.group(1)), paragraph.text))
        return found

    def paragraphs(self, style: str) -> list[str]:
        return [p.text for p in self.document.paragraphs if p.style.name == style]

    @cached_property
    def text(self) -> str:
        return "\n".join(p.text for p in self.document.paragraphs)

    def instr_texts(self) -> list[str]:
        return [e.text or "" for e in self.xml("word/document.xml").iter(w("instrText"))]

    def hyperlinks(
        self, part: str = "word/document.xml", contents: bool = False
    ) -> list[tuple[str | None, str | None, str]]:
        """(anchor, relationship id, text) of each w:hyperlink, in order; the entries of the table of
        contents (a w:sdt) only when asked for."""
        root = self.xml(part)
        in_contents = {id(link) for sdt in root.iter(w("sdt")) for link in sdt.iter(w("hyperlink"))}
        found = []
        for link in root.iter(w("hyperlink")):
            if id(link) in in_contents and not contents:
                continue
            text = "".join(t.text or "" for t in link.iter(w("t")))
            found.append((link.get(w("anchor")), link.get(f"{{{R}}}id"), text))
        return found

    def contents(self) -> list[tuple[str | None, str, str]]:
        """(bookmark, title, page) of each entry of the contents field (a w:sdt), in order: the
        title is the text before the entry's tab, the page the text after it."""
        found = []
        for sdt in self.xml("word/document.xml").iter(w("sdt")):
            for link in sdt.iter(w("hyperlink")):
                parts: list[str] = []
                current: list[str] = []
                for node in link.iter():
                    if node.tag == w("tab"):
                        parts.append("".join(current))
                        current = []
                    elif node.tag == w("t"):
                        current.append(node.text or "")
                parts.append("".join(current))
                found.append((link.get(w("anchor")), parts[0], parts[-1]))
        return found

    def bookmarks(self) -> set[str]:
        names = set()
        for part in ("word/document.xml", "word/footnotes.xml"):
            if part in self.parts:
                names.update(b.get(w("name")) for b in self.xml(part).iter(w("bookmarkStart")))
        return names

    def footnotes(self) -> list[str]:
        """The text of each real footnote (not Word's separators)."""
        if "word/footnotes.xml" not in self.parts:
            return []
        notes = []
        for note in self.xml("word/footnotes.xml").iter(w("footnote")):
            if note.get(w("type")) in ("separator", "continuationSeparator", "continuationNotice"):
                continue
            notes.append(squash("".join(t.text or "" for t in note.iter(w("t")))))
        return notes

    def footnote_references(self) -> int:
        return sum(1 for _ in self.xml("word/document.xml").iter(w("footnoteReference")))

    def relationships(self, part: str = "word/_rels/document.xml.rels") -> dict[str, tuple[str, str | None]]:
        """Relationship id -> (target, target mode)."""
        ns = "{http://schemas.openxmlformats.org/package/2006/relationships}"
        return {
            rel.get("Id"): (rel.get("Target"), rel.get("TargetMode"))
            for rel in self.xml(part).iter(f"{ns}Relationship")
        }
