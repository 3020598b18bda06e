"""The ``atbib`` command: parse options, call the library, print. No logic lives here that a
library user could not call."""

from __future__ import annotations

import atexit
import gc
import sys
from typing import TYPE_CHECKING, Any

import click

from atbib._version import __version__
from atbib.cli_common import paths_options, reports_errors
from atbib.zotero.cli import zotero

if TYPE_CHECKING:
    from atbib.importing import ImportPlan


def _say(message: str) -> None:
    click.echo(f"atbib: {message}", err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="atbib")
@click.option(
    "--debug",
    is_flag=True,
    help="Show the traceback of an error, and log what atbib and its HTTP client do (every "
    "Zotero request) on standard error. The Zotero API key is masked everywhere.",
)
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """Keep a Markdown paper list, per-section BibTeX files and a Zotero group in step.

    \b
    Typical use, in the folder of the list:
      atbib export        write bib/*.bib from README.md
      atbib check         exit 1 if bib/ is not what export would write (for CI)
      atbib lint          report data mistakes in the list
      atbib import X.bib --section "Transformer / Papers"
                          add the works of a .bib file to the list
      atbib import --update bib/
                          take hand edits of bib/*.bib into the list
      atbib render X.bib  print a new list made from .bib files

    Settings come from [tool.atbib] in pyproject.toml; options override them.
    `atbib --debug COMMAND` shows tracebacks and HTTP requests, with the API key masked.
    """
    # A command is one short run that builds every record of the list and keeps it until it
    # exits, so the cycle collector only walks live data again and again (a quarter of an
    # export of 100,000 entries). atbib's data holds no reference cycles; the few that other
    # code makes are freed with the process.
    gc.disable()
    # The interpreter's teardown runs one last collection, which would walk every object the
    # command left alive (0.26 s after exporting 100,000 entries) for the few cycles among
    # them, whose memory goes with the process anyway. atexit handlers run before it: the
    # objects are moved to the permanent generation, which it skips (files are closed by
    # their with blocks, never by a collection; objects outside cycles are freed as before).
    atexit.register(gc.freeze)
    ctx.ensure_object(dict)["debug"] = debug
    if debug:
        from atbib.masking import debug_logging

        ctx.with_resource(debug_logging())


@main.command()
@paths_options()
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
@reports_errors()
def export(list_path: str | None, bib_dir: str | None, dry_run: bool) -> None:
    """Write one .bib file per ## section, bib/all.bib with every work once, and the key
    registry bib/keys.tsv.

    Keys already in bib/keys.tsv are kept; new works get keys from the key formula.
    Only files atbib generated are replaced or removed.
    """
    from atbib.export import summary
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
    for path in changes.leftovers:
        click.echo(
            f"{'would remove' if dry_run else 'removed'} {path} (left by an interrupted run)"
        )
    bib = changes.bibliography
    new = [w.key for w in bib.works if w.new_key]
    shown = ", ".join(new[:10]) + (f" and {len(new) - 10} more" if len(new) > 10 else "")
    click.echo(
        f"{summary(bib.works, project.library)}; "
        f"{len(changes.written)} files changed, {len(changes.unchanged)} unchanged"
        + (f"; {len(new)} new keys: {shown}" if new else "")
    )
    for problem in project.library.problems:
        click.echo(f"{problem} (kept as written)" if problem.line else str(problem), err=True)


@main.command()
@paths_options()
@reports_errors()
def check(list_path: str | None, bib_dir: str | None) -> None:
    """Exit 0 when bib/ is exactly what `atbib export` would write, else 1 naming the stale
    files. Use it in CI or as a pre-commit hook."""
    from atbib.project import export_project, hand_edits, load_project

    project = load_project(list_path, bib_dir)
    changes = export_project(project, dry_run=True)
    if not changes.written and not changes.removed and not changes.leftovers:
        click.echo(f"{project.bib_display}/ is up to date with {project.list_display}")
        return
    differences = hand_edits(project, changes)
    edited = any(differences.values())
    for name in changes.written:
        state = "missing" if name in changes.created else "differs"
        click.echo(f"{project.bib_display}/{name}: {state}", err=True)
        found = differences.get(name)
        if found is not None:
            for difference in found[:_MAX_SHOWN]:
                where = f"{project.bib_display}/{name}:{difference.line or '-'}"
                click.echo(f"  {where}: {difference.describe()}", err=True)
            if len(found) > _MAX_SHOWN:
                click.echo(f"  ... and {len(found) - _MAX_SHOWN} more differences", err=True)
    for name in changes.removed:
        click.echo(f"{project.bib_display}/{name}: no longer generated", err=True)
    for leftover in changes.leftovers:
        click.echo(f"{leftover}: temporary file left by an interrupted run", err=True)
    click.echo(
        f"{project.bib_display}/ is stale: run `atbib export` and commit the result", err=True
    )
    if edited:
        click.echo(
            f"if the differences are hand edits to keep, run `atbib import --update "
            f"{project.bib_display}/` first: it takes them into {project.list_display}",
            err=True,
        )
    sys.exit(1)


