"""The list -> bib/ job: works, keys and file contents, computed without touching the disk.

:func:`build_bibliography` is pure (a library and the key registry in, file contents out), so
``atbib export`` and ``atbib check`` compute exactly the same thing and differ only in what
they do with it: one writes the files, the other compares them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from atbib._nogc import nogc
from atbib.bibtex.encode import encode_value
from atbib.bibtex.mapping import KeptEntry
from atbib.bibtex.overlay import bibtex_entry
from atbib.bibtex.write import format_entry, join_file_bytes
from atbib.config import ALL_FILE, GENERATED_MARK, REGISTRY_FILE
from atbib.dedupe import cluster_indices, merge
from atbib.document import Item, Library
from atbib.keys import DEFAULT_FORMULA, KeyRow, assign_keys, write_registry
from atbib.model import Kind, Problem, Record, SectionPath, Severity
from atbib.text import fold_title, to_ascii

if TYPE_CHECKING:
    from atbib.fill.store import Metadata


@dataclass(frozen=True, slots=True)
class Work:
    """One work of the list: its entries merged, and its key."""

    record: Record
    """The work's entries merged into one record (:func:`merge_records`)."""
    key: str
    """Its citation key."""
    aliases: tuple[str, ...]
    """Older keys of the work, still accepted (BibTeX's ``ids`` field)."""
    entries: tuple[int, ...]
    """Indices into ``library.items`` of every entry that lists this work."""
    new_key: bool
    """Whether the key was made now rather than found in the registry."""
    published: KeptEntry | None = None
    """Fields of its published version from ``bib/metadata.tsv`` (pages, volume, ...), raw
    BibTeX, written into its entry (:func:`atbib.fill.complete.complete`)."""


class Files(Mapping[str, str]):
    """File name -> content, each file put together when it is asked for.

    The files of a big list repeat one another (every work is in all.bib and in its section's
    file) and are mostly text: 250 MB for 100,000 works. Joining each from the formatted
    entries on access means whoever writes or compares them one by one never holds them all.
    Asking twice joins twice; the content is the same. Files are joined as the UTF-8 bytes
    that are written (:meth:`data`); the mapping decodes them.
    """

    def __init__(self, makers: dict[str, Callable[[], bytes]]) -> None:
        self._makers = makers

    def __getitem__(self, name: str) -> str:
        return self.data(name).decode("utf-8")

    def data(self, name: str) -> bytes:
        """The content of file *name* as written: UTF-8."""
        return self._makers[name]()

    def __iter__(self) -> Iterator[str]:
        return iter(self._makers)

    def __len__(self) -> int:
        return len(self._makers)

    def __repr__(self) -> str:
        return f"Files({list(self._makers)!r})"


@dataclass(frozen=True, slots=True)
class Bibliography:
    """The works of a list with their keys, and every file ``atbib export`` writes."""

    works: tuple[Work, ...]
    files: Mapping[str, str]
    """File name (inside the bib folder) -> exact content, the key registry included."""
    registry: tuple[KeyRow, ...]
    """The key registry to save (``keys.tsv``, also in ``files``)."""


def summary(works: Sequence[Work], library: Library) -> str:
    """What an export made, for people: ``6 works (4 papers, 1 repository, 1 other link)
    from 6 entries; 0 items not read`` (items that look like works but could not be read:
    :attr:`Library.unread <atbib.document.Library.unread>`)."""
    counts: dict[Kind, int] = {}
    for work in works:
        counts[work.record.kind] = counts.get(work.record.kind, 0) + 1
    kinds = ", ".join(
        f"{n} {kind.plural if n != 1 else _singular(kind)}"
        for kind in Kind
        if (n := counts.get(kind, 0))
    )
    unread = len(library.unread)
    return (
        f"{len(works)} work{'s' if len(works) != 1 else ''}"
        + (f" ({kinds})" if kinds else "")
        + f" from {len(library.items)} entr{'y' if len(library.items) == 1 else 'ies'}; "
        + f"{unread} item{'s' if unread != 1 else ''} not read"
    )


def _singular(kind: Kind) -> str:
    return "other link" if kind is Kind.OTHER else kind.value


def slugify(heading: str) -> str:
    """File name stem for a heading (``Pretrained Language Model`` ->
    ``pretrained-language-model``)."""
    slug = re.sub(r"[^a-z0-9]+", "-", to_ascii(heading).lower()).strip("-")
    return slug or "section"


def section_files(
    sections: Sequence[SectionPath], chosen: Mapping[str, str] | None = None
) -> dict[str, str]:
    """``##`` heading -> file name, unique (a second heading with the same slug gets ``-2``,
    and no section may take ``all.bib``). *chosen* maps headings (or patterns, as
    :class:`~atbib.listformat.ListFormat` matches them) to the file names a list wants
    (``[tool.atbib] section-files``); several headings may share a file."""
    names: dict[str, str] = {}
    used = {ALL_FILE, *(chosen or {}).values()}
    for path in sections:
        if not path or path[0] in names:
            continue
        if chosen:
            from atbib.listformat import matches

            wanted = chosen.get(path[0]) or next(
                (name for pattern, name in chosen.items() if matches(pattern, path[0])), None
            )
            if wanted is not None:
                names[path[0]] = wanted
                continue
        stem = slugify(path[0])
        name, n = f"{stem}.bib", 1
        while name in used:
            n += 1
            name = f"{stem}-{n}.bib"
        used.add(name)
        names[path[0]] = name
    return names


