"""atbib import, import --update, render and check on a copy of the real project: only the
lines that change are touched, keys are kept or made by the usual rules, bad input changes
nothing, and hand edits in bib/ survive export."""

from __future__ import annotations

import difflib
import hashlib
import os
import shutil
from functools import partial
from pathlib import Path

import pytest

from atbib import Kind, Link, Person, Record, Venue, load_bibtex, read_markdown
from atbib.bibtex.parse import parse_bibtex
from atbib.export import build_bibliography
from atbib.importing import fill_record, plan_import, sources_of
from atbib.keys import read_registry
from tests.biglist import atbib as run_atbib
from tests.conftest import ROOT

FIXTURES = ROOT / "tests" / "data" / "bib"

NEW = """\
@inproceedings{devlin-etal-2019-bert,
    title = "{BERT}: Pre-training of Deep Bidirectional Transformers for Language Understanding",
    author = "Devlin, Jacob and Chang, Ming-Wei and Lee, Kenton and Toutanova, Kristina",
    booktitle = "Proceedings of the 2019 Conference of the North {A}merican Chapter of the Association for Computational Linguistics: Human Language Technologies, Volume 1 (Long and Short Papers)",
    month = jun,
    year = "2019",
    url = "https://aclanthology.org/N19-1423",
    pages = "4171--4186",
}

@article{Shazeer2019FastTD,
  title={Fast Transformer Decoding: One Write-Head is All You Need},
  author={Noam M. Shazeer},
  journal={ArXiv},
  year={2019},
  volume={abs/1911.02150}
}

@inproceedings{SCHICK2021SCALING,
  title = {Scaling Laws for Sch{\\"o}n Language Models},
  author = {Schick, Timo and Sch{\\"u}tze, Hinrich},
  booktitle = {Proceedings of the 16th Conference of the European Chapter of the Association for Computational Linguistics},
  year = {2021},
  url = {https://aclanthology.org/2021.eacl-main.99}
}

@inproceedings{hu2021lora,
  title = {{LoRA}: Low-Rank Adaptation of Large Language Models},
  author = {Hu, Edward J. and Shen, Yelong and Wallis, Phillip and Allen-Zhu, Zeyuan},
  booktitle = {International Conference on Learning Representations},
  year = {2022},
  url = {https://openreview.net/forum?id=nZeVKeeFYf9},
  pages = {1--13}
}

@misc{vaswani2017attention,
  title = {Linear Attention Is Not All You Need Either},
  author = {Nobody, Some},
  year = {2023},
  eprint = {2301.00001},
  archivePrefix = {arXiv}
}
"""


atbib = partial(run_atbib, check=False)
"""The real command in a folder; tests judge its exit status themselves."""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    for name in ("README.md", "pyproject.toml"):
        shutil.copy(ROOT / name, tmp_path / name)
    shutil.copytree(ROOT / "bib", tmp_path / "bib")
    (tmp_path / "new.bib").write_text(NEW, encoding="utf-8")
    return tmp_path


def _line_of(text: str, start: str) -> int:
    """The 1-based number of the first line of *text* that starts with *start*."""
    return next(i for i, line in enumerate(text.splitlines(), 1) if line.startswith(start))


