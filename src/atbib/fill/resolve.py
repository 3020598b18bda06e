"""Which answers belong to which work, and what a work's record becomes: pure rules.

Matching (documented in docs/guide.md, tested in tests/test_fill_resolve.py):

- An answer to an identifier the list gives the work is the work's (**identifier match**).
  When its title is far from the list's, it is still taken (the identifier says which paper
  the list links) and the difference is reported: the list may link the wrong paper.
- An answer reached through another source's link (Semantic Scholar's ``externalIds``, arXiv's
  DOI, Crossref's ``is-preprint-of``) is taken when its title is the list's, or when its
  authors share at least two family names with those already known (the only one, for a single
  author): a published version may be retitled, but it keeps its authors.
- A title search (DBLP) is taken only with the same normalised title **and** at least two
  family names in common, or the same single author; an answer sharing an identifier with the
  work (a DBLP ``ee`` link to its arXiv page) counts as an identifier match. Without known
  authors atbib **abstains** and says so: two works can share a title ("Deep Learning" by
  LeCun, Bengio and Hinton in 2015, by Goodfellow, Bengio and Courville in 2016), and a title
  alone cannot tell them apart.

Merging: every field comes from the most authoritative source that has it (:data:`AUTHORITY`;
names from :data:`NAME_AUTHORITY`, where arXiv's full names rank above aggregators'), and
carries that source as provenance. A published version beats a preprint. Sources that
disagree on a published venue, year or the authors are reported, never averaged.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from atbib.fill.facts import PUBLICATION_FIELDS, Candidate, Status
from atbib.fill.store import Fact, Filled, format_people
from atbib.identifiers import Identifier
from atbib.model import Person, Record
from atbib.text import fold_title, to_ascii
from atbib.venues import same_venue

AUTHORITY = ("file", "acl", "crossref", "openreview", "dblp", "semanticscholar", "arxiv")
"""Sources by how much their account of a published version is trusted: the file a user
chose, publishers of record, then indexes, then what authors reported to arXiv."""
NAME_AUTHORITY = ("file", "acl", "crossref", "arxiv", "openreview", "dblp", "semanticscholar")
"""The same for author names and titles: arXiv has the names as the authors wrote them."""
_YEAR_SOURCES = frozenset({"file", "acl", "crossref", "openreview", "dblp"})
"""Sources whose year is the published version's (Semantic Scholar's is often the preprint's)."""
_NAME_SOURCES = frozenset({"file", "acl", "crossref", "arxiv", "openreview", "dblp"})
_CLOSE_TITLE = 85
"""rapidfuzz ``ratio`` (0-100) above which two folded titles are the same title."""
_FAR_TITLE = 60
"""Below this, an identifier's record is reported as titled differently from the list."""


class How(StrEnum):
    """How an answer was reached, which decides what it must show to be accepted."""

    LISTED = "listed"
    """Asked by an identifier the list gives the work."""
    LINKED = "linked"
    """Asked by an identifier another source tied to the work."""
    SEARCHED = "searched"
    """Found by searching its title."""


@dataclass(frozen=True, slots=True)
class Target:
    """A work of the list to complete."""

    anchor: str
    """What the work is filed under in bib/metadata.tsv (:func:`anchor_of`)."""
    record: Record

    @property
    def ids(self) -> tuple[Identifier, ...]:
        return self.record.identifiers


def anchor_of(record: Record) -> str:
    """The work's most specific identifier (``arxiv:1706.03762``), else ``title:`` and its
    folded title."""
    ids = record.identifiers
    return str(ids[0]) if ids else f"title:{fold_title(record.title)}"


def families(people: Iterable[Person]) -> list[str]:
    """Family names folded for comparison (``Müller`` and ``Muller`` agree)."""
    return ["".join(to_ascii(p.family).lower().split()) for p in people if p.family]


def _whole(person: Person) -> str:
    return "".join(to_ascii(str(person)).lower().split()).replace(".", "")


def same_people(a: Sequence[Person], b: Sequence[Person]) -> bool:
    """The same people in the same order: each pair with the same family name, or the same
    name written whole (``Ahmed El Kholy`` read as family ``Kholy`` and as ``El Kholy``)."""
    return len(a) == len(b) and all(
        families([x]) == families([y]) or _whole(x) == _whole(y) for x, y in zip(a, b, strict=True)
    )


