"""The .bib -> list jobs, planned without touching the disk.

Three jobs read BibTeX into the list, and all three are pure functions from values to a plan
(the new list, key registry and kept fields, plus what to report), so the command line only
reads files, prints and writes:

* :func:`plan_import` (``atbib import FILE.bib --section S``): works not in the list yet are
  added at the end of the subsection in house style; works already there (same identifier, or
  same title with nothing against it: :mod:`atbib.dedupe`) are reported, and with ``fill`` the
  list's entries get what they lack (authors, a venue, a link) and the work's bib entry the
  source's other fields. Keys the entries carry are kept when free (case-insensitively) and
  pinned in the key registry, so the next export uses them; fields the list cannot show are
  kept in ``bib/extra.bib`` (:mod:`atbib.bibtex.kept`).
* :func:`plan_update` (``atbib import --update bib/``): entries of the generated files that
  differ from what export writes were edited by hand; what the list shows (title, authors,
  venue, links, nickname, ...) goes into the list's lines, the rest into the kept fields, so
  the next export writes the same entries again.
* :func:`bib_differences` (``atbib check``): those hand edits, field by field.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from atbib.bibtex.kept import kept_fields
from atbib.bibtex.mapping import KeptEntry, record_from_entry
from atbib.bibtex.overlay import bibtex_entry
from atbib.bibtex.parse import BibEntry, Field, parse_bibtex
from atbib.bibtex.read import LoadedBib
from atbib.dedupe import cluster_indices, merge
from atbib.document import Item, Library
from atbib.export import Bibliography, Work, collect_works
from atbib.keys import DEFAULT_FORMULA, KeyRow, assign_keys
from atbib.markdown.edit import add_records, replace_records
from atbib.markdown.entry import parse_entry, render_entry
from atbib.markdown.write import render_markdown
from atbib.model import SHOWN_FIELDS, Record, SectionPath

if TYPE_CHECKING:
    from atbib.fill.store import Metadata

Kept = dict[str, tuple[str, KeptEntry]]
"""The kept fields (``bib/extra.bib``): lower-case key -> ``(key, kept entry)``."""


@dataclass(frozen=True, slots=True)
class Source:
    """One entry of an input file, read as a record."""

    record: Record
    entry: BibEntry
    path: str

    @property
    def where(self) -> str:
        return f"{self.path}:{self.entry.line}"


def sources_of(loaded: Sequence[LoadedBib]) -> list[Source]:
    """Every entry of the files read, in order."""
    return [
        Source(record, entry, bib.path)
        for bib in loaded
        for record, entry in zip(bib.records, bib.entries, strict=True)
    ]


@dataclass(frozen=True, slots=True)
class Added:
    source: Source
    key: str
    line: str
    """The line added to the list (bullet included)."""


@dataclass(frozen=True, slots=True)
class Known:
    """A work of the input already in the list."""

    source: Source
    lines: tuple[int, ...]
    """List lines (1-based, before the import) of its entries."""
    filled: tuple[str, ...] = ()
    """What ``fill`` gave the list's entries (``authors``, ``venue``, ``links``, ...)."""
    kept: tuple[str, ...] = ()
    """Fields ``fill`` kept for its bib entry."""


@dataclass(frozen=True, slots=True)
class Repeated:
    """A work given twice in the input: the later entry is left out."""

    source: Source
    first: Source


@dataclass(frozen=True)
class ImportPlan:
    library: Library
    added: tuple[Added, ...]
    known: tuple[Known, ...]
    repeated: tuple[Repeated, ...]
    registry: tuple[KeyRow, ...]
    kept: Kept

    @property
    def changed(self) -> bool:
        return bool(self.added) or any(k.filled or k.kept for k in self.known)


