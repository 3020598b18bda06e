"""Which keys a LaTeX document cites, read from its ``.aux`` file, and what they are now.

A key renamed by ``atbib fill`` stays valid: biblatex resolves it through the entry's ``ids``
field. Classic BibTeX has no aliases, so a BibTeX user needs to know which keys their document
still cites by an old name (``atbib check --aux paper.aux``). BibTeX writes ``\\citation{a,b}``
lines into the .aux file; biblatex with biber writes ``\\abx@aux@cite{0}{a}`` (older versions
``\\abx@aux@cite{a}``); ``\\citation{*}`` (``\\nocite{*}``) cites no particular key.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from atbib.keys import KeyRow, renamed_to

_CITATION = re.compile(r"\\citation\{([^{}]*)\}|\\abx@aux@cite\{(?:\d+\}\{)?([^{}]*)\}")


def cited_keys(aux: str) -> list[str]:
    """The keys an .aux file cites, each once, in the order first cited."""
    found: dict[str, None] = {}
    for match in _CITATION.finditer(aux):
        for key in (match.group(1) or match.group(2) or "").split(","):
            key = key.strip()
            if key and key != "*":
                found.setdefault(key, None)
    return list(found)


@dataclass(frozen=True, slots=True)
class Citation:
    key: str
    current: str
    """The key's current name: itself, the key it was renamed to, or ``""`` when the registry
    has never known it (a key of another bibliography)."""

    @property
    def renamed(self) -> bool:
        return bool(self.current) and self.current != self.key


def resolve_citations(keys: Iterable[str], registry: Sequence[KeyRow]) -> list[Citation]:
    """Each cited key with its current name (following renames, case-insensitively as
    BibTeX compares keys)."""
    rows = {row.key.lower(): row for row in registry}
    found = []
    for key in keys:
        current, seen = key, set()
        row = rows.get(current.lower())
        while row is not None and renamed_to(row) is not None and current.lower() not in seen:
            seen.add(current.lower())
            current = renamed_to(row) or current
            row = rows.get(current.lower())
        found.append(Citation(key, row.key if row is not None else ""))
    return found
