r"""Tests of the LaTeX harness itself (tests/texdoc.py): it compiles a clean .bib with
both chains, and it can fail: each broken input gives ``ok == False`` with a problem
that names the entry. The tests marked ``tex_facts`` record TeX's own behaviour (what the
rules below rest on); they run with ``--slow``.

URLs in ``howpublished = {\url{...}}`` (measured here with pdfTeX 1.40.24, BibTeX 0.99d,
biber 2.18 + biblatex 3.18b, url.sty, hyperref; see ``test_howpublished_url_rule``):

    Escape ``%`` as ``\%`` and ``#`` as ``\#``; write everything else raw (``&``, ``_``,
    ``~``, ``?``, ``=``, ``^``, ``$``...). Percent-encode what cannot be raw in BibTeX
    (``{`` ``}`` -> ``%7B`` ``%7D``, ``\`` -> ``%5C``, space -> ``%20``), then apply the
    rule (so ``%7B`` is written ``\%7B``). Example::

        howpublished = {\url{https://example.org/a_b/~user/p\%20q?x=1&y=2\#frag}}

Why: plain bibtex copies the field into the .bbl at top level, where ``\url`` reads its
argument verbatim, so a raw ``%``/``#`` works there; biblatex stores the field as a macro
argument (``\field{howpublished}{\url{...}}``), so a raw ``%`` comments out the rest of the
.bbl line ("File ended while scanning use of \field") and a raw ``#`` is "Illegal
parameter number in definition of \NewValue": fatal. The escaped form compiles in both
chains. It *prints* as ``%``/``#`` when the document loads hyperref (hyperref's ``\url``
understands ``\%`` and ``\#``); with url.sty alone both chains print a stray backslash
(``p\%20q``). No single spelling compiles and prints right in both chains with url.sty
alone. Do not escape ``&``, ``_`` or ``~``: ``\&``/``\_`` print backslashes without
hyperref, and ``\~{}`` prints ``~{}`` even with it.

The ``url`` field is different: biber writes it verbatim (``\verb`` lines), so it must be
written raw, never escaped (an escaped ``\%`` in ``url`` prints as ``%5C%``); plainnat
also prints it correctly raw.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.texdoc import (
    REQUIRE_ENV,
    TexResult,
    bib_entry_spans,
    compile_with_biber,
    compile_with_bibtex,
    pdf_text,
    require_tex,
)

Compiler = Callable[..., TexResult]
CHAINS: dict[str, Compiler] = {"bibtex": compile_with_bibtex, "biber": compile_with_biber}


@pytest.fixture
def tex() -> None:
    """Skip when TeX is missing (fail where it is required: see require_tex)."""
    require_tex()


@pytest.fixture(params=sorted(CHAINS))
def chain(request: pytest.FixtureRequest, tex: None) -> str:
    return request.param


def run(chain: str, tmp_path: Path, bib: str, keys: list[str] | None = None, **kw) -> TexResult:
    bib_path = tmp_path / "input.bib"
    bib_path.write_text(bib, encoding="utf-8")
    return CHAINS[chain](bib_path, keys, tmp_path / "work", **kw)


def flat(text: str | None) -> str:
    """PDF text without whitespace (pdftotext breaks lines inside URLs and CJK)."""
    return re.sub(r"\s+", "", text or "")


# the README's own examples: Chinese title with full-width parentheses, curly apostrophe
CHINESE_TITLE = "深度学习中的注意力模型（2017版）"
APOSTROPHE = "\N{RIGHT SINGLE QUOTATION MARK}"
CLEAN_BIB = r"""
@misc{vaswani2017attention,
  author = {Ashish Vaswani and Noam Shazeer and Łukasz Kaiser and Illia Polosukhin},
  title = {Attention Is All You Need},
  year = {2017},
  eprint = {1706.03762},
  archivePrefix = {arXiv},
  primaryClass = {cs.CL},
  url = {https://arxiv.org/abs/1706.03762}
}

@article{guzman2019flores,
  author = {Francisco Guzmán and Hinrich Schütze},
  title = {The {FLORES} Evaluation Datasets for Low-Resource Machine Translation},
  journal = {Transactions of the Association for Computational Linguistics},
  year = {2019},
  volume = {7},
  pages = {1--12}
}

@misc{zhang2017attention,
  author = {张俊林},
  title = {TITLE},
  howpublished = {\url{https://example.org/a_b?x=1&y=2}},
  url = {https://example.org/a_b?x=1&y=2},
  note = {It{APOSTROPHE}s a blog post},
  year = {2017}
}
"""
CLEAN_BIB = CLEAN_BIB.replace("{TITLE}", "{" + CHINESE_TITLE + "}").replace(
    "{APOSTROPHE}", APOSTROPHE
)
CLEAN_KEYS = ["vaswani2017attention", "guzman2019flores", "zhang2017attention"]


# ---------------------------------------------------------------------------
# the guard: missing TeX skips with the install hint, and fails where TeX is required (CI)


def test_missing_tex_skips_saying_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no pdflatex/bibtex/biber there
    monkeypatch.delenv(REQUIRE_ENV, raising=False)
    with pytest.raises(pytest.skip.Exception, match=r"\.ci/install-system-packages"):
        require_tex()


def test_missing_tex_fails_where_it_is_required(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv(REQUIRE_ENV, "1")
    with pytest.raises(pytest.fail.Exception, match=r"missing pdflatex.*ATBIB_REQUIRE_TEX=1"):
        require_tex()


def test_without_tex_the_suite_says_so_in_one_line(tmp_path: Path) -> None:
    """Every TeX test skipped, and one line of the summary says why and what to do."""
    from tests.conftest import ROOT

    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{tmp_path}"}
    env.pop(REQUIRE_ENV, None)
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         "tests/test_latex_compile.py", "tests/test_hostile_bibtex.py"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout
    skipped = [line for line in done.stdout.splitlines() if line.startswith("SKIPPED")]
    assert len(skipped) == 1, done.stdout
    assert skipped[0].startswith("SKIPPED [")  # with the count of tests
    assert "tests/texdoc.py:" in skipped[0] and ": TeX tests: missing pdflatex" in skipped[0]
    assert "run `.ci/install-system-packages`" in skipped[0]


# ---------------------------------------------------------------------------
# clean input compiles with both chains


@pytest.mark.parametrize("keys", [None, CLEAN_KEYS], ids=["nocite-all", "cite-keys"])
def test_clean_bib_compiles(chain: str, tmp_path: Path, keys: list[str] | None) -> None:
    result = run(chain, tmp_path, CLEAN_BIB, keys)
    assert result.ok, result
    assert result.problems == []
    for key in CLEAN_KEYS:
        assert key in result.bbl
    text = pdf_text(result)
    if text is not None:
        printed = flat(text)
        for expected in ["Łukasz", "Guzmán", "Schütze", CHINESE_TITLE, APOSTROPHE]:
            assert expected in printed, (expected, text)
        assert "https://example.org/a_b?x=1&y=2" in printed
    # nothing left outside the working directory
    assert sorted(p.name for p in tmp_path.iterdir()) == ["input.bib", "work"]


@pytest.mark.tex_facts
def test_cite_subset_only_prints_those(chain: str, tmp_path: Path) -> None:
    result = run(chain, tmp_path, CLEAN_BIB, ["guzman2019flores"])
    assert result.ok, result
    assert "guzman2019flores" in result.bbl
    assert "vaswani2017attention" not in result.bbl


@pytest.mark.tex_facts
@pytest.mark.parametrize("hyperref", [False, True], ids=["url.sty", "hyperref"])
def test_clean_bib_with_or_without_hyperref(chain: str, tmp_path: Path, hyperref: bool) -> None:
    result = run(chain, tmp_path, CLEAN_BIB, hyperref=hyperref)
    assert result.ok, result


def test_plainnat_style(tex: None, tmp_path: Path) -> None:
    result = run("bibtex", tmp_path, CLEAN_BIB, style="plainnat")
    assert result.ok, result
    assert r"\bibitem[" in result.bbl  # natbib labels


# ---------------------------------------------------------------------------
# broken input: ok is False and a problem names the entry

GOOD_ARTICLE = """
@article{good2020,
  author = {A. Good},
  title = {Fine},
  journal = {J},
  year = {2020}
}
"""

BROKEN: dict[str, tuple[str, list[str] | None, str]] = {
    # name: (bib, keys, key that a problem must name)
    "missing-brace": (
        GOOD_ARTICLE
        + """
@misc{broken2021,
  author = {B. Broken},
  title = {Unclosed {brace in title},
  year = {2021}
}

@misc{after2022,
  author = {C. After},
  title = {After},
  year = {2022}
}
""",
        None,
        "broken2021",
    ),
    "undefined-key": (GOOD_ARTICLE, ["good2020", "nokey2000"], "nokey2000"),
    "article-without-journal": (
        """
@article{nojournal2020,
  author = {A. Author},
  title = {No Journal},
  year = {2020}
}
""",
        None,
        "nojournal2020",
    ),
    **{
        f"raw-{name}-in-title": (
            GOOD_ARTICLE
            + f"""
@misc{{raw{name}2020,
  author = {{B. Author}},
  title = {{Cats {char} Dogs in Fifty Words}},
  year = {{2020}}
}}
""",
            None,
            f"raw{name}2020",
        )
        for name, char in [("amp", "&"), ("percent", "%"), ("hash", "#")]
    },
    "missing-character": (
        """
@misc{lost2020,
  author = {A. Author},
  title = {No glyph for ŉ in any font here},
  year = {2020}
}
""",
        None,
        "lost2020",
    ),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_bib_fails_naming_the_entry(chain: str, tmp_path: Path, case: str) -> None:
    bib, keys, key = BROKEN[case]
    result = run(chain, tmp_path, bib, keys)
    assert not result.ok
    assert any(key in p for p in result.problems), result


def test_bibtex_warning_is_a_problem(tex: None, tmp_path: Path) -> None:
    bib, keys, _ = BROKEN["article-without-journal"]
    result = run("bibtex", tmp_path, bib, keys)
    assert "bibtex: Warning--empty journal in nojournal2020" in result.problems


def test_percent_is_caught_although_bibtex_and_latex_say_nothing(tex: None, tmp_path: Path) -> None:
    # plain bibtex + pdflatex: the raw % silently drops the rest of the title line; no
    # tool complains, only the harness's .bbl lint notices
    bib, keys, _ = BROKEN["raw-percent-in-title"]
    result = run("bibtex", tmp_path, bib, keys)
    assert not result.ok
    assert len(result.problems) == 1
    assert re.fullmatch(
        r"doc\.bbl line \d+: unescaped % in entry rawpercent2020: "
        r"\\newblock Cats % dogs in fifty words, 2020\.",
        result.problems[0],
    ), result
    text = pdf_text(result)
    if text is not None:
        assert "Cats" in text
        assert "dogs" not in text


def test_hostile_entry_cannot_run_or_write_outside(chain: str, tmp_path: Path) -> None:
    bib = r"""
@misc{hostile2020,
  author = {A. Attacker},
  title = {Owned\immediate\write18{touch pwned}},
  note = {\immediate\openout9=../outside.txt\immediate\write9{x}\immediate\closeout9},
  year = {2020}
}
"""
    result = run(chain, tmp_path, bib)
    assert not result.ok
    assert any("shell escape" in p and "hostile2020" in p for p in result.problems), result
    assert not list(tmp_path.rglob("pwned"))
    assert not (tmp_path / "outside.txt").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["input.bib", "work"]


# ---------------------------------------------------------------------------
# the rule for URLs in howpublished = {\url{...}} (see the module docstring)

URL = "https://example.org/a_b/~user/p%20q?x=1&y=2#frag"


def howpublished_url(url: str) -> str:
    r"""Reference implementation of the rule: the value to put in ``\url{...}``."""
    for raw, encoded in (("\\", "%5C"), ("{", "%7B"), ("}", "%7D"), (" ", "%20")):
        url = url.replace(raw, encoded)
    return url.replace("%", r"\%").replace("#", r"\#")


def url_bib(written: str, field: str = "howpublished") -> str:
    value = rf"\url{{{written}}}" if field == "howpublished" else written
    return f"""
@misc{{web2020,
  author = {{A. Author}},
  title = {{A Web Page}},
  {field} = {{{value}}},
  year = {{2020}}
}}
"""


def test_howpublished_url_helper() -> None:
    assert howpublished_url(URL) == r"https://example.org/a_b/~user/p\%20q?x=1&y=2\#frag"
    assert howpublished_url("https://e.org/{a b}") == r"https://e.org/\%7Ba\%20b\%7D"


@pytest.mark.tex_facts
@pytest.mark.parametrize("hyperref", [False, True], ids=["url.sty", "hyperref"])
def test_howpublished_url_rule(chain: str, tmp_path: Path, hyperref: bool) -> None:
    written = howpublished_url(URL)
    result = run(chain, tmp_path, url_bib(written), hyperref=hyperref)
    assert result.ok, result  # compiles in both chains, with or without hyperref
    assert rf"\url{{{written}}}" in result.bbl  # copied unchanged by bibtex and biber
    text = pdf_text(result)
    if text is None:
        return
    if hyperref:
        assert URL in flat(text)  # printed exactly
    else:
        # url.sty alone prints the escapes' backslashes (the documented caveat)
        assert r"p\%20q?x=1&y=2\#frag" in flat(text)


@pytest.mark.tex_facts
def test_raw_percent_and_hash_only_work_with_bibtex(chain: str, tmp_path: Path) -> None:
    result = run(chain, tmp_path, url_bib(URL), hyperref=True)
    if chain == "bibtex":
        assert result.ok, result
        text = pdf_text(result)
        assert text is None or URL in flat(text)
    else:
        assert not result.ok  # fatal: "File ended while scanning use of \field"
        assert any("web2020" in p for p in result.problems), result


@pytest.mark.tex_facts
def test_escaping_amp_underscore_tilde_prints_garbage(chain: str, tmp_path: Path) -> None:
    over = howpublished_url(URL).replace("&", r"\&").replace("_", r"\_").replace("~", r"\~{}")
    result = run(chain, tmp_path, url_bib(over), hyperref=True)
    assert result.ok, result  # it compiles...
    text = pdf_text(result)
    if text is not None:
        assert URL not in flat(text)  # ...but does not print the URL
        assert "~{}user" in flat(text)


@pytest.mark.tex_facts
@pytest.mark.parametrize("escaped", [False, True], ids=["raw", "escaped"])
def test_url_field_is_verbatim(tex: None, tmp_path: Path, escaped: bool) -> None:
    written = howpublished_url(URL) if escaped else URL
    result = run("biber", tmp_path, url_bib(written, field="url"))
    assert result.ok, result
    text = pdf_text(result)
    if text is not None:
        assert (URL in flat(text)) is not escaped  # escaped: prints p%5C%20q...


# ---------------------------------------------------------------------------
# pieces of the harness that need no TeX


def test_bib_entry_spans_follow_bibtex_brace_matching() -> None:
    bib, _, _ = BROKEN["missing-brace"]
    spans = bib_entry_spans(bib)
    assert [key for _, _, key in spans] == ["good2020", "broken2021"]  # after2022 swallowed
    _, last, _ = spans[1]
    assert last == bib.count("\n") + 1  # runs to the end of the file, as in bibtex


def test_bad_keys_are_refused(tmp_path: Path) -> None:
    bib = tmp_path / "x.bib"
    bib.write_text(GOOD_ARTICLE, encoding="utf-8")
    for keys in ([], ["a}b"], ["a,b"], ["a b"]):
        with pytest.raises(ValueError):
            compile_with_bibtex(bib, keys, tmp_path / "w")
