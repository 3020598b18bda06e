"""Citation keys: a formula for new works, and a registry that keeps every key ever written.

A key is generated once, when a work first appears, and recorded with the evidence that
identifies the work (its identifiers and folded title; for a work without identifiers, its
first link as ``link:`` evidence) in the key registry (``bib/keys.tsv``, committed). Every
later export finds the work in the registry and reuses its key, so keys do not move when an
entry is edited (its title too), moved to another section, or when works are added before it.
Keys of works that left the list stay in the registry and are never handed to another work:
a document that cited the old work must not silently cite a different one.

The default formula gives Google Scholar's form (``vaswani2017attention``)::

    {auth}{year}{title}      first author's family name, year, first significant title word
    {title}{year}{title2}    fallback when there is no author and no source

``{auth}`` falls back to the source of blog posts and the owner of repositories. Placeholders:
``auth``, ``year``, ``shortyear``, ``title``, ``title2``, ``shorttitle`` (three words),
``nick``, ``venue``. A formula is used when every placeholder in it except the years is
non-empty; the last formula is used regardless. Keys are lower-case ASCII. A key a work
carries (from a .bib file or Zotero) is kept when it is free and a valid citation key.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

from atbib._nogc import nogc
from atbib.dedupe import related_titles
from atbib.errors import AtbibError
from atbib.links import REGISTRY_LINK, registry_link
from atbib.model import Record
from atbib.text import (
    ascii_words,
    authors_repeat_title,
    first_significant_words,
    fold_title,
    to_ascii,
)

DEFAULT_FORMULA: tuple[str, ...] = ("{auth}{year}{title}", "{title}{year}{title2}")
REGISTRY_HEADER = (
    "# atbib citation keys: one line per work ever exported (key, identifiers, folded title).\n"
    "# Keys are never reused or regenerated; edit a key here to rename it everywhere.\n"
)
RENAMED = "renamed:"
"""In the identifiers column of a registry row: the key was renamed to the key that follows
(``bert2019pretraining	renamed:devlin2019bert``). The old key stays valid as an alias of
the new one (biblatex's ``ids``) and is never given to another work."""
_PLACEHOLDER = re.compile(r"\{(\w+)\}")
_UNSAFE = re.compile(r"[^a-z0-9_:\-]")
_YEAR_FIELDS = frozenset({"year", "shortyear"})
PLACEHOLDERS = ("auth", "year", "shortyear", "title", "title2", "shorttitle", "nick", "venue")


class _Placeholders:
    """The placeholder values of one record, each derived on first use: a formula usually
    needs three of the eight, and deriving a value means folding and transliterating text."""

    __slots__ = ("_record", "_values", "_words")

    def __init__(self, record: Record) -> None:
        self._record = record
        self._values: dict[str, str] = {}
        self._words: list[str] | None = None

    def get(self, name: str) -> str:
        """The value of a placeholder; ``""`` for an unknown name."""
        value = self._values.get(name)
        if value is None:
            value = self._values[name] = self._derive(name)
        return value

    def _title_words(self) -> list[str]:
        if self._words is None:
            title = self._record.title
            # the title placeholders use the first three words at most
            self._words = first_significant_words(title, 3) or ascii_words(title)[:3]
        return self._words

    def _derive(self, name: str) -> str:
        record = self._record
        if name == "auth":
            family = record.authors[0].family if record.authors else ""
            if family and authors_repeat_title(record.authors, record.title):
                family = ""  # the list repeated the title as authors: not a name to key on
            return _name_word(family or record.source)
        if name in ("year", "shortyear"):
            year = record.year
            if not year:
                return ""
            return str(year) if name == "year" else f"{year % 100:02d}"
        if name == "title":
            words = self._title_words()
            return words[0] if words else ""
        if name == "title2":
            words = self._title_words()
            return words[1] if len(words) > 1 else ""
        if name == "shorttitle":
            return "".join(self._title_words()[:3])
        if name == "nick":
            return "".join(ascii_words(record.nickname))
        if name == "venue":
            return "".join(ascii_words(record.venue.name)) if record.venue else ""
        return ""


@lru_cache(maxsize=16384)
def _name_word(name: str) -> str:
    """A name as one key word (``van den Oord`` -> ``vandenoord``). Cached: a list's authors
    share a few thousand family names."""
    return "".join(ascii_words(name))


def validate_formula(formula: Sequence[str]) -> None:
    """Raise ``ValueError`` naming an unknown placeholder, before any key is made with it."""
    if not formula:
        raise ValueError("the key formula needs at least one alternative")
    for alternative in formula:
        for name in _PLACEHOLDER.findall(alternative):
            if name not in PLACEHOLDERS:
                raise ValueError(
                    f"unknown placeholder {{{name}}} in key formula {alternative!r}; "
                    f"known: {', '.join(PLACEHOLDERS)}"
                )


@lru_cache(maxsize=64)
def _compile(formula: tuple[str, ...]) -> tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]:
    """Each alternative as (the placeholders that must be non-empty, its pieces): the pieces
    alternate literal text and placeholder names, as ``re.split`` leaves them."""
    return tuple(
        (
            tuple(n for n in _PLACEHOLDER.findall(alternative) if n not in _YEAR_FIELDS),
            tuple(_PLACEHOLDER.split(alternative)),
        )
        for alternative in formula
    )


