"""Screening, consent and REMS services on a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from ketacare.core.codes import SexAtBirth
from ketacare.core.eligibility.consent import ConsentStatus, load_default_consent
from ketacare.core.errors import Conflict, Invalid, NotFound, RuleViolation
from ketacare.db.models import AuditEvent, Screening
from ketacare.services.audit import AccessDenied
from ketacare.services.screening import consent as consent_service
from ketacare.services.screening import eligibility as svc
from ketacare.services.screening import rems_enrolment as rems_service
from tests.factories.screening import eligible_screening_input
from tests.factories.world import NOW, World, ctx, pid

LATER = NOW + timedelta(hours=1)


def evaluate(db: Session, world: World, persona: str = "nurse", **changes: Any) -> Screening:
    return svc.evaluate_screening(
        db,
        patient_id=pid(world),
        inputs=eligible_screening_input(**changes),
        at=NOW,
        ctx=ctx(world, persona),
    )


def sign(
    db: Session, world: World, screening: Screening, overrides: dict[str, str] | None = None
) -> Screening:
    return svc.sign_screening(
        db,
        screening_id=screening.id,
        overrides=overrides or {},
        at=NOW,
        ctx=ctx(world, "prescriber"),
    )


def test_evaluate_saves_a_draft_with_chart_age_and_sex_and_the_core_result(
    db: Session, world: World
) -> None:
    row = evaluate(db, world)
    assert row.status == "draft"
    assert row.decision == "eligible"
    assert row.input["age_years"] == 42  # from the chart (born 1984-03-14, screened 2026-11-29)
    assert row.input["sex_at_birth"] == "female"
    assert row.result["trd"] == {"adequate_failed_trials": 2, "met": True}
    assert row.result["msm"]["score"] is not None
    assert row.input_fingerprint.startswith("sha256:")
    assert row.ruleset_version == row.result["ruleset_version"]
    event = db.scalar(
        select(AuditEvent).where(AuditEvent.entity_type == "Screening", AuditEvent.action == "C")
    )
    assert event is not None
    assert event.patient_id == pid(world)
    assert event.entity_id == str(row.id)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"bp_systolic": "high"}, "bp_systolic"),
        ({"conditions": ["not_a_condition"]}, "conditions[0]"),
        ({"surprise": 1}, "surprise"),
        ({"age_years": 30}, "age_years"),
        ({"sex_at_birth": "male"}, "sex_at_birth"),
        ({"bp_systolic": 120, "bp_diastolic": None}, "bp_diastolic"),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(
    db: Session, world: World, changes: dict[str, Any], field: str
) -> None:
    with pytest.raises(Invalid) as caught:
        evaluate(db, world, **changes)
    assert caught.value.field == field
    assert db.scalars(select(Screening)).all() == []


def test_missing_protocol_is_refused(db: Session, world: World) -> None:
    document = eligible_screening_input()
    del document["protocol"]
    with pytest.raises(Invalid) as caught:
        svc.evaluate_screening(
            db, patient_id=pid(world), inputs=document, at=NOW, ctx=ctx(world, "nurse")
        )
    assert caught.value.field == "protocol"


def test_sign_refuses_block_reasons_naming_the_codes(db: Session, world: World) -> None:
    row = evaluate(db, world, conditions=["aneurysmal_vascular_disease"])
    assert row.decision == "ineligible"
    with pytest.raises(RuleViolation) as caught:
        sign(db, world, row)
    assert caught.value.code == "screening.blocked"
    assert "contraindication.aneurysmal_vascular_disease" in caught.value.message
    with pytest.raises(RuleViolation) as override_block:
        sign(db, world, row, {"contraindication.aneurysmal_vascular_disease": "benefit"})
    assert override_block.value.code == "eligibility.block_not_overridable"
    assert row.status == "draft"


def test_sign_needs_a_justification_for_every_review_reason(db: Session, world: World) -> None:
    row = evaluate(db, world, bp_systolic=150, conditions=["psychosis_history"])
    assert row.decision == "needs_review"
    with pytest.raises(RuleViolation) as caught:
        sign(db, world, row, {"bp.above_threshold": "Repeat reading 138/85 after rest."})
    assert caught.value.code == "screening.justification_required"
    assert "contraindication.psychosis_history" in caught.value.message
    assert "bp.above_threshold" not in caught.value.message
    with pytest.raises(Invalid) as blank:
        sign(
            db,
            world,
            row,
            {"bp.above_threshold": "ok", "contraindication.psychosis_history": "   "},
        )
    assert blank.value.field == "contraindication.psychosis_history"
    signed = sign(
        db,
        world,
        row,
        {
            "bp.above_threshold": "Repeat reading 138/85 after rest.",
            "contraindication.psychosis_history": "Single episode 2009, stable; psychiatry agrees.",
        },
    )
    assert signed.status == "signed"
    assert signed.signed_decision == "eligible"
    assert signed.signed_by == world.user("prescriber").id
    assert signed.signed_at == NOW
    assert set(signed.overrides or {}) == {
        "bp.above_threshold",
        "contraindication.psychosis_history",
    }


def test_nurse_cannot_sign_and_a_signed_decision_is_never_edited(db: Session, world: World) -> None:
    row = evaluate(db, world)
    with pytest.raises(AccessDenied):
        svc.sign_screening(db, screening_id=row.id, overrides={}, at=NOW, ctx=ctx(world, "nurse"))
    sign(db, world, row)
    with pytest.raises(Conflict) as caught:
        sign(db, world, row)
    assert caught.value.code == "screening.not_draft"


def test_a_new_signed_screening_supersedes_the_old_one(db: Session, world: World) -> None:
    first = sign(db, world, evaluate(db, world))
    second = sign(db, world, evaluate(db, world, bp_systolic=118))
    db.refresh(first)
    assert first.status == "superseded"
    assert first.superseded_at == NOW
    assert second.status == "signed"
    assert svc.get_screening(db, screening_id=first.id, at=NOW, ctx=ctx(world, "nurse")).stale


def test_stale_when_newer_inputs_differ_not_when_they_match(db: Session, world: World) -> None:
    signed = sign(db, world, evaluate(db, world))
    nurse = ctx(world, "nurse")
    assert not svc.get_screening(db, screening_id=signed.id, at=NOW, ctx=nurse).stale
    evaluate(db, world)  # same inputs again: the decision still holds
    assert not svc.get_screening(db, screening_id=signed.id, at=NOW, ctx=nurse).stale
    evaluate(db, world, conditions=["psychosis_history"])  # new data
    assert svc.get_screening(db, screening_id=signed.id, at=NOW, ctx=nurse).stale
    evidence = svc.readiness_evidence(
        db, patient_id=pid(world), protocol_id="iv-ketamine-depression", at=NOW
    )
    assert evidence.decision_id == signed.id
    assert evidence.decision_signed
    assert evidence.decision_stale


def test_stale_when_the_chart_changes(db: Session, world: World) -> None:
    signed = sign(db, world, evaluate(db, world))
    assert world.patient is not None
    world.patient.sex_at_birth = SexAtBirth.MALE
    db.flush()
    view = svc.get_screening(db, screening_id=signed.id, at=NOW, ctx=ctx(world, "nurse"))
    assert view.stale
    # A birthday changes the age the rules see, so the decision is re-screened.
    world.patient.sex_at_birth = SexAtBirth.FEMALE
    db.flush()
    assert not svc.get_screening(db, screening_id=signed.id, at=NOW, ctx=ctx(world, "nurse")).stale
    next_birthday = NOW.replace(year=2027, month=3, day=15)
    assert svc.readiness_evidence(
        db, patient_id=pid(world), protocol_id="iv-ketamine-depression", at=next_birthday
    ).decision_stale


def test_a_stale_draft_cannot_be_signed(db: Session, world: World) -> None:
    row = evaluate(db, world)
    newer = evaluate(db, world, bp_systolic=119)
    db.refresh(row)
    assert row.status == "superseded"
    with pytest.raises(Conflict):
        sign(db, world, row)
    assert sign(db, world, newer).status == "signed"


def test_readiness_evidence_without_anything_on_file(db: Session, world: World) -> None:
    evidence = svc.readiness_evidence(
        db, patient_id=pid(world), protocol_id="esketamine-nasal", at=NOW
    )
    assert evidence == svc.ScreeningEvidence(
        decision_id=None,
        decision=None,
        decision_signed=False,
        decision_stale=False,
        consent_valid=False,
        consent_version=None,
        rems_enrolled=False,
        pregnancy_status_required=True,
        pregnancy_status=None,
    )


def test_readiness_evidence_complete_for_esketamine(db: Session, world: World) -> None:
    row = evaluate(db, world, protocol="esketamine-nasal")
    draft = svc.readiness_evidence(
        db, patient_id=pid(world), protocol_id="esketamine-nasal-mdsi", at=NOW
    )
    assert (draft.decision_id, draft.decision, draft.decision_signed) == (row.id, "eligible", False)
    sign(db, world, row)
    _consent(db, world)
    rems_service.record_rems_enrolment(
        db,
        patient_id=pid(world),
        enrolment_id="REMS-123",
        enrolled_on=date(2026, 11, 20),
        at=NOW,
        ctx=ctx(world, "nurse"),
    )
    evidence = svc.readiness_evidence(
        db, patient_id=pid(world), protocol_id="esketamine-nasal", at=LATER
    )
    assert evidence.decision_signed
    assert evidence.decision == "eligible"
    assert not evidence.decision_stale
    assert evidence.consent_valid
    assert evidence.consent_version == 1
    assert evidence.rems_enrolled
    assert evidence.pregnancy_status == "negative"
    # Another protocol has its own decision.
    iv = svc.readiness_evidence(
        db, patient_id=pid(world), protocol_id="iv-ketamine-depression", at=LATER
    )
    assert iv.decision_id is None


def test_readiness_evidence_refuses_unknown_protocol_and_patient(db: Session, world: World) -> None:
    with pytest.raises(Invalid) as caught:
        svc.readiness_evidence(db, patient_id=pid(world), protocol_id="nope", at=NOW)
    assert caught.value.field == "protocol_id"
    with pytest.raises(NotFound):
        svc.readiness_evidence(db, patient_id=999_999, protocol_id="esketamine-nasal", at=NOW)


def _consent(db: Session, world: World, version: int = 1, **changes: Any) -> Any:
    fields: dict[str, Any] = {
        "patient_id": pid(world),
        "document_version": version,
        "typed_name": "Avery  Quinn",
        "agreed": True,
        "witness_user_id": None,
    }
    fields.update(changes)
    return consent_service.sign_consent(db, at=NOW, ctx=ctx(world, "nurse"), **fields)


def test_consent_document_is_seeded_from_the_core_default(db: Session, world: World) -> None:
    documents = consent_service.list_consent_documents(db, at=NOW, ctx=ctx(world, "nurse"))
    assert [d.version for d in documents] == [1]
    assert documents[0].text == load_default_consent().text
    assert documents[0].created_by is None


def test_consent_signing_rules(db: Session, world: World) -> None:
    with pytest.raises(Invalid) as not_agreed:
        _consent(db, world, agreed=False)
    assert not_agreed.value.field == "agreed"
    with pytest.raises(Invalid) as wrong_name:
        _consent(db, world, typed_name="Someone Else")
    assert wrong_name.value.field == "typed_name"
    with pytest.raises(Conflict) as old:
        _consent(db, world, version=2)
    assert old.value.field == "document_version"
    with pytest.raises(Invalid) as witness:
        _consent(db, world, witness_user_id=world.user("outsider").id)
    assert witness.value.field == "witness_user_id"
    with pytest.raises(Invalid):
        _consent(db, world, witness_user_id=world.user("researcher").id)
    signed = _consent(db, world, witness_user_id=world.user("prescriber").id)
    assert signed.typed_name == "Avery Quinn"
    assert signed.witness_user_id == world.user("prescriber").id
    assert signed.recorded_by == world.user("nurse").id
    overview = consent_service.consent_overview(
        db, patient_id=pid(world), at=LATER, ctx=ctx(world, "prescriber")
    )
    assert overview.status is ConsentStatus.VALID
    assert [c.id for c in overview.consents] == [signed.id]


def test_new_consent_version_requires_reconsent(db: Session, world: World) -> None:
    _consent(db, world)
    admin = ctx(world, "admin")
    text = load_default_consent().text.replace(
        "ketacare-consent-version: 1", "ketacare-consent-version: 2"
    )
    document = consent_service.create_consent_document(db, text=text, at=NOW, ctx=admin)
    assert document.version == 2
    overview = consent_service.consent_overview(db, patient_id=pid(world), at=LATER, ctx=admin)
    assert overview.status is ConsentStatus.RECONSENT_REQUIRED
    assert not svc.readiness_evidence(
        db, patient_id=pid(world), protocol_id="esketamine-nasal", at=LATER
    ).consent_valid
    _consent(db, world, version=2)
    evidence = svc.readiness_evidence(
        db, patient_id=pid(world), protocol_id="esketamine-nasal", at=LATER
    )
    assert evidence.consent_valid
    assert evidence.consent_version == 2


def test_only_admin_publishes_consent_wording_and_it_must_cover_the_risks(
    db: Session, world: World
) -> None:
    with pytest.raises(AccessDenied):
        consent_service.create_consent_document(
            db, text=load_default_consent().text, at=NOW, ctx=ctx(world, "prescriber")
        )
    admin = ctx(world, "admin")
    with pytest.raises(RuleViolation) as caught:
        consent_service.create_consent_document(
            db, text="You may feel a bit odd.", at=NOW, ctx=admin
        )
    assert "dissociation" in caught.value.message
    assert caught.value.field == "text"
    with pytest.raises(Invalid) as mismatch:
        consent_service.create_consent_document(
            db,
            text=load_default_consent().text.replace("version: 1", "version: 7"),
            at=NOW,
            ctx=admin,
        )
    assert mismatch.value.code == "consent.version_mismatch"


def test_rems_enrolment_once_and_not_in_the_future(db: Session, world: World) -> None:
    nurse = ctx(world, "nurse")
    with pytest.raises(Invalid) as future:
        rems_service.record_rems_enrolment(
            db,
            patient_id=pid(world),
            enrolment_id="R-1",
            enrolled_on=date(2026, 12, 25),
            at=NOW,
            ctx=nurse,
        )
    assert future.value.field == "enrolled_on"
    row = rems_service.record_rems_enrolment(
        db,
        patient_id=pid(world),
        enrolment_id=" R-1 ",
        enrolled_on=date(2026, 11, 1),
        at=NOW,
        ctx=nurse,
    )
    assert row.enrolment_id == "R-1"
    assert row.recorded_by == world.user("nurse").id
    with pytest.raises(Conflict):
        rems_service.record_rems_enrolment(
            db,
            patient_id=pid(world),
            enrolment_id="R-2",
            enrolled_on=date(2026, 11, 1),
            at=NOW,
            ctx=nurse,
        )
    with pytest.raises(AccessDenied):
        rems_service.get_rems_enrolment(
            db, patient_id=pid(world), at=NOW, ctx=ctx(world, "frontdesk")
        )


def test_frontdesk_and_outsider_cannot_read_screenings(db: Session, world: World) -> None:
    evaluate(db, world)
    for persona in ("frontdesk", "outsider", "researcher"):
        with pytest.raises(AccessDenied):
            svc.list_screenings(db, patient_id=pid(world), at=NOW, ctx=ctx(world, persona))
    # The patient may read their own screening record.
    own = svc.list_screenings(db, patient_id=pid(world), at=NOW, ctx=ctx(world, "patient"))
    assert len(own) == 1


def _withdraw(db: Session, world: World, consent_id: int, **changes: Any) -> Any:
    fields: dict[str, Any] = {
        "consent_id": consent_id,
        "reason": "patient_request",
        "at": LATER,
        "ctx": ctx(world, "prescriber"),
    }
    fields.update(changes)
    return consent_service.withdraw_consent(db, **fields)


def _withdrawal_events(db: Session) -> list[AuditEvent]:
    stmt = select(AuditEvent).where(
        AuditEvent.entity_type == "PatientConsent", AuditEvent.action == "U"
    )
    return list(db.scalars(stmt))


def test_withdrawn_consent_no_longer_covers_treatment_and_is_audited_as_a_code(
    db: Session, world: World
) -> None:
    signed = _consent(db, world)
    withdrawn = _withdraw(db, world, signed.id, reason=" capacity_lost ")
    assert withdrawn.id == signed.id
    assert withdrawn.withdrawn_at == LATER
    nurse = ctx(world, "nurse")
    overview = consent_service.consent_overview(db, patient_id=pid(world), at=LATER, ctx=nurse)
    assert overview.status is ConsentStatus.WITHDRAWN

    def evidence_at(at: datetime) -> svc.ScreeningEvidence:
        return svc.readiness_evidence(
            db, patient_id=pid(world), protocol_id="esketamine-nasal", at=at
        )

    assert evidence_at(NOW).consent_valid  # before the withdrawal took effect
    assert not evidence_at(LATER).consent_valid
    [event] = _withdrawal_events(db)
    assert event.entity_id == str(signed.id)
    assert event.patient_id == pid(world)
    assert event.user_id == world.user("prescriber").id
    assert event.detail == "withdrawn reason=capacity_lost"
    # Treatment needs a new signature, which the patient may give later.
    again = LATER + timedelta(minutes=5)
    consent_service.sign_consent(
        db,
        patient_id=pid(world),
        document_version=1,
        typed_name="Avery Quinn",
        agreed=True,
        witness_user_id=None,
        at=again,
        ctx=nurse,
    )
    assert evidence_at(again).consent_valid


@pytest.mark.parametrize(
    ("reason", "code"),
    [
        ("", "consent.reason_required"),
        ("  ", "consent.reason_required"),
        ("She told me about her divorce", "consent.unknown_reason"),
    ],
)
def test_withdrawal_needs_a_reason_code(db: Session, world: World, reason: str, code: str) -> None:
    signed = _consent(db, world)
    with pytest.raises(Invalid) as caught:
        _withdraw(db, world, signed.id, reason=reason)
    assert (caught.value.code, caught.value.field) == (code, "reason")
    assert "divorce" not in caught.value.message
    assert signed.withdrawn_at is None
    assert _withdrawal_events(db) == []


def test_withdrawal_refuses_unknown_repeated_and_superseded_consents(
    db: Session, world: World
) -> None:
    with pytest.raises(NotFound):
        _withdraw(db, world, 999_999)
    older = _consent(db, world)
    newer = _consent(db, world)
    with pytest.raises(Conflict) as superseded:
        _withdraw(db, world, older.id)
    assert superseded.value.code == "consent.superseded"
    _withdraw(db, world, newer.id, ctx=ctx(world, "nurse"))
    with pytest.raises(Conflict) as again:
        _withdraw(db, world, newer.id)
    assert again.value.code == "consent.already_withdrawn"
    assert len(_withdrawal_events(db)) == 1


@pytest.mark.parametrize("persona", ["frontdesk", "admin", "researcher", "patient", "outsider"])
def test_only_nurses_and_prescribers_withdraw_consent(
    db: Session, world: World, persona: str
) -> None:
    signed = _consent(db, world)
    with pytest.raises(AccessDenied):
        _withdraw(db, world, signed.id, ctx=ctx(world, persona))
    assert signed.withdrawn_at is None
