"""atbib: keep a Markdown paper list, per-section BibTeX files and a Zotero group in step.

The record model (:class:`Record` and friends) is the hub; each format reads into it and writes
out of it. Importing this package is cheap: formats and the Zotero client are loaded only when
a function that needs them is called.
"""

from __future__ import annotations

from atbib._version import __version__
from atbib.dedupe import Cluster, NearDuplicate, find_duplicates, near_duplicates
from atbib.keys import DEFAULT_FORMULA, assign_keys, base_key
from atbib.markdown.read import read_markdown
from atbib.markdown.write import write_markdown
from atbib.model import Heading, Item, Kind, Library, Link, Person, Problem, Record, Text, Venue

__all__ = [
    "DEFAULT_FORMULA",
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
    "near_duplicates",
    "read_markdown",
    "write_markdown",
]
