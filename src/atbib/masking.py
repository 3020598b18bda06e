"""The Zotero API key never leaves the process: every message, traceback and log record atbib
shows goes through :func:`mask`, and ``atbib --debug`` logs through a masking formatter.

Light on purpose (the standard library only): the CLI loads it for every command.
"""

from __future__ import annotations

import importlib
import logging
import os
import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

KEY_ENV = "ZOTERO_API_KEY"
SECRETS: set[str] = set()
"""API keys this process has read (from the environment or the keyring)."""

DEBUG_LOGGERS = ("atbib", "pyzotero", "httpx2", "httpcore2", "httpx", "httpcore")
"""What ``--debug`` shows: atbib's own records and every request of the HTTP client."""


def secret(variable: str, service: str, user: str) -> str | None:
    """An API key: ``$variable``, else the system keyring's ``service``/``user`` entry
    (``keyring set service user``), remembered so that every message masks it; ``None`` when
    neither has one, ``""`` when the keyring package is not installed (the extra
    ``atbib[keyring]``) and the variable is not set. Never read from an option or a file
    atbib writes."""
    key = os.environ.get(variable, "").strip()
    if not key:
        try:
            keyring: Any = importlib.import_module("keyring")  # the optional extra
        except ImportError:
            return ""
        try:
            key = str(keyring.get_password(service, user) or "").strip()
        except Exception:  # a keyring backend that cannot answer is no key
            key = ""
        if not key:
            return None
    SECRETS.add(key)
    return key


def mask(text: str) -> str:
    """``text`` with every API key this process read, and the one in ``$ZOTERO_API_KEY``,
    replaced by ``****``."""
    secrets = set(SECRETS)
    key = os.environ.get(KEY_ENV, "").strip()
    if key:
        secrets.add(key)
    for secret in sorted(secrets, key=len, reverse=True):
        if secret and secret in text:
            text = text.replace(secret, "****")
    return text


def masked_traceback() -> str:
    """The traceback of the exception being handled, keys masked."""
    return mask(traceback.format_exc())


class MaskingFormatter(logging.Formatter):
    """Formats a record as usual (arguments, exception and stack included), then masks it."""

    def format(self, record: logging.LogRecord) -> str:
        return mask(super().format(record))


@contextmanager
def debug_logging(stream: object = None) -> Iterator[logging.Handler]:
    """Log :data:`DEBUG_LOGGERS` at DEBUG level to ``stream`` (standard error) through a
    :class:`MaskingFormatter`, and put everything back afterwards."""
    handler = logging.StreamHandler(stream or sys.stderr)  # type: ignore[arg-type]
    handler.setFormatter(MaskingFormatter("atbib debug: %(name)s: %(message)s"))
    handler.setLevel(logging.DEBUG)
    saved = []
    for name in DEBUG_LOGGERS:
        logger = logging.getLogger(name)
        saved.append((logger, logger.level))
        logger.setLevel(logging.DEBUG)
        logger.addHandler(handler)
    try:
        yield handler
    finally:
        for logger, level in saved:
            logger.removeHandler(handler)
            logger.setLevel(level)
        handler.close()
