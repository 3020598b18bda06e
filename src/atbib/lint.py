"""Data mistakes in a list, each with file, line, column, severity and rule code.

Severities: ``error`` for what is certainly wrong (a broken link, authors that repeat the
title, a work listed twice in one subsection);
``warning`` for what is probably wrong (an unknown venue, an arXiv date well after the conference,
a line that could not be read, a near-duplicate title, one link on two different works, a
list read poorly); ``info`` for gaps (no authors). The
codes are the rows of :data:`atbib.rules.RULES`.

As with any linter, rules are chosen (``select``, ``ignore``), a finding a maintainer has
judged is silenced on its own line (``<!-- atbib: ignore[code] -->``, :mod:`atbib.directives`),
and a finding with one safe fix carries it (:attr:`Problem.fix`), which :func:`apply_fixes`
applies to the list's lines without touching anything else.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from atbib.dedupe import duplicates_and_shared_links, near_duplicates
from atbib.directives import ignored_codes, split_directive
from atbib.document import Item, Library
from atbib.identifiers import Identifier, arxiv_date
from atbib.model import Fix, Problem, Severity
from atbib.text import authors_repeat_title
from atbib.venues import ParsedVenue, VenueType

if TYPE_CHECKING:
    from atbib.fill.store import Metadata

SEVERITIES = (Severity.INFO, Severity.WARNING, Severity.ERROR)
"""From the least sure to the surest."""


def lint(
    library: Library,
    metadata: Metadata | None = None,
    *,
    select: Sequence[str] = (),
    ignore: Sequence[str] = (),
) -> list[Problem]:
    """Every finding, in line order: of the rules *select* names (every rule when empty)
    but those *ignore* names, and not those a line's ``<!-- atbib: ignore -->`` comment
    silences. With *metadata* (``bib/metadata.tsv``), also what the sources ``atbib fill``
    asked say against the list (:func:`atbib.fill.complete.findings`)."""
    problems = list(library.problems)
    for item in library.items:
        problems.extend(_item_problems(library.path, item))
    if metadata:
        problems.extend(_source_problems(library, metadata))
    problems.extend(_duplicate_problems(library))
    silenced = _silenced(library)
    kept = [
        p
        for p in problems
        if (not select or p.code in select)
        and p.code not in ignore
        and not _is_silenced(p, silenced.get(p.line))
    ]
    return sorted(kept, key=lambda p: (p.line, p.column, -SEVERITIES.index(p.severity), p.code))


def _silenced(library: Library) -> dict[int, frozenset[str]]:
    """Line -> the codes its comment silences (an empty set: every code)."""
    found: dict[int, frozenset[str]] = {}
    for block in library.blocks:
        text = getattr(block, "text", "")
        if "atbib" in text:
            codes = ignored_codes(text)
            if codes is not None:
                found[block.line] = codes
    return found


def _is_silenced(problem: Problem, codes: frozenset[str] | None) -> bool:
    return codes is not None and (not codes or problem.code in codes)


def apply_fixes(library: Library, problems: Iterable[Problem]) -> tuple[str, list[Problem]]:
    """The list's text with the fixes of *problems* applied, and the problems fixed. The
    fixes of a line are applied from its end, so columns stay true; a fix whose text is not
    where it says, or that overlaps another, is left out."""
    by_line: dict[int, list[Problem]] = {}
    for problem in problems:
        if problem.fix is not None:
            by_line.setdefault(problem.line, []).append(problem)
    fixed: list[Problem] = []
    lines: list[str] = []
    for block in library.blocks:
        text = block.text
        end = len(text) + 1
        for problem in sorted(by_line.get(block.line, ()), key=_fix_column, reverse=True):
            fix = problem.fix
            assert fix is not None
            start = fix.column - 1
            if start + len(fix.old) <= end - 1 and text[start : start + len(fix.old)] == fix.old:
                text = text[:start] + fix.new + text[start + len(fix.old) :]
                end = start + 1
                fixed.append(problem)
        lines.append(text + block.eol)
    return library.bom + "".join(lines), sorted(fixed, key=lambda p: (p.line, p.column))


def _fix_column(problem: Problem) -> int:
    return problem.fix.column if problem.fix is not None else 0


def _item_problems(path: str, item: Item) -> Iterator[Problem]:
    record = item.record
    text = split_directive(item.text)[0]

    def problem(
        severity: Severity, code: str, message: str, column: int = 0, fix: Fix | None = None
    ) -> Problem:
        return Problem(path, item.line, severity, message, code, column=column, fix=fix)

    for link in record.links:
        at = _column(text, f"]({link.url})")
        at = at + 2 if at else 0  # the URL's first character (or where it belongs)
        if not link.url.strip():
            yield problem(
                Severity.ERROR, "empty-url", f"link [[{link.label}]] has an empty URL", at
            )
        elif "://" not in link.url and not link.url.startswith(("mailto:", "#")):
            fix = Fix(at, link.url, f"https://{link.url}") if _HOST.match(link.url) else None
            yield problem(
                Severity.ERROR,
                "relative-url",
                f"link [[{link.label}]]({link.url}) is relative: it will not resolve from the "
                "list (add https://)",
                at,
                fix,
            )
    if record.kind.titled:
        if record.authors and authors_repeat_title(record.authors, record.title):
            yield problem(
                Severity.ERROR,
                "authors-repeat-title",
                "the authors field repeats the title",
                _column(text, str(record.authors[0])),
            )
        elif not record.authors:
            yield problem(Severity.INFO, "missing-authors", "no authors given")
    yield from _doubled_spaces(text, len(item.prefix), problem)
    if record.venue is not None:
        parsed = record.venue.parsed
        at = _column(text, record.venue.text)
        if parsed.name and not parsed.known:
            yield problem(Severity.WARNING, "unknown-venue", f"unknown venue {parsed.name!r}", at)
        spelling = _venue_spelling(parsed, at)
        if spelling is not None:
            assert parsed.info is not None
            yield problem(
                Severity.WARNING,
                "venue-spelling",
                f"{parsed.name!r} is written {parsed.info.abbr!r}",
                at,
                spelling,
            )
        for args in _date_problems(record.identifiers, parsed):
            yield problem(*args, column=at)


_HOST = re.compile(r"^(?:[a-z0-9-]+\.)+[a-z]{2,}(?:[/?#]\S*)?$", re.IGNORECASE)
"""A link written without its scheme that can only mean a web address (``exbert.net``,
``github.com/x/y``): ``https://`` in front is its one safe fix."""
_DOUBLED = re.compile(r"(?<=\S)  +(?=\S)")


