"""Deterministic, countable faults for the test server.

Each fault applies to the next ``count`` requests that match its optional
``method`` and ``path`` filters (``path`` is a regular expression searched in
the request path, e.g. ``r"/items$"``).  Faults fire in the order they were
injected; ``fault.fired`` counts how often one fired and ``fault.remaining``
what is left.

Kinds:

``rate_limit``  answer 429 ``Request rate limit exceeded`` with ``Retry-After``
                (the request is not processed); ``retry_after=None`` sends no
                ``Retry-After``, as the real server may.
``unavailable`` answer 503 ``Service unavailable`` with ``Retry-After`` (or
                without it, ``retry_after=None``).
``backoff``     process the request normally and add ``Backoff: <seconds>``.
``drop_after_write``
                process the request (the write is committed), then close the
                connection without sending a response.
``drop``        close the connection without processing the request.
``delay``       sleep ``seconds`` before processing the request.
``race``        just before processing the next matching *write*, apply
                ``mutation(library)`` under the server lock, as a second writer
                whose change lands between our read and our write would.

Every 429/503/Backoff response is recorded in :attr:`FaultInjector.waits` with
the time it was sent, so a test can check that the client waited at least that
long before its next request (:meth:`FaultInjector.check_waits`).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .library import Library

KINDS = ("rate_limit", "unavailable", "backoff", "drop_after_write", "drop", "delay", "race")
SHORT_CIRCUIT = ("rate_limit", "unavailable", "drop")
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

Mutation = Callable[["Library"], Any]


@dataclass
class Fault:
    kind: str
    remaining: int
    method: frozenset[str] | None = None
    path: re.Pattern[str] | None = None
    seconds: float | None = 1.0
    """Seconds to wait, sleep or ask for; ``None``: a 429 or 503 without ``Retry-After``."""
    mutation: Mutation | None = None
    fired: int = 0

    def matches(self, method: str, path: str) -> bool:
        if self.remaining <= 0:
            return False
        if self.method is not None and method not in self.method:
            return False
        if self.kind == "race" and self.method is None and method not in WRITE_METHODS:
            return False
        if self.kind == "drop_after_write" and self.method is None and method not in WRITE_METHODS:
            return False
        return not (self.path is not None and not self.path.search(path))


@dataclass(frozen=True)
class Wait:
    """A wait the server asked for: ``kind`` is ``Retry-After`` or ``Backoff``."""

    kind: str
    seconds: float
    sent_at: float  # time.monotonic() just before the response was sent
    request_index: int  # index into server.request_log


@dataclass
class FaultInjector:
    faults: list[Fault] = field(default_factory=list)
    waits: list[Wait] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def inject(
        self,
        kind: str,
        *,
        count: int = 1,
        method: str | Iterable[str] | None = None,
        path: str | None = None,
        seconds: float | None = 1.0,
        mutation: Mutation | None = None,
    ) -> Fault:
        if kind not in KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; expected one of {KINDS}")
        if kind == "race" and mutation is None:
            raise ValueError("a race fault needs a mutation(library) callable")
        if seconds is None and kind not in ("rate_limit", "unavailable"):
            raise ValueError(f"a {kind} fault needs seconds")
        methods: frozenset[str] | None
        if method is None:
            methods = None
        elif isinstance(method, str):
            methods = frozenset({method.upper()})
        else:
            methods = frozenset(m.upper() for m in method)
        fault = Fault(
            kind=kind,
            remaining=count,
            method=methods,
            path=re.compile(path) if path else None,
            seconds=seconds,
            mutation=mutation,
        )
        with self._lock:
            self.faults.append(fault)
        return fault

    # Convenience spellings -------------------------------------------------------

    def rate_limit(self, count: int = 1, *, retry_after: float | None = 1, **kw: Any) -> Fault:
        """``retry_after=None``: no ``Retry-After`` header (the client must pick its wait)."""
        return self.inject("rate_limit", count=count, seconds=retry_after, **kw)

    def unavailable(self, count: int = 1, *, retry_after: float | None = 1, **kw: Any) -> Fault:
        """``retry_after=None``: no ``Retry-After`` header."""
        return self.inject("unavailable", count=count, seconds=retry_after, **kw)

    def backoff(self, seconds: float = 1, count: int = 1, **kw: Any) -> Fault:
        return self.inject("backoff", count=count, seconds=seconds, **kw)

    def drop_after_write(self, count: int = 1, **kw: Any) -> Fault:
        return self.inject("drop_after_write", count=count, **kw)

    def drop(self, count: int = 1, **kw: Any) -> Fault:
        return self.inject("drop", count=count, **kw)

    def delay(self, seconds: float, count: int = 1, **kw: Any) -> Fault:
        return self.inject("delay", count=count, seconds=seconds, **kw)

    def race(self, mutation: Mutation, count: int = 1, **kw: Any) -> Fault:
        return self.inject("race", count=count, mutation=mutation, **kw)

    def clear(self) -> None:
        with self._lock:
            self.faults.clear()

    @property
    def pending(self) -> list[Fault]:
        with self._lock:
            return [f for f in self.faults if f.remaining > 0]

    # Used by the server ---------------------------------------------------------

    def take(self, method: str, path: str, kinds: Iterable[str]) -> list[Fault]:
        """Consume one firing of each matching fault of the given kinds.

        For short-circuit kinds only the first match is taken.
        """
        wanted = tuple(kinds)
        taken: list[Fault] = []
        with self._lock:
            for fault in self.faults:
                if fault.kind not in wanted or not fault.matches(method, path):
                    continue
                if fault.kind in SHORT_CIRCUIT and any(t.kind in SHORT_CIRCUIT for t in taken):
                    continue
                fault.remaining -= 1
                fault.fired += 1
                taken.append(fault)
        return taken

    def record_wait(self, kind: str, seconds: float, sent_at: float, request_index: int) -> None:
        with self._lock:
            self.waits.append(Wait(kind, seconds, sent_at, request_index))

    def check_waits(self, request_log: list[Any], tolerance: float = 0.02) -> list[str]:
        """Return a description of every wait the client did not honour.

        A wait is honoured when the client's next request arrived at least
        ``seconds`` after the response that asked for the wait began to be sent.  A wait
        with no later request counts as honoured.
        """
        problems: list[str] = []
        for wait in list(self.waits):
            later = [r for r in request_log[wait.request_index + 1 :]]
            if not later:
                continue
            gap = later[0].arrived_at - wait.sent_at
            if gap + tolerance < wait.seconds:
                problems.append(
                    f"{wait.kind}: {wait.seconds}s requested after request "
                    f"#{wait.request_index}, next request came after {gap:.3f}s "
                    f"({later[0].method} {later[0].path})"
                )
        return problems
