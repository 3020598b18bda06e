"""The three-way planner: pure functions from (last sync, the list, Zotero) to actions.

Theory of operation
===================

Every item is compared field by field (the fields of :mod:`atbib.zotero.mapping`) against the
content of the last sync, kept in the state file. For each field:

=========================  ======================  ==========================================
changed in the list        changed in Zotero       action
=========================  ======================  ==========================================
no                         no                      nothing
yes                        no                      send the list's value to Zotero (push)
no                         yes                     take Zotero's value into the list (pull)
yes, to the same value     yes, to the same value  nothing: both sides agree (converged)
yes                        yes, differently        conflict: listed field by field; resolved
                                                   by ``prefer="list"`` or ``"zotero"``,
                                                   otherwise left as it is on both sides
=========================  ======================  ==========================================

Nothing is ever overwritten silently: a value goes to the other side only when the side it
goes to still holds what was last synced.

"Changed in the list" compares the list's fields now with the list's fields at the last sync
(``ItemState.local``); "changed in Zotero" compares Zotero's fields now with the fields of the
last sync (``ItemState.synced``). The two bases differ only where the list cannot carry what
Zotero holds (Zotero's ``2019-06-02`` where the list writes ``2019``, an abstract on a paper):
such values stay in Zotero and are never pushed back over.

Whole items follow the same rule. A work new in the list is created in Zotero; an item new in
the list's tree in Zotero becomes an entry in its subsection (house style). A work removed
from the list is deleted from Zotero unless Zotero changed it since. An item deleted in
Zotero, or moved out of the tree, is reported, and removed from the list only with
``remove_deleted``; ``prefer="list"`` restores it instead. Citation keys belong to the list:
Zotero's ``citationKey`` (and its ``Citation Key:`` line) is set to the list's key. A key the
list changes (edited in the key registry, or a work re-keyed with its old key as an alias)
takes the work's item along (:func:`follow_renames`): updated, never deleted and created
again.

A pull plan (:func:`plan_pull`) holds list edits; a push plan (:func:`plan_push`) holds
Zotero writes. ``sync`` is a pull, then a push planned on the list the pull wrote. Each plan
also carries the state to save once its actions are done; the ``after_*`` functions give the
state after each single write, so an interrupted push loses nothing it already did.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from atbib.dedupe import cluster_indices
from atbib.headings import section_title
from atbib.keys import DEFAULT_FORMULA, KeyRow, assign_keys
from atbib.model import Record, SectionPath
from atbib.text import fold_title
from atbib.venues import VenueType
from atbib.zotero.mapping import (
    COLLECTIONS,
    JOURNAL_ARTICLE,
    KEY_LINES,
    NOT_WORKS,
    Fields,
    Keep,
    cited_key,
    item_fields,
    item_json,
    record_from_fields,
    record_patch,
    work_fields,
    writable,
)
from atbib.zotero.state import CollectionState, ItemState, SyncState

LIST_OWNED = ("citationKey", KEY_LINES)
"""Fields the list owns outright, the citation key in both places Zotero keeps it: Zotero's
value is never taken into the list nor merged, and the list's is sent whenever Zotero holds
another (so the ``Citation Key:`` line follows the native field, once)."""


@dataclass(frozen=True)
class Options:
    prefer: str | None = None
    """``"list"`` or ``"zotero"``: which side wins a conflict; ``None`` leaves conflicts."""
    remove_deleted: bool = False
    """Remove from the list the works whose items were deleted in Zotero or moved out of the
    tree."""


@dataclass(frozen=True, slots=True)
class LocalWork:
    key: str
    """The work's citation key."""
    record: Record
    """The work's record (entries of the same work merged)."""
    venue_type: VenueType | None = None
    """The type of the work's venue where the venue table does not know it but bib/ does
    (a journal: :func:`atbib.zotero.mapping.item_type_for`)."""
    aliases: tuple[str, ...] = ()
    """Older citation keys of the work, still valid (BibTeX's ``ids``)."""


@dataclass(frozen=True)
class LocalSide:
    """The list as the planner sees it: its works by citation key, and the key registry."""

    works: Mapping[str, LocalWork]
    registry: tuple[KeyRow, ...] = ()
    formula: tuple[str, ...] = DEFAULT_FORMULA


@dataclass(frozen=True, slots=True)
class Conflict:
    """One field of one work changed differently in the list and in Zotero since the last
    sync: the values on each side and at the last sync."""

    work: str
    """The work's citation key."""
    item: str
    """The Zotero item's key."""
    field: str
    """The Zotero field (``title``, ``creators``, ``links``, ...)."""
    base: Any
    local: Any
    remote: Any
    resolved: str = ""
    """``"list"`` or ``"zotero"`` when ``prefer`` settled it."""


@dataclass(frozen=True, slots=True)
class Notice:
    """Something a sync did or left alone that is worth knowing (an item adopted by its
    citation key, a work deleted in Zotero but kept in the list, ...)."""

    work: str
    item: str
    code: str
    """A short stable name for the kind of notice (``kept-children``, ...)."""
    message: str


# -- the field merge ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FieldMerge:
    to_local: tuple[str, ...] = ()
    to_remote: tuple[str, ...] = ()
    converged: tuple[str, ...] = ()
    conflicts: tuple[str, ...] = ()
    """Unresolved conflicts: left as they are on both sides."""
    resolved: tuple[tuple[str, str], ...] = ()
    """Conflicts ``prefer`` settled: ``(field, winner)``; the field is also in ``to_local`` or
    ``to_remote``."""


def merge_fields(
    base_local: Mapping[str, Any],
    local: Mapping[str, Any],
    synced: Mapping[str, Any],
    remote: Mapping[str, Any],
    prefer: str | None = None,
) -> FieldMerge:
    """Decide every field by the table in this module's docstring."""
    to_local: list[str] = []
    to_remote: list[str] = []
    converged: list[str] = []
    conflicts: list[str] = []
    resolved: list[tuple[str, str]] = []
    for name in sorted(set(base_local) | set(local) | set(synced) | set(remote)):
        local_changed = local.get(name) != base_local.get(name)
        remote_changed = remote.get(name) != synced.get(name)
        if local_changed and remote_changed:
            if local.get(name) == remote.get(name):
                converged.append(name)
            elif prefer == "list":
                to_remote.append(name)
                resolved.append((name, "list"))
            elif prefer == "zotero":
                to_local.append(name)
                resolved.append((name, "zotero"))
            else:
                conflicts.append(name)
        elif local_changed:
            to_remote.append(name)
        elif remote_changed:
            to_local.append(name)
    return FieldMerge(
        tuple(to_local), tuple(to_remote), tuple(converged), tuple(conflicts), tuple(resolved)
    )


