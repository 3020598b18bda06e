"""Which sections a list has, and which one ``atbib import --section`` names.

A mistyped ``--section`` must not grow the list a new section at its end, so the path is
looked up among the list's headings (ignoring case, and emoji or punctuation around a title,
as :mod:`atbib.listformat` matches headings), and a section that is not there is an error
naming the one probably meant, unless the caller asks to create it.
"""

from __future__ import annotations

from dataclasses import dataclass

from atbib.document import Heading, Library, Text
from atbib.errors import AtbibError, did_you_mean
from atbib.headings import SECTION_SEPARATOR, Headings, section_path, under
from atbib.listformat import ListFormat, heading_key
from atbib.markdown.read import SKIP_MARKER
from atbib.model import SectionPath


@dataclass(frozen=True, slots=True)
class Section:
    """A heading of the list below its title, as a section path."""

    path: SectionPath
    read: bool
    """Whether its entries are bibliography: not under ``<!-- atbib: skip -->``, an excluded
    heading, or outside the included ones."""
    subsections: tuple[str, ...] = ()
    """The titles of the headings right below it."""


@dataclass(frozen=True, slots=True)
class Target:
    """The section an import adds to."""

    path: SectionPath
    """Spelled as the list spells it (the part that exists) and as given (the rest)."""
    created: tuple[SectionPath, ...] = ()
    """The sections that do not exist yet, outermost first: their headings are added."""


def outline(library: Library, list_format: ListFormat) -> list[Section]:
    """Every section of the list (its headings from level 2 down), in order."""
    found: dict[SectionPath, Section] = {}
    children: dict[SectionPath, list[str]] = {}
    headings: Headings = []
    unread_from = 0  # the level of the heading whose section is not read (0: none)
    for block in library.blocks:
        if isinstance(block, Text) and block.text.strip() == SKIP_MARKER and headings:
            level = headings[-1][0]
            unread_from = level if not unread_from else min(unread_from, level)
            path = section_path(headings)
            found[path] = Section(path, False)
        if not isinstance(block, Heading):
            continue
        headings = under(headings, block.level, block.title)
        if unread_from and block.level <= unread_from:
            unread_from = 0
        if not unread_from and list_format.exclude and list_format.excludes(block.title):
            unread_from = block.level
        if block.level < 2:
            continue
        path = section_path(headings)
        outside = bool(list_format.include) and not any(
            list_format.includes(t) for _, t in headings
        )
        found.setdefault(path, Section(path, not unread_from and not outside))
        children.setdefault(path[:-1], []).append(path[-1])
    return [Section(s.path, s.read, tuple(children.get(s.path, ()))) for s in found.values()]


def resolve_section(
    library: Library,
    list_format: ListFormat,
    path: SectionPath,
    *,
    create: bool = False,
    list_name: str = "the list",
) -> Target:
    """The section *path* names in the list, spelled as the list spells it. Raises
    :class:`AtbibError` when it is not bibliography, when it has subsections (the entries
    would go under none of them), or when it does not exist and *create* is false (naming
    the section probably meant)."""
    sections = outline(library, list_format)
    by_key = {_key(s.path): s for s in sections}
    shown = SECTION_SEPARATOR.join(path)
    depth = len(path)
    while depth and _key(path[:depth]) not in by_key:
        depth -= 1
    existing = by_key[_key(path[:depth])] if depth else None
    if existing is not None and not existing.read:
        raise AtbibError(
            f"{list_name}: section {SECTION_SEPARATOR.join(existing.path)!r} is not "
            "bibliography (<!-- atbib: skip -->, or left out by [tool.atbib]): nothing is "
            "imported into it"
        )
    if existing is not None and depth == len(path):
        if existing.subsections:
            example = SECTION_SEPARATOR.join((*existing.path, existing.subsections[0]))
            raise AtbibError(
                f"{list_name}: section {shown!r} has subsections "
                f"({', '.join(existing.subsections)}): name one, as in --section {example!r}"
            )
        return Target(existing.path)
    if not create:
        choices = [SECTION_SEPARATOR.join(s.path) for s in sections if s.read and not s.subsections]
        raise AtbibError(
            f"{list_name} has no section {shown!r}{did_you_mean(shown, choices)} "
            "(--create-section adds it)"
        )
    spelled = (*(existing.path if existing else ()), *path[depth:])
    return Target(spelled, tuple(spelled[: n + 1] for n in range(depth, len(spelled))))


def _key(path: SectionPath) -> tuple[str, ...]:
    return tuple(heading_key(title) for title in path)
