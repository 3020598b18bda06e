"""Scholarly identifiers (arXiv, DOI, ACL Anthology, OpenReview, PMLR) from links and free text.

Deciding that two records are the same work goes identity first: the same paper reaches atbib as
``arxiv.org/pdf/1910.01108.pdf`` in the list, ``arXiv:1910.01108 [cs.CL]`` in a .bib file and
``10.48550/arXiv.1910.01108`` in Zotero. This module turns every such spelling into one
normalised :class:`Identifier` so that equality of identifiers is equality of works.

Rules that shape the code (researched in ``keys-dedup.md`` section 6):

- arXiv identity is the unversioned id; ids are only read from arXiv hosts, an ``arXiv:`` prefix,
  the arXiv DOI or DBLP's ``abs/`` volume, never from a bare ``YYMM.NNNNN`` in another URL.
- DOIs are case-insensitive, so the canonical form is lower case.
- ACL Anthology ids are upper case (``P19-1139``) before 2020 and lower case after
  (``2020.acl-main.419``); an ACL DOI reveals its Anthology id, but an Anthology id never
  synthesises a DOI (pre-2015 papers have none, and the ``v1/`` part will be dropped).
- OpenReview and PMLR ids are case-sensitive and are never case-folded.
- Code and project links (GitHub, Hugging Face...) are not identity: several papers share one
  repository.

Everything here is pure, uses precompiled regular expressions and is total: garbage gives
``None`` or ``()``, never an exception, because it runs over every link of lists with 100,000
entries and one malformed link must not stop a run.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import SplitResult, parse_qs, unquote, urlsplit

__all__ = [
    "Identifier",
    "acl_year",
    "arxiv_date",
    "identifiers_from_text",
    "identifiers_from_url",
    "is_code_url",
    "normalise_acl",
    "normalise_arxiv",
    "normalise_doi",
    "normalise_url",
]


@dataclass(frozen=True, slots=True, order=True)
class Identifier:
    """One normalised identifier of a work; equal identifiers mean the same work.

    The constructor trusts its arguments so that extraction, which has normalised already, stays
    cheap; text from outside (a stored ``ids`` value, a Zotero field) goes through :meth:`parse`.
    """

    scheme: str
    value: str

    def __str__(self) -> str:
        return f"{self.scheme}:{self.value}"

    @classmethod
    def parse(cls, text: str) -> Identifier:
        """Read back ``str(identifier)``, e.g. ``"arxiv:1706.03762"``.

        The value is normalised on the way in, so a hand-edited ``doi:10.1145/ABC`` is accepted
        and ``parse(str(x)) == x`` holds; an unknown scheme or an invalid value is a ValueError.
        """
        scheme, colon, value = text.partition(":")
        scheme = scheme.strip().lower()
        normalise = _NORMALISERS.get(scheme) if colon else None
        normal = normalise(value.strip()) if normalise is not None else None
        if normal is None:
            raise ValueError(f"not a scheme:value identifier: {text[:100]!r}")
        return cls(scheme, normal)


# --- arXiv ---------------------------------------------------------------------------------------

# Archives that issued old-style ids (1991-08 .. 2007-03), from arXiv's taxonomy. Checking the
# archive keeps "arXiv:" false positives such as "arXiv:and/0701001" out.
_OLD_ARXIV_ARCHIVES = frozenset(
    {
        "acc-phys", "adap-org", "alg-geom", "ao-sci", "astro-ph", "atom-ph", "bayes-an",
        "chao-dyn", "chem-ph", "cmp-lg", "comp-gas", "cond-mat", "cs", "dg-ga", "funct-an",
        "gr-qc", "hep-ex", "hep-lat", "hep-ph", "hep-th", "math", "math-ph", "mtrl-th", "nlin",
        "nucl-ex", "nucl-th", "patt-sol", "physics", "plasm-ph", "q-alg", "q-bio", "quant-ph",
        "solv-int", "supr-con",
    }
)  # fmt: skip

_ARXIV_ID = re.compile(
    r"\s*(?:arxiv:\s*)?"
    r"(?:(?P<yymm>\d{4})\.(?P<num>\d{4,5})"
    r"|(?P<archive>[a-z]+(?:-[a-z]+)?)(?:\.[a-z-]+)?/(?P<oyymm>\d{4})(?P<onum>\d{3}))"
    r"(?:v[1-9]\d*)?(?:\.pdf|\.ps\.gz|\.ps|\.gz)?\s*",
    re.IGNORECASE,
)
# The same shape without groups, for scanning free text.
_ARXIV_CORE = r"(?:\d{4}\.\d{4,5}|[a-z]+(?:-[a-z]+)?(?:\.[a-z-]+)?/\d{7})(?:v[1-9]\d*)?"


def _arxiv_month(yymm: str, old: bool) -> tuple[int, int] | None:
    """(year, month) of an id's YYMM if that month issued ids of that style, else None."""
    yy, month = int(yymm[:2]), int(yymm[2:])
    year = 1900 + yy if old and yy >= 91 else 2000 + yy
    if not 1 <= month <= 12:
        return None
    if old:
        return (year, month) if (1991, 8) <= (year, month) <= (2007, 3) else None
    return (year, month) if (year, month) >= (2007, 4) else None


