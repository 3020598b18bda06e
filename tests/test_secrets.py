"""The Zotero API key never leaves the process.

A canary key (alphanumeric, as the server requires) is the key of the group on the local Zotero
server (tests/zoteroapi). ``atbib zotero push|pull|sync|status`` run through the real command
line, each with and without ``--debug``, on the success path and on every failure path: a
read-only key, a refused key (403), 429 and 503 until the retries give up, dropped connections
(before and after the server committed a write), a 412 race, and an unexpected exception inside
a sync (whose message even holds the key, as a careless ``repr`` of a request would). After
each run the canary must not appear:

* in standard output or standard error (tracebacks and ``--debug`` output included: the key is
  masked, ``****``);
* in any log record of atbib, pyzotero, httpx2 or httpcore2, captured at DEBUG level, raw
  (before any masking: nothing logs the key at all), with their arguments and exceptions;
* in any file of the project folder: the list, bib/, the sync state, the lock file, temporary
  files; as text, in Base64 (an ``Authorization`` header) or percent-encoded.

Two runs are whole processes (``python -m atbib --debug ...``), so what reaches the real
standard error is checked too.
"""

from __future__ import annotations

import base64
import logging
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from atbib.cli import main
from atbib.masking import DEBUG_LOGGERS
from atbib.zotero import sync as zsync
from atbib.zotero.client import RetryPolicy, ZoteroClient
from tests.conftest import ROOT, copy_of_this_list
from tests.zoteroapi import Permission, ZoteroServer

GROUP = 12345
CANARY = "ATBIBCANARY7Q2xZr9Lw0kV"
READ_ONLY = "ATBIBCANARYREADONLY4Tb8"
REFUSED = "ATBIBCANARYREFUSED9Zz3"
KEYS = (CANARY, READ_ONLY, REFUSED)
FORMS = [
    form
    for key in KEYS
    for form in (
        key.encode(),
        key.lower().encode(),
        base64.b64encode(f"Bearer {key}".encode()),
        base64.b64encode(key.encode()),
    )
]


