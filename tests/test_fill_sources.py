"""Each metadata source's adapter on replies in its service's real format (formats as the
services' recorded responses show them: arXiv's Atom, Semantic Scholar's batch array with
``null``, Crossref's ``message`` envelope, DBLP's object-or-list quirks, the ACL Anthology's
BibTeX, OpenReview's wrapped values and its 403 challenge)."""

from __future__ import annotations

import json

import pytest

from atbib.fill.facts import Status
from atbib.fill.sources import SOURCES
from atbib.fill.sources.base import BatchTooLarge, Reply, SourceSettings, Unavailable, clean_pages
from atbib.identifiers import Identifier

SETTINGS = SourceSettings("http://127.0.0.1:1/x", batch_size=100, mailto="me@example.org")


def ask(name: str, *ids: str):
    source = SOURCES[name]
    return source.request([Identifier.parse(i) for i in ids], SETTINGS)


def reply(body: str | bytes, status: int = 200, **headers: str) -> Reply:
    data = body.encode("utf-8") if isinstance(body, str) else body
    return Reply(status, data, {k.replace("_", "-"): v for k, v in headers.items()})


ATOM = """<?xml version='1.0' encoding='UTF-8'?>
<feed xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns="http://www.w3.org/2005/Atom">
  <id>https://arxiv.org/api/abc</id>
  <title>arXiv Query: search_query=&amp;id_list=1910.13461,1907.11692,2012.99999</title>
  <opensearch:totalResults>2</opensearch:totalResults>
  <entry>
    <id>http://arxiv.org/abs/1907.11692v1</id>
    <title>RoBERTa: A Robustly Optimized BERT Pretraining
  Approach</title>
    <published>2019-07-26T17:48:29Z</published>
    <author><name>Yinhan Liu</name></author>
    <author><name>Myle Ott</name></author>
    <arxiv:primary_category term="cs.CL"/>
  </entry>
  <entry>
    <id>http://arxiv.org/abs/1910.13461v1</id>
    <title>BART: Denoising Sequence-to-Sequence Pre-training</title>
    <published>2019-10-29T17:01:09Z</published>
    <arxiv:journal_ref>ACL 2020</arxiv:journal_ref>
    <author><name>Mike Lewis</name></author>
    <arxiv:doi>10.18653/v1/2020.acl-main.703</arxiv:doi>
    <link rel="related" href="https://doi.org/10.18653/v1/2020.acl-main.703" title="doi"/>
  </entry>
</feed>"""


def test_arxiv_reads_entries_by_their_id_and_a_journal_reference_as_published() -> None:
    request = ask("arxiv", "arxiv:1910.13461", "arxiv:1907.11692", "arxiv:2012.99999")
    assert "id_list=1910.13461%2C1907.11692%2C2012.99999" in request.url
    found = SOURCES["arxiv"].parse(request, reply(ATOM))
    bart, roberta, unknown = (found[k] for k in request.asked)
    assert unknown is None
    assert (
        roberta is not None
        and roberta.title == "RoBERTa: A Robustly Optimized BERT Pretraining Approach"
    )
    assert [str(p) for p in roberta.authors] == ["Yinhan Liu", "Myle Ott"]
    assert roberta.status is None and roberta.year == 2019 and roberta.entry_type == "misc"
    assert bart is not None and bart.status is Status.PUBLISHED
    assert bart.venue == "ACL" and bart.year == 2020
    assert Identifier("doi", "10.18653/v1/2020.acl-main.703") in bart.ids


def test_arxiv_error_entries_are_not_papers() -> None:
    error = """<feed xmlns="http://www.w3.org/2005/Atom"><entry>
      <id>https://arxiv.org/api/errors#incorrect_id_format_for_abc</id><title>Error</title>
      <summary>incorrect id format for abc</summary></entry></feed>"""
    request = ask("arxiv", "arxiv:1910.13461")
    assert SOURCES["arxiv"].parse(request, reply(error, 400)) == {"arxiv:1910.13461": None}


