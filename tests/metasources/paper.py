"""One work as the metadata services know it, independent of any one service's format.

Every fake renders the same :class:`Paper` in its own wire format, so a test states a work's
facts once and each service answers consistently about it (or, through the fields a service
owns — arXiv's ``journal_ref``, DBLP's venue spelling — inconsistently, as real services do).
Identifiers the services invent for themselves (Semantic Scholar's paperId and CorpusId, the
DBLP record key) are derived from the facts when a test does not give them, so they are stable
from run to run.
"""

from __future__ import annotations

import datetime
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from anyascii import anyascii

Name = tuple[str, str]
"""(given, family), as printed: ("Jacob", "Devlin"), ("Laurens", "van der Maaten")."""

MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
ARXIV_DOI_PREFIX = "10.48550/arxiv."
"""arXiv's own DOIs (registered with DataCite, not Crossref)."""
NEW_ARXIV_ID = re.compile(r"(\d{2})(\d{2})\.(\d{4,5})")
OLD_ARXIV_ID = re.compile(r"[a-z][a-z.-]*(?:\.[A-Z]{2})?/(\d{2})(\d{2})(\d{3})")


class Kind(StrEnum):
    """What kind of publication the services know the work as."""

    CONFERENCE = "conference"
    JOURNAL = "journal"
    PREPRINT = "preprint"
    BOOK = "book"


