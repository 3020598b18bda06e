"""Set-up and packaging as a new user meets them: the dependencies are what the code imports,
the set-up commands work on current Debian and Ubuntu, the hooks and integrations the guide
shows exist."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

from tests.conftest import ROOT

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
DISTRIBUTIONS = {"pyzotero": "pyzotero"}
"""Distribution name -> the module it installs, where they differ (none today)."""


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[; ]", requirement, maxsplit=1)[0].lower()


def _third_party_imports() -> set[str]:
    found: set[str] = set()
    for path in (ROOT / "src").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                found.add(node.module.split(".")[0])
    return {
        n for n in found if n not in sys.stdlib_module_names and n not in ("atbib", "__future__")
    }


def test_the_dependencies_are_exactly_what_src_imports():
    declared = {_name(r) for r in PYPROJECT["project"]["dependencies"]}
    assert {DISTRIBUTIONS.get(d, d) for d in declared} == _third_party_imports()


def test_test_oracles_and_the_keyring_are_extras():
    extras = PYPROJECT["project"]["optional-dependencies"]
    assert {"pybtex", "bibtexparser"} <= {_name(r) for r in extras["test"]}
    assert [_name(r) for r in extras["keyring"]] == ["keyring"]
    # keyring is looked up by name at run time, never imported by src/ directly.
    assert "keyring" not in _third_party_imports()
    assert 'importlib.import_module("keyring")' in (
        ROOT / "src" / "atbib" / "masking.py"
    ).read_text(encoding="utf-8")


def test_the_pyzotero_pin_says_why():
    lines = (ROOT / "pyproject.toml").read_text(encoding="utf-8").splitlines()
    at = next(i for i, line in enumerate(lines) if line.strip().startswith('"pyzotero'))
    comment = []
    for line in reversed(lines[:at]):
        if not line.strip().startswith("#"):
            break
        comment.insert(0, line)
    text = " ".join(comment)
    assert "1.17" in text and "update_items()" in text


def _block_after(text: str, marker: str) -> str:
    start = text.index(marker)
    return re.search(r"```sh\n(.*?)\n```", text[start:], re.DOTALL).group(1)  # type: ignore[union-attr]


def test_the_readme_sets_up_a_virtual_environment_and_says_what_the_tests_need():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    setup = _block_after(readme, "To regenerate `bib/`")
    assert setup.startswith(
        "python3 -m venv .venv && . .venv/bin/activate && python -m pip install ."
    )
    tests = _block_after(readme, "To run the tests")
    assert (
        tests
        == ".ci/install-system-packages && python -m pip install -e '.[test]' && python -m pytest"
    )
    paragraph = readme[readme.index("To run the tests") : readme.index(tests)]
    for need in ("Debian or Ubuntu", "root or with sudo", "Without TeX", "skipped"):
        assert need in paragraph


def test_the_guide_installs_from_the_repository_in_a_virtual_environment():
    guide = (ROOT / "docs" / "guide.md").read_text(encoding="utf-8")
    line = re.search(r"`(python3 -m venv [^`]*pip install [^`]*)`", guide)
    assert line is not None
    assert (
        line.group(1)
        == "python3 -m venv .venv && . .venv/bin/activate && python -m pip install PATH"
    )
    assert "pip install atbib" not in guide  # not on the package index yet


def test_ci_fails_when_tex_tests_would_be_skipped():
    run = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "export ATBIB_REQUIRE_TEX=1" in run
    assert run.index("ATBIB_REQUIRE_TEX") < run.index('sh -c "$test_command"')


def _hooks(text: str) -> list[dict[str, str]]:
    """The entries of a pre-commit hook list (``- id: ...`` blocks of ``key: value``)."""
    hooks: list[dict[str, str]] = []
    for line in text.splitlines():
        found = re.match(r"^\s*(-\s+)?(\w+):\s*(.*?)\s*(#.*)?$", line)
        if not found:
            continue
        if found.group(1):
            hooks.append({})
        if hooks:
            hooks[-1][found.group(2)] = found.group(3).strip("'\"")
    return hooks


def test_the_pre_commit_hooks_run_check_and_lint_without_network():
    hooks = {h["id"]: h for h in _hooks((ROOT / ".pre-commit-hooks.yaml").read_text("utf-8"))}
    assert sorted(hooks) == ["atbib-check", "atbib-lint"]
    for name, hook in hooks.items():
        assert hook["entry"] == name.replace("-", " ")
        assert hook["language"] == "python" and hook["pass_filenames"] == "false"
        assert re.search(hook["files"], "README.md") and re.search(hook["files"], "pyproject.toml")
    assert re.search(hooks["atbib-check"]["files"], "bib/all.bib")
    guide = (ROOT / "docs" / "guide.md").read_text(encoding="utf-8")
    snippet = guide[guide.index("<!-- file: .pre-commit-config.yaml -->") :].split("```")[1]
    assert re.findall(r"- id: (\S+)", snippet) == ["atbib-check", "atbib-lint"]
    workflow = guide[guide.index("<!-- file: .github/workflows/bib.yml -->") :].split("```")[1]
    assert "run: atbib check --format github" in workflow
    assert "run: atbib lint --format github" in workflow


def test_shell_completion_completes_commands_and_options(tmp_path: Path):
    script = Path(sys.executable).parent / "atbib"
    source = subprocess.run(
        [str(script)],
        env={**os.environ, "_ATBIB_COMPLETE": "bash_source"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "complete -o nosort -F _atbib_completion atbib" in source.stdout
    env = {
        **os.environ,
        "_ATBIB_COMPLETE": "bash_complete",
        "COMP_WORDS": "atbib exp",
        "COMP_CWORD": "1",
    }
    words = subprocess.run([str(script)], env=env, capture_output=True, text=True, timeout=60)
    assert words.stdout.split() == ["plain,export"]
    env.update(COMP_WORDS="atbib lint --form", COMP_CWORD="2")
    option = subprocess.run([str(script)], env=env, capture_output=True, text=True, timeout=60)
    assert option.stdout.split() == ["plain,--format"]
