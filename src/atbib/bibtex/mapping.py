"""Record <-> BibTeX entry: the one table both directions read.

========================  ==================  ============================================
Work                      Entry type          Where the venue goes
========================  ==================  ============================================
conference paper          ``@inproceedings``  ``booktitle`` (full name from the venue table)
workshop paper            ``@inproceedings``  ``booktitle`` (workshop, "at" its conference)
journal paper             ``@article``        ``journal``
arXiv-only paper (CoRR)   ``@misc``           ``eprint`` + ``archivePrefix = {arXiv}``
paper without authors     ``@misc``           ``howpublished`` (styles demand an author for
                                              the other types; lint reports the gap)
slides                    ``@misc``           ``howpublished``, ``note = {Slides}``
book                      ``@book`` with a publisher, else ``@misc`` + ``note = {Book}``
blog post                 ``@misc``           author = the source, ``howpublished = \\url``,
                                              ``note = {Blog post}``
repository                ``@misc``           author = the owner, ``howpublished = \\url``,
                                              ``note = {Software repository}``,
                                              ``abstract`` = the description
other                     ``@misc``           ``howpublished = \\url``
========================  ==================  ============================================

arXiv preprints follow the convention Better BibTeX and most NLP templates use: ``@misc`` with
``eprint``, ``archivePrefix`` and ``url``. Every paper with an arXiv identifier carries
``eprint``/``archivePrefix`` so biblatex can link it. Fields atbib adds for the round trip to
the list, ignored by BibTeX styles: ``shorttitle`` (the nickname), ``subsection`` (where the
work is listed: ``Section / Subsection``, ``;`` between several), ``links`` (every labelled
link, ``[label](url)``), ``ids`` (earlier keys of the work, for biblatex) and ``listvenue``
(the venue exactly as the list writes it, only when the fields above would read back as
another: ``ICLR2020``, or empty for "no venue").

The other direction (:func:`record_from_entry`) reads the same tables backwards, and also reads
what other tools write: every entry type of BibTeX and biblatex (:data:`ENTRY_TYPES`; an
unknown type is read as the closest kind and reported), biblatex's field names
(:data:`FIELD_ALIASES`), venues in any spelling (``Proceedings of the 57th Annual Meeting of
the Association for Computational Linguistics`` is ``ACL``, through the venue table), arXiv as
a venue (``CoRR``, ``arXiv preprint arXiv:...``), LaTeX decoded to Unicode and names split by
BibTeX's rules. The guarantee both directions are tested for: the entry written for a record
reads back as that record, and a record read from an entry writes back the entry's fields with
the same meaning (the source's own spellings, carried in ``Record.extra`` or in a kept entry,
are written where they still say what the record says: :mod:`atbib.bibtex.overlay`).

The values themselves are encoded and decoded by :mod:`atbib.bibtex.encode`; the entry written
for a work, with its source's spellings, is :func:`atbib.bibtex.overlay.bibtex_entry`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import unquote, urlsplit

from atbib import names
from atbib.bibtex.encode import (
    carries_active_link,
    decode_person,
    decode_value,
    encode_corporate,
    encode_howpublished_url,
    encode_people,
    encode_title,
    join_lines,
    name_problem,
    unescape_url,
)
from atbib.bibtex.latex import decode_latex, encode_latex
from atbib.headings import split_section_path
from atbib.identifiers import Identifier, identifiers_from_text, normalise_arxiv
from atbib.markup import MARKDOWN_LINK, escape_markdown, unescape_markdown
from atbib.model import Kind, Link, Person, Problem, Record, SectionPath, Severity, Venue
from atbib.texsyntax import group_end, math_spans, outside_spans
from atbib.urls import clean_url, encode_url, is_active_url
from atbib.venues import (
    FIELD_YEAR,
    ParsedVenue,
    VenueType,
    first_year,
    parse_venue,
    venue_from_bib,
)

# -- the tables -------------------------------------------------------------------------------

KIND_NOTES: dict[Kind, str] = {
    Kind.BLOG_POST: "Blog post",
    Kind.REPOSITORY: "Software repository",
    Kind.SLIDES: "Slides",
    Kind.BOOK: "Book",
}
"""``note`` values that mark a ``@misc`` entry's kind (read back by the .bib reader)."""

NOTE_KINDS: dict[str, Kind] = {note.lower(): kind for kind, note in KIND_NOTES.items()}


