"""Edits touch only their own lines; everything else stays byte for byte."""

from __future__ import annotations

from dataclasses import replace

from atbib import format_markdown, read_markdown
from atbib.markdown.edit import add_records, remove_items, replace_records
from atbib.model import Kind, Link, Person, Record, Venue

LIST = (
    "# L\r\n\r\n## A\r\n### P\r\n"
    "* **Old Title**. *Ann Lee*.  (ACL 2019) [[paper]](https://x.org/1)\r\n"
    "* Second (ACL 2019) [[paper]](https://x.org/2)\r\n"
    "\r\n### Q\r\n- Third (ACL 2020) [[paper]](https://x.org/3)\r\n"
    "\r\n## B\r\n### R\r\n- Fourth (ACL 2020) [[paper]](https://x.org/4)\r\n"
)

NEW = Record(
    Kind.PAPER,
    "New Work",
    authors=(Person("Doe", "Jane"),),
    venue=Venue("EMNLP 2020"),
    links=(Link("paper", "https://arxiv.org/abs/2001.00001"),),
)


def test_replacing_a_record_rewrites_only_its_line():
    library = read_markdown(LIST)
    first = library.items[0]
    edited = replace_records(library, {0: replace(first.record, title="Fixed Title")})
    text = format_markdown(edited)
    assert text == LIST.replace(
        "* **Old Title**. *Ann Lee*.  (ACL 2019)", "* **Fixed Title**. *Ann Lee*. (ACL 2019)"
    )
    # An unchanged record keeps its (non-house-style) line.
    assert format_markdown(replace_records(library, {0: first.record})) == LIST


def test_adding_to_an_existing_subsection_uses_its_bullet_and_line_ending():
    text = format_markdown(add_records(read_markdown(LIST), ("A", "P"), [NEW]))
    assert text == LIST.replace(
        "* Second (ACL 2019) [[paper]](https://x.org/2)\r\n",
        "* Second (ACL 2019) [[paper]](https://x.org/2)\r\n"
        "* **New Work**. *Jane Doe*. (EMNLP 2020) [[paper]](https://arxiv.org/abs/2001.00001)\r\n",
    )
    again = read_markdown(text)
    assert again.items[2].record.title == "New Work"
    assert again.items[2].record.sections == (("A", "P"),)


def test_adding_to_a_new_subsection_creates_its_heading_at_the_end_of_the_section():
    text = format_markdown(add_records(read_markdown(LIST), ("A", "New"), [NEW]))
    assert text == LIST.replace(
        "- Third (ACL 2020) [[paper]](https://x.org/3)\r\n",
        "- Third (ACL 2020) [[paper]](https://x.org/3)\r\n### New\r\n"
        "- **New Work**. *Jane Doe*. (EMNLP 2020) [[paper]](https://arxiv.org/abs/2001.00001)\r\n",
    )
    assert read_markdown(text).items[3].record.sections == (("A", "New"),)


def test_adding_a_new_section_appends_it():
    text = format_markdown(
        add_records(read_markdown("## A\n- T (ACL 2019) [[paper]](x)"), ("C", "D"), [NEW])
    )
    assert text == (
        "## A\n- T (ACL 2019) [[paper]](x)\n## C\n### D\n"
        "- **New Work**. *Jane Doe*. (EMNLP 2020) [[paper]](https://arxiv.org/abs/2001.00001)\n"
    )


def test_removing_items_drops_only_their_lines():
    library = read_markdown(LIST)
    text = format_markdown(remove_items(library, [1, 3]))
    assert text == LIST.replace("* Second (ACL 2019) [[paper]](https://x.org/2)\r\n", "").replace(
        "- Fourth (ACL 2020) [[paper]](https://x.org/4)\r\n", ""
    )
    assert [i.line for i in read_markdown(text).items] == [
        i.line for i in remove_items(library, [1, 3]).items
    ]
