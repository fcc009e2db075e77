from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ketacare.db.models import Location, Organisation


def get_organisation(db: Session, organisation_id: int) -> Organisation | None:
    return db.get(Organisation, organisation_id)


def list_organisations(db: Session) -> list[Organisation]:
    return list(db.scalars(select(Organisation).order_by(Organisation.id)))


def add_organisation(db: Session, organisation: Organisation) -> Organisation:
    db.add(organisation)
    db.flush()
    return organisation


def add_location(db: Session, location: Location) -> Location:
    db.add(location)
    db.flush()
    return location


def get_location(db: Session, location_id: int) -> Location | None:
    return db.get(Location, location_id)


def list_locations(db: Session, *, organisation_id: int) -> list[Location]:
    stmt = select(Location).where(Location.organisation_id == organisation_id)
    return list(db.scalars(stmt.order_by(Location.id)))
