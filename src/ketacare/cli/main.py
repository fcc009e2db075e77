"""The ``ketacare`` command line: one Typer app, one module per domain.

Each domain module exposes ``register(app)`` that adds its commands or sub-apps; this keeps the
entry point a plain list and every command's code next to its domain.
"""

from __future__ import annotations

import typer

from ketacare.cli import admin, dosing, eligibility, instruments, outcomes, pk, worker

app = typer.Typer(
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
