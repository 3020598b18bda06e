"""The imperative shell around export: find the files, read them, write what changed.

Everything here is I/O; what to write is decided by :mod:`atbib.export`, which is pure.
"""

from __future__ import annotations

import os
import re
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
    unified_diff,
    write_files_atomic,
    write_text_atomic,
)
from atbib.keys import KeyRow, read_registry, write_registry
from atbib.lock import write_lock
from atbib.markdown.read import read_markdown
from atbib.markdown.write import write_markdown
from atbib.model import Problem, SectionPath
from atbib.venues import use_list_venues

if TYPE_CHECKING:
    from atbib.bibtex.mapping import KeptEntry
    from atbib.bibtex.read import LoadedBib
    from atbib.fill.store import Metadata
    from atbib.importing import FieldDifference, ImportPlan, Source, UpdatePlan
    from atbib.sections import Target


@dataclass(frozen=True)
class Project:
    config: Config
    library: Library
    registry: tuple[KeyRow, ...]
    kept: dict[str, tuple[str, KeptEntry]] = field(default_factory=dict)
    """``bib/extra.bib``: fields of imported entries the list cannot show, by lower-case key."""
    metadata: Metadata = field(default_factory=lambda: _empty_metadata())
    """``bib/metadata.tsv``: what ``atbib fill`` found about the works (:mod:`atbib.fill`)."""
    leftovers: tuple[Path, ...] = ()
    """Temporary files a killed run left beside the files atbib writes (:func:`interrupted_writes`):
    removed when the project is opened under the write lock, only found otherwise."""

    @property
    def list_display(self) -> str:
        """The list's path as the user would type it (relative to the current folder)."""
        return _display(self.config.list_file)

    @property
    def bib_display(self) -> str:
        """The bib folder's path as the user would type it (relative to the current folder)."""
        return _display(self.config.bib_folder)

    @property
    def list_name(self) -> str:
        """The list's path relative to the project's root: what the files atbib writes name,
        so they are the same wherever atbib runs from."""
        return self.name(self.config.list_file)

    def name(self, path: Path) -> str:
        """*path* relative to the project's root (``/``-separated), else as it is."""
        try:
            return path.resolve().relative_to(self.config.root.resolve()).as_posix()
        except ValueError:
            return str(path)

    def display(self, path: Path) -> str:
        """*path* as the user would type it: relative to the current folder when inside it."""
        return _display(path)


def _empty_metadata() -> Metadata:
    from atbib.fill.store import Metadata

    return Metadata()


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
    return Project(config, library, registry, kept, read_metadata_file(config))


def read_metadata_file(config: Config) -> Metadata:
    """``bib/metadata.tsv``, empty when there is none."""
    from atbib.fill.store import METADATA_FILE, Metadata, read_metadata

    path = config.bib_folder / METADATA_FILE
    if not path.is_file():
        return Metadata()
    return read_metadata(read_text(path), source=_display(path))


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
    """Targets of the temporary files atbib may leave in the bib folder."""
    from atbib.fill.store import METADATA_FILE

    return name.endswith(".bib") or name in (REGISTRY_FILE, METADATA_FILE)


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
        source_name=project.list_name,
        kept=project.kept,
        file_names=project.config.section_files,
        metadata=project.metadata,
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
    new: list[tuple[Path, bytes]] = []
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
        new.append((path, content))
    removed = sorted(generated - set(bibliography.files))
    leftovers = project.leftovers
    if not dry_run:
        write_files_atomic(new)
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


STDIN = "-"
"""The file name that stands for standard input (``atbib import -``, ``atbib render -``)."""


def read_bib_files(
    paths: Sequence[str | os.PathLike[str]], *, entries_required: bool = False
) -> list[LoadedBib]:
    """Read .bib files (``-``: standard input); a malformed one stops everything before any
    write, with every error of every file (``file:line: error: ...``). With
    *entries_required*, so does a file without a single entry (empty, or not BibTeX), which
    would otherwise import nothing without a word."""
    from atbib.bibtex.read import load_bibtex

    loaded = [
        load_bibtex(_stdin_text(), path="<stdin>")
        if str(p) == STDIN
        else load_bibtex(Path(p), path=_display(Path(p)))
        for p in paths
    ]
    errors = [problem for bib in loaded for problem in bib.errors]
    if errors:
        raise BibtexError(errors)
    if entries_required:
        for bib in loaded:
            if not bib.entries:
                raise AtbibError(f"{bib.path}: no BibTeX entries found (is it a .bib file?)")
    return loaded


