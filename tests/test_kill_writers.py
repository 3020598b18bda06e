"""Nothing half-written, beyond export: ``atbib import`` and ``atbib zotero pull``/``sync``
killed with SIGKILL at random moments.

``atbib import`` writes bib/extra.bib, bib/keys.tsv and README.md one after another (each
atomically); ``atbib zotero pull`` and ``sync`` write README.md, bib/keys.tsv and
zotero-sync.json (the state several times, as the push goes). Each round runs the real
command in a subprocess and kills it either after a random delay or just as it writes its
k-th file (the test watches for the temporary files ``write_text_atomic`` creates). After
every kill:

* every file is whole: README.md and bib/keys.tsv are the old file or the new one; bib/
  extra.bib too (import); the sync state is a complete state file (a sync saves it after
  every request, so any complete one is right);
* the only temporary files are those of writes a kill interrupted, and ``atbib check``
  names them;
* the next run converges with nothing lost: the import gives exactly the files of an
  uninterrupted import (the same keys pinned, the same kept fields, the same list, and after
  ``atbib export`` the same bib/) and removes the temporary files, saying so; the next sync
  leaves the group mirroring the list, every edit made on either side on both sides, no
  duplicate item or collection, and a further sync doing nothing.

The normal run kills each command a few times; ``--slow`` kills ``import`` 100 times and
``zotero pull`` and ``sync`` 50 times each (with the 250 kills of ``export`` in
tests/test_kill.py, 450 in all). A failure names its seed (``--seed``) and round.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from atbib.keys import read_registry
from atbib.markdown.read import read_markdown
from atbib.zotero import sync as zsync
from atbib.zotero.client import RetryPolicy, ZoteroClient
from atbib.zotero.plan import tree_paths
from atbib.zotero.state import load_state
from tests.biglist import atbib, big_list, make_project, snapshot
from tests.conftest import copy_of_this_list
from tests.killing import TEMPORARY, kill_atbib
from tests.test_zotero_sync import assert_group_mirrors_list
from tests.zoteroapi import DEFAULT_KEY, ZoteroServer, make_zotero

GROUP = 12345


def _temporaries(folder: Path) -> dict[str, str]:
    """``relative path -> target name`` of the temporary files in the project and bib/."""
    found = {}
    for where in (folder, folder / "bib"):
        if where.is_dir():
            for name in os.listdir(where):
                match = TEMPORARY.match(name)
                if match:
                    found[str((where / name).relative_to(folder))] = match.group("target")
    return found


@dataclass
class Stats:
    kills: int = 0
    rounds: int = 0
    mid_write: int = 0
    """Kills that left a temporary file (they landed inside a write)."""
    mixed: int = 0
    """Kills that left some files new and others old."""
    reported: int = 0
    """Rounds where ``atbib check`` named the temporary files left."""
    seconds: float = 0.0
    detail: dict[str, int] = field(default_factory=dict)

    def line(self, name: str) -> str:
        return (
            f"{name}: {self.kills} kills in {self.rounds} rounds survived; {self.mid_write} "
            f"inside a write (a temporary file left, named by atbib check and removed by the "
            f"next run), {self.mixed} left files part old and part new; {self.seconds:.0f} s"
        )


def _check_leftovers_reported(folder: Path, left: dict[str, str], context: str) -> None:
    result = atbib(folder, "check", check=False)
    assert result.returncode == 1, f"{context}: check passed with {sorted(left)} left"
    for path in left:
        assert f"{path}: temporary file left by an interrupted run" in result.stderr, (
            f"{context}: check did not name {path}:\n{result.stderr}"
        )


# -- atbib import -----------------------------------------------------------------------------

IMPORTED = ("README.md", "bib/keys.tsv", "bib/extra.bib")


def _bib(entries: int) -> str:
    return "\n".join(
        f"@inproceedings{{killtest{i:04d},\n"
        f"  title = {{Interrupted Imports Number {i} of Attention Models}},\n"
        f"  author = {{Smith{i}, Ann and Li, Bo}},\n"
        f"  booktitle = {{Proceedings of the 57th Annual Meeting of the ACL}},\n"
        f"  year = {{2019}},\n  pages = {{{i}--{i + 10}}},\n"
        f"  publisher = {{Association for Computational Linguistics}},\n"
        f"  doi = {{10.1000/kill.{i}}},\n  url = {{https://example.org/kill/{i}}}\n}}\n"
        for i in range(entries)
    )


def _files(folder: Path, names: tuple[str, ...]) -> dict[str, bytes | None]:
    return {n: (folder / n).read_bytes() if (folder / n).exists() else None for n in names}


def _import_project(folder: Path, listed: int, entries: int) -> Path:
    """A big list (so its writes take long enough for kills to land inside them), exported,
    and a .bib file of new works with fields only bib/extra.bib can keep."""
    make_project(folder, big_list(listed))
    atbib(folder, "export")
    (folder / "new.bib").write_text(_bib(entries), encoding="utf-8")
    return folder


IMPORT = ["import", "new.bib", "--section", "Transformer / Papers", "--create-section"]


def test_sigkill_during_import_leaves_each_file_old_or_new(
    tmp_path: Path, slow: bool, seed: int
) -> None:
    listed, entries = (6000, 600) if slow else (3000, 300)
    reference = _import_project(tmp_path / "reference", listed, entries)
    shutil.copytree(reference, tmp_path / "reference-start")
    old = _files(reference, IMPORTED)
    started = time.perf_counter()
    atbib(reference, *IMPORT)
    seconds = time.perf_counter() - started
    new = _files(reference, IMPORTED)
    assert all(old[n] != new[n] for n in IMPORTED), (
        "every file must change, or a kill proves nothing"
    )
    atbib(reference, "export")
    exported = snapshot(reference / "bib")

    folder = shutil.copytree(reference.parent / "reference-start", tmp_path / "work")
    bib_before = {n: d for n, d in snapshot(folder / "bib").items() if n not in ("keys.tsv",)}
    rng = random.Random(f"{seed}/import")
    stats = Stats()
    kills = 100 if slow else 3
    began = time.perf_counter()
    while stats.kills < kills:
        stats.rounds += 1
        context = f"import round {stats.rounds} (replay with --seed {seed})"
        before = set(_temporaries(folder))
        killed, how = kill_atbib(
            IMPORT,
            folder,
            rng,
            seconds=seconds,
            writes=3,
            temporaries=lambda: set(_temporaries(folder)),
        )
        context += f", killed {how}" if killed else ", not killed (finished first)"
        now = _files(folder, IMPORTED)
        for name in IMPORTED:
            assert now[name] in (old[name], new[name]), f"{context}: {name} is neither old nor new"
        others = {n: d for n, d in snapshot(folder / "bib").items() if n in bib_before}
        assert others == bib_before, f"{context}: import touched a generated .bib file"
        left = {p: t for p, t in _temporaries(folder).items() if p not in before}
        assert {t for t in left.values()} <= {Path(n).name for n in IMPORTED}, f"{context}: {left}"
        if killed:
            stats.kills += 1
        if left:
            stats.mid_write += 1
        if any(now[n] == new[n] for n in IMPORTED) and any(now[n] == old[n] for n in IMPORTED):
            stats.mixed += 1
        last = stats.kills >= kills
        if left and (stats.reported < 3 or last):
            _check_leftovers_reported(folder, _temporaries(folder), context)
            stats.reported += 1
        if stats.rounds % 4 == 0 or last:
            # the next run: exactly an uninterrupted import's files, temporary files gone
            result = atbib(folder, *IMPORT)
            for path in _temporaries(folder):
                pytest.fail(f"{context}: the next import left {path}")
            assert _files(folder, IMPORTED) == new, f"{context}: the next import did not converge"
            if left:
                assert "(left by an interrupted run)" in result.stderr, result.stderr
            if last:
                atbib(folder, "export")
                assert snapshot(folder / "bib") == exported, f"{context}: bib/ differs"
                assert atbib(folder, "check", check=False).returncode == 0
                break
        for name, data in old.items():  # back to the old files; temporary files stay
            path = folder / name
            if data is None:
                path.unlink(missing_ok=True)
            else:
                path.write_bytes(data)
    stats.seconds = time.perf_counter() - began
    print(
        "\n"
        + stats.line(
            f"atbib import of {entries} entries into {listed} (uninterrupted {seconds:.1f} s)"
        )
    )


# -- atbib zotero pull / sync -----------------------------------------------------------------

SYNCED = ("README.md", "bib/keys.tsv", "zotero-sync.json")


@dataclass
class Edits:
    """What each side changed since the last converged sync, to find on both sides after."""

    list_titles: dict[str, str] = field(default_factory=dict)  # work -> new title
    zotero_titles: dict[str, str] = field(default_factory=dict)
    zotero_added: dict[str, tuple[str, ...]] = field(default_factory=dict)  # title -> path
    list_added: dict[str, tuple[str, ...]] = field(default_factory=dict)


class Group:
    def __init__(self, folder: Path, server: ZoteroServer, rng: random.Random) -> None:
        self.folder = folder
        self.server = server
        self.rng = rng
        self.other = make_zotero(server)

    def sync(self) -> zsync.Summary:
        policy = RetryPolicy(attempts=5, base_delay=0.01, max_delay=0.02)
        return zsync.run(
            "sync",
            zsync.Settings(group=GROUP),
            client_factory=lambda group: ZoteroClient(make_zotero(self.server), policy=policy),
        )

    def state(self) -> object:
        return load_state(self.folder / "zotero-sync.json")

    def edit(self, number: int) -> Edits:
        """Edits on both sides: a pull writes the list, the registry and the state, and a
        sync also pushes."""
        rng = self.rng
        edits = Edits()
        state = load_state(self.folder / "zotero-sync.json")
        linked = state.by_work()
        paths = {p: k for k, p in tree_paths(state).items() if len(p) == 2}
        readme = self.folder / "README.md"
        library = read_markdown(readme)
        registry = read_registry((self.folder / "bib" / "keys.tsv").read_text(encoding="utf-8"))
        from atbib.export import collect_works

        works, _ = collect_works(library, registry)
        single = sorted(w.key for w in works if len(w.entries) == 1 and w.key in linked)
        chosen = rng.sample(single, 12)
        lines = readme.read_text(encoding="utf-8").split("\n")
        by_key = {w.key: w for w in works}
        for work in chosen[:6]:  # list titles
            item = library.items[by_key[work].entries[0]]
            title = item.record.title
            new = f"{title} K{number}x{rng.randrange(10**6)}"
            lines[item.line - 1] = item.text.replace(title, new, 1)
            edits.list_titles[work] = new
        for n in range(3):  # new entries in the list
            path = rng.choice(sorted(paths))
            title = f"Killed Sync Study {number}x{n}x{rng.randrange(10**6)}"
            at = next(i for i, t in enumerate(lines) if t == f"### {path[1]}"
                      and any(lines[j] == f"## {path[0]}" for j in range(i)))  # fmt: skip
            lines.insert(
                at + 1,
                f"- **{title}**. *Kay Ill*. (ACL 2019) [[paper]](https://k.example/{title[18:]})",
            )
            edits.list_added[title] = path
        readme.write_text("\n".join(lines), encoding="utf-8")
        for work in chosen[6:]:  # Zotero titles
            data = dict(self.other.item(linked[work].key)["data"])
            data["title"] = f"{data['title']} Z{number}x{rng.randrange(10**6)}"
            self.other.update_item(data)
            edits.zotero_titles[work] = data["title"]
        new_items = []
        for n in range(40):  # new items in Zotero
            path = rng.choice(sorted(paths))
            template = self.other.item_template("preprint")
            title = f"Zotero Kill Study {number}x{n}x{rng.randrange(10**6)}"
            template.update(
                title=title,
                creators=[{"creatorType": "author", "firstName": "Zed", "lastName": f"Kill{n}"}],
                date="2021",
                url=f"https://zk.example/{title[18:]}",
                collections=[paths[path]],
            )
            new_items.append(template)
            edits.zotero_added[title] = path
        assert not self.other.create_items(new_items)["failed"]
        return edits

    def pulled(self, reference: Path) -> dict[str, bytes | None]:
        """The files an uninterrupted pull writes now (a pull sends nothing to Zotero)."""
        shutil.copytree(self.folder, reference)
        here = Path.cwd()
        os.chdir(reference)
        try:
            policy = RetryPolicy(attempts=5, base_delay=0.01, max_delay=0.02)
            zsync.run(
                "pull",
                zsync.Settings(group=GROUP),
                client_factory=lambda group: ZoteroClient(make_zotero(self.server), policy=policy),
            )
        finally:
            os.chdir(here)
        files = _files(reference, SYNCED)
        shutil.rmtree(reference)
        return files

    def converge(self, edits: Edits, context: str) -> list[str]:
        """The next runs: at most a few syncs, then everything on both sides."""
        leftovers: list[str] = []
        for _ in range(3):
            summary = self.sync()
            leftovers += summary.leftovers
            if summary.ok and summary.requests == 1:
                break
        else:
            pytest.fail(f"{context}: no quiet sync after three: {summary.failures}")
        assert not _temporaries(self.folder), f"{context}: {_temporaries(self.folder)}"
        assert_group_mirrors_list(self.server, self.folder)
        lib = self.server.library
        with self.server.lock:
            items = [self.server.item_data(lib, i) for i in lib.items.values() if i.parent is None]
        by_cite = {i["citationKey"]: i for i in items if i.get("citationKey")}
        titles = {i["title"]: i for i in items}
        registry = read_registry((self.folder / "bib" / "keys.tsv").read_text(encoding="utf-8"))
        from atbib.export import collect_works

        works, _ = collect_works(read_markdown(self.folder / "README.md"), registry)
        listed = {w.key: w.record for w in works}
        listed_titles = {r.title: r for r in listed.values()}
        for work, title in {**edits.list_titles, **edits.zotero_titles}.items():
            assert listed[work].title == by_cite[work]["title"] == title, f"{context}: {work}"
        for title, path in {**edits.list_added, **edits.zotero_added}.items():
            assert title in titles, f"{context}: {title!r} not in Zotero"
            assert listed_titles[title].sections == (path,), f"{context}: {title!r} not listed"
        return leftovers


def _state_ok(data: bytes | None, context: str) -> None:
    assert data is not None, f"{context}: the state file went"
    json.loads(data)  # whole, or this fails


@pytest.mark.parametrize("command", ["pull", "sync"])
def test_sigkill_during_zotero_pull_and_sync_leaves_each_file_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, slow: bool, seed: int, command: str
) -> None:
    folder = copy_of_this_list(tmp_path / "project", GROUP)
    monkeypatch.chdir(folder)
    server = ZoteroServer()
    server.start()
    env = {**os.environ, "ATBIB_ZOTERO_ENDPOINT": server.endpoint, "ZOTERO_API_KEY": DEFAULT_KEY}
    rng = random.Random(f"{seed}/{command}")
    group = Group(folder, server, rng)
    stats = Stats()
    kills = 50 if slow else 2
    began = time.perf_counter()
    try:
        assert group.sync().created == 326
        started = time.perf_counter()
        subprocess.run(  # how long starting up and reading the list take
            [sys.executable, "-m", "atbib", "zotero", "status"], cwd=folder, env=env, check=True,
            capture_output=True, timeout=120,
        )  # fmt: skip
        startup = time.perf_counter() - started
        while stats.kills < kills:
            stats.rounds += 1
            context = f"zotero {command} round {stats.rounds} (replay with --seed {seed})"
            edits = group.edit(stats.rounds)
            old = _files(folder, SYNCED)
            started = time.perf_counter()
            pulled = group.pulled(tmp_path / f"reference{stats.rounds}")
            seconds = startup + 2 * (time.perf_counter() - started)  # a whole run, about
            before = set(_temporaries(folder))
            killed, how = kill_atbib(
                ["zotero", command],
                folder,
                rng,
                seconds=seconds,
                writes=3,
                temporaries=lambda: set(_temporaries(folder)),
                env=env,
            )
            context += f", killed {how}" if killed else ", not killed (finished first)"
            after = _files(folder, SYNCED)
            _state_ok(after["zotero-sync.json"], context)
            registry = after["bib/keys.tsv"]
            assert registry is not None
            read_registry(registry.decode("utf-8"))  # whole, or this fails
            left = {p: t for p, t in _temporaries(folder).items() if p not in before}
            assert set(left.values()) <= {Path(n).name for n in SYNCED}, f"{context}: {left}"
            if left and stats.reported < 2:
                _check_leftovers_reported(folder, _temporaries(folder), context)
                stats.reported += 1
            # The list is written once per run (by the pull, in a sync too): old, or what an
            # uninterrupted pull writes. A pull writes the registry and the state once each;
            # a sync's push pins keys and saves the state again (checked whole above).
            whole = ("README.md",) if command == "sync" else SYNCED
            for name in whole:
                assert after[name] in (old[name], pulled[name]), (
                    f"{context}: {name} is neither old nor new"
                )
            try:
                removed = group.converge(edits, context)
            except AssertionError as exc:
                raise AssertionError(f"{context}: {exc}") from exc
            assert sorted(removed) == sorted(left), f"{context}: {removed} != {left}"
            if killed:
                stats.kills += 1
            if left:
                stats.mid_write += 1
            changed = [n for n in SYNCED if after[n] != old[n]]
            if changed and len(changed) < len(SYNCED):
                stats.mixed += 1
    finally:
        server.stop()
    stats.seconds = time.perf_counter() - began
    print("\n" + stats.line(f"atbib zotero {command} (a whole run about {seconds:.1f} s)"))


def test_a_pull_killed_after_the_list_pins_the_keys_on_the_next_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Found by the kills above: a pull killed after writing the list but before the key
    registry left works linked to Zotero items without a key in bib/keys.tsv, and no later
    run pinned them. Their keys, derived again by every run, shifted as works were added,
    until a new work took the key a linked one had: its item was linked to the wrong work and
    the push created a duplicate. The next run now pins the key of every linked work."""
    folder = copy_of_this_list(tmp_path / "project", GROUP)
    monkeypatch.chdir(folder)
    server = ZoteroServer()
    server.start()
    try:
        group = Group(folder, server, random.Random(3))
        assert group.sync().created == 326
        edits = group.edit(1)
        pulled = group.pulled(tmp_path / "reference")
        (folder / "README.md").write_bytes(pulled["README.md"])  # killed right after this
        group.converge(edits, "the next run")
        registry = {row.key for row in read_registry(
            (folder / "bib" / "keys.tsv").read_text(encoding="utf-8"))}  # fmt: skip
        linked = set(load_state(folder / "zotero-sync.json").by_work())
        assert linked <= registry, sorted(linked - registry)[:5]
    finally:
        server.stop()
