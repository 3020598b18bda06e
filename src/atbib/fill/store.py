"""``bib/metadata.tsv``: what outside sources said about the list's works, with provenance.

``atbib fill`` asks the network; everything it decided lands in this one file, committed beside
the .bib files, and ``atbib export`` reads it offline, so the export stays fast and
byte-reproducible and a change of metadata is reviewed like any other change. The file is a
sorted table, one line per work and field::

    # work            field   value                                   source          fetched
    acl:N19-1423      author  Devlin, Jacob and Chang, Ming-Wei and …  acl:N19-1423    2026-12-05
    acl:N19-1423      doi     10.18653/v1/n19-1423                    acl:N19-1423    2026-12-05

``work`` is the identifier the list's entry had when it was filled (its most specific one);
the ``ids`` line lists every identifier the sources tied to it, so the work is found again
when the list switches its link from the arXiv version to the published one. ``source`` names
the service and its id for the record the value was taken from. Lines sort by work, then in
the field order of :data:`FIELDS`: one work's change is one block of lines.

A value is plain Unicode text on one line (tabs and line breaks become spaces); authors are
``von Last, Jr, First`` names joined with `` and ``, BibTeX's comma form without LaTeX.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from atbib import names
from atbib.errors import AtbibError
from atbib.fill.facts import Status
from atbib.identifiers import Identifier
from atbib.model import Person

METADATA_FILE = "metadata.tsv"

FIELDS = (
    "ids",
    "status",
    "title",
    "author",
    "type",
    "venue",
    "container",
    "year",
    "month",
    "volume",
    "number",
    "pages",
    "doi",
    "publisher",
    "address",
    "prefer",
)
"""Every field a line may name, in the order a work's lines are written."""

NOT_FOUND = "not-found"
"""The ``status`` of a work no source knew: not asked again until ``atbib fill --refresh``."""

PREFER_SOURCE = "source"
"""The ``prefer`` value ``atbib fill --prefer-source`` records: the sources' values win over
what the list states for this work."""

HEADER = (
    "# atbib fill: what outside sources say about the list's works, one line per work and field.\n"
    "# Columns: work, field, value, source (service:id the value came from), fetched (date).\n"
    "# `atbib export` reads this file and never the network; `atbib fill` rewrites it.\n"
)

_ORDER = {name: i for i, name in enumerate(FIELDS)}
_WHITESPACE = str.maketrans({"\t": " ", "\n": " ", "\r": " "})


@dataclass(frozen=True, slots=True)
class Fact:
    """One value with where and when it was found."""

    value: str
    source: str
    """``service:id`` of the record it came from (``acl:N19-1423``); ``list`` for a value
    the list itself states."""
    fetched: str
    """The date it was fetched (``2026-12-05``)."""


@dataclass(frozen=True)
class Filled:
    """Everything recorded about one work."""

    work: str
    """The identifier it was filled by, as ``scheme:value`` (``acl:N19-1423``)."""
    facts: Mapping[str, Fact] = field(default_factory=dict)

    def value(self, name: str) -> str:
        """The value of a field, ``""`` when not recorded."""
        fact = self.facts.get(name)
        return fact.value if fact is not None else ""

    @property
    def ids(self) -> tuple[Identifier, ...]:
        """The work's identifiers: the one it was filled by, then those the sources gave."""
        found: dict[Identifier, None] = {}
        for text in (self.work, *self.value("ids").split()):
            try:
                found.setdefault(Identifier.parse(text), None)
            except ValueError:
                continue
        return tuple(found)

    @property
    def status(self) -> Status | None:
        """Published or preprint; ``None`` for a work no source knew."""
        text = self.value("status")
        return Status(text) if text in Status.__members__.values() else None

    @property
    def authors(self) -> tuple[Person, ...]:
        return parse_people(self.value("author"))

    @property
    def year(self) -> int | None:
        text = self.value("year")
        return int(text) if text.isdigit() else None

    @property
    def prefers_source(self) -> bool:
        return self.value("prefer") == PREFER_SOURCE