def _digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_import_adds_new_works_only_and_changes_no_other_byte(project):
    before = (project / "README.md").read_text(encoding="utf-8")
    result = atbib(project, "import", "new.bib", "--section", "Transformer / Papers")
    assert result.returncode == 0, result.stderr
    after = (project / "README.md").read_text(encoding="utf-8")
    diff = [
        line
        for line in difflib.unified_diff(before.splitlines(), after.splitlines(), n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]
    assert diff == [
        "+- **Fast Transformer Decoding: One Write-Head is All You Need**. *Noam M. Shazeer*. "
        "(CoRR 2019) [[paper]](https://arxiv.org/abs/1911.02150)",
        "+- **Scaling Laws for Schön Language Models**. *Timo Schick, Hinrich Schütze*. "
        "(EACL 2021) [[paper]](https://aclanthology.org/2021.eacl-main.99)",
        "+- **LoRA: Low-Rank Adaptation of Large Language Models**. *Edward J. Hu, Yelong Shen, "
        "Phillip Wallis, Zeyuan Allen-Zhu*. (ICLR 2022) [[paper]](https://openreview.net/forum?id=nZeVKeeFYf9)",
        "+- **Linear Attention Is Not All You Need Either**. *Some Nobody*. (CoRR 2023) "
        "[[paper]](https://arxiv.org/abs/2301.00001)",
    ]
    # The new lines sit at the end of Transformer / Papers, before the next heading.
    lines = after.splitlines()
    at = lines.index(diff[-1][1:])
    assert lines[at + 1] == "" and lines[at + 2] == "### Chinese Blog"
    bert = _line_of(before, "- BERT: Pre-training of Deep Bidirectional")
    assert f"new.bib:1: devlin-etal-2019-bert is already in the list (README.md:{bert})" in (
        result.stdout
    )
    assert "added 4 works to Transformer / Papers; 1 already in the list" in result.stdout

    # Keys: kept when free, case-insensitively; made by the formula when taken.
    registry = {row.key for row in read_registry((project / "bib" / "keys.tsv").read_text())}
    assert {"Shazeer2019FastTD", "SCHICK2021SCALING", "hu2021lora"} <= registry
    assert "nobody2023linear" in registry  # vaswani2017attention is the Transformer's key
    exported = atbib(project, "export")
    assert exported.returncode == 0, exported.stderr
    assert atbib(project, "check").returncode == 0
    entries = {e.key: e for e in parse_bibtex((project / "bib" / "all.bib").read_text()).entries}
    assert entries["vaswani2017attention"].get("title") == "Attention is All you Need"
    lora = entries["hu2021lora"]
    assert lora.get("pages") == "1--13"  # kept in bib/extra.bib, back in bib/
    assert lora.get("booktitle") == "International Conference on Learning Representations"
    shazeer = entries["Shazeer2019FastTD"]
    assert shazeer.entry_type == "article" and shazeer.get("journal") == "ArXiv"
    assert shazeer.get("volume") == "abs/1911.02150"
    # Every other work's entry is what it was.
    old = parse_bibtex((ROOT / "bib" / "all.bib").read_text()).entries

    def shape(entry):
        return entry.entry_type, [(f.name, f.value) for f in entry.fields]

    assert all(shape(entries[entry.key]) == shape(entry) for entry in old)


def test_dry_run_prints_the_lines_and_changes_nothing(project):
    before = _digest(project)
    result = atbib(project, "import", "new.bib", "-s", "Transformer / Papers", "--dry-run")
    assert result.returncode == 0, result.stderr
    assert "would add - **LoRA: Low-Rank Adaptation" in result.stdout
    assert "would add 4 works to Transformer / Papers" in result.stdout
    assert _digest(project) == before


def test_malformed_file_stops_with_every_error_and_changes_nothing(project):
    (project / "bad.bib").write_text(
        "@article{a,\n  title = {One}\n  year = 2020\n}\n\n"
        "@article{b,\n  title = {Two {unclosed},\n  year = 2021\n}\n",
        encoding="utf-8",
    )
    before = _digest(project)
    result = atbib(project, "import", "new.bib", "bad.bib", "--section", "Transformer / Papers")
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "bad.bib:1: error: missing comma before field 'year' (line 3) in entry 'a'",
        "bad.bib:6: error: unbalanced braces in field 'title' of entry 'b'",
        "atbib: error: 2 errors in the .bib input; nothing was changed",
    ]
    assert "Traceback" not in result.stderr
    assert _digest(project) == before