SCHOLAR = [
    None,
    {
        "paperId": "df2b0e26d0599ce3e70df8a9da02e51594e0e992",
        "externalIds": {
            "ArXiv": "1810.04805",
            "DBLP": "conf/naacl/DevlinCLT19",
            "ACL": "N19-1423",
            "DOI": "10.18653/v1/N19-1423",
            "CorpusId": 52967399,
        },
        "title": "BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding",
        "venue": "North American Chapter of the Association for Computational Linguistics",
        "publicationVenue": {
            "id": "x",
            "name": "North American Chapter of the Association for Computational Linguistics",
            "type": "conference",
            "alternate_names": ["NAACL", "North Am Chapter Assoc Comput Linguistics"],
        },
        "year": 2019,
        "journal": {"pages": "4171-4186"},
        "publicationTypes": ["JournalArticle"],
        "authors": [
            {"authorId": "39172707", "name": "Jacob Devlin"},
            {"authorId": "1744179", "name": "Ming-Wei Chang"},
        ],
    },
    {
        "paperId": "077f8329a7b6fa3b7c877a57b81eb6c18b5f87de",
        "externalIds": {
            "ArXiv": "1907.11692",
            "DOI": "10.48550/arXiv.1907.11692",
            "CorpusId": 198953378,
        },
        "title": "RoBERTa: A Robustly Optimized BERT Pretraining Approach",
        "venue": "arXiv.org",
        "publicationVenue": None,
        "year": 2019,
        "journal": {"volume": "abs/1907.11692", "name": "ArXiv"},
        "publicationTypes": ["JournalArticle"],
        "authors": [{"authorId": "1", "name": "Yinhan Liu"}],
    },
]


def test_semantic_scholar_reads_nulls_in_place_and_links_to_the_published_version() -> None:
    request = ask("semanticscholar", "arxiv:2012.99999", "arxiv:1810.04805", "arxiv:1907.11692")
    assert request.method == "POST" and request.url.endswith(
        "/paper/batch?fields=" + request.url.split("fields=")[1]
    )
    assert json.loads(request.body or b"") == {
        "ids": ["ARXIV:2012.99999", "ARXIV:1810.04805", "ARXIV:1907.11692"]
    }
    found = SOURCES["semanticscholar"].parse(request, reply(json.dumps(SCHOLAR)))
    assert found["arxiv:2012.99999"] is None
    bert = found["arxiv:1810.04805"]
    assert bert is not None and bert.status is Status.PUBLISHED and bert.venue == "NAACL"
    assert bert.entry_type == "inproceedings" and bert.pages == "4171--4186"
    assert Identifier("acl", "N19-1423") in bert.ids
    roberta = found["arxiv:1907.11692"]
    assert roberta is not None and roberta.status is None and roberta.doi == ""  # arXiv's DOI
    assert not any(i.scheme == "doi" for i in roberta.ids)


def test_semantic_scholar_refusing_a_batch_asks_for_a_smaller_one() -> None:
    request = ask("semanticscholar", "arxiv:1810.04805", "arxiv:1907.11692")
    with pytest.raises(BatchTooLarge):
        SOURCES["semanticscholar"].parse(
            request, reply('{"error":"Cannot process more than 1 ids"}', 400)
        )


def test_semantic_scholar_sends_the_key_only_as_a_header() -> None:
    source = SOURCES["semanticscholar"]
    request = source.request(
        [Identifier("arxiv", "1810.04805")], SourceSettings("http://x", key="s3cret")
    )
    assert ("x-api-key", "s3cret") in request.headers and "s3cret" not in request.url


CROSSREF = {
    "status": "ok",
    "message-type": "work",
    "message": {
        "DOI": "10.1162/tacl_a_00300",
        "type": "journal-article",
        "title": ["SpanBERT: Improving Pre-training by Representing and Predicting Spans"],
        "author": [
            {"given": "Mandar", "family": "Joshi", "sequence": "first", "affiliation": []},
            {"given": "Danqi", "family": "Chen", "sequence": "additional", "affiliation": []},
            {"name": "A Consortium", "sequence": "additional", "affiliation": []},
        ],
        "container-title": ["Transactions of the Association for Computational Linguistics"],
        "short-container-title": ["TACL"],
        "publisher": "MIT Press - Journals",
        "issued": {"date-parts": [[2020, 12]]},
        "volume": "8",
        "page": "64-77",
        "relation": {},
    },
}


