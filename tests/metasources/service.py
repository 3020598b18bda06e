"""What every fake service is: a mount point, a request handler, and its own failure pages.

The server routes a request to the service whose ``mount`` prefixes its path and hands over
the rest of the path (what atbib appends to the configured base URL). A service answers from
the shared store; when a test injects a fault, the server asks the service for that fault's
page, because each real service fails in its own format (DBLP's HTML 429, Semantic Scholar's
JSON, arXiv's plain text).
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from .store import Store


@dataclass(frozen=True)
class Request:
    """A request as a service sees it: ``path`` is relative to the service's mount."""

    method: str
    path: str
    query: Mapping[str, list[str]]
    headers: Mapping[str, str]
    body: bytes

    def param(self, name: str, default: str | None = None) -> str | None:
        """The last value of query parameter ``name`` (as most servers read repeats)."""
        values = self.query.get(name)
        return values[-1] if values else default


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes = b""
    content_type: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)


def json_reply(obj: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> Reply:
    body = json.dumps(obj, ensure_ascii=False).encode("utf-8")
    return Reply(status, body, "application/json", dict(headers or {}))


def text_reply(
    text: str,
    status: int,
    content_type: str = "text/plain; charset=utf-8",
    headers: Mapping[str, str] | None = None,
) -> Reply:
    return Reply(status, text.encode("utf-8"), content_type, dict(headers or {}))


class Service(ABC):
    """One fake metadata service over the shared store."""

    name: ClassVar[str]
    """The service's name in endpoints, the log and fault calls (``"dblp"``)."""
    mount: ClassVar[str]
    """Path prefix on the shared server; the service's base URL is server root + mount."""

    def __init__(self, store: Store) -> None:
        self.store = store

    @abstractmethod
    def answer(self, request: Request) -> Reply:
        """The service's normal answer to ``request``."""

    @abstractmethod
    def too_many_requests(self) -> Reply:
        """The service's 429 page."""

    @abstractmethod
    def unavailable(self) -> Reply:
        """The service's 503 page."""

    def challenge(self) -> Reply:
        """The service's refusal of an anonymous client (only OpenReview has one)."""
        raise ValueError(f"{self.name} has no challenge page; only OpenReview refuses that way")
