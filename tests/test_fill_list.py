"""``atbib fill`` on this repository's own list, through the fake services holding what the
primary sources say of its papers: every paper found, in the fewest requests."""

from __future__ import annotations

import math
import os
import shutil
from pathlib import Path

import pytest

from atbib import read_markdown
from atbib.export import collect_works
from atbib.fill.store import read_metadata
from atbib.keys import read_registry
from atbib.model import Kind
from tests.conftest import ROOT
from tests.fillkit import fill_env, researched_papers, run
from tests.metasources.store import Store


@pytest.fixture(scope="module")
def papers():
    return researched_papers()


@pytest.fixture
def metadata_store(papers) -> Store:
    return Store(papers)


@pytest.fixture
def this_list(tmp_path: Path) -> Path:
    """A copy of the list as it was before any fill: README.md and bib/ without metadata."""
    folder = tmp_path / "list"
    folder.mkdir()
    shutil.copy(ROOT / "README.md", folder / "README.md")
    shutil.copytree(ROOT / "bib", folder / "bib")
    (folder / "bib" / "metadata.tsv").unlink(missing_ok=True)
    (folder / "pyproject.toml").write_text('[tool.atbib]\nlist = "README.md"\n', encoding="utf-8")
    return folder


def test_the_whole_list_resolves_in_batches_then_one_request_per_published_record(
    this_list, metadata_servers, tmp_path
):
    env = fill_env(metadata_servers, tmp_path / "cache")
    library = read_markdown((this_list / "README.md").read_text(encoding="utf-8"))
    registry = read_registry((this_list / "bib" / "keys.tsv").read_text(encoding="utf-8"))
    works = [
        w for w in collect_works(library, registry)[0] if w.record.kind in (Kind.PAPER, Kind.BOOK)
    ]
    arxiv = {i.value for w in works for i in w.record.identifiers if i.scheme == "arxiv"}

    result = run(this_list, env, "fill")
    assert result.returncode == 0, result.stderr
    log = metadata_servers.log
    assert log.count("arxiv") == math.ceil(len(arxiv) / 100) == 2
    assert log.count("semanticscholar") == math.ceil(len(works) / 500) == 1
    acl_asked = [e.path for e in log.for_service("acl")]
    assert len(acl_asked) == len(set(acl_asked))  # each record once
    published_acl = {p.acl for p in metadata_servers.store if p.acl}
    assert len(acl_asked) <= len(published_acl)
    crossref = log.for_service("crossref")
    assert all(not e.path.startswith("/crossref/works/10.18653") for e in crossref)
    # A title search only for the works no identifier answered (PMLR and other links, or
    # identifiers the services do not know).
    store = metadata_servers.store
    lookups = {
        "arxiv": store.by_arxiv,
        "acl": store.by_acl,
        "doi": store.by_doi,
        "openreview": store.by_openreview,
    }
    unanswered = [
        w
        for w in works
        if not any(lookups[i.scheme](i.value) for i in w.record.identifiers if i.scheme in lookups)
    ]
    assert log.count("dblp") == len(unanswered)
    assert log.unhonoured_waits() == []
    assert f"requests: arXiv 2, Semantic Scholar 1, ACL Anthology {len(acl_asked)}" in result.stdout

    metadata = read_metadata((this_list / "bib" / "metadata.tsv").read_text(encoding="utf-8"))
    statuses = [metadata[a].value("status") for a in metadata]
    assert statuses.count("published") >= 170 and statuses.count("preprint") >= 40
    bert = metadata.get("acl:N19-1423")
    assert bert is not None and bert.value("pages") == "4171--4186"
    assert bert.facts["pages"].source == "acl:N19-1423"
    assert bert.value("author").startswith("Devlin, Jacob and Chang, Ming-Wei")

    check = run(this_list, env, "check")
    assert check.returncode == 0, check.stderr
    text = (this_list / "bib" / "all.bib").read_text(encoding="utf-8")
    for key in (
        "devlin2019bert",
        "brown2020language",
        "yang2019xlnet",
        "lewis2020bart",
    ):
        assert f"{{{key}," in text, key
    assert "@inproceedings{yang2019xlnet," in text  # a CoRR preprint published at NeurIPS

    # A second run asks nothing: every work is settled in bib/metadata.tsv.
    log.clear()
    again = run(this_list, env, "fill")
    assert again.returncode == 0 and len(log) == 0
    assert "0 works asked about" in again.stdout


def test_fill_from_the_primary_sources_file_matches_the_committed_metadata(this_list, tmp_path):
    """The committed bib/metadata.tsv is what `atbib fill --offline --from` makes of the
    sources file: reproducible, with no network."""
    shutil.copytree(ROOT / "tests" / "data" / "fill", this_list / "tests" / "data" / "fill")
    env = fill_env_offline(tmp_path)
    result = run(
        this_list, env, "fill", "--offline", "--from", "tests/data/fill/atpapers-sources.bib"
    )
    assert result.returncode == 0, result.stderr
    made = (this_list / "bib" / "metadata.tsv").read_text(encoding="utf-8")
    committed = (ROOT / "bib" / "metadata.tsv").read_text(encoding="utf-8")
    assert _without_dates(made) == _without_dates(committed)
    assert (this_list / "bib" / "keys.tsv").read_bytes() == (ROOT / "bib" / "keys.tsv").read_bytes()
    for name in ("all.bib", "transformer.bib"):
        assert (this_list / "bib" / name).read_bytes() == (ROOT / "bib" / name).read_bytes()


def fill_env_offline(tmp_path: Path) -> dict[str, str]:
    return dict(os.environ, ATBIB_CACHE_DIR=str(tmp_path / "cache"))


def _without_dates(text: str) -> list[str]:
    return [line.rsplit("\t", 1)[0] for line in text.splitlines()]


@pytest.mark.skipif(
    not os.environ.get("ATBIB_LIVE_FILL"),
    reason="live metadata sources: set ATBIB_LIVE_FILL=1 to ask arXiv, Semantic Scholar, the "
    "ACL Anthology and Crossref about two papers",
)
def test_live_sources_complete_two_papers(tmp_path):
    """Opt-in: the real services, as a user's `atbib fill` asks them."""
    (tmp_path / "README.md").write_text(
        "## Papers\n"
        "- **BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding**"
        ". (NAACL 2019) [[paper]](https://www.aclweb.org/anthology/N19-1423/)\n"
        "- **RoBERTa: A Robustly Optimized BERT Pretraining Approach**. (CoRR 2019) "
        "[[paper]](https://arxiv.org/abs/1907.11692)\n",
        encoding="utf-8",
    )
    env = dict(os.environ, ATBIB_CACHE_DIR=str(tmp_path / "cache"))
    result = run(tmp_path, env, "fill", "--source", "arxiv", "--source", "acl")
    assert result.returncode == 0, result.stderr
    text = (tmp_path / "bib" / "all.bib").read_text(encoding="utf-8")
    assert "@inproceedings{devlin2019bert," in text and "Toutanova, Kristina" in text
    assert "@misc{liu2019roberta," in text
