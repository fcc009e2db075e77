"""Every page form, one bad field at a time: the page comes back (not a redirect, not the error
page) with everything else as typed, the message beside the bad field in plain words, and the
bad field focused.

The table names each form by the page that shows it and the URL it posts to, the valid values
a user would type, and one bad field with its value. Hidden inputs (versions, the CSRF token,
the consent wording's version) are taken from the page itself, as a browser would.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from ketacare.core.session.states import SessionState
from ketacare.db.models import TreatmentSession
from ketacare.services.session import demo as demo_service
from tests.factories.world import NOW, World, ctx
from tests.web.conftest import FrozenClock
from tests.web.helpers import sign_in

START = NOW + timedelta(minutes=30)
LOCAL_START = (NOW + timedelta(days=2)).strftime("%Y-%m-%dT10:00")
# What a form error must never look like: an internal code, a doubled field prefix.
CODE = re.compile(r"\((?:[a-z0-9_]+\.)+[a-z0-9_]+\)")


@dataclass
class Control:
    name: str
    kind: str  # input type, "select" or "textarea"
    value: str | None  # the value the browser would send (None: not sent)
    attrs: dict[str, str]


@dataclass
class Form:
    action: str
    controls: list[Control] = field(default_factory=list)

    def value(self, name: str) -> str | None:
        found = [c.value for c in self.controls if c.name == name and c.value is not None]
        return found[0] if found else None

    def control(self, name: str) -> Control:
        return next(c for c in self.controls if c.name == name)

    def hidden_kind_is(self, kind: str | None) -> bool:
        """True unless the form carries a hidden ``kind`` input with another value."""
        hidden = [c.value for c in self.controls if c.name == "kind" and c.kind == "hidden"]
        return kind is None or not hidden or hidden[0] == kind

    def defaults(self) -> dict[str, str]:
        return {c.name: c.value for c in self.controls if c.value is not None}


class _Page(HTMLParser):
    """The forms of a page with what each control would submit, and the error spans."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.texts: dict[str, str] = {}  # element id -> text (error spans)
        self._select: Control | None = None
        self._first_option: str | None = None
        self._textarea: Control | None = None
        self._span: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append(Form(a.get("action", "")))
        elif tag == "span" and a.get("id", "").endswith("-error"):
            self._span = a["id"]
            self.texts[self._span] = ""
        elif self.forms and tag in ("input", "select", "textarea") and "name" in a:
            self._control(tag, a)
        elif tag == "option" and self._select is not None:
            option = a.get("value", "")
            if self._first_option is None:
                self._first_option = option
            if "selected" in a:
                self._select.value = option

    def _control(self, tag: str, a: dict[str, str]) -> None:
        kind = a.get("type", "text") if tag == "input" else tag
        value: str | None = a.get("value", "")
        if kind in ("checkbox", "radio"):
            value = (a.get("value") or "on") if "checked" in a else None
        if kind in ("submit", "button"):
            return
        control = Control(a["name"], kind, value, a)
        self.forms[-1].controls.append(control)
        if tag == "select":
            self._select, self._first_option = control, None
            control.value = None
        if tag == "textarea":
            self._textarea = control

    def handle_endtag(self, tag: str) -> None:
        if tag == "select" and self._select is not None:
            if self._select.value is None:
                self._select.value = self._first_option or ""
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "span":
            self._span = None

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea.value = (self._textarea.value or "") + data
        if self._span is not None:
            self.texts[self._span] += data

    def form(self, action: str, kind: str | None = None) -> Form:
        """The last form posting to ``action``; with ``kind``, the one whose hidden ``kind``
        input says so (the chair's rate, bolus and device forms share one endpoint)."""
        found = [f for f in self.forms if f.action == action and f.hidden_kind_is(kind)]
        assert found, f"no form posting to {action}"
        return found[-1]


def parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    return page


@dataclass(frozen=True)
class Case:
    name: str
    persona: str
    page: str  # the page showing the form; {pid} and {sid} are filled in
    action: str
    valid: dict[str, str]
    bad: tuple[str, str]
    status: int = 422
    secret: tuple[str, ...] = ()  # typed but never sent back (passwords)


