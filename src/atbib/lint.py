"""Data mistakes in a list, each with file, line and severity.

Severities: ``error`` for what is certainly wrong (a broken link, authors that repeat the
title, a work listed twice in one subsection); ``warning`` for what is probably wrong (an
unknown venue, an arXiv date well after the conference, a line that could not be read, a
near-duplicate title, one link on two different works, a list read poorly); ``info`` for gaps
(no authors).
"""

from __future__ import annotations

from collections.abc import Iterator

from atbib.dedupe import duplicates_and_shared_links, near_duplicates
from atbib.document import Item, Library
from atbib.identifiers import Identifier, arxiv_date
from atbib.model import Problem, Severity
from atbib.text import authors_repeat_title
from atbib.venues import ParsedVenue, VenueType

SEVERITIES = (Severity.INFO, Severity.WARNING, Severity.ERROR)
"""From the least sure to the surest."""


def lint(library: Library) -> list[Problem]:
    """Every problem found, in line order."""
    items = library.items
    problems = list(library.problems)
    for item in items:
        problems.extend(_item_problems(library.path, item))
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


_SLACK_MONTHS = 1
"""How long after a conference its papers may still appear on arXiv without a warning: a
paper of a December conference posted in January is normal."""
_WORKSHOP_SLACK_MONTHS = 12
"""The same for a workshop: its track may be a year's edition held later than the list
says (a workshop of the following year is normal)."""


def _date_problems(
    identifiers: tuple[Identifier, ...], parsed: ParsedVenue
) -> Iterator[tuple[Severity, str, str]]:
    """A venue year that the arXiv identifier's date makes suspicious. A conference paper
    is on arXiv before the conference, or soon after it; one issued more than a month after
    the conference's usual month (December when the table does not know it) is worth a
    look, never an error: a list's year can be the edition a work was presented at."""
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
            return
        known = parsed.info.month if parsed.info is not None else None
        slack = _WORKSHOP_SLACK_MONTHS if parsed.type is VenueType.WORKSHOP else _SLACK_MONTHS
        held = parsed.year * 12 + (known or 12)
        if year * 12 + month > held + slack:
            usually = f"usually takes place in month {known}, " if known else "is "
            yield (
                Severity.WARNING,
                "venue-year",
                f"{where} {usually}before arXiv {ident.value} was issued "
                f"({year}-{month:02d}): is the year right?",
            )
        return


def _duplicate_problems(library: Library) -> Iterator[Problem]:
    items = library.items
    records = library.records
    clusters, shared = duplicates_and_shared_links(records)
    for link in shared:
        yield Problem(
            library.path,
            items[link.second].line,
            Severity.WARNING,
            f"same link as line {items[link.first].line} ({link.identifier}), different "
            "titles: two works kept apart; is the link on the wrong line?",
            "same-link-different-titles",
        )
    for cluster in clusters:
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
