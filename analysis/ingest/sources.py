"""Where a corpus's bytes come from: the entries of a folder, compressed files, ZIP archives.

A folder is walked in a fixed order (names sorted at every level, hidden
entries left out). Each entry is either a file to read or, with its reason,
one that cannot be: a folder that cannot be listed, a broken symbolic link, a
FIFO or device, a link that leads outside the corpus folder (refused: a corpus
from elsewhere must not make the report show ``/etc/passwd``), or a link to a
folder (not followed: no cycles, and its files are read where they are).

Compressed files (``.gz``, ``.bz2``, ``.xz``) are read as the file inside
them, as a stream; a ``.zip`` archive is read like a folder, its members named
``archive.zip!member``.
"""

from __future__ import annotations

import bz2
import gzip
import lzma
import os
import stat
import zipfile
import zlib
from pathlib import Path, PurePosixPath
from typing import BinaryIO

__all__ = ["COMPRESSIONS", "ARCHIVE_SUFFIXES", "DAMAGED", "split_suffix", "open_compressed", "walk", "classify",
           "archive_members"]

COMPRESSIONS = (".gz", ".bz2", ".xz")
ARCHIVE_SUFFIXES = (".zip",)
# What a damaged compressed file or archive raises while it is read.
DAMAGED = (OSError, EOFError, zlib.error, lzma.LZMAError, zipfile.BadZipFile)

_KINDS = {stat.S_IFIFO: "a FIFO (named pipe)", stat.S_IFSOCK: "a socket", stat.S_IFCHR: "a character device",
          stat.S_IFBLK: "a block device"}


def split_suffix(name: str) -> tuple[str, str]:
    """The suffix that says what a file holds and its compression: ``a.jsonl.gz`` → ``(".jsonl", ".gz")``."""
    lowered = name.lower()
    for compression in COMPRESSIONS:
        if lowered.endswith(compression):
            return PurePosixPath(lowered[: -len(compression)]).suffix, compression
    return PurePosixPath(lowered).suffix, ""


def open_compressed(raw: BinaryIO, compression: str) -> BinaryIO:
    """A stream of the decompressed bytes of ``raw`` (``raw`` itself when not compressed)."""
    if compression == ".gz":
        return gzip.GzipFile(fileobj=raw, mode="rb")
    if compression == ".bz2":
        return bz2.BZ2File(raw, mode="rb")
    if compression == ".xz":
        return lzma.LZMAFile(raw, mode="rb")
    return raw


def _inside(target: str, root_real: str) -> bool:
    return target == root_real or target.startswith(root_real.rstrip(os.sep) + os.sep)


def classify(root: Path, name: str, root_real: str | None = None) -> str | None:
    """Why the entry ``name`` of the folder ``root`` cannot be read as a file (None when it can).

    Never opens the entry, so a FIFO cannot block the run.
    """
    root_real = root_real or os.path.realpath(root)
    path = os.path.join(root, name)
    try:
        status = os.lstat(path)
        if stat.S_ISLNK(status.st_mode):
            target = os.path.realpath(path)
            if not os.path.exists(target):
                return f"broken symbolic link (to {os.readlink(path)}, which does not exist)"
            if not _inside(target, root_real):
                return "symlink points outside the corpus folder"
            status = os.stat(path)
            if stat.S_ISDIR(status.st_mode):
                return "symlink to a folder: not followed (its files are read where they are)"
        if stat.S_ISDIR(status.st_mode):
            return None if os.access(path, os.R_OK | os.X_OK) else "folder cannot be read (Permission denied)"
        if not stat.S_ISREG(status.st_mode):
            return f"not a regular file: {_KINDS.get(stat.S_IFMT(status.st_mode), 'a special file')}"
    except OSError as error:
        return f"cannot be read ({error.strerror})"
    return None


def walk(root: Path) -> list[tuple[str, str | None]]:
    """Every entry of the folder ``root`` to read, in corpus order: ``(name, None)`` for a file,
    ``(name, reason)`` for one that cannot be read (see the module's notes).

    ``name`` is the path relative to ``root`` with ``/`` separators.
    """
    root_real = os.path.realpath(root)
    entries: list[tuple[str, str | None]] = []

    def visit(folder: str, prefix: str) -> None:
        try:
            with os.scandir(folder) as found:
                children = sorted(entry.name for entry in found)
        except OSError as error:
            entries.append((prefix.rstrip("/") or ".", f"folder cannot be read ({error.strerror})"))
            return
        for child in children:
            if child.startswith("."):
                continue
            name = prefix + child
            path = os.path.join(folder, child)
            if os.path.isdir(path) and not os.path.islink(path):
                visit(path, name + "/")
                continue
            entries.append((name, classify(root, name, root_real)))

    visit(str(root), "")
    return entries


def archive_members(archive: zipfile.ZipFile) -> list[tuple[str, str | None]]:
    """The members of a ZIP archive to read, sorted: ``(name, None)``, or ``(name, reason)`` for one
    that cannot be read. Folders, hidden members and macOS resource forks are left out."""
    members = []
    for info in sorted(archive.infolist(), key=lambda info: info.filename):
        parts = PurePosixPath(info.filename).parts
        if info.is_dir() or any(part.startswith(".") or part == "__MACOSX" for part in parts):
            continue
        reason = "encrypted member: not read" if info.flag_bits & 0x1 else None
        members.append((info.filename, reason))
    return members