PATIENT = {
    "given_name": "Sam",
    "family_name": "Doe",
    "date_of_birth": "1980-02-03",
    "sex_at_birth": "female",
    "phone": "+1 555 0100",
    "address": "1 Long Road",
}
VITALS = {
    "measured_at": "",
    "systolic": "128",
    "diastolic": "82",
    "heart_rate": "72",
    "spo2": "98",
    "respiratory_rate": "14",
}
ORDER = {"dose_mg_per_kg": "0.5", "duration_min": "40", "intent": "calculate"}
SCREENING = {
    "bp_systolic": "128",
    "bp_diastolic": "82",
    "episode_duration_months": "14",
    "trial-0-drug": "sertraline",
    "trial-0-weeks": "8",
}
PHQ9 = {f"item_{n}": "1" for n in range(1, 10)} | {"timepoint": "baseline"}
USER = {
    "email": "new.nurse@a.test",
    "full_name": "New Nurse",
    "role": "nurse",
    "password": "a long enough password 1",
}
EVENT = {
    "category": "nausea",
    "severity": "moderate",
    "actions_taken": "ondansetron 4 mg",
    "outcome": "resolved",
}

CASES = [
    Case("register: date", "frontdesk", "/patients/new", "/patients/new", PATIENT,
         ("date_of_birth", "3rd of Feb")),
    Case("register: phone", "frontdesk", "/patients/new", "/patients/new", PATIENT,
         ("phone", "call me")),
    Case("register: name", "frontdesk", "/patients/new", "/patients/new", PATIENT,
         ("family_name", "")),
    Case("edit: date", "frontdesk", "/patients/{pid}/edit", "/patients/{pid}/edit", PATIENT,
         ("date_of_birth", "someday")),
    Case("weight: words", "nurse", "/patients/{pid}", "/patients/{pid}/measurements",
         {"kind": "height", "value": "172"}, ("value", "tall")),
    Case("weight: too big", "nurse", "/patients/{pid}", "/patients/{pid}/measurements",
         {"kind": "weight", "value": "70"}, ("value", "7000")),
    Case("booking: time", "frontdesk", "/patients/{pid}/sessions", "/patients/{pid}/sessions",
         {"starts_at": LOCAL_START, "order_id": ""}, ("starts_at", "soon")),
    Case("booking: order id", "frontdesk", "/patients/{pid}/sessions",
         "/patients/{pid}/sessions", {"starts_at": LOCAL_START}, ("order_id", "the last one")),
    Case("user: e-mail", "admin", "/admin/users", "/admin/users", USER, ("email", "nobody"),
         secret=("password",)),
    Case("user: password", "admin", "/admin/users", "/admin/users", USER, ("password", "short"),
         secret=("password",)),
    Case("user: name", "admin", "/admin/users", "/admin/users", USER, ("full_name", " "),
         secret=("password",)),
    Case("vitals: SpO2", "nurse", "/sessions/{sid}", "/sessions/{sid}/vitals", VITALS,
         ("spo2", "140")),
    Case("vitals: words", "nurse", "/sessions/{sid}", "/sessions/{sid}/vitals", VITALS,
         ("systolic", "one twenty")),
    Case("vitals: time", "nurse", "/sessions/{sid}", "/sessions/{sid}/vitals", VITALS,
         ("measured_at", "10 o'clock")),
    Case("rating: scale", "nurse", "/sessions/{sid}", "/sessions/{sid}/observations",
         {"text": "calm, mild dissociation", "answers": ""}, ("instrument_id", "bogus")),
    Case("event: severity", "nurse", "/sessions/{sid}", "/sessions/{sid}/adverse-events", EVENT,
         ("severity", "catastrophic")),
    Case("event: category", "nurse", "/sessions/{sid}", "/sessions/{sid}/adverse-events", EVENT,
         ("category", "!!")),
    Case("rate change", "nurse", "/sessions/{sid}", "/sessions/{sid}/administration",
         {"kind": "rate_change", "reason": "titration to comfort"}, ("rate_ml_per_h", "fast")),
    Case("order: duration", "prescriber", "/patients/{pid}/orders", "/patients/{pid}/orders",
         ORDER, ("duration_min", "forty")),
    Case("order: dose", "prescriber", "/patients/{pid}/orders", "/patients/{pid}/orders",
         ORDER, ("dose_mg_per_kg", "lots")),
    Case("screening: BP", "prescriber", "/patients/{pid}/screening",
         "/patients/{pid}/screening", SCREENING, ("bp_systolic", "high")),
    Case("screening: DAST-10", "prescriber", "/patients/{pid}/screening",
         "/patients/{pid}/screening", SCREENING, ("dast10_total", "99")),
    Case("screening: trial weeks", "prescriber", "/patients/{pid}/screening",
         "/patients/{pid}/screening", SCREENING, ("trial-0-weeks", "-3")),
    Case("consent: name", "nurse", "/patients/{pid}/screening", "/patients/{pid}/consents",
         {"agreed": "yes"}, ("typed_name", "")),
    Case("consent: wrong name", "nurse", "/patients/{pid}/screening",
         "/patients/{pid}/consents", {"agreed": "yes"}, ("typed_name", "Somebody Else")),
    Case("REMS: date", "nurse", "/patients/{pid}/screening", "/patients/{pid}/rems-enrolment",
         {"enrolment_id": "REMS-4411"}, ("enrolled_on", "last week")),
    Case("assessment: session", "nurse", "/patients/{pid}/assessments?instrument=phq9",
         "/patients/{pid}/assessments", PHQ9, ("session_id", "first")),
    Case("assessment: time", "nurse", "/patients/{pid}/assessments?instrument=phq9",
         "/patients/{pid}/assessments", PHQ9, ("administered_at", "yesterday")),
]  # fmt: skip