def _stdin_text() -> str:
    """Standard input, strictly UTF-8, as every file atbib reads."""
    import sys

    data = sys.stdin.buffer.read()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise AtbibError(
            f"<stdin>: not UTF-8 text (invalid byte 0x{data[exc.start]:02x} at byte offset "
            f"{exc.start})"
        ) from None
    # A line break makes the reader take the string as text, never as a file name.
    return text if "\n" in text else text + "\n"


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


def planned_files(
    project: Project,
    *,
    library: Library | None = None,
    registry: Sequence[KeyRow] | None = None,
    kept: dict[str, tuple[str, KeptEntry]] | None = None,
) -> dict[Path, str]:
    """The files a change of the list rewrites, with their new text, in the order they are
    replaced: the kept fields and the key registry first, the list last, so a run killed
    between two renames never leaves the list naming works whose keys or fields were not
    saved. Files whose text would not change are left out."""
    config = project.config
    files: dict[Path, str] = {}
    if kept is not None and kept != project.kept:
        path = config.bib_folder / KEPT_FILE
        if kept or path.exists():
            from atbib.bibtex.kept import write_kept

            files[path] = write_kept(kept)
    if registry is not None and tuple(registry) != project.registry:
        path = config.bib_folder / REGISTRY_FILE
        text = write_registry(registry)
        if not (path.is_file() and read_text(path) == text):
            files[path] = text
    if library is not None:
        text = write_markdown(library)
        if text != write_markdown(project.library):
            files[config.list_file] = text
    return files


def save_changes(
    project: Project,
    *,
    library: Library | None = None,
    registry: Sequence[KeyRow] | None = None,
    kept: dict[str, tuple[str, KeptEntry]] | None = None,
) -> list[str]:
    """Write what changed (:func:`planned_files`) all together: every new file is prepared
    before any is replaced, so a folder that cannot be written leaves every file as it was.
    Returns the files written, as the user would type them."""
    files = planned_files(project, library=library, registry=registry, kept=kept)
    write_files_atomic([(path, text.encode("utf-8")) for path, text in files.items()])
    return [_display(path) for path in files]


def diff_files(project: Project, files: Mapping[Path, str | None]) -> str:
    """What writing *files* (path -> new text; ``None``: removed) would change, as a unified
    diff with paths relative to the project's root (``atbib ... --dry-run --diff``)."""
    parts = []
    for path, after in files.items():
        before = path.read_bytes().decode("utf-8", "replace") if path.is_file() else ""
        parts.append(unified_diff(project.name(path), before, after or ""))
    return "".join(parts)


class _Plan(Protocol):
    """A planned change of the list (:class:`~atbib.importing.ImportPlan`, ``UpdatePlan``)."""

    @property
    def library(self) -> Library: ...

    @property
    def registry(self) -> tuple[KeyRow, ...]: ...

    @property
    def kept(self) -> dict[str, tuple[str, KeptEntry]]: ...


P = TypeVar("P", bound=_Plan)


def plan_and_save(
    list_path: str | None,
    bib_dir: str | None,
    plan_for: Callable[[Project], P],
    *,
    dry_run: bool = False,
    on_wait: Callable[[str], None] | None = None,
) -> tuple[Project, P, dict[Path, str]]:
    """Plan a change of the list on the project (an import, an update from bib/) and, unless
    a dry run, save what it changes. A writing run plans under the write lock (on what it
    will replace); a dry run takes no lock, so it can run beside another atbib. Returns the
    project, the plan and the files written (or, in a dry run, that would be) with their
    new text."""
    if dry_run:
        project = load_project(list_path, bib_dir)
        plan = plan_for(project)
        files = planned_files(project, library=plan.library, registry=plan.registry, kept=plan.kept)
        return project, plan, files
    with locked_project(list_path, bib_dir, on_wait=on_wait) as project:
        plan = plan_for(project)
        files = planned_files(project, library=plan.library, registry=plan.registry, kept=plan.kept)
        write_files_atomic([(path, text.encode("utf-8")) for path, text in files.items()])
    return project, plan, files


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
        metadata=project.metadata,
    )
    return plan, loaded


# -- lint --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LintRun:
    """What ``atbib lint`` found, and what ``--fix`` fixed."""

    project: Project
    findings: tuple[Problem, ...]
    """The findings left (after the fixes, if any were applied)."""
    fixed: tuple[Problem, ...] = ()
    files: dict[Path, str] = field(default_factory=dict)
    """The list's new text, when fixes change it (written unless a dry run)."""


