"""How a section's title is written as a Markdown heading and read back, and which section a
stack of headings names.

The list names its sections by its headings, and the Zotero collection tree mirrors them: a
collection's name counts as the heading it would be written as. Both sides read headings by
these rules, so they live outside :mod:`atbib.markdown` and :mod:`atbib.zotero`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from atbib.model import SectionPath

_BREAKS = re.compile(r"[\r\n]")


def heading_title(rest: str) -> str:
    """The title of an ATX heading from the text after ``#``s and white space: without a
    closing run of ``#`` that white space separates from it (``## Title ##`` -> ``Title``,
    ``## C#`` -> ``C#``), stripped."""
    body = rest.rstrip(" \t")
    unhashed = body.rstrip("#")
    if unhashed != body and unhashed != unhashed.rstrip(" \t"):
        body = unhashed
    return body.strip()


def heading_text(title: str) -> str:
    """The text of a heading line (after its ``#``s) for a section ``title``: line breaks
    (``\\n``, ``\\r``, CommonMark's line endings) are written as spaces, so the heading stays
    one line, and a title ending in ``#`` gets a closing ``#`` (CommonMark's closing sequence,
    which readers remove), so its own ``#`` stays. It reads back as :func:`section_title` of
    ``title``."""
    text = _BREAKS.sub(" ", title) if _BREAKS.search(title) else title
    if heading_title(text) != text.strip() and heading_title(text + " #") == text.strip():
        return text + " #"
    return text


def section_title(name: str) -> str:
    """The section a heading written for ``name`` names when read back (see
    :func:`heading_text`): line breaks become spaces, white space around it goes. A Zotero
    collection's name is matched to the list's headings through this."""
    return heading_title(heading_text(name))


Headings = list[tuple[int, str]]
"""The headings above a line: ``(level, title)``, outermost first."""


def under(headings: Headings, level: int, title: str) -> Headings:
    """The headings above the lines after a heading of this level and title."""
    return [(lv, t) for lv, t in headings if lv < level] + [(level, title)]


def section_path(headings: Sequence[tuple[int, str]]) -> SectionPath:
    """The section of the lines below some headings: their titles from level 2 down; the
    level-1 heading only when there is nothing below it."""
    below_title = tuple(title for level, title in headings if level >= 2)
    return below_title or tuple(title for _, title in headings)


SECTION_SEPARATOR = " / "
"""Between the headings of a section path written on one line (``Transformer / Papers``)."""


def split_section_path(
    text: str,
    split: Callable[[str, str], list[str]] = str.split,
    clean: Callable[[str], str] = str.strip,
) -> SectionPath:
    """A section path written on one line (``Transformer / Papers``): the headings between
    the separators, each made plain by *clean*, empty ones left out. ``--section`` is read
    with the defaults; a .bib ``subsection`` value splits outside braces and decodes LaTeX."""
    return tuple(h for h in (clean(part) for part in split(text, SECTION_SEPARATOR)) if h)
