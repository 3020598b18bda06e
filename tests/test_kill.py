"""Nothing half-written: ``atbib export`` killed with SIGKILL at random moments.

Each round starts from bib/ as an export of the old list left it, with the edited list in
README.md, runs the real command in a subprocess and kills it with SIGKILL, either after a
random delay or just as it writes its k-th file (the test watches bib/ for the temporary files
``write_text_atomic`` creates). After every kill each file of bib/ must be byte for byte what it
was before or what a complete export writes, README.md must be untouched, and leftover
temporary files may only be the ones a kill interrupted; every few rounds a complete export must
repair everything: bib/ exactly the new files, no temporary file left, ``atbib check`` passing.

Scenarios: the real list (an old version plus a section that the new version no longer has, so
a file is removed; the current README.md, which adds works and keys) and a big synthetic list
whose export writes a few MB, so kills land inside the writes. The default run kills a handful
of times per scenario; ``--slow`` kills at least 200 times.
"""

from __future__ import annotations

import os
import random
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.biglist import atbib, big_list, make_project, snapshot
from tests.conftest import ROOT, history_files
from tests.killing import TEMPORARY, kill_atbib


@dataclass
class Scenario:
    name: str
    folder: Path
    old: dict[str, bytes]
    new: dict[str, bytes]
    readme: bytes
    seconds: float
    stats: dict[str, int] = field(default_factory=dict)

    @property
    def bib(self) -> Path:
        return self.folder / "bib"


def _scenario(tmp: Path, name: str, old_list: str, new_list: str) -> Scenario:
    """Old and new bib/ contents from complete exports in a reference folder."""
    reference = make_project(tmp / f"{name}-reference", old_list)
    atbib(reference, "export")
    old = snapshot(reference / "bib")
    (reference / "README.md").write_text(new_list, encoding="utf-8")
    start = time.perf_counter()
    atbib(reference, "export")
    seconds = time.perf_counter() - start
    new = snapshot(reference / "bib")
    changed = {n for n in set(old) | set(new) if old.get(n) != new.get(n)}
    assert changed == set(old) | set(new), "every file must differ, or a kill proves nothing"
    work = make_project(tmp / name, new_list)
    _restore(work / "bib", old, keep_temporaries=False)
    readme = (work / "README.md").read_bytes()
    return Scenario(name, work, old, new, readme, seconds)


def _restore(folder: Path, files: dict[str, bytes], *, keep_temporaries: bool) -> None:
    """Put bib/ back as an export of the old list left it. Temporary files a kill left behind
    stay, so the next runs must live with them (and the repairing export must remove them)."""
    folder.mkdir(exist_ok=True)
    for path in folder.iterdir():
        if path.name not in files and not (keep_temporaries and TEMPORARY.match(path.name)):
            path.unlink()
    for name, data in files.items():
        (folder / name).write_bytes(data)


def _temporaries(folder: Path) -> set[str]:
    return {name for name in os.listdir(folder) if TEMPORARY.match(name)}


def _check_wholly_old_or_new(scn: Scenario, before: set[str], context: str) -> None:
    now = snapshot(scn.bib)
    left = {name for name in now if TEMPORARY.match(name)}
    for name in set(scn.old) | set(scn.new) | (set(now) - left):
        state = now.get(name)
        assert state in (scn.old.get(name), scn.new.get(name)), (
            f"{context}: bib/{name} is neither the old nor the new file "
            f"({'missing' if state is None else f'{len(state)} bytes'})"
        )
    for name in left - before:
        target = TEMPORARY.match(name).group("target")  # type: ignore[union-attr]
        assert target in scn.new, f"{context}: unexpected temporary file bib/{name}"
    assert (scn.folder / "README.md").read_bytes() == scn.readme, f"{context}: README changed"
    mixed = {n for n in now if n in scn.old or n in scn.new}
    if any(now[n] != scn.old.get(n) for n in mixed) and any(
        now[n] != scn.new.get(n) for n in mixed
    ):
        scn.stats["mixed"] += 1
    if left - before:
        scn.stats["mid-write"] += 1


