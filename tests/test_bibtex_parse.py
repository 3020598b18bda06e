"""atbib's own BibTeX reader: real-world styles, BibTeX semantics, errors with exact lines,
robustness, and a differential test against pybtex on a generated corpus."""

from __future__ import annotations

import importlib.util
import re
import time
from pathlib import Path
from textwrap import dedent

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from atbib.bibtex.parse import BibEntry, BibFile, Field, parse_bibtex
from atbib.model import Problem

ROOT = Path(__file__).resolve().parent.parent


def bib(text: str) -> str:
    return dedent(text).lstrip("\n")


def only_entry(result: BibFile) -> BibEntry:
    assert not result.problems, result.problems
    assert len(result.entries) == 1
    return result.entries[0]


def fields(entry: BibEntry) -> dict[str, str]:
    return {f.name: f.value for f in entry.fields}


def syntax_problem(line: int, message: str, severity: str) -> Problem:
    """A problem as the parser reports it (the reader that knows the file names it)."""
    return Problem("", line, severity, message, "bibtex-syntax")  # type: ignore[arg-type]


def errors(result: BibFile) -> list[Problem]:
    return [p for p in result.problems if p.severity == "error"]


def warnings(result: BibFile) -> list[Problem]:
    return [p for p in result.problems if p.severity == "warning"]


# -- real-world styles ----------------------------------------------------------------------


def test_dblp_style():
    text = bib(r"""
        @article{DBLP:journals/corr/abs-1810-04805,
          author    = {Jacob Devlin and
                       Ming{-}Wei Chang and
                       Kenton Lee and
                       Kristina Toutanova},
          title     = {{BERT:} Pre-training of Deep Bidirectional Transformers for Language
                       Understanding},
          journal   = {CoRR},
          volume    = {abs/1810.04805},
          year      = {2018},
          url       = {http://arxiv.org/abs/1810.04805},
          eprinttype = {arXiv},
          eprint    = {1810.04805},
          timestamp = {Tue, 30 Oct 2018 20:39:56 +0100},
          biburl    = {https://dblp.org/rec/journals/corr/abs-1810-04805.bib},
          bibsource = {dblp computer science bibliography, https://dblp.org}
        }
        """)
    e = only_entry(parse_bibtex(text))
    assert e.entry_type == "article"
    assert e.key == "DBLP:journals/corr/abs-1810-04805"
    assert e.line == 1
    assert [f.name for f in e.fields] == [
        "author", "title", "journal", "volume", "year", "url", "eprinttype", "eprint",
        "timestamp", "biburl", "bibsource",
    ]  # fmt: skip
    assert [f.line for f in e.fields] == [2, 6, 8, 9, 10, 11, 12, 13, 14, 15, 16]
    assert e.get("author") == (
        "Jacob Devlin and\n               Ming{-}Wei Chang and\n"
        "               Kenton Lee and\n               Kristina Toutanova"
    )
    assert e.get("title") == (
        "{BERT:} Pre-training of Deep Bidirectional Transformers for Language\n"
        "               Understanding"
    )
    assert e.get("biburl") == "https://dblp.org/rec/journals/corr/abs-1810-04805.bib"
    assert e.get("timestamp") == "Tue, 30 Oct 2018 20:39:56 +0100"
    assert e.get("BibSource") == "dblp computer science bibliography, https://dblp.org"
    assert e.get("missing") is None


def test_acl_anthology_style():
    text = bib("""
        @inproceedings{devlin-etal-2019-bert,
            title = "{BERT}: Pre-training of Deep Bidirectional Transformers for Language Understanding",
            author = "Devlin, Jacob  and
              Chang, Ming-Wei  and
              Lee, Kenton  and
              Toutanova, Kristina",
            editor = "Burstein, Jill  and
              Doran, Christy  and
              Solorio, Thamar",
            booktitle = "Proceedings of the 2019 Conference of the North {A}merican Chapter of the Association for Computational Linguistics: Human Language Technologies, Volume 1 (Long and Short Papers)",
            month = jun,
            year = "2019",
            address = "Minneapolis, Minnesota",
            publisher = "Association for Computational Linguistics",
            url = "https://aclanthology.org/N19-1423",
            doi = "10.18653/v1/N19-1423",
            pages = "4171--4186",
            abstract = "We introduce a new language representation model called BERT, which stands for Bidirectional Encoder Representations from Transformers.",
        }
        """)
    e = only_entry(parse_bibtex(text))
    assert (e.entry_type, e.key) == ("inproceedings", "devlin-etal-2019-bert")
    f = fields(e)
    assert f["title"].startswith("{BERT}: Pre-training")
    assert f["month"] == "June"
    assert f["year"] == "2019"
    assert f["pages"] == "4171--4186"
    assert f["doi"] == "10.18653/v1/N19-1423"
    assert f["address"] == "Minneapolis, Minnesota"
    assert "North {A}merican" in f["booktitle"]
    assert e.fields[-1].name == "abstract" and e.fields[-1].line == 18