def test_duplicate_keys_and_unknown_types_are_reported(project):
    shutil.copy(FIXTURES / "tricky.bib", project / "tricky.bib")
    (project / "dup.bib").write_text(
        "@misc{same, title = {First Work}, url = {https://a.example/1}}\n"
        "@misc{SAME, title = {Second Work}, url = {https://a.example/2}}\n",
        encoding="utf-8",
    )
    result = atbib(
        project, "import", "tricky.bib", "dup.bib", "-s", "Attention / Imported", "--create-section"
    )
    assert result.returncode == 0, result.stderr
    assert "dup.bib:2: warning: duplicate key 'SAME' at line 2 (also at line 1" in result.stderr
    assert "tricky.bib:54: warning: lee2021patent: unknown entry type @patent" in result.stderr
    assert "refused the active link" in result.stderr
    text = (project / "README.md").read_text(encoding="utf-8")
    assert "### Imported\n" in text and "javascript:" not in text.lower()
    keys = {row.key for row in read_registry((project / "bib" / "keys.tsv").read_text())}
    assert "same" in keys  # the first entry keeps its key
    assert "SAME" not in keys and "secondwork" in keys  # taken: the formula makes one


def test_fill_completes_only_the_lines_that_lack_something(project):
    (project / "fill.bib").write_text(
        "@inproceedings{feng-etal-2020-codebert,\n"
        "  title = {{C}ode{BERT}: A Pre-Trained Model for Programming and Natural Languages},\n"
        "  author = {Feng, Zhangyin and Guo, Daya and Tang, Duyu},\n"
        "  booktitle = {Findings of the Association for Computational Linguistics: EMNLP 2020},\n"
        "  year = {2020},\n  pages = {1536--1547},\n"
        "  url = {https://arxiv.org/abs/2002.08155}\n}\n",
        encoding="utf-8",
    )
    before = (project / "README.md").read_text(encoding="utf-8").splitlines()
    result = atbib(
        project, "import", "fill.bib", "-s", "Pretrained Language Model / Models", "--fill"
    )
    assert result.returncode == 0, result.stderr
    plain = _line_of("\n".join(before), "- CodeBERT: A Pre-Trained Model")
    bold = _line_of("\n".join(before), "- **CodeBERT:A Pre-Trained Model")
    assert f"already in the list (README.md:{plain}, README.md:{bold}); filled authors" in (
        result.stdout
    )
    after = (project / "README.md").read_text(encoding="utf-8").splitlines()
    changed = [i + 1 for i, (a, b) in enumerate(zip(before, after, strict=True)) if a != b]
    assert changed == [plain]  # the entry without authors; the other one had them
    assert after[plain - 1].startswith(
        "- **CodeBERT: A Pre-Trained Model for Programming and Natural Languages**. "
        "*Zhangyin Feng, Daya Guo, Duyu Tang*. (CoRR 2020)"
    )


def test_a_new_work_never_takes_the_key_of_a_listed_one(readme_text):
    """A repository titled like a listed paper ("Transformers: State-of-the-art Natural
    Language Processing") is a different work; it must get a new key, and the paper keeps
    its own."""
    library = read_markdown(readme_text)
    registry = read_registry((ROOT / "bib" / "keys.tsv").read_text(encoding="utf-8"))
    loaded = load_bibtex(FIXTURES / "betterbibtex.bib")
    plan = plan_import(library, registry, {}, sources_of([loaded]), ("Transformer", "Code"))
    added = {a.source.entry.key: a.key for a in plan.added}
    assert added == {
        "wolfTransformersStateoftheArtNatural2020": "wolfTransformersStateoftheArtNatural2020"
    }
    rows = {row.key: row for row in plan.registry}
    assert rows["wolf2019transformers"].identifiers == ("arxiv:1910.03771",)
    exported = build_bibliography(plan.library, plan.registry)
    keys = {work.key for work in exported.works}
    assert {"wolf2019transformers", "wolfTransformersStateoftheArtNatural2020"} <= keys