def fill_record(record: Record, source: Record) -> tuple[Record, tuple[str, ...]]:
    """The list's record completed from a source: authors, venue and a link for a paper that
    lacks them; the source and description of a blog post or repository. Nothing the list
    has is replaced."""
    changes: dict[str, object] = {}
    if record.kind.titled:
        if not record.authors and source.authors:
            changes["authors"] = source.authors
        if record.venue is None and source.venue is not None and source.kind.titled:
            changes["venue"] = source.venue
        if not record.links and source.links and source.kind.titled:
            changes["links"] = source.links
    else:
        if not record.source and source.source:
            changes["source"] = source.source
        if not record.description and source.description:
            changes["description"] = source.description
    if not changes:
        return record, ()
    return replace(record, **changes), tuple(changes)  # type: ignore[arg-type]


def _raw(entry: BibEntry) -> tuple[tuple[str, str], ...]:
    return tuple((f.name, f.value) for f in entry.fields)


def plan_import(
    library: Library,
    registry: Sequence[KeyRow],
    kept: Kept,
    sources: Sequence[Source],
    section: SectionPath,
    *,
    fill: bool = False,
    formula: Sequence[str] = DEFAULT_FORMULA,
) -> ImportPlan:
    """Add the works of *sources* to *section* (see the module docstring)."""
    fresh, matched, repeated = _sort_sources(library.records, sources)
    edited, filled_by = _fill_listed(library, sources, matched, fill)
    final, read_back, lines = _add_new(edited, [sources[i] for i in fresh], section)
    registry_after, added, kept_after = _key_new_works(
        library.records, registry, kept, [sources[i] for i in fresh], read_back, lines, formula
    )
    if fill and matched:
        known = _known_filled(
            library, edited, final, registry_after, formula, kept_after, sources, matched, filled_by
        )
    else:
        known = [
            Known(sources[first], tuple(library.items[i].line for i in members))
            for first, members in matched
        ]
    return ImportPlan(
        library=final,
        added=tuple(added),
        known=tuple(known),
        repeated=tuple(repeated),
        registry=registry_after,
        kept=kept_after,
    )


def _sort_sources(
    list_records: Sequence[Record], sources: Sequence[Source]
) -> tuple[list[int], list[tuple[int, list[int]]], list[Repeated]]:
    """Which sources are new works (their indices), which are works already listed (with the
    indices of their entries in the list), and which repeat an earlier source."""
    n = len(list_records)
    groups = cluster_indices([*list_records, *(s.record for s in sources)])
    fresh: list[int] = []
    matched: list[tuple[int, list[int]]] = []
    repeated: list[Repeated] = []
    for group in groups:
        members = [i for i in group if i < n]
        incoming = [i - n for i in group if i >= n]
        if not incoming:
            continue
        first = incoming[0]
        repeated.extend(Repeated(sources[i], sources[first]) for i in incoming[1:])
        if members:
            matched.append((first, members))
        else:
            fresh.append(first)
    fresh.sort()
    matched.sort()
    return fresh, matched, repeated


def _fill_listed(
    library: Library,
    sources: Sequence[Source],
    matched: Sequence[tuple[int, list[int]]],
    fill: bool,
) -> tuple[Library, dict[int, tuple[str, ...]]]:
    """The list with the entries of works already listed completed from their sources (with
    *fill*), and what each source gave (by source index)."""
    list_records = library.records
    changes: dict[int, Record] = {}
    filled_by: dict[int, tuple[str, ...]] = {}
    for first, members in matched:
        what: list[str] = []
        for index in members:
            record, filled = fill_record(
                changes.get(index, list_records[index]), sources[first].record
            )
            if fill and filled:
                changes[index] = record
                what.extend(f for f in filled if f not in what)
        filled_by[first] = tuple(what)
    return replace_records(library, changes), filled_by


