"""The record model: the hub every format converts to and from.

A :class:`Record` holds what one entry of the list says about one work, and enough to write that
entry back. Records are immutable values; everything that can be derived from them (identifiers,
the venue's full name, the year) is derived on demand instead of stored, so two views of the
same record can never disagree.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass, field, replace
from enum import StrEnum
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Any, TypeVar

from atbib import names
from atbib.venues import ParsedVenue, parse_venue

if TYPE_CHECKING:
    from atbib.identifiers import Identifier

_URL_DATE = re.compile(r"/((?:19|20)\d\d)/(?:0[1-9]|1[0-2])/")

_NOT_YET = -1
"""Marks a memo not computed yet (years are positive; ``None`` is a valid year: unknown)."""

SectionPath = tuple[str, ...]
"""Headings from the ``##`` level down, e.g. ``("Transformer", "Papers")``."""


class Kind(StrEnum):
    """What sort of work an entry points at.

    The kinds come in two shapes, and every format asks which one a kind has: a *titled* work
    (a paper, slides, a book) has a title of its own (``**Title**`` in the list) and links to
    itself through its first link, labelled with the kind's own label (``[[paper]](url)``); any
    other work is a title link (``[Source / Title](url)``) with a source instead of authors."""

    PAPER = "paper"
    BLOG_POST = "blog post"
    REPOSITORY = "repository"
    SLIDES = "slides"
    BOOK = "book"
    OTHER = "other"

    @property
    def titled(self) -> bool:
        """Whether works of this kind have a title of their own rather than a title link."""
        return self in _OWN_LABELS

    @property
    def own_label(self) -> str:
        """The label of the link that stands for a titled work (``paper``, ``slides``,
        ``book``); ``""`` for the other kinds, whose title is their link."""
        return _OWN_LABELS.get(self, "")

    @property
    def plural(self) -> str:
        """How several works of this kind are called (``papers``, ``blog posts``,
        ``repositories``, ``other links``)."""
        return _PLURALS[self]

    @classmethod
    def from_label(cls, label: str) -> Kind:
        """The titled kind a work's first link label names (``slides``, ``book``, any case,
        white space around it ignored); a paper for any other label."""
        return _KIND_OF_LABEL.get(label.strip().lower(), cls.PAPER)


_OWN_LABELS: dict[Kind, str] = {Kind.PAPER: "paper", Kind.SLIDES: "slides", Kind.BOOK: "book"}
"""The titled kinds and their own link labels: the one table of both."""
_KIND_OF_LABEL: dict[str, Kind] = {label: kind for kind, label in _OWN_LABELS.items()}
_PLURALS: dict[Kind, str] = {
    Kind.PAPER: "papers",
    Kind.BLOG_POST: "blog posts",
    Kind.REPOSITORY: "repositories",
    Kind.SLIDES: "slides",
    Kind.BOOK: "books",
    Kind.OTHER: "other links",
}


@cache
def _late(module: str, name: str) -> Any:
    """A function of a module that imports this one (``atbib.links``, ``atbib.identifiers``),
    imported on first use. Records derive their identifiers, year and address through it,
    hundreds of thousands of times in an export: an import statement in the property cost
    0.55 us a call, this cached lookup 0.06 us."""
    return getattr(importlib.import_module(module), name)


@dataclass(frozen=True, slots=True)
class Person:
    """A name split by BibTeX's rules; ``str()`` gives the display form used in the list."""

    family: str
    """The last name (``Vaswani``; ``Neumann`` in ``John von Neumann``)."""
    given: str = ""
    """The first names (``Ashish``, ``Aidan N.``)."""
    von: str = ""
    """Lower-case particles before the family name (``von``, ``van der``)."""
    jr: str = ""
    """A suffix (``Jr.``, ``III``)."""

    @classmethod
    def parse(cls, text: str) -> Person:
        """Split a name written ``First von Last`` or ``von Last, Jr, First`` (BibTeX rules).

        In the comma forms BibTeX's von part may start with a word that is not lower case
        (``O'Neil de la Cruz, Ana``: von ``O'Neil de la``); no ``First von Last`` name (the
        list's form) can say that, so such a von part stays in the family name
        (:func:`listable`)."""
        if cls is Person:
            return _parse_person(text)  # people recur across a list: split each name once
        parts = names.split_name(text)
        return listable(cls(family=parts.last, given=parts.first, von=parts.von, jr=parts.jr))

    def __str__(self) -> str:
        display = " ".join(p for p in (self.given, self.von, self.family) if p)
        return f"{display}, {self.jr}" if self.jr else display


