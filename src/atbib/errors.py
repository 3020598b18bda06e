"""The exceptions atbib raises: :class:`AtbibError` for bad input or a refusal, which the CLI
prints as one line, and the Zotero client's."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from atbib.model import Problem


class AtbibError(Exception):
    """Bad input or an impossible request, with a message fit for the user (file and line)."""


class ReadError(AtbibError):
    """Input atbib was asked to read strictly and could not read whole: every problem, one per
    line (``file:line: severity: message``)."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class BibtexError(ReadError):
    """A .bib file atbib cannot read: every error, one per line."""


class ListError(ReadError):
    """A Markdown list read with ``strict=True`` that has lines atbib could not read."""


class ZoteroError(AtbibError):
    """Zotero refused or failed a request, in one line fit for the user."""


class AccessDenied(ZoteroError):
    """The API key may not read or write the group."""


class LibraryChanged(Exception):
    """A conditional write found the library changed (412): pull, merge, retry. Not an
    error for the user: the sync pulls, merges and writes again."""


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """``"; did you mean 'x'?"`` naming the choice closest to *word* (a typo of a setting, a
    rule, a section), else ``""``: the end of an error message."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""