_MAX_SHOWN = 20


@main.command()
@paths_options()
@click.option(
    "--min-severity",
    type=click.Choice(["info", "warning", "error"]),
    default="warning",
    show_default=True,
    help="Hide problems below this severity.",
)
@reports_errors()
def lint(list_path: str | None, bib_dir: str | None, min_severity: str) -> None:
    """Report data mistakes in the list with file:line and severity.

    Errors: broken (empty or relative) links, authors that repeat the title, a work listed
    twice in one subsection. Warnings: unknown venues, suspicious dates, duplicates across
    subsections, near-duplicate titles, one link on two different works, items that could not
    be read, a list read poorly. Info: entries without authors. Exit 1 only when there are
    errors.
    """
    from atbib.lint import SEVERITIES
    from atbib.lint import lint as run_lint
    from atbib.model import Severity
    from atbib.project import load_project

    project = load_project(list_path, bib_dir)
    problems = run_lint(project.library)
    floor = SEVERITIES.index(Severity(min_severity))
    counts = {s: sum(p.severity == s for p in problems) for s in SEVERITIES}
    for problem in problems:
        if SEVERITIES.index(problem.severity) >= floor:
            click.echo(str(problem))
    click.echo(
        f"{counts[Severity.ERROR]} errors, {counts[Severity.WARNING]} warnings, "
        f"{counts[Severity.INFO]} info" + (f" (shown: {min_severity} and above)" if floor else "")
    )
    if counts[Severity.ERROR]:
        sys.exit(1)


def _plan_and_save(
    list_path: str | None, bib_dir: str | None, plan_for: Any, dry_run: bool
) -> tuple[Any, Any, list[str]]:
    """:func:`atbib.project.plan_and_save`, then the temporary files a killed run left."""
    from atbib.project import plan_and_save

    project, plan, written = plan_and_save(
        list_path, bib_dir, plan_for, dry_run=dry_run, on_wait=_say
    )
    _report_leftovers(project)
    return project, plan, written


def _report_leftovers(project: Any) -> None:
    """Temporary files a killed run left: removed by a writing run, only named by a dry one
    (``atbib check`` reports them too)."""
    import os

    for path in project.leftovers:
        verb = "found" if path.exists() else "removed"
        click.echo(f"atbib: {verb} {os.path.relpath(path)} (left by an interrupted run)", err=True)


def _report(problems: Any) -> None:
    for problem in problems:
        click.echo(str(problem), err=True)


@main.command("import")
@paths_options()
@click.argument("files", nargs=-1, type=click.Path(exists=True))
@click.option(
    "--section",
    "-s",
    help='Subsection to add the works to, "Section / Subsection" (created when missing).',
)
@click.option(
    "--fill",
    is_flag=True,
    help="Complete works already in the list: authors, venue or a link their entries lack, "
    "and the source's other fields for bib/.",
)
@click.option(
    "--update",
    is_flag=True,
    help="Take hand edits of the generated files in FILES (default: the bib folder) into "
    "the list, so the next export keeps them.",
)
@click.option("--dry-run", is_flag=True, help="Print what would change; write nothing.")
@reports_errors()
def import_(
    list_path: str | None,
    bib_dir: str | None,
    files: tuple[str, ...],
    section: str | None,
    fill: bool,
    update: bool,
    dry_run: bool,
) -> None:
    """Add the entries of .bib files (Google Scholar, DBLP, ACL Anthology, arXiv, Zotero,
    Better BibTeX, JabRef...) to the list, in house style.

    \b
      atbib import refs.bib --section "Transformer / Papers" [--dry-run] [--fill]
      atbib import --update bib/

    Works already in the list (same arXiv id, DOI, ACL or OpenReview id, or the same title)
    are reported, not added twice. A key an entry carries is kept when no other work has it;
    fields the list cannot show (pages, publisher, doi...) are kept in bib/extra.bib for
    export. Only the lines of added or filled entries change. A malformed file stops the
    import with every error (file:line) before anything is written.
    """
    if update:
        if section or fill:
            raise click.UsageError("--update takes no --section or --fill")
        _import_update(list_path, bib_dir, files, dry_run)
        return
    if not section:
        raise click.UsageError('give the subsection to add to: --section "Section / Subsection"')
    if not files:
        raise click.UsageError("give the .bib files to import")
    from atbib.headings import split_section_path

    path = split_section_path(section)
    if not path:
        raise click.UsageError(f"--section {section!r} names no section")
    from atbib.importing import plan_import, sources_of
    from atbib.project import read_bib_files

    loaded = read_bib_files(files)
    for bib in loaded:
        _report(bib.problems)
    sources = sources_of(loaded)

    def run(project: Any) -> Any:
        return plan_import(
            project.library,
            project.registry,
            project.kept,
            sources,
            path,
            fill=fill,
            formula=project.config.key_formula,
        )

    project, plan, written = _plan_and_save(list_path, bib_dir, run, dry_run)
    _report_import(plan, project.list_display, path, dry_run, written)