def test_crossref_reads_the_message_envelope() -> None:
    request = ask("crossref", "doi:10.1162/tacl_a_00300")
    assert request.url == "http://127.0.0.1:1/x/works/10.1162/tacl_a_00300?mailto=me%40example.org"
    work = SOURCES["crossref"].parse(request, reply(json.dumps(CROSSREF)))[
        "doi:10.1162/tacl_a_00300"
    ]
    assert work is not None and work.status is Status.PUBLISHED
    assert work.venue == "TACL" and work.entry_type == "article"
    assert (work.volume, work.pages, work.month, work.year) == ("8", "64--77", "dec", 2020)
    assert [p.family for p in work.authors] == ["Joshi", "Chen", "A Consortium"]


def test_crossref_knows_a_preprint_and_points_at_its_published_version() -> None:
    message = {
        "DOI": "10.2196/preprints.22081",
        "type": "posted-content",
        "subtype": "preprint",
        "title": ["T"],
        "relation": {
            "is-preprint-of": [{"id-type": "doi", "id": "10.2196/22081", "asserted-by": "subject"}]
        },
    }
    request = ask("crossref", "doi:10.2196/preprints.22081")
    work = SOURCES["crossref"].parse(
        request, reply(json.dumps({"status": "ok", "message": message}))
    )[request.asked[0]]
    assert work is not None and work.status is Status.PREPRINT and work.doi == ""
    assert Identifier("doi", "10.2196/22081") in work.ids
    assert SOURCES["crossref"].parse(request, reply("Resource not found.", 404)) == {
        request.asked[0]: None
    }


def dblp(*hits: dict) -> str:
    envelope = {
        "@total": str(len(hits)),
        "@computed": str(len(hits)),
        "@sent": str(len(hits)),
        "@first": "0",
    }
    if hits:
        envelope["hit"] = [
            {"@score": "5", "@id": str(i), "info": h, "url": f"URL#{i}"} for i, h in enumerate(hits)
        ]
    return json.dumps(
        {"result": {"query": "q", "status": {"@code": "200", "text": "OK"}, "hits": envelope}}
    )


def test_dblp_reads_a_single_author_object_venue_lists_and_homonym_numbers() -> None:
    request = SOURCES["dblp"].search("Deep Learning", SETTINGS)
    assert "q=Deep+Learning" in request.url and "format=json" in request.url
    single = {
        "authors": {"author": {"@pid": "1", "text": "Ada Lovelace 0001"}},
        "title": "Deep Learning.",
        "venue": ["ACL (1)", "ACL"],
        "pages": "1-10",
        "year": "2020",
        "type": "Conference and Workshop Papers",
        "key": "conf/acl/Lovelace20",
        "doi": "10.18653/V1/2020.ACL-MAIN.1",
        "ee": [
            "https://doi.org/10.18653/v1/2020.acl-main.1",
            "https://www.aclweb.org/anthology/2020.acl-main.1",
        ],
    }
    corr = {
        "authors": {
            "author": [
                {"@pid": "1", "text": "Ada Lovelace 0001"},
                {"@pid": "2", "text": "Alan Turing"},
            ]
        },
        "title": "Deep Learning.",
        "venue": "CoRR",
        "volume": "abs/2001.00001",
        "year": "2020",
        "type": "Informal and Other Publications",
        "key": "journals/corr/abs-2001-00001",
        "ee": "https://arxiv.org/abs/2001.00001",
    }
    found = SOURCES["dblp"].parse(request, reply(dblp(single, corr)))
    first, second = found["title:Deep Learning#0"], found["title:Deep Learning#1"]
    assert first is not None and second is not None
    assert [str(p) for p in first.authors] == ["Ada Lovelace"]
    assert first.title == "Deep Learning" and first.venue == "ACL" and first.pages == "1--10"
    assert Identifier("acl", "2020.acl-main.1") in first.ids
    assert second.status is Status.PREPRINT and Identifier("arxiv", "2001.00001") in second.ids
    assert SOURCES["dblp"].parse(request, reply(dblp())) == {"title:Deep Learning": None}


