"""The sync state: what the list and the Zotero group held when they were last in step.

It lives in a committed file beside the bib folder (``zotero-sync.json`` by default, or
``[tool.atbib] zotero-state``), so any maintainer can sync from a fresh clone. It holds the
group id, the library version everything is known up to, the collections of the list's tree,
and per item: its key and version, the citation key of its work, and the fields of the last
sync. It never holds a secret.

For each item three field sets matter (see :mod:`atbib.zotero.plan`):

``synced``
    the fields both sides agreed on at the last sync (the common ancestor);
``local``
    what the list gave for those fields at the last sync (usually ``synced``; it differs where
    the list cannot say what Zotero says, e.g. a full date where the list writes a year);
``remote``
    what Zotero holds now, as far as the last pull saw (differs from ``synced`` while a change
    made in Zotero waits to be pulled).

The file stores ``synced`` whole and the other two as differences from it, one item per line
with sorted keys, so a sync that changes one item changes one line.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from operator import attrgetter
from pathlib import Path
from typing import Any

from atbib.errors import AtbibError
from atbib.files import read_text, write_bytes_atomic
from atbib.model import SectionPath
from atbib.zotero.mapping import Fields, Keep

FORMAT = 1


@dataclass(frozen=True, slots=True)
class CollectionState:
    key: str
    name: str
    parent: str | None
    """Key of the parent collection; ``None`` for the root of the tree."""
    version: int
    listed: SectionPath | None = None
    """The list section this collection stood for at the last sync (``()`` for the root)."""


@dataclass(frozen=True, slots=True)
class ItemState:
    key: str
    work: str
    """Citation key of the work this item is; ``""`` for an item of the tree that is not in
    the list yet (it waits for a pull)."""
    version: int
    """The item's version as last seen; 0 while its creation is not confirmed."""
    synced: Fields = field(default_factory=dict)
    local: Fields = field(default_factory=dict)
    remote: Fields | None = None
    """``None`` when the item does not exist in Zotero (a create in flight, or deleted)."""
    keep: Keep = field(default_factory=Keep)
    deleted: bool = False
    """Deleted in Zotero (gone for good, not in the trash)."""

    @property
    def pending(self) -> bool:
        """A create that may or may not have reached Zotero."""
        return self.version == 0 and not self.deleted


@dataclass(frozen=True)
class SyncState:
    group: int | None = None
    root: str = ""
    """Name of the tree's root collection."""
    root_key: str | None = None
    library_version: int = 0
    collections: Mapping[str, CollectionState] = field(default_factory=dict)
    items: Mapping[str, ItemState] = field(default_factory=dict)

    def with_items(self, items: Mapping[str, ItemState]) -> SyncState:
        return replace(self, items=dict(items))

    def by_work(self) -> dict[str, ItemState]:
        """Items linked to works, by citation key (a live item wins over a deleted one)."""
        found: dict[str, ItemState] = {}
        for item in sorted(self.items.values(), key=lambda i: (i.deleted, i.key)):
            if item.work:
                found.setdefault(item.work, item)
        return found


# -- file format --------------------------------------------------------------------------------


def _diff(base: Fields, other: Fields) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in sorted(set(base) | set(other)):
        if base.get(name) != other.get(name):
            out[name] = other.get(name)
    return out


def _patch(base: Fields, diff: Mapping[str, Any]) -> Fields:
    out = dict(base)
    for name, value in diff.items():
        if value is None:
            out.pop(name, None)
        else:
            out[name] = value
    return out


def _item_json(item: ItemState) -> dict[str, Any]:
    data: dict[str, Any] = {"version": item.version, "synced": item.synced}
    if item.work:
        data["work"] = item.work
    local = _diff(item.synced, item.local)
    if local:
        data["local"] = local
    if item.remote is not None:
        remote = _diff(item.synced, item.remote)
        if remote:
            data["remote"] = remote
    if item.deleted:
        data["deleted"] = True
    if item.keep.extra:
        data["extra"] = item.keep.extra
    if item.keep.collections:
        data["other_collections"] = list(item.keep.collections)
    if item.keep.trashed:
        data["trashed"] = True
    return data


_by_key = attrgetter("key")


