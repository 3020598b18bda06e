"""Personal names split by BibTeX's rules.

The rules are BibTeX's (and pybtex's, which the tests use as the oracle): ``First von Last``,
``von Last, First`` and ``von Last, Jr, First``; words are separated by white space or ``~`` at
brace level 0; a word belongs to the *von* part when its first letter at brace level 0 (or the
first letter of a special character such as ``{\\"u}``) is lower case. atbib splits names on
every entry of lists with 100,000 works, so plain names take a fast path that never scans
characters one by one; only names containing braces use the brace-aware scanner.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import NamedTuple, TypeVar

from atbib.texsyntax import group_end

_SPACE = re.compile(r"(?:\\ |\s|(?<!\\)~)+")
_COMMA = re.compile(",")
_BRACES = re.compile(r"[{}]")


class NameParts(NamedTuple):
    first: str
    von: str
    last: str
    jr: str


def split_words(text: str, sep: re.Pattern[str] = _SPACE) -> list[str]:
    """Split at ``sep`` outside braces; unbalanced braces extend to the end of the text."""
    if "{" not in text:
        return [w for w in (part.strip() for part in sep.split(text)) if w or sep is not _SPACE]
    words: list[str] = []
    current: list[str] = []
    depth = 0
    start = 0
    for match in _BRACES.finditer(text):
        if depth == 0:
            # Text before this brace is at level 0: split it.
            pieces = sep.split(text[start : match.start()])
            for piece in pieces[:-1]:
                words.append("".join([*current, piece]))
                current = []
            current.append(pieces[-1])
            start = match.start()
        if match.group() == "{":
            depth += 1
        elif depth > 0:
            depth -= 1
            if depth == 0:
                current.append(text[start : match.end()])
                start = match.end()
    if depth > 0:
        current.append(text[start:])
    else:
        pieces = sep.split(text[start:])
        for piece in pieces[:-1]:
            words.append("".join([*current, piece]))
            current = []
        current.append(pieces[-1])
    words.append("".join(current))
    words = [w.strip() for w in words]
    return [w for w in words if w] if sep is _SPACE else words


def _special_char_is_lower(group: str) -> bool:
    """Case of a special character ``{\\"u}``: the first letter after the control word
    (``{\\L}`` has none and counts as upper case, as in pybtex)."""
    control_word = True
    for char in group[2:]:
        if control_word:
            if not char.isalpha():
                control_word = False
        elif char.isalpha():
            return char.islower()
    return False


def is_von(word: str) -> bool:
    """Whether a word starts lower case in BibTeX's sense (so belongs to the von part)."""
    head = word[0]
    if head.isupper():
        return False
    if head.islower():
        return True
    depth = 0
    i = 0
    while i < len(word):
        char = word[i]
        if char == "{":
            if depth == 0 and word.startswith("{\\", i):
                end = group_end(word, i) or len(word)
                return _special_char_is_lower(word[i:end])
            depth += 1
        elif char == "}":
            depth = max(depth - 1, 0)
        elif depth == 0 and char.isalpha():
            return char.islower()
        elif depth == 1 and char == "\\":
            return False  # a control sequence inside a plain group: pybtex calls it upper
        i += 1
    return False


W = TypeVar("W")


def von_last(words: list[W], is_von_word: Callable[[W], bool]) -> tuple[list[W], list[W]]:
    """Split ``von Last`` words: the last word is always Last; von runs to the last von word.
    Words are whatever the caller splits (text, or text with its case already decided)."""
    if not words:
        return [], []
    head = words[:-1]
    cut = 0
    for i in range(len(head) - 1, -1, -1):
        if is_von_word(head[i]):
            cut = i + 1
            break
    return head[:cut], head[cut:] + words[-1:]


def first_von_last(
    words: list[W], is_von_word: Callable[[W], bool]
) -> tuple[list[W], list[W], list[W]]:
    """Split the words of a ``First von Last`` name by BibTeX's rules: First runs to the
    first von word, Last always has a word, von runs to the last von word before Last."""
    first_end = next((i for i, w in enumerate(words) if is_von_word(w)), len(words))
    first, rest = words[:first_end], words[first_end:]
    if not rest and first:
        rest = [first.pop()]
    von, last = von_last(rest, is_von_word)
    return first, von, last


def split_name(text: str) -> NameParts:
    """Split one name into first, von, last and jr parts (each joined with single spaces)."""
    text = text.strip()
    if "," not in text and "{" not in text and "\\" not in text and "~" not in text:
        # The common case: "First Middle Last", capitalised words and nothing BibTeX treats
        # specially. With no von word, the last word is Last and the others are First.
        words = text.split()
        for word in words:
            if not word[0].isupper():
                break
        else:
            if words:
                return NameParts(" ".join(words[:-1]), "", words[-1], "")
    parts = split_words(text, _COMMA) if "," in text else [text]
    if len(parts) > 3:
        parts = [parts[0], parts[1], ", ".join(parts[2:])]
    if len(parts) == 1:
        first, von, last = first_von_last(split_words(text), is_von)
        jr: list[str] = []
    else:
        von, last = von_last(split_words(parts[0]), is_von)
        first = split_words(parts[-1])
        jr = split_words(parts[1]) if len(parts) == 3 else []
    return NameParts(" ".join(first), " ".join(von), " ".join(last), " ".join(jr))


def split_authors(text: str) -> list[str]:
    """Split a BibTeX author field at `` and `` outside braces (any case, any white space)."""
    return [a for a in split_words(text, _AND) if a.strip()]


_AND = re.compile(r"\s+and\s+", re.IGNORECASE)