def _column(text: str, needle: str) -> int:
    """The column (from 1) where *needle* starts in *text*; 0 when it is not there."""
    return text.find(needle) + 1 if needle else 0


def _doubled_spaces(text: str, start: int, problem: Any) -> Iterator[Problem]:
    """Runs of spaces inside an entry (after its bullet), each fixed by one space."""
    for run in _DOUBLED.finditer(text, start):
        column = run.start() + 1
        yield problem(
            Severity.WARNING,
            "doubled-space",
            f"{len(run.group())} spaces in a row",
            column,
            Fix(column, run.group(), " "),
        )


def _venue_spelling(parsed: ParsedVenue, at: int) -> Fix | None:
    """The fix of a known venue written in another spelling (``NeuIPS 2019``, ``Emnlp 2020``):
    the table's own (``NeurIPS``). Only for a venue written as its name and a year, where the
    name is the venue and nothing else."""
    info = parsed.info
    if info is None or parsed.host is not None or parsed.qualifiers or not at:
        return None
    if parsed.name == info.abbr or not parsed.text.startswith(parsed.name):
        return None
    return Fix(at, parsed.name, info.abbr)


def _source_problems(library: Library, metadata: Metadata) -> Iterator[Problem]:
    from atbib.fill.complete import filled_for, findings

    for item in library.items:
        filled = filled_for(metadata, item.record)
        for severity, code, message in findings(item.record, filled):
            yield Problem(library.path, item.line, Severity(severity), message, code)


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
