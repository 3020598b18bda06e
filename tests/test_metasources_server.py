"""Tests of the fake metadata services (tests/metasources) against the real wire formats.

Expected shapes come from the services' recorded responses and clients (documented in
tests/metasources/README.md), never from the fakes' own output: each answer is read with a
real parser (xml.etree for Atom, json, bibtexparser and pybtex for BibTeX) and checked for
what a client relies on.
"""

from __future__ import annotations

import datetime
import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import bibtexparser
import httpx2
import pybtex.database
import pytest

from tests.metasources import Kind, MetadataServers, Paper, Store, load_store

ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV = "{http://arxiv.org/schemas/atom}"
OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"

BERT = Paper(
    title="BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding",
    authors=(
        ("Jacob", "Devlin"),
        ("Ming-Wei", "Chang"),
        ("Kenton", "Lee"),
        ("Kristina", "Toutanova"),
    ),
    editors=(("Jill", "Burstein"), ("Christy", "Doran"), ("Thamar", "Solorio")),
    year=2019,
    month=6,
    kind=Kind.CONFERENCE,
    venue="NAACL",
    container="Proceedings of the 2019 Conference of the North American Chapter of the "
    "Association for Computational Linguistics: Human Language Technologies, Volume 1 "
    "(Long and Short Papers)",
    pages="4171--4186",
    publisher="Association for Computational Linguistics",
    address="Minneapolis, Minnesota",
    doi="10.18653/v1/N19-1423",
    arxiv="1810.04805",
    arxiv_version=2,
    acl="N19-1423",
    dblp_key="conf/naacl/DevlinCLT19",
    dblp_venues=("NAACL-HLT", "NAACL-HLT (1)"),
)
SPANBERT = Paper(
    title="SpanBERT: Improving Pre-training by Representing and Predicting Spans",
    authors=(("Mandar", "Joshi"), ("Danqi", "Chen"), ("Yinhan", "Liu")),
    year=2020,
    kind=Kind.JOURNAL,
    venue="TACL",
    container="Transactions of the Association for Computational Linguistics",
    volume="8",
    pages="64--77",
    publisher="MIT Press",
    doi="10.1162/tacl_a_00300",
    arxiv="1907.10529",
    arxiv_journal_ref="Transactions of the Association for Computational Linguistics 8 (2020) 64-77",
    arxiv_doi="10.1162/tacl_a_00300",
    acl="2020.tacl-1.5",
)
KIM = Paper(
    title="Convolutional Neural Networks for Sentence Classification",
    authors=(("Yoon", "Kim"),),
    year=2014,
    month=10,
    venue="EMNLP",
    container="Proceedings of the 2014 Conference on Empirical Methods in Natural Language Processing ({EMNLP})",
    pages="1746--1751",
    doi="10.3115/v1/D14-1181",
    arxiv="1408.5882",
    acl="D14-1181",
)
ELECTRA = Paper(
    title="ELECTRA: Pre-training Text Encoders as Discriminators Rather Than Generators",
    authors=(
        ("Kevin", "Clark"),
        ("Minh-Thang", "Luong"),
        ("Quoc V.", "Le"),
        ("Christopher D.", "Manning"),
    ),
    year=2020,
    venue="ICLR",
    container="International Conference on Learning Representations",
    arxiv="2003.10555",
    openreview="r1xMH1BtvB",
)
MUNOS_PREPRINT = Paper(
    title="Safe and Efficient Off-Policy Reinforcement Learning",
    authors=(("Rémi", "Munos"), ("Tom", "Stepleton")),
    year=2016,
    kind=Kind.PREPRINT,
    arxiv="1606.02647",
    arxiv_category="cs.LG",
)
POSTED = Paper(
    title="A Preprint Later Published",
    authors=(("Ana", "Souza"),),
    year=2021,
    kind=Kind.PREPRINT,
    doi="10.5555/preprint.2021.1",
)
PUBLISHED = Paper(
    title="A Preprint Later Published",
    authors=(("Ana", "Souza"),),
    year=2022,
    kind=Kind.JOURNAL,
    venue="JTEST",
    container="Journal of Tests",
    doi="10.5555/JTEST.2022.7",
    preprint_doi="10.5555/preprint.2021.1",
)
PAPERS = (BERT, SPANBERT, KIM, ELECTRA, MUNOS_PREPRINT, POSTED, PUBLISHED)


