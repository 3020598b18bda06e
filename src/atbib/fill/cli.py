"""``atbib fill``: parse options, run the job, print. Loaded only when the command runs."""

from __future__ import annotations

import datetime
import sys
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import click

from atbib.cli_common import FINDINGS, Command, paths_options
from atbib.cli_output import output, say

if TYPE_CHECKING:
    from atbib.fill.job import FillPlan, WorkReport
    from atbib.project import Project

SHOWN = 3
"""Values of a long field (author lists) shown in a dry run's diff, then ``…``."""


@click.command(
    cls=Command,
    findings="a source was unavailable: what the others gave was saved; run it again later",
    resumable=True,
)
@paths_options()
@click.option(
    "--source",
    "sources",
    multiple=True,
    metavar="NAME",
    help="Ask only these sources (repeatable): arxiv, semanticscholar, acl, crossref, "
    "openreview, dblp [default: [tool.atbib.fill] sources, else all].",
)
@click.option(
    "--from",
    "from_files",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False),
    metavar="FILE.bib",
    help="Also take entries of a .bib file (repeatable), matched to works like any source.",
)
@click.option("--offline", is_flag=True, help="Ask no online source: only --from files.")
@click.option(
    "--dry-run", is_flag=True, help="Print what would change, field by field; write nothing."
)
@click.option(
    "--refresh", is_flag=True, help="Ask again about works bib/metadata.tsv already settles."
)
@click.option(
    "--prefer-source",
    is_flag=True,
    help="Where the list and the sources disagree (venue, year, authors), the sources win for "
    "the works filled now (recorded in bib/metadata.tsv).",
)
@click.option(
    "--into-list",
    is_flag=True,
    help="Also write authors the list lacks and published venues into the list's lines.",
)
def fill(
    list_path: str | None,
    bib_dir: str | None,
    sources: tuple[str, ...],
    from_files: tuple[str, ...],
    offline: bool,
    dry_run: bool,
    refresh: bool,
    prefer_source: bool,
    into_list: bool,
) -> None:
    """Complete the list's papers from authoritative metadata: authors, year, venue, entry
    type, DOI, pages, volume and publisher.

    \b
    Works are found by the identifiers their links give (arXiv, DOI, ACL Anthology,
    OpenReview), in batches: arXiv and Semantic Scholar first, then the ACL Anthology,
    Crossref and OpenReview for the published version, and a DBLP title search (with an
    authors check) for works no identifier settles. A preprint that was published becomes an
    @inproceedings or @article entry and keeps its eprint.

    \b
    What the sources said goes to bib/metadata.tsv, with the source and date of every value;
    commit it. `atbib export` reads it offline. The list's own data wins: disagreements are
    reported by `atbib lint`. A work keyed from its title because the list gave no author is
    re-keyed once by its authors; its old key stays valid (biblatex `ids`). Then bib/ is
    regenerated.

    \b
    Examples:
      atbib fill --dry-run            what would change, and where each value comes from
      atbib fill                      ask the sources, write bib/metadata.tsv and bib/
      atbib fill --offline --from publisher.bib
      atbib fill --into-list          also write the authors into README.md

    Endpoints: [tool.atbib.fill.endpoints] or ATBIB_<SOURCE>_URL (mirrors, proxies, tests).
    An interrupted run keeps the replies it received: run it again to resume.
    """
    from atbib.project import load_project, locked_project, read_bib_files

    files = read_bib_files(from_files) if from_files else []
    for loaded in files:
        for problem in loaded.problems:
            if problem.severity != "info":
                output().problem(problem)
    if dry_run:
        project = load_project(list_path, bib_dir)
        _fill(project, sources, files, offline, refresh, prefer_source, into_list, dry_run)
        return
    with locked_project(list_path, bib_dir, on_wait=say) as project:
        _fill(project, sources, files, offline, refresh, prefer_source, into_list, dry_run)


def _fill(
    project: Project,
    sources: Sequence[str],
    files: Sequence[Any],
    offline: bool,
    refresh: bool,
    prefer_source: bool,
    into_list: bool,
    dry_run: bool,
) -> None:
    from atbib.export import collect_works
    from atbib.fill.job import plan_fill, targets
    from atbib.fill.run import FillRun

    config = project.config
    works, _ = collect_works(project.library, project.registry, config.key_formula)
    asked = targets(works, project.metadata, refresh=refresh)
    settings: dict[str, Any] = {}
    send = fetcher = cache = None
    if not offline:
        settings, fetcher, cache, send = _online(project, sources)
    run = FillRun([t for _, t in asked], settings=settings, send=send, progress=_progress())
    today = datetime.date.today().isoformat()
    try:
        result = run.run(files, date=today)
    finally:
        if sys.stderr.isatty():
            click.echo("", err=True)  # end the progress line
    plan = plan_fill(
        project.library,
        project.registry,
        project.metadata,
        asked,
        result.merged,
        result.notes,
        formula=config.key_formula,
        prefer_source=prefer_source,
        into_list=into_list,
        keep_not_found=not offline and not result.unavailable,
    )
    _print_reports(plan, dry_run)
    written = [] if dry_run else _save(project, plan)
    if cache is not None and not dry_run:
        cache.clear()
    _print_summary(plan, fetcher, result.unavailable, written, dry_run, len(asked))
    if result.unavailable:
        sys.exit(FINDINGS)


