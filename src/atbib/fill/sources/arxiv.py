"""arXiv's API: Atom feeds for batches of ids.

``GET {endpoint}?id_list=ID,ID,...&max_results=N`` answers one ``<entry>`` per known id, in no
promised order; an id arXiv does not know gives an entry whose ``<id>`` is an error address
(``http://arxiv.org/api/errors#...``) or no entry at all. ``<arxiv:journal_ref>`` and
``<arxiv:doi>`` are what the authors reported of a published version: their presence says a
preprint was published; their absence says nothing. arXiv asks for one request every three
seconds.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from urllib.parse import urlencode

from atbib.fill.facts import Candidate, Status
from atbib.fill.sources.base import Reply, Request, Source, SourceSettings, list_venue
from atbib.identifiers import Identifier, identifiers_from_url, normalise_doi
from atbib.model import Person

_ATOM = "{http://www.w3.org/2005/Atom}"
_ARXIV = "{http://arxiv.org/schemas/atom}"
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")


class ArxivSource(Source):
    name = "arxiv"
    label = "arXiv"
    default_endpoint = "https://export.arxiv.org/api/query"
    schemes = frozenset({"arxiv"})
    default_batch_size = 100
    default_delay = 3.0

    def request(self, ids: Sequence[Identifier], settings: SourceSettings) -> Request:
        query = urlencode(
            {"id_list": ",".join(i.value for i in ids), "max_results": len(ids), "start": 0}
        )
        return Request(self.name, "GET", f"{settings.endpoint}?{query}", tuple(str(i) for i in ids))

    def parse(self, request: Request, reply: Reply) -> dict[str, Candidate | None]:
        found: dict[str, Candidate | None] = dict.fromkeys(request.asked)
        root = ET.fromstring(reply.body)
        for entry in root.iter(f"{_ATOM}entry"):
            candidate = _candidate(entry)
            if candidate is not None:
                key = f"arxiv:{candidate.identifier}"
                if key in found:
                    found[key] = candidate
        return found


def _text(entry: ET.Element, tag: str) -> str:
    element = entry.find(tag)
    return " ".join((element.text or "").split()) if element is not None else ""


def _candidate(entry: ET.Element) -> Candidate | None:
    found = [
        i.value for i in identifiers_from_url(_text(entry, f"{_ATOM}id")) if i.scheme == "arxiv"
    ]
    if not found:
        return None  # an error entry ("https://arxiv.org/api/errors#incorrect_id_format...")
    arxiv_id = found[0]
    authors = tuple(
        Person.parse(" ".join((name.text or "").split()))
        for name in entry.iterfind(f"{_ATOM}author/{_ATOM}name")
        if name.text and name.text.strip()
    )
    published = _text(entry, f"{_ATOM}published")
    journal_ref = _text(entry, f"{_ARXIV}journal_ref")
    doi = normalise_doi(_text(entry, f"{_ARXIV}doi")) or ""
    ids = [Identifier("arxiv", arxiv_id)]
    if doi:
        ids.append(Identifier("doi", doi))
    year = int(published[:4]) if published[:4].isdigit() else None
    if journal_ref or doi:
        years = _YEAR.findall(journal_ref)
        venue_year = int(years[-1]) if years else None
        venue = list_venue([_YEAR.sub(" ", journal_ref)], venue_year, known_only=True)
        return Candidate(
            source="arxiv",
            identifier=arxiv_id,
            title=_text(entry, f"{_ATOM}title"),
            authors=authors,
            year=venue_year,
            status=Status.PUBLISHED,
            venue=venue,
            container=journal_ref,
            doi=doi,
            ids=tuple(ids),
        )
    return Candidate(
        source="arxiv",
        identifier=arxiv_id,
        title=_text(entry, f"{_ATOM}title"),
        authors=authors,
        year=year,
        entry_type="misc",
        ids=tuple(ids),
    )
