"""A local .bib file as a source (``atbib fill --from refs.bib``): offline, no requests.

Each entry becomes a candidate read the way ``atbib import`` reads it (the list's view of the
entry: names, the venue through the venue table, the other fields as plain text), so a
bibliography a publisher or a colleague provides completes the list's works exactly like an
online source, through the same matching rules. Provenance names the file and the entry's key.
"""

from __future__ import annotations

from atbib.bibtex.read import LoadedBib
from atbib.fill.facts import PUBLICATION_FIELDS, Candidate, Status
from atbib.fill.sources.base import clean_pages, month_macro
from atbib.identifiers import normalise_doi
from atbib.model import Record
from atbib.venues import VenueType

NAME = "file"


def candidates_from_bib(loaded: LoadedBib) -> list[Candidate]:
    """One candidate per entry of a .bib file read by :func:`atbib.bibtex.read.load_bibtex`."""
    return [
        _candidate(record, entry.entry_type.lower(), f"{loaded.path}#{entry.key}")
        for record, entry in zip(loaded.records, loaded.entries, strict=True)
    ]


def _candidate(record: Record, entry_type: str, identifier: str) -> Candidate:
    extra = {name: value for name, value in record.extra}
    parsed = record.venue.parsed if record.venue is not None else None
    preprint = parsed is not None and parsed.type is VenueType.PREPRINT
    published = parsed is not None and bool(parsed.name) and not preprint
    fields = {name: extra.get(name, "") for name in PUBLICATION_FIELDS}
    fields["pages"] = clean_pages(fields["pages"])
    fields["month"] = month_macro(fields["month"])
    fields["doi"] = normalise_doi(fields["doi"]) or ""
    container = extra.get("booktitle") or extra.get("journal") or ""
    return Candidate(
        source=NAME,
        identifier=identifier,
        title=record.title,
        authors=record.authors,
        year=record.year,
        status=Status.PUBLISHED if published else Status.PREPRINT if preprint else None,
        entry_type=entry_type if published else "misc" if preprint else "",
        venue=record.venue.name if published and record.venue is not None else "",
        container=container if published else "",
        ids=record.identifiers,
        **fields,
    )
