"""Zotero group sync: the list and a shared Zotero group library kept in step.

The package follows the functional core / imperative shell split:

- :mod:`atbib.zotero.mapping` — a work <-> Zotero item fields, pure, one table both ways;
- :mod:`atbib.zotero.state` — the committed sync state file (what was last synced);
- :mod:`atbib.zotero.plan` — the pure three-way planner (base, list, Zotero -> actions);
- :mod:`atbib.zotero.listedit` — list edits applied to the Markdown document, pure;
- :mod:`atbib.zotero.client` — the only module that talks HTTP (through pyzotero);
- :mod:`atbib.zotero.sync` — the shell: read files, pull, plan, write, push;
- :mod:`atbib.zotero.cli` — the ``atbib zotero`` commands (click only).

Importing this package imports nothing else: pyzotero and its HTTP client are loaded only
when a command actually talks to Zotero.
"""
