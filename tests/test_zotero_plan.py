"""The pure three-way planner (atbib.zotero.plan): the field merge exhaustively, then whole
plans on small lists against an in-memory group (no HTTP here; tests/test_zotero_sync.py runs
the same through pyzotero and the local server)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from atbib.export import collect_works
from atbib.keys import assign_keys
from atbib.markdown.read import read_markdown
from atbib.markdown.write import write_markdown
from atbib.zotero.listedit import apply_list_edits
from atbib.zotero.mapping import COLLECTIONS, KEY_LINES
from atbib.zotero.plan import (
    AddEntry,
    LocalSide,
    LocalWork,
    Options,
    PushPlan,
    RemoteChanges,
    RemoveEntry,
    RemoveWork,
    ReplaceWork,
    after_collection_created,
    after_collection_deleted,
    after_item_deleted,
    after_item_written,
    apply_remote,
    follow_renames,
    merge_fields,
    plan_pull,
    plan_push,
    rebase_local,
    tree_paths,
)
from atbib.zotero.state import SyncState

# -- the field merge ----------------------------------------------------------------------------

VALUES = st.sampled_from([None, "a", "b", "c"])
NAMES = ("f1", "f2", "f3")


def fields(values: tuple[Any, ...]) -> dict[str, Any]:
    return {n: v for n, v in zip(NAMES, values, strict=True) if v is not None}


SIDES = st.tuples(*(VALUES for _ in NAMES)).map(fields)


@given(
    base_local=SIDES,
    local=SIDES,
    synced=SIDES,
    remote=SIDES,
    prefer=st.sampled_from([None, "list", "zotero"]),
)
def test_merge_decides_every_field_once_and_never_overwrites_silently(
    base_local: dict, local: dict, synced: dict, remote: dict, prefer: str | None
) -> None:
    merge = merge_fields(base_local, local, synced, remote, prefer)
    decided = [*merge.to_local, *merge.to_remote, *merge.converged, *merge.conflicts]
    assert len(decided) == len(set(decided))
    resolved = dict(merge.resolved)
    for name in NAMES:
        local_changed = local.get(name) != base_local.get(name)
        remote_changed = remote.get(name) != synced.get(name)
        if name in merge.to_remote:
            # Zotero's value goes away only when Zotero did not change it, or --prefer list
            assert not remote_changed or resolved.get(name) == "list"
            assert local_changed
        if name in merge.to_local:
            assert not local_changed or resolved.get(name) == "zotero"
            assert remote_changed
        if name in merge.conflicts:
            assert prefer is None and local_changed and remote_changed
            assert local.get(name) != remote.get(name)
        if name not in decided:
            assert not local_changed and not remote_changed
    # after applying the merge both sides agree on every field it touched
    local_after = {**local, **{n: remote.get(n) for n in merge.to_local}}
    remote_after = {**remote, **{n: local.get(n) for n in merge.to_remote}}
    for name in (*merge.to_local, *merge.to_remote, *merge.converged):
        assert local_after.get(name) == remote_after.get(name)


@given(local=SIDES, remote=SIDES)
def test_merge_after_a_sync_is_quiet(local: dict, remote: dict) -> None:
    assert merge_fields(local, local, remote, remote) == merge_fields({}, {}, {}, {})


@given(base_local=SIDES, local=SIDES, synced=SIDES, remote=SIDES)
def test_merge_is_symmetric(base_local: dict, local: dict, synced: dict, remote: dict) -> None:
    one = merge_fields(base_local, local, synced, remote)
    other = merge_fields(synced, remote, base_local, local)
    assert (one.to_local, one.to_remote) == (other.to_remote, other.to_local)
    assert one.conflicts == other.conflicts


def test_merge_table_exhaustively() -> None:
    """Every combination of the module docstring's table, spelled out."""
    cases = {
        # (local changed, remote changed, same new value): decision
        (False, False, False): "none",
        (True, False, False): "to_remote",
        (False, True, False): "to_local",
        (True, True, True): "converged",
        (True, True, False): "conflict",
    }
    for (lc, rc, same), expected in cases.items():
        merge = merge_fields(
            {"t": "old"},
            {"t": "mine" if lc else "old"},
            {"t": "old"},
            {"t": ("mine" if same else "theirs") if rc else "old"},
        )
        got = (
            "to_remote"
            if merge.to_remote
            else "to_local"
            if merge.to_local
            else "converged"
            if merge.converged
            else "conflict"
            if merge.conflicts
            else "none"
        )
        assert got == expected, (lc, rc, same)


