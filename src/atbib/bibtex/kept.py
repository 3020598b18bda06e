"""``bib/extra.bib``: the fields of imported entries that the list cannot show, by key.

A .bib file carries more than a list line can: ``pages``, ``publisher``, a DOI, the
proceedings' full title, the source's own spelling of a name or a title. ``atbib import`` keeps
those fields here, raw as the source wrote them, under the key the work got; ``atbib export``
writes them back into the work's entry wherever they still say what the list says
(:func:`atbib.bibtex.overlay.overlay`). So a .bib file imported into the list comes back from
export with its fields and values, and a field corrected by hand in bib/ survives the next
export once ``atbib import --update`` has taken it in. ``atbib zotero pull`` keeps here that a
work a group member filed as a journal article is in a journal, when the venue table does not
know the journal the list line names (:func:`atbib.export.kept_in_journals`).

The file is plain BibTeX (one entry per work, only the kept fields) that people may edit; it is
not a bibliography to cite, and export never rewrites it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from atbib.bibtex.encode import carries_active_link, join_lines
from atbib.bibtex.mapping import ATBIB_FIELDS, BibEntryOut, KeptEntry
from atbib.bibtex.parse import parse_bibtex
from atbib.bibtex.write import format_file

__all__ = ["HEADER", "kept_fields", "read_kept", "write_kept"]

HEADER = (
    "Kept by atbib: fields of imported .bib entries that the list cannot show (pages,",
    "publisher, doi, ...) or spells differently, by citation key. `atbib export` writes them",
    "into bib/; `atbib import` and `atbib zotero pull` add to this file. You may edit it;",
    "it is not for citing.",
)
_SPACE = " ".join


def _same_text(a: str, b: str) -> bool:
    return a == b or _SPACE(a.split()) == _SPACE(b.split())


def kept_fields(
    entry_type: str, fields: Sequence[tuple[str, str]], generated: BibEntryOut
) -> KeptEntry | None:
    """What to keep of a source entry (raw fields) so that writing its work gives the entry
    back: every field the generated entry lacks or writes differently, and the entry type when
    it differs. ``None`` when the generated entry already says it all."""
    written = {name.lower(): value for name, value in generated.fields}
    kept: list[tuple[str, str]] = []
    seen: set[str] = set()
    for name, raw in fields:
        lname = name.lower()
        if lname in seen or lname in ATBIB_FIELDS:
            continue
        seen.add(lname)
        mine = written.get(lname)
        if (mine is not None and _same_text(mine, raw)) or carries_active_link(raw):
            continue  # a javascript: link is refused as a link and as a field
        kept.append((lname, join_lines(raw) if "\n" in raw else raw))
    if not kept and entry_type == generated.entry_type:
        return None
    return KeptEntry(entry_type, tuple(kept))


def read_kept(text: str) -> dict[str, tuple[str, KeptEntry]]:
    """The kept entries of ``bib/extra.bib``: lower-case key -> ``(key, kept entry)`` (the
    first of a repeated key wins; the file is atbib's own, so problems in it are not reported
    here)."""
    found: dict[str, tuple[str, KeptEntry]] = {}
    for entry in parse_bibtex(text).entries:
        found.setdefault(
            entry.key.lower(),
            (
                entry.key,
                KeptEntry(entry.entry_type, tuple((f.name, f.value) for f in entry.fields)),
            ),
        )
    return found


def write_kept(entries: Mapping[str, tuple[str, KeptEntry]]) -> str:
    """The file's text; *entries* maps a lower-case key to ``(key, kept entry)``. Sorted by
    key, so adding a work changes only its own lines."""
    return format_file(
        HEADER,
        (
            BibEntryOut(kept.entry_type, key, kept.fields)
            for _, (key, kept) in sorted(entries.items())
        ),
    )