@dataclass(frozen=True)
class Paper:
    """A work and everything the six services could report about it.

    ``arxiv`` is the unversioned id; ``arxiv_version`` the latest version. ``arxiv_journal_ref``
    and ``arxiv_doi`` are what the *authors* told arXiv about publication — often nothing,
    even for published work. ``doi`` is the published version's DOI (or a preprint server's,
    for a preprint). ``preprint_doi`` is a preprint the publisher links to this work (Crossref
    ``relation``). ``dblp_venues`` is the venue as DBLP spells it; several make DBLP answer a
    list. ``key`` is the label a test or the research file knows the work by; no service
    reports it.
    """

    title: str
    authors: tuple[Name, ...] = ()
    year: int | None = None
    kind: Kind = Kind.CONFERENCE
    month: int | None = None
    venue: str | None = None
    container: str | None = None
    volume: str | None = None
    number: str | None = None
    pages: str | None = None
    publisher: str | None = None
    address: str | None = None
    abstract: str | None = None
    editors: tuple[Name, ...] = ()
    doi: str | None = None
    preprint_doi: str | None = None
    arxiv: str | None = None
    arxiv_version: int = 1
    arxiv_submitted: datetime.datetime | None = None
    arxiv_category: str = "cs.CL"
    arxiv_journal_ref: str | None = None
    arxiv_doi: str | None = None
    acl: str | None = None
    openreview: str | None = None
    pmlr: str | None = None
    dblp_key: str | None = None
    dblp_venues: tuple[str, ...] = ()
    s2_id: str | None = None
    key: str | None = None

    def __post_init__(self) -> None:
        if self.month is not None and not 1 <= self.month <= 12:
            raise ValueError(f"month {self.month} is not 1..12")
        if self.arxiv is not None and re.search(r"v\d+$", self.arxiv):
            raise ValueError(f"arXiv id {self.arxiv!r}: give it unversioned, with arxiv_version")

    # -- reading the research format ------------------------------------------------------

    @classmethod
    def from_facts(cls, obj: Mapping[str, Any]) -> Paper:
        """One line of a facts-N.jsonl research file (see /work/research/README.md).

        Authors there are "Family, Given"; ``status`` and ``type`` decide the kind: a work
        whose only known version is a preprint (or whose status is unknown and is typed as a
        report) is a preprint, everything else takes the kind of its entry type.
        """
        status = obj.get("status")
        entry_type = obj.get("type")
        kind = {
            "inproceedings": Kind.CONFERENCE,
            "article": Kind.JOURNAL,
            "book": Kind.BOOK,
        }.get(str(entry_type), Kind.PREPRINT)
        if status == "preprint":
            kind = Kind.PREPRINT
        month = obj.get("month")
        return cls(
            title=str(obj["title"]),
            authors=tuple(split_family_given(a) for a in obj.get("authors") or ()),
            year=obj.get("year"),
            kind=kind,
            month=MONTHS.index(month) + 1 if month in MONTHS else None,
            venue=obj.get("venue"),
            container=obj.get("container"),
            volume=obj.get("volume"),
            number=obj.get("number"),
            pages=obj.get("pages"),
            publisher=obj.get("publisher"),
            address=obj.get("address"),
            doi=obj.get("doi"),
            arxiv=obj.get("arxiv"),
            acl=obj.get("acl"),
            openreview=obj.get("openreview"),
            pmlr=obj.get("pmlr"),
            key=obj.get("key"),
        )

    # -- derived facts ------------------------------------------------------------------

    @property
    def published(self) -> bool:
        """A peer-reviewed or official version exists (the services know a venue)."""
        return self.kind is not Kind.PREPRINT

    @property
    def arxiv_first_submitted(self) -> datetime.datetime | None:
        """When v1 went up: given, or derived from the id's year and month."""
        if self.arxiv is None:
            return None
        if self.arxiv_submitted is not None:
            return self.arxiv_submitted
        match = NEW_ARXIV_ID.fullmatch(self.arxiv) or OLD_ARXIV_ID.fullmatch(self.arxiv)
        if match is None:
            raise ValueError(f"not an arXiv id: {self.arxiv!r}")
        yy, mm, number = (int(g) for g in match.groups())
        year = 1900 + yy if yy >= 91 else 2000 + yy
        return datetime.datetime(year, mm, 1 + number % 28, 17, 0, 0, tzinfo=datetime.UTC)

    @property
    def arxiv_last_updated(self) -> datetime.datetime | None:
        """When the latest version went up (a month per later version)."""
        first = self.arxiv_first_submitted
        if first is None:
            return None
        return first + datetime.timedelta(days=30 * (self.arxiv_version - 1))

    @property
    def arxiv_year(self) -> int | None:
        first = self.arxiv_first_submitted
        return None if first is None else first.year

    @property
    def arxiv_datacite_doi(self) -> str | None:
        """The DOI arXiv registers for every paper: ``10.48550/arXiv.ID``."""
        return None if self.arxiv is None else f"10.48550/arXiv.{self.arxiv}"

    @property
    def s2_paper_id(self) -> str:
        """Semantic Scholar's 40-hex paperId: given, or a digest of the work's identity."""
        return self.s2_id or self.digest("s2")

    @property
    def corpus_id(self) -> int:
        return int(self.digest("corpus")[:8], 16) % 300_000_000

    @property
    def dblp_record_key(self) -> str | None:
        """DBLP's key of the published record (``conf/naacl/DevlinCLT19``), if DBLP has one.

        Derived as DBLP forms it: the first author's family name, the initials of the next
        ones, the two-digit year, under the venue's stream.
        """
        if not self.published:
            return None  # a preprint has only its CoRR record (dblp_corr_key)
        if self.dblp_key is not None:
            return self.dblp_key
        if self.year is None or not self.authors or not self.venue:
            return None
        stream = {Kind.CONFERENCE: "conf", Kind.JOURNAL: "journals", Kind.BOOK: "books"}
        venue = re.sub(r"[^a-z0-9]", "", anyascii(self.venue).lower()) or "misc"
        return f"{stream[self.kind]}/{venue}/{self._dblp_name_part()}{self.year % 100:02d}"

    @property
    def dblp_corr_key(self) -> str | None:
        """DBLP's key of the arXiv version (``journals/corr/abs-1810-04805``)."""
        if self.arxiv is None:
            return None
        return "journals/corr/abs-" + re.sub(r"[./]", "-", self.arxiv)

    def _dblp_name_part(self) -> str:
        families = [re.sub(r"[^A-Za-z]", "", anyascii(f)) for _, f in self.authors]
        return families[0] + "".join(f[:1].upper() for f in families[1:])

    def digest(self, purpose: str) -> str:
        """A stable hex digest of the work's identity, for identifiers a service invents."""
        identity = self.doi or self.arxiv or self.acl or self.openreview or self.title
        return hashlib.sha1(f"{purpose}:{identity}".encode()).hexdigest()


def split_family_given(name: str) -> Name:
    """``"van der Maaten, Laurens"`` -> ``("Laurens", "van der Maaten")``; a name without a
    comma is all family (an organisation, a mononym)."""
    family, sep, given = name.partition(",")
    return (given.strip(), family.strip()) if sep else ("", name.strip())


def full_name(name: Name) -> str:
    """ "Given Family", the order arXiv, Semantic Scholar, DBLP and OpenReview print."""
    return " ".join(part for part in name if part)
