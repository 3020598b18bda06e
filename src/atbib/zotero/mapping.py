"""A work of the list <-> the fields of a Zotero item: one table read by both directions.

=================================  ===================  ==========================================
Work                               Item type            Where the venue goes
=================================  ===================  ==========================================
paper at a journal                 ``journalArticle``   ``publicationTitle`` (full name),
                                                        ``journalAbbreviation``
paper at a conference or workshop  ``conferencePaper``  ``conferenceName`` (as the list writes
                                                        it), ``proceedingsTitle`` (full name)
paper in a report series           ``report``           ``seriesTitle`` (as written),
                                                        ``institution`` (full name)
arXiv-only paper (CoRR)            ``preprint``         ``repository = arXiv``,
                                                        ``archiveID = arXiv:<id>``
paper at an unknown venue          ``conferencePaper``  ``conferenceName``
paper in an unknown journal        ``journalArticle``   ``publicationTitle`` (as written)
paper with no venue and no arXiv   ``webpage``          --
blog post                          ``blogPost``         --
repository                         ``computerProgram``  --
slides                             ``presentation``     ``meetingName`` (as written)
book                               ``book``             --
other                              ``webpage``          --
=================================  ===================  ==========================================

A venue the venue table does not know is a conference's unless the work's kept fields
(``bib/extra.bib``, which a pull fills when a group member files a journal article) make it
a journal's: the list line names the venue but cannot say which it is, and the item, the
list and bib/ must agree.

Every item also gets: ``title``; ``creators`` (authors with first and last names; the source of
a blog post or the owner of a repository as one single-field ``name``); ``date`` (the year);
``url`` (the paper's own link, or the title link of blog posts and repositories); ``shortTitle``
(the nickname, ``***BERT***``); the native ``citationKey``; the ``DOI`` of a paper or a book
(every item type of schema v41 has the field); ``abstractNote`` (a repository's description);
and lines of ``extra``, after the group's own lines: the citation key again, for Zotero 7 with
Better BibTeX 7, which pins keys there (Zotero 8 has the native field); a paper's arXiv id,
where Better BibTeX and Zotero users look for it (a preprint holds it in ``archiveID``); and
the other labelled links::

    Citation Key: devlin2019bert
    arXiv: 1810.04805
    code: https://github.com/google-research/bert
    pt code: https://github.com/huggingface/transformers

atbib owns these lines and no others: every ``Citation Key:`` line (one is written, in step
with ``citationKey``; a key is read from either), an ``arXiv:`` line holding just an arXiv id,
and the link lines. The group's other lines (notes, ``arXiv:2001.00001 [cs.CL]`` as Zotero's
arXiv translator writes it, ``original-date: ...``) are kept as they are, in their order.

Links live in ``extra`` rather than in child attachments because that costs no request and no
extra object (an attachment per link would more than double the objects of a push and every
later pull), the lines show in the item's Info pane, and they travel with the item's version.
Labels that Zotero would read as one of its own fields (``url: ...``) are written in brackets
(``[url]: ...``) so the desktop client never moves them into a field; URLs that are empty or
relative are written in angle brackets (``code: <exbert.net>``).

Fields are compared as plain JSON values (:data:`Fields`): the planner works on these, and the
reverse direction (:func:`record_patch`) turns changed fields back into record attributes,
keeping every attribute the changed fields do not speak about, so an edit in Zotero rewrites
only what it changed.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from atbib.identifiers import normalise_arxiv
from atbib.model import Kind, Link, Person, Record, Venue
from atbib.venues import VenueType, first_year, lookup, lookup_full

Fields = dict[str, Any]
"""The fields atbib owns on an item, as JSON values. Empty values are left out, so two field
sets are equal exactly when the item would show the same data."""

DEFAULT_ROOT = "ATPapers"
"""Name of the collection that holds the list's tree in the group library."""

LINKS = "links"
"""Pseudo-field: the labelled links, stored as lines of ``extra``."""
COLLECTIONS = "collections"
"""Pseudo-field: keys of the collections inside the list's tree (sorted)."""
KEY_LINES = "citationKeyLines"
"""Pseudo-field: the keys on the ``Citation Key:`` lines of ``extra``, in order (one line, in
step with ``citationKey``, once atbib wrote the item)."""
ARXIV = "arXiv"
"""Pseudo-field: the arXiv id on the ``arXiv:`` line of ``extra``."""
EXTRA_FIELDS = (KEY_LINES, ARXIV, LINKS)
"""The pseudo-fields written as lines of ``extra``, in this order, after the group's lines."""
PSEUDO_FIELDS = frozenset({*EXTRA_FIELDS, COLLECTIONS})
"""Fields of :data:`Fields` that are no field of the item."""