@lru_cache(maxsize=16384)
def _parse_person(text: str) -> Person:
    parts = names.split_name(text)
    return listable(Person(family=parts.last, given=parts.first, von=parts.von, jr=parts.jr))


ET_AL = Person(family="others")
"""The authors a list leaves out (``et al.``): BibTeX's ``others``, which styles print as
"et al."; the list writes it ``A. Author et al.``."""


_P = TypeVar("_P", bound=Person)


def listable(person: _P) -> _P:
    """``person`` with a von part that starts with a word that is not lower case moved into
    the family name (see :meth:`Person.parse`); any other person as it is."""
    if person.von and not names.is_von(names.split_words(person.von)[0]):
        return replace(person, von="", family=f"{person.von} {person.family}")
    return person


@dataclass(frozen=True, slots=True)
class Venue:
    """Where a work appeared, as the list writes it inside the parentheses (``ICLR2020``,
    ``RepL4NLP@ACL 2019``). Name, year and the full name are derived from that text."""

    text: str
    """The venue as written, kept exactly (``NeurIPS 2019 Workshop``)."""

    @classmethod
    def from_parts(cls, name: str, year: int | None) -> Venue:
        """A venue written ``Name Year`` (``Venue.from_parts("ACL", 2019).text == "ACL
        2019"``)."""
        return cls(f"{name} {year}" if name and year else name or str(year or ""))

    @property
    def parsed(self) -> ParsedVenue:
        return parse_venue(self.text)

    @property
    def year(self) -> int | None:
        """The year in the text (``2019`` in ``ICLR2019``), if any."""
        return self.parsed.year

    @property
    def name(self) -> str:
        """The text without its year (``RepL4NLP@ACL``)."""
        return self.parsed.name


@dataclass(frozen=True, slots=True)
class Link:
    """One labelled link, ``[[label]](url)`` in the list. The URL is kept exactly as written,
    even when empty or relative, so the entry can be written back."""

    label: str
    """What the list calls the link: ``paper``, ``code``, ``pt code``, ``slides``, ..."""
    url: str


