"""atbib's benchmark suite: ``python -m bench`` (see bench/run.py and docs/performance.md).

Only the standard library is imported here: bench.worker also runs under an interpreter
without atbib (the bibtexparser 2 baseline).
"""
