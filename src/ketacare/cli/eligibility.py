"""CLI commands for the eligibility domain: ``ketacare screen``.

``ketacare screen --json < input.json`` reads one JSON object on stdin, screens it with the core
rules and prints the decision. ``ketacare screen --schema`` prints the JSON Schema of the input.
Malformed input (bad JSON, unknown fields or ids, wrong types) prints a message naming the field
on stderr and exits with code 2. The command holds no rules of its own.
"""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from ketacare.cli._errors import fail, with_field
from ketacare.core.eligibility import INPUT_SCHEMA, parse_screening_input, screen
from ketacare.core.eligibility.screening import ScreeningResult
from ketacare.core.errors import DomainError

_SEVERITY_STYLE = {"block": "bold red", "review": "yellow", "info": "cyan"}
_DECISION_STYLE = {
    "eligible": "bold green",
    "needs_review": "bold yellow",
    "ineligible": "bold red",
}


def screen_cmd(
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the decision as one JSON document.")
    ] = False,
    schema: Annotated[
        bool, typer.Option("--schema", help="Print the JSON Schema of the input and exit.")
    ] = False,
) -> None:
    """Screen a patient for a protocol: reads one JSON object on stdin."""
    if schema:
        typer.echo(json.dumps(INPUT_SCHEMA, indent=2))
        return
    result = _screen_stdin(sys.stdin.read())
    if as_json:
        typer.echo(json.dumps(result.as_dict()))
    else:
        _print_human(result)


def _screen_stdin(text: str) -> ScreeningResult:
    try:
        document: Any = json.loads(text)
    except json.JSONDecodeError as exc:
        raise fail(
            f"input is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
        ) from exc
    try:
        return screen(parse_screening_input(document))
    except DomainError as exc:
        raise fail(with_field(exc)) from exc


def _print_human(result: ScreeningResult) -> None:
    console = Console()
    data = result.as_dict()
    decision = data["decision"]
    console.print(f"Decision: [{_DECISION_STYLE[decision]}]{decision}[/]")
    trd, msm = data["trd"], data["msm"]
    console.print(f"TRD: {trd['adequate_failed_trials']} adequate failed trials, met={trd['met']}")
    msm_text = "not computed" if msm["score"] is None else f"{msm['score']} ({msm['band']})"
    console.print(f"MSM: {msm_text}")
    table = Table(show_lines=True)
    table.add_column("Severity", no_wrap=True)
    table.add_column("Code", no_wrap=True)
    table.add_column("Message", ratio=3)
    table.add_column("Source", ratio=2)
    for reason in data["reasons"]:
        style = _SEVERITY_STYLE[reason["severity"]]
        # Text, not markup: sources contain "[found: ...]" tags that Rich would swallow.
        table.add_row(
            Text(reason["severity"], style=style),
            Text(reason["code"]),
            Text(reason["message"]),
            Text(reason["source"]),
        )
    console.print(table)
    console.print(f"Ruleset {data['ruleset_version']}; not medical advice.")


def register(app: typer.Typer) -> None:
    """Add this domain's commands to the main app."""
    app.command("screen")(screen_cmd)
