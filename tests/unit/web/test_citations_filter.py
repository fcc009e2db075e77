"""Pages show a rule's primary source; in-repo documentation paths are dropped."""

from __future__ import annotations

import pytest

from ketacare.web.citations import primary_source


@pytest.mark.parametrize(
    ("source", "shown"),
    [
        (
            "[found: droracle summary of PI]; reused as the IV default "
            "(docs/clinical/session.md#rule-21)",
            "[found: droracle summary of PI]; reused as the IV default",
        ),
        (
            "Cohen 2018 [found: guidelinecentral; medcentral]; "
            "docs/clinical/eligibility.md#pain-indications, docs/clinical/eligibility.md#rule-10",
            "Cohen 2018 [found: guidelinecentral; medcentral]",
        ),
        ("unrecorded sex [R: docs/clinical/instruments.md#audit-c]", "unrecorded sex [R]"),
        ("docs/clinical/instruments.md#dast-10: yes = 1", "yes = 1"),
        ("Spravato PI §2.1 (docs/clinical/session.md#rule-20, #rule-21)", "Spravato PI §2.1"),
        ("Spravato PI §2.1 (DEA # on file)", "Spravato PI §2.1 (DEA # on file)"),
        (
            "mirrored ('reasonable to mirror', docs/clinical/eligibility.md#contraindications, "
            "docs/clinical/eligibility.md#rule-3) [found: usmedicine.com Spravato ISI]",
            "mirrored ('reasonable to mirror') [found: usmedicine.com Spravato ISI]",
        ),
        ("", ""),
        (None, ""),
    ],
)
def test_primary_source(source: str | None, shown: str) -> None:
    assert primary_source(source) == shown
