"""A synthetic .bib file of any size, deterministic for a seed.

Realistic for the files people import: ``@string`` macros and ``#`` concatenation; article,
inproceedings and misc entries; 3-10 authors, ~15 % of names with accents written either as
UTF-8 or as LaTeX (``Guzm{\\'a}n``, ``{\\L}ukasz``), von particles and ``Jr.``, corporate
names in braces; titles with ``{Protected}`` words and some math; DBLP-, ACL- and
Scholar-style keys; arXiv eprints (``eprint``/``archivePrefix``/``primaryClass``, DBLP's
``abs/`` volumes); DOIs, pages, month macros, keywords, abstracts with ``\\%`` and ``\\&``;
~8 % of values in quotes. About 2 % of the entries are duplicates of another entry under a new
key: half verbatim copies, half the published version (``@inproceedings`` with a DOI) of an
arXiv preprint.
"""

from __future__ import annotations

import random

FIRST = [
    "Jacob",
    "Ming-Wei",
    "Kenton",
    "Kristina",
    "Ashish",
    "Noam",
    "Niki",
    "Jakob",
    "Llion",
    "Aidan",
    "Lukasz",
    "Illia",
    "Colin",
    "Adam",
    "Katherine",
    "Sharan",
    "Michael",
    "Yanqi",
    "Wei",
    "Peter",
    "Zhilin",
    "Zihang",
    "Yiming",
    "Jaime",
    "Ruslan",
    "Quoc",
    "Alec",
    "Jeffrey",
    "Rewon",
    "David",
    "Dario",
    "Ilya",
    "Tom",
    "Benjamin",
    "Nick",
    "Melanie",
    "Yinhan",
    "Myle",
    "Naman",
    "Jingfei",
    "Mandar",
    "Danqi",
    "Omer",
    "Mike",
    "Luke",
    "Veselin",
    "Victor",
    "Anna",
]
LAST = [
    "Devlin",
    "Chang",
    "Lee",
    "Toutanova",
    "Vaswani",
    "Shazeer",
    "Parmar",
    "Uszkoreit",
    "Jones",
    "Gomez",
    "Kaiser",
    "Polosukhin",
    "Raffel",
    "Roberts",
    "Narang",
    "Matena",
    "Zhou",
    "Li",
    "Liu",
    "Yang",
    "Dai",
    "Carbonell",
    "Salakhutdinov",
    "Le",
    "Radford",
    "Wu",
    "Child",
    "Luan",
    "Amodei",
    "Sutskever",
    "Brown",
    "Mann",
    "Ryder",
    "Subbiah",
    "Ott",
    "Goyal",
    "Du",
    "Joshi",
    "Chen",
    "Levy",
    "Lewis",
    "Zettlemoyer",
    "Stoyanov",
    "Sanh",
    "Rogers",
    "Kovaleva",
    "Rumshisky",
]
# (UTF-8 spelling, LaTeX spelling)
ACCENTED = [
    ("Guzmán", r"Guzm{\'a}n"),
    ("Łukasz", r"{\L}ukasz"),
    ("Dvořák", r"Dvo{\v{r}}{\'a}k"),
    ("Çağrı", r"{\c{C}}a{\u{g}}r{\i}"),
    ("Gräßer", r"Gr{\"a}{\ss}er"),
    ("Müller", r"M{\"u}ller"),
    ("Zoë", r"Zo{\"e}"),
    ("Søren", r"S{\o}ren"),
    ("José", r"Jos{\'e}"),
    ("Nuñez", r"Nu{\~n}ez"),
    ("Erdős", r"Erd{\H{o}}s"),
    ("Škoda", r"{\v{S}}koda"),
]
VON = [("van der", "Maaten"), ("de la", "Fuente"), ("von", "Luxburg"), ("van", "Durme")]
WORDS = [
    "attention",
    "transformer",
    "language",
    "model",
    "pre-training",
    "deep",
    "bidirectional",
    "representation",
    "learning",
    "neural",
    "sequence",
    "generation",
    "efficient",
    "sparse",
    "scaling",
    "knowledge",
    "distillation",
    "retrieval",
    "augmented",
    "benchmark",
    "robust",
    "multilingual",
    "contrastive",
    "self-supervised",
    "fine-tuning",
    "zero-shot",
    "few-shot",
    "reasoning",
    "memory",
    "long",
    "context",
    "graph",
    "vision",
    "speech",
    "translation",
]
ACRONYMS = ["BERT", "GPT", "XLNet", "RoBERTa", "T5", "ELECTRA", "ALBERT", "ERNIE", "PAC", "LSTM"]
STRINGS = {
    "acl": "Proceedings of the Annual Meeting of the Association for Computational Linguistics",
    "emnlp": "Proceedings of the Conference on Empirical Methods in Natural Language Processing",
    "naacl": "Proceedings of the Conference of the North {American} Chapter of the {ACL}",
    "neurips": "Advances in Neural Information Processing Systems",
    "iclr": "International Conference on Learning Representations",
    "jmlr": "Journal of Machine Learning Research",
    "tacl": "Transactions of the Association for Computational Linguistics",
    "procof": "Proceedings of the",
}
MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]


