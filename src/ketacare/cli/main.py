"""The ``ketacare`` command line: one Typer app, one module per domain.

Each domain module exposes ``register(app)`` that adds its commands or sub-apps; this keeps the
entry point a plain list and every command's code next to its domain.
"""

from __future__ import annotations

from typing import Any

import typer
from sqlalchemy.exc import DataError, IntegrityError, OperationalError

# Typer vendors click; its groups are invoked with the vendored Context.
from typer._click.core import Context as ClickContext
from typer.core import TyperGroup

from ketacare.cli import admin, dosing, eligibility, instruments, outcomes, pk, worker
from ketacare.cli._errors import EXIT_INVALID, fail
from ketacare.core.errors import DomainError

EXIT_UNAVAILABLE = 1


class GuardedGroup(TyperGroup):
    """The root command: every expected error is one line on stderr and an exit code.

    A refused rule (``DomainError``), a clash with existing data (an id that does not exist,
    a duplicate) or a value the database cannot hold is the caller's mistake: exit 2, nothing
    saved (the unit of work rolled back). An unreachable database exits 1. No traceback.
    """

    def invoke(self, ctx: ClickContext) -> Any:
        try:
            return super().invoke(ctx)
        except DomainError as exc:
            raise fail(exc) from None
        except IntegrityError:
            raise _exit(
                "Error: the change clashes with existing data (an id that does not exist, or a "
                "duplicate); nothing was saved.",
                EXIT_INVALID,
            ) from None
        except (DataError, OverflowError):
            raise _exit(
                "Error: a value is outside what can be stored; nothing was saved.", EXIT_INVALID
            ) from None
        except OperationalError:
            raise _exit(
                "Error: the database is unavailable; nothing was saved.", EXIT_UNAVAILABLE
            ) from None


def _exit(message: str, code: int) -> typer.Exit:
    typer.echo(message, err=True)
    return typer.Exit(code)


app = typer.Typer(
    cls=GuardedGroup,
    name="ketacare",
    help="KetaCare: ketamine therapy clinic platform.",
    no_args_is_help=True,
    add_completion=False,
)


@app.callback()
def _root() -> None:
    """KetaCare: ketamine therapy clinic platform."""


for _module in (admin, instruments, eligibility, dosing, pk, outcomes, worker):
    _module.register(app)


@app.command()
def version() -> None:
    """Print the KetaCare version."""
    from ketacare import __version__

    typer.echo(__version__)
