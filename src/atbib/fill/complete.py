"""A work of the list completed from ``bib/metadata.tsv``: what export writes, what lint says.

Pure functions of a record and its :class:`~atbib.fill.store.Filled` entry. The list's own
data wins: authors are taken only when the list gives none (or only repeats the title), and a
published venue only when the list names none or only says that it knows the preprint
(``(CoRR 2019)``, ``(arXiv 2019)``). A list that names another venue or year is a
disagreement: the list's venue stays, the published version's pages and DOI are not put
beside it, and lint reports it; ``atbib fill --prefer-source`` records that the sources win
for that work.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from enum import StrEnum

from atbib.bibtex.encode import MONTHS, encode_value
from atbib.bibtex.mapping import VENUE_ENTRY_TYPES, KeptEntry
from atbib.fill.facts import PUBLICATION_FIELDS, Status
from atbib.fill.resolve import anchor_of, first_difference, same_people
from atbib.fill.store import Filled, Metadata
from atbib.model import Record, Venue
from atbib.text import authors_repeat_title, fold_title
from atbib.venues import VenueType, parse_venue, same_venue, venue_from_bib

_JOURNAL_TYPES = frozenset({"article"})

_COMPANION_VOLUME = re.compile(
    r"\b(?:system demonstrations|demonstrations|tutorials?|tutorial abstracts|"
    r"student research workshop|industry track|industry papers)\b",
    re.IGNORECASE,
)
"""A volume beside a known conference's main one, which the table's name does not say: its
source's ``booktitle`` is written (``…North American Chapter…: Tutorials``)."""


class Relation(StrEnum):
    """How the list's venue relates to the published version's."""

    NONE = "none"
    """The list names no venue."""
    PREPRINT = "preprint"
    """The list says only that it knows the preprint (``CoRR``, ``arXiv``)."""
    SAME = "same"
    OTHER = "other"
    """The list names another venue or another year: a disagreement."""


def filled_for(metadata: Metadata, record: Record) -> Filled | None:
    """The metadata recorded for a work, by any of its identifiers (else its title)."""
    if not metadata:
        return None
    found = metadata.find(record.identifiers)
    if found is None and not record.identifiers:
        found = metadata.get(anchor_of(record))
    return found


def has_own_authors(record: Record) -> bool:
    """Whether the list names the work's authors (not merely repeating its title)."""
    return bool(record.authors) and not authors_repeat_title(record.authors, record.title)


def published_venue(filled: Filled) -> Venue | None:
    """The published version's venue as the list would write it (``ACL 2020``)."""
    if filled.status is not Status.PUBLISHED or not filled.value("venue"):
        return None
    # Named as the .bib reader names it ("WACV 2021", "Findings of ACL 2021", an unknown
    # venue as written), so that bib/ reads back as the list says.
    name = venue_from_bib(filled.value("venue"), filled.year).name
    year = filled.year
    return Venue(name) if year is None or str(year) in name else Venue.from_parts(name, year)


def relation(record: Record, published: Venue) -> Relation:
    listed = record.venue
    if listed is None or not listed.parsed.name:
        return Relation.NONE
    parsed = listed.parsed
    if parsed.type is VenueType.PREPRINT:
        return Relation.PREPRINT
    if _same_name(listed, published) and (
        parsed.year is None or published.year is None or parsed.year == published.year
    ):
        return Relation.SAME
    return Relation.OTHER


def _same_name(listed: Venue, published: Venue) -> bool:
    mine, theirs = listed.parsed, parse_venue(published.text)
    if mine.abbr.lower() == theirs.abbr.lower() or same_venue(mine.full_name, theirs.full_name):
        return True
    # A venue the table does not know (a workshop): its name inside the source's name.
    words = [w for w in fold_title(mine.name).split() if len(w) > 3]
    return bool(words) and all(w in fold_title(theirs.name).split() for w in words)


