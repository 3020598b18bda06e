"""Write docs/api.md, the reference of atbib's public API, from the docstrings.

    python docs/make_api.py          # rewrite docs/api.md
    python docs/make_api.py --check  # exit 1 if docs/api.md is not what this would write

tests/test_api.py runs the check, so the reference cannot drift from the code. The public API
is exactly ``atbib.__all__``; SECTIONS below places every name of it in the reference, and
rendering fails when a public name is not placed, a placed name is not public, or a public
class or function has no docstring.
"""

from __future__ import annotations

import ast
import dataclasses
import enum
import inspect
import re
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
API_FILE = HERE / "api.md"

SECTIONS: list[tuple[str, str, list[str]]] = [
    (
        "Records",
        "The record model every format reads into and writes out of. Records are immutable "
        "values: change one with `dataclasses.replace`.",
        ["Record", "Person", "Venue", "Link", "Kind", "SectionPath", "Problem", "Severity", "Fix"],
    ),
    (
        "Markdown lists",
        "A list is read without loss into a `Library`: every line in order, entries as "
        "records, anything else kept as it is. Edits return a new library in which only the "
        "changed lines differ.",
        [
            "read_markdown",
            "format_markdown",
            "Library",
            "Heading",
            "Item",
            "Text",
            "Block",
            "ListFormat",
            "render_markdown",
            "render_entry",
            "add_records",
            "replace_records",
            "remove_items",
        ],
    ),
    (
        "BibTeX",
        "Reading .bib files into records, and writing records or a whole list as BibTeX.",
        [
            "read_bibtex",
            "load_bibtex",
            "LoadedBib",
            "BibEntry",
            "BibField",
            "format_bibtex",
            "plan_export",
            "Bibliography",
            "Work",
        ],
    ),
    (
        "Citation keys",
        "Keys come from a formula once, then stay: the key registry (`bib/keys.tsv`) records "
        "every key with the evidence that identifies its work.",
        [
            "DEFAULT_FORMULA",
            "base_key",
            "assign_keys",
            "KeyAssignment",
            "KeyRow",
            "read_registry",
            "format_registry",
        ],
    ),
    (
        "Duplicates and checks",
        "",
        [
            "find_duplicates",
            "near_duplicates",
            "merge_records",
            "Cluster",
            "NearDuplicate",
            "lint_list",
        ],
    ),
    (
        "Zotero",
        "Items as the Zotero Web API's JSON, and the sync of a list with a group library.",
        [
            "record_to_item",
            "item_to_record",
            "sync_zotero",
            "SyncSummary",
            "SyncConflict",
            "SyncNotice",
        ],
    ),
    ("Configuration", "", ["load_config", "Config", "LintSettings", "list_venues"]),
    ("Errors and version", "", ["AtbibError", "BibtexError", "ListError", "__version__"]),
]

VALUES: dict[str, str] = {
    "SectionPath": "Type alias: `tuple[str, ...]`, the headings of an entry's section from the "
    '`##` level down, e.g. `("Transformer", "Papers")`.',
    "Block": "Type alias: `Heading | Item | Text`, one line of a list.",
    "DEFAULT_FORMULA": "The default key formula, "
    '`("{auth}{year}{title}", "{title}{year}{title2}")`: Google Scholar\'s form '
    "(`vaswani2017attention`), and title words for works without an author.",
    "__version__": "The installed version of atbib, a string (`atbib --version` prints it).",
}

HEADER = """\
# atbib API reference

<!-- Generated from the docstrings by `python docs/make_api.py`; do not edit by hand. -->

The public API is exactly the names on this page, all imported from `atbib` itself (they are
`atbib.__all__`). Conventions: `read_*` read a file (a path; a missing file is an error) or,
given as `text=`, the text itself; reading a list is lenient (its problems are listed) unless
`strict=True`, reading BibTeX strict unless `strict=False`; `format_*` and `render_*` give
text; `plan_*` compute what a command would write, without writing. The names of 0.1
(`write_markdown`, `write_bibtex`, `write_registry`, `build_bibliography`) still work until
0.3, with a `DeprecationWarning`:

```python
from atbib import read_markdown, plan_export
```

Every module inside the package (`atbib.model`, `atbib.markdown.read`, `atbib.zotero.sync`,
...) is internal: it may change in any release, even when a public name is defined there.
Public names keep their meaning within a major version. The API is fully typed (the package
ships `py.typed`). `import atbib` loads only the record model; the readers, writers and the
Zotero client are loaded on first use. The examples assume `from atbib import *`; for a
guided tour, see [the guide](guide.md).
"""


