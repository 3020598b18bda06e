"""The one HTTP executor of ``atbib fill``: waits and retries as services ask, and gives up
in bounded time. Real requests to the fake services; the clock is the test's, so no test
waits for a backoff."""

from __future__ import annotations

import email.utils

import pytest

from atbib.fill.fetch import ATTEMPTS, Fetcher, retry_after
from atbib.fill.sources import SOURCES
from atbib.fill.sources.base import SourceSettings, Unavailable
from atbib.identifiers import Identifier


class Clock:
    """Time that moves only when the fetcher sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def time(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 3))
        self.now += seconds


def fetcher(endpoint: str, clock: Clock, delay: float = 0.0) -> Fetcher:
    settings = {"arxiv": SourceSettings(endpoint, batch_size=100, delay=delay)}
    return Fetcher(settings, clock=clock.time, wall=clock.time, sleep=clock.sleep, timeout=5)


def arxiv_request(endpoint: str):
    return SOURCES["arxiv"].request([Identifier("arxiv", "1706.03762")], SourceSettings(endpoint))


def test_retry_after_is_read_as_seconds_or_as_a_date() -> None:
    assert retry_after("7", 0.0) == 7.0
    date = email.utils.formatdate(1060.0, usegmt=True)
    assert retry_after(date, 1000.0) == 60.0
    assert retry_after("soon", 0.0) is None and retry_after(None, 0.0) is None


def test_a_service_that_stays_down_is_given_up_after_doubling_waits(metadata_servers) -> None:
    endpoint = metadata_servers.unreachable_endpoint("arxiv")
    clock = Clock()
    with pytest.raises(Unavailable, match=r"arxiv \(127\.0\.0\.1:\d+\) did not answer"):
        fetcher(endpoint, clock).fetch(arxiv_request(endpoint))
    assert clock.slept == [1.0, 2.0, 4.0, 8.0]


def test_a_503_with_retry_after_is_waited_then_answered(metadata_servers) -> None:
    endpoint = metadata_servers.endpoints["arxiv"]
    metadata_servers.faults.unavailable("arxiv", count=2, retry_after=5)
    clock = Clock()
    reply = fetcher(endpoint, clock).fetch(arxiv_request(endpoint))
    assert reply.status == 200
    assert clock.slept == [5.0, 5.0]


def test_a_wait_longer_than_atbib_accepts_makes_the_source_unavailable(metadata_servers) -> None:
    endpoint = metadata_servers.endpoints["arxiv"]
    metadata_servers.faults.rate_limit("arxiv", count=None, retry_after=3600)
    clock = Clock()
    with pytest.raises(Unavailable, match="asks to wait 3600 s"):
        fetcher(endpoint, clock).fetch(arxiv_request(endpoint))
    assert clock.slept == []


def test_every_attempt_fails_and_the_last_status_is_named(metadata_servers) -> None:
    endpoint = metadata_servers.endpoints["arxiv"]
    metadata_servers.faults.unavailable("arxiv", count=None)
    clock = Clock()
    with pytest.raises(Unavailable, match=rf"answered HTTP 503 \({ATTEMPTS} attempts\)"):
        fetcher(endpoint, clock).fetch(arxiv_request(endpoint))
    assert metadata_servers.log.count("arxiv") == ATTEMPTS


def test_requests_to_one_source_keep_its_politeness_delay(metadata_servers) -> None:
    endpoint = metadata_servers.endpoints["arxiv"]
    clock = Clock()
    polite = fetcher(endpoint, clock, delay=3.0)
    polite.fetch(arxiv_request(endpoint))
    polite.fetch(arxiv_request(endpoint))
    assert clock.slept == [3.0]
    assert polite.counts == {"arxiv": 2}


def test_a_slow_answer_times_out_and_is_retried(metadata_servers) -> None:
    endpoint = metadata_servers.endpoints["arxiv"]
    metadata_servers.faults.delay("arxiv", 3, count=1)
    clock = Clock()
    quick = Fetcher(
        {"arxiv": SourceSettings(endpoint)},
        clock=clock.time,
        wall=clock.time,
        sleep=clock.sleep,
        timeout=0.5,
    )
    assert quick.fetch(arxiv_request(endpoint)).status == 200
    assert clock.slept == [1.0]
