"""Finding the same work listed more than once, and merging its entries into one work.

Identity comes first: two entries that share a normalised identifier (arXiv id, DOI, ACL
Anthology id, OpenReview id, PMLR id, or the URL of a blog post or repository) are one work.
Then the folded title, but only with corroboration: the same kind of work, no conflicting
identifier of the same scheme, overlapping authors when both name them, and years at most one
apart. Fuzzy title matches are never merged; :func:`near_duplicates` reports them for a human.
Clustering is union-find over hash buckets, so it stays linear in the number of entries.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from atbib._nogc import nogc
from atbib.model import ET_AL, Link, Record
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
    """The family names of a work's named authors (``et al.`` names nobody)."""
    return {to_ascii(p.family).lower() for p in record.authors if p.family and p != ET_AL}


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


@dataclass(frozen=True, slots=True)
class SharedLink:
    """Two entries that share an identifier (a link) but whose titles name different works:
    the list's mistake (a link copied to the wrong line), reported and not merged."""

    first: int
    second: int
    identifier: str


_COMPARED = 300
"""Characters of a folded title that near-duplicate search compares: real titles are
shorter, and scoring costs the product of the lengths (59 titles of 20,000 characters took
9 s)."""


_MAX_TITLES = 8
"""Different titles kept apart under one identifier; more entries sharing it with yet other
titles are left apart without being compared (so a thousand lines with one copied link cost
no more than a few comparisons each)."""


def related_titles(a: str, b: str) -> bool:
    """Whether two folded titles can name one work: equal, one inside the other (a short
    title and the full one), or most of their words shared. An empty title tells nothing,
    so it is related to any."""
    if a == b or not a or not b or a in b or b in a:
        return True
    from rapidfuzz import fuzz

    return fuzz.token_set_ratio(a[:_COMPARED], b[:_COMPARED]) >= 60


def _clusters(
    records: Sequence[Record], titles: Sequence[str] | None = None
) -> tuple[_UnionFind, dict[int, list[str]], list[SharedLink]]:
    """Union-find over the records' identifiers and corroborated titles (``titles``: the
    folded titles, when the caller has them already), and the entries that share an
    identifier but not a title (:class:`SharedLink`), which stay apart."""
    union = _UnionFind(len(records))
    reasons: dict[int, list[str]] = {}
    apart: list[SharedLink] = []
    if titles is None:
        titles = [fold_title(record.title) for record in records]
    holders_of: dict[object, list[int]] = {}
    for index, record in enumerate(records):
        for ident in record.identifiers:
            holders = holders_of.setdefault(ident, [index])
            if holders[0] == index:
                continue
            other = next((h for h in holders if related_titles(titles[h], titles[index])), None)
            if other is None:
                apart.append(SharedLink(holders[0], index, str(ident)))
                if len(holders) < _MAX_TITLES:
                    holders.append(index)
            elif union.union(other, index):
                reasons.setdefault(index, []).append(f"same identifier {ident}")
    by_title: dict[str, list[int]] = {}
    for index, title in enumerate(titles):
        by_title.setdefault(title, []).append(index)
    for title, members in by_title.items():
        if len(members) < 2 or not title:
            continue
        earlier = _SameTitle(records, union)
        for index in members:
            joined = earlier.first_joinable(index)
            if joined is not None:
                union.union(joined, index)
                reasons.setdefault(index, []).append(f"same title {title!r}")
            earlier.add(index)
    return union, reasons, apart


_Class = tuple[str, frozenset[str], bool]
"""What decides a title conflict on the side of the earlier entry, besides its authors and
year: its kind family, the schemes of its identifiers, whether one is a preprint DOI."""


class _Candidates:
    """Earlier entries of one class and year, in list order: all of them, those without
    authors, and those with each author family name."""

    __slots__ = ("every", "named", "nameless")

    def __init__(self) -> None:
        self.every: deque[int] = deque()
        self.nameless: deque[int] = deque()
        self.named: dict[str, deque[int]] = {}


