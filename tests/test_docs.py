"""Every example in docs/ runs, so the documentation cannot drift from the code.

docs/guide.md is run as a story, block by block, in one empty folder:

- a block preceded by ``<!-- file: NAME -->`` is written to NAME;
- a ``python`` block runs on its own, in a namespace of its own (imports included), as a
  reader who copies it would run it; its current folder is the story's folder;
- a ``sh`` block runs with ``sh -e``, with the installed ``atbib`` first on PATH;
- a ``text`` block preceded by ``<!-- output -->`` (or ``<!-- output, exit N -->``) is what
  the block before it must print (standard output and error together) and how it must exit.

Any other block fails the test: a block that is not run is not an example. A local Zotero
API server (tests/zoteroapi) stands in for zotero.org, reached through the same environment
variables a user sets (``ZOTERO_API_KEY``, ``ATBIB_ZOTERO_ENDPOINT``).

docs/api.md is generated from the docstrings (tests/test_api.py keeps it current); its
``python`` examples run here, its ``pycon`` examples run as doctests, and the signatures
(marked ``<!-- signature -->``) must be valid Python.
"""

from __future__ import annotations

import contextlib
import doctest
import io
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

import atbib
from tests.conftest import ROOT

DOCS = ROOT / "docs"
_BLOCK = re.compile(
    r"(?:^<!-- (?P<marker>[^\n]*?) -->\n)?^```(?P<lang>[\w-]*)\n(?P<body>.*?)^```$",
    re.MULTILINE | re.DOTALL,
)
_OUTPUT = re.compile(r"output(?:, exit (?P<code>\d+))?")

COVERED_ELSEWHERE = {
    "python -m pip install -e . && python -m bench\n": "tests/test_bench.py runs the suite",
}
"""Blocks too slow to run here, and the test that runs them."""


@dataclass
class Block:
    lang: str
    body: str
    marker: str
    line: int


def blocks(path: Path) -> list[Block]:
    text = path.read_text(encoding="utf-8")
    return [
        Block(
            m.group("lang"),
            m.group("body"),
            m.group("marker") or "",
            text.count("\n", 0, m.start()) + 1,
        )
        for m in _BLOCK.finditer(text)
    ]


def test_every_block_of_every_page_is_an_example_that_runs_somewhere():
    for page in sorted(DOCS.glob("*.md")):
        for block in blocks(page):
            where = f"{page.name}:{block.line}"
            runs = (
                block.marker == "signature"
                or block.marker.startswith("file: ")
                or _OUTPUT.fullmatch(block.marker)
                or block.lang in ("python", "sh", "pycon")
                or block.body in COVERED_ELSEWHERE
            )
            assert runs, f"{where}: a ```{block.lang} block that is not run as an example"
            if page.name != "guide.md" and block.lang == "sh":
                assert block.body in COVERED_ELSEWHERE, (
                    f"{where}: shell examples belong in the guide"
                )


@pytest.fixture
def story(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, zotero_server) -> dict[str, str]:
    from tests.zoteroapi import DEFAULT_KEY

    monkeypatch.chdir(tmp_path)
    env = {
        "ZOTERO_API_KEY": DEFAULT_KEY,
        "ATBIB_ZOTERO_ENDPOINT": zotero_server.endpoint,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "COLUMNS": "200",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert zotero_server.group_id == 12345  # the group the guide's examples name
    assert (Path(sys.executable).parent / "atbib").exists(), "atbib is not installed"
    return dict(os.environ)


def _run_python(body: str, namespace: dict[str, object], where: str) -> tuple[str, int]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(body, where, "exec"), namespace)  # the docs' own examples
    return out.getvalue(), 0


def _run_sh(body: str, env: dict[str, str]) -> tuple[str, int]:
    done = subprocess.run(
        ["sh", "-e", "-c", body],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=120,
    )
    return done.stdout, done.returncode


def test_the_guide_runs_as_written(story: dict[str, str], tmp_path: Path):
    page = DOCS / "guide.md"
    pending: tuple[str, str, int] | None = None  # (where, output, exit status) to compare
    ran = 0
    for block in blocks(page):
        where = f"{page.name}:{block.line}"
        expected = _OUTPUT.fullmatch(block.marker)
        if expected:
            assert pending is not None, f"{where}: an output block after no example"
            origin, output, status = pending
            assert output == block.body, f"{origin}: the output differs from {where}"
            assert status == int(expected.group("code") or 0), f"{origin}: exit status {status}"
            pending = None
            continue
        if pending is not None:
            origin, output, status = pending
            assert status == 0, f"{origin}: exit status {status}:\n{output}"
            pending = None
        if block.marker.startswith("file: "):
            target = tmp_path / block.marker[6:]
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(block.body, encoding="utf-8")
        elif block.lang == "python":
            pending = (where, *_run_python(block.body, {"__name__": "guide"}, where))
        elif block.lang == "sh":
            pending = (where, *_run_sh(block.body, story))
        else:
            pytest.fail(f"{where}: a ```{block.lang} block that is not run")
        ran += 1
    if pending is not None:
        assert pending[2] == 0, f"{pending[0]}: exit status {pending[2]}:\n{pending[1]}"
    assert ran >= 12


def test_the_reference_examples_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    page = DOCS / "api.md"
    parser = doctest.DocTestParser()
    runner = doctest.DocTestRunner()
    star = {name: getattr(atbib, name) for name in atbib.__all__}  # "from atbib import *"
    for block in blocks(page):
        where = f"{page.name}:{block.line}"
        if block.marker == "signature":  # a declaration: valid Python, current by test_api
            declaration = block.body.rstrip().removeprefix("class ")
            compile(f"def {declaration}: ...\n", where, "exec")
        elif block.lang == "python":
            _run_python(block.body, {"__name__": "api"}, where)
        elif block.lang == "pycon":
            runner.run(parser.get_doctest(block.body, dict(star), where, str(page), block.line))
    assert runner.failures == 0 and runner.tries >= 15
