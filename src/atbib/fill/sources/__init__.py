"""The metadata sources ``atbib fill`` can ask, one adapter module each.

Adding a source: write a :class:`~atbib.fill.sources.base.Source` subclass in its own module
(pure: requests out, candidates in), register it in :data:`SOURCES`, give it a place in
:data:`atbib.fill.resolve.AUTHORITY`, and a faithful fake of the service in the tests.
"""

from __future__ import annotations

from atbib.fill.sources.acl import AclAnthologySource
from atbib.fill.sources.arxiv import ArxivSource
from atbib.fill.sources.base import Source
from atbib.fill.sources.crossref import CrossrefSource
from atbib.fill.sources.dblp import DblpSource
from atbib.fill.sources.openreview import OpenReviewSource
from atbib.fill.sources.semanticscholar import SemanticScholarSource

SOURCES: dict[str, Source] = {
    source.name: source
    for source in (
        ArxivSource(),
        SemanticScholarSource(),
        AclAnthologySource(),
        CrossrefSource(),
        OpenReviewSource(),
        DblpSource(),
    )
}
"""Every online source, in the order a run asks them."""

__all__ = ["SOURCES", "Source"]