@pytest.fixture
def metadata_store() -> Store:
    return Store(PAPERS)


@pytest.fixture
def http(metadata_servers: MetadataServers) -> Iterator[httpx2.Client]:
    with httpx2.Client(timeout=5, trust_env=False) as client:
        yield client


def url(servers: MetadataServers, service: str, path: str = "") -> str:
    return servers.endpoints[service] + path


# -- the server and the fixture -----------------------------------------------------------


def test_each_service_has_a_base_url_under_its_own_prefix(
    metadata_servers: MetadataServers,
) -> None:
    endpoints = metadata_servers.endpoints
    assert set(endpoints) == {"arxiv", "semanticscholar", "crossref", "dblp", "acl", "openreview"}
    assert endpoints["arxiv"].endswith("/arxiv/api/query")
    assert endpoints["semanticscholar"].endswith("/graph/v1")
    assert len({e.rsplit(":", 1)[0] for e in endpoints.values()}) == 1  # one host
    assert all(e.startswith("http://127.0.0.1:") for e in endpoints.values())


def test_a_paper_added_while_running_is_known_at_once(
    metadata_servers: MetadataServers, http: httpx2.Client
) -> None:
    assert http.get(url(metadata_servers, "acl", "/2020.acl-main.703.bib")).status_code == 404
    metadata_servers.store.add(
        Paper(title="BART", authors=(("Mike", "Lewis"),), year=2020, acl="2020.acl-main.703")
    )
    assert http.get(url(metadata_servers, "acl", "/2020.acl-main.703.bib")).status_code == 200


def test_store_refuses_one_identifier_for_two_works() -> None:
    with pytest.raises(ValueError, match=r"1810\.04805"):
        Store([BERT, Paper(title="Another", arxiv="1810.04805")])


# -- arXiv ------------------------------------------------------------------------------------


def arxiv_feed(
    servers: MetadataServers, http: httpx2.Client, ids: str, **params: str
) -> tuple[int, ET.Element]:
    query = {"id_list": ids, "max_results": "100", "start": "0", **params}
    response = http.get(url(servers, "arxiv"), params=query)
    assert response.headers["content-type"].startswith("application/atom+xml")
    return response.status_code, ET.fromstring(response.content)


def test_arxiv_feed_has_found_ids_only_with_namespaced_publication_facts(
    metadata_servers: MetadataServers, http: httpx2.Client
) -> None:
    status, feed = arxiv_feed(metadata_servers, http, "1907.10529,1810.04805,1999.99999")
    assert status == 200
    assert feed.tag == f"{ATOM}feed"
    assert feed.findtext(f"{OPENSEARCH}totalResults") == "2"
    entries = feed.findall(f"{ATOM}entry")
    ids = [e.findtext(f"{ATOM}id") for e in entries]
    assert ids == ["http://arxiv.org/abs/1907.10529v1", "http://arxiv.org/abs/1810.04805v2"]
    spanbert, bert = entries
    assert spanbert.findtext(f"{ARXIV}journal_ref") == SPANBERT.arxiv_journal_ref
    assert spanbert.findtext(f"{ARXIV}doi") == "10.1162/tacl_a_00300"
    assert any(link.get("title") == "doi" for link in spanbert.findall(f"{ATOM}link"))
    assert bert.find(f"{ARXIV}journal_ref") is None  # the authors told arXiv nothing
    assert bert.find(f"{ARXIV}doi") is None
    assert [a.findtext(f"{ATOM}name") for a in bert.findall(f"{ATOM}author")] == [
        "Jacob Devlin",
        "Ming-Wei Chang",
        "Kenton Lee",
        "Kristina Toutanova",
    ]
    assert bert.find(f"{ARXIV}primary_category").get("term") == "cs.CL"
    published = datetime.datetime.fromisoformat(
        bert.findtext(f"{ATOM}published").replace("Z", "+00:00")
    )
    updated = datetime.datetime.fromisoformat(
        bert.findtext(f"{ATOM}updated").replace("Z", "+00:00")
    )
    assert (published.year, published.month) == (2018, 10)
    assert updated > published  # v2 came later