@dataclass(frozen=True, slots=True)
class ItemType:
    """One row of the table: an item type and how a work's venue is spread over its fields."""

    name: str
    kind: Kind
    """The kind of list entry this item type comes back as."""
    venue_types: tuple[VenueType, ...] = ()
    """Venue types of a paper that give this item type."""
    creator: str = "author"
    """The primary creator type."""
    venue_text: str | None = None
    """Field holding the venue exactly as the list writes it (``ICLR 2020``)."""
    venue_abbr: str | None = None
    """Field holding the venue's abbreviation (``TACL``)."""
    venue_full: str | None = None
    """Field holding the venue's full name from the venue table."""
    describes: bool = False
    """Whether ``abstractNote`` carries the entry's description (repositories, blog posts)."""


C, J, W = VenueType.CONFERENCE, VenueType.JOURNAL, VenueType.WORKSHOP

ITEM_TYPES: tuple[ItemType, ...] = (
    ItemType(
        "journalArticle",
        Kind.PAPER,
        (J,),
        venue_abbr="journalAbbreviation",
        venue_full="publicationTitle",
    ),
    ItemType(
        "conferencePaper",
        Kind.PAPER,
        (C, W),
        venue_text="conferenceName",
        venue_full="proceedingsTitle",
    ),
    ItemType(
        "report",
        Kind.PAPER,
        (VenueType.REPORT,),
        venue_text="seriesTitle",
        venue_full="institution",
    ),
    ItemType("preprint", Kind.PAPER, (VenueType.PREPRINT,)),
    ItemType("blogPost", Kind.BLOG_POST, describes=True),
    ItemType("computerProgram", Kind.REPOSITORY, creator="programmer", describes=True),
    ItemType("presentation", Kind.SLIDES, creator="presenter", venue_text="meetingName"),
    ItemType("book", Kind.BOOK),
    ItemType("webpage", Kind.OTHER, describes=True),
)
"""The one table: list kinds and venue types <-> Zotero item types (first matching row wins
going to Zotero; the row's ``kind`` is what an item of that type becomes in the list)."""

TYPE_BY_NAME: dict[str, ItemType] = {row.name: row for row in ITEM_TYPES}

JOURNAL_ARTICLE = next(row.name for row in ITEM_TYPES if J in row.venue_types)
"""The item type of a paper in a journal."""

PAPER_LIKE_TYPES = frozenset(
    {
        "bookSection",
        "thesis",
        "manuscript",
        "magazineArticle",
        "newspaperArticle",
        "encyclopediaArticle",
        "dictionaryEntry",
        "dataset",
        "standard",
        "patent",
    }
)
"""Other Zotero item types a group member may add: they come back as papers; any remaining
type comes back as a plain link (``Kind.OTHER``)."""

NOT_WORKS = frozenset({"note", "attachment", "annotation"})
"""Item types that are never works of the list."""

