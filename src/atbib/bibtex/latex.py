"""Plain text <-> LaTeX for BibTeX field values.

Encoding is deliberately small: atbib writes UTF-8 .bib files, so only the ten characters that
mean something to TeX or to BibTeX's brace counting are escaped, and the characters pdflatex
cannot typeset from UTF-8 without packages (Greek letters, math signs, arrows:
:data:`_MATH_SYMBOLS`) are written as math, ``{\\ensuremath{\\alpha}}``; everything else,
CJK included, stays UTF-8. Braces become
``\\textbraceleft{}`` rather than ``\\{`` because BibTeX counts ``\\{`` as an opening brace and
would see an unbalanced field. Doubled ``-``, ``'`` and `````` ` `````` get an empty group between
them (``a-{}-b``) so that TeX's ligatures (en dash, curly quotes) do not turn plain text into
something else: ``decode_latex(encode_latex(t)) == t`` for any text ``t`` (combining accents
included: only the characters an accent command makes are composed).

Decoding (:func:`decode_latex`) turns the LaTeX found in real .bib files into Unicode for
display, matching and keys; see its docstring for exactly what it does.
"""

from __future__ import annotations

import re
import unicodedata

from atbib.texsyntax import group_end, math_spans, outside_spans

__all__ = ["decode_latex", "encode_latex"]

