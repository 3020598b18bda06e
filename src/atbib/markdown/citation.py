"""List items written as citations: the authors first, then the year, the title and the venue.

Reading lists copied from papers write their entries as a bibliography does::

    Ada Lovelace, Alan Turing, and Grace Hopper. 2015. [Attention for MT](url). In *Proc. of ICLR*.
    A. Lovelace, A. Turing. Neural Attention. NeurIPS, 2019. [[pdf](url)]
    Lovelace, A., & Turing, A. (2015). Neural attention. *Neural Computation*, 9(8), 1-10.

The item is split into sentences at full stops that end a word (not an initial, not ``et
al.``): the first must read as an author list (with the year after it in parentheses, APA's
way), a sentence that is only a year gives the year (ACL's way), the next is the title (a link
there is the work's own link) and what follows is the venue, read through the venue table
(``In Proceedings of ICLR`` is ICLR), with a year at its end (``NeurIPS, 2019``). Other links
(``[[pdf](url)]``) are the work's links. A line that does not read so is not a citation, and
the other shapes are tried.
"""

from __future__ import annotations

import re

from atbib.markdown.grammar import (
    GENERIC_LABELS,
    ParsedEntry,
    clean_title,
    date_year,
    link_of,
    link_tokens,
    paper_kind,
    plain_people,
)
from atbib.markup import unescape_markdown
from atbib.model import Link, Record, SectionPath, Venue
from atbib.venues import venue_from_bib

_SENTENCE_END = re.compile(
    r"(?<!\b[A-Z])(?<!\bal)(?<!\bJr)(?<!\bSr)\.\s+|(?<=\bal)\.\s+(?=(?:19|20)\d\d\b)"
)
"""A full stop that ends a sentence: not after an initial (``A. Turing``), ``Jr`` or ``et
al`` (unless the year follows it: ``Noether et al. 2017.``)."""
_YEAR_AFTER = re.compile(r"(?<!\s)\s*[(（]((?:19|20)\d\d)[a-z]?[)）]\s*$")
"""APA's year after the authors: ``Lovelace, A., & Turing, A. (2015)``."""
_TITLE_MARK = "\x00"
"""Stands for the title link in the text split into sentences."""
_IN = re.compile(r"^(?:in\s*:?\s+)", re.IGNORECASE)
_VENUE_YEAR = re.compile(r"(?<![,\s])[,\s]+((?:19|20)\d\d)\s*$")
_PAGES = re.compile(
    r"(?<![,\s])[,\s]+(?:(?:pages|pp?\.)\s*\d+(?:\s*[-–—]+\s*\d+)?"
    r"|\d+(?:\s*\(\d+\))?(?:\s*[:,]\s*\d+\s*[-–—]+\s*\d+)?)\s*$"
)
"""Volume, issue and pages after a venue (``, 9(8), 1-10``, ``8:1-10``, ``, pages 1-10``),
left out."""
_ITALIC_WHOLE = re.compile(r"\*(?!\*)((?:[^\\*]|\\.)++)\*")


def parse_citation(body: str, section: SectionPath) -> ParsedEntry | None:
    """The item read as a citation (see the module docstring); ``None`` when it is not
    one, so that the other shapes are tried."""
    text, own, links = _without_links(body)
    sentences = [s for s in _SENTENCE_END.split(text.strip().rstrip(".")) if s.strip()]
    if len(sentences) < 2:
        return None
    first = sentences[0]
    year = None
    after = _YEAR_AFTER.search(first)
    if after:
        year, first = int(after.group(1)), first[: after.start()]
    authors = plain_people(unescape_markdown(first))
    if not authors:
        return None
    rest = sentences[1:]
    if year is None and date_year(rest[0]) is not None:
        year, rest = date_year(rest[0]), rest[1:]
    if not rest:
        return None
    title = rest[0]
    venue = _venue(". ".join(rest[1:]), year)
    if _TITLE_MARK in title and own is not None:
        title, own_url = own
        links = (Link("paper", own_url), *links)
    title = unescape_markdown(clean_title(title.strip()), math=True)
    if not title or _TITLE_MARK in title or not (links or venue or year):
        return None
    return ParsedEntry(
        Record(
            kind=paper_kind(links),
            title=title,
            authors=authors,
            venue=venue,
            links=links,
            sections=(section,),
        )
    )


def _without_links(body: str) -> tuple[str, tuple[str, str] | None, tuple[Link, ...]]:
    """The text without its links, a mark where the title link stood; the title link (its
    text and URL: the first link whose text is not a kind of link such as ``pdf``) and the
    other links."""
    parts: list[str] = []
    own: tuple[str, str] | None = None
    links: list[Link] = []
    pos = 0
    for token in link_tokens(body):
        link = link_of(token)
        parts.append(body[pos : token.start()])
        pos = token.end()
        is_title = own is None and link.label.strip().lower() not in GENERIC_LABELS
        if is_title and not token.group().startswith("[["):
            own = (token.group(5) or link.label, link.url)
            parts.append(_TITLE_MARK)
        else:
            links.append(link)
    parts.append(body[pos:])
    return "".join(parts), own, tuple(links)


def _venue(text: str, year: int | None) -> Venue | None:
    """The venue sentence(s) of a citation as the list's venue: ``In *Proceedings of
    ICLR*`` -> ``ICLR``, with the citation's year or the year ending the venue."""
    text = unescape_markdown(_ITALIC_WHOLE.sub(r"\1", text)).strip(" .,;")
    text = _IN.sub("", text)
    at_end = _VENUE_YEAR.search(text)
    if at_end:
        year = year or int(at_end.group(1))
        text = text[: at_end.start()]
    text = _PAGES.sub("", text).strip(" .,;")
    if not text:
        return Venue(str(year)) if year else None
    # A venue's name holds no comma; a sentence that does ("Slides from the WMT tutorial, see
    # the course page") is kept as written rather than matched by an acronym in it.
    name = text if "," in text else venue_from_bib(text, year).name
    return Venue.from_parts(name, year)
