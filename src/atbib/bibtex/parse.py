"""A fast, forgiving BibTeX reader.

``parse_bibtex(text)`` returns a :class:`BibFile` holding the entries, ``@string`` macros,
``@preamble`` and ``@comment`` blocks of a ``.bib`` file, and every problem found on the way.
It never raises on bad input: a malformed entry becomes one error :class:`BibProblem` and
reading goes on at the next line that starts an entry.

Theory of operation
-------------------
BibTeX has no nesting beyond braces, so the reader is a loop over the text that jumps from one
``@`` to the next with ``str.find`` and reads each entry with compiled regular expressions:

* ``_FIELD`` reads one whole ``name = value,`` in a single match for the common value shapes
  (``{...}`` with up to three levels of braces, ``"..."``, a number or a macro). Anything
  unusual (``#`` concatenation, deeper braces, an error) sends that one field to the careful
  path, ``_Parser._field_slow``, which scans braces iteratively (never recursively) and either
  reads the field or says exactly what is wrong.
* Line numbers are counted incrementally (``str.count("\\n", last, pos)``), so the whole parse
  is linear in the size of the text.
* Like BibTeX, text outside entries is ignored (``%`` lines included), and an ``@`` anywhere
  outside an entry that is followed by a name and ``{`` or ``(`` starts an entry. A stray ``@``
  that is not (an e-mail address in a comment, say) is ignored, unless it starts a line, where
  it is reported.

Values are resolved as BibTeX does: ``@string`` macros (defined earlier in the file, names
case-insensitive) and the predefined month macros (``jan`` -> ``January``) are expanded, ``#``
concatenation is done and the outer braces or quotes are removed. Everything else is kept as
written: inner braces, LaTeX commands and whitespace, including line breaks inside a value
(BibTeX collapses runs of whitespace when it formats; callers that want that can do
``" ".join(value.split())``). LaTeX is decoded separately, by
:func:`atbib.bibtex.latex.decode_latex`.

Problems
--------
* error: a malformed entry (missing key, missing comma, unbalanced braces or quotes, garbage in
  the field list, end of file inside the entry). The entry is *not* returned; the problem's line
  is the line of the entry's ``@``, the message says what is wrong and where. Reading resumes at
  the next line that starts with ``@name{`` or ``@name(`` after that ``@``.
* error: a field given twice in one entry (the first value is kept, the entry is returned).
* warning: an undefined macro (the value keeps the macro name, as bibtexparser 2 does), a
  redefined ``@string``, a key used twice (BibTeX compares keys case-insensitively; both entries
  are returned, the caller decides).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from atbib.bibtex.encode import MONTHS
from atbib.model import Problem, Severity

__all__ = ["BibEntry", "BibFile", "Field", "parse_bibtex"]


@dataclass(frozen=True, slots=True)
class Field:
    """One ``name = value`` of an entry."""

    name: str
    """Field name, lower-cased."""
    value: str
    """Resolved value: macros expanded, ``#`` done, outer delimiters removed, LaTeX raw."""
    line: int
    """1-based line of the field name."""


@dataclass(frozen=True, slots=True)
class BibEntry:
    """One ``@type{key, ...}`` entry."""

    entry_type: str
    """Entry type, lower-cased (``article``, ``inproceedings``, ``online``, ...)."""
    key: str
    """The citation key as written."""
    fields: tuple[Field, ...]
    """Fields in file order (a duplicate field is reported and left out)."""
    line: int
    """1-based line of the ``@``."""

    def get(self, name: str) -> str | None:
        """The value of field *name* (case-insensitive), or None."""
        name = name.lower()
        for field in self.fields:
            if field.name == name:
                return field.value
        return None


def _problem(line: int, message: str, severity: Severity) -> Problem:
    """A problem of the text at *line*; the caller that knows the file's name gives it one."""
    return Problem("", line, severity, message, "bibtex-syntax")


@dataclass(frozen=True, slots=True)
class BibFile:
    """Everything read from one ``.bib`` text."""

    entries: tuple[BibEntry, ...]
    strings: dict[str, str]
    """``@string`` macros defined in the file, lower-case names, resolved values."""
    preambles: tuple[str, ...]
    comments: tuple[str, ...]
    """Contents of ``@comment`` blocks (text outside entries is ignored, as BibTeX does)."""
    problems: tuple[Problem, ...]


