"""Record <-> BibTeX entry: the one table both directions read.

========================  ==================  ============================================
Work                      Entry type          Where the venue goes
========================  ==================  ============================================
conference paper          ``@inproceedings``  ``booktitle`` (full name from the venue table)
workshop paper            ``@inproceedings``  ``booktitle`` (workshop, "at" its conference)
journal paper             ``@article``        ``journal``
arXiv-only paper (CoRR)   ``@misc``           ``eprint`` + ``archivePrefix = {arXiv}``
paper without authors     ``@misc``           ``howpublished`` (styles demand an author for
                                              the other types; lint reports the gap)
slides                    ``@misc``           ``howpublished``, ``note = {Slides}``
book                      ``@book`` with a publisher, else ``@misc`` + ``note = {Book}``
blog post                 ``@misc``           author = the source, ``howpublished = \\url``,
                                              ``note = {Blog post}``
repository                ``@misc``           author = the owner, ``howpublished = \\url``,
                                              ``note = {Software repository}``,
                                              ``abstract`` = the description
other                     ``@misc``           ``howpublished = \\url``
========================  ==================  ============================================

arXiv preprints follow the convention Better BibTeX and most NLP templates use: ``@misc`` with
``eprint``, ``archivePrefix`` and ``url``. Every paper with an arXiv identifier carries
``eprint``/``archivePrefix`` so biblatex can link it. Fields atbib adds for the round trip to
the list, ignored by BibTeX styles: ``shorttitle`` (the nickname), ``subsection`` (where the
work is listed: ``Section / Subsection``, ``;`` between several), ``links`` (every labelled
link, ``[label](url)``) and ``ids`` (earlier keys of the work, for biblatex).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from atbib.bibtex.latex import encode_latex, encode_url, needs_escape
from atbib.model import Kind, Person, Record, SectionPath
from atbib.venues import ParsedVenue, VenueType, parse_venue

KIND_NOTES: dict[Kind, str] = {
    Kind.BLOG_POST: "Blog post",
    Kind.REPOSITORY: "Software repository",
    Kind.SLIDES: "Slides",
    Kind.BOOK: "Book",
}
"""``note`` values that mark a ``@misc`` entry's kind (read back by the .bib reader)."""

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

_WORD_EDGES = re.compile(r"^([^\w]*)(.*?)([^\w]*)$", re.DOTALL)
_SPACES = re.compile(r"(\s+)")


@dataclass(frozen=True, slots=True)
class BibEntryOut:
    entry_type: str
    key: str
    fields: tuple[tuple[str, str], ...]
    """Field names and values already encoded for BibTeX."""


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


def _protect(piece: str) -> str:
    """One white-space-free piece of a title: braces around its core (the piece without
    punctuation at its edges) when the core needs protection, TeX specials escaped."""
    match = _WORD_EDGES.match(piece)
    assert match is not None
    lead, core, tail = match.groups()
    if core and _needs_protection(core):
        return f"{encode_latex(lead)}{{{encode_latex(core)}}}{encode_latex(tail)}"
    return encode_latex(piece)


def encode_title(title: str) -> str:
    """Escape a title and brace the words a sentence-case style must not lower-case
    (``{BERT}``, ``{XLNet}``, ``{GPT-2}``, ``{Chinese}``); other words stay free."""
    if not title.isprintable() or needs_escape(title):
        return "".join(
            piece if not piece or piece.isspace() else _protect(piece)
            for piece in _SPACES.split(title)
        )
    # The usual title: nothing to escape, and single spaces are its only white space
    # (isprintable() is False for every other white-space character), so splitting at
    # " " finds the same pieces. A piece with a letter or digit at both ends is its own core.
    out = []
    for piece in title.split(" "):
        if piece:
            first, last = piece[0], piece[-1]
            if (first.isalnum() or first == "_") and (last.isalnum() or last == "_"):
                if _needs_protection(piece):
                    piece = "{" + piece + "}"
            else:
                piece = _protect(piece)
        out.append(piece)
    return " ".join(out)


def encode_person(person: Person) -> str:
    """``von Last, Jr, First`` with every part escaped: the comma form is the one BibTeX
    parses back into the same parts whatever the words look like."""
    family, given, von, jr = person.family, person.given, person.von, person.jr
    if needs_escape(f"{family}\0{given}\0{von}\0{jr}"):  # one scan for the usual no
        family_tex, given_tex, von_tex, jr_tex = map(encode_latex, (family, given, von, jr))
    else:
        family_tex, given_tex, von_tex, jr_tex = family, given, von, jr
    if "," in family or " and " in f" {family.lower()} ":
        family_tex = "{" + family_tex + "}"
    last = f"{von_tex} {family_tex}" if von_tex and family_tex else von_tex or family_tex
    if not given and not jr and " " not in family:
        return last
    if jr:
        return f"{last}, {jr_tex}, {given_tex}"
    return f"{last}, {given_tex}"


