"""A synthetic ATPapers-style Markdown list of any size, deterministic for a seed.

Every entry shape of the real list appears, in about the real list's proportions:

* bold title with italic authors, a venue and ``[[label]](url)`` links, often a ``***NICK***``;
* plain title with a venue and links (``Title (NAACL 2019) [[paper]](...) - ***ELMo***``);
* papers with many links (``[[paper]]``, ``[[code]]``, ``[[pt code]]``, ``[[blog]]``, ...);
* English and Chinese blog posts ``[Source / Title](url)``, some with a ``[[code]]`` link;
* repositories ``[owner / name](https://github.com/...) - description``;
* venues in every spelling the reader handles (``ICLR2020``, ``Findings of EMNLP 2020``,
  ``RepL4NLP@ACL 2019``, ``NeurIPS 2019 Workshop``, full-width parentheses);
* author names with accents (UTF-8), hyphens and initials; surnames as concentrated as in real
  NLP author lists (many Wangs, Lis and Zhangs), so key collisions are realistic;
* links to arXiv (abs and pdf), the ACL Anthology (old and new ids), OpenReview, PMLR, DOIs and
  plain PDFs, each identifier unique to its work.

About 2 % of the entries are a work listed again in another ``##`` section (the same paper, the
second time sometimes with the PDF link instead of the abstract page, or an extra code link),
and about 0.5 % are near-duplicates: a different work whose title differs by one character.
"""

from __future__ import annotations

import itertools
import random
import string


def _words(text: str) -> list[str]:
    return text.split()


SECTIONS = [
    "Attention",
    "Transformer",
    "Pretrained Language Model",
    "Efficient Transformers",
    "Multi-Modal",
    "Multilingual",
    "Knowledge",
    "Compression & Accelerating",
    "Retrieval",
    "Speech",
    "Analysis & Tools",
    "Applications",
]
# (subsection, share of entries, entry family)
SUBSECTIONS = [
    ("Papers", 0.70, "paper"),
    ("Survey & Review", 0.04, "paper"),
    ("English Blog", 0.09, "blog"),
    ("Chinese Blog", 0.09, "cnblog"),
    ("Repositories", 0.08, "repo"),
]

