"""Zotero sync end to end: real pyzotero over real HTTP against the local Zotero Web API v3
server (tests/zoteroapi), on the real list.

Request counts measured here (asserted exactly, see test_request_counts):

- full push of the list (326 works, 24 collections): 10 requests
  (1 versions check, 1 key permissions, 1 collections POST, 7 item POSTs);
- sync of an unchanged library: 1 request;
- sync after one edit in Zotero: 4 requests (versions, collections, the item, deletions);
- sync after one edit in the list: 3 requests (versions, key permissions, one POST).
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from atbib.bibtex.kept import read_kept
from atbib.cli import main
from atbib.export import collect_works, journal_works
from atbib.keys import KeyRow, read_registry, renamed_to, write_registry
from atbib.markdown.read import read_markdown
from atbib.masking import mask
from atbib.project import load_project
from atbib.venues import VenueType
from atbib.zotero import cli as zcli
from atbib.zotero import sync as zsync
from atbib.zotero.client import RetryPolicy, ZoteroClient
from atbib.zotero.mapping import item_fields
from atbib.zotero.plan import ItemWrite, LocalWork, local_fields, section_keys, tree_paths
from atbib.zotero.state import load_state
from tests.conftest import ROOT, ZOTERO_GROUP, copy_of_this_list
from tests.zoteroapi import DEFAULT_KEY, READONLY_KEY, Permission, ZoteroServer, make_zotero

GROUP = ZOTERO_GROUP
FAST = RetryPolicy(attempts=5, base_delay=0.01, max_delay=0.05)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the repository's list and bib/ with ``zotero-group`` configured."""
    copy_of_this_list(tmp_path, GROUP)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ZOTERO_API_KEY", raising=False)
    return tmp_path


def factory(
    server: ZoteroServer, key: str = DEFAULT_KEY, policy: RetryPolicy = FAST, timeout: float = 10
) -> Callable[[int], ZoteroClient]:
    return lambda group: ZoteroClient(make_zotero(server, key, timeout=timeout), policy=policy)


def run(mode: str, server: ZoteroServer, **kw: Any) -> zsync.Summary:
    make = kw.pop("client_factory", None) or factory(server)
    progress = kw.pop("progress", None)
    return zsync.run(
        mode, zsync.Settings(group=GROUP, **kw), client_factory=make, progress=progress
    )


def server_items(server: ZoteroServer) -> list[dict[str, Any]]:
    lib = server.library
    with server.lock:
        return [server.item_data(lib, i) for i in lib.items.values() if i.parent is None]


def assert_group_mirrors_list(server: ZoteroServer, project: Path) -> None:
    """No duplicate, nothing lost: one item per work, holding the work's fields, in the
    collections of the work's subsections; one collection per section path."""
    state = load_state(project / "zotero-sync.json")
    loaded = load_project(start=project)  # the works as sync sees them, bib/metadata.tsv too
    works, _ = collect_works(
        loaded.library, loaded.registry, loaded.config.key_formula, loaded.metadata
    )
    with server.lock:
        colls = list(server.library.collections.values())
    names = [(c.parent, c.name) for c in colls]
    assert len(names) == len(set(names)), "duplicate collections"
    parents = {c.key: c.parent for c in colls}

    def top(key: str) -> str:
        while parents[key]:
            key = parents[key]
        return key

    tree = set(tree_paths(state))
    assert tree == {c.key for c in colls if top(c.key) == state.root_key}  # members' aside
    everything = server_items(server)
    below = tree - {state.root_key}  # an item only in the root is in no section: not listed
    items = [i for i in everything if below & set(i["collections"])]
    outside = [i for i in everything if not below & set(i["collections"])]
    cites = [i.get("citationKey") for i in items]
    assert len(cites) == len(set(cites)), "duplicate items"
    assert set(cites) == {w.key for w in works}
    assert not {i.get("citationKey") for i in outside} & set(cites), "stray copies"
    sections = section_keys(state, {p for w in works for p in w.record.sections})
    by_cite = {i["citationKey"]: i for i in items}
    linked = state.by_work()
    kept_file = project / "bib" / "extra.bib"
    kept = read_kept(kept_file.read_text("utf-8")) if kept_file.exists() else {}
    journals = journal_works(works, kept)
    for work in works:
        venue_type = VenueType.JOURNAL if work.key in journals else None
        expected = local_fields(LocalWork(work.key, work.record, venue_type), sections)
        got, _ = item_fields(by_cite[work.key], tree)
        known = linked[work.key]
        assert known.key == by_cite[work.key]["key"]
        for name in set(got) | set(expected):
            if got.get(name) != expected.get(name):
                # only where Zotero holds more than the list can say (a full date), as
                # recorded at the last sync
                assert known.local.get(name) == expected.get(name), (work.key, name)
                assert known.synced.get(name) == got.get(name), (work.key, name)


@pytest.fixture
def pushed(project: Path, zotero_server: ZoteroServer) -> ZoteroServer:
    summary = run("push", zotero_server)
    assert summary.ok and summary.created == 326
    zotero_server.clear_log()
    return zotero_server


def as_listed(project: Path) -> Path:
    """The list as its lines say it, before `atbib fill`: no bib/metadata.tsv, and the keys
    given by authors' names since then back to the title-word keys they replaced."""
    (project / "bib" / "metadata.tsv").unlink()
    registry = project / "bib" / "keys.tsv"
    rows = read_registry(registry.read_text(encoding="utf-8"))
    back = {renamed_to(row): row.key for row in rows if renamed_to(row)}
    rows = [
        KeyRow(back.get(row.key, row.key), row.identifiers, row.title)
        for row in rows
        if not renamed_to(row)
    ]
    registry.write_text(write_registry(rows), encoding="utf-8")
    return project


@pytest.fixture
def pushed_as_listed(project: Path, zotero_server: ZoteroServer) -> ZoteroServer:
    """:func:`pushed`, for the list :func:`as_listed`."""
    as_listed(project)
    summary = run("push", zotero_server)
    assert summary.ok and summary.created == 326
    zotero_server.clear_log()
    return zotero_server


# -- the scenarios of the issue ---------------------------------------------------------------------


def test_initial_push_of_the_whole_list(project: Path, zotero_server: ZoteroServer) -> None:
    readme = (project / "README.md").read_bytes()
    summary = run("push", zotero_server)
    assert summary.ok, summary.failures
    assert (summary.created, summary.collections_created) == (326, 24)
    assert summary.requests == 10
    assert zotero_server.count("POST", r"/items$") == 7
    assert zotero_server.count("POST", r"/collections$") == 1
    assert_group_mirrors_list(zotero_server, project)
    assert (project / "README.md").read_bytes() == readme
    # a work listed in two subsections is one item in two collections
    state = load_state(project / "zotero-sync.json")
    paths = tree_paths(state)
    codebert = next(
        i for i in server_items(zotero_server) if i["citationKey"] == "feng2020codebert"
    )
    assert sorted(paths[c] for c in codebert["collections"]) == [
        ("Pretrained Language Model", "Models"),
        ("Pretrained Language Model", "Multi-Modal"),
    ]


