"""The list read without loss: every history version round-trips byte for byte, every entry
shape becomes the right record, and lines atbib cannot read are kept and reported."""

from __future__ import annotations

import csv
from collections import Counter

import pytest

from atbib import format_markdown, read_markdown
from atbib.markdown.entry import render_entry
from atbib.model import Kind, Link, Person
from tests.conftest import HISTORY_DIR


def test_every_history_version_round_trips_byte_for_byte(history):
    assert len(history) == 89
    for name, text in history:
        assert format_markdown(read_markdown(text)) == text, name


def test_every_list_item_of_every_version_is_read_or_reported(history):
    """INDEX.tsv counts the list items of each version independently of atbib; each one must
    be a record or a reported line, never dropped."""
    with (HISTORY_DIR / "INDEX.tsv").open(encoding="utf-8") as handle:
        expected = {
            row["seq"]: int(row["list_items"]) for row in csv.DictReader(handle, delimiter="\t")
        }
    for name, text in history:
        library = read_markdown(text)
        reported = [p for p in library.problems if p.code in ("unparsed-line", "unread-item")]
        assert len(library.items) + len(reported) == expected[name[:3]], name


def test_readme_is_the_last_history_version_plus_one_section(history, readme_text):
    last = history[-1][1]
    start = readme_text.index("## Cite from this list\n")
    end = readme_text.index("## Attention\n")
    assert readme_text[:start] + readme_text[end:] == last


def test_all_329_items_of_the_current_list_become_records(readme_text):
    library = read_markdown(readme_text)
    assert len(library.items) == 329
    assert library.problems == ()
    # The citing section is marked as not bibliography: none of its bullets are entries.
    assert all(item.record.sections[0][0] != "Cite from this list" for item in library.items)
    kinds = Counter(record.kind for record in library.records)
    # Counted without atbib: "- [text](url)" lines under "Repositor..." headings are
    # repositories, under the blog headings blog posts; two entries link [[slides]], one [[book]].
    heading = ""
    link_lines = Counter()
    for line in readme_text.splitlines():
        if line.startswith("#"):
            heading = line.lstrip("# ")
        elif line.startswith("- [") and not line.startswith("- [[") and "Blog" in heading:
            link_lines[False] += 1
        elif line.startswith("- [") and not line.startswith("- [[") and "Repositor" in heading:
            link_lines[True] += 1
    assert kinds[Kind.REPOSITORY] == link_lines[True] == 35
    assert kinds[Kind.BLOG_POST] == link_lines[False] == 59
    assert kinds[Kind.SLIDES] == 2
    assert kinds[Kind.BOOK] == 1
    assert kinds[Kind.PAPER] == 329 - 35 - 59 - 3


def _record(body: str, section=("Transformer", "Papers")):
    library = read_markdown(f"## {section[0]}\n### {section[1]}\n- {body}\n")
    assert library.problems == (), library.problems
    (item,) = library.items
    return item.record


def test_bold_title_italic_authors_venue_links_and_nickname():
    record = _record(
        "**Attention is All you Need**. *Ashish Vaswani, Noam Shazeer, Aidan N. Gomez*. "
        "(NIPS 2017) [[paper]](https://arxiv.org/abs/1706.03762)"
        "[[code]](https://github.com/jadore801120/attention-is-all-you-need-pytorch)"
        " - ***Transformer***"
    )
    assert record.kind is Kind.PAPER
    assert record.title == "Attention is All you Need"
    assert record.authors == (
        Person("Vaswani", "Ashish"),
        Person("Shazeer", "Noam"),
        Person("Gomez", "Aidan N."),
    )
    assert record.venue is not None and record.venue.text == "NIPS 2017"
    assert (record.venue.name, record.venue.year) == ("NIPS", 2017)
    assert record.links == (
        Link("paper", "https://arxiv.org/abs/1706.03762"),
        Link("code", "https://github.com/jadore801120/attention-is-all-you-need-pytorch"),
    )
    assert record.nickname == "Transformer"
    assert record.sections == (("Transformer", "Papers"),)