@dataclass(frozen=True, slots=True)
class EntryType:
    """How an entry type is read: the kind of work, and the fields that name its venue."""

    name: str
    kind: Kind
    venue_fields: tuple[str, ...] = ()


ENTRY_TYPES: dict[str, EntryType] = {
    t.name: t
    for t in (
        EntryType("article", Kind.PAPER, ("journal",)),
        EntryType("inproceedings", Kind.PAPER, ("booktitle", "eventtitle")),
        EntryType("conference", Kind.PAPER, ("booktitle", "eventtitle")),
        EntryType("incollection", Kind.PAPER, ("booktitle",)),
        EntryType("inbook", Kind.PAPER, ("booktitle",)),
        EntryType("phdthesis", Kind.PAPER, ("school",)),
        EntryType("mastersthesis", Kind.PAPER, ("school",)),
        EntryType("thesis", Kind.PAPER, ("institution", "school")),
        EntryType("techreport", Kind.PAPER, ("institution",)),
        EntryType("report", Kind.PAPER, ("institution",)),
        EntryType("unpublished", Kind.PAPER, ("howpublished",)),
        EntryType("misc", Kind.PAPER, ("howpublished",)),
        EntryType("book", Kind.BOOK, ("publisher",)),
        EntryType("mvbook", Kind.BOOK, ("publisher",)),
        EntryType("booklet", Kind.BOOK, ("howpublished",)),
        EntryType("collection", Kind.BOOK, ("publisher",)),
        EntryType("proceedings", Kind.BOOK, ("publisher",)),
        EntryType("manual", Kind.OTHER, ("organization",)),
        EntryType("online", Kind.BLOG_POST),
        EntryType("electronic", Kind.BLOG_POST),
        EntryType("www", Kind.BLOG_POST),
        EntryType("webpage", Kind.BLOG_POST),
        EntryType("software", Kind.REPOSITORY),
    )
}
"""Every entry type atbib reads (BibTeX's and biblatex's usual ones), with its kind of work.
``@misc`` becomes a blog post, repository, slides or book by its ``note`` (see
:data:`KIND_NOTES`), a link (:attr:`Kind.OTHER`) when ``howpublished`` is a URL, else a paper;
``@online`` and its aliases are papers when they carry an arXiv ``eprint``."""

VENUE_ENTRY_TYPES: dict[VenueType | None, str] = {
    VenueType.JOURNAL: "article",
    VenueType.CONFERENCE: "inproceedings",
    VenueType.WORKSHOP: "inproceedings",
    None: "inproceedings",
}
"""The entry type written for a paper with authors, a year and a venue of this type; its
venue goes to the type's first venue field in :data:`ENTRY_TYPES` (``journal``,
``booktitle``). Other papers are ``@misc`` with the venue in ``howpublished``."""

FIELD_ALIASES: dict[str, str] = {
    "journaltitle": "journal",
    "eprinttype": "archiveprefix",
    "eprintclass": "primaryclass",
    "location": "address",
}
"""biblatex field names read as their BibTeX equivalents (both directions of biber's own
aliasing)."""

BIBTEX_TYPES = frozenset(
    {
        "article",
        "book",
        "booklet",
        "conference",
        "inbook",
        "incollection",
        "inproceedings",
        "manual",
        "mastersthesis",
        "misc",
        "phdthesis",
        "proceedings",
        "techreport",
        "unpublished",
    }
)
"""BibTeX's own entry types. bib/ files are read by BibTeX styles as well as biblatex, so a
source's entry type is kept only when it is one of these; a biblatex-only type (``@online``,
``@software``, ``@report``) is written as the table's BibTeX type."""

ATBIB_FIELDS = frozenset({"subsection", "links", "listvenue"})
"""atbib's round-trip fields: always written from the record, never carried from a source."""

PUBLICATION_FIELDS = frozenset(
    {
        "journal",
        "journaltitle",
        "booktitle",
        "eventtitle",
        "howpublished",
        "volume",
        "number",
        "pages",
        "publisher",
        "address",
        "location",
        "editor",
        "series",
        "organization",
        "institution",
        "school",
        "month",
        "issn",
        "isbn",
        "eventdate",
        "venue",
    }
)
"""Fields that describe where a work appeared: a source's values are dropped when the list
now names another venue (its pages belonged to the old one)."""


