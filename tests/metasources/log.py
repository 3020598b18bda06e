"""Every request the fake services saw, so tests can count requests per service and check
that the client waited as long as a ``Retry-After`` asked."""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass
class LoggedRequest:
    """One request: ``path`` is relative to the service's base URL (``/paper/batch``).

    ``status`` is None when no answer was sent (a dropped connection, a service down);
    ``fault`` names the injected fault that shaped the answer; ``retry_after`` is the wait
    the answer asked for; ``answered_at`` is when the answer began to be sent.
    """

    service: str
    method: str
    path: str
    query: Mapping[str, list[str]]
    body: bytes
    time: float
    status: int | None = None
    fault: str | None = None
    retry_after: float | None = None
    answered_at: float | None = None
    headers: Mapping[str, str] = field(default_factory=dict)


class RequestLog:
    """Thread-safe, in arrival order."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: list[LoggedRequest] = []

    def append(self, entry: LoggedRequest) -> None:
        with self._lock:
            self._entries.append(entry)

    @property
    def entries(self) -> list[LoggedRequest]:
        with self._lock:
            return list(self._entries)

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def for_service(self, service: str) -> list[LoggedRequest]:
        return [e for e in self.entries if e.service == service]

    def count(
        self,
        service: str | None = None,
        *,
        method: str | None = None,
        path: str | None = None,
        status: int | None = None,
    ) -> int:
        """Requests matching every filter given; ``path`` is a regex searched in the path."""
        pattern = re.compile(path) if path is not None else None
        return sum(
            1
            for e in self.entries
            if (service is None or e.service == service)
            and (method is None or e.method == method.upper())
            and (pattern is None or pattern.search(e.path))
            and (status is None or e.status == status)
        )

    def unhonoured_waits(self, tolerance: float = 0.02) -> list[str]:
        """Each ``Retry-After`` the client did not honour: the next request to the same
        service came sooner than asked. Empty when every wait was respected."""
        problems = []
        entries = self.entries
        for i, asked in enumerate(entries):
            if asked.retry_after is None or asked.answered_at is None:
                continue
            later = next((e for e in entries[i + 1 :] if e.service == asked.service), None)
            if later is None:
                continue
            gap = later.time - asked.answered_at
            if gap + tolerance < asked.retry_after:
                problems.append(
                    f"{asked.service}: Retry-After {asked.retry_after}s on {asked.method} "
                    f"{asked.path}, next request after {gap:.3f}s"
                )
        return problems
