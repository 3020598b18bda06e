"""Fuzzing the Markdown and BibTeX readers (see tests/fuzz.py for the mutations and properties).

The default run tries a few hundred mutated inputs per reader in seconds; ``--slow`` tries tens
of thousands; ``--seed N`` explores other inputs. A failure names the seed and the input number;
``tests.fuzz.replay(seed, number, corpus)`` gives the input back.

What the fuzzing found, and what was fixed (each with a regression test below):

* ``read_markdown(text)`` raised ``OSError: File name too long`` for a list without a line
  break (a one-line list, or one with ``\\r`` or form-feed line endings): a ``str`` without
  ``\\n`` was taken for a file name. Text that cannot name a file is now text.
* A heading line of 100,000 spaces took 3 s to read, a 1 MB one minutes: the heading regular
  expression backtracked quadratically. It is linear now (same titles: compared on random
  headings below).
* A 2 MB heading over a dozen entries made export write 38 MB of .bib (every entry repeats its
  section's title in ``subsection``). Headings longer than 2,000 characters are now kept as
  text and reported, like over-long entries.
* An entry line of 19,000 spaces or tabs took 0.8 s to read (the nickname pattern was tried at
  every position of a run of white space); dozens of such lines blew any budget. Linear now
  (same matches: compared below).
* The BibTeX reader took 54 s for one 1 MB line of 22,000 ``@comment{...}`` blocks (each block
  searched the rest of the line for the next entry) and 56 s for 300,000 blank CRLF lines
  inside an entry (a ``\\n\\s*`` pattern retried at every line break). Both linear now, with
  results identical to the old reader's on 4,564 fuzzed files.
* Exporting a list whose title held a 20,000-character run of quotes took 3 s (the pattern
  splitting punctuation off title words had a lazy middle); linear now, same splits.
* A line of thousands of escaped brackets (``**1. \\[1. \\[1. ...``) took 1.3 s to read in
  the awesome-list shapes: links were tried at every ``\\[``, and a label may hold escaped
  brackets, so each try rescanned the rest of the line; 59 such lines took 80 s. Links are
  now tried only at unescaped brackets (tests/test_list_shapes.py).
* Linting 59 entries with 20,000-character titles took 9 s: near-duplicate search scored
  whole titles against each other. It compares their first 300 characters now
  (tests/test_dedupe.py).
* A ``##`` heading holding ``@misc{`` made the generated .bib unreadable: the heading is
  repeated in the file's ``%`` header, and BibTeX (like atbib's reader) starts an entry at any
  ``@`` outside entries, comments included. Header lines now write ``@`` as ``＠``.
* Otherwise the BibTeX reader met every property on every input tried: no crash, no internal
  error, every line number inside the input, a broken entry never changing its neighbours.
"""

from __future__ import annotations

import random
import re
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from atbib import read_markdown
from atbib.bibtex.encode import _word_edges
from atbib.bibtex.parse import _FIELD_IN_VALUE, parse_bibtex
from atbib.bibtex.read import load_bibtex
from atbib.errors import AtbibError
from atbib.export import build_bibliography
from atbib.headings import heading_title
from atbib.markdown.grammar import TAIL_NICK
from atbib.markdown.read import _HEADING, MAX_HEADING_LENGTH
from tests import fuzz


@pytest.fixture(scope="module")
def markdown_corpus() -> list[str]:
    return fuzz.markdown_corpus()


@pytest.fixture(scope="module")
def bibtex_corpus() -> list[str]:
    return fuzz.bibtex_corpus()


def _assert_clean(result: fuzz.FuzzRun) -> None:
    print("\n" + result.summary())
    assert not result.failures, "\n".join(result.failures)


def test_fuzz_the_markdown_reader(markdown_corpus, seed, slow):
    _assert_clean(
        fuzz.run("markdown", markdown_corpus, fuzz.check_markdown, seed=seed,
                 count=30_000 if slow else 250)
    )  # fmt: skip


