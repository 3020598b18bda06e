"""``atbib zotero``: push, pull, sync and status. Parses options, calls
:mod:`atbib.zotero.sync`, prints.

Imports only click, the standard library and :mod:`atbib.cli_common` when loaded, so ``atbib
check`` and ``import atbib`` never load pyzotero or an HTTP client.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TextIO, TypeVar

import click

from atbib.cli_common import paths_options, reports_errors

if TYPE_CHECKING:
    from atbib.zotero.sync import Summary

F = TypeVar("F", bound=Callable[..., Any])

NOTICES_SHOWN = 10
"""Notes of one kind printed before the rest are counted (a first sync may adopt hundreds)."""

STATE_HELP = (
    "The sync state file [default: [tool.atbib] zotero-state, else zotero-sync.json beside "
    "the bib folder]. Commit it: it holds no secret."
)


def _mask(text: str) -> str:
    from atbib.masking import mask

    return mask(text)


def _options(func: F) -> F:
    decorators = [
        click.option(
            "--state",
            "state_file",
            type=click.Path(dir_okay=False),
            help=STATE_HELP,
        ),
        paths_options(
            bib_dir_help="Folder of the .bib files and keys.tsv [default: [tool.atbib] bib-dir]."
        ),
        click.option(
            "--remove-deleted",
            is_flag=True,
            help="Remove from the list the works whose items were deleted in Zotero or moved "
            "out of the collection tree (otherwise they are only reported).",
        ),
        click.option(
            "--prefer",
            type=click.Choice(["list", "zotero"]),
            help="Settle conflicts (the same field changed differently on both sides) for "
            "this side; without it conflicts are listed and left as they are.",
        ),
        click.option(
            "--collection",
            "root",
            help="The root collection of the list's tree [default: [tool.atbib] "
            "zotero-collection, else the one the last sync used, else the list's title (its "
            "first # heading)].",
        ),
        click.option(
            "--group",
            type=int,
            help="The Zotero group id [default: [tool.atbib] zotero-group].",
        ),
        click.option("--dry-run", is_flag=True, help="Show what would change; write nothing."),
    ]
    for decorator in decorators:
        func = decorator(func)
    return func


@click.group("zotero")
def zotero() -> None:
    """Keep a Zotero group library in step with the list.

    \b
      atbib zotero push     send the list's changes to the group
      atbib zotero pull     bring the group's changes into the list
      atbib zotero sync     pull, then push (a three-way merge)
      atbib zotero status   what a sync would change, on which side

    The group gets a collection tree mirroring the list (a root collection, one collection
    per ## section, one per ### subsection) and one item per work. The API key comes only
    from $ZOTERO_API_KEY or the system keyring (`keyring set atbib zotero-api-key`). The
    state of the last sync is kept in zotero-sync.json beside the bib folder: commit it.

    \b
    Exit status, the same for every command:
      0  everything was done (or, with --dry-run and status, can be);
      1  Zotero refused or failed something (an invalid or read-only key, a
         request that kept failing, an item it would not take), or conflicts
         were left as they are: the summary says what was done before;
      2  bad input (an option, the configuration, the list, the state file,
         no API key): nothing was done.
    """


def _run(mode: str, **opts: Any) -> None:
    from atbib.zotero.sync import configured_settings, run

    settings = configured_settings(
        opts["group"],
        opts["root"],
        prefer=opts["prefer"],
        remove_deleted=opts["remove_deleted"],
        dry_run=opts["dry_run"],
        state_file=opts["state_file"],
        list_path=opts["list_path"],
        bib_dir=opts["bib_dir"],
    )
    summary = run(mode, settings, progress=_ProgressBar(sys.stderr))
    _report(summary)
    if summary.failures or any(not c.resolved for c in summary.conflicts):
        sys.exit(1)


class _ProgressBar:
    """click's progress bar for long phases, on a terminal only: off a terminal click would
    still print each phase's label, and the summary says it all."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._bar: Any = None

    def start(self, label: str, total: int) -> None:
        self.finish()
        if total >= 100 and self._stream.isatty():
            self._bar = click.progressbar(length=total, label=label, file=self._stream)
            self._bar.__enter__()

    def advance(self, steps: int) -> None:
        if self._bar is not None:
            self._bar.update(steps)

    def finish(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None


def _report(summary: Summary) -> None:
    from atbib.zotero.sync import describe_conflict

    echo = click.echo
    for leftover in summary.leftovers:
        echo(f"note: removed {leftover} (left by an interrupted run)", err=True)
    for line in summary.planned:
        side, _, rest = line.partition(": ")
        echo(f"{side}: would {rest}" if summary.dry_run else line)
    shown: dict[str, int] = {}
    for notice in summary.notices:
        shown[notice.code] = shown.get(notice.code, 0) + 1
        if shown[notice.code] <= NOTICES_SHOWN:
            echo(_mask(f"note: {notice.message}"), err=True)
    for code, count in shown.items():
        if count > NOTICES_SHOWN:
            echo(f"note: ... and {count - NOTICES_SHOWN} more like these ({code})", err=True)
    for conflict in summary.conflicts:
        echo(_mask(f"conflict: {describe_conflict(conflict)}"), err=True)
    for failure in summary.failures:
        echo(_mask(f"error: {failure}"), err=True)
    open_conflicts = sum(not c.resolved for c in summary.conflicts)
    verb = "would be " if summary.dry_run else ""
    parts = [
        f"Zotero: {summary.created} {verb}created, {summary.updated} {verb}updated, "
        f"{summary.deleted} {verb}deleted"
        + (
            f" ({summary.collections_created} collections {verb}created"
            f", {summary.collections_deleted} {verb}deleted)"
            if summary.collections_created or summary.collections_deleted
            else ""
        ),
        f"list: {summary.added} {verb}added, {summary.rewritten} {verb}rewritten, "
        f"{summary.removed} {verb}removed",
        f"{summary.unchanged} unchanged",
        f"{len(summary.conflicts)} conflicts"
        + (f" ({open_conflicts} left as they are)" if open_conflicts else ""),
        f"{summary.requests} requests",
    ]
    echo("; ".join(parts))
    if (summary.added or summary.rewritten or summary.removed) and not summary.dry_run:
        echo(f"{summary.list_path} changed: run `atbib export` to update bib/")


@zotero.command()
@_options
@reports_errors(resumable=True)
def push(**opts: Any) -> None:
    """Send the list's changes to the Zotero group: new works become items in their
    subsections' collections, edited entries update their items, works removed from the list
    are deleted. Changes made in Zotero are never overwritten (see --prefer)."""
    _run("push", **opts)


@zotero.command()
@_options
@reports_errors(resumable=True)
def pull(**opts: Any) -> None:
    """Bring the group's changes into the list: items added to a subsection's collection
    become entries there, edits rewrite their entries' lines only. Items deleted in Zotero
    are reported (removed with --remove-deleted). Keys of existing works never change."""
    _run("pull", **opts)


@zotero.command()
@_options
@reports_errors(resumable=True)
def sync(**opts: Any) -> None:
    """Pull, then push: a three-way merge against the last sync. A field changed on one side
    goes to the other; the same field changed differently on both sides is a conflict,
    listed field by field and left as it is unless --prefer settles it."""
    _run("sync", **opts)


@zotero.command()
@_options
@reports_errors(resumable=True)
def status(**opts: Any) -> None:
    """What a sync would change, on which side, without writing anything."""
    opts["dry_run"] = True
    _run("status", **opts)
