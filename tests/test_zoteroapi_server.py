"""Tests of the local Zotero Web API v3 server (tests/zoteroapi).

Expected values come from the documented protocol (shared/reference/zotero-api.md:
API docs, dataserver code and its remote test suite), never from the server's own
output.  Most tests drive real pyzotero over HTTP; raw httpx2 requests are used where
pyzotero hides a status, a header or a body.
"""

from __future__ import annotations

import json
import re
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx2
import pytest
from pyzotero import zotero_errors as ze

from tests.zoteroapi import (
    DEFAULT_KEY,
    READONLY_KEY,
    Permission,
    ZoteroServer,
    make_zotero,
)
from tests.zoteroapi import fixtures as _fixtures
from tests.zoteroapi.fixtures import http_client
from tests.zoteroapi.schema import Schema, default_schema_path

# The fixtures (the lead may also import them into tests/conftest.py)
zotero_server = _fixtures.zotero_server
zotero_client = _fixtures.zotero_client

KEY_RE = re.compile(r"^[23456789ABCDEFGHIJKLMNPQRSTUVWXYZ]{8}$")


# -- helpers ---------------------------------------------------------------------------


class Raw:
    """Minimal raw HTTP client for the group library of a server."""

    def __init__(self, server: ZoteroServer, key: str | None = DEFAULT_KEY) -> None:
        self.server = server
        self.key = key
        self.client = http_client(server)

    def headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        h = {"Zotero-API-Version": "3"}
        if self.key:
            h["Zotero-API-Key"] = self.key
        h.update(extra or {})
        return h

    def lib(self, path: str) -> str:
        return f"/groups/{self.server.group_id}{path}"

    def get(self, path: str, **kw: Any) -> httpx2.Response:
        return self.client.get(self.lib(path), headers=self.headers(kw.pop("headers", None)), **kw)

    def post(self, path: str, body: Any, **kw: Any) -> httpx2.Response:
        return self.client.post(
            self.lib(path),
            content=body if isinstance(body, bytes | str) else json.dumps(body),
            headers=self.headers({"Content-Type": "application/json", **kw.pop("headers", {})}),
            **kw,
        )

    def send(self, method: str, path: str, body: Any = None, **kw: Any) -> httpx2.Response:
        content = None if body is None else json.dumps(body)
        return self.client.request(
            method,
            self.lib(path),
            content=content,
            headers=self.headers(kw.pop("headers", {})),
            **kw,
        )


@pytest.fixture
def raw(zotero_server: ZoteroServer) -> Raw:
    return Raw(zotero_server)


def book(title: str = "A book", **extra: Any) -> dict[str, Any]:
    return {"itemType": "book", "title": title, **extra}


