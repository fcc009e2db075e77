"""Small coded vocabularies shared across domains, each defined once.

A code that more than one domain speaks (sex at birth, drug, route, session drug, protocol id,
assessment timepoint, notification kind and status) lives here; a code only one domain uses
stays in that domain's ``model.py``. Where two spellings of one concept are genuinely needed
(the PK command line's short route codes, the session's drug-and-route code), the mapping
between them is written here, next to the enum, once.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Final, Literal


class SexAtBirth(StrEnum):
    """Sex assigned at birth (HL7 administrative-gender style codes, plus intersex).

    Dosing formulas (Devine ideal body weight), the AUDIT-C cut-off and pregnancy prompts need
    it; gender identity is recorded separately and is what the pages use to address the patient.
    """

    FEMALE = "female"
    MALE = "male"
    INTERSEX = "intersex"
    UNKNOWN = "unknown"


def pregnancy_applies(sex: SexAtBirth | str | None) -> bool:
    """Whether pregnancy status is asked: for everyone except patients male at birth.

    Unrecorded, intersex and unknown sex are asked too: a missed pregnancy is the costly error
    (docs/clinical/eligibility.md#rule-8).
    """
    return sex != SexAtBirth.MALE


class MeasurementKind(StrEnum):
    """Body measurements kept with their dates (weight in kg, height in cm)."""

    WEIGHT = "weight"
    HEIGHT = "height"


class Drug(StrEnum):
    """Active substance (stored on orders; protocols name it).

    Doses are of the base as labelled; see docs/clinical/pk.md on salt vs base.
    """

    KETAMINE = "ketamine"  # racemic ketamine hydrochloride
    ESKETAMINE = "esketamine"


class Route(StrEnum):
    """Route of administration (stored on orders; protocols and PK models name it)."""

    IV = "iv"
    INTRANASAL = "intranasal"

    @property
    def pk_code(self) -> PkRouteCode:
        """The PK simulator's short spelling (``iv`` / ``nasal``), kept for its CLI contract."""
        return _PK_CODES[self]

    @classmethod
    def from_pk_code(cls, code: str) -> Route:
        """The route the PK command line spells ``code`` (``iv`` or ``nasal``).

        Raises:
            KeyError: ``code`` is not one of :data:`PK_ROUTE_CODES`.
        """
        return PK_ROUTE_CODES[code]


# Why two spellings: ``ketacare pk simulate --route nasal`` and the PK model listing have always
# said "nasal", while protocols and stored orders say "intranasal". One enum, one mapping.
PkRouteCode = Literal["iv", "nasal"]
_PK_CODES: Final[Mapping[Route, PkRouteCode]] = {Route.IV: "iv", Route.INTRANASAL: "nasal"}
PK_ROUTE_CODES: Final[Mapping[str, Route]] = {code: route for route, code in _PK_CODES.items()}


class SessionDrug(StrEnum):
    """What a treatment session administers: drug and route in one stored code.

    Esketamine "infusing" means giving the nasal devices. Stored on treatment sessions; an order's
    ``Drug`` maps to it with :meth:`for_drug` (every esketamine product KetaCare supports is nasal,
    every racemic ketamine protocol is IV).
    """

    KETAMINE_IV = "ketamine_iv"
    ESKETAMINE_NASAL = "esketamine_nasal"

    @classmethod
    def for_drug(cls, drug: Drug | str) -> SessionDrug:
        """The session code for an order's or protocol's drug."""
        return cls.ESKETAMINE_NASAL if drug == Drug.ESKETAMINE else cls.KETAMINE_IV

    @property
    def drug(self) -> Drug:
        """The active substance of this session code."""
        return Drug.ESKETAMINE if self is SessionDrug.ESKETAMINE_NASAL else Drug.KETAMINE


class ProtocolId(StrEnum):
    """Ids of the built-in protocols that eligibility screening covers.

    The CLI, the API and stored screening decisions use these ids; they are the ids of the
    matching protocol files in ``core/dosing/protocols/``. Dosing accepts any protocol id as a
    string, because a clinic may add its own protocols.
    """

    IV_KETAMINE_DEPRESSION = "iv-ketamine-depression"
    IV_KETAMINE_PAIN = "iv-ketamine-pain"
    ESKETAMINE_NASAL = "esketamine-nasal"

    @property
    def is_iv(self) -> bool:
        """True for the IV racemic ketamine protocols."""
        return self is not ProtocolId.ESKETAMINE_NASAL


class Timepoint(StrEnum):
    """When in the care pathway a form was administered (a vocabulary, not a clinical rule).

    Stored on assessments and questionnaire links; the chair stores its ratings' timepoints too.
    """

    SCREENING = "screening"
    BASELINE = "baseline"
    PRE_SESSION = "pre-session"
    # In the chair: CADSS about 40 min into the dose and again before discharge
    # (docs/clinical/session.md#rule-28); Aldrete/PADSS discharge scores belong to pre-discharge.
    INTRA_SESSION = "intra-session"
    PRE_DISCHARGE = "pre-discharge"
    POST_SESSION = "post-session"
    POST_SESSION_24H = "post-session-24h"
    POST_SESSION_1W = "post-session-1w"
    FOLLOW_UP = "follow-up"
    UNSCHEDULED = "unscheduled"


class NotificationKind(StrEnum):
    """What an outbox e-mail is about (assessments, the chair and patient links queue them)."""

    SAFETY_ALERT = "safety_alert"
    SERIOUS_ADVERSE_EVENT = "serious_adverse_event"
    QUESTIONNAIRE_LINK = "questionnaire_link"


class NotificationStatus(StrEnum):
    """Where an outbox e-mail is: waiting (or retrying), sent, or given up on."""

    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