class Capture(logging.Handler):
    """Every record of the loggers atbib, pyzotero and the HTTP client use, unmasked."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.texts: list[str] = []
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1
        parts = [record.getMessage(), repr(record.args), record.exc_text or ""]
        if record.exc_info and record.exc_info[1] is not None:
            parts.append(repr(record.exc_info[1]))
        self.texts.append(" ".join(parts))


@pytest.fixture
def logs() -> Iterator[Capture]:
    capture = Capture()
    loggers = [logging.getLogger(name) for name in ("", *DEBUG_LOGGERS)]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
        logger.addHandler(capture)
    yield capture
    for logger, level in zip(loggers, levels, strict=True):
        logger.removeHandler(capture)
        logger.setLevel(level)


@pytest.fixture
def server() -> Iterator[ZoteroServer]:
    server = ZoteroServer(
        api_keys={
            CANARY: Permission(read=True, write=True),
            READ_ONLY: Permission(read=True, write=False),
        }
    )
    server.start()
    yield server
    server.stop()


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = copy_of_this_list(tmp_path / "repo", GROUP)
    monkeypatch.chdir(folder)
    # The command line's own client, with quick retries (the same code, shorter waits).
    quick = RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.02)
    monkeypatch.setitem(ZoteroClient.__init__.__kwdefaults__, "policy", quick)
    return folder


class Scan:
    """Runs commands and checks everything they could leave the key in."""

    def __init__(self, project: Path, server: ZoteroServer, logs: Capture) -> None:
        self.project = project
        self.server = server
        self.logs = logs
        self.runs = 0
        self.files = 0
        self.outputs: list[str] = []

    def __call__(self, *args: str, key: str = CANARY, debug: bool = False, code: int = 0) -> str:
        env = {"ZOTERO_API_KEY": key, "ATBIB_ZOTERO_ENDPOINT": self.server.endpoint}
        argv = (["--debug"] if debug else []) + ["zotero", *args]
        result = CliRunner().invoke(main, argv, env=env, catch_exceptions=False)
        output = result.output
        self.runs += 1
        self.outputs.append(output)
        assert result.exit_code == code, output
        self.check(output, f"atbib {' '.join(argv)}")
        return output

    def check(self, output: str, what: str) -> None:
        for secret in KEYS:
            assert secret not in output, f"{what}: the key in its output"
        for text in self.logs.texts:
            for secret in KEYS:
                assert secret not in text, f"{what}: the key in a log record: {text[:200]}"
        for path in self.project.rglob("*"):
            if path.is_file():
                self.files += 1
                data = path.read_bytes()
                for form in FORMS:
                    assert form not in data, f"{what}: the key in {path}"


@pytest.fixture
def scan(project: Path, server: ZoteroServer, logs: Capture) -> Scan:
    return Scan(project, server, logs)


def test_the_key_never_appears_on_success_paths(scan: Scan, logs: Capture) -> None:
    for debug in (False, True):
        out = scan("push", debug=debug)
        assert "326 created" in out or "0 created" in out
        scan("sync", debug=debug)
        scan("status", debug=debug)
        scan("pull", "--dry-run", debug=debug)
        scan("pull", debug=debug)
    debug_output = scan.outputs[5]
    assert "atbib debug: httpx2: HTTP Request: GET" in debug_output  # --debug shows requests
    assert logs.count > 20
    assert (scan.project / "zotero-sync.json").exists()
    print(f"\n{scan.runs} runs, {logs.count} log records, {scan.files} file scans")


FAILURES: dict[str, tuple[Callable[[ZoteroServer], Any], tuple[str, ...], str, int, str]] = {
    # name: (fault, command, key, exit status, what the user reads)
    "read-only key": (lambda s: None, ("push",), READ_ONLY, 1, "read-only"),
    "refused key (403)": (lambda s: None, ("sync",), REFUSED, 1, "HTTP 403"),
    "429 until the retries give up": (
        lambda s: s.faults.rate_limit(50, retry_after=0.01),
        ("sync",),
        CANARY,
        1,
        "failed after 3 attempts (127.0.0.1 answered HTTP 429)",
    ),
    "503 until the retries give up": (
        lambda s: s.faults.unavailable(50, retry_after=0.01, method="POST"),
        ("push",),
        CANARY,
        1,
        "failed after 3 attempts (127.0.0.1 answered HTTP 503)",
    ),
    "dropped connections": (
        lambda s: s.faults.drop(50, method="POST"),
        ("push",),
        CANARY,
        1,
        "could not reach 127.0.0.1 (network error: server disconnected",
    ),
    "dropped after commit": (
        lambda s: s.faults.drop_after_write(50, method="POST", path=r"/items$"),
        ("push",),
        CANARY,
        1,
        "could not reach 127.0.0.1 (network error:",
    ),
    "a 412 race": (
        lambda s: s.faults.race(lambda lib: lib.bump(), 1, method="POST"),
        ("push",),
        CANARY,
        0,
        "Zotero:",
    ),
}


@pytest.mark.parametrize("case", list(FAILURES))
def test_the_key_never_appears_on_failure_paths(
    scan: Scan, server: ZoteroServer, case: str
) -> None:
    fault, command, key, code, said = FAILURES[case]
    for debug in (False, True):
        server.faults.clear()
        fault(server)
        out = scan(*command, key=key, debug=debug, code=code)
        assert said in out, out
        if debug and code:
            assert "Traceback (most recent call last)" in out  # --debug shows it, masked
    server.faults.clear()
    scan("sync")  # and the run after the failure finishes the job


def test_the_key_never_appears_in_an_unexpected_error(
    scan: Scan, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Bugs whose exception messages hold the key: one in the HTTP layer that quotes the
    request's Authorization header (reported as a failed request; --debug adds the
    traceback), and one in the sync itself (an internal error, traceback shown). Masked."""
    import httpx2

    def careless(self: Any, request: httpx2.Request, **kwargs: Any) -> Any:
        raise RuntimeError(f"cannot send {request.headers.get('authorization')} ({CANARY})")

    with monkeypatch.context() as patch:
        patch.setattr(httpx2.Client, "send", careless)
        for debug in (False, True):
            out = scan("sync", debug=debug, code=1)
            assert "cannot send Bearer **** (****)" in out
            assert ("Traceback (most recent call last)" in out) == debug

    def explode(*args: Any, **kwargs: Any) -> Any:
        raise ValueError(f"boom with {CANARY} inside")

    monkeypatch.setattr(zsync, "plan_push", explode)
    for debug in (False, True):
        out = scan("push", debug=debug, code=3)
        assert "Traceback (most recent call last)" in out and "internal error" in out
        assert "ValueError: boom with **** inside" in out


def test_the_key_never_reaches_a_real_standard_error(project: Path, server: ZoteroServer) -> None:
    """Whole processes with --debug: a read-only key's refusal and a refused key."""
    env = {
        **os.environ,
        "ATBIB_ZOTERO_ENDPOINT": server.endpoint,
        "PYTHONPATH": str(ROOT / "src"),
    }
    for key, words in ((READ_ONLY, "read-only"), (REFUSED, "HTTP 403")):
        done = subprocess.run(
            [sys.executable, "-m", "atbib", "--debug", "zotero", "push"],
            cwd=project,
            env={**env, "ZOTERO_API_KEY": key},
            capture_output=True,
            timeout=60,
        )
        assert done.returncode == 1  # refused by Zotero
        out = done.stdout + done.stderr
        assert words.encode() in out and b"atbib debug: httpx2: HTTP Request: GET" in out
        assert b"Traceback" in out
        for form in FORMS:
            assert form not in out
    for path in project.rglob("*"):
        if path.is_file():
            for form in FORMS:
                assert form not in path.read_bytes(), path