def normalise_arxiv(text: str) -> str | None:
    """The unversioned canonical arXiv id in ``text``, or None if it is not one.

    Accepts ``1706.03762``, ``arXiv:1706.03762v5``, ``1706.03762v5.pdf``, ``hep-th/9901001``
    and ``math.GT/0309136`` (subject class dropped and archive lower-cased, as arXiv does:
    ``math/0309136``). The number must have the width arXiv used that month (4 digits until
    2014-12, then 5) so that a truncated id is rejected rather than guessed.
    """
    match = _ARXIV_ID.fullmatch(text)
    if match is None:
        return None
    if match["yymm"]:
        yymm, number = match["yymm"], match["num"]
        date = _arxiv_month(yymm, old=False)
        if date is None or len(number) != (4 if date < (2015, 1) else 5) or int(number) == 0:
            return None
        return f"{yymm}.{number}"
    archive, yymm, number = match["archive"].lower(), match["oyymm"], match["onum"]
    if archive not in _OLD_ARXIV_ARCHIVES or _arxiv_month(yymm, old=True) is None:
        return None
    return f"{archive}/{yymm}{number}" if int(number) else None


def arxiv_date(arxiv_id: str) -> tuple[int, int] | None:
    """(year, month) in which an arXiv id was issued, read from the id itself.

    That is the preprint's first-version date, which venue years are checked against.
    """
    normal = normalise_arxiv(arxiv_id)
    if normal is None:
        return None
    old = "/" in normal
    return _arxiv_month(normal.partition("/")[2][:4] if old else normal[:4], old)


# --- DOI -----------------------------------------------------------------------------------------

# No "%" after decoding: real DOIs never contain one (Crossref's advice is [-._;()/:A-Z0-9]), and
# allowing it would make "%25"-escaped junk decode differently on every pass.
_DOI = re.compile(r"10\.\d{4,9}(?:\.\d+)*/[^\s%]+")
_DOI_PREFIX = re.compile(r"\s*(?:(?:urn:)?doi:\s*|https?://(?:dx\.|www\.)?doi\.org/)", re.I)
_ARXIV_DOI = re.compile(r"10\.48550/arxiv\.(.+)")
# ACL DOIs: 10.3115/v1/<id> (2014-2015), 10.18653/v1/<id> (2015 on), 10.18653/<id> (from 2026).
_ACL_DOI = re.compile(r"10\.(?:18653|3115)/(?:v1/)?(.+)")
_OPENERS = {")": "(", "]": "[", "}": "{", ">": "<"}


def _trim(text: str) -> str:
    """Drop sentence punctuation and unbalanced closing brackets that follow a DOI or URL in text.

    Counts brackets once, so a string of 100,000 ``)`` still takes linear time.
    """
    surplus = {close: text.count(close) - text.count(open_) for close, open_ in _OPENERS.items()}
    end = len(text)
    while end:
        last = text[end - 1]
        if last in ".,;":
            end -= 1
        elif surplus.get(last, 0) > 0:
            surplus[last] -= 1
            end -= 1
        else:
            break
    return text[:end]


