"""atbib's comments in a list line: ``<!-- atbib: ignore[code, ...] -->`` at the end of an
entry's line tells ``atbib lint`` to leave those findings of that line unreported (``<!--
atbib: ignore -->``: every finding), as ``# noqa: CODE`` does for a linter.

The comment is part of the line, not of the entry: the reader reads the entry without it, and
an entry atbib rewrites keeps it.
"""

from __future__ import annotations

import re

_IGNORE = re.compile(
    r"[ \t]*<!--[ \t]*atbib:[ \t]*ignore(?:\[(?P<codes>[^\]]*)\])?[ \t]*-->[ \t]*$"
)


def split_directive(line: str) -> tuple[str, str]:
    """``(line without the comment, the comment with the white space before it)``; the
    comment is ``""`` when the line has none."""
    if "atbib" not in line:
        return line, ""
    found = _IGNORE.search(line)
    if found is None:
        return line, ""
    return line[: found.start()], line[found.start() :]


def ignored_codes(line: str) -> frozenset[str] | None:
    """The codes a line's comment ignores: ``None`` when it has none, an empty set when it
    ignores every finding (``<!-- atbib: ignore -->``)."""
    _, directive = split_directive(line)
    if not directive:
        return None
    found = _IGNORE.search(directive)
    codes = found.group("codes") if found else None
    if codes is None:
        return frozenset()
    return frozenset(code.strip() for code in codes.split(",") if code.strip())