# -- whole plans against an in-memory group -------------------------------------------------------

LIST = """# L
## Attention
### Papers
- **Attention Is All You Need**. *Ashish Vaswani, Noam Shazeer*. (NIPS 2017) [[paper]](https://arxiv.org/abs/1706.03762) - ***Transformer***
- **BERT: Pre-training of Deep Bidirectional Transformers**. *Jacob Devlin, Ming-Wei Chang*. (NAACL 2019) [[paper]](https://arxiv.org/abs/1810.04805)[[code]](https://github.com/google-research/bert)
### Blog
- [Jay Alammar / The Illustrated Transformer](https://jalammar.github.io/illustrated-transformer/)
## Models
### Pretrained
- **BERT: Pre-training of Deep Bidirectional Transformers**. *Jacob Devlin, Ming-Wei Chang*. (NAACL 2019) [[paper]](https://arxiv.org/abs/1810.04805)[[code]](https://github.com/google-research/bert)
"""


DEFAULT = Options()


class Group:
    """Zotero's group as the planner's inputs need it: objects, versions, deletions."""

    def __init__(self) -> None:
        self.version = 0
        self.items: dict[str, dict[str, Any]] = {}
        self.collections: dict[str, dict[str, Any]] = {}
        self.deleted: dict[str, int] = {}
        self.deleted_collections: dict[str, int] = {}
        self.versions: dict[str, int] = {}

    def bump(self) -> int:
        self.version += 1
        return self.version

    def push(self, state: SyncState, plan: PushPlan) -> SyncState:
        state = plan.state
        for create in plan.collections:
            version = self.bump()
            self.collections[create.key] = {**create.payload(), "version": version}
            state = after_collection_created(state, create, version)
        for write in plan.writes:
            payload = write.payload()
            data = {**self.items.get(write.item, {}), **payload}
            data = {k: v for k, v in data.items() if v not in ("",)}
            version = self.bump()
            data["version"] = version
            self.items[write.item] = data
            state = after_item_written(state, write, data, version)
        for delete in plan.deletes:
            self.items.pop(delete.item, None)
            self.deleted[delete.item] = self.bump()
            state = after_item_deleted(state, delete.item)
        for cdel in plan.collection_deletes:
            self.collections.pop(cdel.key, None)
            self.deleted_collections[cdel.key] = self.bump()
            state = after_collection_deleted(state, cdel.key)
        return replace(state, library_version=self.version)

    def edit(self, key: str, **changes: Any) -> None:
        data = dict(self.items[key])
        data.update(changes)
        data["version"] = self.bump()
        self.items[key] = data

    def add(self, key: str, data: dict[str, Any]) -> None:
        self.items[key] = {"key": key, **data, "version": self.bump()}

    def changes(self, since: int) -> RemoteChanges:
        return RemoteChanges(
            library_version=self.version,
            items=tuple(
                {"key": k, "version": d["version"], "data": d}
                for k, d in self.items.items()
                if d["version"] > since
            ),
            deleted_items=tuple(k for k, v in self.deleted.items() if v > since),
            collections=tuple(
                {"key": k, "version": d["version"], "data": d}
                for k, d in self.collections.items()
                if d["version"] > since
            ),
            deleted_collections=tuple(k for k, v in self.deleted_collections.items() if v > since),
        )

    def by_citation_key(self, cite: str) -> str:
        return next(k for k, d in self.items.items() if d.get("citationKey") == cite)


def keygen() -> Iterator[str]:
    alphabet = "23456789ABCDEFGHIJKLMNPQRSTUVWXYZ"
    for combo in itertools.product(alphabet, repeat=3):
        yield "KEYS2" + "".join(combo)


