"""``ketacare worker``: drain the notification outbox through SMTP.

Contract: ``--once`` sends everything due and exits 0 (for cron and tests); without it the
worker drains, sleeps ``--interval`` seconds and repeats until interrupted. ``--json`` prints
``{"sent": n, "failed": n, "pending": n}`` per drain: sent and permanently failed in that drain,
and rows still pending in the outbox (retries waiting for their back-off). No SMTP host
configured exits 2 with a message. Several workers may run at once, on any number of hosts.

Each claim and each outcome is its own short transaction; the SMTP conversation happens
outside any transaction so a slow mail server never holds database locks. Recording a
questionnaire link's outcome also removes its secret token from the outbox row
(``services.notify.notifications``), so after a drain no sent link is left readable in the database.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress
from sqlalchemy.orm import Session

from ketacare.cli._errors import EXIT_INVALID
from ketacare.cli.context import settings_or_exit
from ketacare.core.codes import NotificationStatus
from ketacare.db.engine import make_engine, make_session_factory
from ketacare.services.clock import Clock, SystemClock
from ketacare.services.notify import notifications
from ketacare.services.notify.mailer import Mailer, SmtpMailer

DEFAULT_BATCH = 20
DEFAULT_INTERVAL_SECONDS = 10.0


@dataclass
class DrainSummary:
    sent: int = 0
    failed: int = 0
    pending: int = 0


def _send_claimed(
    factory: Callable[[], Session],
    *,
    mailer: Mailer,
    clock: Clock,
    claim: notifications.Claim,
    summary: DrainSummary,
) -> None:
    outcomes = mailer.send([c.mail for c in claim.mails])
    with factory() as db, db.begin():
        for claimed, error in zip(claim.mails, outcomes, strict=True):
            status = notifications.record_outcome(
                db, job_id=claimed.job_id, error=error, at=clock.now()
            )
            summary.sent += status is NotificationStatus.SENT
            summary.failed += status is NotificationStatus.FAILED


def drain(
    factory: Callable[[], Session],
    *,
    mailer: Mailer,
    clock: Clock,
    base_url: str,
    batch: int,
    on_batch: Callable[[int], None] | None = None,
) -> DrainSummary:
    """Send every row due now, a batch at a time, and count what happened."""
    summary = DrainSummary()
    # Only rows due when the drain began: a retry scheduled during a long drain waits for the
    # next one instead of being hammered inside this loop.
    started = clock.now()
    while True:
        with factory() as db, db.begin():
            claim = notifications.claim_due(
                db, at=clock.now(), due_by=started, limit=batch, base_url=base_url
            )
        if claim.empty:
            break
        summary.failed += claim.dropped
        _send_claimed(factory, mailer=mailer, clock=clock, claim=claim, summary=summary)
        if on_batch is not None:
            on_batch(len(claim.mails) + claim.dropped)
    with factory() as db, db.begin():
        summary.pending = notifications.outbox_counts(db)[NotificationStatus.PENDING.value]
    return summary


def _drain_with_progress(
    factory: Callable[[], Session],
    *,
    mailer: Mailer,
    base_url: str,
    batch: int,
    quiet: bool,
) -> DrainSummary:
    clock = SystemClock()
    with factory() as db, db.begin():
        due = notifications.count_due(db, at=clock.now())
    console = Console(stderr=True)
    # A bar only when a person is watching a drain longer than one batch.
    show = not quiet and console.is_terminal and due > batch
    with Progress(console=console, disable=not show, transient=True) as progress:
        task = progress.add_task("Sending notifications", total=due)
        return drain(
            factory,
            mailer=mailer,
            clock=clock,
            base_url=base_url,
            batch=batch,
            on_batch=lambda n: progress.advance(task, n),
        )


def _report(summary: DrainSummary, *, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(asdict(summary)))
        return
    typer.echo(f"sent {summary.sent}, failed {summary.failed}, pending {summary.pending}")


def worker_cmd(
    once: Annotated[bool, typer.Option("--once", help="Drain what is due, then exit.")] = False,
    batch: Annotated[
        int, typer.Option("--batch", min=1, max=500, help="Rows claimed per transaction.")
    ] = DEFAULT_BATCH,
    interval: Annotated[
        float, typer.Option("--interval", min=0.1, help="Seconds to sleep between drains.")
    ] = DEFAULT_INTERVAL_SECONDS,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON summary.")] = False,
) -> None:
    """Send queued e-mail (safety alerts, serious adverse events, questionnaire links)."""
    settings = settings_or_exit()
    try:
        mailer = SmtpMailer.from_settings(settings)
    except ValueError as exc:
        typer.echo(f"Cannot send mail: {exc}", err=True)
        raise typer.Exit(EXIT_INVALID) from exc
    engine = make_engine(settings)
    factory = make_session_factory(engine)
    try:
        while True:
            summary = _drain_with_progress(
                factory, mailer=mailer, base_url=settings.base_url, batch=batch, quiet=as_json
            )
            if once or summary.sent or summary.failed:
                _report(summary, as_json=as_json)
            if once:
                return
            time.sleep(interval)
    except KeyboardInterrupt:
        return
    finally:
        engine.dispose()


def register(app: typer.Typer) -> None:
    """Add this domain's commands to the main app."""
    app.command("worker")(worker_cmd)
