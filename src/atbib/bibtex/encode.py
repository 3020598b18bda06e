"""Plain text <-> BibTeX values at the LaTeX level: titles with the words a style must not
lower-case braced, names in the form BibTeX parses back into the same parts, and the codec of
every other value (verbatim fields as they are, the rest through
:mod:`atbib.bibtex.latex`). Nothing here knows what a field means for a work: that is
:mod:`atbib.bibtex.mapping`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from atbib import names
from atbib.bibtex.latex import decode_latex, encode_latex, needs_escape
from atbib.model import Person, listable
from atbib.texsyntax import balanced_braces, group_end, math_spans, outside_spans
from atbib.urls import encode_url, is_active_url

MONTHS: dict[str, str] = {
    "jan": "January",
    "feb": "February",
    "mar": "March",
    "apr": "April",
    "may": "May",
    "jun": "June",
    "jul": "July",
    "aug": "August",
    "sep": "September",
    "oct": "October",
    "nov": "November",
    "dec": "December",
}
"""BibTeX's predefined month macros, as the standard styles spell them: read by the .bib
parser, written by the writer (here, so that writing never loads the parser)."""

VERBATIM_FIELDS = frozenset(
    {
        "url",
        "doi",
        "eprint",
        "archiveprefix",
        "primaryclass",
        "biburl",
        "file",
        "ids",
        "urldate",
        "pages",
        "isbn",
        "issn",
    }
)
"""Fields whose values are not LaTeX (identifiers, addresses): never decoded or encoded."""

PROPER_NOUNS = frozenset(
    [
        "Arabic",
        "Bayes",
        "Bayesian",
        "Chinese",
        "Dutch",
        "English",
        "European",
        "French",
        "German",
        "Gaussian",
        "Google",
        "Hindi",
        "Italian",
        "Japanese",
        "Korean",
        "Markov",
        "Russian",
        "Spanish",
        "Transformer",
        "Transformers",
        "Wikipedia",
        "Siamese",
    ]
)
"""Capitalised words that stay capitalised in sentence-case styles, besides acronyms."""
_NON_WORD = re.compile(r"\W*")
_SPACES = re.compile(r"(\s+)")


def _needs_protection(word: str) -> bool:
    if word.isascii():
        if word.isalpha():
            # The common case, one plain word: only a proper noun or a capital after the first
            # letter needs braces (no hyphen, no digit).
            return word in PROPER_NOUNS or not (len(word) == 1 or word[1:].islower())
        for part in word.split("-"):
            # The rules below for ASCII, where a capital is whatever lower() changes and the
            # only digits and letters are 0-9 and a-z, A-Z.
            if not part:
                continue
            if part in PROPER_NOUNS:
                return True
            rest = part[1:]
            if rest != rest.lower():
                return True
            if any(map(str.isdigit, part)) and any(map(str.isalpha, part)):
                return True
        return False
    for part in word.split("-"):
        if not part:
            continue
        if part in PROPER_NOUNS:
            return True
        if any(c.isupper() for c in part[1:]):
            return True
        if any(c.isdigit() for c in part) and any(c.isascii() and c.isalpha() for c in part):
            return True
    return False


def _word_edges(piece: str) -> tuple[str, str, str]:
    """``(leading punctuation, word, trailing punctuation)``: the longest runs of non-word
    characters at both ends. Found from each end in linear time (one regular expression with
    a lazy middle took 3 s on a 20,000-character run of quotes)."""
    start = _NON_WORD.match(piece).end()  # type: ignore[union-attr]  # always matches
    if start == len(piece):
        return piece, "", ""
    end = len(piece) - _NON_WORD.match(piece[::-1]).end()  # type: ignore[union-attr]
    return piece[:start], piece[start:end], piece[end:]


def _protect(piece: str) -> str:
    """One white-space-free piece of a title: braces around its core (the piece without
    punctuation at its edges) when the core needs protection, TeX specials escaped."""
    lead, core, tail = _word_edges(piece)
    if core and _needs_protection(core):
        return f"{encode_latex(lead)}{{{encode_latex(core)}}}{encode_latex(tail)}"
    return encode_latex(piece)


def _encode_title_text(title: str) -> str:
    if not title.isprintable() or needs_escape(title):
        return "".join(
            piece if not piece or piece.isspace() else _protect(piece)
            for piece in _SPACES.split(title)
        )
    # The usual title: nothing to escape, and single spaces are its only white space
    # (isprintable() is False for every other white-space character), so splitting at
    # " " finds the same pieces.
    return " ".join([_usual_piece(piece) if piece else piece for piece in title.split(" ")])


@lru_cache(maxsize=65536)
def _usual_piece(piece: str) -> str:
    """A piece of a usual title (no white space, nothing to escape), braced where it needs
    protection. Cached: titles share most of their words."""
    first, last = piece[0], piece[-1]
    if (first.isalnum() or first == "_") and (last.isalnum() or last == "_"):
        # A piece with a letter or digit at both ends is its own core.
        return "{" + piece + "}" if _needs_protection(piece) else piece
    return _protect(piece)


def encode_title(title: str) -> str:
    """Escape a title and brace the words a sentence-case style must not lower-case
    (``{BERT}``, ``{XLNet}``, ``{GPT-2}``, ``{Chinese}``); other words stay free. Inline math
    is kept as written."""
    return outside_spans(title, math_spans(title), _encode_title_text)


_AND = re.compile(r"(?:^|\s)and(?=\s|$)", re.IGNORECASE)


def _name_part(part: str, *, leading_and_ok: bool = False, keep_case: bool = False) -> str:
    """One part of a name, escaped; braced when it holds a comma or a free-standing ``and``
    (any case, any white space), which BibTeX would take for the structure of the name list.
    A leading ``and`` is harmless where nothing but the start of the field comes before it.
    Also braced: a part with ``--``, ``''`` or ````````, which escaping splits with ``{}``
    (``-{}-``) and biber then cuts into broken initials; with ``keep_case`` (the von part)
    only those pairs are braced, since a part braced whole has no case for BibTeX and its
    words would leave the von part. (A comma is braced with the whole part even then: biber
    counts a braced comma as one more part of the name.)"""
    if "," in part or _free_and(part, leading_and_ok):
        return "{" + encode_latex(part, symbols=False) + "}"
    if not _PAIRS.search(part):
        return encode_latex(part, symbols=False)
    if not keep_case:
        return "{" + encode_latex(part, symbols=False) + "}"
    pieces = []
    last = 0
    for match in _PAIRS.finditer(part):
        pieces.append(encode_latex(part[last : match.start()], symbols=False))
        pieces.append("{" + encode_latex(match.group(), symbols=False) + "}")
        last = match.end()
    pieces.append(encode_latex(part[last:], symbols=False))
    return "".join(pieces)


_PAIRS = re.compile(r"--|''|``")


def _free_and(part: str, leading_and_ok: bool) -> bool:
    if "and" not in part.lower():  # the usual name: no regex search needed
        return False
    return any(not (leading_and_ok and m.start() == 0) for m in _AND.finditer(part))


def encode_person(person: Person, *, first: bool = True) -> str:
    """``von Last, Jr, First`` with every part escaped: the comma form is the one BibTeX
    parses back into the same parts whatever the words look like. ``first``: the name starts
    the field (nothing before it could pair with a leading ``and``). A family name with a
    lower-case word that is not the last is braced (BibTeX would read it as "von"), and a
    name with no first name and several words (``{World Health Organization}``) is braced
    whole, BibTeX's way of writing a corporate author."""
    return _first_person(person) if first else _other_person(person)


