"""LaTeX <-> Unicode for BibTeX values: encode_latex, encode_url, decode_latex."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from atbib.bibtex.latex import decode_latex, encode_latex
from atbib.urls import encode_url

# -- encode_latex -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "latex"),
    [
        ("plain text", "plain text"),
        ("Łukasz Müller 王", "Łukasz Müller 王"),  # non-ASCII stays UTF-8
        ("3.2% better & faster", r"3.2\% better \& faster"),
        ("a_b #1 $5", r"a\_b \#1 \$5"),
        ("{x}", r"\textbraceleft{}x\textbraceright{}"),
        ("a\\b", r"a\textbackslash{}b"),
        ("~^", r"\textasciitilde{}\textasciicircum{}"),
        # TeX ligatures are broken so what was typed is what is printed (and decoded back)
        ("a--b", "a-{}-b"),
        ("a---b", "a-{}-{}-b"),
        ("''quoted''", "'{}'quoted'{}'"),
        ("``x", "`{}`x"),
        ("it's pre-training", "it's pre-training"),
    ],
)
def test_encode_latex(text, latex):
    assert encode_latex(text) == latex


def test_encode_latex_escapes_exactly_the_special_characters():
    for c in map(chr, range(32, 127)):
        encoded = encode_latex(c)
        assert (encoded != c) == (c in "\\{}&%$#_~^"), c


def test_encode_url():
    assert encode_url("https://example.org/a_b%20c#frag") == "https://example.org/a_b%20c#frag"
    assert encode_url("https://x.org/{a} b\\c") == "https://x.org/%7Ba%7D%20b%5Cc"


# -- decode_latex -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("latex", "text"),
    [
        (r"{\"u}", "ü"),
        (r"\"{u}", "ü"),
        (r"\"u", "ü"),
        (r"{\'e}", "é"),
        (r"\'{e}", "é"),
        (r"\'e", "é"),
        (r"\`{a}", "à"),
        (r"\^{o}", "ô"),
        (r"\^o", "ô"),
        (r"\~{n}", "ñ"),
        (r"\~n", "ñ"),
        (r"\c{c}", "ç"),
        (r"{\c c}", "ç"),
        (r"\c{C}", "Ç"),
        (r"\v{r}", "ř"),
        (r"{\v r}", "ř"),
        (r"{\v{S}}", "Š"),
        (r"\u{a}", "ă"),
        (r"\u{g}", "ğ"),
        (r"\H{o}", "ő"),
        (r"\k{a}", "ą"),
        (r"\.{z}", "ż"),
        (r"\={a}", "ā"),
        (r"\r{a}", "å"),
        (r"\d{a}", "ạ"),
        (r"{\L}", "Ł"),
        (r"\L{}", "Ł"),
        (r"\l", "ł"),
        (r"\o", "ø"),
        (r"\O", "Ø"),
        (r"\ss", "ß"),
        (r"{\ss}", "ß"),
        (r"\ae", "æ"),
        (r"\AE", "Æ"),
        (r"\oe", "œ"),
        (r"\aa", "å"),
        (r"\AA", "Å"),
        (r"\i", "ı"),
        (r"{\i}", "ı"),
        (r"\'\i", "í"),
        (r"\'{\i}", "í"),
        (r"\"\i", "ï"),
        (r"{\v{\i}}", "ǐ"),
    ],
)
def test_accents(latex, text):
    assert decode_latex(latex) == text


@pytest.mark.parametrize("spelling", [r"M{\"u}ller", r"M\"{u}ller", r"M\"uller", "Müller"])
def test_every_spelling_of_mueller(spelling):
    assert decode_latex(spelling) == "Müller"


@pytest.mark.parametrize(
    ("latex", "text"),
    [
        (r"Guzm{\'a}n", "Guzmán"),
        (r"{\L}ukasz", "Łukasz"),
        (r"Dvo{\v{r}}{\'a}k", "Dvořák"),
        (r"{\c{C}}a{\u{g}}r{\i}", "Çağrı"),
        (r"Gr{\"a}{\ss}er", "Gräßer"),
        (r"Gro\ss e", "Große"),  # TeX eats the space after a control word
        (r"Erd{\H{o}}s", "Erdős"),
        (r"S{\o}ren", "Søren"),
        (r"{{\"{u}}}", "ü"),
    ],
)
def test_names(latex, text):
    assert decode_latex(latex) == text


@pytest.mark.parametrize(
    ("latex", "text"),
    [
        (r"\& \% \$ \# \_ \{ \}", "& % $ # _ { }"),
        (r"\textbraceleft{}x\textbraceright{}", "{x}"),
        (r"\textbackslash{}", "\\"),
        (r"\textasciitilde{}", "~"),
        (r"\textasciicircum{}", "^"),
        (r"\textbackslash{} a", "\\ a"),
        ("a~b", "a b"),  # a tie is a space to a BibTeX user: no U+00A0 in titles or keys
        ("pages 1--10", "pages 1\u201310"),
        ("yes---no", "yes\u2014no"),
        ("``quoted''", "\u201cquoted\u201d"),
        ("it's `single'", "it's `single'"),
        ("{BERT}: Pre-training", "BERT: Pre-training"),
        ("{{Attention Is All You Need}}", "Attention Is All You Need"),
        ("{PAC}-{Bayes}", "PAC-Bayes"),
        (r"\url{https://x.org/~a_b--c%20d}", "https://x.org/~a_b--c%20d"),
        (r"\href{https://x.org}{the site}", "the site"),
        (r"\emph{x} \textit{y} \textbf{z}", "x y z"),
        (r"{\em Emphasis} here", "Emphasis here"),
        (r"\textsc{Bert}", "Bert"),
        (r"{\noopsort{1983}}Title", "Title"),
        (r"\LaTeX{} and \TeX", "LaTeX and TeX"),
        (r"Na\"{\i}ve", "Naïve"),
    ],
)
def test_escapes_symbols_and_markup(latex, text):
    assert decode_latex(latex) == text


@pytest.mark.parametrize(
    "math",
    [
        r"$O(n \log n)$",
        r"$\{x : x > 0\}$",
        r"$$\sum_{i=1}^n x_i$$",
        r"\(x^2 -- y\)",
        r"$a~b$",
    ],
)
def test_math_is_kept_as_written(math):
    assert decode_latex(f"Sorting in {{{math}}} Time") == f"Sorting in {math} Time"


def test_title_with_math_survives_both_ways():
    title = r"{BERT} in $O(n \log n)$ Time: 3.2\% Better \& Faster"
    assert decode_latex(title) == r"BERT in $O(n \log n)$ Time: 3.2% Better & Faster"


def test_unknown_macros_fall_back_to_pylatexenc_or_stay():
    assert decode_latex(r"\alpha-helix") == "α-helix"
    assert decode_latex(r"x\textsuperscript{2}") == "x2"
    assert decode_latex(r"the \foo method") == r"the \foo method"  # nobody knows \foo


def test_fast_path_returns_the_same_string():
    for s in ["Plain title", "Müller's pre-training", "$x$ is math", "a - b", "it's"]:
        assert decode_latex(s) is s


def test_accent_commands_compose_and_written_characters_stay_as_written():
    """An accent command gives the composed character; a combining accent written as a
    Unicode character is text, kept as it is (it used to be composed, but only when the value
    held some LaTeX, so encode -> decode changed it)."""
    decomposed = "Mu\u0308ller {X}"
    assert decode_latex(decomposed) == "Mu\u0308ller X"
    assert decode_latex(r"\"{u}") == "\u00fc"
    assert decode_latex("\\'e\u0301 {\\v{c}}") == "\u00e9\u0301 \u010d"


@pytest.mark.parametrize(
    "latex",
    ["\\", "{", "}", r"\"", r"\v", r"\'{", r"\c{c", r"\url{x", "$", "$$x", r"\v{" * 2000,
     "{" * 10000, r"\'{" * 200 + "x" + "}" * 200, "\x00\\\x00{\x00", r"\foo{", r"\href{x"],
)  # fmt: skip
def test_malformed_latex_never_raises(latex):
    assert isinstance(decode_latex(latex), str)


def test_import_is_lean():
    src = Path(__file__).resolve().parent.parent / "src"
    env = {**os.environ, "PYTHONPATH": f"{src}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    code = (
        "import sys, atbib.bibtex.latex as l, atbib.bibtex.parse\n"
        "l.decode_latex(r'M{\\\"u}ller -- {\\L}ukasz \\url{x}')\n"
        "bad = [m for m in ('pylatexenc', 'pybtex', 'bibtexparser') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, env=env)


# -- round trip ---------------------------------------------------------------------------------

_ANY_TEXT = st.text()
_TRICKY_TEXT = st.lists(
    st.sampled_from(
        [*"\\{}&%$#_~^-'`\"ab éü \n\tı", "\\i", "\\'", "--", "''", "e\u0301", "\u0301"]
    ),
    max_size=30,
).map("".join)


@settings(max_examples=500, deadline=None)
@given(_ANY_TEXT | _TRICKY_TEXT)
def test_decode_inverts_encode(text):
    assert decode_latex(encode_latex(text)) == text


@given(_TRICKY_TEXT)
def test_encode_output_has_balanced_braces(text):
    depth = 0
    for c in encode_latex(text):
        depth += {"{": 1, "}": -1}.get(c, 0)
        assert depth >= 0
    assert depth == 0
