"""``atbib lint``: parse options, call :func:`atbib.project.lint_project`, print."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

import click

from atbib.cli_common import FINDINGS, Command, paths_options
from atbib.cli_output import (
    format_problem,
    output,
    plural,
    problem_annotation,
    problem_json,
    say,
)

if TYPE_CHECKING:
    from atbib.model import Problem
    from atbib.project import LintRun

SEVERITY_NAMES = ("info", "warning", "error")


def _codes(ctx: click.Context, param: click.Parameter, values: Sequence[str]) -> tuple[str, ...]:
    """Rule codes, comma-separated or repeated; an unknown one is a usage error."""
    from atbib.rules import check_codes

    codes = [code.strip() for value in values for code in value.split(",") if code.strip()]
    try:
        return check_codes(codes, f"--{param.name}")
    except ValueError as exc:
        raise click.BadParameter(str(exc).removeprefix(f"--{param.name}: "), ctx, param) from None


def _rules_help() -> str:
    from atbib.rules import RULES

    return "\b\nRules (* fixable):\n" + "\n".join(
        f"  {code:<21}{'*' if rule.fixable else ' '} {rule.severity:<8} {rule.summary}"
        for code, rule in RULES.items()
    )


@click.command(
    cls=Command,
    findings="errors were found (warnings and info alone exit 0)",
    done="no errors",
    formats=("json", "github"),
    epilog=_rules_help(),
)
@paths_options()
@click.option(
    "--min-severity",
    type=click.Choice(SEVERITY_NAMES),
    default="warning",
    show_default=True,
    help="Hide findings below this severity.",
)
@click.option(
    "--select",
    multiple=True,
    callback=_codes,
    metavar="CODES",
    help="Check only these rules (comma-separated; replaces [tool.atbib.lint] select).",
)
@click.option(
    "--ignore",
    multiple=True,
    callback=_codes,
    metavar="CODES",
    help="Do not check these rules (comma-separated; added to [tool.atbib.lint] ignore).",
)
@click.option("--fix", is_flag=True, help="Apply the fixes of the fixable findings (marked *).")
@click.option("--diff", is_flag=True, help="With --fix: print the fixes as a diff; write nothing.")
def lint(
    list_path: str | None,
    bib_dir: str | None,
    min_severity: str,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    fix: bool,
    diff: bool,
) -> None:
    """Report data mistakes in the list: file:line:column, severity, message and rule code.

    A finding judged harmless is silenced on its own line with a comment at the end of the
    entry, <!-- atbib: ignore[unknown-venue] --> (several codes: ignore[a, b]; every code:
    ignore). Rules are chosen with --select and --ignore, or [tool.atbib.lint] select and
    ignore.
    """
    from atbib.project import diff_files, lint_project

    if diff and not fix:
        raise click.UsageError("--diff shows the fixes: give --fix too")
    run = lint_project(
        list_path,
        bib_dir,
        select=select or None,
        ignore=ignore,
        fix=fix,
        dry_run=diff,
        on_wait=say,
    )
    out = output()
    if out.format == "json":
        out.document(_lint_json(run))
    elif out.format == "github":
        out.lines(problem_annotation(p, "atbib lint") for p in run.findings)
    elif diff:
        click.echo(diff_files(run.project, dict(run.files)), nl=False)
    else:
        _report(run, min_severity)
    if any(p.severity == "error" for p in run.findings):
        sys.exit(FINDINGS)


def _report(run: LintRun, min_severity: str) -> None:
    out = output()
    floor = SEVERITY_NAMES.index(min_severity)
    for problem in run.findings:
        if SEVERITY_NAMES.index(problem.severity) >= floor:
            out.finding(_line(problem))
    if run.fixed:
        written = ", ".join(run.project.display(path) for path in run.files)
        out.report(f"fixed {plural(len(run.fixed), 'finding')}; wrote {written}")
    counts = {s: sum(p.severity == s for p in run.findings) for s in SEVERITY_NAMES}
    fixable = sum(p.fix is not None for p in run.findings)
    out.report(
        f"{plural(counts['error'], 'error')}, {plural(counts['warning'], 'warning')}, "
        f"{counts['info']} info"
        + (f" (shown: {min_severity} and above)" if floor else "")
        + (f"; {fixable} fixable with --fix" if fixable else "")
    )


def _line(problem: Problem) -> str:
    return format_problem(problem) + f" [{problem.code}]" + (" *" if problem.fix else "")


def _lint_json(run: LintRun) -> dict[str, object]:
    counts = {s: sum(p.severity == s for p in run.findings) for s in SEVERITY_NAMES}
    return {
        "findings": [problem_json(p) for p in run.findings],
        "counts": {s: counts[s] for s in reversed(SEVERITY_NAMES)},
        "fixed": [problem_json(p) for p in run.fixed],
    }
