"""A first ``[tool.atbib]`` table for a list (``atbib init``): what a maintainer of another list
would otherwise piece together from the guide. The table names the list and the bib folder
and says, in comments, which headings atbib reads and which it skips, with the settings that
change that.
"""

from __future__ import annotations

from atbib.document import Library
from atbib.headings import SECTION_SEPARATOR
from atbib.listformat import DEFAULT_FORMAT
from atbib.sections import outline


def starter_table(library: Library, list_name: str, bib_dir: str) -> str:
    """The commented ``[tool.atbib]`` table for *library* (read with the default settings),
    found at *list_name*, its .bib files going to *bib_dir*."""
    sections = outline(library, DEFAULT_FORMAT)
    counts: dict[str, int] = {}
    for record in library.records:
        top = record.sections[0][0] if record.sections and record.sections[0] else ""
        counts[top] = counts.get(top, 0) + 1
    skipped = [SECTION_SEPARATOR.join(s.path) for s in sections if not s.read and len(s.path) == 1]
    empty = [
        s.path[0] for s in sections if s.read and len(s.path) == 1 and not counts.get(s.path[0])
    ]
    read = [f"{title} ({counts[title]})" for title in counts if title]
    lines = [
        "[tool.atbib]",
        f"# Written by `atbib init` for {list_name}: {len(library.items)} entries.",
        f'list = "{_toml(list_name)}"',
        f'bib-dir = "{_toml(bib_dir)}"  # where `atbib export` writes the .bib files',
        "",
        "# Sections read, with their entries: " + (", ".join(read) or "none") + ".",
    ]
    if skipped:
        lines.append("# Skipped, not bibliography: " + ", ".join(skipped) + ".")
    if empty:
        lines.append("# No entries atbib can read: " + ", ".join(empty) + ".")
    lines += [
        "# To read only some sections, or to skip more of them (the second list replaces the",
        "# default one: Contents, License, Contributing...):",
        f"# include-headings = {_array(read and [t for t in counts if t][:2])}",
        f"# exclude-headings = {_array([*skipped, *empty][:3] or ['Contents', 'License'])}",
        "# A heading can also be skipped with <!-- atbib: skip --> on the line below it.",
        '# key-formula = ["{auth}{year}{title}", "{title}{year}{title2}"]',
        "",
        "# [tool.atbib.lint]",
        '# ignore = ["missing-authors"]  # rules `atbib lint` does not check',
    ]
    return "\n".join(lines) + "\n"


def _toml(text: str) -> str:
    """*text* inside a TOML basic string."""
    return text.replace("\\", "\\\\").replace('"', '\\"')


def _array(items: list[str]) -> str:
    return "[" + ", ".join(f'"{_toml(item)}"' for item in items) + "]"