_ESCAPES = {
    "\\": r"\textbackslash{}",
    "{": r"\textbraceleft{}",
    "}": r"\textbraceright{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_MATH_SYMBOLS: dict[str, str] = {
    "\u03b1": r"\alpha",  # α
    "\u03b2": r"\beta",  # β
    "\u03b3": r"\gamma",  # γ
    "\u03b4": r"\delta",  # δ
    "\u03b5": r"\varepsilon",  # ε
    "\u03b6": r"\zeta",  # ζ
    "\u03b7": r"\eta",  # η
    "\u03b8": r"\theta",  # θ
    "\u03b9": r"\iota",  # ι
    "\u03ba": r"\kappa",  # κ
    "\u03bb": r"\lambda",  # λ
    "\u03bc": r"\mu",  # μ
    "\u03bd": r"\nu",  # ν
    "\u03be": r"\xi",  # ξ
    "\u03bf": r"\mathrm{o}",  # ο
    "\u03c0": r"\pi",  # π
    "\u03c1": r"\rho",  # ρ
    "\u03c2": r"\varsigma",  # ς
    "\u03c3": r"\sigma",  # σ
    "\u03c4": r"\tau",  # τ
    "\u03c5": r"\upsilon",  # υ
    "\u03c6": r"\varphi",  # φ
    "\u03c7": r"\chi",  # χ
    "\u03c8": r"\psi",  # ψ
    "\u03c9": r"\omega",  # ω
    "\u03d1": r"\vartheta",  # ϑ
    "\u03d5": r"\phi",  # ϕ
    "\u03d6": r"\varpi",  # ϖ
    "\u03f1": r"\varrho",  # ϱ
    "\u03f5": r"\epsilon",  # ϵ
    "\u0393": r"\Gamma",  # Γ
    "\u0394": r"\Delta",  # Δ
    "\u0398": r"\Theta",  # Θ
    "\u039b": r"\Lambda",  # Λ
    "\u039e": r"\Xi",  # Ξ
    "\u03a0": r"\Pi",  # Π
    "\u03a3": r"\Sigma",  # Σ
    "\u03a5": r"\Upsilon",  # Υ
    "\u03a6": r"\Phi",  # Φ
    "\u03a8": r"\Psi",  # Ψ
    "\u03a9": r"\Omega",  # Ω
    **{
        c: rf"\mathrm{{{latin}}}" for c, latin in zip("ΑΒΕΖΗΙΚΜΝΟΡΤΧ", "ABEZHIKMNOPTX", strict=True)
    },
    "\u00b9": "^1",
    "\u00b2": "^2",
    "\u00b3": "^3",
    "\u2212": "-",
    "\u2032": "'",
    "\u2033": "''",
    "\u2264": r"\leq",
    "\u2265": r"\geq",
    "\u2260": r"\neq",
    "\u2248": r"\approx",
    "\u2261": r"\equiv",
    "\u223c": r"\sim",
    "\u226a": r"\ll",
    "\u226b": r"\gg",
    "\u221d": r"\propto",
    "\u00d7": r"\times",
    "\u00b1": r"\pm",
    "\u2213": r"\mp",
    "\u00f7": r"\div",
    "\u22c5": r"\cdot",
    "\u2218": r"\circ",
    "\u2217": r"\ast",
    "\u2192": r"\rightarrow",
    "\u2190": r"\leftarrow",
    "\u2194": r"\leftrightarrow",
    "\u21d2": r"\Rightarrow",
    "\u21d0": r"\Leftarrow",
    "\u21d4": r"\Leftrightarrow",
    "\u21a6": r"\mapsto",
    "\u2191": r"\uparrow",
    "\u2193": r"\downarrow",
    "\u221e": r"\infty",
    "\u2208": r"\in",
    "\u2209": r"\notin",
    "\u2200": r"\forall",
    "\u2203": r"\exists",
    "\u2205": r"\emptyset",
    "\u2227": r"\wedge",
    "\u2228": r"\vee",
    "\u2282": r"\subset",
    "\u2283": r"\supset",
    "\u2286": r"\subseteq",
    "\u2287": r"\supseteq",
    "\u2229": r"\cap",
    "\u222a": r"\cup",
    "\u2295": r"\oplus",
    "\u2297": r"\otimes",
    "\u2211": r"\sum",
    "\u220f": r"\prod",
    "\u222b": r"\int",
    "\u221a": r"\surd",
    "\u2202": r"\partial",
    "\u2207": r"\nabla",
    "\u2113": r"\ell",
    "\u2135": r"\aleph",
    "\u22a5": r"\perp",
    "\u2225": r"\parallel",
    "\u2216": r"\setminus",
    "\u27e8": r"\langle",
    "\u27e9": r"\rangle",
    "\u22c6": r"\star",
}
"""Characters pdflatex cannot typeset from UTF-8 without packages (Greek letters, math
signs, arrows), each with the math-mode command that prints it. They are written
``{\\ensuremath{\\alpha}}``: math in text or in math, braced so that no BibTeX style changes
its case, and read back as the character. × and → are typeset by recent LaTeX, but not by
every one a reader may have."""
_LATEX_OF_SYMBOL = {c: "{\\ensuremath{" + m + "}}" for c, m in _MATH_SYMBOLS.items()}
_SYMBOL_OF_MATH = {m: c for c, m in _MATH_SYMBOLS.items()}
_SYMBOL_CHARS = "".join(_MATH_SYMBOLS)
# A special character, a character pdflatex cannot typeset (_MATH_SYMBOLS), or the first of
# two equal ligature characters ("--", "''", "``").
_SPECIAL = re.compile(r"[\\{}&%$#_~^" + _SYMBOL_CHARS + r"]|([-'`])(?=\1)")
_SPECIAL_IN_NAMES = re.compile(r"[\\{}&%$#_~^]|([-'`])(?=\1)")
_SPECIAL_CHAR = re.compile(r"[\\{}&%$#_~^]")
_SYMBOL = re.compile("[" + _SYMBOL_CHARS + "]")


def _escape(m: re.Match[str]) -> str:
    c = m.group()
    return _ESCAPES.get(c) or _LATEX_OF_SYMBOL.get(c) or c + "{}"


def _encode_text(text: str) -> str:
    if not needs_escape(text):
        return text
    return _SPECIAL.sub(_escape, text)


def _encode_name_text(text: str) -> str:
    if not needs_escape(text, symbols=False):
        return text
    return _SPECIAL_IN_NAMES.sub(_escape, text)


