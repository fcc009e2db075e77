"""``ketacare outcomes``: a patient's outcome summary for one instrument, from the database.

Contract: ``--json`` prints exactly the JSON the API's ``/outcomes`` endpoint returns; an
unknown patient or instrument, or a series without a valid score, prints a message on stderr
and exits 2. The read is audited as a server-operator action.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from ketacare.cli._errors import fail
from ketacare.cli.context import settings_or_exit, unit_of_work
from ketacare.core.errors import DomainError
from ketacare.services.assessments.outcomes import outcomes_for_operator
from ketacare.services.audit import AuditContext
from ketacare.services.clock import SystemClock

OPERATOR = AuditContext(actor=None, client_address="cli")


def outcomes_cmd(
    patient: Annotated[int, typer.Option("--patient", help="Patient id.")],
    instrument: Annotated[str, typer.Option("--instrument", help="Instrument id, e.g. phq9.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Baseline, latest, percent change, response, remission and relapse for one instrument."""
    settings = settings_or_exit()
    try:
        with unit_of_work(settings) as db:
            report = outcomes_for_operator(
                db,
                patient_id=patient,
                instrument_id=instrument,
                at=SystemClock().now(),
                ctx=OPERATOR,
            )
            data = report.as_dict()
    except DomainError as exc:
        raise fail(exc) from exc
    if as_json:
        typer.echo(json.dumps(data))
        return
    _print(data)


def _yes_no(value: Any) -> str:
    if value is None:
        return "not assessable"
    return "yes" if value else "no"


def _print(data: dict[str, Any]) -> None:
    change = data["percent_change"]
    lines = [
        f"Patient {data['patient_id']} - {data['instrument']} (rules {data['rules_version']})",
        f"baseline: {data['baseline']['total']} at {data['baseline']['at']}"
        f" ({data['baseline_rule']})",
        f"latest:   {data['latest']['total']} at {data['latest']['at']}",
        f"change:   {data['absolute_change']:+g}"
        + ("" if change is None else f" ({change:+.1f} %)"),
        f"response: {_yes_no(data['response'])}",
        f"remission: {_yes_no(data['remission'])}",
        f"relapse:  {_yes_no(data['relapse'])}",
    ]
    if data["first_response_at"]:
        hours = data["hours_to_response"]
        after = "" if hours is None else f", {hours:g} h after first treatment"
        lines.append(f"first response: {data['first_response_at']}{after}")
    lines.extend(f"note: {note}" for note in data["notes"])
    typer.echo("\n".join(lines))


def register(app: typer.Typer) -> None:
    """Add this domain's commands to the main app."""
    app.command("outcomes")(outcomes_cmd)
