"""Markdown list -> :class:`~atbib.model.Library`, without loss.

Every line becomes a block that remembers its exact text and line ending, so
``write_markdown(read_markdown(text)) == text`` byte for byte, whatever the text. Headings give
each entry its section path; fenced code blocks and sections marked ``<!-- atbib: skip -->`` are
not bibliography. A list item that cannot be read as an entry is kept as text, with the reason.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

from atbib._nogc import nogc
from atbib.files import read_text
from atbib.markdown.entry import parse_entry, split_bullet
from atbib.model import Block, Heading, Item, Library, SectionPath, Text

SKIP_MARKER = "<!-- atbib: skip -->"
"""Put this line under a heading to tell atbib that the section is not bibliography."""

_HEADING = re.compile(r"^(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$")
_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")


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
def read_markdown(source: str | os.PathLike[str], *, path: str | None = None) -> Library:
    """Read a Markdown list from a file path or from its text.

    A ``str`` that contains a line break is text; any other ``str`` or path-like names a file.
    ``path`` overrides the name used in problem reports.
    """
    if isinstance(source, os.PathLike) or ("\n" not in source and Path(source).is_file()):
        text = read_text(source)
        path = path or str(source)
    else:
        text = str(source)
    bom = ""
    if text.startswith("\ufeff"):
        bom, text = "\ufeff", text[1:]
    return Library(tuple(_blocks(text)), path=path or "<text>", bom=bom)


def _blocks(text: str) -> Iterator[Block]:
    headings: list[tuple[int, str]] = []
    section = _section_path(headings)  # the entries' section path, kept with the headings
    skip_level = 0
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
        if heading:
            level = len(heading.group(1))
            title = heading.group(2).strip()
            headings = [(lv, t) for lv, t in headings if lv < level] + [(level, title)]
            section = _section_path(headings)
            if skip_level and level <= skip_level:
                skip_level = 0
            yield Heading(level, title, line, eol, number)
            continue
        if line.strip() == SKIP_MARKER and headings:
            skip_level = headings[-1][0]
            yield Text(line, eol, number)
            continue
        bullet = None if skip_level else split_bullet(line)
        if bullet is None:
            yield Text(line, eol, number)
            continue
        prefix, body = bullet
        parsed = parse_entry(body, section)
        if parsed.record is None:
            yield Text(line, eol, number, parsed.reason)
        else:
            yield Item(parsed.record, line, eol, number, prefix)


def _section_path(headings: list[tuple[int, str]]) -> SectionPath:
    """Headings from level 2 down; the level-1 heading only when there is nothing below it."""
    below_title = tuple(title for level, title in headings if level >= 2)
    return below_title or tuple(title for _, title in headings)
