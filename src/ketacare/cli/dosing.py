"""CLI commands for the dosing domain: ``ketacare dose`` and ``ketacare protocols ...``.

Thin adapter: parses options into the services' one dose question (``DoseInputs`` and
``PatientFacts``, as the API's schemas do), asks ``services.orders.dose``, prints. Any refused
input or order (``Invalid`` or a hard-limit ``RuleViolation``) prints
``error: <code>: <message> (field: <name>[, limit: <limit>])`` on stderr and exits with code 2;
the field is the input at fault (``dose_mg_per_kg``, ``duration_min`` ...) and, for a hard limit,
``limit`` names the limit (``mg_per_kg``, ``mg_per_day`` ...).

``ketacare dose --json`` prints ``DoseCalculation.as_dict()``: the order's figures plus ``limits``
(one ``{name, value, soft, hard, unit, source, config, derived}`` per limit of the protocol, where
``soft`` and ``hard`` are ``{"min", "max"}`` objects or null) and ``override_reasons_required``
(the codes of the findings that need a prescriber's reason).
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from ketacare.cli._errors import coded, fail
from ketacare.core.codes import SexAtBirth
from ketacare.core.dosing.config import DosingConfig
from ketacare.core.dosing.library import get_protocol, list_protocols
from ketacare.core.dosing.limits import PriorDose
from ketacare.core.dosing.order import DoseCalculation
from ketacare.core.dosing.protocol import propose_induction_dates
from ketacare.core.errors import DomainError, Invalid
from ketacare.core.patients.body_weight import WeightBasis
from ketacare.core.units import to_decimal
from ketacare.services.orders.dose import DoseInputs, PatientFacts, calculate_typed_in

protocols_app = typer.Typer(help="Treatment protocol library.", no_args_is_help=True)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON document on stdout.")]


def register(app: typer.Typer) -> None:
    """Add this domain's commands to the main app."""
    app.command("dose")(dose_cmd)
    app.add_typer(protocols_app, name="protocols")


def _dec(value: float | None, field: str) -> Decimal | None:
    return None if value is None else to_decimal(value, field=field)


def _parse_date(value: str | None, field: str) -> date:
    if value is None:
        return datetime.now(UTC).date()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise Invalid("cli.bad_date", f"{field} must be YYYY-MM-DD", field=field) from None


def _prior(values: list[str] | None) -> tuple[PriorDose, ...]:
    """Parse ``--other-session YYYY-MM-DD:MG`` options."""
    result = []
    for value in values or []:
        day, _, amount = value.partition(":")
        if not amount:
            raise Invalid(
                "cli.bad_other_session", "use --other-session YYYY-MM-DD:MG", field="other_session"
            )
        result.append(
            PriorDose(_parse_date(day, "other_session"), to_decimal(amount, field="other_session"))
        )
    return tuple(result)


def dose_cmd(
    protocol: Annotated[str, typer.Option("--protocol", help="Protocol id.")],
    weight_kg: Annotated[float, typer.Option("--weight-kg", help="Actual body weight (kg).")],
    height_cm: Annotated[float | None, typer.Option("--height-cm")] = None,
    sex_at_birth: Annotated[SexAtBirth | None, typer.Option("--sex-at-birth")] = None,
    weight_basis: Annotated[WeightBasis | None, typer.Option("--weight-basis")] = None,
    dose_mg_per_kg: Annotated[float | None, typer.Option("--dose-mg-per-kg")] = None,
    rate_mg_per_kg_per_h: Annotated[float | None, typer.Option("--rate-mg-per-kg-per-h")] = None,
    duration_min: Annotated[int | None, typer.Option("--duration-min")] = None,
    concentration_mg_per_ml: Annotated[
        float | None, typer.Option("--concentration-mg-per-ml", help="Stock concentration.")
    ] = None,
    final_volume_ml: Annotated[
        float | None, typer.Option("--final-volume-ml", help="Volume after dilution (bag).")
    ] = None,
    dose_mg: Annotated[float | None, typer.Option("--dose-mg", help="Fixed dose.")] = None,
    first_dose: Annotated[bool, typer.Option("--first-dose", help="First session.")] = False,
    age_years: Annotated[int | None, typer.Option("--age-years")] = None,
    weight_date: Annotated[
        str | None, typer.Option("--weight-date", help="YYYY-MM-DD; default today.")
    ] = None,
    today: Annotated[str | None, typer.Option("--today", help="Order date; default today.")] = None,
    bolus_mg_per_kg: Annotated[
        float | None, typer.Option("--bolus-mg-per-kg", help="Loading bolus (pain protocols).")
    ] = None,
    bolus_mg: Annotated[float | None, typer.Option("--bolus-mg", help="Bolus in mg.")] = None,
    other_session: Annotated[
        list[str] | None,
        typer.Option(
            "--other-session",
            help="Another session of the patient, YYYY-MM-DD:MG (repeat); for mg/day and /7 days.",
        ),
    ] = None,
    low_dose_rate_ceiling: Annotated[
        bool,
        typer.Option(
            "--low-dose-rate-ceiling",
            help="Jurisdiction setting: Pennsylvania 2020 <= 1 mg/kg/h as a hard rate ceiling.",
        ),
    ] = False,
    json_output: JsonOpt = False,
) -> None:
    """Calculate a dose, rates, volumes and pump settings for a protocol."""
    try:
        order_date = _parse_date(today, "today")
        facts = PatientFacts.typed_in(
            weight_kg=to_decimal(weight_kg, field="weight_kg"),
            weight_measured_on=_parse_date(weight_date, "weight_date")
            if weight_date
            else order_date,
            height_cm=_dec(height_cm, "height_cm"),
            sex_at_birth=sex_at_birth,
            age_years=age_years,
        )
        inputs = DoseInputs(
            protocol_id=protocol,
            weight_basis=weight_basis,
            dose_mg_per_kg=_dec(dose_mg_per_kg, "dose_mg_per_kg"),
            rate_mg_per_kg_per_h=_dec(rate_mg_per_kg_per_h, "rate_mg_per_kg_per_h"),
            duration_min=duration_min,
            concentration_mg_per_ml=_dec(concentration_mg_per_ml, "concentration_mg_per_ml"),
            final_volume_ml=_dec(final_volume_ml, "final_volume_ml"),
            dose_mg=_dec(dose_mg, "dose_mg"),
            first_dose=first_dose,
            bolus_mg_per_kg=_dec(bolus_mg_per_kg, "bolus_mg_per_kg"),
            bolus_mg=_dec(bolus_mg, "bolus_mg"),
        )
        result = calculate_typed_in(
            inputs,
            facts,
            today=order_date,
            others=_prior(other_session),
            config=DosingConfig(low_dose_rate_ceiling=low_dose_rate_ceiling),
        )
    except DomainError as error:
        raise fail(coded(error)) from error
    if json_output:
        typer.echo(json.dumps(result.as_dict()))
        return
    _print_dose(result)


