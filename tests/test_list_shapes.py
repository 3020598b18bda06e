"""Lists that are not ATPapers: the shapes awesome lists and reading lists write their entries
in, which headings are bibliography, and what a line nested under another is.

tests/data/lists/ holds three realistic lists written for these tests: one modelled on
awesome-nlp (``*`` bullets, a table of contents, ``[Title](url) - comment`` lines, papers
whose title is their link with the venue after it, nested library bullets), one on
BERT-related-papers (``[Title](arxiv)`` papers, ``(ACL2019)`` venues, ``[[github](url)]``
links) and a numbered reading list in the thunlp style (``**Title**. *Authors*. Venue Year.
[[pdf](url)]``, authors without italics, ``(**NICK**)``). Each must read without loss,
become the records a reader sees in it, report what it cannot read, and export to .bib files
that BibTeX compiles without a warning and atbib reads back.
"""

from __future__ import annotations

import re

import pytest

from atbib import (
    Kind,
    Link,
    ListFormat,
    Person,
    Record,
    Venue,
    format_markdown,
    plan_export,
    read_bibtex,
    read_markdown,
    render_entry,
    render_markdown,
)
from atbib.markdown.nesting import GROUP_LABEL, SIDE_LINE
from tests.conftest import ROOT

LISTS = ROOT / "tests" / "data" / "lists"


def _read(name: str, list_format: ListFormat | None = None):
    return read_markdown(LISTS / name, list_format=list_format)


def _by_title(library):
    return {record.title: record for record in library.records}


@pytest.mark.parametrize("name", ["awesome-nlp.md", "bert-papers.md", "reading-list.md"])
def test_each_list_round_trips_byte_for_byte(name):
    text = (LISTS / name).read_text(encoding="utf-8")
    assert format_markdown(read_markdown(text)) == text


def test_awesome_nlp_papers_links_comments_and_furniture():
    library = _read("awesome-nlp.md")
    records = _by_title(library)
    # The table of contents and the license are not bibliography; nor is the group label
    # "**Python** - [Back to Top](#contents)" above the library bullets.
    assert not any(r.sections[0][0] in ("Contents", "License") for r in library.records)
    assert "Python" not in records and "C++" not in records
    assert len(library.items) == 19
    # A paper whose title is its link, the venue after it: a paper, linked as [[paper]].
    transformer = records["Attention Is All You Need"]
    assert transformer.kind is Kind.PAPER
    assert transformer.venue == Venue("NeurIPS 2017")
    assert transformer.links == (Link("paper", "https://arxiv.org/abs/1706.03762"),)
    assert transformer.description == "Introduced the Transformer"
    bert = records[
        "BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding"
    ]
    assert [link.label for link in bert.links] == ["paper", "code"]
    # A bare arXiv link is a paper too; its year comes from the identifier.
    ulmfit = records["Universal Language Model Fine-tuning for Text Classification"]
    assert ulmfit.kind is Kind.PAPER and ulmfit.year == 2018
    # Links with a comment (dash or none) are links with a description.
    overview = records["NLP-Overview"]
    assert overview.kind is Kind.OTHER and overview.url == "https://nlpoverview.com/"
    assert overview.description.startswith("is an up-to-date overview")
    assert records["spaCy"].kind is Kind.REPOSITORY
    assert records["spaCy"].sections == (("Libraries",),)
    # What it cannot read is kept and reported with its line; the group labels above the
    # nested library bullets are noted as such.
    assert [(p.line, p.severity) for p in library.problems] == [
        (37, "warning"),
        (56, "info"),
        (60, "info"),
        (62, "warning"),
    ]
    assert library.problems[1].message == GROUP_LABEL


def test_bert_papers_title_links_with_glued_venues_and_bracketed_links():
    library = _read("bert-papers.md")
    assert library.problems == ()
    assert len(library.items) == 14
    assert {r.kind for r in library.records} == {Kind.PAPER}
    records = _by_title(library)
    look = records["What Does BERT Look At? An Analysis of BERT's Attention"]
    assert look.venue == Venue("BlackBoxNLP2019") and look.year == 2019
    assert look.links == (
        Link("paper", "https://arxiv.org/abs/1906.04341"),
        Link("github", "https://github.com/clarkkev/attention-analysis"),
    )
    assert records["BERT Rediscovers the Classical NLP Pipeline"].venue.name == "ACL"
    assert records["A BERT Baseline for the Natural Questions"].sections == (
        ("Downstream task", "QA, MC, Dialogue"),
    )


