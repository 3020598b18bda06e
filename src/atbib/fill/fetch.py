"""The one executor every metadata source shares: send a request, wait and retry as told.

Adapters are pure (:mod:`atbib.fill.sources.base`); this module is the only place in ``fill``
that touches the network, with the standard library's HTTP client (no dependency for a few
hundred GET and POST requests). Its rules:

- politeness: at least the source's ``delay`` between two requests to it (arXiv asks 3 s);
- 429 and 5xx answers and broken connections are retried, at most :data:`ATTEMPTS` times in
  all, after the ``Retry-After`` the server named (seconds or an HTTP date), else after a
  doubling wait from 1 s, capped at :data:`MAX_WAIT`; a server that asks for a longer wait
  than that makes the source unavailable for this run, rather than hanging it;
- every other answer (a 404, a 403) goes back to the adapter, which knows what it means;
- a timeout bounds every connection and read.

Time is read through an injectable clock and sleep, so tests of the schedule do not wait.
"""

from __future__ import annotations

import email.utils
import http.client
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from atbib._version import __version__
from atbib.fill.sources.base import Reply, Request, SourceSettings, Unavailable

ATTEMPTS = 5
"""Tries per request, the first included."""
FIRST_WAIT = 1.0
"""Seconds before the first retry when the server names no wait; doubled each time."""
MAX_WAIT = 60.0
"""The longest wait atbib accepts; a server asking more makes the source unavailable."""
TIMEOUT = 30.0
"""Seconds for connecting and for each read."""
RETRIED = frozenset({429, 500, 502, 503, 504})
USER_AGENT = f"atbib/{__version__} (https://github.com/; bibliography tool)"

Notify = Callable[[str], None]


def retry_after(value: str | None, now: float) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: a number of seconds or an HTTP date
    (``None`` when absent or unreadable)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - now)


@dataclass
class Fetcher:
    """Sends requests for every source, counting them; one per process."""

    settings: Mapping[str, SourceSettings]
    notify: Notify = lambda message: None
    """Told of each wait and retry ("arXiv answered 503; retrying (2/5) in 2 s")."""
    labels: Mapping[str, str] = field(default_factory=dict)
    timeout: float = TIMEOUT
    clock: Callable[[], float] = time.monotonic
    wall: Callable[[], float] = time.time
    sleep: Callable[[float], None] = time.sleep
    counts: dict[str, int] = field(default_factory=dict)
    """Requests sent per source (retries included)."""
    _last: dict[str, float] = field(default_factory=dict)

    def fetch(self, request: Request) -> Reply:
        """The reply to *request* after the retries; :class:`Unavailable` when the source did
        not answer usefully within them."""
        label = self.labels.get(request.source, request.source)
        wait = FIRST_WAIT
        problem = ""
        for attempt in range(1, ATTEMPTS + 1):
            self._be_polite(request.source)
            reply, problem = self._send(request, label)
            if reply is not None and reply.status not in RETRIED:
                return reply
            if attempt == ATTEMPTS:
                break
            asked = retry_after(reply.headers.get("retry-after"), self.wall()) if reply else None
            delay = asked if asked is not None else wait
            if delay > MAX_WAIT:
                raise Unavailable(f"{problem}; it asks to wait {delay:.0f} s")
            self.notify(f"{problem}; retrying ({attempt + 1}/{ATTEMPTS}) in {delay:.0f} s")
            self.sleep(delay)
            wait = min(wait * 2, MAX_WAIT)
        raise Unavailable(f"{problem} ({ATTEMPTS} attempts)")

    def _be_polite(self, source: str) -> None:
        settings = self.settings.get(source)
        last = self._last.get(source)
        if settings is not None and last is not None:
            remaining = settings.delay - (self.clock() - last)
            if remaining > 0:
                self.sleep(remaining)
        self._last[source] = self.clock()

    def _send(self, request: Request, label: str) -> tuple[Reply | None, str]:
        """The reply, or ``None`` and what went wrong."""
        self.counts[request.source] = self.counts.get(request.source, 0) + 1
        headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "identity", **dict(request.headers)}
        http_request = urllib.request.Request(
            request.url, data=request.body, headers=headers, method=request.method
        )
        host = urllib.parse.urlsplit(request.url).netloc
        try:
            with urllib.request.urlopen(http_request, timeout=self.timeout) as answer:
                return _reply(answer.status, answer.read(), dict(answer.headers.items())), ""
        except urllib.error.HTTPError as error:
            reply = _reply(error.code, error.read(), dict(error.headers.items()))
            return reply, f"{label} ({host}) answered HTTP {error.code}"
        except (OSError, http.client.HTTPException) as error:  # refused, reset, timed out
            reason = getattr(error, "reason", error)
            return None, f"{label} ({host}) did not answer: {reason}"


def _reply(status: int, body: bytes, headers: Mapping[str, str] | None) -> Reply:
    return Reply(status, body, {k.lower(): v for k, v in (headers or {}).items()})