def test_fuzz_the_bibtex_reader(bibtex_corpus, seed, slow):
    _assert_clean(
        fuzz.run("bibtex", bibtex_corpus, fuzz.check_bibtex, seed=seed,
                 count=100_000 if slow else 1_500)
    )  # fmt: skip


def test_fuzz_one_broken_bibtex_entry_never_changes_its_neighbours(bibtex_corpus, seed, slow):
    def check(text: str, number: int) -> None:
        fuzz.check_local_mutation(random.Random(f"{seed}/local/{number}"), text)

    clean = [t for t in bibtex_corpus if not fuzz.parse_bibtex(t).problems]
    result = fuzz.FuzzRun("bibtex, one entry broken", seed)
    began = time.perf_counter()
    for number in range(30_000 if slow else 500):
        text = clean[number % len(clean)]
        try:
            check(text, number)
        except AssertionError as exc:
            result.failures.append(f"seed {seed}, input {number}: {exc}")
        result.tried += 1
    result.seconds = time.perf_counter() - began
    _assert_clean(result)


# -- generated entry lines --------------------------------------------------------------------

_PIECES = st.sampled_from(
    ["**", "*", "***", "[[", "]]", "](", "[", "]", "(", ")", "（", "）", " - ", "- ", "`", "_",
     "\\", "{", "}", "%", "&", "#", "<script>", "javascript:", "https://arxiv.org/abs/1706.03762",
     "ACL 2019", "ICLR2020", "paper", "code", " / ", ", ", " and ", "é", "中文", "\u0301", "😀",
     "\t", "\x00", "\r", " ", "Title", "Ann Lee"]
)  # fmt: skip
_LINES = st.lists(_PIECES, max_size=30).map("".join)
_DOCS = st.lists(
    st.tuples(st.sampled_from(["- ", "* ", "1. ", "## ", "### ", "```", "", "  - "]), _LINES).map(
        "".join
    ),
    max_size=12,
).map("\n".join)


def test_generated_lists_keep_every_line(slow):
    @settings(max_examples=5_000 if slow else 200, deadline=None,
              suppress_health_check=[HealthCheck.too_slow])  # fmt: skip
    @given(_DOCS)
    def check(text: str) -> None:
        fuzz.check_markdown(text, 0, export_every=1)

    check()


# -- regressions for what the fuzzing found ---------------------------------------------------


def test_text_without_a_line_break_is_read_when_given_as_text():
    for text in ("x" * 5000, "## A\r- T (ACL 2019) [[paper]](https://x.org/a)\r", "a\x00b", ""):
        library = read_markdown(text=text)
        assert fuzz.write_markdown(library) == text


def test_a_string_that_is_no_file_is_an_error_never_an_empty_list(tmp_path):
    """``read_markdown("READMEE.md")`` (a typo) must not read as an empty list."""
    for name in ("READMEE.md", "x" * 5000, "a\x00b", str(tmp_path)):
        with pytest.raises(AtbibError, match=r"no such file|is a folder|not a file name"):
            read_markdown(name)
        with pytest.raises(AtbibError, match=r"no such file|is a folder|not a file name"):
            load_bibtex(name)


def test_a_long_run_of_spaces_in_a_heading_reads_in_linear_time():
    text = "# " + " " * 1_000_000 + "x\n## Real\n- T (ACL 2019) [[paper]](https://x.org/a)\n"
    start = time.perf_counter()
    library = read_markdown(text)
    assert time.perf_counter() - start < 1.0
    assert library.items[0].record.sections == (("Real",),)
    assert library.problems[0].line == 1 and "heading longer than" in library.problems[0].message


def test_heading_titles_are_what_the_old_expression_gave():
    old = re.compile(r"^(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$")
    rng = random.Random(0)
    for _ in range(30_000):
        line = "".join(rng.choice("# \tab\x0c\r") for _ in range(rng.randint(0, 12)))
        before, after = old.match(line), _HEADING.match(line)
        assert (before is None) == (after is None), repr(line)
        if before and after:
            assert before.group(2).strip() == heading_title(after.group(2)), repr(line)
            assert before.group(1) == after.group(1)
    assert heading_title("Title ##  ") == "Title" and heading_title("C#") == "C#"
    assert heading_title("A # #") == "A #" and heading_title("##") == "##"