def _merge(item: ItemState, mine: Fields, options: Options) -> FieldMerge:
    """:func:`merge_fields` for a linked item, leaving out the fields the list always owns
    (:data:`LIST_OWNED`): those are never merged, only sent."""

    def merged(fields: Mapping[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in fields.items() if k not in LIST_OWNED}

    return merge_fields(
        merged(item.local),
        merged(mine),
        merged(item.synced),
        merged(item.remote or {}),
        options.prefer,
    )


# -- the collection tree ------------------------------------------------------------------------


def tree_paths(state: SyncState) -> dict[str, SectionPath]:
    """Collection key -> its path below the root (the root itself is ``()``)."""
    colls = state.collections
    paths: dict[str, SectionPath] = {}

    def path_of(key: str, seen: frozenset[str] = frozenset()) -> SectionPath | None:
        if key in paths:
            return paths[key]
        coll = colls.get(key)
        if coll is None or key in seen:
            return None
        if key == state.root_key:
            return ()
        if coll.parent is None:
            return None
        above = path_of(coll.parent, seen | {key})
        # the name as the list's heading reads it back (no line break, no white space around)
        return None if above is None else (*above, section_title(coll.name))

    for key in sorted(colls):
        found = path_of(key)
        if found is not None:
            paths[key] = found
    return paths


def list_paths(state: SyncState) -> dict[str, SectionPath]:
    """Collection key -> the list section it stands for: the section it stood for at the
    last sync (a collection renamed in Zotero keeps its heading), else its path."""
    paths = tree_paths(state)
    for key, coll in state.collections.items():
        if key in paths and coll.listed is not None:
            paths[key] = coll.listed
    return paths


def section_keys(state: SyncState, sections: Iterable[SectionPath]) -> dict[SectionPath, str]:
    """The collection of each list section: the tree's collection at that path, else the one
    that stood for that section at the last sync (renamed in Zotero since)."""
    current: dict[SectionPath, str] = {}
    for key, path in sorted(tree_paths(state).items()):
        current.setdefault(path, key)
    listed = {
        c.listed: c.key
        for c in sorted(state.collections.values(), key=lambda c: c.key)
        if c.listed is not None and c.key in state.collections
    }
    out: dict[SectionPath, str] = {}
    for path in sections:
        found = current.get(path) or listed.get(path)
        if found:
            out[path] = found
    return out


def local_fields(work: LocalWork, sections: Mapping[SectionPath, str]) -> Fields:
    keys = [sections[p] for p in work.record.sections if p in sections]
    return work_fields(work.record, work.key, keys, work.venue_type)


def _all_sections(local: LocalSide) -> list[SectionPath]:
    seen: dict[SectionPath, None] = {}
    for work in local.works.values():
        for path in work.record.sections:
            for depth in range(1, len(path) + 1):
                seen.setdefault(path[:depth], None)
    return list(seen)


# -- works whose citation keys changed -----------------------------------------------------------


def follow_renames(state: SyncState, local: LocalSide) -> tuple[SyncState, list[Notice]]:
    """The state with every item whose work's citation key changed linked to the work under
    its new key: a key edited in ``bib/keys.tsv``, or a work re-keyed that keeps its old key
    as an alias. Its item is then updated (its ``citationKey`` and ``Citation Key:`` line),
    never deleted and created again, which would lose what members added to it (tags,
    notes, their own collections). A work is found by the old key among its aliases, else
    by identity with the list's record of the item at the last sync (identifiers, or title
    with corroboration), one work to one item only."""
    linked = state.by_work()
    orphans = [linked[k] for k in sorted(linked) if k not in local.works]
    free = {k: w for k, w in local.works.items() if k not in linked}
    if not orphans or not free:
        return state, []
    renames = _renamed_by_alias(orphans, free)
    rest = [item for item in orphans if item.key not in renames]
    if rest:
        taken = set(renames.values())
        works = [w for k, w in sorted(free.items()) if k not in taken]
        renames.update(_renamed_by_identity(rest, works))
    items = dict(state.items)
    notices: list[Notice] = []
    for item_key, work in sorted(renames.items()):
        old = items[item_key].work
        items[item_key] = replace(items[item_key], work=work)
        notices.append(
            Notice(
                work,
                item_key,
                "renamed",
                f"{work}: the new citation key of {old}; its Zotero item {item_key} follows it",
            )
        )
    return replace(state, items=items), notices


def _renamed_by_alias(
    orphans: Sequence[ItemState], free: Mapping[str, LocalWork]
) -> dict[str, str]:
    """Item key -> the work that lists the item's old key among its aliases (a key claimed
    as an alias by two works names neither)."""
    owners: dict[str, list[str]] = {}
    for work in free.values():
        for alias in work.aliases:
            owners.setdefault(alias.lower(), []).append(work.key)
    renames: dict[str, str] = {}
    for item in orphans:
        found = owners.get(item.work.lower(), [])
        if len(found) == 1 and found[0] not in renames.values():
            renames[item.key] = found[0]
    return renames


def _renamed_by_identity(items: Sequence[ItemState], works: Sequence[LocalWork]) -> dict[str, str]:
    """Item key -> the one work that is the same work as the list's record of the item at
    the last sync (what Zotero holds when the list had nothing of it then)."""
    records = [w.record for w in works]
    records += [record_from_fields(item.local or item.remote or {}) for item in items]
    renames: dict[str, str] = {}
    for group in cluster_indices(records):
        mine = [i for i in group if i < len(works)]
        theirs = [i - len(works) for i in group if i >= len(works)]
        if len(mine) == 1 and len(theirs) == 1:
            renames[items[theirs[0]].key] = works[mine[0]].key
    return renames


# -- Zotero's changes into the state ------------------------------------------------------------


@dataclass(frozen=True)
class RemoteChanges:
    """What an incremental pull found: objects changed since the state's library version."""

    library_version: int
    items: tuple[Mapping[str, Any], ...] = ()
    """Item objects as the API returns them (``key``, ``version``, ``data``)."""
    deleted_items: tuple[str, ...] = ()
    collections: tuple[Mapping[str, Any], ...] = ()
    deleted_collections: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not (
            self.items or self.deleted_items or self.collections or self.deleted_collections
        )


def apply_remote(
    state: SyncState, changes: RemoteChanges, root: str
) -> tuple[SyncState, list[Notice]]:
    """The state with Zotero's changes recorded as Zotero's current content (nothing is
    decided here: the planners compare it with the last sync)."""
    colls, root_key, notices = _changed_collections(state, changes, root)
    notices += _prune_tree(state, colls, root_key, root)
    state = replace(state, collections=colls, root_key=root_key)
    items = _changed_items(state, changes, set(colls))
    state = replace(
        state,
        items=items,
        library_version=max(changes.library_version, state.library_version),
    )
    return state, notices


def _changed_collections(
    state: SyncState, changes: RemoteChanges, root: str
) -> tuple[dict[str, CollectionState], str | None, list[Notice]]:
    """The collections with Zotero's changes and deletions, the root's key (found by its
    name when the state has none yet), and a notice for each listed collection deleted."""
    notices: list[Notice] = []
    colls = dict(state.collections)
    root_key = state.root_key
    for obj in sorted(changes.collections, key=lambda o: str(o.get("key"))):
        data = obj.get("data", obj)
        key = str(data.get("key") or obj.get("key"))
        parent = data.get("parentCollection") or None
        known = colls.get(key)
        colls[key] = CollectionState(
            key=key,
            name=str(data.get("name", "")),
            parent=str(parent) if parent else None,
            version=int(obj.get("version", data.get("version", 0))),
            listed=known.listed if known else None,
        )
        if root_key is None and parent is None and data.get("name") == root:
            root_key = key
    for key in changes.deleted_collections:
        gone = colls.pop(key, None)
        if gone is not None and gone.listed is not None:
            notices.append(
                Notice(
                    "",
                    "",
                    "collection-deleted",
                    f"collection {_show_path(gone.listed)} was deleted in Zotero; "
                    "the next push creates it again while the list has that section",
                )
            )
        if key == root_key:
            root_key = None
    return colls, root_key, notices


def _prune_tree(
    state: SyncState, colls: dict[str, CollectionState], root_key: str | None, root: str
) -> list[Notice]:
    """Drop from ``colls`` the collections no longer under the root; a notice for each
    listed one moved out of the tree or renamed in Zotero."""
    notices: list[Notice] = []
    before = tree_paths(state)
    paths = tree_paths(replace(state, collections=colls, root_key=root_key))
    for key, coll in list(colls.items()):
        if key not in paths:
            del colls[key]
            if key in before and coll.listed is not None:
                notices.append(
                    Notice(
                        "",
                        "",
                        "collection-moved",
                        f"collection {_show_path(coll.listed)} was moved out of "
                        f"{root or 'the tree'} in Zotero; the next push creates it again "
                        "while the list has that section",
                    )
                )
        elif coll.listed is not None and paths[key] != coll.listed:
            notices.append(
                Notice(
                    "",
                    "",
                    "collection-renamed",
                    f"collection {_show_path(coll.listed)} is now {_show_path(paths[key])} "
                    "in Zotero; rename the heading in the list to match (atbib keeps the "
                    "list's headings)",
                )
            )
    return notices


def _changed_items(
    state: SyncState, changes: RemoteChanges, tree: set[str]
) -> dict[str, ItemState]:
    """The items with Zotero's changes: known items get Zotero's current fields, new items
    in the tree wait for a pull, deleted ones are marked (or forgotten when not linked).
    Notes, attachments and other child items are never works."""
    # Collections gone from the tree leave every item (the server does not bump item
    # versions for that), on every side: the tree follows the list's headings, so a
    # section the list still has gets its collection back at the next push, with its
    # items, rather than counting as each item's move out of the tree.
    items = {
        key: replace(
            item,
            synced=_only_tree(item.synced, tree),
            local=_only_tree(item.local, tree),
            remote=_only_tree(item.remote, tree) if item.remote is not None else None,
        )
        for key, item in state.items.items()
    }
    for obj in changes.items:
        data = obj.get("data", obj)
        key = str(obj.get("key") or data.get("key"))
        version = int(obj.get("version", data.get("version", 0)))
        if data.get("itemType") in NOT_WORKS or data.get("parentItem"):
            continue
        fields, keep = item_fields(data, tree)
        old = items.get(key)
        if old is not None:
            synced = old.synced
            local = old.local
            if old.pending or not old.synced:
                # A create we could not confirm, found in Zotero: adopt what it holds.
                synced = fields
                local = fields if not old.local else old.local
            items[key] = replace(
                old,
                version=version,
                synced=synced,
                local=local,
                remote=fields,
                keep=keep,
                deleted=False,
            )
        elif COLLECTIONS in fields and not keep.trashed:
            items[key] = ItemState(key=key, work="", version=version, remote=fields, keep=keep)
    for key in changes.deleted_items:
        gone_item = items.get(key)
        if gone_item is None:
            continue
        if gone_item.work:
            items[key] = replace(gone_item, remote=None, deleted=True)
        else:
            del items[key]
    return items


def _only_tree(fields: Fields, tree: set[str]) -> Fields:
    if COLLECTIONS not in fields:
        return fields
    kept = [c for c in fields[COLLECTIONS] if c in tree]
    if kept == fields[COLLECTIONS]:
        return fields
    out = dict(fields)
    if kept:
        out[COLLECTIONS] = kept
    else:
        del out[COLLECTIONS]
    return out


def _show_path(path: SectionPath) -> str:
    return " / ".join(path) if path else "(root)"


# -- pull: Zotero -> list ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReplaceWork:
    """Rewrite every entry of a work with these record attributes."""

    work: str
    patch: Mapping[str, Any]
    item: str = ""


@dataclass(frozen=True, slots=True)
class AddEntry:
    """A new entry at the end of a subsection (a new work, or a work listed once more)."""

    work: str
    section: SectionPath
    record: Record
    item: str = ""


@dataclass(frozen=True, slots=True)
class RemoveEntry:
    work: str
    section: SectionPath
    item: str = ""


@dataclass(frozen=True, slots=True)
class RemoveWork:
    work: str
    item: str = ""


ListEdit = ReplaceWork | AddEntry | RemoveEntry | RemoveWork


@dataclass(frozen=True)
class PullPlan:
    edits: tuple[ListEdit, ...]
    state: SyncState
    """The state once the edits are in the list (the list side is rebased after the list is
    written and read back, see :func:`rebase_local`)."""
    applied: Mapping[str, frozenset[str]]
    """Item key -> the fields taken from Zotero."""
    new_works: Mapping[str, str]
    """Item key -> citation key of the work it became."""
    registry: tuple[KeyRow, ...]
    """The key registry with the new works' keys pinned."""
    conflicts: tuple[Conflict, ...] = ()
    notices: tuple[Notice, ...] = ()
    journals: Mapping[str, str] = field(default_factory=dict)
    """Works the edits leave in a journal the venue table does not know (work key -> the
    journal's name as the list writes it): the list line cannot say it is a journal, so it
    is kept with the work's fields in ``bib/extra.bib``."""

    @property
    def changes_list(self) -> bool:
        return bool(self.edits)


def _conflicts(work: str, item: ItemState, local: Fields, merge: FieldMerge) -> list[Conflict]:
    remote = item.remote or {}
    out = [
        Conflict(work, item.key, name, item.synced.get(name), local.get(name), remote.get(name))
        for name in merge.conflicts
    ]
    out += [
        Conflict(
            work, item.key, name, item.synced.get(name), local.get(name), remote.get(name), who
        )
        for name, who in merge.resolved
    ]
    return out


def _gone_notice(work: str, item: ItemState, what: str, options: Options) -> Notice:
    if options.remove_deleted:
        return Notice(work, item.key, what, f"{work}: {_WHAT[what]}; removed from the list")
    return Notice(
        work,
        item.key,
        what,
        f"{work}: {_WHAT[what]}; kept in the list (--remove-deleted removes it, "
        "--prefer list restores it in Zotero)",
    )


_WHAT = {
    "deleted": "deleted in Zotero",
    "trashed": "moved to the trash in Zotero",
    "moved-out": "moved out of the list's collections in Zotero",
}


def plan_pull(state: SyncState, local: LocalSide, options: Options = Options()) -> PullPlan:
    """List edits that bring Zotero's changes into the list: the linked items' changes
    first, then the items new to the tree (adopted when they hold a work of the list,
    else new entries)."""
    state, renamed = follow_renames(state, local)
    paths = list_paths(state)
    sections = section_keys(state, _all_sections(local))
    draft = _PullDraft(items=dict(state.items), notices=renamed)
    newcomers: list[ItemState] = []
    linked = state.by_work()
    for key in sorted(state.items):
        item = state.items[key]
        if not item.work:
            if item.remote is not None and not item.keep.trashed:
                newcomers.append(item)
            continue
        work = local.works.get(item.work)
        if work is None or linked.get(item.work) is not item:
            continue  # gone from the list: the push decides
        _pull_linked(draft, item, work, sections, paths, options)
    registry = _follow_keys(local, draft.edits)
    if newcomers:
        registry = _pull_newcomers(draft, newcomers, local, state, sections, paths, registry)
    return PullPlan(
        edits=tuple(draft.edits),
        state=replace(state, items=draft.items),
        applied=draft.applied,
        new_works=draft.new_works,
        registry=registry,
        conflicts=tuple(draft.conflicts),
        notices=tuple(draft.notices),
        journals=draft.journals,
    )


@dataclass
class _PullDraft:
    """What :func:`plan_pull` has planned so far."""

    items: dict[str, ItemState]
    edits: list[ListEdit] = field(default_factory=list)
    applied: dict[str, frozenset[str]] = field(default_factory=dict)
    new_works: dict[str, str] = field(default_factory=dict)
    conflicts: list[Conflict] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    journals: dict[str, str] = field(default_factory=dict)

    def note_journal(self, remote: Fields, record: Record) -> None:
        """Remember a work the pull leaves in a journal the venue table does not know."""
        parsed = record.venue.parsed if record.venue is not None else None
        if remote.get("itemType") != JOURNAL_ARTICLE or parsed is None:
            return
        if parsed.name and parsed.type is None:
            self.journals[record.key] = parsed.name


def _pull_linked(
    draft: _PullDraft,
    item: ItemState,
    work: LocalWork,
    sections: Mapping[SectionPath, str],
    paths: Mapping[str, SectionPath],
    options: Options,
) -> None:
    """The list edits for one item linked to a work of the list: reported (and removed on
    request) when deleted, trashed or moved out of the tree, else its changes merged."""
    if item.deleted or item.keep.trashed:
        what = "deleted" if item.deleted else "trashed"
        draft.notices.append(_gone_notice(item.work, item, what, options))
        if options.remove_deleted:
            draft.edits.append(RemoveWork(item.work, item.key))
            del draft.items[item.key]
        return
    if item.remote is None:
        return  # a create in flight
    if COLLECTIONS not in item.remote and COLLECTIONS in item.synced:
        if options.prefer != "list":
            draft.notices.append(_gone_notice(item.work, item, "moved-out", options))
        if options.remove_deleted and options.prefer != "list":
            draft.edits.append(RemoveWork(item.work, item.key))
            del draft.items[item.key]
            return
    _take_changes(draft, item, item.remote, work, local_fields(work, sections), paths, options)


def _take_changes(
    draft: _PullDraft,
    item: ItemState,
    remote: Fields,
    work: LocalWork,
    mine: Fields,
    paths: Mapping[str, SectionPath],
    options: Options,
) -> None:
    """Merge one linked item: the fields Zotero changed become a rewrite of the work's
    entries (and entries added or removed when it moved between subsections)."""
    merge = _merge(item, mine, options)
    draft.conflicts += _conflicts(item.work, item, mine, merge)
    take = [n for n in merge.to_local if not (n == COLLECTIONS and not remote.get(n))]
    synced = dict(item.synced)
    for name in (*take, *merge.converged):
        _set(synced, name, remote.get(name))
    base_local = dict(item.local)
    for name in merge.converged:
        _set(base_local, name, mine.get(name))
    if take:
        merged = {**mine, **{n: remote.get(n) for n in take}}
        merged = {k: v for k, v in merged.items() if v is not None}
        fields_taken = [n for n in take if n != COLLECTIONS]
        if fields_taken:
            patch = record_patch(work.record, merged, fields_taken)
            if patch:
                draft.edits.append(ReplaceWork(item.work, patch, item.key))
                draft.note_journal(remote, replace(work.record, key=item.work, **patch))
        if COLLECTIONS in take:
            draft.edits += _membership_edits(
                item.work, item.key, work.record, mine, remote, paths, fields_taken, merged
            )
        draft.applied[item.key] = frozenset(take)
    draft.items[item.key] = replace(item, synced=synced, local=base_local)


def _pull_newcomers(
    draft: _PullDraft,
    newcomers: Sequence[ItemState],
    local: LocalSide,
    state: SyncState,
    sections: Mapping[SectionPath, str],
    paths: Mapping[str, SectionPath],
    registry: tuple[KeyRow, ...],
) -> tuple[KeyRow, ...]:
    """Items new to the tree: those holding a work of the list are adopted, the others
    become entries of their subsections with new keys. Returns the key registry with the
    new works' keys pinned."""
    adopted, fresh, notices = _match_newcomers(newcomers, local, state)
    draft.notices += notices
    for item_key, work_key in adopted.items():
        mine = local_fields(local.works[work_key], sections)
        draft.items[item_key], notice = _adopt(draft.items[item_key], work_key, mine)
        draft.notices.append(notice)
    if not fresh:
        return registry
    records = [record_from_fields(item.remote or {}) for item in fresh]
    reserve = tuple(KeyRow(k, (), "") for k in local.works)
    assignment = assign_keys(records, (*registry, *reserve), local.formula)
    for item, record, work_key in zip(fresh, records, assignment.keys, strict=True):
        _add_new_work(draft, item, replace(record, key=work_key), paths)
    return tuple(row for row in assignment.registry if row not in reserve)


def _add_new_work(
    draft: _PullDraft, item: ItemState, record: Record, paths: Mapping[str, SectionPath]
) -> None:
    """An entry in each subsection whose collection holds a new item (the root alone is no
    subsection: reported); the item is linked to the new work."""
    remote = item.remote or {}
    for coll_key in remote.get(COLLECTIONS, ()):
        path = paths.get(coll_key)
        if path:
            draft.edits.append(AddEntry(record.key, path, record, item.key))
        elif path == ():
            draft.notices.append(
                Notice(
                    record.key,
                    item.key,
                    "root-only",
                    f"{record.title!r} is in the root collection only; listed "
                    "only in its subsections",
                )
            )
    if any(paths.get(c) for c in remote.get(COLLECTIONS, ())):
        draft.note_journal(remote, record)
        draft.new_works[item.key] = record.key
        draft.items[item.key] = replace(item, work=record.key, synced=remote, local={})
        draft.applied[item.key] = frozenset(remote)


def _adopt(item: ItemState, work: str, mine: Fields) -> tuple[ItemState, Notice]:
    """Link a Zotero item to the list's work it holds, with no last sync to compare with:
    the fields both sides agree on count as synced, so every field they disagree on is a
    conflict to settle (never overwritten), and fields only one side has go to the other."""
    remote = item.remote or {}
    agreed = {k: v for k, v in mine.items() if remote.get(k) == v}
    differ = sorted(k for k in set(mine) & set(remote) if mine[k] != remote[k])
    message = f"{work}: linked to the Zotero item {item.key} that holds the same work"
    if differ:
        message += f" (they differ in {', '.join(differ)})"
    adopted = replace(item, work=work, synced=agreed, local=dict(agreed))
    return adopted, Notice(work, item.key, "adopted", message)


def _follow_keys(local: LocalSide, edits: Sequence[ListEdit]) -> tuple[KeyRow, ...]:
    """The key registry with the new evidence (identifiers, title) of every work an edit
    rewrites added to its row, so a work whose title and links all changed in Zotero keeps
    its key: keys of existing works never change."""
    rows = list(local.registry)
    # Each key's first row, found through a dict: a scan of the registry per edited work made
    # a pull of k edits O(k x works) (5 s of a 10,000-work pull that edited every work).
    position_of: dict[str, int] = {}
    for index, row in enumerate(rows):
        position_of.setdefault(row.key, index)
    for edit in edits:
        if not isinstance(edit, ReplaceWork) or edit.work not in local.works:
            continue
        record = replace(local.works[edit.work].record, **edit.patch)
        ids = tuple(str(i) for i in record.identifiers)
        title = fold_title(record.title)
        position = position_of.get(edit.work)
        if position is None:
            old = local.works[edit.work].record
            ids = tuple(dict.fromkeys((*(str(i) for i in old.identifiers), *ids)))
            position_of[edit.work] = len(rows)
            rows.append(KeyRow(edit.work, ids, title))
        else:
            row = rows[position]
            rows[position] = KeyRow(row.key, tuple(dict.fromkeys((*row.identifiers, *ids))), title)
    return tuple(rows)


def _set(fields: dict[str, Any], name: str, value: Any) -> None:
    if value is None:
        fields.pop(name, None)
    else:
        fields[name] = value


def _membership_edits(
    work: str,
    item: str,
    record: Record,
    mine: Fields,
    remote: Fields,
    paths: Mapping[str, SectionPath],
    fields_taken: Sequence[str],
    merged: Fields,
) -> list[ListEdit]:
    """Entries to add and remove when Zotero moved a work between the tree's collections."""
    now = set(mine.get(COLLECTIONS, ()))
    then = set(remote.get(COLLECTIONS, ()))
    edits: list[ListEdit] = []
    entry = record
    if fields_taken:
        entry = replace(record, **record_patch(record, merged, fields_taken))
    for key in sorted(then - now):
        path = paths.get(key)
        if path:
            edits.append(AddEntry(work, path, replace(entry, key=work), item))
    for key in sorted(now - then):
        path = paths.get(key)
        if path:
            edits.append(RemoveEntry(work, path, item))
    return edits


def _match_newcomers(
    newcomers: Sequence[ItemState], local: LocalSide, state: SyncState
) -> tuple[dict[str, str], list[ItemState], list[Notice]]:
    """Zotero items new to the tree that are works of the list already: by citation key,
    else by identity (identifiers, or title with corroboration). Returns adopted (item key
    -> work key), the really new items, and notices for duplicates."""
    linked = {w for w, item in state.by_work().items() if not item.deleted}
    free = {k: w for k, w in local.works.items() if k not in linked}
    by_lower = {k.lower(): k for k in free}
    adopted: dict[str, str] = {}
    rest: list[ItemState] = []
    for item in newcomers:
        cite = cited_key(item.remote or {})
        work_key = by_lower.get(cite.lower()) if cite else None
        if work_key is not None and work_key not in adopted.values():
            adopted[item.key] = work_key
        else:
            rest.append(item)
    notices: list[Notice] = []
    if not rest:
        return adopted, rest, notices
    works = sorted(local.works.values(), key=lambda w: w.key)
    records = [w.record for w in works] + [record_from_fields(i.remote or {}) for i in rest]
    fresh: list[ItemState] = []
    matched: dict[int, int] = {}
    twins: dict[int, int] = {}
    """New items that are one work with an earlier new item (position -> its position): listed
    once. Listed twice, they would read back as one work, and the next push would delete the
    item left without a work."""
    for group in cluster_indices(records):
        mine = [i for i in group if i < len(works)]
        theirs = [i - len(works) for i in group if i >= len(works)]
        for position in theirs:
            if mine:
                matched[position] = mine[0]
            elif position != theirs[0]:
                twins[position] = theirs[0]
    for position, item in enumerate(rest):
        if position in twins:
            first = rest[twins[position]]
            notices.append(
                Notice(
                    "",
                    item.key,
                    "duplicate",
                    f"Zotero item {item.key} ({records[len(works) + position].title!r}) "
                    f"is the same work as Zotero item {first.key}; not added to the list",
                )
            )
            continue
        if position not in matched:
            fresh.append(item)
            continue
        work = works[matched[position]]
        if work.key in free and work.key not in adopted.values():
            adopted[item.key] = work.key
        else:
            notices.append(
                Notice(
                    work.key,
                    item.key,
                    "duplicate",
                    f"Zotero item {item.key} ({records[len(works) + position].title!r}) "
                    f"duplicates {work.key}; not added to the list",
                )
            )
    return adopted, fresh, notices


def rebase_local(
    state: SyncState,
    local: LocalSide,
    applied: Mapping[str, frozenset[str]],
    new_works: Mapping[str, str],
) -> SyncState:
    """After the list was written and read back: the list side of every field taken from
    Zotero is what the list now says (so a value the list cannot carry is not pushed back)."""
    sections = section_keys(state, _all_sections(local))
    items = dict(state.items)
    for key, names in applied.items():
        item = items.get(key)
        if item is None or not item.work:
            continue
        work = local.works.get(item.work)
        if work is None:
            continue
        mine = local_fields(work, sections)
        base = dict(item.local)
        for name in names:
            if name in LIST_OWNED:
                continue
            _set(base, name, mine.get(name))
        if key in new_works:
            # A key given in the list is the list's change: it still has to reach Zotero.
            _set(base, "citationKey", item.synced.get("citationKey"))
        items[key] = replace(item, local=base)
    return replace(state, items=items)


# -- push: list -> Zotero ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CollectionCreate:
    key: str
    name: str
    parent: str | None
    path: SectionPath

    def payload(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "version": 0,
            "name": self.name,
            "parentCollection": self.parent or False,
        }


@dataclass(frozen=True, slots=True)
class ItemWrite:
    item: str
    work: str
    version: int
    """0 creates; else the version the item must still have."""
    fields: Fields
    """What the item holds once written (atbib's fields)."""
    names: tuple[str, ...]
    """The fields sent."""
    local: Fields
    """The list's fields for this item (the list side once written)."""
    keep: Keep = field(default_factory=Keep)
    old: Fields | None = None
    restore: bool = False
    """Take the item out of Zotero's trash."""

    @property
    def create(self) -> bool:
        return self.version == 0

    def payload(self) -> dict[str, Any]:
        data = item_json(
            self.fields,
            self.names,
            key=self.item,
            version=self.version,
            keep=self.keep,
            old_fields=self.old,
        )
        if self.restore:
            data["deleted"] = 0
        return data


@dataclass(frozen=True, slots=True)
class ItemDelete:
    item: str
    work: str


@dataclass(frozen=True, slots=True)
class CollectionDelete:
    key: str
    path: SectionPath


@dataclass(frozen=True)
class PushPlan:
    collections: tuple[CollectionCreate, ...]
    writes: tuple[ItemWrite, ...]
    deletes: tuple[ItemDelete, ...]
    collection_deletes: tuple[CollectionDelete, ...]
    state: SyncState
    """The state to save before sending anything: creates registered with their keys (so a
    retry after a crash reuses them), adoptions linked."""
    conflicts: tuple[Conflict, ...] = ()
    notices: tuple[Notice, ...] = ()
    unchanged: tuple[str, ...] = ()
    """Works with nothing to send."""

    @property
    def empty(self) -> bool:
        return not (self.collections or self.writes or self.deletes or self.collection_deletes)


def plan_push(
    state: SyncState,
    local: LocalSide,
    options: Options = Options(),
    *,
    root: str,
    new_key: Callable[[], str],
) -> PushPlan:
    """Zotero writes that bring the list's changes into Zotero, in five phases: the
    collection tree, a write for each work, deletes for works gone from the list, deletes
    for sections gone from it, and the state to save before anything is sent."""
    state, renamed = follow_renames(state, local)
    tree = _plan_tree(state, local, root, new_key)
    draft = _PushDraft(items=dict(state.items), notices=renamed)
    linked = state.by_work()
    _plan_writes(draft, state, local, options, tree.sections, linked, new_key)
    _plan_deletes(draft, state, local, options, linked)
    collection_deletes = _plan_collection_deletes(draft, state, tree)
    return PushPlan(
        collections=tuple(tree.creates),
        writes=tuple(draft.writes),
        deletes=tuple(draft.deletes),
        collection_deletes=collection_deletes,
        state=_pushed_state(state, root, tree, draft.items, collection_deletes),
        conflicts=tuple(draft.conflicts),
        notices=tuple(draft.notices),
        unchanged=tuple(draft.unchanged),
    )


@dataclass
class _Tree:
    """The list's collection tree as a push leaves it."""

    root_key: str
    collections: dict[str, CollectionState]
    """Every collection of the tree, those about to be created included."""
    creates: list[CollectionCreate]
    sections: dict[SectionPath, str]
    """Each section of the list -> its collection."""

    @property
    def listed_paths(self) -> dict[str, SectionPath]:
        """Collection key -> the list section it stands for once the push is done."""
        paths = {key: path for path, key in self.sections.items()}
        paths[self.root_key] = ()
        return paths


@dataclass
class _PushDraft:
    """What the phases of :func:`plan_push` have planned so far."""

    items: dict[str, ItemState]
    writes: list[ItemWrite] = field(default_factory=list)
    deletes: list[ItemDelete] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)


