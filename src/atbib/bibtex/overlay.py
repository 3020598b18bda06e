"""The source's own spelling: an entry written for a work keeps the spellings of the .bib entry
it came from wherever they still say what the list says.

A work imported from a .bib file carries that file's fields in ``Record.extra`` or in a kept
entry (``bib/extra.bib``). :func:`bibtex_entry` writes the table's entry for the work
(:mod:`atbib.bibtex.mapping`), then :func:`overlay` puts the source's values in place of the
generated ones that mean the same (:func:`same_meaning`): its ``booktitle`` spelling, its DOI's
case, its name order; and adds the fields the table does not write, unless they describe a
venue the list no longer gives.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from atbib import names
from atbib.bibtex.encode import (
    VERBATIM_FIELDS,
    carries_active_link,
    decode_person,
    decode_value,
    encode_value,
    unescape_url,
)
from atbib.bibtex.latex import encode_latex
from atbib.bibtex.mapping import (
    ATBIB_FIELDS,
    BIBTEX_TYPES,
    FIELD_ALIASES,
    KIND_NOTES,
    PUBLICATION_FIELDS,
    BibEntryOut,
    KeptEntry,
    generate_fields,
    raw_getter,
    read_kind,
    read_venue,
    venue_candidates,
)
from atbib.model import Kind, Person, Record, SectionPath, Venue
from atbib.texsyntax import balanced_braces, math_spans
from atbib.venues import (
    FIELD_YEAR,
    first_year,
    venue_from_bib,
)

_FIELD_NAME = re.compile(r"[a-z][a-z0-9_:.+-]*")
"""Field names atbib writes from ``Record.extra`` (lower case, as every reader gives them)."""


def bibtex_entry(
    record: Record,
    key: str,
    *,
    sections: Sequence[SectionPath] = (),
    aliases: Sequence[str] = (),
    kept: KeptEntry | None = None,
) -> BibEntryOut:
    """The BibTeX entry for one work (see the table in this module's docstring).

    Fields of ``record.extra`` and of a *kept* source entry are written as the source wrote
    them wherever they still say what the record says (:func:`overlay`); ``listvenue`` is added
    when the fields would otherwise read back as another venue than the list's."""
    entry_type, fields = generate_fields(record, sections, aliases)
    source: list[tuple[str, str]] = list(kept.fields) if kept is not None else []
    # A name that is not a valid field name would end the field list early: never written.
    source += [
        (name, encode_value(name, value))
        for name, value in record.extra
        if _FIELD_NAME.fullmatch(name)
    ]
    if source:
        # The readers refuse javascript: links; one kept in a source field is refused here.
        source = [(name, raw) for name, raw in source if not carries_active_link(raw)]
    if source or kept is not None:
        entry_type, fields = overlay(
            record, entry_type, fields, source, kept.entry_type if kept else None
        )
    if record.kind.titled:
        venue = read_venue(entry_type, raw_getter(fields))
        if venue != record.venue:
            fields.append(("listvenue", encode_latex(record.venue.text if record.venue else "")))
    return BibEntryOut(entry_type, key, tuple(fields))


def _norm(name: str, raw: str) -> str:
    return decode_value(name, raw)


def _persons(raw: str) -> tuple[Person, ...]:
    return tuple(decode_person(n) for n in names.split_authors(raw))


def same_meaning(name: str, a: str, b: str, *, as_source: bool = False) -> bool:
    """Whether two raw values of field *name* say the same thing: the same decoded text, the
    same people, the same identifier or year, the same venue. With *as_source*, authors are
    compared as the list shows a blog's or a repository's source: by their written names."""
    if a == b:
        return True
    if name in ("author", "editor"):
        if as_source:
            return ", ".join(map(str, _persons(a))) == ", ".join(map(str, _persons(b)))
        return _persons(a) == _persons(b)
    if name == "year":
        year = first_year(a, FIELD_YEAR)
        return year is not None and year == first_year(b, FIELD_YEAR)
    if name == "doi":
        from atbib.identifiers import normalise_doi

        doi = normalise_doi(unescape_url(a))
        return doi is not None and doi == normalise_doi(unescape_url(b))
    if name == "url":
        return unescape_url(a) == unescape_url(b)
    if name == "eprint":
        from atbib.identifiers import normalise_arxiv

        return normalise_arxiv(a) is not None and normalise_arxiv(a) == normalise_arxiv(b)
    if name == "archiveprefix":
        return a.strip().lower() == b.strip().lower()
    da, db = _norm(name, a), _norm(name, b)
    if da == db:
        return True
    if name in ("booktitle", "journal", "howpublished", "eventtitle", "school", "institution"):
        return venue_from_bib(da).name == venue_from_bib(db).name
    return False


def overlay(
    record: Record,
    entry_type: str,
    fields: list[tuple[str, str]],
    source: Sequence[tuple[str, str]],
    source_type: str | None,
) -> tuple[str, list[tuple[str, str]]]:
    """Apply a source's spellings to the generated fields of *record*.

    A source field the table also writes replaces the generated value when both mean the same
    (:func:`same_meaning`): the source's ``booktitle`` spelling, its DOI's case, its name order.
    A field the table does not write is added, unless it describes the venue and the list now
    names another venue. The source's entry type is used when it reads back as the same kind of
    work with the same venue. atbib's own fields are always the generated ones."""
    out = list(fields)
    venue_kept = _source_venue_matches(record, source_type or entry_type, source, out)
    seen: set[str] = set()
    anchor: str | None = None  # the last source field placed: new ones follow it
    leading: list[tuple[str, str]] = []  # new fields before any placed one
    as_source = not record.kind.titled
    for name, raw in source:
        lname = FIELD_ALIASES.get(name.lower(), name.lower())  # written by its BibTeX name
        if lname in seen or lname in ATBIB_FIELDS:
            continue
        seen.add(lname)
        at = _position(out, lname)
        if at is not None:
            if (
                same_meaning(lname, out[at][1], raw, as_source=as_source)
                and (venue_kept or lname not in PUBLICATION_FIELDS)
                and latex_safe(lname, raw)
            ):
                out[at] = (out[at][0], raw)
            if leading:
                out[at:at] = leading
                at += len(leading)
                leading = []
            anchor = out[at][0].lower()
            continue
        if lname in PUBLICATION_FIELDS and not venue_kept:
            continue
        if not latex_safe(lname, raw):
            raw = encode_value(lname, decode_value(lname, raw))
        if anchor is None:
            leading.append((lname, raw))
            continue
        where = _position(out, anchor)
        out.insert(len(out) if where is None else where + 1, (lname, raw))
        anchor = lname
    out.extend(leading)
    if source_type in BIBTEX_TYPES and source_type != entry_type and venue_kept:
        kind = read_kind(source_type, raw_getter(out))[0]
        if _family(kind) == _family(record.kind):
            # The source's type, with its own venue field: the generated one for the other
            # type would only repeat the venue under a name that type does not read.
            names_given = {FIELD_ALIASES.get(n.lower(), n.lower()) for n, _ in source}
            if any(name in names_given for name in venue_candidates(source_type)):
                mine = set(venue_candidates(entry_type)) - names_given
                out = [(name, value) for name, value in out if name.lower() not in mine]
            entry_type = source_type
            out = _without_kind_note(record, out, source)
    return entry_type, out


def _without_kind_note(
    record: Record, fields: list[tuple[str, str]], source: Sequence[tuple[str, str]]
) -> list[tuple[str, str]]:
    """*fields* without the ``note`` that marks a ``@misc`` entry's kind (``Book``): an entry
    that keeps its source's type (``@book``) says its kind by that type; a note the source
    gave is its own and stays."""
    note = KIND_NOTES.get(record.kind)
    if note is None or any(name.lower() == "note" for name, _ in source):
        return fields
    return [(name, value) for name, value in fields if (name.lower(), value) != ("note", note)]


_LATEX_BARE = re.compile(r"(?<!\\)[_&#%^]")
_LATEX_ESCAPE = re.compile(r"\\(?:url|href|path|nolinkurl)\s*\{[^{}]*\}|\\.", re.DOTALL)


def latex_safe(name: str, raw: str) -> bool:
    """Whether a source's raw value can be written as it is: verbatim fields always; other
    fields only when LaTeX can typeset them (no bare ``_ & # % ^`` outside math, balanced
    braces). A broken value is written re-encoded from its text instead."""
    if name in VERBATIM_FIELDS:
        return True
    if not balanced_braces(raw):
        return False
    text = raw
    for start, end in reversed(math_spans(raw)):
        text = text[:start] + text[end:]
    text = _LATEX_ESCAPE.sub("", text)
    return "$" not in text and not _LATEX_BARE.search(text)


def _position(fields: Sequence[tuple[str, str]], name: str) -> int | None:
    for i, (field_name, _) in enumerate(fields):
        if field_name.lower() == name:
            return i
    return None


_VENUE_EVIDENCE = frozenset({"journaltitle", "eventtitle", "eprint", "eprinttype", "archiveprefix"})


def _source_venue_matches(
    record: Record,
    source_type: str,
    source: Sequence[tuple[str, str]],
    generated: list[tuple[str, str]],
) -> bool:
    """Whether the source still describes the venue the list gives (name and, when both have
    one, year): then its venue spellings and publication fields are the work's."""
    if not record.kind.titled:
        return True
    given = {name.lower() for name, _ in source}
    if not given & (set(venue_candidates(source_type)) | _VENUE_EVIDENCE):
        return True  # the source says nothing about where the work appeared
    merged: dict[str, str] = {name.lower(): value for name, value in generated}
    merged.pop("listvenue", None)
    for name, raw in source:
        if name.lower() not in ATBIB_FIELDS:
            merged[name.lower()] = raw
    venue = read_venue(source_type, raw_getter(list(merged.items())))
    mine = record.venue
    if venue is None or mine is None:
        return (venue is None and mine is None) or (mine is not None and not mine.name)
    if _venue_name(venue) != _venue_name(mine):
        return False
    return venue.year is None or mine.year is None or venue.year == mine.year


def _venue_name(venue: Venue) -> str:
    parsed = venue.parsed
    if parsed.info is not None:
        return parsed.info.full.lower()
    return parsed.name.lower()


def _family(kind: Kind) -> str:
    return "title" if kind.titled else "link"