def test_arxiv_versioned_ids_answer_that_version_or_nothing(
    metadata_servers: MetadataServers, http: httpx2.Client
) -> None:
    _, feed = arxiv_feed(metadata_servers, http, "1810.04805v1,1810.04805v3")
    assert [e.findtext(f"{ATOM}id") for e in feed.findall(f"{ATOM}entry")] == [
        "http://arxiv.org/abs/1810.04805v1"
    ]


def test_arxiv_pages_by_start_and_max_results(
    metadata_servers: MetadataServers, http: httpx2.Client
) -> None:
    _, feed = arxiv_feed(
        metadata_servers, http, "1810.04805,1907.10529,1408.5882", max_results="2", start="2"
    )
    assert feed.findtext(f"{OPENSEARCH}totalResults") == "3"
    assert feed.findtext(f"{OPENSEARCH}itemsPerPage") == "2"
    assert [e.findtext(f"{ATOM}id") for e in feed.findall(f"{ATOM}entry")] == [
        "http://arxiv.org/abs/1408.5882v1"
    ]


def test_arxiv_malformed_id_is_a_400_feed_with_an_error_entry(
    metadata_servers: MetadataServers, http: httpx2.Client
) -> None:
    status, feed = arxiv_feed(metadata_servers, http, "1810.04805,abc")
    assert status == 400
    (entry,) = feed.findall(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}title") == "Error"
    assert entry.findtext(f"{ATOM}id") == "https://arxiv.org/api/errors#incorrect_id_format_for_abc"
    assert entry.findtext(f"{ATOM}summary") == "incorrect id format for abc"


def test_arxiv_rate_limit_is_plain_text(
    metadata_servers: MetadataServers, http: httpx2.Client
) -> None:
    metadata_servers.faults.rate_limit("arxiv")
    response = http.get(url(metadata_servers, "arxiv"), params={"id_list": "1810.04805"})
    assert (response.status_code, response.text) == (429, "Rate exceeded.")
    assert "retry-after" not in response.headers


# -- Semantic Scholar ------------------------------------------------------------------------


def s2_batch(
    servers: MetadataServers, http: httpx2.Client, ids: object, fields: str
) -> httpx2.Response:
    return http.post(
        url(servers, "semanticscholar", "/paper/batch"),
        params={"fields": fields},
        json={"ids": ids},
    )


def test_s2_batch_answers_in_order_with_null_for_unknown_ids(
    metadata_servers: MetadataServers, http: httpx2.Client
) -> None:
    ids = [
        "ARXIV:1810.04805",
        "ARXIV:0000.00000",
        "DOI:10.1162/TACL_A_00300",
        "ACL:D14-1181",
        "10.3115/v1/D14-1181",
        f"CorpusId:{ELECTRA.corpus_id}",
        MUNOS_PREPRINT.s2_paper_id,
        "DOI:10.48550/arXiv.1606.02647",
        "MAG:12345",
    ]
    response = s2_batch(
        metadata_servers, http, ids, "title,externalIds,year,venue,publicationTypes,journal,authors"
    )
    assert response.status_code == 200
    answer = response.json()
    assert len(answer) == len(ids)
    assert answer[1] is None and answer[8] is None
    titles = [None if p is None else p["title"] for p in answer]
    assert titles == [
        BERT.title,
        None,
        SPANBERT.title,
        KIM.title,
        KIM.title,
        ELECTRA.title,
        MUNOS_PREPRINT.title,
        MUNOS_PREPRINT.title,
        None,
    ]
    bert = answer[0]
    assert set(bert) == {
        "paperId",
        "title",
        "externalIds",
        "year",
        "venue",
        "publicationTypes",
        "journal",
        "authors",
    }
    assert bert["externalIds"]["ArXiv"] == "1810.04805"
    assert bert["externalIds"]["DOI"] == "10.18653/v1/N19-1423"
    assert bert["externalIds"]["ACL"] == "N19-1423"
    assert bert["externalIds"]["DBLP"] == "conf/naacl/DevlinCLT19"
    assert isinstance(bert["externalIds"]["CorpusId"], int)
    assert [a["name"] for a in bert["authors"]][:2] == ["Jacob Devlin", "Ming-Wei Chang"]
    assert bert["journal"] == {"pages": "4171-4186"}
    assert bert["publicationTypes"] == ["Conference"]
    preprint = answer[6]
    assert preprint["externalIds"]["DOI"] == "10.48550/arXiv.1606.02647"
    assert preprint["journal"] == {"volume": "abs/1606.02647", "name": "ArXiv"}
    assert preprint["publicationTypes"] is None