def _plan_tree(state: SyncState, local: LocalSide, root: str, new_key: Callable[[], str]) -> _Tree:
    """Phase 1: the root and a collection for every section of the list. Collections whose
    creation is not confirmed yet (a first try, or one cut short) are sent again."""
    colls = dict(state.collections)
    creates: list[CollectionCreate] = []
    root_key = state.root_key
    if root_key is None:
        root_key = new_key()
    if root_key not in colls:
        colls[root_key] = CollectionState(root_key, root, None, 0, ())
    probe = replace(state, root_key=root_key, collections=dict(colls))
    for key, path in sorted(tree_paths(probe).items(), key=lambda kv: (len(kv[1]), kv[1])):
        coll = colls[key]
        if coll.version == 0:
            creates.append(CollectionCreate(key, coll.name, coll.parent, path))
    wanted = _all_sections(local)
    sections = section_keys(probe, wanted)
    for path in sorted(wanted, key=lambda p: (len(p), p)):
        if path in sections:
            continue
        parent = root_key if len(path) == 1 else sections[path[:-1]]
        key = new_key()
        creates.append(CollectionCreate(key, path[-1], parent, path))
        sections[path] = key
        colls[key] = CollectionState(key, path[-1], parent, 0, path)
    return _Tree(root_key, colls, creates, sections)


