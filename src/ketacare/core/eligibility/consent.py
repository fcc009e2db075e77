"""Informed consent, pure part: the risks the wording must cover and version validity.

The default wording ships as ``consent_default.md`` in this package (our own plain-language
text). Its first line carries the version, e.g. ``<!-- ketacare-consent-version: 1 -->``; a clinic
that edits the wording must raise the version, and any consent signed under an older version
then needs re-consent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from importlib import resources
from typing import Final

from ketacare.core.errors import Invalid
from ketacare.core.time import ensure_utc

DEFAULT_CONSENT_FILE: Final = "consent_default.md"
_VERSION_LINE: Final = re.compile(r"^<!--\s*ketacare-consent-version:\s*(\S+)\s*-->")


@dataclass(frozen=True, slots=True)
class ConsentRisk:
    """A risk every consent wording must cover.

    Attributes:
        id: Stable id.
        title: Short clinician-facing title.
        required_terms: Terms that must all appear in the wording (case-insensitive); ``|``
            separates alternatives for one term.
        source: Why the risk must be disclosed.
    """

    id: str
    title: str
    required_terms: tuple[str, ...]
    source: str


SEED_RISKS: Final[tuple[ConsentRisk, ...]] = (
    ConsentRisk(
        "dissociation",
        "Dissociation and perceptual changes",
        ("dissociat",),
        "Spravato PI §5.2: CADSS changes in 61-75 % [found]; "
        "docs/clinical/session.md#sedation-dissociation-and-breathing, "
        "docs/clinical/session.md#acute-effects",
    ),
    ConsentRisk(
        "blood_pressure",
        "Rise in blood pressure",
        ("blood pressure",),
        "Yale 2024 and Spravato PI BP rise [found]; "
        "docs/clinical/session.md#blood-pressure-during-iv-infusion, "
        "docs/clinical/session.md#esketamine-blood-pressure",
    ),
    ConsentRisk(
        "nausea",
        "Nausea and vomiting",
        ("nausea|sick",),
        "Esketamine week-1 nausea 14 % [found]; Singh 2016 [found]; "
        "docs/clinical/session.md#acute-effects",
    ),
    ConsentRisk(
        "misuse_potential",
        "Misuse potential (Schedule III)",
        ("misuse",),
        "Spravato PI §5.3, Schedule III [found]; ASA guidance [found]; "
        "docs/clinical/ledger.md#recordkeeping",
    ),
    ConsentRisk(
        "off_label_use",
        "Off-label use of IV racemic ketamine",
        ("off-label|off label",),
        "No FDA approval of IV ketamine for these uses [found: mdedge summary of Sanacora "
        "2017]; docs/clinical/eligibility.md#status-of-the-evidence",
    ),
    ConsentRisk(
        "no_driving_until_next_day",
        "No driving until the next day",
        ("driv", "next day|following day"),
        "Spravato PI: no driving until the next day after restful sleep [found]; "
        "docs/clinical/session.md#rule-33",
    ),
)


@dataclass(frozen=True, slots=True)
class ConsentDocument:
    """A consent wording with its version."""

    version: str
    text: str


@dataclass(frozen=True, slots=True)
class SignedConsent:
    """A patient's signature on a consent document version."""

    document_version: str
    signed_at: datetime
    withdrawn_at: datetime | None = None


class ConsentStatus(StrEnum):
    """Whether treatment may rely on the consent on file."""

    VALID = "valid"
    NOT_SIGNED = "not_signed"
    RECONSENT_REQUIRED = "reconsent_required"
    WITHDRAWN = "withdrawn"


def missing_risks(text: str) -> tuple[str, ...]:
    """Ids of seed risks that a consent wording does not cover.

    Args:
        text: The consent wording (markdown or plain text).

    Returns:
        Risk ids whose required terms are not all present, in :data:`SEED_RISKS` order.
    """
    lowered = text.casefold()

    def covered(risk: ConsentRisk) -> bool:
        return all(
            any(alternative in lowered for alternative in term.split("|"))
            for term in risk.required_terms
        )

    return tuple(risk.id for risk in SEED_RISKS if not covered(risk))


def parse_consent_document(text: str) -> ConsentDocument:
    """Read the version from the first line of a consent wording.

    Raises:
        Invalid: if the first line is not a ``ketacare-consent-version`` comment.
    """
    match = _VERSION_LINE.match(text)
    if match is None:
        raise Invalid(
            "consent.version_missing",
            "consent wording must start with <!-- ketacare-consent-version: X -->",
            field="text",
        )
    return ConsentDocument(version=match.group(1), text=text)


def load_default_consent() -> ConsentDocument:
    """Load the packaged default consent wording (for the lead to seed)."""
    package = resources.files("ketacare.core.eligibility")
    return parse_consent_document(package.joinpath(DEFAULT_CONSENT_FILE).read_text("utf-8"))


def consent_status(
    signed: SignedConsent | None, *, current_version: str, at: datetime
) -> ConsentStatus:
    """Status of the consent on file at time ``at`` against the current document version.

    Args:
        signed: The latest signature on file, or None.
        current_version: Version of the consent wording in force.
        at: The moment of the check (timezone-aware).

    Returns:
        ``valid``, ``not_signed`` (none, or signed after ``at``), ``withdrawn`` or
        ``reconsent_required`` (signed under another version).
    """
    moment = ensure_utc(at)
    if signed is None or ensure_utc(signed.signed_at) > moment:
        return ConsentStatus.NOT_SIGNED
    if signed.withdrawn_at is not None and ensure_utc(signed.withdrawn_at) <= moment:
        return ConsentStatus.WITHDRAWN
    if signed.document_version != current_version:
        return ConsentStatus.RECONSENT_REQUIRED
    return ConsentStatus.VALID


def consent_is_valid(signed: SignedConsent | None, *, current_version: str, at: datetime) -> bool:
    """True when the signed consent covers treatment at ``at`` under ``current_version``."""
    return consent_status(signed, current_version=current_version, at=at) is ConsentStatus.VALID
