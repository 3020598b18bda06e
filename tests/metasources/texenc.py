"""How the ACL Anthology and DBLP write text into their BibTeX, each in its own way.

A client that reads both must cope with both: the Anthology LaTeX-encodes with pylatexenc
(``M{\\"u}ller``, en dash as ``--``) and braces fixed-case letters (``{BERT}``,
``{S}pan{BERT}``); DBLP braces the accent's argument (``R{\\'{e}}mi``), the hyphen in names
(``Ming{-}Wei``) and whole all-capital words (``{BERT:}``, ``{A}``).
"""

from __future__ import annotations

import re

from pylatexenc.latexencode import (
    RULE_DICT,
    UnicodeToLatexConversionRule,
    UnicodeToLatexEncoder,
)

_ANTHOLOGY = UnicodeToLatexEncoder(
    conversion_rules=[
        UnicodeToLatexConversionRule(
            RULE_DICT,
            {ord("’"): "'", ord("–"): "--", ord("—"): "---", ord("í"): "\\'i"},
        ),
        "defaults",
    ],
    replacement_latex_protection="braces-all",
    unknown_char_policy="keep",
    unknown_char_warning=False,
)
_NON_ASCII = UnicodeToLatexEncoder(
    non_ascii_only=True,
    replacement_latex_protection="braces-all",
    unknown_char_policy="keep",
    unknown_char_warning=False,
)
_SYMBOL_ACCENT = re.compile(r"\{\\(['`^\"~=.])([A-Za-z])\}")
_UPPER_RUN = re.compile(r"[A-Z]+")


def anthology_text(text: str) -> str:
    """The Anthology's LaTeX encoding of plain text (its pylatexenc settings)."""
    return str(_ANTHOLOGY.unicode_to_latex(text))


def anthology_title(title: str) -> str:
    """A title as the Anthology serves it: capitals after a word's first letter are fixed
    case, so every run of them is braced (``{BERT}``, ``{A}uto{P}rompt``)."""
    words = []
    for word in title.split(" "):
        first_letter = next((i for i, c in enumerate(word) if c.isalpha()), len(word))
        if not any(c.isupper() for c in word[first_letter + 1 :]):
            words.append(anthology_text(word))
            continue
        pieces, end = [], 0
        for run in _UPPER_RUN.finditer(word):
            pieces.append(anthology_text(word[end : run.start()]))
            pieces.append("{" + run.group(0) + "}")
            end = run.end()
        pieces.append(anthology_text(word[end:]))
        words.append("".join(pieces))
    return " ".join(words)


def dblp_text(text: str) -> str:
    """DBLP's encoding: non-ASCII only, with the accented letter braced (``{\\'{e}}``)."""
    encoded = str(_NON_ASCII.unicode_to_latex(text))
    return _SYMBOL_ACCENT.sub(lambda m: "{\\" + m.group(1) + "{" + m.group(2) + "}}", encoded)


def dblp_name(name: str) -> str:
    return dblp_text(name).replace("-", "{-}")


def dblp_title(title: str) -> str:
    """A title as DBLP's .bib has it: words written in capitals only are braced whole,
    punctuation included (``{BERT:}``, ``{A}``)."""
    words = []
    for word in title.split(" "):
        letters = [c for c in word if c.isalpha()]
        if letters and all(c.isupper() for c in letters):
            word = "{" + word + "}"
        words.append(word)
    return dblp_text(" ".join(words))
