"""The imperative shell of the Zotero sync: read the files, pull, plan, write, push.

Decisions are made by the pure planner (:mod:`atbib.zotero.plan`); this module only moves data
between the files, the planner and the client, in an order that survives interruption:

1. read the list, the key registry and the sync state; pull what changed in Zotero since the
   state's library version (one request when nothing did);
2. pull (``pull``, ``sync``): apply the list edits, write the list and the key registry, read
   the list back, save the state;
3. push (``push``, ``sync``): plan on the list as it now is; save the state with the keys of
   the objects about to be created, then send collections, items (50 a request) and deletes,
   saving the state after every request. A 412 or a stale object means Zotero changed
   meanwhile: pull again, plan again, send again (bounded rounds, growing pauses).

A run cut short anywhere is finished by the next run: creates are re-sent with the same keys
and ``version: 0`` (a create that landed answers 412 and is adopted, never duplicated), and
objects already written are known by their versions.
"""

from __future__ import annotations

import html
import logging
import os
from collections.abc import Callable, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, cast

from atbib.document import Heading, Library
from atbib.errors import AtbibError
from atbib.export import Work, collect_works, journal_works, kept_in_journals
from atbib.keys import KeyRow, assign_keys
from atbib.markdown.read import read_markdown
from atbib.markdown.write import write_markdown
from atbib.masking import masked_traceback, secret
from atbib.project import Project, load_project, locked_project, save_changes, save_registry
from atbib.venues import VenueType
from atbib.zotero.client import ENDPOINT_ENV
from atbib.zotero.mapping import DEFAULT_ROOT
from atbib.zotero.plan import (
    AddEntry,
    CollectionCreate,
    Conflict,
    ItemWrite,
    LocalSide,
    LocalWork,
    Notice,
    Options,
    PullPlan,
    PushPlan,
    RemoveEntry,
    RemoveWork,
    ReplaceWork,
    after_collection_created,
    after_collection_deleted,
    after_item_deleted,
    after_writes,
    apply_remote,
    plan_pull,
    plan_push,
    rebase_local,
    unlink_write,
)
from atbib.zotero.state import SyncState, load_state, save_state

if TYPE_CHECKING:
    from atbib.zotero.client import ZoteroClient

_log = logging.getLogger("atbib.zotero")
MODES = ("pull", "push", "sync", "status")
ROUNDS = 6
"""Rounds of pull, merge and retry before a push gives up on a library that keeps changing."""
KEY_ENV = "ZOTERO_API_KEY"
KEYRING_SERVICE = "atbib"
KEYRING_USER = "zotero-api-key"


class Progress(Protocol):
    """What the shell reports while it works; the CLI draws a progress bar from it."""

    def start(self, label: str, total: int) -> None:
        """A phase of ``total`` steps begins."""

    def advance(self, steps: int) -> None:
        """``steps`` more are done."""

    def finish(self) -> None:
        """The phase is over."""

    def retrying(self, message: str) -> None:
        """A request failed and is tried again (``... retrying (2/5)``): said so that a slow
        network is not a silent wait. Optional: without it, retries are logged only."""


class NoProgress:
    def start(self, label: str, total: int) -> None:
        pass

    def advance(self, steps: int) -> None:
        pass

    def finish(self) -> None:
        pass

    def retrying(self, message: str) -> None:
        pass