@dataclass(frozen=True, slots=True)
class BibEntryOut:
    entry_type: str
    key: str
    fields: tuple[tuple[str, str], ...]
    """Field names and values already encoded for BibTeX."""

    def get(self, name: str) -> str | None:
        for field_name, value in self.fields:
            if field_name == name:
                return value
        return None


@dataclass(frozen=True, slots=True)
class KeptEntry:
    """A source entry's own spellings, kept so that writing the work again gives back the
    source's fields and values (``bib/extra.bib``): raw BibTeX values by lower-case name."""

    entry_type: str
    fields: tuple[tuple[str, str], ...]


def _links_text(links: Sequence[Link]) -> str:
    parts = []
    for link in links:
        # The reader cleans every URL it reads: writing it clean reads back the same.
        parts.append(f"[{_escaped_label(link.label)}]({clean_url(link.url)})")
    return " ".join(parts)


@lru_cache(maxsize=4096)
def _escaped_label(label: str) -> str:
    """A link label escaped for the list: a list uses a few dozen labels (paper, code...)."""
    return escape_markdown(label)


@lru_cache(maxsize=4096)
def _venue_parts(text: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    """The full name and ``note`` fields of the venue written ``text``, escaped: a list
    repeats a few hundred venues thousands of times."""
    parsed = parse_venue(text)
    notes = [q for q in parsed.qualifiers if q.lower() not in ("findings", "workshop", "workshops")]
    return encode_latex(parsed.full_name), tuple(("note", encode_latex(n)) for n in notes[:1])


def _venue_fields(
    record: Record, parsed: ParsedVenue | None, year: int | None
) -> tuple[str, list[tuple[str, str]]]:
    """Entry type and venue fields for a paper (*year* is ``record.year``)."""
    fields: list[tuple[str, str]] = []
    venue_type = parsed.type if parsed is not None else None
    has_year = year is not None
    if parsed is not None and parsed.name and venue_type is not VenueType.PREPRINT:
        full, notes = _venue_parts(parsed.text)
        if record.authors and has_year and venue_type in VENUE_ENTRY_TYPES:
            entry_type = VENUE_ENTRY_TYPES[venue_type]
            fields = [(ENTRY_TYPES[entry_type].venue_fields[0], full)]
        else:
            entry_type, fields = "misc", [("howpublished", full)]
        fields += notes
        return entry_type, fields
    arxiv = next((i.value for i in record.identifiers if i.scheme == "arxiv"), "")
    if arxiv:
        # BibTeX's styles print no eprint field: say where the preprint is, as Google
        # Scholar's entries do (biblatex prints its eprint as well).
        fields = [("howpublished", f"arXiv preprint arXiv:{arxiv}")]
    return "misc", fields


@lru_cache(maxsize=1024)
def _encode_sections(sections: tuple[SectionPath, ...]) -> str:
    """The ``subsection`` field: ``;`` between paths, `` / `` between headings; a ``;`` or a
    ``/`` inside a heading is braced (``{;}``) so the reader, which splits outside braces,
    keeps it. A list has a few dozen section paths, repeated on every work."""
    return "; ".join(" / ".join(_encode_heading(part) for part in path) for path in sections)


def _encode_heading(heading: str) -> str:
    # math is kept as written, and the reader never splits it
    return outside_spans(heading, math_spans(heading), _encoded_with_braced_separators)


def _encoded_with_braced_separators(text: str) -> str:
    text = encode_latex(text)
    if ";" in text or "/" in text:
        return text.replace(";", "{;}").replace("/", "{/}")
    return text


def generate_fields(
    record: Record,
    sections: Sequence[SectionPath],
    aliases: Sequence[str],
    *,
    shown: bool = True,
    identifiers: bool = True,
) -> tuple[str, list[tuple[str, str]]]:
    """The entry the table gives a record, before any source spelling is applied. Without
    *shown*, the fields the list shows (author, title, shorttitle, subsection, links) are left
    out, and without *identifiers* ``eprint``/``archivePrefix``/``doi``: the reader needs them
    only when the entry has such fields, and they cost most to compute."""
    fields: list[tuple[str, str]] = []
    url = record.primary_url
    if url:
        url = clean_url(url)  # as the reader will read it (and as the list would write it)
    parsed = record.venue.parsed if record.venue is not None else None
    year = record.year
    if not record.kind.titled:
        entry_type = "misc"
        if shown:
            if record.source:
                fields.append(("author", encode_corporate(record.source)))
            elif record.authors:
                fields.append(("author", encode_people(record.authors)))
            fields.append(("title", encode_title(record.title)))
        if url:
            fields.append(("howpublished", encode_howpublished_url(url)))
    else:
        if shown:
            if record.authors:
                fields.append(("author", encode_people(record.authors)))
            fields.append(("title", encode_title(record.title)))
        if record.kind is Kind.PAPER:
            entry_type, venue_fields = _venue_fields(record, parsed, year)
        else:
            entry_type = "misc"
            venue_fields = (
                [("howpublished", encode_latex(parsed.full_name))] if parsed and parsed.name else []
            )
        fields += venue_fields
    if year is not None:
        fields.append(("year", str(year)))
    note = KIND_NOTES.get(record.kind)
    if note and not any(name == "note" for name, _ in fields):
        fields.append(("note", note))
    if identifiers:
        fields += _identifier_fields(record.identifiers)
    if url:
        fields.append(("url", encode_url(url)))
    if record.description:
        fields.append(("abstract", encode_latex(record.description)))
    if aliases:
        fields.append(("ids", ", ".join(aliases)))
    if shown:
        if record.nickname:
            fields.append(("shorttitle", encode_latex(record.nickname)))
        if sections:
            fields.append(("subsection", _encode_sections(tuple(sections))))
        if record.links:
            fields.append(("links", encode_latex(_links_text(record.links))))
    has_author = bool(record.authors) or (not record.kind.titled and bool(record.source))
    if not has_author:
        fields.insert(0, ("key", encode_latex(_stand_in_author(url) or record.title)))
    return entry_type, fields


def _stand_in_author(url: str) -> str:
    """What the ``key`` field of a work without authors says: the site it is on
    (``towardsdatascience.com``). Styles sort by ``key`` where there is no author, and natbib's
    (``plainnat``, the ACL and NeurIPS templates) print it in the author's place: the title
    there would be read twice, the site reads as who published the work."""
    start = url.find("://")
    if start < 0:
        return ""
    # The host is all urlsplit needs, and it ends at the first "/", "?" or "#" after "//":
    # read each site once (a list links the same few sites many times), not every address.
    end = _END_OF_HOST.search(url, start + 3)
    return _site(url[: end.start()] if end else url)


_END_OF_HOST = re.compile(r"[/?#]")


@lru_cache(maxsize=4096)
def _site(address: str) -> str:
    """:func:`_stand_in_author` of an address up to its host (``https://www.example.org``)."""
    host = urlsplit(address).hostname or ""
    return unquote(host).removeprefix("www.")  # as written, however the address is escaped


def _identifier_fields(identifiers: Sequence[Identifier]) -> list[tuple[str, str]]:
    """``eprint``/``archivePrefix`` for the first arXiv identifier and ``doi`` for the first
    DOI, in the order the identifiers give them (no field before these names either)."""
    fields: list[tuple[str, str]] = []
    arxiv = doi = False
    for ident in identifiers:
        if ident.scheme == "arxiv" and not arxiv:
            arxiv = True
            fields += [("eprint", ident.value), ("archivePrefix", "arXiv")]
        elif ident.scheme == "doi" and not doi:
            doi = True
            fields.append(("doi", encode_url(ident.value)))
    return fields


@lru_cache(maxsize=256)
def venue_candidates(entry_type: str) -> tuple[str, ...]:
    """The fields :func:`read_venue` looks in for the venue of an entry of this type."""
    info = ENTRY_TYPES.get(entry_type)
    return (info.venue_fields if info else ()) + ("journal", "booktitle", "howpublished")


# -- entry -> record --------------------------------------------------------------------------

_ONLINE = frozenset({"online", "electronic", "www", "webpage"})


def raw_getter(fields: Sequence[tuple[str, str]]) -> Callable[[str], str | None]:
    table: dict[str, str] = {}
    for name, value in fields:
        table.setdefault(name.lower(), value)
    if not table.keys().isdisjoint(FIELD_ALIASES):  # one C-level test for the usual entry
        for alias, name in FIELD_ALIASES.items():
            if alias in table and name not in table:
                table[name] = table[alias]
    return table.get


def _year(get: Callable[[str], str | None]) -> int | None:
    for name in ("year", "date"):
        value = get(name)
        year = first_year(value, FIELD_YEAR) if value else None
        if year is not None:
            return year
    return None


def _arxiv_id(get: Callable[[str], str | None]) -> str | None:
    """The arXiv id an entry carries in ``eprint`` (unless ``archivePrefix`` names another
    archive), or in an arXiv ``journal``/``howpublished`` (Google Scholar's ``arXiv preprint
    arXiv:1810.04805``)."""
    eprint = get("eprint")
    prefix = (get("archiveprefix") or "arxiv").strip().lower()
    if eprint and prefix == "arxiv":
        found = normalise_arxiv(eprint.strip())
        if found:
            return found
    for name in ("journal", "howpublished", "note", "volume"):
        value = get(name)
        if value and ("arxiv" in value.lower() or value.startswith("abs/")):
            for ident in identifiers_from_text(value):
                if ident.scheme == "arxiv":
                    return ident.value
    return None


_URL_MACRO = re.compile(r"\\(?:url|href)\s*\{([^{}]*)\}(?:\s*\{.*\})?", re.DOTALL)
_ABSOLUTE_URL = re.compile(r"^[a-z][a-z0-9+.-]*://\S+$", re.IGNORECASE)
_NOT_WORD = re.compile(r"[\W_]+")


def _url_value(raw: str | None) -> str:
    """A URL from ``url`` or from a ``\\url{...}`` in ``howpublished`` (``""`` when it is no
    URL)."""
    if not raw:
        return ""
    text = raw.strip()
    match = _URL_MACRO.fullmatch(text)
    if match:
        text = match.group(1).replace(r"\%", "%").replace(r"\#", "#").replace(r"\_", "_")
    text = text.strip()
    return text if _ABSOLUTE_URL.match(text) else ""


def read_kind(entry_type: str, get: Callable[[str], str | None]) -> tuple[Kind, str]:
    """The kind of work an entry describes, and a problem when its type is not in the table
    (the closest kind is used)."""
    note = (get("note") or "").strip().lower()
    marked = NOTE_KINDS.get(note)
    info = ENTRY_TYPES.get(entry_type)
    if info is None:
        has_venue = any(get(n) for n in ("journal", "booktitle", "doi", "eprint"))
        kind = marked or (Kind.PAPER if has_venue or get("author") else Kind.OTHER)
        return kind, (
            f"unknown entry type @{entry_type}: read as "
            f"{'a ' + kind.value if kind is not Kind.OTHER else 'a link'}"
        )
    if marked is not None:
        return marked, ""
    if entry_type == "misc":
        howpublished = get("howpublished")
        atbib_written = get("subsection") is not None or get("links") is not None
        if _url_value(howpublished):
            if atbib_written or not (_arxiv_id(get) or get("doi")):
                return Kind.OTHER, ""
        elif atbib_written and howpublished and _URL_MACRO.fullmatch(howpublished.strip()):
            return Kind.OTHER, ""  # atbib's link to a relative address ("exbert.net")
        return Kind.PAPER, ""
    if entry_type in _ONLINE and _arxiv_id(get):
        return Kind.PAPER, ""
    return info.kind, ""


@lru_cache(maxsize=4096)
def _candidate_venue_name(
    fields: tuple[str, ...], raws: tuple[str | None, ...], year: int | None
) -> str:
    """The venue name in the first of ``fields`` (with their raw values ``raws``) that names
    one, read through the venue table; ``""`` for none. Cached: a bibliography has a few
    hundred venues, and export reads back every entry it writes."""
    for field_name, raw in zip(fields, raws, strict=True):
        if not raw or _url_value(raw) or "\\url" in raw:
            continue
        text = decode_value(field_name, raw)
        if text and "://" not in text:
            return venue_from_bib(text, year).name
    return ""


def read_venue(entry_type: str, get: Callable[[str], str | None]) -> Venue | None:
    """The list's venue for an entry: ``listvenue`` when atbib wrote one; else the venue field
    of its type (then the usual ones), read through the venue table, with the year; ``CoRR``
    for an arXiv preprint; the bare year; or none."""
    listed = get("listvenue")
    if listed is not None:
        text = decode_value("listvenue", listed)
        return Venue(text) if text else None
    year = _year(get)
    candidates = venue_candidates(entry_type)
    name = _candidate_venue_name(candidates, tuple([get(f) for f in candidates]), year)
    if not name and _arxiv_id(get):
        name = "CoRR"
    if not name:
        return Venue(str(year)) if year is not None else None
    if year is None or str(year) in name:
        return Venue(name)
    return Venue(f"{name} {year}")


@dataclass(frozen=True, slots=True)
class ReadEntry:
    """An entry read as a record, with what the reader had to say about it."""

    record: Record
    problems: tuple[Problem, ...] = ()
    """``error`` for what BibTeX cannot read (the import stops), ``warning`` for what was read
    another way (an unknown type, a refused link); each names the field concerned, if one is
    (the caller knows the file, the lines and the key: path and line are left empty)."""
    dropped: tuple[str, ...] = field(default=())
    """Links refused as active content."""


def _entry_problem(severity: Severity, message: str, field_name: str = "") -> Problem:
    return Problem("", 0, severity, message, "bibtex-entry", field_name)


def record_from_entry(entry_type: str, key: str, fields: Sequence[tuple[str, str]]) -> ReadEntry:
    """Read one BibTeX entry (raw values, macros resolved) as a record (see the module
    docstring). Fields the record cannot show go to ``Record.extra`` as plain text, with the
    source's spelling of fields the table would write differently (``booktitle``, ``doi``)."""
    get = raw_getter(fields)
    problems: list[Problem] = []
    dropped: list[str] = []
    kind, kind_problem = read_kind(entry_type, get)
    if kind_problem:
        problems.append(_entry_problem(Severity.WARNING, kind_problem))

    def safe(url: str) -> str:
        if url and is_active_url(url):
            dropped.append(url)
            problems.append(
                _entry_problem(Severity.WARNING, f"refused the active link {url[:60]!r}")
            )
            return ""
        return clean_url(url) if url else ""

    raw_title = get("title")
    title = decode_value("title", raw_title) if raw_title else ""
    if not title:
        title = key
        problems.append(_entry_problem(Severity.WARNING, "no title: the key is used as the title"))
    raw_author = get("author") or ""
    authors = _read_authors(raw_author, problems)
    raw_links = get("links")
    links = _read_links(raw_links, safe) if raw_links else []
    url = safe(unescape_url(get("url") or "") or _url_value(get("howpublished")))
    sections = _sections(get("subsection"))
    shorttitle = decode_value("shorttitle", get("shorttitle") or "")
    # Other tools copy the title into shorttitle; atbib writes one only for a nickname.
    atbib_written = any(get(name) is not None for name in ATBIB_FIELDS)
    if shorttitle and not atbib_written and _fold(shorttitle) == _fold(title):
        shorttitle = ""
    record: Record
    if kind.titled:
        if raw_links is None:
            primary = url or _own_link(get, safe)
            if primary:
                links.append(Link(kind.own_label, primary))
        record = Record(
            kind=kind,
            title=title,
            authors=tuple(authors),
            venue=read_venue(entry_type, get),
            links=tuple(links),
            nickname=shorttitle,
            sections=sections,
            key=key,
        )
    else:
        if url.startswith("#"):  # the list reads [title](#place) as its table of contents
            problems.append(_entry_problem(Severity.WARNING, f"refused the anchor {url[:60]!r}"))
            url = ""
        source = _source(raw_author, authors)
        abstract = decode_value("abstract", get("abstract") or "")
        record = Record(
            kind=kind,
            title=title,
            url=url,
            links=tuple(links),
            nickname=shorttitle,
            description=abstract,
            source=source,
            sections=sections,
            key=key,
        )
    return ReadEntry(_with_extra(record, entry_type, fields), tuple(problems), tuple(dropped))


def _read_authors(raw: str, problems: list[Problem]) -> list[Person]:
    """The people of an ``author`` value (names without a family name left out); a name
    BibTeX cannot read is added to *problems*."""
    authors: list[Person] = []
    for raw_name in names.split_authors(raw) if raw.strip() else []:
        trouble = name_problem(raw_name)
        if trouble:
            problems.append(_entry_problem(Severity.ERROR, trouble, "author"))
        person = decode_person(raw_name)
        if person.family:
            authors.append(person)
    return authors


def _read_links(raw: str, safe: Callable[[str], str]) -> list[Link]:
    """The links of atbib's ``links`` field (``[label](url) ...``); *safe* refuses an active
    URL (giving ``""``), and such a link is left out."""
    links: list[Link] = []
    for match in MARKDOWN_LINK.finditer(decode_value("links", raw)):
        url = safe(match.group(2)) if match.group(2) else ""
        if url or not match.group(2):
            links.append(Link(unescape_markdown(match.group(1)), url))
    return links


def _own_link(get: Callable[[str], str | None], safe: Callable[[str], str]) -> str:
    """The address of a titled work without ``url`` or ``links``: its arXiv abstract, else
    its DOI's resolver, else ``""``."""
    arxiv = _arxiv_id(get)
    if arxiv:
        return f"https://arxiv.org/abs/{arxiv}"
    doi = (get("doi") or "").strip()
    return safe(f"https://doi.org/{doi}") if doi else ""


def _source(raw_author: str, authors: Sequence[Person]) -> str:
    """A blog post's or a repository's source from its ``author`` value: one braced corporate
    name as written (as atbib writes a source: its spelling, spaces and all), else the names
    as the list shows them."""
    if not authors:
        return ""
    braced = raw_author.strip()
    if len(authors) == 1 and braced.startswith("{") and group_end(braced, 0) == len(braced):
        return decode_value("author", braced[1:-1])
    return ", ".join(str(p) for p in authors)


def _fold(text: str) -> str:
    return " ".join(_NOT_WORD.sub(" ", text.casefold()).split())


def _sections(raw: str | None) -> tuple[SectionPath, ...]:
    """Section paths from a ``subsection`` value, split at ``;`` and `` / `` outside braces
    (see :func:`_encode_sections`)."""
    if not raw:
        return ()
    if "\n" in raw or "\t" in raw or "\r" in raw:
        raw = join_lines(raw)
    paths: list[SectionPath] = []
    for part in _split_outside_braces(raw, ";"):
        path = split_section_path(part, _split_outside_braces, _decoded_heading)
        if path and path not in paths:
            paths.append(path)
    return tuple(paths)


def _decoded_heading(text: str) -> str:
    return decode_latex(text).strip()


_MATH_REST = re.compile(r"(?:[^$\\]|\\.)*\$", re.DOTALL)


def _split_outside_braces(text: str, separator: str) -> list[str]:
    """``text.split(separator)``, except inside braces and inline math."""
    if "{" not in text and "$" not in text:
        return text.split(separator)
    pieces: list[str] = []
    depth = start = i = 0
    n = len(text)
    while i < n:
        c = text[i]
        if c == "\\":
            i += 2  # an escaped character never opens, closes or separates
            continue
        if c == "$" and depth == 0:
            math = _MATH_REST.match(text, i + 1)  # inline math, kept whole
            if math is not None:
                i = math.end()
                continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth = max(depth - 1, 0)
        elif depth == 0 and text.startswith(separator, i):
            pieces.append(text[start:i])
            i = start = i + len(separator)
            continue
        i += 1
    pieces.append(text[start:])
    return pieces


_SKIP_TITLE = frozenset({"author", "title", *ATBIB_FIELDS})
_SKIP_LINK = frozenset({"title", *ATBIB_FIELDS})
"""Fields a record always shows (a blog's or repository's author only joined into its
source, so its spelling is kept)."""


def _with_extra(record: Record, entry_type: str, fields: Sequence[tuple[str, str]]) -> Record:
    """The record with ``extra``: the entry's fields that the table would not write back as
    they are (decoded), so ``bibtex_entry`` gives the entry's own fields again. Runs once
    per entry read, so it compares raw text first and decodes only what differs."""
    # Identifier fields (eprint, archivePrefix, doi) are not compared: working them out from
    # the links costs a third of the reading, and keeping them in extra is harmless (writing
    # them back finds them equal to what the links give) and useful (a DOI the list has no
    # link for).
    produced = {
        name.lower(): value
        for name, value in generate_fields(record, (), (), shown=False, identifiers=False)[1]
    }
    skip = _SKIP_TITLE if record.kind.titled else _SKIP_LINK
    extra: list[tuple[str, str]] = []
    seen: set[str] = set()
    for name, raw in fields:
        name = name.lower()
        if name in skip or name in seen:
            continue
        seen.add(name)
        if (name == "shorttitle" and record.nickname) or (
            name == "abstract" and record.description
        ):
            continue
        if name == "author" and record.source and raw == encode_corporate(record.source):
            continue  # the source as atbib writes it: nothing to keep
        if carries_active_link(raw):
            continue  # refused (and reported) as a link: not kept either
        mine = produced.get(name)
        if mine is not None:
            if mine == raw:
                continue
            value = decode_value(name, raw)
            if decode_value(name, mine) == value:
                continue
        else:
            value = decode_value(name, raw)
            if not value or (name == "url" and value == record.primary_url):
                continue
        extra.append((name, value))
    return record.with_extra(tuple(extra)) if extra else record