def _rst_to_md(text: str) -> str:
    """The reST of the docstrings as Markdown: roles and double backquotes become code, a
    ``::`` block and a doctest become fenced code."""
    text = re.sub(r":(?:func|class|mod|data|attr|meth|exc):`~?([^`<]*?)\s*<[^>]*>`", r"`\1`", text)
    text = re.sub(
        r":(?:func|class|mod|data|attr|meth|exc):`~?([^`]+)`",
        lambda m: "`" + m.group(1).split(".")[-1] + "`",
        text,
    )
    text = re.sub(r"``(.+?)``", r"`\1`", text, flags=re.DOTALL)
    out: list[str] = []
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.lstrip().startswith(">>>"):
            block = []
            while i < len(lines) and lines[i].strip():
                block.append(lines[i])
                i += 1
            out += ["```pycon", *textwrap.dedent("\n".join(block)).split("\n"), "```"]
            continue
        if line.rstrip().endswith("::") and i + 1 < len(lines) and not lines[i + 1].strip():
            out.append(line.rstrip()[:-1].rstrip() + (":" if line.strip() != "::" else ""))
            i += 2
            block = []
            while i < len(lines) and (not lines[i].strip() or lines[i].startswith(" ")):
                block.append(lines[i])
                i += 1
            while block and not block[-1].strip():
                block.pop()
            out += ["", "```text", *textwrap.dedent("\n".join(block)).split("\n"), "```", ""]
            continue
        out.append(line)
        i += 1
    return "\n".join(out).strip()


def _doc(obj: object, name: str) -> str:
    doc = inspect.getdoc(obj)
    if not doc or (inspect.isclass(obj) and doc.startswith(obj.__name__ + "(")):
        raise SystemExit(f"make_api: public name {name} has no docstring")
    return _rst_to_md(doc)


PUBLIC_NAMES = {"Summary": "SyncSummary", "Conflict": "SyncConflict", "Notice": "SyncNotice"}
"""Internal class names -> the public names they go by."""


def _annotation(value: Any) -> str:
    if value is inspect.Parameter.empty:
        return ""
    text = value if isinstance(value, str) else inspect.formatannotation(value)
    return re.sub(r"\b\w+\b", lambda m: PUBLIC_NAMES.get(m.group(), m.group()), text)


def _default(value: Any) -> str:
    """A default value as a reader wants to see it: a public constant by its name, a
    default-constructed value as ``Class()``."""
    import atbib

    if value is dataclasses.MISSING:
        return "<factory>"
    if value == atbib.DEFAULT_FORMULA:
        return "DEFAULT_FORMULA"
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        try:
            if value == type(value)():
                return f"{type(value).__name__}()"
        except TypeError:
            pass
    if isinstance(value, Path):
        return f"Path({str(value)!r})"
    if isinstance(value, enum.Enum):
        return f"{type(value).__name__}.{value.name}"
    return repr(value)


def _bullet(head: str, doc: str) -> str:
    """A list item whose continuation lines stay inside it."""
    return (head + doc).replace("\n", "\n  ")


def _factories(obj: object) -> dict[str, str]:
    """A dataclass's fields made by a factory, shown as the call that makes them."""
    if not (inspect.isclass(obj) and dataclasses.is_dataclass(obj)):
        return {}
    shown: dict[str, str] = {}
    for f in dataclasses.fields(obj):
        factory = f.default_factory
        if factory is not dataclasses.MISSING:
            made = factory()
            plain = isinstance(made, list | dict | set | tuple) and not made
            shown[f.name] = repr(made) if plain else f"{factory.__qualname__}()"
    return shown


def _signature(name: str, obj: Callable[..., Any], prefix: str = "") -> str:
    sig = inspect.signature(obj)
    factories = _factories(obj)
    params: list[str] = []
    seen_keyword_only = False
    for param in sig.parameters.values():
        if param.name in ("self", "cls"):
            continue
        if param.kind is param.KEYWORD_ONLY and not seen_keyword_only:
            params.append("*")
            seen_keyword_only = True
        text = param.name
        if param.kind is param.VAR_POSITIONAL:
            text = "*" + text
        elif param.kind is param.VAR_KEYWORD:
            text = "**" + text
        annotation = _annotation(param.annotation)
        if annotation:
            text += f": {annotation}"
        if param.default is not param.empty:
            default = factories.get(param.name) or _default(param.default)
            text += f" = {default}" if annotation else f"={default}"
        params.append(text)
    returns = _annotation(sig.return_annotation)
    tail = f" -> {returns}" if returns and not prefix else ""
    one_line = f"{prefix}{name}({', '.join(params)}){tail}"
    if len(one_line) <= 92:
        return one_line
    body = "".join(f"    {p},\n" for p in params)
    return f"{prefix}{name}(\n{body}){tail}"


