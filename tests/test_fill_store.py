"""``bib/metadata.tsv`` (:mod:`atbib.fill.store`) and what export makes of it
(:mod:`atbib.fill.complete`)."""

from __future__ import annotations

import pytest

from atbib import read_markdown
from atbib.bibtex.read import load_bibtex
from atbib.errors import AtbibError
from atbib.export import build_bibliography
from atbib.fill.complete import complete, findings
from atbib.fill.store import (
    Fact,
    Filled,
    Metadata,
    format_people,
    parse_people,
    read_metadata,
    write_metadata,
)
from atbib.identifiers import Identifier
from atbib.keys import read_registry
from atbib.model import Person, Venue

DAY = "2026-12-05"


def filled(work: str, source: str, **values: str) -> Filled:
    return Filled(work, {name: Fact(value, source, DAY) for name, value in values.items()})


BERT = filled(
    "acl:N19-1423",
    "acl:N19-1423",
    ids="arxiv:1810.04805 doi:10.18653/v1/n19-1423",
    status="published",
    author="Devlin, Jacob and Chang, Ming-Wei and Lee, Kenton and Toutanova, Kristina",
    type="inproceedings",
    venue="NAACL",
    year="2019",
    month="jun",
    pages="4171--4186",
    doi="10.18653/v1/n19-1423",
    publisher="Association for Computational Linguistics",
)


def test_the_file_round_trips_sorted_and_one_fact_a_line() -> None:
    roberta = filled("arxiv:1907.11692", "arxiv:1907.11692", status="preprint", year="2019")
    text = write_metadata(Metadata([roberta, BERT]))
    lines = [line for line in text.splitlines() if not line.startswith("#")]
    assert lines[0].startswith("acl:N19-1423\tids\t")
    assert lines[1] == "acl:N19-1423\tstatus\tpublished\tacl:N19-1423\t2026-12-05"
    assert lines[-1] == "arxiv:1907.11692\tyear\t2019\tarxiv:1907.11692\t2026-12-05"
    again = read_metadata(text)
    assert dict(again) == {"acl:N19-1423": BERT, "arxiv:1907.11692": roberta}
    assert write_metadata(again) == text


def test_a_work_is_found_by_any_identifier_the_sources_tied_to_it() -> None:
    metadata = Metadata([BERT])
    assert metadata.find([Identifier("arxiv", "1810.04805")]) is BERT
    assert metadata.find([Identifier("acl", "N19-1424")]) is None


def test_values_are_kept_on_one_line() -> None:
    text = write_metadata(Metadata([filled("arxiv:1", "x:1", title="A\ttitle\nsplit")]))
    assert "\tA title split\t" in text


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("acl:N19-1423\tauthor\tX", "metadata.tsv:2: expected 5 tab-separated columns"),
        ("acl:N19-1423\tauthors\tX\ts\td", "metadata.tsv:2: unknown field 'authors'"),
        ("N19-1423\tauthor\tX\ts\td", "metadata.tsv:2: 'N19-1423' is not an identifier"),
    ],
)
def test_a_bad_line_is_named_with_file_and_line(line: str, message: str) -> None:
    with pytest.raises(AtbibError, match=message):
        read_metadata(f"# header\n{line}\n", source="metadata.tsv")


def test_names_round_trip_with_von_and_jr() -> None:
    people = (
        Person(family="Maaten", given="Laurens", von="van der"),
        Person(family="King", given="Martin Luther", jr="Jr."),
        Person(family="Müller", given="Mathias"),
    )
    assert parse_people(format_people(people)) == people


LIST = """# List
## Models
### Papers
- **BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding**. (CoRR 2018) [[paper]](https://arxiv.org/abs/1810.04805)
- **Elsewhere**. *Ada Lovelace, Alan Turing*. (EMNLP 2019) [[paper]](https://www.aclweb.org/anthology/N19-1423/)
"""


def _library():
    return read_markdown(LIST)


def test_a_preprint_label_is_upgraded_and_the_authors_filled() -> None:
    record = _library().records[0]
    done, published = complete(record, BERT)
    assert [p.family for p in done.authors] == ["Devlin", "Chang", "Lee", "Toutanova"]
    assert done.venue is not None and done.venue.text == "NAACL 2019"
    assert published is not None and ("pages", "4171--4186") in published.fields
    assert ("month", "June") in published.fields  # written as the macro jun
    assert ("doi", "10.18653/v1/n19-1423") in done.extra
    codes = [code for _, code, _ in findings(record, BERT)]
    assert codes == ["published-since"]


def test_a_list_that_names_another_venue_keeps_it_and_gets_no_foreign_pages() -> None:
    record = _library().records[1]
    done, published = complete(record, BERT)
    assert done.venue is not None and done.venue.text == "EMNLP 2019"
    assert [p.family for p in done.authors] == ["Lovelace", "Turing"]
    assert published is None
    assert not any(name == "doi" for name, _ in done.extra)
    found = {code: message for _, code, message in findings(record, BERT)}
    assert "the list says EMNLP 2019; acl:N19-1423 says NAACL 2019" in found["venue-disagrees"]
    assert "the list has 2, the source 4" in found["authors-disagree"]