def test_google_scholar_style():
    text = bib("""
        @inproceedings{vaswani2017attention,
          title={Attention is all you need},
          author={Vaswani, Ashish and Shazeer, Noam and Parmar, Niki and Uszkoreit, Jakob and Jones, Llion and Gomez, Aidan N and Kaiser, {\\L}ukasz and Polosukhin, Illia},
          booktitle={Advances in neural information processing systems},
          pages={5998--6008},
          year={2017}
        }

        @article{raffel2020exploring,
          title={Exploring the limits of transfer learning with a unified text-to-text transformer},
          author={Raffel, Colin and Shazeer, Noam and Roberts, Adam and Lee, Katherine and Narang, Sharan and Matena, Michael and Zhou, Yanqi and Li, Wei and Liu, Peter J},
          journal={Journal of machine learning research},
          volume={21},
          number={140},
          pages={1--67},
          year={2020}
        }
        """)
    r = parse_bibtex(text)
    assert not r.problems
    assert [(e.key, e.line) for e in r.entries] == [
        ("vaswani2017attention", 1),
        ("raffel2020exploring", 9),
    ]
    assert "Kaiser, {\\L}ukasz" in r.entries[0].get("author")  # LaTeX stays raw
    assert r.entries[1].get("number") == "140"


def test_better_biblatex_style():
    text = bib(r"""
        @online{vaswani2017AttentionAllYou,
          title = {{Attention Is All You Need}},
          author = {Vaswani, Ashish and Shazeer, Noam},
          date = {2017-06-12},
          eprint = {1706.03762},
          eprinttype = {arxiv},
          eprintclass = {cs},
          pubstate = {prepublished},
          url = {http://arxiv.org/abs/1706.03762},
          urldate = {2024-01-02},
          langid = {english},
          keywords = {Computer Science - Computation and Language},
          file = {/home/u/Zotero/storage/ABCD/Vaswani.pdf}
        }
        @software{wolf2020transformers,
          author = {{Hugging Face}},
          title = {Transformers},
          version = {4.0}
        }
        """)
    r = parse_bibtex(text)
    assert not r.problems
    online, software = r.entries
    assert online.entry_type == "online"
    assert online.get("title") == "{Attention Is All You Need}"  # only the outer braces go
    assert online.get("date") == "2017-06-12"
    assert online.get("eprinttype") == "arxiv"
    assert software.entry_type == "software"
    assert software.get("author") == "{Hugging Face}"  # corporate author stays braced


def test_strings_and_concatenation():
    text = bib("""
        @String{acl = "Association for Computational Linguistics"}
        @STRING(procof = {Proceedings of the })
        @string{ aclproc = procof # "Annual Meeting of the " # ACL }
        @string{jun = "Juni"}
        @inproceedings{k1,
          booktitle = aclproc # { (} # "ACL" # {)},
          publisher = Acl,
          month = jun,
          note = 2019 # "-" # {06},
          year = 2019
        }
        """)
    r = parse_bibtex(text)
    assert not r.problems
    assert r.strings == {
        "acl": "Association for Computational Linguistics",
        "procof": "Proceedings of the ",
        "aclproc": "Proceedings of the Annual Meeting of the Association for Computational "
        "Linguistics",
        "jun": "Juni",
    }
    f = fields(r.entries[0])
    assert f["booktitle"] == (
        "Proceedings of the Annual Meeting of the Association for Computational Linguistics (ACL)"
    )
    assert f["publisher"] == "Association for Computational Linguistics"
    assert f["month"] == "Juni"  # a file's @string overrides the predefined month
    assert f["note"] == "2019-06"
    assert f["year"] == "2019"


