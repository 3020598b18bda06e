"""OpenReview's API v2 notes: ``GET /notes?id=...``.

Facts (openreview-py's client and tests; public captures of the 2026 refusals): the answer is
``{"notes": [...], "count": N}``; every content field is wrapped ``{"value": ...}``; authors
are "Given Family" strings; accepted papers carry the venue group as ``venueid``; an id it
does not know is a 404 ``NotFoundError``; anonymous clients are more and more refused with a
403 ``ChallengeRequiredError`` (JSON, with a challenge URL), which says nothing about the work.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

from anyascii import anyascii

from .paper import Paper, full_name
from .service import Reply, Request, Service, json_reply

CHALLENGE_ID = "2026-08-15-5452855"


def _epoch_ms(year: int) -> int:
    return int(datetime.datetime(year, 1, 15, tzinfo=datetime.UTC).timestamp() * 1000)


def _venue(paper: Paper) -> tuple[str, str]:
    """(venue, venueid) as OpenReview writes them for an accepted or a rejected submission."""
    short = paper.venue or "ICLR"
    group = "TMLR" if short == "TMLR" else f"{short}.cc/{paper.year}/Conference"
    if not paper.published:
        return f"Submitted to {short} {paper.year}", f"{group}/Rejected_Submission"
    if short == "TMLR":
        return "Transactions on Machine Learning Research", group
    label = "poster" if (paper.year or 0) >= 2023 else "Conference"
    return f"{short} {paper.year} {label}", group


def _bibtex(paper: Paper, note_id: str) -> str:
    family = (
        re.sub(r"[^A-Za-z]", "", anyascii(paper.authors[0][1])) if paper.authors else "anonymous"
    )
    word = (re.findall(r"[A-Za-z]+", paper.title) or ["paper"])[0]
    authors = " and ".join(full_name(n) for n in paper.authors)
    return (
        f"@inproceedings{{\n{family.lower()}{paper.year}{word.lower()},\n"
        f"title={{{paper.title}}},\nauthor={{{authors}}},\n"
        f"booktitle={{{paper.container or ''}}},\nyear={{{paper.year}}},\n"
        f"url={{https://openreview.net/forum?id={note_id}}}\n}}"
    )


def note(paper: Paper, note_id: str) -> dict[str, Any]:
    venue, venueid = _venue(paper)
    created = _epoch_ms((paper.year or 2020) - 1)
    content: dict[str, Any] = {
        "title": {"value": paper.title},
        "authors": {"value": [full_name(n) for n in paper.authors]},
        "authorids": {"value": ["~" + full_name(n).replace(" ", "_") + "1" for n in paper.authors]},
        "venue": {"value": venue},
        "venueid": {"value": venueid},
        "pdf": {"value": f"/pdf/{paper.digest('pdf')}.pdf"},
        "_bibtex": {"value": _bibtex(paper, note_id)},
    }
    if paper.abstract:
        content["abstract"] = {"value": paper.abstract}
    number = int(paper.digest("number")[:4], 16) % 9000 + 1
    domain = venueid.removesuffix("/Rejected_Submission")
    return {
        "content": content,
        "id": note_id,
        "forum": note_id,
        "number": number,
        "cdate": created,
        "mdate": created + 86_400_000,
        "odate": created,
        "pdate": _epoch_ms(paper.year or 2020) if paper.published else None,
        "tcdate": created,
        "tmdate": created + 86_400_000,
        "invitations": [f"{domain}/-/Submission", f"{domain}/-/Edit"],
        "domain": domain,
        "readers": ["everyone"],
        "writers": [domain],
        "signatures": [f"{domain}/Submission{number}/Authors"],
        "version": 2,
        "license": "CC BY 4.0",
    }


class OpenReview(Service):
    name = "openreview"
    mount = "/openreview"

    def answer(self, request: Request) -> Reply:
        if request.path != "/notes":
            return _error("NotFoundError", f"The path {request.path} was not found", 404)
        note_id = request.param("id")
        if note_id is None:
            return json_reply({"notes": [], "count": 0})
        paper = self.store.by_openreview(note_id)
        if paper is None:
            return _error(
                "NotFoundError",
                f"The Note {note_id} was not found",
                404,
                {"path": "id", "value": note_id},
            )
        return json_reply({"notes": [note(paper, note_id)], "count": 1})

    def challenge(self) -> Reply:
        return _error(
            "ChallengeRequiredError",
            f"Challenge verification required ({CHALLENGE_ID})",
            403,
            {"challengeUrl": f"https://openreview.net/challenge?id={CHALLENGE_ID}"},
        )

    def too_many_requests(self) -> Reply:
        return _error("RateLimitError", "Too many requests", 429)

    def unavailable(self) -> Reply:
        return _error("ServiceUnavailableError", "The OpenReview API is currently unavailable", 503)


def _error(name: str, message: str, status: int, details: dict[str, str] | None = None) -> Reply:
    body: dict[str, Any] = {"name": name, "message": message, "status": status}
    if details is not None:
        body["details"] = details
    return json_reply(body, status)
