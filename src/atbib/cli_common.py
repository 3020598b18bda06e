"""What every ``atbib`` command shares, so that a command adopts the conventions in one place.

A command made with ``@main.command(...)`` or ``@zotero.command(...)`` is a :class:`Command`
(a command made on its own, like ``@click.command(cls=Command, ...)``, is one too). It gets:

- the exit status rule (:data:`OK`, :data:`FINDINGS`, :data:`BAD_INPUT`, :data:`INTERNAL`,
  :data:`INTERRUPTED`), printed at the end of its ``--help`` with what ``findings`` means
  for it;
- ``-q``/``--quiet``, ``-v``/``--verbose`` and ``--debug``, and ``--format`` when it
  declares ``formats``; the command prints through :func:`atbib.cli_output.output`, which
  applies them;
- errors as one line: a usage error or bad input ends it with status 2, an interrupt with
  130, a bug with its (masked) traceback and status 3.

Imports only click and the standard library when loaded, so ``atbib check`` and ``import
atbib`` never load more than they need.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from typing import Any, NoReturn, TypeVar

import click

from atbib.cli_output import Output, set_output

F = TypeVar("F", bound=Callable[..., Any])

OK = 0
"""Done; nothing found."""
FINDINGS = 1
"""Done, and something was found that the user must act on: bib/ is stale, lint errors,
conflicts left, what Zotero refused."""
BAD_INPUT = 2
"""A usage error or bad input (an option, the configuration, a file): nothing was changed."""
INTERNAL = 3
"""A bug in atbib: its traceback is printed; please report it."""
INTERRUPTED = 130
"""Interrupted (Ctrl-C), as shells report a SIGINT."""

LIST_HELP = "The Markdown list [default: [tool.atbib] list, else README.md]."
BIB_DIR_HELP = "Folder for the .bib files [default: [tool.atbib] bib-dir, else bib]."
DEBUG_HELP = (
    "Show the traceback of an error, and log what atbib and its HTTP client do (every "
    "request) on standard error. The Zotero API key is masked everywhere."
)
_DEBUG = "atbib.debug"
"""Key of ``Context.meta`` (shared by a command and its group) that says ``--debug`` was
given, before or after the command's name."""


def exit_status_help(done: str, findings: str | None, resumable: bool) -> str:
    """The ``Exit status`` paragraph of a command's ``--help``."""
    rows = [(OK, done)]
    if findings:
        rows.append((FINDINGS, findings))
    rows.append((BAD_INPUT, "usage or input error (an option, the configuration, a file)"))
    rows.append((INTERNAL, "internal error: a bug, please report it"))
    rows.append(
        (INTERRUPTED, "interrupted" + ("; run the command again to finish" if resumable else ""))
    )
    return "\b\nExit status:\n" + "\n".join(f"  {code:<4} {text}" for code, text in rows)


def debugging() -> bool:
    """Whether the running ``atbib`` command was given ``--debug``."""
    ctx = click.get_current_context(silent=True)
    return bool(ctx is not None and ctx.meta.get(_DEBUG))


def start_debugging(ctx: click.Context) -> None:
    """Turn on ``--debug`` for the rest of the run: tracebacks, and the log of atbib and its
    HTTP client on standard error (keys masked)."""
    if ctx.meta.get(_DEBUG):
        return
    ctx.meta[_DEBUG] = True
    from atbib.masking import debug_logging

    ctx.find_root().with_resource(debug_logging())


