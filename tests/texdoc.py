"""Compile a real LaTeX document against a .bib file and report every problem.

Test helper: atbib's .bib files are cited from LaTeX, so tests compile them with the
real toolchain (Debian 12: pdfTeX 1.40.24, BibTeX 0.99d, biber 2.18 + biblatex 3.18b)
and fail on any error or warning about the entries.

Two chains:

* :func:`compile_with_bibtex`: pdflatex, bibtex, pdflatex, pdflatex (``plain`` by
  default; a ``*nat`` style also loads natbib);
* :func:`compile_with_biber`: pdflatex, biber, pdflatex, pdflatex with
  ``biblatex`` (``backend=biber, style=numeric, maxnames=999`` so that every name is
  typeset and checked for missing glyphs); biber runs with
  ``--validate-datamodel`` by default, so missing mandatory fields, unknown fields or
  types and bad dates are problems too.

The document loads ``fontenc`` (T1), ``inputenc`` (utf8), ``lmodern`` (scalable T1
fonts, so nothing is generated with METAFONT), ``url`` and ``CJKutf8``; the whole body
is wrapped in ``\\begin{CJK*}{UTF8}{gbsn}`` so Chinese titles typeset with pdflatex.
``hyperref=True`` also loads hyperref, which is what makes ``\\%`` and ``\\#`` inside
``\\url{...}`` print as ``%`` and ``#`` (see ``tests/test_texdoc.py``).

:class:`TexResult.problems` collects, from the last pdflatex log and the .blg:

* LaTeX errors (``! ...``, with their context), undefined citations and every other
  LaTeX/package/class warning except font-shape substitutions (the CJK fonts have no
  italic, so biblatex's italic titles always substitute);
* ``Missing character: There is no ... in font ...`` (``\\tracinglostchars=2``);
* ``runsystem(...)...disabled``: something tried ``\\write18``;
* bibtex's ``Warning--...`` lines and error messages; biber's ``WARN``/``ERROR`` lines;
* a lint of the .bbl for characters that TeX would misread without necessarily saying
  so: an unescaped ``%`` silently drops the rest of the line with plain bibtex, and an
  unescaped ``%``/``#``/``&`` breaks biblatex's .bbl.

Each problem names the entry it concerns when that can be told: messages that give a
line of the .bib get ``[entry KEY]`` from a brace-aware scan of the file, and messages
from typesetting the bibliography get the key of the entry being typeset (the document
prints an ``ATBIB-ENTRY: key`` marker to the log before each entry).

Safety: .bib content can be hostile. pdflatex runs with ``-no-shell-escape``, every
tool runs with ``-interaction=nonstopmode -halt-on-error`` (pdflatex), a timeout and
``cwd=workdir``, with kpathsea's ``openout_any=p``/``openin_any=p`` (no writing or
reading by absolute path or in parent directories), font generation disabled
(``MKTEXPK=0`` ...), and ``TMPDIR``/``TEXMFVAR``/``HOME`` pointing inside ``workdir``:
nothing is written outside it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "INSTALL_HINT",
    "REQUIRE_ENV",
    "SKIP_PREFIX",
    "TexResult",
    "bib_entry_spans",
    "compile_with_biber",
    "compile_with_bibtex",
    "missing_tex_components",
    "pdf_text",
    "require_tex",
    "tex_available",
]

#: Per tool invocation, in seconds (biber needs ~10 s per 1,000 entries).
DEFAULT_TIMEOUT = 300.0

INSTALL_HINT = (
    "run `.ci/install-system-packages` (Debian or Ubuntu, as root or with sudo; the packages "
    "are in .ci/debian-packages.txt) to run them"
)
SKIP_PREFIX = "TeX tests: "
"""How the reason of every TeX test skipped starts: tests/conftest.py reports them all on
one line of the summary."""
REQUIRE_ENV = "ATBIB_REQUIRE_TEX"
"""Set to 1 (CI does, having installed TeX): a missing TeX fails the tests instead of
skipping them, so CI can never pass without compiling the .bib files."""

_TOOLS = ("pdflatex", "bibtex", "biber", "kpsewhich")
_STY = ("CJKutf8.sty", "biblatex.sty", "etoolbox.sty", "lmodern.sty", "url.sty", "hyperref.sty")

_DOC = "doc"  # basename of the generated document
_BIB = "refs"  # basename of the copy of the .bib inside workdir
_MARK = "ATBIB-ENTRY: "
_END_MARK = "ATBIB-END-OF-BIBLIOGRAPHY"

_PDFLATEX = ("pdflatex", "-interaction=nonstopmode", "-halt-on-error", "-no-shell-escape")
_KEY_RE = re.compile(r"^[^\s{}(),%#\\~\"'=]+$")


@dataclass(frozen=True)
class TexResult:
    ok: bool  # every tool succeeded and no problem was found
    problems: list[str]  # errors/warnings about the bibliography or the entries
    log: str  # combined tool output and logs, for debugging
    bbl: str = ""  # the .bbl that bibtex/biber wrote ("" if none)
    pdf: Path | None = None  # the PDF, if one was written
    seconds: float = 0.0  # wall time of the whole chain

    def __str__(self) -> str:  # what a failed assertion shows
        head = "OK" if self.ok else "FAILED"
        return head + "".join(f"\n  - {p}" for p in self.problems)


# ---------------------------------------------------------------------------
# availability


def missing_tex_components() -> list[str]:
    """What is missing for the two chains: programs on PATH and LaTeX packages."""
    missing = [t for t in _TOOLS if shutil.which(t) is None]
    if "kpsewhich" in missing:
        return missing
    try:
        out = subprocess.run(
            ["kpsewhich", *_STY], capture_output=True, text=True, timeout=60, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return [*missing, *_STY]
    found = {Path(line.strip()).name for line in out.splitlines() if line.strip()}
    return missing + [s for s in _STY if s not in found]


def tex_available() -> bool:
    """True when pdflatex, bibtex and biber are on PATH and the packages are installed."""
    return not missing_tex_components()


def require_tex() -> None:
    """For tests: skip when TeX is missing (one line in the summary, from here, saying how to
    install it), or fail when $ATBIB_REQUIRE_TEX is 1."""
    import pytest

    missing = missing_tex_components()
    if not missing:
        return
    message = f"{SKIP_PREFIX}missing {', '.join(missing)}: {INSTALL_HINT}"
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"{message} ({REQUIRE_ENV}=1)", pytrace=False)
    pytest.skip(message)


# ---------------------------------------------------------------------------
# public entry points


def compile_with_bibtex(
    bib_path: Path,
    keys: list[str] | None,
    workdir: Path,
    style: str = "plain",
    *,
    hyperref: bool = False,
    plain: bool = False,
    timeout: float = DEFAULT_TIMEOUT,
) -> TexResult:
    """pdflatex + bibtex + pdflatex x2; ``\\nocite{*}`` when keys is None. With *plain*, the
    document loads no package at all (no fontenc, no CJK): what a reader's bare
    ``\\documentclass{article}`` can typeset."""
    if not re.fullmatch(r"[A-Za-z0-9_-]+", style):
        raise ValueError(f"bad bibliography style name: {style!r}")
    packages = [r"\usepackage[numbers]{natbib}"] if style.endswith("nat") else []
    body = rf"\bibliographystyle{{{style}}}" + "\n" + rf"\bibliography{{{_BIB}}}"
    hook = (
        "\\makeatletter\\AtBeginDocument{%\n"
        "  \\let\\atbib@bibitem\\@bibitem\n"
        f"  \\def\\@bibitem#1{{\\typeout{{{_MARK}#1}}\\atbib@bibitem{{#1}}}}%\n"
        "  \\let\\atbib@lbibitem\\@lbibitem\n"
        f"  \\def\\@lbibitem[#1]#2{{\\typeout{{{_MARK}#2}}\\atbib@lbibitem[#1]{{#2}}}}}}\n"
        "\\makeatother"
    )
    tex = _document(packages, hook, keys, body, hyperref, plain=plain)
    return _run_chain("bibtex", ["bibtex", _DOC], bib_path, tex, workdir, timeout)


def compile_with_biber(
    bib_path: Path,
    keys: list[str] | None,
    workdir: Path,
    *,
    hyperref: bool = False,
    validate_datamodel: bool = True,
    timeout: float = DEFAULT_TIMEOUT,
) -> TexResult:
    """pdflatex + biber + pdflatex x2 with biblatex (backend=biber, style=numeric)."""
    packages = [
        # every name typeset (default: "et al." after 3), so every glyph is checked
        r"\usepackage[backend=biber,style=numeric,maxnames=999]{biblatex}",
        rf"\addbibresource{{{_BIB}.bib}}",
    ]
    hook = rf"\AtEveryBibitem{{\typeout{{{_MARK}\thefield{{entrykey}}}}}}"
    biber = ["biber", *(["--validate-datamodel"] if validate_datamodel else []), _DOC]
    tex = _document(packages, hook, keys, r"\printbibliography", hyperref)
    return _run_chain("biber", biber, bib_path, tex, workdir, timeout)


def pdf_text(result: TexResult) -> str | None:
    """The PDF's text via pdftotext (None if there is no PDF or no pdftotext)."""
    if result.pdf is None or shutil.which("pdftotext") is None:
        return None
    proc = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", result.pdf.name, "-"],
        cwd=result.pdf.parent,
        capture_output=True,
        timeout=60,
        check=False,
    )
    return proc.stdout.decode("utf-8", "replace") if proc.returncode == 0 else None


