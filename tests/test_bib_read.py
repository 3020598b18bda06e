""".bib files as other tools write them, read into records: DBLP, the ACL Anthology, Google
Scholar, Better BibTeX / biblatex, and a hand-kept file with every BibTeX trick."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from atbib import BibtexError, Kind, Link, Person, load_bibtex, read_bibtex
from atbib.bibtex.mapping import record_from_entry
from atbib.bibtex.overlay import bibtex_entry
from atbib.markdown.entry import parse_entry, render_entry
from atbib.venues import lookup_full, venue_from_bib
from tests.conftest import ROOT

FIXTURES = ROOT / "tests" / "data" / "bib"


def _by_key(name: str):
    loaded = load_bibtex(FIXTURES / name)
    return {r.key: r for r in loaded.records}, loaded


def _extra(record) -> dict[str, str]:
    return dict(record.extra)


def test_dblp_keys_crossref_abbreviations_and_escaped_urls():
    records, loaded = _by_key("dblp.bib")
    assert list(records) == [
        "DBLP:conf/naacl/DevlinCLT19",
        "DBLP:journals/corr/abs-1907-11692",
        "DBLP:conf/nips/VaswaniSPUJGKP17",
        "DBLP:conf/iclr/LanCGGSS20",
        "DBLP:journals/tacl/JoshiCLWZL20",
    ]  # the @proceedings crossref parent is a volume, not a work
    bert = records["DBLP:conf/naacl/DevlinCLT19"]
    assert bert.title == (
        "BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding"
    )
    assert bert.authors[1] == Person("Chang", "Ming-Wei")  # Ming{-}Wei
    assert bert.venue.text == "NAACL 2019"  # DBLP's long booktitle, through the venue table
    assert bert.links == (Link("paper", "https://doi.org/10.18653/v1/n19-1423"),)
    extra = _extra(bert)
    assert extra["pages"] == "4171--4186"
    assert extra["biburl"] == "https://dblp.org/rec/conf/naacl/DevlinCLT19.bib"
    assert extra["bibsource"] == "dblp computer science bibliography, https://dblp.org"
    assert extra["doi"] == "10.18653/V1/N19-1423"  # the source's spelling, for the way back
    assert records["DBLP:journals/corr/abs-1907-11692"].venue.text == "CoRR 2019"
    vaswani = records["DBLP:conf/nips/VaswaniSPUJGKP17"]
    assert vaswani.venue.text == "NIPS 2017"  # the name in use that year
    assert "Ulrike von Luxburg" in _extra(vaswani)["editor"]  # inherited from the crossref
    assert records["DBLP:conf/iclr/LanCGGSS20"].venue.text == "ICLR 2020"
    spanbert = records["DBLP:journals/tacl/JoshiCLWZL20"]
    assert spanbert.venue.text == "TACL 2020"  # "Trans. Assoc. Comput. Linguistics"
    assert spanbert.links == (Link("paper", "https://doi.org/10.1162/tacl_a_00300"),)
    assert [(p.severity, p.code) for p in loaded.problems] == [("info", "crossref")]


def test_acl_anthology_months_pages_and_latex():
    records, loaded = _by_key("acl.bib")
    assert loaded.problems == ()
    bert = records["devlin-etal-2019-bert"]
    assert bert.venue.text == "NAACL 2019"
    assert _extra(bert)["month"] == "June"  # month = jun
    assert _extra(bert)["address"] == "Minneapolis, Minnesota"
    assert records["kondratyuk-straka-2019-75"].venue.text == "EMNLP 2019"  # (EMNLP-IJCNLP)
    assert records["kondratyuk-straka-2019-75"].title.startswith("75 Languages, 1 Model")
    dont = records["gururangan-etal-2020-dont"]
    assert dont.title.startswith("Don't Stop Pretraining")  # Don{'}t
    assert dont.authors[1] == Person("Marasović", "Ana")  # Marasovi{\'c}
    assert dont.venue.text == "ACL 2020"  # 58th Annual Meeting
    assert records["rogers-etal-2020-primer"].venue.text == "TACL 2020"
    assert records["schick-schutze-2021-just"].authors[1] == Person("Schütze", "Hinrich")


def test_google_scholar_arxiv_journals_and_others():
    records, _ = _by_key("scholar.bib")
    bert = records["devlin2018bert"]
    assert bert.venue.text == "CoRR 2018"  # journal = {arXiv preprint arXiv:1810.04805}
    assert bert.links == (Link("paper", "https://arxiv.org/abs/1810.04805"),)
    vaswani = records["vaswani2017attention"]
    assert vaswani.venue.text == "NIPS 2017" and vaswani.links == ()
    assert vaswani.authors[6] == Person("Kaiser", "Łukasz")  # {\L}ukasz
    assert records["radford2019language"].authors[-1] == Person("others")
    assert records["radford2019language"].venue.text == "OpenAI blog 2019"  # kept as written
    assert records["maaten2008visualizing"].authors[0] == Person("Maaten", "Laurens", "van der")


def test_better_bibtex_and_biblatex_fields():
    records, loaded = _by_key("betterbibtex.bib")
    assert loaded.problems == ()
    clark = records["clarkWhatDoesBERT2019"]
    assert clark.kind is Kind.PAPER  # @online with eprinttype = arXiv
    assert clark.title == "What Does BERT Look at? An Analysis of BERT's Attention"
    assert clark.venue.text == "CoRR 2019"  # from date = {2019-06-10}
    assert clark.nickname == "What Does BERT Look At?"  # shorttitle
    distil = records["sanhDistilBERTDistilledVersion2020"]
    assert distil.nickname == "DistilBERT" and distil.venue.text == "CoRR 2020"
    assert records["lewisBARTDenoisingSequencetoSequence2020"].venue.text == "ACL 2020"
    software = records["wolfTransformersStateoftheArtNatural2020"]
    assert software.kind is Kind.REPOSITORY
    assert software.url == "https://github.com/huggingface/transformers"
    blog = records["alammarIllustratedTransformer2018"]
    assert (blog.kind, blog.source) == (Kind.BLOG_POST, "Jay Alammar")


def test_strings_concatenation_crossref_accents_math_and_names():
    records, loaded = _by_key("tricky.bib")
    accents = records["mueller2019accents"]
    assert accents.title == r"Accents Überall: Attention in $O(n \log n)$ Time"
    assert [str(p) for p in accents.authors] == [
        "Mathias Müller",
        "Annette Rios",
        "Rico Sennrich",
        "Francisco Guzmán",
        "Jan Łukasiewicz",
        "Antonín Dvořák",
    ]
    assert accents.venue.text == "ACL 2019"  # procof # acl, through the @string macros
    sparse = records["child2019sparse"]
    assert sparse.venue.text == "ICML 2019"  # the crossref parent's title as booktitle
    assert _extra(sparse)["publisher"] == "PMLR"
    assert "icml2019" not in records
    report = records["who2020report"]
    assert report.authors == (
        Person("World Health Organization"),
        Person("Google Brain Team"),
    )
    names = records["king1963names"].authors
    assert names == (
        Person("King", "Martin Luther", jr="Jr."),
        Person("Maaten", "Laurens", "van der"),
        Person("Beethoven", "Ludwig", "van"),
        Person("Fontaine", "Jean", "de la"),
        Person("von Neumann", "John"),  # braced: one family name
        Person("Smith", "John", jr="Jr"),
    )
    messages = [(p.line, p.severity, p.message) for p in loaded.problems]
    assert (54, "warning", "lee2021patent: unknown entry type @patent: read as a paper") in messages
    assert records["lee2021patent"].kind is Kind.PAPER
    refused = [m for _, s, m in messages if "refused" in m]
    assert refused == ["hostile2020: refused the active link 'JaVaScRiPt:alert(document.cookie)'"]
    assert records["hostile2020"].links == ()


MALFORMED = """\
@article{ok2020,
  title = {Fine},
  year = 2020
}

