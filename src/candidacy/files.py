"""Files at the edge: read a regular file with a size cap, write one atomically, and nothing else.

A path given on the command line may name anything: a FIFO (reading it waits for a writer for ever),
a device (``/dev/zero`` never ends; renaming over ``/dev/full`` replaces the device), a folder or a
symbolic link into somewhere else. Reads open without blocking and check the open descriptor; writes
go to a temporary file beside the target and are renamed over it only when the target is a regular
file or does not exist yet.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path

from candidacy.errors import OutputError, Problem, SourceFileError

__all__ = ["MAX_BYTES", "file_kind", "read_limited", "write_atomic"]

MAX_BYTES = 1024 * 1024

_KINDS: tuple[tuple[Callable[[int], bool], str], ...] = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a device"),
    (stat.S_ISBLK, "a device"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISLNK, "a symbolic link"),
)


def file_kind(mode: int) -> str:
    """What a file that is not a regular file is, in words."""
    for test, words in _KINDS:
        if test(mode):
            return words
    return "not a regular file"


def read_limited(path: Path | str, display_name: str | None = None, limit: int = MAX_BYTES) -> bytes:
    """The bytes of a regular file, at most ``limit``; anything else raises SourceFileError.

    The file is opened without blocking (a FIFO would otherwise wait for a writer) and checked with
    ``fstat`` on the open descriptor, so nothing can be swapped in between the check and the read. The
    cap holds on what is read, not on what ``stat`` claimed (``/proc`` files report size 0).
    """
    name = display_name or str(path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise SourceFileError(Problem(f"cannot read file: {exc.strerror or exc}", file=name)) from exc
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise SourceFileError(Problem(f"cannot read {file_kind(info.st_mode)}: give a regular file", file=name))
        if info.st_size > limit:
            raise SourceFileError(Problem(f"file is {info.st_size} bytes; the limit is {_limit(limit)}", file=name))
        chunks: list[bytes] = []
        total = 0
        while chunk := os.read(fd, 65536):
            total += len(chunk)
            if total > limit:
                raise SourceFileError(Problem(f"file is larger than the limit of {_limit(limit)}", file=name))
            chunks.append(chunk)
        return b"".join(chunks)
    except OSError as exc:
        raise SourceFileError(Problem(f"cannot read file: {exc.strerror or exc}", file=name)) from exc
    finally:
        os.close(fd)


def _limit(limit: int) -> str:
    return f"{limit} bytes (1 MiB)" if limit == MAX_BYTES else f"{limit} bytes"


def _refuse_unless_regular(path: Path) -> None:
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return
    except OSError as exc:
        raise OutputError(Problem(f"cannot write: {exc.strerror or exc}", file=str(path))) from exc
    if not stat.S_ISREG(mode):
        raise OutputError(
            Problem(
                f"will not replace {file_kind(mode)}: give the path of a regular file or of a new file",
                file=str(path),
            )
        )


def write_atomic(path: Path | str, data: bytes) -> None:
    """Write ``data`` to ``path`` all or nothing, and durably (file and folder synced).

    Only a regular file or a new path is written; a device, FIFO, socket, folder or symbolic link is
    refused and left as it was. The data goes to a temporary file in the same folder, then a rename.
    """
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise OutputError(Problem(f"output folder does not exist: {folder}", file=str(path)))
    _refuse_unless_regular(path)
    try:
        handle, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise OutputError(Problem(f"cannot write here: {exc.strerror or exc}", file=str(path))) from exc
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        _refuse_unless_regular(path)  # again, just before the rename: the path may have changed meanwhile
        os.replace(tmp, path)
        _sync_folder(folder)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise OutputError(Problem(f"cannot write: {exc.strerror or exc}", file=str(path))) from exc
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX: fsync the directory)."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return  # not supported here (e.g. Windows): the data itself is synced
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
