"""The imperative shell around export: find the files, read them, write what changed.

Everything here is I/O; what to write is decided by :mod:`atbib.export`, which is pure.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from atbib.config import Config, load_config
from atbib.errors import AtbibError
from atbib.export import GENERATED_MARK, REGISTRY_FILE, Bibliography, build_bibliography
from atbib.files import leftover_temporaries, read_text, write_text_atomic
from atbib.keys import KeyRow, read_registry
from atbib.lock import write_lock
from atbib.markdown.read import read_markdown
from atbib.model import Library


@dataclass(frozen=True)
class Project:
    config: Config
    library: Library
    registry: tuple[KeyRow, ...]

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


def load_project(list_path: str | None = None, bib_dir: str | None = None) -> Project:
    """Read the configuration, the list and the key registry."""
    return _read_project(load_config().with_overrides(list_path=list_path, bib_dir=bib_dir))


@contextmanager
def locked_project(
    list_path: str | None = None,
    bib_dir: str | None = None,
    *,
    on_wait: Callable[[str], None] | None = None,
) -> Iterator[Project]:
    """The project, read and held under the repository's write lock: commands that write
    read what they change inside the lock, so two processes never interleave."""
    config = load_config().with_overrides(list_path=list_path, bib_dir=bib_dir)
    with write_lock(config.root, on_wait=on_wait):
        yield _read_project(config)


def _read_project(config: Config) -> Project:
    library = read_markdown(config.list_file, path=_display(config.list_file))
    registry_file = config.bib_folder / REGISTRY_FILE
    registry = (
        read_registry(read_text(registry_file), source=_display(registry_file))
        if registry_file.is_file()
        else ()
    )
    return Project(config, library, registry)


@dataclass(frozen=True)
class ExportChanges:
    bibliography: Bibliography
    written: tuple[str, ...]
    created: tuple[str, ...]
    unchanged: tuple[str, ...]
    removed: tuple[str, ...]
    leftovers: tuple[str, ...] = ()
    """Temporary files an interrupted export left in the bib folder (removed unless dry run)."""


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


def export_project(project: Project, *, dry_run: bool = False) -> ExportChanges:
    """Write the files whose content changed, remove generated files no longer needed and
    temporary files an interrupted export left behind (with ``dry_run``, only report what
    would happen). Call it holding the write lock unless ``dry_run``.

    A .bib file export would replace that atbib did not write (it lacks the generated
    header) stops the export before anything is written: it is someone's work."""
    config = project.config
    bibliography = build_bibliography(
        project.library,
        project.registry,
        config.key_formula,
        source_name=_display(config.list_file),
    )
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
    for name, content in bibliography.files.items():
        path = folder / name
        # Bytes, not text: bib/ is output, so a generated file in another encoding is just
        # out of date, not an input to refuse.
        if path.is_file() and path.read_bytes() == content.encode("utf-8"):
            unchanged.append(name)
            continue
        written.append(name)
        if not path.exists():
            created.append(name)
        if not dry_run:
            write_text_atomic(path, content)
    removed = sorted(generated - set(bibliography.files))
    leftovers = leftover_temporaries(folder, _owned)
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
        tuple(path.name for path in leftovers),
    )