@pytest.mark.parametrize(
    ("macro", "name"),
    [("jan", "January"), ("feb", "February"), ("MAR", "March"), ("may", "May"),
     ("sep", "September"), ("dec", "December")],
)  # fmt: skip
def test_month_macros(macro, name):
    e = only_entry(parse_bibtex(f"@misc{{m, month = {macro}}}"))
    assert e.get("month") == name


def test_string_must_be_defined_before_use():
    r = parse_bibtex('@misc{a, journal = jmlr}\n@string{jmlr = "JMLR"}\n')
    assert r.entries[0].get("journal") == "jmlr"
    assert r.problems == (
        syntax_problem(
            1,
            "undefined @string macro 'jmlr' in field 'journal' of entry 'a'; kept as the "
            "macro name",
            "warning",
        ),
    )


def test_crossref_is_kept_as_a_field():
    text = bib("""
        @inproceedings{child, title = {Child}, crossref = {parent}}
        @proceedings{parent, booktitle = {Proceedings of Parent}, year = 2020}
        """)
    r = parse_bibtex(text)
    assert not r.problems
    child, parent = r.entries
    assert child.get("crossref") == "parent"
    assert child.get("booktitle") is None  # no inheritance: the caller decides
    assert parent.entry_type == "proceedings"


def test_comment_preamble_and_text_outside_entries():
    text = bib(r"""
        This file was made by hand. Text outside entries is ignored, as BibTeX does.
        % a comment line, mail me: someone@example.org
        @preamble{ "\newcommand{\noopsort}[1]{}" # "\providecommand{\url}[1]{#1}" }
        @Comment{jabref-meta: databaseType:bibtex;}
        @comment{ a {nested} comment with an @ sign }
        @comment this bare comment is ignored too
        @misc{a, title = {A}}
        trailing words
        """)
    r = parse_bibtex(text)
    assert not r.problems
    assert [e.key for e in r.entries] == ["a"]
    assert r.entries[0].line == 7
    assert r.preambles == (r"\newcommand{\noopsort}[1]{}\providecommand{\url}[1]{#1}",)
    assert r.comments == (
        "jabref-meta: databaseType:bibtex;",
        " a {nested} comment with an @ sign ",
    )


def test_percent_does_not_comment_out_an_entry_as_in_bibtex():
    # BibTeX, bibtexparser 2 and pybtex all read this entry: '%' is not a comment in .bib files.
    r = parse_bibtex("% @article{old, title = {Old}}\n@misc{new, title = {New}}\n")
    assert [e.key for e in r.entries] == ["old", "new"]


def test_accents_math_and_braces_stay_raw():
    text = bib(r"""
        @article{guzman2020,
          author = {Guzm{\'a}n, Jos{\'e} and {\L}ukasz Kaiser and Dvo{\v{r}}{\'a}k, Anton{\'\i}n
                    and M\"uller, Thomas and {World Health Organization}},
          title = {{PAC}-{Bayes} Bounds in $O(n \log n)$ Time: 3.2\% Better \& Faster},
          journal = "Journal of {\"O}sterreich {"}Quotes{"}"
        }
        """)
    e = only_entry(parse_bibtex(text))
    assert e.get("author").startswith(r"Guzm{\'a}n, Jos{\'e} and {\L}ukasz Kaiser and Dvo{\v{r}}")
    assert e.get("author").endswith(r"M\"uller, Thomas and {World Health Organization}")
    assert e.get("title") == r"{PAC}-{Bayes} Bounds in $O(n \log n)$ Time: 3.2\% Better \& Faster"
    assert e.get("journal") == r'Journal of {\"O}sterreich {"}Quotes{"}'


def test_utf8_names_and_keys():
    e = only_entry(parse_bibtex("@misc{müller2020, author = {Çağrı Gräßer and 王小明}}"))
    assert e.key == "müller2020"
    assert e.get("author") == "Çağrı Gräßer and 王小明"


