"""Duplicates in the real list: the same work merged with evidence, different works apart."""

from __future__ import annotations

import pytest

from atbib import find_duplicates, near_duplicates, read_markdown
from atbib.dedupe import cluster_indices, merge


@pytest.fixture(scope="module")
def library(readme_text):
    return read_markdown(readme_text)


def _titles(library, indices):
    return [library.items[i].record.title for i in indices]


def test_the_works_listed_twice_in_the_current_list_are_found_with_evidence(library):
    clusters = find_duplicates(library.records)
    found = {tuple(_titles(library, c.members)): c.evidence for c in clusters}
    assert found == {
        (
            "CodeBERT: A Pre-Trained Model for Programming and Natural Languages",
            "CodeBERT:A Pre-Trained Model for Programming and Natural Languages",
        ): ("same identifier arxiv:2002.08155",),
        (
            "Adversarial Training for Large Neural Language Models",
            "Adversarial Training for Large Neural Language Models",
        ): ("same identifier arxiv:2004.08994",),
        (
            "Cross-Lingual Ability of Multilingual BERT: An Empirical Study",
            "Cross-Lingual Ability of Multilingual BERT: An Empirical Study",
        ): ("same identifier arxiv:1912.07840",),
    }


def test_different_works_sharing_a_name_stay_apart(library):
    groups = [_titles(library, g) for g in cluster_indices(library.records)]
    singles = {g[0] for g in groups if len(g) == 1}
    for title in (
        "ERNIE: Enhanced Language Representation with Informative Entities",
        "ERNIE: Enhanced Representation through Knowledge Integration",
        "Attention is not Explanation",
        "Attention is not not Explanation",
        "albert_zh",  # bojone's and brightmart's repositories
        "深度长文：NLP的巨人肩膀（上）",
        "深度长文：NLP的巨人肩膀（下）",
    ):
        assert title in singles, title
    # A code repository shared by three different papers is not identity.
    pet = [
        item.record.title
        for item in library.items
        if any(link.url == "https://github.com/timoschick/pet" for link in item.record.links)
    ]
    assert len(pet) == 3 and all(t in singles for t in pet)


def test_near_duplicates_are_reported_with_their_evidence_never_merged(library):
    near = {
        (library.items[n.first].record.title, library.items[n.second].record.title): n.note
        for n in near_duplicates(library.records)
    }
    assert near[("Attention is not Explanation", "Attention is not not Explanation")] == (
        "different arxiv identifiers"
    )
    assert len(cluster_indices(library.records)) == 326


def test_merged_work_keeps_the_published_venue_and_all_links(library):
    codebert = [item.record for item in library.items if item.record.title.startswith("CodeBERT")]
    work = merge(codebert)
    assert work.venue.text == "EMNLP 2020"
    assert [a.family for a in work.authors][:2] == ["Feng", "Guo"]
    assert work.nickname == "CodeBERT"
    assert work.sections == (
        ("Pretrained Language Model", "Models"),
        ("Pretrained Language Model", "Multi-Modal"),
    )
    assert [link.url for link in work.links] == [
        "https://arxiv.org/abs/2002.08155",
        "https://github.com/microsoft/CodeBERT",
    ]


def test_title_match_needs_corroboration():
    text = (
        "## A\n### P\n"
        "- **Same Title**. *Ann Lee*. (ACL 2019) [[paper]](https://x.org/1.pdf)\n"
        "- **Same Title**. *Ann Lee, Bo Chen*. (ACL 2020) [[paper]](https://y.org/2.pdf)\n"
        "- **Same Title**. *Carl Zed*. (ACL 2019) [[paper]](https://z.org/3.pdf)\n"
        "- **Same Title**. *Ann Lee*. (ACL 2015) [[paper]](https://w.org/4.pdf)\n"
    )
    library = read_markdown(text)
    (cluster,) = find_duplicates(library.records)
    assert cluster.members == (0, 1)
    assert cluster.evidence == ("same title 'same title'",)


def test_near_duplicate_search_stays_fast_on_absurdly_long_titles():
    """Found by fuzzing: 59 entries whose titles were 20,000 characters took 9 s to search,
    scoring costing the product of the lengths. Titles are compared on their first 300
    characters; such entries are still reported."""
    import time

    from atbib import Kind, Record

    records = [
        Record(Kind.PAPER, "Attention " * 2000 + f"variant {n}", url=f"https://x.org/{n}")
        for n in range(59)
    ]
    started = time.perf_counter()
    pairs = near_duplicates(records)
    assert time.perf_counter() - started < 1.0
    assert len(pairs) == 59 * 58 // 2
