"""Entries in the shapes other lists use, read when atbib's own grammar does not match.

Awesome lists and reading lists write their entries in a handful of shapes::

    [Title](url) (Venue Year) [[code]](url) - comment     a paper whose title is its link
    [Title](url) - comment                                 a link with a comment
    [Title](url) is a comment without a dash
    **Title**. *A, B*. Venue Year. [[pdf](url)] [[code](url)] (**NICK**)
    **Title.** *A, B.* Venue Year. [paper](url) [code](url)
    **"Title"**. *A et al.* Venue Year. [[Paper](url)]     quotes and et al.
    **Title**. A, B. Venue Year. [[pdf](url)]              authors without italics
    **Title** (2016), A. Author et al. [[pdf]](url)
    <u>NICK</u>: **"Title"**. *A et al.* Venue Year. ...   a model's name before the title
    **NICK**: Title. *A, B*. Venue Year. [pdf](url)
    [arXiv:2001.00002](url), Title, Authors: A, B          an identifier as the link text
    Title (Venue Year) [[pdf](url)]
    A, B, and C. 2015. [Title](url). In *Proceedings of ICLR*.     citations (see
    A. Author, B. Author. Title. Venue, Year.                       :mod:`.citation`)

An item may go on over several lines (:mod:`atbib.markdown.continuation`); its lines are read
as one. What follows the title is read by :mod:`atbib.markdown.details`, in whatever order the
line puts it. Links may be written ``[[label]](url)`` (atbib's own), ``[[label](url)]`` or
``[label](url)``; a nickname may follow as `` - ***NICK***`` or ``(**NICK**)``; badges
(images), HTML comments and ``<br>`` decorate a line and are left out of its reading.

The record is the same as for the line in atbib's house style, so each work reads the same
whatever shape its line has; the line itself is kept exactly as written until the record
changes. Whatever matches none of these is reported by the caller, with the reason.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from atbib.markdown.citation import parse_citation
from atbib.markdown.details import Details, read_details
from atbib.markdown.grammar import (
    AUTHORS_LABEL,
    BOLD,
    GENERIC_LABELS,
    MARKUP,
    TAIL_NICK,
    TITLE_LINK,
    ParsedEntry,
    clean_title,
    comment_text,
    link_kind,
    link_of,
    link_record,
    link_tokens,
    looks_like_venue,
    paper_kind,
    venue_suffix,
    without_decorations,
)
from atbib.markup import blank_escapes, unescape_markdown
from atbib.model import Kind, Link, Record, SectionPath, Venue

if TYPE_CHECKING:
    from atbib.listformat import ListFormat

_GAP = re.compile(r"[\s|,·]*")
_PAREN_NICK = re.compile(r"(?<!\S)\((\*{2,3})([^*]+)\1\s*\)\s*$")
"""A nickname ending the line, ``(**NICK**)``: spaces inside (``(**XLM** )``) and parentheses
(``(**NAME (Lab)**)``) allowed."""
_HTML_NAME = re.compile(
    r"^<(u|b|strong|em|i|code)>\s*([^<>]{1,60}?)\s*</\1>\s*[:：]?\s*", re.IGNORECASE
)
"""A model's name before the title: ``<u>T5</u>: **"Title"**``."""
_BOLD_NAME = re.compile(r"^\*\*(?!\*)([^*\[\]\\]{1,40}?)\*\*\s*[:：]\s*(?=\S)")
"""A model's name in bold before the title: ``**X5**: Title``."""
_VENUE_GROUP = re.compile(r"\s*[(（]([^()（）]*)[)）]")
_IDENTIFIER_TEXT = re.compile(
    r"^(?:arxiv\s*:?\s*\d{4}\.\d{4,5}(?:v\d+)?|doi\s*:\s*\S+|\d{4}\.\d{4,5}(?:v\d+)?)$",
    re.IGNORECASE,
)
"""A link text that is an identifier, not a title (``arXiv:2001.00002``, ``doi:10.1/x``)."""
_PLAIN_TITLE = re.compile(r"^((?:[^*\[\]\\]|\\.){2,}?[^\s*\[\]\\.])\.?\s+(?=\*(?!\*))")
"""A title without markup that italic authors follow: ``Title. *A, B*. ...``."""