def base_key(record: Record, formula: Sequence[str] = DEFAULT_FORMULA) -> str:
    """The key the formula gives a record, before collisions are resolved."""
    values = _Placeholders(record)
    alternatives = _compile(tuple(formula))
    pieces = alternatives[-1][1]
    for needed, alternative in alternatives:
        if all(values.get(n) for n in needed):
            pieces = alternative
            break
    key = "".join([values.get(p) if i % 2 else p for i, p in enumerate(pieces)])
    key = (key if key.isascii() else to_ascii(key)).lower()
    if not (key.isascii() and key.isalnum()):  # else nothing for the pattern to remove
        key = _UNSAFE.sub("", key)
    return key or "untitled"


def suffixed(key: str, n: int) -> str:
    """``key``, then ``keya`` ... ``keyz``, ``keyaa`` ...: the n-th candidate for a key."""
    if n == 0:
        return key
    letters = ""
    while n > 0:
        n, rem = divmod(n - 1, 26)
        letters = chr(ord("a") + rem) + letters
    return key + letters


class FreeKeys:
    """The keys still free (compared case-insensitively), and where to look for the next
    free suffix of each base key.

    Keys are only ever taken, never freed, so the first free candidate of a base
    (:func:`suffixed`: ``base``, ``basea``, ``baseb`` ...) can only move forward: looking
    from where the last search for that base stopped gives the same key as looking from
    ``base`` itself, and k works sharing a base cost O(k) in all instead of O(k²)."""

    __slots__ = ("_next", "_taken")

    def __init__(self, taken: Iterable[str]) -> None:
        self._taken = {key.lower() for key in taken}
        self._next: dict[str, int] = {}

    def is_free(self, key: str) -> bool:
        return key.lower() not in self._taken

    def take(self, key: str) -> None:
        self._taken.add(key.lower())

    def first_free(self, base: str) -> str:
        """The first candidate for ``base`` that no key takes (not taken by this call)."""
        n = self._next.get(base, 0)
        while suffixed(base, n).lower() in self._taken:
            n += 1
        self._next[base] = n
        return suffixed(base, n)


@dataclass(frozen=True, slots=True)
class KeyRow:
    """One registry line: a key and the evidence that identifies its work."""

    key: str
    identifiers: tuple[str, ...]
    title: str


@dataclass(frozen=True, slots=True)
class KeyAssignment:
    """The keys :func:`assign_keys` gave, and the registry that records them."""

    keys: tuple[str, ...]
    """One key per work, in the order the works were given."""
    new: tuple[bool, ...]
    """Whether each key was made now (``False``: found in the registry)."""
    aliases: tuple[tuple[str, ...], ...]
    """Older keys of each work, left behind when two registered works turned out to be one."""
    registry: tuple[KeyRow, ...]
    """The registry to save: the rows given, and a row for every work."""


_BAD_KEY = re.compile(r"""[\s\x00-\x1f\x7f,{}()"=#%@\\~']""")


def is_valid_key(key: str) -> bool:
    """Whether ``key`` can be written as a citation key and cited from LaTeX: not empty, no
    white space or control character, none of ``, { } ( ) " = # % @ \\ ~ '``. Anything else
    could end the key early and add a field or an entry to the .bib file."""
    return bool(key) and not _BAD_KEY.search(key)


def read_registry(text: str, *, source: str = "keys.tsv") -> tuple[KeyRow, ...]:
    """The registry's rows. A key that is not a valid citation key (someone edited it by hand)
    is refused with ``source:line``, rather than written into the .bib files."""
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        key, _, rest = line.partition("\t")
        ids, _, title = rest.partition("\t")
        if not is_valid_key(key.strip()):
            raise AtbibError(
                f"{source}:{number}: {key.strip()!r} is not a valid citation key (no spaces or "
                "any of , { } ( ) \" = # % @ \\ ~ ')"
            )
        rows.append(KeyRow(key.strip(), tuple(ids.split()), title.strip()))
    return tuple(rows)