def _line(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


_item_lines: dict[str, tuple[ItemState, bytes]] = {}
"""Each item's line (UTF-8, without its comma) in the file :func:`dump_bytes` made last, with
the item it was made from. A push saves the state after every request of 50 items; an item the
request left alone is the same (immutable) object as before, so its line is reused instead of
being diffed and encoded again (which made a push of N works cost O(N^2 / 50) in encoding)."""
_item_order: list[str] = []
"""The keys of :data:`_item_lines` in the file's order."""


def dumps(state: SyncState) -> str:
    """The file's text: stable (sorted keys), one collection and one item per line."""
    return dump_bytes(state).decode("utf-8")


def dump_bytes(state: SyncState) -> bytes:
    """The file's content: :func:`dumps` in UTF-8."""
    line = _line

    head = {
        "format": FORMAT,
        "group": state.group,
        "root": state.root,
        "root_key": state.root_key,
        "library_version": state.library_version,
    }
    out = ["{"]
    for name, value in head.items():
        out.append(f" {json.dumps(name)}: {line(value)},")
    out.append(' "collections": {')
    colls = sorted(state.collections.values(), key=lambda c: c.key)
    for position, coll in enumerate(colls):
        data: dict[str, Any] = {"name": coll.name, "parent": coll.parent, "version": coll.version}
        if coll.listed is not None:
            data["listed"] = list(coll.listed)
        comma = "," if position < len(colls) - 1 else ""
        out.append(f"  {json.dumps(coll.key)}: {line(data)}{comma}")
    out.append(' },\n "items": {\n')
    texts = _item_texts(state.items)
    end = b"\n }\n}\n" if texts else b" }\n}\n"
    return b"".join(("\n".join(out).encode(), b",\n".join(texts), end))


def _item_texts(items: Mapping[str, ItemState]) -> list[bytes]:
    """Each item's line (UTF-8, without its comma), in key order.

    The lines and the order of the file :func:`dump_bytes` made last are kept: a push saves
    the state after every request of 50 items and leaves the other items the same (immutable)
    objects, so only the items that are not are encoded, and new keys are merged into the
    order (one sorted run and a few new keys), where every save encoded or sorted all N items.
    Anything else (an item gone, a key that is not its item's) is sorted afresh."""
    lines = _item_lines
    added: list[str] = []
    for key, item in items.items():
        known = lines.get(key)
        if known is not None and known[0] is item:
            continue
        if item.key != key:
            return _sorted_texts(items)
        if known is None:
            added.append(key)
        lines[key] = (item, _item_line(item))
    if len(lines) != len(items):  # items gone since
        return _sorted_texts(items)
    if added:
        _item_order.extend(added)
        _item_order.sort()
    return [lines[key][1] for key in _item_order]


def _sorted_texts(items: Mapping[str, ItemState]) -> list[bytes]:
    """:func:`_item_texts` from scratch: every item in key order, the lines of the items
    dumped last reused."""
    global _item_lines, _item_order
    previous = _item_lines
    lines: dict[str, tuple[ItemState, bytes]] = {}
    texts = []
    for item in sorted(items.values(), key=_by_key):
        known = previous.get(item.key)
        text = known[1] if known is not None and known[0] is item else _item_line(item)
        lines[item.key] = (item, text)
        texts.append(text)
    _item_lines, _item_order = lines, list(lines)
    return texts


def _item_line(item: ItemState) -> bytes:
    return f"  {json.dumps(item.key)}: {_line(_item_json(item))}".encode()


def loads(text: str, *, source: str = "<state>") -> SyncState:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise AtbibError(f"{source}: not a valid sync state file ({exc})") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise AtbibError(f"{source}: not a sync state file of format {FORMAT}")
    try:
        collections = {
            key: CollectionState(
                key=key,
                name=str(value["name"]),
                parent=value.get("parent"),
                version=int(value["version"]),
                listed=tuple(value["listed"]) if value.get("listed") is not None else None,
            )
            for key, value in data.get("collections", {}).items()
        }
        items = {}
        for key, value in data.get("items", {}).items():
            synced = dict(value.get("synced") or {})
            deleted = bool(value.get("deleted"))
            version = int(value["version"])
            remote = None if deleted or version == 0 else _patch(synced, value.get("remote", {}))
            items[key] = ItemState(
                key=key,
                work=str(value.get("work", "")),
                version=version,
                synced=synced,
                local=_patch(synced, value.get("local", {})),
                remote=remote,
                keep=Keep(
                    extra=str(value.get("extra", "")),
                    collections=tuple(value.get("other_collections", ())),
                    trashed=bool(value.get("trashed")),
                ),
                deleted=deleted,
            )
        group = data.get("group")
        return SyncState(
            group=int(group) if group is not None else None,
            root=str(data.get("root", "")),
            root_key=data.get("root_key"),
            library_version=int(data.get("library_version", 0)),
            collections=collections,
            items=items,
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise AtbibError(f"{source}: damaged sync state file ({exc!r})") from None


def load_state(path: Path) -> SyncState:
    """The state in ``path``, or an empty state when the file does not exist yet."""
    if not path.exists():
        return SyncState()
    return loads(read_text(path), source=str(path))


def save_state(path: Path, state: SyncState) -> None:
    """Write the state atomically (unchanged text is not rewritten).

    A push saves after every request: the file is compared as bytes, and only when its size
    matches (it was read as UTF-8 when the run began, under the repository lock)."""
    data = dump_bytes(state)
    try:
        if path.stat().st_size == len(data) and path.read_bytes() == data:
            return
    except FileNotFoundError:
        pass
    write_bytes_atomic(path, data)
