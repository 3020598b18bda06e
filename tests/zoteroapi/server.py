"""A local Zotero Web API v3 server for tests (stdlib ``http.server`` only).

Real pyzotero talks to it over real HTTP on 127.0.0.1.  Behaviour follows
``shared/reference/zotero-api.md`` (which cites the API docs, the dataserver code
and its remote test suite); deliberate deviations are listed in
``tests/zoteroapi/README.md``.
"""

from __future__ import annotations

import contextlib
import json
import random
import re
import socket
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, NamedTuple
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit

from .faults import SHORT_CIRCUIT, FaultInjector
from .library import (
    MAX_WRITE_OBJECTS,
    ApiError,
    Collection,
    Item,
    Library,
    html_escape,
    is_valid_key,
)
from .schema import LINK_MODES, Schema

DEFAULT_GROUP_ID = 12345
DEFAULT_USER_ID = 4242
DEFAULT_USERNAME = "atbib-tester"
#: API keys are alphanumeric (the dataserver's Bearer parser accepts ``[a-z0-9]+``).
DEFAULT_KEY = "atbibTestKeyReadWrite001"
READONLY_KEY = "atbibTestKeyReadOnly0001"
MAX_OBJECT_KEYS = 50  # docs: up to 50 keys per itemKey/collectionKey (DS allows 100)
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
ITEM_SORTS = (
    "title",
    "creator",
    "itemType",
    "date",
    "publisher",
    "publicationTitle",
    "journalAbbreviation",
    "language",
    "accessDate",
    "libraryCatalog",
    "callNumber",
    "rights",
    "extra",
    "dateAdded",
    "dateModified",
    "addedBy",
    "numItems",
    "serverDateModified",
    "collectionKeyList",
    "itemKeyList",
    "searchKeyList",
)
EXPORT_FORMATS = (
    "bibtex",
    "biblatex",
    "bookmarks",
    "coins",
    "csljson",
    "csv",
    "mods",
    "refer",
    "rdf_bibliontology",
    "rdf_dc",
    "rdf_zotero",
    "ris",
    "tei",
    "wikipedia",
)


@dataclass(frozen=True)
class Permission:
    """What an API key may do.  It applies to every group on the server and to
    the key owner's own user library (``/users/<user_id>``)."""

    read: bool = True
    write: bool = False
    user_id: int = DEFAULT_USER_ID
    username: str = DEFAULT_USERNAME


class RequestRecord(NamedTuple):
    method: str
    path: str
    query: dict[str, str]
    status: int


@dataclass
class RequestDetail:
    """Everything the server saw and did for one request."""

    index: int
    method: str
    path: str
    query: dict[str, str]
    query_string: str
    headers: dict[str, str]
    body: bytes
    arrived_at: float
    status: int = 0
    response_headers: dict[str, str] = field(default_factory=dict)
    finished_at: float = 0.0
    dropped: bool = False
    faults: list[str] = field(default_factory=list)

    @property
    def record(self) -> RequestRecord:
        return RequestRecord(self.method, self.path, self.query, self.status)

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


@dataclass
class Request:
    method: str
    path: str
    query_string: str
    pairs: list[tuple[str, str]]
    headers: Mapping[str, str]
    body: bytes

    def param(self, name: str) -> str | None:
        value = None
        for k, v in self.pairs:
            if k == name:
                value = v
        return value

    def params(self, name: str) -> list[str]:
        return [v for k, v in self.pairs if k == name]

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


@dataclass
class Response:
    status: int
    body: bytes = b""
    content_type: str | None = None
    headers: dict[str, str] = field(default_factory=dict)


def json_response(
    obj: Any, status: int = 200, headers: Mapping[str, str] | None = None
) -> Response:
    body = json.dumps(obj, ensure_ascii=False, indent=2).encode("utf-8")
    return Response(status, body, "application/json", dict(headers or {}))


def empty_response(status: int, headers: Mapping[str, str] | None = None) -> Response:
    return Response(status, b"", None, dict(headers or {}))


def _fmt_seconds(seconds: float) -> str:
    return str(int(seconds)) if float(seconds).is_integer() else repr(float(seconds))


@dataclass
class Auth:
    key: str | None
    perm: Permission | None


@dataclass
class Params:
    """Parsed query parameters (DS Zotero_API::parseQueryParams)."""

    format: str = "json"
    limit: int = 25
    start: int = 0
    since: int | None = None
    sort: str = "dateModified"
    direction: str = "desc"
    include_trashed: bool = False
    item_keys: list[str] | None = None
    collection_keys: list[str] | None = None
    search_keys: list[str] | None = None
    item_type: str | None = None
    q: str = ""
    qmode: str = "titlecreatoryear"
    tags: list[str] = field(default_factory=list)
    locale: str = "en-US"
    non_default: dict[str, str] = field(default_factory=dict)


def _php_int(value: str) -> int:
    m = re.match(r"\s*([+-]?\d+)", value)
    return int(m.group(1)) if m else 0


def _default_direction(sort: str) -> str:
    return "desc" if sort.startswith("date") else "asc"