class Command(click.Command):
    """A command that follows atbib's conventions (see the module docstring).

    *done* says what exit status 0 means, *findings* what 1 means (``None``: the command
    never exits 1), *formats* the ``--format`` choices beyond ``text``, and *resumable*
    that running an interrupted command again finishes it."""

    def __init__(
        self,
        *args: Any,
        done: str = "done",
        findings: str | None = None,
        formats: Sequence[str] = (),
        resumable: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.resumable = resumable
        self.params.extend(_common_options(formats))
        status = exit_status_help(done, findings, resumable)
        self.epilog = f"{self.epilog}\n\n{status}" if self.epilog else status

    def invoke(self, ctx: click.Context) -> Any:
        quiet, verbose = ctx.params.pop("quiet"), ctx.params.pop("verbose")
        if quiet and verbose:
            raise click.UsageError("give -q/--quiet or -v/--verbose, not both", ctx)
        set_output(ctx, Output(quiet, verbose, ctx.params.pop("output_format", "text")))
        if ctx.params.pop("debug"):
            start_debugging(ctx)
        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except KeyboardInterrupt:
            again = "; run the command again to finish" if self.resumable else ""
            click.echo(f"atbib: interrupted{again}", err=True)
            sys.exit(INTERRUPTED)
        except Exception as exc:
            _fail(exc)


def _common_options(formats: Sequence[str]) -> list[click.Option]:
    options = [
        click.Option(
            ["-q", "--quiet"],
            is_flag=True,
            help="Print only findings, warnings and errors: no progress, notes or summary.",
        ),
        click.Option(["-v", "--verbose"], is_flag=True, help="Print more detail."),
        click.Option(["--debug"], is_flag=True, help=DEBUG_HELP),
    ]
    if formats:
        choices = ["text", *formats]
        options.insert(
            0,
            click.Option(
                ["--format", "output_format"],
                type=click.Choice(choices),
                default="text",
                show_default=True,
                help="How to print the result: text for people, "
                + " or ".join(formats)
                + " for programs (see the guide's Machine-readable output).",
            ),
        )
    return options


def _fail(exc: Exception) -> NoReturn:
    """Bad input as one line (exit status 2), never a traceback unless ``--debug``; anything
    else is a bug: its traceback, keys masked, and exit status 3."""
    from atbib.errors import AtbibError, BibtexError
    from atbib.masking import mask, masked_traceback

    if not isinstance(exc, AtbibError | OSError):
        click.echo(masked_traceback(), err=True)
        click.echo("atbib: internal error (a bug: please report it)", err=True)
        sys.exit(INTERNAL)
    if debugging():
        click.echo(masked_traceback(), err=True)
    if isinstance(exc, BibtexError):
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        count = len(exc.problems)
        click.echo(
            f"atbib: error: {count} error{'s' if count != 1 else ''} in the .bib input; "
            "nothing was changed",
            err=True,
        )
    elif isinstance(exc, AtbibError):
        click.echo(mask(f"atbib: error: {exc}"), err=True)
    else:
        click.echo(mask(f"atbib: error: {_os_error(exc)}"), err=True)
    sys.exit(BAD_INPUT)


def _os_error(exc: OSError) -> str:
    where = exc.filename or ""
    return f"{where}: {exc.strerror or exc}" if where else str(exc.strerror or exc)


class Group(click.Group):
    """The ``atbib`` group and its subgroups: their commands are :class:`Command` s, and a
    usage error anywhere is one line and exit status 2."""

    command_class = Command
    group_class = type

    def main(self, *args: Any, **kwargs: Any) -> Any:
        kwargs["standalone_mode"] = False
        try:
            status = super().main(*args, **kwargs)
        except click.exceptions.NoArgsIsHelpError as exc:
            exc.show()
            sys.exit(BAD_INPUT)
        except click.exceptions.UsageError as exc:
            where = exc.ctx.command_path if exc.ctx is not None else "atbib"
            click.echo(f"atbib: error: {exc.format_message()} (see `{where} --help`)", err=True)
            sys.exit(BAD_INPUT)
        except click.ClickException as exc:
            click.echo(f"atbib: error: {exc.format_message()}", err=True)
            sys.exit(BAD_INPUT)
        except click.exceptions.Abort:
            click.echo("atbib: interrupted", err=True)
            sys.exit(INTERRUPTED)
        sys.exit(status if isinstance(status, int) else OK)


def paths_options(*, bib_dir_help: str = BIB_DIR_HELP) -> Callable[[F], F]:
    """``--list`` and ``--bib-dir``, given to the command as ``list_path`` and ``bib_dir``."""

    def decorate(func: F) -> F:
        func = click.option("--bib-dir", type=click.Path(file_okay=False), help=bib_dir_help)(func)
        return click.option("--list", "list_path", type=click.Path(dir_okay=False), help=LIST_HELP)(
            func
        )

    return decorate
