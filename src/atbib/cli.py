"""The ``atbib`` command: parse options, call the library, print. No logic lives here that a
library user could not call.

Every command follows the conventions of :mod:`atbib.cli_common` (exit statuses, ``-q``,
``-v``, ``--debug``, ``--format``, errors as one line) and prints through
:mod:`atbib.cli_output`. ``lint`` and ``import`` live in :mod:`atbib.cli_lint` and
:mod:`atbib.cli_import`.
"""

from __future__ import annotations

import atexit
import gc
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from atbib._version import __version__
from atbib.cli_common import DEBUG_HELP, FINDINGS, Group, paths_options, start_debugging
from atbib.cli_import import import_
from atbib.cli_lint import lint
from atbib.cli_output import output, plural, problem_json, say
from atbib.fill.cli import fill
from atbib.zotero.cli import zotero

if TYPE_CHECKING:
    from atbib.importing import FieldDifference
    from atbib.project import ExportChanges, Project

DIFF_HELP = "Print what would change as a unified diff; write nothing (implies --dry-run)."


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="atbib")
@click.option("--debug", is_flag=True, help=DEBUG_HELP)
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """Keep a Markdown paper list, per-section BibTeX files and a Zotero group in step.

    \b
    Typical use, in the folder of the list:
      atbib init          write a [tool.atbib] table for the list
      atbib export        write bib/*.bib from README.md
      atbib check         exit 1 if bib/ is not what export would write (for CI)
      atbib lint          report data mistakes in the list
      atbib import X.bib --section "Transformer / Papers"
                          add the works of a .bib file to the list
      atbib import --update bib/
                          take hand edits of bib/*.bib into the list
      atbib render X.bib  print a new list made from .bib files

    Settings come from [tool.atbib] in pyproject.toml; options override them. Every
    command takes -q, -v and --debug, and exits 0 when done, 1 for findings, 2 for a
    usage or input error, 3 for an internal error (its --help says more).
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
    if debug:
        start_debugging(ctx)


@main.command(formats=("json",))
@paths_options()
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
@click.option("--diff", is_flag=True, help=DIFF_HELP)
def export(list_path: str | None, bib_dir: str | None, dry_run: bool, diff: bool) -> None:
    """Write one .bib file per ## section, bib/all.bib with every work once, and the key
    registry bib/keys.tsv.

    Keys already in bib/keys.tsv are kept; new works get keys from the key formula.
    Only files atbib generated are replaced or removed.
    """
    from atbib.export import few_papers
    from atbib.project import diff_files, export_project, load_project, locked_project

    dry_run = dry_run or diff
    if dry_run:
        project = load_project(list_path, bib_dir)
        changes = export_project(project, dry_run=True)
    else:
        with locked_project(list_path, bib_dir, on_wait=say) as project:
            changes = export_project(project)
    out = output()
    if not out.text:
        out.document(_export_json(project, changes, dry_run))
    elif diff:
        folder = project.config.bib_folder
        files: dict[Path, str | None] = {
            folder / name: changes.bibliography.files[name] for name in changes.written
        }
        files.update((folder / name, None) for name in changes.removed)
        click.echo(diff_files(project, files), nl=False)
    if out.text:
        _report_export(project, changes, dry_run, err=diff)
    problems = project.library.problems
    out.problems((p for p in problems if p.line), suffix=" (kept as written)")
    out.problems(p for p in problems if not p.line)  # about the list as a whole
    warning = few_papers(project.library)
    if warning is not None:
        out.problem(warning)


def _report_export(project: Project, changes: ExportChanges, dry_run: bool, err: bool) -> None:
    out = output()
    verb, removing = ("would write", "would remove") if dry_run else ("wrote", "removed")
    for name in changes.written:
        out.report(f"{verb} {project.bib_display}/{name}", err=err)
    for name in changes.removed:
        out.report(f"{removing} {project.bib_display}/{name}", err=err)
    for path in changes.leftovers:
        out.report(f"{removing} {path} (left by an interrupted run)", err=err)
    for name in changes.unchanged:
        out.detail(f"unchanged {project.bib_display}/{name}", err=err)
    bib = changes.bibliography
    new = [w.key for w in bib.works if w.new_key]
    shown = ", ".join(new[:10]) + (f" and {len(new) - 10} more" if len(new) > 10 else "")
    from atbib.export import summary

    out.report(
        f"{summary(bib.works, project.library)}; "
        f"{plural(len(changes.written), 'file')} changed, {len(changes.unchanged)} unchanged"
        + (f"; {plural(len(new), 'new key')}: {shown}" if new else ""),
        err=err,
    )


def _export_json(project: Project, changes: ExportChanges, dry_run: bool) -> dict[str, Any]:
    bib = project.bib_display
    files = [
        {"path": f"{bib}/{name}", "action": "create" if name in changes.created else "update"}
        for name in changes.written
    ]
    files += [{"path": f"{bib}/{name}", "action": "remove"} for name in changes.removed]
    files += [{"path": f"{bib}/{name}", "action": "unchanged"} for name in changes.unchanged]
    return {
        "dry_run": dry_run,
        "list": project.list_display,
        "bib_dir": bib,
        "files": files,
        "leftovers": list(changes.leftovers),
        "works": len(changes.bibliography.works),
        "entries": len(project.library.items),
        "new_keys": [w.key for w in changes.bibliography.works if w.new_key],
        "problems": [problem_json(p) for p in project.library.problems],
    }


@main.command(
    findings="bib/ is stale, or a document cites a key by an old name (--aux)",
    formats=("json", "github"),
    done="bib/ is up to date",
)
@paths_options()
@click.option(
    "--aux",
    "aux_files",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False),
    metavar="PAPER.aux",
    help="Also name the keys a LaTeX document cites (its .aux file) by an old name, with their "
    "current names. biblatex resolves old names (ids); BibTeX does not.",
)
def check(list_path: str | None, bib_dir: str | None, aux_files: tuple[str, ...]) -> None:
    """Exit 0 when bib/ is exactly what `atbib export` would write, else 1 naming the stale
    files and what differs in them. Use it in CI or as a pre-commit hook: it reads no
    network and writes nothing.

    With --aux, also exit 1 when the document cites a key by an old name (a key renamed once
    its work's authors were known: it still works with biblatex, not with BibTeX); keys bib/
    never had are listed (another bibliography's, or a typo)."""
    from atbib.project import export_project, hand_edits, load_project

    project = load_project(list_path, bib_dir)
    old_names = _check_citations(project, aux_files) if aux_files else False
    changes = export_project(project, dry_run=True)
    stale = bool(changes.written or changes.removed or changes.leftovers)
    differences = hand_edits(project, changes) if stale else {}
    out = output()
    if out.format == "json":
        out.document(_check_json(project, changes, differences))
    elif out.format == "github":
        out.lines(_check_annotations(project, changes, differences))
    elif not stale:
        out.report(f"{project.bib_display}/ is up to date with {project.list_display}")
    else:
        _report_stale(project, changes, differences)
    if stale or old_names:
        sys.exit(FINDINGS)


def _check_citations(project: Project, aux_files: tuple[str, ...]) -> bool:
    """Name the cited keys that are old names or unknown; whether any is an old name."""
    from atbib.citations import cited_keys, resolve_citations
    from atbib.files import read_text

    out = output()
    found = False
    for aux in aux_files:
        citations = resolve_citations(cited_keys(read_text(aux)), project.registry)
        for citation in citations:
            if citation.renamed:
                out.finding(
                    f"{aux}: {citation.key} is now {citation.current} (the old key works "
                    "with biblatex only)"
                )
            elif not citation.current:
                out.report(
                    f"{aux}: {citation.key} is not a key of {project.bib_display}/ "
                    "(another bibliography's?)"
                )
        renamed = sum(c.renamed for c in citations)
        found = found or bool(renamed)
        out.report(f"{aux}: {plural(len(citations), 'key')} cited, {renamed} by an old name")
    return found


_MAX_SHOWN = 20
"""Differences shown per file (all of them with -v)."""


def _report_stale(
    project: Project, changes: ExportChanges, differences: dict[str, list[FieldDifference]]
) -> None:
    out = output()
    bib = project.bib_display
    for name in changes.written:
        out.finding(f"{bib}/{name}: {_file_state(changes, name)}", err=True)
        found = differences.get(name, [])
        shown = found if out.verbose else found[:_MAX_SHOWN]
        for difference in shown:
            where = f"{bib}/{name}" + (f":{difference.line}" if difference.line else "")
            out.finding(f"  {where}: {difference.describe()}", err=True)
        if len(found) > len(shown):
            out.finding(f"  ... and {len(found) - len(shown)} more differences (-v)", err=True)
    for name in changes.removed:
        out.finding(f"{bib}/{name}: no longer generated", err=True)
    for leftover in changes.leftovers:
        out.finding(f"{leftover}: temporary file left by an interrupted run", err=True)
    out.report(f"{bib}/ is stale: run `atbib export` and commit the result", err=True)
    if any(d.hand_edit for found in differences.values() for d in found):
        out.report(
            f"if the differences are hand edits to keep, run `atbib import --update {bib}/` "
            f"first: it takes them into {project.list_display}",
            err=True,
        )


def _file_state(changes: ExportChanges, name: str) -> str:
    return "missing" if name in changes.created else "differs"


def _check_json(
    project: Project, changes: ExportChanges, differences: dict[str, list[FieldDifference]]
) -> dict[str, Any]:
    bib = project.bib_display
    files: list[dict[str, Any]] = [
        {
            "path": f"{bib}/{name}",
            "state": _file_state(changes, name),
            "differences": [
                {
                    "line": d.line,
                    "key": d.key,
                    "field": d.field,
                    "on_disk": d.on_disk,
                    "expected": d.expected,
                    "message": d.describe(),
                }
                for d in differences.get(name, [])
            ],
        }
        for name in changes.written
    ]
    files += [
        {"path": f"{bib}/{n}", "state": "removed", "differences": []} for n in changes.removed
    ]
    files += [{"path": p, "state": "leftover", "differences": []} for p in changes.leftovers]
    return {
        "up_to_date": not files,
        "list": project.list_display,
        "bib_dir": bib,
        "files": files,
    }


def _check_annotations(
    project: Project, changes: ExportChanges, differences: dict[str, list[FieldDifference]]
) -> list[str]:
    from atbib.cli_output import annotation

    doc = _check_json(project, changes, differences)
    lines = []
    for file in doc["files"]:
        message = f"{file['path']} {file['state']}: run `atbib export` and commit the result"
        lines.append(annotation("error", message, file=file["path"], title="atbib check"))
        lines += [
            annotation(
                "error", d["message"], file=file["path"], line=d["line"], title="atbib check"
            )
            for d in file["differences"]
        ]
    return lines


@main.command()
@click.argument("bibs", nargs=-1, required=True, type=click.Path(allow_dash=True, dir_okay=False))
@click.option(
    "-o",
    "--output",
    "output_file",
    type=click.Path(dir_okay=False),
    help="Write the list to this file (atomically) instead of standard output.",
)
@click.option("--force", is_flag=True, help="Replace the --output file if it exists.")
@click.option("--title", help="A # title for the list.")
def render(bibs: tuple[str, ...], output_file: str | None, force: bool, title: str | None) -> None:
    """Write a Markdown list in house style from .bib files (`-`: standard input): a ##
    section per file, ### subsections from the entries' subsection field (one subsection,
    Papers, when there is none). A way to start a list from a bibliography.

    A list line cannot hold a citation key or pages: to keep the entries' keys and fields
    for bib/, add them with `atbib import FILE --section ...` instead."""
    from atbib.importing import plan_render
    from atbib.project import read_bib_files, save_new_file

    out = output()
    loaded = read_bib_files(bibs, entries_required=True)
    for bib in loaded:
        out.problems(bib.problems)
    plan = plan_render(loaded, title=title)
    for repeat in plan.repeated:
        out.report(
            f"{repeat.source.where}: {repeat.source.entry.key} is the same work as "
            f"{repeat.first.entry.key} ({repeat.first.where}); listed once",
            err=True,
        )
    if output_file:
        save_new_file(output_file, plan.text, force=force)
        out.report(f"wrote {output_file}: {plural(len(plan.records), 'work')}", err=True)
    else:
        click.echo(plan.text, nl=False)


@main.command()
@click.option(
    "--list",
    "list_path",
    type=click.Path(dir_okay=False),
    help="The Markdown list [default: README.md].",
)
@click.option("--bib-dir", help="Folder for the .bib files [default: bib].")
@click.option("--dry-run", is_flag=True, help="Print the table; write nothing.")
def init(list_path: str | None, bib_dir: str | None, dry_run: bool) -> None:
    """Write a commented [tool.atbib] table to pyproject.toml (created if missing) for the
    list in this folder: its path, the bib folder, and the headings atbib would skip, so
    that a list starts in one command. A pyproject.toml that has one is left alone."""
    from atbib.project import init_project

    path, table = init_project(list_path, bib_dir, dry_run=dry_run)
    out = output()
    if dry_run:
        click.echo(table, nl=False)
        return
    out.report(f"wrote [tool.atbib] to {path}; next: atbib export")


main.add_command(lint)
main.add_command(import_)
main.add_command(zotero)
main.add_command(fill)
