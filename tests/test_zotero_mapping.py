"""Record <-> Zotero item fields (atbib.zotero.mapping): the table checked against the real
schema (v41, tests/zoteroapi/schema.json), every work of the real list validated, and the
reverse direction exact."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from atbib.export import collect_works
from atbib.markdown.entry import render_entry
from atbib.markdown.read import read_markdown
from atbib.model import Kind, Link, Person, Record, Venue
from atbib.venues import VenueType
from atbib.zotero import mapping as m
from tests.zoteroapi.schema import Schema, default_schema_path

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_JSON = json.loads(default_schema_path().read_text(encoding="utf-8"))
SCHEMA = Schema.load()


@pytest.fixture(scope="module")
def works() -> list:
    library = read_markdown(ROOT / "README.md")
    found, _ = collect_works(library)
    return list(found)


def _schema_types() -> dict[str, dict]:
    return {t["itemType"]: t for t in SCHEMA_JSON["itemTypes"]}


def validate_item(data: dict) -> list[str]:
    """Every problem the server's validation would report for this item JSON, checked
    with the schema itself (not with the server)."""
    problems = []
    item_type = data.get("itemType")
    if item_type not in SCHEMA.item_types:
        return [f"invalid itemType {item_type!r}"]
    if not re.fullmatch(r"[23456789ABCDEFGHIJKLMNPQRSTUVWXYZ]{8}", data.get("key", "")):
        problems.append(f"bad key {data.get('key')!r}")
    special = {"key", "version", "itemType", "creators", "tags", "collections", "relations"}
    for name, value in data.items():
        if name in special:
            continue
        if not SCHEMA.is_valid_field(item_type, name):
            problems.append(f"{name!r} is not a valid field for {item_type}")
        if not isinstance(value, str):
            problems.append(f"{name!r} is not a string")
    for creator in data.get("creators", []):
        if not SCHEMA.is_valid_creator_type(item_type, creator["creatorType"]):
            problems.append(f"creator type {creator['creatorType']!r} invalid for {item_type}")
        if "name" in creator and ("firstName" in creator or "lastName" in creator):
            problems.append("name and firstName/lastName together")
        if "firstName" in creator and not creator.get("lastName"):
            problems.append("firstName without lastName")
    return problems


# -- the table against the schema --------------------------------------------------------------


def test_type_fields_are_the_schema_fields_with_their_base_fields() -> None:
    types = _schema_types()
    for name, fields in m.TYPE_FIELDS.items():
        expected = {f["field"]: f.get("baseField") for f in types[name]["fields"]}
        assert fields == expected, name


def test_creator_types_are_the_schema_creator_types() -> None:
    types = _schema_types()
    for name, creators in m.CREATOR_TYPES.items():
        assert creators == {c["creatorType"] for c in types[name]["creatorTypes"]}, name
    for row in m.ITEM_TYPES:
        assert row.creator in m.CREATOR_TYPES[row.name]
        primary = next(c for c in _schema_types()[row.name]["creatorTypes"] if c.get("primary"))
        assert row.creator == primary["creatorType"], row.name


def test_every_field_the_table_writes_exists_in_its_type() -> None:
    for row in m.ITEM_TYPES:
        for name in m.owned_fields(row.name):
            if name in m.PSEUDO_FIELDS or name in ("itemType", "creators"):
                continue
            assert SCHEMA.is_valid_field(row.name, name), (row.name, name)


def test_reserved_labels_cover_every_name_zotero_reads_from_extra() -> None:
    def norm(key: str) -> str:
        key = re.sub(r"([a-z])([A-Z])", r"\1-\2", key.strip()).lower()
        return re.sub(r"[\s\-_]", "-", key)

    expected = {"type"}
    for name in m.TYPE_FIELDS:
        spec = _schema_types()[name]
        for f in spec["fields"]:
            expected.add(norm(f["field"]))
            if f.get("baseField"):
                expected.add(norm(f["baseField"]))
        expected.update(norm(c["creatorType"]) for c in spec["creatorTypes"])
    for kind in ("text", "date"):
        expected.update(norm(v) for v in SCHEMA_JSON["csl"]["fields"][kind])
    assert expected == set(m.RESERVED_LABELS)


def test_one_table_both_ways() -> None:
    for row in m.ITEM_TYPES:
        assert m.kind_for_type(row.name) is row.kind or row.name == "webpage"
    assert m.kind_for_type("thesis") is Kind.PAPER
    assert m.kind_for_type("videoRecording") is Kind.OTHER


# -- the real list --------------------------------------------------------------------------------


def test_every_work_of_the_list_validates_against_the_schema(works: list) -> None:
    seen_types = set()
    for work in works:
        fields = m.work_fields(work.record, work.key, ["ABCD2345"])
        data = m.item_json(fields, fields, key="ABCD2345", version=0)
        assert validate_item(data) == [], (work.key, data)
        seen_types.add(data["itemType"])
    assert seen_types == {row.name for row in m.ITEM_TYPES}


def test_the_list_maps_to_the_expected_types(works: list) -> None:
    by_key = {w.key: m.work_fields(w.record, w.key) for w in works}
    vaswani = by_key["vaswani2017attention"]
    assert vaswani["itemType"] == "conferencePaper"
    assert vaswani["conferenceName"] == "NIPS 2017"
    assert vaswani["proceedingsTitle"] == "Advances in Neural Information Processing Systems"
    assert vaswani["date"] == "2017"
    assert vaswani["citationKey"] == "vaswani2017attention"
    assert vaswani["creators"][0] == {
        "creatorType": "author",
        "firstName": "Ashish",
        "lastName": "Vaswani",
    }
    corr = next(f for f in by_key.values() if f.get("itemType") == "preprint")
    assert corr["repository"] == "arXiv"
    assert corr["archiveID"].startswith("arXiv:")
    blog = next(f for f in by_key.values() if f["itemType"] == "blogPost" and "creators" in f)
    assert set(blog["creators"][0]) == {"creatorType", "name"}
    repo = next(f for f in by_key.values() if f["itemType"] == "computerProgram")
    assert repo["creators"][0]["creatorType"] == "programmer"
    tacl = next(f for f in by_key.values() if f.get("journalAbbreviation") == "TACL")
    assert (
        tacl["publicationTitle"] == "Transactions of the Association for Computational Linguistics"
    )


def test_unchanged_fields_never_change_an_entry(works: list) -> None:
    for work in works:
        fields = m.work_fields(work.record, work.key, ["ABCD2345"])
        assert m.record_patch(work.record, fields, ()) == {}
        # every field "changed" to the value it already has: still nothing to rewrite
        assert m.record_patch(work.record, fields, fields.keys()) == {}, work.key


def test_new_entries_from_items_reproduce_the_list(works: list) -> None:
    """An item made from a work comes back as the same line, except where the item cannot
    say what the list wrote: a paper with no venue (it comes back with ``(CoRR year)`` when
    it has an arXiv id, as a plain link otherwise) and a journal venue with a qualifier."""
    different = []
    for work in works:
        fields = m.work_fields(work.record, work.key)
        again = m.record_from_fields(fields)
        assert again.key == work.key
        if render_entry(again) != render_entry(work.record):
            different.append(work.record)
    assert len(different) <= 6
    for record in different:
        assert record.venue is None or "Invited Review" in record.venue.text


def test_every_author_of_the_list_survives_the_round_trip(works: list) -> None:
    for work in works:
        for person in work.record.authors:
            assert m.creator_person(m.person_creator(person, "author")) == person


# -- names, links, extra ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("person", "creator"),
    [
        (Person("Devlin", "Jacob"), {"firstName": "Jacob", "lastName": "Devlin"}),
        (Person("Mausam"), {"name": "Mausam"}),
        (Person("Wynter", "Adrian", "de"), {"firstName": "Adrian", "lastName": "de Wynter"}),
        (
            Person("King", "Martin Luther", "", "Jr"),
            {"firstName": "Martin Luther", "lastName": "King, Jr"},
        ),
    ],
)
def test_person_creators(person: Person, creator: dict) -> None:
    assert m.person_creator(person, "author") == {"creatorType": "author", **creator}
    assert m.creator_person({"creatorType": "author", **creator}) == person


NAME_WORD = st.text(
    alphabet=st.characters(whitelist_categories=("Lu", "Ll")), min_size=1, max_size=8
).map(lambda s: s[0].upper() + s[1:].lower())


@given(
    family=NAME_WORD,
    given_names=st.lists(NAME_WORD, max_size=2),
    von=st.sampled_from(["", "van", "de", "von der"]),
)
def test_person_round_trip(family: str, given_names: list[str], von: str) -> None:
    person = Person(family, " ".join(given_names), von if given_names else "")
    assert m.creator_person(m.person_creator(person, "author")) == person


LABELS = st.text(
    alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1, max_size=20
).filter(lambda s: "]: " not in s and not s.endswith("]"))
URLS = st.one_of(
    st.from_regex(r"https?://[a-z0-9.]{1,20}/[A-Za-z0-9_/%?=&.#-]{0,30}", fullmatch=True),
    st.text(
        alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Zs", "Zl", "Zp")),
        max_size=20,
    ).filter(lambda s: "<" not in s and ">" not in s),
)


@given(
    links=st.lists(st.builds(Link, LABELS, URLS), max_size=6),
    other=st.sampled_from(["", "original-date: 2019", "arXiv:2001.00001 [cs.CL]\nnote line"]),
)
def test_links_in_extra_round_trip(links: list[Link], other: str) -> None:
    extra = m.compose_extra(other, {m.LINKS: [[link.label, link.url] for link in links]})
    back = m.parse_extra(extra)
    assert list(back.links) == links
    assert "\n".join(back.other) == other


def test_link_lines_zotero_would_read_as_fields_are_bracketed() -> None:
    assert m.link_line(Link("code", "https://github.com/x/y")) == "code: https://github.com/x/y"
    assert m.link_line(Link("URL", "https://a.b/")) == "[URL]: https://a.b/"
    assert m.link_line(Link("Short Title", "https://a.b/")) == "[Short Title]: https://a.b/"
    assert m.link_line(Link("code", "")) == "code: <>"
    assert m.link_line(Link("code", "exbert.net")) == "code: <exbert.net>"
    extra = "Citation Key: foo2020\ncode: https://x.org/\n[URL]: https://y.org/\nnote"
    assert m.parse_extra(extra) == m.ExtraLines(
        links=(Link("code", "https://x.org/"), Link("URL", "https://y.org/")),
        keys=("foo2020",),
        other=("note",),
    )


@given(
    kind=st.sampled_from(list(Kind)),
    links=st.lists(
        st.builds(
            Link,
            st.sampled_from(["paper", "code", "slides", "book", "blog", "pdf"]),
            st.sampled_from(["", "https://a.org/1", "https://b.org/2", "rel/path"]),
        ),
        max_size=4,
    ),
    url=st.sampled_from(["", "https://c.org/3"]),
)
def test_split_and_join_links_are_inverse(kind: Kind, links: list[Link], url: str) -> None:
    record = Record(kind, "T", url=url if not kind.titled else "", links=tuple(links))
    own, rest = m.split_links(record)
    assert m.join_links(kind, own, rest) == (record.url, record.links)


def test_a_key_is_read_from_the_native_field_or_the_extra_line() -> None:
    fields, keep = m.item_fields(
        {"itemType": "preprint", "title": "T", "extra": "Citation Key: smith2020t"}, set()
    )
    assert m.cited_key(fields) == "smith2020t" and "citationKey" not in fields
    assert keep.extra == ""  # atbib's line, written from the key
    fields, _ = m.item_fields(
        {"itemType": "preprint", "title": "T", "citationKey": "a2020", "extra": "Citation Key: b"},
        set(),
    )
    assert m.cited_key(fields) == "a2020"


def test_extra_lines_atbib_owns_are_written_once_the_groups_untouched() -> None:
    """Zotero 7 and Better BibTeX 7 pin keys in extra; Zotero 8 has the native field: the
    line follows the field, one line only, and the group's own lines stay as they are, in
    their order (a translator's arXiv line included)."""
    extra = (
        "Citation Key: old2019\nread for the reading group\ncitation key: old2019\n"
        "arXiv:1810.04805 [cs.CL]\ncode: https://github.com/google-research/bert\n"
        "original-date: 2018-10-11"
    )
    data = {"itemType": "conferencePaper", "title": "BERT", "citationKey": "old2019"}
    fields, keep = m.item_fields({**data, "extra": extra}, set())
    assert fields[m.KEY_LINES] == ["old2019", "old2019"]
    assert keep.extra == (
        "read for the reading group\narXiv:1810.04805 [cs.CL]\noriginal-date: 2018-10-11"
    )
    record = Record(
        Kind.PAPER,
        "BERT",
        venue=Venue("NAACL 2019"),
        links=(
            Link("paper", "https://arxiv.org/abs/1810.04805"),
            Link("code", "https://github.com/google-research/bert"),
        ),
    )
    mine = m.work_fields(record, "devlin2019bert")
    assert (mine["citationKey"], mine[m.KEY_LINES], mine[m.ARXIV]) == (
        "devlin2019bert",
        ["devlin2019bert"],
        "1810.04805",
    )
    payload = m.item_json(mine, ["citationKey", m.KEY_LINES], key="ABCD2345", version=3, keep=keep)
    assert payload["citationKey"] == "devlin2019bert"
    assert payload["extra"].split("\n") == [
        "read for the reading group",
        "arXiv:1810.04805 [cs.CL]",
        "original-date: 2018-10-11",
        "Citation Key: devlin2019bert",
        "arXiv: 1810.04805",
        "code: https://github.com/google-research/bert",
    ]
    back, _ = m.item_fields({**data, **payload}, set())
    assert back[m.KEY_LINES] == ["devlin2019bert"] and back[m.ARXIV] == "1810.04805"


def test_identifiers_go_where_zotero_users_look() -> None:
    published = replace(
        paper("ACL 2020"), links=(Link("paper", "https://doi.org/10.18653/V1/2020.x"),)
    )
    arxiv_only = paper(None)
    assert m.work_fields(published)["DOI"] == "10.18653/v1/2020.x"
    fields = m.work_fields(arxiv_only)
    assert fields["itemType"] == "preprint" and fields["archiveID"] == "arXiv:2001.00001"
    assert m.ARXIV not in fields  # a preprint holds it in archiveID
    assert m.work_fields(paper("ICLR 2020"))[m.ARXIV] == "2001.00001"
    repo = Record(Kind.REPOSITORY, "R", url="https://github.com/a/b", links=arxiv_only.links)
    assert m.ARXIV not in m.work_fields(repo)  # the paper it links is not the repository


def test_every_regular_item_type_has_a_doi_field() -> None:
    """So the DOI always goes to the DOI field (no item type needs it in extra)."""
    for name, spec in _schema_types().items():
        fields = {f["field"] for f in spec["fields"]}
        assert "DOI" in fields or name in m.NOT_WORKS, name


def test_item_fields_split_the_tree_from_other_collections() -> None:
    fields, keep = m.item_fields(
        {"itemType": "book", "title": "T", "collections": ["AAAA2222", "BBBB3333"], "deleted": 1},
        {"AAAA2222"},
    )
    assert fields[m.COLLECTIONS] == ["AAAA2222"]
    assert keep.collections == ("BBBB3333",)
    assert keep.trashed
    data = m.item_json(fields, [m.COLLECTIONS], key="CCCC4444", version=3, keep=keep)
    assert data == {"key": "CCCC4444", "version": 3, "collections": ["BBBB3333", "AAAA2222"]}


# -- the reverse direction ----------------------------------------------------------------------------


def paper(venue: str | None, **kw: object) -> Record:
    return Record(
        Kind.PAPER,
        "A Title",
        authors=(Person("Smith", "Ann"),),
        venue=Venue(venue) if venue else None,
        links=(Link("paper", "https://arxiv.org/abs/2001.00001"),),
        **kw,  # type: ignore[arg-type]
    )


def test_a_new_date_moves_the_year_of_the_venue_as_written() -> None:
    record = paper("ICLR2020")
    fields = {**m.work_fields(record), "date": "2021-04-26"}
    assert m.record_patch(record, fields, {"date"}) == {"venue": Venue("ICLR2021")}
    fields = {**m.work_fields(record), "date": "2020-04-26"}
    assert m.record_patch(record, fields, {"date"}) == {}


def test_a_new_proceedings_title_names_the_venue_from_the_table() -> None:
    record = paper("ACL 2020")
    fields = {
        **m.work_fields(record),
        "proceedingsTitle": "Conference on Empirical Methods in Natural Language Processing",
    }
    patch = m.record_patch(record, fields, {"proceedingsTitle"})
    assert patch == {"venue": Venue("EMNLP 2020")}


def test_a_new_conference_name_is_taken_as_written() -> None:
    record = paper("ACL 2020")
    fields = {**m.work_fields(record), "conferenceName": "ACL 2020 Best Paper"}
    assert m.record_patch(record, fields, {"conferenceName"}) == {
        "venue": Venue("ACL 2020 Best Paper")
    }


def test_a_preprint_keeps_the_lists_name_for_arxiv() -> None:
    record = paper("CoRR 2020")
    fields = {**m.work_fields(record), "date": "2021"}
    assert m.record_patch(record, fields, {"date"}) == {"venue": Venue("CoRR 2021")}
    record = paper("arXiv 2020")
    assert m.record_patch(record, fields, {"date"}) == {"venue": Venue("arXiv 2021")}


def test_a_paper_accepted_somewhere_changes_type_and_venue() -> None:
    record = paper("CoRR 2020")
    fields = m.work_fields(record)
    accepted = {
        **{k: v for k, v in fields.items() if k not in ("repository", "archiveID")},
        "itemType": "conferencePaper",
        "conferenceName": "ICML 2020",
    }
    patch = m.record_patch(record, accepted, {"itemType", "conferenceName"})
    assert patch == {"venue": Venue("ICML 2020")}


def test_blog_creators_come_back_as_the_source() -> None:
    record = Record(Kind.BLOG_POST, "Post", url="https://x.org/p", source="科学空间")
    fields = m.work_fields(record)
    assert fields["creators"] == [{"creatorType": "author", "name": "科学空间"}]
    fields["creators"] = [{"creatorType": "author", "name": "Jay Alammar"}]
    assert m.record_patch(record, fields, {"creators"}) == {"source": "Jay Alammar"}


def test_a_type_change_clears_what_the_old_type_would_leave_behind() -> None:
    old = m.work_fields(paper("CoRR 2020"))
    new = m.work_fields(paper("ICML 2020"))
    names = [n for n in new if new.get(n) != old.get(n)]
    data = m.item_json(new, names, key="ABCD2345", version=7, old_fields=old)
    assert data["itemType"] == "conferencePaper"
    assert data["publisher"] == ""  # preprint.repository -> conferencePaper.publisher
    assert "archiveID" not in data and "repository" not in data
    assert validate_item({**data, "key": "ABCD2345"}) == []


def test_record_from_fields_for_an_item_added_in_zotero() -> None:
    record = m.record_from_fields(
        {
            "itemType": "preprint",
            "title": "New Work",
            "creators": [{"creatorType": "author", "firstName": "Ann", "lastName": "Smith"}],
            "date": "2020-05-03",
            "url": "http://arxiv.org/abs/2005.01234",
            "repository": "arXiv",
            m.LINKS: [["code", "https://github.com/a/b"]],
            "shortTitle": "NW",
        }
    )
    assert render_entry(record) == (
        "**New Work**. *Ann Smith*. (CoRR 2020) [[paper]](http://arxiv.org/abs/2005.01234)"
        "[[code]](https://github.com/a/b) - ***NW***"
    )
    web = m.record_from_fields({"itemType": "webpage", "title": "A Page", "url": "https://p.org"})
    assert render_entry(web) == "[A Page](https://p.org)"
    assert replace(web, sections=()).kind is Kind.OTHER


def test_an_unknown_venue_is_a_journal_only_where_something_says_so() -> None:
    obscure = paper("Journal of Obscure Studies 2021")
    assert m.item_type_for(obscure).name == "conferencePaper"
    fields = m.work_fields(obscure, "lee2021deep", venue_type=VenueType.JOURNAL)
    assert fields["itemType"] == "journalArticle"
    assert fields["publicationTitle"] == "Journal of Obscure Studies"
    assert "journalAbbreviation" not in fields  # an unknown venue has none
    # the list's own venue type wins over the hint
    assert m.item_type_for(paper("ICML 2021"), VenueType.JOURNAL).name == "conferencePaper"
    assert m.work_fields(paper("TACL 2020"))["journalAbbreviation"] == "TACL"
