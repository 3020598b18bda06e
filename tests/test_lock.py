"""Two writers never interleave: the second waits for the lock or stops with a message."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from atbib.errors import AtbibError
from atbib.lock import write_lock

HOLD = """
import sys, time
from pathlib import Path
from atbib.lock import write_lock
with write_lock(Path(sys.argv[1])):
    print("locked", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def _hold(folder: Path, seconds: float) -> subprocess.Popen[str]:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(folder), str(seconds)], stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
    return holder


def test_second_writer_stops_with_a_clear_message_after_the_timeout(tmp_path):
    holder = _hold(tmp_path, 5)
    try:
        expected = r"another atbib process \(pid \d+\) is writing"
        with pytest.raises(AtbibError, match=expected), write_lock(tmp_path, timeout=0.3):
            pass
    finally:
        holder.kill()
        holder.wait()


def test_second_writer_waits_for_the_first_and_says_so(tmp_path):
    holder = _hold(tmp_path, 0.5)
    messages: list[str] = []
    start = time.monotonic()
    with write_lock(tmp_path, timeout=10, on_wait=messages.append):
        waited = time.monotonic() - start
    holder.wait()
    assert waited > 0.2
    assert len(messages) == 1 and "waiting for another atbib process" in messages[0]


def test_a_killed_holder_never_leaves_the_repository_locked(tmp_path):
    holder = _hold(tmp_path, 60)
    holder.kill()
    holder.wait()
    with write_lock(tmp_path, timeout=1):
        pass


def test_export_commands_wait_for_each_other(tmp_path):
    (tmp_path / "README.md").write_text(
        "## A\n- T (ACL 2019) [[paper]](https://arxiv.org/abs/1901.00001)\n", encoding="utf-8"
    )
    holder = _hold(tmp_path, 1.0)
    result = subprocess.run(
        [sys.executable, "-m", "atbib", "export"], cwd=tmp_path, capture_output=True, text=True
    )
    holder.wait()
    assert result.returncode == 0
    assert "waiting for another atbib process" in result.stderr
    assert (tmp_path / "bib" / "all.bib").is_file()
