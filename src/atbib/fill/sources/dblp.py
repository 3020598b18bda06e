"""DBLP's publication search: works by title, for the works no identifier could settle.

``GET {endpoint}/search/publ/api?q=…&format=json&h=N`` answers
``{"result": {"hits": {"@total": "1", "hit": [{"info": {...}}]}}}``, with no ``hit`` at all
when nothing matched. Two quirks: ``info.authors.author`` is an object for a single author and
a list for several, and ``venue`` and ``ee`` are a string or a list. Homonymous authors carry a
number (``Wei Wang 0001``), which is not part of the name. ``CoRR`` entries
(``Informal and Other Publications``) are the arXiv versions. DBLP answers 429 when asked too
fast, sometimes as an HTML page.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlencode

from atbib.fill.facts import Candidate, Status
from atbib.fill.sources.base import (
    Reply,
    Request,
    Source,
    SourceSettings,
    clean_pages,
    list_venue,
)
from atbib.identifiers import Identifier, identifiers_from_url, normalise_doi
from atbib.model import Person

_HOMONYM = re.compile(r"\s+\d{4}$")
_VOLUME_PART = re.compile(r"\s*\(\d+\)$")
_TYPES = {"Journal Articles": "article", "Conference and Workshop Papers": "inproceedings"}
HITS = 10


def _listed(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


class DblpSource(Source):
    name = "dblp"
    label = "DBLP"
    default_endpoint = "https://dblp.org"
    default_delay = 1.0
    searches = True

    def search(self, title: str, settings: SourceSettings) -> Request:
        query = urlencode({"q": title, "format": "json", "h": HITS})
        return Request(
            self.name, "GET", f"{settings.endpoint}/search/publ/api?{query}", (f"title:{title}",)
        )

    def parse(self, request: Request, reply: Reply) -> dict[str, Candidate | None]:
        (asked,) = request.asked
        data = json.loads(reply.body)
        hits = _listed((((data or {}).get("result") or {}).get("hits") or {}).get("hit"))
        found: dict[str, Candidate | None] = {asked: None}
        for number, hit in enumerate(hits):
            info = hit.get("info") if isinstance(hit, dict) else None
            candidate = _candidate(info) if isinstance(info, dict) else None
            if candidate is not None:
                found[f"{asked}#{number}"] = candidate
        return found


def _candidate(info: dict[str, Any]) -> Candidate | None:
    key = str(info.get("key") or "")
    if not key:
        return None
    authors = tuple(
        Person.parse(_HOMONYM.sub("", " ".join(str(a.get("text") or "").split())))
        for a in _listed((info.get("authors") or {}).get("author"))
        if isinstance(a, dict) and str(a.get("text") or "").strip()
    )
    year = int(info["year"]) if str(info.get("year") or "").isdigit() else None
    venues = [_VOLUME_PART.sub("", str(v)) for v in _listed(info.get("venue"))]
    kind = str(info.get("type") or "")
    preprint = key.startswith("journals/corr/") or kind == "Informal and Other Publications"
    ids: list[Identifier] = []
    doi = normalise_doi(str(info.get("doi") or ""))
    if doi and not preprint:
        ids.append(Identifier("doi", doi))
    for url in _listed(info.get("ee")):
        ids += [i for i in identifiers_from_url(str(url)) if i not in ids]
    title = " ".join(str(info.get("title") or "").split())
    return Candidate(
        source="dblp",
        identifier=key,
        title=title[:-1] if title.endswith(".") else title,
        authors=authors,
        year=year,
        status=Status.PREPRINT if preprint else Status.PUBLISHED,
        entry_type="misc" if preprint else _TYPES.get(kind, ""),
        venue="" if preprint else list_venue(venues, year),
        container="" if preprint else (venues[0] if venues else ""),
        volume="" if preprint else str(info.get("volume") or ""),
        number="" if preprint else str(info.get("number") or ""),
        pages="" if preprint else clean_pages(str(info.get("pages") or "")),
        doi="" if preprint or doi is None else doi,
        ids=tuple(ids),
    )