def test_prefer_source_lets_the_sources_win() -> None:
    record = _library().records[1]
    prefer = Filled(BERT.work, {**BERT.facts, "prefer": Fact("source", "cli", DAY)})
    done, published = complete(record, prefer)
    assert done.venue is not None and done.venue.text == "NAACL 2019"
    assert done.authors[0].family == "Devlin"
    assert published is not None
    assert list(findings(record, prefer)) == []


def test_a_journal_the_venue_table_does_not_know_stays_a_journal() -> None:
    library = read_markdown(
        "## S\n- **Neural Things**. *Ada Lovelace*. (CoRR 2020) [[paper]](https://arxiv.org/abs/2001.00001)\n"
    )
    journal = filled(
        "arxiv:2001.00001",
        "crossref:10.1/x",
        status="published",
        type="article",
        venue="Journal of Neural Things",
        container="Journal of Neural Things",
        year="2021",
        volume="3",
        number="2",
        pages="1--20",
    )
    entry = build_bibliography(library, metadata=Metadata([journal])).files["all.bib"]
    assert "@article{lovelace2021neural," in entry
    assert "journal       = {Journal of Neural Things}" in entry
    assert "booktitle" not in entry
    assert "volume        = {3}" in entry and "number        = {2}" in entry


@pytest.mark.parametrize(
    ("source_venue", "listed", "booktitle"),
    [
        (
            "Proceedings of the IEEE/CVF Winter Conference on Applications of Computer Vision (WACV)",
            "WACV 2021",
            "IEEE/CVF Winter Conference on Applications of Computer Vision",
        ),
        (
            "Findings of EMNLP",
            "Findings of EMNLP 2021",
            "Findings of the Association for Computational Linguistics: EMNLP 2021",
        ),
        (
            "Findings of the Association for Computational Linguistics: ACL 2021",
            "Findings of ACL 2021",
            "Findings of the Association for Computational Linguistics: ACL 2021",
        ),
    ],
)
def test_a_published_venue_is_written_as_the_list_names_it_and_reads_back_so(
    source_venue: str, listed: str, booktitle: str
) -> None:
    library = read_markdown(
        text="## S\n- **Neural Things**. *Ada Lovelace*. (CoRR 2020) "
        "[[paper]](https://arxiv.org/abs/2001.00001)\n"
    )
    published = filled(
        "arxiv:2001.00001",
        "dblp:x",
        status="published",
        type="inproceedings",
        venue=source_venue,
        year="2021",
        pages="1--9",
    )
    done, _ = complete(library.records[0], published)
    assert done.venue is not None and done.venue.text == listed
    entry = build_bibliography(library, metadata=Metadata([published])).files["all.bib"]
    assert f"booktitle     = {{{booktitle}}}" in entry
    assert "listvenue" not in entry  # the entry reads back as the list's venue by itself
    again = load_bibtex(text=entry)
    assert again.records[0].venue is not None and again.records[0].venue.text == listed


@pytest.mark.parametrize(
    ("container", "booktitle"),
    [
        (  # a companion volume: the source's name says what the table's cannot
            "Proceedings of the 58th Annual Meeting of the Association for Computational "
            "Linguistics: System Demonstrations",
            "Proceedings of the 58th Annual Meeting of the Association for Computational "
            "Linguistics: System Demonstrations",
        ),
        (  # the main volume: the table's name, as for every paper of the conference
            "Proceedings of the 58th Annual Meeting of the Association for Computational "
            "Linguistics",
            "Annual Meeting of the Association for Computational Linguistics",
        ),
    ],
)
def test_a_demonstrations_or_tutorials_volume_keeps_its_name(container: str, booktitle: str):
    library = read_markdown(
        text="## S\n- **Neural Things**. *Ada Lovelace*. (CoRR 2020) "
        "[[paper]](https://arxiv.org/abs/2001.00001)\n"
    )
    published = filled(
        "arxiv:2001.00001",
        "acl:2020.acl-demos.1",
        status="published",
        type="inproceedings",
        venue="ACL",
        container=container,
        year="2020",
        pages="1--9",
    )
    entry = build_bibliography(library, metadata=Metadata([published])).files["all.bib"]
    assert f"booktitle     = {{{booktitle}}}" in entry
    assert "listvenue" not in entry
    assert load_bibtex(text=entry).records[0].venue == Venue("ACL 2020")


def test_export_writes_the_completed_entry_and_keeps_the_old_key_as_an_alias() -> None:
    library = _library()
    registry = read_registry(
        "bert2018pretraining\trenamed:devlin2019bert\tbert\n"
        "devlin2019bert\tarxiv:1810.04805\tbert pre training of deep bidirectional transformers for language understanding\n"
    )
    text = build_bibliography(library, registry, metadata=Metadata([BERT])).files["all.bib"]
    entry = text[text.index("@inproceedings{devlin2019bert,") :]
    entry = entry[: entry.index("\n}\n")]
    assert (
        "author        = {Devlin, Jacob and Chang, Ming-Wei and Lee, Kenton and Toutanova, Kristina}"
        in entry
    )
    assert "booktitle     = {Conference of the North American Chapter" in entry
    assert "ids           = {bert2018pretraining}" in entry
    assert "pages         = {4171--4186}" in entry
    assert "doi           = {10.18653/v1/n19-1423}" in entry
    assert "eprint        = {1810.04805}" in entry
    assert "key " not in entry  # an entry with authors needs no sort key
