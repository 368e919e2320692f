"""Opening a DOCX that came from outside: the file, the zip archive and the XML, each within limits.

A reviewed DOCX arrives by mail; it may be damaged, or made to hurt whoever opens it. Here:

- the file is read only if `lstat` says it is a regular file (not a symbolic link, a FIFO, a
  device or a folder), opened without following a link and without blocking, and under MAX_FILE;
- the archive's entries are checked before any is read: at most MAX_PARTS, names that stay inside
  the package (no absolute path, no '..', no backslash, no NUL), no duplicates, each part under
  MAX_PART once unpacked, all parts together under MAX_TOTAL, and no part unpacking to more than
  MAX_RATIO times its packed size (a zip bomb); each part is read in chunks, never past its limit;
- the XML is parsed by lxml with entities left unresolved, no DTD loaded and no network, within
  libxml2's default size limits; a part that declares a DTD at all is refused (no word processor
  writes one): no entity is ever expanded (billion laughs) and no external entity or DTD is read
  (an entity naming /etc/passwd).

Every refusal is a `BadDocx` whose message says what is wrong in plain words.
"""

from __future__ import annotations

import io
import os
import posixpath
import stat
import zipfile
import zlib
from pathlib import Path

from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type hints

from .paths import O_BINARY, O_CLOEXEC, O_NOFOLLOW, O_NONBLOCK

MAX_FILE = 100 * 1024 * 1024  # a report's DOCX with its figures is a few megabytes
MAX_PARTS = 5000
MAX_PART = 48 * 1024 * 1024  # the document of a 2,000-section report is about 15 MB
MAX_TOTAL = 256 * 1024 * 1024
MAX_RATIO = 200  # XML packs 5-20 times; a zip bomb packs thousands of times
RATIO_FROM = 1024 * 1024  # small parts may pack as well as they like
MAX_DEPTH = 256  # libxml2's own limit; Word nests a few dozen elements deep
RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE_DOCUMENT = "/officeDocument"  # the end of the relationship type naming the main part


class BadDocx(Exception):
    """The file is not a DOCX that can be read safely; the message says why in plain words."""


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def read_file(path: Path, limit: int = MAX_FILE) -> bytes:
    """The bytes of a regular file, never through a symbolic link and never blocking on a FIFO."""
    try:
        info = os.lstat(path)
    except OSError as exc:
        raise BadDocx(f"cannot be read: {exc.strerror or exc}") from None
    if stat.S_ISLNK(info.st_mode):
        raise BadDocx("is a symbolic link: give the DOCX file itself (links are not followed)")
    if not stat.S_ISREG(info.st_mode):
        raise BadDocx(f"is {_kind(info.st_mode)}, not a DOCX file")
    if info.st_size > limit:
        raise BadDocx(f"is {info.st_size / 1048576:.1f} MiB; a DOCX of the report is under {limit >> 20} MiB")
    try:
        fd = os.open(path, os.O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_BINARY)
    except OSError as exc:
        raise BadDocx(f"cannot be read: {exc.strerror or exc}") from None
    try:
        opened = os.fstat(fd)
        if not stat.S_ISREG(opened.st_mode) or (opened.st_ino, opened.st_dev) != (info.st_ino, info.st_dev):
            raise BadDocx("changed while it was being opened; try again")
        with os.fdopen(os.dup(fd), "rb") as handle:
            data = handle.read(limit + 1)
    finally:
        os.close(fd)
    if len(data) > limit:
        raise BadDocx(f"is over {limit >> 20} MiB")
    return data


def _check_name(name: str) -> None:
    parts = name.split("/")
    if (
        not name
        or name.startswith("/")
        or "\\" in name
        or "\0" in name
        or ":" in parts[0]
        or any(p in ("..", ".") for p in parts)
    ):
        raise BadDocx(
            f"holds a part named {name[:80]!r}, which points outside the package: "
            "this is not a DOCX that Word or LibreOffice writes"
        )


