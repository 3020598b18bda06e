"""The sync state file (atbib.zotero.state): lossless, stable, small diffs, atomic."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from atbib.errors import AtbibError
from atbib.zotero.mapping import Keep
from atbib.zotero.state import (
    CollectionState,
    ItemState,
    SyncState,
    dumps,
    load_state,
    loads,
    save_state,
)

FIELDS = st.dictionaries(
    st.sampled_from(["title", "date", "url", "creators", "links", "collections"]),
    st.one_of(
        st.text(min_size=1, max_size=5),
        st.lists(st.text(min_size=1, max_size=3), min_size=1, max_size=2),
    ),
    max_size=4,
)


def sample_state() -> SyncState:
    synced = {"itemType": "book", "title": "T", "collections": ["AAAA2222"]}
    return SyncState(
        group=12345,
        root="ATPapers",
        root_key="ROOT2345",
        library_version=42,
        collections={
            "ROOT2345": CollectionState("ROOT2345", "ATPapers", None, 3, ()),
            "AAAA2222": CollectionState("AAAA2222", "Papers", "ROOT2345", 4, ("Papers",)),
        },
        items={
            "ITEM2345": ItemState(
                "ITEM2345",
                "smith2020t",
                17,
                synced,
                {**synced, "date": "2020"},
                {**synced, "title": "T2"},
                Keep(extra="note", collections=("OTHR2345",)),
            ),
            "PEND2345": ItemState("PEND2345", "new2020w", 0, local={"title": "W"}),
            "GONE2345": ItemState("GONE2345", "old2019x", 9, synced, synced, None, deleted=True),
        },
    )


def test_round_trip() -> None:
    state = sample_state()
    assert loads(dumps(state)) == state


def test_the_file_is_stable_and_one_line_per_object() -> None:
    text = dumps(sample_state())
    assert dumps(loads(text)) == text
    data = json.loads(text)
    assert list(data["items"]) == sorted(data["items"])
    lines = text.splitlines()
    assert sum('"ITEM2345"' in line for line in lines) == 1
    # the list side and Zotero's side are stored as differences from the last sync
    item = data["items"]["ITEM2345"]
    assert item["local"] == {"date": "2020"}
    assert item["remote"] == {"title": "T2"}
    assert "api" not in text.lower() and 'key"' not in text.replace("root_key", "")


@given(synced=FIELDS, local=FIELDS, remote=FIELDS)
def test_any_fields_round_trip(synced: dict, local: dict, remote: dict) -> None:
    state = SyncState(items={"ITEM2345": ItemState("ITEM2345", "w", 5, synced, local, remote)})
    assert loads(dumps(state)) == state


def test_save_is_atomic_and_skips_unchanged_text(tmp_path: Path) -> None:
    path = tmp_path / "zotero-sync.json"
    assert load_state(path) == SyncState()
    save_state(path, sample_state())
    stamp = path.stat().st_mtime_ns
    save_state(path, sample_state())
    assert path.stat().st_mtime_ns == stamp
    assert load_state(path) == sample_state()
    assert [p.name for p in tmp_path.iterdir()] == ["zotero-sync.json"]


@pytest.mark.parametrize("text", ["{", "[]", '{"format": 2}', '{"format": 1, "items": {"X": {}}}'])
def test_a_damaged_file_is_one_clear_error(text: str) -> None:
    with pytest.raises(AtbibError, match="state"):
        loads(text, source="zotero-sync.json")


_KEYS = st.sampled_from([f"K{n:03d}ABCD" for n in range(12)])
_STEP = st.tuples(st.sampled_from(["put", "drop", "misfile", "same"]), _KEYS, st.integers(0, 3))


@given(steps=st.lists(st.lists(_STEP, max_size=6), max_size=8))
def test_saving_again_after_a_few_changes_writes_what_a_first_save_writes(
    steps: list[list[tuple[str, str, int]]],
) -> None:
    """A push saves after every request, and the file is put together from the lines of the
    last save where items did not change: each save is byte for byte what saving that state
    first would write (every line encoded and sorted afresh), whatever came before it."""
    from atbib.zotero import state as module
    from atbib.zotero.state import dump_bytes

    def first_save(state: SyncState) -> bytes:
        kept = module._item_lines, module._item_order
        module._item_lines, module._item_order = {}, []
        try:
            return dump_bytes(state)
        finally:
            module._item_lines, module._item_order = kept

    items: dict[str, ItemState] = {}
    for changes in steps:
        items = dict(items)  # a new state; unchanged items stay the same objects
        for action, key, version in changes:
            if action == "put":
                items[key] = ItemState(key, f"work{version}", version, {"title": key})
            elif action == "drop":
                items.pop(key, None)
            elif action == "misfile":  # under another key than its own
                items[key] = ItemState(key[::-1], "w", version)
        state = SyncState(group=1, items=items)
        assert dump_bytes(state) == first_save(state)