def _add_new(
    library: Library, new: Sequence[Source], section: SectionPath
) -> tuple[Library, list[Record], list[str]]:
    """The list with the new works rendered into the section; the records as the list will
    read them back (keys kept), and the lines added."""
    new_records = [replace(source.record, sections=(section,)) for source in new]
    final = add_records(library, section, new_records)
    kept_positions = set(_old_positions(library, final))
    added = [item for i, item in enumerate(final.items) if i not in kept_positions]
    if len(added) == len(new_records):  # as written into the list, in the list's own style
        lines = [item.text for item in added]
        bodies = [item.text[len(item.prefix) :] for item in added]
    else:
        bodies = [render_entry(record) for record in new_records]
        lines = ["- " + body for body in bodies]
    read_back = [
        replace(parse_entry(body, section).record or record, key=record.key)
        for body, record in zip(bodies, new_records, strict=True)
    ]
    return final, read_back, lines


def _key_new_works(
    list_records: Sequence[Record],
    registry: Sequence[KeyRow],
    kept: Kept,
    new: Sequence[Source],
    read_back: Sequence[Record],
    lines: Sequence[str],
    formula: Sequence[str],
) -> tuple[tuple[KeyRow, ...], list[Added], Kept]:
    """Keys for the new works as export gives them, and the fields kept for their entries.
    Every work of the list claims its registered key first, so a new work that shares a title
    with a listed one can never take that work's key."""
    current = [merge([list_records[i] for i in group]) for group in cluster_indices(list_records)]
    assignment = assign_keys([*current, *read_back], registry, formula)
    new_keys = assignment.keys[len(current) :]
    kept_after: Kept = dict(kept)
    added: list[Added] = []
    for source, record, key, line in zip(new, read_back, new_keys, lines, strict=True):
        generated = bibtex_entry(record, key, sections=record.sections)
        keep = kept_fields(source.entry.entry_type, _raw(source.entry), generated)
        if keep is not None:
            kept_after[key.lower()] = (key, keep)
        else:
            kept_after.pop(key.lower(), None)
        added.append(Added(source, key, line))
    return assignment.registry, added, kept_after


def _known_filled(
    library: Library,
    edited: Library,
    final: Library,
    registry: Sequence[KeyRow],
    formula: Sequence[str],
    kept: Kept,
    sources: Sequence[Source],
    matched: Sequence[tuple[int, list[int]]],
    filled_by: dict[int, tuple[str, ...]],
) -> list[Known]:
    """The works already listed, with what ``fill`` gave their entries and kept for their
    bib entries (*kept* gains those fields)."""
    works_by_item: dict[int, Work] = {}
    position = _old_positions(edited, final)
    works, _ = collect_works(final, registry, formula)
    for one in works:
        for j in one.entries:
            works_by_item[j] = one
    known: list[Known] = []
    for first, members in matched:
        at = position[members[0]] if position else None
        found = works_by_item.get(at) if at is not None else None
        kept_names: tuple[str, ...] = ()
        if found is not None:
            kept_names = _keep_for_known(kept, found, sources[first])
        known.append(
            Known(
                sources[first],
                tuple(library.items[i].line for i in members),
                filled_by[first],
                kept_names,
            )
        )
    return known


def _old_positions(before: Library, after: Library) -> list[int]:
    """Where each entry of *before* is in *after*, which has new entries inserted in one run
    (``add_records``); empty if that does not hold."""
    old, new = before.items, after.items
    extra = len(new) - len(old)
    start = next((j for j in range(len(old)) if new[j].text != old[j].text), len(old))
    positions = [i if i < start else i + extra for i in range(len(old))]
    if all(new[p].text == old[i].text for i, p in enumerate(positions)):
        return positions
    return []


def _keep_for_known(kept: Kept, work: Work, source: Source) -> tuple[str, ...]:
    """Add the source's fields that the work's entry lacks to its kept fields (fields kept
    before stay as they are). Returns the names added."""
    existing = kept.get(work.key.lower())
    generated = bibtex_entry(work.record, work.key, sections=work.record.sections)
    keep = kept_fields(source.entry.entry_type, _raw(source.entry), generated)
    if keep is None:
        return ()
    if existing is None:
        kept[work.key.lower()] = (work.key, keep)
        return tuple(name for name, _ in keep.fields)
    have = {name for name, _ in existing[1].fields}
    more = tuple((name, value) for name, value in keep.fields if name not in have)
    if more:
        kept[work.key.lower()] = (
            existing[0],
            KeptEntry(existing[1].entry_type, (*existing[1].fields, *more)),
        )
    return tuple(name for name, _ in more)