def test_keys_and_identifiers_are_where_every_zotero_looks(pushed: ZoteroServer) -> None:
    """The native citationKey (Zotero 8) and one ``Citation Key:`` line in extra (Zotero 7 with
    Better BibTeX 7); a published paper's arXiv id as ``arXiv:`` in extra; a DOI in the DOI
    field."""
    items = {i["citationKey"]: i for i in server_items(pushed)}
    for key, item in items.items():
        lines = item["extra"].split("\n")
        assert [line for line in lines if line.startswith("Citation Key:")] == [
            f"Citation Key: {key}"
        ]
    assert "arXiv: 1706.03762" in items["vaswani2017attention"]["extra"].split("\n")
    preprint = items["ahmed2017weighted"]
    assert preprint["itemType"] == "preprint" and preprint["archiveID"] == "arXiv:1711.02132"
    assert "arXiv:" not in preprint["extra"]
    assert items["dai2020contextaware"]["DOI"] == "10.1145/3366423.3380258"


def test_a_zotero_7_members_key_line_is_read_and_kept_in_step(
    pushed: ZoteroServer, project: Path
) -> None:
    """A member on Zotero 7 files a paper with its key on a ``Citation Key:`` line only, and
    another member's extra repeats a key line around a note: the key is read from the line,
    the native field set, one line left, the members' other lines untouched."""
    filed = file_in_zotero(
        pushed,
        project,
        {
            "itemType": "preprint",
            "title": "Perceiver: General Perception with Iterative Attention",
            "creators": [
                {"creatorType": "author", "firstName": "Andrew", "lastName": "Jaegle"},
                {"creatorType": "author", "firstName": "Felix", "lastName": "Gimeno"},
            ],
            "url": "https://example.org/perceiver",  # no identity but the key
            "date": "2021",
            "extra": "Citation Key: jaegle2021perceiver\nto read",
        },
    )
    edit_list(
        project,
        "### Papers\n- **Attention is All you Need**",
        f"### Papers\n{PERCEIVER}- **Attention is All you Need**",
    )
    other = make_zotero(pushed)
    jain = next(
        i for i in other.everything(other.top()) if i["data"]["citationKey"] == "jain2019attention"
    )["data"]
    jain["extra"] = (
        "Citation Key: jain2019attention\nread in week 3\n" + jain["extra"]
    )  # a second key line, before the one atbib wrote
    other.update_item(jain)
    summary = run("push", pushed)
    assert summary.ok and summary.created == 0
    assert [n.item for n in summary.notices if n.code == "adopted"] == [filed]
    assert [c.field for c in summary.conflicts] == ["url"]  # left for the members to settle
    perceiver = other.item(filed)["data"]
    assert perceiver["citationKey"] == "jaegle2021perceiver"
    assert perceiver["extra"] == "Citation Key: jaegle2021perceiver\nto read"  # in step
    assert other.item(jain["key"])["data"]["extra"] == (
        "read in week 3\nCitation Key: jain2019attention\narXiv: 1902.10186"
    )
    assert run("sync", pushed).requests == 1


def roots(server: ZoteroServer) -> list[str]:
    with server.lock:
        return sorted(c.name for c in server.library.collections.values() if c.parent is None)


def test_the_root_collection_is_named_after_the_list(
    project: Path, zotero_server: ZoteroServer
) -> None:
    """By default the list's title (its first # heading); [tool.atbib] zotero-collection or
    the option name another. A title edited later keeps the tree the last sync made."""
    edit_list(project, "# ATPapers\n", "# Attention Papers\n")
    assert run("push", zotero_server).ok
    assert roots(zotero_server) == ["Attention Papers"]
    edit_list(project, "# Attention Papers\n", "# Papers on Attention\n")
    assert run("sync", zotero_server).requests == 1
    pyproject = project / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text("utf-8") + 'zotero-collection = "Reading Group"\n', "utf-8"
    )
    configured = zsync.configured_settings(state_file="other.json")
    summary = zsync.run("push", configured, client_factory=factory(zotero_server))
    assert summary.ok and roots(zotero_server) == ["Attention Papers", "Reading Group"]
    summary = run("push", zotero_server, root="Elsewhere", state_file="third.json")
    assert summary.ok and "Elsewhere" in roots(zotero_server)


def test_request_counts(pushed: ZoteroServer, project: Path) -> None:
    """The four numbers the issue asks for (the full push is in the test above)."""
    noop = run("sync", pushed)
    assert (noop.requests, noop.unchanged) == (1, 326)  # unchanged library

    other = make_zotero(pushed)
    item = next(
        i for i in other.everything(other.top()) if i["data"]["citationKey"] == "jain2019attention"
    )
    item["data"]["title"] = "Attention is not Explanation (v2)"
    other.update_item(item["data"])
    remote_edit = run("sync", pushed)
    assert (remote_edit.rewritten, remote_edit.requests, remote_edit.unchanged) == (1, 4, 325)

    readme = project / "README.md"
    readme.write_text(
        readme.read_text(encoding="utf-8").replace(
            "**Is Attention Interpretable?**", "**Is Attention Interpretable**"
        ),
        encoding="utf-8",
    )
    local_edit = run("sync", pushed)
    assert (local_edit.updated, local_edit.requests) == (1, 3)
    assert run("sync", pushed).requests == 1


def test_noop_sync_changes_nothing(pushed: ZoteroServer, project: Path) -> None:
    files = {p: p.read_bytes() for p in project.rglob("*") if p.is_file()}
    summary = run("sync", pushed)
    assert summary.ok and summary.requests == 1
    assert [(r.method, r.path) for r in pushed.requests] == [("GET", f"/groups/{GROUP}/items/top")]
    assert {p: p.read_bytes() for p in project.rglob("*") if p.is_file()} == files


