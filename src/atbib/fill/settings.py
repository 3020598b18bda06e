"""Where and how to reach each source: ``[tool.atbib.fill]``, then the environment.

::

    [tool.atbib.fill]
    sources = ["arxiv", "semanticscholar", "acl", "crossref", "openreview", "dblp"]
    mailto = "maintainer@example.org"        # Crossref's polite pool
    timeout = 30                             # seconds to connect, and for each read
    [tool.atbib.fill.endpoints]              # mirrors, proxies, test servers
    arxiv = "https://export.arxiv.org/api/query"
    [tool.atbib.fill.batch-size]
    semanticscholar = 100
    [tool.atbib.fill.delay]                  # seconds between two requests to a source
    arxiv = 3

The environment overrides the file: ``ATBIB_<SOURCE>_URL`` (``ATBIB_ARXIV_URL``, …) for an
endpoint, ``ATBIB_FILL_DELAY`` for every delay (``0`` against a local server),
``ATBIB_FILL_TIMEOUT``,
``ATBIB_CROSSREF_MAILTO``, and ``SEMANTIC_SCHOLAR_API_KEY`` for Semantic Scholar's key (else
the keyring's ``atbib`` / ``semanticscholar`` entry, when the keyring package is installed).
The key is never printed (:mod:`atbib.masking`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

from atbib.errors import AtbibError
from atbib.fill.sources import SOURCES
from atbib.fill.sources.base import SourceSettings

KEY_ENV = "SEMANTIC_SCHOLAR_API_KEY"
_KNOWN = frozenset({"sources", "mailto", "endpoints", "batch-size", "delay", "timeout"})


def endpoint_variable(source: str) -> str:
    """``ATBIB_ARXIV_URL`` for ``arxiv``."""
    return f"ATBIB_{source.upper()}_URL"


def source_settings(
    table: Mapping[str, Any],
    chosen: Sequence[str] = (),
    *,
    environ: Mapping[str, str] | None = None,
    where: str = "[tool.atbib.fill]",
) -> dict[str, SourceSettings]:
    """The settings of every source to ask: *chosen* (``--source``), else the table's
    ``sources``, else all of them. Raises :class:`AtbibError` for an unknown name or a value of
    the wrong type, naming it."""
    env = os.environ if environ is None else environ
    unknown = set(table) - _KNOWN
    if unknown:
        raise AtbibError(
            f"{where}: unknown setting {sorted(unknown)[0]!r}; known: {_names(_KNOWN)}"
        )
    names = list(chosen) or list(table.get("sources") or SOURCES)
    for name in names:
        if name not in SOURCES:
            raise AtbibError(f"unknown source {name!r}; known: {', '.join(SOURCES)}")
    endpoints = _table(table, "endpoints", where)
    sizes = _table(table, "batch-size", where)
    delays = _table(table, "delay", where)
    mailto = env.get("ATBIB_CROSSREF_MAILTO") or str(table.get("mailto") or "")
    delay_override = env.get("ATBIB_FILL_DELAY")
    found: dict[str, SourceSettings] = {}
    for name in names:
        source = SOURCES[name]
        delay = delays.get(name, source.default_delay)
        if delay_override is not None:
            delay = float(delay_override)
        found[name] = SourceSettings(
            endpoint=str(
                env.get(endpoint_variable(name)) or endpoints.get(name) or source.default_endpoint
            ).rstrip("/"),
            batch_size=int(sizes.get(name, source.default_batch_size)),
            delay=float(delay),
            key=_scholar_key(env) if name == "semanticscholar" else "",
            mailto=mailto if name == "crossref" else "",
        )
    return found


def timeout(
    table: Mapping[str, Any], *, environ: Mapping[str, str] | None = None, default: float = 30.0
) -> float:
    """Seconds to wait for a connection or a read: ``ATBIB_FILL_TIMEOUT``, else ``timeout``."""
    env = os.environ if environ is None else environ
    value = env.get("ATBIB_FILL_TIMEOUT") or table.get("timeout") or default
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        raise AtbibError(f"fill timeout {value!r} is not a number of seconds") from None
    if seconds <= 0:
        raise AtbibError(f"fill timeout {value!r} must be positive")
    return seconds


def _names(names: frozenset[str]) -> str:
    return ", ".join(sorted(names))


def _table(table: Mapping[str, Any], name: str, where: str) -> dict[str, Any]:
    value = table.get(name) or {}
    if not isinstance(value, dict):
        raise AtbibError(f"{where}: {name} must be a table of source = value")
    for source in value:
        if source not in SOURCES:
            raise AtbibError(
                f"{where}.{name}: unknown source {source!r}; known: {', '.join(SOURCES)}"
            )
    return value


def _scholar_key(env: Mapping[str, str]) -> str:
    """Semantic Scholar's optional API key, remembered for masking."""
    from atbib.masking import SECRETS, secret

    key = env.get(KEY_ENV, "").strip()
    if key:
        SECRETS.add(key)
        return key
    return secret(KEY_ENV, "atbib", "semanticscholar") or ""