@dataclass(frozen=True)
class Summary:
    """What a sync did (or, in a dry run, would do): counts on each side, conflicts,
    notices and refusals. ``ok`` is false when Zotero refused something."""

    mode: str
    dry_run: bool = False
    created: int = 0
    updated: int = 0
    deleted: int = 0
    collections_created: int = 0
    collections_deleted: int = 0
    added: int = 0
    """Entries added to the list."""
    rewritten: int = 0
    """Works whose entries were rewritten in the list."""
    removed: int = 0
    """Works or entries removed from the list."""
    unchanged: int = 0
    conflicts: tuple[Conflict, ...] = ()
    notices: tuple[Notice, ...] = ()
    failures: tuple[str, ...] = ()
    requests: int = 0
    touched: frozenset[str] = frozenset()
    """Works the pull changed in the list."""
    planned: tuple[str, ...] = ()
    """What would change, one line each (dry runs and status)."""
    list_path: str = ""
    bib_path: str = ""
    """The bib folder, as the user would type it (what ``atbib export`` then writes)."""
    state_path: str = ""
    leftovers: tuple[str, ...] = ()
    """Temporary files a killed run left, removed by this one."""

    @property
    def ok(self) -> bool:
        """Nothing was refused (conflicts left as they are do not count)."""
        return not self.failures


@dataclass
class Tally:
    """What a sync does, counted while it runs (the shell's working copy of a
    :class:`Summary`, which :meth:`summary` gives when it is done)."""

    mode: str
    dry_run: bool = False
    created: int = 0
    updated: int = 0
    deleted: int = 0
    collections_created: int = 0
    collections_deleted: int = 0
    added: int = 0
    """Entries added to the list."""
    rewritten: int = 0
    """Works whose entries were rewritten in the list."""
    removed: int = 0
    """Works or entries removed from the list."""
    unchanged: int = 0
    conflicts: list[Conflict] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    requests: int = 0
    touched: set[str] = field(default_factory=set)
    """Works the pull changed in the list."""
    planned: list[str] = field(default_factory=list)
    """What would change, one line each (dry runs and status)."""
    list_path: str = ""
    bib_path: str = ""
    state_path: str = ""
    leftovers: list[str] = field(default_factory=list)
    """Temporary files a killed run left, removed by this one."""

    def summary(self) -> Summary:
        """The finished sync, as the frozen value the caller gets."""
        return Summary(
            mode=self.mode,
            dry_run=self.dry_run,
            created=self.created,
            updated=self.updated,
            deleted=self.deleted,
            collections_created=self.collections_created,
            collections_deleted=self.collections_deleted,
            added=self.added,
            rewritten=self.rewritten,
            removed=self.removed,
            unchanged=self.unchanged,
            conflicts=tuple(self.conflicts),
            notices=tuple(self.notices),
            failures=tuple(self.failures),
            requests=self.requests,
            touched=frozenset(self.touched),
            planned=tuple(self.planned),
            list_path=self.list_path,
            bib_path=self.bib_path,
            state_path=self.state_path,
            leftovers=tuple(self.leftovers),
        )


@dataclass(frozen=True)
class Settings:
    group: int
    root: str | None = None
    """The root collection of the list's tree; ``None``: the one the last sync used, else the
    list's title (its first ``#`` heading), else :data:`DEFAULT_ROOT`."""
    prefer: str | None = None
    remove_deleted: bool = False
    dry_run: bool = False
    state_file: str | None = None
    list_path: str | None = None
    bib_dir: str | None = None
    project: str | None = None
    """The folder whose pyproject.toml applies (default: the current folder's)."""


def configured_settings(
    group: int | str | None = None,
    root: str | None = None,
    *,
    project: str | None = None,
    **options: Any,
) -> Settings:
    """:class:`Settings` with the group and the root collection from ``[tool.atbib]``
    (``zotero-group``, ``zotero-collection``) where not given; *options* are the other
    fields of :class:`Settings`."""
    from atbib.config import load_config

    config = load_config(Path(project) if project else None)
    chosen = group if group is not None else config.zotero_group
    if chosen is None:
        raise AtbibError("no Zotero group: pass --group or set [tool.atbib] zotero-group")
    try:
        number = int(cast(Any, chosen))  # any TOML value: what int() refuses is reported
    except (TypeError, ValueError):
        raise AtbibError(f"the Zotero group id must be a number, not {chosen!r}") from None
    collection = root or config.zotero_collection
    return Settings(
        group=number, root=str(collection) if collection else None, project=project, **options
    )


