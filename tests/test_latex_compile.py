"""Readers cite from LaTeX: every key of bib/all.bib compiles with the real toolchain."""

from __future__ import annotations

import re

import pytest

from tests.conftest import ROOT
from tests.texdoc import compile_with_biber, compile_with_bibtex, pdf_text, require_tex

ALL_BIB = ROOT / "bib" / "all.bib"


@pytest.fixture(scope="module")
def all_keys() -> list[str]:
    require_tex()
    keys = re.findall(r"^@\w+\{([^,]+),$", ALL_BIB.read_text(encoding="utf-8"), re.MULTILINE)
    assert len(keys) == 326
    return keys


@pytest.mark.parametrize("hyperref", [False, True])
def test_pdflatex_and_bibtex_plain_cite_every_key_without_warnings(all_keys, tmp_path, hyperref):
    result = compile_with_bibtex(ALL_BIB, all_keys, tmp_path, style="plain", hyperref=hyperref)
    assert result.ok, "\n".join(result.problems)
    assert result.bbl.count("\\bibitem") == len(all_keys)


def test_pdflatex_and_biber_biblatex_cite_every_key_without_warnings(all_keys, tmp_path):
    # atbib's round-trip fields (subsection, links) are outside biblatex's data model, which
    # biblatex ignores; the strict data-model check would report them, so it is off here.
    result = compile_with_biber(
        ALL_BIB, all_keys, tmp_path, hyperref=True, validate_datamodel=False
    )
    assert result.ok, "\n".join(result.problems)
    assert result.bbl.count("\\entry{") == len(all_keys)


def test_natbib_prints_no_title_twice_and_every_preprint_says_where_it_is(all_keys, tmp_path):
    """plainnat, as the ACL, NeurIPS and ICML templates use it, prints an entry's ``key`` in
    place of missing authors: it must not be the title again. A preprint names arXiv."""
    result = compile_with_bibtex(ALL_BIB, all_keys, tmp_path, style="plainnat")
    assert result.bbl.count("\\bibitem") == len(all_keys)
    text = " ".join(pdf_text(result).split())
    assert "towardsdatascience.com. Illustrated: Self" in text  # the site, then the title
    for title in ("Illustrated: Self", "The Illustrated BERT"):
        assert len(re.findall(re.escape(title), text, re.IGNORECASE)) == 1, title
    assert (
        "RoBERTa: A robustly optimized BERT pretraining approach. arXiv preprint arXiv:1907.11692"
        in text
    )
    problems = [p for p in result.problems if "empty year" not in p]
    assert problems == []


def test_an_old_key_and_its_new_name_cite_one_entry_with_biblatex(tmp_path):
    """A renamed key stays valid: biblatex resolves ``ids``, so a document citing both
    ``bert2019pretraining`` and ``devlin2019bert`` gets one bibliography entry."""
    require_tex()
    result = compile_with_biber(
        ALL_BIB,
        ["bert2019pretraining", "devlin2019bert", "vaswani2017attention"],
        tmp_path,
        validate_datamodel=False,
    )
    assert result.ok, "\n".join(result.problems)
    assert result.bbl.count("\\entry{") == 2
    assert "\\entry{devlin2019bert}" in result.bbl


SYMBOLS_LIST = """## Papers
- **α-Entmax Attention: Sparse Weights for Heads**. *Ada Lovelace*. (ACL 2019) [[paper]](https://arxiv.org/abs/1905.05702)
- **Δ-Tuning with ε-Greedy Sampling**. *Grace Hopper, Alan Turing*. (NeurIPS 2020) [[paper]](https://arxiv.org/abs/2006.00001)
- **Attention with Linear Cost: O(n) ≤ O(n²)?**. *Emmy Noether*. (ICLR 2021) [[paper]](https://arxiv.org/abs/2010.00001)
- **f′(x) − f(x): Derivative Tricks for 2×2 Blocks**. *Mary Somerville*. (ICML 2020) [[paper]](https://arxiv.org/abs/2002.00001)
- **From Sequences → Graphs: ∞-Width Transformers**. *Lise Meitner*. (TACL 2020) [[paper]](https://arxiv.org/abs/2001.00001)
"""


def test_symbols_plain_pdflatex_cannot_typeset_are_written_as_latex(tmp_path):
    """Greek letters, minus, prime, comparison, powers, times, arrows, infinity: a document
    with no package at all (no fontenc, no inputenc option) cites them without an error or a
    missing character, since the .bib holds them as LaTeX; and they read back as the
    characters."""
    from atbib import plan_export, read_bibtex, read_markdown

    require_tex()
    library = read_markdown(SYMBOLS_LIST)
    all_bib = plan_export(library).files["all.bib"]
    assert "{\\ensuremath{\\alpha}}" in all_bib and "{\\ensuremath{-}}" in all_bib
    assert not set("αΔε≤²′−×→∞") & set(all_bib)
    assert [r.title for r in read_bibtex(text=all_bib)] == [r.title for r in library.records]
    path = tmp_path / "all.bib"
    path.write_text(all_bib, encoding="utf-8")
    keys = re.findall(r"^@\w+\{([^,]+),$", all_bib, re.MULTILINE)
    result = compile_with_bibtex(path, keys, tmp_path / "tex", style="plain", plain=True)
    assert result.ok, "\n".join(result.problems)
    assert result.bbl.count("\\bibitem") == 5
