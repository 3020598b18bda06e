"""How an ``atbib`` command prints: one :class:`Output` per run, made from ``-q``, ``-v`` and
``--format`` by :class:`atbib.cli_common.Command`, so every command treats them alike.

- ``finding``: what the command exists to say (a stale file, a lint finding); always shown.
- ``report``: what was done and the summary; not with ``-q``.
- ``detail``: more of the same; only with ``-v``.
- ``problem``: a problem of the input (``file:line: severity: message``) on standard error;
  ``info`` ones not with ``-q``.

With ``--format json`` (or ``github``) standard output holds only that document; messages
on standard error are unchanged. Colour goes to a terminal only, never when ``NO_COLOR`` is
set (https://no-color.org).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from atbib.model import Problem

_KEY = "atbib.output"
"""Key of ``Context.meta`` holding the run's :class:`Output`."""
_COLOURS: dict[str, dict[str, Any]] = {
    "error": {"fg": "red", "bold": True},
    "warning": {"fg": "yellow"},
    "info": {"fg": "cyan"},
    "ok": {"fg": "green"},
}


@dataclass(frozen=True)
class Output:
    """The run's printing settings (see the module docstring)."""

    quiet: bool = False
    verbose: bool = False
    format: str = "text"

    @property
    def text(self) -> bool:
        """Whether the result is printed for people (``--format text``)."""
        return self.format == "text"

    def _echo(self, message: str, err: bool) -> None:
        if err or self.text:
            click.echo(message, err=err, color=False if os.environ.get("NO_COLOR") else None)

    def finding(self, message: str, *, err: bool = False) -> None:
        self._echo(message, err)

    def report(self, message: str, *, err: bool = False) -> None:
        if not self.quiet:
            self._echo(message, err)

    def detail(self, message: str, *, err: bool = False) -> None:
        if self.verbose:
            self._echo(message, err)

    def problem(self, problem: Problem, *, suffix: str = "", err: bool = True) -> None:
        """A problem of the input, its severity in colour, with *suffix* after it."""
        if problem.severity == "info" and self.quiet:
            return
        self._echo(format_problem(problem) + suffix, err)

    def problems(self, problems: Iterable[Problem], *, suffix: str = "") -> None:
        for problem in problems:
            self.problem(problem, suffix=suffix)

    def document(self, doc: Mapping[str, Any] | list[Any]) -> None:
        """The result as JSON on standard output (``--format json``)."""
        click.echo(json.dumps(doc, ensure_ascii=False, indent=2, default=str))

    def lines(self, lines: Iterable[str]) -> None:
        """Lines for a program on standard output (``--format github``)."""
        for line in lines:
            click.echo(line)


def say(message: str) -> None:
    """A note on standard error (waiting for the lock, a leftover removed), unless ``-q``."""
    output().report(f"atbib: {message}", err=True)


def paint(text: str, role: str) -> str:
    """*text* in the colour of *role* (``error``, ``warning``, ``info``, ``ok``); stripped
    again by :meth:`Output._echo` when the output is no terminal or ``NO_COLOR`` is set."""
    return click.style(text, **_COLOURS[role])


def format_problem(problem: Problem) -> str:
    """``file:line[:column]: severity: message``, the severity in colour."""
    where, _, rest = str(problem).partition(f": {problem.severity}: ")
    return f"{where}: {paint(str(problem.severity), str(problem.severity))}: {rest}"


def set_output(ctx: click.Context, out: Output) -> None:
    ctx.meta[_KEY] = out


def output() -> Output:
    """The running command's :class:`Output` (the defaults outside a command)."""
    ctx = click.get_current_context(silent=True)
    found = ctx.meta.get(_KEY) if ctx is not None else None
    return found if isinstance(found, Output) else Output()


def annotation(
    level: str, message: str, *, file: str, line: int = 0, col: int = 0, title: str = ""
) -> str:
    """A GitHub Actions workflow command that annotates *file* (``::error file=...::...``)."""
    props = [f"file={_escape_property(file)}"]
    if line:
        props.append(f"line={line}")
    if col:
        props.append(f"col={col}")
    if title:
        props.append(f"title={_escape_property(title)}")
    return f"::{level} {','.join(props)}::{_escape_data(message)}"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def plural(count: int, word: str, many: str | None = None) -> str:
    """``1 work``, ``2 works`` (*many* for a plural that is not *word* + ``s``)."""
    return f"{count} {word if count == 1 else many or word + 's'}"


def problem_json(problem: Problem) -> dict[str, Any]:
    """A problem as ``--format json`` gives it (the guide's Machine-readable output)."""
    return {
        "path": problem.path,
        "line": problem.line,
        "column": problem.column,
        "severity": str(problem.severity),
        "code": problem.code,
        "message": problem.message,
        "fixable": problem.fix is not None,
    }


def problem_annotation(problem: Problem, title: str) -> str:
    """A problem as ``--format github`` gives it: an annotation of its file and line."""
    level = {"error": "error", "warning": "warning"}.get(str(problem.severity), "notice")
    return annotation(
        level,
        problem.message,
        file=problem.path,
        line=problem.line,
        col=problem.column,
        title=f"{title} ({problem.code})" if problem.code else title,
    )
