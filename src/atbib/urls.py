"""URLs as atbib writes them, in the list and in .bib files: their grammar, made inert, made safe.

The list and atbib's own ``links`` field of a .bib entry write links the same way,
``[label](url)``, so the grammar of a link destination, the cleaning that keeps a URL inside
it, and the refusal of addresses a browser would run are shared here; a verbatim BibTeX ``url``
field needs its own encoding (:func:`encode_url`), kept beside them so every URL rule is in one
place.
"""

from __future__ import annotations

import re

URL = r"[^()\s]*(?:\([^()\s]*\)[^()\s]*)*"
"""A link destination as the list's reader takes it: no white space, parentheses only in
balanced pairs (``https://en.wikipedia.org/wiki/BERT_(language_model)``)."""

_URL_SHAPE = re.compile(URL)
_ACTIVE_SCHEME = re.compile(r"^(?:javascript|vbscript|data):", re.IGNORECASE)
_INVISIBLE = re.compile(r"[\x00-\x20\x7f]+")
_MARKDOWN_UNSAFE = re.compile(r"[\s\x00-\x20\x7f<>\\`]")
"""Never in a written URL: control characters, ``< > \\ ` ``, and any white space (Unicode's
too: a no-break space would end the URL for the reader's ``[^()\\s]``)."""
_TEX_UNSAFE = re.compile(r"[^!-\[\]_-z|~]")
"""Braces, backslashes, ``^``, white space, control characters and everything beyond ASCII:
braces, backslashes and white space would break BibTeX's brace counting or the field; a ``^``
pair is TeX's notation for any character (``^^5c`` is a backslash, ``^^7b`` a brace) wherever
a URL is read as a macro argument, so it would smuggle in commands; control characters are
invalid input to TeX, and UTF-8 inside ``\\url`` breaks pdfLaTeX. None belongs in a URL
unencoded (RFC 3986). Written as the complement of the printable ASCII that may stay: the
class listing the range up to U+10FFFF took 3.5 ms to compile, on every command's start."""


def _percent(match: re.Match[str]) -> str:
    return "".join(f"%{byte:02X}" for byte in match.group().encode("utf-8"))


def _percent_any(match: re.Match[str]) -> str:
    """:func:`_percent` for text that may hold a lone surrogate (a .bib value read from
    anywhere): it is encoded as its bytes instead of failing."""
    return "".join(f"%{b:02X}" for b in match.group().encode("utf-8", "surrogatepass"))


def is_active_url(url: str) -> bool:
    """Whether a browser would run the address (``javascript:``, ``vbscript:``, ``data:``),
    however it is disguised with entities, case, white space or control characters."""
    if url.startswith(("https://", "http://")):
        return False  # no entity, white space or control character can hide before these
    import html  # only for other addresses: not loaded by commands that never meet one

    return bool(_ACTIVE_SCHEME.match(_INVISIBLE.sub("", html.unescape(url))))


def clean_url(url: str) -> str:
    """The URL made safe to write as a Markdown link destination: white space, ``< > \\ ` ``
    and control characters percent-encoded, parentheses too unless balanced, and the colon of
    an active address (:func:`is_active_url`) percent-encoded, so it becomes a harmless
    relative link. Clean URLs come back unchanged."""
    url = url.strip()
    if _MARKDOWN_UNSAFE.search(url):
        url = _MARKDOWN_UNSAFE.sub(_percent, url)
    # Without white space (encoded above), only parentheses can break the shape.
    if ("(" in url or ")" in url) and not _URL_SHAPE.fullmatch(url):
        url = url.replace("(", "%28").replace(")", "%29")
    if is_active_url(url):
        colon = url.index(":")
        url = url[:colon] + "%3A" + url[colon + 1 :]
    return url


def encode_url(url: str) -> str:
    """Make a URL safe for a verbatim ``url`` field: braces, backslashes, ``^``, white space,
    control characters and non-ASCII characters are percent-encoded (UTF-8; the same URL for a
    browser), so the value cannot close the field early or turn into a TeX command."""
    if not _TEX_UNSAFE.search(url):
        return url
    return _TEX_UNSAFE.sub(_percent_any, url)