def test_s2_batch_always_sends_paper_id_and_only_asked_fields(
    metadata_servers: MetadataServers, http: httpx2.Client
) -> None:
    (paper,) = s2_batch(metadata_servers, http, ["ARXIV:1408.5882"], "authors").json()
    assert set(paper) == {"paperId", "authors"}
    assert len(paper["paperId"]) == 40
    (paper,) = s2_batch(metadata_servers, http, ["ARXIV:1408.5882"], "publicationVenue").json()
    assert paper["publicationVenue"]["type"] == "conference"
    assert "EMNLP" in paper["publicationVenue"]["alternate_names"]


def test_s2_unknown_field_is_a_400_with_its_error(
    metadata_servers: MetadataServers, http: httpx2.Client
) -> None:
    response = s2_batch(metadata_servers, http, ["ARXIV:1408.5882"], "title,unknown")
    assert response.status_code == 400
    assert response.json() == {"error": "Unrecognized or unsupported fields: [unknown]"}


def test_s2_refuses_a_batch_over_its_limit() -> None:
    with (
        MetadataServers(PAPERS, s2_batch_limit=3) as servers,
        httpx2.Client(trust_env=False) as http,
    ):
        assert s2_batch(servers, http, ["ARXIV:1408.5882"] * 3, "title").status_code == 200
        response = s2_batch(servers, http, ["ARXIV:1408.5882"] * 4, "title")
        assert response.status_code == 400
        assert "error" in response.json()


def test_s2_rate_limit_is_its_json_message_without_retry_after(
    metadata_servers: MetadataServers, http: httpx2.Client
) -> None:
    metadata_servers.faults.rate_limit("semanticscholar")
    response = s2_batch(metadata_servers, http, ["ARXIV:1408.5882"], "title")
    assert response.status_code == 429
    assert response.json()["code"] == "429"
    assert response.json()["message"].startswith("Too Many Requests.")
    assert "retry-after" not in response.headers


# -- Crossref -------------------------------------------------------------------------------


def test_crossref_work_in_its_message_envelope(
    metadata_servers: MetadataServers, http: httpx2.Client
) -> None:
    response = http.get(
        url(metadata_servers, "crossref", "/works/10.18653/v1/N19-1423"),
        params={"mailto": "a@example.org"},
    )
    assert response.status_code == 200
    assert "\\/" in response.text  # Crossref escapes slashes; a JSON parser must be used
    envelope = response.json()
    assert (envelope["status"], envelope["message-type"]) == ("ok", "work")
    work = envelope["message"]
    assert work["DOI"] == "10.18653/v1/n19-1423"
    assert work["type"] == "proceedings-article"
    assert work["title"] == [BERT.title]
    assert work["container-title"] == [BERT.container]
    assert work["author"][0] == {
        "given": "Jacob",
        "family": "Devlin",
        "sequence": "first",
        "affiliation": [],
    }
    assert work["author"][1]["sequence"] == "additional"
    assert work["issued"]["date-parts"] == [[2019, 6]]
    assert work["page"] == "4171-4186"
    assert work["publisher"] == "Association for Computational Linguistics"
    assert work["event"]["location"] == "Minneapolis, Minnesota"
    assert work["relation"] == {}
    assert response.headers["x-rate-limit-limit"] == "10"


def test_crossref_links_preprint_and_published_versions(
    metadata_servers: MetadataServers, http: httpx2.Client
) -> None:
    published = http.get(url(metadata_servers, "crossref", "/works/10.5555%2Fjtest.2022.7")).json()[
        "message"
    ]
    assert published["type"] == "journal-article"
    assert published["relation"]["has-preprint"] == [
        {"id-type": "doi", "id": "10.5555/preprint.2021.1", "asserted-by": "subject"}
    ]
    preprint = http.get(url(metadata_servers, "crossref", "/works/10.5555/preprint.2021.1")).json()[
        "message"
    ]
    assert (preprint["type"], preprint["subtype"]) == ("posted-content", "preprint")
    assert preprint["relation"]["is-preprint-of"][0]["id"] == "10.5555/jtest.2022.7"


