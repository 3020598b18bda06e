"""Synthetic lists for the kill and lock tests: big enough that writing bib/ takes a while, so
a kill or a second process lands in the middle of the writes, and realistic enough that every
entry is its own work (unique titles and arXiv identifiers, list-style lines)."""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

_WORDS = [
    "attention",
    "transformer",
    "pretrained",
    "language",
    "model",
    "sparse",
    "efficient",
    "long",
    "range",
    "memory",
    "graph",
    "vision",
    "speech",
    "translation",
    "retrieval",
    "distillation",
    "quantization",
]
_VENUES = ("ACL 2019", "EMNLP 2020", "NeurIPS 2018", "ICLR 2021", "NAACL 2019", "TACL 2020")
_GIVEN = ("Ann", "Bo", "Chen", "Dmitry", "Eva", "José")
_FAMILY = ("Li", "Smith", "Wang", "Müller", "Ivanov", "van der Berg")


def big_list(entries: int, *, variant: int = 0, seed: int = 1) -> str:
    """A list of about ``entries`` entries in three ``##`` sections of three subsections.

    ``variant`` 1 is the same list edited: every seventh title changed, entries added at the
    end of each subsection and a section ``## Added`` appended; so every bib/ file differs
    between the variants and one file is new.
    """
    rng = random.Random(seed)
    per = max(1, entries // 9)
    out = ["# A big synthetic list", ""]
    sections = [f"Section {s}" for s in range(3)] + (["Added"] if variant else [])
    for s, section in enumerate(sections):
        out.append(f"## {section}")
        for sub in range(3):
            out.append(f"### Papers {sub}")
            count = per + (per // 10 if variant else 0)
            for i in range(count if section != "Added" else 3):
                number = (s * 3 + sub) * 2500 + i
                words = [rng.choice(_WORDS) for _ in range(6)]
                title = " ".join([words[0].capitalize(), *words[1:], str(number)])
                if variant and i % 7 == 0:
                    title += " Revisited"
                authors = ", ".join(
                    f"{rng.choice(_GIVEN)} {rng.choice(_FAMILY)}{number % 97}"
                    for _ in range(rng.randint(1, 5))
                )
                arxiv = f"{19 + number % 3}{number % 12 + 1:02d}.{number:05d}"
                out.append(
                    f"- **{title}**. *{authors}*. ({rng.choice(_VENUES)}) "
                    f"[[paper]](https://arxiv.org/abs/{arxiv})"
                )
            out.append("")
    return "\n".join(out) + "\n"


def make_project(folder: Path, list_text: str) -> Path:
    """A project folder with a pyproject.toml (so no parent's settings apply) and the list."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "pyproject.toml").write_text(
        '[tool.atbib]\nlist = "README.md"\nbib-dir = "bib"\n', encoding="utf-8"
    )
    (folder / "README.md").write_text(list_text, encoding="utf-8")
    return folder


def atbib(folder: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run the real command in ``folder``."""
    result = subprocess.run(
        [sys.executable, "-m", "atbib", *args],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if check and result.returncode != 0:
        raise AssertionError(f"atbib {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
    return result


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file of a folder (not recursive), by name."""
    if not folder.is_dir():
        return {}
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}