@lru_cache(maxsize=1 << 16)
def _first_person(person: Person) -> str:
    """:func:`encode_person` of a name that starts the field. Cached, as :func:`_other_person`:
    a list names the same people on many works (four of every five names of the 100k
    benchmark list are repeats), and a cache of one argument is looked up without building a
    key of keyword arguments."""
    return _encode_person(person, first=True)


@lru_cache(maxsize=1 << 17)
def _other_person(person: Person) -> str:
    """:func:`encode_person` of a name after the first."""
    return _encode_person(person, first=False)


def _encode_person(person: Person, *, first: bool) -> str:
    family = _name_part(person.family)
    if not family.startswith("{"):
        # BibTeX sees the escaped words: "\\textbraceleft{}" starts lower case.
        words = names.split_words(family) if len(family.split()) > 1 else []
        if any(names.is_von(w) for w in words[:-1]):
            family = "{" + family + "}"
    von = _name_part(person.von, leading_and_ok=first, keep_case=True)
    last = " ".join(p for p in (von, family) if p)
    if not person.given and not person.jr:
        if " " not in person.family or person.von:
            return last
        return "{" + encode_latex(person.family, symbols=False) + "}"
    if person.jr:
        return f"{last}, {_name_part(person.jr)}, {_name_part(person.given)}"
    return f"{last}, {_name_part(person.given)}"


def encode_people(people: Sequence[Person]) -> str:
    """An ``author`` value: every name by :func:`encode_person`, joined with ``and``."""
    if not people:
        return ""
    rest = iter(people)
    return " and ".join([_first_person(next(rest)), *map(_other_person, rest)])


def encode_corporate(name: str) -> str:
    """A name BibTeX must not split (a blog, a company, a repository owner)."""
    return "{" + encode_latex(name) + "}"


