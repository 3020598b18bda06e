"""Soak: seeded random interleavings of list edits, Zotero edits and faults, on the local Zotero
server (tests/zoteroapi) with the real list.

Each interleaving (a round) mixes, in a random order decided by its seed:

* edits of the list (the file, as a person would make them): a title, a nickname or an author
  changed, a work's line removed, a new entry added to a subsection;
* edits in Zotero by a second group member (a plain pyzotero client): a title or a short title
  changed, an item moved to another subsection's collection, an item deleted, an item added
  to a subsection's collection;
* the same field changed on both sides (a conflict);
* faults on the next syncs: 429 and 503 with Retry-After, a connection dropped before the
  server read the request, one dropped after the server committed a write, and 412 races (a
  remote edit that lands between atbib's read and its write, tracked like the others: of a
  field nobody else changed, or of the title the list has just changed, a conflict);
* ``atbib zotero sync`` runs, sometimes in the middle of the edits.

A round ends with syncs (at most a few more, with ``--prefer`` to settle the conflicts it
reported) and must then hold: the group mirrors the list (one item per work, in the
collections of its subsections, with its fields; one collection per section; no duplicate item
or collection); every edit made on either side is on both sides (an edit of one side that a
conflict overrode must have been reported as that conflict); and a further sync sends nothing
(one request).

The rounds of a run follow each other on the same list and group, so later rounds meet what
earlier ones left. The normal run makes one run of a few rounds; ``--slow`` four runs of 50
(200 interleavings). ``--seed N`` replays: a failure names its seed, run and round.
"""

from __future__ import annotations

import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from atbib.errors import ZoteroError
from atbib.export import collect_works
from atbib.keys import read_registry
from atbib.markdown.read import read_markdown
from atbib.zotero import sync as zsync
from atbib.zotero.client import RetryPolicy, ZoteroClient
from atbib.zotero.plan import tree_paths
from atbib.zotero.state import load_state
from tests.conftest import copy_of_this_list
from tests.test_zotero_sync import assert_group_mirrors_list
from tests.zoteroapi import ZoteroServer, make_zotero

GROUP = 12345
POLICY = RetryPolicy(attempts=6, base_delay=0.01, max_delay=0.02)


@dataclass
class Expect:
    """One edit, and where it must be seen once the round has settled."""

    what: str
    check: Callable[[Sides], str | None]
    """``None`` when the edit is on both sides, else what is wrong."""


@dataclass
class Sides:
    """The list's and the group's view of every work after a round."""

    works: dict[str, Any]  # work key -> Work (record, entries)
    items: dict[str, dict[str, Any]]  # citation key -> item data
    paths: dict[str, tuple[str, ...]]  # collection key -> section path

    def item_sections(self, key: str) -> set[tuple[str, ...]]:
        return {self.paths[c] for c in self.items[key]["collections"] if c in self.paths}


@dataclass
class Round:
    rng: random.Random
    number: int
    expects: list[Expect] = field(default_factory=list)
    touched: set[str] = field(default_factory=set)
    conflicts: list[tuple[str, str]] = field(default_factory=list)
    """``(work, field)`` changed on both sides on purpose."""
    reported: set[tuple[str, str]] = field(default_factory=set)
    prefer: str = "list"
    log: list[str] = field(default_factory=list)
    faults: list[Callable[[], Any]] = field(default_factory=list)
    """Faults to arm just before the next sync."""


def _nickname_on_both_sides(what: str, work: str, nick: str) -> Expect:
    """The nickname ``nick`` in the list and as the item's short title, after settling."""

    def check(s: Sides) -> str | None:
        listed, remote = s.works[work].record.nickname, s.items[work].get("shortTitle")
        return None if listed == remote == nick else f"list {listed!r}, zotero {remote!r}"

    return Expect(what, check)


def _gone_from_both_sides(what: str, work: str) -> Expect:
    """The work neither in the list nor in the group, after settling."""
    return Expect(
        what, lambda s: None if work not in s.works and work not in s.items else "still there"
    )


