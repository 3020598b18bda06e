"""atbib: keep a Markdown paper list, per-section BibTeX files and a Zotero group in step.

The record model (:class:`Record` and friends) is the hub; each format reads into it and writes
out of it. Importing this package is cheap: formats and the Zotero client are loaded only when
a function that needs them is called.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from atbib._version import __version__
from atbib.dedupe import Cluster, NearDuplicate, find_duplicates, near_duplicates
from atbib.errors import AtbibError, BibtexError
from atbib.keys import DEFAULT_FORMULA, assign_keys, base_key
from atbib.markdown.read import read_markdown
from atbib.markdown.write import render_markdown, write_markdown
from atbib.model import Heading, Item, Kind, Library, Link, Person, Problem, Record, Text, Venue

if TYPE_CHECKING:
    from atbib.bibtex.read import LoadedBib

__all__ = [
    "DEFAULT_FORMULA",
    "AtbibError",
    "BibtexError",
    "Cluster",
    "Heading",
    "Item",
    "Kind",
    "Library",
    "Link",
    "NearDuplicate",
    "Person",
    "Problem",
    "Record",
    "Text",
    "Venue",
    "__version__",
    "assign_keys",
    "base_key",
    "find_duplicates",
    "load_bibtex",
    "near_duplicates",
    "read_bibtex",
    "read_markdown",
    "render_markdown",
    "write_markdown",
]


def read_bibtex(source: str | os.PathLike[str]) -> list[Record]:
    """Read a .bib file into records, one per entry, in file order.

    *source* is a path (``str`` or path-like) or the BibTeX text itself (a ``str`` with a line
    break or an ``@``). Each record is the list's view of its entry: the kind of work (from the
    entry type; an unknown type is read as the closest kind), the title and names decoded from
    LaTeX to Unicode (names split by BibTeX's rules: ``von Last, Jr, First``, braced corporate
    names), the venue as the list writes it (``NAACL 2019`` for the ACL Anthology's
    ``Proceedings of the 2019 Conference of the North American Chapter...``, ``CoRR 2019`` for
    an arXiv preprint), links (``url``, else the arXiv or DOI address), the nickname from
    ``shorttitle``, sections from atbib's ``subsection`` field, the citation key, and in
    ``Record.extra`` every other field as plain text (``pages``, ``doi``, ``publisher``, ...).
    ``@string`` macros, ``#`` concatenation and ``crossref`` are resolved.

    Raises :class:`BibtexError` listing every error with its line when the file is malformed
    (unbalanced braces, a missing comma, a name with too many commas). Use
    :func:`load_bibtex` to also get the warnings (duplicate keys, unknown entry types, refused
    ``javascript:`` links).

    >>> [r.venue.text for r in read_bibtex("@inproceedings{k, title={T}, year=2019, "
    ...  "booktitle={Proceedings of the 57th Annual Meeting of the Association for "
    ...  "Computational Linguistics}}")]
    ['ACL 2019']
    """
    from atbib.bibtex.read import read_bibtex as read

    return read(source)


def load_bibtex(source: str | os.PathLike[str], *, path: str | None = None) -> LoadedBib:
    """Read a .bib file without raising on bad input: the records it could read, the entry
    each came from, and every problem (``error``, ``warning``, ``info``) with its line."""
    from atbib.bibtex.read import load_bibtex as load

    return load(source, path=path)
