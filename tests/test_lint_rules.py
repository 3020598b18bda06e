"""atbib lint as a linter: a rule code on every finding, a column where one applies, rules
chosen by option or setting, a finding silenced on its own line, and --fix for the findings
that have one safe fix."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from atbib import read_markdown
from atbib.lint import apply_fixes, lint
from atbib.markdown.edit import replace_records
from atbib.markdown.write import write_markdown
from atbib.rules import RULES

LIST = """\
## Transformer
### Papers
- **Attention  is All you Need**. *Ashish Vaswani*. (NeuIPS 2017) [[paper]](arxiv.org/abs/1706.03762)
- **BERT**. *Jacob Devlin*. (Mystery Venue 2019) [[paper]](https://arxiv.org/abs/1810.04805) <!-- atbib: ignore[unknown-venue] -->
- **GPT**. *Alec Radford*. (Another Venue 2018) [[paper]](https://openai.com/x) [[code]]()
- **XLNet** (CoRR 2019) [[paper]](https://arxiv.org/abs/1906.08237) <!-- atbib: ignore -->
- **ELMo**. *Matthew Peters*. (NAACL 2018) [[paper]](docs/elmo.md)
"""


def run(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "atbib", *args],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "NO_COLOR": "1"},
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text("[tool.atbib]\n", encoding="utf-8")
    (tmp_path / "README.md").write_text(LIST, encoding="utf-8")
    return tmp_path


def test_every_finding_has_a_known_code_and_a_column_where_one_applies():
    findings = lint(read_markdown(LIST, path="README.md"))
    assert {p.code for p in findings} <= set(RULES)
    lines = LIST.splitlines()
    located = {(p.code, p.line): lines[p.line - 1][p.column - 1 :] for p in findings if p.column}
    assert located == {
        ("doubled-space", 3): "  is All you Need**. *Ashish Vaswani*. (NeuIPS 2017) "
        "[[paper]](arxiv.org/abs/1706.03762)",
        ("venue-spelling", 3): "NeuIPS 2017) [[paper]](arxiv.org/abs/1706.03762)",
        ("relative-url", 3): "arxiv.org/abs/1706.03762)",
        ("unknown-venue", 5): "Another Venue 2018) [[paper]](https://openai.com/x) [[code]]()",
        ("empty-url", 5): ")",
        ("relative-url", 7): "docs/elmo.md)",
    }


def test_the_command_prints_file_line_column_severity_message_and_code(project):
    result = run(project, "lint")
    assert result.returncode == 1
    assert result.stdout == (
        "README.md:3:14: warning: 2 spaces in a row [doubled-space] *\n"
        "README.md:3:54: warning: 'NeuIPS' is written 'NeurIPS' [venue-spelling] *\n"
        "README.md:3:77: error: link [[paper]](arxiv.org/abs/1706.03762) is relative: it will "
        "not resolve from the list (add https://) [relative-url] *\n"
        "README.md:5:29: warning: unknown venue 'Another Venue' [unknown-venue]\n"
        "README.md:5:90: error: link [[code]] has an empty URL [empty-url]\n"
        "README.md:7:54: error: link [[paper]](docs/elmo.md) is relative: it will not resolve "
        "from the list (add https://) [relative-url]\n"
        "3 errors, 3 warnings, 0 info (shown: warning and above); 3 fixable with --fix\n"
    )


def test_a_comment_on_the_line_silences_its_findings_and_survives_a_rewrite():
    library = read_markdown(LIST, path="README.md")
    bert = library.items[1]
    assert bert.record.venue is not None and bert.record.venue.text == "Mystery Venue 2019"
    assert bert.record.description == ""  # the comment is no part of the entry
    assert not [p for p in lint(library) if p.line in (4, 6)]
    renamed = replace(bert.record, title="BERT: Pre-training")
    rewritten = write_markdown(replace_records(library, {1: renamed}))
    assert (
        "- **BERT: Pre-training**. *Jacob Devlin*. (Mystery Venue 2019) "
        "[[paper]](https://arxiv.org/abs/1810.04805) <!-- atbib: ignore[unknown-venue] -->\n"
    ) in rewritten


def replace(record, **changes):
    from dataclasses import replace as dataclass_replace

    return dataclass_replace(record, **changes)


SHAPED_LISTS = sorted((Path(__file__).parent / "data" / "lists").glob("*.md"))
"""Real-world-shaped lists: their reader findings (unread items, continuation lines, lists
read poorly) are lint findings too."""


def test_every_code_the_reader_and_lint_give_is_a_rule_that_can_be_ignored():
    seen: set[str] = set()
    for path in SHAPED_LISTS:
        library = read_markdown(path)
        codes = {p.code for p in lint(library)}
        assert codes <= set(RULES), f"{path.name}: codes outside the rules: {codes - set(RULES)}"
        for code in codes:
            assert all(p.code != code for p in lint(library, ignore=[code]))
        seen |= codes
    # the reader's own codes are among those these lists give
    assert {"unread-item", "same-link-different-titles"} <= seen


def test_rules_are_chosen_by_option_or_setting(project):
    only = run(project, "lint", "--select", "empty-url,unknown-venue")
    assert [line.split(" [")[-1] for line in only.stdout.splitlines()[:-1]] == [
        "unknown-venue]",
        "empty-url]",
    ]
    (project / "pyproject.toml").write_text(
        '[tool.atbib.lint]\nignore = ["relative-url", "doubled-space"]\n', encoding="utf-8"
    )
    configured = run(project, "lint")
    assert "[relative-url]" not in configured.stdout and "[doubled-space]" not in configured.stdout
    assert "[empty-url]" in configured.stdout
    more = run(project, "lint", "--ignore", "empty-url")
    assert more.returncode == 0 and "[empty-url]" not in more.stdout  # added to the setting
    (project / "pyproject.toml").write_text('[tool.atbib.lint]\nselect = ["empty-ur"]\n')
    bad = run(project, "lint")
    assert bad.returncode == 2
    assert "[tool.atbib.lint] select: unknown rule 'empty-ur'; did you mean 'empty-url'?" in (
        bad.stderr
    )


def test_fix_applies_only_the_safe_fixes_and_leaves_every_other_byte(project):
    result = run(project, "lint", "--fix")
    assert result.returncode == 1  # the empty URL and docs/elmo.md are still errors
    assert "fixed 3 findings; wrote README.md\n" in result.stdout
    fixed = (project / "README.md").read_text(encoding="utf-8")
    assert fixed == LIST.replace("Attention  is", "Attention is").replace(
        "NeuIPS 2017", "NeurIPS 2017"
    ).replace("(arxiv.org/abs", "(https://arxiv.org/abs")
    assert run(project, "lint", "--fix").stdout.count("fixed") == 0
    assert not (project / ".atbib.lock").exists()


def test_fix_with_diff_shows_the_fixes_and_writes_nothing(project):
    result = run(project, "lint", "--fix", "--diff")
    assert (project / "README.md").read_text(encoding="utf-8") == LIST
    assert result.stdout.startswith("--- a/README.md\n+++ b/README.md\n@@ -1,6 +1,6 @@\n")
    assert (
        "+- **Attention is All you Need**. *Ashish Vaswani*. (NeurIPS 2017) "
        "[[paper]](https://arxiv.org/abs/1706.03762)\n"
    ) in result.stdout
    assert run(project, "lint", "--diff").returncode == 2  # --diff shows fixes: needs --fix


def test_fixes_that_no_longer_match_the_line_are_left_out():
    findings = lint(read_markdown(LIST, path="README.md"))
    moved = read_markdown(LIST.replace("**Attention  is", "**The Attention  is"), path="README.md")
    text, fixed = apply_fixes(moved, findings)
    assert [p.line for p in fixed] == []  # every column of line 3 moved
    assert text == write_markdown(moved)


def test_the_rules_are_listed_in_the_help(project):
    result = run(project, "lint", "--help")
    for code, rule in RULES.items():
        assert code in result.stdout
        assert f"{code:<21}{'*' if rule.fixable else ' '}" in result.stdout
