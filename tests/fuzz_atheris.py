"""Coverage-guided fuzzing of the readers with atheris (libFuzzer), for long runs by hand.

Not part of the test suite (atheris is not in the test extra). It checks the same properties
as tests/test_fuzz.py (see tests/fuzz.py), starting from the same corpora::

    pip install atheris
    python tests/fuzz_atheris.py markdown -atheris_runs=200000 -max_len=200000 -timeout=10
    python tests/fuzz_atheris.py bibtex -atheris_runs=500000 -max_len=200000 -timeout=10

The seed corpus is written to a temporary folder; libFuzzer's flags follow the reader's name.
A failed property is a crash: libFuzzer writes the input to ``crash-*`` and stops; replay it
with ``python tests/fuzz_atheris.py markdown crash-...``.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import atheris

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

with atheris.instrument_imports(include=["atbib"]):
    from tests import fuzz


def _text(data: bytes) -> str:
    # Half the inputs with lone surrogates (surrogateescape), half as a UTF-8 file holds them.
    if data[:1] == b"\x00":
        return data[1:].decode("utf-8", "replace")
    return data.decode("utf-8", "surrogateescape")


def markdown(data: bytes) -> None:
    fuzz.check_markdown(_text(data), 0, export_every=1)


def bibtex(data: bytes) -> None:
    fuzz.check_bibtex(_text(data))


def main() -> None:
    name = sys.argv[1]
    target = {"markdown": markdown, "bibtex": bibtex}[name]
    corpus = fuzz.markdown_corpus() if name == "markdown" else fuzz.bibtex_corpus()
    args = [sys.argv[0], *sys.argv[2:]]
    if not any(not a.startswith("-") for a in sys.argv[2:]):
        seeds = Path(tempfile.mkdtemp(prefix=f"atbib-{name}-"))
        for number, text in enumerate(corpus):
            (seeds / f"seed-{number}").write_bytes(text.encode("utf-8"))
            # Smaller seeds too: libFuzzer mutates short inputs much faster.
            for start in range(0, len(text), 4000):
                (seeds / f"seed-{number}-{start}").write_bytes(
                    text[start : start + 4000].encode("utf-8")
                )
        args.append(str(seeds))
    atheris.Setup(args, target)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
