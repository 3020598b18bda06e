"""bib/ output: the committed files are current, parse cleanly everywhere, and stay stable
through the list's whole history."""

from __future__ import annotations

import difflib
import io
import logging
import re
from collections import Counter

import bibtexparser
import pybtex.database
import pybtex.errors
import pytest
from bibtexparser.bparser import BibTexParser

from atbib import read_markdown
from atbib.export import ALL_FILE, REGISTRY_FILE, build_bibliography, section_files, slugify
from atbib.fill.store import METADATA_FILE, read_metadata
from atbib.keys import read_registry, renamed_to
from tests.conftest import ROOT

BIB = ROOT / "bib"


def _entries(bib_text: str) -> dict[str, str]:
    """Entry text by key, split at each ``@`` that starts a line."""
    found = {}
    for chunk in re.split(r"\n(?=@)", bib_text):
        match = re.match(r"@\w+\{([^,]+),", chunk)
        if match:
            found[match.group(1)] = chunk.strip()
    return found


def _field(entry: str, name: str) -> str | None:
    match = re.search(rf"^  {name} *= \{{(.*)\}},?$", entry, re.MULTILINE)
    return match.group(1) if match else None


@pytest.fixture(scope="module")
def metadata():
    return read_metadata((BIB / METADATA_FILE).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def committed(readme_text, metadata):
    registry = read_registry((BIB / REGISTRY_FILE).read_text(encoding="utf-8"))
    return build_bibliography(read_markdown(readme_text), registry, metadata=metadata)


def test_committed_bib_folder_is_exactly_what_export_writes(committed):
    on_disk = {p.name for p in BIB.iterdir()}
    assert on_disk == {*committed.files, METADATA_FILE}
    for name, content in committed.files.items():
        assert (BIB / name).read_text(encoding="utf-8") == content, name


def test_a_fresh_export_without_the_registry_gives_the_same_keys(readme_text, committed):
    """The registry holds what the formula gave each work from its list entry; a work
    re-keyed once `atbib fill` knew its authors keeps the formula's old key as an alias."""
    fresh = build_bibliography(read_markdown(readme_text))
    for before, now in zip(fresh.works, committed.works, strict=True):
        assert before.key in (now.key, *now.aliases), now.key
    renamed = sum(bool(w.aliases) for w in committed.works)
    assert renamed == sum(1 for row in committed.registry if renamed_to(row)) == 78


def test_one_file_per_section_named_by_slug_and_all_bib_with_every_work_once(committed):
    assert set(committed.files) == {
        "attention.bib",
        "transformer.bib",
        "pretrained-language-model.bib",
        ALL_FILE,
        REGISTRY_FILE,
    }
    all_keys = list(_entries(committed.files[ALL_FILE]))
    assert len(all_keys) == len(set(all_keys)) == len(committed.works) == 326
    assert len({k.lower() for k in all_keys}) == 326  # unique case-insensitively
    for name in ("attention.bib", "transformer.bib", "pretrained-language-model.bib"):
        keys = list(_entries(committed.files[name]))
        assert len(keys) == len(set(keys)), name


def test_section_files_keep_list_order_and_record_the_subsection(committed, readme_text):
    attention = committed.files["attention.bib"]
    keys = list(_entries(attention))
    assert keys[:3] == ["xu2015show", "luong2015effective", "bahdanau2015neural"]
    assert _field(_entries(attention)["xu2015show"], "subsection") == "Attention / Papers"
    # A work listed in two subsections of one section appears once, with both.
    codebert = _entries(committed.files["pretrained-language-model.bib"])["feng2020codebert"]
    assert _field(codebert, "subsection") == (
        "Pretrained Language Model / Models; Pretrained Language Model / Multi-Modal"
    )


def test_entry_types_and_fields_follow_the_mapping_table(committed):
    entries = _entries(committed.files[ALL_FILE])
    assert entries["vaswani2017attention"].startswith("@inproceedings{vaswani2017attention,")
    assert (
        _field(entries["vaswani2017attention"], "booktitle")
        == "Advances in Neural Information Processing Systems"
    )
    assert _field(entries["vaswani2017attention"], "eprint") == "1706.03762"
    assert entries["roy2020efficient"].startswith("@article{")  # TACL
    assert "journal" in entries["roy2020efficient"]
    longformer = entries["beltagy2020longformer"]  # CoRR: arXiv-only
    assert longformer.startswith("@misc{") and _field(longformer, "archivePrefix") == "arXiv"
    blog = entries["google2019transformerxl"]
    assert blog.startswith("@misc{") and _field(blog, "note") == "Blog post"
    assert r"howpublished = {\url{https://ai.googleblog.com/" in blog
    repo = entries["bojonebert4keras"]
    assert _field(repo, "note") == "Software repository"
    assert _field(repo, "abstract") == "bojone's (苏神) BERT Keras implementation"
    # NeuIPS (a typo in the list) is normalised through the venue table.
    assert "Advances in Neural Information Processing Systems" in entries["lample2019crosslingual"]
    # Workshops at conferences, findings and unknown venues.
    assert (
        "Workshop on Simple and Efficient Natural Language Processing at EMNLP"
        in entries["kim2020fastformers"]
    )
    assert (
        "Findings of the Association for Computational Linguistics: EMNLP 2020"
        in entries["cui2020revisiting"]
    )
    assert _field(entries["manning2019recent"], "howpublished") == "BAAI"


def test_latex_specials_escaped_unicode_kept_acronyms_protected(committed):
    entries = _entries(committed.files[ALL_FILE])
    assert _field(entries["xu2015show"], "shorttitle") == "Hard \\& Soft Attention"
    assert "Guzmán, Francisco" in entries["conneau2020unsupervised"]
    assert "Kaiser, Łukasz" in entries["kitaev2020reformer"]
    assert _field(entries["zhangjunlinshendu"], "title") == "深度学习中的注意力模型（2017版）"
    assert (
        _field(entries["devlin2019bert"], "title")
        == "{BERT}: Pre-training of Deep Bidirectional {Transformers} for Language Understanding"
    )


def test_every_generated_file_parses_with_bibtexparser_and_pybtex_without_warnings(
    committed, caplog
):
    for name, content in committed.files.items():
        if not name.endswith(".bib"):
            continue
        expected = len(_entries(content))
        with caplog.at_level(logging.WARNING):
            parser = BibTexParser(common_strings=True, ignore_nonstandard_types=False)
            database = bibtexparser.loads(content, parser=parser)
        assert len(database.entries) == expected, name
        assert not [r for r in caplog.records if r.levelno >= logging.WARNING], name
        pybtex.errors.set_strict_mode(True)
        try:
            data = pybtex.database.parse_string(content, "bibtex")
        finally:
            pybtex.errors.set_strict_mode(False)
        assert len(data.entries) == expected, name


def test_slugs_and_file_name_collisions():
    assert slugify("Pretrained Language Model") == "pretrained-language-model"
    assert slugify("Survey & Review") == "survey-review"
    assert slugify("中文") == "zhongwen"
    assert section_files([("All",), ("A b",), ("A-b",)]) == {
        "All": "all-2.bib",
        "A b": "a-b.bib",
        "A-b": "a-b-2.bib",
    }


def _line_keys(library, bibliography):
    keys: dict[str, str] = {}
    for work in bibliography.works:
        for index in work.entries:
            keys[library.items[index].text] = work.key
    return keys


def _contributors(library, bibliography):
    """Per key: the lines (with their sections) that make up the work."""
    found = {}
    for work in bibliography.works:
        found[work.key] = Counter(
            (library.items[i].text, library.items[i].record.sections) for i in work.entries
        )
    return found


def test_replaying_the_history_keeps_every_key_and_changes_only_edited_entries(history):
    """Export after each of the 89 versions in order, carrying the key registry along."""
    registry = ()
    previous = None
    checked_lines = checked_entries = 0
    for name, text in history:
        library = read_markdown(text)
        bibliography = build_bibliography(library, registry)
        registry = bibliography.registry
        keys = _line_keys(library, bibliography)
        entries = _entries(bibliography.files[ALL_FILE])
        contributors = _contributors(library, bibliography)
        if previous is not None:
            old_library, old_keys, old_entries, old_contributors = previous
            old_lines = [item.text for item in old_library.items]
            new_lines = [item.text for item in library.items]
            # A line kept (anywhere, even moved) keeps its key.
            for line, key in keys.items():
                if line in old_keys:
                    assert old_keys[line] == key, (name, line)
                    checked_lines += 1
            # A line edited in place (a typo fixed, authors added) keeps its key.
            matcher = difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False)
            for tag, i1, i2, j1, j2 in matcher.get_opcodes():
                if tag != "replace" or i2 - i1 != j2 - j1:
                    continue
                for old, new in zip(old_lines[i1:i2], new_lines[j1:j2], strict=True):
                    if difflib.SequenceMatcher(a=old, b=new).ratio() > 0.6:
                        assert old_keys[old] == keys[new], (name, old, new)
                        checked_lines += 1
            # An entry whose lines did not change is byte-identical in all.bib.
            for key, lines in contributors.items():
                if old_contributors.get(key) == lines:
                    assert old_entries[key] == entries[key], (name, key)
                    checked_entries += 1
        previous = (library, keys, entries, contributors)
    assert checked_lines > 10_000 and checked_entries > 10_000


def test_keys_of_removed_works_stay_reserved(history):
    """Works come and go over the history; every key ever written stays in the registry,
    once, so it is never handed to another work."""
    registry = ()
    ever: set[str] = set()
    for _name, text in history:
        bibliography = build_bibliography(read_markdown(text), registry)
        registry = bibliography.registry
        ever |= {work.key for work in bibliography.works}
    keys = [row.key for row in registry]
    assert len(keys) == len({k.lower() for k in keys})
    assert ever == set(keys)
    assert len(ever) > len(bibliography.works)  # some works were removed along the way


def test_export_ignores_text_outside_entries():
    text = (
        "# T\n\nintro\n\n## A\n### B\n- T (ACL 2019) [[paper]](https://arxiv.org/abs/1901.00001)\n"
    )
    bib = build_bibliography(read_markdown(text))
    assert list(_entries(bib.files["a.bib"])) == ["t2019"]
    assert io.StringIO(bib.files["a.bib"]).readline().startswith("% Generated by atbib")
