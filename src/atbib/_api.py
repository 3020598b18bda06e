"""The functions of the public API that are more than a name for an internal one.

Each is a thin, stable shape over the modules that do the work, so those modules can change
without breaking scripts. Everything here is re-exported by :mod:`atbib` (lazily: importing
atbib loads none of this).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from atbib.document import Library
from atbib.keys import DEFAULT_FORMULA, KeyRow
from atbib.model import Problem, Record

if TYPE_CHECKING:
    from atbib.bibtex.read import LoadedBib
    from atbib.export import Bibliography, Work
    from atbib.zotero.sync import Summary


def load_bibtex(
    source: str | os.PathLike[str] | None = None,
    *,
    text: str | None = None,
    name: str | None = None,
    path: str | None = None,
) -> LoadedBib:
    """Read a .bib file (or ``text=``, as :func:`read_bibtex` takes them) without raising on
    bad input: the records it could read, the entry each came from (:class:`BibEntry`), and
    every problem (``error``, ``warning``, ``info``) with its line. *name* names the file in
    the problems (default: the path given, or ``<text>``; ``path=`` is its old name).

    >>> loaded = load_bibtex("@article{a, title={One}}\\n@article{a, title={Two}}\\n")
    >>> [r.title for r in loaded.records], [str(p.severity) for p in loaded.problems]
    (['One', 'Two'], ['warning'])
    """
    from atbib.bibtex.read import load_bibtex as load

    return load(source, text=text, name=name or path)


def format_bibtex(
    works: Iterable[Record] | Iterable[Work],
    *,
    formula: Sequence[str] = DEFAULT_FORMULA,
    registry: Sequence[KeyRow] = (),
    header: Sequence[str] = (),
) -> str:
    """BibTeX text for some works, one entry each, in the order given, in the layout of
    atbib's own .bib files.

    *works* are records (from any reader) or the :class:`Work` objects of a
    :class:`Bibliography`. A record's key is kept when it has a valid one that no other
    work took (a record read from a .bib file carries its key), else the key *formula* gives
    it, with a letter added on a collision; *registry* (:func:`read_registry`) keeps keys
    already given out. Works keep their keys and aliases. A work listed twice is written
    twice: :func:`plan_export` merges entries of one work first. *header* lines are
    written first as ``%`` comments.

    >>> from atbib import Kind, Person, Record, Venue
    >>> paper = Record(
    ...     Kind.PAPER,
    ...     "Attention is All you Need",
    ...     authors=(Person("Vaswani", "Ashish"),),
    ...     venue=Venue("NIPS 2017"),
    ... )
    >>> print(format_bibtex([paper]))
    @inproceedings{vaswani2017attention,
      author    = {Vaswani, Ashish},
      title     = {Attention is All you Need},
      booktitle = {Advances in Neural Information Processing Systems},
      year      = {2017}
    }
    <BLANKLINE>
    """
    from atbib.bibtex.overlay import bibtex_entry
    from atbib.bibtex.write import format_entry, join_file
    from atbib.export import Work
    from atbib.keys import assign_keys

    given: list[Record | Work] = list(works)
    if all(isinstance(w, Work) for w in given):
        entries = [
            bibtex_entry(w.record, w.key, sections=w.record.sections, aliases=w.aliases)
            for w in given
            if isinstance(w, Work)
        ]
    else:
        records = [w.record if isinstance(w, Work) else w for w in given]
        keys = assign_keys(records, registry, formula).keys
        entries = [
            bibtex_entry(record, key, sections=record.sections)
            for record, key in zip(records, keys, strict=True)
        ]
    texts = [format_entry(entry) for entry in entries]
    return join_file(header, texts) if header else "\n".join(texts)


def plan_export(
    library: Library,
    registry: Sequence[KeyRow] = (),
    formula: Sequence[str] = DEFAULT_FORMULA,
    *,
    file_names: Mapping[str, str] | None = None,
    source_name: str = "README.md",
) -> Bibliography:
    """Every file ``atbib export`` would write for a list, computed without touching the
    disk: ``all.bib`` with every work once, one file per ``##`` section (named from the
    heading, ``Pretrained Language Model`` -> ``pretrained-language-model.bib``, unless
    *file_names* maps the heading, or a pattern matching it, to another name; several
    headings may share a file), and the key registry ``keys.tsv``.

    Entries of one work listed several times are merged into one work (same arXiv id, DOI,
    ACL Anthology or OpenReview id, or the same title). Keys already in *registry* (read
    with :func:`read_registry` from the last export's ``keys.tsv``) are kept; new works get
    keys from *formula*. *source_name* is the list's name in the files' headers.

    >>> from atbib import read_markdown
    >>> library = read_markdown(
    ...     "## Papers\\n- **BERT**. *Jacob Devlin*. (NAACL 2019) "
    ...     "[[paper]](https://arxiv.org/abs/1810.04805)\\n"
    ... )
    >>> bibliography = plan_export(library)
    >>> sorted(bibliography.files), [w.key for w in bibliography.works]
    (['all.bib', 'keys.tsv', 'papers.bib'], ['devlin2019bert'])
    """
    from atbib.export import build_bibliography as build

    return build(library, registry, formula, source_name=source_name, file_names=file_names)


def base_key(record: Record, formula: Sequence[str] = DEFAULT_FORMULA) -> str:
    """The key a formula gives a record, before collisions with other keys are resolved
    (:func:`assign_keys` resolves them and keeps registered keys).

    A formula is a list of alternatives; the first whose placeholders (years aside) are
    all non-empty is used, else the last. Placeholders: ``{auth}`` (the first author's
    family name, else a blog post's source or a repository's owner), ``{year}``,
    ``{shortyear}`` (two digits), ``{title}`` and ``{title2}`` (the first and second
    significant words of the title), ``{shorttitle}`` (its first three significant words),
    ``{nick}`` (the nickname), ``{venue}`` (the venue's name). Keys are lower-case ASCII.

    >>> from atbib import Kind, Person, Record, Venue
    >>> bert = Record(
    ...     Kind.PAPER,
    ...     "BERT: Pre-training of Deep Bidirectional Transformers",
    ...     authors=(Person("Devlin", "Jacob"),),
    ...     venue=Venue("NAACL 2019"),
    ...     nickname="BERT",
    ... )
    >>> base_key(bert), base_key(bert, ["{nick}{shortyear}"]), base_key(bert, ["{venue}:{auth}"])
    ('devlin2019bert', 'bert19', 'naacl:devlin')
    """
    from atbib.keys import base_key as make

    return make(record, formula)


def record_to_item(
    record: Record, *, key: str | None = None, collections: Iterable[str] = ()
) -> dict[str, Any]:
    """The Zotero item (the ``data`` object of the Web API's JSON) for a record, as
    ``atbib zotero push`` creates it: the item type from the kind and venue (a conference
    paper, a journal article, a preprint, a blog post, a program...), title, creators, date,
    URL, the nickname as ``shortTitle``, the citation key as ``citationKey`` (*key*, else the
    record's), a repository's description as ``abstractNote``, and the other labelled links
    as lines of ``extra`` (``code: https://...``). *collections* are Zotero collection keys.

    >>> from atbib import Kind, Link, Record, Venue
    >>> item = record_to_item(
    ...     Record(
    ...         Kind.PAPER,
    ...         "BERT",
    ...         venue=Venue("NAACL 2019"),
    ...         links=(Link("paper", "https://arxiv.org/abs/1810.04805"),),
    ...     ),
    ...     key="devlin2019bert",
    ... )
    >>> item["itemType"], item["conferenceName"], item["date"], item["citationKey"]
    ('conferencePaper', 'NAACL 2019', '2019', 'devlin2019bert')
    """
    from atbib.zotero.mapping import item_json, work_fields

    fields = work_fields(record, record.key if key is None else key, collections)
    data = item_json(fields, fields, key="", version=0)
    del data["key"], data["version"]
    return data


def item_to_record(item: Mapping[str, Any]) -> Record:
    """The record of a Zotero item: the item's ``data`` object, or the whole object the Web
    API returns (``{"key": ..., "version": ..., "data": {...}}``). The reverse of
    :func:`record_to_item`: links come back from ``extra``, the citation key from
    ``citationKey`` (or a ``Citation Key:`` line of ``extra``) into ``Record.key``. Fields
    the list cannot show (notes, tags, a paper's abstract) are left out; sections are empty,
    since collections are Zotero's keys, not the list's headings.

    >>> record = item_to_record(
    ...     {
    ...         "itemType": "preprint",
    ...         "title": "RoBERTa",
    ...         "creators": [{"creatorType": "author", "firstName": "Yinhan", "lastName": "Liu"}],
    ...         "date": "2019-07-26",
    ...         "url": "https://arxiv.org/abs/1907.11692",
    ...     }
    ... )
    >>> record.kind.value, str(record.authors[0]), record.year, record.links[0].label
    ('paper', 'Yinhan Liu', 2019, 'paper')
    """
    from atbib.zotero.mapping import item_fields, record_from_fields

    data = item.get("data", item)
    if not isinstance(data, Mapping):
        raise TypeError("a Zotero item is a mapping (its data object, or the whole object)")
    fields, _ = item_fields(data, ())
    return record_from_fields(fields)


def lint_list(
    library: Library, *, select: Sequence[str] = (), ignore: Sequence[str] = ()
) -> list[Problem]:
    """Data mistakes in a list, as ``atbib lint`` reports them, each with its line, column,
    severity (``error``, ``warning``, ``info``) and rule code: broken links, authors that
    repeat the title, a venue year before the arXiv identifier, duplicates, near-duplicate
    titles, unknown venues and venues spelled otherwise, doubled spaces, lines that could not
    be read, entries without authors. *select* keeps only the rules it names, *ignore* drops
    those it names (a ``ValueError`` names an unknown code); a finding silenced by its line's
    ``<!-- atbib: ignore[code] -->`` comment is left out. A finding with one safe fix carries
    it (:attr:`Problem.fix`)."""
    from atbib.lint import lint
    from atbib.rules import check_codes

    return lint(
        library,
        select=check_codes(select, "select"),
        ignore=check_codes(ignore, "ignore"),
    )


def sync_zotero(
    mode: Literal["pull", "push", "sync", "status"] = "sync",
    *,
    group: int | None = None,
    list_path: str | os.PathLike[str] | None = None,
    bib_dir: str | os.PathLike[str] | None = None,
    project: str | os.PathLike[str] | None = None,
    collection: str | None = None,
    prefer: Literal["list", "zotero"] | None = None,
    remove_deleted: bool = False,
    dry_run: bool = False,
    state_file: str | os.PathLike[str] | None = None,
) -> Summary:
    """Keep a Zotero group library in step with a list, as ``atbib zotero <mode>`` does,
    and return what happened.

    *mode* is ``"push"`` (the list's changes to Zotero), ``"pull"`` (Zotero's changes into
    the list), ``"sync"`` (pull, then push: a three-way merge against the last sync) or
    ``"status"`` (what a sync would change; writes nothing). *group* is the group's id
    (default: ``[tool.atbib] zotero-group``); *collection* the root of the list's
    collection tree (default: ``zotero-collection``, else the one the last sync used, else
    the list's title: its first ``#`` heading).

    The settings come from the pyproject.toml nearest to *project* (default: the current
    folder); *list_path*, *bib_dir* and *state_file* override them, relative to the current
    folder. The API key is read from ``$ZOTERO_API_KEY`` or the system keyring, never from an
    argument; ``$ATBIB_ZOTERO_ENDPOINT`` points the client at another server (a self-hosted
    or test API).

    Raises :class:`AtbibError` for bad input (settings, the list, the state file, a missing
    key) before anything is done. What Zotero refuses or fails (an invalid or read-only key,
    a request that keeps failing, an item it will not take) does not raise: it is in
    ``summary.failures``, with the counts of what was done before it (``summary.ok`` is
    false); conflicts are in ``summary.conflicts``.
    """
    from atbib.zotero.sync import MODES, configured_settings, run

    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")

    def text(path: str | os.PathLike[str] | None) -> str | None:
        return None if path is None else str(Path(path))

    settings = configured_settings(
        group,
        collection,
        project=text(project),
        prefer=prefer,
        remove_deleted=remove_deleted,
        dry_run=dry_run,
        state_file=text(state_file),
        list_path=text(list_path),
        bib_dir=text(bib_dir),
    )
    return run(mode, settings)