def _clean_doi(candidate: str) -> str | None:
    doi = _trim(candidate.strip())
    return doi.lower() if _DOI.fullmatch(doi) else None


def normalise_doi(text: str) -> str | None:
    """The lower-case canonical DOI in ``text`` (``10.x/...``, ``doi:``, ``urn:doi:`` or a
    doi.org link, percent-encoded or not), or None. DOIs are case-insensitive by definition."""
    text = unquote(text)
    prefix = _DOI_PREFIX.match(text)
    return _clean_doi(text[prefix.end() :] if prefix else text)


def _doi_identifiers(doi: str | None) -> tuple[Identifier, ...]:
    """The DOI, then the arXiv or ACL Anthology id it spells out (arXiv and ACL DOIs)."""
    if doi is None:
        return ()
    derived: str | None = None
    scheme = "arxiv"
    if match := _ARXIV_DOI.fullmatch(doi):
        derived = normalise_arxiv(match[1])
    elif match := _ACL_DOI.fullmatch(doi):
        scheme, derived = "acl", normalise_acl(match[1])
    found = Identifier("doi", doi)
    return (found, Identifier(scheme, derived)) if derived else (found,)


# --- ACL Anthology -------------------------------------------------------------------------------

_ACL_CORE = r"(?:[a-z]\d\d-\d{4}|(?:19|20)\d\d\.[a-z0-9]+-[a-z0-9]+\.\d+)"
_ACL_ID = re.compile(_ACL_CORE, re.IGNORECASE)


def normalise_acl(text: str) -> str | None:
    """The canonical ACL Anthology id in ``text``, or None.

    Old ids are upper case (``P19-1139``), new ones lower case (``2020.acl-main.419``): that is
    how the Anthology spells them, and lower-cased DOIs (``10.18653/v1/p19-1139``) must still
    meet the id from the link. Old-style ids exist for 1960-2019 only.
    """
    text = text.strip()
    if not _ACL_ID.fullmatch(text):
        return None
    if text[0].isdigit():
        return text.lower()
    return text.upper() if not 20 <= int(text[1:3]) <= 59 else None


def acl_year(acl_id: str) -> int | None:
    """Year of an ACL Anthology id: new ids start with it, old ones carry YY (60-99 -> 19YY)."""
    normal = normalise_acl(acl_id)
    if normal is None:
        return None
    if normal[0].isdigit():
        return int(normal[:4])
    yy = int(normal[1:3])
    return 1900 + yy if yy >= 60 else 2000 + yy


# --- URLs ----------------------------------------------------------------------------------------

_HAS_SCHEME = re.compile(r"[a-z][a-z0-9+.-]*://", re.IGNORECASE)
# Redirect wrappers whose query parameter holds the real link (Zhihu rewrites outbound links).
_REDIRECTS = {"link.zhihu.com": "target"}


def _split_plain(text: str) -> SplitResult | None:
    """``urlsplit(text)`` for the links nearly every list holds (``http://`` or ``https://``,
    printable ASCII without spaces, no IPv6 host), without its general machinery; ``None``
    for any other text."""
    if text.startswith("https://"):
        scheme, start = "https", 8
    elif text.startswith("http://"):
        scheme, start = "http", 7
    else:
        return None
    if not (text.isascii() and text.isprintable()) or " " in text:
        return None
    end = len(text)
    for delimiter in "/?#":
        found = text.find(delimiter, start)
        if 0 <= found < end:
            end = found
    netloc, path = text[start:end], text[end:]
    if "[" in netloc or "]" in netloc:
        return None
    fragment = query = ""
    if "#" in path:
        path, fragment = path.split("#", 1)
    if "?" in path:
        path, query = path.split("?", 1)
    return SplitResult(scheme, netloc, path, query, fragment)


