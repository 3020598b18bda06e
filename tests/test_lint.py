"""Lint on the real list: each finding located by file:line, with its severity."""

from __future__ import annotations

import pytest

from atbib import read_markdown
from atbib.lint import lint


@pytest.fixture(scope="module")
def findings(readme_text):
    library = read_markdown(readme_text, path="README.md")
    lines = readme_text.splitlines()
    return [(p.severity, p.code, lines[p.line - 1], p) for p in lint(library)]


def _codes(findings, code):
    return [(severity, line) for severity, c, line, _ in findings if c == code]


def test_authors_that_repeat_the_title_are_errors(findings):
    found = _codes(findings, "authors-repeat-title")
    assert [severity for severity, _ in found] == ["error"] * 3
    assert [line.split("**")[1] for _, line in found] == [
        "Big Bird: Transformers for Longer Sequences",
        "VD-BERT: A Unified Vision and Dialog Transformer with BERT",
        "MiniLM: Deep Self-Attention Distillation for Task-Agnostic Compression of Pre-Trained Transformers",
    ]


def test_broken_links_are_errors(findings):
    assert _codes(findings, "empty-url") == [
        ("error", next(line for _, _, line, _ in findings if "TernaryBERT" in line))
    ]
    (relative,) = _codes(findings, "relative-url")
    assert relative[0] == "error" and "[[code]](exbert.net)" in relative[1]


def test_venue_years_contradicted_by_the_arxiv_date(findings):
    found = _codes(findings, "venue-year")
    titles = sorted(line.split("**")[1] for _, line in found)
    assert titles == [
        "Extreme Language Model Compression with Optimal Subwords and Shared Projections",
        "TinyBERT: Distilling BERT for Natural Language Understanding",
    ]
    assert all(severity == "warning" for severity, _ in found)


def test_duplicates_in_one_subsection_are_errors_across_subsections_warnings(findings):
    found = _codes(findings, "duplicate")
    assert sorted(
        (s, "Cross-Lingual" in line, "CodeBERT" in line, "Adversarial" in line) for s, line in found
    ) == [
        ("error", True, False, False),
        ("warning", False, False, True),
        ("warning", False, True, False),
    ]


def test_unknown_venues_and_missing_authors(findings):
    assert [line for _, line in _codes(findings, "unknown-venue")] == [
        next(line for _, _, line, _ in findings if "Recent Breakthroughs" in line)
    ]
    missing = _codes(findings, "missing-authors")
    assert all(severity == "info" for severity, _ in missing)
    # Counted without atbib: list lines after the citing section with no bold title and no
    # link title.
    lines = read_markdown_lines()
    body = lines[lines.index("## Attention") :]
    assert len(missing) == sum(
        1 for line in body if line.startswith("- ") and not line.startswith(("- **", "- ["))
    )


def read_markdown_lines() -> list[str]:
    from tests.conftest import ROOT

    return (ROOT / "README.md").read_text(encoding="utf-8").splitlines()


def test_problems_carry_file_line_and_the_column_where_one_applies(findings):
    for _, code, line, problem in findings:
        assert problem.path == "README.md" and problem.line > 0
        where = f"README.md:{problem.line}" + (f":{problem.column}" if problem.column else "")
        assert str(problem).startswith(f"{where}: {problem.severity}: ")
        if code in ("empty-url", "relative-url"):
            url = line[problem.column - 1 :]
            assert line[problem.column - 3 : problem.column - 1] == "](" and ")" in url
        if code in ("unknown-venue", "venue-spelling", "venue-year"):
            assert line[problem.column - 2] == "("  # the venue's first character


def _venue_years(venue: str, arxiv: str) -> list[tuple[str, str]]:
    from atbib import Kind, Link, Person, Record, Venue
    from atbib.document import Item, Library

    record = Record(
        Kind.PAPER,
        "T",
        authors=(Person("Lovelace", "Ada"),),
        venue=Venue(venue),
        links=(Link("paper", f"https://arxiv.org/abs/{arxiv}"),),
        sections=(("Papers",),),
    )
    library = Library((Item(record, "- T", "\n", 1, "- "),), path="list.md")
    return [(p.severity, p.message) for p in lint(library) if p.code == "venue-year"]


@pytest.mark.parametrize(
    "venue, arxiv",
    [
        ("NeurIPS 2019", "2001.00001"),  # posted the month after a December conference
        ("WACV 2021", "2102.00001"),  # a January conference, posted the month after
        ("ACL 2019", "1905.00001"),  # before the conference
        ("NeurIPS 2019 Workshop", "2006.00001"),  # a workshop track of the year after
        ("ICLR 2020", "1909.00001"),
    ],
)
def test_a_conference_year_the_arxiv_date_allows_is_no_finding(venue, arxiv):
    assert _venue_years(venue, arxiv) == []


def test_a_conference_year_the_arxiv_date_cannot_allow_is_a_warning_never_an_error():
    assert _venue_years("ICLR 2019", "1909.11687") == [
        (
            "warning",
            "ICLR 2019 usually takes place in month 5, before arXiv 1909.11687 was issued "
            "(2019-09): is the year right?",
        )
    ]
    # A year earlier than the arXiv id's: a warning (it was an error).
    assert _venue_years("ACL 2018", "1911.00001") == [
        (
            "warning",
            "ACL 2018 usually takes place in month 7, before arXiv 1911.00001 was issued "
            "(2019-11): is the year right?",
        )
    ]
    assert _venue_years("FooConf 2018", "1903.00001") == [
        (
            "warning",
            "FooConf 2018 is before arXiv 1903.00001 was issued (2019-03): is the year right?",
        )
    ]
