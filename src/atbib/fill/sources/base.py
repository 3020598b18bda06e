"""The shape every metadata source has: build requests (pure), read replies (pure).

An adapter never does I/O. It turns identifiers (or a title) into :class:`Request` values and a
:class:`Reply` into :class:`~atbib.fill.facts.Candidate` values; :mod:`atbib.fill.fetch` sends
the requests for all of them (batching, politeness delays, retries, ``Retry-After``), and
:mod:`atbib.fill.resolve` decides what the candidates mean. So each adapter can be tested on
recorded replies alone, and a new source is one module (:mod:`atbib.fill.sources`).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from atbib.fill.facts import Candidate
from atbib.identifiers import Identifier


@dataclass(frozen=True, slots=True)
class Request:
    """One HTTP request to a source."""

    source: str
    method: str
    url: str
    asked: tuple[str, ...]
    """What the request asks, in order: ``scheme:value`` identifiers, or ``title:`` and the
    title for a search."""
    body: bytes | None = None
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Reply:
    """A source's answer to one request (after the executor's retries)."""

    status: int
    body: bytes
    headers: Mapping[str, str]
    """Header names in lower case."""


@dataclass(frozen=True, slots=True)
class SourceSettings:
    """How to reach one source: set by ``[tool.atbib.fill]`` and the environment."""

    endpoint: str
    batch_size: int = 1
    delay: float = 0.0
    """Seconds to wait between two requests to this source (its politeness rule)."""
    key: str = ""
    """An API key, never printed (Semantic Scholar's ``x-api-key``)."""
    mailto: str = ""
    """An address for Crossref's polite pool."""


class Unavailable(Exception):
    """The source refused to answer at all (OpenReview's 403 challenge, a service that is
    down): the works it was asked about are not at fault, and stay unfilled by it."""


class BatchTooLarge(Exception):
    """The source refused the batch for its size: ask again in smaller batches."""


class Source(ABC):
    """One metadata service."""

    name: str
    """Used in ``--source``, settings and provenance (``arxiv``)."""
    label: str
    """How messages name it (``arXiv``)."""
    default_endpoint: str
    schemes: frozenset[str] = frozenset()
    """Identifier schemes it answers by (``arxiv``; ``doi``; ...); empty for a source that
    only searches by title."""
    default_batch_size: int = 1
    default_delay: float = 0.0
    searches: bool = False
    """Whether it answers title searches (:meth:`search`)."""

    def requests(self, ids: Sequence[Identifier], settings: SourceSettings) -> list[Request]:
        """Requests that ask for all of *ids* (each of a scheme in :attr:`schemes`)."""
        size = max(1, settings.batch_size)
        return [self.request(ids[i : i + size], settings) for i in range(0, len(ids), size)]

    def request(self, ids: Sequence[Identifier], settings: SourceSettings) -> Request:
        """One request for a batch of at most ``settings.batch_size`` identifiers."""
        raise NotImplementedError(f"{self.label} is not asked by identifier")

    @abstractmethod
    def parse(self, request: Request, reply: Reply) -> dict[str, Candidate | None]:
        """What the reply says about each asked item: a candidate, or ``None`` when the source
        does not know it. A search gives ``{asked: None}`` or a candidate per hit under keys
        ``asked#n`` (see :meth:`search`). Raises :class:`Unavailable` or
        :class:`BatchTooLarge` for replies that are not about the works."""

    def search(self, title: str, settings: SourceSettings) -> Request:
        """A request for works with this title (sources with :attr:`searches`)."""
        raise NotImplementedError(f"{self.label} does not search by title")


def clean_pages(text: str) -> str:
    """Pages as BibTeX writes them: ``4171--4186`` from ``4171-4186``, ``4171–4186``."""
    text = " ".join(text.split())
    for dash in ("--", "–", "—", "-"):
        if dash in text:
            first, _, last = text.partition(dash)
            first, last = first.strip(), last.strip().lstrip("-–—").strip()
            return f"{first}--{last}" if first and last else first or last
    return text


MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
"""BibTeX's month macros, January first."""


def month_macro(text: str) -> str:
    """BibTeX's macro for a month written out (``June``, ``jun``, ``6``), ``""`` if none."""
    text = text.strip().strip("{}").strip().lower()
    if text.isdigit():
        return month_name(int(text))
    return text[:3] if text[:3] in MONTHS else ""


def month_name(number: int | None) -> str:
    """The macro for a month number (``6`` -> ``jun``), ``""`` when out of range."""
    return MONTHS[number - 1] if number is not None and 1 <= number <= 12 else ""


def list_venue(names: Sequence[str], year: int | None, *, known_only: bool = False) -> str:
    """The venue as the list writes it (``NAACL``) for the first of a source's names for it that
    the venue table knows (``Proceedings of the 2019 Conference of the North American Chapter
    …``, ``NAACL-HLT``); else the first name as given (``""`` with *known_only*, for free text
    such as arXiv's journal references); ``""`` for arXiv or no name."""
    from atbib.venues import venue_from_bib

    given = [" ".join(n.split()) for n in names if n and n.strip()]
    for name in given:
        venue = venue_from_bib(name, year)
        if venue.preprint:
            return ""
        if venue.info is not None:
            return venue.name
    return given[0] if given and not known_only else ""
