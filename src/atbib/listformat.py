"""How a Markdown list is read: which headings hold bibliography, and what their entries are.

ATPapers needs none of this: its defaults are the defaults. Other lists set it in
``[tool.atbib]`` (see :func:`atbib.config.load_config`) or pass a :class:`ListFormat` to
:func:`atbib.read_markdown`::

    [tool.atbib]
    include-headings = ["Papers", "Models"]   # only sections under these headings
    exclude-headings = ["Contents", "License"] # never these (replaces the default list)
    heading-kinds = { "Tools" = "repository", "Talks" = "slides" }
    house-style-only = false                   # true: read only atbib's own entry shapes

Headings are matched by their title, case-insensitively, as shell patterns (``Paper*``), with
leading and trailing emoji and punctuation ignored (``## 📝 Contents`` is ``Contents``). A
heading that is excluded, or outside every included heading, is not bibliography and neither
is anything below it: its lines are carried through untouched, as under
``<!-- atbib: skip -->``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from functools import lru_cache

from atbib.model import Kind, SectionPath

DEFAULT_EXCLUDE: tuple[str, ...] = (
    "Contents",
    "Content",
    "Table of Contents",
    "TOC",
    "License",
    "Licence",
    "Contributing",
    "Contribute",
    "How to Contribute",
    "Contributors",
    "Acknowledgements",
    "Acknowledgments",
    "See Also",
)
"""Headings of the usual awesome-list furniture: never bibliography unless a list says so."""

TABLES_OF_CONTENTS: tuple[str, ...] = ("Contents", "Content", "Table of Contents", "TOC")
"""Headings of a table of contents. Excluded, such a heading leaves out only its own lines:
lists put their sections one level below it (``## Contents``, then ``### Papers``), and those
sections are not its contents, and it names no section."""
CONTENTS_ONLY = 7
"""The level :meth:`ListFormat.excluded_levels` gives a table of contents: deeper than any
heading, so the next heading of any level ends what it leaves out."""

_EDGES = re.compile(r"^[\W_]+|[\W_]+$")
_PATTERN_EDGES = re.compile(r"^[^\w*?\[\]]+|[^\w*?\[\]]+$")


def heading_key(title: str) -> str:
    """A heading title as patterns see it: case-folded, without leading or trailing emoji,
    punctuation or white space."""
    return _EDGES.sub("", title).casefold()


@lru_cache(maxsize=4096)
def _matches(patterns: tuple[str, ...], title: str) -> bool:
    key = heading_key(title)
    return any(fnmatchcase(key, _PATTERN_EDGES.sub("", p).casefold()) for p in patterns)


def matches(pattern: str, title: str) -> bool:
    """Whether a heading title matches a pattern (see the module docstring)."""
    return _matches((pattern,), title)


@dataclass(frozen=True, slots=True)
class ListFormat:
    """How a list is read: which headings hold bibliography and what their entries are.
    The default reads ATPapers and the common awesome-list shapes; ``[tool.atbib]`` sets it
    for a project (``include-headings``, ``exclude-headings``, ``heading-kinds``,
    ``house-style-only``). Headings are matched by their title, case-insensitively, as
    shell patterns (``Paper*``), ignoring leading and trailing emoji and punctuation. An
    excluded heading, or one outside every included heading, is not bibliography, and
    neither is anything below it."""

    include: tuple[str, ...] = ()
    """Heading patterns; when given, only sections under a matching heading are read."""
    exclude: tuple[str, ...] = DEFAULT_EXCLUDE
    """Heading patterns whose sections are never read (by default the usual furniture:
    contents, license, contributing...)."""
    kinds: tuple[tuple[str, Kind], ...] = ()
    """``(heading pattern, kind)``: the kind of the entries under a matching heading whose
    title is a link (``[Title](url)``); the deepest matching heading wins. Entries written
    with a bold or plain title take ``paper``, ``slides`` or ``book`` from here (others
    keep their own kind)."""
    house_style_only: bool = False
    """Read only atbib's own entry shapes; lines in other shapes are kept and reported."""

    @classmethod
    def from_settings(cls, table: Mapping[str, object]) -> ListFormat:
        """The format a ``[tool.atbib]`` table describes (``ValueError`` names a bad value)."""
        include = _patterns(table, "include-headings", ())
        exclude = _patterns(table, "exclude-headings", DEFAULT_EXCLUDE)
        kinds_table = table.get("heading-kinds", {})
        if not isinstance(kinds_table, Mapping):
            raise ValueError("heading-kinds must be a table of heading = kind")
        kinds: list[tuple[str, Kind]] = []
        for pattern, value in kinds_table.items():
            try:
                kinds.append((str(pattern), Kind(str(value).strip().lower())))
            except ValueError:
                names = ", ".join(repr(k.value) for k in Kind)
                raise ValueError(
                    f"heading-kinds: {value!r} for {pattern!r} is not a kind ({names})"
                ) from None
        strict = table.get("house-style-only", False)
        if not isinstance(strict, bool):
            raise ValueError("house-style-only must be true or false")
        return cls(tuple(include), tuple(exclude), tuple(kinds), strict)

    def excludes(self, title: str) -> bool:
        """Whether a heading is never bibliography."""
        return bool(self.exclude) and _matches(self.exclude, title)

    def excluded_levels(self, title: str, level: int) -> int:
        """How deep the lines a heading of this level leaves out go: 0 when the heading is
        bibliography, :data:`CONTENTS_ONLY` (its own lines) for an excluded table of contents,
        else its level (its subsections too)."""
        if not self.exclude or not _matches(self.exclude, title):
            return 0
        return CONTENTS_ONLY if _matches(TABLES_OF_CONTENTS, title) else level

    def includes(self, title: str) -> bool:
        """Whether a heading is one of the included ones (always false without ``include``)."""
        return bool(self.include) and _matches(self.include, title)

    def kind_for(self, section: SectionPath) -> Kind | None:
        """The kind configured for entries of a section (the deepest matching heading)."""
        for title in reversed(section):
            for pattern, kind in self.kinds:
                if _matches((pattern,), title):
                    return kind
        return None


DEFAULT_FORMAT = ListFormat()


def _patterns(table: Mapping[str, object], name: str, default: Sequence[str]) -> list[str]:
    value = table.get(name, default)
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, Iterable) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{name} must be a list of heading titles or patterns")
    return [str(v) for v in value]
