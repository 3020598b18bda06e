"""Duplicates in the real list: the same work merged with evidence, different works apart."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from atbib import Kind, Link, Person, Record, Venue, find_duplicates, near_duplicates, read_markdown
from atbib.dedupe import (
    Cluster,
    _conflict,
    _UnionFind,
    cluster_indices,
    merge,
    related_titles,
)
from atbib.text import fold_title


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


def _clusters_by_scanning(records):
    """The oracle: clusters as they were found before entries were indexed by what decides a
    conflict, each entry compared with every earlier entry of its title (quadratic)."""
    union = _UnionFind(len(records))
    reasons = {}
    with_ident = {}
    for index, record in enumerate(records):
        for ident in record.identifiers:
            # An entry joins the first earlier entry with the identifier and a related title;
            # one with an unrelated title stays apart (a link copied to the wrong line).
            earlier = with_ident.setdefault(ident, [])
            title = fold_title(record.title)
            other = next(
                (e for e in earlier if related_titles(fold_title(records[e].title), title)), None
            )
            if other is None:
                earlier.append(index)
            elif union.union(other, index):
                reasons.setdefault(index, []).append(f"same identifier {ident}")
    by_title = {}
    for index, record in enumerate(records):
        by_title.setdefault(fold_title(record.title), []).append(index)
    for title, members in by_title.items():
        if len(members) < 2 or not title:
            continue
        for position, index in enumerate(members):
            for other in members[:position]:
                if union.find(other) == union.find(index):
                    continue
                if not _conflict(records[other], records[index]):
                    union.union(other, index)
                    reasons.setdefault(index, []).append(f"same title {title!r}")
                    break
    groups = {}
    for index in range(len(records)):
        groups.setdefault(union.find(index), []).append(index)
    return [
        Cluster(tuple(members), tuple(r for m in members for r in reasons.get(m, ())))
        for members in sorted(groups.values(), key=lambda g: g[0])
        if len(members) > 1
    ]


_LINKS = st.sampled_from(
    [
        ("paper", "https://arxiv.org/abs/2001.00001"),
        ("paper", "https://arxiv.org/abs/2001.00002"),
        ("paper", "https://doi.org/10.48550/arXiv.2001.00003"),
        ("paper", "https://doi.org/10.18653/v1/2020.acl-main.1"),
        ("paper", "https://doi.org/10.18653/v1/2020.acl-main.2"),
        ("paper", "https://aclanthology.org/2020.acl-main.3/"),
        ("paper", "https://openreview.net/forum?id=abc"),
        ("paper", "https://example.org/one.pdf"),
        ("paper", "https://example.org/two.pdf"),
        ("code", "https://github.com/a/b"),
    ]
)
_ENTRIES = st.builds(
    lambda kind, title, authors, year, links, n: Record(
        kind=kind,
        title=title,
        authors=tuple(Person.parse(a) for a in authors),
        venue=Venue(f"ACL {year}") if year else None,
        url=f"https://blog.example.org/{n}" if kind is not Kind.PAPER and n % 3 else "",
        links=tuple(Link(label, url) for label, url in links),
    ),
    st.sampled_from([Kind.PAPER, Kind.PAPER, Kind.SLIDES, Kind.BLOG_POST, Kind.REPOSITORY]),
    st.sampled_from(["Same Title", "Same title!", "Other Title", ""]),
    st.lists(st.sampled_from(["Ann Lee", "Bo Chen", "Ann Chen", "Carl Zed", "李 伟"]), max_size=3),
    st.sampled_from([None, 2018, 2019, 2020, 2022]),
    st.lists(_LINKS, max_size=3),
    st.integers(0, 5),
)


def _paper(authors, link):
    return Record(
        Kind.PAPER,
        "Same Title",
        authors=tuple(Person.parse(a) for a in authors),
        venue=Venue("ACL 2020"),
        links=(Link("paper", link),),
    )


@settings(max_examples=400, deadline=None, database=None)
@given(st.lists(_ENTRIES, max_size=40))
# The third entry is in the first one's cluster (one link), and joins the second by title.
@example(
    [
        _paper(["Ann Lee"], "https://example.org/one.pdf"),
        _paper(["Bo Chen"], "https://example.org/two.pdf"),
        _paper([], "https://example.org/one.pdf"),
    ]
)
def test_indexed_title_joins_find_the_clusters_scanning_found(records):
    assert find_duplicates(records) == _clusters_by_scanning(records)
