"""Killing atbib with SIGKILL at random moments, for the kill tests (tests/test_kill.py,
tests/test_kill_writers.py).

A kill lands either after a random delay or just as the command writes its k-th file: the
watcher sees the temporary files ``write_text_atomic`` creates (``.NAME.XXXXXXXX.tmp``), so
kills inside a write, the moments that matter, are not left to chance.
"""

from __future__ import annotations

import random
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path

TEMPORARY = re.compile(r"^\.(?P<target>.+)\.[A-Za-z0-9_]+\.tmp$")
"""A temporary file of atbib's atomic writes; ``target`` is the file it would replace."""


def kill_atbib(
    argv: list[str],
    cwd: Path,
    rng: random.Random,
    *,
    seconds: float,
    writes: int,
    temporaries: Callable[[], set[str]],
    env: Mapping[str, str] | None = None,
) -> tuple[bool, str]:
    """Start ``atbib ARGV`` in ``cwd`` and SIGKILL it after a random delay within ``seconds``
    (about one whole run) or as it writes its k-th of ``writes`` files (new names in
    ``temporaries()``). Returns whether it was killed (rather than finishing first), and how."""
    before = temporaries()
    proc = subprocess.Popen(
        [sys.executable, "-m", "atbib", *argv],
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=None if env is None else dict(env),
    )
    try:
        if rng.random() < 0.5:
            how = "after a random delay"
            try:
                proc.wait(timeout=rng.uniform(0, seconds))
            except subprocess.TimeoutExpired:
                proc.send_signal(signal.SIGKILL)
        else:
            k = rng.randint(1, writes)
            how = f"while writing file {k}"
            seen: set[str] = set()
            deadline = time.monotonic() + 60
            while proc.poll() is None and time.monotonic() < deadline:
                seen |= temporaries() - before
                if len(seen) >= k:
                    time.sleep(rng.uniform(0, 0.003))
                    break
            proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(timeout=60)
    return proc.returncode == -signal.SIGKILL, how