FIRST = _words(
    "Jacob Ming-Wei Kenton Kristina Ashish Noam Niki Jakob Llion Aidan Lukasz Illia Colin Adam "
    "Katherine Sharan Michael Yanqi Wei Peter Zhilin Zihang Yiming Jaime Ruslan Quoc Alec Jeffrey "
    "Rewon David Dario Ilya Tom Benjamin Nick Melanie Yinhan Myle Naman Jingfei Mandar Danqi Omer "
    "Mike Luke Veselin Victor Anna Kelvin Jimmy Ryan Kyunghyun Aaron Richard Yoshua Minh-Thang "
    "Hieu Christopher Dzmitry Xiaolong Ross Abhinav Kaiming Gongbo Annette Rico Houfeng Tianyu "
    "Shuming Tao Tianyi Guodong Jing Chengqi Zhuoran Mingyuan Haiyu Shuai Hongsheng Mingzhou "
    "Derek Baosong Yue Lidia Shohei Ryuichiro Hongyi Po-Hsuan Takehito Masaaki Paul Graham "
    "Sarthak Byron Sarah Yuval Sofia Noah Cansu Thomas Biao Xiangnan Elke Jasmijn Katja Goro "
    "Tatsuki Sho Kentaro Sneha Gungor Rohan Varun Xiaodong Hao Pengcheng Weizhu Yu Hoifung "
    "Jianfeng Wanxiang Ting Bing Shijin Guoping Chen Fabien Kevin Cordelia Chris Jeffrey Michael "
    "Emma Sebastian Iz Kyle Arman Hannah Tal Yonatan Mirella Iryna Nils Jonas Timo Hinrich "
    "Alexis Guillaume Armand Edouard Marie-Anne Thibaut Herve Holger Vishrav Francisco Zhengyan "
    "Xu Zhiyuan Maosong Qun Xin Xuanjing Xipeng Yutai Wanjun Ruobing Fandong Jie Yang Huan Lei"
)
# Surnames weighted like a real NLP author list: a few very common ones, a long tail.
COMMON_LAST = _words("Wang Li Zhang Liu Chen Yang Zhao Huang Zhou Wu Xu Sun Lin Ma Hu Guo He Gao")
LAST = _words(
    "Devlin Chang Lee Toutanova Vaswani Shazeer Parmar Uszkoreit Jones Gomez Kaiser Polosukhin "
    "Raffel Roberts Narang Matena Dai Carbonell Salakhutdinov Le Radford Child Luan Amodei "
    "Sutskever Brown Mann Ryder Subbiah Ott Goyal Du Joshi Levy Lewis Zettlemoyer Stoyanov Sanh "
    "Rogers Kovaleva Rumshisky Ba Kiros Cho Courville Zemel Bengio Luong Pham Manning Bahdanau "
    "Girshick Gupta Tang Rios Sennrich Shen Long Jiang Yi Wong Chao Iida Kimura Cui Hung Utsuro "
    "Nagata Michel Neubig Jain Wallace Wiegreffe Pinter Serrano Smith Sen Hartvigsen Yin Kong "
    "Rundensteiner Bastings Filippova Kobayashi Kuribayashi Yokoi Inui Chaudhari Polatkan "
    "Ramanath Mithal Cheng Poon Che Qin Hu Sun Baradel Murphy Schmid Alberti Ling Collins "
    "Reitter Strubell Ruder Beltagy Lo Cohan Rashkin Linzen Belinkov Lapata Gurevych Reimers "
    "Pfeiffer Schick Schutze Conneau Lample Joulin Grave Lavril Jegou Schwenk Guzman Tu Lan "
    "Socher Karpathy Hinton Vinyals Dean Norouzi Bowman Nangia Warstadt Jurafsky Liang Manning "
    "Hewitt Clark Khandelwal Tenney Petroni Rocktaschel Riedel Glavas Vulic Korhonen Moens "
    "Zhu Xiong Ren Tian Feng Qiu Han Yuan Deng Peng Jin Zheng Xie Song Pan Cao Wei Lu Shi Dong"
)
ACCENTED = (
    "Müller Łukasz Dvořák Çağrı Gräßer Guzmán Zoë Søren José Nuñez Erdős Škoda Ibáñez Ågren "
    "Jäger Kühn Schütze Gaël Aurélien Rémi Bojanowski Hervé Loïc Sébastien Stéphane Andrés "
    "Jesús Mária Ondřej Jiří Tomáš Małgorzata Paweł Bartłomiej Øyvind Håkon Ümit Gökhan"
)
WORDS = _words(
    "attention transformer transformers language model models pre-training pretraining deep "
    "bidirectional representation representations learning neural sequence generation "
    "efficient sparse scaling knowledge distillation retrieval augmented benchmark robust "
    "multilingual contrastive self-supervised fine-tuning zero-shot few-shot reasoning memory "
    "long context graph vision speech translation question answering dialogue summarization "
    "classification encoder decoder masked autoregressive adversarial training compression "
    "pruning quantization linear complexity position positional embeddings tokenization "
    "cross-lingual transfer adaptation domain prompt prompting instruction tuning alignment "
    "evaluation analysis probing interpretability explanation syntax semantics entity relation "
    "extraction recognition named parsing dependency structured unsupervised semi-supervised "
    "generalization data augmentation curriculum optimization gradient layer normalization "
    "recurrent convolutional hierarchical local global multi-head self-attention heads "
    "approximation kernel random features low-rank factorized adaptive span routing mixture "
    "experts conditional computation lightweight mobile inference latency hardware accelerating "
    "image caption video audio multimodal visual grounding commonsense factual consistency "
    "faithfulness hallucination toxicity bias fairness privacy memorization calibration "
    "uncertainty active continual lifelong meta-learning reinforcement reward policy search "
    "planning program synthesis code mathematical symbolic numerical table tabular document "
    "documents passage dense sparse lexical hybrid ranking reranking open-domain conversational "
    "task-oriented slot intent sentiment stance emotion sarcasm hate offensive clinical "
    "biomedical legal financial scientific chemistry protein molecular genomic"
)
CONNECT = _words("for of with in via from towards beyond through using without on")
OPENERS = _words("Towards Rethinking Revisiting Understanding Improving Learning Exploring On")
SUFFIXES = _words("BERT Former Net GPT LM XL T5 ViT Seq DNN Trans Mix Fuse Align")
VENUES = (
    ("ACL", 7, "aclnew"),
    ("EMNLP", 11, "aclnew"),
    ("NAACL", 6, "acl"),
    ("EACL", 4, "acl"),
    ("COLING", 12, "acl"),
    ("CoNLL", 11, "acl"),
    ("ICLR", 5, "openreview"),
    ("NeurIPS", 12, "arxiv"),
    ("ICML", 7, "pmlr"),
    ("AAAI", 2, "arxiv"),
    ("IJCAI", 8, "arxiv"),
    ("CVPR", 6, "arxiv"),
    ("SIGIR", 7, "doi"),
    ("KDD", 8, "doi"),
    ("TACL", None, "doi"),
    ("JMLR", None, "pdf"),
    ("Interspeech", 9, "pdf"),
)
CN_SOURCES = _words(
    "科学空间 机器之心 量子位 美团 张俊林 哈工大SCIR 徐啸 JayLou 李rumor 夕小瑶 PaperWeekly"
)
CN_PHRASES = _words(
    "注意力机制 预训练 语言模型 深度学习 详解 综述 实践 探索 可解释吗 从零实现 一文读懂 "
    "位置编码 线性 稀疏 蒸馏 压缩 加速 知识 多模态 中文 检索 生成 对比学习 提示学习 微调 "
    "指令 对齐 推理 长文本 模型 评测 大盘点 必备 为节约而生 突破瓶颈"
)
EN_BLOGS = (
    ("Google", "https://ai.googleblog.com/{y}/{m:02d}/{slug}.html"),
    ("OpenAI", "https://openai.com/blog/{slug}/"),
    ("Jay Alammar", "https://jalammar.github.io/{slug}/"),
    ("Lilian Weng", "https://lilianweng.github.io/posts/{y}-{m:02d}-01-{slug}/"),
    ("Hugging Face", "https://huggingface.co/blog/{slug}"),
    ("Sebastian Ruder", "https://ruder.io/{slug}/"),
    ("Medium", "https://medium.com/@{user}/{slug}-{hexid}"),
    ("Distill", "https://distill.pub/{y}/{slug}/"),
)
CN_URLS = (
    "https://zhuanlan.zhihu.com/p/{num8}",
    "https://kexue.fm/archives/{num4}",
    "https://mp.weixin.qq.com/s/{token22}",
    "https://tech.meituan.com/{y}/{m:02d}/16/{slug}.html",
)
EXTRA_LABELS = (
    "blog",
    "slides",
    "pt code",
    "tf code",
    "official PyTorch code",
    "中文翻译",
    "video",
)