_SCHEMA_FIELDS: dict[str, str] = {
    # Schema v41 fields of the item types atbib writes (``field=baseField``); tests check this
    # against the vendored schema.json. Used to keep every write valid for its type and to
    # clear what a type change would otherwise carry over (repository -> publisher).
    "blogPost": "title abstractNote blogTitle=publicationTitle websiteType=type date DOI "
    "citationKey url accessDate ISSN shortTitle language rights extra",
    "book": "title abstractNote series seriesNumber volume numberOfVolumes edition date "
    "publisher place originalDate originalPublisher originalPlace format=medium numPages ISBN "
    "DOI citationKey url accessDate ISSN archive archiveLocation shortTitle language "
    "libraryCatalog callNumber rights extra",
    "computerProgram": "title abstractNote seriesTitle versionNumber date system "
    "company=publisher place programmingLanguage rights citationKey url accessDate DOI ISBN "
    "archive archiveLocation libraryCatalog callNumber shortTitle extra",
    "conferencePaper": "title abstractNote proceedingsTitle=publicationTitle conferenceName "
    "publisher place date eventPlace volume issue numberOfVolumes pages series seriesNumber "
    "DOI ISBN citationKey url accessDate ISSN archive archiveLocation shortTitle language "
    "libraryCatalog callNumber rights extra",
    "journalArticle": "title abstractNote publicationTitle publisher place date volume issue "
    "section partNumber partTitle pages series seriesTitle seriesText journalAbbreviation DOI "
    "citationKey url accessDate PMID PMCID ISSN archive archiveLocation shortTitle language "
    "libraryCatalog callNumber rights extra",
    "preprint": "title abstractNote genre=type repository=publisher archiveID=number place "
    "date series seriesNumber DOI citationKey url accessDate archive archiveLocation "
    "shortTitle language libraryCatalog callNumber rights extra",
    "presentation": "title abstractNote presentationType=type date meetingName place series "
    "sessionTitle=publicationTitle DOI citationKey url accessDate shortTitle language rights "
    "extra",
    "report": "title abstractNote reportNumber=number reportType=type institution=publisher "
    "place date seriesTitle seriesNumber pages DOI ISBN citationKey url accessDate ISSN "
    "archive archiveLocation shortTitle language libraryCatalog callNumber rights extra",
    "webpage": "title abstractNote websiteTitle=publicationTitle websiteType=type date "
    "publisher place DOI citationKey url accessDate shortTitle language rights extra",
}


def _parse_schema_fields(spec: str) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for token in spec.split():
        name, _, base = token.partition("=")
        out[name] = base or None
    return out


TYPE_FIELDS: dict[str, dict[str, str | None]] = {
    name: _parse_schema_fields(spec) for name, spec in _SCHEMA_FIELDS.items()
}
"""Item type -> its valid fields -> their base field (``None`` when the field is its own)."""

CREATOR_TYPES: dict[str, frozenset[str]] = {
    "blogPost": frozenset({"author", "translator", "commenter", "contributor"}),
    "book": frozenset({"author", "contributor", "editor", "translator", "seriesEditor"}),
    "computerProgram": frozenset({"programmer", "contributor"}),
    "conferencePaper": frozenset({"author", "contributor", "editor", "translator", "seriesEditor"}),
    "journalArticle": frozenset(
        {"author", "contributor", "editor", "translator", "reviewedAuthor"}
    ),
    "preprint": frozenset({"author", "contributor", "editor", "translator", "reviewedAuthor"}),
    "presentation": frozenset({"presenter", "chair", "organizer", "contributor", "translator"}),
    "report": frozenset({"author", "editor", "contributor", "translator", "seriesEditor"}),
    "webpage": frozenset({"author", "contributor", "translator"}),
}

COMMON_FIELDS = (
    "itemType",
    "title",
    "creators",
    "date",
    "url",
    "shortTitle",
    "citationKey",
    "DOI",
)
"""Fields of every regular item type of schema v41 that atbib owns (besides the
pseudo-fields)."""

RESERVED_LABELS = frozenset(
    # Normalised names (Zotero's _normalizeExtraKey) of every field of the item types above,
    # their base fields and creator types, and every CSL text or date variable: an ``extra``
    # line starting with one of these could be moved into a field by the desktop client.
    """abstract abstract-note access-date accessed archive archive-id archive-location author
    authority blog-title call-number chair chapter-number citation-key collection-number
    collection-title commenter company conference-name container-title contributor date
    dimensions doi edition editor event-place event-title extra format genre institution isbn
    issn issue issued journal-abbreviation language library-catalog license medium meeting-name
    note num-pages number number-of-pages number-of-volumes organizer original-date
    original-place original-publisher original-publisher-place page pages part-number
    part-title place pmcid pmid presentation-type presenter proceedings-title programmer
    programming-language publication-title publisher publisher-place references report-number
    report-type repository reviewed-author rights scale section series series-editor
    series-number series-text series-title session-title short-title source status submitted
    system title title-short translator type url version version-number volume website-title
    website-type""".split()  # noqa: SIM905 (as a list literal: 96 lines)
)

