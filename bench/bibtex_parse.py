"""Benchmark atbib's BibTeX reader against pybtex and bibtexparser 2.

Generates a realistic, seeded .bib corpus (``@string`` macros, ``#`` concatenation, LaTeX
accents, UTF-8 names, ``{Protected}`` words, article/inproceedings/misc, 3-10 authors,
abstracts, DBLP/ACL-style keys) and prints the median of N in-process timings per parser, in
µs per entry.

bibtexparser 2 cannot live in atbib's environment (pyzotero pins bibtexparser<2), so it is
timed in a subprocess of another interpreter given with ``--bp2-python`` (a throwaway venv,
e.g. ``python -m venv /tmp/bp2 && /tmp/bp2/bin/pip install bibtexparser==2.1.0``); the timing
itself is still in-process there, the same way.

    python bench/bibtex_parse.py                      # 10k and 50k entries, 5 reps
    python bench/bibtex_parse.py -n 1000 --reps 3 --bp2-python /tmp/bp2/bin/python
    python bench/bibtex_parse.py --write corpus.bib -n 10000   # just write the corpus
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

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


def generate(n: int, seed: int = 42) -> str:
    """A realistic .bib text of *n* entries (plus the @string block)."""
    rng = random.Random(seed)
    out = [f"% Generated by bench/bibtex_parse.py; seed {seed}\n\n"]
    for name, value in STRINGS.items():
        out.append(f'@string{{{name} = "{value}"}}\n')
    out.append("\n")
    for i in range(n):
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
                fields.append(("journal", "{CoRR}"))
                fields.append(
                    ("volume", f"{{abs/{year % 100:02d}{rng.randint(1, 12):02d}.{i:05d}}}")
                )
            if fields[-1][0] == "journal":
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
                arxiv = f"{year % 100:02d}{rng.randint(1, 12):02d}.{rng.randint(0, 99999):05d}"
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
                fields.append(("doi", f"{{10.18653/v1/N19-{i % 10000:04d}}}"))
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
        body = ",\n".join(f"  {name} = {value}" for name, value in fields)
        out.append(f"@{etype}{{{key},\n{body}\n}}\n\n")
    return "".join(out)


def _median_time(fn, text: str, reps: int) -> float:
    times = []
    for _ in range(reps):
        gc.collect()
        t0 = time.perf_counter()
        fn(text)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


_BP2_SNIPPET = """
import gc, json, statistics, sys, time
import bibtexparser
text = open(sys.argv[1], encoding="utf-8").read()
reps = int(sys.argv[2])
times = []
for _ in range(reps):
    gc.collect()
    t0 = time.perf_counter()
    lib = bibtexparser.parse_string(text)
    times.append(time.perf_counter() - t0)
print(json.dumps({"median": statistics.median(times), "entries": len(lib.entries),
                  "failed": len(lib.failed_blocks), "version": bibtexparser.__version__}))
"""


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-n", type=int, nargs="+", default=[10_000, 50_000])
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument(
        "--bp2-python",
        default="/tmp/bp2venv/bin/python",
        help="interpreter with bibtexparser 2 installed ('' to skip)",
    )
    ap.add_argument("--no-pybtex", action="store_true")
    ap.add_argument("--write", help="write the corpus of the first -n to this path and exit")
    args = ap.parse_args(argv)

    if args.write:
        Path(args.write).write_text(generate(args.n[0]), encoding="utf-8")
        return 0

    from atbib.bibtex.parse import parse_bibtex

    for n in args.n:
        text = generate(n)
        print(f"== {n} entries, {len(text):,} bytes; median of {args.reps} in-process runs")
        res = parse_bibtex(text)
        assert len(res.entries) == n, (len(res.entries), res.problems[:3])
        errors = [p for p in res.problems if p.severity == "error"]
        assert not errors, errors[:3]
        t = _median_time(parse_bibtex, text, args.reps)
        rows = [("atbib parse_bibtex", t)]
        if args.bp2_python and Path(args.bp2_python).exists():
            with tempfile.NamedTemporaryFile("w", suffix=".bib", encoding="utf-8") as f:
                f.write(text)
                f.flush()
                out = subprocess.run(
                    [args.bp2_python, "-c", _BP2_SNIPPET, f.name, str(args.reps)],
                    check=True,
                    capture_output=True,
                    text=True,
                ).stdout
            r = json.loads(out)
            assert r["entries"] == n and r["failed"] == 0, r
            rows.append((f"bibtexparser {r['version']} parse_string", r["median"]))
        if not args.no_pybtex:
            import pybtex.database

            rows.append(
                (
                    "pybtex parse_string",
                    _median_time(
                        lambda s: pybtex.database.parse_string(s, "bibtex"), text, args.reps
                    ),
                )
            )
        base = dict(rows).get("atbib parse_bibtex")
        for label, secs in rows:
            print(
                f"  {label:34s} {secs:8.3f} s  {secs / n * 1e6:7.1f} µs/entry"
                f"  (atbib/this = {base / secs:.2f})"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
