"""One timed call in a fresh process: ``python -m bench.worker TASK INPUT``.

The runner starts this once per run of an in-process workload, so every run starts cold (no
warm caches from an earlier run) and reports its own peak memory. The worker reads its input
and prepares it untimed, collects garbage, times the one call with ``time.perf_counter`` and
prints one JSON line: ``{"seconds": ..., "count": ..., "peak_kib": ..., "tool": ...}``.
The ``atbib-export`` task also reads the list an earlier export registered, when the input
has one beside it (``NAME.before.md``), and builds that registry untimed.

Only the standard library is imported at module level: the bibtexparser 2 task runs under the
interpreter of a separate virtual environment that has no atbib.
"""

from __future__ import annotations

import gc
import importlib
import json
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

Prepared = tuple[Callable[[], Any], Callable[[Any], int], str]
"""(the call to time, how many entries or pairs its result holds, the tool and version)."""


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _atbib_bib_import(path: Path) -> Prepared:
    """.bib text -> records. Uses ``atbib.read_bibtex`` once it exists, else the raw parser
    (``atbib.bibtex.parse.parse_bibtex``) that it is built on."""
    import atbib

    text = _read(path)
    if hasattr(atbib, "read_bibtex"):
        read_bibtex = atbib.read_bibtex
        # The reader's modules are imported untimed, as the baselines' are (``import
        # bibtexparser``, ``import pybtex.database`` above the timed call): the workload is
        # parsing and converting, not the interpreter loading code.
        importlib.import_module("atbib.bibtex.read")

        def count(result: Any) -> int:
            for attribute in ("records", "items", "entries"):
                if hasattr(result, attribute):
                    return len(getattr(result, attribute))
            return len(result)

        return (lambda: read_bibtex(text)), count, "atbib read_bibtex"
    from atbib.bibtex.parse import parse_bibtex

    return (
        (lambda: parse_bibtex(text)),
        lambda result: len(result.entries),
        "atbib parse_bibtex",
    )


def _bibtexparser2(path: Path) -> Prepared:
    import bibtexparser  # type: ignore[import-untyped,import-not-found,unused-ignore]

    text = _read(path)
    if not bibtexparser.__version__.startswith("2"):
        raise SystemExit(f"bibtexparser {bibtexparser.__version__} is not version 2")
    return (
        (lambda: bibtexparser.parse_string(text)),
        lambda library: len(library.entries),
        f"bibtexparser {bibtexparser.__version__}",
    )


def _pybtex(path: Path) -> Prepared:
    import pybtex  # type: ignore[import-untyped]
    import pybtex.database  # type: ignore[import-untyped]

    text = _read(path)
    return (
        (lambda: pybtex.database.parse_string(text, "bibtex")),
        lambda data: len(data.entries),
        f"pybtex {pybtex.__version__}",
    )


def _records(path: Path) -> Any:
    import atbib

    library = atbib.read_markdown(_read(path))
    return library.records


def _near_duplicates(path: Path) -> Prepared:
    import atbib

    records = _records(path)
    return (
        (lambda: atbib.near_duplicates(records)),
        len,
        "atbib near_duplicates",
    )


def _find_duplicates(path: Path) -> Prepared:
    import atbib

    records = _records(path)
    return (
        (lambda: atbib.find_duplicates(records)),
        len,
        "atbib find_duplicates",
    )


def _export(path: Path) -> Prepared:
    """What ``atbib export`` computes, in process: read the list, cluster, assign keys (with
    the registry of ``NAME.before.md`` when there is one), format and join every file."""
    import atbib
    from atbib.export import build_bibliography

    text = _read(path)
    before = path.with_name(path.stem + ".before.md")
    registry: tuple[Any, ...] = ()
    if before.exists():
        registry = build_bibliography(atbib.read_markdown(_read(before))).registry

    def export() -> int:
        bibliography = build_bibliography(atbib.read_markdown(text), registry)
        for name in bibliography.files:
            bibliography.files.data(name)  # type: ignore[attr-defined]
        return len(bibliography.works)

    return export, int, "atbib export (in process)"


TASKS: dict[str, Callable[[Path], Prepared]] = {
    "atbib-bib-import": _atbib_bib_import,
    "bibtexparser2-parse": _bibtexparser2,
    "pybtex-parse": _pybtex,
    "atbib-near-duplicates": _near_duplicates,
    "atbib-find-duplicates": _find_duplicates,
    "atbib-export": _export,
}


def _peak_kib() -> int:
    """This process's peak RSS since it started: VmHWM belongs to the address space exec made,
    whereas ru_maxrss also counts what the parent held when it forked this process."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux


def main(argv: list[str]) -> int:
    task, path = argv
    call, count, tool = TASKS[task](Path(path))
    gc.collect()
    start = time.perf_counter()
    result = call()
    seconds = time.perf_counter() - start
    peak_kib = _peak_kib()
    print(
        json.dumps({"seconds": seconds, "count": count(result), "peak_kib": peak_kib, "tool": tool})
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