# BibTeX identifiers: anything but white space and "#%'(),={} (and '@', to tell a missing
# closing brace from a field). The flag re.ASCII keeps \s and \d to ASCII, as BibTeX's are.
_ID = r"""[^\s"#%'(),={}@]"""
_ID_NOT_DIGIT = r"""[^\s"#%'(),={}@0-9]"""
_BRACED = r"[^{}]*(?:\{[^{}]*(?:\{[^{}]*\}[^{}]*)*\}[^{}]*)*"  # up to 3 levels with the outer
_QUOTED = r'[^"{}]*(?:\{[^{}]*(?:\{[^{}]*\}[^{}]*)*\}[^"{}]*)*'
_VALUE_ALTS = (
    r"\{(" + _BRACED + r")\}"  # braced
    r'|"(' + _QUOTED + r')"'  # quoted
    r"|(\d+)"  # number
    r"|(" + _ID_NOT_DIGIT + _ID + r"*)"  # macro
)

_START = re.compile(r"@\s*(" + _ID + r"+)\s*([{(]?)", re.ASCII)
_KEY = re.compile(r"""\s*([^\s,{}()"=#%@\\]+)\s*([,})=]?)""", re.ASCII)
_FIELD = re.compile(
    r"\s*(?:(" + _ID + r"+)\s*=\s*(?:" + _VALUE_ALTS + r")\s*([#,})]?)|([})]))",
    re.ASCII,
)
_VALUE = re.compile(r"\s*(?:" + _VALUE_ALTS + r")\s*(#?)", re.ASCII)
_NAME_EQ = re.compile(r"\s*(" + _ID + r"+)\s*(=?)", re.ASCII)
_NUMBER = re.compile(r"\d+", re.ASCII)
_WS = re.compile(r"\s*", re.ASCII)
_BRACES = re.compile(r"[{}]")
_QUOTE_BRACES = re.compile(r'[{}"]')
_PARENS = re.compile(r"[()]")
# A line that starts an entry: where reading resumes after an error, and what a value must not
# run into (if it does, its braces or quotes are unbalanced).
_LINE_ENTRY = re.compile(r"^[ \t]*@[ \t]*[A-Za-z][\w-]*[ \t\r\n]*[{(]", re.ASCII | re.MULTILINE)
# After an entry is closed: text that looks like more fields means the entry was closed early.
_AFTER_CLOSE = re.compile(r"\s*(?:[,})]|" + _ID + r"+\s*=)", re.ASCII)
# Only ever tested for a match, so the white space after the line break may leave out further
# line breaks (a match then starts at the last one): the same answer, in linear time where
# "\n\s*" retried every line break of a long blank run (56 s for 300,000 blank lines).
_FIELD_IN_VALUE = re.compile(r"\n[ \t\r\f\v]*" + _ID + r"+\s*=", re.ASCII)


class _Malformed(Exception):
    """Internal: the current entry is malformed; ``args[0]`` is the message."""


def parse_bibtex(text: str, *, path: str | None = None) -> BibFile:
    """Read a BibTeX text. Never raises on bad input; see :class:`BibFile` and the module doc.

    *path* is informational (the problems carry line numbers only; callers print
    ``f"{path}:{problem.line}: {problem.message}"``).
    """
    del path
    if not isinstance(text, str):
        raise TypeError(f"parse_bibtex() needs str, not {type(text).__name__}")
    parser = _Parser(text)
    try:
        parser.run()
    except Exception as exc:  # pragma: no cover - a bug; report it rather than lose the file
        parser.problems.append(
            _problem(parser.line, f"internal error in the BibTeX reader: {exc!r}", Severity.ERROR)
        )
    return BibFile(
        entries=tuple(parser.entries),
        strings=parser.strings,
        preambles=tuple(parser.preambles),
        comments=tuple(parser.comments),
        problems=tuple(parser.problems),
    )


