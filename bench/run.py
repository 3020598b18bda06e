"""The benchmark suite: ``python -m bench`` from the repository root.

Generates its inputs (seeded, so every run measures the same data), runs every workload and
its baselines interleaved (A B A B ...) in the same session, and prints a table: workload,
size, runs, median wall time (min-max), entries per second, peak memory (max RSS of the
process that did the work), and the ratio of atbib to each baseline. Then each target of
issue 5 with its verdict.

Workloads (sizes; ``--smoke`` runs each once at 1,000 entries, the real list for ``check``):

``list-export``       ``atbib export`` as a whole process on synthetic lists of 1k/10k/100k
                      entries (read, duplicates, keys, write every .bib file into an empty
                      bib/). Baseline: bibtexparser 2 reading and writing the all.bib that
                      export wrote, as a whole process (else ``python -c pass``).
``check``             ``atbib check`` as a whole process on the real list (this repository's
                      README.md and bib/). Baseline: ``python -c pass``. Also runs it once under
                      ``python -X importtime`` and reports what it imported.
``near-duplicates``   ``atbib.near_duplicates`` over the records of the 100k list, in process.
                      Baseline: ``atbib.find_duplicates`` (the exact clustering it builds on).
``bib-import``        .bib text -> records, in process: ``atbib.read_bibtex`` once it exists,
                      else the raw parser ``atbib.bibtex.parse.parse_bibtex``. Baselines:
                      bibtexparser 2 ``parse_string`` (in a throwaway virtual environment:
                      pyzotero pins bibtexparser < 2 in ours) and pybtex ``parse_string``.
``zotero-sync``       ``atbib zotero`` as whole processes against the local test server
                      (tests/zoteroapi, real HTTP on 127.0.0.1) for the 1k/10k lists: the
                      full push into an empty group, a no-op sync, syncs after 1 and 120
                      edits in Zotero, a sync after one edit in the list (bench/zotero.py).
                      Requests by kind beside the wall times; their targets are judged.
``fill``              ``atbib fill`` as a whole process against the test suite's fake metadata
                      services (bench/fill.py): this repository's list before any fill, and
                      the 10k synthetic list (one run: a few thousand requests). Requests by
                      service beside the wall time.
``adversarial``       Families of inputs built to find performance cliffs (FAMILIES below,
                      bench/gen_adversarial.py), each at two sizes ten times apart, with the
                      ratio of their times judged against 11: in process, what ``atbib
                      export`` computes (the registry of half the list built first, untimed),
                      ``near_duplicates`` or ``read_bibtex``; and ``atbib zotero sync``
                      pulling as many remote changes as there are works. ``--family`` picks
                      some; ``--smoke`` runs a few once at a small size.

In-process workloads run each measurement in a fresh worker process (bench/worker.py), so no
run profits from caches warmed by the one before and each reports its own peak memory.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
BP2_VERSION = "2.1.0"
FORBIDDEN_ON_CHECK = (
    "pyzotero",
    "httpx",
    "httpx2",
    "httpcore",
    "h11",
    "requests",
    "urllib3",
    "aiohttp",
    "http.client",
    "bibtexparser",
    "pybtex",
)
"""Modules ``atbib check`` must not import (the Zotero client and any HTTP client, and the
BibTeX libraries it does not need); tests/test_bench.py enforces the same list."""

_BP2_ROUNDTRIP = """
import sys, bibtexparser
from bibtexparser.middlewares import default_unparse_stack
library = bibtexparser.parse_file(sys.argv[1])
stack = default_unparse_stack(allow_inplace_modification=True)
bibtexparser.write_file(sys.argv[2], library, unparse_stack=stack)
"""


class BenchError(RuntimeError):
    pass


# -- measurements ---------------------------------------------------------------------------


@dataclass
class Runs:
    """Repeated measurements of one tool on one input."""

    tool: str
    seconds: list[float] = field(default_factory=list)
    peak_kib: list[int] = field(default_factory=list)
    count: int | None = None
    skipped: str = ""
    per_entry: bool = True
    """False for a baseline that does no work per entry (``python -c pass``)."""

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def peak_mib(self) -> float:
        return max(self.peak_kib) / 1024

    def add(self, seconds: float, peak_kib: int) -> None:
        self.seconds.append(seconds)
        self.peak_kib.append(peak_kib)

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"tool": self.tool, "skipped": self.skipped}
        if self.seconds:
            data.update(
                seconds=self.seconds,
                median=self.median,
                peak_mib=round(self.peak_mib, 1),
                count=self.count,
            )
        return data


@dataclass
class Row:
    workload: str
    size: int | str
    entries: int
    subject: Runs
    baselines: list[Runs] = field(default_factory=list)
    note: str = ""
    counts: dict[str, int] = field(default_factory=dict)
    """Deterministic counts beside the timings (the Zotero workload's requests, by kind)."""
    phase: str = ""
    """The step of a workload made of several (the Zotero workload's push, no-op, ...)."""

    @property
    def rate(self) -> float | None:
        return self.entries / self.subject.median if self.subject.seconds else None

    def ratio(self, baseline: Runs) -> float | None:
        if not self.subject.seconds or not baseline.seconds:
            return None
        return self.subject.median / baseline.median


@dataclass
class Target:
    text: str
    measured: str
    met: bool | None
    """None: not measured in this run."""


GNU_TIME = shutil.which("time")
"""GNU time, to read a process's peak memory. Linux charges a child the RSS of the process
that forked it until it execs, so ``wait4``'s figure for a child of this runner would never
be below the runner's own; GNU time is a small parent. Without it, ``wait4``'s figure is used
(the runner stays small for that reason: its inputs are generated in subprocesses)."""


def run_process(
    argv: Sequence[str], cwd: Path, ok: tuple[int, ...] = (0,)
) -> tuple[float, int, int]:
    """(wall seconds, peak RSS KiB, exit status) of one whole process."""
    with (
        open(os.devnull, "wb") as null,
        tempfile.TemporaryFile() as err,
        tempfile.NamedTemporaryFile("r") as peak_file,
    ):
        wrapped = list(argv)
        if GNU_TIME:
            wrapped = [GNU_TIME, "-q", "-f", "%M", "-o", peak_file.name, *wrapped]
        start = time.perf_counter()
        process = subprocess.Popen(wrapped, cwd=cwd, stdout=null, stderr=err)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        process.returncode = code = os.waitstatus_to_exitcode(status)
        if code not in ok:
            err.seek(0)
            message = err.read().decode("utf-8", "replace")[-2000:]
            raise BenchError(f"{' '.join(argv)} exited {code}:\n{message}")
        peak = usage.ru_maxrss
        if GNU_TIME:
            lines = peak_file.read().split()
            peak = int(lines[-1]) if lines and lines[-1].isdigit() else peak
    return seconds, peak, code


def run_worker(python: str, task: str, path: Path) -> dict[str, Any]:
    """One timed call in a fresh worker process (bench/worker.py)."""
    done = subprocess.run(
        [python, "-m", "bench.worker", task, str(path)],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise BenchError(f"worker {task} on {path.name} failed:\n{done.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def interleave(
    reps: int,
    measures: Sequence[tuple[Runs, Callable[[], tuple[float, int]]]],
    warm: bool = True,
) -> None:
    """Run every measure once untimed (warming the disk cache; unless not ``warm``), then
    ``reps`` rounds of A B C ..., so load on the machine falls on all of them alike."""
    for runs, measure in measures if warm else ():
        if not runs.skipped:
            measure()
    for _ in range(reps):
        for runs, measure in measures:
            if not runs.skipped:
                runs.add(*measure())


# -- environment ----------------------------------------------------------------------------


def atbib_command() -> list[str]:
    """The ``atbib`` script of this interpreter's environment, as users run it."""
    script = Path(sys.executable).parent / "atbib"
    return [str(script)] if script.exists() else [sys.executable, "-m", "atbib"]


def bibtexparser2_python(option: str | None, disabled: bool) -> tuple[str | None, str]:
    """An interpreter with bibtexparser 2, making a throwaway venv for it in the user's cache
    when none is given; (None, why) when there is none."""
    if disabled:
        return None, "skipped (--no-bp2)"
    if option:
        return option, ""
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    venv = cache / "atbib-bench" / f"bibtexparser-{BP2_VERSION}"
    python = venv / "bin" / "python"
    if not python.exists():
        print(f"bench: installing bibtexparser {BP2_VERSION} into {venv} ...", file=sys.stderr)
        try:
            subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
            subprocess.run(
                [str(python), "-m", "pip", "install", "-q", f"bibtexparser=={BP2_VERSION}"],
                check=True,
                stdout=subprocess.DEVNULL,
            )
        except (OSError, subprocess.CalledProcessError) as exc:
            shutil.rmtree(venv, ignore_errors=True)
            return None, f"skipped (could not install bibtexparser {BP2_VERSION}: {exc})"
    return str(python), ""


def machine() -> dict[str, Any]:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kib = int(Path("/proc/meminfo").read_text().split()[1])
    except (OSError, ValueError, IndexError):
        mem_kib = 0
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True
        ).stdout.strip()
    except OSError:
        commit = ""
    from importlib.metadata import PackageNotFoundError, version

    try:
        atbib_version = version("atbib")
    except PackageNotFoundError:
        atbib_version = "not installed"
    return {
        "cpu": cpu or platform.processor(),
        "cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "memory_gib": round(mem_kib / 2**20, 1),
        "system": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "atbib": f"{atbib_version} ({commit or 'no git'})",
        "load_before": os.getloadavg(),
    }


# -- workloads ------------------------------------------------------------------------------


@dataclass
class Context:
    work: Path
    reps: int
    bp2: str | None
    bp2_reason: str
    inputs: dict[str, Path] = field(default_factory=dict)
    smoke: bool = False
    """``--smoke``: the adversarial families run once each, at their smoke size, unwarmed."""

    def list_input(self, n: int) -> Path:
        return self._input(f"list-{n}.md", "gen_list", n)

    def bib_input(self, n: int) -> Path:
        return self._input(f"bib-{n}.bib", "gen_bib", n)

    def _input(self, name: str, generator: str, n: int) -> Path:
        """Generated in a subprocess, so this runner never holds (and its children are never
        charged for) a 20 MB input."""
        if name not in self.inputs:
            path = self.work / "inputs" / name
            path.parent.mkdir(parents=True, exist_ok=True)
            subprocess.run(
                [sys.executable, "-c", _MAKE_INPUT, generator, str(n), str(path)],
                cwd=REPO,
                check=True,
            )
            self.inputs[name] = path
        return self.inputs[name]

    def adversarial_input(self, family: str, n: int) -> Path:
        """A family's input (bench/gen_adversarial.py), generated in a subprocess."""
        suffix = ".bib" if family == "bib-macros" else ".md"
        name = f"{family}-{n}{suffix}"
        if name not in self.inputs:
            path = self.work / "inputs" / name
            path.parent.mkdir(parents=True, exist_ok=True)
            subprocess.run(
                [sys.executable, "-c", _MAKE_ADVERSARIAL, family, str(n), str(path)],
                cwd=REPO,
                check=True,
            )
            self.inputs[name] = path
        return self.inputs[name]


_MAKE_ADVERSARIAL = """
import sys
from pathlib import Path
from bench.gen_adversarial import write_input
write_input(sys.argv[1], int(sys.argv[2]), Path(sys.argv[3]))
"""

_MAKE_INPUT = """
import importlib, sys
generate = importlib.import_module("bench." + sys.argv[1]).generate
with open(sys.argv[3], "w", encoding="utf-8") as handle:
    handle.write(generate(int(sys.argv[2])))
"""


def _ask_atbib(code: str, cwd: Path = REPO) -> str:
    """Run a line of Python against atbib in a subprocess (the runner does not import it)."""
    return subprocess.run(
        [sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, check=True
    ).stdout.strip()


def _project(ctx: Context, name: str, readme: Path) -> Path:
    project = ctx.work / name
    shutil.rmtree(project, ignore_errors=True)
    project.mkdir(parents=True)
    shutil.copyfile(readme, project / "README.md")
    (project / "pyproject.toml").write_text(
        '[tool.atbib]\nlist = "README.md"\nbib-dir = "bib"\n', encoding="utf-8"
    )
    return project


def list_export(ctx: Context, sizes: Sequence[int]) -> list[Row]:
    rows = []
    for n in sizes:
        project = _project(ctx, f"export-{n}", ctx.list_input(n))
        bib = project / "bib"

        def export(project: Path = project, bib: Path = bib) -> tuple[float, int]:
            shutil.rmtree(bib, ignore_errors=True)
            seconds, peak, _ = run_process([*atbib_command(), "export"], project)
            return seconds, peak

        subject = Runs("atbib export")
        export()
        if ctx.bp2:
            all_bib = ctx.work / f"export-{n}-all.bib"
            shutil.copyfile(bib / "all.bib", all_bib)
            argv = [ctx.bp2, "-c", _BP2_ROUNDTRIP, str(all_bib), str(ctx.work / "bp2-out.bib")]
            baseline = Runs("bibtexparser 2 read+write all.bib")
        else:
            argv = [sys.executable, "-c", "pass"]
            baseline = Runs("python -c pass", per_entry=False)

        def other(argv: list[str] = argv) -> tuple[float, int]:
            seconds, peak, _ = run_process(argv, ctx.work)
            return seconds, peak

        interleave(ctx.reps, [(subject, export), (baseline, other)])
        works = sum(1 for line in (bib / "all.bib").open(encoding="utf-8") if line[:1] == "@")
        rows.append(
            Row("list-export", n, n, subject, [baseline], note=f"{works:,} works in all.bib")
        )
    return rows


def check_real(ctx: Context) -> list[Row]:
    project = _project(ctx, "check-real", REPO / "README.md")
    shutil.copytree(REPO / "bib", project / "bib")
    entries = int(_ask_atbib("import atbib; print(len(atbib.read_markdown('README.md').items))"))
    subject = Runs("atbib check")
    baseline = Runs("python -c pass", per_entry=False)
    status = {}

    def check() -> tuple[float, int]:
        seconds, peak, status["code"] = run_process([*atbib_command(), "check"], project, (0, 1))
        return seconds, peak

    def python_pass() -> tuple[float, int]:
        seconds, peak, _ = run_process([sys.executable, "-c", "pass"], project)
        return seconds, peak

    interleave(max(ctx.reps, 10), [(subject, check), (baseline, python_pass)])
    modules, forbidden, cumulative = import_profile(project)
    note = (
        f"imports {len(modules)} modules ({cumulative * 1000:.0f} ms cumulative), "
        + (f"FORBIDDEN: {', '.join(forbidden)}" if forbidden else "no Zotero/HTTP/BibTeX library")
        + ("" if status.get("code") == 0 else "; bib/ was stale")
    )
    return [Row("check", "real list", entries, subject, [baseline], note)]


def import_profile(project: Path) -> tuple[list[str], list[str], float]:
    """Modules ``atbib check`` imports (``python -X importtime``), the forbidden ones among
    them, and the cumulative import time of the top-level imports in seconds."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "atbib", "check"],
        cwd=project,
        capture_output=True,
        text=True,
    )
    return parse_importtime(done.stderr)


def parse_importtime(stderr: str) -> tuple[list[str], list[str], float]:
    modules: list[str] = []
    cumulative = 0.0
    for line in stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        _, _, rest = line.partition(":")
        _, total, name = (part.strip() for part in rest.split("|"))
        modules.append(name)
        if not line.split("|")[2].startswith("  "):  # a top-level import
            cumulative += int(total) / 1e6
    forbidden = sorted(
        {m for m in modules for bad in FORBIDDEN_ON_CHECK if m == bad or m.startswith(bad + ".")}
    )
    return modules, forbidden, cumulative


def _worker_runs(
    ctx: Context, tool: str, python: str, task: str, path: Path
) -> tuple[Runs, Callable[[], tuple[float, int]]]:
    runs = Runs(tool)

    def measure() -> tuple[float, int]:
        result = run_worker(python, task, path)
        runs.count = result["count"]
        runs.tool = result["tool"]
        return result["seconds"], result["peak_kib"]

    return runs, measure


def near_duplicates(ctx: Context, sizes: Sequence[int]) -> list[Row]:
    rows = []
    for n in sizes:
        path = ctx.list_input(n)
        subject = _worker_runs(
            ctx, "atbib near_duplicates", sys.executable, "atbib-near-duplicates", path
        )
        baseline = _worker_runs(
            ctx, "atbib find_duplicates", sys.executable, "atbib-find-duplicates", path
        )
        interleave(ctx.reps, [subject, baseline])
        note = f"{subject[0].count} near-duplicate pairs; {baseline[0].count} exact clusters"
        rows.append(Row("near-duplicates", n, n, subject[0], [baseline[0]], note))
    return rows


def bib_import(ctx: Context, sizes: Sequence[int]) -> list[Row]:
    rows = []
    for n in sizes:
        path = ctx.bib_input(n)
        subject = _worker_runs(ctx, "atbib", sys.executable, "atbib-bib-import", path)
        measures = [subject]
        if ctx.bp2:
            measures.append(
                _worker_runs(ctx, "bibtexparser 2", ctx.bp2, "bibtexparser2-parse", path)
            )
        else:
            measures.append((Runs("bibtexparser 2", skipped=ctx.bp2_reason), lambda: (0.0, 0)))
        measures.append(_worker_runs(ctx, "pybtex", sys.executable, "pybtex-parse", path))
        interleave(ctx.reps, measures)
        for runs, _ in measures:
            if runs.count is not None and runs.count != n:
                raise BenchError(f"{runs.tool} read {runs.count} entries of {n}")
        rows.append(
            Row(
                "bib-import",
                n,
                n,
                subject[0],
                [m[0] for m in measures[1:]],
                f"{path.stat().st_size / 2**20:.1f} MiB",
            )
        )
    return rows


ZOTERO_PUSH_CONSTANT = 2
"""Requests of a push besides the writes: the library's versions and the key's permissions."""
ZOTERO_READ_CONSTANT = 3
"""Requests of a sync after remote edits besides the item reads (50 a request): the changed
versions, the changed collections and the deletions."""


def zotero_sync(ctx: Context, sizes: Sequence[int]) -> list[Row]:
    """Requests and wall time of ``atbib zotero`` against the local test server (bench/zotero.py:
    a full push, a no-op sync, syncs after 1 and 120 remote edits, a sync after a local edit),
    every run on a fresh copy of the synthetic list and a fresh server."""
    rows = []
    for n in sizes:
        source = ctx.list_input(n)
        phases: dict[str, Runs] = {}
        counts: dict[str, dict[str, int]] = {}
        about: dict[str, int] = {}

        def once(source: Path = source, about: dict[str, int] = about) -> list[dict[str, Any]]:
            done = subprocess.run(
                [sys.executable, "-m", "bench.zotero", str(source), str(ctx.work)],
                cwd=REPO,
                capture_output=True,
                text=True,
            )
            if done.returncode != 0:
                raise BenchError(f"bench.zotero on {source.name} failed:\n{done.stderr[-2000:]}")
            result = json.loads(done.stdout.strip().splitlines()[-1])
            about.update(works=result["works"], collections=result["collections"])
            phases_run: list[dict[str, Any]] = result["phases"]
            return phases_run

        once()  # untimed warm-up, as for every workload
        for _ in range(ctx.reps):
            for phase in once():
                name = phase["phase"]
                runs = phases.setdefault(name, Runs(f"atbib zotero {_ZOTERO_TOOLS[name]}"))
                runs.add(phase["seconds"], phase["peak_kib"])
                kinds = ("requests", "reads", "item_writes", "collection_writes", "deletes")
                seen = {kind: phase[kind] for kind in kinds} | {"edits": phase.get("edits", 0)}
                if counts.setdefault(name, seen) != seen:
                    raise BenchError(f"zotero {name}: request counts differ between runs")
        works = about["works"]
        for name, runs in phases.items():
            c = counts[name]
            note = f"{c['requests']} request{'s' if c['requests'] != 1 else ''}"
            if c["item_writes"] or c["collection_writes"]:
                note += (
                    f" ({c['item_writes']} item writes, {c['collection_writes']} collection writes)"
                )
            if name == "push":
                note += f"; {works:,} works, {about['collections']} collections"
            counts_ = dict(c, works=works, collections=about["collections"])
            rows.append(Row("zotero-sync", n, works, runs, note=note, counts=counts_, phase=name))
    return rows


def fill_workload(ctx: Context, sizes: Sequence[int | str]) -> list[Row]:
    """Wall time and requests of ``atbib fill`` on the list (``"list"``) or a synthetic list
    of n entries, against the fake services (bench/fill.py)."""
    rows = []
    for size in sizes:
        source = "list" if size == "list" else str(ctx.list_input(int(size)))
        runs = Runs("atbib fill (fake services, no politeness waits)")
        requests: dict[str, int] = {}
        works = 0
        for _ in range(ctx.reps if size == "list" else 1):
            done = subprocess.run(
                [sys.executable, "-m", "bench.fill", source, str(ctx.work)],
                cwd=REPO,
                capture_output=True,
                text=True,
            )
            if done.returncode != 0:
                raise BenchError(f"bench.fill on {source} failed:\n{done.stderr[-2000:]}")
            result = json.loads(done.stdout.strip().splitlines()[-1])
            runs.add(result["seconds"], result["peak_kib"])
            requests, works = result["requests"], result["works"]
        note = "requests: " + ", ".join(f"{name} {n}" for name, n in requests.items() if n)
        rows.append(Row("fill", size, works, runs, note=note, counts=requests))
    return rows


_ZOTERO_TOOLS = {
    "push": "push (full, empty group)",
    "no-op": "sync (nothing changed)",
    "remote 1": "sync after 1 remote edit",
    "remote 120": "sync after 120 remote edits",
    "local": "sync after 1 local edit",
}


@dataclass(frozen=True)
class Family:
    """An adversarial input family, timed at sizes ten times apart."""

    name: str
    task: str
    """The worker task that times it (bench/worker.py), or ``zotero-pull``."""
    sizes: tuple[int, int]
    smoke: int | None = None
    """The size ``--smoke`` runs it at; None: not in the smoke subset."""


FAMILIES = (
    Family("realistic", "atbib-export", (1_000, 10_000)),
    Family("same-base-key", "atbib-export", (1_000, 10_000), smoke=200),
    Family("same-title", "atbib-export", (1_000, 10_000), smoke=200),
    Family("same-link", "atbib-export", (3_000, 30_000)),
    Family("shared-words", "atbib-near-duplicates", (1_000, 10_000), smoke=200),
    Family("long-fields", "atbib-export", (100, 1_000)),
    Family("one-subsection", "atbib-export", (5_000, 50_000)),
    Family("many-subsections", "atbib-export", (10_000, 100_000)),
    Family("cjk", "atbib-export", (1_000, 10_000)),
    Family("blogs", "atbib-export", (1_000, 10_000)),
    Family("repos", "atbib-export", (1_000, 10_000)),
    Family("bib-macros", "atbib-bib-import", (1_000, 10_000), smoke=200),
    Family("zotero-pull", "zotero-pull", (1_000, 10_000), smoke=100),
)
"""What each family's size counts is in bench/gen_adversarial.py (``long-fields``: authors and
title words per entry; ``zotero-pull``: entries of bench/gen_list.py's list, every work then
edited in Zotero)."""
FAMILY_SCALE = 11
"""The most time(10 n) / time(n) may be."""


def adversarial(ctx: Context, families: Sequence[Family]) -> list[Row]:
    """Each family at its sizes (one size with ``--smoke``), one row per size; the larger
    size's note gives the ratio of the times."""
    rows: list[Row] = []
    for family in families:
        sizes = (family.smoke or family.sizes[0],) if ctx.smoke else family.sizes
        medians: list[float] = []
        for n in sizes:
            runs, measure = _family_runs(ctx, family, n)
            interleave(ctx.reps, [(runs, measure)], warm=not ctx.smoke)
            medians.append(runs.median)
            note = _family_note(family, runs)
            if len(medians) == 2:
                note += f"; time({n:,}) / time({sizes[0]:,}) = {medians[1] / medians[0]:.1f}"
            rows.append(Row(f"adversarial {family.name}", n, n, runs, note=note))
    return rows


def _family_runs(
    ctx: Context, family: Family, n: int
) -> tuple[Runs, Callable[[], tuple[float, int]]]:
    if family.task == "zotero-pull":
        return _zotero_pull_runs(ctx, ctx.list_input(n))
    path = ctx.adversarial_input(family.name, n)
    return _worker_runs(ctx, family.task, sys.executable, family.task, path)


def _family_note(family: Family, runs: Runs) -> str:
    if family.task == "zotero-pull":
        return f"{runs.count:,} remote changes pulled"
    what = {
        "atbib-export": "works",
        "atbib-near-duplicates": "near-duplicate pairs",
        "atbib-bib-import": "records",
    }[family.task]
    return f"{runs.count:,} {what}"


def _zotero_pull_runs(ctx: Context, source: Path) -> tuple[Runs, Callable[[], tuple[float, int]]]:
    """``atbib zotero sync`` pulling an edit of every work (bench/zotero.py ``--pull-all``;
    the push before it is not timed here)."""
    runs = Runs("atbib zotero sync after every work was edited in Zotero")

    def measure() -> tuple[float, int]:
        done = subprocess.run(
            [sys.executable, "-m", "bench.zotero", str(source), str(ctx.work), "--pull-all"],
            cwd=REPO,
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            raise BenchError(f"bench.zotero --pull-all failed:\n{done.stderr[-2000:]}")
        phases = json.loads(done.stdout.splitlines()[-1])["phases"]
        (pull,) = (phase for phase in phases if phase["phase"] == "remote all")
        runs.count = pull["edits"]
        return pull["seconds"], pull["peak_kib"]

    return runs, measure


WORKLOADS: dict[str, tuple[Callable[..., list[Row]], tuple[Any, ...]]] = {
    "list-export": (list_export, (1_000, 10_000, 100_000)),
    "check": (check_real, ()),
    "near-duplicates": (near_duplicates, (100_000,)),
    "bib-import": (bib_import, (10_000, 50_000)),
    "zotero-sync": (zotero_sync, (1_000, 10_000)),
    "fill": (fill_workload, ("list", 10_000)),
    "adversarial": (adversarial, FAMILIES),
}
SMOKE_SIZES: dict[str, tuple[Any, ...]] = {
    "list-export": (1_000,),
    "near-duplicates": (1_000,),
    "bib-import": (1_000,),
    "zotero-sync": (1_000,),
    "fill": ("list",),
    "adversarial": tuple(f for f in FAMILIES if f.smoke),
}


# -- targets and output ---------------------------------------------------------------------


def targets(rows: Sequence[Row]) -> list[Target]:
    def find(workload: str, size: int | str) -> Row | None:
        return next(
            (r for r in rows if r.workload == workload and r.size == size and r.subject.seconds),
            None,
        )

    found: list[Target] = []
    big, small = find("list-export", 100_000), find("list-export", 10_000)
    if big is not None:
        rate = big.rate or 0
        found.append(Target("export 100k: >= 20,000 entries/s", f"{rate:,.0f}/s", rate >= 20_000))
        found.append(
            Target(
                "export 100k: peak < 600 MB",
                f"{big.subject.peak_mib:.0f} MiB",
                big.subject.peak_mib * 2**20 < 600e6,
            )
        )
        if small is not None:
            scale = big.subject.median / small.subject.median
            found.append(Target("export: time(100k)/time(10k) <= 11", f"{scale:.2f}", scale <= 11))
    check = find("check", "real list")
    if check is not None:
        base = check.baselines[0].median
        limit = 3 * base + 0.15
        t = check.subject.median
        found.append(Target("check: <= 0.25 s", f"{t:.3f} s", t <= 0.25))
        found.append(
            Target(
                "check: <= 3 x (python -c pass) + 0.15 s",
                f"{t:.3f} s vs {limit:.3f} s",
                t <= limit,
            )
        )
        clean = "FORBIDDEN" not in check.note
        found.append(
            Target(
                "check: no pyzotero/HTTP client imported",
                check.note.split(",")[0] if clean else check.note,
                clean,
            )
        )
    near = find("near-duplicates", 100_000)
    if near is not None:
        found.append(
            Target(
                "near-duplicates 100k: < 10 s",
                f"{near.subject.median:.2f} s",
                near.subject.median < 10,
            )
        )
    for n in (10_000, 50_000):
        row = find("bib-import", n)
        if row is None:
            continue
        for baseline in row.baselines:
            ratio = row.ratio(baseline)
            if baseline.tool.startswith("bibtexparser"):
                found.append(
                    Target(
                        f"bib-import {n // 1000}k: <= 1.5 x bibtexparser 2",
                        f"{ratio:.2f} x" if ratio else baseline.skipped,
                        ratio <= 1.5 if ratio else None,
                    )
                )
            elif baseline.tool.startswith("pybtex"):
                found.append(
                    Target(
                        f"bib-import {n // 1000}k: faster than pybtex",
                        f"{ratio:.2f} x" if ratio else baseline.skipped,
                        ratio < 1 if ratio else None,
                    )
                )
    for n in (1_000, 10_000):
        found += _zotero_targets([r for r in rows if r.workload == "zotero-sync" and r.size == n])
    found += _family_targets(rows)
    return found


def _family_targets(rows: Sequence[Row]) -> list[Target]:
    """time(10 n) / time(n) <= 11 for every adversarial family measured at two sizes."""
    by_family: dict[str, list[Row]] = {}
    for row in rows:
        if row.workload.startswith("adversarial ") and row.subject.seconds:
            by_family.setdefault(row.workload, []).append(row)
    found = []
    for workload, (small, big, *_) in ((w, r) for w, r in by_family.items() if len(r) > 1):
        scale = big.subject.median / small.subject.median
        found.append(
            Target(
                f"{workload}: time({big.size:,}) / time({small.size:,}) <= {FAMILY_SCALE}",
                f"{scale:.1f} ({big.subject.median:.3f} s / {small.subject.median:.3f} s)",
                scale <= FAMILY_SCALE,
            )
        )
    return found


def zotero_limits(phase: str, counts: dict[str, int]) -> tuple[str, int] | None:
    """The issue's request-count target for a phase of the Zotero workload: (what, limit)."""
    if phase == "push":
        limit = math.ceil(counts["works"] / 50) + counts["collection_writes"]
        return "item writes + collection writes + 2", limit + ZOTERO_PUSH_CONSTANT
    if phase == "no-op":
        return "1", 1
    if phase.startswith("remote"):
        reads = math.ceil(counts["edits"] / 50)
        return f"3 + ceil({counts['edits']}/50)", ZOTERO_READ_CONSTANT + reads
    return None


def _zotero_targets(rows: Sequence[Row]) -> list[Target]:
    found = []
    for row in rows:
        phase = row.phase
        limits = zotero_limits(phase, row.counts)
        if limits is None:
            continue
        what, limit = limits
        c = row.counts
        size = f"{row.size // 1000}k" if isinstance(row.size, int) else row.size
        if phase == "push":
            writes = math.ceil(c["works"] / 50)
            found.append(
                Target(
                    f"zotero {size} push: item writes <= ceil({c['works']:,}/50) = {writes}",
                    f"{c['item_writes']} item writes",
                    c["item_writes"] <= writes,
                )
            )
        found.append(
            Target(
                f"zotero {size} {phase}: requests <= {what} = {limit}",
                f"{c['requests']} request{'s' if c['requests'] != 1 else ''} "
                f"({row.subject.median:.2f} s)",
                c["requests"] <= limit,
            )
        )
    return found


def _fmt_size(size: int | str) -> str:
    return f"{size:,}" if isinstance(size, int) else size


def _fmt_runs(runs: Runs) -> list[str]:
    if not runs.seconds:
        return [runs.tool, "0", "-", "", "", ""]
    return [
        runs.tool,
        str(len(runs.seconds)),
        f"{runs.median:.3f}",
        f"{min(runs.seconds):.3f}-{max(runs.seconds):.3f}",
        "",
        f"{runs.peak_mib:.0f}",
    ]


HEADER = [
    "workload",
    "size",
    "tool",
    "runs",
    "median s",
    "min-max s",
    "entries/s",
    "peak MiB",
    "atbib/baseline",
]


def table_groups(rows: Sequence[Row]) -> list[tuple[list[list[str]], str]]:
    """For each row, its table lines (atbib, then each baseline) and a note ("" for none)."""
    out: list[tuple[list[list[str]], str]] = []
    for row in rows:
        cells = _fmt_runs(row.subject)
        if row.rate:
            cells[4] = f"{row.rate:,.0f}"
        lines = [[row.workload, _fmt_size(row.size), *cells, ""]]
        notes = [row.subject.skipped] if row.subject.skipped else []
        for baseline in row.baselines:
            cells = _fmt_runs(baseline)
            if baseline.seconds and baseline.per_entry:
                cells[4] = f"{row.entries / baseline.median:,.0f}"
            elif not baseline.seconds:
                notes.append(f"{baseline.tool}: {baseline.skipped}")
            ratio = row.ratio(baseline)
            lines.append(["", "", "vs " + cells[0], *cells[1:], f"{ratio:.2f}" if ratio else ""])
        if row.note:
            notes.append(row.note)
        out.append((lines, "; ".join(notes)))
    return out


def print_table(rows: Sequence[Row], file: Any = sys.stdout) -> None:
    groups = table_groups(rows)
    every = [HEADER, *(line for lines, _ in groups for line in lines)]
    widths = [max(len(line[i]) for line in every) for i in range(len(HEADER))]
    right = {1, 3, 4, 5, 6, 7, 8}
    indent = " " * (widths[0] + widths[1] + 4)
    for lines, note in [([HEADER], ""), *groups]:
        for line in lines:
            print(
                "  ".join(
                    cell.rjust(widths[i]) if i in right else cell.ljust(widths[i])
                    for i, cell in enumerate(line)
                ).rstrip(),
                file=file,
            )
        if note:
            print(f"{indent}({note})", file=file)


def markdown(rows: Sequence[Row], found: Sequence[Target], info: dict[str, Any]) -> str:
    lines = [
        f"Machine: {info['cpu']}, {info['cores']} cores, {info['memory_gib']} GiB; "
        f"{info['system']}; Python {info['python']}; atbib {info['atbib']}.",
        f"Load average (1/5/15 min) before: {'/'.join(f'{x:.2f}' for x in info['load_before'])}; "
        f"after: {'/'.join(f'{x:.2f}' for x in info['load_after'])}. "
        f"Wall time {info['wall_s']:.0f} s.",
        "",
        "| " + " | ".join([*HEADER, "note"]) + " |",
        "|" + "|".join("---" if i in (0, 2, 9) else "---:" for i in range(len(HEADER) + 1)) + "|",
    ]
    for group, note in table_groups(rows):
        for index, cells in enumerate(group):
            lines.append("| " + " | ".join([*cells, "" if index else note]) + " |")
    lines += ["", "| target | measured | verdict |", "|---|---|---|"]
    for t in found:
        verdict = "not measured" if t.met is None else ("met" if t.met else "**missed**")
        lines.append(f"| {t.text} | {t.measured} | {verdict} |")
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench", description=(__doc__ or "").split("\n\n")[0]
    )
    parser.add_argument("--smoke", action="store_true", help="smallest sizes, one run each (CI)")
    parser.add_argument("--reps", type=int, help="runs per measurement [default: 5; smoke: 1]")
    parser.add_argument("--only", nargs="+", choices=list(WORKLOADS), help="run these workloads")
    parser.add_argument(
        "--family",
        nargs="+",
        choices=[f.name for f in FAMILIES],
        help="run these adversarial families (with --only adversarial)",
    )
    parser.add_argument("--bp2-python", help="an interpreter with bibtexparser 2 installed")
    parser.add_argument("--no-bp2", action="store_true", help="skip the bibtexparser 2 baseline")
    parser.add_argument("--workdir", type=Path, help="keep inputs and outputs here")
    parser.add_argument("--json", type=Path, help="write the raw results here")
    parser.add_argument("--markdown", type=Path, help="write the table as Markdown here")
    args = parser.parse_args(argv)
    reps = args.reps or (1 if args.smoke else 5)

    started = time.perf_counter()
    info = machine()
    bp2, bp2_reason = bibtexparser2_python(args.bp2_python, args.no_bp2)
    work = args.workdir or Path(tempfile.mkdtemp(prefix="atbib-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    ctx = Context(work.resolve(), reps, bp2, bp2_reason, smoke=args.smoke)
    rows: list[Row] = []
    try:
        for name in args.only or WORKLOADS:
            run, sizes = WORKLOADS[name]
            if args.smoke:
                sizes = SMOKE_SIZES.get(name, sizes)
            if name == "adversarial" and args.family:
                sizes = tuple(f for f in sizes if f.name in args.family)
            shown = " ".join(getattr(size, "name", str(size)) for size in sizes)
            print(f"bench: {name} {shown} ...", file=sys.stderr, flush=True)
            rows.extend(run(ctx, sizes) if sizes else run(ctx))
    finally:
        if args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)
    info["load_after"] = os.getloadavg()
    info["wall_s"] = time.perf_counter() - started
    found = targets(rows)

    print(
        f"\n{info['cpu']}, {info['cores']} cores; Python {info['python']}; atbib {info['atbib']}"
        f"\nload average before {'/'.join(f'{x:.2f}' for x in info['load_before'])}, "
        f"after {'/'.join(f'{x:.2f}' for x in info['load_after'])}; "
        f"{reps} runs per measurement, medians\n"
    )
    print_table(rows)
    if found:
        print("\ntargets:")
        for t in found:
            verdict = "not measured" if t.met is None else ("met" if t.met else "MISSED")
            print(f"  {verdict:12s} {t.text}: {t.measured}")
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "machine": info,
                    "reps": reps,
                    "rows": [
                        {
                            "workload": r.workload,
                            "size": r.size,
                            "entries": r.entries,
                            "subject": r.subject.as_dict(),
                            "baselines": [b.as_dict() for b in r.baselines],
                            "note": r.note,
                            "counts": r.counts,
                            "phase": r.phase,
                        }
                        for r in rows
                    ],
                    "targets": [t.__dict__ for t in found],
                },
                indent=1,
            ),
            encoding="utf-8",
        )
    if args.markdown:
        args.markdown.write_text(markdown(rows, found, info), encoding="utf-8")
    return 0
