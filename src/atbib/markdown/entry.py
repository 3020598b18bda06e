"""One list entry <-> one record: the grammar of an entry line, and the house style.

Reading and writing live side by side because they are two halves of one contract: an entry
written in house style must read back to the same record, and a record must render to the same
line. Entries in any other shape are still read, and the reader keeps their lines as written.

House style::

    **Title**. *A, B, C*. (Venue Year) [[paper]](url)[[code]](url) - ***NICK***
    Title (Venue Year) [[paper]](url) - ***NICK***          (no authors)
    Title (Venue Year) [[paper]](url) - description          (a paper with a comment)
    [Source / Title](url) [[code]](url)                      (blog posts)
    [owner / name](url) - description                        (repositories)

Escaping
--------
Text from elsewhere (a .bib file, Zotero) can hold anything, so the writer escapes what would
change the line's meaning, with CommonMark's backslash escapes (``\\*`` shows as ``*``), and the
reader removes them. The rule is minimal, so lines people wrote stay exactly as they were:

* everywhere: ``\\ * [ ] < ` ~``, an ``_`` that is not inside a word (``snake_case`` stays), and
  an ``&`` that would start an HTML entity (``&lt;``);
* in a venue: ``(`` and ``)`` as well;
* in an author: ``,`` and ``{ }`` as well. A name is written ``First von Last`` (``, Jr`` after
  an escaped comma: ``Martin Luther King\\, Jr.``) and read by BibTeX's rules; when those rules
  would split it differently (``{World Health Organization}``, ``{jean} Dupont``), the part is
  grouped in braces, as in BibTeX;
* in a title without authors: a leading ``# > - + =`` or ``1.`` (they would start a heading, a
  quote or a list), and the entry is written in the bold form ``**Title** (Venue)`` when the
  plain form would not read back (a title ending in a parenthesis, no link and no venue, ...);
* in a link text ``[Source / Title]``: the ``/`` of a `` / `` that does not separate the source.

URLs are made inert and unambiguous instead: white space, ``< > \\`` and (unless balanced)
parentheses are percent-encoded, and a ``javascript:``, ``vbscript:`` or ``data:`` address has
its colon percent-encoded, so it becomes a harmless relative link (importers refuse such links
before they get here). Inline math (``$O(n \\log n)$``, found by LaTeX's rule) is written as
it is, since GitHub shows it as math and reads no escapes inside it, unless it holds a
character of the line's own syntax (``* [ ] < ` ~``).
"""

from __future__ import annotations

import re
from dataclasses import replace
from operator import attrgetter
from typing import TYPE_CHECKING

from atbib.markdown.grammar import (
    AUTHORS,
    BOLD,
    BULLET,
    HOUSE_LINK,
    PREFIX_NICK,
    TAIL_NICK,
    TITLE_LINK,
    ParsedEntry,
    clean_title,
    house_authors,
    link_kind,
    link_record,
    looks_like_venue,
    paper_kind,
    parse_display_name,
    plain_words,
    render_authors,
    split_et_al,
    venue_suffix,
)
from atbib.markup import (
    ALWAYS_SPECIAL,
    ENTITY_SPECIAL,
    UNDERSCORE_SPECIAL,
    blank_escapes,
    escape_markdown,
    unescape_markdown,
)
from atbib.model import ET_AL, SHOWN_FIELDS, Link, Person, Record, SectionPath, Venue
from atbib.urls import clean_url

if TYPE_CHECKING:
    from atbib.listformat import ListFormat

MAX_ENTRY_LENGTH = 20_000
"""Longer lines are carried through as text, never parsed: no entry is that long, and it keeps
every regular expression below linear on hostile input."""

# -- escaping ---------------------------------------------------------------------------------

_VENUE_SPECIAL = re.compile("|".join((ALWAYS_SPECIAL, UNDERSCORE_SPECIAL, ENTITY_SPECIAL, r"[()]")))
_NAME_SPECIAL = re.compile("|".join((ALWAYS_SPECIAL, UNDERSCORE_SPECIAL, ENTITY_SPECIAL, r"[,{}]")))
_BLOCK_START = re.compile(r"^(?:[#>+=-]|\d{1,9}(?=[.)]))")
# -- names ------------------------------------------------------------------------------------


def _same_name(a: Person, b: Person) -> bool:
    return (a.family, a.given, a.von, a.jr) == (b.family, b.given, b.von, b.jr)