def needs_escape(text: str, *, symbols: bool = True) -> bool:
    """Whether :func:`encode_latex` would change ``text``: whether ``_SPECIAL`` is found in it.
    One search for its characters and three for its pairs: the alternation in ``_SPECIAL``
    keeps the regex engine from scanning fast (three times slower on a usual title)."""
    return (
        _SPECIAL_CHAR.search(text) is not None
        or "--" in text
        or "''" in text
        or "``" in text
        or (symbols and not text.isascii() and _SYMBOL.search(text) is not None)
    )


def encode_latex(text: str, *, symbols: bool = True) -> str:
    """Escape the characters TeX or BibTeX would interpret; keep everything else as UTF-8.

    ``\\ { } & % $ # _ ~ ^`` are escaped; ``--``, ``''`` and ```````` are split with ``{}``
    (``-{}-``) so TeX prints what was typed instead of a dash or a curly quote. Inline math
    (``$O(n \\log n)$``, found as pandoc finds it: see :func:`math_spans`) is kept as written,
    so a title with math read from a .bib file goes back as the same math. With *symbols*,
    the characters of :data:`_MATH_SYMBOLS` are written as math; a name leaves them as they
    are (without *symbols*), since BibTeX takes a braced command for a lower-case "von" word.
    """
    if not needs_escape(text, symbols=symbols):
        return text
    return outside_spans(text, math_spans(text), _encode_text if symbols else _encode_name_text)


# -- decoding ---------------------------------------------------------------------------------