@pytest.mark.parametrize("doi", ["10.5555/unknown", "10.48550/arXiv.1810.04805"])
def test_crossref_unknown_doi_is_a_plain_404(
    metadata_servers: MetadataServers, http: httpx2.Client, doi: str
) -> None:
    response = http.get(url(metadata_servers, "crossref", f"/works/{doi}"))
    assert (response.status_code, response.text) == (404, "Resource not found.")
    assert response.headers["content-type"].startswith("text/plain")


# -- DBLP -----------------------------------------------------------------------------------


def dblp_search(
    servers: MetadataServers, http: httpx2.Client, q: str, h: int = 30
) -> dict[str, object]:
    response = http.get(
        url(servers, "dblp", "/search/publ/api"), params={"q": q, "format": "json", "h": str(h)}
    )
    assert response.status_code == 200
    return response.json()["result"]


def test_dblp_search_has_both_records_with_strings_and_list_quirks(
    metadata_servers: MetadataServers, http: httpx2.Client
) -> None:
    result = dblp_search(metadata_servers, http, "bert pre-training devlin")
    hits = result["hits"]
    assert (hits["@total"], hits["@sent"], hits["@first"]) == ("2", "2", "0")
    infos = {h["info"]["key"]: h["info"] for h in hits["hit"]}
    assert set(infos) == {"conf/naacl/DevlinCLT19", "journals/corr/abs-1810-04805"}
    conf, corr = infos["conf/naacl/DevlinCLT19"], infos["journals/corr/abs-1810-04805"]
    assert conf["title"] == BERT.title + "."
    assert conf["venue"] == ["NAACL-HLT", "NAACL-HLT (1)"]
    assert conf["year"] == "2019"
    assert conf["pages"] == "4171-4186"
    assert conf["type"] == "Conference and Workshop Papers"
    assert isinstance(conf["ee"], list)
    assert [a["text"] for a in conf["authors"]["author"]] == [
        "Jacob Devlin",
        "Ming-Wei Chang",
        "Kenton Lee",
        "Kristina Toutanova",
    ]
    assert (corr["venue"], corr["volume"], corr["year"]) == ("CoRR", "abs/1810.04805", "2018")
    assert corr["type"] == "Informal and Other Publications"
    assert corr["ee"] == "https://arxiv.org/abs/1810.04805"


def test_dblp_single_author_is_an_object_and_venue_a_string(
    metadata_servers: MetadataServers, http: httpx2.Client
) -> None:
    hits = dblp_search(metadata_servers, http, "convolutional sentence kim", h=1)["hits"]
    assert (hits["@total"], hits["@sent"]) == ("2", "1")
    (hit,) = hits["hit"]
    author = hit["info"]["authors"]["author"]
    assert isinstance(author, dict)
    assert author["text"] == "Yoon Kim"
    assert isinstance(hit["info"]["venue"], str)


def test_dblp_no_hit_has_no_hit_key(metadata_servers: MetadataServers, http: httpx2.Client) -> None:
    hits = dblp_search(metadata_servers, http, "nothing matches this")["hits"]
    assert hits == {"@total": "0", "@computed": "0", "@sent": "0", "@first": "0"}


def test_dblp_record_bibtex_reads_with_bibtexparser_and_pybtex(
    metadata_servers: MetadataServers, http: httpx2.Client
) -> None:
    response = http.get(url(metadata_servers, "dblp", "/rec/conf/naacl/DevlinCLT19.bib"))
    assert response.status_code == 200
    (entry,) = bibtexparser.loads(response.text).entries
    assert entry["ID"] == "DBLP:conf/naacl/DevlinCLT19"
    assert entry["ENTRYTYPE"] == "inproceedings"
    assert entry["author"].split(" and\n") == [
        "Jacob Devlin",
        "Ming{-}Wei Chang",
        "Kenton Lee",
        "Kristina Toutanova",
    ]
    assert entry["title"].startswith("{BERT:} Pre-training")
    assert entry["doi"] == "10.18653/V1/N19-1423"
    assert entry["pages"] == "4171--4186"
    assert "Burstein" in entry["editor"]
    assert "  author       = {" in response.text
    corr = http.get(url(metadata_servers, "dblp", "/rec/journals/corr/abs-1606-02647.bib")).text
    assert "R{\\'{e}}mi Munos" in corr
    assert "  eprinttype    = {arXiv}," in corr
    parsed = pybtex.database.parse_string(corr, "bibtex")
    (entry_pybtex,) = parsed.entries.values()
    assert entry_pybtex.fields["eprint"] == "1606.02647"
    assert [str(p) for p in entry_pybtex.persons["author"]] == [
        "Munos, R{\\'{e}}mi",
        "Stepleton, Tom",
    ]