def _added_once(title: str, path: tuple[str, ...]) -> Callable[[Sides], str | None]:
    """A new work: one entry in the list, under ``path``, and one item in Zotero, in the
    subsection's collection."""

    def check(s: Sides) -> str | None:
        listed = [k for k, w in s.works.items() if w.record.title == title]
        if len(listed) != 1:
            return f"{len(listed)} works in the list"
        key = listed[0]
        if s.works[key].record.sections != (path,):
            return f"listed in {s.works[key].record.sections}"
        remote = [k for k, i in s.items.items() if i["title"] == title]
        if remote != [key]:
            return f"zotero items {remote}"
        return None if s.item_sections(key) == {path} else "not in its collection in Zotero"

    return check


def _title_conflict_settled(what: str, rnd: Round, work: str, mine: str, theirs: str) -> Expect:
    """A title changed on both sides: reported as a conflict, then on both sides as the
    side the round settled for (``--prefer``) had it."""
    wanted = {"list": mine, "zotero": theirs}

    def check(s: Sides) -> str | None:
        if (work, "title") not in rnd.reported:
            return "the conflict was not reported"
        listed, remote = s.works[work].record.title, s.items[work]["title"]
        expected = wanted[rnd.prefer]
        return None if listed == remote == expected else f"{listed!r} / {remote!r}"

    return Expect(what, check)