def complete(record: Record, filled: Filled | None) -> tuple[Record, KeptEntry | None]:
    """The record export writes for a work, and the fields of its published version (raw
    BibTeX, for :func:`atbib.bibtex.mapping.bibtex_entry`'s ``kept``)."""
    if filled is None or filled.status is None:
        return record, None
    prefer = filled.prefers_source
    changes: dict[str, object] = {}
    # The recorded names are parsed only for a work that takes them.
    authors = filled.authors if prefer or not has_own_authors(record) else ()
    if authors:
        changes["authors"] = authors
    venue = published_venue(filled)
    publication = False
    if venue is not None:
        how = relation(record, venue)
        if how in (Relation.NONE, Relation.PREPRINT) or (how is Relation.OTHER and prefer):
            changes["venue"] = venue
        publication = how is not Relation.OTHER or prefer
    extra = list(record.extra)
    have = {name for name, _ in extra}
    arxiv = next((i.value for i in filled.ids if i.scheme == "arxiv"), "")
    if arxiv and not any(i.scheme == "arxiv" for i in record.identifiers) and "eprint" not in have:
        extra.append(("eprint", arxiv))  # the arXiv version stays findable
    if publication and filled.value("doi") and "doi" not in have:
        extra.append(("doi", filled.value("doi")))
    if len(extra) != len(record.extra):
        changes["extra"] = tuple(extra)
    completed = replace(record, **changes) if changes else record  # type: ignore[arg-type]
    if not publication:
        return completed, None
    return completed, _publication_entry(completed, filled)


def _publication_entry(record: Record, filled: Filled) -> KeptEntry | None:
    """Pages, volume, publisher ... of the published version, and its type and venue name
    where the venue table does not know the venue (a journal stays a journal)."""
    fields: list[tuple[str, str]] = []
    parsed = record.venue.parsed if record.venue is not None else None
    if parsed is not None and parsed.known:
        entry_type = VENUE_ENTRY_TYPES.get(parsed.type, "inproceedings")  # the table decides
    else:
        entry_type = filled.value("type") or "inproceedings"
    if record.year is not None:
        # The generated year, said again: the fields after it follow it in the entry.
        fields.append(("year", str(record.year)))
    container = filled.value("container")
    if (
        parsed is not None
        and container
        and (not parsed.known or _COMPANION_VOLUME.search(container))
    ):
        name = "journal" if entry_type in _JOURNAL_TYPES else "booktitle"
        fields.append((name, encode_value(name, container)))
    skip = {"doi", *(name for name, _ in record.extra)}
    if entry_type not in _JOURNAL_TYPES and filled.value("volume"):
        # BibTeX's styles read a proceedings' volume and number as a series' and warn when
        # both are given (AAAI's "34(05)"): the volume alone says where it is.
        skip.add("number")
    for name in PUBLICATION_FIELDS:
        value = filled.value(name)
        if value and name not in skip:
            # a month as .bib readers give it back (``July``); written as the macro (``jul``)
            fields.append(
                (name, MONTHS.get(value, value) if name == "month" else encode_value(name, value))
            )
    if len(fields) <= 1 and (parsed is None or parsed.known):
        return None
    return KeptEntry(entry_type, tuple(fields))


def findings(record: Record, filled: Filled | None) -> Iterator[tuple[str, str, str]]:
    """``(severity, code, message)`` for lint: a published version the list's label does not
    show yet, and what the sources say that the list contradicts."""
    if filled is None or filled.status is None:
        return
    source = filled.facts.get("venue") or filled.facts.get("status")
    where = source.source if source is not None else "the sources"
    venue = published_venue(filled)
    if venue is not None:
        how = relation(record, venue)
        if how in (Relation.NONE, Relation.PREPRINT):
            yield (
                "info",
                "published-since",
                f"published since as {venue.text} ({where}); `atbib fill --into-list` "
                "writes it into the list",
            )
        elif how is Relation.OTHER and not filled.prefers_source:
            listed = record.venue.text if record.venue is not None else ""
            yield (
                "warning",
                "venue-disagrees",
                f"the list says {listed}; {where} says {venue.text} (`atbib fill "
                "--prefer-source` takes the source's)",
            )
    authors = filled.facts.get("author")
    if (
        authors is not None
        and has_own_authors(record)
        and not filled.prefers_source
        and not same_people(record.authors, filled.authors)
    ):
        yield (
            "warning",
            "authors-disagree",
            f"authors differ from {authors.source}: the list has {len(record.authors)}, "
            f"the source {len(filled.authors)} ({_first_difference(record, filled)})",
        )


def _first_difference(record: Record, filled: Filled) -> str:
    mine, theirs = record.authors, filled.authors
    at = first_difference(mine, theirs)
    if at < min(len(mine), len(theirs)):
        return f"author {at + 1}: {mine[at]} vs {theirs[at]}"
    side, extra = ("the list", mine[at]) if len(mine) > len(theirs) else ("the source", theirs[at])
    return f"only {side} names {extra}"