def test_dblp_unknown_record_is_a_404(
    metadata_servers: MetadataServers, http: httpx2.Client
) -> None:
    assert http.get(url(metadata_servers, "dblp", "/rec/conf/none/Nobody99.bib")).status_code == 404


def test_dblp_rate_limit_is_an_html_page_with_retry_after(
    metadata_servers: MetadataServers, http: httpx2.Client
) -> None:
    metadata_servers.faults.rate_limit("dblp", retry_after=3)
    response = http.get(
        url(metadata_servers, "dblp", "/search/publ/api"), params={"q": "bert", "format": "json"}
    )
    assert response.status_code == 429
    assert response.headers["content-type"].startswith("text/html")
    assert "<title>429 Too Many Requests</title>" in response.text
    assert response.headers["retry-after"] == "3"
    with pytest.raises(json.JSONDecodeError):
        response.json()


# -- ACL Anthology -----------------------------------------------------------------------------


def test_acl_bibtex_in_the_anthology_layout(
    metadata_servers: MetadataServers, http: httpx2.Client
) -> None:
    response = http.get(url(metadata_servers, "acl", "/N19-1423.bib"))
    assert response.status_code == 200
    text = response.text
    assert text.startswith("@inproceedings{devlin-etal-2019-bert,\n")
    assert '    title = "{BERT}: Pre-training' in text
    assert 'author = "Devlin, Jacob  and\n      Chang, Ming-Wei  and\n' in text
    assert "    month = jun,\n" in text
    assert '    url = "https://aclanthology.org/N19-1423/",\n' in text
    assert text.rstrip().endswith('"4171--4186"\n}')  # no comma after the last field
    fields = [line.split(" = ")[0].strip() for line in text.splitlines() if " = " in line]
    assert fields == [
        "title",
        "author",
        "editor",
        "booktitle",
        "month",
        "year",
        "address",
        "publisher",
        "url",
        "doi",
        "pages",
    ]
    (entry,) = bibtexparser.loads(text).entries
    assert entry["month"] == "June"  # bibtexparser expands the month macro
    assert entry["doi"] == "10.18653/v1/N19-1423"
    persons = pybtex.database.parse_string(text, "bibtex").entries["devlin-etal-2019-bert"].persons
    assert persons["author"][0].last_names == ["Devlin"]
    assert len(persons["editor"]) == 3


def test_acl_journal_paper_is_an_article(
    metadata_servers: MetadataServers, http: httpx2.Client
) -> None:
    (entry,) = bibtexparser.loads(
        http.get(url(metadata_servers, "acl", "/2020.tacl-1.5.bib")).text
    ).entries
    assert entry["ENTRYTYPE"] == "article"
    assert entry["journal"] == "Transactions of the Association for Computational Linguistics"
    assert (entry["volume"], entry["pages"]) == ("8", "64--77")
    assert entry["title"].startswith("{S}pan{BERT}:")


def test_acl_unknown_id_is_a_404(metadata_servers: MetadataServers, http: httpx2.Client) -> None:
    assert http.get(url(metadata_servers, "acl", "/P99-9999.bib")).status_code == 404


# -- OpenReview ------------------------------------------------------------------------------


def test_openreview_note_has_value_wrapped_content(
    metadata_servers: MetadataServers, http: httpx2.Client
) -> None:
    response = http.get(url(metadata_servers, "openreview", "/notes"), params={"id": "r1xMH1BtvB"})
    assert response.status_code == 200
    answer = response.json()
    assert answer["count"] == 1
    (note,) = answer["notes"]
    assert (note["id"], note["forum"]) == ("r1xMH1BtvB", "r1xMH1BtvB")
    content = note["content"]
    assert content["title"] == {"value": ELECTRA.title}
    assert content["authors"]["value"] == [
        "Kevin Clark",
        "Minh-Thang Luong",
        "Quoc V. Le",
        "Christopher D. Manning",
    ]
    assert content["venueid"] == {"value": "ICLR.cc/2020/Conference"}
    assert content["venue"]["value"].startswith("ICLR 2020")
    assert "r1xMH1BtvB" in content["_bibtex"]["value"]


