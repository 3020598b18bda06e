"""Where a list item ends: the lines after its bullet line that belong to it.

Many lists write one work over several lines, as Markdown allows::

    1. **Graph Neural Networks: A Review.**
    *Ada Lovelace, Alan Turing.* IEEE TKDE 2020. [paper](https://arxiv.org/abs/2001.00001)

    1. **Deep Sets.** NIPS 2017. [paper](https://arxiv.org/abs/1703.06114)

        *Ada Lovelace, Alan Turing.*

The first item goes on in a *lazy continuation line* (text right below the bullet line, at any
indentation); the second in a paragraph indented under the item after a blank line. Both are
the item's, as Markdown renders them, so both are read with it. A line that starts another
block ends the item: a list item, a heading, a fence, a quote, a table row, a thematic break,
HTML (a comment included) or a line that is not indented enough after a blank line.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_ANY_BULLET = re.compile(r"^\s*(?:[-*+]|\d{1,9}[.)])(?:[ \t]|$)")
_INTERRUPTS = re.compile(
    r"^\s{0,3}(?:#{1,6}(?:[ \t]|$)|`{3,}|~{3,}|>|\||<[/!?a-zA-Z]"
    r"|(?:[-*_][ \t]*){3,}$|=+[ \t]*$)"
)
"""A line that starts a block of its own, so it is no part of the paragraph above it."""


def _indent(text: str) -> int:
    expanded = text.expandtabs(4)
    return len(expanded) - len(expanded.lstrip())


def starts_block(line: str) -> bool:
    """Whether a line starts a block of its own (a list item, a heading, ...), so that it
    cannot continue the paragraph of an item above it."""
    return _ANY_BULLET.match(line) is not None or _INTERRUPTS.match(line) is not None


def item_end(lines: Sequence[str], start: int, content_indent: int) -> int:
    """The index after the last line of the list item whose bullet line is ``lines[start]``:
    its lazy continuation lines, then each paragraph indented by at least *content_indent*
    (the width of its bullet and indentation) after blank lines. Blank lines after the item
    are not its own. Each line is looked at a bounded number of times."""
    end = _paragraph_end(lines, start + 1)
    while True:
        after_blank = end
        while after_blank < len(lines) and not lines[after_blank].strip():
            after_blank += 1
        if after_blank == end or after_blank == len(lines):
            return end
        line = lines[after_blank]
        if _indent(line) < content_indent or starts_block(line):
            return end
        end = _paragraph_end(lines, after_blank + 1)


def _paragraph_end(lines: Sequence[str], start: int) -> int:
    """The index after the lines that go on the paragraph ending at ``start - 1``."""
    end = start
    while end < len(lines) and lines[end].strip() and not starts_block(lines[end]):
        end += 1
    return end
