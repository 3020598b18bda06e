"""pytest fixtures for the fake metadata services.

``metadata_store`` is the store the services answer from: empty by default; a test module
that wants the researched list overrides it (``return load_store(paths)``), and any test may
add papers to ``metadata_servers.store`` while the server runs.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .server import MetadataServers
from .store import Store


@pytest.fixture
def metadata_store() -> Store:
    return Store()


@pytest.fixture
def metadata_servers(metadata_store: Store) -> Iterator[MetadataServers]:
    """The six fake services on one local server for the test, stopped afterwards."""
    with MetadataServers(metadata_store) as servers:
        yield servers