def test_openreview_unknown_note_is_a_not_found_error(
    metadata_servers: MetadataServers, http: httpx2.Client
) -> None:
    response = http.get(url(metadata_servers, "openreview", "/notes"), params={"id": "nope"})
    assert response.status_code == 404
    assert response.json()["name"] == "NotFoundError"


def test_openreview_challenge_refuses_every_request_until_cleared(
    metadata_servers: MetadataServers, http: httpx2.Client
) -> None:
    metadata_servers.faults.challenge()
    for _ in range(3):
        response = http.get(
            url(metadata_servers, "openreview", "/notes"), params={"id": "r1xMH1BtvB"}
        )
        assert response.status_code == 403
        error = response.json()
        assert error["name"] == "ChallengeRequiredError"
        assert error["details"]["challengeUrl"].startswith("https://openreview.net/challenge")
    metadata_servers.faults.clear()
    assert (
        http.get(
            url(metadata_servers, "openreview", "/notes"), params={"id": "r1xMH1BtvB"}
        ).status_code
        == 200
    )
    with pytest.raises(ValueError, match="only OpenReview"):
        metadata_servers.faults.challenge("dblp")


# -- faults and the request log ----------------------------------------------------------------


def test_faults_hit_the_next_k_requests_of_one_service_then_stop(
    metadata_servers: MetadataServers, http: httpx2.Client
) -> None:
    fault = metadata_servers.faults.unavailable("crossref", count=2, retry_after=0.5)
    doi_url = url(metadata_servers, "crossref", "/works/10.3115/v1/D14-1181")
    assert (
        http.get(url(metadata_servers, "acl", "/D14-1181.bib")).status_code == 200
    )  # other service untouched
    first, second, third = (http.get(doi_url) for _ in range(3))
    assert (first.status_code, second.status_code, third.status_code) == (503, 503, 200)
    assert first.headers["retry-after"] == "0.5"
    assert "retry-after" not in third.headers
    assert (fault.fired, fault.remaining) == (2, 0)
    log = metadata_servers.log
    assert log.count("crossref") == 3
    assert log.count("crossref", status=503) == 2
    assert log.count("acl") == 1
    assert log.count(path=r"^/works/") == 3
    assert [e.fault for e in log.for_service("crossref")] == ["unavailable", "unavailable", None]
    entry = log.for_service("crossref")[0]
    assert (entry.method, entry.path, entry.retry_after) == (
        "GET",
        "/works/10.3115/v1/D14-1181",
        0.5,
    )


def test_log_keeps_query_and_body(metadata_servers: MetadataServers, http: httpx2.Client) -> None:
    s2_batch(metadata_servers, http, ["ARXIV:1408.5882"], "title,year")
    (entry,) = metadata_servers.log.for_service("semanticscholar")
    assert entry.query == {"fields": ["title,year"]}
    assert json.loads(entry.body) == {"ids": ["ARXIV:1408.5882"]}


def test_log_reports_a_retry_after_the_client_did_not_wait_for(
    metadata_servers: MetadataServers, http: httpx2.Client
) -> None:
    metadata_servers.faults.rate_limit("dblp", count=1, retry_after=5)
    search = url(metadata_servers, "dblp", "/search/publ/api")
    http.get(search, params={"q": "bert", "format": "json"})
    http.get(search, params={"q": "bert", "format": "json"})
    (problem,) = metadata_servers.log.unhonoured_waits()
    assert problem.startswith("dblp: Retry-After 5")


def test_slow_answer_runs_into_the_client_timeout(metadata_servers: MetadataServers) -> None:
    metadata_servers.faults.delay("acl", seconds=2)
    with httpx2.Client(timeout=0.2, trust_env=False) as http:
        with pytest.raises(httpx2.TimeoutException):
            http.get(url(metadata_servers, "acl", "/N19-1423.bib"))
        assert http.get(url(metadata_servers, "acl", "/N19-1423.bib")).status_code == 200


