"""Crossref's REST API, single works: ``GET /works/{doi}``.

Facts (CoLRev recorded works, a recorded ACM proceedings article): the ``status`` /
``message-type`` / ``message`` envelope; ``title`` and ``container-title`` are lists; authors
``given``/``family``/``sequence``; ``issued.date-parts``; ``page`` with one hyphen; DOIs come
back lower-cased; ``relation`` has ``has-preprint`` / ``is-preprint-of`` when the publisher
links them; slashes in strings are escaped ``\\/``; an unknown DOI is a plain-text 404
``Resource not found.``. arXiv's DOIs are DataCite's, so Crossref does not know them.
"""

from __future__ import annotations

import json
from typing import Any

from .paper import ARXIV_DOI_PREFIX, Kind, Paper
from .service import Reply, Request, Service, text_reply

CROSSREF_TYPES = {
    Kind.CONFERENCE: "proceedings-article",
    Kind.JOURNAL: "journal-article",
    Kind.BOOK: "book",
    Kind.PREPRINT: "posted-content",
}
INDEXED = {
    "date-parts": [[2026, 1, 5]],
    "date-time": "2026-01-05T10:00:00Z",
    "timestamp": 1767607200000,
}


def _rate_headers(request: Request | None) -> dict[str, str]:
    """The pool's limits, announced on every answer; ``mailto`` selects the polite pool."""
    polite = request is not None and request.param("mailto")
    return {"x-rate-limit-limit": "10" if polite else "5", "x-rate-limit-interval": "1s"}


def _crossref_json(obj: Any, status: int, headers: dict[str, str]) -> Reply:
    body = json.dumps(obj, ensure_ascii=False).replace("/", "\\/")
    return Reply(status, body.encode("utf-8"), "application/json", headers)


class Crossref(Service):
    name = "crossref"
    mount = "/crossref"

    def answer(self, request: Request) -> Reply:
        doi = request.path.removeprefix("/works/")
        if doi == request.path or not doi:
            return self._not_found(request)
        paper = None if doi.lower().startswith(ARXIV_DOI_PREFIX) else self.store.by_doi(doi)
        if paper is None or paper.doi is None:
            return self._not_found(request)
        envelope = {
            "status": "ok",
            "message-type": "work",
            "message-version": "1.0.0",
            "message": self._work(paper, paper.doi.lower()),
        }
        return _crossref_json(envelope, 200, _rate_headers(request))

    def _work(self, paper: Paper, doi: str) -> dict[str, Any]:
        date_parts = [p for p in (paper.year, paper.month) if p is not None]
        work: dict[str, Any] = {
            "indexed": INDEXED,
            "reference-count": 0,
            "publisher": paper.publisher or "",
            "DOI": doi,
            "type": CROSSREF_TYPES[paper.kind],
            "source": "Crossref",
            "is-referenced-by-count": 0,
            "title": [paper.title],
            "prefix": doi.split("/", 1)[0],
            "author": [
                {
                    "given": given,
                    "family": family,
                    "sequence": "first" if i == 0 else "additional",
                    "affiliation": [],
                }
                if given
                else {
                    "name": family,
                    "sequence": "first" if i == 0 else "additional",
                    "affiliation": [],
                }
                for i, (given, family) in enumerate(paper.authors)
            ],
            "member": str(int(paper.digest("member")[:4], 16)),
            "container-title": [paper.container] if paper.container else [],
            "original-title": [],
            "score": 1,
            "subtitle": [],
            "short-title": [],
            "issued": {"date-parts": [date_parts or [None]]},
            "published": {"date-parts": [date_parts or [None]]},
            "references-count": 0,
            "URL": f"http://dx.doi.org/{doi}",
            "relation": self._relation(paper),
        }
        if paper.kind is Kind.PREPRINT:
            work["subtype"] = "preprint"
        if paper.pages:
            work["page"] = paper.pages.replace("--", "-")
        if paper.volume:
            work["volume"] = paper.volume
        if paper.number:
            work["issue"] = paper.number
        if paper.abstract:
            work["abstract"] = f"<jats:p>{paper.abstract}</jats:p>"
        if paper.address:
            work["publisher-location"] = paper.address
        if paper.kind is Kind.CONFERENCE and paper.container:
            work["event"] = {
                "name": paper.container,
                **({"location": paper.address} if paper.address else {}),
            }
        return work

    def _relation(self, paper: Paper) -> dict[str, list[dict[str, str]]]:
        relation = {}
        if paper.preprint_doi:
            relation["has-preprint"] = [
                {"id-type": "doi", "id": paper.preprint_doi.lower(), "asserted-by": "subject"}
            ]
        assert paper.doi is not None
        published = [p for p in self.store.preprint_of(paper.doi) if p.doi]
        if published:
            relation["is-preprint-of"] = [
                {"id-type": "doi", "id": str(p.doi).lower(), "asserted-by": "object"}
                for p in published
            ]
        return relation

    def _not_found(self, request: Request) -> Reply:
        return text_reply("Resource not found.", 404, headers=_rate_headers(request))

    def too_many_requests(self) -> Reply:
        return text_reply("Too Many Requests", 429, headers=_rate_headers(None))

    def unavailable(self) -> Reply:
        return text_reply("Service Unavailable", 503)
