"""Load researched facts (facts-N.jsonl, /work/research/README.md) into a store, so the fake
services know a whole list's works as the primary sources describe them."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from .paper import Paper
from .store import Store


def read_facts(path: Path) -> list[Paper]:
    """The papers of one facts file, in file order; blank lines are skipped."""
    papers = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            papers.append(Paper.from_facts(json.loads(line)))
        except (ValueError, KeyError, TypeError) as error:
            raise ValueError(f"{path}:{number}: {error}") from error
    return papers


def load_store(paths: Iterable[Path | str], store: Store | None = None) -> Store:
    """A store (``store``, or a new one) holding the papers of every facts file in ``paths``.

    Two lines naming the same identifier are an error of the research, reported with both
    titles: the services know one record per identifier.
    """
    store = store if store is not None else Store()
    for path in paths:
        store.extend(read_facts(Path(path)))
    return store
