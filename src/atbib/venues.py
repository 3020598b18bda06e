"""The venue table: one table read by every direction (list -> BibTeX, BibTeX -> list, Zotero).

A venue as the list writes it (``NAACL 2019``, ``ICLR2020``, ``RepL4NLP@ACL 2019``,
``SustaiNLP 2020 at EMNLP 2020``, ``Findings of EMNLP 2020``, ``NeurIPS 2019 Workshop``) is
parsed into a name, a year and qualifiers, and the name is looked up here. Unknown venues are
kept exactly as written; :func:`parse_venue` never guesses.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache


class VenueType(StrEnum):
    CONFERENCE = "conference"
    JOURNAL = "journal"
    WORKSHOP = "workshop"
    PREPRINT = "preprint"
    REPORT = "report"


@dataclass(frozen=True, slots=True)
class VenueInfo:
    abbr: str
    """The name atbib writes (``NeurIPS``; ``NIPS`` stays ``NIPS`` as a spelling of the same)."""
    full: str
    type: VenueType
    month: int | None = None
    """Month the venue usually takes place, used to spot impossible arXiv dates."""
    until: int | None = None
    """Last year the venue went by this name (``NIPS`` until 2017, then ``NeurIPS``)."""


def _v(
    abbr: str, full: str, type_: VenueType, month: int | None = None, until: int | None = None
) -> VenueInfo:
    return VenueInfo(abbr, full, type_, month, until)


C, J, W = VenueType.CONFERENCE, VenueType.JOURNAL, VenueType.WORKSHOP

# Keys are lower-cased spellings; several spellings may map to one venue.
VENUES: dict[str, VenueInfo] = {
    "acl": _v("ACL", "Annual Meeting of the Association for Computational Linguistics", C, 7),
    "emnlp": _v("EMNLP", "Conference on Empirical Methods in Natural Language Processing", C, 11),
    "naacl": _v(
        "NAACL",
        "Conference of the North American Chapter of the Association for Computational "
        "Linguistics: Human Language Technologies",
        C,
        6,
    ),
    "eacl": _v(
        "EACL",
        "Conference of the European Chapter of the Association for Computational Linguistics",
        C,
        4,
    ),
    "aacl": _v(
        "AACL",
        "Conference of the Asia-Pacific Chapter of the Association for Computational Linguistics",
        C,
        12,
    ),
    "coling": _v("COLING", "International Conference on Computational Linguistics", C, 12),
    "conll": _v("CoNLL", "Conference on Computational Natural Language Learning", C, 11),
    "iclr": _v("ICLR", "International Conference on Learning Representations", C, 5),
    "icml": _v("ICML", "International Conference on Machine Learning", C, 7),
    "neurips": _v("NeurIPS", "Advances in Neural Information Processing Systems", C, 12),
    "nips": _v("NIPS", "Advances in Neural Information Processing Systems", C, 12, until=2017),
    "aaai": _v("AAAI", "AAAI Conference on Artificial Intelligence", C, 2),
    "ijcai": _v("IJCAI", "International Joint Conference on Artificial Intelligence", C, 8),
    "cvpr": _v("CVPR", "IEEE/CVF Conference on Computer Vision and Pattern Recognition", C, 6),
    "iccv": _v("ICCV", "IEEE/CVF International Conference on Computer Vision", C, 10),
    "eccv": _v("ECCV", "European Conference on Computer Vision", C, 8),
    "sigir": _v(
        "SIGIR",
        "International ACM SIGIR Conference on Research and Development in Information Retrieval",
        C,
        7,
    ),
    "cikm": _v(
        "CIKM", "ACM International Conference on Information and Knowledge Management", C, 11
    ),
    "www": _v("WWW", "The Web Conference", C, 4),
    "kdd": _v(
        "KDD", "ACM SIGKDD International Conference on Knowledge Discovery and Data Mining", C, 8
    ),
    "wsdm": _v("WSDM", "ACM International Conference on Web Search and Data Mining", C, 2),
    "interspeech": _v(
        "Interspeech",
        "Annual Conference of the International Speech Communication Association",
        C,
        9,
    ),
    "icassp": _v(
        "ICASSP", "IEEE International Conference on Acoustics, Speech and Signal Processing", C, 5
    ),
    "iwslt": _v("IWSLT", "International Conference on Spoken Language Translation", C, 11),
    "cicling": _v(
        "CICLing",
        "International Conference on Computational Linguistics and Intelligent Text Processing",
        C,
        4,
    ),
    "icarcv": _v(
        "ICARCV", "International Conference on Control, Automation, Robotics and Vision", C, 12
    ),
    "lrec": _v("LREC", "International Conference on Language Resources and Evaluation", C, 5),
    "lrec-coling": _v(
        "LREC-COLING",
        "Joint International Conference on Computational Linguistics, Language Resources and "
        "Evaluation",
        C,
        5,
    ),
    "uai": _v("UAI", "Conference on Uncertainty in Artificial Intelligence", C, 7),
    "aistats": _v(
        "AISTATS", "International Conference on Artificial Intelligence and Statistics", C, 4
    ),
    "icde": _v("ICDE", "IEEE International Conference on Data Engineering", C, 4),
    "sdm": _v("SDM", "SIAM International Conference on Data Mining", C, 5),
    "sigdial": _v(
        "SIGDIAL", "Annual Meeting of the Special Interest Group on Discourse and Dialogue", C, 9
    ),
    "ecir": _v("ECIR", "European Conference on Information Retrieval", C, 4),
    "wacv": _v("WACV", "IEEE/CVF Winter Conference on Applications of Computer Vision", C, 1),
    "icdm": _v("ICDM", "IEEE International Conference on Data Mining", C, 11),
    "*sem": _v("*SEM", "Joint Conference on Lexical and Computational Semantics", C, 7),
    "starsem": _v("*SEM", "Joint Conference on Lexical and Computational Semantics", C, 7),
    "miccai": _v(
        "MICCAI",
        "International Conference on Medical Image Computing and Computer-Assisted Intervention",
        C,
        10,
    ),
    "usenix security": _v("USENIX Security", "USENIX Security Symposium", C, 8),
    "osdi": _v("OSDI", "USENIX Symposium on Operating Systems Design and Implementation", C, 7),
    "nsdi": _v("NSDI", "USENIX Symposium on Networked Systems Design and Implementation", C, 4),
    "usenix atc": _v("USENIX ATC", "USENIX Annual Technical Conference", C, 7),
    "fast": _v("FAST", "USENIX Conference on File and Storage Technologies", C, 2),
    "ijcnlp": _v("IJCNLP", "International Joint Conference on Natural Language Processing", C, 11),
    "nlpcc": _v(
        "NLPCC",
        "International Conference on Natural Language Processing and Chinese Computing",
        C,
        10,
    ),
    "recsys": _v("RecSys", "ACM Conference on Recommender Systems", C, 9),
    "icwsm": _v("ICWSM", "International AAAI Conference on Web and Social Media", C, 6),
    "ecml-pkdd": _v(
        "ECML-PKDD",
        "European Conference on Machine Learning and Principles and Practice of Knowledge "
        "Discovery in Databases",
        C,
        9,
    ),
    "acm mm": _v("ACM MM", "ACM International Conference on Multimedia", C, 10),
    "bmvc": _v("BMVC", "British Machine Vision Conference", C, 11),
    "icra": _v("ICRA", "IEEE International Conference on Robotics and Automation", C, 5),
    "iros": _v(
        "IROS", "IEEE/RSJ International Conference on Intelligent Robots and Systems", C, 10
    ),
    "corl": _v("CoRL", "Conference on Robot Learning", C, 11),
    "colt": _v("COLT", "Conference on Learning Theory", C, 7),
    "ijcnn": _v("IJCNN", "International Joint Conference on Neural Networks", C, 7),
    "ecai": _v("ECAI", "European Conference on Artificial Intelligence", C, 8),
    "eswc": _v("ESWC", "Extended Semantic Web Conference", C, 6),
    "iswc": _v("ISWC", "International Semantic Web Conference", C, 10),
    "chi": _v("CHI", "CHI Conference on Human Factors in Computing Systems", C, 4),
    "sigmod": _v("SIGMOD", "ACM SIGMOD International Conference on Management of Data", C, 6),
    "vldb": _v("VLDB", "International Conference on Very Large Data Bases", C, 8),
    "tacl": _v("TACL", "Transactions of the Association for Computational Linguistics", J),
    "jmlr": _v("JMLR", "Journal of Machine Learning Research", J),
    "cl": _v("CL", "Computational Linguistics", J),
    "tpami": _v("TPAMI", "IEEE Transactions on Pattern Analysis and Machine Intelligence", J),
    "tkde": _v("TKDE", "IEEE Transactions on Knowledge and Data Engineering", J),
    "tnnls": _v("TNNLS", "IEEE Transactions on Neural Networks and Learning Systems", J),
    "tnn": _v("TNN", "IEEE Transactions on Neural Networks", J),
    "taslp": _v("TASLP", "IEEE/ACM Transactions on Audio, Speech, and Language Processing", J),
    "tip": _v("TIP", "IEEE Transactions on Image Processing", J),
    "spm": _v("SPM", "IEEE Signal Processing Magazine", J),
    "tois": _v("TOIS", "ACM Transactions on Information Systems", J),
    "tkdd": _v("TKDD", "ACM Transactions on Knowledge Discovery from Data", J),
    "tist": _v("TIST", "ACM Transactions on Intelligent Systems and Technology", J),
    "tmlr": _v("TMLR", "Transactions on Machine Learning Research", J),
    "ijcv": _v("IJCV", "International Journal of Computer Vision", J),
    "jair": _v("JAIR", "Journal of Artificial Intelligence Research", J),
    "aij": _v("AIJ", "Artificial Intelligence", J),
    "science": _v("Science", "Science", J),
    "nature": _v("Nature", "Nature", J),
    "nature machine intelligence": _v(
        "Nature Machine Intelligence", "Nature Machine Intelligence", J
    ),
    "nature communications": _v("Nature Communications", "Nature Communications", J),
    "pnas": _v("PNAS", "Proceedings of the National Academy of Sciences", J),
    "neural computation": _v("Neural Computation", "Neural Computation", J),
    "neural networks": _v("Neural Networks", "Neural Networks", J),
    "neurocomputing": _v("Neurocomputing", "Neurocomputing", J),
    "machine learning": _v("Machine Learning", "Machine Learning", J),
    "pattern recognition": _v("Pattern Recognition", "Pattern Recognition", J),
    "cacm": _v("CACM", "Communications of the ACM", J),
    "bioinformatics": _v("Bioinformatics", "Bioinformatics", J),
    "science china technological sciences": _v(
        "Science China Technological Sciences", "Science China Technological Sciences", J
    ),
    "corr": _v("CoRR", "CoRR", VenueType.PREPRINT),
    "trans. assoc. comput. linguistics": _v(
        "TACL", "Transactions of the Association for Computational Linguistics", J
    ),
    "j. mach. learn. res.": _v("JMLR", "Journal of Machine Learning Research", J),
    "comput. linguistics": _v("CL", "Computational Linguistics", J),
    "arxiv": _v("arXiv", "CoRR", VenueType.PREPRINT),
    "arxiv preprint": _v("arXiv", "CoRR", VenueType.PREPRINT),
    "preprint": _v("Preprint", "Preprint", VenueType.PREPRINT),
    "openreview": _v("OpenReview", "OpenReview", VenueType.PREPRINT),
    "tech report": _v("Tech report", "Technical report", VenueType.REPORT),
    "technical report": _v("Technical report", "Technical report", VenueType.REPORT),
    "tech. rep.": _v("Tech. rep.", "Technical report", VenueType.REPORT),
    "blackboxnlp": _v(
        "BlackboxNLP",
        "BlackboxNLP Workshop on Analyzing and Interpreting Neural Networks for NLP",
        W,
    ),
    "repl4nlp": _v("RepL4NLP", "Workshop on Representation Learning for NLP", W),
    "sustainlp": _v("SustaiNLP", "Workshop on Simple and Efficient Natural Language Processing", W),
    "deeplo": _v("DeepLo", "Workshop on Deep Learning Approaches for Low-Resource NLP", W),
    "neuralgen": _v(
        "NeuralGen",
        "Workshop on Methods for Optimizing and Evaluating Neural Language Generation",
        W,
    ),
    "wmt": _v("WMT", "Conference on Machine Translation", W),
    "cs224n": _v("CS224n", "Stanford CS224n Reports", VenueType.REPORT),
}

# Misspellings seen in lists, normalised to the venue they mean.
TYPOS: dict[str, str] = {"neuips": "neurips", "nuerips": "neurips", "neurlps": "neurips"}

# Words after the name that qualify it rather than name it.
_QUALIFIERS = re.compile(
    r"\s+(Best (?:Long |Short )?Paper(?: Award)?|Outstanding Paper|Workshops?|Oral|Spotlight|"
    r"Demo(?:nstrations?)?|Findings|Reports?|Winter|Spring|Summer|Fall)$",
    re.IGNORECASE,
)
_PREFIXES = re.compile(r"^(Findings|Invited Review|Workshop|Tutorial) of\s+", re.IGNORECASE)
YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")
"""The one rule for a year in text: four digits that are no part of a longer number. In a
venue as written (``ICLR2020``) or a date (Zotero's ``2019-06-02``) only 1900-2099 count, so a
number in a venue's name (``CS1501``) is not taken for a year."""
FIELD_YEAR = re.compile(r"(?<!\d)(1[5-9]\d\d|20\d\d)(?!\d)")
"""The same rule for a .bib ``year`` or ``date`` field, which says it holds a year: there
1500-2099 count, since a bibliography may cite an old work."""


def first_year(text: str, pattern: re.Pattern[str] = YEAR) -> int | None:
    """The first year in ``text`` by *pattern* (:data:`YEAR` or :data:`FIELD_YEAR`)."""
    found = pattern.search(text)
    return int(found.group(1)) if found else None


_COLOCATED = re.compile(r"^(?P<inner>.+?)\s*(?:@|\s+at\s+)\s*(?P<host>.+)$")


@dataclass(frozen=True, slots=True)
class ParsedVenue:
    text: str
    name: str
    """The name with the year removed, as written (``RepL4NLP@ACL``, ``Findings of EMNLP``)."""
    year: int | None
    info: VenueInfo | None
    """The venue looked up in the table; ``None`` when unknown."""
    host: VenueInfo | None = None
    """For a workshop held at a conference (``RepL4NLP@ACL``), the conference."""
    qualifiers: tuple[str, ...] = ()
    """``Best Paper``, ``Workshop``, ``Findings``, ... as written."""

    @property
    def known(self) -> bool:
        return self.info is not None or self.host is not None

    @property
    def type(self) -> VenueType | None:
        if any(q.lower().startswith("workshop") for q in self.qualifiers):
            return VenueType.WORKSHOP
        if self.info is not None:
            return self.info.type
        return VenueType.WORKSHOP if self.host is not None else None

    @property
    def full_name(self) -> str:
        """The name for ``booktitle``/``journal``: the table's full name, qualified, else the
        name as written."""
        if self.info is None and self.host is None:
            return self.name
        base = self.info.full if self.info else self.name.split("@")[0].split(" at ")[0].strip()
        if self.host is not None:
            base = f"{base} at {self.host.abbr}"
        for qualifier in self.qualifiers:
            low = qualifier.lower()
            if low == "findings":
                event = " ".join(str(p) for p in (self.abbr, self.year) if p)
                base = f"Findings of the Association for Computational Linguistics: {event}"
            elif low.startswith("workshop"):
                base = f"Workshops at {base}"
        return base

    @property
    def abbr(self) -> str:
        if self.info is None:
            return self.name
        return self.info.abbr


_PUBLISHER = re.compile(r"^(?:ieee/acm|ieee|acm)\s+", re.IGNORECASE)
"""A publisher written before a venue's short name (``IEEE TKDE``, ``ACM TOIS``)."""


@dataclass(frozen=True)
class _ListVenues:
    """A list's own venues (``[tool.atbib.venues]``), looked up before the table's."""

    venues: tuple[VenueInfo, ...] = ()
    by_name: dict[str, VenueInfo] = field(default_factory=dict, compare=False, hash=False)

    def __post_init__(self) -> None:
        self.by_name.update((" ".join(v.abbr.lower().split()), v) for v in self.venues)


_NO_LIST_VENUES = _ListVenues()
_IN_FORCE: ContextVar[_ListVenues] = ContextVar("atbib_list_venues", default=_NO_LIST_VENUES)
"""The list venues in force. Part of the cache key of every cached lookup below, so that a
lookup never answers from another list's venues."""


@contextmanager
def list_venues(venues: Iterable[VenueInfo]) -> Iterator[None]:
    """Know a list's own venues (short name, full name, conference or journal: see
    :func:`atbib.config.load_config`) beside the table's while the block runs, so that
    they are neither unknown to lint nor written as conferences when they are journals."""
    token = _IN_FORCE.set(_ListVenues(tuple(venues)))
    try:
        yield
    finally:
        _IN_FORCE.reset(token)


def use_list_venues(venues: Iterable[VenueInfo]) -> None:
    """Know a list's own venues from now on, in this context (the command line, which works
    on one list per run; a script uses :func:`list_venues`)."""
    _IN_FORCE.set(_ListVenues(tuple(venues)))


def lookup(name: str) -> VenueInfo | None:
    """The table entry for a venue name (the list's own venues first), tolerating case, the
    known misspellings and a publisher before the short name (``IEEE TKDE``)."""
    key = " ".join(name.lower().split())
    own = _IN_FORCE.get().by_name
    found = own.get(key) if own else None
    if found is None:
        found = VENUES.get(TYPOS.get(key, key))
    if found is None and _PUBLISHER.match(key):
        bare = _PUBLISHER.sub("", key)
        found = (own.get(bare) if own else None) or VENUES.get(bare)
    return found


_SEASONS = frozenset({"winter", "spring", "summer", "fall", "autumn"})


def _stands_as_year(text: str, at: int) -> bool:
    """Whether the year-like digits at *at* are a year: standing alone, or glued to a venue's
    name (``ICLR2020``, ``arxiv2019``, ``Winter2019``), never to an ordinary word
    (``newstest2017`` names a test set)."""
    start = at
    while start > 0 and text[start - 1].isalpha():
        start -= 1
    word = text[start:at]
    if not word:
        return True
    return word[-1].isupper() or word.lower() in _SEASONS or lookup(word) is not None


def _without_years(text: str, years: list[re.Match[str]]) -> str:
    """``text`` with the years found in it replaced by spaces."""
    if not years:
        return text
    parts: list[str] = []
    pos = 0
    for found in years:
        parts.append(text[pos : found.start()])
        pos = found.end()
    parts.append(text[pos:])
    return " ".join(parts)


def parse_venue(text: str) -> ParsedVenue:
    """Parse the text inside a list entry's parentheses. Pure and cached: a list repeats the
    same few dozen venue spellings thousands of times."""
    return _parse_venue(text, _IN_FORCE.get())


@lru_cache(maxsize=4096)
def _parse_venue(text: str, _venues: _ListVenues) -> ParsedVenue:
    """:func:`parse_venue` with the list venues in force (*_venues*, the cache key's part)."""
    years = [m for m in YEAR.finditer(text) if _stands_as_year(text, m.start())]
    year = int(years[-1].group(1)) if years else None
    name = " ".join(_without_years(text, years).split())
    qualifiers: list[str] = []
    core = name
    while lookup(core) is None:  # "Tech report" is a venue; "ACL Workshop" qualifies ACL
        prefix = _PREFIXES.match(core)
        if prefix:
            qualifiers.append(prefix.group(1))
            core = core[prefix.end() :]
            continue
        suffix = _QUALIFIERS.search(core)
        if suffix:
            qualifiers.append(suffix.group(1))
            core = core[: suffix.start()]
            continue
        break
    info = lookup(core)
    host = None
    if info is None:
        colocated = _COLOCATED.match(core)
        if colocated:
            info = lookup(colocated.group("inner"))
            host = lookup(colocated.group("host"))
            if info is None and host is None:
                return ParsedVenue(text, name, year, None)
    return ParsedVenue(text, name, year, info, host, tuple(qualifiers))


# -- the other direction: a venue as a .bib file writes it -> the table -------------------------

_PROCEEDINGS = re.compile(
    r"^(?:in\s+)?(?:the\s+)?(?:proceedings|proc\.?)(?:\s+of)?(?:\s+the)?\s+", re.IGNORECASE
)
_ORDINAL = re.compile(
    r"\b(?:\d+(?:st|nd|rd|th)|(?:(?:twenty|thirty|forty|fifty|sixty)-?)?"
    r"(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|"
    r"thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|nineteenth|twentieth|"
    r"thirtieth|fortieth|fiftieth))\b",
    re.IGNORECASE,
)
_NOT_WORD = re.compile(r"[^a-z0-9]+")
_ACRONYM = re.compile(r"(?<![\w-])([A-Z][A-Za-z]*[A-Z][A-Za-z0-9]*)(?![\w])")
_FINDINGS = re.compile(
    r"^findings of (?:(?:the )?association for computational linguistics\s*:?\s*)?(?P<event>.*)$",
    re.IGNORECASE,
)
PREPRINT_TEXT = re.compile(
    r"^(?:arxiv(?:\.org)?(?: e-?prints?| preprints?)?(?:[\s:,]+.*)?|corr(?:\s+abs/.*)?)$",
    re.IGNORECASE,
)
"""How .bib files name arXiv as a venue: ``CoRR``, ``arXiv``, ``arXiv preprint
arXiv:1810.04805`` (Google Scholar), ``arXiv e-prints`` (ADS)."""


_LEADING_THE = re.compile(r"^the\s+", re.IGNORECASE)


def _fold_full(text: str) -> str:
    text = _LEADING_THE.sub("", _PROCEEDINGS.sub("", text.strip()))
    text = YEAR.sub(" ", _ORDINAL.sub(" ", text))
    return " ".join(_NOT_WORD.sub(" ", text.lower()).split())


@lru_cache(maxsize=4)
def _full_names(own: _ListVenues) -> tuple[tuple[str, tuple[VenueInfo, ...]], ...]:
    """Folded full names, longest first, each with the venues that use it (a list's own
    venues, *own*, first)."""
    found: dict[str, list[VenueInfo]] = {}
    for info in (*own.venues, *VENUES.values()):
        if info.type is VenueType.PREPRINT:
            continue
        # A name's head before its colon names the venue too: the ACL Anthology calls NAACL's
        # tutorials volume "... Association for Computational Linguistics: Tutorials".
        for full in dict.fromkeys((info.full, info.full.partition(":")[0])):
            bucket = found.setdefault(_fold_full(full), [])
            if info not in bucket:
                bucket.append(info)
    return tuple(
        (name, tuple(infos)) for name, infos in sorted(found.items(), key=lambda kv: -len(kv[0]))
    )


def _pick(infos: tuple[VenueInfo, ...], year: int | None) -> VenueInfo:
    """One venue among those sharing a full name: the one whose name was in use that year
    (``NIPS`` up to 2017, ``NeurIPS`` after; the newest name when the year is unknown)."""
    current = [i for i in infos if i.until is None]
    if year is not None:
        for info in sorted(infos, key=lambda i: i.until or 9999):
            if info.until is None or year <= info.until:
                return info
    return current[0] if current else infos[0]


def lookup_full(text: str, year: int | None = None) -> VenueInfo | None:
    """The table entry for a venue as a .bib file writes it: an abbreviation (``ICLR``), the
    full name in any form (``Proceedings of the 57th Annual Meeting of the Association for
    Computational Linguistics``, ``Advances in Neural Information Processing Systems 32``,
    DBLP's ``7th International Conference on Learning Representations, {ICLR} 2019, New
    Orleans...``), or a known acronym in it (``... (EMNLP-IJCNLP)``). ``None`` when unknown:
    like :func:`parse_venue`, this never guesses beyond the table."""
    return _lookup_full(text, year, _IN_FORCE.get())


@lru_cache(maxsize=4096)
def _lookup_full(text: str, year: int | None, _venues: _ListVenues) -> VenueInfo | None:
    """:func:`lookup_full` with the list venues in force (the cache key's part)."""
    direct = lookup(text)
    if direct is not None:
        return direct
    folded = _fold_full(text)
    if not folded:
        return None
    for name, infos in _full_names(_IN_FORCE.get()):
        # A short full name ("Science", "Nature") is no prefix of another journal's.
        if folded == name or (folded.startswith(name + " ") and name.count(" ") >= 2):
            return _pick(infos, year)
    workshop = "workshop" in folded.split()
    for acronym in _ACRONYM.findall(text):
        for part in acronym.split("-"):
            info = lookup(part)
            if info is None or info.type is VenueType.PREPRINT:
                continue
            if workshop and info.type is not VenueType.WORKSHOP:
                return None  # "Workshop on X at ACL 2019" is not ACL
            return info
    return None


def same_venue(a: str, b: str) -> bool:
    """Whether two names of a venue, as sources write them, name the same one: the same venue
    of the table, else the same words once "Proceedings of the", ordinals and years are
    left out (``Proceedings of the 2019 ACL Workshop BlackboxNLP: …`` and ``Proceedings of the
    ACL Workshop BlackboxNLP: …``)."""
    if a == b:
        return True
    known_a, known_b = lookup_full(a), lookup_full(b)
    if known_a is not None or known_b is not None:
        return known_a is not None and known_b is not None and known_a.abbr == known_b.abbr
    return _fold_full(a) == _fold_full(b)


_WORKSHOPS_AT = re.compile(r"^workshops at (?P<host>.+)$", re.IGNORECASE)
_AT_HOST = re.compile(r"^(?P<inner>.+?) at (?P<host>[A-Z][\w-]*)$")


@dataclass(frozen=True, slots=True)
class BibVenue:
    """A .bib venue understood: the name the list writes (``NAACL``, ``Findings of EMNLP``,
    or the text as written when unknown) and whether it is arXiv."""

    name: str
    preprint: bool = False
    info: VenueInfo | None = None


def venue_from_bib(text: str, year: int | None = None) -> BibVenue:
    """Read a ``booktitle``/``journal``/``howpublished`` value (decoded) as the list's venue
    name; :func:`ParsedVenue.full_name` is the other direction."""
    return _venue_from_bib(text, year, _IN_FORCE.get())


@lru_cache(maxsize=4096)
def _venue_from_bib(text: str, year: int | None, _venues: _ListVenues) -> BibVenue:
    """:func:`venue_from_bib` with the list venues in force (the cache key's part)."""
    text = " ".join(text.split())
    if PREPRINT_TEXT.match(text):
        return BibVenue("CoRR", preprint=True, info=VENUES["corr"])
    findings = _FINDINGS.match(text)
    if findings:
        event = YEAR.sub(" ", findings.group("event")).strip()
        info = lookup_full(event, year) if event else None
        return BibVenue(f"Findings of {info.abbr if info else event}".strip(), info=info)
    workshops = _WORKSHOPS_AT.match(text)
    if workshops:
        info = lookup_full(workshops.group("host"), year)
        if info is not None:
            return BibVenue(f"{info.abbr} Workshop", info=info)
    colocated = _AT_HOST.match(text)
    if colocated:
        inner = lookup_full(colocated.group("inner"), year)
        host = lookup(colocated.group("host"))
        if inner is not None and host is not None:
            return BibVenue(f"{inner.abbr}@{host.abbr}", info=inner)
    info = lookup_full(text, year)
    if info is not None:
        return BibVenue(info.abbr, info=info)
    return BibVenue(text)
