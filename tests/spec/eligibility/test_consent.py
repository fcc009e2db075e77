"""Informed consent: seed risks the wording must cover, and re-consent on a new version."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ketacare.core.eligibility.consent import (
    SEED_RISKS,
    ConsentStatus,
    SignedConsent,
    consent_is_valid,
    consent_status,
    load_default_consent,
    missing_risks,
    parse_consent_document,
)
from ketacare.core.errors import Invalid

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def test_seed_risks_are_the_required_six():
    assert [risk.id for risk in SEED_RISKS] == [
        "dissociation",
        "blood_pressure",
        "nausea",
        "misuse_potential",
        "off_label_use",
        "no_driving_until_next_day",
    ]
    assert all(risk.source for risk in SEED_RISKS)


def test_default_wording_covers_every_seed_risk_and_has_a_version():
    document = load_default_consent()
    assert document.version == "1"
    assert missing_risks(document.text) == ()


COVERAGE_TABLE = [
    ("empty", "", tuple(r.id for r in SEED_RISKS)),
    (
        "all-but-driving",
        "Dissociation. Blood pressure. Nausea. Misuse. Off-label use. Do not drive today.",
        ("no_driving_until_next_day",),
    ),
    (
        "driving-without-next-day",
        "dissociation blood pressure sick misuse off label. No driving.",
        ("no_driving_until_next_day",),
    ),
    (
        "all-covered-any-case",
        "DISSOCIATION, BLOOD PRESSURE, feeling sick, MISUSE, OFF-LABEL, no driving until the "
        "following day",
        (),
    ),
]


@pytest.mark.parametrize(
    ("text", "missing"), [r[1:] for r in COVERAGE_TABLE], ids=[r[0] for r in COVERAGE_TABLE]
)
def test_missing_risks(text, missing):
    assert missing_risks(text) == missing


STATUS_TABLE = [
    # (signed consent, current version, status)
    ("none", None, "1", ConsentStatus.NOT_SIGNED),
    ("same-version", SignedConsent("1", NOW - DAY), "1", ConsentStatus.VALID),
    ("signed-at-the-moment", SignedConsent("1", NOW), "1", ConsentStatus.VALID),
    ("version-changed", SignedConsent("1", NOW - DAY), "2", ConsentStatus.RECONSENT_REQUIRED),
    ("signed-in-future", SignedConsent("1", NOW + DAY), "1", ConsentStatus.NOT_SIGNED),
    ("withdrawn", SignedConsent("1", NOW - 2 * DAY, NOW - DAY), "1", ConsentStatus.WITHDRAWN),
    ("withdrawal-later", SignedConsent("1", NOW - 2 * DAY, NOW + DAY), "1", ConsentStatus.VALID),
]


@pytest.mark.parametrize(
    ("signed", "version", "status"), [r[1:] for r in STATUS_TABLE], ids=[r[0] for r in STATUS_TABLE]
)
def test_consent_status(signed, version, status):
    assert consent_status(signed, current_version=version, at=NOW) is status
    assert consent_is_valid(signed, current_version=version, at=NOW) is (
        status is ConsentStatus.VALID
    )


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        consent_status(None, current_version="1", at=datetime(2025, 1, 1))  # noqa: DTZ001


def test_wording_without_version_line_is_invalid():
    with pytest.raises(Invalid) as caught:
        parse_consent_document("# Consent\nNo version here")
    assert caught.value.code == "consent.version_missing"
    assert parse_consent_document("<!-- ketacare-consent-version: 2025-07 -->\n").version == (
        "2025-07"
    )
