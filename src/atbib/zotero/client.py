"""The only module that talks to Zotero: pyzotero calls, wrapped so they are safe to repeat.

Why a wrapper: pyzotero 1.16 leaves to its caller what a sync needs (see
``shared/reference/zotero-api.md``):

- ``create_items``/``create_collections`` send one request, never batch and never retry a 429
  (the text body then fails as JSON); :meth:`ZoteroClient.write` sends batches of at most 50
  and retries, and every per-object result of the report is returned, failures included
  (``update_items`` would drop them: it is never used);
- ``delete_item(list)`` sends the first item's version where the library version is needed;
  :meth:`ZoteroClient.delete` always passes the library version, 50 keys at a time;
- a 503's ``Retry-After`` is ignored and transport errors escape raw; here every response
  passes an httpx event hook that records ``Backoff`` and ``Retry-After`` (on any status) and
  every request waits until the latest such deadline has passed, whichever pyzotero call sent
  it. Retries are bounded (:class:`RetryPolicy`), with exponential delays when the server named
  none.

Writes are safe to repeat because atbib makes them conditional: creates carry keys made here
and ``version: 0``, updates carry the version last seen, deletes the library version. A write
that reached the server before the connection dropped comes back as a per-object 412 on the
retry (never as a duplicate), and the caller pulls, merges and plans again.

The request hook also counts requests, for the summary.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

from atbib.errors import AccessDenied, LibraryChanged, ZoteroError
from atbib.zotero.plan import RemoteChanges

if TYPE_CHECKING:
    import httpx2
    from pyzotero.zotero import Zotero

T = TypeVar("T")
_log = logging.getLogger("atbib.zotero")

BATCH = 50
"""Objects per write request and keys per read request (the API's limit)."""
KEY_ALPHABET = "23456789ABCDEFGHIJKLMNPQRSTUVWXYZ"


def new_object_key() -> str:
    """A random Zotero object key (8 characters of the API's alphabet)."""
    return "".join(secrets.choice(KEY_ALPHABET) for _ in range(8))


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 5
    """Tries per request (the first included)."""
    base_delay: float = 1.0
    """First wait when the server named none; doubled on every retry."""
    max_delay: float = 60.0
    write_timeout: float = 60.0
    """Seconds to wait for a 50-object write (urschrei/pyzotero#316)."""


@dataclass(frozen=True, slots=True)
class ObjectResult:
    """One object of a multi-object write report, by its index in the batch."""

    status: str
    """``"ok"``, ``"unchanged"`` or ``"failed"``."""
    version: int = 0
    data: Mapping[str, Any] | None = None
    """The object's ``data`` as Zotero now holds it (successful writes)."""
    code: int = 0
    message: str = ""


@dataclass(frozen=True, slots=True)
class WriteReport:
    results: tuple[ObjectResult, ...]
    library_version: int
    """``Last-Modified-Version`` of the reply."""


def parse_report(report: Mapping[str, Any], count: int, library_version: int) -> WriteReport:
    """A multi-write report mapped by index (failures never carry the key reliably)."""
    successful = report.get("successful") or {}
    unchanged = report.get("unchanged") or {}
    failed = report.get("failed") or {}
    results: list[ObjectResult] = []
    for index in range(count):
        key = str(index)
        if key in successful:
            obj = successful[key]
            data = obj.get("data", obj) if isinstance(obj, Mapping) else {}
            version = int(obj.get("version", data.get("version", 0)))
            results.append(ObjectResult("ok", version, data))
        elif key in unchanged:
            results.append(ObjectResult("unchanged"))
        elif key in failed:
            entry = failed[key]
            results.append(
                ObjectResult(
                    "failed",
                    code=int(entry.get("code", 0)),
                    message=str(entry.get("message", "")),
                )
            )
        else:
            # Not reported at all: never count it as done.
            results.append(ObjectResult("failed", code=0, message="missing from the report"))
    return WriteReport(tuple(results), library_version)


def batches(objects: Sequence[T], size: int = BATCH) -> Iterator[Sequence[T]]:
    for start in range(0, len(objects), size):
        yield objects[start : start + size]


class ZoteroClient:
    """A group library through a ``pyzotero.zotero.Zotero`` object."""

    def __init__(
        self,
        zot: Zotero,
        *,
        policy: RetryPolicy = RetryPolicy(),
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.zot = zot
        self.policy = policy
        self.requests = 0
        self._sleep = sleep
        self._clock = clock
        self._not_before = 0.0
        self._status: int | None = None
        self._refusal = ""
        """The text of the last 401 or 403 (``Invalid key``, ``Write access denied``)."""
        self._writable: bool | None = None
        self.on_retry: Callable[[str], None] = _log.info
        """Told each time a request is tried again (the command line says it on a terminal)."""
        if zot.client is None:
            raise ValueError("the pyzotero object has no HTTP client")
        self.http = zot.client
        hooks = self.http.event_hooks
        hooks.setdefault("request", []).append(self._on_request)
        hooks.setdefault("response", []).append(self._on_response)

    # -- plumbing -------------------------------------------------------------------------------

    @property
    def group(self) -> str:
        return str(self.zot.library_id)

    def _on_request(self, request: httpx2.Request) -> None:
        delay = self._not_before - self._clock()
        if delay > 0:
            self._sleep(delay)
        self.requests += 1

    def _on_response(self, response: httpx2.Response) -> None:
        self._status = response.status_code
        if response.status_code in (401, 403):
            self._refusal = response.read().decode("utf-8", "replace").strip()
        for name in ("backoff", "retry-after"):
            value = response.headers.get(name)
            if value is None:
                continue
            try:
                seconds = float(value)
            except ValueError:
                continue
            self._not_before = max(self._not_before, self._clock() + seconds)

    def _library_version(self) -> int:
        request = self.zot.request
        value = request.headers.get("last-modified-version") if request is not None else None
        return int(value) if value is not None else 0

    @property
    def host(self) -> str:
        """The host the requests go to (``api.zotero.org``, or the endpoint set instead)."""
        return urlsplit(str(self.zot.endpoint)).hostname or str(self.zot.endpoint)

    def _call(self, what: str, operation: Callable[[], T]) -> T:
        """Run one pyzotero call with bounded retries of transient failures, saying each
        retry (:attr:`on_retry`); a network that never answers ends in an error naming the
        host and what to check."""
        import httpx2

        delay = self.policy.base_delay
        last, unreachable = "", False
        attempts = self.policy.attempts
        for attempt in range(attempts):
            self._status = None
            try:
                return operation()
            except httpx2.TransportError as exc:
                last, unreachable = _network_failure(exc), True
            except Exception as exc:
                status = self._last_status()
                if status == 412:
                    raise LibraryChanged(what) from None
                if status in (401, 403):
                    raise self._denied(what, status) from None
                if status is None or not (status in (409, 429) or status >= 500):
                    raise ZoteroError(f"{what} failed: {_short(exc)}") from None
                last, unreachable = f"{self.host} answered HTTP {status}", False
            if attempt + 1 < attempts:
                self.on_retry(f"{what}: {last}; retrying ({attempt + 2}/{attempts})…")
                waited = self._not_before - self._clock()
                if waited <= 0:
                    self._sleep(min(delay, self.policy.max_delay))
                    delay *= 2
        if unreachable:
            raise ZoteroError(
                f"{what}: could not reach {self.host} ({last}, {attempts} attempts): check the "
                f"network connection, or the endpoint (${ENDPOINT_ENV}) if one is set"
            )
        raise ZoteroError(f"{what} failed after {attempts} attempts ({last})")

    def _last_status(self) -> int | None:
        """The status of the last response (``None``: none since the last request). A method, so
        that type checkers do not take it for the ``None`` set before the request."""
        return self._status

    def _denied(self, what: str, status: int) -> AccessDenied:
        """The refusal of a 401 or 403, told apart by Zotero's reason: a key it does not
        know, or a key without the access the request needs."""
        reason = f"HTTP {status} {self._refusal}".strip()
        if self._refusal.lower() == "invalid key":
            return AccessDenied(
                f"the API key is not valid (Zotero answered {reason}): create one at "
                "https://www.zotero.org/settings/keys"
            )
        return AccessDenied(
            f"Zotero refused {what} for group {self.group} ({reason}): the API key lacks "
            "access to the group; check its permissions at https://www.zotero.org/settings/keys"
        )

    def pause(self, seconds: float) -> None:
        """Wait between rounds of pull, merge and retry."""
        self._sleep(min(seconds, self.policy.max_delay))

    # -- access ---------------------------------------------------------------------------------

    def check_write_access(self) -> None:
        """Raise :class:`AccessDenied` unless the key may write to the group (one request,
        made before anything is written)."""
        if self._writable:
            return
        zot = self.zot

        def get() -> Any:
            response = self.http.request(
                "GET", f"{zot.endpoint}/keys/current", headers=zot.default_headers()
            )
            if response.status_code >= 400:
                response.raise_for_status()
            return response.json()

        info = self._call("reading the API key's permissions", get)
        access = info.get("access", {}) if isinstance(info, Mapping) else {}
        groups = access.get("groups", {}) if isinstance(access, Mapping) else {}
        rights = groups.get(self.group) or groups.get("all") or {}
        if not rights.get("write"):
            raise AccessDenied(
                f"the API key is read-only for group {self.group}: nothing was sent to "
                "Zotero. "
                "Create a key with write access to the group at "
                "https://www.zotero.org/settings/keys"
            )
        self._writable = True

    # -- reads ----------------------------------------------------------------------------------

    def fetch_changes(
        self,
        since: int,
        known: Mapping[str, int],
        progress: Callable[[int, int], None] | None = None,
    ) -> RemoteChanges:
        """Everything changed in the group since library version ``since``. One request when
        nothing changed; otherwise versions, changed collections, changed items (50 keys a
        request) and deletions, all at one library version (restarted if the library changes
        meanwhile)."""
        zot = self.zot
        delay = self.policy.base_delay
        for _ in range(self.policy.attempts):
            versions = self._call(
                "listing changed items",
                lambda: zot.top(since=since, format="versions", includeTrashed=1, limit=None),
            )
            at = self._library_version()
            if at == since or (since == 0 and not versions and at == 0):
                return RemoteChanges(library_version=at)
            versions = dict(versions or {})
            collections = self._call(
                "reading changed collections",
                lambda: zot.everything(zot.collections(since=since, limit=100)),
            )
            consistent = self._library_version() == at
            changed = sorted(k for k, v in versions.items() if known.get(k) != int(v))
            items: list[Mapping[str, Any]] = []
            for group in batches(changed):
                if not consistent:
                    break
                items += self._read_items(",".join(group))
                consistent = self._library_version() == at
                if progress is not None:
                    progress(len(group), len(changed))
            deleted: Mapping[str, Any] = {}
            if consistent:
                deleted = self._call("reading deletions", lambda: zot.deleted(since=since))
                consistent = self._library_version() == at
            if consistent:
                return RemoteChanges(
                    library_version=at,
                    items=tuple(items),
                    deleted_items=tuple(deleted.get("items", ())),
                    collections=tuple(collections or ()),
                    deleted_collections=tuple(deleted.get("collections", ())),
                )
            self.pause(delay)
            delay *= 2
        raise ZoteroError("the group library kept changing while atbib read it; try again")

    def read_items(self, keys: Sequence[str]) -> list[Mapping[str, Any]]:
        """The items (whole objects, ``meta`` included) with these keys, 50 a request."""
        found: list[Mapping[str, Any]] = []
        for group in batches(keys):
            found += self._read_items(",".join(group))
        return found

    def _read_items(self, keys: str) -> list[Mapping[str, Any]]:
        zot = self.zot
        found: list[Mapping[str, Any]] = self._call(
            "reading changed items",
            lambda: zot.items(itemKey=keys, includeTrashed=1, limit=BATCH),
        )
        return found

    # -- writes ---------------------------------------------------------------------------------

    def write(self, kind: str, payloads: Sequence[Mapping[str, Any]]) -> WriteReport:
        """POST up to 50 items (``kind="items"``) or collections; every per-object result."""
        if len(payloads) > BATCH:
            raise ValueError(f"at most {BATCH} objects per write")
        zot = self.zot
        timeout = self.policy.write_timeout

        def post() -> Any:
            objects = [dict(p) for p in payloads]  # pyzotero edits what it is given
            if kind == "items":
                return zot.create_items(objects, timeout=timeout)
            return zot.create_collections(objects)

        report = self._call(f"writing {len(payloads)} {kind}", post)
        if not isinstance(report, Mapping):
            raise ZoteroError(f"writing {kind}: the reply was not a write report")
        return parse_report(report, len(payloads), self._library_version())

    def delete(self, kind: str, keys: Sequence[str], library_version: int) -> int:
        """DELETE up to 50 items or collections, on condition that the library is still at
        ``library_version``; the new library version. Raises :class:`LibraryChanged` (412)."""
        if len(keys) > BATCH:
            raise ValueError(f"at most {BATCH} keys per delete")
        zot = self.zot
        objects = [{"key": key} for key in keys]

        def send() -> Any:
            if kind == "items":
                return zot.delete_item(objects, last_modified=library_version)
            return zot.delete_collection(objects, last_modified=library_version)

        self._call(f"deleting {len(keys)} {kind}", send)
        return self._library_version()


ENDPOINT_ENV = "ATBIB_ZOTERO_ENDPOINT"
"""The Zotero API's address instead of api.zotero.org (a test server, a proxy)."""


def _network_failure(exc: BaseException) -> str:
    """What went wrong on the way to the server, in words (``connection refused``, ``no
    answer in time``), not an exception's class name."""
    import httpx2

    if isinstance(exc, httpx2.TimeoutException):
        return "no answer in time"
    text = str(exc).strip() or type(exc).__name__
    text = re.sub(r"^\[Errno [-\d]+\]\s*", "", text)
    return f"network error: {text[:1].lower()}{text[1:]}"


def _short(exc: BaseException) -> str:
    """pyzotero's message without its URL/method lines (one line for the user)."""
    text = str(exc).strip()
    lines = [line for line in text.splitlines() if line.strip()]
    code = next((ln for ln in lines if ln.startswith("Code:")), "")
    response = next((ln for ln in lines if ln.startswith("Response:")), "")
    if code or response:
        return " ".join(p for p in (code, response) if p)
    if isinstance(exc, json.JSONDecodeError):
        return "the reply was not JSON"
    return lines[0] if lines else type(exc).__name__


def make_pyzotero(
    group: int, api_key: str, endpoint: str | None = None, timeout: float = 60.0
) -> Zotero:
    """A pyzotero client for a group library (``endpoint`` for a test or self-hosted API)."""
    import httpx2
    from pyzotero.zotero import Zotero

    local = bool(endpoint) and any(h in str(endpoint) for h in ("127.0.0.1", "localhost", "[::1]"))
    client = httpx2.Client(follow_redirects=True, timeout=timeout, trust_env=not local)
    zot = Zotero(group, "group", api_key, client=client)
    if endpoint:
        zot.endpoint = endpoint.rstrip("/")
    return zot


def known_versions(items: Iterable[Any]) -> dict[str, int]:
    """Item key -> version, for :meth:`ZoteroClient.fetch_changes`."""
    return {item.key: item.version for item in items if item.version}
