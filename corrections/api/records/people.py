"""Stations and people (docs/api.md: Stations, People)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import Field

from corrections import clock
from corrections.api.records.cases import CorrectionCaseSummary
from corrections.api.records.resettlement import ResettlementCaseSummary
from corrections.people import privacy
from corrections.people.schemas import Education, Employment, Flag, Household
from corrections.schema import Schema, doc, enum


class Station(Schema):
    id: int
    version: int
    code: str
    name: str
    unit: str
    active: bool

    @classmethod
    def of(cls, station) -> dict:
        return cls.of_row(
            station,
            unit=station.unit.name,
        )


class Person(Schema):
    """For viewers, the name and id_number of a person with a minor's correction case are
    masked (张*, 1101**********4477; docs/domain.md §7.2)"""

    id: int
    version: int
    name: str
    id_number: str
    sex: enum(("male", "female"))
    birth_date: date
    ethnicity: str
    phone: str
    household_type: Household | None
    household_address: str
    residence_address: str
    same_address: bool
    education: Education | None
    employment: Employment | None
    emergency_contact: str
    notes: str
    flags: list[Flag]
    minor: bool = doc("未成年 today, derived from the birth date")
    registered_station: str | None
    notices: list[str] = Field(
        None,
        description="On a single person: notices about the ID number (e.g. an area code not "
        "in the current list); never a refusal",
    )
    cases: list[
        Annotated[CorrectionCaseSummary | ResettlementCaseSummary, Field(discriminator="programme")]
    ] = Field(
        None,
        description="On a single person: their cases in scope, short form, each with programme "
        "(correction cases carry minor: a minor's case)",
    )

    @classmethod
    def of(cls, person, user, **extra) -> dict:
        return cls.dump(
            id=person.id,
            version=person.version,
            name=privacy.display_name(user, person.id, person.name),
            id_number=privacy.display_id(user, person.id, person.id_number, by_role=False),
            sex=person.sex,
            birth_date=person.birth_date,
            ethnicity=person.ethnicity,
            phone=person.phone,
            household_type=person.household_type,
            household_address=person.household_address,
            residence_address=person.residence_address,
            same_address=person.same_address,
            education=person.education,
            employment=person.employment,
            emergency_contact=person.emergency_contact,
            notes=person.notes,
            flags=person.flags,
            minor=person.is_minor_on(clock.today()),
            registered_station=(
                person.registered_station.code if person.registered_station else None
            ),
            **extra,
        )
