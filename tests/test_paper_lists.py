"""Five paper lists in the shapes real ones use, each read as a person reads it.

tests/data/lists/ holds, besides the three lists of test_list_shapes.py, five lists made up
for these tests in the shapes of popular paper lists, one family of shapes each:

* graph-papers.md, a thunlp-style "must-read" list: headings that are links, a table of
  contents as a table, ``1.`` items whose authors come on the next line or in a paragraph
  under the item, BibTeX author lists with ``and others``, journals (IEEE TKDE, Neural
  Computation), an item hidden in an HTML comment, and one item whose link is broken;
* large-models.md, a model list: ``<u>NAME</u>: **"Title"**. *A et al.* Venue.``, ``et al.``
  after the italics or misspelt, corpora that are only a name and a link, an HTML table;
* prompt-papers.md: badges after the title, authors, links and a date (``2021.11``) in a
  paragraph under the item, ``Preprint`` venues, two papers given one (wrong) link;
* citation-style.md: ACL- and APA-style citations, with and without a title link;
* deep-learning-classics.md: ``**Title** (2015), A. Author et al. [[pdf]](url)`` under a
  table of contents whose sections are one level below it, nicknames in parentheses with
  quirks, identifiers as link texts, repositories with emphasis in their descriptions.

For every work item the test gives the title, the authors and the year a person reads from
the line; every other item is either no work (and not one) or reported with its reason.
"""

from __future__ import annotations

import pytest

from atbib import Kind, format_markdown, plan_export, read_markdown
from atbib.lint import lint
from atbib.model import ET_AL
from tests.conftest import ROOT

LISTS = ROOT / "tests" / "data" / "lists"
NEW_LISTS = [
    "graph-papers.md",
    "large-models.md",
    "prompt-papers.md",
    "citation-style.md",
    "deep-learning-classics.md",
]


def _read(name: str):
    return read_markdown(LISTS / name)


def _seen(record):
    """What a person reads from a work's line: its title, its authors' family names (``et
    al.`` as ``+``) and its year."""
    names = tuple("+" if p == ET_AL else p.family for p in record.authors)
    return record.title, names, record.year


@pytest.mark.parametrize("name", NEW_LISTS)
def test_each_list_round_trips_byte_for_byte(name):
    text = (LISTS / name).read_text(encoding="utf-8")
    assert format_markdown(read_markdown(text)) == text


def test_must_read_list_items_over_several_lines():
    library = _read("graph-papers.md")
    assert [_seen(r) for r in library.records] == [
        (
            "Graph Neural Networks: A Review of Ideas and Uses",
            ("Ostrova", "Lindqvist", "Okafor", "Tavares"),
            2019,
        ),
        ("A Survey of Message Passing on Graphs", ("Lindqvist", "Okafor", "Marchetti", "+"), 2021),
        ("Learning on Relational Structures: Past and Future", ("Marchetti", "Dufour"), 2018),
        ("Deep Learning on Graph Domains: A Tutorial", ("Okafor", "Dufour"), 2017),
        ("Convolutional Filters on Irregular Domains", ("Tavares", "Ostrova"), 2017),
        (
            "Attention over Neighbourhoods",
            ("Dufour", "Aaltonen", "Marchetti", "Nwosu", "Tavares", "Lindqvist"),
            2018,
        ),
        (
            "Sampling Neighbours for Scalable Node Embeddings",
            ("Nwosu", "Aaltonen", "Tavares"),
            2017,
        ),
        (
            "Pooling Graphs Hierarchically",
            ("Aaltonen", "Wei", "Ostrova", "Tavares", "Marchetti", "Okafor"),
            2018,
        ),
        (
            "How Expressive are Message Passing Networks?",
            ("Wei", "Nwosu", "Okafor", "Lindqvist"),
            2019,
        ),
        ("Recursive Networks for Structured Inputs", ("Marchetti", "Dufour", "Tavares"), 2009),
        ("Graph Kernels Meet Neural Networks", ("Dufour", "Aaltonen"), 2011),
        ("Learning to Route with Graph Attention", ("Nwosu", "Wei", "Tavares"), 2018),
        (
            "Molecules as Graphs: Predicting Quantum Properties",
            ("Lindqvist", "Okafor", "Aaltonen", "Wei", "Ostrova"),
            2017,
        ),
        (
            "Recommending with Graph Convolutions at Web Scale",
            ("Wei", "Dufour", "Nwosu", "Marchetti"),
            2018,
        ),
        ("Reading Comprehension over Entity Graphs", ("Ostrova", "Aaltonen"), 2019),
    ]
    first = library.items[0]
    assert first.line == 16 and first.text.count("\n") == 2  # the item, a blank, its authors
    # "## [Surveys](#content)" is the section "Surveys"; the table of contents is no work.
    assert library.records[0].sections == (("Surveys",),)
    assert library.records[1].venue.parsed.info.abbr == "TKDE"
    # The draft inside <!-- ... --> is not read; the broken link is reported, with why.
    assert "A Draft" not in format_markdown(library).split("<!--")[0]
    (problem,) = library.problems
    assert (problem.line, problem.code) == (85, "unread-item")
    assert "a space in its URL" in problem.message


