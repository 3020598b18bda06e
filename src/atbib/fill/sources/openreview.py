"""OpenReview's API (version 2): a note by its forum id.

``GET {endpoint}/notes?id=…`` answers ``{"notes": [...], "count": N}``, each note's content
fields wrapped as ``{"value": …}``. ``venue`` says what became of a submission: ``ICLR 2020
Conference Poster`` or ``ICLR 2020`` for an accepted paper, ``Submitted to ICLR 2020`` for one
that was not. Anonymous requests are more and more often refused with 403 (a challenge page):
that is the source being unavailable, never a fault of the work asked about.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from atbib.fill.facts import Candidate, Status
from atbib.fill.sources.base import (
    Reply,
    Request,
    Source,
    SourceSettings,
    Unavailable,
    list_venue,
)
from atbib.identifiers import Identifier
from atbib.model import Person

_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")
_NOT_ACCEPTED = re.compile(r"submitted to|withdrawn|rejected|desk", re.IGNORECASE)
_PRESENTATION = re.compile(
    r"\b(?:conference|poster|oral|spotlight|notable|top|\d+%|talk|track)\b", re.IGNORECASE
)


class OpenReviewSource(Source):
    name = "openreview"
    label = "OpenReview"
    default_endpoint = "https://api2.openreview.net"
    schemes = frozenset({"openreview"})
    default_delay = 0.5

    def request(self, ids: Sequence[Identifier], settings: SourceSettings) -> Request:
        (note,) = ids
        url = f"{settings.endpoint}/notes?id={quote(note.value, safe='')}"
        return Request(self.name, "GET", url, (str(note),))

    def parse(self, request: Request, reply: Reply) -> dict[str, Candidate | None]:
        (asked,) = request.asked
        if reply.status in (401, 403):
            raise Unavailable("refused anonymous access (HTTP 403)")
        if reply.status == 404:
            return {asked: None}
        data = json.loads(reply.body)
        notes = data.get("notes") if isinstance(data, dict) else None
        note = notes[0] if isinstance(notes, list) and notes else None
        return {asked: _candidate(note) if isinstance(note, dict) else None}


def _value(content: dict[str, Any], name: str) -> Any:
    field = content.get(name)
    return field.get("value") if isinstance(field, dict) else field


def _candidate(note: dict[str, Any]) -> Candidate | None:
    note_id = str(note.get("forum") or note.get("id") or "")
    content = note.get("content")
    if not note_id or not isinstance(content, dict):
        return None
    venue_text = " ".join(str(_value(content, "venue") or "").split())
    venue_id = _value(content, "venueid")
    venue_id = " ".join(map(str, venue_id)) if isinstance(venue_id, list) else str(venue_id or "")
    accepted = bool(venue_text) and not _NOT_ACCEPTED.search(f"{venue_text} {venue_id}")
    years = _YEAR.findall(venue_text)
    year = int(years[-1]) if years else None
    authors = tuple(
        Person.parse(" ".join(str(a).split()))
        for a in _value(content, "authors") or ()
        if str(a).strip()
    )
    name = " ".join(_PRESENTATION.sub(" ", _YEAR.sub(" ", venue_text)).split())
    return Candidate(
        source="openreview",
        identifier=note_id,
        title=" ".join(str(_value(content, "title") or "").split()),
        authors=authors,
        year=year,
        status=Status.PUBLISHED if accepted else None,
        entry_type="inproceedings" if accepted else "",
        venue=list_venue([name], year) if accepted else "",
        container=venue_text if accepted else "",
        ids=(Identifier("openreview", note_id),),
    )