def test_numbered_reading_list_bold_titles_bare_venues_and_pdf_links():
    library = _read("reading-list.md")
    records = _by_title(library)
    assert len(library.items) == 13
    first = records["Semi-supervised Sequence Learning"]
    assert first.authors == (Person("Dai", "Andrew M."), Person("Le", "Quoc V."))
    assert first.venue == Venue("NIPS 2015")
    assert first.links == (Link("pdf", "https://arxiv.org/pdf/1511.01432.pdf"),)
    assert (
        records["context2vec: Learning Generic Context Embedding with Bidirectional LSTM"].nickname
        == "context2vec"
    )
    assert records["Improving Language Understanding by Generative Pre-Training"].venue == Venue(
        "Preprint"
    )
    # "**Title.** *Authors.* Venue. [paper](url)": the full stops are punctuation.
    roberta = records["RoBERTa: A Robustly Optimized BERT Pretraining Approach"]
    assert roberta.authors[-1] == Person("Stoyanov", "Veselin")
    assert roberta.venue == Venue("arXiv 2019")
    assert [link.label for link in roberta.links] == ["paper", "code"]
    # Authors without italics are told from the venue at the last ". " before it.
    albert = records["ALBERT: A Lite BERT for Self-supervised Learning of Language Representations"]
    assert len(albert.authors) == 6 and albert.authors[0] == Person("Lan", "Zhenzhong")
    assert albert.venue == Venue("ICLR 2020")
    # Lines nested under an entry are its side lines: kept and reported, never entries.
    assert [(p.line, p.message) for p in library.problems] == [(27, SIDE_LINE), (28, SIDE_LINE)]
    # The contributing steps are not bibliography.
    assert all(r.sections[0][0] != "Contributing" for r in library.records)


ALL_LISTS = [
    "awesome-nlp.md",
    "bert-papers.md",
    "reading-list.md",
    "graph-papers.md",
    "large-models.md",
    "prompt-papers.md",
    "citation-style.md",
    "deep-learning-classics.md",
]
"""These three lists and the five of test_paper_lists.py."""


@pytest.mark.parametrize("name", ALL_LISTS)
def test_each_list_exports_bib_files_that_compile_and_read_back(name, tmp_path):
    from tests.texdoc import compile_with_bibtex, require_tex

    library = _read(name)
    bibliography = plan_export(library, source_name=name)
    all_bib = bibliography.files["all.bib"]
    back = read_bibtex(all_bib)
    assert [r.title for r in back] == [w.record.title for w in bibliography.works]
    assert [r.authors for r in back] == [w.record.authors for w in bibliography.works]
    assert [r.venue for r in back] == [w.record.venue for w in bibliography.works]
    require_tex()
    path = tmp_path / "all.bib"
    path.write_text(all_bib, encoding="utf-8")
    keys = re.findall(r"^@\w+\{([^,]+),$", all_bib, re.MULTILINE)
    assert len(keys) == len(bibliography.works)
    result = compile_with_bibtex(path, keys, tmp_path / "tex", style="plain")
    assert result.ok, "\n".join(result.problems)


def test_rendering_a_list_in_another_shape_gives_the_same_records():
    for name in ALL_LISTS:
        library = _read(name)
        again = read_markdown(render_markdown(library.records))
        shown = [
            (r.kind, r.title, r.authors, r.venue, r.url, r.links, r.nickname, r.description)
            for r in library.records
        ]
        assert [
            (r.kind, r.title, r.authors, r.venue, r.url, r.links, r.nickname, r.description)
            for r in again.records
        ] == shown, name


# -- which headings are bibliography --------------------------------------------------------

LIST = """# My list
## Contents
- [Papers](#papers)
## 📝 Papers
- [Attention Is All You Need](https://arxiv.org/abs/1706.03762) (NIPS 2017)
## Tools
- [fairseq](https://example.org/fairseq) - sequence modelling toolkit
## Talks
- [Transformers explained](https://example.org/talk)
## License
- [CC0](https://creativecommons.org/publicdomain/zero/1.0/)
"""


def test_default_headings_skip_the_contents_and_the_license():
    library = read_markdown(LIST)
    assert [r.sections[0][0] for r in library.records] == ["📝 Papers", "Tools", "Talks"]
    assert library.problems == ()