def first_difference(a: Sequence[Person], b: Sequence[Person]) -> int:
    """The position of the first pair :func:`same_people` tells apart (or the shorter
    length)."""
    for position, (x, y) in enumerate(zip(a, b, strict=False)):
        if not same_people([x], [y]):
            return position
    return min(len(a), len(b))


def authors_agree(a: Sequence[Person], b: Sequence[Person]) -> bool:
    """At least two family names in common, or both single-authored by the same person."""
    fa, fb = families(a), families(b)
    if not fa or not fb:
        return False
    if len(fa) == 1 or len(fb) == 1:
        return fa[0] == fb[0] if len(fa) == len(fb) == 1 else len(set(fa) & set(fb)) >= 2
    return len(set(fa) & set(fb)) >= 2


def same_title(a: str, b: str) -> bool:
    """The same normalised title (a final full stop, case, punctuation aside)."""
    return fold_title(a) == fold_title(b)


def title_score(a: str, b: str) -> float:
    from rapidfuzz import fuzz

    return float(fuzz.ratio(fold_title(a), fold_title(b)))


@dataclass(frozen=True, slots=True)
class Verdict:
    accepted: bool
    reason: str = ""
    """Why an answer was refused, or what is odd about an accepted one (empty when all is
    well)."""


def judge(target: Target, candidate: Candidate, how: How, known: Sequence[Person]) -> Verdict:
    """Whether *candidate* describes *target*'s work (the rules in the module docstring).
    *known* are the work's authors as known so far: the list's, else those of answers already
    accepted by identifier."""
    title = target.record.title
    if how is How.LISTED or set(candidate.ids) & set(target.ids):
        if candidate.title and title_score(candidate.title, title) < _FAR_TITLE:
            return Verdict(True, f"the source titles it {candidate.title!r}")
        return Verdict(True)
    if how is How.LINKED:
        if not candidate.title or title_score(candidate.title, title) >= _CLOSE_TITLE:
            return Verdict(True)
        if authors_agree(candidate.authors, known):
            return Verdict(True, f"published as {candidate.title!r}")
        return Verdict(False, f"{candidate.provenance} is titled {candidate.title!r}")
    if not same_title(candidate.title, title):
        return Verdict(False, "another title")
    if not known:
        return Verdict(False, "a title match needs the work's authors to be confirmed")
    if not authors_agree(candidate.authors, known):
        return Verdict(False, f"{candidate.provenance} has the title but other authors")
    return Verdict(True)


def pick_search_hit(
    target: Target, hits: Sequence[Candidate], known: Sequence[Person]
) -> tuple[list[Candidate], str]:
    """The hits of a title search that describe the work (its published version and its
    preprint, when both are listed), or none and why: no hit passes :func:`judge`, or two
    published hits name different venues."""
    accepted = [h for h in hits if judge(target, h, How.SEARCHED, known).accepted]
    if not accepted:
        reasons = {judge(target, h, How.SEARCHED, known).reason for h in hits}
        if "a title match needs the work's authors to be confirmed" in reasons:
            return [], "a title match needs the work's authors to be confirmed"
        return [], "no result with the same title and authors" if hits else "no result"
    venues = {(h.venue, h.year) for h in accepted if h.status is Status.PUBLISHED}
    if len(venues) > 1:
        listed = ", ".join(sorted(f"{v} {y}" for v, y in venues))
        return [], f"ambiguous: results with the same title and authors at {listed}"
    return accepted, ""


@dataclass(frozen=True, slots=True)
class Merged:
    """A work's merged record and what the sources disagreed on."""

    filled: Filled
    conflicts: tuple[str, ...] = ()


def _ranked(candidates: Iterable[Candidate], order: Sequence[str]) -> list[Candidate]:
    rank = {name: i for i, name in enumerate(order)}
    return sorted(candidates, key=lambda c: rank.get(c.source, len(rank)))


@dataclass
class _Facts:
    date: str
    facts: dict[str, Fact] = field(default_factory=dict)

    def put(self, name: str, value: object, source: Candidate | str) -> None:
        text = str(value) if value is not None else ""
        if text and name not in self.facts:
            origin = source.provenance if isinstance(source, Candidate) else source
            self.facts[name] = Fact(text, origin, self.date)