def _split(text: str) -> SplitResult | None:
    text = text.strip()
    if not text:
        return None
    plain = _split_plain(text)
    if plain is not None:
        return plain
    if not text.startswith("//") and not _HAS_SCHEME.match(text):
        text = "//" + text  # a scheme-less link such as "arxiv.org/abs/1910.01108"
    try:
        return urlsplit(text)
    except ValueError:  # e.g. an unbalanced "[" in the host
        return None


def _host(parts: SplitResult) -> str:
    netloc = parts.netloc
    if "@" in netloc or ":" in netloc or "[" in netloc or "%" in netloc:
        hostname = parts.hostname or ""
    else:
        hostname = netloc.lower()  # what .hostname computes when there is nothing to cut
    host = hostname.rstrip(". \f\v")  # "example.com." is "example.com"
    return host[4:] if host.startswith("www.") else host


def _parse_url(url: str) -> tuple[SplitResult, str] | None:
    """Split a link and its host, unwrapping one level of redirect; None if unparseable."""
    parts = _split(url)
    if parts is None:
        return None
    host = _host(parts)
    if param := _REDIRECTS.get(host):
        targets = parse_qs(parts.query).get(param)
        target = _split(targets[0]) if targets else None
        if target is not None:
            return target, _host(target)
    return parts, host


_ARXIV_PATH = re.compile(r"/(?:abs|pdf|html|format|ps)/(.+?)/?")
_ACL_PATHS = {
    "aclweb.org": re.compile(
        rf"/anthology(?:-new)?/(?:[a-z]/[a-z]\d\d/)?({_ACL_CORE})(?:v\d+)?(?:\.pdf|\.bib|\.xml)?/?",
        re.I,
    ),
    "aclanthology.org": re.compile(rf"/({_ACL_CORE})(?:v\d+)?(?:\.pdf|\.bib|\.xml)?/?", re.I),
    "aclanthology.info": re.compile(rf"/papers/({_ACL_CORE})(?:/.*)?", re.I),
}
_PMLR_PAPER = r"(v\d+)/([A-Za-z0-9_-]+)(?:\.html|\.pdf)?(?:/[^/]*)?/?"
_PMLR_PATHS = {
    "proceedings.mlr.press": re.compile(rf"/{_PMLR_PAPER}"),
    "jmlr.org": re.compile(rf"/proceedings/papers/{_PMLR_PAPER}"),  # before PMLR existed
}
_OPENREVIEW_ID = re.compile(r"[A-Za-z0-9_-]+")
_PMLR_ID = re.compile(r"v\d+/[A-Za-z0-9_-]+")
_DOI_IN_PATH = r"(10\.\d{4,9}(?:\.\d+)*/.+?)(?:\.pdf|/abstract|/full|/pdf|/epdf)?"
# Atypon sites (ACM, Wiley, T&F, SAGE, Science...) and Springer put the DOI in the path.
_PUBLISHER_DOI = re.compile(rf"/doi/(?:[a-z]+/)?{_DOI_IN_PATH}", re.I)
_SPRINGER_DOI = re.compile(
    rf"/(?:article|chapter|book|referenceworkentry|protocol|content/pdf)/{_DOI_IN_PATH}"
)

_Extractor = Callable[[str, str, str], tuple[Identifier, ...]]


def _from_arxiv(host: str, path: str, query: str) -> tuple[Identifier, ...]:
    match = _ARXIV_PATH.fullmatch(path)
    arxiv_id = normalise_arxiv(match[1]) if match else None
    return (Identifier("arxiv", arxiv_id),) if arxiv_id else ()


def _from_resolver(host: str, path: str, query: str) -> tuple[Identifier, ...]:
    return _doi_identifiers(_clean_doi(path[1:]))


def _from_acl(host: str, path: str, query: str) -> tuple[Identifier, ...]:
    match = _ACL_PATHS[host].fullmatch(path)
    acl_id = normalise_acl(match[1]) if match else None
    return (Identifier("acl", acl_id),) if acl_id else ()


def _from_openreview(host: str, path: str, query: str) -> tuple[Identifier, ...]:
    if path.rstrip("/") not in ("/forum", "/pdf"):
        return ()
    params = parse_qs(query)
    for key in ("id", "noteId"):  # id is the forum (the paper); noteId alone also names it
        for value in params.get(key, ()):
            if _OPENREVIEW_ID.fullmatch(value):
                return (Identifier("openreview", value),)
    return ()