# Accent commands -> combining character (applied to the first character of the argument).
_ACCENTS = {
    "'": "\u0301",
    "`": "\u0300",
    "^": "\u0302",
    '"': "\u0308",
    "~": "\u0303",
    "=": "\u0304",
    ".": "\u0307",
    "u": "\u0306",
    "v": "\u030c",
    "H": "\u030b",
    "c": "\u0327",
    "k": "\u0328",
    "r": "\u030a",
    "d": "\u0323",
    "b": "\u0331",
    "G": "\u030f",
    "t": "\u0361",
}
# An accent with an empty argument (``\^{}``) is the accent itself.
_BARE_ACCENTS = {
    "'": "\u00b4",
    "`": "`",
    "^": "^",
    '"': "\u00a8",
    "~": "~",
    "=": "\u00af",
    ".": "\u02d9",
}
# Control words that stand for a character (or nothing).
_SYMBOLS = {
    "ss": "ß",
    "SS": "SS",
    "ae": "æ",
    "AE": "Æ",
    "oe": "œ",
    "OE": "Œ",
    "aa": "å",
    "AA": "Å",
    "o": "ø",
    "O": "Ø",
    "l": "ł",
    "L": "Ł",
    "i": "ı",
    "j": "ȷ",
    "dh": "ð",
    "DH": "Ð",
    "dj": "đ",
    "DJ": "Đ",
    "th": "þ",
    "TH": "Þ",
    "ng": "ŋ",
    "NG": "Ŋ",
    "textbackslash": "\\",
    "textbraceleft": "{",
    "textbraceright": "}",
    "textasciitilde": "~",
    "textasciicircum": "^",
    "textunderscore": "_",
    "textbar": "|",
    "textless": "<",
    "textgreater": ">",
    "textdollar": "$",
    "textendash": "\u2013",
    "textemdash": "\u2014",
    "textquoteleft": "\u2018",
    "textquoteright": "\u2019",
    "textquotedblleft": "\u201c",
    "textquotedblright": "\u201d",
    "textquotesingle": "'",
    "textquotedbl": '"',
    "quotedblbase": "\u201e",
    "quotesinglbase": "\u201a",
    "guillemotleft": "\u00ab",
    "guillemotright": "\u00bb",
    "guillemetleft": "\u00ab",
    "guillemetright": "\u00bb",
    "guilsinglleft": "\u2039",
    "guilsinglright": "\u203a",
    "textexclamdown": "\u00a1",
    "textquestiondown": "\u00bf",
    "ldots": "\u2026",
    "dots": "\u2026",
    "textellipsis": "\u2026",
    "textbullet": "\u2022",
    "textperiodcentered": "\u00b7",
    "textdagger": "\u2020",
    "dag": "\u2020",
    "textdaggerdbl": "\u2021",
    "ddag": "\u2021",
    "S": "\u00a7",
    "textsection": "\u00a7",
    "P": "\u00b6",
    "textparagraph": "\u00b6",
    "copyright": "\u00a9",
    "textcopyright": "\u00a9",
    "textregistered": "\u00ae",
    "texttrademark": "\u2122",
    "pounds": "\u00a3",
    "textsterling": "\u00a3",
    "euro": "\u20ac",
    "texteuro": "\u20ac",
    "textyen": "\u00a5",
    "textdegree": "\u00b0",
    "texttimes": "\u00d7",
    "textasteriskcentered": "*",
    "LaTeX": "LaTeX",
    "LaTeXe": "LaTeX2e",
    "TeX": "TeX",
    "BibTeX": "BibTeX",
    "slash": "/",
    "space": " ",
    "quad": " ",
    "qquad": " ",
    "enspace": " ",
    "thinspace": " ",
    "nobreakspace": " ",
    "relax": "",
    "protect": "",
    "nocorr": "",
    "unskip": "",
    "ignorespaces": "",
    "null": "",
    "xspace": "",
    # Font switches and text-style commands: the text stays, the braces go as usual.
    "emph": "",
    "textit": "",
    "textbf": "",
    "textsc": "",
    "texttt": "",
    "textrm": "",
    "textsf": "",
    "textsl": "",
    "textup": "",
    "textmd": "",
    "textnormal": "",
    "mbox": "",
    "hbox": "",
    "text": "",
    "NoCaseChange": "",
    "nocase": "",
    "em": "",
    "it": "",
    "bf": "",
    "sc": "",
    "tt": "",
    "rm": "",
    "sf": "",
    "sl": "",
    "up": "",
    "itshape": "",
    "bfseries": "",
    "scshape": "",
    "ttfamily": "",
    "rmfamily": "",
    "sffamily": "",
    "upshape": "",
    "mdseries": "",
    "slshape": "",
    "normalfont": "",
}
_ACCENT_BASE = {"ı": "i", "ȷ": "j"}  # \'\i is í
_VERBATIM_ARG = frozenset({"url", "path", "nolinkurl", "doi"})
_DROP_ARG = frozenset({"noopsort", "href"})  # \noopsort{x} sorts only; \href{url}{text}: text
_CONTROL_SYMBOLS = {
    "&": "&",
    "%": "%",
    "$": "$",
    "#": "#",
    "_": "_",
    "{": "{",
    "}": "}",
    " ": " ",
    "\t": " ",
    "\n": " ",
    "\r": " ",
    ",": " ",
    ";": " ",
    ":": " ",
    "!": "",
    "-": "",
    "/": "",
    "@": "",
    "\\": " ",
}
_NEXT = re.compile(r"[\\{}$~`'-]")
_LETTERS = re.compile(r"[A-Za-z]+")
_SPACES = re.compile(r"[ \t\r\n]*")
_MATH_END = re.compile(r"(?:[^$\\]|\\.)*\$", re.DOTALL)
_MAX_DEPTH = 50

_pylatexenc_converter = None