def _repair(scn: Scenario, context: str) -> None:
    """A complete export after kills gives exactly the new files and nothing else."""
    atbib(scn.folder, "export")
    now = snapshot(scn.bib)
    assert set(now) == set(scn.new), f"{context}: after a complete export bib/ holds {sorted(now)}"
    for name, data in scn.new.items():
        assert now[name] == data, f"{context}: bib/{name} not repaired by a complete export"
    result = atbib(scn.folder, "check", check=False)
    assert result.returncode == 0, f"{context}: atbib check fails:\n{result.stderr}"
    scn.stats["repairs"] += 1


def _run_kills(scn: Scenario, kills: int, seed: int, repair_every: int) -> None:
    rng = random.Random(f"{seed}/{scn.name}")
    scn.stats.update(kills=0, rounds=0, mixed=0, repairs=0, **{"mid-write": 0})
    while scn.stats["kills"] < kills:
        scn.stats["rounds"] += 1
        context = f"{scn.name} round {scn.stats['rounds']} (replay with --seed {seed})"
        before = _temporaries(scn.bib)
        killed, how = kill_atbib(
            ["export"],
            scn.folder,
            rng,
            seconds=scn.seconds * 0.9,
            writes=len(scn.new),
            temporaries=lambda: _temporaries(scn.bib),
        )
        context += f", killed {how}" if killed else ", not killed (finished first)"
        _check_wholly_old_or_new(scn, before, context)
        if killed:
            scn.stats["kills"] += 1
        if scn.stats["rounds"] % repair_every == 0:
            _repair(scn, context)
        _restore(scn.bib, scn.old, keep_temporaries=True)
    _repair(scn, f"{scn.name} final export (seed {seed})")


def _report(scn: Scenario) -> None:
    s = scn.stats
    print(
        f"\n{scn.name}: {s['kills']} kills in {s['rounds']} rounds survived; "
        f"{s['mid-write']} interrupted a write (left a temporary file), {s['mixed']} left bib/ "
        f"part old and part new, {s['repairs']} repairs by a complete export; "
        f"complete export {scn.seconds:.2f} s"
    )


@pytest.fixture(scope="module")
def real_list(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    old = history_files()[-10].read_text(encoding="utf-8")
    old += "\n## Extra\n- **A Work Only The Old List Has**. *Ann Smith*. (ACL 2019) " \
        "[[paper]](https://arxiv.org/abs/1901.00001)\n"  # fmt: skip
    new = (ROOT / "README.md").read_text(encoding="utf-8")
    return _scenario(tmp_path_factory.mktemp("kill"), "real-list", old, new)


@pytest.fixture(scope="module")
def synthetic_list(tmp_path_factory: pytest.TempPathFactory, slow: bool) -> Scenario:
    size = 6000 if slow else 1000
    return _scenario(
        tmp_path_factory.mktemp("kill"),
        f"synthetic-{size}",
        big_list(size),
        big_list(size, variant=1),
    )


def test_sigkill_during_export_of_the_real_list_leaves_each_file_old_or_new(
    real_list: Scenario, slow: bool, seed: int
) -> None:
    assert "extra.bib" in real_list.old and "extra.bib" not in real_list.new
    _run_kills(real_list, 150 if slow else 6, seed, repair_every=3)
    _report(real_list)


def test_sigkill_during_export_of_a_big_list_leaves_each_file_old_or_new(
    synthetic_list: Scenario, slow: bool, seed: int
) -> None:
    assert "added.bib" in synthetic_list.new and "added.bib" not in synthetic_list.old
    _run_kills(synthetic_list, 100 if slow else 4, seed, repair_every=4)
    _report(synthetic_list)
    if slow:
        assert synthetic_list.stats["mid-write"] > 0, "no kill landed inside a write"
