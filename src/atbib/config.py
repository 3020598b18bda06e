"""``[tool.atbib]`` in pyproject.toml.

::

    [tool.atbib]
    list = "README.md"            # the Markdown list
    bib-dir = "bib"               # where export writes the .bib files and keys.tsv
    key-formula = ["{auth}{year}{title}", "{title}{year}{title2}"]
    section-files = { "Pretrained Language Model" = "plm.bib" }   # ## heading -> file
    include-headings = ["Papers"]             # which headings are bibliography
    exclude-headings = ["Contents", "License"]
    heading-kinds = { "Tools" = "repository" }
    house-style-only = false

The last four say how the list is read (:mod:`atbib.listformat`). Paths are relative to the
folder holding pyproject.toml. Command-line options override the file; the file overrides the
defaults.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from atbib.errors import AtbibError
from atbib.keys import DEFAULT_FORMULA, validate_formula
from atbib.listformat import DEFAULT_FORMAT, ListFormat


@dataclass(frozen=True)
class Config:
    """The settings of one list: ``[tool.atbib]`` read by :func:`load_config`."""

    root: Path = field(default_factory=Path.cwd)
    """The folder of pyproject.toml; the paths below are relative to it."""
    list_path: Path = Path("README.md")
    """``list``: the Markdown list."""
    bib_dir: Path = Path("bib")
    """``bib-dir``: where export writes the .bib files and the key registry."""
    key_formula: tuple[str, ...] = DEFAULT_FORMULA
    """``key-formula``: how new works get their citation keys (see :func:`base_key`)."""
    list_format: ListFormat = DEFAULT_FORMAT
    """Which headings are bibliography and how entries are recognised."""
    section_files: dict[str, str] = field(default_factory=dict)
    """``##`` heading (or pattern) -> the .bib file of its section, where not the default."""
    settings: dict[str, Any] = field(default_factory=dict)
    """The whole ``[tool.atbib]`` table, for settings other parts read (Zotero)."""

    @property
    def list_file(self) -> Path:
        """The list's path."""
        return self.root / self.list_path

    @property
    def bib_folder(self) -> Path:
        """The bib folder's path."""
        return self.root / self.bib_dir

    def with_overrides(self, *, list_path: str | None = None, bib_dir: str | None = None) -> Config:
        """Options given on the command line, relative to the current folder."""
        changes: dict[str, Any] = {}
        if list_path is not None:
            changes["list_path"] = Path.cwd() / list_path
        if bib_dir is not None:
            changes["bib_dir"] = Path.cwd() / bib_dir
        return replace(self, **changes)


def find_pyproject(start: Path) -> Path | None:
    """The nearest pyproject.toml in ``start`` or a parent folder."""
    for folder in (start, *start.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            return candidate
    return None


def load_config(start: str | os.PathLike[str] | None = None) -> Config:
    """Read ``[tool.atbib]`` from the pyproject.toml nearest to *start* (a folder; default:
    the current one), looking in its parents too; the defaults when there is none. Raises
    :class:`AtbibError` naming the file and the setting when a value is wrong."""
    start = Path(start or Path.cwd()).resolve()
    pyproject = find_pyproject(start)
    if pyproject is None:
        return Config(root=start)
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise AtbibError(f"{pyproject}: cannot read TOML: {exc}") from None
    table = data.get("tool", {}).get("atbib", {})
    if not isinstance(table, dict):
        raise AtbibError(f"{pyproject}: [tool.atbib] must be a table")
    formula = table.get("key-formula", DEFAULT_FORMULA)
    if isinstance(formula, str):
        formula = [formula]
    if not isinstance(formula, list | tuple) or not all(isinstance(f, str) for f in formula):
        raise AtbibError(
            f"{pyproject}: [tool.atbib] key-formula must be a string or a list of strings"
        )
    try:
        validate_formula(formula)
    except ValueError as exc:
        raise AtbibError(f"{pyproject}: {exc}") from None
    for name in ("list", "bib-dir"):
        if name in table and not isinstance(table[name], str):
            raise AtbibError(f"{pyproject}: [tool.atbib] {name} must be a string")
    try:
        list_format = ListFormat.from_settings(table)
        files = section_file_names(table.get("section-files", {}))
    except ValueError as exc:
        raise AtbibError(f"{pyproject}: [tool.atbib] {exc}") from None
    return Config(
        root=pyproject.parent,
        list_path=Path(table.get("list", "README.md")),
        bib_dir=Path(table.get("bib-dir", "bib")),
        key_formula=tuple(formula),
        list_format=list_format,
        section_files=files,
        settings=table,
    )


_FILE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*\.bib")


def section_file_names(table: object) -> dict[str, str]:
    """``section-files``: heading -> a plain ``.bib`` file name in the bib folder
    (``ValueError`` names a bad one)."""
    from atbib.export import RESERVED_FILES

    if not isinstance(table, dict):
        raise ValueError("section-files must be a table of heading = file name")
    names: dict[str, str] = {}
    for heading, name in table.items():
        if not isinstance(name, str) or not _FILE_NAME.fullmatch(name):
            raise ValueError(
                f"section-files: {name!r} for {heading!r} is not a .bib file name "
                "(letters, digits, '.', '_' or '-', ending in .bib, no folder)"
            )
        if name in RESERVED_FILES:
            raise ValueError(f"section-files: {name!r} is atbib's own file; choose another")
        names[str(heading)] = name
    return names
