"""``atbib import``: parse options, call :func:`atbib.project.import_bib` (or, with
``--update``, :func:`atbib.project.plan_update_from`), print."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from atbib.cli_common import FINDINGS, Command, paths_options
from atbib.cli_output import output, plural, say

if TYPE_CHECKING:
    from atbib.importing import ImportPlan, UpdatePlan
    from atbib.project import ImportRun, Project

DIFF_HELP = "Print what would change as a unified diff; write nothing (implies --dry-run)."


@click.command(
    "import",
    cls=Command,
    findings="--update left conflicts (a field edited differently in two files)",
    formats=("json",),
)
@paths_options()
@click.argument("files", nargs=-1, type=click.Path(exists=True, allow_dash=True))
@click.option(
    "--section",
    "-s",
    help='The section to add the works to, "Section / Subsection", as the list names it '
    "(case aside).",
)
@click.option(
    "--create-section",
    is_flag=True,
    help="Create the --section when the list has no such section.",
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
@click.option("--diff", is_flag=True, help=DIFF_HELP)
def import_(
    list_path: str | None,
    bib_dir: str | None,
    files: tuple[str, ...],
    section: str | None,
    create_section: bool,
    fill: bool,
    update: bool,
    dry_run: bool,
    diff: bool,
) -> None:
    """Add the entries of .bib files (Google Scholar, DBLP, ACL Anthology, arXiv, Zotero,
    Better BibTeX, JabRef...; `-`: standard input) to the list, in house style.

    \b
      atbib import refs.bib --section "Transformer / Papers" [--dry-run] [--fill]
      atbib import --update bib/

    Works already in the list (same arXiv id, DOI, ACL or OpenReview id, or the same title)
    are reported, not added twice. A key an entry carries is kept when no other work has it;
    fields the list cannot show (pages, publisher, doi...) are kept in bib/extra.bib for
    export. Only the lines of added or filled entries change. A malformed file, or one
    without entries, stops the import with every error (file:line) before anything is
    written; so does a section the list does not have, unless --create-section.
    """
    dry_run = dry_run or diff
    if update:
        if section or fill or create_section:
            raise click.UsageError("--update takes no --section, --create-section or --fill")
        _update(list_path, bib_dir, files, dry_run, diff)
        return
    path = _section_path(section)
    if not files:
        raise click.UsageError("give the .bib files to import (- for standard input)")
    from atbib.importing import sources_of
    from atbib.project import import_bib, read_bib_files

    out = output()
    loaded = read_bib_files(files, entries_required=True)
    for bib in loaded:
        out.problems(bib.problems)
    run = import_bib(
        list_path,
        bib_dir,
        sources_of(loaded),
        path,
        create=create_section,
        fill=fill,
        dry_run=dry_run,
        on_wait=say,
    )
    _report_leftovers(run.project)
    if not out.text:
        out.document(_import_json(run, dry_run))
        return
    if diff:
        _print_diff(run.project, run.files)
    _report_import(run, dry_run, err=diff)


def _section_path(section: str | None) -> tuple[str, ...]:
    """The section path ``--section`` names; a usage error when it names none."""
    if section is None:
        raise click.UsageError('give the section to add to: --section "Section / Subsection"')
    from atbib.headings import split_section_path

    path = split_section_path(section)
    if not path:
        raise click.UsageError(f"--section {section!r} names no section")
    return path


def _report_leftovers(project: Project) -> None:
    """Temporary files a killed run left: removed by a writing run, only named by a dry one
    (``atbib check`` reports them too)."""
    for path in project.leftovers:
        verb = "found" if path.exists() else "removed"
        say(f"{verb} {project.display(path)} (left by an interrupted run)")


def _print_diff(project: Project, files: dict[Path, str]) -> None:
    from atbib.project import diff_files

    click.echo(diff_files(project, dict(files)), nl=False)


def _written(project: Project, files: dict[Path, str], dry_run: bool) -> str:
    """``; wrote A, B; run `atbib export` to update bib/`` (the files and the bib folder as
    the user would type them), or ``""`` when nothing was written."""
    if not files or dry_run:
        return ""
    names = ", ".join(project.display(path) for path in files)
    return f"; wrote {names}; run `atbib export` to update {project.bib_display}/"


def _report_import(run: ImportRun, dry_run: bool, err: bool) -> None:
    """What an import did (or would do) to the list."""
    out = output()
    plan, where = run.plan, run.project.list_display
    for repeat in plan.repeated:
        out.report(
            f"{repeat.source.where}: {repeat.source.entry.key} is the same work as "
            f"{repeat.first.entry.key} ({repeat.first.where}); left out",
            err=True,
        )
    for created in run.target.created:
        verb = "would create" if dry_run else "created"
        out.report(f"{verb} section {' / '.join(created)} in {where}", err=err)
    for known in plan.known:
        lines = ", ".join(f"{where}:{line}" for line in known.lines)
        parts = list(known.filled) + ([f"bib fields {', '.join(known.kept)}"] if known.kept else [])
        did = f"; {'would fill' if dry_run else 'filled'} {', '.join(parts)}" if parts else ""
        out.report(
            f"{known.source.where}: {known.source.entry.key} is already in the list ({lines}){did}",
            err=err,
        )
    verb = "would add" if dry_run else "added"
    for added in plan.added:
        out.report(f"{verb} {added.line}", err=err)
    out.report(
        f"{verb} {plural(len(plan.added), 'work')} to {' / '.join(run.target.path)}; "
        f"{len(plan.known)} already in the list"
        + (f", {len(plan.repeated)} repeated in the input" if plan.repeated else "")
        + _written(run.project, run.files, dry_run),
        err=err,
    )


def _import_json(run: ImportRun, dry_run: bool) -> dict[str, Any]:
    plan: ImportPlan = run.plan
    return {
        "dry_run": dry_run,
        "list": run.project.list_display,
        "section": " / ".join(run.target.path),
        "created_sections": [" / ".join(path) for path in run.target.created],
        "added": [{"key": a.key, "source": a.source.where, "line": a.line} for a in plan.added],
        "known": [
            {
                "key": k.source.entry.key,
                "source": k.source.where,
                "lines": list(k.lines),
                "filled": list(k.filled),
                "kept": list(k.kept),
            }
            for k in plan.known
        ],
        "repeated": [
            {"key": r.source.entry.key, "source": r.source.where, "first": r.first.where}
            for r in plan.repeated
        ],
        "files": [run.project.display(path) for path in run.files],
    }


def _update(
    list_path: str | None, bib_dir: str | None, files: tuple[str, ...], dry_run: bool, diff: bool
) -> None:
    from atbib.project import plan_and_save, plan_update_from

    out = output()

    def plan_for(project: Project) -> UpdatePlan:
        plan, loaded = plan_update_from(project, files)
        for bib in loaded:
            out.problems(p for p in bib.problems if p.severity != "info")
        return plan

    project, plan, written = plan_and_save(
        list_path, bib_dir, plan_for, dry_run=dry_run, on_wait=say
    )
    _report_leftovers(project)
    if not out.text:
        out.document(_update_json(project, plan, written, dry_run))
    else:
        if diff:
            _print_diff(project, written)
        _report_update(project, plan, written, dry_run, err=diff)
    if plan.conflicts:
        sys.exit(FINDINGS)


def _report_update(
    project: Project, plan: UpdatePlan, written: dict[Path, str], dry_run: bool, err: bool
) -> None:
    out = output()
    take, keep = ("would take", "would keep") if dry_run else ("took", "kept")
    extra = f"{project.bib_display}/extra.bib"
    for edit in plan.edits:
        parts = [f"{take} {', '.join(edit.aspects)}"] if edit.aspects else []
        if edit.kept:
            parts.append(f"{keep} {', '.join(edit.kept)} in {extra}")
        out.report(f"{edit.where}: {edit.key}: {'; '.join(parts) or 'nothing new'}", err=err)
        for ignored in edit.ignored:
            out.report(f"{edit.where}: {edit.key}: not taken: {ignored}", err=True)
    for added in plan.added:
        out.report(
            f"{added.source.where}: {'would add' if dry_run else 'added'} {added.line}", err=err
        )
    for conflict in plan.conflicts:
        out.finding(f"atbib: conflict: {conflict}", err=True)
    for note in plan.notes:
        out.report(note, err=True)
    out.report(
        f"{plural(len(plan.edits), 'hand-edited entry', 'hand-edited entries')}, "
        f"{len(plan.added)} new" + _written(project, written, dry_run),
        err=err,
    )


def _update_json(
    project: Project, plan: UpdatePlan, written: dict[Path, str], dry_run: bool
) -> dict[str, Any]:
    return {
        "dry_run": dry_run,
        "list": project.list_display,
        "edits": [
            {
                "key": e.key,
                "source": e.where,
                "taken": list(e.aspects),
                "kept": list(e.kept),
                "not_taken": list(e.ignored),
            }
            for e in plan.edits
        ],
        "added": [{"key": a.key, "source": a.source.where, "line": a.line} for a in plan.added],
        "conflicts": list(plan.conflicts),
        "notes": list(plan.notes),
        "files": [project.display(path) for path in written],
    }
