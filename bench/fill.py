"""The fill workload: ``python -m bench.fill SOURCE WORKDIR``.

Hosts the fake metadata services of the test suite (tests/metasources: arXiv, Semantic
Scholar, Crossref, DBLP, the ACL Anthology and OpenReview on one local HTTP server) in this
process and runs ``atbib fill`` against them as a whole process, as a user would
(``ATBIB_<SOURCE>_URL`` point the sources at the server, ``ATBIB_FILL_DELAY=0`` drops the
politeness waits a real run keeps: arXiv's 3 s alone would dominate).

SOURCE ``list``: this repository's list, before any fill (its bib/ without metadata.tsv, the
keys as the list gave them), the services holding what the primary sources say of its papers
(tests/data/fill/atpapers-sources.bib). Any other SOURCE is a Markdown list (bench/gen_list.py
makes them): the services hold one record per paper of it, by its identifiers, a third
published at an ACL venue (with an Anthology id and a DOI), a third at another conference, a
third preprints.

Prints one JSON line: works asked about, wall seconds (spawn to exit), peak RSS, and the
requests each service answered.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from bench.zotero import _atbib, _timed

REPO = Path(__file__).resolve().parent.parent


def _this_list(project: Path) -> None:
    shutil.copyfile(REPO / "README.md", project / "README.md")
    shutil.copytree(REPO / "bib", project / "bib")
    from tests.test_zotero_sync import as_listed

    as_listed(project)


def _synthetic_papers(project: Path) -> list[Any]:
    """A record per paper of a generated list, for the fake services."""
    from atbib import read_markdown
    from atbib.model import Kind
    from tests.metasources.paper import Kind as Published
    from tests.metasources.paper import Paper

    papers = []
    seen: set[str] = set()
    library = read_markdown((project / "README.md").read_text(encoding="utf-8"))
    for number, record in enumerate(library.records):
        ids = {i.scheme: i.value for i in reversed(record.identifiers)}
        names = {record.title, *(f"{k}:{v}" for k, v in ids.items())}
        if record.kind is not Kind.PAPER or not ids or names & seen:
            continue  # one record per work, as the services have
        seen.update(names)
        authors = tuple((p.given, p.family) for p in record.authors) or (("Ada", "Lovelace"),)
        kind = (Published.CONFERENCE, Published.CONFERENCE, Published.PREPRINT)[number % 3]
        acl = ids.get("acl") or (f"2023.acl-long.{number}" if number % 3 == 0 else None)
        papers.append(
            Paper(
                title=record.title,
                authors=authors,
                year=record.year or 2020,
                kind=kind,
                venue=None if kind is Published.PREPRINT else ("ACL" if acl else "NeurIPS"),
                pages=None if kind is Published.PREPRINT else f"{number}--{number + 9}",
                arxiv=ids.get("arxiv"),
                acl=acl if kind is not Published.PREPRINT else None,
                doi=ids.get("doi") or (f"10.18653/v1/{acl}" if acl else None),
                openreview=ids.get("openreview"),
                dblp_key=f"conf/synthetic/{number}",
            )
        )
    return papers


def main(argv: list[str]) -> int:
    source, workdir = argv[0], Path(argv[1])
    sys.path.insert(0, str(REPO))
    from tests.fillkit import fill_env, researched_papers
    from tests.metasources.server import MetadataServers

    project = workdir / "fill-project"
    shutil.rmtree(project, ignore_errors=True)
    project.mkdir(parents=True)
    if source == "list":
        _this_list(project)
        papers = researched_papers()
    else:
        shutil.copyfile(source, project / "README.md")
        subprocess.run([*_atbib(), "export"], cwd=project, check=True, capture_output=True)
        papers = _synthetic_papers(project)
    (project / "pyproject.toml").write_text('[tool.atbib]\nlist = "README.md"\n', "utf-8")
    with MetadataServers(papers) as servers:
        env = fill_env(servers, workdir / "fill-cache")
        env = {k: v for k, v in env.items() if not k.endswith("_PROXY")}
        seconds, peak = _timed([*_atbib(), "fill"], project, env)
        requests = {name: servers.log.count(name) for name in servers.services}
    metadata = (project / "bib" / "metadata.tsv").read_text(encoding="utf-8")
    works = len({line.split("\t", 1)[0] for line in metadata.splitlines() if line[:1] != "#"})
    print(json.dumps({"works": works, "seconds": seconds, "peak_kib": peak, "requests": requests}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