def render_display_name(person: Person) -> str:
    """The list's form of a name: ``First von Last`` (``\\, Jr``), escaped, with a part grouped
    in braces only where BibTeX's rules would otherwise split it differently."""

    def esc(text: str) -> str:
        return escape_markdown(text, _NAME_SPECIAL)

    def braced(text: str) -> str:
        return "{" + esc(text) + "}" if text else ""

    given, von, family = person.given, person.von, person.family
    jr = f"\\, {esc(person.jr)}" if person.jr else ""
    candidates = (
        (esc(given), esc(von), esc(family)),
        (esc(given), esc(von), braced(family)),
        (braced(given), esc(von), esc(family)),
        (braced(given), esc(von), braced(family)),
        (braced(given), braced(von), braced(family)),
    )
    written = ""
    for parts in candidates:
        written = " ".join(p for p in parts if p) + jr
        if _same_name(parse_display_name(written), person):
            return written
    return " ".join(p for p in candidates[0] if p) + jr


# -- reading ----------------------------------------------------------------------------------


def split_bullet(line: str) -> tuple[str, str] | None:
    """``("- ", body)`` for a list item line, else ``None``."""
    if line[:2] == "- " and len(line) > 2 and not line[2].isspace() and "\n" not in line:
        return "- ", line[2:]  # what BULLET finds for the usual bullet
    match = BULLET.match(line)
    return (match.group(1), match.group(2)) if match else None


def _links_suffix(text: str) -> tuple[str, tuple[Link, ...]]:
    """Split a trailing run of ``[[label]](url)`` links (with or without spaces between them)
    off ``text``. Scans the tokens once, so the cost stays linear whatever the input."""
    tokens = list(HOUSE_LINK.finditer(text))
    end = len(text.rstrip())
    start = end
    run: list[re.Match[str]] = []
    for token in reversed(tokens):
        if token.end() > start or text[token.end() : start].strip():
            break
        if token.start() > 0 and text[token.start() - 1] == "\\" and _escaped_at(text, token):
            break
        run.append(token)
        start = token.start()
    if not run:
        return text, ()
    run.reverse()
    return text[:start], tuple(Link(unescape_markdown(t.group(1)), t.group(2)) for t in run)


def _escaped_at(text: str, token: re.Match[str]) -> bool:
    """Whether the ``[`` that starts ``token`` is escaped (an odd run of backslashes)."""
    i = token.start() - 1
    count = 0
    while i >= 0 and text[i] == "\\":
        count += 1
        i -= 1
    return count % 2 == 1


def parse_entry(body: str, section: SectionPath, fmt: ListFormat | None = None) -> ParsedEntry:
    """Read the text of one list item (after the bullet) as a record: atbib's own shapes
    first (see the module docstring), then, unless *fmt* says house style only, the other
    common shapes (:mod:`atbib.markdown.shapes`)."""
    if len(body) > MAX_ENTRY_LENGTH:
        return ParsedEntry(None, f"entry longer than {MAX_ENTRY_LENGTH} characters")
    parsed = _parse_house_entry(body, section, fmt)
    if parsed.record is None and parsed.reason and not (fmt is not None and fmt.house_style_only):
        from atbib.markdown.shapes import parse_other_shapes

        other = parse_other_shapes(body, section, fmt)
        if other.record is not None or not _house_shaped(body):
            return other
    if parsed.record is not None and fmt is not None and fmt.kinds and parsed.record.url == "":
        configured = fmt.kind_for(section)
        if configured is not None and configured.titled and configured is not parsed.record.kind:
            return ParsedEntry(replace(parsed.record, kind=configured))
    return parsed


def _house_shaped(body: str) -> bool:
    """Whether a line that reads as no entry was meant in atbib's own shape (it has a
    ``[[label]]`` link, however broken), so that the house reader's reason is the one to
    give."""
    return _HOUSE_LABEL.search(blank_escapes(body)) is not None


_HOUSE_LABEL = re.compile(r"\[\[[^\[\]]*\]\]")


def _parse_house_entry(body: str, section: SectionPath, fmt: ListFormat | None) -> ParsedEntry:
    nickname = ""
    prefix = PREFIX_NICK.match(body)
    if prefix:
        nickname, body = prefix.group(1), body[prefix.end() :]
    # The nickname ends the entry with its closing asterisks: look for it only then (the
    # search tries every white space of the line otherwise).
    tail = TAIL_NICK.search(body) if body.rstrip().endswith("*") else None
    if tail:
        nickname, body = unescape_markdown(tail.group(2), math=True), body[: tail.start()]
    if body.startswith("[") and not body.startswith("[["):
        return _parse_link_entry(body, section, nickname, fmt)
    return _parse_title_entry(body, section, nickname)


