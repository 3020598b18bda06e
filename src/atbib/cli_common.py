"""What every ``atbib`` command shares: error reporting and the ``--list``/``--bib-dir``
options. Used by :mod:`atbib.cli` and :mod:`atbib.zotero.cli`.

Imports only click and the standard library when loaded, so ``atbib check`` and ``import
atbib`` never load more than they need.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])

LIST_HELP = "The Markdown list [default: [tool.atbib] list, else README.md]."
BIB_DIR_HELP = "Folder for the .bib files [default: [tool.atbib] bib-dir, else bib]."


def debugging() -> bool:
    """Whether the running ``atbib`` command was given ``--debug``."""
    ctx = click.get_current_context(silent=True)
    if ctx is None:
        return False
    obj = ctx.find_root().obj
    return bool(isinstance(obj, dict) and obj.get("debug"))


def reports_errors(*, resumable: bool = False) -> Callable[[F], F]:
    """Bad input ends the command with one clear line and exit status 2, never a traceback;
    a bug with its traceback (masked) and exit status 1. The API key never reaches the
    terminal. With *resumable*, an interrupted command says that running it again finishes
    it (exit status 130), as the Zotero sync does."""

    def decorate(func: F) -> F:
        @wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            from atbib.errors import AtbibError

            try:
                return func(*args, **kwargs)
            except (AtbibError, OSError):
                if debugging():
                    click.echo(_masked_traceback(), err=True)
                _one_line()
            except KeyboardInterrupt:
                if not resumable:
                    raise
                click.echo("atbib: interrupted; run the command again to finish", err=True)
                sys.exit(130)
            except Exception:
                click.echo(_masked_traceback(), err=True)
                click.echo("atbib: internal error (please report it)", err=True)
                sys.exit(1)

        return wrapper  # type: ignore[return-value]

    return decorate


def _masked_traceback() -> str:
    """The traceback being handled, keys masked. atbib.masking loads logging and traceback
    (2.7 ms): only a command that fails needs them."""
    from atbib.masking import masked_traceback

    return masked_traceback()


def _one_line() -> None:
    """The exception being handled as the one line for the user (and exit status 2)."""
    from atbib.errors import AtbibError, BibtexError
    from atbib.masking import mask

    try:
        raise
    except BibtexError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        count = len(exc.problems)
        click.echo(
            f"atbib: error: {count} error{'s' if count != 1 else ''} in the .bib input; "
            "nothing was changed",
            err=True,
        )
        sys.exit(2)
    except AtbibError as exc:
        click.echo(mask(f"atbib: error: {exc}"), err=True)
        sys.exit(2)
    except OSError as exc:
        click.echo(mask(f"atbib: error: {exc.filename or ''}: {exc.strerror or exc}"), err=True)
        sys.exit(2)


def paths_options(*, bib_dir_help: str = BIB_DIR_HELP) -> Callable[[F], F]:
    """``--list`` and ``--bib-dir``, given to the command as ``list_path`` and ``bib_dir``."""

    def decorate(func: F) -> F:
        func = click.option("--bib-dir", type=click.Path(file_okay=False), help=bib_dir_help)(func)
        return click.option("--list", "list_path", type=click.Path(dir_okay=False), help=LIST_HELP)(
            func
        )

    return decorate
