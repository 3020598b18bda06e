"""The ACL Anthology: each paper's own BibTeX at ``{endpoint}/{id}.bib``.

The anthology is the publisher of record for ACL venues: its entry carries the proceedings'
full title, pages, DOI, publisher, address and month, authors in ``Last, First`` form with
LaTeX accents. Old ``aclweb.org/anthology/...`` addresses map to the same ids
(:mod:`atbib.identifiers`). An unknown id is a 404.
"""

from __future__ import annotations

from collections.abc import Sequence

from atbib.bibtex.encode import decode_person, decode_value
from atbib.bibtex.parse import parse_bibtex
from atbib.fill.facts import Candidate, Status
from atbib.fill.sources.base import (
    Reply,
    Request,
    Source,
    SourceSettings,
    clean_pages,
    list_venue,
    month_macro,
)
from atbib.identifiers import Identifier, normalise_acl, normalise_doi
from atbib.names import split_authors


class AclAnthologySource(Source):
    name = "acl"
    label = "ACL Anthology"
    default_endpoint = "https://aclanthology.org"
    schemes = frozenset({"acl"})
    default_delay = 0.5

    def request(self, ids: Sequence[Identifier], settings: SourceSettings) -> Request:
        (acl,) = ids
        return Request(self.name, "GET", f"{settings.endpoint}/{acl.value}.bib", (str(acl),))

    def parse(self, request: Request, reply: Reply) -> dict[str, Candidate | None]:
        (asked,) = request.asked
        if reply.status == 404:
            return {asked: None}
        parsed = parse_bibtex(reply.body.decode("utf-8", "replace"))
        if not parsed.entries:
            return {asked: None}
        entry = parsed.entries[0]
        raw = {f.name.lower(): f.value for f in entry.fields}

        def get(name: str) -> str:
            return decode_value(name, raw[name]) if name in raw else ""

        acl_id = asked.partition(":")[2]
        year = int(get("year")) if get("year").isdigit() else None
        entry_type = entry.entry_type.lower()
        container = get("journal") if entry_type == "article" else get("booktitle")
        doi = normalise_doi(get("doi")) or ""
        ids = [Identifier("acl", normalise_acl(acl_id) or acl_id)]
        if doi:
            ids.append(Identifier("doi", doi))
        return {
            asked: Candidate(
                source=self.name,
                identifier=acl_id,
                title=get("title"),
                authors=tuple(decode_person(n) for n in split_authors(raw.get("author", ""))),
                year=year,
                status=Status.PUBLISHED,
                entry_type=entry_type,
                venue=list_venue([container], year),
                container=container,
                volume=get("volume"),
                number=get("number"),
                pages=clean_pages(get("pages")),
                publisher=get("publisher"),
                address=get("address"),
                month=month_macro(raw.get("month", "")),
                doi=doi,
                ids=tuple(ids),
            )
        }
