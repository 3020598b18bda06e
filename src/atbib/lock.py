"""One writer at a time: a lock file beside the list.

Two atbib processes writing the same repository would interleave README.md, bib/ and the
sync state. Every command that writes takes an exclusive ``flock`` on ``.atbib.lock`` in the
project folder first; a second process waits for it (saying so), and gives up with a clear
message after a timeout. The kernel drops the lock when a process dies, so a crash never
leaves the repository locked.

The holder removes the file before it lets go, so no ``.atbib.lock`` is left for ``git status``
to show (only a killed run leaves one, which the next run takes and removes). A waiter may
then hold a lock on a file that is no longer there: it checks, after locking, that the path
still names the file it locked, and tries again otherwise, so two processes never both
believe they hold the lock.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from atbib.errors import AtbibError

LOCK_NAME = ".atbib.lock"


@contextmanager
def write_lock(
    folder: Path,
    *,
    timeout: float = 30.0,
    on_wait: Callable[[str], None] | None = None,
) -> Iterator[None]:
    """Hold the repository's write lock for the duration of the block."""
    path = folder / LOCK_NAME
    deadline = time.monotonic() + timeout
    announced = False
    while True:
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise AtbibError(
                f"cannot write in {folder} ({exc.strerror or exc}); nothing was changed"
            ) from None
        try:
            if _try_lock(fd, path):
                break
            holder = _holder(fd)
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)
        if time.monotonic() >= deadline:
            raise AtbibError(
                f"another atbib process{holder} is writing {folder}; "
                f"gave up after {timeout:g} s (remove nothing: the lock frees itself "
                "when that process ends)"
            )
        if not announced and on_wait is not None:
            on_wait(f"waiting for another atbib process{holder} writing {folder}")
            announced = True
        time.sleep(0.05)
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        with contextlib.suppress(OSError):
            path.unlink()
        os.close(fd)


def _try_lock(fd: int, path: Path) -> bool:
    """Whether this process now holds the lock of the file *path* names: locked, and the path
    still names the file locked (its holder removes it before letting go)."""
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        if exc.errno not in (errno.EAGAIN, errno.EACCES):
            raise
        return False
    try:
        named = os.stat(path)
    except FileNotFoundError:
        return False
    locked = os.fstat(fd)
    return (named.st_dev, named.st_ino) == (locked.st_dev, locked.st_ino)


def _holder(fd: int) -> str:
    try:
        pid = os.pread(fd, 32, 0).decode().strip()
    except (OSError, UnicodeDecodeError):
        return ""
    return f" (pid {pid})" if pid.isdigit() else ""
