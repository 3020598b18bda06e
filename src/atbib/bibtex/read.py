""".bib files -> records: what ``atbib import`` and ``atbib render`` read.

:func:`load_bibtex` never raises on bad input: it returns the records it could read and every
problem with its line. :func:`read_bibtex` is the library call: records, or a
:class:`BibtexError` listing every error when the file is malformed.

The text is parsed by atbib's own reader (:mod:`atbib.bibtex.parse`: ``@string`` macros, ``#``
concatenation, ``@comment`` and ``@preamble``, problems with lines), ``crossref`` is resolved
as BibTeX resolves it, and each entry is read through the mapping table
(:func:`atbib.bibtex.mapping.record_from_entry`).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, replace

from atbib._nogc import paused
from atbib.bibtex.mapping import record_from_entry
from atbib.bibtex.parse import BibEntry, Field, parse_bibtex
from atbib.errors import BibtexError
from atbib.files import source_text
from atbib.model import Problem, Record, Severity

__all__ = ["BibtexError", "LoadedBib", "load_bibtex", "read_bibtex"]

_PARENT_TYPES = frozenset({"proceedings", "mvproceedings", "book", "mvbook", "collection"})
_NOT_INHERITED = frozenset(
    {
        "crossref",
        "xref",
        "ids",
        "key",
        "title",
        "url",
        "doi",
        "eprint",
        "archiveprefix",
        "primaryclass",
        "biburl",
        "bibsource",
        "timestamp",
        "abstract",
        "keywords",
        "file",
        "note",
        "shorttitle",
        "subsection",
        "links",
        "listvenue",
    }
)
"""Fields a crossref parent does not give its children: they identify or describe the parent
itself (its address, its DOI), not where the child appeared."""


@dataclass(frozen=True)
class LoadedBib:
    """Everything read from one .bib text."""

    records: tuple[Record, ...]
    entries: tuple[BibEntry, ...]
    """The entry each record was read from (crossref resolved), in the same order."""
    problems: tuple[Problem, ...]
    path: str = "<text>"

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity is Severity.ERROR)


def _is_bibtex_text(source: str) -> bool:
    """A ``str`` that cannot be a file name: a line break, or an entry's ``@`` first."""
    return "\n" in source or "\r" in source or source.lstrip().startswith("@")


def load_bibtex(
    source: str | os.PathLike[str] | None = None,
    *,
    text: str | None = None,
    name: str | None = None,
    path: str | None = None,
) -> LoadedBib:
    """Read a .bib file (a path; a missing one is an error) or ``text=``, into records, with
    every problem (``path=`` is the old name of *name*, the file's name in problems)."""
    # The reader makes no reference cycles, and a large file allocates enough objects to
    # trigger dozens of full collections, each scanning everything alive (a fifth of the time
    # on 10,000 entries): the cycle collector is paused meanwhile.
    given, where = source_text(source, text, name or path, is_text=_is_bibtex_text)
    with paused():
        return _load(given, where)


def _load(text: str, where: str) -> LoadedBib:
    parsed = parse_bibtex(text)
    problems = [replace(p, path=where) for p in parsed.problems]
    entries, crossref_problems = _resolve_crossrefs(parsed.entries, where)
    problems += crossref_problems
    if parsed.preambles:
        problems.append(
            Problem(
                where,
                0,
                Severity.INFO,
                f"{len(parsed.preambles)} @preamble block(s) not carried: the list has no "
                "preamble (LaTeX macros they define are left in the values)",
                "preamble",
            )
        )
    records: list[Record] = []
    for entry in entries:
        read = record_from_entry(
            entry.entry_type, entry.key, [(f.name, f.value) for f in entry.fields]
        )
        records.append(read.record)
        for problem in read.problems:
            line = next((f.line for f in entry.fields if f.name == problem.field), entry.line)
            message = f"{entry.key}: {problem.message}"
            problems.append(replace(problem, path=where, line=line, message=message))
    problems.sort(key=lambda p: p.line)
    return LoadedBib(tuple(records), tuple(entries), tuple(problems), where)


