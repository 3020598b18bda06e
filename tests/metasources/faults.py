"""Scripted failures, per service: the next k requests fail this way, or the service is down.

A test says what the network does before it runs the client — ``faults.rate_limit("dblp",
count=2, retry_after=1)`` — and then checks how the client coped, through the request log.
Faults for one service fire in the order they were injected, one per request; a request with
no pending fault is answered normally.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from enum import StrEnum


class FaultKind(StrEnum):
    RATE_LIMIT = "rate_limit"
    """The service's own 429 page, with ``Retry-After`` when ``seconds`` is given."""
    UNAVAILABLE = "unavailable"
    """The service's 503 page, with ``Retry-After`` when ``seconds`` is given."""
    CHALLENGE = "challenge"
    """OpenReview's 403 ``ChallengeRequiredError``."""
    DELAY = "delay"
    """Answer normally after ``seconds`` (to run into the client's timeout)."""
    DROP = "drop"
    """Read the request, then close the connection without an answer."""
    DOWN = "down"
    """Every request is dropped until :meth:`FaultBoard.up`."""


@dataclass
class Fault:
    """One scripted failure. ``remaining`` is None for a fault that never runs out."""

    service: str
    kind: FaultKind
    remaining: int | None = 1
    seconds: float | None = None
    fired: int = 0

    @property
    def pending(self) -> bool:
        return self.remaining is None or self.remaining > 0


class FaultBoard:
    """The faults scripted for each service, taken one per request by the server."""

    def __init__(self, services: frozenset[str]) -> None:
        self._services = services
        self._lock = threading.Lock()
        self._faults: list[Fault] = []

    def rate_limit(
        self, service: str, count: int | None = 1, retry_after: float | None = None
    ) -> Fault:
        """Answer the next ``count`` requests with the service's 429 (``None``: all of them)."""
        return self._add(service, FaultKind.RATE_LIMIT, count, retry_after)

    def unavailable(
        self, service: str, count: int | None = 1, retry_after: float | None = None
    ) -> Fault:
        return self._add(service, FaultKind.UNAVAILABLE, count, retry_after)

    def challenge(self, service: str = "openreview", count: int | None = None) -> Fault:
        """Refuse the next ``count`` requests as OpenReview refuses anonymous clients;
        by default every request, as the real refusal persists."""
        if service != "openreview":
            raise ValueError(f"{service} has no challenge page; only OpenReview refuses that way")
        return self._add(service, FaultKind.CHALLENGE, count, None)

    def delay(self, service: str, seconds: float, count: int | None = 1) -> Fault:
        return self._add(service, FaultKind.DELAY, count, seconds)

    def drop(self, service: str, count: int | None = 1) -> Fault:
        return self._add(service, FaultKind.DROP, count, None)

    def down(self, service: str) -> Fault:
        """Drop every request to ``service`` until :meth:`up` (the host is unreachable)."""
        return self._add(service, FaultKind.DOWN, None, None)

    def up(self, service: str) -> None:
        """End :meth:`down` for ``service``."""
        with self._lock:
            for fault in self._faults:
                if fault.service == service and fault.kind is FaultKind.DOWN:
                    fault.remaining = 0

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    @property
    def pending(self) -> list[Fault]:
        with self._lock:
            return [f for f in self._faults if f.pending]

    def take(self, service: str) -> Fault | None:
        """The fault for the next request to ``service``, consumed; None to answer normally."""
        with self._lock:
            for fault in self._faults:
                if fault.service == service and fault.pending:
                    if fault.remaining is not None:
                        fault.remaining -= 1
                    fault.fired += 1
                    return fault
        return None

    def _add(
        self, service: str, kind: FaultKind, count: int | None, seconds: float | None
    ) -> Fault:
        if service not in self._services:
            raise ValueError(
                f"unknown service {service!r}; expected one of {sorted(self._services)}"
            )
        if count is not None and count < 1:
            raise ValueError("count must be at least 1 (or None for every request)")
        fault = Fault(service, kind, count, seconds)
        with self._lock:
            self._faults.append(fault)
        return fault
