"""A local Zotero Web API v3 server for tests; real pyzotero talks to it over HTTP.

Quick start::

    from tests.zoteroapi import ZoteroServer, Permission, make_zotero

    with ZoteroServer(group_id=12345, api_keys={"KEY1": Permission(read=True, write=True)}) as srv:
        zot = make_zotero(srv, key="KEY1")      # pyzotero.zotero.Zotero(12345, "group", "KEY1")
        zot.create_items([...])
        srv.library.items                      # in-memory state
        srv.faults.rate_limit(count=1, retry_after=0.1, method="GET")
        srv.requests                           # [(method, path, query, status), ...]

See README.md in this directory for the fault kinds and the known deviations.
"""

from .faults import Fault, FaultInjector, Wait
from .fixtures import make_zotero
from .library import ApiError, Collection, Item, Library
from .schema import Schema
from .server import (
    DEFAULT_GROUP_ID,
    DEFAULT_KEY,
    DEFAULT_USER_ID,
    DEFAULT_USERNAME,
    READONLY_KEY,
    Permission,
    RequestDetail,
    RequestRecord,
    ZoteroServer,
)

__all__ = [
    "DEFAULT_GROUP_ID",
    "DEFAULT_KEY",
    "DEFAULT_USERNAME",
    "DEFAULT_USER_ID",
    "READONLY_KEY",
    "ApiError",
    "Collection",
    "Fault",
    "FaultInjector",
    "Item",
    "Library",
    "Permission",
    "RequestDetail",
    "RequestRecord",
    "Schema",
    "Wait",
    "ZoteroServer",
    "make_zotero",
]
