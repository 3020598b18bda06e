"""Finding the same work listed more than once, and merging its entries into one work.

Identity comes first: two entries that share a normalised identifier (arXiv id, DOI, ACL
Anthology id, OpenReview id, PMLR id, or the URL of a blog post or repository) are one work.
Then the folded title, but only with corroboration: the same kind of work, no conflicting
identifier of the same scheme, overlapping authors when both name them, and years at most one
apart. Fuzzy title matches are never merged; :func:`near_duplicates` reports them for a human.
Clustering is union-find over hash buckets, so it stays linear in the number of entries.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from atbib._nogc import nogc
from atbib.model import Link, Record
from atbib.text import fold_title, to_ascii
from atbib.venues import VenueType

_SCHOLARLY = frozenset({"arxiv", "doi", "acl", "openreview", "pmlr"})


@dataclass(frozen=True, slots=True)
class Cluster:
    """Entries (indices into the records given) that are one work, and why."""

    members: tuple[int, ...]
    evidence: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class NearDuplicate:
    """Two entries whose titles are alike but that are not known to be one work."""

    first: int
    second: int
    score: float
    """Title similarity, 0-100."""
    note: str


class _UnionFind:
    def __init__(self, size: int) -> None:
        self.parent = list(range(size))

    def find(self, i: int) -> int:
        root = i
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[i] != root:
            self.parent[i], i = root, self.parent[i]
        return root

    def union(self, a: int, b: int) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return False
        if rb < ra:
            ra, rb = rb, ra
        self.parent[rb] = ra
        return True


def _family_names(record: Record) -> set[str]:
    return {to_ascii(p.family).lower() for p in record.authors if p.family}


def _kind_family(record: Record) -> str:
    return "paper" if record.kind.titled else record.kind.value


def _has_preprint_doi(dois: set[str]) -> bool:
    return any(doi.startswith("10.48550/") for doi in dois)


def _conflict(a: Record, b: Record) -> str:
    """Why two entries with the same title cannot be one work, or ``""``."""
    if _kind_family(a) != _kind_family(b):
        return "different kinds"
    ids_a: dict[str, set[str]] = {}
    for ident in a.identifiers:
        ids_a.setdefault(ident.scheme, set()).add(ident.value)
    compared = _SCHOLARLY if _kind_family(a) == "paper" else _SCHOLARLY | {"url"}
    for ident in b.identifiers:
        known = ids_a.get(ident.scheme)
        if ident.scheme in compared and known and ident.value not in known:
            if ident.scheme == "doi" and _has_preprint_doi(known | {ident.value}):
                continue  # an arXiv DOI beside a publisher's: preprint and published version
            return f"different {ident.scheme} identifiers"
    names_a, names_b = _family_names(a), _family_names(b)
    if names_a and names_b and not names_a & names_b:
        return "no author in common"
    year_a, year_b = a.year, b.year
    if year_a and year_b and abs(year_a - year_b) > 1:
        return f"years {year_a} and {year_b}"
    return ""


def _clusters(
    records: Sequence[Record], titles: Sequence[str] | None = None
) -> tuple[_UnionFind, dict[int, list[str]]]:
    """Union-find over the records' identifiers and corroborated titles (``titles``: the
    folded titles, when the caller has them already)."""
    union = _UnionFind(len(records))
    reasons: dict[int, list[str]] = {}
    first_with: dict[object, int] = {}
    for index, record in enumerate(records):
        for ident in record.identifiers:
            other = first_with.setdefault(ident, index)
            if other != index and union.union(other, index):
                reasons.setdefault(index, []).append(f"same identifier {ident}")
    if titles is None:
        titles = [fold_title(record.title) for record in records]
    by_title: dict[str, list[int]] = {}
    for index, title in enumerate(titles):
        by_title.setdefault(title, []).append(index)
    for title, members in by_title.items():
        if len(members) < 2 or not title:
            continue
        for position, index in enumerate(members):
            for other in members[:position]:
                if union.find(other) == union.find(index):
                    continue
                if not _conflict(records[other], records[index]):
                    union.union(other, index)
                    reasons.setdefault(index, []).append(f"same title {title!r}")
                    break
    return union, reasons


@nogc
def cluster_indices(
    records: Sequence[Record], titles: Sequence[str] | None = None
) -> list[list[int]]:
    """Every work as the list of its entries' indices (singletons included), ordered by each
    work's first entry (``titles``: the records' folded titles, when the caller has them)."""
    union, _ = _clusters(records, titles)
    groups: dict[int, list[int]] = {}
    for index in range(len(records)):
        groups.setdefault(union.find(index), []).append(index)
    return sorted(groups.values(), key=lambda g: g[0])


@nogc
def find_duplicates(records: Sequence[Record]) -> list[Cluster]:
    """Works listed more than once, with the evidence that joined each entry to its work."""
    union, reasons = _clusters(records)
    groups: dict[int, list[int]] = {}
    for index in range(len(records)):
        groups.setdefault(union.find(index), []).append(index)
    return [
        Cluster(tuple(members), tuple(r for m in members for r in reasons.get(m, ())))
        for members in sorted(groups.values(), key=lambda g: g[0])
        if len(members) > 1
    ]


_COMPARED = 300
"""Characters of a folded title that near-duplicate search compares: real titles are
shorter, and scoring costs the product of the lengths (59 titles of 20,000 characters took
9 s)."""


@nogc
def near_duplicates(records: Sequence[Record], threshold: float = 90.0) -> list[NearDuplicate]:
    """Pairs of different works with similar titles, for a human to judge.

    Candidates come from blocking, not from all pairs: each title is indexed under its two
    rarest words, and only titles sharing an indexed word are compared. Each title is scored
    against the earlier titles of its block in one call into rapidfuzz (C++, with the
    threshold as a cut-off), so 100,000 records take seconds and memory only for the matches.
    """
    from rapidfuzz import fuzz, process

    titles = [fold_title(r.title) for r in records]
    union, _ = _clusters(records, titles)
    frequency: dict[str, int] = {}
    for title in titles:
        for word in set(title.split()):
            frequency[word] = frequency.get(word, 0) + 1
    blocks: dict[str, list[int]] = {}
    for index, title in enumerate(titles):
        words = sorted(set(title.split()), key=lambda w: (frequency[w], w))
        for word in words[:2]:
            blocks.setdefault(word, []).append(index)
    scores: dict[tuple[int, int], float] = {}
    for members in blocks.values():
        choices = [titles[i][:_COMPARED] for i in members]
        for position in range(1, len(members)):
            index = members[position]
            matches = process.extract(
                choices[position],
                choices[:position],
                scorer=fuzz.ratio,
                score_cutoff=threshold,
                limit=None,
            )
            for _, score, at in matches:
                pair = (members[at], index)
                if pair not in scores and union.find(pair[0]) != union.find(index):
                    scores[pair] = score
    return [
        NearDuplicate(
            first,
            second,
            round(score, 1),
            _conflict(records[first], records[second]) or "no conflicting evidence",
        )
        for (first, second), score in sorted(scores.items())
    ]


def _rank(record: Record) -> tuple[int, int, int]:
    published = record.venue is not None and record.venue.parsed.type not in (
        None,
        VenueType.PREPRINT,
    )
    return (bool(record.authors), published, len(record.links))


def merge(records: Sequence[Record]) -> Record:
    """One record for a work listed several times: the richest entry (authors, a published
    venue, most links) as the base, gaps filled from the others, links and sections united in
    list order."""
    if len(records) == 1:
        return records[0]
    base = max(records, key=_rank)
    links: dict[tuple[str, str], None] = {}
    sections: dict[tuple[str, ...], None] = {}
    extra: dict[str, str] = {}
    for record in records:
        for link in record.links:
            links.setdefault((link.label, link.url), None)
        for path in record.sections:
            sections.setdefault(path, None)
        for name, value in record.extra:
            extra.setdefault(name, value)

    def first(attribute: str) -> Any:
        value = getattr(base, attribute)
        return value or next(
            (getattr(r, attribute) for r in records if getattr(r, attribute)), value
        )

    return replace(
        base,
        authors=first("authors"),
        venue=first("venue"),
        url=first("url"),
        nickname=first("nickname"),
        description=first("description"),
        source=first("source"),
        key=first("key"),
        links=tuple(Link(label, url) for label, url in links),
        sections=tuple(sections),
        extra=tuple(extra.items()),
    )