def test_dropped_connection_then_normal_answer(
    metadata_servers: MetadataServers, http: httpx2.Client
) -> None:
    metadata_servers.faults.drop("arxiv")
    with pytest.raises(httpx2.TransportError):
        http.get(url(metadata_servers, "arxiv"), params={"id_list": "1810.04805"})
    assert (
        http.get(url(metadata_servers, "arxiv"), params={"id_list": "1810.04805"}).status_code
        == 200
    )
    assert metadata_servers.log.for_service("arxiv")[0].status is None


def test_a_service_down_drops_everything_until_up(
    metadata_servers: MetadataServers, http: httpx2.Client
) -> None:
    metadata_servers.faults.down("semanticscholar")
    for _ in range(3):
        with pytest.raises(httpx2.TransportError):
            s2_batch(metadata_servers, http, ["ARXIV:1408.5882"], "title")
    assert http.get(url(metadata_servers, "acl", "/N19-1423.bib")).status_code == 200
    metadata_servers.faults.up("semanticscholar")
    assert s2_batch(metadata_servers, http, ["ARXIV:1408.5882"], "title").status_code == 200


def test_unreachable_endpoint_refuses_connections(
    metadata_servers: MetadataServers, http: httpx2.Client
) -> None:
    with pytest.raises(httpx2.ConnectError):
        http.get(metadata_servers.unreachable_endpoint("crossref") + "/works/10.3115/v1/D14-1181")


# -- the research format ------------------------------------------------------------------------


FACTS = {
    "key": "spanbert2019improving",
    "title": SPANBERT.title,
    "authors": ["Joshi, Mandar", "Chen, Danqi", "van der Maaten, Laurens", "OpenAI"],
    "arxiv": "1907.10529",
    "status": "published",
    "type": "article",
    "venue": "TACL",
    "container": "Transactions of the Association for Computational Linguistics",
    "year": 2020,
    "month": "jun",
    "volume": "8",
    "number": None,
    "pages": "64--77",
    "doi": "10.1162/tacl_a_00300",
    "publisher": "MIT Press",
    "address": "Cambridge, MA",
    "acl": "2020.tacl-1.5",
    "openreview": None,
    "pmlr": None,
    "sources": [],
    "note": "",
}


def test_paper_from_facts_reads_the_research_format() -> None:
    paper = Paper.from_facts(FACTS)
    assert paper.authors == (
        ("Mandar", "Joshi"),
        ("Danqi", "Chen"),
        ("Laurens", "van der Maaten"),
        ("", "OpenAI"),
    )
    assert (paper.kind, paper.month, paper.year, paper.key) == (
        Kind.JOURNAL,
        6,
        2020,
        "spanbert2019improving",
    )
    assert paper.arxiv_year == 2019
    assert paper.s2_paper_id == Paper.from_facts(FACTS).s2_paper_id  # stable
    preprint = Paper.from_facts(
        {**FACTS, "status": "preprint", "type": "misc", "authors": None, "month": None}
    )
    assert (preprint.kind, preprint.authors, preprint.month) == (Kind.PREPRINT, (), None)


def test_load_store_reads_facts_files_into_the_services(tmp_path: Path) -> None:
    first, second = tmp_path / "facts-1.jsonl", tmp_path / "facts-2.jsonl"
    first.write_text(json.dumps(FACTS) + "\n\n", encoding="utf-8")
    kim = {**FACTS, "key": "kim2014", "title": KIM.title, "authors": ["Kim, Yoon"], "arxiv": "1408.5882",
           "type": "inproceedings", "venue": "EMNLP", "doi": None, "acl": "D14-1181"}  # fmt: skip
    second.write_text(json.dumps(kim) + "\n", encoding="utf-8")
    store = load_store([first, str(second)])
    assert [p.key for p in store] == ["spanbert2019improving", "kim2014"]
    with MetadataServers(store) as servers, httpx2.Client(trust_env=False) as http:
        answer = s2_batch(servers, http, ["ARXIV:1907.10529", "ACL:D14-1181"], "title").json()
        assert [p["title"] for p in answer] == [SPANBERT.title, KIM.title]


def test_load_store_names_the_bad_line(tmp_path: Path) -> None:
    bad = tmp_path / "facts-9.jsonl"
    bad.write_text(json.dumps(FACTS) + "\n" + json.dumps({"key": "x"}) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"facts-9\.jsonl:2"):
        load_store([bad])