def merge(target: Target, candidates: Sequence[Candidate], date: str) -> Merged:
    """One record for the work from every accepted candidate (the rules in the module
    docstring); ``status`` is ``not-found`` when there are none."""
    from atbib.fill.store import NOT_FOUND

    out = _Facts(date)
    if not candidates:
        out.put("status", NOT_FOUND, "none")
        return Merged(Filled(target.anchor, out.facts))
    ids: dict[Identifier, None] = dict.fromkeys(target.ids)
    for candidate in candidates:
        ids.update(dict.fromkeys(candidate.ids))
    named = _ranked((c for c in candidates if c.authors), NAME_AUTHORITY)
    titled = _ranked((c for c in candidates if c.title), NAME_AUTHORITY)
    published = _ranked((c for c in candidates if c.status is Status.PUBLISHED), AUTHORITY)
    extra_ids = " ".join(str(i) for i in ids if str(i) != target.anchor)
    if extra_ids:
        out.put("ids", extra_ids, _ranked(candidates, AUTHORITY)[0])
    if published:
        main = published[0]
        out.put("status", Status.PUBLISHED.value, main)
    else:
        main = _ranked(candidates, AUTHORITY)[0]
        out.put("status", Status.PREPRINT.value, main)
    if titled:
        out.put("title", titled[0].title, titled[0])
    if named:
        out.put("author", format_people(named[0].authors), named[0])
    if published:
        _put_publication(out, main, published)
    else:
        out.put("type", "misc", main)
        dated = [c for c in candidates if c.year]
        if dated:
            out.put("year", _ranked(dated, ("arxiv", *AUTHORITY))[0].year, dated[0])
    return Merged(Filled(target.anchor, out.facts), tuple(_conflicts(candidates)))


def _put_publication(out: _Facts, main: Candidate, published: Sequence[Candidate]) -> None:
    """Venue and publication fields from the main published candidate, gaps filled from the
    others that agree on the venue."""
    agreeing = [c for c in published if not c.venue or not main.venue or c.venue == main.venue]
    venue_from = next((c for c in agreeing if c.venue), None)
    if venue_from is not None:
        out.put("venue", venue_from.venue, venue_from)
    container_from = next((c for c in agreeing if c.container), None)
    if container_from is not None:
        out.put("container", container_from.container, container_from)
    typed = next((c for c in agreeing if c.entry_type), None)
    if typed is not None:
        out.put("type", typed.entry_type, typed)
    dated = [c for c in agreeing if c.year and c.source in _YEAR_SOURCES] or [
        c for c in agreeing if c.year
    ]
    if dated:
        out.put("year", dated[0].year, dated[0])
    for name in PUBLICATION_FIELDS:
        for candidate in agreeing:
            value = getattr(candidate, name)
            if value:
                out.put(name, value, candidate)
                break


def _same_publication(a: Candidate, b: Candidate) -> bool:
    """The same venue, and the same year where both sources give the published version's."""
    years = {c.year for c in (a, b) if c.source in _YEAR_SOURCES and c.year}
    return same_venue(a.venue, b.venue) and len(years) <= 1


def _conflicts(candidates: Sequence[Candidate]) -> list[str]:
    """What the sources disagree on: the published venue and year, and the authors."""
    found: list[str] = []
    venues: list[Candidate] = []
    for candidate in _ranked(candidates, AUTHORITY):
        if (
            candidate.status is Status.PUBLISHED
            and candidate.venue
            and not any(_same_publication(candidate, seen) for seen in venues)
        ):
            venues.append(candidate)
    if len(venues) > 1:
        found.append(
            "venue: "
            + "; ".join(
                f"{c.venue}{f' {c.year}' if c.source in _YEAR_SOURCES and c.year else ''} "
                f"({c.provenance})"
                for c in venues
            )
        )
    people: list[Candidate] = []
    for candidate in _ranked(candidates, NAME_AUTHORITY):
        if (
            candidate.authors
            and candidate.source in _NAME_SOURCES
            and not any(same_people(candidate.authors, seen.authors) for seen in people)
        ):
            people.append(candidate)
    if len(people) > 1:
        found.append(
            "authors: "
            + "; ".join(
                f"{len(c.authors)} ({', '.join(p.family for p in c.authors[:3])}"
                f"{', …' if len(c.authors) > 3 else ''}) in {c.provenance}"
                for c in people
            )
        )
    return found
