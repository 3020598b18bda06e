"""Matching and merging rules of ``atbib fill`` (:mod:`atbib.fill.resolve`)."""

from __future__ import annotations

import pytest

from atbib.fill.facts import Candidate, Status
from atbib.fill.resolve import How, Target, anchor_of, judge, merge, pick_search_hit
from atbib.identifiers import Identifier
from atbib.model import Kind, Link, Person, Record


def people(*names: str) -> tuple[Person, ...]:
    return tuple(Person.parse(n) for n in names)


def paper(title: str, *authors: str, url: str = "") -> Target:
    links = (Link("paper", url),) if url else ()
    record = Record(Kind.PAPER, title, authors=people(*authors), links=links)
    return Target(anchor_of(record), record)


LECUN = people("Yann LeCun", "Yoshua Bengio", "Geoffrey Hinton")
GOODFELLOW = people("Ian Goodfellow", "Yoshua Bengio", "Aaron Courville")


def test_an_answer_to_the_lists_own_identifier_is_taken_even_retitled_with_a_remark() -> None:
    target = paper("Attention Is All You Need", url="https://arxiv.org/abs/1706.03762")
    other = Candidate("arxiv", "1706.03762", title="A Completely Different Paper About Birds")
    verdict = judge(target, other, How.LISTED, ())
    assert verdict.accepted
    assert "titles it" in verdict.reason


def test_a_linked_published_version_is_taken_by_title_or_by_its_authors() -> None:
    target = paper("BERT: Pre-training of Deep Bidirectional Transformers")
    known = people("Jacob Devlin", "Ming-Wei Chang", "Kenton Lee")
    same_title = Candidate(
        "acl", "N19-1423", title="BERT: pre-training of deep bidirectional transformers."
    )
    assert judge(target, same_title, How.LINKED, ()).accepted
    retitled = Candidate(
        "acl", "X", title="Something Else Entirely", authors=people("Jacob Devlin", "Kenton Lee")
    )
    assert judge(target, retitled, How.LINKED, known).accepted
    stranger = Candidate("acl", "Y", title="Something Else Entirely", authors=people("A Nobody"))
    assert not judge(target, stranger, How.LINKED, known).accepted


def test_two_works_with_one_title_are_never_merged_by_a_title_search() -> None:
    """ "Deep Learning": LeCun, Bengio and Hinton (Nature 2015) and Goodfellow, Bengio and
    Courville (MIT Press 2016) share a title and one author."""
    target = paper("Deep Learning", "Yann LeCun", "Yoshua Bengio", "Geoffrey Hinton")
    book = Candidate("dblp", "books/daglib/0040158", title="Deep Learning.", authors=GOODFELLOW)
    article = Candidate("dblp", "journals/nature/LeCunBH15", title="Deep learning.", authors=LECUN)
    assert not judge(target, book, How.SEARCHED, LECUN).accepted
    assert judge(target, article, How.SEARCHED, LECUN).accepted
    chosen, reason = pick_search_hit(target, [book, article], LECUN)
    assert chosen == [article] and not reason


def test_a_title_search_abstains_without_authors_to_check() -> None:
    target = paper("Deep Learning")
    hit = Candidate("dblp", "k", title="Deep Learning", authors=LECUN)
    chosen, reason = pick_search_hit(target, [hit], ())
    assert chosen == []
    assert "authors" in reason


def test_a_single_author_must_be_the_same_person() -> None:
    target = paper("A Theory of Everything", "Ada Lovelace")
    same = Candidate("dblp", "a", title="A theory of everything", authors=people("Ada Lovelace"))
    other = Candidate("dblp", "b", title="A theory of everything", authors=people("Alan Turing"))
    known = people("Ada Lovelace")
    assert judge(target, same, How.SEARCHED, known).accepted
    assert not judge(target, other, How.SEARCHED, known).accepted


def test_a_title_search_with_two_published_venues_is_ambiguous() -> None:
    target = paper("Shared Title", "Ada Lovelace", "Alan Turing")
    known = target.record.authors
    one = Candidate(
        "dblp",
        "a",
        title="Shared Title",
        authors=known,
        status=Status.PUBLISHED,
        venue="ACL",
        year=2020,
    )
    two = Candidate(
        "dblp",
        "b",
        title="Shared Title",
        authors=known,
        status=Status.PUBLISHED,
        venue="EMNLP",
        year=2020,
    )
    chosen, reason = pick_search_hit(target, [one, two], known)
    assert chosen == [] and reason.startswith("ambiguous")


