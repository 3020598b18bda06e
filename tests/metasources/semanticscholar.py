"""Semantic Scholar's Graph API batch lookup: ``POST /paper/batch?fields=...``.

Facts (danielnsilva/semanticscholar recorded cassettes, Paper.json): the answer is a JSON array
in the order of ``ids``, ``null`` where an id resolves to nothing; ``paperId`` is always
there, other fields only when asked; a bare DOI works without ``DOI:``; an unknown field is a
400 ``{"error": "Unrecognized or unsupported fields: [...]"}``; the 429 is a JSON message with
no ``Retry-After``. Over-size batches are refused with a 400 (the limit is a setting: the
documented 500 is not what the service reliably takes).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from .paper import Kind, Paper, full_name
from .service import Reply, Request, Service, json_reply

DEFAULT_BATCH_LIMIT = 500
DEFAULT_FIELDS = ("title",)
TOO_MANY = (
    "Too Many Requests. Please wait and try again or apply for a key for higher rate limits. "
    "https://www.semanticscholar.org/product/api#api-key-form"
)
PAPER_ID = re.compile(r"[0-9a-fA-F]{40}")

VENUES: dict[str, tuple[str, str]] = {
    "ACL": ("Annual Meeting of the Association for Computational Linguistics", "conference"),
    "NAACL": (
        "North American Chapter of the Association for Computational Linguistics",
        "conference",
    ),
    "EMNLP": ("Conference on Empirical Methods in Natural Language Processing", "conference"),
    "EACL": (
        "Conference of the European Chapter of the Association for Computational Linguistics",
        "conference",
    ),
    "COLING": ("International Conference on Computational Linguistics", "conference"),
    "NeurIPS": ("Neural Information Processing Systems", "conference"),
    "ICLR": ("International Conference on Learning Representations", "conference"),
    "ICML": ("International Conference on Machine Learning", "conference"),
    "AAAI": ("AAAI Conference on Artificial Intelligence", "conference"),
    "IJCAI": ("International Joint Conference on Artificial Intelligence", "conference"),
    "TACL": ("Transactions of the Association for Computational Linguistics", "journal"),
    "JMLR": ("Journal of machine learning research", "journal"),
}
"""Semantic Scholar's names for the venues tests use most; others keep their short name."""


def _publication_venue(paper: Paper) -> dict[str, Any] | None:
    if not paper.published or not paper.venue:
        return None
    name, kind = VENUES.get(paper.venue, (paper.venue, paper.kind.value))
    return {
        "id": f"{paper.digest('venue:' + paper.venue)[:8]}-0000-4000-8000-000000000000",
        "name": name,
        "type": kind,
        "alternate_names": [paper.venue],
    }


def _venue(paper: Paper) -> str:
    if not paper.published or not paper.venue:
        return "arXiv.org" if paper.arxiv else ""
    return VENUES.get(paper.venue, (paper.venue, ""))[0]


def _external_ids(paper: Paper) -> dict[str, Any]:
    ids: dict[str, Any] = {}
    if paper.arxiv:
        ids["ArXiv"] = paper.arxiv
    if paper.dblp_record_key:
        ids["DBLP"] = paper.dblp_record_key
    elif paper.dblp_corr_key:
        ids["DBLP"] = paper.dblp_corr_key
    if paper.acl:
        ids["ACL"] = paper.acl
    doi = paper.doi or paper.arxiv_datacite_doi
    if doi:
        ids["DOI"] = doi
    ids["CorpusId"] = paper.corpus_id
    return ids


def _journal(paper: Paper) -> dict[str, Any] | None:
    if not paper.published:
        return {"volume": f"abs/{paper.arxiv}", "name": "ArXiv"} if paper.arxiv else None
    journal: dict[str, Any] = {}
    if paper.kind is Kind.JOURNAL and paper.venue:
        journal["name"] = _venue(paper)
    if paper.pages:
        journal["pages"] = paper.pages.replace("--", "-")
    if paper.volume and paper.kind is Kind.JOURNAL:
        journal["volume"] = paper.volume
    return journal or None