def _snippet(text: str, pos: int) -> str:
    """A short quotation of the text at *pos* for an error message."""
    s = text[pos : pos + 20].split("\n", 1)[0].strip()
    return s if s else repr(text[pos : pos + 1])


class _Parser:
    __slots__ = (
        "at",
        "comments",
        "entries",
        "keys",
        "limit",
        "limit_at",
        "line",
        "lpos",
        "n",
        "pending",
        "preambles",
        "problems",
        "strings",
        "text",
    )

    def __init__(self, text: str) -> None:
        self.text = text
        self.n = len(text)
        self.entries: list[BibEntry] = []
        self.strings: dict[str, str] = {}
        self.preambles: list[str] = []
        self.comments: list[str] = []
        self.problems: list[Problem] = []
        self.pending: list[Problem] = []  # warnings of the entry being read
        self.keys: dict[str, int] = {}  # lower-cased key -> line of its first entry
        self.line = 1  # line number of position self.lpos
        self.lpos = 0
        self.at = 0  # position of the '@' of the block being read
        self.limit_at = -1  # self.limit is the next line starting an entry after limit_at
        self.limit = 0

    # -- helpers -------------------------------------------------------------------------

    def line_of(self, pos: int) -> int:
        if pos >= self.lpos:
            self.line += self.text.count("\n", self.lpos, pos)
            self.lpos = pos
            return self.line
        self.line -= self.text.count("\n", pos, self.lpos)
        self.lpos = pos
        return self.line

    def resume_after(self, at: int) -> int:
        """Start of the next line that starts an entry after *at* (or the end of the text).
        Reading resumes there after an error; no value of the block at *at* may reach it."""
        if not self.limit_at <= at < self.limit:
            # Searched again only past the last answer: each stretch of text is scanned once,
            # however many blocks one line holds (22,000 @comment{...} on one 1 MB line took
            # 54 s when every block searched to the end of the line).
            m = _LINE_ENTRY.search(self.text, at + 1)
            self.limit = m.start() if m else self.n
            self.limit_at = at
        return self.limit

    def skip_ws(self, pos: int) -> int:
        return _WS.match(self.text, pos).end()  # type: ignore[union-attr]  # always matches

    def macro(self, name: str, pos: int, what: str) -> str:
        lname = name.lower()
        value = self.strings.get(lname)
        if value is None:
            value = MONTHS.get(lname)
            if value is None:
                self.pending.append(
                    _problem(
                        self.line_of(pos),
                        f"undefined @string macro '{name}' in {what}; kept as the macro name",
                        Severity.WARNING,
                    )
                )
                return name
        return value

    def runs_into_entry(self, start: int, end: int) -> int:
        """Position of a line starting an entry inside text[start:end], or -1."""
        if self.text.find("@", start, end) < 0:
            return -1
        m = _LINE_ENTRY.search(self.text, start, end)
        return m.start() if m else -1

    # -- main loop -----------------------------------------------------------------------

    def run(self) -> None:
        text = self.text
        find = text.find
        start_match = _START.match
        pos = 0
        while True:
            at = find("@", pos)
            if at < 0:
                return
            m = start_match(text, at)
            if m is None or not m.group(2):
                pos = self.stray_at(at, m)
                continue
            line = self.line_of(at)
            self.at = at
            kind = m.group(1).lower()
            closer = "}" if m.group(2) == "{" else ")"
            pos = m.end()
            self.pending.clear()
            try:
                if kind == "comment":
                    pos = self.comment(pos, closer)
                elif kind == "string":
                    pos = self.string(pos, closer, line)
                elif kind == "preamble":
                    pos = self.preamble(pos, closer)
                else:
                    pos = self.entry(pos, closer, line, kind)
            except _Malformed as exc:
                self.problems.append(_problem(line, exc.args[0], Severity.ERROR))
                pos = self.resume_after(at)
            else:
                if self.pending:
                    self.problems.extend(self.pending)

    def stray_at(self, at: int, m: re.Match[str] | None) -> int:
        """An '@' that does not start an entry. Returns where to go on."""
        text = self.text
        if m is not None and m.group(1).lower() == "comment":
            return m.end()  # BibTeX's bare @comment: ignore it
        i = at - 1
        while i >= 0 and (text[i] == " " or text[i] == "\t"):
            i -= 1
        if i < 0 or text[i] == "\n":
            if m is None:
                msg = "'@' at the start of a line is not followed by an entry type"
            else:
                msg = f"'@{m.group(1)}' is not followed by '{{' or '('"
            self.problems.append(_problem(self.line_of(at), msg, Severity.ERROR))
        return at + 1

    # -- blocks --------------------------------------------------------------------------

    def comment(self, pos: int, closer: str) -> int:
        text = self.text
        opener = "{" if closer == "}" else "("
        end = self.match_close(pos - 1, _BRACES if opener == "{" else _PARENS, opener)
        if end < 0:
            # Unbalanced: BibTeX ignores @comment blocks anyway; keep the rest of the line.
            eol = text.find("\n", pos)
            end = self.n if eol < 0 else eol
            self.comments.append(text[pos:end].rstrip("\r"))
            return end
        self.comments.append(text[pos:end])
        return end + 1

    def string(self, pos: int, closer: str, line: int) -> int:
        text = self.text
        m = _NAME_EQ.match(text, pos)
        if m is None or not m.group(2):
            raise _Malformed("@string must be of the form @string{name = value}")
        name = m.group(1)
        value, pos = self.value_slow(m.end(), f"@string '{name}'", "@string")
        pos = self.skip_ws(pos)
        if pos >= self.n or text[pos] != closer:
            raise _Malformed(
                f"expected '{closer}' after the value of @string '{name}', found "
                f"{'the end of the file' if pos >= self.n else repr(_snippet(text, pos))}"
            )
        lname = name.lower()
        if lname in self.strings:
            self.pending.append(
                _problem(
                    line,
                    f"@string '{name}' is defined again; using the new value",
                    Severity.WARNING,
                )
            )
        self.strings[lname] = value
        return pos + 1

    def preamble(self, pos: int, closer: str) -> int:
        text = self.text
        value, pos = self.value_slow(pos, "@preamble", "@preamble")
        pos = self.skip_ws(pos)
        if pos >= self.n or text[pos] != closer:
            raise _Malformed(f"expected '{closer}' at the end of @preamble")
        self.preambles.append(value)
        return pos + 1

    def entry(self, pos: int, closer: str, line: int, kind: str) -> int:
        text = self.text
        m = _KEY.match(text, pos)
        if m is None or m.group(2) == "=" or (m.group(2) != "," and m.group(2) != closer):
            raise _Malformed(self.key_problem(pos, closer, kind, m))
        key = m.group(1)
        pos = m.end()
        fields: list[Field] = []
        if m.group(2) == ",":
            seen: dict[str, int] = {}
            field_match = _FIELD.match
            count = text.count
            while True:
                fm = field_match(text, pos)
                if fm is not None:
                    name, b, q, num, mac, after, close = fm.groups()
                    if name is None:  # "}" after a trailing comma
                        if close != closer:
                            raise _Malformed(
                                f"entry '{key}' was opened with '{'{' if closer == '}' else '('}' "
                                f"but closed with '{close}'"
                            )
                        pos = fm.end()
                        break
                    if after == "," or after == closer:
                        start = fm.start(1)
                        self.line += count("\n", self.lpos, start)
                        self.lpos = start
                        if b is not None:
                            value = b
                            if "@" in b and self.runs_into_entry(fm.start(2), fm.end(2)) >= 0:
                                raise _Malformed(
                                    f"unbalanced braces in field '{name.lower()}' of entry '{key}'"
                                )
                        elif q is not None:
                            value = q
                            if "@" in q and self.runs_into_entry(fm.start(3), fm.end(3)) >= 0:
                                raise _Malformed(
                                    f"missing closing quote in field '{name.lower()}' "
                                    f"of entry '{key}'"
                                )
                        elif num is not None:
                            value = num
                        else:
                            value = self.macro(
                                mac, start, f"field '{name.lower()}' of entry '{key}'"
                            )
                        pos = fm.end()
                        field = Field(name.lower(), value, self.line)
                    else:
                        field, pos, after = self.field_slow(pos, closer, key)
                else:
                    field, pos, after = self.field_slow(pos, closer, key)
                if field.name in seen:
                    self.pending.append(
                        _problem(
                            field.line,
                            f"duplicate field '{field.name}' in entry '{key}' (first at line "
                            f"{seen[field.name]}); keeping the first value",
                            Severity.ERROR,
                        )
                    )
                else:
                    seen[field.name] = field.line
                    fields.append(field)
                if after != ",":
                    break
        self.check_after_close(pos, key)
        self.note_key(key, line)
        self.entries.append(BibEntry(kind, key, tuple(fields), line))
        return pos

    def note_key(self, key: str, line: int) -> None:
        """Remember an entry's key; a key seen before is a warning (BibTeX compares keys
        case-insensitively, and both entries are kept: the caller decides)."""
        lkey = key.lower()
        first = self.keys.get(lkey)
        if first is None:
            self.keys[lkey] = line
        else:
            self.pending.append(
                _problem(
                    line,
                    f"duplicate key '{key}' at line {line} (also at line {first}; BibTeX keys "
                    "are case-insensitive)",
                    Severity.WARNING,
                )
            )

    def key_problem(self, pos: int, closer: str, kind: str, m: re.Match[str] | None) -> str:
        text = self.text
        p = self.skip_ws(pos)
        if p >= self.n:
            return f"end of file inside @{kind} entry"
        if m is None:
            c = text[p]
            if c == ",":
                return f"missing key in @{kind} entry"
            if c == closer:
                return f"empty @{kind} entry (no key)"
            return f"invalid key in @{kind} entry: unexpected {c!r}"
        key, after = m.group(1), m.group(2)
        if after == "=":
            return f"missing key in @{kind} entry (it starts with field '{key.lower()}')"
        q = self.skip_ws(m.end())
        if q >= self.n:
            return f"end of file inside @{kind} entry '{key}'"
        if text[q] == "@":
            return f"@{kind} entry '{key}' is not closed (missing '{closer}' or ',')"
        return f"expected ',' after key '{key}' in @{kind} entry, found {_snippet(text, q)!r}"

    def check_after_close(self, pos: int, key: str) -> None:
        m = _AFTER_CLOSE.match(self.text, pos)
        if m is not None:
            raise _Malformed(
                f"unbalanced braces in entry '{key}': it is closed at line "
                f"{self.line_of(pos - 1)} but more fields follow (an extra '}}'?)"
            )

    # -- the careful path ------------------------------------------------------------------

    def field_slow(self, pos: int, closer: str, key: str) -> tuple[Field, int, str]:
        """Read one field at *pos* carefully. Returns (field, position after the separator,
        separator) or raises _Malformed with the reason."""
        text = self.text
        n = self.n
        m = _NAME_EQ.match(text, pos)
        if m is None:
            p = self.skip_ws(pos)
            if p >= n:
                raise _Malformed(f"end of file inside entry '{key}' (missing '{closer}')")
            if text[p] == "@":
                raise _Malformed(
                    f"entry '{key}' is not closed before the next entry at line "
                    f"{self.line_of(p)} (missing '{closer}')"
                )
            hint = " (BibTeX has no comments inside entries)" if text[p] == "%" else ""
            raise _Malformed(
                f"unexpected {_snippet(text, p)!r} at line {self.line_of(p)} in the field list of "
                f"entry '{key}'{hint}"
            )
        name = m.group(1).lower()
        name_pos = m.start(1)
        line = self.line_of(name_pos)
        if not m.group(2):
            p = self.skip_ws(m.end())
            found = "the end of the file" if p >= n else repr(_snippet(text, p))
            raise _Malformed(
                f"expected '=' after {m.group(1)!r} at line {line} in entry '{key}', found {found}"
            )
        what = f"field '{name}' of entry '{key}'"
        vstart = m.end()
        value, p = self.value_slow(vstart, what, f"field '{name}' of entry '{key}'")
        p = self.skip_ws(p)
        if p < n and (text[p] == "," or text[p] == closer):
            return Field(name, value, line), p + 1, text[p]
        # Something is wrong right after the value: say what.
        runs_on = _FIELD_IN_VALUE.search(text, vstart, p)
        if p >= n:
            if runs_on is not None:
                raise _Malformed(f"unbalanced braces in field '{name}' of entry '{key}'")
            raise _Malformed(f"end of file inside entry '{key}' (missing '{closer}')")
        nm = _NAME_EQ.match(text, p)
        if text[p] == "@" or (nm is not None and nm.group(2) and runs_on):
            if runs_on is not None:
                raise _Malformed(
                    f"unbalanced braces in field '{name}' of entry '{key}' (its value runs on "
                    f"to line {self.line_of(p)})"
                )
            raise _Malformed(
                f"entry '{key}' is not closed before the next entry at line {self.line_of(p)} "
                f"(missing '{closer}')"
            )
        if nm is not None and nm.group(2):
            raise _Malformed(
                f"missing comma before field '{nm.group(1).lower()}' (line {self.line_of(p)}) "
                f"in entry '{key}'"
            )
        raise _Malformed(
            f"unexpected {_snippet(text, p)!r} after field '{name}' (line {line}) of entry "
            f"'{key}'; expected ',' or '{closer}'"
        )

    def value_slow(self, pos: int, what: str, where: str) -> tuple[str, int]:
        """Read a value (parts joined by '#') at *pos*. Returns (value, end position)."""
        text = self.text
        n = self.n
        parts: list[str] = []
        while True:
            vm = _VALUE.match(text, pos)
            if vm is not None:
                b, q, num, mac, hash_ = vm.groups()
                if b is not None:
                    if "@" in b and self.runs_into_entry(vm.start(1), vm.end(1)) >= 0:
                        raise _Malformed(f"unbalanced braces in {what}")
                    parts.append(b)
                elif q is not None:
                    if "@" in q and self.runs_into_entry(vm.start(2), vm.end(2)) >= 0:
                        raise _Malformed(f"missing closing quote in {what}")
                    parts.append(q)
                elif num is not None:
                    parts.append(num)
                else:
                    parts.append(self.macro(mac, vm.start(4), where))
                pos = vm.end()
                if not hash_:
                    return "".join(parts), pos
                continue
            p = self.skip_ws(pos)
            if p >= n:
                raise _Malformed(f"end of file where the value of {what} was expected")
            c = text[p]
            if c == "{":
                end = self.match_close(p, _BRACES, "{")
                if end < 0:
                    raise _Malformed(f"unbalanced braces in {what}")
                parts.append(text[p + 1 : end])
            elif c == '"':
                end = self.match_quote(p, what)
                parts.append(text[p + 1 : end])
            else:
                raise _Malformed(f"expected a value for {what}, found {_snippet(text, p)!r}")
            pos = self.skip_ws(end + 1)
            if pos < n and text[pos] == "#":
                pos += 1
                continue
            return "".join(parts), pos

    def match_close(self, pos: int, pattern: re.Pattern[str], opener: str) -> int:
        """Index of the delimiter closing the one at *pos*, or -1. Iterative: any depth. The
        closing delimiter must come before the next line that starts an entry."""
        depth = 0
        for m in pattern.finditer(self.text, pos, self.resume_after(self.at)):
            if m.group() == opener:
                depth += 1
            else:
                depth -= 1
                if depth == 0:
                    return m.start()
        return -1

    def match_quote(self, pos: int, what: str) -> int:
        """Index of the '"' closing the quoted value starting at *pos*, or raise."""
        depth = 0
        for m in _QUOTE_BRACES.finditer(self.text, pos + 1, self.resume_after(self.at)):
            c = m.group()
            if c == "{":
                depth += 1
            elif c == "}":
                depth -= 1
                if depth < 0:
                    if _FIELD_IN_VALUE.search(self.text, pos, m.start()):
                        raise _Malformed(f"missing closing quote in {what}")
                    raise _Malformed(f"unbalanced braces in {what}")
            elif depth == 0:
                return m.start()
        if depth > 0:
            raise _Malformed(f"unbalanced braces in {what}")
        raise _Malformed(f"missing closing quote in {what}")
