"""``atbib fill``: complete a list's works from outside metadata (arXiv, Semantic Scholar,
the ACL Anthology, Crossref, OpenReview, DBLP, a local .bib file) into ``bib/metadata.tsv``.

Layout, the Zotero sync's: pure adapters (:mod:`atbib.fill.sources`) and pure rules
(:mod:`atbib.fill.resolve` matches and merges, :mod:`atbib.fill.complete` applies the result
to a work, :mod:`atbib.fill.job` plans the files), one HTTP executor
(:mod:`atbib.fill.fetch`), and :mod:`atbib.fill.run` asking the sources in batches through it.
"""