def _parse_link_entry(
    body: str, section: SectionPath, nickname: str, fmt: ListFormat | None
) -> ParsedEntry:
    match = TITLE_LINK.match(body)
    if not match:
        return ParsedEntry(
            None,
            "the title link is not written [text](url) (unclosed bracket "
            "or parenthesis, or a space in the URL)",
        )
    label, url = match.group(1), match.group(2)
    if url.startswith("#"):
        return ParsedEntry(None, "")  # a table of contents: a link to a heading of this page
    rest = body[match.end() :]
    description = ""
    found: list[Link] = []
    pos = 0
    while True:  # the links right after the title link, then " - " and the description
        token = HOUSE_LINK.match(rest, len(rest) - len(rest[pos:].lstrip()))
        if token is None:
            break
        found.append(Link(unescape_markdown(token.group(1)), token.group(2)))
        pos = token.end()
    links = tuple(found)
    tail = rest[pos:]
    if tail.strip():
        dash = _DESCRIPTION_DASH.match(tail)
        if dash is None:
            return ParsedEntry(None, f"unexpected text after the title link: {rest.strip()[:40]!r}")
        description = unescape_markdown(plain_words(tail[dash.end() :].strip()), math=True)
    kind = link_kind(section, url, fmt)
    return ParsedEntry(link_record(kind, label, url, links, nickname, description, None, section))


_DESCRIPTION_TAIL = re.compile(r"\s+-\s+(\S.*)$")


def _description_suffix(body: str) -> tuple[str, str]:
    """Split a `` - description`` off the end of a title entry: only right after its links,
    where a title cannot end, and only plain text (no link, no ``*`` opening a nickname)."""
    if " - " not in body:
        return body, ""
    end = 0
    for token in HOUSE_LINK.finditer(body):
        end = token.end()
    if not end:
        return body, ""
    found = _DESCRIPTION_TAIL.match(body, end)
    if found is None or found.group(1).startswith("*"):
        return body, ""
    text = found.group(1).rstrip()
    blank = blank_escapes(text)
    if "[" in blank or "](" in blank:
        return body, ""
    return body[:end], unescape_markdown(text, math=True)


def _parse_title_entry(body: str, section: SectionPath, nickname: str) -> ParsedEntry:
    whole = body
    body, description = _description_suffix(body)
    head, links = _links_suffix(body)
    if description and not links:  # the link before it was escaped: part of the title
        body, description = whole, ""
        head, links = _links_suffix(body)
    authors: tuple[Person, ...] = ()
    venue_text: str | None = None
    bold = BOLD.match(head)
    if bold:
        title, after = clean_title(bold.group(1)), bold.group(2)
        written = AUTHORS.match(after)
        if written:
            authors = house_authors(written.group(1))
            after = written.group(2)
        rest, venue_text = venue_suffix(after)
        if rest.strip(" \t.") or (venue_text is None and after.strip(" \t.")):
            return ParsedEntry(None, f"unexpected text after the title: {after.strip()[:40]!r}")
    else:
        title, venue_text = venue_suffix(head)
        if venue_text is not None and not looks_like_venue(venue_text):
            title, venue_text = head, None
        title = title.strip()
        blank = blank_escapes(title)
        if "[[" in blank or "](" in blank:
            return ParsedEntry(
                None,
                "a link is not written [[label]](url) (unclosed bracket or "
                "parenthesis, or a space in the URL)",
            )
        if not links and venue_text is None:
            return ParsedEntry(None, "no link, venue or authors: not an entry")
    title = unescape_markdown(title.strip(), math=True)
    if not title.strip():
        return ParsedEntry(None, "entry without a title")
    record = Record(
        kind=paper_kind(links),
        title=title,
        authors=authors,
        venue=Venue(unescape_markdown(venue_text.strip())) if venue_text is not None else None,
        links=links,
        nickname=nickname,
        description=description if links else "",
        sections=(section,),
    )
    return ParsedEntry(record)


# -- writing ----------------------------------------------------------------------------------


def _escape_plain_title(title: str) -> str:
    text = escape_markdown(title, math=True)
    if _BLOCK_START.match(text):
        text = "\\" + text if not text[0].isdigit() else _escape_number_start(text)
    return text