def parse_params(action: str, req: Request, single: bool) -> Params:
    raw: dict[str, str] = {}
    for k, v in req.pairs:
        raw[k] = v
    p = Params()
    nd: dict[str, str] = {}
    if "newer" in raw and "since" not in raw:
        raw["since"] = raw["newer"]
    if "order" in raw:
        if raw["order"] in ("asc", "desc"):
            raw["direction"] = raw["order"]
        else:
            if raw.get("sort") in ("asc", "desc"):
                raw["direction"] = raw["sort"]
            raw["sort"] = raw["order"]

    api_v = raw.get("v")
    if api_v and api_v != "3":
        raise ApiError(
            400,
            f"Invalid API version '{api_v}'"
            if api_v not in ("1", "2")
            else "Only API version 3 is implemented by this test server",
        )

    fmt = raw.get("format") or "json"
    if raw.get("format"):
        if action == "items":
            if fmt in ("atom", "bib", *EXPORT_FORMATS):
                raise ApiError(501, f"format={fmt} is not implemented by this test server")
            if fmt not in ("json", "keys", "versions") or (single and fmt != "json"):
                raise ApiError(400, f"Invalid 'format' value '{fmt}'")
        elif action in ("collections", "searches") and (
            fmt not in ("json", "keys", "versions") or (single and fmt != "json")
        ):
            raise ApiError(400, f"Invalid 'format' value '{fmt}'")
    p.format = fmt
    if fmt != "json":
        nd["format"] = fmt
    default_limit = 0 if fmt in ("keys", "versions") else 25
    limit_max = 0 if fmt in ("keys", "versions") else 100
    p.limit = default_limit

    include = raw.get("include")
    if include:
        if fmt != "json":
            raise ApiError(400, "'include' is valid only for format=json")
        for inc in include.split(","):
            if inc == "data":
                continue
            if inc in ("bib", "citation", "html", "csljson", "none", *EXPORT_FORMATS):
                raise ApiError(501, f"include={inc} is not implemented by this test server")
            raise ApiError(400, f"Invalid 'include' value '{inc}'")
    if raw.get("content"):
        raise ApiError(400, "'content' is valid only for format=atom")

    if raw.get("locale"):
        p.locale = raw["locale"]
        if p.locale != "en-US":
            nd["locale"] = p.locale
    if raw.get("q"):
        p.q = raw["q"]
        nd["q"] = p.q
    if raw.get("qmode"):
        valid = (
            ("contains", "startswith") if action == "tags" else ("titlecreatoryear", "everything")
        )
        if raw["qmode"].lower() not in valid:
            raise ApiError(400, f"Invalid 'qmode' value '{raw['qmode']}'")
        p.qmode = raw["qmode"].lower()
        nd["qmode"] = p.qmode
    if "includeTrashed" in raw:
        p.include_trashed = raw["includeTrashed"] not in ("", "0")
        if p.include_trashed:
            nd["includeTrashed"] = "1"
    if raw.get("itemType"):
        p.item_type = raw["itemType"]
        nd["itemType"] = p.item_type

    forced_limit = False
    for name in ("itemKey", "collectionKey", "searchKey"):
        if name not in raw:
            continue
        value = raw[name]
        keys = value.strip(",").split(",")
        for k in keys:
            if not is_valid_key(k):
                raise ApiError(400, f"Invalid '{name}' value '{value}'")
        if len(keys) > MAX_OBJECT_KEYS:
            raise ApiError(400, f"Cannot specify more than {MAX_OBJECT_KEYS} keys in '{name}'")
        setattr(
            p,
            {"itemKey": "item_keys", "collectionKey": "collection_keys"}.get(name, "search_keys"),
            keys,
        )
        nd[name] = ",".join(keys)
        p.limit = 100  # DS forces MAX_OBJECT_KEYS as the limit for key lists
        forced_limit = True
    tags = req.params("tag")
    if tags:
        p.tags = [t for t in tags if t.strip()]
        if p.tags:
            nd["tag"] = ",".join(p.tags)

    if "since" in raw:
        if not re.fullmatch(r"\s*[+-]?\d+(\.\d*)?\s*", raw["since"]):
            raise ApiError(400, "Invalid value for 'since' parameter")
        p.since = int(float(raw["since"]))
        if raw["since"] != "0":
            nd["since"] = raw["since"]

    if raw.get("sort"):
        sort = raw["sort"]
        if sort in ("asc", "desc"):
            raw["direction"] = sort
        else:
            if sort not in ITEM_SORTS:
                raise ApiError(400, f"Invalid 'sort' value '{sort}'")
            if sort == "numItems" and action != "tags":
                raise ApiError(400, f"Invalid 'order' value '{sort}'")
            if sort == "itemKeyList" and p.item_keys is None:
                raise ApiError(400, "order=itemKeyList requires the itemKey parameter")
            if sort == "collectionKeyList" and p.collection_keys is None:
                raise ApiError(400, "order=collectionKeyList requires the collectionKey parameter")
            p.sort = sort
            p.direction = _default_direction(sort)
            if sort != "dateModified":
                nd["sort"] = sort
    if raw.get("direction"):
        if raw["direction"] not in ("asc", "desc"):
            raise ApiError(400, f"Invalid 'direction' value '{raw['direction']}'")
        p.direction = raw["direction"]
    if p.direction != _default_direction(p.sort):
        nd["direction"] = p.direction
    if raw.get("start"):
        p.start = max(_php_int(raw["start"]), 0)
        if p.start:
            nd["start"] = str(p.start)
    if raw.get("limit") and not forced_limit:
        limit_value = _php_int(raw["limit"])
        if limit_max and limit_value > limit_max:
            p.limit = limit_max
        elif limit_value > 0:
            p.limit = limit_value
    if p.limit != default_limit:
        nd["limit"] = str(p.limit)
    p.non_default = nd
    return p


def build_query_string(params: Mapping[str, str]) -> str:
    if not params:
        return ""
    return "?" + urlencode(sorted(params.items()))


