"""The works the fake services know, looked up by each identifier a client may ask with.

One store backs all six services, so a work added during a test is known everywhere at once;
a service that should not know a work simply lacks the identifier it is asked by (a paper
without ``acl`` is a 404 at the Anthology). Lookups are case-insensitive where the real
identifier is (DOIs), exact where it is not.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator

from .paper import Paper


class Store:
    """A thread-safe, append-only collection of :class:`Paper` with identifier indexes."""

    def __init__(self, papers: Iterable[Paper] = ()) -> None:
        self._lock = threading.Lock()
        self._papers: list[Paper] = []
        self._index: dict[tuple[str, str], Paper] = {}
        self.extend(papers)

    def add(self, paper: Paper) -> Paper:
        """Add ``paper``; an identifier already taken by another work is a test bug."""
        keys = list(_index_keys(paper))
        with self._lock:
            for key in keys:
                other = self._index.get(key)
                if other is not None and other is not paper:
                    raise ValueError(
                        f"{key[0]} {key[1]!r} is both {other.title!r} and {paper.title!r}"
                        + (" (give one a dblp_key)" if key[0] == "dblp" else "")
                    )
            self._papers.append(paper)
            for key in keys:
                self._index[key] = paper
        return paper

    def extend(self, papers: Iterable[Paper]) -> None:
        for paper in papers:
            self.add(paper)

    def __iter__(self) -> Iterator[Paper]:
        with self._lock:
            return iter(list(self._papers))

    def __len__(self) -> int:
        with self._lock:
            return len(self._papers)

    def _get(self, kind: str, value: str) -> Paper | None:
        with self._lock:
            return self._index.get((kind, _NORMALISE[kind](value)))

    def by_arxiv(self, arxiv_id: str) -> Paper | None:
        """By unversioned arXiv id."""
        return self._get("arxiv", arxiv_id)

    def by_doi(self, doi: str) -> Paper | None:
        """By the published (or preprint server's) DOI, not arXiv's DataCite DOI."""
        return self._get("doi", doi)

    def by_acl(self, anthology_id: str) -> Paper | None:
        return self._get("acl", anthology_id)

    def by_openreview(self, note_id: str) -> Paper | None:
        return self._get("openreview", note_id)

    def by_s2(self, paper_id: str) -> Paper | None:
        return self._get("s2", paper_id)

    def by_corpus_id(self, corpus_id: int) -> Paper | None:
        return self._get("corpus", str(corpus_id))

    def by_dblp_key(self, key: str) -> Paper | None:
        """By either of a work's DBLP records: the venue's or the CoRR one."""
        return self._get("dblp", key)

    def preprint_of(self, doi: str) -> list[Paper]:
        """The published works whose publisher names ``doi`` as their preprint."""
        wanted = doi.lower()
        return [p for p in self if p.preprint_doi is not None and p.preprint_doi.lower() == wanted]


_NORMALISE: dict[str, Callable[[str], str]] = {
    "arxiv": str.strip,
    "doi": lambda v: v.strip().lower(),
    "acl": str.strip,
    "openreview": str.strip,
    "s2": lambda v: v.strip().lower(),
    "corpus": str.strip,
    "dblp": str.strip,
}


def _index_keys(paper: Paper) -> Iterator[tuple[str, str]]:
    values: dict[str, list[str | None]] = {
        "arxiv": [paper.arxiv],
        "doi": [paper.doi],
        "acl": [paper.acl],
        "openreview": [paper.openreview],
        "s2": [paper.s2_paper_id],
        "corpus": [str(paper.corpus_id)],
        "dblp": [paper.dblp_record_key, paper.dblp_corr_key],
    }
    for kind, candidates in values.items():
        for value in candidates:
            if value is not None:
                yield kind, _NORMALISE[kind](value)