def state_path(project: Project, override: str | None = None) -> Path:
    """The state file: ``--state``, else ``[tool.atbib] zotero-state`` (relative to the
    project), else ``zotero-sync.json`` beside the bib folder."""
    if override:
        return Path.cwd() / override
    return project.config.state_file


def api_key() -> str:
    """The API key: ``$ZOTERO_API_KEY``, else the system keyring (``keyring set atbib
    zotero-api-key``). Never read from an option or a file atbib writes."""
    key = secret(KEY_ENV, KEYRING_SERVICE, KEYRING_USER)
    if key:
        return key
    store = (
        f"`keyring set {KEYRING_SERVICE} {KEYRING_USER}`"
        if key is None
        else f"`keyring set {KEYRING_SERVICE} {KEYRING_USER}` after `pip install 'atbib[keyring]'`"
    )
    raise AtbibError(f"no Zotero API key: set {KEY_ENV}, or store one with {store}")


def connect(group: int) -> ZoteroClient:
    """A client for the group, with the key from the environment or the keyring."""
    from atbib.zotero.client import ZoteroClient, make_pyzotero

    return ZoteroClient(make_pyzotero(group, api_key(), os.environ.get(ENDPOINT_ENV) or None))


def local_side(project: Project) -> tuple[LocalSide, dict[str, Work]]:
    works, _ = collect_works(
        project.library, project.registry, project.config.key_formula, project.metadata
    )
    journals = journal_works(works, project.kept)
    side = LocalSide(
        works={
            w.key: LocalWork(
                w.key, w.record, VenueType.JOURNAL if w.key in journals else None, w.aliases
            )
            for w in works
        },
        registry=project.registry,
        formula=project.config.key_formula,
    )
    return side, {w.key: w for w in works}


def _reread(project: Project, text: str, registry: Sequence[KeyRow]) -> Project:
    library = read_markdown(text, path=project.library.path, list_format=project.config.list_format)
    return replace(project, library=library, registry=tuple(registry))


def run(
    mode: str,
    settings: Settings,
    *,
    client_factory: Callable[[int], ZoteroClient] = connect,
    progress: Progress | None = None,
    new_key: Callable[[], str] | None = None,
) -> Summary:
    """``pull``, ``push``, ``sync`` or ``status`` (a dry run of ``sync``).

    Bad input (settings, the list, the state file, no API key) raises :class:`AtbibError`
    before anything is done. What Zotero refuses or fails (an invalid or read-only key, a
    request that keeps failing, an object it will not take) is in ``failures`` of the
    summary, with what was done before it."""
    from atbib.errors import ZoteroError

    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}")
    dry = settings.dry_run or mode == "status"
    if new_key is None:
        from atbib.zotero.client import new_object_key

        new_key = new_object_key
    with ExitStack() as stack:
        # Writes happen under the repository lock, read included, so an export or another
        # sync never interleaves with this one.
        start = Path(settings.project) if settings.project else None
        project = (
            load_project(settings.list_path, settings.bib_dir, start=start)
            if dry
            else stack.enter_context(
                locked_project(settings.list_path, settings.bib_dir, start=start)
            )
        )
        path = state_path(project, settings.state_file)
        state = _checked_state(path, settings, project.library)
        summary = Tally(
            mode,
            dry,
            list_path=project.list_display,
            bib_path=project.bib_display,
            state_path=str(path),
            leftovers=[os.path.relpath(p) for p in project.leftovers if not p.exists()],
        )
        client = client_factory(settings.group)
        # Optional: a progress object made before retries were reported has no such method.
        client.on_retry = getattr(progress, "retrying", client.on_retry)
        try:
            state = _steps(mode, client, project, state, settings, summary, path, new_key, progress)
            if not dry:
                save_state(path, state)
        except ZoteroError as exc:
            # Refused or failed by Zotero: what was done before is saved already (the pull,
            # every request of a push) and counted; the refusal is reported with it.
            _log.debug("Zotero refused or failed:\n%s", masked_traceback())
            summary.failures.append(str(exc))
        finally:
            summary.requests = client.requests
        summary.conflicts = _unique_conflicts(summary.conflicts)
        summary.notices = list({(n.work, n.item, n.code): n for n in summary.notices}.values())
        return summary.summary()


