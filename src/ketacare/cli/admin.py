"""Operating commands: init, serve, users, audit, demo."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from ketacare.cli._errors import fail
from ketacare.cli.context import settings_or_exit, unit_of_work
from ketacare.core.authz import Role
from ketacare.core.errors import DomainError
from ketacare.db.engine import make_engine
from ketacare.db.migrate import upgrade_to_head
from ketacare.services import audit, demo
from ketacare.services.accounts import admin as admin_service
from ketacare.services.accounts import organisations
from ketacare.services.accounts import users as accounts
from ketacare.services.accounts.security import make_hasher
from ketacare.services.audit import AuditContext
from ketacare.services.clock import SystemClock

users_app = typer.Typer(help="Manage accounts.", no_args_is_help=True)
audit_app = typer.Typer(help="The audit trail.", no_args_is_help=True)
console = Console()


def _read_password(from_stdin: bool, prompt: str) -> str:
    if from_stdin or not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    return str(typer.prompt(prompt, hide_input=True, confirmation_prompt=True))


def migrate() -> None:
    settings = settings_or_exit()
    engine = make_engine(settings)
    try:
        upgrade_to_head(engine)
    finally:
        engine.dispose()


def init(
    admin_email: Annotated[str | None, typer.Option(help="E-mail of the first admin.")] = None,
    organisation: Annotated[str, typer.Option(help="Organisation name.")] = "My Clinic",
    password_stdin: Annotated[bool, typer.Option(help="Read the password from stdin.")] = False,
) -> None:
    """Create or upgrade the database; create the first admin. Safe to run again."""
    settings = settings_or_exit()
    migrate()
    typer.echo(f"Database ready: {_redacted(settings.effective_database_url)}")
    if admin_email is None:
        return
    with unit_of_work(settings) as db:
        if admin_service.account_exists(db, email=admin_email):
            typer.echo(f"Admin {admin_email} already exists; nothing to do.")
            return
    password = _read_password(password_stdin, "Admin password")
    try:
        with unit_of_work(settings) as db:
            organisations.bootstrap(
                db,
                hasher=make_hasher(settings),
                admin_email=admin_email,
                admin_password=password,
                organisation_name=organisation,
                at=SystemClock().now(),
            )
    except DomainError as exc:
        raise fail(exc) from exc
    typer.echo(f"Created admin {admin_email}.")


def _redacted(url: str) -> str:
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url


def serve(
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
) -> None:
    """Serve the web app (several workers share the database; sessions live there)."""
    import uvicorn

    settings_or_exit()
    uvicorn.run(
        "ketacare.web.app:asgi",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=True,
        log_level="info",
    )


def load_demo_cmd(
    json_output: Annotated[bool, typer.Option("--json", help="Print logins as JSON.")] = False,
) -> None:
    """Load the demo clinic (if absent) and print its logins."""
    settings = settings_or_exit()
    migrate()
    with unit_of_work(settings) as db:
        logins = demo.load_demo(db, hasher=make_hasher(settings), at=SystemClock().now())
    if json_output:
        typer.echo(
            json.dumps([{"email": x.email, "role": x.role, "password": x.password} for x in logins])
        )
        return
    table = Table(title="Demo logins (local demo only)")
    for column in ("role", "e-mail", "password"):
        table.add_column(column)
    for login in logins:
        table.add_row(login.role, login.email, login.password)
    console.print(table)


@users_app.command("create")
def users_create(
    email: Annotated[str, typer.Option(help="E-mail (the login).")],
    role: Annotated[Role, typer.Option(help="Role.")],
    full_name: Annotated[str | None, typer.Option(help="Display name.")] = None,
    organisation_id: Annotated[int | None, typer.Option(help="Organisation id.")] = None,
    password_stdin: Annotated[bool, typer.Option(help="Read the password from stdin.")] = False,
) -> None:
    """Create a staff account."""
    settings = settings_or_exit()
    password = _read_password(password_stdin, "Password")
    try:
        with unit_of_work(settings) as db:
            org_id = admin_service.organisation_for_new_user(db, organisation_id=organisation_id)
            if org_id is None:
                raise typer.BadParameter("run `ketacare init` first: no organisation exists")
            user = accounts.create_user(
                db,
                hasher=make_hasher(settings),
                organisation_id=org_id,
                email=email,
                full_name=full_name or email,
                role=role,
                password=password,
                at=SystemClock().now(),
                ctx=AuditContext(actor=None, client_address="cli"),
            )
            typer.echo(f"Created {user.role} {user.email} (id {user.id}).")
    except DomainError as exc:
        raise fail(exc) from exc


@users_app.command("token")
def users_token(
    email: Annotated[str, typer.Option(help="Account e-mail.")],
    label: Annotated[str, typer.Option(help="What the token is for.")] = "cli",
) -> None:
    """Print a new API bearer token for an account (shown once; stored hashed)."""
    settings = settings_or_exit()
    try:
        with unit_of_work(settings) as db:
            token = admin_service.issue_api_token_for(
                db,
                email=email,
                settings=settings,
                at=SystemClock().now(),
                ctx=AuditContext(actor=None, client_address="cli"),
                label=label,
            )
    except DomainError as exc:
        raise fail(exc) from exc
    typer.echo(token)


@audit_app.command("verify")
def audit_verify(
    json_output: Annotated[bool, typer.Option("--json", help="JSON output.")] = False,
) -> None:
    """Check every audit chain; exit 1 naming the first bad event if any was altered."""
    settings = settings_or_exit()
    with unit_of_work(settings) as db:
        report = audit.verify_audit_trail(db)
    if json_output:
        typer.echo(
            json.dumps(
                {
                    "intact": report.intact,
                    "chains": report.chains,
                    "events": report.events,
                    "breaks": [
                        {
                            "chain": b.chain_key,
                            "event_id": b.event_id,
                            "seq": b.seq,
                            "problem": b.problem,
                        }
                        for b in report.breaks
                    ],
                }
            )
        )
    elif report.intact:
        typer.echo(f"Audit trail intact: {report.events} events in {report.chains} chains.")
    else:
        for b in report.breaks:
            typer.echo(
                f"BROKEN chain {b.chain_key}: event id {b.event_id} (seq {b.seq}): {b.problem}",
                err=True,
            )
    if not report.intact:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("init")(init)
    app.command("migrate")(migrate)
    app.command("serve")(serve)
    app.command("demo")(load_demo_cmd)
    app.add_typer(users_app, name="users")
    app.add_typer(audit_app, name="audit")