@nogc
def collect_works(
    library: Library,
    registry: Sequence[KeyRow] = (),
    formula: Sequence[str] = DEFAULT_FORMULA,
    metadata: Metadata | None = None,
) -> tuple[tuple[Work, ...], tuple[KeyRow, ...]]:
    """Merge entries of the same work and give every work its key; with *metadata*
    (``bib/metadata.tsv``), complete each work from it. Keys are found from the list's own
    records, so what the sources add never moves a key."""
    records = library.records
    # Clustering and keys both compare folded titles: fold each once. A merged work's title
    # is the title of one of its entries.
    titles = [fold_title(record.title) for record in records]
    groups = cluster_indices(records, titles)
    merged = [merge([records[i] for i in group]) for group in groups]
    folded = [
        titles[group[0]]
        if len(group) == 1 or record.title == records[group[0]].title
        else next(titles[i] for i in group if records[i].title == record.title)
        for record, group in zip(merged, groups, strict=True)
    ]
    completed = _complete_all(merged, metadata) if metadata else None
    named = [record for record, _ in completed] if completed else None
    assignment = assign_keys(merged, registry, formula, titles=folded, named=named)
    works = tuple(
        Work(record, key, aliases, tuple(group), new)
        for record, key, aliases, group, new in zip(
            named or merged,
            assignment.keys,
            assignment.aliases,
            groups,
            assignment.new,
            strict=True,
        )
    )
    if completed:
        works = tuple(
            replace(work, published=published) if published is not None else work
            for work, (_, published) in zip(works, completed, strict=True)
        )
    return works, assignment.registry


def _complete_all(
    records: Sequence[Record], metadata: Metadata
) -> list[tuple[Record, KeptEntry | None]]:
    """Each work completed from the metadata (:func:`atbib.fill.complete.complete`)."""
    from atbib.fill.complete import complete, filled_for

    return [complete(record, filled_for(metadata, record)) for record in records]


def _section_entry(
    work: Work, headings: Collection[str], all_entry: bytes, kept: KeptEntry | None
) -> bytes:
    """The work's formatted entry (UTF-8) in the file of some ``##`` headings: its all.bib
    entry when every section it is listed in is under them, else one naming only those."""
    sections = work.record.sections
    if all(path and path[0] in headings for path in sections):
        return all_entry
    return format_entry(
        bibtex_entry(
            work.record,
            work.key,
            sections=[path for path in sections if path and path[0] in headings],
            aliases=work.aliases,
            kept=kept,
        )
    ).encode("utf-8")


@nogc
def build_bibliography(
    library: Library,
    registry: Sequence[KeyRow] = (),
    formula: Sequence[str] = DEFAULT_FORMULA,
    *,
    source_name: str = "README.md",
    kept: Mapping[str, tuple[str, KeptEntry]] | None = None,
    file_names: Mapping[str, str] | None = None,
    metadata: Metadata | None = None,
) -> Bibliography:
    """Every file ``atbib export`` writes into the bib folder, with its exact content.

    *kept* holds the fields of imported entries the list cannot show (``bib/extra.bib``, by
    lower-case key; see :mod:`atbib.bibtex.kept`): each work's entry carries its kept fields
    where they still agree with the list. *file_names* chooses the file of some ``##``
    headings (see :func:`section_files`). *metadata* (``bib/metadata.tsv``) completes the works
    from outside sources (:mod:`atbib.fill`)."""
    kept = kept or {}
    works, rows = collect_works(library, registry, formula, metadata)
    items = library.items
    files_by_section = section_files(library.sections, file_names)
    headings_of: dict[str, list[str]] = {}
    for heading, file_name in files_by_section.items():
        headings_of.setdefault(file_name, []).append(heading)
    per_file = _works_by_file(works, items, files_by_section)
    how = f"edit {source_name} and run `atbib export`; cite the keys, they never change."
    # all.bib's entry of a work listed under one ``##`` heading only is also its entry in that
    # heading's file (the same sections): format each work once and reuse the text.
    all_entries = [
        format_entry(
            bibtex_entry(
                w.record,
                w.key,
                sections=w.record.sections,
                aliases=w.aliases,
                kept=_entry_fields(kept, w),
            )
        ).encode("utf-8")
        for w in works
    ]
    makers: dict[str, Callable[[], bytes]] = {}
    for name, headings in headings_of.items():
        quoted = ", ".join(f'"{heading}"' for heading in headings)
        header = [
            f"{GENERATED_MARK} from {source_name}, section{'s' if len(headings) > 1 else ''} "
            f"{quoted}. Do not edit by hand:",
            how,
            "Several section files in one document repeat shared works: use all.bib instead.",
        ]
        order = [i for _, i in sorted(per_file.get(name, []), key=lambda pair: pair[0])]

        def section_file(
            header: list[str] = header,
            heading_set: frozenset[str] = frozenset(headings),
            order: list[int] = order,
        ) -> bytes:
            return join_file_bytes(
                header,
                (
                    # A work listed in one section is in this file by that section: its all.bib
                    # entry (the usual case, told without a call per work).
                    all_entries[i]
                    if len(works[i].record.sections) == 1
                    else _section_entry(
                        works[i], heading_set, all_entries[i], _entry_fields(kept, works[i])
                    )
                    for i in order
                ),
            )

        makers[name] = section_file
    all_header = [
        f"{GENERATED_MARK} from {source_name}: every work once. Do not edit by hand:",
        how,
    ]
    makers[ALL_FILE] = lambda: join_file_bytes(all_header, all_entries)
    makers[REGISTRY_FILE] = lambda: write_registry(rows).encode("utf-8")
    files = Files(makers)
    return Bibliography(works, files, rows)


