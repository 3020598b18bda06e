"""Edits to a list that touch only the lines they change.

Every function returns a new :class:`~atbib.model.Library`; untouched lines keep their exact
text. A replaced entry is rendered in house style with its own bullet and line ending; new
entries copy the bullet, the line ending and the style of their neighbours
(:mod:`atbib.markdown.style`), so the list's own conventions survive (``*`` bullets, CRLF
files, numbered items continue the numbering, ``[[pdf](url)]`` links and bare venues).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import replace

from atbib.document import Block, Heading, Item, Library, Text, line_count
from atbib.headings import heading_text, heading_title, section_path, under
from atbib.markdown.style import LineStyle, line_style, render_in_style
from atbib.markdown.write import render_item
from atbib.model import Record, SectionPath


def _renumber(blocks: Sequence[Block]) -> tuple[Block, ...]:
    """The blocks with the line numbers they now start at (an item may take several)."""
    numbered: list[Block] = []
    number = 1
    for block in blocks:
        numbered.append(block if block.line == number else replace(block, line=number))
        number += line_count(block)
    return tuple(numbered)


def replace_records(library: Library, changes: dict[int, Record]) -> Library:
    """Give items new records (``changes`` maps an index into ``library.items`` to its new
    record); each changed entry's line is rendered anew, every other line is kept."""
    if not changes:
        return library
    items = library.items
    by_identity = {id(items[index]): record for index, record in changes.items()}
    blocks = tuple(
        render_item(block, by_identity[id(block)])
        if isinstance(block, Item) and id(block) in by_identity
        else block
        for block in library.blocks
    )
    return replace(library, blocks=blocks)


def remove_items(library: Library, indices: Iterable[int]) -> Library:
    """Drop the lines of some entries (indices into ``library.items``)."""
    doomed = {id(library.items[i]) for i in indices}
    if not doomed:
        return library
    blocks = [b for b in library.blocks if id(b) not in doomed]
    return replace(library, blocks=_renumber(blocks))


def _eol(library: Library) -> str:
    """The line ending most lines of the file use."""
    endings = [b.eol for b in library.blocks if b.eol]
    return max(set(endings), key=endings.count) if endings else "\n"


def add_records(library: Library, section: SectionPath, records: Sequence[Record]) -> Library:
    """Append entries at the end of a subsection (after its last entry), creating the
    ``##``/``###`` headings it needs at the end of their parent section. The new lines are
    in the style of the paper before them (:mod:`atbib.markdown.style`), else house style,
    with the bullet of the entry before them (numbered lists go on counting, or repeat the
    number when the list repeats it: ``1.`` for every item)."""
    if not records:
        return library
    blocks = list(library.blocks)
    eol = _eol(library)
    start, end = _section_span(blocks, section)
    if start is None:
        return _add_with_headings(library, blocks, section, records, eol)
    anchor = start
    prefixes = ["- "]
    style: LineStyle | None = None
    for position in range(start, end):
        block = blocks[position]
        if isinstance(block, Item) or (isinstance(block, Text) and block.problem):
            anchor = position
            if isinstance(block, Item):
                prefixes.append(block.prefix)
                style = line_style(block)
    line_eol = blocks[anchor].eol or eol
    if not blocks[anchor].eol:
        blocks[anchor] = replace(blocks[anchor], eol=eol)
    repeated = len(prefixes) > 2 and prefixes[-1] == prefixes[-2]
    new = [
        _new_item(
            record, section, _numbered(prefixes[-1], 0 if repeated else step), line_eol, style
        )
        for step, record in enumerate(records, start=1)
    ]
    blocks[anchor + 1 : anchor + 1] = new
    return replace(library, blocks=_renumber(blocks))


_NUMBER = re.compile(r"^(\s*)(\d{1,9})([.)]\s+)$")


def _numbered(prefix: str, step: int) -> str:
    """The bullet of the entry *step* places after one with *prefix*: the same bullet, or the
    next number of a numbered list (``2. `` -> ``3. ``)."""
    found = _NUMBER.match(prefix)
    if found is None:
        return prefix
    indent, number, tail = found.groups()
    return f"{indent}{int(number) + step}{tail}"


def _new_item(
    record: Record, section: SectionPath, prefix: str, eol: str, style: LineStyle | None = None
) -> Item:
    """A new entry, in the style of the section's papers when it has some (the last one's:
    :mod:`atbib.markdown.style`), else in house style."""
    line, record = render_in_style(replace(record, sections=(section,)), style)
    return Item(record, prefix + line, eol, 0, prefix)


def _section_span(blocks: Sequence[Block], section: SectionPath) -> tuple[int | None, int]:
    """Block range of a section's own body (from its heading to the next heading of the same
    or a higher level), matched by the section path."""
    path: list[tuple[int, str]] = []
    start: int | None = None
    level = 0
    for position, block in enumerate(blocks):
        if not isinstance(block, Heading):
            continue
        if start is not None and block.level <= level:
            return start, position
        path = under(path, block.level, block.title)
        if start is None and section_path(path) == tuple(section):
            start, level = position, block.level
    return start, len(blocks)


def _add_with_headings(
    library: Library,
    blocks: list[Block],
    section: SectionPath,
    records: Sequence[Record],
    eol: str,
) -> Library:
    """Create the missing headings of ``section`` (deepest existing parent first)."""
    depth = len(section) - 1
    while depth > 0 and _section_span(blocks, section[:depth])[0] is None:
        depth -= 1
    if depth > 0:
        _, insert_at = _section_span(blocks, section[:depth])
    else:
        insert_at = len(blocks)
    while (
        insert_at > 0
        and isinstance(blocks[insert_at - 1], Text)
        and not blocks[insert_at - 1].text.strip()
    ):
        insert_at -= 1
    if insert_at > 0 and not blocks[insert_at - 1].eol:
        blocks[insert_at - 1] = replace(blocks[insert_at - 1], eol=eol)
    new: list[Block] = []
    for level_index in range(depth, len(section)):
        level = level_index + 2
        title = section[level_index]
        text = f"{'#' * level} {heading_text(title)}"
        new.append(Heading(level, heading_title(text.lstrip("#")), text, eol, 0))
    new.extend(_new_item(record, section, "- ", eol) for record in records)
    blocks[insert_at:insert_at] = new
    return replace(library, blocks=_renumber(blocks))
