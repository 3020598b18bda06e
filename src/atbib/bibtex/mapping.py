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

from atbib.bibtex.latex import encode_latex, encode_url
from atbib.model import Kind, Person, Record, SectionPath
from atbib.venues import ParsedVenue, VenueType

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

_FIELD_NAME = re.compile(r"[a-z][a-z0-9_:.+-]*")
"""Field names atbib writes from ``Record.extra`` (lower case, as every reader gives them)."""
_NON_WORD = re.compile(r"\W*")
_SPACES = re.compile(r"(\s+)")


@dataclass(frozen=True, slots=True)
class BibEntryOut:
    entry_type: str
    key: str
    fields: tuple[tuple[str, str], ...]
    """Field names and values already encoded for BibTeX."""


def _needs_protection(word: str) -> bool:
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


def encode_title(title: str) -> str:
    """Escape a title and brace the words a sentence-case style must not lower-case
    (``{BERT}``, ``{XLNet}``, ``{GPT-2}``, ``{Chinese}``); other words stay free."""
    out = []
    for piece in _SPACES.split(title):
        if not piece or piece.isspace():
            out.append(piece)
            continue
        lead, core, tail = _word_edges(piece)
        if core and _needs_protection(core):
            out.append(f"{encode_latex(lead)}{{{encode_latex(core)}}}{encode_latex(tail)}")
        else:
            out.append(encode_latex(piece))
    return "".join(out)


_AND = re.compile(r"(?:^|\s)and(?=\s|$)", re.IGNORECASE)


def _name_part(part: str, *, leading_and_ok: bool = False) -> str:
    """One part of a name, escaped; braced when it holds a comma or a free-standing ``and``
    (any case, any white space), which BibTeX would take for the structure of the name list.
    A leading ``and`` is harmless where nothing but the start of the field comes before it.
    Also braced: a part with ``--``, ``''`` or ````````, which escaping splits with ``{}``
    (``-{}-``) and biber then cuts into broken initials."""
    encoded = encode_latex(part)
    ands = [m.start() for m in _AND.finditer(part)]
    if leading_and_ok and ands and ands[0] == 0:
        ands.pop(0)
    if ands or "," in part or any(pair in part for pair in ("--", "''", "``")):
        return "{" + encoded + "}"
    return encoded


def encode_person(person: Person, *, first: bool = True) -> str:
    """``von Last, Jr, First`` with every part escaped: the comma form is the one BibTeX
    parses back into the same parts whatever the words look like. ``first``: the name starts
    the field (nothing before it could pair with a leading ``and``)."""
    family = _name_part(person.family)
    von = _name_part(person.von, leading_and_ok=first)
    last = " ".join(p for p in (von, family) if p)
    if not person.given and not person.jr and " " not in person.family:
        return last
    if person.jr:
        return f"{last}, {_name_part(person.jr)}, {_name_part(person.given)}"
    return f"{last}, {_name_part(person.given)}"


def encode_people(people: Sequence[Person]) -> str:
    """An ``author`` value: every name by :func:`encode_person`, joined with ``and``."""
    return " and ".join(encode_person(p, first=i == 0) for i, p in enumerate(people))


def encode_corporate(name: str) -> str:
    """A name BibTeX must not split (a blog, a company, a repository owner)."""
    return "{" + encode_latex(name) + "}"


def encode_howpublished_url(url: str) -> str:
    r"""``\url{...}`` for ``howpublished``; ``%`` and ``#`` escaped so the field also works
    where biblatex reads it as a macro argument."""
    return r"\url{" + encode_url(url).replace("%", r"\%").replace("#", r"\#") + "}"


def _venue_fields(record: Record, parsed: ParsedVenue | None) -> tuple[str, list[tuple[str, str]]]:
    """Entry type and venue fields for a paper."""
    fields: list[tuple[str, str]] = []
    venue_type = parsed.type if parsed is not None else None
    has_year = record.year is not None
    if parsed is not None and parsed.name and venue_type is not VenueType.PREPRINT:
        full = encode_latex(parsed.full_name)
        notes = [
            q for q in parsed.qualifiers if q.lower() not in ("findings", "workshop", "workshops")
        ]
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
        fields += [("note", encode_latex(n)) for n in notes[:1]]
        return entry_type, fields
    return "misc", fields


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
            fields.append(("author", encode_people(record.authors)))
        fields.append(("title", encode_title(record.title)))
        if url:
            fields.append(("howpublished", encode_howpublished_url(url)))
    else:
        if record.authors:
            fields.append(("author", encode_people(record.authors)))
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
        fields.append(("subsection", encode_latex("; ".join(" / ".join(p) for p in sections))))
    if record.links:
        links = " ".join(f"[{link.label}]({link.url})" for link in record.links)
        fields.append(("links", encode_latex(links)))
    known = {name for name, _ in fields}
    if "author" not in known:
        # Styles sort by author; without one, BibTeX's ``key`` field is what they sort on.
        fields.insert(0, ("key", encode_latex(record.title)))
        known.add("key")
    for name, value in record.extra:
        if not _FIELD_NAME.fullmatch(name):
            continue  # not writable as a field name: it would end the field list early
        if name not in known and name not in ("eprint", "archiveprefix"):
            fields.append(
                (name, encode_url(value) if name in ("doi", "url") else encode_latex(value))
            )
    return BibEntryOut(entry_type, key, tuple(fields))
