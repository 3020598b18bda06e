"""The public API: exactly the names in ``atbib.__all__``, each documented in docs/api.md
(generated from the docstrings, and current), typed, with examples that run, and cheap to
import."""

from __future__ import annotations

import doctest
import importlib.util
import inspect
import re
import subprocess
import sys
from types import ModuleType

import pytest

import atbib
from tests.conftest import ROOT


def _make_api() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_api", ROOT / "docs" / "make_api.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_reference_is_generated_from_the_current_docstrings():
    current = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    assert _make_api().render() == current, "docs/api.md is stale: run python docs/make_api.py"


def test_the_public_surface_is_exactly_the_documented_one():
    documented = re.findall(r"^### `(\w+)`$", (ROOT / "docs" / "api.md").read_text("utf-8"), re.M)
    assert len(documented) == len(set(documented))
    assert sorted(documented) == sorted(atbib.__all__)
    # Nothing else is reachable as a public attribute of the package (submodules aside, which
    # the reference declares internal).
    exposed = {
        name
        for name in dir(atbib)
        if not name.startswith("_") and not inspect.ismodule(getattr(atbib, name))
    }
    assert exposed == set(atbib.__all__) - {"__version__"}
    for name in atbib.__all__:
        assert getattr(atbib, name) is not None, name


def test_every_public_function_is_fully_annotated():
    for name in atbib.__all__:
        obj = getattr(atbib, name)
        functions = []
        if inspect.isfunction(obj):
            functions.append((name, obj))
        elif inspect.isclass(obj):
            functions += [
                (f"{name}.{member}", value)
                for member, value in vars(obj).items()
                if inspect.isfunction(value) and not member.startswith("_")
            ]
        for label, func in functions:
            signature = inspect.signature(func)
            for param in signature.parameters.values():
                if param.name not in ("self", "cls"):
                    assert param.annotation is not param.empty, f"{label}({param.name})"
            assert signature.return_annotation is not signature.empty, label


def test_the_examples_in_the_docstrings_run():
    finder = doctest.DocTestFinder(recurse=False)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    ran = 0
    for name in atbib.__all__:
        obj = getattr(atbib, name)
        if not (inspect.isfunction(obj) or inspect.isclass(obj)):
            continue
        for test in finder.find(obj, name, globs={"atbib": atbib, **vars(atbib)}):
            ran += len(test.examples)
            runner.run(test)
    assert runner.failures == 0
    assert ran >= 15


def test_import_atbib_loads_the_record_model_only():
    code = (
        "import sys, atbib\n"
        "print(' '.join(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('atbib', 'pyzotero', 'httpx', 'httpx2', 'bibtexparser', 'pybtex', 'pylatexenc', "
        "'rapidfuzz', 'click', 'anyascii'))))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert done.stdout.split() == [
        "atbib",
        "atbib._version",
        "atbib.errors",
        "atbib.model",
        "atbib.names",
        "atbib.texsyntax",  # brace groups, for names split by BibTeX's rules
        "atbib.venues",  # venue parsing belongs to the record model (Venue.parsed)
    ]


def test_bibtex_written_from_records_reads_back_as_the_same_records():
    records = atbib.read_bibtex(ROOT / "bib" / "all.bib")
    text = atbib.format_bibtex(records, header=["a test"])
    assert text.startswith("% a test\n\n@")
    back = atbib.read_bibtex(text)

    def shown(r: atbib.Record) -> tuple[object, ...]:
        return (r.key, r.kind, r.title, r.authors, r.venue, r.url, r.links, r.nickname)

    assert [shown(r) for r in back] == [shown(r) for r in records]
    # Works of a bibliography keep their keys; records get theirs from the formula.
    bibliography = atbib.plan_export(atbib.read_markdown(ROOT / "README.md"))
    first = bibliography.works[0]
    assert atbib.format_bibtex([first]).startswith(f"@inproceedings{{{first.key},")
    assert atbib.format_bibtex([first.record], formula=["{nick}{year}"]).startswith(
        "@inproceedings{hardsoftattention2015,"
    )