def _plan_writes(
    draft: _PushDraft,
    state: SyncState,
    local: LocalSide,
    options: Options,
    sections: Mapping[SectionPath, str],
    linked: Mapping[str, ItemState],
    new_key: Callable[[], str],
) -> None:
    """Phase 2: a create for each work without an item, an update for each work whose item
    lacks the list's changes."""
    adopted = _adopt_unlinked(draft, state, local, sections)
    for work_key in sorted(local.works):
        mine = local_fields(local.works[work_key], sections)
        item = linked.get(work_key) or adopted.get(work_key)
        if item is not None and item.deleted:
            if options.prefer != "list":
                draft.notices.append(_gone_notice(work_key, item, "deleted", options))
                continue
            del draft.items[item.key]
            item = None
        if item is None or item.pending:
            key = item.key if item is not None else new_key()
            draft.items[key] = ItemState(key=key, work=work_key, version=0, local=mine)
            draft.writes.append(ItemWrite(key, work_key, 0, mine, tuple(mine), mine, Keep(), None))
        elif item.remote is not None:
            _plan_update(draft, work_key, item, item.remote, mine, options)


def _adopt_unlinked(
    draft: _PushDraft,
    state: SyncState,
    local: LocalSide,
    sections: Mapping[SectionPath, str],
) -> dict[str, ItemState]:
    """Items of the tree not linked to a work yet that hold a work of the list, linked to it
    (work key -> the adopted item), so a push never creates a second item for what a group
    member already filed. Found as a pull finds them: by citation key, else by identity
    (arXiv id, DOI, URL, or title with corroboration)."""
    unlinked = [
        item
        for item in sorted(state.items.values(), key=lambda i: i.key)
        if not item.work and item.remote is not None
    ]
    if not unlinked:
        return {}
    matches, _, notices = _match_newcomers(unlinked, local, state)
    draft.notices += notices
    adopted: dict[str, ItemState] = {}
    for item_key, work_key in matches.items():
        mine = local_fields(local.works[work_key], sections)
        item, notice = _adopt(draft.items[item_key], work_key, mine)
        draft.items[item_key] = adopted[work_key] = item
        draft.notices.append(notice)
    return adopted


