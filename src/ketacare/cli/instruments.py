"""CLI commands for the instruments domain: ``instruments list|show`` and ``score``.

Contract (other programs call these): ``--json`` prints exactly one JSON document on stdout;
malformed input prints a message on stderr and exits with code 2; a scored form exits 0
even when it is not valid (too many missing items).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from ketacare.cli._errors import fail
from ketacare.core.errors import DomainError, Invalid
from ketacare.core.instruments import load_catalogue, parse_token, score
from ketacare.core.instruments.catalogue_loader import Catalogue
from ketacare.core.instruments.describe import definition, summary
from ketacare.core.instruments.model import Answer, Instrument, ItemKind
from ketacare.core.instruments.overlay import apply_overlays
from ketacare.core.instruments.result import ScoreResult
from ketacare.services.assessments.licensed_text import load_licensed_text_dir

LICENSED_TEXT_ENV = "KETACARE_LICENSED_TEXT_DIR"

instruments_app = typer.Typer(
    help="Rating instruments: list and show the catalogue.", no_args_is_help=True
)


def _catalogue_with_text(directory: Path | None) -> Catalogue:
    catalogue = load_catalogue()
    if directory is None:
        return catalogue
    if not directory.is_dir():
        raise fail(f"licensed text directory {directory} does not exist")
    try:
        return apply_overlays(catalogue, load_licensed_text_dir(directory))
    except (DomainError, ValueError) as exc:
        raise fail(str(exc)) from exc


@instruments_app.command("list")
def list_cmd(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """List the instruments in the catalogue."""
    entries = [summary(i) for i in load_catalogue().list()]
    if as_json:
        typer.echo(json.dumps(entries))
        return
    table = Table(title=f"Instrument catalogue {load_catalogue().version}")
    for column in ("id", "name", "items", "rater", "licence", "ships text", "LOINC panel"):
        table.add_column(column)
    for e in entries:
        table.add_row(
            e["id"],
            e["name"],
            str(e["items"]),
            e["rater"],
            e["licence"],
            "yes" if e["ships_text"] else "no",
            e["loinc_panel"] or "-",
        )
    Console().print(table)


@instruments_app.command("show")
def show_cmd(
    instrument_id: Annotated[str, typer.Argument(metavar="ID", help="Instrument id, e.g. phq9.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    with_licensed_text: Annotated[
        bool, typer.Option("--with-licensed-text", help="Include the clinic's licensed wording.")
    ] = False,
    licensed_text_dir: Annotated[
        Path | None,
        typer.Option(envvar=LICENSED_TEXT_ENV, help="Directory of licensed-wording overlays."),
    ] = None,
) -> None:
    """Show one instrument's definition (without licensed wording by default)."""
    catalogue = _catalogue_with_text(licensed_text_dir if with_licensed_text else None)
    instrument = _get(catalogue, instrument_id)
    data = definition(instrument, include_licensed_text=with_licensed_text)
    if as_json:
        typer.echo(json.dumps(data))
        return
    console = Console()
    console.print(f"[bold]{instrument.name}[/bold] ({instrument.id}) - {instrument.source}")
    table = Table()
    for column in ("item", "label", "domain", "answers"):
        table.add_column(column)
    for item in instrument.items:
        answers = "yes/no" if item.kind == ItemKind.YES_NO else f"{item.min}..{item.max}"
        table.add_row(
            item.id,
            item.text if with_licensed_text and item.text else item.label,
            item.domain or "",
            answers,
        )
    console.print(table)


def _get(catalogue: Catalogue, instrument_id: str) -> Instrument:
    try:
        return catalogue.get(instrument_id)
    except DomainError as exc:
        raise fail(exc.message) from exc


def parse_context(pairs: list[str]) -> dict[str, str]:
    """Parse ``key=value`` pairs.

    Raises:
        Invalid: ``instrument.bad_context`` for a pair without ``=``.
    """
    context: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            msg = f"context {pair!r} is not key=value"
            raise Invalid("instrument.bad_context", msg, field="context")
        context[key.strip()] = value.strip()
    return context


def parse_answers(instrument: Instrument, text: str) -> list[Answer]:
    """Parse the comma-separated answers in item order (``""``/``-`` = unanswered)."""
    tokens = text.split(",")
    parsed = [
        parse_token(item, token) for item, token in zip(instrument.items, tokens, strict=False)
    ]
    return parsed + [None] * (len(tokens) - len(parsed))


def score_cmd(
    instrument_id: Annotated[str, typer.Argument(metavar="ID", help="Instrument id, e.g. phq9.")],
    answers: Annotated[str, typer.Option("--answers", help='Values in item order: "1,2,,yes".')],
    context: Annotated[
        list[str] | None, typer.Option("--context", help="Extra input key=value (repeatable).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Score one completed form."""
    instrument = _get(load_catalogue(), instrument_id)
    try:
        result = score(instrument, parse_answers(instrument, answers), parse_context(context or []))
    except DomainError as exc:
        raise fail(exc.message) from exc
    if as_json:
        typer.echo(json.dumps(result.as_dict()))
        return
    _print_result(instrument, result)


def _print_result(instrument: Instrument, result: ScoreResult) -> None:
    console = Console()
    status = "[green]valid[/green]" if result.valid else "[red]not valid[/red]"
    console.print(f"[bold]{instrument.short_name}[/bold]: {status}")
    console.print(f"total: {result.total if result.total is not None else '-'}")
    console.print(f"severity: {result.severity or '-'}")
    for name, value in result.subscales.items():
        console.print(f"  {name}: {value if value is not None else '-'}")
    for flag in result.flags:
        console.print(f"[bold red]flag:[/bold red] {flag}")
    for line in (*result.errors, *result.warnings):
        console.print(f"[yellow]{line}[/yellow]")


def register(app: typer.Typer) -> None:
    """Add this domain's commands to the main app."""
    app.add_typer(instruments_app, name="instruments")
    app.command("score")(score_cmd)
