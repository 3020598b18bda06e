"""``atbib fill`` as a job: which works to ask about, what the answers change, and the new
files — decided here, purely, from the project's values and a run's result.

The shell (:func:`atbib.fill.cli.fill`) reads the project, runs :class:`~atbib.fill.run.FillRun`
over the network or offline, hands the result to :func:`plan_fill` and writes what it says:
``bib/metadata.tsv`` (what the sources said, with provenance), ``bib/keys.tsv`` (works re-keyed
now that their authors are known), the list with ``--into-list``, and bib/ regenerated.

Re-keying happens once per work: a work whose key was made from title words because the list
gave no author (``bert2019pretraining``) takes the key its authors give
(``devlin2019bert``) when the sources first name them. The old key stays valid: the registry
keeps it as a ``renamed:`` row, export writes it in the entry's ``ids`` field (biblatex resolves
it), and it is never given to another work. After that, keys are stable as before.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from atbib.document import Library
from atbib.export import Work, collect_works
from atbib.fill.complete import (
    Relation,
    complete,
    filled_for,
    has_own_authors,
    published_venue,
    relation,
)
from atbib.fill.resolve import Merged, Target, anchor_of
from atbib.fill.store import NOT_FOUND, PREFER_SOURCE, Fact, Filled, Metadata
from atbib.keys import FreeKeys, KeyRow, base_key, made_without_authors, rename_keys
from atbib.markdown.edit import replace_records
from atbib.model import Kind, Record

FILLED_KINDS = frozenset({Kind.PAPER, Kind.BOOK})
"""Kinds of work the sources describe (blog posts and repositories are not in them)."""


@dataclass(frozen=True, slots=True)
class FieldChange:
    """One value of ``bib/metadata.tsv`` that a run adds or changes."""

    name: str
    old: str
    new: str
    source: str


@dataclass(frozen=True, slots=True)
class WorkReport:
    """What a run found for one work."""

    key: str
    anchor: str
    title: str
    changes: tuple[FieldChange, ...]
    notes: tuple[str, ...]
    """Answers refused or taken with a remark, abstentions (from the run)."""
    conflicts: tuple[str, ...]
    """What the sources disagreed on."""
    new_key: str = ""
    """The key the work takes now that its authors are known (empty: unchanged)."""
    status: str = ""


@dataclass(frozen=True)
class FillPlan:
    """Everything a fill run would write."""

    metadata: Metadata
    registry: tuple[KeyRow, ...]
    library: Library
    reports: tuple[WorkReport, ...]
    """One per work asked about, in list order."""

    @property
    def renames(self) -> dict[str, str]:
        return {r.key: r.new_key for r in self.reports if r.new_key}


def targets(
    works: Sequence[Work], metadata: Metadata, *, refresh: bool = False
) -> list[tuple[Work, Target]]:
    """The works to ask about: papers and books that bib/metadata.tsv does not settle yet
    (every one with *refresh*). A work recorded as a preprint or as not found is settled
    until ``--refresh``."""
    chosen = []
    for work in works:
        if work.record.kind not in FILLED_KINDS:
            continue
        if refresh or filled_for(metadata, work.record) is None:
            chosen.append((work, Target(anchor_of(work.record), work.record)))
    return chosen


def plan_fill(
    library: Library,
    registry: Sequence[KeyRow],
    metadata: Metadata,
    asked: Sequence[tuple[Work, Target]],
    merged: Sequence[Merged],
    notes: Sequence[Sequence[str]],
    *,
    formula: Sequence[str],
    prefer_source: bool = False,
    into_list: bool = False,
    keep_not_found: bool = True,
) -> FillPlan:
    """The files after a run (*merged* and *notes* hold one item per work in *asked*).

    A work the sources did not know keeps what the file recorded before (a source that was
    down must not erase a work's record); without *keep_not_found* (a source was unavailable)
    such works are not recorded as not found either, so the next run asks again."""
    entries: list[Filled] = []
    reports: list[WorkReport] = []
    for (work, target), result, remarks in zip(asked, merged, notes, strict=True):
        old = filled_for(metadata, work.record)
        new: Filled | None = result.filled
        if result.filled.value("status") == NOT_FOUND and (old is not None or not keep_not_found):
            new = old
        elif prefer_source or (old is not None and old.prefers_source):
            new = _preferring(result.filled)
        if new is not None:
            entries.append(new)
        reports.append(
            WorkReport(
                key=work.key,
                anchor=target.anchor,
                title=work.record.title,
                changes=tuple(_changes(old, new)),
                notes=tuple(remarks),
                conflicts=result.conflicts,
                status=new.value("status") if new is not None else "",
            )
        )
    stale = {
        old.work
        for (work, _), _r in zip(asked, merged, strict=True)
        if (old := filled_for(metadata, work.record)) is not None
    }
    kept = [filled for anchor, filled in metadata.items() if anchor not in stale]
    after = Metadata([*kept, *entries])
    renames = _renames(library, registry, after, formula)
    reports = [replace(r, new_key=renames.get(r.key, "")) for r in reports]
    registry_after = rename_keys(registry, renames) if renames else tuple(registry)
    edited = _into_list(library, after) if into_list else library
    return FillPlan(after, registry_after, edited, tuple(reports))


def _preferring(filled: Filled) -> Filled:
    date = next(iter(filled.facts.values())).fetched if filled.facts else ""
    facts = dict(filled.facts)
    facts["prefer"] = Fact(PREFER_SOURCE, "atbib fill --prefer-source", date)
    return Filled(filled.work, facts)


def _changes(old: Filled | None, new: Filled | None) -> list[FieldChange]:
    before = old.facts if old is not None else {}
    after = new.facts if new is not None else {}
    found = []
    for name, fact in after.items():
        previous = before.get(name)
        if previous is None or previous.value != fact.value:
            found.append(
                FieldChange(name, previous.value if previous else "", fact.value, fact.source)
            )
    return found


def _renames(
    library: Library, registry: Sequence[KeyRow], metadata: Metadata, formula: Sequence[str]
) -> dict[str, str]:
    """Registered keys made without authors, for works whose authors are now known: old key ->
    the key the formula gives the completed work (suffixed past every key ever given)."""
    works, _ = collect_works(library, registry, formula)
    registered = {row.key for row in registry}
    free = FreeKeys(row.key for row in registry)
    renames: dict[str, str] = {}
    for work in works:
        record = work.record
        if work.key not in registered or has_own_authors(record):
            continue
        filled = filled_for(metadata, record)
        if filled is None or not filled.authors:
            continue
        if not made_without_authors(work.key, record, formula):
            continue
        completed, _ = complete(record, filled)
        key = free.first_free(base_key(completed, formula))
        if key != work.key:
            free.take(key)
            renames[work.key] = key
    return renames


def _into_list(library: Library, metadata: Metadata) -> Library:
    """The list with each entry given the authors it lacks and the published venue its label
    does not show yet (or, for works filled with ``--prefer-source``, the sources' authors and
    venue), rendered in the list's style; every other line kept."""
    changes: dict[int, Record] = {}
    for index, item in enumerate(library.items):
        record = item.record
        if record.kind not in FILLED_KINDS:
            continue
        filled = filled_for(metadata, record)
        if filled is None:
            continue
        updates: dict[str, object] = {}
        if filled.authors and (filled.prefers_source or not has_own_authors(record)):
            updates["authors"] = filled.authors
        venue = published_venue(filled)
        if venue is not None:
            how = relation(record, venue)
            if how in (Relation.NONE, Relation.PREPRINT) or (
                how is Relation.OTHER and filled.prefers_source
            ):
                updates["venue"] = venue
        if updates:
            changes[index] = replace(record, **updates)  # type: ignore[arg-type]
    return replace_records(library, changes)


UNANSWERED = "unanswered"
"""What a work is in a run's summary when nothing was recorded for it (no source was asked,
or the ones asked were unavailable)."""


def summary_counts(reports: Sequence[WorkReport]) -> Mapping[str, int]:
    """Works by what the run recorded: published, preprint, not found, unanswered."""
    counts: dict[str, int] = {}
    for report in reports:
        status = report.status or UNANSWERED
        counts[status] = counts.get(status, 0) + 1
    return counts