def test_delimiters_numbers_and_layout():
    text = bib("""
        @MISC( paren-key,
          Title = "Parenthesised (entry)",
          year=2020 ,
          NOTE={a)b}
        )
        @misc  {  spaced  ,  title  =  {x}  ,  }
        @misc{nofields}
        @misc{trailing,}
        @misc{deep, title = {a {b {c {d {e {f}}}}} g}}
        """)
    r = parse_bibtex(text)
    assert not r.problems
    paren, spaced, nofields, trailing, deep = r.entries
    assert (paren.entry_type, paren.key) == ("misc", "paren-key")
    assert fields(paren) == {"title": "Parenthesised (entry)", "year": "2020", "note": "a)b"}
    assert (spaced.key, fields(spaced)) == ("spaced", {"title": "x"})
    assert nofields.fields == () and trailing.fields == ()
    assert deep.get("title") == "a {b {c {d {e {f}}}}} g"


def test_entry_and_field_lines_with_crlf():
    text = "@misc{a,\r\n  title = {A},\r\n  year = 2020\r\n}\r\n\r\n@misc{b, title = {B}}\r\n"
    r = parse_bibtex(text)
    assert [(e.key, e.line) for e in r.entries] == [("a", 1), ("b", 6)]
    assert [f.line for f in r.entries[0].fields] == [2, 3]


def test_dataclasses_are_frozen_values():
    e = only_entry(parse_bibtex("@misc{a, title = {A}}"))
    assert e == BibEntry("misc", "a", (Field("title", "A", 1),), 1)
    with pytest.raises(AttributeError):
        e.key = "b"  # type: ignore[misc]


# -- malformed input: one error per entry, exact lines, reading goes on -----------------------


def test_missing_comma_is_an_error_not_a_silent_misparse():
    text = bib("""
        @article{good1, title = {G1}}

        @article{smith2020,
          title = {T}
          year = 2020
        }

        @article{good2, title = {G2}}
        """)
    r = parse_bibtex(text)
    assert [e.key for e in r.entries] == ["good1", "good2"]
    assert r.problems == (
        syntax_problem(
            3, "missing comma before field 'year' (line 5) in entry 'smith2020'", "error"
        ),
    )


def test_unbalanced_braces_resume_at_the_next_entry_line():
    text = bib("""
        @article{smith2020,
          title = {Foo {Bar},
          year = 2020,
        }

        @article{jones2021,
          title = {Jones},
        }
        """)
    r = parse_bibtex(text)
    assert [e.key for e in r.entries] == ["jones2021"]
    assert r.problems == (
        syntax_problem(
            1,
            "unbalanced braces in field 'title' of entry 'smith2020' (its value runs on to line 6)",
            "error",
        ),
    )


def test_unclosed_brace_swallowing_later_entries():
    text = bib("""
        @article{a1, title = {A1}}
        @article{smith2020,
          title = {Foo {Bar},
          year = 2020}
        @article{jones2021,
          title = {Jones}}
        @article{z9, title = {Z9}}
        """)
    r = parse_bibtex(text)
    assert [e.key for e in r.entries] == ["a1", "jones2021", "z9"]
    assert r.problems == (
        syntax_problem(
            2,
            "unbalanced braces in field 'title' of entry 'smith2020' (its value runs on to line 5)",
            "error",
        ),
    )


def test_unbalanced_braces_in_the_last_entry():
    text = bib("""
        @misc{ok, title = {OK}}
        @article{smith2020,
          title = {Foo {Bar},
          year = {2020},
          note = {x}
        }
        """)
    r = parse_bibtex(text)
    assert [e.key for e in r.entries] == ["ok"]
    assert r.problems == (
        syntax_problem(2, "unbalanced braces in field 'title' of entry 'smith2020'", "error"),
    )


def test_extra_closing_brace():
    text = bib("""
        @article{smith2020,
          title = {Foo}},
          year = 2020,
        }
        @article{ok, title = {OK}}
        """)
    r = parse_bibtex(text)
    assert [e.key for e in r.entries] == ["ok"]
    assert r.problems == (
        syntax_problem(
            1,
            "unbalanced braces in entry 'smith2020': it is closed at line 2 but more fields "
            "follow (an extra '}'?)",
            "error",
        ),
    )


