"""``atbib fill`` as a user runs it, against the fake services: what it writes, what it says,
and how it behaves when a service misbehaves."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from atbib.fill.store import read_metadata
from tests.fillkit import fill_env, run
from tests.metasources.paper import Kind, Paper
from tests.metasources.store import Store

LIST = """# Tiny list
## Models
### Papers
- **BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding**. (NAACL 2019) [[paper]](https://www.aclweb.org/anthology/N19-1423/)
- **XLNet: Generalized Autoregressive Pretraining for Language Understanding**. (CoRR 2019) [[paper]](https://arxiv.org/pdf/1906.08237.pdf)
- **RoBERTa: A Robustly Optimized BERT Pretraining Approach**. *Yinhan Liu, Myle Ott*. (CoRR 2019) [[paper]](https://arxiv.org/abs/1907.11692)
- **ELECTRA: Pre-training Text Encoders as Discriminators Rather Than Generators**. (ICLR 2020) [[paper]](https://openreview.net/forum?id=r1xMH1BtvB)
"""


def people(*names: str) -> tuple[tuple[str, str], ...]:
    return tuple((" ".join(n.split()[:-1]), n.split()[-1]) for n in names)


PAPERS = [
    Paper(
        title="BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding",
        authors=people("Jacob Devlin", "Ming-Wei Chang", "Kenton Lee", "Kristina Toutanova"),
        year=2019,
        month=6,
        venue="NAACL",
        container="Proceedings of the 2019 Conference of the North American Chapter of the "
        "Association for Computational Linguistics: Human Language Technologies, Volume 1 "
        "(Long and Short Papers)",
        pages="4171--4186",
        publisher="Association for Computational Linguistics",
        address="Minneapolis, Minnesota",
        doi="10.18653/v1/N19-1423",
        arxiv="1810.04805",
        acl="N19-1423",
    ),
    Paper(
        title="XLNet: Generalized Autoregressive Pretraining for Language Understanding",
        authors=people("Zhilin Yang", "Zihang Dai", "Yiming Yang", "Jaime Carbonell"),
        year=2019,
        venue="NeurIPS",
        container="Advances in Neural Information Processing Systems",
        pages="5754--5764",
        arxiv="1906.08237",
    ),
    Paper(
        title="RoBERTa: A Robustly Optimized BERT Pretraining Approach",
        authors=people("Yinhan Liu", "Myle Ott", "Naman Goyal"),
        year=2019,
        kind=Kind.PREPRINT,
        arxiv="1907.11692",
    ),
    Paper(
        title="ELECTRA: Pre-training Text Encoders as Discriminators Rather Than Generators",
        authors=people("Kevin Clark", "Minh-Thang Luong", "Quoc V. Le", "Christopher D. Manning"),
        year=2020,
        venue="ICLR",
        container="International Conference on Learning Representations",
        arxiv="2003.10555",
        openreview="r1xMH1BtvB",
    ),
]


@pytest.fixture
def metadata_store() -> Store:
    return Store(PAPERS)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    folder = tmp_path / "list"
    folder.mkdir()
    (folder / "README.md").write_text(LIST, encoding="utf-8")
    return folder


@pytest.fixture
def env(metadata_servers, tmp_path):
    return fill_env(metadata_servers, tmp_path / "cache")


def bib(project: Path) -> str:
    return (project / "bib" / "all.bib").read_text(encoding="utf-8")


def test_fill_completes_the_works_and_rekeys_those_keyed_without_authors(project, env):
    assert run(project, env, "export").returncode == 0
    before = bib(project)
    assert "@misc{bert2019pretraining," in before and "@misc{xlnet2019generalized," in before

    result = run(project, env, "fill")
    assert result.returncode == 0, result.stderr
    after = bib(project)
    assert "@inproceedings{devlin2019bert," in after
    assert "ids           = {bert2019pretraining}" in after
    assert "pages         = {4171--4186}" in after
    assert "@inproceedings{yang2019xlnet," in after  # published since, at NeurIPS
    assert "@misc{liu2019roberta," in after  # still a preprint, its authors the list's
    assert "Goyal" not in after
    assert "@inproceedings{clark2020electra," in after
    assert "bert2019pretraining -> devlin2019bert" in result.stdout
    assert "3 re-keyed (old keys stay valid)" in result.stdout
    assert run(project, env, "check").returncode == 0
    assert (project / "README.md").read_text(encoding="utf-8") == LIST  # the list as written

    lint = run(project, env, "lint", "--min-severity", "info")
    assert "published since as NeurIPS 2019" in lint.stdout
    assert (
        "authors differ from" in lint.stdout and "only the source names Naman Goyal" in lint.stdout
    )


def test_a_dry_run_shows_each_value_with_its_source_and_writes_nothing(project, env):
    run(project, env, "export")
    files = {p.name: p.read_bytes() for p in (project / "bib").iterdir()}
    result = run(project, env, "fill", "--dry-run")
    assert result.returncode == 0, result.stderr
    assert "bert2019pretraining -> devlin2019bert" in result.stdout
    assert "    pages      + 4171--4186  [acl:N19-1423]" in result.stdout
    assert "would change 4" in result.stdout
    assert {p.name: p.read_bytes() for p in (project / "bib").iterdir()} == files


def test_into_list_writes_authors_and_published_venues_into_the_lines(project, env):
    result = run(project, env, "fill", "--into-list")
    assert result.returncode == 0, result.stderr
    text = (project / "README.md").read_text(encoding="utf-8")
    assert "*Jacob Devlin, Ming-Wei Chang, Kenton Lee, Kristina Toutanova*" in text
    assert (
        "(NeurIPS 2019)" in text and "(CoRR 2019) [[paper]](https://arxiv.org/pdf/1906" not in text
    )
    assert "*Yinhan Liu, Myle Ott*. (CoRR 2019)" in text  # the list's own authors stay
    assert run(project, env, "check").returncode == 0


def test_prefer_source_takes_the_sources_authors_over_the_lists(project, env):
    result = run(project, env, "fill", "--prefer-source")
    assert result.returncode == 0, result.stderr
    assert "Liu, Yinhan and Ott, Myle and Goyal, Naman" in bib(project)
    metadata = read_metadata((project / "bib" / "metadata.tsv").read_text(encoding="utf-8"))
    assert metadata["arxiv:1907.11692"].prefers_source


def test_a_rate_limit_is_waited_out_as_the_service_asks(project, env, metadata_servers):
    metadata_servers.faults.rate_limit("arxiv", count=1, retry_after=1)
    metadata_servers.faults.unavailable("acl", count=1, retry_after=0)
    result = run(project, env, "fill")
    assert result.returncode == 0, result.stderr
    assert metadata_servers.log.unhonoured_waits() == []
    assert metadata_servers.log.count("arxiv") == 2  # the 429, then the answer
    assert "@inproceedings{devlin2019bert," in bib(project)


def test_a_refused_batch_is_asked_again_in_halves(project, tmp_path):
    from tests.metasources.server import MetadataServers

    with MetadataServers(Store(PAPERS), s2_batch_limit=1) as servers:
        result = run(
            project, fill_env(servers, tmp_path / "c"), "fill", "--source", "semanticscholar"
        )
        assert result.returncode == 0, result.stderr
        # 3 ids (ELECTRA has none Semantic Scholar takes): refused, then one at a time
        assert servers.log.count("semanticscholar", status=400) == 1
        assert servers.log.count("semanticscholar", status=200) == 3


def test_an_unavailable_source_is_reported_and_the_rest_is_saved(project, env, metadata_servers):
    metadata_servers.faults.challenge()  # OpenReview refuses anonymous requests
    result = run(project, env, "fill")
    assert result.returncode == 1
    assert "OpenReview unavailable" in result.stderr and "403" in result.stderr
    assert "@inproceedings{devlin2019bert," in bib(project)  # the others were saved
    metadata = read_metadata((project / "bib" / "metadata.tsv").read_text(encoding="utf-8"))
    assert (
        metadata.get("openreview:r1xMH1BtvB") is None
        or metadata["openreview:r1xMH1BtvB"].value("status") != "not-found"
    )  # asked again next time
    metadata_servers.faults.clear()
    again = run(project, env, "fill")
    assert again.returncode == 0, again.stderr
    assert "@inproceedings{clark2020electra," in bib(project)


def test_an_interrupted_run_resumes_without_asking_again(project, env, metadata_servers):
    metadata_servers.faults.delay("acl", 30)
    process = subprocess.Popen(
        [sys.executable, "-m", "atbib", "fill"],
        cwd=project,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 30
    while metadata_servers.log.count("acl") == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=30)
    assert process.returncode == 130
    assert "run the command again to finish" in err
    assert not (project / "bib" / "metadata.tsv").exists()  # nothing half-written
    asked = {s: metadata_servers.log.count(s) for s in ("arxiv", "semanticscholar")}
    metadata_servers.faults.clear()
    result = run(project, env, "fill")
    assert result.returncode == 0, result.stderr
    assert {s: metadata_servers.log.count(s) for s in asked} == asked  # from the kept replies
    assert "@inproceedings{devlin2019bert," in bib(project)


def test_offline_from_a_bib_file_fills_without_a_request(project, env, metadata_servers):
    (project / "publisher.bib").write_text(
        "@inproceedings{anything,\n  author = {Clark, Kevin and Luong, Minh-Thang},\n"
        "  title = {ELECTRA: Pre-training Text Encoders as Discriminators Rather Than Generators},\n"
        "  booktitle = {International Conference on Learning Representations},\n  year = {2020},\n"
        "  url = {https://openreview.net/forum?id=r1xMH1BtvB}\n}\n",
        encoding="utf-8",
    )
    result = run(project, env, "fill", "--offline", "--from", "publisher.bib")
    assert result.returncode == 0, result.stderr
    assert len(metadata_servers.log) == 0
    assert "@inproceedings{clark2020electra," in bib(project)
    metadata = read_metadata((project / "bib" / "metadata.tsv").read_text(encoding="utf-8"))
    assert metadata["openreview:r1xMH1BtvB"].facts["author"].source == "file:publisher.bib#anything"
    assert "bert2019pretraining" in bib(project)  # not asked: no request, no "not found"
    assert metadata.get("acl:N19-1423") is None
