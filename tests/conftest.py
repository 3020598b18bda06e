"""Shared fixtures: the real list and its history; the real command as a user runs it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Generator
from pathlib import Path

import pytest

from tests.metasources.fixtures import metadata_servers, metadata_store  # noqa: F401
from tests.zoteroapi.fixtures import zotero_client, zotero_server  # noqa: F401

ROOT = Path(__file__).resolve().parent.parent
HISTORY_DIR = ROOT / "tests" / "data" / "atpapers-history"
"""Every version of the list up to the one README.md starts from, oldest first (a copy of the
list's published history, with INDEX.tsv)."""
ZOTERO_GROUP = 12345
"""The group id the Zotero tests configure (the local test server serves any group)."""


def run_atbib(
    folder: Path, *args: str, stdin: str | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """The real ``atbib`` command in *folder*, as a user runs it (not on a terminal), with
    *env* added to the environment."""
    return subprocess.run(
        [sys.executable, "-m", "atbib", *args],
        cwd=folder,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
    )


def copy_of_this_list(folder: Path, group: int = ZOTERO_GROUP) -> Path:
    """A project in ``folder`` (made if missing): a copy of this repository's list and bib/,
    with ``zotero-group`` configured, as a maintainer's fresh clone would be."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "README.md", folder / "README.md")
    shutil.copytree(ROOT / "bib", folder / "bib")
    (folder / "pyproject.toml").write_text(
        f'[tool.atbib]\nlist = "README.md"\nbib-dir = "bib"\nzotero-group = {group}\n',
        encoding="utf-8",
    )
    return folder


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("atbib", "atbib's long reliability runs")
    group.addoption(
        "--slow",
        action="store_true",
        help="Run the long versions of the kill, lock, fuzz, property and Zotero soak tests "
        "(minutes, not seconds), and the tests marked tex_facts.",
    )
    group.addoption(
        "--seed",
        type=int,
        default=None,
        help="Seed for the kill, fuzz, property and soak tests (default: a fixed seed; a "
        "failure prints its seed so it can be replayed with --seed).",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "tex_facts: records how TeX, BibTeX and biber treat some input (the facts atbib's "
        "escaping rules rest on), rather than what atbib does; runs with --slow",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Without ``--slow``, leave out the TeX fact-finding tests: each compiles documents with
    both chains, and what atbib writes is compiled by tests/test_latex_compile.py and
    tests/test_hostile_bibtex.py on every run."""
    if config.getoption("--slow"):
        return
    kept = [item for item in items if item.get_closest_marker("tex_facts") is None]
    if len(kept) < len(items):
        config.hook.pytest_deselected(items=[i for i in items if i not in kept])
        items[:] = kept


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Every TeX test skipped for want of TeX is reported at one place, so the summary says it
    in one line (with the count and how to install TeX) instead of one line per test."""
    import inspect

    from tests.texdoc import SKIP_PREFIX, require_tex

    report = yield
    longrepr = report.longrepr
    if report.skipped and isinstance(longrepr, tuple) and SKIP_PREFIX in str(longrepr[2]):
        line = inspect.getsourcelines(require_tex)[1]
        report.longrepr = ("tests/texdoc.py", line, longrepr[2])
    return report


@pytest.fixture(scope="session")
def slow(request: pytest.FixtureRequest) -> bool:
    """True with ``--slow``: tests scale their rounds up to the long run."""
    return bool(request.config.getoption("--slow"))


@pytest.fixture(scope="session")
def seed(request: pytest.FixtureRequest) -> int:
    """The base seed of the randomised reliability tests (``--seed``, else 20240601)."""
    value = request.config.getoption("--seed")
    return 20240601 if value is None else int(value)


def history_files() -> list[Path]:
    files = sorted(HISTORY_DIR.glob("[0-9][0-9][0-9]-*.md"))
    if not files:
        raise RuntimeError(f"the list's history is missing: expected it in {HISTORY_DIR}")
    return files


@pytest.fixture(autouse=True)
def _venue_table_alone():
    """Each test starts with the venue table alone: the command line makes a list's own
    venues known for the rest of its run (``atbib.venues.use_list_venues``)."""
    from atbib.venues import list_venues

    with list_venues(()):
        yield


@pytest.fixture(scope="session")
def readme_text() -> str:
    return (ROOT / "README.md").read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def history() -> list[tuple[str, str]]:
    """``(file name, text)`` of every version, oldest first."""
    return [(p.name, p.read_text(encoding="utf-8")) for p in history_files()]
