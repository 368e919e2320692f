"""Every file the toolchain opens or writes: inside the repository, regular, bounded, no symlink out.

Reading: a file is opened only after `lstat` says it is a regular file whose real path stays inside
the report root and whose size is under the limit; it is opened non-blocking and without following
a final symlink, and `fstat` must agree with `lstat` (so a FIFO, a device or a swapped file never
blocks or leaks). Writing: every folder from the root down and the file itself must be real
(no symlink), and the new content replaces the old through a temporary file in the same folder.
"""

from __future__ import annotations

import errno
import os
import posixpath
import stat
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from .model import KIND_FOLDERS

O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
O_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
O_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
O_BINARY = getattr(os, "O_BINARY", 0)


class UnsafePath(Exception):
    """A path the toolchain refuses to read or write; the message says why in plain words."""


@dataclass(frozen=True)
class Refusal:
    """Why a file was not read: a check code and a message, for a located diagnostic."""

    code: str
    message: str


def inside(root: Path, path: Path) -> bool:
    """True when path, with every symlink resolved, stays inside root."""
    try:
        path.resolve(strict=False).relative_to(root.resolve())
        return True
    except (ValueError, OSError, RuntimeError):
        return False


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


def examine(root: Path, path: Path, limit: int) -> tuple[Path, os.stat_result] | Refusal:
    """The real path and lstat of a readable file, or why it must not be read."""
    try:
        real = path.resolve(strict=True)
    except RuntimeError:  # Python 3.11 reports a symlink loop this way
        return Refusal("file.unreadable", "this file is a symlink loop; replace the link by the file")
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return Refusal("file.unreadable", "this file is a symlink loop; replace the link by the file")
        return Refusal("file.unreadable", f"this file cannot be read: {exc.strerror or exc}")
    try:
        real.relative_to(root.resolve())
    except ValueError:
        return Refusal("file.outside", "this file is a link to a place outside the repository; it was not read")
    info = os.lstat(real)
    if not stat.S_ISREG(info.st_mode):
        return Refusal("file.special", f"this is {_kind(info.st_mode)}, not a file; it was not read")
    if info.st_size > limit:
        return Refusal(
            "file.too-large",
            f"this file is {info.st_size / 1048576:.1f} MiB; the limit is {limit / 1048576:g} MiB per file: split it",
        )
    return real, info


def read_bytes(root: Path, path: Path, limit: int) -> bytes | Refusal:
    """The bytes of a regular file inside root, or why it was not read (never blocks on a FIFO)."""
    found = examine(root, path, limit)
    if isinstance(found, Refusal):
        return found
    real, info = found
    try:
        fd = os.open(real, os.O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_BINARY)
    except OSError as exc:
        return Refusal("file.unreadable", f"this file cannot be read: {exc.strerror or exc}")
    try:
        opened = os.fstat(fd)
        if not stat.S_ISREG(opened.st_mode) or (opened.st_ino, opened.st_dev) != (info.st_ino, info.st_dev):
            return Refusal("file.unreadable", "this file changed while it was being read; try again")
        chunks, remaining = [], limit + 1
        while remaining > 0:
            chunk = os.read(fd, min(remaining, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
    finally:
        os.close(fd)
    data = b"".join(chunks)
    if len(data) > limit:
        return Refusal("file.too-large", f"this file is over the limit of {limit / 1048576:g} MiB per file: split it")
    return data


def regular_files(root: Path, folder: Path) -> tuple[list[Path], list[tuple[Path, Refusal]]]:
    """Every file under folder, walked without following symlinked folders: the regular files
    inside root, and each other entry (symlink out, loop, FIFO, device) with why it was left out."""
    found: list[Path] = []
    refused: list[tuple[Path, Refusal]] = []
    if not folder.is_dir() or folder.is_symlink():
        return found, refused
    for current, dirs, files in os.walk(folder, followlinks=False):
        base = Path(current)
        for name in sorted(dirs):
            if (base / name).is_symlink():
                refused.append(
                    (
                        base / name,
                        Refusal(
                            "file.outside" if not inside(root, base / name) else "file.special",
                            "this folder is a symbolic link; it was not read and is left out of the editions",
                        ),
                    )
                )
        dirs[:] = sorted(d for d in dirs if not (base / d).is_symlink())
        for name in sorted(files):
            path = base / name
            result = examine(root, path, 1 << 62)
            if isinstance(result, Refusal):
                refused.append((path, result))
            else:
                found.append(path)
    return found, refused


def is_content(rel: str) -> bool:
    """A chapter, recommendation or annex (a Markdown file directly in its folder): what has an owner.
    rel is relative to the report root, with forward slashes."""
    folder, _, name = rel.rpartition("/")
    return name.endswith(".md") and folder in KIND_FOLDERS.values()


def link_target(root: Path, source: str, target: str) -> tuple[str, str, str | None]:
    """A link written in the file `source` (root-relative, POSIX), split into path and anchor, and
    the root-relative file it names (None when it leaves the repository: '..', absolute, symlink)."""
    path, _, anchor = target.partition("#")
    path = unquote(path.split("?", 1)[0])
    if not path:
        return path, anchor, source
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(source), path))
    if joined.startswith("../") or joined == ".." or path.startswith("/") or "\0" in joined:
        return path, anchor, None
    if not inside(root, root / joined):
        return path, anchor, None
    return path, anchor, joined