def test_missing_closing_quote():
    text = bib("""
        @article{smith2020,
          title = "Foo,
          year = 2020,
        }
        @article{ok, title = {OK}}
        """)
    r = parse_bibtex(text)
    assert [e.key for e in r.entries] == ["ok"]
    assert r.problems == (
        syntax_problem(1, "missing closing quote in field 'title' of entry 'smith2020'", "error"),
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("{title = {T}, year = 2020}", "missing key in @article entry (it starts with field 'title')"),
        ("{, title = {T}}", "missing key in @article entry"),
        ("{}", "empty @article entry (no key)"),
        ("{smith 2020, title = {T}}", "expected ',' after key 'smith' in @article entry, found '2020, title = {T}}'"),
    ],
)  # fmt: skip
def test_missing_key(body, message):
    text = f"@misc{{ok1, title = {{1}}}}\n\n@article{body}\n@misc{{ok2, title = {{2}}}}\n"
    r = parse_bibtex(text)
    assert [e.key for e in r.entries] == ["ok1", "ok2"]
    assert r.problems == (syntax_problem(3, message, "error"),)


def test_end_of_file_inside_an_entry():
    text = bib("""
        @misc{ok, title = {OK}}
        @article{smith2020,
          title = {T},
          year = 2020,
        """)
    r = parse_bibtex(text)
    assert [e.key for e in r.entries] == ["ok"]
    assert r.problems == (
        syntax_problem(2, "end of file inside entry 'smith2020' (missing '}')", "error"),
    )


def test_end_of_file_inside_a_value():
    r = parse_bibtex("@misc{ok, title = {OK}}\n\n@article{smith2020,\n  title = {T\n")
    assert [e.key for e in r.entries] == ["ok"]
    assert r.problems == (
        syntax_problem(3, "unbalanced braces in field 'title' of entry 'smith2020'", "error"),
    )


def test_entry_not_closed_before_the_next_one():
    text = bib("""
        @article{smith2020,
          title = {T},
          year = 2020

        @article{jones2021, title = {J}}
        """)
    r = parse_bibtex(text)
    assert [e.key for e in r.entries] == ["jones2021"]
    assert r.problems == (
        syntax_problem(
            1,
            "entry 'smith2020' is not closed before the next entry at line 5 (missing '}')",
            "error",
        ),
    )


@pytest.mark.parametrize(
    ("fields_text", "message"),
    [
        ("title = {T}, {junk}, year = 2020", "unexpected '{junk}, year = 2020' at line 3 in the field list of entry 'smith2020'"),
        ("title = {T}, year 2020", "expected '=' after 'year' at line 3 in entry 'smith2020', found '2020'"),
        ("title = {T}, year = , note = {x}", "expected a value for field 'year' of entry 'smith2020', found ', note = {x}'"),
        ("title = {T}, year = 2020a", "unexpected 'a' after field 'year' (line 3) of entry 'smith2020'; expected ',' or '}'"),
        ("title = {T} {U}", "unexpected '{U}' after field 'title' (line 3) of entry 'smith2020'; expected ',' or '}'"),
        ("title = {T},\n  % note = {x},\n  year = 2020", "unexpected '% note = {x},' at line 4 in the field list of entry 'smith2020' (BibTeX has no comments inside entries)"),
        ("title = {T})", "unexpected ')' after field 'title' (line 3) of entry 'smith2020'; expected ',' or '}'"),
    ],
)  # fmt: skip
def test_garbage_in_the_field_list(fields_text, message):
    text = f"@misc{{ok1, title = {{1}}}}\n@article{{smith2020,\n  {fields_text}\n}}\n@misc{{ok2}}\n"
    r = parse_bibtex(text)
    assert [e.key for e in r.entries] == ["ok1", "ok2"]
    assert r.problems == (syntax_problem(2, message, "error"),)


def test_closed_with_the_wrong_delimiter():
    r = parse_bibtex("@misc(a, title = {T},}\n@misc{b}\n")
    assert [e.key for e in r.entries] == ["b"]
    assert r.problems == (
        syntax_problem(1, "entry 'a' was opened with '(' but closed with '}'", "error"),
    )


