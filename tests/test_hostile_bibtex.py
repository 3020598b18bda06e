"""Hostile text cannot escape its BibTeX field.

A title, author, URL, nickname, link label, source, description or heading holding ``}``,
``\\``, ``@``, ``%``, ``\\input{/etc/passwd}``, ``\\write18{...}``, ``^^5c`` (TeX's notation
for a backslash), a line break followed by ``@misc{``... is written by atbib's BibTeX writer
(``bibtex_entry`` + ``format_file``) and then:

* read back by atbib's reader, pybtex and bibtexparser: one entry, exactly the fields written,
  every value decoding (``decode_latex``) to the hostile text, every name to the same person;
* compiled with the real toolchain (pdflatex + bibtex with ``plain`` and with ``plainnat`` and
  hyperref, which prints URLs; pdflatex + biber + biblatex): no error, no warning, no
  ``\\write18`` attempted, no canary file read (``\\input`` of a file that would announce
  itself in the log), no file written, and the commands printed literally in the PDF.

Found and fixed: a ``^^5c...^^7b...^^7d`` URL became ``\\input{...}`` when compiled (URLs were
not percent-encoding ``^``); a comma or ``and`` in a given name, ``Jr`` or ``von`` part added
or reshaped authors; a line break followed by ``@name(`` in a value made atbib's own reader
reject the file; a citation key edited by hand in keys.tsv, or carried by an imported record,
was written as it was; an ``extra`` field name was written unchecked.
"""

from __future__ import annotations

import io
import logging
import re
import unicodedata
from pathlib import Path
from urllib.parse import unquote

import bibtexparser
import pybtex.database
import pybtex.errors
import pytest
from bibtexparser.bparser import BibTexParser
from pybtex.bibtex.utils import split_name_list

from atbib.bibtex.latex import decode_latex
from atbib.bibtex.mapping import BibEntryOut
from atbib.bibtex.overlay import bibtex_entry
from atbib.bibtex.parse import parse_bibtex
from atbib.bibtex.write import format_file
from atbib.errors import AtbibError
from atbib.keys import assign_keys, read_registry
from atbib.markdown.entry import escape_markdown
from atbib.model import Kind, Link, Person, Record, Venue
from tests.texdoc import compile_with_biber, compile_with_bibtex, pdf_text, require_tex

CANARY = "atbibcanary"
HOSTILE = [
    "}", "{", "\\", "@", "%", "#", "&", "$", "_", "~", "^", '"', "'", "`", "--", "\\\\",
    "\\input{/etc/passwd}", "\\write18{touch pwned}", "\\immediate\\write18{touch pwned}",
    "\\csname input\\endcsname{" + CANARY + "}", "^^5c", "^^5cinput^^7b" + CANARY + "^^7d",
    "\\input " + CANARY + " ", "\\@@input " + CANARY, "\\immediate\\openout5=pwned.tex",
    "\\def\\x{\\input{" + CANARY + "}}\\x", "\\catcode`\\^=7 ^^5cinput^^7b" + CANARY + "^^7d",
    "\\end{thebibliography}", "\\iffalse", "\\fi", "\\verb|x|", "\\par", "\\relax}", "%\n",
    "}, note = {x", "}}\n@misc{evil,\n  title = {pwned}}\n", "\n@misc(evil,\n  title = pwned)\n",
    "\n  @comment{", "\n\n", "\t", "\r", "a and b", "x AND y", "x\tand\ty", "x, y", "and",
    "<script>alert(1)</script>", "javascript:alert(1)", "é中文", "e\u0301",
]  # fmt: skip
HOSTILE = [unicodedata.normalize("NFC", h) for h in HOSTILE]


def _records(hostile: str, n: int) -> list[tuple[str, Record]]:
    """The hostile text in every slot a record has, in a paper, a blog post and a repository."""
    h = hostile
    paper = Record(
        Kind.PAPER,
        f"Title {n} {h}",
        authors=(Person(f"Family{h}", f"Given{h}"), Person(f"Fam{h}", f"Giv{h}", f"von{h}", f"Jr{h}")),
        venue=Venue("ACL 2019"),
        links=(Link(f"paper{h}", f"https://x.org/p{n}/{h}"), Link(f"code{h}", "https://github.com/o/r")),
        nickname=f"Nick{h}",
        sections=((f"Section{h}", f"Sub{h}"),),
    )  # fmt: skip
    blog = Record(
        Kind.BLOG_POST,
        f"Blog {n} {h}",
        url=f"https://x.org/2020/01/b{n}/{h}",
        source=f"Source{h}",
        links=(Link(f"label{h}", f"https://x.org/l{n}/{h}"),),
        sections=(("Blogs",),),
    )
    repo = Record(
        Kind.REPOSITORY,
        f"Repo {n} {h}",
        venue=Venue("2020"),
        url=f"https://github.com/o/r{n}{h}",
        source=f"owner{h}",
        description=f"Description{h}",
        sections=(("Repositories",),),
    )
    return [(f"paper{n}", paper), (f"blog{n}", blog), (f"repo{n}", repo)]


