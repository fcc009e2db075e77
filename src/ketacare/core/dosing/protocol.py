"""Treatment protocols as data: drug, route, indications, dose rule, observation and schedules.

The built-in protocols live as JSON in ``ketacare/core/dosing/protocols/`` (see ``library.py``).
A clinic admin may add a custom protocol: the service layer stores ``Protocol.to_dict()`` as JSON
and rebuilds it with ``Protocol.from_dict``, which validates every field and raises ``Invalid``
naming the offending field. Every protocol, limit and schedule carries its ``source``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from ketacare.core.codes import Drug, Route
from ketacare.core.dosing.fields import Fields, invalid
from ketacare.core.dosing.rules import DeviceRule, DoseRule, InfusionRule, read_dose_rule
from ketacare.core.dosing.schedule import Phase, ScheduleTemplate, find_template

PROTOCOL_ID_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


class Setting(StrEnum):
    """Where a protocol may be given."""

    OUTPATIENT = "outpatient"
    INPATIENT = "inpatient"


class ObservationStart(StrEnum):
    """What the minimum observation time is counted from."""

    END_OF_ADMINISTRATION = "end_of_administration"
    FIRST_DOSE = "first_dose"


@dataclass(frozen=True, slots=True)
class Indication:
    """An indication with the evidence grade the reference gives, where it gives one."""

    name: str
    evidence: str | None = None

    @classmethod
    def read(cls, f: Fields) -> Indication:
        """Parse ``{"name", "evidence"}``."""
        return cls(f.text("name"), f.opt_text("evidence"))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"name": self.name, "evidence": self.evidence}


@dataclass(frozen=True, slots=True)
class Observation:
    """Minimum observation before discharge, in minutes, and what it is counted from."""

    minimum_min: int
    counted_from: ObservationStart
    source: str
    config: bool = False

    @classmethod
    def read(cls, f: Fields) -> Observation:
        """Parse ``{"minimum_min", "counted_from", "source", "config"}``."""
        return cls(
            f.integer("minimum_min", minimum=0),
            f.choice("counted_from", ObservationStart),
            f.text("source"),
            f.flag("config"),
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "minimum_min": self.minimum_min,
            "counted_from": self.counted_from.value,
            "source": self.source,
            "config": self.config,
        }


@dataclass(frozen=True, slots=True)
class Protocol:
    """A treatment protocol. Build from data with ``from_dict``; never mutate."""

    id: str
    name: str
    drug: Drug
    route: Route
    setting: Setting
    regulatory_status: str
    indications: tuple[Indication, ...]
    dose_rule: DoseRule
    observation: Observation
    schedules: tuple[ScheduleTemplate, ...]
    source: str
    notes: tuple[str, ...] = ()
    version: int = 1

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Protocol:
        """Build and validate a protocol from its JSON form.

        Raises:
            Invalid: ``protocol.invalid_field`` with ``field`` set to the dotted path at fault.
        """
        f = Fields(data)
        protocol_id = f.text("id")
        if not PROTOCOL_ID_PATTERN.fullmatch(protocol_id):
            raise invalid("id", "must be lower-case words joined by hyphens")
        protocol = cls(
            id=protocol_id,
            name=f.text("name"),
            drug=f.choice("drug", Drug),
            route=f.choice("route", Route),
            setting=f.choice("setting", Setting),
            regulatory_status=f.text("regulatory_status"),
            indications=tuple(
                Indication.read(Fields(item, f"indications[{i}]"))
                for i, item in enumerate(f.items("indications"))
            ),
            dose_rule=read_dose_rule(f.child("dose_rule")),
            observation=Observation.read(f.child("observation")),
            schedules=tuple(
                ScheduleTemplate.read(Fields(item, f"schedules[{i}]"))
                for i, item in enumerate(f.items("schedules", required=False))
            ),
            source=f.text("source"),
            notes=tuple(_notes(f)),
            version=f.integer("version") if f.has("version") else 1,
        )
        _check_consistency(protocol)
        return protocol

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form; ``Protocol.from_dict(p.to_dict()) == p``."""
        return {
            "id": self.id,
            "version": self.version,
            "name": self.name,
            "drug": self.drug.value,
            "route": self.route.value,
            "setting": self.setting.value,
            "regulatory_status": self.regulatory_status,
            "indications": [i.to_dict() for i in self.indications],
            "dose_rule": self.dose_rule.to_dict(),
            "observation": self.observation.to_dict(),
            "schedules": [s.to_dict() for s in self.schedules],
            "notes": list(self.notes),
            "source": self.source,
        }

    def summary(self) -> dict[str, Any]:
        """Short listing form: id, name, drug, route, indications, dose rule, source."""
        return {
            "id": self.id,
            "name": self.name,
            "drug": self.drug.value,
            "route": self.route.value,
            "setting": self.setting.value,
            "indications": [i.name for i in self.indications],
            "dose_rule": self.dose_rule.summary(),
            "source": self.source,
        }

    def chair_time_min(self, administration_min: int) -> int:
        """Minimum chair minutes for a session whose administration lasts ``administration_min``.

        Infusions: infusion time plus the minimum observation after it ends. Esketamine: the
        observation counts from the first device, so the chair time is the longer of the two.
        """
        if self.observation.counted_from is ObservationStart.FIRST_DOSE:
            return max(self.observation.minimum_min, administration_min)
        return administration_min + self.observation.minimum_min

    def schedule(
        self, template_id: str | None = None, phase: Phase = Phase.INDUCTION
    ) -> ScheduleTemplate:
        """A schedule template by id, or this protocol's first template of ``phase``."""
        return find_template(self.schedules, template_id, phase)


def propose_induction_dates(
    protocol: Protocol, start: date, *, template_id: str | None = None
) -> list[date]:
    """Proposed induction session dates from ``start`` (first session on ``start``).

    Uses ``template_id`` or the protocol's first induction template.

    Raises:
        NotFound: the protocol has no such template (``schedule.template_not_found``).
    """
    return protocol.schedule(template_id, Phase.INDUCTION).propose_dates(start)


def _notes(f: Fields) -> list[str]:
    notes = f.items("notes", required=False)
    for index, note in enumerate(notes):
        if not isinstance(note, str) or not note.strip():
            raise invalid(f"notes[{index}]", "must be a non-empty string")
    return [str(note) for note in notes]


def _check_consistency(protocol: Protocol) -> None:
    """Cross-field rules: the drug/route match the dose rule kind; template ids are unique."""
    rule = protocol.dose_rule
    if isinstance(rule, DeviceRule) and protocol.route is not Route.INTRANASAL:
        raise invalid("route", "a fixed-device dose rule needs the intranasal route")
    if isinstance(rule, InfusionRule) and protocol.route is not Route.IV:
        raise invalid("route", "a weight-based infusion rule needs the iv route")
    ids = [s.id for s in protocol.schedules]
    if len(ids) != len(set(ids)):
        raise invalid("schedules", "template ids must be unique")
