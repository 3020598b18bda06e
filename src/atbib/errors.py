"""The one exception type atbib raises for bad input; the CLI prints it as one line."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from atbib.model import Problem


class AtbibError(Exception):
    """Bad input or an impossible request, with a message fit for the user (file and line)."""


class BibtexError(AtbibError):
    """A .bib file atbib cannot read: every error, one per line (``file:line: message``)."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))
