"""Reading and writing the files atbib owns, safely.

Every write replaces the file atomically: the new text goes to a temporary file in the same
folder, is flushed and fsync'ed, then renamed over the old file. An interrupted run leaves the
old file or the new one, never a mix, but a process killed between creating the temporary
file and the rename (SIGKILL, a power cut) leaves the temporary file behind:
:func:`leftover_temporaries` finds such files so the next run, holding the write lock, can
remove them before anyone commits them.
"""

from __future__ import annotations

import difflib
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from atbib.errors import AtbibError

TEMPORARY_SUFFIX = ".tmp"
_TEMPORARY = re.compile(r"^\.(?P<target>.+)\.[A-Za-z0-9_]+" + re.escape(TEMPORARY_SUFFIX) + "$")


def read_text(path: str | os.PathLike[str]) -> str:
    """The file's text, strictly UTF-8: a file in another encoding is refused, naming the byte
    offset, rather than silently mangled."""
    data = Path(path).read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise AtbibError(
            f"{path}: not UTF-8 text (invalid byte 0x{data[exc.start]:02x} at byte offset "
            f"{exc.start}); convert the file to UTF-8 first"
        ) from None


def source_text(
    source: str | os.PathLike[str] | None,
    text: str | None,
    name: str | None,
    *,
    is_text: Callable[[str], bool],
) -> tuple[str, str]:
    """``(text, name)`` of what a ``read_*`` function was given: a file (*source*, a
    path-like or a ``str`` that *is_text* does not take for text) or the text itself (*text*,
    or a *source* that *is_text* takes for text). A missing file is an :class:`AtbibError`
    naming it: a typo in a file name must never read as an empty input."""
    if (source is None) == (text is None):
        raise TypeError("give either a file or text=..., not both or neither")
    if text is None and isinstance(source, str) and is_text(source):
        text = source
    if text is not None:
        return text, name or "<text>"
    assert source is not None
    try:
        found = Path(source)
        is_file, is_dir = found.is_file(), found.is_dir()
    except (OSError, ValueError):  # too long, a NUL byte
        raise AtbibError(f"{os.fspath(source)[:200]!r}: not a file name") from None
    if not is_file:
        what = "is a folder, not a file" if is_dir else "no such file"
        raise AtbibError(f"{os.fspath(source)[:200]}: {what}")
    return read_text(source), name or os.fspath(source)


_CHUNK = 1 << 20
"""Characters encoded (or bytes compared) at a time: a 50 MB bib/all.bib is never held twice."""


def has_bytes(path: str | os.PathLike[str], data: bytes) -> bool:
    """Whether the file holds exactly ``data``, compared piece by piece (a 50 MB bib/all.bib is
    never read whole)."""
    view = memoryview(data)
    with open(path, "rb") as handle:
        for start in range(0, len(data), _CHUNK):
            piece = view[start : start + _CHUNK]
            if handle.read(len(piece)) != piece:
                return False
        return not handle.read(1)


def write_text_atomic(path: str | os.PathLike[str], text: str) -> None:
    """Replace ``path`` with ``text`` (UTF-8, line endings exactly as given)."""
    _write_atomic(
        path,
        (text[start : start + _CHUNK].encode("utf-8") for start in range(0, len(text), _CHUNK)),
    )


def write_bytes_atomic(path: str | os.PathLike[str], data: bytes) -> None:
    """Replace ``path`` with ``data``."""
    _write_atomic(path, (data,))


def _write_atomic(path: str | os.PathLike[str], chunks: Iterable[bytes]) -> None:
    target = Path(path)
    tmp = _prepare(target, chunks)
    try:
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(target.parent)


def write_files_atomic(files: Sequence[tuple[Path, bytes]]) -> None:
    """Replace several files together, in the order given: every new file is written and
    fsync'ed beside its target first, and only when all are ready are they renamed over the
    targets. A folder that cannot be written stops it before any file is replaced, with an
    :class:`AtbibError` naming the folder; so one command's files never go half written."""
    prepared: list[tuple[Path, Path]] = []
    try:
        for target, data in files:
            try:
                prepared.append((_prepare(target, (data,)), target))
            except OSError as exc:
                raise AtbibError(
                    f"cannot write in {_shown(target.parent)}/ ({exc.strerror or exc}); "
                    "nothing was changed"
                ) from None
        for position, (tmp, target) in enumerate(prepared):
            os.replace(tmp, target)
            prepared[position] = (target, target)
    finally:
        for tmp, target in prepared:
            if tmp != target:
                tmp.unlink(missing_ok=True)
    for folder in dict.fromkeys(target.parent for target, _ in files):
        _fsync_dir(folder)


def _prepare(target: Path, chunks: Iterable[bytes]) -> Path:
    """The new content of *target* in a temporary file beside it, flushed to disk, with the
    target's permissions (a new file's follow the umask)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=TEMPORARY_SUFFIX, dir=target.parent
    )
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as handle:
            for chunk in chunks:
                handle.write(chunk)
            handle.flush()
            os.fsync(handle.fileno())
        if target.exists():
            os.chmod(tmp, target.stat().st_mode & 0o7777)
        else:
            os.chmod(tmp, 0o666 & ~_umask())
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def _shown(folder: Path) -> str:
    """A folder as the user would type it: relative to the current folder when inside it."""
    relative = os.path.relpath(folder)
    return str(folder) if relative.startswith("..") else relative


def unified_diff(name: str, before: str, after: str) -> str:
    """What a write changes, as ``diff -u`` shows it (``a/NAME`` and ``b/NAME``; an empty
    *before* for a new file, an empty *after* for a removed one)."""
    lines = difflib.unified_diff(
        before.splitlines(keepends=True),
        after.splitlines(keepends=True),
        f"a/{name}" if before else "/dev/null",
        f"b/{name}" if after else "/dev/null",
    )
    return "".join(
        line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines
    )


def leftover_temporaries(
    folder: str | os.PathLike[str], owned: Callable[[str], bool] = lambda name: True
) -> list[Path]:
    """Temporary files :func:`write_text_atomic` left in ``folder`` when a run was killed
    mid-write (``.NAME.XXXXXXXX.tmp``), for the targets ``owned`` accepts. Only call this
    while holding the write lock: another writer's temporary files are not leftovers."""
    found: list[Path] = []
    base = Path(folder)
    if not base.is_dir():
        return found
    for path in sorted(base.iterdir()):
        match = _TEMPORARY.match(path.name)
        if match and owned(match.group("target")) and path.is_file():
            found.append(path)
    return found


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _fsync_dir(folder: Path) -> None:
    """Make the rename itself durable (POSIX); a no-op where directories cannot be opened."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