def _print_dose(result: DoseCalculation) -> None:
    data = result.as_dict()
    table = Table(title=f"Dose: {result.protocol_id}", show_header=False)
    for key, value in data.items():
        if key not in ("warnings", "limits") and value is not None:
            table.add_row(key, str(value))
    console = Console()
    console.print(table)
    limits = Table(title="Limits (soft: no reason needed inside; hard: refused above)")
    for column in ("limit", "this order", "soft", "hard", "unit"):
        limits.add_column(column)
    for check in result.limits:
        limits.add_row(
            check.name,
            _text(check.value),
            _span(check.soft),
            _span(check.hard),
            check.unit,
        )
    console.print(limits)
    for finding in result.findings:
        mark = "OVERRIDE REQUIRED" if finding.requires_override else "warning"
        console.print(f"[bold]{mark}[/bold] {finding.code}: {finding.message}", markup=True)


def _text(value: Decimal | None) -> str:
    return "-" if value is None else format(value.quantize(Decimal("0.001")).normalize(), "f")


def _span(bounds: tuple[Decimal | None, Decimal | None] | None) -> str:
    if bounds is None:
        return "-"
    low, high = bounds
    return f"{'' if low is None else _text(low)}..{'' if high is None else _text(high)}"


@protocols_app.command("list")
def protocols_list_cmd(json_output: JsonOpt = False) -> None:
    """List the protocols: id, name, drug, route, indications, dose rule, source."""
    summaries = [p.summary() for p in list_protocols()]
    if json_output:
        typer.echo(json.dumps(summaries))
        return
    table = Table(title="Protocols")
    for column in ("id", "drug", "route", "dose_rule", "indications"):
        table.add_column(column)
    for item in summaries:
        table.add_row(
            item["id"],
            item["drug"],
            item["route"],
            item["dose_rule"],
            ", ".join(item["indications"]),
        )
    Console().print(table)


@protocols_app.command("show")
def protocols_show_cmd(
    protocol_id: Annotated[str, typer.Argument(metavar="ID", help="Protocol id.")],
    json_output: JsonOpt = False,
) -> None:
    """Show one protocol in full (limits, schedules, sources)."""
    try:
        protocol = get_protocol(protocol_id)
    except DomainError as error:
        raise fail(coded(error)) from error
    data = protocol.to_dict()
    if json_output:
        typer.echo(json.dumps(data))
        return
    _print_mapping(data)


@protocols_app.command("schedule")
def protocols_schedule_cmd(
    protocol_id: Annotated[str, typer.Argument(metavar="ID", help="Protocol id.")],
    start: Annotated[str, typer.Option("--start", help="First session, YYYY-MM-DD.")],
    template: Annotated[str | None, typer.Option("--template", help="Template id.")] = None,
    json_output: JsonOpt = False,
) -> None:
    """Propose induction session dates from a start date."""
    try:
        dates = propose_induction_dates(
            get_protocol(protocol_id), _parse_date(start, "start"), template_id=template
        )
    except DomainError as error:
        raise fail(coded(error)) from error
    if json_output:
        typer.echo(json.dumps({"protocol": protocol_id, "dates": [d.isoformat() for d in dates]}))
        return
    for number, day in enumerate(dates, start=1):
        typer.echo(f"{number:2d}  {day.isoformat()}  {day:%a}")


def _print_mapping(data: dict[str, Any]) -> None:
    console = Console()
    for key, value in data.items():
        text = json.dumps(value, indent=2) if isinstance(value, dict | list) else str(value)
        console.print(f"[bold]{key}[/bold]: {text}", markup=True, highlight=False)
