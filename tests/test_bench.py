"""The benchmark suite (bench/, docs/performance.md) cannot rot, and ``atbib check`` stays
light.

CI runs the suite once at its smallest sizes, one run each, without the bibtexparser 2
baseline (that needs a download); timings are printed, never judged here. The import test
is judged: ``atbib check`` runs on every commit of a list, and must not pay for the Zotero
client, an HTTP client or a BibTeX library it does not use.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

from bench.run import FAMILIES, FORBIDDEN_ON_CHECK, parse_importtime

ROOT = Path(__file__).resolve().parent.parent


def test_suite_runs_at_smoke_sizes(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--smoke", "--no-bp2", "--json", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "targets:" in done.stdout
    data = json.loads(out.read_text(encoding="utf-8"))
    rows = {(row["workload"], row["size"]): row for row in data["rows"]}
    adversarial = {(f"adversarial {f.name}", f.smoke) for f in FAMILIES if f.smoke}
    assert set(rows) == {
        ("list-export", 1000),
        ("check", "real list"),
        ("near-duplicates", 1000),
        ("bib-import", 1000),
        ("zotero-sync", 1000),
        ("fill", "list"),
        *adversarial,
    }
    for row in data["rows"]:
        assert row["subject"]["median"] > 0, row
        assert row["subject"]["peak_mib"] > 0, row
        assert all(b["median"] > 0 for b in row["baselines"] if not b["skipped"]), row
    assert rows[("list-export", 1000)]["note"].endswith("works in all.bib")
    assert rows[("bib-import", 1000)]["subject"]["count"] == 1000
    assert rows[("bib-import", 1000)]["baselines"][0]["tool"] == "bibtexparser 2"
    # Every family of the smoke subset read its whole input.
    assert rows[("adversarial same-base-key", 200)]["note"] == "200 works"
    assert rows[("adversarial bib-macros", 200)]["note"] == "180 records"
    assert rows[("adversarial zotero-pull", 100)]["note"] == "98 remote changes pulled"
    fill = rows[("fill", "list")]["counts"]
    assert (fill["arxiv"], fill["semanticscholar"]) == (2, 1)  # the list's batches

    # The Zotero request counts are deterministic: the targets are judged here.
    zotero = {
        row["phase"]: row["counts"] for row in data["rows"] if row["workload"] == "zotero-sync"
    }
    assert set(zotero) == {"push", "no-op", "remote 1", "remote 120", "local"}
    push = zotero["push"]
    works = push["works"]
    assert works == 980 and push["collections"] == 73  # 12 sections of 5 subsections, a root
    assert push["item_writes"] <= math.ceil(works / 50)
    assert push["collection_writes"] <= math.ceil(push["collections"] / 50)
    assert push["requests"] <= push["item_writes"] + push["collection_writes"] + 2
    assert zotero["no-op"]["requests"] == 1
    for k in (1, 120):
        remote = zotero[f"remote {k}"]
        assert remote["edits"] == k
        assert remote["requests"] <= 3 + math.ceil(k / 50)
        assert remote["item_writes"] == remote["collection_writes"] == remote["deletes"] == 0
    assert zotero["local"]["item_writes"] == 1 and zotero["local"]["requests"] <= 3
    assert all(t["met"] for t in data["targets"] if t["text"].startswith("zotero")), data["targets"]


def test_check_imports_no_zotero_http_or_bibtex_library() -> None:
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "atbib", "check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    modules, forbidden, _ = parse_importtime(done.stderr)
    assert "atbib.export" in modules, done.stderr[-2000:]  # the whole check path ran
    assert not forbidden, (
        f"`atbib check` imports {forbidden}; import them inside the functions that need them "
        f"(forbidden on this path: {', '.join(FORBIDDEN_ON_CHECK)})"
    )


def test_parse_importtime_flags_nested_imports() -> None:
    stderr = (
        "import time: self [us] | cumulative | imported package\n"
        "import time:       100 |        100 |   atbib.text\n"
        "import time:       900 |       2000 |     httpx._client\n"
        "import time:       300 |       5000 | atbib.cli\n"
    )
    modules, forbidden, cumulative = parse_importtime(stderr)
    assert modules == ["atbib.text", "httpx._client", "atbib.cli"]
    assert forbidden == ["httpx._client"]
    assert cumulative == 0.005