def encode_corporate(name: str) -> str:
    """A name BibTeX must not split (a blog, a company, a repository owner)."""
    return "{" + encode_latex(name) + "}"


def encode_howpublished_url(url: str) -> str:
    r"""``\url{...}`` for ``howpublished``; ``%`` and ``#`` escaped so the field also works
    where biblatex reads it as a macro argument."""
    return r"\url{" + encode_url(url).replace("%", r"\%").replace("#", r"\#") + "}"


@lru_cache(maxsize=4096)
def _venue_parts(text: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    """The full name and ``note`` fields of the venue written ``text``, escaped: a list
    repeats a few hundred venues thousands of times."""
    parsed = parse_venue(text)
    notes = [q for q in parsed.qualifiers if q.lower() not in ("findings", "workshop", "workshops")]
    return encode_latex(parsed.full_name), tuple(("note", encode_latex(n)) for n in notes[:1])


def _venue_fields(record: Record, parsed: ParsedVenue | None) -> tuple[str, list[tuple[str, str]]]:
    """Entry type and venue fields for a paper."""
    fields: list[tuple[str, str]] = []
    venue_type = parsed.type if parsed is not None else None
    has_year = record.year is not None
    if parsed is not None and parsed.name and venue_type is not VenueType.PREPRINT:
        full, notes = _venue_parts(parsed.text)
        if record.authors and has_year and venue_type is VenueType.JOURNAL:
            entry_type, fields = "article", [("journal", full)]
        elif (
            record.authors
            and has_year
            and venue_type
            in (
                VenueType.CONFERENCE,
                VenueType.WORKSHOP,
                None,
            )
        ):
            entry_type, fields = "inproceedings", [("booktitle", full)]
        else:
            entry_type, fields = "misc", [("howpublished", full)]
        fields += notes
        return entry_type, fields
    return "misc", fields


@lru_cache(maxsize=1024)
def _encode_sections(sections: tuple[SectionPath, ...]) -> str:
    """The ``subsection`` field: a list has a few dozen section paths, repeated on every work."""
    return encode_latex("; ".join(" / ".join(path) for path in sections))


def bibtex_entry(
    record: Record,
    key: str,
    *,
    sections: Sequence[SectionPath] = (),
    aliases: Sequence[str] = (),
) -> BibEntryOut:
    """The BibTeX entry for one work (see the table in this module's docstring)."""
    fields: list[tuple[str, str]] = []
    url = record.primary_url
    parsed = record.venue.parsed if record.venue is not None else None
    if record.kind in (Kind.BLOG_POST, Kind.REPOSITORY, Kind.OTHER):
        entry_type = "misc"
        if record.source:
            fields.append(("author", encode_corporate(record.source)))
        elif record.authors:
            fields.append(("author", " and ".join(encode_person(p) for p in record.authors)))
        fields.append(("title", encode_title(record.title)))
        if url:
            fields.append(("howpublished", encode_howpublished_url(url)))
    else:
        if record.authors:
            fields.append(("author", " and ".join(encode_person(p) for p in record.authors)))
        fields.append(("title", encode_title(record.title)))
        if record.kind is Kind.PAPER:
            entry_type, venue_fields = _venue_fields(record, parsed)
        else:
            entry_type = "misc"
            venue_fields = (
                [("howpublished", encode_latex(parsed.full_name))] if parsed and parsed.name else []
            )
        fields += venue_fields
    if record.year is not None:
        fields.append(("year", str(record.year)))
    note = KIND_NOTES.get(record.kind)
    if note and not any(name == "note" for name, _ in fields):
        fields.append(("note", note))
    for ident in record.identifiers:
        if ident.scheme == "arxiv" and not any(n == "eprint" for n, _ in fields):
            fields += [("eprint", ident.value), ("archivePrefix", "arXiv")]
        elif ident.scheme == "doi" and not any(n == "doi" for n, _ in fields):
            fields.append(("doi", encode_url(ident.value)))
    if url:
        fields.append(("url", encode_url(url)))
    if record.description:
        fields.append(("abstract", encode_latex(record.description)))
    if aliases:
        fields.append(("ids", ", ".join(aliases)))
    if record.nickname:
        fields.append(("shorttitle", encode_latex(record.nickname)))
    if sections:
        fields.append(("subsection", _encode_sections(tuple(sections))))
    if record.links:
        links = " ".join(f"[{link.label}]({link.url})" for link in record.links)
        fields.append(("links", encode_latex(links)))
    known = {name for name, _ in fields}
    if "author" not in known:
        # Styles sort by author; without one, BibTeX's ``key`` field is what they sort on.
        fields.insert(0, ("key", encode_latex(record.title)))
        known.add("key")
    for name, value in record.extra:
        if name not in known and name not in ("eprint", "archiveprefix"):
            fields.append(
                (name, encode_url(value) if name in ("doi", "url") else encode_latex(value))
            )
    return BibEntryOut(entry_type, key, tuple(fields))
