"""A seeded mutation fuzzer for atbib's readers, and the properties every input must keep.

Inputs are mutations of real text (every version of the list, bib/ files, .bib files in the
styles of DBLP, the ACL Anthology, Google Scholar and Better BibTeX): truncated lines and
files, unbalanced brackets and braces, control characters, NUL bytes, 1 MB lines, deep
nesting, random byte flips (decoded back with ``surrogateescape`` or ``replace``, since the
readers take ``str``), spliced, repeated and re-ended lines. One to four mutations are stacked.

Everything is drawn from ``random.Random(f"{seed}/{n}")`` for input number ``n``, so an input
is replayed from its seed and number alone (:func:`replay`), at the same commit: the corpus
includes README.md, which changes with the list.

Properties:

* Markdown (``check_markdown``): ``read_markdown`` never raises and stays within a time budget;
  ``write_markdown(read_markdown(t)) == t``; the document has one block per line; every
  list-item line outside code fences and skipped sections is an entry or a reported problem;
  and the export and lint built on it never raise, and every .bib file export writes parses
  with atbib's reader without a problem (one entry per work).
* BibTeX (``check_bibtex``): ``parse_bibtex`` never raises, never reports an internal error and
  stays within the budget; every entry, field and problem has a line inside the input, an
  entry's line holds its ``@``, a field's line holds its name; a rejected entry is one error
  problem at the line of its ``@``; and a mutation confined to one entry never changes what is
  read of the others.
"""

from __future__ import annotations

import random
import re
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from atbib.bibtex.parse import BibFile, parse_bibtex
from atbib.document import Heading, Item, Library, Text
from atbib.export import build_bibliography
from atbib.lint import lint
from atbib.markdown.entry import split_bullet
from atbib.markdown.read import MAX_HEADING_LENGTH, SKIP_MARKER, read_markdown
from atbib.markdown.write import write_markdown

ROOT = Path(__file__).resolve().parent.parent
BIB_SAMPLES = ROOT / "tests" / "data" / "bib-samples"

MB = 1_000_000
MAX_INPUT = 4 * MB
"""Inputs are cut here: repeating a 1 MB line fifty times tests memory, not the readers."""


def budget(length: int) -> float:
    """Seconds an input of ``length`` characters may take: generous for a loaded 2-core
    machine, yet far below what a quadratic regular expression needs on a 1 MB line."""
    return 2.0 + 4.0 * length / MB


# -- corpora --------------------------------------------------------------------------------


def markdown_corpus() -> list[str]:
    history = sorted((ROOT / "tests" / "data" / "atpapers-history").glob("[0-9]*.md"))
    texts = [p.read_text(encoding="utf-8") for p in history[::6]]
    texts.append((ROOT / "README.md").read_text(encoding="utf-8"))
    return texts


def bibtex_corpus() -> list[str]:
    texts = [p.read_text(encoding="utf-8") for p in sorted(BIB_SAMPLES.glob("*.bib"))]
    texts.append((ROOT / "bib" / "attention.bib").read_text(encoding="utf-8"))
    return texts


# -- mutations ------------------------------------------------------------------------------

SPECIAL = "[]()*_`#{}\\@%&\"'=,~^$<>|!-+:/. \t"
CONTROL = [chr(c) for c in range(32)] + ["\x7f", "\x85", "\u2028", "\u2029", "\ufeff", "\ufffd"]
TOKENS = [
    "**", "***", "*", "[[", "]]", "](", "[", "]", "(", ")", "（", "）", "- ", "* ", "1. ", "### ",
    "## ", "# ", "```", "~~~", "<!-- atbib: skip -->", "[[paper]](", "https://arxiv.org/abs/",
    "(ACL 2019)", " - ***", "@misc{", "@string{", "@comment{", "{", "}", '"', "#", "=", ",",
    "\\", "\\'", "\\url{", "$", "%", "\n@", "@", "and ", " and ", ", ", "\r\n", "\r", "\x00",
]  # fmt: skip
NESTERS = ["(", "[", "{", "**", "[[", "（", "\\'{", "$", '"', "`"]


def _pos(rng: random.Random, text: str) -> int:
    return rng.randint(0, len(text))


def _line_span(rng: random.Random, text: str) -> tuple[int, int]:
    """(start, end) of a random line, without its line break."""
    if not text:
        return 0, 0
    at = rng.randrange(len(text))
    start = text.rfind("\n", 0, at) + 1
    end = text.find("\n", at)
    return start, len(text) if end < 0 else end


