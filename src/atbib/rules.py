"""The rules ``atbib lint`` checks: one table of codes, read by the linter, by the
configuration (``[tool.atbib.lint]`` names codes) and by ``--select``/``--ignore``.

A new finding is one row here, then the code that finds it in :mod:`atbib.lint`. Light on
purpose: the configuration validates codes against it on every command.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from atbib.errors import did_you_mean
from atbib.model import Severity


@dataclass(frozen=True, slots=True)
class Rule:
    """One kind of finding."""

    severity: Severity
    summary: str
    """What it finds, in a few words (``atbib lint --help``, the guide)."""
    fixable: bool = False
    """Whether ``atbib lint --fix`` can fix it: only findings with one safe fix are."""


RULES: dict[str, Rule] = {
    "empty-url": Rule(Severity.ERROR, "a link with an empty URL"),
    "relative-url": Rule(
        Severity.ERROR, "a link without a scheme that will not resolve from the list", True
    ),
    "authors-repeat-title": Rule(Severity.ERROR, "authors that repeat the title"),
    "venue-year": Rule(
        Severity.ERROR, "a venue year the arXiv date contradicts (a warning: makes doubtful)"
    ),
    "duplicate": Rule(Severity.ERROR, "a work listed twice (a warning across subsections)"),
    "unknown-venue": Rule(Severity.WARNING, "a venue the venue table does not know"),
    "venue-spelling": Rule(Severity.WARNING, "a known venue in another spelling", True),
    "doubled-space": Rule(Severity.WARNING, "two or more spaces in a row in an entry", True),
    "near-duplicate": Rule(Severity.WARNING, "two titles so alike they may be one work"),
    "unparsed-line": Rule(Severity.WARNING, "a list line that could not be read as an entry"),
    "unread-item": Rule(
        Severity.WARNING, "an item that looks like a work (a link, a title) but was not read"
    ),
    "continuation-line": Rule(
        Severity.WARNING, "a line that goes on an entry but does not read with it"
    ),
    "no-authors-read": Rule(
        Severity.WARNING, "items show author lines, yet no work read from the list has authors"
    ),
    "few-works-read": Rule(
        Severity.WARNING, "most items look like works, yet few were read as works"
    ),
    "same-link-different-titles": Rule(
        Severity.WARNING, "one paper link on works with different titles"
    ),
    "missing-authors": Rule(Severity.INFO, "a paper without authors"),
    "published-since": Rule(
        Severity.INFO, "a published version the list's label does not show yet (atbib fill)"
    ),
    "venue-disagrees": Rule(
        Severity.WARNING, "the list names another venue or year than the sources (atbib fill)"
    ),
    "authors-disagree": Rule(
        Severity.WARNING, "the list names other authors than the sources (atbib fill)"
    ),
}
"""Every lint code, with its usual severity (some findings are less sure, see the rule)."""


def check_codes(codes: Iterable[str], where: str) -> tuple[str, ...]:
    """*codes* as given, or ``ValueError`` naming the first unknown one and the code it
    probably means (*where* says where it was written)."""
    found = tuple(codes)
    for code in found:
        if code not in RULES:
            raise ValueError(f"{where}: unknown rule {code!r}{did_you_mean(code, RULES)}")
    return found