# -- a new list from .bib files ------------------------------------------------------------


@dataclass(frozen=True)
class RenderPlan:
    text: str
    records: tuple[Record, ...]
    """One per work, its sections united."""
    repeated: tuple[Repeated, ...]


def file_heading(path: str) -> str:
    """The ``##`` heading a .bib file stands for: its name without the extension, ``-`` and
    ``_`` as spaces, lower-case words capitalised (``pretrained-language-model.bib`` ->
    ``Pretrained Language Model``, ``ACL-2019.bib`` -> ``ACL 2019``); ``Papers`` for text
    that came from no file (``<stdin>``)."""
    if path.startswith("<"):
        return "Papers"
    stem = path.replace("\\", "/").rsplit("/", 1)[-1]
    if stem.lower().endswith(".bib"):
        stem = stem[:-4]
    words = stem.replace("-", " ").replace("_", " ").split()
    return " ".join(w.capitalize() if w.islower() else w for w in words) or "Papers"


def plan_render(
    loaded: Sequence[LoadedBib], *, title: str | None = None, subsection: str = "Papers"
) -> RenderPlan:
    """A new list from .bib files: a ``##`` section per file (:func:`file_heading`) unless
    the entries' ``subsection`` field names a whole path (``Transformer / Papers``), a ``###``
    subsection from that field, or *subsection* when there is none. A work given more than
    once (in one file or several) is listed once per section."""
    sources: list[Source] = []
    for bib in loaded:
        heading = file_heading(bib.path)
        for record, entry in zip(bib.records, bib.entries, strict=True):
            sections = tuple(p if len(p) > 1 else (heading, *p) for p in record.sections)
            sections = sections or ((heading, subsection),)
            sources.append(Source(replace(record, sections=sections), entry, bib.path))
    records: list[Record] = []
    repeated: list[Repeated] = []
    for group in cluster_indices([s.record for s in sources]):
        first = sources[group[0]]
        if len(group) == 1:
            records.append(first.record)
            continue
        records.append(merge([sources[i].record for i in group]))
        repeated.extend(Repeated(sources[i], first) for i in group[1:])
    return RenderPlan(render_markdown(records, title=title), tuple(records), tuple(repeated))


# -- hand edits in bib/ ---------------------------------------------------------------------


def _comparable(entry: BibEntry) -> tuple[str, tuple[tuple[str, str], ...]]:
    """An entry as compared for hand edits: its type and fields, white space normalised,
    atbib's ``subsection`` left out (it differs between all.bib and a section file)."""
    return (
        entry.entry_type,
        tuple(
            sorted(
                (f.name, " ".join(f.value.split())) for f in entry.fields if f.name != "subsection"
            )
        ),
    )


def _merge_edits(
    versions: Sequence[tuple[str, BibEntry, BibEntry]],
) -> tuple[BibEntry | None, str]:
    """One entry holding the hand edits of every file that has the work (``(path, entry as
    edited, entry as export writes it)``): all.bib and a section file may each carry some.
    ``(None, field)`` when two files changed the same field differently."""

    def norm(value: str | None) -> str | None:
        return None if value is None else " ".join(value.split())

    changed: dict[str, str | None] = {}
    entry_type = ""
    for _, entry, mine in versions:
        theirs = {f.name: f.value for f in entry.fields}
        ours = {f.name: f.value for f in mine.fields}
        for name in [*theirs, *(n for n in ours if n not in theirs)]:
            if name == "subsection" or norm(theirs.get(name)) == norm(ours.get(name)):
                continue
            if name in changed and norm(changed[name]) != norm(theirs.get(name)):
                return None, name
            changed[name] = theirs.get(name)
        if entry.entry_type != mine.entry_type:
            if entry_type and entry_type != entry.entry_type:
                return None, "the entry type"
            entry_type = entry.entry_type
    _, first, mine = versions[0]
    fields = [
        Field(f.name, changed[f.name], f.line) if f.name in changed else f  # type: ignore[arg-type]
        for f in first.fields
        if changed.get(f.name, f.value) is not None
    ]
    have = {f.name for f in fields}
    fields += [
        Field(name, value, first.line)
        for name, value in changed.items()
        if value is not None and name not in have
    ]
    return replace(first, entry_type=entry_type or mine.entry_type, fields=tuple(fields)), ""


