"""What LaTeX's syntax means to every format that carries LaTeX: brace groups and inline math.

A .bib value must have balanced braces, and the list, the .bib files and Zotero all keep inline
math (``$O(n \\log n)$``) exactly as written, so the rules for finding both live here, apart
from the formats that use them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

_BRACES = re.compile(r"[{}]")


def group_end(text: str, start: int) -> int | None:
    """Index just past the brace group that opens at ``text[start] == "{"``; ``None`` when it
    never closes."""
    depth = 0
    for match in _BRACES.finditer(text, start):
        if match.group() == "{":
            depth += 1
        else:
            depth -= 1
            if depth == 0:
                return match.end()
    return None


# Inline math as pandoc reads it: ``$`` then a non-space, up to a ``$`` that follows a
# non-space (not a backslash) and is not followed by a digit; no bare ``% # &`` inside (TeX would
# read a comment, a parameter or an alignment). "$5 and $10" is not math; "$O(n \log n)$" is.
_MATH_SPAN = re.compile(r"\$(?=[^\s$])(?:[^$\\%#&]|\\[^\s])*?(?<=[^\s\\])\$(?!\d)")


def math_spans(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of every inline math span atbib keeps as written (see ``_MATH_SPAN``);
    a span must also have balanced braces, or BibTeX could not read the field."""
    if "$" not in text:
        return []
    spans: list[tuple[int, int]] = []
    pos = text.find("$")
    while pos >= 0:
        m = _MATH_SPAN.match(text, pos)
        if m is not None and balanced_braces(m.group()):
            spans.append((pos, m.end()))
            pos = text.find("$", m.end())
        else:
            pos = text.find("$", pos + 1)
    return spans


def balanced_braces(s: str) -> bool:
    """Whether every brace closes one opened before it and none stays open (what BibTeX needs
    of a field value)."""
    depth = 0
    for c in s:
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def outside_spans(text: str, spans: Sequence[tuple[int, int]], change: Callable[[str], str]) -> str:
    """``text`` with ``change`` applied to each piece between ``spans`` (inline math, as
    :func:`math_spans` finds it), which stay as written."""
    if not spans:
        return change(text)
    out: list[str] = []
    last = 0
    for start, end in spans:
        out.append(change(text[last:start]))
        out.append(text[start:end])
        last = end
    out.append(change(text[last:]))
    return "".join(out)