def test_an_identifier_in_a_search_hit_is_an_identity_match() -> None:
    target = paper("Attention Is All You Need", url="https://arxiv.org/abs/1706.03762")
    hit = Candidate(
        "dblp",
        "journals/corr/VaswaniSPUJGKP17",
        title="Attention Is All You Need",
        ids=(Identifier("arxiv", "1706.03762"),),
    )
    assert judge(target, hit, How.SEARCHED, ()).accepted


def test_merge_takes_the_published_version_from_the_publisher_and_names_from_the_best() -> None:
    target = paper("BERT", url="https://arxiv.org/abs/1810.04805")
    arxiv = Candidate(
        "arxiv",
        "1810.04805",
        title="BERT",
        authors=people("Jacob Devlin", "Ming-Wei Chang"),
        year=2018,
        entry_type="misc",
        ids=(Identifier("arxiv", "1810.04805"),),
    )
    scholar = Candidate(
        "semanticscholar",
        "abc",
        title="BERT",
        authors=people("J. Devlin", "Ming-Wei Chang"),
        year=2019,
        status=Status.PUBLISHED,
        venue="NAACL",
        pages="4171-4186",
        ids=(Identifier("acl", "N19-1423"),),
    )
    acl = Candidate(
        "acl",
        "N19-1423",
        title="BERT",
        authors=people("Jacob Devlin", "Ming-Wei Chang"),
        year=2019,
        status=Status.PUBLISHED,
        venue="NAACL",
        entry_type="inproceedings",
        pages="4171--4186",
        doi="10.18653/v1/n19-1423",
        publisher="ACL",
        ids=(Identifier("acl", "N19-1423"), Identifier("doi", "10.18653/v1/n19-1423")),
    )
    merged = merge(target, [arxiv, scholar, acl], "2026-12-05")
    facts = merged.filled.facts
    assert facts["status"].value == "published"
    assert facts["venue"].value == "NAACL" and facts["venue"].source == "acl:N19-1423"
    assert facts["pages"].value == "4171--4186"
    assert facts["doi"].source == "acl:N19-1423"
    assert facts["author"].value == "Devlin, Jacob and Chang, Ming-Wei"
    assert facts["author"].source == "acl:N19-1423"
    assert facts["year"].value == "2019"
    assert set(facts["ids"].value.split()) == {"acl:N19-1423", "doi:10.18653/v1/n19-1423"}
    assert merged.conflicts == ()


def test_a_preprint_only_work_is_recorded_as_such() -> None:
    target = paper("RoBERTa", url="https://arxiv.org/abs/1907.11692")
    arxiv = Candidate(
        "arxiv",
        "1907.11692",
        title="RoBERTa",
        authors=people("Yinhan Liu"),
        year=2019,
        entry_type="misc",
    )
    merged = merge(target, [arxiv], "2026-12-05")
    assert merged.filled.value("status") == "preprint"
    assert merged.filled.value("type") == "misc"
    assert merged.filled.value("year") == "2019"


def test_nothing_found_is_recorded_so_the_next_run_does_not_ask_again() -> None:
    assert merge(paper("Unknown"), [], "2026-12-05").filled.value("status") == "not-found"


@pytest.mark.parametrize(
    ("second", "expected"),
    [
        (dict(venue="EMNLP", year=2019), "venue: NAACL 2019 (acl:A); EMNLP 2019 (crossref:B)"),
        (dict(venue="NAACL", year=2020), "venue: NAACL 2019 (acl:A); NAACL 2020 (crossref:B)"),
    ],
)
def test_sources_that_disagree_on_the_published_venue_are_reported(
    second: dict, expected: str
) -> None:
    first = Candidate("acl", "A", status=Status.PUBLISHED, venue="NAACL", year=2019)
    other = Candidate("crossref", "B", status=Status.PUBLISHED, **second)
    merged = merge(paper("T"), [first, other], "d")
    assert merged.conflicts == (expected,)
    assert merged.filled.value("venue") == "NAACL"  # the more authoritative one, not a blend


def test_sources_that_disagree_on_the_authors_are_reported() -> None:
    acl = Candidate("acl", "A", authors=people("Ada Lovelace", "Alan Turing"))
    arxiv = Candidate("arxiv", "B", authors=people("Ada Lovelace", "Alan Turing", "Grace Hopper"))
    merged = merge(paper("T"), [acl, arxiv], "d")
    assert len(merged.conflicts) == 1 and merged.conflicts[0].startswith("authors: 2 (")
    assert merged.filled.value("author") == "Lovelace, Ada and Turing, Alan"