def _report_import(
    plan: ImportPlan, where: str, path: tuple[str, ...], dry_run: bool, written: list[str]
) -> None:
    """What an import did (or would do) to the list at *where*, section *path*."""
    for repeat in plan.repeated:
        click.echo(
            f"{repeat.source.where}: {repeat.source.entry.key} is the same work as "
            f"{repeat.first.entry.key} ({repeat.first.where}); left out",
            err=True,
        )
    for known in plan.known:
        lines = ", ".join(f"{where}:{line}" for line in known.lines)
        did = ""
        if known.filled or known.kept:
            verb = "would fill" if dry_run else "filled"
            parts = list(known.filled) + (
                [f"bib fields {', '.join(known.kept)}"] if known.kept else []
            )
            did = f"; {verb} {', '.join(parts)}"
        click.echo(
            f"{known.source.where}: {known.source.entry.key} is already in the list ({lines}){did}"
        )
    verb = "would add" if dry_run else "added"
    for added in plan.added:
        click.echo(f"{verb} {added.line}")
    heading = " / ".join(path)
    click.echo(
        f"{verb} {len(plan.added)} works to {heading}; {len(plan.known)} already in the list"
        + (f", {len(plan.repeated)} repeated in the input" if plan.repeated else "")
        + (f"; wrote {', '.join(written)}" if written else "")
        + ("; run `atbib export` to update bib/" if written else "")
    )


def _import_update(
    list_path: str | None, bib_dir: str | None, files: tuple[str, ...], dry_run: bool
) -> None:
    from atbib.project import plan_update_from

    def run(project: Any) -> Any:
        plan, loaded = plan_update_from(project, files)
        for bib in loaded:
            _report(p for p in bib.problems if p.severity != "info")
        return plan

    _, plan, written = _plan_and_save(list_path, bib_dir, run, dry_run)
    verb = "would take" if dry_run else "took"
    for edit in plan.edits:
        parts = list(edit.aspects) + ([f"kept {', '.join(edit.kept)}"] if edit.kept else [])
        click.echo(f"{edit.where}: {edit.key}: {verb} {', '.join(parts) or 'nothing'}")
        for ignored in edit.ignored:
            click.echo(f"{edit.where}: {edit.key}: not taken: {ignored}", err=True)
    for added in plan.added:
        click.echo(f"{added.source.where}: {'would add' if dry_run else 'added'} {added.line}")
    for conflict in plan.conflicts:
        click.echo(f"atbib: conflict: {conflict}", err=True)
    for note in plan.notes:
        click.echo(note, err=True)
    click.echo(
        f"{len(plan.edits)} hand-edited entries, {len(plan.added)} new"
        + (f"; wrote {', '.join(written)}" if written else "")
        + ("; run `atbib export` to regenerate bib/" if written else "")
    )
    if plan.conflicts:
        sys.exit(1)


@main.command()
@click.argument("bibs", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    help="Write the list to this file (atomically) instead of standard output.",
)
@click.option("--title", help="A # title for the list.")
@reports_errors()
def render(bibs: tuple[str, ...], output: str | None, title: str | None) -> None:
    """Write a Markdown list in house style from .bib files: a ## section per file, ###
    subsections from the entries' subsection field (one subsection, Papers, when there is
    none). A way to start a list from a bibliography.

    A list line cannot hold a citation key or pages: to keep the entries' keys and fields
    for bib/, add them with `atbib import FILE --section ...` instead."""
    from atbib.files import write_text_atomic
    from atbib.importing import plan_render
    from atbib.project import read_bib_files

    loaded = read_bib_files(bibs)
    for bib in loaded:
        _report(bib.problems)
    plan = plan_render(loaded, title=title)
    for repeat in plan.repeated:
        click.echo(
            f"{repeat.source.where}: {repeat.source.entry.key} is the same work as "
            f"{repeat.first.entry.key} ({repeat.first.where}); listed once",
            err=True,
        )
    if output:
        write_text_atomic(output, plan.text)
        click.echo(f"wrote {output}: {len(plan.records)} works", err=True)
    else:
        click.echo(plan.text, nl=False)


main.add_command(zotero)