class World:
    """A list, its sync state and a group, advanced by pure plans."""

    def __init__(self, text: str = LIST) -> None:
        self.text = text
        self.group = Group()
        self.state = SyncState(group=1, root="ATPapers")
        self.keys = keygen()
        self.registry: tuple = ()

    def local(self) -> tuple[LocalSide, dict]:
        library = read_markdown(self.text)
        works, _ = collect_works(library, self.registry)
        side = LocalSide({w.key: LocalWork(w.key, w.record) for w in works}, self.registry)
        return side, {w.key: w for w in works}

    def fetch(self) -> list:
        self.state, notices = apply_remote(
            self.state, self.group.changes(self.state.library_version), "ATPapers"
        )
        return notices

    def pull(self, options: Options = DEFAULT):
        self.fetch()
        side, works = self.local()
        plan = plan_pull(self.state, side, options)
        self.registry = plan.registry
        if plan.edits:
            self.text = write_markdown(
                apply_list_edits(read_markdown(self.text), works, plan.edits)
            )
        side, _ = self.local()
        self.state = rebase_local(plan.state, side, plan.applied, plan.new_works)
        return plan

    def push(self, options: Options = DEFAULT) -> PushPlan:
        self.fetch()
        side, _ = self.local()
        plan = plan_push(
            self.state, side, options, root="ATPapers", new_key=lambda: next(self.keys)
        )
        created = [replace(side.works[w.work].record, key=w.work) for w in plan.writes if w.create]
        self.registry = assign_keys(created, self.registry).registry
        self.state = self.group.push(self.state, plan)
        return plan

    def sync(self, options: Options = DEFAULT) -> tuple:
        return self.pull(options), self.push(options)


@pytest.fixture
def world() -> World:
    w = World()
    w.push()
    return w


def test_first_push_creates_the_tree_then_one_item_per_work() -> None:
    w = World()
    plan = w.push()
    paths = [c.path for c in plan.collections]
    assert paths == [
        (),
        ("Attention",),
        ("Models",),
        ("Attention", "Blog"),
        ("Attention", "Papers"),
        ("Models", "Pretrained"),
    ]
    parents = {c.key: c.parent for c in plan.collections}
    for create in plan.collections:
        assert create.parent is None or list(parents).index(create.parent) < list(parents).index(
            create.key
        )
    assert len(plan.writes) == 3 and all(w.create for w in plan.writes)
    bert = w.group.items[w.group.by_citation_key("devlin2019bert")]
    tree = tree_paths(w.state)
    assert sorted(tree[c] for c in bert["collections"]) == [
        ("Attention", "Papers"),
        ("Models", "Pretrained"),
    ]
    second = w.push()
    assert second.empty and len(second.unchanged) == 3


def test_nothing_changed_nothing_planned(world: World) -> None:
    pull, push = world.sync()
    assert not pull.edits and not pull.conflicts and push.empty


def test_a_list_edit_goes_to_zotero_field_by_field(world: World) -> None:
    world.text = world.text.replace("Noam Shazeer", "Noam Shazeer, Niki Parmar")
    plan = world.push()
    (write,) = plan.writes
    assert write.names == ("creators",)
    assert write.payload()["version"] > 0
    assert [c["lastName"] for c in world.group.items[write.item]["creators"]] == [
        "Vaswani",
        "Shazeer",
        "Parmar",
    ]
    assert world.push().empty


def test_a_zotero_edit_rewrites_only_its_entry(world: World) -> None:
    key = world.group.by_citation_key("vaswani2017attention")
    world.group.edit(key, title="Attention Is All You Need!")
    before = world.text
    plan = world.pull()
    assert plan.edits == (
        ReplaceWork("vaswani2017attention", {"title": "Attention Is All You Need!"}, key),
    )
    changed = [
        (a, b) for a, b in zip(before.splitlines(), world.text.splitlines(), strict=True) if a != b
    ]
    assert len(changed) == 1 and "Attention Is All You Need!**" in changed[0][1]
    assert world.push().empty  # nothing to send back


def test_a_value_the_list_cannot_hold_stays_in_zotero(world: World) -> None:
    key = world.group.by_citation_key("vaswani2017attention")
    world.group.edit(key, date="2017-12-04", abstractNote="We propose ...")
    before = world.text
    plan = world.pull()
    assert not plan.edits
    assert world.text == before
    assert world.push().empty
    assert world.group.items[key]["date"] == "2017-12-04"