def write_registry(rows: Iterable[KeyRow]) -> str:
    """The registry text, sorted by key so that adding a work changes one line."""
    lines = [REGISTRY_HEADER]
    for row in sorted(rows, key=lambda r: (r.key.lower(), r.key)):
        lines.append(f"{row.key}\t{' '.join(row.identifiers)}\t{row.title}\n")
    return "".join(lines)


@nogc
def assign_keys(
    works: Sequence[Record],
    registry: Sequence[KeyRow] = (),
    formula: Sequence[str] = DEFAULT_FORMULA,
    *,
    titles: Sequence[str] | None = None,
    named: Sequence[Record] | None = None,
) -> KeyAssignment:
    """Give every work a key: its registered key when the registry knows it (by a shared
    identifier, else by its folded title), else a key the work carries that is still free,
    else a new key from the formula, with a letter suffix when taken (case-insensitively).
    *titles* are the works' folded titles, when the caller has them already. A new key is
    made from *named*'s record at the same position when given (the work completed by
    ``atbib fill``: a paper whose authors the sources gave is keyed by them), while the
    registry is matched by *works*, what the list itself says."""
    if titles is None:
        titles = [fold_title(w.title) for w in works]
    evidence = [_evidence(w, title) for w, title in zip(works, titles, strict=True)]
    matched_rows, claimed = _match_rows(evidence, registry)
    free = FreeKeys(row.key for row in registry)
    keys: list[str] = []
    new: list[bool] = []
    for position, (work, row) in enumerate(zip(works, matched_rows, strict=True)):
        if row is not None:
            keys.append(registry[row].key)
            new.append(False)
            continue
        if work.key and is_valid_key(work.key) and free.is_free(work.key):
            key = work.key
        else:
            key = free.first_free(base_key(named[position] if named else work, formula))
        free.take(key)
        keys.append(key)
        new.append(True)

    aliases = _aliases(evidence, keys, registry, claimed)
    rows = {index: row for index, row in enumerate(registry) if index not in claimed}
    current = [KeyRow(key, ids, title) for key, (ids, title) in zip(keys, evidence, strict=True)]
    return KeyAssignment(
        keys=tuple(keys),
        new=tuple(new),
        aliases=aliases,
        registry=(*rows.values(), *current),
    )


def _evidence(work: Record, title: str) -> tuple[tuple[str, ...], str]:
    """What the registry records of a work: its identifiers, else its ``link:`` evidence
    (:func:`atbib.links.registry_link`); and its folded title."""
    ids = tuple(str(i) for i in work.identifiers)
    if not ids:
        link = registry_link(work)
        ids = (link,) if link else ()
    return ids, title


_CLOSE_WITH_LINK = 75
"""How close (rapidfuzz ``ratio``, 0-100) a retitled work's title must stay to its registered
one when both have the same first link: a typo fix or an added word passes, a different paper
from the same repository does not."""
_CLOSE_WITHOUT_LINK = 95
"""The same, for a work without the same first link: only a typo fixed ("Attention is not
Explanation" and "Attention is not not Explanation", 93, are two works)."""


def _match_rows(
    evidence: Sequence[tuple[tuple[str, ...], str]], registry: Sequence[KeyRow]
) -> tuple[list[int | None], set[int]]:
    """The registry row of each work (or ``None``) and the set of rows claimed.

    Identifiers first for every work, titles only afterwards: a new work that shares a title
    with a registered one must not take its key before that work is found by its identifier.
    """
    if not registry:  # a first export: nothing to look up, for any of the works
        return [None] * len(evidence), set()
    by_id: dict[str, list[int]] = {}
    by_title: dict[str, list[int]] = {}
    for index, entry in enumerate(registry):
        if renamed_to(entry) is not None:
            continue  # an alias: its work is found by the row of its new key
        for ident in entry.identifiers:
            if not ident.startswith(REGISTRY_LINK):
                by_id.setdefault(ident, []).append(index)
        if entry.title:
            by_title.setdefault(entry.title, []).append(index)
    claimed: set[int] = set()
    matched: list[int | None] = []
    for ids, title in evidence:
        row = _match_identifiers(ids, title, by_id, claimed, registry)
        matched.append(row)
        if row is not None:
            claimed.add(row)
    titled = _TitleRows(registry, by_title)
    for position, (_, title) in enumerate(evidence):
        if matched[position] is None:
            row = titled.first_unclaimed(title, claimed)
            if row is not None:
                matched[position] = row
                claimed.add(row)
    _match_retitled(evidence, registry, matched, claimed)
    return matched, claimed


