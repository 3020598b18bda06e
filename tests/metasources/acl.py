"""The ACL Anthology's per-paper BibTeX: ``GET /{anthology id}.bib``.

Facts (acl-org/acl-anthology ``utils/latex.py`` and ``collections/paper.py``; served copies):
field order title, author, editor, then journal/volume/number (``@article``) or booktitle
(``@inproceedings``), month, year, address, publisher, note, url, doi, pages, language, ISBN,
abstract; values in double quotes (braces when the value holds a quote); ``month`` a bare
macro; names "Family, Given" joined by two spaces, ``and``, a newline and six spaces; no comma
after the last field; fixed-case capitals braced; text LaTeX-encoded.
"""

from __future__ import annotations

import re

from anyascii import anyascii

from .paper import MONTHS, Kind, Name, Paper
from .service import Reply, Request, Service, text_reply
from .texenc import anthology_text, anthology_title

STOPWORDS = frozenset(
    {
        "a",
        "an",
        "the",
        "on",
        "of",
        "in",
        "for",
        "to",
        "and",
        "with",
        "is",
        "are",
        "how",
        "what",
        "do",
    }
)
NOT_FOUND_PAGE = (
    "<!doctype html><html lang=en-us><head><title>Page Not Found - ACL Anthology</title></head>"
    "<body><h2>Page Not Found</h2></body></html>"
)


def bibkey(paper: Paper) -> str:
    """The Anthology's key: ``devlin-etal-2019-bert``, ``lewis-fan-2019-generative``."""
    families = [re.sub(r"[^a-z]", "", anyascii(f).lower()) for _, f in paper.authors] or [
        "anonymous"
    ]
    names = families[0] + ("-etal" if len(families) > 2 else "".join(f"-{f}" for f in families[1:]))
    words = [
        w for w in re.findall(r"[a-z0-9]+", anyascii(paper.title).lower()) if w not in STOPWORDS
    ]
    return f"{names}-{paper.year}-{words[0] if words else 'paper'}"


def _names(names: tuple[Name, ...]) -> str:
    return "  and\n      ".join(
        anthology_text(f"{family}, {given}" if given else family) for given, family in names
    )


def bibtex(paper: Paper, anthology_id: str) -> str:
    journal = paper.kind is Kind.JOURNAL
    fields: list[tuple[str, str | None]] = [
        ("title", anthology_title(paper.title)),
        ("author", _names(paper.authors)),
        ("editor", _names(paper.editors)),
    ]
    if journal:
        fields += [
            ("journal", anthology_text(paper.container or "")),
            ("volume", paper.volume),
            ("number", paper.number),
        ]
    else:
        fields.append(("booktitle", anthology_title(paper.container or "")))
    fields += [
        ("month", MONTHS[paper.month - 1] if paper.month else None),
        ("year", str(paper.year) if paper.year else None),
        ("address", anthology_text(paper.address or "")),
        ("publisher", anthology_text(paper.publisher or "")),
        ("url", f"https://aclanthology.org/{anthology_id}/"),
        ("doi", paper.doi),
        ("pages", paper.pages),
        ("abstract", anthology_text(paper.abstract or "")),
    ]
    lines = [
        f"    {name} = {value if name == 'month' else _quoted(value)}"
        for name, value in fields
        if value
    ]
    entry_type = "article" if journal else "inproceedings"
    return f"@{entry_type}{{{bibkey(paper)},\n" + ",\n".join(lines) + "\n}\n"


def _quoted(value: str) -> str:
    return f'"{value}"' if '"' not in value else f"{{{value}}}"


class AclAnthology(Service):
    name = "acl"
    mount = "/acl"

    def answer(self, request: Request) -> Reply:
        match = re.fullmatch(r"/(.+)\.bib", request.path)
        paper = self.store.by_acl(match.group(1)) if match else None
        if paper is None or match is None:
            return text_reply(NOT_FOUND_PAGE, 404, "text/html; charset=utf-8")
        return text_reply(bibtex(paper, match.group(1)), 200, "text/x-bibtex; charset=utf-8")

    def too_many_requests(self) -> Reply:
        return text_reply(
            "<html><body><h1>429 Too Many Requests</h1></body></html>", 429, "text/html"
        )

    def unavailable(self) -> Reply:
        return text_reply(
            "<html><body><h1>503 Service Unavailable</h1></body></html>", 503, "text/html"
        )
