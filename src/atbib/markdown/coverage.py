"""How much of a list was read, and what to say when it is little.

Every list item that is no entry is kept as written and reported with its reason. Those that
look like works (a link, a bold title, an author line) are the losses that matter: they are
counted apart (:data:`~atbib.document.UNREAD_ITEM`), so that ``atbib export`` can say how
many items it could not read. Two warnings are about the list as a whole, for a list in a
shape atbib reads poorly, where a line-by-line report would hide the point:

* ``no-authors-read``: its items show author lines, yet no work read has authors;
* ``few-works-read``: many of its items look like works, yet few were read as works.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from atbib.document import UNREAD_ITEM, Block, Item, Text
from atbib.markdown.grammar import AUTHORS_LABEL, link_tokens
from atbib.model import Problem, Severity

NO_AUTHORS_READ = "no-authors-read"
FEW_WORKS_READ = "few-works-read"
MIN_ITEMS = 5
"""Lists with fewer items that look like works get no warning about the whole list."""

_BOLD = re.compile(r"\*\*[^*\s][^*]*+\*\*|__[^_\s][^_]*+__")
_ITALICS = re.compile(
    r"(?:(?<!\*)\*(?!\*)|(?<![\w_])_(?!_)|<(?:i|em)>)"  # italics open (not bold)
    r"([^*_<>]*+)"  # taken whole: a span without its closing mark is given up at once
    r"(?:\*(?!\*)|_(?![\w_])|</(?:i|em)>)",
    re.IGNORECASE,
)
_NAMES = re.compile(r",|\bet\.?\s?al\b|\band\b", re.IGNORECASE)
_AUTHORS_LABEL = re.compile(r"\b" + AUTHORS_LABEL, re.IGNORECASE)


def _shows_authors(text: str) -> bool:
    """Whether text shows who wrote a work: names in italics with a comma, ``and`` or ``et
    al.`` between them, or ``Authors:``. Linear in the text, whatever it holds."""
    if _AUTHORS_LABEL.search(text):
        return True
    return any(_NAMES.search(span.group(1)) for span in _ITALICS.finditer(text))


_ESCAPE = re.compile(r"\\.")


def _unescaped(text: str) -> str:
    """``text`` with each escape (``\\*``, ``\\_``) blanked by spaces: escaped marks are no
    emphasis, and blanks that are marks themselves (``__``) would look like one."""
    return _ESCAPE.sub("  ", text) if "\\" in text else text


def looks_like_work(text: str) -> bool:
    """Whether a list item's text looks like a work: a link to somewhere (a link to a heading
    of the page is a table of contents), a link that is broken, a bold title or an author
    line."""
    blank = _unescaped(text)
    if any(not token.group().split("](", 1)[-1].startswith("#") for token in link_tokens(text)):
        return True
    if "](" in blank and "](#" not in blank:
        return True
    return bool(_BOLD.search(blank)) or _shows_authors(blank)


def _texts(items: list[Item], unread: list[Text]) -> Iterator[str]:
    yield from (item.text for item in items)
    yield from (text.text for text in unread)


def coverage_problems(blocks: Sequence[Block], path: str) -> tuple[Problem, ...]:
    """The warnings about a list as a whole (see the module docstring), at line 0."""
    items = [b for b in blocks if isinstance(b, Item)]
    unread = [b for b in blocks if isinstance(b, Text) and b.code == UNREAD_ITEM]
    worklike = len(items) + len(unread)
    if worklike < MIN_ITEMS:
        return ()
    found: list[Problem] = []
    authorless = len(items) >= MIN_ITEMS and not any(i.record.authors for i in items)
    showing = (
        sum(1 for text in _texts(items, unread) if _shows_authors(_unescaped(text)))
        if authorless
        else 0
    )
    if authorless and showing * 2 >= worklike:
        found.append(
            Problem(
                path,
                0,
                Severity.WARNING,
                f"no work read from this list has authors, though {showing} of its "
                f"{worklike} items show author lines: they are written in a shape atbib "
                "does not read (see 'Shapes atbib reads' in the guide)",
                NO_AUTHORS_READ,
            )
        )
    if len(items) * 5 < worklike:
        found.append(
            Problem(
                path,
                0,
                Severity.WARNING,
                f"only {len(items)} of the {worklike} items that look like works were read "
                "as works: the list is written in a shape atbib does not read (see 'Shapes "
                "atbib reads' in the guide)",
                FEW_WORKS_READ,
            )
        )
    return tuple(found)