def _entry_fields(kept: Mapping[str, tuple[str, KeptEntry]], work: Work) -> KeptEntry | None:
    """The fields written into a work's entry beyond what the list shows: those kept from an
    imported entry (``bib/extra.bib``), then its published version's."""
    own = _kept(kept, work.key)
    if work.published is None or own is None:
        return work.published or own
    names = {name for name, _ in own.fields}
    fields = own.fields + tuple(f for f in work.published.fields if f[0] not in names)
    return KeptEntry(own.entry_type, fields)


def _works_by_file(
    works: Sequence[Work], items: Sequence[Item], files_by_section: Mapping[str, str]
) -> dict[str, list[tuple[int, int]]]:
    """File name -> ``(entry index, work position)`` of each work in the file, once per file,
    by the first of its entries listed under one of the file's headings."""
    per_file: dict[str, list[tuple[int, int]]] = {}
    for position, work in enumerate(works):
        placed: set[str] = set()
        for index in work.entries:
            for path in items[index].record.sections:
                name = files_by_section.get(path[0]) if path else None
                if name and name not in placed:
                    placed.add(name)
                    per_file.setdefault(name, []).append((index, position))
    return per_file


def _kept(kept: Mapping[str, tuple[str, KeptEntry]], key: str) -> KeptEntry | None:
    found = kept.get(key.lower()) if kept else None
    return found[1] if found is not None else None


_VENUE_NAME_FIELDS = frozenset({"journal", "journaltitle", "booktitle", "eventtitle"})


def journal_works(
    works: Sequence[Work], kept: Mapping[str, tuple[str, KeptEntry]]
) -> frozenset[str]:
    """Keys of the works in a journal the venue table does not know: the list line names
    the venue but cannot say it is a journal, and the work's kept fields make its entry an
    ``@article``. A Zotero item of such a work is a journal article, as bib/ says."""
    found: list[str] = []
    for work in works:
        entry = _kept(kept, work.key)
        venue = work.record.venue
        if entry is None or venue is None or not venue.name or venue.parsed.type is not None:
            continue
        if bibtex_entry(work.record, work.key, kept=entry).entry_type == "article":
            found.append(work.key)
    return frozenset(found)


def kept_in_journals(
    kept: Mapping[str, tuple[str, KeptEntry]], journals: Mapping[str, str]
) -> dict[str, tuple[str, KeptEntry]]:
    """``bib/extra.bib``'s entries with these works (key -> the journal's name as the list
    writes it) kept as articles in those journals, their other kept fields as they were: a
    group member filed them as journal articles in a journal the venue table does not know."""
    out = dict(kept)
    for key, journal in journals.items():
        old = _kept(out, key)
        rest = [
            (n, v) for n, v in (old.fields if old else ()) if n.lower() not in _VENUE_NAME_FIELDS
        ]
        fields = (("journal", encode_value("journal", journal)), *rest)
        out[key.lower()] = (key, KeptEntry("article", tuple(fields)))
    return out


PAPER_SHARE = 0.1
"""Below this share of papers among a list's works, export warns that the file may not be a
paper list (:func:`few_papers`)."""


def few_papers(library: Library) -> Problem | None:
    """A warning when the list gives no papers, or almost none: a project's README (badges,
    links to its issue tracker and changelog) read as a list would fill bib/ with entries
    nobody cites, so the user is told before committing them."""
    records = library.records
    papers = sum(
        record.kind.titled
        or any(i.scheme in ("arxiv", "doi", "acl", "openreview") for i in record.identifiers)
        for record in records
    )
    if records and papers >= max(1, PAPER_SHARE * len(records)):
        return None
    if not records:
        found = "no entries found"
    else:
        works = f"{len(records)} entr{'y' if len(records) == 1 else 'ies'}"
        found = f"{papers} of {works} {'is a paper' if papers == 1 else 'are papers'}"
    return Problem(
        library.path,
        0,
        Severity.WARNING,
        f"{found}: is this a paper list? Name the list with [tool.atbib] list or --list (and "
        "its sections with include-headings)",
        "few-papers",
    )