class _TitleRows:
    """Registry rows by folded title, for the works no identifier found: of a title's
    unclaimed rows, the one with the first key (case-insensitively; then the first
    registered).

    A title's rows are put in that order once, when the title is first asked for. Rows are
    only ever claimed, so the first unclaimed one only moves forward: k works sharing a
    title cost O(k log k), where choosing among all of its rows for each work cost O(k²)."""

    __slots__ = ("_by_title", "_passed", "_registry", "_sorted")

    def __init__(self, registry: Sequence[KeyRow], by_title: dict[str, list[int]]) -> None:
        self._registry = registry
        self._by_title = by_title
        self._sorted: set[str] = set()
        self._passed: dict[str, int] = {}

    def first_unclaimed(self, title: str, claimed: set[int]) -> int | None:
        rows = self._by_title.get(title)
        if not rows:
            return None
        if title not in self._sorted:
            rows.sort(key=lambda i: self._registry[i].key.lower())  # stable: registry order
            self._sorted.add(title)
        at = self._passed.get(title, 0)
        while at < len(rows) and rows[at] in claimed:
            at += 1
        self._passed[title] = at
        return rows[at] if at < len(rows) else None


def _match_retitled(
    evidence: Sequence[tuple[tuple[str, ...], str]],
    registry: Sequence[KeyRow],
    matched: list[int | None],
    claimed: set[int],
) -> None:
    """Keep the key of a work without identifiers whose title was edited: it takes the
    unclaimed row without identifiers whose title is closest to its own, if close enough
    (closer still when no first link is shared). Works with identifiers never need this, and
    rows with identifiers belong to such works.

    A waiting work is scored (rapidfuzz, C++, one call for many rows) only against the rows
    whose title length lets them win (:class:`_ByLength`), in widening bands: those that
    could score 99 or more, then 95 (the stricter threshold), then 75; each band only as wide
    as the best score found so far allows, and the search stops once the best found is
    beyond the reach of every row left. A retitled work (a typo fixed) is found among a few
    percent of the rows; scoring every row took 1.1 s of an export of 30,000 works sharing
    one link, 3,000 of them retitled."""
    waiting = [p for p, (ids, _) in enumerate(evidence) if matched[p] is None and _weak(ids)]
    if not waiting:
        return
    weak = [i for i, row in enumerate(registry) if i not in claimed and _weak(row.identifiers)]
    if not weak:
        return
    rows = _ByLength(registry, weak)
    for position in waiting:
        ids, title = evidence[position]
        best: tuple[float, str, int] | None = None
        done: tuple[int, int] | None = None  # the rows scored so far: one run of lengths
        for floor in _BANDS:
            reach = max(floor, -best[0]) if best is not None else floor
            start, stop = rows.span(len(title), reach)
            spans = [(start, stop)] if done is None else [(start, done[0]), (done[1], stop)]
            best = rows.best(ids, title, spans, claimed, best)
            done = (start, stop) if done is None else (min(start, done[0]), max(stop, done[1]))
            if best is not None and -best[0] >= reach:
                break  # no row left can reach it
        if best is not None:
            matched[position] = best[2]
            claimed.add(best[2])


_BANDS = (99, _CLOSE_WITHOUT_LINK, _CLOSE_WITH_LINK)
"""The scores :func:`_match_retitled` looks for, in turn: the last is the lowest that passes."""


class _ByLength:
    """Registry rows in order of title length, to score a title only against the rows that
    can reach a score: ``fuzz.ratio`` is 100 * (1 - d / (m + n)) for titles of m and n
    characters, and their indel distance d is at least |m - n|, so a row whose length is too
    far from the title's cannot reach the score, whatever its characters."""

    __slots__ = ("_lengths", "_registry", "_rows", "_titles")

    def __init__(self, registry: Sequence[KeyRow], rows: list[int]) -> None:
        self._registry = registry
        self._rows = sorted(rows, key=lambda index: len(registry[index].title))
        self._titles = [registry[index].title for index in self._rows]
        self._lengths = [len(title) for title in self._titles]

    def span(self, length: int, score: float) -> tuple[int, int]:
        """Positions ``(start, stop)`` of the rows whose length allows ``score`` (0-100)
        against a title of ``length`` characters, and of a few more (a character more on
        both sides, against rounding)."""
        slack = 1 - score / 100
        low = math.floor(length * (1 - slack) / (1 + slack)) - 1
        high = math.ceil(length * (1 + slack) / (1 - slack)) + 1
        return bisect_left(self._lengths, low), bisect_right(self._lengths, high)

    def best(
        self,
        ids: tuple[str, ...],
        title: str,
        spans: Sequence[tuple[int, int]],
        claimed: set[int],
        best: tuple[float, str, int] | None,
    ) -> tuple[float, str, int] | None:
        """*best* (``(-score, lower-case key, row)``, or ``None``) or a better row of the
        *spans*: unclaimed, its score passing its threshold; the highest score wins, then the
        first key, then the first row."""
        from rapidfuzz import fuzz, process

        for start, stop in spans:
            if start >= stop:
                continue
            close = process.extract(
                title,
                self._titles[start:stop],
                scorer=fuzz.ratio,
                score_cutoff=_CLOSE_WITH_LINK,
                limit=None,
            )
            for _, score, at in close:
                index = self._rows[start + at]
                if index in claimed:
                    continue
                row = self._registry[index]
                shared = bool(ids) and ids == row.identifiers
                if score >= (_CLOSE_WITH_LINK if shared else _CLOSE_WITHOUT_LINK):
                    candidate = (-score, row.key.lower(), index)
                    best = candidate if best is None or candidate < best else best
        return best