class _SameTitle:
    """The entries of one title seen so far, indexed so that finding the first one an entry
    joins does not compare it with every earlier entry (which made k works sharing a title
    cost O(k²) conflict checks: 60 s for 10,000).

    An entry joins the first earlier entry that is not in its cluster yet and has no
    :func:`_conflict` with it. Entries in different clusters share no identifier (the
    identifiers were joined first), so whether they conflict depends only on their kind
    families, identifier schemes, preprint DOIs, author names and years: the earlier
    entries are filed by class (:data:`_Class`) and year, then by author family name, and
    an entry looks only where nothing conflicts. There, the first entry outside its cluster
    is the one to join; entries of one list that are in one cluster can never be chosen
    before the first of them, so they are dropped as they are met."""

    __slots__ = ("_classes", "_records", "_union")

    def __init__(self, records: Sequence[Record], union: _UnionFind) -> None:
        self._records = records
        self._union = union
        self._classes: dict[_Class, dict[int | None, _Candidates]] = {}

    def first_joinable(self, index: int) -> int | None:
        """The first earlier entry that ``index`` joins, or None."""
        record = self._records[index]
        family = _kind_family(record)
        schemes = {ident.scheme for ident in record.identifiers}
        published = any(
            i.scheme == "doi" and not _has_preprint_doi({i.value}) for i in record.identifiers
        )
        names = _family_names(record)
        year = record.year
        root = self._union.find(index)
        best: int | None = None
        for (kind, their_schemes, preprint), by_year in self._classes.items():
            if kind != family or _identifiers_conflict(
                kind, their_schemes, preprint, schemes, published
            ):
                continue
            years = (year - 1, year, year + 1, None) if year else tuple(by_year)
            for candidates in filter(None, map(by_year.get, years)):
                lists = [candidates.every]
                if names:
                    lists = [candidates.nameless, *filter(None, map(candidates.named.get, names))]
                for found in lists:
                    other = self._first_outside(found, root)
                    if other is not None and (best is None or other < best):
                        best = other
        return best

    def _first_outside(self, found: deque[int], root: int) -> int | None:
        """The first entry of ``found`` outside the cluster ``root``; later entries of the
        first one's cluster are dropped on the way (they would only ever come after it)."""
        if not found:
            return None
        find = self._union.find
        if find(found[0]) != root:
            return found[0]
        first = found.popleft()
        while found and find(found[0]) == root:
            found.popleft()
        found.appendleft(first)
        return found[1] if len(found) > 1 else None

    def add(self, index: int) -> None:
        """File ``index`` among the earlier entries of the next ones."""
        record = self._records[index]
        dois = {i.value for i in record.identifiers if i.scheme == "doi"}
        key = (
            _kind_family(record),
            frozenset(i.scheme for i in record.identifiers),
            _has_preprint_doi(dois),
        )
        by_year = self._classes.setdefault(key, {})
        candidates = by_year.get(record.year or None)
        if candidates is None:
            candidates = by_year[record.year or None] = _Candidates()
        candidates.every.append(index)
        names = _family_names(record)
        if not names:
            candidates.nameless.append(index)
        for name in names:
            candidates.named.setdefault(name, deque()).append(index)


def _identifiers_conflict(
    family: str, earlier: frozenset[str], preprint: bool, schemes: set[str], published: bool
) -> bool:
    """:func:`_conflict`'s identifier test for two entries that share no identifier: both
    have one of a compared scheme, except DOIs where one is a preprint's (``preprint``: the
    earlier entry has an arXiv DOI; ``published``: the later one has a DOI that is not)."""
    compared = _SCHOLARLY if family == "paper" else _SCHOLARLY | {"url"}
    shared = earlier & schemes & compared
    if shared - {"doi"}:
        return True
    return "doi" in shared and not preprint and published


@nogc
def cluster_indices(
    records: Sequence[Record], titles: Sequence[str] | None = None
) -> list[list[int]]:
    """Every work as the list of its entries' indices (singletons included), ordered by each
    work's first entry (``titles``: the records' folded titles, when the caller has them)."""
    union, _, _ = _clusters(records, titles)
    groups: dict[int, list[int]] = {}
    for index in range(len(records)):
        groups.setdefault(union.find(index), []).append(index)
    return sorted(groups.values(), key=lambda g: g[0])


@nogc
def find_duplicates(records: Sequence[Record]) -> list[Cluster]:
    """Works listed more than once, with the evidence that joined each entry to its work."""
    return duplicates_and_shared_links(records)[0]


@nogc
def duplicates_and_shared_links(
    records: Sequence[Record],
) -> tuple[list[Cluster], list[SharedLink]]:
    """:func:`find_duplicates`, and the entries that share a link but name different works
    (:class:`SharedLink`, in list order), found in one pass."""
    union, reasons, apart = _clusters(records)
    groups: dict[int, list[int]] = {}
    for index in range(len(records)):
        groups.setdefault(union.find(index), []).append(index)
    clusters = [
        Cluster(tuple(members), tuple(r for m in members for r in reasons.get(m, ())))
        for members in sorted(groups.values(), key=lambda g: g[0])
        if len(members) > 1
    ]
    return clusters, apart


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
    union, _, _ = _clusters(records, titles)
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