class Soak:
    def __init__(self, folder: Path, server: ZoteroServer, seed: str) -> None:
        self.folder = folder
        self.server = server
        self.seed = seed
        self.rng = random.Random(seed)
        self.other = make_zotero(server)
        self.stats: dict[str, int] = {}

    # -- the two sides ------------------------------------------------------------------------

    def sync(self, rnd: Round, **kw: Any) -> zsync.Summary:
        # Faults are armed for atbib's requests only: the second member's go through cleanly.
        for arm in rnd.faults:
            arm()
        rnd.faults.clear()
        try:
            return self._sync(rnd, **kw)
        finally:
            self.server.faults.clear()

    def _sync(self, rnd: Round, **kw: Any) -> zsync.Summary:
        self.count("syncs")
        try:
            summary = zsync.run(
                "sync",
                zsync.Settings(group=GROUP, remove_deleted=True, **kw),
                client_factory=lambda group: ZoteroClient(make_zotero(self.server), policy=POLICY),
            )
        except ZoteroError as exc:  # the retries gave up (faults outlasted them): a failed run
            self.count("syncs that gave up")
            return zsync.Summary("sync", failures=[str(exc)])
        rnd.reported |= {(c.work, c.field) for c in summary.conflicts}
        return summary

    def count(self, what: str, n: int = 1) -> None:
        self.stats[what] = self.stats.get(what, 0) + n

    @property
    def readme(self) -> Path:
        return self.folder / "README.md"

    def works(self) -> dict[str, Any]:
        registry = read_registry((self.folder / "bib" / "keys.tsv").read_text(encoding="utf-8"))
        found, _ = collect_works(read_markdown(self.readme), registry)
        return {w.key: w for w in found}

    def sides(self) -> Sides:
        state = load_state(self.folder / "zotero-sync.json")
        lib = self.server.library
        with self.server.lock:
            items = [self.server.item_data(lib, i) for i in lib.items.values() if i.parent is None]
        by_key = {i["citationKey"]: i for i in items if i.get("citationKey")}
        return Sides(self.works(), by_key, tree_paths(state))

    def remote_item(self, work: str) -> dict[str, Any]:
        state = load_state(self.folder / "zotero-sync.json")
        key = state.by_work()[work].key
        return dict(self.other.item(key)["data"])

    def subsections(self) -> dict[tuple[str, ...], str]:
        state = load_state(self.folder / "zotero-sync.json")
        return {p: k for k, p in tree_paths(state).items() if len(p) == 2}

    def pick(self, rnd: Round, works: dict[str, Any]) -> str:
        """A work in Zotero that no other edit of this round touches, listed once, in a
        subsection."""
        synced = load_state(self.folder / "zotero-sync.json").by_work()
        candidates = sorted(
            k
            for k, w in works.items()
            if k not in rnd.touched
            and k in synced
            and len(w.entries) == 1
            and len(w.record.sections[0]) == 2
        )
        work = rnd.rng.choice(candidates)
        rnd.touched.add(work)
        return work

    def edit_line(self, work: str, change: Callable[[str], str]) -> None:
        lines = self.readme.read_text(encoding="utf-8").split("\n")
        index = self.works()[work].entries[0]
        items = read_markdown(self.readme).items
        number = items[index].line - 1
        changed = change(lines[number])
        assert changed != lines[number], f"the edit of {work} changed nothing: {changed!r}"
        lines[number] = changed
        self.readme.write_text("\n".join(lines), encoding="utf-8")

    # -- list edits ---------------------------------------------------------------------------

    def local_title(self, rnd: Round, works: dict[str, Any], work: str | None = None) -> str:
        work = work or self.pick(rnd, works)
        title = works[work].record.title
        new = f"{title} L{rnd.number}x{rnd.rng.randrange(10**6)}"
        self.edit_line(work, lambda line: line.replace(f"**{title}**", f"**{new}**", 1)
                       if f"**{title}**" in line else line.replace(title, new, 1))  # fmt: skip

        def check(s: Sides) -> str | None:
            listed, remote = s.works[work].record.title, s.items[work]["title"]
            if (work, "title") in rnd.conflicts:
                return None  # judged with the conflict
            return None if listed == remote == new else f"list {listed!r}, zotero {remote!r}"

        rnd.expects.append(Expect(f"list: title of {work}", check))
        return new

    def local_nickname(self, rnd: Round, works: dict[str, Any]) -> None:
        work = self.pick(rnd, works)
        nick = f"Nick{rnd.number}x{rnd.rng.randrange(10**6)}"
        old = works[work].record.nickname
        self.edit_line(
            work,
            lambda line: (
                re.sub(r" - \*{1,3}[^*]+\*{1,3}(\s*)$", rf" - ***{nick}***\1", line)
                if old
                else f"{line} - ***{nick}***"
            ),
        )
        rnd.expects.append(_nickname_on_both_sides(f"list: nickname of {work}", work, nick))

    def local_author(self, rnd: Round, works: dict[str, Any]) -> None:
        work = self.pick(rnd, works)
        line = read_markdown(self.readme).items[works[work].entries[0]].text
        person = works[work].record.authors[0] if works[work].record.authors else None
        if person is None or "**. *" not in line or " " in person.family:
            return
        new_family = f"Soakfamily{rnd.rng.randrange(10**6)}"

        def rename(line: str) -> str:  # in the author span only
            title, dot, authors = line.partition("**. *")
            return title + dot + authors.replace(person.family, new_family, 1)

        self.edit_line(work, rename)

        def check(s: Sides) -> str | None:
            listed = s.works[work].record.authors[0].family
            creators = s.items[work]["creators"]
            last = creators[0].get("lastName", creators[0].get("name", ""))
            return None if listed == new_family and last.endswith(new_family) else f"{last!r}"

        rnd.expects.append(Expect(f"list: first author of {work}", check))

    def local_delete(self, rnd: Round, works: dict[str, Any]) -> None:
        work = self.pick(rnd, works)
        self.edit_line(work, lambda line: "\x00DELETE")
        text = self.readme.read_text(encoding="utf-8").replace("\x00DELETE\n", "")
        self.readme.write_text(text, encoding="utf-8")
        rnd.expects.append(_gone_from_both_sides(f"list: {work} removed", work))

    def local_add(self, rnd: Round, works: dict[str, Any]) -> None:
        path = rnd.rng.choice(sorted(self.subsections()))
        title = f"Soak Study {rnd.number}x{rnd.rng.randrange(10**6)}"
        line = (
            f"- **{title}**. *Ann Soak*. (ICLR 2020) [[paper]](https://soak.example/{title[11:]})"
        )
        lines = self.readme.read_text(encoding="utf-8").split("\n")
        heading = [i for i, text in enumerate(lines) if text == f"### {path[1]}"]
        start = next(i for i in heading if any(lines[j] == f"## {path[0]}" for j in range(i)))
        end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("#")), None)
        lines.insert(end if end is not None else len(lines), line)
        self.readme.write_text("\n".join(lines), encoding="utf-8")

        rnd.expects.append(
            Expect(f"list: {title} added to {' / '.join(path)}", _added_once(title, path))
        )

    # -- Zotero edits (a second member, plain pyzotero) -----------------------------------------

    def remote_title(self, rnd: Round, works: dict[str, Any], work: str | None = None) -> str:
        work = work or self.pick(rnd, works)
        data = self.remote_item(work)
        new = f"{data['title']} Z{rnd.number}x{rnd.rng.randrange(10**6)}"
        data["title"] = new
        self.other.update_item(data)

        def check(s: Sides) -> str | None:
            listed, remote = s.works[work].record.title, s.items[work]["title"]
            if (work, "title") in rnd.conflicts:
                return None
            return None if listed == remote == new else f"list {listed!r}, zotero {remote!r}"

        rnd.expects.append(Expect(f"zotero: title of {work}", check))
        return new

    def remote_short_title(self, rnd: Round, works: dict[str, Any]) -> None:
        work = self.pick(rnd, works)
        data = self.remote_item(work)
        nick = f"ZNick{rnd.number}x{rnd.rng.randrange(10**6)}"
        data["shortTitle"] = nick
        self.other.update_item(data)
        rnd.expects.append(_nickname_on_both_sides(f"zotero: short title of {work}", work, nick))

    def remote_move(self, rnd: Round, works: dict[str, Any]) -> None:
        work = self.pick(rnd, works)
        subsections = self.subsections()
        here = works[work].record.sections[0]
        target = rnd.rng.choice(sorted(p for p in subsections if p != here))
        data = self.remote_item(work)
        data["collections"] = [subsections[target]]
        self.other.update_item(data)
        rnd.expects.append(
            Expect(
                f"zotero: {work} moved to {' / '.join(target)}",
                lambda s: (
                    None
                    if s.works[work].record.sections == (target,)
                    and s.item_sections(work) == {target}
                    else f"list {s.works[work].record.sections}, zotero {s.item_sections(work)}"
                ),
            )
        )

    def remote_delete(self, rnd: Round, works: dict[str, Any]) -> None:
        work = self.pick(rnd, works)
        self.other.delete_item(self.remote_item(work))
        rnd.expects.append(_gone_from_both_sides(f"zotero: {work} deleted", work))

    def remote_add(self, rnd: Round, works: dict[str, Any]) -> None:
        path = rnd.rng.choice(sorted(self.subsections()))
        title = f"Zotero Study {rnd.number}x{rnd.rng.randrange(10**6)}"
        template = self.other.item_template("preprint")
        template.update(
            title=title,
            creators=[{"creatorType": "author", "firstName": "Zed", "lastName": "Soak"}],
            date="2021",
            url=f"https://z.example/{title[13:]}",
            collections=[self.subsections()[path]],
        )
        assert self.other.create_items([template])["successful"]

        rnd.expects.append(
            Expect(f"zotero: {title} added to {' / '.join(path)}", _added_once(title, path))
        )

    def conflict(self, rnd: Round, works: dict[str, Any]) -> None:
        """The same title changed on both sides; settled for a random side."""
        work = self.pick(rnd, works)
        mine = self.local_title(rnd, works, work)
        theirs = self.remote_title(rnd, works, work)
        rnd.conflicts.append((work, "title"))
        rnd.expects.append(
            _title_conflict_settled(f"both: title of {work} (a conflict)", rnd, work, mine, theirs)
        )

    # -- faults -------------------------------------------------------------------------------

    def fault(self, rnd: Round, works: dict[str, Any]) -> None:
        """A fault for the next sync (armed then, so it hits atbib's requests only)."""
        faults = self.server.faults
        kind = rnd.rng.choice(
            ["429", "503", "drop", "drop_after_write", "race", "race on an edited field"]
        )
        self.count(f"fault {kind}")
        rng = rnd.rng
        if kind == "429":
            count, method = rng.randint(1, 3), rng.choice(["GET", "POST"])
            rnd.faults.append(lambda: faults.rate_limit(count, retry_after=0.01, method=method))
        elif kind == "503":
            count = rng.randint(1, 3)
            rnd.faults.append(lambda: faults.unavailable(count, retry_after=0.01))
        elif kind == "drop":
            count = rng.randint(1, 2)
            rnd.faults.append(lambda: faults.drop(count))
        elif kind == "drop_after_write":
            method = rng.choice(["POST", "DELETE"])
            rnd.faults.append(lambda: faults.drop_after_write(1, method=method))
        elif kind == "race on an edited field":
            # the list's new title meets a second member's, which lands just before the write
            work = self.pick(rnd, works)
            mine = self.local_title(rnd, works, work)
            theirs = f"{works[work].record.title} R{rnd.number}x{rng.randrange(10**6)}"
            key = load_state(self.folder / "zotero-sync.json").by_work()[work].key
            rnd.conflicts.append((work, "title"))

            def retitle(library: Any) -> None:
                if key in library.items:
                    library.update_item(key, title=theirs)

            rnd.faults.append(lambda: faults.race(retitle, 1, method="POST"))
            rnd.expects.append(
                _title_conflict_settled(
                    f"race: title of {work} (a conflict)", rnd, work, mine, theirs
                )
            )
        else:  # a second member's edit that lands just before our next write
            work = self.pick(rnd, works)
            nick = f"Race{rnd.number}x{rnd.rng.randrange(10**6)}"
            state = load_state(self.folder / "zotero-sync.json")
            key = state.by_work()[work].key

            def mutate(library: Any) -> None:
                if key in library.items:
                    library.update_item(key, shortTitle=nick)

            race: list[Any] = []
            rnd.faults.append(lambda: race.append(faults.race(mutate, 1, method="POST")))
            rnd.expects.append(
                Expect(
                    f"race: short title of {work}",
                    lambda s: (
                        None
                        if not race
                        or not race[0].fired  # no write in that sync
                        or s.works[work].record.nickname == s.items[work].get("shortTitle") == nick
                        else f"{s.works[work].record.nickname!r} / {s.items[work].get('shortTitle')!r}"
                    ),
                )
            )

    # -- a round ------------------------------------------------------------------------------

    STEPS = (
        "local_title", "local_nickname", "local_author", "local_delete", "local_add",
        "remote_title", "remote_short_title", "remote_move", "remote_delete", "remote_add",
        "conflict", "fault", "fault", "sync",
    )  # fmt: skip

    def round(self, number: int) -> None:
        rnd = Round(random.Random(f"{self.seed}/{number}"), number)
        self.current = rnd
        rnd.prefer = rnd.rng.choice(["list", "zotero"])
        for _ in range(rnd.rng.randint(2, 7)):
            step = rnd.rng.choice(self.STEPS)
            rnd.log.append(step)
            self.count(step)
            if step == "sync":
                self.sync(rnd)
            else:
                getattr(self, step)(rnd, self.works())
        # settle: retries within each sync; then at most a few more syncs
        for attempt in range(4):
            summary = self.sync(rnd, prefer=rnd.prefer if attempt else None)
            if summary.ok and not [c for c in summary.conflicts if not c.resolved] and attempt:
                break
        else:
            raise AssertionError(f"did not settle: {summary.failures} {summary.conflicts}")
        assert_group_mirrors_list(self.server, self.folder)
        sides = self.sides()
        lost = [f"{e.what}: {problem}" for e in rnd.expects if (problem := e.check(sides))]
        assert not lost, "edits lost or not reported:\n" + "\n".join(lost)
        assert self.sync(rnd).requests == 1, "a further sync still had something to do"
        self.count("edits", len(rnd.expects))


