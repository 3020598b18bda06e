"""Adversarial inputs: lists and .bib files built to find performance cliffs, not to look real.

Each family stresses one thing that realistic lists (bench/gen_list.py) hold only a little of,
and is generated at any size, deterministically (a seed per family), so that the scaling shows:
an input ten times larger must take at most about ten times as long. Lines are realistic
(every entry is one the list reader understands); what is extreme is how many of them share
something. ``SIZE`` below is the size parameter ``n``:

``same-base-key``     n papers whose keys all start as ``wang2020learning`` (first author Wang,
                      2020, titles starting with "Learning"): new keys are suffixed after the
                      registered ones.
``same-title``        n papers titled "Attention Is All You Need": different authors, with or
                      without an arXiv id, or the same author at several venues.
``same-link``         n papers whose only link is the same repository (no identifier): the
                      registry of an earlier version in which every tenth title was one
                      character off (a typo fixed since), so those works are found by title
                      similarity.
``shared-words``      n papers with 24-word titles drawn from 43 words: every title's rarest
                      words are common, so near-duplicate search has big blocks.
``long-fields``       200 papers, half with n authors, half with n-word titles (so SIZE is
                      the length, not the count).
``one-subsection``    n papers in a single ``###`` subsection.
``many-subsections``  n papers in subsections of 20 (n / 20 ``###`` headings, 5 to a ``##``).
``cjk``               n entries, 80 % in Chinese (Chinese titles, names, venues; pinyin keys).
``blogs``             n entries, 90 % blog posts (English and Chinese).
``repos``             n entries, 90 % repositories.
``realistic``         bench/gen_list.py's list, for comparison.
``bib-macros``        a .bib file of n entries with n / 2 ``@string`` macros, values built by
                      ``#`` concatenation of several macros, and crossrefs to n / 10
                      ``@proceedings`` parents.

The list families except ``same-link`` register half of their entries first (:func:`before`
gives that earlier list): the timed export then finds half of the works in the registry and
gives the other half new keys, as an export after a list has grown does.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

from bench import gen_list
from bench.gen_list import SECTIONS, _Gen, _words

REPOSITORY = "https://github.com/huggingface/transformers"
SHARED_VOCABULARY = _words(
    "attention transformer language model pretraining learning neural sequence efficient "
    "sparse scaling knowledge retrieval robust multilingual contrastive reasoning memory long "
    "context graph vision speech translation question answering dialogue summarization encoder "
    "decoder masked training compression pruning linear position tokenization transfer domain "
    "prompt tuning alignment evaluation"
)
CN_SURNAMES = _words("王 李 张 刘 陈 杨 赵 黄 周 吴 徐 孙 胡 朱 高 林 何 郭 马 罗")
CN_GIVEN = _words("伟 芳 娜 敏 静 丽 强 磊 军 洋 勇 艳 杰 娟 涛 明 超 秀英 华 俊杰 志强 晓东")
CN_TITLE_WORDS = _words(
    "基于 注意力 机制 的 预训练 语言 模型 研究 中文 命名 实体 识别 方法 知识 图谱 神经 "
    "机器 翻译 文本 分类 多模态 检索 生成 对比 学习 问答 系统 综述 分析 深度"
)
CN_VENUES = ("中文信息学报", "计算机学报", "软件学报", "CCL", "NLPCC", "中国科学")
Lines = Callable[[int], list[str]]
"""A family's entries (list lines without the bullet) for a size."""


def _papers_list(lines: list[str], sections: int = 1, per_subsection: int = 0) -> str:
    """A list holding ``lines``: under one ``##`` per section, in ``###`` subsections of
    ``per_subsection`` lines (0: one subsection per section), sections filled in turn."""
    out = ["# Adversarial list\n", "\n"]
    if per_subsection:
        chunks = [lines[i : i + per_subsection] for i in range(0, len(lines), per_subsection)]
        for number, chunk in enumerate(chunks):
            if number % 5 == 0:
                out.append(f"## Section {number // 5 + 1}\n")
            out.append(f"### Subsection {number + 1}\n")
            out.extend(f"- {line}\n" for line in chunk)
        return "".join(out)
    for section in range(sections):
        out.append(f"## {SECTIONS[section % len(SECTIONS)]} {section + 1}\n")
        out.append("### Papers\n")
        out.extend(f"- {line}\n" for line in lines[section::sections])
    return "".join(out)


