"""Helpers for the ``atbib fill`` tests: the list's researched papers as the fake services'
store, and the real command pointed at the fakes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from atbib.bibtex.read import load_bibtex
from atbib.identifiers import Identifier
from atbib.model import Record
from tests.conftest import ROOT
from tests.metasources.paper import Paper
from tests.metasources.server import MetadataServers

SOURCES_BIB = ROOT / "tests" / "data" / "fill" / "atpapers-sources.bib"
"""The list's papers as primary sources describe them (each entry names its pages)."""

PUBLISHED_TYPES = frozenset({"inproceedings", "article", "book", "incollection"})


def _first(record: Record, scheme: str) -> str | None:
    return next((i.value for i in record.identifiers if i.scheme == scheme), None)


def researched_papers(path: Path = SOURCES_BIB) -> list[Paper]:
    """The papers of a sources .bib file as the fake services' records."""
    loaded = load_bibtex(path)
    papers = []
    for record, entry in zip(loaded.records, loaded.entries, strict=True):
        extra = dict(record.extra)
        published = entry.entry_type.lower() in PUBLISHED_TYPES
        facts: dict[str, Any] = {
            "key": entry.key,
            "title": record.title,
            "authors": [
                ", ".join(p for p in (" ".join(x for x in (a.von, a.family) if x), a.given) if p)
                for a in record.authors
            ],
            "status": "published" if published else "preprint",
            "type": entry.entry_type.lower(),
            "venue": record.venue.name if published and record.venue else None,
            "container": extra.get("booktitle") or extra.get("journal"),
            "year": record.year,
            "month": (extra.get("month") or "")[:3].lower() or None,
            "arxiv": _first(record, "arxiv"),
            "acl": _first(record, "acl"),
            "openreview": _first(record, "openreview"),
            "pmlr": _first(record, "pmlr"),
        }
        for name in ("volume", "number", "pages", "doi", "publisher", "address"):
            facts[name] = extra.get(name) or None
        if facts["doi"]:
            facts["doi"] = Identifier.parse(f"doi:{facts['doi']}").value
        papers.append(Paper.from_facts(facts))
    return papers


def fill_env(servers: MetadataServers, cache: Path) -> dict[str, str]:
    """The environment that points atbib's sources at the fakes, without politeness waits."""
    env = dict(os.environ, ATBIB_FILL_DELAY="0", ATBIB_CACHE_DIR=str(cache))
    for name, url in servers.endpoints.items():
        env[f"ATBIB_{name.upper()}_URL"] = url
    return env


def run(folder: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """The real command in *folder*."""
    return subprocess.run(
        [sys.executable, "-m", "atbib", *args],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