def test_a_new_item_in_a_subsection_becomes_an_entry(world: World) -> None:
    papers = next(k for k, p in tree_paths(world.state).items() if p == ("Attention", "Papers"))
    world.group.add(
        "NEWI2345",
        {
            "itemType": "preprint",
            "title": "Longformer: The Long-Document Transformer",
            "creators": [{"creatorType": "author", "firstName": "Iz", "lastName": "Beltagy"}],
            "date": "2020-04-10",
            "url": "https://arxiv.org/abs/2004.05150",
            "collections": [papers, "ELSE2345"],
        },
    )
    plan = world.pull()
    (add,) = plan.edits
    assert isinstance(add, AddEntry) and add.section == ("Attention", "Papers")
    assert add.work == "beltagy2020longformer"
    assert (
        "- **Longformer: The Long-Document Transformer**. *Iz Beltagy*. (CoRR 2020) "
        "[[paper]](https://arxiv.org/abs/2004.05150)\n### Blog"
    ) in world.text
    push = world.push()  # the key given in the list goes back to Zotero, nothing else
    (write,) = push.writes
    assert "citationKey" in write.names
    assert world.group.items["NEWI2345"]["citationKey"] == "beltagy2020longformer"
    assert "ELSE2345" in world.group.items["NEWI2345"]["collections"]


def test_a_free_citation_key_of_a_new_item_is_kept(world: World) -> None:
    papers = next(k for k, p in tree_paths(world.state).items() if p == ("Attention", "Papers"))
    world.group.add(
        "NEWI2345",
        {
            "itemType": "webpage",
            "title": "Some Page",
            "url": "https://p.org/",
            "citationKey": "mykey",
            "collections": [papers],
        },
    )
    plan = world.pull()
    assert plan.new_works == {"NEWI2345": "mykey"}
    # the key kept, and written where Zotero 7 reads it too
    assert [(w.item, w.names) for w in world.push().writes] == [("NEWI2345", (KEY_LINES,))]
    assert world.group.items["NEWI2345"]["extra"] == "Citation Key: mykey"
    assert world.push().empty


def test_the_same_field_changed_on_both_sides_is_a_conflict(world: World) -> None:
    key = world.group.by_citation_key("vaswani2017attention")
    world.group.edit(key, title="Zotero's Title")
    world.text = world.text.replace("**Attention Is All You Need**", "**List's Title**")
    pull, push = world.sync()
    assert [(c.field, c.local, c.remote, c.base) for c in pull.conflicts] == [
        ("title", "List's Title", "Zotero's Title", "Attention Is All You Need")
    ]
    assert not pull.edits and push.empty  # left as it is on both sides
    assert "**List's Title**" in world.text
    assert world.group.items[key]["title"] == "Zotero's Title"
    # still a conflict next time, until settled
    pull, push = world.sync()
    assert len(pull.conflicts) == 1
    pull, push = world.sync(Options(prefer="zotero"))
    assert "**Zotero's Title**" in world.text and push.empty
    assert not world.sync()[0].conflicts


def test_prefer_list_settles_a_conflict_for_the_list(world: World) -> None:
    key = world.group.by_citation_key("vaswani2017attention")
    world.group.edit(key, title="Zotero's Title")
    world.text = world.text.replace("**Attention Is All You Need**", "**List's Title**")
    pull, _ = world.sync(Options(prefer="list"))
    assert pull.conflicts[0].resolved == "list"
    assert world.group.items[key]["title"] == "List's Title"
    assert not any(world.sync()[0].conflicts)


def test_different_fields_changed_on_both_sides_merge(world: World) -> None:
    key = world.group.by_citation_key("vaswani2017attention")
    world.group.edit(key, shortTitle="TF")
    world.text = world.text.replace("Noam Shazeer", "Noam M. Shazeer")
    pull, _ = world.sync()
    assert not pull.conflicts
    assert "- ***TF***" in world.text and "Noam M. Shazeer" in world.text
    assert world.group.items[key]["shortTitle"] == "TF"
    assert world.group.items[key]["creators"][1]["firstName"] == "Noam M."


def test_deleted_in_zotero_is_reported_and_removed_only_on_request(world: World) -> None:
    key = world.group.by_citation_key("vaswani2017attention")
    world.group.items.pop(key)
    world.group.deleted[key] = world.group.bump()
    pull, push = world.sync()
    assert [n.code for n in pull.notices] == ["deleted"]
    assert "Attention Is All You Need" in world.text
    assert push.empty  # not re-created behind the group's back
    pull, push = world.sync(Options(remove_deleted=True))
    assert pull.edits == (RemoveWork("vaswani2017attention", key),)
    assert "Attention Is All You Need" not in world.text
    assert world.sync()[1].empty


def test_prefer_list_restores_an_item_deleted_in_zotero(world: World) -> None:
    key = world.group.by_citation_key("vaswani2017attention")
    world.group.items.pop(key)
    world.group.deleted[key] = world.group.bump()
    push = world.push(Options(prefer="list"))
    (write,) = push.writes
    assert write.create and write.item != key
    assert world.group.by_citation_key("vaswani2017attention") == write.item


