"""CommonMark backslash escapes, and the ``[label](url)`` link that uses them.

Text from elsewhere (a .bib file, Zotero) can hold anything, so whatever writes Markdown escapes
what would change the line's meaning with CommonMark's backslash escapes (``\\*`` shows as
``*``), and whatever reads it removes them. The list's lines are written this way, and so is
atbib's own ``links`` field of a .bib entry (``[code](https://...)``): both formats need these
rules, so they live here, apart from either. The rule is minimal, so lines people wrote stay
exactly as they were (see :mod:`atbib.markdown.entry` for where each character is escaped).
Inline math (``$O(n \\log n)$``) can be left as written: GitHub shows it as math and reads no
escapes inside it.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from atbib.texsyntax import math_spans, outside_spans
from atbib.urls import URL

_UNESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_ESCAPES = re.compile(r"\\.")
ALWAYS_SPECIAL = r"[\\*\[\]<`~]"
"""Escaped everywhere in a line: ``\\ * [ ] < ` ~``."""
UNDERSCORE_SPECIAL = r"(?<![^\W_])_|_(?![^\W_])"  # an "_" not between two letters or digits
ENTITY_SPECIAL = r"&(?=#[0-9]{1,7};|#[xX][0-9a-fA-F]{1,6};|[A-Za-z][A-Za-z0-9]{1,31};)"
TEXT_SPECIAL = re.compile("|".join((ALWAYS_SPECIAL, UNDERSCORE_SPECIAL, ENTITY_SPECIAL)))

_LINE_BREAKS = re.compile(r"[\r\n\t\f\v\x00]+")


def _backslash(match: re.Match[str]) -> str:
    return "\\" + match.group()


_MATH_UNSAFE = re.compile(r"[*\[\]<`~]|&[#A-Za-z]")


def _math_spans(text: str) -> list[tuple[int, int]]:
    """Inline math left as written (GitHub shows ``$...$`` as math and reads no escapes
    inside): LaTeX's rule (:func:`atbib.texsyntax.math_spans`), and nothing inside that
    the line's grammar would see."""
    if "$" not in text:
        return []
    return [(a, b) for a, b in math_spans(text) if not _MATH_UNSAFE.search(text, a, b)]


def _outside_math(text: str, change: Callable[[str], str]) -> str:
    spans = _math_spans(text)
    return outside_spans(text, spans, change)


def escape_markdown(
    text: str, special: re.Pattern[str] = TEXT_SPECIAL, *, math: bool = False
) -> str:
    """``text`` with the characters that would change a list line's meaning escaped (see the
    module docstring); line breaks become spaces, since an entry is one line, and white space
    around the value goes (``** Title **`` is no bold text; the reader drops it anyway). With
    *math*, inline math is left as written (titles, nicknames and descriptions: where nothing
    of the line's syntax can hide inside it)."""
    if _LINE_BREAKS.search(text):
        text = _LINE_BREAKS.sub(" ", text)
    if text[:1].isspace() or text[-1:].isspace():
        text = text.strip()
    if not math:
        return special.sub(_backslash, text)
    return _outside_math(text, lambda part: special.sub(_backslash, part))


def unescape_markdown(text: str, *, math: bool = False) -> str:
    """Remove CommonMark backslash escapes (``\\*`` -> ``*``), outside inline math with
    *math*; other backslashes stay."""
    if "\\" not in text:
        return text
    if not math:
        return _UNESCAPE.sub(r"\1", text)
    return _outside_math(text, lambda part: _UNESCAPE.sub(r"\1", part))


def blank_escapes(text: str) -> str:
    """``text`` with every escape replaced by two neutral characters (same length), so that
    searches for syntax see only unescaped characters."""
    return _ESCAPES.sub("__", text) if "\\" in text else text


LINK_LABEL = r"((?:[^\[\]\\]|\\.)*)"
"""The text of a link, ``[text]``: no unescaped bracket inside."""
MARKDOWN_LINK = re.compile(r"\[" + LINK_LABEL + r"\]\((" + URL + r")\)")
"""``[label](url)``: a link as the list and the ``links`` field of a .bib entry write it."""
