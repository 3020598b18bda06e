"""Two writers never interleave: the second waits for the lock or stops with a message."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from atbib.errors import AtbibError
from atbib.lock import write_lock
from tests.biglist import atbib, big_list, make_project, snapshot

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


# -- two real exports at once -------------------------------------------------------------------


def _expected_runs(tmp: Path, lists: dict[str, str]) -> dict[str, dict[str, bytes]]:
    """bib/ after each export of the four possible: ``a`` first, ``b`` first, ``a`` after
    ``b`` (``ba``) and ``b`` after ``a`` (``ab``); computed by running them one at a time."""
    runs: dict[str, dict[str, bytes]] = {}
    for order in ("ab", "ba"):
        folder = make_project(tmp / f"reference-{order}", "")
        for name, text in lists.items():
            (folder / f"{name}.md").write_text(text, encoding="utf-8")
        atbib(folder, "export", "--list", f"{order[0]}.md")
        runs[order[0]] = snapshot(folder / "bib")
        atbib(folder, "export", "--list", f"{order[1]}.md")
        runs[order] = snapshot(folder / "bib")
    return runs


def _watch(folder: Path, procs: list[subprocess.Popen[str]]) -> list[tuple[float, str, bytes]]:
    """Every version of every file of ``folder`` seen while the processes run: (time, name,
    content), in order. Atomic replacement gives each version a new inode."""
    seen: dict[str, tuple[int, int]] = {}
    events: list[tuple[float, str, bytes]] = []
    while True:
        running = any(p.poll() is None for p in procs)
        try:
            entries = list(os.scandir(folder))
        except FileNotFoundError:
            entries = []
        for entry in entries:
            if entry.name.endswith(".tmp"):
                continue
            try:
                stat = entry.stat()
                identity = (stat.st_ino, stat.st_mtime_ns)
                if seen.get(entry.name) != identity:
                    data = Path(entry.path).read_bytes()
                    seen[entry.name] = identity
                    events.append((time.monotonic(), entry.name, data))
            except FileNotFoundError:
                continue
        if not running:
            return events
        time.sleep(0.0005)


def _one_round(folder: Path, runs: dict[str, dict[str, bytes]]) -> str | None:
    """Start ``atbib export`` on a.md and on b.md at once; returns the order they ran in, or
    None when one finished before the other asked for the lock."""
    shutil.rmtree(folder / "bib", ignore_errors=True)
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "atbib", "export", "--list", f"{name}.md"],
            cwd=folder,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in "ab"
    ]
    events = _watch(folder / "bib", procs)
    outputs = [p.communicate(timeout=120) for p in procs]
    for proc, (_out, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, err
    waited = [i for i, (_, err) in enumerate(outputs) if "waiting for another atbib" in err]
    if not waited:
        return None  # they did not overlap (a very loaded machine): the round proves nothing
    assert len(waited) == 1
    order = "ab"[1 - waited[0]] + "ab"[waited[0]]
    first, second = runs[order[0]], runs[order]
    # Every version seen is the first run's or the second run's, and once the second run has
    # written a file, no file goes back to a version of the first run.
    second_started = False
    for _, name, data in events:
        if data == second.get(name) and data != first.get(name):
            second_started = True
        elif data == first.get(name) and data != second.get(name):
            assert not second_started, (
                f"{name} was written by the first export after the second began"
            )
        elif data not in (first.get(name), second.get(name)):
            raise AssertionError(f"bib/{name} held a version neither export writes alone")
    assert snapshot(folder / "bib") == second, "bib/ is not what the second export writes"
    return order


def test_two_exports_started_together_never_interleave(tmp_path, slow):
    size = 3000 if slow else 1500
    lists = {"a": big_list(size), "b": big_list(size, variant=1)}
    runs = _expected_runs(tmp_path, lists)
    for order in ("ab", "ba"):  # every file differs between the runs, so each write is told apart
        assert all(runs[order][n] != runs[order[0]].get(n) for n in runs[order] if n != "keys.tsv")
    folder = make_project(tmp_path / "shared", "")
    for name, text in lists.items():
        (folder / f"{name}.md").write_text(text, encoding="utf-8")
    rounds = 20 if slow else 1
    orders: list[str] = []
    for _ in range(rounds * 3 + 2):
        order = _one_round(folder, runs)
        if order:
            orders.append(order)
        if len(orders) == rounds:
            break
    assert len(orders) == rounds, "the two exports never overlapped"
    print(f"\n{rounds} rounds of two concurrent exports, never interleaved; orders: {orders}")


def test_no_lock_file_is_left_for_git_status_to_show(tmp_path):
    with write_lock(tmp_path):
        assert (tmp_path / ".atbib.lock").is_file()
    assert not (tmp_path / ".atbib.lock").exists()
    holder = _hold(tmp_path, 0.3)  # a waiter locks the file its holder then removes
    with write_lock(tmp_path, timeout=10):
        assert (tmp_path / ".atbib.lock").is_file()
    holder.wait()
    assert not (tmp_path / ".atbib.lock").exists()
