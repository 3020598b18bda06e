"""Re-keying a work once its authors are known: the new key, the old one kept as an alias."""

from __future__ import annotations

import re

from atbib import read_markdown
from atbib.export import build_bibliography, collect_works
from atbib.fill.facts import Candidate, Status
from atbib.fill.job import plan_fill, targets
from atbib.fill.resolve import merge
from atbib.fill.store import Metadata
from atbib.keys import (
    DEFAULT_FORMULA,
    KeyRow,
    assign_keys,
    made_without_authors,
    read_registry,
    rename_keys,
    write_registry,
)
from atbib.model import Person

LIST = """## Models
- **BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding**. (NAACL 2019) [[paper]](https://www.aclweb.org/anthology/N19-1423/)
- **Attention Is All You Need**. *Ashish Vaswani, Noam Shazeer*. (NeurIPS 2017) [[paper]](https://arxiv.org/abs/1706.03762)
"""
ACL = Candidate(
    "acl",
    "N19-1423",
    title="BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding",
    authors=tuple(
        Person.parse(n)
        for n in ("Jacob Devlin", "Ming-Wei Chang", "Kenton Lee", "Kristina Toutanova")
    ),
    year=2019,
    status=Status.PUBLISHED,
    venue="NAACL",
    entry_type="inproceedings",
    pages="4171--4186",
)


def exported(library, registry, metadata=None):
    return build_bibliography(library, registry, metadata=metadata)


def test_a_key_made_from_title_words_is_renamed_once_and_stays_an_alias() -> None:
    library = read_markdown(LIST)
    first = exported(library, ())
    assert [w.key for w in first.works] == ["bert2019pretraining", "vaswani2017attention"]
    registry = first.registry

    works, _ = collect_works(library, registry)
    asked = targets(works, Metadata())
    merged = [merge(t, [ACL] if t.anchor == "acl:N19-1423" else [], "2026-12-05") for _, t in asked]
    plan = plan_fill(
        library, registry, Metadata(), asked, merged, [()] * len(asked), formula=DEFAULT_FORMULA
    )
    assert plan.renames == {"bert2019pretraining": "devlin2019bert"}
    text = write_registry(plan.registry)
    assert "bert2019pretraining\trenamed:devlin2019bert\t" in text
    assert "devlin2019bert\tacl:N19-1423\t" in text

    after = exported(library, read_registry(text), plan.metadata)
    bert = next(w for w in after.works if w.key == "devlin2019bert")
    assert bert.aliases == ("bert2019pretraining",)
    assert re.search(r"\n  ids += {bert2019pretraining},\n", after.files["all.bib"])
    assert any(w.key == "vaswani2017attention" for w in after.works)  # others untouched

    # A second run changes no key: the renamed key is the formula's with authors now.
    works, _ = collect_works(library, plan.registry)
    again = plan_fill(library, plan.registry, plan.metadata, [], [], [], formula=DEFAULT_FORMULA)
    assert again.renames == {}
    # The old key is never handed to another work, even one whose formula gives it.
    other = read_markdown(
        LIST
        + "- **BERT: Pre-training Again**. (NAACL 2019) [[paper]](https://arxiv.org/abs/2001.00001)\n"
    )
    keys = [w.key for w in exported(other, plan.registry, plan.metadata).works]
    assert "bert2019pretraining" not in keys


def test_a_renamed_row_is_never_matched_by_title() -> None:
    rows = rename_keys(
        [KeyRow("old2019key", ("arxiv:1",), "same title")], {"old2019key": "new2019key"}
    )
    record = read_markdown(
        "## S\n- **Same Title**. (ACL 2019) [[paper]](https://example.org/x)\n"
    ).records[0]
    assignment = assign_keys([record], rows)
    assert assignment.keys[0] == "new2019key"  # the work's own row, by title; never the alias


def test_only_keys_made_without_authors_are_renamed() -> None:
    record = read_markdown(LIST).records[0]
    assert made_without_authors("bert2019pretraining", record, DEFAULT_FORMULA)
    assert made_without_authors("bert2019pretrainingb", record, DEFAULT_FORMULA)
    assert not made_without_authors("devlin2019bert", record, DEFAULT_FORMULA)
    assert not made_without_authors("mybert", record, DEFAULT_FORMULA)