def test_pull_after_another_member_adds_edits_and_deletes(
    pushed_as_listed: ZoteroServer, project: Path
) -> None:
    other = make_zotero(pushed_as_listed)  # a second, plain pyzotero client
    state = load_state(project / "zotero-sync.json")
    papers = next(k for k, p in tree_paths(state).items() if p == ("Transformer", "Papers"))
    template = other.item_template("preprint")
    template.update(
        title="Perceiver: General Perception with Iterative Attention",
        creators=[
            {"creatorType": "author", "firstName": "Andrew", "lastName": "Jaegle"},
            {"creatorType": "author", "firstName": "Felix", "lastName": "Gimeno"},
        ],
        date="2021-03-04",
        url="https://arxiv.org/abs/2103.03206",
        repository="arXiv",
        extra="code: https://github.com/deepmind/deepmind-research",
        collections=[papers],
    )
    created = other.create_items([template])
    assert created["successful"]
    everything = {i["data"]["citationKey"]: i["data"] for i in other.everything(other.top())}
    edited = everything["vaswani2017attention"]
    edited["title"] = "Attention Is All You Need (NeurIPS)"
    edited["creators"] = edited["creators"][:2]
    edited["conferenceName"] = "NeurIPS 2017"
    edited["url"] = "https://papers.nips.cc/paper/7181-attention-is-all-you-need"
    edited["extra"] = "code: https://github.com/tensorflow/tensor2tensor"
    other.update_item(edited)
    dated = everything["jain2019attention"]
    dated["date"] = "2020"
    other.update_item(dated)
    other.delete_item(everything["serrano2019attention"])

    before = (project / "README.md").read_text(encoding="utf-8").splitlines()
    summary = run("pull", pushed_as_listed)
    assert summary.ok
    assert (summary.added, summary.rewritten, summary.removed) == (1, 2, 0)
    assert [n.code for n in summary.notices] == ["deleted"]
    after = (project / "README.md").read_text(encoding="utf-8").splitlines()
    removed = [line for line in before if line not in after]
    added = [line for line in after if line not in before]
    assert sorted(removed) == sorted(
        [
            next(line for line in before if "**Attention is All you Need**" in line),
            next(line for line in before if "**Attention is not Explanation**" in line),
        ]
    )
    assert sorted(added) == [
        "- **Attention Is All You Need (NeurIPS)**. *Ashish Vaswani, Noam Shazeer*. "
        "(NeurIPS 2017) [[paper]](https://papers.nips.cc/paper/7181-attention-is-all-you-need)"
        "[[code]](https://github.com/tensorflow/tensor2tensor) - ***Transformer***",
        "- **Attention is not Explanation**. *Sarthak Jain, Byron C. Wallace*. (NAACL 2020) "
        "[[paper]](https://arxiv.org/abs/1902.10186)",
        "- **Perceiver: General Perception with Iterative Attention**. *Andrew Jaegle, Felix "
        "Gimeno*. (CoRR 2021) [[paper]](https://arxiv.org/abs/2103.03206)"
        "[[code]](https://github.com/deepmind/deepmind-research)",
    ]
    # the new entry sits at the end of its subsection
    position = after.index(next(line for line in added if "Perceiver" in line))
    assert next(line for line in after[position + 1 :] if line.strip()).startswith("#")
    assert after[position - 1].startswith("- ")
    assert "jaegle2021perceiver" in (project / "bib" / "keys.tsv").read_text(encoding="utf-8")
    assert any("Is Attention Interpretable?" in line for line in after)  # only reported

    # the next sync sends back only what the list derived: the new work's key (and its
    # arXiv id), the conference name that follows the date edited in Zotero, and the key's
    # line in extra, which the member's new extra left out
    assert sorted(run("status", pushed_as_listed).planned) == [
        "zotero: update jaegle2021perceiver (archiveID, citationKey, citationKeyLines)",
        "zotero: update jain2019attention (conferenceName)",
        "zotero: update vaswani2017attention (citationKeyLines)",
    ]
    summary = run("sync", pushed_as_listed)
    assert (summary.updated, summary.created, summary.deleted, summary.added) == (3, 0, 0, 0)
    vaswani = next(
        i for i in server_items(pushed_as_listed) if i["citationKey"] == "vaswani2017attention"
    )
    assert vaswani["extra"] == (
        "Citation Key: vaswani2017attention\ncode: https://github.com/tensorflow/tensor2tensor"
    )
    perceiver = next(
        i for i in server_items(pushed_as_listed) if i["title"].startswith("Perceiver")
    )
    assert perceiver["citationKey"] == "jaegle2021perceiver"

    summary = run("pull", pushed_as_listed, remove_deleted=True)
    assert summary.removed == 1
    text = (project / "README.md").read_text(encoding="utf-8")
    assert "Is Attention Interpretable?" not in text
    assert run("sync", pushed_as_listed).requests == 1
    assert_group_mirrors_list(pushed_as_listed, project)


PERCEIVER = (
    "- **Perceiver: General Perception with Iterative Attention**. *Andrew Jaegle, Felix "
    "Gimeno*. (CoRR 2021) [[paper]](https://arxiv.org/abs/2103.03206)\n"
)


def file_in_zotero(server: ZoteroServer, project: Path, data: dict[str, Any]) -> str:
    """A second member files an item (no citation key) in Transformer / Papers; its key."""
    other = make_zotero(server)
    state = load_state(project / "zotero-sync.json")
    papers = next(k for k, p in tree_paths(state).items() if p == ("Transformer", "Papers"))
    template = other.item_template(data.pop("itemType"))
    template.update(collections=[papers], **data)
    return str(other.create_items([template])["successful"]["0"]["key"])


@pytest.mark.parametrize("mode", ["push", "sync"])
def test_a_work_a_member_already_filed_is_adopted_by_push_as_by_sync(
    pushed: ZoteroServer, project: Path, mode: str
) -> None:
    """No citation key on the item: found by identity (here the arXiv id), linked, and
    reported; never a second item."""
    filed = file_in_zotero(
        pushed,
        project,
        {
            "itemType": "preprint",
            "title": "Perceiver: General Perception with Iterative Attention",
            "creators": [
                {"creatorType": "author", "firstName": "Andrew", "lastName": "Jaegle"},
                {"creatorType": "author", "firstName": "Felix", "lastName": "Gimeno"},
            ],
            "url": "https://arxiv.org/abs/2103.03206",
            "date": "2021",
        },
    )
    edit_list(
        project,
        "### Papers\n- **Attention is All you Need**",
        f"### Papers\n{PERCEIVER}- **Attention is All you Need**",
    )
    summary = run(mode, pushed)
    assert summary.ok and summary.created == 0 and summary.added == 0
    adopted = [n for n in summary.notices if n.code == "adopted"]
    assert [(n.work, n.item) for n in adopted] == [("jaegle2021perceiver", filed)]
    perceivers = [i for i in server_items(pushed) if i["title"].startswith("Perceiver")]
    assert [i["key"] for i in perceivers] == [filed]
    assert perceivers[0]["citationKey"] == "jaegle2021perceiver"
    assert run("sync", pushed).requests == 1
    assert_group_mirrors_list(pushed, project)


def test_a_members_journal_article_stays_a_journal_article(
    pushed: ZoteroServer, project: Path
) -> None:
    """A journal the venue table does not know: the list line names it, bib/extra.bib keeps
    that it is a journal, bib/ exports an @article, the item stays a journalArticle, and no
    sync reports fields a journal article cannot hold."""
    filed = file_in_zotero(
        pushed,
        project,
        {
            "itemType": "journalArticle",
            "title": "Attention in the Wild",
            "creators": [{"creatorType": "author", "firstName": "Ann", "lastName": "Lee"}],
            "date": "2021-05-01",
            "publicationTitle": "Journal of Obscure Studies",
            "volume": "7",
            "url": "https://example.org/attention-in-the-wild",
        },
    )
    summary = run("sync", pushed)
    assert summary.ok and summary.added == 1 and not summary.notices
    line = next(
        line
        for line in (project / "README.md").read_text("utf-8").splitlines()
        if "Attention in the Wild" in line
    )
    assert line == (
        "- **Attention in the Wild**. *Ann Lee*. (Journal of Obscure Studies 2021) "
        "[[paper]](https://example.org/attention-in-the-wild)"
    )
    result = CliRunner().invoke(main, ["export"])
    assert result.exit_code == 0, result.output
    entry = next(
        e for e in (project / "bib" / "all.bib").read_text("utf-8").split("\n@") if "Wild" in e
    )
    assert entry.startswith("article{lee2021attention,")
    assert "journal    = {Journal of Obscure Studies}" in entry and "booktitle" not in entry
    item = make_zotero(pushed).item(filed)["data"]
    assert item["itemType"] == "journalArticle" and item["volume"] == "7"
    assert item["publicationTitle"] == "Journal of Obscure Studies"
    assert item["citationKey"] == "lee2021attention"
    for _ in range(2):
        again = run("sync", pushed)
        assert (again.requests, again.notices) == (1, ())
    assert_group_mirrors_list(pushed, project)


