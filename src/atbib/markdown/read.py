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
from atbib.document import UNREAD_ITEM, Block, Heading, Item, Library, Text
from atbib.errors import ListError
from atbib.files import source_text
from atbib.headings import Headings, heading_title, section_path, under
from atbib.listformat import CONTENTS_ONLY, DEFAULT_FORMAT, ListFormat
from atbib.markdown.continuation import item_end
from atbib.markdown.coverage import coverage_problems, looks_like_work
from atbib.markdown.entry import parse_entry, split_bullet
from atbib.markdown.nesting import nest_bullets
from atbib.model import SectionPath, Severity

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
    library = Library(blocks, path=name, bom=bom, list_problems=coverage_problems(blocks, name))
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


class _Sections:
    """Where the reader stands among the headings: the entries' section path, and whether
    the lines below are bibliography (not under an excluded heading, a skip marker, or
    outside every included heading)."""

    __slots__ = ("_fmt", "headings", "named", "outside", "section", "skip_level")

    def __init__(self, fmt: ListFormat) -> None:
        self._fmt = fmt
        self.headings: Headings = []
        self.named: Headings = []
        """The headings that name sections: a table of contents names none."""
        self.section = section_path(self.headings)
        self.skip_level = 0
        self.outside = False  # above or beside every included heading

    def enter(self, level: int, title: str) -> None:
        """The lines below a heading of this level and title."""
        fmt = self._fmt
        self.headings = under(self.headings, level, title)
        if self.skip_level and level <= self.skip_level:
            self.skip_level = 0
        excluded = 0 if self.skip_level else fmt.excluded_levels(title, level)
        self.skip_level = self.skip_level or excluded
        if excluded == CONTENTS_ONLY:  # its sections below it are not its contents
            self.named = [(lv, t) for lv, t in self.named if lv < level]
        else:
            self.named = under(self.named, level, title)
        self.section = section_path(self.named)
        if fmt.include:
            self.outside = not any(fmt.includes(t) for _, t in self.headings)

    def skip_here(self) -> None:
        """``<!-- atbib: skip -->``: the section of the last heading is not bibliography."""
        self.skip_level = self.headings[-1][0]

    @property
    def bibliography(self) -> bool:
        return not (self.skip_level or self.outside)


def _blocks(text: str, fmt: ListFormat) -> Iterator[Block]:
    lines = list(split_lines(text))
    texts = [line for line, _ in lines]
    where = _Sections(fmt)
    fence = ""
    comment = False
    at = 0
    while at < len(lines):
        line, eol = lines[at]
        number = at + 1
        at += 1
        if fence or comment:
            if fence and line.lstrip().startswith(fence):
                fence = ""
            if comment and _COMMENT_END in line:
                comment = False
            yield Text(line, eol, number)
            continue
        if line.strip() == SKIP_MARKER and where.headings:
            where.skip_here()
            yield Text(line, eol, number)
            continue
        opening = _FENCE.match(line)
        if opening or _COMMENT_START.match(line):
            fence = opening.group(1) if opening else ""
            comment = not opening and _COMMENT_END not in line[line.index("<!--") + 4 :]
            yield Text(line, eol, number)
            continue
        heading = _HEADING.match(line)
        if heading and len(line) > MAX_HEADING_LENGTH:
            reason = f"heading longer than {MAX_HEADING_LENGTH} characters: not a section"
            yield Text(line, eol, number, reason)
            continue
        if heading:
            level = len(heading.group(1))
            title = heading_label(heading_title(heading.group(2)))
            where.enter(level, title)
            yield Heading(level, title, line, eol, number)
            continue
        bullet = split_bullet(line) if where.bibliography else None
        if bullet is None:
            yield Text(line, eol, number)
            continue
        end = item_end(texts, at - 1, content_indent(bullet[0]))
        yield from _item_blocks(lines[at - 1 : end], number, bullet, where.section, fmt)
        at = end


_COMMENT_START = re.compile(r"^ {0,3}<!--")
"""An HTML comment that starts a block: nothing in it is shown, so nothing in it is read."""
_COMMENT_END = "-->"
_HEADING_LINK = re.compile(r"^\[((?:[^\[\]\\]|\\.)+)\]\([^()\s]*\)$")


def heading_label(title: str) -> str:
    """The title a heading shows: the text of a heading that is one link
    (``## [Survey papers](#content)`` is ``Survey papers``), else the title as written."""
    link = _HEADING_LINK.match(title)
    return link.group(1).strip() if link else title


def content_indent(prefix: str) -> int:
    """How far a paragraph after a blank line must be indented to be read with the item of
    this bullet: two columns past the bullet's own indentation. Markdown asks for the
    bullet's whole width (three for ``1. ``, four for ``12. ``), but lists indent author
    lines by three spaces under any number, and readers see them as the item's."""
    expanded = prefix.expandtabs(4)
    return len(expanded) - len(expanded.lstrip()) + 2


def _item_blocks(
    lines: list[tuple[str, str]],
    number: int,
    bullet: tuple[str, str],
    section: SectionPath,
    fmt: ListFormat,
) -> Iterator[Block]:
    """The blocks of one list item that may span several lines: one entry, or its lines
    kept as one text with the reason it is not an entry. When the whole item is no entry
    but its bullet line alone is one, the bullet line is the entry and the lines after it
    are reported as text the entry does not take in."""
    prefix, body = bullet
    whole = "".join(line + eol for line, eol in lines[:-1]) + lines[-1][0]
    eol = lines[-1][1]
    if len(lines) == 1:
        parsed = parse_entry(split_directive(body)[0], section, fmt)
    else:
        parsed = parse_entry(split_directive(joined_body(body, lines[1:]))[0], section, fmt)
        if parsed.record is None:
            alone = parse_entry(split_directive(body)[0], section, fmt)
            if alone.record is not None:
                yield Item(alone.record, lines[0][0], lines[0][1], number, prefix)
                for offset, (line, ending) in enumerate(lines[1:], start=1):
                    problem = CONTINUATION if line.strip() else ""
                    yield Text(line, ending, number + offset, problem, code="continuation-line")
                return
    if parsed.record is None:
        code = UNREAD_ITEM if parsed.reason and looks_like_work(whole) else "unparsed-line"
        yield Text(whole, eol, number, parsed.reason, code=code)
    else:
        yield Item(parsed.record, whole, eol, number, prefix)


CONTINUATION = (
    "a line that goes on the entry above but does not read with it (kept as written; to "
    "cite what it says, put it on the entry's line)"
)


def joined_body(body: str, rest: list[tuple[str, str]]) -> str:
    """The text of a list item that spans lines: its lines joined by single spaces."""
    return " ".join([body.rstrip(), *(line.strip() for line, _ in rest if line.strip())])