def truncate_line(rng: random.Random, text: str) -> str:
    start, end = _line_span(rng, text)
    return text[: rng.randint(start, end)] + text[end:]


def truncate_file(rng: random.Random, text: str) -> str:
    return text[: _pos(rng, text)]


def delete_span(rng: random.Random, text: str) -> str:
    at = _pos(rng, text)
    return text[:at] + text[at + rng.randint(1, 40) :]


def insert_special(rng: random.Random, text: str) -> str:
    for _ in range(rng.randint(1, 12)):
        at = _pos(rng, text)
        text = text[:at] + rng.choice(SPECIAL) + text[at:]
    return text


def insert_token(rng: random.Random, text: str) -> str:
    for _ in range(rng.randint(1, 6)):
        at = _pos(rng, text)
        text = text[:at] + rng.choice(TOKENS) + text[at:]
    return text


def insert_control(rng: random.Random, text: str) -> str:
    for _ in range(rng.randint(1, 8)):
        at = _pos(rng, text)
        text = text[:at] + rng.choice(CONTROL) + text[at:]
    return text


def nul_bytes(rng: random.Random, text: str) -> str:
    at = _pos(rng, text)
    return text[:at] + "\x00" * rng.choice([1, 2, 17, 4096]) + text[at:]


def unbalance(rng: random.Random, text: str) -> str:
    """Delete or double brackets, braces and parentheses."""
    spots = [m.start() for m in re.finditer(r"[\[\](){}（）*]", text)]
    for at in sorted(rng.sample(spots, min(len(spots), rng.randint(1, 6))), reverse=True):
        text = text[:at] + (text[at] * 2 if rng.random() < 0.5 else "") + text[at + 1 :]
    return text