def _from_pmlr(host: str, path: str, query: str) -> tuple[Identifier, ...]:
    match = _PMLR_PATHS[host].fullmatch(path)
    return (Identifier("pmlr", f"{match[1]}/{match[2]}"),) if match else ()


def _from_springer(host: str, path: str, query: str) -> tuple[Identifier, ...]:
    match = _SPRINGER_DOI.fullmatch(path)
    return _doi_identifiers(_clean_doi(match[1])) if match else ()


def _from_publisher(host: str, path: str, query: str) -> tuple[Identifier, ...]:
    match = _PUBLISHER_DOI.fullmatch(path)
    return _doi_identifiers(_clean_doi(match[1])) if match else ()


_EXTRACTORS: dict[str, _Extractor] = {
    **dict.fromkeys(
        ("arxiv.org", "export.arxiv.org", "ar5iv.labs.arxiv.org", "ar5iv.org"), _from_arxiv
    ),
    **dict.fromkeys(("doi.org", "dx.doi.org", "doi.acm.org", "hdl.handle.net"), _from_resolver),
    **dict.fromkeys(_ACL_PATHS, _from_acl),
    **dict.fromkeys(_PMLR_PATHS, _from_pmlr),
    "openreview.net": _from_openreview,
    "link.springer.com": _from_springer,
}


def identifiers_from_url(url: str) -> tuple[Identifier, ...]:
    """All scholarly identifiers a link reveals, normalised, most specific first; () for none.

    "Most specific first" means the identifier the link names, then any it implies (a DOI, then
    the arXiv or ACL id inside it). Never returns a "url" identifier: whether a blog or
    repository link is identity is the caller's decision. Scheme-less links are accepted.
    """
    parsed = _parse_url(url)
    if parsed is None:
        return ()
    parts, host = parsed
    extract = _EXTRACTORS.get(host, _from_publisher)
    return extract(host, unquote(parts.path), parts.query)


_TEXT_SCAN = re.compile(
    # printable ASCII minus space, '"', '<' and '>': URLs in text end at those and at CJK text
    r"(?P<url>https?://[!#-;=?-~]+)"
    rf"|(?P<arxiv>(?<![\w.])arxiv:\s*{_ARXIV_CORE})(?![a-z0-9])"
    r"|(?P<dblp>(?<![\w/.])abs/\d{4}\.\d{4,5})(?![\d])"  # DBLP: volume = {abs/1910.01108}
    # printable ASCII minus space and quotes
    r"|(?P<doi>(?<![\w./-])(?:(?:urn:)?doi:\s*)?10\.\d{4,9}(?:\.\d+)*/[!#-&(-~]+)"
    r"|(?P<link>(?<![\w@./:-])(?:[a-z0-9-]+\.)+[a-z]{2,}/[!#-;=?-~]*)",  # scheme-less link
    re.IGNORECASE,
)


def identifiers_from_text(text: str) -> tuple[Identifier, ...]:
    """All scholarly identifiers in a free-text value, normalised, in order of appearance.

    For values of .bib files and Zotero fields: ``arXiv:1910.01108 [cs.CL]``,
    ``doi:10.18653/v1/P19-1139``, a bare DOI, ``abs/1910.01108`` (DBLP), links with or without
    a scheme. Bare numbers and ids inside non-scholarly links are not identifiers.
    """
    found: list[Identifier] = []
    for match in _TEXT_SCAN.finditer(text):
        kind, token = match.lastgroup, match.group()
        if kind in ("url", "link"):
            found.extend(identifiers_from_url(_trim(token)))
        elif kind == "doi":
            found.extend(_doi_identifiers(normalise_doi(token)))
        elif arxiv_id := normalise_arxiv(token.removeprefix("abs/")):
            found.append(Identifier("arxiv", arxiv_id))
    return tuple(dict.fromkeys(found))


# --- Links as identity ---------------------------------------------------------------------------

