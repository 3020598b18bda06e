"""Entries in the shapes other lists use, read when atbib's own grammar does not match.

Awesome lists and reading lists write their entries in a handful of shapes::

    [Title](url) (Venue Year) [[code]](url) - comment     a paper whose title is its link
    [Title](url) - comment                                 a link with a comment
    [Title](url) is a comment without a dash
    **Title**. *A, B*. Venue Year. [[pdf](url)] [[code](url)] (**NICK**)
    **Title.** *A, B.* Venue Year. [paper](url) [code](url)
    **Title**. A, B. Venue Year. [[pdf](url)]              authors without italics
    Title (Venue Year) [[pdf](url)]

Links may be written ``[[label]](url)`` (atbib's own), ``[[label](url)]`` or ``[label](url)``;
a nickname may follow as `` - ***NICK***`` or ``(**NICK**)``. The venue is whatever stands
between the authors and the links (``NIPS 2015``, ``Findings of EMNLP 2020``, ``Preprint``);
without italics, authors and venue are told apart at the last ``. `` that leaves a venue
(a year or a venue atbib knows) after it and names before it.

The record is the same as for the line in atbib's house style, so each work reads the same
whatever shape its line has; the line itself is kept exactly as written until the record
changes. Whatever matches none of these is reported by the caller, with atbib's own reason.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from atbib.markdown.grammar import (
    AUTHORS,
    BOLD,
    TAIL_NICK,
    TITLE_LINK,
    ParsedEntry,
    link_kind,
    link_record,
    looks_like_venue,
    paper_kind,
    parse_display_name,
    split_authors,
    venue_suffix,
)
from atbib.markup import LINK_LABEL, blank_escapes, unescape_markdown
from atbib.model import Link, Person, Record, SectionPath, Venue
from atbib.urls import URL

if TYPE_CHECKING:
    from atbib.listformat import ListFormat

_ANY_LINK = re.compile(
    r"\[\[" + LINK_LABEL + r"\]\]\((" + URL + r")\)"  # [[label]](url)
    r"|\[\[" + LINK_LABEL + r"\]\((" + URL + r")\)\]"  # [[label](url)]
    r"|\[" + LINK_LABEL + r"\]\((" + URL + r")\)"  # [label](url)
)
_GAP = re.compile(r"[\s|,·]*")
_PAREN_NICK = re.compile(r"(?<!\S)\((\*{2,3})([^*()]+)\1\)\s*$")
_DASH = re.compile(r"\s*[-–—:]\s+|\s+")
_VENUE_GROUP = re.compile(r"\s*[(（]([^()（）]*)[)）]")
_MARKUP = re.compile(r"[\[\]*`]|\]\(")
_NAME_SPLIT = re.compile(r"\s*,\s*(?:and\s+)?|\s+and\s+|\s*&\s*")
MAX_VENUE_LENGTH = 160
"""A venue is a few words: splits that would leave a longer one are not tried (which also
keeps the search linear on a line of thousands of full stops)."""
_PARTICLES = frozenset(
    "van von der den de del della di da du la le ter dos das y bin al el".split()  # noqa: SIM905
)


def _link(match: re.Match[str]) -> Link:
    groups = match.groups()
    for i in (0, 2, 4):
        if groups[i + 1] is not None:
            return Link(unescape_markdown(groups[i]), groups[i + 1])
    raise AssertionError("a link token without a URL")


def _leading_links(text: str) -> tuple[tuple[Link, ...], str]:
    """Links at the start of ``text`` (white space or ``|`` between them), and the rest."""
    found: list[Link] = []
    pos = 0
    while True:
        gap = _GAP.match(text, pos)
        start = gap.end() if gap else pos
        token = _ANY_LINK.match(text, start)
        if token is None:
            return tuple(found), text[pos:]
        found.append(_link(token))
        pos = token.end()


def _trailing_links(text: str) -> tuple[str, tuple[Link, ...], str]:
    """``(head, links, after)``: the last run of links in ``text``, what stands before it,
    and what follows it (a comment, or nothing)."""
    tokens = list(_link_tokens(text))
    if not tokens:
        return text, (), ""
    run = [tokens[-1]]
    for token in reversed(tokens[:-1]):
        if not _GAP.fullmatch(text, token.end(), run[-1].start()):
            break
        run.append(token)
    run.reverse()
    return text[: run[0].start()], tuple(_link(t) for t in run), text[run[-1].end() :]


_OPEN_BRACKET = re.compile(r"\\.|\[", re.DOTALL)
"""An escape (skipped whole) or an unescaped ``[``: where a link can start."""


def _link_tokens(text: str) -> Iterator[re.Match[str]]:
    """The links in ``text``, tried only where an unescaped ``[`` stands: a label may hold
    escaped brackets, so trying at each ``\\[`` of a line of thousands rescans the rest of
    the line each time (a 20,000-character line took over a second)."""
    pos = 0
    while (opening := _OPEN_BRACKET.search(text, pos)) is not None:
        token = _ANY_LINK.match(text, opening.start()) if opening.group() == "[" else None
        if token is None:
            pos = opening.end()
        else:
            yield token
            pos = token.end()


def _nickname(body: str) -> tuple[str, str]:
    tail = TAIL_NICK.search(body)
    if tail:
        return body[: tail.start()], unescape_markdown(tail.group(2), math=True)
    paren = _PAREN_NICK.search(body)
    if paren:
        return body[: paren.start()].rstrip(), unescape_markdown(paren.group(2).strip())
    return body, ""


def _comment(after: str) -> str | None:
    """A comment after the links or the title link: ``- text``, ``: text`` or plain text;
    ``None`` when it holds markup atbib would not keep (a link, emphasis)."""
    text = after.strip()
    if not text:
        return ""
    dash = _DASH.match(after)
    if dash is not None:
        text = after[dash.end() :].strip()
    if not text or _MARKUP.search(blank_escapes(text)):
        return None
    return unescape_markdown(text, math=True)


def _is_name(text: str) -> bool:
    words = text.split()
    if not 2 <= len(words) <= 6:
        return False
    for word in words:
        if any(c.isdigit() for c in word):
            return False
        if word.lower() in _PARTICLES:
            continue
        if not word[0].isalpha() or word[0].islower():
            return False
    return True


def _names(text: str) -> tuple[Person, ...] | None:
    """The people of a plain (not italic) author list, or ``None`` if it does not read as
    one."""
    parts = [p for p in _NAME_SPLIT.split(text.strip().rstrip(".")) if p.strip()]
    if not parts or not all(_is_name(p) for p in parts):
        return None
    return tuple(parse_display_name(p) for p in parts)


def _italic_names(text: str) -> tuple[Person, ...]:
    text = text.strip()
    last = text.rsplit(" ", 1)[-1]
    if text.endswith(".") and len(last) > 2 and last not in ("Jr.", "Sr."):
        text = text[:-1]  # "*A, B.*": the sentence's full stop, not an initial
    parts: list[str] = []
    for name in split_authors(text):
        parts += [p for p in re.split(r"^\s*and\s+|\s+and\s+", name) if p.strip()]
    return tuple(parse_display_name(p) for p in parts)


def _authors_and_venue(middle: str) -> tuple[tuple[Person, ...], str | None] | None:
    """Plain authors and a venue (``A, B. Venue Year``), or ``None``."""
    at = len(middle)
    while True:
        at = middle.rfind(". ", max(0, len(middle) - MAX_VENUE_LENGTH), at)
        if at < 0:
            break
        venue = middle[at + 2 :].strip(" .")
        if venue and looks_like_venue(venue):
            people = _names(middle[:at])
            if people is not None:
                return people, venue
    if looks_like_venue(middle):
        return (), middle
    people = _names(middle)
    return (people, None) if people is not None else None


def parse_other_shapes(body: str, section: SectionPath, fmt: ListFormat | None) -> ParsedEntry:
    """One list item in another list's shape (see the module docstring), or the reason it is
    not an entry."""
    body, nickname = _nickname(body)
    if body.startswith("[") and not body.startswith("[["):
        return _title_link(body, section, nickname, fmt)
    head, links, after = _trailing_links(body)
    description = _comment(after) if links else ""
    if description is None:
        return ParsedEntry(None, f"unexpected text after the links: {after.strip()[:40]!r}")
    bold = BOLD.match(head.strip())
    if bold:
        return _bold_title(bold, links, nickname, description or "", section)
    if not links:
        return ParsedEntry(None, "no link, venue or authors: not an entry")
    title, venue_text = venue_suffix(head)
    if venue_text is None or not looks_like_venue(venue_text):
        return ParsedEntry(None, "no venue or authors before the links")
    title = unescape_markdown(title.strip(), math=True)
    if not title or _MARKUP.search(blank_escapes(title)):
        return ParsedEntry(None, "entry without a title")
    return ParsedEntry(
        Record(
            kind=paper_kind(links),
            title=title,
            venue=Venue(unescape_markdown(venue_text.strip())),
            links=links,
            nickname=nickname,
            description=description or "",
            sections=(section,),
        )
    )


def _title_link(
    body: str, section: SectionPath, nickname: str, fmt: ListFormat | None
) -> ParsedEntry:
    match = TITLE_LINK.match(body)
    if not match:
        return ParsedEntry(None, "the title link is not written [text](url)")
    label, url = match.group(1), match.group(2)
    if url.startswith("#"):
        return ParsedEntry(None, "a link to a heading of this page, not an entry")
    rest = body[match.end() :]
    venue: Venue | None = None
    group = _VENUE_GROUP.match(rest)
    if group and looks_like_venue(group.group(1)):
        venue = Venue(unescape_markdown(group.group(1).strip()))
        rest = rest[group.end() :]
    links, rest = _leading_links(rest)
    description = _comment(rest)
    if description is None:
        return ParsedEntry(None, f"unexpected text after the title link: {rest.strip()[:40]!r}")
    kind = link_kind(section, url, fmt, venue=venue is not None)
    return ParsedEntry(link_record(kind, label, url, links, nickname, description, venue, section))


def _bold_title(
    bold: re.Match[str],
    links: tuple[Link, ...],
    nickname: str,
    description: str,
    section: SectionPath,
) -> ParsedEntry:
    title = bold.group(1).strip()
    if title.endswith(".") and not title.endswith(".."):
        title = title[:-1].rstrip()  # "**Title.**": the sentence's full stop
    after = bold.group(2)
    authors: tuple[Person, ...] = ()
    italic = AUTHORS.match(after.lstrip())
    if italic:
        authors = _italic_names(italic.group(1))
        after = italic.group(2)
    middle = after.strip(" \t.")
    venue_text: str | None = None
    if middle:
        group = _VENUE_GROUP.fullmatch(middle)
        if group:
            venue_text = group.group(1)
        elif _MARKUP.search(blank_escapes(middle)):
            return ParsedEntry(None, f"unexpected text after the title: {middle[:40]!r}")
        elif authors:
            venue_text = middle
        else:
            found = _authors_and_venue(middle)
            if found is None:
                return ParsedEntry(None, f"unexpected text after the title: {middle[:40]!r}")
            authors, venue_text = found
    if not (links or authors or venue_text):
        return ParsedEntry(None, "no link, venue or authors: not an entry")
    title = unescape_markdown(title, math=True)
    if not title:
        return ParsedEntry(None, "entry without a title")
    venue = Venue(unescape_markdown(venue_text.strip())) if venue_text else None
    return ParsedEntry(
        Record(
            kind=paper_kind(links),
            title=title,
            authors=authors,
            venue=venue,
            links=links,
            nickname=nickname,
            description=description,
            sections=(section,),
        )
    )
