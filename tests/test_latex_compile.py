"""Readers cite from LaTeX: every key of bib/all.bib compiles with the real toolchain."""

from __future__ import annotations

import re

import pytest

from tests.conftest import ROOT
from tests.texdoc import compile_with_biber, compile_with_bibtex, require_tex

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
    from atbib import build_bibliography, read_bibtex, read_markdown

    require_tex()
    library = read_markdown(SYMBOLS_LIST)
    all_bib = build_bibliography(library).files["all.bib"]
    assert "{\\ensuremath{\\alpha}}" in all_bib and "{\\ensuremath{-}}" in all_bib
    assert not set("αΔε≤²′−×→∞") & set(all_bib)
    assert [r.title for r in read_bibtex(all_bib)] == [r.title for r in library.records]
    path = tmp_path / "all.bib"
    path.write_text(all_bib, encoding="utf-8")
    keys = re.findall(r"^@\w+\{([^,]+),$", all_bib, re.MULTILINE)
    result = compile_with_bibtex(path, keys, tmp_path / "tex", style="plain", plain=True)
    assert result.ok, "\n".join(result.problems)
    assert result.bbl.count("\\bibitem") == 5