_SCHEME_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*://\S+$")
_LINK_LINE = re.compile(
    r"^(?:\[(?P<bracketed>[^\n]+)\]|(?P<label>[^\[\]\n:][^\n:]*)): "
    r"(?:(?P<url>[A-Za-z][A-Za-z0-9+.\-]*://\S+)|<(?P<raw>[^<>\n]*)>)$"
)
_CITATION_KEY_LINE = re.compile(r"^\s*citation key:\s*(\S+)\s*$", re.IGNORECASE)
_ARXIV_LINE = re.compile(r"^arXiv: (\S+)$")


# -- the table, going to Zotero ---------------------------------------------------------------


def item_type_for(record: Record, venue_type: VenueType | None = None) -> ItemType:
    """The table row for a record (see the module docstring). *venue_type*: the type of a
    venue the venue table does not know, where something other than the list says it (a
    journal a group member named, kept with the work's fields in ``bib/extra.bib``)."""
    if record.kind is not Kind.PAPER:
        return next(row for row in ITEM_TYPES if row.kind is record.kind)
    parsed = record.venue.parsed if record.venue is not None else None
    if parsed is not None and parsed.name and parsed.type is not None:
        venue_type = parsed.type
    elif parsed is None or not parsed.name:
        venue_type = None
    if venue_type is not None:
        for row in ITEM_TYPES:
            if venue_type in row.venue_types:
                return row
    if parsed is not None and parsed.name:
        return TYPE_BY_NAME["conferencePaper"]
    if any(ident.scheme == "arxiv" for ident in record.identifiers):
        return TYPE_BY_NAME["preprint"]
    return TYPE_BY_NAME["webpage"]


def kind_for_type(item_type: str) -> Kind:
    """The list kind an item of this type becomes."""
    row = TYPE_BY_NAME.get(item_type)
    if row is not None:
        return row.kind
    return Kind.PAPER if item_type in PAPER_LIKE_TYPES else Kind.OTHER


def owned_fields(item_type: str) -> tuple[str, ...]:
    """Every field atbib reads and writes on an item of this type."""
    row = TYPE_BY_NAME.get(item_type)
    names = list(COMMON_FIELDS)
    if row is None:
        names += ["publicationTitle", "abstractNote"]
    else:
        names += [f for f in (row.venue_text, row.venue_abbr, row.venue_full) if f]
        if row.name == "preprint":
            names += ["repository", "archiveID"]
        if row.describes:
            names.append("abstractNote")
    return (*names, KEY_LINES, ARXIV, LINKS, COLLECTIONS)


def venue_fields_of(item_type: str) -> frozenset[str]:
    """The fields a work's venue is read back from (a change to any of them changes it)."""
    names = set(owned_fields(item_type)) - PSEUDO_FIELDS
    names -= {"title", "creators", "url", "shortTitle", "citationKey", "DOI", "abstractNote"}
    return frozenset(names)


def person_creator(person: Person, creator_type: str) -> dict[str, str]:
    """Two fields (first/last) for a person; one ``name`` field for a mononym."""
    if not person.given and not person.von and not person.jr:
        return {"creatorType": creator_type, "name": person.family}
    last = " ".join(p for p in (person.von, person.family) if p)
    if person.jr:
        last = f"{last}, {person.jr}"
    return {"creatorType": creator_type, "firstName": person.given, "lastName": last}


def creator_person(creator: Mapping[str, Any]) -> Person:
    """The reverse of :func:`person_creator` (names are split by BibTeX's rules)."""
    if "name" in creator:
        name = str(creator.get("name") or "").strip()
        return Person(family=name) if name and " " not in name else Person.parse(name)
    first = str(creator.get("firstName") or "").strip()
    last = str(creator.get("lastName") or "").strip()
    jr = ""
    if ", " in last:
        last, jr = last.split(", ", 1)
    person = Person.parse(f"{last}, {first}") if first else Person.parse(last)
    if jr:
        person = Person(family=person.family, given=person.given, von=person.von, jr=jr)
    return person


def _creators(record: Record, row: ItemType) -> list[dict[str, str]]:
    if not record.kind.titled and record.source:
        return [{"creatorType": row.creator, "name": record.source}]
    return [person_creator(p, row.creator) for p in record.authors]


