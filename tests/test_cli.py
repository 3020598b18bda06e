"""The atbib command as users run it: a real process in a project folder."""

from __future__ import annotations

import shutil
from functools import partial
from pathlib import Path

import pytest

from tests.biglist import atbib as run_atbib
from tests.conftest import ROOT

LIST = "## Papers\n### Core\n- **Attention is All you Need**. *Ashish Vaswani*. (NIPS 2017) [[paper]](https://arxiv.org/abs/1706.03762)\n"


atbib = partial(run_atbib, check=False)
"""The real command in a folder; tests judge its exit status themselves."""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "README.md").write_text(LIST, encoding="utf-8")
    return tmp_path


def test_export_then_check_then_stale_check_names_the_files(project):
    result = atbib(project, "export")
    assert result.returncode == 0, result.stderr
    assert "wrote bib/papers.bib" in result.stdout and "vaswani2017attention" in result.stdout
    assert atbib(project, "check").returncode == 0
    (project / "README.md").write_text(
        LIST.replace("Ashish Vaswani", "Ashish Vaswani, Noam Shazeer"), encoding="utf-8"
    )
    stale = atbib(project, "check")
    assert stale.returncode == 1
    assert "bib/papers.bib: differs" in stale.stderr and "bib/all.bib: differs" in stale.stderr
    assert "run `atbib export`" in stale.stderr
    assert atbib(project, "export").returncode == 0
    assert atbib(project, "check").returncode == 0
    # The key did not move with the edit.
    assert "@inproceedings{vaswani2017attention," in (project / "bib" / "all.bib").read_text()


def test_dry_run_writes_nothing(project):
    result = atbib(project, "export", "--dry-run")
    assert result.returncode == 0 and "would write bib/all.bib" in result.stdout
    assert not (project / "bib").exists()


def test_options_and_pyproject_settings_choose_the_files(project):
    (project / "pyproject.toml").write_text(
        '[tool.atbib]\nlist = "papers.md"\nbib-dir = "refs"\nkey-formula = "{auth}{year}"\n',
        encoding="utf-8",
    )
    shutil.move(project / "README.md", project / "papers.md")
    assert atbib(project, "export").returncode == 0
    assert "@inproceedings{vaswani2017," in (project / "refs" / "all.bib").read_text()
    (project / "other.md").write_text(LIST, encoding="utf-8")
    assert atbib(project, "export", "--list", "other.md", "--bib-dir", "out").returncode == 0
    assert (project / "out" / "papers.bib").is_file()


def test_removed_sections_remove_only_generated_files(project):
    atbib(project, "export")
    (project / "bib" / "mine.bib").write_text("@misc{x, title={Mine}}\n", encoding="utf-8")
    (project / "README.md").write_text(LIST.replace("## Papers", "## Other"), encoding="utf-8")
    result = atbib(project, "export")
    assert "removed bib/papers.bib" in result.stdout
    assert sorted(p.name for p in (project / "bib").iterdir()) == [
        "all.bib",
        "keys.tsv",
        "mine.bib",
        "other.bib",
    ]


def test_bad_input_gives_one_line_and_no_traceback(project):
    (project / "README.md").write_bytes(b"## A\n- caf\xe9\n")
    result = atbib(project, "export")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "README.md: not UTF-8" in result.stderr
    missing = atbib(project, "export", "--list", "nope.md")
    assert missing.returncode == 2 and "nope.md" in missing.stderr
    (project / "pyproject.toml").write_text('[tool.atbib]\nkey-formula = "{writer}"\n')
    formula = atbib(project, "check")
    assert formula.returncode == 2 and "unknown placeholder {writer}" in formula.stderr


def test_lint_exit_status_and_severity_filter(project):
    (project / "README.md").write_text(LIST + "- Broken (ACL 2019) [[paper]]()\n", encoding="utf-8")
    result = atbib(project, "lint")
    assert result.returncode == 1
    assert "README.md:4:31: error: link [[paper]] has an empty URL [empty-url]" in result.stdout
    clean = LIST + "- No Authors Here (ACL 2019) [[paper]](https://arxiv.org/abs/1901.00001)\n"
    (project / "README.md").write_text(clean, encoding="utf-8")
    quiet = atbib(project, "lint")
    assert quiet.returncode == 0 and "no authors given" not in quiet.stdout
    verbose = atbib(project, "lint", "--min-severity", "info")
    assert "README.md:4: info: no authors given [missing-authors]" in verbose.stdout


def test_help_and_version():
    result = atbib(ROOT, "--help")
    assert result.returncode == 0
    for command in ("export", "check", "lint"):
        assert command in result.stdout
    assert "atbib, version" in atbib(ROOT, "--version").stdout


def test_check_passes_on_this_repository():
    result = atbib(ROOT, "check")
    assert result.returncode == 0, result.stderr