def lint_project(
    list_path: str | None = None,
    bib_dir: str | None = None,
    *,
    select: Sequence[str] | None = None,
    ignore: Sequence[str] = (),
    fix: bool = False,
    dry_run: bool = False,
    on_wait: Callable[[str], None] | None = None,
) -> LintRun:
    """Lint the project's list by the rules ``[tool.atbib.lint]`` chooses (*select* replaces
    its ``select``, *ignore* adds to its ``ignore``); with *fix*, apply the findings' safe
    fixes to the list (under the write lock, unless a dry run) and lint what they leave."""
    from atbib.lint import apply_fixes, lint

    def run(project: Project) -> LintRun:
        settings = project.config.lint
        chosen = tuple(settings.select if select is None else select)
        ignored = (*settings.ignore, *ignore)
        findings = lint(project.library, project.metadata, select=chosen, ignore=ignored)
        if not fix:
            return LintRun(project, tuple(findings))
        text, fixed = apply_fixes(project.library, findings)
        if not fixed:
            return LintRun(project, tuple(findings))
        config = project.config
        fixed_list = read_markdown(text, path=project.list_display, list_format=config.list_format)
        files = {config.list_file: text}
        if not dry_run:
            write_files_atomic([(config.list_file, text.encode("utf-8"))])
        left = lint(fixed_list, project.metadata, select=chosen, ignore=ignored)
        return LintRun(replace(project, library=fixed_list), tuple(left), tuple(fixed), files)

    if not fix or dry_run:
        return run(load_project(list_path, bib_dir))
    with locked_project(list_path, bib_dir, on_wait=on_wait) as project:
        return run(project)


# -- import, render, init -----------------------------------------------------------------------


@dataclass(frozen=True)
class ImportRun:
    """What ``atbib import FILE --section S`` did (or, in a dry run, would do)."""

    project: Project
    plan: ImportPlan
    target: Target
    """The section the works went to, as the list spells it, and the sections created."""
    files: dict[Path, str]
    """The files written (or that would be), with their new text."""


def import_bib(
    list_path: str | None,
    bib_dir: str | None,
    sources: Sequence[Source],
    section: SectionPath,
    *,
    create: bool = False,
    fill: bool = False,
    dry_run: bool = False,
    on_wait: Callable[[str], None] | None = None,
) -> ImportRun:
    """Add the works of *sources* to a section of the list (:func:`atbib.importing.plan_import`)
    and save the list, the key registry and the kept fields. The section must exist (a typo
    must not grow the list a section) unless *create*: see
    :func:`atbib.sections.resolve_section`."""
    from atbib.importing import plan_import
    from atbib.sections import resolve_section

    targets: list[Target] = []

    def plan_for(project: Project) -> ImportPlan:
        target = resolve_section(
            project.library,
            project.config.list_format,
            section,
            create=create,
            list_name=project.list_display,
        )
        targets.append(target)
        return plan_import(
            project.library,
            project.registry,
            project.kept,
            sources,
            target.path,
            fill=fill,
            formula=project.config.key_formula,
        )

    project, plan, files = plan_and_save(
        list_path, bib_dir, plan_for, dry_run=dry_run, on_wait=on_wait
    )
    return ImportRun(project, plan, targets[-1], files)


def save_new_file(path: str | os.PathLike[str], text: str, *, force: bool = False) -> None:
    """Write *text* to a file atomically; an existing file only with *force* (``atbib render
    -o``), since replacing a list with a few rendered lines would lose it."""
    if not force and Path(path).exists():
        raise AtbibError(f"{path} exists: give --force to replace it")
    write_text_atomic(path, text)


def init_project(
    list_path: str | None = None, bib_dir: str | None = None, *, dry_run: bool = False
) -> tuple[str, str]:
    """Add a ``[tool.atbib]`` table for the list to pyproject.toml in the current folder
    (created if missing; :func:`atbib.starter.starter_table` says what it holds). Returns
    the file (as the user would type it) and the table. A pyproject.toml that has the table
    already is left alone."""
    from atbib.starter import starter_table

    root = Path.cwd()
    pyproject = root / "pyproject.toml"
    before = read_text(pyproject) if pyproject.is_file() else ""
    if re.search(r"^\s*\[\s*tool\.atbib\s*[\].]", before, re.MULTILINE):
        raise AtbibError(f"{_display(pyproject)} has a [tool.atbib] table already")
    list_file = root / (list_path or "README.md")
    if not list_file.is_file():
        raise AtbibError(f"{_display(list_file)}: no such list (give it with --list)")
    library = read_markdown(list_file, path=_display(list_file))
    folders = [p.name for p in sorted(root.iterdir()) if p.is_dir() and _generated_files(p)]
    chosen = bib_dir or (folders[0] if folders else "bib")
    table = starter_table(library, Path(os.path.relpath(list_file, root)).as_posix(), chosen)
    if not dry_run:
        separator = (
            ""
            if not before or before.endswith("\n\n")
            else "\n"
            if before.endswith("\n")
            else "\n\n"
        )
        write_text_atomic(pyproject, before + separator + table)
    return _display(pyproject), table