def _leading_links(text: str) -> tuple[tuple[Link, ...], str]:
    """Links at the start of ``text`` (white space, ``,`` or ``|`` between them), and the
    rest."""
    found: list[Link] = []
    pos = 0
    tokens = link_tokens(text)
    for token in tokens:
        gap = _GAP.match(text, pos)
        if gap is None or gap.end() != token.start():
            break
        found.append(link_of(token))
        pos = token.end()
    return tuple(found), text[pos:]


def _nickname(body: str) -> tuple[str, str]:
    tail = TAIL_NICK.search(body)
    if tail:
        return body[: tail.start()], unescape_markdown(tail.group(2), math=True)
    paren = _PAREN_NICK.search(body)
    if paren:
        return body[: paren.start()].rstrip(), unescape_markdown(paren.group(2).strip())
    return body, ""


def _prefix_name(body: str) -> tuple[str, str] | None:
    """A model's name written before the title (``<u>T5</u>: ``, ``**X5**: ``), and the
    rest of the line; ``None`` without one."""
    found = _HTML_NAME.match(body) or _BOLD_NAME.match(body)
    if found is None:
        return None
    name = unescape_markdown(found.group(found.lastindex or 1).strip())
    return (name, body[found.end() :]) if name else None


def parse_other_shapes(body: str, section: SectionPath, fmt: ListFormat | None) -> ParsedEntry:
    """One list item in another list's shape (see the module docstring), or the reason it is
    not an entry."""
    body, nickname = _nickname(without_decorations(body))
    prefix = _prefix_name(body)
    if prefix is not None:  # a title follows the name: the line is no citation
        name, rest = prefix
        links, after = _leading_links(rest)
        if links and not after.strip(" ,|."):
            return _named_links(name, links, nickname, section, fmt)
        body, nickname = rest, nickname or name
    if body.startswith("[") and not body.startswith("[["):
        match = TITLE_LINK.match(body)
        rest = body[match.end() :] if match else ""
        if match and _names_no_work(unescape_markdown(match.group(1))) and rest.strip():
            return _identifier_link(match, rest, nickname, section)
        return _title_link(body, section, nickname, fmt)
    bold = BOLD.match(body)
    if bold:
        return _titled(bold.group(1), bold.group(2), nickname, section)
    citation = parse_citation(body, section) if prefix is None else None
    if citation is not None:
        return citation
    plain = _PLAIN_TITLE.match(body)
    if plain:
        return _titled(plain.group(1), body[plain.end() :], nickname, section)
    return _plain_title(body, nickname, section)


def _names_no_work(label: str) -> bool:
    """Whether a link's text names an identifier or a kind of link rather than a work."""
    text = label.strip()
    return bool(_IDENTIFIER_TEXT.match(text)) or text.lower() in GENERIC_LABELS


def _record(title: str, details: Details, nickname: str, section: SectionPath) -> ParsedEntry:
    """The record of a work with a title of its own (a paper, slides, a book)."""
    title = unescape_markdown(clean_title(title), math=True)
    if not title:
        return ParsedEntry(None, "entry without a title")
    if not (details.links or details.authors or details.venue):
        return ParsedEntry(None, "no link, venue or authors: not an entry")
    return ParsedEntry(
        Record(
            kind=paper_kind(details.links),
            title=title,
            authors=details.authors,
            venue=details.venue,
            links=details.links,
            nickname=nickname,
            description=details.description,
            sections=(section,),
        )
    )


def _titled(title: str, rest: str, nickname: str, section: SectionPath) -> ParsedEntry:
    """A title and what follows it, in any order (:mod:`atbib.markdown.details`)."""
    details = read_details(rest)
    if isinstance(details, str):
        return ParsedEntry(None, details)
    return _record(title, details, nickname, section)