def test_a_field_the_item_type_cannot_hold_is_reported_once(
    pushed_as_listed: ZoteroServer, project: Path
) -> None:
    """A member made a conference paper a thesis, which holds no conference: the list line
    keeps the year, so the list now gives an arXiv paper's fields, which a thesis cannot
    hold either. Said once, then recorded as settled."""
    other = make_zotero(pushed_as_listed)
    item = next(
        i for i in other.everything(other.top()) if i["data"]["citationKey"] == "jain2019attention"
    )["data"]
    other.update_item(
        {
            "key": item["key"],
            "version": item["version"],
            "itemType": "thesis",
            "conferenceName": "",
            "proceedingsTitle": "",
        }
    )
    summary = run("sync", pushed_as_listed)
    assert summary.ok and summary.rewritten == 1
    assert [n.message for n in summary.notices] == [
        "jain2019attention: a Zotero thesis has no field archiveID, repository; not sent"
    ]
    assert other.item(item["key"])["data"]["itemType"] == "thesis"  # the member's choice
    for _ in range(2):
        again = run("sync", pushed_as_listed)
        assert (again.requests, again.notices) == (1, ())


def add_member_data(server: ZoteroServer, cite: str) -> tuple[str, str]:
    """What group members add to a work's item: a tag, a note, their own collection. The
    item's key and that collection's."""
    other = make_zotero(server)
    item = next(i for i in other.everything(other.top()) if i["data"]["citationKey"] == cite)
    own = other.create_collections([{"name": "Our reading group"}])["successful"]["0"]["key"]
    data = dict(item["data"])
    data["tags"] = [{"tag": "to-read"}]
    data["collections"] = [*data["collections"], own]
    other.update_item(data)
    note = other.item_template("note")
    note["note"] = "<p>discussed on Friday</p>"
    assert other.create_items([note], parentid=item["key"])["successful"]
    return item["key"], own


def assert_member_data_kept(server: ZoteroServer, key: str, own: str, cite: str) -> None:
    other = make_zotero(server)
    data = other.item(key)["data"]
    assert data["citationKey"] == cite
    assert [line for line in data["extra"].split("\n") if line.startswith("Citation Key")] == [
        f"Citation Key: {cite}"
    ]
    assert data["tags"] == [{"tag": "to-read"}] and own in data["collections"]
    assert [c["data"]["note"] for c in other.children(key)] == ["<p>discussed on Friday</p>"]


def test_a_key_edited_in_the_registry_renames_the_item(pushed: ZoteroServer, project: Path) -> None:
    """bib/keys.tsv: "edit a key here to rename it everywhere". The group's item follows the
    new key; it is never deleted and created again, so what members added stays."""
    key, own = add_member_data(pushed, "vaswani2017attention")
    registry = project / "bib" / "keys.tsv"
    text = registry.read_text("utf-8")
    registry.write_text(text.replace("vaswani2017attention\t", "vaswani2017transformer\t"), "utf-8")
    summary = run("sync", pushed)
    assert summary.ok and (summary.created, summary.deleted, summary.updated) == (0, 0, 1)
    assert [(n.code, n.work, n.item) for n in summary.notices] == [
        ("renamed", "vaswani2017transformer", key)
    ]
    assert_member_data_kept(pushed, key, own, "vaswani2017transformer")
    assert run("sync", pushed).requests == 1
    assert_group_mirrors_list(pushed, project)


def test_a_rekeyed_work_that_keeps_its_old_key_as_an_alias_keeps_its_item(
    pushed_as_listed: ZoteroServer, project: Path
) -> None:
    """A work re-keyed once its authors are known (bert2019pretraining -> devlin2019bert),
    the old key still valid as an alias (biblatex's ids): its item follows it, found by the
    alias."""
    key, own = add_member_data(pushed_as_listed, "bert2019pretraining")
    edit_list(
        project,
        "[[paper]](https://www.aclweb.org/anthology/N19-1423)",
        "[[paper]](https://www.aclweb.org/anthology/N19-1423)"
        "[[arXiv]](https://arxiv.org/abs/1810.04805)",
    )
    registry = project / "bib" / "keys.tsv"
    registry.write_text(
        registry.read_text("utf-8")
        + "devlin2019bert\tacl:N19-1423 arxiv:1810.04805\tbert pre training of deep "
        "bidirectional transformers for language understanding\n",
        "utf-8",
    )
    rows = read_registry(registry.read_text("utf-8"))
    works, _ = collect_works(read_markdown(project / "README.md"), rows)
    bert = next(w for w in works if w.key == "devlin2019bert")
    assert bert.aliases == ("bert2019pretraining",)  # what export writes as ids
    summary = run("push", pushed_as_listed)
    assert summary.ok and (summary.created, summary.deleted, summary.updated) == (0, 0, 1)
    assert [(n.code, n.work, n.item) for n in summary.notices] == [
        ("renamed", "devlin2019bert", key)
    ]
    assert_member_data_kept(pushed_as_listed, key, own, "devlin2019bert")
    assert run("sync", pushed_as_listed).requests == 1
    assert_group_mirrors_list(pushed_as_listed, project)


