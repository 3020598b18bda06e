"""All six fake services on one local HTTP server, each under its own path prefix.

One ``ThreadingHTTPServer`` on 127.0.0.1 (a free port) routes by path prefix, applies the
faults a test scripted for the service, answers from the shared store and logs the request.
atbib is pointed at ``endpoints[service]`` and appends the service's own paths, exactly as it
does with the real base URLs.
"""

from __future__ import annotations

import contextlib
import socket
import sys
import threading
import time
from collections.abc import Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from .acl import AclAnthology
from .arxiv import Arxiv
from .crossref import Crossref
from .dblp import Dblp
from .faults import Fault, FaultBoard, FaultKind
from .log import LoggedRequest, RequestLog
from .openreview import OpenReview
from .paper import Paper
from .semanticscholar import DEFAULT_BATCH_LIMIT, SemanticScholar
from .service import Reply, Request, Service, text_reply
from .store import Store


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    block_on_close = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """Close kept-alive connections, so no client is served after the server stops."""
        with self._connections_lock:
            connections = list(self._connections)
            self._connections.clear()
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                connection.close()

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that gives up (its timeout, a test's dropped connection) is expected."""
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "MetadataTestServer/1"
    sys_version = ""
    disable_nagle_algorithm = True
    app: MetadataServers

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self.app._serve(self)

    def do_POST(self) -> None:
        self.app._serve(self)

    def do_HEAD(self) -> None:
        self.app._serve(self)


class MetadataServers:
    """The fake arXiv, Semantic Scholar, Crossref, DBLP, ACL Anthology and OpenReview.

    ``store`` is live: papers added while the server runs are known at once. ``faults``
    scripts failures per service, ``log`` records every request. The Semantic Scholar
    batch limit is ``s2_batch_limit`` (the real documented one is 500).
    """

    def __init__(
        self,
        store: Store | Iterable[Paper] = (),
        *,
        s2_batch_limit: int = DEFAULT_BATCH_LIMIT,
        host: str = "127.0.0.1",
    ) -> None:
        self.store = store if isinstance(store, Store) else Store(store)
        self.services: dict[str, Service] = {
            service.name: service
            for service in (
                Arxiv(self.store),
                SemanticScholar(self.store, batch_limit=s2_batch_limit),
                Crossref(self.store),
                Dblp(self.store),
                AclAnthology(self.store),
                OpenReview(self.store),
            )
        }
        self.faults = FaultBoard(frozenset(self.services))
        self.log = RequestLog()
        self.host = host
        self._stopping = threading.Event()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -----------------------------------------------------------------------

    def start(self) -> MetadataServers:
        if self._httpd is not None:
            return self
        handler = type("MetadataHandler", (_Handler,), {"app": self})
        self._httpd = _HTTPServer((self.host, 0), handler)
        self._stopping.clear()
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.01},
            name=f"metadata-test-server-{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving; delayed answers still waiting are cut short."""
        if self._httpd is None:
            return
        self._stopping.set()
        self._httpd.shutdown()
        self._httpd.close_connections()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd = None
        self._thread = None

    def __enter__(self) -> MetadataServers:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("the server is not running")
        return int(self._httpd.server_address[1])

    @property
    def root(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def endpoints(self) -> dict[str, str]:
        """Service name -> the base URL atbib is configured with."""
        return {name: self.root + service.mount for name, service in self.services.items()}

    def unreachable_endpoint(self, service: str) -> str:
        """A base URL for ``service`` on a port where nothing listens (connection refused),
        for a client configured up front with a host that is down."""
        with socket.socket() as probe:
            probe.bind((self.host, 0))
            port = probe.getsockname()[1]
        return f"http://{self.host}:{port}{self.services[service].mount}"

    # -- serving -------------------------------------------------------------------------

    def _route(self, path: str) -> tuple[Service, str] | None:
        for service in self.services.values():
            if path == service.mount or path.startswith(service.mount + "/"):
                return service, path[len(service.mount) :]
        return None

    def _serve(self, handler: _Handler) -> None:
        arrived = time.monotonic()
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        split = urlsplit(handler.path)
        routed = self._route(unquote(split.path))
        if routed is None:
            self._send(handler, text_reply("no such service on this test server", 404))
            return
        service, path = routed
        request = Request(
            method=handler.command,
            path=path,
            query=parse_qs(split.query, keep_blank_values=True),
            headers={k.lower(): v for k, v in handler.headers.items()},
            body=body,
        )
        entry = LoggedRequest(
            service.name,
            request.method,
            path,
            request.query,
            body,
            arrived,
            headers=request.headers,
        )
        self.log.append(entry)
        fault = self.faults.take(service.name)
        if fault is not None:
            entry.fault = fault.kind.value
            if fault.kind in (FaultKind.DROP, FaultKind.DOWN) or (
                fault.kind is FaultKind.DELAY and self._stopping.wait(fault.seconds or 0)
            ):
                handler.close_connection = True
                return
        reply = self._faulted(service, fault) or service.answer(request)
        entry.status = reply.status
        entry.retry_after = _retry_after(reply)
        entry.answered_at = time.monotonic()
        self._send(handler, reply)

    @staticmethod
    def _faulted(service: Service, fault: Fault | None) -> Reply | None:
        if fault is None or fault.kind is FaultKind.DELAY:
            return None
        reply = {
            FaultKind.RATE_LIMIT: service.too_many_requests,
            FaultKind.UNAVAILABLE: service.unavailable,
            FaultKind.CHALLENGE: service.challenge,
        }[fault.kind]()
        if fault.seconds is None:
            return reply
        seconds = int(fault.seconds) if float(fault.seconds).is_integer() else fault.seconds
        return Reply(
            reply.status,
            reply.body,
            reply.content_type,
            {**reply.headers, "Retry-After": str(seconds)},
        )

    @staticmethod
    def _send(handler: _Handler, reply: Reply) -> None:
        with contextlib.suppress(ConnectionError):
            handler.send_response(reply.status)
            if reply.content_type:
                handler.send_header("Content-Type", reply.content_type)
            for name, value in reply.headers.items():
                handler.send_header(name, value)
            handler.send_header("Content-Length", str(len(reply.body)))
            handler.end_headers()
            if handler.command != "HEAD":
                handler.wfile.write(reply.body)


def _retry_after(reply: Reply) -> float | None:
    value = reply.headers.get("Retry-After")
    return None if value is None else float(value)