# The comparison form has no scheme, so either web default port is dropped whatever the scheme.
_DEFAULT_PORTS = (80, 443)
# Owner and repository names on these hosts are case-insensitive; the rest of the path is not.
_CASELESS_REPO_HOSTS = frozenset({"github.com", "gitlab.com"})
_INDEX_PAGE = "/index.html"


def _path_without_tail(path: str) -> str:
    """``path`` without trailing slashes, blanks and ``index.html`` pages, in any mix (linear
    time)."""
    end = len(path)
    while True:
        while end and (path[end - 1] == "/" or path[end - 1].isspace()):
            end -= 1
        if not path.endswith(_INDEX_PAGE, 0, end):
            return path[:end]
        end -= len(_INDEX_PAGE)


@lru_cache(maxsize=16384)
def normalise_url(url: str) -> str:
    """Comparison form of a link, for links that are the identity of blog posts and repositories.

    Scheme, ``www.``, userinfo, default port, fragment, trailing ``/`` and ``index.html`` are
    dropped and the host lower-cased; ``utm_*`` parameters are dropped and the rest sorted;
    path case is kept except GitHub/GitLab owner/repo (case-insensitive there, ``.git`` dropped).
    Zhihu redirect links become their target. Idempotent.

    Cached: works that link only a shared repository are each recognised by its address in
    the key registry (0.3 s of an export of 30,000 papers sharing one link).
    """
    parsed = _parse_url(url)
    if parsed is None:
        return url.strip()
    parts, host = parsed
    try:
        port = parts.port
    except ValueError:  # a non-numeric or out-of-range port: keep the link as written
        return url.strip()
    if not host:  # nothing to compare by: keep the link as written
        return url.strip()
    netloc = host if port is None or port in _DEFAULT_PORTS else f"{host}:{port}"
    path = _path_without_tail(parts.path)
    if host in _CASELESS_REPO_HOSTS:
        segments = path.split("/", 3)  # ["", owner, repo, rest]
        segments[1:3] = [segment.lower() for segment in segments[1:3]]
        if len(segments) == 3:  # the clone URL of the repository itself
            while segments[2].endswith(".git"):
                segments[2] = segments[2][:-4]
        path = _path_without_tail("/".join(segments))  # an emptied name leaves a "/"
    params = sorted(
        p for p in parts.query.split("&") if p.strip() and not p.lower().startswith("utm_")
    )
    # urlsplit drops tabs and newlines anywhere, which can leave a space at either end
    return (f"{netloc}{path}?{'&'.join(params)}" if params else f"{netloc}{path}").strip()


_CODE_HOSTS = frozenset(
    {
        "github.com", "githubusercontent.com", "gitlab.com", "bitbucket.org", "gitee.com",
        "codeberg.org", "sourceforge.net", "pastebin.com", "huggingface.co", "hf.co",
        "paperswithcode.com", "colab.research.google.com",
    }
)  # fmt: skip
_CODE_HOST_LABELS = max(host.count(".") + 1 for host in _CODE_HOSTS)


def is_code_url(url: str) -> bool:
    """Whether a link points at code or project hosting (a host above or a subdomain of one).

    Such links never identify a paper: one repository often serves several papers. GitHub Pages
    (``*.github.io``) is not included because blogs live there.
    """
    parsed = _parse_url(url)
    if parsed is None:
        return False
    labels = parsed[1].split(".")
    deepest = min(len(labels), _CODE_HOST_LABELS)
    return any(".".join(labels[-n:]) in _CODE_HOSTS for n in range(2, deepest + 1))


def _normalise_openreview(text: str) -> str | None:
    return text if _OPENREVIEW_ID.fullmatch(text) else None


def _normalise_pmlr(text: str) -> str | None:
    return text if _PMLR_ID.fullmatch(text) else None


def _normalise_url_value(text: str) -> str | None:
    return normalise_url(text) or None


_NORMALISERS: dict[str, Callable[[str], str | None]] = {
    "arxiv": normalise_arxiv,
    "doi": normalise_doi,
    "acl": normalise_acl,
    "openreview": _normalise_openreview,
    "pmlr": _normalise_pmlr,
    "url": _normalise_url_value,
}
