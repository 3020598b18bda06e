"""Line endings and encodings: CRLF stays CRLF, a BOM stays, tabs stay, through edits and
through ``atbib export``; a file that is not UTF-8 is refused with one line naming the file and
the byte offset, and nothing is written."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import pytest

from atbib import format_markdown, read_markdown
from atbib.markdown.edit import add_records, remove_items, replace_records
from atbib.model import Kind, Link, Person, Record, Venue
from tests.biglist import atbib, make_project, snapshot
from tests.conftest import ROOT

NEW = Record(
    Kind.PAPER,
    "A New Work",
    authors=(Person("Doe", "Jane"),),
    venue=Venue("EMNLP 2020"),
    links=(Link("paper", "https://arxiv.org/abs/2001.00001"),),
)


def _dressed(text: str) -> str:
    """The real list with CRLF line endings, a BOM and tabs: in list-item indentation, inside
    a line atbib does not read and between the words of an entry it does."""
    lines = text.split("\n")
    for number, line in enumerate(lines):
        if line.startswith("- **Attention is All you Need**"):
            lines[number] = line.replace("- **", "\t- **", 1)
        elif line.startswith("- **") and number % 17 == 0:
            lines[number] = line.replace(". (", ".\t(", 1)
    lines.insert(3, "Tabs\tin\ttext\t")
    return "\ufeff" + "\r\n".join(lines)


@pytest.fixture(scope="module")
def dressed(readme_text: str) -> str:
    text = _dressed(readme_text)
    assert text.count("\t") >= 10 and "\r\n" in text and "\n" not in text.replace("\r\n", "")
    return text


def _check_style(original: str, edited: str, changed: set[str]) -> None:
    """Every line of ``edited`` ends with CRLF, the BOM is first, and every line that is not in
    ``changed`` (new or rewritten lines) is a line of ``original``, tabs included."""
    assert edited.startswith("\ufeff") and not edited.startswith("\ufeff\ufeff")
    body = edited[1:]
    assert "\n" not in body.replace("\r\n", ""), "a line lost its CRLF"
    old_lines = set(original[1:].split("\r\n"))
    for line in body.split("\r\n"):
        assert line in old_lines or line in changed, f"line changed unasked: {line!r}"


def test_crlf_bom_and_tabs_survive_a_replaced_record(dressed: str) -> None:
    library = read_markdown(dressed)
    assert format_markdown(library) == dressed
    index = next(i for i, item in enumerate(library.items) if item.text.startswith("\t- **"))
    item = library.items[index]
    edited = format_markdown(
        replace_records(library, {index: replace(item.record, title="Attention is All we Need")})
    )
    new_line = "\t- " + item.text[3:].replace("All you Need", "All we Need")
    assert new_line.startswith("\t- **Attention is All we Need**")
    _check_style(dressed, edited, {new_line})
    assert edited.count("\t") == dressed.count("\t")
    assert len(edited) == len(dressed) - 1


def test_crlf_bom_and_tabs_survive_added_and_removed_entries(dressed: str) -> None:
    library = read_markdown(dressed)
    sections = library.sections
    added = add_records(library, sections[1], [NEW])
    added = add_records(added, ("A New Section", "Papers"), [replace(NEW, title="Another")])
    text = format_markdown(added)
    _check_style(
        dressed,
        text,
        {
            "- **A New Work**. *Jane Doe*. (EMNLP 2020) [[paper]](https://arxiv.org/abs/2001.00001)",
            "- **Another**. *Jane Doe*. (EMNLP 2020) [[paper]](https://arxiv.org/abs/2001.00001)",
            "## A New Section",
            "### Papers",
        },
    )
    reread = read_markdown(text)
    assert [r.title for r in reread.records].count("A New Work") == 1
    removed = format_markdown(remove_items(reread, range(0, len(reread.items), 3)))
    _check_style(dressed, removed, {line for line in text[1:].split("\r\n")})
    assert removed.count("\r\n") < text.count("\r\n")


def test_export_leaves_a_crlf_bom_tab_list_untouched_and_writes_the_same_bib(
    tmp_path: Path, dressed: str, readme_text: str
) -> None:
    plain = make_project(tmp_path / "plain", readme_text)
    atbib(plain, "export")
    folder = make_project(tmp_path / "dressed", "")
    readme = folder / "README.md"
    readme.write_bytes(dressed.encode("utf-8"))
    before = readme.stat()
    result = atbib(folder, "export")
    assert "not UTF-8" not in result.stderr
    after = readme.stat()
    assert readme.read_bytes() == dressed.encode("utf-8")
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    # The tabs inside entries change no record, so bib/ is the same as for the plain list.
    assert snapshot(folder / "bib") == snapshot(plain / "bib")
    assert atbib(folder, "check").returncode == 0


@pytest.fixture
def exported(tmp_path: Path) -> Path:
    """A project whose bib/ is current."""
    folder = make_project(tmp_path, (ROOT / "README.md").read_text(encoding="utf-8"))
    atbib(folder, "export")
    return folder


def _bib_state(folder: Path) -> dict[str, tuple[bytes, int, int]]:
    return {
        p.name: (p.read_bytes(), p.stat().st_ino, p.stat().st_mtime_ns)
        for p in (folder / "bib").iterdir()
    }


def _refused(folder: Path, command: str, name: str, offset: int, byte: int) -> None:
    """``command`` stops with exit 2 and one line naming the file and the offset."""
    result = atbib(folder, command, check=False)
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("atbib: error: ")
    assert f"{os.sep}{name}: not UTF-8 text" in result.stderr
    assert f"invalid byte 0x{byte:02x} at byte offset {offset}" in result.stderr


@pytest.mark.parametrize("encoding", ["latin-1", "cp1252", "utf-16", "gb2312"])
def test_a_list_that_is_not_utf8_is_refused_and_nothing_is_written(
    exported: Path, encoding: str
) -> None:
    text = (exported / "README.md").read_text(encoding="utf-8")
    data = "".join(c for c in text if c.encode(encoding, "ignore")).encode(encoding)
    offset = next(i for i in range(len(data)) if not _decodes(data[: i + 1]))
    (exported / "README.md").write_bytes(data)
    before = _bib_state(exported)
    for command in ("export", "check", "lint"):
        _refused(exported, command, "README.md", offset, data[offset])
    assert _bib_state(exported) == before
    assert not [p for p in exported.iterdir() if p.name.endswith(".tmp")]


def _decodes(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start == len(data) - 1 and exc.reason == "unexpected end of data"
    return True


def test_a_key_registry_that_is_not_utf8_is_refused_and_nothing_is_written(exported: Path) -> None:
    registry = exported / "bib" / "keys.tsv"
    data = registry.read_bytes()
    cut = data.index(b"\n", len(data) // 2) + 1
    registry.write_bytes(data[:cut] + b"m\xfcller2019x\t\tM\xfcller\n" + data[cut:])
    (exported / "README.md").write_text(
        (exported / "README.md").read_text(encoding="utf-8")
        + "- New (ACL 2020) [[paper]](https://x.org/n)\n",
        encoding="utf-8",
    )
    before = _bib_state(exported)
    _refused(exported, "export", os.path.join("bib", "keys.tsv"), cut + 1, 0xFC)
    assert _bib_state(exported) == before


def test_a_generated_bib_file_that_is_not_utf8_is_rewritten_and_nothing_else_is_lost(
    exported: Path,
) -> None:
    """bib/ holds atbib's output, not input: a generated file someone saved in Latin-1 is just
    out of date; check says so and export rewrites it, having written nothing before deciding."""
    target = exported / "bib" / "transformer.bib"
    target.write_bytes(target.read_text(encoding="utf-8").encode("latin-1", "replace"))
    check = atbib(exported, "check", check=False)
    assert check.returncode == 1 and "bib/transformer.bib: differs" in check.stderr
    assert "Traceback" not in check.stderr
    atbib(exported, "export")
    assert atbib(exported, "check").returncode == 0
