"""Shared fixtures: the real list and its history."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.zoteroapi.fixtures import zotero_client, zotero_server  # noqa: F401

ROOT = Path(__file__).resolve().parent.parent
HISTORY_DIR = ROOT / "tests" / "data" / "atpapers-history"
"""Every version of the list up to the one README.md starts from, oldest first (a copy of the
list's published history, with INDEX.tsv)."""


def history_files() -> list[Path]:
    files = sorted(HISTORY_DIR.glob("[0-9][0-9][0-9]-*.md"))
    if not files:
        raise RuntimeError(f"the list's history is missing: expected it in {HISTORY_DIR}")
    return files


@pytest.fixture(scope="session")
def readme_text() -> str:
    return (ROOT / "README.md").read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def history() -> list[tuple[str, str]]:
    """``(file name, text)`` of every version, oldest first."""
    return [(p.name, p.read_text(encoding="utf-8")) for p in history_files()]