@dataclass(frozen=True, slots=True)
class Edit:
    """A work whose bib/ entry was edited by hand."""

    key: str
    where: str
    """``file:line`` of the edited entry."""
    aspects: tuple[str, ...]
    """What the list's lines took from it (``title``, ``authors``, ...)."""
    kept: tuple[str, ...]
    """Fields the edit added to ``bib/extra.bib`` for it, or changed there."""
    ignored: tuple[str, ...] = ()
    """Edits the list cannot take (a different kind of work, other sections)."""


@dataclass(frozen=True)
class UpdatePlan:
    library: Library
    registry: tuple[KeyRow, ...]
    kept: Kept
    edits: tuple[Edit, ...]
    added: tuple[Added, ...]
    conflicts: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default=())
    """Entries that could not be taken (removed by hand, new without a subsection)."""

    @property
    def changed(self) -> bool:
        return bool(self.edits or self.added)


def plan_update(
    library: Library,
    registry: Sequence[KeyRow],
    kept: Kept,
    files: Sequence[tuple[str, LoadedBib]],
    expected: Bibliography,
    *,
    formula: Sequence[str] = DEFAULT_FORMULA,
    metadata: Metadata | None = None,
) -> UpdatePlan:
    """Take hand edits of the generated .bib files back (see the module docstring). *files*
    are ``(file name in the bib folder, what was read)``; *expected* is what export writes
    for the list as it is (with *metadata*, ``bib/metadata.tsv``, as export reads it)."""
    works = {w.key.lower(): w for w in expected.works}
    edited, notes, new_sources = _read_edits(files, expected, works)
    changes, taken, conflicts = _take_edits(library.items, works, edited)
    updated = replace_records(library, changes)
    kept_after, edits = _keep_edited(updated, registry, formula, kept, taken, metadata)
    updated, registry_after, kept_after, added = _add_entries(
        updated, registry, kept_after, new_sources, formula, notes
    )
    return UpdatePlan(
        library=updated,
        registry=registry_after,
        kept=kept_after,
        edits=tuple(edits),
        added=tuple(added),
        conflicts=tuple(conflicts),
        notes=tuple(notes),
    )


Versions = list[tuple[str, BibEntry, BibEntry]]
"""A work's entries edited by hand: ``(file, entry as edited, entry as export writes it)``."""
Taken = tuple[str, str, BibEntry, tuple[str, ...], tuple[str, ...]]
"""An edit taken: key, ``file:line`` list, the merged entry, aspects taken, edits not taken."""


def _read_edits(
    files: Sequence[tuple[str, LoadedBib]], expected: Bibliography, works: Mapping[str, Work]
) -> tuple[dict[str, Versions], list[str], dict[SectionPath, list[Source]]]:
    """The works whose entries differ from what export writes (by lower-case key), notes on
    entries removed by hand or new without a subsection, and new entries by subsection."""
    edited: dict[str, list[tuple[str, BibEntry, BibEntry]]] = {}
    notes: list[str] = []
    new_sources: dict[SectionPath, list[Source]] = {}
    for name, loaded in files:
        want = {e.key.lower(): e for e in parse_bibtex(expected.files.get(name, "")).entries}
        seen: set[str] = set()
        for record, entry in zip(loaded.records, loaded.entries, strict=True):
            lkey = entry.key.lower()
            seen.add(lkey)
            mine = want.get(lkey)
            if mine is None:
                if lkey in works:
                    continue  # listed in another section file: nothing to take from here
                if record.sections:
                    source = Source(record, entry, loaded.path)
                    new_sources.setdefault(record.sections[0], []).append(source)
                else:
                    notes.append(
                        f"{loaded.path}:{entry.line}: {entry.key} is not in the list and has no "
                        "subsection field: add it with `atbib import FILE --section ...`"
                    )
                continue
            if _comparable(entry) != _comparable(mine):
                edited.setdefault(lkey, []).append((loaded.path, entry, mine))
        for lkey, entry in want.items():
            if lkey not in seen:
                notes.append(
                    f"{loaded.path}: {entry.key} was removed by hand; the list still has it "
                    "(remove its line from the list to drop it)"
                )
    return edited, notes, new_sources


