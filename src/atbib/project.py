"""The imperative shell around export: find the files, read them, write what changed.

Everything here is I/O; what to write is decided by :mod:`atbib.export`, which is pure.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, TypeVar

from atbib.config import GENERATED_MARK, KEPT_FILE, REGISTRY_FILE, Config, load_config
from atbib.document import Library
from atbib.errors import AtbibError, BibtexError
from atbib.export import Bibliography, Files, build_bibliography
from atbib.files import (
    has_bytes,
    leftover_temporaries,
    read_text,
    write_bytes_atomic,
    write_text_atomic,
)
from atbib.keys import KeyRow, read_registry, write_registry
from atbib.lock import write_lock
from atbib.markdown.read import read_markdown
from atbib.markdown.write import write_markdown
from atbib.venues import use_list_venues

if TYPE_CHECKING:
    from atbib.bibtex.mapping import KeptEntry
    from atbib.bibtex.read import LoadedBib
    from atbib.importing import FieldDifference, UpdatePlan


@dataclass(frozen=True)
class Project:
    config: Config
    library: Library
    registry: tuple[KeyRow, ...]
    kept: dict[str, tuple[str, KeptEntry]] = field(default_factory=dict)
    """``bib/extra.bib``: fields of imported entries the list cannot show, by lower-case key."""
    leftovers: tuple[Path, ...] = ()
    """Temporary files a killed run left beside the files atbib writes (:func:`interrupted_writes`):
    removed when the project is opened under the write lock, only found otherwise."""

    @property
    def list_display(self) -> str:
        return _display(self.config.list_file)

    @property
    def bib_display(self) -> str:
        return _display(self.config.bib_folder)


def _display(path: Path) -> str:
    """A path as the user would type it: relative to the current folder when inside it."""
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


def load_project(
    list_path: str | None = None, bib_dir: str | None = None, *, start: Path | None = None
) -> Project:
    """Read the configuration (the nearest pyproject.toml from *start*, else the current
    folder), the list and the key registry (and find the temporary files a killed run left:
    :attr:`Project.leftovers`)."""
    config = load_config(start).with_overrides(list_path=list_path, bib_dir=bib_dir)
    return replace(_read_project(config), leftovers=tuple(interrupted_writes(config)))


@contextmanager
def locked_project(
    list_path: str | None = None,
    bib_dir: str | None = None,
    *,
    on_wait: Callable[[str], None] | None = None,
    start: Path | None = None,
) -> Iterator[Project]:
    """The project, read and held under the repository's write lock: commands that write
    read what they change inside the lock, so two processes never interleave."""
    config = load_config(start).with_overrides(list_path=list_path, bib_dir=bib_dir)
    with write_lock(config.root, on_wait=on_wait):
        # Under the lock, a temporary file of ours can only be a killed run's: remove it.
        leftovers = interrupted_writes(config)
        for path in leftovers:
            path.unlink(missing_ok=True)
        yield replace(_read_project(config), leftovers=tuple(leftovers))


def interrupted_writes(config: Config) -> list[Path]:
    """Temporary files (``.NAME.XXXXXXXX.tmp``) a killed run left beside the files atbib
    writes: the list, the generated .bib files, the key registry, bib/extra.bib and the
    Zotero sync state. Only meaningful under the write lock or when no run is going on."""
    state = config.state_file
    targets: dict[Path, set[str]] = {}
    targets.setdefault(config.list_file.parent, set()).add(config.list_file.name)
    targets.setdefault(state.parent, set()).add(state.name)
    found: set[Path] = set()
    for folder, names in targets.items():
        found.update(leftover_temporaries(folder, names.__contains__))
    found.update(leftover_temporaries(config.bib_folder, _owned))
    return sorted(found)


def _read_project(config: Config) -> Project:
    use_list_venues(config.venues)  # one list per run: its venues from here on
    library = read_markdown(
        config.list_file, path=_display(config.list_file), list_format=config.list_format
    )
    registry_file = config.bib_folder / REGISTRY_FILE
    registry = (
        read_registry(read_text(registry_file), source=_display(registry_file))
        if registry_file.is_file()
        else ()
    )
    kept_file = config.bib_folder / KEPT_FILE
    kept: dict[str, tuple[str, KeptEntry]] = {}
    if kept_file.is_file():
        from atbib.bibtex.kept import read_kept

        kept = read_kept(read_text(kept_file))
    return Project(config, library, registry, kept)


@dataclass(frozen=True)
class ExportChanges:
    bibliography: Bibliography
    written: tuple[str, ...]
    created: tuple[str, ...]
    unchanged: tuple[str, ...]
    removed: tuple[str, ...]
    leftovers: tuple[str, ...] = ()
    """Temporary files a killed run left (:attr:`Project.leftovers`, as the user would type
    them): removed unless dry run."""


def _owned(name: str) -> bool:
    """Targets of the temporary files export may find in the bib folder."""
    return name.endswith(".bib") or name == REGISTRY_FILE


def _generated_files(folder: Path) -> set[str]:
    """.bib files in the folder that atbib wrote (they start with its header)."""
    found = set()
    if folder.is_dir():
        for path in folder.glob("*.bib"):
            with path.open("rb") as handle:
                if GENERATED_MARK.encode() in handle.read(200):
                    found.add(path.name)
    return found


def _file_bytes(files: Mapping[str, str], name: str) -> bytes:
    """A file's content as written (UTF-8); export's own :class:`Files` joins it as bytes
    already, so it is not decoded and encoded again."""
    return files.data(name) if isinstance(files, Files) else files[name].encode("utf-8")


def project_bibliography(project: Project) -> Bibliography:
    """Every file export writes for the project, computed (see
    :func:`atbib.export.build_bibliography`): the one place its settings are passed on."""
    return build_bibliography(
        project.library,
        project.registry,
        project.config.key_formula,
        source_name=project.list_display,
        kept=project.kept,
        file_names=project.config.section_files,
    )


def export_project(project: Project, *, dry_run: bool = False) -> ExportChanges:
    """Write the files whose content changed, remove generated files no longer needed and
    temporary files an interrupted export left behind (with ``dry_run``, only report what
    would happen). Call it holding the write lock unless ``dry_run``.

    A .bib file export would replace that atbib did not write (it lacks the generated
    header) stops the export before anything is written: it is someone's work."""
    config = project.config
    bibliography = project_bibliography(project)
    folder = config.bib_folder
    generated = _generated_files(folder)
    foreign = [
        name
        for name in bibliography.files
        if name.endswith(".bib") and name not in generated and (folder / name).exists()
    ]
    if foreign:
        more = f" (and {len(foreign) - 1} more)" if len(foreign) > 1 else ""
        raise AtbibError(
            f"{_display(folder / foreign[0])}{more}: not written by atbib (no "
            f"'{GENERATED_MARK}' header), so export will not replace it; move it away or "
            "choose another bib-dir"
        )
    written, created, unchanged = [], [], []
    for name in bibliography.files:
        path = folder / name
        content = _file_bytes(bibliography.files, name)
        # Compared as bytes: bib/ is output, so a generated file in another encoding is just
        # out of date, not an input to refuse.
        if path.is_file() and has_bytes(path, content):
            unchanged.append(name)
            continue
        written.append(name)
        if not path.exists():
            created.append(name)
        if not dry_run:
            write_bytes_atomic(path, content)
    removed = sorted(generated - set(bibliography.files))
    leftovers = project.leftovers
    if not dry_run:
        for name in removed:
            (folder / name).unlink()
        for path in leftovers:
            path.unlink(missing_ok=True)
    return ExportChanges(
        bibliography,
        tuple(written),
        tuple(created),
        tuple(unchanged),
        tuple(removed),
        tuple(_display(path) for path in leftovers),
    )