ANTHOLOGY = """@inproceedings{lewis-etal-2020-bart,
    title = "{BART}: Denoising Sequence-to-Sequence Pre-training for Natural Language Generation, Translation, and Comprehension",
    author = "Lewis, Mike  and
      Liu, Yinhan  and
      Goyal, Naman",
    editor = "Jurafsky, Dan  and
      Chai, Joyce",
    booktitle = "Proceedings of the 58th Annual Meeting of the Association for Computational Linguistics",
    month = jul,
    year = "2020",
    address = "Online",
    publisher = "Association for Computational Linguistics",
    url = "https://aclanthology.org/2020.acl-main.703/",
    doi = "10.18653/v1/2020.acl-main.703",
    pages = "7871--7880",
    abstract = "We present BART"
}"""


def test_acl_anthology_reads_its_own_bibtex() -> None:
    request = ask("acl", "acl:2020.acl-main.703")
    assert request.url == "http://127.0.0.1:1/x/2020.acl-main.703.bib"
    work = SOURCES["acl"].parse(request, reply(ANTHOLOGY))[request.asked[0]]
    assert work is not None and work.venue == "ACL" and work.year == 2020
    assert [p.family for p in work.authors] == ["Lewis", "Liu", "Goyal"]
    assert (work.pages, work.month, work.address) == ("7871--7880", "jul", "Online")
    assert work.doi == "10.18653/v1/2020.acl-main.703"
    assert SOURCES["acl"].parse(request, reply("<html>not found</html>", 404)) == {
        request.asked[0]: None
    }


def note(venue: str, venueid: str) -> str:
    content = {
        "title": {
            "value": "ELECTRA: Pre-training Text Encoders as Discriminators Rather Than Generators"
        },
        "authors": {
            "value": ["Kevin Clark", "Minh-Thang Luong", "Quoc V. Le", "Christopher D. Manning"]
        },
        "venue": {"value": venue},
        "venueid": {"value": venueid},
    }
    return json.dumps(
        {"notes": [{"id": "r1xMH1BtvB", "forum": "r1xMH1BtvB", "content": content}], "count": 1}
    )


def test_openreview_tells_an_accepted_paper_from_a_submission() -> None:
    request = ask("openreview", "openreview:r1xMH1BtvB")
    assert request.url == "http://127.0.0.1:1/x/notes?id=r1xMH1BtvB"
    accepted = SOURCES["openreview"].parse(
        request, reply(note("ICLR 2020 Conference Poster", "ICLR.cc/2020/Conference"))
    )
    paper = accepted[request.asked[0]]
    assert paper is not None and paper.status is Status.PUBLISHED
    assert (paper.venue, paper.year) == ("ICLR", 2020)
    assert [p.family for p in paper.authors] == ["Clark", "Luong", "Le", "Manning"]
    rejected = SOURCES["openreview"].parse(
        request,
        reply(note("Submitted to ICLR 2020", "ICLR.cc/2020/Conference/Rejected_Submission")),
    )[request.asked[0]]
    assert rejected is not None and rejected.status is None and rejected.venue == ""


def test_openreview_refusing_anonymous_access_is_the_source_unavailable() -> None:
    challenge = (
        '{"name":"ChallengeRequiredError","message":"Challenge verification required","status":403}'
    )
    with pytest.raises(Unavailable):
        SOURCES["openreview"].parse(
            ask("openreview", "openreview:r1xMH1BtvB"), reply(challenge, 403)
        )


@pytest.mark.parametrize(
    ("text", "pages"),
    [
        ("4171-4186", "4171--4186"),
        ("64–77", "64--77"),
        ("e22081", "e22081"),
        (" 12 -- 15", "12--15"),
        ("", ""),
    ],
)
def test_pages_are_written_with_bibtex_dashes(text: str, pages: str) -> None:
    assert clean_pages(text) == pages