def test_plain_title_with_venue_and_no_authors():
    record = _record(
        "BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding "
        "(NAACL 2019) [[paper]](https://www.aclweb.org/anthology/N19-1423)"
        "[[code]](https://github.com/google-research/bert)"
        "[[official PyTorch code]](https://github.com/codertimo/BERT-pytorch) - ***BERT***"
    )
    assert record.title.startswith("BERT: Pre-training") and record.authors == ()
    assert record.venue.text == "NAACL 2019"
    assert [link.label for link in record.links] == ["paper", "code", "official PyTorch code"]
    assert record.nickname == "BERT"


@pytest.mark.parametrize(
    ("venue", "name", "year"),
    [
        ("ICLR2020", "ICLR", 2020),
        ("RepL4NLP@ACL 2019", "RepL4NLP@ACL", 2019),
        ("SustaiNLP 2020 at EMNLP 2020", "SustaiNLP at EMNLP", 2020),
        ("CS224n Winter2019 Reports", "CS224n Winter Reports", 2019),
        ("2020", "", 2020),
    ],
)
def test_venue_spellings(venue, name, year):
    record = _record(f"Some Title ({venue}) [[paper]](https://arxiv.org/abs/2001.00001)")
    assert record.venue.text == venue
    assert (record.venue.name, record.venue.year) == (name, year)


def test_full_width_parenthesis_and_double_space_are_read_and_kept_as_written():
    body = (
        "**FashionBERT: Text and Image Matching**. *Dehong Gao, Linbo Jin*. （SIGIR 2020) "
        "[[paper]](https://arxiv.org/abs/2005.09801)"
    )
    record = _record(body)
    assert record.venue.text == "SIGIR 2020"
    assert render_entry(record) != body  # not house style, so the line is kept as written
    text = f"## A\n### B\n- {body}\n- **T**. *A B*.  (ACL 2019) [[paper]](x)\n"
    assert format_markdown(read_markdown(text)) == text


def test_entry_without_venue_and_link_with_any_label_without_spaces():
    record = _record(
        "**DistilBERT, a distilled version of BERT**. *Victor Sanh*. "
        "[[paper]](https://arxiv.org/pdf/1910.01108.pdf)[[中文翻译]](https://mp.weixin.qq.com/s/x)"
        "[[paper & code]](https://github.com/a/b)[[slides]]()"
    )
    assert record.venue is None
    assert [(link.label, link.url) for link in record.links] == [
        ("paper", "https://arxiv.org/pdf/1910.01108.pdf"),
        ("中文翻译", "https://mp.weixin.qq.com/s/x"),
        ("paper & code", "https://github.com/a/b"),
        ("slides", ""),
    ]


def test_blog_post_with_source_and_extra_link():
    record = _record(
        "[Havard NLP / The Annotated Transformer](http://nlp.seas.harvard.edu/2018/04/03/attention.html)"
        " [[code]](https://github.com/harvardnlp/annotated-transformer)",
        ("Transformer", "English Blog"),
    )
    assert record.kind is Kind.BLOG_POST
    assert (record.source, record.title) == ("Havard NLP", "The Annotated Transformer")
    assert record.url == "http://nlp.seas.harvard.edu/2018/04/03/attention.html"
    assert record.links == (Link("code", "https://github.com/harvardnlp/annotated-transformer"),)
    assert record.year == 2018  # from the date in the post's address


def test_blog_post_without_source():
    record = _record(
        "[Illustrated: Self-Attention](https://towardsdatascience.com/illustrated-self-attention-2d627e33b20a)",
        ("Attention", "English Blog"),
    )
    assert (record.kind, record.source, record.title) == (
        Kind.BLOG_POST,
        "",
        "Illustrated: Self-Attention",
    )


def test_repository_with_description():
    record = _record(
        "[bojone / bert4keras](https://github.com/bojone/bert4keras) - bojone's (苏神) BERT Keras implementation",
        ("Pretrained Language Model", "Repository"),
    )
    assert record.kind is Kind.REPOSITORY
    assert (record.source, record.title) == ("bojone", "bert4keras")
    assert record.description == "bojone's (苏神) BERT Keras implementation"