def hand_edits(project: Project, changes: ExportChanges) -> dict[str, list[FieldDifference]]:
    """For each generated .bib file export would rewrite, the differences of the file on disk
    from what export writes, field by field (``atbib check``): hand edits to keep, or stale
    entries."""
    from atbib.importing import bib_differences

    found: dict[str, list[FieldDifference]] = {}
    for name in changes.written:
        if name in changes.created or not name.endswith(".bib"):
            continue
        path = project.config.bib_folder / name
        # Only to describe the differences: a file in another encoding is just stale.
        on_disk = path.read_bytes().decode("utf-8", "replace")
        found[name] = bib_differences(changes.bibliography.files[name], on_disk)
    return found


# -- .bib -> list ----------------------------------------------------------------------------


def read_bib_files(paths: Sequence[str | os.PathLike[str]]) -> list[LoadedBib]:
    """Read .bib files; a malformed one stops everything before any write, with every error
    of every file (``file:line: error: ...``)."""
    from atbib.bibtex.read import load_bibtex

    loaded = [load_bibtex(Path(p), path=_display(Path(p))) for p in paths]
    errors = [problem for bib in loaded for problem in bib.errors]
    if errors:
        raise BibtexError(errors)
    return loaded


def generated_bib_files(folder: Path) -> list[Path]:
    """The .bib files atbib generated in a folder (the kept fields file is not one)."""
    return sorted((folder / name) for name in _generated_files(folder) if name != KEPT_FILE)