def _paper(gen: _Gen, title: str, authors: list[str], venue: str, links: str) -> str:
    return f"**{title}**. *{', '.join(authors)}*. ({venue}) {links}"


def _arxiv(gen: _Gen, year: int) -> str:
    return f"[[paper]]({gen.paper_url('arxiv', year)})"


def same_base_key(n: int) -> list[str]:
    gen = _Gen(16)
    lines = []
    for _ in range(n):
        title = "Learning " + " ".join(gen.word() for _ in range(gen.rng.randint(3, 8)))
        authors = ["Wei Wang", *(gen.person() for _ in range(gen.rng.randint(0, 5)))]
        lines.append(_paper(gen, title, authors, "ICLR 2020", _arxiv(gen, 2020)))
    return lines


def _surname(i: int) -> str:
    """A family name no other number gives (``Abe``, ``Abf`` ...): authors that differ."""
    letters = ""
    while True:
        i, rem = divmod(i, 26)
        letters += chr(ord("a") + rem)
        if not i:
            return "Ab" + letters


def same_title(n: int) -> list[str]:
    """Different works sharing a title: by different authors (with or without an arXiv id),
    or by the same author at another venue, a year or more apart."""
    gen = _Gen(17)
    rng = gen.rng
    lines = []
    for i in range(n):
        year = rng.randint(2015, 2024)
        venue, _ = gen.venue(year)
        if i % 4 == 3:
            authors, links = ["Ashish Vaswani"], f"[[code]]({gen.code_url()})"
        else:
            authors = [f"{gen.person()}{_surname(i).lower()}" for _ in range(rng.randint(1, 4))]
            links = _arxiv(gen, year) if i % 2 else f"[[code]]({gen.code_url()})"
        lines.append(_paper(gen, "Attention Is All You Need", authors, venue, links))
    return lines


def _same_link(n: int, typos: bool) -> list[str]:
    gen = _Gen(18)
    rng = gen.rng
    lines = []
    for i in range(n):
        title, _ = gen.title()
        title = f"{title} {i}"  # distinct titles: the shared link is the point
        if typos and i % 10 == 0:
            at = i * 7 % (len(title) - 1)  # not drawn: both versions draw alike
            title = title[:at] + ("x" if title[at] != "x" else "y") + title[at + 1 :]
        year = rng.randint(2015, 2024)
        authors = [gen.person() for _ in range(rng.randint(1, 5))]
        venue, _ = gen.venue(year)
        lines.append(_paper(gen, title, authors, venue, f"[[code]]({REPOSITORY})"))
    return lines


def same_link(n: int) -> list[str]:
    return _same_link(n, typos=False)


def shared_words(n: int) -> list[str]:
    gen = _Gen(19)
    rng = gen.rng
    lines = []
    for _ in range(n):
        words = [rng.choice(SHARED_VOCABULARY) for _ in range(24)]
        title = " ".join(words).capitalize()
        year = rng.randint(2015, 2024)
        authors = [gen.person() for _ in range(rng.randint(1, 4))]
        lines.append(_paper(gen, title, authors, f"CoRR {year}", _arxiv(gen, year)))
    return lines


def long_fields(n: int) -> list[str]:
    gen = _Gen(20)
    rng = gen.rng
    lines = []
    for i in range(200):
        year = rng.randint(2015, 2024)
        if i % 2:
            title, _ = gen.title()
            authors = [gen.person() for _ in range(n)]
        else:
            title = " ".join(gen.word() for _ in range(n)).capitalize()
            authors = [gen.person() for _ in range(3)]
        lines.append(_paper(gen, title, authors, f"CoRR {year}", _arxiv(gen, year)))
    return lines


def _cn_person(rng: random.Random) -> str:
    return rng.choice(CN_SURNAMES) + rng.choice(CN_GIVEN)


def cjk(n: int) -> list[str]:
    gen = _Gen(21)
    rng = gen.rng
    lines = []
    for _ in range(n):
        r = rng.random()
        if r < 0.5:
            title = "".join(rng.choice(CN_TITLE_WORDS) for _ in range(rng.randint(4, 12)))
            authors = [_cn_person(rng) for _ in range(rng.randint(1, 6))]
            year = rng.randint(2010, 2024)
            venue = f"{rng.choice(CN_VENUES)} {year}"
            links = f"[[paper]](https://kns.cnki.net/kcms/detail/{gen.next_id()}.html)"
            lines.append(_paper(gen, title, authors, venue, links))
        elif r < 0.8:
            lines.append(gen.cnblog())
        else:
            lines.append(gen.paper())
    return lines


