"""The document model: a Markdown list read without loss, every line in order.

The record model (:mod:`atbib.model`) says what a work is; this module says where it stands in
the list. Each entry keeps its exact line beside its record, and every other line is kept as
text, so a list atbib did not change is written back byte for byte (as tomlkit keeps a TOML
file's raw text beside its values).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from atbib.model import Problem, Record, SectionPath, Severity


@dataclass(frozen=True, slots=True)
class Heading:
    """A Markdown heading line (``## Transformer``)."""

    level: int
    """1 for ``#``, 2 for ``##``, ..."""
    title: str
    """The title without the ``#`` marks."""
    text: str
    """The line as written, without its line ending."""
    eol: str
    """The line ending: ``"\\n"``, ``"\\r\\n"`` or ``""`` at the end of the file."""
    line: int
    """The line number, from 1."""


@dataclass(frozen=True, slots=True)
class Item:
    """A list entry understood as a record. ``text`` is the item as written, without its last
    line ending: one line, or several with their own line endings between them when the item
    goes on below its bullet line; atbib writes it back unchanged unless the record is
    replaced."""

    record: Record
    text: str
    eol: str
    line: int
    """The number of its (first) line, from 1."""
    prefix: str
    """Indentation and bullet (``"- "``), reused when the entry is rendered anew."""


@dataclass(frozen=True, slots=True)
class Text:
    """Any other line, carried through untouched; or a list item that spans lines and is no
    entry, its lines kept as one text as :class:`Item` keeps them. ``problem`` says why a line
    that looked like an entry was not understood."""

    text: str
    eol: str
    line: int
    problem: str = ""
    severity: Severity = Severity.WARNING
    """Of the problem: ``"warning"``, or ``"info"`` for a line understood as something other
    than an entry (a label above nested entries)."""
    code: str = "unparsed-line"
    """Of the problem: ``unread-item`` for an item that looks like a work (a link, a bold
    title, an author line) but could not be read as one, ``continuation-line`` for a line
    that goes on an entry but does not read with it, ``unparsed-line`` for the others."""


UNREAD_ITEM = "unread-item"
"""The code of a list item that looks like a work but could not be read as one."""

Block = Heading | Item | Text


def line_count(block: Block) -> int:
    """How many lines of the file a block takes (an item may go on over several)."""
    return block.text.count("\n") + 1


@dataclass(frozen=True)
class Library:
    """A Markdown list read without loss: every line in order, entries as records."""

    blocks: tuple[Block, ...]
    """Every line, in order."""
    path: str = "<text>"
    """The file's name in problem reports."""
    bom: str = ""
    """A UTF-8 byte order mark the file started with, written back as it was."""
    list_problems: tuple[Problem, ...] = ()
    """Problems of the list as a whole (line 0), found when it was read: a list whose items
    show authors none of its works has, or whose items yield few works."""

    @cached_property
    def items(self) -> tuple[Item, ...]:
        """The entries, in list order: the lines read as records."""
        return tuple(b for b in self.blocks if isinstance(b, Item))

    @property
    def records(self) -> tuple[Record, ...]:
        """One record per list entry, in list order (a work listed twice gives two records)."""
        return tuple(item.record for item in self.items)

    @property
    def problems(self) -> tuple[Problem, ...]:
        """The problems of the list as a whole, then the lines that looked like entries but
        were not understood (kept untouched)."""
        return self.list_problems + tuple(
            Problem(self.path, b.line, b.severity, b.problem, b.code)
            for b in self.blocks
            if isinstance(b, Text) and b.problem
        )

    @property
    def unread(self) -> tuple[Text, ...]:
        """The items that look like works (a link, a bold title, an author line) but could
        not be read as works: the losses ``atbib export`` counts."""
        return tuple(b for b in self.blocks if isinstance(b, Text) and b.code == UNREAD_ITEM)

    @property
    def sections(self) -> tuple[SectionPath, ...]:
        """Every section path that holds entries, in list order, without repeats."""
        seen: dict[SectionPath, None] = {}
        for record in self.records:
            for path in record.sections:
                seen.setdefault(path, None)
        return tuple(seen)
