"""JSON Schema of the screening input, a small validator for it, and the parser.

The schema is a hand-written JSON Schema (draft 2020-12 subset) built from the catalogues, so
the enums never drift from the rules. ``validate`` implements just the keywords the schema uses
(type, enum, properties, required, additionalProperties, items, minimum, maximum, minLength);
the core must not depend on pydantic or jsonschema.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from enum import StrEnum
from typing import Any, Final, TypeVar

from ketacare.core.codes import ProtocolId, SexAtBirth
from ketacare.core.eligibility.conditions import CONDITIONS
from ketacare.core.eligibility.indications import INDICATIONS
from ketacare.core.eligibility.misuse import AUDITC_MAX, DAST10_MAX
from ketacare.core.eligibility.model import (
    AntidepressantTrial,
    EpisodeSeverity,
    ScreeningInput,
    ScreenResult,
    StopReason,
)
from ketacare.core.errors import Invalid
from ketacare.core.medications.model import MedicationClass
from ketacare.core.plausibility import Range, check_blood_pressure, check_text
from ketacare.core.plausibility.counts import AGE_YEARS, EPISODE_MONTHS, TRIAL_WEEKS
from ketacare.core.plausibility.vitals import DIASTOLIC, SYSTOLIC

_CODE: Final = "eligibility.input_invalid"
# Plausibility of a liver enzyme as a multiple of its upper limit of normal (CONFIG): acute
# liver failure reaches tens of times the ULN; 1,000x refuses a value typed in U/L by mistake
# only when it is absurd, so the field's description asks for the ratio.
_LFT_X_ULN_MAX: Final = 1000
_E = TypeVar("_E", bound=StrEnum)


def _range(rule: Range) -> dict[str, int]:
    # Plausibility bounds (``ketacare.core.plausibility``), stated once there.
    return {"minimum": int(rule.low), "maximum": int(rule.high)}


def _nullable(kind: str, **extra: Any) -> dict[str, Any]:
    return {"type": [kind, "null"], **extra}


def _nullable_enum(values: list[str], description: str) -> dict[str, Any]:
    return {"type": ["string", "null"], "enum": [*values, None], "description": description}


_TRIAL_SCHEMA: Final[dict[str, Any]] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["drug", "weeks"],
    "properties": {
        "drug": {"type": "string", "minLength": 1},
        "weeks": {
            "type": "number",
            **_range(TRIAL_WEEKS),
            "description": "Trial duration in weeks",
        },
        "adequate_dose": _nullable("boolean", description="Dose confirmed adequate"),
        "improvement_percent": _nullable(
            "number", maximum=100, description="Percent improvement (negative = worse)"
        ),
        "current_episode": _nullable("boolean"),
        "stopped_early_reason": _nullable_enum(
            [reason.value for reason in StopReason], "Why the trial was stopped early"
        ),
        "adherent": _nullable("boolean", description="Taken as prescribed"),
        "dose": _nullable("string", description="Dose as charted (free text)"),
    },
}

INPUT_SCHEMA: Final[dict[str, Any]] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "KetaCare eligibility screening input",
    "type": "object",
    "additionalProperties": False,
    "required": ["protocol"],
    "properties": {
        "protocol": {"type": "string", "enum": [protocol.value for protocol in ProtocolId]},
        "indication": _nullable_enum(sorted(INDICATIONS), "Indication catalogue id"),
        "age_years": _nullable("integer", **_range(AGE_YEARS)),
        "sex_at_birth": _nullable_enum([sex.value for sex in SexAtBirth], "Sex at birth"),
        "pregnant": _nullable("boolean"),
        "breastfeeding": _nullable("boolean"),
        "conditions": {
            "type": ["array", "null"],
            "items": {"type": "string", "enum": sorted(CONDITIONS)},
        },
        "bp_systolic": _nullable("integer", **_range(SYSTOLIC), description="mmHg"),
        "bp_diastolic": _nullable("integer", **_range(DIASTOLIC), description="mmHg"),
        "episode_duration_months": _nullable("number", **_range(EPISODE_MONTHS)),
        "episode_severity": _nullable_enum(
            [severity.value for severity in EpisodeSeverity], "Current episode severity (MSM)"
        ),
        "antidepressant_trials": {"type": ["array", "null"], "items": _TRIAL_SCHEMA},
        "augmentation": _nullable("boolean"),
        "ect": _nullable("boolean"),
        "dast10_total": _nullable("integer", minimum=0, maximum=DAST10_MAX),
        "auditc_total": _nullable("integer", minimum=0, maximum=AUDITC_MAX),
        "medication_classes": {
            "type": ["array", "null"],
            "items": {"type": "string", "enum": [klass.value for klass in MedicationClass]},
            "description": "Classes of the medicines currently taken",
        },
        "lft_x_uln": _nullable(
            "number",
            minimum=0,
            maximum=_LFT_X_ULN_MAX,
            description="Highest of ALT, AST, ALP, GGT as a multiple of the upper limit of normal",
        ),
        "long_term_course": _nullable(
            "boolean", description="Course continues beyond induction (maintenance or repeat)"
        ),
        "bladder_screen": _nullable_enum(
            [result.value for result in ScreenResult], "Bladder symptom screen result"
        ),
        "cognition_check": _nullable_enum(
            [result.value for result in ScreenResult], "Cognition check result"
        ),
    },
}


def _is_type(value: Any, kind: str) -> bool:
    if kind == "null":
        return value is None
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "integer":
        return _is_number(value) and float(value).is_integer()
    if kind == "number":
        return _is_number(value)
    python_type = {"string": str, "array": list, "object": dict}[kind]
    return isinstance(value, python_type)


def _is_number(value: Any) -> bool:
    # NaN and infinities (which Python's json accepts) are not numbers here: NaN slips past
    # every minimum/maximum comparison.
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _fail(path: str, problem: str) -> Invalid:
    return Invalid(_CODE, f"{path or 'input'}: {problem}", field=path or None)


def validate(document: Any, schema: Mapping[str, Any] = INPUT_SCHEMA, path: str = "") -> None:
    """Validate a decoded JSON document against (a subset of) JSON Schema.

    Args:
        document: The decoded JSON value.
        schema: The schema (defaults to :data:`INPUT_SCHEMA`).
        path: Location of ``document`` in the root document, used in error messages.

    Raises:
        Invalid: naming the offending field (``field`` is the dotted path).
    """
    kinds = schema.get("type")
    if kinds is not None:
        allowed = [kinds] if isinstance(kinds, str) else list(kinds)
        if not any(_is_type(document, kind) for kind in allowed):
            raise _fail(path, f"expected {' or '.join(allowed)}, got {_json_type(document)}")
    if "enum" in schema and document not in schema["enum"]:
        choices = ", ".join(repr(value) for value in schema["enum"] if value is not None)
        raise _fail(path, f"unknown value {document!r}; expected one of {choices}")
    _check_bounds(document, schema, path)
    if isinstance(document, dict):
        _validate_object(document, schema, path)
    if isinstance(document, list) and "items" in schema:
        for index, item in enumerate(document):
            validate(item, schema["items"], f"{path}[{index}]")


def _check_bounds(document: Any, schema: Mapping[str, Any], path: str) -> None:
    if _is_number(document):
        if "minimum" in schema and document < schema["minimum"]:
            raise _fail(path, f"must be >= {schema['minimum']}")
        if "maximum" in schema and document > schema["maximum"]:
            raise _fail(path, f"must be <= {schema['maximum']}")
    if isinstance(document, str) and len(document.strip()) < schema.get("minLength", 0):
        raise _fail(path, "must not be empty")


def _validate_object(document: dict[str, Any], schema: Mapping[str, Any], path: str) -> None:
    properties: Mapping[str, Any] = schema.get("properties", {})
    prefix = f"{path}." if path else ""
    for name in schema.get("required", []):
        if name not in document:
            raise _fail(prefix + name, "is required")
    for name, value in document.items():
        if name not in properties:
            if schema.get("additionalProperties", True) is False:
                raise _fail(prefix + name, "unknown field")
            continue
        validate(value, properties[name], prefix + name)


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if _is_number(value):
        return "number"
    names: dict[type, str] = {str: "string", list: "array", dict: "object"}
    return names.get(type(value), type(value).__name__)


def parse_screening_input(document: Any) -> ScreeningInput:
    """Validate a decoded JSON document and build the :class:`ScreeningInput`.

    Raises:
        Invalid: if the document does not match :data:`INPUT_SCHEMA`.
    """
    validate(document)
    _plain_strings(document, "")
    get = document.get
    try:
        check_blood_pressure(get("bp_systolic"), get("bp_diastolic"))
    except Invalid as exc:
        raise Invalid(_CODE, exc.message, field=f"bp_{exc.field}") from None
    trials = get("antidepressant_trials")
    return ScreeningInput(
        protocol=ProtocolId(document["protocol"]),
        indication=get("indication"),
        age_years=_int(get("age_years")),
        sex_at_birth=None if get("sex_at_birth") is None else SexAtBirth(get("sex_at_birth")),
        pregnant=get("pregnant"),
        breastfeeding=get("breastfeeding"),
        conditions=frozenset(get("conditions") or ()),
        bp_systolic=_int(get("bp_systolic")),
        bp_diastolic=_int(get("bp_diastolic")),
        episode_duration_months=get("episode_duration_months"),
        episode_severity=_optional(EpisodeSeverity, get("episode_severity")),
        antidepressant_trials=None if trials is None else tuple(map(_trial, trials)),
        augmentation=get("augmentation"),
        ect=get("ect"),
        dast10_total=_int(get("dast10_total")),
        auditc_total=_int(get("auditc_total")),
        medication_classes=frozenset(map(MedicationClass, get("medication_classes") or ())),
        lft_x_uln=get("lft_x_uln"),
        long_term_course=get("long_term_course"),
        bladder_screen=_optional(ScreenResult, get("bladder_screen")),
        cognition_check=_optional(ScreenResult, get("cognition_check")),
    )


def _plain_strings(document: Any, path: str) -> None:
    # Free text (a drug, a dose) must hold no NUL or control characters: the input is stored.
    if isinstance(document, str):
        try:
            check_text(document, field=path or "input")
        except Invalid as exc:
            raise Invalid(_CODE, exc.message, field=exc.field) from None
    elif isinstance(document, dict):
        for key, value in document.items():
            _plain_strings(value, f"{path}.{key}" if path else str(key))
    elif isinstance(document, list):
        for index, value in enumerate(document):
            _plain_strings(value, f"{path}[{index}]")


def _trial(item: dict[str, Any]) -> AntidepressantTrial:
    return AntidepressantTrial(
        drug=item["drug"].strip(),
        weeks=item["weeks"],
        adequate_dose=item.get("adequate_dose"),
        improvement_percent=item.get("improvement_percent"),
        current_episode=item.get("current_episode"),
        stopped_early_reason=_optional(StopReason, item.get("stopped_early_reason")),
        adherent=item.get("adherent"),
        dose=item.get("dose"),
    )


def _int(value: float | None) -> int | None:
    return None if value is None else int(value)


def _optional(kind: type[_E], value: str | None) -> _E | None:
    return None if value is None else kind(value)