def decode_latex(text: str) -> str:
    """LaTeX in a BibTeX value -> Unicode text for display, matching and keys.

    * accents in every common spelling, composed (NFC) into one character where Unicode has
      one (``{\\"u}``, ``\\"{u}``, ``\\"u``, ``\\v{r}``, ``{\\v r}``,
      ``\\'\\i``, ``\\c{c}``, ``\\k{a}``, ...), special letters (``\\ss``, ``\\o``, ``{\\L}``,
      ``\\ae``, ``\\aa``, ``\\i``) and common text symbols (``\\textbackslash{}``, ...);
    * escapes ``\\& \\% \\$ \\# \\_ \\{ \\}``;
    * ``--`` -> en dash, ``---`` -> em dash, ````````` -> \u201c, ``''`` -> \u201d;
    * ``~`` -> a normal space: in a .bib value it means "a space here" (not a typographic
      no-break space anyone wants in a title or a key);
    * protective braces are removed (``{BERT}`` -> ``BERT``), as are text-style commands
      (``\\emph{x}``, ``\\textbf{x}``, ``{\\em x}`` -> ``x``); ``\\url{x}`` and ``\\doi{x}`` give
      ``x`` as written, ``\\href{url}{text}`` gives ``text``;
    * math (``$O(n \\log n)$``, ``\\(...\\)``) is kept exactly as written;
    * other macros go to pylatexenc (imported only then); if it knows nothing of a macro that
      has no argument, the macro is kept as written.

    Whitespace is not collapsed, and text outside the LaTeX is not normalised: a combining
    accent written as a Unicode character stays as written. Text without ``\\``, braces, ``~``
    or ligatures is returned unchanged.
    """
    # Seven substring scans are three times faster than one search of the regular expression
    # [\\{}~]|--|``|'' (its alternatives defeat the regex engine's fast scan), and most values
    # hold none of them.
    if not (
        "\\" in text
        or "{" in text
        or "}" in text
        or "~" in text
        or "--" in text
        or "``" in text
        or "''" in text
    ):
        return text
    return _decode(text, 0)


def _decode(s: str, depth: int) -> str:
    out: list[str] = []
    append = out.append
    n = len(s)
    pos = 0
    search = _NEXT.search
    while True:
        m = search(s, pos)
        if m is None:
            append(s[pos:])
            break
        i = m.start()
        if i > pos:
            append(s[pos:i])
        c = s[i]
        if c == "{" or c == "}":
            pos = i + 1
        elif c == "\\":
            pos = _macro(s, i, out, depth)
        elif c == "~":
            append(" ")
            pos = i + 1
        elif c == "-":
            if s.startswith("---", i):
                append("\u2014")
                pos = i + 3
            elif s.startswith("--", i):
                append("\u2013")
                pos = i + 2
            else:
                append("-")
                pos = i + 1
        elif c == "`" or c == "'":
            if i + 1 < n and s[i + 1] == c:
                append("\u201c" if c == "`" else "\u201d")
                pos = i + 2
            else:
                append(c)
                pos = i + 1
        else:  # "$": math, kept as written
            me = _MATH_END.match(s, i + 2 if s.startswith("$$", i) else i + 1)
            if me is None:
                append("$")
                pos = i + 1
            else:
                end = me.end()
                if s.startswith("$$", i) and s.startswith("$", end):
                    end += 1
                append(s[i:end])
                pos = end
    return "".join(out)