def _resolve_crossrefs(
    entries: Sequence[BibEntry], path: str
) -> tuple[list[BibEntry], list[Problem]]:
    """Give each entry the fields of its ``crossref`` parent that it lacks (a parent
    proceedings' ``title`` becomes the child's ``booktitle``), as BibTeX and biber do. Parents
    used this way are volumes, not works: they are left out. The ``crossref`` field itself is
    dropped, since the parent does not travel with the child."""
    by_key = {e.key.lower(): e for e in entries}
    problems: list[Problem] = []
    parents: dict[str, int] = {}
    resolved: list[BibEntry] = []
    for entry in entries:
        target = entry.get("crossref")
        if target is None:
            resolved.append(entry)
            continue
        parent = by_key.get(target.strip().lower())
        fields = [f for f in entry.fields if f.name != "crossref"]
        if parent is None or parent is entry:
            problems.append(
                Problem(
                    path,
                    entry.line,
                    Severity.WARNING,
                    f"{entry.key}: crossref {target!r} is not in the file",
                    "crossref",
                )
            )
            resolved.append(replace(entry, fields=tuple(fields)))
            continue
        parents[parent.key.lower()] = parents.get(parent.key.lower(), 0) + 1
        have = {f.name for f in fields}
        for inherited in parent.fields:
            if inherited.name in have or inherited.name in _NOT_INHERITED:
                continue
            fields.append(Field(inherited.name, inherited.value, inherited.line))
            have.add(inherited.name)
        title = parent.get("title")
        if "booktitle" not in have and title and parent.entry_type in _PARENT_TYPES:
            fields.append(Field("booktitle", title, parent.line))
        resolved.append(replace(entry, fields=tuple(fields)))
    kept = [e for e in resolved if e.key.lower() not in parents]
    for entry in resolved:
        count = parents.get(entry.key.lower())
        if count:
            problems.append(
                Problem(
                    path,
                    entry.line,
                    Severity.INFO,
                    f"{entry.key}: @{entry.entry_type} is the crossref of {count} "
                    "entr" + ("y" if count == 1 else "ies") + ": its fields went to them; it is "
                    "not a work of its own",
                    "crossref",
                )
            )
    return kept, problems


def read_bibtex(
    source: str | os.PathLike[str] | None = None,
    *,
    text: str | None = None,
    name: str | None = None,
    strict: bool = True,
) -> list[Record]:
    """Read a .bib file into records, one per entry, in file order.

    *source* is a file: a path-like, or a ``str`` that is not BibTeX text (a missing file is an
    error, never an empty result). The text itself is given as ``text=``; a ``str`` *source*
    with a line break or starting with ``@`` is taken as text too, since no file name looks like
    that. *name* names the input in problems. Each record is the list's view of its entry: the
    kind of work (from the entry type; an unknown type is read as the closest kind), the title
    and names decoded from LaTeX to Unicode (names split by BibTeX's rules: ``von Last, Jr,
    First``, braced corporate names), the venue as the list writes it (``NAACL 2019`` for the
    ACL Anthology's ``Proceedings of the 2019 Conference of the North American Chapter...``,
    ``CoRR 2019`` for an arXiv preprint), links (``url``, else the arXiv or DOI address), the
    nickname from ``shorttitle``, sections from atbib's ``subsection`` field, the citation key,
    and in ``Record.extra`` every other field as plain text (``pages``, ``doi``, ``publisher``,
    ...). ``@string`` macros, ``#`` concatenation and ``crossref`` are resolved.

    Strict by default, like ``read_markdown(..., strict=True)``: raises :class:`BibtexError`
    listing every error with its line when the file is malformed (unbalanced braces, a missing
    comma, a name with too many commas); ``strict=False`` returns what could be read. Use
    :func:`load_bibtex` to also get the problems and the warnings (duplicate keys, unknown
    entry types, refused ``javascript:`` links).

    >>> [
    ...     r.venue.text
    ...     for r in read_bibtex(
    ...         "@inproceedings{k, title={T}, year=2019, "
    ...         "booktitle={Proceedings of the 57th Annual Meeting of the Association for "
    ...         "Computational Linguistics}}"
    ...     )
    ... ]
    ['ACL 2019']
    """
    loaded = load_bibtex(source, text=text, name=name)
    if strict and loaded.errors:
        raise BibtexError(loaded.errors)
    return list(loaded.records)