def test_moved_out_of_the_tree_is_reported(world: World) -> None:
    key = world.group.by_citation_key("vaswani2017attention")
    world.group.edit(key, collections=["ELSE2345"])
    pull, push = world.sync()
    assert [n.code for n in pull.notices] == ["moved-out"]
    assert "Attention Is All You Need" in world.text and push.empty
    pull, push = world.sync(Options(remove_deleted=True))
    assert "Attention Is All You Need" not in world.text


def test_moved_between_subsections_moves_the_entry(world: World) -> None:
    key = world.group.by_citation_key("vaswani2017attention")
    paths = {p: k for k, p in tree_paths(world.state).items()}
    world.group.edit(key, collections=[paths[("Models", "Pretrained")]])
    plan = world.pull()
    kinds = sorted(type(e).__name__ for e in plan.edits)
    assert kinds == ["AddEntry", "RemoveEntry"]
    assert world.text.index("Attention Is All You Need") > world.text.index("### Pretrained")
    assert world.push().empty


def test_a_work_removed_from_the_list_is_deleted_unless_edited_in_zotero(world: World) -> None:
    world.text = (
        "\n".join(line for line in world.text.splitlines() if "Illustrated" not in line) + "\n"
    )
    key = world.group.by_citation_key("jayalammarillustrated")
    plan = world.push()
    assert [d.item for d in plan.deletes] == [key]
    assert [c.path for c in plan.collection_deletes] == [("Attention", "Blog")]
    assert key not in world.group.items

    other = World()
    other.push()
    other.text = other.text.replace(
        "- [Jay Alammar / The Illustrated Transformer](https://jalammar.github.io/illustrated-transformer/)\n",
        "",
    )
    ikey = other.group.by_citation_key("jayalammarillustrated")
    other.group.edit(ikey, title="Edited in Zotero")
    plan = other.push()
    assert not plan.deletes and [n.code for n in plan.notices] == ["kept-edited"]
    plan = other.push(Options(prefer="list"))
    assert [d.item for d in plan.deletes] == [ikey]


def test_an_unconfirmed_create_is_adopted_not_duplicated() -> None:
    w = World()
    side, _ = w.local()
    plan = plan_push(w.state, side, root="ATPapers", new_key=lambda: next(w.keys))
    # the group applied the whole push but the answers were lost
    saved = plan.state
    w.group.push(saved, plan)
    w.state = saved
    again = w.push()
    assert not again.writes and not again.collections
    assert len(w.group.items) == 3 and len(w.group.collections) == 6


def test_a_lost_state_file_adopts_the_group_by_citation_key(world: World) -> None:
    items_before = dict(world.group.items)
    fresh = World(world.text)
    fresh.group = world.group
    pull, push = fresh.sync()
    assert {n.code for n in pull.notices} == {"adopted"}
    assert not push.writes and not push.collections
    assert world.group.items.keys() == items_before.keys()


def test_adoption_without_a_last_sync_never_overwrites(world: World) -> None:
    key = world.group.by_citation_key("vaswani2017attention")
    world.group.edit(key, title="Zotero's Title")
    fresh = World(world.text)
    fresh.group = world.group
    pull, push = fresh.sync()
    adopted = next(n for n in pull.notices if n.work == "vaswani2017attention")
    assert adopted.message.endswith("(they differ in title)")
    assert [c.field for c in (*pull.conflicts, *push.conflicts)] == ["title"]
    assert push.empty and world.group.items[key]["title"] == "Zotero's Title"
    assert [c.field for c in fresh.sync()[0].conflicts] == ["title"]
    fresh.sync(Options(prefer="zotero"))
    assert "**Zotero's Title**" in fresh.text


def test_renamed_collection_is_reported_and_still_used(world: World) -> None:
    key = next(k for k, p in tree_paths(world.state).items() if p == ("Attention", "Papers"))
    world.group.collections[key] = {
        **world.group.collections[key],
        "name": "Paper",
        "version": world.group.bump(),
    }
    notices = world.fetch()
    assert [n.code for n in notices] == ["collection-renamed"]
    pull, push = world.sync()
    assert not pull.edits and push.empty
    # an item added to the renamed collection goes under the list's heading for it
    world.group.add(
        "NEWI2345",
        {
            "itemType": "webpage",
            "title": "Some Page",
            "url": "https://p.org/",
            "collections": [key],
        },
    )
    (add,) = world.pull().edits
    assert isinstance(add, AddEntry) and add.section == ("Attention", "Papers")
    assert "### Paper\n" not in world.text