def test_a_work_rekeyed_by_fill_keeps_its_item(
    pushed_as_listed: ZoteroServer, project: Path
) -> None:
    """`atbib fill` gives BERT its authors and re-keys it (bert2019pretraining ->
    devlin2019bert, the old key a renamed: row of the registry): the next push updates the
    group's item, members' tags, note and collections kept."""
    import subprocess
    import sys

    key, own = add_member_data(pushed_as_listed, "bert2019pretraining")
    (project / "acl.bib").write_text(
        "@inproceedings{devlin-etal-2019-bert,\n"
        "  author = {Devlin, Jacob and Chang, Ming-Wei and Lee, Kenton and Toutanova, Kristina},\n"
        "  title = {BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding},\n"
        "  booktitle = {Proceedings of the 2019 Conference of the North American Chapter of the "
        "Association for Computational Linguistics},\n  year = {2019},\n  pages = {4171--4186},\n"
        "  url = {https://aclanthology.org/N19-1423/}\n}\n",
        "utf-8",
    )
    done = subprocess.run(
        [sys.executable, "-m", "atbib", "fill", "--offline", "--from", "acl.bib"],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "bert2019pretraining\trenamed:devlin2019bert" in (
        project / "bib" / "keys.tsv"
    ).read_text("utf-8")
    summary = run("push", pushed_as_listed)
    assert summary.ok and (summary.created, summary.deleted) == (0, 0)
    assert ("renamed", "devlin2019bert", key) in [(n.code, n.work, n.item) for n in summary.notices]
    assert_member_data_kept(pushed_as_listed, key, own, "devlin2019bert")
    assert run("sync", pushed_as_listed).requests == 1


def test_a_conflict_is_listed_and_left_until_settled(pushed: ZoteroServer, project: Path) -> None:
    other = make_zotero(pushed)
    item = next(
        i for i in other.everything(other.top()) if i["data"]["citationKey"] == "jain2019attention"
    )["data"]
    item["title"] = "Attention is not Explanation (Zotero)"
    other.update_item(item)
    readme = project / "README.md"
    readme.write_text(
        readme.read_text(encoding="utf-8").replace(
            "**Attention is not Explanation**", "**Attention is not Explanation (list)**"
        ),
        encoding="utf-8",
    )
    summary = run("sync", pushed)
    assert [(c.work, c.field, c.local, c.remote) for c in summary.conflicts] == [
        (
            "jain2019attention",
            "title",
            "Attention is not Explanation (list)",
            "Attention is not Explanation (Zotero)",
        )
    ]
    assert (summary.updated, summary.rewritten) == (0, 0)
    assert "Explanation (list)**" in readme.read_text(encoding="utf-8")
    assert other.item(item["key"])["data"]["title"] == "Attention is not Explanation (Zotero)"

    summary = run("sync", pushed, prefer="zotero")
    assert summary.conflicts[0].resolved == "zotero" and summary.rewritten == 1
    assert "Explanation (Zotero)**" in readme.read_text(encoding="utf-8")
    assert not run("sync", pushed).conflicts
    assert_group_mirrors_list(pushed, project)


def test_dry_run_and_status_write_nothing(pushed: ZoteroServer, project: Path) -> None:
    readme = project / "README.md"
    readme.write_text(
        readme.read_text(encoding="utf-8").replace("Yoshua Bengio", "Y. Bengio"), encoding="utf-8"
    )
    other = make_zotero(pushed)
    item = next(
        i for i in other.everything(other.top()) if i["data"]["citationKey"] == "jain2019attention"
    )["data"]
    item["shortTitle"] = "NotExpl"
    other.update_item(item)
    pushed.clear_log()
    files = {p: p.read_bytes() for p in project.rglob("*") if p.is_file()}
    for mode, kw in (("status", {}), ("sync", {"dry_run": True}), ("push", {"dry_run": True})):
        summary = run(mode, pushed, **kw)
        assert summary.dry_run and summary.planned
    assert pushed.count("POST") == pushed.count("DELETE") == 0
    assert {p: p.read_bytes() for p in project.rglob("*") if p.is_file()} == files
    status = run("status", pushed)
    assert "list: rewrite jain2019attention (nickname) from Zotero" in status.planned
    assert any(p.startswith("zotero: update") and "creators" in p for p in status.planned)


def test_works_and_sections_removed_from_the_list_leave_the_group(
    pushed: ZoteroServer, project: Path
) -> None:
    """Deletes go 50 keys a request with the library version, after a racing writer's 412
    has been pulled and merged."""
    text = (project / "README.md").read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    start = lines.index("### Chinese Blog\n", lines.index("## Attention\n"))
    end = next(i for i in range(start + 1, len(lines)) if lines[i].startswith("#"))
    doomed = [line for line in lines[start + 1 : end] if line.startswith("- ")]
    (project / "README.md").write_text("".join(lines[:start] + lines[end:]), encoding="utf-8")
    pushed.faults.race(
        lambda lib: lib.add_item(
            {"itemType": "webpage", "title": "Elsewhere", "url": "https://e.x/"}
        ),
        1,
        method="DELETE",
    )
    before = len(server_items(pushed))
    summary = run("push", pushed)
    assert summary.ok and summary.deleted == len(doomed) and summary.collections_deleted == 1
    deletes = [r for r in pushed.request_log if r.method == "DELETE"]
    assert [r.status for r in deletes] == [412, 204, 204]  # raced, then items, collection
    assert deletes[1].query["itemKey"].count(",") == len(doomed) - 1
    lmv = int(pushed.request_log[deletes[1].index - 1].response_headers["Last-Modified-Version"])
    assert int(deletes[1].headers["if-unmodified-since-version"]) == lmv
    assert len(server_items(pushed)) == before - len(doomed) + 1
    assert_group_mirrors_list(pushed, project)
    assert run("sync", pushed).requests == 1


def test_an_item_with_the_groups_notes_is_never_deleted(
    pushed: ZoteroServer, project: Path
) -> None:
    other = make_zotero(pushed)
    item = next(
        i for i in other.everything(other.top()) if i["data"]["citationKey"] == "jain2019attention"
    )
    note = other.item_template("note")
    note["note"] = "<p>our reading group notes</p>"
    assert other.create_items([note], parentid=item["key"])["successful"]
    edit_list(
        project,
        next(
            line
            for line in (project / "README.md").read_text("utf-8").splitlines(keepends=True)
            if "**Attention is not Explanation**" in line
        ),
        "",
    )
    summary = run("push", pushed)
    assert summary.ok and summary.deleted == 0
    assert [n.code for n in summary.notices] == ["kept-children"]
    kept = other.item(item["key"])["data"]
    assert kept["collections"] == []
    assert len(other.children(item["key"])) == 1
    assert_group_mirrors_list(pushed, project)
    assert run("sync", pushed).requests == 1


def test_a_linked_url_attachment_is_left_alone(pushed: ZoteroServer, project: Path) -> None:
    """A member's link attachment is no work: never listed, never written, never deleted
    (its item is only taken out of the list's collections)."""
    other = make_zotero(pushed)
    item = next(
        i for i in other.everything(other.top()) if i["data"]["citationKey"] == "jain2019attention"
    )
    link = other.item_template("attachment", "linked_url")
    link.update(title="Slides", url="https://example.org/slides.pdf")
    added = other.create_items([link], parentid=item["key"])["successful"]["0"]
    readme = (project / "README.md").read_bytes()
    summary = run("sync", pushed)
    assert summary.ok and (summary.added, summary.rewritten, summary.updated) == (0, 0, 0)
    assert (project / "README.md").read_bytes() == readme
    edit_list(
        project,
        next(
            line
            for line in (project / "README.md").read_text("utf-8").splitlines(keepends=True)
            if "**Attention is not Explanation**" in line
        ),
        "",
    )
    summary = run("push", pushed)
    assert summary.ok and summary.deleted == 0
    assert [n.code for n in summary.notices] == ["kept-children"]
    assert other.item(added["key"])["version"] == added["version"]  # never written
    assert run("sync", pushed).requests == 1


def test_a_429_or_503_without_retry_after_waits_by_the_clients_own_backoff(
    project: Path, zotero_server: ZoteroServer
) -> None:
    zotero_server.faults.unavailable(1, retry_after=None, method="GET")
    zotero_server.faults.rate_limit(2, retry_after=None, method="POST", path=r"/items$")
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        time.sleep(seconds)

    def make(group: int) -> ZoteroClient:
        return ZoteroClient(make_zotero(zotero_server), policy=FAST, sleep=sleep)

    summary = run("push", zotero_server, client_factory=make)
    assert summary.ok and summary.created == 326
    # the read waits the first delay; the write the first, then twice as long
    assert waits == [FAST.base_delay, FAST.base_delay, 2 * FAST.base_delay]
    statuses = [r.status for r in zotero_server.request_log]
    assert statuses[:2] == [503, 200] and statuses.count(429) == 2
    assert_group_mirrors_list(zotero_server, project)


def test_retries_are_bounded_and_nothing_is_half_counted(
    project: Path, zotero_server: ZoteroServer
) -> None:
    zotero_server.faults.unavailable(10, retry_after=0.01, method="POST", path=r"/items$")
    policy = RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.02)
    summary = run("push", zotero_server, client_factory=factory(zotero_server, policy=policy))
    assert summary.failures == (
        "writing 50 items failed after 3 attempts (127.0.0.1 answered HTTP 503)",
    )
    assert (summary.collections_created, summary.created) == (24, 0)  # what was done
    assert zotero_server.count("POST", r"/items$") == 3
    assert server_items(zotero_server) == []
    zotero_server.faults.clear()
    summary = run("push", zotero_server)
    assert summary.ok and summary.created == 326
    assert_group_mirrors_list(zotero_server, project)


