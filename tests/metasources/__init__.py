"""Local fakes of the metadata services ``atbib fill`` asks: arXiv, Semantic Scholar,
Crossref, DBLP, the ACL Anthology and OpenReview, speaking their real wire formats and
failing in their real ways, on one local HTTP server.

Quick start::

    from tests.metasources import MetadataServers, Paper

    bert = Paper(title="BERT: ...", authors=(("Jacob", "Devlin"),), year=2019,
                 venue="NAACL", arxiv="1810.04805", doi="10.18653/v1/N19-1423", acl="N19-1423")
    with MetadataServers([bert]) as servers:
        servers.endpoints["arxiv"]          # base URL atbib is configured with
        servers.faults.rate_limit("dblp", count=2, retry_after=1)
        servers.log.count("semanticscholar")

See README.md in this directory for the formats, the faults and the known deviations.
"""

from .faults import Fault, FaultBoard, FaultKind
from .log import LoggedRequest, RequestLog
from .paper import Kind, Name, Paper
from .research import load_store, read_facts
from .server import MetadataServers
from .store import Store

__all__ = [
    "Fault",
    "FaultBoard",
    "FaultKind",
    "Kind",
    "LoggedRequest",
    "MetadataServers",
    "Name",
    "Paper",
    "RequestLog",
    "Store",
    "load_store",
    "read_facts",
]
