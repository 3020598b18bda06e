"""The grammar of a list entry: the tokens and the readings that every entry shape shares.

atbib's own shapes (:mod:`atbib.markdown.entry`) and the shapes other lists use
(:mod:`atbib.markdown.shapes`) are read with the same tokens (a bold title, italic authors, a
title link, a nickname, a trailing venue in parentheses) and build their records the same way,
so a work reads the same whatever shape its line has. A new shape adds its own patterns in
``shapes.py`` and takes the shared ones from here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from atbib.markup import blank_escapes, unescape_markdown
from atbib.model import Kind, Link, Person, Record, SectionPath, Venue
from atbib.names import first_von_last
from atbib.urls import URL
from atbib.venues import parse_venue

if TYPE_CHECKING:
    from atbib.listformat import ListFormat

_ESC = r"(?:[^\\{stop}]++|\\.)"
"""A run of characters that are not stop characters (taken whole: only a stop character or a
backslash can follow it, so backtracking into it never finds a match, and the engine no longer
takes one character per loop), or an escape."""
HOUSE_LINK = re.compile(r"\[\[((?:[^\[\]\\]++|\\.)*)\]\]\((" + URL + r")\)")
"""atbib's own link, ``[[label]](url)``: label and URL."""
# (?<!\s): a match can only start where a run of white space starts; trying every position
# inside a long run made this search quadratic (0.8 s for one 19,000-character line).
TAIL_NICK = re.compile(r"(?<!\s)\s+-\s+(\*{1,3})(" + _ESC.format(stop="*") + r"+)\1\s*$")
"""A nickname ending the line, `` - ***NICK***`` (one to three asterisks)."""
PREFIX_NICK = re.compile(r"^\*\*`([^`]+)`\*\*\s+")
"""A nickname starting the line, ``**`NICK`** ``."""
_LABEL_RUN = r"(?:[^\[\]\\]++|\\.)"
TITLE_LINK = re.compile(
    r"^\[((?:" + _LABEL_RUN + r"|\[" + _LABEL_RUN + r"*\])+)\]\((" + URL + r")\)"
)
"""A title that is a link, ``[Source / Title](url)`` (one level of brackets inside)."""
BOLD = re.compile(r"^\*\*(?!\*)((?:[^\\*]++|\\.|\*(?!\*))+?)\*\*(?!\*)(.*)$")
"""A bold title, ``**Title**``, and the rest of the line."""
AUTHORS = re.compile(r"^\.?\s*\*(?!\*)(" + _ESC.format(stop="*") + r"+)\*(.*)$")
"""Italic authors after the title, ``. *A, B*``, and the rest of the line."""
BULLET = re.compile(r"^(\s*(?:[-*+]|\d{1,9}[.)])\s+)(\S.*)$")
"""A list item: its indentation and bullet, and its text."""
_OPEN = "(（"
_CLOSE = ")）"

_ASCII_PUNCT = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")


def _name_words(text: str) -> tuple[list[tuple[str, bool]], list[tuple[str, bool]] | None]:
    """Words of a written name as ``(text, starts_lower)``, and the words of its ``\\, Jr``
    part (``None`` when there is none). As in BibTeX, a word starts lower case when its first
    letter outside braces is lower case (``{von Neumann}`` does not); braces group words;
    escapes are literal characters (never letters)."""
    words: list[tuple[str, bool]] = []
    jr: list[tuple[str, bool]] | None = None
    current: list[str] = []
    case: bool | None = None
    depth = 0
    i = 0
    n = len(text)

    def finish() -> None:
        nonlocal case
        if current:
            words.append(("".join(current), bool(case)))
        current.clear()
        case = None

    while i < n:
        c = text[i]
        if c == "\\" and i + 1 < n and text[i + 1] in _ASCII_PUNCT:
            if depth == 0 and text[i + 1] == "," and jr is None:
                finish()
                jr, words = words, []
                i += 2
                continue
            current.append(text[i + 1])  # punctuation: never decides the case
            i += 2
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth = max(depth - 1, 0)
        elif depth == 0 and c.isspace():
            finish()
        else:
            current.append(c)
            # As BibTeX (pybtex) decides: the first letter, or a first character with a case
            # ("ⅰ", a lower-case numeral, starts a von word).
            if (
                case is None
                and depth == 0
                and (c.isalpha() or (len(current) == 1 and c.isupper() != c.islower()))
            ):
                case = c.islower()
        i += 1
    finish()
    if jr is None:
        return words, None
    return jr, words


def _starts_lower(word: tuple[str, bool]) -> bool:
    return word[1]