def test_per_object_failures_are_reported_never_counted(
    pushed: ZoteroServer, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A 200 reply whose report fails one object: the others are done, that one is
    reported, not counted, not recorded, and sent again by the next run."""
    edit_list(project, "**Attention is not Explanation**", "**Attention is not Explanation!**")
    edit_list(project, "**Is Attention Interpretable?**", "**Is Attention Interpretable?!**")
    payload = ItemWrite.payload

    def broken(self: ItemWrite) -> dict[str, Any]:
        data = payload(self)
        return {**data, "notAField": "x"} if self.work == "jain2019attention" else data

    monkeypatch.setattr(ItemWrite, "payload", broken)
    summary = run("sync", pushed)
    assert summary.updated == 1
    assert summary.failures == (
        "Zotero refused jain2019attention: 400 Invalid property 'notAField'",
    )
    assert pushed.count("POST", r"/items$") == 1
    monkeypatch.setattr(ItemWrite, "payload", payload)
    summary = run("sync", pushed)
    assert summary.ok and summary.updated == 1
    assert_group_mirrors_list(pushed, project)


# -- interrupted pushes ------------------------------------------------------------------------------

FAULTS: dict[str, Callable[[ZoteroServer], Any]] = {
    "rate_limit": lambda s: s.faults.rate_limit(2, retry_after=0.2, method="POST"),
    "rate_limit_reads": lambda s: s.faults.rate_limit(2, retry_after=0.1, method="GET"),
    "unavailable": lambda s: s.faults.unavailable(2, retry_after=0.1, method="POST"),
    "backoff": lambda s: s.faults.backoff(0.2, 2, method="POST"),
    "drop_after_write": lambda s: s.faults.drop_after_write(2, method="POST", path=r"/items$"),
    "drop_after_collections": lambda s: s.faults.drop_after_write(1, path=r"/collections$"),
    "drop": lambda s: s.faults.drop(2, method="POST"),
    "timeout": lambda s: s.faults.delay(1.0, 1, method="POST", path=r"/items$"),
    "race": lambda s: s.faults.race(_racing_writer, 1, method="POST", path=r"/items$"),
}


def _racing_writer(library: Any) -> None:
    """A second member adds an item in the list's tree just before one of our writes."""
    root = next((c for c in library.collections.values() if c.parent is None), None)
    subs = [c for c in library.collections.values() if root and c.parent == root.key]
    if not subs:
        return
    library.add_item(
        {
            "itemType": "webpage",
            "title": "Raced In",
            "url": "https://race.example/",
            "collections": [subs[0].key],
        }
    )


@pytest.mark.parametrize("fault", list(FAULTS))
def test_an_interrupted_push_converges(
    project: Path, zotero_server: ZoteroServer, fault: str
) -> None:
    injected = FAULTS[fault](zotero_server)
    # Only the timeout case needs a short timeout. With it everywhere, a loaded machine made
    # ordinary writes time out too: in the backoff case the server could then send a Backoff
    # the client never read, and its retry "did not honour" it (a flaky failure).
    seconds = 0.5 if fault == "timeout" else 10
    policy = RetryPolicy(base_delay=0.01, max_delay=0.05, write_timeout=seconds)
    make = factory(zotero_server, policy=policy, timeout=seconds)
    first = run("push", zotero_server, client_factory=make)
    assert injected.fired >= 1
    assert first.ok and first.created == 326  # retried within the run
    second = run("sync", zotero_server, client_factory=make)
    assert second.ok, second.failures
    assert zotero_server.unhonoured_waits() == []
    if fault == "race":
        text = (project / "README.md").read_text(encoding="utf-8")
        assert "[Raced In](https://race.example/)" in text
    assert_group_mirrors_list(zotero_server, project)
    assert run("sync", zotero_server, client_factory=make).requests == 1


def test_waits_are_judged_from_before_the_response_is_sent(
    project: Path, zotero_server: ZoteroServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The flaky backoff case, made deterministic: a server thread descheduled between
    writing a response and reading the clock (a loaded machine) must not make a client that
    honoured Backoff look as if it had not."""
    send = ZoteroServer._send

    def slow_after_sending(self: ZoteroServer, handler: Any, method: str, resp: Any) -> None:
        send(self, handler, method, resp)
        if "Backoff" in resp.headers:
            time.sleep(0.15)  # descheduled right after the write

    monkeypatch.setattr(ZoteroServer, "_send", slow_after_sending)
    injected = zotero_server.faults.backoff(0.2, 2, method="POST")
    summary = run("push", zotero_server)
    assert injected.fired == 2 and summary.ok and summary.created == 326
    assert len(zotero_server.faults.waits) == 2
    assert zotero_server.unhonoured_waits() == []


def edit_list(project: Path, old: str, new: str) -> None:
    readme = project / "README.md"
    text = readme.read_text(encoding="utf-8")
    assert old in text
    readme.write_text(text.replace(old, new), encoding="utf-8")


def zotero_edit(**changes: Any) -> Callable[[Any], None]:
    """A second writer's edit of jain2019attention, landing just before our write."""

    def mutate(library: Any) -> None:
        item = next(
            i for i in library.items.values() if i.fields.get("citationKey") == "jain2019attention"
        )
        library.update_item(item.key, **changes)

    return mutate


def test_a_racing_edit_of_another_field_is_pulled_merged_and_retried(
    pushed: ZoteroServer, project: Path
) -> None:
    edit_list(project, "**Attention is not Explanation**", "**Attention is not Explanation!**")
    pushed.faults.race(zotero_edit(shortTitle="NotExpl"), 1, method="POST", path=r"/items$")
    summary = run("sync", pushed)
    assert summary.ok and summary.updated == 1 and not summary.conflicts
    assert pushed.count("POST", r"/items$") == 2  # 412 for the stale version, then merged
    item = next(i for i in server_items(pushed) if i["citationKey"] == "jain2019attention")
    assert (item["title"], item["shortTitle"]) == ("Attention is not Explanation!", "NotExpl")
    run("sync", pushed)
    assert "**Attention is not Explanation!**" in (project / "README.md").read_text("utf-8")
    assert "- ***NotExpl***" in (project / "README.md").read_text("utf-8")
    assert_group_mirrors_list(pushed, project)


def test_a_racing_edit_of_the_same_field_becomes_a_conflict(
    pushed: ZoteroServer, project: Path
) -> None:
    edit_list(project, "**Attention is not Explanation**", "**Attention is not Explanation!**")
    pushed.faults.race(zotero_edit(title="Theirs"), 1, method="POST", path=r"/items$")
    summary = run("sync", pushed)
    assert summary.ok and summary.updated == 0
    assert [(c.field, c.local, c.remote) for c in summary.conflicts] == [
        ("title", "Attention is not Explanation!", "Theirs")
    ]
    item = next(i for i in server_items(pushed) if i["citationKey"] == "jain2019attention")
    assert item["title"] == "Theirs"  # never overwritten silently
    assert [c.field for c in run("sync", pushed).conflicts] == ["title"]


def test_a_crash_between_batches_is_finished_by_the_next_run(
    project: Path, zotero_server: ZoteroServer
) -> None:
    class Crash(Exception):
        pass

    class CrashAfter:
        def __init__(self, steps: int) -> None:
            self.left = steps

        def start(self, label: str, total: int) -> None:
            pass

        def advance(self, steps: int) -> None:
            self.left -= steps
            if self.left <= 0:
                raise Crash

        def finish(self) -> None:
            pass

    with pytest.raises(Crash):
        run("push", zotero_server, progress=CrashAfter(24 + 100))
    assert 100 <= len(server_items(zotero_server)) < 326
    summary = run("push", zotero_server)
    assert summary.ok and summary.created + 100 >= 326 - 50
    assert_group_mirrors_list(zotero_server, project)


def test_a_push_whose_answer_was_lost_is_adopted_not_duplicated(
    project: Path, zotero_server: ZoteroServer
) -> None:
    """The server applied the write; the client gave up (attempts=1) and stopped."""
    zotero_server.faults.drop_after_write(1, method="POST", path=r"/items$")
    lost = run("push", zotero_server, client_factory=factory(zotero_server, policy=RetryPolicy(1)))
    assert not lost.ok and lost.created == 0
    state = load_state(project / "zotero-sync.json")
    assert sum(i.pending for i in state.items.values()) == 326  # keys saved before sending
    summary = run("push", zotero_server)
    assert summary.ok and summary.created == 326 - 50
    assert_group_mirrors_list(zotero_server, project)


def test_a_read_only_key_fails_before_anything_is_written(
    project: Path, zotero_server: ZoteroServer
) -> None:
    summary = run("push", zotero_server, client_factory=factory(zotero_server, READONLY_KEY))
    assert len(summary.failures) == 1 and "read-only" in summary.failures[0]
    assert zotero_server.count("POST") == 0
    assert not (project / "zotero-sync.json").exists()
    summary = run("pull", zotero_server, client_factory=factory(zotero_server, READONLY_KEY))
    assert summary.ok  # reading is fine
    # in a sync the pull still happens, and the refusal is reported with its summary
    run("push", zotero_server)
    other = make_zotero(zotero_server)
    item = next(
        i for i in other.everything(other.top()) if i["data"]["citationKey"] == "jain2019attention"
    )["data"]
    item["shortTitle"] = "NotExpl"
    other.update_item(item)
    edit_list(project, "Byron C. Wallace", "Byron Wallace")
    summary = run("sync", zotero_server, client_factory=factory(zotero_server, READONLY_KEY))
    assert summary.rewritten == 1 and len(summary.failures) == 1
    assert "read-only" in summary.failures[0]
    assert "- ***NotExpl***" in (project / "README.md").read_text("utf-8")


# -- a large list ------------------------------------------------------------------------------------


def big_list(works: int) -> str:
    lines = ["# Big list", ""]
    for index in range(works):
        if index % 250 == 0:
            lines.append(f"## Part {index // 250}")
        if index % 50 == 0:
            lines.append(f"### Chapter {index // 50}")
        lines.append(
            f"- **Synthetic Study Number {index} of Attention**. *Ann Smith{index}, Bo Li*. "
            f"(ICLR 2020) [[paper]](https://arxiv.org/abs/2001.{index + 1:05d})"
            f"[[code]](https://github.com/example/repo{index})"
        )
    return "\n".join(lines) + "\n"


def test_a_1000_work_list(project: Path, zotero_server: ZoteroServer) -> None:
    (project / "README.md").write_text(big_list(1000), encoding="utf-8")
    shutil.rmtree(project / "bib")
    summary = run("push", zotero_server)
    assert summary.ok and summary.created == 1000
    assert summary.collections_created == 1 + 4 + 20
    assert summary.requests == 1 + 1 + 1 + 20
    assert run("sync", zotero_server).requests == 1
    assert_group_mirrors_list(zotero_server, project)


# -- the command line, the key, and what gets imported ---------------------------------------------


@pytest.fixture
def canary_server() -> Iterator[ZoteroServer]:
    server = ZoteroServer(
        api_keys={
            "CanaryKey7Q2xZr9Lw": Permission(read=True, write=True),
            "ReadOnlyCanary4Tb": Permission(read=True, write=False),
        }
    )
    server.start()
    try:
        yield server
    finally:
        server.stop()


def cli(args: list[str], key: str | None, server: ZoteroServer) -> Any:
    env = {"ATBIB_ZOTERO_ENDPOINT": server.endpoint}
    if key is not None:
        env["ZOTERO_API_KEY"] = key
    return CliRunner().invoke(main, ["zotero", *args], env=env, catch_exceptions=False)


def test_the_cli_end_to_end(project: Path, canary_server: ZoteroServer) -> None:
    result = cli(["push", "--dry-run"], "CanaryKey7Q2xZr9Lw", canary_server)
    assert result.exit_code == 0, result.output
    assert "zotero: would create vaswani2017attention" in result.output
    assert not (project / "zotero-sync.json").exists()
    result = cli(["push"], "CanaryKey7Q2xZr9Lw", canary_server)
    assert result.exit_code == 0, result.output
    assert "Zotero: 326 created, 0 updated, 0 deleted (24 collections created" in result.output
    assert "; 10 requests" in result.output
    result = cli(["sync"], "CanaryKey7Q2xZr9Lw", canary_server)
    assert result.exit_code == 0 and "; 1 request" in result.output
    result = cli(["status"], "CanaryKey7Q2xZr9Lw", canary_server)
    assert result.exit_code == 0 and "0 conflicts" in result.output


@pytest.fixture
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> RetryPolicy:
    """The command line's own client, with quick retries (the same code, shorter waits)."""
    quick = RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.02)
    monkeypatch.setitem(ZoteroClient.__init__.__kwdefaults__, "policy", quick)
    return quick


@pytest.mark.parametrize("command", ["push", "pull", "sync", "status"])
def test_one_exit_status_rule_for_every_command(
    project: Path, canary_server: ZoteroServer, quick_retries: RetryPolicy, command: str
) -> None:
    """``atbib zotero --help``: 0 done, 1 refused or failed by Zotero (or conflicts left),
    2 bad input. The same refusal gives the same status under every command."""
    key = "CanaryKey7Q2xZr9Lw"
    result = cli([command], "WrongCanary9Zz", canary_server)
    assert result.exit_code == 1, result.output
    assert "error: the API key is not valid (Zotero answered HTTP 403 Invalid key)" in (
        result.output
    )
    canary_server.faults.unavailable(50, retry_after=0.01)
    result = cli([command], key, canary_server)
    assert result.exit_code == 1, result.output
    assert "failed after 3 attempts (127.0.0.1 answered HTTP 503)" in result.output
    canary_server.faults.clear()
    writes = command in ("push", "sync")  # status and pull only read from Zotero
    result = cli([command], "ReadOnlyCanary4Tb", canary_server)
    assert result.exit_code == (1 if writes else 0), result.output
    assert ("error: the API key is read-only for group 12345" in result.output) == writes
    assert cli([command], "", canary_server).exit_code == 2  # no key
    (project / "zotero-sync.json").write_text("{", encoding="utf-8")
    result = cli([command], key, canary_server)
    assert result.exit_code == 2 and "not a valid sync state file" in result.output
    (project / "zotero-sync.json").unlink()
    assert cli([command], key, canary_server).exit_code == 0


def test_messages_say_what_happened(project: Path, canary_server: ZoteroServer) -> None:
    """A dry run says "would" for collections too; progress bars are for terminals only,
    the summary is always printed."""
    result = cli(["push", "--dry-run"], "CanaryKey7Q2xZr9Lw", canary_server)
    assert "(24 collections would be created, 0 would be deleted)" in result.output
    result = cli(["push"], "CanaryKey7Q2xZr9Lw", canary_server)  # standard error is no terminal
    assert result.output.splitlines() == [
        "Zotero: 326 created, 0 updated, 0 deleted (24 collections created, 0 deleted); "
        "list: 0 added, 0 rewritten, 0 removed; 0 unchanged; 0 conflicts; 10 requests"
    ]


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_is_drawn_on_a_terminal() -> None:
    for stream, drawn in ((_Terminal(), True), (io.StringIO(), False)):
        bar = zcli._ProgressBar(stream)
        bar.start("Writing to Zotero", 326)
        bar.advance(326)
        bar.finish()
        assert ("Writing to Zotero" in stream.getvalue()) == drawn


def test_a_fresh_clone_without_the_state_file_adopts_the_group(
    project: Path, canary_server: ZoteroServer
) -> None:
    assert cli(["push"], "CanaryKey7Q2xZr9Lw", canary_server).exit_code == 0
    (project / "zotero-sync.json").unlink()
    result = cli(["sync"], "CanaryKey7Q2xZr9Lw", canary_server)
    assert result.exit_code == 0, result.output
    assert "Zotero: 0 created, 0 updated, 0 deleted; list: 0 added" in result.output
    assert "note: ... and 316 more like these (adopted; -v shows them all)" in result.output
    with canary_server.lock:
        assert len(canary_server.library.items) == 326
        assert len(canary_server.library.collections) == 24
    result = cli(["sync", "--group", "999"], "CanaryKey7Q2xZr9Lw", canary_server)
    assert result.exit_code == 2 and "records a sync with group 12345, not 999" in result.output


def test_the_api_key_never_leaves_the_process(
    project: Path, canary_server: ZoteroServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    canary = "CanaryKey7Q2xZr9Lw"
    outputs = []
    result = cli(["push"], "ReadOnlyCanary4Tb", canary_server)  # 1 clear error
    assert result.exit_code == 1
    error, summary = result.output.strip().splitlines()
    assert "read-only" in error and summary.startswith("Zotero: 0 created")
    outputs.append(result.output)
    for args in (["push"], ["sync"], ["status"], ["pull", "--dry-run"]):
        result = cli(args, canary, canary_server)
        assert result.exit_code == 0, result.output
        outputs.append(result.output)
    result = cli(["sync"], "WrongCanary9Zz", canary_server)  # refused key
    assert result.exit_code == 1
    outputs.append(result.output)

    def explode(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError(f"boom with {canary} inside")

    monkeypatch.setattr(zsync, "plan_push", explode)
    result = cli(["push"], canary, canary_server)
    assert result.exit_code == 3 and "****" in result.output and "Traceback" in result.output
    outputs.append(result.output)
    for text in outputs:
        assert canary not in text and "ReadOnlyCanary4Tb" not in text
        assert "WrongCanary9Zz" not in text
    for path in project.rglob("*"):
        if path.is_file():
            assert canary.encode() not in path.read_bytes(), path


def test_no_key_is_one_clear_error(
    project: Path, zotero_server: ZoteroServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "keyring", None)  # the keyring extra is not installed
    result = CliRunner().invoke(main, ["zotero", "pull"], env={"ZOTERO_API_KEY": ""})
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        "atbib: error: no Zotero API key: set ZOTERO_API_KEY, or store one with "
        "`keyring set atbib zotero-api-key` after `pip install 'atbib[keyring]'`"
    ]


def test_the_key_can_come_from_the_system_keyring(monkeypatch: pytest.MonkeyPatch) -> None:
    class FakeKeyring:
        @staticmethod
        def get_password(service: str, user: str) -> str | None:
            return "FromKeyring123" if (service, user) == ("atbib", "zotero-api-key") else None

    monkeypatch.delenv("ZOTERO_API_KEY", raising=False)
    monkeypatch.setitem(sys.modules, "keyring", FakeKeyring)
    assert zsync.api_key() == "FromKeyring123"
    assert mask("x FromKeyring123 y") == "x **** y"


def test_the_group_comes_from_the_config_or_the_option(project: Path) -> None:
    (project / "pyproject.toml").write_text("[tool.atbib]\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["zotero", "status"], env={"ZOTERO_API_KEY": "K"})
    assert result.exit_code == 2
    assert "pass --group or set [tool.atbib] zotero-group" in result.output


def test_check_and_import_never_load_pyzotero_or_an_http_client(project: Path) -> None:
    code = textwrap.dedent(
        """
        import sys
        import atbib, atbib.cli
        from atbib.cli import main
        try:
            main(["check"])
        except SystemExit:
            pass
        heavy = [m for m in sys.modules if m.split(".")[0] in ("pyzotero", "httpx", "httpx2",
                 "httpcore", "feedparser", "bibtexparser")]
        print("HEAVY:" + ",".join(heavy))
        """
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code],
        capture_output=True,
        text=True,
        cwd=project,
        env=env,
        check=True,
    )
    assert "bib/ is up to date" in done.stdout  # atbib check really ran
    assert done.stdout.strip().splitlines()[-1] == "HEAVY:"
    imported = [line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines()]
    assert not [m for m in imported if m.startswith(("pyzotero", "httpx"))]
    assert "atbib.zotero.cli" in imported  # the command is registered, cheaply


# -- opt-in live test -------------------------------------------------------------------------------

LIVE = os.environ.get("ZOTERO_API_KEY") and os.environ.get("ZOTERO_TEST_GROUP")


@pytest.mark.skipif(
    not LIVE, reason="live Zotero test: set ZOTERO_API_KEY and ZOTERO_TEST_GROUP to run it"
)
def test_live_round_trip_against_api_zotero_org(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pushes a three-work list into a throw-away collection tree of the test group, syncs,
    then deletes what it made."""
    group = int(os.environ["ZOTERO_TEST_GROUP"])
    monkeypatch.delenv("ATBIB_ZOTERO_ENDPOINT", raising=False)
    text = read_markdown(ROOT / "README.md")
    lines = ["# Live", "## Attention", "### Papers"]
    lines += [item.text for item in text.items[:3]]
    (tmp_path / "README.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text("[tool.atbib]\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    root = f"atbib-live-{os.getpid()}"
    settings = zsync.Settings(group=group, root=root)
    summary = zsync.run("push", settings)
    assert summary.ok and summary.created == 3
    assert zsync.run("sync", settings).requests == 1
    (tmp_path / "README.md").write_text("# Live\n", encoding="utf-8")
    summary = zsync.run("push", settings)
    assert summary.deleted == 3
    state = json.loads((tmp_path / "zotero-sync.json").read_text(encoding="utf-8"))
    client = zsync.connect(group)
    client.delete("collections", list(state["collections"]), state["library_version"])