def _real_folders(root: Path, relative: Path) -> Path:
    """Create (or walk) the folders from root to relative, refusing any that is a symlink."""
    current = root
    for part in relative.parts:
        current = current / part
        try:
            info = os.lstat(current)
        except FileNotFoundError:
            current.mkdir()
            continue
        if stat.S_ISLNK(info.st_mode):
            raise UnsafePath(
                f"{current.relative_to(root).as_posix()} is a symbolic link; the toolchain "
                "writes only into real folders of the repository: replace the link by a folder"
            )
        if not stat.S_ISDIR(info.st_mode):
            raise UnsafePath(f"{current.relative_to(root).as_posix()} is not a folder")
    return current


def write_bytes(root: Path, rel: str, data: bytes) -> None:
    """Replace root/rel by data, whole or not at all, never through a symlink."""
    root = root.resolve()
    target = Path(rel)
    folder = _real_folders(root, target.parent)
    path = folder / target.name
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        info = None
    if info is not None and not stat.S_ISREG(info.st_mode):
        what = "a symbolic link" if stat.S_ISLNK(info.st_mode) else _kind(info.st_mode)
        raise UnsafePath(
            f"{rel} is {what}; the toolchain writes only regular files inside the repository: "
            "remove it and run the command again"
        )
    temporary = folder / f".{target.name}.tmp-{os.getpid()}"
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_BINARY, 0o644)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def clear_reserved(path: Path, links: bool = True) -> None:
    """Remove whatever holds a name the toolchain reserves for itself (its lock file, its staging
    folder) when it is not what the toolchain would have made there: a FIFO, a socket, and unless
    told otherwise a symbolic link (removed, never followed). A real folder or file is left alone."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return
    if (links and stat.S_ISLNK(info.st_mode)) or stat.S_ISFIFO(info.st_mode) or stat.S_ISSOCK(info.st_mode):
        os.unlink(path)


def open_lock_file(path: Path) -> int:
    """A file descriptor on a lock file, created if needed, never through a symlink (a link there is
    refused: someone put it where the toolchain writes)."""
    clear_reserved(path, links=False)
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK, 0o644)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise UnsafePath(f"the lock file {path} is a symbolic link; remove it and build again") from None
        raise UnsafePath(f"the lock file {path} cannot be opened: {exc.strerror or exc}") from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise UnsafePath(f"the lock file {path} is not a regular file; remove it and build again")
    return fd