def _checked_state(path: Path, settings: Settings, library: Library) -> SyncState:
    """The state of the last sync, with the group and the root collection of this one:
    refused when it was made with another group or another root (another --state file is
    for that)."""
    state = load_state(path)
    if state.group is not None and state.group != settings.group:
        raise AtbibError(
            f"{path} records a sync with group {state.group}, not {settings.group}; "
            "use another --state file for another group"
        )
    root = settings.root or state.root or list_title(library) or DEFAULT_ROOT
    if state.root and state.root != root:
        raise AtbibError(f"{path} records the collection tree {state.root!r}, not {root!r}")
    return replace(state, group=settings.group, root=root)


def list_title(library: Library) -> str:
    """The list's title: its first ``#`` heading (``""`` when it has none)."""
    return next((b.title for b in library.blocks if isinstance(b, Heading) and b.level == 1), "")


def _steps(
    mode: str,
    client: ZoteroClient,
    project: Project,
    state: SyncState,
    settings: Settings,
    summary: Tally,
    path: Path,
    new_key: Callable[[], str],
    progress: Progress | None,
) -> SyncState:
    """Pull what changed in Zotero, then the pull and the push the mode asks for; the
    state after them."""
    progress = progress or NoProgress()
    dry = summary.dry_run
    options = Options(prefer=settings.prefer, remove_deleted=settings.remove_deleted)
    state = _pull_changes(client, state, state.root, summary, progress)
    if mode in ("pull", "sync", "status"):
        project, state = _pull(project, state, options, summary, dry, path)
    if mode in ("push", "sync", "status"):
        state = _push(
            client, project, state, options, state.root, summary, dry, path, new_key, progress
        )
    return state


def _unique_conflicts(conflicts: Sequence[Conflict]) -> list[Conflict]:
    seen: dict[tuple[str, str], Conflict] = {}
    for conflict in conflicts:
        seen.setdefault((conflict.work, conflict.field), conflict)
    return list(seen.values())


def _pull_changes(
    client: ZoteroClient, state: SyncState, root: str, summary: Tally, progress: Progress
) -> SyncState:
    from atbib.zotero.client import known_versions

    started = False

    def step(done: int, total: int) -> None:
        nonlocal started
        if not started:
            progress.start("Reading Zotero", total)
            started = True
        progress.advance(done)

    changes = client.fetch_changes(
        state.library_version, known_versions(state.items.values()), step
    )
    if started:
        progress.finish()
    state, notices = apply_remote(state, changes, root)
    summary.notices += notices
    return state


def _describe_pull(plan: PullPlan, summary: Tally) -> None:
    for edit in plan.edits:
        if isinstance(edit, ReplaceWork):
            names = ", ".join(sorted(edit.patch))
            summary.planned.append(f"list: rewrite {edit.work} ({names}) from Zotero")
        elif isinstance(edit, AddEntry):
            summary.planned.append(
                f"list: add {edit.work} to {' / '.join(edit.section)} from Zotero"
            )
        elif isinstance(edit, RemoveEntry):
            summary.planned.append(f"list: remove {edit.work} from {' / '.join(edit.section)}")
        elif isinstance(edit, RemoveWork):
            summary.planned.append(f"list: remove {edit.work}")


def _count_pull(plan: PullPlan, summary: Tally) -> None:
    summary.rewritten += sum(isinstance(e, ReplaceWork) for e in plan.edits)
    summary.added += sum(isinstance(e, AddEntry) for e in plan.edits)
    summary.removed += sum(isinstance(e, RemoveEntry | RemoveWork) for e in plan.edits)