class _Gen:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.counter = 0
        self.per_prefix: dict[str, int] = {}
        self.vocab = self._vocabulary()
        # Zipf-like weights over ranks (the domain words first): common words often, the long
        # tail rarely, as in real titles.
        self.cum_weights = list(
            itertools.accumulate(1 / (rank + 20) for rank in range(len(self.vocab)))
        )

    # -- pieces --------------------------------------------------------------------------------
    def _vocabulary(self) -> list[str]:
        """Title words: the domain words plus a long tail of rarer technical terms."""
        rng = self.rng
        tail: set[str] = set()
        while len(tail) < 6000:
            a, b = rng.choice(WORDS), rng.choice(WORDS)
            tail.add(f"{a.split('-')[0]}-{b.split('-')[-1]}" if rng.random() < 0.4 else a + b[:4])
        return WORDS + sorted(tail)

    def next_id(self) -> int:
        self.counter += 1
        return self.counter

    def numbered(self, prefix: str) -> int:
        """The next number under a prefix (arXiv month, ACL volume): identifiers never repeat."""
        self.per_prefix[prefix] = self.per_prefix.get(prefix, 0) + 1
        return self.per_prefix[prefix]

    def word(self) -> str:
        return self.rng.choices(self.vocab, cum_weights=self.cum_weights)[0]

    def acronym(self) -> str:
        rng = self.rng
        stem = "".join(rng.choice(string.ascii_uppercase) for _ in range(rng.randint(1, 4)))
        name = stem + rng.choice(SUFFIXES)
        if rng.random() < 0.2:
            name = f"{name}-{rng.choice(['v2', '2', 'Large', 'XL', 'Lite'])}"
        return name

    def title(self) -> tuple[str, str]:
        """(title, nickname)."""
        rng = self.rng
        words = list(dict.fromkeys(self.word() for _ in range(rng.randint(3, 9))))
        for i in range(1, len(words) - 1):
            if rng.random() < 0.18:
                words[i] = rng.choice(CONNECT)
        text = " ".join(w if w in CONNECT else w[:1].upper() + w[1:] for w in words)
        nickname = ""
        r = rng.random()
        if r < 0.45:
            nickname = self.acronym()
            text = f"{nickname}: {text}"
        elif r < 0.55:
            text = f"{rng.choice(OPENERS)} {text}"
        elif r < 0.6:
            text = f"{text}?"
        if not nickname and rng.random() < 0.25:
            nickname = self.acronym()
        return text, nickname

    def person(self) -> str:
        rng = self.rng
        r = rng.random()
        if r < 0.30:
            last = rng.choice(COMMON_LAST)
        elif r < 0.42:
            last = rng.choice(ACCENTED)
        else:
            last = rng.choice(LAST)
        first = rng.choice(FIRST)
        if rng.random() < 0.08:
            first = f"{first} {rng.choice(string.ascii_uppercase)}."
        if rng.random() < 0.03:
            return f"{first} van der {last}"
        return f"{first} {last}"

    def venue(self, year: int) -> tuple[str, str]:
        """(venue text, identifier family)."""
        rng = self.rng
        r = rng.random()
        if r < 0.28:
            return f"CoRR {year}", "arxiv"
        name, _, family = rng.choice(VENUES)
        r = rng.random()
        if r < 0.05 and family in ("acl", "aclnew"):
            return f"Findings of EMNLP {max(year, 2020)}", "aclnew"
        if r < 0.08:
            return f"RepL4NLP@{name} {year}", family
        if r < 0.10:
            return f"{name} {year} Workshop", family
        if r < 0.14:
            return f"{name}{year}", family
        return f"{name} {year}", family

    def paper_url(self, family: str, year: int) -> str:
        rng = self.rng
        n = self.next_id()
        yymm = f"{year % 100:02d}{rng.randint(1, 12):02d}"
        if family == "arxiv" or (family == "pdf" and rng.random() < 0.5):
            arxiv = f"{yymm}.{self.numbered(yymm):05d}"
            return (
                f"https://arxiv.org/abs/{arxiv}"
                if rng.random() < 0.75
                else f"https://arxiv.org/pdf/{arxiv}.pdf"
            )
        if family == "acl" and year >= 2020:
            family = "aclnew"  # old-style ids ended with 2019
        if family == "acl":
            letter = rng.choice("PNDEW")
            volume = f"{letter}{year % 100:02d}"
            return f"https://www.aclweb.org/anthology/{volume}-{self.numbered(volume):04d}/"
        if family == "aclnew":
            event = rng.choice(["acl-main", "emnlp-main", "findings-emnlp", "naacl-main"])
            return f"https://aclanthology.org/{year}.{event}.{n}/"
        if family == "openreview":
            token = "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(10))
            return f"https://openreview.net/forum?id={token}"
        if family == "pmlr":
            return f"http://proceedings.mlr.press/v{rng.randint(80, 200)}/paper{n}a.html"
        if family == "doi":
            return f"https://dl.acm.org/doi/10.1145/{3300000 + n}.{3400000 + n}"
        return f"https://papers.example.org/{year}/paper-{n}.pdf"

    def code_url(self) -> str:
        owner = "".join(self.rng.choice(string.ascii_lowercase) for _ in range(7))
        return f"https://github.com/{owner}/{self.acronym().lower()}"

    # -- entries -------------------------------------------------------------------------------
    def paper(self) -> str:
        rng = self.rng
        year = rng.randint(2015, 2024)
        title, nickname = self.title()
        venue, family = self.venue(year)
        links = [("paper", self.paper_url(family, year))]
        r = rng.random()
        if r < 0.45:
            links.append(("code", self.code_url()))
        if r < 0.08:  # the many-links shape
            for _ in range(rng.randint(2, 4)):
                links.append((rng.choice(EXTRA_LABELS), self.code_url()))
        link_text = "".join(f"[[{label}]]({url})" for label, url in links)
        if rng.random() < 0.2:
            link_text = link_text.replace(")[[", ") [[", 1)
        venue_part = f"（{venue}）" if rng.random() < 0.02 else f"({venue})"
        nick = f" - ***{nickname}***" if nickname and rng.random() < 0.8 else ""
        if rng.random() < 0.72:
            authors = ", ".join(self.person() for _ in range(rng.randint(1, 9)))
            return f"**{title}**. *{authors}*. {venue_part} {link_text}{nick}"
        return f"{title} {venue_part} {link_text}{nick}"

    def blog(self) -> str:
        rng = self.rng
        source, pattern = rng.choice(EN_BLOGS)
        title, _ = self.title()
        slug = "-".join(title.lower().replace(":", "").replace("?", "").split()[:6])
        url = pattern.format(
            y=rng.randint(2016, 2024),
            m=rng.randint(1, 12),
            slug=f"{slug}-{self.next_id()}",
            user=source.lower().replace(" ", ""),
            hexid=f"{rng.getrandbits(48):012x}",
        )
        line = f"[{source} / {title}]({url})"
        if rng.random() < 0.15:
            line += f" [[code]]({self.code_url()})"
        return line

    def cnblog(self) -> str:
        rng = self.rng
        phrases = [rng.choice(CN_PHRASES) for _ in range(rng.randint(2, 5))]
        if rng.random() < 0.6:
            phrases.insert(rng.randrange(len(phrases) + 1), rng.choice(["Transformer", "BERT"]))
        sep = rng.choice(["", "：", "，", " ", "："])
        title = sep.join(phrases)
        if rng.random() < 0.3:
            title = f"{title}（{rng.randint(2017, 2024)}版）"
        url = rng.choice(CN_URLS).format(
            num8=10_000_000 + self.next_id(),
            num4=1000 + self.next_id(),
            token22="".join(rng.choice(string.ascii_letters + string.digits) for _ in range(22)),
            y=rng.randint(2017, 2024),
            m=rng.randint(1, 12),
            slug=f"post-{self.next_id()}",
        )
        return f"[{rng.choice(CN_SOURCES)} / {title}]({url})"

    def repo(self) -> str:
        rng = self.rng
        owner = "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(4, 10)))
        name = f"{self.acronym().lower()}-{rng.choice(WORDS)}"
        if rng.random() < 0.3:
            description = "".join(rng.choice(CN_PHRASES) for _ in range(3))
        else:
            description = " ".join(self.word() for _ in range(rng.randint(3, 10))).capitalize()
        return f"[{owner} / {name}](https://github.com/{owner}/{name}) - {description}"

    def near_duplicate(self, line: str) -> str:
        """Another work whose title differs from the line's by one character."""
        if not line.startswith("**"):
            return ""
        end = line.index("**", 2)
        title = line[2:end]
        pos = self.rng.randrange(1, len(title))
        changed = title[:pos] + ("s" if title[pos] != "s" else "z") + title[pos + 1 :]
        year = self.rng.randint(2015, 2024)
        return (
            f"**{changed}**. *{self.person()}, {self.person()}*. (CoRR {year}) "
            f"[[paper]]({self.paper_url('arxiv', year)})"
        )


