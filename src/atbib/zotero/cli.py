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

from atbib.cli_common import FINDINGS, Group, paths_options
from atbib.cli_output import output, plural

if TYPE_CHECKING:
    from atbib.zotero.sync import Summary

F = TypeVar("F", bound=Callable[..., Any])

_CONVENTIONS: dict[str, Any] = {
    "done": "everything was done (with --dry-run and status: can be done)",
    "findings": "Zotero refused or failed something, or conflicts were left as they are",
    "resumable": True,
    "formats": ("json",),
}
"""What the exit statuses mean for every ``atbib zotero`` command (:class:`Command`)."""

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


@click.group("zotero", cls=Group)
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

    Every command exits as every atbib command does (its --help says how): 1 when Zotero
    refused or failed something (an invalid or read-only key, a request that kept failing,
    an item it would not take) or conflicts were left as they are, after the summary of
    what was done before; 2 for bad input (an option, the configuration, the list, the
    state file, no API key), when nothing was done.
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
    out = output()
    if out.format == "json":
        out.document(_summary_json(summary))
    else:
        _report(summary)
    if summary.failures or any(not c.resolved for c in summary.conflicts):
        sys.exit(FINDINGS)


class _ProgressBar:
    """click's progress bar for long phases, and the retries of a slow network, on a
    terminal only (with -q: nothing): off a terminal click would still print each phase's
    label, and the summary says it all."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._bar: Any = None
        self._shown = stream.isatty() and not output().quiet

    def start(self, label: str, total: int) -> None:
        self.finish()
        if total >= 100 and self._shown:
            self._bar = click.progressbar(length=total, label=label, file=self._stream)
            self._bar.__enter__()

    def advance(self, steps: int) -> None:
        if self._bar is not None:
            self._bar.update(steps)

    def finish(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None

    def retrying(self, message: str) -> None:
        if self._shown:
            click.echo(_mask(f"atbib: {message}"), file=self._stream)


def _report(summary: Summary) -> None:
    from atbib.zotero.sync import describe_conflict

    out = output()
    for leftover in summary.leftovers:
        out.report(f"note: removed {leftover} (left by an interrupted run)", err=True)
    for line in summary.planned:
        side, _, rest = line.partition(": ")
        out.report(f"{side}: would {rest}" if summary.dry_run else line)
    shown: dict[str, int] = {}
    for notice in summary.notices:
        shown[notice.code] = shown.get(notice.code, 0) + 1
        if shown[notice.code] <= NOTICES_SHOWN or out.verbose:
            out.report(_mask(f"note: {notice.message}"), err=True)
    for code, count in shown.items():
        if count > NOTICES_SHOWN and not out.verbose:
            out.report(
                f"note: ... and {count - NOTICES_SHOWN} more like these "
                f"({code}; -v shows them all)",
                err=True,
            )
    for conflict in summary.conflicts:
        out.finding(_mask(f"conflict: {describe_conflict(conflict)}"), err=True)
    for failure in summary.failures:
        out.finding(_mask(f"error: {failure}"), err=True)
    out.report(_summary_line(summary))
    if (summary.added or summary.rewritten or summary.removed) and not summary.dry_run:
        out.report(f"{summary.list_path} changed: run `atbib export` to update {summary.bib_path}/")


def _summary_line(summary: Summary) -> str:
    open_conflicts = sum(not c.resolved for c in summary.conflicts)
    verb = "would be " if summary.dry_run else ""
    collections = (
        f" ({plural(summary.collections_created, 'collection')} {verb}created"
        f", {summary.collections_deleted} {verb}deleted)"
        if summary.collections_created or summary.collections_deleted
        else ""
    )
    parts = [
        f"Zotero: {summary.created} {verb}created, {summary.updated} {verb}updated, "
        f"{summary.deleted} {verb}deleted{collections}",
        f"list: {summary.added} {verb}added, {summary.rewritten} {verb}rewritten, "
        f"{summary.removed} {verb}removed",
        f"{summary.unchanged} unchanged",
        plural(len(summary.conflicts), "conflict")
        + (f" ({open_conflicts} left as they are)" if open_conflicts else ""),
        plural(summary.requests, "request"),
    ]
    return "; ".join(parts)


def _summary_json(summary: Summary) -> dict[str, Any]:
    """A run's summary as ``--format json`` gives it (the guide's Machine-readable output)."""
    counts = [
        "created",
        "updated",
        "deleted",
        "collections_created",
        "collections_deleted",
        "added",
        "rewritten",
        "removed",
        "unchanged",
        "requests",
    ]
    return {
        "mode": summary.mode,
        "dry_run": summary.dry_run,
        "ok": summary.ok,
        **{name: getattr(summary, name) for name in counts},
        "planned": list(summary.planned),
        "conflicts": [
            {
                "work": c.work,
                "field": c.field,
                "list": c.local,
                "zotero": c.remote,
                "last_synced": c.base,
                "resolved": c.resolved or None,
            }
            for c in summary.conflicts
        ],
        "notices": [{"code": n.code, "message": _mask(n.message)} for n in summary.notices],
        "failures": [_mask(f) for f in summary.failures],
    }


@zotero.command(**_CONVENTIONS)
@_options
def push(**opts: Any) -> None:
    """Send the list's changes to the Zotero group: new works become items in their
    subsections' collections, edited entries update their items, works removed from the list
    are deleted. Changes made in Zotero are never overwritten (see --prefer)."""
    _run("push", **opts)


@zotero.command(**_CONVENTIONS)
@_options
def pull(**opts: Any) -> None:
    """Bring the group's changes into the list: items added to a subsection's collection
    become entries there, edits rewrite their entries' lines only. Items deleted in Zotero
    are reported (removed with --remove-deleted). Keys of existing works never change."""
    _run("pull", **opts)


@zotero.command(**_CONVENTIONS)
@_options
def sync(**opts: Any) -> None:
    """Pull, then push: a three-way merge against the last sync. A field changed on one side
    goes to the other; the same field changed differently on both sides is a conflict,
    listed field by field and left as it is unless --prefer settles it."""
    _run("sync", **opts)


@zotero.command(**_CONVENTIONS)
@_options
def status(**opts: Any) -> None:
    """What a sync would change, on which side, without writing anything."""
    opts["dry_run"] = True
    _run("status", **opts)