def _plan_update(
    draft: _PushDraft,
    work_key: str,
    item: ItemState,
    remote: Fields,
    mine: Fields,
    options: Options,
) -> None:
    """The write (if any) that brings the list's changes of one work into its item."""
    moved_out = COLLECTIONS not in remote and COLLECTIONS in item.synced
    restore = item.keep.trashed and options.prefer == "list"
    if item.keep.trashed and not restore:
        draft.notices.append(_gone_notice(work_key, item, "trashed", options))
        return
    if moved_out and options.prefer != "list":
        draft.notices.append(_gone_notice(work_key, item, "moved-out", options))
    merge = _merge(item, mine, options)
    draft.conflicts += _conflicts(work_key, item, mine, merge)
    send = list(merge.to_remote)
    if moved_out:
        send = [n for n in send if n != COLLECTIONS]
        if options.prefer == "list" and mine.get(COLLECTIONS):
            send.append(COLLECTIONS)  # back into the tree
    send += [name for name in LIST_OWNED if mine.get(name) != remote.get(name)]
    target_type = str(mine["itemType"] if "itemType" in send else remote.get("itemType"))
    refused = [n for n in send if not writable(target_type, n)]
    if refused:
        # Said once: the list's values are recorded as its side of those fields, so they
        # are no change the next time (a new value in the list is tried again).
        draft.notices.append(
            Notice(
                work_key,
                item.key,
                "unwritable",
                f"{work_key}: a Zotero {target_type} has no field {', '.join(refused)}; not sent",
            )
        )
        settled = dict(item.local)
        for name in refused:
            _set(settled, name, mine.get(name))
        item = draft.items[item.key] = replace(item, local=settled)
        send = [n for n in send if n not in refused]
    if not send and not restore:
        draft.unchanged.append(work_key)
        return
    after = dict(remote)
    for name in send:
        _set(after, name, mine.get(name))
    draft.writes.append(
        ItemWrite(
            item.key, work_key, item.version, after, tuple(send), mine, item.keep, remote, restore
        )
    )


