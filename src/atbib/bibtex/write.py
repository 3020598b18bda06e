"""BibTeX text from entries: one fixed layout, so regenerated files differ only where the
entries differ.

atbib writes its own files instead of going through a library writer: pybtex's writer
corrupts ``\\%`` and ``\\&`` and escapes URLs, and bibtexparser 1.4 reorders fields and
lower-cases their names (see the toolchain notes); the format itself is simple.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from atbib.bibtex.mapping import BibEntryOut

_LINE_BREAK = re.compile("\r\n|[\n\r\x0b\x0c\x85\u2028\u2029]")


def format_entry(entry: BibEntryOut) -> str:
    """One entry: ``@type{key,`` then ``  name = {value},`` lines and ``}``.

    A line break inside a value is written as a space, which is all it means to BibTeX and
    biber; kept, it could start a line that readers resynchronising after an error (atbib's
    own among them) take for a new entry (``@misc{``), or one biber warns looks like a field
    (``title =``)."""
    width = max((len(name) for name, _ in entry.fields), default=0)
    lines = [f"@{entry.entry_type}{{{entry.key},"]
    for index, (name, value) in enumerate(entry.fields):
        comma = "," if index < len(entry.fields) - 1 else ""
        value = _LINE_BREAK.sub(" ", value)
        lines.append(f"  {name.ljust(width)} = {{{value}}}{comma}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _comment(line: str) -> str:
    """A header line as BibTeX must see it: text outside entries, which it skips only until
    an ``@``; so ``@`` (from a heading such as ``## Work@Home``) is written as the full-width
    ``＠``, and line breaks as spaces."""
    return _LINE_BREAK.sub(" ", line).replace("@", "\uff20")


def format_file(header: Iterable[str], entries: Iterable[BibEntryOut]) -> str:
    """A whole .bib file: ``%`` header lines (ignored by BibTeX, which skips text outside
    entries), then the entries separated by blank lines."""
    parts = ["".join(f"% {_comment(line)}\n" if line else "%\n" for line in header)]
    parts.extend(format_entry(entry) for entry in entries)
    return "\n".join(parts)