def test_zotero_items_made_from_the_list_come_back_as_the_same_entries():
    bibliography = atbib.plan_export(atbib.read_markdown(ROOT / "README.md"))
    different = 0
    for work in bibliography.works:
        item = atbib.record_to_item(work.record, key=work.key)
        assert item["citationKey"] == work.key and "key" not in item
        again = atbib.item_to_record({"key": "ABCD2345", "version": 3, "data": item})
        assert again.key == work.key
        different += atbib.render_entry(again) != atbib.render_entry(work.record)
    # Only papers without a venue (an item cannot say "no venue") differ; see
    # tests/test_zotero_mapping.py.
    assert different <= 6
    with pytest.raises(TypeError):
        atbib.item_to_record({"data": "not an item"})


def test_sync_zotero_from_a_script(zotero_server, tmp_path, monkeypatch):
    from tests.zoteroapi import DEFAULT_KEY

    (tmp_path / "pyproject.toml").write_text(
        f"[tool.atbib]\nzotero-group = {zotero_server.group_id}\n", encoding="utf-8"
    )
    (tmp_path / "README.md").write_text(
        "## Papers\n### Core\n- **Attention is All you Need**. *Ashish Vaswani*. (NIPS 2017) "
        "[[paper]](https://arxiv.org/abs/1706.03762)\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("ZOTERO_API_KEY", DEFAULT_KEY)
    monkeypatch.setenv("ATBIB_ZOTERO_ENDPOINT", zotero_server.endpoint)
    # From another folder: the project folder says where the settings are.
    monkeypatch.chdir(ROOT)
    status = atbib.sync_zotero(
        "status", project=tmp_path, list_path=tmp_path / "README.md", bib_dir=tmp_path / "bib"
    )
    assert status.dry_run and status.planned[-1] == "zotero: create vaswani2017attention"
    summary = atbib.sync_zotero(
        project=tmp_path, list_path=tmp_path / "README.md", bib_dir=tmp_path / "bib"
    )
    assert summary.ok and summary.created == 1 and summary.collections_created == 3
    assert (tmp_path / "zotero-sync.json").is_file()
    with pytest.raises(ValueError, match="mode must be one of"):
        atbib.sync_zotero("upload")  # type: ignore[arg-type]
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text("[tool.atbib]\n", encoding="utf-8")
    with pytest.raises(atbib.AtbibError, match="no Zotero group"):
        atbib.sync_zotero()


def test_read_functions_take_a_file_or_text_and_read_strictly_when_asked(tmp_path):
    """One convention for both formats: a path reads a file (a missing one is an error),
    ``text=`` the text itself; lists are read leniently unless ``strict=True``, .bib files
    strictly unless ``strict=False``."""
    listed = tmp_path / "list.md"
    listed.write_text("## P\n- [unclosed link(https://x.org)\n", encoding="utf-8")
    lenient = atbib.read_markdown(listed)
    assert lenient.path == str(listed) and lenient.problems
    with pytest.raises(atbib.ListError, match=r"list\.md:2: warning"):
        atbib.read_markdown(listed, strict=True)
    assert atbib.read_markdown(text="## P", name="given").path == "given"
    with pytest.raises(TypeError):
        atbib.read_markdown(listed, text="## P")
    broken = "@article{a, title={One}}\n@article{b, title={Two}\n"
    with pytest.raises(atbib.BibtexError):
        atbib.read_bibtex(text=broken)
    assert [r.title for r in atbib.read_bibtex(text=broken, strict=False)] == ["One"]
    with pytest.raises(atbib.AtbibError, match="no such file"):
        atbib.read_bibtex(tmp_path / "missing.bib")


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("build_bibliography", "plan_export"),
        ("write_bibtex", "format_bibtex"),
        ("write_markdown", "format_markdown"),
        ("write_registry", "format_registry"),
    ],
)
def test_the_old_names_still_work_with_a_deprecation_warning(old, new):
    with pytest.warns(DeprecationWarning, match=f"use atbib.{new}"):
        assert getattr(atbib, old) is getattr(atbib, new)
    assert old not in atbib.__all__
