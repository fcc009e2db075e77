"""How every CLI command refuses: one line on stderr, exit code 2, never a traceback.

``fail`` prints and returns the ``typer.Exit`` for the caller to raise (``raise fail(...)``),
so type checkers see the command end there. Commands word a domain error the way their own
output always has: the operating commands as ``Error (<field>): <message>``, the clinical
calculators as ``error: ...`` with the code (``coded``) or the field (``with_field``).
"""

from __future__ import annotations

import typer

from ketacare.core.errors import DomainError

EXIT_INVALID = 2


def fail(problem: str | DomainError) -> typer.Exit:
    """Print why the command refuses; return the exit (code 2) to raise."""
    if isinstance(problem, DomainError):
        field = f" ({problem.field})" if problem.field else ""
        typer.echo(f"Error{field}: {problem.message}", err=True)
    else:
        typer.echo(f"error: {problem}", err=True)
    return typer.Exit(EXIT_INVALID)


def coded(error: DomainError) -> str:
    """``<code>: <message> (field: <name>[, limit: <limit>])``: the dose commands' wording."""
    limit = error.extra.get("limit")
    named = [f"field: {error.field}"] if error.field else []
    named += [f"limit: {limit}"] if limit else []
    return f"{error.code}: {error.message}" + (f" ({', '.join(named)})" if named else "")


def with_field(error: DomainError) -> str:
    """The message, naming the field unless the message already does."""
    if error.field is None or error.field in error.message:
        return error.message
    return f"{error.message} (field: {error.field})"
