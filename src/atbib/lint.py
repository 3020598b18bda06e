"""Data mistakes in a list, each with file, line and severity.

Severities: ``error`` for what is certainly wrong (a broken link, authors that repeat the
title, a venue year before the paper existed, a work listed twice in one subsection);
``warning`` for what is probably wrong (an unknown venue, an arXiv date after the conference,
a line that could not be read, a near-duplicate title); ``info`` for gaps (no authors).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from atbib.dedupe import find_duplicates, near_duplicates
from atbib.document import Item, Library
from atbib.identifiers import Identifier, arxiv_date
from atbib.model import Problem, Severity
from atbib.text import authors_repeat_title
from atbib.venues import ParsedVenue, VenueType

if TYPE_CHECKING:
    from atbib.fill.store import Metadata

SEVERITIES = (Severity.INFO, Severity.WARNING, Severity.ERROR)
"""From the least sure to the surest."""


def lint(library: Library, metadata: Metadata | None = None) -> list[Problem]:
    """Every problem found, in line order. With *metadata* (``bib/metadata.tsv``), also what
    the sources ``atbib fill`` asked say against the list (:func:`atbib.fill.complete.findings`)."""
    items = library.items
    problems = list(library.problems)
    for item in items:
        problems.extend(_item_problems(library.path, item))
    if metadata:
        problems.extend(_source_problems(library, metadata))
    problems.extend(_duplicate_problems(library))
    return sorted(problems, key=lambda p: (p.line, SEVERITIES.index(p.severity) * -1, p.code))


def _item_problems(path: str, item: Item) -> Iterator[Problem]:
    record = item.record

    def problem(severity: Severity, code: str, message: str) -> Problem:
        return Problem(path, item.line, severity, message, code)

    for link in record.links:
        if not link.url.strip():
            yield problem(Severity.ERROR, "empty-url", f"link [[{link.label}]] has an empty URL")
        elif "://" not in link.url and not link.url.startswith(("mailto:", "#")):
            yield problem(
                Severity.ERROR,
                "relative-url",
                f"link [[{link.label}]]({link.url}) is relative: it will not resolve from the "
                "list (add https://)",
            )
    if record.kind.titled:
        if record.authors and authors_repeat_title(record.authors, record.title):
            yield problem(
                Severity.ERROR, "authors-repeat-title", "the authors field repeats the title"
            )
        elif not record.authors:
            yield problem(Severity.INFO, "missing-authors", "no authors given")
    if record.venue is not None:
        parsed = record.venue.parsed
        if parsed.name and not parsed.known:
            yield problem(Severity.WARNING, "unknown-venue", f"unknown venue {parsed.name!r}")
        yield from (problem(*args) for args in _date_problems(record.identifiers, parsed))


def _source_problems(library: Library, metadata: Metadata) -> Iterator[Problem]:
    from atbib.fill.complete import filled_for, findings

    for item in library.items:
        filled = filled_for(metadata, item.record)
        for severity, code, message in findings(item.record, filled):
            yield Problem(library.path, item.line, Severity(severity), message, code)


def _date_problems(
    identifiers: tuple[Identifier, ...], parsed: ParsedVenue
) -> Iterator[tuple[Severity, str, str]]:
    """A venue year that the arXiv identifier's date makes impossible or suspicious."""
    if parsed.year is None:
        return
    for ident in identifiers:
        if ident.scheme != "arxiv":
            continue
        date = arxiv_date(ident.value)
        if date is None:
            continue
        year, month = date
        where = f"{parsed.name} {parsed.year}"
        if parsed.type is VenueType.PREPRINT:
            if year != parsed.year:
                yield (
                    Severity.WARNING,
                    "venue-year",
                    f"{where}: arXiv {ident.value} was issued in {year}",
                )
        elif parsed.year < year:
            yield (
                Severity.ERROR,
                "venue-year",
                f"{where} is before arXiv {ident.value} was issued ({year}-{month:02d})",
            )
        elif (
            parsed.year == year
            and parsed.info is not None
            and parsed.info.month is not None
            and month > parsed.info.month + 1
        ):
            yield (
                Severity.WARNING,
                "venue-year",
                f"{where} usually takes place in month {parsed.info.month}, before arXiv "
                f"{ident.value} was issued ({year}-{month:02d}): is the year right?",
            )
        return


def _duplicate_problems(library: Library) -> Iterator[Problem]:
    items = library.items
    records = library.records
    for cluster in find_duplicates(records):
        first = items[cluster.members[0]]
        evidence = "; ".join(dict.fromkeys(cluster.evidence))
        for index in cluster.members[1:]:
            item = items[index]
            same_place = set(item.record.sections) & set(first.record.sections)
            yield Problem(
                library.path,
                item.line,
                Severity.ERROR if same_place else Severity.WARNING,
                f"same work as line {first.line} ({evidence})"
                + (" in the same subsection" if same_place else ""),
                "duplicate",
            )
    for near in near_duplicates(records):
        if near.note != "no conflicting evidence":
            continue
        yield Problem(
            library.path,
            items[near.second].line,
            Severity.WARNING,
            f"title is {near.score:.0f}% like line {items[near.first].line}: the same work?",
            "near-duplicate",
        )