def _pull(
    project: Project,
    state: SyncState,
    options: Options,
    summary: Tally,
    dry: bool,
    path: Path,
) -> tuple[Project, SyncState]:
    from atbib.zotero.listedit import apply_list_edits

    local, works = local_side(project)
    plan = plan_pull(state, local, options)
    summary.conflicts += plan.conflicts
    summary.notices += plan.notices
    _count_pull(plan, summary)
    summary.touched |= {edit.work for edit in plan.edits}
    summary.touched |= {c.work for c in plan.conflicts if not c.resolved}
    linked = {i.work for i in plan.state.items.values() if i.work and i.remote is not None}
    summary.unchanged = len(linked & set(local.works) - summary.touched)
    if dry:
        _describe_pull(plan, summary)
        return project, state
    state = plan.state
    if plan.journals:
        kept = kept_in_journals(project.kept, plan.journals)
        save_changes(project, kept=kept)
        project = replace(project, kept=kept)
    if plan.edits:
        library = apply_list_edits(project.library, works, plan.edits)
        save_changes(project, library=library, registry=plan.registry)
        project = _reread(project, write_markdown(library), plan.registry)
    local, _ = local_side(project)
    state = rebase_local(state, local, plan.applied, plan.new_works)
    project = _pin(project, _unpinned(project, state, local), local)
    save_state(path, state)
    return project, state


def _describe_push(plan: PushPlan, summary: Tally) -> None:
    for coll in plan.collections:
        summary.planned.append(f"zotero: create collection {' / '.join(coll.path) or '(root)'}")
    for write in plan.writes:
        if write.create:
            summary.planned.append(f"zotero: create {write.work}")
        else:
            summary.planned.append(f"zotero: update {write.work} ({', '.join(write.names)})")
    for delete in plan.deletes:
        summary.planned.append(f"zotero: delete {delete.work}")
    for cdel in plan.collection_deletes:
        summary.planned.append(f"zotero: delete collection {' / '.join(cdel.path)}")


def _pin_keys(project: Project, plan: PushPlan, local: LocalSide) -> Project:
    """Keys of works about to reach Zotero for the first time go into the key registry, so
    they never change (the next ``atbib export`` finds them there); so do those of works
    already linked to an item whose keys the registry lacks (:func:`_unpinned`)."""
    creates = [w.work for w in plan.writes if w.create]
    return _pin(project, [*creates, *_unpinned(project, plan.state, local)], local)


def _unpinned(project: Project, state: SyncState, local: LocalSide) -> list[str]:
    """Works of the list linked to a Zotero item whose keys the key registry lacks. A run
    killed after writing the list but before the registry leaves such works; their keys,
    derived again by every run, would shift as works are added, and link items to the
    wrong works."""
    pinned = {row.key for row in project.registry}
    return sorted(
        work
        for work, item in state.by_work().items()
        if work in local.works and work not in pinned and not item.deleted
    )


def _pin(project: Project, works: Sequence[str], local: LocalSide) -> Project:
    records = [replace(local.works[w].record, key=w) for w in dict.fromkeys(works)]
    if not records:
        return project
    registry = assign_keys(records, project.registry, project.config.key_formula).registry
    if set(registry) != set(project.registry):
        save_registry(project.config, registry)
        project = replace(project, registry=tuple(registry))
    return project