@dataclass(frozen=True, slots=True)
class Record:
    """One work as one entry of the list describes it."""

    kind: Kind
    title: str
    """The title, as plain text (Markdown escapes removed, LaTeX decoded)."""
    authors: tuple[Person, ...] = ()
    venue: Venue | None = None
    """Where the work appeared, as the list writes it (``None`` when the entry shows none)."""
    url: str = ""
    """Where the title itself links (blog posts and repositories); papers link via ``links``."""
    links: tuple[Link, ...] = ()
    """The labelled links, in the order written; a paper's own link is the first
    (``[[paper]](url)``)."""
    nickname: str = ""
    """The short name the list gives the work (``***BERT***`` -> ``BERT``)."""
    description: str = ""
    """The comment after a repository, a link or a paper's links (`` - text``)."""
    source: str = ""
    """The ``Source /`` prefix of a blog post or the owner of a repository."""
    sections: tuple[SectionPath, ...] = ()
    """The sections the entry is listed in (one per entry; a merged work has several)."""
    key: str = ""
    """The citation key a format gave the work (a .bib entry's key, Zotero's
    ``citationKey``); empty for list entries, whose keys come from the key registry."""
    extra: tuple[tuple[str, str], ...] = ()
    """Fields other formats carry that the list cannot show (``doi``, ``pages``, ...), kept so a
    round trip through the record model loses nothing."""

    # Memos of the derived values below, filled on first use. They are not part of the value:
    # not constructor arguments, not compared or hashed, and ``dataclasses.replace`` starts a
    # new record without them, so a memo always belongs to the fields it was derived from.
    # (Export reads each record's identifiers half a dozen times; deriving them parses URLs.)
    _identifiers: tuple[Identifier, ...] | None = field(
        default=None, init=False, repr=False, compare=False
    )
    _year: int | None = field(default=_NOT_YET, init=False, repr=False, compare=False)

    @property
    def year(self) -> int | None:
        """The venue's year, else the year the work's arXiv or ACL Anthology identifier was
        issued, else a date in the work's own URL (``/2019/01/`` in a blog post's address)."""
        year = self._year
        if year == _NOT_YET:
            year = self._derive_year()
            object.__setattr__(self, "_year", year)
        return year

    def _derive_year(self) -> int | None:
        if self.venue is not None and self.venue.year is not None:
            return self.venue.year
        for ident in self.identifiers:
            if ident.scheme == "arxiv":
                date: tuple[int, int] | None = _late("atbib.identifiers", "arxiv_date")(ident.value)
                if date is not None:
                    return date[0]
            elif ident.scheme == "acl":
                year: int | None = _late("atbib.identifiers", "acl_year")(ident.value)
                if year is not None:
                    return year
        dated = _URL_DATE.search(self.primary_url)
        return int(dated.group(1)) if dated else None

    @property
    def primary_url(self) -> str:
        """The URL that stands for the work itself: the title link, else the first link whose
        label does not name code or a side resource, else the first link."""
        if self.url:
            return self.url
        is_primary_label = _late("atbib.links", "is_primary_label")
        for link in self.links:
            if link.url and is_primary_label(link.label):
                return link.url
        return next((link.url for link in self.links if link.url), "")

    @property
    def identifiers(self) -> tuple[Identifier, ...]:
        """Normalised identifiers derived from the links (arXiv, DOI, ACL, OpenReview, PMLR)
        and from ``extra`` fields, most specific first, without repeats."""
        found = self._identifiers
        if found is None:
            found = _late("atbib.links", "record_identifiers")(self)
            object.__setattr__(self, "_identifiers", found)
        return found

    def with_extra(self, extra: tuple[tuple[str, str], ...]) -> Record:
        """The record with other formats' fields in ``extra``. A new record, since what is
        derived (identifiers, the year) also reads ``extra``."""
        return replace(self, extra=extra)


SHOWN_FIELDS = ("title", "authors", "venue", "url", "links", "nickname", "description", "source")
"""The fields of a :class:`Record` that its list line shows, and so the fields a line must read
back with (its kind follows from how the line is written, its sections from where it stands)."""


class Severity(StrEnum):
    """How sure a problem is: ``error`` for what is certainly wrong (BibTeX cannot read it, a
    broken link), ``warning`` for what is probably wrong or was read another way, ``info`` for
    a gap or a note. Compares equal to its text (``Severity.ERROR == "error"``)."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True, slots=True)
class Problem:
    """Something a reader or a check found, located by file and line: the one problem type
    of every reader (Markdown, BibTeX) and of lint."""

    path: str
    line: int
    """The line number, from 1 (0 when the problem is about the whole file)."""
    severity: Severity
    """``error``, ``warning`` or ``info`` (:class:`Severity`)."""
    message: str
    code: str = ""
    """A short stable name for the kind of problem (``unparsed-line``, ...)."""
    field: str = ""
    """The .bib field the problem is about, when it is about one (``author``)."""
    column: int = 0
    """The column in the line, from 1, where the problem is (0 when it is about the line)."""
    fix: Fix | None = None
    """The one safe edit that fixes the problem, when there is one (``atbib lint --fix``)."""

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        if self.line and self.column:
            where += f":{self.column}"
        return f"{where}: {self.severity}: {self.message}"


@dataclass(frozen=True, slots=True)
class Fix:
    """Replace *old* at *column* (from 1) of the problem's line by *new*."""

    column: int
    old: str
    new: str
