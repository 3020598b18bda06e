"""The arXiv API's id lookup: an Atom feed per ``id_list`` query.

Facts (lukasschwab/arxiv.py recorded fixtures, 2026 format): ids that do not exist are left
out of the feed (no error entry); a malformed id makes the whole answer a 400 feed whose one
entry is titled ``Error``; entry ids are ``http://arxiv.org/abs/ID vN`` while links are https;
``arxiv:primary_category`` has no scheme; ``arxiv:journal_ref`` and ``arxiv:doi`` appear only
when the authors reported them. Rate limiting answers ``429 Rate exceeded.``.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import re
from xml.sax.saxutils import escape, quoteattr

from .paper import Paper, full_name
from .service import Reply, Request, Service, text_reply

ATOM = "http://www.w3.org/2005/Atom"
ARXIV_NS = "http://arxiv.org/schemas/atom"
OPENSEARCH = "http://a9.com/-/spec/opensearch/1.1/"
FEED_OPEN = (
    "<?xml version='1.0' encoding='UTF-8'?>\n"
    f'<feed xmlns:opensearch="{OPENSEARCH}" xmlns:arxiv="{ARXIV_NS}" xmlns="{ATOM}">\n'
)
VALID_ID = re.compile(r"(?:\d{4}\.\d{4,5}|[a-z][a-z.-]*(?:\.[A-Z]{2})?/\d{7})(?:v(\d+))?")
DEFAULT_MAX_RESULTS = 10
ANSWERED_AT = datetime.datetime(2026, 4, 12, 22, 9, 26, tzinfo=datetime.UTC)
"""The feed's own <updated> (the real one is the time of the query)."""


def _stamp(moment: datetime.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


class Arxiv(Service):
    name = "arxiv"
    mount = "/arxiv/api/query"

    def answer(self, request: Request) -> Reply:
        if request.path not in ("", "/"):
            return text_reply("Not Found", 404)
        id_list = [i for i in (request.param("id_list") or "").split(",") if i]
        for asked in id_list:
            if not VALID_ID.fullmatch(asked):
                return self._error_feed(asked)
        start = int(request.param("start") or 0)
        max_results = int(request.param("max_results") or DEFAULT_MAX_RESULTS)
        found = [entry for entry in (self._find(i) for i in id_list) if entry is not None]
        page = found[start : start + max_results]
        query = (
            f"search_query={request.param('search_query') or ''}&id_list={','.join(id_list)}"
            f"&start={start}&max_results={max_results}"
        )
        digest = base64.b64encode(hashlib.sha1(query.encode()).digest()).decode()[:27]
        parts = [
            FEED_OPEN,
            f"  <id>https://arxiv.org/api/{digest}</id>\n",
            f"  <title>arXiv Query: {escape(query)}</title>\n",
            f"  <updated>{_stamp(ANSWERED_AT)}</updated>\n",
            f"  <link href={quoteattr('https://arxiv.org/api/query?' + query)} "
            'type="application/atom+xml"/>\n',
            f"  <opensearch:itemsPerPage>{max_results}</opensearch:itemsPerPage>\n",
            f"  <opensearch:totalResults>{len(found)}</opensearch:totalResults>\n",
            f"  <opensearch:startIndex>{start}</opensearch:startIndex>\n",
            *(_entry(paper, version) for paper, version in page),
            "</feed>\n",
        ]
        return Reply(200, "".join(parts).encode("utf-8"), "application/atom+xml; charset=utf-8")

    def _find(self, asked: str) -> tuple[Paper, int] | None:
        """The paper and the version to show: the asked one, else the latest."""
        match = VALID_ID.fullmatch(asked)
        assert match is not None
        version = match.group(1)
        paper = self.store.by_arxiv(asked[: match.start(1) - 1] if version else asked)
        if paper is None:
            return None
        if version is None:
            return paper, paper.arxiv_version
        return (paper, int(version)) if 1 <= int(version) <= paper.arxiv_version else None

    def _error_feed(self, asked: str) -> Reply:
        anchor = "incorrect_id_format_for_" + asked
        url = quoteattr(f"https://arxiv.org/api/errors#{anchor}")
        body = (
            FEED_OPEN + "  <id>https://arxiv.org/</id>\n"
            "  <title>arXiv Search Results</title>\n"
            f"  <updated>{_stamp(ANSWERED_AT)}</updated>\n"
            "  <opensearch:itemsPerPage>1</opensearch:itemsPerPage>\n"
            "  <opensearch:totalResults>1</opensearch:totalResults>\n"
            "  <opensearch:startIndex>0</opensearch:startIndex>\n"
            "  <entry>\n"
            f"    <id>https://arxiv.org/api/errors#{escape(anchor)}</id>\n"
            "    <title>Error</title>\n"
            f"    <updated>{_stamp(ANSWERED_AT)}</updated>\n"
            f'    <link href={url} rel="alternate" type="text/html"/>\n'
            f"    <summary>incorrect id format for {escape(asked)}</summary>\n"
            "    <author>\n      <name>arXiv api core</name>\n    </author>\n"
            "  </entry>\n"
            "</feed>\n"
        )
        return Reply(400, body.encode("utf-8"), "application/atom+xml; charset=utf-8")

    def too_many_requests(self) -> Reply:
        return text_reply("Rate exceeded.", 429)

    def unavailable(self) -> Reply:
        return text_reply("Service Unavailable", 503)


def _entry(paper: Paper, version: int) -> str:
    assert paper.arxiv is not None
    first = paper.arxiv_first_submitted
    assert first is not None
    versioned = f"{paper.arxiv}v{version}"
    updated = first + datetime.timedelta(days=30 * (version - 1))
    lines = [
        "  <entry>",
        f"    <id>http://arxiv.org/abs/{versioned}</id>",
        f"    <title>{escape(paper.title)}</title>",
        f"    <updated>{_stamp(updated)}</updated>",
        f'    <link href="https://arxiv.org/abs/{versioned}" rel="alternate" type="text/html"/>',
        f'    <link href="https://arxiv.org/pdf/{versioned}" rel="related" '
        'type="application/pdf" title="pdf"/>',
        f"    <summary>{escape(paper.abstract or '')}</summary>",
        f'    <category term="{paper.arxiv_category}" scheme="{ARXIV_NS}"/>',
        f"    <published>{_stamp(first)}</published>",
        f'    <arxiv:primary_category term="{paper.arxiv_category}"/>',
    ]
    if paper.arxiv_journal_ref:
        lines.append(
            f"    <arxiv:journal_ref>{escape(paper.arxiv_journal_ref)}</arxiv:journal_ref>"
        )
    for name in paper.authors:
        lines += ["    <author>", f"      <name>{escape(full_name(name))}</name>", "    </author>"]
    if paper.arxiv_doi:
        lines.append(f"    <arxiv:doi>{escape(paper.arxiv_doi)}</arxiv:doi>")
        lines.append(
            f'    <link rel="related" href={quoteattr("https://doi.org/" + paper.arxiv_doi)} '
            'title="doi"/>'
        )
    lines.append("  </entry>\n")
    return "\n".join(lines)