def escape_bold_title(title: str) -> str:
    """A title for ``**Title**``: escaped, and what the reader would take for punctuation
    around it escaped too (a full stop ending it, double quotes around the whole of it), so
    it reads back as it is (see :func:`~atbib.markdown.grammar.clean_title`)."""
    text = escape_markdown(title, math=True)
    if clean_title(text) == text:
        return text
    if text.endswith(".") and not text.endswith(".."):
        text = text[:-1] + "\\."
    if text.startswith('"'):
        text = "\\" + text
    return text


def render_author_list(people: tuple[Person, ...]) -> str:
    """The italic author list of a line: names between commas, ``et al.`` for
    :data:`~atbib.model.ET_AL` at the end; a last name that would read as ``et al.``
    (``et al``, ``and others``) has its last word braced, as in BibTeX."""
    names = [render_display_name(p) for p in people]
    if people[-1] != ET_AL and split_et_al(", ".join(names))[1]:
        head, _, last = names[-1].rpartition(" ")
        names[-1] = f"{head} {{{last}}}" if head else f"{{{last}}}"
    return render_authors(names, people)


def _escape_number_start(text: str) -> str:
    """``1. Title`` -> ``1\\. Title`` (a number and a dot would start an ordered list)."""
    digits = len(text) - len(text.lstrip("0123456789"))
    return text[:digits] + "\\" + text[digits:]


_SPACED_SLASH = re.compile(r"(?<= )/(?= )")
_DESCRIPTION_DASH = re.compile(r"\s* - ")
_SLASH_AFTER_SPACE = re.compile(r"(?<= )/")


def _escape_label(source: str, title: str) -> str:
    """``Source / Title``: the first `` / `` must be the separator, so a slash after a space
    in the source, or between spaces in a title without source, is escaped."""
    if source:
        return (
            _SLASH_AFTER_SPACE.sub(r"\\/", escape_markdown(source)) + " / " + escape_markdown(title)
        )
    return _SPACED_SLASH.sub(r"\\/", escape_markdown(title))


UNTITLED = "Untitled"
"""Written for a title that is empty once line breaks and white space are gone (an item added
in Zotero without one): an entry without a title is no entry, and a line the reader cannot
read would look like a work removed from the list."""


def _forms(record: Record) -> list[str]:
    """Candidate lines for a record, house style first."""
    if not escape_markdown(record.title):
        record = replace(record, title=UNTITLED)
    links = "".join(
        f"[[{escape_markdown(link.label)}]]({clean_url(link.url)})" for link in record.links
    )
    # Escaped first: a value of white space and line breaks only is no value.
    nickname = escape_markdown(record.nickname, math=True) if record.nickname else ""
    nick = f" - ***{nickname}***" if nickname else ""
    if record.url:
        text = f"[{_escape_label(record.source, record.title)}]({clean_url(record.url)})"
        if links:
            text += f" {links}"
        description = escape_markdown(record.description, math=True)
        if description:
            text += f" - {description}"
        return [text + nick]
    venue = ""
    if record.venue is not None:
        venue = f" ({escape_markdown(record.venue.text, _VENUE_SPECIAL)})"
    tail = venue + (f" {links}" if links else "")
    if links and record.description:
        tail += f" - {escape_markdown(record.description, math=True)}"
    tail += nick
    bold = f"**{escape_bold_title(record.title)}**"
    if record.authors:
        return [f"{bold}. *{render_author_list(record.authors)}*.{tail}"]
    return [_escape_plain_title(record.title) + tail, bold + tail]


_shown = attrgetter(*SHOWN_FIELDS)


def _reads_back(text: str, record: Record) -> bool:
    parsed = parse_entry(text, record.sections[0] if record.sections else ()).record
    return parsed is not None and _shown(parsed) == _shown(record)


def render_entry(record: Record) -> str:
    """The record as one line of the list in atbib's house style (the text after the
    bullet): ``**Title**. *A, B*. (Venue Year) [[paper]](url) - ***NICK***`` for papers,
    ``[Source / Title](url) - description`` for blog posts, repositories and other links.
    Text that would change the line's meaning is escaped, so reading the line gives the same
    record back."""
    forms = _forms(record)
    if len(forms) > 1:
        for text in forms[:-1]:
            if _reads_back(text, record):
                return text
    return forms[-1]