def split_links(record: Record) -> tuple[str, tuple[Link, ...]]:
    """``(url, links for extra)``: the work's own URL and the links that go to ``extra``.

    The first link goes to ``url`` alone when it is the work's link under its usual label
    (``paper``) and no other link repeats its URL; otherwise every link is kept in ``extra``
    too, so the entry's links come back in their order and with their labels."""
    if not record.kind.titled:
        return record.url, record.links
    own = record.primary_url
    if not own:
        return "", record.links
    links = record.links
    default = record.kind.own_label
    first_is_own = bool(links) and links[0].url == own and links[0].label == default
    if first_is_own and all(link.url != own for link in links[1:]):
        return own, links[1:]
    return own, links


def join_links(kind: Kind, url: str, links: Sequence[Link]) -> tuple[str, tuple[Link, ...]]:
    """The reverse of :func:`split_links`: ``(record.url, record.links)``."""
    if not kind.titled:
        return url, tuple(links)
    if url and all(link.url != url for link in links):
        return "", (Link(kind.own_label, url), *links)
    return "", tuple(links)


def _normalise_label(label: str) -> str:
    key = re.sub(r"([a-z])([A-Z])", r"\1-\2", label.strip()).lower()
    return re.sub(r"[\s\-_]", "-", key)


def link_line(link: Link) -> str:
    """One line of ``extra`` for a link (see the module docstring)."""
    label = link.label
    plain = (
        bool(label)
        and label == label.strip()
        and ":" not in label
        and label[0] not in "[]"
        and "]" not in label
        and _normalise_label(label) not in RESERVED_LABELS
    )
    head = label if plain else f"[{label}]"
    url = link.url if _SCHEME_URL.match(link.url) else f"<{link.url}>"
    return f"{head}: {url}"


@dataclass(frozen=True, slots=True)
class ExtraLines:
    """An ``extra`` field split into atbib's lines and the group's own."""

    links: tuple[Link, ...] = ()
    keys: tuple[str, ...] = ()
    """The keys of the ``Citation Key:`` lines (Better BibTeX reads the first)."""
    arxiv: str = ""
    other: tuple[str, ...] = ()
    """The group's own lines, in their order (blank lines at the end dropped)."""


def parse_extra(extra: str) -> ExtraLines:
    """The lines of an ``extra`` field, atbib's and the group's (see the module docstring)."""
    links: list[Link] = []
    keys: list[str] = []
    arxiv = ""
    other: list[str] = []
    for line in extra.split("\n") if extra else ():
        link = _LINK_LINE.match(line)
        key = _CITATION_KEY_LINE.match(line) if link is None else None
        own_arxiv = _ARXIV_LINE.match(line) if link is None and key is None else None
        if link is not None:
            label = link.group("bracketed") or link.group("label") or ""
            url = link.group("url") if link.group("url") is not None else link.group("raw")
            links.append(Link(label, url or ""))
        elif key is not None:
            keys.append(key.group(1))
        elif own_arxiv is not None and not arxiv and normalise_arxiv(own_arxiv.group(1)):
            arxiv = own_arxiv.group(1)
        else:
            other.append(line)
    while other and not other[-1].strip():
        other.pop()
    return ExtraLines(tuple(links), tuple(keys), arxiv, tuple(other))


def compose_extra(other: str, fields: Mapping[str, Any]) -> str:
    """``extra`` with the group's own lines first, then atbib's (:data:`EXTRA_FIELDS`). A line
    of atbib's among the group's (a state file written before atbib owned it) is dropped:
    it is written from the fields, once."""
    own = parse_extra(other).other if other else ()
    lines = list(own)
    lines += [f"Citation Key: {key}" for key in fields.get(KEY_LINES) or ()]
    if fields.get(ARXIV):
        lines.append(f"arXiv: {fields[ARXIV]}")
    lines += [link_line(Link(label, url)) for label, url in fields.get(LINKS) or ()]
    return "\n".join(lines)


def cited_key(fields: Mapping[str, Any]) -> str:
    """The citation key an item carries: its native field, else its first ``Citation Key:``
    line (Zotero 7 with Better BibTeX 7 pins keys there only)."""
    return str(fields.get("citationKey") or next(iter(fields.get(KEY_LINES) or ()), ""))


