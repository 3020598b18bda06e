"""Tests for atbib.identifiers.

Expected values were worked out by hand from the rules (keys-dedup.md section 6), and the counts
for the real list were taken with grep over README.md, not from the functions under test.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from atbib.identifiers import (
    Identifier,
    acl_year,
    arxiv_date,
    identifiers_from_text,
    identifiers_from_url,
    is_code_url,
    normalise_acl,
    normalise_arxiv,
    normalise_doi,
    normalise_url,
)

README = Path(__file__).resolve().parents[1] / "README.md"
LINKS = re.findall(r"\]\(([^)]*)\)", README.read_text(encoding="utf-8"))
# The list's one wrapped link: Zhihu rewrites outbound links to its redirector.
ZHIHU_TO_GITHUB = (
    "https://link.zhihu.com/?target=https://github.com/mit-han-lab/hardware-aware-transformers"
)


def arxiv(value: str) -> Identifier:
    return Identifier("arxiv", value)


def doi(value: str) -> Identifier:
    return Identifier("doi", value)


def acl(value: str) -> Identifier:
    return Identifier("acl", value)


# --- the real list -------------------------------------------------------------------------------
# Snapshot checks of the list in README.md: update the numbers when papers are added or removed.


def test_real_list_counts_per_scheme() -> None:
    # grep: 178 arxiv.org/abs + 16 arxiv.org/pdf links; 26 www.aclweb.org + 1 aclweb.org;
    # 3 proceedings.mlr.press; 2 openreview.net; 1 dl.acm.org/doi/pdf; no link reveals two.
    # Every other link (GitHub, blogs, Zhihu, WeChat, '', 'exbert.net', the README's own
    # relative bib/ links...) reveals nothing.
    per_link = Counter(tuple(i.scheme for i in identifiers_from_url(link)) for link in LINKS)
    assert per_link.pop(()) == len(LINKS) - 227
    assert per_link == {
        ("arxiv",): 194,
        ("acl",): 27,
        ("pmlr",): 3,
        ("openreview",): 2,
        ("doi",): 1,
    }


def test_real_list_distinct_arxiv_ids() -> None:
    # 194 links, three ids linked twice (1912.07840, 2002.08155, 2004.08994).
    found = {i for link in LINKS for i in identifiers_from_url(link) if i.scheme == "arxiv"}
    assert len(found) == 191


def test_real_list_acl_ids_old_and_new() -> None:
    found = [i.value for link in LINKS for i in identifiers_from_url(link) if i.scheme == "acl"]
    assert sum(value[0].isdigit() for value in found) == 3  # 2020.acl-main.311/.419, findings
    assert sum(value[0].isalpha() for value in found) == 24


def test_real_list_code_links() -> None:
    # 162 github.com links, pastebin, paperswithcode, and a Zhihu redirect to GitHub.
    assert sum(is_code_url(link) for link in LINKS) == 165
    for link in LINKS:
        if "github.com" in link:
            assert identifiers_from_url(link) == (), link


def test_real_list_identifiers_round_trip_and_text_agrees() -> None:
    for link in LINKS:
        found = identifiers_from_url(link)
        assert identifiers_from_text(link) == found, link
        for identifier in found:
            assert Identifier.parse(str(identifier)) == identifier


def test_real_list_normalise_url_is_idempotent() -> None:
    for link in LINKS:
        assert normalise_url(normalise_url(link)) == normalise_url(link), link


@pytest.mark.parametrize(
    ("link", "expected"),
    [
        ("https://www.aclweb.org/anthology/2020.acl-main.419/", (acl("2020.acl-main.419"),)),
        (
            "https://www.aclweb.org/anthology/2020.findings-emnlp.207/",
            (acl("2020.findings-emnlp.207"),),
        ),
        ("https://www.aclweb.org/anthology/D15-1166/", (acl("D15-1166"),)),
        ("https://www.aclweb.org/anthology/N19-1423", (acl("N19-1423"),)),
        ("https://www.aclweb.org/anthology/P19-1459.pdf", (acl("P19-1459"),)),
        ("https://www.aclweb.org/anthology/W19-4302/", (acl("W19-4302"),)),
        ("https://aclweb.org/anthology/N18-1202", (acl("N18-1202"),)),
        (
            "http://proceedings.mlr.press/v97/song19d/song19d.pdf",
            (Identifier("pmlr", "v97/song19d"),),
        ),
        ("http://proceedings.mlr.press/v37/xuc15.html", (Identifier("pmlr", "v37/xuc15"),)),
        ("http://proceedings.mlr.press/v97/gong19a.html", (Identifier("pmlr", "v97/gong19a"),)),
        ("https://openreview.net/forum?id=r1xMH1BtvB", (Identifier("openreview", "r1xMH1BtvB"),)),
        ("https://openreview.net/forum?id=SJlPOCEKvH", (Identifier("openreview", "SJlPOCEKvH"),)),
        ("https://dl.acm.org/doi/pdf/10.1145/3366423.3380258", (doi("10.1145/3366423.3380258"),)),
        ("https://arxiv.org/pdf/1910.01108.pdf", (arxiv("1910.01108"),)),
        ("https://arxiv.org/abs/1409.0473", (arxiv("1409.0473"),)),
        ("https://arxiv.org/abs/2002.08155", (arxiv("2002.08155"),)),
        ("https://github.com/microsoft/unilm", ()),
        ("https://github.com/namisan/mt-dnn/tree/master/alum", ()),
        (
            ZHIHU_TO_GITHUB,
            (),
        ),
        (
            "https://s3-us-west-2.amazonaws.com/openai-assets/research-covers/language-unsupervised/language_understanding_paper.pdf",
            (),
        ),
        ("https://web.stanford.edu/class/cs224n/reports/custom/15778933.pdf", ()),
        ("https://zhuanlan.zhihu.com/p/53682800", ()),
        ("exbert.net", ()),
        ("", ()),
        ("bib/all.bib", ()),
    ],
)
def test_real_list_spot_checks(link: str, expected: tuple[Identifier, ...]) -> None:
    assert link in LINKS
    assert identifiers_from_url(link) == expected


# --- reference test case 2: arXiv spellings ------------------------------------------------------


DISTILBERT = arxiv("1910.01108")


@pytest.mark.parametrize(
    "link",
    [
        "https://arxiv.org/pdf/1910.01108.pdf",
        "arxiv.org/abs/1910.01108v4",
        "https://export.arxiv.org/abs/1910.01108",
        "https://arxiv.org/abs/1910.01108v4",
        "https://arxiv.org/pdf/1910.01108v4.pdf",
        "http://www.arxiv.org/abs/1910.01108",
        "https://arxiv.org/html/1910.01108v4#S2",
        "https://arxiv.org/format/1910.01108",
        "https://arxiv.org/abs/1910.01108?context=cs",
        "https://ar5iv.labs.arxiv.org/html/1910.01108",
        "https://ar5iv.org/abs/1910.01108",
    ],
)
def test_arxiv_link_spellings(link: str) -> None:
    assert identifiers_from_url(link) == (DISTILBERT,)
    assert identifiers_from_text(link) == (DISTILBERT,)


@pytest.mark.parametrize(
    "text",
    [
        "arXiv:1910.01108 [cs.CL]",
        "arXiv:1910.01108v4 [cs.CL] 1 Mar 2020",
        "ARXIV:1910.01108",
        "arXiv preprint arXiv:1910.01108",
        "arXiv: 1910.01108",  # Zotero's Extra field
        "abs/1910.01108",  # DBLP's volume field
        "CoRR abs/1910.01108",
        "(see https://arxiv.org/abs/1910.01108v2).",
        "论文https://arxiv.org/abs/1910.01108。",
    ],
)
def test_arxiv_text_spellings(text: str) -> None:
    assert identifiers_from_text(text) == (DISTILBERT,)


def test_arxiv_doi_yields_doi_and_arxiv() -> None:
    expected = (doi("10.48550/arxiv.1910.01108"), DISTILBERT)
    assert identifiers_from_text("10.48550/arXiv.1910.01108") == expected
    assert identifiers_from_text("doi:10.48550/arXiv.1910.01108") == expected
    assert identifiers_from_url("https://doi.org/10.48550/arXiv.1910.01108") == expected


def test_old_style_arxiv_ids() -> None:
    assert normalise_arxiv("math.GT/0309136v2") == "math/0309136"
    assert normalise_arxiv("math/0309136") == "math/0309136"
    assert normalise_arxiv("hep-th/9901001") == "hep-th/9901001"
    assert normalise_arxiv("HEP-TH/9901001v3") == "hep-th/9901001"
    assert normalise_arxiv("arXiv:cond-mat/0703001.pdf") == "cond-mat/0703001"
    old = arxiv("math/0309136")
    assert identifiers_from_text("arXiv:math.GT/0309136v2") == (old,)
    assert identifiers_from_url("https://arxiv.org/abs/math.GT/0309136v2") == (old,)
    assert identifiers_from_url("https://arxiv.org/pdf/math/0309136") == (old,)
    assert identifiers_from_text("10.48550/arXiv.math/0309136") == (
        doi("10.48550/arxiv.math/0309136"),
        old,
    )


def test_old_style_ids_stay_distinct() -> None:
    assert normalise_arxiv("hep-th/9901001") != normalise_arxiv("hep-th/9901002")
    assert identifiers_from_url("https://arxiv.org/abs/hep-th/9901001") != identifiers_from_url(
        "https://arxiv.org/abs/hep-th/9901002"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1706.03762", "1706.03762"),
        ("1706.03762v5", "1706.03762"),
        ("arXiv:1706.03762v5", "1706.03762"),
        (" 1706.03762.pdf ", "1706.03762"),
        ("0704.0001", "0704.0001"),  # the first new-style id
        ("1412.8000", "1412.8000"),  # last month of 4-digit numbers
        ("1501.00001", "1501.00001"),  # first month of 5-digit numbers
        ("hep-th/9108001", "hep-th/9108001"),  # the first month of arXiv
        ("1913.01234", None),  # month 13
        ("1900.01234", None),  # month 00
        ("0703.1234", None),  # new style did not exist yet
        ("1412.12345", None),  # 5 digits before 2015
        ("1501.1234", None),  # 4 digits from 2015
        ("1910.00000", None),
        ("1706.03762v0", None),  # versions start at 1
        ("hep-th/9913001", None),  # month 13
        ("hep-th/0704001", None),  # old style ended 2007-03
        ("hep-th/9107001", None),  # before arXiv
        ("foo/9901001", None),  # not an archive
        ("hep-th/9901000", None),
        ("1706.037625", None),
        ("", None),
        ("arXiv:", None),
    ],
)
def test_normalise_arxiv(text: str, expected: str | None) -> None:
    assert normalise_arxiv(text) == expected


@pytest.mark.parametrize(
    ("arxiv_id", "expected"),
    [
        ("1706.03762", (2017, 6)),
        ("arXiv:1910.01108v4", (2019, 10)),
        ("0704.0001", (2007, 4)),
        ("hep-th/9901001", (1999, 1)),
        ("math.GT/0309136", (2003, 9)),
        ("1913.01234", None),
        ("nonsense", None),
    ],
)
def test_arxiv_date(arxiv_id: str, expected: tuple[int, int] | None) -> None:
    assert arxiv_date(arxiv_id) == expected


@pytest.mark.parametrize(
    "link",
    [
        "https://www.semanticscholar.org/arxiv/1910.01108",
        "https://huggingface.co/papers/1910.01108",
        "https://github.com/someone/1910.01108",
        "https://paperswithcode.com/paper/1910.01108",
        "https://example.com/abs/1910.01108",
        "https://arxiv.org/list/cs.CL/recent",
        "https://arxiv.org/abs/1913.01234",
    ],
)
def test_no_arxiv_id_from_other_links(link: str) -> None:
    assert identifiers_from_url(link) == ()
    assert identifiers_from_text(link) == ()


@pytest.mark.parametrize(
    "text",
    [
        "1910.01108",
        "see 1910.01108 for details",
        "version 1910.01108",
        "example.com/abs/1910.01108",
        "https://example.com/abs/1910.01108",
        "xarXiv:1910.01108",
        "arXiv:1910.011089",
        "arXiv:and/0701001",
        "math.GT/0309136",  # old ids need the arXiv: prefix in text
    ],
)
def test_no_arxiv_id_from_bare_numbers_in_text(text: str) -> None:
    assert identifiers_from_text(text) == ()


# --- reference test case 7: DOI and ACL spellings ------------------------------------------------

ERNIE = acl("P19-1139")
ERNIE_DOI = doi("10.18653/v1/p19-1139")


@pytest.mark.parametrize(
    "text",
    [
        "https://doi.org/10.18653/V1/P19-1139",
        "doi:10.18653/v1/P19-1139",
        "10.18653/v1/p19-1139",
        "urn:doi:10.18653/v1/P19-1139",
        "http://dx.doi.org/10.18653/v1/P19-1139",
        "https://doi.org/10.18653%2Fv1%2FP19-1139",
        "DOI: 10.18653/v1/P19-1139.",
    ],
)
def test_acl_doi_spellings(text: str) -> None:
    assert identifiers_from_text(text) == (ERNIE_DOI, ERNIE)
    assert normalise_doi(text) == "10.18653/v1/p19-1139"


@pytest.mark.parametrize(
    "link",
    [
        "https://www.aclweb.org/anthology/P19-1139/",
        "https://aclanthology.org/P19-1139.pdf",
        "http://aclweb.org/anthology/P/P19/P19-1139.pdf",
        "https://aclanthology.org/P19-1139/",
        "https://aclanthology.org/P19-1139.bib",
        "https://aclanthology.org/P19-1139.xml",
        "https://aclanthology.org/P19-1139v2.pdf",
        "http://aclweb.org/anthology-new/P/P19/P19-1139.pdf",
        "http://aclanthology.info/papers/P19-1139/p19-1139",
        "http://aclanthology.info/papers/p19-1139/ernie",
    ],
)
def test_acl_link_spellings(link: str) -> None:
    # An Anthology link does not synthesise a DOI: the DOI form is linked through the ACL id.
    assert identifiers_from_url(link) == (ERNIE,)


def test_acl_doi_forms() -> None:
    assert identifiers_from_text("10.18653/v1/2020.acl-main.419") == (
        doi("10.18653/v1/2020.acl-main.419"),
        acl("2020.acl-main.419"),
    )
    # After September 2026 the v1/ is dropped; 2014-2015 DOIs use the 10.3115 prefix.
    assert identifiers_from_text("10.18653/2027.acl-long.1") == (
        doi("10.18653/2027.acl-long.1"),
        acl("2027.acl-long.1"),
    )
    assert identifiers_from_text("10.3115/v1/P14-1062") == (
        doi("10.3115/v1/p14-1062"),
        acl("P14-1062"),
    )
    # Older 10.3115 DOIs (ACM era) name no Anthology id.
    assert identifiers_from_text("10.3115/1073083.1073135") == (doi("10.3115/1073083.1073135"),)


@pytest.mark.parametrize(
    "link",
    [
        "https://aclanthology.org/volumes/P19-1/",
        "https://aclanthology.org/events/acl-2019/",
        "https://www.aclweb.org/anthology/P19-1",
        "https://aclanthology.org/P19-113.pdf",
        "https://example.com/anthology/P19-1139",
    ],
)
def test_acl_non_papers(link: str) -> None:
    assert identifiers_from_url(link) == ()


@pytest.mark.parametrize(
    ("text", "expected", "year"),
    [
        ("P19-1139", "P19-1139", 2019),
        ("p19-1139", "P19-1139", 2019),
        ("D15-1166", "D15-1166", 2015),
        ("W19-4302", "W19-4302", 2019),
        ("C65-1001", "C65-1001", 1965),
        ("J00-1001", "J00-1001", 2000),
        ("2020.acl-main.419", "2020.acl-main.419", 2020),
        ("2020.ACL-Main.419", "2020.acl-main.419", 2020),
        ("2020.findings-emnlp.207", "2020.findings-emnlp.207", 2020),
        ("1952.earlymt-1.1", "1952.earlymt-1.1", 1952),
        ("P25-1001", None, None),  # old-style ids end in 2019
        ("P19-113", None, None),
        ("P19-1", None, None),  # a volume, not a paper
        ("2020.acl-main", None, None),
        ("PP19-1139", None, None),
        ("", None, None),
    ],
)
def test_normalise_acl_and_year(text: str, expected: str | None, year: int | None) -> None:
    assert normalise_acl(text) == expected
    assert acl_year(text) == year


# --- DOIs ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10.1145/3366423.3380258", "10.1145/3366423.3380258"),
        ("doi:10.1145/3366423.3380258", "10.1145/3366423.3380258"),
        ("DOI:10.1145/3366423.3380258", "10.1145/3366423.3380258"),
        ("https://doi.org/10.1145/3366423.3380258", "10.1145/3366423.3380258"),
        ("https://www.doi.org/10.1145/3366423.3380258", "10.1145/3366423.3380258"),
        ("10.1145/3366423.3380258,", "10.1145/3366423.3380258"),
        ("10.1145/3366423.3380258;", "10.1145/3366423.3380258"),
        ("10.1000/xyz)", "10.1000/xyz"),
        ("10.1000/xyz(1)", "10.1000/xyz(1)"),
        ("10.1000/xyz(1)).", "10.1000/xyz(1)"),
        ("10.1000/ABC.pdf", "10.1000/abc.pdf"),  # .pdf is stripped only from publisher paths
        ("10.1000.10/123", "10.1000.10/123"),
        ("10.1/abc", None),  # registrant code too short
        ("11.1145/3366423", None),
        ("10.1145/", None),
        ("10.1145/abc def", None),
        ("10.1145/abc%25def", None),  # decodes to a "%", which no real DOI has
        ("doi:", None),
        ("", None),
    ],
)
def test_normalise_doi(text: str, expected: str | None) -> None:
    assert normalise_doi(text) == expected


@pytest.mark.parametrize(
    ("link", "expected"),
    [
        ("https://dl.acm.org/doi/10.1145/3366423.3380258", "10.1145/3366423.3380258"),
        ("https://dl.acm.org/doi/abs/10.1145/3366423.3380258", "10.1145/3366423.3380258"),
        ("https://dl.acm.org/doi/pdf/10.1145/3366423.3380258.pdf", "10.1145/3366423.3380258"),
        ("http://doi.acm.org/10.1145/3366423.3380258", "10.1145/3366423.3380258"),
        ("https://onlinelibrary.wiley.com/doi/full/10.1002/asi.24310", "10.1002/asi.24310"),
        (
            "https://onlinelibrary.wiley.com/doi/10.1002/anie.200900000/abstract",
            "10.1002/anie.200900000",
        ),
        (
            "https://link.springer.com/article/10.1007/s10994-021-05946-3",
            "10.1007/s10994-021-05946-3",
        ),
        (
            "https://link.springer.com/chapter/10.1007/978-3-030-58452-8_13",
            "10.1007/978-3-030-58452-8_13",
        ),
        (
            "https://link.springer.com/content/pdf/10.1007/978-3-030-58452-8_13.pdf",
            "10.1007/978-3-030-58452-8_13",
        ),
        ("https://doi.org/10.1000/ABC.pdf", "10.1000/abc.pdf"),  # a resolver keeps the whole DOI
        ("https://hdl.handle.net/10.1000/xyz", "10.1000/xyz"),
    ],
)
def test_publisher_and_resolver_links(link: str, expected: str) -> None:
    assert identifiers_from_url(link) == (doi(expected),)


@pytest.mark.parametrize(
    "link",
    [
        "https://ieeexplore.ieee.org/document/8578911",
        "https://example.com/files/10.1145/3366423.3380258",  # a DOI-like path on a random host
        "https://dl.acm.org/citation.cfm?id=3295349",
        "https://doi.org/",
    ],
)
def test_no_doi_without_doi_path(link: str) -> None:
    assert identifiers_from_url(link) == ()


def test_text_order_and_duplicates() -> None:
    text = (
        "Published as 10.18653/v1/P19-1139 (preprint arXiv:1905.07129v3 [cs.CL]); "
        "see https://aclanthology.org/P19-1139.pdf and doi:10.18653/V1/P19-1139."
    )
    assert identifiers_from_text(text) == (ERNIE_DOI, ERNIE, arxiv("1905.07129"))


def test_sici_doi_with_brackets_in_text() -> None:
    text = "(doi:10.1002/(SICI)1097-4571(199806)49:8<693::AID-ASI4>3.0.CO;2-0)."
    assert identifiers_from_text(text) == (
        doi("10.1002/(sici)1097-4571(199806)49:8<693::aid-asi4>3.0.co;2-0"),
    )


# --- OpenReview and PMLR -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("link", "expected"),
    [
        ("https://openreview.net/forum?id=r1xMH1BtvB", "r1xMH1BtvB"),
        ("https://openreview.net/pdf?id=r1xMH1BtvB", "r1xMH1BtvB"),
        ("https://openreview.net/forum?noteId=r1xMH1BtvB", "r1xMH1BtvB"),
        (
            "https://openreview.net/forum?id=r1xMH1BtvB&referrer=%5BAuthor%20Console%5D",
            "r1xMH1BtvB",
        ),
        ("https://openreview.net/forum?id=r1xMH1BtvB&noteId=SJx9ngStPH", "r1xMH1BtvB"),
        ("https://openreview.net/forum?id=Hkx7_1rKwS", "Hkx7_1rKwS"),
        ("https://openreview.net/forum?id=xTJEN-ggl1b", "xTJEN-ggl1b"),
        ("https://openreview.net/forum?id=R1XMH1BTVB", "R1XMH1BTVB"),
    ],
)
def test_openreview_links(link: str, expected: str) -> None:
    assert identifiers_from_url(link) == (Identifier("openreview", expected),)


def test_openreview_case_is_identity() -> None:
    upper = identifiers_from_url("https://openreview.net/forum?id=R1XMH1BTVB")
    assert upper != identifiers_from_url("https://openreview.net/forum?id=r1xMH1BtvB")
    assert Identifier.parse("openreview:r1xMH1BtvB").value == "r1xMH1BtvB"


@pytest.mark.parametrize(
    "link",
    [
        "https://openreview.net/group?id=ICLR.cc/2020/Conference",
        "https://openreview.net/forum?id=",
        "https://openreview.net/forum?id=bad%20id",
        "https://openreview.net/forum",
    ],
)
def test_openreview_non_papers(link: str) -> None:
    assert identifiers_from_url(link) == ()


@pytest.mark.parametrize(
    ("link", "expected"),
    [
        ("http://proceedings.mlr.press/v97/song19d.html", "v97/song19d"),
        ("https://proceedings.mlr.press/v97/song19d/song19d-supp.pdf", "v97/song19d"),
        ("http://jmlr.org/proceedings/papers/v37/xuc15.pdf", "v37/xuc15"),
    ],
)
def test_pmlr_links(link: str, expected: str) -> None:
    assert identifiers_from_url(link) == (Identifier("pmlr", expected),)


@pytest.mark.parametrize(
    "link",
    [
        "http://proceedings.mlr.press/v97/",
        "http://proceedings.mlr.press/",
        "https://jmlr.org/papers/v21/20-074.html",
    ],
)
def test_pmlr_non_papers(link: str) -> None:
    assert identifiers_from_url(link) == ()


# --- Identifier ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("arxiv:1706.03762", arxiv("1706.03762")),
        ("arxiv:1706.03762v2", arxiv("1706.03762")),
        ("doi:10.1145/ABC", doi("10.1145/abc")),
        ("acl:p19-1139", acl("P19-1139")),
        ("pmlr:v97/song19d", Identifier("pmlr", "v97/song19d")),
        ("url:https://www.GitHub.com/Owner/Repo/", Identifier("url", "github.com/owner/repo")),
    ],
)
def test_identifier_parse(text: str, expected: Identifier) -> None:
    assert Identifier.parse(text) == expected
    assert Identifier.parse(str(expected)) == expected


def test_identifier_str_and_order() -> None:
    assert str(arxiv("1706.03762")) == "arxiv:1706.03762"
    assert sorted([doi("10.1/x"), arxiv("2001.00001"), arxiv("1706.03762")]) == [
        arxiv("1706.03762"),
        arxiv("2001.00001"),
        doi("10.1/x"),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "1706.03762",
        "arxiv:",
        "foo:bar",
        "arxiv:1913.00001",
        "openreview:bad id",
        "pmlr:xuc15",
        "url:",
        "doi:11.1/x",
    ],
)
def test_identifier_parse_rejects(text: str) -> None:
    with pytest.raises(ValueError, match="identifier"):
        Identifier.parse(text)


# --- normalise_url and is_code_url ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("link", "expected"),
    [
        ("https://www.GitHub.com/Owner/Repo/", "github.com/owner/repo"),
        ("http://github.com/owner/repo.git", "github.com/owner/repo"),
        (
            "https://github.com/Owner/Repo/blob/Main/README.md",
            "github.com/owner/repo/blob/Main/README.md",
        ),
        ("https://gitlab.com/Group/Project", "gitlab.com/group/project"),
        (
            "https://github.com/namisan/mt-dnn/tree/master/alum",
            "github.com/namisan/mt-dnn/tree/master/alum",
        ),
        (
            "http://jalammar.github.io/illustrated-bert/?utm_source=mybridge&utm_medium=blog&utm_campaign=read_more",
            "jalammar.github.io/illustrated-bert",
        ),
        ("https://jalammar.github.io/illustrated-bert/", "jalammar.github.io/illustrated-bert"),
        ("https://Example.COM:443/a/index.html#section", "example.com/a"),
        ("http://example.com:80/", "example.com"),
        ("https://example.com:80/x", "example.com/x"),  # no scheme left, so 80 and 443 go
        ("http://example.com./", "example.com"),
        ("https://github.com/Owner/Repo.git/", "github.com/owner/repo"),
        ("https://example.com/a/index.html/", "example.com/a"),
        ("https://example.com/?&utm_source=x", "example.com"),
        ("https://example.com:8080/A?b=2&a=1", "example.com:8080/A?a=1&b=2"),
        ("https://user:secret@example.com/x", "example.com/x"),
        (
            "https://mp.weixin.qq.com/s/bCLLNLA2HB23v0jx3X2rIw",
            "mp.weixin.qq.com/s/bCLLNLA2HB23v0jx3X2rIw",
        ),
        (
            ZHIHU_TO_GITHUB,
            "github.com/mit-han-lab/hardware-aware-transformers",
        ),
        (
            "https://link.zhihu.com/?target=https%3A//github.com/Mit-Han-Lab/HAT",
            "github.com/mit-han-lab/hat",
        ),
        (
            "https://www.dropbox.com/s/myle46vl64nasg8/Deeplo-talk-2019.pdf?dl=0",
            "dropbox.com/s/myle46vl64nasg8/Deeplo-talk-2019.pdf?dl=0",
        ),
        ("https://linear-transformers.com/", "linear-transformers.com"),
        ("exbert.net", "exbert.net"),
        ("", ""),
        ("http://[", "http://["),
        ("http://example.com:99999999/", "http://example.com:99999999/"),
    ],
)
def test_normalise_url(link: str, expected: str) -> None:
    assert normalise_url(link) == expected
    assert normalise_url(expected) == expected


@pytest.mark.parametrize(
    ("link", "expected"),
    [
        ("https://github.com/microsoft/unilm", True),
        ("https://gist.github.com/someone/abc", True),
        ("https://gitlab.com/group/project", True),
        ("https://bitbucket.org/team/repo", True),
        ("https://pastebin.com/62r5FuEW", True),
        ("https://huggingface.co/bert-base-uncased", True),
        ("https://paperswithcode.com/methods/category/attention-mechanisms", True),
        (
            ZHIHU_TO_GITHUB,
            True,
        ),
        ("https://jalammar.github.io/illustrated-transformer/", False),
        ("https://arxiv.org/abs/1706.03762", False),
        ("https://notgithub.com/x/y", False),
        ("exbert.net", False),
        ("", False),
        ("()", False),
    ],
)
def test_is_code_url(link: str, expected: bool) -> None:
    assert is_code_url(link) is expected


# --- garbage -------------------------------------------------------------------------------------

GARBAGE = [
    "",
    " ",
    "()",
    "exbert.net",
    "http://",
    "http://[",
    "https://arxiv.org/",
    "arxiv.org",
    "doi:",
    "x" * 100_000,
    "a." * 50_000,
    "a-" * 50_000,
    ")" * 100_000,
    "arxiv:" * 20_000,
    "https://" * 20_000,
    "https://arxiv.org/abs/" + "1" * 100_000,
    "10.1234/" + ")" * 100_000,
]


@pytest.mark.parametrize("text", GARBAGE, ids=lambda text: repr(text[:20]))
def test_garbage_gives_nothing(text: str) -> None:
    assert identifiers_from_url(text) == ()
    assert identifiers_from_text(text) == ()
    assert normalise_arxiv(text) is None
    assert normalise_doi(text) is None
    assert normalise_acl(text) is None
    assert arxiv_date(text) is None
    assert acl_year(text) is None
    assert is_code_url(text) is False


# Prefixes that steer random text into each extractor, the redirect and the repository rules.
PREFIXES = st.sampled_from(
    [
        "",
        "//",
        "https://",
        "http://www.github.com/",
        "https://link.zhihu.com/?target=",
        "https://arxiv.org/abs/",
        "https://doi.org/10.1234/",
        "https://dl.acm.org/doi/10.1234/",
        "https://aclanthology.org/",
        "https://openreview.net/forum?id=",
        "http://proceedings.mlr.press/v1/",
        "arXiv:",
        "doi:10.1234/",
    ]
)


@given(PREFIXES, st.text(max_size=60))
def test_never_raises_and_round_trips(prefix: str, rest: str) -> None:
    text = prefix + rest
    for found in (identifiers_from_url(text), identifiers_from_text(text)):
        for identifier in found:
            assert Identifier.parse(str(identifier)) == identifier
    normal = normalise_url(text)
    assert normalise_url(normal) == normal
    normalise_arxiv(text)
    normalise_doi(text)
    normalise_acl(text)
    arxiv_date(text)
    acl_year(text)
    is_code_url(text)
