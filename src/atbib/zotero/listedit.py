"""A pull plan's list edits applied to the Markdown document, touching only their lines.

Pure: a :class:`~atbib.model.Library` and the works found in it go in, a new library comes
out. Changed entries are rendered in house style; every other line keeps its bytes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace

from atbib.document import Library
from atbib.export import Work
from atbib.markdown.edit import add_records, remove_items, replace_records
from atbib.model import Record, SectionPath
from atbib.zotero.plan import AddEntry, ListEdit, RemoveEntry, RemoveWork, ReplaceWork


def apply_list_edits(
    library: Library, works: Mapping[str, Work], edits: Iterable[ListEdit]
) -> Library:
    """``works``: the library's works by citation key (from :func:`atbib.export.collect_works`)."""
    edits = list(edits)
    items = library.items
    changes: dict[int, Record] = {}
    for edit in edits:
        if isinstance(edit, ReplaceWork) and edit.work in works:
            for index in works[edit.work].entries:
                record = changes.get(index, items[index].record)
                changes[index] = replace(record, **edit.patch)
    library = replace_records(library, changes)
    doomed: set[int] = set()
    for edit in edits:
        if isinstance(edit, RemoveWork) and edit.work in works:
            doomed.update(works[edit.work].entries)
        elif isinstance(edit, RemoveEntry) and edit.work in works:
            for index in works[edit.work].entries:
                if edit.section in library.items[index].record.sections:
                    doomed.add(index)
    library = remove_items(library, sorted(doomed))
    added: dict[SectionPath, list[Record]] = {}
    for edit in edits:
        if isinstance(edit, AddEntry):
            added.setdefault(edit.section, []).append(replace(edit.record, sections=()))
    for section, records in added.items():
        library = add_records(library, section, records)
    return library