def _push(
    client: ZoteroClient,
    project: Project,
    state: SyncState,
    options: Options,
    root: str,
    summary: Tally,
    dry: bool,
    path: Path,
    new_key: Callable[[], str],
    progress: Progress,
) -> SyncState:
    from atbib.errors import LibraryChanged
    from atbib.zotero.client import known_versions

    local, _ = local_side(project)
    pause = client.policy.base_delay
    failed: set[str] = set()
    for round_number in range(ROUNDS):
        plan = plan_push(state, local, options, root=root, new_key=new_key)
        summary.conflicts += plan.conflicts
        summary.notices += plan.notices
        if round_number == 0:
            in_conflict = {c.work for c in summary.conflicts if not c.resolved}
            summary.unchanged = len(set(plan.unchanged) - summary.touched - in_conflict)
        if dry:
            _describe_push(plan, summary)
            summary.created += sum(w.create for w in plan.writes)
            summary.updated += sum(not w.create for w in plan.writes)
            summary.deleted += len(plan.deletes)
            summary.collections_created += len(plan.collections)
            summary.collections_deleted += len(plan.collection_deletes)
            return state
        plan = _without(plan, failed)
        if plan.empty:
            return plan.state
        client.check_write_access()
        project = _pin_keys(project, plan, local)
        state = plan.state
        save_state(path, state)
        try:
            state, stale = _execute(client, plan, state, summary, path, failed, progress)
        except LibraryChanged:
            stale = True
        if not stale:
            return state
        _log.info("Zotero changed meanwhile (round %d): pull, merge, retry", round_number + 1)
        client.pause(pause)
        pause *= 2
        changes = client.fetch_changes(state.library_version, known_versions(state.items.values()))
        pending = {k for k, i in state.items.items() if i.pending}
        state, notices = apply_remote(state, changes, root)
        # creates that landed although their answer was lost
        summary.created += sum(
            1 for k in pending if k in state.items and not state.items[k].pending
        )
        summary.notices += notices
        save_state(path, state)
    summary.failures.append(
        "Zotero kept changing while atbib wrote to it: run the command again to finish"
    )
    return state


def _without(plan: PushPlan, failed: set[str]) -> PushPlan:
    """The plan less the objects Zotero refused for good earlier in this run."""
    if not failed:
        return plan
    return replace(plan, writes=tuple(w for w in plan.writes if w.item not in failed))


def _clean(before: int, after: int, bumps: int) -> bool:
    """Whether a write's reply version shows no one else wrote meanwhile (one bump per
    object written since 2026-03, one per request before)."""
    return after - before in (bumps, min(bumps, 1))


def _execute(
    client: ZoteroClient,
    plan: PushPlan,
    state: SyncState,
    summary: Tally,
    path: Path,
    failed: set[str],
    progress: Progress,
) -> tuple[SyncState, bool]:
    """Send a push plan; the state after it, and whether Zotero changed meanwhile."""
    from atbib.zotero.client import batches

    stale = False
    total = len(plan.collections) + len(plan.writes) + len(plan.deletes)
    total += len(plan.collection_deletes)
    progress.start("Writing to Zotero", total)
    try:
        for group in batches(plan.collections):
            report = client.write("collections", [c.payload() for c in group])
            bumps = 0
            for create, result in zip(group, report.results, strict=True):
                if result.status == "ok":
                    state = after_collection_created(state, create, result.version)
                    summary.collections_created += 1
                    bumps += 1
                elif result.status == "unchanged":
                    bumps += 1
                elif result.code in (409, 412):
                    stale = True
                else:
                    summary.failures.append(_refused(create, result.code, result.message))
            state = _advance(state, report.library_version, bumps)
            save_state(path, state)
            progress.advance(len(group))
        if stale:
            return state, True  # items need their collections: pull first
        for chunk in batches(plan.writes):
            report = client.write("items", [w.payload() for w in chunk])
            bumps = 0
            confirmed: list[tuple[ItemWrite, Mapping[str, Any] | None, int | None]] = []
            for write, result in zip(chunk, report.results, strict=True):
                if result.status == "ok":
                    confirmed.append((write, result.data, result.version))
                    bumps += 1
                    if write.create:
                        summary.created += 1
                    else:
                        summary.updated += 1
                elif result.status == "unchanged":
                    confirmed.append((write, None, None))
                    bumps += 1
                elif result.code in (404, 409, 412):
                    stale = True  # changed, created or gone meanwhile: pull and merge
                else:
                    failed.add(write.item)
                    summary.failures.append(_refused(write, result.code, result.message))
            state = _advance(after_writes(state, confirmed), report.library_version, bumps)
            save_state(path, state)
            progress.advance(len(chunk))
        if stale:
            return state, True
        deletes = [d.item for d in plan.deletes]
        if deletes:
            state, deletes = _spare_children(client, state, deletes, summary)
        state, done, stale = _delete_batches(
            client, path, state, "items", deletes, after_item_deleted, progress
        )
        summary.deleted += done
        if stale:
            return state, True
        cdeletes = [c.key for c in plan.collection_deletes]
        state, done, stale = _delete_batches(
            client, path, state, "collections", cdeletes, after_collection_deleted, progress
        )
        summary.collections_deleted += done
    finally:
        progress.finish()
    return state, stale