# ---------------------------------------------------------------------------
# document and chain


def _document(
    packages: list[str],
    hook: str,
    keys: list[str] | None,
    body: str,
    hyperref: bool,
    *,
    plain: bool = False,
) -> str:
    if keys is None:
        cite = r"\nocite{*}"
    else:
        bad = [k for k in keys if not _KEY_RE.match(k)]
        if bad or not keys:
            raise ValueError(f"keys must be a non-empty list of plain citation keys: {bad}")
        cite = rf"\cite{{{','.join(keys)}}}"
    preamble = [
        r"\usepackage[T1]{fontenc}",
        r"\usepackage[utf8]{inputenc}",
        r"\usepackage{lmodern}",
        r"\usepackage{url}",
        r"\usepackage{CJKutf8}",
        *packages,
        *([r"\usepackage{hyperref}"] if hyperref else []),
    ]
    cjk = ([r"\begin{CJK*}{UTF8}{gbsn}"], [r"\end{CJK*}"])
    lines = [
        r"\documentclass{article}",
        *([] if plain else preamble),
        r"\tracinglostchars=2",
        hook,
        r"\begin{document}",
        *([] if plain else cjk[0]),
        f"Cited: {cite}.",
        body,
        rf"\typeout{{{_END_MARK}}}",
        *([] if plain else cjk[1]),
        r"\end{document}",
    ]
    return "\n".join(lines) + "\n"