def encode_howpublished_url(url: str) -> str:
    r"""``\url{...}`` for ``howpublished``; ``%`` and ``#`` escaped so the field also works
    where biblatex reads it as a macro argument."""
    return r"\url{" + encode_url(url).replace("%", r"\%").replace("#", r"\#") + "}"


_URL_FIELDS = frozenset({"url", "doi", "biburl"})
_NAME_FIELDS = frozenset({"author", "editor", "translator", "bookauthor"})


def encode_value(name: str, value: str) -> str:
    """A plain-text value (``Record.extra``) as BibTeX: addresses made safe as URLs, other
    verbatim fields (``pages``, ``file``, ``eprint``) as they are, the rest through
    :func:`encode_latex` (names without math symbols: see there)."""
    if name in _URL_FIELDS:
        return encode_url(value)
    if name in VERBATIM_FIELDS:
        return value if balanced_braces(value) else encode_url(value)
    return encode_latex(value, symbols=name not in _NAME_FIELDS)


def join_lines(raw: str) -> str:
    """A value written over several lines as BibTeX reads it: each line break (or tab) with
    the white space around it becomes one space; other spaces stay as they are."""
    parts = [part.strip(" \t") for part in raw.splitlines()]
    text = " ".join(part for part in parts if part)
    if "\t" in text:
        text = _TABS.sub(" ", text)
    return text


_TABS = re.compile(r" *\t[ \t]*")


def decode_value(name: str, raw: str) -> str:
    """A BibTeX value as plain text: verbatim fields as written, the rest decoded; line
    breaks with their indentation become one space, as BibTeX reads them."""
    if name in VERBATIM_FIELDS:
        if "\n" in raw or "\t" in raw or "\r" in raw:
            raw = join_lines(raw)
        return raw.strip()
    return _decoded(raw)


@lru_cache(maxsize=8192)
def _decoded(raw: str) -> str:
    """A value of a field that is not verbatim, decoded. Cached: a bibliography repeats its
    venues, publishers, addresses, months and years thousands of times (``@string`` macros)."""
    if "\n" in raw or "\t" in raw or "\r" in raw:
        raw = join_lines(raw)
    return decode_latex(raw).strip()


_LINK_ARGUMENT = re.compile(r"\\(?:url|href)\s*\{([^{}]*)\}")


def carries_active_link(raw: str) -> bool:
    """Whether a field value is, or holds in ``\\url{}``/``\\href{}``, an address a browser
    or a PDF viewer would run (``javascript:``, ``vbscript:``, ``data:``)."""
    if ":" not in raw:
        return False
    return is_active_url(raw.strip()) or any(is_active_url(u) for u in _LINK_ARGUMENT.findall(raw))


_URL_ESCAPE = re.compile(r"\\([_%#&~$])")


def unescape_url(raw: str) -> str:
    r"""A ``url`` as an address: the LaTeX escapes some tools put in it (DBLP writes
    ``tacl\_a\_00300``) removed, white space trimmed."""
    return _URL_ESCAPE.sub(r"\1", raw.strip()) if "\\" in raw else raw.strip()


@lru_cache(maxsize=65536)
def decode_person(raw: str) -> Person:
    """One BibTeX name (LaTeX) as a :class:`Person` in Unicode. A name braced whole
    (``{World Health Organization}``) is one family name. Cached: a bibliography names the
    same people again and again."""
    raw = raw.strip()
    if raw.startswith("{") and raw.endswith("}") and group_end(raw, 0) == len(raw):
        return Person(family=_clean(decode_latex(raw[1:-1])))
    parts = names.split_name(raw)
    if not _LATEX_IN_NAME.search(raw):
        person = Person(family=parts.last, given=parts.first, von=parts.von, jr=parts.jr)
    else:
        person = Person(
            family=_clean(decode_latex(parts.last)),
            given=_clean(decode_latex(parts.first)),
            von=_clean(decode_latex(parts.von)),
            jr=_clean(decode_latex(parts.jr)),
        )
    if not person.family and (person.given or person.von):
        # ", Jane" has no last name; a name needs one, so the words it has are it.
        words = " ".join(p for p in (person.given, person.von) if p)
        person = Person(family=words, jr=person.jr)
    return listable(person)


_LATEX_IN_NAME = re.compile(r"[\\{}~]|--|``|''")


def _clean(text: str) -> str:
    return " ".join(text.split())


_COMMAS = re.compile(",")


def name_problem(raw: str) -> str:
    """Why BibTeX cannot read a name (more than two commas), else ``""``."""
    if raw.count(",") > 2 and len(names.split_words(raw, _COMMAS)) > 3:
        return f"name {raw.strip()!r} has too many commas (BibTeX reads 'von Last, Jr, First')"
    return ""
