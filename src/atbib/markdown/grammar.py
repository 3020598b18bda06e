"""The grammar of a list entry: the tokens and the readings that every entry shape shares.

atbib's own shapes (:mod:`atbib.markdown.entry`) and the shapes other lists use
(:mod:`atbib.markdown.shapes`) are read with the same tokens (a bold title, italic authors, a
title link, a nickname, a trailing venue in parentheses) and build their records the same way,
so a work reads the same whatever shape its line has. A new shape adds its own patterns in
``shapes.py`` and takes the shared ones from here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from atbib.markup import LINK_LABEL, blank_escapes, unescape_markdown
from atbib.model import ET_AL, Kind, Link, Person, Record, SectionPath, Venue
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
ANY_LINK = re.compile(
    r"\[\[" + LINK_LABEL + r"\]\]\((" + URL + r")\)"  # [[label]](url)
    r"|\[\[" + LINK_LABEL + r"\]\((" + URL + r")\)\]"  # [[label](url)]
    r"|\[" + LINK_LABEL + r"\]\((" + URL + r")\)"  # [label](url)
)
"""A labelled link in any of the forms lists write: ``[[label]](url)`` (atbib's own),
``[[label](url)]`` or ``[label](url)``."""
_OPEN_BRACKET = re.compile(r"\\.|\[", re.DOTALL)
"""An escape (skipped whole) or an unescaped ``[``: where a link can start."""


def link_of(match: re.Match[str]) -> Link:
    """The link an :data:`ANY_LINK` match stands for."""
    groups = match.groups()
    for i in (0, 2, 4):
        if groups[i + 1] is not None:
            return Link(unescape_markdown(groups[i]), groups[i + 1])
    raise AssertionError("a link token without a URL")


def link_tokens(text: str) -> Iterator[re.Match[str]]:
    """The links in ``text`` (:data:`ANY_LINK`), tried only where an unescaped ``[`` stands:
    a label may hold escaped brackets, so trying at each ``\\[`` of a line of thousands
    rescans the rest of the line each time (a 20,000-character line took over a second)."""
    pos = 0
    while (opening := _OPEN_BRACKET.search(text, pos)) is not None:
        token = ANY_LINK.match(text, opening.start()) if opening.group() == "[" else None
        if token is None:
            pos = opening.end()
        else:
            yield token
            pos = token.end()


_DECORATION = re.compile(
    r"!\[[^\[\]]*\]\([^()\s]*\)"  # an image: a badge, a logo
    r"|<br\s*/?>",  # a line break
    re.IGNORECASE,
)


def _without_comments(text: str) -> str:
    """``text`` without its closed HTML comments, each found once from left to right (a
    regular expression would rescan the rest of the line from every unclosed ``<!--``)."""
    parts: list[str] = []
    pos = 0
    while (start := text.find("<!--", pos)) >= 0:
        end = text.find("-->", start + 4)
        if end < 0:
            break
        parts.append(text[pos:start])
        pos = end + 3
    return " ".join([*parts, text[pos:]]) if parts else text


def without_decorations(body: str) -> str:
    """An item's text without what only decorates it: images (badges such as
    ``![](https://img.shields.io/badge/T5-blue)``), HTML comments and ``<br>`` line breaks.
    The line itself is kept as written; only its reading leaves them out."""
    if "![" not in body and "<" not in body:
        return body
    return " ".join(_DECORATION.sub(" ", _without_comments(body)).split())


_EMPHASIS = re.compile(r"(\*{1,3})(?=[^\s*])([^*]+?)(?<=\S)\1(?!\*)|`([^`]+)`")


def plain_words(text: str) -> str:
    """Text without its emphasis and code marks (``A **fast** library`` is ``A fast
    library``): a description is plain text. Escaped marks (``\\*``) are text and stay."""
    if "*" not in text and "`" not in text:
        return text
    blank = blank_escapes(text)  # the same length: a match in it is a match in the text
    parts: list[str] = []
    pos = 0
    for found in _EMPHASIS.finditer(blank):
        inner = 2 if found.group(2) is not None else 3
        parts += [text[pos : found.start()], text[found.start(inner) : found.end(inner)]]
        pos = found.end()
    return "".join([*parts, text[pos:]])


_COMMENT_START = re.compile(r"\s*(?:[-–—:]\s+|[,;|]\s*)?")
MARKUP = re.compile(r"[\[\]*`]|\]\(")
"""A mark of the line's own syntax (a bracket, emphasis, code): plain text holds none."""


def comment_text(after: str) -> str | None:
    """A comment after a work's title link or links, as plain text: after a dash, a colon,
    a comma or nothing (``- text``, ``: text``, ``, text``, ``text``), its emphasis and code
    marks gone; ``""`` for none, ``None`` when it holds a link or a bracket, which a comment
    cannot keep."""
    text = plain_words(after[_COMMENT_START.match(after).end() :].strip())  # type: ignore[union-attr]
    if not text:
        return ""
    if MARKUP.search(blank_escapes(text)):
        return None
    return unescape_markdown(text, math=True)


GENERIC_LABELS = frozenset(
    (  # noqa: SIM905
        "code pdf paper slides video talk poster project blog github website homepage demo "
        "data dataset model models arxiv openreview supplementary appendix bibtex link url "
        "source checkpoint"
    ).split()
)
"""Link texts that name a kind of link rather than a work (``[pdf](url)``, ``[code](url)``)."""

_DATE = re.compile(r"((?:19|20)\d\d)(?:[./-](?:0?[1-9]|1[0-2])(?:[./-]\d{1,2})?)?")
"""A year standing alone, or a date that starts with it (``2021``, ``2021.6``, ``2021-06``,
``2021/06/30``): the year of the work."""


def date_year(text: str) -> int | None:
    """The year of ``text`` when it is nothing but a year or a date (:data:`_DATE`), in
    parentheses or not; ``None`` for anything else (``newstest2017`` holds no year)."""
    found = _DATE.fullmatch(text.strip().strip("()（）").strip())
    return int(found.group(1)) if found else None


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


# -- authors ----------------------------------------------------------------------------------

ET_AL_WORDS = r"(?:et\.?\s?al|el\.?\s+al|and\s+others)\b\.?"
"""``et al.`` in the spellings lists use: ``et al``, ``et al.``, ``et. al.``, ``et.al.``,
``el al.`` (a common slip) and BibTeX's ``and others``."""
AUTHORS_LABEL = r"(?:authors?|by)\s*[:：]"
"""A label that says the names after it are the authors: ``Authors:``, ``By:``."""
_ET_AL_TAIL = re.compile(r"(?:^|(?<![\s,;])[\s,;]+)" + ET_AL_WORDS + r"\s*$", re.IGNORECASE)
"""``et al.`` ending an author list."""


def split_et_al(text: str) -> tuple[str, bool]:
    """``("A, B", True)`` for ``A, B et al.`` (any spelling of :data:`ET_AL_WORDS`); the text and
    ``False`` when it names every author."""
    tail = text[-16:].lower()
    if "al" not in tail and "others" not in tail:  # the usual list: no search
        return text, False
    found = _ET_AL_TAIL.search(text)
    return (text[: found.start()], True) if found else (text, False)


def house_authors(text: str) -> tuple[Person, ...]:
    """The italic authors of atbib's own shape: names between unescaped commas, ``et al.``
    at the end standing for the rest (:data:`~atbib.model.ET_AL`)."""
    names, others = split_et_al(text)
    people = tuple(map(parse_display_name, split_authors(names)))
    return (*people, ET_AL) if others else people


def render_authors(names: list[str], people: tuple[Person, ...]) -> str:
    """An author list as atbib writes it, the names already written: ``A, B et al.`` when the
    last person is :data:`~atbib.model.ET_AL`, ``A, B`` otherwise."""
    if people and people[-1] == ET_AL:
        return ", ".join(names[:-1]) + (" et al." if len(names) > 1 else "et al.")
    return ", ".join(names)


_NAME_SEPARATOR = re.compile(r"(?<!\s)\s*(?:[,;]\s*(?:and\s+|&\s*)?|&\s*)|(?<!\s)\s+and\s+")
"""Between two names: a comma or a semicolon (``and`` or ``&`` may follow), ``and``, ``&``;
white space is taken from where its run starts, so a long run is scanned once."""
_FOOTNOTE_MARKS = re.compile(r"(?<![\\*†‡§¶#^\d])(?:\\?[*†‡§¶#]|\^?\d)+$")
"""Marks after a name that point to a footnote (``Yi Sun*``, ``Ada Lovelace†``)."""
_BIBTEX_AND = re.compile(r"\s+and\s+")
_ABBREVIATED = re.compile(r"(?:[^\W\d_]{1,2}\.-?)+|[JS]r\.")
"""A word of a name that may hold a full stop: initials (``A.``, ``J.-P.``, ``Th.``), ``Jr.``."""
_INITIALS = re.compile(r"(?:[A-Z]\.(?:\s?-?\s?))+")


def _without_full_stop(text: str) -> str:
    """An author list without the full stop ending its sentence (``A, B.``); an initial
    (``Quoc V.``) or ``Jr.`` keeps its own."""
    text = text.strip()
    last = text.rsplit(" ", 1)[-1]
    if text.endswith(".") and len(last) > 2 and last not in ("Jr.", "Sr."):
        return text[:-1]
    return text


def _name_parts(text: str) -> list[str]:
    """The names of an author list: BibTeX's ``Last, First and Last, First`` when every
    ``and`` separates such a name, else split at commas, semicolons, ``and`` and ``&``; a
    first name written after the family name is put back in front of it, for every name
    (APA's ``Lovelace, A., & Turing, A.``) or for the first (``Liu, Pengfei, Weizhe Yuan``)."""
    if " and " in text:
        pieces = _BIBTEX_AND.split(text)
        if len(pieces) > 1 and all(p.count(",") == 1 for p in pieces):
            return [" ".join(reversed([w.strip() for w in p.split(",")])) for p in pieces]
    parts = [p.strip() for p in _NAME_SEPARATOR.split(text) if p.strip()]
    if len(parts) % 2 == 0 and all(_INITIALS.fullmatch(p) for p in parts[1::2]):
        return [f"{first} {last}" for last, first in zip(parts[::2], parts[1::2], strict=True)]
    if len(parts) > 2 and " " not in parts[0] + parts[1] and " " in parts[2]:
        parts[:2] = [f"{parts[1]} {parts[0]}"]
    return parts


def people(text: str) -> tuple[Person, ...]:
    """An author list that the line marks as one (in italics, after ``Authors:``), in the
    forms lists use: ``A, B and C``, ``A & B``, BibTeX's ``Last, First and ...``, ``A et
    al.`` (any spelling), footnote marks after names (``Yi Sun*``) and a sentence's full stop
    at the end."""
    names, others = split_et_al(_without_full_stop(text))
    found = []
    for part in _name_parts(names):
        name = _FOOTNOTE_MARKS.sub("", part).strip()
        if name:
            found.append(parse_display_name(name))
    return (*found, ET_AL) if others else tuple(found)


_PARTICLES = frozenset(
    "van von der den de del della di da du la le ter dos das y bin al el".split()  # noqa: SIM905
)


def _is_name(text: str) -> bool:
    """Whether unmarked text reads as one person's name: two to six words, each capitalised
    (or a particle such as ``van``), no digits, a full stop only after an initial or
    ``Jr``."""
    words = text.split()
    if not 2 <= len(words) <= 6:
        return False
    for word in words:
        if any(c.isdigit() for c in word):
            return False
        if "." in word and not _ABBREVIATED.fullmatch(word):
            return False
        if word.lower() in _PARTICLES:
            continue
        if not word[0].isalpha() or word[0].islower():
            return False
    return True


def plain_people(text: str) -> tuple[Person, ...] | None:
    """An author list the line does not mark (no italics, no ``Authors:``), or ``None`` when
    the text does not read as one: every name must look like a name (:func:`_is_name`)."""
    names, others = split_et_al(_without_full_stop(text))
    parts = _name_parts(names)
    if not parts or not all(_is_name(_FOOTNOTE_MARKS.sub("", p)) for p in parts):
        return None
    found = tuple(parse_display_name(_FOOTNOTE_MARKS.sub("", p).strip()) for p in parts)
    return (*found, ET_AL) if others else found


# -- titles -----------------------------------------------------------------------------------


def clean_title(raw: str) -> str:
    """A title as written (escapes still in) without what only sets it off in the line:
    double quotes around the whole of it (``"Scaling Laws"``) and the full stop of its
    sentence (``**Title.**``). An escaped full stop or quote (``\\.``, ``\\"``) and an
    ellipsis stay, so every title can be written to read back as it is."""
    text = raw.strip()
    if not text.endswith((".", '"')):  # the usual title: nothing around it
        return text
    for _ in range(2):
        blank = blank_escapes(text)
        if blank.endswith(".") and not blank.endswith(".."):
            text = text[:-1].rstrip()
        if len(text) > 2 and text[0] == text[-1] == '"' and '"' not in blank_escapes(text)[1:-1]:
            text = text[1:-1].strip()
    return text


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
