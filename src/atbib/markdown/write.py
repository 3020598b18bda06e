""":class:`~atbib.model.Library` -> Markdown, and edits that touch only the lines they change.

Unchanged entries are written exactly as they were read; an entry whose record is replaced is
rendered anew in house style with its original bullet and line ending. That is what lets other
people's formatting survive atbib's edits.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from atbib.directives import split_directive
from atbib.document import Item, Library
from atbib.headings import heading_text
from atbib.markdown.entry import render_entry
from atbib.model import Record, SectionPath


def write_markdown(library: Library) -> str:
    """The list's text: byte for byte what was read, plus the edits made since."""
    return library.bom + "".join(block.text + block.eol for block in library.blocks)


def render_item(item: Item, record: Record) -> Item:
    """``item`` holding ``record``, its line rendered in house style (same bullet, same line
    ending, the same ``<!-- atbib: ignore -->`` comment at its end); the old line is kept
    when the record did not change."""
    if record == item.record:
        return item
    directive = split_directive(item.text)[1]
    return replace(item, record=record, text=item.prefix + render_entry(record) + directive)


def render_markdown(
    records: Iterable[Record],
    *,
    title: str | None = None,
    default_section: SectionPath = ("Papers",),
) -> str:
    """A new list in house style: a ``#`` title when given, then one ``##`` heading per
    top-level section, ``###`` (and deeper) headings below it, and under each heading its
    entries in the order given. A record listed in several sections appears in each; records
    without a section go under *default_section*.

    Each entry is written by :func:`~atbib.markdown.entry.render_entry`, so
    ``read_markdown(render_markdown(records))`` gives the same records back (escaping keeps
    hostile titles and names from breaking the list)."""
    tree: _Node = _Node()
    records = list(records)
    # Headings in the order sections first appear as a record's main (first) section, then
    # the others: a work also listed further down does not pull its later section up.
    for rank in (0, 1):
        for record in records:
            paths = record.sections or (default_section,)
            for path in paths[:1] if rank == 0 else paths[1:]:
                node = tree
                for part in path:
                    node = node.children.setdefault(part, _Node())
    for record in records:
        for path in record.sections or (default_section,):
            node = tree
            for part in path:
                node = node.children[part]
            node.records.append(replace(record, sections=(path,)))
    lines: list[str] = [f"# {title}", ""] if title else []
    _render_node(tree, 1, lines)
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines) + "\n" if lines else ""


class _Node:
    __slots__ = ("children", "records")

    def __init__(self) -> None:
        self.children: dict[str, _Node] = {}
        self.records: list[Record] = []


def _render_node(node: _Node, level: int, lines: list[str]) -> None:
    for heading, child in node.children.items():
        if lines and lines[-1] and (level <= 1 or not lines[-1].startswith("#")):
            lines.append("")
        lines.append(f"{'#' * min(level + 1, 6)} {heading_text(heading)}")
        lines.extend(f"- {render_entry(record)}" for record in child.records)
        _render_node(child, level + 1, lines)
