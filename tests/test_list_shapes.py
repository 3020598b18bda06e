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
    Venue,
    build_bibliography,
    read_bibtex,
    read_markdown,
    render_markdown,
    write_markdown,
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
    assert write_markdown(read_markdown(text)) == text


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


@pytest.mark.parametrize("name", ["awesome-nlp.md", "bert-papers.md", "reading-list.md"])
def test_each_list_exports_bib_files_that_compile_and_read_back(name, tmp_path):
    from tests.texdoc import compile_with_bibtex, require_tex

    library = _read(name)
    bibliography = build_bibliography(library, source_name=name)
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
    for name in ("awesome-nlp.md", "bert-papers.md", "reading-list.md"):
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
    assert write_markdown(strict) == LIST


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
    files = build_bibliography(library, file_names=config.section_files).files
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
    assert write_markdown(library) == text


def test_entries_added_to_a_numbered_list_go_on_counting():
    from atbib import Kind, Record, add_records

    library = _read("reading-list.md")
    new = [Record(Kind.PAPER, f"Paper {n}", venue=Venue("ACL 2021")) for n in (1, 2)]
    longer = add_records(library, ("Knowledge Distillation & Model Compression",), new)
    lines = write_markdown(longer).splitlines()
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