def _field_docs(cls: type) -> dict[str, str]:
    """Docstrings written under dataclass fields (``x: int`` then ``\"\"\"...\"\"\"``)."""
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(cls)))
    except (OSError, TypeError):
        return {}
    docs: dict[str, str] = {}
    body = tree.body[0].body if tree.body and isinstance(tree.body[0], ast.ClassDef) else []
    for node, following in zip(body, [*body[1:], None], strict=True):
        if (
            isinstance(node, ast.AnnAssign)
            and isinstance(node.target, ast.Name)
            and isinstance(following, ast.Expr)
            and isinstance(following.value, ast.Constant)
            and isinstance(following.value.value, str)
        ):
            docs[node.target.id] = inspect.cleandoc(following.value.value)
    return docs


def _members(cls: type) -> Iterator[str]:
    """Public properties and methods the class itself defines, with their docstrings."""
    for member, value in vars(cls).items():
        if member.startswith("_"):
            continue
        doc = inspect.getdoc(value)
        if isinstance(value, property | cached_property_type()):
            getter = value.fget if isinstance(value, property) else value.func
            returns = _annotation(inspect.signature(getter).return_annotation)
            if doc:
                yield _bullet(f"- `{member}` (property) -> `{returns}`: ", _rst_to_md(doc))
        elif isinstance(value, classmethod | staticmethod) or inspect.isfunction(value):
            func = value.__func__ if isinstance(value, classmethod | staticmethod) else value
            if doc:
                yield _bullet(f"- `{_signature(member, func)}`: ", _rst_to_md(doc))


def cached_property_type() -> type:
    from functools import cached_property

    return cached_property


def _render_class(name: str, cls: type) -> list[str]:
    lines = [f"### `{name}`", ""]
    if issubclass(cls, enum.Enum):
        lines += [
            "<!-- signature -->",
            "```python",
            f"class {name}({cls.__mro__[1].__name__})",
            "```",
            "",
        ]
        lines += [_doc(cls, name), ""]
        lines += [f"- `{name}.{m.name}` = `{m.value!r}`" for m in cls]
        return [*lines, ""]
    if issubclass(cls, BaseException):
        lines += [
            "<!-- signature -->",
            "```python",
            f"class {name}({cls.__mro__[1].__name__})",
            "```",
            "",
        ]
        return [*lines, _doc(cls, name), ""]
    lines += ["<!-- signature -->", "```python", _signature(name, cls, prefix="class "), "```", ""]
    lines += [_doc(cls, name), ""]
    if dataclasses.is_dataclass(cls):
        docs = _field_docs(cls)
        fields = [f for f in dataclasses.fields(cls) if not f.name.startswith("_")]
        if fields:
            lines += ["Fields:", ""]
            for f in fields:
                doc = docs.get(f.name)
                annotation = _annotation(f.type)
                head = f"- `{f.name}`: `{annotation}`"
                lines.append(_bullet(head + " — ", _rst_to_md(doc)) if doc else head)
            lines.append("")
    members = list(_members(cls))
    if members:
        lines += ["Members:", "", *members, ""]
    return lines


def render() -> str:
    import atbib

    placed = [name for _, _, names in SECTIONS for name in names]
    public = list(atbib.__all__)
    missing = sorted(set(public) - set(placed))
    unknown = sorted(set(placed) - set(public))
    if missing or unknown or len(placed) != len(set(placed)):
        raise SystemExit(f"make_api: not placed: {missing}; not public: {unknown}")
    lines = [HEADER]
    lines.append(
        "Contents: " + ", ".join(f"[{title}](#{_anchor(title)})" for title, _, _ in SECTIONS) + "."
    )
    lines.append("")
    for title, intro, names in SECTIONS:
        lines += [f"## {title}", ""]
        if intro:
            lines += [intro, ""]
        for name in names:
            obj = getattr(atbib, name)
            if name in VALUES:
                lines += [f"### `{name}`", "", VALUES[name], ""]
            elif inspect.isclass(obj):
                lines += _render_class(name, obj)
            elif callable(obj):
                lines += [
                    f"### `{name}`",
                    "",
                    "<!-- signature -->",
                    "```python",
                    _signature(name, obj),
                    "```",
                    "",
                ]
                lines += [_doc(obj, name), ""]
            else:
                raise SystemExit(f"make_api: say what {name} is in VALUES")
    return "\n".join(lines).rstrip() + "\n"


def _anchor(title: str) -> str:
    return re.sub(r"[^a-z0-9 -]", "", title.lower()).replace(" ", "-")


def main(argv: list[str]) -> int:
    text = render()
    if "--check" in argv:
        current = API_FILE.read_text(encoding="utf-8") if API_FILE.exists() else ""
        if current != text:
            print(f"{API_FILE} is out of date: run python docs/make_api.py", file=sys.stderr)
            return 1
        return 0
    API_FILE.write_text(text, encoding="utf-8")
    print(f"wrote {API_FILE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