def _entries() -> list[tuple[Record, BibEntryOut]]:
    return [
        (record, bibtex_entry(record, key, sections=record.sections))
        for n, hostile in enumerate(HOSTILE)
        for key, record in _records(hostile, n)
    ]


def _norm(text: str) -> str:
    return " ".join(text.split())


def _expected_values(record: Record) -> dict[str, str]:
    """Field -> the plain text its value must decode to (whitespace collapsed, as BibTeX)."""
    out = {
        "title": record.title,
        "shorttitle": record.nickname,
        "abstract": record.description,
        "subsection": "; ".join(" / ".join(p) for p in record.sections),
        # Labels are Markdown-escaped in the links field so the field parses back exactly.
        # (URLs lose surrounding white space, which no address has).
        "links": " ".join(
            f"[{escape_markdown(link.label)}]({link.url.strip()})" for link in record.links
        ),
    }
    return {name: _norm(value) for name, value in out.items() if value}


def _url_value(value: str) -> str:
    """A url field or ``\\url{...}`` back to the URL (percent-encoding undone)."""
    if value.startswith("\\url{"):
        value = value[len("\\url{") : -1].replace("\\%", "%").replace("\\#", "#")
    return unquote(value)


def _check_names(raw: str, people: tuple[Person, ...], context: str) -> None:
    names = split_name_list(raw)
    assert len(names) == len(people), f"{context}: {len(names)} names in {raw!r}"
    for name, person in zip(names, people, strict=True):
        parsed = pybtex.database.Person(name)

        def text(parts: list[str]) -> str:
            return _norm(decode_latex(" ".join(parts)))

        assert text(parsed.prelast_names + parsed.last_names) == _norm(
            f"{person.von} {person.family}"
        ), context
        assert text(parsed.first_names + parsed.middle_names) == _norm(person.given), context
        assert text(parsed.lineage_names) == _norm(person.jr), context


@pytest.fixture(scope="module")
def hostile_bib() -> tuple[list[tuple[Record, BibEntryOut]], str]:
    entries = _entries()
    return entries, format_file(["hostile text, every slot"], (e for _, e in entries))


def test_atbibs_reader_reads_exactly_what_was_written(hostile_bib):
    entries, text = hostile_bib
    parsed = parse_bibtex(text)
    assert not parsed.problems, parsed.problems[:3]
    assert [e.key for e in parsed.entries] == [out.key for _, out in entries]
    for (record, out), entry in zip(entries, parsed.entries, strict=True):
        context = f"{out.key} ({record.title!r})"
        assert [f.name for f in entry.fields] == [name for name, _ in out.fields], context
        values = {f.name: f.value for f in entry.fields}
        for name, expected in _expected_values(record).items():
            got = _norm(decode_latex(values[name]))
            if name == "links":  # link targets are percent-encoded where Markdown needs it
                got, expected = _norm(unquote(got)), _norm(unquote(expected))
            assert got == expected, f"{context}: {name}"
        own = record.primary_url.strip()  # white space around a URL is dropped, by design
        assert _url_value(values["url"]) == own, context
        if "howpublished" in values:
            assert _url_value(values["howpublished"]) == own, context
        if record.authors:
            _check_names(values["author"], record.authors, context)
        else:
            assert _norm(decode_latex(values["author"])) == _norm(record.source), context


def test_pybtex_reads_the_same_entries_and_fields(hostile_bib):
    entries, text = hostile_bib
    pybtex.errors.set_strict_mode(True)
    database = pybtex.database.parse_string(text, "bibtex")
    assert list(database.entries) == [out.key for _, out in entries]
    for record, out in entries:
        entry = database.entries[out.key]
        names = {name for name, _ in out.fields}
        assert {n.lower() for n in entry.fields} | set(entry.persons) == names, out.key
        assert _norm(decode_latex(entry.fields["title"])) == _norm(record.title), out.key
        people = entry.persons.get("author", [])
        assert len(people) == (len(record.authors) or 1), out.key


def test_bibtexparser_reads_the_same_entries_and_fields(hostile_bib):
    entries, text = hostile_bib
    parser = BibTexParser(common_strings=True)
    parser.ignore_nonstandard_types = False
    logging.getLogger("bibtexparser").disabled = True
    database = bibtexparser.load(io.StringIO(text), parser)
    assert [e["ID"] for e in database.entries] == [out.key for _, out in entries]
    for (record, out), entry in zip(entries, database.entries, strict=True):
        names = {name for name, _ in out.fields}
        assert set(entry) - {"ID", "ENTRYTYPE"} == names, out.key
        assert _norm(decode_latex(entry["title"])) == _norm(record.title), out.key


