"""The Zotero workload: ``python -m bench.zotero LIST_MD WORKDIR``.

Hosts the local Zotero Web API server of the test suite (tests/zoteroapi, real HTTP on
127.0.0.1) in this process and runs ``atbib zotero ...`` against it as whole processes, as a
user would (``ATBIB_ZOTERO_ENDPOINT`` points the client at the server, ``ZOTERO_API_KEY``
carries the test key). On a fresh copy of the list, in order:

``push``            the full push into an empty group (after an untimed ``atbib export``,
                    which pins the keys, as a project under version control has them);
``no-op``           ``sync`` with nothing changed on either side;
``remote K``        ``sync`` after K items were edited in Zotero by another writer (a title
                    each, K = 1 and 120): they are pulled into the list;
``local``           ``sync`` after one title was edited in the list: pushed to Zotero.

With ``--pull-all`` (the adversarial family ``zotero-pull``), the push is followed by one
phase only, ``remote all``: ``sync`` after every item was edited in Zotero, so that it pulls
as many changes as there are works.

Each command's wall time (spawn to exit), peak RSS (GNU time, when there is one) and the
requests the server answered during it, by kind, go to stdout as one JSON line. The server's
own work is included in the wall time (it answers while the client waits, on the other core).
Exits non-zero if a command fails or reports a failure.
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
GROUP = 12345
REMOTE_EDITS = (1, 120)
GNU_TIME = shutil.which("time")


def _atbib() -> list[str]:
    script = Path(sys.executable).parent / "atbib"
    return [str(script)] if script.exists() else [sys.executable, "-m", "atbib"]


def _timed(argv: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, int]:
    """(wall seconds, peak RSS KiB) of one whole process; raises if it fails. The peak comes
    from GNU time when there is one (a small parent), else from wait4 (which also counts what
    this process held when it forked the child)."""
    with (
        tempfile.NamedTemporaryFile("r") as peak_file,
        tempfile.TemporaryFile("w+") as out,
    ):
        wrapped = [GNU_TIME, "-q", "-f", "%M", "-o", peak_file.name, *argv] if GNU_TIME else argv
        start = time.perf_counter()
        process = subprocess.Popen(wrapped, cwd=cwd, env=env, stdout=out, stderr=out)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        process.returncode = code = os.waitstatus_to_exitcode(status)
        if code != 0:
            out.seek(0)
            raise SystemExit(f"{' '.join(argv)} exited {code}:\n{out.read()[-3000:]}")
        lines = peak_file.read().split()
    peak = int(lines[-1]) if lines and lines[-1].isdigit() else usage.ru_maxrss
    return seconds, peak


def _counts(server: Any) -> dict[str, int]:
    """The requests the server answered since its log was last cleared, by kind."""
    requests = server.requests
    return {
        "requests": len(requests),
        "reads": sum(1 for r in requests if r.method == "GET"),
        "item_writes": server.count("POST", r"/items$"),
        "collection_writes": server.count("POST", r"/collections$"),
        "deletes": server.count("DELETE"),
    }


def _edit_remote(server: Any, k: int, round_: int) -> None:
    """Another writer edits the titles of k items, the first k by citation key (so every run
    edits the same works), one write each."""
    library = server.library
    with server.lock:
        items = sorted(
            (i.fields.get("citationKey", ""), key)
            for key, i in library.items.items()
            if i.parent is None and not i.deleted and i.is_regular
        )
        for _, key in items[:k]:
            title = library.items[key].fields.get("title", "")
            library.update_item(key, title=f"{title} (rev {round_})")


def _edit_local(readme: Path) -> None:
    """Rewrite the first bold title of the list."""
    text = readme.read_text(encoding="utf-8")
    edited, count = re.subn(r"^- \*\*(.+?)\*\*", r"- **\1 (revised)**", text, count=1, flags=re.M)
    if count != 1:
        raise SystemExit("no bold title to edit in the list")
    readme.write_text(edited, encoding="utf-8")


def main(argv: list[str]) -> int:
    source, workdir = Path(argv[0]), Path(argv[1])
    pull_all = argv[2:] == ["--pull-all"]
    sys.path.insert(0, str(REPO))
    from tests.zoteroapi import DEFAULT_KEY, ZoteroServer

    project = workdir / "zotero-project"
    shutil.rmtree(project, ignore_errors=True)
    project.mkdir(parents=True)
    shutil.copyfile(source, project / "README.md")
    (project / "pyproject.toml").write_text(
        f'[tool.atbib]\nlist = "README.md"\nbib-dir = "bib"\nzotero-group = {GROUP}\n',
        encoding="utf-8",
    )
    subprocess.run([*_atbib(), "export"], cwd=project, check=True, capture_output=True)
    works = sum(
        1 for line in (project / "bib" / "all.bib").open(encoding="utf-8") if line[:1] == "@"
    )

    server = ZoteroServer(group_id=GROUP)
    server.start()
    env = {k: v for k, v in os.environ.items() if not k.endswith("_PROXY")}
    env.update(ATBIB_ZOTERO_ENDPOINT=server.endpoint, ZOTERO_API_KEY=DEFAULT_KEY)
    phases: list[dict[str, Any]] = []

    def phase(name: str, mode: str, **extra: Any) -> None:
        server.clear_log()
        seconds, peak = _timed([*_atbib(), "zotero", mode], project, env)
        phases.append(
            {"phase": name, "seconds": seconds, "peak_kib": peak, **_counts(server), **extra}
        )

    try:
        phase("push", "push")
        with server.lock:
            collections = len(server.library.collections)
            items = sum(1 for i in server.library.items.values() if i.parent is None)
        if items != works:
            raise SystemExit(f"pushed {items} items for {works} works")
        if pull_all:
            _edit_remote(server, items, 1)
            phase("remote all", "sync", edits=items)
        else:
            phase("no-op", "sync")
            for round_, k in enumerate(REMOTE_EDITS, 1):
                _edit_remote(server, k, round_)
                phase(f"remote {k}", "sync", edits=k)
            _edit_local(project / "README.md")
            phase("local", "sync", edits=1)
    finally:
        server.stop()
    print(
        json.dumps(
            {
                "works": works,
                "collections": collections,
                "batch": 50,
                "phases": phases,
                "item_write_limit": math.ceil(works / 50),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
