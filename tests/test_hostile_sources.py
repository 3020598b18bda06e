"""Hostile text from Zotero or a .bib file cannot break the list, add lines or plant active
content.

Through the real commands on a copy of the real project: a second, plain pyzotero client adds
items to the group on the local server (tests/zoteroapi) whose titles, names, nicknames,
descriptions, URLs, links and collection names hold ``]``, ``)``, ``*``, ``_``, ``<script>``,
``javascript:``/``data:``/``vbscript:`` URLs (however disguised), line breaks, a fake
``## Heading`` or ``- [x](y)``, then ``atbib zotero pull`` runs; or ``atbib import`` reads a
.bib file holding the same. Then the list is read back:

* every line that was there is still there, byte for byte and in order; the only new lines are
  one per new entry (and one per heading of a new section);
* every new line is an entry that reads back as the record the source gave (text with line
  breaks written as spaces, URLs made inert and percent-encoded as the list writes them:
  docs/reliability.md);
* nothing in a new line is active: no raw HTML tag, no link to a ``javascript:``, ``data:`` or
  ``vbscript:`` address;
* the next sync changes nothing more (it converges), and ``atbib export`` writes readable
  .bib files.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from atbib import load_bibtex, read_markdown
from atbib.cli import main
from atbib.markdown.entry import UNTITLED
from atbib.model import Record
from atbib.urls import clean_url, is_active_url
from atbib.zotero.mapping import item_fields, record_from_fields
from atbib.zotero.plan import tree_paths
from atbib.zotero.state import load_state
from tests.conftest import copy_of_this_list
from tests.zoteroapi import DEFAULT_KEY, ZoteroServer, make_zotero

GROUP = 12345
FAKE = "\n## Heading\n- [x](y)\n"
ACTIVE = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(document.cookie)",
    " java\tscript:alert(1)",
    "jav&#x61;script:alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vbscript:msgbox(1)",
]
HOSTILE = [
    "Brackets ] and ) and *stars* and _under_ [[x]](y)",
    '<script>alert("x")</script> and <img src=x onerror=alert(1)>',
    f"A fake heading{FAKE}and more",
    "- [x](javascript:alert(1))",
    "**bold** `code` ~~strike~~ \\*escaped\\* &lt;entity&gt; &#60;script&#62;",
    "# Not a heading",
    "1. Not a list",
    "Ends with a link [[paper]](https://evil.example/)",
    "Nick - ***Fake***",
    "Line\r\nbreaks\rand\ttabs",
    "注意力 😀 e\u0301 （全角）",
]


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    copy_of_this_list(tmp_path, GROUP)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def cli(*args: str, server: ZoteroServer | None = None) -> Any:
    env = {"ZOTERO_API_KEY": DEFAULT_KEY}
    if server is not None:
        env["ATBIB_ZOTERO_ENDPOINT"] = server.endpoint
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


# -- what the list must look like afterwards --------------------------------------------------


def flat(text: str) -> str:
    """Text as a list line holds it: line breaks and tabs written as spaces."""
    return re.sub(r"[\r\n\t\f\v\x00]+", " ", text).strip()


def as_listed(record: Record) -> tuple[object, ...]:
    """What a list line says of a record (see docs/reliability.md for the transformations)."""
    return (
        flat(record.title) or UNTITLED,
        tuple((flat(p.given), flat(p.von), flat(p.family), flat(p.jr)) for p in record.authors),
        flat(record.venue.text) if record.venue else None,
        clean_url(record.url),
        tuple((flat(link.label), clean_url(link.url)) for link in record.links),
        flat(record.nickname),
        flat(record.description),
        flat(record.source),
    )


_LINK_TARGET = re.compile(r"\]\(([^)]*)\)")
_TAG = re.compile(r"<[A-Za-z/!?]")


def assert_nothing_active(line: str) -> None:
    """No link to an active address and no raw HTML: escaped characters (``\\]``) are text,
    so they are blanked out before looking for link syntax."""
    blank = re.sub(r"\\.", "__", line)
    for match in _LINK_TARGET.finditer(blank):
        target = line[match.start(1) : match.end(1)]
        assert not is_active_url(target), (target, line)
    assert not _TAG.search(blank), line  # every "<" that could open a tag is escaped


def new_lines_only(before: list[str], after: list[str]) -> list[tuple[int, str]]:
    """The lines of ``after`` that are not ``before``'s, when ``before`` is all there in
    order, byte for byte (fails otherwise)."""
    added: list[tuple[int, str]] = []
    i = 0
    for number, line in enumerate(after):
        if i < len(before) and line == before[i]:
            i += 1
        else:
            added.append((number, line))
    assert i == len(before), f"line {i + 1} of the list changed or went: {before[i]!r}"
    return added


# -- Zotero -----------------------------------------------------------------------------------


def _hostile_items(other: Any, collections: dict[str, str]) -> list[dict[str, Any]]:
    """Items of every shape the pull turns into entries, hostile in every field."""
    papers = collections["papers"]
    items = []

    def active(n: int) -> str:  # one address per item: the same one would be the same work
        return f"{ACTIVE[n % len(ACTIVE)]}//{n}"

    for n, text in enumerate(HOSTILE):
        url = active(n) if n % 2 else f"https://example.org/{n}?q=a b<c>"
        paper = other.item_template("preprint" if n % 3 else "conferencePaper")
        paper.update(
            title=f"Paper {n}: {text}",
            creators=[
                {"creatorType": "author", "firstName": f"Eve{n} ]*(", "lastName": text[:40]},
                {"creatorType": "author", "name": f"<b>Org{n}</b>\n## x"},
            ],
            date="2021",
            url=url,
            shortTitle=f"N{n} ***x*** {text[:20]}",
            extra=f"code: {active(n).strip()}\n[data]: https://ok.example/{n}",
            collections=[papers],
        )
        if n % 3 == 0:
            paper["proceedingsTitle"] = f"Proc. of {text[:30]}"
        items.append(paper)
        blog = other.item_template("blogPost")
        blog.update(
            title=f"Blog {n}: {text}",
            creators=[{"creatorType": "author", "name": f"Source {n} / {text[:25]}"}],
            url=active(n) if n % 2 == 0 else f"https://blog.example/{n}",
            abstractNote=f"about {text}",
            collections=[collections["blog"]],
        )
        items.append(blog)
    for n, blank in enumerate(["", "\n\t "]):  # no title at all: "Untitled" in the list
        untitled = other.item_template("webpage" if n else "preprint")
        untitled.update(title=blank, url=f"https://untitled.example/{n}", collections=[papers])
        items.append(untitled)
    evil = other.item_template("webpage")
    evil.update(
        title=f"In a hostile collection{FAKE}",
        url="https://example.org/x",
        collections=[collections["evil"], collections["hash"]],
    )
    items.append(evil)
    return items


def test_hostile_items_pulled_from_zotero_cannot_break_the_list(
    project: Path, zotero_server: ZoteroServer
) -> None:
    result = cli("zotero", "push", server=zotero_server)
    assert result.exit_code == 0, result.output
    readme = project / "README.md"
    before = readme.read_text(encoding="utf-8").split("\n")
    state = load_state(project / "zotero-sync.json")
    paths = {p: k for k, p in tree_paths(state).items()}
    other = make_zotero(zotero_server)  # a second group member, plain pyzotero
    created = other.create_collections(
        [
            {"name": f"Evil{FAKE}Section", "parentCollection": state.root_key},
            {"name": "C #", "parentCollection": state.root_key},
        ]
    )
    evil, hashed = (created["successful"][str(i)]["key"] for i in range(2))
    collections = {
        "papers": paths[("Transformer", "Papers")],
        "blog": paths[("Attention", "English Blog")],
        "evil": evil,
        "hash": hashed,
    }
    items = _hostile_items(other, collections)
    for start in range(0, len(items), 50):
        report = other.create_items(items[start : start + 50])
        assert not report["failed"], report["failed"]

    result = cli("zotero", "pull", server=zotero_server)
    assert result.exit_code == 0, result.output
    after = readme.read_text(encoding="utf-8").split("\n")
    added = new_lines_only(before, after)
    library = read_markdown(readme)
    assert library.problems == ()
    by_line = {item.line - 1: item for item in library.items}
    entries = [by_line[n] for n, _ in added if n in by_line]
    headings = [line for n, line in added if n not in by_line]
    assert headings == ["## Evil ## Heading - [x](y) Section", "## C # #"]
    assert len(entries) == len(items) + 1  # the last item is in two new sections
    for _, line in added:
        assert_nothing_active(line)

    # each new entry reads back as the record its item gives, in the item's collection
    tree = set(tree_paths(load_state(project / "zotero-sync.json")))
    listed = [as_listed(entry.record) for entry in entries]
    remote = [
        i["data"]
        for i in other.everything(other.top())
        if i["data"]["title"][:5] in ("Paper", "Blog ", "In a ") or not i["data"]["title"].strip()
    ]
    assert len(remote) == len(items)
    for data in remote:
        fields, _ = item_fields(data, tree)
        wanted = as_listed(record_from_fields(fields))
        assert listed.count(wanted) == (2 if data["title"].startswith("In a") else 1), wanted
    sections = {e.record.sections[0] for e in entries}
    assert sections == {
        ("Transformer", "Papers"),
        ("Attention", "English Blog"),
        ("Evil ## Heading - [x](y) Section",),
        ("C #",),
    }

    # converges: a sync sends back what the list made of the items, then nothing changes
    result = cli("zotero", "sync", server=zotero_server)
    assert result.exit_code == 0, result.output
    sync_out = result.output
    result = cli("zotero", "sync", server=zotero_server)
    assert result.exit_code == 0 and "; 1 request" in result.output, result.output
    assert new_lines_only(before, readme.read_text(encoding="utf-8").split("\n")) == added
    with zotero_server.lock:
        names = [(c.parent, c.name) for c in zotero_server.library.collections.values()]
        count = sum(i.parent is None for i in zotero_server.library.items.values())
    assert len(names) == len(set(names)) == 24 + 2  # no collection made twice
    assert count == 326 + len(items), sync_out  # none deleted (an unreadable line would)
    assert cli("export").exit_code == 0
    assert load_bibtex(project / "bib" / "all.bib").problems == ()


# -- .bib import ------------------------------------------------------------------------------


def _hostile_bib() -> str:
    entries = []
    for n, text in enumerate(HOSTILE):
        latex = text.replace("\\", "\\textbackslash{}").replace("{", "\\{").replace("}", "\\}")
        latex = latex.replace("&", "\\&").replace("_", "\\_").replace("#", "\\#")
        url = ACTIVE[n % len(ACTIVE)] if n % 2 else f"https://example.org/{n}?q=a%20b"
        entries.append(
            f"@inproceedings{{hostile{n},\n"
            f"  title = {{Paper {n}: {latex}}},\n"
            f"  author = {{{latex[:30]}, Eve and Org{n} ]*( and {{<b>Corp</b> {n}}}}},\n"
            f"  booktitle = {{Proc. of {latex[:20]}}},\n"
            f"  year = {{2021}},\n"
            f"  shorttitle = {{N{n} ***x*** {latex[:15]}}},\n"
            f"  url = {{{url}}}\n}}\n"
        )
        entries.append(
            f"@misc{{hostileblog{n},\n"
            f"  title = {{Blog {n}: {latex}}},\n"
            f"  author = {{{{Source {n} / {latex[:20]}}}}},\n"
            f"  howpublished = {{\\url{{https://blog.example/{n}}}}},\n"
            f"  note = {{Blog post}},\n"
            f"  abstract = {{about {latex}}}\n}}\n"
        )
    return "\n".join(entries)


def test_hostile_entries_imported_from_a_bib_file_cannot_break_the_list(project: Path) -> None:
    (project / "hostile.bib").write_text(_hostile_bib(), encoding="utf-8")
    readme = project / "README.md"
    before = readme.read_text(encoding="utf-8").split("\n")
    result = cli("import", "hostile.bib", "--section", "Transformer / Papers")
    assert result.exit_code == 0, result.output
    assert "refused the active link" in result.output  # reported, not written
    after = readme.read_text(encoding="utf-8").split("\n")
    added = new_lines_only(before, after)
    loaded = load_bibtex(project / "hostile.bib")
    assert len(added) == len(loaded.records) == 2 * len(HOSTILE)
    library = read_markdown(readme)
    assert library.problems == ()
    by_line = {item.line - 1: item for item in library.items}
    for (number, line), record in zip(added, loaded.records, strict=True):
        assert_nothing_active(line)
        entry = by_line[number]
        assert entry.record.sections == (("Transformer", "Papers"),)
        assert as_listed(entry.record) == as_listed(record), line
    assert cli("export").exit_code == 0
    assert load_bibtex(project / "bib" / "all.bib").problems == ()
    assert cli("check").exit_code == 0


def test_two_new_zotero_items_of_one_work_are_listed_once_and_both_kept(
    project: Path, zotero_server: ZoteroServer
) -> None:
    """Found by the test above: two items added in Zotero with the same address (so one work
    for atbib) were both listed; the two lines read back as one work, and the next sync deleted
    the other item from the group. Now the second is reported as a duplicate and left alone."""
    assert cli("zotero", "push", server=zotero_server).exit_code == 0
    state = load_state(project / "zotero-sync.json")
    papers = next(k for k, p in tree_paths(state).items() if p == ("Attention", "English Blog"))
    other = make_zotero(zotero_server)
    twins = []
    for title in ("A Post", "The Same Post, Retitled"):
        item = other.item_template("blogPost")
        item.update(title=title, url="https://blog.example/post", collections=[papers])
        twins.append(item)
    assert not other.create_items(twins)["failed"]
    result = cli("zotero", "sync", server=zotero_server)
    assert result.exit_code == 0, result.output
    assert "is the same work as Zotero item" in result.output
    text = (project / "README.md").read_text(encoding="utf-8")
    assert text.count("https://blog.example/post") == 1
    for _ in range(2):
        result = cli("zotero", "sync", server=zotero_server)
        assert result.exit_code == 0 and " 0 deleted" in result.output, result.output
    with zotero_server.lock:
        titles = [i.fields.get("title") for i in zotero_server.library.items.values()]
    assert "A Post" in titles and "The Same Post, Retitled" in titles