def _take_edits(
    items: Sequence[Item], works: Mapping[str, Work], edited: Mapping[str, Versions]
) -> tuple[dict[int, Record], list[Taken], list[str]]:
    """What the list's entries take from the edits (by item index), the edits taken, and the
    works edited differently in two files (conflicts, left as they are)."""
    conflicts: list[str] = []
    changes: dict[int, Record] = {}
    taken: list[tuple[str, str, BibEntry, tuple[str, ...], tuple[str, ...]]] = []
    for lkey, versions in edited.items():
        merged, clash = _merge_edits(versions)
        if merged is None:
            conflicts.append(
                f"{works[lkey].key}: {clash} edited differently in "
                + " and ".join(f"{p}:{e.line}" for p, e, _ in versions)
                + "; make the edits agree, then run the update again"
            )
            continue
        work = works[lkey]
        now = record_from_entry(merged.entry_type, merged.key, _raw(merged)).record
        before_entry = versions[0][2]
        before = record_from_entry(before_entry.entry_type, before_entry.key, _raw(before_entry))
        where = ", ".join(f"{p}:{e.line}" for p, e, _ in versions)
        aspects = tuple(a for a in SHOWN_FIELDS if getattr(now, a) != getattr(before.record, a))
        ignored: list[str] = []
        if now.kind != before.record.kind:
            ignored.append(f"kind {before.record.kind.value} -> {now.kind.value}")
        if now.sections != before.record.sections:
            ignored.append("subsection (move the entry in the list by hand)")
        for index in work.entries:
            if aspects:
                current = changes.get(index, items[index].record)
                changes[index] = replace(current, **{a: getattr(now, a) for a in aspects})
        taken.append((work.key, where, merged, aspects, tuple(ignored)))
    return changes, taken, conflicts


def _keep_edited(
    updated: Library,
    registry: Sequence[KeyRow],
    formula: Sequence[str],
    kept: Kept,
    taken: Sequence[Taken],
    metadata: Metadata | None = None,
) -> tuple[Kept, list[Edit]]:
    """The kept fields after the edits (what the list cannot show of them, nor
    ``bib/metadata.tsv`` gives), and the edits."""
    kept_after: Kept = dict(kept)
    edits: list[Edit] = []
    if taken:
        works = collect_works(updated, registry, formula, metadata)[0]
        after = {w.key.lower(): w for w in works}
        for key, where, entry, aspects, not_taken in taken:
            now_work = after.get(key.lower())
            names: tuple[str, ...] = ()
            if now_work is not None:
                generated = bibtex_entry(
                    now_work.record,
                    now_work.key,
                    sections=now_work.record.sections,
                    kept=now_work.published,
                )
                keep = kept_fields(entry.entry_type, _raw(entry), generated)
                before = dict(kept[key.lower()][1].fields) if key.lower() in kept else {}
                if keep is None:
                    kept_after.pop(key.lower(), None)
                else:
                    kept_after[key.lower()] = (key, keep)
                    # Only what the edit changed: fields kept before are not news.
                    names = tuple(n for n, value in keep.fields if before.get(n) != value)
            edits.append(Edit(key, where, aspects, names, not_taken))
    return kept_after, edits