@pytest.fixture
def ids(db: Session, world: World) -> dict[str, int]:
    """The world's patient and an IV session already infusing, so every chair form shows."""
    assert world.patient is not None

    row = demo_service.prepare_demo_session(
        db,
        patient_id=world.patient.id,
        nurse_ctx=ctx(world, "nurse"),
        prescriber_ctx=ctx(world, "prescriber"),
        starts_at=START,
        at=NOW,
    )
    db.flush()
    session = db.get(TreatmentSession, row.id)
    assert session is not None
    session.state = SessionState.INFUSING  # the gates are tested elsewhere; here only the forms
    db.commit()
    return {"pid": world.patient.id, "sid": row.id}


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_a_bad_field_comes_back_beside_its_input_with_the_rest_as_typed(
    client: TestClient, world: World, ids: dict[str, int], clock: FrozenClock, case: Case
) -> None:
    clock.at = START
    sign_in(client, world.user(case.persona).email)
    page_url, action = case.page.format(**ids), case.action.format(**ids)
    page = client.get(page_url)
    assert page.status_code == 200, page.text
    kind = case.valid.get("kind")
    sent = {**parse(page.text).form(action, kind).defaults(), **case.valid}
    bad_name, bad_value = case.bad
    sent[bad_name] = bad_value

    r = client.post(action, data=sent, follow_redirects=False)

    assert r.status_code == case.status, r.text[-2000:]
    again = parse(r.text)
    form = again.form(action, kind)
    # The message sits beside the bad field, which points at it and has the focus.
    bad = form.control(bad_name)
    described = bad.attrs.get("aria-describedby", "")
    assert described, f"{bad_name} names no message"
    message = again.texts.get(described, "").strip()
    assert message, f"no message beside {bad_name}"
    assert not CODE.search(message), message
    assert f"{bad_name}:" not in message, message
    assert "autofocus" in bad.attrs
    assert sum("autofocus" in c.attrs for c in form.controls) == 1
    # Everything typed comes back (a password never does; a choice that is not among a
    # select's options cannot be shown by it).
    for name, typed in {**case.valid, bad_name: bad_value}.items():
        if name in case.secret or name == "intent":
            continue
        if name == bad_name and bad.kind == "select":
            continue
        assert (form.value(name) or "").strip() == typed.strip(), name


def test_every_page_form_with_a_schema_is_in_the_table() -> None:
    """A guard against a new form slipping past: the posting URLs the table walks."""
    walked = {c.action for c in CASES}
    assert walked >= {
        "/patients/new",
        "/patients/{pid}/edit",
        "/patients/{pid}/measurements",
        "/patients/{pid}/sessions",
        "/admin/users",
        "/sessions/{sid}/vitals",
        "/sessions/{sid}/observations",
        "/sessions/{sid}/adverse-events",
        "/sessions/{sid}/administration",
        "/patients/{pid}/orders",
        "/patients/{pid}/screening",
        "/patients/{pid}/consents",
        "/patients/{pid}/rems-enrolment",
        "/patients/{pid}/assessments",
    }


def test_the_role_selector_starts_at_the_least_privileged_role(
    client: TestClient, world: World
) -> None:
    sign_in(client, world.user("admin").email)
    form = parse(client.get("/admin/users").text).form("/admin/users")
    assert form.value("role") == "researcher"


def test_the_favicon_is_served(client: TestClient) -> None:
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200
    assert icon.headers["content-type"].startswith("image/svg+xml")
    assert "<svg" in icon.text
