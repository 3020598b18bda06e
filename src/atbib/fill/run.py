"""One fill run: which identifiers go to which source, in what order, and what came back.

The order keeps the number of requests near the minimum (``⌈N/100⌉`` to arXiv and ``⌈N/100⌉``
to Semantic Scholar for N works, then one request per work only where those batches left
something to settle):

1. the works' arXiv ids to arXiv, in batches (names as the authors wrote them, journal
   references);
2. one identifier per work to Semantic Scholar, in batches: it ties a preprint to its
   published version (``externalIds``: DOI, ACL Anthology id);
3. each ACL Anthology id, then each other DOI (Crossref), for the published version's record;
   a Crossref preprint's ``is-preprint-of`` DOI next; OpenReview ids of works still without a
   published version;
4. a DBLP title search for the works no identifier answered.

What an answer must show to be taken is :func:`atbib.fill.resolve.judge`'s business; this
module only asks and collects. A source that is unavailable (down, refusing, asking to wait
too long) is skipped for the rest of the run and reported; the works keep what the other
sources gave.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from atbib.bibtex.read import LoadedBib
from atbib.fill.facts import Candidate, Status
from atbib.fill.resolve import How, Merged, Target, judge, merge, pick_search_hit
from atbib.fill.sources import SOURCES
from atbib.fill.sources.base import BatchTooLarge, Reply, Request, SourceSettings, Unavailable
from atbib.fill.sources.bibfile import candidates_from_bib
from atbib.identifiers import Identifier
from atbib.model import Person
from atbib.text import authors_repeat_title, fold_title

Send = Callable[[Request], Reply]
Progress = Callable[[str, int, int], None]
"""Told ``(source label, requests done, requests planned)`` after each request."""

_ARXIV_DOI = "10.48550/arxiv."
_ACL_DOI = "10.18653/v1/"
_PUBLISHERS = frozenset({"acl", "crossref"})
"""Sources whose published record settles a work: nothing further is asked for it."""


@dataclass
class _Ledger:
    """What one work collected during the run."""

    target: Target
    accepted: list[Candidate] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    asked: set[str] = field(default_factory=set)

    def known_ids(self) -> list[Identifier]:
        found = dict.fromkeys(self.target.ids)
        for candidate in self.accepted:
            found.update(dict.fromkeys(candidate.ids))
        return list(found)

    def known_authors(self) -> tuple[Person, ...]:
        record = self.target.record
        if record.authors and not authors_repeat_title(record.authors, record.title):
            return record.authors
        for candidate in self.accepted:
            if candidate.authors and set(candidate.ids) & set(self.target.ids):
                return candidate.authors
        return ()

    def published_by(self, sources: frozenset[str]) -> bool:
        return any(c.status is Status.PUBLISHED and c.source in sources for c in self.accepted)

    def take(self, candidate: Candidate, how: How) -> None:
        if any(c.provenance == candidate.provenance for c in self.accepted):
            return
        verdict = judge(self.target, candidate, how, self.known_authors())
        if verdict.accepted:
            self.accepted.append(candidate)
        if verdict.reason and verdict.reason != "another title":
            self.notes.append(
                f"{candidate.provenance}: {verdict.reason}"
                + ("" if verdict.accepted else " (not taken)")
            )


@dataclass(frozen=True)
class RunResult:
    """What a run found for each work it was given, and how the sources behaved."""

    merged: tuple[Merged, ...]
    notes: tuple[tuple[str, ...], ...]
    """Per work (same order): answers refused or accepted with a remark, abstentions."""
    unavailable: Mapping[str, str]
    """Source name -> why it was skipped."""


class FillRun:
    """Asks the sources about a list of works (see the module docstring)."""

    def __init__(
        self,
        targets: Sequence[Target],
        *,
        settings: Mapping[str, SourceSettings],
        send: Send | None,
        progress: Progress = lambda label, done, total: None,
    ) -> None:
        self.ledgers = [_Ledger(t) for t in targets]
        self.settings = dict(settings)
        self.send = send
        self.progress = progress
        self.unavailable: dict[str, str] = {}

    def run(self, files: Sequence[LoadedBib] = (), *, date: str) -> RunResult:
        """Take *files* (loaded .bib files) offline, then ask the enabled online sources (none
        when ``send`` is ``None``), and merge what each work got."""
        for loaded in files:
            self._take_file(loaded)
        if self.send is not None:
            self._ask_by_id("arxiv", lambda w: [i for i in w.target.ids if i.scheme == "arxiv"])
            self._ask_by_id("semanticscholar", _best_scholar_id)
            self._ask_by_id("acl", _acl_ids)
            self._ask_by_id("crossref", _publisher_dois)
            self._ask_by_id("crossref", _published_version_dois)
            self._ask_by_id("openreview", _openreview_ids)
            self._search("dblp")
        merged = tuple(merge(w.target, w.accepted, date) for w in self.ledgers)
        return RunResult(merged, tuple(tuple(w.notes) for w in self.ledgers), self.unavailable)

    def _take_file(self, loaded: LoadedBib) -> None:
        """A .bib file's entries, each taken by the work it identifies, else by a title match
        with the authors' check (:func:`~atbib.fill.resolve.pick_search_hit`)."""
        candidates = candidates_from_bib(loaded)
        by_id: dict[Identifier, list[Candidate]] = {}
        by_title: dict[str, list[Candidate]] = {}
        for candidate in candidates:
            for ident in candidate.ids:
                by_id.setdefault(ident, []).append(candidate)
            by_title.setdefault(fold_title(candidate.title), []).append(candidate)
        for ledger in self.ledgers:
            listed = [c for i in ledger.target.ids for c in by_id.get(i, ())]
            if listed:
                ledger.take(listed[0], How.LISTED)
                continue
            hits = by_title.get(fold_title(ledger.target.record.title), [])
            chosen, reason = pick_search_hit(ledger.target, hits, ledger.known_authors())
            for candidate in chosen[:1]:
                ledger.take(candidate, How.SEARCHED)
            if hits and reason:
                ledger.notes.append(f"{loaded.path}: {reason}")

    def _ask_by_id(self, name: str, wanted: Callable[[_Ledger], Sequence[Identifier]]) -> None:
        """Ask source *name* for the identifiers each work wants from it, each id once."""
        source = SOURCES[name]
        if name not in self.settings or name in self.unavailable:
            return
        askers: dict[Identifier, list[_Ledger]] = {}
        for ledger in self.ledgers:
            for ident in wanted(ledger):
                key = f"{name}:{ident}"
                if ident.scheme in source.schemes and key not in ledger.asked:
                    ledger.asked.add(key)
                    askers.setdefault(ident, []).append(ledger)
        if not askers:
            return
        ids = list(askers)
        settings = self.settings[name]
        requests = source.requests(ids, settings)
        done = 0
        while requests:
            request = requests.pop(0)
            try:
                parsed = self._answer(request)
            except BatchTooLarge:
                asked = [Identifier.parse(a) for a in request.asked]
                half = max(1, len(asked) // 2)
                settings = replace(settings, batch_size=half)
                requests[:0] = source.requests(asked, settings)
                continue
            except Unavailable as problem:
                self.unavailable[name] = str(problem)
                return
            done += 1
            self.progress(source.label, done, done + len(requests))
            for text, candidate in parsed.items():
                if candidate is None:
                    continue
                ident = Identifier.parse(text)
                for ledger in askers.get(ident, ()):
                    how = How.LISTED if ident in ledger.target.ids else How.LINKED
                    ledger.take(candidate, how)

    def _search(self, name: str) -> None:
        """Search source *name* by title for the works nothing answered."""
        source = SOURCES[name]
        if name not in self.settings or name in self.unavailable:
            return
        waiting = [w for w in self.ledgers if _unanswered(w)]
        for done, ledger in enumerate(waiting, start=1):
            request = source.search(ledger.target.record.title, self.settings[name])
            try:
                parsed = self._answer(request)
            except Unavailable as problem:
                self.unavailable[name] = str(problem)
                return
            self.progress(source.label, done, len(waiting))
            hits = [c for c in parsed.values() if c is not None]
            chosen, reason = pick_search_hit(ledger.target, hits, ledger.known_authors())
            for candidate in chosen:
                ledger.take(candidate, How.SEARCHED)
            if reason:
                ledger.notes.append(f"{source.label} title search: {reason}")

    def _answer(self, request: Request) -> dict[str, Candidate | None]:
        """The source's reading of the reply; an unreadable reply makes the source
        unavailable (a service answering HTML where it promised JSON is not working)."""
        assert self.send is not None
        reply = self.send(request)
        try:
            return SOURCES[request.source].parse(request, reply)
        except (BatchTooLarge, Unavailable):
            raise
        except (ValueError, TypeError, KeyError, AttributeError, ET.ParseError) as problem:
            if isinstance(problem, json.JSONDecodeError) or reply.status >= 400:
                raise Unavailable(f"answered HTTP {reply.status} with no readable data") from None
            raise Unavailable(f"answered something unreadable ({problem})") from None


def _best_scholar_id(ledger: _Ledger) -> list[Identifier]:
    """One identifier per work for Semantic Scholar (several would return the work twice)."""
    for scheme in ("arxiv", "acl", "doi"):
        for ident in ledger.target.ids:
            if ident.scheme == scheme and not ident.value.startswith(_ARXIV_DOI):
                return [ident]
    return []


def _acl_ids(ledger: _Ledger) -> list[Identifier]:
    """The ACL Anthology ids known for the work, an ACL DOI read as its id."""
    found: list[Identifier] = []
    for ident in ledger.known_ids():
        if ident.scheme == "acl":
            found.append(ident)
        elif ident.scheme == "doi" and ident.value.startswith(_ACL_DOI):
            from atbib.identifiers import normalise_acl

            acl = normalise_acl(ident.value[len(_ACL_DOI) :])
            if acl:
                found.append(Identifier("acl", acl))
    return list(dict.fromkeys(found))


def _publisher_dois(ledger: _Ledger) -> list[Identifier]:
    """DOIs of a work no publisher of record has answered for yet (arXiv's own DOIs aside)."""
    if ledger.published_by(_PUBLISHERS):
        return []
    return [
        i
        for i in ledger.known_ids()
        if i.scheme == "doi" and not i.value.startswith((_ARXIV_DOI, _ACL_DOI))
    ]


def _published_version_dois(ledger: _Ledger) -> list[Identifier]:
    """The DOIs a Crossref preprint record names as its published version."""
    if ledger.published_by(_PUBLISHERS):
        return []
    return [
        i
        for c in ledger.accepted
        if c.source == "crossref" and c.status is Status.PREPRINT
        for i in c.ids
        if i.scheme == "doi" and i.value != c.identifier
    ]


def _openreview_ids(ledger: _Ledger) -> list[Identifier]:
    if ledger.published_by(_PUBLISHERS):
        return []
    return [i for i in ledger.known_ids() if i.scheme == "openreview"]


def _unanswered(ledger: _Ledger) -> bool:
    """Whether no source has said anything of the work: the works a title search is for."""
    return not ledger.accepted