def new_keys(n: int) -> list[str]:
    alphabet = "23456789ABCDEFGHIJKLMNPQRSTUVWXYZ"
    return [(alphabet[i % 33] + alphabet[(i // 33) % 33] + "ATBIB2")[:8] for i in range(n)]


def lmv(resp: httpx2.Response) -> int:
    return int(resp.headers["Last-Modified-Version"])


SCHEMA = json.loads(default_schema_path().read_text(encoding="utf-8"))
SCHEMA_TYPES = {t["itemType"]: t for t in SCHEMA["itemTypes"]}


# -- basics ----------------------------------------------------------------------------


def test_template_comes_from_schema(zotero_client):
    tmpl = zotero_client.item_template("preprint")
    fields = [f["field"] for f in SCHEMA_TYPES["preprint"]["fields"]]
    # /items/new: itemType, then every field with creators after the first, then
    # tags/collections/relations (DS MappingsController::newItem)
    assert list(tmpl) == [
        "itemType",
        fields[0],
        "creators",
        *fields[1:],
        "tags",
        "collections",
        "relations",
    ]
    assert all(tmpl[f] == "" for f in fields)
    assert tmpl["creators"] == [{"creatorType": "author", "firstName": "", "lastName": ""}]
    assert "citationKey" in tmpl and "repository" in tmpl and "publisher" not in tmpl


def test_mapping_endpoints(zotero_client, raw):
    types = {t["itemType"] for t in zotero_client.item_types()}
    assert {"book", "preprint", "computerProgram", "webpage", "journalArticle"} <= types
    fields = {f["field"] for f in zotero_client.item_fields()}
    assert {"citationKey", "repository", "publicationTitle", "extra"} <= fields
    cts = [c["creatorType"] for c in zotero_client.item_creator_types("computerProgram")]
    assert cts == [c["creatorType"] for c in SCHEMA_TYPES["computerProgram"]["creatorTypes"]]
    assert cts[0] == "programmer"
    tf = [f["field"] for f in zotero_client.item_type_fields("blogPost")]
    assert tf == [f["field"] for f in SCHEMA_TYPES["blogPost"]["fields"]]
    resp = raw.client.get("/itemTypeFields", params={"itemType": "nope"})
    assert resp.status_code == 400 and resp.text == "Invalid item type 'nope'"
    resp = raw.client.get("/items/new")
    assert resp.status_code == 400 and resp.text == "'itemType' not provided"


def test_create_read_update_delete_item(zotero_server, zotero_client):
    zot = zotero_client
    tmpl = zot.item_template("book")
    tmpl.update(title="Attention", date="Sept 18, 2012", citationKey="vaswani2017")
    tmpl["creators"] = [
        {"creatorType": "author", "firstName": "Ashish", "lastName": "Vaswani"},
        {"creatorType": "author", "firstName": "Noam", "lastName": "Shazeer"},
    ]
    report = zot.create_items([tmpl])
    assert set(report) == {"successful", "success", "unchanged", "failed"}
    created = report["successful"]["0"]
    key = created["key"]
    assert KEY_RE.match(key) and report["success"]["0"] == key
    assert created["data"]["citationKey"] == "vaswani2017"
    assert (
        created["version"]
        == created["data"]["version"]
        == int(zot.request.headers["Last-Modified-Version"])
    )

    item = zot.item(key)
    assert set(item) == {"key", "version", "library", "links", "meta", "data"}
    assert item["library"]["type"] == "group" and item["library"]["id"] == zotero_server.group_id
    assert item["meta"]["creatorSummary"] == "Vaswani and Shazeer"
    assert item["meta"]["parsedDate"] == "2012-09-18"  # DS-T testDate
    # single-object GET: Last-Modified-Version is the object version
    assert int(zot.request.headers["Last-Modified-Version"]) == item["version"]
    data = item["data"]
    assert data["date"] == "Sept 18, 2012"
    # every field of the type is present, empty ones as ""
    for f in SCHEMA_TYPES["book"]["fields"]:
        assert f["field"] in data
    assert data["tags"] == [] and data["collections"] == [] and data["relations"] == {}

    old_version = item["version"]
    item["data"]["title"] = "Attention Is All You Need"
    assert zot.update_item(item) is True  # PATCH with If-Unmodified-Since-Version
    newer = zot.item(key)
    assert newer["data"]["title"] == "Attention Is All You Need"
    assert newer["version"] > old_version
    assert newer["data"]["citationKey"] == "vaswani2017"  # PATCH keeps other fields

    with pytest.raises(ze.PreConditionFailedError):
        zot.update_item(item)  # stale version now
    assert zot.delete_item(newer) is True
    with pytest.raises(ze.ResourceNotFoundError):
        zot.item(key)
    deleted = zot.deleted(since=old_version)
    assert deleted["items"] == [key]
    assert set(deleted) == {"collections", "searches", "items", "tags", "settings"}


def test_post_has_patch_semantics_and_put_replaces(raw):
    r = raw.post("/items", [book("T", extra="keep me", publisher="P")])
    item = r.json()["successful"]["0"]
    key, v = item["key"], item["version"]
    r = raw.post("/items", [{"key": key, "version": v, "title": "T2"}])
    data = r.json()["successful"]["0"]["data"]
    assert data["title"] == "T2" and data["extra"] == "keep me" and data["publisher"] == "P"
    # PUT sends the full editable JSON; a field left out is removed
    full = dict(data)
    del full["extra"]
    r = raw.send(
        "PUT", f"/items/{key}", full, headers={"If-Unmodified-Since-Version": str(data["version"])}
    )
    assert r.status_code == 204
    got = raw.get(f"/items/{key}").json()["data"]
    assert got["extra"] == "" and got["publisher"] == "P" and got["title"] == "T2"
    # PUT of an existing item must include tags, relations and collections
    bare = {"itemType": "book", "title": "x", "version": got["version"]}
    r = raw.send("PUT", f"/items/{key}", bare)
    assert r.status_code == 400 and r.text == "'tags' property not provided"


# -- versions ---------------------------------------------------------------------------


def test_each_object_in_a_batch_gets_its_own_version(zotero_client):
    zot = zotero_client
    report = zot.create_items([book("A"), book("B"), book("C")])
    lib_version = int(zot.request.headers["Last-Modified-Version"])
    for i in range(3):
        # DS-T item.test.js: successful[i].version == libraryVersion - (2 - i)
        assert report["successful"][str(i)]["version"] == lib_version - (2 - i)
        assert report["successful"][str(i)]["data"]["version"] == lib_version - (2 - i)


def test_unchanged_objects_are_reported_and_still_bump_the_library(raw):
    r = raw.post("/items", [book("A"), book("B")])
    objs = [r.json()["successful"][i] for i in ("0", "1")]
    before = lmv(r)
    r = raw.post("/items", objs)  # full objects, nothing changed
    body = r.json()
    assert body["unchanged"] == {"0": objs[0]["key"], "1": objs[1]["key"]}
    assert body["successful"] == {} and body["failed"] == {}
    assert lmv(r) == before + 2  # since DS 2026-03: one bump per object, even unchanged
    # objects keep their versions
    versions = raw.get("/items", params={"format": "versions"}).json()
    assert versions == {objs[0]["key"]: objs[0]["version"], objs[1]["key"]: objs[1]["version"]}


def test_since_and_format_versions(zotero_client):
    zot = zotero_client
    r1 = zot.create_items([book("A")])
    k1, v1 = r1["successful"]["0"]["key"], r1["successful"]["0"]["version"]
    r2 = zot.create_items([book("B"), book("C")])
    later = {r2["successful"][i]["key"]: r2["successful"][i]["version"] for i in ("0", "1")}
    assert zot.item_versions() == {k1: v1, **later}
    assert zot.item_versions(since=v1) == later  # since=N means version > N
    assert zot.item_versions(newer=v1) == later  # 'newer' is an alias
    assert zot.item_versions(since=max(later.values())) == {}
    coll = zot.create_collections([{"name": "X"}])["successful"]["0"]
    assert zot.collection_versions() == {coll["key"]: coll["version"]}
    assert zot.collection_versions(since=coll["version"]) == {}


def test_if_modified_since_version_gives_304(raw):
    r = raw.post("/items", [book()])
    v = lmv(r)
    r = raw.get("/items", headers={"If-Modified-Since-Version": str(v)})
    assert r.status_code == 304 and lmv(r) == v  # as the real server does
    r = raw.get("/items", headers={"If-Modified-Since-Version": str(v - 1)})
    assert r.status_code == 200


def test_format_keys(raw):
    r = raw.post("/items", [book("A"), book("B")])
    keys = {r.json()["success"]["0"], r.json()["success"]["1"]}
    r = raw.get("/items", params={"format": "keys"})
    assert r.headers["Content-Type"].startswith("text/plain")
    assert set(r.text.strip().split("\n")) == keys


def test_deleted_requires_since(raw):
    r = raw.get("/deleted")
    assert r.status_code == 400 and r.text == "'since' parameter must be provided"
    r = raw.get("/deleted", params={"since": "0"})
    assert r.json() == {"collections": [], "searches": [], "items": [], "tags": [], "settings": []}
    assert "Last-Modified-Version" in r.headers


def test_deleting_a_parent_deletes_its_children(raw):
    parent = raw.post("/items", [book("P")]).json()["successful"]["0"]
    note = {"itemType": "note", "note": "<p>n</p>", "parentItem": parent["key"]}
    child = raw.post("/items", [note]).json()["successful"]["0"]
    assert child["data"]["parentItem"] == parent["key"]
    assert "collections" not in child["data"]  # only top-level items have collections
    before = lmv(raw.get("/items", params={"limit": 1}))
    r = raw.send(
        "DELETE",
        f"/items/{parent['key']}",
        headers={"If-Unmodified-Since-Version": str(parent["version"])},
    )
    assert r.status_code == 204
    assert lmv(r) == before + 1  # a delete bumps the library version once
    assert sorted(raw.get("/deleted", params={"since": before}).json()["items"]) == sorted(
        [parent["key"], child["key"]]
    )


# -- multi-write report -------------------------------------------------------------------


def test_multi_write_report_with_mixed_results(zotero_server, raw):
    existing = raw.post("/items", [book("old")]).json()["successful"]["0"]
    k_new, k_missing = new_keys(2)
    payload = [
        book("ok 1"),  # 0 success
        {"itemType": "book", "publicationTitle": "J"},  # 1 invalid field for type
        book("ok 2", key=k_new, version=0),  # 2 client-made key, version 0
        book("x", collections=["AAAAAAAA"]),  # 3 missing collection
        {"key": existing["key"], "version": 0, "title": "y"},  # 4 version 0 on existing
        {"key": existing["key"], "title": "z"},  # 5 key without version
        {"key": k_missing, "version": 5, "itemType": "book"},  # 6 version > 0 on missing
        {"key": existing["key"], "version": existing["version"] - 1, "title": "q"},  # 7 stale
        {"itemType": "nope"},  # 8 unknown type
    ]
    before = zotero_server.library.version
    r = raw.post("/items", payload)
    assert r.status_code == 200 and r.headers["Content-Type"] == "application/json"
    body = r.json()
    assert sorted(body["successful"]) == ["0", "2"]
    assert body["successful"]["2"]["key"] == k_new
    failed = body["failed"]
    expected = {
        "1": (400, "'publicationTitle' is not a valid field for type 'book'"),
        "3": (409, "Collection AAAAAAAA not found"),
        "4": (
            412,
            f"Item has been modified since specified version (expected 0, found {existing['version']})",
        ),
        "5": (
            428,
            "Either If-Unmodified-Since-Version or 'version' property must be provided for "
            "'key'-based writes",
        ),
        "6": (404, "Item doesn't exist (expected version 5; use 0 instead)"),
        "7": (
            412,
            f"Item has been modified since specified version (expected {existing['version'] - 1}, "
            f"found {existing['version']})",
        ),
        "8": (400, "'nope' is not a valid itemType"),
    }
    assert {i: (f["code"], f["message"]) for i, f in failed.items()} == expected
    assert failed["3"]["data"] == {"collection": "AAAAAAAA"}
    assert all("key" not in f for f in failed.values())  # DS v3 never fills failed[i].key
    # failed objects leave nothing behind; successes were written; 2 bumps
    assert lmv(r) == before + 2
    assert len(zotero_server.library.items) == 3
    assert zotero_server.library.items[existing["key"]].fields["title"] == "old"


def test_batch_limit_413_and_non_array_400(raw, zotero_client):
    r = raw.post("/items", [book(str(i)) for i in range(51)])
    assert r.status_code == 413 and r.text == "Cannot add more than 50 items at a time"
    r = raw.post("/collections", [{"name": str(i)} for i in range(51)])
    assert r.status_code == 413 and r.text == "Cannot add more than 50 collections at a time"
    r = raw.post("/items", book())
    assert r.status_code == 400 and r.text == "Uploaded data must be a JSON array"
    r = raw.post("/items", [book(str(i)) for i in range(50)])
    assert r.status_code == 200 and len(r.json()["successful"]) == 50
    with pytest.raises(ze.TooManyItemsError):  # pyzotero refuses client-side
        zotero_client.create_items([book(str(i)) for i in range(51)])


# -- preconditions --------------------------------------------------------------------------


def test_library_precondition_on_multi_write(raw):
    v = lmv(raw.post("/items", [book("A")]))
    r = raw.post("/items", [book("B")], headers={"If-Unmodified-Since-Version": str(v - 1)})
    assert r.status_code == 412
    assert (
        r.text == f"Library has been modified since specified version (expected {v - 1}, found {v})"
    )
    assert lmv(r) == v  # the library's version (DS-T "should include library version for 412")
    r = raw.post("/items", [book("B")], headers={"If-Unmodified-Since-Version": "0"})
    assert r.status_code == 412  # DS-T: header 0 on a non-empty library
    r = raw.post("/items", [book("B")], headers={"If-Unmodified-Since-Version": str(v)})
    assert r.status_code == 200 and lmv(r) == v + 1


def test_key_based_writes_without_version_pass_with_library_header(raw):
    objs = raw.post("/items", [book("A"), book("B")]).json()["successful"]
    v = max(o["version"] for o in objs.values())
    patch = [{"key": o["key"], "title": o["data"]["title"] + "!"} for o in objs.values()]
    r = raw.post("/items", patch, headers={"If-Unmodified-Since-Version": str(v)})
    assert sorted(r.json()["successful"]) == ["0", "1"]


def test_single_object_preconditions(raw):
    item = raw.post("/items", [book("A")]).json()["successful"]["0"]
    key, v = item["key"], item["version"]
    r = raw.send("PATCH", f"/items/{key}", {"title": "B"})
    assert r.status_code == 428
    assert r.text == (
        "Either If-Unmodified-Since-Version or object version property must be provided "
        "for key-based writes"
    )
    r = raw.send(
        "PATCH",
        f"/items/{key}",
        {"title": "B"},
        headers={"If-Unmodified-Since-Version": str(v - 1)},
    )
    assert r.status_code == 412
    assert r.text == f"Item has been modified since specified version (expected {v - 1}, found {v})"
    assert lmv(r) == v  # 412 carries the object version (DS-T)
    r = raw.send(
        "PUT",
        f"/items/{key}",
        {**item["data"], "version": v},
        headers={"If-Unmodified-Since-Version": str(v - 1)},
    )
    assert r.status_code == 400 and "Last-Modified-Version" not in r.headers
    r = raw.send("DELETE", f"/items/{key}")
    assert r.status_code == 428
    assert r.text == "If-Unmodified-Since-Version must be provided for delete requests"
    r = raw.send(
        "PATCH", "/items/TPMBJWVH", {"title": "x"}, headers={"If-Unmodified-Since-Version": "123"}
    )
    assert r.status_code == 404  # DS-T: PATCH missing object with version > 0
    r = raw.send("PATCH", "/items/TPMBWVZH", book(), headers={"If-Unmodified-Since-Version": "0"})
    assert r.status_code == 204  # creates it
    r = raw.send(
        "PATCH", f"/items/{key}", {"title": "C"}, headers={"If-Unmodified-Since-Version": str(v)}
    )
    assert r.status_code == 204 and lmv(r) > v
    assert raw.get(f"/items/{key}").json()["version"] == lmv(r)


def test_multi_delete_needs_library_version(zotero_client, raw):
    zot = zotero_client
    rep = zot.create_items([book("A"), book("B"), book("C")])
    items = [zot.item(rep["success"][i]) for i in ("0", "1", "2")]
    keys = ",".join(i["key"] for i in items[:2])
    r = raw.send("DELETE", "/items", params={"itemKey": keys})
    assert r.status_code == 428
    v = zot.last_modified_version()
    r = raw.send(
        "DELETE",
        "/items",
        params={"itemKey": keys},
        headers={"If-Unmodified-Since-Version": str(v - 1)},
    )
    assert r.status_code == 412
    # pyzotero's delete_item(list) sends the FIRST ITEM's version (urschrei/pyzotero#145)
    with pytest.raises(ze.PreConditionFailedError):
        zot.delete_item(items[:2])
    assert zot.delete_item(items[:2], last_modified=v) is True
    assert zot.item_versions() == {items[2]["key"]: items[2]["version"]}
    assert sorted(zot.deleted(since=v)["items"]) == sorted(i["key"] for i in items[:2])


# -- pagination ---------------------------------------------------------------------------------


def _links(resp: httpx2.Response) -> dict[str, str]:
    out = {}
    for part in resp.headers["Link"].split(", "):
        m = re.match(r'<([^>]*)>; rel="(\w+)"', part)
        assert m, part
        out[m.group(2)] = m.group(1)
    return out


def test_everything_pages_through_250_items(zotero_server, zotero_client):
    zot = zotero_client
    for start in range(0, 250, 50):
        zot.create_items([book(f"t{start + i}") for i in range(50)])
    zotero_server.clear_log()
    items = zot.everything(zot.top())
    assert len(items) == 250 and len({i["key"] for i in items}) == 250
    gets = [r for r in zotero_server.requests if r.method == "GET"]
    assert len(gets) == 3  # limit=100: pages of 100, 100, 50
    assert zot.num_items() == 250


def test_link_header_keeps_non_default_parameters(zotero_server, raw):
    lib = zotero_server.library
    for i in range(30):
        lib.add_item({"itemType": "book" if i % 2 else "journalArticle", "title": f"t{i}"})
    since = 4
    r = raw.get(
        "/items/top", params={"since": since, "limit": 5, "itemType": "book", "format": "keys"}
    )
    assert r.status_code == 200
    total = int(r.headers["Total-Results"])
    assert total == sum(
        1 for it in lib.items.values() if it.item_type == "book" and it.version > since
    )
    links = _links(r)
    assert set(links) == {"next", "last", "alternate"}
    for rel in ("next", "last"):
        url = urlsplit(links[rel])
        assert url.path == f"/groups/{zotero_server.group_id}/items/top"
        q = parse_qs(url.query)
        assert q["since"] == [str(since)] and q["limit"] == ["5"]
        assert q["itemType"] == ["book"] and q["format"] == ["keys"]
    assert parse_qs(urlsplit(links["next"]).query)["start"] == ["5"]
    # following next keeps going until there is no next; pages add up to the total
    seen: list[str] = []
    url: str | None = links["next"]
    seen += r.text.split()
    while url:
        page = raw.client.get(url, headers=raw.headers())
        seen += page.text.split()
        url = _links(page).get("next")
        if url:
            assert {"first", "prev"} <= set(_links(page))
    assert len(seen) == len(set(seen)) == total


def test_limits_and_versions_are_not_paginated(zotero_server, raw):
    for i in range(120):
        zotero_server.library.add_item(book(f"t{i}"))
    r = raw.get("/items")
    assert len(r.json()) == 25 and r.headers["Total-Results"] == "120"  # default limit 25
    r = raw.get("/items", params={"limit": 500})
    assert len(r.json()) == 100  # clamped to 100
    r = raw.get("/items", params={"format": "versions"})
    assert len(r.json()) == 120  # format=versions has no default limit


def test_sorting(zotero_server, raw):
    lib = zotero_server.library
    for title in ("banana", "apple", "cherry"):
        lib.add_item(book(title))
    r = raw.get("/items", params={"sort": "title", "format": "json"})
    assert [i["data"]["title"] for i in r.json()] == ["apple", "banana", "cherry"]
    r = raw.get("/items", params={"sort": "title", "direction": "desc"})
    assert [i["data"]["title"] for i in r.json()] == ["cherry", "banana", "apple"]
    r = raw.get("/items", params={"sort": "dateAdded", "direction": "asc"})
    assert [i["data"]["title"] for i in r.json()] == ["banana", "apple", "cherry"]
    r = raw.get("/items", params={"sort": "bogus"})
    assert r.status_code == 400 and r.text == "Invalid 'sort' value 'bogus'"


def test_item_key_filter_and_trash(raw):
    objs = raw.post("/items", [book("A"), book("B", deleted=1)]).json()["successful"]
    a, b = objs["0"], objs["1"]
    assert b["data"]["deleted"] == 1
    keys = f"{a['key']},{b['key']}"
    assert [i["key"] for i in raw.get("/items", params={"itemKey": keys}).json()] == [a["key"]]
    both = raw.get("/items", params={"itemKey": keys, "includeTrashed": 1}).json()
    assert {i["key"] for i in both} == {a["key"], b["key"]}
    assert [i["key"] for i in raw.get("/items/trash").json()] == [b["key"]]
    assert raw.get("/items", params={"itemKey": "bad"}).status_code == 400


# -- validation ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("obj", "message"),
    [
        (
            {"itemType": "preprint", "publisher": "arXiv"},
            "'publisher' is not a valid field for type 'preprint'",
        ),
        (
            {"itemType": "computerProgram", "repository": "x"},
            "'repository' is not a valid field for type 'computerProgram'",
        ),
        ({"itemType": "book", "foo": "bar"}, "Invalid property 'foo'"),
        ({"title": "no type"}, "'itemType' property not provided"),
        (
            {
                "itemType": "book",
                "creators": [{"creatorType": "programmer", "lastName": "X", "firstName": ""}],
            },
            "'programmer' is not a valid creator type for item type 'book'",
        ),
        (
            {"itemType": "book", "creators": [{"creatorType": "wizard", "name": "X"}]},
            "'wizard' is not a valid creator type",
        ),
        (
            {
                "itemType": "book",
                "creators": [
                    {"creatorType": "author", "firstName": "A", "lastName": "B", "name": "C"}
                ],
            },
            "'firstName' and 'name' creator fields are mutually exclusive",
        ),
        (
            {"itemType": "book", "creators": [{"creatorType": "author", "firstName": "A"}]},
            "'lastName' creator field must be set if 'firstName' is set",
        ),
        (
            {"itemType": "book", "tags": [{"tag": "a", "colour": 1}]},
            "Invalid tag property 'colour'",
        ),
        ({"itemType": "book", "key": "abc"}, "'abc' is not a valid item key"),
        (
            {"itemType": "book", "note": "x"},
            "'note' property is valid only for note and attachment items",
        ),
        (
            {"itemType": "book", "accessDate": "February 1, 2014"},
            "'accessDate' must be in ISO 8601 or UTC 'YYYY-MM-DD[ hh:mm:ss]' format or "
            "'CURRENT_TIMESTAMP' (February 1, 2014)",
        ),
    ],
)
def test_validation_messages(raw, obj, message):
    r = raw.post("/items", [obj])
    failed = r.json()["failed"]
    assert failed["0"]["code"] == 400
    # messages are HTML-escaped with ENT_COMPAT: single quotes stay as they are
    assert failed["0"]["message"] == message


def test_valid_writes_that_look_odd(raw):
    # an empty value for a field of another type is tolerated; author is allowed for every type
    objs = [
        {"itemType": "book", "publicationTitle": "", "citationKey": "k1"},
        {"itemType": "computerProgram", "creators": [{"creatorType": "author", "name": "Org"}]},
        {
            "itemType": "book",
            "creators": [{"creatorType": "author", "firstName": "", "lastName": ""}],
        },
        {"itemType": "book", "accessDate": "2014-02-01T01:23:45-0400", "numPages": 200},
    ]
    body = raw.post("/items", objs).json()
    assert body["failed"] == {}
    assert body["successful"]["0"]["data"]["citationKey"] == "k1"
    assert (
        body["successful"]["2"]["data"]["creators"] == []
    )  # single empty template creator ignored
    assert body["successful"]["3"]["data"]["accessDate"] == "2014-02-01T05:23:45Z"  # DS-T
    for item_type in (
        "journalArticle",
        "conferencePaper",
        "preprint",
        "blogPost",
        "computerProgram",
        "webpage",
        "presentation",
        "book",
        "report",
    ):
        r = raw.post("/items", [{"itemType": item_type, "citationKey": f"key-{item_type}"}]).json()
        assert r["failed"] == {}, item_type


def test_collections_validation_and_hierarchy(zotero_client, raw):
    zot = zotero_client
    rep = zot.create_collections([{"name": "Parent"}])
    parent = rep["successful"]["0"]
    assert parent["data"]["parentCollection"] is False
    rep = zot.create_collections(
        [
            {"name": "Child", "parentCollection": parent["key"]},
            {"name": "Orphan", "parentCollection": "GDHRG8AZ"},
        ]
    )
    child = rep["successful"]["0"]
    assert child["data"]["parentCollection"] == parent["key"]
    assert rep["failed"]["1"]["code"] == 409
    assert rep["failed"]["1"]["message"] == "Parent collection GDHRG8AZ not found"
    assert rep["failed"]["1"]["data"] == {"collection": "GDHRG8AZ"}
    r = raw.post("/collections", [{"name": "1" * 256}])
    assert r.json()["failed"]["0"]["code"] == 413
    assert [c["key"] for c in zot.collections_sub(parent["key"])] == [child["key"]]
    assert [c["key"] for c in zot.collections_top()] == [parent["key"]]
    assert zot.collection(parent["key"])["meta"]["numCollections"] == 1

    item = zot.item(zot.create_items([book("in coll", collections=[child["key"]])])["success"]["0"])
    assert [i["key"] for i in zot.collection_items(child["key"])] == [item["key"]]
    assert zot.collection(child["key"])["meta"]["numItems"] == 1
    assert zot.addto_collection(parent["key"], item) is True
    item = zot.item(item["key"])
    assert sorted(item["data"]["collections"]) == sorted([parent["key"], child["key"]])
    assert zot.deletefrom_collection(child["key"], item) is True
    item = zot.item(item["key"])
    assert item["data"]["collections"] == [parent["key"]]

    coll = zot.collection(parent["key"])
    coll["data"]["name"] = "Renamed"
    assert zot.update_collection(coll["data"]) is True
    coll = zot.collection(parent["key"])
    assert coll["data"]["name"] == "Renamed"
    # deleting a collection cascades to subcollections; items only lose membership
    assert zot.delete_collection(coll) is True
    assert zot.collections() == []
    assert zot.item(item["key"])["data"]["collections"] == []
    assert sorted(zot.deleted(since=0)["collections"]) == sorted([parent["key"], child["key"]])


# -- auth ---------------------------------------------------------------------------------


def test_key_transports(zotero_server):
    client = http_client(zotero_server)
    path = f"/groups/{zotero_server.group_id}/items"
    assert client.get(path, headers={"Zotero-API-Key": DEFAULT_KEY}).status_code == 200
    assert client.get(path, headers={"Authorization": f"Bearer {DEFAULT_KEY}"}).status_code == 200
    assert client.get(path, params={"key": DEFAULT_KEY}).status_code == 200
    r = client.get(path)
    assert r.status_code == 403  # private group, no key
    r = client.get(path, headers={"Zotero-API-Key": "wrongkey123"})
    assert r.status_code == 403 and r.text == "Invalid key"
    r = client.post(path, content="[]", headers={"Content-Type": "application/json"})
    assert r.status_code == 403 and r.text == "An API key is required for write requests."


def test_read_only_key(zotero_server):
    zot = make_zotero(zotero_server, READONLY_KEY)
    assert zot.items() == []
    with pytest.raises(ze.UserNotAuthorisedError, match="Write access denied"):
        zot.create_items([book()])
    info = zot.key_info()
    assert info["key"] == READONLY_KEY
    assert info["access"]["groups"][str(zotero_server.group_id)] == {
        "library": True,
        "write": False,
    }
    rw = make_zotero(zotero_server).key_info()
    assert rw["access"]["groups"][str(zotero_server.group_id)] == {"library": True, "write": True}


def test_keys_current_and_custom_permissions():
    server = ZoteroServer(
        group_id=99, api_keys={"K1": Permission(read=True, write=False, user_id=7)}
    )
    with server:
        client = http_client(server)
        r = client.get("/keys/current", headers={"Zotero-API-Key": "K1"})
        assert r.json()["userID"] == 7 and r.json()["access"]["groups"]["99"]["write"] is False
        assert client.get("/keys/nokey").status_code == 404
        r = client.post("/groups/99/items", content="[]", headers={"Zotero-API-Key": "K1"})
        assert r.status_code == 403 and r.text == "Write access denied"
        # the key owner's user library works too
        zot = make_zotero(server, "K1", library_type="user")
        assert zot.items() == []


def test_write_token(raw):
    h = {"Zotero-Write-Token": "a" * 32}
    assert raw.post("/items", [book()], headers=h).status_code == 200
    r = raw.post("/items", [book()], headers=h)
    assert r.status_code == 412 and r.text == "Write token already used"
    # a failed request does not store its token
    h2 = {"Zotero-Write-Token": "b" * 32, "If-Unmodified-Since-Version": "0"}
    assert raw.post("/items", [book()], headers=h2).status_code == 412
    assert raw.post("/items", [book()], headers={"Zotero-Write-Token": "b" * 32}).status_code == 200
    r = raw.post("/items", [book()], headers={"Zotero-Write-Token": "abc"})
    assert r.status_code == 400 and r.text == "Write token must be 5-32 characters in length"


# -- faults ----------------------------------------------------------------------------------


def test_rate_limit_on_read_is_retried_and_honoured(zotero_server, zotero_client):
    zotero_server.library.add_item(book())
    fault = zotero_server.faults.rate_limit(2, retry_after=0.1, method="GET", path=r"/items$")
    t0 = time.monotonic()
    items = zotero_client.items()
    assert len(items) == 1
    assert fault.fired == 2 and fault.remaining == 0
    assert time.monotonic() - t0 >= 0.2
    assert [r.status for r in zotero_server.requests] == [429, 429, 200]
    resp_headers = zotero_server.request_log[0].response_headers
    assert resp_headers["Retry-After"] == "0.1"
    assert zotero_server.unhonoured_waits() == []


def test_rate_limit_on_create_items_is_not_retried_by_pyzotero(zotero_server, zotero_client):
    zotero_server.faults.rate_limit(1, retry_after=0.1, method="POST")
    with pytest.raises(json.JSONDecodeError):  # pyzotero 1.16 trap (reference section 3)
        zotero_client.create_items([book()])
    assert zotero_server.library.items == {}


def test_unavailable_503(zotero_server, zotero_client, raw):
    zotero_server.faults.unavailable(1, retry_after=0.1)
    with pytest.raises(ze.HTTPError):
        zotero_client.items()
    zotero_server.faults.unavailable(1, retry_after=3)
    r = raw.get("/items")
    assert r.status_code == 503 and r.headers["Retry-After"] == "3"


def test_429_and_503_may_come_without_retry_after(zotero_server, zotero_client, raw):
    zotero_server.faults.rate_limit(1, retry_after=None, method="GET")
    r = raw.get("/items")
    assert r.status_code == 429 and "Retry-After" not in r.headers
    zotero_server.faults.rate_limit(1, retry_after=None, method="GET")
    with pytest.raises(ze.TooManyRetriesError):  # pyzotero gives up at once: no wait named
        zotero_client.items()
    zotero_server.faults.unavailable(1, retry_after=None)
    r = raw.get("/items")
    assert r.status_code == 503 and "Retry-After" not in r.headers
    assert zotero_server.faults.waits == []  # nothing asked, nothing to honour


def test_linked_url_attachments_are_child_items(zotero_server, zotero_client, raw):
    parent = raw.post("/items", [book("P")]).json()["successful"]["0"]["key"]
    link = zotero_client.item_template("attachment", "linked_url")
    link.update(title="arXiv.org Link", url="https://arxiv.org/abs/1706.03762")
    report = zotero_client.create_items([link], parentid=parent)
    assert report["successful"]["0"]["data"]["linkMode"] == "linked_url"
    # empty storage properties are ignored, as by the real server; a value is refused
    empty = {**link, "parentItem": parent, "filename": "", "md5": None, "mtime": None, "path": ""}
    assert raw.post("/items", [empty]).json()["successful"]
    r = raw.post(
        "/items", [{**link, "parentItem": parent, "md5": "c7487a750a97722ae1878ed46b215ebe"}]
    )
    assert r.json()["failed"]["0"]["message"] == (
        "'md5' is valid only for imported and embedded-image attachments"
    )
    assert zotero_client.item(parent)["meta"]["numChildren"] == 2


def test_backoff_header_is_honoured(zotero_server, zotero_client):
    zotero_server.faults.backoff(0.15, method="GET")
    zotero_client.items()
    zotero_client.items()
    log = zotero_server.request_log
    assert log[0].response_headers["Backoff"] == "0.15"
    assert log[1].arrived_at - log[0].finished_at >= 0.14
    assert zotero_server.unhonoured_waits() == []


def test_unhonoured_wait_is_detected(zotero_server, raw):
    zotero_server.faults.backoff(5, method="GET")
    raw.get("/items")
    raw.get("/items")  # raw client ignores Backoff
    problems = zotero_server.unhonoured_waits()
    assert len(problems) == 1 and problems[0].startswith("Backoff: 5.0s")


def test_drop_after_write_commits_then_retry_with_version_0_is_safe(zotero_server, zotero_client):
    zot = zotero_client
    keys = new_keys(2)
    payload = [book("one", key=keys[0], version=0), book("two", key=keys[1], version=0)]
    fault = zotero_server.faults.drop_after_write(1, method="POST")
    with pytest.raises(httpx2.TransportError):
        zot.create_items(payload)
    assert fault.fired == 1
    assert set(zotero_server.library.items) == set(keys)  # the write happened
    # a retry of the same creates finds them: per-object 412, no duplicates
    report = zot.create_items(payload)
    assert sorted(report["failed"]) == ["0", "1"]
    assert {f["code"] for f in report["failed"].values()} == {412}
    assert len(zotero_server.library.items) == 2


def test_drop_before_processing_writes_nothing(zotero_server, zotero_client):
    zotero_server.faults.drop(1, method="POST")
    with pytest.raises(httpx2.TransportError):
        zotero_client.create_items([book()])
    assert zotero_server.library.items == {}
    assert zotero_client.create_items([book()])["successful"]


def test_race_makes_the_write_fail_412(zotero_server, zotero_client):
    zot = zotero_client
    first = zot.create_items([book("mine")])["successful"]["0"]
    v = zot.last_modified_version()
    zotero_server.faults.race(
        lambda lib: lib.update_item(first["key"], title="theirs"), method="POST"
    )
    with pytest.raises(ze.PreConditionFailedError, match="Library has been modified"):
        zot.create_items([book("second")], last_modified=v)
    assert zotero_server.library.version > v
    assert zotero_server.library.items[first["key"]].fields["title"] == "theirs"
    # a versioned single-object write races too
    item = zot.item(first["key"])
    zotero_server.faults.race(lambda lib: lib.update_item(first["key"], extra="x"), method="PATCH")
    item["data"]["title"] = "mine again"
    with pytest.raises(ze.PreConditionFailedError):
        zot.update_item(item)


def test_delay_fault(zotero_server, raw):
    zotero_server.faults.delay(0.15, method="GET")
    t0 = time.monotonic()
    assert raw.get("/items").status_code == 200
    assert time.monotonic() - t0 >= 0.15


def test_schema_loader_matches_file():
    schema = Schema.load()
    assert schema.version == SCHEMA["version"] == 41
    assert set(schema.item_types) == set(SCHEMA_TYPES)


def test_concurrent_writes_with_one_version_only_one_wins(zotero_server):
    raws = [Raw(zotero_server) for _ in range(4)]
    v = lmv(raws[0].post("/items", [book("seed")]))

    def post(r: Raw) -> int:
        h = {"If-Unmodified-Since-Version": str(v)}
        return r.post("/items", [book("racer")], headers=h).status_code

    with ThreadPoolExecutor(4) as pool:
        statuses = sorted(pool.map(post, raws))
    assert statuses == [200, 412, 412, 412]  # DS-T: 4 concurrent POSTs, one 200
    assert len(zotero_server.library.items) == 2


def test_pyzotero_update_items_hides_per_object_failures(zotero_server, zotero_client):
    zot = zotero_client
    items = [zot.item(k) for k in zot.create_items([book("A"), book("B")])["success"].values()]
    items[0]["data"]["title"] = "A2"
    items[1]["data"]["version"] = 1  # stale: that object fails with 412 inside a 200
    assert zot.update_items([items[0]["data"], items[1]["data"]]) is True
    report = zotero_server.request_log[-1]
    assert report.method == "POST" and report.status == 200
    assert zot.item(items[0]["key"])["data"]["title"] == "A2"
    assert zotero_server.library.items[items[1]["key"]].fields["title"] == "B"


def test_children_and_top(zotero_client):
    zot = zotero_client
    parent = zot.create_items([book("P")])["success"]["0"]
    child_report = zot.create_items([{"itemType": "note", "note": "<p>n</p>"}], parentid=parent)
    child = child_report["success"]["0"]
    assert [i["key"] for i in zot.children(parent)] == [child]
    assert [i["key"] for i in zot.top()] == [parent]
    assert {i["key"] for i in zot.items()} == {parent, child}
    assert zot.item(parent)["meta"]["numChildren"] == 1
    up = zot.item(child)["links"]["up"]["href"]
    assert up.endswith(f"/items/{parent}")
    # a regular item cannot be a child; a note cannot be in a collection as a child
    rep = zot.create_items([book("C", parentItem=parent)])
    assert rep["failed"]["0"]["message"] == "Child item must be note, attachment, or annotation"


def test_public_group_and_user_library():
    with ZoteroServer(public_read=True) as server:
        anon = http_client(server)
        path = f"/groups/{server.group_id}/items"
        assert anon.get(path).status_code == 200
        r = anon.post(path, content="[]")
        assert r.status_code == 403
        own = make_zotero(server, DEFAULT_KEY, library_type="user")
        rep = own.create_items([book("mine")])
        assert rep["successful"]["0"]["library"]["type"] == "user"
        assert len(server.user_library().items) == 1 and server.library.items == {}
