"""The one exception type atbib raises for bad input; the CLI prints it as one line."""

from __future__ import annotations


class AtbibError(Exception):
    """Bad input or an impossible request, with a message fit for the user (file and line)."""
