"""atbib: keep a Markdown paper list, per-section BibTeX files and a Zotero group in step.

The public API is exactly the names in ``atbib.__all__``, documented in docs/api.md; import
them from ``atbib`` itself. Every submodule (``atbib.model``, ``atbib.markdown.read``, ...)
is internal and may change in any release.

The record model (:class:`Record` and friends) is the hub; each format reads into it and writes
out of it. Importing this package is cheap: it loads the record model only; the readers, the
writers and the Zotero client are loaded when first used.
"""

import importlib as _importlib
import typing as _typing

from atbib._version import __version__
from atbib.errors import AtbibError, BibtexError, ListError
from atbib.model import Fix, Kind, Link, Person, Problem, Record, SectionPath, Severity, Venue

if _typing.TYPE_CHECKING:
    from atbib._api import (
        base_key,
        format_bibtex,
        item_to_record,
        lint_list,
        load_bibtex,
        plan_export,
        record_to_item,
        sync_zotero,
    )
    from atbib.bibtex.parse import BibEntry
    from atbib.bibtex.parse import Field as BibField
    from atbib.bibtex.read import LoadedBib, read_bibtex
    from atbib.config import Config, LintSettings, load_config
    from atbib.dedupe import Cluster, NearDuplicate, find_duplicates, near_duplicates
    from atbib.dedupe import merge as merge_records
    from atbib.document import Block, Heading, Item, Library, Text
    from atbib.export import Bibliography, Work
    from atbib.keys import (
        DEFAULT_FORMULA,
        KeyAssignment,
        KeyRow,
        assign_keys,
        read_registry,
    )
    from atbib.keys import write_registry as format_registry
    from atbib.listformat import ListFormat
    from atbib.markdown.edit import add_records, remove_items, replace_records
    from atbib.markdown.entry import render_entry
    from atbib.markdown.read import read_markdown
    from atbib.markdown.write import render_markdown
    from atbib.markdown.write import write_markdown as format_markdown
    from atbib.venues import list_venues
    from atbib.zotero.plan import Conflict as SyncConflict
    from atbib.zotero.plan import Notice as SyncNotice
    from atbib.zotero.sync import Summary as SyncSummary

__all__ = [
    "DEFAULT_FORMULA",
    "AtbibError",
    "BibEntry",
    "BibField",
    "Bibliography",
    "BibtexError",
    "Block",
    "Cluster",
    "Config",
    "Fix",
    "Heading",
    "Item",
    "KeyAssignment",
    "KeyRow",
    "Kind",
    "Library",
    "Link",
    "LintSettings",
    "ListError",
    "ListFormat",
    "LoadedBib",
    "NearDuplicate",
    "Person",
    "Problem",
    "Record",
    "SectionPath",
    "Severity",
    "SyncConflict",
    "SyncNotice",
    "SyncSummary",
    "Text",
    "Venue",
    "Work",
    "__version__",
    "add_records",
    "assign_keys",
    "base_key",
    "find_duplicates",
    "format_bibtex",
    "format_markdown",
    "format_registry",
    "item_to_record",
    "lint_list",
    "list_venues",
    "load_bibtex",
    "load_config",
    "merge_records",
    "near_duplicates",
    "plan_export",
    "read_bibtex",
    "read_markdown",
    "read_registry",
    "record_to_item",
    "remove_items",
    "render_entry",
    "render_markdown",
    "replace_records",
    "sync_zotero",
]

_LAZY: dict[str, tuple[str, str]] = {
    "Block": ("atbib.document", "Block"),
    "Heading": ("atbib.document", "Heading"),
    "Item": ("atbib.document", "Item"),
    "Library": ("atbib.document", "Library"),
    "Text": ("atbib.document", "Text"),
    "DEFAULT_FORMULA": ("atbib.keys", "DEFAULT_FORMULA"),
    "Bibliography": ("atbib.export", "Bibliography"),
    "Cluster": ("atbib.dedupe", "Cluster"),
    "Config": ("atbib.config", "Config"),
    "KeyAssignment": ("atbib.keys", "KeyAssignment"),
    "KeyRow": ("atbib.keys", "KeyRow"),
    "LintSettings": ("atbib.config", "LintSettings"),
    "ListFormat": ("atbib.listformat", "ListFormat"),
    "LoadedBib": ("atbib.bibtex.read", "LoadedBib"),
    "BibEntry": ("atbib.bibtex.parse", "BibEntry"),
    "BibField": ("atbib.bibtex.parse", "Field"),
    "NearDuplicate": ("atbib.dedupe", "NearDuplicate"),
    "SyncConflict": ("atbib.zotero.plan", "Conflict"),
    "SyncNotice": ("atbib.zotero.plan", "Notice"),
    "SyncSummary": ("atbib.zotero.sync", "Summary"),
    "Work": ("atbib.export", "Work"),
    "add_records": ("atbib.markdown.edit", "add_records"),
    "assign_keys": ("atbib.keys", "assign_keys"),
    "base_key": ("atbib._api", "base_key"),
    "plan_export": ("atbib._api", "plan_export"),
    "format_bibtex": ("atbib._api", "format_bibtex"),
    "format_markdown": ("atbib.markdown.write", "write_markdown"),
    "format_registry": ("atbib.keys", "write_registry"),
    "find_duplicates": ("atbib.dedupe", "find_duplicates"),
    "item_to_record": ("atbib._api", "item_to_record"),
    "lint_list": ("atbib._api", "lint_list"),
    "list_venues": ("atbib.venues", "list_venues"),
    "load_bibtex": ("atbib._api", "load_bibtex"),
    "load_config": ("atbib.config", "load_config"),
    "merge_records": ("atbib.dedupe", "merge"),
    "near_duplicates": ("atbib.dedupe", "near_duplicates"),
    "read_bibtex": ("atbib.bibtex.read", "read_bibtex"),
    "read_markdown": ("atbib.markdown.read", "read_markdown"),
    "read_registry": ("atbib.keys", "read_registry"),
    "record_to_item": ("atbib._api", "record_to_item"),
    "remove_items": ("atbib.markdown.edit", "remove_items"),
    "render_entry": ("atbib.markdown.entry", "render_entry"),
    "render_markdown": ("atbib.markdown.write", "render_markdown"),
    "replace_records": ("atbib.markdown.edit", "replace_records"),
    "sync_zotero": ("atbib._api", "sync_zotero"),
}
"""Public name -> (module, name) of everything loaded on first use."""

_DEPRECATED = {
    "build_bibliography": "plan_export",
    "write_bibtex": "format_bibtex",
    "write_markdown": "format_markdown",
    "write_registry": "format_registry",
}
"""Old public names, still working until 0.3 with a DeprecationWarning: what gives text is
``format_*``, and ``plan_export`` computes what ``atbib export`` writes (``plan_import``'s
sibling) without writing anything."""


def __getattr__(name: str) -> _typing.Any:
    if name in _DEPRECATED:
        import warnings

        new = _DEPRECATED[name]
        warnings.warn(
            f"atbib.{name} is deprecated and will be removed in 0.3; use atbib.{new}",
            DeprecationWarning,
            stacklevel=2,
        )
        return __getattr__(new)
    target = _LAZY.get(name)
    if target is None:
        raise AttributeError(f"module 'atbib' has no attribute {name!r}")
    value = getattr(_importlib.import_module(target[0]), target[1])
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