def test_include_and_exclude_headings_by_pattern():
    only_papers = read_markdown(LIST, list_format=ListFormat(include=("papers",)))
    assert [r.title for r in only_papers.records] == ["Attention Is All You Need"]
    # Exclusions replace the default list: the license is read now; the contents hold only
    # links to headings of the page, which are never works.
    no_talks = read_markdown(LIST, list_format=ListFormat(exclude=("T*",)))
    assert [r.sections[0][0] for r in no_talks.records] == ["📝 Papers", "License"]
    assert no_talks.problems == ()


def test_kinds_by_heading():
    fmt = ListFormat(kinds=(("tools", Kind.REPOSITORY), ("talks", Kind.SLIDES)))
    records = _by_title(read_markdown(LIST, list_format=fmt))
    assert records["fairseq"].kind is Kind.REPOSITORY
    assert records["fairseq"].description == "sequence modelling toolkit"
    talk = records["Transformers explained"]
    assert talk.kind is Kind.SLIDES and talk.links == (Link("slides", "https://example.org/talk"),)
    # Without the setting, a link to no known kind of place is "other".
    assert _by_title(read_markdown(LIST))["fairseq"].kind is Kind.OTHER


def test_house_style_only_reports_other_shapes():
    strict = read_markdown(LIST, list_format=ListFormat(house_style_only=True))
    assert [p.line for p in strict.problems] == [5]
    assert format_markdown(strict) == LIST


def test_configuration_is_read_from_pyproject(tmp_path, monkeypatch):
    from atbib.config import load_config
    from atbib.errors import AtbibError

    (tmp_path / "pyproject.toml").write_text(
        "[tool.atbib]\n"
        'list = "awesome.md"\n'
        'include-headings = ["Papers", "Tools"]\n'
        'heading-kinds = { "Tools" = "repository" }\n'
        'section-files = { "Papers" = "papers-and-tools.bib", "Tools" = "papers-and-tools.bib" }\n',
        encoding="utf-8",
    )
    (tmp_path / "awesome.md").write_text(LIST.replace("📝 ", ""), encoding="utf-8")
    config = load_config(tmp_path)
    assert config.list_format.include == ("Papers", "Tools")
    assert config.list_format.kinds == (("Tools", Kind.REPOSITORY),)
    library = read_markdown(config.list_file, list_format=config.list_format)
    assert [r.kind for r in library.records] == [Kind.PAPER, Kind.REPOSITORY]
    files = plan_export(library, file_names=config.section_files).files
    assert sorted(files) == ["all.bib", "keys.tsv", "papers-and-tools.bib"]
    assert files["papers-and-tools.bib"].splitlines()[0] == (
        '% Generated by atbib from README.md, sections "Papers", "Tools". Do not edit by hand:'
    )
    assert files["papers-and-tools.bib"].count("\n@") == 2
    for bad, message in [
        ('heading-kinds = { "Tools" = "tool" }', "is not a kind"),
        ('section-files = { "Tools" = "../tools.bib" }', "not a .bib file name"),
        ('section-files = { "Tools" = "all.bib" }', "atbib's own file"),
        ("include-headings = 3", "include-headings must be a list"),
    ]:
        (tmp_path / "pyproject.toml").write_text(f"[tool.atbib]\n{bad}\n", encoding="utf-8")
        with pytest.raises(AtbibError, match=re.escape(message)):
            load_config(tmp_path)


