"""DBLP: the publication search API (JSON) and each record's BibTeX.

Facts (a recorded search answer, reffix's client code, public copies of DBLP's .bib): every
number in the JSON is a string; ``hit`` is a list but a single author is an *object*, not a
list; ``venue`` and ``ee`` are a string or a list; titles end with a period; a work with an
arXiv version has two records, the venue's and CoRR's; no hit means no ``hit`` key at all.
Its 429 is an HTML page, with ``Retry-After`` only sometimes.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any

from anyascii import anyascii

from .paper import Kind, Paper, full_name
from .service import Reply, Request, Service, json_reply, text_reply
from .texenc import dblp_name, dblp_text, dblp_title

DEFAULT_HITS = 30
MAX_HITS = 1000
TIMESTAMP = "Tue, 16 Aug 2022 23:04:27 +0200"
BIBSOURCE = "dblp computer science bibliography, https://dblp.org"
RECORD_TYPES = {
    Kind.CONFERENCE: ("Conference and Workshop Papers", "inproceedings"),
    Kind.JOURNAL: ("Journal Articles", "article"),
    Kind.BOOK: ("Books and Theses", "book"),
}
CORR_TYPE = "Informal and Other Publications"
TOO_MANY_PAGE = """\
<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">
<html>
<head>
<title>429 Too Many Requests</title>
</head>
<body>
<h1>Too Many Requests</h1>
<p>The vast number of requests from your side has
led to a temporary block of your access to dblp.
Please wait before you send further requests.</p>
</body>
</html>
"""
FIELD_LABEL_WIDTH = 13
"""``  author       = {``: the field name padded to 13, then ``= {``."""
LINE_LIMIT = 95
CONTINUATION = " " * 18


@dataclass(frozen=True)
class Record:
    """One DBLP record of a work: the venue's, or the CoRR one of its arXiv version."""

    key: str
    paper: Paper
    corr: bool

    @property
    def doi(self) -> str | None:
        doi = self.paper.arxiv_datacite_doi if self.corr else self.paper.doi
        return doi.upper() if doi else None

    @property
    def year(self) -> int | None:
        return self.paper.arxiv_year if self.corr else self.paper.year

    @property
    def links(self) -> list[str]:
        """The electronic editions (``ee``), best first."""
        paper = self.paper
        if self.corr:
            return [f"https://arxiv.org/abs/{paper.arxiv}"]
        links = []
        if paper.doi:
            links.append(f"https://doi.org/{paper.doi.lower()}")
        if paper.acl:
            links.append(f"https://aclanthology.org/{paper.acl}/")
        if paper.pmlr:
            links.append(f"http://proceedings.mlr.press/{paper.pmlr}.html")
        if paper.openreview:
            links.append(f"https://openreview.net/forum?id={paper.openreview}")
        return links


def records(paper: Paper) -> list[Record]:
    found = []
    if paper.dblp_record_key is not None:
        found.append(Record(paper.dblp_record_key, paper, corr=False))
    if paper.dblp_corr_key is not None:
        found.append(Record(paper.dblp_corr_key, paper, corr=True))
    return found


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", anyascii(text).lower())


def _pid(name: tuple[str, str]) -> str:
    """A stable person id in DBLP's ``NN/NNNN`` shape."""
    digits = int(hashlib.sha1(full_name(name).encode()).hexdigest()[:6], 16)
    return f"{digits % 300}/{digits % 9973}"


def _info(record: Record) -> dict[str, Any]:
    paper = record.paper
    authors = [{"@pid": _pid(n), "text": full_name(n)} for n in paper.authors]
    title = paper.title if paper.title.endswith((".", "?", "!")) else paper.title + "."
    info: dict[str, Any] = {"authors": {"author": authors[0] if len(authors) == 1 else authors}}
    info["title"] = title
    if record.corr:
        info.update(venue="CoRR", volume=f"abs/{paper.arxiv}")
    else:
        venues = list(paper.dblp_venues or ([paper.venue] if paper.venue else []))
        if venues:
            info["venue"] = venues[0] if len(venues) == 1 else venues
        if paper.volume:
            info["volume"] = paper.volume
        if paper.number:
            info["number"] = paper.number
        if paper.pages:
            info["pages"] = paper.pages.replace("--", "-")
    if record.year is not None:
        info["year"] = str(record.year)
    info["type"] = CORR_TYPE if record.corr else RECORD_TYPES[paper.kind][0]
    info["access"] = "open" if record.corr or paper.acl or paper.openreview else "closed"
    info["key"] = record.key
    if record.doi:
        info["doi"] = record.doi
    links = record.links
    if links:
        info["ee"] = links[0] if len(links) == 1 else links
    info["url"] = f"https://dblp.org/rec/{record.key}"
    return info


def _hit(record: Record, score: int) -> dict[str, Any]:
    hit_id = str(int(record.paper.digest("hit:" + record.key)[:7], 16))
    return {"@score": str(score), "@id": hit_id, "info": _info(record), "url": f"URL#{hit_id}"}


class Dblp(Service):
    name = "dblp"
    mount = "/dblp"

    def answer(self, request: Request) -> Reply:
        if request.path == "/search/publ/api":
            return self._search(request)
        match = re.fullmatch(r"/rec/(.+)\.bib", request.path)
        if match:
            paper = self.store.by_dblp_key(match.group(1))
            record = (
                next((r for r in records(paper) if r.key == match.group(1)), None)
                if paper
                else None
            )
            if record is not None:
                return text_reply(_bibtex(record), 200, "application/x-bibtex; charset=utf-8")
        return text_reply(
            "<html><head><title>Error 404: Not Found</title></head><body><h1>Not Found</h1></body></html>",
            404,
            "text/html; charset=utf-8",
        )

    def _search(self, request: Request) -> Reply:
        if (request.param("format") or "xml") != "json":
            return text_reply("this test server answers format=json only", 501)
        terms = [t for t in (request.param("q") or "").lower().split() if t]
        exact = [t.endswith("$") for t in terms]
        words = [" ".join(_words(t)) for t in terms]
        hits = [r for p in self.store for r in records(p) if _matches(r, words, exact)]
        first = int(request.param("f") or 0)
        wanted = min(int(request.param("h") or DEFAULT_HITS), MAX_HITS)
        sent = hits[first : first + wanted]
        hits_obj: dict[str, Any] = {
            "@total": str(len(hits)),
            "@computed": str(len(hits)),
            "@sent": str(len(sent)),
            "@first": str(first),
        }
        if sent:
            hits_obj["hit"] = [_hit(r, score=len(words) + 1) for r in sent]
        completions: dict[str, Any] = {"@total": "0", "@computed": "0", "@sent": "0"}
        if words and hits:
            count = str(len(hits))
            completions = {
                "@total": "1",
                "@computed": "1",
                "@sent": "1",
                "c": {
                    "@sc": count,
                    "@dc": count,
                    "@oc": count,
                    "@id": "59637089",
                    "text": words[0],
                },
            }
        result = {
            "query": " ".join(t if e else t + "*" for t, e in zip(terms, exact, strict=True)),
            "status": {"@code": "200", "text": "OK"},
            "time": {"@unit": "msecs", "text": "2.93"},
            "completions": completions,
            "hits": hits_obj,
        }
        return json_reply({"result": result})

    def too_many_requests(self) -> Reply:
        return text_reply(TOO_MANY_PAGE, 429, "text/html; charset=iso-8859-1")

    def unavailable(self) -> Reply:
        return text_reply(
            "<html><head><title>503 Service Unavailable</title></head>"
            "<body><h1>Service Unavailable</h1></body></html>",
            503,
            "text/html; charset=iso-8859-1",
        )


def _matches(record: Record, words: list[str], exact: list[bool]) -> bool:
    """DBLP's search: every query word is a prefix of (``word$``: equal to) a word of the
    record's title, authors, venue or year."""
    paper = record.paper
    venue = "CoRR" if record.corr else " ".join(paper.dblp_venues or [paper.venue or ""])
    text = " ".join(
        [paper.title, *(full_name(n) for n in paper.authors), venue, str(record.year or "")]
    )
    haystack = _words(text)
    for word, whole in zip(words, exact, strict=True):
        for part in word.split():
            if not any(w == part if whole else w.startswith(part) for w in haystack):
                return False
    return True


def _bibtex(record: Record) -> str:
    paper = record.paper
    fields: list[tuple[str, str]] = [
        ("author", " and\n".join(dblp_name(full_name(n)) for n in paper.authors))
    ]
    if paper.editors and not record.corr:
        fields.append(("editor", " and\n".join(dblp_name(full_name(n)) for n in paper.editors)))
    fields.append(("title", dblp_title(paper.title)))
    if record.corr:
        entry_type = "article"
        fields += [("journal", "CoRR"), ("volume", f"abs/{paper.arxiv}")]
    else:
        entry_type = RECORD_TYPES[paper.kind][1]
        if paper.kind is Kind.CONFERENCE and paper.container:
            fields.append(("booktitle", dblp_text(paper.container)))
        if paper.kind is Kind.JOURNAL:
            fields.append(("journal", dblp_text((paper.dblp_venues or (paper.venue or "",))[0])))
            fields += [(f, v) for f, v in (("volume", paper.volume), ("number", paper.number)) if v]
        if paper.pages:
            fields.append(("pages", paper.pages))
        if paper.publisher and paper.kind is not Kind.JOURNAL:
            fields.append(("publisher", dblp_text(paper.publisher)))
    if record.year is not None:
        fields.append(("year", str(record.year)))
    if record.links:
        fields.append(("url", record.links[0]))
    if record.doi:
        fields.append(("doi", record.doi))
    if record.corr:
        fields += [("eprinttype", "arXiv"), ("eprint", str(paper.arxiv))]
    fields += [
        ("timestamp", TIMESTAMP),
        ("biburl", f"https://dblp.org/rec/{record.key}.bib"),
        ("bibsource", BIBSOURCE),
    ]
    body = ",\n".join(_field(name, value) for name, value in fields)
    return f"@{entry_type}{{DBLP:{record.key},\n{body}\n}}\n"


def _field(name: str, value: str) -> str:
    """``  name         = {value}``, DBLP's alignment (``eprinttype`` one space over, as
    DBLP has it), long values wrapped onto 18-space continuation lines."""
    label = "eprinttype    " if name == "eprinttype" else name.ljust(FIELD_LABEL_WIDTH)
    lines = []
    for part in value.split("\n"):
        line = ""
        for word in part.split(" "):
            if line and len(CONTINUATION) + len(line) + 1 + len(word) > LINE_LIMIT:
                lines.append(line)
                line = word
            else:
                line = f"{line} {word}" if line else word
        lines.append(line)
    return f"  {label}= {{" + ("\n" + CONTINUATION).join(lines) + "}"