@lru_cache(maxsize=65536)
def parse_display_name(text: str) -> Person:
    """A name as the list writes it (``First von Last``, ``\\, Jr`` after it), split by
    BibTeX's rules: von is the run of words that start lower case, Last always has a word.

    Cached (people recur across a list, and a Person is immutable), with a fast path for the
    usual name: no escape or brace, every word starting with a capital letter."""
    if "\\" not in text and "{" not in text and "}" not in text:
        plain = text.split()  # the words _name_words finds: white space at depth 0 splits
        if plain and all(w[0].isupper() and w[0].isalpha() for w in plain):
            # No word starts lower case: no von part; Last is the last word.
            return Person(family=plain[-1], given=" ".join(plain[:-1]))
    words, jr_words = _name_words(text.strip())
    first, von, last = first_von_last(words, _starts_lower)
    return Person(
        family=" ".join(w for w, _ in last),
        given=" ".join(w for w, _ in first),
        von=" ".join(w for w, _ in von),
        jr=" ".join(w for w, _ in jr_words or ()),
    )


def split_authors(text: str) -> list[str]:
    """Split the author span at commas that are neither escaped nor inside braces."""
    if "\\" not in text and "{" not in text:
        return [name for name in text.split(",") if name.strip()]  # every comma splits
    names: list[str] = []
    depth = 0
    start = 0
    i = 0
    n = len(text)
    while i < n:
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth = max(depth - 1, 0)
        elif c == "," and depth == 0:
            names.append(text[start:i])
            start = i + 1
        i += 1
    names.append(text[start:])
    return [name for name in names if name.strip()]


@dataclass(frozen=True, slots=True)
class ParsedEntry:
    record: Record | None
    reason: str = ""
    """Why the line is not an entry, when ``record`` is ``None``."""


def venue_suffix(head: str) -> tuple[str, str | None]:
    """Split a trailing parenthesised group (ASCII or full-width opening parenthesis) off;
    escaped parentheses do not count."""
    stripped = head.rstrip()
    if not stripped or stripped[-1] not in _CLOSE:
        return head, None
    blank = blank_escapes(stripped)
    if blank[-1] not in _CLOSE:
        return head, None
    # ASCII parentheses first: atbib writes "(Venue)" and escapes the ASCII ones inside, so a
    # full-width one inside ("(（)") is text. People also write "（SIGIR 2020)": without an
    # ASCII opening parenthesis, full-width ones count too.
    for opening, closing in (("(", ")"), (_OPEN, _CLOSE)):
        if blank[-1] not in closing:
            continue
        depth = 0
        for i in range(len(blank) - 1, -1, -1):
            char = blank[i]
            if char in closing:
                depth += 1
            elif char in opening:
                depth -= 1
                if depth == 0:
                    return stripped[:i], stripped[i + 1 : -1]
    return head, None


def looks_like_venue(text: str) -> bool:
    if "://" in text or "[" in blank_escapes(text):
        return False
    parsed = parse_venue(unescape_markdown(text))
    return parsed.year is not None or parsed.known


def paper_kind(links: tuple[Link, ...]) -> Kind:
    return Kind.from_label(links[0].label) if links else Kind.PAPER


def link_kind(
    section: SectionPath, url: str, fmt: ListFormat | None = None, *, venue: bool = False
) -> Kind:
    """The kind of an entry whose title is a link: the kind configured for its heading, else
    a paper when a venue follows the link, else by its heading's words (``Repositories``,
    ``Code``, ``Blog``, ``Posts``), else a paper when the URL names one (arXiv, DOI, ACL
    Anthology, OpenReview...), a repository for code hosting, other for the rest."""
    from atbib.identifiers import identifiers_from_url, is_code_url

    configured = fmt.kind_for(section) if fmt is not None and fmt.kinds else None
    if configured is not None:
        return configured
    if venue:
        return Kind.PAPER
    heading = section[-1].lower() if section else ""
    if "repositor" in heading or "code" in heading:
        return Kind.REPOSITORY
    if "blog" in heading or "post" in heading:
        return Kind.BLOG_POST
    if is_code_url(url):
        return Kind.REPOSITORY
    return Kind.PAPER if identifiers_from_url(url) else Kind.OTHER


def split_label(label: str) -> tuple[str, str]:
    """``Source / Title`` at the first unescaped `` / ``; ``("", title)`` without one."""
    at = blank_escapes(label).find(" / ")
    if at < 0:
        return "", unescape_markdown(label)
    source, title = label[:at], label[at + 3 :]
    if not title:
        return "", unescape_markdown(label)
    return unescape_markdown(source), unescape_markdown(title)


def link_record(
    kind: Kind,
    label: str,
    url: str,
    links: tuple[Link, ...],
    nickname: str,
    description: str,
    venue: Venue | None,
    section: SectionPath,
) -> Record:
    """The record of an entry whose title is a link. A paper (slides, a book) links through
    its links, the title link first (``[[paper]](url)``): that is how the record model holds
    every paper, whatever shape its line has."""
    if kind.titled:
        return Record(
            kind=kind,
            title=unescape_markdown(label, math=True),
            venue=venue,
            links=(Link(kind.own_label, url), *links),
            nickname=nickname,
            description=description,
            sections=(section,),
        )
    source, title = split_label(label)
    return Record(
        kind=kind,
        title=title,
        url=url,
        links=links,
        nickname=nickname,
        description=description,
        source=source,
        sections=(section,),
    )