def test_model_list_prefixed_names_quoted_titles_and_et_al():
    library = _read("large-models.md")
    seen = {r.title: r for r in library.records}
    assert [_seen(r) for r in library.records[:10]] == [
        ("A Unified Text-to-Text Model for Every Task", ("Lovelace", "+"), 2020),
        ("mX5: A Massively Multilingual Text-to-Text Model", ("Hopper", "+"), 2021),
        ("Kestrel-20B: An Open Autoregressive Language Model", ("Wierzbicki", "+"), 2022),
        ("Heron: Open and Efficient Foundation Models", ("Herrera", "+"), 2023),
        ("Pelican: A Suite for Studying Models Across Training", ("Haddad", "+"), 2023),
        ("Multitask Prompted Training for Zero-Shot Transfer", ("Watanabe", "Lovelace"), 2022),
        ("Language Models Learn from a Few Examples", ("Laurent", "+"), 2020),
        ("Scaling Language Modeling with Pathways of Experts", ("Hopper", "+"), 2022),
        ("Vulture 4 Technical Report", ("ExampleAI",), 2023),
        ("Training Compute-Optimal Models", ("Berg", "+"), 2022),
    ]
    # The model's name before the title is the work's nickname, never its title.
    assert seen["A Unified Text-to-Text Model for Every Task"].nickname == "X5"
    assert seen["Multitask Prompted Training for Zero-Shot Transfer"].nickname == "Osprey"
    assert [link.label for link in seen["Heron: Open and Efficient Foundation Models"].links] == [
        "Paper",
        "Checkpoint",
    ]
    # A corpus that is only a name and a link is a link to it; a repository is one.
    gutenberg = seen["Gutenberg"]
    assert (gutenberg.kind, gutenberg.url) == (Kind.OTHER, "https://www.gutenberg.org/")
    assert seen["TensorLib"].kind is Kind.REPOSITORY
    assert _seen(seen["OpenRoots: A 1.6TB Composite Multilingual Dataset"]) == (
        "OpenRoots: A 1.6TB Composite Multilingual Dataset",
        ("Laurent", "+"),
        2022,
    )
    assert len(library.items) == 16 and library.problems == ()


def test_prompt_list_badges_author_paragraphs_dates_and_one_link_on_two_papers():
    library = _read("prompt-papers.md")
    assert [_seen(r) for r in library.records] == [
        (
            "OpenPrompter: A Toolkit for Prompt Learning",
            ("Tanaka", "Nilsson", "Raman", "Alvarez"),
            2021,
        ),
        (
            "Pre-train, Prompt, and Predict: A Survey of Prompting",
            ("Raman", "Nilsson", "Fischer", "Alvarez"),
            2021,
        ),
        ("Exploiting Cloze Questions for Few-Shot Classification", ("Fischer", "Weber"), 2021),
        ("Learning Continuous Prompts for Generation", ("Nilsson", "Tanaka"), 2021),
        ("The Power of Scale for Soft Prompts", ("Alvarez", "Raman", "Sadeghi"), 2021),
        (
            "NSP-Prompt: Zero-Shot Learning Through Next Sentence Prediction",
            ("Li", "Zhang", "Tanaka"),
            2021,
        ),
        (
            "Prompt Tuning v3: Comparable to Fine-tuning Across Scales",
            ("Zhang", "Li", "Sadeghi"),
            2021,
        ),
        (
            "Black-Box Prompt Search for Language Model Services",
            ("Sadeghi", "Fischer", "Weber"),
            2022,
        ),
        (
            "What Makes Good Demonstrations for In-Context Learning?",
            ("Weber", "Tanaka", "Raman"),
            2021,
        ),
        ("How Many Examples is a Prompt Worth?", ("Nilsson", "Alvarez"), 2021),
        ("Surface Forms Compete for Probability", ("Fischer", "Li", "Zhang"), 2021),
        ("Ordered Prompts and Where to Find Them", ("Raman", "Weber"), 2021),
    ]
    records = library.records
    # "Preprint." then a date after the links: a preprint of that year, with its links.
    assert records[0].venue.text == "Preprint 2021"
    assert [link.label for link in records[0].links] == ["pdf", "project"]
    # The two papers given one arXiv link stay two works, and lint says so.
    works = plan_export(library).works
    assert len(works) == 12
    (shared,) = [p for p in lint(library) if p.code == "same-link-different-titles"]
    assert shared.line == 59 and "same link as line 55" in shared.message
    assert library.problems == ()


