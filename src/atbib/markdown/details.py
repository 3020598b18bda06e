"""What follows a work's title in other lists' lines, in whatever order they put it.

After a title, lists write the authors, the venue, the year, the links and a comment, each in
its own order and punctuation::

    **Title.** *A, B.* IEEE TKDE 2020. [paper](url)
    **Title.** arxiv 2018. [paper](url) *A, B.*                  (authors on the next line)
    **Title.** Preprint. *A, B* [[pdf](url)], [[project](url)], 2021.11
    **"Title"**. *A et al.* JMLR 2020. [[Paper](url)] [[Checkpoint](url)]
    **Title** (2016), G. Hinton et al. [[pdf]](url)
    **Title**. A, B. ICLR 2020. [[pdf](url)] - a comment

Every link is a link of the work, wherever it stands. The text between the links is read piece
by piece: italics are authors (``et al.`` may follow them), a parenthesised group or a
stretch of plain text is a date, a venue, an author list (``Authors: ...``, or names that
read as names, the venue after them at the last ``. ``), and after the last link, plain text
is a comment. A separate year (``2021.11``) joins a venue written without one (``Preprint``
-> ``Preprint 2021``). Text that is none of these is the reason the line is not read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from atbib.markdown.grammar import (
    AUTHORS_LABEL,
    ET_AL_WORDS,
    MARKUP,
    comment_text,
    date_year,
    link_of,
    link_tokens,
    looks_like_venue,
    people,
    plain_people,
)
from atbib.markup import blank_escapes, unescape_markdown
from atbib.model import ET_AL, Link, Person, Venue

_SEPARATORS = " \t.,;:|·"
_ITALIC = re.compile(r"\*(?!\*)((?:[^\\*]++|\\.)+)\*(?!\*)")
_ET_AL_AFTER = re.compile(r"\s*,?\s*" + ET_AL_WORDS, re.IGNORECASE)
"""``et al.`` written after the italics (``*Linting Xue* et al.``)."""
_GROUP = re.compile(r"[(（]([^()（）]*)[)）]")
_LABELLED = re.compile(AUTHORS_LABEL + r"\s*|by\s+", re.IGNORECASE)
MAX_VENUE_LENGTH = 160
"""A venue is a few words: splits that would leave a longer one are not tried (which also
keeps the search linear on a line of thousands of full stops)."""


@dataclass(frozen=True, slots=True)
class Details:
    """What a line says about a work besides its title."""

    authors: tuple[Person, ...] = ()
    venue: Venue | None = None
    links: tuple[Link, ...] = ()
    description: str = ""


@dataclass(slots=True)
class _Found:
    authors: tuple[Person, ...] = ()
    venue: str = ""
    year: int | None = None
    description: str = ""
    links: list[Link] = field(default_factory=list)

    def details(self) -> Details:
        venue = self.venue
        if self.year is not None and not Venue(venue).year:
            venue = f"{venue} {self.year}" if venue else str(self.year)
        return Details(
            self.authors, Venue(venue) if venue else None, tuple(self.links), self.description
        )


def read_details(text: str) -> Details | str:
    """The authors, venue, links and comment in the text after a title (see the module
    docstring), or why the text does not read as them."""
    found = _Found()
    pos = 0
    pieces: list[str] = []
    for token in link_tokens(text):
        pieces.append(text[pos : token.start()])
        found.links.append(link_of(token))
        pos = token.end()
    pieces.append(text[pos:])
    for index, piece in enumerate(pieces):
        after_links = index == len(pieces) - 1 and index > 0
        problem = _read_piece(piece, found, after_links=after_links)
        if problem:
            return problem
    return found.details()


def _read_piece(piece: str, found: _Found, *, after_links: bool) -> str:
    """Read one stretch of text between links into *found*; the reason it does not read
    (``""`` when it does). After the last link, text that is nothing else is a comment."""
    rest = piece.strip(_SEPARATORS)
    while rest:
        italic = _ITALIC.match(rest)
        group = _GROUP.match(rest)
        if italic and not found.authors:
            found.authors = people(unescape_markdown(italic.group(1)))
            end = italic.end()
            et_al = _ET_AL_AFTER.match(rest, end)
            if et_al:
                if found.authors[-1:] != (ET_AL,):
                    found.authors = (*found.authors, ET_AL)
                end = et_al.end()
        elif group and _read_plain(group.group(1), found):
            end = group.end()
        else:
            end = _next_mark(rest)
            if not _read_plain(rest[:end], found):
                if after_links and not found.description:
                    return _read_comment(piece, found)
                return _unexpected(rest)
        rest = rest[end:].lstrip(_SEPARATORS)
    return ""


def _unexpected(text: str) -> str:
    """Why text between a title and its links does not read: a link that is not written
    ``[text](url)``, or text that is no author list, venue or date."""
    blank = blank_escapes(text)
    if "](" in blank or "[" in blank:
        return (
            f"a link is not written [text](url) (a space in its URL, or an unclosed "
            f"bracket?): {text[:50]!r}"
        )
    return f"text that is no author list, venue or date: {text[:40]!r}"


def _next_mark(text: str) -> int:
    """Where the plain text at the start of ``text`` ends: at the next italics or
    parenthesised group, else at the end."""
    blank = blank_escapes(text)
    ends = [i for i in (blank.find("*", 1), blank.find("(", 1), blank.find("（", 1)) if i > 0]
    return min(ends) if ends else len(text)


def _read_plain(text: str, found: _Found) -> bool:
    """Read plain text as a date, a venue or an author list (each once), else as sentences
    that each read as one of them; whether it read."""
    text = text.strip(_SEPARATORS)
    if not text:
        return True
    if MARKUP.search(blank_escapes(text)):
        return False
    if _read_sentence(text, found):
        return True
    sentences = [s for s in re.split(r"(?<=[^\s.]{3})\.\s+", text) if s.strip(_SEPARATORS)]
    return len(sentences) > 1 and all(_read_sentence(s, found) for s in sentences)


def _read_sentence(text: str, found: _Found) -> bool:
    """Read one sentence as a date, ``Authors: ...``, plain authors with the venue after
    them, a venue, or plain authors; whether it read."""
    text = unescape_markdown(text.strip(_SEPARATORS))
    year = date_year(text)
    if year is not None:
        found.year = found.year or year
        return True
    labelled = _LABELLED.match(text)
    if labelled and not found.authors:
        found.authors = people(text[labelled.end() :])
        return bool(found.authors)
    split = _authors_and_venue(text) if ". " in text and not found.authors else None
    if split is not None and split[1]:
        found.authors = split[0]
        found.venue = found.venue or split[1]
        return True
    if len(text) <= MAX_VENUE_LENGTH and looks_like_venue(text):
        found.venue = found.venue or text  # a second venue (a repeated "Preprint") adds nothing
        return True
    authors = None if found.authors else plain_people(text)
    if authors is None:
        return False
    found.authors = authors
    return True


def _authors_and_venue(text: str) -> tuple[tuple[Person, ...], str] | None:
    """Plain authors and a venue after them at the last ``. `` that leaves one (``A, B.
    Venue Year``); ``None`` when the text does not read so."""
    at = len(text)
    while True:
        at = text.rfind(". ", max(0, len(text) - MAX_VENUE_LENGTH), at)
        if at < 0:
            return None
        venue = text[at + 2 :].strip(" .")
        if venue and looks_like_venue(venue):
            authors = plain_people(text[:at])
            if authors is not None:
                return authors, venue


def _read_comment(piece: str, found: _Found) -> str:
    """The text after the last link as the work's comment (:func:`comment_text`); a link or
    a bracket in it is the reason the line is not read."""
    text = comment_text(piece)
    if not text:
        return f"unexpected text after the links: {piece.strip()[:40]!r}"
    found.description = text
    return ""