def save_registry(config: Config, registry: Sequence[KeyRow]) -> Path | None:
    """Write the key registry atomically if its text changed; the path written, else ``None``.
    Every command that gives out keys saves them through this."""
    path = config.bib_folder / REGISTRY_FILE
    text = write_registry(registry)
    if path.is_file() and read_text(path) == text:
        return None
    write_text_atomic(path, text)
    return path


def save_changes(
    project: Project,
    *,
    library: Library | None = None,
    registry: Sequence[KeyRow] | None = None,
    kept: dict[str, tuple[str, KeptEntry]] | None = None,
) -> list[str]:
    """Write what changed, each file atomically: the kept fields and the key registry first,
    the list last, so an interrupted run never leaves the list naming works whose keys or
    fields were not saved. Returns the files written."""
    config = project.config
    written: list[str] = []
    if kept is not None and kept != project.kept:
        path = config.bib_folder / KEPT_FILE
        if kept or path.exists():
            from atbib.bibtex.kept import write_kept

            write_text_atomic(path, write_kept(kept))
            written.append(_display(path))
    if registry is not None and tuple(registry) != project.registry:
        saved = save_registry(config, registry)
        if saved is not None:
            written.append(_display(saved))
    if library is not None:
        text = write_markdown(library)
        if text != write_markdown(project.library):
            write_text_atomic(config.list_file, text)
            written.append(_display(config.list_file))
    return written


class _Plan(Protocol):
    library: Library
    registry: tuple[KeyRow, ...]
    kept: dict[str, tuple[str, KeptEntry]]


P = TypeVar("P", bound=_Plan)


def plan_and_save(
    list_path: str | None,
    bib_dir: str | None,
    plan_for: Callable[[Project], P],
    *,
    dry_run: bool = False,
    on_wait: Callable[[str], None] | None = None,
) -> tuple[Project, P, list[str]]:
    """Plan a change of the list on the project (an import, an update from bib/) and, unless
    a dry run, save what it changes. A writing run plans under the write lock (on what it
    will replace); a dry run takes no lock, so it can run beside another atbib. Returns the
    project, the plan and the files written."""
    if dry_run:
        project = load_project(list_path, bib_dir)
        return project, plan_for(project), []
    with locked_project(list_path, bib_dir, on_wait=on_wait) as project:
        plan = plan_for(project)
        written = save_changes(
            project, library=plan.library, registry=plan.registry, kept=plan.kept
        )
    return project, plan, written


def bib_files_given(project: Project, given: Sequence[str]) -> list[Path]:
    """The .bib files named, a folder standing for the files atbib generated in it; the bib
    folder when none is named (``atbib import --update``)."""
    chosen: list[Path] = []
    for name in given or (str(project.config.bib_folder),):
        path = Path(name)
        chosen.extend(generated_bib_files(path) if path.is_dir() else [path])
    return chosen


def plan_update_from(project: Project, given: Sequence[str]) -> tuple[UpdatePlan, list[LoadedBib]]:
    """Hand edits of generated .bib files taken back into the list, planned (``atbib import
    --update``), and the files as read (for their problems). Raises :class:`BibtexError`
    when a file is malformed."""
    from atbib.importing import plan_update

    chosen = bib_files_given(project, given)
    loaded = read_bib_files(chosen)
    pairs = [(path.name, bib) for path, bib in zip(chosen, loaded, strict=True)]
    plan = plan_update(
        project.library,
        project.registry,
        project.kept,
        pairs,
        project_bibliography(project),
        formula=project.config.key_formula,
    )
    return plan, loaded