def test_export_uses_the_configured_section_files(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from atbib.cli import main

    (tmp_path / "pyproject.toml").write_text(
        '[tool.atbib]\nlist = "list.md"\nsection-files = { "Papers" = "core.bib" }\n',
        encoding="utf-8",
    )
    (tmp_path / "list.md").write_text(LIST, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["export"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "bib").iterdir()) == [
        "all.bib",
        "core.bib",
        "keys.tsv",
        "talks.bib",
        "tools.bib",
    ]
    assert CliRunner().invoke(main, ["check"]).exit_code == 0


# -- nested bullets -------------------------------------------------------------------------


def test_group_labels_and_side_lines():
    text = (
        "## Papers\n"
        "- Machine Translation\n"
        "  - **Attention Is All You Need**. *Ashish Vaswani*. NIPS 2017. [[pdf](https://arxiv.org/pdf/1706.03762)]\n"
        "    - the Transformer paper\n"
        "    - [code](https://github.com/tensorflow/tensor2tensor)\n"
        "  - [Convolutional Sequence to Sequence Learning](https://arxiv.org/abs/1705.03122) (ICML 2017)\n"
        "- **Parsing**\n"
        "  1. [Constituency Parsing with a Self-Attentive Encoder](https://arxiv.org/abs/1805.01052)\n"
        "- Text without a link, and nothing below it\n"
    )
    library = read_markdown(text)
    assert [(i.line, i.record.title) for i in library.items] == [
        (3, "Attention Is All You Need"),
        (6, "Convolutional Sequence to Sequence Learning"),
        (8, "Constituency Parsing with a Self-Attentive Encoder"),
    ]
    assert all(r.sections == (("Papers",),) for r in library.records)
    assert [(p.line, p.severity, p.message) for p in library.problems] == [
        (2, "info", GROUP_LABEL),
        (4, "warning", SIDE_LINE),
        (5, "warning", SIDE_LINE),
        (7, "info", GROUP_LABEL),
        (9, "warning", "no link, venue or authors: not an entry"),
    ]
    assert format_markdown(library) == text


def test_entries_added_to_a_numbered_list_go_on_counting():
    from atbib import Kind, Record, add_records

    library = _read("reading-list.md")
    new = [Record(Kind.PAPER, f"Paper {n}", venue=Venue("ACL 2021")) for n in (1, 2)]
    longer = add_records(library, ("Knowledge Distillation & Model Compression",), new)
    lines = format_markdown(longer).splitlines()
    at = lines.index(
        "3. **Q8BERT: Quantized 8Bit BERT**. *Ofir Zafrir, Guy Boudoukh, Peter Izsak, Moshe Wasserblat*. NeurIPS 2019 Workshop. [[pdf](https://arxiv.org/pdf/1910.06188.pdf)]"
    )
    # After the entry's nested side lines, numbered on from the last entry.
    assert lines[at + 3 : at + 5] == ["4. Paper 1 (ACL 2021)", "5. Paper 2 (ACL 2021)"]


def test_the_other_shapes_are_read_in_linear_time():
    import time

    from atbib.markdown.entry import parse_entry

    n = 19_000
    hostile = [
        "[[a]](b) - x" + " " * n + "y",
        "**T**. " + "Ab. " * (n // 4) + "[[pdf](u)]",
        "**T**. " + "Ab Cd, " * (n // 7) + ". ACL 2019. [[pdf](u)]",
        "**T** " + "[[a](b)] " * (n // 9),
        "**T** [[a](b)] (**" + "x" * n,
        "[T](u)" + " " * n + "z",
        "**T** [a](b)" + " |" * (n // 2) + "x",
        "**T**. *" + "a, " * (n // 3) + "* x",
        "**1. " + "\\[1. " * (n // 5) + "*",  # found by fuzzing: 1.3 s a line
        "**T** " + "[\\[x" * (n // 4) + "](u)",
    ]
    for body in hostile:
        started = time.perf_counter()
        parse_entry(body, ("Papers",))
        assert time.perf_counter() - started < 0.5, body[:40]


# -- shapes of real paper lists -------------------------------------------------------------


def _one(text: str):
    """The single record of a list with one item under a heading."""
    (record,) = read_markdown("## Papers\n" + text).records
    return record


def test_an_item_that_goes_on_below_its_bullet_line_is_one_work():
    text = (
        "## Papers\n"
        "1. **Graph Neural Networks: A Review.**\n"
        "*Ada Lovelace, Alan Turing.* IEEE TKDE 2020. [paper](https://arxiv.org/abs/2001.00001)\n"
        "\n"
        "1. **Deep Sets.** NIPS 2017. [paper](https://arxiv.org/abs/1703.06114)\n"
        "\n"
        "    *Grace Hopper, Alan Turing.*\n"
        "\n"
        "1. **Attention.** ACL 2019. [paper](https://arxiv.org/abs/1906.00001)\n"
        "   We read this one twice.\n"
    )
    library = read_markdown(text)
    assert format_markdown(library) == text
    first, second, third = library.items
    assert (first.line, first.record.title) == (2, "Graph Neural Networks: A Review")
    assert first.record.authors == (Person("Lovelace", "Ada"), Person("Turing", "Alan"))
    assert first.record.venue == Venue("IEEE TKDE 2020")
    assert (second.line, second.record.authors[0]) == (5, Person("Hopper", "Grace"))
    # Text that goes on the entry and reads as its comment is its comment.
    assert third.record.description == "We read this one twice."
    assert library.problems == ()


def test_a_line_that_goes_on_an_entry_but_does_not_read_with_it_is_reported():
    text = "## Papers\n- **Title**. *A B*. (ACL 2019) [[paper]](https://x.org/a)\n  [see also](\n"
    library = read_markdown(text)
    assert [(i.line, i.record.title) for i in library.items] == [(2, "Title")]
    assert [(p.line, p.code) for p in library.problems] == [(3, "continuation-line")]
    assert format_markdown(library) == text


@pytest.mark.parametrize(
    "written", ["et al.", "et al", "et. al.", "et.al.", "el al.", "and others", "Et Al."]
)
def test_et_al_in_any_spelling_is_the_authors_left_out(written):
    record = _one(
        f"- **Scaling Laws.** *Grace B. Hopper {written}* ACL 2020. "
        "[paper](https://arxiv.org/abs/2001.00003)\n"
    )
    assert record.authors == (Person("Hopper", "Grace B."), Person("others"))
    work = plan_export(read_markdown("## Papers\n- " + render_entry(record))).works[0]
    assert work.key == "hopper2020scaling"
    entry = plan_export(read_markdown("## P\n- " + render_entry(record))).files["all.bib"]
    assert "author        = {Hopper, Grace B. and others}" in entry
    # atbib writes it "et al." and reads that back.
    assert "*Grace B. Hopper et al.*" in render_entry(record)


def test_et_al_after_the_italics_and_bibtex_author_lists():
    assert _one(
        "- **T.** *Linting Xue* et al. NAACL 2021. [[Paper](https://x.org/a)]\n"
    ).authors == (
        Person("Xue", "Linting"),
        Person("others"),
    )
    bibtex_form = _one(
        "- **T.** arxiv 2018. [paper](https://x.org/b) "
        "*Battaglia, Peter W and Hamrick, Jessica B and others.*\n"
    )
    assert bibtex_form.authors == (
        Person("Battaglia", "Peter W"),
        Person("Hamrick", "Jessica B"),
        Person("others"),
    )
    assert _one(
        "- **T.** *Yi Sun\\*, Yu Zheng\\*, Chao Hao* [[pdf](https://x.org/c)], 2021.9\n"
    ).authors == (
        Person("Sun", "Yi"),
        Person("Zheng", "Yu"),
        Person("Hao", "Chao"),
    )


@pytest.mark.parametrize(
    "line, title",
    [
        ('- **"Scaling Laws for Attention"**. *Ada Lovelace*. ICLR 2021. [pdf](https://x.org/a)', "Scaling Laws for Attention"),
        ("- **Scaling Laws for Attention.** *Ada Lovelace.* ICLR 2021. [pdf](https://x.org/a)", "Scaling Laws for Attention"),
        ("- **Scaling Laws for Attention.**. *Ada Lovelace*. (ICLR 2021) [[paper]](https://x.org/a)", "Scaling Laws for Attention"),
        ("- **Is Attention All You Need...**. *Ada Lovelace*. (ICLR 2021) [[paper]](https://x.org/a)", "Is Attention All You Need..."),
    ],
)  # fmt: skip
def test_quotes_and_the_full_stop_around_a_title_are_not_the_title(line, title):
    assert _one(line + "\n").title == title


def test_a_title_that_ends_in_a_full_stop_or_is_quoted_is_written_so_it_reads_back():
    for title in ("Attention Is All You Need.", '"Quoted" Twice "Quoted"', '"Whole"'):
        record = Record(
            Kind.PAPER, title, authors=(Person("Lovelace", "Ada"),), venue=Venue("ICLR 2021")
        )
        assert _one("- " + render_entry(record) + "\n").title == title


def test_citation_style_lines():
    acl = _one(
        "- Ada Lovelace, Alan Turing, and Grace Hopper. 2015. [Attention for Machine "
        "Translation](https://example.org/a). In *Proceedings of ICLR*.\n"
    )
    assert (acl.title, acl.year, acl.venue) == (
        "Attention for Machine Translation",
        2015,
        Venue("ICLR 2015"),
    )
    assert [p.family for p in acl.authors] == ["Lovelace", "Turing", "Hopper"]
    assert acl.links == (Link("paper", "https://example.org/a"),)
    apa = _one("- A. Author, B. Writer. Neural Things. NeurIPS, 2019.\n")
    assert (apa.title, apa.authors, apa.venue) == (
        "Neural Things",
        (Person("Author", "A."), Person("Writer", "B.")),
        Venue("NeurIPS 2019"),
    )


def test_a_name_or_an_identifier_before_the_title_is_not_the_title():
    x5 = _one('1. <u>X5</u>: **"A Unified Text-to-Text Model"**. *Ada Lovelace et al.* JMLR 2020. [[Paper](https://x.org/a)]\n')  # fmt: skip
    assert (x5.title, x5.nickname, x5.venue) == (
        "A Unified Text-to-Text Model",
        "X5",
        Venue("JMLR 2020"),
    )
    bold = _one("- **X5**: A Unified Model. *Ada Lovelace*. ACL 2020. [pdf](https://x.org/b)\n")
    assert (bold.title, bold.nickname) == ("A Unified Model", "X5")
    identified = _one(
        "- [arXiv:2001.00002](https://arxiv.org/abs/2001.00002), Contextual Data "
        "Augmentation, Authors: Ada Lovelace, Alan Turing\n"
    )
    assert identified.title == "Contextual Data Augmentation"
    assert identified.links == (Link("paper", "https://arxiv.org/abs/2001.00002"),)
    assert [p.family for p in identified.authors] == ["Lovelace", "Turing"]
    assert identified.year == 2020


def test_small_quirks_drop_no_item():
    assert (
        _one("- **T**. *A B*. NeurIPS 2019. [[pdf](https://x.org/a)] (**XLM** )\n").nickname
        == "XLM"
    )
    assert _one(
        "- **T**. *A B*. ACL 2020. [[pdf](https://x.org/a)] (**NAME (Lab)**)\n"
    ).nickname == ("NAME (Lab)")
    repository = _one("- [owner / repo](https://github.com/o/r) - A **fast** `C++` library\n")
    assert (repository.kind, repository.description) == (Kind.REPOSITORY, "A fast C++ library")
    assert _one("1.  **Two spaces**. *A B*. EMNLP 2019, [[pdf](https://x.org/b)]\n").venue == Venue(
        "EMNLP 2019"
    )


def test_links_to_headings_comments_and_linked_headings_are_no_works():
    text = (
        "# My List\n"
        "## [Content](#content)\n"
        "1. [Survey Papers](#survey-papers)\n"
        "## [Survey papers](#content)\n"
        "- [Papers of the week](#papers-of-the-week) are below.\n"
        "<!--\n"
        "- **Hidden**. *A B*. (ACL 2019) [[paper]](https://x.org/hidden)\n"
        "-->\n"
        "- **Seen**. *A B*. (ACL 2019) [[paper]](https://x.org/seen)\n"
    )
    library = read_markdown(text)
    assert [(r.title, r.sections) for r in library.records] == [("Seen", (("Survey papers",),))]
    assert library.problems == ()
    assert sorted(plan_export(library).files) == ["all.bib", "keys.tsv", "survey-papers.bib"]


@pytest.mark.parametrize(
    "venue, entry_type, field",
    [
        ("Preprint", "misc", None),
        ("arXiv 2020", "misc", None),
        ("CoRR 2020", "misc", None),
        ("Tech report 2020", "misc", "howpublished"),
        ("Science 2020", "article", "journal"),
        ("Nature 2020", "article", "journal"),
        ("JMLR 2020", "article", "journal"),
        ("TACL 2020", "article", "journal"),
        ("TPAMI 2020", "article", "journal"),
        ("IEEE TKDE 2020", "article", "journal"),
        ("IEEE TNNLS 2020", "article", "journal"),
        ("Neural Computation 2020", "article", "journal"),
        ("LREC 2020", "inproceedings", "booktitle"),
        ("*SEM 2020", "inproceedings", "booktitle"),
        ("USENIX Security 2020", "inproceedings", "booktitle"),
    ],
)
def test_preprints_are_no_conferences_and_journals_are_articles(venue, entry_type, field):
    from atbib.bibtex.overlay import bibtex_entry

    record = Record(
        Kind.PAPER,
        "T",
        authors=(Person("Lovelace", "Ada"),),
        venue=Venue(venue),
        links=(Link("paper", "https://example.org/t.pdf"),),
    )
    entry = bibtex_entry(record, "k")
    assert entry.entry_type == entry_type
    if field is not None:
        assert entry.get(field) not in (None, "Preprint")
    assert entry.get("booktitle") is None or entry_type == "inproceedings"


def test_a_year_is_a_year_only_where_it_stands_as_one():
    assert Venue("WMT newstest2017").year is None
    assert Venue("ICLR2020").year == 2020 and Venue("CS224n Winter2019 Reports").year == 2019
    record = _one(
        "- **T**. *A B*. WMT 2018. [[pdf](https://x.org/a)] - 27.7 BLEU on newstest2017\n"
    )
    assert (record.year, record.description) == (2018, "27.7 BLEU on newstest2017")


def test_two_papers_that_share_a_wrong_link_are_two_works():
    from atbib.lint import lint

    text = (
        "## Papers\n"
        "- **Prompt Tuning v3**. *A B*. (ACL 2021) [[paper]](https://arxiv.org/abs/2110.07890)\n"
        "- **Black-Box Prompt Search**. *C D*. (ACL 2022) [[paper]](https://arxiv.org/abs/2110.07890)\n"
        "- **Prompt Tuning v3: Comparable to Fine-tuning**. *A B*. (ACL 2021) [[paper]](https://arxiv.org/abs/2110.07890)\n"
    )  # fmt: skip
    library = read_markdown(text)
    bibliography = plan_export(library)
    assert [w.entries for w in bibliography.works] == [(0, 2), (1,)]
    again = plan_export(library, bibliography.registry)
    assert [w.key for w in again.works] == [w.key for w in bibliography.works]
    shared = [p for p in lint(library) if p.code == "same-link-different-titles"]
    assert [(p.line, p.severity) for p in shared] == [(3, "warning")]
    assert "same link as line 2" in shared[0].message


# -- never lose an item silently ------------------------------------------------------------


def test_items_that_look_like_works_but_do_not_read_are_counted_and_named(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from atbib.cli import main

    text = (
        "# Reading list\n"
        "## Papers\n"
        "- **Attention**. *A B*. (ACL 2019) [[paper]](https://arxiv.org/abs/1906.00001)\n"
        "- [spaCy](https://github.com/explosion/spaCy) - industrial NLP\n"
        "- **Broken**. *A B*. ACL 2019. [paper](https://example.org/a b.pdf)\n"
        "- Remember to read the survey first\n"
    )
    (tmp_path / "README.md").write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["export"])
    assert result.exit_code == 0, result.output
    assert (
        "2 works (1 paper, 1 repository) from 2 entries; 1 item not read; "
        "3 files changed, 0 unchanged" in result.stdout
    )
    assert (
        "README.md:5: warning: a link is not written [text](url) (a space in its URL, or an "
        "unclosed bracket?): 'ACL 2019. [paper](https://example.org/a b.pdf)' (kept as written)"
    ) in result.stderr
    linted = CliRunner().invoke(main, ["lint"])
    assert "README.md:5: warning: a link is not written" in linted.stdout
    library = read_markdown(text)
    assert [(p.line, p.code) for p in library.problems] == [
        (5, "unread-item"),
        (6, "unparsed-line"),
    ]


def test_a_list_read_poorly_gets_a_warning_about_the_whole_list():
    unread = "## Papers\n" + "".join(
        f"- 2019 | [Paper {n}](https://example.org/{n}) | Ada Lovelace\n" for n in range(12)
    )
    (problem, *_) = read_markdown(unread, path="list.md").problems
    assert (problem.line, problem.code, problem.severity) == (0, "few-works-read", "warning")
    assert str(problem) == (
        "list.md: warning: only 0 of the 12 items that look like works were read as works: "
        "the list is written in a shape atbib does not read (see 'Shapes atbib reads' in the "
        "guide)"
    )
    authorless = "## Papers\n" + "".join(
        f"- [Paper {n}](https://example.org/{n}) - _Ada Lovelace, Alan Turing_ (2019)\n"
        for n in range(6)
    )
    (problem,) = read_markdown(authorless, path="list.md").problems
    assert problem.code == "no-authors-read"
    assert "6 of its 6 items show author lines" in problem.message
    # A list of repositories shows no authors, and gets no warning.
    assert read_markdown(LIST).problems == ()


# -- a list's own venues ----------------------------------------------------------------------

VENUE_LIST = """## Papers
- **Sparse Graph Signals**. *Ada Lovelace*. (GSP Letters 2020) [[paper]](https://example.org/a.pdf)
- **Learning on Meshes**. *Alan Turing*. (MeshConf 2021) [[paper]](https://example.org/b.pdf)
"""


def test_a_list_names_its_own_venues_in_pyproject(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from atbib import list_venues
    from atbib.cli import main
    from atbib.config import load_config
    from atbib.errors import AtbibError

    (tmp_path / "README.md").write_text(VENUE_LIST, encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text(
        "[tool.atbib.venues]\n"
        '"GSP Letters" = { name = "Graph Signal Processing Letters", type = "journal" }\n'
        'MeshConf = "International Conference on Mesh Learning"\n',
        encoding="utf-8",
    )
    # From Python: the configuration's venues, known while the block runs.
    config = load_config(tmp_path)
    assert [v.abbr for v in config.venues] == ["GSP Letters", "MeshConf"]
    library = read_markdown(VENUE_LIST)
    with list_venues(config.venues):
        assert [r.venue.parsed.known for r in library.records] == [True, True]
    assert [r.venue.parsed.known for r in library.records] == [False, False]
    # The command line knows them: no unknown venue, the journal's paper is an article.
    monkeypatch.chdir(tmp_path)
    assert CliRunner().invoke(main, ["lint"]).stdout.count("unknown venue") == 0
    assert CliRunner().invoke(main, ["export"]).exit_code == 0
    all_bib = (tmp_path / "bib" / "all.bib").read_text(encoding="utf-8")
    assert "@article{lovelace2020sparse," in all_bib
    assert "journal    = {Graph Signal Processing Letters}," in all_bib
    assert "booktitle  = {International Conference on Mesh Learning}," in all_bib
    (tmp_path / "pyproject.toml").write_text(
        '[tool.atbib.venues]\nX = { name = "X Conf", type = "symposium" }\n', encoding="utf-8"
    )
    with pytest.raises(AtbibError, match="venues: 'X' has type 'symposium'"):
        load_config(tmp_path)


def test_lint_on_a_list_without_its_venues_names_them_unknown(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from atbib.cli import main

    (tmp_path / "README.md").write_text(VENUE_LIST, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert CliRunner().invoke(main, ["lint"]).stdout.count("unknown venue") == 2


# -- new lines in the list's own style ------------------------------------------------------


def test_new_entries_follow_the_style_of_the_section():
    from atbib import add_records

    new = Record(
        Kind.PAPER,
        "Sparse Attention in Practice",
        authors=(Person("Lovelace", "Ada"), Person("Turing", "Alan")),
        venue=Venue("ICLR 2021"),
        links=(Link("paper", "https://arxiv.org/abs/2101.00001"),),
    )
    reading = add_records(_read("reading-list.md"), ("Models",), [new])
    line = next(i for i in reading.items if i.record.title == new.title)
    assert line.text == (
        "11. **Sparse Attention in Practice**. *Ada Lovelace, Alan Turing*. ICLR 2021. "
        "[[pdf](https://arxiv.org/abs/2101.00001)]"
    )
    graph = add_records(_read("graph-papers.md"), ("Applications",), [new])
    line = next(i for i in graph.items if i.record.title == new.title)
    assert line.text == (
        "1. **Sparse Attention in Practice.** *Ada Lovelace, Alan Turing.* ICLR 2021. "
        "[paper](https://arxiv.org/abs/2101.00001)"
    )
    # Each line reads back as the record it stands for, its own link labelled as the list's.
    for library in (reading, graph):
        again = read_markdown(format_markdown(library))
        added = next(r for r in again.records if r.title == new.title)
        assert (added.authors, added.venue, added.links[0].url) == (
            new.authors,
            new.venue,
            "https://arxiv.org/abs/2101.00001",
        )
    # A section in atbib's house style gets house style.
    house = add_records(read_markdown(LIST), ("📝 Papers",), [new])
    assert format_markdown(house).splitlines()[5] == f"- {render_entry(new)}"


def test_the_new_shapes_and_the_coverage_check_are_read_in_linear_time():
    """Runs of spaces, commas, marks and digits where the new patterns look (authors,
    citations, nicknames, identifier links, footnote marks, italics over many lines)."""
    import time

    n = 19_000
    hostile = [
        "**T**. *A" + " " * n + ", B*. ACL 2019. [pdf](u)",
        "*" + "a, " * (n // 3),
        "**T**. *A B" + " " * n + "et al.* ACL 2019 [pdf](u)",
        "Ada Lovelace, Alan Turing. 2015. [T](u). In *X" + " " * n + ", 2019*.",
        "**T** [pdf](u) (** " + " " * n + "x",
        "[arXiv:2001.00002](u), T" + " " * n + "x",
        "a" + " " * n + "b *",
        "**T**. *A B" + "1" * n + "x*. [pdf](u)",
        "Ada Lovelace" + " " * n + "(2015). T. V.",
        "**" + "x*" * (n // 2),
        "<!--" * (n // 4),
        "![" * (n // 2),
        "**T**. [pdf](u) " + "2021." * (n // 5),
    ]
    for body in hostile:
        started = time.perf_counter()
        read_markdown("## P\n- " + body + "\n" + ("  *A, B* x\n" * 50))
        assert time.perf_counter() - started < 0.5, body[:40]
