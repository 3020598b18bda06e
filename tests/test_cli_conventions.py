"""The conventions every atbib command follows, as a user (or a CI script) relies on them: one
exit status rule, usage errors in one line, -q/-v/--debug everywhere, colour on terminals
only, ``-`` for standard input, --diff on dry runs."""

from __future__ import annotations

from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from atbib.cli import main
from tests.conftest import run_atbib as run

LIST = (
    "# Papers\n\n## Transformer\n### Papers\n"
    "- **Attention is All you Need**. *Ashish Vaswani*. (NIPS 2017) "
    "[[paper]](https://arxiv.org/abs/1706.03762)\n"
)
NEW_BIB = (
    "@inproceedings{devlin2019bert,\n  title = {{BERT}: Pre-training of Deep Bidirectional "
    "Transformers},\n  author = {Devlin, Jacob},\n  booktitle = {NAACL},\n  year = {2019},\n"
    "  url = {https://arxiv.org/abs/1810.04805}\n}\n"
)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text("[tool.atbib]\n", encoding="utf-8")
    (tmp_path / "README.md").write_text(LIST, encoding="utf-8")
    (tmp_path / "new.bib").write_text(NEW_BIB, encoding="utf-8")
    return tmp_path


def _commands(group: click.Group = main, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = []
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            found += _commands(command, (*prefix, name))
        else:
            found.append((*prefix, name))
    return found


def test_every_command_is_listed():
    assert _commands() == [
        ("check",),
        ("export",),
        ("fill",),
        ("import",),
        ("init",),
        ("lint",),
        ("render",),
        ("zotero", "pull"),
        ("zotero", "push"),
        ("zotero", "status"),
        ("zotero", "sync"),
    ]


@pytest.mark.parametrize("command", _commands(), ids=" ".join)
def test_every_command_shows_its_exit_statuses_and_takes_q_v_debug(command):
    result = CliRunner().invoke(main, [*command, "--help"], terminal_width=100)
    assert result.exit_code == 0, result.output
    help_text = result.output
    assert "Exit status:" in help_text
    for code in ("0 ", "2 ", "3 ", "130 "):
        assert f"\n    {code}" in help_text, (command, code)
    assert "\n    3    internal error: a bug, please report it" in help_text
    for option in ("-q, --quiet", "-v, --verbose", "--debug"):
        assert option in help_text, (command, option)


@pytest.mark.parametrize(
    ("command", "findings"),
    [
        ("check", "\n    1    bib/ is stale"),
        ("lint", "\n    1    errors were found"),
        ("import", "\n    1    --update left conflicts"),
        ("zotero status", "\n    1    Zotero refused or failed something"),
    ],
)
def test_the_finding_status_says_what_it_means_for_the_command(command, findings):
    result = CliRunner().invoke(main, [*command.split(), "--help"], terminal_width=100)
    assert findings in result.output


def test_commands_that_find_nothing_never_claim_status_1():
    for command in ("export", "render", "init"):
        result = CliRunner().invoke(main, [command, "--help"], terminal_width=100)
        assert "\n    1 " not in result.output, command


@pytest.mark.parametrize(
    "args",
    [
        ["import", "new.bib"],  # no --section
        ["import", "-s", "Transformer / Papers"],  # no file
        ["import", "--update", "--section", "Transformer / Papers"],
        ["import", "new.bib", "--section", " / "],
        ["export", "--no-such-option"],
        ["lint", "--select", "empty-ur"],
        ["check", "-q", "-v"],
        ["nosuchcommand"],
    ],
    ids=lambda args: " ".join(args),
)
def test_a_usage_error_is_one_line_and_exit_status_2(project, args):
    before = (project / "README.md").read_bytes()
    result = run(project, *args)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith("atbib: error: ")
    assert result.stdout == ""
    assert (project / "README.md").read_bytes() == before


def test_a_usage_error_says_which_help_to_read(project):
    result = run(project, "import", "new.bib")
    assert result.stderr == (
        'atbib: error: give the section to add to: --section "Section / Subsection" '
        "(see `atbib import --help`)\n"
    )
    typo = run(project, "lint", "--select", "empty-ur")
    assert "unknown rule 'empty-ur'; did you mean 'empty-url'?" in typo.stderr


def test_bad_input_is_status_2_and_a_bug_is_status_3_with_its_traceback(project, monkeypatch):
    (project / "pyproject.toml").write_text('[tool.atbib]\nkey-formula = "{x}"\n')
    assert run(project, "check").returncode == 2
    monkeypatch.chdir(project)
    (project / "pyproject.toml").write_text("[tool.atbib]\n")

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr("atbib.project.export_project", broken)
    result = CliRunner().invoke(main, ["check"])
    assert result.exit_code == 3
    assert "RuntimeError: a bug" in result.output and "Traceback" in result.output
    assert "internal error (a bug: please report it)" in result.output


def test_an_interrupt_is_status_130_for_every_command(project, monkeypatch):
    monkeypatch.chdir(project)

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("atbib.project.export_project", interrupted)
    result = CliRunner().invoke(main, ["export"])
    assert result.exit_code == 130
    assert result.output == "atbib: interrupted\n"


def test_debug_is_taken_after_the_command_too(project):
    (project / "pyproject.toml").write_text('[tool.atbib]\nkey-formula = "{x}"\n')
    for args in (["--debug", "check"], ["check", "--debug"]):
        result = run(project, *args)
        assert result.returncode == 2
        assert "Traceback" in result.stderr, args
        assert result.stderr.splitlines()[-1].startswith("atbib: error: ")
    plain = run(project, "check")
    assert "Traceback" not in plain.stderr


def test_quiet_prints_only_findings_and_verbose_more(project):
    exported = run(project, "export", "-q")
    assert exported.returncode == 0 and exported.stdout == "" and exported.stderr == ""
    assert run(project, "check", "-q").stdout == ""
    again = run(project, "export", "-v")
    assert "unchanged bib/all.bib" in again.stdout
    # check names every difference with -v, the first 20 without.
    many = "".join(
        f"- **Work {n}**. *Ann Lee*. (ACL 2019) [[paper]](https://arxiv.org/abs/1901.{n:05d})\n"
        for n in range(30)
    )
    (project / "README.md").write_text(LIST + many, encoding="utf-8")
    stale = run(project, "check")
    assert stale.returncode == 1 and "... and 10 more differences (-v)" in stale.stderr
    everything = run(project, "check", "-v")
    assert "more differences" not in everything.stderr
    assert everything.stderr.count(": missing (the list has it)") == 60  # two files
    quiet = run(project, "check", "-q")
    assert quiet.returncode == 1 and "is stale" not in quiet.stderr
    assert "bib/all.bib: differs" in quiet.stderr


def test_colour_on_a_terminal_only_and_never_with_no_color(project, monkeypatch):
    monkeypatch.chdir(project)
    (project / "README.md").write_text(LIST + "- Broken (ACL 2019) [[paper]]()\n")
    terminal = CliRunner().invoke(main, ["lint"], color=True)
    assert "\x1b[31m" in terminal.output  # "error" in red
    monkeypatch.setenv("NO_COLOR", "1")
    no_color = CliRunner().invoke(main, ["lint"], color=True)
    assert "\x1b[" not in no_color.output and "error: link [[paper]]" in no_color.output
    piped = run(project, "lint")
    assert "\x1b[" not in piped.stdout and "error: link [[paper]]" in piped.stdout


def test_dash_reads_standard_input_for_import_and_render(project):
    rendered = run(project, "render", "-", stdin=NEW_BIB)
    assert rendered.returncode == 0, rendered.stderr
    assert rendered.stdout.startswith("## Papers\n### Papers\n- **BERT: Pre-training")
    imported = run(project, "import", "-", "-s", "Transformer / Papers", stdin=NEW_BIB)
    assert imported.returncode == 0, imported.stderr
    assert "added 1 work to Transformer / Papers" in imported.stdout
    assert "**BERT: Pre-training" in (project / "README.md").read_text(encoding="utf-8")
    empty = run(project, "render", "-", stdin="")
    assert empty.returncode == 2
    assert empty.stderr == "atbib: error: <stdin>: no BibTeX entries found (is it a .bib file?)\n"


def test_diff_shows_a_dry_run_as_a_unified_diff_and_writes_nothing(project):
    before = sorted(p.name for p in project.iterdir())
    result = run(project, "import", "new.bib", "-s", "transformer / papers", "--diff")
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in project.iterdir()) == before
    diff = result.stdout
    assert diff.startswith("--- /dev/null\n+++ b/bib/extra.bib\n")
    assert "--- /dev/null\n+++ b/bib/keys.tsv\n" in diff
    assert "--- a/README.md\n+++ b/README.md\n@@ -3,3 +3,4 @@\n" in diff
    assert "\n+- **BERT: Pre-training of Deep Bidirectional Transformers**." in diff
    assert "would add 1 work to Transformer / Papers" in result.stderr  # the report aside
    exported = run(project, "export", "--diff")
    assert exported.stdout.startswith("--- /dev/null\n+++ b/bib/transformer.bib\n")
    assert "would write bib/all.bib" in exported.stderr
    assert not (project / "bib").exists()
