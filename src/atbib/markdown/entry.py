"""One list entry <-> one record: the grammar of an entry line, and the house style.

Reading and writing live side by side because they are two halves of one contract: an entry
written in house style must read back to the same record, and a record must render to the same
line. Entries in any other shape are still read, and the reader keeps their lines as written.

House style::

    **Title**. *A, B, C*. (Venue Year) [[paper]](url)[[code]](url) - ***NICK***
    Title (Venue Year) [[paper]](url) - ***NICK***          (no authors)
    [Source / Title](url) [[code]](url)                      (blog posts)
    [owner / name](url) - description                        (repositories)
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from atbib.model import Kind, Link, Person, Record, SectionPath, Venue
from atbib.venues import parse_venue

MAX_ENTRY_LENGTH = 20_000
"""Longer lines are carried through as text, never parsed: no entry is that long, and it keeps
every regular expression below linear on hostile input."""

_URL = r"[^()\s]*(?:\([^()\s]*\)[^()\s]*)*"
_LINK = re.compile(r"\[\[([^\[\]]*)\]\]\((" + _URL + r")\)")
# (?<!\s): a match can only start where a run of white space starts; trying every position
# inside a long run made this search quadratic (0.8 s for one 19,000-character line).
_TAIL_NICK = re.compile(r"(?<!\s)\s+-\s+(\*{1,3})([^*]+)\1\s*$")
_PREFIX_NICK = re.compile(r"^\*\*`([^`]+)`\*\*\s+")
_TITLE_LINK = re.compile(r"^\[((?:[^\[\]]|\[[^\[\]]*\])+)\]\((" + _URL + r")\)")
_BOLD = re.compile(r"^\*\*(?!\*)(.+?)\*\*(?!\*)(.*)$")
_AUTHORS = re.compile(r"^\.?\s*\*(?!\*)([^*]+)\*(.*)$")
_DESCRIPTION = re.compile(r"^\s+-\s+(.*?)\s*$")
_BULLET = re.compile(r"^(\s*(?:[-*+]|\d{1,9}[.)])\s+)(\S.*)$")
_OPEN = "(（"
_CLOSE = ")）"


@dataclass(frozen=True, slots=True)
class ParsedEntry:
    record: Record | None
    reason: str = ""
    """Why the line is not an entry, when ``record`` is ``None``."""


def split_bullet(line: str) -> tuple[str, str] | None:
    """``("- ", body)`` for a list item line, else ``None``."""
    match = _BULLET.match(line)
    return (match.group(1), match.group(2)) if match else None


def _links_suffix(text: str) -> tuple[str, tuple[Link, ...]]:
    """Split a trailing run of ``[[label]](url)`` links (with or without spaces between them)
    off ``text``. Scans the tokens once, so the cost stays linear whatever the input."""
    tokens = list(_LINK.finditer(text))
    end = len(text.rstrip())
    start = end
    run: list[re.Match[str]] = []
    for token in reversed(tokens):
        if token.end() > start or text[token.end() : start].strip():
            break
        run.append(token)
        start = token.start()
    if not run:
        return text, ()
    run.reverse()
    return text[:start], tuple(Link(t.group(1), t.group(2)) for t in run)


def _venue_suffix(head: str) -> tuple[str, str | None]:
    """Split a trailing parenthesised group (ASCII or full-width opening parenthesis) off."""
    stripped = head.rstrip()
    if not stripped or stripped[-1] not in _CLOSE:
        return head, None
    depth = 0
    for i in range(len(stripped) - 1, -1, -1):
        char = stripped[i]
        if char in _CLOSE:
            depth += 1
        elif char in _OPEN:
            depth -= 1
            if depth == 0:
                return stripped[:i], stripped[i + 1 : -1]
    return head, None


def _looks_like_venue(text: str) -> bool:
    if "://" in text or "[" in text:
        return False
    parsed = parse_venue(text)
    return parsed.year is not None or parsed.known


def _paper_kind(links: tuple[Link, ...]) -> Kind:
    first = links[0].label.strip().lower() if links else ""
    return {"slides": Kind.SLIDES, "book": Kind.BOOK}.get(first, Kind.PAPER)


def _link_kind(section: SectionPath, url: str) -> Kind:
    from atbib.identifiers import is_code_url

    heading = section[-1].lower() if section else ""
    if "repositor" in heading or "code" in heading:
        return Kind.REPOSITORY
    if "blog" in heading or "post" in heading:
        return Kind.BLOG_POST
    return Kind.REPOSITORY if is_code_url(url) else Kind.OTHER


def parse_entry(body: str, section: SectionPath) -> ParsedEntry:
    """Read the text of one list item (after the bullet) as a record."""
    if len(body) > MAX_ENTRY_LENGTH:
        return ParsedEntry(None, f"entry longer than {MAX_ENTRY_LENGTH} characters")
    nickname = ""
    prefix = _PREFIX_NICK.match(body)
    if prefix:
        nickname, body = prefix.group(1), body[prefix.end() :]
    tail = _TAIL_NICK.search(body)
    if tail:
        nickname, body = tail.group(2), body[: tail.start()]
    if body.startswith("[") and not body.startswith("[["):
        return _parse_link_entry(body, section, nickname)
    return _parse_title_entry(body, section, nickname)


def _parse_link_entry(body: str, section: SectionPath, nickname: str) -> ParsedEntry:
    match = _TITLE_LINK.match(body)
    if not match:
        return ParsedEntry(
            None,
            "the title link is not written [text](url) (unclosed bracket "
            "or parenthesis, or a space in the URL)",
        )
    label, url = match.group(1), match.group(2)
    rest = body[match.end() :]
    description = ""
    before, links = _links_suffix(rest)
    if before.strip():
        dash = rest.find(" - ")
        before, links = _links_suffix(rest[:dash]) if dash >= 0 else (rest, ())
        if before.strip():
            return ParsedEntry(None, f"unexpected text after the title link: {rest.strip()[:40]!r}")
        description = rest[dash + 3 :].strip()
    source, _, title = label.partition(" / ")
    if not title:
        source, title = "", label
    kind = _link_kind(section, url)
    record = Record(
        kind=kind,
        title=title,
        url=url,
        links=links,
        nickname=nickname,
        description=description,
        source=source,
        sections=(section,),
    )
    return ParsedEntry(record)


def _parse_title_entry(body: str, section: SectionPath, nickname: str) -> ParsedEntry:
    head, links = _links_suffix(body)
    authors: tuple[Person, ...] = ()
    venue_text: str | None = None
    bold = _BOLD.match(head)
    if bold:
        title, after = bold.group(1), bold.group(2)
        written = _AUTHORS.match(after)
        if written:
            authors = tuple(Person.parse(a) for a in written.group(1).split(",") if a.strip())
            after = written.group(2)
        rest, venue_text = _venue_suffix(after)
        if rest.strip(" \t.") or (venue_text is None and after.strip(" \t.")):
            return ParsedEntry(None, f"unexpected text after the title: {after.strip()[:40]!r}")
    else:
        title, venue_text = _venue_suffix(head)
        if venue_text is not None and not _looks_like_venue(venue_text):
            title, venue_text = head, None
        title = title.strip()
        if "[[" in title or "](" in title:
            return ParsedEntry(
                None,
                "a link is not written [[label]](url) (unclosed bracket or "
                "parenthesis, or a space in the URL)",
            )
        if not links and venue_text is None:
            return ParsedEntry(None, "no link, venue or authors: not an entry")
    if not title.strip():
        return ParsedEntry(None, "entry without a title")
    record = Record(
        kind=_paper_kind(links),
        title=title.strip(),
        authors=authors,
        venue=Venue(venue_text.strip()) if venue_text is not None else None,
        links=links,
        nickname=nickname,
        sections=(section,),
    )
    return ParsedEntry(record)


def render_entry(record: Record) -> str:
    """The record in the list's house style (the text after the bullet)."""
    links = "".join(f"[[{link.label}]]({link.url})" for link in record.links)
    if record.url:
        label = f"{record.source} / {record.title}" if record.source else record.title
        text = f"[{label}]({record.url})"
        if links:
            text += f" {links}"
        if record.description:
            text += f" - {record.description}"
    else:
        if record.authors:
            authors = ", ".join(str(p) for p in record.authors)
            text = f"**{record.title}**. *{authors}*."
        else:
            text = record.title
        if record.venue is not None:
            text += f" ({record.venue.text})"
        if links:
            text += f" {links}"
    if record.nickname:
        text += f" - ***{record.nickname}***"
    return text