def test_duplicate_field_keeps_the_first_value():
    text = bib("""
        @article{smith2020,
          title = {First},
          year = 2020,
          Title = {Second}
        }
        """)
    r = parse_bibtex(text)
    assert len(r.entries) == 1
    assert fields(r.entries[0]) == {"title": "First", "year": "2020"}
    assert r.problems == (
        syntax_problem(
            4,
            "duplicate field 'title' in entry 'smith2020' (first at line 2); keeping the first "
            "value",
            "error",
        ),
    )


def test_duplicate_keys_are_kept_and_reported_with_both_lines():
    text = bib("""
        @article{Smith2020, title = {A}}
        @misc{other, title = {O}}
        @inproceedings{smith2020, title = {B}}
        """)
    r = parse_bibtex(text)
    assert [(e.key, e.get("title")) for e in r.entries] == [
        ("Smith2020", "A"),
        ("other", "O"),
        ("smith2020", "B"),
    ]
    assert r.problems == (
        syntax_problem(
            3,
            "duplicate key 'smith2020' at line 3 (also at line 1; BibTeX keys are "
            "case-insensitive)",
            "warning",
        ),
    )


def test_undefined_macro_is_a_warning_and_keeps_the_name():
    r = parse_bibtex("@misc{a,\n  journal = jmlrx # { Vol}\n}")
    assert r.entries[0].get("journal") == "jmlrx Vol"
    assert r.problems == (
        syntax_problem(
            2,
            "undefined @string macro 'jmlrx' in field 'journal' of entry 'a'; kept as the "
            "macro name",
            "warning",
        ),
    )


def test_warnings_of_a_malformed_entry_are_dropped_with_it():
    r = parse_bibtex("@misc{a,\n  journal = undefinedmacro\n  year = 2020\n}")
    assert r.entries == ()
    assert r.problems == (
        syntax_problem(1, "missing comma before field 'year' (line 3) in entry 'a'", "error"),
    )


def test_bad_string_and_preamble():
    text = bib("""
        @string{jmlr "JMLR"}
        @string{ok = "OK"}
        @preamble{ "x" "y" }
        @string{redo = "1"}
        @string{REDO = "2"}
        @misc{a, journal = ok # redo}
        """)
    r = parse_bibtex(text)
    assert r.strings == {"ok": "OK", "redo": "2"}
    assert r.preambles == ()
    assert r.entries[0].get("journal") == "OK2"
    assert r.problems == (
        syntax_problem(1, "@string must be of the form @string{name = value}", "error"),
        syntax_problem(3, "expected '}' at the end of @preamble", "error"),
        syntax_problem(5, "@string 'REDO' is defined again; using the new value", "warning"),
    )


def test_stray_at_signs():
    text = bib("""
        @misc{a, title = {A}}
        @article smith,
        Contact: someone@example.org
        @
        @misc{b, title = {B}}
        """)
    r = parse_bibtex(text)
    assert [e.key for e in r.entries] == ["a", "b"]
    assert r.problems == (
        syntax_problem(2, "'@article' is not followed by '{' or '('", "error"),
        syntax_problem(4, "'@' at the start of a line is not followed by an entry type", "error"),
    )


# -- robustness -----------------------------------------------------------------------------


PATHOLOGICAL = {
    "deep nesting": "@misc{a, title = {" + "{" * 100_000 + "x" + "}" * 100_000 + "}}\n",
    "deep unbalanced": "@misc{a, title = {" + "{" * 100_000 + "x\n@misc{b, title={y}}\n",
    "1 MB line": "@misc{a, title = {" + "x" * 1_000_000 + "}}\n",
    "1 MB unclosed value": "@misc{a, title = {" + "x" * 1_000_000 + "\n",
    "1 MB unclosed quote": '@misc{a, title = "' + "x" * 1_000_000 + "\n",
    "1 MB of @": "@" * 1_000_000,
    "many @ lines": "@\n" * 100_000,
    "many unbalanced entries": "@misc{a, title = {x\n" * 50_000,
    "many missing commas": "@misc{a, title = {x}\n year = 1\n" * 30_000,
    "open braces": "{" * 1_000_000,
    "NUL and control characters": "\x00@misc{\x00a\x01, t\x00 = {\x00\x1b}}\x7f\x0c" * 1000,
    "quotes and braces": '@misc{a, t = "' + '{"}' * 100_000 + '"}',
    "long concatenation": "@misc{a, t = " + " # ".join(['"x"'] * 50_000) + "}",
    "unbalanced comments": "@comment{x\n" * 50_000,
    "string chain": "".join(f'@string{{s{i} = "v" # s{i - 1}}}\n' for i in range(1, 5000)),
}