def _venue_fields(record: Record, row: ItemType) -> Fields:
    fields: Fields = {}
    venue = record.venue
    parsed = venue.parsed if venue is not None else None
    if row.name == "preprint":
        fields["repository"] = "arXiv"
        arxiv = next((i.value for i in record.identifiers if i.scheme == "arxiv"), "")
        if arxiv:
            fields["archiveID"] = f"arXiv:{arxiv}"
        return fields
    if venue is None or parsed is None or not venue.text.strip():
        return fields
    if row.venue_text:
        fields[row.venue_text] = venue.text
    if row.venue_abbr and parsed.info is not None:  # an unknown venue has no abbreviation
        fields[row.venue_abbr] = parsed.abbr
    if row.venue_full and parsed.name:
        fields[row.venue_full] = parsed.full_name
    return {k: v for k, v in fields.items() if v}


def _identifier_fields(record: Record, row: ItemType) -> Fields:
    """The DOI and the arXiv id of a paper or a book, where its item type holds them (a
    preprint's arXiv id is its ``archiveID``). Other works' links may name a paper's
    identifiers (a repository's paper link): not theirs."""
    if record.kind not in (Kind.PAPER, Kind.BOOK):
        return {}
    fields: Fields = {}
    for ident in record.identifiers:
        if ident.scheme == "doi" and writable(row.name, "DOI"):
            fields.setdefault("DOI", ident.value)
        elif ident.scheme == "arxiv" and not writable(row.name, "archiveID"):
            fields.setdefault(ARXIV, ident.value)
    return fields


def work_fields(
    record: Record,
    key: str = "",
    collections: Iterable[str] = (),
    venue_type: VenueType | None = None,
) -> Fields:
    """The fields of the item for a work (its merged record, citation key, the keys of the
    collections of its subsections, and the type of its venue where the list cannot say it:
    :func:`item_type_for`)."""
    row = item_type_for(record, venue_type)
    fields: Fields = {"itemType": row.name, "title": record.title}
    creators = _creators(record, row)
    if creators:
        fields["creators"] = creators
    if record.year is not None:
        fields["date"] = str(record.year)
    url, links = split_links(record)
    if url:
        fields["url"] = url
    if links:
        fields[LINKS] = [[link.label, link.url] for link in links]
    if record.nickname:
        fields["shortTitle"] = record.nickname
    if key:
        fields["citationKey"] = key
        fields[KEY_LINES] = [key]
    fields.update(_identifier_fields(record, row))
    if row.describes and record.description:
        fields["abstractNote"] = record.description
    fields.update(_venue_fields(record, row))
    keys = sorted(set(collections))
    if keys:
        fields[COLLECTIONS] = keys
    return {k: v for k, v in fields.items() if v not in ("", [], None)}


# -- Zotero's item JSON <-> fields --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Keep:
    """What an item holds besides atbib's fields that a write must carry along: the lines of
    ``extra`` that are not links and the collections outside the list's tree."""

    extra: str = ""
    collections: tuple[str, ...] = ()
    trashed: bool = False
    """In Zotero's trash."""


def _clean_creator(creator: Mapping[str, Any]) -> dict[str, str]:
    if creator.get("name") is not None:
        return {"creatorType": str(creator.get("creatorType", "author")), "name": creator["name"]}
    return {
        "creatorType": str(creator.get("creatorType", "author")),
        "firstName": str(creator.get("firstName") or ""),
        "lastName": str(creator.get("lastName") or ""),
    }


def item_fields(data: Mapping[str, Any], tree: Collection[str]) -> tuple[Fields, Keep]:
    """atbib's fields of an item (its ``data`` object) and what a write must keep. ``tree`` is
    the set of collection keys inside the list's tree."""
    item_type = str(data.get("itemType", ""))
    fields: Fields = {"itemType": item_type}
    for name in owned_fields(item_type):
        if name in ("itemType", "creators") or name in PSEUDO_FIELDS:
            continue
        value = data.get(name)
        if value not in (None, "", False):
            fields[name] = str(value)
    creators = [_clean_creator(c) for c in data.get("creators") or () if isinstance(c, Mapping)]
    if creators:
        fields["creators"] = creators
    extra = parse_extra(str(data.get("extra") or ""))
    if extra.keys:
        fields[KEY_LINES] = list(extra.keys)
    if extra.arxiv:
        fields[ARXIV] = extra.arxiv
    if extra.links:
        fields[LINKS] = [[link.label, link.url] for link in extra.links]
    member_of = [str(c) for c in data.get("collections") or ()]
    inside = sorted({c for c in member_of if c in tree})
    if inside:
        fields[COLLECTIONS] = inside
    keep = Keep(
        extra="\n".join(extra.other),
        collections=tuple(c for c in member_of if c not in tree),
        trashed=bool(data.get("deleted")),
    )
    return fields, keep