def test_fill_record_fills_gaps_and_never_replaces():
    listed = Record(Kind.PAPER, "T", links=(Link("paper", "https://x.org"),))
    source = Record(
        Kind.PAPER,
        "T",
        authors=(Person("Doe", "Jane"),),
        venue=Venue("ACL 2020"),
        links=(Link("paper", "https://y.org"),),
    )
    filled, what = fill_record(listed, source)
    assert what == ("authors", "venue") and filled.links == listed.links
    assert fill_record(filled, source) == (filled, ())


def test_hand_edits_in_bib_are_reported_then_taken_into_the_list(project):
    all_bib = project / "bib" / "all.bib"
    text = all_bib.read_text(encoding="utf-8")
    old = "  title         = {Neural Machine Translation by Jointly Learning to Align and Translate},\n"
    assert old in text
    edited = text.replace(
        old,
        "  title         = {Neural Machine Translation by Jointly Learning to Align and {Translate}},\n"
        "  pages         = {1--15},\n",
    )
    show = "{Show, Attend and Tell: Neural Image Caption Generation with Visual Attention}"
    assert show in edited
    edited = edited.replace(show, show.replace("with Visual", "With Visual"), 1)
    all_bib.write_text(edited, encoding="utf-8")
    check = atbib(project, "check")
    assert check.returncode == 1
    assert (
        "bib/all.bib:6: xu2015show: title is 'Show, Attend and Tell: Neural Image Caption "
        "Generation With Visual Attention'; the list gives 'Show, Attend and Tell: Neural Image "
        "Caption Generation with Visual Attention'"
    ) in check.stderr
    assert "bahdanau2015neural: pages '1--15' added by hand" in check.stderr
    assert "atbib import --update bib/" in check.stderr

    update = atbib(project, "import", "--update", "bib")
    assert update.returncode == 0, update.stderr
    assert "xu2015show: took title" in update.stdout
    assert "bahdanau2015neural: kept title, pages in bib/extra.bib" in update.stdout
    readme = (project / "README.md").read_text(encoding="utf-8")
    assert (
        "- **Show, Attend and Tell: Neural Image Caption Generation With Visual Attention**."
        in readme
    )
    assert "pages" in (project / "bib" / "extra.bib").read_text(encoding="utf-8")
    assert atbib(project, "export").returncode == 0
    assert all_bib.read_text(encoding="utf-8") == edited  # the hand edits survive export
    assert atbib(project, "check").returncode == 0


def test_render_writes_a_list_from_bib_files(project, tmp_path):
    out = tmp_path / "list.md"
    result = atbib(
        project,
        "render",
        str(FIXTURES / "acl.bib"),
        str(FIXTURES / "dblp.bib"),
        "-o",
        str(out),
        "--title",
        "Papers",
    )
    assert result.returncode == 0, result.stderr
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# Papers\n\n## Acl\n### Papers\n- **BERT: Pre-training")
    # BERT is in both files: one work, listed in both sections.
    assert "## Dblp\n### Papers\n- **BERT: Pre-training" in text
    assert "\n- **RoBERTa: A Robustly Optimized BERT" in text
    assert "is the same work as devlin-etal-2019-bert" in result.stderr  # listed once per section
    library = read_markdown(text)
    assert len(library.items) == 10 and library.problems == ()  # 9 works, BERT twice
    printed = atbib(project, "render", str(FIXTURES / "scholar.bib"))
    assert printed.stdout.startswith("## Scholar\n### Papers\n")


def test_an_interrupted_write_leaves_the_old_list(project, monkeypatch):
    from atbib import project as project_module
    from atbib.importing import plan_import as plan_fn

    monkeypatch.chdir(project)
    loaded = load_bibtex(project / "new.bib")
    before = (project / "README.md").read_bytes()
    real_replace = os.replace

    def failing_replace(src, dst):
        if str(dst).endswith("README.md"):
            raise KeyboardInterrupt  # the run dies while replacing the list
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", failing_replace)
    proj = project_module.load_project()
    plan = plan_fn(
        proj.library, proj.registry, proj.kept, sources_of([loaded]), ("Transformer", "Papers")
    )
    with pytest.raises(KeyboardInterrupt):
        project_module.save_changes(
            proj, library=plan.library, registry=plan.registry, kept=plan.kept
        )
    assert (project / "README.md").read_bytes() == before
    assert not [p for p in project.iterdir() if p.name.endswith(".tmp")]


