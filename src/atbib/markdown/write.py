""":class:`~atbib.model.Library` -> Markdown, and edits that touch only the lines they change.

Unchanged entries are written exactly as they were read; an entry whose record is replaced is
rendered anew in house style with its original bullet and line ending. That is what lets other
people's formatting survive atbib's edits.
"""

from __future__ import annotations

from dataclasses import replace

from atbib.markdown.entry import render_entry
from atbib.model import Item, Library, Record


def write_markdown(library: Library) -> str:
    """The list's text: byte for byte what was read, plus the edits made since."""
    return library.bom + "".join(block.text + block.eol for block in library.blocks)


def render_item(item: Item, record: Record) -> Item:
    """``item`` holding ``record``, its line rendered in house style (same bullet, same line
    ending); the old line is kept when the record did not change."""
    if record == item.record:
        return item
    return replace(item, record=record, text=item.prefix + render_entry(record))