def build_link_header(base: str, www_path: str, total: int, p: Params) -> str:
    """DS Zotero_API::buildLinks/buildLinkHeader."""
    nd = dict(p.non_default)
    links: dict[str, str] = {}
    links["self"] = base + build_query_string(nd)
    first = dict(nd)
    first.pop("start", None)
    links["first"] = base + build_query_string(first)
    if p.start:
        prev = dict(nd)
        prev_start = p.start - p.limit
        if prev_start <= 0:
            prev.pop("start", None)
        else:
            prev["start"] = str(prev_start)
        links["prev"] = base + build_query_string(prev)
    if not p.start and p.limit >= total:
        links["last"] = links["self"]
    elif p.limit != 0:
        if p.start >= total:
            last_start = total - p.limit
        else:
            last_start = total - (total % p.limit)
            if last_start == total:
                last_start = total - p.limit
        last = dict(nd)
        if last_start > 0:
            last["start"] = str(last_start)
        else:
            last.pop("start", None)
        links["last"] = base + build_query_string(last)
        next_start = p.start + p.limit
        if next_start < total:
            nxt = dict(nd)
            nxt["start"] = str(next_start)
            links["next"] = base + build_query_string(nxt)
    parts = []
    if links["first"] != links["self"]:
        parts.append(f'<{links["first"]}>; rel="first"')
    if "prev" in links:
        parts.append(f'<{links["prev"]}>; rel="prev"')
    if "next" in links:
        parts.append(f'<{links["next"]}>; rel="next"')
    if "last" in links and links["last"] != links["self"]:
        parts.append(f'<{links["last"]}>; rel="last"')
    parts.append(f'<https://www.zotero.org{www_path}>; rel="alternate"')
    return ", ".join(parts)


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9_]", "", name.lower().replace(" ", "_")) or "group"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "ZoteroTestServer/1"
    sys_version = ""
    # Headers and body go out in separate writes; without TCP_NODELAY every
    # keep-alive response waits ~40 ms for a delayed ACK.
    disable_nagle_algorithm = True
    app: ZoteroServer

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _read_body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks = []
            while True:
                size_line = self.rfile.readline().strip()
                size = int(size_line.split(b";")[0] or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            return b"".join(chunks)
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def do_GET(self) -> None:
        self.app._serve(self, "GET")

    def do_HEAD(self) -> None:
        self.app._serve(self, "HEAD")

    def do_POST(self) -> None:
        self.app._serve(self, "POST")

    def do_PUT(self) -> None:
        self.app._serve(self, "PUT")

    def do_PATCH(self) -> None:
        self.app._serve(self, "PATCH")

    def do_DELETE(self) -> None:
        self.app._serve(self, "DELETE")

    def do_OPTIONS(self) -> None:
        self.app._serve(self, "OPTIONS")


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    block_on_close = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.open_sockets: set[socket.socket] = set()
        self._sockets_lock = threading.Lock()

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._sockets_lock:
            self.open_sockets.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._sockets_lock:
            self.open_sockets.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that went away mid-request (killed, or it timed out) is what the kill and
        fault tests do on purpose, as users' machines do: not an error of the server's."""
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)

    def close_open_sockets(self) -> None:
        with self._sockets_lock:
            sockets = list(self.open_sockets)
            self.open_sockets.clear()
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                sock.close()


class ZoteroServer:
    """A faithful-enough Zotero Web API v3 server on 127.0.0.1.

    ``server.library`` is the group library (``/groups/<group_id>``); the key
    owners' user libraries are in ``server.libraries[("user", user_id)]``.
    Hold ``server.lock`` when touching a library while requests may run.
    """

    def __init__(
        self,
        schema_path: str | None = None,
        group_id: int = DEFAULT_GROUP_ID,
        api_keys: Mapping[str, Permission] | None = None,
        *,
        group_name: str = "atbib test group",
        public_read: bool = False,
        host: str = "127.0.0.1",
        port: int = 0,
        seed: int | None = 0,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.schema = Schema.load(schema_path)
        self.api_keys: dict[str, Permission] = dict(
            api_keys
            if api_keys is not None
            else {
                DEFAULT_KEY: Permission(read=True, write=True),
                READONLY_KEY: Permission(read=True, write=False),
            }
        )
        for key in self.api_keys:
            if not re.fullmatch(r"[A-Za-z0-9]+", key):
                raise ValueError(f"API key {key!r} must be alphanumeric, like real Zotero keys")
        self.group_id = int(group_id)
        self.group_name = group_name
        self.public_read = public_read
        self.host = host
        self._port = port
        self.lock = threading.RLock()
        self._log_lock = threading.Lock()
        self.request_log: list[RequestDetail] = []
        self.faults = FaultInjector()
        self._write_tokens: set[tuple[str, str]] = set()
        self._rng = random.Random(seed)
        self._clock = clock
        self.users: dict[int, str] = {p.user_id: p.username for p in self.api_keys.values()}
        self.libraries: dict[tuple[str, int], Library] = {}
        self.add_library("group", self.group_id, group_name)
        for uid, uname in self.users.items():
            self.add_library("user", uid, uname)
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._adopted: list[Any] = []

    # -- lifecycle ------------------------------------------------------------

    def add_library(self, kind: str, library_id: int, name: str) -> Library:
        lib = Library(
            kind=kind,
            library_id=library_id,
            name=name,
            schema=self.schema,
            clock=self._clock,
            rng=random.Random(self._rng.random()),
        )
        self.libraries[(kind, int(library_id))] = lib
        return lib

    @property
    def library(self) -> Library:
        return self.libraries[("group", self.group_id)]

    def user_library(self, user_id: int = DEFAULT_USER_ID) -> Library:
        return self.libraries[("user", user_id)]

    def start(self) -> ZoteroServer:
        if self._httpd is not None:
            return self
        handler = type("ZoteroHandler", (_Handler,), {"app": self})
        self._httpd = _HTTPServer((self.host, self._port), handler)
        self._port = self._httpd.server_address[1]
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.01},
            name=f"zotero-test-server-{self._port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def adopt(self, closeable: Any) -> Any:
        """Close ``closeable`` (e.g. an httpx2 client) when the server stops."""
        self._adopted.append(closeable)
        return closeable

    def stop(self) -> None:
        """Stop serving; close adopted clients and every open connection."""
        if self._httpd is None:
            return
        self._httpd.shutdown()
        for obj in reversed(self._adopted):
            with contextlib.suppress(Exception):
                obj.close()
        self._adopted.clear()
        self._httpd.close_open_sockets()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd = None
        self._thread = None

    def __enter__(self) -> ZoteroServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        return self._port

    @property
    def endpoint(self) -> str:
        return f"http://{self.host}:{self._port}"

    # -- inspection -------------------------------------------------------------

    @property
    def requests(self) -> list[RequestRecord]:
        with self._log_lock:
            return [d.record for d in self.request_log]

    def count(
        self, method: str | None = None, path: str | None = None, status: int | None = None
    ) -> int:
        """Count logged requests; ``path`` is a regex searched in the request path."""
        pattern = re.compile(path) if path else None
        with self._log_lock:
            return sum(
                1
                for d in self.request_log
                if (method is None or d.method == method.upper())
                and (pattern is None or pattern.search(d.path))
                and (status is None or d.status == status)
            )

    def clear_log(self) -> None:
        with self._log_lock:
            self.request_log.clear()
        self.faults.waits.clear()

    def unhonoured_waits(self, tolerance: float = 0.02) -> list[str]:
        """Waits (Retry-After / Backoff) the client did not honour; empty if all were."""
        with self._log_lock:
            log = list(self.request_log)
        return self.faults.check_waits(log, tolerance)

    # -- request plumbing --------------------------------------------------------

    def _serve(self, handler: _Handler, method: str) -> None:
        arrived = time.monotonic()
        try:
            body = handler._read_body()
        except (ValueError, OSError):
            handler.close_connection = True
            return
        split = urlsplit(handler.path)
        path = unquote(split.path)
        headers = {k.lower(): v for k, v in handler.headers.items()}
        req = Request(
            method,
            path,
            split.query,
            parse_qsl(split.query, keep_blank_values=True),
            headers,
            body,
        )
        detail = RequestDetail(
            index=-1,
            method=method,
            path=path,
            query=dict(req.pairs),
            query_string=split.query,
            headers=headers,
            body=body,
            arrived_at=arrived,
        )
        with self._log_lock:
            detail.index = len(self.request_log)
            self.request_log.append(detail)

        resp: Response | None
        dropped = False
        pre = self.faults.take(method, path, SHORT_CIRCUIT)
        if pre:
            fault = pre[0]
            detail.faults.append(fault.kind)
            if fault.kind == "drop":
                resp, dropped = None, True
            else:
                status, message = (
                    (429, b"Request rate limit exceeded")
                    if fault.kind == "rate_limit"
                    else (503, b"Service unavailable")
                )
                wait = {} if fault.seconds is None else {"Retry-After": _fmt_seconds(fault.seconds)}
                resp = Response(status, message, "text/plain; charset=utf-8", wait)
        else:
            for fault in self.faults.take(method, path, ("delay",)):
                detail.faults.append(fault.kind)
                time.sleep(fault.seconds)
            with self.lock:
                for fault in self.faults.take(method, path, ("race",)):
                    detail.faults.append(fault.kind)
                    assert fault.mutation is not None
                    fault.mutation(self._library_for_path(path))
                try:
                    resp = self._handle(req)
                except ApiError as err:
                    resp = self._error_response(err)
                except Exception:  # a bug in the emulator: make it visible
                    resp = Response(
                        500,
                        traceback.format_exc().encode("utf-8"),
                        "text/plain; charset=utf-8",
                    )
            for fault in self.faults.take(method, path, ("backoff", "drop_after_write")):
                detail.faults.append(fault.kind)
                if fault.kind == "backoff":
                    resp.headers["Backoff"] = _fmt_seconds(fault.seconds)
                else:
                    dropped = True

        detail.status = resp.status if resp is not None else 0
        detail.dropped = dropped
        if dropped or resp is None:
            handler.close_connection = True
            with contextlib.suppress(OSError):
                handler.connection.shutdown(socket.SHUT_RDWR)
            detail.finished_at = time.monotonic()
            return
        # The time a wait counts from is taken *before* the response goes out: the client
        # cannot see it earlier, so an honouring client's next request always comes at least
        # that long after. (Taken after sending, a server thread descheduled between the
        # write and the clock read, as on a loaded machine, made a client that honoured the
        # wait look as if it had not.)
        sent = time.monotonic()
        self._send(handler, method, resp)
        detail.response_headers = dict(resp.headers)
        detail.finished_at = time.monotonic()
        if resp.status in (429, 503) and "Retry-After" in resp.headers:
            self.faults.record_wait(
                "Retry-After", float(resp.headers["Retry-After"]), sent, detail.index
            )
        if "Backoff" in resp.headers:
            self.faults.record_wait("Backoff", float(resp.headers["Backoff"]), sent, detail.index)

    def _send(self, handler: _Handler, method: str, resp: Response) -> None:
        handler.send_response(resp.status)
        headers = {
            "Zotero-API-Version": "3",
            "Zotero-Schema-Version": str(self.schema.version),
            **resp.headers,
        }
        for name, value in headers.items():
            handler.send_header(name, value)
        if resp.status not in (204, 304):
            if resp.content_type:
                handler.send_header("Content-Type", resp.content_type)
            handler.send_header("Content-Length", str(len(resp.body)))
        handler.end_headers()
        if method != "HEAD" and resp.status not in (204, 304) and resp.body:
            handler.wfile.write(resp.body)
        handler.wfile.flush()

    def _library_for_path(self, path: str) -> Library:
        m = re.match(r"^/(users|groups)/(\d+)", path)
        if m:
            lib = self.libraries.get((m.group(1)[:-1], int(m.group(2))))
            if lib is not None:
                return lib
        return self.library

    @staticmethod
    def _error_response(err: ApiError) -> Response:
        headers = dict(err.headers)
        if err.last_modified_version is not None:
            headers["Last-Modified-Version"] = str(err.last_modified_version)
        return Response(
            err.status,
            html_escape(err.message).encode("utf-8"),
            "text/plain; charset=utf-8",
            headers,
        )

    # -- authentication ------------------------------------------------------------

    def _authenticate(self, req: Request) -> Auth:
        key = req.header("zotero-api-key") or None
        qkey = req.param("key")
        if qkey is not None:
            if not key:
                key = qkey or None
            elif qkey != key:
                raise ApiError(400, "Zotero-API-Key header and 'key' parameter differ")
        if not key:
            authz = req.header("authorization") or ""
            if re.match(r"^bearer", authz, re.IGNORECASE):
                m = re.match(r"^bearer +([a-z0-9]+)$", authz, re.IGNORECASE)
                if not m:
                    raise ApiError(400, "Invalid Authorization header format")
                key = m.group(1)
        if key:
            perm = self.api_keys.get(key)
            if perm is None:
                raise ApiError(403, "Invalid key")
            if req.method in WRITE_METHODS:
                token = req.header("zotero-write-token")
                if token:
                    if not 5 <= len(token) <= 32:
                        raise ApiError(400, "Write token must be 5-32 characters in length")
                    if (key, token) in self._write_tokens:
                        raise ApiError(412, "Write token already used")
            return Auth(key, perm)
        if req.method not in ("GET", "HEAD", "OPTIONS") and not req.path.startswith("/keys/"):
            raise ApiError(403, "An API key is required for write requests.")
        return Auth(None, None)

    def _remember_write_token(self, req: Request, auth: Auth) -> None:
        token = req.header("zotero-write-token")
        if token and auth.key:
            self._write_tokens.add((auth.key, token))

    def _can_read(self, auth: Auth, lib: Library) -> bool:
        if lib.kind == "group":
            return self.public_read or (auth.perm is not None and auth.perm.read)
        return auth.perm is not None and auth.perm.read and auth.perm.user_id == lib.id

    def _can_write(self, auth: Auth, lib: Library) -> bool:
        if auth.perm is None or not auth.perm.write:
            return False
        return lib.kind == "group" or auth.perm.user_id == lib.id

    # -- routing -------------------------------------------------------------------

    def _handle(self, req: Request) -> Response:
        if req.method == "OPTIONS":
            return empty_response(200)
        api_version = req.header("zotero-api-version")
        if api_version and api_version.strip() != "3":
            raise ApiError(400, "Only API version 3 is implemented by this test server")
        if req.method in ("POST", "PUT", "PATCH") and not req.body:
            raise ApiError(400, f"{req.method} data not provided")
        auth = self._authenticate(req)
        path = req.path.rstrip("/") or "/"

        mapping = self._mappings(req, path)
        if mapping is not None:
            return mapping
        m = re.fullmatch(r"/keys/([^/]+)", path)
        if m:
            return self._keys(req, auth, m.group(1))
        m = re.fullmatch(r"/(users|groups)/(\d+)(/.*)?", path)
        if not m:
            raise ApiError(404, "Not found")
        kind, lib_id, rest = m.group(1)[:-1], int(m.group(2)), m.group(3) or ""
        lib = self.libraries.get((kind, lib_id))
        if lib is None:
            raise ApiError(404, f"User {lib_id} not found" if kind == "user" else "Not found")
        segments = [s for s in rest.split("/") if s]
        if not segments:
            return self._library_info(req, auth, lib)
        action = segments[0]
        if action == "groups" and kind == "user":
            return self._user_groups(req, auth, lib)

        if req.method in WRITE_METHODS and not self._can_write(auth, lib):
            raise ApiError(403, "Write access denied")
        single = action in ("items", "collections", "searches") and (
            len(segments) == 2 and segments[1] not in ("top", "trash")
        )
        if (
            req.method in ("GET", "HEAD")
            and not single
            and action in ("items", "collections", "searches", "settings", "tags")
            and self._can_read(auth, lib)
        ):
            since = req.header("if-modified-since-version")
            if since is not None and since.strip().isdigit() and lib.version <= int(since):
                return empty_response(304, {"Last-Modified-Version": str(lib.version)})
        if action == "items":
            return self._items(req, auth, lib, segments[1:])
        if action == "collections":
            return self._collections(req, auth, lib, segments[1:])
        if action == "deleted":
            return self._deleted(req, auth, lib, segments[1:])
        if action == "tags":
            return self._tags(req, auth, lib, segments[1:])
        if action in ("searches", "settings"):
            return self._searches_settings(req, auth, lib, action, segments[1:])
        raise ApiError(404, "Not found")

    @staticmethod
    def _allow(req: Request, methods: Iterable[str]) -> None:
        allowed = list(methods)
        if req.method not in allowed:
            raise ApiError(405, "Method not allowed", headers={"Allow": ", ".join(allowed)})

    def _require_read(self, auth: Auth, lib: Library) -> None:
        if not self._can_read(auth, lib):
            raise ApiError(403, "Forbidden")

    @staticmethod
    def _decode_json(req: Request) -> Any:
        try:
            return json.loads(req.body.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise ApiError(400, "JSON Error: Syntax error, malformed JSON") from None

    @staticmethod
    def _zotero_client(req: Request) -> bool:
        ua = req.header("user-agent") or ""
        return "Firefox" in ua or "Zotero" in ua

    def _check_library_unmodified(self, req: Request, lib: Library, required: bool) -> bool:
        """DS checkLibraryIfUnmodifiedSinceVersion.  True if the header was checked."""
        header = req.header("if-unmodified-since-version")
        if header is None:
            if required:
                raise ApiError(428, "If-Unmodified-Since-Version not provided")
            return False
        if not re.fullmatch(r"\s*\d+\s*", header):
            raise ApiError(400, "Invalid If-Unmodified-Since-Version value")
        if lib.version > int(header):
            raise ApiError(
                412,
                "Library has been modified since specified version "
                f"(expected {int(header)}, found {lib.version})",
                last_modified_version=lib.version,
            )
        return True

    # -- JSON rendering --------------------------------------------------------------

    def _library_json(self, lib: Library) -> dict[str, Any]:
        if lib.kind == "group":
            href = f"https://www.zotero.org/groups/{_slug(lib.name)}"
        else:
            href = f"https://www.zotero.org/{lib.name}"
        return {
            "type": lib.kind,
            "id": lib.id,
            "name": lib.name,
            "links": {"alternate": {"href": href, "type": "text/html"}},
        }

    def _user_json(self, user_id: int) -> dict[str, Any]:
        name = self.users.get(user_id, f"user{user_id}")
        return {
            "id": user_id,
            "username": name,
            "name": "",
            "links": {"alternate": {"href": f"https://www.zotero.org/{name}", "type": "text/html"}},
        }

    def _www_base(self, lib: Library) -> str:
        if lib.kind == "group":
            return f"https://www.zotero.org/groups/{_slug(lib.name)}"
        return f"https://www.zotero.org/{lib.name}"

    def item_data(self, lib: Library, item: Item) -> dict[str, Any]:
        spec = self.schema.spec(item.item_type)
        data: dict[str, Any] = {"key": item.key, "version": item.version}
        if item.parent:
            data["parentItem"] = item.parent
        data["itemType"] = item.item_type
        if item.item_type == "attachment":
            data["linkMode"] = item.attachment.get("linkMode", "")
        title_field = None
        if item.is_regular and spec is not None:
            title_field = spec.field_for_base("title")
            if title_field:
                data[title_field] = item.fields.get(title_field, "")
            data["creators"] = [dict(c) for c in item.creators]
        for fld in spec.fields if spec else ():
            if fld != title_field:
                data[fld] = item.fields.get(fld, "")
        if item.item_type in ("note", "attachment"):
            data["note"] = item.note
        if item.item_type == "attachment":
            att = item.attachment
            link_mode = att.get("linkMode", "")
            data["contentType"] = att.get("contentType", "")
            data["charset"] = att.get("charset", "")
            if link_mode.startswith("imported_") or link_mode == "embedded_image":
                data["filename"] = att.get("filename", "")
                data["md5"] = att.get("md5")
                data["mtime"] = att.get("mtime")
            elif link_mode == "linked_file":
                data["path"] = att.get("path", "")
        if item.item_type == "annotation":
            data.update(item.annotation)
        if item.deleted:
            data["deleted"] = 1
        data["tags"] = [dict(t) for t in item.tags]
        if item.parent is None:
            data["collections"] = list(item.collections)
        data["relations"] = dict(item.relations)
        data["dateAdded"] = item.date_added
        data["dateModified"] = item.date_modified
        return data

    def item_json(self, lib: Library, item: Item) -> dict[str, Any]:
        self_href = f"{self.endpoint}{lib.prefix}/items/{item.key}"
        links: dict[str, Any] = {
            "self": {"href": self_href, "type": "application/json"},
            "alternate": {"href": f"{self._www_base(lib)}/items/{item.key}", "type": "text/html"},
        }
        if item.parent:
            links["up"] = {
                "href": f"{self.endpoint}{lib.prefix}/items/{item.parent}",
                "type": "application/json",
            }
        meta: dict[str, Any] = {}
        if lib.kind == "group":
            if item.created_by is not None:
                meta["createdByUser"] = self._user_json(item.created_by)
            if item.modified_by is not None and item.modified_by != item.created_by:
                meta["lastModifiedByUser"] = self._user_json(item.modified_by)
        if item.parent is None:
            if item.is_regular:
                summary = lib.creator_summary(item)
                if summary:
                    meta["creatorSummary"] = summary
                parsed = lib.parsed_date(item)
                if parsed:
                    meta["parsedDate"] = parsed
            meta["numChildren"] = sum(1 for c in lib.children_of(item.key) if not c.deleted)
        return {
            "key": item.key,
            "version": item.version,
            "library": self._library_json(lib),
            "links": links,
            "meta": meta,
            "data": self.item_data(lib, item),
        }

    def collection_json(self, lib: Library, coll: Collection) -> dict[str, Any]:
        links: dict[str, Any] = {
            "self": {
                "href": f"{self.endpoint}{lib.prefix}/collections/{coll.key}",
                "type": "application/json",
            },
            "alternate": {
                "href": f"{self._www_base(lib)}/collections/{coll.key}",
                "type": "text/html",
            },
        }
        if coll.parent:
            links["up"] = {
                "href": f"{self.endpoint}{lib.prefix}/collections/{coll.parent}",
                "type": "application/atom+xml",
            }
        return {
            "key": coll.key,
            "version": coll.version,
            "library": self._library_json(lib),
            "links": links,
            "meta": {
                "numCollections": len(lib.subcollections_of(coll.key)),
                "numItems": lib.num_items_in_collection(coll.key),
            },
            "data": {
                "key": coll.key,
                "version": coll.version,
                "name": coll.name,
                "parentCollection": coll.parent or False,
                "relations": dict(coll.relations),
            },
        }

    def _render(self, lib: Library) -> Callable[[Any], dict[str, Any]]:
        def render(obj: Any) -> dict[str, Any]:
            if isinstance(obj, Item):
                return self.item_json(lib, obj)
            return self.collection_json(lib, obj)

        return render

    def _multi(
        self,
        req: Request,
        lib: Library,
        p: Params,
        objects: list[Any],
        render: Callable[[Any], Any] | None,
    ) -> Response:
        total = len(objects)
        page = objects[p.start : p.start + p.limit] if p.limit else objects[p.start :]
        headers = {
            "Total-Results": str(total),
            "Last-Modified-Version": str(lib.version),
            "Link": build_link_header(
                self.endpoint + req.path.rstrip("/"), req.path.rstrip("/"), total, p
            ),
        }
        if p.format == "versions":
            return json_response({o.key: o.version for o in page}, headers=headers)
        if p.format == "keys":
            text = "\n".join(o.key for o in page) + "\n"
            return Response(200, text.encode("utf-8"), "text/plain", headers)
        assert render is not None
        return json_response([render(o) for o in page], headers=headers)

    # -- item queries ------------------------------------------------------------------

    def _sort_value(self, lib: Library, item: Item, sort: str, p: Params) -> Any:
        if sort == "dateModified":
            return item.date_modified
        if sort == "dateAdded":
            return item.date_added
        if sort == "title":
            return lib.sort_title(item).lower()
        if sort == "creator":
            return lib.creator_summary(item).lower()
        if sort == "itemType":
            return self.schema.localized_item_type(item.item_type).lower()
        if sort == "date":
            return lib.parsed_date(item) or ""
        if sort in ("addedBy",):
            return item.created_by or 0
        if sort == "serverDateModified":
            return item.version
        if sort == "itemKeyList":
            keys = p.item_keys or []
            return keys.index(item.key) if item.key in keys else len(keys)
        spec = self.schema.spec(item.item_type)
        fld = spec.field_for_base(sort) if spec else None
        return item.fields.get(fld or sort, "").lower()

    def _sorted(self, lib: Library, objs: list[Any], p: Params, kind: str) -> list[Any]:
        reverse = p.direction == "desc"
        empty_first = p.sort in ("title", "date", "itemKeyList", "collectionKeyList")

        def key(o: Any) -> tuple[Any, ...]:
            if kind == "item":
                value = self._sort_value(lib, o, p.sort, p)
            elif p.sort == "title":
                value = o.name.lower()
            elif p.sort == "dateAdded":
                value = o.date_added
            elif p.sort == "collectionKeyList":
                keys = p.collection_keys or []
                value = keys.index(o.key) if o.key in keys else len(keys)
            else:
                value = o.date_modified
            empty = value in ("", None)
            return ((0 if empty else 1) if empty_first else 0, value, o.version, o.seq)

        return sorted(objs, key=key, reverse=reverse)

    @staticmethod
    def _match_type(item: Item, spec: str) -> bool:
        negate = spec.startswith("-")
        options = [s.strip() for s in spec.lstrip("-").split("||")]
        hit = item.item_type in options
        return not hit if negate else hit

    def _match_q(self, lib: Library, item: Item, p: Params) -> bool:
        q = p.q.lower()
        haystack = [lib.sort_title(item)]
        for c in item.creators:
            haystack.extend([c.get("firstName", ""), c.get("lastName", ""), c.get("name", "")])
        parsed = lib.parsed_date(item)
        if parsed:
            haystack.append(parsed[:4])
        if p.qmode == "everything":
            haystack.extend(item.fields.values())
            haystack.append(item.note)
        return any(q in h.lower() for h in haystack if h)

    @staticmethod
    def _match_tags(item: Item, tag_specs: list[str]) -> bool:
        names = {t["tag"] for t in item.tags}
        for spec in tag_specs:
            negate = spec.startswith("-")
            options = [s.strip() for s in spec.lstrip("-").split("||")]
            hit = any(o in names for o in options)
            if hit == negate:
                return False
        return True

    def _select_items(
        self, lib: Library, scope: str, p: Params, scope_key: str | None = None
    ) -> list[Item]:
        items = list(lib.items.values())
        if scope == "top":
            if p.item_keys is not None:
                wanted = {lib.top_level_of(lib.items[k]).key for k in p.item_keys if k in lib.items}
                items = [i for i in items if i.key in wanted]
            items = [i for i in items if i.parent is None]
        elif scope == "trash":
            items = [i for i in items if i.deleted]
        elif scope == "children":
            items = [i for i in items if i.parent == scope_key]
        elif scope in ("collection", "collection_top"):
            members = {i.key for i in items if scope_key in i.collections and i.parent is None}
            if scope == "collection":
                members |= {i.key for i in items if i.parent in members}
            items = [i for i in items if i.key in members]
        if scope != "trash" and not p.include_trashed:
            items = [i for i in items if not lib.is_trashed(i)]
        if p.item_keys is not None and scope != "top":
            wanted_keys = set(p.item_keys)
            items = [i for i in items if i.key in wanted_keys]
        if p.since is not None:
            items = [i for i in items if i.version > p.since]
        if p.item_type:
            items = [i for i in items if self._match_type(i, p.item_type)]
        if p.q:
            items = [i for i in items if self._match_q(lib, i, p)]
        if p.tags:
            items = [i for i in items if self._match_tags(i, p.tags)]
        return self._sorted(lib, items, p, "item")

    # -- /items -------------------------------------------------------------------------

    def _items(self, req: Request, auth: Auth, lib: Library, segs: list[str]) -> Response:
        single = len(segs) == 1 and segs[0] not in ("top", "trash")
        header_checked = False
        if req.method in WRITE_METHODS and not single:
            header_checked = self._check_library_unmodified(req, lib, required=False)
        if single:
            return self._single_item(req, auth, lib, segs[0])
        if segs and segs[0] not in ("top", "trash") and len(segs) >= 2:
            key, sub = segs[0], segs[1:]
            if sub == ["children"]:
                self._allow(req, ("GET", "HEAD"))
                self._require_read(auth, lib)
                p = parse_params("items", req, single=False)
                if not is_valid_key(key) or key not in lib.items:
                    raise ApiError(404, "Item not found")
                return self._multi(
                    req, lib, p, self._select_items(lib, "children", p, key), self._render(lib)
                )
            if sub == ["tags"]:
                self._allow(req, ("GET", "HEAD"))
                self._require_read(auth, lib)
                if key not in lib.items:
                    raise ApiError(404, "Item not found")
                return self._tag_list(req, lib, [lib.items[key]])
            raise ApiError(404, "Not found")
        p = parse_params("items", req, single=False)
        if segs:
            self._allow(req, ("GET", "HEAD"))
            self._require_read(auth, lib)
            if len(segs) > 1:
                raise ApiError(404, "Not found")
            scope = segs[0]
            return self._multi(req, lib, p, self._select_items(lib, scope, p), self._render(lib))
        self._allow(req, ("HEAD", "GET", "POST", "DELETE"))
        self._require_read(auth, lib)
        if req.method == "POST":
            return self._multi_write(req, auth, lib, "item", header_checked)
        if req.method == "DELETE":
            return self._multi_delete(req, lib, "item", p.item_keys, header_checked)
        return self._multi(req, lib, p, self._select_items(lib, "all", p), self._render(lib))

    def _multi_write(
        self, req: Request, auth: Auth, lib: Library, object_type: str, header_checked: bool
    ) -> Response:
        payload = self._decode_json(req)
        if not isinstance(payload, list):
            raise ApiError(400, "Uploaded data must be a JSON array")
        plural = "items" if object_type == "item" else "collections"
        if len(payload) > MAX_WRITE_OBJECTS:
            raise ApiError(413, f"Cannot add more than {MAX_WRITE_OBJECTS} {plural} at a time")
        report = lib.write_objects(
            object_type,
            payload,
            require_version=0 if header_checked else 1,
            render=self._render(lib),
            user_id=auth.perm.user_id if auth.perm else None,
            zotero_client=self._zotero_client(req),
        )
        self._remember_write_token(req, auth)
        return json_response(report, headers={"Last-Modified-Version": str(lib.version)})

    def _multi_delete(
        self,
        req: Request,
        lib: Library,
        object_type: str,
        keys: list[str] | None,
        header_checked: bool,
    ) -> Response:
        if not header_checked:
            # Docs: required (the dataserver itself does not enforce it)
            self._check_library_unmodified(req, lib, required=True)
        if object_type == "item":
            lib.delete_items(keys or [])
        else:
            lib.delete_collections(keys or [])
        return empty_response(204, {"Last-Modified-Version": str(lib.version)})

    def _check_single_write_version(
        self, req: Request, obj_version: int | None, json_obj: Any, object_type: str
    ) -> None:
        """DS ApiController::checkSingleObjectWriteVersion (v3)."""
        label = object_type.capitalize()
        header = req.header("if-unmodified-since-version")
        prop: Any = None
        if isinstance(json_obj, dict):
            data = json_obj["data"] if isinstance(json_obj.get("data"), dict) else json_obj
            prop = data.get("version")
        if req.method == "DELETE" and header is None:
            raise ApiError(428, "If-Unmodified-Since-Version must be provided for delete requests")
        header_version: int | None = None
        prop_version: int | None = None
        if header is not None:
            if not re.fullmatch(r"\s*\d+\s*", header):
                raise ApiError(400, f"Invalid If-Unmodified-Since-Version value '{header}'")
            header_version = int(header)
        if prop is not None:
            if isinstance(prop, bool) or not re.fullmatch(r"\s*\d+\s*", str(prop)):
                raise ApiError(400, f"Invalid JSON 'version' property value '{prop}'")
            prop_version = int(prop)
        if (
            header_version is not None
            and prop_version is not None
            and header_version != prop_version
        ):
            raise ApiError(
                400,
                "If-Unmodified-Since-Version value does not match JSON 'version' property "
                f"({header_version} != {prop_version})",
            )
        version = header_version if header_version is not None else prop_version
        if obj_version is None:
            if req.method == "PATCH" and version is None:
                raise ApiError(
                    404,
                    f"{label} not found (to create, use If-Unmodified-Since-Version: 0, "
                    "JSON 'version' 0, or PUT method)",
                )
            if version is not None and version > 0:
                raise ApiError(404, f"{label} not found (expected version {version})")
            return
        if version is None:
            raise ApiError(
                428,
                "Either If-Unmodified-Since-Version or object version property must be "
                "provided for key-based writes",
            )
        if obj_version != version:
            raise ApiError(
                412,
                f"{label} has been modified since specified version "
                f"(expected {version}, found {obj_version})",
                last_modified_version=obj_version,
            )

    def _single_item(self, req: Request, auth: Auth, lib: Library, key: str) -> Response:
        self._allow(req, ("HEAD", "GET", "PUT", "PATCH", "DELETE"))
        if not is_valid_key(key):
            raise ApiError(404, "Not found")
        parse_params("items", req, single=True)
        item = lib.items.get(key)
        if item is not None and not self._can_read(auth, lib):
            raise ApiError(404, "Not found")
        if req.method in ("GET", "HEAD"):
            if item is None:
                raise ApiError(404, "Item does not exist")
            return json_response(
                self.item_json(lib, item), headers={"Last-Modified-Version": str(item.version)}
            )
        json_obj = self._decode_json(req) if req.method in ("PUT", "PATCH") else None
        self._check_single_write_version(req, item.version if item else None, json_obj, "item")
        if req.method == "DELETE":
            if item is not None:
                lib.delete_items([key])
            return empty_response(204, {"Last-Modified-Version": str(lib.version)})
        new, changed = lib.prepare_item(
            json_obj,
            url_key=key,
            require_version=0,
            partial=req.method == "PATCH",
            user_id=auth.perm.user_id if auth.perm else None,
            zotero_client=self._zotero_client(req),
        )
        if changed:
            lib.version += 1
            lib.commit_item(new)
        self._remember_write_token(req, auth)
        return empty_response(204, {"Last-Modified-Version": str(lib.version)})

    # -- /collections ---------------------------------------------------------------------

    def _select_collections(
        self, lib: Library, scope: str, p: Params, parent: str | None = None
    ) -> list[Collection]:
        colls = list(lib.collections.values())
        if scope == "top":
            colls = [c for c in colls if c.parent is None]
        elif scope == "sub":
            colls = [c for c in colls if c.parent == parent]
        if p.collection_keys is not None:
            wanted = set(p.collection_keys)
            colls = [c for c in colls if c.key in wanted]
        if p.since is not None:
            colls = [c for c in colls if c.version > p.since]
        if p.q:
            colls = [c for c in colls if p.q.lower() in c.name.lower()]
        return self._sorted(lib, colls, p, "collection")

    def _collections(self, req: Request, auth: Auth, lib: Library, segs: list[str]) -> Response:
        single = len(segs) == 1 and segs[0] != "top"
        header_checked = False
        if req.method in WRITE_METHODS and not single and len(segs) <= 1:
            header_checked = self._check_library_unmodified(req, lib, required=False)
        if single:
            return self._single_collection(req, auth, lib, segs[0])
        if not segs:
            p = parse_params("collections", req, single=False)
            self._allow(req, ("HEAD", "GET", "POST", "DELETE"))
            self._require_read(auth, lib)
            if req.method == "POST":
                return self._multi_write(req, auth, lib, "collection", header_checked)
            if req.method == "DELETE":
                return self._multi_delete(req, lib, "collection", p.collection_keys, header_checked)
            return self._multi(
                req, lib, p, self._select_collections(lib, "all", p), self._render(lib)
            )
        if segs == ["top"]:
            self._allow(req, ("HEAD", "GET"))
            self._require_read(auth, lib)
            p = parse_params("collections", req, single=False)
            return self._multi(
                req, lib, p, self._select_collections(lib, "top", p), self._render(lib)
            )
        key, sub = segs[0], segs[1:]
        self._require_read(auth, lib)
        coll = lib.collections.get(key) if is_valid_key(key) else None
        if sub == ["collections"]:
            self._allow(req, ("HEAD", "GET"))
            p = parse_params("collections", req, single=False)
            if coll is None:
                raise ApiError(404, "Collection not found")
            return self._multi(
                req, lib, p, self._select_collections(lib, "sub", p, key), self._render(lib)
            )
        if sub in (["items"], ["items", "top"]):
            self._allow(req, ("HEAD", "GET", "POST") if sub == ["items"] else ("HEAD", "GET"))
            p = parse_params("items", req, single=False)
            if coll is None:
                raise ApiError(404, "Collection not found")
            if req.method == "POST":
                keys = req.body.decode("utf-8").split()
                lib.add_items_to_collection(key, keys)
                return empty_response(204, {"Last-Modified-Version": str(lib.version)})
            scope = "collection" if sub == ["items"] else "collection_top"
            return self._multi(
                req, lib, p, self._select_items(lib, scope, p, key), self._render(lib)
            )
        if sub == ["tags"]:
            self._allow(req, ("HEAD", "GET"))
            if coll is None:
                raise ApiError(404, "Collection not found")
            p = parse_params("items", req, single=False)
            members = self._select_items(lib, "collection", p, key)
            return self._tag_list(req, lib, members)
        raise ApiError(404, "Not found")

    def _single_collection(self, req: Request, auth: Auth, lib: Library, key: str) -> Response:
        self._allow(req, ("HEAD", "GET", "PUT", "PATCH", "DELETE"))
        if not is_valid_key(key):
            raise ApiError(404, "Not found")
        parse_params("collections", req, single=True)
        coll = lib.collections.get(key)
        if coll is not None and not self._can_read(auth, lib):
            raise ApiError(404, "Not found")
        if req.method in ("GET", "HEAD"):
            if coll is None:
                raise ApiError(404, "Collection not found")
            return json_response(
                self.collection_json(lib, coll),
                headers={"Last-Modified-Version": str(coll.version)},
            )
        json_obj = self._decode_json(req) if req.method in ("PUT", "PATCH") else None
        self._check_single_write_version(
            req, coll.version if coll else None, json_obj, "collection"
        )
        if req.method == "DELETE":
            if coll is not None:
                lib.delete_collections([key])
            return empty_response(204, {"Last-Modified-Version": str(lib.version)})
        new, changed, moved = lib.prepare_collection(
            json_obj, url_key=key, require_version=0, partial=req.method == "PATCH"
        )
        if changed:
            lib.version += 1
            lib.commit_collection(new, moved)
        self._remember_write_token(req, auth)
        return empty_response(204, {"Last-Modified-Version": str(lib.version)})

    # -- /deleted, /tags, /searches, /settings ------------------------------------------

    def _deleted(self, req: Request, auth: Auth, lib: Library, segs: list[str]) -> Response:
        self._allow(req, ("HEAD", "GET"))
        if segs:
            raise ApiError(404, "Not found")
        self._require_read(auth, lib)
        p = parse_params("deleted", req, single=False)
        if p.since is None:
            raise ApiError(400, "'since' parameter must be provided")
        since = p.since or 0
        body = {
            kind: [k for k, v in sorted(log.items(), key=lambda kv: kv[1]) if v > since]
            for kind, log in lib.deleted_log.items()
        }
        return json_response(body, headers={"Last-Modified-Version": str(lib.version)})

    def _tag_list(self, req: Request, lib: Library, items: Iterable[Item]) -> Response:
        p = parse_params("tags", req, single=False)
        counts: dict[tuple[str, int], int] = {}
        for item in items:
            if lib.is_trashed(item):
                continue
            for t in item.tags:
                key = (t["tag"], int(t.get("type", 0)))
                counts[key] = counts.get(key, 0) + 1
        rows = sorted(counts.items(), key=lambda kv: (kv[0][0].lower(), kv[0][1]))
        if p.q:
            q = p.q.lower()
            if p.qmode == "startswith":
                rows = [r for r in rows if r[0][0].lower().startswith(q)]
            else:
                rows = [r for r in rows if q in r[0][0].lower()]
        if p.direction == "desc" and "direction" in req.query_string:
            rows.reverse()
        total = len(rows)
        page = rows[p.start : p.start + p.limit] if p.limit else rows[p.start :]
        out = [
            {
                "tag": name,
                "links": {
                    "self": {
                        "href": f"{self.endpoint}{lib.prefix}/tags/{quote(name)}",
                        "type": "application/json",
                    },
                    "alternate": {
                        "href": f"{self._www_base(lib)}/tags/{quote(name)}",
                        "type": "text/html",
                    },
                },
                "meta": {"type": tag_type, "numItems": n},
            }
            for (name, tag_type), n in page
        ]
        headers = {
            "Total-Results": str(total),
            "Last-Modified-Version": str(lib.version),
            "Link": build_link_header(
                self.endpoint + req.path.rstrip("/"), req.path.rstrip("/"), total, p
            ),
        }
        return json_response(out, headers=headers)

    def _tags(self, req: Request, auth: Auth, lib: Library, segs: list[str]) -> Response:
        self._allow(req, ("HEAD", "GET", "DELETE"))
        self._require_read(auth, lib)
        if segs:
            self._allow(req, ("HEAD", "GET"))
            name = "/".join(segs)
            items = [i for i in lib.items.values() if any(t["tag"] == name for t in i.tags)]
            if not items:
                raise ApiError(404, "Tag not found")
            return self._tag_list(req, lib, items)
        if req.method == "DELETE":
            self._check_library_unmodified(req, lib, required=True)
            names: list[str] = []
            for value in req.params("tag"):
                names.extend(s.strip() for s in value.split(" || ") if s.strip())
            if len(names) > MAX_WRITE_OBJECTS:
                raise ApiError(413, f"Cannot delete more than {MAX_WRITE_OBJECTS} tags at a time")
            lib.delete_tags(names)
            return empty_response(204, {"Last-Modified-Version": str(lib.version)})
        return self._tag_list(req, lib, lib.items.values())

    def _searches_settings(
        self, req: Request, auth: Auth, lib: Library, action: str, segs: list[str]
    ) -> Response:
        if req.method in WRITE_METHODS:
            raise ApiError(501, f"Writing {action} is not implemented by this test server")
        self._require_read(auth, lib)
        if action == "settings":
            if segs:
                raise ApiError(404, "Setting not found")
            return json_response({}, headers={"Last-Modified-Version": str(lib.version)})
        if segs and segs != ["top"]:
            raise ApiError(404, "Search not found")
        p = parse_params("searches", req, single=False)
        return self._multi(req, lib, p, [], lambda o: o)

    # -- libraries, groups, keys ------------------------------------------------------

    def _group_json(self, lib: Library) -> dict[str, Any]:
        owner = min(self.users) if self.users else DEFAULT_USER_ID
        return {
            "id": lib.id,
            "version": 1,
            "links": {
                "self": {"href": f"{self.endpoint}/groups/{lib.id}", "type": "application/json"},
                "alternate": {"href": self._www_base(lib), "type": "text/html"},
            },
            "meta": {"numItems": sum(1 for i in lib.items.values() if not lib.is_trashed(i))},
            "data": {
                "id": lib.id,
                "version": 1,
                "name": lib.name,
                "owner": owner,
                "type": "PublicOpen" if self.public_read else "Private",
                "description": "",
                "url": "",
                "libraryEditing": "members",
                "libraryReading": "all" if self.public_read else "members",
                "fileEditing": "members",
                "members": sorted(self.users),
            },
        }

    def _library_info(self, req: Request, auth: Auth, lib: Library) -> Response:
        self._allow(req, ("HEAD", "GET"))
        if lib.kind != "group":
            raise ApiError(404, "Not found")
        if not self._can_read(auth, lib):
            raise ApiError(403, "Forbidden")
        return json_response(self._group_json(lib), headers={"Last-Modified-Version": "1"})

    def _user_groups(self, req: Request, auth: Auth, lib: Library) -> Response:
        self._allow(req, ("HEAD", "GET"))
        if auth.perm is None or auth.perm.user_id != lib.id:
            raise ApiError(403, "Forbidden")
        groups = [g for (kind, _), g in self.libraries.items() if kind == "group"]
        p = parse_params("groups", req, single=False)
        if p.format == "versions":
            return json_response({str(g.id): 1 for g in groups})
        return json_response(
            [self._group_json(g) for g in groups], headers={"Total-Results": str(len(groups))}
        )

    def key_json(self, key: str) -> dict[str, Any]:
        perm = self.api_keys[key]
        groups = {
            str(lib.id): {"library": perm.read, "write": perm.write}
            for (kind, _), lib in self.libraries.items()
            if kind == "group"
        }
        return {
            "key": key,
            "userID": perm.user_id,
            "username": perm.username,
            "displayName": "",
            "access": {
                "user": {
                    "library": perm.read,
                    "files": perm.read,
                    "notes": perm.read,
                    "write": perm.write,
                },
                "groups": groups,
            },
        }

    def _keys(self, req: Request, auth: Auth, which: str) -> Response:
        self._allow(req, ("HEAD", "GET"))
        key = auth.key if which == "current" else which
        if which == "current" and key is None:
            raise ApiError(403, "Forbidden")
        if key not in self.api_keys:
            raise ApiError(404, "Key not found")
        return json_response(self.key_json(key))

    def _mappings(self, req: Request, path: str) -> Response | None:
        names = (
            "/itemTypes",
            "/itemFields",
            "/itemTypeFields",
            "/itemTypeCreatorTypes",
            "/creatorFields",
            "/items/new",
            "/schema",
        )
        if path not in names:
            return None
        self._allow(req, ("HEAD", "GET"))
        locale = req.param("locale") or "en-US"
        schema = self.schema
        if path == "/schema":
            return json_response(schema.raw)
        if path == "/itemTypes":
            return json_response(schema.item_types_json(locale))
        if path == "/itemFields":
            return json_response(schema.item_fields_json(locale))
        if path == "/creatorFields":
            return json_response(schema.creator_fields_json())
        item_type = req.param("itemType")
        if not item_type:
            raise ApiError(400, "'itemType' not provided")
        if path == "/items/new":
            link_mode = None
            if item_type == "attachment":
                link_mode = req.param("linkMode")
                if not link_mode:
                    raise ApiError(400, "linkMode required for itemType=attachment")
                if link_mode not in LINK_MODES:
                    raise ApiError(400, f"Invalid linkMode '{link_mode}'")
            elif item_type == "annotation":
                raise ApiError(501, "Annotation templates are not implemented by this test server")
            if item_type not in schema.item_types:
                raise ApiError(400, f"Invalid item type '{item_type}'")
            return json_response(schema.template(item_type, link_mode))
        if item_type not in schema.item_types or item_type == "annotation":
            raise ApiError(400, f"Invalid item type '{item_type}'")
        if path == "/itemTypeFields":
            return json_response(schema.item_type_fields_json(item_type, locale))
        if item_type in ("note", "attachment"):
            return json_response([])
        return json_response(schema.item_type_creator_types_json(item_type, locale))