# -- keys and field names ------------------------------------------------------------------


@pytest.mark.parametrize("key", ["x,evil", "x y", "x}", "x{", "x\n@misc{y", "x%", "x=1", ""])
def test_a_hand_edited_registry_key_that_would_break_the_file_is_refused(key):
    text = f"# header\n{key}\tarxiv:1706.03762\tattention\n"
    with pytest.raises(AtbibError, match=r"bib/keys\.tsv:\d+: .* is not a valid citation key"):
        read_registry(text, source="bib/keys.tsv")


def test_a_hostile_key_carried_by_a_record_is_replaced_by_a_formula_key():
    record = Record(Kind.PAPER, "Attention", authors=(Person("Vaswani", "A"),),
                    venue=Venue("NIPS 2017"), key="x,\n  note = {pwned")  # fmt: skip
    assert assign_keys([record]).keys == ("vaswani2017attention",)
    clean = Record(Kind.PAPER, "Attention", key="vaswani2017pinned")
    assert assign_keys([clean]).keys == ("vaswani2017pinned",)


def test_extra_fields_with_names_that_are_not_names_are_not_written():
    record = Record(
        Kind.PAPER, "T", extra=(("note = {x}, evil", "v"), ("isbn", "1}2"), ("Bad", "x"))
    )
    out = bibtex_entry(record, "k")
    assert [name for name, _ in out.fields] == ["key", "title", "isbn"]
    parsed = parse_bibtex(format_file([], [out]))
    # isbn is a verbatim field: an unbalanced brace in it is percent-encoded, not escaped.
    assert not parsed.problems and parsed.entries[0].get("isbn") == "1%7D2"


# -- the real toolchain ----------------------------------------------------------------------


def _literal(hostile: str) -> str | None:
    """What the PDF must show for a hostile text, for those pdftotext gives back as typed."""
    if any(c in hostile for c in "'`\"-\n\r\t<>") or not hostile.strip():
        return None
    return "".join(hostile.split())


@pytest.fixture(scope="module")
def hostile_file(tmp_path_factory, hostile_bib) -> Path:
    require_tex()
    _, text = hostile_bib
    folder = tmp_path_factory.mktemp("hostile")
    path = folder / "hostile.bib"
    path.write_text(text, encoding="utf-8")
    return path


_CAPACITY = re.compile(r"exceeded 500, the entry-string-size|Please notify the bibstyle designer")


def _compile(chain: str, bib: Path, workdir: Path):
    workdir.mkdir(parents=True, exist_ok=True)
    # A file a successful \input would read: it announces itself and writes a file.
    (workdir / f"{CANARY}.tex").write_text(
        "\\typeout{CANARY-READ}\\immediate\\openout9=pwned-by-canary.tex"
        "\\immediate\\write9{x}\\immediate\\closeout9 CANARYTEXT\n",
        encoding="utf-8",
    )
    if chain == "plain":
        return compile_with_bibtex(bib, None, workdir, style="plain")
    if chain == "plainnat":
        return compile_with_bibtex(bib, None, workdir, style="plainnat", hyperref=True)
    return compile_with_biber(bib, None, workdir, hyperref=True, validate_datamodel=False)


@pytest.mark.parametrize("chain", ["plain", "plainnat", "biber"])
def test_hostile_text_compiles_prints_literally_and_runs_nothing(hostile_file, tmp_path, chain):
    workdir = tmp_path / chain
    result = _compile(chain, hostile_file, workdir)
    # BibTeX's fixed capacity: a label built from hundreds of characters of escaped names is
    # cut at 500 (a warning, not a hazard); everything else is a failure.
    problems = [p for p in result.problems if not _CAPACITY.search(p)]
    assert not problems, "\n".join(problems)
    log = result.log
    assert "runsystem" not in log
    assert "CANARY-READ" not in log and "Emergency stop" not in log
    written = sorted(p.name for p in workdir.rglob("*") if "pwned" in p.name.lower())
    assert not written, f"files written by hostile text: {written}"
    text = pdf_text(result)
    assert text is not None
    assert "CANARYTEXT" not in text
    if chain == "biber":  # biblatex prints titles as written (plain lower-cases them)
        flat = "".join(text.split())
        missing = [h for h in HOSTILE if _literal(h) and _literal(h) not in flat]
        assert not missing, f"not printed literally: {missing}"
    assert re.search(r"Title\s*0", text) and re.search(r"Repo\s*\d", text)