def _add_entries(
    library: Library,
    registry: Sequence[KeyRow],
    kept: Kept,
    new_sources: Mapping[SectionPath, Sequence[Source]],
    formula: Sequence[str],
    notes: list[str],
) -> tuple[Library, tuple[KeyRow, ...], Kept, list[Added]]:
    """Entries new in the bib files imported into their subsections, as ``atbib import`` adds
    them; *notes* gains those already in the list."""
    updated, kept_after = library, kept
    added: list[Added] = []
    registry_after = tuple(registry)
    for section, sources in new_sources.items():
        plan = plan_import(updated, registry_after, kept_after, sources, section, formula=formula)
        updated, registry_after, kept_after = plan.library, plan.registry, plan.kept
        added.extend(plan.added)
        notes.extend(
            f"{k.source.where}: {k.source.entry.key} is already in the list (line "
            f"{', '.join(map(str, k.lines))})"
            for k in plan.known
        )
    return updated, registry_after, kept_after, added


# -- check ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FieldDifference:
    """One difference between a generated file on disk and what export writes."""

    line: int
    """Line in the file on disk (0 when the entry is missing there)."""
    key: str
    field: str
    """Field name; ``""`` for the whole entry, ``"@type"`` for the entry type."""
    on_disk: str | None
    expected: str | None

    @property
    def hand_edit(self) -> bool:
        """Whether the file holds something the list does not give (a value, an entry): an
        edit made by hand, perhaps to keep. An entry or a field the list gives and the file
        lacks is only out of date."""
        return self.on_disk is not None

    def describe(self) -> str:
        if not self.field:
            if self.on_disk is None:
                return f"{self.key}: missing (the list has it)"
            return f"{self.key}: not in the list (added by hand?)"
        if self.on_disk is None:
            return f"{self.key}: {self.field} removed (the list gives {_quote(self.expected)})"
        if self.expected is None:
            return f"{self.key}: {self.field} {_quote(self.on_disk)} added by hand"
        return (
            f"{self.key}: {self.field} is {_quote(self.on_disk)}; the list gives "
            f"{_quote(self.expected)}"
        )


def _quote(text: str | None) -> str:
    text = " ".join((text or "").split())
    return repr(text if len(text) <= 80 else text[:77] + "...")


def bib_differences(expected: str, on_disk: str) -> list[FieldDifference]:
    """Field-by-field differences between a generated file's expected text and the file as
    it is (entries matched by key, case-insensitively)."""
    want = {e.key.lower(): e for e in parse_bibtex(expected).entries}
    have = parse_bibtex(on_disk).entries
    found: list[FieldDifference] = []
    seen: set[str] = set()
    for entry in have:
        lkey = entry.key.lower()
        seen.add(lkey)
        mine = want.get(lkey)
        if mine is None:
            found.append(FieldDifference(entry.line, entry.key, "", entry.entry_type, None))
            continue
        if entry.entry_type != mine.entry_type:
            found.append(
                FieldDifference(entry.line, entry.key, "@type", entry.entry_type, mine.entry_type)
            )
        theirs = {f.name: f for f in entry.fields}
        ours = {f.name: f for f in mine.fields}
        for name, f in theirs.items():
            other = ours.get(name)
            if other is None:
                found.append(FieldDifference(f.line, entry.key, name, f.value, None))
            elif " ".join(other.value.split()) != " ".join(f.value.split()):
                found.append(FieldDifference(f.line, entry.key, name, f.value, other.value))
        for name, f in ours.items():
            if name not in theirs:
                found.append(FieldDifference(entry.line, entry.key, name, None, f.value))
    for lkey, entry in want.items():
        if lkey not in seen:
            found.append(FieldDifference(0, entry.key, "", None, entry.entry_type))
    return found


__all__ = [
    "Added",
    "Edit",
    "FieldDifference",
    "ImportPlan",
    "Known",
    "RenderPlan",
    "Repeated",
    "Source",
    "UpdatePlan",
    "bib_differences",
    "file_heading",
    "fill_record",
    "plan_import",
    "plan_render",
    "plan_update",
    "sources_of",
]