def _weak(identifiers: Sequence[str]) -> bool:
    """Whether the evidence holds no identifier (at most a ``link:``)."""
    return all(i.startswith(REGISTRY_LINK) for i in identifiers)


def _match_identifiers(
    ids: tuple[str, ...],
    title: str,
    by_id: dict[str, list[int]],
    claimed: set[int],
    registry: Sequence[KeyRow],
) -> int | None:
    """The unclaimed registry row sharing most identifiers with a work (ties: a row whose
    title can be the work's, for two works a list gives one link by mistake; then the
    alphabetically first key, so the choice is deterministic)."""
    counts: dict[int, int] = {}
    for ident in ids:
        for index in by_id.get(ident, ()):
            if index not in claimed:
                counts[index] = counts.get(index, 0) + 1
    if not counts:
        return None
    return min(
        counts,
        key=lambda i: (
            -counts[i],
            not related_titles(registry[i].title, title),
            registry[i].key.lower(),
        ),
    )


def renamed_to(row: KeyRow) -> str | None:
    """The key a renamed row points to, or ``None`` for a work's own row."""
    for ident in row.identifiers:
        if ident.startswith(RENAMED):
            return ident[len(RENAMED) :]
    return None


def rename_keys(registry: Sequence[KeyRow], renames: Mapping[str, str]) -> tuple[KeyRow, ...]:
    """The registry with each key in *renames* (old -> new) renamed: the work's row takes the
    new key, and the old key stays as a ``renamed:`` row (an alias, never reused)."""
    rows: list[KeyRow] = []
    for row in registry:
        new = renames.get(row.key)
        if new is None or renamed_to(row) is not None:
            rows.append(row)
            continue
        rows.append(KeyRow(new, row.identifiers, row.title))
        rows.append(KeyRow(row.key, (RENAMED + new,), row.title))
    return tuple(rows)


def made_without_authors(key: str, record: Record, formula: Sequence[str]) -> bool:
    """Whether *key* is what the formula gives the record without its authors (a suffix
    aside): a key made from title words because no author was known."""
    base = base_key(replace(record, authors=()), formula)
    return key == base or (
        key.startswith(base) and key[len(base) :].isalpha() and key[len(base) :].islower()
    )


def _aliases(
    evidence: list[tuple[tuple[str, ...], str]],
    keys: list[str],
    registry: Sequence[KeyRow],
    claimed: set[int],
) -> tuple[tuple[str, ...], ...]:
    """Unclaimed registry keys that share an identifier with a current work: the work was
    registered twice before its two entries were recognised as one, so citations of the other
    key should still resolve (biblatex's ``ids`` field)."""
    unclaimed = [row for index, row in enumerate(registry) if index not in claimed]
    if not unclaimed:  # every registered work found (or none registered): no alias to find
        return ((),) * len(keys)
    owner: dict[str, int] = {}
    for position, (ids, _) in enumerate(evidence):
        if not _weak(ids):  # link: evidence is never identity
            for ident in ids:
                owner.setdefault(ident, position)
    found: list[list[str]] = [[] for _ in keys]
    position_of = {key.lower(): position for position, key in enumerate(keys)}
    for row in unclaimed:
        target = renamed_to(row)
        if target is not None:
            at = position_of.get(target.lower())
            if at is not None:
                found[at].append(row.key)
            continue
        positions = {owner[i] for i in row.identifiers if i in owner}
        if len(positions) == 1:
            found[positions.pop()].append(row.key)
    return tuple(tuple(sorted(a)) for a in found)