def test_slides_book_and_relative_url():
    slides = _record(
        "**Transferring NLP Models**. *Barbara Plank*. (DeepLo 2019) [[slides]](https://www.dropbox.com/s/x.pdf)"
    )
    book = _record(
        "**Embeddings in NLP**. *Mohammad Taher Pilehvar*. (2020) [[book]](http://x.com/b.pdf)"
    )
    relative = _record(
        "exBERT: A Visual Tool (CoRR 2019) [[paper]](https://arxiv.org/abs/1910.05276) [[code]](exbert.net)"
    )
    assert (slides.kind, book.kind) == (Kind.SLIDES, Kind.BOOK)
    assert relative.links[-1] == Link("code", "exbert.net")


def test_older_nickname_styles_are_read():
    prefix = _record(
        "**`ERNIE(Baidu)`** ERNIE: Enhanced Representation (CoRR 2019) [[paper]](https://arxiv.org/pdf/1904.09223.pdf)"
    )
    single = _record(
        "Effective Approaches (EMNLP 2015) [[paper]](https://www.aclweb.org/anthology/D15-1166/) - *Global & Local Attention*"
    )
    assert prefix.nickname == "ERNIE(Baidu)" and prefix.title == "ERNIE: Enhanced Representation"
    assert single.nickname == "Global & Local Attention"


def test_lines_that_are_not_entries_are_kept_and_reported_with_line_and_reason():
    text = (
        "# List\n\n## Papers\n### Some\n"
        "- [An Attentive Survey](IJCAI 2019) [[paper]](https://arxiv.org/abs/1904.02874)\n"
        "- Spelling Error Correction (ACL 2020) [[paper]](Spelling Error Correction) - ***X***\n"
        "- just a remark in prose\n"
    )
    library = read_markdown(text, path="list.md")
    assert format_markdown(library) == text
    assert [(p.path, p.line) for p in library.problems] == [
        ("list.md", 5),
        ("list.md", 6),
        ("list.md", 7),
    ]
    assert "title link" in library.problems[0].message
    assert "space in the URL" in library.problems[1].message
    assert "not an entry" in library.problems[2].message
    assert library.items == ()


def test_crlf_bom_tabs_and_missing_final_newline_survive():
    text = (
        "\ufeff## A\r\n### B\r\n- T (ACL 2019) [[paper]](https://x.org/p)\r\n\tindented\t\r\nlast"
    )
    library = read_markdown(text)
    assert format_markdown(library) == text
    assert len(library.items) == 1


def test_code_fences_and_skip_marker_are_not_bibliography():
    text = (
        "## Usage\n<!-- atbib: skip -->\n- T (ACL 2019) [[paper]](https://x.org/a)\n"
        "### Sub of usage\n- U (ACL 2019) [[paper]](https://x.org/b)\n"
        "## Papers\n```\n- V (ACL 2019) [[paper]](https://x.org/c)\n```\n"
        "- W (ACL 2019) [[paper]](https://x.org/d)\n"
    )
    library = read_markdown(text)
    assert [r.title for r in library.records] == ["W"]
    assert format_markdown(library) == text


def test_reads_a_path_or_text(tmp_path):
    path = tmp_path / "list.md"
    path.write_text("## A\n- T (ACL 2019) [[paper]](https://x.org/a)\n", encoding="utf-8")
    assert read_markdown(path).path == str(path)
    assert read_markdown(str(path)).records == read_markdown(path.read_text()).records


def test_non_utf8_file_is_refused_with_the_byte_offset(tmp_path):
    from atbib.errors import AtbibError

    path = tmp_path / "list.md"
    path.write_bytes(b"## A\n- caf\xe9\n")
    with pytest.raises(AtbibError, match=r"list\.md: not UTF-8 .*byte offset 10"):
        read_markdown(path)