def _project(folder: Path) -> Path:
    return copy_of_this_list(folder, GROUP)


def test_soak_random_interleavings_converge(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, slow: bool, seed: int
) -> None:
    runs, rounds = (4, 50) if slow else (1, 3)
    totals: dict[str, int] = {}
    began = time.perf_counter()
    for run in range(runs):
        folder = _project(tmp_path / f"run{run}")
        monkeypatch.chdir(folder)
        server = ZoteroServer()
        server.start()
        try:
            soak = Soak(folder, server, f"{seed}/{run}")
            assert soak.sync(Round(soak.rng, 0)).created == 326
            for number in range(1, rounds + 1):
                try:
                    soak.round(number)
                except Exception as exc:
                    raise AssertionError(
                        f"soak run {run}, round {number} failed (its steps: "
                        f"{', '.join(soak.current.log)}; settled for {soak.current.prefer}); "
                        f"replay with `python -m pytest tests/test_soak.py "
                        f"{'--slow ' if slow else ''}--seed {seed}`:\n{exc}"
                    ) from exc
                soak.count("interleavings")
        finally:
            server.stop()
        for name, value in soak.stats.items():
            totals[name] = totals.get(name, 0) + value
    print(
        f"\nsoak (seed {seed}): {totals.get('interleavings', 0)} interleavings in {runs} runs, "
        f"{time.perf_counter() - began:.0f} s; "
        + ", ".join(f"{name} {value}" for name, value in sorted(totals.items()))
    )
    assert totals["interleavings"] == runs * rounds