def _mostly(seed: int, make: Callable[[_Gen], str], share: float) -> Lines:
    """Entries made by ``make`` for ``share`` of the list, papers for the rest."""

    def lines(n: int) -> list[str]:
        gen = _Gen(seed)
        return [make(gen) if gen.rng.random() < share else gen.paper() for _ in range(n)]

    return lines


def _blog(gen: _Gen) -> str:
    return gen.blog() if gen.rng.random() < 0.6 else gen.cnblog()


def _laid_out(lines: Lines, **layout: int) -> Callable[[int], str]:
    return lambda n: _papers_list(lines(n), **layout)


LIST_FAMILIES: dict[str, Callable[[int], str]] = {
    "realistic": gen_list.generate,
    "same-base-key": _laid_out(same_base_key, sections=12),
    "same-title": _laid_out(same_title, sections=12),
    "same-link": _laid_out(same_link, sections=12),
    "shared-words": _laid_out(shared_words, sections=12),
    "long-fields": _laid_out(long_fields, sections=4),
    "one-subsection": _laid_out(_mostly(22, _Gen.paper, 1.0), sections=1),
    "many-subsections": _laid_out(_mostly(23, _Gen.paper, 1.0), per_subsection=20),
    "cjk": _laid_out(cjk, sections=12),
    "blogs": _laid_out(_mostly(24, _blog, 0.9), sections=12),
    "repos": _laid_out(_mostly(25, _Gen.repo, 0.9), sections=12),
}
"""Family -> its list at a size (``realistic``: bench/gen_list.py's, for comparison)."""


def generate(family: str, n: int) -> str:
    """The list of a family at size n."""
    return LIST_FAMILIES[family](n)


def before(family: str, n: int) -> str:
    """The list an earlier export registered: without the second half of the entries
    (``same-link``: all of them, every tenth title one character off)."""
    if family == "same-link":
        return _papers_list(_same_link(n, typos=True), sections=12)
    lines = generate(family, n).splitlines(keepends=True)
    entries = [i for i, line in enumerate(lines) if line.startswith("- ")]
    dropped = set(entries[len(entries) // 2 :])
    return "".join(line for i, line in enumerate(lines) if i not in dropped)


def bib_macros(n: int) -> str:
    """A .bib file of n entries: n / 2 ``@string`` macros, ``#`` concatenations of several of
    them in every entry, and crossrefs to n / 10 ``@proceedings`` parents."""
    rng = random.Random(26)
    gen = _Gen(26)
    macros = max(1, n // 2)
    parents = max(1, n // 10)
    out = [f"% Adversarial .bib: {n} entries, {macros} macros, {parents} crossref parents\n\n"]
    for m in range(macros):
        out.append(f'@string{{m{m} = "{gen.word().capitalize()} {gen.word()}"}}\n')
    for p in range(parents):
        year = 2000 + p % 25
        out.append(
            f"@proceedings{{proc{p},\n  title = m{rng.randrange(macros)} # "
            f'" Conference " # m{rng.randrange(macros)} # {{ {year}}},\n'
            f"  year = {year},\n  publisher = m{rng.randrange(macros)}\n}}\n\n"
        )
    for i in range(n - parents):
        title = " # { } # ".join(f"m{rng.randrange(macros)}" for _ in range(rng.randint(2, 6)))
        authors = " and ".join(gen.person() for _ in range(rng.randint(1, 5)))
        out.append(
            f"@inproceedings{{entry{i},\n  author = {{{authors}}},\n  title = {title},\n"
            f"  note = m{rng.randrange(macros)} # {{, }} # m{rng.randrange(macros)},\n"
            f"  crossref = {{proc{rng.randrange(parents)}}}\n}}\n\n"
        )
    return "".join(out)


def write_input(family: str, n: int, path: Path) -> None:
    """Write a family's input at size n to ``path`` (a list family's earlier list beside it,
    as ``NAME.before.md``: bench/worker.py registers it before the timed export)."""
    if family == "bib-macros":
        path.write_text(bib_macros(n), encoding="utf-8")
        return
    path.write_text(generate(family, n), encoding="utf-8")
    earlier = path.with_name(path.stem + ".before.md")
    earlier.write_text(before(family, n), encoding="utf-8")