def test_a_deleted_collection_comes_back_while_the_list_has_its_section(world: World) -> None:
    key = next(k for k, p in tree_paths(world.state).items() if p == ("Attention", "Blog"))
    world.group.collections.pop(key)
    world.group.deleted_collections[key] = world.group.bump()
    notices = world.fetch()
    assert [n.code for n in notices] == ["collection-deleted"]
    pull, push = world.sync()
    assert not pull.edits and not pull.conflicts and not pull.notices
    assert "Illustrated" in world.text
    (create,) = push.collections
    assert create.path == ("Attention", "Blog") and create.key != key
    item = world.group.items[world.group.by_citation_key("jayalammarillustrated")]
    assert item["collections"] == [create.key]
    assert world.sync()[1].empty


@settings(max_examples=30, deadline=None)
@given(
    edits=st.lists(
        st.tuples(
            st.sampled_from(["vaswani2017attention", "devlin2019bert", "jayalammarillustrated"]),
            st.sampled_from(["title", "shortTitle", "date", "url"]),
            st.sampled_from(["x", "y", "2021", "https://z.org/"]),
            st.booleans(),
        ),
        max_size=5,
    ),
    prefer=st.sampled_from(["list", "zotero"]),
)
def test_any_edits_converge_after_a_sync_with_prefer(
    edits: list[tuple[str, str, str, bool]], prefer: str
) -> None:
    w = World()
    w.push()
    for cite, name, value, remote in edits:
        if remote:
            w.group.edit(w.group.by_citation_key(cite), **{name: value})
        elif name == "title":
            _, works = w.local()
            rec = works[cite].record
            for before, after in (
                (f"**{rec.title}**", f"**{value}**"),
                (f"/ {rec.title}]", f"/ {value}]"),
            ):
                w.text = w.text.replace(before, after)
    w.sync(Options(prefer=prefer))
    pull, push = w.sync()
    assert not pull.edits and push.empty and not pull.conflicts


def test_list_edits_touch_only_their_lines() -> None:
    library = read_markdown(LIST)
    works, _ = collect_works(library)
    by_key = {w.key: w for w in works}
    edits = [
        ReplaceWork("devlin2019bert", {"title": "BERT"}),
        RemoveEntry("devlin2019bert", ("Models", "Pretrained")),
        AddEntry("x", ("Models", "New"), by_key["vaswani2017attention"].record),
    ]
    text = write_markdown(apply_list_edits(library, by_key, edits))
    assert text.count("**BERT**") == 1
    assert text.endswith(
        "### New\n- **Attention Is All You Need**. *Ashish Vaswani, Noam "
        "Shazeer*. (NIPS 2017) [[paper]](https://arxiv.org/abs/1706.03762) - "
        "***Transformer***\n"
    )
    assert COLLECTIONS == "collections"


def test_an_item_follows_its_works_new_key_never_an_ambiguous_one(world: World) -> None:
    key = world.group.by_citation_key("devlin2019bert")
    side, _ = world.local()
    bert = side.works["devlin2019bert"]
    renamed = {k: w for k, w in side.works.items() if k != bert.key}
    # by identity: the same paper under a new key
    moved = LocalSide(
        {**renamed, "devlin2019pretraining": LocalWork("devlin2019pretraining", bert.record)}
    )
    state, notices = follow_renames(world.state, moved)
    assert state.items[key].work == "devlin2019pretraining"
    assert [n.code for n in notices] == ["renamed"]
    # by alias: a retitled work that names the old key
    other = replace(bert.record, title="Something Else", links=())
    aliased = LocalWork("newkey", other, aliases=("devlin2019bert",))
    state, _ = follow_renames(world.state, LocalSide({**renamed, "newkey": aliased}))
    assert state.items[key].work == "newkey"
    # an alias two works claim names neither: the item is left to the push (deleted)
    twin = LocalWork("twinkey", other, aliases=("devlin2019bert",))
    both = LocalSide({**renamed, "newkey": aliased, "twinkey": twin})
    state, notices = follow_renames(world.state, both)
    assert state.items[key].work == "devlin2019bert" and notices == []