def generate(n: int, seed: int = 1) -> str:
    """A Markdown list of exactly ``n`` entries (duplicates and near-duplicates included)."""
    gen = _Gen(seed)
    rng = gen.rng
    n_dup = round(n * 0.02)
    n_near = round(n * 0.005)
    n_fresh = n - n_dup - n_near
    # entries[section][subsection] -> lines
    layout: dict[str, dict[str, list[str]]] = {
        s: {sub: [] for sub, _, _ in SUBSECTIONS} for s in SECTIONS
    }
    weights = [share for _, share, _ in SUBSECTIONS]
    placed: list[tuple[str, str, str]] = []
    for _ in range(n_fresh):
        section = rng.choice(SECTIONS)
        sub, _, family = rng.choices(SUBSECTIONS, weights)[0]
        line = getattr(gen, family)()
        layout[section][sub].append(line)
        placed.append((section, sub, line))
    for _ in range(n_dup):
        section, sub, line = rng.choice(placed)
        other = rng.choice([s for s in SECTIONS if s != section])
        if rng.random() < 0.3 and "https://arxiv.org/abs/" in line:
            abs_url = line.split("https://arxiv.org/abs/", 1)[1].split(")", 1)[0]
            line = line.replace(f"abs/{abs_url})", f"pdf/{abs_url}.pdf)")
        layout[other][sub].append(line)
    papers = [p for p in placed if p[2].startswith("**")]
    made = 0
    while made < n_near:
        section, sub, line = rng.choice(papers)
        layout[section][sub].append(gen.near_duplicate(line))
        made += 1
    out = [
        "# Synthetic ATPapers\n",
        f"Generated by bench/gen_list.py: {n} entries, seed {seed}.\n",
        "\n",
    ]
    for section in SECTIONS:
        out.append(f"## {section}\n")
        for sub, _, _ in SUBSECTIONS:
            lines = layout[section][sub]
            if not lines:
                continue
            out.append(f"### {sub}\n")
            out.extend(f"- {line}\n" for line in lines)
        out.append("\n")
    return "".join(out)


if __name__ == "__main__":
    import sys

    sys.stdout.write(generate(int(sys.argv[1]) if len(sys.argv) > 1 else 1000))