def _tool_env(workdir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _DROPPED_ENV}
    private = workdir / ".texhome"
    for sub in ("tmp", "texmf-var", "texmf-config"):
        (private / sub).mkdir(parents=True, exist_ok=True)
    env.update(
        HOME=str(private),
        TMPDIR=str(private / "tmp"),
        TEXMFVAR=str(private / "texmf-var"),
        TEXMFCONFIG=str(private / "texmf-config"),
        MKTEXPK="0",
        MKTEXTFM="0",
        MKTEXMF="0",
        MKTEXFMT="0",
        openout_any="p",
        openin_any="p",
        shell_escape="f",
        max_print_line="10000",  # no wrapped log lines
        error_line="254",
        half_error_line="238",
        LC_ALL="C.UTF-8",
    )
    return env


_DROPPED_ENV = frozenset(
    {"TEXINPUTS", "BIBINPUTS", "BSTINPUTS", "TEXMFHOME", "TEXMFOUTPUT", "SHELL_ESCAPE"}
)


def _run_chain(
    chain: str,
    backend_cmd: list[str],
    bib_path: Path,
    tex: str,
    workdir: Path,
    timeout: float,
) -> TexResult:
    workdir = Path(workdir).resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    for suffix in (".aux", ".bbl", ".blg", ".bcf", ".log", ".pdf", ".run.xml", ".out"):
        (workdir / f"{_DOC}{suffix}").unlink(missing_ok=True)
    bib_bytes = Path(bib_path).read_bytes()
    (workdir / f"{_BIB}.bib").write_bytes(bib_bytes)
    (workdir / f"{_DOC}.tex").write_text(tex, encoding="utf-8")
    env = _tool_env(workdir)

    logs: list[str] = []
    problems: list[str] = []
    failed = False
    start = time.perf_counter()
    pdflatex = [*_PDFLATEX, _DOC]
    steps = [pdflatex, backend_cmd, pdflatex, pdflatex]
    for i, cmd in enumerate(steps):
        name = f"{cmd[0]} (step {i + 1})"
        try:
            proc = subprocess.run(
                cmd,
                cwd=workdir,
                env=env,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired:
            problems.append(f"{name} timed out after {timeout:g} s")
            failed = True
            break
        except OSError as exc:
            problems.append(f"{name} could not run: {exc}")
            failed = True
            break
        out = (proc.stdout + proc.stderr).decode("utf-8", "replace")
        logs.append(f"===== {' '.join(cmd)} -> exit {proc.returncode}\n{out}")
        # bibtex exits 0 with warnings, 2 with errors, 3 on a fatal error; biber 0/2.
        if proc.returncode != 0:
            failed = True
            problems.append(f"{name} exited with status {proc.returncode}")
            if cmd[0] == "pdflatex" or proc.returncode > 2:
                break
    seconds = time.perf_counter() - start

    spans = bib_entry_spans(bib_bytes.decode("utf-8", "replace"))
    blg = _read(workdir / f"{_DOC}.blg")
    log = _read(workdir / f"{_DOC}.log")
    bbl = _read(workdir / f"{_DOC}.bbl")
    if blg:
        logs.append(f"===== {_DOC}.blg\n{blg}")
        blg_problems = _bibtex_blg_problems(blg) if chain == "bibtex" else _biber_blg_problems(blg)
        problems += [_name_entry(p, spans) for p in blg_problems]
    bbl_keys = _bbl_line_keys(bbl, chain) if bbl else []
    if bbl:
        problems += _bbl_lint(bbl, chain, bbl_keys)
    if log:
        logs.append(f"===== {_DOC}.log (last pdflatex run)\n{log}")
        problems += _latex_log_problems(log, bbl_keys, bbl.split("\n") if bbl else [])
    pdf = workdir / f"{_DOC}.pdf"
    if not pdf.exists() and not failed:
        problems.append("no PDF was written")
    problems = list(dict.fromkeys(problems))  # drop exact repeats, keep order
    return TexResult(
        ok=not failed and not problems,
        problems=problems,
        log="\n".join(logs),
        bbl=bbl,
        pdf=pdf if pdf.exists() else None,
        seconds=seconds,
    )


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return ""


# ---------------------------------------------------------------------------
# .bib scanning: which entry does "line N" belong to?


def bib_entry_spans(text: str) -> list[tuple[int, int, str]]:
    """(first line, last line, key) of each entry, as BibTeX's brace matching sees it.

    An entry whose braces never balance runs to the end of the file, exactly as BibTeX
    swallows the following entries; @string/@preamble have key "", @comment is skipped.
    """
    spans: list[tuple[int, int, str]] = []
    i, n, line = 0, len(text), 1
    while i < n:
        c = text[i]
        if c == "\n":
            line += 1
        if c != "@":
            i += 1
            continue
        start_line = line
        m = re.compile(r"@\s*([A-Za-z]+)\s*([{(])").match(text, i)
        if not m:
            i += 1
            continue
        kind = m.group(1).lower()
        if kind == "comment":
            i = m.start(2)  # bibtex treats the rest like text between entries
            continue
        closer = "}" if m.group(2) == "{" else ")"
        j = m.end()
        key = ""
        if kind not in ("string", "preamble"):
            km = re.compile(r"\s*([^,\s}]*)").match(text, j)
            key = km.group(1) if km else ""
        depth = 0
        while j < n:
            ch = text[j]
            if ch == "\n":
                line += 1
            elif ch == "{":
                depth += 1
            elif ch == "}":
                if depth == 0 and closer == "}":
                    break
                depth -= 1
            elif ch == ")" and depth == 0 and closer == ")":
                break
            j += 1
        spans.append((start_line, line, key))
        i = j + 1
    return spans


def _entry_at(line: int, spans: Sequence[tuple[int, int, str]]) -> str | None:
    best = None
    for first, last, key in spans:
        if first <= line <= last:
            return key or None
        if first <= line:
            best = key or None  # between entries: the one before
    return best


def _name_entry(problem: str, spans: Sequence[tuple[int, int, str]]) -> str:
    m = re.search(r"\bline (\d+)\b", problem)
    if not m:
        return problem
    key = _entry_at(int(m.group(1)), spans)
    return f"{problem} [entry {key}]" if key else problem


# ---------------------------------------------------------------------------
# .blg parsing

_BIBTEX_INFO = re.compile(
    r"^(This is BibTeX|Capacity: |The top-level auxiliary file|The style file|"
    r"Database file #|A level-\d+ auxiliary file|\(There (was|were) )|"
    r"Reallocated \w+ \(elt_size=\d+\) to \d+ items from \d+\.$"  # TeX Live's dynamic arrays
)
_BIBTEX_CONTINUATION = re.compile(
    r"^( :|--line |I'm skipping whatever remains|\(Error may have been on previous line\)"
    r"|while executing)"
)


def _bibtex_blg_problems(blg: str) -> list[str]:
    """Every warning and error of bibtex's .blg, context lines folded in."""
    problems: list[str] = []
    for raw in blg.splitlines():
        line = raw.rstrip()
        if line.startswith("You've used"):
            break  # the usage statistics that close every .blg
        if not line or _BIBTEX_INFO.match(line):
            continue
        if _BIBTEX_CONTINUATION.match(line) and problems:
            if line.strip(" :"):
                problems[-1] += " | " + line.strip()
        else:
            problems.append(f"bibtex: {line}")
    return problems


_BIBER_TMP = re.compile(r"\S*/biber_tmp_\w+/\S+?\.utf8")


def _biber_blg_problems(blg: str) -> list[str]:
    problems = []
    for line in blg.splitlines():
        m = re.search(r"> (WARN|ERROR) - (.*)$", line)
        if m:
            msg = _BIBER_TMP.sub(f"{_BIB}.bib", m.group(2))
            problems.append(f"biber {m.group(1)}: {msg}")
    return problems


# ---------------------------------------------------------------------------
# .log parsing

_WARNING = re.compile(r"^(LaTeX|Package|Class) ?(\S*) Warning: ")
_IGNORED_WARNING = re.compile(r"^LaTeX Font Warning: ")


def _latex_log_problems(
    log: str, bbl_keys: Sequence[str | None], bbl_lines: list[str]
) -> list[str]:
    """Errors, warnings and missing characters of a pdflatex log.

    A problem met while an entry is typeset (after its ATBIB-ENTRY marker) gets
    ``[entry KEY]``; so does an error whose ``l.NN`` context is a line of the .bbl.
    """
    problems: list[str] = []
    entry: str | None = None
    lines = log.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        suffix = f" [entry {entry}]" if entry else ""
        if line.startswith(_MARK):
            entry = line[len(_MARK) :].strip()
        elif line.startswith(_END_MARK):
            entry = None
        elif line.startswith("! "):
            # the error message, then its context up to the "l.NN ..." line
            context = []
            j = i + 1
            while j < len(lines) and j < i + 12:
                if lines[j].strip():
                    context.append(lines[j].strip())
                m = re.match(r"l\.(\d+) (.*)", lines[j])
                if m:
                    key = _bbl_key_at(int(m.group(1)), m.group(2), bbl_keys, bbl_lines)
                    suffix = f" [entry {key}]" if key and not entry else suffix
                    break
                if lines[j].startswith("!"):
                    break
                j += 1
            msg = line + (" | " + " | ".join(context) if context else "")
            repeat = line.startswith("!  ==> Fatal error occurred") or (
                line.startswith("! Emergency stop.")
                and any(p.startswith("LaTeX error:") for p in problems)
            )
            if not repeat:
                problems.append(f"LaTeX error: {msg}{suffix}")
            i = j
        elif line.startswith("runsystem("):
            # \write18 from the document or an entry (shell escape is off, so it did not run)
            problems.append(f"shell escape attempted: {line.strip()}{suffix}")
        elif "Missing character: There is no" in line:
            problems.append(line.strip() + suffix)
        else:
            m = _WARNING.match(line)
            if m and not _IGNORED_WARNING.match(line):
                # continuation lines: "(biblatex)   ..." for packages, indented for LaTeX
                prefix = f"({m.group(2)})" if m.group(1) == "Package" else " "
                text = line
                while i + 1 < len(lines) and lines[i + 1].startswith(prefix):
                    i += 1
                    text += " " + lines[i].removeprefix(prefix).strip()
                problems.append(text + suffix)
        i += 1
    return problems


def _bbl_key_at(
    line_no: int, text: str, bbl_keys: Sequence[str | None], bbl_lines: list[str]
) -> str | None:
    """The entry of .bbl line ``line_no``, if the error context shows that line."""
    if not 1 <= line_no <= len(bbl_lines):
        return None
    if not text.strip() or not bbl_lines[line_no - 1].strip().startswith(text.strip()[:30]):
        return None
    return bbl_keys[line_no - 1]


# ---------------------------------------------------------------------------
# .bbl: which entry each line belongs to; lint for characters TeX would misread

_BIBITEM = re.compile(r"\\bibitem\s*(?:\[(?:[^\[\]]|\[[^\]]*\])*\])?\s*\{([^}]*)\}")
_VERB_ARGS = re.compile(r"\\(?:url|nolinkurl|path|doi)\{[^{}]*\}")
_BIBER_VERBATIM = (r"\verb", r"\lverb", r"\endverb", r"\endlverb")


def _bbl_line_keys(bbl: str, chain: str) -> list[str | None]:
    """For each line of the .bbl (index 0 = line 1), the key of its entry or None."""
    lines = bbl.split("\n")
    keys: list[str | None] = [None] * len(lines)
    if chain == "bibtex":
        end = bbl.find(r"\end{thebibliography}")
        last = bbl.count("\n", 0, end) if end >= 0 else len(lines)
        starts = [(bbl.count("\n", 0, m.start()), m.group(1)) for m in _BIBITEM.finditer(bbl)]
        for n, (first, key) in enumerate(starts):
            stop = starts[n + 1][0] if n + 1 < len(starts) else last
            keys[first:stop] = [key] * (stop - first)
        return keys
    key: str | None = None
    for no, line in enumerate(lines):
        stripped = line.strip()
        m = re.match(r"\\entry\{([^}]*)\}", stripped)
        if m:
            key = m.group(1)
        keys[no] = key
        if stripped == r"\endentry":
            key = None
    return keys


def _unescaped(text: str, chars: str) -> list[str]:
    found = []
    for m in re.finditer(r"(\\*)([" + re.escape(chars) + "])", text):
        if len(m.group(1)) % 2 == 0:
            found.append(m.group(2))
    return found


def _bbl_lint(bbl: str, chain: str, keys: Sequence[str | None]) -> list[str]:
    r"""Unescaped % # & in the entries of a .bbl, with the entry's key.

    plain bibtex: the .bbl is read at top level, so a raw ``%`` silently drops the rest
    of the line (no error at all), ``#`` and ``&`` are errors; inside ``\url{...}`` all
    three are fine (url.sty reads its argument verbatim there).
    biblatex: every field is a macro argument, so a raw ``%`` or ``#`` breaks the .bbl
    even inside ``\url{...}``; ``&`` breaks outside ``\url``. The ``url`` field itself
    is written verbatim (``\verb`` lines) and is not checked.
    """
    problems = []
    for no, (line, key) in enumerate(zip(bbl.split("\n"), keys, strict=True), 1):
        stripped = line.strip()
        if key is None:
            continue
        if chain == "bibtex":
            body = _BIBITEM.sub("", stripped)
            bad = _unescaped(_VERB_ARGS.sub("", body), "%#&")
        else:
            if stripped.startswith(_BIBER_VERBATIM) or stripped.startswith(r"\entry{"):
                continue
            body = stripped.removesuffix("%")  # biber's own line-end comments
            bad = _unescaped(body, "%#") + _unescaped(_VERB_ARGS.sub("", body), "&")
        if bad:
            chars = " ".join(sorted(set(bad)))
            problems.append(f"{_DOC}.bbl line {no}: unescaped {chars} in entry {key}: {stripped}")
    return problems