def _macro(s: str, i: int, out: list[str], depth: int) -> int:
    """Decode the control sequence at s[i] == '\\\\'; append to *out*; return the new position."""
    n = len(s)
    if i + 1 >= n:
        out.append("\\")
        return n
    d = s[i + 1]
    lm = _LETTERS.match(s, i + 1)
    if lm is None:  # a control symbol
        if d in _ACCENTS:
            return _accent(s, d, i + 2, out, depth)
        sym = _CONTROL_SYMBOLS.get(d)
        if sym is not None:
            out.append(sym)
            return i + 2
        if d == "(":  # \( math \): kept as written
            end = s.find("\\)", i + 2)
            if end >= 0:
                out.append(s[i : end + 2])
                return end + 2
        out.append(d)
        return i + 2
    name = lm.group()
    j = lm.end()
    if name == "ensuremath":
        after = _symbol(s, j, out)
        if after is not None:
            return after
    if name in _ACCENTS and len(name) == 1:
        return _accent(s, name, j, out, depth)
    sym = _SYMBOLS.get(name)
    if sym is not None:
        out.append(sym)
        if s.startswith("{}", j):
            return j + 2
        return _SPACES.match(s, j).end()  # type: ignore[union-attr]  # TeX eats them
    k = _SPACES.match(s, j).end()  # type: ignore[union-attr]
    if name in _VERBATIM_ARG or name in _DROP_ARG:
        if k < n and s[k] == "{":
            end = group_end(s, k) or n
            if name in _VERBATIM_ARG:
                out.append(s[k + 1 : end - 1] if s[end - 1 : end] == "}" else s[k + 1 : end])
            return end
        return k
    # Unknown here: give the macro and its arguments to pylatexenc.
    end = k
    has_args = False
    while end < n and s[end] in "[{":
        if s[end] == "{":
            end = group_end(s, end) or n
        else:
            close = s.find("]", end)
            if close < 0:
                break
            end = close + 1
        has_args = True
        q = _SPACES.match(s, end).end()  # type: ignore[union-attr]
        if q < n and s[q] in "[{":
            end = q
    snippet = s[i:end].rstrip()
    decoded = _pylatexenc(snippet)
    if not decoded.strip() and not has_args:
        out.append(s[i:k])  # nobody knows this macro: keep it as written
    else:
        out.append(decoded)
    return end


def _symbol(s: str, j: int, out: list[str]) -> int | None:
    """``\\ensuremath{\\alpha}`` from *j* (after the command) as the character it prints, as
    :func:`encode_latex` writes it (:data:`_MATH_SYMBOLS`); ``None`` for other math."""
    k = _SPACES.match(s, j).end()  # type: ignore[union-attr]
    end = group_end(s, k) if s.startswith("{", k) else None
    symbol = _SYMBOL_OF_MATH.get(s[k + 1 : end - 1].strip()) if end else None
    if symbol is None or end is None:
        return None
    out.append(symbol)
    return end


def _accent(s: str, accent: str, j: int, out: list[str], depth: int) -> int:
    """An accent command (``\\'``, ``\\v``, ...) whose argument starts at or after *j*:
    ``{x}``, ``{\\i}``, ``\\i`` or one character. Appends the accented text to *out*."""
    n = len(s)
    k = _SPACES.match(s, j).end()  # type: ignore[union-attr]
    if k >= n:
        out.append(_BARE_ACCENTS.get(accent, ""))
        return k
    c = s[k]
    if c == "{":
        end = group_end(s, k) or n
        inner = s[k + 1 : end - 1] if s[end - 1 : end] == "}" else s[k + 1 : end]
        base = _decode(inner, depth + 1).strip() if depth < _MAX_DEPTH else inner
    elif c == "\\":
        lm = _LETTERS.match(s, k + 1)
        if lm is None:
            out.append(_BARE_ACCENTS.get(accent, ""))
            return k
        end = lm.end()
        base = _SYMBOLS.get(lm.group()) or ""
        if not base:
            out.append(_BARE_ACCENTS.get(accent, ""))
            return k
    elif c == "}":
        out.append(_BARE_ACCENTS.get(accent, ""))
        return k
    else:
        end = k + 1
        base = c
    if not base:
        out.append(_BARE_ACCENTS.get(accent, ""))
        return end
    first = _ACCENT_BASE.get(base[0], base[0])
    out.append(unicodedata.normalize("NFC", first + _ACCENTS[accent]) + base[1:])
    return end


def _pylatexenc(snippet: str) -> str:
    global _pylatexenc_converter
    try:
        if _pylatexenc_converter is None:
            from pylatexenc.latex2text import LatexNodes2Text  # type: ignore[import-untyped]

            _pylatexenc_converter = LatexNodes2Text(math_mode="verbatim")
        return unicodedata.normalize("NFC", str(_pylatexenc_converter.latex_to_text(snippet)))
    except Exception:  # pylatexenc missing or choking: keep the LaTeX as written
        return snippet
