"""The ``atbib`` command: parse options, call the library, print. No logic lives here that a
library user could not call."""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

import click

from atbib._version import __version__
from atbib.errors import AtbibError
from atbib.zotero.cli import zotero

F = TypeVar("F", bound=Callable[..., Any])


def _reports_errors(func: F) -> F:
    """Bad input ends the command with one clear line and exit status 2, never a traceback."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except AtbibError as exc:
            click.echo(f"atbib: error: {exc}", err=True)
            sys.exit(2)
        except OSError as exc:
            click.echo(f"atbib: error: {exc.filename or ''}: {exc.strerror or exc}", err=True)
            sys.exit(2)

    return wrapper  # type: ignore[return-value]


def _paths_options(func: F) -> F:
    func = click.option(
        "--bib-dir",
        type=click.Path(file_okay=False),
        help="Folder for the .bib files [default: [tool.atbib] bib-dir, else bib].",
    )(func)
    return click.option(
        "--list",
        "list_path",
        type=click.Path(dir_okay=False),
        help="The Markdown list [default: [tool.atbib] list, else README.md].",
    )(func)


def _say(message: str) -> None:
    click.echo(f"atbib: {message}", err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="atbib")
def main() -> None:
    """Keep a Markdown paper list, per-section BibTeX files and a Zotero group in step.

    \b
    Typical use, in the folder of the list:
      atbib export        write bib/*.bib from README.md
      atbib check         exit 1 if bib/ is not what export would write (for CI)
      atbib lint          report data mistakes in the list

    Settings come from [tool.atbib] in pyproject.toml; options override them.
    """


@main.command()
@_paths_options
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
@_reports_errors
def export(list_path: str | None, bib_dir: str | None, dry_run: bool) -> None:
    """Write one .bib file per ## section, bib/all.bib with every work once, and the key
    registry bib/keys.tsv.

    Keys already in bib/keys.tsv are kept; new works get keys from the key formula.
    Only files atbib generated are replaced or removed.
    """
    from atbib.project import export_project, load_project, locked_project

    if dry_run:
        project = load_project(list_path, bib_dir)
        changes = export_project(project, dry_run=True)
    else:
        with locked_project(list_path, bib_dir, on_wait=_say) as project:
            changes = export_project(project)
    verb = "would write" if dry_run else "wrote"
    for name in changes.written:
        click.echo(f"{verb} {project.bib_display}/{name}")
    for name in changes.removed:
        click.echo(f"{'would remove' if dry_run else 'removed'} {project.bib_display}/{name}")
    for name in changes.leftovers:
        click.echo(
            f"{'would remove' if dry_run else 'removed'} {project.bib_display}/{name} "
            "(left by an interrupted run)"
        )
    bib = changes.bibliography
    new = [w.key for w in bib.works if w.new_key]
    shown = ", ".join(new[:10]) + (f" and {len(new) - 10} more" if len(new) > 10 else "")
    click.echo(
        f"{len(bib.works)} works from {len(project.library.items)} entries; "
        f"{len(changes.written)} files changed, {len(changes.unchanged)} unchanged"
        + (f"; {len(new)} new keys: {shown}" if new else "")
    )
    for problem in project.library.problems:
        click.echo(f"{problem} (kept as written)", err=True)


@main.command()
@_paths_options
@_reports_errors
def check(list_path: str | None, bib_dir: str | None) -> None:
    """Exit 0 when bib/ is exactly what `atbib export` would write, else 1 naming the stale
    files. Use it in CI or as a pre-commit hook."""
    from atbib.project import export_project, load_project

    project = load_project(list_path, bib_dir)
    changes = export_project(project, dry_run=True)
    if not changes.written and not changes.removed and not changes.leftovers:
        click.echo(f"{project.bib_display}/ is up to date with {project.list_display}")
        return
    for name in changes.written:
        state = "missing" if name in changes.created else "differs"
        click.echo(f"{project.bib_display}/{name}: {state}", err=True)
    for name in changes.removed:
        click.echo(f"{project.bib_display}/{name}: no longer generated", err=True)
    for name in changes.leftovers:
        click.echo(
            f"{project.bib_display}/{name}: temporary file left by an interrupted run", err=True
        )
    click.echo(
        f"{project.bib_display}/ is stale: run `atbib export` and commit the result", err=True
    )
    sys.exit(1)


@main.command()
@_paths_options
@click.option(
    "--min-severity",
    type=click.Choice(["info", "warning", "error"]),
    default="warning",
    show_default=True,
    help="Hide problems below this severity.",
)
@_reports_errors
def lint(list_path: str | None, bib_dir: str | None, min_severity: str) -> None:
    """Report data mistakes in the list with file:line and severity.

    Errors: broken (empty or relative) links, authors that repeat the title, a venue year
    before the arXiv identifier, a work listed twice in one subsection. Warnings: unknown
    venues, suspicious dates, duplicates across subsections, near-duplicate titles, lines
    that could not be read. Info: entries without authors. Exit 1 only when there are errors.
    """
    from atbib.lint import SEVERITIES
    from atbib.lint import lint as run_lint
    from atbib.project import load_project

    project = load_project(list_path, bib_dir)
    problems = run_lint(project.library)
    floor = SEVERITIES.index(min_severity)
    counts = {s: sum(p.severity == s for p in problems) for s in SEVERITIES}
    for problem in problems:
        if SEVERITIES.index(problem.severity) >= floor:
            click.echo(str(problem))
    click.echo(
        f"{counts['error']} errors, {counts['warning']} warnings, {counts['info']} info"
        + (f" (shown: {min_severity} and above)" if floor else "")
    )
    if counts["error"]:
        sys.exit(1)


main.add_command(zotero)