def _valid(item_type: str, name: str) -> bool:
    table = TYPE_FIELDS.get(item_type)
    return table is not None and name in table


def _target(old_type: str, new_type: str, name: str) -> str | None:
    """The field ``name`` of an ``old_type`` item lands in when its type becomes
    ``new_type`` (directly, or through their common base field)."""
    if _valid(new_type, name):
        return name
    base = TYPE_FIELDS.get(old_type, {}).get(name) or name
    for candidate, candidate_base in TYPE_FIELDS.get(new_type, {}).items():
        if (candidate_base or candidate) == base:
            return candidate
    return None


def writable(item_type: str, name: str) -> bool:
    """Whether atbib can write field ``name`` on an item of ``item_type`` (types outside the
    table take only the fields every regular type has)."""
    if name in PSEUDO_FIELDS or name in ("creators", "itemType"):
        return True
    if item_type in TYPE_FIELDS:
        return _valid(item_type, name)
    return name in COMMON_FIELDS


def item_json(
    fields: Mapping[str, Any],
    names: Iterable[str],
    *,
    key: str,
    version: int,
    keep: Keep = Keep(),
    old_fields: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The JSON object to POST for the given ``names`` of ``fields`` (PATCH semantics: other
    properties stay as they are). ``version`` 0 creates; ``old_fields`` is what the item holds
    now, used when the type changes to clear what the old type's fields would leave behind."""
    data: dict[str, Any] = {"key": key, "version": version}
    wanted = list(dict.fromkeys(names))
    new_type = str(fields.get("itemType", ""))
    old_type = str((old_fields or {}).get("itemType", ""))
    for name in wanted:
        value = fields.get(name)
        if name in EXTRA_FIELDS:
            data["extra"] = compose_extra(keep.extra, fields)
        elif name == COLLECTIONS:
            data["collections"] = [*keep.collections, *(value or ())]
        elif name == "creators":
            data["creators"] = list(value or ())
        else:
            data[name] = "" if value is None else value
    if version == 0:
        data.setdefault("itemType", new_type)
        data.setdefault("tags", [])
        data.setdefault("relations", {})
        if "collections" not in data:
            data["collections"] = list(keep.collections)
    if "itemType" in data and old_fields and old_type and old_type != new_type:
        for name in old_fields:
            if name in PSEUDO_FIELDS or name == "creators" or name in fields:
                continue
            target = _target(old_type, new_type, name)
            if target is not None and target not in fields and target not in data:
                data[target] = ""
        if "creators" not in data and "creators" in fields:
            data["creators"] = list(fields["creators"])
    return data


# -- fields -> record (the reverse direction) ---------------------------------------------------


def year_of(date: str) -> int | None:
    return first_year(date or "")


def _with_year(venue: Venue, year: int | None) -> Venue:
    if year is None or venue.year == year:
        return venue
    if venue.year is not None:
        text = venue.text
        position = text.rfind(str(venue.year))
        return Venue(text[:position] + str(year) + text[position + 4 :])
    return Venue(f"{venue.text} {year}".strip())


def _same_venue_name(venue: Venue, name: str) -> bool:
    parsed = venue.parsed
    if name.lower() in (parsed.name.lower(), parsed.abbr.lower()):
        return True
    info = lookup(name)
    return info is not None and info is parsed.info


def _from_name(name: str, year: int | None, previous: Venue | None) -> Venue | None:
    if previous is not None and name and _same_venue_name(previous, name):
        return _with_year(previous, year)
    if not name and year is None:
        return None
    if not name and previous is not None and not previous.parsed.name:
        return _with_year(previous, year)
    return Venue.from_parts(name, year)


def _abbr_of_full(full: str) -> str:
    info = lookup_full(full)
    return info.abbr if info is not None else full


def venue_from_fields(
    fields: Mapping[str, Any],
    previous: Venue | None,
    changed: Collection[str],
    derived_year: int | None = None,
) -> Venue | None:
    """The venue the list writes for an item, keeping ``previous`` (the entry's venue as
    written) wherever the changed fields do not contradict it. ``derived_year``: the year the
    entry shows without a venue (from its arXiv id or URL)."""
    item_type = str(fields.get("itemType", ""))
    year = year_of(str(fields.get("date", "")))
    row = TYPE_BY_NAME.get(item_type)
    name_fields = venue_fields_of(item_type) - {"date"}
    if not (set(changed) & name_fields):
        if previous is not None:
            return _with_year(previous, year) if "date" in changed else previous
        if changed and year == derived_year:
            return None
    text_field = row.venue_text if row else None
    abbr_field = row.venue_abbr if row else None
    full_field = row.venue_full if row else "publicationTitle"
    text = str(fields.get(text_field, "")) if text_field else ""
    abbr = str(fields.get(abbr_field, "")) if abbr_field else ""
    full = str(fields.get(full_field, "")) if full_field else ""
    if full and full_field in changed and not {text_field, abbr_field} & set(changed):
        return _from_name(_abbr_of_full(full), year, previous)
    if text:
        venue = Venue(text)
        return venue if venue.year is not None or year is None else Venue(f"{text} {year}")
    if abbr:
        return _from_name(abbr, year, previous)
    if full:
        return _from_name(_abbr_of_full(full), year, previous)
    if item_type == "preprint":
        repository = str(fields.get("repository", ""))
        arxiv = repository.lower() in ("", "arxiv")
        name = "CoRR" if arxiv else repository
        if previous is None and (year is None or (arxiv and year == derived_year)):
            return None  # the list shows an arXiv paper's year without a venue
        return _from_name(name, year, previous)
    if previous is not None and previous.parsed.name and row is not None:
        # The type no longer carries a venue name (a paper became a web page): keep the name.
        return _with_year(previous, year)
    return _from_name("", year, previous)


def record_patch(
    previous: Record | None, fields: Mapping[str, Any], changed: Collection[str]
) -> dict[str, Any]:
    """Record attributes (``title``, ``authors``, ``venue``, ``links``, ...) that the
    ``changed`` fields give new values, as a dict for :func:`dataclasses.replace`. With no
    ``previous`` record every attribute is computed from the fields."""
    item_type = str(fields.get("itemType", ""))
    kind = kind_for_type(item_type)
    if previous is not None and (
        "itemType" not in changed or item_type_for(previous).name == item_type
    ):
        kind = previous.kind
    if previous is not None and kind.titled != previous.kind.titled:
        previous = None  # the entry changes shape: build it anew from the fields
    every = previous is None
    changed = set(changed)
    if previous is not None and item_type_for(previous).name == item_type:
        changed.discard("itemType")
    out: dict[str, Any] = {}
    if every or kind is not previous.kind:  # type: ignore[union-attr]
        out["kind"] = kind
    if every or "title" in changed:
        out["title"] = str(fields.get("title", ""))
    if every or "creators" in changed:
        creators = [c for c in fields.get("creators") or () if isinstance(c, Mapping)]
        if not kind.titled:
            out["source"] = ", ".join(
                str(c["name"]) if "name" in c else str(creator_person(c)) for c in creators
            )
            if every:
                out["authors"] = ()
        else:
            out["authors"] = tuple(creator_person(c) for c in creators)
            if every:
                out["source"] = ""
    if every or {"url", LINKS} & changed:
        links = tuple(Link(str(label), str(url)) for label, url in fields.get(LINKS) or ())
        out["url"], out["links"] = join_links(kind, str(fields.get("url", "")), links)
    if every or "shortTitle" in changed:
        out["nickname"] = str(fields.get("shortTitle", ""))
    if every or "abstractNote" in changed:
        out["description"] = str(fields.get("abstractNote", "")) if not kind.titled else ""
    if not kind.titled:
        if every:
            out["venue"] = None
    elif every or changed & venue_fields_of(item_type) or "itemType" in changed:
        before = previous.venue if previous is not None else None
        derived = previous.year if previous is not None else None
        out["venue"] = venue_from_fields(fields, before, changed if not every else (), derived)
    if previous is not None:
        out = {k: v for k, v in out.items() if getattr(previous, k) != v}
    return out


def record_from_fields(fields: Mapping[str, Any]) -> Record:
    """A new list entry for an item (its citation key, if any, in ``key``)."""
    patch = record_patch(None, fields, fields.keys())
    return Record(key=cited_key(fields), **patch)
