"""What one outside source says about one work: the unit every adapter produces.

A :class:`Candidate` is deliberately flat and plain: every adapter (arXiv's Atom, Semantic
Scholar's JSON, Crossref's ``message``, DBLP's hits, the ACL Anthology's BibTeX, OpenReview's
notes, a local .bib file) turns its own format into these few fields, so that matching and
merging (:mod:`atbib.fill.resolve`) never see a source's format. Values are plain Unicode text,
never LaTeX; names are split into :class:`~atbib.model.Person` by the adapter, which knows how
its source writes them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from atbib.identifiers import Identifier
from atbib.model import Person


class Status(StrEnum):
    """What a source says of a work's publication."""

    PUBLISHED = "published"
    """A published version exists (proceedings, journal, book)."""
    PREPRINT = "preprint"
    """The source knows the work only as a preprint."""


PUBLICATION_FIELDS = ("volume", "number", "pages", "publisher", "address", "month", "doi")
"""Plain fields a candidate may carry about the version it describes, written as BibTeX fields
of the same names."""


@dataclass(frozen=True, slots=True)
class Candidate:
    """One source's description of one work."""

    source: str
    """The adapter's name (``arxiv``, ``acl``, ...)."""
    identifier: str
    """The source's own id of the record (``1810.04805``, ``N19-1423``, a DOI, a DBLP key):
    with :attr:`source`, the provenance of every value taken from it."""
    title: str = ""
    authors: tuple[Person, ...] = ()
    year: int | None = None
    status: Status | None = None
    """``None`` when the source cannot tell."""
    entry_type: str = ""
    """``inproceedings``, ``article``, ``book`` or ``misc`` (a preprint), when known."""
    venue: str = ""
    """The venue of the published version as the list would write it (``NAACL``), read from
    the source's name for it by the venue table."""
    container: str = ""
    """The proceedings' or journal's name as the source gives it."""
    volume: str = ""
    number: str = ""
    pages: str = ""
    """With BibTeX's ``--`` between first and last page."""
    publisher: str = ""
    address: str = ""
    month: str = ""
    """A three-letter month (``jun``), BibTeX's macro names."""
    doi: str = ""
    """The published version's DOI, normalised (lower case)."""
    ids: tuple[Identifier, ...] = ()
    """Every identifier the source ties to this work (its arXiv id, DOI, ACL Anthology id, ...):
    how a preprint finds its published version in the next source."""

    @property
    def provenance(self) -> str:
        """``source:identifier`` (``acl:N19-1423``), recorded beside every value taken."""
        return f"{self.source}:{self.identifier}"