def _identifier_link(
    match: re.Match[str], rest: str, nickname: str, section: SectionPath
) -> ParsedEntry:
    """``[arXiv:2001.00002](url), Title, Authors: A, B``: the link is the work's, the title
    follows it (up to the authors, a venue in parentheses or the next link)."""
    label = unescape_markdown(match.group(1)).strip()
    own = Link(label if label.lower() in GENERIC_LABELS else "paper", match.group(2))
    rest = rest.lstrip(" ,.:;-–—|")
    found = _TITLE_END.search(blank_escapes(rest))
    end = found.start() if found else len(rest)
    details = read_details(rest[end:])
    if isinstance(details, str):
        return ParsedEntry(None, details)
    links = (own, *details.links)
    details = Details(details.authors, details.venue, links, details.description)
    return _record(rest[:end].strip(" ,.;"), details, nickname, section)


_TITLE_END = re.compile(
    r"(?:[,.;]|(?<![\s,.;]))\s*\b" + AUTHORS_LABEL + r"|\s[(（]|\[", re.IGNORECASE
)
"""Where a title after an identifier link ends: at ``Authors:``, a parenthesis or a link."""


def _named_links(
    name: str,
    links: tuple[Link, ...],
    nickname: str,
    section: SectionPath,
    fmt: ListFormat | None,
) -> ParsedEntry:
    """``<u>Corpus</u>: [[Source](url)]``: a named resource and its links, a work whose
    title is its first link (a paper when that link's label names one)."""
    first, rest = links[0], links[1:]
    kind = Kind.from_label(first.label)
    if first.label.strip().lower() not in ("paper", "pdf", "slides", "book"):
        kind = link_kind(section, first.url, fmt)
    record = link_record(kind, name, first.url, rest, nickname, "", None, section)
    return ParsedEntry(record)


def _plain_title(body: str, nickname: str, section: SectionPath) -> ParsedEntry:
    """``Title (Venue Year) [[pdf](url)]``: a title without markup, its venue in
    parentheses, then its links and a comment."""
    tokens = list(link_tokens(body))
    if not tokens:
        return ParsedEntry(None, "no link, venue or authors: not an entry")
    run = [tokens[-1]]
    for token in reversed(tokens[:-1]):
        if not _GAP.fullmatch(body, token.end(), run[-1].start()):
            break
        run.append(token)
    run.reverse()
    head, after = body[: run[0].start()], body[run[-1].end() :]
    description = comment_text(after)
    if description is None:
        return ParsedEntry(None, f"unexpected text after the links: {after.strip()[:40]!r}")
    title, venue_text = venue_suffix(head)
    if venue_text is None or not looks_like_venue(venue_text):
        return ParsedEntry(None, "no venue or authors before the links")
    title = unescape_markdown(title.strip(), math=True)
    if not title or MARKUP.search(blank_escapes(title)):
        return ParsedEntry(None, "entry without a title")
    links = tuple(link_of(t) for t in run)
    return ParsedEntry(
        Record(
            kind=paper_kind(links),
            title=title,
            venue=Venue(unescape_markdown(venue_text.strip())),
            links=links,
            nickname=nickname,
            description=description,
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
        return ParsedEntry(None, "")  # a table of contents: a link to a heading of this page
    rest = body[match.end() :]
    venue: Venue | None = None
    group = _VENUE_GROUP.match(rest)
    if group and looks_like_venue(group.group(1)):
        venue = Venue(unescape_markdown(group.group(1).strip()))
        rest = rest[group.end() :]
    links, rest = _leading_links(rest)
    description = comment_text(rest)
    if description is None:
        return ParsedEntry(None, f"unexpected text after the title link: {rest.strip()[:40]!r}")
    kind = link_kind(section, url, fmt, venue=venue is not None)
    return ParsedEntry(link_record(kind, label, url, links, nickname, description, venue, section))