def _online(project: Project, sources: Sequence[str]) -> tuple[Any, Any, Any, Any]:
    from atbib.fill.cache import ReplyCache, cache_folder
    from atbib.fill.fetch import Fetcher
    from atbib.fill.settings import source_settings, timeout
    from atbib.fill.sources import SOURCES

    table = project.config.fill
    table = table if isinstance(table, dict) else {}
    settings = source_settings(table, sources)
    labels = {name: source.label for name, source in SOURCES.items()}
    notify = say if sys.stderr.isatty() else (lambda message: None)
    fetcher = Fetcher(settings, notify=notify, labels=labels, timeout=timeout(table))
    cache = ReplyCache(cache_folder(project.config.root))

    def send(request: Any) -> Any:
        reply = cache.get(request)
        if reply is None:
            reply = fetcher.fetch(request)
            if reply.status < 500 and reply.status != 429:
                cache.put(request, reply)
        return reply

    return settings, fetcher, cache, send


def _progress() -> Any:
    """A one-line progress report on a terminal; nothing otherwise."""
    if not sys.stderr.isatty():
        return lambda label, done, total: None

    def show(label: str, done: int, total: int) -> None:
        click.echo(f"\ratbib: asking {label}: {done}/{total} requests\033[K", err=True, nl=False)

    return show


def _print_reports(plan: FillPlan, dry_run: bool) -> None:
    for report in plan.reports:
        if report.changes or report.new_key:
            _print_report(report, dry_run)
        for note in report.notes:
            say(f"{report.key}: {note}")
        for conflict in report.conflicts:
            say(f"{report.key}: sources disagree on {conflict}")


def _print_report(report: WorkReport, dry_run: bool) -> None:
    key = f"{report.key} -> {report.new_key}" if report.new_key else report.key
    out = output()
    if not dry_run:
        names = ", ".join(c.name for c in report.changes if c.name not in ("ids", "title"))
        sources = sorted({c.source for c in report.changes})
        out.report(f"{key}: {names or 'key'} ({', '.join(sources)})")
        return
    out.report(f"{key}  ({report.title[:60]})")
    for change in report.changes:
        old = f"{_short(change.old)} -> " if change.old else "+ "
        out.report(f"    {change.name:<10} {old}{_short(change.new)}  [{change.source}]")


def _short(value: str) -> str:
    people = value.split(" and ")
    if len(people) > SHOWN:
        return " and ".join(people[:SHOWN]) + f" and {len(people) - SHOWN} more"
    return value if len(value) <= 90 else value[:89] + "…"


def _save(project: Project, plan: FillPlan) -> list[str]:
    """Write bib/metadata.tsv, the key registry and (``--into-list``) the list, then bib/."""
    from dataclasses import replace

    from atbib.files import read_text, write_text_atomic
    from atbib.fill.store import METADATA_FILE, write_metadata
    from atbib.project import _display, export_project, save_changes

    path = project.config.bib_folder / METADATA_FILE
    text = write_metadata(plan.metadata)
    written: list[str] = []
    if not path.is_file() or read_text(path) != text:
        write_text_atomic(path, text)
        written.append(_display(path))
    written += save_changes(project, library=plan.library, registry=plan.registry)
    after = replace(project, library=plan.library, registry=plan.registry, metadata=plan.metadata)
    changes = export_project(after)
    written += [f"{project.bib_display}/{name}" for name in changes.written]
    return list(dict.fromkeys(written))


def _print_summary(
    plan: FillPlan,
    fetcher: Any,
    unavailable: Mapping[str, str],
    written: list[str],
    dry_run: bool,
    asked: int,
) -> None:
    from atbib.fill.job import summary_counts
    from atbib.fill.sources import SOURCES

    for name, reason in unavailable.items():
        output().finding(
            f"atbib: {SOURCES[name].label} unavailable: {reason}; its works were not "
            "completed by it",
            err=True,
        )
    counts = summary_counts(plan.reports)
    parts = [f"{n} {status}" for status, n in sorted(counts.items())]
    renamed = len(plan.renames)
    requests = ""
    if fetcher is not None and fetcher.counts:
        requests = "; requests: " + ", ".join(
            f"{SOURCES[n].label} {c}" for n, c in fetcher.counts.items()
        )
    changed = sum(1 for r in plan.reports if r.changes)
    verb = "would change" if dry_run else "changed"
    output().report(
        f"{asked} work{'s' if asked != 1 else ''} asked about ({', '.join(parts) or 'none'}); "
        f"{verb} {changed}"
        + (f"; {renamed} re-keyed (old keys stay valid)" if renamed else "")
        + requests
        + (f"; wrote {', '.join(written)}" if written else "")
    )