def _delete_batches(
    client: ZoteroClient,
    path: Path,
    state: SyncState,
    kind: str,
    keys: Sequence[str],
    forget: Callable[[SyncState, str], SyncState],
    progress: Progress,
) -> tuple[SyncState, int, bool]:
    """Delete objects in batches of 50, each with the library version it was planned on, and
    save the state after each: a crash between batches loses nothing. Returns the state, how
    many were deleted, and whether the library changed under us (412: pull again first)."""
    from atbib.errors import LibraryChanged
    from atbib.zotero.client import batches

    done = 0
    for batch in batches(list(keys)):
        try:
            version = client.delete(kind, batch, state.library_version)
        except LibraryChanged:
            return state, done, True
        for key in batch:
            state = forget(state, key)
        done += len(batch)
        state = replace(state, library_version=version)
        save_state(path, state)
        progress.advance(len(batch))
    return state, done, False


def _spare_children(
    client: ZoteroClient, state: SyncState, keys: list[str], summary: Tally
) -> tuple[SyncState, list[str]]:
    """The items that may be deleted. Deleting an item deletes its child notes and files,
    which belong to the group: such items are only taken out of the list's collections.
    (Adding a child does not change its parent's version, so this asks Zotero now: one
    request per 50 items to delete.)"""
    from atbib.zotero.client import batches

    keep: dict[str, int] = {}
    for group in batches(keys):
        for obj in client.read_items(list(group)):
            meta = obj.get("meta") or {}
            if meta.get("numChildren"):
                keep[str(obj.get("key"))] = int(obj.get("version", 0))
    for key, version in sorted(keep.items()):
        write = unlink_write(state, key, version)
        if write is None:
            continue
        report = client.write("items", [write.payload()])
        (result,) = report.results
        if result.status in ("ok", "unchanged"):
            state_item = state.items[key]
            state = after_item_deleted(state, key)
            state = _advance(state, report.library_version, 1)
            summary.notices.append(
                Notice(
                    state_item.work,
                    key,
                    "kept-children",
                    f"{state_item.work}: removed from the list; its Zotero item holds notes or "
                    "files, so it was only taken out of the list's collections",
                )
            )
    return state, [k for k in keys if k not in keep]


def _advance(state: SyncState, version: int, bumps: int) -> SyncState:
    if version and _clean(state.library_version, version, bumps):
        return replace(state, library_version=version)
    return state


def _refused(obj: CollectionCreate | ItemWrite, code: int, message: str) -> str:
    if isinstance(obj, CollectionCreate):
        what = f"collection {' / '.join(obj.path) or '(root)'}"
    else:
        what = obj.work
    return f"Zotero refused {what}: {code} {html.unescape(message)}".strip()


def describe_conflict(conflict: Conflict) -> str:
    def show(value: Any) -> str:
        if value is None:
            return "(empty)"
        text = repr(value)
        return text if len(text) <= 80 else text[:77] + "..."

    head = f"{conflict.work}: {conflict.field}: list {show(conflict.local)}, "
    head += f"Zotero {show(conflict.remote)} (last synced {show(conflict.base)})"
    if conflict.resolved:
        head += f"; kept the {conflict.resolved} side's"
    return head