def test_a_heading_at_the_length_limit_is_still_a_section():
    title = "T" * (MAX_HEADING_LENGTH - 3)
    library = read_markdown(f"## {title}\n- T (ACL 2019) [[paper]](https://x.org/a)\n")
    assert library.items[0].record.sections == ((title,),)


def test_entries_of_white_space_read_in_linear_time():
    lines = ["- [[a]](" + " " * 19_900 + ")", "- [a](u) - " + "\t" * 19_900 + "*"] * 30
    start = time.perf_counter()
    read_markdown("## A\n" + "\n".join(lines) + "\n")
    assert time.perf_counter() - start < 1.0  # was 0.8 s per line


def test_nickname_matches_are_what_the_old_expression_gave():
    old = re.compile(r"\s+-\s+(\*{1,3})([^*]+)\1\s*$")
    rng = random.Random(1)
    pieces = [" ", "\t", "-", "*", "**", "***", "a", " - ", " - ***", "***x***"]
    for _ in range(30_000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 8)))
        before, after = old.search(text), TAIL_NICK.search(text)
        assert (before is None) == (after is None), repr(text)
        if before and after:
            assert (before.span(), before.groups()) == (after.span(), after.groups()), repr(text)


def test_a_line_of_many_bibtex_blocks_reads_in_linear_time():
    text = "@comment{x}" * 100_000 + "\n@misc{k, title = {T}}\n"
    start = time.perf_counter()
    result = parse_bibtex(text)
    assert time.perf_counter() - start < 1.0  # was about a minute
    assert [e.key for e in result.entries] == ["k"] and len(result.comments) == 100_000


def test_a_long_blank_run_inside_an_entry_reads_in_linear_time():
    text = "@misc{k,\n  title = {T" + "\r\n" * 300_000 + "\n@misc{j, title = {U}}\n"
    start = time.perf_counter()
    result = parse_bibtex(text)
    assert time.perf_counter() - start < 1.0  # was about a minute
    assert [e.key for e in result.entries] == ["j"] and result.problems[0].line == 1


def test_field_in_value_finds_a_match_exactly_when_the_old_expression_did():
    old = re.compile(r"\n\s*" + r"""[^\s"#%'(),={}@]""" + r"+\s*=", re.ASCII)
    rng = random.Random(2)
    for _ in range(30_000):
        text = "".join(rng.choice(["\n", "\r", " ", "\t", "a", "=", "{", "\x0b"])
                       for _ in range(rng.randint(0, 10)))  # fmt: skip
        assert (old.search(text) is None) == (_FIELD_IN_VALUE.search(text) is None), repr(text)


def test_title_words_split_as_before_and_in_linear_time():
    old = re.compile(r"^([^\w]*)(.*?)([^\w]*)$", re.DOTALL)
    rng = random.Random(3)
    for _ in range(30_000):
        piece = "".join(rng.choice('"a_1é-.中\u0301{}') for _ in range(rng.randint(0, 10)))
        assert old.match(piece).groups() == _word_edges(piece), repr(piece)  # type: ignore[union-attr]
    library = read_markdown(
        "## A\n- T" + '"' * 19_000 + "x (ACL 2019) [[paper]](https://x.org/a)\n"
    )
    start = time.perf_counter()
    build_bibliography(library)
    assert time.perf_counter() - start < 1.0  # was 3 s


def test_an_at_sign_in_a_heading_cannot_start_an_entry_in_the_bib_header():
    library = read_markdown("## T@misc{ransformer,\n- T (ACL 2019) [[paper]](https://x.org/a)\n")
    for name, content in build_bibliography(library).files.items():
        if name.endswith(".bib"):
            result = parse_bibtex(content)
            assert not result.problems and len(result.entries) == 1, name
            if name != "all.bib":
                assert "T＠misc{ransformer" in content.split("\n", 1)[0]
