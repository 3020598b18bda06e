"""What a record's links say: which link stands for the work, and the identifiers it reveals.

Only links that point at the work itself count as identity. Code, project and side-resource
links never do: one repository often serves several papers (``timoschick/pet`` backs three in
the list), so treating it as identity would merge different works.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from atbib.identifiers import (
    Identifier,
    identifiers_from_text,
    identifiers_from_url,
    is_code_url,
    normalise_arxiv,
    normalise_url,
)

if TYPE_CHECKING:
    from atbib.model import Record

PRIMARY_LABELS = frozenset(
    {"paper", "pdf", "slides", "book", "arxiv", "preprint", "article", "paper & code", "openreview"}
)
"""Labels of links that point at the work itself (compared case-insensitively)."""

IDENTITY_FIELDS = ("doi", "eprint", "url")
"""``extra`` fields (from .bib files or Zotero) that can carry identifiers."""


def is_primary_label(label: str) -> bool:
    return label.strip().lower() in PRIMARY_LABELS


def record_identifiers(record: Record) -> tuple[Identifier, ...]:
    """Scholarly identifiers from the work's own links, then a ``url:`` identity for the title
    link of blog posts and repositories, or a paper's own non-code link when nothing better is
    known."""
    found: dict[Identifier, None] = {}
    own_urls = [record.url] if record.url else []
    own_urls += [link.url for link in record.links if link.url and is_primary_label(link.label)]
    for url in own_urls:
        for ident in identifiers_from_url(url):
            found.setdefault(ident, None)
    for name, value in record.extra:
        if name == "eprint":
            # A bare eprint number is an arXiv id by the field's meaning, not by its text.
            arxiv = normalise_arxiv(value)
            if arxiv:
                found.setdefault(Identifier("arxiv", arxiv), None)
        elif name in IDENTITY_FIELDS:
            for ident in identifiers_from_text(value):
                found.setdefault(ident, None)
    if not record.kind.titled and record.url:
        found.setdefault(Identifier("url", normalise_url(record.url)), None)
    elif not found:
        for url in own_urls:
            if "://" in url and not is_code_url(url):
                found.setdefault(Identifier("url", normalise_url(url)), None)
                break
    return tuple(found)


REGISTRY_LINK = "link:"
"""The prefix of ``link:`` evidence in the key registry (:func:`registry_link`)."""


def registry_link(record: Record) -> str | None:
    """The address a work without identifiers is recognised by in the key registry when its
    title is edited (``link:`` evidence): its own URL, else its first link, code included.
    Never identity (a repository can back several papers): the registry uses it only to carry
    a key across a title edit, and only to a work whose title is still close to the old one."""
    urls = [record.url] if record.url else []
    urls += [link.url for link in record.links]
    for url in urls:
        if "://" in url:
            return REGISTRY_LINK + normalise_url(url)
    return None
