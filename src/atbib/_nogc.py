"""Pause the cycle collector while a function builds a large structure that stays alive.

CPython runs a collection each time 700 more container objects have been allocated than freed,
and a full one each time the old generation has grown by a quarter, walking every live object.
Reading a list of 100,000 entries allocates millions of objects that all stay alive, so the
collector walks the growing data again and again: half the time of ``read_markdown`` at that
size, and more than linear in it. These objects form no reference cycles, so the walks find
nothing. Mercurial does the same for its big indexes (``util.nogc``).

Nested calls leave the collector to the outermost one, and it is switched back on even when
the function raises. Garbage cycles made meanwhile are collected later, as usual.
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


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
            gc.enable()

    return wrapper