def long_line(rng: random.Random, text: str) -> str:
    size = rng.choice([20_001, 100_000, MB])
    kind = rng.randrange(8)
    if kind == 0:
        line = rng.choice(SPECIAL + "x") * size
    elif kind == 1:
        token = rng.choice(TOKENS)
        line = token * (size // max(1, len(token)))
    elif kind == 2:
        line = "- " + "x" * size
    elif kind == 3:
        line = "# " + rng.choice([" ", "\t", " #"]) * size + "x"
    elif kind == 4:
        line = "- **" + "a " * (size // 2) + "**. *" + "b, " * 1000 + "*. (" + "ACL 2019 " * 100
    elif kind == 5:
        line = "@misc{k, title = {" + "x " * (size // 2)
    elif kind == 6:
        line = " " * size + rng.choice(["- x", "x", "-", "*"])
    else:
        start, end = _line_span(rng, text)
        piece = text[start:end] or "x"
        line = piece * (size // len(piece) + 1)
    at = text.find("\n", _pos(rng, text))
    at = len(text) if at < 0 else at + 1
    return text[:at] + line + "\n" + text[at:]


ENTRY_PREFIXES = ["- ", "- **T**. *", "- [", "- **", "- T (", "- [[a]](", "- [a](u) - ",
                  "- **T**. *A*. (", "@misc{k, title = {", "@misc{k, author = "]  # fmt: skip
ENTRY_SUFFIXES = ["", "x", "*", ")", "]", " [[p]](u)", "*. (ACL 2019) [[p]](u)", "](u)", "}}"]


def many_long_entries(rng: random.Random, text: str) -> str:
    """Dozens of entry lines just under the reader's length cap, each a short random pattern
    repeated: a regular expression that is quadratic per line shows up as a blown budget."""
    pattern = "".join(rng.choice(TOKENS + list(SPECIAL)) for _ in range(rng.randint(1, 3)))
    size = rng.choice([5_000, 19_900])
    line = rng.choice(ENTRY_PREFIXES) + pattern * (size // len(pattern))
    line += rng.choice(ENTRY_SUFFIXES)
    at = text.find("\n", _pos(rng, text))
    at = len(text) if at < 0 else at + 1
    return text[:at] + (line + "\n") * rng.randint(10, 60) + text[at:]


def deep_nesting(rng: random.Random, text: str) -> str:
    opener = rng.choice(NESTERS)
    closer = {"(": ")", "[": "]", "{": "}", "（": "）", "\\'{": "}"}.get(opener, opener)
    depth = rng.choice([100, 1000, 30_000, 100_000])
    body = opener * depth + "x" + (closer * depth if rng.random() < 0.5 else "")
    at = _pos(rng, text)
    return text[:at] + body + text[at:]


def byte_flips(rng: random.Random, text: str) -> str:
    data = bytearray(text.encode("utf-8", "surrogateescape"))
    if not data:
        return text
    for _ in range(rng.randint(1, 16)):
        at = rng.randrange(len(data))
        data[at] = rng.randrange(256) if rng.random() < 0.5 else data[at] ^ (1 << rng.randrange(8))
    errors = "surrogateescape" if rng.random() < 0.5 else "replace"
    return bytes(data).decode("utf-8", errors)


def shuffle_lines(rng: random.Random, text: str) -> str:
    lines = text.split("\n")
    for _ in range(rng.randint(1, 5)):
        i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
        op = rng.randrange(3)
        if op == 0:
            lines[i], lines[j] = lines[j], lines[i]
        elif op == 1:
            lines.insert(i, lines[j])
        else:
            lines[i] = lines[i] * min(rng.randint(2, 50), MAX_INPUT // (len(lines[i]) + 1) + 1)
    return "\n".join(lines)


def line_endings(rng: random.Random, text: str) -> str:
    ending = rng.choice(["\r\n", "\r", "\n\n", "\x0b", "\x0c", "\u2028", "\x85", "\r\r\n"])
    if rng.random() < 0.3:
        return text.replace("\n", ending)
    lines = text.split("\n")
    return "".join(line + (ending if rng.random() < 0.2 else "\n") for line in lines)[:-1]


def splice(rng: random.Random, text: str, other: str) -> str:
    a, b = _pos(rng, text), _pos(rng, other)
    return text[:a] + other[b : b + rng.randint(1, 5000)] + text[a:]


Mutator = Callable[[random.Random, str], str]
MUTATORS: dict[str, Mutator] = {
    f.__name__: f
    for f in (
        truncate_line,
        truncate_file,
        delete_span,
        insert_special,
        insert_token,
        insert_control,
        nul_bytes,
        unbalance,
        long_line,
        many_long_entries,
        deep_nesting,
        byte_flips,
        shuffle_lines,
        line_endings,
    )
}
BIG = ("long_line", "many_long_entries", "deep_nesting")
CHEAP = [name for name in MUTATORS if name not in BIG]


def mutate(rng: random.Random, corpus: Sequence[str]) -> tuple[str, list[str]]:
    """One input: a corpus text with 1 to 4 mutations (big ones at most once)."""
    text = rng.choice(corpus)
    applied: list[str] = []
    for _ in range(rng.choice([1, 1, 2, 2, 3, 4])):
        if rng.random() < 0.08:
            text = splice(rng, text, rng.choice(corpus))
            applied.append("splice")
            continue
        pool = CHEAP if any(a in BIG for a in applied) else MUTATORS
        name = rng.choice(list(pool))
        text = MUTATORS[name](rng, text)[:MAX_INPUT]
        applied.append(name)
    return text, applied


# -- the runs --------------------------------------------------------------------------------


@dataclass
class FuzzRun:
    reader: str
    seed: int
    tried: int = 0
    seconds: float = 0.0
    slowest: tuple[float, int, int] = (0.0, 0, 0)
    """(seconds, input number, length) of the slowest input."""
    mutations: Counter[str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)

    def summary(self) -> str:
        s, n, length = self.slowest
        text = (
            f"{self.reader}: {self.tried} inputs (seed {self.seed}) in {self.seconds:.1f} s, "
            f"{len(self.failures)} failures"
        )
        if s:
            text += f"; slowest {s:.3f} s (input {n}, {length} chars)"
        if self.mutations:
            text += f"; mutations: {dict(sorted(self.mutations.items()))}"
        return text


def run(
    reader: str,
    corpus: Sequence[str],
    check: Callable[[str, int], None],
    *,
    seed: int,
    count: int,
    start: int = 0,
    max_failures: int = 5,
) -> FuzzRun:
    """Try ``count`` mutated inputs; each failure is recorded with how to replay it."""
    result = FuzzRun(reader, seed)
    began = time.perf_counter()
    for number in range(start, start + count):
        rng = random.Random(f"{seed}/{number}")
        text, applied = mutate(rng, corpus)
        result.mutations.update(applied)
        t0 = time.perf_counter()
        try:
            check(text, number)
        except Exception as exc:  # a failed property or a crash: both are findings
            result.failures.append(
                f"{reader} input {number} (replay: seed {seed}, input {number}; mutations "
                f"{applied}; {len(text)} chars): {type(exc).__name__}: {str(exc)[:300]}"
            )
        spent = time.perf_counter() - t0
        if spent > result.slowest[0]:
            result.slowest = (spent, number, len(text))
        result.tried += 1
        if len(result.failures) >= max_failures:
            break
    result.seconds = time.perf_counter() - began
    return result


def replay(seed: int, number: int, corpus: Sequence[str]) -> str:
    """The exact input number ``number`` of a run with ``seed``."""
    return mutate(random.Random(f"{seed}/{number}"), corpus)[0]


# -- Markdown properties ----------------------------------------------------------------------

_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
_HEADING = re.compile(r"^(#{1,6})[ \t]")


def expected_lines(text: str) -> list[str]:
    """The lines of a list as the format defines them: only ``\\n`` ends a line (a ``\\r``
    before it belongs to the ending), and a BOM at the start is not part of the first line."""
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
        return [line.removesuffix("\r") for line in lines]
    return [line.removesuffix("\r") for line in lines[:-1]] + lines[-1:]


_COMMENT_START = re.compile(r"^ {0,3}<!--")
_TOC_ITEM = re.compile(r"^\s*(?:[-*+]|\d{1,9}[.)])\s+\[.*\]\(#")
"""A list item that starts with a link to a heading of the page: a table of contents."""


def bibliography_lines(lines: Sequence[str]) -> list[bool]:
    """For each line: may it be an entry (not in a code fence or an HTML comment, not in a
    skipped section)? Written from the format's rules, independently of the reader."""
    out = []
    fence = ""
    comment = False
    skip_level = 0
    level = 0
    for line in lines:
        if fence or comment:
            out.append(False)
            if fence and line.lstrip().startswith(fence):
                fence = ""
            if comment and "-->" in line:
                comment = False
            continue
        if line.strip() == SKIP_MARKER and level:
            skip_level = level
            out.append(False)
            continue
        opening = _FENCE.match(line)
        if opening or _COMMENT_START.match(line):
            fence = opening.group(1) if opening else ""
            comment = not opening and "-->" not in line[line.index("<!--") + 4 :]
            out.append(False)
            continue
        heading = _HEADING.match(line)
        if heading and len(line) <= MAX_HEADING_LENGTH:
            level = len(heading.group(1))
            if skip_level and level <= skip_level:
                skip_level = 0
            out.append(False)
            continue
        out.append(not skip_level and not _TOC_ITEM.match(line))
    return out


def block_lines(block_text: str) -> list[str]:
    """The lines of a block (an item may take several), as :func:`expected_lines` gives
    them: without the ``\\r`` of a CRLF ending."""
    pieces = block_text.split("\n")
    return [piece.removesuffix("\r") for piece in pieces[:-1]] + pieces[-1:]


def _as_written(text: str) -> str:
    """What a file with this text would hold: lone surrogates (from ``surrogateescape``) cannot
    be in a UTF-8 file, so the export check uses the replaced text."""
    return text.encode("utf-8", "replace").decode("utf-8")


def check_markdown(text: str, number: int = 0, *, export_every: int = 4) -> None:
    t0 = time.perf_counter()
    library = read_markdown(text=text)
    spent = time.perf_counter() - t0
    assert spent < budget(len(text)), f"read_markdown took {spent:.2f} s"
    assert write_markdown(library) == text, "write_markdown(read_markdown(t)) != t"
    lines = expected_lines(text)
    taken = sum(len(block_lines(b.text)) for b in library.blocks)
    assert taken == len(lines), f"{len(library.blocks)} blocks of {taken} lines, {len(lines)} lines"
    may_be_entries = bibliography_lines(lines)
    at = 0
    for block in library.blocks:
        own = block_lines(block.text)
        assert block.line == at + 1, f"block at line {at + 1} numbered {block.line}"
        assert own == lines[at : at + len(own)], f"line {block.line} read as {block.text[:60]!r}"
        line, may_be_entry = lines[at], may_be_entries[at]
        at += len(own)
        if isinstance(block, Heading):
            continue
        if may_be_entry and split_bullet(line) is not None:
            assert isinstance(block, Item) or (isinstance(block, Text) and block.problem), (
                f"list item at line {block.line} is neither an entry nor a problem: {line[:80]!r}"
            )
    if number % export_every == 0:
        check_export(_as_written(text) if text != _as_written(text) else library)


def check_export(source: str | Library) -> None:
    """Export and lint of any list never raise, and every file export writes is BibTeX that
    atbib's own reader reads back without a problem, one entry per work."""
    library = read_markdown(text=source) if isinstance(source, str) else source
    t0 = time.perf_counter()
    bibliography = build_bibliography(library)
    lint(library)
    spent = time.perf_counter() - t0
    length = sum(len(b.text) for b in library.blocks)
    assert spent < budget(length) + 0.01 * len(library.items), f"export took {spent:.2f} s"
    for name, content in bibliography.files.items():
        if not name.endswith(".bib"):
            continue
        parsed = parse_bibtex(content)
        assert not parsed.problems, f"{name}: {parsed.problems[0]}"
        if name == "all.bib":
            assert len(parsed.entries) == len(bibliography.works)


# -- BibTeX properties ----------------------------------------------------------------------


def check_bibtex(text: str, number: int = 0) -> BibFile:
    t0 = time.perf_counter()
    result = parse_bibtex(text)
    spent = time.perf_counter() - t0
    assert spent < budget(len(text)), f"parse_bibtex took {spent:.2f} s"
    lines = text.split("\n")
    for problem in result.problems:
        assert "internal error" not in problem.message, problem.message
        assert 1 <= problem.line <= len(lines), f"problem line {problem.line} of {len(lines)}"
        assert problem.severity in ("error", "warning") and problem.message
        if problem.severity == "error" and not problem.message.startswith("duplicate field"):
            assert "@" in lines[problem.line - 1], f"error not at an '@' line: {problem}"
    lowered: dict[int, str] = {}
    for entry in result.entries:
        assert 1 <= entry.line <= len(lines)
        assert "@" in lines[entry.line - 1], f"entry {entry.key!r} not at an '@' line"
        for item in entry.fields:
            assert 1 <= item.line <= len(lines)
            if item.line not in lowered:
                lowered[item.line] = lines[item.line - 1].lower()
            assert item.name in lowered[item.line], (
                f"field {item.name!r} of {entry.key!r} not on its line {item.line}"
            )
    rejected = sum(
        p.severity == "error" and not p.message.startswith("duplicate field")
        for p in result.problems
    )
    assert len(result.entries) + rejected <= text.count("@"), "more entries and errors than '@'"
    return result


def entry_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of each line-initial ``@name{`` block up to the next one."""
    starts = [m.start() for m in re.finditer(r"(?m)^@[A-Za-z]+\{", text)]
    return list(zip(starts, [*starts[1:], len(text)], strict=True))


LOCAL_ALPHABET = SPECIAL.replace("@", "") + "\x00\x01\x1b\x7f\r\t\u2028é"


def check_local_mutation(rng: random.Random, text: str) -> None:
    """Mutate one regular entry without adding or removing an ``@`` or a line break: every
    other entry reads exactly as before (keys, types, fields, values and lines)."""
    before = parse_bibtex(text)
    spans = [
        (s, e) for s, e in entry_spans(text)
        if not re.match(r"@(string|preamble|comment)\b", text[s:e], re.I)
    ]  # fmt: skip
    start, end = rng.choice(spans)
    end = text.rfind("\n", start, end) + 1 or end  # the next entry's line is not ours to touch
    inner = list(text[start + 1 : end - 1])
    for _ in range(rng.randint(1, 8)):
        at = rng.randrange(len(inner) + 1)
        if rng.random() < 0.5 and at < len(inner) and inner[at] not in "@\n":
            del inner[at]
        else:
            inner.insert(at, rng.choice(LOCAL_ALPHABET))
    mutated = text[: start + 1] + "".join(inner) + text[end - 1 :]
    after = check_bibtex(mutated)
    first_line = text.count("\n", 0, start) + 1

    def others(result: BibFile) -> list[object]:
        return [(e.entry_type, e.key, e.fields, e.line) for e in result.entries
                if e.line != first_line]  # fmt: skip

    assert others(after) == others(before), "a broken entry changed how its neighbours read"