def test_citation_list_acl_and_apa_lines():
    library = _read("citation-style.md")
    assert [(*_seen(r), r.venue.text) for r in library.records] == [
        (
            "Attention for Machine Translation",
            ("Lovelace", "Turing", "Hopper"),
            2015,
            "EMNLP 2015",
        ),
        ("Sequence Learning with Recurrent Encoders", ("Babbage", "Lovelace"), 2014, "NIPS 2014"),
        ("Subword Units for Rare Words", ("Somerville",), 2016, "ACL 2016"),
        (
            "Self-Attention Is Enough for Translation",
            ("Noether", "Kovalevskaya", "Poincaré", "+"),
            2017,
            "NIPS 2017",
        ),
        ("Deep Encoders and Thin Decoders", ("Meitner", "Hahn"), 2019, "TACL 2019"),
        ("Scaling Laws for Translation Models", ("Gödel",), 2020, "CoRR 2020"),
        ("Back-Translation with Sampled Sources", ("Meitner", "Hahn"), 2018, "EMNLP 2018"),
        (
            "Unsupervised Translation with Denoising Objectives",
            ("Curie", "Curie", "Becquerel"),
            2018,
            "ICLR 2018",
        ),
        (
            "Transfer learning for low-resource languages",
            ("Noether", "Kovalevskaya"),
            2019,
            "Neural Computation 2019",
        ),
        ("An Automatic Score for Translation Quality", ("Lamarr",), 2002, "ACL 2002"),
        ("Reporting Translation Scores Clearly", ("Al-Haytham", "Lovelace"), 2018, "WMT 2018"),
        (
            "A Study of Reference Bias in Human Evaluation",
            ("Agnesi",),
            2020,
            "Slides from the WMT tutorial, see the course page 2020",
        ),
    ]
    # The title link is the work's own link; [[pdf](url)] and [[code](url)] are its links.
    assert library.records[0].links[0].url == "https://aclanthology.org/D15-1901/"
    assert [link.label for link in library.records[7].links] == ["pdf", "code"]
    assert library.records[6].authors[0].given == "L."
    # The two notes are no works, and they are reported as lines that are no entries.
    assert [(p.line, p.code) for p in library.problems] == [
        (32, "unparsed-line"),
        (33, "unparsed-line"),
    ]
    assert library.unread == ()


def test_classics_list_sections_below_the_table_of_contents():
    library = _read("deep-learning-classics.md")
    records = library.records
    assert len(records) == 21 and library.problems == ()
    # The sections are one level below "## Table of Contents": they are read.
    assert records[0].sections == (("Understanding / Generalization",),)
    assert [_seen(r) for r in records[:4]] == [
        ("Compressing the knowledge of an ensemble into one network", ("Hollander", "+"), 2015),
        (
            "Deep networks are easily fooled by images nobody recognizes",
            ("Nguyen-Vo", "Kraft", "Calloway"),
            2015,
        ),
        ("How far do features transfer between tasks?", ("Kraft", "+"), 2014),
        ("Seeing inside convolutional networks", ("Zeller", "Fergusson"), 2014),
    ]
    seen = {r.title: r for r in records}
    assert _seen(seen["Generating images pixel by pixel with recurrent networks"])[1] == (
        "Oort",
        "+",
    )
    assert (
        seen["Generating images pixel by pixel with recurrent networks"].authors[0].von == "van der"
    )
    assert _seen(seen["Better recipes for training adversarial generators"])[1] == (
        "Salvatore",
        "+",
    )
    # Nickname quirks: a space inside the parentheses, parentheses inside the nickname.
    assert seen["Cross-lingual Pretraining with Shared Subwords"].nickname == "XLM"
    assert seen["Cross-lingual Representations at Scale"].nickname == "XLR (Example Lab)"
    # "EMNLP 2018, [[pdf](...)]": the venue is EMNLP 2018; newstest2017 names a test set.
    phrase = seen["Phrase Tables Meet Neural Unsupervised Translation"]
    assert (phrase.venue.text, phrase.year) == ("EMNLP 2018", 2018)
    assert phrase.description == "27.7 BLEU on newstest2017"
    # An identifier as the link text: the title follows it, the authors after "Authors:".
    sat = seen["SAT: Simple Augmentation Tricks for Text Classification"]
    assert _seen(sat) == (sat.title, ("Wen", "Zhou"), 2019)
    replacement = next(r for r in records if r.title.startswith("Contextual Replacement"))
    assert (replacement.venue.text, _seen(replacement)[1]) == ("NAACL 2018", ("Kobe",))
    # Emphasis in a repository's description is no reason to drop it.
    assert seen["vision-models"].description == "Models and examples built with TensorFlow"
    assert seen["seqkit"].description == "A sequence modeling toolkit in PyTorch"


COUNTS = {
    # name: (list items, works, works with authors, items reported unread)
    "graph-papers.md": (16, 15, 15, 1),
    "large-models.md": (16, 16, 13, 0),
    "prompt-papers.md": (12, 12, 12, 0),
    "citation-style.md": (14, 12, 12, 0),
    "deep-learning-classics.md": (21, 21, 18, 0),
}
"""Counted by hand from the files: list items outside the tables of contents, the
contributing steps and HTML comments."""


@pytest.mark.parametrize("name", NEW_LISTS)
def test_every_item_is_a_work_or_reported_never_dropped(name):
    library = _read(name)
    works = plan_export(library).works
    items = len(library.items) + sum(
        1 for p in library.problems if p.code in ("unread-item", "unparsed-line")
    )
    with_authors = sum(1 for w in works if w.record.authors)
    assert (items, len(works), with_authors, len(library.unread)) == COUNTS[name]
    assert not [p for p in library.problems if p.line == 0]  # each list reads well
