"""Markdown list -> :class:`~atbib.model.Library`, without loss.

Every line becomes a block that remembers its exact text and line ending, so
``write_markdown(read_markdown(text)) == text`` byte for byte, whatever the text. Headings give
each entry its section path; fenced code blocks and sections marked ``<!-- atbib: skip -->`` are
not bibliography, and so are the headings a :class:`~atbib.listformat.ListFormat` excludes. A
list item that cannot be read as an entry is kept as text, with the reason.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator

from atbib._nogc import nogc
from atbib.directives import split_directive
from atbib.document import Block, Heading, Item, Library, Text
from atbib.errors import ListError
from atbib.files import source_text
from atbib.headings import Headings, heading_title, section_path, under
from atbib.listformat import DEFAULT_FORMAT, ListFormat
from atbib.markdown.entry import parse_entry, split_bullet
from atbib.markdown.nesting import nest_bullets
from atbib.model import Severity

SKIP_MARKER = "<!-- atbib: skip -->"
"""Put this line under a heading to tell atbib that the section is not bibliography."""

_HEADING = re.compile(r"^(#{1,6})[ \t]+(.*)$")
"""``#`` to ``######``, white space, the title; the optional closing ``#`` run is removed by
:func:`~atbib.headings.heading_title` (a single regular expression for both backtracks
quadratically on a long run of spaces: 3 s for 100,000 of them)."""
MAX_HEADING_LENGTH = 2_000
"""Longer heading lines are carried through as text and reported: every entry below a heading
repeats its title in the .bib files, so a 1 MB heading over a few hundred entries would make
export write hundreds of MB."""
_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
_NESTED = re.compile(r"^[ \t]+(?:[-*+]|\d{1,9}[.)])[ \t]", re.MULTILINE)
"""A list item indented under another: only then are bullets looked at as a tree."""
_INDENTED = re.compile(r"\n[ \t]")


def split_lines(text: str) -> Iterator[tuple[str, str]]:
    """``(line, ending)`` pairs; only ``\\n`` ends a line, and ``\\r\\n`` is kept as one ending
    so CRLF files come back as CRLF."""
    start = 0
    length = len(text)
    while start < length:
        end = text.find("\n", start)
        if end < 0:
            yield text[start:], ""
            return
        if end > start and text[end - 1] == "\r":
            yield text[start : end - 1], "\r\n"
        else:
            yield text[start:end], "\n"
        start = end + 1


@nogc
def read_markdown(
    source: str | os.PathLike[str] | None = None,
    *,
    text: str | None = None,
    name: str | None = None,
    list_format: ListFormat | None = None,
    strict: bool = False,
    path: str | None = None,
) -> Library:
    """Read a Markdown list from a file or from its text.

    *source* is a file: a path-like, or a ``str`` without a line break (a missing file is an
    error, never an empty list). The text itself is given as ``text=``; a ``str`` *source*
    with a line break is taken as text too, since no file name has one. *name* names the list
    in problem reports (default: the file's path, or ``<text>``; ``path=`` is its old name).
    *list_format* says which headings hold bibliography and how entries are recognised
    (default: :class:`ListFormat() <atbib.ListFormat>`, which reads ATPapers and the common
    awesome-list shapes).

    Reading is lenient: lines that look like entries but cannot be read are kept as text and
    listed in :attr:`Library.problems`. With *strict*, any such line raises
    :class:`~atbib.errors.ListError` naming every one (as :func:`atbib.read_bibtex` raises
    :class:`~atbib.errors.BibtexError`).
    """
    text, name = source_text(source, text, name or path, is_text=_is_list_text)
    bom = ""
    if text.startswith("\ufeff"):
        bom, text = "\ufeff", text[1:]
    fmt = list_format or DEFAULT_FORMAT
    blocks = tuple(_blocks(text, fmt))
    if _has_nested_bullets(text):
        blocks = nest_bullets(blocks)
    library = Library(blocks, path=name, bom=bom)
    if strict:
        problems = [p for p in library.problems if p.severity is not Severity.INFO]
        if problems:
            raise ListError(problems)
    return library


def _is_list_text(source: str) -> bool:
    """A ``str`` that cannot be a file name: it has a line break."""
    return "\n" in source or "\r" in source


def _has_nested_bullets(text: str) -> bool:
    """Whether a list item is indented under another. An indented line is looked for first:
    a search for a literal line break the engine scans for quickly (6 ms on a 20 MB list that
    has none, where :data:`_NESTED` takes 60 ms)."""
    if text[:1] not in (" ", "\t") and not _INDENTED.search(text):
        return False
    return _NESTED.search(text) is not None


def _blocks(text: str, fmt: ListFormat) -> Iterator[Block]:
    headings: Headings = []
    section = section_path(headings)  # the entries' section path, kept with the headings
    skip_level = 0
    outside = False  # above or beside every included heading
    fence = ""
    for number, (line, eol) in enumerate(split_lines(text), start=1):
        if fence:
            if line.lstrip().startswith(fence):
                fence = ""
            yield Text(line, eol, number)
            continue
        opening = _FENCE.match(line)
        if opening:
            fence = opening.group(1)
            yield Text(line, eol, number)
            continue
        heading = _HEADING.match(line)
        if heading and len(line) > MAX_HEADING_LENGTH:
            reason = f"heading longer than {MAX_HEADING_LENGTH} characters: not a section"
            yield Text(line, eol, number, reason)
            continue
        if heading:
            level = len(heading.group(1))
            title = heading_title(heading.group(2))
            headings = under(headings, level, title)
            section = section_path(headings)
            if skip_level and level <= skip_level:
                skip_level = 0
            if not skip_level and fmt.exclude and fmt.excludes(title):
                skip_level = level
            if fmt.include:
                outside = not any(fmt.includes(t) for _, t in headings)
            yield Heading(level, title, line, eol, number)
            continue
        if line.strip() == SKIP_MARKER and headings:
            skip_level = headings[-1][0]
            yield Text(line, eol, number)
            continue
        bullet = None if skip_level or outside else split_bullet(line)
        if bullet is None:
            yield Text(line, eol, number)
            continue
        prefix, body = bullet
        parsed = parse_entry(split_directive(body)[0], section, fmt)
        if parsed.record is None:
            yield Text(line, eol, number, parsed.reason)
        else:
            yield Item(parsed.record, line, eol, number, prefix)
