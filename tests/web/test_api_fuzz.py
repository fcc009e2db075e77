"""Schemathesis against the app's own /openapi.json, on both databases, signed in as staff.

Each operation gets a bounded, derandomised set of examples (valid and invalid by the schema).
Every answer must be below 500 and must match the schema the document states for its status
code, including the one error body. The run reports its counts so the closing note of a fuzzing
round can quote them.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import hypothesis
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.core.result import Ok
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy.orm import Session

from ketacare.services.accounts import users as accounts
from ketacare.services.audit import AuditContext
from tests.factories.world import NOW, World, fast_settings
from tests.web.conftest import bearer

EXAMPLES_PER_MODE = 8
CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance]
# The staff persona with the widest reach over the API (prescribers book, chart and sign).
PERSONA = "prescriber"


@dataclass
class Tally:
    operations: int = 0
    requests: int = 0
    failures: dict[str, str] = field(default_factory=dict)


TokenSource = Callable[[], str]


def _exercise(
    schema: schemathesis.BaseSchema, app: FastAPI, token: TokenSource, tally: Tally
) -> None:
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), f"the OpenAPI document is invalid: {result}"
        operation = result.ok()
        tally.operations += 1
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            _run_operation(operation, mode, app, token, tally)


def _run_operation(operation, mode, app, token, tally) -> None:

    @hypothesis.settings(
        max_examples=EXAMPLES_PER_MODE,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case: Any) -> None:
        tally.requests += 1
        try:
            response = case.call(app=app, headers=bearer(token()))
        except Exception as exc:  # noqa: BLE001 - an exception escaping the app is a 500
            key = f"{operation.label} -> 500: {type(exc).__name__}"
            tally.failures.setdefault(key, f"{key}: {str(exc)[:1000]}")
            return
        try:
            case.validate_response(response, checks=CHECKS)
        except FailureGroup as group:
            titles = ", ".join(sorted({f.title for f in group.exceptions}))
            key = f"{operation.label} -> {response.status_code}: {titles}"
            tally.failures.setdefault(key, str(group)[:1500])

    try:
        run()
    except hypothesis.errors.Unsatisfiable:
        # No invalid request exists for an operation without inputs (e.g. GET /health).
        assert mode is GenerationMode.NEGATIVE


def test_fuzz_the_api_finds_no_server_error_and_no_schema_violation(
    app: FastAPI, db: Session, world: World
) -> None:
    def fresh_token() -> str:
        # A token per request: the fuzzer also calls /auth/revoke, which ends the token it sent.
        token, _ = accounts.issue_api_token(
            db,
            user=world.user(PERSONA),
            settings=fast_settings(),
            at=NOW,
            ctx=AuditContext(actor=None),
        )
        db.commit()
        return token

    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    tally = Tally()
    _exercise(schema, app, fresh_token, tally)
    sys.stderr.write(
        f"\nfuzz: {tally.operations} operations, {tally.requests} requests, "
        f"{len(tally.failures)} distinct failures\n"
    )
    sys.stderr.writelines(f"  {key}\n" for key in tally.failures)
    assert tally.failures == {}, "\n\n".join(tally.failures.values())
