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