def format_people(people: Sequence[Person]) -> str:
    """Names as ``von Last, Jr, First`` joined with `` and `` (plain text)."""
    return " and ".join(_format_person(p) for p in people)


def _format_person(person: Person) -> str:
    last = " ".join(p for p in (person.von, person.family) if p)
    parts = [last, person.jr, person.given] if person.jr else [last, person.given]
    return ", ".join(p for p in parts if p) if person.given or person.jr else last


def parse_people(text: str) -> tuple[Person, ...]:
    """The other direction of :func:`format_people`."""
    people = []
    for name in names.split_authors(text) if text else ():
        parts = names.split_name(name)
        people.append(Person(family=parts.last, given=parts.first, von=parts.von, jr=parts.jr))
    return tuple(people)


class Metadata(Mapping[str, Filled]):
    """The file's works by the identifier they were filled by, each also found by any of its
    other identifiers (:meth:`find`)."""

    def __init__(self, works: Iterable[Filled] = ()) -> None:
        self._works: dict[str, Filled] = {w.work: w for w in works}
        self._by_id: dict[Identifier, str] | None = None

    def __getitem__(self, work: str) -> Filled:
        return self._works[work]

    def __iter__(self) -> Iterator[str]:
        return iter(self._works)

    def __len__(self) -> int:
        return len(self._works)

    def find(self, identifiers: Iterable[Identifier]) -> Filled | None:
        """The work recorded under the first of *identifiers* that the file knows."""
        if not self._works:
            return None
        if self._by_id is None:
            self._by_id = {}
            for work in self._works.values():
                for ident in work.ids:
                    self._by_id.setdefault(ident, work.work)
        for ident in identifiers:
            anchor = self._by_id.get(ident)
            if anchor is not None:
                return self._works[anchor]
        return None

    def with_works(self, works: Iterable[Filled]) -> Metadata:
        """A copy with *works* added or replacing those recorded under the same identifier."""
        merged = dict(self._works)
        for work in works:
            merged[work.work] = work
        return Metadata(merged.values())


def read_metadata(text: str, *, source: str = METADATA_FILE) -> Metadata:
    """Read the file; a line that is not five tab-separated columns naming a known field is an
    error with ``file:line`` (the file is meant to be reviewed, and may be edited by hand)."""
    works: dict[str, dict[str, Fact]] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        columns = line.split("\t")
        if len(columns) != 5:
            raise AtbibError(
                f"{source}:{number}: expected 5 tab-separated columns (work, field, value, "
                f"source, fetched), found {len(columns)}"
            )
        work, name, value, origin, fetched = (c.strip() for c in columns)
        if name not in _ORDER:
            raise AtbibError(
                f"{source}:{number}: unknown field {name!r}; known: {', '.join(FIELDS)}"
            )
        if work not in works:  # a work seen before was checked on its first line
            try:
                Identifier.parse(work)
            except ValueError:
                if not work.startswith("title:"):
                    raise AtbibError(
                        f"{source}:{number}: {work!r} is not an identifier (scheme:value)"
                    ) from None
        works.setdefault(work, {})[name] = Fact(value, origin, fetched)
    return Metadata(Filled(work, facts) for work, facts in works.items())


def write_metadata(metadata: Mapping[str, Filled]) -> str:
    """The file's text: works sorted by identifier, fields in :data:`FIELDS` order."""
    lines = [HEADER]
    for work in sorted(metadata):
        facts = metadata[work].facts
        for name in sorted(facts, key=_ORDER.__getitem__):
            fact = facts[name]
            value = " ".join(fact.value.translate(_WHITESPACE).split())
            lines.append(f"{work}\t{name}\t{value}\t{fact.source}\t{fact.fetched}\n")
    return "".join(lines)