@article{nocomma2020,
  title = {Missing comma}
  year = 2020
}

@inproceedings{unbalanced2021,
  title = {Unbalanced {braces},
  year = 2021
}

@article{commas2019,
  author = {Smith, John, Doe, Jane},
  title = {Too many commas}
}

@article{OK2020,
  title = {The same key in another case}
}
"""


def test_malformed_file_gives_one_error_per_problem_with_its_line():
    loaded = load_bibtex(MALFORMED, path="refs.bib")
    errors = [str(p) for p in loaded.errors]
    assert errors == [
        "refs.bib:6: error: missing comma before field 'year' (line 8) in entry 'nocomma2020'",
        "refs.bib:11: error: unbalanced braces in field 'title' of entry 'unbalanced2021' (its "
        "value runs on to line 16)",
        "refs.bib:17: error: commas2019: name 'Smith, John, Doe, Jane' has too many commas "
        "(BibTeX reads 'von Last, Jr, First')",
    ]
    warnings = [str(p) for p in loaded.problems if p.severity == "warning"]
    assert warnings == [
        "refs.bib:21: warning: duplicate key 'OK2020' at line 21 (also at line 1; BibTeX keys "
        "are case-insensitive)"
    ]
    with pytest.raises(BibtexError) as raised:
        read_bibtex(MALFORMED)
    assert len(raised.value.problems) == 3
    assert str(raised.value).count("\n") == 2  # one line per error


def test_read_bibtex_takes_a_path_or_the_text(tmp_path):
    text = "@misc{k, title = {A {BERT} Title}, url = {https://example.org/x}, year = 2020}"
    path = tmp_path / "one.bib"
    path.write_text(text, encoding="utf-8")
    assert read_bibtex(path) == read_bibtex(str(path)) == read_bibtex(text)
    (record,) = read_bibtex(text)
    assert (record.title, record.venue.text, record.key) == ("A BERT Title", "2020", "k")


@pytest.mark.parametrize(
    ("written", "year", "abbr"),
    [
        ("Proceedings of the 57th Annual Meeting of the Association for Computational "
         "Linguistics", 2019, "ACL"),
        ("Advances in Neural Information Processing Systems 32", 2019, "NeurIPS"),
        ("Advances in Neural Information Processing Systems 30", 2017, "NIPS"),
        ("7th International Conference on Learning Representations, {ICLR} 2019", 2019, "ICLR"),
        ("The Thirty-Fourth AAAI Conference on Artificial Intelligence, AAAI 2020", 2020, "AAAI"),
        ("Proceedings of the 36th International Conference on Machine Learning", 2019, "ICML"),
        ("Trans. Assoc. Comput. Linguistics", 2020, "TACL"),
        ("IEEE/CVF Conference on Computer Vision and Pattern Recognition ({CVPR})", 2020, "CVPR"),
        ("Proceedings of the 2019 Conference of the North American Chapter of the Association "
         "for Computational Linguistics: Tutorials", 2019, "NAACL"),  # the name before its colon
        ("Proceedings of the Workshop on Foo at ACL 2019", 2019, None),  # not ACL itself
        ("Some Journal Nobody Knows", 2019, None),
    ],
)  # fmt: skip
def test_venue_spellings_of_bib_files(written, year, abbr):
    found = lookup_full(written.replace("{", "").replace("}", ""), year)
    assert (found.abbr if found else None) == abbr


def test_findings_workshops_and_arxiv_as_venues():
    assert (
        venue_from_bib("Findings of the Association for Computational Linguistics: EMNLP 2020").name
        == "Findings of EMNLP"
    )
    # the short form, as DBLP and the list write it, is the Findings too, not the conference
    assert venue_from_bib("Findings of ACL", 2021).name == "Findings of ACL"
    assert venue_from_bib("arXiv preprint arXiv:1810.04805").name == "CoRR"
    assert venue_from_bib("arXiv e-prints").name == "CoRR"
    assert (
        venue_from_bib("Workshop on Representation Learning for NLP at ACL").name == "RepL4NLP@ACL"
    )


_VALUE = st.lists(
    st.sampled_from([*"ab Z{}\\\"'$%&#_~^-,.:;()[]*<>/@=\n", "é", "\\'", "{\\L}", " and "]),
    max_size=20,
).map("".join)
_FIELD_NAMES = st.sampled_from(
    ["author", "title", "booktitle", "journal", "year", "date", "url", "doi", "eprint",
     "archiveprefix", "howpublished", "note", "shorttitle", "abstract", "links", "subsection",
     "listvenue", "pages", "month", "editor"]
)  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(
    st.sampled_from(["article", "inproceedings", "misc", "online", "software", "book", "foo"]),
    st.lists(st.tuples(_FIELD_NAMES, _VALUE), max_size=8, unique_by=lambda f: f[0]),
)
def test_any_entry_reads_as_a_record_that_the_list_and_bibtex_can_take(entry_type, fields):
    """Whatever an entry holds, reading it never fails, its record renders to one list line
    that reads back as the same record, and writing it gives balanced BibTeX."""
    read = record_from_entry(entry_type, "k", fields)
    record = replace(read.record, sections=(("S", "P"),))
    line = render_entry(record)
    assert "\n" not in line
    back = parse_entry(line, ("S", "P")).record
    assert back is not None, line
    if record.kind not in (Kind.BLOG_POST, Kind.REPOSITORY, Kind.OTHER) or record.url:
        assert (back.title, back.authors, back.venue, back.links) == (
            record.title,
            record.authors,
            record.venue,
            record.links,
        ), line
    written = bibtex_entry(record, "k", sections=record.sections)
    for _, value in written.fields:
        depth = 0
        for c in value:
            depth += {"{": 1, "}": -1}.get(c, 0)
            assert depth >= 0, value
        assert depth == 0, value
