"""Nested bullets: group labels above entries, and side lines below them.

Lists nest bullets two ways, and neither nested line is an entry of its own::

    * **Python** - [Back to Top](#contents)        a group label: its children are the entries
      * [spaCy](https://github.com/explosion/spaCy) - Industrial strength NLP

    1. **Q8BERT: Quantized 8Bit BERT**. *Ofir Zafrir, ...*. NeurIPS 2019 Workshop. [[pdf](...)]
        - Quantization-aware training of BERT       side lines of the entry above
        - [[code](https://github.com/NervanaSystems/nlp-architect)]

A group label (a bullet with nested bullets that has no link, venue or authors of its own) is
kept as it is and noted at ``info`` severity; a side line under an entry is kept and reported
as a warning, saying how to make it part of the entry. Every list item is thus an entry or a
reported line. Entries nested under a group label are
entries like any other, in the section of their heading.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from atbib.document import Block, Heading, Item, Text
from atbib.markdown.entry import split_bullet
from atbib.model import Severity

GROUP_LABEL = "a label for the entries nested below it, not an entry"
SIDE_LINE = (
    "a line nested under the entry above, not an entry of its own (to cite its link, "
    "add the link to the entry's line as [[label]](url))"
)
_ANCHOR_LINK = re.compile(r"\[[^\[\]]*\]\(#[^()\s]*\)")
_LINKISH = re.compile(r"\]\(|\[\[")
_LINK_LABELS = frozenset(
    (  # noqa: SIM905
        "code pdf paper slides video talk poster project blog github website homepage demo "
        "data dataset model models arxiv openreview supplementary appendix bibtex"
    ).split()
)


def _indent(prefix: str) -> int:
    return len(prefix.expandtabs(4)) - len(prefix.expandtabs(4).lstrip())


def _bullet_indent(block: Block) -> int | None:
    if isinstance(block, Item):
        return _indent(block.prefix)
    if isinstance(block, Text):
        bullet = split_bullet(_first_line(block.text))
        return _indent(bullet[0]) if bullet is not None else None
    return None


def _first_line(text: str) -> str:
    """The bullet line of a text that may hold a whole list item."""
    return text.split("\n", 1)[0].rstrip("\r")


def _is_label(block: Block) -> bool:
    """A bullet that can only be a label for the bullets below it."""
    if isinstance(block, Item):
        r = block.record
        return not (r.url or r.links or r.venue or r.authors or r.description)
    if isinstance(block, Text) and block.problem:
        first = _first_line(block.text)
        bullet = split_bullet(first)
        text = bullet[1] + block.text[len(first) :] if bullet is not None else block.text
        body = _ANCHOR_LINK.sub("", text)
        return not _LINKISH.search(body)
    return False


def _is_side_link(item: Item) -> bool:
    r = item.record
    return bool(r.url) and not r.description and r.title.strip().lower() in _LINK_LABELS


def nest_bullets(blocks: Sequence[Block]) -> tuple[Block, ...]:
    """The blocks with group labels made plain text and side lines reported (see the module
    docstring). Bullets are nested by indentation; a heading or an unindented line of text
    ends every list."""
    out = list(blocks)
    changed = False
    stack: list[tuple[int, int]] = []  # (indent, position) of the open bullets
    for position, block in enumerate(blocks):
        if isinstance(block, Heading):
            stack.clear()
            continue
        indent = _bullet_indent(block)
        if indent is None:
            if block.text.strip() and not block.text[:1].isspace():
                stack.clear()
            continue
        while stack and stack[-1][0] >= indent:
            stack.pop()
        if stack:
            parent_at = stack[-1][1]
            parent = out[parent_at]
            if _is_label(parent):
                out[parent_at] = Text(
                    parent.text, parent.eol, parent.line, GROUP_LABEL, Severity.INFO
                )
                changed = True
            elif isinstance(parent, Item) and (
                (isinstance(block, Text) and block.problem)
                or (isinstance(block, Item) and _is_side_link(block))
            ):
                out[position] = Text(block.text, block.eol, block.line, SIDE_LINE)
                changed = True
                continue  # a side line is nobody's parent
        stack.append((indent, position))
    return tuple(out) if changed else tuple(blocks)
