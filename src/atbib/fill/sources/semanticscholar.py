"""Semantic Scholar's Graph API: one POST for a batch of papers by any identifier.

``POST {endpoint}/paper/batch?fields=...`` with ``{"ids": ["ARXIV:1810.04805", "DOI:…",
"ACL:N19-1423"]}`` answers a JSON array in the order asked, ``null`` for an id it does not know.
``externalIds`` ties a preprint to its published version (its ``DOI`` and ``ACL`` ids), which is
how a work the list links on arXiv finds its proceedings. The documented limit is 500 ids per
request, but larger batches are refused in practice with a 400: the batch size is a setting,
and the executor halves it when a batch is refused (:class:`BatchTooLarge`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from atbib.fill.facts import Candidate, Status
from atbib.fill.sources.base import (
    BatchTooLarge,
    Reply,
    Request,
    Source,
    SourceSettings,
    clean_pages,
    list_venue,
)
from atbib.identifiers import Identifier, normalise_acl, normalise_arxiv, normalise_doi
from atbib.model import Person

FIELDS = (
    "title,authors,year,venue,publicationVenue,externalIds,publicationTypes,journal,publicationDate"
)
_PREFIX = {"arxiv": "ARXIV", "doi": "DOI", "acl": "ACL"}
_ARXIV_DOI = "10.48550/arxiv."
_PUBLISHED_TYPES = frozenset({"JournalArticle", "Conference", "Book", "BookSection"})


class SemanticScholarSource(Source):
    name = "semanticscholar"
    label = "Semantic Scholar"
    default_endpoint = "https://api.semanticscholar.org/graph/v1"
    schemes = frozenset(_PREFIX)
    default_batch_size = 500
    default_delay = 1.0

    def request(self, ids: Sequence[Identifier], settings: SourceSettings) -> Request:
        body = json.dumps({"ids": [f"{_PREFIX[i.scheme]}:{i.value}" for i in ids]})
        headers = [("Content-Type", "application/json")]
        if settings.key:
            headers.append(("x-api-key", settings.key))
        return Request(
            self.name,
            "POST",
            f"{settings.endpoint}/paper/batch?fields={FIELDS}",
            tuple(str(i) for i in ids),
            body.encode("utf-8"),
            tuple(headers),
        )

    def parse(self, request: Request, reply: Reply) -> dict[str, Candidate | None]:
        if reply.status in (400, 413) and len(request.asked) > 1:
            raise BatchTooLarge(reply.body[:200].decode("utf-8", "replace"))
        papers = json.loads(reply.body)
        if not isinstance(papers, list) or len(papers) != len(request.asked):
            raise ValueError(
                f"expected a list of {len(request.asked)} papers, got "
                f"{type(papers).__name__} of {len(papers) if isinstance(papers, list) else '?'}"
            )
        return {
            asked: _candidate(paper) if isinstance(paper, dict) else None
            for asked, paper in zip(request.asked, papers, strict=True)
        }


def _entry_type(venue_kind: str, types: set[str]) -> str:
    """``article`` for a journal, else ``inproceedings``: Semantic Scholar's venue type when it
    gives one, else its publication types."""
    if venue_kind in ("journal", "conference"):
        return "article" if venue_kind == "journal" else "inproceedings"
    return "article" if "JournalArticle" in types and "Conference" not in types else "inproceedings"


def _candidate(paper: dict[str, Any]) -> Candidate | None:
    paper_id = paper.get("paperId")
    if not isinstance(paper_id, str) or not paper_id:
        return None
    external = paper.get("externalIds") or {}
    ids: list[Identifier] = []
    arxiv = normalise_arxiv(str(external.get("ArXiv") or ""))
    if arxiv:
        ids.append(Identifier("arxiv", arxiv))
    doi = normalise_doi(str(external.get("DOI") or ""))
    if doi and doi.startswith(_ARXIV_DOI):
        doi = None  # arXiv's own DOI names the preprint, not a published version
    if doi:
        ids.append(Identifier("doi", doi))
    acl = normalise_acl(str(external.get("ACL") or ""))
    if acl:
        ids.append(Identifier("acl", acl))
    year = paper.get("year") if isinstance(paper.get("year"), int) else None
    journal = paper.get("journal") or {}
    venue_info = paper.get("publicationVenue") or {}
    names = [
        str(venue_info.get("name") or ""),
        *(str(n) for n in venue_info.get("alternate_names") or () if n),
        str(paper.get("venue") or ""),
        str(journal.get("name") or ""),
    ]
    venue = list_venue(names, year)
    types = set(paper.get("publicationTypes") or ())
    published = bool(venue) and (bool(types & _PUBLISHED_TYPES) or bool(doi) or bool(acl))
    kind = str(venue_info.get("type") or "").lower()
    authors = tuple(
        Person.parse(" ".join(str(a.get("name") or "").split()))
        for a in paper.get("authors") or ()
        if isinstance(a, dict) and str(a.get("name") or "").strip()
    )
    return Candidate(
        source="semanticscholar",
        identifier=paper_id,
        title=" ".join(str(paper.get("title") or "").split()),
        authors=authors,
        year=year,
        status=Status.PUBLISHED if published else None,
        entry_type=_entry_type(kind, types) if published else "",
        venue=venue if published else "",
        container=names[0] if published else "",
        volume=str(journal.get("volume") or "") if published else "",
        pages=clean_pages(str(journal.get("pages") or "")) if published else "",
        doi=doi or "",
        ids=tuple(ids),
    )