def test_imported_entries_compile_with_bibtex_and_biber(tmp_path):
    """Everything imported from the five test files, exported, cites cleanly from LaTeX: the
    kept fields (DBLP's keys with ':' and '/', math, @software, @online, @patent) included."""
    from tests.texdoc import compile_with_biber, compile_with_bibtex, require_tex

    require_tex()
    library = read_markdown("# List\n\n## Imported\n### Papers\n")
    loaded = [load_bibtex(p) for p in sorted(FIXTURES.glob("*.bib"))]
    plan = plan_import(library, (), {}, sources_of(loaded), ("Imported", "Papers"))
    bibliography = build_bibliography(plan.library, plan.registry, kept=plan.kept)
    path = tmp_path / "all.bib"
    path.write_text(bibliography.files["all.bib"], encoding="utf-8")
    keys = [work.key for work in bibliography.works]
    assert len(keys) == 23  # 26 entries, 3 of them the same work as another
    plain = compile_with_bibtex(path, keys, tmp_path / "bibtex", style="plain", hyperref=True)
    # Google Scholar gave the t-SNE paper both a volume and a number: the source's own data.
    assert plain.problems == [
        "bibtex: Warning--can't use both volume and number fields in maaten2008visualizing"
    ]
    biber = compile_with_biber(
        path, keys, tmp_path / "biber", hyperref=True, validate_datamodel=False
    )
    # The source spells Antonín as Anton{\'\i}n, kept as written; biber turns that into a
    # dotless i and a combining accent, which pdflatex's fonts do not have (the same happens
    # with the source file itself; BibTeX above typesets it).
    assert biber.problems == [
        "Missing character: There is no ^^A in font gbsnu03! [entry mueller2019accents]"
    ]


def test_edits_in_all_bib_and_a_section_file_are_merged_or_reported_as_a_conflict(project):
    section, everything = project / "bib" / "attention.bib", project / "bib" / "all.bib"
    authors = "author     = {Luong, Minh-Thang and Pham, Hieu and Manning, Christopher D.}"
    title = "title      = {Effective Approaches to Attention-based Neural Machine Translation}"
    section.write_text(
        section.read_text().replace(authors, authors[:-1] + " and Doe, Jane}", 1),
        encoding="utf-8",
    )
    everything.write_text(
        everything.read_text().replace(title, title.replace("-based", "-Based"), 1),
        encoding="utf-8",
    )
    result = atbib(project, "import", "--update", "bib")
    assert result.returncode == 0, result.stderr
    assert "luong2015effective: took title, authors" in result.stdout
    line = next(
        line for line in (project / "README.md").read_text().splitlines() if "Luong" in line
    )
    assert line.startswith(
        "- **Effective Approaches to Attention-Based Neural Machine Translation**. "
        "*Minh-Thang Luong, Hieu Pham, Christopher D. Manning, Jane Doe*."
    )
    # The same field edited two ways is a conflict: nothing is taken.
    assert atbib(project, "export").returncode == 0
    everything.write_text(
        everything.read_text().replace("Manning, Christopher D. and", "Manning, Chris and", 1),
        encoding="utf-8",
    )
    section.write_text(
        section.read_text().replace("Manning, Christopher D. and", "Manning, C. D. and", 1),
        encoding="utf-8",
    )
    before = (project / "README.md").read_bytes()
    clash = atbib(project, "import", "--update", "bib")
    assert clash.returncode == 1
    assert "atbib: conflict: luong2015effective: author edited differently in" in clash.stderr
    assert (project / "README.md").read_bytes() == before