def _plan_deletes(
    draft: _PushDraft,
    state: SyncState,
    local: LocalSide,
    options: Options,
    linked: Mapping[str, ItemState],
) -> None:
    """Phase 3: the items of works gone from the list, unless Zotero changed them since the
    last sync (then they are reported and kept)."""
    for item in sorted(state.items.values(), key=lambda i: i.key):
        if not item.work or item.work in local.works:
            continue
        if linked.get(item.work) is not item and not item.deleted:
            continue
        if item.pending:
            # A create that may have landed: delete it by key (unknown keys are ignored).
            draft.deletes.append(ItemDelete(item.key, item.work))
            continue
        if item.deleted or item.remote is None or COLLECTIONS not in item.remote:
            draft.items.pop(item.key, None)  # gone from Zotero, or moved out of the tree there
            continue
        changed = {
            n
            for n in set(item.remote) | set(item.synced)
            if item.remote.get(n) != item.synced.get(n)
        }
        if changed and options.prefer != "list":
            draft.notices.append(
                Notice(
                    item.work,
                    item.key,
                    "kept-edited",
                    f"{item.work}: removed from the list but edited in Zotero since the last "
                    f"sync ({', '.join(sorted(changed))}); not deleted (--prefer list deletes it)",
                )
            )
            continue
        draft.deletes.append(ItemDelete(item.key, item.work))


