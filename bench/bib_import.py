"""Benchmark importing a .bib file into records (``atbib.load_bibtex``: parse, crossref,
LaTeX decoding, names, venues, links, extra fields), against parsing alone.

Uses the seeded corpus of ``bench/gen_bib.py`` (10,000 entries by default). Prints the
median of N runs:

* in-process: ``load_bibtex(text)`` on a text already in memory, its caches (names, venues)
  emptied before every run; ``parse_bibtex(text)`` alone; pybtex's parser; bibtexparser 2's
  ``parse_string`` (in a throwaway virtual environment given with ``--bp2-python``, since
  pyzotero pins bibtexparser below 2 here), timed in-process there the same way;
* whole process: ``python -c "import atbib; atbib.read_bibtex(PATH)"`` from start to exit,
  and ``python -c pass`` for the interpreter's start-up.

    python bench/bib_import.py                        # 10,000 entries, 5 runs
    python bench/bib_import.py -n 10000 50000 --bp2-python /tmp/bp2venv/bin/python
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from gen_bib import generate

_BP2_SNIPPET = """
import json, statistics, sys, time
import bibtexparser
text = open(sys.argv[1], encoding="utf-8").read()
times = []
for _ in range(int(sys.argv[2])):
    start = time.perf_counter()
    bibtexparser.parse_string(text)
    times.append(time.perf_counter() - start)
print(json.dumps({"version": bibtexparser.__version__, "median": statistics.median(times)}))
"""


def _clear_caches() -> None:
    from atbib.bibtex import encode, mapping
    from atbib.venues import lookup_full, parse_venue, venue_from_bib

    for cached in (
        encode.decode_person,
        encode._decoded,
        mapping._candidate_venue_name,
        lookup_full,
        venue_from_bib,
        parse_venue,
    ):
        cached.cache_clear()


def _median_in_process(fn, text: str, reps: int, *, clear: bool = False) -> float:
    times = []
    for _ in range(reps):
        if clear:
            _clear_caches()
        gc.collect()
        start = time.perf_counter()
        fn(text)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _median_process(argv: list[str], reps: int) -> float:
    subprocess.run(argv, check=True, capture_output=True)  # warm the file cache
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        subprocess.run(argv, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-n", type=int, nargs="+", default=[10_000])
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--bp2-python", default="/tmp/bp2venv/bin/python")
    args = ap.parse_args(argv)

    import atbib
    from atbib.bibtex.parse import parse_bibtex

    for n in args.n:
        text = generate(n)
        loaded = atbib.load_bibtex(text)
        assert len(loaded.records) == n and not loaded.errors, loaded.errors[:3]
        rows: list[tuple[str, float]] = [
            ("in-process  atbib.load_bibtex (records)", _median_in_process(
                atbib.load_bibtex, text, args.reps, clear=True)),
            ("in-process  atbib parse_bibtex (parse only)", _median_in_process(
                parse_bibtex, text, args.reps)),
        ]  # fmt: skip
        try:
            import pybtex.database

            rows.append(
                (
                    "in-process  pybtex parse_string",
                    _median_in_process(
                        lambda t: pybtex.database.parse_string(t, "bibtex"), text, args.reps
                    ),
                )
            )
        except ImportError:
            pass
        ratio: float | None = None
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"n{n}.bib"
            path.write_text(text, encoding="utf-8")
            if args.bp2_python and Path(args.bp2_python).exists():
                # Paired, A B A B ...: on a shared machine the load drifts, so the ratio is
                # taken pair by pair (bibtexparser 2 timed in-process in its own interpreter).
                ours, theirs, ratios = [], [], []
                version = "2"
                for _ in range(args.reps):
                    mine = _median_in_process(atbib.load_bibtex, text, 1, clear=True)
                    out = subprocess.run(
                        [args.bp2_python, "-c", _BP2_SNIPPET, str(path), "1"],
                        check=True,
                        capture_output=True,
                        text=True,
                    ).stdout
                    bp2 = json.loads(out)
                    version = bp2["version"]
                    ours.append(mine)
                    theirs.append(bp2["median"])
                    ratios.append(mine / bp2["median"])
                rows.append(
                    ("in-process  bibtexparser " + version + " parse_string (paired)",
                     statistics.median(theirs))
                )  # fmt: skip
                rows.append(("in-process  atbib.load_bibtex (paired)", statistics.median(ours)))
                ratio = statistics.median(ratios)
            code = f"import atbib; assert len(atbib.read_bibtex({str(path)!r})) == {n}"
            rows.append(
                ("whole process  python -c 'import atbib; atbib.read_bibtex(PATH)'",
                 _median_process([sys.executable, "-c", code], args.reps))
            )  # fmt: skip
            rows.append(
                (
                    "whole process  python -c pass",
                    _median_process([sys.executable, "-c", "pass"], args.reps),
                )
            )
        print(f"== {n:,} entries, {len(text):,} bytes; median of {args.reps} runs")
        for label, seconds in rows:
            print(f"  {label:<68} {seconds:7.3f} s  {seconds / n * 1e6:7.1f} µs/entry")
        if ratio is not None:
            print(f"  load_bibtex / bibtexparser 2 parse, median of paired ratios: {ratio:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
