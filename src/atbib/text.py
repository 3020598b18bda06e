"""Text folding shared by keys, duplicate detection and lint.

Both need to see ``It’s`` and ``It's``, ``Müller`` and ``M{\\"u}ller``, ``CodeBERT:A`` and
``CodeBERT: A`` as the same thing, so the folding lives in one place.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache

_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-", "‐": "-"})
# Both start with the literal they remove, so the engine jumps from one candidate to the next
# instead of trying the lookbehind at every position (four times faster).
_APOSTROPHE = re.compile(r"['’](?<=\w['’])(?=\w)")
_NON_WORD = re.compile(r"[\W_]+")
_WORD = re.compile(r"[^\W_]+")
"""What :data:`_NON_WORD` runs separate: ``_WORD.findall(t) == _NON_WORD.sub(" ", t).split()``
(white space is never a word character), in one pass instead of three."""
_INNER_HYPHEN = re.compile(r"-(?<=\w-)(?=\w)")

STOP_WORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
        "nor",
        "of",
        "on",
        "in",
        "at",
        "to",
        "for",
        "from",
        "with",
        "without",
        "via",
        "by",
        "into",
        "onto",
        "over",
        "under",
        "as",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "do",
        "does",
        "did",
        "how",
        "what",
        "why",
        "when",
        "which",
        "who",
        "whom",
        "whose",
        "this",
        "that",
        "these",
        "those",
        "its",
        "it",
        "s",
    ]
)
"""Words a key never starts from (compared lower-case), as Google Scholar skips them."""


def fold_title(title: str) -> str:
    """A comparison form of a title: case-folded, NFKC, quotes and dashes unified, punctuation
    and spacing collapsed. Keeps non-Latin letters (two Chinese titles must stay apart)."""
    if title.isascii():
        # NFKC and the quote table change nothing in ASCII, and casefold is lower there.
        text = title.lower()
    else:
        text = unicodedata.normalize("NFKC", title).translate(_QUOTES).casefold()
    if "'" in text or "’" in text:
        text = _APOSTROPHE.sub("", text)
    return " ".join(_WORD.findall(text))


@lru_cache(maxsize=65536)
def to_ascii(text: str) -> str:
    """Transliterate to ASCII (Ł -> L, ü -> u, 张 -> Zhang), via anyascii."""
    if text.isascii():
        return text
    from anyascii import anyascii

    return anyascii(unicodedata.normalize("NFC", text))


def ascii_words(text: str) -> list[str]:
    """Lower-case ASCII words of a title for keys: apostrophes dropped (``Don't`` -> ``dont``),
    hyphenated words joined (``Self-Attention`` -> ``selfattention``), each run of CJK
    characters cut into words of two characters (a common Chinese word length) so a Chinese
    title gives a short key word instead of a whole sentence in pinyin."""
    if text.isascii():
        # No CJK, nothing to transliterate or normalise: the per-token work below reduces to
        # one pass over the whole text (white space is a non-word run, so the words are the
        # same).
        if "'" in text:
            text = _APOSTROPHE.sub("", text)
        if "-" in text:
            text = _INNER_HYPHEN.sub("", text)
        return _WORD.findall(text.lower())
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES)
    text = _APOSTROPHE.sub("", text)
    text = _INNER_HYPHEN.sub("", text)
    words: list[str] = []
    for token in text.split():
        for part in _split_cjk(token):
            folded = _NON_WORD.sub(" ", to_ascii(part)).lower().split()
            if _cjk().match(part):
                words.append("".join(folded))
            else:
                words.extend(folded)
    return [w for w in words if w]


@lru_cache(maxsize=1)
def _cjk() -> re.Pattern[str]:
    """One CJK character. Compiled on first use: its ranges take 2 ms to compile, and only
    titles that are not ASCII need it."""
    return re.compile(
        r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af\U00020000-\U0002fa1f]"
    )


def _split_cjk(token: str) -> list[str]:
    cjk = _cjk()
    if not cjk.search(token):
        return [token]
    parts: list[str] = []
    current = ""
    run = ""
    for char in token:
        if cjk.match(char):
            if current:
                parts.append(current)
                current = ""
            run += char
            if len(run) == 2:
                parts.append(run)
                run = ""
        else:
            if run:
                parts.append(run)
                run = ""
            current += char
    parts.extend(p for p in (run, current) if p)
    return parts


def significant_words(title: str) -> list[str]:
    """Title words that can start a key: no stop words, no bare numbers (``75 Languages, 1
    Model`` starts from ``languages``; a number would run into the year)."""
    return [w for w in ascii_words(title) if w not in STOP_WORDS and not w.isdigit()]


def first_significant_words(title: str, count: int) -> list[str]:
    """``significant_words(title)[:count]``, without finding the words after those (a key
    uses at most three)."""
    if not title.isascii():
        return significant_words(title)[:count]
    # ascii_words' ASCII path, word by word
    if "'" in title:
        title = _APOSTROPHE.sub("", title)
    if "-" in title:
        title = _INNER_HYPHEN.sub("", title)
    words: list[str] = []
    for match in _WORD.finditer(title.lower()):
        word = match.group()
        if word not in STOP_WORDS and not word.isdigit():
            words.append(word)
            if len(words) == count:
                break
    return words


def _first_alnum(text: str) -> str:
    for char in text:
        if char.isalnum():
            return char.lower()
    return ""


def authors_repeat_title(authors: Sequence[object], title: str) -> bool:
    """Whether the authors (people, as the list shows them), folded, are the title, folded: the
    list repeated the title in the authors' place. Lint reports it, and keys are then not made
    from such an "author".

    Most works are told apart at once: folding ASCII text keeps its first letter or digit,
    lower-cased, so when the first author and the title are ASCII and start with different
    ones, the folded texts differ and nothing needs folding."""
    if not authors:
        return False
    first_author = str(authors[0])
    if first_author.isascii() and title.isascii():
        author_start, title_start = _first_alnum(first_author), _first_alnum(title)
        if author_start and title_start and author_start != title_start:
            return False
    return fold_title(", ".join(map(str, authors))) == fold_title(title)