def _plan_collection_deletes(
    draft: _PushDraft, state: SyncState, tree: _Tree
) -> tuple[CollectionDelete, ...]:
    """Phase 4: collections of sections the list no longer has, once nothing is left in
    them (an item that stays, or a subcollection of the group's own, keeps one)."""
    staying = set(tree.listed_paths)
    doomed_items = {d.item for d in draft.deletes}
    written = {w.item: w for w in draft.writes}
    members: set[str] = set()
    for item in draft.items.values():
        if item.key in doomed_items:
            continue
        if item.key in written:
            members.update(written[item.key].fields.get(COLLECTIONS, ()))
        elif item.remote is not None:
            members.update(item.remote.get(COLLECTIONS, ()))
    was_listed = {k: c.listed for k, c in state.collections.items() if c.listed is not None}
    deletes: list[CollectionDelete] = []
    for key in sorted(was_listed):
        if key in staying or key == tree.root_key or key in members:
            continue
        children = [
            c for c in tree.collections.values() if c.parent == key and c.key not in was_listed
        ]
        if not children:
            deletes.append(CollectionDelete(key, was_listed[key]))
    return tuple(deletes)


def _pushed_state(
    state: SyncState,
    root: str,
    tree: _Tree,
    items: Mapping[str, ItemState],
    collection_deletes: Sequence[CollectionDelete],
) -> SyncState:
    """Phase 5: the state to save before sending anything. Every section of the list now
    stands for its collection; a collection about to be deleted keeps its section until it
    is gone (so a retry still deletes it)."""
    listed_paths = tree.listed_paths
    doomed = {d.key for d in collection_deletes}
    colls = {
        key: replace(coll, listed=coll.listed if key in doomed else listed_paths.get(key))
        for key, coll in tree.collections.items()
    }
    return replace(state, root_key=tree.root_key, root=root, collections=colls, items=dict(items))