def _publication_types(paper: Paper) -> list[str] | None:
    return {
        Kind.CONFERENCE: ["Conference"],
        Kind.JOURNAL: ["JournalArticle"],
        Kind.BOOK: ["Book"],
        Kind.PREPRINT: None,
    }[paper.kind]


def _publication_date(paper: Paper) -> str | None:
    if paper.published:
        if paper.year is None or paper.month is None:
            return None
        return f"{paper.year}-{paper.month:02d}-01"
    first = paper.arxiv_first_submitted
    return None if first is None else first.date().isoformat()


def _year(paper: Paper) -> int | None:
    return paper.year if paper.year is not None else paper.arxiv_year


def _authors(paper: Paper) -> list[dict[str, str]]:
    return [
        {"authorId": str(int(paper.digest(f"author:{name}")[:7], 16)), "name": full_name(name)}
        for name in paper.authors
    ]


FIELDS: dict[str, Callable[[Paper], Any]] = {
    "paperId": lambda p: p.s2_paper_id,
    "corpusId": lambda p: p.corpus_id,
    "externalIds": _external_ids,
    "url": lambda p: f"https://www.semanticscholar.org/paper/{p.s2_paper_id}",
    "title": lambda p: p.title,
    "abstract": lambda p: p.abstract,
    "venue": _venue,
    "publicationVenue": _publication_venue,
    "year": _year,
    "publicationTypes": _publication_types,
    "publicationDate": _publication_date,
    "journal": _journal,
    "authors": _authors,
    "referenceCount": lambda p: 0,
    "citationCount": lambda p: 0,
    "isOpenAccess": lambda p: p.arxiv is not None,
}
"""The fields the fake can answer; asking for another is a 400, as for a misspelt field,
rather than an answer the real service would not give."""


class SemanticScholar(Service):
    name = "semanticscholar"
    mount = "/semanticscholar/graph/v1"

    def __init__(self, *args: Any, batch_limit: int = DEFAULT_BATCH_LIMIT, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.batch_limit = batch_limit

    def answer(self, request: Request) -> Reply:
        if request.path != "/paper/batch":
            return json_reply({"error": "Not found"}, 404)
        if request.method != "POST":
            return json_reply({"error": "Method Not Allowed"}, 405)
        fields = [f for f in (request.param("fields") or "").split(",") if f] or DEFAULT_FIELDS
        unknown = [f for f in fields if f.split(".")[0] not in FIELDS]
        if unknown:
            return json_reply(
                {"error": f"Unrecognized or unsupported fields: [{', '.join(unknown)}]"}, 400
            )
        try:
            ids = json.loads(request.body or b"null")["ids"]
        except (ValueError, TypeError, KeyError):
            return json_reply({"error": 'Body must be a JSON object with an "ids" list'}, 400)
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            return json_reply({"error": '"ids" must be a list of strings'}, 400)
        if len(ids) > self.batch_limit:
            return json_reply({"error": f"Cannot process more than {self.batch_limit} ids"}, 400)
        wanted = ["paperId", *dict.fromkeys(f.split(".")[0] for f in fields if f != "paperId")]
        return json_reply(
            [
                None if p is None else {f: FIELDS[f](p) for f in wanted}
                for p in map(self._resolve, ids)
            ]
        )

    def _resolve(self, paper_id: str) -> Paper | None:
        prefix, sep, value = paper_id.partition(":")
        if not sep:
            if PAPER_ID.fullmatch(paper_id):
                return self.store.by_s2(paper_id)
            return self.store.by_doi(paper_id) if paper_id.startswith("10.") else None
        kind = prefix.lower()
        if kind == "arxiv":
            return self.store.by_arxiv(value)
        if kind == "doi":
            if value.lower().startswith("10.48550/arxiv."):
                return self.store.by_arxiv(value[len("10.48550/arxiv.") :])
            return self.store.by_doi(value)
        if kind == "acl":
            return self.store.by_acl(value)
        if kind == "corpusid" and value.isdigit():
            return self.store.by_corpus_id(int(value))
        return None

    def too_many_requests(self) -> Reply:
        return json_reply({"message": TOO_MANY, "code": "429"}, 429)

    def unavailable(self) -> Reply:
        return json_reply({"message": "Service Unavailable"}, 503)