@pytest.mark.parametrize("name", PATHOLOGICAL)
def test_pathological_inputs_are_fast_and_never_raise(name):
    text = PATHOLOGICAL[name]
    t0 = time.perf_counter()
    r = parse_bibtex(text)
    assert time.perf_counter() - t0 < 5.0  # linear: these take well under 0.5 s
    assert isinstance(r, BibFile)
    for e in r.entries:
        assert e.line >= 1
    for p in r.problems:
        assert p.severity in ("error", "warning") and p.line >= 1 and p.message


def test_deep_nesting_value_is_read():
    r = parse_bibtex(PATHOLOGICAL["deep nesting"])
    assert not r.problems
    assert r.entries[0].get("title") == "{" * 100_000 + "x" + "}" * 100_000


_BIB_ALPHABET = st.sampled_from(list("@{}()\",=#% \n\tabcAZ019-_:/\\'\x00é"))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=_BIB_ALPHABET, max_size=200) | st.text(max_size=100))
def test_never_raises_on_any_text(text):
    r = parse_bibtex(text)
    assert isinstance(r, BibFile)
    n_lines = text.count("\n") + 1
    for item in (*r.entries, *r.problems):
        assert 1 <= item.line <= n_lines


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["title", "author", "year", "note", "url"]),
            st.text(alphabet=st.sampled_from(list("ab {}\\'\"é,=#@\n")), max_size=15),
        ),
        max_size=4,
    ),
    st.integers(min_value=0, max_value=3),
)
def test_a_broken_entry_never_takes_its_neighbours_with_it(fields_, where):
    # Whatever happens inside the middle entry, the entries around it are read.
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields_)
    middle = f"@article{{mid,\n{body}\n}}\n"
    text = "@misc{first, title = {F}}\n" + middle + "@misc{last, title = {L}}\n"
    r = parse_bibtex(text)
    keys = [e.key for e in r.entries]
    assert keys[0] == "first" and keys[-1] == "last"


# -- differential test against pybtex ---------------------------------------------------------


def _load_generator():
    spec = importlib.util.spec_from_file_location("bench_gen_bib", ROOT / "bench" / "gen_bib.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.generate


def test_same_entries_and_fields_as_pybtex_on_a_generated_corpus():
    pybtex_database = pytest.importorskip("pybtex.database")
    from pybtex.bibtex.utils import split_name_list
    from pybtex.database import Person

    text = _load_generator()(1500, seed=7)
    ours = parse_bibtex(text)
    theirs = pybtex_database.parse_string(text, "bibtex")
    assert not ours.problems

    def norm(s: str) -> str:
        return " ".join(s.split())  # pybtex collapses white space; atbib keeps values as written

    assert [e.key for e in ours.entries] == list(theirs.entries.keys())
    persons_checked = 0
    for entry in ours.entries:
        pe = theirs.entries[entry.key]
        assert entry.entry_type == pe.type.lower()
        ours_plain = {
            f.name: norm(f.value) for f in entry.fields if f.name not in ("author", "editor")
        }
        theirs_plain = {name.lower(): value for name, value in pe.fields.items()}
        assert ours_plain == theirs_plain, entry.key
        for role in ("author", "editor"):
            raw = entry.get(role)
            names = [] if raw is None else split_name_list(norm(raw))
            assert len(names) == len(pe.persons.get(role, [])), entry.key
            assert [str(Person(n)) for n in names] == [str(p) for p in pe.persons.get(role, [])]
            persons_checked += len(names)
    assert persons_checked > 1500 * 3


def test_generated_corpus_has_what_the_benchmark_claims():
    # The benchmark corpus exercises what it claims to: macros, '#', accents, quotes, abstracts.
    text = _load_generator()(300, seed=1)
    r = parse_bibtex(text)
    assert not r.problems and len(r.entries) == 300
    assert len(r.strings) == 8
    assert re.search(r"#", text) and re.search(r'= "', text) and "{\\'" in text
    assert {e.entry_type for e in r.entries} == {"article", "inproceedings", "misc"}