# -- the state after each write -------------------------------------------------------------------


def after_collection_created(state: SyncState, create: CollectionCreate, version: int) -> SyncState:
    colls = dict(state.collections)
    colls[create.key] = CollectionState(
        create.key, create.name, create.parent, version, create.path
    )
    return replace(state, collections=colls)


def after_item_written(
    state: SyncState, write: ItemWrite, data: Mapping[str, Any] | None, version: int
) -> SyncState:
    """The state once Zotero confirmed a write (``data``: the object it returned)."""
    return after_writes(state, [(write, data, version)])


def after_item_unchanged(state: SyncState, write: ItemWrite) -> SyncState:
    """Zotero reported the write unchanged: it already held these values."""
    return after_writes(state, [(write, None, None)])


def after_writes(
    state: SyncState,
    confirmed: Iterable[tuple[ItemWrite, Mapping[str, Any] | None, int | None]],
) -> SyncState:
    """:func:`after_item_written` for each write Zotero confirmed in one request, in order, as
    ``(write, data, version)``; ``version`` ``None`` for a write it reported unchanged
    (:func:`after_item_unchanged`). The items are copied once per request: copied once per
    item, a push of N works copied a map of up to N items N times."""
    items = dict(state.items)
    tree = set(state.collections)
    for write, data, version in confirmed:
        old = items.get(write.item)
        if version is None:  # unchanged: Zotero already held these values
            version = old.version if old is not None else write.version
        if data is not None:
            remote, keep = item_fields(data, tree)
        else:
            remote, keep = dict(write.fields), write.keep
        synced = dict(old.synced) if old is not None and not write.create else {}
        base = dict(old.local) if old is not None and not write.create else {}
        names = write.names if not write.create else tuple(set(remote) | set(write.local))
        for name in names:
            _set(synced, name, remote.get(name))
            _set(base, name, write.local.get(name))
        items[write.item] = ItemState(
            key=write.item,
            work=write.work,
            version=version,
            synced=synced,
            local=base,
            remote=remote,
            keep=keep,
        )
    return replace(state, items=items)


def unlink_write(state: SyncState, key: str, version: int) -> ItemWrite | None:
    """Instead of deleting an item that holds notes or files of the group: take it out of
    the list's collections (its other collections stay)."""
    item = state.items.get(key)
    if item is None or item.remote is None:
        return None
    after = {k: v for k, v in item.remote.items() if k != COLLECTIONS}
    return ItemWrite(key, item.work, version, after, (COLLECTIONS,), after, item.keep, item.remote)


def after_item_deleted(state: SyncState, key: str) -> SyncState:
    items = dict(state.items)
    items.pop(key, None)
    return replace(state, items=items)


def after_collection_deleted(state: SyncState, key: str) -> SyncState:
    colls = dict(state.collections)
    colls.pop(key, None)
    return replace(state, collections=colls)