def _person(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.15:
        utf8, latex = rng.choice(ACCENTED)
        surname = utf8 if rng.random() < 0.5 else latex
        first = rng.choice(FIRST)
        return f"{surname}, {first}" if rng.random() < 0.5 else f"{first} {surname}"
    if r < 0.20:
        von, last = rng.choice(VON)
        first = rng.choice(FIRST)
        if rng.random() < 0.3:
            return f"{von} {last}, Jr., {first}"
        return f"{first} {von} {last}" if rng.random() < 0.5 else f"{von} {last}, {first}"
    if r < 0.22:
        return "{" + rng.choice(["Google Brain Team", "OpenAI", "BigScience Workshop"]) + "}"
    first, last = rng.choice(FIRST), rng.choice(LAST)
    return f"{last}, {first}" if rng.random() < 0.5 else f"{first} {last}"


def _title(rng: random.Random) -> str:
    words = [rng.choice(WORDS).capitalize() for _ in range(rng.randint(4, 11))]
    if rng.random() < 0.7:
        words.insert(rng.randrange(len(words)), "{" + rng.choice(ACRONYMS) + "}")
    if rng.random() < 0.1:
        words.append("in $O(n \\log n)$ Time")
    if rng.random() < 0.1:
        words.insert(0, "{{PAC}-{Bayes}}:")
    return " ".join(words)


def _abstract(rng: random.Random) -> str:
    sentences = []
    for _ in range(rng.randint(3, 7)):
        s = " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 20)))
        sentences.append(s.capitalize() + ".")
    sentences.insert(
        1,
        f"We improve accuracy by {rng.randint(1, 30)}.{rng.randint(0, 9)}\\% "
        "on {GLUE} \\& {SQuAD}.",
    )
    text = " ".join(sentences)
    # wrap like an editor would
    out, line = [], []
    for w in text.split():
        line.append(w)
        if sum(len(x) + 1 for x in line) > 70:
            out.append(" ".join(line))
            line = []
    out.append(" ".join(line))
    return "\n    ".join(out)


def _val(rng: random.Random, v: str) -> str:
    if rng.random() < 0.08 and '"' not in v:
        return f'"{v}"'
    return "{" + v + "}"


def generate(n: int, seed: int = 42, duplicates: float = 0.02) -> str:
    """A realistic .bib text of exactly *n* entries (plus the @string block), of which about
    ``duplicates`` are another entry's work under a new key."""
    rng = random.Random(seed)
    out = [f"% Generated by bench/gen_bib.py: {n} entries, seed {seed}\n\n"]
    for name, value in STRINGS.items():
        out.append(f'@string{{{name} = "{value}"}}\n')
    out.append("\n")
    n_dup = round(n * duplicates)
    entries: list[tuple[str, str, list[tuple[str, str]]]] = []
    arxiv_numbers: dict[str, int] = {}

    def arxiv_id(year: int) -> str:
        yymm = f"{year % 100:02d}{rng.randint(1, 12):02d}"
        arxiv_numbers[yymm] = arxiv_numbers.get(yymm, 0) + 1
        return f"{yymm}.{arxiv_numbers[yymm]:05d}"

    for i in range(n - n_dup):
        year = rng.randint(2015, 2024)
        authors = [_person(rng) for _ in range(rng.randint(3, 10))]
        first_last = LAST[i % len(LAST)].lower()
        kind = rng.random()
        style = rng.random()
        if style < 0.2:
            key = f"DBLP:journals/corr/abs-{year % 100:02d}{rng.randint(1, 12):02d}-{i:05d}"
        elif style < 0.4:
            key = f"{first_last}-etal-{year}-{rng.choice(WORDS).replace('-', '')}{i}"
        else:
            key = f"{first_last}{year}{rng.choice(WORDS).replace('-', '')}{i}"
        fields: list[tuple[str, str]] = [
            ("author", _val(rng, " and ".join(authors))),
            ("title", _val(rng, _title(rng))),
        ]
        if kind < 0.3:
            etype = "article"
            if rng.random() < 0.5:
                fields.append(("journal", rng.choice(["jmlr", "tacl"])))
            else:
                arxiv = arxiv_id(year)
                fields.append(("journal", "{CoRR}"))
                fields.append(("volume", f"{{abs/{arxiv}}}"))
                fields += [("eprint", "{" + arxiv + "}"), ("eprinttype", "{arXiv}")]
            if fields[-1][0] == "journal":  # not CoRR
                fields.append(("volume", str(rng.randint(1, 30))))
            fields.append(("number", str(rng.randint(1, 12))))
        elif kind < 0.72:
            etype = "inproceedings"
            r = rng.random()
            if r < 0.3:
                fields.append(("booktitle", rng.choice(["acl", "emnlp", "naacl", "neurips"])))
            elif r < 0.5:
                fields.append(
                    (
                        "booktitle",
                        f'procof # " {year} " # {{Conference on {rng.choice(WORDS).capitalize()}}}',
                    )
                )
            else:
                fields.append(
                    ("booktitle", _val(rng, f"Proceedings of {rng.choice(ACRONYMS)} {year}"))
                )
            fields.append(
                (
                    "address",
                    _val(
                        rng, rng.choice(["Minneapolis, Minnesota", "Online", "Vancouver, Canada"])
                    ),
                )
            )
            fields.append(("publisher", "{Association for Computational Linguistics}"))
        else:
            etype = "misc"
            if rng.random() < 0.6:
                arxiv = arxiv_id(year)
                fields += [
                    ("eprint", "{" + arxiv + "}"),
                    ("archivePrefix", "{arXiv}"),
                    ("primaryClass", "{cs.CL}"),
                    ("url", "{https://arxiv.org/abs/" + arxiv + "}"),
                ]
                if rng.random() < 0.3:
                    fields.append(("howpublished", "{arXiv preprint arXiv:" + arxiv + "}"))
            else:
                fields.append(
                    ("howpublished", f"{{\\url{{https://example.org/blog/post?id={i}&ref=x_y}}}}")
                )
                fields.append(("note", '"Accessed: " # {2024-01-0' + str(rng.randint(1, 9)) + "}"))
        fields.append(("year", str(year) if rng.random() < 0.5 else f"{{{year}}}"))
        if rng.random() < 0.6:
            fields.append(("month", rng.choice(MONTHS)))
        if etype != "misc":
            p = rng.randint(1, 9000)
            fields.append(("pages", _val(rng, f"{p}--{p + rng.randint(5, 15)}")))
            if rng.random() < 0.7:
                fields.append(("doi", f"{{10.18653/v1/{year}.main.{i}}}"))
        if rng.random() < 0.5:
            fields.append(("keywords", "{" + ", ".join(rng.sample(WORDS, 3)) + "}"))
        if style < 0.2:
            fields += [
                ("timestamp", "{Tue, 30 Oct 2018 20:39:56 +0100}"),
                ("biburl", f"{{https://dblp.org/rec/journals/corr/abs-{i}.bib}}"),
                ("bibsource", "{dblp computer science bibliography, https://dblp.org}"),
            ]
        if rng.random() < 0.3:
            fields.append(("abstract", "{" + _abstract(rng) + "}"))
        entries.append((etype, key, fields))
    preprints = [e for e in entries if e[0] == "misc" and any(f[0] == "eprint" for f in e[2])]
    for j in range(n_dup):
        etype, key, fields = rng.choice(entries)
        if j % 2 and preprints:
            # The published version of a preprint: same authors and title, a venue and a DOI.
            etype, key, fields = rng.choice(preprints)
            published = next(v for f, v in fields if f == "year").strip("{}")
            fields = [f for f in fields if f[0] in ("author", "title", "eprint", "archivePrefix")]
            fields += [
                ("booktitle", rng.choice(["acl", "emnlp", "naacl", "neurips"])),
                ("year", published),
                ("doi", f"{{10.18653/v1/{published}.published.{j}}}"),
            ]
            etype = "inproceedings"
        at = rng.randrange(len(entries) + 1)
        entries.insert(at, (etype, f"{key}-dup{j}", fields))
    for etype, key, fields in entries:
        body = ",\n".join(f"  {name} = {value}" for name, value in fields)
        out.append(f"@{etype}{{{key},\n{body}\n}}\n\n")
    return "".join(out)
