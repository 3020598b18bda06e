"""Citation keys: the formula, transliteration, collisions, and stability through the registry."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from atbib.keys import (
    REGISTRY_LINK,
    KeyRow,
    _match_identifiers,
    _match_retitled,
    _match_rows,
    _weak,
    assign_keys,
    base_key,
    is_valid_key,
    read_registry,
    suffixed,
    validate_formula,
    write_registry,
)
from atbib.model import Kind, Link, Person, Record, Venue


def paper(title, authors=(), venue=None, links=(), **kw):
    return Record(
        kind=kw.pop("kind", Kind.PAPER),
        title=title,
        authors=tuple(Person.parse(a) for a in authors),
        venue=Venue(venue) if venue else None,
        links=tuple(Link(label, url) for label, url in links),
        **kw,
    )


@pytest.mark.parametrize(
    ("record", "key"),
    [
        (
            paper("Attention is All you Need", ["Ashish Vaswani"], "NIPS 2017"),
            "vaswani2017attention",
        ),
        (
            paper("A Primer in BERTology: What we know", ["Anna Rogers"], "CoRR 2020"),
            "rogers2020primer",
        ),
        (
            paper(
                "75 Languages, 1 Model: Parsing Universal Dependencies Universally",
                ["Dan Kondratyuk"],
                "EMNLP 2019",
            ),
            "kondratyuk2019languages",
        ),
        (paper("Don't Stop Pretraining", ["Suchin Gururangan"], "ACL 2020"), "gururangan2020dont"),
        (paper("Don’t Stop Pretraining", ["Suchin Gururangan"], "ACL 2020"), "gururangan2020dont"),
        (
            paper("To BERT or Not to BERT", ["Kasturi Bhattacharjee"], "EMNLP 2020"),
            "bhattacharjee2020bert",
        ),
        (paper("Why Self-Attention?", ["Gongbo Tang"], "EMNLP 2018"), "tang2018selfattention"),
        (
            paper("Unsupervised Cross-lingual", ["Francisco Guzmán"], "ACL 2020"),
            "guzman2020unsupervised",
        ),
        (paper("Reformer", ["Łukasz Kaiser"], "ICLR 2020"), "kaiser2020reformer"),
        (paper("Optimal Subarchitecture", ["Adrian de Wynter"], "CoRR 2020"), "wynter2020optimal"),
        (paper("Why Self-Attention?", ["Mathias Müller"], "EMNLP 2018"), "muller2018selfattention"),
    ],
)
def test_default_formula_gives_scholar_like_keys(record, key):
    assert base_key(record) == key


def test_latex_and_unicode_spellings_give_the_same_key():
    from atbib.bibtex.latex import decode_latex

    for spelling in (r"M{\"u}ller", r"M\"{u}ller", "Müller"):
        record = paper("Why Self-Attention?", [decode_latex(spelling)], "EMNLP 2018")
        assert base_key(record) == "muller2018selfattention"


def test_fallbacks_for_blog_posts_repositories_and_works_without_authors():
    blog = Record(
        Kind.BLOG_POST,
        "深度学习中的注意力模型（2017版）",
        source="张俊林",
        url="https://zhuanlan.zhihu.com/p/37601161",
    )
    # Pinyin of the source, no year (the "2017版" is an edition label, not a date), then the
    # first two characters of the title in pinyin.
    assert base_key(blog) == "zhangjunlinshendu"
    dated = Record(
        Kind.BLOG_POST,
        "Transformer-XL",
        source="Google",
        url="https://ai.googleblog.com/2019/01/x.html",
    )
    assert base_key(dated) == "google2019transformerxl"
    repo = Record(
        Kind.REPOSITORY, "bert4keras", source="bojone", url="https://github.com/bojone/bert4keras"
    )
    assert base_key(repo) == "bojonebert4keras"
    anonymous = paper("Deep Contextualized Word Representations", [], "NAACL 2018")
    assert base_key(anonymous) == "deep2018contextualized"
    # Authors that merely repeat the title are a data mistake, not a name to key on.
    repeated = paper("Big Bird: Transformers", ["Big Bird: Transformers"], "CoRR 2020")
    assert base_key(repeated) == "big2020bird"


def test_configurable_formula_and_unknown_placeholders():
    record = paper("Attention is All you Need", ["Ashish Vaswani"], "NIPS 2017")
    assert base_key(record, ["{auth}_{shortyear}_{shorttitle}"]) == "vaswani_17_attentionallyou"
    assert base_key(record, ["{nick}{year}", "{auth}{year}"]) == "vaswani2017"
    with pytest.raises(ValueError, match=r"unknown placeholder \{author\}"):
        validate_formula(["{author}{year}"])


def test_suffixes_run_a_to_z_then_aa():
    assert [suffixed("k", n) for n in (0, 1, 2, 26, 27, 28)] == [
        "k",
        "ka",
        "kb",
        "kz",
        "kaa",
        "kab",
    ]


def test_collisions_are_resolved_case_insensitively_in_list_order():
    works = [
        paper(
            "Exploiting Cloze",
            ["Timo Schick"],
            "CoRR 2020",
            [("paper", "https://arxiv.org/abs/2001.07676")],
        ),
        paper(
            "Exploiting Others",
            ["Timo Schick"],
            "CoRR 2020",
            [("paper", "https://arxiv.org/abs/2009.07118")],
        ),
    ]
    registry = [KeyRow("Schick2020exploiting", ("arxiv:1111.11111",), "something else")]
    result = assign_keys(works, registry)
    assert result.keys == ("schick2020exploitinga", "schick2020exploitingb")


def test_keys_stay_when_entries_are_edited_moved_or_preceded_by_new_works():
    first = paper(
        "Attention is All you Need",
        ["Ashish Vaswani"],
        "NIPS 2017",
        [("paper", "https://arxiv.org/abs/1706.03762")],
    )
    other = paper(
        "Attention Is All You Need Too",
        ["Ashish Vaswani"],
        "NIPS 2017",
        [("paper", "https://arxiv.org/abs/1706.99999")],
    )
    result = assign_keys([first])
    assert result.keys == ("vaswani2017attention",)
    registry = read_registry(write_registry(result.registry))

    # A typo fixed in the title, authors added, another section, a new work in front.
    edited = paper(
        "Attention Is All You Need",
        ["Ashish Vaswani", "Noam Shazeer"],
        "NeurIPS 2017",
        [("paper", "https://arxiv.org/abs/1706.03762")],
        sections=(("Elsewhere", "Papers"),),
    )
    again = assign_keys([other, edited], registry)
    assert again.keys == ("vaswani2017attentiona", "vaswani2017attention")
    assert again.new == (True, False)


def test_title_match_keeps_a_key_when_the_link_changes():
    before = paper(
        "Star-Transformer",
        ["Qipeng Guo"],
        "NAACL 2019",
        [("paper", "https://arxiv.org/pdf/1902.09113.pdf")],
    )
    after = paper(
        "Star-Transformer",
        ["Qipeng Guo"],
        "NAACL 2019",
        [("paper", "https://aclanthology.org/N19-1133")],
    )
    registry = assign_keys([before]).registry
    assert assign_keys([after], registry).keys == ("guo2019startransformer",)


def test_a_work_without_identifiers_keeps_its_key_when_its_title_is_edited():
    """Keyword-BERT in the list links only its code: no identifier, so the title was all the
    registry knew, and fixing a typo in it made a new key (and, in a Zotero sync, a second
    item). Its first link and a close title now carry the key across the edit."""
    code = [("paper & code", "https://github.com/DataTerminatorX/Keyword-BERT")]
    before = paper("Keyword-Attentive Deep Semantic Matcing", venue="CoRR 2020", links=code)
    bare = paper("Interpreting Attention Heads: A Sruvey", ["Ann Li"], "ACL 2020")
    first = assign_keys([before, bare])
    assert first.keys == ("keywordattentive2020deep", "li2020interpreting")
    registry = read_registry(write_registry(first.registry))
    assert registry[0].identifiers == ("link:github.com/dataterminatorx/keyword-bert",)

    fixed = paper("Keyword-Attentive Deep Semantic Matching", venue="CoRR 2020", links=code)
    renamed = paper(  # a new first word: the formula would give another key
        "Keyword-Aware Deep Semantic Matching with BERT", venue="CoRR 2020", links=code
    )
    bare_fixed = paper("Interpreting Attention Heads: A Survey", ["Ann Li"], "ACL 2020")
    newcomer = paper("Attention Heads in Practice", ["Ann Li"], "ACL 2020")
    again = assign_keys([newcomer, renamed, bare_fixed], registry)
    assert again.keys == ("li2020attention", "keywordattentive2020deep", "li2020interpreting")
    assert again.new == (True, False, False)
    assert assign_keys([fixed], registry).keys == ("keywordattentive2020deep",)


def test_a_retired_key_does_not_pass_to_another_paper_of_the_same_repository():
    repo = [("code", "https://github.com/timoschick/pet")]
    gone = paper("Exploiting Cloze Questions for Few Shot Text Classification", ["Timo Schick"],
                 "EACL 2021", repo)  # fmt: skip
    registry = assign_keys([gone]).registry
    other = paper("It's Not Just Size That Matters: Small Language Models Are Also Few-Shot "
                  "Learners", ["Timo Schick"], "NAACL 2021", repo)  # fmt: skip
    result = assign_keys([other], registry)
    assert result.keys == ("schick2021not",)
    assert result.new == (True,)
    assert result.aliases == ((),)  # a shared repository is no evidence of one work
    # A bare title, unlinked, is only carried across a small edit.
    lone = assign_keys([paper("Attention Flows", ["Ann Li"], "ACL 2020")]).registry
    assert assign_keys([paper("Attention Rollout", ["Ann Li"], "ACL 2020")], lone).new == (True,)
    gone = assign_keys([paper("Attention is not Explanation", ["S. Jain"], "NAACL 2019")])
    other = paper("Attention is not not Explanation", ["S. Wiegreffe"], "EMNLP 2019")
    assert assign_keys([other], gone.registry).new == (True,)


def test_retired_keys_are_never_reused_and_carried_keys_are_kept_when_free():
    gone = paper(
        "Old Work", ["Jane Doe"], "ACL 2019", [("paper", "https://arxiv.org/abs/1901.00001")]
    )
    registry = assign_keys([gone]).registry
    newcomer = paper(
        "Old Work", ["Jane Doe"], "ACL 2019", [("paper", "https://arxiv.org/abs/1901.00002")]
    )
    # Same title, but the registered work is identified by another arXiv id: still, a title
    # match is the only evidence, so it is taken as the same work (kept key).
    assert assign_keys([newcomer], registry).keys == ("doe2019old",)
    different = paper("Other Work", ["Jane Doe"], "ACL 2019", key="doe2019old")
    assert assign_keys([different], registry).keys == ("doe2019other",)
    free = paper("Other Work", ["Jane Doe"], "ACL 2019", key="DoeOther")
    assert assign_keys([free], registry).keys == ("DoeOther",)


def test_two_registered_works_found_to_be_one_keep_the_other_key_as_alias():
    b = paper(
        "CodeBERT: A Pre-Trained Model",
        ["Zhangyin Feng"],
        "EMNLP 2020",
        [("paper", "https://arxiv.org/abs/2002.08155")],
    )
    registry = [
        KeyRow("codebert2020", ("arxiv:2002.08155",), "codebert"),
        KeyRow("feng2020codebert", ("arxiv:2002.08155",), "codebert a pre trained model"),
    ]
    result = assign_keys([b], registry)
    assert result.keys == ("codebert2020",)
    assert result.aliases == (("feng2020codebert",),)


def test_registry_text_is_sorted_and_round_trips():
    rows = (KeyRow("b", ("arxiv:1", "doi:x"), "b title"), KeyRow("A", (), "a title"))
    text = write_registry(rows)
    assert text.splitlines()[-2:] == ["A\t\ta title", "b\tarxiv:1 doi:x\tb title"]
    assert set(read_registry(text)) == set(rows)


def _probing_keys(works, registry, formula):
    """The oracle: new keys as they were found before suffixes were counted per base, each
    work probing ``base``, ``basea``, ... from the start (quadratic in a cluster's size).
    Only for works the registry does not know."""
    taken = {row.key.lower() for row in registry}
    keys = []
    for work in works:
        if work.key and is_valid_key(work.key) and work.key.lower() not in taken:
            key = work.key
        else:
            base = base_key(work, formula)
            n = 0
            while suffixed(base, n).lower() in taken:
                n += 1
            key = suffixed(base, n)
        taken.add(key.lower())
        keys.append(key)
    return keys


# Bases that are one another's suffixed forms ("k" + "a" is "ka"), so that clusters collide
# with one another as well as within themselves.
_BASES = st.sampled_from(["k", "ka", "kb", "kaa", "kz", "kza", "l", ""])
_CARRIED = st.one_of(
    st.none(),
    st.builds(suffixed, _BASES.filter(bool), st.integers(0, 30)).map(str.upper),
    st.builds(suffixed, _BASES.filter(bool), st.integers(0, 30)),
    st.just("bad key"),
)


@settings(max_examples=300, deadline=None, database=None)
@given(
    clusters=st.lists(st.tuples(_BASES, _CARRIED), max_size=80),
    registered=st.lists(st.builds(suffixed, _BASES.filter(bool), st.integers(0, 60)), max_size=40),
)
def test_counted_suffixes_give_the_keys_probing_gave(clusters, registered):
    formula = ("{nick}",)  # the nickname is the base key: clusters are drawn directly
    works = [
        paper(f"Work {i}", nickname=base, key=carried) for i, (base, carried) in enumerate(clusters)
    ]
    # Registered works that none of these is (other identifiers, no title): their keys are
    # taken, never matched.
    registry = [
        KeyRow(key.upper() if i % 3 == 0 else key, (f"arxiv:9999.{i:05d}",), "")
        for i, key in enumerate(registered)
    ]
    result = assign_keys(works, registry, formula)
    assert list(result.keys) == _probing_keys(works, registry, formula)
    assert all(result.new)


def _rows_by_min(evidence, registry):
    """The oracle: registry rows as they were matched before a title's rows were kept in key
    order (choosing among all of a title's unclaimed rows for each work) and before retitled
    works were scored in one call each (quadratic)."""
    by_id, by_title = {}, {}
    for index, entry in enumerate(registry):
        for ident in entry.identifiers:
            if not ident.startswith(REGISTRY_LINK):
                by_id.setdefault(ident, []).append(index)
        if entry.title:
            by_title.setdefault(entry.title, []).append(index)
    claimed, matched = set(), []
    for ids, title in evidence:
        row = _match_identifiers(ids, title, by_id, claimed, registry)
        matched.append(row)
        if row is not None:
            claimed.add(row)
    for position, (_, title) in enumerate(evidence):
        candidates = [i for i in by_title.get(title, ()) if i not in claimed]
        if matched[position] is None and candidates:
            row = min(candidates, key=lambda i: registry[i].key.lower())
            matched[position] = row
            claimed.add(row)
    _retitled_by_pairs(evidence, registry, matched, claimed)
    return matched, claimed


def _retitled_by_pairs(evidence, registry, matched, claimed):
    """The oracle for retitled works: each scored against each row, one pair at a time."""
    from rapidfuzz import fuzz

    waiting = [p for p, (ids, _) in enumerate(evidence) if matched[p] is None and _weak(ids)]
    rows = [i for i, row in enumerate(registry) if i not in claimed and _weak(row.identifiers)]
    for position in waiting:
        ids, title = evidence[position]
        best = None
        for index in rows:
            if index in claimed:
                continue
            row = registry[index]
            shared = bool(ids) and ids == row.identifiers
            score = fuzz.ratio(title, row.title)
            if score >= (75 if shared else 95):
                candidate = (-score, row.key.lower(), index)
                best = candidate if best is None or candidate < best else best
        if best is not None:
            matched[position] = best[2]
            claimed.add(best[2])


_IDS = st.lists(st.sampled_from(["arxiv:1", "arxiv:2", "doi:x", "link:https://a.org"]), max_size=2)
_TITLES = st.sampled_from(["same title", "same titles", "same tit", "other", "others", ""])


@settings(max_examples=300, deadline=None, database=None)
@given(
    evidence=st.lists(st.tuples(_IDS.map(tuple), _TITLES), min_size=1, max_size=30),
    rows=st.lists(
        st.tuples(st.sampled_from(["k", "K", "ka", "b", "B"]), _IDS.map(tuple), _TITLES),
        min_size=1,
        max_size=30,
    ),
)
def test_title_rows_in_key_order_match_as_choosing_among_all_did(evidence, rows):
    registry = [KeyRow(key, ids, title) for key, ids, title in rows]
    assert _match_rows(evidence, registry) == _rows_by_min(evidence, registry)


_LINKS = st.sampled_from([(), ("link:https://a.org",), ("link:https://b.org",)])


@st.composite
def _retitled(draw: st.DrawFn) -> tuple[list[tuple[tuple[str, ...], str]], list[KeyRow]]:
    """Registered titles over a few letters, and waiting works whose titles are those titles
    with up to a third of their characters dropped or added: scores on both sides of the
    thresholds, at every length difference."""
    titles = draw(st.lists(st.text(alphabet="ab c", max_size=60), min_size=1, max_size=30))
    rows = [
        KeyRow(draw(st.sampled_from(["k", "K", "ka", "b"])), draw(_LINKS), title)
        for title in titles
    ]
    waiting = []
    for _ in range(draw(st.integers(1, 20))):
        title = list(draw(st.sampled_from(titles)))
        for _ in range(draw(st.integers(0, len(title) // 3 + 1))):
            at = draw(st.integers(0, len(title)))
            if title and draw(st.booleans()):
                del title[min(at, len(title) - 1)]
            else:
                title.insert(at, draw(st.sampled_from("ab c")))
        waiting.append((draw(_LINKS), "".join(title)))
    return waiting, rows


@settings(max_examples=500, deadline=None, database=None)
@given(case=_retitled())
def test_retitled_works_scored_against_rows_of_a_fitting_length_match_as_every_pair_did(case):
    """Only rows whose title length lets them win are scored: the works keep the rows that
    scoring every pair gave them."""
    waiting, registry = case
    found: tuple[list[int | None], set[int]] = ([None] * len(waiting), set())
    expected: tuple[list[int | None], set[int]] = ([None] * len(waiting), set())
    _match_retitled(waiting, registry, *found)
    _retitled_by_pairs(waiting, registry, *expected)
    assert found == expected
