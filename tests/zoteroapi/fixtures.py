"""pytest fixtures for the local Zotero API server.

Import them into a conftest (``from tests.zoteroapi.fixtures import zotero_server,
zotero_client``) or straight into a test module.
"""

from __future__ import annotations

import functools
import ssl
from collections.abc import Iterator
from typing import Any

import httpx2
import pytest
from pyzotero import zotero

from .server import DEFAULT_KEY, ZoteroServer


@functools.cache
def _ssl_context() -> ssl.SSLContext:
    # Building a verifying context loads the CA bundle (~50 ms); the server is plain
    # HTTP, so one shared context is enough.
    return ssl.create_default_context()


def http_client(
    server: ZoteroServer | None = None, timeout: float = 10.0, **kwargs: Any
) -> httpx2.Client:
    """An httpx2 client for the test server (ignores proxy variables).

    With ``server`` the client gets the server's endpoint as ``base_url`` and is
    closed when the server stops.
    """
    if server is not None:
        kwargs.setdefault("base_url", server.endpoint)
    client = httpx2.Client(
        follow_redirects=True, timeout=timeout, trust_env=False, verify=_ssl_context(), **kwargs
    )
    if server is not None:
        server.adopt(client)
    return client


def make_zotero(
    server: ZoteroServer,
    key: str | None = DEFAULT_KEY,
    *,
    library_type: str = "group",
    library_id: int | None = None,
    timeout: float = 10.0,
) -> zotero.Zotero:
    """A real ``pyzotero.zotero.Zotero`` whose ``endpoint`` is the test server.

    pyzotero builds every URL as ``endpoint + "/{groups|users}/{id}/..."``, so only
    the endpoint changes.  The httpx2 client ignores proxy variables from the
    environment, so 127.0.0.1 is always reached directly, and it is closed when
    the server stops.
    """
    if library_id is None:
        if library_type == "group":
            library_id = server.group_id
        else:
            assert key is not None, "a user library needs the key of its owner"
            library_id = server.api_keys[key].user_id
    client = http_client(server, timeout)
    zot = zotero.Zotero(library_id, library_type, key, client=client)
    zot.endpoint = server.endpoint
    return zot


@pytest.fixture
def zotero_server() -> Iterator[ZoteroServer]:
    """A fresh server (empty group library, default keys) per test."""
    server = ZoteroServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def zotero_client(zotero_server: ZoteroServer) -> zotero.Zotero:
    """pyzotero bound to the test server's group library with the read-write key."""
    return make_zotero(zotero_server)
