"""Pause the cycle collector while a function builds a large structure that stays alive.

CPython runs a collection each time 700 more container objects have been allocated than freed,
and a full one each time the old generation has grown by a quarter, walking every live object.
Reading a list of 100,000 entries allocates millions of objects that all stay alive, so the
collector walks the growing data again and again: half the time of ``read_markdown`` at that
size, and more than linear in it. These objects form no reference cycles, so the walks find
nothing. Mercurial does the same for its big indexes (``util.nogc``).

Switching the collector back on would still walk them once: everything allocated while it was
paused sits in the young generation, whose allocation count is far past its threshold, so the
next allocation collects it all (a tenth of ``read_bibtex`` on 10,000 entries). So the objects
are moved to the oldest generation first, as ``gc.freeze()`` then ``gc.unfreeze()`` do without
walking them (documented: unfreeze puts the frozen objects back into the oldest generation).
They are collected by the next full collection, like any long-lived object. This is skipped
when the program has frozen objects of its own (``gc.get_freeze_count()``), which unfreezing
would release.

Nested calls leave the collector to the outermost one, and it is switched back on even when
the function raises. Garbage cycles made meanwhile are collected later, as usual.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


def _resume() -> None:
    if gc.get_freeze_count() == 0:
        gc.freeze()
        gc.unfreeze()
    gc.enable()


@contextmanager
def paused() -> Iterator[None]:
    """The cycle collector paused for the ``with`` block (if it was running)."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        _resume()


def nogc(func: Callable[P, R]) -> Callable[P, R]:
    """Run ``func`` with the cycle collector paused (if it was running)."""

    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        if not gc.isenabled():
            return func(*args, **kwargs)
        gc.disable()
        try:
            return func(*args, **kwargs)
        finally:
            _resume()

    return wrapper