def _check_sizes(infos: list[zipfile.ZipInfo]) -> None:
    if len(infos) > MAX_PARTS:
        raise BadDocx(f"holds {len(infos):,} parts; a DOCX holds a few dozen")
    total = 0
    for info in infos:
        if info.file_size > MAX_PART:
            raise BadDocx(
                f"holds a part ({info.filename[:80]}) of {info.file_size / 1048576:.0f} MiB "
                f"unpacked; the limit is {MAX_PART >> 20} MiB"
            )
        if info.file_size > RATIO_FROM and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise BadDocx(
                f"holds a part ({info.filename[:80]}) that unpacks to "
                f"{info.file_size // max(info.compress_size, 1):,} times its size: a zip bomb"
            )
        total += info.file_size
    if total > MAX_TOTAL:
        raise BadDocx(f"unpacks to {total / 1048576:.0f} MiB; the limit is {MAX_TOTAL >> 20} MiB")


class Package:
    """The parts of a DOCX, read one at a time within their limits."""

    def __init__(self, data: bytes):
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
            infos = self.zip.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError) as exc:
            raise BadDocx(f"is not a DOCX file (not a readable zip archive: {exc})") from None
        self.infos: dict[str, zipfile.ZipInfo] = {}
        for info in infos:
            _check_name(info.filename)
            if info.filename in self.infos:
                raise BadDocx(f"holds the part {info.filename[:80]!r} twice")
            self.infos[info.filename] = info
        _check_sizes(infos)

    @classmethod
    def open(cls, path: Path) -> Package:
        return cls(read_file(path))

    def has(self, name: str) -> bool:
        return name in self.infos

    def read(self, name: str) -> bytes:
        info = self.infos.get(name)
        if info is None:
            raise BadDocx(f"has no part {name}")
        chunks, size = [], 0
        try:
            with self.zip.open(info) as handle:
                while chunk := handle.read(1 << 20):
                    size += len(chunk)
                    if size > MAX_PART:
                        raise BadDocx(f"holds a part ({name}) larger than it says: a zip bomb")
                    chunks.append(chunk)
        except (zipfile.BadZipFile, NotImplementedError, RuntimeError, zlib.error, EOFError, OSError) as exc:
            raise BadDocx(f"is damaged: its part {name} cannot be unpacked ({exc})") from None
        return b"".join(chunks)

    def xml(self, name: str) -> etree._Element:
        """A part's XML tree; refused when it declares a DTD or entities, or is not well-formed."""
        data = self.read(name)
        parser = etree.XMLParser(
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            dtd_validation=False,
            huge_tree=False,
            remove_comments=True,
            remove_pis=True,
        )
        try:
            root = etree.fromstring(data, parser)
        except (etree.XMLSyntaxError, ValueError) as exc:
            if b"<!DOCTYPE" in data[:4096] or b"<!ENTITY" in data[:65536]:
                raise BadDocx(self._dtd(name)) from None
            if "Excessive depth" in str(exc):
                raise BadDocx(
                    f"is refused: its part {name} nests elements more than {MAX_DEPTH} deep, which no "
                    "word processor writes"
                ) from None
            raise BadDocx(f"is damaged: its part {name} is not well-formed XML ({exc})") from None
        docinfo = root.getroottree().docinfo
        if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
            raise BadDocx(self._dtd(name))
        return root

    @staticmethod
    def _dtd(name: str) -> str:
        return (
            f"is refused: its part {name} declares a DTD or entities, which no word processor writes "
            "and which could expand without end or read other files"
        )

    def related(self, source: str) -> dict[str, str]:
        """The parts a part points at: relationship type (its last path segment) -> part name."""
        folder, name = posixpath.split(source)
        rels = posixpath.join(folder, "_rels", name + ".rels")
        if not self.has(rels):
            return {}
        found: dict[str, str] = {}
        for rel in self.xml(rels).iter(f"{{{RELATIONSHIPS}}}Relationship"):
            kind, target = rel.get("Type", ""), rel.get("Target", "")
            if rel.get("TargetMode") == "External" or not target:
                continue
            joined = posixpath.normpath(
                target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
            )
            if joined.startswith("../") or joined == "..":
                raise BadDocx(f"points from {source} at {target[:80]!r}, outside the package")
            found.setdefault(kind.rsplit("/", 1)[-1], joined)
        return found

    def main_part(self) -> str:
        """The main document part, as the package's relationships name it."""
        main = self.related("").get(OFFICE_DOCUMENT.strip("/"))
        if main is None or not self.has(main):
            raise BadDocx("is not a Word document: it names no main document part")
        return main
