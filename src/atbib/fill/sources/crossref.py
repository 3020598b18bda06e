"""Crossref's REST API: one work per DOI.

``GET {endpoint}/works/{doi}`` answers ``{"status": "ok", "message": {...}}``; 404 for a DOI
Crossref does not hold (DataCite's arXiv DOIs among them). ``type`` tells a published version
(``proceedings-article``, ``journal-article``, ``book-chapter``) from a preprint
(``posted-content``), and ``relation`` links the two (``is-preprint-of`` on the preprint,
``has-preprint`` on the published version). A ``mailto`` puts the requests in the polite pool.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from atbib.fill.facts import Candidate, Status
from atbib.fill.sources.base import (
    Reply,
    Request,
    Source,
    SourceSettings,
    clean_pages,
    list_venue,
    month_name,
)
from atbib.identifiers import Identifier, normalise_doi
from atbib.model import Person

_ENTRY_TYPES = {
    "proceedings-article": "inproceedings",
    "journal-article": "article",
    "book-chapter": "incollection",
    "book": "book",
    "monograph": "book",
    "posted-content": "misc",
    "report": "techreport",
}


class CrossrefSource(Source):
    name = "crossref"
    label = "Crossref"
    default_endpoint = "https://api.crossref.org"
    schemes = frozenset({"doi"})
    default_delay = 0.2

    def request(self, ids: Sequence[Identifier], settings: SourceSettings) -> Request:
        (doi,) = ids
        url = f"{settings.endpoint}/works/{quote(doi.value, safe='/')}"
        if settings.mailto:
            url += f"?mailto={quote(settings.mailto)}"
        return Request(self.name, "GET", url, (str(doi),))

    def parse(self, request: Request, reply: Reply) -> dict[str, Candidate | None]:
        (asked,) = request.asked
        if reply.status == 404:
            return {asked: None}
        envelope = json.loads(reply.body)
        message = envelope.get("message") if isinstance(envelope, dict) else None
        if not isinstance(message, dict):
            return {asked: None}
        return {asked: _candidate(message)}


def _first(value: Any) -> str:
    if isinstance(value, list):
        value = value[0] if value else ""
    return " ".join(str(value or "").split())


def _date(message: dict[str, Any]) -> tuple[int | None, int | None]:
    for name in ("published-print", "published", "issued", "published-online"):
        parts = (message.get(name) or {}).get("date-parts") or [[]]
        first = parts[0] if parts and isinstance(parts[0], list) else []
        if first and isinstance(first[0], int):
            month = first[1] if len(first) > 1 and isinstance(first[1], int) else None
            return first[0], month
    return None, None


def _short_names(message: dict[str, Any]) -> list[str]:
    names = message.get("short-container-title") or []
    return [str(n) for n in names] if isinstance(names, list) else [str(names)]


def _person(author: dict[str, Any]) -> Person | None:
    family = " ".join(str(author.get("family") or "").split())
    given = " ".join(str(author.get("given") or "").split())
    if family:
        return Person(family=family, given=given)
    name = " ".join(str(author.get("name") or "").split())
    return Person(family=name) if name else None


def _related(message: dict[str, Any], relation: str) -> list[Identifier]:
    found = []
    for item in (message.get("relation") or {}).get(relation) or ():
        if isinstance(item, dict) and item.get("id-type") == "doi":
            doi = normalise_doi(str(item.get("id") or ""))
            if doi:
                found.append(Identifier("doi", doi))
    return found


def _candidate(message: dict[str, Any]) -> Candidate | None:
    doi = normalise_doi(str(message.get("DOI") or ""))
    if doi is None:
        return None
    kind = str(message.get("type") or "")
    entry_type = _ENTRY_TYPES.get(kind, "")
    year, month = _date(message)
    container = _first(message.get("container-title"))
    preprint = kind == "posted-content"
    authors = tuple(p for p in map(_person, message.get("author") or ()) if p is not None)
    ids = [Identifier("doi", doi)]
    # A preprint's record points at its published version: the next DOI to ask.
    ids += _related(message, "is-preprint-of") if preprint else []
    return Candidate(
        source="crossref",
        identifier=doi,
        title=_first(message.get("title")),
        authors=authors,
        year=year,
        status=Status.PREPRINT if preprint else Status.PUBLISHED,
        entry_type=entry_type,
        venue="" if preprint else list_venue([container, *_short_names(message)], year),
        container="" if preprint else container,
        volume=str(message.get("volume") or ""),
        number=str(message.get("issue") or ""),
        pages=clean_pages(str(message.get("page") or "")),
        publisher=" ".join(str(message.get("publisher") or "").split()),
        month=month_name(month),
        doi="" if preprint else doi,
        ids=tuple(ids),
    )
